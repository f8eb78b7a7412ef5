"""The statistics' monthly rollup: wishes and claims counted per month and community, kept
current by the database, so a city's report over years of wishes reads a few thousand rows
instead of scanning a million.

`WishMonth` counts the wishes submitted in a month (Beijing time) per community, grid,
category, status and published; `FulfilledMonth` those of them fulfilled, per month fulfilled;
`ClaimMonth` the claims accepted in a month per community, grid, volunteer and organisation.
All are counted here, from the wishes and claims, by the month of a community.

What keeps them current: triggers on the wish and claim tables (PostgreSQL in production and
CI, SQLite for `make run`) add a `StaleMonth` row for every month and community a write
touches — an insert, a delete, any update (a wish that moves takes its claims' months along);
the life-cycle methods, a queryset's update(), bulk_create, the admin and raw SQL alike.
`refresh()` takes the stale rows away and counts those months afresh; the statistics call it
before reading (figures.py), the hourly sweep calls it too. Rows are only ever added by the
triggers, so no writer waits for another or for a refresh; a write that commits while a
refresh runs leaves its row for the next one.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.db.models.functions import TruncMonth

from wishes.lifecycle import Status

ZONE = ZoneInfo(settings.TIME_ZONE)
FULFILLED = (Status.FULFILLED, Status.CONFIRMED)  # as figures.py counts them
TRIGGERS = (
    "outcomes_stale_wish_insert",
    "outcomes_stale_wish_update",
    "outcomes_stale_wish_delete",
    "outcomes_stale_claim_insert",
    "outcomes_stale_claim_update",
    "outcomes_stale_claim_delete",
)
# Refreshes take turns (PostgreSQL's advisory lock; SQLite has one writer anyway).
LOCK = 7_241_017
BATCH = 5000  # rows per INSERT when a whole city's months are counted at once


def _sqlite_offset() -> str:
    """SQLite keeps UTC text: the zone's offset as a date modifier. The project's zone has
    no daylight saving time, which this checks rather than assumes."""
    winter = ZONE.utcoffset(datetime.datetime(2000, 1, 1))
    summer = ZONE.utcoffset(datetime.datetime(2000, 7, 1))
    if winter != summer:
        raise NotImplementedError(f"{settings.TIME_ZONE} changes its offset; SQLite can't follow")
    return f"{winter.total_seconds() / 3600:+g} hours"


# The triggers' SQL is put together from this module's own names and the project's time zone
# (settings), never from input: hence the `nosec B608` (bandit's "SQL built from strings").


def _postgresql() -> list[str]:
    def month(column: str) -> str:
        return f"date_trunc('month', {column} AT TIME ZONE '{settings.TIME_ZONE}')::date"

    def mark(rows: str, *, claims: bool = False) -> str:
        if claims:
            return f"""
    INSERT INTO outcomes_stalemonth (month, community)
    SELECT DISTINCT {month("r.accepted_at")}, w.community_id
    FROM {rows} r JOIN wishes_wish w ON w.id = r.wish_id WHERE r.accepted_at IS NOT NULL;"""  # nosec B608
        return f"""
    INSERT INTO outcomes_stalemonth (month, community)
    SELECT DISTINCT {month("created_at")}, community_id FROM {rows};"""  # nosec B608

    moved = f"""
    INSERT INTO outcomes_stalemonth (month, community)
    SELECT DISTINCT {month("c.accepted_at")}, side.community_id FROM (
        SELECT o.id, o.community_id FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE o.community_id <> n.community_id OR o.grid_id IS DISTINCT FROM n.grid_id
        UNION
        SELECT n.id, n.community_id FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE o.community_id <> n.community_id OR o.grid_id IS DISTINCT FROM n.grid_id
    ) side JOIN wishes_claim c ON c.wish_id = side.id WHERE c.accepted_at IS NOT NULL;"""  # nosec B608
    bodies = {
        "outcomes_stale_wish_insert": mark("new_rows"),
        "outcomes_stale_wish_update": mark("old_rows") + mark("new_rows") + moved,
        "outcomes_stale_wish_delete": mark("old_rows"),
        "outcomes_stale_claim_insert": mark("new_rows", claims=True),
        "outcomes_stale_claim_update": mark("old_rows", claims=True)
        + mark("new_rows", claims=True),
        "outcomes_stale_claim_delete": mark("old_rows", claims=True),
    }
    statements = []
    for name, body in bodies.items():
        table = "wishes_wish" if "_wish_" in name else "wishes_claim"
        event = name.rsplit("_", 1)[1].upper()
        rows = {
            "INSERT": "NEW TABLE AS new_rows",
            "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            "DELETE": "OLD TABLE AS old_rows",
        }[event]
        statements += [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN{body}\n    RETURN NULL;\nEND $$",
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {rows} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    return statements


def _sqlite() -> list[str]:
    offset = _sqlite_offset()

    def month(column: str) -> str:
        return f"strftime('%Y-%m-01', {column}, '{offset}')"

    def wish(row: str) -> str:
        return f"""
    INSERT INTO outcomes_stalemonth (month, community)
    VALUES ({month(f"{row}.created_at")}, {row}.community_id);"""  # nosec B608

    def claim(row: str) -> str:
        return f"""
    INSERT INTO outcomes_stalemonth (month, community)
    SELECT {month(f"{row}.accepted_at")}, w.community_id FROM wishes_wish w
    WHERE w.id = {row}.wish_id AND {row}.accepted_at IS NOT NULL;"""  # nosec B608

    def moved(row: str) -> str:
        return f"""
    INSERT INTO outcomes_stalemonth (month, community)
    SELECT DISTINCT {month("c.accepted_at")}, {row}.community_id FROM wishes_claim c
    WHERE c.wish_id = {row}.id AND c.accepted_at IS NOT NULL
      AND (OLD.community_id IS NOT NEW.community_id OR OLD.grid_id IS NOT NEW.grid_id);"""  # nosec B608

    bodies = {
        "outcomes_stale_wish_insert": wish("NEW"),
        "outcomes_stale_wish_update": wish("OLD") + wish("NEW") + moved("OLD") + moved("NEW"),
        "outcomes_stale_wish_delete": wish("OLD"),
        "outcomes_stale_claim_insert": claim("NEW"),
        "outcomes_stale_claim_update": claim("OLD") + claim("NEW"),
        "outcomes_stale_claim_delete": claim("OLD"),
    }
    statements = []
    for name, body in bodies.items():
        table = "wishes_wish" if "_wish_" in name else "wishes_claim"
        event = name.rsplit("_", 1)[1].upper()
        statements.append(
            f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table} BEGIN{body}\nEND"
        )
    return statements


INSTALLED = {
    "postgresql": "SELECT COUNT(*) FROM pg_trigger WHERE tgname = ANY(%s) AND NOT tgisinternal",
    "sqlite": (
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' "
        "AND name IN (%s, %s, %s, %s, %s, %s)"
    ),
}


def _installed(cursor, vendor: str) -> int:
    cursor.execute(INSTALLED[vendor], [list(TRIGGERS)] if vendor == "postgresql" else TRIGGERS)
    return cursor.fetchone()[0]


def install(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Put the triggers in place and, if any was missing, mark every month with wishes or
    claims stale, to be counted afresh. Returns whether anything had to be done."""
    from wishes.models import Claim, Wish

    from .models import StaleMonth

    database = connections[using]
    vendor = database.vendor
    if vendor not in INSTALLED:
        raise NotImplementedError(f"no rollup triggers for {vendor}")
    with transaction.atomic(using=using), database.cursor() as cursor:
        if _installed(cursor, vendor) == len(TRIGGERS):
            return False
        for statement in _postgresql() if vendor == "postgresql" else _sqlite():
            cursor.execute(statement)
        # Every month is stale: with the triggers now in place nothing can slip between.
        wishes = Wish.objects.using(using).annotate(m=TruncMonth("created_at", tzinfo=ZONE))
        claims = Claim.objects.using(using).filter(accepted_at__isnull=False)
        claims = claims.annotate(m=TruncMonth("accepted_at", tzinfo=ZONE))
        cells = set(wishes.values_list("m", "community").distinct().order_by())
        cells |= set(claims.values_list("m", "wish__community").distinct().order_by())
        StaleMonth.objects.using(using).bulk_create(
            StaleMonth(month=_day(m), community=community) for m, community in cells
        )
        return True


