#!/usr/bin/env python
"""Check a restored 微心愿: every migration applied, and every photo a row names is on disk.

    DATABASE_URL=postgres://…/microwish_restored MEDIA_ROOT=/srv/restored/media \
        python scripts/verify_restore.py

Prints the rows per table (compare them with production's) and exits 1 on any problem.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.apps import apps  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402
from django.db.models import FileField  # noqa: E402

# Photos held for a form nobody sent again are swept every hour: one swept between the dump and
# the photo archive is no loss.
TRANSIENT = {"wishes.HeldPhoto"}


def main() -> int:
    problems = []
    executor = MigrationExecutor(connection)
    unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if unapplied:
        problems.append(f"{len(unapplied)} migrations not applied, from {unapplied[0][0]}")

    rows = files = 0
    existing = set(connection.introspection.table_names())
    for model in sorted(apps.get_models(), key=lambda m: m._meta.db_table):
        if model._meta.proxy or not model._meta.managed:
            continue
        if model._meta.db_table not in existing:
            problems.append(f"{model._meta.label}: no table {model._meta.db_table}")
            continue
        records = model._base_manager.all()
        count = records.count()
        rows += count
        print(f"{model._meta.db_table:40} {count:8}")
        if model._meta.label in TRANSIENT:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, FileField):
                continue
            for name in records.values_list(field.name, flat=True):
                files += bool(name)
                if name and not field.storage.exists(name):
                    problems.append(f"{model._meta.label}.{field.name}: no file {name}")

    print(f"{rows} rows, {files} files named by them.")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
