"""志愿服务时长: the rules for volunteers' service hours, in one place.

Hours come two ways and stay apart:

- **Events.** Signing in at a hand-over event (or being added by staff) credits the event's
  duration, rounded to the half hour, on the day the event began (Beijing time), approved at
  once. Staff removing the attendance withdraws the credit (it stays on record, not counted);
  signing in again credits it again.
- **Wishes.** The volunteer named on a wish's fulfilled claim enters the hours they gave; the
  entry waits until staff who work on the wish (wishes/policy.py) approve or reject it. The
  volunteer may change it while it waits, or after a rejection (it then waits again); an
  approved entry is settled.

Nobody gives more than 24 hours in a day: pending and approved hours count, rejected ones do
not. A wish entry's day lies between the day the claim began and today. Every entry, edit and
decision is written down (ServiceHoursChange), in the site's language.

Each function runs in one transaction, locking the volunteer's row so two entries for the same
person cannot both slip under the daily cap, and refuses with a `HoursError` whose Chinese
message the views show as it is.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Q, QuerySet, Sum
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from wishes import policy
from wishes.lifecycle import Status, WishError
from wishes.models import Claim, Wish

from .models import MAX_HOURS_A_DAY, ServiceHours, ServiceHoursChange

if TYPE_CHECKING:
    from accounts.models import User
    from communities.models import Community
    from wishes.models import EventAttendance

HALF = Decimal("0.5")
ZERO = Decimal("0")
FULFILLED = (Status.FULFILLED, Status.CONFIRMED)
COUNTED = (ServiceHours.Status.PENDING, ServiceHours.Status.APPROVED)


class HoursError(WishError):
    """A refused entry or decision; `code` as for WishError ("invalid", "forbidden", …)."""


# ----- small helpers ---------------------------------------------------------------------------


def to_half_hours(value: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
    """`value` hours on the half-hour grid (nearest by default), with one decimal: 2.0, 2.5."""
    halves = (value * 2).quantize(Decimal("1"), rounding=rounding)
    return (halves / 2).quantize(Decimal("0.1"))


def hours_text(value: Decimal) -> str:
    """3.0, 4.5: how hours are written in records and notices."""
    return f"{value:.1f}"


def _day_text(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _lock(user: User) -> None:
    """Serialise changes to one person's hours (the daily cap reads, then writes)."""
    from accounts.models import User

    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()


def hours_on(volunteer: User, day: datetime.date, *, leaving_out: int | None = None) -> Decimal:
    """What the person already has on that day, pending and approved (rejected hours don't
    count), without the entry `leaving_out` (the one being changed)."""
    rows = ServiceHours.objects.filter(volunteer=volunteer, day=day, status__in=COUNTED)
    if leaving_out is not None:
        rows = rows.exclude(pk=leaving_out)
    return rows.aggregate(total=Sum("hours"))["total"] or ZERO


def _record(entry: ServiceHours, by: User | None, what: str) -> ServiceHoursChange:
    return ServiceHoursChange.objects.create(entry=entry, by=by, what=what[:200])


def _in_site_language():
    """Records are kept in one language, whoever's screen the change came from."""
    return translation.override(settings.LANGUAGE_CODE)


# ----- hours from hand-over events -------------------------------------------------------------


def event_hours(event) -> Decimal:
    """The event's duration on the half-hour grid (nearest half hour), at least half an hour."""
    seconds = Decimal((event.ends_at - event.starts_at).total_seconds())
    return max(to_half_hours(seconds / 3600), HALF)


def event_day(event) -> datetime.date:
    return timezone.localdate(event.starts_at)


