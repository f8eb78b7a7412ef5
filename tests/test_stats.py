"""统计: figures checked against values worked out by hand on a small known world, the report
sentence, the pages' reach, the export, and query counts that do not grow with the data."""

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from accounts.models import StaffRole
from outcomes import figures
from outcomes.figures import Period, Scope, period_for
from outcomes.models import ServiceHours
from outcomes.sentence import report_sentence
from tests.factories import (
    CommunityFactory,
    GridFactory,
    OrganisationFactory,
    StreetFactory,
    UserFactory,
    WishFactory,
    make_staff,
    make_volunteer,
)
from wishes.models import Claim, Wish

BEIJING = ZoneInfo("Asia/Shanghai")
NOVEMBER = Period("custom", datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=BEIJING)


def backdate(wish: Wish, created: datetime.datetime, **moments) -> Wish:
    """Set a wish's times (and its claims') to the given Beijing moments."""
    Wish.objects.filter(pk=wish.pk).update(created_at=created, **moments)
    claimed = moments.get("claimed_at") or moments.get("fulfilled_at")
    if claimed:
        Claim.objects.filter(wish=wish).update(accepted_at=claimed)
    if moments.get("fulfilled_at"):
        Claim.objects.filter(wish=wish, state=Claim.State.FULFILLED).update(
            ended_at=moments["fulfilled_at"]
        )
    wish.refresh_from_db()
    return wish


@pytest.fixture
def world(db):
    """向阳街道: 福阳社区 (grids 明珠 and 龙山) and an empty 向阳社区; 新兴街道: 新兴社区."""
    street = StreetFactory(name="向阳街道")
    fuyang = CommunityFactory(street=street, name="福阳社区")
    empty = CommunityFactory(street=street, name="向阳社区")
    xinxing = CommunityFactory(street=StreetFactory(name="新兴街道"), name="新兴社区")
    mingzhu = GridFactory(community=fuyang, name="明珠")
    longshan = GridFactory(community=fuyang, name="龙山")
    branch = OrganisationFactory(name="市税务局稽查局党支部", communities=[fuyang])
    staff = make_staff(fuyang, username="staff_fuyang")
    member = make_volunteer(fuyang, organisation=branch, username="member", real_name="赵磊")
    helper = make_volunteer(fuyang, username="helper", real_name="钱芳")
    helper.volunteer_profile.is_party_member = False
    helper.volunteer_profile.save()

    def wish(grid=mingzhu, **state):
        return WishFactory(community=fuyang, grid=grid, staff=staff, **state)

    fulfilled = wish(fulfilled=True, claimer=member)
    fulfilled.confirm(by=staff, thanks="谢谢", rating=5)
    claimed = wish(grid=longshan, claimed=True, claimer=helper)
    rejected = wish(rejected=True)
    closed = wish(closed=True)
    october = wish()
    return {
        "street": street,
        "fuyang": fuyang,
        "empty": empty,
        "xinxing": xinxing,
        "mingzhu": mingzhu,
        "longshan": longshan,
        "branch": branch,
        "staff": staff,
        "member": member,
        "helper": helper,
        # In November, Beijing time: created on the month's first minutes and last.
        "fulfilled": backdate(
            fulfilled,
            at(2026, 11, 1, 0, 10),  # still 31 October in UTC
            published_at=at(2026, 11, 2, 9),
            claimed_at=at(2026, 11, 4, 9),
            fulfilled_at=at(2026, 12, 1, 10),  # fulfilled in the next month
            confirmed_at=at(2026, 12, 2, 10),
        ),
        "claimed": backdate(
            claimed,
            at(2026, 11, 30, 23, 59),
            published_at=at(2026, 11, 30, 23, 59),
            claimed_at=at(2026, 11, 30, 23, 59),
        ),
        "rejected": backdate(rejected, at(2026, 11, 15, 12)),
        "closed": backdate(closed, at(2026, 11, 20, 12), published_at=at(2026, 11, 21, 9)),
        # 31 October at 23:30 in Beijing: October, though November already in some zones.
        "october": backdate(october, at(2026, 10, 31, 23, 30)),
    }


def fuyang(world) -> Scope:
    return Scope("community", world["fuyang"].pk, "福阳社区")


# ----- the figures ---------------------------------------------------------------------------


def test_a_periods_wishes_are_counted_by_what_became_of_them(world):
    counts = figures.summary(fuyang(world), NOVEMBER)
    assert (counts.submitted, counts.rejected, counts.collected) == (4, 1, 3)
    assert (counts.published, counts.claimed, counts.fulfilled, counts.confirmed) == (3, 2, 1, 1)
    assert counts.closed == 1


