"""志愿服务时长: a volunteer's service record and certificate, the hours a claimer enters for a
fulfilled wish, and the workbench queue where staff approve or reject them. The rules are in
outcomes/hours.py; these views find records through the access policy and show its answers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from accounts.models import User, VolunteerRegistration
from wishes import policy
from wishes.models import Claim
from wishes.pagination import CheapCountPaginator
from wishes.views.base import back, refused, visible_wish
from wishes.views.staff.base import chosen_communities, community_staff_required, staff_required

from .. import hours
from ..forms_hours import CertificatePeriodForm, HoursEntryForm, RejectHoursForm
from ..models import ServiceHours, ServiceHoursChange

NOT_A_VOLUNTEER = gettext_lazy(
    "志愿服务记录只对志愿者开放。想当志愿者，可以在“我的账号”里向社区报到。"
)
EVENTS_SHOWN = 20


# ----- a volunteer's record ----------------------------------------------------------------------


def service_record(request, volunteer: User, *, viewer: User) -> dict:
    """What the service page shows of `volunteer` to `viewer` (the volunteer, or staff)."""
    profile = volunteer.volunteer_profile
    fulfilled = (
        Claim.objects.filter(volunteer=volunteer, state=Claim.State.FULFILLED)
        .select_related("wish", "wish__community", "wish__resident")
        .order_by("-ended_at", "-pk")
    )
    page = CheapCountPaginator(fulfilled, 20).get_page(request.GET.get("page"))
    wish_ids = [claim.wish_id for claim in page]
    # The hours entered for the wishes on this page, and all still waiting for staff: one query.
    wish_hours = list(
        ServiceHours.objects.filter(source=ServiceHours.Source.WISH, volunteer=volunteer)
        .filter(Q(wish__in=wish_ids) | Q(status=ServiceHours.Status.PENDING))
        .select_related("wish", "wish__community", "wish__resident")
        .order_by("day", "pk")
    )
    entries = {entry.wish_id: entry for entry in wish_hours if entry.wish_id in wish_ids}
    pending = [entry for entry in wish_hours if entry.status == ServiceHours.Status.PENDING]
    # A staff member reads the titles of the wishes they may open; the others stay unnamed.
    shown = {claim.wish for claim in page} | {entry.wish for entry in pending}
    may_open = set(
        policy.wishes.visible(viewer)
        .filter(pk__in=[wish.pk for wish in shown])
        .values_list("pk", flat=True)
    )
    titles = {wish.pk: policy.title_for(wish, viewer) for wish in shown if wish.pk in may_open}
    # Credits withdrawn with their attendance stay on record, but are no sign-in to list.
    events = ServiceHours.objects.filter(
        source=ServiceHours.Source.EVENT,
        volunteer=volunteer,
        status=ServiceHours.Status.APPROVED,
    )
    recent_events = list(
        events.select_related("event", "event__community").order_by("-day", "-pk")[
            : EVENTS_SHOWN + 1
        ]
    )
    return {
        "volunteer": volunteer,
        "profile": profile,
        "own": viewer.pk == volunteer.pk,
        "totals": hours.totals(volunteer),
        "page_obj": page,
        "fulfilled": [
            {
                "claim": claim,
                "wish": claim.wish,
                "title": titles.get(claim.wish_id),
                "entry": entries.get(claim.wish_id),
            }
            for claim in page
        ],
        "pending": [{"entry": entry, "title": titles.get(entry.wish_id)} for entry in pending],
        "events": recent_events[:EVENTS_SHOWN],
        "event_count": (
            len(recent_events) if len(recent_events) <= EVENTS_SHOWN else events.count()
        ),
        "organisation": profile.organisation if profile.organisation_confirmed else None,
        "communities": list(hours.served_communities(volunteer).order_by("street", "name")),
    }


def _volunteer_or_403(user: User) -> None:
    if not hasattr(user, "volunteer_profile"):
        raise PermissionDenied(NOT_A_VOLUNTEER)


@login_required
@require_safe
def volunteering(request):
    """我的志愿服务: what I fulfilled, my hours (events and wishes apart), where I serve."""
    _volunteer_or_403(request.user)
    context = service_record(request, request.user, viewer=request.user)
    return render(request, "outcomes/hours/volunteering.html", context)


@community_staff_required
@require_safe
def volunteer_service(request, pk: int):
    """A volunteer's record for staff of a community they registered with (or whose
    organisation they belong to); anyone else's is a 404."""
    profile = get_object_or_404(
        policy.volunteers.profiles(request.user).select_related("user", "organisation"),
        user=pk,
    )
    context = service_record(request, profile.user, viewer=request.user)
    return render(request, "outcomes/hours/volunteer_service.html", context)


