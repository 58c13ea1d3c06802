/**
 * The engine-level pieces of the `Postgres` preset: what a StatefulSet pod container needs to run
 * the official `postgres` image (Debian variants) safely, as pure functions that return Kubernetes
 * core/v1 JSON. The construct wrapper renders these into the StatefulSet it builds on
 * `StatefulWorkload`; nothing here creates constructs.
 *
 * Facts about the image this module relies on (docker-library/postgres, `Dockerfile` and
 * `docker-entrypoint.sh` of the Debian variants, checked for 15, 16, 17 and 18):
 * - user `postgres` is uid 999, gid 999; `PATH` includes `/usr/lib/postgresql/<major>/bin`;
 * - `listen_addresses = '*'` in the sample configuration initdb copies;
 * - `STOPSIGNAL SIGINT`: containerd and CRI-O send the image's stop signal, so the kubelet stops
 *   the container with PostgreSQL's *fast* shutdown;
 * - the entrypoint, when `$PGDATA/PG_VERSION` is missing: reads `POSTGRES_PASSWORD` (or the file
 *   named by `POSTGRES_PASSWORD_FILE`, trailing newlines stripped), runs
 *   `initdb --username="$POSTGRES_USER" --pwfile=<password>`, appends
 *   `host all all all scram-sha-256` to pg_hba.conf, starts a socket-only temporary server
 *   (`-c listen_addresses='' -p "${PGPORT:-5432}"`), creates `POSTGRES_DB` with psql's own
 *   identifier quoting (`CREATE DATABASE :"db"`), runs `/docker-entrypoint-initdb.d/*` in order
 *   (`*.sql` through `psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB"`),
 *   stops the temporary server and `exec`s the real one with the container's args;
 * - it creates and `chmod 00700`s `$PGDATA` on every start (so a volume whose ownership the kubelet
 *   changed for `fsGroup` still passes PostgreSQL's data directory permission check);
 * - from 18 the image's default `PGDATA` is `/var/lib/postgresql/18/docker`, and the entrypoint
 *   refuses to initialize there when it finds old data; with `PGDATA` set explicitly, as here,
 *   neither applies and every major uses the same layout.
 *
 * Every check fails with the library's one error shape (`fail()` in ../validation).
 */
import { Size } from 'cdk8s';
import { defaultTagOf } from '../../private/engine-versions';
import { kibibytes, toQuantity } from '../../private/quantity';
import { checkDns1123Label, checkDns1123Subdomain, checkPort, fail, show } from '../../private/validation';

// ---------------------------------------------------------------------------------- image facts

/** The official image's `postgres` user (Debian variants; the Alpine variants use uid 70). */
export const POSTGRES_UID = 999;
/** The official image's `postgres` group (Debian variants). */
export const POSTGRES_GID = 999;
/** The official image, fully qualified so that no registry mirror default changes what runs. */
export const POSTGRES_IMAGE_REPOSITORY = 'docker.io/library/postgres';
/** PostgreSQL's port. */
export const POSTGRES_DEFAULT_PORT = 5432;
/** The oldest major version accepted: 14 reached its end of life in November 2026. */
export const POSTGRES_MIN_MAJOR = 15;

/** One supported major version and the image tag it defaults to. */
export interface PostgresVersionData {
  /** The major version, e.g. 17. */
  readonly major: number;
  /** A pinned, published tag of the official image (Debian variant), e.g. `17.9`. */
  readonly tag: string;
}

/**
 * The majors the preset offers (`PostgresVersion.V15` to `V18`) with the tag each pins: the
 * default tags of the engine version policy (src/private/engine-versions.ts), the newest minor
 * release of each major published as an official image tag, checked against the release notes
 * and security advisories on the policy's date. Bump them there (docs/engine-versions.md).
 */
export const POSTGRES_VERSIONS: readonly PostgresVersionData[] = [15, 16, 17, 18]
  .map(major => ({ major, tag: defaultTagOf('postgres', String(major)) }));

/** The tag used when none is given: the default major of the policy (17). */
export const POSTGRES_DEFAULT_TAG = defaultTagOf('postgres', '17');

// ------------------------------------------------------------------------------ layout and sizes

/** Where the data claim is mounted, the image's own data path. */
export const POSTGRES_DEFAULT_MOUNT_PATH = '/var/lib/postgresql/data';
/**
 * `PGDATA` lives in this subdirectory of the mount: the root of a fresh ext4/xfs volume holds
 * `lost+found`, and initdb refuses a non-empty directory.
 */
export const PGDATA_SUBDIRECTORY = 'pgdata';
/** The Unix socket and lock file directory (the Debian packages' compiled-in default). */
export const POSTGRES_SOCKET_DIRECTORY = '/var/run/postgresql';
/** The directory the entrypoint runs init scripts from. */
export const POSTGRES_INITDB_DIRECTORY = '/docker-entrypoint-initdb.d';
/** Where the password Secret is mounted; the file is `password` in it. */
export const POSTGRES_SECRET_DIRECTORY = '/run/secrets/postgres';
/** The password file's name in `POSTGRES_SECRET_DIRECTORY`. */
export const POSTGRES_PASSWORD_FILE_NAME = 'password';

/** Below this memory limit the engine is refused. */
export const POSTGRES_MIN_MEMORY = Size.mebibytes(256);
/** The memory limit (and request) when none is given. */
export const POSTGRES_DEFAULT_MEMORY = Size.gibibytes(1);
/** The CPU request (no CPU limit: a limit throttles a database even on an idle node). */
export const POSTGRES_DEFAULT_CPU_REQUEST = '500m';
/** The smallest `/dev/shm`: what container runtimes give without a volume (64Mi). */
export const POSTGRES_MIN_SHM_MEBIBYTES = 64;

