from functools import cached_property

from django.contrib.auth.models import AnonymousUser

from config.holes import hole

from .identity import identity_of, reader_key
from .scoping import scope_of

NAME_HOLE = hole("menu-name")
UNREAD_HOLE = hole("menu-unread")


class UnreadHole(int):
    """The unread count while a page is rendered to be kept for everyone with the same menu
    (wishes/pages.kept_for_menu): a number for `{% if %}` and the plural, written as a
    placeholder that each response fills with its reader's own count."""

    def __str__(self) -> str:
        return UNREAD_HOLE


class Roles:
    """`roles.resident`, `.volunteer`, `.staff`, `.runs_community`, `.confirms_members`,
    `.name` and `.unread` (notices) for the navigation: each read once, and only if a template
    asks. With `holes` (a page kept per menu) the name and the count are placeholders."""

    def __init__(self, user, holes: bool = False):
        self.user = user
        self.signed_in = user.is_authenticated
        self.holes = holes

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
        """Keys the menu kept in the cache (templates/base.html); empty: not kept (nor while
        the menu is drawn with placeholders)."""
        key = None if self.holes else reader_key(self.user)
        return repr(key) if key is not None else ""

    @cached_property
    def name(self) -> str:
        if self.holes:
            return NAME_HOLE
        return self.user.display_name if self.signed_in else ""

    @cached_property
    def unread(self) -> int:
        if not self.signed_in:
            return 0
        if self._identity is not None:  # counted as the request began
            count = self._identity.unread
        else:
            count = self.user.notices.filter(read_at__isnull=True).count()
        return UnreadHole(menu_count(count)) if self.holes else count

    def menu(self) -> tuple | None:
        """Everything the menu shows but the name and the count: who share it share a page
        kept per menu. None for a user not read with an identity (nothing safe to key by)."""
        if not self.signed_in:
            return ("-",)
        if self._identity is None:
            return None
        return ("menu", self.resident, self.volunteer, self.staff, menu_count(self.unread))

    def fills(self) -> dict[bytes, bytes]:
        """The placeholders of a page kept per menu, with this reader's own values."""
        from django.utils.html import escape

        return {
            NAME_HOLE.encode(): escape(self.name).encode(),
            UNREAD_HOLE.encode(): str(int(self.unread)).encode(),
        }


def menu_count(unread: int) -> int:
    """What of the unread count changes the menu's words: none, one, more (the plural)."""
    return min(int(unread), 2)


def roles(request):
    # A request refused before the authentication middleware (a bad Host header) has no user.
    user = getattr(request, "user", None) or AnonymousUser()
    return {"roles": Roles(user, holes=getattr(request, "page_menu_holes", False))}