def uninstall(using: str = DEFAULT_DB_ALIAS) -> None:
    database = connections[using]
    with database.cursor() as cursor:
        for name in TRIGGERS:
            table = "wishes_wish" if "_wish_" in name else "wishes_claim"
            if database.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def _day(moment: datetime.datetime | datetime.date | None) -> datetime.date | None:
    """The first day of a month as TruncMonth gives it: an aware moment (or a date)."""
    if moment is None or not isinstance(moment, datetime.datetime):
        return moment
    return moment.astimezone(ZONE).date() if moment.tzinfo else moment.date()


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[from, until): the first moments of the month and of the next, in Beijing time."""
    first = datetime.datetime.combine(month, datetime.time.min, ZONE)
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return first, datetime.datetime.combine(following, datetime.time.min, ZONE)


def _take_stale(using: str) -> dict[datetime.date, set[int]]:
    """Take the stale rows away — first, so a write committed meanwhile leaves a row for the
    next refresh — and return them as {month: communities}."""
    from .models import StaleMonth

    database = connections[using]
    with database.cursor() as cursor:
        if database.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
            cursor.execute("DELETE FROM outcomes_stalemonth RETURNING month, community")
            rows = cursor.fetchall()
        else:
            rows = list(StaleMonth.objects.using(using).values_list("month", "community"))
            StaleMonth.objects.using(using).all().delete()
    stale = defaultdict(set)
    for month, community in rows:
        if isinstance(month, str):  # SQLite hands back its text
            month = datetime.date.fromisoformat(month)
        stale[month].add(community)
    return stale


_fresh = ContextVar("rollup_fresh", default=False)


@contextmanager
def refreshed(using: str = DEFAULT_DB_ALIAS):
    """Count the stale months afresh once, then read within the block without asking again
    (a report reads the rollup a dozen times)."""
    refresh(using)
    token = _fresh.set(True)
    try:
        yield
    finally:
        _fresh.reset(token)


def refresh(using: str = DEFAULT_DB_ALIAS) -> int:
    """Count every stale month of a community afresh, in the same dozen queries however many
    there are; returns how many were."""
    from .models import StaleMonth

    if _fresh.get() or not StaleMonth.objects.using(using).exists():
        return 0
    with transaction.atomic(using=using):
        stale = _take_stale(using)
        if stale:
            _count(using, stale)
    return sum(len(communities) for communities in stale.values())


def _count(using: str, stale: dict[datetime.date, set[int]]) -> None:
    """Delete the stale months' rows and count them again from the wishes and claims."""
    from wishes.models import Claim, Wish

    from .models import ClaimMonth, FulfilledMonth, WishMonth

    cells, submitted, accepted = Q(pk__in=[]), Q(pk__in=[]), Q(pk__in=[])
    for month, communities in stale.items():
        first, after = month_bounds(month)
        cells |= Q(month=month, community__in=communities)
        submitted |= Q(community__in=communities, created_at__gte=first, created_at__lt=after)
        accepted |= Q(
            wish__community__in=communities, accepted_at__gte=first, accepted_at__lt=after
        )
    for model in (WishMonth, FulfilledMonth, ClaimMonth):
        model.objects.using(using).filter(cells).delete()
    wishes = Wish.objects.using(using).filter(submitted)
    wishes = wishes.annotate(submitted_in=TruncMonth("created_at", tzinfo=ZONE))
    counted = (
        wishes.annotate(
            published_now=ExpressionWrapper(
                Q(published_at__isnull=False), output_field=BooleanField()
            )
        )
        .values("submitted_in", "community", "grid", "category", "status", "published_now")
        .annotate(n=Count("pk"))
        .order_by()
    )
    WishMonth.objects.using(using).bulk_create(
        [
            WishMonth(
                month=_day(row["submitted_in"]),
                community_id=row["community"],
                grid_id=row["grid"],
                category_id=row["category"],
                status=row["status"],
                published=bool(row["published_now"]),
                wishes=row["n"],
            )
            for row in counted
        ],
        batch_size=BATCH,
    )
    fulfilled = (
        wishes.filter(status__in=FULFILLED, fulfilled_at__isnull=False)
        .annotate(fulfilled_in=TruncMonth("fulfilled_at", tzinfo=ZONE))
        .values("submitted_in", "community", "grid", "fulfilled_in")
        .annotate(n=Count("pk"))
        .order_by()
    )
    FulfilledMonth.objects.using(using).bulk_create(
        [
            FulfilledMonth(
                month=_day(row["submitted_in"]),
                fulfilled_month=_day(row["fulfilled_in"]),
                community_id=row["community"],
                grid_id=row["grid"],
                wishes=row["n"],
            )
            for row in fulfilled
        ],
        batch_size=BATCH,
    )
    claims = (
        Claim.objects.using(using)
        .filter(accepted)
        .annotate(accepted_in=TruncMonth("accepted_at", tzinfo=ZONE))
        .values("accepted_in", "wish__community", "wish__grid", "volunteer", "organisation")
        .annotate(n=Count("pk"))
        .order_by()
    )
    ClaimMonth.objects.using(using).bulk_create(
        [
            ClaimMonth(
                month=_day(row["accepted_in"]),
                community_id=row["wish__community"],
                grid_id=row["wish__grid"],
                volunteer_id=row["volunteer"],
                organisation_id=row["organisation"],
                claims=row["n"],
            )
            for row in claims
        ],
        batch_size=BATCH,
    )