/** Names of the volumes this module renders (besides the data claim). */
export const POSTGRES_VOLUME_NAMES = {
  socket: 'postgres-run',
  /** The same name `StatefulWorkload` gives its writable `/tmp`, so the two never both appear. */
  tmp: 'tmp',
  shm: 'dshm',
  password: 'postgres-password',
  initScripts: 'postgres-initdb',
} as const;

/** File name endings the image's entrypoint runs from `/docker-entrypoint-initdb.d`; it ignores any other file. */
export const POSTGRES_INIT_SCRIPT_SUFFIXES = ['.sql', '.sql.gz', '.sql.xz', '.sql.zst', '.sh'];

// ------------------------------------------------------------------------------------ Kubernetes JSON

/**
 * A core/v1 `EnvVar`: a literal value, or (only for the user name, never for the password) a
 * `secretKeyRef`.
 */
export interface EnvVarJson {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly secretKeyRef: PostgresSecretKeyRef };
}

/** A core/v1 `Probe` with an `exec` action. */
export interface ExecProbeJson {
  readonly exec: { readonly command: string[] };
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly successThreshold: number;
  readonly failureThreshold: number;
}

/** A core/v1 `VolumeMount`. */
export interface VolumeMountJson {
  readonly name: string;
  readonly mountPath: string;
  readonly readOnly?: boolean;
}

/** The core/v1 `Volume`s this module renders: emptyDir, Secret and ConfigMap sources. */
export interface VolumeJson {
  readonly name: string;
  readonly emptyDir?: { readonly medium?: string; readonly sizeLimit?: string };
  readonly secret?: {
    readonly secretName: string;
    readonly items: Array<{ readonly key: string; readonly path: string }>;
    readonly defaultMode: number;
  };
  readonly configMap?: { readonly name: string; readonly defaultMode: number };
}

/** A core/v1 `ContainerPort`. */
export interface ContainerPortJson {
  readonly name: string;
  readonly containerPort: number;
  readonly protocol: string;
}

/** A core/v1 `ResourceRequirements`. */
export interface ResourcesJson {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly memory: string };
}

// ---------------------------------------------------------------------------------------- options

/** A key of a Kubernetes Secret. */
export interface PostgresSecretKeyRef {
  /** The Secret's name (a DNS-1123 subdomain), in the pod's namespace. */
  readonly name: string;
  /** The key holding the superuser password. */
  readonly key: string;
}

/** Init scripts from a ConfigMap, run once, when the data directory is first initialized. */
export interface PostgresInitScripts {
  /** The ConfigMap's name; all its keys become files in `/docker-entrypoint-initdb.d`. */
  readonly configMapName: string;
  /**
   * The ConfigMap's keys, when known (e.g. a ConfigMap the construct creates): each is checked to
   * end in a suffix the entrypoint runs, since it silently ignores any other file.
   *
   * @default - not checked
   */
  readonly keys?: string[];
}

/** What the Postgres engine is rendered from. */
export interface PostgresEngineOptions {
  /**
   * The image tag: `<major>.<minor>`, optionally `-trixie` or `-bookworm` (Debian variants).
   *
   * @default POSTGRES_DEFAULT_TAG
   */
  readonly version?: string;
  /**
   * The superuser the image creates at first start (`POSTGRES_USER`), which the probes use too.
   *
   * @default "postgres" (the image's default)
   */
  readonly user?: string;
  /**
   * The Secret key holding the superuser's name, in place of `user`: `POSTGRES_USER` is then a
   * `secretKeyRef` to the key consumers read their user name from, so the server and its clients
   * can never disagree. The name is not known when rendering: the probes read it from
   * `$POSTGRES_USER` in the container, and `database` must be given (the image would default it
   * to the unknown name).
   *
   * @default - the user is `user`
   */
  readonly userSecret?: PostgresSecretKeyRef;
  /**
   * The database the image creates at first start (`POSTGRES_DB`), where init scripts run.
   *
   * @default - the user's name (the image's default)
   */
  readonly database?: string;
  /** The Secret key holding the superuser password. Never a literal, never generated. */
  readonly passwordSecret: PostgresSecretKeyRef;
  /**
   * The container's memory limit and request; `shared_buffers`, `/dev/shm` and the termination
   * grace are derived from it.
   *
   * @default POSTGRES_DEFAULT_MEMORY (1Gi)
   */
  readonly memoryLimit?: Size;
  /**
   * The port the server listens on.
   *
   * @default 5432
   */
  readonly port?: number;
  /**
   * Init scripts from a ConfigMap.
   *
   * @default - none
   */
  readonly initScripts?: PostgresInitScripts;
  /**
   * Where the data claim is mounted; `PGDATA` is its `pgdata` subdirectory.
   *
   * @default "/var/lib/postgresql/data"
   */
  readonly mountPath?: string;
  /**
   * The name of the data volume (the claim template's name).
   *
   * @default "data"
   */
  readonly dataVolumeName?: string;
}

