"""Who is asking, kept in the shared cache between requests.

Every signed-in request reads its user with their identity (accounts/identity.py) in one
statement: about half a millisecond on the 2-core host, the largest single cost of a page served
from the cache and of a volunteer told 409 when everyone claims at once. With a cache every
worker shares (IDENTITY_KEPT, on with REDIS_URL) the user read is kept there, and read back in
the same round trip as two generation numbers, everyone's and the user's own: it counts only
while both are still what they were before it was read from the database.

What moves them on, once a transaction commits (and at once, so a read in between is not kept
under the new number):
- everyone's: any write to a table the access rules are read from (users, staff roles,
  registrations, residents, volunteer profiles, organisations' communities), whatever makes
  it — a model's save, a queryset's update(), bulk_create, a cascade, a migration, raw SQL
  through Django's connection. A wrapper around every statement the connections run sees it
  (`watch`), so no code path can forget to; these writes are rare (a role, a registration, a
  sign-in), and each costs every reader one database read;
- a user's own: a notice made for them or read by them (the unread count on the menu), from
  the notices' queryset and signals (notices/models.py), as notices are written on every move;
  a notice deleted (rare: a wish erased, say) moves everyone's on, seen as a statement.

So a role taken away, a registration refused or an account switched off counts on the very next
request, as before. Not kept: a read inside a transaction (it may see writes that are rolled
back). A change made outside the app (psql) counts within IDENTITY_KEPT_SECONDS. If the cache
cannot be reached, the user is read from the database.

The password hash is not kept: the user comes back with it deferred (read from the database if
anything asks) and with the session's hash of it computed before it was left out.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import connections

from config import generations

logger = logging.getLogger(__name__)

EVERYONE = "identity-gen:everyone"
PREFIX = "identity:"

# The tables the identity is read from, but the notices (per user, below), and the tables of
# which only a delete counts (the notices). Filled in by AccountsConfig.ready() from the models,
# so a renamed table cannot slip out.
TABLES: frozenset[str] = frozenset()
DELETED: frozenset[str] = frozenset()

_WRITE = re.compile(
    r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:ONLY\s+)?"?(\w+)"?', re.IGNORECASE
)
_WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCA", "ALTER ", "DROP T")


def enabled(using: str = "default") -> bool:
    return settings.IDENTITY_KEPT and not connections[using].in_atomic_block


def _own(user_id: int) -> str:
    return f"identity-gen:{user_id}"


def _key(user_id: int) -> str:
    return f"{PREFIX}{_fingerprint()}:{user_id}"


_FINGERPRINT: dict[str, str] = {}


def _fingerprint() -> str:
    """What a kept user depends on besides the data: the secret its session hash is made
    with, and the shape of the user and identity (a deploy that changes them starts afresh)."""
    secret = settings.SECRET_KEY
    found = _FINGERPRINT.get(secret)
    if found is None:
        from accounts.models import User

        from .identity import Identity

        shape = [f.attname for f in User._meta.concrete_fields]
        shape += list(Identity.__dataclass_fields__)
        found = hashlib.sha256(repr((secret, shape)).encode()).hexdigest()[:16]
        _FINGERPRINT.clear()
        _FINGERPRINT[secret] = found
    return found


def keys(user_id: int) -> list[str]:
    """What load() reads for a user, in one round trip."""
    return [_key(user_id), _own(user_id), EVERYONE]


# What the request's session store read for its user along with the session
# (accounts/session_store.py): (user id, what the cache held under keys(user id)).
_PREFETCHED: ContextVar[tuple[int, dict] | None] = ContextVar("identity_prefetched", default=None)


def prefetched(user_id: int | None, found: dict | None = None) -> None:
    """The session store read keys(user_id) with the session (or nothing, with None): the
    request's next load() of that very user uses it instead of asking the cache again."""
    _PREFETCHED.set(None if user_id is None else (user_id, found))


def load(user_id: int, using: str, read: Callable[[int, str], object]):
    """The user as `read(user_id, using)` gives them, from the cache while it is current."""
    key, own = _key(user_id), _own(user_id)
    early = _PREFETCHED.get()
    if early is not None:
        _PREFETCHED.set(None)  # once: a later load in the request asks the cache itself
    try:
        if early is not None and early[0] == user_id:
            found = early[1]
        else:
            found = cache.get_many([key, own, EVERYONE])
        numbers = (found.get(own), found.get(EVERYONE))
        kept = found.get(key)
        if None not in numbers and kept is not None and kept[0] == numbers:
            user = kept[1]
            # What it was kept under: whatever is worked out from this user alone may be
            # remembered under these numbers (wishes/pages.py, the key of a kept page).
            user.kept_numbers = numbers
            return user
        if None in numbers:  # a number forgotten, or this user's never started: start them
            started = generations.current_many([k for k in (own, EVERYONE) if k not in found])
            numbers = (found.get(own, started.get(own)), found.get(EVERYONE, started.get(EVERYONE)))
    except Exception:  # the cache is down: the database answers, as without one
        logger.exception("who is asking: the cache could not be read")
        return read(user_id, using)
    user = read(user_id, using)
    if user is not None:
        _keep(key, numbers, user)
    return user


def _keep(key: str, numbers: tuple, user) -> None:
    """Kept under the numbers read before the user was: without its password hash, with the
    session's hash of it."""
    user._kept_session_auth_hash = user.get_session_auth_hash()
    missing = object()
    password = user.__dict__.pop("password", missing)
    try:
        cache.set(key, (numbers, user), settings.IDENTITY_KEPT_SECONDS)
    except Exception:
        logger.exception("who is asking: the cache could not be written")
    finally:
        if password is not missing:
            user.password = password
        del user._kept_session_auth_hash


# ----- moving the numbers on --------------------------------------------------------------------


def forget_everyone(using: str = "default") -> None:
    """Every kept user is read again, now and once the transaction commits."""
    _moved_on([EVERYONE], using)


def forget(user_ids: Iterable[int | None], using: str = "default") -> None:
    """These users are read again, now and once the transaction commits."""
    keys = sorted({_own(pk) for pk in user_ids if pk is not None})
    if keys:
        _moved_on(keys, using)


def _moved_on(keys: list[str], using: str) -> None:
    if not settings.IDENTITY_KEPT:
        return
    _PREFETCHED.set(None)  # read before this write: not current any more
    try:
        generations.move_on(keys, using)
    except Exception:
        logger.exception("who is asking: a generation could not be moved on")


def writes_identity(sql) -> bool:
    """Whether a statement may change what an identity is read from."""
    if not isinstance(sql, str):
        return False
    head = sql.lstrip()[:6].upper()
    if not head.startswith(_WRITES):
        return False
    match = _WRITE.match(sql)
    if match is not None:
        table = match.group(1).lower()
        return table in TABLES or (head == "DELETE" and table in DELETED)
    # TRUNCATE of several tables, ALTER TABLE, DROP TABLE: any of ours named anywhere.
    lowered = sql.lower()
    return any(table in lowered for table in TABLES | DELETED)


def watch(execute, sql, params, many, context):
    """A connection's execute wrapper: after a statement that writes the identity's tables,
    everyone's number is moved on."""
    result = execute(sql, params, many, context)
    if settings.IDENTITY_KEPT and writes_identity(sql):
        forget_everyone(context["connection"].alias)
    return result


def watch_connection(sender, connection, **kwargs) -> None:
    """connection_created: every database connection is watched."""
    if watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch)
