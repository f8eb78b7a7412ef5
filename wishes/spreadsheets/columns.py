"""What every spreadsheet shares: limits, formats and sheet names, and the import columns with
the values each enumerated column accepts.

The files themselves are always in Chinese (headers, allowed values, sheet names), whatever
language the page is shown in, so a template downloaded by one person can be uploaded by another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from openpyxl.styles import PatternFill

from accounts.models import Resident

from ..models import Wish

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