/** The rendered engine: the pieces of the pod spec and its container. */
export interface PostgresEngine {
  /** `docker.io/library/postgres:<tag>`. */
  readonly image: string;
  /** The tag and the major version it names. */
  readonly tag: string;
  readonly major: number;
  /**
   * The validated superuser and database names (plain identifiers: see `checkPostgresUser`); the
   * user is undefined with `userSecret` (it is known only in the container).
   */
  readonly user?: string;
  readonly database: string;
  readonly port: number;
  /** `PGDATA`: the mount path's `pgdata` subdirectory. */
  readonly pgdata: string;
  /** Container args (the image's entrypoint stays the command). */
  readonly args: string[];
  /** Container env. */
  readonly env: EnvVarJson[];
  /** Container ports. */
  readonly ports: ContainerPortJson[];
  readonly startupProbe: ExecProbeJson;
  readonly livenessProbe: ExecProbeJson;
  readonly readinessProbe: ExecProbeJson;
  /** Pod volumes, the data claim excluded (the claim template provides it). */
  readonly volumes: VolumeJson[];
  /** Container volume mounts, the data claim's included. */
  readonly volumeMounts: VolumeMountJson[];
  /** Container resources. */
  readonly resources: ResourcesJson;
  /** Container `securityContext` fields: run as the image's `postgres` user. */
  readonly securityContext: { readonly runAsUser: number; readonly runAsGroup: number; readonly runAsNonRoot: boolean };
  /** Pod `securityContext.fsGroup`: the claim and Secret volumes are group-owned by it. */
  readonly fsGroup: number;
  /** Pod `terminationGracePeriodSeconds`. */
  readonly terminationGracePeriodSeconds: number;
  /** `shared_buffers` in MiB and as passed to the server (`256MB`: PostgreSQL's MB is 1024 kB). */
  readonly sharedBuffersMebibytes: number;
  readonly sharedBuffers: string;
  /** The `/dev/shm` emptyDir's `sizeLimit`, as the API server stores it (`256Mi`, `4Gi`). */
  readonly shmSizeLimit: string;
}

// ----------------------------------------------------------------------------------------- render

/**
 * Renders the Postgres engine's container and pod pieces from validated options.
 *
 * Choices (each function below documents its own):
 * - **Password**: `POSTGRES_PASSWORD_FILE` naming a file of a mounted Secret volume (one item,
 *   `defaultMode` 0440, readable through the pod's `fsGroup`), not `POSTGRES_PASSWORD` from a
 *   `secretKeyRef`: the kubelet resolves a `secretKeyRef` into the container's configuration
 *   (visible to `crictl inspect` on the node) and every process started in the container gets
 *   it, probes and `kubectl exec` sessions included. With the file, only the entrypoint reads it
 *   (trailing newlines stripped, as `$(< file)` does; a Secret made with `--from-file` often ends
 *   in one). The entrypoint does export the value to the server it starts, so this narrows who
 *   sees the password, it does not hide it from the server's own processes. The password only
 *   matters when the data directory is first initialized; changing the Secret later changes
 *   nothing in the database (use `ALTER ROLE ... PASSWORD`).
 * - **Port**: rendered once, as `PGPORT`: PostgreSQL reads it at startup as its `port`, the
 *   entrypoint's temporary server uses it, and so do `pg_isready` in the probes and `psql` in a
 *   `kubectl exec` session. The args carry no `-p`.
 * - **Args**: `postgres -c shared_buffers=<n>MB` (see `postgresSharedBuffersMebibytes`).
 * - **Writable paths** under a read-only root file system: emptyDirs at `/var/run/postgresql`
 *   (the Unix socket and its lock file), `/tmp` (for init scripts and the shell: bash writes
 *   here-documents larger than a pipe there) and `/dev/shm` (memory-backed, see
 *   `postgresShmSizeMebibytes`), the data claim at the mount path. The server itself writes
 *   nowhere else: its temporary files go to `PGDATA/base/pgsql_tmp`.
 * - **Resources**: memory request equal to the limit (a database evicted or OOM-killed loses
 *   every session and replays WAL), a CPU request of 500m and no CPU limit.
 * - **uid/gid/fsGroup** 999: the image's `postgres` user; the fsGroup lets it create `PGDATA` in
 *   the volume root and read the Secret file.
 *
 * @param where who complains, e.g. `Postgres 'chart/db'`
 * @param options the engine options; their names are the prop names in error messages
 */
