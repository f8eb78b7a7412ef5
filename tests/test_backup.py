"""Backups restore: scripts/backup.sh dumps a seeded database and its photos, scripts/restore.sh
brings both back into a new database, and every table, index, sequence and photo is the same."""

import hashlib
import os
import re
import shutil
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings
from django.db import connection
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="pg_dump and pg_restore back up PostgreSQL; run with DATABASE_URL=postgres://…",
    ),
]

# The seed has no photos: give a few wishes and the hand-over event some, through the models.
ADD_PHOTOS = """
from io import BytesIO
from django.core.files.base import ContentFile
from PIL import Image
from wishes.models import EventPhoto, HandoverEvent, Wish, WishPhoto

def jpeg(colour):
    out = BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return ContentFile(out.getvalue(), name="photo.jpg")

for wish, colour in zip(Wish.objects.order_by("pk"), ["red", "green", "blue"]):
    WishPhoto.objects.create(wish=wish, kind=WishPhoto.Kind.REQUEST, image=jpeg(colour))
EventPhoto.objects.create(event=HandoverEvent.objects.earliest("pk"), image=jpeg("white"))
"""
PHOTOS = 4

# Everything about the schema a restore must bring back besides the rows: columns, indexes (the
# partial unique one that allows one open claim per wish among them), constraints, triggers and
# their functions (append-only history), extensions, and where each sequence stands, so that the
# next insert does not collide with a restored row.
SCHEMA = """
SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' '
       || is_nullable || ' ' || is_identity || ' ' || coalesce(column_default, '')
  FROM information_schema.columns WHERE table_schema = 'public'
UNION ALL
SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
UNION ALL
SELECT 'constraint ' || conrelid::regclass || '.' || conname || ' ' || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = 'public'::regnamespace
UNION ALL
SELECT 'sequence ' || sequencename || ' ' || coalesce(last_value::text, 'unused')
  FROM pg_sequences WHERE schemaname = 'public'
UNION ALL
SELECT 'trigger ' || tgrelid::regclass || '.' || tgname || ' ' || pg_get_triggerdef(oid)
  FROM pg_trigger WHERE NOT tgisinternal
UNION ALL
SELECT 'function ' || oid::regprocedure || ' ' || md5(prosrc)
  FROM pg_proc WHERE pronamespace = 'public'::regnamespace
UNION ALL
SELECT 'extension ' || extname FROM pg_extension
ORDER BY 1
"""
# PostgreSQL reads `x = ANY ((ARRAY['a'::varchar])::text[])` back as
# `x = ANY (ARRAY[('a'::varchar)::text])`: the same predicate, the casts elsewhere. Compare
# definitions without casts and parentheses; a lost index or constraint is still a missing line.
CASTS_AND_PARENTHESES = re.compile(r"::(?:character varying|[a-z]+)(?:\[\])?|[()]")


@dataclass
class Copy:
    database: str
    media: Path
    dump: Path | None = None


def connect(name: str):
    db = settings.DATABASES["default"]
    return closing(
        psycopg2.connect(
            dbname=name,
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            user=db["USER"] or None,
            password=db["PASSWORD"] or None,
        )
    )


def url(name: str) -> str:
    """The DATABASE_URL of `name` on the server the tests use (CI's, or yours)."""
    db = settings.DATABASES["default"]
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth + '@' if auth else ''}{quote(db['HOST'] or '', safe='')}{port}/{name}"


def run(*args, on: Copy) -> subprocess.CompletedProcess:
    """Run a script or manage.py as production would: real settings, files on disk."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "DATABASE_URL": url(on.database),
        "MEDIA_ROOT": str(on.media),
    }
    return subprocess.run(
        [str(arg) for arg in args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def ok(*args, on: Copy) -> subprocess.CompletedProcess:
    result = run(*args, on=on)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


def tables(name: str) -> dict[str, tuple[int, str]]:
    """Every table in the public schema: its row count and an md5 of its rows in a fixed order."""
    with connect(name) as db, db.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        found = {}
        for (table,) in cursor.fetchall():
            cursor.execute(
                sql.SQL(
                    "SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), ''))"
                    " FROM {} AS t"
                ).format(sql.Identifier(table))
            )
            found[table] = cursor.fetchone()
        return found


def schema(name: str) -> list[str]:
    with connect(name) as db, db.cursor() as cursor:
        cursor.execute(SCHEMA)
        return [CASTS_AND_PARENTHESES.sub("", line) for (line,) in cursor.fetchall()]


def files(media: Path) -> dict[str, str]:
    return {
        str(path.relative_to(media)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(media.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def new_database():
    """`new_database(suffix)` creates an empty database; each is dropped after the module."""
    made = []

    def admin(statement: sql.Composable) -> None:
        with connect("postgres") as db:
            db.autocommit = True
            with db.cursor() as cursor:
                cursor.execute(statement)

    def create(suffix: str) -> str:
        name = f"microwish_backup_{os.getpid()}_{suffix}"
        admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        made.append(name)
        return name

    yield create
    for name in made:
        admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="module")
def source(new_database, tmp_path_factory) -> Copy:
    """The demo data with photos, backed up by scripts/backup.sh."""
    source = Copy(new_database("source"), tmp_path_factory.mktemp("source-media"))
    ok(sys.executable, "manage.py", "migrate", "--noinput", on=source)
    ok(sys.executable, "manage.py", "seed_demo", on=source)
    ok(sys.executable, "manage.py", "shell", "--command", ADD_PHOTOS, on=source)
    backups = tmp_path_factory.mktemp("backups")
    source.dump = Path(ok(SCRIPTS / "backup.sh", backups, on=source).stdout.strip())
    return source


@pytest.fixture(scope="module")
def restored(source, new_database, tmp_path_factory) -> Copy:
    """A new database and media folder, filled by scripts/restore.sh from the backup."""
    restored = Copy(new_database("restored"), tmp_path_factory.mktemp("restored-media"))
    ok(SCRIPTS / "restore.sh", source.dump, on=restored)
    return restored


def test_every_table_comes_back_with_the_same_rows(source, restored):
    before, after = tables(source.database), tables(restored.database)
    print(f"{len(before)} tables, {sum(rows for rows, _ in before.values())} rows compared")
    assert before["wishes_wish"][0] > 0 and before["wishes_wishphoto"][0] > 0
    assert after == before


def test_columns_indexes_constraints_triggers_and_sequences_come_back(source, restored):
    assert schema(restored.database) == schema(source.database)


def test_every_photo_comes_back_byte_for_byte(source, restored):
    before = files(source.media)
    assert len(before) == PHOTOS
    assert files(restored.media) == before


def test_verify_restore_passes_the_restored_copy(restored):
    result = run(sys.executable, SCRIPTS / "verify_restore.py", on=restored)
    assert result.returncode == 0, result.stderr
    assert f"{PHOTOS} files named by them" in result.stdout


def test_verify_restore_names_a_photo_that_did_not_come_back(restored, tmp_path):
    media = tmp_path / "media"
    shutil.copytree(restored.media, media)
    lost = next(path for path in sorted(media.rglob("*")) if path.is_file())
    lost.unlink()
    result = run(sys.executable, SCRIPTS / "verify_restore.py", on=Copy(restored.database, media))
    assert result.returncode == 1
    assert str(lost.relative_to(media)) in result.stderr


def test_restore_refuses_a_database_that_is_not_empty(source, tmp_path):
    result = run(SCRIPTS / "restore.sh", source.dump, on=Copy(source.database, tmp_path))
    assert result.returncode == 1
    assert "restore into a new, empty one" in result.stderr
