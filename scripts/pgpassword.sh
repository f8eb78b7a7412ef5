# Sourced by backup.sh and restore.sh. A password inside DATABASE_URL would show in `ps` to
# every user of the machine while pg_dump runs: move it to PGPASSWORD, which only we can read.
if [[ $DATABASE_URL =~ ^([a-z]+://[^:/@]*):([^@]*)@(.*)$ ]]; then
  password="${BASH_REMATCH[2]//\\/\\\\}"   # printf %b below: a backslash is itself…
  PGPASSWORD="$(printf '%b' "${password//%/\\x}")"   # …and %40 is @
  export PGPASSWORD
  DATABASE_URL="${BASH_REMATCH[1]}@${BASH_REMATCH[3]}"
  unset password
fi
