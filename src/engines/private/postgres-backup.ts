/**
 * The engine's part of the `Postgres` preset's logical backups and restores: the `sh` scripts
 * `LogicalBackup` and `LogicalRestore` run in the server's own image (so `pg_dump`, `pg_restore`
 * and `psql` are the server's version). See `LogicalDumpCommand.script` for the contract.
 *
 * TLS: when the store serves TLS (`tls`), libpq verifies the server's certificate and host name
 * (`sslmode=verify-full`) against the CA the connection mounts (`$STORE_CA_FILE`).
 *
 * Credentials: the superuser's name and password are files of the credentials Secret, mounted at
 * `$PG_CREDENTIALS` (never environment variables or arguments). The scripts write a private
 * `pgpass` file (mode 0600, in a `mktemp -d` directory under /tmp) for libpq; the password reaches
 * it through a pipe, never as an argument.
 *
 * The store's identity marker: a setting of the `postgres` database,
 * `cdk8s_stateful.store = '<namespace>/<statefulset>'` (`ALTER DATABASE ... SET`: no table, no
 * object of the application's), which a backup writes when it is missing and both refuse when it
 * names another store. A restore records the dump it restored as the restored database's setting
 * `cdk8s_stateful.restored_from = '<namespace>/<statefulset>@<dump>'`.
 *
 * Checked against Debian's PostgreSQL 15 by test/engines/postgres-backup-real.test.ts.
 */

/** The files of one backup: the database (`pg_dump -Fc`) and the roles (`pg_dumpall --globals-only`). */
export const POSTGRES_BACKUP_FILES = ['database.pgdump', 'globals.sql'];
/** Where the Jobs mount the credentials Secret (its user name and password as files). */
export const POSTGRES_BACKUP_CREDENTIALS = '/run/secrets/postgres-backup';
/** The environment variable naming that directory. */
export const POSTGRES_CREDENTIALS_ENV = 'PG_CREDENTIALS';
/** The setting of the `postgres` database holding the store's identity. */
export const POSTGRES_STORE_SETTING = 'cdk8s_stateful.store';
/** The setting of a restored database holding the dump restored into it. */
export const POSTGRES_RESTORED_SETTING = 'cdk8s_stateful.restored_from';

/** libpq's environment from the mounted credentials and the connection: the start of both scripts. */
function credentialLines(application: string, tls: boolean): string[] {
  return [
    '# the superuser from the files of the credentials Secret; libpq reads the password from a private pgpass file',
    `user=$(cat "$${POSTGRES_CREDENTIALS_ENV}/username")`,
    `password=$(cat "$${POSTGRES_CREDENTIALS_ENV}/password")`,
    'private=$(mktemp -d)',
    'trap \'rm -rf "$private"\' EXIT',
    // pgpass escapes '\' and ':'; printf is a shell builtin: the password is never an argument
    'printf \'*:*:*:*:%s\\n\' "$(printf \'%s\' "$password" | sed -e \'s/\\\\/\\\\\\\\/g\' -e \'s/:/\\\\:/g\')" > "$private/pgpass"',
    'unset password',
    'PGUSER="$user" PGPASSFILE="$private/pgpass" PGHOST="$STORE_HOST" PGPORT="$STORE_PORT"',
    `PGCONNECT_TIMEOUT=10 PGAPPNAME=${application} PGOPTIONS=\'-c client_min_messages=warning\'`,
    'export PGUSER PGPASSFILE PGHOST PGPORT PGCONNECT_TIMEOUT PGAPPNAME PGOPTIONS',
    // the server's TLS: the chain and the host name checked against the connection's CA
    ...tls ? ['PGSSLMODE=verify-full PGSSLROOTCERT="$STORE_CA_FILE"', 'export PGSSLMODE PGSSLROOTCERT'] : [],
    'sql() { psql -X -w -q -v ON_ERROR_STOP=1 -At "$@"; }',
    // a setting of a database: `setting <database> <name>`
    'setting() {',
    '  printf \'%s\\n\' "SELECT split_part(s, \'=\', 2) FROM pg_db_role_setting r JOIN pg_database d ON d.oid = r.setdatabase, unnest(r.setconfig) s'
    + ' WHERE d.datname = :\'db\' AND r.setrole = 0 AND starts_with(s, :\'name\' || \'=\');" | sql -d postgres -v db="$1" -v name="$2"',
    '}',
  ];
}

/**
 * The backup: checks (or writes) the identity marker, then `pg_dump -Fc` of the database
 * (`$PGDATABASE`) into `database.pgdump` and `pg_dumpall --globals-only` (the roles, with their
 * password hashes; no tablespaces, which a pod's volumes do not have) into `globals.sql`.
 */
