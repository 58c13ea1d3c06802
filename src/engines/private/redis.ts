/**
 * The engine side of the `Redis` and `Valkey` presets: how a StatefulSet pod runs the official
 * `redis` image, or the `valkey/valkey` image (Valkey, the BSD-licensed fork of Redis 7.2.4), as a
 * primary (the first ordinal) or as a replica of it, rendered as plain Kubernetes JSON for the
 * pod's container. See `renderRedis()`. One module for both engines (the `flavor` option picks
 * the binaries, file names and image): replication, persistence, password handling and probes
 * are the same, and whatever is added to one (failover, say) reaches the other.
 *
 * Supported: Redis 7.0 and later (`bind * -::*`, `repl-diskless-sync-max-replicas` and the shared
 * replication buffer are 7.0 features), and every Valkey release (7.2 and later). Checked against
 * a real `redis-server` by test/engines/private/redis.test.ts and a real `valkey-server` by
 * test/engines/private/redis-valkey.test.ts and test/engines/valkey-real.test.ts.
 */
import {
  checkIdentity,
  checkPath,
  ContainerPortJson,
  EnvVarJson,
  memoryBytes,
  podDnsName,
  ProbeJson,
  PropNames,
  propName,
  showBytes,
  StatefulSetIdentity,
  VolumeJson,
  VolumeMountJson,
} from './common';
import { RedisTlsSettings, redisTlsConfig } from './redis-tls';
import { defaultTagOf } from '../../private/engine-versions';
import { checkDns1123Subdomain, checkInteger, checkPort, fail } from '../../private/validation';

/**
 * The official image, pinned to the default line's tag of the engine version policy
 * (src/private/engine-versions.ts). Fully qualified: CRI-O in its default short-name mode refuses
 * unqualified names such as `redis:7.2.16`.
 */
export const REDIS_DEFAULT_IMAGE = `docker.io/library/redis:${defaultTagOf('redis', '7.2')}`;

/** The Valkey project's image (Docker Hub `valkey/valkey`), pinned the same way. */
export const VALKEY_DEFAULT_IMAGE = `docker.io/valkey/valkey:${defaultTagOf('valkey', '8.1')}`;

/** Which server speaks the protocol: Redis, or its fork Valkey. */
export type RedisFlavor = 'redis' | 'valkey';

/** What differs between the flavours: binaries and the names of files and volumes. */
export interface RedisFlavorFacts {
  /** The server binary on the image's PATH. */
  readonly server: string;
  /** The command line client on the image's PATH (the probes use it). */
  readonly cli: string;
  /** The default image. */
  readonly defaultImage: string;
  /** Where the configuration volume is mounted by default. */
  readonly configDir: string;
}

/**
 * Both images install the binaries under their own names (the `valkey/valkey` image and Debian's
 * `valkey-server` package have no `redis-*` names), and both run as uid and gid 999 (`redis` and
 * `valkey` users of the Debian variants). valkey-cli reads the password from `VALKEYCLI_AUTH` and
 * falls back to `REDISCLI_AUTH` (8.0 reads only `REDISCLI_AUTH`), so one variable serves both.
 */
export const REDIS_FLAVORS: Readonly<Record<RedisFlavor, RedisFlavorFacts>> = {
  redis: { server: 'redis-server', cli: 'redis-cli', defaultImage: REDIS_DEFAULT_IMAGE, configDir: '/etc/redis' },
  valkey: { server: 'valkey-server', cli: 'valkey-cli', defaultImage: VALKEY_DEFAULT_IMAGE, configDir: '/etc/valkey' },
};

/** The `redis` user and group of the official image (Debian variant). */
export const REDIS_UID = 999;
export const REDIS_GID = 999;

/** The eviction policies Redis knows (`maxmemory-policy`). */
export const REDIS_EVICTION_POLICIES = [
  'noeviction', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl',
] as const;
export type RedisEvictionPolicy = typeof REDIS_EVICTION_POLICIES[number];

/** `appendfsync` values. */
export const REDIS_APPEND_FSYNC = ['always', 'everysec', 'no'] as const;
export type RedisAppendFsync = typeof REDIS_APPEND_FSYNC[number];

