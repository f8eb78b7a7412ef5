"""The one way to tell people something: `notify(kind, users, …)`.

It writes one notice per recipient (inside the caller's transaction, so a move that rolls back
tells nobody), and — after the transaction commits — hands the ones each person wants at once
to the task worker, one delivery per channel. Daily digests collect the rest
(`notices/digests.py`). The recipient's own view of a wish decides what a notice may say of it
(wishes/policy.py): a volunteer reads a title with typed phone numbers masked, the resident
reads it whole.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.db import transaction

from .messages import KINDS
from .models import Channels, Delivery, Notice, Preference

if TYPE_CHECKING:
    from accounts.models import User
    from wishes.models import Wish


# While set, notices are kept in the app only: the demo's past, told again, mails nobody.
_in_app_only = contextvars.ContextVar("notices_in_app_only", default=False)


@contextlib.contextmanager
def in_app_only() -> Iterator[None]:
    token = _in_app_only.set(True)
    try:
        yield
    finally:
        _in_app_only.reset(token)


def notify(
    kind: str,
    users: Iterable[User | None],
    *,
    wish: Wish | None = None,
    actor: User | None = None,
    free_text: Iterable[str] = (),
    **params: Any,
) -> list[Notice]:
    """Tell each of `users` (once, and not `actor`) about `kind` with these parameters.

    With `wish`, each notice carries the wish's title as that reader may read it; the
    parameters named in `free_text` (a reason, a remark) are masked for them the same way.
    """
    from wishes.models.moves import text_for
    from wishes.policy import title_for

    message = KINDS[kind]
    recipients = {
        user.pk: user
        for user in users
        if user is not None and user.is_active and (actor is None or user.pk != actor.pk)
    }
    if not recipients:
        return []
    modes = dict(
        Preference.objects.filter(user__in=recipients, kind=kind).values_list("user", "mode")
    )
    notices = []
    for user in recipients.values():
        mine = dict(params)
        if wish is not None:
            mine.setdefault("title", title_for(wish, user))
            for name in free_text:
                mine[name] = text_for(wish, user, mine.get(name, ""))
        notices.append(
            Notice(
                user=user,
                wish=wish,
                kind=kind,
                params=mine,
                mode=Notice.Mode.IN_APP
                if _in_app_only.get()
                else modes.get(user.pk, message.default_mode),
            )
        )
    Notice.objects.bulk_create(notices)
    deliveries = _deliveries([notice for notice in notices if notice.mode == Notice.Mode.NOW])
    if deliveries:
        ids = [delivery.pk for delivery in deliveries]
        transaction.on_commit(lambda: enqueue(ids))
    return notices


def channels_for(users: Iterable[User]) -> dict[int, list[tuple[str, str]]]:
    """(channel, address) pairs that reach each user besides the app."""
    users = list(users)
    chosen = {row.user_id: row for row in Channels.objects.filter(user__in=users)}
    reach = {}
    for user in users:
        choice = chosen.get(user.pk)
        by_email = choice.email if choice else True
        by_sms = choice.sms if choice else False
        reach[user.pk] = [
            *([(Delivery.Channel.EMAIL, user.email)] if by_email and user.email else []),
            *([(Delivery.Channel.SMS, user.phone)] if by_sms and user.phone else []),
        ]
    return reach


def _deliveries(notices: list[Notice]) -> list[Delivery]:
    if not notices:
        return []
    reach = channels_for(notice.user for notice in notices)
    deliveries = [
        Delivery(notice=notice, channel=channel, address=address)
        for notice in notices
        for channel, address in reach[notice.user_id]
    ]
    return Delivery.objects.bulk_create(deliveries)


def enqueue(delivery_ids: list[int]) -> None:
    from .tasks import deliver

    for delivery_id in delivery_ids:
        deliver.enqueue(delivery_id)


# ----- who hears of what ------------------------------------------------------------------------


def notify_resident(kind: str, wish: Wish, *, actor: User | None = None, **params: str) -> None:
    """Tell the person a wish is for (see `tell_resident`), through the task worker.

    Called inside a move's transaction: the task is enqueued there too (django-tasks-db
    writes it as a row of the same transaction, an outbox), so a move that rolls back tells
    nobody and one that commits is told once the worker takes it, a second later. The move
    itself, holding the wish's row lock, then writes one row instead of reading the resident,
    their preferences and channels and writing the notice and its deliveries — what made a
    won claim slow while everyone else's claim on the same wish waited for the lock.
    The demo's past (`in_app_only`) is told at once: the worker would not know it is past.
    """
    from .tasks import tell_resident as task

    params = {name: str(value) for name, value in params.items()}
    if _in_app_only.get():
        tell_resident(kind, wish, actor=actor, **params)
        return
    task.enqueue(kind, wish.pk, actor.pk if actor is not None else None, params)


def tell_resident(kind: str, wish: Wish, *, actor: User | None = None, **params: str) -> None:
    """Tell the person a wish is for; for a resident without a login (or a public-facility
    wish), the staff member who entered it — or, if they no longer work on it, the staff
    who do — reads it on the resident's behalf."""
    from wishes.policy import wishes

    resident = wish.resident
    if resident is not None and resident.user_id and resident.user.is_active:
        notify(kind, [resident.user], wish=wish, actor=actor, **params)
        return
    proxies = [wish.entered_by] if wish.entered_by_id else []
    proxies = [user for user in proxies if user.is_active and wishes.can_manage(user, wish)]
    if not proxies:
        proxies = staff_of(wish, whole=True)
    notify(
        kind,
        proxies,
        wish=wish,
        actor=actor,
        proxy=True,
        resident=resident.name if resident else str(wish.community),
        **params,
    )


def staff_of(wish: Wish, *, whole: bool = False) -> list[User]:
    """Staff who work on this wish: community staff of its community, and (unless `whole`) the
    grid worker of its grid. Street admins hear of escalations, not of every wish."""
    from accounts.models import StaffRole, User

    roles = StaffRole.objects.filter(
        community=wish.community_id, role=StaffRole.Role.COMMUNITY_STAFF
    )
    if not whole and wish.grid_id:
        roles = roles | StaffRole.objects.filter(
            grid=wish.grid_id, community=wish.community_id, role=StaffRole.Role.GRID_WORKER
        )
    return list(User.objects.filter(is_active=True, pk__in=roles.values("user")).order_by("pk"))
