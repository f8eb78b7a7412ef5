"""Numbers in the cache that move on when data changes, so that whatever was kept under the old
number is never served again: the versions of the data on cached pages (wishes/versions.py)
and who is asking (accounts/identity_kept.py).

A number moves on at once, and again once the transaction commits: a reader in between may
have read the old rows and kept them under the number of the moment, and the second move
leaves that behind. Every number a transaction moves goes in one round trip at its commit,
and each move at once is one round trip however many numbers it names (a claim moves a dozen:
it was two round trips each, a fifth of the time the claim took).

If the cache has forgotten a number, it starts again from a fresh random one, never from an
old one.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

from . import read_ahead

PENDING = "_generations_on_commit"


def fresh() -> int:
    return secrets.randbelow(2**62)


def current(key: str) -> int:
    """The number under `key`, started at a fresh one (kept for good) if there is none."""
    number = cache.get(key)
    if number is None:
        number = fresh()
        if not cache.add(key, number, timeout=None):
            number = cache.get(key, number)
    return number


def current_many(keys: list[str]) -> dict[str, int]:
    """current() of several keys, in one round trip on Redis."""
    many = getattr(cache, "start_many", None)
    if many is not None:
        return many(keys, fresh)
    return {key: current(key) for key in keys}


def move_on(keys: Iterable[str], using: str = "default") -> None:
    keys = list(dict.fromkeys(keys))
    if not keys:
        return
    read_ahead.forget()  # what this request read of them before is old now
    incr(keys)
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        return  # the write this follows is committed already
    pending = connection.__dict__.setdefault(PENDING, set())
    pending.update(keys)
    # One callback per move, but the first to run takes every number pending: a callback
    # dropped with a savepoint rolled back leaves its numbers to the others (or to the next
    # commit: a number moved once too often costs nothing).
    transaction.on_commit(lambda: _flush(connection), using=using)


def _flush(connection) -> None:
    pending = connection.__dict__.pop(PENDING, None)
    if pending:
        incr(sorted(pending))


def incr(keys: list[str]) -> None:
    """Each number one on, or a fresh one where there was none: one round trip on Redis."""
    many = getattr(cache, "incr_or_start_many", None)
    if many is not None:
        many(keys, fresh)
        return
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:  # not there: any fresh number differs from what was kept under it
            cache.set(key, fresh(), timeout=None)