export function renderPostgres(where: string, options: PostgresEngineOptions): PostgresEngine {
  const { tag, major } = parsePostgresTag(where, 'version', options.version ?? POSTGRES_DEFAULT_TAG);
  if (options.userSecret !== undefined && options.user !== undefined) {
    throw fail(where, 'user', options.user, 'Cannot be combined with \'userSecret\': the user name comes from one place only',
      'Leave \'user\' out, or drop \'userSecret\'');
  }
  const userSecret = options.userSecret !== undefined ? checkSecretKeyRef(where, 'userSecret', options.userSecret, 'user name') : undefined;
  const user = userSecret ? undefined : checkPostgresUser(where, 'user', options.user ?? 'postgres');
  if (userSecret && options.database === undefined) {
    throw fail(where, 'database', options.database,
      'Must be given with \'userSecret\': the image would name the database after the user, whose name is not known when rendering',
      'Set \'database\' to a name such as "app"');
  }
  const database = checkPostgresDatabase(where, 'database', options.database ?? user!);
  const secret = checkPasswordSecret(where, 'passwordSecret', options.passwordSecret);
  const port = options.port ?? POSTGRES_DEFAULT_PORT;
  checkPostgresPort(where, 'port', port);
  const memoryLimit = options.memoryLimit ?? POSTGRES_DEFAULT_MEMORY;
  const memory = checkPostgresMemory(where, 'memoryLimit', memoryLimit);
  const mountPath = checkPostgresMountPath(where, 'mountPath', options.mountPath ?? POSTGRES_DEFAULT_MOUNT_PATH);
  const dataVolumeName = options.dataVolumeName ?? 'data';
  checkDataVolumeName(where, 'dataVolumeName', dataVolumeName);
  if (options.initScripts) checkInitScripts(where, 'initScripts', options.initScripts);

  const sharedBuffersMebibytes = postgresSharedBuffersMebibytes(memoryLimit);
  const shmMebibytes = postgresShmSizeMebibytes(sharedBuffersMebibytes);
  const sharedBuffers = `${sharedBuffersMebibytes}MB`;
  const shmSizeLimit = toQuantity(Size.mebibytes(shmMebibytes))!;
  const pgdata = `${mountPath}/${PGDATA_SUBDIRECTORY}`;
  const probes = postgresProbes(user, database);
  const names = POSTGRES_VOLUME_NAMES;

  const volumes: VolumeJson[] = [
    { name: names.socket, emptyDir: {} },
    { name: names.tmp, emptyDir: {} },
    { name: names.shm, emptyDir: { medium: 'Memory', sizeLimit: shmSizeLimit } },
    {
      name: names.password,
      secret: { secretName: secret.name, items: [{ key: secret.key, path: POSTGRES_PASSWORD_FILE_NAME }], defaultMode: 0o440 },
    },
  ];
  const volumeMounts: VolumeMountJson[] = [
    { name: dataVolumeName, mountPath },
    { name: names.socket, mountPath: POSTGRES_SOCKET_DIRECTORY },
    { name: names.tmp, mountPath: '/tmp' },
    { name: names.shm, mountPath: '/dev/shm' },
    { name: names.password, mountPath: POSTGRES_SECRET_DIRECTORY, readOnly: true },
  ];
  if (options.initScripts) {
    volumes.push({ name: names.initScripts, configMap: { name: options.initScripts.configMapName, defaultMode: 0o444 } });
    volumeMounts.push({ name: names.initScripts, mountPath: POSTGRES_INITDB_DIRECTORY, readOnly: true });
  }

  return {
    image: `${POSTGRES_IMAGE_REPOSITORY}:${tag}`,
    tag,
    major,
    user,
    database,
    port,
    pgdata,
    args: ['postgres', '-c', `shared_buffers=${sharedBuffers}`],
    env: [
      { name: 'PGDATA', value: pgdata },
      { name: 'PGPORT', value: String(port) },
      userSecret ? { name: 'POSTGRES_USER', valueFrom: { secretKeyRef: userSecret } } : { name: 'POSTGRES_USER', value: user },
      { name: 'POSTGRES_DB', value: database },
      { name: 'POSTGRES_PASSWORD_FILE', value: `${POSTGRES_SECRET_DIRECTORY}/${POSTGRES_PASSWORD_FILE_NAME}` },
    ],
    ports: [{ name: 'postgres', containerPort: port, protocol: 'TCP' }],
    ...probes,
    volumes,
    volumeMounts,
    resources: {
      requests: { cpu: POSTGRES_DEFAULT_CPU_REQUEST, memory },
      limits: { memory },
    },
    securityContext: { runAsUser: POSTGRES_UID, runAsGroup: POSTGRES_GID, runAsNonRoot: true },
    fsGroup: POSTGRES_GID,
    terminationGracePeriodSeconds: postgresTerminationGraceSeconds(sharedBuffersMebibytes),
    sharedBuffersMebibytes,
    sharedBuffers,
    shmSizeLimit,
  };
}

// -------------------------------------------------------------------------------- computed values

/**
 * `shared_buffers`: a quarter of the memory limit, in whole MiB (rounded down), the starting point
 * the PostgreSQL documentation gives for a dedicated server ("a reasonable starting value for
 * shared_buffers is 25% of the memory in your system"). The rest of the limit is left to
 * backends (`work_mem` per sort or hash, `maintenance_work_mem` per vacuum or index build),
 * `/dev/shm` and the kernel's page cache, which PostgreSQL relies on for reads.
 *
 * 1Gi gives 256 (MB), the 256Mi minimum gives 64.
 *
 * @param memoryLimit the container's memory limit (checked by `checkPostgresMemory`)
 * @returns shared_buffers in MiB
 */
export function postgresSharedBuffersMebibytes(memoryLimit: Size): number {
  return Math.floor(kibibytes(memoryLimit) / 1024 / 4);
}

/**
 * The `sizeLimit` of the memory-backed `/dev/shm`, in MiB: as large as `shared_buffers`, and never
 * below the 64Mi container runtimes give by default.
 *
 * What lives there: not `shared_buffers`, which is anonymous shared memory
 * (`shared_memory_type = mmap`, the default on Linux), but PostgreSQL's *dynamic* shared memory
 * (`dynamic_shared_memory_type = posix`): the segments parallel queries exchange tuples through
 * and parallel hash joins build their tables in. The runtimes' 64Mi `/dev/shm` makes such queries
 * fail with "could not resize shared memory segment ... No space left on device" once
 * `work_mem` or the number of workers grows, which is why the volume is mounted at all. Pages
 * written there count against the container's memory limit, so the size is a cap, not a
 * reservation: `shared_buffers` plus a full `/dev/shm` stay within half of the limit.
 *
 * @param sharedBuffersMebibytes from `postgresSharedBuffersMebibytes`
 * @returns the `/dev/shm` size limit in MiB
 */
