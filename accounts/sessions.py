"""How long a sign-in lasts: an idle limit by role and an absolute limit for everyone.

Django already gives a fresh session key at login and ends a user's other sessions when the
password changes (the session holds a hash of the password). This adds the two clocks the
settings describe (SESSION_IDLE_STAFF_MINUTES, SESSION_IDLE_MINUTES, SESSION_COOKIE_AGE):
the session remembers when it signed in and when it was last used, and a request past either
limit is signed out, with a word about why, and sent to the login page.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

from .scoping import scope_of

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN = "last_seen"
# Writing the session on every request would cost a database write each time: the idle clock
# is moved on at most once a minute.
TICK = 60


def idle_limit(user) -> int:
    minutes = (
        settings.SESSION_IDLE_STAFF_MINUTES
        if scope_of(user).is_staff or user.is_staff
        else settings.SESSION_IDLE_MINUTES
    )
    return minutes * 60


class SessionClocksMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            signed_in = session.setdefault(SIGNED_IN_AT, now)
            last_seen = session.get(LAST_SEEN, now)
            if now - signed_in > settings.SESSION_COOKIE_AGE:
                days = max(settings.SESSION_COOKIE_AGE // 86400, 1)
                why = _("登录已超过%(days)d天，为了安全请重新登录。") % {"days": days}
                return self._sign_out(request, why)
            if now - last_seen > idle_limit(user):
                why = _("您有一段时间没有操作，为了安全已自动退出，请重新登录。")
                return self._sign_out(request, why)
            if now - last_seen >= TICK or LAST_SEEN not in session:
                session[LAST_SEEN] = now
        return self.get_response(request)

    @staticmethod
    def _sign_out(request, why: str):
        path = request.get_full_path()
        logout(request)
        messages.info(request, why)
        return redirect_to_login(path)


def start_clocks(sender, request, user, **kwargs):
    """At every login (a fresh session key already): both clocks start now."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now


class PasswordChangeRequiredMiddleware:
    """After staff set a temporary password, its owner chooses their own before anything else
    (the temporary one passed through someone else's hands)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.must_change_password:
            from django.shortcuts import redirect
            from django.urls import reverse

            open_paths = {reverse("accounts:password_change"), reverse("accounts:logout")}
            if request.path_info not in open_paths and not request.path_info.startswith(
                (settings.STATIC_URL, "/i18n/")
            ):
                messages.info(
                    request, _("您现在用的是社区工作人员设的临时密码，请先设一个自己的新密码。")
                )
                return redirect("accounts:password_change")
        return self.get_response(request)
