"""Reading ahead: what a page read from the cache last time, read again with its session.

A signed-in page served from the cache (wishes/pages.py) costs two round trips to Redis: the
session with who is asking (accounts/session_store.py), then the page with the version numbers
of the data on it. Both are small; what costs is the wait, about a tenth of a millisecond each,
as much as the rest of the page. Volunteers open the same list and the same wish again and
again; so this process remembers, for a session and a path, the keys its page read after the
session, and the next time that session asks for that path they are read in the session's round
trip, and the page's read finds them there.

Only a hint, never trusted: the page's key is still computed from the request and its reader,
and what was read ahead is used only for the very keys asked for, all of them, and only during
the request that read it: what the cache held a moment before, in the same request. A write
made in the request (a version moved on, config/generations.py) drops it. Only for GET and HEAD.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache

# (session key, full path) → the keys its page read last time, in this process; the oldest are
# forgotten first.
LEARNT: dict[tuple[str, str], tuple[str, ...]] = {}
MAX_LEARNT = 10_000
_ABSENT = object()


@dataclass
class _Request:
    session_key: str
    path: str
    ahead: dict = field(default_factory=dict)  # key → value, or _ABSENT
    read: list[str] = field(default_factory=list)


_CURRENT: ContextVar[_Request | None] = ContextVar("read_ahead", default=None)


def keys_for(session_key: str | None) -> tuple[str, ...]:
    """For the session store: the keys to read with this session, if this request is one whose
    page read them last time."""
    current = _CURRENT.get()
    if current is None or session_key is None or current.session_key != session_key:
        return ()
    return LEARNT.get((current.session_key, current.path), ())


def read(keys, found: dict) -> None:
    """For the session store: `keys` were read ahead, `found` is what the cache held of them."""
    current = _CURRENT.get()
    if current is not None:
        current.ahead = {key: found.get(key, _ABSENT) for key in keys}


def forget() -> None:
    """A write in this request: what was read ahead may be old now."""
    current = _CURRENT.get()
    if current is not None:
        current.ahead = {}


def get_many(keys: list[str]) -> dict:
    """cache.get_many(keys), from what was read ahead if it holds every one of them."""
    current = _CURRENT.get()
    if current is None:
        return cache.get_many(keys)
    ahead = current.ahead
    if ahead and all(key in ahead for key in keys):
        return {key: ahead[key] for key in keys if ahead[key] is not _ABSENT}
    current.read.extend(keys)
    return cache.get_many(keys)


def _learn(current: _Request) -> None:
    where = (current.session_key, current.path)
    if not current.read:
        # Served from what was read ahead (nothing to learn again), or read nothing at all.
        if not current.ahead:
            LEARNT.pop(where, None)
        return
    keys = tuple(dict.fromkeys(current.read))
    if LEARNT.get(where) == keys:
        return
    LEARNT.pop(where, None)
    if len(LEARNT) >= MAX_LEARNT:
        del LEARNT[next(iter(LEARNT))]
    LEARNT[where] = keys


class ReadAheadMiddleware:
    """Before SessionMiddleware: which session and path this request is, and afterwards, what
    its page read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if not session_key or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        current = _Request(session_key, request.get_full_path())
        token = _CURRENT.set(current)
        try:
            response = self.get_response(request)
        finally:
            _CURRENT.reset(token)
        if response.status_code == 200:
            _learn(current)
        return response
