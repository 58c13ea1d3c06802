import { ApiObject, Duration, Size } from 'cdk8s';
import { Container, ContainerResources, Cpu, EmptyDirMedium, EnvValue, IConfigMap, ConfigMap, PodManagementPolicy, Probe, ServiceType, Volume, VolumeMount } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EngineImageOptions } from './engine-image';
import { MetricsAlertContext } from './engine-metrics';
import { EnginePreset } from './engine-preset';
import { PostgresApplicationRole, PostgresApplicationRoleOptions } from './postgres-application-role';
import { PresetTls, PresetTlsOptions } from './preset-tls';
import { LogicalBackupEngine } from '../backup/logical-backup-engine';
import { DataStoreCredentials, Endpoint } from '../connection/data-store';
import { MetricsExporter } from '../metrics/metrics-exporter';
import { PrometheusAlertingRule } from '../metrics/prometheus-rule';
import { addSynthesisCheck } from '../private/app-index';
import { stateEngine } from './private/common';
import { engineImage } from './private/engine-image';
import { POSTGRES_EXPORTER_IMAGE, renderPostgresExporter } from './private/exporters';
import { completeRules, postgresAlertRules } from './private/metrics-rules';
import {
  checkPostgresMemory,
  checkPostgresUser,
  ExecProbeJson,
  parsePostgresTag,
  POSTGRES_DEFAULT_CPU_REQUEST,
  POSTGRES_DEFAULT_MEMORY,
  POSTGRES_DEFAULT_MOUNT_PATH,
  POSTGRES_GID,
  POSTGRES_INIT_SCRIPT_SUFFIXES,
  POSTGRES_INITDB_DIRECTORY,
  POSTGRES_PASSWORD_FILE_NAME,
  POSTGRES_SECRET_DIRECTORY,
  POSTGRES_SOCKET_DIRECTORY,
  POSTGRES_UID,
  POSTGRES_VERSIONS,
  POSTGRES_VOLUME_NAMES,
  postgresShmSizeMebibytes,
  renderPostgres,
} from './private/postgres';
import {
  POSTGRES_BACKUP_CREDENTIALS,
  POSTGRES_BACKUP_FILES,
  POSTGRES_CREDENTIALS_ENV,
  postgresBackupScript,
  postgresRestoreScript,
} from './private/postgres-backup';
import {
  POSTGRES_REPLICATION_RUN_VOLUME,
  POSTGRES_REPLICATION_SECRET_VOLUME,
  renderReplicationInit,
  renderReplicationServer,
  ReplicationServer,
} from './private/postgres-replication';
import { POSTGRES_APP_ROLE_ENV, POSTGRES_APP_SECRET_DIRECTORY } from './private/postgres-roles';
import {
  POSTGRES_HBA_DIRECTORY,
  POSTGRES_HBA_KEY,
  POSTGRES_HBA_VOLUME,
  POSTGRES_TLS_CLIENT_VARIABLES,
  postgresHbaFile,
  postgresTlsArgs,
  postgresTlsReloadCommand,
} from './private/postgres-tls';
import { TLS_FILES, TLS_RELOAD_CONTAINER, tlsReloadScript } from './private/tls';
import { warnEngineVersion } from '../private/engine-versions';
import { REPLICATION_ANNOTATION } from '../private/labels';
import { mountedObjectNamespaceError } from './private/preset-checks';
import { presetResources } from './private/resources';
import { kibibytes } from '../private/quantity';
import { checkInteger, fail, failWithoutValue, show } from '../private/validation';
import type { IStorageClass } from '../storage/storage-class';
import { StatefulWorkload, StatefulWorkloadOptions } from '../workload/stateful-workload';
import { ServiceSelection, WorkloadService } from '../workload/workload-service';

/**
 * A PostgreSQL version: a pinned tag of the official image (Debian variants).
 *
 * The constants pin the newest minor release of each major, checked against the release notes
 * and security advisories (the engine version policy, docs/engine-versions.md); a library release
 * moves them forward within their major, never to another major. A tag given to `of()` below its
 * major's first release without known critical or high advisories is accepted, and the
 * `Postgres` that runs it warns `[vulnerable-engine-version]`.
 *
 * @see https://hub.docker.com/_/postgres
 * @see https://www.postgresql.org/support/versioning/
 */
export class PostgresVersion {
  /** PostgreSQL 15, pinned to its newest minor release (`15.19`). */
  public static readonly V15 = PostgresVersion.pinned(15);
  /** PostgreSQL 16, pinned to its newest minor release (`16.15`). */
  public static readonly V16 = PostgresVersion.pinned(16);
  /** PostgreSQL 17, pinned to its newest minor release (`17.11`; the default). */
  public static readonly V17 = PostgresVersion.pinned(17);
  /** PostgreSQL 18, pinned to its newest minor release (`18.6`). */
  public static readonly V18 = PostgresVersion.pinned(18);

  /**
   * Any pinned tag of the official image: `<major>.<minor>`, optionally `-trixie` or
   * `-bookworm`, major 15 or later. A bare major or `latest` (a restart could run another
   * version) and Alpine tags (uid 70, another collation) are refused.
   *
   * @param tag the image tag, e.g. `17.11`
   * @see https://hub.docker.com/_/postgres
   */
  public static of(tag: string): PostgresVersion {
    const parsed = parsePostgresTag('PostgresVersion.of()', 'tag', tag);
    return new PostgresVersion(parsed.tag, parsed.major);
  }

  private static pinned(major: number): PostgresVersion {
    const found = POSTGRES_VERSIONS.find(v => v.major === major)!;
    return new PostgresVersion(found.tag, found.major);
  }

  /** The image tag, e.g. `17.11`. */
  public readonly tag: string;
  /** The major version, e.g. 17. */
  public readonly majorVersion: number;

  private constructor(tag: string, majorVersion: number) {
    this.tag = tag;
    this.majorVersion = majorVersion;
  }
}

/**
 * Options of the primary-only client Service of a `Postgres` (`primaryService`).
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/service/
 */
