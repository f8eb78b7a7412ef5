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
        """The statement's rows for `value`, as model instances: the queryset's annotations
        are attributes of each, the fields it did not select are deferred."""
        connection = connections[using]
        execute = self._prepared(using)
        if execute is None:
            sql, params = self.statement(using)
            params = [value if param == SENTINEL else param for param in params]
            return self._instances(sql, params, using)
        try:
            return self._instances(execute, [value], using)
        except DatabaseError as error:
            # The session lost the statement (a DEALLOCATE or DISCARD ALL by someone else):
            # outside a transaction, prepare it again; inside one, nothing can be run.
            lost = getattr(error.__cause__, "pgcode", None) == "26000"
            if not lost or connection.in_atomic_block:
                raise
            setattr(connection, self._prepared_on, None)
            return self._instances(self._prepared(using), [value], using)

    def _instances(self, sql: str, params: list, using: str) -> list[Model]:
        # Model.from_db on the cursor's rows, as RawQuerySet does, without its per-query work
        # of matching columns to fields (done once per connection, in _layout).
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            columns = tuple(column[0] for column in cursor.description)
            found = cursor.fetchall()
        if not found:
            return []
        names, positions, converters, annotations = self._layout(columns, using)
        connection = connections[using]
        instances = []
        for row in found:
            values = [row[i] for i in positions]
            for index, (functions, expression) in converters:
                for convert in functions:
                    values[index] = convert(values[index], expression, connection)
            instance = self.model.from_db(using, names, values)
            for index, name in annotations:
                setattr(instance, name, row[index])
            instances.append(instance)
        return instances

    def _layout(self, columns: tuple[str, ...], using: str):
        connection = connections[using]
        attribute = f"_{self.key}_layout"
        layout = getattr(connection, attribute, None)
        if layout is None or layout[0] != columns:
            where = {column: index for index, column in enumerate(columns)}
            fields = [f for f in self.model._meta.concrete_fields if f.column in where]
            table = self.model._meta.db_table
            compiler = connection.ops.compiler("SQLCompiler")(self.build().query, connection, using)
            converters = compiler.get_converters([f.get_col(table) for f in fields])
            taken = {f.column for f in fields}
            layout = (
                columns,
                [f.attname for f in fields],
                [where[f.column] for f in fields],
                list(converters.items()),
                [(i, column) for i, column in enumerate(columns) if column not in taken],
            )
            setattr(connection, attribute, layout)
        return layout[1:]

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
