"""Slow down password guessing: a few wrong passwords for one account, then a pause.

Counted per account (the phone number or username typed), in the cache, so it holds across
workers when the cache is shared (REDIS_URL in production). Per-address limits are left to the
proxy: behind it every request comes from the same address.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


class LoginAttempts:
    def __init__(self, username: str):
        digest = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()[:32]
        self.key = f"login-failures:{digest}"

    @property
    def limit(self) -> int:
        return settings.LOGIN_FAILURE_LIMIT

    @property
    def window(self) -> int:
        return settings.LOGIN_FAILURE_WINDOW_MINUTES * 60

    def blocked(self) -> bool:
        return cache.get(self.key, 0) >= self.limit

    def failed(self) -> None:
        # add() starts the window at the first failure; incr() never extends it.
        if not cache.add(self.key, 1, self.window):
            try:
                cache.incr(self.key)
            except ValueError:  # expired between add() and incr()
                cache.add(self.key, 1, self.window)

    def succeeded(self) -> None:
        cache.delete(self.key)
