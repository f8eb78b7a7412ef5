"""Wishes and their categories; the life cycle's moves are methods of Wish."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import Resident, mask_name
from communities.models import Community, Grid

from ..lifecycle import Status, WishError
from .moves import WishMoves
from .records import Claim

if TYPE_CHECKING:
    from accounts.models import User


def in_page_language(chinese: str, english: str) -> str:
    """The English form on a page read in English when there is one, else the Chinese."""
    if english and (get_language() or "").startswith("en"):
        return english
    return chinese


class CategoryQuerySet(models.QuerySet):
    def offered_in(self, community: Community | int | None) -> CategoryQuerySet:
        """The active categories a community offers (it may hide some of the city's list)."""
        active = self.filter(is_active=True)
        if community is None:
            return active
        return active.exclude(hidden_in=community)


class Category(models.Model):
    """The city-wide catalogue of wish categories (edited by superusers), with the help text
    shown on the wish form; a community may hide categories it does not offer."""

    name = models.CharField(_("名称"), max_length=30, unique=True)
    help_text = models.CharField(
        _("填写提示"),
        max_length=200,
        blank=True,
        help_text=_("居民填写心愿时在表单上看到的说明。"),
    )
    name_en = models.CharField(
        _("英文名称"),
        max_length=60,
        blank=True,
        help_text=_("页面为英文时显示；不填则显示中文名称。导入表格也接受这个名称。"),
    )
    help_text_en = models.CharField(
        _("英文填写提示"),
        max_length=300,
        blank=True,
        help_text=_("页面为英文时显示；不填则显示中文填写提示。"),
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    hidden_in = models.ManyToManyField(
        Community,
        related_name="hidden_categories",
        blank=True,
        verbose_name=_("不提供这个类别的社区"),
        help_text=_("社区工作人员可以在工作台为本社区隐藏不提供的类别。"),
    )

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("心愿类别")
        verbose_name_plural = _("心愿类别")
        ordering = ["order", "name"]
        constraints = [
            # The spreadsheet import finds a category by its English name too.
            models.UniqueConstraint(
                Lower("name_en"),
                condition=~Q(name_en=""),
                name="category_english_name_unique",
                violation_error_message=_("已有类别使用这个英文名称。"),
            ),
        ]

    def __str__(self) -> str:
        # Every page, form choice and message showing a category goes through here.
        return self.label

    @property
    def label(self) -> str:
        """The name people read: English on an English page when there is one."""
        return in_page_language(self.name, self.name_en)

    @property
    def display_help(self) -> str:
        """The help text on the wish form, in the page's language when there is one."""
        return in_page_language(self.help_text, self.help_text_en)


class WishQuerySet(models.QuerySet):
    def published(self) -> WishQuerySet:
        """The 心愿清单: approved and waiting for someone to take it on."""
        return self.filter(status=Status.APPROVED)

    def listed_to(self, user: User) -> WishQuerySet:
        """The 心愿清单 as this user sees it (the access policy's rule, wishes/policy.py)."""
        from ..policy import wishes

        return wishes.listed(user, self)

    def open(self) -> WishQuerySet:
        return self.filter(
            status__in=[Status.SUBMITTED, Status.APPROVED, Status.DISPATCHED, Status.CLAIMED]
        )

    def in_community(self, community: Community | int) -> WishQuerySet:
        return self.filter(community=community)

    def managed_by(self, user: User) -> WishQuerySet:
        """The wishes this user works on as staff (the access policy's rule)."""
        from ..policy import wishes

        return wishes.managed(user, self)

    def visible_to(self, user: User) -> WishQuerySet:
        """What a user may open at all; everything else is a 404 for them (the policy's rule)."""
        from ..policy import wishes

        return wishes.visible(user, self)


# The review queue's order: urgent wishes first (then the oldest), as its index is written.
URGENT_FIRST = Case(
    When(priority="urgent", then=Value(0)),
    default=Value(1),
    output_field=IntegerField(),
)


class Wish(WishMoves, models.Model):
    Status = Status

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("个人心愿")
        COLLECTIVE = "collective", _("公共设施/集体心愿")

    class Priority(models.TextChoices):
        NORMAL = "normal", _("普通")
        URGENT = "urgent", _("紧急")

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上申报")
        VISIT = "visit", _("入户走访")
        PHONE = "phone", _("电话征集")
        IMPORT = "import", _("批量导入")
        OTHER = "other", _("其他")

    class TargetGroup(models.TextChoices):
        ELDERLY = "elderly", _("老年人")
        DISABLED = "disabled", _("残障人士")
        LOW_INCOME = "low_income", _("困难家庭")
        ILL = "ill", _("患病群众")
        CHILDREN = "children", _("儿童")
        PUBLIC = "public", _("社区居民")

    title = models.CharField(_("心愿标题"), max_length=100)
    description = models.TextField(_("心愿描述"))
    category = models.ForeignKey(
        Category, models.PROTECT, related_name="wishes", verbose_name=_("类别")
    )
    kind = models.CharField(
        _("心愿类型"), max_length=20, choices=Kind.choices, default=Kind.INDIVIDUAL
    )
    priority = models.CharField(
        _("紧急程度"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    target_group = models.CharField(
        _("服务对象"),
        max_length=20,
        choices=TargetGroup.choices,
        blank=True,
        help_text=_("只显示大类，不显示居民的具体病情或家庭情况。"),
    )
    community = models.ForeignKey(
        Community, models.PROTECT, related_name="wishes", verbose_name=_("社区")
    )
    grid = models.ForeignKey(
        Grid, models.SET_NULL, null=True, blank=True, related_name="wishes", verbose_name=_("网格")
    )
    resident = models.ForeignKey(
        Resident,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="wishes",
        verbose_name=_("心愿人"),
        help_text=_("公共设施类心愿可以不填。"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="entered_wishes",
        verbose_name=_("录入人"),
    )
    channel = models.CharField(
        _("征集渠道"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    estimated_value = models.DecimalField(
        _("预估价值（元）"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    due_date = models.DateField(_("期望完成日期"), null=True, blank=True)
    # The one-time token of the form that sent this wish: sending the same form again (a
    # double tap, or back and submit) finds this wish instead of making a second one.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    delivery_note = models.CharField(
        _("给认领人的提示"),
        max_length=300,
        blank=True,
        help_text=_("只有认领人和社区能看到，如：老人耳背，请多敲几下门；下午两点后在家。"),
    )
    public_consent = models.BooleanField(
        _("同意公开展示"),
        default=False,
        help_text=_("同意后，心愿（不含姓名全称、电话和住址）可出现在公开的心愿清单和微信群里。"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reject_reason = models.TextField(_("未通过原因"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("兑现时间"), null=True, blank=True)
    fulfil_note = models.TextField(_("兑现说明"), blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    thanks_note = models.TextField(_("感谢留言"), blank=True)
    rating = models.PositiveSmallIntegerField(
        _("评分"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    escalated_at = models.DateTimeField(_("上报街道时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    close_reason = models.TextField(_("关闭原因"), blank=True)

    objects = WishQuerySet.as_manager()

    class Meta:
        verbose_name = _("心愿")
        verbose_name_plural = _("心愿")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["community", "status", "created_at"], name="wish_list_idx"),
            # The 心愿清单 in its orders (waiting longest, by due date), read from the few
            # published wishes rather than sorted out of all of them.
            models.Index(
                fields=["published_at", "id"],
                condition=Q(status="approved"),
                name="wish_published_idx",
            ),
            # PostgreSQL sorts NULLs last in an ascending index, as the list's due-date order
            # does (and SQLite, for `make run`, cannot declare NULLS LAST in an index).
            models.Index(
                fields=["due_date", "published_at", "id"],
                condition=Q(status="approved"),
                name="wish_due_idx",
            ),
            # Staff's list of all wishes, newest first: one community's from its end, several
            # communities' by walking the dates.
            models.Index(fields=["created_at", "id"], name="wish_created_idx"),
            # The review queue (urgent first, then oldest) of one community and of several,
            # read in order from the wishes waiting for review.
            models.Index(
                F("community"),
                URGENT_FIRST,
                F("created_at"),
                F("id"),
                condition=Q(status="submitted"),
                name="wish_review_idx",
            ),
            models.Index(
                URGENT_FIRST,
                F("created_at"),
                F("id"),
                condition=Q(status="submitted"),
                name="wish_review_all_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="wish_rating_1_to_5",
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="wish_status_known"),
        ]

    def __str__(self) -> str:
        return self.title

    # Nothing but the life-cycle methods may change status: save() compares with the row.
    def save(self, *args, **kwargs):
        saved = getattr(self, "_saved_status", None)
        if (
            not self._state.adding
            and saved is not None
            and self.status != saved
            and not getattr(self, "_in_transition", False)
        ):
            raise WishError(_("心愿状态只能通过审核、认领、兑现等操作改变。"), code="invalid")
        super().save(*args, **kwargs)
        self._saved_status = self.status

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._saved_status = self.status

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._saved_status = instance.__dict__.get("status")
        return instance

    def clean(self) -> None:
        errors = {}
        if self.kind == self.Kind.INDIVIDUAL and self.resident_id is None:
            errors["resident"] = _("个人心愿需要填写心愿人。")
        if self.grid_id and self.community_id and self.grid.community_id != self.community_id:
            errors["grid"] = _("所选网格不属于这个社区。")
        if (
            self.resident_id
            and self.community_id
            and (self.resident.community_id != self.community_id)
        ):
            errors["resident"] = _("心愿人不住在这个社区。")
        if errors:
            raise ValidationError(errors)

    # ----- reading -------------------------------------------------------------------------

    @property
    def masked_name(self) -> str:
        if self.resident_id is None:
            return str(_("社区居民"))
        return mask_name(self.resident.name, self.resident.gender)

    @property
    def is_urgent(self) -> bool:
        return self.priority == self.Priority.URGENT

    @property
    def days_waiting(self) -> int | None:
        """Whole days since publication, for a wish still waiting for someone."""
        if self.published_at is None:
            return None
        return (timezone.now() - self.published_at).days

    def open_claim(self) -> Claim | None:
        """The dispatch waiting for an answer or the claim in progress, if any."""
        return (
            self.claims.filter(state__in=Claim.OPEN_STATES)
            .select_related("volunteer", "organisation")
            .first()
        )

    def seen_by(self, user: User):
        """What this user may see of the resident behind this wish (wishes/policy.py)."""
        from ..policy import what_user_sees

        return what_user_sees(self, user)
