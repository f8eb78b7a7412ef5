"""Security events from Django's own signals: logins, failures, logouts, password changes
(audit/security.py writes the lines; AuditConfig.ready() connects these)."""

from __future__ import annotations

from .security import security_event


def logged_in(sender, request, user, **kwargs) -> None:
    security_event("login", request=request, user=user, outcome="success")


def login_failed(sender, credentials, request=None, **kwargs) -> None:
    """A wrong password (or no such account). Never what was typed: the account's id if one
    has that name or number, and how many failures it has now, this one included."""
    from accounts.throttle import LoginAttempts

    attempts = LoginAttempts((credentials or {}).get("username", ""))
    failures = attempts.failures() + 1  # counted by ThrottledLogin after this signal
    security_event(
        "login_failed",
        request=request,
        outcome="failure",
        account=attempts.user_id,
        throttled=False,
        failures=failures,
        pauses_account=failures >= attempts.limit,
    )


def logged_out(sender, request, user, **kwargs) -> None:
    security_event("logout", request=request, user=user, outcome="success")


def password_saved(sender, instance, created, **kwargs) -> None:
    """set_password() then save(): a change, by the person, by staff in the admin, or by a
    reset. Not a new account's first password, nor a hash upgraded at login."""
    if created or getattr(instance, "_password", None) is None:
        return
    security_event("password_changed", user=instance, outcome="success")