def test_the_rate_is_fulfilled_over_collected(world):
    assert figures.summary(fuyang(world), NOVEMBER).rate == 33.3


def test_an_empty_community_has_no_rate_rather_than_a_division_by_zero(world):
    counts = figures.summary(Scope("community", world["empty"].pk, "向阳社区"), NOVEMBER)
    assert (counts.collected, counts.rate) == (0, None)


def test_midnight_is_beijings_midnight(world):
    october = Period("custom", datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
    assert figures.summary(fuyang(world), october).submitted == 1


def test_taking_part_counts_volunteers_party_members_and_branches_once(world):
    counts = figures.summary(fuyang(world), NOVEMBER)
    assert (counts.volunteers, counts.party_members, counts.organisations) == (2, 1, 0)


def test_a_branch_taking_part_is_counted(world):
    wish = WishFactory(community=world["fuyang"], staff=world["staff"], approved=True)
    wish.claim(by=world["member"], organisation=world["branch"])
    backdate(wish, at(2026, 11, 10, 9), claimed_at=at(2026, 11, 11, 9))
    counts = figures.summary(fuyang(world), NOVEMBER)
    assert (counts.organisations, counts.branches) == (1, 1)


def test_only_approved_hours_within_the_period_count(world):
    entry = {"volunteer": world["member"], "source": "wish", "wish": world["fulfilled"]}
    ServiceHours.objects.create(**entry, day=datetime.date(2026, 11, 5), hours=3, status="approved")
    ServiceHours.objects.create(
        volunteer=world["helper"],
        source="wish",
        wish=world["claimed"],
        day=datetime.date(2026, 11, 6),
        hours=5,
        status="pending",
    )
    assert figures.summary(fuyang(world), NOVEMBER).hours == Decimal("3")


def test_a_grid_sees_only_its_own_wishes(world):
    grid = Scope("grid", world["longshan"].pk, "龙山")
    assert figures.summary(grid, NOVEMBER).submitted == 1


def test_a_street_sees_every_community_of_it(world):
    WishFactory(community=world["empty"])
    street = Scope("street", world["street"].pk, "向阳街道")
    today = period_for("month")
    assert figures.summary(street, today).submitted == 1


def test_month_by_month_puts_a_fulfilment_in_the_month_it_happened(world):
    months = figures.monthly(
        fuyang(world), Period("custom", datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))
    )
    by_month = {row["month"].month: (row["collected"], row["fulfilled"]) for row in months}
    assert by_month[10] == (1, 0) and by_month[11] == (3, 0) and by_month[12] == (0, 1)


def test_breakdown_by_grid_leaves_out_rejected_wishes(world):
    rows = {
        row["label"]: row["collected"] for row in figures.breakdown(fuyang(world), NOVEMBER, "grid")
    }
    assert rows == {"明珠": 2, "龙山": 1}


def test_medians_are_read_from_the_timestamps(world):
    medians = figures.medians(fuyang(world), NOVEMBER)
    # Claimed 3 days 8h50m after submission, and 0 for the one claimed at once: median of
    # (0, 3.37) days is their mean; fulfilled 27 days 1 hour after the claim.
    assert medians["to_claim"] == 1.7
    assert medians["to_fulfil"] == 27.0


@pytest.mark.parametrize("hours", [[5], [5, 1], [9, 1, 3], [2, 8, 4, 6]])
def test_both_ways_of_reading_a_median_agree(db, hours):
    """PostgreSQL's percentile_cont and the count-and-offset way SQLite uses (make run) give the
    same middle for odd and even counts."""
    from django.db.models import DurationField, ExpressionWrapper, F

    street = StreetFactory()
    community = CommunityFactory(street=street)
    for n in hours:
        wish = WishFactory(community=community)
        Wish.objects.filter(pk=wish.pk).update(
            fulfilled_at=F("created_at") + datetime.timedelta(hours=n)
        )
    durations = Wish.objects.annotate(
        duration=ExpressionWrapper(
            F("fulfilled_at") - F("created_at"), output_field=DurationField()
        )
    )
    middle = sorted(hours)[(len(hours) - 1) // 2 : len(hours) // 2 + 1]
    expected = round(sum(middle) / len(middle) / 24, 1)
    assert figures._median_days(durations) == expected
    assert figures._median_days_by_offset(durations.filter(duration__isnull=False)) == expected
    assert figures._median_days(durations.none()) is None


def test_an_organisations_record_is_the_newspapers_line(world):
    for _ in range(2):
        wish = WishFactory(community=world["fuyang"], staff=world["staff"], approved=True)
        wish.claim(by=world["member"], organisation=world["branch"])
        wish.fulfil(by=world["member"], note="送到了")
    record = figures.organisation(world["branch"])
    assert (record.members, record.communities, record.wishes, record.fulfilled) == (1, 1, 2, 2)
    assert record.all_fulfilled


# ----- periods --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "start", "end"),
    [
        ("month", datetime.date(2026, 12, 1), datetime.date(2026, 12, 31)),
        ("last_month", datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)),
        ("quarter", datetime.date(2026, 10, 1), datetime.date(2026, 12, 31)),
        ("last_quarter", datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)),
        ("year", datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
        ("last_year", datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),
    ],
)
def test_periods_are_whole_calendar_units(key, start, end):
    period = period_for(key, today=datetime.date(2026, 12, 2))
    assert (period.start, period.end) == (start, end)