def credit_event_attendance(attendance: EventAttendance) -> ServiceHours | None:
    """Credit the attendee with the event's duration, once; None when their day is already full.

    The credit is cut so the person's day never passes 24 hours.
    """
    event, volunteer = attendance.event, attendance.user
    with transaction.atomic():
        _lock(volunteer)
        existing = (
            ServiceHours.objects.select_for_update()
            .filter(source=ServiceHours.Source.EVENT, volunteer=volunteer, event=event)
            .first()
        )
        if existing is not None and existing.status != ServiceHours.Status.REJECTED:
            return existing
        day = event_day(event)
        wanted = event_hours(event)
        room = to_half_hours(MAX_HOURS_A_DAY - hours_on(volunteer, day), ROUND_DOWN)
        hours = min(wanted, room)
        if hours < HALF:
            return None
        # Withdrawn when the attendance was removed: the same entry counts again, on record.
        entry = existing or ServiceHours(
            volunteer=volunteer, source=ServiceHours.Source.EVENT, event=event
        )
        entry.day, entry.hours, entry.note = day, hours, event.title[:200]
        entry.status = ServiceHours.Status.APPROVED
        entry.decided_by, entry.decided_at = attendance.added_by, timezone.now()
        entry.save()
        with _in_site_language():
            if hours < wanted:
                what = _("活动签到，记入%(hours)s小时（一天合计不超过24小时，少记%(cut)s小时）") % {
                    "hours": hours_text(hours),
                    "cut": hours_text(wanted - hours),
                }
            else:
                what = _("活动签到，记入%(hours)s小时") % {"hours": hours_text(hours)}
        _record(entry, attendance.added_by, what)
        return entry


def remove_event_credit(attendance: EventAttendance, *, by: User | None = None) -> int:
    """Take back what an attendance credited (staff removed it: the person was not there).

    The entry stays, no longer counted (未认定), with who took it back: its record of changes
    is history and is never deleted (audit/history.py), so neither is the entry."""
    with transaction.atomic():
        entries = ServiceHours.objects.select_for_update().filter(
            source=ServiceHours.Source.EVENT,
            volunteer=attendance.user_id,
            event=attendance.event_id,
            status__in=COUNTED,
        )
        withdrawn = 0
        for entry in entries:
            entry.status = ServiceHours.Status.REJECTED
            entry.decided_by, entry.decided_at = by, timezone.now()
            entry.save(update_fields=["status", "decided_by", "decided_at"])
            with _in_site_language():
                what = _("签到已撤销，%(hours)s小时不再计入") % {"hours": hours_text(entry.hours)}
            _record(entry, by, what)
            withdrawn += 1
    return withdrawn


# ----- hours for fulfilled wishes --------------------------------------------------------------


def fulfilling_claim(user: User, wish: Wish) -> Claim:
    """The fulfilled claim that lets this user enter hours for this wish, or a refusal."""
    if wish.status not in FULFILLED:
        raise HoursError(_("心愿兑现以后，才能登记为它付出的志愿服务时长。"), code="state")
    claim = (
        Claim.objects.filter(wish=wish, volunteer=user.pk, state=Claim.State.FULFILLED)
        .order_by("-ended_at")
        .first()
    )
    if claim is None or not user.is_active:
        raise HoursError(_("只有兑现这个心愿的志愿者本人可以登记它的服务时长。"), code="forbidden")
    return claim


def claim_began(claim: Claim) -> datetime.date:
    return timezone.localdate(claim.accepted_at or claim.created_at)


def entry_for(user: User, wish: Wish) -> ServiceHours | None:
    return ServiceHours.objects.filter(
        source=ServiceHours.Source.WISH, volunteer=user.pk, wish=wish
    ).first()


def parse_hours(value) -> Decimal:
    """Hours as typed: 0.5 to 24, in half hours."""
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise HoursError(_("请填写小时数，例如 2 或 1.5。"), code="invalid") from None
    if not hours.is_finite() or hours < HALF or hours > MAX_HOURS_A_DAY:
        raise HoursError(_("时长应在0.5到24小时之间。"), code="invalid")
    if hours * 2 != (hours * 2).to_integral_value():
        raise HoursError(_("时长以半小时为单位，例如 1、1.5、2。"), code="invalid")
    return hours.quantize(Decimal("0.1"))


def check_day(day: datetime.date, claim: Claim) -> None:
    today = timezone.localdate()
    if day > today:
        raise HoursError(_("服务日期不能晚于今天。"), code="invalid")
    began = claim_began(claim)
    if day < began:
        raise HoursError(
            _("服务日期不能早于认领这个心愿的日期（%(day)s）。") % {"day": _day_text(began)},
            code="invalid",
        )


