"""A report as a spreadsheet: the figures shown on the page, one sheet per table, in the language
the page was read in."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl import Workbook

from wishes.spreadsheets.exporting import _export_sheet, _finish, _write_row

from .report import Report


def _table(workbook: Workbook, title: str, columns: list[tuple[str, int]], rows: list[list]):
    sheet = workbook.create_sheet(title[:31])
    for index, (header, width) in enumerate(columns, start=1):
        sheet.cell(row=1, column=index, value=header)
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    for number, values in enumerate(rows, start=2):
        _write_row(sheet, number, values)
    _finish(sheet, len(columns))
    sheet.freeze_panes = "A2"
    return sheet


def _breakdown(workbook, title: str, first: str, rows: list[dict]) -> None:
    _table(
        workbook,
        title,
        [(first, 24), (_("征集"), 10), (_("实现"), 10), (_("无法实现"), 10)],
        [[row["label"], row["collected"], row["fulfilled"], row["closed"]] for row in rows],
    )


def report_workbook(report: Report) -> Workbook:
    figures = report.summary
    workbook, sheet = _export_sheet(_("概况"), [(_("项目"), 24), (_("数值"), 16)])
    rows = [
        (_("范围"), report.scope.name),
        (_("时间"), report.period.label),
        (_("征集"), figures.collected),
        (_("发布"), figures.published),
        (_("认领"), figures.claimed),
        (_("实现"), figures.fulfilled),
        (_("确认"), figures.confirmed),
        (_("无法实现"), figures.closed),
        (_("未通过审核"), figures.rejected),
        (_("撤回"), figures.withdrawn),
        (_("实现率（%）"), figures.rate if figures.rate is not None else "—"),
        (_("参与志愿者"), figures.volunteers),
        (_("其中在职党员"), figures.party_members),
        (_("参与单位"), figures.organisations),
        (_("志愿服务时长（小时）"), float(figures.hours)),
    ]
    if report.staff:
        rows += [
            (_("从提交到认领（中位数，天）"), report.medians.get("to_claim") or "—"),
            (_("从认领到实现（中位数，天）"), report.medians.get("to_fulfil") or "—"),
        ]
    rows.append((_("报告文字"), report.sentence))
    for number, (label, value) in enumerate(rows, start=2):
        _write_row(sheet, number, [str(label), value])
    _finish(sheet, 2)
    sheet.column_dimensions["B"].width = 60
    _table(
        workbook,
        _("逐月"),
        [(_("月份"), 14), (_("征集"), 10), (_("实现"), 10)],
        [[row["label"], row["collected"], row["fulfilled"]] for row in report.monthly],
    )
    _breakdown(workbook, _("按类别"), _("类别"), report.by_category)
    if report.place_kind:
        _breakdown(workbook, report.place_label, report.place_label, report.by_place)
    if report.staff:
        _breakdown(workbook, _("按服务对象"), _("服务对象"), report.by_target_group)
        _breakdown(workbook, _("按征集渠道"), _("征集渠道"), report.by_channel)
        _table(
            workbook,
            _("按单位"),
            [
                (_("单位"), 28),
                (_("参与成员"), 10),
                (_("认领"), 10),
                (_("实现"), 10),
                (_("社区"), 10),
            ],
            [
                [row["label"], row["members"], row["wishes"], row["fulfilled"], row["communities"]]
                for row in report.by_organisation
            ],
        )
        _table(
            workbook,
            _("按志愿者"),
            [(_("志愿者"), 16), (_("认领"), 10), (_("实现"), 10), (_("时长（小时）"), 12)],
            [
                [row["label"], row["wishes"], row["fulfilled"], float(row["hours"])]
                for row in report.by_volunteer
            ],
        )
    return workbook