def test_last_quarter_in_january_is_last_years_fourth():
    period = period_for("last_quarter", today=datetime.date(2027, 1, 15))
    assert (period.start, period.end) == (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))


def test_a_backwards_custom_range_falls_back_to_this_month():
    period = period_for(
        "custom",
        start=datetime.date(2026, 11, 30),
        end=datetime.date(2026, 11, 1),
        today=datetime.date(2026, 12, 2),
    )
    assert period.key == "month"


# ----- the report sentence ---------------------------------------------------------------------


def test_the_sentence_reads_like_a_monthly_report(world):
    scope = fuyang(world)
    text = report_sentence(scope, NOVEMBER, figures.summary(scope, NOVEMBER))
    assert text.startswith(
        "2026年11月1日至2026年11月30日，福阳社区征集微心愿3个，已实现1个（实现率33.3%）"
    )
    assert "另有1个因故无法实现" in text and "2名志愿者（其中在职党员1名）参与认领" in text


def test_when_everything_came_true_the_sentence_says_so(world):
    scope, counts = fuyang(world), figures.Summary(submitted=136, collected=136, fulfilled=136)
    assert "征集微心愿136个，已全部实现" in report_sentence(scope, NOVEMBER, counts)


def test_nothing_collected_is_said_plainly(world):
    scope = Scope("community", world["empty"].pk, "向阳社区")
    text = report_sentence(scope, NOVEMBER, figures.summary(scope, NOVEMBER))
    assert text == "2026年11月1日至2026年11月30日，向阳社区还没有征集到微心愿。"


def test_the_sentence_reads_in_english_too(world):
    scope = fuyang(world)
    with translation.override("en"):
        text = report_sentence(
            scope,
            Period("month", datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)),
            figures.summary(scope, NOVEMBER),
        )
    assert "November 2026" in text and "collected 3" in text and "fulfilled 1" in text


# ----- the pages -------------------------------------------------------------------------------


def test_the_public_page_shows_figures_but_no_names(world, client):
    page = client.get(reverse("outcomes:stats"), {"scope": f"community:{world['fuyang'].pk}"})
    text = page.content.decode()
    assert page.status_code == 200 and "征集微心愿" in text
    assert "赵磊" not in text and "钱芳" not in text


def test_staff_choose_only_what_they_work_on(world, login):
    other = make_staff(world["xinxing"], username="staff_xinxing")
    page = login(other).get(
        reverse("outcomes:staff_stats"), {"scope": f"community:{world['fuyang'].pk}"}
    )
    assert page.context["report"].scope.name == "新兴社区"


def test_a_grid_worker_reports_on_their_grid(world, login):
    worker = UserFactory(username="grid")
    StaffRole.objects.create(
        user=worker,
        role=StaffRole.Role.GRID_WORKER,
        community=world["fuyang"],
        grid=world["longshan"],
    )
    page = login(worker).get(
        reverse("outcomes:staff_stats"),
        {"period": "custom", "start": "2026-11-01", "end": "2026-11-30"},
    )
    report = page.context["report"]
    assert report.scope.kind == "grid" and report.summary.submitted == 1


def test_the_workbench_names_volunteers(world, login):
    page = login(world["staff"]).get(
        reverse("outcomes:staff_stats"),
        {"period": "custom", "start": "2026-11-01", "end": "2026-11-30"},
    )
    assert "赵磊" in page.content.decode()


def test_volunteers_get_403_on_the_workbench_statistics(world, login):
    assert login(world["member"]).get(reverse("outcomes:staff_stats")).status_code == 403