def check_room(volunteer: User, day: datetime.date, hours: Decimal, leaving_out=None) -> None:
    already = hours_on(volunteer, day, leaving_out=leaving_out)
    if already + hours > MAX_HOURS_A_DAY:
        raise HoursError(
            _(
                "%(day)s您已登记%(already)s小时，再加%(hours)s小时就超过了一天24小时。"
                "请核对日期和时长。"
            )
            % {"day": _day_text(day), "already": hours_text(already), "hours": hours_text(hours)},
            code="invalid",
        )


def enter_hours(by: User, wish: Wish, day: datetime.date, hours, note: str = "") -> ServiceHours:
    """The volunteer who fulfilled `wish` enters (or changes) the hours they gave on `day`.

    A new or changed entry waits for staff; an approved one can no longer be changed here.
    """
    hours = parse_hours(hours)
    note = (note or "").strip()[:200]
    with transaction.atomic():
        claim = fulfilling_claim(by, wish)
        check_day(day, claim)
        _lock(by)
        entry = (
            ServiceHours.objects.select_for_update()
            .filter(source=ServiceHours.Source.WISH, volunteer=by, wish=wish)
            .first()
        )
        if entry is not None and entry.status == ServiceHours.Status.APPROVED:
            raise HoursError(
                _("这条时长社区已经认定，不能再修改。如有出入，请联系社区工作人员。"),
                code="state",
            )
        check_room(by, day, hours, leaving_out=entry.pk if entry else None)
        if entry is None:
            entry = ServiceHours.objects.create(
                volunteer=by,
                source=ServiceHours.Source.WISH,
                wish=wish,
                day=day,
                hours=hours,
                note=note,
            )
            with _in_site_language():
                what = _("登记%(hours)s小时（%(day)s）") % {
                    "hours": hours_text(hours),
                    "day": _day_text(day),
                }
            _record(entry, by, what)
            return entry
        return _change(entry, by, day=day, hours=hours, note=note)


def _change(entry: ServiceHours, by: User, *, day, hours, note) -> ServiceHours:
    parts = []
    with _in_site_language():
        if entry.hours != hours:
            parts.append(
                _("%(old)s → %(new)s 小时")
                % {"old": hours_text(entry.hours), "new": hours_text(hours)}
            )
        if entry.day != day:
            parts.append(
                _("服务日期 %(old)s → %(new)s")
                % {"old": _day_text(entry.day), "new": _day_text(day)}
            )
        if entry.note != note:
            parts.append(_("修改了说明"))
        resubmitted = entry.status == ServiceHours.Status.REJECTED
        if resubmitted:
            parts.append(_("重新提交审核"))
        what = "；".join(str(part) for part in parts)
    if not parts:
        return entry
    entry.day, entry.hours, entry.note = day, hours, note
    entry.status = ServiceHours.Status.PENDING
    entry.decided_by, entry.decided_at = None, None
    entry.save(update_fields=["day", "hours", "note", "status", "decided_by", "decided_at"])
    _record(entry, by, what)
    return entry


def decide_hours(by: User, entry: ServiceHours, approve: bool, reason: str = "") -> ServiceHours:
    """Staff who work on the wish approve (认定) or reject (不认定, with a reason) an entry;
    the volunteer is told."""
    from notices.service import notify

    reason = (reason or "").strip()
    if not approve and not reason:
        raise HoursError(_("请填写不认定的原因，志愿者会看到。"), code="invalid")
    with transaction.atomic():
        entry = (
            ServiceHours.objects.select_for_update(of=("self",))
            .select_related("wish", "volunteer")
            .get(pk=entry.pk)
        )
        if entry.source != ServiceHours.Source.WISH:
            raise HoursError(_("活动签到的时长已自动认定，不需要审核。"), code="invalid")
        if not policy.wishes.can_manage(by, entry.wish):
            raise HoursError(
                _("只有负责这个心愿的社区工作人员或网格员可以审核它的服务时长。"),
                code="forbidden",
            )
        if entry.volunteer_id == by.pk:
            raise HoursError(_("不能审核自己登记的服务时长。"), code="forbidden")
        if entry.status != ServiceHours.Status.PENDING:
            raise HoursError(
                _("这条时长已经审核过了（%(status)s）。") % {"status": entry.get_status_display()},
                code="conflict",
            )
        entry.status = ServiceHours.Status.APPROVED if approve else ServiceHours.Status.REJECTED
        entry.decided_by, entry.decided_at = by, timezone.now()
        entry.save(update_fields=["status", "decided_by", "decided_at"])
        with _in_site_language():
            what = _("认定") if approve else _("不认定：%(reason)s") % {"reason": reason}
        _record(entry, by, str(what))
        notify(
            "hours_decided",
            [entry.volunteer],
            wish=entry.wish,
            actor=by,
            free_text=["reason"],
            approved=approve,
            hours=hours_text(entry.hours),
            day=entry.day.isoformat(),
            reason=reason,
        )
    return entry


