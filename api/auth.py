"""Who calls the API: an app with a person's token (`Authorization: Bearer mw_…`), or the site's
own pages with their session (CSRF-checked, and with the second factor staff must have)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from accounts.two_factor import required_for, session_has_authenticator

from .models import PREFIX, ApiToken, digest_of
from .problems import Problem

# last_used_at is written at most this often per token: not a write on every call.
TOUCH_EVERY = datetime.timedelta(minutes=5)


class TokenAuth(HttpBearer):
    """A token made on the profile page: not revoked, not expired, its person still active."""

    def authenticate(self, request, token: str):
        if not token.startswith(PREFIX) or len(token) > 100:
            return None
        row = (
            ApiToken.objects.usable()
            .select_related("user", "user__resident", "user__volunteer_profile")
            .filter(digest=digest_of(token))
            .first()
        )
        if row is None or not row.user.is_active:
            return None
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        user = row.user
        user._scope_per_request = True  # one access scope for the call (accounts/scoping.py)
        request.user = user
        request.api_token = row
        return user


class SiteSessionAuth(SessionAuth):
    """The site's session, as its pages have it: a password-only staff session that still owes
    its second factor is not signed in here either."""

    def authenticate(self, request, key):
        user = request.user
        if not user.is_authenticated:
            return None
        if not user.is_verified() and (session_has_authenticator(request) or required_for(user)):
            return None
        request.api_token = None
        return user


def require_write(request) -> None:
    """Changes need a read-write token (or the site's own session)."""
    token = getattr(request, "api_token", None)
    if token is not None and not token.can_write:
        raise Problem(
            403,
            "read_only_token",
            _("这个令牌是只读的，不能用来修改。请在个人资料页新建一个读写令牌。"),
        )


AUTH = [TokenAuth(), SiteSessionAuth()]