export interface PostgresPrimaryServiceOptions {
  /**
   * The Service name (a DNS-1035 label).
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#services
   * @default - `<statefulset>-primary`
   */
  readonly name?: string;

  /**
   * The Service type. `EXTERNAL_NAME` is not allowed.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types
   * @default ServiceType.CLUSTER_IP
   */
  readonly serviceType?: ServiceType;

  /**
   * Labels of the Service.
   *
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/
   * @default - only the workload's labels
   */
  readonly labels?: { [key: string]: string };

  /**
   * Annotations of the Service.
   *
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/
   * @default - no annotations
   */
  readonly annotations?: { [key: string]: string };
}

/**
 * Props of `Postgres`. The preset owns the containers, the claim template, the credentials and
 * the client port; the other `StatefulWorkloadOptions` pass through to the `StatefulWorkload`,
 * with these engine overrides: `terminationGracePeriod` defaults to the time a clean shutdown
 * takes, `securityContext.fsGroup` is 999 (the image's `postgres` group), `writableTmp` stays on
 * and `replicas` is 0 or 1.
 */
export interface PostgresProps extends StatefulWorkloadOptions {
  /**
   * The superuser's credentials, in an existing Secret with a user name and a password
   * (`DataStoreCredentials.fromSecret()`; the default keys are those of a
   * `kubernetes.io/basic-auth` Secret). The server's `POSTGRES_USER` is read from the same key
   * consumers read `<PREFIX>_USERNAME` from, so the two never disagree; the password reaches the
   * server as a file (`POSTGRES_PASSWORD_FILE`), never as an environment variable. Both are used
   * only when the data directory is first initialized: changing the Secret later changes nothing
   * in the database (use `ALTER ROLE ... PASSWORD`).
   *
   * A user name in a Secret the app renders (with data) is checked at synthesis: it must be a
   * plain SQL identifier (lower case, not a reserved keyword, at most 63 bytes, not `pg_*` or
   * `public`). An imported Secret cannot be checked; the image itself quotes any name correctly.
   *
   * @see https://github.com/docker-library/docs/blob/master/postgres/README.md#docker-secrets
   * @see https://kubernetes.io/docs/concepts/configuration/secret/#basic-authentication-secret
   */
  readonly credentials: DataStoreCredentials;

  /**
   * The database the image creates at first start (`POSTGRES_DB`), where `initSql` runs. A plain
   * SQL identifier: lower case letters, digits and `_`, not a reserved keyword, at most 63 bytes,
   * not `template0`/`template1`; names that would need quoting are refused. Consumers wired with
   * `DataStoreConnection` get it as `<PREFIX>_DATABASE` (`connectionProperties.database`).
   *
   * @see https://github.com/docker-library/docs/blob/master/postgres/README.md#postgres_db
   * @default "app"
   */
  readonly database?: string;

  /**
   * The PostgreSQL version.
   *
   * @see https://www.postgresql.org/support/versioning/
   * @default PostgresVersion.V17
   */
  readonly version?: PostgresVersion;

  /**
   * Where to pull the official image from (the tag comes from `version`).
   *
   * @see https://kubernetes.io/docs/concepts/containers/images/#image-names
   * @default - docker.io/library/postgres
   */
  readonly image?: EngineImageOptions;

  /**
   * Resources of the PostgreSQL container, merged field by field over the defaults: a field you
   * leave out keeps its default (passing only `memory` keeps the CPU request of 500m). A memory
   * request without a limit is also the limit, and the request defaults to the limit. The memory
   * limit (at least 256Mi) drives the engine: `shared_buffers` is a quarter of it, `/dev/shm` as
   * large as `shared_buffers` (at least 64Mi), and the termination grace allows writing all of
   * `shared_buffers` at shutdown.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
   * @see https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-SHARED-BUFFERS
   * @default - a memory request and limit of 1Gi, a CPU request of 500m and no CPU limit
   */
  readonly resources?: ContainerResources;

  /**
   * The size of each replica's data volume.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#resources
   * @default Size.gibibytes(10)
   */
  readonly storage?: Size;

  /**
   * The storage class of the data volume, as an object. Cannot be combined with
   * `storageClassName`.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#class-1
   * @default - `storageClassName`, or the storage class marked as default in the cluster
   */
  readonly storageClass?: IStorageClass;

  /**
   * The name of the storage class of the data volume.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#class-1
   * @default - the storage class marked as default in the cluster is used
   */
  readonly storageClassName?: string;

  /**
   * Init scripts run once, when the data directory is first initialized, in the database
   * `database`: every key of the ConfigMap becomes a file in `/docker-entrypoint-initdb.d`, run
   * in name order. Keys must end in `.sql`, `.sql.gz`, `.sql.xz`, `.sql.zst` or `.sh` (the
   * entrypoint ignores other files; checked for a ConfigMap the app renders).
   *
   * @see https://github.com/docker-library/docs/blob/master/postgres/README.md#initialization-scripts
   * @default - no init scripts
   */
  readonly initSql?: IConfigMap;

  /**
   * A ClusterIP Service that reaches only the primary (the first pod), for writes: set `{}` for
   * the defaults. Consumers can be wired to it (`primaryService` implements `IDataStore`).
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/
   * @default - no primary Service; the headless Service and `primaryEndpoint` (the first pod's
   * DNS name) still reach it
   */
  readonly primaryService?: PostgresPrimaryServiceOptions;

  /**
   * The name consumers know the store by: it derives the environment variable prefix of a
   * `DataStoreConnection` (`user-db` gives `USER_DB_SERVICE_HOST`).
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#environment-variables
   * @default - the StatefulSet name
   */
  readonly storeName?: string;

