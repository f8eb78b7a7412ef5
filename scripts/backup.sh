#!/usr/bin/env bash
# Back up 微心愿: the database (pg_dump custom format) and the uploaded photos (MEDIA_ROOT), as a
# pair of files named for the moment, in BACKUP_DIR; pairs older than KEEP_DAYS are removed.
#   DATABASE_URL=postgres://… MEDIA_ROOT=/srv/microwish/media scripts/backup.sh /var/backups/microwish
# Prints the dump's path. Restore with scripts/restore.sh (README → Backups).
set -euo pipefail

: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
source "$(dirname "$0")/pgpassword.sh"
backup_dir="${1:?usage: scripts/backup.sh BACKUP_DIR}"
media_root="${MEDIA_ROOT:-$(cd "$(dirname "$0")/.." && pwd)/media}"
keep_days="${KEEP_DAYS:-14}"
name="microwish-$(date +%Y%m%d-%H%M%S)"

# Residents' personal data: the files are for the backup user's eyes only.
umask 077
mkdir -p "$backup_dir" "$media_root"

# The database first, then the photos: every photo the dump names is already on disk when the
# archive starts (one uploaded in between is only an extra file). Each file gets its final name
# only once it is whole, so a crash never leaves something that looks like a backup.
pg_dump --format=custom --dbname="$DATABASE_URL" --file="$backup_dir/$name.dump.part"
pg_restore --list "$backup_dir/$name.dump.part" >/dev/null # a readable, complete archive
tar --create --gzip --file="$backup_dir/$name.media.tar.gz.part" --directory="$media_root" .
mv "$backup_dir/$name.media.tar.gz.part" "$backup_dir/$name.media.tar.gz"
mv "$backup_dir/$name.dump.part" "$backup_dir/$name.dump"

find "$backup_dir" -maxdepth 1 -name 'microwish-*' -mtime +"$keep_days" -delete
echo "$backup_dir/$name.dump"
