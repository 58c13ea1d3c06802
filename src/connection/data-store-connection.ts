import { createHash } from 'crypto';
import { ApiObject, ApiObjectMetadata, ApiObjectMetadataDefinition, Duration, Lazy, Size } from 'cdk8s';
import { AbstractPod, Capability, ConfigMap, Container, ContainerProps, Cpu, Env, EnvValue, IConfigMap, ImagePullPolicy, ISecret, Volume } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DataStoreCredentials, DataStoreTls, Endpoint, IDataStore } from './data-store';
import { AppIndex, declareConsumer, declareRole, onEveryPass, rollsWithConnections, touch, watchContainer } from '../private/app-index';
import { connectionPropertyVariables } from '../private/connection-properties';
import { withoutTrailingDot } from './private/ip';
import { MANAGED_BY } from '../private/labels';
import { CA_FILE_VARIABLE, copyTls } from '../private/store-tls';
import { resolveWait, StoreWait, waitScript, WAIT_USER } from '../private/store-wait';
import { fail, show } from '../private/validation';
import { addValidationWithWarnings, warn, warningMessage, WARNINGS } from '../private/warnings';

/** The connections each container is wired to, in the order they were wired. */
const WIRED = new WeakMap<Container, DataStoreConnection[]>();
/** The credential values connections added to containers: variables set by a connection, not by the user. */
const CONNECTION_VALUES = new WeakSet<EnvValue>();

/**
 * Which address of a data store a connection hands to consumers.
 *
 * @stable
 */
export enum ConnectionTarget {
  /**
   * The store's Service (`endpoint`): every replica of an in-cluster store, the alias of an
   * external one.
   */
  SERVICE = 'Service',

  /**
   * The store's distinguished replica (`primaryEndpoint`), e.g. pod 0 of a `StatefulWorkload`
   * for writes. A store without one (an `ExternalService`, whose external host is the primary)
   * is reached through its Service, so consumers keep working when the store moves.
   */
  PRIMARY = 'Primary',
}

/**
 * Options of the wait for the store (`DataStoreConnectionProps.waitForStore`): an init container
 * in every consumer's pod that waits until the store accepts TCP connections.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/pods/init-containers/
 */
export interface StoreWaitOptions {
  /**
   * How long the init container waits before it gives up: it then exits 1 with a message naming
   * the store and its address, and the kubelet restarts it (with back-off) for a Deployment or a
   * StatefulSet, while a Job's pod fails and the Job retries up to its `backoffLimit`. Whole
   * seconds, at least 1.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/pods/init-containers/#detailed-behavior
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;

  /**
   * The image the init container runs: a busybox (or any image with a POSIX `sh` and busybox's
   * `nc`, `date` and `sleep`), e.g. from a mirror. Pinned: a tag other than `latest`, or a digest.
   *
   * @see https://kubernetes.io/docs/concepts/containers/images/#image-names
   * @default "docker.io/library/busybox:1.36.1"
   */
  readonly image?: string;
}

/**
 * Props of `DataStoreConnection`.
 *
 * @stable
 */
export interface DataStoreConnectionProps {
  /**
   * The store to connect to: a `StatefulWorkload`, an `ExternalService`, or a store described
   * with `DataStore.fromDataStoreAttributes()`.
   *
   * Only the `IDataStore` interface is used, so the store can be swapped without touching the
   * consumers.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/
   */
  readonly store: IDataStore;

  /**
   * The prefix of the environment variable names. Upper-cased, with '-' turned into '_'; the
   * result must be a portable environment variable name (letters, digits and '_', not starting
   * with a digit). Pin it when the variable names are the consumer's contract, so renaming the
   * store does not rename them.
   *
   * @see https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/
   * For example: `USER_DB`.
   * @default - derived from the store's `storeName`: `user-db` gives `USER_DB`
   */
  readonly prefix?: string;

  /**
   * Point consumers at the store's Service or at its distinguished replica.
   *
   * `PRIMARY` reaches one pod of a StatefulSet by its stable DNS name, for clients that must
   * write to the primary.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#stable-network-id
   * @default ConnectionTarget.SERVICE
   */
  readonly target?: ConnectionTarget;

  /**
   * Metadata of the ConfigMap. It must be in the namespace of the consumers' pods (and so must
   * the store's credentials Secret): `addWorkload()` refuses a workload of another namespace, and
   * synthesis fails for a container (from `consumers` or `addConsumer()`) whose workload is in
   * another namespace.
   *
   * The default name follows the prefix, not the construct path: moving the construct in your
   * code keeps the ConfigMap (and its consumers' `envFrom`) as they are. Two connections with the
   * same prefix in one namespace would render the same ConfigMap: share one connection
   * (`addWorkload()` on each consumer) or give one of them its own `name`.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/configmap/
   * @default - name `<prefix in lower case, '_' as '-'>-connection` (e.g. `user-db-connection`),
   * namespace of the chart
   */
  readonly metadata?: ApiObjectMetadata;

  /**
   * Containers to wire to the store right away; more can be added with `addConsumer()`. Every
   * cdk8s-plus workload exposes its containers (`deployment.containers`).
   *
   * Each gets `envFrom` the ConfigMap and, when the store has credentials, `<PREFIX>_USERNAME`
   * (unless the credentials have no user name), `<PREFIX>_PASSWORD` and the credentials'
   * `extraKeys` from its Secret. A container that sets one of these variables itself,
   * or is already wired to another connection with the same variable names, is refused, and so
   * is (at synthesis) a container whose workload is in another namespace than the ConfigMap or
   * the store's credentials Secret.
   *
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-pod-configmap/#configure-all-key-value-pairs-in-a-configmap-as-container-environment-variables
   * @default - no consumers yet
   */
  readonly consumers?: Container[];

