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

# COPY's text format: backslash escapes for the characters that separate rows and columns.
ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            raise ValueError(f"naive datetime {value!r}: the seed writes aware times only")
        return value.isoformat()
    if isinstance(value, datetime.date | int | Decimal | float | uuid.UUID):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False).translate(ESCAPES)
    return str(value).translate(ESCAPES)


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
        rows = io.StringIO()
        names = [f.attname for f in fields]
        for obj in objects:
            rows.write("\t".join([_text(getattr(obj, name)) for name in names]))
            rows.write("\n")
        rows.seek(0)
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        cursor.cursor.copy_expert(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN", rows)
