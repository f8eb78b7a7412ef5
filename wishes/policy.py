"""Who may see or act on what: one policy per kind of record that holds people's data.

Each policy answers both questions from the same rule — "which of these may this user see or
act on" (a queryset) and "may this user see or act on this one" (a boolean) — so a list, a
page, a button, the admin, an export and a notice cannot disagree. `tests/test_policy.py`
checks the two forms against each other for every person of a small world.

The facts about the user (where they work and serve) come from `accounts.scoping`; what a
person may see *of a resident* on a wish is `what_user_sees(wish, user)` at the bottom.

The rules, in words:
- 心愿清单 (listed): published, individual wishes (public-facility wishes are dispatched by staff,
  never claimed). With the resident's consent, to everyone, masked; without it, only to staff
  working in the community and to volunteers who serve it (approved 双报到, or a confirmed member
  of an organisation registered there).
- A wish's page (visible): what is listed to you, your own wish, a wish you hold (your claim or
  dispatch, or your confirmed organisation's open one, or one you fulfilled), and your work as
  staff. A wish that was listed to you and has moved on opens as a short "already taken" page
  (reachable); anything else is a 404.
- Staff work (managed): community staff on their community, a street admin on the street's, a
  grid worker on their grid only, superusers everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.scoping import Scope, scope_of

from .lifecycle import Status
from .masking import mask_numbers

if TYPE_CHECKING:
    from accounts.models import Resident, User
    from communities.models import Organisation

    from .models import Claim, HandoverEvent, Wish


def _model(name: str):
    return apps.get_model("wishes", name)


# Claim states through which a record stays with a volunteer: an offer to answer, a claim in
# progress, and what they fulfilled (their history). Released and declined claims do not.
HELD_BY_VOLUNTEER = ("offered", "active", "fulfilled")
# An organisation's members act on its open claims only, not on its whole past.
HELD_BY_ORGANISATION = ("offered", "active")
# A wish that was listed and has since moved on: its link opens as a short "taken" page.
MOVED_ON = (
    Status.DISPATCHED,
    Status.CLAIMED,
    Status.FULFILLED,
    Status.CONFIRMED,
    Status.CLOSED,
)


# ----- claims ----------------------------------------------------------------------------------


class ClaimPolicy:
    def held_q(self, scope: Scope, prefix: str = "") -> Q:
        """Claims this user holds: their own, and their confirmed organisation's open ones."""
        own, branch = self.held_parts_q(scope, prefix)
        return own | branch if branch is not None else own

    def held_parts_q(
        self, scope: Scope, prefix: str = "", *, state: str | None = None
    ) -> tuple[Q, Q | None]:
        """held_q in its two parts, whose union it is: the user's own claims, and their
        organisation's (None without a confirmed one). A page that lists the parts one after
        the other reads each along its own index (wishes/pagination.Chain). With `state`, only
        the claims in that state, said once: a state said twice (`= 'active' AND IN ('offered',
        'active')`) makes the planner guess a tenth of the rows, and sort where it should read
        along an index."""
        if scope.user is None or not scope.active:
            return Q(pk__in=[]), None

        def states(held: tuple[str, ...]) -> dict:
            if state is None:
                return {f"{prefix}state__in": held}
            return {f"{prefix}state": state} if state in held else {f"{prefix}pk__in": []}

        own = Q(**{f"{prefix}volunteer": scope.user_id}, **states(HELD_BY_VOLUNTEER))
        if not scope.organisations:
            return own, None
        branch = Q(
            **{f"{prefix}organisation__in": scope.organisations},
            **states(HELD_BY_ORGANISATION),
        )
        return own, branch

    def held_parts(self, user: User, *, state: str | None = None) -> tuple[Q, Q | None]:
        """held_parts_q for this user: (their own claims, their organisation's or None)."""
        return self.held_parts_q(scope_of(user), state=state)

    def held_by(self, user: User, queryset: QuerySet[Claim] | None = None) -> QuerySet[Claim]:
        queryset = _model("Claim").objects.all() if queryset is None else queryset
        return queryset.filter(self.held_q(scope_of(user)))

    def holds(self, user: User, claim: Claim) -> bool:
        scope = scope_of(user)
        if scope.user is None or not scope.active:
            return False
        if claim.volunteer_id == scope.user_id and claim.state in HELD_BY_VOLUNTEER:
            return True
        return claim.organisation_id in scope.organisations and claim.state in HELD_BY_ORGANISATION

    def holders(self, claim: Claim) -> list[User]:
        """Who answers for an open claim: its volunteer, or the confirmed members of its
        organisation while a dispatch to it waits for one of them."""
        from accounts.models import User

        if claim.volunteer_id:
            return [claim.volunteer] if claim.volunteer.is_active else []
        if claim.organisation_id:
            return list(
                User.objects.filter(
                    is_active=True,
                    volunteer_profile__organisation=claim.organisation_id,
                    volunteer_profile__organisation_confirmed=True,
                ).order_by("pk")
            )
        return []

    def managed(self, user: User, queryset: QuerySet[Claim] | None = None) -> QuerySet[Claim]:
        queryset = _model("Claim").objects.all() if queryset is None else queryset
        return queryset.filter(scope_of(user).works_on_q("wish__community", "wish__grid"))


