#!/usr/bin/env bash
# A stand-in for the official postgres image's /usr/local/bin/docker-ensure-initdb.sh (added by
# docker-library/postgres#1150), written for the tests from its documented behaviour: on an empty
# PGDATA it does what the image's entrypoint does before it starts the server, and nothing on an
# initialized one. Used by the replication drills (test/engines/postgres-replication-real.test.ts)
# with the machine's PostgreSQL binaries, as test/util/postgres-server.ts replays the entrypoint.
#
# Arguments: the server's (`postgres -c ...`), as the image's script takes them.
# - the password from POSTGRES_PASSWORD_FILE (trailing newlines stripped, as `$(< file)` does);
# - PGDATA created, mode 0700; initdb --username="$POSTGRES_USER" with the password;
# - `host all all all <password_encryption>` appended to pg_hba.conf;
# - a temporary server on the Unix socket only (the args, listen_addresses='', -p $PGPORT);
# - POSTGRES_DB created unless it exists; the *.sql files of /docker-entrypoint-initdb.d are
#   not run (the drills have none);
# - the temporary server stopped (fast).
set -Eeuo pipefail
if [ "$#" -gt 0 ] && [ "$1" = postgres ]; then shift; fi
if [ -s "$PGDATA/PG_VERSION" ]; then
  echo "docker-ensure-initdb.sh: note: database already initialized in '$PGDATA'!" >&2
  exit 0
fi
password="$(< "$POSTGRES_PASSWORD_FILE")"
mkdir -p "$PGDATA"
chmod 00700 "$PGDATA"
initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$password") >/dev/null
auth="$(postgres -C password_encryption "$@")"
printf '\nhost all all all %s\n' "$auth" >> "$PGDATA/pg_hba.conf"
pg_ctl -D "$PGDATA" -o "$(printf '%q ' "$@") -c listen_addresses='' -p ${PGPORT:-5432}" -w start
export PGPASSWORD="$password"
exists=$(psql -X -At -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --dbname postgres --set db="$POSTGRES_DB" <<'SQL'
SELECT 1 FROM pg_database WHERE datname = :'db' ;
SQL
)
if [ -z "$exists" ]; then
  psql -X -q -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --dbname postgres --set db="$POSTGRES_DB" <<'SQL'
CREATE DATABASE :"db" ;
SQL
fi
pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
echo "docker-ensure-initdb.sh: initialized '$PGDATA'"
