"""双报到审核: volunteers asking to serve a community, approved or refused by its staff."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import VolunteerRegistration

from ... import policy
from .base import chosen_communities, community_staff_required


@community_staff_required
def volunteers(request):
    communities, picked = chosen_communities(request, whole=True)
    registrations = policy.volunteers.registrations(
        request.user, VolunteerRegistration.objects.filter(community__in=communities)
    ).select_related("volunteer__user", "volunteer__organisation", "community")
    pending = registrations.filter(status=VolunteerRegistration.Status.PENDING).order_by(
        "created_at"
    )
    approved = (
        registrations.filter(status=VolunteerRegistration.Status.APPROVED)
        .annotate(
            fulfilled=Count(
                "volunteer__user__claims",
                filter=Q(volunteer__user__claims__state="fulfilled"),
                distinct=True,
            )
        )
        .order_by("volunteer__user__real_name")
    )
    page = Paginator(approved, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/volunteers.html",
        {
            "pending": pending,
            "page_obj": page,
            "approved": page,
            "communities": communities,
            "picked": picked,
        },
    )


@require_POST
@community_staff_required
def decide(request, pk: int, approve: bool):
    registration = get_object_or_404(
        policy.volunteers.registrations(request.user).select_related(
            "volunteer__user", "community"
        ),
        pk=pk,
    )
    if not registration.decide(by=request.user, approve=approve):
        messages.info(request, _("这条报到申请已经处理过了。"))
        return redirect("staff:volunteers")
    name = registration.volunteer.user.display_name
    if approve:
        messages.success(
            request, _("已通过%(name)s的报到，TA现在可以认领心愿了。") % {"name": name}
        )
    else:
        messages.success(request, _("已不通过%(name)s的报到。") % {"name": name})
    return redirect("staff:volunteers")