/** Below this memory limit the server's own footprint leaves too little room for data. */
export const REDIS_MIN_MEMORY_LIMIT = 64 * 1024 ** 2;

/** The environment variable that carries the password (redis-cli and valkey-cli read it too). */
export const REDIS_PASSWORD_ENV = 'REDISCLI_AUTH';
/** The environment variable the start script reads the primary's host from. */
export const REDIS_PRIMARY_HOST_ENV = 'REDIS_PRIMARY_HOST';
/** The memory-backed emptyDir the configuration (and the unix socket) lives in (`valkey-config` for Valkey). */
export const REDIS_CONFIG_VOLUME = 'redis-config';

/** A key of a Kubernetes Secret. */
export interface SecretKeyRef {
  /** The Secret's name. */
  readonly name: string;
  /** The key in the Secret. */
  readonly key: string;
}

/** Options of `renderRedis()`. */
export interface RedisEngineOptions extends StatefulSetIdentity {
  /**
   * The server: Redis or Valkey. It picks the binaries (`redis-server`/`valkey-server`,
   * `redis-cli`/`valkey-cli`), the default image and config directory, and the file and volume
   * names (`redis.conf`/`valkey.conf`, `redis-config`/`valkey-config`).
   *
   * @default 'redis'
   */
  readonly flavor?: RedisFlavor;
  /**
   * Read replicas besides the primary: the StatefulSet runs `replicas + 1` pods. 0 runs a single
   * primary.
   *
   * @default 2
   */
  readonly replicas?: number;
  /**
   * The container's memory limit: a Kubernetes quantity (`"1Gi"`) or bytes. `maxmemory` is derived
   * from it (see `maxMemoryPercent`).
   */
  readonly memoryLimit: string | number;
  /**
   * The share of the memory limit given to data (`maxmemory`), in percent. The rest is headroom
   * for what Redis does not count against `maxmemory` (see `redisMaxMemory()`).
   *
   * @default 75
   */
  readonly maxMemoryPercent?: number;
  /**
   * What Redis does when the data reach `maxmemory` (`maxmemory-policy`).
   *
   * @default 'noeviction': writes fail with an OOM error, nothing is dropped: this is a store with
   * persistence; choose `allkeys-lru` or `allkeys-lfu` for a cache
   */
  readonly evictionPolicy?: string;
  /**
   * Append-only file persistence on the data volume (`appendonly`). Off only for a pure cache:
   * a restarted pod then starts empty (a replica resyncs from the primary).
   *
   * @default true
   */
  readonly appendOnly?: boolean;
  /**
   * When the append-only file is fsynced (`appendfsync`).
   *
   * @default 'everysec': at most one second of writes is lost on a crash
   */
  readonly appendFsync?: string;
  /**
   * The Secret key holding the password for `requirepass` and `masterauth`.
   *
   * @default - no password (and protected mode off, see `renderRedis()`)
   */
  readonly password?: SecretKeyRef;
  /**
   * The port clients and replicas use.
   *
   * @default 6379
   */
  readonly port?: number;
  /**
   * The primary's host for the replicas.
   *
   * @default - the stable DNS name of the first pod, `<sts>-<start>.<svc>.<ns>.svc.<domain>`
   */
  readonly primaryHost?: string;
  /**
   * The image.
   *
   * @default - the flavour's: REDIS_DEFAULT_IMAGE or VALKEY_DEFAULT_IMAGE
   */
  readonly image?: string;
  /**
   * Where the data volume (the claim) is mounted: `dir`, the append-only file's home.
   *
   * @default '/data'
   */
  readonly dataDir?: string;
  /**
   * Where the writable, memory-backed configuration volume is mounted: the start script writes
   * `redis.conf` (`valkey.conf`) there, and the server listens on `redis.sock` (`valkey.sock`)
   * there for the probes.
   *
   * @default '/etc/redis' ('/etc/valkey' for Valkey)
   */
  readonly configDir?: string;
  /**
   * TLS on the client port, the plain port off, replication over TLS (see redis-tls.ts).
   *
   * @default - no TLS
   */
  readonly tls?: RedisTlsSettings;

