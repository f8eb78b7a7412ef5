"""Writing the record: one function per thing that gets recorded."""

from __future__ import annotations

import contextvars
import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from .models import AuditEntry
from .security import security_event

if TYPE_CHECKING:
    from accounts.models import Resident, User


def _entry(actor, action: str, resident: Resident | None, **fields) -> AuditEntry:
    if resident is not None:
        # Scoped by place; the name is not copied here, so an erasure reaches it too.
        fields.setdefault("community_id", resident.community_id)
        fields.setdefault("grid_id", resident.grid_id)
    return AuditEntry(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        resident=resident,
        **fields,
    )


# The same person opening the same page again within this many minutes is one look, not many.
SAME_LOOK_MINUTES = 10


def record_contact_view(user: User, resident: Resident | None, *, wish=None, how: str) -> None:
    """Someone other than the resident was shown the resident's phone or address."""
    if resident is None:
        return
    since = timezone.now() - datetime.timedelta(minutes=SAME_LOOK_MINUTES)
    actor = user if user is not None and user.is_authenticated else None
    recent = AuditEntry.objects.filter(
        actor=actor,
        action=AuditEntry.Action.CONTACT_VIEWED,
        resident=resident,
        wish=wish,
        how=how,
        created_at__gte=since,
    )
    if not recent.exists():
        _entry(user, AuditEntry.Action.CONTACT_VIEWED, resident, wish=wish, how=how).save()


def record_contact_views(user: User, wishes: Iterable, *, how: str) -> int:
    """A page showed the contact details of several wishes' residents (a claimer's list): one
    entry per wish not already recorded in the last minutes, in two queries."""
    wishes = [wish for wish in wishes if wish.resident_id is not None]
    if not wishes or user is None or not user.is_authenticated:
        return 0
    since = timezone.now() - datetime.timedelta(minutes=SAME_LOOK_MINUTES)
    seen = set(
        AuditEntry.objects.filter(
            actor=user,
            action=AuditEntry.Action.CONTACT_VIEWED,
            wish__in=[wish.pk for wish in wishes],
            how=how,
            created_at__gte=since,
        ).values_list("wish_id", flat=True)
    )
    entries = [
        _entry(user, AuditEntry.Action.CONTACT_VIEWED, wish.resident, wish=wish, how=how)
        for wish in wishes
        if wish.pk not in seen
    ]
    AuditEntry.objects.bulk_create(entries)
    return len(entries)


def record_contact_export(user: User, residents: Iterable[Resident], *, how: str) -> int:
    """An export carried these residents' contact details: one entry per resident."""
    entries = [
        _entry(user, AuditEntry.Action.CONTACT_EXPORTED, resident, how=how)
        for resident in {r.pk: r for r in residents if r is not None}.values()
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    if entries:
        _log_when_done(
            "personal_data_exported",
            user,
            action=AuditEntry.Action.CONTACT_EXPORTED,
            how=how,
            residents=len(entries),
        )
    return len(entries)


# What the security log (audit/security.py) also hears of: personal data leaving the site, and
# erasures; by count and the entry's number, never whose.
SECURITY_EVENTS = {
    AuditEntry.Action.RESIDENT_EXPORTED: "personal_data_exported",
    AuditEntry.Action.RESIDENT_ERASED: "resident_erased",
}


def record(user: User, action: str, *, resident: Resident | None = None, **fields) -> AuditEntry:
    entry = _entry(user, action, resident, **fields)
    entry.save()
    if action in SECURITY_EVENTS:
        _log_when_done(
            SECURITY_EVENTS[action],
            user,
            action=action,
            how=entry.how,
            residents=1,
            audit_entry=entry.pk,
        )
    return entry


def _log_when_done(event: str, user: User, **fields) -> None:
    """Logged once committed (an erasure that rolled back never happened), as from the request
    that did it, wherever the commit runs."""
    context = contextvars.copy_context()
    transaction.on_commit(
        lambda: context.run(security_event, event, user=user, outcome="success", **fields)
    )


def record_password_reset(user: User, resident: Resident) -> None:
    """Staff set a temporary password for a resident who forgot theirs."""
    _entry(user, AuditEntry.Action.PASSWORD_RESET, resident).save()
