"""Checking one data row of an upload: each cell cleaned into a model value, or a RowError
naming the row and column.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.validators import validate_mobile
from communities.models import Community, Grid

from ..models import Category, Wish
from .columns import COLUMNS_BY_KEY, _choice_lists

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class RowError:
    """One problem in one cell: row as Excel numbers it, column by its header."""

    row: int
    column: str
    message: str


@dataclass
class ImportRow:
    """One valid data row, cleaned into model values."""

    number: int
    community: Community
    grid: Grid | None
    name: str
    gender: str
    phone: str
    address: str
    situation: str
    category: Category
    title: str
    description: str
    priority: str
    target_group: str
    value: Decimal | None
    due_date: datetime.date | None
    consent: bool


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    """A cell as trimmed text; whole numbers lose Excel's ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time() else value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


class _RowChecker:
    """Checks rows against what this user may import into, with every lookup loaded once."""

    def __init__(self, user: User):
        from ..policy import communities as community_policy

        communities = list(community_policy.worked_in(user).select_related("street"))
        self.communities: dict[str, list[Community]] = {}
        for community in communities:
            self.communities.setdefault(community.name, []).append(community)
        self.grids: dict[tuple[int, str], Grid] = {}
        self.grid_names: dict[int, list[str]] = {}
        # A grid worker imports into their own grid only: other grids are not theirs to fill.
        for grid in community_policy.grids(user).filter(community__in=[c.pk for c in communities]):
            self.grids[grid.community_id, grid.name] = grid
            self.grid_names.setdefault(grid.community_id, []).append(grid.name)
        self.whole = {
            c.pk for c in community_policy.run_by(user).filter(pk__in=[c.pk for c in communities])
        }
        self.categories = {category.name: category for category in Category.objects.all()}
        # The template lists the Chinese names, but a sheet filled in English is as clear.
        self.english_categories = {
            c.name_en.casefold(): c for c in self.categories.values() if c.name_en
        }
        self.active_categories = [c.name for c in self.categories.values() if c.is_active]
        self.choices = _choice_lists()

    def check(self, number: int, cells: dict[str, Any], errors: list[RowError]) -> ImportRow | None:
        problems: list[RowError] = []

        def fail(key: str, message: str) -> None:
            problems.append(RowError(number, str(COLUMNS_BY_KEY[key].header), message))

        def required(key: str, max_length: int | None = None) -> str:
            text = _text(cells[key])
            if not text:
                fail(key, _("必须填写。"))
            elif max_length and len(text) > max_length:
                fail(
                    key,
                    _("最多%(max)d个字，现在有%(n)d个字。") % {"max": max_length, "n": len(text)},
                )
            return text

        def optional(key: str, max_length: int) -> str:
            text = _text(cells[key])
            if len(text) > max_length:
                fail(
                    key,
                    _("最多%(max)d个字，现在有%(n)d个字。") % {"max": max_length, "n": len(text)},
                )
            return text

        def choice(key: str, default: Any = "") -> Any:
            value = cells[key]
            allowed = self.choices[key]
            if isinstance(value, bool) and key == "consent":
                return value
            text = _text(value)
            if not text:
                return default
            if text not in allowed:
                fail(
                    key,
                    _("“%(value)s”不是可选的值，请填写：%(allowed)s。")
                    % {"value": text, "allowed": "、".join(allowed)},
                )
                return default
            return allowed[text]

        community = self._community(required("community"), fail)
        grid = self._grid(community, _text(cells["grid"]), fail)
        name = required("name", 50)
        gender = choice("gender")
        phone = _phone(cells["phone"], fail)
        address = optional("address", 200)
        situation = choice("situation")
        category = self._category(required("category"), fail)
        title = required("title", 100)
        description = required("description")
        priority = choice("priority", Wish.Priority.NORMAL)
        target_group = choice("target_group")
        value = _amount(cells["value"], fail)
        due_date = _date(cells["due_date"], fail)
        consent = choice("consent", False)

        if problems:
            errors.extend(problems)
            return None
        return ImportRow(
            number=number,
            community=community,
            grid=grid,
            name=name,
            gender=gender,
            phone=phone,
            address=address,
            situation=situation,
            category=category,
            title=title,
            description=description,
            priority=priority,
            target_group=target_group,
            value=value,
            due_date=due_date,
            consent=consent,
        )

    def _community(self, name: str, fail) -> Community | None:
        if not name:
            return None
        matches = self.communities.get(name, [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            fail(
                "community",
                _("您负责的社区里有%(n)d个叫“%(name)s”，请分开导入或联系管理员。")
                % {"n": len(matches), "name": name},
            )
            return None
        fail(
            "community",
            _("“%(name)s”不是您负责的社区。您可以导入的社区：%(allowed)s。")
            % {"name": name, "allowed": "、".join(self.communities) or _("（无）")},
        )
        return None

    def _grid(self, community: Community | None, name: str, fail) -> Grid | None:
        if community is None:
            return None
        if not name:
            if community.pk not in self.whole:
                fail(
                    "grid",
                    _("网格员只能导入自己网格的心愿，请填写网格：%(allowed)s。")
                    % {"allowed": "、".join(self.grid_names.get(community.pk, []))},
                )
            return None
        grid = self.grids.get((community.pk, name))
        if grid is None:
            names = self.grid_names.get(community.pk, [])
            fail(
                "grid",
                _("“%(name)s”不是%(community)s的网格。%(community)s的网格有：%(allowed)s。")
                % {
                    "name": name,
                    "community": community.name,
                    "allowed": "、".join(names) or _("（无）"),
                },
            )
        return grid

    def _category(self, name: str, fail) -> Category | None:
        if not name:
            return None
        category = self.categories.get(name) or self.english_categories.get(name.casefold())
        allowed = "、".join(self.active_categories)
        if category is None:
            fail(
                "category",
                _("没有“%(name)s”这个类别，请填写：%(allowed)s。")
                % {"name": name, "allowed": allowed},
            )
            return None
        if not category.is_active:
            fail(
                "category",
                _("类别“%(name)s”已停用，请改为：%(allowed)s。")
                % {"name": name, "allowed": allowed},
            )
            return None
        return category

    def check_duplicates(self, rows: list[ImportRow], errors: list[RowError]) -> None:
        """The same wish twice in the file, or already waiting in the system: import it once."""
        title_header = str(COLUMNS_BY_KEY["title"].header)
        seen: dict[tuple[int, str, str], int] = {}
        for row in rows:
            key = (row.community.pk, row.name, row.title)
            if key in seen:
                errors.append(
                    RowError(
                        row.number,
                        title_header,
                        _("和第%(row)d行是同一位居民的同一个心愿，请删去一行。")
                        % {"row": seen[key]},
                    )
                )
            else:
                seen[key] = row.number
        if not rows:
            return
        existing = (
            Wish.objects.open()
            .filter(
                community__in={row.community.pk for row in rows},
                title__in={row.title for row in rows},
            )
            .values_list("community_id", "resident__name", "title", "pk")
        )
        known = {(c, n, t): pk for c, n, t, pk in existing}
        for row in rows:
            pk = known.get((row.community.pk, row.name, row.title))
            if pk is not None:
                errors.append(
                    RowError(
                        row.number,
                        title_header,
                        _("这位居民已有同样的心愿在处理中（编号%(pk)d），不要重复导入。")
                        % {"pk": pk},
                    )
                )


def _phone(value: Any, fail) -> str:
    if _is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    text = re.sub(r"[\s\-]", "", text)
    text = re.sub(r"^\+?86(?=1\d{10}$)", "", text)
    try:
        validate_mobile(text)
    except ValidationError as error:
        fail("phone", _("“%(value)s”不是有效的手机号码。") % {"value": text} + error.messages[0])
        return ""
    return text


DATE_PATTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
COMPACT_DATE_PATTERN = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _date(value: Any, fail) -> datetime.date | None:
    if _is_blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    match = DATE_PATTERN.match(unicodedata.normalize("NFKC", text)) or COMPACT_DATE_PATTERN.match(
        text
    )
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    fail(
        "due_date",
        _("“%(value)s”不是有效的日期，请填写如 2026-12-31 或 2026/12/31。") % {"value": text},
    )
    return None


MAX_AMOUNT = Decimal("99999999.99")


def _amount(value: Any, fail) -> Decimal | None:
    if _is_blank(value):
        return None
    if isinstance(value, bool):
        amount = None
    elif isinstance(value, int | float):
        amount = Decimal(str(value))
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        text = re.sub(r"[\s,¥元]", "", text)
        try:
            amount = Decimal(text)
        except InvalidOperation:
            amount = None
    if amount is None or not amount.is_finite():
        fail("value", _("“%(value)s”不是数字，请填写如 120 或 99.5。") % {"value": _text(value)})
        return None
    if amount < 0:
        fail("value", _("不能是负数。"))
        return None
    amount = amount.quantize(Decimal("0.01"))
    if amount > MAX_AMOUNT:
        fail("value", _("金额太大了，请检查。"))
        return None
    return amount
