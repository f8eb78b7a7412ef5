"""Six-digit codes sent by SMS (or e-mail) to prove someone holds a phone: to reset a forgotten
password, to register a number, and to move an account to a new number.

A code lives in the cache (Redis in production, so every worker sees it) for CODE_MINUTES, only
as a keyed hash; five wrong tries and it is gone. One code per purpose and account a minute, so
nobody can use the site to flood a phone with messages.
"""

from __future__ import annotations

import secrets

from django.core.cache import cache
from django.core.mail import send_mail
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from notices.channels import sms_backend

CODE_MINUTES = 15
MAX_TRIES = 5
RESEND_SECONDS = 60


class OneTimeCode:
    def __init__(self, purpose: str, key: str):
        self.purpose = purpose
        self.key = f"code:{purpose}:{key}"

    def _hash(self, code: str) -> str:
        return salted_hmac(self.key, code, algorithm="sha256").hexdigest()

    def may_send(self) -> bool:
        """At most one message a minute for this purpose and account."""
        return cache.add(self.key + ":sent", 1, RESEND_SECONDS)

    def issue(self) -> str:
        code = f"{secrets.randbelow(1_000_000):06d}"
        cache.set(self.key, {"hash": self._hash(code), "tries": 0}, CODE_MINUTES * 60)
        return code

    def discard(self) -> None:
        """No code is valid until the next one is issued."""
        cache.delete(self.key)

    def check(self, code: str) -> bool:
        """True once for the right code; a wrong one uses up one of the tries."""
        stored = cache.get(self.key)
        code = "".join((code or "").split())
        if stored is None:
            return False
        if constant_time_compare(stored["hash"], self._hash(code)):
            cache.delete(self.key)
            return True
        stored["tries"] += 1
        if stored["tries"] >= MAX_TRIES:
            cache.delete(self.key)
        else:
            cache.set(self.key, stored, CODE_MINUTES * 60)
        return False


def send_text(user, text: str, *, phone: str | None = None) -> None:
    """By SMS to the phone (or the user's), else by e-mail; the words in the user's language."""
    phone = phone or (user.phone if user is not None else None)
    if phone:
        sms_backend().send(phone, text)
    elif user is not None and user.email:
        send_mail(_("【微心愿】验证码"), text, None, [user.email])


def in_language_of(user):
    language = getattr(user, "language", "") or translation.get_language()
    return translation.override(language)