claims = ClaimPolicy()


# ----- wishes ----------------------------------------------------------------------------------


class WishPolicy:
    # -- the rule as querysets

    def audience_q(self, scope: Scope) -> Q:
        """Who a published wish is shown to: everyone with consent, else the community's own."""
        if scope.everything:
            return Q()
        own = scope.serves | scope.staff_communities
        return Q(public_consent=True) | Q(community__in=own) if own else Q(public_consent=True)

    def listed_q(self, scope: Scope) -> Q:
        return Q(status=Status.APPROVED, kind="individual") & self.audience_q(scope)

    def was_listed_q(self, scope: Scope) -> Q:
        return Q(
            published_at__isnull=False, status__in=MOVED_ON, kind="individual"
        ) & self.audience_q(scope)

    def involved_q(self, scope: Scope) -> Q:
        if scope.user is None or not scope.active:
            return Q(pk__in=[])
        held = _model("Claim").objects.filter(claims.held_q(scope)).values("wish_id")
        return Q(resident__user=scope.user_id) | Q(pk__in=held)

    def managed_q(self, scope: Scope, path: str = "") -> Q:
        """Wishes this scope works on as staff; `path` leads from another model to a wish
        ("wish__" from a claim or service hours)."""
        return scope.works_on_q(f"{path}community", f"{path}grid")

    def _filter(self, queryset, q: Q):
        queryset = _model("Wish").objects.all() if queryset is None else queryset
        return queryset.filter(q)

    def listed(self, user: User, queryset: QuerySet[Wish] | None = None) -> QuerySet[Wish]:
        """The 心愿清单 as this user sees it."""
        return self._filter(queryset, self.listed_q(scope_of(user)))

    def visible(self, user: User, queryset: QuerySet[Wish] | None = None) -> QuerySet[Wish]:
        """Wishes whose page this user may open."""
        scope = scope_of(user)
        if scope.everything:
            return self._filter(queryset, Q())
        rule = self.listed_q(scope) | self.involved_q(scope) | self.managed_q(scope)
        return self._filter(queryset, rule)

    def reachable(self, user: User, queryset: QuerySet[Wish] | None = None) -> QuerySet[Wish]:
        """Visible wishes, and those that were listed to this user and have moved on since."""
        scope = scope_of(user)
        if scope.everything:
            return self._filter(queryset, Q())
        rule = (
            self.listed_q(scope)
            | self.was_listed_q(scope)
            | self.involved_q(scope)
            | self.managed_q(scope)
        )
        return self._filter(queryset, rule)

    def managed(self, user: User, queryset: QuerySet[Wish] | None = None) -> QuerySet[Wish]:
        """Wishes this user works on as staff."""
        return self._filter(queryset, self.managed_q(scope_of(user)))

    def reach(self, user: User) -> Callable[[str], Q]:
        """The wishes a staff member counts in statistics, as a filter reached by any path to a
        wish: `reach("")` on wishes, `reach("wish__")` on claims — no subquery to join."""
        return partial(self.managed_q, scope_of(user))

    # -- the same rule for one wish

    def _in_audience(self, scope: Scope, wish: Wish) -> bool:
        return (
            scope.everything
            or wish.public_consent
            or wish.community_id in scope.serves
            or wish.community_id in scope.staff_communities
        )

    def is_listed_to(self, user: User, wish: Wish) -> bool:
        scope = scope_of(user)
        return (
            wish.status == Status.APPROVED
            and wish.kind == "individual"
            and self._in_audience(scope, wish)
        )

    def was_listed_to(self, user: User, wish: Wish) -> bool:
        scope = scope_of(user)
        return (
            wish.published_at is not None
            and wish.status in MOVED_ON
            and wish.kind == "individual"
            and self._in_audience(scope, wish)
        )

    def is_residents_own(self, user: User, wish: Wish) -> bool:
        scope = scope_of(user)
        return (
            scope.active
            and wish.resident_id is not None
            and wish.resident.user_id is not None
            and wish.resident.user_id == scope.user_id
        )

    def is_held_by(self, user: User, wish: Wish) -> bool:
        scope = scope_of(user)
        if scope.user is None or not scope.active:
            return False
        return wish.claims.filter(claims.held_q(scope)).exists()

    def can_manage(self, user: User, wish: Wish) -> bool:
        return scope_of(user).works_on(wish.community_id, wish.grid_id)

    def can_view(self, user: User, wish: Wish) -> bool:
        return (
            self.can_manage(user, wish)
            or self.is_residents_own(user, wish)
            or self.is_listed_to(user, wish)
            or self.is_held_by(user, wish)
        )

    def can_reach(self, user: User, wish: Wish) -> bool:
        # can_view or was_listed_to, with the one rule that asks the database last.
        return (
            self.can_manage(user, wish)
            or self.is_residents_own(user, wish)
            or self.is_listed_to(user, wish)
            or self.was_listed_to(user, wish)
            or self.is_held_by(user, wish)
        )


