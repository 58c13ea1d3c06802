import { createHash } from 'crypto';
import { ApiObject, Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import {
  ContainerResources,
  Cpu,
  EmptyDirMedium,
  EnvFieldPaths,
  EnvValue,
  PodManagementPolicy,
  Probe,
  Volume,
} from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EngineImageOptions } from './engine-image';
import { MetricsAlertContext } from './engine-metrics';
import { EnginePreset } from './engine-preset';
import { PresetTls, PresetTlsOptions } from './preset-tls';
import { RedisSentinel, RedisSentinelOptions } from './redis-sentinel';
import { LogicalBackup } from '../backup/logical-backup';
import { LogicalBackupEngine } from '../backup/logical-backup-engine';
import { LogicalRestore, LogicalRestoreOptions } from '../backup/logical-restore';
import { ConnectionProperties, DataStoreCredentials, DataStorePort, Endpoint } from '../connection/data-store';
import { MetricsExporter } from '../metrics/metrics-exporter';
import { PrometheusAlertingRule } from '../metrics/prometheus-rule';
import { ProbeJson, stateEngine } from './private/common';
import { engineImage } from './private/engine-image';
import { REDIS_EXPORTER_IMAGE, renderRedisExporter } from './private/exporters';
import { completeRules, redisAlertRules } from './private/metrics-rules';
import { mountedObjectNamespaceError } from './private/preset-checks';
import {
  REDIS_FLAVORS,
  REDIS_GID,
  REDIS_PASSWORD_ENV,
  REDIS_UID,
  RedisEngine,
  RedisFlavor,
  renderRedis,
} from './private/redis';
import { REDIS_BACKUP_FILES, REDIS_POD_IP_ENV, REDIS_REPLICAS_ENV, REDIS_RESTORE_TLS_ENV, redisBackupScript, redisRestoreScript } from './private/redis-backup';
import { REDIS_SENTINEL_HOSTS_ENV, REDIS_SENTINEL_MASTER_ENV, sentinelBackupPrelude, sentinelDataPart } from './private/redis-sentinel';
import { REDIS_TLS_CLIENT_VARIABLES, redisTlsReloadCommand } from './private/redis-tls';
import { TLS_FILES, TLS_RELOAD_CONTAINER, tlsReloadScript } from './private/tls';
import type { ValkeyVersion } from './valkey';
import { defaultTagOf, EngineKind, warnEngineVersion } from '../private/engine-versions';
import { presetResources } from './private/resources';
import { addSynthesisCheck, onEveryPass } from '../private/app-index';
import { storeLabel, warnUnauthenticatedStore } from '../private/unauthenticated-store';
import { checkInteger, fail, failWithoutValue } from '../private/validation';
import { addValidationWithWarnings, warn, warningMessage, WARNINGS } from '../private/warnings';
import { IStorageClass } from '../storage/storage-class';
import {
  PersistentVolumeClaimRetention,
  StatefulWorkload,
  StatefulWorkloadOptions,
} from '../workload/stateful-workload';
import { ServiceSelection, WorkloadService } from '../workload/workload-service';

/** The port of the server in the pod (clients and replicas). */
const REDIS_PORT = 6379;

/**
 * A Redis version: the tag of the official `redis` image the preset runs.
 *
 * The preset needs Redis 7.0 or later (`bind * -::*`, `repl-diskless-sync-max-replicas` and the
 * shared replication buffer are 7.0 features). The constants pin the newest patch release of the
 * maintained lines, checked against the release notes and advisories (the engine version policy,
 * docs/engine-versions.md); a library release moves them forward within their line, never to
 * another line (a newer line writes data files an older one cannot read). A tag given to `of()`
 * below its line's first release without known critical or high advisories, or of a line past its
 * end of life, is accepted, and the `Redis` that runs it warns (`[vulnerable-engine-version]`,
 * `[unmaintained-engine-version]`).
 *
 * @see https://hub.docker.com/_/redis
 * @see https://redis.io/docs/latest/operate/oss_and_stack/install/version-mgmt/
 */
export class RedisVersion {
  /**
   * Redis 7.0, pinned to the tag `7.0.15`.
   *
   * @deprecated Redis 7.0 reached its end of life on 2024-07-29 and has known critical and high
   * vulnerabilities that no 7.0 release fixes; a `Redis` running it warns. Use `V7_2`: Redis 7.2
   * reads 7.0's data files.
   */
  public static readonly V7_0 = new RedisVersion('7.0.15');

  /** Redis 7.2, pinned to its newest patch release (`7.2.16`; the default). Maintained until 2029-12-01. */
  public static readonly V7_2 = new RedisVersion(defaultTagOf('redis', '7.2'));

  /** Redis 7.4, pinned to its newest patch release (`7.4.11`). Maintained until 2029-12-01. */
  public static readonly V7_4 = new RedisVersion(defaultTagOf('redis', '7.4'));

  /**
   * Redis 8.2, pinned to its newest patch release (`8.2.10`). Maintained until 2030-09-01. Redis 8
   * is licensed under RSALv2, SSPLv1 or AGPLv3 (Redis 7.2 under BSD-3-Clause, 7.4 under RSALv2 or
   * SSPLv1); the preset loads none of the image's bundled modules.
   */
  public static readonly V8_2 = new RedisVersion(defaultTagOf('redis', '8.2'));

