"""The import template: an empty 心愿 sheet with drop-down lists, and a 填写说明 sheet."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ..models import Category
from .columns import (
    COLUMNS_BY_KEY,
    DATE_FORMAT,
    HEADER_FILL_OPTIONAL,
    HEADER_FILL_REQUIRED,
    HELP_SHEET,
    IMPORT_COLUMNS,
    MAX_ROWS,
    WISH_SHEET,
    _choice_lists,
    file_language,
)

if TYPE_CHECKING:
    from accounts.models import User


def template_workbook(user: User) -> Workbook:
    """An empty import sheet for this user, with a 填写说明 sheet listing what may be filled in."""
    with file_language():
        return _template_workbook(user)


def _template_workbook(user: User) -> Workbook:
    from ..policy import communities as community_policy

    communities = list(community_policy.worked_in(user).select_related("street"))
    grids = list(
        community_policy.grids(user)
        .filter(community__in=[c.pk for c in communities])
        .select_related("community")
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
