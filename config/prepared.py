"""Statements asked on nearly every request, prepared once per PostgreSQL session.

Parsing and planning a short statement costs PostgreSQL more than running it: 0.85 ms against
0.21 ms for who is asking (accounts/identity.py), 0.9 ms against 0.1 ms for the glance at a
wish a volunteer claims (wishes/views/volunteer.py) — on a 2-core server, when a list is
posted and everyone claims at once, that is most of what the database does.

A statement is a queryset built by the ORM for one value (SENTINEL, an id no row has) and
compiled once per database connection, so the SQL is the ORM's on every database. On
PostgreSQL (unless PREPARED_STATEMENTS is off, as behind a pooler in transaction mode) it is
PREPAREd on the session's first use as `microwish_<key>` with the value as $1, and run with
EXECUTE; elsewhere it is sent whole with the value in place of the sentinel.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Model, QuerySet
from django.utils.functional import cached_property

SENTINEL = -7_000_000_001  # the id a statement is built for, replaced by the real one

STATEMENTS: list[Prepared] = []  # every statement, as it is made


class Prepared:
    def __init__(self, key: str, build: Callable[[], QuerySet]):
        self.key = key
        self.name = f"microwish_{key}"
        self.build = build  # a queryset filtered by SENTINEL where the value goes
        STATEMENTS.append(self)

    def rows(self, value: int, using: str = "default") -> list[Model]:
        """The statement's rows for `value`, as model instances (RawQuerySet): the queryset's
        annotations are attributes of each."""
        model = self.model
        execute = self._prepared(using)
        if execute is None:
            sql, params = self.statement(using)
            params = [value if param == SENTINEL else param for param in params]
            return list(model._default_manager.raw(sql, params).using(using))
        try:
            return list(model._default_manager.raw(execute, [value]).using(using))
        except DatabaseError as error:
            # The session lost the statement (a DEALLOCATE or DISCARD ALL by someone else):
            # outside a transaction, prepare it again; inside one, nothing can be run.
            connection = connections[using]
            lost = getattr(error.__cause__, "pgcode", None) == "26000"
            if not lost or connection.in_atomic_block:
                raise
            setattr(connection, self._prepared_on, None)
            execute = self._prepared(using)
            return list(model._default_manager.raw(execute, [value]).using(using))

    @cached_property
    def model(self) -> type[Model]:
        return self.build().model

    def statement(self, using: str) -> tuple[str, list]:
        """The SQL and its parameters for this connection, compiled on its first use."""
        connection = connections[using]
        attribute = f"_{self.key}_statement"
        built = getattr(connection, attribute, None)
        if built is None:
            sql, params = self.build().query.sql_with_params()
            built = (sql, list(params))
            setattr(connection, attribute, built)
        return built

    @property
    def _prepared_on(self) -> str:
        return f"_{self.key}_prepared_on"

    def _prepared(self, using: str) -> str | None:
        connection = connections[using]
        if connection.vendor != "postgresql" or not settings.PREPARED_STATEMENTS:
            return None
        connection.ensure_connection()
        if getattr(connection, self._prepared_on, None) is not connection.connection:
            sql, params = self.statement(using)
            with connection.cursor() as cursor:
                text = cursor.mogrify(sql, params).decode().replace(str(SENTINEL), "$1::bigint")
                cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [self.name])
                if cursor.fetchone():  # prepared by an earlier statement that has since changed
                    cursor.execute(f"DEALLOCATE {self.name}")
                cursor.execute(f"PREPARE {self.name} AS {text}")
            setattr(connection, self._prepared_on, connection.connection)
        return f"EXECUTE {self.name}(%s)"


def forget(using: str = "default") -> None:
    """As if the session held none of the statements (after a DEALLOCATE ALL, say): each is
    prepared again on its next use."""
    for statement in STATEMENTS:
        setattr(connections[using], statement._prepared_on, None)
