"""seed_demo builds the seed's world, its stories with timelines, and more on request."""

from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from accounts.models import Resident, StaffRole, User, VolunteerProfile, VolunteerRegistration
from communities.models import Community, Grid, Organisation, Street
from wishes.lifecycle import MOVES, Status
from wishes.models import Claim, FollowUp, RejectionReason, Wish, WishEvent
from wishes.seed.stories import STORIES

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
]


def seed(**options):
    options.setdefault("force", True)
    call_command("seed_demo", stdout=StringIO(), **options)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


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


@pytest.fixture
def seeded(db):
    seed()


def test_seed_twice_gives_the_same_counts(db):
    seed()
    first = counts()
    seed()
    assert counts() == first


def test_seed_builds_the_named_places(seeded):
    assert set(Street.objects.values_list("name", flat=True)) >= {
        "向阳街道",
        "新兴街道",
        "白泉镇",
        "北寿街道",
    }
    assert Community.objects.filter(name__in=["福阳社区", "新兴社区", "新城社区"]).count() == 3
    assert Grid.objects.filter(name="明珠花园第二网格", community__name="福阳社区").exists()


def test_seed_builds_the_organisations(seeded):
    assert set(Organisation.objects.values_list("name", flat=True)) == {
        "市税务局稽查局党支部",
        "市司法局党支部",
        "园林管理中心党支部",
    }


def test_seed_has_a_wish_in_every_status(seeded):
    present = set(Wish.objects.values_list("status", flat=True))
    assert present == set(Status.values)


def test_every_story_has_a_timeline_that_walks_the_table(seeded):
    for wish in Wish.objects.all():
        assert_timeline_walks_the_table(wish)


def test_breathing_machine_story_was_fulfilled_by_the_tax_bureau_branch(seeded):
    wish = Wish.objects.get(title__contains="呼吸机")
    claim = wish.claims.get()
    assert wish.status == Status.CONFIRMED
    assert claim.organisation.name == "市税务局稽查局党支部"
    assert wish.resident.situation == Resident.Situation.SERIOUSLY_ILL


def test_park_toilet_is_a_collective_wish_held_by_the_parks_department(seeded):
    wish = Wish.objects.get(title__contains="龙山公园公厕")
    assert wish.kind == Wish.Kind.COLLECTIVE and wish.resident is None
    assert wish.open_claim().organisation.name == "园林管理中心党支部"


def test_rejected_story_tells_the_resident_why(seeded):
    wish = Wish.objects.get(status=Status.REJECTED)
    assert "不提供现金" in wish.reject_reason


def test_demo_accounts_log_in_with_the_default_password(seeded, client):
    for username in ["admin", "staff_fuyang", "street_xiangyang", "volunteer1", "resident1"]:
        assert client.login(username=username, password="microwish-demo"), username


def test_password_option_sets_every_demo_password(db, client):
    seed(password="another-secret-42")
    assert client.login(username="volunteer1", password="another-secret-42")


def test_staff_fuyang_finds_the_stories_in_the_admin(seeded, client):
    client.login(username="staff_fuyang", password="microwish-demo")
    response = client.get("/admin/wishes/wish/")
    assert response.status_code == 200
    assert "为肺癌晚期患者送一台家用呼吸机" in response.content.decode()
    assert "申请两千元生活补助" not in response.content.decode()  # 新兴社区's, not hers


def test_refuses_to_run_with_debug_off_without_force(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=StringIO())
    assert Wish.objects.count() == 0


def test_negative_counts_are_refused(db):
    with pytest.raises(CommandError):
        seed(wishes=-1)


class TestGenerated:
    @pytest.fixture
    def generated(self, db):
        seed(volunteers=12, residents=60, wishes=400)

    def test_generates_the_requested_numbers_on_top_of_the_stories(self, generated):
        assert User.objects.filter(username="volunteer21").exists()
        assert not User.objects.filter(username="volunteer22").exists()
        assert Resident.objects.filter(user__username__startswith="resident").count() == 66
        assert Wish.objects.count() == 400 + len(STORIES)

    def test_running_again_with_the_same_options_adds_nothing(self, generated):
        before = counts()
        seed(volunteers=12, residents=60, wishes=400)
        assert counts() == before

    def test_generated_volunteers_are_approved_in_fuyang(self, generated):
        registration = VolunteerRegistration.objects.get(volunteer__user__username="volunteer15")
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

    def test_collective_wishes_are_only_held_by_organisations(self, generated):
        assert not Claim.objects.filter(
            wish__kind=Wish.Kind.COLLECTIVE, organisation__isnull=True
        ).exists()


def test_seed_has_a_volunteer_waiting_for_approval_in_fuyang(seeded):
    registration = VolunteerRegistration.objects.get(volunteer__user__username="applicant1")
    assert registration.status == VolunteerRegistration.Status.PENDING
    assert registration.community.name == "福阳社区"


def test_seed_gives_every_community_reusable_rejection_reasons(seeded):
    assert (
        RejectionReason.objects.values("community").distinct().count() == Community.objects.count()
    )


def test_seed_records_a_follow_up_visit_on_the_breathing_machine(seeded):
    assert FollowUp.objects.get().wish.title == STORIES[0].title


def test_fuyang_has_claimed_wishes_for_a_hand_over_event(seeded):
    claimed = Wish.objects.filter(community__name="福阳社区", status=Status.CLAIMED)
    assert claimed.count() >= 3