  /**
   * A version by its image tag, e.g. `7.2.16` or `7.2.16-bookworm` (the Debian variants: the
   * preset runs as the image's `redis` user, uid and gid 999, which the Alpine variants do not
   * have).
   *
   * @param tag a tag of the official image: `<major>.<minor>[.<patch>][-<variant>]`, 7.0 or later
   */
  public static of(tag: string): RedisVersion {
    const m = /^(\d+)\.(\d+)(\.\d+)?(-[a-z0-9][a-z0-9._-]*)?$/.exec(tag);
    if (!m) {
      throw fail('RedisVersion', 'tag', tag, 'Must be a version tag of the official image, e.g. "7.2.16" or "7.2.16-bookworm"',
        'Pass the tag without the image name, or use RedisVersion.V7_2');
    }
    if (Number(m[1]) < 7) {
      throw fail('RedisVersion', 'tag', tag, 'Must be 7.0 or later: the preset\'s configuration uses Redis 7.0 features (`bind * -::*`, `repl-diskless-sync-max-replicas`)',
        'Use RedisVersion.V7_2, or a 7.x tag');
    }
    if (/alpine/.test(tag)) {
      throw fail('RedisVersion', 'tag', tag, 'Must be a Debian variant: the Alpine images have no user 999 (the preset runs as uid and gid 999)',
        'Drop the "-alpine" suffix');
    }
    return new RedisVersion(tag);
  }

  /** The image tag, e.g. `7.2.16`. */
  public readonly tag: string;

  private constructor(tag: string) {
    this.tag = tag;
  }
}

/**
 * What a Redis-compatible preset runs: Redis or Valkey, at a version. The engine object of
 * `RedisCompatibleBase` (in the manner of aws-rds's `DatabaseInstanceEngine.postgres({ version })`):
 * it supplies the image, the binaries and the names that differ, and everything else is shared.
 */
export class RedisCompatibleEngine {
  /**
   * Redis, from the official `redis` image.
   *
   * @param version the Redis version
   */
  public static redis(version: RedisVersion): RedisCompatibleEngine {
    return new RedisCompatibleEngine('Redis', 'redis', 'library/redis', version.tag);
  }

  /**
   * Valkey, from the Valkey project's `valkey/valkey` image.
   *
   * @param version the Valkey version
   */
  public static valkey(version: ValkeyVersion): RedisCompatibleEngine {
    return new RedisCompatibleEngine('Valkey', 'valkey', 'valkey/valkey', version.tag);
  }

  /** The engine's name: `Redis` or `Valkey`. */
  public readonly name: string;
  /** The image tag. */
  public readonly tag: string;
  /** The image's repository on Docker Hub: `library/redis` or `valkey/valkey`. */
  public readonly repository: string;
  /** @internal */
  public readonly _flavor: RedisFlavor;

  private constructor(name: string, flavor: RedisFlavor, repository: string, tag: string) {
    this.name = name;
    this._flavor = flavor;
    this.repository = repository;
    this.tag = tag;
  }
}

/**
 * What Redis does when the data reach `maxmemory` (`maxmemory-policy`).
 *
 * @see https://redis.io/docs/latest/develop/reference/eviction/
 */
export enum RedisEvictionPolicy {
  /** Refuse writes that need memory (an OOM error); nothing is dropped. The default: a store. */
  NO_EVICTION = 'noeviction',
  /** Evict the least recently used keys: a cache. */
  ALLKEYS_LRU = 'allkeys-lru',
  /** Evict the least frequently used keys: a cache. */
  ALLKEYS_LFU = 'allkeys-lfu',
  /** Evict random keys. */
  ALLKEYS_RANDOM = 'allkeys-random',
  /** Evict the least recently used keys among those with an expiry. */
  VOLATILE_LRU = 'volatile-lru',
  /** Evict the least frequently used keys among those with an expiry. */
  VOLATILE_LFU = 'volatile-lfu',
  /** Evict random keys among those with an expiry. */
  VOLATILE_RANDOM = 'volatile-random',
  /** Evict the keys with an expiry closest to it. */
  VOLATILE_TTL = 'volatile-ttl',
}

/**
 * When the append-only file is fsynced (`appendfsync`).
 *
 * @see https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/#how-durable-is-the-append-only-file
 */
export enum RedisAppendFsync {
  /** After every write: the safest, the slowest. */
  ALWAYS = 'always',
  /** Once a second: at most a second of writes is lost on a crash. The default. */
  EVERY_SECOND = 'everysec',
  /** When the operating system decides (about every 30 s on Linux). */
  NO = 'no',
}

/**
 * Props shared by `Redis` and `Valkey` (everything but the version).
 *
 * The `StatefulWorkloadOptions` pass through to the workload, except:
 * - `replicas`: not accepted (an error); the pod count is `readReplicas + 1`;
 * - `podManagementPolicy` defaults to `Parallel`;
 * - `headlessService.publishNotReadyAddresses` is always on (an error if set to false), and
 *   `governingService` is refused: the replicas resolve the primary's pod name before it is Ready;
 * - `securityContext`: `fsGroup` defaults to 999, the image's `redis` (`valkey`) group.
 */
export interface RedisCompatibleProps extends StatefulWorkloadOptions {
  /**
   * Read replicas besides the primary: the StatefulSet runs `readReplicas + 1` pods, pod
   * `ordinals.start` the primary, the others `replicaof` it. 0 runs a single primary.
   *
   * (The inherited `replicas`, the pod count, is refused: set this instead.)
   *
   * @see https://redis.io/docs/latest/operate/oss_and_stack/management/replication/
   * @default 2
   */
  readonly readReplicas?: number;

  /**
   * The password clients, replicas and probes use (`requirepass` and `masterauth`): a Secret made
   * with `DataStoreCredentials.fromPasswordSecret(secret)`. It reaches the container only through
   * a `secretKeyRef`: never in the manifest. Credentials with a username are refused (Redis ACL
   * users are not supported by the preset).
   *
   * The store needs either this or `allowUnauthenticated: true`: without a password, any pod in
   * the cluster can read, change or flush the data.
   *
   * @see https://redis.io/docs/latest/operate/oss_and_stack/management/security/#authentication
   * @default - none: `allowUnauthenticated` must then be true
   */
  readonly password?: DataStoreCredentials;