  /**
   * Who decides the pod's role, in place of the fixed primary (`startOrdinal`): Redis Sentinel's
   * part of the start-up (`sentinelDataPart()` in ./redis-sentinel.ts). Its env replaces
   * `REDIS_PRIMARY_HOST`, its configuration is added to every pod's, and its lines replace the
   * start script's role block (they append `replicaof` themselves).
   *
   * @default - the first ordinal is the primary, the others its replicas
   */
  readonly role?: RedisRoleHook;
}

/** The start-up part that decides a data pod's role (see `RedisEngineOptions.role`). */
export interface RedisRoleHook {
  /** Env of the data container, in place of `REDIS_PRIMARY_HOST`. */
  readonly env: EnvVarJson[];
  /** Directives every pod gets besides the preset's. */
  readonly config: string[];
  /**
   * Shell lines run in the start script after the configuration is written to "$conf.tmp" (with
   * `$name`, `$ordinal` and `$conf` set, under `set -eu`): they decide the role and append what it
   * needs (`replicaof ...`) to "$conf.tmp".
   */
  readonly roleLines: string[];
}

/** What `renderRedis()` returns: the parts of the pod spec, in core/v1 field names. */
export interface RedisEngine {
  /** The server: Redis or Valkey. */
  readonly flavor: RedisFlavor;
  /** The container image. */
  readonly image: string;
  /**
   * The container's `command`: `sh -c <start script> redis` (`valkey`). The container's `args`
   * reach `redis-server` (`valkey-server`) after the configuration file (`"$@"`), so they
   * override it.
   */
  readonly command: string[];
  /** The container's `env`. */
  readonly env: EnvVarJson[];
  /** The container's `ports`. */
  readonly ports: ContainerPortJson[];
  readonly startupProbe: ProbeJson;
  readonly livenessProbe: ProbeJson;
  readonly readinessProbe: ProbeJson;
  /** Pod volumes besides the data claim. */
  readonly volumes: VolumeJson[];
  /** The name of the configuration volume among `volumes`: `redis-config` or `valkey-config`. */
  readonly configVolumeName: string;
  /** The container's mounts besides the data claim. */
  readonly volumeMounts: VolumeMountJson[];
  /** Where the data claim must be mounted. */
  readonly dataMountPath: string;
  /** `runAsUser` (and the pod's `fsGroup`, so the claim is writable). */
  readonly user: number;
  /** `runAsGroup`. */
  readonly group: number;
  /** The StatefulSet's `spec.replicas`: the primary and its replicas. */
  readonly podCount: number;
  /** The ordinal of the primary (`ordinals.start`). */
  readonly primaryOrdinal: number;
  /** The host the replicas replicate from. */
  readonly primaryHost: string;
  /** The memory limit, in bytes. */
  readonly memoryLimitBytes: number;
  /** `maxmemory`, in bytes. */
  readonly maxMemoryBytes: number;
  readonly evictionPolicy: RedisEvictionPolicy;
  /**
   * The configuration every pod gets, one directive a line; the start script adds `replicaof`
   * (replicas) and `requirepass`/`masterauth` (with a password).
   */
  readonly config: string[];
  /**
   * The headless Service must publish not-ready addresses: a replica resolves the primary's
   * name before the primary is Ready, and replicas are not Ready until they have synced.
   */
  readonly publishNotReadyAddresses: true;
  /**
   * `Parallel`: the pods start together, so every replica connects at once and one full sync
   * (one fork of the primary) serves them all. Rolling updates stay ordered whatever this says
   * (highest ordinal first, each pod waiting for the one before to be Ready, i.e. synced): the
   * replicas are replaced one at a time, the primary last.
   */
  readonly podManagementPolicy: 'Parallel';
}

