"""seed_demo builds the seed's world, its stories with timelines, the year around them with the
figures the demo reports, and more on request."""

import datetime
from io import StringIO
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from accounts.models import Resident, StaffRole, User, VolunteerProfile, VolunteerRegistration
from communities.models import Community, Grid, Organisation, Street
from outcomes import figures, rollup
from outcomes.models import (
    MAX_HOURS_A_DAY,
    ClaimMonth,
    ClaimTotal,
    FulfilledMonth,
    ServiceHours,
    ServiceHoursChange,
    WishMonth,
    WishTotal,
)
from wishes.lifecycle import MOVES, NOTE_AUDIENCE, Status
from wishes.models import (
    Claim,
    EventAttendance,
    FollowUp,
    HandoverEvent,
    RejectionReason,
    Wish,
    WishEvent,
)
from wishes.policy import events as event_policy
from wishes.seed.bulk import WISHES_BY_CATEGORY
from wishes.seed.stories import STORIES, STORY_TITLES
from wishes.seed.world import RESIDENTS, VOLUNTEERS
from wishes.seed.year import EVENT_TITLE, YEAR_RESIDENTS, YEAR_TITLES, YEAR_VOLUNTEERS, window

TAX = "市税务局稽查局党支部"
JUSTICE = "市司法局党支部"

MODELS = [
    Street,
    Community,
    Grid,
    Organisation,
    User,
    StaffRole,
    Resident,
    VolunteerProfile,
    VolunteerRegistration,
    Wish,
    Claim,
    WishEvent,
    RejectionReason,
    FollowUp,
    HandoverEvent,
    EventAttendance,
    ServiceHours,
    ServiceHoursChange,
]


def seed(**options):
    options.setdefault("force", True)
    call_command("seed_demo", stdout=StringIO(), **options)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def all_time() -> figures.Period:
    return figures.Period("custom", datetime.date(2000, 1, 1), timezone.localdate())


def branch(name: str, period: figures.Period | None = None) -> figures.Organisation:
    return figures.organisation(Organisation.objects.get(name=name), period or all_time())


def fuyang(period: figures.Period | None = None) -> figures.Summary:
    community = Community.objects.get(name="福阳社区")
    scope = figures.Scope("community", community.pk, community.name)
    return figures.summary(scope, period or all_time())


def headline_figures(period: figures.Period) -> dict:
    """The figures the demo reports, as outcomes.figures reads them for `period`."""
    tax, justice = branch(TAX, period), branch(JUSTICE, period)
    return {
        "tax": (tax.members, tax.communities, tax.fulfilled),
        "justice": (justice.wishes, justice.fulfilled, justice.communities),
        "fuyang party members": fuyang(period).party_members,
    }


def assert_timeline_walks_the_table(wish):
    """Every event is an allowed move, each starts where the last ended, the last is now."""
    events = list(wish.events.all())
    assert events[0].action == "submit" and events[0].from_status == ""
    for before, after in pairwise(events):
        move = MOVES[after.action]
        assert after.from_status == before.to_status, (wish.title, after.action)
        assert after.from_status in move.sources and after.to_status == move.target
        assert after.created_at >= before.created_at
    assert events[-1].to_status == wish.status, wish.title


