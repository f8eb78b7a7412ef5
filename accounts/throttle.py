"""Slow down password guessing: a few wrong passwords for one account, then a pause.

Counted per account — its username and its phone number are one account, however typed — in
the cache, so it holds across workers when the cache is shared (REDIS_URL in production). Every
way in asks the same counter: the site's login and the admin's (accounts/forms.py). Per-address
limits are left to the proxy: behind it every request comes from the same address.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def accounts_typed(typed: str):
    """The accounts a login or reset form's "phone or username" can name: the username in any
    case, or the number with spaces and dashes dropped."""
    from django.db.models import Q

    from .models import User

    text = (typed or "").strip()
    if not text:
        return User.objects.none()
    compact = text.replace(" ", "").replace("-", "")
    return User.objects.filter(Q(username__iexact=text) | Q(phone=compact) | Q(username=compact))


def account_key(typed: str) -> str:
    """One key per account: "user:42" whether 42's username or phone was typed; a hash of the
    text when no account has it, so guessing at names that do not exist is counted too,
    without storing what was typed."""
    user_pk = accounts_typed(typed).values_list("pk", flat=True).first()
    if user_pk is not None:
        return f"user:{user_pk}"
    return hashlib.sha256((typed or "").strip().lower().encode()).hexdigest()[:32]


class LoginAttempts:
    """Failures for one account at one door. Passwords and two-factor codes share the "login"
    door; reset codes by SMS count at their own, so someone guessing at a password cannot stop
    the owner from resetting it (and a reset lifts the login pause)."""

    def __init__(self, username: str, door: str = "login"):
        self.account = account_key(username)
        self.key = f"{door}-failures:{self.account}"
        self.login_key = f"login-failures:{self.account}"

    @property
    def user_id(self) -> int | None:
        """The account's user id; None when no account has the name or number typed."""
        kind, _sep, pk = self.account.partition(":")
        return int(pk) if kind == "user" else None

    def failures(self) -> int:
        return cache.get(self.key, 0)

    @property
    def limit(self) -> int:
        return settings.LOGIN_FAILURE_LIMIT

    @property
    def window(self) -> int:
        return settings.LOGIN_FAILURE_WINDOW_MINUTES * 60

    def blocked(self) -> bool:
        return self.failures() >= self.limit

    def failed(self) -> None:
        # add() starts the window at the first failure; incr() never extends it.
        if not cache.add(self.key, 1, self.window):
            try:
                cache.incr(self.key)
            except ValueError:  # expired between add() and incr()
                cache.add(self.key, 1, self.window)

    def succeeded(self) -> None:
        cache.delete_many([self.key, self.login_key])