  /**
   * Streaming read replicas besides the primary: the StatefulSet runs `readReplicas + 1` pods,
   * pod `ordinals.start` the primary, every other pod a hot standby that clones the primary
   * (`pg_basebackup`) when its claim is empty and then streams its WAL (`primary_conninfo` by the
   * primary's pod DNS name, `standby.signal`, `hot_standby`). Replicas serve reads through
   * `readService` (`<name>-read`) and refuse writes; consumers of the preset (`endpoint`) reach
   * the primary. Needs `replicationCredentials`. There is no automatic promotion: losing the
   * primary stops writes until it is back (docs/failover.md has the manual promotion, and
   * when to choose an operator instead). Cannot be combined with `replicas`.
   *
   * @see https://www.postgresql.org/docs/current/warm-standby.html#STREAMING-REPLICATION
   * @default 0 - a single server (or `replicas`)
   */
  readonly readReplicas?: number;

  /**
   * The replication role's credentials, in an existing Secret with a user name and a password
   * (`DataStoreCredentials.fromSecret()`): a role of its own (`REPLICATION LOGIN`, not a superuser),
   * created on the primary when it is first initialized and set again (password and flags) at every
   * start of the primary, with a `host replication <role> all scram-sha-256` line in pg_hba.conf.
   * The replicas authenticate with it. Its name must be a plain SQL identifier other than the
   * superuser's; the password reaches the pods as a file of a Secret volume only.
   *
   * @see https://www.postgresql.org/docs/current/warm-standby.html#STREAMING-REPLICATION-AUTHENTICATION
   * @default - no replication role: `readReplicas` must be 0
   */
  readonly replicationCredentials?: DataStoreCredentials;

  /**
   * TLS: the server's certificate from a Secret of yours or from cert-manager (a `Certificate`
   * for the pods' and Services' names), `ssl = on`, and with `required` (the default) TLS for every
   * connection from outside the pod (`hostssl` lines in the library's own `pg_hba.conf`; the
   * probes and sidecars in the pod keep the loopback). Consumers wired with `DataStoreConnection`
   * get the CA mounted (`<PREFIX>_CA_FILE`) and `<PREFIX>_SSLMODE=verify-full`. A `tls-reload`
   * sidecar makes the server reload a renewed certificate (`pg_reload_conf()`).
   *
   * @see https://www.postgresql.org/docs/current/ssl-tcp.html
   * @see https://cert-manager.io/docs/usage/certificate/
   * @default - no TLS
   */
  readonly tls?: PresetTlsOptions;

  /**
   * A login role for the consumers, apart from the superuser: `LOGIN` and nothing more on the
   * cluster (no SUPERUSER, CREATEDB, CREATEROLE, REPLICATION, BYPASSRLS), `CONNECT` on `database`,
   * and in each schema `USAGE` and read/write access to the data (`SELECT, INSERT, UPDATE, DELETE`
   * on tables, `USAGE, SELECT, UPDATE` on sequences), for what exists and what the owner creates
   * later. Created at first initialization, and by an idempotent Job (an Argo CD Sync hook) on a
   * running server, which also sets the password again when the role's Secret changes.
   *
   * With it, the preset's `credentials` (what `DataStoreConnection` hands out, also through
   * `primaryService`) are the role's; `ownerCredentials` (the superuser's) stay with the server,
   * schema migrations and backups.
   *
   * @see https://www.postgresql.org/docs/current/ddl-priv.html
   * @default - no application role: consumers connect as the superuser
   */
  readonly applicationRole?: PostgresApplicationRoleOptions;
}

const DATA_VOLUME = 'data';

/**
 * PostgreSQL on a `StatefulWorkload`: one server with its data on a claim, the official image
 * run as uid/gid 999 under the restricted pod security profile with a read-only root file system.
 *
 * With `readReplicas` (and `replicationCredentials`), pod `ordinals.start` is the primary and the
 * other pods hot standbys streaming from it, read through `readService`. There is no automatic
 * failover (use an operator such as CloudNativePG for that): docs/failover.md. Without,
 * `replicas` is 0 or 1.
 *
 * @see https://hub.docker.com/_/postgres
 */
export class Postgres extends EnginePreset {
  /** The underlying workload (escape hatch). */
  public readonly workload: StatefulWorkload;
  /** The database the server creates at first start (`database`). */
  public readonly databaseName: string;
  /** The PostgreSQL version. */
  public readonly version: PostgresVersion;
  /** The server's image, e.g. `docker.io/library/postgres:17.9` (also the image of the backup and restore Jobs). */
  public readonly image: string;
  /**
   * The primary-only client Service, when `primaryService` is set.
   *
   * @default - none
   */
  public readonly primaryService?: WorkloadService;
  /** The number of streaming read replicas. */
  public readonly readReplicas: number;
  /**
   * The Service that reaches every pod, primary and standbys, for reads: `<name>-read`, when
   * there are read replicas. A standby that is not streaming from the primary is not Ready and
   * gets no reads.
   *
   * @default - none without read replicas
   */
  public readonly readService?: WorkloadService;
  /**
   * The replication role's credentials.
   *
   * @default - none
   */
  public readonly replicationCredentials?: DataStoreCredentials;

  /**
   * The application role, when `applicationRole` is set: its credentials, init script and Job.
   *
   * @default - none
   */
  public readonly applicationRole?: PostgresApplicationRole;

  /** The superuser's credentials (`credentials` prop). */
  private readonly superuserCredentials: DataStoreCredentials;

  /** The credentials Secret's password as a file (the server's, and the exporter's). */
  private readonly passwordVolume: Volume;
  /** The server's port in the pod. */
  private readonly serverPort: number;