@pytest.fixture(scope="class")
def seeded_once(django_db_setup, django_db_blocker):
    """One seed for a class of tests that only read it, rolled back after the class: each test
    still runs in its own savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(seeded_once, db):
    pass


class TestTheSeed:
    def test_builds_the_named_places(self, seeded):
        assert set(Street.objects.values_list("name", flat=True)) >= {
            "向阳街道",
            "新兴街道",
            "白泉镇",
            "北寿街道",
        }
        assert Community.objects.filter(name__in=["福阳社区", "新兴社区", "新城社区"]).count() == 3
        assert Grid.objects.filter(name="明珠花园第二网格", community__name="福阳社区").exists()

    def test_each_of_two_communities_has_its_own_mingzhu_grid(self, seeded):
        grids = Grid.objects.filter(name="明珠花园第二网格")
        assert set(grids.values_list("community__name", flat=True)) == {"福阳社区", "新兴社区"}
        worker = StaffRole.objects.get(user__username="grid_mingzhu")
        assert worker.grid.community.name == "福阳社区"

    def test_builds_the_organisations(self, seeded):
        assert set(Organisation.objects.values_list("name", flat=True)) == {
            TAX,
            JUSTICE,
            "园林管理中心党支部",
        }

    def test_has_a_wish_in_every_status(self, seeded):
        present = set(Wish.objects.values_list("status", flat=True))
        assert present == set(Status.values)

    def test_every_wish_has_a_timeline_that_walks_the_table(self, seeded):
        for wish in Wish.objects.prefetch_related("events"):
            assert_timeline_walks_the_table(wish)

    def test_every_timeline_note_has_its_moves_audience(self, seeded):
        for action, audience in NOTE_AUDIENCE.items():
            assert not WishEvent.objects.filter(action=action).exclude(audience=audience).exists()

    def test_breathing_machine_story_was_fulfilled_by_the_tax_bureau_branch(self, seeded):
        wish = Wish.objects.get(title__contains="呼吸机")
        claim = wish.claims.get()
        assert wish.status == Status.CONFIRMED
        assert claim.organisation.name == TAX
        assert wish.resident.situation == Resident.Situation.SERIOUSLY_ILL

    def test_park_toilet_is_a_collective_wish_held_by_the_parks_department(self, seeded):
        wish = Wish.objects.get(title__contains="龙山公园公厕")
        assert wish.kind == Wish.Kind.COLLECTIVE and wish.resident is None
        assert wish.open_claim().organisation.name == "园林管理中心党支部"

    def test_rejected_story_tells_the_resident_why(self, seeded):
        wish = Wish.objects.get(status=Status.REJECTED)
        assert "不提供现金" in wish.reject_reason

    def test_demo_accounts_log_in_with_the_default_password(self, seeded, client):
        for username in ["admin", "staff_fuyang", "street_xiangyang", "volunteer1", "resident1"]:
            assert client.login(username=username, password="microwish-demo"), username

    def test_the_years_people_log_in_with_the_default_password(self, seeded, client):
        assert client.login(username="volunteer219", password="microwish-demo")
        assert client.login(username=f"resident{6 + YEAR_RESIDENTS}", password="microwish-demo")

    def test_staff_fuyang_finds_the_stories_in_the_admin(self, seeded, client):
        client.login(username="staff_fuyang", password="microwish-demo")
        response = client.get("/admin/wishes/wish/")
        assert response.status_code == 200
        assert "为肺癌晚期患者送一台家用呼吸机" in response.content.decode()
        assert "申请两千元生活补助" not in response.content.decode()  # 新兴社区's, not hers

    def test_has_a_volunteer_waiting_for_approval_in_fuyang(self, seeded):
        registration = VolunteerRegistration.objects.get(volunteer__user__username="applicant1")
        assert registration.status == VolunteerRegistration.Status.PENDING
        assert registration.community.name == "福阳社区"

    def test_demo_volunteers_keep_their_stories_and_memberships(self, seeded):
        assert Claim.objects.filter(volunteer__username="volunteer1").count() == 2
        assert not VolunteerProfile.objects.get(user__username="volunteer5").organisation_confirmed
        assert Organisation.objects.get(name=TAX).liaisons.get().username == "volunteer1"

    def test_gives_every_community_reusable_rejection_reasons(self, seeded):
        reasons = RejectionReason.objects.values("community").distinct().count()
        assert reasons == Community.objects.count()

    def test_records_a_follow_up_visit_on_the_breathing_machine(self, seeded):
        assert FollowUp.objects.get().wish.title == STORIES[0].title

    def test_fuyang_has_claimed_wishes_for_a_hand_over_event(self, seeded):
        claimed = Wish.objects.filter(community__name="福阳社区", status=Status.CLAIMED)
        assert claimed.count() >= 3

    # ----- the figures, as outcomes.figures reads them ------------------------------------------

    def test_32_members_of_the_tax_bureau_branch_fulfilled_49_wishes_in_4_communities(self, seeded):
        record = branch(TAX)
        assert (record.members, record.communities, record.fulfilled) == (32, 4, 49)

    def test_the_justice_bureau_branch_took_on_136_wishes_in_21_communities_all_fulfilled(
        self, seeded
    ):
        record = branch(JUSTICE)
        assert record.wishes == record.fulfilled == 136 and record.all_fulfilled
        assert record.communities == 21

    def test_the_justice_bureau_branch_is_registered_where_it_served(self, seeded):
        registered = Organisation.objects.get(name=JUSTICE).communities.all()
        assert sorted(c.name for c in registered) == branch(JUSTICE).community_names

    def test_160_odd_party_members_claimed_fuyang_wishes(self, seeded):
        assert 160 <= fuyang().party_members <= 169

    def test_fuyang_claimers_are_party_members_registered_there(self, seeded):
        community = Community.objects.get(name="福阳社区")
        claimers = set(
            Claim.objects.filter(wish__community=community, accepted_at__isnull=False).values_list(
                "volunteer", flat=True
            )
        )
        approved = VolunteerRegistration.objects.filter(
            community=community,
            status=VolunteerRegistration.Status.APPROVED,
            volunteer__is_party_member=True,
        )
        assert claimers <= set(approved.values_list("volunteer__user", flat=True))

    def test_the_years_figures_hold_for_this_year_as_for_all_time(self, seeded):
        # Early in a year the seed's months reach back into the last (the travelling test
        # below checks a day late in the year whatever today is).
        now = timezone.now()
        first_story = now - datetime.timedelta(days=max(story.days_ago for story in STORIES))
        earliest = min(window(now)[0], first_story)
        if timezone.localtime(earliest).year != timezone.localdate().year:
            pytest.skip("the seed's wishes began last year")
        this_year = figures.period_for("year")
        assert headline_figures(this_year) == headline_figures(all_time())

    def test_hours_were_given_and_approved(self, seeded):
        assert figures.summary(figures.CITY, all_time()).hours > 0
        assert fuyang().hours > 0
        assert branch(JUSTICE).hours > 0

    def test_nobody_gave_more_than_24_hours_in_a_day(self, seeded):
        busiest = (
            ServiceHours.objects.values("volunteer", "day")
            .annotate(total=Sum("hours"))
            .order_by("-total")
            .first()
        )
        assert busiest["total"] <= MAX_HOURS_A_DAY

    # ----- the hand-over event ------------------------------------------------------------------

    def test_xinxing_handed_over_wishes_in_its_mingzhu_grid_with_40_odd_members(self, seeded):
        event = HandoverEvent.objects.get(title=EVENT_TITLE)
        assert event.community.name == "新兴社区"
        assert 40 <= event.attendances.count() <= 49
        grids = set(event.wishes.values_list("community__name", "grid__name"))
        assert grids == {("新兴社区", "明珠花园第二网格")}

    def test_everyone_at_the_event_could_sign_in(self, seeded):
        event = HandoverEvent.objects.get(title=EVENT_TITLE)
        attendees = event.attendances.values("user")
        eligible = User.objects.filter(event_policy.may_attend_q(event), pk__in=attendees)
        assert eligible.distinct().count() == event.attendances.count()

    def test_the_events_wishes_were_fulfilled_there_by_its_staff(self, seeded):
        event = HandoverEvent.objects.get(title=EVENT_TITLE)
        wishes = event.wishes.all()
        assert wishes.count() >= 10
        assert set(wishes.values_list("status", flat=True)) <= set(figures.FULFILLED)
        fulfilled = WishEvent.objects.filter(wish__in=wishes, action="fulfil")
        assert set(fulfilled.values_list("actor", "created_at")) == {
            (event.fulfilled_by_id, event.fulfilled_at)
        }

    def test_everyone_at_the_event_was_credited_its_hours(self, seeded):
        event = HandoverEvent.objects.get(title=EVENT_TITLE)
        credited = ServiceHours.objects.filter(event=event, status=ServiceHours.Status.APPROVED)
        assert credited.count() == event.attendances.count()


def test_seed_twice_changes_nothing(db):
    seed()
    before = counts(), headline_figures(all_time())
    seed()
    assert (counts(), headline_figures(all_time())) == before


def test_the_years_figures_hold_for_the_year_and_for_all_time_whatever_the_day(db):
    autumn = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(autumn):
        seed()
        this_year, ever = figures.period_for("year"), all_time()
        found = headline_figures(ever)
        assert headline_figures(this_year) == found
        assert (found["tax"], found["justice"]) == ((32, 4, 49), (136, 136, 21))
        assert 160 <= found["fuyang party members"] <= 169


def test_the_years_wishes_have_titles_of_their_own():
    generated = {title for kinds in WISHES_BY_CATEGORY.values() for title, _, _ in kinds}
    assert not set(YEAR_TITLES) & (generated | set(STORY_TITLES))


def test_password_option_sets_every_demo_password(db, client):
    seed(password="another-secret-42")
    assert client.login(username="volunteer1", password="another-secret-42")


def test_refuses_to_run_with_debug_off_without_force(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=StringIO())
    assert Wish.objects.count() == 0


def test_negative_counts_are_refused(db):
    with pytest.raises(CommandError):
        seed(wishes=-1)


FIRST_GENERATED = len(VOLUNTEERS) + YEAR_VOLUNTEERS + 1  # volunteer220


@pytest.fixture(scope="class")
def generated_once(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        seed(volunteers=12, residents=60, wishes=400)
        yield
        transaction.set_rollback(True)


class TestGenerated:
    @pytest.fixture
    def generated(self, generated_once, db):
        pass

    def test_generates_the_requested_numbers_on_top_of_the_seeds_own(self, generated):
        assert User.objects.filter(username=f"volunteer{FIRST_GENERATED + 11}").exists()
        assert not User.objects.filter(username=f"volunteer{FIRST_GENERATED + 12}").exists()
        residents = Resident.objects.filter(user__username__startswith="resident")
        assert residents.count() == len(RESIDENTS) + YEAR_RESIDENTS + 60
        assert Wish.objects.exclude(title__in=STORY_TITLES + YEAR_TITLES).count() == 400

    def test_the_statistics_rollup_is_counted_once_and_its_triggers_are_back(self, generated):
        # Counted from the wishes at the end: one row per key, not one per bulk insert and key.
        for model in (WishMonth, FulfilledMonth, ClaimMonth, WishTotal, ClaimTotal):
            count = "claims" if model in (ClaimMonth, ClaimTotal) else "wishes"
            keys = [
                f.attname for f in model._meta.concrete_fields if f.attname not in ("id", count)
            ]
            assert model.objects.values(*keys).distinct().count() == model.objects.count()
        assert rollup.install() is False  # every trigger in place
        everything = figures.summary(figures.CITY, figures.period_for("all"))
        assert everything.submitted == Wish.objects.count()
        assert everything.volunteers == (
            Claim.objects.filter(accepted_at__isnull=False, volunteer__isnull=False)
            .values("volunteer")
            .distinct()
            .count()
        )

    def test_running_again_with_the_same_options_adds_nothing(self, generated):
        before = counts()
        seed(volunteers=12, residents=60, wishes=400)
        assert counts() == before

    def test_generated_volunteers_are_approved_in_fuyang(self, generated):
        registration = VolunteerRegistration.objects.get(
            volunteer__user__username=f"volunteer{FIRST_GENERATED + 5}"
        )
        assert registration.status == VolunteerRegistration.Status.APPROVED
        assert registration.community.name == "福阳社区"

    def test_generated_wishes_cover_every_status_and_mostly_finished(self, generated):
        by_status = dict(Wish.objects.values_list("status").annotate(n=Count("pk")))
        assert set(by_status) == set(Status.values)
        finished = sum(by_status.get(s, 0) for s in [Status.FULFILLED, Status.CONFIRMED])
        assert finished > Wish.objects.count() / 2

    def test_a_tenth_or_more_of_generated_wishes_are_in_fuyang(self, generated):
        assert Wish.objects.filter(community__name="福阳社区").count() >= 41

    def test_generated_timelines_walk_the_table(self, generated):
        for wish in Wish.objects.prefetch_related("events"):
            assert_timeline_walks_the_table(wish)

    def test_open_claims_match_dispatched_and_claimed_wishes(self, generated):
        holding = Wish.objects.filter(status__in=[Status.DISPATCHED, Status.CLAIMED])
        open_claims = Claim.objects.filter(state__in=Claim.OPEN_STATES)
        assert open_claims.count() == holding.count()
        assert set(open_claims.values_list("wish", flat=True)) == set(
            holding.values_list("pk", flat=True)
        )

    def test_claimers_are_registered_with_the_wish_community_or_act_for_an_organisation(
        self, generated
    ):
        for claim in Claim.objects.filter(organisation__isnull=True).select_related("wish"):
            assert (
                claim.volunteer.volunteer_communities().filter(pk=claim.wish.community_id).exists()
            )

    def test_claims_for_an_organisation_are_its_confirmed_members_where_it_registered(
        self, generated
    ):
        for claim in Claim.objects.filter(
            organisation__isnull=False, volunteer__isnull=False
        ).select_related("wish", "organisation", "volunteer__volunteer_profile"):
            profile = claim.volunteer.volunteer_profile
            assert profile.organisation_id == claim.organisation_id
            assert profile.organisation_confirmed
            assert claim.organisation.communities.filter(pk=claim.wish.community_id).exists()

    def test_collective_wishes_are_only_held_by_organisations(self, generated):
        assert not Claim.objects.filter(
            wish__kind=Wish.Kind.COLLECTIVE, organisation__isnull=True
        ).exists()