  /**
   * Serve clients without a password: the explicit opt-out from `password`, for a store whose
   * network already admits only its clients (a NetworkPolicy). Protected mode is then off, so
   * replicas and clients from other pods are served, and synthesis warns
   * `[unauthenticated-store]` until the store's ingress is isolated to the pods wired to it
   * (acknowledge the warning, with the reason, when a NetworkPolicy of your own does it).
   * Cannot be combined with `password`.
   *
   * @see https://redis.io/docs/latest/operate/oss_and_stack/management/security/#protected-mode
   * @default false - a `password` is required
   */
  readonly allowUnauthenticated?: boolean;

  /**
   * What Redis does when the data reach `maxmemory`.
   *
   * @see https://redis.io/docs/latest/develop/reference/eviction/
   * @default RedisEvictionPolicy.NO_EVICTION: writes fail with an OOM error, nothing is dropped
   * (a store with persistence); choose ALLKEYS_LRU or ALLKEYS_LFU for a cache
   */
  readonly evictionPolicy?: RedisEvictionPolicy;

  /**
   * The share of the container's memory limit given to data (`maxmemory`), 10 to 90 percent.
   * The rest is headroom for what `maxmemory` does not count: the fork that rewrites the
   * append-only file and streams full syncs, replication and client buffers, fragmentation.
   *
   * @see https://redis.io/docs/latest/develop/reference/eviction/#maxmemory-configuration-directive
   * @default 75
   */
  readonly maxMemoryPercent?: number;

  /**
   * When the append-only file is fsynced.
   *
   * @see https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/#how-durable-is-the-append-only-file
   * @default RedisAppendFsync.EVERY_SECOND
   */
  readonly appendFsync?: RedisAppendFsync;

  /**
   * Where the image comes from (a mirror or a private registry) and, optionally, its digest; the
   * tag comes from `version`.
   *
   * @see https://kubernetes.io/docs/concepts/containers/images/#image-names
   * @default - docker.io/library/redis (Redis) or docker.io/valkey/valkey (Valkey), by tag
   */
  readonly image?: EngineImageOptions;

  /**
   * The server container's resources (Redis or Valkey), merged field by field over the defaults:
   * a field you leave out keeps its default (passing only `memory` keeps the CPU request of 100m).
   * A memory request without a limit is also the limit, and the request defaults to the limit. The
   * memory limit sets `maxmemory` and must be at least 64Mi.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
   * @default - cpu request 100m, no CPU limit; memory request and limit 256Mi (`maxmemory` 192Mi)
   */
  readonly resources?: ContainerResources;

  /**
   * The size of each pod's data claim (`data`, mounted at `/data`: the append-only file).
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#persistentvolumeclaims
   * @default Size.gibibytes(1)
   */
  readonly storage?: Size;

  /**
   * The storage class of the data claims, by name.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#class-1
   * @default - the storage class marked as default will be used
   */
  readonly storageClassName?: string;

  /**
   * The storage class of the data claims, as an object (e.g. a `StorageClass` of this library).
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#class-1
   * @default - `storageClassName`
   */
  readonly storageClass?: IStorageClass;

  /**
   * The store's name for consumers (`DataStoreConnection` derives the variable prefix from it:
   * `news-manager-redis` gives `NEWS_MANAGER_REDIS_SERVICE_HOST`).
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/connect-applications-service/#environment-variables
   * @default - the StatefulSet name
   */
  readonly storeName?: string;

  /**
   * Automatic failover with Redis Sentinel: sentinels in a StatefulSet of their own
   * (`<name>-sentinel`) watch the data pods and promote a replica when the primary is down. Which
   * pod is the primary is then the sentinels' decision, not the ordinal's: a data pod that starts
   * asks the sentinels and follows the primary they name, and one whose data are gone never comes
   * back as an empty primary. There is no `<name>-write` Service (it would reach a fixed pod):
   * clients find the primary through the sentinels (`sentinel.hostsWithPort`, master name
   * `sentinel.masterName`; a `DataStoreConnection` hands them out as `<PREFIX>_SENTINEL_HOSTS` and
   * `<PREFIX>_SENTINEL_MASTER`), and the preset's `endpoint` is the read Service. Needs at least
   * one read replica. `addRestore()` is refused under Sentinel. Set `{}` for the defaults.
   *
   * @see https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/
   * @default - no Sentinel: pod `ordinals.start` is always the primary, and there is no failover
   */
  readonly sentinel?: RedisSentinelOptions;

  /**
   * TLS on the client port (6379), the plain TCP port off (`port 0`), replication over TLS
   * (`tls-replication yes`), from a certificate in a Secret of yours or from cert-manager (a
   * `Certificate` for the pods' and Services' names). The probes keep the Unix socket. Consumers
   * wired with `DataStoreConnection` get the CA mounted (`<PREFIX>_CA_FILE`) and
   * `<PREFIX>_TLS=verify-full`. A `tls-reload` sidecar makes the server load a renewed certificate
   * (`CONFIG SET tls-cert-file`). `required: false` is refused: the server has one client port.
   *
   * @see https://redis.io/docs/latest/operate/oss_and_stack/management/security/encryption/
   * @see https://cert-manager.io/docs/usage/certificate/
   * @default - no TLS
   */
  readonly tls?: PresetTlsOptions;
}

