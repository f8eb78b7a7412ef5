"""Notices: what the programme tells a person, kept as a kind plus parameters, rendered in the
reader's language when shown or sent; the deliveries that carry them by e-mail or SMS; the
daily digests; and each person's choices about how they hear of each kind."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts import identity_kept

from . import messages

# What of a notice counts towards its reader's unread number on the menu, which is kept with
# who they are (accounts/identity_kept.py): writing these moves its reader on.
COUNTED = frozenset({"user", "user_id", "read_at"})


class NoticeQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    # Writes that send no signals tell the kept identities themselves (saves through the
    # receiver in notices/signals.py, deletes seen as statements by accounts/identity_kept.py).
    def bulk_create(self, objs, *args, **kwargs):
        made = super().bulk_create(objs, *args, **kwargs)
        identity_kept.forget((notice.user_id for notice in made), self.db)
        return made

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        done = super().bulk_update(objs, fields, *args, **kwargs)
        if COUNTED.intersection(fields):
            identity_kept.forget((notice.user_id for notice in objs), self.db)
        return done

    def update(self, **kwargs):
        if not (settings.IDENTITY_KEPT and COUNTED.intersection(kwargs)):
            return super().update(**kwargs)
        readers = set(self.values_list("user_id", flat=True))
        moved_to = kwargs.get("user_id", kwargs.get("user"))
        if moved_to is not None:  # notices given to someone else: theirs now
            readers.add(getattr(moved_to, "pk", moved_to))
        done = super().update(**kwargs)
        identity_kept.forget(readers, self.db)
        return done


class Notice(models.Model):
    """One thing one person was told, in the app (and by e-mail or SMS as they chose)."""

    class Mode(models.TextChoices):
        IN_APP = "in_app", _("只在应用里提醒")
        NOW = "now", _("立即发送")
        DIGEST = "digest", _("每日汇总")

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
    kind = models.CharField(_("类型"), max_length=30)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    # Notices from before kinds had parameters kept their words here; new ones leave it empty.
    text = models.CharField(_("内容"), max_length=500, blank=True)
    mode = models.CharField(_("发送方式"), max_length=10, choices=Mode.choices, default=Mode.IN_APP)
    digest = models.ForeignKey(
        "notices.Digest",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("每日汇总"),
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        db_table = "wishes_notice"  # moved from the wishes app; the table stayed
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notice_inbox_idx"),
            models.Index(fields=["user", "mode", "digest"], name="notice_digest_idx"),
        ]

    def __str__(self) -> str:
        return self.render()

    @property
    def message(self) -> messages.Message | None:
        return messages.KINDS.get(self.kind)

    @property
    def kind_label(self) -> str:
        message = self.message
        return str(message.label) if message else str(_("通知"))

    def render(self, language: str | None = None) -> str:
        """The notice's words, in `language` (default: the language now active)."""
        message = self.message
        if message is None or (self.text and not self.params):
            return self.text
        if language is None:
            return message.render(self.params)
        with translation.override(language):
            return message.render(self.params)

    def subject(self, language: str | None = None) -> str:
        with translation.override(language or translation.get_language()):
            message = self.message
            return str(message.subject if message else _("通知"))

    def link(self) -> str:
        """Where the person acts on this notice (a path that works for them)."""
        message = self.message
        return message.link(self) if message else ""


class Preference(models.Model):
    """How one person hears of one kind of notice (the kind's default when there is none)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="notice_preferences",
        verbose_name=_("用户"),
    )
    kind = models.CharField(_("通知类型"), max_length=30)
    mode = models.CharField(_("方式"), max_length=10, choices=Notice.Mode.choices)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind} · {self.get_mode_display()}"


class Channels(models.Model):
    """Which channels besides the app reach this person (the app always does)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="notice_channels",
        verbose_name=_("用户"),
    )
    email = models.BooleanField(_("电子邮件"), default=True)
    sms = models.BooleanField(_("短信"), default=False)

    class Meta:
        verbose_name = _("通知渠道")
        verbose_name_plural = _("通知渠道")

    def __str__(self) -> str:
        return str(self.user)


class Delivery(models.Model):
    """One notice on its way by one channel: sent, still trying, or given up (and why)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("电子邮件")
        SMS = "sms", _("短信")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    notice = models.ForeignKey(
        Notice, models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    digest = models.ForeignKey(
        "notices.Digest", models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("发送到"), max_length=254)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近的错误"), blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知发送")
        verbose_name_plural = _("通知发送")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(notice__isnull=False) | models.Q(digest__isnull=False),
                name="delivery_carries_something",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address} · {self.get_status_display()}"


class Digest(models.Model):
    """One person's daily summary: made once per day, however often the command runs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="digests", verbose_name=_("用户")
    )
    day = models.DateField(_("日期"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("每日汇总")
        verbose_name_plural = _("每日汇总")
        ordering = ["-day", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_digest_a_day")]

    def __str__(self) -> str:
        return f"{self.user} · {self.day}"
