"""The daily digest: what each person chose to hear of once a day, in one message.

`send_digests()` (run by `manage.py send_digests`, e.g. from cron at 18:00) makes at most one
digest per person per day: run twice on the same day, the second run finds it made and sends
nothing. Notices arriving after today's digest wait for tomorrow's.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Digest, Notice
from .service import channels_for, enqueue


def send_digests(now: datetime.datetime | None = None) -> int:
    """Make and send today's digests; the number made."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    waiting = (
        Notice.objects.filter(mode=Notice.Mode.DIGEST, digest__isnull=True, created_at__lte=now)
        .values_list("user", flat=True)
        .distinct()
    )
    made = 0
    for user_id in list(waiting):
        made += _digest_for(user_id, today, now)
    return made


def _digest_for(user_id: int, today: datetime.date, now: datetime.datetime) -> int:
    from accounts.models import User

    from .models import Delivery

    try:
        with transaction.atomic():
            digest = Digest.objects.create(user_id=user_id, day=today, created_at=now)
            Notice.objects.filter(
                user=user_id, mode=Notice.Mode.DIGEST, digest__isnull=True, created_at__lte=now
            ).update(digest=digest)
            user = User.objects.get(pk=user_id)
            deliveries = Delivery.objects.bulk_create(
                [
                    Delivery(digest=digest, channel=channel, address=address)
                    for channel, address in channels_for([user])[user.pk]
                ]
            )
            ids = [delivery.pk for delivery in deliveries]
            if ids:
                transaction.on_commit(lambda: enqueue(ids))
    except IntegrityError:
        return 0  # today's digest was already made (by an earlier run, or a parallel one)
    return 1
