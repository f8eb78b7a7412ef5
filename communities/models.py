"""Where wishes happen: street/town → community → grid, and the organisations that help."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# A landline with its area code, a mobile or a 5-digit hotline, in groups split by single
# spaces or hyphens, then perhaps an extension: "0437-3221234 转 801", "138 0437 1234".
PHONE_PATTERN = re.compile(
    r"(?P<number>\d+(?:[ -]\d+)*)(?:\s*(?:转|分机|ext\.?|x|#)\s*\d{1,6})?",
    re.ASCII | re.IGNORECASE,
)
PHONE_DIGITS = range(5, 16)


def validate_community_phone(value: str) -> None:
    """The phone printed on the community's list: digits, spaces, hyphens, an extension."""
    match = PHONE_PATTERN.fullmatch(value or "")
    digits = sum(ch.isdigit() for ch in match["number"]) if match else 0
    if digits not in PHONE_DIGITS:
        raise ValidationError(
            _(
                "电话号码只能写数字、空格和短横线，分机号写在“转”后面，"
                "例如 0437-3221234 或 0437-3221234 转 801。"
            ),
            code="invalid_phone",
        )


class Street(models.Model):
    """A 街道 (urban sub-district) or 镇 (town), the level above communities."""

    class Kind(models.TextChoices):
        STREET = "street", _("街道")
        TOWN = "town", _("镇")

    city = models.CharField(_("城市"), max_length=50, default="辽源市")
    name = models.CharField(_("名称"), max_length=50, unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.STREET)

    class Meta:
        verbose_name = _("街道/镇")
        verbose_name_plural = _("街道/镇")
        ordering = ["city", "name"]

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    street = models.ForeignKey(
        Street, models.PROTECT, related_name="communities", verbose_name=_("街道/镇")
    )
    name = models.CharField(_("名称"), max_length=50)
    address = models.CharField(_("社区地址"), max_length=200, blank=True)
    phone = models.CharField(
        _("联系电话"), max_length=30, blank=True, validators=[validate_community_phone]
    )

    class Meta:
        verbose_name = _("社区")
        verbose_name_plural = _("社区")
        ordering = ["street__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="unique_community_per_street")
        ]

    def __str__(self) -> str:
        return self.name


class Grid(models.Model):
    """A 网格: the block of households one grid worker looks after."""

    community = models.ForeignKey(
        Community, models.CASCADE, related_name="grids", verbose_name=_("社区")
    )
    name = models.CharField(_("名称"), max_length=50)

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["community__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="unique_grid_per_community")
        ]

    def __str__(self) -> str:
        return f"{self.community.name} · {self.name}"


class Organisation(models.Model):
    """A workplace Party branch (党支部) or a responsible department that takes on wishes.

    Organisations register with the communities they serve (双报到); staff dispatch
    wishes only to organisations registered with the wish's community.
    """

    class Kind(models.TextChoices):
        PARTY_BRANCH = "party_branch", _("党支部")
        DEPARTMENT = "department", _("责任部门")
        OTHER = "other", _("其他单位")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(
        _("类型"), max_length=20, choices=Kind.choices, default=Kind.PARTY_BRANCH
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    communities = models.ManyToManyField(
        Community,
        related_name="organisations",
        blank=True,
        verbose_name=_("报到社区"),
        help_text=_("本单位双报到的社区；社区只能向已报到的单位派单。"),
    )

    liaisons = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="liaison_for",
        blank=True,
        verbose_name=_("联络员"),
        help_text=_("本单位负责核实成员身份的人（如支部书记），可以确认谁是本单位成员。"),
    )

    class Meta:
        verbose_name = _("单位/党支部")
        verbose_name_plural = _("单位/党支部")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