export function postgresShmSizeMebibytes(sharedBuffersMebibytes: number): number {
  return Math.max(POSTGRES_MIN_SHM_MEBIBYTES, sharedBuffersMebibytes);
}

/**
 * `terminationGracePeriodSeconds`: 60 seconds, plus one second per 32 MiB of `shared_buffers`.
 *
 * The image's `STOPSIGNAL SIGINT` makes the runtime stop the container with PostgreSQL's *fast*
 * shutdown: sessions are ended, open transactions rolled back, and a shutdown checkpoint writes
 * every dirty page of `shared_buffers` before the server exits. The 60 seconds cover ending
 * sessions and a lightly dirty cache; the second term allows writing all of `shared_buffers` at
 * 32 MiB/s, a pessimistic rate for network block storage. (A SIGTERM would be a *smart*
 * shutdown, which waits for every client to disconnect: that is why the image chose SIGINT.)
 * If the grace runs out, the kubelet kills the server and the next start replays the WAL: no
 * data is lost, the start is slower. The grace is an upper bound: the pod goes as soon as the
 * server has exited.
 *
 * 1Gi of memory (256MB) gives 68 seconds; 16Gi (4096MB) 188; 64Gi (16384MB) 572.
 *
 * @param sharedBuffersMebibytes from `postgresSharedBuffersMebibytes`
 * @returns seconds
 */
export function postgresTerminationGraceSeconds(sharedBuffersMebibytes: number): number {
  return 60 + Math.ceil(sharedBuffersMebibytes / 32);
}

// ------------------------------------------------------------------------------------------ probes

/** How long the startup probe allows before the liveness probe takes over: 180 x 10 s = 30 minutes. */
export const POSTGRES_STARTUP_FAILURE_THRESHOLD = 180;

/**
 * The three probes, all `pg_isready` run in the container (`exec`), over TCP to `127.0.0.1`, as
 * the rendered user, to the rendered database, on the port from `PGPORT` in the container's
 * environment.
 *
 * - **TCP, not the socket**: on first start the entrypoint runs initdb and the init scripts
 *   against a temporary server that listens on the Unix socket only. Probing the socket would
 *   report that server ready, and Services would route to a pod that has no TCP listener and is
 *   about to restart its server. `127.0.0.1` is on every pod's loopback interface, IPv6-only
 *   clusters included, and the image listens on `*`.
 * - **The rendered user and database**: `pg_isready` does not need valid credentials, but
 *   PostgreSQL logs every connection attempt for a missing role or database as `FATAL`; with
 *   `pg_isready`'s defaults (the OS user `postgres`, a database of the same name) a cluster whose
 *   superuser has another name would log one every probe. The image's pg_hba.conf trusts
 *   127.0.0.1, so no password is involved. The names are plain identifiers (see
 *   `checkPostgresUser`), so `--dbname` can never be read as a connection string.
 * - **Readiness** passes on exit 0 only (accepting connections): a server starting up, in crash
 *   recovery or shutting down answers "rejecting connections" (exit 1) and gets no traffic.
 * - **Liveness** passes on exit 0 *or 1*: an answer, even a refusal, proves the postmaster is
 *   alive. A server doing crash recovery (after a backend was OOM-killed the postmaster recovers
 *   in place, without a container restart) or a standby without hot standby answers exit 1 for
 *   as long as it needs; restarting it would only start the recovery over. Only "no response"
 *   (exit 2) for 6 x 10 s restarts the container.
 * - **Startup** uses the liveness command, with 30 minutes (180 x 10 s) before liveness takes
 *   over: on first start there is no TCP listener until initdb and every init script are done,
 *   and an init script may restore a dump. On a restart, crash recovery answers exit 1 and so
 *   ends the startup phase at once, leaving recovery time unbounded under the liveness rule.
 * - `pg_isready --timeout=3` gives up before the probe's 5 s `timeoutSeconds`, so a hung
 *   server shows as pg_isready's own "no response" rather than a killed probe.
 *
 * The liveness and startup commands are `sh -c 'pg_isready "$@"; test $? -le 1' pg_isready <args>`:
 * the names reach `pg_isready` as arguments, never as shell text.
 *
 * With the user from a Secret (`user` undefined), the user name is read from `$POSTGRES_USER`
 * in the container's environment, double-quoted: `sh -c 'pg_isready --username="$POSTGRES_USER" "$@"'`
 * (readiness with `exec`), so any name reaches `pg_isready` as one argument.
 *
 * @param user the superuser (validated), or undefined to read it from `$POSTGRES_USER`
 * @param database the database (validated)
 */
export function postgresProbes(user: string | undefined, database: string): {
  startupProbe: ExecProbeJson; livenessProbe: ExecProbeJson; readinessProbe: ExecProbeJson;
} {
  const args = ['--host=127.0.0.1', ...user !== undefined ? [`--username=${user}`] : [], `--dbname=${database}`, '--timeout=3'];
  const fromEnv = user === undefined ? ' --username="$POSTGRES_USER"' : '';
  const isReady = user !== undefined ? ['pg_isready', ...args] : ['sh', '-c', `exec pg_isready${fromEnv} "$@"`, 'pg_isready', ...args];
  const alive = ['sh', '-c', `pg_isready${fromEnv} "$@"; test $? -le 1`, 'pg_isready', ...args];
  const probe = (command: string[], failureThreshold: number): ExecProbeJson => ({
    exec: { command },
    periodSeconds: 10,
    timeoutSeconds: 5,
    successThreshold: 1,
    failureThreshold,
  });
  return {
    startupProbe: probe(alive, POSTGRES_STARTUP_FAILURE_THRESHOLD),
    livenessProbe: probe(alive, 6),
    readinessProbe: probe(isReady, 3),
  };
}