# ----- who sees which entries ------------------------------------------------------------------


def managed_entries(user: User, queryset: QuerySet | None = None) -> QuerySet[ServiceHours]:
    """Wish entries on wishes this user works on as staff (the policy's rule for wishes)."""
    queryset = ServiceHours.objects.all() if queryset is None else queryset
    return queryset.filter(
        source=ServiceHours.Source.WISH, wish__in=policy.wishes.managed(user).values("pk")
    )


def served_communities(volunteer: User) -> QuerySet:
    """Communities where the volunteer's 双报到 is approved (where a certificate is issued)."""
    from communities.models import Community

    return Community.objects.filter(
        volunteer_registrations__volunteer__user=volunteer,
        volunteer_registrations__status="approved",
    ).select_related("street")


# ----- a volunteer's figures -------------------------------------------------------------------


@dataclass
class Totals:
    wishes: int = 0  # wishes fulfilled
    event_hours: Decimal = ZERO  # credited from events attended
    wish_hours: Decimal = ZERO  # entered for wishes and approved
    pending_hours: Decimal = ZERO  # entered for wishes, waiting for staff

    @property
    def hours(self) -> Decimal:
        """Hours that count: credited and approved."""
        return self.event_hours + self.wish_hours


def totals(
    volunteer: User,
    *,
    community: Community | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> Totals:
    """What a volunteer did, counted in the database: everywhere, or in one community, over
    all time or between two days (both included)."""
    from .figures import Period

    claims = Claim.objects.filter(volunteer=volunteer, state=Claim.State.FULFILLED)
    hours = ServiceHours.objects.filter(volunteer=volunteer)
    if community is not None:
        claims = claims.filter(wish__community=community)
        hours = hours.filter(Q(wish__community=community) | Q(event__community=community))
    if start is not None and end is not None:
        first, after = Period("custom", start, end).bounds
        claims = claims.filter(ended_at__gte=first, ended_at__lt=after)
        hours = hours.filter(day__gte=start, day__lte=end)
    wishes = claims.aggregate(n=Count("wish", distinct=True))["n"]
    approved = Q(status=ServiceHours.Status.APPROVED)
    sums = hours.aggregate(
        event=Sum("hours", filter=approved & Q(source=ServiceHours.Source.EVENT)),
        wish=Sum("hours", filter=approved & Q(source=ServiceHours.Source.WISH)),
        pending=Sum("hours", filter=Q(status=ServiceHours.Status.PENDING)),
    )
    return Totals(
        wishes=wishes,
        event_hours=sums["event"] or ZERO,
        wish_hours=sums["wish"] or ZERO,
        pending_hours=sums["pending"] or ZERO,
    )


def first_service_day(volunteer: User, community: Community) -> datetime.date | None:
    """The first day the volunteer served this community: a claim that ended in a fulfilled
    wish, or hours given there."""
    began = Claim.objects.filter(
        volunteer=volunteer, state=Claim.State.FULFILLED, wish__community=community
    ).aggregate(first=Min("accepted_at"), made=Min("created_at"))
    hours = ServiceHours.objects.filter(
        Q(wish__community=community) | Q(event__community=community), volunteer=volunteer
    ).aggregate(first=Min("day"))["first"]
    days = [timezone.localdate(moment) for moment in (began["first"], began["made"]) if moment]
    if hours:
        days.append(hours)
    return min(days) if days else None
