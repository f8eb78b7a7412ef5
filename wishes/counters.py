"""The workbench's counters, in one place: the home page and the workbench count the same
things, call them by the same words, and link each number to the queue that holds those wishes."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .lifecycle import Status


@dataclass(frozen=True)
class Counter:
    key: str
    label: Promise
    count: int
    url: str


# key, words, the wishes' status, and the queue: its own page, or the list filtered by status
COUNTERS = [
    ("to_review", _("待审核"), Status.SUBMITTED, "staff:review"),
    ("waiting", _("待认领"), Status.APPROVED, "staff:dispatch_queue"),
    ("dispatched", _("已派单"), Status.DISPATCHED, "staff:wishes"),
    ("claimed", _("认领中"), Status.CLAIMED, "staff:wishes"),
    ("to_confirm", _("待确认"), Status.FULFILLED, "staff:wishes"),
]


def count_open(wishes: QuerySet, **extra) -> dict[str, int]:
    """The counters' numbers over these wishes, and any `extra` aggregates over the same open
    wishes, in one query. Only wishes in a counted status are read, through the (community,
    status) index: the cost follows the open wishes, not the years of finished ones."""
    counted = [status for _, _, status, _ in COUNTERS]
    return wishes.filter(status__in=counted).aggregate(
        **{key: Count("pk", filter=Q(status=status)) for key, _, status, _ in COUNTERS},
        **extra,
    )


def staff_counters(
    wishes: QuerySet, *, community_pk: int | None = None, counts: dict | None = None
) -> list[Counter]:
    """The counters over these wishes (already the person's reach); with a picked community,
    each link keeps it. `counts` when count_open() was already asked."""
    counts = count_open(wishes) if counts is None else counts
    counters = []
    for key, label, status, name in COUNTERS:
        params = {"status": status} if name == "staff:wishes" else {}
        if community_pk:
            params["community"] = community_pk
        url = reverse(name) + (f"?{urlencode(params)}" if params else "")
        counters.append(Counter(key, label, counts[key], url))
    return counters
