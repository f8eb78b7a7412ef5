"""The statistics' monthly rollup (outcomes/rollup.py) gives the figures that counting the wishes
and claims gives, whatever writes them — the life-cycle, a queryset's update(), moving a wish,
deleting — for every scope, reach and whole-month period, before and after its rows are folded;
a write is counted in its own transaction; a city's report reads the rollup, not the wishes; a
lost trigger is put back and every month counted afresh."""

from __future__ import annotations

import datetime
import random
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outcomes import figures, rollup
from outcomes.figures import Period, Scope, period_for
from outcomes.models import ClaimMonth, ClaimTotal, FulfilledMonth, WishMonth, WishTotal
from outcomes.report import build
from tests.factories import (
    CategoryFactory,
    CommunityFactory,
    GridFactory,
    OrganisationFactory,
    StreetFactory,
    WishFactory,
    make_staff,
    make_volunteer,
)
from wishes import policy
from wishes.models import Claim, Wish

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")
COUNTS = {
    WishMonth: "wishes",
    FulfilledMonth: "wishes",
    ClaimMonth: "claims",
    WishTotal: "wishes",
    ClaimTotal: "claims",
}


def totals(model, *keys: str) -> dict:
    """The rollup's rows summed per key, leaving out keys that come to nothing."""
    count = COUNTS[model]
    rows = model.objects.values_list(*keys).annotate(n=Sum(count)).order_by()
    return {row[:-1]: row[-1] for row in rows if row[-1]}


def counted_from_the_wishes(monkeypatch, call):
    """What a figure gives when every period is counted from the wishes themselves."""
    with monkeypatch.context() as patched:
        patched.setattr(figures, "rolled_up", lambda period: False)
        return call()


def every_figure(scope: Scope, period: Period, reach=None) -> dict:
    report = build(scope, period, staff=True, reach=reach)
    return {
        "summary": report.summary,
        "monthly": report.monthly,
        "category": report.by_category,
        "place": report.by_place,
    }


@pytest.fixture
def city():
    """Two streets, three communities, grids, categories, volunteers and a branch."""
    street, other_street = StreetFactory(name="向阳街道"), StreetFactory(name="新兴街道")
    fuyang = CommunityFactory(street=street, name="福阳社区")
    xiangyang = CommunityFactory(street=street, name="向阳社区")
    xinxing = CommunityFactory(street=other_street, name="新兴社区")
    grids = [GridFactory(community=fuyang, name="明珠"), GridFactory(community=fuyang, name="龙山")]
    grids.append(GridFactory(community=xinxing, name="新一"))
    branch = OrganisationFactory(name="市税务局党支部", communities=[fuyang, xinxing])
    staff = make_staff(fuyang, username="staff_fuyang")
    volunteers = [
        make_volunteer(fuyang, organisation=branch, username="member"),
        make_volunteer(fuyang, username="helper"),
        make_volunteer(xinxing, username="neighbour"),
    ]
    return {
        "staff_of": {
            fuyang.pk: staff,
            xiangyang.pk: make_staff(xiangyang, username="staff_xiangyang"),
            xinxing.pk: make_staff(xinxing, username="staff_xinxing"),
        },
        "serving": {fuyang.pk: volunteers[:2], xiangyang.pk: [], xinxing.pk: volunteers[2:]},
        "street": street,
        "communities": [fuyang, xiangyang, xinxing],
        "grids": grids,
        "categories": [CategoryFactory(name="生活物资"), CategoryFactory(name="法律咨询")],
        "staff": staff,
        "volunteers": volunteers,
        "branch": branch,
    }


def months_ago(n: int, day: int = 10) -> datetime.datetime:
    today = timezone.localdate()
    year, month = today.year, today.month - n
    while month < 1:
        year, month = year - 1, month + 12
    moment = datetime.datetime(year, month, day, 9, 30, tzinfo=BEIJING)
    return min(moment, timezone.now() - datetime.timedelta(minutes=5))  # never in the future


