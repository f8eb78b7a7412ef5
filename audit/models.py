"""Who looked at or handled residents' personal data: an append-only record (PIPL).

Every view or export of a resident's contact details by someone other than the resident, every
export of everything held about a resident, every erasure and every decision on an
organisation's membership lands here. Staff of the resident's community read it; nobody edits
or deletes it: the model refuses, and so does PostgreSQL (audit/history.py). Its foreign keys
PROTECT, so deleting a person, a wish or a grid cannot empty a column here either.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .history import append_only


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CONTACT_VIEWED = "contact_viewed", _("查看联系方式")
        CONTACT_EXPORTED = "contact_exported", _("导出联系方式")
        RESIDENT_EXPORTED = "resident_exported", _("导出居民全部信息")
        RESIDENT_ERASED = "resident_erased", _("删除居民个人信息")
        MEMBERSHIP_CONFIRMED = "membership_confirmed", _("确认单位成员")
        MEMBERSHIP_REFUSED = "membership_refused", _("不确认单位成员")
        PASSWORD_RESET = "password_reset", _("设置临时密码")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    action = models.CharField(_("操作"), max_length=30, choices=Action.choices)
    resident = models.ForeignKey(
        "accounts.Resident",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("居民"),
    )
    wish = models.ForeignKey(
        "wishes.Wish",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("心愿"),
    )
    # Kept apart from the resident so the entry stays scoped after an erasure.
    community = models.ForeignKey(
        "communities.Community",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("社区"),
    )
    grid = models.ForeignKey(
        "communities.Grid",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("网格"),
    )
    subject = models.CharField(_("对象"), max_length=200, blank=True)
    how = models.CharField(_("途径"), max_length=50, blank=True)
    reason = models.TextField(_("原因"), blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("访问与操作记录")
        verbose_name_plural = _("访问与操作记录")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["resident", "created_at"], name="audit_resident_idx")]
        triggers = append_only()  # PostgreSQL refuses UPDATE and DELETE (audit/history.py)

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} · {self.actor} · {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("An audit entry is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("An audit entry is never deleted.")

    HOW_LABELS = {
        "wish_page": _("心愿页面"),
        "claims_page": _("我的认领"),
        "staff_wish_page": _("工作台心愿页"),
        "resident_page": _("居民档案"),
        "admin": _("管理后台"),
        "export_wishes": _("导出心愿表"),
        "json": "JSON",
        "xlsx": "Excel",
        "staff": _("工作台"),
    }

    @property
    def how_display(self) -> str:
        return str(self.HOW_LABELS.get(self.how, self.how))

    @property
    def actor_display(self) -> str:
        return str(self.actor) if self.actor_id else str(_("系统"))
