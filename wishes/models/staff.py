"""What community staff keep besides wishes: reusable rejection reasons, notices to people."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Community

logger = logging.getLogger(__name__)


class RejectionReason(models.Model):
    """A reason a community often gives when a wish cannot be accepted, picked in one tap."""

    community = models.ForeignKey(
        Community, models.CASCADE, related_name="rejection_reasons", verbose_name=_("社区")
    )
    text = models.CharField(_("原因"), max_length=200)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("常用不予通过原因")
        verbose_name_plural = _("常用不予通过原因")
        ordering = ["community", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "text"], name="unique_reason_per_community"
            )
        ]

    def __str__(self) -> str:
        return self.text


DEFAULT_REJECTION_REASONS = [
    "微心愿不提供现金，如有生活困难请向社区申请临时救助。",
    "心愿超出微心愿的范围（一般在500元以内），社区会协助您通过其他渠道解决。",
    "描述不够清楚，请补充需要的物品数量、规格或具体位置后重新提交。",
    "与您已提交的心愿重复。",
]


class NoticeQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notice(models.Model):
    """A message to one person in the app (and by email when they have one)."""

    class Kind(models.TextChoices):
        REMIND = "remind", _("催办")
        RELEASED = "released", _("认领已释放")
        ESCALATED = "escalated", _("长期未认领")
        DISPATCHED = "dispatched", _("新派单")
        DECLINED = "declined", _("派单被退回")
        OTHER = "other", _("其他")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="notices", verbose_name=_("接收人")
    )
    wish = models.ForeignKey(
        "wishes.Wish",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("心愿"),
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.OTHER)
    text = models.CharField(_("内容"), max_length=500)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_inbox_idx")]

    def __str__(self) -> str:
        return self.text

    @classmethod
    def send(
        cls, users: Iterable, text: str | Callable[[Any], str], *, kind: str, wish=None
    ) -> list[Notice]:
        """Notify each user once; `text` may be a function of the recipient, so each reads only
        what they may (a wish's title with typed numbers masked, say).

        Mail goes out after the surrounding transaction commits, one message per recipient:
        nobody sees who else was told.
        """
        recipients = {user.pk: user for user in users if user is not None}
        notices = [
            cls(
                user=user, wish=wish, kind=kind, text=(text(user) if callable(text) else text)[:500]
            )
            for user in recipients.values()
        ]
        cls.objects.bulk_create(notices)
        mails = [(notice.user.email, notice.text) for notice in notices if notice.user.email]
        if mails:
            transaction.on_commit(lambda: _mail(mails))
        return notices


def _mail(mails: list[tuple[str, str]]) -> None:
    for email, text in mails:
        try:
            send_mail("【微心愿】" + text[:40], text, None, [email])
        except Exception:  # a mail outage must not undo the work that triggered it
            logger.exception("could not email a notice")
