"""单位成员核实: an organisation's liaison (or staff of a community it registered with) confirms
who really belongs to it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import VolunteerProfile
from wishes import policy

from .membership import decide_membership

NOBODY_TO_CONFIRM = _("您不是任何单位的联络员，也不是单位报到社区的工作人员。")


@login_required
def organisations(request):
    """The organisations whose members this person may confirm, with how many wait."""
    mine = (
        policy.organisations.members_managed(request.user)
        .annotate(
            waiting=Count(
                "members", filter=Q(members__organisation_confirmed=False), distinct=True
            ),
            confirmed=Count(
                "members", filter=Q(members__organisation_confirmed=True), distinct=True
            ),
        )
        .order_by("-waiting", "name")
    )
    if not mine.exists():
        raise PermissionDenied(NOBODY_TO_CONFIRM)
    return render(request, "communities/organisations.html", {"organisations": mine})


@login_required
def members(request, pk: int):
    organisation = get_object_or_404(policy.organisations.members_managed(request.user), pk=pk)
    people = VolunteerProfile.objects.filter(organisation=organisation).select_related(
        "user", "organisation_confirmed_by"
    )
    return render(
        request,
        "communities/members.html",
        {
            "organisation": organisation,
            "waiting": people.filter(organisation_confirmed=False).order_by("created_at"),
            "confirmed": people.filter(organisation_confirmed=True).order_by(
                "user__real_name", "pk"
            ),
        },
    )


@require_POST
@login_required
def decide(request, pk: int, member_pk: int, confirm: bool):
    organisation = get_object_or_404(policy.organisations.members_managed(request.user), pk=pk)
    profile = get_object_or_404(
        VolunteerProfile.objects.select_related("user", "organisation"),
        pk=member_pk,
        organisation=organisation,
    )
    name = profile.user.display_name
    if not decide_membership(profile, by=request.user, confirm=confirm):
        messages.info(request, _("这位成员已经处理过了。"))
    elif confirm:
        messages.success(request, _("已确认%(name)s是本单位成员。") % {"name": name})
    else:
        messages.success(request, _("已不确认%(name)s的单位身份。") % {"name": name})
    return redirect("communities:members", pk=organisation.pk)
