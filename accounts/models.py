"""People and their roles: one login may be a resident, a volunteer and staff at once."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Community, Grid, Organisation, Street

from .validators import validate_mobile


class User(AbstractUser):
    phone = models.CharField(
        _("手机号码"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_mobile],
        error_messages={"unique": _("这个手机号码已经注册过了。")},
    )
    real_name = models.CharField(_("真实姓名"), max_length=50, blank=True)
    language = models.CharField(
        _("语言"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("通知和邮件使用的语言。"),
    )
    must_change_password = models.BooleanField(
        _("下次登录须改密码"),
        default=False,
        help_text=_("社区工作人员设了临时密码：本人登录后要先设一个自己的密码。"),
    )

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.real_name or self.username

    def save(self, *args, **kwargs):
        # An empty form field must not collide with other users' "no phone" under UNIQUE.
        if not self.phone:
            self.phone = None
        super().save(*args, **kwargs)

    def set_password(self, raw_password):
        # A password the person chose themselves; a temporary one sets the flag again after.
        self.must_change_password = False
        super().set_password(raw_password)

    def get_session_auth_hash(self):
        # A user kept in the cache comes without its password hash, with the session's hash of
        # it made before it was left out (accounts/identity_kept.py); once the password is
        # read again or set, the hash is made from it.
        if "password" not in self.__dict__:
            kept = self.__dict__.get("_kept_session_auth_hash")
            if kept is not None:
                return kept
        return super().get_session_auth_hash()

    @property
    def display_name(self) -> str:
        return self.real_name or self.username

    @property
    def is_community_staff(self) -> bool:
        """Grid worker (with a grid), community staff, street admin or superuser."""
        from .scoping import scope_of

        return scope_of(self).is_staff

    @property
    def scope(self):
        """Where this user works and serves (accounts/scoping.py)."""
        from .scoping import scope_of

        return scope_of(self)

    def managed_communities(self) -> models.QuerySet[Community]:
        """Communities this user works in, wholly or on some grids (for pickers and headings).

        What the user may see or change inside them is the policy's answer (wishes/policy.py).
        """
        from .scoping import scope_of

        scope = scope_of(self)
        if scope.everything:
            return Community.objects.all()
        return Community.objects.filter(pk__in=scope.staff_communities)

    def volunteer_communities(self) -> models.QuerySet[Community]:
        """Communities where this user's volunteer registration (双报到) is approved."""
        from .scoping import scope_of

        return Community.objects.filter(pk__in=scope_of(self).volunteer_communities)

    def organisation_ids(self) -> list[int]:
        """The organisation this volunteer acts for, once its membership has been confirmed."""
        from .scoping import scope_of

        return sorted(scope_of(self).organisations)


class StaffRole(models.Model):
    """Community staff and grid workers work in one community; street admins in a street."""

    class Role(models.TextChoices):
        GRID_WORKER = "grid_worker", _("网格员")
        COMMUNITY_STAFF = "community_staff", _("社区工作人员")
        STREET_ADMIN = "street_admin", _("街道管理员")

    user = models.ForeignKey(
        User, models.CASCADE, related_name="staff_roles", verbose_name=_("用户")
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    community = models.ForeignKey(
        Community,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="staff_roles",
        verbose_name=_("社区"),
    )
    grid = models.ForeignKey(
        Grid,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_roles",
        verbose_name=_("网格"),
    )
    street = models.ForeignKey(
        Street,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="staff_roles",
        verbose_name=_("街道/镇"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("工作人员角色")
        verbose_name_plural = _("工作人员角色")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role="street_admin", street__isnull=False, community__isnull=True)
                    | (~Q(role="street_admin") & Q(community__isnull=False, street__isnull=True))
                ),
                name="staff_role_scope_matches_role",
                violation_error_message=_("街道管理员只填街道；社区工作人员和网格员只填社区。"),
            )
        ]

    def __str__(self) -> str:
        where = self.grid or self.community or self.street
        return f"{self.user} · {self.get_role_display()} · {where}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Staff work in the Django admin too, which needs is_staff.
        if not self.user.is_staff:
            User.objects.filter(pk=self.user_id).update(is_staff=True)
            self.user.is_staff = True

    def clean(self) -> None:
        # A grid worker works on one grid: without it they would see nothing, and a grid of
        # another community would be a mistake that grants nothing either.
        if self.role == self.Role.GRID_WORKER and self.grid_id is None:
            raise ValidationError({"grid": _("网格员需要选择负责的网格。")})
        if self.grid_id and self.community_id and self.grid.community_id != self.community_id:
            raise ValidationError({"grid": _("所选网格不属于这个社区。")})


