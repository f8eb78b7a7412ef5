"""Who may use the workbench, and how every staff view finds what it acts on.

Anonymous visitors go to the login page; people who are not staff get 403; staff find only
their own work (wishes/policy.py), so another community's — or, for a grid worker, another
grid's — wish or page is a 404. Work that concerns a whole community (双报到 approvals,
hand-over events, organisations' members) is for community staff and street admins; a grid
worker asking for it gets 403.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from accounts.scoping import scope_of
from communities.models import Community

from ... import policy
from ...models import Wish

NOT_STAFF = _("社区工作台只对社区工作人员、网格员和街道管理员开放。")
NOT_WHOLE_COMMUNITY = _("这项工作由社区工作人员或街道管理员负责；网格员请联系社区。")


def staff_required(view):
    """login_required, then 403 for anyone who holds no staff role that reaches a grid."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not scope_of(request.user).is_staff:
            raise PermissionDenied(NOT_STAFF)
        return view(request, *args, **kwargs)

    return wrapper


def community_staff_required(view):
    """staff_required, then 403 for a grid worker: this work concerns the whole community."""

    @staff_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not scope_of(request.user).runs_a_community:
            raise PermissionDenied(NOT_WHOLE_COMMUNITY)
        return view(request, *args, **kwargs)

    return wrapper


class StaffRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scope_of(request.user).is_staff:
            raise PermissionDenied(NOT_STAFF)
        return super().dispatch(request, *args, **kwargs)


def managed_wish(request: HttpRequest, pk: int) -> Wish:
    """A wish this user works on, or 404."""
    queryset = policy.wishes.managed(request.user).select_related(
        "category", "community", "community__street", "grid", "resident", "entered_by"
    )
    return get_object_or_404(queryset, pk=pk)


def managed_community(request: HttpRequest, pk: int, *, whole: bool = False) -> Community:
    """A community this user works in (or, with whole=True, runs), or 404."""
    choices = policy.communities.run_by if whole else policy.communities.worked_in
    return get_object_or_404(choices(request.user).select_related("street"), pk=pk)


def chosen_communities(
    request: HttpRequest, *, whole: bool = False
) -> tuple[QuerySet[Community], Community | None]:
    """The communities a workbench page covers: all of the user's, or one picked with
    ?community=. An unknown or foreign ?community= is ignored rather than an error.

    With whole=True, only communities the user runs whole (not a grid worker's).
    """
    choices = policy.communities.run_by if whole else policy.communities.worked_in
    mine = choices(request.user).select_related("street")
    picked = request.GET.get("community", "")
    if picked.isdecimal() and len(picked) < 19:
        community = mine.filter(pk=picked).first()
        if community is not None:
            return mine.filter(pk=community.pk), community
    return mine, None


def area_q(request: HttpRequest, communities: QuerySet[Community]) -> Q:
    """The wishes of these communities that this user works on (a grid worker: their grid), as
    a filter on community and grid: for wishes, and for the wish tally's rows alike."""
    return Q(community__in=communities) & policy.wishes.reach(request.user)("")


def area_wishes(request: HttpRequest, communities: QuerySet[Community]) -> QuerySet[Wish]:
    """The wishes of these communities that this user works on (a grid worker: their grid)."""
    return Wish.objects.filter(area_q(request, communities))