wishes = WishPolicy()


# ----- residents and their records -------------------------------------------------------------


class ResidentPolicy:
    def managed(self, user: User, queryset: QuerySet[Resident] | None = None):
        from accounts.models import Resident

        queryset = Resident.objects.all() if queryset is None else queryset
        return queryset.filter(scope_of(user).works_on_q("community", "grid"))

    def can_manage(self, user: User, resident: Resident) -> bool:
        return scope_of(user).works_on(resident.community_id, resident.grid_id)


residents = ResidentPolicy()


class WishRecordPolicy:
    """Records hanging off a wish (timeline, photos, follow-ups): staff of the wish see them all."""

    def __init__(self, model_name: str):
        self.model_name = model_name

    def managed(self, user: User, queryset: QuerySet | None = None) -> QuerySet:
        queryset = _model(self.model_name).objects.all() if queryset is None else queryset
        return queryset.filter(scope_of(user).works_on_q("wish__community", "wish__grid"))


timeline = WishRecordPolicy("WishEvent")
follow_ups = WishRecordPolicy("FollowUp")


class PhotoPolicy(WishRecordPolicy):
    def can_view(self, user: User, photo) -> bool:
        """The resident and the staff who work on the wish; nobody else, not even the claimer."""
        wish = photo.wish
        return wishes.can_manage(user, wish) or wishes.is_residents_own(user, wish)


photos = PhotoPolicy("WishPhoto")


# ----- hand-over events ------------------------------------------------------------------------


class EventPolicy:
    """集中兑现 events are run by staff of the whole community (not a single grid)."""

    def managed(self, user: User, queryset: QuerySet[HandoverEvent] | None = None):
        queryset = _model("HandoverEvent").objects.all() if queryset is None else queryset
        return queryset.filter(scope_of(user).runs_q("community"))

    def can_manage(self, user: User, event: HandoverEvent) -> bool:
        return scope_of(user).runs(event.community_id)

    def may_attend_q(self, event: HandoverEvent) -> Q:
        """People who may sign in: approved volunteers of the event's community, and confirmed
        members of the organising branch."""
        q = Q(
            volunteer_profile__registrations__community=event.community_id,
            volunteer_profile__registrations__status="approved",
        )
        if event.organiser_id:
            q |= Q(
                volunteer_profile__organisation=event.organiser_id,
                volunteer_profile__organisation_confirmed=True,
            )
        return Q(is_active=True) & q

    def may_attend(self, user: User, event: HandoverEvent) -> bool:
        scope = scope_of(user)
        if scope.user is None or not scope.active:
            return False
        return event.community_id in scope.volunteer_communities or (
            event.organiser_id is not None and event.organiser_id in scope.organisations
        )

    def attended(self, user: User, event: HandoverEvent) -> bool:
        scope = scope_of(user)
        return scope.user is not None and event.attendances.filter(user=scope.user_id).exists()

    def can_see_record(self, user: User, event: HandoverEvent) -> bool:
        """The event's note and photos: its staff and the people who were there."""
        return self.can_manage(user, event) or self.attended(user, event)

    def attendances_managed(self, user: User, queryset=None):
        queryset = _model("EventAttendance").objects.all() if queryset is None else queryset
        return queryset.filter(scope_of(user).runs_q("event__community"))


