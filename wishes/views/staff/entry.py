"""代为填报: staff enter a wish for a resident after a door-to-door visit or a phone call."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ... import policy, submission
from ...models import Wish
from ...staff_forms import ResidentForm, ResidentSearchForm, StaffWishForm
from .base import staff_required


@staff_required
def find_resident(request):
    """Step 1: find the resident (by name, phone or address), or make a new record."""
    form = ResidentSearchForm(request.GET or None)
    residents = policy.residents.managed(request.user).none()
    if form.is_valid() and (q := form.cleaned_data["q"].strip()):
        residents = (
            policy.residents.managed(request.user)
            .filter(Q(name__icontains=q) | Q(phone__startswith=q) | Q(address__icontains=q))
            .select_related("community", "grid")
            .order_by("name")[:30]
        )
    return render(request, "staff/entry_find.html", {"form": form, "residents": residents})


@staff_required
def new_resident(request):
    """A resident record, usually for someone without a phone or a login."""
    communities = policy.communities.worked_in(request.user)
    form = ResidentForm(
        request.POST or None,
        communities=communities,
        grids=policy.communities.grids(request.user),
    )
    if request.method == "POST" and form.is_valid():
        resident = form.save(commit=False)
        resident.created_by = request.user
        resident.save()
        messages.success(request, _("已登记居民%(name)s，请继续填写心愿。") % {"name": resident})
        return redirect("staff:enter_wish", resident.pk)
    return render(request, "staff/entry_resident.html", {"form": form})


@staff_required
def enter_wish(request, resident_pk: int):
    """Step 2: the wish itself, recorded with its channel and who entered it."""
    resident = get_object_or_404(
        policy.residents.managed(request.user).select_related("community", "grid"),
        pk=resident_pk,
    )
    draft = Wish(
        resident=resident,
        community=resident.community,
        grid=resident.grid,
        entered_by=request.user,
        channel=Wish.Channel.VISIT,
    )
    if request.method == "POST" and (earlier := submission.sent_before(request)):
        messages.info(request, _("这个心愿刚才已经登记过了，不会重复登记。"))
        return redirect("staff:wish", earlier.pk)
    form = StaffWishForm(
        request.POST or None, instance=draft, grids=policy.communities.grids(request.user)
    )
    if request.method == "POST" and form.is_valid():
        wish, new = submission.save_once(request, form)
        if new:
            messages.success(
                request,
                _("已为%(name)s登记心愿“%(title)s”，现在可以审核。")
                % {"name": resident, "title": wish.title},
            )
        else:
            messages.info(request, _("这个心愿刚才已经登记过了，不会重复登记。"))
        return redirect("staff:wish", wish.pk)
    return render(request, "staff/entry_wish.html", {"form": form, "resident": resident})
