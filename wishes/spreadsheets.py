"""Excel in and out of the workbench: the import template, checking an uploaded sheet and saving
it all or nothing, and the wish and volunteer exports. Views only hand over files and users.

The files themselves are always in Chinese (headers, allowed values, sheet names), whatever
language the page is shown in, so a template downloaded by one person can be uploaded by another.
"""

from __future__ import annotations

import datetime
import io
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from accounts.models import Resident, VolunteerRegistration
from accounts.validators import validate_mobile
from communities.models import Community, Grid

from .models import Category, Claim, Wish

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
# Reading stops here even if the rows are blank, so a sheet padded with a million empty
# formatted rows cannot keep a request busy.
MAX_SCAN_ROWS = 10 * MAX_ROWS
MAX_COLUMNS = 60
EXPORT_TIMEZONE = ZoneInfo("Asia/Shanghai")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"

WISH_SHEET = gettext_lazy("心愿")
HELP_SHEET = gettext_lazy("填写说明")
YES = gettext_lazy("是")
NO = gettext_lazy("否")


def file_language():
    """Spreadsheets are read and written in the site's own language (Simplified Chinese)."""
    return translation.override(settings.LANGUAGE_CODE)


# ----- the import template ----------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: Promise
    required: bool
    help: Promise
    width: int


IMPORT_COLUMNS: tuple[Column, ...] = (
    Column(
        "community",
        gettext_lazy("社区"),
        True,
        gettext_lazy("您负责的社区，名称与右侧“可填写的值”一致。"),
        14,
    ),
    Column(
        "grid",
        gettext_lazy("网格"),
        False,
        gettext_lazy("可不填；填写时必须是该社区的网格。"),
        18,
    ),
    Column("name", gettext_lazy("居民姓名"), True, gettext_lazy("心愿人的姓名。"), 10),
    Column("gender", gettext_lazy("性别"), False, gettext_lazy("男或女，可不填。"), 6),
    Column(
        "phone",
        gettext_lazy("联系电话"),
        False,
        gettext_lazy("11位手机号码，可不填。已登记的居民按“姓名+电话”找到，不会重复登记。"),
        14,
    ),
    Column(
        "address",
        gettext_lazy("住址"),
        False,
        gettext_lazy("例如：明珠花园3栋2单元501。没有电话时按“姓名+住址”找到已登记的居民。"),
        24,
    ),
    Column(
        "situation",
        gettext_lazy("家庭情况"),
        False,
        gettext_lazy("可不填；只有本社区工作人员能看到。"),
        12,
    ),
    Column("category", gettext_lazy("类别"), True, gettext_lazy("心愿类别。"), 12),
    Column(
        "title",
        gettext_lazy("心愿标题"),
        True,
        gettext_lazy("一句话说清想要什么，不超过100个字。"),
        24,
    ),
    Column(
        "description",
        gettext_lazy("心愿描述"),
        True,
        gettext_lazy("写清数量、尺寸或位置；不要写身份证号、病历等隐私信息。"),
        36,
    ),
    Column(
        "priority",
        gettext_lazy("紧急程度"),
        False,
        gettext_lazy("紧急或普通，不填为普通。"),
        8,
    ),
    Column(
        "target_group",
        gettext_lazy("服务对象"),
        False,
        gettext_lazy("心愿人属于哪一类群体，可不填；公开时只显示这个大类。"),
        10,
    ),
    Column(
        "value",
        gettext_lazy("预估价值（元）"),
        False,
        gettext_lazy("数字，例如 120 或 99.5，可不填。"),
        10,
    ),
    Column(
        "due_date",
        gettext_lazy("期望完成日期"),
        False,
        gettext_lazy("日期，例如 2026-12-31，可不填。"),
        12,
    ),
    Column(
        "consent",
        gettext_lazy("同意公开"),
        False,
        gettext_lazy(
            "是或否：居民是否同意在公开的心愿清单中展示（只显示“张**”这样的称呼）。不填为否。"
        ),
        8,
    ),
)
COLUMNS_BY_KEY = {column.key: column for column in IMPORT_COLUMNS}


def import_headers() -> list[str]:
    """The template's header row, exactly as the file has it."""
    with file_language():
        return [str(column.header) for column in IMPORT_COLUMNS]


def _labels(choices) -> dict[str, Any]:
    """Chinese label → stored value, for the choices a column accepts."""
    return {str(label): value for value, label in choices}