  /**
   * The credentials to hand out in place of the store's `credentials`: e.g. the store's
   * `ownerCredentials` for a tool that changes the schema (a `SchemaMigration` does so by itself).
   * Must be credentials of the same store.
   *
   * @see https://kubernetes.io/docs/tasks/inject-data-application/distribute-credentials-secure/#define-container-environment-variables-using-secret-data
   * @default - the store's `credentials` (a `Postgres` with an application role: the role's)
   * @experimental
   */
  readonly credentials?: DataStoreCredentials;

  /**
   * Make every consumer's pod wait for the store: an init container, first in the pod, that
   * resolves `<PREFIX>_SERVICE_HOST` and opens a TCP connection to `<PREFIX>_SERVICE_PORT` (both
   * from the connection's ConfigMap) every 2 seconds until the store accepts one. For applying
   * everything at once without Argo CD's sync waves (`kubectl apply -f dist/`): consumers and
   * migrations then start after their store instead of crash-looping. Set `{}` for the defaults.
   *
   * It runs as `nobody` (65534) with a read-only root file system, no privilege escalation and
   * every capability dropped; the pod's own settings (seccomp, with `PodDefaults.harden()`) make it
   * restricted. It is added to the workloads wired with `addWorkload()` at once, and to those of
   * containers wired one by one when the app is synthesized. Not for a store in the consumer's own
   * pod (a proxy sidecar on localhost): init containers run before it starts.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/pods/init-containers/
   * @default - consumers start at once (order them with Argo CD sync waves, `SyncWaves`)
   *
   * @experimental
   */
  readonly waitForStore?: StoreWaitOptions;
}

/**
 * Options of `DataStoreConnection.addConsumer()` and `DataStoreConnection.addWorkload()`.
 *
 * @stable
 */
export interface ConnectionConsumerOptions {
  /**
   * Hand the container the credential variables from the store's Secret (`<PREFIX>_USERNAME`,
   * `<PREFIX>_PASSWORD` and the `extraKeys`).
   *
   * Turn it off for a container that reads the credentials itself, e.g. as files of a Secret
   * volume it mounts (the backup and restore Jobs of the presets do: the password never shows in
   * their environment). The container still gets the ConfigMap's address variables and is
   * recorded as a consumer of the store, like any other.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod
   * @default true
   */
  readonly credentialVariables?: boolean;
}

/**
 * The connection contract between a data store and its consumers.
 *
 * Renders a ConfigMap with `<PREFIX>_SERVICE_HOST`, `<PREFIX>_SERVICE_PORT`,
 * `<PREFIX>_SERVICE_PORT_<NAME>` for each named port, `<PREFIX>_SERVICE_SERVER_NAME` (the
 * name to verify TLS certificates against) and the store's connection properties
 * (`<PREFIX>_DATABASE`, `<PREFIX>_LOCAL_DATACENTER`, `<PREFIX>_<variable>` for each of their
 * `extras`), and wires containers to it: their environment comes
 * from the ConfigMap, plus `<PREFIX>_USERNAME` (unless the credentials have no user name),
 * `<PREFIX>_PASSWORD` and one `<PREFIX>_<variable>` for each of the credentials' `extraKeys`
 * (optional: only those whose keys exist) from the store's credentials Secret. The same consumer
 * code gets the same variable names whether the store is a `StatefulWorkload` in the cluster or an
 * `ExternalService` outside it.
 *
 * When the store serves TLS (`tls`), each consumer container also gets the CA certificate, mounted
 * read-only (only that key of its Secret) at `/var/run/secrets/cdk8s-stateful.io/<ConfigMap
 * name>/ca.crt`, and the ConfigMap hands out its path as `<PREFIX>_CA_FILE` and the store's driver
 * settings (`<PREFIX>_SSLMODE=verify-full` for PostgreSQL, `<PREFIX>_TLS=verify-full` for Redis).
 *
 * kubelet injects `<NAME>_SERVICE_HOST`/`_PORT` itself only for ClusterIP Services that existed
 * before the pod, and never for headless or ExternalName Services; variables from this
 * ConfigMap take precedence over kubelet's.
 *
 * Containers read the ConfigMap when they start: restart consumers after the store moves.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/service/#environment-variables
 * @stable
 */
