from functools import cached_property

from django.contrib.auth.models import AnonymousUser

from .identity import identity_of, reader_key
from .scoping import scope_of


class Roles:
    """`roles.resident`, `.volunteer`, `.staff`, `.runs_community`, `.confirms_members` and
    `.unread` (notices) for the navigation: each read once, and only if a template asks."""

    def __init__(self, user):
        self.user = user
        self.signed_in = user.is_authenticated

    @cached_property
    def _identity(self):
        return identity_of(self.user) if self.signed_in else None

    @cached_property
    def resident(self) -> bool:
        if self._identity is not None:
            return self._identity.resident_id is not None
        return self.signed_in and hasattr(self.user, "resident")

    @cached_property
    def volunteer(self) -> bool:
        if self._identity is not None:
            return self._identity.volunteer_profile_id is not None
        return self.signed_in and hasattr(self.user, "volunteer_profile")

    @cached_property
    def staff(self) -> bool:
        return self.signed_in and scope_of(self.user).is_staff

    @cached_property
    def runs_community(self) -> bool:
        return self.signed_in and scope_of(self.user).runs_a_community

    @cached_property
    def confirms_members(self) -> bool:
        return self.runs_community or (self.signed_in and bool(scope_of(self.user).liaison_of))

    @cached_property
    def reader(self) -> str:
        """Keys the menu kept in the cache (templates/base.html); empty: not kept."""
        key = reader_key(self.user)
        return repr(key) if key is not None else ""

    @cached_property
    def unread(self) -> int:
        if not self.signed_in:
            return 0
        if self._identity is not None:  # counted as the request began
            return self._identity.unread
        return self.user.notices.filter(read_at__isnull=True).count()


def roles(request):
    # A request refused before the authentication middleware (a bad Host header) has no user.
    return {"roles": Roles(getattr(request, "user", None) or AnonymousUser())}
