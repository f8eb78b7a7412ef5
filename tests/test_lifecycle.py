"""The wish life cycle: the table of moves, who may make them, and what each one writes."""

import datetime
from dataclasses import dataclass

import pytest
import time_machine

from accounts.models import User
from tests.factories import (
    CategoryFactory,
    CommunityFactory,
    OrganisationFactory,
    WishFactory,
    make_volunteer,
)
from wishes.lifecycle import MOVES, Status, WishError
from wishes.models import Claim, Wish, WishEvent

NOW = datetime.datetime(2025, 6, 3, 9, 30, tzinfo=datetime.UTC)
REASON = "居民已搬离本社区"
NOTE = "已把大米和食用油送到家中"
THANKS = "谢谢党员同志"

ALLOWED = [(status, name) for name, move in MOVES.items() for status in sorted(move.sources)]
REFUSED = [
    (status, name)
    for status in Status.values
    for name, move in MOVES.items()
    if status not in move.sources
]


# What each move writes besides status, at the frozen time NOW. STAFF stands for the reviewer.
STAFF = object()
RELATED_FIELDS = {
    "approve": {"reviewed_by": STAFF, "reviewed_at": NOW, "published_at": NOW},
    "reject": {"reviewed_by": STAFF, "reviewed_at": NOW, "reject_reason": REASON},
    "withdraw": {"reviewed_by": None, "published_at": None},
    "edit": {"title": "大米、面粉和豆油", "reviewed_by": None},
    "claim": {"claimed_at": NOW},
    "dispatch": {"claimed_at": None},
    "accept": {"claimed_at": NOW},
    "decline": {"claimed_at": None},
    "release": {"claimed_at": None},
    "fulfil": {"fulfilled_at": NOW, "fulfil_note": NOTE},
    "confirm": {"confirmed_at": NOW, "thanks_note": THANKS, "rating": 4},
    "close": {"closed_at": NOW, "close_reason": REASON},
    "remind": {},
    "escalate": {"escalated_at": NOW},
}


@dataclass
class Mover:
    """Makes any move as someone the table allows for it, with valid input."""

    staff: User
    resident: User
    volunteer: User
    claimer: User

    def actor_and_input(self, name: str) -> tuple[User, dict]:
        return {
            "approve": (self.staff, {}),
            "reject": (self.staff, {"reason": REASON}),
            "withdraw": (self.resident, {"reason": REASON}),
            "edit": (self.resident, {"title": "大米、面粉和豆油"}),
            "claim": (self.volunteer, {}),
            "dispatch": (self.staff, {"volunteer": self.volunteer}),
            "accept": (self.claimer, {}),
            "decline": (self.claimer, {"reason": REASON}),
            "release": (self.claimer, {"reason": REASON}),
            "fulfil": (self.claimer, {"note": NOTE}),
            "confirm": (self.resident, {"thanks": THANKS, "rating": 4}),
            "close": (self.staff, {"reason": REASON}),
            "remind": (self.staff, {"note": "请本周内送达"}),
            "escalate": (self.staff, {}),
        }[name]

    def expected_note(self, name: str, wish: Wish) -> str:
        if name == "escalate":
            return f"{wish.community}的心愿“{wish.title}”已等待0天无人认领，请协调。"
        return {
            "approve": "",
            "reject": REASON,
            "withdraw": REASON,
            "edit": "修改了：心愿标题",
            "claim": "",
            "dispatch": f"派给：{self.volunteer}",
            "accept": "",
            "decline": REASON,
            "release": REASON,
            "fulfil": NOTE,
            "confirm": THANKS,
            "close": REASON,
            "remind": "请本周内送达",
        }[name]

    def __call__(self, wish: Wish, name: str) -> WishEvent:
        actor, data = self.actor_and_input(name)
        return getattr(wish, name)(by=actor, **data)


@pytest.fixture
def move_as_allowed(staff, resident, volunteer, claimer):
    return Mover(staff=staff, resident=resident, volunteer=volunteer, claimer=claimer)