class Resident(models.Model):
    """A person a wish is for. Many have no login: staff enter wishes for them.

    The household situation and its details are private: only staff of the resident's
    community see them. Wishes carry a coarse target group instead.
    """

    class Gender(models.TextChoices):
        FEMALE = "female", _("女")
        MALE = "male", _("男")
        UNKNOWN = "", _("未填写")

    class Situation(models.TextChoices):
        LOW_INCOME = "low_income", _("低保户")
        ELDERLY_ALONE = "elderly_alone", _("孤寡老人")
        DISABLED = "disabled", _("残障人士")
        SERIOUSLY_ILL = "seriously_ill", _("重病患者")
        CHILD_IN_NEED = "child_in_need", _("困难儿童")
        OTHER = "other", _("其他困难群众")
        NONE = "", _("无特殊情况")

    user = models.OneToOneField(
        User,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="resident",
        verbose_name=_("登录账号"),
        help_text=_("没有手机的老人可以不设账号，由工作人员代为填报。"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(
        _("性别"), max_length=10, choices=Gender.choices, blank=True, default=Gender.UNKNOWN
    )
    phone = models.CharField(_("联系电话"), max_length=11, blank=True, validators=[validate_mobile])
    community = models.ForeignKey(
        Community, models.PROTECT, related_name="residents", verbose_name=_("社区")
    )
    grid = models.ForeignKey(
        Grid,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("网格"),
    )
    address = models.CharField(_("住址"), max_length=200, blank=True)
    address_as = models.CharField(
        _("怎么称呼"),
        max_length=20,
        blank=True,
        help_text=_("志愿者上门时这样称呼，如：王叔叔、李阿姨。不填就称“王先生/王女士”。"),
    )
    situation = models.CharField(
        _("家庭情况"), max_length=20, choices=Situation.choices, blank=True
    )
    situation_detail = models.TextField(
        _("情况说明"),
        blank=True,
        help_text=_("病情、残疾等级、家庭照护等敏感信息，仅本社区工作人员可见。"),
    )
    created_by = models.ForeignKey(
        User,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["community__name", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_name(self) -> str:
        """张** or 王女士: enough for a volunteer to greet, too little to look up."""
        return mask_name(self.name, self.gender)

    @property
    def greeting(self) -> str:
        """Whom a volunteer at the door asks for: 王叔叔 as staff or the resident set it,
        else 王先生 / 王女士 / 王* (never the full name)."""
        if self.address_as.strip():
            return self.address_as.strip()
        if self.gender or not self.name.strip():
            return self.masked_name
        return f"{surname_of(self.name)}先生/女士"  # gender not recorded: either, not 王*


# Two-character surnames, so 欧阳修 becomes 欧阳* and not 欧**.
COMPOUND_SURNAMES = frozenset(
    {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文"}
    | {"司徒", "夏侯", "轩辕", "令狐", "端木", "独孤", "南宫"}
)


def surname_of(name: str) -> str:
    name = (name or "").strip()
    return name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[:1]


def mask_name(name: str, gender: str = "") -> str:
    name = (name or "").strip()
    if not name:
        return "**"
    surname = surname_of(name)
    if gender == Resident.Gender.FEMALE:
        return f"{surname}女士"
    if gender == Resident.Gender.MALE:
        return f"{surname}先生"
    return surname + "*" * max(len(name) - len(surname), 1)


class VolunteerProfile(models.Model):
    """A volunteer: usually an in-service Party member (在职党员) reporting to where they live."""

    user = models.OneToOneField(
        User, models.CASCADE, related_name="volunteer_profile", verbose_name=_("用户")
    )
    is_party_member = models.BooleanField(_("党员"), default=True)
    organisation = models.ForeignKey(
        Organisation,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("所在单位/党支部"),
    )
    # Anyone can say which organisation they belong to; until staff check it, the volunteer
    # cannot act for it (claim in its name, answer its dispatches, see its claims).
    organisation_confirmed = models.BooleanField(
        _("单位已核实"),
        default=False,
        help_text=_("社区工作人员核实本人确是该单位成员后勾选；核实前不能以单位名义认领或接单。"),
    )
    organisation_confirmed_by = models.ForeignKey(
        User,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("单位核实人"),
    )
    organisation_confirmed_at = models.DateTimeField(_("单位核实时间"), null=True, blank=True)
    skills = models.CharField(_("特长"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("注册时间"), auto_now_add=True)

    class WallCredit(models.TextChoices):
        NAME = "name", _("我的名字")
        ORGANISATION = "organisation", _("我所在单位的名称")
        NONE = "none", _("不署名")

    # What the 圆梦墙 says of who made a wish come true: only what the volunteer agreed to.
    wall_credit = models.CharField(
        _("圆梦墙署名"),
        max_length=12,
        choices=WallCredit.choices,
        default=WallCredit.NONE,
        help_text=_("圆梦墙上的故事写谁帮忙实现了心愿。"),
    )
    on_honour_roll = models.BooleanField(
        _("上光荣榜"),
        default=True,
        help_text=_("不勾选则不出现在公开的志愿者光荣榜上。"),
    )

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")

    def __str__(self) -> str:
        return str(self.user)

    def decide_membership(self, *, by: User, confirm: bool, organisation_id: int) -> bool:
        """Confirm or refuse that this volunteer belongs to the organisation they named.

        The decision is the organisation's own (its liaison, or staff of a community it is
        registered with — the caller checks that), never a side effect of a 双报到 approval.
        A refusal clears the claim to membership. False if the volunteer has meanwhile named
        another organisation or someone decided first.
        """
        rows = type(self).objects.filter(
            pk=self.pk, organisation_id=organisation_id, organisation_confirmed=False
        )
        if confirm:
            changes = {
                "organisation_confirmed": True,
                "organisation_confirmed_by": by,
                "organisation_confirmed_at": timezone.now(),
            }
        else:
            changes = {"organisation": None, "organisation_confirmed_by": None}
        done = rows.update(**changes)
        self.refresh_from_db()
        return bool(done)

    def leave_organisation(self) -> None:
        """The volunteer names no organisation any more (or is about to name another one)."""
        type(self).objects.filter(pk=self.pk).update(
            organisation=None,
            organisation_confirmed=False,
            organisation_confirmed_by=None,
            organisation_confirmed_at=None,
        )
        self.refresh_from_db()


class VolunteerRegistration(models.Model):
    """双报到: a volunteer registers with a community; staff of that community approve it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        REFUSED = "refused", _("未通过")

    volunteer = models.ForeignKey(
        VolunteerProfile,
        models.CASCADE,
        related_name="registrations",
        verbose_name=_("志愿者"),
    )
    community = models.ForeignKey(
        Community,
        models.CASCADE,
        related_name="volunteer_registrations",
        verbose_name=_("社区"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        User,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("报到时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("双报到登记")
        verbose_name_plural = _("双报到登记")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "community"], name="one_registration_per_community"
            )
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} → {self.community}"

    def decide(self, *, by: User, approve: bool) -> bool:
        """Staff approve or refuse a pending 双报到; False if someone decided it first.

        This decides where the volunteer serves, nothing else: membership of an organisation is
        confirmed for that organisation, separately (VolunteerProfile.decide_membership).
        """
        from notices.service import notify

        status = self.Status.APPROVED if approve else self.Status.REFUSED
        with transaction.atomic():
            decided = (
                type(self)
                .objects.filter(pk=self.pk, status=self.Status.PENDING)
                .update(status=status, decided_by=by, decided_at=timezone.now())
            )
            if decided:
                # Wherever it is decided (the workbench or the admin), the volunteer hears.
                notify(
                    "registration_decided",
                    [self.volunteer.user],
                    approved=approve,
                    community=self.community.name,
                )
        self.refresh_from_db()
        return bool(decided)