  constructor(scope: Construct, id: string, props: PostgresProps) {
    super(scope, id);
    const where = `Postgres '${this.node.path}'`;

    // ---- eager checks of what the engine does not check
    const credentials = props.credentials;
    if (!(credentials instanceof DataStoreCredentials)) {
      throw fail(where, 'credentials', credentials,
        'A database without a password is not offered: the superuser password must come from a Kubernetes Secret',
        'Set \'credentials\' to DataStoreCredentials.fromSecret(secret)');
    }
    if (credentials.usernameKey === undefined) {
      throw fail(where, 'credentials', 'DataStoreCredentials.fromPasswordSecret()',
        'Must have a user name key: the server\'s POSTGRES_USER is read from the key consumers read their user name from',
        'Use DataStoreCredentials.fromSecret(secret, { usernameKey, passwordKey })');
    }
    const replication = props.replicationCredentials;
    const readReplicas = props.readReplicas ?? 0;
    checkReplicationProps(where, props, credentials);
    if (props.tls && (readReplicas > 0 || props.replicationCredentials)) {
      // not proven: the library's pg_hba.conf and the standbys' replication connection under TLS
      throw fail(where, 'tls', 'set', 'Cannot be combined with \'readReplicas\' yet: TLS replaces pg_hba.conf with the library\'s own, '
        + 'whose replication lines and the standbys\' TLS connection are not proven together',
      'Leave \'tls\' out with read replicas (isolate the store with NetworkPolicies.enable() instead), or leave \'readReplicas\' out');
    }
    const replicas = props.readReplicas !== undefined ? readReplicas + 1 : props.replicas ?? 1;
    if (props.readReplicas === undefined && replicas !== 0 && replicas !== 1) {
      throw fail(where, 'replicas', replicas,
        'Must be 0 or 1: more replicas would be independent servers with their own data; streaming replicas are \'readReplicas\', and automatic failover needs an operator such as CloudNativePG',
        `Set 'readReplicas' to ${replicas - 1} with 'replicationCredentials' (and leave 'replicas' out), or run a replicated cluster with an operator and describe it with DataStore.fromDataStoreAttributes()`);
    }
    if (props.writableTmp === false || props.podDefaults?.writableTmp === false) {
      throw fail(where, props.writableTmp === false ? 'writableTmp' : 'podDefaults.writableTmp', false,
        'PostgreSQL needs a writable /tmp under the read-only root file system (init scripts and the shell write there)',
        'Leave \'writableTmp\' out');
    }
    if (props.securityContext?.fsGroup !== undefined && props.securityContext.fsGroup !== POSTGRES_GID) {
      throw fail(where, 'securityContext.fsGroup', props.securityContext.fsGroup,
        `Must be ${POSTGRES_GID}, the image's postgres group: it makes the data volume and the password file readable by the server`,
        'Leave \'securityContext.fsGroup\' out');
    }
    const resources = presetResources(props.resources, {
      cpuRequest: Cpu.millis(parseInt(POSTGRES_DEFAULT_CPU_REQUEST, 10)),
      memory: POSTGRES_DEFAULT_MEMORY,
    });
    const memoryLimit = resources.memory!.limit!;
    checkPostgresMemory(where, props.resources?.memory?.limit === undefined && props.resources?.memory?.request !== undefined
      ? 'resources.memory.request' : 'resources.memory.limit', memoryLimit);

    this.version = props.version ?? PostgresVersion.V17;
    this.databaseName = props.database ?? 'app';
    const engine = renderPostgres(where, {
      version: this.version.tag,
      userSecret: { name: credentials.secret.name, key: credentials.usernameKey },
      database: this.databaseName,
      passwordSecret: { name: credentials.secret.name, key: credentials.passwordKey },
      memoryLimit,
      initScripts: props.initSql ? { configMapName: props.initSql.name } : undefined,
      mountPath: POSTGRES_DEFAULT_MOUNT_PATH,
      dataVolumeName: DATA_VOLUME,
    });
    const image = engineImage(where, 'image', props.image, 'library/postgres', engine.tag);
    this.superuserCredentials = credentials;
    // TLS (postgres-tls.ts): the certificate's files are the base's, at a fixed path
    const tlsSettings = props.tls ? { files: TLS_FILES, required: props.tls.required ?? true } : undefined;
    this.image = image;
    warnEngineVersion(this, where, 'version', 'postgres', engine.tag);

    // ---- the engine's volumes as cdk8s-plus volumes (the workload renders /tmp itself)
    const names = POSTGRES_VOLUME_NAMES;
    const volumes: { [name: string]: Volume } = {
      [names.socket]: Volume.fromEmptyDir(this, 'SocketVolume', names.socket),
      [names.shm]: Volume.fromEmptyDir(this, 'ShmVolume', names.shm, {
        medium: EmptyDirMedium.MEMORY,
        sizeLimit: Size.mebibytes(postgresShmSizeMebibytes(engine.sharedBuffersMebibytes)),
      }),
      [names.password]: Volume.fromSecret(this, 'PasswordVolume', credentials.secret, {
        name: names.password,
        items: { [credentials.passwordKey]: { path: 'password' } },
        defaultMode: 0o440,
      }),
    };
    if (props.initSql) {
      volumes[names.initScripts] = Volume.fromConfigMap(this, 'InitSqlVolume', props.initSql, { name: names.initScripts, defaultMode: 0o444 });
    }
    this.passwordVolume = volumes[names.password];
    this.serverPort = engine.port;
    const volumeMounts: VolumeMount[] = engine.volumeMounts
      .filter(m => m.name !== DATA_VOLUME && m.name !== names.tmp)
      // with an application role, the init scripts are mounted with the role's (after the workload)
      .filter(m => !(props.applicationRole && m.name === names.initScripts))
      .map(m => ({ path: m.mountPath, volume: volumes[m.name], readOnly: m.readOnly }));

    const envVariables: { [name: string]: EnvValue } = {};
    for (const e of engine.env) {
      envVariables[e.name] = e.valueFrom
        ? EnvValue.fromSecretValue({ secret: credentials.secret, key: e.valueFrom.secretKeyRef.key })
        : EnvValue.fromValue(e.value!);
    }

    // ---- streaming replication: the server's part (args, readiness, the password file's volume)
    let streaming: (ReplicationServer & { mounts: VolumeMount[]; run: Volume; secret: Volume }) | undefined;
    if (replication) {
      const server = renderReplicationServer(where, {
        tag: engine.tag,
        probeUser: engine.user,
        probeDatabase: this.databaseName,
        storageBytes: kibibytes(props.storage ?? Size.gibibytes(10)) * 1024,
        passwordSecret: { name: replication.secret.name, key: replication.passwordKey },
      });
      const run = Volume.fromEmptyDir(this, 'ReplicationVolume', POSTGRES_REPLICATION_RUN_VOLUME, {
        medium: EmptyDirMedium.MEMORY, sizeLimit: Size.mebibytes(1),
      });
      const secret = Volume.fromSecret(this, 'ReplicationPasswordVolume', replication.secret, {
        name: POSTGRES_REPLICATION_SECRET_VOLUME,
        items: { [replication.passwordKey]: { path: 'password' } },
        defaultMode: 0o440,
      });
      streaming = { ...server, run, secret, mounts: server.serverVolumeMounts.map(m => ({ path: m.mountPath, volume: run, readOnly: m.readOnly })) };
    }

    const {
      credentials: _credentials, database: _database, version: _version, image: _image, resources: _resources, storage: _storage,
      storageClass: _storageClass, storageClassName: _storageClassName, initSql: _initSql, primaryService: _primaryService,
      storeName: _storeName, tls: _tls, applicationRole: _applicationRole, ...options
    } = props;
    this.workload = new StatefulWorkload(this, 'Resource', {
      ...options,
      replicas,
      // the replicas start whatever the primary's state: a standby with data serves reads (and
      // tells a primary back on an empty claim that it holds data); rolling updates stay ordered
      podManagementPolicy: props.podManagementPolicy ?? (readReplicas > 0 ? PodManagementPolicy.PARALLEL : undefined),
      // a standby cut off from its primary is not Ready, and a primary back on an empty claim must
      // still resolve it to see it holds data (the replicas also resolve the primary before it is Ready)
      headlessService: readReplicas > 0 ? { ...props.headlessService, publishNotReadyAddresses: true } : props.headlessService,
      terminationGracePeriod: props.terminationGracePeriod ?? Duration.seconds(engine.terminationGracePeriodSeconds),
      securityContext: { ...props.securityContext, fsGroup: POSTGRES_GID },
      credentials,
      storeName: props.storeName,
      clientPorts: [{ name: 'postgres', port: engine.port }],
      // what libpq and every driver need besides host, port and credentials
      connectionProperties: { database: this.databaseName },
      containers: [{
        name: 'postgres',
        image,
        args: [...engine.args, ...streaming?.args ?? [], ...tlsSettings ? postgresTlsArgs(tlsSettings) : []],
        envVariables,
        ports: [{ name: 'postgres', number: engine.port }],
        startup: probe(engine.startupProbe),
        liveness: probe(engine.livenessProbe),
        readiness: probe(streaming?.readinessProbe ?? engine.readinessProbe),
        resources,
        securityContext: { user: POSTGRES_UID, group: POSTGRES_GID, ensureNonRoot: true },
        volumeMounts: [...volumeMounts, ...streaming?.mounts ?? []],
      }],
      volumeClaimTemplates: [{
        name: DATA_VOLUME,
        storage: props.storage ?? Size.gibibytes(10),
        storageClass: props.storageClass,
        storageClassName: props.storageClassName,
        mountPath: POSTGRES_DEFAULT_MOUNT_PATH,
      }],
    });
    stateEngine(this.workload.apiObject, 'postgres', engine.tag);

    if (props.primaryService) {
      this.primaryService = this.workload.addClientService({
        ...props.primaryService,
        name: props.primaryService.name ?? `${this.workload.name}-primary`,
        selection: ServiceSelection.pod(this.workload.startOrdinal),
      });
    }
    this.readReplicas = readReplicas;
    this.replicationCredentials = replication;
    if (streaming && replication) {
      // ---- the replication init container: the server's env, mounts and args, and its own
      const w = this.workload;
      const init = renderReplicationInit(where, {
        podHosts: Array.from({ length: Math.max(replicas, 1) }, (_, i) => w.podDnsName(w.startOrdinal + i)),
        primaryOrdinal: w.startOrdinal,
        userSecret: { name: replication.secret.name, key: replication.usernameKey! },
      });
      const initEnv: { [name: string]: EnvValue } = { ...envVariables };
      for (const e of init.env) {
        initEnv[e.name] = e.valueFrom
          ? EnvValue.fromSecretValue({ secret: replication.secret, key: e.valueFrom.secretKeyRef.key })
          : EnvValue.fromValue(e.value!);
      }
      const initVolumes: { [name: string]: Volume } = {
        [POSTGRES_REPLICATION_RUN_VOLUME]: streaming.run,
        [POSTGRES_REPLICATION_SECRET_VOLUME]: streaming.secret,
      };
      w.addInitContainer({
        name: init.name,
        image,
        command: init.command,
        args: [...engine.args, ...streaming.args],
        envVariables: initEnv,
        resources,
        securityContext: { user: POSTGRES_UID, group: POSTGRES_GID, ensureNonRoot: true },
        volumeMounts: [...volumeMounts, ...init.volumeMounts.map(m => ({ path: m.mountPath, volume: initVolumes[m.name], readOnly: m.readOnly }))],
      });
      // what the upgrade guard reads (src/gitops/private/upgrade-rules.ts, "Failover")
      this.workload.apiObject.metadata.addAnnotation(REPLICATION_ANNOTATION, 'streaming');
    }
    if (readReplicas > 0) {
      // Network peer port (for NetworkPolicies derived from the wiring): the standbys reach the
      // primary on engine.port (replication, pg_basebackup), and a primary on an empty claim asks
      // the standbys on it whether they hold a database: engine.port between the workload's own pods.
      this.workload.addPeerPort({ name: 'postgres', port: engine.port });
      this.readService = this.workload.addClientService({
        name: `${this.workload.name}-read`,
        selection: ServiceSelection.allPods(),
        ports: [{ name: 'postgres', port: engine.port }],
      });
    }

    // ---- TLS and the application role (after the client Services: the certificate names them)
    const server = this.workload.containers.find(c => c.name === 'postgres')!;
    const tls = props.tls ? this.configureTls(props.tls, [server]) : undefined;
    if (tls) this.addTlsFiles(tls, server, volumes[names.socket]);
    if (props.applicationRole) {
      this.applicationRole = PostgresApplicationRole._create(this, 'ApplicationRole', props.applicationRole, {
        where, workload: this.workload, image, database: this.databaseName, port: engine.port, ownerCredentials: credentials, tls,
      });
      this.addApplicationRoleFiles(this.applicationRole, server, props.initSql);
      this.workload._owningStore = this;
    }

    // ---- deferred checks: the user name, init script keys and namespaces of objects the app renders
    // once per synthesis: cdk8s validates the app again for every chart
    addSynthesisCheck(this, () => [
      ...this.usernameErrors(where, credentials),
      ...this.initSqlErrors(where, props.initSql),
      ...replicationUsernameErrors(where, credentials, props.replicationCredentials),
      ...this.applicationRoleErrors(where),
      ...[
        mountedObjectNamespaceError(where, 'credentials', credentials.secret, this.workload.namespaceName),
        props.initSql && mountedObjectNamespaceError(where, 'initSql', props.initSql, this.workload.namespaceName),
        replication && mountedObjectNamespaceError(where, 'replicationCredentials', replication.secret, this.workload.namespaceName),
        this.applicationRole
          && mountedObjectNamespaceError(where, 'applicationRole.credentials', this.applicationRole.credentials.secret, this.workload.namespaceName),
      ].filter((e): e is string => e !== undefined),
      ...this.exporterPasswordErrors(where, credentials),
    ]);
  }

