"""Writing the record: one function per thing that gets recorded."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils import timezone

from .models import AuditEntry

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
    return len(entries)


def record(user: User, action: str, *, resident: Resident | None = None, **fields) -> AuditEntry:
    entry = _entry(user, action, resident, **fields)
    entry.save()
    return entry