events = EventPolicy()


# ----- volunteers and organisations ------------------------------------------------------------


class VolunteerPolicy:
    """双报到 registrations are decided by staff of the whole community they are for."""

    def registrations(self, user: User, queryset=None):
        from accounts.models import VolunteerRegistration

        queryset = VolunteerRegistration.objects.all() if queryset is None else queryset
        return queryset.filter(scope_of(user).runs_q("community"))

    def profiles(self, user: User, queryset=None):
        """Volunteers registered with a community this user runs, or members of an organisation
        this user answers for."""
        from accounts.models import VolunteerProfile

        scope = scope_of(user)
        queryset = VolunteerProfile.objects.all() if queryset is None else queryset
        if scope.everything:
            return queryset
        registered = VolunteerProfile.objects.filter(
            registrations__community__in=scope.communities
        ).values("pk")
        members = VolunteerProfile.objects.filter(
            organisation__in=organisations.members_managed(user).values("pk")
        ).values("pk")
        return queryset.filter(Q(pk__in=registered) | Q(pk__in=members))


volunteers = VolunteerPolicy()


class OrganisationPolicy:
    def members_managed(self, user: User, queryset=None) -> QuerySet[Organisation]:
        """Organisations whose membership this user may confirm: as its liaison, or as staff of
        a community it registered with (a whole community, not a grid)."""
        from communities.models import Organisation

        scope = scope_of(user)
        queryset = Organisation.objects.all() if queryset is None else queryset
        if scope.everything:
            return queryset
        registered = Organisation.communities.through.objects.filter(
            community__in=scope.communities
        ).values("organisation_id")
        return queryset.filter(Q(pk__in=scope.liaison_of) | Q(pk__in=registered))

    def can_manage_members(self, user: User, organisation: Organisation) -> bool:
        scope = scope_of(user)
        if scope.everything or organisation.pk in scope.liaison_of:
            return True
        return organisation.communities.filter(pk__in=scope.communities).exists()

    def listed_in_admin(self, user: User, queryset=None):
        """Organisations a staff member deals with: registered with a community they work in."""
        from communities.models import Organisation

        scope = scope_of(user)
        queryset = Organisation.objects.all() if queryset is None else queryset
        if scope.everything:
            return queryset
        registered = Organisation.communities.through.objects.filter(
            community__in=scope.staff_communities
        ).values("organisation_id")
        return queryset.filter(Q(pk__in=registered) | Q(pk__in=scope.liaison_of))


organisations = OrganisationPolicy()


class CommunityPolicy:
    def worked_in(self, user: User, queryset=None):
        """Communities this user works in (wholly or on a grid): pickers, places, admin lists."""
        from communities.models import Community

        scope = scope_of(user)
        queryset = Community.objects.all() if queryset is None else queryset
        return queryset if scope.everything else queryset.filter(pk__in=scope.staff_communities)

    def run_by(self, user: User, queryset=None):
        """Communities this user runs whole: volunteers, events, settings."""
        from communities.models import Community

        queryset = Community.objects.all() if queryset is None else queryset
        return queryset.filter(scope_of(user).runs_q("pk"))

    def grids(self, user: User, queryset=None):
        """Grids this user works on: every grid of a community they run, a grid worker's own."""
        from communities.models import Grid

        scope = scope_of(user)
        queryset = Grid.objects.all() if queryset is None else queryset
        return queryset.filter(scope.works_on_q("community", "pk"))


communities = CommunityPolicy()


class NoticePolicy:
    def inbox(self, user: User, queryset=None):
        queryset = (
            apps.get_model("notices", "Notice").objects.all() if queryset is None else queryset
        )
        scope = scope_of(user)
        return queryset.filter(user=scope.user_id) if scope.user else queryset.none()