/**
 * `maxmemory` for a container memory limit: `percent` of the limit (75 by default), in whole bytes.
 *
 * Why a quarter of headroom: `maxmemory` bounds the dataset, not the process. Outside it are the
 * copy-on-write pages of the forked child that rewrites the append-only file and streams full
 * syncs to replicas (every page the parent writes while the child runs is duplicated; a busy
 * primary can touch a large part of its dataset), the replication buffer (Redis 7 shares one
 * among replicas and the backlog; `client-output-buffer-limit replica` is capped at half the
 * headroom), client buffers, allocator fragmentation and the server itself. Going over the limit
 * is an OOM kill of the whole server, so the margin is generous: 25% is also what managed Redis
 * services reserve for the same reasons (e.g. ElastiCache's `reserved-memory-percent`).
 *
 * @param where who complains, e.g. `Redis 'chart/cache'`
 * @param memoryLimit the container's memory limit (quantity or bytes)
 * @param percent the share for data, 10 to 90
 * @param props prop names for errors
 */
export function redisMaxMemory(where: string, memoryLimit: string | number, percent = 75,
  props: { memoryLimit?: string; maxMemoryPercent?: string } = {}): { limitBytes: number; maxMemoryBytes: number } {
  const limitProp = props.memoryLimit ?? 'memoryLimit';
  const percentProp = props.maxMemoryPercent ?? 'maxMemoryPercent';
  checkInteger(where, percentProp, percent, 10, 90);
  const limitBytes = memoryBytes(where, limitProp, memoryLimit);
  if (limitBytes < REDIS_MIN_MEMORY_LIMIT) {
    throw fail(where, limitProp, memoryLimit,
      `Must be at least ${showBytes(REDIS_MIN_MEMORY_LIMIT)}: Redis needs about 10Mi for itself, its buffers and the fork that rewrites the append-only file, and keeps ${100 - percent}% of the limit as headroom`,
      `Set '${limitProp}' to "${showBytes(REDIS_MIN_MEMORY_LIMIT)}" or more`);
  }
  return { limitBytes, maxMemoryBytes: Math.floor(limitBytes * percent / 100) };
}

/**
 * Renders how a StatefulSet pod runs Redis: pod `startOrdinal` is the primary, every other pod a
 * replica of it (`replicaof` by the primary's stable DNS name through the headless Service).
 * There is no failover: when the primary is down, replicas keep serving reads (stale) and writes
 * wait for the primary's pod to come back with its data from its claim.
 *
 * Valkey (`flavor: 'valkey'`) gets the same script, configuration and probes with its own binaries
 * (`valkey-server`, `valkey-cli`) and names (`valkey.conf`, `valkey.sock`, `/etc/valkey`): the
 * directives used here are the ones Valkey inherited from Redis 7.2 and still accepts.
 *
 * Start-up (`command`): a `sh -c` script, since the role depends on the pod. It takes the ordinal
 * from `$HOSTNAME` (`<sts>-<ordinal>`; it fails when the name has no ordinal), writes
 * `<configDir>/redis.conf` (mode 0600) and runs `exec redis-server <conf> "$@"`: the container's
 * `args` (e.g. `--loglevel verbose`) override the file.
 * - The primary's host comes from the `REDIS_PRIMARY_HOST` env var, rendered as the first pod's DNS
 *   name (so a test, or an operator, can point it elsewhere without changing the script). The
 *   script does not resolve it: `redis-server` resolves it at every connection attempt and, while
 *   it does not resolve (pod 0's record not published yet), logs `Unable to connect to MASTER` and
 *   retries a second later, so a replica needs no wait before it starts.
 * - Why a file rather than `--requirepass` arguments: arguments show in `ps` and
 *   `/proc/<pid>/cmdline` to every process in the pod, and would be in the manifest; the file sits
 *   on a memory-backed emptyDir (the root file system is read-only) readable only by the server's
 *   user. The password reaches the container only through the env var `REDISCLI_AUTH`
 *   (`secretKeyRef`), which the script writes into the file as `requirepass` and `masterauth`,
 *   every byte `\xHH`-escaped inside double quotes so no character can break the file. `redis-cli`
 *   reads the same variable, so probes and `kubectl exec ... redis-cli` authenticate with nothing
 *   more.
 * - `bind * -::*` (every IPv4 and, if present, IPv6 address). Protected mode: without a password
 *   it is turned off, since in Redis 7 it refuses every non-loopback client, replicas included,
 *   whatever `bind` says (the official image compiles it off for the same reason; other builds do
 *   not). Access control without a password is then the network's (a NetworkPolicy). With a
 *   password it is on: it does nothing while the password is set, and refuses remote clients if
 *   someone removes the password at run time.
 * - Persistence: `appendonly yes`, `appendfsync everysec` on the claim (`dir`); RDB snapshots off
 *   (`save ""`): the append-only file (with its RDB preamble) is what a restart loads, and
 *   periodic snapshots would only add forks and their copy-on-write memory.
 * - Memory: `maxmemory` is `maxMemoryPercent` (75) of the limit (see `redisMaxMemory()`),
 *   `maxmemory-policy noeviction` unless told otherwise: a store that persists its data should
 *   refuse writes rather than silently drop keys. Replicas ignore `maxmemory` (Redis' default) and
 *   mirror the primary's evictions.
 * - Replication: diskless full syncs that start as soon as every replica is connected
 *   (`repl-diskless-sync-max-replicas`), or after the usual 5 s delay when some are missing.
 *
 * Probes talk to the server over the unix socket `<configDir>/redis.sock` (mode 0700): they work
 * whatever `bind` and protected mode say, and need no TCP port. `redis-cli` exits 0 even on an
 * error reply, so the scripts look at the reply.
 * - startup and liveness: the server answers `PING` at all. `LOADING` (a big append-only file,
 *   or a replica loading the primary's snapshot during its initial sync), `MASTERDOWN` and `BUSY`
 *   (a long script) count as alive: restarting would only start that work over. The startup
 *   probe gives the server a minute to open its socket before liveness applies.
 * - readiness: `PONG`, and for a replica `master_link_status:up` in `INFO replication`. A replica
 *   that has not synced would serve an empty or stale dataset, so it takes no client traffic; the
 *   price is that replicas turn unready while the primary is down. A rolling update waits for
 *   each replaced replica to be Ready, i.e. synced, before it replaces the next one.
 *
 * @param where who complains, e.g. `Redis 'chart/cache'`
 * @param options the preset's options
 * @param props the construct's names for the options, for error messages
 */