def _choice_lists() -> dict[str, dict[str, Any]]:
    """Each enumerated column's allowed labels (in the file's language) and their values."""
    return {
        "gender": {
            label: value for label, value in _labels(Resident.Gender.choices).items() if value
        },
        "situation": {
            label: value for label, value in _labels(Resident.Situation.choices).items() if value
        },
        "priority": {
            str(Wish.Priority.URGENT.label): Wish.Priority.URGENT,
            str(Wish.Priority.NORMAL.label): Wish.Priority.NORMAL,
        },
        "target_group": _labels(Wish.TargetGroup.choices),
        "consent": {str(YES): True, str(NO): False},
    }


HEADER_FILL_REQUIRED = PatternFill("solid", fgColor="C8102E")
HEADER_FILL_OPTIONAL = PatternFill("solid", fgColor="E9ECEF")


def template_workbook(user: User) -> Workbook:
    """An empty import sheet for this user, with a 填写说明 sheet listing what may be filled in."""
    with file_language():
        return _template_workbook(user)


def _template_workbook(user: User) -> Workbook:
    communities = list(user.managed_communities().select_related("street"))
    grids = list(
        Grid.objects.filter(community__in=[c.pk for c in communities]).select_related("community")
    )
    categories = [c.name for c in Category.objects.filter(is_active=True)]
    choices = _choice_lists()
    allowed: dict[str, list[str]] = {
        "community": [c.name for c in communities],
        "grid": [g.name for g in grids],
        "category": categories,
        "situation": list(choices["situation"]),
        "target_group": list(choices["target_group"]),
        "gender": list(choices["gender"]),
        "priority": list(choices["priority"]),
        "consent": list(choices["consent"]),
    }

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(WISH_SHEET)
    help_sheet = workbook.create_sheet(str(HELP_SHEET))

    for index, column in enumerate(IMPORT_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=str(column.header))
        cell.font = Font(bold=True, color="FFFFFF" if column.required else "000000")
        cell.fill = HEADER_FILL_REQUIRED if column.required else HEADER_FILL_OPTIONAL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.comment = Comment(str(column.help), str(_("微心愿")), width=220, height=90)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    letters = {column.key: get_column_letter(i) for i, column in enumerate(IMPORT_COLUMNS, 1)}
    # Typed phone numbers stay text (no 1.38E+10); dates show as dates.
    sheet.column_dimensions[letters["phone"]].number_format = "@"
    sheet.column_dimensions[letters["due_date"]].number_format = DATE_FORMAT

    # The 填写说明 sheet: one line per column, then the allowed values side by side.
    help_sheet["A1"] = _("微心愿批量导入 · 填写说明")
    help_sheet["A1"].font = Font(bold=True, size=14)
    help_sheet["A2"] = _(
        "在“%(sheet)s”工作表中每行填写一个心愿，第一行表头不要改动。红色表头的列必须填写。"
        "上传后会逐行检查：全部正确才会导入，有错误时会列出行号和列名，一个心愿也不会导入。"
        "每次最多%(rows)d行。"
    ) % {"sheet": WISH_SHEET, "rows": MAX_ROWS}
    help_sheet["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    help_sheet.merge_cells("A2:C2")
    help_sheet.row_dimensions[2].height = 60
    for index, title in enumerate((_("列名"), _("是否必填"), _("填写说明")), start=1):
        help_sheet.cell(row=4, column=index, value=title).font = Font(bold=True)
    for row, column in enumerate(IMPORT_COLUMNS, start=5):
        help_sheet.cell(row=row, column=1, value=str(column.header))
        help_sheet.cell(row=row, column=2, value=_("必填") if column.required else _("选填"))
        help_sheet.cell(row=row, column=3, value=str(column.help)).alignment = Alignment(
            wrap_text=True
        )
    help_sheet.column_dimensions["A"].width = 16
    help_sheet.column_dimensions["B"].width = 10
    help_sheet.column_dimensions["C"].width = 60

    # Allowed values from column E on; the grid list has its community right beside it.
    lists: list[tuple[str, list[str], str | None]] = []
    for key, values in allowed.items():
        lists.append((str(COLUMNS_BY_KEY[key].header), values, key))
        if key == "grid":
            lists.append((_("网格所属社区"), [g.community.name for g in grids], None))
    help_sheet.cell(row=3, column=5, value=_("可填写的值")).font = Font(bold=True)
    ranges: dict[str, str] = {}
    for column, (header, values, key) in enumerate(lists, start=5):
        letter = get_column_letter(column)
        help_sheet.cell(row=4, column=column, value=header).font = Font(bold=True)
        help_sheet.column_dimensions[letter].width = 16
        for row, value in enumerate(values, start=5):
            help_sheet.cell(row=row, column=column, value=value)
        if key and values:
            where = f"${letter}$5:${letter}${4 + len(values)}"
            ranges[key] = f"{quote_sheetname(help_sheet.title)}!{where}"

    for key, formula in ranges.items():
        validation = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=str(_("不是可选的值")),
            error=str(_("请从下拉列表中选择，可选的值见“填写说明”工作表。")),
        )
        sheet.add_data_validation(validation)
        validation.add(f"{letters[key]}2:{letters[key]}{MAX_ROWS + 1}")
    return workbook


