"""The access policy answers every question twice, and both answers must agree.

`wishes/policy.py` says, for each kind of record, "which of these may this user see or act on"
(a queryset: lists, the admin, exports) and "may this user see or act on this one" (a boolean:
pages, buttons, notices). One small but rich world — two streets, three communities, grids, an
organisation, twenty people and a wish in every state — is asked both questions for every
person and every record, and every disagreement is listed in one message.

Then a few of the rules themselves, as sentences, and random small worlds drawn by hypothesis.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import (
    Resident,
    StaffRole,
    User,
    VolunteerProfile,
    VolunteerRegistration,
)
from accounts.scoping import scope_of
from communities.models import Community, Grid, Organisation, Street
from tests.factories import (
    CategoryFactory,
    CommunityFactory,
    GridFactory,
    OrganisationFactory,
    ResidentFactory,
    StreetFactory,
    UserFactory,
    WishFactory,
    make_staff,
    make_volunteer,
)
from wishes import policy
from wishes.lifecycle import Audience
from wishes.masking import mask_numbers
from wishes.models import Claim, HandoverEvent, Wish

# ----- the world -------------------------------------------------------------------------------


@dataclass
class World:
    streets: dict[str, Street] = field(default_factory=dict)
    communities: dict[str, Community] = field(default_factory=dict)
    grids: dict[str, Grid] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    people: dict[str, User | None] = field(default_factory=dict)  # None: anonymous
    residents: dict[str, Resident] = field(default_factory=dict)
    wishes: dict[str, Wish] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)
    events: dict[str, HandoverEvent] = field(default_factory=dict)


def grid_worker(community: Community, grid: Grid | None, username: str) -> User:
    role = StaffRole.objects.create(
        user=UserFactory(username=username),
        role=StaffRole.Role.GRID_WORKER,
        community=community,
        grid=grid,
    )
    return User.objects.get(pk=role.user_id)


def build_world() -> World:
    """A (A 福阳, B 明珠) and C 新兴 in two streets; the organisation serves A and C."""
    w = World()
    w.streets["向阳街道"] = xiangyang = StreetFactory(name="向阳街道")
    w.streets["新兴街道"] = xinxing = StreetFactory(name="新兴街道")
    a = w.communities["A"] = CommunityFactory(street=xiangyang, name="福阳社区")
    b = w.communities["B"] = CommunityFactory(street=xiangyang, name="明珠社区")
    c = w.communities["C"] = CommunityFactory(street=xinxing, name="新兴社区")
    a1 = w.grids["A1"] = GridFactory(community=a, name="福阳第一网格")
    a2 = w.grids["A2"] = GridFactory(community=a, name="福阳第二网格")
    b1 = w.grids["B1"] = GridFactory(community=b, name="明珠第一网格")

    branch = w.organisations["branch (A, C)"] = OrganisationFactory(
        name="市税务局稽查局党支部", communities=[a, c]
    )
    w.organisations["department (B)"] = OrganisationFactory(name="区住建局党支部", communities=[b])
    liaison = UserFactory(username="liaison")
    branch.liaisons.add(liaison)

    # Residents: with and without logins, on different grids and on none.
    own = ResidentFactory(community=a, grid=a1, user=UserFactory(username="resident"))
    other = ResidentFactory(community=a, grid=a2, user=UserFactory(username="other_resident"))
    w.residents["the resident (A1, login)"] = own
    w.residents["another resident (A2, login)"] = other
    a2_elder = w.residents["elder (A2, no login)"] = ResidentFactory(community=a, grid=a2)
    deactivated = UserFactory(username="deactivated_resident", is_active=False)
    w.residents["deactivated account (A2)"] = ResidentFactory(
        community=a, grid=a2, user=deactivated
    )
    a_elder = w.residents["elder (A, no grid)"] = ResidentFactory(community=a, grid=None)
    b_elder = w.residents["elder (B1)"] = ResidentFactory(community=b, grid=b1)
    c_elder = w.residents["elder (C, no grid)"] = ResidentFactory(community=c, grid=None)

    # People.
    staff_a = make_staff(a, username="staff_a")
    staff_b = make_staff(b, username="staff_b")
    superuser = UserFactory(username="admin", is_superuser=True, is_staff=True)
    member = make_volunteer(b, organisation=branch, username="member")  # confirmed, B only
    unconfirmed = make_volunteer(b, username="unconfirmed_member")
    VolunteerProfile.objects.filter(user=unconfirmed).update(
        organisation=branch, organisation_confirmed=False
    )
    # Staff of A who also volunteered in A and delivered a wish, before the account was closed.
    former = make_staff(a, username="former_staff")
    VolunteerRegistration.objects.create(
        volunteer=VolunteerProfile.objects.create(user=former), community=a, status="approved"
    )
    w.people = {
        "anonymous": None,
        "the resident": own.user,
        "another resident": other.user,
        "no roles": UserFactory(username="nobody"),
        "pending volunteer (A)": make_volunteer(a, status="pending", username="pending"),
        "volunteer of A": make_volunteer(a, username="volunteer_a"),
        "volunteer of B": make_volunteer(b, username="volunteer_b"),
        "claimer (A)": make_volunteer(a, username="claimer"),
        "confirmed member (B only)": member,
        "unconfirmed member (B)": unconfirmed,
        "liaison": liaison,
        "grid worker of A1": grid_worker(a, a1, "grid_a1"),
        "grid worker of A2": grid_worker(a, a2, "grid_a2"),
        "grid worker without grid": grid_worker(a, None, "grid_none"),
        "staff of A": staff_a,
        "staff of B": staff_b,
        "street admin (A, B)": make_staff(street=xiangyang, username="street_admin"),
        "superuser": superuser,
        "inactive former staff (A)": former,
        "deactivated resident": deactivated,
    }
    volunteer_a = w.people["volunteer of A"]
    volunteer_b = w.people["volunteer of B"]
    claimer = w.people["claimer (A)"]

    def wish(label, community, resident, *, grid=None, staff=None, **kwargs) -> Wish:
        staff = staff or {a: staff_a, b: staff_b, c: superuser}[community]
        w.wishes[label] = made = WishFactory(
            community=community, grid=grid, resident=resident, staff=staff, **kwargs
        )
        return made

    wish("submitted (A1)", a, own, grid=a1)
    wish("approved, consent (A1)", a, own, grid=a1, approved=True)
    wish(
        "approved, no consent (A2)",
        a,
        w.residents["deactivated account (A2)"],
        grid=a2,
        approved=True,
        public_consent=False,
    )
    wish("approved, no consent, no grid (A)", a, a_elder, approved=True, public_consent=False)
    declined = wish(
        "approved, no consent, dispatch declined (B1)",
        b,
        b_elder,
        grid=b1,
        approved=True,
        public_consent=False,
    )
    declined.dispatch(by=staff_b, volunteer=volunteer_b)
    declined.decline(by=volunteer_b, reason="这周出差，送不了")
    wish("approved, no consent (C)", c, c_elder, approved=True, public_consent=False)
    wish("collective approved (A1)", a, None, grid=a1, kind="collective", approved=True)
    to_org = wish("collective dispatched to branch (A)", a, None, kind="collective", approved=True)
    to_org.dispatch(by=staff_a, organisation=branch)
    wish(
        "dispatched to volunteer of A (A2)",
        a,
        other,
        grid=a2,
        claimer=volunteer_a,
        dispatched=True,
        public_consent=False,
    )
    to_org = wish("dispatched to branch (C)", c, c_elder, approved=True, public_consent=False)
    to_org.dispatch(by=superuser, organisation=branch)
    wish("claimed by claimer (A1)", a, own, grid=a1, claimer=claimer, claimed=True)
    for_org = wish(
        "claimed for branch (A2)", a, a2_elder, grid=a2, approved=True, public_consent=False
    )
    for_org.dispatch(by=staff_a, organisation=branch)
    for_org.accept(by=member)  # a confirmed member acts for the branch where it serves
    wish("fulfilled (B1)", b, b_elder, grid=b1, claimer=volunteer_b, fulfilled=True)
    done = wish("fulfilled for branch (C)", c, c_elder, approved=True, public_consent=False)
    done.dispatch(by=superuser, organisation=branch)
    done.accept(by=member)
    done.fulfil(by=member, note="已送到家中")
    wish("confirmed (A, no grid)", a, own, claimer=former, confirmed=True)
    gone = wish(
        "released then closed (A2)",
        a,
        a2_elder,
        grid=a2,
        claimer=claimer,
        claimed=True,
        public_consent=False,
    )
    gone.release(by=claimer, reason="临时出差")
    gone.close(by=staff_a, reason="居民已搬离本社区")
    stopped = wish(
        "closed while claimed (B1)",
        b,
        b_elder,
        grid=b1,
        claimer=volunteer_b,
        claimed=True,
        public_consent=False,
    )
    stopped.close(by=staff_b, reason="物资已由民政部门解决")
    wish("rejected (A1)", a, own, grid=a1, rejected=True)
    wish("withdrawn (B, no grid)", b, b_elder, withdrawn=True)

    for label, made in w.wishes.items():
        for claim in made.claims.all():
            w.claims[f"{claim.state} claim on {label!r}"] = claim

    User.objects.filter(pk=former.pk).update(is_active=False)

    start = timezone.now() + dt.timedelta(days=3)
    end = start + dt.timedelta(hours=2)
    w.events["event in A (branch)"] = HandoverEvent.objects.create(
        community=a,
        title="七一集中兑现",
        place="福阳社区广场",
        starts_at=start,
        ends_at=end,
        organiser=branch,
        created_by=staff_a,
    )
    w.events["event in B"] = HandoverEvent.objects.create(
        community=b,
        title="明珠社区主题党日",
        place="明珠社区活动室",
        starts_at=start,
        ends_at=end,
        created_by=staff_b,
    )
    return w


@pytest.fixture
def world(db) -> World:
    return build_world()


# ----- asking both forms -----------------------------------------------------------------------


def fresh(user: User | None):
    """A user object straight from the database (or a new anonymous one): nothing cached."""
    return AnonymousUser() if user is None else User.objects.get(pk=user.pk)


def fresh_record(record: Model) -> Model:
    return type(record)._default_manager.get(pk=record.pk)


def pks(queryset: QuerySet) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


@dataclass(frozen=True)
class Form:
    """One question asked both ways: `policy.<kind>.<many>(user)` and `<one>(user, record)`.

    The methods are looked up when asked, never bound at import, so whatever the policy module
    holds at the time is what gets checked.
    """

    kind: str  # wishes, residents, claims, events, organisations
    many: str  # user -> the records this user may …
    one: str  # user, record -> may this user … this one?

    @property
    def name(self) -> str:
        return f"{self.kind}.{self.many}/{self.one}"

    def queryset(self, user) -> QuerySet:
        return getattr(getattr(policy, self.kind), self.many)(user)

    def answer(self, user, record) -> bool:
        return getattr(getattr(policy, self.kind), self.one)(user, record)


WISH_FORMS = [
    Form("wishes", "listed", "is_listed_to"),
    Form("wishes", "visible", "can_view"),
    Form("wishes", "reachable", "can_reach"),
    Form("wishes", "managed", "can_manage"),
]
RESIDENT_FORMS = [Form("residents", "managed", "can_manage")]
CLAIM_FORMS = [Form("claims", "held_by", "holds")]
EVENT_FORMS = [Form("events", "managed", "can_manage")]
ORGANISATION_FORMS = [Form("organisations", "members_managed", "can_manage_members")]


class Tally:
    """Counts checks and collects every disagreement, to report them all at once."""

    def __init__(self) -> None:
        self.checks = 0
        self.problems: list[str] = []

    def agree(self, who: str, what: str, form: str, in_queryset: bool, answer: bool) -> None:
        self.checks += 1
        if in_queryset != answer:
            listed = "includes it" if in_queryset else "leaves it out"
            self.problems.append(
                f"{who} × {what} × {form}: the queryset {listed}, the boolean says {answer}"
            )

    def same(self, who: str, left: tuple[str, set], right: tuple[str, set], names=None) -> None:
        """Two querysets (as named sets of pks) that must hold the same rows."""
        self.checks += 1
        (left_name, left_pks), (right_name, right_pks) = left, right
        if left_pks != right_pks:
            named = (lambda pk: names.get(pk, pk)) if names else (lambda pk: pk)
            self.problems.append(
                f"{who}: only in {left_name} {sorted(map(str, map(named, left_pks - right_pks)))}"
                f", only in {right_name} {sorted(map(str, map(named, right_pks - left_pks)))}"
            )

    def compare(
        self, people: dict[str, User | None], records: dict[str, Model], forms: list[Form]
    ) -> None:
        """Every person × every record × every form: queryset membership ⇔ boolean."""
        for who, user in people.items():
            for form in forms:
                rows = list(form.queryset(fresh(user)).values_list("pk", flat=True))
                self.checks += 1
                if len(rows) != len(set(rows)):
                    self.problems.append(f"{who} × {form.name}: the queryset repeats rows")
                chosen = set(rows)
                for what, record in records.items():
                    answer = form.answer(fresh(user), fresh_record(record))
                    self.agree(who, what, form.name, record.pk in chosen, answer)

    def assert_agreement(self) -> None:
        if self.problems:
            pytest.fail(
                f"{len(self.problems)} of {self.checks} checks disagree:\n  "
                + "\n  ".join(self.problems),
                pytrace=False,
            )


def covers_every_row(records: dict[str, Model]) -> bool:
    """The world's labels name every row of the model, so no queryset row goes unchecked."""
    model = type(next(iter(records.values())))
    return pks(model._default_manager.all()) == {record.pk for record in records.values()}


