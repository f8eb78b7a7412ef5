"""Version numbers for cached fragments: a page fragment is cached under the versions of the
data it shows, and any change to that data bumps the version, so a cached fragment is never
stale — it is simply never asked for again and expires.

Kept in the cache (Redis in production, so every worker sees the same number). If the cache
forgets a version, it starts again from a fresh random number, never from an old one.
"""

from __future__ import annotations

from django.core.cache import cache

from config import generations, read_ahead

PREFIX = "version:"
# The filters' choices: communities, grids and categories.
CHOICES = "choices"
# What the 心愿清单's cards show: wishes, and the names of their residents.
LIST = "wish-list"
# What a wish's own page shows: the wish, its resident, claims, timeline, photos, follow-ups and
# hand-over events, and the names of places, categories and organisations on it.
WISHES = "wish-pages"
# What the statistics count: wishes, claims, service hours, volunteers and organisations.
FIGURES = "figures"


def versions(*names: str) -> dict[str, int]:
    """Several versions in one round trip to the cache."""
    return versions_and(names)[0]


def versions_and(names, key: str | None = None) -> tuple[dict[str, int], object]:
    """Several versions and, in the same round trip, whatever the cache holds under `key`."""
    keys = [PREFIX + name for name in names]
    found = read_ahead.get_many(keys if key is None else [*keys, key])
    current = {
        name: found[PREFIX + name] if PREFIX + name in found else version(name) for name in names
    }
    return current, found.get(key) if key is not None else None


def version(name: str) -> int:
    return generations.current(PREFIX + name)


def bump(*names: str) -> None:
    """New versions now, and again once the transaction commits (config/generations.py): a
    page rendered in between from the old rows must not be cached under the new number."""
    generations.move_on([PREFIX + name for name in names])


def remembered(key: str, depends_on: str, compute, timeout: int = 3600):
    """compute(), kept in the cache until the version it depends on changes."""
    full_key = f"remembered:{key}:{version(depends_on)}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, timeout)
    return value


def bump_choices(**_kwargs) -> None:
    # Names of categories, communities and grids also show on the list's cards and reports.
    bump(CHOICES, LIST, WISHES, FIGURES)


def bump_list(**_kwargs) -> None:
    bump(LIST, WISHES, FIGURES)


def bump_wishes(**_kwargs) -> None:
    bump(WISHES)


def bump_figures(**_kwargs) -> None:
    bump(FIGURES)
