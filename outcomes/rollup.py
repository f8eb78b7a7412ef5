"""The statistics' monthly rollup: wishes and claims counted per month and community, kept
current by the database, so a city's report over years of wishes reads a few thousand rows
instead of scanning a million.

`WishMonth` counts the wishes submitted in a month (Beijing time) per community, grid,
category, status and published; `FulfilledMonth` those of them fulfilled, per month fulfilled;
`ClaimMonth` the claims accepted in a month per community, grid, volunteer and organisation;
`WishTotal` and `ClaimTotal` the same to date, without the month (what a report 累计 reads).

What keeps them current: triggers on the wish and claim tables (PostgreSQL in production and
CI, SQLite for `make run`) add rows of +n and −n for whatever a write moves — an insert, a
delete, any update (a wish that moves takes its claims' rows along); the life-cycle methods, a
queryset's update(), bulk_create, the admin and raw SQL alike — in the writer's own
transaction, so the rollup is never behind what a reader can see, and a write that rolls back
counts nothing. Rows are only ever added, so no writer waits for another; the readers sum them
(figures.py), and `compact()` — the hourly sweep — folds them into one row per key. A claim's
rows go to its wish's community and grid as the claim's writer sees them; so a claim and a move
of its wish must not cross, which they cannot: the life-cycle locks the wish
(select_for_update) before it writes a claim or moves the wish, and the admin neither edits
claims nor moves a submitted wish to another community. A writer of claims that did not lock
the wish, racing a move, could leave the claim's row in the wish's former place (as the stale
months before could miss it).

Counting a month afresh after each change, as this module did before, cost a report at a
million wishes 165 ms instead of 24 ms at a thousand (the month's claims joined to their
wishes, its rows written again); a change now costs the writer a few rows.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from wishes.lifecycle import Status

ZONE = ZoneInfo(settings.TIME_ZONE)
FULFILLED = (Status.FULFILLED, Status.CONFIRMED)  # as figures.py counts them
TRIGGERS = (
    "outcomes_rollup_wish_insert",
    "outcomes_rollup_wish_update",
    "outcomes_rollup_wish_delete",
    "outcomes_rollup_claim_insert",
    "outcomes_rollup_claim_update",
    "outcomes_rollup_claim_delete",
)
# The triggers before the rollup was kept by deltas: they marked months to be counted afresh.
FORMER_TRIGGERS = tuple(name.replace("_rollup_", "_stale_") for name in TRIGGERS)
# Compactions take turns (PostgreSQL's advisory lock; SQLite has one writer anyway).
LOCK = 7_241_017

# Each table of the rollup: its key columns, its count column.
TABLES = {
    "outcomes_wishmonth": (
        ("month", "community_id", "grid_id", "category_id", "status", "published"),
        "wishes",
    ),
    "outcomes_fulfilledmonth": (
        ("month", "fulfilled_month", "community_id", "grid_id"),
        "wishes",
    ),
    "outcomes_claimmonth": (
        ("month", "community_id", "grid_id", "volunteer_id", "organisation_id"),
        "claims",
    ),
    # The same without the month, for reports 累计 (to date): a few rows per community.
    "outcomes_wishtotal": (
        ("community_id", "grid_id", "category_id", "status", "published"),
        "wishes",
    ),
    "outcomes_claimtotal": (
        ("community_id", "grid_id", "volunteer_id", "organisation_id"),
        "claims",
    ),
}
# What each kind of row is added to: by the month, and to date.
WISHES = ("outcomes_wishmonth", "outcomes_wishtotal")
CLAIMS = ("outcomes_claimmonth", "outcomes_claimtotal")


def _sqlite_offset() -> str:
    """SQLite keeps UTC text: the zone's offset as a date modifier. The project's zone has
    no daylight saving time, which this checks rather than assumes."""
    winter = ZONE.utcoffset(datetime.datetime(2000, 1, 1))
    summer = ZONE.utcoffset(datetime.datetime(2000, 7, 1))
    if winter != summer:
        raise NotImplementedError(f"{settings.TIME_ZONE} changes its offset; SQLite can't follow")
    return f"{winter.total_seconds() / 3600:+g} hours"


# The SQL is put together from this module's own names and the project's time zone (settings),
# never from input: hence the `nosec B608` (bandit's "SQL built from strings").


class _Dialect:
    """What differs between the databases: how a moment becomes its month, how two values
    are told apart when either may be NULL, and where a trigger finds the rows it moved —
    PostgreSQL's statement-level triggers read transition tables (`old_rows`, `new_rows`: a
    bulk insert of thousands of wishes adds one row per key, not one per wish), SQLite's
    row-level triggers the OLD and NEW row."""

    def __init__(self, vendor: str):
        self.postgresql = vendor == "postgresql"
        self.offset = None if self.postgresql else _sqlite_offset()

    def month(self, column: str) -> str:
        if self.postgresql:
            return f"date_trunc('month', {column} AT TIME ZONE '{settings.TIME_ZONE}')::date"
        return f"strftime('%Y-%m-01', {column}, '{self.offset}')"

    def differ(self, a: str, b: str) -> str:
        return f"{a} IS DISTINCT FROM {b}" if self.postgresql else f"{a} IS NOT {b}"

    def rows(self, side: str) -> tuple[str, str]:
        """(the alias a part reads a moved row by, the FROM item that brings it in)"""
        if self.postgresql:
            return "r", f"{side}_rows r"
        return side.upper(), ""


def _wishes(d: _Dialect, r: str, source: str, sign: str) -> str:
    tables = f" FROM {source}" if source else ""
    return (
        f"SELECT {d.month(f'{r}.created_at')} AS month, {r}.community_id AS community_id, "
        f"{r}.grid_id AS grid_id, {r}.category_id AS category_id, {r}.status AS status, "
        f"{r}.published_at IS NOT NULL AS published, {sign} AS n{tables}"
    )


def _fulfilled(d: _Dialect, r: str, source: str, sign: str) -> str:
    tables = f" FROM {source}" if source else ""
    statuses = ", ".join(f"'{status}'" for status in FULFILLED)
    return (
        f"SELECT {d.month(f'{r}.created_at')} AS month, "
        f"{d.month(f'{r}.fulfilled_at')} AS fulfilled_month, {r}.community_id AS community_id, "
        f"{r}.grid_id AS grid_id, {sign} AS n{tables} "
        f"WHERE {r}.status IN ({statuses}) AND {r}.fulfilled_at IS NOT NULL"
    )


def _claims(d: _Dialect, r: str, source: str, sign: str) -> str:
    """A moved claim's row, on its wish's community and grid as they are."""
    tables = f"{source}, wishes_wish w" if source else "wishes_wish w"
    return (
        f"SELECT {d.month(f'{r}.accepted_at')} AS month, w.community_id AS community_id, "  # nosec B608
        f"w.grid_id AS grid_id, {r}.volunteer_id AS volunteer_id, "
        f"{r}.organisation_id AS organisation_id, {sign} AS n FROM {tables} "
        f"WHERE w.id = {r}.wish_id AND {r}.accepted_at IS NOT NULL"
    )


def _carried(d: _Dialect, side: str, sign: str) -> str:
    """The claims of a wish that moved to another community or grid, on the wish's old or new
    place (`side`): their rows move with it."""
    moved = (
        f"({d.differ('o.community_id', 'n.community_id')} OR {d.differ('o.grid_id', 'n.grid_id')})"
        if d.postgresql
        else f"({d.differ('OLD.community_id', 'NEW.community_id')} "
        f"OR {d.differ('OLD.grid_id', 'NEW.grid_id')})"
    )
    r = ("o" if side == "old" else "n") if d.postgresql else side.upper()
    tables = (
        "old_rows o JOIN new_rows n ON n.id = o.id JOIN wishes_claim c ON c.wish_id = o.id"
        if d.postgresql
        else "wishes_claim c"
    )
    join = "" if d.postgresql else f"c.wish_id = {r}.id AND "
    return (
        f"SELECT {d.month('c.accepted_at')} AS month, {r}.community_id AS community_id, "  # nosec B608
        f"{r}.grid_id AS grid_id, c.volunteer_id AS volunteer_id, "
        f"c.organisation_id AS organisation_id, {sign} AS n FROM {tables} "
        f"WHERE {join}c.accepted_at IS NOT NULL AND {moved}"
    )


def _inserts(tables: str | tuple[str, ...], parts: list[str]) -> list[str]:
    """An INSERT into each table of the parts' rows summed per key; keys that come to nothing
    are left out (an update that moved nothing the rollup counts adds no row)."""
    statements = []
    for table in (tables,) if isinstance(tables, str) else tables:
        keys, count = TABLES[table]
        columns = ", ".join(keys)
        union = "\n        UNION ALL ".join(parts)
        statements.append(f"""
    INSERT INTO {table} ({columns}, {count})
    SELECT {columns}, SUM(n) FROM (
        {union}
    ) moved GROUP BY {columns} HAVING SUM(n) <> 0""")  # nosec B608
    return statements


def _add(tables: str | tuple[str, ...], parts: list[str]) -> str:
    """The INSERTs as a trigger's body runs them."""
    return "".join(f"{statement};" for statement in _inserts(tables, parts))


