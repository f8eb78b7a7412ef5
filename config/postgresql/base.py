"""Django's PostgreSQL backend, with its health check asked only of a connection that has been
quiet a while.

With CONN_HEALTH_CHECKS Django sends `SELECT 1` before the first query of every request, to
find a connection the server dropped (a restart, an idle timeout) before a page fails on it.
Under load that is a round trip per request for nothing: the same connection answered a few
milliseconds ago. Here the check is skipped while the connection's last cursor is younger than
QUIET_SECONDS; after a quiet spell it is asked as before. A connection that failed mid-request
is checked at the request's end by Django itself (`errors_occurred`), whatever its age.
"""

from __future__ import annotations

import time

from django.db.backends.postgresql import base

QUIET_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    used_at = float("-inf")

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and not self.health_check_done
            and time.monotonic() - self.used_at < QUIET_SECONDS
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _cursor(self, name=None):
        cursor = super()._cursor(name)
        self.used_at = time.monotonic()
        return cursor
