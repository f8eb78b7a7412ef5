"""Sessions read from the shared cache together with who is asking: one round trip, not two.

With REDIS_URL a signed-in request reads its session from the cache (Django's cached_db), then
its user as kept there (accounts/identity_kept.py): two round trips to Redis, about a tenth of a
millisecond each, a fifth of what a signed-in page served from the cache costs beyond an
anonymous one. A session key never changes hands (Django gives a fresh key at every login and
when signing out), so once this process has read a session it knows whose it is: the next time,
the session and that user's kept identity are read in the same round trip.

The remembered owner is a hint, never trusted: the user read is the one the session names, and
what was read with the session counts only if the session names that very user
(identity_kept.load compares them), and only as far as the generation numbers read with it say
it is current, as for any kept identity.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import cached_db
from django.core.cache import DEFAULT_CACHE_ALIAS

from config import read_ahead

from . import identity_kept

logger = logging.getLogger(__name__)

# Session key → the user it signed in, as last read by this process; the oldest are forgotten
# first. Ten thousand keys are about a megabyte.
OWNERS: dict[str, int] = {}
MAX_OWNERS = 10_000


def _remember(session_key: str, data: dict) -> None:
    try:
        user_id = int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        OWNERS.pop(session_key, None)
        return
    if OWNERS.get(session_key) == user_id:
        return
    if len(OWNERS) >= MAX_OWNERS:
        del OWNERS[next(iter(OWNERS))]
    OWNERS[session_key] = user_id


class SessionStore(cached_db.SessionStore):
    def load(self):
        identity_kept.prefetched(None)
        data = self._read()
        _remember(self.session_key, data)
        return data

    def _read(self) -> dict:
        """Django's cached_db load(), reading in the same trip the owner's kept identity and
        what this session's page read last time (config/read_ahead.py); a cache that cannot be
        reached or written is no error: the database answers."""
        key = self.cache_key
        owner, ahead = None, ()
        # Kept identities and pages live in the default cache: with sessions elsewhere, apart.
        if settings.SESSION_CACHE_ALIAS == DEFAULT_CACHE_ALIAS:
            owner = OWNERS.get(self.session_key) if identity_kept.enabled() else None
            ahead = read_ahead.keys_for(self.session_key)
        identity = identity_kept.keys(owner) if owner is not None else []
        reachable = True
        try:
            if not identity and not ahead:
                data = self._cache.get(key)
            else:
                found = self._cache.get_many([key, *identity, *ahead])
                data = found.pop(key, None)
                if data is not None:
                    if owner is not None:
                        identity_kept.prefetched(owner, found)
                    read_ahead.read(ahead, found)
        except Exception:
            logger.exception("sessions: the cache could not be read")
            data, reachable = None, False
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        if reachable:
            try:
                self._cache.set(key, data, self.get_expiry_age(expiry=stored.expire_date))
            except Exception:
                logger.exception("sessions: the cache could not be written")
        return data

    def delete(self, session_key=None):
        OWNERS.pop(session_key or self.session_key, None)
        super().delete(session_key)