export function renderRedis(where: string, options: RedisEngineOptions, props: PropNames<RedisEngineOptions> = {}): RedisEngine {
  const prop = (key: keyof RedisEngineOptions & string) => propName(props, key);
  const { startOrdinal, clusterDomain } = checkIdentity(where, options, props);
  const replicas = options.replicas ?? 2;
  checkInteger(where, prop('replicas'), replicas, 0);
  const port = options.port ?? 6379;
  checkPort(where, prop('port'), port);
  const { limitBytes, maxMemoryBytes } = redisMaxMemory(where, options.memoryLimit, options.maxMemoryPercent ?? 75,
    { memoryLimit: prop('memoryLimit'), maxMemoryPercent: prop('maxMemoryPercent') });
  const evictionPolicy = oneOf(where, prop('evictionPolicy'), options.evictionPolicy ?? 'noeviction', REDIS_EVICTION_POLICIES);
  const appendFsync = oneOf(where, prop('appendFsync'), options.appendFsync ?? 'everysec', REDIS_APPEND_FSYNC);
  const appendOnly = options.appendOnly ?? true;
  const flavor = options.flavor ?? 'redis';
  if (flavor !== 'redis' && flavor !== 'valkey') {
    throw fail(where, prop('flavor'), flavor, 'Must be "redis" or "valkey"', `Set '${prop('flavor')}' to one of them`);
  }
  const facts = REDIS_FLAVORS[flavor];
  const dataDir = options.dataDir ?? '/data';
  checkPath(where, prop('dataDir'), dataDir);
  const configDir = options.configDir ?? facts.configDir;
  checkPath(where, prop('configDir'), configDir);
  if (configDir === dataDir) {
    throw fail(where, prop('configDir'), configDir, `Must differ from '${prop('dataDir')}' (the claim)`,
      `Set '${prop('configDir')}' to another path, e.g. "${facts.configDir}"`);
  }
  const image = options.image ?? facts.defaultImage;
  if (image.trim() === '') {
    throw fail(where, prop('image'), image, 'Must be an image reference', `Set '${prop('image')}' to e.g. "${facts.defaultImage}"`);
  }
  if (options.password) {
    checkDns1123Subdomain(where, `${prop('password')}.name`, options.password.name);
    if (!/^[-._a-zA-Z0-9]+$/.test(options.password.key) || options.password.key.length > 253) {
      throw fail(where, `${prop('password')}.key`, options.password.key,
        'Must be a Secret key: letters, digits, \'-\', \'_\' and \'.\'', `Set '${prop('password')}.key' to the key of the password in the Secret`);
    }
  }
  const primaryHost = options.primaryHost ?? podDnsName({ ...options, clusterDomain }, startOrdinal);
  if (!/^[A-Za-z0-9]([A-Za-z0-9.:-]*[A-Za-z0-9])?$/.test(primaryHost) || primaryHost.length > 253) {
    throw fail(where, prop('primaryHost'), primaryHost, 'Must be a DNS name or an IP address',
      `Set '${prop('primaryHost')}' to the primary's host, e.g. "db-0.db.shop.svc.cluster.local"`);
  }

  const socket = `${configDir}/${flavor}.sock`;
  // Half the headroom for the buffer of a replica that falls behind; a quarter of that for a minute.
  const replicaBufferHard = Math.min(256 * 1024 ** 2, Math.floor((limitBytes - maxMemoryBytes) / 2));
  const replicaBufferSoft = Math.floor(replicaBufferHard / 4);
  const config = [
    // TLS hook (redis-tls.ts): TLS on the client port in place of the plain one
    ...options.tls ? redisTlsConfig(options.tls, port) : [`port ${port}`],
    'bind * -::*',
    `protected-mode ${options.password ? 'yes' : 'no'}`,
    `unixsocket ${socket}`,
    'unixsocketperm 700',
    `dir ${dataDir}`,
    `appendonly ${appendOnly ? 'yes' : 'no'}`,
    `appendfsync ${appendFsync}`,
    'save ""',
    `maxmemory ${maxMemoryBytes}`,
    `maxmemory-policy ${evictionPolicy}`,
    `client-output-buffer-limit replica ${replicaBufferHard} ${replicaBufferSoft} 60`,
    'repl-diskless-sync yes',
    `repl-diskless-sync-max-replicas ${replicas}`,
    ...options.role?.config ?? [],
  ];
  const script = startScript({
    flavor, configDir, config, startOrdinal, port, password: options.password !== undefined, roleLines: options.role?.roleLines,
  });

  const env: EnvVarJson[] = options.role ? [...options.role.env] : [{ name: REDIS_PRIMARY_HOST_ENV, value: primaryHost }];
  if (options.password) {
    env.push({ name: REDIS_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: options.password.name, key: options.password.key } } });
  }
  const alive = execProbe(aliveScript(facts.cli, socket));
  const configVolumeName = `${flavor}-config`;
  return {
    flavor,
    image,
    command: ['sh', '-c', script, flavor],
    env,
    // the protocol's name for both servers: consumers keep their variables when Redis becomes Valkey
    ports: [{ name: 'redis', containerPort: port, protocol: 'TCP' }],
    startupProbe: { ...alive, periodSeconds: 2, timeoutSeconds: 3, successThreshold: 1, failureThreshold: 30 },
    livenessProbe: { ...alive, periodSeconds: 10, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 6 },
    readinessProbe: { ...execProbe(readyScript(facts.cli, socket)), periodSeconds: 5, timeoutSeconds: 3, successThreshold: 1, failureThreshold: 3 },
    volumes: [{ name: configVolumeName, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }],
    configVolumeName,
    volumeMounts: [{ name: configVolumeName, mountPath: configDir }],
    dataMountPath: dataDir,
    user: REDIS_UID,
    group: REDIS_GID,
    podCount: replicas + 1,
    primaryOrdinal: startOrdinal,
    primaryHost,
    memoryLimitBytes: limitBytes,
    maxMemoryBytes,
    evictionPolicy,
    config,
    publishNotReadyAddresses: true,
    podManagementPolicy: 'Parallel',
  };
}

