"""Registering and changing a number take a code from an SMS: helpers that read it from the
test SMS outbox (notices.channels.LocmemSmsBackend) and type it in, as the person would."""

import re

from django.urls import reverse

from notices.channels import LocmemSmsBackend

REGISTER = reverse("accounts:register")
REGISTER_CODE = reverse("accounts:register_code")
PHONE_CODE = reverse("accounts:phone_code")


def messages_to(phone: str) -> list[str]:
    return [text for to, text in LocmemSmsBackend.outbox if to == phone]


def code_sent_to(phone: str, *, since: int = 0) -> str | None:
    """The six digits of the last code sent to this number (after the first `since` messages
    of the outbox), if any was."""
    for text in reversed([text for to, text in LocmemSmsBackend.outbox[since:] if to == phone]):
        if found := re.search(r"验证码是(\d{6})", text):
            return found[1]
    return None


def register(client, data: dict, *, follow: bool = False):
    """The sign-up form, then the code from the SMS. A form with errors answers as it is; so
    does a taken number, which gets no code (the code page is the answer)."""
    sent = len(LocmemSmsBackend.outbox)
    response = client.post(REGISTER, data)
    if response.status_code != 302 or response.url != REGISTER_CODE:
        return response
    code_page = client.get(REGISTER_CODE)  # as the browser follows, showing the "sent" message
    code = code_sent_to(client.session["registration_pending"]["phone"], since=sent)
    if code is None:
        return code_page if follow else response
    return client.post(REGISTER_CODE, {"code": code}, follow=follow)


def change_phone(client, data: dict, *, follow: bool = False):
    """The profile form; if it asks for a new number's code, the code from the SMS."""
    sent = len(LocmemSmsBackend.outbox)
    response = client.post(reverse("accounts:profile"), data)
    if response.status_code != 302 or response.url != PHONE_CODE:
        return response
    client.get(PHONE_CODE)
    code = code_sent_to(client.session["phone_change_pending"], since=sent)
    if code is None:
        return response
    return client.post(PHONE_CODE, {"code": code}, follow=follow)
