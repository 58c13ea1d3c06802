/**
 * PostgreSQL streaming replication for the `Postgres` preset (`readReplicas`): pod
 * `ordinals.start` is the primary, every other pod a hot standby streaming from it by its pod DNS
 * name. Pure functions returning core/v1 JSON, as ./postgres.ts does for the server itself; the
 * construct adds the init container, the volumes and the readiness probe they return.
 *
 * One init container (`postgres-replication`, the server's own image, run on every pod start,
 * before the server) does the work, so the server's container keeps the image's entrypoint:
 *
 * - **The primary**: on an empty data directory it first checks that no other pod of the set holds
 *   a database (a replica answering `pg_isready`): if one does, the primary's claim was lost while
 *   its replicas kept their copies, and initializing an empty primary would leave clients writing
 *   into an empty database beside replicas that can no longer follow it. It refuses (exit 1, the
 *   pod stays in `Init:CrashLoopBackOff`) until a human re-seeds it (docs/failover.md).
 *   Otherwise it runs the image's own `docker-ensure-initdb.sh` (initdb, the database, the init
 *   scripts; a no-op on an initialized directory), adds `host replication <role> all
 *   scram-sha-256` to pg_hba.conf (once), and starts a socket-only temporary server to create the
 *   replication role, or to set its password and flags again (`CREATE`/`ALTER ROLE ... WITH
 *   REPLICATION LOGIN PASSWORD`): idempotent, so the role follows its Secret at every restart of
 *   the primary, and replicas added to a running primary find their role after its next restart.
 * - **A replica**: on an empty data directory it waits until the primary accepts connections
 *   (`pg_isready`, up to `POSTGRES_PRIMARY_WAIT_SECONDS`, 300 s, then exit 1 and the kubelet's
 *   back-off), and clones it with `pg_basebackup -X stream` into a scratch directory, renamed into
 *   place only when complete. At every start it writes `standby.signal` and, in
 *   `postgresql.auto.conf`, `primary_conninfo` (the primary's DNS name, the role, a password file,
 *   the pod's name as `application_name`) and `hot_standby = on`: a replica always comes back as a
 *   standby of the primary, whatever happened to it (a stop-gap promotion included).
 *
 * The replication password reaches the pod as a file of a Secret volume (0440, group-readable
 * through the fsGroup), read only by the init container; the server's walreceiver reads it from
 * a libpq password file the init container writes (mode 0600) on a memory-backed emptyDir
 * (`/run/postgres-replication`), never from the environment, the command line or the data directory.
 *
 * Checked against Debian's PostgreSQL 15 by test/engines/postgres-replication-real.test.ts.
 */
import { EnvVarJson, ExecProbeJson, parsePostgresTag, PostgresSecretKeyRef, VolumeJson, VolumeMountJson } from './postgres';
import { checkInteger, fail } from '../../private/validation';

/** The init container's name. */
export const POSTGRES_REPLICATION_CONTAINER = 'postgres-replication';
/** The memory-backed emptyDir holding the walreceiver's password file. */
export const POSTGRES_REPLICATION_RUN_VOLUME = 'postgres-replication';
/** Where it is mounted. */
export const POSTGRES_REPLICATION_RUN_DIRECTORY = '/run/postgres-replication';
/** The Secret volume with the replication password. */
export const POSTGRES_REPLICATION_SECRET_VOLUME = 'postgres-replication-secret';
/** Where it is mounted; the file is `password` in it. */
export const POSTGRES_REPLICATION_SECRET_DIRECTORY = '/run/secrets/postgres-replication';
/** The env var with the replication role's name (a `secretKeyRef`). */
export const POSTGRES_REPLICATION_USER_ENV = 'POSTGRES_REPLICATION_USER';
/** The env var with the primary's DNS name. */
export const POSTGRES_PRIMARY_HOST_ENV = 'POSTGRES_PRIMARY_HOST';
/** The env var with the other pods' DNS names (comma-separated), which the primary checks before it initializes. */
export const POSTGRES_PEER_HOSTS_ENV = 'POSTGRES_PEER_HOSTS';
/** Overrides how long a primary on an empty data directory looks for replicas holding data, in seconds. */
export const POSTGRES_PEER_CHECK_ENV = 'POSTGRES_PEER_CHECK_SECONDS';
/** How long it looks by default: the pods of a restarted set come up within seconds of each other. */
export const POSTGRES_PEER_CHECK_DEFAULT_SECONDS = 15;
/** Overrides how long a replica waits for its primary, in seconds. */
export const POSTGRES_PRIMARY_WAIT_ENV = 'POSTGRES_PRIMARY_WAIT_SECONDS';
/** How long a replica waits for its primary by default. */
export const POSTGRES_PRIMARY_WAIT_DEFAULT_SECONDS = 300;