@pytest.fixture
def wish_in(community, resident, staff, claimer):
    """`wish_in(status)`: a wish of 福阳社区 for `resident`, walked there by `staff`/`claimer`."""

    def make(status: str, **fields) -> Wish:
        flags = {} if status == Status.SUBMITTED else {status: True}
        fields.setdefault("resident", resident.resident)
        return WishFactory(community=community, staff=staff, claimer=claimer, **flags, **fields)

    return make


def latest_event(wish: Wish) -> WishEvent:
    return wish.events.order_by("created_at", "pk").last()


# ----- the table --------------------------------------------------------------------------


def test_the_table_is_the_agreed_life_cycle():
    # The tests below follow MOVES; this one pins MOVES itself against accidental edits.
    assert {name: (set(move.sources), move.target) for name, move in MOVES.items()} == {
        "approve": ({"submitted"}, "approved"),
        "reject": ({"submitted"}, "rejected"),
        "withdraw": ({"submitted"}, "withdrawn"),
        "edit": ({"submitted"}, "submitted"),
        "claim": ({"approved"}, "claimed"),
        "dispatch": ({"approved"}, "dispatched"),
        "accept": ({"dispatched"}, "claimed"),
        "decline": ({"dispatched"}, "approved"),
        "release": ({"claimed"}, "approved"),
        "fulfil": ({"claimed"}, "fulfilled"),
        "confirm": ({"fulfilled"}, "confirmed"),
        "close": ({"approved", "dispatched", "claimed"}, "closed"),
        "remind": ({"dispatched", "claimed"}, None),
        "escalate": ({"approved"}, None),
    }


@pytest.mark.parametrize(("status", "name"), ALLOWED)
def test_allowed_move_reaches_its_target_status(status, name, wish_in, move_as_allowed):
    wish = wish_in(status)
    move_as_allowed(wish, name)
    wish.refresh_from_db()
    assert wish.status == MOVES[name].target_from(status)


@pytest.mark.parametrize(("status", "name"), ALLOWED)
def test_allowed_move_writes_exactly_one_event(status, name, wish_in, move_as_allowed):
    wish = wish_in(status)
    events_before = wish.events.count()
    move_as_allowed(wish, name)
    assert wish.events.count() == events_before + 1


@pytest.mark.parametrize(("status", "name"), ALLOWED)
def test_allowed_move_event_names_actor_statuses_and_note(status, name, wish_in, move_as_allowed):
    wish = wish_in(status)
    move_as_allowed(wish, name)
    event = latest_event(wish)
    actor, _ = move_as_allowed.actor_and_input(name)
    assert (event.actor, event.action, event.from_status, event.to_status, event.note) == (
        actor,
        name,
        status,
        MOVES[name].target_from(status),
        move_as_allowed.expected_note(name, wish),
    )


@pytest.mark.parametrize(("status", "name"), ALLOWED)
def test_allowed_move_sets_its_related_fields(status, name, wish_in, move_as_allowed, staff):
    wish = wish_in(status)
    with time_machine.travel(NOW, tick=False):
        move_as_allowed(wish, name)
    wish.refresh_from_db()
    expected = {
        field: staff if value is STAFF else value for field, value in RELATED_FIELDS[name].items()
    }
    assert {field: getattr(wish, field) for field in expected} == expected


@pytest.mark.parametrize(("status", "name"), REFUSED)
def test_move_outside_the_table_is_refused_and_changes_nothing(
    status, name, wish_in, move_as_allowed
):
    wish = wish_in(status)
    events_before = wish.events.count()
    with pytest.raises(WishError) as refusal:
        move_as_allowed(wish, name)
    wish.refresh_from_db()
    assert refusal.value.code == "state"
    assert (wish.status, wish.events.count()) == (status, events_before)


def test_staff_sees_the_review_moves_on_a_submitted_wish(wish_in, staff):
    wish = wish_in(Status.SUBMITTED)
    assert [move.name for move in wish.available_moves(staff)] == [
        "approve",
        "reject",
        "withdraw",
        "edit",
    ]


def test_volunteer_sees_only_claim_on_an_approved_wish(wish_in, volunteer):
    wish = wish_in(Status.APPROVED)
    assert [move.name for move in wish.available_moves(volunteer)] == ["claim"]


