"""导入导出: the Excel template, uploading filled sheets, and exporting wishes and volunteers.

The work is done in the wishes/spreadsheets/ package; these views pass files and filters in and out.
"""

from __future__ import annotations

import datetime
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.forms import submit_free_helper
from audit.records import record_contact_export
from audit.security import security_event

from ... import policy, spreadsheets
from ...models import Wish
from .base import area_wishes, chosen_communities, community_staff_required, staff_required


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("选择填好的 Excel 文件（.xlsx）"),
        help_text=gettext_lazy("最大 5 MB，最多 2000 行。"),
        error_messages={"required": gettext_lazy("请选择要上传的 Excel 文件。")},
        widget=forms.ClearableFileInput(
            attrs={"accept": f".xlsx,{spreadsheets.XLSX_CONTENT_TYPE}"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = submit_free_helper()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > spreadsheets.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("文件太大了，最大 %(max)d MB。请分成几个文件上传。")
                % {"max": spreadsheets.MAX_UPLOAD_BYTES // 1024 // 1024}
            )
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("只能上传 .xlsx 格式的 Excel 文件。.xls 或 .csv 文件请先“另存为” .xlsx。")
            )
        return upload


# No wish is older or newer than these; past them a bound would only overflow a datetime.
EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(9000, 1, 1)


def submitted_between(
    wishes: QuerySet[Wish], start: datetime.date | None, end: datetime.date | None
) -> QuerySet[Wish]:
    """Wishes submitted from `start` to `end`, Beijing dates, both days included."""
    beijing = timezone.get_default_timezone()
    if start and start > EARLIEST:
        wishes = wishes.filter(
            created_at__gte=datetime.datetime.combine(start, datetime.time.min, beijing)
        )
    if end and end < LATEST:
        next_day = end + datetime.timedelta(days=1)
        wishes = wishes.filter(
            created_at__lt=datetime.datetime.combine(next_day, datetime.time.min, beijing)
        )
    return wishes


class DateField(forms.DateField):
    """A date picker on phones; what a browser without one sends is read as 2026-07-01."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {
        "invalid": gettext_lazy("请按“年-月-日”填写日期，例如 2026-07-01。"),
    }


class ExportForm(forms.Form):
    """Which wishes to list and export: a status, a keyword and the days they were submitted,
    on top of the community picker."""

    status = forms.ChoiceField(label=gettext_lazy("状态"), required=False)
    q = forms.CharField(
        label=gettext_lazy("关键词"),
        required=False,
        max_length=50,
        help_text=gettext_lazy("心愿标题、居民姓名、电话、住址或编号，可不填。"),
    )
    submitted_from = DateField(label=gettext_lazy("提交日期从"), required=False)
    submitted_to = DateField(label=gettext_lazy("提交日期到"), required=False)

    DATES = ("submitted_from", "submitted_to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("全部状态")), *Wish.Status.choices]
        self.helper = submit_free_helper()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("submitted_from"), cleaned.get("submitted_to")
        if start and end and start > end:
            self.add_error(
                "submitted_to",
                _("开始日期 %(start)s 晚于结束日期 %(end)s，请重新选择。")
                % {"start": start.isoformat(), "end": end.isoformat()},
            )
            cleaned.pop("submitted_from", None)  # a range the wrong way round is no range
        return cleaned

    @property
    def date_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.DATES]

    @property
    def bad_dates(self) -> bool:
        return self.is_bound and any(name in self.errors for name in self.DATES)

    def tallied_statuses(self) -> list[str] | None:
        """The statuses asked for (all of them when none is picked), when nothing else narrows
        the list — so the wish tally knows how many there are; else None."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("q") or any(data.get(name) for name in self.DATES) or self.bad_dates:
            return None
        return [data["status"]] if data.get("status") else list(Wish.Status.values)

    def filter(self, wishes: QuerySet[Wish]) -> QuerySet[Wish]:
        """The wishes these filters leave; a filter that is not valid is left out (the form
        says why)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})  # none at all when nothing was submitted
        wishes = spreadsheets.filter_wishes(
            wishes, status=data.get("status", ""), q=data.get("q", "")
        )
        return submitted_between(wishes, data.get("submitted_from"), data.get("submitted_to"))


@staff_required
def import_wishes(request):
    """GET: the template link and the upload form. POST: check the file, save all or nothing."""
    result = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = spreadsheets.read_import(form.cleaned_data["file"], user=request.user)
                if result.ok:
                    wishes = spreadsheets.save_import(result, by=request.user)
                    messages.success(
                        request,
                        _("已导入 %(n)d 个心愿，等待审核。") % {"n": len(wishes)},
                    )
                    return redirect("staff:review")
            except spreadsheets.SpreadsheetError as error:
                form.add_error("file", error.message)
            except spreadsheets.ImportRejected as rejected:
                result.errors = rejected.errors
    else:
        form = ImportForm()
    communities, picked = chosen_communities(request)
    return render(
        request,
        "staff/import.html",
        {
            "form": form,
            "result": result,
            "errors_shown": result.errors[:ERRORS_SHOWN] if result else [],
            "errors_hidden": max(len(result.errors) - ERRORS_SHOWN, 0) if result else 0,
            "export_form": ExportForm(),
            "communities": communities,
            "picked": picked,
            "max_rows": spreadsheets.MAX_ROWS,
        },
    )


# A sheet with every cell wrong would make a page nobody can read; the first few hundred
# show what is wrong with the file.
ERRORS_SHOWN = 200


@staff_required
def import_template(request):
    workbook = spreadsheets.template_workbook(request.user)
    return _xlsx(workbook, "wish-import-template.xlsx", _("心愿导入模板.xlsx"))


@staff_required
def export_wishes(request):
    """The wishes of the chosen communities, filtered as the list was, one row each."""
    communities, picked = chosen_communities(request)
    form = ExportForm(request.GET)
    if form.bad_dates:
        # A file that does not match what was asked for is worse than none: back to the list,
        # which shows what is wrong with the dates and keeps what was typed.
        messages.error(request, _("日期有误，没有导出。请改正日期后再导出。"))
        return redirect(f"{reverse('staff:wishes')}?{request.GET.urlencode()}")
    # Any other invalid filter (unknown status, a NUL byte) is dropped rather than an error page.
    wishes = list(spreadsheets.wishes_for_export(form.filter(area_wishes(request, communities))))
    record_contact_export(request.user, (wish.resident for wish in wishes), how="export_wishes")
    today = timezone.localdate().isoformat()
    name = _("%(scope)s心愿-%(date)s.xlsx") % {"scope": picked or "", "date": today}
    return _xlsx(spreadsheets.wishes_workbook(wishes), f"wishes-{today}.xlsx", name)


@community_staff_required
def export_volunteers(request):
    communities, picked = chosen_communities(request, whole=True)
    registrations = list(
        spreadsheets.volunteers_for_export(
            policy.volunteers.registrations(request.user).filter(community__in=communities)
        )
    )
    # Volunteers' names and phone numbers leave the site: the security log hears of it.
    security_event(
        "personal_data_exported",
        request=request,
        outcome="success",
        action="volunteers_exported",
        how="export_volunteers",
        volunteers=len(registrations),
    )
    today = timezone.localdate().isoformat()
    name = _("%(scope)s志愿者-%(date)s.xlsx") % {"scope": picked or "", "date": today}
    return _xlsx(spreadsheets.volunteers_workbook(registrations), f"volunteers-{today}.xlsx", name)


def _xlsx(workbook, ascii_name: str, name: str) -> HttpResponse:
    """A download with an ASCII file name for old clients and the Chinese one for the rest."""
    response = HttpResponse(
        spreadsheets.workbook_bytes(workbook), content_type=spreadsheets.XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    # Residents' names and phone numbers: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response
