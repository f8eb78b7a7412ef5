"""逾期: claims past their due date or without progress, with remind and release at hand."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

from ... import policy
from ...pagination import LookaheadPaginator
from ...upkeep import overdue_claims
from .base import chosen_communities, staff_required


@staff_required
def overdue(request):
    communities, picked = chosen_communities(request)
    claims = policy.claims.managed(request.user, overdue_claims(communities))
    # Overdue claims are read in the order of claim_open_due_idx and counted only a few pages
    # ahead: a street's thousands of late claims are never all counted for one page.
    number = request.GET.get("page")
    page = LookaheadPaginator(claims, 20, number=number).get_page(number)
    return render(
        request,
        "staff/overdue.html",
        {
            "page_obj": page,
            "claims": page,
            "communities": communities,
            "picked": picked,
            "stale_days": settings.WISH_STALE_DAYS,
            "auto_release_days": settings.WISH_AUTO_RELEASE_DAYS,
            "today": timezone.localdate(),
        },
    )