export class DataStoreConnection extends Construct {
  /** The store consumers connect to. */
  public readonly store: IDataStore;
  /** The environment variable prefix, e.g. `USER_DB`. */
  public readonly prefix: string;
  /** Whether consumers get the Service or the distinguished replica. */
  public readonly target: ConnectionTarget;
  /** The host variable: `<PREFIX>_SERVICE_HOST`. */
  public readonly hostVariable: string;
  /** The port variable: `<PREFIX>_SERVICE_PORT`. */
  public readonly portVariable: string;
  /** The TLS server name variable: `<PREFIX>_SERVICE_SERVER_NAME`. */
  public readonly serverNameVariable: string;
  /**
   * The user name variable, `<PREFIX>_USERNAME`, when the store has credentials with a user name.
   *
   * @see https://kubernetes.io/docs/tasks/inject-data-application/distribute-credentials-secure/#define-container-environment-variables-using-secret-data
   * @default - no user name variable: the store has no credentials, or credentials without a user
   * name (`DataStoreCredentials.fromPasswordSecret()`)
   */
  public readonly usernameVariable?: string;
  /**
   * The password variable, `<PREFIX>_PASSWORD`, when the store has credentials.
   *
   * @see https://kubernetes.io/docs/tasks/inject-data-application/distribute-credentials-secure/#define-container-environment-variables-using-secret-data
   * @default - no password variable: the store has no credentials
   */
  public readonly passwordVariable?: string;
  /**
   * The credentials consumers get: `credentials`, or the store's.
   *
   * @default - the store has no credentials
   * @experimental
   */
  public readonly credentials?: DataStoreCredentials;
  /**
   * The TLS settings consumers get, when the store serves TLS.
   *
   * @default - the store does not serve TLS
   * @experimental
   */
  public readonly tls?: DataStoreTls;
  /**
   * The CA variable, `<PREFIX>_CA_FILE`: the path of the CA certificate mounted into each
   * consumer container, when the store serves TLS.
   *
   * @default - the store does not serve TLS
   * @experimental
   */
  public readonly caFileVariable?: string;
  /**
   * Where the CA certificate is mounted in each consumer container, when the store serves TLS:
   * `/var/run/secrets/cdk8s-stateful.io/<ConfigMap name>/<caKey>`.
   *
   * @default - the store does not serve TLS
   * @experimental
   */
  public readonly caFile?: string;
  /**
   * The database variable, `<PREFIX>_DATABASE`, when the store hands out a database
   * (`connectionProperties.database`: a `Postgres`, or a store given one).
   *
   * @see https://kubernetes.io/docs/concepts/configuration/configmap/
   * @default - no database variable: the store's connection properties name none
   *
   * @experimental
   */
  public readonly databaseVariable?: string;
  /**
   * The local datacenter variable, `<PREFIX>_LOCAL_DATACENTER`, when the store hands out one
   * (`connectionProperties.localDatacenter`: a `Cassandra`, or a store given one).
   *
   * @see https://kubernetes.io/docs/concepts/configuration/configmap/
   * @default - no local datacenter variable: the store's connection properties name none
   *
   * @experimental
   */
  public readonly localDatacenterVariable?: string;
  /**
   * The name of the init container that waits for the store in each consumer's pod, when
   * `waitForStore` is set: `wait-for-<prefix in DNS form>`, e.g. `wait-for-user-db`.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/pods/init-containers/
   * @default - no wait
   *
   * @experimental
   */
  public readonly waitContainerName?: string;
  /** The rendered ConfigMap. */
  public readonly apiObject: ApiObject;
  /** The ConfigMap, for `Env.fromConfigMap()` and `EnvValue.fromConfigMap()`. */
  public readonly configMap: IConfigMap;

  private readonly where: string;
  private readonly wait?: StoreWait;
  /** The pods that got the wait (one init container per pod and connection). */
  private readonly waited = new WeakSet<object>();
  private readonly _extraVariables: string[];
  /** The volume of the CA certificate mounted into the consumers, when the store serves TLS. */
  private readonly caVolume?: Volume;
  private readonly _consumers: Container[] = [];
  /** Consumers whose namespace `addWorkload()` checked when it wired them. */
  private readonly namespaceChecked = new Set<Container>();
  /** Consumers wired without the credential variables (`credentialVariables: false`). */
  private readonly withoutCredentials = new Set<Container>();