notices = NoticePolicy()


# ----- what a person sees of a resident on a wish ---------------------------------------------


@dataclass(frozen=True)
class TimelineLine:
    when: Any
    text: str
    note: str
    actor: str = ""
    status: str = ""  # staff: the status the event moved the wish to
    note_audience: str = ""  # staff: who else may read the note


class WishView:
    """One person's view of one wish: templates, exports, notices and the API render this.

    `title`/`description` have typed phone and ID numbers masked unless the viewer is the
    resident, staff of the wish or the volunteer delivering it; `phone`/`address` are for the
    same three; the household situation, photos and the full timeline for the resident and staff.
    """

    NO_CLAIM = object()

    def __init__(self, wish: Wish, user: User | None, *, open_claim: Any = NO_CLAIM):
        self.wish = wish
        self.user = user
        self.is_staff = wishes.can_manage(user, wish) if user is not None else False
        self.is_resident = wishes.is_residents_own(user, wish) if user is not None else False
        if open_claim is not self.NO_CLAIM:
            self.__dict__["open_claim"] = open_claim  # the caller already has it

    @cached_property
    def open_claim(self) -> Claim | None:
        if self.wish.status not in (Status.DISPATCHED, Status.CLAIMED):
            return None  # only these states hold an open claim: no need to ask
        return self.wish.open_claim()

    @cached_property
    def is_claimer(self) -> bool:
        """The volunteer named on the active claim: the one person delivering."""
        claim = self.open_claim
        scope = scope_of(self.user)
        return (
            claim is not None
            and scope.active
            and claim.state == claim.State.ACTIVE
            and claim.volunteer_id == scope.user_id
        )

    @property
    def sees_text_unmasked(self) -> bool:
        return self.is_staff or self.is_resident or self.is_claimer

    @property
    def sees_private_side(self) -> bool:
        """Full name, situation, photos and the whole timeline."""
        return self.is_staff or self.is_resident

    @property
    def sees_contact(self) -> bool:
        return self.wish.resident_id is not None and (
            self.is_staff or self.is_resident or self.is_claimer
        )

    @cached_property
    def title(self) -> str:
        return self.wish.title if self.sees_text_unmasked else mask_numbers(self.wish.title)

    @cached_property
    def description(self) -> str:
        text = self.wish.description
        return text if self.sees_text_unmasked else mask_numbers(text)

    @property
    def name(self) -> str:
        if self.sees_private_side and self.wish.resident_id:
            return self.wish.resident.name
        return self.wish.masked_name

    @property
    def phone(self) -> str | None:
        return self.wish.resident.phone if self.sees_contact else None

    @property
    def address(self) -> str | None:
        return self.wish.resident.address if self.sees_contact else None

    @property
    def greeting(self) -> str | None:
        """Whom to ask for at the door (王叔叔, 李阿姨 or 王女士), never the full name."""
        return self.wish.resident.greeting if self.sees_contact else None

    @property
    def delivery_note(self) -> str:
        """Staff's note for whoever delivers: the claimer and staff read it."""
        return self.wish.delivery_note if self.is_staff or self.is_claimer else ""

    @property
    def situation(self) -> str | None:
        resident = self.wish.resident if self.wish.resident_id else None
        if resident is None or not self.sees_private_side or not resident.situation:
            return None
        text = resident.get_situation_display()
        return f"{text}：{resident.situation_detail}" if resident.situation_detail else text

    @cached_property
    def photos(self) -> list:
        if not self.sees_private_side:
            return []
        return list(self.wish.photos.all())

    @cached_property
    def photo_groups(self) -> list[tuple[str, list]]:
        """The photos under whose they are: the resident's own, the claimer's from the
        delivery, and those from a hand-over event — in that order, empty groups left out."""
        kinds = _model("WishPhoto").Kind
        headings = {
            kinds.REQUEST: _("居民拍的照片"),
            kinds.FULFILMENT: _("认领人兑现时拍的照片"),
            kinds.HANDOVER: _("集中兑现活动的照片"),
        }
        groups = []
        for kind, heading in headings.items():
            photos = [photo for photo in self.photos if photo.kind == kind]
            if photos:
                groups.append((heading, photos))
        return groups

    @property
    def thanks(self) -> str:
        involved = self.sees_private_side or self.is_claimer
        return self.wish.thanks_note if involved else ""

    @cached_property
    def timeline(self) -> list[TimelineLine]:
        """Staff read every line and note; the resident and the claimer read what happened in
        plain words, with only the notes written for them."""
        from .timeline import timeline_for

        if self.is_staff:
            return timeline_for(self.wish, viewer="staff")
        if self.is_resident:
            return timeline_for(self.wish, viewer="resident")
        if self.is_claimer:
            return timeline_for(self.wish, viewer="claimer")
        return []


