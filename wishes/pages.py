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
nonce, are rendered as placeholders and filled in as the page is served (config/holes.py).

A page is not kept when it shows a one-off message, sets a cookie, answers other than 200, or
when its view says it must run every time (a page that shows a resident's contact details
records each view of them).
"""

from __future__ import annotations

import hashlib
import time
from functools import wraps

from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import get_language

from accounts.context_processors import Roles
from accounts.identity import reader_key
from config.holes import hole

from . import versions

KEEP_SECONDS = 600
PREFIX = "page:"

# Pages kept for a menu (kept_for_menu) are the same for every reader with that menu and change
# only with the code, the language or the day: each process keeps those it served as well, the
# most recent LOCAL_PAGES of them, so that telling a volunteer 409 when everyone claims at once
# costs no round trip to the cache.
LOCAL: dict[str, tuple[float, tuple]] = {}
LOCAL_PAGES = 100

# A page's key, worked out once per reader kept in the cache, path, language and day (_spec).
SPECS: dict[tuple, tuple | None] = {}
MAX_SPECS = 10_000
_NOT_YET = object()


def not_kept(request) -> None:
    """A view calls this when its page must be rendered afresh for every request."""
    request.page_not_kept = True


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
            current, kept = versions.versions_and(names, key)
            current = tuple(current[name] for name in names)
            if kept is not None and kept[0] == current:
                return _served(200, kept[1], kept[2])
            request.page_holes = True
            try:
                response = view(request, *args, **kwargs)
                if callable(getattr(response, "render", None)):
                    response = response.render()
            finally:
                request.page_holes = False
            if _keepable(request, response):
                kept = (current, response.content, dict(response.items()))
                cache.set(key, kept, KEEP_SECONDS)
            return response

        return wrapped

    return decorator


def kept_for_menu(request, parts, render, values: dict[str, str]) -> HttpResponse:
    """A page that shows nothing but the menu and `parts` (a refusal, say), kept in the cache,
    whatever its status, for everyone whose menu offers the same — the same links, and notices
    waiting or not (one or more: the plural) — whoever they are. `render(values)` makes it
    with placeholders for `values` (a wish's address) and for the reader's name and unread
    count in the menu; each response puts its own in, escaped. When a list is posted and
    everyone claims at once, a volunteer told 409 is told it from the cache, the first time too.

    Nothing else on such a page may depend on its reader: `render` is given no more than
    `values` (tests/test_pages.py serves one reader's page to another and compares)."""
    menu = None if _messages_waiting(request) else Roles(request.user).menu()
    if menu is None:
        return render(values)
    whole = ["menu", get_language(), timezone.localdate().isoformat(), menu, parts]
    key = PREFIX + hashlib.sha256(repr(whole).encode()).hexdigest()
    fills = {hole(f"value-{name}").encode(): escape(v).encode() for name, v in values.items()}
    fills |= Roles(request.user).fills()
    kept = _kept_here(key)
    if kept is None:
        kept = cache.get(key)
        if kept is not None:
            _keep_here(key, kept)
    if kept is None:
        request.page_holes = request.page_menu_holes = True
        try:
            response = render({name: hole(f"value-{name}") for name in values})
        finally:
            request.page_holes = request.page_menu_holes = False
        if _keepable(request, response, response.status_code):
            kept = (response.status_code, response.content, dict(response.items()))
            cache.set(key, kept, KEEP_SECONDS)
            _keep_here(key, kept)
        response.content = _filled(response.content, fills)
        return response
    return _served(*kept, fills)


def _kept_here(key: str) -> tuple | None:
    found = LOCAL.get(key)
    if found is None:
        return None
    if found[0] < time.monotonic():
        del LOCAL[key]
        return None
    return found[1]


def _keep_here(key: str, kept: tuple) -> None:
    LOCAL.pop(key, None)
    if len(LOCAL) >= LOCAL_PAGES:
        del LOCAL[next(iter(LOCAL))]  # the oldest
    LOCAL[key] = (time.monotonic() + KEEP_SECONDS, kept)


def _spec(request, keyed, args, kwargs):
    if request.method != "GET" or _messages_waiting(request):
        return None
    path, language, day = request.get_full_path(), get_language(), timezone.localdate()
    # Worked out from the path, the language, the day and the reader alone: for a reader kept
    # in the cache, remembered under the numbers it was kept under (accounts/identity_kept.py),
    # which move on with any change to them.
    numbers = getattr(request.user, "kept_numbers", None)
    remembered = (keyed, path, language, day, request.user.pk, numbers) if numbers else None
    if remembered is not None:
        found = SPECS.get(remembered, _NOT_YET)
        if found is not _NOT_YET:
            return found
    spec = _worked_out(request, keyed, args, kwargs, [path, language, day.isoformat()])
    if remembered is not None:
        if len(SPECS) >= MAX_SPECS:
            del SPECS[next(iter(SPECS))]  # the oldest
        SPECS[remembered] = spec
    return spec


def _worked_out(request, keyed, args, kwargs, whole: list):
    who = reader_key(request.user)
    if who is None:
        return None
    spec = keyed(request, *args, **kwargs)
    if spec is None:
        return None
    names, parts = spec
    whole += [who, parts]
    return names, PREFIX + hashlib.sha256(repr(whole).encode()).hexdigest()


def _messages_waiting(request) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def _keepable(request, response, status: int = 200) -> bool:
    return (
        response.status_code == status
        and not response.cookies
        and not getattr(response, "streaming", False)
        and not getattr(request, "page_not_kept", False)
        and not _messages_waiting(request)
    )


def _filled(content: bytes, fills: dict[bytes, bytes]) -> bytes:
    for placeholder, value in fills.items():
        content = content.replace(placeholder, value)
    return content


def _served(status: int, content: bytes, headers: dict, fills=None) -> HttpResponse:
    response = HttpResponse(_filled(content, fills or {}), status=status)
    for name, value in headers.items():
        if name.lower() != "content-length":
            response[name] = value
    return response