def _bodies(d: _Dialect) -> dict[str, str]:
    old_r, old_source = d.rows("old")
    new_r, new_source = d.rows("new")

    def wish_side(r: str, source: str, sign: str) -> tuple[str, str]:
        return _wishes(d, r, source, sign), _fulfilled(d, r, source, sign)

    old_wish, old_fulfilled = wish_side(old_r, old_source, "-1")
    new_wish, new_fulfilled = wish_side(new_r, new_source, "1")
    old_claim = _claims(d, old_r, old_source, "-1")
    new_claim = _claims(d, new_r, new_source, "1")
    return {
        "outcomes_rollup_wish_insert": _add(WISHES, [new_wish])
        + _add("outcomes_fulfilledmonth", [new_fulfilled]),
        "outcomes_rollup_wish_update": _add(WISHES, [old_wish, new_wish])
        + _add("outcomes_fulfilledmonth", [old_fulfilled, new_fulfilled])
        + _add(CLAIMS, [_carried(d, "old", "-1"), _carried(d, "new", "1")]),
        # A wish's claims are deleted before it (Django's cascade), each taking its own row.
        "outcomes_rollup_wish_delete": _add(WISHES, [old_wish])
        + _add("outcomes_fulfilledmonth", [old_fulfilled]),
        "outcomes_rollup_claim_insert": _add(CLAIMS, [new_claim]),
        "outcomes_rollup_claim_update": _add(CLAIMS, [old_claim, new_claim]),
        "outcomes_rollup_claim_delete": _add(CLAIMS, [old_claim]),
    }


