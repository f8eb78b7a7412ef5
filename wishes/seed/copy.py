"""Writing generated rows fast: PostgreSQL's COPY instead of bulk_create's INSERT statements.

bulk_create turns every value of every row into SQL parameters through each field's
get_db_prep_save(); for a million wishes and their timelines that was most of the seed's time.
The generated values are plain Python types, so COPY's text format needs no more than
`_text()`. Other databases (SQLite for `make run`) get bulk_create as before.
"""

from __future__ import annotations

import datetime
import io
import json
import uuid
from decimal import Decimal

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from accounts import identity_kept

# COPY's text format: backslash escapes for the characters that separate rows and columns.
ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value) -> str:
    kind = type(value)
    if kind is str:
        return value.translate(ESCAPES)
    if value is None:
        return "\\N"
    if kind is int or kind is Decimal or kind is float or kind is uuid.UUID:
        return str(value)
    if kind is bool:
        return "t" if value else "f"
    if kind is datetime.datetime:
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the seed writes aware times only")
        return value.isoformat()
    if kind is datetime.date:
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False).translate(ESCAPES)
    return str(value).translate(ESCAPES)  # text choices and other str subclasses


def _copy(table: str, columns: list[str], rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join([_text(value) for value in row]))
        buffer.write("\n")
    buffer.seek(0)
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {quote(table)} ({names}) FROM STDIN", buffer)
    # COPY goes around Django's execute wrappers, which see every other write to what the
    # kept identities are read from (accounts/identity_kept.py).
    if table in identity_kept.TABLES | identity_kept.DELETED:
        identity_kept.forget_everyone()


def insert_rows(model: type[Model], columns: list[str], rows: list[tuple]) -> None:
    """Insert plain rows of values for these fields (attnames), keys from the table's own
    default: no model instance is made on PostgreSQL."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        objects = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        model.objects.bulk_create(objects, batch_size=1000)
        return
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    _copy(model._meta.db_table, [by_attname[name].column for name in columns], rows)


def insert(model: type[Model], objects: list[Model]) -> None:
    """Insert these unsaved objects, giving each its primary key, as bulk_create would (but a
    value given to an auto_now field is kept: the seed backdates rows)."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=1000)
        return
    meta = model._meta
    fields = meta.concrete_fields
    now = timezone.now()
    stamped = [f.attname for f in fields if getattr(f, "auto_now", False)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
            for name in stamped:
                if getattr(obj, name) is None:
                    setattr(obj, name, now)
            obj._state.adding = False
            obj._state.db = connection.alias
    names = [f.attname for f in fields]
    _copy(
        meta.db_table, [f.column for f in fields], ([getattr(o, n) for n in names] for o in objects)
    )
