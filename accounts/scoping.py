"""Where a person works and serves: the facts every access rule in `wishes/policy.py` is built on.

A superuser works everywhere. Community staff work on their whole community and a street admin
on every community of the street; a grid worker (网格员) works on their grid only. A volunteer
serves the communities where their 双报到 is approved, and — through an organisation whose
membership has been confirmed for that organisation — the communities it registered with.

Each fact is read once per `Scope`; a request's user keeps one Scope for the request (see
`ScopeMiddleware`) and brings most facts with it, read in the same query as the user itself
(accounts/identity.py); a user object used outside a request reads them afresh every time (a few
small queries), so a role granted a moment ago always counts.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from django.db.models import Q

if TYPE_CHECKING:
    from .models import User

EMPTY: frozenset[int] = frozenset()


class Scope:
    def __init__(self, user: User | None):
        self.user = user if user is not None and user.is_authenticated else None
        active = self.user is not None and self.user.is_active
        self.active = active
        self.everything = active and self.user.is_superuser

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    # ----- staff -------------------------------------------------------------------------

    @cached_property
    def _identity(self):
        """The facts read with the request's user in one query (accounts/identity.py), if so."""
        return getattr(self.user, "identity", None) if self.active else None

    @cached_property
    def _roles(self) -> list[tuple[str, int | None, int | None, int | None]]:
        if not self.active:
            return []
        if self._identity is not None:
            return list(self._identity.roles)
        return list(
            self.user.staff_roles.values_list("role", "community_id", "grid_id", "street_id")
        )

    @cached_property
    def communities(self) -> frozenset[int]:
        """Communities worked on whole: community staff's own, and a street admin's street's."""
        from communities.models import Community

        from .models import StaffRole

        ids = {
            community
            for role, community, _grid, _street in self._roles
            if role == StaffRole.Role.COMMUNITY_STAFF and community
        }
        streets = [
            street for role, _c, _g, street in self._roles if role == StaffRole.Role.STREET_ADMIN
        ]
        if streets:
            ids.update(Community.objects.filter(street__in=streets).values_list("pk", flat=True))
        return frozenset(ids)

    @cached_property
    def grids(self) -> frozenset[int]:
        """Grids a grid worker works on. A grid worker without a grid works on nothing yet."""
        from communities.models import Grid

        from .models import StaffRole

        wanted = {
            (community, grid)
            for role, community, grid, _street in self._roles
            if role == StaffRole.Role.GRID_WORKER and grid
        }
        if not wanted:
            return EMPTY
        # The grid must lie in the role's community: a mistyped pair grants nothing.
        rows = Grid.objects.filter(pk__in=[grid for _c, grid in wanted]).values_list(
            "pk", "community_id"
        )
        return frozenset(pk for pk, community in rows if (community, pk) in wanted)

    @cached_property
    def grid_communities(self) -> frozenset[int]:
        """Communities where this user works on some grids only."""
        from communities.models import Grid

        if not self.grids:
            return EMPTY
        ids = Grid.objects.filter(pk__in=self.grids).values_list("community_id", flat=True)
        return frozenset(ids) - self.communities

    @property
    def is_staff(self) -> bool:
        """Holds some staff role that reaches at least one grid (or is a superuser)."""
        return self.everything or bool(self.communities or self.grids)

    @property
    def runs_a_community(self) -> bool:
        """Community staff, street admin or superuser: work beyond a single grid."""
        return self.everything or bool(self.communities)

    def works_on(self, community_id: int | None, grid_id: int | None) -> bool:
        """Whether a record of this community and grid is this user's work."""
        if self.everything:
            return True
        if community_id in self.communities:
            return True
        return grid_id is not None and grid_id in self.grids

    def runs(self, community_id: int | None) -> bool:
        """Whether this user works on the whole of this community (not just a grid of it)."""
        return self.everything or community_id in self.communities

    def works_on_q(self, community: str = "community", grid: str = "grid") -> Q:
        """The same rule as `works_on`, for a queryset whose rows reach community and grid."""
        if self.everything:
            return Q()
        q = Q(pk__in=[])
        if self.communities:
            q |= Q(**{f"{community}__in": self.communities})
        if self.grids:
            q |= Q(**{f"{grid}__in": self.grids})
        return q

    def runs_q(self, community: str = "community") -> Q:
        if self.everything:
            return Q()
        return Q(**{f"{community}__in": self.communities})

    @cached_property
    def staff_communities(self) -> frozenset[int]:
        """Every community this user works in, wholly or on some grids."""
        return self.communities | self.grid_communities

    # ----- volunteers --------------------------------------------------------------------

    @cached_property
    def _registrations(self) -> list[tuple[int, str]]:
        """(community, status) of each of this user's 双报到 registrations."""
        from .models import VolunteerRegistration

        if not self.active:
            return []
        if self._identity is not None:
            return list(self._identity.registrations)
        return list(
            VolunteerRegistration.objects.filter(volunteer__user=self.user).values_list(
                "community_id", "status"
            )
        )

    @cached_property
    def volunteer_communities(self) -> frozenset[int]:
        """Communities where this user's 双报到 is approved."""
        from .models import VolunteerRegistration

        approved = VolunteerRegistration.Status.APPROVED
        return frozenset(c for c, status in self._registrations if status == approved)

    @cached_property
    def registered_communities(self) -> frozenset[int]:
        """Communities this user registered with and was not refused by (approved or pending)."""
        from .models import VolunteerRegistration

        refused = VolunteerRegistration.Status.REFUSED
        return frozenset(c for c, status in self._registrations if status != refused)

    @cached_property
    def organisations(self) -> frozenset[int]:
        """The organisation this user acts for, once its membership has been confirmed."""
        from .models import VolunteerProfile

        if not self.active:
            return EMPTY
        if self._identity is not None:
            organisation = self._identity.confirmed_organisation_id
            return frozenset([organisation] if organisation else [])
        return frozenset(
            VolunteerProfile.objects.filter(
                user=self.user, organisation__isnull=False, organisation_confirmed=True
            ).values_list("organisation_id", flat=True)
        )

    @cached_property
    def organisation_communities(self) -> frozenset[int]:
        """Communities that a confirmed organisation of this user registered with."""
        from communities.models import Organisation

        if not self.organisations:
            return EMPTY
        if self._identity is not None:
            return self._identity.organisation_communities
        return frozenset(
            Organisation.communities.through.objects.filter(
                organisation__in=self.organisations
            ).values_list("community_id", flat=True)
        )

    @property
    def serves(self) -> frozenset[int]:
        """Communities this user may be offered wishes in as a volunteer."""
        return self.volunteer_communities | self.organisation_communities

    @cached_property
    def liaison_of(self) -> frozenset[int]:
        """Organisations this user answers for (联络员), who confirm who belongs to them."""
        if not self.active:
            return EMPTY
        return frozenset(self.user.liaison_for.values_list("pk", flat=True))


def scope_of(user: User | None) -> Scope:
    """The user's Scope: kept for the request on request.user, read afresh everywhere else."""
    if user is None:
        return Scope(None)
    cached = getattr(user, "_request_scope", None)
    if cached is not None:
        return cached
    scope = Scope(user)
    if getattr(user, "_scope_per_request", False):
        user._request_scope = scope
    return scope


class ScopeMiddleware:
    """Lets request.user keep one Scope for the whole request (after AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user._scope_per_request = True
        return self.get_response(request)