function oneOf<T extends string>(where: string, prop: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw fail(where, prop, value, `Must be one of ${allowed.map(a => `"${a}"`).join(', ')}`, `Set '${prop}' to one of them`);
  }
  return value as T;
}

function execProbe(script: string): { exec: { command: string[] } } {
  return { exec: { command: ['sh', '-c', script] } };
}

/**
 * The start script. Every value written into it has been checked (numbers, enums, paths made of
 * safe characters); what comes from the environment (host, password) is checked or escaped at run
 * time.
 */
function startScript(o: {
  flavor: RedisFlavor; configDir: string; config: string[]; startOrdinal: number; port: number; password: boolean; roleLines?: string[];
}): string {
  const f = o.flavor;
  const lines = [
    'set -eu',
    // the pod name, also when the pod sets setHostnameAsFQDN
    'name="${HOSTNAME:-}"',
    'name="${name%%.*}"',
    'ordinal="${name##*-}"',
    'case "$ordinal" in',
    `  ''|*[!0-9]*) echo "${f}: HOSTNAME \\"$name\\" does not end in a StatefulSet ordinal (<statefulset>-<ordinal>)" >&2; exit 1 ;;`,
    'esac',
    'umask 077',
    `conf=${o.configDir}/${f}.conf`,
    'cat > "$conf.tmp" <<\'EOF\'',
    ...o.config,
    'EOF',
    ...o.roleLines ?? fixedPrimaryRoleLines(f, o.startOrdinal, o.port),
  ];
  if (o.password) {
    lines.push(
      `if [ -z "\${${REDIS_PASSWORD_ENV}:-}" ]; then`,
      `  echo "${f}: ${REDIS_PASSWORD_ENV} is empty: the password Secret key holds no password" >&2; exit 1`,
      'fi',
      // every byte as \xHH inside a double-quoted config string; printf is a shell builtin, so the
      // password is never a process argument
      `auth=$(printf '%s' "$${REDIS_PASSWORD_ENV}" | od -An -v -tx1 | tr -d ' \\n' | sed 's/../\\\\x&/g')`,
      'printf \'requirepass "%s"\\nmasterauth "%s"\\n\' "$auth" "$auth" >> "$conf.tmp"',
      'unset auth',
    );
  }
  lines.push(
    'mv "$conf.tmp" "$conf"',
    `exec ${REDIS_FLAVORS[f].server} "$conf" "$@"`,
  );
  return lines.join('\n') + '\n';
}

