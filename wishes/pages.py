"""Whole pages kept in the cache for the one person who reads them, so that a volunteer opening
the 心愿清单 or a wish again (often everyone at once, when a list is posted to a WeChat group)
costs a cache read instead of queries and a render.

A page is kept under everything it shows:
- the versions of the data on it (`wishes/versions.py`), compared on every read, so a page is
  never served after its data changed;
- who reads it: their id and name, their roles and communities and unread notices, read afresh
  with the user at the start of every request (`accounts/identity.py`), so a role taken away
  changes the key at once;
- the full path, the language and the day (days waiting and due dates change at midnight).

The two things a page holds that must be new on every response, the CSRF token and the CSP
nonce, are rendered as placeholders and filled in as the page is served. A page is not kept when
it shows a one-off message, sets a cookie, answers other than 200, or when its view says it must
run every time (a page that shows a resident's contact details records each view of them).
"""

from __future__ import annotations

import hashlib
from functools import wraps

from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language

from accounts.identity import identity_of

from . import versions

KEEP_SECONDS = 600
PREFIX = "page:"


def _digest(name: str) -> str:
    return salted_hmac("wishes.pages", name, algorithm="sha256").hexdigest()[:24]


def _hole(name: str) -> str:
    # Letters and digits only (nothing for HTML escaping to change), and not guessable, so
    # text someone typed into a wish cannot contain it.
    return f"hole{_digest(name)}"


CSRF_HOLE = _hole("csrf")
NONCE_HOLE = _hole("nonce")


def holes(request) -> dict[str, str]:
    """Context processor (last in the list): while a kept page renders, its CSRF token and
    CSP nonce are placeholders."""
    if getattr(request, "page_holes", False):
        return {"csrf_token": CSRF_HOLE, "csp_nonce": NONCE_HOLE}
    return {}


def not_kept(request) -> None:
    """A view calls this when its page must be rendered afresh for every request."""
    request.page_not_kept = True


def reader(user) -> tuple:
    if not user.is_authenticated:
        return ("-",)
    identity = identity_of(user)
    if identity is None:  # not read by accounts/backends.py: nothing to key by
        return None
    return (
        user.pk,
        user.display_name,
        user.is_superuser,
        user.is_staff,
        identity.fingerprint(),
        identity.unread,
    )


def kept_whole(keyed):
    """View decorator: keyed(request, *args, **kwargs) gives (version names, other parts), or
    None for a request whose page is not to be kept."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            spec = _spec(request, keyed, args, kwargs)
            if spec is None:
                return view(request, *args, **kwargs)
            names, key = spec
            found = cache.get_many([versions.PREFIX + name for name in names] + [key])
            current = tuple(
                found.get(versions.PREFIX + name) or versions.version(name) for name in names
            )
            kept = found.get(key)
            if kept is not None and kept[0] == current:
                return _served(request, kept[1], kept[2])
            request.page_holes = True
            try:
                response = view(request, *args, **kwargs)
                if callable(getattr(response, "render", None)):
                    response = response.render()
            finally:
                request.page_holes = False
            if not _keepable(request, response):
                return _filled(request, response)
            headers = dict(response.items())
            cache.set(key, (current, response.content, headers), KEEP_SECONDS)
            return _served(request, response.content, headers)

        return wrapped

    return decorator


def _spec(request, keyed, args, kwargs):
    if request.method != "GET" or _messages_waiting(request):
        return None
    who = reader(request.user)
    if who is None:
        return None
    spec = keyed(request, *args, **kwargs)
    if spec is None:
        return None
    names, parts = spec
    whole = [
        request.get_full_path(),
        get_language(),
        timezone.localdate().isoformat(),
        who,
        parts,
    ]
    return names, PREFIX + hashlib.sha256(repr(whole).encode()).hexdigest()


def _messages_waiting(request) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def _keepable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.cookies
        and not getattr(response, "streaming", False)
        and not getattr(request, "page_not_kept", False)
        and not _messages_waiting(request)
    )


def _fill(request, content: bytes) -> bytes:
    if CSRF_HOLE.encode() in content:
        content = content.replace(CSRF_HOLE.encode(), get_token(request).encode())
    if NONCE_HOLE.encode() in content:
        content = content.replace(NONCE_HOLE.encode(), str(get_nonce(request)).encode())
    return content


def _served(request, content: bytes, headers: dict) -> HttpResponse:
    response = HttpResponse(_fill(request, content))
    for name, value in headers.items():
        if name.lower() != "content-length":
            response[name] = value
    return response


def _filled(request, response):
    if not getattr(response, "streaming", False) and response.get("Content-Type", "").startswith(
        "text/html"
    ):
        response.content = _fill(request, response.content)
    return response
