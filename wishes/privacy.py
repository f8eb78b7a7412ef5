"""A resident's rights over their data (PIPL): everything held about them, and erasure.

`resident_record()` gathers every personal datum the programme holds about one resident — the
record itself, their login, their wishes with timelines, photos, claims, follow-ups and who
looked at their contact details — for staff to hand over as JSON or a spreadsheet.
`erase_resident()` anonymises the person while keeping what the statistics need (community,
grid, category, status, dates) and the timeline's shape; photos are deleted. Both are recorded
in the audit log (who, when, why). One action spans accounts, wishes and audit, hence a service
module rather than a model method.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from openpyxl import Workbook

from audit.models import AuditEntry
from audit.records import record
from notices.models import Notice

from . import versions
from .models import Claim, FollowUp, Wish, WishEvent, WishPhoto
from .spreadsheets.columns import file_language
from .spreadsheets.exporting import _export_sheet, _finish, _write_row

if TYPE_CHECKING:
    from accounts.models import Resident, User

ERASED_NAME = "已删除的居民"


def _when(moment: datetime.datetime | datetime.date | None) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, datetime.datetime):
        return timezone.localtime(moment).isoformat()
    return moment.isoformat()


def resident_record(resident: Resident) -> dict[str, Any]:
    """Everything held about this resident, as plain data (JSON-ready)."""
    user = resident.user
    wishes = list(
        Wish.objects.filter(resident=resident)
        .select_related("category", "community", "grid")
        .order_by("created_at", "pk")
    )
    ids = [wish.pk for wish in wishes]
    events = WishEvent.objects.filter(wish__in=ids).select_related("actor").order_by("pk")
    photos = WishPhoto.objects.filter(wish__in=ids).order_by("pk")
    claims = (
        Claim.objects.filter(wish__in=ids)
        .select_related("volunteer", "organisation")
        .order_by("pk")
    )
    follow_ups = FollowUp.objects.filter(wish__in=ids).select_related("visited_by")
    access = AuditEntry.objects.filter(resident=resident).select_related("actor")
    return {
        "exported_at": _when(timezone.now()),
        "resident": {
            "id": resident.pk,
            "name": resident.name,
            "gender": resident.get_gender_display() if resident.gender else "",
            "phone": resident.phone,
            "address": resident.address,
            "address_as": resident.address_as,
            "community": str(resident.community),
            "grid": resident.grid.name if resident.grid_id else "",
            "situation": resident.get_situation_display() if resident.situation else "",
            "situation_detail": resident.situation_detail,
            "recorded_at": _when(resident.created_at),
        },
        "login": None
        if user is None
        else {
            "username": user.username,
            "real_name": user.real_name,
            "phone": user.phone or "",
            "email": user.email,
            "joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
        },
        "wishes": [
            {
                "id": wish.pk,
                "title": wish.title,
                "description": wish.description,
                "category": wish.category.label,
                "kind": wish.get_kind_display(),
                "status": wish.get_status_display(),
                "channel": wish.get_channel_display(),
                "public_consent": wish.public_consent,
                "submitted_at": _when(wish.created_at),
                "reject_reason": wish.reject_reason,
                "fulfil_note": wish.fulfil_note,
                "delivery_note": wish.delivery_note,
                "fulfilled_at": _when(wish.fulfilled_at),
                "confirmed_at": _when(wish.confirmed_at),
                "thanks_note": wish.thanks_note,
                "rating": wish.rating,
                "close_reason": wish.close_reason,
            }
            for wish in wishes
        ],
        "timeline": [
            {
                "wish": event.wish_id,
                "at": _when(event.created_at),
                "action": event.action_label,
                "by": event.actor_display,
                "note": event.note,
            }
            for event in events
        ],
        "photos": [
            {
                "wish": photo.wish_id,
                "kind": photo.get_kind_display(),
                "uploaded_at": _when(photo.created_at),
                "file": photo.image.name,
            }
            for photo in photos
        ],
        "claims": [
            {
                "wish": claim.wish_id,
                "by": claim.holder_display,
                "state": claim.get_state_display(),
                "since": _when(claim.created_at),
                "ended_at": _when(claim.ended_at),
            }
            for claim in claims
        ],
        "follow_ups": [
            {
                "wish": visit.wish_id,
                "on": _when(visit.visited_on),
                "method": visit.get_method_display(),
                "satisfaction": visit.get_satisfaction_display() if visit.satisfaction else "",
                "note": visit.note,
                "by": str(visit.visited_by) if visit.visited_by_id else "",
            }
            for visit in follow_ups
        ],
        "access_log": [
            {
                "at": _when(entry.created_at),
                "who": entry.actor_display,
                "what": entry.get_action_display(),
                "how": entry.how,
            }
            for entry in access
        ],
    }


SHEETS = {
    "wishes": (
        _l("心愿"),
        [
            (_l("编号"), 8),
            (_l("标题"), 28),
            (_l("描述"), 40),
            (_l("类别"), 10),
            (_l("状态"), 8),
            (_l("提交时间"), 20),
        ],
        ["id", "title", "description", "category", "status", "submitted_at"],
    ),
    "timeline": (
        _l("进展记录"),
        [
            (_l("心愿编号"), 8),
            (_l("时间"), 20),
            (_l("操作"), 12),
            (_l("操作人"), 12),
            (_l("说明"), 40),
        ],
        ["wish", "at", "action", "by", "note"],
    ),
    "photos": (
        _l("照片"),
        [
            (_l("心愿编号"), 8),
            (_l("类型"), 14),
            (_l("上传时间"), 20),
            (_l("文件"), 40),
        ],
        ["wish", "kind", "uploaded_at", "file"],
    ),
    "claims": (
        _l("认领"),
        [
            (_l("心愿编号"), 8),
            (_l("认领人/单位"), 20),
            (_l("状态"), 10),
            (_l("开始"), 20),
            (_l("结束"), 20),
        ],
        ["wish", "by", "state", "since", "ended_at"],
    ),
    "follow_ups": (
        _l("回访"),
        [
            (_l("心愿编号"), 8),
            (_l("日期"), 12),
            (_l("方式"), 10),
            (_l("满意度"), 10),
            (_l("情况"), 40),
        ],
        ["wish", "on", "method", "satisfaction", "note"],
    ),
    "access_log": (
        _l("访问记录"),
        [
            (_l("时间"), 20),
            (_l("谁"), 12),
            (_l("做了什么"), 16),
            (_l("途径"), 16),
        ],
        ["at", "who", "what", "how"],
    ),
}


def resident_workbook(data: dict[str, Any]) -> Workbook:
    """The same record as a spreadsheet: the person on the first sheet, one sheet per kind."""
    with file_language():
        person = data["resident"]
        workbook, sheet = _export_sheet(str(_("居民")), [(_l("项目"), 14), (_l("内容"), 50)])
        rows = [
            (_("姓名"), person["name"]),
            (_("性别"), person["gender"]),
            (_("联系电话"), person["phone"]),
            (_("住址"), person["address"]),
            (_("怎么称呼"), person["address_as"]),
            (_("社区"), person["community"]),
            (_("网格"), person["grid"]),
            (_("家庭情况"), person["situation"]),
            (_("情况说明"), person["situation_detail"]),
            (_("登记时间"), person["recorded_at"]),
        ]
        if data["login"]:
            rows += [
                (_("登录账号"), data["login"]["username"]),
                (_("电子邮箱"), data["login"]["email"]),
            ]
        rows.append((_("导出时间"), data["exported_at"]))
        for number, (label, value) in enumerate(rows, start=2):
            _write_row(sheet, number, [str(label), value])
        _finish(sheet, 2)
        for key, (title, columns, fields) in SHEETS.items():
            sheet = workbook.create_sheet(str(title))
            for index, (header, width) in enumerate(columns, start=1):
                sheet.cell(row=1, column=index, value=str(header))
                sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
            for number, item in enumerate(data[key], start=2):
                _write_row(sheet, number, [item[field] for field in fields])
            _finish(sheet, len(columns))
    return workbook


def record_export(resident: Resident, *, by: User, how: str) -> None:
    record(by, AuditEntry.Action.RESIDENT_EXPORTED, resident=resident, how=how)


def erase_resident(resident: Resident, *, by: User, reason: str) -> None:
    """Anonymise a resident on request: personal fields cleared, photos deleted, their wishes'
    text and the timeline's notes emptied; community, grid, category, status and dates stay
    for the statistics. Recorded in the audit log with who, when and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("an erasure needs a reason")
    from accounts.models import Resident as ResidentModel

    wishes = Wish.objects.filter(resident=resident)
    photos = list(WishPhoto.objects.filter(wish__in=wishes))
    with transaction.atomic():
        record(
            by,
            AuditEntry.Action.RESIDENT_ERASED,
            resident=resident,
            reason=reason,
            how="staff",
        )
        for wish in wishes.select_related("category"):
            Wish.objects.filter(pk=wish.pk).update(
                title=_("%(category)s心愿（个人信息已删除）") % {"category": wish.category.label},
                description=_("（个人信息已按居民要求删除）"),
                public_consent=False,
                reject_reason="",
                fulfil_note="",
                delivery_note="",
                thanks_note="",
                close_reason="",
            )
        # The timeline keeps what happened and when; its words about the person go.
        WishEvent.objects.filter(wish__in=wishes).update(note="")
        Claim.objects.filter(wish__in=wishes).update(note="", end_reason="")
        FollowUp.objects.filter(wish__in=wishes).update(note="")
        Notice.objects.filter(wish__in=wishes).update(
            text=_("（这条通知涉及的居民信息已删除）"), params={}
        )
        WishPhoto.objects.filter(pk__in=[photo.pk for photo in photos]).delete()
        user = resident.user
        ResidentModel.objects.filter(pk=resident.pk).update(
            name=ERASED_NAME,
            gender="",
            phone="",
            address="",
            address_as="",
            situation="",
            situation_detail="",
            user=None,
        )
        versions.bump_list()  # the updates above send no signals
        if user is not None and not _has_other_roles(user):
            _erase_login(user)
        # Files go only once the rows are gone for good.
        names = [(photo.image.storage, photo.image.name) for photo in photos]
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])
    resident.refresh_from_db()


def _has_other_roles(user: User) -> bool:
    return user.is_superuser or user.staff_roles.exists() or hasattr(user, "volunteer_profile")


def _erase_login(user: User) -> None:
    """A login that only served this resident: anonymised and closed."""
    user.username = f"erased-{user.pk}"
    user.real_name = ""
    user.first_name = ""
    user.last_name = ""
    user.email = ""
    user.phone = None
    user.is_active = False
    user.set_unusable_password()
    user.save()