/** The role block without Sentinel: the first ordinal is the primary, the others replicate it. */
function fixedPrimaryRoleLines(f: RedisFlavor, startOrdinal: number, port: number): string[] {
  return [
    `if [ "$ordinal" = ${startOrdinal} ]; then`,
    `  echo "${f}: pod ordinal $ordinal: primary"`,
    'else',
    `  host="\${${REDIS_PRIMARY_HOST_ENV}:-}"`,
    '  case "$host" in',
    `    ''|*[!A-Za-z0-9.:-]*) echo "${f}: ${REDIS_PRIMARY_HOST_ENV} \\"$host\\" is not a host name or an IP address" >&2; exit 1 ;;`,
    '  esac',
    `  echo "${f}: pod ordinal $ordinal: replica of $host:${port}"`,
    `  echo "replicaof $host ${port}" >> "$conf.tmp"`,
    'fi',
  ];
}

/** Alive: the server answers PING, even if it is loading, cut off from its primary or running a long script. */
function aliveScript(cli: string, socket: string): string {
  return [
    `r=$(${cli} -s ${socket} ping 2>&1) || true`,
    'case "$r" in PONG|LOADING*|MASTERDOWN*|BUSY*) exit 0 ;; esac',
    `echo "${cli} ping: $r"; exit 1`,
  ].join('\n');
}

/** Ready: PONG, and a replica's link to its primary is up. */
function readyScript(cli: string, socket: string): string {
  return [
    `r=$(${cli} -s ${socket} ping 2>&1) || true`,
    `[ "$r" = PONG ] || { echo "${cli} ping: $r"; exit 1; }`,
    `r=$(${cli} -s ${socket} info replication 2>&1) || true`,
    'case "$r" in *role:master*|*master_link_status:up*) exit 0 ;; esac',
    'echo "a replica whose link to the primary is not up:"; echo "$r"; exit 1',
  ].join('\n');
}