# ----- reading an upload ------------------------------------------------------------------


class SpreadsheetError(Exception):
    """The file as a whole cannot be imported: unreadable, empty, wrong headers, too big."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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


@dataclass
class ImportResult:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    row_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def error_row_count(self) -> int:
        return len({error.row for error in self.errors})


class ImportRejected(Exception):
    """Saving found a problem the checks missed; the transaction was rolled back."""

    def __init__(self, errors: list[RowError]):
        super().__init__(errors)
        self.errors = errors


def read_import(file: IO[bytes], *, user: User) -> ImportResult:
    """Read and check every data row of an uploaded workbook; save nothing.

    Raises SpreadsheetError when the file as a whole is unusable; problems in single cells
    are collected in the result, all rows at once.
    """
    size = getattr(file, "size", None)
    if size is None:
        size = file.seek(0, io.SEEK_END)
        file.seek(0)
    if size > MAX_UPLOAD_BYTES:
        raise SpreadsheetError(
            _("文件太大了（%(size).1f MB），最大 %(max)d MB。请分成几个文件上传。")
            % {"size": size / 1024 / 1024, "max": MAX_UPLOAD_BYTES // 1024 // 1024}
        )
    with file_language():
        headers, rows = _read_sheet(file)
        index = _match_headers(headers)
        checker = _RowChecker(user)
        result = ImportResult(row_count=len(rows))
        for number, values in rows:
            cells = {key: values[i] if i < len(values) else None for key, i in index.items()}
            row = checker.check(number, cells, result.errors)
            if row is not None:
                result.rows.append(row)
        checker.check_duplicates(result.rows, result.errors)
    result.errors.sort(key=lambda error: (error.row, _column_order(error.column)))
    return result


def _column_order(header: str) -> int:
    headers = import_headers()
    return headers.index(header) if header in headers else len(headers)


def _read_sheet(file: IO[bytes]) -> tuple[tuple, list[tuple[int, tuple]]]:
    """The header row and the non-empty data rows, each with its Excel row number."""
    unreadable = _(
        "无法读取这个文件。请上传用 Excel 或 WPS 保存的 .xlsx 文件；"
        "如果是 .xls 或 .csv 格式，请先“另存为” Excel 工作簿（.xlsx）。"
    )
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as error:
        # openpyxl fails in many ways on a broken or disguised file (zip, XML, key and
        # value errors); each one means the same to the person uploading it.
        logger.info("unreadable import upload: %r", error)
        raise SpreadsheetError(unreadable) from error
    try:
        sheet = (
            workbook[str(WISH_SHEET)]
            if str(WISH_SHEET) in workbook.sheetnames
            else workbook.worksheets[0]
        )
        header: tuple | None = None
        rows: list[tuple[int, tuple]] = []
        for number, values in enumerate(_iter_rows(sheet), start=1):
            if number > MAX_SCAN_ROWS:
                raise SpreadsheetError(_too_many_rows())
            if all(_is_blank(value) for value in values):
                continue
            if header is None:
                header = values
                continue
            rows.append((number, values))
            if len(rows) > MAX_ROWS:
                raise SpreadsheetError(_too_many_rows())
    except SpreadsheetError:
        raise
    except Exception as error:
        # Read-only workbooks parse lazily, so a damaged sheet may only fail here.
        logger.info("unreadable import sheet: %r", error)
        raise SpreadsheetError(unreadable) from error
    finally:
        workbook.close()
    if header is None or not rows:
        raise SpreadsheetError(
            _("文件里没有心愿数据。请在导入模板的表头下面，每行填写一个心愿后再上传。")
        )
    return header, rows


def _iter_rows(sheet: Worksheet) -> Iterator[tuple]:
    return sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)


def _too_many_rows() -> str:
    return _("一次最多导入%(n)d行心愿，请把文件分成几个后分别上传。") % {"n": MAX_ROWS}


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _normalise_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    text = re.sub(r"\s+", "", text).rstrip("*")
    # NFKC turns full-width brackets into ASCII ones; the template uses full-width.
    return text.replace("(", "（").replace(")", "）")


def _match_headers(values: tuple) -> dict[str, int]:
    """Which column of the file holds which field; any missing or unknown column is an error."""
    expected = {_normalise_header(column.header): column for column in IMPORT_COLUMNS}
    found: dict[str, int] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    for position, value in enumerate(values):
        text = _normalise_header(value)
        if not text:
            continue
        column = expected.get(text)
        if column is None:
            unknown.append(str(value).strip())
        elif column.key in found:
            repeated.append(str(column.header))
        else:
            found[column.key] = position
    missing = [str(column.header) for column in IMPORT_COLUMNS if column.key not in found]
    if not (missing or unknown or repeated):
        return found
    parts = []
    if missing:
        parts.append(_("缺少列：%(names)s") % {"names": _quoted(missing)})
    if unknown:
        parts.append(_("多出列：%(names)s") % {"names": _quoted(unknown)})
    if repeated:
        parts.append(_("重复的列：%(names)s") % {"names": _quoted(repeated)})
    raise SpreadsheetError(
        _("表头和导入模板不一致（%(problems)s）。请下载导入模板，把数据粘贴到模板里再上传。")
        % {"problems": "；".join(parts)}
    )


def _quoted(names: Iterable[str], limit: int = 8) -> str:
    names = list(names)
    text = "、".join(f"“{name}”" for name in names[:limit])
    if len(names) > limit:
        text += _("等%(n)d列") % {"n": len(names)}
    return text


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
        communities = list(user.managed_communities().select_related("street"))
        self.communities: dict[str, list[Community]] = {}
        for community in communities:
            self.communities.setdefault(community.name, []).append(community)
        self.grids: dict[tuple[int, str], Grid] = {}
        self.grid_names: dict[int, list[str]] = {}
        for grid in Grid.objects.filter(community__in=[c.pk for c in communities]):
            self.grids[grid.community_id, grid.name] = grid
            self.grid_names.setdefault(grid.community_id, []).append(grid.name)
        self.categories = {category.name: category for category in Category.objects.all()}
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
        if not name or community is None:
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
        category = self.categories.get(name)
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


# ----- saving -----------------------------------------------------------------------------

FIELD_COLUMNS = {
    "title": "title",
    "description": "description",
    "category": "category",
    "community": "community",
    "grid": "grid",
    "priority": "priority",
    "target_group": "target_group",
    "estimated_value": "value",
    "due_date": "due_date",
    "public_consent": "consent",
    "name": "name",
    "phone": "phone",
    "address": "address",
    "gender": "gender",
    "situation": "situation",
}


def save_import(result: ImportResult, *, by: User) -> list[Wish]:
    """Save every checked row as a wish awaiting review, in one transaction: all or none.

    Residents are found in the row's community by name and phone, else by name and address,
    else registered anew; blanks in a found resident's record are filled, nothing is overwritten.
    """
    if not result.ok:
        raise ValueError("only a result without errors can be saved")
    with transaction.atomic():
        residents = _Residents(result.rows, by)
        wishes = []
        for row in result.rows:
            try:
                resident = residents.for_row(row)
                wish = Wish.submit(
                    by=by,
                    channel=Wish.Channel.IMPORT,
                    kind=Wish.Kind.INDIVIDUAL,
                    title=row.title,
                    description=row.description,
                    category=row.category,
                    community=row.community,
                    grid=row.grid,
                    resident=resident,
                    priority=row.priority,
                    target_group=row.target_group,
                    estimated_value=row.value,
                    due_date=row.due_date,
                    public_consent=row.consent,
                )
            except ValidationError as error:
                raise ImportRejected(_errors_of(row.number, error)) from error
            wishes.append(wish)
    return wishes


def _errors_of(number: int, error: ValidationError) -> list[RowError]:
    with file_language():
        headers = {key: str(column.header) for key, column in COLUMNS_BY_KEY.items()}
    found = []
    for name, messages in error.message_dict.items():
        header = headers.get(FIELD_COLUMNS.get(name, ""), "")
        found.extend(RowError(number, header, message) for message in messages)
    return found


class _Residents:
    """Finds or registers each row's resident, loading the candidates in one query."""

    FILLABLE = ("grid", "gender", "phone", "address", "situation")

    def __init__(self, rows: list[ImportRow], by: User):
        self.by = by
        self.by_phone: dict[tuple[int, str, str], Resident] = {}
        self.by_address: dict[tuple[int, str, str], Resident] = {}
        candidates = Resident.objects.filter(
            community__in={row.community.pk for row in rows}, name__in={row.name for row in rows}
        ).order_by("pk")
        for resident in candidates:
            self._remember(resident)

    def _remember(self, resident: Resident) -> None:
        if resident.phone:
            self.by_phone.setdefault(
                (resident.community_id, resident.name, resident.phone), resident
            )
        if resident.address:
            self.by_address.setdefault(
                (resident.community_id, resident.name, resident.address), resident
            )

    def for_row(self, row: ImportRow) -> Resident:
        resident = None
        if row.phone:
            resident = self.by_phone.get((row.community.pk, row.name, row.phone))
        elif row.address:
            resident = self.by_address.get((row.community.pk, row.name, row.address))
        if resident is None:
            resident = Resident(
                community=row.community,
                name=row.name,
                grid=row.grid,
                gender=row.gender,
                phone=row.phone,
                address=row.address,
                situation=row.situation,
                created_by=self.by,
            )
            resident.full_clean()
            resident.save()
        else:
            changed = [name for name in self.FILLABLE if self._fill(resident, name, row)]
            if changed:
                resident.full_clean()
                resident.save(update_fields=changed)
        self._remember(resident)
        return resident

    @staticmethod
    def _fill(resident: Resident, name: str, row: ImportRow) -> bool:
        new = row.grid if name == "grid" else getattr(row, name)
        if new and not getattr(resident, name):
            setattr(resident, name, new)
            return True
        return False


