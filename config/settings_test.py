"""Test-only speed-ups on top of the real settings."""

import os

# The settings fail closed without an environment; tests run as development does.
os.environ.setdefault("DEBUG", "1")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TASKS = {
    "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
    # The production worker's backend, for the tests that run it end to end.
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
SITE_URL = "http://testserver"
# As production with REDIS_URL (the cache here is per process): sessions read from the cache.
SESSION_ENGINE = "accounts.session_store"
SMS_BACKEND = "notices.channels.LocmemSmsBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Serve static files from the app folders without collectstatic, as in development.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