/**
 * The first image of each major with `docker-ensure-initdb.sh` (docker-library/postgres#1150, in
 * the images built from December 2023): 15.6 and 16.2; every 17 and 18 image has it.
 */
export const POSTGRES_ENSURE_INITDB_MINORS: Readonly<Record<number, number>> = { 15: 6, 16: 2 };

/** What `renderReplicationServer()` takes. */
export interface ReplicationServerOptions {
  /** The image tag (checked: the image must have `docker-ensure-initdb.sh`). */
  readonly tag: string;
  /** The superuser's and database's names for the readiness probe (as the other probes); the user from `$POSTGRES_USER` when undefined. */
  readonly probeUser?: string;
  readonly probeDatabase: string;
  /** The size of the data claims, in bytes: `wal_keep_size` is a tenth of it, at most 1GB. */
  readonly storageBytes: number;
  /** The Secret key with the replication password. */
  readonly passwordSecret: PostgresSecretKeyRef;
}

/** What the server container and the pod get for streaming replication. */
export interface ReplicationServer {
  /** Pod volumes: the password file's emptyDir, the password's Secret. */
  readonly volumes: VolumeJson[];
  /** Mounts of the server container (the password file's emptyDir, read-only). */
  readonly serverVolumeMounts: VolumeMountJson[];
  /** Server args besides the preset's (`wal_keep_size`). */
  readonly args: string[];
  /** The readiness probe: accepting connections, and a standby streaming from its primary. */
  readonly readinessProbe: ExecProbeJson;
  /** `wal_keep_size` in MB. */
  readonly walKeepSizeMegabytes: number;
}

/** What `renderReplicationInit()` takes. */
export interface ReplicationInitOptions {
  /** Every pod's DNS name, `ordinals.start` (the primary) first. */
  readonly podHosts: string[];
  /** The first ordinal: the primary. */
  readonly primaryOrdinal: number;
  /** The Secret key with the replication role's name. */
  readonly userSecret: PostgresSecretKeyRef;
}

/** The init container's parts besides the server container's env and mounts (which it gets too). */
export interface ReplicationInit {
  /** The init container's name. */
  readonly name: string;
  /** Its command (`bash -c <script> postgres-replication`); its args are the server's. */
  readonly command: string[];
  /** Env besides the server container's. */
  readonly env: EnvVarJson[];
  /** Mounts besides the server container's. */
  readonly volumeMounts: VolumeMountJson[];
}

/** Checks that the image has `docker-ensure-initdb.sh`. */
export function checkReplicationTag(where: string, prop: string, tag: string): void {
  const { major } = parsePostgresTag(where, prop, tag);
  const minor = Number(/^[0-9]+\.([0-9]+)/.exec(tag)![1]);
  const first = POSTGRES_ENSURE_INITDB_MINORS[major];
  if (first !== undefined && minor < first) {
    throw fail(where, prop, tag,
      `Must be ${major}.${first} or later with 'readReplicas' or 'replicationCredentials': the replication init container runs the image's docker-ensure-initdb.sh, which older images lack`,
      `Use PostgresVersion.V${major} or PostgresVersion.of("${major}.${first}") or later`);
  }
}

/**
 * `wal_keep_size` for a data claim: a tenth of it, between 64MB and 1GB (PostgreSQL's MB). A
 * replica that was down while the primary wrote more WAL than this cannot catch up and must be
 * cloned again (its claim deleted); without it the primary keeps only what its checkpoints need.
 */
export function walKeepSizeMegabytes(storageBytes: number): number {
  return Math.max(64, Math.min(1024, Math.floor(storageBytes / 10 / 1024 ** 2)));
}

