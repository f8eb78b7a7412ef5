"""Tokens for apps (a WeChat mini-program, a city platform) calling the API as a person.

A token is shown once, when it is made; only its SHA-256 digest is kept (a token is 32 random
bytes: a slow hash adds nothing). Each is read-only or read-write, expires, and can be revoked
from the profile page; its prefix names it there and in the security log.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PREFIX = "mw_"


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", _("只读")
        WRITE = "write", _("读写")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("用户"),
    )
    name = models.CharField(_("名称"), max_length=50, help_text=_("用在哪里，如“社区小程序”。"))
    scope = models.CharField(_("权限"), max_length=8, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField(_("开头"), max_length=16)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user, *, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
        """A new token for `user`: the row, and the token itself (shown once, never stored)."""
        token = PREFIX + secrets.token_urlsafe(32)
        row = cls.objects.create(
            user=user,
            name=name,
            scope=scope,
            prefix=token[:10],
            digest=digest_of(token),
            expires_at=timezone.now() + datetime.timedelta(days=days),
        )
        return row, token

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE
