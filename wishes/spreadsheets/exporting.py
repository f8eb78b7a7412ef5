"""The exports: the workbench's wish list and the 双报到 volunteers, one row each."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from accounts.models import VolunteerRegistration

from ..models import Claim, Wish
from .columns import (
    DATETIME_FORMAT,
    EXPORT_TIMEZONE,
    HEADER_FILL_OPTIONAL,
    NO,
    WISH_SHEET,
    YES,
    file_language,
)


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
        if q.isdecimal():
            match |= Q(pk=int(q))
        wishes = wishes.filter(match)
    return wishes


# Whoever holds the wish now, or fulfilled it: the 认领人/单位 column.
HOLDING_STATES = (Claim.State.OFFERED, Claim.State.ACTIVE, Claim.State.FULFILLED)


def wishes_for_export(wishes: QuerySet[Wish], *, status: str = "", q: str = "") -> QuerySet[Wish]:
    """The given wishes (already scoped by the access policy), filtered as the list was."""
    holding = (
        Claim.objects.filter(state__in=HOLDING_STATES)
        .select_related("volunteer", "organisation")
        .order_by("-created_at", "-pk")
    )
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
                    wish.category.label,
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
    registrations: QuerySet[VolunteerRegistration],
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
        registrations.select_related("volunteer__user", "volunteer__organisation", "community")
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


# What makes a spreadsheet read a cell as a formula (OWASP: CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            # Residents' text is data, never a formula a spreadsheet would run (=HYPERLINK…,
            # +cmd, -1+1, @SUM…): stored as text, and marked as typed with a leading apostrophe
            # so it stays text when someone edits the cell. What it says is unchanged.
            cell.data_type = "s"
            cell.quotePrefix = True
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
