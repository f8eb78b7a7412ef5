"""The workbench's counters, in one place: the home page and the workbench count the same
things, call them by the same words, and link each number to the queue that holds those wishes."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import tallies
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


def count_open(where: Q) -> dict[str, int]:
    """The counters' numbers over the wishes `where` picks (a filter on community and grid, as
    the access policy writes it), with "urgent" (waiting for review) and "escalated" (reported
    to the street, still waiting for someone). Read from the wish tally, not the wishes: the
    cost follows the communities and grids, not the years of wishes."""
    counted = [status for _, _, status, _ in COUNTERS]
    rows = tallies.tally(where & Q(status__in=counted))
    counts = {key: 0 for key, _, _, _ in COUNTERS} | {"urgent": 0, "escalated": 0}
    keys = {status: key for key, _, status, _ in COUNTERS}
    for (status, urgent, escalated), wishes in rows.items():
        counts[keys[status]] += wishes
        counts["urgent"] += wishes if status == Status.SUBMITTED and urgent else 0
        counts["escalated"] += wishes if status == Status.APPROVED and escalated else 0
    return counts


def staff_counters(
    where: Q, *, community_pk: int | None = None, counts: dict | None = None
) -> list[Counter]:
    """The counters over the wishes `where` picks (already the person's reach); with a picked
    community, each link keeps it. `counts` when count_open() was already asked."""
    counts = count_open(where) if counts is None else counts
    counters = []
    for key, label, status, name in COUNTERS:
        params = {"status": status} if name == "staff:wishes" else {}
        if community_pk:
            params["community"] = community_pk
        url = reverse(name) + (f"?{urlencode(params)}" if params else "")
        counters.append(Counter(key, label, counts[key], url))
    return counters