/**
 * The base of `Redis` and `Valkey`: a primary with read replicas on one StatefulSet, for any
 * server that speaks the Redis protocol and replication (the engine object,
 * `RedisCompatibleEngine`, says which). Pod `ordinals.start` (0) is the primary, every other pod
 * `replicaof` it by its stable DNS name through the headless Service (`publishNotReadyAddresses`,
 * so the name resolves before the primary is Ready). Append-only persistence on a claim at
 * `/data`; `maxmemory` derived from the memory limit; the password from a Secret (or,
 * explicitly, none: `allowUnauthenticated`);
 * `redis-cli ping` (`valkey-cli ping`) probes over a unix socket.
 *
 * Two client Services: `<name>-write` reaches only the primary (writes), `<name>-read` every pod
 * (reads, eventually consistent). The preset is itself an `IDataStore` whose `endpoint` is the
 * write Service, so a consumer wired to it writes to the primary.
 *
 * Without `sentinel` there is no failover: while the primary is down, writes wait for its pod to
 * come back with its data from its claim. With `sentinel` (docs/failover.md), sentinels promote a
 * replica, the primary is whichever pod they name, and there is no write Service.
 *
 * **Data loss when the primary's claim is deleted** (without `sentinel`): if pod 0 comes back on an empty volume, it
 * starts as an empty primary, and the replicas resync to it: they drop their copies too. Never
 * delete the primary's claim while the replicas hold the only copy; promote a replica by hand
 * first (`REPLICAOF NO ONE`). A `persistentVolumeClaimRetentionPolicy` that deletes claims warns
 * `[redis-primary-claim-deletion]`.
 *
 * @see https://redis.io/docs/latest/operate/oss_and_stack/management/replication/
 */
export abstract class RedisCompatibleBase extends EnginePreset {
  /** The workload (escape hatch): the StatefulSet, its headless Service and disruption budget. */
  public readonly workload: StatefulWorkload;
  /**
   * The Service that reaches only the primary: `<name>-write`.
   *
   * @default - none with `sentinel`: the primary moves, clients find it through the sentinels
   */
  public readonly primaryService?: WorkloadService;
  /**
   * The sentinels, with `sentinel`.
   *
   * @default - no Sentinel
   */
  public readonly sentinel?: RedisSentinel;
  /** The Service that reaches every pod, primary and replicas: `<name>-read`. */
  public readonly readService: WorkloadService;
  /** The number of read replicas. */
  public readonly readReplicas: number;
  /** `maxmemory`, in bytes. */
  public readonly maxMemoryBytes: number;
  /** The eviction policy. */
  public readonly evictionPolicy: RedisEvictionPolicy;
  /** The container image. */
  public readonly image: string;

  private readonly flavor: RedisFlavor;
  /** The password, if any (the exporter's too). */
  private readonly password?: DataStoreCredentials;
  private readonly memoryLimit: Size;
  /** Which server runs. */
  private readonly compatibleEngine: RedisCompatibleEngine;

  /**
   * @param scope the scope
   * @param id the id
   * @param props the props every Redis-compatible preset takes
   * @param compatibleEngine which server runs, at which version
   */
  protected constructor(scope: Construct, id: string, props: RedisCompatibleProps, compatibleEngine: RedisCompatibleEngine) {
    super(scope, id);
    const where = `${compatibleEngine.name} '${this.node.path}'`;
    const flavor = compatibleEngine._flavor;

    // ---- eager checks of what the preset owns
    if (props.replicas !== undefined) {
      throw fail(where, 'replicas', props.replicas,
        `${compatibleEngine.name} counts read replicas besides the primary: the StatefulSet runs 'readReplicas' + 1 pods`,
        `Set 'readReplicas' instead, e.g. readReplicas: ${Math.max(props.replicas - 1, 0)} for ${props.replicas} pods`);
    }
    const readReplicas = props.readReplicas ?? 2;
    checkInteger(where, 'readReplicas', readReplicas, 0);
    if (props.governingService) {
      throw fail(where, 'governingService', props.governingService.name,
        `${compatibleEngine.name} creates its own headless Service, with publishNotReadyAddresses: the replicas resolve the primary's pod name before it is Ready`,
        'Leave \'governingService\' out; name the headless Service with \'headlessService.name\'');
    }
    if (props.headlessService?.publishNotReadyAddresses === false) {
      throw fail(where, 'headlessService.publishNotReadyAddresses', false,
        'Must be true: the replicas resolve the primary\'s pod name before it is Ready, and replicas are not Ready before they have synced',
        'Leave \'publishNotReadyAddresses\' out');
    }
    if (props.password === undefined && props.allowUnauthenticated !== true) {
      throw fail(where, 'password', 'unset',
        `Must be set, or authentication turned off explicitly with 'allowUnauthenticated: true': a ${compatibleEngine.name} without a password serves every pod in the cluster`,
        'Set \'password\' to DataStoreCredentials.fromPasswordSecret(secret) with a Secret holding the password, '
        + 'or set \'allowUnauthenticated: true\' for a store your own NetworkPolicy isolates');
    }
    if (props.password !== undefined && props.allowUnauthenticated === true) {
      throw fail(where, 'allowUnauthenticated', true, `Cannot be combined with 'password': a ${compatibleEngine.name} with a password refuses clients without it`,
        'Leave \'allowUnauthenticated\' out');
    }
    if (props.password?.usernameKey !== undefined) {
      throw failWithoutValue(where, 'password', `credentials with a username (key "${props.password.usernameKey}")`,
        `Must be a password only: ${compatibleEngine.name} ACL users are not supported by the preset, which sets \`requirepass\` (the default user)`,
        'Use DataStoreCredentials.fromPasswordSecret(secret)');
    }
    if (props.storageClass && props.storageClassName !== undefined) {
      throw fail(where, 'storageClassName', props.storageClassName, 'Cannot be combined with \'storageClass\'', 'Set one of the two');
    }
    if (props.tls?.required === false) {
      throw fail(where, 'tls.required', false,
        `${compatibleEngine.name} serves TLS on its client port, with the plain port off: it cannot take both on one port, and a second port would change the port clients are given`,
        'Leave \'tls.required\' out: consumers wired with DataStoreConnection roll with the change and connect over TLS');
    }
    const resources: ContainerResources = presetResources(props.resources, { cpuRequest: Cpu.millis(100), memory: Size.mebibytes(256) });
    const memoryLimit = resources.memory!.limit!;
    const image = engineImage(where, 'image', props.image, compatibleEngine.repository, compatibleEngine.tag);

    // ---- the workload
    const userSc = props.securityContext ?? {};
    const { tls: tlsOptions, ...workloadProps } = props;
    if (tlsOptions && props.sentinel !== undefined) {
      // not proven: the sentinels' and the start-up's connections to the data pods are plain TCP
      throw fail(where, 'tls', 'set', 'Cannot be combined with \'sentinel\' yet: the sentinels and the data pods\' start-up talk to the data pods '
        + 'over plain TCP, which TLS turns off (port 0), so failover would stop working',
      'Leave \'tls\' out with \'sentinel\' (isolate the store with NetworkPolicies.enable() instead), or leave \'sentinel\' out');
    }
    this.workload = new StatefulWorkload(this, 'Resource', {
      ...workloadProps,
      replicas: readReplicas + 1,
      podManagementPolicy: props.podManagementPolicy ?? PodManagementPolicy.PARALLEL,
      headlessService: { ...props.headlessService, publishNotReadyAddresses: true },
      securityContext: { ...userSc, fsGroup: userSc.fsGroup ?? REDIS_GID },
      credentials: props.password,
      storeName: props.storeName,
      // the preset warns about itself (below), naming its own props
      allowUnauthenticated: false,
      // declared: the exporter sidecar (addMetrics()) exposes a port too, never a client port
      clientPorts: [{ name: 'redis', port: REDIS_PORT }],
    });
    const w = this.workload;
    stateEngine(w.apiObject, flavor, compatibleEngine.tag);
    this.compatibleEngine = compatibleEngine;

    // ---- Sentinel: the sentinels' StatefulSet, and the data pods' start-up asks them for the primary
    if (props.sentinel !== undefined && readReplicas < 1) {
      throw fail(where, 'readReplicas', readReplicas,
        'Must be at least 1 with \'sentinel\': a failover promotes a replica, and without one the sentinels have nothing to promote',
        'Set \'readReplicas\' to 1 or more, or leave \'sentinel\' out');
    }
    const sentinel = props.sentinel === undefined ? undefined : new RedisSentinel(this, 'Sentinel', {
      ...props.sentinel,
      workload: w,
      engine: compatibleEngine,
      image,
      readReplicas,
      dataStorageClass: props.storageClass,
      dataStorageClassName: props.storageClassName,
    });

    const engine: RedisEngine = renderRedis(where, {
      flavor,
      statefulSetName: w.name,
      serviceName: w.serviceName,
      namespace: w.namespaceName,
      clusterDomain: w.clusterDomain,
      startOrdinal: w.startOrdinal,
      replicas: readReplicas,
      memoryLimit: memoryLimit.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) * 1024,
      maxMemoryPercent: props.maxMemoryPercent,
      evictionPolicy: props.evictionPolicy,
      appendFsync: props.appendFsync,
      password: props.password ? { name: props.password.secret.name, key: props.password.passwordKey } : undefined,
      port: REDIS_PORT,
      image,
      role: sentinel && sentinelDataPart({
        flavor,
        identity: {
          statefulSetName: w.name,
          serviceName: w.serviceName,
          namespace: w.namespaceName,
          clusterDomain: w.clusterDomain,
          startOrdinal: w.startOrdinal,
        },
        podCount: readReplicas + 1,
        port: 6379,
        dataDir: '/data',
        sentinel: { masterName: sentinel.masterName, sentinelHosts: sentinel.hosts, minReplicasToWrite: sentinel.minReplicasToWrite },
      }),
      tls: tlsOptions ? { files: TLS_FILES } : undefined,
    }, {
      memoryLimit: 'resources.memory.limit',
      replicas: 'readReplicas',
      statefulSetName: 'metadata.name',
      serviceName: 'headlessService.name',
      startOrdinal: 'ordinals.start',
    });

