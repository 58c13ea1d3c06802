/**
 * The application role of the `Postgres` preset, as pure functions: one script that creates (or
 * corrects) a least-privilege login role in the database and sets its password from a Secret,
 * run in two places:
 *
 * - at first initialization, sourced by the image's entrypoint from `/docker-entrypoint-initdb.d`
 *   (`postgresApplicationRoleInitScript()`), against the temporary server on the Unix socket;
 * - for a database that exists, and again on every change of the role's Secret (rotation), by a
 *   Job that connects to the primary as the superuser (`postgresApplicationRoleJobScript()`).
 *
 * It is idempotent: every run leaves the role with exactly these attributes and grants, and the
 * password of the Secret.
 *
 * The privileges, on `database` only (PostgreSQL 15 and later: the `public` schema no longer lets
 * every role create objects):
 * - `LOGIN`, and explicitly none of SUPERUSER, CREATEDB, CREATEROLE, REPLICATION, BYPASSRLS (an
 *   existing role is corrected);
 * - `CONNECT` on the database;
 * - in each schema (`public` unless told otherwise): `USAGE` (no `CREATE`: the schema belongs to the
 *   owner, whose migrations change it), `SELECT, INSERT, UPDATE, DELETE` on every table (no
 *   `TRUNCATE`, `REFERENCES`, `TRIGGER`) and `USAGE, SELECT, UPDATE` on every sequence (identity
 *   and serial columns: `nextval()`, `setval()`), for the tables and sequences that exist, and as
 *   default privileges for those the owner (the superuser that runs the script, who runs the
 *   migrations) creates later. A schema that does not exist yet is skipped with a message; the
 *   next run (every Argo CD sync, or a new revision) grants it.
 *
 * The password never appears in an argument, the environment of psql's command line, a SQL
 * statement or a log: it is read from the mounted Secret file and given to psql's `\password` on
 * its standard input (a pod has no terminal, so psql reads the prompt's answer there), which
 * computes the SCRAM-SHA-256 verifier on the client and sends only that (`ALTER USER ... PASSWORD
 * 'SCRAM-SHA-256$...'`), as `\password` does for a person at a terminal.
 */
import { postgresQuoteIdent } from './postgres';
import type { DataStoreCredentials } from '../../connection/data-store';
import type { StatefulWorkload } from '../../workload/stateful-workload';
import type { PresetTls } from '../preset-tls';

/** Where the role's Secret is mounted (in the server's container and in the Job); the file is `password`. */
export const POSTGRES_APP_SECRET_DIRECTORY = '/run/secrets/postgres-app';
/** Where the owner's (superuser's) password is mounted in the Job; the file is `password`. */
export const POSTGRES_OWNER_SECRET_DIRECTORY = '/run/secrets/postgres-owner';
/** The environment variable holding the role's name (a `secretKeyRef` to the role's user name). */
export const POSTGRES_APP_ROLE_ENV = 'POSTGRES_APP_ROLE';
/** The key of the init script in its ConfigMap: the file name in `/docker-entrypoint-initdb.d`. */
export const POSTGRES_APP_ROLE_INIT_KEY = 'cdk8s-stateful-application-role.sh';
/** The schema the role gets privileges in by default. */
export const POSTGRES_DEFAULT_APP_SCHEMAS = ['public'];

/** What the application role needs of its `Postgres`. */
export interface PostgresApplicationRoleFacts {
  /** Who complains, e.g. `Postgres 'chart/db'`. */
  readonly where: string;
  readonly workload: StatefulWorkload;
  /** The server's image (the Job runs its psql). */
  readonly image: string;
  readonly database: string;
  readonly port: number;
  /** The superuser's credentials: the Job connects with them. */
  readonly ownerCredentials: DataStoreCredentials;
  /** The server's TLS: the Job verifies it with the CA. */
  readonly tls?: PresetTls;
}

/** What the role gets. */
export interface PostgresApplicationRoleSettings {
  /** The schemas (plain identifiers, checked by the caller). */
  readonly schemas: string[];
  /** The file holding the role's password. */
  readonly passwordFile: string;
}

/**
 * The SQL run as the superuser, in the database, with the psql variables `role` (the role's name)
 * and `db` (the database's).
 */
