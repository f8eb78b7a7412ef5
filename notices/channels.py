"""How a notice leaves the app: e-mail and SMS behind one interface.

A channel takes a delivery and sends it, raising if it could not; the task (notices/tasks.py)
records the outcome and tries again later. An SMS provider adapter implements `SmsBackend.send`;
the default backend only writes the message to the log (no provider is reachable from here).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .models import Delivery, Notice

logger = logging.getLogger(__name__)


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def language_of(user) -> str:
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def open_link(notice: Notice) -> str:
    """Through /notices/<pk>/: marks it read, then on to where the person acts."""
    return absolute(reverse("notices:open", args=[notice.pk]))


class Content:
    """What one delivery says, in its reader's language."""

    def __init__(self, delivery: Delivery):
        self.delivery = delivery
        self.notice = delivery.notice
        self.digest = delivery.digest
        self.user = (self.notice or self.digest).user
        self.language = language_of(self.user)

    def items(self) -> list[tuple[str, str]]:
        notices = [self.notice] if self.notice else list(self.digest.notices.order_by("pk"))
        return [(notice.render(), open_link(notice)) for notice in notices]

    def subject(self) -> str:
        if self.notice is not None:
            return str(self.notice.message.subject) if self.notice.message else _("【微心愿】通知")
        return _("【微心愿】今日通知汇总（%(n)d条）") % {"n": self.digest.notices.count()}


class EmailChannel:
    """One message per recipient: plain text with a simple HTML part and a link back."""

    def send(self, delivery: Delivery) -> None:
        content = Content(delivery)
        with translation.override(content.language):
            context = {
                "items": content.items(),
                "digest": content.digest is not None,
                "name": content.user.display_name,
                "settings_url": absolute(reverse("notices:settings")),
            }
            subject = content.subject()
            text = render_to_string("notices/email.txt", context)
            html = render_to_string("notices/email.html", context)
        message = EmailMultiAlternatives(subject, text, None, [delivery.address])
        message.attach_alternative(html, "text/html")
        message.send()


class SmsBackend:
    """What an SMS provider adapter implements."""

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class LoggingSmsBackend(SmsBackend):
    """No provider: the message goes to the log, so development and tests can see it."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone[:3] + "****" + phone[-4:], text)


class LocmemSmsBackend(SmsBackend):
    """For tests: messages are kept in `outbox`, like Django's locmem e-mail backend."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        LocmemSmsBackend.outbox.append((phone, text))


class SmsChannel:
    """Short: the notice's words (or a count for a digest) and one link."""

    def send(self, delivery: Delivery) -> None:
        content = Content(delivery)
        with translation.override(content.language):
            if content.notice is not None:
                words, link = content.items()[0]
            else:
                words = _("您有%(n)d条微心愿通知。") % {"n": len(content.items())}
                link = absolute(reverse("notices:list"))
            text = _("【微心愿】%(words)s %(link)s") % {"words": words, "link": link}
        sms_backend().send(delivery.address, text)


def sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


CHANNELS = {"email": EmailChannel(), "sms": SmsChannel()}
