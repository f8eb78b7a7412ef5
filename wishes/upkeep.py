"""Keeping the programme moving: which claims are late, and the periodic sweep.

No wish should stay "认领中" forever: `sweep()` (run by `manage.py sweep_wishes`, e.g. hourly
from cron) releases claims and dispatches nobody has touched for WISH_AUTO_RELEASE_DAYS, and
tells street admins about wishes that waited WISH_ESCALATE_DAYS with nobody taking them on;
it also folds the wish tally's rows (wishes/tallies.py).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from notices.service import notify, staff_of

from . import tallies
from .lifecycle import Status, WishError
from .models import Claim, HeldPhoto, Wish

logger = logging.getLogger(__name__)


def overdue_claims(communities, *, today: datetime.date | None = None) -> QuerySet[Claim]:
    """Open claims past their due date, or with no progress for WISH_STALE_DAYS."""
    now = timezone.now()
    today = today or timezone.localdate()
    stale = now - datetime.timedelta(days=settings.WISH_STALE_DAYS)
    return (
        Claim.objects.filter(wish__community__in=communities, state__in=Claim.OPEN_STATES)
        .filter(
            Q(due_date__lt=today)
            | Q(state=Claim.State.ACTIVE, accepted_at__lt=stale)
            | Q(state=Claim.State.OFFERED, created_at__lt=stale)
        )
        .select_related("wish", "wish__community", "wish__grid", "volunteer", "organisation")
        .order_by("due_date", "accepted_at", "created_at")
    )


@dataclass
class SweepReport:
    released: list[int] = field(default_factory=list)
    declined: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    awaiting_confirmation: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    held_photos_removed: int = 0
    tally_rows: int = 0
    rollup_rows: int = 0


def sweep(now: datetime.datetime | None = None) -> SweepReport:
    """Release untouched claims, withdraw unanswered dispatches, escalate long-waiting wishes.

    Every action goes through the life-cycle methods as the system (by=None), so each lands in
    the timeline and sends its notices. Safe to run repeatedly: what was done is not redone.
    """
    now = now or timezone.now()
    report = SweepReport()
    release_before = now - datetime.timedelta(days=settings.WISH_AUTO_RELEASE_DAYS)
    escalate_before = now - datetime.timedelta(days=settings.WISH_ESCALATE_DAYS)
    days = settings.WISH_AUTO_RELEASE_DAYS

    stale_claims = Claim.objects.filter(
        state=Claim.State.ACTIVE, accepted_at__lt=release_before, wish__status=Status.CLAIMED
    ).filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=release_before))
    for claim in stale_claims.select_related("wish"):
        _run(
            report.released,
            report,
            claim.wish,
            lambda w: w.release(
                by=None,
                reason=_("认领超过%(days)d天没有进展，系统自动释放。") % {"days": days},
                reason_code="auto_release",
            ),
        )

    unanswered = Claim.objects.filter(
        state=Claim.State.OFFERED, created_at__lt=release_before, wish__status=Status.DISPATCHED
    )
    for claim in unanswered.select_related("wish"):
        _run(
            report.declined,
            report,
            claim.wish,
            lambda w: w.decline(
                by=None,
                reason=_("派单超过%(days)d天无人接单，系统自动退回。") % {"days": days},
                reason_code="auto_decline",
            ),
        )

    # Waiting counts from when the wish last became free (published, released or declined).
    waiting = (
        Wish.objects.filter(status=Status.APPROVED, escalated_at__isnull=True)
        .annotate(free_since=Max("events__created_at", filter=Q(events__to_status=Status.APPROVED)))
        .filter(free_since__lt=escalate_before)
        .select_related("community")
    )
    for wish in waiting:
        _run(report.escalated, report, wish, lambda w: w.escalate(by=None))

    # Fulfilled but not confirmed for a while: staff are asked to confirm for the resident or
    # visit, once per wish.
    confirm_before = now - datetime.timedelta(days=settings.WISH_CONFIRM_REMIND_DAYS)
    unconfirmed = (
        Wish.objects.filter(status=Status.FULFILLED, fulfilled_at__lt=confirm_before)
        .exclude(notices__kind="awaiting_confirmation")
        .select_related("community", "grid", "resident")
    )
    for wish in unconfirmed:
        notify(
            "awaiting_confirmation",
            staff_of(wish),
            wish=wish,
            days=(now - wish.fulfilled_at).days,
        )
        report.awaiting_confirmation.append(wish.pk)

    # Photos held for a form nobody sent again (wishes/held_photos.py) go after a day.
    report.held_photos_removed = HeldPhoto.objects.stale().discard()
    # The wish tally's rows of the last hour are folded into one per key (wishes/tallies.py).
    report.tally_rows = tallies.compact()
    # …and so are the statistics' rollup's (outcomes/rollup.py).
    from outcomes import rollup

    rollup.install()  # its triggers, should anything have left them off (a killed seed_demo)
    report.rollup_rows = rollup.compact()
    return report


def _run(done: list[int], report: SweepReport, wish: Wish, move) -> None:
    try:
        move(wish)
    except WishError as error:  # someone acted on it meanwhile: leave it to them
        report.skipped.append(f"{wish.pk}: {error}")
        logger.info("sweep skipped wish %s: %s", wish.pk, error)
    else:
        done.append(wish.pk)