// ------------------------------------------------------------------------------------------ checks

const TAG = /^([0-9]+)\.([0-9]+)(?:-(trixie|bookworm))?$/;

/**
 * Checks an image tag of the official image and returns it with its major version.
 *
 * Accepted: `<major>.<minor>` and the Debian variant tags `<major>.<minor>-trixie` /
 * `-bookworm`, major 15 or later. Refused: a bare major (`17`) or `latest` (not pinned: a
 * restart could start another minor, or after a new major a server that cannot read the data
 * directory), Alpine tags (their `postgres` user is uid 70, not 999, and they use musl's
 * collation, which changes index order), anything else.
 *
 * @param where who complains
 * @param prop the prop holding the tag
 * @param tag the tag
 */
export function parsePostgresTag(where: string, prop: string, tag: string): { tag: string; major: number } {
  const fix = `Set '${prop}' to a pinned tag such as "${POSTGRES_DEFAULT_TAG}"`;
  if (typeof tag === 'string' && /alpine/.test(tag)) {
    throw fail(where, prop, tag,
      'Alpine images are not supported: their postgres user is uid 70, not 999, and their C library sorts text differently (indexes built by one are wrong under the other)',
      `${fix}, or its Debian variant "${POSTGRES_DEFAULT_TAG}-bookworm"`);
  }
  const m = typeof tag === 'string' ? TAG.exec(tag) : null;
  if (!m) {
    throw fail(where, prop, tag,
      'Must be a pinned tag of the official image: <major>.<minor>, optionally with "-trixie" or "-bookworm"; '
      + 'a bare major or "latest" would let a restart run another version',
      fix);
  }
  const major = Number(m[1]);
  if (major < POSTGRES_MIN_MAJOR) {
    throw fail(where, prop, tag,
      `Must be PostgreSQL ${POSTGRES_MIN_MAJOR} or later: older major versions no longer receive fixes`,
      fix);
  }
  return { tag, major };
}

/**
 * PostgreSQL keywords that `quote_ident()` quotes: the reserved ones (category R), those reserved
 * but usable as function or type names (T) and those usable only as column names (C). Unreserved
 * keywords (U, e.g. `data`, `name`) are plain identifiers. PostgreSQL 15's `pg_get_keywords()`
 * (the test compares it with this list) plus what 16 and 17 added: `system_user` (R), the SQL/JSON
 * functions and `merge_action` (C). A stale list errs on the side of refusing.
 */
const QUOTED_KEYWORDS = new Set(`
all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean both case cast
char character check coalesce collate collation column concurrently constraint create cross current_catalog
current_date current_role current_schema current_time current_timestamp current_user dec decimal default deferrable
desc distinct do else end except exists extract false fetch float for foreign freeze from full grant greatest group
grouping having ilike in initially inner inout int integer intersect interval into is isnull join lateral leading least
left like limit localtime localtimestamp national natural nchar none normalize not notnull null nullif numeric offset
on only or order out outer overlaps overlay placing position precision primary real references returning right row
select session_user setof similar smallint some substring symmetric table tablesample then time timestamp to trailing
treat trim true union unique user using values varchar variadic verbose when where window with xmlattributes xmlconcat
xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable
system_user json json_array json_arrayagg json_object json_objectagg
json_exists json_query json_scalar json_serialize json_table json_value merge_action
`.trim().split(/\s+/));

/** The keywords in `QUOTED_KEYWORDS` that PostgreSQL 16 and 17 added (for the test against a live server). */
export const POSTGRES_KEYWORDS_SINCE_16 = [
  'system_user', 'json', 'json_array', 'json_arrayagg', 'json_object', 'json_objectagg',
  'json_exists', 'json_query', 'json_scalar', 'json_serialize', 'json_table', 'json_value', 'merge_action',
];

/** Every keyword `postgresNeedsQuoting` treats as needing quotes (a copy, sorted). */
export function postgresQuotedKeywords(): string[] {
  return [...QUOTED_KEYWORDS].sort();
}

/**
 * Whether PostgreSQL needs `name` quoted to read it as exactly this identifier: the rule of its
 * `quote_ident()`. A name is plain when it starts with `a`-`z` or `_`, continues with `a`-`z`,
 * `0`-`9` or `_`, and is not a keyword of `QUOTED_KEYWORDS`. Upper case needs quoting because
 * PostgreSQL folds unquoted names to lower case (`App` unquoted is `app`); `$` and non-ASCII
 * letters are legal unquoted but `quote_ident()` quotes them, and so does this function.
 *
 * @param name the identifier
 */
export function postgresNeedsQuoting(name: string): boolean {
  return !/^[a-z_][a-z0-9_]*$/.test(name) || QUOTED_KEYWORDS.has(name);
}

/**
 * An identifier as SQL text, quoted only when it needs to be, as PostgreSQL's `quote_ident()`
 * writes it: `app` stays `app`, `select` becomes `"select"`, `My "db"` becomes `"My ""db"""`.
 *
 * For SQL this library may render (e.g. grants in a generated init script); the names the engine
 * accepts never need quoting, but quoting here does not depend on that.
 *
 * @param name the identifier: 1 to 63 bytes of UTF-8, no NUL
 * @throws when `name` cannot be a PostgreSQL identifier (empty, a NUL byte, longer than 63 bytes)
 */
