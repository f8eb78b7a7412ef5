"""居民档案: one resident's record for the staff who work on it — their wishes, who looked at
their contact details, and the resident's rights: a copy of everything held, and erasure."""

from __future__ import annotations

import json
import secrets
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import Resident
from accounts.scoping import scope_of
from audit.models import AuditEntry
from audit.records import record_contact_view, record_password_reset
from audit.security import security_event

from ... import policy, privacy, spreadsheets
from ...models import Wish
from ...staff_forms import ResidentForm
from .base import NOT_WHOLE_COMMUNITY, chosen_communities, staff_required


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("删除原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("例如：居民本人电话申请删除个人信息。会记入操作记录。"),
        error_messages={"required": gettext_lazy("请写明删除原因。")},
    )
    confirmed = forms.BooleanField(
        label=gettext_lazy("我已核实这是居民本人（或其监护人）的要求，删除后无法恢复"),
        error_messages={"required": gettext_lazy("请勾选确认已核实居民本人的要求。")},
    )


def managed_resident(request: HttpRequest, pk: int) -> Resident:
    queryset = policy.residents.managed(request.user).select_related(
        "community", "grid", "user", "created_by"
    )
    return get_object_or_404(queryset, pk=pk)


@staff_required
def resident_page(request, pk: int, erase_form: EraseForm | None = None):
    resident = managed_resident(request, pk)
    record_contact_view(request.user, resident, how="resident_page")
    wishes = (
        Wish.objects.filter(resident=resident).select_related("category").order_by("-created_at")
    )
    access = AuditEntry.objects.filter(resident=resident).select_related("actor")[:50]
    return render(
        request,
        "staff/resident.html",
        {
            "resident": resident,
            "wishes": wishes,
            "access": access,
            "may_erase": scope_of(request.user).runs(resident.community_id),
            "may_reset_password": may_reset_password(resident),
            "erase_form": erase_form or EraseForm(),
        },
        status=400 if erase_form is not None else 200,
    )


@staff_required
def export_json(request, pk: int):
    resident = managed_resident(request, pk)
    data = privacy.resident_record(resident)
    privacy.record_export(resident, by=request.user, how="json")
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return _attachment(response, resident, "json")


@staff_required
def export_xlsx(request, pk: int):
    resident = managed_resident(request, pk)
    workbook = privacy.resident_workbook(privacy.resident_record(resident))
    privacy.record_export(resident, by=request.user, how="xlsx")
    response = HttpResponse(
        spreadsheets.workbook_bytes(workbook), content_type=spreadsheets.XLSX_CONTENT_TYPE
    )
    return _attachment(response, resident, "xlsx")


def _attachment(response: HttpResponse, resident: Resident, ext: str) -> HttpResponse:
    today = timezone.localdate().isoformat()
    name = _("居民信息-%(name)s-%(date)s.%(ext)s") % {
        "name": resident.name,
        "date": today,
        "ext": ext,
    }
    response["Content-Disposition"] = (
        f'attachment; filename="resident-{resident.pk}-{today}.{ext}"; '
        f"filename*=UTF-8''{quote(name, safe='')}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@staff_required
def erase(request, pk: int):
    resident = managed_resident(request, pk)
    if not scope_of(request.user).runs(resident.community_id):
        raise PermissionDenied(NOT_WHOLE_COMMUNITY)
    if resident.name == privacy.ERASED_NAME and not resident.phone and not resident.address:
        messages.info(request, _("这位居民的个人信息已经删除过了。"))
        return redirect("staff:resident", pk=resident.pk)
    form = EraseForm(request.POST)
    if not form.is_valid():
        return resident_page(request, pk, erase_form=form)
    privacy.erase_resident(resident, by=request.user, reason=form.cleaned_data["reason"])
    messages.success(
        request,
        _("已删除这位居民的个人信息和照片；统计数字和匿名的进展记录保留，操作已记录。"),
    )
    return redirect("staff:resident", pk=resident.pk)


@staff_required
def access_log(request):
    """Who looked at or handled residents' personal data, in the communities I work in."""
    communities, picked = chosen_communities(request)
    scope = scope_of(request.user)
    entries = (
        AuditEntry.objects.filter(community__in=communities)
        .filter(scope.works_on_q("community", "grid"))
        .select_related("actor", "resident", "community")
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/access_log.html",
        {"page_obj": page, "entries": page, "communities": communities, "picked": picked},
    )


@staff_required
def resident_edit(request, pk: int):
    """Correct a resident's record after a visit or a call: phone, address, how volunteers
    should address them, the household situation."""
    resident = managed_resident(request, pk)
    form = ResidentForm(
        request.POST or None,
        instance=resident,
        communities=policy.communities.worked_in(request.user),
        grids=policy.communities.grids(request.user),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("已保存%(name)s的档案。") % {"name": resident.name})
        return redirect("staff:resident", pk=resident.pk)
    return render(request, "staff/resident_edit.html", {"form": form, "resident": resident})


def may_reset_password(resident: Resident) -> bool:
    """A resident's own login, never a staff member's (those reset through the admin)."""
    user = resident.user
    return user is not None and user.is_active and not (user.is_staff or user.is_community_staff)


TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # nothing to confuse: no 0/o, 1/l/i


@never_cache
@require_POST
@staff_required
def reset_password(request, pk: int):
    """An elderly resident forgot their password: staff who work on their record set a
    temporary one, shown once, which the resident must replace at their next login."""
    resident = managed_resident(request, pk)
    if not may_reset_password(resident):
        raise PermissionDenied
    user = resident.user
    temporary = "".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(10))
    user.set_password(temporary)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    security_event(
        "password_reset", request=request, target_user_id=user.pk, by="staff", resident=resident.pk
    )
    record_password_reset(request.user, resident)
    response = render(
        request,
        "staff/resident_password.html",
        {"resident": resident, "login": user.phone or user.username, "temporary": temporary},
    )
    return response