# ----- both forms agree, for every person and record -------------------------------------------


def test_the_world_has_every_wish_status_and_every_claim_state(world):
    assert {wish.status for wish in world.wishes.values()} == set(Wish.Status.values)
    assert {claim.state for claim in world.claims.values()} == set(Claim.State.values)
    assert len(world.people) == 20 and len(world.wishes) == 19
    for records in (world.wishes, world.residents, world.claims, world.events, world.organisations):
        assert covers_every_row(records)


def test_wish_querysets_and_booleans_agree_for_everyone(world):
    tally = Tally()
    tally.compare(world.people, world.wishes, WISH_FORMS)
    tally.assert_agreement()


MANAGER_METHODS = [("listed_to", "listed"), ("visible_to", "visible"), ("managed_by", "managed")]


def test_wish_manager_methods_are_the_policys_querysets(world):
    names = {wish.pk: label for label, wish in world.wishes.items()}
    in_a = Wish.objects.filter(community=world.communities["A"])
    tally = Tally()
    for who, user in world.people.items():
        for method, rule in MANAGER_METHODS:
            ours = pks(getattr(policy.wishes, rule)(fresh(user)))
            tally.same(
                who,
                (f"Wish.objects.{method}", pks(getattr(Wish.objects, method)(fresh(user)))),
                (f"policy.wishes.{rule}", ours),
                names,
            )
            # Given a queryset, the policy narrows it and nothing else.
            tally.same(
                who,
                (f"A's wishes.{method}", pks(getattr(in_a, method)(fresh(user)))),
                (f"policy.wishes.{rule} ∩ A's wishes", ours & pks(in_a)),
                names,
            )
        tally.same(
            who,
            (
                "HandoverEvent.objects.managed_by",
                pks(HandoverEvent.objects.managed_by(fresh(user))),
            ),
            ("policy.events.managed", pks(policy.events.managed(fresh(user)))),
        )
    tally.assert_agreement()