    // ---- the container, from the engine's parts (cdk8s-plus props, so the pod checks see them)
    const configVolume = engine.volumes.find(v => v.name === engine.configVolumeName)!;
    const config = Volume.fromEmptyDir(this, 'ConfigVolume', configVolume.name, {
      medium: EmptyDirMedium.MEMORY,
      sizeLimit: Size.mebibytes(1),
    });
    const envVariables: { [name: string]: EnvValue } = {};
    for (const e of engine.env) {
      if (e.name === REDIS_PASSWORD_ENV && props.password) {
        envVariables[e.name] = EnvValue.fromSecretValue({ secret: props.password.secret, key: props.password.passwordKey });
      } else if (e.value !== undefined) {
        envVariables[e.name] = EnvValue.fromValue(e.value);
      }
    }
    const server = w.addContainer({
      name: flavor,
      image: engine.image,
      command: engine.command,
      envVariables,
      ports: engine.ports.map(p => ({ name: p.name, number: p.containerPort })),
      startup: probe(engine.startupProbe),
      liveness: probe(engine.livenessProbe),
      readiness: probe(engine.readinessProbe),
      resources,
      securityContext: { user: engine.user, group: engine.group },
      volumeMounts: engine.volumeMounts.map(m => ({ volume: config, path: m.mountPath })),
    });
    w.addVolumeClaimTemplate({
      name: 'data',
      storage: props.storage ?? Size.gibibytes(1),
      storageClass: props.storageClass,
      storageClassName: props.storageClassName,
      mountPath: engine.dataMountPath,
    });

    // ---- client Services
    const port = engine.ports[0].containerPort;
    // replicas replicate from the primary over the client port
    if (readReplicas > 0) w.addPeerPort({ name: 'redis', port });
    this.sentinel = sentinel;
    this.primaryService = sentinel ? undefined : w.addClientService({
      name: `${w.name}-write`,
      selection: ServiceSelection.pod(w.startOrdinal),
      ports: [{ port, name: 'redis' }],
    });
    this.readService = w.addClientService({
      name: `${w.name}-read`,
      selection: ServiceSelection.allPods(),
      ports: [{ port, name: 'redis' }],
    });

