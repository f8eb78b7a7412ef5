#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database, and its photos into MEDIA_ROOT.
#   createdb microwish_restored
#   DATABASE_URL=postgres://…/microwish_restored MEDIA_ROOT=/srv/restored/media \
#     scripts/restore.sh /var/backups/microwish/microwish-20250101-023000.dump
# The photos come from the .media.tar.gz beside the dump unless a second argument names one.
# Then check it: python scripts/verify_restore.py (README → Backups).
set -euo pipefail

: "${DATABASE_URL:?set DATABASE_URL to the empty database to restore into}"
source "$(dirname "$0")/pgpassword.sh"
dump="${1:?usage: scripts/restore.sh BACKUP.dump [BACKUP.media.tar.gz]}"
media="${2:-${dump%.dump}.media.tar.gz}"
media_root="${MEDIA_ROOT:-$(cd "$(dirname "$0")/.." && pwd)/media}"

[ -f "$media" ] || { echo "No photo archive at $media." >&2; exit 1; }
tables="$(psql --dbname="$DATABASE_URL" --no-psqlrc --tuples-only --no-align \
  --command="SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
if [ "$tables" != 0 ]; then
  echo "The database already has $tables tables: restore into a new, empty one (createdb)." >&2
  exit 1
fi

# One transaction that stops at the first error: the restore completes or leaves nothing.
# Objects belong to whoever restores, since the old server's role may not exist on this one.
pg_restore --single-transaction --exit-on-error --no-owner --no-privileges \
  --dbname="$DATABASE_URL" "$dump"
mkdir -p "$media_root"
tar --extract --gzip --file="$media" --directory="$media_root"
echo "Restored $dump and $(tar --list --gzip --file="$media" | grep -vc '/$') photo files."