# ----- exports ----------------------------------------------------------------------------


def filter_wishes(wishes: QuerySet[Wish], *, status: str = "", q: str = "") -> QuerySet[Wish]:
    """The workbench list's filters: a status, and a keyword in title, resident or number."""
    if status in Wish.Status.values:
        wishes = wishes.filter(status=status)
    q = (q or "").strip()
    if q:
        match = (
            Q(title__icontains=q)
            | Q(resident__name__icontains=q)
            | Q(resident__phone__contains=q)
            | Q(resident__address__icontains=q)
        )
        if q.isdigit():
            match |= Q(pk=int(q))
        wishes = wishes.filter(match)
    return wishes


# Whoever holds the wish now, or fulfilled it: the 认领人/单位 column.
HOLDING_STATES = (Claim.State.OFFERED, Claim.State.ACTIVE, Claim.State.FULFILLED)


def wishes_for_export(
    communities: QuerySet[Community], *, status: str = "", q: str = ""
) -> QuerySet[Wish]:
    holding = (
        Claim.objects.filter(state__in=HOLDING_STATES)
        .select_related("volunteer", "organisation")
        .order_by("-created_at", "-pk")
    )
    wishes = Wish.objects.filter(community__in=communities)
    return (
        filter_wishes(wishes, status=status, q=q)
        .select_related("community", "grid", "category", "resident")
        .prefetch_related(Prefetch("claims", queryset=holding, to_attr="holding_claims"))
        .order_by("community__name", "-created_at", "-pk")
    )