  /**
   * With read replicas, the primary: the primary Service's address, or the first pod's DNS name
   * (the headless Service would reach the standbys too, which refuse writes).
   */
  public get endpoint(): Endpoint {
    if (this.readReplicas > 0) return this.primaryService?.endpoint ?? this.workload.primaryEndpoint!;
    return this.workload.endpoint;
  }

  /**
   * The credentials consumers get: the application role's when `applicationRole` is set, else the
   * superuser's.
   */
  public get credentials(): DataStoreCredentials | undefined {
    return this.applicationRole?.credentials ?? this.superuserCredentials;
  }

  /**
   * The superuser's credentials, when consumers get the application role's: for schema migrations
   * and backups.
   *
   * @default - no application role: `credentials` are the superuser's
   */
  public get ownerCredentials(): DataStoreCredentials | undefined {
    return this.applicationRole ? this.superuserCredentials : undefined;
  }

  /** libpq's `sslmode` that verifies the chain and the host name: `SSLMODE=verify-full`. */
  protected tlsClientVariables(_tls: PresetTls): { [variable: string]: string } {
    return { ...POSTGRES_TLS_CLIENT_VARIABLES };
  }

  /**
   * TLS beside the certificate the base mounts: with `required`, the library's `pg_hba.conf` (a
   * ConfigMap, `<statefulset>-hba`); and the `tls-reload` sidecar, which runs `pg_reload_conf()`
   * over the socket when the certificate (or the hba file) changes.
   */
  private addTlsFiles(tls: PresetTls, server: Container, socket: Volume): void {
    const w = this.workload;
    let hba: Volume | undefined;
    if (tls.required) {
      const hbaConfig = new ConfigMap(this, 'HbaConfig', {
        metadata: { name: `${w.name}-hba`, namespace: w.namespaceName },
        data: { [POSTGRES_HBA_KEY]: postgresHbaFile() },
      });
      hba = Volume.fromConfigMap(this, 'HbaVolume', hbaConfig, { name: POSTGRES_HBA_VOLUME, defaultMode: 0o444 });
      server.mount(POSTGRES_HBA_DIRECTORY, hba, { readOnly: true });
    }
    const files = [tls.certFile, tls.keyFile, tls.caFile, ...hba ? [`${POSTGRES_HBA_DIRECTORY}/${POSTGRES_HBA_KEY}`] : []];
    const credentials = this.superuserCredentials;
    // a sidecar: it watches the certificate files and talks to the server over its socket; the
    // data claim is not mounted in it
    const reload = w._addSidecar({
      name: TLS_RELOAD_CONTAINER,
      image: server.image,
      command: ['sh', '-c', tlsReloadScript(files, postgresTlsReloadCommand(POSTGRES_SOCKET_DIRECTORY))],
      envVariables: {
        POSTGRES_USER: EnvValue.fromSecretValue({ secret: credentials.secret, key: credentials.usernameKey! }),
        POSTGRES_DB: EnvValue.fromValue(this.databaseName),
        PGPORT: EnvValue.fromValue(String(w.ports[0]?.port ?? 5432)),
      },
      resources: { cpu: { request: Cpu.millis(10) }, memory: { request: Size.mebibytes(32), limit: Size.mebibytes(32) } },
      securityContext: { user: POSTGRES_UID, group: POSTGRES_GID, ensureNonRoot: true },
    });
    // the socket only: read-only is enough to connect to it
    reload.mount(POSTGRES_SOCKET_DIRECTORY, socket, { readOnly: true });
    tls.mount(reload);
    if (hba) reload.mount(POSTGRES_HBA_DIRECTORY, hba, { readOnly: true });
  }