    // ---- TLS (after the client Services: the certificate names them)
    if (tlsOptions) {
      const tls = this.configureTls(tlsOptions, [server]);
      this.addTlsReload(tls, engine, config, props);
    }
    // ---- password rotation: the pods read the password when they start
    this.rollOnPasswordChange(props.password);

    // ---- attributes
    this.readReplicas = readReplicas;
    this.maxMemoryBytes = engine.maxMemoryBytes;
    this.evictionPolicy = engine.evictionPolicy as RedisEvictionPolicy;
    this.image = engine.image;
    this.flavor = flavor;
    this.password = props.password;
    this.memoryLimit = memoryLimit;

    // ---- deferred checks: the password Secret must be in the pods' namespace
    const password = props.password;
    if (password) {
      addSynthesisCheck(this, () => {
        const error = mountedObjectNamespaceError(where, 'password', password.secret, w.namespaceName);
        return error ? [error] : [];
      });
    }

    // ---- warnings
    if (props.allowUnauthenticated === true) {
      warnUnauthenticatedStore({
        scope: this,
        workload: w,
        where,
        prop: 'allowUnauthenticated',
        value: 'true',
        store: `${compatibleEngine.name} ${storeLabel(w.name, w.namespaceName)}`,
        authenticate: 'Set \'password\' to DataStoreCredentials.fromPasswordSecret(secret) instead (requirepass)',
      });
    }
    const retention = props.persistentVolumeClaimRetentionPolicy;
    const deleting = (['whenDeleted', 'whenScaled'] as const).filter(k => retention?.[k] === PersistentVolumeClaimRetention.DELETE);
    if (deleting.length > 0) {
      warn(this, WARNINGS.REDIS_PRIMARY_CLAIM_DELETION, warningMessage(where,
        `persistentVolumeClaimRetentionPolicy.${deleting[0]}`, '"Delete"',
        `Deleting the StatefulSet${deleting.includes('whenScaled') ? ' or scaling it to 0' : ''} deletes the primary's claim: pod ${w.startOrdinal} then comes back as an empty primary, and the replicas resync to it, dropping their copies too`,
        'Leave \'persistentVolumeClaimRetentionPolicy\' out (Retain)'));
    }
    warnEngineVersion(this, where, 'version', flavor as EngineKind, compatibleEngine.tag);
    addValidationWithWarnings(this, () => {
      const backups = this.node.children.filter(c => c instanceof LogicalBackup);
      if (readReplicas === 0 && backups.length > 0) {
        warn(this, WARNINGS.REDIS_BACKUP_FROM_PRIMARY, warningMessage(where, 'readReplicas', '0',
          `The backup '${backups[0].node.id}' dumps the primary, as there is no replica: \`${REDIS_FLAVORS[flavor].cli} --rdb\` makes the primary fork, and every page it writes while the dump streams is copied (up to the data set's size again, within the container's memory limit)`,
          'Add a read replica to back up from (readReplicas: 1), or acknowledge the warning where the primary has the memory to spare'));
      }
      return [];
    });
  }

  /**
   * Logical backups of Redis and Valkey: `redis-cli --rdb` (`valkey-cli`) from a replica in sync
   * (the highest ordinal first; the primary only without replicas, which warns), restored by
   * making the primary replicate a temporary server in the restore Job's pod that loaded the dump:
   * an RDB in the data directory would be ignored, as the server loads its append-only file. The
   * Jobs run the server's image as uid 999 and authenticate as the preset's pods do
   * (`REDISCLI_AUTH` from the password Secret). With `tls`, they connect over TLS with the
   * connection's CA, and the restore's temporary server serves the store's own certificate (the
   * primary replicates from it over TLS).
   */
  protected logicalBackupEngine(): LogicalBackupEngine {
    const w = this.workload;
    const binaries = { cli: REDIS_FLAVORS[this.flavor].cli, server: REDIS_FLAVORS[this.flavor].server, checkRdb: `${this.flavor}-check-rdb` };
    const auth: { [name: string]: EnvValue } = this.password
      ? { [REDIS_PASSWORD_ENV]: EnvValue.fromSecretValue({ secret: this.password.secret, key: this.password.passwordKey }) }
      : {};
    const replicas: string[] = [];
    // under Sentinel any pod may be a replica now (the script skips the primary: it is no replica in sync)
    const first = this.sentinel ? w.startOrdinal : w.startOrdinal + 1;
    for (let ordinal = w.startOrdinal + this.readReplicas; ordinal >= first; ordinal--) replicas.push(w.podDnsName(ordinal));
    const sentinel: { [name: string]: EnvValue } = this.sentinel
      ? {
        [REDIS_SENTINEL_HOSTS_ENV]: EnvValue.fromValue(this.sentinel.hosts.join(',')),
        [REDIS_SENTINEL_MASTER_ENV]: EnvValue.fromValue(this.sentinel.masterName),
      }
      : {};
    // TLS: the Jobs connect with the connection's CA; the restore's temporary server serves the store's certificate
    const serverTls = this.serverTls;
    const tls = serverTls ? { certDirectoryVariable: REDIS_RESTORE_TLS_ENV } : undefined;
    const restoreTls = serverTls && {
      env: { [REDIS_RESTORE_TLS_ENV]: EnvValue.fromValue(serverTls.mountPath) },
      mounts: [{
        path: serverTls.mountPath,
        // 0440 under the Job's fsGroup: the temporary server (uid 999) reads the key through its group
        volume: Volume.fromSecret(this, 'RestoreTlsVolume', serverTls.secret, { name: 'tls', defaultMode: 0o440 }),
        readOnly: true,
      }],
    };
    const backupScript = redisBackupScript(binaries, tls);
    return {
      engineName: this.flavor,
      image: this.image,
      user: REDIS_UID,
      group: REDIS_GID,
      files: REDIS_BACKUP_FILES,
      backup: {
        // under Sentinel, the store's marker goes to the primary the sentinels name
        script: this.sentinel ? [...sentinelBackupPrelude(binaries.cli), backupScript].join('\n') : backupScript,
        // without replicas, none: the backup dumps the primary (and the preset warns)
        envVariables: { ...auth, ...sentinel, ...replicas.length > 0 ? { [REDIS_REPLICAS_ENV]: EnvValue.fromValue(replicas.join(' ')) } : {} },
      },
      restore: {
        script: redisRestoreScript(binaries, tls),
        envVariables: { ...auth, [REDIS_POD_IP_ENV]: EnvValue.fromFieldRef(EnvFieldPaths.POD_IP), ...restoreTls?.env },
        volumeMounts: restoreTls?.mounts,
        // the temporary server holds the whole data set, as the store does
        resources: { cpu: { request: Cpu.millis(100) }, memory: { request: this.memoryLimit, limit: this.memoryLimit } },
      },
    };
  }

  /**
   * Restores one dump of a logical backup into the store (see `EnginePreset.addRestore()`). Not
   * with `sentinel`: the restore makes the primary replicate a temporary server, and the sentinels
   * would see their primary turn into a replica and fail over in the middle of it.
   *
   * @param id the construct id
   * @param options which dump, and how
   * @returns the restore
   * @see https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/
   */
  public addRestore(id: string, options: LogicalRestoreOptions): LogicalRestore {
    if (this.sentinel) {
      throw failWithoutValue(`${this.constructor.name} '${this.node.path}'`, 'addRestore()', 'Cannot restore a logical backup into a set under Sentinel',
        'The restore makes the primary replicate a temporary server holding the dump, and the sentinels would see their primary turn into a replica '
        + 'and fail over in the middle of it',
        'Restore into a store without \'sentinel\' (a new one, or this one with \'sentinel\' left out for the restore), then turn Sentinel on (docs/failover.md)');
    }
    return super.addRestore(id, options);
  }


  /** TLS for consumers: `TLS=verify-full` (verify the chain against `<PREFIX>_CA_FILE` and the host name). */
  protected tlsClientVariables(_tls: PresetTls): { [variable: string]: string } {
    return { ...REDIS_TLS_CLIENT_VARIABLES };
  }

  /**
   * The `tls-reload` sidecar: `CONFIG SET tls-cert-file ...` over the Unix socket (in the
   * configuration volume) when the certificate files change.
   */
  private addTlsReload(tls: PresetTls, engine: RedisEngine, config: Volume, props: RedisCompatibleProps): void {
    const facts = { cli: `${engine.flavor}-cli`, socket: engine.config.find(l => l.startsWith('unixsocket '))!.slice('unixsocket '.length) };
    const envVariables: { [name: string]: EnvValue } = {};
    if (props.password) {
      envVariables[REDIS_PASSWORD_ENV] = EnvValue.fromSecretValue({ secret: props.password.secret, key: props.password.passwordKey });
    }
    // a sidecar: it watches the certificate files and talks to the server over its socket; the
    // data claim is not mounted in it
    const reload = this.workload._addSidecar({
      name: TLS_RELOAD_CONTAINER,
      image: engine.image,
      command: ['sh', '-c', tlsReloadScript([tls.certFile, tls.keyFile, tls.caFile], redisTlsReloadCommand(facts.cli, facts.socket, TLS_FILES))],
      envVariables,
      resources: { cpu: { request: Cpu.millis(10) }, memory: { request: Size.mebibytes(16), limit: Size.mebibytes(16) } },
      securityContext: { user: engine.user, group: engine.group },
      // the socket only: read-only is enough to connect to it
      volumeMounts: engine.volumeMounts.map(m => ({ volume: config, path: m.mountPath, readOnly: true })),
    });
    tls.mount(reload);
  }

  /**
   * Rolls the pods when the password changes, as they read it only when they start: an annotation
   * on the pod template with a digest of the credentials' `revision` and, for a Secret the app
   * renders, its password (never the password itself).
   */
  private rollOnPasswordChange(password: DataStoreCredentials | undefined): void {
    if (!password) return;
    onEveryPass(this, () => {
      const digest = passwordDigest(password);
      if (digest !== undefined) this.workload.podMetadata.addAnnotation(PASSWORD_ANNOTATION, digest);
    });
  }

  /**
   * The write Service's DNS name and port: consumers write to the primary. With `sentinel`, the
   * read Service's (clients find the primary through the sentinels).
   */
  public get endpoint(): Endpoint {
    return (this.primaryService ?? this.readService).endpoint;
  }

  /** The client port (`redis`, 6379: the protocol's name, for Valkey too). */
  public get ports(): DataStorePort[] {
    return (this.primaryService ?? this.readService).ports;
  }

  /**
   * The plain settings consumers get next to the address (the workload's); with `sentinel`, also
   * what Sentinel-aware clients need: the extras `SENTINEL_HOSTS` (every sentinel's `host:port`,
   * comma-separated) and `SENTINEL_MASTER` (the master name), handed out by a `DataStoreConnection`
   * as `<PREFIX>_SENTINEL_HOSTS` and `<PREFIX>_SENTINEL_MASTER`.
   */
  public get connectionProperties(): ConnectionProperties | undefined {
    const own = this.workload.connectionProperties;
    if (!this.sentinel) return own;
    return { ...own, extras: { ...own?.extras, SENTINEL_HOSTS: this.sentinel.hostsWithPort, SENTINEL_MASTER: this.sentinel.masterName } };
  }

  /** The first pod's DNS name and port; none with `sentinel`, where the primary moves. */
  public get primaryEndpoint(): Endpoint | undefined {
    return this.sentinel ? undefined : this.workload.primaryEndpoint;
  }

  /**
   * redis_exporter (`docker.io/oliver006/redis_exporter`, for Valkey too) against the server on the
   * pod's loopback, with the password from the Secret (`REDIS_PASSWORD`, a `secretKeyRef`), never
   * in its arguments.
   */
  protected metricsExporter(): MetricsExporter {
    const password = this.password;
    const exporter = renderRedisExporter({
      serverPort: REDIS_PORT,
      password: password ? { name: password.secret.name, key: password.passwordKey } : undefined,
      tls: this.serverTls !== undefined,
    });
    return {
      alertPrefix: this.compatibleEngine.name,
      containerName: `${this.compatibleEngine._flavor}-exporter`,
      image: REDIS_EXPORTER_IMAGE,
      port: exporter.port,
      args: exporter.args,
      envVariables: Object.fromEntries(exporter.env.map(e => [e.name, e.valueFrom && password
        ? EnvValue.fromSecretValue({ secret: password.secret, key: e.valueFrom.secretKeyRef!.key })
        : EnvValue.fromValue(e.value!)])),
      user: exporter.user,
      group: exporter.user,
    };
  }

  /**
   * The alerts, by the preset's shape (`<Engine>` is `Redis` or `Valkey`): `<Engine>Down`; with
   * read replicas `<Engine>ReplicaLinkDown`, `<Engine>ReplicasMissing` and
   * `<Engine>ReplicationLagging`; `<Engine>MemoryNearMax` unless an `allkeys-*` policy evicts;
   * `<Engine>RejectingWrites`, `<Engine>TooManyConnections` and `<Engine>RejectingConnections`.
   */
  protected metricsAlertRules(context: MetricsAlertContext): PrometheusAlertingRule[] {
    return completeRules(context, redisAlertRules(context, {
      container: this.compatibleEngine._flavor,
      readReplicas: this.readReplicas,
      primaryOrdinal: this.workload.startOrdinal,
      evictionPolicy: this.evictionPolicy,
    }));
  }
}