def test_resident_querysets_and_booleans_agree_for_everyone(world):
    tally = Tally()
    tally.compare(world.people, world.residents, RESIDENT_FORMS)
    tally.assert_agreement()


def test_claim_querysets_and_booleans_agree_for_everyone(world):
    tally = Tally()
    tally.compare(world.people, world.claims, CLAIM_FORMS)
    tally.assert_agreement()


def test_event_querysets_and_booleans_agree_for_everyone(world):
    tally = Tally()
    tally.compare(world.people, world.events, EVENT_FORMS)
    tally.assert_agreement()


def test_organisation_querysets_and_booleans_agree_for_everyone(world):
    tally = Tally()
    tally.compare(world.people, world.organisations, ORGANISATION_FORMS)
    tally.assert_agreement()


# ----- the rules, as sentences -----------------------------------------------------------------


def managed_wishes(world: World, label: str) -> set[str]:
    mine = pks(policy.wishes.managed(fresh(world.people[label])))
    return {name for name, wish in world.wishes.items() if wish.pk in mine}


def test_a_grid_worker_manages_only_their_grid(world):
    for grid in ("A1", "A2"):
        worker = fresh(world.people[f"grid worker of {grid}"])
        on_grid = {n for n, wish in world.wishes.items() if wish.grid_id == world.grids[grid].pk}
        assert on_grid and managed_wishes(world, f"grid worker of {grid}") == on_grid
        assert pks(policy.residents.managed(worker)) == {
            r.pk for r in world.residents.values() if r.grid_id == world.grids[grid].pk
        }
        # Events, 双报到 and memberships belong to the whole community, not to a grid.
        assert not policy.events.managed(worker).exists()
        assert not policy.organisations.members_managed(worker).exists()
        assert not policy.volunteers.registrations(worker).exists()
    # A's wishes without a grid are the community's, not a grid worker's.
    assert "approved, no consent, no grid (A)" in managed_wishes(world, "staff of A")
    assert "approved, no consent, no grid (A)" not in managed_wishes(world, "grid worker of A1")


