"""审核: the queue of submitted wishes, urgent first, and approving or rejecting them."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ... import policy, tallies, versions
from ...lifecycle import Status, WishError
from ...models import Category, RejectionReason, WishPhoto
from ...models.wish import URGENT_FIRST
from ...pagination import KnownCountPaginator
from ...staff_forms import ApproveForm, RejectForm
from ..base import back, perform
from .base import area_q, area_wishes, chosen_communities, managed_wish, staff_required


@staff_required
def queue(request):
    communities, picked = chosen_communities(request)
    wishes = (
        area_wishes(request, communities)
        .filter(status=Status.SUBMITTED)
        .select_related("category", "community", "grid", "resident", "entered_by")
        .prefetch_related(
            Prefetch("photos", queryset=WishPhoto.objects.filter(kind=WishPhoto.Kind.REQUEST))
        )
        .order_by(URGENT_FIRST, "created_at", "pk")
    )
    # How many wait, from the wish tally: a full page would otherwise count them all.
    waiting = tallies.count(area_q(request, communities), [Status.SUBMITTED])
    page = KnownCountPaginator(wishes, 20, count=waiting).get_page(request.GET.get("page"))
    reasons = {}
    for reason in RejectionReason.objects.filter(community__in=communities):
        reasons.setdefault(reason.community_id, []).append(reason)
    # Hidden categories may still be set on a wish; the active ones are offered.
    categories = versions.remembered(
        "active-categories",
        versions.CHOICES,
        lambda: list(Category.objects.filter(is_active=True)),
    )
    items = [
        {
            "wish": wish,
            "approve_form": ApproveForm.for_wish(wish, categories=categories),
            "reasons": reasons.get(wish.community_id, []),
        }
        for wish in page
    ]
    return render(
        request,
        "staff/review.html",
        {"page_obj": page, "items": items, "communities": communities, "picked": picked},
    )


@require_POST
@staff_required
def approve(request, pk: int):
    wish = managed_wish(request, pk)
    form = ApproveForm.for_wish(wish, request.POST)
    if not form.is_valid():
        messages.error(request, _("请检查类别和紧急程度。"))
        return redirect("staff:review")
    return perform(
        request,
        wish,
        lambda w: w.approve(
            by=request.user,
            category=form.cleaned_data["category"],
            priority=form.cleaned_data["priority"],
            target_group=form.cleaned_data["target_group"],
            delivery_note=form.cleaned_data["delivery_note"],
        ),
        done=_("“%(title)s”已审核通过，发布到心愿清单。") % {"title": wish.title},
        then=back(request, "staff:review"),
        back_url=reverse("staff:wish", args=[wish.pk]),
    )


@require_POST
@staff_required
def reject(request, pk: int):
    wish = managed_wish(request, pk)
    form = RejectForm(request.POST, community=wish.community)
    if not form.is_valid():
        messages.error(request, " ".join(form.non_field_errors()) or _("请填写原因。"))
        return redirect("staff:review")

    def reject(w):
        w.reject(by=request.user, reason=form.cleaned_data["reason"])
        form.save_reason_if_asked()

    return perform(
        request,
        wish,
        reject,
        done=_("“%(title)s”已不予通过，居民会看到原因。") % {"title": wish.title},
        then=back(request, "staff:review"),
        back_url=reverse("staff:wish", args=[wish.pk]),
    )


@require_POST
@staff_required
def bulk_approve(request):
    ids = [pk for pk in request.POST.getlist("wish") if pk.isdecimal() and len(pk) < 19]
    wishes = policy.wishes.managed(request.user).filter(pk__in=ids)
    done, refusals = 0, []
    for wish in wishes:
        try:
            wish.approve(by=request.user)
        except WishError as error:
            refusals.append(f"“{wish.title}”：{error}")
        else:
            done += 1
    if done:
        messages.success(
            request,
            ngettext("已审核通过 %(n)d 个心愿。", "已审核通过 %(n)d 个心愿。", done) % {"n": done},
        )
    elif not refusals:
        messages.warning(request, _("请先勾选要通过的心愿。"))
    for line in refusals:
        messages.error(request, line)
    return redirect("staff:review")