def scramble(city, rng: random.Random, rounds: int = 40) -> None:
    """Wishes and claims written every way the project writes them, at random."""
    made: list[Wish] = []
    imported: list[int] = []
    for _round in range(rounds):
        action = rng.choice(["new", "new", "status", "move", "date", "claim", "delete", "bulk"])
        community = rng.choice(city["communities"])
        grids = [g for g in city["grids"] if g.community_id == community.pk]
        if action == "new" or not made:
            nearby = city["serving"][community.pk]
            states = [{}, {"approved": True}] + [{"claimed": True}, {"fulfilled": True}] * bool(
                nearby
            )
            state = rng.choice(states)
            if "claimed" in state or "fulfilled" in state:
                state["claimer"] = rng.choice(nearby)
            wish = WishFactory(
                community=community,
                grid=rng.choice(grids) if grids else None,
                category=rng.choice(city["categories"]),
                staff=city["staff_of"][community.pk],
                **state,
            )
            moment = months_ago(rng.randrange(0, 14), rng.randrange(1, 28))
            Wish.objects.filter(pk=wish.pk).update(created_at=moment)
            Claim.objects.filter(wish=wish).update(accepted_at=moment + datetime.timedelta(2))
            made.append(wish)
        elif action == "status":
            wish = rng.choice(made)
            status = rng.choice(["rejected", "withdrawn", "closed", "confirmed", "fulfilled"])
            Wish.objects.filter(pk=wish.pk).update(
                status=status,
                fulfilled_at=months_ago(rng.randrange(0, 3)) if status == "fulfilled" else None,
            )
        elif action == "move":
            wish = rng.choice(made)
            Wish.objects.filter(pk=wish.pk).update(
                community=community,
                grid=rng.choice(grids) if grids else None,
                category=rng.choice(city["categories"]),
            )
        elif action == "date":
            wish = rng.choice(made)
            Wish.objects.filter(pk=wish.pk).update(created_at=months_ago(rng.randrange(0, 14)))
        elif action == "claim":
            claim = Claim.objects.order_by("?").first()
            if claim is not None:
                claim.volunteer = rng.choice(city["volunteers"])
                claim.organisation = rng.choice([None, city["branch"]])
                claim.accepted_at = months_ago(rng.randrange(0, 14))
                claim.save()
        elif action == "delete":
            if imported:  # wishes with no history yet can go
                Wish.objects.filter(pk=imported.pop(rng.randrange(len(imported)))).delete()
            else:
                Claim.objects.filter(pk__in=Claim.objects.order_by("?")[:1]).delete()
        else:  # bulk writes across months and communities at once
            Wish.objects.filter(pk__in=[w.pk for w in made[::3]]).update(published_at=months_ago(1))
            imported += [
                wish.pk
                for wish in Wish.objects.bulk_create(
                    Wish(
                        title=f"导入{n}",
                        description="批量导入",
                        category=rng.choice(city["categories"]),
                        community=rng.choice(city["communities"]),
                        status=rng.choice(["submitted", "approved", "confirmed"]),
                        created_at=months_ago(rng.randrange(0, 14)),
                    )
                    for n in range(3)
                )
            ]


def scopes_and_reaches(city):
    _fuyang, _xiangyang, xinxing = city["communities"]
    return [
        (figures.CITY, None),
        (Scope("street", city["street"].pk, "向阳街道"), None),
        (Scope("community", xinxing.pk, "新兴社区"), None),
        (Scope("grid", city["grids"][0].pk, "明珠"), None),
        (figures.CITY, policy.wishes.reach(city["staff"])),
    ]


@pytest.mark.parametrize(("seed", "folded"), [(0, False), (1, True), (2, False), (3, True)])
def test_the_rollup_gives_what_counting_the_wishes_gives(city, monkeypatch, seed, folded):
    scramble(city, random.Random(seed))
    if folded:  # as the hourly sweep leaves it: one row per key, none that sums to nothing
        rollup.compact()
        for model, count in COUNTS.items():
            assert not model.objects.filter(**{count: 0}).exists()
            assert model.objects.values(*keys(model)).distinct().count() == model.objects.count()
    periods = [
        period_for("all"),
        period_for("year"),
        period_for("last_month"),
        period_for("quarter"),
        Period("custom", months_ago(6, 1).date(), timezone.localdate()),
    ]
    for scope, reach in scopes_and_reaches(city):
        for period in periods:
            assert figures.rolled_up(period)
            rolled = every_figure(scope, period, reach)
            counted = counted_from_the_wishes(
                monkeypatch, lambda s=scope, p=period, r=reach: every_figure(s, p, r)
            )
            assert rolled == counted, (scope, period)


def test_a_write_is_counted_in_its_own_transaction(city):
    month = timezone.localdate().replace(day=1)
    fuyang = city["communities"][0]
    wish = WishFactory(community=fuyang, grid=None, staff=city["staff"])
    assert totals(WishMonth, "month", "community", "status") == {(month, fuyang.pk, wish.status): 1}
    assert figures.summary(figures.CITY, period_for("month")).submitted == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        WishFactory(community=fuyang, staff=city["staff"])
        Wish.objects.filter(pk=wish.pk).update(status="closed")
        raise RuntimeError("the writer gives up")
    assert totals(WishMonth, "month", "community", "status") == {(month, fuyang.pk, wish.status): 1}


def test_an_update_that_moves_nothing_counted_adds_no_row(city):
    wish = WishFactory(
        community=city["communities"][0], claimed=True, claimer=city["volunteers"][0]
    )
    rows = sum(model.objects.count() for model in COUNTS)
    Wish.objects.filter(pk=wish.pk).update(title="改个标题")
    Claim.objects.filter(wish=wish).update(note="备注")
    assert sum(model.objects.count() for model in COUNTS) == rows


def test_a_moved_wish_takes_its_claims_along(city):
    fuyang, _xiangyang, xinxing = city["communities"]
    wish = WishFactory(community=fuyang, claimed=True, claimer=city["volunteers"][0])
    assert list(totals(ClaimMonth, "community")) == [(fuyang.pk,)]
    Wish.objects.filter(pk=wish.pk).update(community=xinxing, grid=None)
    assert list(totals(ClaimMonth, "community", "grid")) == [(xinxing.pk, None)]
    assert list(totals(WishMonth, "community", "grid")) == [(xinxing.pk, None)]