def test_a_grid_worker_without_a_grid_manages_nothing(world):
    worker = fresh(world.people["grid worker without grid"])
    assert managed_wishes(world, "grid worker without grid") == set()
    assert not policy.residents.managed(worker).exists()
    assert not policy.events.managed(worker).exists()
    assert not scope_of(worker).is_staff and not worker.is_community_staff
    # Nor does the role open the community's unpublicised wishes to them.
    nobody = fresh(world.people["no roles"])
    assert pks(policy.wishes.reachable(worker)) == pks(policy.wishes.reachable(nobody))


def test_an_inactive_staff_member_manages_nothing(world):
    former = fresh(world.people["inactive former staff (A)"])
    assert managed_wishes(world, "inactive former staff (A)") == set()
    assert not any(policy.wishes.can_manage(former, wish) for wish in world.wishes.values())
    assert not policy.residents.managed(former).exists()
    assert not policy.events.managed(former).exists()
    assert not policy.organisations.members_managed(former).exists()
    assert pks(policy.wishes.reachable(former)) == pks(policy.wishes.reachable(AnonymousUser()))


def test_an_unconfirmed_member_holds_none_of_the_branchs_claims(world):
    branch = world.organisations["branch (A, C)"]
    unconfirmed = fresh(world.people["unconfirmed member (B)"])
    open_claims = Claim.objects.filter(organisation=branch, state__in=Claim.OPEN_STATES)
    assert open_claims.count() == 3  # the test means something
    assert not policy.claims.held_by(unconfirmed).filter(organisation=branch).exists()
    for claim in Claim.objects.filter(organisation=branch):
        assert not policy.claims.holds(unconfirmed, claim)
    # Nor does the branch's name open C's unpublicised wishes, as it does for a confirmed member.
    private_c = world.wishes["approved, no consent (C)"]
    assert not policy.wishes.is_listed_to(unconfirmed, private_c)
    assert policy.wishes.is_listed_to(fresh(world.people["confirmed member (B only)"]), private_c)