  /**
   * The application role in the server's container, for its init script: the role's name
   * (`POSTGRES_APP_ROLE`, from its Secret), its password file, and `/docker-entrypoint-initdb.d`
   * with the role's script and the user's `initSql`.
   */
  private addApplicationRoleFiles(role: PostgresApplicationRole, server: Container, initSql: IConfigMap | undefined): void {
    const credentials = role.credentials;
    server.env.addVariable(POSTGRES_APP_ROLE_ENV, EnvValue.fromSecretValue({ secret: credentials.secret, key: credentials.usernameKey! }));
    server.mount(POSTGRES_APP_SECRET_DIRECTORY, Volume.fromSecret(this, 'AppPasswordVolume', credentials.secret, {
      name: 'postgres-app-password',
      items: { [credentials.passwordKey]: { path: 'password' } },
      defaultMode: 0o400,
    }), { readOnly: true });
    server.mount(POSTGRES_INITDB_DIRECTORY, role._initdbVolume(POSTGRES_VOLUME_NAMES.initScripts, initSql), { readOnly: true });
  }

  /**
   * PostgreSQL's logical backups: `pg_dump -Fc` of `database` and `pg_dumpall --globals-only` (the
   * roles), restored with `pg_restore` into a new database renamed into place when complete. The
   * Jobs run the server's image as uid 999 and read the superuser's name and password as files of
   * the credentials Secret (never environment variables), through a private `pgpass` file; they
   * connect to the primary pod by its DNS name.
   */
  protected logicalBackupEngine(): LogicalBackupEngine {
    const credentials = this.workload.credentials!;
    const volume = Volume.fromSecret(this, 'BackupCredentialsVolume', credentials.secret, {
      name: 'postgres-backup-credentials',
      items: {
        [credentials.usernameKey!]: { path: 'username' },
        [credentials.passwordKey]: { path: 'password' },
      },
      defaultMode: 0o440,
    });
    const command = (script: string) => ({
      script,
      envVariables: {
        PGDATABASE: EnvValue.fromValue(this.databaseName),
        [POSTGRES_CREDENTIALS_ENV]: EnvValue.fromValue(POSTGRES_BACKUP_CREDENTIALS),
      },
      volumeMounts: [{ path: POSTGRES_BACKUP_CREDENTIALS, volume, readOnly: true }],
    });
    return {
      engineName: 'postgres',
      image: this.image,
      user: POSTGRES_UID,
      group: POSTGRES_GID,
      files: POSTGRES_BACKUP_FILES,
      details: { database: this.databaseName, major: String(this.version.majorVersion) },
      backup: command(postgresBackupScript(this.serverTls !== undefined)),
      restore: command(postgresRestoreScript(this.serverTls !== undefined)),
    };
  }