export function postgresApplicationRoleSql(schemas: string[]): string {
  const lines = [
    'SELECT NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :\'role\') AS create_role \\gset',
    '\\if :create_role',
    'CREATE ROLE :"role" LOGIN;',
    '\\endif',
    'ALTER ROLE :"role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;',
    'GRANT CONNECT ON DATABASE :"db" TO :"role";',
  ];
  for (const schema of schemas) {
    const id = postgresQuoteIdent(schema);
    const literal = `'${schema.replace(/'/g, "''")}'`;
    lines.push(
      `SELECT EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = ${literal}) AS has_schema \\gset`,
      '\\if :has_schema',
      `GRANT USAGE ON SCHEMA ${id} TO :"role";`,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${id} TO :"role";`,
      `GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${id} TO :"role";`,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA ${id} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"role";`,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA ${id} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO :"role";`,
      '\\else',
      `\\echo 'application role: the schema ${schema} does not exist yet: skipped (the next run grants it)'`,
      '\\endif',
    );
  }
  return lines.join('\n') + '\n';
}

/**
 * The script body, POSIX sh, connecting with libpq's environment (`PGHOST`, `PGPORT`, `PGUSER`,
 * `PGDATABASE`, `PGPASSWORD`, ...) as the superuser. It checks the role's name (from
 * `POSTGRES_APP_ROLE`) and password (from `passwordFile`) before it connects, refuses a role that
 * is the connecting superuser, applies the SQL, then sets the password. Exits non-zero on any
 * error.
 */
export function postgresApplicationRoleScript(settings: PostgresApplicationRoleSettings): string {
  return [
    'set -eu',
    `role="\${${POSTGRES_APP_ROLE_ENV}:-}"`,
    'case "$role" in',
    '  \'\'|[!a-z_]*|*[!a-z0-9_]*) echo "application role: the role name \\"$role\\" (the user name in its Secret) must be a plain SQL identifier: lower case letters, digits and _, starting with a letter or _" >&2; exit 1 ;;',
    '  pg_*|public) echo "application role: the role name \\"$role\\" is reserved (pg_* names the predefined roles, public every role)" >&2; exit 1 ;;',
    'esac',
    'if [ "${#role}" -gt 63 ]; then echo "application role: the role name \\"$role\\" is longer than 63 bytes" >&2; exit 1; fi',
    `password=$(cat ${settings.passwordFile})`,
    'nl=\'',
    '\'',
    'case "$password" in',
    `  '') echo "application role: ${settings.passwordFile} (the password in its Secret) is empty" >&2; exit 1 ;;`,
    `  *"$nl"*) echo "application role: ${settings.passwordFile} (the password in its Secret) holds a line break" >&2; exit 1 ;;`,
    'esac',
    'owner=$(psql -X -At -v ON_ERROR_STOP=1 -c \'SELECT current_user\')',
    'if [ "$role" = "$owner" ]; then',
    '  echo "application role: \\"$role\\" is the superuser this script connects as: the application role must be a role of its own" >&2; exit 1',
    'fi',
    'psql -X -q -v ON_ERROR_STOP=1 -v role="$role" -v db="$PGDATABASE" <<\'SQL\'',
    postgresApplicationRoleSql(settings.schemas).trimEnd(),
    'SQL',
    // psql reads \password's two prompts from its standard input when there is no terminal (a pod
    // has none); printf is a shell builtin, so the password is no process's argument
    'printf \'%s\\n%s\\n\' "$password" "$password" | psql -X -q -v ON_ERROR_STOP=1 -c "\\\\password $role"',
    'unset password',
    'echo "application role: $role: privileges and password set"',
    '',
  ].join('\n');
}

/**
 * The init script, sourced by the image's entrypoint (bash) at first initialization, after it
 * created the database and before any init script that sorts after it: the role script in a
 * subshell (so its `set -eu` and variables stay there) against the temporary server on the Unix
 * socket, as the superuser (`POSTGRES_USER`, trusted on the socket), in `POSTGRES_DB`. A failure
 * fails the initialization, as any init script's does.
 *
 * @param settings the role's schemas and password file
 * @param socketDirectory the server's socket directory
 */
export function postgresApplicationRoleInitScript(settings: PostgresApplicationRoleSettings, socketDirectory: string): string {
  return [
    '# cdk8s-stateful: the application role (sourced by the entrypoint at first initialization)',
    '(',
    `  export PGHOST=${socketDirectory} PGUSER="$POSTGRES_USER" PGDATABASE="$POSTGRES_DB"`,
    '  unset PGHOSTADDR',
    // not indented: the here-document's terminator must start its line
    ...postgresApplicationRoleScript(settings).trimEnd().split('\n'),
    ')',
    '',
  ].join('\n');
}

/**
 * The Job's script: waits (up to the Job's deadline) until the primary accepts connections, reads
 * the superuser's password from its file into `PGPASSWORD` (the environment of psql, not its
 * command line), then runs the role script.
 *
 * @param settings the role's schemas and password file
 * @param ownerPasswordFile the file of the superuser's password
 */
export function postgresApplicationRoleJobScript(settings: PostgresApplicationRoleSettings, ownerPasswordFile: string): string {
  return [
    'set -eu',
    'until pg_isready -q; do',
    '  echo "application role: waiting for $PGHOST:$PGPORT to accept connections"',
    '  sleep 5',
    'done',
    `PGPASSWORD=$(cat ${ownerPasswordFile})`,
    'export PGPASSWORD',
    postgresApplicationRoleScript(settings).trimEnd().split('\n').filter(l => l !== 'set -eu').join('\n'),
    '',
  ].join('\n');
}