def test_a_confirmed_member_holds_the_branchs_open_claims_but_not_its_past_ones(world):
    branch = world.organisations["branch (A, C)"]
    colleague = make_volunteer(world.communities["C"], organisation=branch, username="colleague")
    held = pks(policy.claims.held_by(fresh(colleague)))
    open_claims = pks(Claim.objects.filter(organisation=branch, state__in=Claim.OPEN_STATES))
    past = world.claims["fulfilled claim on 'fulfilled for branch (C)'"]
    assert held == open_claims and past.pk not in held
    assert not policy.claims.holds(fresh(colleague), past)
    # The member who delivered it keeps it as their own history.
    assert policy.claims.holds(fresh(world.people["confirmed member (B only)"]), past)
    # The colleague reaches the past wish only as an "already taken" page.
    done = world.wishes["fulfilled for branch (C)"]
    assert not policy.wishes.can_view(fresh(colleague), done)
    assert policy.wishes.can_reach(fresh(colleague), done)


@pytest.mark.parametrize("state", [*Claim.State.values, None])
def test_the_parts_of_what_a_member_holds_in_one_state_are_what_they_hold_in_it(world, state):
    """held_parts(state=…) says the state once; its parts together are held_by in that state."""
    member = fresh(world.people["confirmed member (B only)"])
    own, branch = policy.claims.held_parts(member, state=state)
    assert branch is not None
    held = policy.claims.held_by(member)
    expected = pks(held if state is None else held.filter(state=state))
    assert pks(Claim.objects.filter(own | branch)) == expected
    if state in (Claim.State.ACTIVE, Claim.State.FULFILLED):
        assert expected  # the world holds some: the test means something


