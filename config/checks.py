"""System checks for a production deployment (`manage.py check --deploy`)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

PER_PROCESS = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """The version numbers that keep cached pages fresh (wishes/versions.py), login throttling
    and the pages kept whole must be shared by every worker: a cache per process would serve a
    page that another worker's change has made stale."""
    if settings.CACHES["default"]["BACKEND"] not in PER_PROCESS:
        return []
    return [
        checks.Warning(
            "The default cache is kept per process.",
            hint="Set REDIS_URL so that every worker shares one cache.",
            id="microwish.W001",
        )
    ]


@checks.register(checks.Tags.caches)
def identity_kept_needs_a_shared_cache(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Who is asking is kept in the cache only while every worker sees the same numbers
    (accounts/identity_kept.py): with a cache per process, a role taken away through one
    worker would still count in the others for IDENTITY_KEPT_SECONDS. Development runs one
    process, so only production is refused."""
    if (
        not settings.IDENTITY_KEPT
        or settings.DEBUG
        or settings.CACHES["default"]["BACKEND"] not in PER_PROCESS
    ):
        return []
    return [
        checks.Error(
            "IDENTITY_KEPT is on, but the default cache is kept per process.",
            hint="Set REDIS_URL (a cache every worker shares), or IDENTITY_KEPT=0.",
            id="microwish.E001",
        )
    ]
