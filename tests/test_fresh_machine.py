"""`make run` on a fresh machine: every migration applies to a new SQLite database (the suite
itself runs on PostgreSQL in CI, where SQL that SQLite refuses would pass unnoticed)."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings


def test_every_migration_applies_to_a_fresh_sqlite_database_as_make_run_does(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "DEBUG": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # manage.py's own settings, as make run uses
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