ID_NUMBER = "11010519491231002X"  # a valid 18-digit ID (checksum X)


def test_what_user_sees_masks_typed_numbers_for_a_volunteer_but_not_for_staff_resident_or_claimer(
    world,
):
    people = world.people
    wish = WishFactory(
        community=world.communities["A"],
        grid=world.grids["A1"],
        resident=world.residents["the resident (A1, login)"],
        title="需要轮椅，电话13812345678",
        description=f"身份证{ID_NUMBER}，住三楼",
        staff=people["staff of A"],
        claimer=people["claimer (A)"],
        claimed=True,
    )
    masked_title, masked_description = mask_numbers(wish.title), mask_numbers(wish.description)
    assert "13812345678" not in masked_title and ID_NUMBER not in masked_description
    sees_typed = {
        "the resident",
        "claimer (A)",
        "grid worker of A1",
        "staff of A",
        "street admin (A, B)",
        "superuser",
    }
    for who, user in people.items():
        view = policy.what_user_sees(wish, fresh(user))
        if who in sees_typed:
            assert (view.title, view.description) == (wish.title, wish.description), who
        else:
            assert (view.title, view.description) == (masked_title, masked_description), who
        assert policy.title_for(wish, fresh(user)) == view.title


def test_what_user_sees_gives_contact_to_the_active_claimer_only_among_volunteers(world):
    volunteers = [
        "pending volunteer (A)",
        "volunteer of A",
        "volunteer of B",
        "claimer (A)",
        "confirmed member (B only)",
        "unconfirmed member (B)",
        "liaison",
    ]
    delivering = {  # wish -> the one volunteer who may ring the doorbell
        "claimed by claimer (A1)": "claimer (A)",
        "claimed for branch (A2)": "confirmed member (B only)",
        "dispatched to volunteer of A (A2)": None,  # offered, not accepted yet
        "dispatched to branch (C)": None,
        "fulfilled (B1)": None,  # delivered: the claim is no longer open
        "fulfilled for branch (C)": None,
        "released then closed (A2)": None,
        "confirmed (A, no grid)": None,
    }
    for label, claimer in delivering.items():
        wish = world.wishes[label]
        contact = (wish.resident.phone, wish.resident.address)
        for who in volunteers:
            view = policy.what_user_sees(fresh_record(wish), fresh(world.people[who]))
            expected = contact if who == claimer else (None, None)
            assert (view.phone, view.address) == expected, (label, who)
    # The branch's other confirmed members do not get it either.
    colleague = make_volunteer(
        world.communities["A"], organisation=world.organisations["branch (A, C)"]
    )
    wish = fresh_record(world.wishes["claimed for branch (A2)"])
    assert policy.what_user_sees(wish, fresh(colleague)).phone is None