/**
 * The server container's and the pod's part of streaming replication: `wal_keep_size`, the
 * standby-aware readiness probe and the volumes.
 *
 * The readiness probe: `pg_isready` as the other probes, then (over the same trusted 127.0.0.1)
 * whether the server is a primary, or a standby whose WAL receiver is `streaming`. A standby cut
 * off from its primary, or one of another database system (a primary re-initialized under it),
 * takes no reads; the price is that every standby turns unready while the primary is down.
 *
 * @param where who complains
 * @param o the options
 */
export function renderReplicationServer(where: string, o: ReplicationServerOptions): ReplicationServer {
  checkReplicationTag(where, 'version', o.tag);
  const walKeep = walKeepSizeMegabytes(o.storageBytes);
  const userArg = o.probeUser !== undefined ? `--username=${o.probeUser}` : '--username="$POSTGRES_USER"';
  const ready = [
    `pg_isready --host=127.0.0.1 ${userArg} --dbname=${o.probeDatabase} --timeout=3 || exit 1`,
    `r=$(PGCONNECT_TIMEOUT=3 psql -X -At --no-psqlrc --host=127.0.0.1 ${userArg} --dbname=${o.probeDatabase} `
      + "-c \"SELECT CASE WHEN pg_is_in_recovery() THEN 'standby ' || coalesce((SELECT status FROM pg_stat_wal_receiver), 'disconnected') ELSE 'primary' END\" 2>&1) || { echo \"$r\"; exit 1; }",
    'case "$r" in primary|"standby streaming") exit 0 ;; esac',
    'echo "not ready: $r"; exit 1',
  ].join('\n');
  return {
    volumes: [
      { name: POSTGRES_REPLICATION_RUN_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
      {
        name: POSTGRES_REPLICATION_SECRET_VOLUME,
        secret: { secretName: o.passwordSecret.name, items: [{ key: o.passwordSecret.key, path: 'password' }], defaultMode: 0o440 },
      },
    ],
    serverVolumeMounts: [{ name: POSTGRES_REPLICATION_RUN_VOLUME, mountPath: POSTGRES_REPLICATION_RUN_DIRECTORY, readOnly: true }],
    args: ['-c', `wal_keep_size=${walKeep}MB`],
    readinessProbe: { exec: { command: ['sh', '-c', ready] }, periodSeconds: 10, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 3 },
    walKeepSizeMegabytes: walKeep,
  };
}

/**
 * The replication init container (see the module's documentation for what it does on the primary
 * and on a replica). It runs the server's image with the server container's env, mounts and args,
 * plus these.
 *
 * @param where who complains
 * @param o the options
 */
export function renderReplicationInit(where: string, o: ReplicationInitOptions): ReplicationInit {
  checkInteger(where, 'primaryOrdinal', o.primaryOrdinal, 0);
  if (o.podHosts.length === 0) throw fail(where, 'podHosts', [], 'Must list the pods', 'Pass the pods\' DNS names');
  for (const h of o.podHosts) {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(h)) throw fail(where, 'podHosts', h, 'Must be DNS names', 'Pass the pods\' DNS names');
  }
  const passfile = `${POSTGRES_REPLICATION_RUN_DIRECTORY}/pgpass`;
  const passwordFile = `${POSTGRES_REPLICATION_SECRET_DIRECTORY}/password`;
  const tag = POSTGRES_REPLICATION_CONTAINER;
  const script = [
    'set -Eeuo pipefail',
    'name="${HOSTNAME:-}"',
    'name="${name%%.*}"',
    'ordinal="${name##*-}"',
    'case "$ordinal" in',
    `  ''|*[!0-9]*) echo "${tag}: HOSTNAME \\"$name\\" does not end in a StatefulSet ordinal (<statefulset>-<ordinal>)" >&2; exit 1 ;;`,
    'esac',
    `user="\${${POSTGRES_REPLICATION_USER_ENV}:-}"`,
    'if ! [[ "$user" =~ ^[a-z_][a-z0-9_]{0,62}$ ]]; then',
    `  echo "${tag}: the replication role's name \\"$user\\" (${POSTGRES_REPLICATION_USER_ENV}) must be a plain identifier: lower case letters, digits and _" >&2; exit 1`,
    'fi',
    'if [ "$user" = "${POSTGRES_USER:-postgres}" ]; then',
    `  echo "${tag}: the replication role must not be the superuser \\"$user\\"" >&2; exit 1`,
    'fi',
    `password="$(< ${passwordFile})"`,
    `[ -n "$password" ] || { echo "${tag}: the replication password Secret key holds no password" >&2; exit 1; }`,
    'if [[ "$password" == *$\'\\n\'* ]]; then',
    `  echo "${tag}: the replication password must be one line" >&2; exit 1`,
    'fi',
    'port="${PGPORT:-5432}"',
    `primary="\${${POSTGRES_PRIMARY_HOST_ENV}:-}"`,
    'if ! [[ "$primary" =~ ^[A-Za-z0-9.-]+$ ]]; then',
    `  echo "${tag}: ${POSTGRES_PRIMARY_HOST_ENV} \\"$primary\\" is not a DNS name" >&2; exit 1`,
    'fi',
    `IFS=, read -r -a peers <<< "\${${POSTGRES_PEER_HOSTS_ENV}:-}"`,
    'if [ "$#" -gt 0 ] && [ "$1" = postgres ]; then shift; fi',
    '',
    `if [ "$ordinal" = ${o.primaryOrdinal} ]; then`,
    '  if [ ! -s "$PGDATA/PG_VERSION" ] && [ "${#peers[@]}" -gt 0 ]; then',
    `    check_seconds="\${${POSTGRES_PEER_CHECK_ENV}:-${POSTGRES_PEER_CHECK_DEFAULT_SECONDS}}"`,
    `    [[ "$check_seconds" =~ ^[0-9]+$ ]] || { echo "${tag}: ${POSTGRES_PEER_CHECK_ENV} \\"$check_seconds\\" is not a number of seconds" >&2; exit 1; }`,
    `    echo "${tag}: $name is the primary and its data directory is empty: looking for a replica that holds a database for \${check_seconds}s"`,
    '    started=$(date +%s)',
    '    while :; do',
    '      for h in "${peers[@]}"; do',
    '        [[ "$h" =~ ^[A-Za-z0-9.-]+$ ]] || continue',
    '        rc=0; pg_isready -q -h "$h" -p "$port" -t 3 || rc=$?',
    '        if [ "$rc" -le 1 ]; then',
    `          echo "${tag}: $name is the primary and its data directory $PGDATA is empty, but $h holds a database: refusing to initialize an empty primary `
      + 'beside replicas that could not follow it. Re-seed the primary from the most advanced replica (docs/failover.md, \\"The primary lost its claim\\")" >&2',
    '          exit 1',
    '        fi',
    '      done',
    '      [ $(($(date +%s) - started)) -lt "$check_seconds" ] || break',
    '      sleep 1',
    '    done',
    '  fi',
    '  if [ ! -s "$PGDATA/PG_VERSION" ]; then',
    `    echo "${tag}: $name is the primary: initializing $PGDATA (docker-ensure-initdb.sh)"`,
    '  fi',
    '  docker-ensure-initdb.sh postgres "$@"',
    '  line="host replication $user all scram-sha-256"',
    '  if ! grep -qxF "$line" "$PGDATA/pg_hba.conf"; then',
    '    printf \'\\n# streaming replicas\\n%s\\n\' "$line" >> "$PGDATA/pg_hba.conf"',
    `    echo "${tag}: pg_hba.conf: $line"`,
    '  fi',
    '  # the role, through a temporary server on the Unix socket only',
    '  pg_ctl -D "$PGDATA" -w -t 3600 -o "$(printf \'%q \' "$@") -c listen_addresses=\'\' -p $port" start',
    `  export ${POSTGRES_REPLICATION_USER_ENV}="$user" REPLICATION_PASSWORD="$password"`,
    '  status=0',
    '  psql -X -q -v ON_ERROR_STOP=1 --no-psqlrc -U "${POSTGRES_USER:-postgres}" -d postgres -p "$port" <<\'SQL\' || status=$?',
    `\\getenv role ${POSTGRES_REPLICATION_USER_ENV}`,
    '\\getenv pw REPLICATION_PASSWORD',
    "SELECT format(CASE WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') THEN 'ALTER ROLE %I WITH REPLICATION LOGIN PASSWORD %L' "
      + "ELSE 'CREATE ROLE %I WITH REPLICATION LOGIN PASSWORD %L' END, :'role', :'pw') \\gexec",
    'SQL',
    '  unset REPLICATION_PASSWORD',
    '  pg_ctl -D "$PGDATA" -m fast -w stop',
    `  [ "$status" = 0 ] || { echo "${tag}: creating the replication role failed" >&2; exit 1; }`,
    `  echo "${tag}: $name is the primary; replication role $user ready"`,
    '  exit 0',
    'fi',
    '',
    '# a replica: the libpq password file for pg_basebackup and the walreceiver',
    'umask 077',
    'escaped=$(printf \'%s\' "$password" | sed -e \'s/\\\\/\\\\\\\\/g\' -e \'s/:/\\\\:/g\')',
    `printf '*:*:*:%s:%s\\n' "$user" "$escaped" > ${passfile}.tmp`,
    `mv ${passfile}.tmp ${passfile}`,
    'unset escaped password',
    'if [ ! -s "$PGDATA/PG_VERSION" ]; then',
    '  if [ -d "$PGDATA" ] && [ -n "$(ls -A "$PGDATA")" ]; then',
    `    echo "${tag}: $PGDATA holds files but no database (no PG_VERSION): refusing to clone over them; remove them (or the claim)" >&2; exit 1`,
    '  fi',
    `  wait_seconds="\${${POSTGRES_PRIMARY_WAIT_ENV}:-${POSTGRES_PRIMARY_WAIT_DEFAULT_SECONDS}}"`,
    `  [[ "$wait_seconds" =~ ^[0-9]+$ ]] || { echo "${tag}: ${POSTGRES_PRIMARY_WAIT_ENV} \\"$wait_seconds\\" is not a number of seconds" >&2; exit 1; }`,
    `  echo "${tag}: $name is a replica with an empty data directory: waiting up to \${wait_seconds}s for the primary $primary"`,
    '  started=$(date +%s)',
    '  until pg_isready -q -h "$primary" -p "$port" -t 3; do',
    '    if [ $(($(date +%s) - started)) -ge "$wait_seconds" ]; then',
    `      echo "${tag}: the primary $primary did not accept connections within \${wait_seconds}s" >&2; exit 1`,
    '    fi',
    '    sleep 2',
    '  done',
    '  rm -rf "$PGDATA.clone"',
    `  echo "${tag}: cloning the primary $primary (pg_basebackup)"`,
    `  PGPASSFILE=${passfile} pg_basebackup -h "$primary" -p "$port" -U "$user" -w -D "$PGDATA.clone" -X stream -c fast`,
    '  rm -rf "$PGDATA"',
    '  mv "$PGDATA.clone" "$PGDATA"',
    '  chmod 0700 "$PGDATA"',
    'fi',
    'touch "$PGDATA/standby.signal"',
    `conninfo="host=$primary port=$port user=$user passfile=${passfile} application_name=$name"`,
    'auto="$PGDATA/postgresql.auto.conf"',
    '{',
    '  grep -vE \'^(primary_conninfo|hot_standby)[[:space:]]*=\' "$auto" 2>/dev/null || true',
    '  printf "primary_conninfo = \'%s\'\\nhot_standby = \'on\'\\n" "$conninfo"',
    '} > "$auto.tmp"',
    'mv "$auto.tmp" "$auto"',
    `echo "${tag}: $name is a standby of $primary"`,
  ].join('\n') + '\n';

  return {
    name: POSTGRES_REPLICATION_CONTAINER,
    command: ['bash', '-c', script, POSTGRES_REPLICATION_CONTAINER],
    env: [
      { name: POSTGRES_REPLICATION_USER_ENV, valueFrom: { secretKeyRef: o.userSecret } },
      { name: POSTGRES_PRIMARY_HOST_ENV, value: o.podHosts[0] },
      { name: POSTGRES_PEER_HOSTS_ENV, value: o.podHosts.slice(1).join(',') },
    ],
    volumeMounts: [
      { name: POSTGRES_REPLICATION_RUN_VOLUME, mountPath: POSTGRES_REPLICATION_RUN_DIRECTORY },
      { name: POSTGRES_REPLICATION_SECRET_VOLUME, mountPath: POSTGRES_REPLICATION_SECRET_DIRECTORY, readOnly: true },
    ],
  };
}
