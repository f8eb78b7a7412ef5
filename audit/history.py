"""Append-only tables: history that PostgreSQL itself refuses to rewrite.

The timeline (wishes.WishEvent), the access log (audit.AuditEntry) and the record of changes to
service hours (outcomes.ServiceHoursChange) carry `append_only()` in their Meta.triggers: a
trigger (django-pgtrigger) that raises on every DELETE and on every UPDATE, so a queryset's
`update()`/`delete()`, a cascade, the admin or a raw statement cannot change a row once written.
Their foreign keys PROTECT, so nothing cascades into them either. The models refuse too, on
every database (their save() and delete()).

The one change allowed is the narrowly defined anonymisation erasure makes
(wishes/privacy.py): emptying a free-text column (`blankable`), every other column as it was.

Installed by migrations on PostgreSQL; on SQLite (development) the triggers are skipped and the
models' guards stand alone. A data migration or the demo seed that truly must rewrite history
says so with `pgtrigger.ignore("app.Model:append_only_update")`. TRUNCATE is not stopped (the
test database is emptied with it); nothing in the app issues one.
"""

from __future__ import annotations

import pgtrigger
from django.db import models

UPDATE_TRIGGER = "append_only_update"
DELETE_TRIGGER = "append_only_delete"


class AnyOf(pgtrigger.Condition):
    """True when any of the conditions is (pgtrigger's conditions do not combine with |)."""

    def __init__(self, *conditions: pgtrigger.Condition):
        self.conditions = conditions

    def resolve(self, model: type[models.Model]) -> str:
        either = " OR ".join(f"({condition.resolve(model)})" for condition in self.conditions)
        return f"({either})"  # pgtrigger writes WHEN followed by this, as it is


def append_only(*, blankable: tuple[str, ...] = ()) -> list[pgtrigger.Trigger]:
    """Triggers refusing DELETE, and UPDATE except emptying the `blankable` text columns."""
    refuse_update = None  # every UPDATE
    if blankable:
        # Refused when anything else changes, or a blankable column gets anything but ''.
        refuse_update = AnyOf(
            pgtrigger.AnyChange(exclude=list(blankable)),
            *(~pgtrigger.Q(**{f"new__{name}": ""}) for name in blankable),
        )
    return [
        pgtrigger.Protect(name=UPDATE_TRIGGER, operation=pgtrigger.Update, condition=refuse_update),
        pgtrigger.Protect(name=DELETE_TRIGGER, operation=pgtrigger.Delete),
    ]