export function postgresQuoteIdent(name: string): string {
  if (name.length === 0 || name.includes('\0') || Buffer.byteLength(name, 'utf8') > 63) {
    throw new Error(`${show(name)} cannot be a PostgreSQL identifier: identifiers are 1 to 63 bytes without NUL`);
  }
  return postgresNeedsQuoting(name) ? `"${name.replace(/"/g, '""')}"` : name;
}

/**
 * The identifier policy for the superuser and database names: **plain identifiers only**, i.e.
 * names no SQL statement needs to quote (`postgresNeedsQuoting()` is false), of at most 63 bytes.
 *
 * Why refuse rather than quote: the image itself handles any name (initdb takes the user as an
 * argument; the entrypoint creates the database with psql's `:"db"` quoting), but every later
 * use (a grant in an init script, a migration, `ALTER DATABASE`, a DBA's `psql` session) is SQL
 * someone writes by hand, where a name like `App` or `order` breaks unless quoted each time, and
 * libpq reads a database name containing `=` as a connection string. A plain name works
 * everywhere, quoted or not.
 *
 * The 63-byte limit is PostgreSQL's (`NAMEDATALEN - 1`): longer names are silently truncated in
 * SQL, so the truncated and the full name would disagree.
 *
 * @param where who complains
 * @param prop the prop holding the name
 * @param name the name
 * @param what what the name names, for messages ("user" or "database")
 * @returns the name
 */
export function checkPostgresIdentifier(where: string, prop: string, name: string, what: string): string {
  const fix = `Set '${prop}' to a name such as "app"`;
  if (typeof name !== 'string' || name.length === 0) {
    throw fail(where, prop, name, `A ${what} name is required`, fix);
  }
  if (Buffer.byteLength(name, 'utf8') > 63) {
    throw fail(where, prop, name,
      `Must be at most 63 bytes (PostgreSQL truncates longer identifiers, so the ${what} would get another name than the one clients use)`,
      `Shorten '${prop}'`);
  }
  if (/[A-Z]/.test(name) && /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) {
    const lower = name.toLowerCase();
    throw fail(where, prop, name,
      'Must be lower case: PostgreSQL folds unquoted names to lower case, so this name would need double quotes in every SQL statement',
      QUOTED_KEYWORDS.has(lower) ? fix : `Set '${prop}' to ${show(lower)}`);
  }
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    throw fail(where, prop, name,
      'Must be a plain SQL identifier that needs no quoting: a lower case letter or "_", then lower case letters, digits or "_"',
      fix);
  }
  if (QUOTED_KEYWORDS.has(name)) {
    throw fail(where, prop, name,
      'Must not be a reserved PostgreSQL keyword: it would need double quotes in every SQL statement',
      `Set '${prop}' to another name, such as "${name}_${what === 'user' ? 'owner' : 'db'}"`);
  }
  return name;
}

/**
 * Checks the superuser name (`POSTGRES_USER`): a plain identifier (`checkPostgresIdentifier`),
 * not starting with `pg_` (reserved for predefined roles; initdb refuses it) and not `public`
 * (the pseudo-role every role belongs to). `postgres`, the image's default, is accepted.
 *
 * @param where who complains
 * @param prop the prop holding the name
 * @param name the name
 */
export function checkPostgresUser(where: string, prop: string, name: string): string {
  checkPostgresIdentifier(where, prop, name, 'user');
  if (name.startsWith('pg_')) {
    throw fail(where, prop, name, 'Must not start with "pg_": PostgreSQL reserves such role names for its predefined roles, and initdb refuses them',
      `Set '${prop}' to a name such as "app"`);
  }
  if (name === 'public') {
    throw fail(where, prop, name, '"public" is reserved: it names the group every role belongs to', `Set '${prop}' to a name such as "app"`);
  }
  return name;
}

/**
 * Checks the database name (`POSTGRES_DB`): a plain identifier (`checkPostgresIdentifier`), not
 * `template0` (accepts no connections) or `template1` (copied into every database created
 * later: application objects there would turn up in each of them). `postgres` is accepted: it
 * exists after initdb (the entrypoint then creates nothing) and is, in the words of the
 * PostgreSQL documentation, "a default database meant for use by users, utilities and third
 * party applications".
 *
 * @param where who complains
 * @param prop the prop holding the name
 * @param name the name
 */
export function checkPostgresDatabase(where: string, prop: string, name: string): string {
  checkPostgresIdentifier(where, prop, name, 'database');
  if (name === 'template0' || name === 'template1') {
    throw fail(where, prop, name,
      'Must not be a template database: template0 accepts no connections, and what is put in template1 is copied into every database created later',
      `Set '${prop}' to a name such as "app"`);
  }
  return name;
}

/**
 * Checks the port: a valid port number, and not below 1024, which a non-root process can bind
 * only with `NET_BIND_SERVICE`, a capability the restricted pod defaults drop.
 *
 * @param where who complains
 * @param prop the prop holding the port
 * @param port the port
 */
export function checkPostgresPort(where: string, prop: string, port: number): void {
  checkPort(where, prop, port);
  if (port < 1024) {
    throw fail(where, prop, port,
      'Must be 1024 or above: PostgreSQL runs as uid 999, and binding a lower port needs the NET_BIND_SERVICE capability, which the restricted pod defaults drop',
      `Set '${prop}' to ${POSTGRES_DEFAULT_PORT}`);
  }
}