def test_folding_keeps_every_figure_and_drops_what_cancels_out(city):
    scramble(city, random.Random(5), rounds=30)
    before = {model: totals(model, *keys(model)) for model in COUNTS}
    rows = {model: model.objects.count() for model in COUNTS}
    assert any(rows[model] > len(before[model]) for model in COUNTS)  # something to fold
    rollup.compact()
    assert {model: totals(model, *keys(model)) for model in COUNTS} == before
    assert {model: model.objects.count() for model in COUNTS} == {
        model: len(keyed) for model, keyed in before.items()
    }
    if connection.vendor == "postgresql":  # SQLite, the demo's, writes every key again
        untouched = {model: set(model.objects.values_list("pk", flat=True)) for model in COUNTS}
        rollup.compact()  # nothing more to fold: every row stays as it is
        assert {model: set(model.objects.values_list("pk", flat=True)) for model in COUNTS} == (
            untouched
        )


def keys(model) -> list[str]:
    return [
        f.attname for f in model._meta.concrete_fields if f.attname not in ("id", COUNTS[model])
    ]


def test_a_whole_month_report_reads_the_rollup_not_the_wishes(city):
    scramble(city, random.Random(7), rounds=20)
    with CaptureQueriesContext(connection) as queries:
        build(figures.CITY, period_for("all"), staff=False)
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    # 累计: the rows to date, a few per community, and the last two years' months for the chart.
    assert "outcomes_wishtotal" in tables and "outcomes_claimtotal" in tables
    assert "outcomes_wishmonth" in tables and "outcomes_fulfilledmonth" in tables
    assert '"wishes_wish"' not in tables and '"wishes_claim"' not in tables


def test_a_period_that_cuts_a_month_is_counted_from_the_wishes(city):
    start = months_ago(2, 15).date()
    assert not figures.rolled_up(Period("custom", start, timezone.localdate()))
    end_of_last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    assert not figures.rolled_up(
        Period("custom", months_ago(2, 1).date(), end_of_last_month - datetime.timedelta(days=1))
    )
    assert figures.rolled_up(Period("custom", months_ago(2, 1).date(), end_of_last_month))


def test_a_lost_trigger_is_put_back_and_every_month_counted_afresh(city):
    scramble(city, random.Random(3), rounds=15)
    before = {model: totals(model, *keys(model)) for model in COUNTS}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER outcomes_rollup_wish_update ON wishes_wish")
        else:
            cursor.execute("DROP TRIGGER outcomes_rollup_wish_update")
    WishMonth.objects.all().delete()
    ClaimMonth.objects.create(
        month=datetime.date(2020, 1, 1), community=city["communities"][0], claims=5
    )
    assert rollup.install() is True
    assert rollup.install() is False
    assert {model: totals(model, *keys(model)) for model in COUNTS} == before
    # Counted afresh: one row per key, as folded.
    assert sum(model.objects.count() for model in COUNTS) == sum(map(len, before.values()))


def test_the_triggers_are_installed_by_migrate():
    assert rollup.install() is False


def test_a_monthly_chart_over_a_span_to_date_reads_the_months(city, monkeypatch):
    # The chart needs each month: never the rows to date, whatever span it is asked for.
    scramble(city, random.Random(11), rounds=15)
    span = Period("custom", datetime.date(1999, 1, 1), timezone.localdate())
    rolled = figures.monthly(figures.CITY, span)
    assert rolled == counted_from_the_wishes(
        monkeypatch, lambda: figures.monthly(figures.CITY, span)
    )


def test_the_hourly_sweep_puts_lost_triggers_back(city):
    from wishes import upkeep

    rollup.uninstall()  # as a seed_demo killed halfway through would leave it
    upkeep.sweep()
    assert rollup.install() is False
    wish = WishFactory(community=city["communities"][0], staff=city["staff"])
    assert totals(WishMonth, "community") == {(wish.community_id,): 1}


def test_going_back_past_0003_drops_the_triggers_it_once_installed():
    import importlib
    from types import SimpleNamespace

    migration = importlib.import_module("outcomes.migrations.0003_statistics_rollup")
    with connection.cursor() as cursor:
        for name, table in migration.FORMER_TRIGGERS:
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
                    "AS $$ BEGIN RETURN NULL; END $$"
                )
                cursor.execute(
                    f"CREATE TRIGGER {name} AFTER INSERT ON {table} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
                )
            else:
                cursor.execute(f"CREATE TRIGGER {name} AFTER INSERT ON {table} BEGIN SELECT 1; END")
    migration.drop_former_triggers(None, SimpleNamespace(connection=connection))
    with connection.cursor() as cursor:
        names = [name for name, _table in migration.FORMER_TRIGGERS]
        if connection.vendor == "postgresql":
            cursor.execute("SELECT COUNT(*) FROM pg_trigger WHERE tgname = ANY(%s)", [names])
        else:
            cursor.execute(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
                f"({', '.join(['%s'] * len(names))})",
                names,
            )
        assert cursor.fetchone()[0] == 0
