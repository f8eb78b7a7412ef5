"""Who may use the workbench, and how every staff view finds what it acts on.

Anonymous visitors go to the login page; people who are not staff get 403; staff find only
their own communities' records, so another community's wish or page is a 404.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from communities.models import Community

from ...models import Wish

NOT_STAFF = _("社区工作台只对社区工作人员、网格员和街道管理员开放。")


def staff_required(view):
    """login_required, then 403 for anyone who holds no staff role."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_community_staff:
            raise PermissionDenied(NOT_STAFF)
        return view(request, *args, **kwargs)

    return wrapper


class StaffRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_community_staff:
            raise PermissionDenied(NOT_STAFF)
        return super().dispatch(request, *args, **kwargs)


def managed_wish(request: HttpRequest, pk: int) -> Wish:
    """A wish of a community this user manages, or 404."""
    queryset = Wish.objects.managed_by(request.user).select_related(
        "category", "community", "community__street", "grid", "resident", "entered_by"
    )
    return get_object_or_404(queryset, pk=pk)


def managed_community(request: HttpRequest, pk: int) -> Community:
    """A community this user manages, or 404."""
    return get_object_or_404(request.user.managed_communities().select_related("street"), pk=pk)


def chosen_communities(request: HttpRequest) -> tuple[QuerySet[Community], Community | None]:
    """The communities a workbench page covers: all managed ones, or one picked with ?community=.

    An unknown or foreign ?community= is ignored rather than an error.
    """
    managed = request.user.managed_communities().select_related("street")
    picked = request.GET.get("community", "")
    if picked.isdigit():
        community = managed.filter(pk=picked).first()
        if community is not None:
            return managed.filter(pk=community.pk), community
    return managed, None
