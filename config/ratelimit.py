"""Rate limits on the actions people can repeat to cause harm: registering, asking for reset
codes, submitting wishes, claiming, signing in to events (and guessing event codes), uploading.

Decided in one place: RATE_LIMITS in settings names, per action, the URLs it covers and how
many POSTs an hour one user and one address may send. Counted in the cache — Redis when
REDIS_URL is set, so every worker shares the counts — in fixed one-hour windows. Over the limit
the request is answered 429 with a plain message in the reader's language and nothing saved.
Address limits are generous: a community centre's Wi-Fi or a phone network puts many people
behind one address. Staff workbench pages are not limited (staff enter wishes by the dozen
after a visit).

(django-ratelimit answers by raising a 403 and flags a per-process cache as an error in the
system checks development runs; the counting here is a dozen lines over the cache the login
pause already uses.)
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext as _

WINDOW = 3600


def client_address(request) -> str:
    """The address of the person, not the proxy: with PROXY_COUNT proxies in front (each
    appending to X-Forwarded-For), the entry that many places from the right."""
    proxies = settings.PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _count(key: str) -> int:
    if cache.add(key, 1, WINDOW):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, WINDOW)
        return 1


def over_limit(request, action: str, limits: dict) -> bool:
    """Count this request against the action's limits; True when one of them is passed."""
    window = int(time.time() // WINDOW)
    over = False
    user = request.user
    if limits.get("per_user") and user.is_authenticated:
        over |= _count(f"rate:{action}:user:{user.pk}:{window}") > limits["per_user"]
    if limits.get("per_address"):
        address = client_address(request)
        over |= _count(f"rate:{action}:addr:{address}:{window}") > limits["per_address"]
    return over


def actions_for(request) -> list[str]:
    """The limited actions this POST counts toward: the one its URL belongs to, and "upload"
    whenever it carries files."""
    name = request.resolver_match.view_name
    found = [
        action for action, limits in settings.RATE_LIMITS.items() if name in limits.get("urls", ())
    ]
    # The CSRF check has already parsed the body, so asking for the files costs nothing more.
    if (
        "upload" in settings.RATE_LIMITS
        and request.content_type == "multipart/form-data"
        and any(request.FILES.values())
    ):
        found.append("upload")
    return found


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.resolver_match is None:
            return None
        if request.resolver_match.namespace == "api":
            return None  # the JSON API throttles its own calls (api/v1.py, API_RATES)
        if getattr(request.user, "is_community_staff", False):
            return None
        passed = [
            action
            for action in actions_for(request)
            if over_limit(request, action, settings.RATE_LIMITS[action])
        ]
        if not passed:
            return None
        from audit.security import security_event

        security_event("rate_limited", request=request, action=passed[0])
        minutes = max(1, int((WINDOW - time.time() % WINDOW) // 60) + 1)
        message = _(
            "您操作得太频繁了。为了防止有人滥用，请%(minutes)d分钟后再试。"
            "刚才填写的内容没有提交，按“返回”可以回到刚才的页面。"
        ) % {"minutes": minutes}
        response = render(request, "429.html", {"message": message}, status=429)
        response["Retry-After"] = str(minutes * 60)
        return response