export function postgresBackupScript(tls = false): string {
  return [
    ...credentialLines('cdk8s-stateful-backup', tls),
    `marker=$(setting postgres ${POSTGRES_STORE_SETTING})`,
    'if [ -z "$marker" ]; then',
    `  if printf '%s\\n' "ALTER DATABASE postgres SET ${POSTGRES_STORE_SETTING} = :'id';" | sql -d postgres -v id="$STORE_ID"; then`,
    '    echo "backup: marked the server as the store $STORE_ID"',
    '  else',
    '    echo "backup: warning: could not mark the server as the store $STORE_ID" >&2',
    '  fi',
    'elif [ "$marker" != "$STORE_ID" ]; then',
    '  echo "backup: the server at $PGHOST:$PGPORT is the store $marker, not $STORE_ID: refusing to file its dump under $STORE_ID" >&2',
    '  exit 1',
    'fi',
    'pg_dump -w -Fc --no-tablespaces -f "$BACKUP_DIR/database.pgdump" -d "$PGDATABASE"',
    'pg_dumpall -w --globals-only --no-tablespaces -l postgres -f "$BACKUP_DIR/globals.sql"',
    'echo "backup: dumped the database $PGDATABASE and the roles"',
  ].join('\n');
}

/** Counts what a database holds besides what a fresh one has: relations, functions, types, schemas and extensions. */
const OBJECTS_SQL = 'SELECT'
  + ' (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname <> \'information_schema\' AND n.nspname !~ \'^pg_\')'
  + ' + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname <> \'information_schema\' AND n.nspname !~ \'^pg_\')'
  + ' + (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname <> \'information_schema\' AND n.nspname !~ \'^pg_\''
  + ' AND t.typrelid = 0 AND t.typelem = 0)'
  + ' + (SELECT count(*) FROM pg_namespace WHERE nspname NOT IN (\'public\', \'information_schema\') AND nspname !~ \'^pg_\')'
  + ' + (SELECT count(*) FROM pg_extension WHERE extname <> \'plpgsql\')';

/**
 * The restore:
 * 1. waits (up to 5 minutes) for the server: with Argo CD the restore runs with the store;
 * 2. refuses a server marked as another store; does nothing when the database's marker says the
 *    dump was restored already;
 * 3. the database (`$PGDATABASE`): absent, or empty as the image creates it (dropped), or holding
 *    data: refused unless `REPLACE_EXISTING`, then renamed to `<database>_before_<time>` (kept);
 * 4. the roles of `globals.sql`, except the connecting superuser (its password is the Secret's):
 *    roles that exist are updated, not created again;
 * 5. the dump into `<database>_restoring` (created as the dump's database was: encoding, locale),
 *    with `pg_restore --exit-on-error`, then renamed to the database in one step, so clients never
 *    see half a database; the database's owner and settings from the dump after it;
 * 6. the markers: the restored dump on the database, the store's identity on `postgres`.
 * A failure drops what it created (`<database>_restoring`) and exits non-zero.
 */
