"""The wish tally (`WishTally`): its triggers, its counts, and folding its rows.

The triggers are written here once for each database the project runs on — PostgreSQL in
production and CI, SQLite for `make run` — installed by migration 0015 and checked after every
`migrate`: SQLite drops a table's triggers when a migration rebuilds the table, so a missing
trigger is put back and the tally counted afresh from the wishes.
"""

from __future__ import annotations

from collections import Counter

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Q, Sum

from .models import WishTally

COLUMNS = "community, grid, status, urgent, escalated"
TRIGGERS = ("wishes_tally_insert", "wishes_tally_update", "wishes_tally_delete")

# PostgreSQL: statement-level triggers over the transition tables, so a bulk insert of
# thousands of wishes adds one row per key, not one per wish.
POSTGRESQL = [
    """
CREATE OR REPLACE FUNCTION wishes_tally_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO wishes_wishtally (community, grid, status, urgent, escalated, wishes)
    SELECT community_id, grid_id, status, priority = 'urgent', escalated_at IS NOT NULL, COUNT(*)
    FROM new_rows GROUP BY 1, 2, 3, 4, 5;
    RETURN NULL;
END $$""",
    """
CREATE OR REPLACE FUNCTION wishes_tally_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO wishes_wishtally (community, grid, status, urgent, escalated, wishes)
    SELECT community_id, grid_id, status, priority = 'urgent', escalated_at IS NOT NULL, -COUNT(*)
    FROM old_rows GROUP BY 1, 2, 3, 4, 5;
    RETURN NULL;
END $$""",
    """
CREATE OR REPLACE FUNCTION wishes_tally_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO wishes_wishtally (community, grid, status, urgent, escalated, wishes)
    SELECT community, grid, status, urgent, escalated, SUM(wishes) FROM (
        SELECT o.community_id AS community, o.grid_id AS grid, o.status,
               o.priority = 'urgent' AS urgent, o.escalated_at IS NOT NULL AS escalated,
               -1 AS wishes
        FROM old_rows o
        UNION ALL
        SELECT n.community_id, n.grid_id, n.status, n.priority = 'urgent',
               n.escalated_at IS NOT NULL, 1
        FROM new_rows n
    ) moved
    GROUP BY 1, 2, 3, 4, 5 HAVING SUM(wishes) <> 0;
    RETURN NULL;
END $$""",
    "DROP TRIGGER IF EXISTS wishes_tally_insert ON wishes_wish",
    "DROP TRIGGER IF EXISTS wishes_tally_update ON wishes_wish",
    "DROP TRIGGER IF EXISTS wishes_tally_delete ON wishes_wish",
    """CREATE TRIGGER wishes_tally_insert AFTER INSERT ON wishes_wish
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION wishes_tally_insert()""",
    """CREATE TRIGGER wishes_tally_update AFTER UPDATE ON wishes_wish
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION wishes_tally_update()""",
    """CREATE TRIGGER wishes_tally_delete AFTER DELETE ON wishes_wish
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION wishes_tally_delete()""",
]

# SQLite: row-level triggers (it has no others); the demo's few thousand wishes do not mind.
SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS wishes_tally_insert AFTER INSERT ON wishes_wish BEGIN
    INSERT INTO wishes_wishtally (community, grid, status, urgent, escalated, wishes)
    VALUES (NEW.community_id, NEW.grid_id, NEW.status, NEW.priority = 'urgent',
            NEW.escalated_at IS NOT NULL, 1);
END""",
    """CREATE TRIGGER IF NOT EXISTS wishes_tally_delete AFTER DELETE ON wishes_wish BEGIN
    INSERT INTO wishes_wishtally (community, grid, status, urgent, escalated, wishes)
    VALUES (OLD.community_id, OLD.grid_id, OLD.status, OLD.priority = 'urgent',
            OLD.escalated_at IS NOT NULL, -1);
END""",
    """CREATE TRIGGER IF NOT EXISTS wishes_tally_update
    AFTER UPDATE OF community_id, grid_id, status, priority, escalated_at ON wishes_wish
    WHEN OLD.community_id IS NOT NEW.community_id OR OLD.grid_id IS NOT NEW.grid_id
      OR OLD.status IS NOT NEW.status OR (OLD.priority = 'urgent') IS NOT (NEW.priority = 'urgent')
      OR (OLD.escalated_at IS NULL) IS NOT (NEW.escalated_at IS NULL)
BEGIN
    INSERT INTO wishes_wishtally (community, grid, status, urgent, escalated, wishes)
    VALUES (OLD.community_id, OLD.grid_id, OLD.status, OLD.priority = 'urgent',
            OLD.escalated_at IS NOT NULL, -1);
    INSERT INTO wishes_wishtally (community, grid, status, urgent, escalated, wishes)
    VALUES (NEW.community_id, NEW.grid_id, NEW.status, NEW.priority = 'urgent',
            NEW.escalated_at IS NOT NULL, 1);