WISH_EXPORT_COLUMNS = (
    (gettext_lazy("编号"), 8),
    (gettext_lazy("社区"), 12),
    (gettext_lazy("网格"), 16),
    (gettext_lazy("心愿标题"), 28),
    (gettext_lazy("类别"), 10),
    (gettext_lazy("类型"), 12),
    (gettext_lazy("紧急程度"), 8),
    (gettext_lazy("状态"), 8),
    (gettext_lazy("心愿人"), 10),
    (gettext_lazy("联系电话"), 14),
    (gettext_lazy("住址"), 24),
    (gettext_lazy("征集渠道"), 10),
    (gettext_lazy("提交时间"), 17),
    (gettext_lazy("认领人/单位"), 20),
    (gettext_lazy("兑现时间"), 17),
    (gettext_lazy("确认时间"), 17),
)


def wishes_workbook(wishes: Iterable[Wish]) -> Workbook:
    """One row per wish, for staff: residents' contact details included, situations left out."""
    with file_language():
        workbook, sheet = _export_sheet(str(WISH_SHEET), WISH_EXPORT_COLUMNS)
        for row, wish in enumerate(wishes, start=2):
            resident = wish.resident
            claims = getattr(wish, "holding_claims", None)
            if claims is None:  # not prefetched: one query for this wish
                claims = list(wish.claims.filter(state__in=HOLDING_STATES).order_by("-created_at"))
            _write_row(
                sheet,
                row,
                [
                    wish.pk,
                    wish.community.name,
                    wish.grid.name if wish.grid else "",
                    wish.title,
                    wish.category.name,
                    wish.get_kind_display(),
                    wish.get_priority_display(),
                    wish.get_status_display(),
                    resident.name if resident else "",
                    resident.phone if resident else "",
                    resident.address if resident else "",
                    wish.get_channel_display(),
                    _local(wish.created_at),
                    claims[0].holder_display if claims else "",
                    _local(wish.fulfilled_at),
                    _local(wish.confirmed_at),
                ],
            )
        _finish(sheet, len(WISH_EXPORT_COLUMNS))
    return workbook