def what_user_sees(wish: Wish, user: User | None, **known) -> WishView:
    """What this person may see of the resident behind this wish (the one place that decides).

    `open_claim=` may pass the wish's open claim when the caller already holds it.
    """
    return WishView(wish, user, **known)


def title_for(wish: Wish, user: User | None) -> str:
    """A wish's title as this person may read it (notices, mail, exports)."""
    return what_user_sees(wish, user).title


# ----- the 圆梦墙 (wall of wishes come true) ---------------------------------------------------


class WallPolicy:
    """The 圆梦墙: every individual wish that came true (fulfilled or confirmed) and whose
    resident agreed to public display is a story there, to everyone, unless staff hid it.

    Staff who work on the wish hide or feature its story and choose its photos — only the
    delivery's (fulfilment or hand-over) photos, never the resident's own of their home; only
    photos chosen for a story on the wall are ever served from it.
    """

    STATUSES = (Status.FULFILLED, Status.CONFIRMED)
    PHOTO_KINDS = ("fulfilment", "handover")

    # -- the rule as querysets

    def eligible_q(self, prefix: str = "") -> Q:
        """Wishes that may be a story at all (staff may still hide them)."""
        return Q(
            **{
                f"{prefix}status__in": self.STATUSES,
                f"{prefix}public_consent": True,
                f"{prefix}kind": "individual",
            }
        )

    def stories_q(self, prefix: str = "") -> Q:
        return self.eligible_q(prefix) & ~Q(**{f"{prefix}wall_story__hidden": True})

    def stories(self, queryset: QuerySet[Wish] | None = None) -> QuerySet[Wish]:
        """The wishes on the wall, for everyone (no login needed)."""
        queryset = _model("Wish").objects.all() if queryset is None else queryset
        return queryset.filter(self.stories_q())

    def photos(self, queryset=None) -> QuerySet:
        """Photos the wall shows: of the delivery, chosen by staff for a story on the wall."""
        from django.db.models import F

        queryset = _model("WishPhoto").objects.all() if queryset is None else queryset
        chosen = (
            apps.get_model("outcomes", "WallStory")
            .photos.through.objects.filter(
                self.stories_q("wallstory__wish__"), wallstory__wish=F("wishphoto__wish")
            )
            .values("wishphoto_id")
        )
        return queryset.filter(kind__in=self.PHOTO_KINDS, pk__in=chosen)

    def managed(self, user: User, queryset: QuerySet[Wish] | None = None) -> QuerySet[Wish]:
        """Wishes whose story this user may hide, feature and illustrate."""
        return wishes.managed(user, queryset).filter(self.eligible_q())

    # -- the same rule for one wish (or photo)

    def is_eligible(self, wish: Wish) -> bool:
        return wish.status in self.STATUSES and wish.public_consent and wish.kind == "individual"

    def is_hidden(self, wish: Wish) -> bool:
        from django.core.exceptions import ObjectDoesNotExist

        try:
            return wish.wall_story.hidden
        except ObjectDoesNotExist:
            return False  # staff never decided anything: on the wall by default

    def is_on_wall(self, wish: Wish) -> bool:
        return self.is_eligible(wish) and not self.is_hidden(wish)

    def may_manage(self, user: User, wish: Wish) -> bool:
        return self.is_eligible(wish) and wishes.can_manage(user, wish)

    def may_choose(self, photo) -> bool:
        """A photo staff may put on the wall: of the delivery, never the resident's own."""
        return photo.kind in self.PHOTO_KINDS

    def shows_photo(self, photo) -> bool:
        if not self.may_choose(photo) or not self.is_on_wall(photo.wish):
            return False
        chosen = apps.get_model("outcomes", "WallStory").photos.through.objects
        return chosen.filter(wallstory__wish=photo.wish_id, wishphoto=photo.pk).exists()


wall = WallPolicy()