export function postgresRestoreScript(tls = false): string {
  return [
    ...credentialLines('cdk8s-stateful-restore', tls),
    'db="$PGDATABASE"',
    'waited=0',
    'until pg_isready -q -t 5 -d postgres; do',
    '  waited=$((waited + 1))',
    '  [ "$waited" -lt 60 ] || { echo "restore: the server at $PGHOST:$PGPORT did not accept connections for 5 minutes" >&2; exit 1; }',
    '  sleep 5',
    'done',
    `marker=$(setting postgres ${POSTGRES_STORE_SETTING})`,
    'if [ -n "$marker" ] && [ "$marker" != "$STORE_ID" ]; then',
    '  echo "restore: the server at $PGHOST:$PGPORT is the store $marker, not $STORE_ID: refusing to restore into it" >&2',
    '  exit 1',
    'fi',
    `if [ "$(setting "$db" ${POSTGRES_RESTORED_SETTING})" = "$DUMP_ID" ]; then`,
    '  echo "restore: $DUMP_ID is restored in the database $db already: nothing to do"',
    '  exit 0',
    'fi',
    'source_db=$(sed -n \'s/^database=//p\' "$BACKUP_DIR/backup.info" | head -n 1)',
    'case "$source_db" in',
    '  \'\'|*[!a-z0-9_]*) echo "restore: backup.info names no database (\\"$source_db\\")" >&2; exit 1 ;;',
    'esac',
    'exists=$(printf \'%s\\n\' "SELECT 1 FROM pg_database WHERE datname = :\'db\';" | sql -d postgres -v db="$db")',
    'if [ -n "$exists" ]; then',
    `  objects=$(sql -d "$db" -c "${OBJECTS_SQL}")`,
    '  if [ "$objects" = 0 ]; then',
    '    echo "restore: the database $db is empty (as the server created it): replacing it"',
    '    printf \'%s\\n\' \'DROP DATABASE :"db" WITH (FORCE);\' | sql -d postgres -v db="$db"',
    '  elif [ "$REPLACE_EXISTING" = true ]; then',
    '    aside="$(printf \'%s\' "$db" | cut -c1-39)_before_$(date -u +%Y%m%dT%H%M%SZ | tr \'TZ\' \'tz\')"',
    '    echo "restore: the database $db holds $objects objects: keeping it as $aside"',
    '    if ! printf \'%s\\n\' \'ALTER DATABASE :"db" ALLOW_CONNECTIONS false;\' \\',
    '      "SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity WHERE datname = :\'db\' AND pid <> pg_backend_pid();" \\',
    '      \'ALTER DATABASE :"db" RENAME TO :"aside";\' | sql -d postgres -v db="$db" -v aside="$aside" >/dev/null; then',
    '      printf \'%s\\n\' \'ALTER DATABASE :"db" ALLOW_CONNECTIONS true;\' | sql -d postgres -v db="$db" || true',
    '      echo "restore: could not keep the database $db aside (a session that would not end?): it is as it was" >&2',
    '      exit 1',
    '    fi',
    '    printf \'%s\\n\' \'ALTER DATABASE :"aside" ALLOW_CONNECTIONS true;\' | sql -d postgres -v aside="$aside"',
    '  else',
    '    echo "restore: the database $db holds $objects objects, and a restore never overwrites data: refusing." \\',
    '      "Keep it under another name first (ALTER DATABASE $db RENAME TO ${db}_old), or set replaceExisting" >&2',
    '    exit 1',
    '  fi',
    'fi',
    '# the roles, without the superuser we connect as; roles that exist are updated',
    'awk -v u="$PGUSER" \'',
    '  $0 == "CREATE ROLE " u ";" || $0 == "CREATE ROLE \\"" u "\\";" { next }',
    '  index($0, "ALTER ROLE " u " ") == 1 || index($0, "ALTER ROLE \\"" u "\\" ") == 1 { next }',
    '  /^CREATE ROLE / { sub(/;$/, ""); print "DO $r$ BEGIN " $0 "; EXCEPTION WHEN duplicate_object THEN NULL; END $r$;"; next }',
    '  { print }',
    '\' "$BACKUP_DIR/globals.sql" | sql -d postgres',
    'restoring="$(printf \'%s\' "$db" | cut -c1-50)_restoring"',
    'printf \'%s\\n\' \'DROP DATABASE IF EXISTS :"tmp" WITH (FORCE);\' | sql -d postgres -v tmp="$restoring"',
    '# the database as the dump describes it (encoding, locale, owner, settings), under the temporary name',
    'pg_restore --create -L /dev/null -f "$private/database.sql" "$BACKUP_DIR/database.pgdump"',
    'created=""',
    'trap \'[ -z "$created" ] || printf "%s\\n" "DROP DATABASE IF EXISTS :\\"tmp\\" WITH (FORCE);" | sql -d postgres -v tmp="$restoring" || true; rm -rf "$private"\' EXIT',
    'create=$(grep "^CREATE DATABASE $source_db " "$private/database.sql" || true)',
    '[ -n "$create" ] || { echo "restore: the dump does not create the database $source_db" >&2; exit 1; }',
    'created=yes',
    'printf \'%s\\n\' "$create" | sed "s/^CREATE DATABASE $source_db /CREATE DATABASE $restoring /" | sql -d postgres',
    'pg_restore -w --exit-on-error --no-tablespaces -d "$restoring" "$BACKUP_DIR/database.pgdump"',
    'printf \'%s\\n\' \'ALTER DATABASE :"tmp" RENAME TO :"db";\' | sql -d postgres -v tmp="$restoring" -v db="$db"',
    'created=""',
    'grep -E "^(ALTER DATABASE $source_db |SET |SELECT pg_catalog.set_config)" "$private/database.sql" \\',
    '  | sed "s/^ALTER DATABASE $source_db /ALTER DATABASE $db /" | sql -d postgres',
    `printf '%s\\n' "ALTER DATABASE :\\"db\\" SET ${POSTGRES_RESTORED_SETTING} = :'dump';" "ALTER DATABASE postgres SET ${POSTGRES_STORE_SETTING} = :'id';" \\`,
    '  | sql -d postgres -v db="$db" -v dump="$DUMP_ID" -v id="$STORE_ID"',
    'echo "restore: restored the database $db and the roles from $DUMP_ID"',
  ].join('\n');
}
