"""The workbench's front page: what is waiting for this person's communities today."""

from __future__ import annotations

from django.db.models import Count, Q
from django.shortcuts import render

from accounts.models import VolunteerRegistration

from ...lifecycle import Status
from ...models import Wish
from .base import chosen_communities, staff_required


@staff_required
def index(request):
    communities, picked = chosen_communities(request)
    wishes = Wish.objects.filter(community__in=communities)
    counts = wishes.aggregate(
        to_review=Count("pk", filter=Q(status=Status.SUBMITTED)),
        urgent=Count("pk", filter=Q(status=Status.SUBMITTED, priority=Wish.Priority.URGENT)),
        waiting=Count("pk", filter=Q(status=Status.APPROVED)),
        dispatched=Count("pk", filter=Q(status=Status.DISPATCHED)),
        claimed=Count("pk", filter=Q(status=Status.CLAIMED)),
        to_confirm=Count("pk", filter=Q(status=Status.FULFILLED)),
        escalated=Count("pk", filter=Q(status=Status.APPROVED, escalated_at__isnull=False)),
    )
    counts["pending_volunteers"] = VolunteerRegistration.objects.filter(
        community__in=communities, status=VolunteerRegistration.Status.PENDING
    ).count()
    return render(
        request,
        "staff/index.html",
        {"counts": counts, "communities": communities, "picked": picked},
    )