/**
 * Checks the memory limit and returns it as a quantity: at least 256Mi, in whole KiB.
 *
 * Why 256Mi: `shared_buffers` gets a quarter (64MB), and the rest must hold the postmaster and
 * its background processes (~30MiB together), each connection's backend (a few MiB idle, plus
 * `work_mem` = 4MB per sort or hash while a query runs) and autovacuum (up to
 * `maintenance_work_mem` = 64MB per worker). Below it, ordinary load gets the container
 * OOM-killed, and every kill of a backend makes the postmaster end all sessions and recover.
 *
 * @param where who complains
 * @param prop the prop holding the limit
 * @param memoryLimit the limit
 * @returns the limit as a Kubernetes quantity, e.g. `1Gi`
 */
export function checkPostgresMemory(where: string, prop: string, memoryLimit: Size): string {
  const quantity = toQuantity(memoryLimit);
  if (quantity === undefined) {
    throw fail(where, prop, `${kibibytes(memoryLimit)}Ki`, 'Must be a whole number of kibibytes', `Set '${prop}' to a size such as Size.gibibytes(1)`);
  }
  if (kibibytes(memoryLimit) < kibibytes(POSTGRES_MIN_MEMORY)) {
    throw fail(where, prop, quantity,
      'Must be at least 256Mi: PostgreSQL needs a quarter of it for shared_buffers and the rest for its processes, '
      + 'each connection and autovacuum, or it gets OOM-killed under ordinary load',
      `Set '${prop}' to Size.mebibytes(256) or more (the default is 1Gi)`);
  }
  return quantity;
}

const SYSTEM_DIRECTORIES = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib64', '/proc', '/run', '/sbin', '/sys', '/usr', '/var/run'];

/**
 * Checks where the data claim is mounted: an absolute, normalized path that does not overlap
 * the other mounts of the container (`/var/run/postgresql`, `/tmp`, `/dev/shm`, the Secret and
 * the init scripts) or a system directory of the image (`/usr`, `/etc`, ...).
 *
 * @param where who complains
 * @param prop the prop holding the path
 * @param path the path
 * @returns the path
 */
export function checkPostgresMountPath(where: string, prop: string, path: string): string {
  const fix = `Set '${prop}' to a path such as "${POSTGRES_DEFAULT_MOUNT_PATH}"`;
  const normalized = typeof path === 'string' && path.startsWith('/') && !path.endsWith('/')
    && path.split('/').slice(1).every(segment => segment !== '' && segment !== '.' && segment !== '..');
  if (!normalized) {
    throw fail(where, prop, path, 'Must be an absolute path other than "/", without "//", "." or ".." segments and without a trailing "/"', fix);
  }
  const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
  const taken = [POSTGRES_SOCKET_DIRECTORY, '/tmp', '/dev/shm', POSTGRES_SECRET_DIRECTORY, POSTGRES_INITDB_DIRECTORY].find(p => overlaps(path, p));
  if (taken) {
    throw fail(where, prop, path, `Must not overlap ${show(taken)}, which the engine mounts a volume of its own at`, fix);
  }
  const system = SYSTEM_DIRECTORIES.find(d => overlaps(path, d));
  if (system) {
    throw fail(where, prop, path, `Must not overlap the image's system directory ${show(system)}`, fix);
  }
  return path;
}

function checkDataVolumeName(where: string, prop: string, name: string): void {
  checkDns1123Label(where, prop, name);
  if ((Object.values(POSTGRES_VOLUME_NAMES) as string[]).includes(name)) {
    throw fail(where, prop, name, `Must not be one of the engine's own volume names (${Object.values(POSTGRES_VOLUME_NAMES).join(', ')})`,
      `Set '${prop}' to a name such as "data"`);
  }
}

function checkSecretKeyRef(where: string, prop: string, secret: PostgresSecretKeyRef, what: string): PostgresSecretKeyRef {
  checkDns1123Subdomain(where, `${prop}.name`, secret.name);
  if (typeof secret.key !== 'string' || !/^[-._a-zA-Z0-9]+$/.test(secret.key) || secret.key.length > 253 || secret.key === '.' || secret.key === '..') {
    throw fail(where, `${prop}.key`, secret.key,
      'Must be a Secret key: at most 253 letters, digits, "-", "_" or ".", not "." or ".."',
      `Set '${prop}.key' to the key holding the ${what}, such as "${what === 'password' ? 'password' : 'username'}"`);
  }
  return secret;
}

function checkPasswordSecret(where: string, prop: string, secret: PostgresSecretKeyRef | undefined): PostgresSecretKeyRef {
  if (!secret || typeof secret !== 'object') {
    throw fail(where, prop, secret,
      'The superuser password must come from a Kubernetes Secret: it is never a literal in the manifests and never generated at synth time',
      `Set '${prop}' to the Secret and key that hold the password`);
  }
  return checkSecretKeyRef(where, prop, secret, 'password');
}

function checkInitScripts(where: string, prop: string, scripts: PostgresInitScripts): void {
  checkDns1123Subdomain(where, `${prop}.configMapName`, scripts.configMapName);
  for (const [i, key] of (scripts.keys ?? []).entries()) {
    if (!POSTGRES_INIT_SCRIPT_SUFFIXES.some(suffix => key.endsWith(suffix) && key.length > suffix.length)) {
      throw fail(where, `${prop}.keys[${i}]`, key,
        `Must end in ${POSTGRES_INIT_SCRIPT_SUFFIXES.join(', ')}: the image's entrypoint ignores any other file in ${POSTGRES_INITDB_DIRECTORY}`,
        `Rename the key, e.g. to ${show(`${key.replace(/\.[^.]*$/, '')}.sql`)}`);
    }
  }
}