END""",
]

RECOUNT = """
INSERT INTO wishes_wishtally (community, grid, status, urgent, escalated, wishes)
SELECT community_id, grid_id, status, priority = 'urgent', escalated_at IS NOT NULL, COUNT(*)
FROM wishes_wish GROUP BY community_id, grid_id, status, priority = 'urgent',
    escalated_at IS NOT NULL
"""

INSTALLED = {
    "postgresql": "SELECT COUNT(*) FROM pg_trigger WHERE tgname = ANY(%s) AND NOT tgisinternal",
    "sqlite": "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s, %s)",
}

COMPACT_POSTGRESQL = """
WITH gone AS (
    DELETE FROM wishes_wishtally RETURNING community, grid, status, urgent, escalated, wishes
)
INSERT INTO wishes_wishtally (community, grid, status, urgent, escalated, wishes)
SELECT community, grid, status, urgent, escalated, SUM(wishes) FROM gone
GROUP BY community, grid, status, urgent, escalated HAVING SUM(wishes) <> 0
"""
COMPACT_SQLITE = """
INSERT INTO wishes_wishtally (community, grid, status, urgent, escalated, wishes)
SELECT community, grid, status, urgent, escalated, SUM(wishes) FROM wishes_wishtally
WHERE id <= %s GROUP BY community, grid, status, urgent, escalated HAVING SUM(wishes) <> 0
"""


def _installed(cursor, vendor: str) -> int:
    cursor.execute(INSTALLED[vendor], [list(TRIGGERS)] if vendor == "postgresql" else TRIGGERS)
    return cursor.fetchone()[0]


def install(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Put the triggers in place and, if any was missing, count the tally afresh. Returns whether
    anything had to be done. Other databases are not supported by the project."""
    database = connections[using]
    vendor = database.vendor
    if vendor not in INSTALLED:
        raise NotImplementedError(f"no wish tally triggers for {vendor}")
    with transaction.atomic(using=using), database.cursor() as cursor:
        if _installed(cursor, vendor) == len(TRIGGERS):
            return False
        # Nobody may write wishes between the count and the triggers: the table is locked.
        if vendor == "postgresql":
            cursor.execute("LOCK TABLE wishes_wish IN SHARE ROW EXCLUSIVE MODE")
        for statement in POSTGRESQL if vendor == "postgresql" else SQLITE:
            cursor.execute(statement)
        cursor.execute("DELETE FROM wishes_wishtally")
        cursor.execute(RECOUNT)
        return True


UNINSTALL = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS wishes_tally_insert ON wishes_wish",
        "DROP TRIGGER IF EXISTS wishes_tally_update ON wishes_wish",
        "DROP TRIGGER IF EXISTS wishes_tally_delete ON wishes_wish",
        "DROP FUNCTION IF EXISTS wishes_tally_insert()",
        "DROP FUNCTION IF EXISTS wishes_tally_update()",
        "DROP FUNCTION IF EXISTS wishes_tally_delete()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS wishes_tally_insert",
        "DROP TRIGGER IF EXISTS wishes_tally_update",
        "DROP TRIGGER IF EXISTS wishes_tally_delete",
    ],
}


def uninstall(using: str = DEFAULT_DB_ALIAS) -> None:
    database = connections[using]
    with database.cursor() as cursor:
        for statement in UNINSTALL[database.vendor]:
            cursor.execute(statement)


def compact() -> int:
    """Fold the tally into one row per key, dropping keys that sum to nothing; returns the rows
    left. Safe while wishes change: rows added meanwhile are outside the statement's view (on
    SQLite, one writer at a time) and stay as they are."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(COMPACT_POSTGRESQL)
            return cursor.rowcount
        cursor.execute("SELECT MAX(id) FROM wishes_wishtally")
        (last,) = cursor.fetchone()
        if last is None:
            return 0
        cursor.execute(COMPACT_SQLITE, [last])
        kept = cursor.rowcount
        cursor.execute("DELETE FROM wishes_wishtally WHERE id <= %s", [last])
        return kept


def tally(where: Q) -> Counter:
    """{(status, urgent, escalated): wishes} over the tally rows matching `where` — a filter on
    `community` and `grid`, as the access policy writes it for wishes (managed_q, say)."""
    rows = (
        WishTally.objects.filter(where)
        .values_list("status", "urgent", "escalated")
        .annotate(total=Sum("wishes"))
        .order_by()
    )
    return Counter({(status, urgent, escalated): n for status, urgent, escalated, n in rows})


def count(where: Q, statuses=None) -> int:
    """How many wishes match `where`, in these statuses (all if None), from the tally."""
    rows = WishTally.objects.filter(where)
    if statuses is not None:
        rows = rows.filter(status__in=statuses)
    return rows.aggregate(total=Sum("wishes"))["total"] or 0
