"""The workbench's front page and one wish's page, with the moves staff make from there."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import VolunteerRegistration
from audit.records import record_contact_view

from ... import policy, tallies
from ...counters import count_open, staff_counters
from ...forms import ConfirmForm, ReasonForm
from ...lifecycle import Status, WishError
from ...pagination import KnownCountPaginator
from ...staff_forms import ApproveForm, FollowUpForm, RejectForm, RemindForm
from ..base import back, perform, refused
from .base import area_q, area_wishes, chosen_communities, managed_wish, staff_required
from .spreadsheets import ExportForm


@staff_required
def index(request):
    communities, picked = chosen_communities(request)
    counts = count_open(area_q(request, communities))
    counters = staff_counters(None, community_pk=picked.pk if picked else None, counts=counts)
    counts["pending_volunteers"] = (
        policy.volunteers.registrations(request.user)
        .filter(community__in=communities, status=VolunteerRegistration.Status.PENDING)
        .count()
    )
    return render(
        request,
        "staff/index.html",
        {"counters": counters, "counts": counts, "communities": communities, "picked": picked},
    )


@staff_required
def wish_page(request, pk: int):
    """Everything about one wish for the community: details, people, timeline, actions."""
    wish = managed_wish(request, pk)
    moves = {move.name for move in wish.available_moves(request.user)}
    seen = policy.what_user_sees(wish, request.user)
    if wish.resident_id:
        record_contact_view(request.user, wish.resident, wish=wish, how="staff_wish_page")
    context = {
        "wish": wish,
        "seen": seen,
        "moves": moves,
        "open_claim": seen.open_claim,
        "claims": wish.claims.select_related("volunteer", "organisation", "dispatched_by"),
        "follow_ups": wish.follow_ups.select_related("visited_by"),
        "reason_form": ReasonForm(),
        "confirm_form": ConfirmForm(),
    }
    if "approve" in moves:
        context["approve_form"] = ApproveForm.for_wish(wish)
        context["reject_form"] = RejectForm(community=wish.community)
    if wish.status in {Status.FULFILLED, Status.CONFIRMED}:
        context["follow_up_form"] = FollowUpForm()
    return render(request, "staff/wish.html", context)


def _act(request, pk: int, act, done: str):
    """Run one move on a managed wish and come back with a message, or explain the refusal."""
    wish = managed_wish(request, pk)
    return perform(
        request,
        wish,
        act,
        done=done,
        then=back(request, "staff:wish", wish.pk),
        back_url=reverse("staff:wish", args=[wish.pk]),
    )


def _reason(request) -> str:
    form = ReasonForm(request.POST)
    return form.cleaned_data["reason"] if form.is_valid() else ""


@require_POST
@staff_required
def close(request, pk: int):
    reason = _reason(request)
    return _act(
        request,
        pk,
        lambda w: w.close(by=request.user, reason=reason),
        _("心愿已关闭（无法实现），原因已记录。"),
    )


@require_POST
@staff_required
def release(request, pk: int):
    reason = _reason(request)
    return _act(
        request,
        pk,
        lambda w: w.release(by=request.user, reason=reason),
        _("认领已释放，心愿回到心愿清单，认领人会收到通知。"),
    )


@require_POST
@staff_required
def remind(request, pk: int):
    form = RemindForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _act(
        request, pk, lambda w: w.remind(by=request.user, note=note), _("已催办，认领人会收到通知。")
    )


@require_POST
@staff_required
def confirm(request, pk: int):
    """Confirm for a resident who cannot (an elderly person without a phone)."""
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("评分请选择1到5颗星。"))
        return redirect("staff:wish", pk)
    data = form.cleaned_data
    return _act(
        request,
        pk,
        lambda w: w.confirm(by=request.user, thanks=data["thanks"], rating=data["rating"]),
        _("已代居民确认收到。"),
    )


@require_POST
@staff_required
def follow_up(request, pk: int):
    """回访: record a visit or call after the wish came true."""
    wish = managed_wish(request, pk)
    if wish.status not in {Status.FULFILLED, Status.CONFIRMED}:
        return refused(
            request,
            WishError(_("心愿兑现后才能记录回访。"), "state"),
            wish,
            back_url=reverse("staff:wish", args=[wish.pk]),
        )
    form = FollowUpForm(request.POST)
    if form.is_valid():
        record = form.save(commit=False)
        record.wish = wish
        record.visited_by = request.user
        record.save()
        messages.success(request, _("回访记录已保存。"))
    else:
        messages.error(request, _("请填写回访情况和日期。"))
    return redirect("staff:wish", wish.pk)


@staff_required
def wish_list(request):
    """Every wish of the chosen communities, filtered by status, keyword and submission dates;
    exportable as is."""
    communities, picked = chosen_communities(request)
    form = ExportForm(request.GET or None)
    wishes = (
        form.filter(area_wishes(request, communities))
        .select_related("category", "community", "grid", "resident")
        .order_by("-created_at", "-pk")
    )
    statuses = form.tallied_statuses()
    if statuses is None:  # a keyword or dates: count what they leave
        paginator = Paginator(wishes, 30)
    else:  # by status alone: the wish tally knows how many, without counting years of wishes
        where = area_q(request, communities)
        paginator = KnownCountPaginator(wishes, 30, count=tallies.count(where, statuses))
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "staff/wish_list.html",
        {
            "form": form,
            "page_obj": page,
            "wishes": page,
            "communities": communities,
            "picked": picked,
            "querystring": query.urlencode(),
        },
    )