def volunteers_for_export(
    communities: QuerySet[Community],
) -> QuerySet[VolunteerRegistration]:
    """Each 双报到 registration with the communities, counting claims made in that community."""

    def count(**filters) -> Coalesce:
        claims = (
            Claim.objects.filter(
                volunteer=OuterRef("volunteer__user"),
                wish__community=OuterRef("community"),
                **filters,
            )
            .order_by()
            .values("volunteer")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(claims, output_field=IntegerField()), 0)

    return (
        VolunteerRegistration.objects.filter(community__in=communities)
        .select_related("volunteer__user", "volunteer__organisation", "community")
        .annotate(
            claim_count=count(accepted_at__isnull=False),
            fulfilled_count=count(state=Claim.State.FULFILLED),
        )
        .order_by("community__name", "status", "-created_at", "-pk")
    )


VOLUNTEER_EXPORT_COLUMNS = (
    (gettext_lazy("姓名"), 10),
    (gettext_lazy("手机号"), 14),
    (gettext_lazy("党员"), 6),
    (gettext_lazy("单位/党支部"), 24),
    (gettext_lazy("报到社区"), 12),
    (gettext_lazy("报到状态"), 10),
    (gettext_lazy("报到时间"), 17),
    (gettext_lazy("认领次数"), 10),
    (gettext_lazy("兑现次数"), 10),
)


def volunteers_workbook(registrations: Iterable[VolunteerRegistration]) -> Workbook:
    with file_language():
        workbook, sheet = _export_sheet(str(_("志愿者")), VOLUNTEER_EXPORT_COLUMNS)
        for row, registration in enumerate(registrations, start=2):
            profile = registration.volunteer
            user = profile.user
            _write_row(
                sheet,
                row,
                [
                    user.display_name,
                    user.phone or "",
                    str(YES if profile.is_party_member else NO),
                    profile.organisation.name if profile.organisation else "",
                    registration.community.name,
                    registration.get_status_display(),
                    _local(registration.created_at),
                    getattr(registration, "claim_count", 0),
                    getattr(registration, "fulfilled_count", 0),
                ],
            )
        _finish(sheet, len(VOLUNTEER_EXPORT_COLUMNS))
    return workbook


def _export_sheet(title: str, columns) -> tuple[Workbook, Worksheet]:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for index, (header, width) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=str(header))
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL_OPTIONAL
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    return workbook, sheet


def _write_row(sheet: Worksheet, row: int, values: list[Any]) -> None:
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell = sheet.cell(row=row, column=column, value=value)
        if isinstance(value, str) and value.startswith("="):
            # Residents' text is data, never a formula Excel would run.
            cell.data_type = "s"
        elif isinstance(value, datetime.datetime):
            cell.number_format = DATETIME_FORMAT


def _finish(sheet: Worksheet, width: int) -> None:
    sheet.auto_filter.ref = f"A1:{get_column_letter(width)}{max(sheet.max_row, 1)}"


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    """Beijing time to the second, without a zone: Excel has no time zones."""
    if moment is None:
        return None
    return timezone.localtime(moment, EXPORT_TIMEZONE).replace(tzinfo=None, microsecond=0)


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
