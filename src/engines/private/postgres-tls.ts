/**
 * TLS of the `Postgres` preset, as pure functions: the server's settings (`-c` args), the
 * `pg_hba.conf` that makes TLS required, the `tls-reload` sidecar's command, and what consumers'
 * drivers get. The preset adds them to what `renderPostgres()` renders through small hooks: the
 * args are appended, the hba file is a ConfigMap volume, the sidecar a container of its own.
 *
 * What PostgreSQL does (checked on the real server by test/engines/postgres-tls-real.test.ts):
 * - `ssl = on` with `ssl_cert_file` and `ssl_key_file`: it reads both at start and on every
 *   configuration reload (`pg_reload_conf()`, SIGHUP), so a renewed certificate needs a reload,
 *   not a restart;
 * - it refuses to start with a key file others can read: a key owned by the server's user must be
 *   0600 or less, one owned by root 0640 or less. The Secret volume gives `root:999 0440` (see
 *   ./tls.ts), which it accepts;
 * - `hostssl` lines in pg_hba.conf match TCP connections over TLS only: a plain connection from
 *   another pod finds no line and is refused ("no pg_hba.conf entry ... no encryption");
 * - the image's entrypoint passes the container's args to its temporary server at first start, so
 *   `hba_file` applies there too (its connections use the Unix socket: `local ... trust`).
 */
import { TlsFiles } from './tls';

/** Where the `pg_hba.conf` of a store that requires TLS is mounted (a ConfigMap volume). */
export const POSTGRES_HBA_DIRECTORY = '/etc/postgresql-hba';
/** Its file name, and the ConfigMap key. */
export const POSTGRES_HBA_KEY = 'pg_hba.conf';
/** The volume's name. */
export const POSTGRES_HBA_VOLUME = 'postgres-hba';

/** What consumers' drivers get: libpq's `sslmode` that verifies the chain and the host name. */
export const POSTGRES_TLS_CLIENT_VARIABLES: Readonly<{ [variable: string]: string }> = { SSLMODE: 'verify-full' };

/** TLS of the server. */
export interface PostgresTlsSettings {
  /** The certificate's files in the pod. */
  readonly files: TlsFiles;
  /** Whether plain TCP connections from outside the pod are refused (`hostssl` only). */
  readonly required: boolean;
}

/**
 * The server's args for TLS, appended to the container's: `ssl=on`, the certificate and key
 * files, and with `required` the library's `hba_file`. No `ssl_ca_file`: clients are not asked for
 * certificates (they authenticate with passwords, scram-sha-256).
 */
export function postgresTlsArgs(tls: PostgresTlsSettings): string[] {
  return [
    '-c', 'ssl=on',
    '-c', `ssl_cert_file=${tls.files.certFile}`,
    '-c', `ssl_key_file=${tls.files.keyFile}`,
    ...tls.required ? ['-c', `hba_file=${POSTGRES_HBA_DIRECTORY}/${POSTGRES_HBA_KEY}`] : [],
  ];
}

/**
 * The `pg_hba.conf` of a store that requires TLS, in place of the one initdb writes into PGDATA
 * (which the server then no longer reads): the image's rules, with `hostssl` for every connection
 * that does not come from inside the pod.
 *
 * - The Unix socket and the loopback addresses stay `trust`, as the image has them: the probes
 *   (`pg_isready` on 127.0.0.1), the entrypoint's temporary server and sidecars in the pod.
 * - Every other connection must use TLS and authenticate with a password (`scram-sha-256`, the
 *   image's `password_encryption`); replication connections too (a role needs the REPLICATION
 *   attribute besides, which only the superuser has unless one is created for it).
 */
export function postgresHbaFile(): string {
  return [
    '# pg_hba.conf rendered by cdk8s-stateful (tls.required): TLS for every connection from outside the pod',
    '# TYPE   DATABASE     USER  ADDRESS       METHOD',
    'local    all          all                 trust',
    'host     all          all   127.0.0.1/32  trust',
    'host     all          all   ::1/128       trust',
    'local    replication  all                 trust',
    'host     replication  all   127.0.0.1/32  trust',
    'host     replication  all   ::1/128       trust',
    'hostssl  all          all   all           scram-sha-256',
    'hostssl  replication  all   all           scram-sha-256',
    '',
  ].join('\n');
}

/**
 * The command `tls-reload` runs to make the server read the certificate again:
 * `SELECT pg_reload_conf()` as the superuser over the Unix socket (trusted), with the user from
 * `POSTGRES_USER` and the database from `POSTGRES_DB` in the sidecar's environment (one argument
 * each, whatever the names). It also re-reads `pg_hba.conf`.
 *
 * @param socketDirectory the server's socket directory (an emptyDir shared with the sidecar)
 */
export function postgresTlsReloadCommand(socketDirectory: string): string {
  return `psql -X -q -At -v ON_ERROR_STOP=1 -h ${socketDirectory} -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c 'SELECT pg_reload_conf()' >/dev/null`;
}