def _trigger_sql(vendor: str) -> list[str]:
    d = _Dialect(vendor)
    statements = []
    for name, body in _bodies(d).items():
        table = "wishes_wish" if "_wish_" in name else "wishes_claim"
        event = name.rsplit("_", 1)[1].upper()
        if not d.postgresql:
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table} BEGIN{body}\nEND"
            )
            continue
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


def _recount_sql(vendor: str) -> list[str]:
    """Every row of the rollup counted from the wishes and claims, one INSERT per table."""
    d = _Dialect(vendor)
    return [
        *_inserts(WISHES, [_wishes(d, "r", "wishes_wish r", "1")]),
        *_inserts("outcomes_fulfilledmonth", [_fulfilled(d, "r", "wishes_wish r", "1")]),
        *_inserts(CLAIMS, [_claims(d, "r", "wishes_claim r", "1")]),
    ]


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
    """Put the triggers in place and, if any was missing, count the rollup afresh from the
    wishes and claims. Returns whether anything had to be done."""
    database = connections[using]
    vendor = database.vendor
    if vendor not in INSTALLED:
        raise NotImplementedError(f"no rollup triggers for {vendor}")
    with transaction.atomic(using=using), database.cursor() as cursor:
        if _installed(cursor, vendor) == len(TRIGGERS):
            return False
        # Nobody may write wishes or claims between the count and the triggers.
        if vendor == "postgresql":
            cursor.execute("LOCK TABLE wishes_wish, wishes_claim IN SHARE ROW EXCLUSIVE MODE")
        _drop(cursor, vendor, FORMER_TRIGGERS)
        for statement in _trigger_sql(vendor):
            cursor.execute(statement)
        for table in TABLES:  # PostgreSQL gives the space back at once
            emptied = "TRUNCATE" if vendor == "postgresql" else "DELETE FROM"
            cursor.execute(f"{emptied} {table}")  # nosec B608
        for statement in _recount_sql(vendor):
            cursor.execute(statement)
        return True


def _drop(cursor, vendor: str, names) -> None:
    for name in names:
        table = "wishes_wish" if "_wish_" in name else "wishes_claim"
        if vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def uninstall(using: str = DEFAULT_DB_ALIAS) -> None:
    database = connections[using]
    with database.cursor() as cursor:
        _drop(cursor, database.vendor, TRIGGERS)


def _compact_sql(table: str, vendor: str) -> str:
    keys, count = TABLES[table]
    columns = ", ".join(keys)
    if vendor == "postgresql":
        # Only the keys with more than one row (or none left): a key untouched since the last
        # fold keeps its row, so a fold writes — and leaves for VACUUM — what changed, not
        # the whole table (whose dead rows the next report would read through).
        return f"""
        WITH gone AS (
            DELETE FROM {table} WHERE id IN (
                SELECT unnest(array_agg(id)) FROM {table} GROUP BY {columns}
                HAVING COUNT(*) > 1 OR SUM({count}) = 0
            ) RETURNING {columns}, {count}
        )
        INSERT INTO {table} ({columns}, {count})
        SELECT {columns}, SUM({count}) FROM gone
        GROUP BY {columns} HAVING SUM({count}) <> 0"""  # nosec B608
    return f"""
        INSERT INTO {table} ({columns}, {count})
        SELECT {columns}, SUM({count}) FROM {table} WHERE id <= %s
        GROUP BY {columns} HAVING SUM({count}) <> 0"""  # nosec B608


def compact(using: str = DEFAULT_DB_ALIAS) -> int:
    """Fold each table of the rollup into one row per key, dropping keys that sum to nothing;
    returns how many rows the folded keys came to (on SQLite, every key's). Safe while wishes
    change: rows added meanwhile are outside the statement's view (on SQLite, one writer at a
    time) and stay as they are."""
    database = connections[using]
    kept = 0
    with transaction.atomic(using=using), database.cursor() as cursor:
        if database.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
        for table in TABLES:
            if database.vendor == "postgresql":
                cursor.execute(_compact_sql(table, "postgresql"))
                kept += cursor.rowcount
                continue
            cursor.execute(f"SELECT MAX(id) FROM {table}")  # nosec B608
            (last,) = cursor.fetchone()
            if last is None:
                continue
            cursor.execute(_compact_sql(table, "sqlite"), [last])
            kept += cursor.rowcount
            cursor.execute(f"DELETE FROM {table} WHERE id <= %s", [last])  # nosec B608
    return kept