  constructor(scope: Construct, id: string, props: DataStoreConnectionProps) {
    super(scope, id);
    AppIndex.watch(this);
    declareRole(this, 'configuration');
    this.where = `DataStoreConnection '${this.node.path}'`;
    this.store = props.store;
    this.target = props.target ?? ConnectionTarget.SERVICE;
    this.prefix = toPrefix(props.prefix ?? props.store.storeName);
    if (!/^[A-Z_][A-Z0-9_]*$/.test(this.prefix)) {
      const prop = props.prefix !== undefined ? 'prefix' : 'store.storeName (used as the prefix)';
      throw fail(this.where, prop, props.prefix ?? props.store.storeName,
        `Must give a portable environment variable name: letters, digits, '-' and '_', not starting with a digit (got prefix ${show(this.prefix)})`,
        'Set \'prefix\' to a name such as "USER_DB"');
    }
    this.hostVariable = `${this.prefix}_SERVICE_HOST`;
    this.portVariable = `${this.prefix}_SERVICE_PORT`;
    this.serverNameVariable = `${this.prefix}_SERVICE_SERVER_NAME`;
    if (props.credentials !== undefined && !sameStoreCredentials(props.store, props.credentials)) {
      throw fail(this.where, 'credentials', props.credentials.secret.node.path,
        'Must be credentials of the store (its \'credentials\' or \'ownerCredentials\')',
        'Pass store.ownerCredentials or store.credentials, or leave \'credentials\' out');
    }
    const credentials = props.credentials ?? props.store.credentials;
    this.credentials = credentials;
    if (credentials) {
      if (credentials.usernameKey !== undefined) this.usernameVariable = `${this.prefix}_USERNAME`;
      this.passwordVariable = `${this.prefix}_PASSWORD`;
    }
    this._extraVariables = Object.keys(credentials?.extraKeys ?? {}).map(variable => `${this.prefix}_${variable}`);
    const properties = this.propertyVariables();
    if (properties.some(([variable]) => variable === 'DATABASE')) this.databaseVariable = `${this.prefix}_DATABASE`;
    if (properties.some(([variable]) => variable === 'LOCAL_DATACENTER')) this.localDatacenterVariable = `${this.prefix}_LOCAL_DATACENTER`;
    for (const [variable, , at] of properties) {
      if (credentials?.extraKeys[variable] === undefined) continue;
      const prop = at.replace(/^store\./, '');
      throw fail(this.where, 'store', props.store.node.path,
        `The store hands out ${this.prefix}_${variable} twice: from its connection properties (${prop}) and from its credentials' `
        + `extraKeys (${variable}: ${show(credentials.extraKeys[variable])}), and a consumer would get only the Secret's value`,
        `Leave ${show(variable)} out of the credentials' 'extraKeys': the store's ${prop} hands it out`);
    }

    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        ...props.metadata,
        name: props.metadata?.name ?? defaultConfigMapName(this.prefix),
        labels: { 'app.kubernetes.io/managed-by': MANAGED_BY, ...props.metadata?.labels },
      },
      data: Lazy.any({ produce: () => this.renderData() }),
    });
    this.configMap = ConfigMap.fromConfigMapName(this, 'Ref', this.apiObject.name);
    const tls = props.store.tls;
    if (tls) {
      this.tls = copyTls(this.where, 'store.tls', tls);
      this.caFileVariable = `${this.prefix}_${CA_FILE_VARIABLE}`;
      const caKey = this.tls.caKey!;
      this.caFile = `${caMountDirectory(this.apiObject.name)}/${caKey}`;
      this.caVolume = Volume.fromSecret(this, 'CaVolume', this.tls.caSecret, {
        name: caVolumeName(this.apiObject.name),
        items: { [caKey]: { path: caKey } },
        defaultMode: 0o444,
      });
      // the TLS variables, the connection properties and the credentials' extra keys share the prefix
      const tlsVariables = [CA_FILE_VARIABLE, ...Object.keys(this.tls.variables ?? {})];
      const taken = [...properties.map(([variable, , at]) => [variable, at.replace(/^store\./, '')]),
        ...Object.keys(credentials?.extraKeys ?? {}).map(variable => [variable, `the credentials' extraKeys.${variable}`])];
      for (const [variable, at] of taken) {
        if (!tlsVariables.includes(variable)) continue;
        throw fail(this.where, 'store', props.store.node.path,
          `The store hands out ${this.prefix}_${variable} twice: from its TLS settings (tls) and from ${at}, and a consumer would get only one of them`,
          `Leave ${show(variable)} out of ${at}: the store's TLS settings hand it out`);
      }
    }
    if (props.waitForStore) {
      this.wait = this.checkWait(props.waitForStore);
      this.waitContainerName = waitContainerName(this.prefix);
    }

    for (const c of props.consumers ?? []) this.addConsumer(c);

    addValidationWithWarnings(this, () => AppIndex.of(this).memo(this, () => this.validateConnection()));
    onEveryPass(this, index => this.stampConsumers(index));
  }

  /**
   * The address the ConfigMap hands out: the store's `endpoint`, or its `primaryEndpoint` when
   * `target` is `PRIMARY` and the store has one.
   */
  public get endpoint(): Endpoint {
    if (this.target === ConnectionTarget.PRIMARY && this.store.primaryEndpoint) {
      return this.store.primaryEndpoint;
    }
    return this.store.endpoint;
  }

  /**
   * The variables of the credentials' `extraKeys`, `<PREFIX>_<variable>`, in the order of the
   * variable names (a copy). They are optional: a consumer gets only those whose keys exist in the
   * Secret when it starts.
   *
   * @see https://kubernetes.io/docs/tasks/inject-data-application/distribute-credentials-secure/#define-container-environment-variables-using-secret-data
   * @default - none: the store has no credentials, or credentials without `extraKeys`
   */
  public get extraVariables(): string[] {
    return [...this._extraVariables];
  }

  /** The containers wired to the store (a copy). */
  public get consumers(): Container[] {
    return [...this._consumers];
  }

  /**
   * The names of every environment variable a consumer gets, in order: the ConfigMap's, then the
   * user name, the password and the `extraVariables` (which a consumer gets only when their keys
   * exist in the Secret).
   */
  public get variableNames(): string[] {
    return [...Object.keys(this.renderData()), ...this.secretVariables().map(([name]) => name)];
  }

  /**
   * Wires a container to the store: its environment comes from the connection's ConfigMap
   * (`envFrom`), plus the credential variables from the store's Secret (`secretKeyRef`: the user
   * name and password as required keys, the `extraVariables` as optional ones). Wiring the same
   * container again changes nothing.
   *
   * The container must not set any of the connection's variables itself (it would hide the
   * connection's value, or be overwritten), nor be wired to another connection that hands out
   * the same variables (the last `envFrom` would silently win). Its workload must be in the
   * namespace of the connection's ConfigMap (and of the store's credentials Secret, when the
   * chart defines it): synthesis fails otherwise, as for `addWorkload()`.
   *
   * @see https://kubernetes.io/docs/tasks/inject-data-application/distribute-credentials-secure/#define-container-environment-variables-using-secret-data
   * @param container a container of any cdk8s-plus workload, e.g. `deployment.containers[0]`
   * @param options how the container is wired (with or without the credential variables)
   * @returns the container
   */
  public addConsumer(container: Container, options: ConnectionConsumerOptions = {}): Container {
    watchContainer(this, container);
    declareConsumer(container);
    if (this._consumers.includes(container)) return container;
    const credentials = options.credentialVariables ?? true;
    const names = this.knownVariableNames(credentials);
    for (const other of WIRED.get(container) ?? []) {
      const error = this.overlapError(container, other, names);
      if (error) throw error;
    }
    const clashes = this.clashes(container, names);
    if (clashes.length > 0) throw this.clashError(container, clashes);
    container.env.copyFrom(Env.fromConfigMap(this.configMap));
    // the CA only (one key of the Secret), read-only, where <PREFIX>_CA_FILE says
    if (this.caVolume && this.caFile) container.mount(this.caFile.slice(0, this.caFile.lastIndexOf('/')), this.caVolume, { readOnly: true });
    if (credentials) {
      for (const [name, value] of this.secretVariables()) {
        CONNECTION_VALUES.add(value);
        container.env.addVariable(name, value);
      }
    } else {
      this.withoutCredentials.add(container);
    }
    this._consumers.push(container);
    WIRED.set(container, [...WIRED.get(container) ?? [], this]);
    return container;
  }

  /**
   * Wires every container and init container of a cdk8s-plus workload (Deployment, StatefulSet,
   * Job, CronJob, Pod, ...) to the store, in one call. Containers added to the workload later are
   * not wired: add them with `addConsumer()`. For a `StatefulWorkload`, pass its `containers`.
   *
   * The workload must be in the namespace of the connection's ConfigMap (and of the store's
   * credentials Secret, when the chart defines it): a pod reads ConfigMaps and Secrets of its own
   * namespace only.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/configmap/#configmap-object
   * @param workload the workload whose containers to wire
   * @param options how the containers are wired (with or without the credential variables)
   * @returns the wired containers
   */
  public addWorkload(workload: AbstractPod, options: ConnectionConsumerOptions = {}): Container[] {
    touch();
    // an ApiObject's namespace falls back to its chart's
    const podObject = ApiObject.of(workload);
    const error = this.namespaceError('workload', podObject.name, 'the workload', podObject.metadata.namespace);
    if (error) throw error;
    const containers = [...workload.initContainers, ...workload.containers];
    for (const c of containers) this.namespaceChecked.add(c);
    const wired = containers.map(c => this.addConsumer(c, options));
    this.addWaitTo(workload);
    return wired;
  }

  /** Checks `waitForStore`; the image and the timeout in seconds. */
  private checkWait(options: StoreWaitOptions): StoreWait {
    const wait = resolveWait(this.where, 'waitForStore', options);
    const host = this.store.endpoint.hostname;
    if (/^(localhost|127\.[0-9.]+|::1|0:0:0:0:0:0:0:1)$/i.test(host.replace(/\.$/, ''))) {
      throw fail(this.where, 'waitForStore', host,
        'Cannot wait for a store in the consumer\'s own pod (a proxy sidecar on the loopback address): init containers run before it starts, so the pod would never start',
        'Leave \'waitForStore\' out; the proxy waits for the store itself');
    }
    return wait;
  }

  /**
   * The wait's image and timeout in seconds, when `waitForStore` is set (a migration's Job name
   * hashes them: its pod template is immutable).
   *
   * @internal
   */
  public _waitSettings(): StoreWait | undefined {
    return this.wait;
  }

  /**
   * Adds the wait, as the first init container, to a pod that runs a consumer (a cdk8s-plus
   * workload, or a `StatefulWorkload`): once per pod.
   */
  private addWaitTo(pod: object): void {
    const owner = pod as { addInitContainer?: (props: ContainerProps) => Container; _initContainers?: unknown };
    if (!this.wait || this.waited.has(pod) || typeof owner.addInitContainer !== 'function') return;
    this.waited.add(pod);
    const container = owner.addInitContainer.call(pod, this.waitContainerProps(this.wait));
    // first: an init container wired to the store must not run before the store is there
    // (cdk8s-plus workloads and StatefulWorkload keep their init containers in this list)
    const list = owner._initContainers;
    if (Array.isArray(list) && list.includes(container)) {
      list.splice(list.indexOf(container), 1);
      list.unshift(container);
    }
  }

  /** The init container that waits for the store, reading its address from the ConfigMap. */
  private waitContainerProps(wait: StoreWait): ContainerProps {
    const script = waitScript({
      store: `${this.store.storeName} (${this.prefix})`,
      hostVariable: this.hostVariable,
      portVariable: this.portVariable,
      configMapName: this.apiObject.name,
      timeoutSeconds: wait.timeoutSeconds,
    });
    return {
      name: this.waitContainerName,
      image: wait.image,
      // a pinned image: pulled once per node
      imagePullPolicy: ImagePullPolicy.IF_NOT_PRESENT,
      command: ['sh', '-c', script],
      envVariables: {
        STORE_HOST: EnvValue.fromConfigMap(this.configMap, this.hostVariable),
        STORE_PORT: EnvValue.fromConfigMap(this.configMap, this.portVariable),
      },
      securityContext: {
        ensureNonRoot: true,
        user: WAIT_USER,
        group: WAIT_USER,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        // cdk8s-plus-27 names capabilities with a CAP_ prefix and has no ALL
        capabilities: { drop: ['ALL' as Capability] },
      },
      resources: {
        cpu: { request: Cpu.millis(10) },
        memory: { request: Size.mebibytes(16), limit: Size.mebibytes(16) },
      },
    };
  }

  /**
   * The namespace check of every consumer, however it was wired: a pod reads ConfigMaps and
   * Secrets of its own namespace only. `addWorkload()` knows the workload and checks at once;
   * containers wired one by one (`consumers`, `addConsumer()`) have no namespace of their own and
   * are checked at synthesis, in the namespace of the rendered object that runs them.
   *
   * @param prop the prop or parameter the consumer came through
   * @param value what the user passed (the workload's or the container's name)
   * @param workload how to call the workload in the message
   * @param podNamespace the namespace of the workload's pods
   */
  private namespaceError(prop: string, value: string, workload: string, podNamespace: string | undefined): Error | undefined {
    const configMapNamespace = this.apiObject.metadata.namespace;
    if (podNamespace !== configMapNamespace) {
      return fail(this.where, prop, value,
        'Must be in the namespace of the connection\'s ConfigMap, as a pod reads ConfigMaps and Secrets of its own namespace only: '
        + `the ConfigMap is in ${namespaceText(configMapNamespace)}, ${workload} in ${namespaceText(podNamespace)}`,
        podNamespace !== undefined
          ? `Create a DataStoreConnection in the workload's namespace for it ('metadata: { namespace: ${show(podNamespace)} }')`
          : 'Set the same namespace on the workload and the connection, or on their charts');
    }
    const secret = this.secretNamespace();
    if (secret !== undefined && podNamespace !== secret.namespace) {
      return fail(this.where, prop, value,
        'Must be in the namespace of the store\'s credentials Secret, as a pod reads Secrets of its own namespace only: '
        + `the Secret ${show(secret.name)} is in ${namespaceText(secret.namespace)}, ${workload} in ${namespaceText(podNamespace)}`,
        'Create the Secret in the workload\'s namespace as well');
    }
    return undefined;
  }

  /**
   * Warns when the consumers run in another namespace than an in-cluster store whose credentials
   * name a Secret the app does not render (a rendered one is checked by namespace and fails): the
   * consumers read a Secret of that name in their own namespace, which only the user can create.
   */
  private warnIfCredentialsAreElsewhere(): void {
    const credentials = this.store.credentials;
    if (!credentials || this.secretNamespace() !== undefined) return;
    const consumers = this.apiObject.metadata.namespace;
    const store = namespaceOfServiceHost(this.store.endpoint.hostname);
    if (consumers === undefined || store === undefined || consumers === store) return;
    const secret = credentials.secret.name;
    const keys = [credentials.usernameKey, credentials.passwordKey].filter((k): k is string => k !== undefined);
    warn(this, WARNINGS.CREDENTIALS_IN_STORE_NAMESPACE, warningMessage(this.where, 'store', show(this.store.node.path),
      `The store is in namespace ${show(store)} and its credentials name the Secret ${show(secret)} (keys ${show(keys)}), a Secret of the store's `
      + `namespace; this connection's consumers run in ${show(consumers)}, and a pod reads Secrets of its own namespace only: unless a Secret `
      + `${show(secret)} with those keys exists in ${show(consumers)} too, the consumers do not start (CreateContainerConfigError)`,
      `Create the Secret ${show(secret)} in namespace ${show(consumers)} as well (a copy, or one made by External Secrets or Sealed Secrets) and `
      + 'acknowledge this warning, or run the consumers in the store\'s namespace'));
  }

  /** The name and namespace of the credentials Secret, when the chart renders it (an imported Secret has none). */
  private secretNamespace(): { name: string; namespace?: string } | undefined {
    const secret = this.credentials?.secret;
    const object = secret?.node.defaultChild;
    return object instanceof ApiObject ? { name: object.name, namespace: object.metadata.namespace } : undefined;
  }

  /**
   * The checksum of what this connection hands out: the ConfigMap's data and where the credentials
   * come from. Consumers carry it on their pod template, so they roll when it changes (a store
   * moved into the cluster, a new port) although the ConfigMap keeps its name.
   */
  public get checksum(): string {
    const credentials = this.credentials;
    const extraKeys = credentials?.extraKeys ?? {};
    const secretData = credentials && renderedSecretDigest(credentials.secret,
      [credentials.usernameKey, credentials.passwordKey, ...Object.values(extraKeys)].filter((k): k is string => k !== undefined));
    const input = JSON.stringify({
      data: this.renderData(),
      // the extra keys only when there are some, so credentials without them keep their checksum
      credentials: credentials && [credentials.secret.name, credentials.usernameKey, credentials.passwordKey,
        ...Object.keys(extraKeys).length > 0 ? [extraKeys] : []],
      // what rotates the password, only when there is something, for the same reason
      ...credentials?.revision !== undefined ? { revision: credentials.revision } : {},
      ...secretData !== undefined ? { secretData } : {},
      ...this.tls ? { tls: [this.tls.caSecret.name, this.tls.caKey, renderedSecretDigest(this.tls.caSecret, [this.tls.caKey!]) ?? null] } : {},
    });
    return createHash('sha256').update(input).digest('hex').slice(0, 16);
  }

  /**
   * Puts `checksum` on the pod template of every workload a consumer runs in (a cdk8s-plus
   * workload's `podMetadata`), as the annotation `connection.cdk8s-stateful.io/<ConfigMap name>`;
   * not on a `SchemaMigration`'s Job, which runs once and whose template is immutable.
   */
  private stampConsumers(index: AppIndex): void {
    const key = checksumAnnotation(this.apiObject.name);
    const value = this.checksum;
    for (const container of this._consumers) {
      const owner = index.ownerOf(container);
      if (owner) this.addWaitTo(owner);
      if (!owner || !rollsWithConnections(owner)) continue;
      const metadata = (owner as { podMetadata?: unknown }).podMetadata;
      if (metadata instanceof ApiObjectMetadataDefinition) metadata.addAnnotation(key, value);
    }
  }

  /**
   * The variables from the credentials Secret: the user name (when there is one) and the password
   * as required keys, then the extra keys as optional ones (a consumer gets only those that exist).
   */
  private secretVariables(): Array<[string, EnvValue]> {
    const credentials = this.credentials;
    if (!credentials || !this.passwordVariable) return [];
    const secret = credentials.secret;
    const variables: Array<[string, EnvValue]> = [];
    if (this.usernameVariable && credentials.usernameKey !== undefined) {
      variables.push([this.usernameVariable, EnvValue.fromSecretValue({ secret, key: credentials.usernameKey })]);
    }
    variables.push([this.passwordVariable, EnvValue.fromSecretValue({ secret, key: credentials.passwordKey })]);
    for (const [variable, key] of Object.entries(credentials.extraKeys)) {
      variables.push([`${this.prefix}_${variable}`, EnvValue.fromSecretValue({ secret, key }, { optional: true })]);
    }
    return variables;
  }

  /**
   * The variables a consumer gets, as far as they are known now: the ConfigMap's keys (or, when
   * the store has no port yet, the fixed ones) and the credential variables.
   */
  private knownVariableNames(credentials = true): string[] {
    let configMapKeys: string[];
    try {
      configMapKeys = Object.keys(this.renderData());
    } catch {
      // reported by the deferred validation (the store has no port yet)
      configMapKeys = [this.hostVariable, this.portVariable, this.serverNameVariable];
    }
    return [...configMapKeys, ...credentials ? this.secretVariables().map(([name]) => name) : []];
  }

  /** The error for a container wired to `other` too, when both hand out some of the same variables. */
  private overlapError(container: Container, other: DataStoreConnection, names: string[]): Error | undefined {
    const theirs = other.knownVariableNames(!other.withoutCredentials.has(container));
    const shared = names.filter(n => theirs.includes(n));
    if (shared.length === 0) return undefined;
    const why = other.prefix === this.prefix ? `with the same prefix ${show(this.prefix)}` : `(prefix ${show(other.prefix)})`;
    return fail(this.where, 'consumers', container.name,
      `The container is already wired to DataStoreConnection '${other.node.path}' ${why}: both would set ${show(shared)}, `
      + 'and of two envFrom sources with the same keys the last one silently wins',
      'Give one of the connections its own \'prefix\', or wire the container to one of them only');
  }

  private renderData(): { [key: string]: string } {
    const endpoint = this.endpoint;
    const data: { [key: string]: string } = {
      [this.hostVariable]: endpoint.hostname,
      [this.portVariable]: String(endpoint.port),
    };
    for (const p of this.store.ports) {
      if (p.name) data[`${this.portVariable}_${toPrefix(p.name)}`] = String(p.port);
    }
    // SNI carries no trailing dot, whatever the store hands out
    data[this.serverNameVariable] = withoutTrailingDot(this.store.serverName ?? endpoint.hostname);
    for (const [variable, value] of this.propertyVariables()) data[`${this.prefix}_${variable}`] = value;
    if (this.tls && this.caFileVariable && this.caFile) {
      data[this.caFileVariable] = this.caFile;
      for (const [variable, value] of Object.entries(this.tls.variables ?? {})) data[`${this.prefix}_${variable}`] = value;
    }
    return data;
  }

  /** The store's connection properties, as the ends of variable names and their values. */
  private propertyVariables(): Array<[string, string, string]> {
    return connectionPropertyVariables(this.where, 'store.connectionProperties', this.store.connectionProperties);
  }

  /**
   * Variables the container sets itself (not through a connection): they would hide the
   * ConfigMap's values, or be overwritten by the credential variables.
   */
  private clashes(container: Container, names: string[]): string[] {
    const own = Object.entries(container.env.variables).filter(([, value]) => !CONNECTION_VALUES.has(value)).map(([name]) => name);
    return names.filter(n => own.includes(n));
  }

  private clashError(container: Container, clashes: string[]): Error {
    return fail(this.where, 'consumers', container.name,
      `The container already sets ${show(clashes)}, which would hide the connection's values or be overwritten by them`,
      'Remove those variables from the container, or set a different \'prefix\'');
  }

  private validateConnection(): string[] {
    try {
      this.renderData();
    } catch (e) {
      return [(e as Error).message];
    }
    this.warnIfCredentialsAreElsewhere();
    const errors: string[] = [];
    if (this.store.ports.length === 0) {
      errors.push(fail(`DataStoreConnection '${this.node.path}'`, 'store', this.store.node.path,
        `The store ${show(this.store.storeName)} has no client port, so there is no ${this.portVariable} to hand out`,
        'Give the store\'s container a port (\'ports\' or \'portNumber\'), or declare the workload\'s \'clientPorts\'').message);
    }
    for (const c of this._consumers) {
      const names = this.knownVariableNames(!this.withoutCredentials.has(c));
      if (!this.namespaceChecked.has(c)) {
        // wired through `consumers` or addConsumer(): checked in the namespace of the object that runs it
        const pod = AppIndex.of(this).podConsumerOf(c);
        const error = pod && this.namespaceError('consumers', c.name, `the container's workload (${pod.kind} ${show(pod.name)})`, pod.namespace);
        if (error) errors.push(error.message);
      }
      // connections wired earlier, and variables added to the container after it was wired; ports
      // added to a store later can make two connections overlap
      const wired = WIRED.get(c) ?? [];
      for (const other of wired.slice(0, wired.indexOf(this))) {
        const error = this.overlapError(c, other, names);
        if (error) errors.push(error.message);
      }
      const clashes = this.clashes(c, names);
      if (clashes.length > 0) errors.push(this.clashError(c, clashes).message);
    }
    return errors;
  }
}