# ----- who may make a move ----------------------------------------------------------------


def test_staff_of_another_community_cannot_approve(wish_in, other_staff):
    wish = wish_in(Status.SUBMITTED)
    with pytest.raises(WishError) as refusal:
        wish.approve(by=other_staff)
    wish.refresh_from_db()
    assert refusal.value.code == "forbidden"
    assert wish.status == Status.SUBMITTED


def test_resident_cannot_approve_their_own_wish(wish_in, resident):
    wish = wish_in(Status.SUBMITTED)
    with pytest.raises(WishError) as refusal:
        wish.approve(by=resident)
    assert refusal.value.code == "forbidden"


def test_street_admin_can_approve_a_wish_of_a_community_in_their_street(wish_in, street_admin):
    wish = wish_in(Status.SUBMITTED)
    wish.approve(by=street_admin)
    assert (wish.status, wish.reviewed_by) == (Status.APPROVED, street_admin)


def test_street_admin_cannot_approve_a_wish_of_another_street(street_admin, other_community):
    wish = WishFactory(community=other_community)
    with pytest.raises(WishError) as refusal:
        wish.approve(by=street_admin)
    assert refusal.value.code == "forbidden"


def test_superuser_can_approve_a_wish_of_any_community(superuser, other_community):
    wish = WishFactory(community=other_community)
    wish.approve(by=superuser)
    assert wish.status == Status.APPROVED


def test_inactive_staff_cannot_approve(wish_in, staff):
    wish = wish_in(Status.SUBMITTED)
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    with pytest.raises(WishError) as refusal:
        wish.approve(by=staff)
    assert refusal.value.code == "forbidden"


def test_other_resident_cannot_withdraw_someone_elses_wish(wish_in, other_resident):
    wish = wish_in(Status.SUBMITTED)
    with pytest.raises(WishError) as refusal:
        wish.withdraw(by=other_resident)
    assert refusal.value.code == "forbidden"


def test_staff_who_entered_a_wish_for_a_resident_can_withdraw_it(wish_in, staff):
    wish = wish_in(Status.SUBMITTED, entered_by=staff)
    wish.withdraw(by=staff, reason="居民说不需要了")
    assert wish.status == Status.WITHDRAWN


def test_pending_volunteer_cannot_claim(wish_in, pending_volunteer):
    wish = wish_in(Status.APPROVED)
    with pytest.raises(WishError) as refusal:
        wish.claim(by=pending_volunteer)
    wish.refresh_from_db()
    assert refusal.value.code == "forbidden"
    assert (wish.status, wish.claims.count()) == (Status.APPROVED, 0)


def test_volunteer_of_another_community_cannot_claim(wish_in, other_community):
    wish = wish_in(Status.APPROVED)
    outsider = make_volunteer(other_community)
    with pytest.raises(WishError) as refusal:
        wish.claim(by=outsider)
    assert refusal.value.code == "forbidden"


def test_resident_without_registration_cannot_claim(wish_in, other_resident):
    wish = wish_in(Status.APPROVED)
    with pytest.raises(WishError) as refusal:
        wish.claim(by=other_resident)
    assert refusal.value.code == "forbidden"


def test_volunteer_cannot_claim_for_an_organisation_they_do_not_belong_to(
    wish_in, volunteer, organisation
):
    wish = wish_in(Status.APPROVED)
    with pytest.raises(WishError) as refusal:
        wish.claim(by=volunteer, organisation=organisation)
    wish.refresh_from_db()
    assert refusal.value.code == "forbidden"
    assert (wish.status, wish.claims.count()) == (Status.APPROVED, 0)


def test_member_can_claim_for_their_organisation(wish_in, member, organisation):
    wish = wish_in(Status.APPROVED)
    wish.claim(by=member, organisation=organisation)
    claim = wish.open_claim()
    assert (claim.volunteer, claim.organisation, claim.state) == (
        member,
        organisation,
        Claim.State.ACTIVE,
    )
    assert latest_event(wish).note == f"以{organisation}名义认领"


