"""What happens to a wish, kept as records: claims, the timeline, photos."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.history import append_only
from communities.models import Organisation

from ..images import random_name, sanitised_if_new
from ..lifecycle import MOVES, Audience, Status, WishError
from ..validators import validate_photo


class Claim(models.Model):
    """Who holds a wish: a volunteer's claim, or a dispatch to a volunteer or an organisation.

    At most one claim per wish is open (offered or active) at a time, enforced by the database.
    Finished claims stay as the record of who fulfilled what.
    """

    class State(models.TextChoices):
        OFFERED = "offered", _("待接单")
        ACTIVE = "active", _("进行中")
        FULFILLED = "fulfilled", _("已兑现")
        DECLINED = "declined", _("已退回")
        RELEASED = "released", _("已放弃")
        CANCELLED = "cancelled", _("已取消")

    OPEN_STATES = (State.OFFERED, State.ACTIVE)

    wish = models.ForeignKey(
        "wishes.Wish", models.CASCADE, related_name="claims", verbose_name=_("心愿")
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("志愿者"),
    )
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("单位/党支部"),
    )
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("派单人"),
    )
    state = models.CharField(_("状态"), max_length=10, choices=State.choices)
    due_date = models.DateField(_("完成期限"), null=True, blank=True)
    note = models.TextField(_("派单说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("最近催办"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    end_reason = models.TextField(_("结束原因"), blank=True)

    class Meta:
        verbose_name = _("认领/派单")
        verbose_name_plural = _("认领/派单")
        ordering = ["-created_at"]
        indexes = [
            # 我的认领 and the home page: a volunteer's open claims and their branch's, nearest
            # due date first — read in order however many the branch holds.
            models.Index(
                fields=["volunteer", "due_date", "created_at", "id"],
                condition=Q(state__in=["offered", "active"]),
                name="claim_volunteer_open_idx",
            ),
            models.Index(
                fields=["organisation", "due_date", "created_at", "id"],
                condition=Q(state__in=["offered", "active"]),
                name="claim_organisation_open_idx",
            ),
            # …and how many of a branch's open claims are in each state, from the index alone.
            models.Index(
                fields=["organisation", "state", "volunteer"],
                condition=Q(state__in=["offered", "active"]),
                name="claim_organisation_state_idx",
            ),
            # The statistics count claims accepted in a period (outcomes/figures.py).
            models.Index(fields=["accepted_at"], name="claim_accepted_idx"),
            # 逾期: the open claims in the overdue page's order.
            models.Index(
                fields=["due_date", "accepted_at", "created_at", "id"],
                condition=Q(state__in=["offered", "active"]),
                name="claim_open_due_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["wish"],
                condition=Q(state__in=["offered", "active"]),
                name="one_open_claim_per_wish",
                violation_error_message=_("这个心愿已经有人认领了。"),
            ),
            models.CheckConstraint(
                condition=Q(volunteer__isnull=False) | Q(organisation__isnull=False),
                name="claim_has_holder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wish} · {self.holder_display}"

    def holders(self) -> list:
        """Who answers for this claim: its volunteer, or the confirmed members of its
        organisation (the access policy decides, wishes/policy.py)."""
        from ..policy import claims

        return claims.holders(self)

    @property
    def holder_display(self) -> str:
        if self.organisation_id and self.volunteer_id:
            return f"{self.organisation}（{self.volunteer}）"
        return str(self.organisation or self.volunteer)


class WishEvent(models.Model):
    """One line of a wish's timeline: who moved it, when, from what to what. Never edited or
    deleted (the database refuses too); an erasure empties its note."""

    # PROTECT: deleting a wish or a person would otherwise delete or rewrite these rows.
    wish = models.ForeignKey(
        "wishes.Wish", models.PROTECT, related_name="events", verbose_name=_("心愿")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    action = models.CharField(_("操作"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=Status.choices)
    note = models.TextField(_("说明"), blank=True)
    audience = models.CharField(
        _("说明可见范围"),
        max_length=10,
        choices=Audience.choices,
        default=Audience.STAFF,
        help_text=_("谁能看到这条说明；事件本身以通俗的话显示给能看进展的人。"),
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    ACTION_LABELS = {"submit": _("提交心愿"), **{name: m.label for name, m in MOVES.items()}}

    class Meta:
        verbose_name = _("心愿动态")
        verbose_name_plural = _("心愿动态")
        ordering = ["created_at", "pk"]
        # Append-only in PostgreSQL too; erasure may only empty the note (audit/history.py).
        triggers = append_only(blankable=("note",))

    def __str__(self) -> str:
        return f"{self.wish} · {self.action_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise WishError(_("心愿动态一经记录不能修改。"), code="invalid")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise WishError(_("心愿动态一经记录不能删除。"), code="invalid")

    @property
    def action_label(self) -> str:
        return str(self.ACTION_LABELS.get(self.action, self.action))

    @property
    def actor_display(self) -> str:
        return str(self.actor) if self.actor_id else str(_("系统"))


def photo_path(instance: WishPhoto, filename: str) -> str:
    """A random name with the suffix of the photo's format: file names must not carry residents'
    names or anything else, and the name it was uploaded under says nothing about its type."""
    return random_name("wish-photos", instance.image)


class WishPhoto(models.Model):
    """A photo of what is needed (with the wish), of the delivery (with the fulfilment), or one
    chosen for this wish at a hand-over event. Each row holds its own file.

    Photos are served only through a view that asks the access policy (wishes/policy.py).
    """

    MAX_PER_REPORT = 6

    class Kind(models.TextChoices):
        REQUEST = "request", _("居民提供的照片")
        FULFILMENT = "fulfilment", _("认领人的兑现照片")
        HANDOVER = "handover", _("集中兑现照片")

    wish = models.ForeignKey(
        "wishes.Wish", models.CASCADE, related_name="photos", verbose_name=_("心愿")
    )
    image = models.ImageField(_("照片"), upload_to=photo_path, validators=[validate_photo])
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("心愿照片")
        verbose_name_plural = _("心愿照片")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.wish} · {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        # Whatever path a photo came by, it is stored without EXIF and under a random name.
        if self._state.adding:
            self.image = sanitised_if_new(self.image)
        super().save(*args, **kwargs)


class FollowUp(models.Model):
    """回访: staff check on a resident after their wish came true."""

    class Method(models.TextChoices):
        VISIT = "visit", _("上门回访")
        PHONE = "phone", _("电话回访")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        NEUTRAL = "neutral", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    wish = models.ForeignKey(
        "wishes.Wish", models.CASCADE, related_name="follow_ups", verbose_name=_("心愿")
    )
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("回访人"),
    )
    visited_on = models.DateField(_("回访日期"), default=timezone.localdate)
    method = models.CharField(
        _("方式"), max_length=10, choices=Method.choices, default=Method.VISIT
    )
    satisfaction = models.CharField(
        _("满意度"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    note = models.TextField(_("回访情况"))
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")
        ordering = ["-visited_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.wish} · {self.visited_on}"