/** The namespace in an in-cluster DNS name (`<service>.<namespace>.svc[.<domain>]`); undefined for any other host. */
function namespaceOfServiceHost(hostname: string): string | undefined {
  return /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.|$)/.exec(hostname)?.[2];
}

/** `"users"`, or what an object without a namespace gets. */
function namespaceText(namespace: string | undefined): string {
  return namespace !== undefined ? show(namespace) : 'the namespace it is applied to (none is set)';
}

/** `user-db` -> `USER_DB`. */
function toPrefix(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

/**
 * The annotation key of a connection's checksum on a consumer's pod template:
 * `connection.cdk8s-stateful.io/<ConfigMap name>`, the name part cut to the 63 characters a key
 * allows (with a hash of the whole name when cut, so two long names never share a key).
 */
/**
 * The default ConfigMap name: the prefix in DNS form (`USER_DB` gives `user-db-connection`), so
 * the name does not follow the construct path; undefined (a name generated by the chart) when the
 * prefix has no letter or digit.
 */
function defaultConfigMapName(prefix: string): string | undefined {
  const base = prefix.toLowerCase().replace(/_+/g, '-').replace(/^-+|-+$/g, '');
  return base.length > 0 ? `${base.slice(0, 242).replace(/-+$/, '')}-connection` : undefined;
}

/** `wait-for-<prefix in DNS form>`, at most 63 characters (a container name is a DNS label). */
function waitContainerName(prefix: string): string {
  const base = prefix.toLowerCase().replace(/_+/g, '-').replace(/^-+|-+$/g, '') || 'store';
  const name = `wait-for-${base}`;
  return name.length <= 63 ? name : `${name.slice(0, 54).replace(/-+$/, '')}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

function checksumAnnotation(configMapName: string): string {
  const name = configMapName.length <= 63
    ? configMapName
    : `${configMapName.slice(0, 46).replace(/[-.]+$/, '')}-${createHash('sha256').update(configMapName).digest('hex').slice(0, 16)}`;
  return `connection.cdk8s-stateful.io/${name}`;
}

/**
 * Whether `credentials` are one of the store's own (the consumers' or the owner's), or credentials
 * of the same Secret with the same keys.
 */
function sameStoreCredentials(store: IDataStore, credentials: DataStoreCredentials): boolean {
  return [store.credentials, store.ownerCredentials].some(c => c !== undefined && (c === credentials
    || (c.secret === credentials.secret && c.usernameKey === credentials.usernameKey && c.passwordKey === credentials.passwordKey)));
}

/**
 * A digest of the values of `keys` in a Secret the app renders with data, so consumers roll when
 * they change (rotation); undefined for a Secret the app does not render (or renders empty).
 */
function renderedSecretDigest(secret: ISecret, keys: string[]): string | undefined {
  const object = secret.node.defaultChild;
  if (!(object instanceof ApiObject) || object.kind !== 'Secret') return undefined;
  const rendered = object.toJson();
  const value = (key: string): string | null => rendered.stringData?.[key]
    ?? (rendered.data?.[key] !== undefined ? Buffer.from(rendered.data[key], 'base64').toString('utf8') : null);
  const values = [...new Set(keys)].sort().map(key => [key, value(key)]);
  if (values.every(([, v]) => v === null)) return undefined;
  return createHash('sha256').update(JSON.stringify(values)).digest('hex').slice(0, 16);
}

/** Where a connection mounts the CA in its consumers: one directory per ConfigMap, so two connections never share one. */
function caMountDirectory(configMapName: string): string {
  return `/var/run/secrets/cdk8s-stateful.io/${configMapName}`;
}

/**
 * The name of the CA volume in a consumer's pod: `<ConfigMap name>-ca`; a name with dots, or too
 * long for the 63 characters a volume name allows, is cut and ends in a hash of the whole name.
 */
function caVolumeName(configMapName: string): string {
  // a volume name is a DNS-1123 label: a ConfigMap name may have dots
  const label = configMapName.replace(/\./g, '-');
  const name = `${label}-ca`;
  if (name.length <= 63 && label === configMapName) return name;
  return `${label.slice(0, 42).replace(/-+$/, '')}-${createHash('sha256').update(configMapName).digest('hex').slice(0, 16)}-ca`;
}