def test_collective_wish_cannot_be_claimed_by_a_volunteer(community, staff, volunteer):
    wish = WishFactory(
        community=community, resident=None, kind=Wish.Kind.COLLECTIVE, staff=staff, approved=True
    )
    with pytest.raises(WishError) as refusal:
        wish.claim(by=volunteer)
    wish.refresh_from_db()
    assert refusal.value.code == "forbidden"
    assert (wish.status, wish.claims.count()) == (Status.APPROVED, 0)


def test_stranger_cannot_accept_a_dispatch_to_an_organisation(
    wish_in, staff, organisation, volunteer
):
    wish = wish_in(Status.APPROVED)
    wish.dispatch(by=staff, organisation=organisation)
    with pytest.raises(WishError) as refusal:
        wish.accept(by=volunteer)
    wish.refresh_from_db()
    assert refusal.value.code == "forbidden"
    assert wish.status == Status.DISPATCHED


def test_stranger_cannot_accept_a_dispatch_to_another_volunteer(wish_in, volunteer):
    wish = wish_in(Status.DISPATCHED)  # offered to `claimer`
    with pytest.raises(WishError) as refusal:
        wish.accept(by=volunteer)
    assert refusal.value.code == "forbidden"


def test_another_volunteer_cannot_release_someone_elses_claim(wish_in, volunteer):
    wish = wish_in(Status.CLAIMED)  # held by `claimer`
    with pytest.raises(WishError) as refusal:
        wish.release(by=volunteer, reason="想换个心愿")
    assert refusal.value.code == "forbidden"


def test_another_volunteer_cannot_report_someone_elses_claim_fulfilled(wish_in, volunteer):
    wish = wish_in(Status.CLAIMED)
    with pytest.raises(WishError) as refusal:
        wish.fulfil(by=volunteer, note=NOTE)
    assert refusal.value.code == "forbidden"


def test_other_resident_cannot_confirm_someone_elses_wish(wish_in, other_resident):
    wish = wish_in(Status.FULFILLED)
    with pytest.raises(WishError) as refusal:
        wish.confirm(by=other_resident, rating=5)
    assert refusal.value.code == "forbidden"


def test_volunteer_cannot_close_a_wish(wish_in, claimer):
    wish = wish_in(Status.CLAIMED)
    with pytest.raises(WishError) as refusal:
        wish.close(by=claimer, reason=REASON)
    assert refusal.value.code == "forbidden"


def test_system_can_release_an_overdue_claim_without_an_actor(wish_in):
    wish = wish_in(Status.CLAIMED)
    wish.release(by=None, reason="超过完成期限未兑现，自动释放")
    assert (wish.status, latest_event(wish).actor) == (Status.APPROVED, None)


# ----- dispatch, decline, release, close ------------------------------------------------


def test_dispatch_offers_the_wish_to_the_chosen_volunteer(wish_in, staff, volunteer):
    wish = wish_in(Status.APPROVED)
    wish.dispatch(by=staff, volunteer=volunteer, note="周六上午送达")
    claim = wish.open_claim()
    assert (claim.state, claim.volunteer, claim.dispatched_by) == (
        Claim.State.OFFERED,
        volunteer,
        staff,
    )


def test_member_accepting_an_organisation_dispatch_becomes_its_volunteer(
    wish_in, staff, organisation, member
):
    wish = wish_in(Status.APPROVED)
    wish.dispatch(by=staff, organisation=organisation)
    wish.accept(by=member)
    claim = wish.claims.get()
    assert wish.status == Status.CLAIMED
    assert (claim.state, claim.volunteer, claim.organisation) == (
        Claim.State.ACTIVE,
        member,
        organisation,
    )


def test_declined_dispatch_returns_the_wish_to_approved_with_the_reason(
    wish_in, staff, organisation, member
):
    wish = wish_in(Status.APPROVED)
    wish.dispatch(by=staff, organisation=organisation)
    wish.decline(by=member, reason="本周单位人手不够")
    assert (wish.status, latest_event(wish).note) == (Status.APPROVED, "本周单位人手不够")


