import { ApiObject, Duration, Size } from 'cdk8s';
import { Container, ContainerResources, Cpu, EmptyDirMedium, EnvValue, IConfigMap, ConfigMap, Probe, ServiceType, Volume, VolumeMount } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EngineImageOptions } from './engine-image';
import { MetricsAlertContext } from './engine-metrics';
import { EnginePreset } from './engine-preset';
import { PostgresApplicationRole, PostgresApplicationRoleOptions } from './postgres-application-role';
import { PresetTls, PresetTlsOptions } from './preset-tls';
import { LogicalBackupEngine } from '../backup/logical-backup-engine';
import { DataStoreCredentials } from '../connection/data-store';
import { MetricsExporter } from '../metrics/metrics-exporter';
import { PrometheusAlertingRule } from '../metrics/prometheus-rule';
import { AppIndex } from '../private/app-index';
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
import { mountedObjectNamespaceError } from './private/preset-checks';
import { presetResources } from './private/resources';
import { fail, failWithoutValue, show } from '../private/validation';
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
 * Streaming replication is out of scope (use an operator such as CloudNativePG): `replicas` is 0
 * or 1.
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
    const replicas = props.replicas ?? 1;
    if (replicas !== 0 && replicas !== 1) {
      throw fail(where, 'replicas', replicas,
        'Must be 0 or 1: more replicas would be independent servers with their own data, and PostgreSQL streaming replication needs an operator such as CloudNativePG',
        'Set \'replicas\' to 1, or run a replicated cluster with an operator and describe it with DataStore.fromDataStoreAttributes()');
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

    const {
      credentials: _credentials, database: _database, version: _version, image: _image, resources: _resources, storage: _storage,
      storageClass: _storageClass, storageClassName: _storageClassName, initSql: _initSql, primaryService: _primaryService,
      storeName: _storeName, tls: _tls, applicationRole: _applicationRole, ...options
    } = props;
    this.workload = new StatefulWorkload(this, 'Resource', {
      ...options,
      replicas,
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
        args: [...engine.args, ...tlsSettings ? postgresTlsArgs(tlsSettings) : []],
        envVariables,
        ports: [{ name: 'postgres', number: engine.port }],
        startup: probe(engine.startupProbe),
        liveness: probe(engine.livenessProbe),
        readiness: probe(engine.readinessProbe),
        resources,
        securityContext: { user: POSTGRES_UID, group: POSTGRES_GID, ensureNonRoot: true },
        volumeMounts,
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
    this.node.addValidation({
      validate: () => AppIndex.of(this).memo(this, () => [
        ...this.usernameErrors(where, credentials),
        ...this.initSqlErrors(where, props.initSql),
        ...this.applicationRoleErrors(where),
        ...[
          mountedObjectNamespaceError(where, 'credentials', credentials.secret, this.workload.namespaceName),
          props.initSql && mountedObjectNamespaceError(where, 'initSql', props.initSql, this.workload.namespaceName),
          this.applicationRole
            && mountedObjectNamespaceError(where, 'applicationRole.credentials', this.applicationRole.credentials.secret, this.workload.namespaceName),
        ].filter((e): e is string => e !== undefined),
        ...this.exporterPasswordErrors(where, credentials),
      ]),
    });
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
    const reload = w.addContainer({
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