def test_the_export_names_its_scope_and_period_and_holds_the_figures(world, login):
    response = login(world["staff"]).get(
        reverse("outcomes:staff_stats_export"),
        {"period": "custom", "start": "2026-11-01", "end": "2026-11-30"},
    )
    workbook = load_workbook(io.BytesIO(response.content))
    summary = {row[0].value: row[1].value for row in workbook["概况"].iter_rows(min_row=2)}
    assert "2026-11-01_2026-11-30" in response["Content-Disposition"]
    assert "%E7%A6%8F%E9%98%B3%E7%A4%BE%E5%8C%BA" in response["Content-Disposition"]  # 福阳社区
    assert (summary["征集"], summary["实现"], summary["无法实现"]) == (3, 1, 1)


def test_the_organisation_page_says_the_line(world, client):
    for _ in range(2):
        wish = WishFactory(community=world["fuyang"], staff=world["staff"], approved=True)
        wish.claim(by=world["member"], organisation=world["branch"])
        wish.fulfil(by=world["member"], note="送到了")
    text = client.get(reverse("outcomes:organisation", args=[world["branch"].pk])).content.decode()
    assert "市税务局稽查局党支部深入1个社区，认领微心愿2个，已全部实现" in text


def test_the_honour_roll_leaves_out_who_opted_out(world, client):
    world["helper"].volunteer_profile.on_honour_roll = False
    world["helper"].volunteer_profile.save()
    world["claimed"].fulfil(by=world["helper"], note="送到了")
    text = client.get(
        reverse("outcomes:honour"), {"pick": f"community:{world['fuyang'].pk}", "period": "all"}
    ).content.decode()
    assert "钱芳" not in text


def test_the_statistics_pages_ask_the_same_number_of_queries_for_more_data(
    world, client, django_assert_max_num_queries
):
    params = {"scope": f"community:{world['fuyang'].pk}", "period": "all"}
    with django_assert_max_num_queries(40) as before:
        client.get(reverse("outcomes:stats"), params)
    for _ in range(10):
        WishFactory(community=world["fuyang"], grid=world["mingzhu"], claimed=True)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(reverse("outcomes:stats"), params)


def test_an_organisations_honour_roll_counts_hours_on_the_wishes_it_took_on(world, client):
    wish = WishFactory(community=world["fuyang"], staff=world["staff"], approved=True)
    wish.claim(by=world["member"], organisation=world["branch"])
    wish.fulfil(by=world["member"], note="送到了")
    ServiceHours.objects.create(
        volunteer=world["member"],
        source="wish",
        wish=wish,
        day=datetime.date.today(),
        hours=3,
        status="approved",
    )
    page = client.get(
        reverse("outcomes:organisation", args=[world["branch"].pk]), {"period": "all"}
    )
    assert page.context["roll"]["hours"] == [{"name": "赵磊", "n": Decimal("3.0")}]


def test_the_workbench_statistics_ask_the_same_number_of_queries_for_more_data(
    world, login, django_assert_max_num_queries
):
    client = login(world["staff"])
    params = {"period": "all"}
    with django_assert_max_num_queries(60) as before:
        client.get(reverse("outcomes:staff_stats"), params)
    for _ in range(10):
        WishFactory(community=world["fuyang"], grid=world["mingzhu"], fulfilled=True)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(reverse("outcomes:staff_stats"), params)


def test_the_statistics_pages_are_kept_and_show_a_change_at_once(world, login, client):
    """Kept whole per reader (wishes/pages.py): read again, not rendered; a wish fulfilled or a
    place renamed shows on the next look."""
    staff = login(world["staff"])
    for browser, name in ((client, "outcomes:stats"), (staff, "outcomes:staff_stats")):
        params = {"scope": f"community:{world['fuyang'].pk}", "period": "all"}
        first = browser.get(reverse(name), params)
        again = browser.get(reverse(name), params)
        assert first.templates != [] and again.templates == []
        assert again.content.decode().count("福阳") == first.content.decode().count("福阳")
        WishFactory(community=world["fuyang"], grid=world["mingzhu"], fulfilled=True)
        fresh = browser.get(reverse(name), params)
        assert fresh.templates != []
        assert fresh.context["report"].summary.fulfilled == (
            first.context["report"].summary.fulfilled + 1
        )
    world["fuyang"].name = "福阳新社区"
    world["fuyang"].save()
    page = staff.get(reverse("outcomes:staff_stats"), {"period": "all"})
    assert "福阳新社区" in page.content.decode()


def test_a_kept_statistics_page_is_not_served_to_another_staff_member(world, login):
    params = {"period": "all"}
    theirs = login(world["staff"]).get(reverse("outcomes:staff_stats"), params)
    assert theirs.templates != []
    other = make_staff(world["xinxing"], username="staff_xinxing")
    mine = login(other).get(reverse("outcomes:staff_stats"), params)
    assert mine.templates != []  # their own, rendered for them
    assert mine.context["report"].scope.name == "新兴社区"