def test_declined_dispatch_ends_the_claim_as_declined(wish_in, staff, organisation, member):
    wish = wish_in(Status.APPROVED)
    wish.dispatch(by=staff, organisation=organisation)
    wish.decline(by=member, reason="本周单位人手不够")
    claim = wish.claims.get()
    assert (claim.state, claim.end_reason) == (Claim.State.DECLINED, "本周单位人手不够")
    assert claim.ended_at is not None


def test_staff_can_take_back_a_dispatch(wish_in, staff):
    wish = wish_in(Status.DISPATCHED)
    wish.decline(by=staff, reason="志愿者联系不上")
    assert (wish.status, wish.open_claim()) == (Status.APPROVED, None)


def test_dispatch_to_an_unregistered_volunteer_is_invalid(wish_in, staff, other_community):
    wish = wish_in(Status.APPROVED)
    with pytest.raises(WishError) as refusal:
        wish.dispatch(by=staff, volunteer=make_volunteer(other_community))
    wish.refresh_from_db()
    assert refusal.value.code == "invalid"
    assert (wish.status, wish.claims.count()) == (Status.APPROVED, 0)


def test_dispatch_to_an_organisation_not_registered_here_is_invalid(wish_in, staff):
    wish = wish_in(Status.APPROVED)
    elsewhere = OrganisationFactory(communities=[CommunityFactory()])
    with pytest.raises(WishError) as refusal:
        wish.dispatch(by=staff, organisation=elsewhere)
    assert refusal.value.code == "invalid"


@pytest.mark.parametrize("both", [True, False], ids=["both", "neither"])
def test_dispatch_needs_exactly_one_recipient(wish_in, staff, volunteer, organisation, both):
    wish = wish_in(Status.APPROVED)
    recipients = {"volunteer": volunteer, "organisation": organisation} if both else {}
    with pytest.raises(WishError) as refusal:
        wish.dispatch(by=staff, **recipients)
    assert refusal.value.code == "invalid"


def test_release_ends_the_claim_as_released(wish_in, claimer):
    wish = wish_in(Status.CLAIMED)
    wish.release(by=claimer, reason="临时出差")
    claim = wish.claims.get()
    assert (claim.state, claim.end_reason) == (Claim.State.RELEASED, "临时出差")


def test_released_wish_can_be_claimed_by_another_volunteer(wish_in, claimer, volunteer):
    wish = wish_in(Status.CLAIMED)
    wish.release(by=claimer, reason="临时出差")
    wish.claim(by=volunteer)
    assert (wish.status, wish.open_claim().volunteer) == (Status.CLAIMED, volunteer)
    assert wish.claims.count() == 2


@pytest.mark.parametrize("status", [Status.DISPATCHED, Status.CLAIMED])
def test_close_cancels_the_open_claim(wish_in, staff, status):
    wish = wish_in(status)
    wish.close(by=staff, reason=REASON)
    claim = wish.claims.get()
    assert (claim.state, claim.end_reason) == (Claim.State.CANCELLED, REASON)
    assert wish.open_claim() is None


def test_fulfil_ends_the_claim_as_fulfilled(wish_in, claimer):
    wish = wish_in(Status.CLAIMED)
    wish.fulfil(by=claimer, note=NOTE)
    assert wish.claims.get().state == Claim.State.FULFILLED


# ----- input that the moves refuse --------------------------------------------------------


@pytest.mark.parametrize("blank", ["", "   "], ids=["empty", "spaces"])
@pytest.mark.parametrize(
    ("status", "name", "field"),
    [
        (Status.SUBMITTED, "reject", "reason"),
        (Status.DISPATCHED, "decline", "reason"),
        (Status.CLAIMED, "release", "reason"),
        (Status.CLAIMED, "fulfil", "note"),
        (Status.APPROVED, "close", "reason"),
    ],
    ids=["reject", "decline", "release", "fulfil", "close"],
)
def test_move_without_its_required_reason_is_invalid(
    wish_in, move_as_allowed, status, name, field, blank
):
    wish = wish_in(status)
    actor, _ = move_as_allowed.actor_and_input(name)
    with pytest.raises(WishError) as refusal:
        getattr(wish, name)(by=actor, **{field: blank})
    wish.refresh_from_db()
    assert refusal.value.code == "invalid"
    assert wish.status == status


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_rating_outside_one_to_five_is_invalid(wish_in, resident, rating):
    wish = wish_in(Status.FULFILLED)
    with pytest.raises(WishError) as refusal:
        wish.confirm(by=resident, rating=rating)
    wish.refresh_from_db()
    assert refusal.value.code == "invalid"
    assert wish.status == Status.FULFILLED