/**
 * Props of `Redis`.
 *
 * The `StatefulWorkloadOptions` pass through to the workload, except:
 * - `replicas`: not accepted (an error); the pod count is `readReplicas + 1`;
 * - `podManagementPolicy` defaults to `Parallel`;
 * - `headlessService.publishNotReadyAddresses` is always on (an error if set to false), and
 *   `governingService` is refused: the replicas resolve the primary's pod name before it is Ready;
 * - `securityContext`: `fsGroup` defaults to 999, the image's `redis` group.
 */
export interface RedisProps extends RedisCompatibleProps {
  /**
   * The Redis version (the image tag).
   *
   * @see https://hub.docker.com/_/redis
   * @see https://redis.io/docs/latest/operate/oss_and_stack/install/version-mgmt/
   * @default RedisVersion.V7_2
   */
  readonly version?: RedisVersion;
}

/**
 * Redis with read replicas on one StatefulSet, from the official `redis` image: pod
 * `ordinals.start` (0) is the primary, every other pod `replicaof` it by its stable DNS name through
 * the headless Service (`publishNotReadyAddresses`, so the name resolves before the primary is
 * Ready). Append-only persistence on a claim at `/data`; `maxmemory` derived from the memory
 * limit; an optional password from a Secret; `redis-cli ping` probes over a unix socket.
 *
 * Two client Services: `<name>-write` reaches only the primary (writes), `<name>-read` every pod
 * (reads, eventually consistent). The preset is itself an `IDataStore` whose `endpoint` is the
 * write Service, so a consumer wired to it writes to the primary.
 *
 * Without `sentinel` there is no failover: while the primary is down, writes wait for its pod to
 * come back with its data from its claim. With `sentinel` (docs/failover.md), sentinels promote a
 * replica, the primary is whichever pod they name, and there is no write Service.
 *
 * **Data loss when the primary's claim is deleted** (without `sentinel`): if pod 0 comes back on an empty volume, it
 * starts as an empty primary, and the replicas resync to it: they drop their copies too. Never
 * delete the primary's claim while the replicas hold the only copy; promote a replica by hand
 * first (`REPLICAOF NO ONE`). A `persistentVolumeClaimRetentionPolicy` that deletes claims warns
 * `[redis-primary-claim-deletion]`.
 *
 * `Valkey` is the same preset with the Valkey server (the same base, `RedisCompatibleBase`).
 *
 * @see https://redis.io/docs/latest/operate/oss_and_stack/management/replication/
 */
