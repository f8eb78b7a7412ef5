"""Delivering notices in the background (django.tasks; the django-tasks-db worker in
production, run at once in development and tests).

A delivery that fails is tried again later with growing pauses; after the last try it is
marked failed, with the error, for superusers to see in the admin. Each try is its own task,
so a failed attempt also shows in the task results.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import models, transaction
from django.tasks import default_task_backend, task
from django.utils import timezone

from .channels import CHANNELS
from .models import Delivery

logger = logging.getLogger(__name__)

# Minutes to wait before each further try: 1, 5, 30 minutes, 2 and 6 hours.
BACKOFF_MINUTES = (1, 5, 30, 120, 360)


class DeliveryFailed(Exception):
    """A channel could not send; the delivery has been scheduled again or given up."""


@task
def deliver(delivery_id: int) -> str:
    failure: Exception | None = None
    with transaction.atomic():
        # The row lock keeps two workers from sending the same delivery twice.
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("notice__user", "notice__wish", "digest__user")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != Delivery.Status.PENDING:
            return "nothing to do"  # sent meanwhile, given up, or its notice deleted
        delivery.attempts += 1
        try:
            CHANNELS[delivery.channel].send(delivery)
        except Exception as error:
            failure = error
            delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
            retry_at = _schedule_retry(delivery)
            if retry_at is not None:
                transaction.on_commit(lambda: _enqueue_at(delivery.pk, retry_at))
        else:
            delivery.status = Delivery.Status.SENT
            delivery.sent_at = timezone.now()
            delivery.next_attempt_at = None
            delivery.last_error = ""
        delivery.save()
    if failure is not None:
        logger.warning(
            "delivery %s by %s failed (try %s): %s",
            delivery.pk,
            delivery.channel,
            delivery.attempts,
            delivery.last_error,
        )
        # Raised after the bookkeeping committed, so the task result shows the failure too.
        raise DeliveryFailed(delivery.last_error) from failure
    return "sent"


@task
def tell_resident(kind: str, wish_id: int, actor_id: int | None, params: dict[str, str]) -> str:
    """The notices of a move for the person its wish is for (service.notify_resident)."""
    from accounts.models import User
    from wishes.models import Wish

    from . import service

    wish = (
        Wish.objects.select_related("resident__user", "entered_by", "community")
        .filter(pk=wish_id)
        .first()
    )
    if wish is None:
        return "nothing to do"  # erased meanwhile
    actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None
    with transaction.atomic():  # the notices and their deliveries, all or none
        service.tell_resident(kind, wish, actor=actor, **params)
    return "told"


def _schedule_retry(delivery: Delivery) -> datetime.datetime | None:
    """When to try again (None: give up, or the backend cannot wait — `retry_notices` will)."""
    if delivery.attempts >= settings.NOTICE_MAX_ATTEMPTS:
        delivery.status = Delivery.Status.FAILED
        delivery.next_attempt_at = None
        return None
    pause = BACKOFF_MINUTES[min(delivery.attempts, len(BACKOFF_MINUTES)) - 1]
    delivery.next_attempt_at = timezone.now() + datetime.timedelta(minutes=pause)
    return delivery.next_attempt_at if default_task_backend.supports_defer else None


def _enqueue_at(delivery_id: int, when: datetime.datetime) -> None:
    deliver.using(run_after=when).enqueue(delivery_id)


def retry_due(now: datetime.datetime | None = None) -> int:
    """Hand the deliveries whose pause is over to the worker again (for backends that cannot
    wait, such as running tasks at once in development)."""
    now = now or timezone.now()
    # Also first tries that never reached the worker (the process stopped right after commit).
    lost = now - datetime.timedelta(minutes=10)
    due = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING)
        .filter(
            models.Q(next_attempt_at__lte=now)
            | models.Q(next_attempt_at__isnull=True, created_at__lte=lost)
        )
        .values_list("pk", flat=True)
    )
    for delivery_id in due:
        deliver.enqueue(delivery_id)
    return len(due)