def test_confirm_without_a_rating_is_fine(wish_in, resident):
    wish = wish_in(Status.FULFILLED)
    wish.confirm(by=resident)
    assert (wish.status, wish.rating) == (Status.CONFIRMED, None)


# ----- status is written by the moves only ----------------------------------------------


def test_writing_status_directly_and_saving_is_refused(wish_in):
    wish = wish_in(Status.APPROVED)
    wish.status = Status.CONFIRMED
    with pytest.raises(WishError):
        wish.save()
    assert Wish.objects.get(pk=wish.pk).status == Status.APPROVED


def test_saving_other_fields_keeps_working(wish_in):
    wish = wish_in(Status.APPROVED)
    wish.title = "两袋大米"
    wish.save()
    assert Wish.objects.get(pk=wish.pk).title == "两袋大米"


def test_wish_event_cannot_be_edited(wish_in):
    event = latest_event(wish_in(Status.APPROVED))
    event.note = "改过的说明"
    with pytest.raises(WishError):
        event.save()
    assert WishEvent.objects.get(pk=event.pk).note == ""


def test_wish_event_cannot_be_deleted(wish_in):
    event = latest_event(wish_in(Status.APPROVED))
    with pytest.raises(WishError):
        event.delete()
    assert WishEvent.objects.filter(pk=event.pk).exists()


def test_submit_starts_the_timeline(community, resident, staff):
    wish = Wish.submit(
        by=staff,
        title="轮椅",
        description="老伴腿脚不便，想要一台轮椅",
        category=CategoryFactory(),
        community=community,
        resident=resident.resident,
        channel=Wish.Channel.VISIT,
    )
    event = wish.events.get()
    assert (wish.status, wish.entered_by) == (Status.SUBMITTED, staff)
    assert (event.action, event.actor, event.to_status) == ("submit", staff, Status.SUBMITTED)


# ----- a stale copy ---------------------------------------------------------------------


def test_claiming_a_stale_copy_after_someone_else_claimed_is_a_conflict(
    wish_in, volunteer, claimer
):
    first = wish_in(Status.APPROVED)
    second = Wish.objects.get(pk=first.pk)
    first.claim(by=volunteer)
    with pytest.raises(WishError) as refusal:
        second.claim(by=claimer)
    assert refusal.value.code == "conflict"
    assert first.claims.get().volunteer == volunteer


def test_stale_copy_conflict_writes_no_event(wish_in, volunteer, claimer):
    first = wish_in(Status.APPROVED)
    second = Wish.objects.get(pk=first.pk)
    first.claim(by=volunteer)
    with pytest.raises(WishError):
        second.claim(by=claimer)
    assert first.events.filter(action="claim").count() == 1


# ----- editing while under review -----------------------------------------------------------


def test_editing_without_changes_writes_no_event(wish_in, resident):
    wish = wish_in(Status.SUBMITTED)
    events_before = wish.events.count()
    assert wish.edit(by=resident, title=wish.title) is None
    assert wish.events.count() == events_before


def test_editing_a_field_outside_the_editable_list_is_a_programming_error(wish_in, resident):
    wish = wish_in(Status.SUBMITTED)
    with pytest.raises(ValueError):
        wish.edit(by=resident, community=None)


def test_another_resident_cannot_edit_my_wish(wish_in, other_resident):
    wish = wish_in(Status.SUBMITTED)
    with pytest.raises(WishError) as refusal:
        wish.edit(by=other_resident, title="别人的修改")
    assert refusal.value.code == "forbidden"