export class Redis extends RedisCompatibleBase {
  /** The Redis version. */
  public readonly version: RedisVersion;

  constructor(scope: Construct, id: string, props: RedisProps = {}) {
    const version = props.version ?? RedisVersion.V7_2;
    super(scope, id, props, RedisCompatibleEngine.redis(version));
    this.version = version;
  }
}

/** The pod template annotation that rolls the pods when the password changes. */
const PASSWORD_ANNOTATION = 'cdk8s-stateful.io/password-checksum';

/**
 * 16 hex digits of the SHA-256 of the credentials' `revision` and, for a Secret the app renders
 * with data, the password; undefined when neither is known.
 */
function passwordDigest(credentials: DataStoreCredentials): string | undefined {
  const object = credentials.secret.node.defaultChild;
  let value: string | undefined;
  if (object instanceof ApiObject && object.kind === 'Secret') {
    const rendered = object.toJson();
    value = rendered.stringData?.[credentials.passwordKey] ?? rendered.data?.[credentials.passwordKey];
  }
  if (credentials.revision === undefined && value === undefined) return undefined;
  return createHash('sha256').update(JSON.stringify([credentials.revision ?? null, value ?? null])).digest('hex').slice(0, 16);
}

function probe(p: ProbeJson): Probe {
  return Probe.fromCommand(p.exec!.command, {
    initialDelaySeconds: p.initialDelaySeconds === undefined ? undefined : Duration.seconds(p.initialDelaySeconds),
    periodSeconds: Duration.seconds(p.periodSeconds),
    timeoutSeconds: Duration.seconds(p.timeoutSeconds),
    successThreshold: p.successThreshold,
    failureThreshold: p.failureThreshold,
  });
}
