"""What the programme achieved beyond the wishes themselves: volunteers' service hours, and the
stories on the 圆梦墙 (wall of wishes come true)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.history import append_only

MAX_HOURS_A_DAY = Decimal("24")


class ServiceHours(models.Model):
    """志愿服务时长: hours one volunteer gave on one day, credited from a hand-over event they
    attended, or entered by the claimer for a wish they fulfilled and approved by staff."""

    class Source(models.TextChoices):
        EVENT = "event", _("集中兑现活动签到")
        WISH = "wish", _("兑现心愿")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已认定")
        REJECTED = "rejected", _("未认定")

    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="service_hours",
        verbose_name=_("志愿者"),
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    event = models.ForeignKey(
        "wishes.HandoverEvent",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="service_hours",
        verbose_name=_("活动"),
    )
    wish = models.ForeignKey(
        "wishes.Wish",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="service_hours",
        verbose_name=_("心愿"),
    )
    day = models.DateField(_("服务日期"))
    hours = models.DecimalField(
        _("时长（小时）"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(MAX_HOURS_A_DAY)],
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("志愿服务时长")
        verbose_name_plural = _("志愿服务时长")
        ordering = ["-day", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=MAX_HOURS_A_DAY),
                name="service_hours_within_a_day",
            ),
            # Hours stand on a fulfilled wish or an attended event, never on nothing.
            models.CheckConstraint(
                condition=(
                    Q(source="event", event__isnull=False, wish__isnull=True)
                    | Q(source="wish", wish__isnull=False, event__isnull=True)
                ),
                name="service_hours_have_a_reason",
            ),
            models.UniqueConstraint(
                fields=["volunteer", "event"],
                condition=Q(source="event"),
                name="one_event_credit_each",
            ),
            models.UniqueConstraint(
                fields=["volunteer", "wish"],
                condition=Q(source="wish"),
                name="one_wish_entry_each",
            ),
        ]
        indexes = [models.Index(fields=["status", "day"], name="hours_status_day_idx")]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.day} · {self.hours}"


class ServiceHoursChange(models.Model):
    """An edit or decision on an entry of hours, as recorded: never changed or deleted (the
    database refuses too, audit/history.py), so an entry of hours is never deleted either."""

    entry = models.ForeignKey(
        ServiceHours, models.PROTECT, related_name="changes", verbose_name=_("时长记录")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    what = models.CharField(_("变化"), max_length=200)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("时长变更记录")
        verbose_name_plural = _("时长变更记录")
        ordering = ["created_at", "pk"]
        triggers = append_only()

    def __str__(self) -> str:
        return self.what

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A change to service hours, once recorded, is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A change to service hours, once recorded, is never deleted.")


class WallStory(models.Model):
    """A fulfilled wish on the 圆梦墙: staff may hide it or feature it, and choose its photos."""

    wish = models.OneToOneField(
        "wishes.Wish", models.CASCADE, related_name="wall_story", verbose_name=_("心愿")
    )
    hidden = models.BooleanField(_("不上墙"), default=False)
    featured = models.BooleanField(_("置顶"), default=False)
    photos = models.ManyToManyField(
        "wishes.WishPhoto",
        blank=True,
        related_name="+",
        verbose_name=_("上墙的照片"),
        help_text=_("只选不露出门牌、面孔和病情的照片。"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("设置人"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("圆梦墙故事")
        verbose_name_plural = _("圆梦墙故事")

    def __str__(self) -> str:
        return str(self.wish)


# ----- the statistics' monthly rollup (outcomes/rollup.py) ---------------------------------------
# Derived rows, added by outcomes.rollup's triggers as wishes and claims change (+n and −n, summed
# by the readers, folded by the hourly sweep) and never edited by hand:
# foreign keys without database constraints, so the scopes' and the access policy's filters
# (community, grid, community__street) read them as they read wishes.


def _derived(model: str, *, null: bool = False) -> models.ForeignKey:
    return models.ForeignKey(
        model, models.DO_NOTHING, null=null, db_constraint=False, related_name="+"
    )


class WishCounts(models.Model):
    """How many wishes in a community and grid, of a category, are in a status, published or
    not: by the month they were submitted in (`WishMonth`), or to date (`WishTotal`)."""

    community = _derived("communities.Community")
    grid = _derived("communities.Grid", null=True)
    category = _derived("wishes.Category", null=True)
    status = models.CharField(max_length=16)
    published = models.BooleanField()
    wishes = models.IntegerField()

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.community_id}/{self.grid_id} {self.status}: {self.wishes}"


class ClaimCounts(models.Model):
    """How many claims (and accepted dispatches) a volunteer or organisation took on, on the
    wishes of a community and grid: who took part, counted without reading claims; by the month
    they were accepted in (`ClaimMonth`), or to date (`ClaimTotal`)."""

    community = _derived("communities.Community")
    grid = _derived("communities.Grid", null=True)
    volunteer = _derived(settings.AUTH_USER_MODEL, null=True)
    organisation = _derived("communities.Organisation", null=True)
    claims = models.IntegerField()

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.community_id}: {self.claims}"


class WishMonth(WishCounts):
    """The wishes submitted in a month (Beijing time), counted as above."""

    month = models.DateField()  # the first day of the month they were submitted in

    class Meta:
        indexes = [models.Index(fields=["month", "community"], name="wishmonth_month_idx")]

    def __str__(self):
        return f"{self.month:%Y-%m} {super().__str__()}"


class FulfilledMonth(models.Model):
    """How many wishes submitted in a month in a community and grid were fulfilled (or
    confirmed) in each month since: the monthly chart's second line."""

    month = models.DateField()  # submitted in, as above: the rows are counted by this month
    fulfilled_month = models.DateField()
    community = _derived("communities.Community")
    grid = _derived("communities.Grid", null=True)
    wishes = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["month", "community"], name="fulfilledmonth_month_idx")]

    def __str__(self):
        return f"{self.month:%Y-%m}→{self.fulfilled_month:%Y-%m} {self.community_id}: {self.wishes}"


class ClaimMonth(ClaimCounts):
    """The claims accepted in a month, counted as above."""

    month = models.DateField()  # the first day of the month the claims were accepted in

    class Meta:
        indexes = [models.Index(fields=["month", "community"], name="claimmonth_month_idx")]

    def __str__(self):
        return f"{self.month:%Y-%m} {super().__str__()}"


class WishTotal(WishCounts):
    """A few rows per community however many years of wishes there are: what a report 累计
    (to date) reads."""

    class Meta:
        indexes = [models.Index(fields=["community"], name="wishtotal_community_idx")]


class ClaimTotal(ClaimCounts):
    """Who ever took part, per community and grid: what a report 累计 (to date) reads."""

    class Meta:
        indexes = [models.Index(fields=["community"], name="claimtotal_community_idx")]