def test_timeline_for_the_resident_has_no_staff_only_notes(world):
    people = world.people
    staff, claimer = people["staff of A"], people["claimer (A)"]
    wish = world.wishes["submitted (A1)"]
    wish.approve(by=staff, note="内部：已电话核实低保证明")
    wish.dispatch(by=staff, volunteer=people["volunteer of A"], note="请带上社区介绍信")
    wish.decline(by=people["volunteer of A"], reason="这周出差，送不了")
    wish.claim(by=claimer)
    wish.remind(by=staff, note="请周末前送到")
    wish.release(by=staff, reason="认领人多次失联，已记录")
    wish.claim(by=claimer)
    events = list(wish.events.all())
    for_resident = {e.note for e in events if e.audience in (Audience.RESIDENT, Audience.INVOLVED)}
    not_for_resident = {e.note for e in events if e.note} - for_resident
    assert {
        "内部：已电话核实低保证明",
        "这周出差，送不了",
        "认领人多次失联，已记录",
    } <= not_for_resident

    lines = policy.what_user_sees(wish, fresh(people["the resident"])).timeline
    assert len(lines) == len(events)
    written = " ".join(f"{line.text} {line.note} {line.actor} {line.status}" for line in lines)
    assert not any(note in written for note in not_for_resident), written
    assert {line.note for line in lines} - {""} <= for_resident
    assert all(line.actor == "" for line in lines)  # no names of staff or volunteers
    # Staff read every note; the claimer reads what was written for them, not staff's remarks.
    staff_notes = {line.note for line in policy.what_user_sees(wish, fresh(staff)).timeline}
    assert not_for_resident <= staff_notes
    claimer_notes = {line.note for line in policy.what_user_sees(wish, fresh(claimer)).timeline}
    assert "请周末前送到" in claimer_notes and "认领人多次失联，已记录" not in claimer_notes
    assert "内部：已电话核实低保证明" not in claimer_notes


# ----- random small worlds ---------------------------------------------------------------------


@pytest.fixture
def geography(db):
    """What every random world shares; each example adds its people and records and rolls back."""
    xiangyang = StreetFactory(name="向阳街道")
    a = CommunityFactory(street=xiangyang, name="福阳社区")
    b = CommunityFactory(street=xiangyang, name="明珠社区")
    c = CommunityFactory(street=StreetFactory(name="新兴街道"), name="新兴社区")
    return {
        "streets": {"向阳街道": xiangyang, "新兴街道": c.street},
        "communities": {"A": a, "B": b, "C": c},
        "grids": {
            "A1": GridFactory(community=a, name="福阳第一网格"),
            "A2": GridFactory(community=a, name="福阳第二网格"),
            "B1": GridFactory(community=b, name="明珠第一网格"),
        },
        "branch": OrganisationFactory(name="市税务局稽查局党支部", communities=[a, c]),
        "category": CategoryFactory(),
    }


COMMUNITIES = st.sampled_from(["A", "B", "C"])
GRIDS_OF = {"A": ["A1", "A2"], "B": ["B1"], "C": []}
ROLES = st.one_of(
    st.tuples(st.just("community_staff"), COMMUNITIES),
    st.tuples(st.just("street_admin"), st.sampled_from(["向阳街道", "新兴街道"])),
    # The grid may lie in another community: a mistyped pair, which must grant nothing.
    st.tuples(st.just("grid_worker"), COMMUNITIES, st.sampled_from([None, "A1", "A2", "B1"])),
)
CLAIMS = st.lists(
    st.tuples(
        st.sampled_from(["user", "someone else", "branch", "branch via user", "branch via other"]),
        st.sampled_from(Claim.State.values),
    ),
    max_size=3,
).filter(lambda claims: sum(state in Claim.OPEN_STATES for _, state in claims) <= 1)


@st.composite
def small_worlds(draw) -> dict:
    community = draw(COMMUNITIES)
    return {
        # Each flag shrinks towards the plain case: signed in, active, not a superuser.
        "anonymous": draw(st.integers(0, 9)) == 9,
        "active": draw(st.integers(0, 4)) < 4,
        "superuser": draw(st.integers(0, 7)) == 7,
        "roles": draw(st.lists(ROLES, max_size=2)),
        "registrations": draw(
            st.dictionaries(COMMUNITIES, st.sampled_from(["pending", "approved", "refused"]))
        ),
        "membership": draw(st.sampled_from([None, "unconfirmed", "confirmed"])),
        "liaison": draw(st.booleans()),
        "community": community,
        "grid": draw(st.sampled_from([None, *GRIDS_OF[community]])),
        "kind": draw(st.sampled_from(["individual", "individual", "collective"])),
        "consent": draw(st.booleans()),
        "status": draw(st.sampled_from(Wish.Status.values)),
        "published": draw(st.booleans()),
        "resident": draw(st.sampled_from(["user", "someone with a login", "no login", None])),
        "claims": draw(CLAIMS),
        "event_organiser": draw(st.booleans()),
    }