@login_required
@require_safe
def certificate(request, pk: int):
    """志愿服务证明 for one community where the volunteer's 双报到 is approved, ready to print."""
    user = request.user
    community = get_object_or_404(hours.served_communities(user), pk=pk)
    registration = VolunteerRegistration.objects.filter(
        volunteer__user=user, community=community, status=VolunteerRegistration.Status.APPROVED
    ).first()
    today = timezone.localdate()
    starts = [timezone.localdate(registration.decided_at or registration.created_at)]
    if first := hours.first_service_day(user, community):
        starts.append(first)
    form = CertificatePeriodForm(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    start = chosen.get("start") or min(starts)
    end = chosen.get("end") or today
    if start > end:
        start = end
    return render(
        request,
        "outcomes/hours/certificate.html",
        {
            "community": community,
            "volunteer": user,
            "start": start,
            "end": end,
            "today": today,
            "form": form,
            "totals": hours.totals(user, community=community, start=start, end=end),
        },
    )


# ----- the claimer enters hours for a fulfilled wish --------------------------------------------


@login_required
def enter(request, pk: int):
    """The volunteer who fulfilled the wish enters the hours they gave, or changes them while
    they wait for staff."""
    wish = visible_wish(request, pk)
    try:
        claim = hours.fulfilling_claim(request.user, wish)
    except hours.HoursError as error:
        return refused(request, error, wish)
    entry = hours.entry_for(request.user, wish)
    form = HoursEntryForm.for_wish(
        wish, claim, entry, data=request.POST if request.method == "POST" else None
    )
    if form.is_bound and form.is_valid():
        try:
            hours.enter_hours(request.user, wish, **form.cleaned_data)
        except hours.HoursError as error:
            if error.code != "invalid":
                return refused(request, error, wish)
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("已登记%(hours)s小时志愿服务时长，社区审核后计入您的服务记录。")
                % {"hours": hours.hours_text(form.cleaned_data["hours"])},
            )
            return redirect("wishes:detail", pk=wish.pk)
    return render(
        request,
        "outcomes/hours/enter.html",
        {
            "wish": wish,
            "title": policy.title_for(wish, request.user),
            "claim": claim,
            "entry": entry,
            "changes": entry.changes.select_related("by") if entry else [],
            "form": form,
        },
    )


# ----- the workbench: approving hours ----------------------------------------------------------


@staff_required
@require_safe
def queue(request):
    """时长审核: entries on wishes this user works on, waiting for a decision, oldest first."""
    communities, picked = chosen_communities(request)
    entries = (
        hours.managed_entries(
            request.user,
            ServiceHours.objects.filter(
                status=ServiceHours.Status.PENDING, wish__community__in=communities
            ),
        )
        .select_related("wish", "wish__community", "wish__grid", "volunteer")
        .prefetch_related(
            Prefetch("changes", queryset=ServiceHoursChange.objects.select_related("by"))
        )
        .order_by("created_at", "pk")
    )
    page = Paginator(entries, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "outcomes/hours/queue.html",
        {
            "page_obj": page,
            "entries": page,
            "communities": communities,
            "picked": picked,
            "reject_form": RejectHoursForm(),
        },
    )


def _managed_entry(request, pk: int) -> ServiceHours:
    queryset = hours.managed_entries(request.user).select_related("wish", "volunteer")
    return get_object_or_404(queryset, pk=pk)


def _decide(request, entry: ServiceHours, *, approve: bool, reason: str = ""):
    try:
        hours.decide_hours(request.user, entry, approve, reason)
    except hours.HoursError as error:
        return refused(
            request, error, entry.wish, back_url=reverse("staff:wish", args=[entry.wish_id])
        )
    params = {
        "name": entry.volunteer.display_name,
        "hours": hours.hours_text(entry.hours),
        "title": entry.wish.title,
    }
    if approve:
        text = _("已认定%(name)s为“%(title)s”登记的%(hours)s小时。") % params
    else:
        text = _("已不认定%(name)s为“%(title)s”登记的%(hours)s小时，TA会看到原因。") % params
    messages.success(request, text)
    return back(request, "outcomes:hours_queue")


@require_POST
@staff_required
def approve(request, pk: int):
    return _decide(request, _managed_entry(request, pk), approve=True)


@require_POST
@staff_required
def reject(request, pk: int):
    entry = _managed_entry(request, pk)
    form = RejectHoursForm(request.POST)
    if not form.is_valid():
        message = " ".join(form.errors.get("reason", [])) or _("请填写不认定的原因，志愿者会看到。")
        return refused(
            request,
            hours.HoursError(message, code="invalid"),
            entry.wish,
            back_url=reverse("outcomes:hours_queue"),
        )
    return _decide(request, entry, approve=False, reason=form.cleaned_data["reason"])
