"""Security events, one JSON line each, on the "microwish.security" logger.

Logins and their failures (and whether the pause after wrong passwords held the door),
logouts, password changes, two-factor changes, refusals (403) and every export or erasure of
residents' personal data. Production collects the lines from the console (settings.LOGGING).

A line says what happened (`event`), when (`at`, ISO 8601 with the offset), who (`user_id`, and
`username` unless it is a phone number), from where (`ip`, `forwarded_for`, `method`, `path`;
never the query string) and how it ended (`outcome`), plus the caller's fields. It never
carries a password or any other secret, nor a resident's personal data: callers pass ids and
counts, never names, numbers or free text, and fields whose names sound secret are dropped here
as a last guard.

The database's audit log (audit.models.AuditEntry) answers "who looked at this resident";
this log answers "what is happening to the site", and goes to whoever runs it.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
from typing import Any

from django.utils import timezone

logger = logging.getLogger("microwish.security")

# Events worth a look are warnings; everything else is information.
WARNING_OUTCOMES = {"failure", "blocked", "denied"}
WARNING_ENDINGS = ("_failed", "_blocked", "_denied")

# Field names that must never reach the log, whatever a caller passes.
SECRET_NAMES = re.compile(
    r"passw(or)?d|passphrase|secret|token|cookie|session_?(id|key)|otp_?key|private_?key",
    re.IGNORECASE,
)

# A username that is a phone number (self-registered people log in by their number).
PHONE_LIKE = re.compile(r"^\+?[\d\s-]{6,}$")

MAX_TEXT = 200

# Where the current request came from, for events raised far from any view (a password saved,
# an export recorded): set when a request starts, cleared when it ends (AuditConfig.ready()).
_current: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "microwish_security_request", default=None
)


def security_event(event: str, *, request=None, user=None, **fields) -> None:
    """Log one security event as a JSON line. `user` defaults to the request's."""
    line: dict[str, Any] = {
        "event": event,
        "at": timezone.localtime(timezone.now()).isoformat(timespec="milliseconds"),
    }
    if user is None and request is not None:
        user = getattr(request, "user", None)
    line.update(_who(user))
    line.update(_where(request) if request is not None else (_current.get() or {}))
    for name, value in fields.items():
        if name in line or SECRET_NAMES.search(name):
            continue
        line[name] = _plain(value)
    worrying = line.get("outcome") in WARNING_OUTCOMES or event.endswith(WARNING_ENDINGS)
    level = logging.WARNING if worrying else logging.INFO
    logger.log(level, json.dumps(line, ensure_ascii=False, default=str))


def _who(user) -> dict[str, Any]:
    if user is None or not getattr(user, "is_authenticated", False):
        return {"user_id": None}
    who: dict[str, Any] = {"user_id": user.pk}
    username = getattr(user, "username", "") or ""
    if username and not PHONE_LIKE.match(username):
        who["username"] = username[:MAX_TEXT]
    return who


def _where(request) -> dict[str, str]:
    meta = getattr(request, "META", {})
    return _place(
        client=meta.get("REMOTE_ADDR", ""),
        forwarded_for=meta.get("HTTP_X_FORWARDED_FOR", ""),
        method=getattr(request, "method", "") or "",
        path=getattr(request, "path", "") or "",
    )


def _place(*, client: str, forwarded_for: str, method: str, path: str) -> dict[str, str]:
    # The path only, never the query string: searches carry names and phone numbers.
    place = {"ip": client[:MAX_TEXT], "method": method[:10], "path": path[:MAX_TEXT]}
    if forwarded_for:
        place["forwarded_for"] = forwarded_for[:MAX_TEXT]
    return place


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    return str(value)[:MAX_TEXT]


# ----- the request behind events raised outside views ----------------------------------------


def remember_request(sender, environ=None, scope=None, **kwargs) -> None:
    """request_started: note where this request comes from (WSGI environ or ASGI scope)."""
    if environ is not None:
        place = _place(
            client=environ.get("REMOTE_ADDR", ""),
            forwarded_for=environ.get("HTTP_X_FORWARDED_FOR", ""),
            method=environ.get("REQUEST_METHOD", ""),
            path=environ.get("PATH_INFO", ""),
        )
    elif scope is not None:
        headers = dict(scope.get("headers") or [])
        client = scope.get("client") or ("", 0)
        place = _place(
            client=str(client[0]),
            forwarded_for=headers.get(b"x-forwarded-for", b"").decode("latin-1"),
            method=scope.get("method", ""),
            path=scope.get("path", ""),
        )
    else:
        place = None
    _current.set(place)


def forget_request(sender, **kwargs) -> None:
    """request_finished: nothing raised later belongs to that request."""
    _current.set(None)