  /**
   * postgres_exporter (`quay.io/prometheuscommunity/postgres-exporter`) against the server on the
   * pod's loopback, as the superuser: the name from the credentials Secret's user name key, the
   * password as a file of the Secret (the server's own volume), never an environment variable.
   */
  protected metricsExporter(): MetricsExporter {
    const credentials = this.workload.credentials!;
    const exporter = renderPostgresExporter({
      serverPort: this.serverPort,
      userSecret: { name: credentials.secret.name, key: credentials.usernameKey! },
      passwordFile: `${POSTGRES_SECRET_DIRECTORY}/${POSTGRES_PASSWORD_FILE_NAME}`,
    });
    return {
      alertPrefix: 'Postgres',
      containerName: 'postgres-exporter',
      image: POSTGRES_EXPORTER_IMAGE,
      port: exporter.port,
      args: exporter.args,
      envVariables: Object.fromEntries(exporter.env.map(e => [e.name, e.valueFrom
        ? EnvValue.fromSecretValue({ secret: credentials.secret, key: e.valueFrom.secretKeyRef!.key })
        : EnvValue.fromValue(e.value!)])),
      volumeMounts: [{ path: POSTGRES_SECRET_DIRECTORY, volume: this.passwordVolume, readOnly: true }],
      user: exporter.user,
      group: exporter.user,
    };
  }

  /**
   * PostgreSQL's alerts: `PostgresDown` and `PostgresTooManyConnections`. Replication alerts
   * come with read replicas.
   */
  protected metricsAlertRules(context: MetricsAlertContext): PrometheusAlertingRule[] {
    return completeRules(context, postgresAlertRules(context, { container: 'postgres' }));
  }

  /** The user name in a Secret the app renders must be a plain SQL identifier. */
  private usernameErrors(where: string, credentials: DataStoreCredentials): string[] {
    const object = credentials.secret.node.defaultChild;
    const key = credentials.usernameKey!;
    const value = renderedSecretValue(credentials, key);
    // a missing key is reported by the credentials; an imported Secret cannot be checked
    if (value === undefined || !(object instanceof ApiObject)) return [];
    try {
      checkPostgresUser(where, `credentials.usernameKey (${show(key)} of the Secret ${show(object.name)})`, value);
    } catch (e) {
      return [(e as Error).message];
    }
    return [];
  }

  /**
   * The application role's name in a Secret the app renders: a plain SQL identifier, not `pg_*` or
   * `public`, and not the superuser's name when that is known too.
   */
  private applicationRoleErrors(where: string): string[] {
    const role = this.applicationRole;
    if (!role) return [];
    const name = renderedValue(role.credentials.secret, role.credentials.usernameKey!);
    if (name === undefined) return [];
    const prop = `applicationRole.credentials.usernameKey (${show(role.credentials.usernameKey)} of the Secret ${show(role.credentials.secret.name)})`;
    try {
      checkPostgresUser(where, prop, name);
    } catch (e) {
      return [(e as Error).message];
    }
    const superuser = renderedValue(this.superuserCredentials.secret, this.superuserCredentials.usernameKey!);
    if (superuser === name) {
      return [fail(where, prop, name,
        'Must differ from the superuser\'s name: the application role is a role of its own, with fewer privileges',
        'Give the application role another name, such as "app"').message];
    }
    return [];
  }

  /**
   * With metrics, the password in a Secret the app renders must hold no white space:
   * postgres_exporter splits its connection string at spaces to name the server, fails on such a
   * password, and logs the string, password included (0.11 to 0.20).
   */
  private exporterPasswordErrors(where: string, credentials: DataStoreCredentials): string[] {
    if (!this.metrics) return [];
    const password = renderedSecretValue(credentials, credentials.passwordKey);
    if (password === undefined || !/\s/.test(password)) return [];
    return [failWithoutValue(where, 'addMetrics()', `the password (key ${show(credentials.passwordKey)} of the Secret ${show(credentials.secret.name)}) contains white space`,
      'postgres_exporter cannot log in with such a password: it splits its connection string at spaces, fails, and logs the string with the password',
      'Use a password without spaces, tabs or line breaks (change it with ALTER ROLE ... PASSWORD and in the Secret), or leave metrics off').message];
  }