def make_person(geo: dict, drawn: dict) -> User | None:
    if drawn["anonymous"]:
        return None
    user = UserFactory(is_superuser=drawn["superuser"], is_active=drawn["active"])
    for role in drawn["roles"]:
        if role[0] == "street_admin":
            StaffRole.objects.create(
                user=user, role=role[0], street=geo["streets"][role[1]], community=None
            )
        else:
            grid = geo["grids"].get(role[2]) if len(role) > 2 and role[2] else None
            StaffRole.objects.create(
                user=user, role=role[0], community=geo["communities"][role[1]], grid=grid
            )
    if drawn["registrations"] or drawn["membership"]:
        profile = VolunteerProfile.objects.create(
            user=user,
            organisation=geo["branch"] if drawn["membership"] else None,
            organisation_confirmed=drawn["membership"] == "confirmed",
        )
        for community, status in drawn["registrations"].items():
            VolunteerRegistration.objects.create(
                volunteer=profile, community=geo["communities"][community], status=status
            )
    if drawn["liaison"]:
        geo["branch"].liaisons.add(user)
    return user


def make_records(geo: dict, drawn: dict, user: User | None) -> dict[str, dict[str, Model]]:
    community = geo["communities"][drawn["community"]]
    grid = geo["grids"][drawn["grid"]] if drawn["grid"] else None
    someone = UserFactory()
    residents = {
        "elder without login": ResidentFactory(community=community, grid=grid),
        "neighbour with login": ResidentFactory(community=community, grid=None, user=someone),
    }
    if user is not None:
        residents["the user as resident"] = ResidentFactory(
            community=community, grid=grid, user=user
        )
    resident = {
        "user": residents.get("the user as resident", residents["elder without login"]),
        "someone with a login": residents["neighbour with login"],
        "no login": residents["elder without login"],
        None: None,
    }[drawn["resident"]]
    wish = Wish.objects.create(
        title="心愿：大米和食用油",
        description="家里米面油快吃完了。",
        category=geo["category"],
        community=community,
        grid=grid,
        resident=resident,
        kind=drawn["kind"],
        public_consent=drawn["consent"],
        status=drawn["status"],
        published_at=timezone.now() if drawn["published"] else None,
    )
    claims = {}
    for n, (holder, state) in enumerate(drawn["claims"]):
        if holder == "branch":
            volunteer = None  # a dispatch waiting for one of the branch's members
        elif holder in ("user", "branch via user") and user is not None:
            volunteer = user
        else:
            volunteer = someone
        organisation = geo["branch"] if holder.startswith("branch") else None
        claims[f"claim {n} ({holder}, {state})"] = Claim.objects.create(
            wish=wish, volunteer=volunteer, organisation=organisation, state=state
        )
    start = timezone.now()
    event = HandoverEvent.objects.create(
        community=community,
        title="集中兑现",
        place="社区广场",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        organiser=geo["branch"] if drawn["event_organiser"] else None,
    )
    return {
        "wishes": {"the wish": wish},
        "residents": residents,
        "claims": claims,
        "events": {"the event": event},
        "organisations": {"the branch": geo["branch"]},
    }


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=small_worlds())
def test_random_small_worlds_agree(geography, drawn):
    with transaction.atomic():
        try:
            user = make_person(geography, drawn)
            records = make_records(geography, drawn, user)
            people = {"the user": user, "anonymous": None}
            tally = Tally()
            tally.compare(people, records["wishes"], WISH_FORMS)
            tally.compare(people, records["residents"], RESIDENT_FORMS)
            tally.compare(people, records["claims"], CLAIM_FORMS)
            tally.compare(people, records["events"], EVENT_FORMS)
            tally.compare(people, records["organisations"], ORGANISATION_FORMS)
            this_one = Wish.objects.filter(pk=records["wishes"]["the wish"].pk)
            for method, rule in MANAGER_METHODS:
                tally.same(
                    "the user",
                    (f"Wish.objects.{method}", pks(getattr(this_one, method)(fresh(user)))),
                    (
                        f"policy.wishes.{rule}",
                        pks(getattr(policy.wishes, rule)(fresh(user), this_one)),
                    ),
                )
            tally.assert_agreement()
        finally:
            transaction.set_rollback(True)