  /** The keys of an init script ConfigMap the app renders must end in a suffix the entrypoint runs. */
  private initSqlErrors(where: string, initSql: IConfigMap | undefined): string[] {
    if (!(initSql instanceof ConfigMap)) return [];
    return [...Object.keys(initSql.data), ...Object.keys(initSql.binaryData)]
      .filter(key => !POSTGRES_INIT_SCRIPT_SUFFIXES.some(suffix => key.endsWith(suffix) && key.length > suffix.length))
      .map(key => fail(where, 'initSql', key,
        `Every key must end in ${POSTGRES_INIT_SCRIPT_SUFFIXES.join(', ')}: the image's entrypoint ignores any other file in ${POSTGRES_INITDB_DIRECTORY}`,
        `Rename the key, e.g. to ${show(`${key.replace(/\.[^.]*$/, '')}.sql`)}`).message);
  }
}

/** The value of a key of a Secret the app renders (`stringData` or `data`), or undefined (imported, or no such key). */
function renderedSecretValue(credentials: DataStoreCredentials, key: string): string | undefined {
  const object = credentials.secret.node.defaultChild;
  if (!(object instanceof ApiObject) || object.kind !== 'Secret') return undefined;
  const rendered = object.toJson();
  return rendered.stringData?.[key]
    ?? (rendered.data?.[key] !== undefined ? Buffer.from(rendered.data[key], 'base64').toString('utf8') : undefined);
}

/** The replication role's name in a Secret the app renders: a plain identifier, not the superuser's. */
function replicationUsernameErrors(where: string, credentials: DataStoreCredentials, replication: DataStoreCredentials | undefined): string[] {
  if (replication?.usernameKey === undefined) return [];
  const value = renderedSecretValue(replication, replication.usernameKey);
  if (value === undefined) return [];
  const prop = `replicationCredentials.usernameKey (${show(replication.usernameKey)} of the Secret ${show(replication.secret.name)})`;
  try {
    checkPostgresUser(where, prop, value);
  } catch (e) {
    return [(e as Error).message];
  }
  if (credentials.usernameKey !== undefined && renderedSecretValue(credentials, credentials.usernameKey) === value) {
    return [fail(where, prop, value, 'Must name another role than the superuser (\'credentials\'): the primary sets the replication role\'s password and flags at every start',
      'Give the replication role a name of its own, such as "replicator"').message];
  }
  return [];
}

/** The eager checks of `readReplicas` and `replicationCredentials`. */
function checkReplicationProps(where: string, props: PostgresProps, credentials: DataStoreCredentials): void {
  if (props.readReplicas !== undefined) {
    checkInteger(where, 'readReplicas', props.readReplicas, 0);
    if (props.replicas !== undefined) {
      throw fail(where, 'replicas', props.replicas, 'Cannot be combined with \'readReplicas\': the StatefulSet runs \'readReplicas\' + 1 pods',
        'Leave \'replicas\' out');
    }
  }
  if ((props.readReplicas ?? 0) > 0) {
    if (props.governingService) {
      throw fail(where, 'governingService', props.governingService.name,
        'Cannot be combined with \'readReplicas\': Postgres creates its own headless Service with publishNotReadyAddresses, so that the pods find each other by DNS name before they are Ready',
        'Leave \'governingService\' out; name the headless Service with \'headlessService.name\'');
    }
    if (props.headlessService?.publishNotReadyAddresses === false) {
      throw fail(where, 'headlessService.publishNotReadyAddresses', false,
        'Must be true with \'readReplicas\': a standby cut off from its primary is not Ready, and a primary back on an empty claim must still find it holding data by its DNS name',
        'Leave \'publishNotReadyAddresses\' out');
    }
  }
  const replication = props.replicationCredentials;
  if ((props.readReplicas ?? 0) > 0 && replication === undefined) {
    throw fail(where, 'readReplicas', props.readReplicas,
      'Needs \'replicationCredentials\': the replicas authenticate to the primary as a replication role of their own, whose password must come from a Secret',
      'Set \'replicationCredentials\' to DataStoreCredentials.fromSecret(secret) with the role\'s user name and password, or set \'readReplicas\' to 0');
  }
  if (replication === undefined) return;
  if (!(replication instanceof DataStoreCredentials)) {
    throw fail(where, 'replicationCredentials', replication, 'Must be credentials from a Kubernetes Secret', 'Use DataStoreCredentials.fromSecret(secret)');
  }
  if (replication.usernameKey === undefined) {
    throw fail(where, 'replicationCredentials', 'DataStoreCredentials.fromPasswordSecret()',
      'Must have a user name key: the replication role\'s name is read from it',
      'Use DataStoreCredentials.fromSecret(secret, { usernameKey, passwordKey })');
  }
  if (replication.secret === credentials.secret && replication.usernameKey === credentials.usernameKey) {
    throw failWithoutValue(where, 'replicationCredentials', `The superuser's Secret and user name key (${show(replication.usernameKey)})`,
      'Must name another role than the superuser: the replicas get a role with the REPLICATION attribute only, and the primary sets that role\'s password and flags at every start',
      'Put the replication role\'s user name and password in another Secret, or under other keys');
  }
}

function probe(json: ExecProbeJson): Probe {
  return Probe.fromCommand(json.exec.command, {
    periodSeconds: Duration.seconds(json.periodSeconds),
    timeoutSeconds: Duration.seconds(json.timeoutSeconds),
    successThreshold: json.successThreshold,
    failureThreshold: json.failureThreshold,
  });
}

/** The value of a key of a Secret the app renders with data, if any. */
function renderedValue(secret: { node: Construct['node'] }, key: string): string | undefined {
  const object = secret.node.defaultChild;
  if (!(object instanceof ApiObject) || object.kind !== 'Secret') return undefined;
  const rendered = object.toJson();
  return rendered.stringData?.[key] ?? (rendered.data?.[key] !== undefined ? Buffer.from(rendered.data[key], 'base64').toString('utf8') : undefined);
}
