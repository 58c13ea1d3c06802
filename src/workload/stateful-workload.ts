import { ApiObject, ApiObjectMetadata, ApiObjectMetadataDefinition, Chart, Duration, Lazy } from 'cdk8s';
import {
  Container,
  ContainerProps,
  IServiceAccount,
  NodeTaintQuery,
  PersistentVolumeMode,
  PercentOrAbsolute,
  PodManagementPolicy,
  PodSecurityContextProps,
  Protocol,
  Service,
  Topology,
  Volume,
  k8s,
} from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { PodDefaults, PodDefaultsOptions } from './pod-defaults';
import { VolumeClaimTemplate, VolumeClaimTemplateOptions } from './volume-claim-template';
import { ServiceSelection, WorkloadService, WorkloadServiceOptions } from './workload-service';
import { ConnectionProperties, DataStoreCredentials, DataStorePort, DataStoreTls, Endpoint, IDataStore } from '../connection/data-store';
import { AppIndex, declareRole, declareStore, declareView, OwnStateCache, resolveStorageClass, touch, watchContainer } from '../private/app-index';
import { connectionPropertyVariables, copyConnectionProperties } from '../private/connection-properties';
import { MANAGED_BY } from '../private/labels';
import { PodMetadataDefinition } from './private/pod-metadata';
import { labelProblems, annotationProblems, isPinnedImage, podTemplateProblems, problemMessages, throwFirst, topologySpreadProblems } from '../private/pod-rules';
import { restrictedViolations } from '../private/pod-security';
import { copyTls } from '../private/store-tls';
import { serverFormContainer, serverFormVolume } from './private/server-form';
import { storeLabel, warnUnauthenticatedStore } from '../private/unauthenticated-store';
import {
  checkDns1035Label,
  checkDns1123Label,
  checkInteger,
  checkPort,
  checkPortName,
  duplicates,
  fail,
  failWithoutValue,
  show,
} from '../private/validation';
import { addValidationWithWarnings, warn, warningMessage, WARNINGS } from '../private/warnings';
import { HostPort } from './private/workload-host';

/**
 * What happens to the PersistentVolumeClaims of a StatefulSet.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#persistentvolumeclaim-retention
 * @stable
 */
export enum PersistentVolumeClaimRetention {
  /** Keep the claims and their data. */
  RETAIN = 'Retain',
  /** Delete the claims, and with the usual reclaim policy their data. */
  DELETE = 'Delete',
}

/**
 * When the StatefulSet controller deletes the claims created from the volume claim templates.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#persistentvolumeclaim-retention
 * @stable
 */
export interface PersistentVolumeClaimRetentionPolicy {
  /**
   * What happens to the claims when the StatefulSet is deleted. `DELETE` puts owner references on
   * the claims: deleting the StatefulSet then deletes the data.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#persistentvolumeclaim-retention
   * @default PersistentVolumeClaimRetention.RETAIN
   */
  readonly whenDeleted?: PersistentVolumeClaimRetention;

  /**
   * What happens to the claims of replicas removed by scaling down.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#persistentvolumeclaim-retention
   * @default PersistentVolumeClaimRetention.RETAIN
   */
  readonly whenScaled?: PersistentVolumeClaimRetention;
}

/**
 * Numbering of the replicas.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#start-ordinal
 * @stable
 */
export interface StatefulSetOrdinals {
  /**
   * The ordinal of the first replica (beta in 1.27, on by default).
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#start-ordinal
   * @default 0
   */
  readonly start?: number;
}

/**
 * Options for `WorkloadUpdateStrategy.rollingUpdate()`.
 *
 * @stable
 */
export interface WorkloadRollingUpdateOptions {
  /**
   * Only pods whose position (ordinal minus `ordinals.start`) is greater than or equal to the
   * partition are updated: a staged (canary) rollout. Must not exceed the number of replicas.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#partitions
   * @default 0
   */
  readonly partition?: number;

  /**
   * The most pods that can be unavailable during the update. Alpha in Kubernetes 1.27: needs the
   * `MaxUnavailableStatefulSet` feature gate; without it the API server drops the field (Argo CD
   * then shows the StatefulSet as OutOfSync) and pods are updated one at a time. Setting it
   * prints a synth-time warning.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#maximum-unavailable-pods
   * @default - one pod at a time
   * @experimental
   */
  readonly maxUnavailable?: PercentOrAbsolute;
}

/**
 * How the StatefulSet controller rolls out a changed pod template.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#update-strategies
 * @stable
 */
export class WorkloadUpdateStrategy {
  /**
   * Replace pods one by one, from the highest ordinal down, waiting for each to be ready.
   */
  public static rollingUpdate(options: WorkloadRollingUpdateOptions = {}): WorkloadUpdateStrategy {
    return new WorkloadUpdateStrategy('RollingUpdate', options.partition, options.maxUnavailable);
  }

  /**
   * Only replace a pod when it is deleted by hand: full control over when each replica restarts.
   */
  public static onDelete(): WorkloadUpdateStrategy {
    return new WorkloadUpdateStrategy('OnDelete');
  }

  /** `RollingUpdate` or `OnDelete`. @internal */
  public readonly _type: string;
  /** The partition of a rolling update. @internal */
  public readonly _partition?: number;
  /** The most unavailable pods during a rolling update. @internal */
  public readonly _maxUnavailable?: PercentOrAbsolute;

  private constructor(strategyType: string, partition?: number, maxUnavailable?: PercentOrAbsolute) {
    this._type = strategyType;
    this._partition = partition;
    this._maxUnavailable = maxUnavailable;
  }
}

/**
 * How many replicas voluntary disruptions (node drains, cluster upgrades) may take down at once.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/pods/disruptions/
 * @stable
 */
export class DisruptionBudget {
  /**
   * At most this many (or this percentage of) replicas may be down.
   */
  public static maxUnavailable(value: PercentOrAbsolute): DisruptionBudget {
    return new DisruptionBudget(value, undefined);
  }

  /**
   * At least this many (or this percentage of) replicas must stay up.
   */
  public static minAvailable(value: PercentOrAbsolute): DisruptionBudget {
    return new DisruptionBudget(undefined, value);
  }

  /**
   * No PodDisruptionBudget.
   */
  public static none(): DisruptionBudget {
    return new DisruptionBudget(undefined, undefined);
  }

  /** The most replicas that may be down. @internal */
  public readonly _maxUnavailable?: PercentOrAbsolute;
  /** The fewest replicas that must stay up. @internal */
  public readonly _minAvailable?: PercentOrAbsolute;

  private constructor(maxUnavailable?: PercentOrAbsolute, minAvailable?: PercentOrAbsolute) {
    this._maxUnavailable = maxUnavailable;
    this._minAvailable = minAvailable;
  }

  /** Whether a PodDisruptionBudget is rendered. @internal */
  public get _enabled(): boolean {
    return this._maxUnavailable !== undefined || this._minAvailable !== undefined;
  }
}

/**
 * What the scheduler does when a spread constraint cannot be met.
 *
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
 * @stable
 */
export enum UnsatisfiableSpread {
  /** Keep the pod pending (hard constraint). */
  DO_NOT_SCHEDULE = 'DoNotSchedule',
  /** Schedule it anyway, preferring the least skewed domain (soft constraint). */
  SCHEDULE_ANYWAY = 'ScheduleAnyway',
}

/**
 * Spread the replicas over a topology (nodes, zones, ...).
 *
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
 * @stable
 */
export interface TopologySpread {
  /**
   * The topology domain, e.g. `Topology.HOSTNAME` (nodes) or `Topology.ZONE`.
   *
   * @see https://kubernetes.io/docs/reference/labels-annotations-taints/#topologykubernetesiozone
   */
  readonly topology: Topology;

  /**
   * The most the number of replicas may differ between two domains.
   *
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/#spread-constraint-definition
   * @default 1
   */
  readonly maxSkew?: number;

  /**
   * What to do when the constraint cannot be met.
   *
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/#spread-constraint-definition
   * @default UnsatisfiableSpread.SCHEDULE_ANYWAY
   */
  readonly whenUnsatisfiable?: UnsatisfiableSpread;
}

/**
 * Options for the governing headless Service created by `StatefulWorkload`.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/service/#headless-services
 * @stable
 */
export interface HeadlessServiceOptions {
  /**
   * The Service name: the `<svc>` part of every pod's DNS name `<pod>.<svc>.<ns>.svc.<domain>`.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pods
   * @default - the StatefulSet's name
   */
  readonly name?: string;

  /**
   * Publish DNS records of pods that are not ready yet. Needed for peer discovery while a
   * cluster forms (replicas finding pod 0, Cassandra seeds, etcd peers).
   *
   * @see https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec
   * @default false
   */
  readonly publishNotReadyAddresses?: boolean;

  /**
   * Extra labels of the Service.
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
 * The set- and pod-level settings of a `StatefulWorkload`: everything but what the workload runs
 * (containers, claim templates) and what it is as a data store (credentials, store name, client
 * ports). Presets built on `StatefulWorkload` extend these options and own the rest.
 *
 * @stable
 */
export interface StatefulWorkloadOptions {
  /**
   * Metadata of the StatefulSet. `name` sets the StatefulSet name (at most 52 characters: the
   * controller adds a revision hash label `<name>-<10 chars>`); `namespace` the namespace of
   * everything the workload renders; labels and annotations are added to the StatefulSet.
   *
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
   * @default - name generated by the chart, namespace of the chart
   */
  readonly metadata?: ApiObjectMetadata;

  /**
   * Labels and annotations of the pods.
   *
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/
   * @default - only the selector labels
   */
  readonly podMetadata?: ApiObjectMetadata;

  /**
   * The number of replicas.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#scaling-a-statefulset
   * @default 1
   */
  readonly replicas?: number;

  /**
   * Start and stop replicas one by one in order (`ORDERED_READY`) or all at once (`PARALLEL`).
   * Affects scaling, not updates. Immutable once the StatefulSet exists.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#pod-management-policies
   * @default PodManagementPolicy.ORDERED_READY
   */
  readonly podManagementPolicy?: PodManagementPolicy;

  /**
   * How pods are replaced when the template changes.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#update-strategies
   * @default WorkloadUpdateStrategy.rollingUpdate()
   */
  readonly strategy?: WorkloadUpdateStrategy;

  /**
   * How long a new pod must be ready, without any container crashing, to count as available.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#minimum-ready-seconds
   * @default Duration.seconds(0)
   */
  readonly minReady?: Duration;

  /**
   * How many old ControllerRevisions are kept for rollback.
   *
   * @see https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/stateful-set-v1/#StatefulSetSpec
   * @default - the cluster default, 10
   */
  readonly revisionHistoryLimit?: number;

  /**
   * The numbering of the replicas (`ordinals.start`).
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#start-ordinal
   * @default - replicas are numbered from 0
   */
  readonly ordinals?: StatefulSetOrdinals;

  /**
   * What happens to the claims when the StatefulSet is deleted or scaled down. Always written out.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#persistentvolumeclaim-retention
   * @default - Retain when deleted and when scaled: data is never deleted by the controller
   */
  readonly persistentVolumeClaimRetentionPolicy?: PersistentVolumeClaimRetentionPolicy;

  /**
   * How long a pod may take to shut down gracefully before it is killed. Databases often need
   * more than the default to flush to disk.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
   * @default Duration.seconds(30)
   */
  readonly terminationGracePeriod?: Duration;

  /**
   * Options of the governing headless Service this workload creates.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#headless-services
   * @default - a headless Service named after the StatefulSet
   */
  readonly headlessService?: HeadlessServiceOptions;

  /**
   * Use your own governing Service instead of creating one. It must be headless (`clusterIP: None`).
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#stable-network-id
   * @default - a headless Service is created
   */
  readonly governingService?: Service;

  /**
   * The cluster's DNS domain, used in pod and Service DNS names.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/
   * @default "cluster.local"
   */
  readonly clusterDomain?: string;

  /**
   * The PodDisruptionBudget of the workload.
   *
   * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/
   * @default - `DisruptionBudget.maxUnavailable(1)` when replicas > 1, none otherwise
   */
  readonly disruptionBudget?: DisruptionBudget;

  /**
   * Spread the replicas over nodes, zones or other topologies. An empty list disables spreading.
   *
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
   * @default - with more than one replica, a soft spread (ScheduleAnyway, maxSkew 1) over nodes and zones
   */
  readonly topologySpread?: TopologySpread[];

  /**
   * Only schedule on nodes with these labels.
   *
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodeselector
   * @default - any node
   */
  readonly nodeSelector?: { [key: string]: string };

  /**
   * Taints the pods tolerate.
   *
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
   * @default - no tolerations
   */
  readonly tolerations?: NodeTaintQuery[];

  /**
   * The service account the pods run as.
   *
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/
   * @default - the namespace's default service account
   */
  readonly serviceAccount?: IServiceAccount;

  /**
   * Mount the service account's API token into the pods. Off by default: a database does not
   * talk to the Kubernetes API, and a token it does not need is a token that can leak.
   *
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;

  /**
   * The pod security context (cdk8s-plus-27 props).
   *
   * With `runAsNonRoot` (the default) set `user` (and `group`) here or on each container unless
   * the image declares a numeric non-root `USER`: otherwise the kubelet refuses to start an image
   * that runs as root or names its user, and synthesis warns `[non-root-without-user]`.
   *
   * `fsGroup` makes claim volumes group-writable only where the kubelet may change their
   * ownership: block-backed ReadWriteOnce volumes, not NFS or most ReadWriteMany (NAS) CSI
   * drivers. For a share whose files belong to another uid, set `user` and `group` to the share's
   * owner, or squash clients to the app's uid on the NFS server.
   *
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
   * @see https://kubernetes-csi.github.io/docs/support-fsgroup.html
   * @default - runAsNonRoot, fsGroup 1000 with fsGroupChangePolicy OnRootMismatch (volumes are
   * writable by the pod without a slow recursive chown on every start), seccomp RuntimeDefault
   */
  readonly securityContext?: PodSecurityContextProps;

  /**
   * Check at synth time that every pod spec meets the Pod Security Standards "restricted"
   * profile. Turn off only to run an image that needs root or extra privileges, and label the
   * namespace for a less strict profile.
   *
   * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
   * @default true
   */
  readonly restrictedPodSecurity?: boolean;

  /**
   * Mount a writable emptyDir at `/tmp` in every container, since the root file system is
   * read-only by default.
   *
   * @see https://kubernetes.io/docs/concepts/storage/volumes/#emptydir
   * @default true
   */
  readonly writableTmp?: boolean;

  /**
   * The secure pod defaults, overridable field by field: resources of containers that set none,
   * `fsGroup` and its change policy, a read-only root file system, the writable `/tmp`, the image
   * pull policy, the service account token. `writableTmp`, `automountServiceAccountToken`,
   * `securityContext.fsGroup` and `securityContext.fsGroupChangePolicy` win over the same fields
   * here; a container's `resources` replace the resource defaults entirely.
   *
   * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
   * @default - the `PodDefaultsOptions` defaults: requests of 250m CPU and 512Mi memory, a 512Mi
   * memory limit and no CPU limit, fsGroup 1000 with OnRootMismatch, a read-only root file system
   * with a writable `/tmp`, IfNotPresent, no service account token
   */
  readonly podDefaults?: PodDefaultsOptions;
}

/**
 * Options of `StatefulWorkload.addPeerPort()`.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export interface PeerPortOptions {
  /**
   * The workload whose pods connect to the port: another workload of the same engine (the
   * sentinels that watch a Redis, the arbiters of a replica set), in any namespace.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors
   * @default - the workload's own pods
   */
  readonly peerWorkload?: StatefulWorkload;
}

/**
 * Props of `StatefulWorkload`: the options plus what the workload runs and what it is as a data
 * store.
 *
 * @stable
 */
export interface StatefulWorkloadProps extends StatefulWorkloadOptions {
  /**
   * The containers (cdk8s-plus-27 container props: image, ports, env, env from Secrets and
   * ConfigMaps, command and args, probes, resources, volume mounts). More can be added with
   * `addContainer()`.
   *
   * Defaults differ from cdk8s-plus (see `podDefaults` to change them field by field):
   * `imagePullPolicy` is `IfNotPresent`; resources are requests of 250m CPU and 512Mi memory with
   * a memory limit of 512Mi and no CPU limit (no throttling of a database); the security context is restricted (non-root, read-only root file system, no
   * privilege escalation, all capabilities dropped).
   *
   * @see https://kubernetes.io/docs/concepts/workloads/pods/#how-pods-manage-multiple-containers
   * @default - no containers; add at least one before synthesis
   */
  readonly containers?: ContainerProps[];

  /**
   * Init containers, run in order before the containers start.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/pods/init-containers/
   * @default - no init containers
   */
  readonly initContainers?: ContainerProps[];

  /**
   * Per-replica storage: each replica gets its own PersistentVolumeClaim from each template.
   * More can be added with `addVolumeClaimTemplate()`.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#volume-claim-templates
   * @default - no per-replica storage
   */
  readonly volumeClaimTemplates?: VolumeClaimTemplateOptions[];

  /**
   * Credentials clients use to connect, when the workload is a data store.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/secret/
   * @default - no credentials
   */
  readonly credentials?: DataStoreCredentials;

  /**
   * What clients need to connect over TLS, when the workload's server serves TLS with a
   * certificate of your own: the Secret holding the CA, and the drivers' settings. Consumers wired
   * with `DataStoreConnection` get the CA mounted and `<PREFIX>_CA_FILE`. (The presets set it
   * themselves when given `tls`.)
   *
   * @see https://kubernetes.io/docs/concepts/configuration/secret/#tls-secrets
   * @default - no TLS settings for consumers
   * @experimental
   */
  readonly tls?: DataStoreTls;

  /**
   * The name consumers know the store by, when the workload is a data store: it derives the
   * environment variable prefix of a `DataStoreConnection` (`user-db` gives `USER_DB_SERVICE_HOST`).
   * Set it when the StatefulSet name is generated, so the variable names do not depend on the
   * construct path.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#environment-variables
   * @default - the StatefulSet name
   */
  readonly storeName?: string;

  /**
   * Declares that the workload is a store that serves clients presenting no credentials (a cache
   * without a password, a database with its authentication off). The library cannot see what the
   * containers check, so it relies on this declaration: such a store warns
   * `[unauthenticated-store]` at synthesis, since any pod in the cluster can connect to it, unless
   * its ingress is isolated to the pods wired to it. Turning the engine's authentication on (and
   * handing clients `credentials`) is the fix; an acknowledgement of the warning says why the
   * store is safe anyway (e.g. a NetworkPolicy of your own admits only its clients). The presets
   * make this decision themselves (`Redis` and `Cassandra` have their own `allowUnauthenticated`).
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
   * @default false - the store is taken to authenticate its clients
   * @experimental
   */
  readonly allowUnauthenticated?: boolean;

  /**
   * The ports clients connect to, in order: the first is the port of `endpoint` and
   * `primaryEndpoint`, and consumers wired with `DataStoreConnection` get it as
   * `<PREFIX>_SERVICE_PORT`. Each must be a port a container exposes (clients reach the pods
   * through the headless Service, so a client port is a container port; map other numbers on a
   * client Service with `addClientService({ ports })`). Declare them whenever more than one
   * container exposes ports (a metrics sidecar, say): the store's port is never guessed.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#multi-port-services
   * @default - the ports of the only container that exposes ports; none when no container does
   * (synthesis fails when several containers expose ports and none is declared)
   */
  readonly clientPorts?: DataStorePort[];

  /**
   * Plain settings consumers need besides the address and the credentials, when the workload is a
   * data store: `{ database: 'orders' }` gives consumers wired with `DataStoreConnection`
   * `<PREFIX>_DATABASE`, `{ localDatacenter: 'dc1' }` gives `<PREFIX>_LOCAL_DATACENTER`. Its
   * client Services (`addClientService()`) hand out the same.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/configmap/
   * @default - no connection properties
   *
   * @experimental
   */
  readonly connectionProperties?: ConnectionProperties;
}


const TMP_VOLUME = 'tmp';

/**
 * Anything that runs on a `StatefulWorkload`: the workload itself, or an engine preset
 * (`Postgres`, `Redis`, `Cassandra`, a preset of one's own on `EnginePreset`), which exposes the
 * workload it runs on as `workload`.
 *
 * Constructs that attach to a workload's replicas or claims take this interface, so a preset is
 * passed as it is: `new StaticVolumeSet(chart, 'ssd', { workload: cassandra, sources })`.
 *
 * @stable
 */
export interface IStatefulWorkloadOwner extends IConstruct {
  /**
   * The workload: the StatefulSet, its headless Service, claim templates and disruption budget.
   *
   * @stable
   */
  readonly workload: StatefulWorkload;
}

/**
 * A stateful service: a StatefulSet with per-replica storage, its governing headless Service,
 * a PodDisruptionBudget, and optional client Services, secure and data-safe by default.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/
 * @stable
 */
export class StatefulWorkload extends Construct implements IDataStore, IStatefulWorkloadOwner {
  /** The StatefulSet name. */
  public readonly name: string;
  /** The namespace, when set on the workload or its chart. */
  public readonly namespaceName?: string;
  /** The name of the governing headless Service (the StatefulSet's `serviceName`). */
  public readonly serviceName: string;
  /** The cluster DNS domain. */
  public readonly clusterDomain: string;
  /** The number of replicas. */
  public readonly replicas: number;
  /** The ordinal of the first replica. */
  public readonly startOrdinal: number;
  /** The rendered StatefulSet. */
  public readonly apiObject: ApiObject;
  /** The governing headless Service, when this workload created it. */
  public readonly headlessServiceObject?: ApiObject;
  /** The PodDisruptionBudget, if any. */
  public readonly disruptionBudgetObject?: ApiObject;
  /** Credentials for clients, if any. */
  public readonly credentials?: DataStoreCredentials;
  /**
   * The store that owns this workload and answers for it to the consumers of its client Services
   * (their credentials and TLS settings): a preset, once it says so.
   *
   * @internal
   */
  public _owningStore?: IDataStore;
  /**
   * Labels and annotations of the pods (`podMetadata`), changeable after construction:
   * `workload.podMetadata.addLabel('team', 'orders')`. The selector labels win over a label of
   * the same key.
   */
  public readonly podMetadata: ApiObjectMetadataDefinition;

  private readonly where: string;
  private readonly _containers: Container[] = [];
  /** Containers that do not mount the claim templates at their `mountPath` (sidecars kept from the data). */
  private readonly _withoutClaims = new WeakSet<Container>();
  private readonly _initContainers: Container[] = [];
  private readonly _templates: VolumeClaimTemplate[] = [];
  private readonly _volumes: Volume[] = [];
  private readonly _services: WorkloadService[] = [];
  private readonly _nodeSelector: { [key: string]: string };
  private readonly _tolerations: NodeTaintQuery[];
  /** undefined: the default spread */
  private _topologySpread?: TopologySpread[];
  private readonly declaredClientPorts?: DataStorePort[];
  private readonly _peerPorts: Array<{ peer: StatefulWorkload; port: DataStorePort }> = [];
  private readonly _metricsPorts: DataStorePort[] = [];
  private readonly _tls?: DataStoreTls;
  private readonly _connectionProperties?: ConnectionProperties;
  /** The pod spec JSON, while the workload is unchanged (see podSpec()). */
  private readonly podSpecCache = new OwnStateCache<any>();
  private readonly props: StatefulWorkloadProps;
  /** The secure pod defaults, with the older props that set the same fields. */
  private readonly defaults: PodDefaults;

  constructor(scope: Construct, id: string, props: StatefulWorkloadProps = {}) {
    super(scope, id);
    AppIndex.watch(this);
    declareRole(this, 'dataStore');
    this.where = `StatefulWorkload '${this.node.path}'`;
    // keep copies: mutating the caller's objects later must not change the manifest
    this.props = {
      ...props,
    };
    this._nodeSelector = { ...props.nodeSelector };
    this._tolerations = [...props.tolerations ?? []];
    this._topologySpread = props.topologySpread?.map(t => ({ ...t }));
    this.declaredClientPorts = props.clientPorts?.map(p => ({ ...p }));

    // ---- defaults and eager checks
    this.defaults = new PodDefaults({
      ...props.podDefaults,
      writableTmp: props.writableTmp ?? props.podDefaults?.writableTmp,
      automountServiceAccountToken: props.automountServiceAccountToken ?? props.podDefaults?.automountServiceAccountToken,
    });
    const replicas = props.replicas ?? 1;
    checkInteger(this.where, 'replicas', replicas, 0);
    this.replicas = replicas;
    this.startOrdinal = props.ordinals?.start ?? 0;
    checkInteger(this.where, 'ordinals.start', this.startOrdinal, 0);
    checkInteger(this.where, 'revisionHistoryLimit', props.revisionHistoryLimit, 0);
    const strategy = props.strategy ?? WorkloadUpdateStrategy.rollingUpdate();
    (this.declaredClientPorts ?? []).forEach((p, i) => {
      checkPort(this.where, `clientPorts[${i}].port`, p.port);
      if (p.name !== undefined) checkPortName(this.where, `clientPorts[${i}].name`, p.name);
      if (p.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(p.protocol)) {
        throw fail(this.where, `clientPorts[${i}].protocol`, p.protocol, 'Must be "TCP", "UDP" or "SCTP"', 'Use one of the three, or leave it out (TCP)');
      }
    });
    checkInteger(this.where, 'strategy.partition', strategy._partition, 0);
    if (strategy._partition !== undefined && strategy._partition > replicas) {
      throw fail(this.where, 'strategy.partition', strategy._partition,
        `Must not exceed 'replicas' (${replicas}): pods whose position (ordinal minus ordinals.start) is below the partition are never updated`,
        `Set 'partition' between 0 and ${replicas}`);
    }
    if (strategy._maxUnavailable) {
      checkPercentOrAbsolute(this.where, 'strategy.maxUnavailable', strategy._maxUnavailable, 1);
      warn(this, WARNINGS.MAX_UNAVAILABLE_ALPHA, warningMessage(this.where, 'strategy.maxUnavailable', show(strategy._maxUnavailable.value),
        'It is alpha in Kubernetes 1.27: unless the MaxUnavailableStatefulSet feature gate is on, the API server drops the field, pods are updated one at a time, and Argo CD shows the StatefulSet as OutOfSync',
        'Remove \'maxUnavailable\' unless your cluster enables that feature gate'));
    }
    const minReadySeconds = props.minReady?.toSeconds({ integral: false });
    checkInteger(this.where, 'minReady', minReadySeconds, 0);
    const terminationSeconds = props.terminationGracePeriod?.toSeconds({ integral: false });
    checkInteger(this.where, 'terminationGracePeriod', terminationSeconds, 0);
    if (terminationSeconds === 0) {
      warn(this, WARNINGS.ZERO_TERMINATION_GRACE, warningMessage(this.where, 'terminationGracePeriod', '0 seconds',
        'The pods are killed at once when they are deleted, evicted or rolled: a database gets no chance to flush and close its files, and the next start has to recover them (or finds them corrupt)',
        'Leave \'terminationGracePeriod\' out (30 seconds) or give the engine the time a clean shutdown takes'));
    }
    // what the API server would refuse in the pod template, checked where the input is known
    throwFirst(this.where, [
      ...labelProblems('podMetadata.labels', props.podMetadata?.labels),
      ...annotationProblems('podMetadata.annotations', props.podMetadata?.annotations),
      ...labelProblems('nodeSelector', props.nodeSelector),
      ...topologySpreadProblems('topologySpread', (props.topologySpread ?? []).map(s => ({
        topologyKey: s.topology.key, maxSkew: s.maxSkew ?? 1, whenUnsatisfiable: s.whenUnsatisfiable ?? UnsatisfiableSpread.SCHEDULE_ANYWAY,
      }))),
    ]);
    this.clusterDomain = props.clusterDomain ?? 'cluster.local';
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(this.clusterDomain)) {
      throw fail(this.where, 'clusterDomain', this.clusterDomain, 'Must be a DNS domain such as "cluster.local"',
        'Set \'clusterDomain\' to the cluster\'s DNS domain (kubelet --cluster-domain)');
    }
    if (props.metadata?.name !== undefined) {
      checkDns1123Label(this.where, 'metadata.name', props.metadata.name, 52,
        ' (the revision hash label `<name>-<10 characters>` the controller adds must fit in 63 characters)');
    }
    if (props.governingService && props.headlessService) {
      throw fail(this.where, 'headlessService', props.headlessService,
        'Cannot be combined with \'governingService\'',
        'Set the options on your own Service, or drop \'governingService\' to let the workload create one');
    }
    const governingNamespace = props.governingService?.metadata.namespace ?? (props.governingService && Chart.of(props.governingService).namespace);
    const ownNamespace = props.metadata?.namespace ?? Chart.of(this).namespace;
    if (props.governingService && governingNamespace !== ownNamespace) {
      throw fail(this.where, 'governingService', `${governingNamespace ?? '(no namespace)'}/${props.governingService.name}`,
        `The governing Service must be in the StatefulSet's namespace (${ownNamespace ?? '(no namespace)'}): pod DNS names live under it`,
        'Create the Service in the same namespace as the workload');
    }
    if (props.governingService && props.governingService.clusterIP !== 'None') {
      throw fail(this.where, 'governingService', props.governingService.clusterIP ?? '(a cluster IP)',
        'The governing Service of a StatefulSet must be headless (clusterIP: None), or pods get no DNS names',
        'Create the Service with \'clusterIP: "None"\'');
    }
    this.credentials = props.credentials;
    this._tls = props.tls && copyTls(this.where, 'tls', props.tls);
    connectionPropertyVariables(this.where, 'connectionProperties', props.connectionProperties);
    this._connectionProperties = copyConnectionProperties(props.connectionProperties);

    // ---- children
    // A plain ApiObject, not the L1 KubeStatefulSet: the L1 would drop `apiVersion` and `kind` of
    // the claim templates, which Argo CD needs to compare the StatefulSet without drift.
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: props.metadata,
      spec: Lazy.any({ produce: () => this.renderSpecJson() }),
    });
    this.name = this.apiObject.name;
    this.podMetadata = new PodMetadataDefinition({
      apiObject: this.apiObject,
      labels: { ...props.podMetadata?.labels },
      annotations: { ...props.podMetadata?.annotations },
    });
    // what app-wide checks read of the StatefulSet (the claims and volumes its pods use), without
    // serializing the rest
    declareView(this.apiObject, () => ({
      kind: 'StatefulSet',
      metadata: { namespace: this.namespaceName },
      spec: {
        replicas: this.replicas,
        selector: { matchLabels: this.selectorLabels },
        template: {
          metadata: { labels: { ...(this.podMetadata as PodMetadataDefinition).labelsJson(), ...this.selectorLabels } },
          spec: this.podSpec(),
        },
      },
    }));
    for (const [k, v] of Object.entries(this._commonLabels())) {
      if (props.metadata?.labels?.[k] === undefined) this.apiObject.metadata.addLabel(k, v);
    }
    if (props.metadata?.name === undefined && (this.name.length > 52 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(this.name))) {
      throw fail(this.where, 'metadata.name', this.name,
        'The StatefulSet name generated from the construct path must be a DNS-1123 label of at most 52 characters (the revision hash label `<name>-<10 characters>` the controller adds must fit in 63 characters)',
        'Set \'metadata.name\' to a short name such as "orders-db"');
    }
    this.namespaceName = props.metadata?.namespace ?? Chart.of(this).namespace;

    if (props.governingService) {
      this.serviceName = props.governingService.name;
    } else {
      this.serviceName = props.headlessService?.name ?? this.name;
      checkDns1035Label(this.where, props.headlessService?.name ? 'headlessService.name' : 'metadata.name (used as the headless Service name)', this.serviceName);
      const headless = props.headlessService ?? {};
      // plain ApiObjects with Kubernetes JSON (as the StatefulSet): no L1 serialization pass
      this.headlessServiceObject = new ApiObject(this, 'HeadlessService', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: this.serviceName,
          namespace: this.namespaceName,
          labels: { ...this._commonLabels(), ...headless.labels },
          annotations: headless.annotations,
        },
        spec: Lazy.any({
          produce: () => ({
            // stated, not defaulted: a server-side apply that turns an ExternalName Service into
            // this one fails unless the new manifest owns `type`
            type: 'ClusterIP',
            clusterIP: 'None',
            // publishNotReadyAddresses lets peers find each other before they are ready; a bool
            // with omitempty (core/v1 ServiceSpec): the API server drops false, so false is left out
            publishNotReadyAddresses: headless.publishNotReadyAddresses || undefined,
            selector: this.selectorLabels,
            ports: undefinedIfEmpty(this._servicePorts()),
          }),
        }),
      });
    }

    for (const c of props.initContainers ?? []) this.addInitContainer(c);
    for (const c of props.containers ?? []) this.addContainer(c);
    for (const t of props.volumeClaimTemplates ?? []) this.addVolumeClaimTemplate(t);

    const budget = props.disruptionBudget
      ?? (replicas > 1 ? DisruptionBudget.maxUnavailable(PercentOrAbsolute.absolute(1)) : DisruptionBudget.none());
    if (budget._maxUnavailable) checkPercentOrAbsolute(this.where, 'disruptionBudget', budget._maxUnavailable, 0);
    if (budget._minAvailable) checkPercentOrAbsolute(this.where, 'disruptionBudget', budget._minAvailable, 0);
    if (blocksEveryEviction(budget, replicas)) {
      warn(this, WARNINGS.DISRUPTION_BUDGET_BLOCKS_EVICTION, warningMessage(this.where, 'disruptionBudget',
        show((budget._maxUnavailable ?? budget._minAvailable)!.value),
        `With ${replicas} replica${replicas === 1 ? '' : 's'} this budget allows no voluntary eviction: node drains and cluster upgrades hang until someone deletes a pod by hand`,
        'Allow at least one replica to go down, e.g. DisruptionBudget.maxUnavailable(PercentOrAbsolute.absolute(1)), or DisruptionBudget.none()'));
    }
    if (budget._enabled) {
      this.disruptionBudgetObject = new ApiObject(this, 'DisruptionBudget', {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: this.name, namespace: this.namespaceName, labels: this._commonLabels() },
        spec: {
          maxUnavailable: budget._maxUnavailable?.value,
          minAvailable: budget._minAvailable?.value,
          selector: { matchLabels: this.selectorLabels },
        },
      });
    }

    // ---- deferred checks (the tree is complete)
    addValidationWithWarnings(this, () => AppIndex.of(this).memo(this, () => this.validateWorkload()));
    if (props.allowUnauthenticated === true) {
      warnUnauthenticatedStore({
        scope: this,
        workload: this,
        where: this.where,
        prop: 'allowUnauthenticated',
        value: 'true',
        store: `The store ${storeLabel(this.name, this.namespaceName)}`,
        authenticate: 'Turn on the engine\'s authentication and hand clients its credentials with \'credentials\' (a Secret)',
      });
    }
    // last: what other groups add to every store (a NetworkPolicy) sees a complete constructor
    declareStore(this);
  }

  // ---------------------------------------------------------------- public API

  /** Labels that select this workload's pods; stable, independent of the construct path. */
  public get selectorLabels(): { [key: string]: string } {
    return {
      'app.kubernetes.io/name': this.name,
      'app.kubernetes.io/instance': this.name,
    };
  }

  /** The containers (a copy). */
  public get containers(): Container[] {
    return [...this._containers];
  }

  /** The init containers (a copy). */
  public get initContainers(): Container[] {
    return [...this._initContainers];
  }

  /** This workload (as `IStatefulWorkloadOwner`, so a workload and a preset are passed alike). */
  public get workload(): StatefulWorkload {
    return this;
  }

  /** The volume claim templates (a copy). */
  public get volumeClaimTemplates(): VolumeClaimTemplate[] {
    return [...this._templates];
  }

  /** The Services added with `addClientService()` and `exposePod()` (a copy). */
  public get services(): WorkloadService[] {
    return [...this._services];
  }

  /**
   * The ports the workload's own pods connect to each other on (replication, gossip), added with
   * `addPeerPort()` (a copy). `NetworkPolicies` admits them from the workload's own pods only.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
   * @experimental
   */
  public get peerPorts(): DataStorePort[] {
    return this._peerPorts.filter(p => p.peer === this).map(p => ({ ...p.port }));
  }

  /**
   * The peer ports by the workload whose pods connect to them (this one's own, or another's given
   * with `PeerPortOptions.peerWorkload`), in the order they were declared.
   *
   * @internal
   */
  public _peerRules(): Array<{ peer: StatefulWorkload; ports: DataStorePort[] }> {
    const rules: Array<{ peer: StatefulWorkload; ports: DataStorePort[] }> = [];
    for (const p of this._peerPorts) {
      const rule = rules.find(r => r.peer === p.peer);
      if (rule) rule.ports.push({ ...p.port });
      else rules.push({ peer: p.peer, ports: [{ ...p.port }] });
    }
    return rules;
  }

  /**
   * The ports metrics are scraped from (an exporter sidecar's), added with `addMetricsPort()` (a
   * copy). `NetworkPolicies` admits them from the monitoring pods it is given
   * (`NetworkPoliciesOptions.monitoring`) only; they are never client ports.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
   * @experimental
   */
  public get metricsPorts(): DataStorePort[] {
    return this._metricsPorts.map(p => ({ ...p }));
  }

  /**
   * Declares a port the workload's pods connect to on each other (a replica to its primary, ring
   * gossip, a sentinel to its peers): the engine hook of network isolation. The presets declare
   * theirs (`Redis` the client port when it has replicas, `Cassandra` 7000 and 7001); a preset of
   * your own calls it for its engine. `NetworkPolicies` admits these ports from the workload's own
   * pods, or from the pods of another workload of the same engine (`options.peerWorkload`: the
   * sentinels of a Redis, say). Declaring a port twice changes nothing.
   *
   * @param port the port number (and name, protocol) on the workload's pods
   * @param options whose pods connect to the port
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
   * @experimental
   */
  public addPeerPort(port: DataStorePort, options: PeerPortOptions = {}): void {
    const peer = options.peerWorkload ?? this;
    const checked = this.checkDeclaredPort('addPeerPort', port);
    touch();
    if (this._peerPorts.some(p => p.peer === peer && p.port.port === checked.port && p.port.protocol === checked.protocol)) return;
    this._peerPorts.push({ peer, port: checked });
  }

  /**
   * Declares a port metrics are scraped from (an exporter sidecar's): the metrics hook of network
   * isolation. `NetworkPolicies` admits it from the monitoring pods of
   * `NetworkPoliciesOptions.monitoring`, and from nobody else. Declaring a port twice changes
   * nothing.
   *
   * @param port the port number (and name, protocol) on the workload's pods
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
   * @experimental
   */
  public addMetricsPort(port: DataStorePort): void {
    this.addDeclaredPort(this._metricsPorts, 'addMetricsPort', port);
  }

  private addDeclaredPort(list: DataStorePort[], method: string, port: DataStorePort): void {
    const checked = this.checkDeclaredPort(method, port);
    touch();
    if (list.some(p => p.port === checked.port && p.protocol === checked.protocol)) return;
    list.push(checked);
  }

  private checkDeclaredPort(method: string, port: DataStorePort): DataStorePort {
    checkPort(this.where, `${method}(port.port)`, port.port);
    if (port.name !== undefined) checkPortName(this.where, `${method}(port.name)`, port.name);
    const protocol = port.protocol ?? Protocol.TCP;
    if (!['TCP', 'UDP', 'SCTP'].includes(protocol)) {
      throw fail(this.where, `${method}(port.protocol)`, protocol, 'Must be TCP, UDP or SCTP', 'Set \'protocol\' to "TCP", "UDP" or "SCTP"');
    }
    return { name: port.name, port: port.port, protocol };
  }

  /** The pod metadata as plain JSON (for the checks). */
  private podMetadataJson(): { labels: { [key: string]: string }; annotations: { [key: string]: string } } {
    const m = this.podMetadata as PodMetadataDefinition;
    return { labels: m.labelsJson(), annotations: m.annotationsJson() };
  }

  /**
   * Adds a container, with this library's defaults (see `StatefulWorkloadProps.containers`).
   */
  public addContainer(props: ContainerProps): Container {
    const container = new Container(withDefaults(props, this.defaults));
    watchContainer(this, container);
    this._containers.push(container);
    return container;
  }

  /**
   * Adds a container that does not mount the claim templates at their `mountPath` (a sidecar such
   * as a metrics exporter, which must not see the data), with this library's defaults.
   *
   * @internal
   */
  public _addSidecar(props: ContainerProps): Container {
    const container = this.addContainer(props);
    this._withoutClaims.add(container);
    return container;
  }

  /**
   * Adds an init container, run before the containers start.
   */
  public addInitContainer(props: ContainerProps): Container {
    const container = new Container(withDefaults(props, this.defaults));
    watchContainer(this, container);
    this._initContainers.push(container);
    return container;
  }

  /**
   * Adds a volume claim template: one PersistentVolumeClaim per replica.
   */
  public addVolumeClaimTemplate(options: VolumeClaimTemplateOptions): VolumeClaimTemplate {
    touch();
    if (this._templates.some(t => t.name === options.name)) {
      throw fail(this.where, 'volumeClaimTemplates', options.name, 'Claim template names must be unique',
        'Give each claim template its own name');
    }
    const template = new VolumeClaimTemplate(this, `Claim-${options.name}`, {
      ...options,
      statefulSetName: this.name,
      startOrdinal: this.startOrdinal,
    });
    this._templates.push(template);
    return template;
  }

  /**
   * Adds a pod volume (ConfigMap, Secret, emptyDir, ...) that is not mounted by any container
   * yet. Volumes that containers mount are added automatically.
   */
  public addVolume(volume: Volume): Volume {
    touch();
    this._volumes.push(volume);
    return volume;
  }

  /**
   * Adds a Service that reaches the workload's pods: all of them (the default, e.g. reads), one
   * ordinal (`selection: ServiceSelection.pod(0)`, e.g. writes to the primary) or the pods with
   * given labels. ClusterIP, NodePort or LoadBalancer; its ports may map Service ports to container
   * ports (`{ port: 80, targetPort: 8761 }`). Call it once per Service; each needs its own name.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/
   */
  public addClientService(options: WorkloadServiceOptions = {}): WorkloadService {
    const selection = options.selection ?? ServiceSelection.allPods();
    if (selection._ordinal !== undefined) this.checkOrdinal('selection', selection._ordinal);
    const name = options.name ?? (selection._ordinal !== undefined ? this.podName(selection._ordinal) : `${this.name}-client`);
    if (this._services.some(x => x.name === name) || name === this.serviceName) {
      throw fail(this.where, 'name', name, 'Service names must be unique within the workload (the headless Service included)',
        `Give each Service its own 'name', e.g. "${this.name}-read" and "${this.name}-write"`);
    }
    const base = selection._ordinal !== undefined ? `Pod${selection._ordinal}Service` : 'ClientService';
    const id = this.node.tryFindChild(base) ? `${base}-${name}` : base;
    const service = WorkloadService._create(this, id, this, { ...options, name, selection });
    this._services.push(service);
    return service;
  }

  /**
   * Adds a Service that reaches exactly one replica (e.g. pod 0 as the primary), by selecting the
   * `statefulset.kubernetes.io/pod-name` label the controller puts on each pod. The same as
   * `addClientService({ ...options, selection: ServiceSelection.pod(ordinal) })`.
   *
   * @param ordinal the replica's ordinal
   * @see https://kubernetes.io/docs/reference/labels-annotations-taints/#statefulsetkubernetesiopod-name
   */
  public exposePod(ordinal: number, options: WorkloadServiceOptions = {}): WorkloadService {
    this.checkOrdinal('exposePod', ordinal);
    if (options.selection !== undefined) {
      throw fail(this.where, 'exposePod(options.selection)', 'set', 'exposePod() selects the pod of its ordinal',
        'Leave \'selection\' out, or call addClientService() with the selection');
    }
    return this.addClientService({ ...options, selection: ServiceSelection.pod(ordinal) });
  }

  /**
   * Adds labels the nodes must carry for the pods to be scheduled there (`nodeSelector`).
   *
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodeselector
   */
  public addNodeSelector(key: string, value: string): void {
    throwFirst(this.where, labelProblems('addNodeSelector()', { [key]: value }));
    touch();
    this._nodeSelector[key] = value;
  }

  /**
   * Lets the pods run on nodes with a matching taint.
   *
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
   */
  public addToleration(toleration: NodeTaintQuery): void {
    touch();
    this._tolerations.push(toleration);
  }

  /**
   * Adds a topology spread constraint. The first one replaces the default spread (over nodes
   * and zones with more than one replica).
   *
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
   */
  public addTopologySpread(spread: TopologySpread): void {
    throwFirst(this.where, topologySpreadProblems('addTopologySpread()', [{
      topologyKey: spread.topology.key,
      maxSkew: spread.maxSkew ?? 1,
      whenUnsatisfiable: spread.whenUnsatisfiable ?? UnsatisfiableSpread.SCHEDULE_ANYWAY,
    }]));
    touch();
    this._topologySpread = [...this._topologySpread ?? [], { ...spread }];
  }

  /**
   * The name of a replica's pod: `<statefulset>-<ordinal>`.
   */
  public podName(ordinal: number): string {
    this.checkOrdinal('podName', ordinal);
    return `${this.name}-${ordinal}`;
  }

  /**
   * The stable DNS name of a replica: `<pod>.<service>.<namespace>.svc.<clusterDomain>`, or
   * `<pod>.<service>` (resolvable only inside the same namespace) when no namespace is set.
   */
  public podDnsName(ordinal: number): string {
    return `${this.podName(ordinal)}.${this.dnsName}`;
  }

  /**
   * The short host name of a replica: `<pod>.<service>`, e.g. `web-0.nginx`.
   *
   * It resolves only from pods in the workload's namespace (through the
   * `<namespace>.svc.<clusterDomain>` entry of their DNS search path), and it does not change with
   * the namespace or the cluster domain: what peer lists such as Eureka's `defaultZone`, Redis
   * `replicaof` or a Cassandra seed list usually want. Use `podDnsName()` for clients in other
   * namespaces.
   *
   * @param ordinal the replica's ordinal (from `ordinals.start`)
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#stable-network-id
   * @see https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#namespaces-of-services
   */
  public podHostName(ordinal: number): string {
    this.checkOrdinal('podHostName', ordinal);
    return `${this.name}-${ordinal}.${this.serviceName}`;
  }

  /**
   * The name of the claim a replica gets from a template: `<claim>-<statefulset>-<ordinal>`.
   */
  public claimName(claim: VolumeClaimTemplate, ordinal: number): string {
    if (!this._templates.includes(claim)) {
      throw fail(this.where, 'claim', claim.name, 'Must be a volume claim template of this workload',
        'Pass a template returned by this workload\'s addVolumeClaimTemplate() or volumeClaimTemplates');
    }
    this.checkOrdinal('claimName', ordinal);
    return claim.claimName(ordinal);
  }

  /**
   * The DNS name of the governing headless Service: `<service>.<namespace>.svc.<clusterDomain>`,
   * or the bare Service name when no namespace is set.
   */
  public get dnsName(): string {
    return this.namespaceName ? `${this.serviceName}.${this.namespaceName}.svc.${this.clusterDomain}` : this.serviceName;
  }

  /**
   * The ports clients connect to: `clientPorts`, or the ports of the only container that exposes
   * any. Named only when the user named them, so consumers get the same
   * `<PREFIX>_SERVICE_PORT_<NAME>` variables whichever kind of store they are wired to.
   */
  public get ports(): DataStorePort[] {
    return this._clientPortNumbers().map(p => ({ name: p.name, port: p.number, protocol: p.protocol }));
  }

  // ---------------------------------------------------------------- IDataStore

  /** The store's name: `storeName`, or the StatefulSet name. */
  public get storeName(): string {
    return this.props.storeName ?? this.name;
  }

  /**
   * The headless Service's DNS name and the first client port. The port is 0 while the workload
   * has no client port; wiring a consumer to it then fails synthesis with an error naming
   * `clientPorts`.
   */
  public get endpoint(): Endpoint {
    return new Endpoint(this.dnsName, this.ports[0]?.port ?? 0);
  }

  /**
   * What clients need to connect over TLS (`tls`).
   *
   * @default - no TLS settings for consumers
   * @experimental
   */
  public get tls(): DataStoreTls | undefined {
    return this._tls && { ...this._tls, variables: { ...this._tls.variables } };
  }

  /**
   * What the consumers of the client Services get: the credentials and TLS settings of the store
   * that owns the workload (a preset whose consumers get an application role, say), or the
   * workload's own.
   *
   * @internal
   */
  public _clientView(): { credentials?: DataStoreCredentials; ownerCredentials?: DataStoreCredentials; tls?: DataStoreTls } {
    const store = this._owningStore;
    if (store) return { credentials: store.credentials, ownerCredentials: store.ownerCredentials, tls: store.tls };
    return { credentials: this.credentials, tls: this.tls };
  }

  /**
   * The first replica's DNS name and the first client port (0 while there is none, as for
   * `endpoint`).
   */
  public get primaryEndpoint(): Endpoint | undefined {
    return new Endpoint(this.podDnsName(this.startOrdinal), this.ports[0]?.port ?? 0);
  }

  /**
   * The plain settings consumers get next to the address (`connectionProperties`, a copy), if any.
   *
   * @experimental
   */
  public get connectionProperties(): ConnectionProperties | undefined {
    return copyConnectionProperties(this._connectionProperties);
  }

  // ---------------------------------------------------------------- rendering

  /** @internal */
  public _commonLabels(): { [key: string]: string } {
    return { ...this.selectorLabels, 'app.kubernetes.io/managed-by': MANAGED_BY };
  }

  private checkOrdinal(method: string, ordinal: number): void {
    const last = this.startOrdinal + Math.max(this.replicas, 1) - 1;
    if (!Number.isInteger(ordinal) || ordinal < this.startOrdinal || ordinal > last) {
      throw fail(this.where, `${method}(ordinal)`, ordinal,
        `Must be an ordinal of a replica, from ${this.startOrdinal} to ${last}`,
        'Pass the ordinal of an existing replica (ordinals.start + index)');
    }
  }

  /**
   * Every port the containers expose.
   *
   * @internal
   */
  public _containerPorts(): HostPort[] {
    const result: HostPort[] = [];
    for (const c of this._containers) {
      for (const p of c.ports) {
        result.push({ number: p.number, name: p.name, protocol: p.protocol ?? Protocol.TCP, container: c.name });
      }
    }
    return result;
  }

  /**
   * The client ports: declared, or the ports of the only container that exposes any (all ports
   * when several do: synthesis then fails, see validateClientPorts()).
   *
   * @internal
   */
  public _clientPortNumbers(): Array<{ number: number; protocol: string; name?: string }> {
    const containerPorts = this._containerPorts();
    if (this.declaredClientPorts) {
      return this.declaredClientPorts.map(p => {
        const protocol = p.protocol ?? Protocol.TCP;
        const target = containerPorts.find(c => c.number === p.port && c.protocol === protocol);
        return { number: p.port, protocol, name: p.name ?? target?.name };
      });
    }
    return containerPorts.map(p => ({ number: p.number, protocol: p.protocol, name: p.name }));
  }

  /**
   * The headless Service's ports, as Kubernetes JSON: every container port (SRV records, scraping).
   *
   * @internal
   */
  public _servicePorts(): Array<{ name: string; port: number; targetPort: string | number; protocol: string }> {
    return this._containerPorts().map(p => ({
      // named even when alone: a named port gets an SRV record (_<name>._<proto>.<svc>)
      name: p.name ?? `${p.protocol.toLowerCase()}-${p.number}`,
      port: p.number,
      targetPort: p.name ?? p.number,
      protocol: p.protocol,
    }));
  }

  /** What is wrong with the client ports: declared ports no container exposes, or a guess. */
  private validateClientPorts(): string[] {
    const errors: string[] = [];
    const containerPorts = this._containerPorts();
    if (this.declaredClientPorts) {
      this.declaredClientPorts.forEach((p, i) => {
        const protocol = p.protocol ?? Protocol.TCP;
        if (!containerPorts.some(c => c.number === p.port && c.protocol === protocol)) {
          errors.push(fail(this.where, `clientPorts[${i}]`, `${p.port}/${protocol}`,
            `Must be a port a container exposes (${show(containerPorts.map(c => `${c.number}/${c.protocol}`))})`,
            'Add the port to a container, or remove it from \'clientPorts\'').message);
        }
      });
      for (const n of duplicates(this.declaredClientPorts.map(p => `${p.port}/${p.protocol ?? Protocol.TCP}`))) {
        errors.push(fail(this.where, 'clientPorts', n, 'Each client port may be declared once', 'Remove the duplicate').message);
      }
      return errors;
    }
    const exposing = [...new Set(containerPorts.map(p => p.container))];
    if (exposing.length > 1) {
      errors.push(failWithoutValue(this.where, 'clientPorts', 'not declared',
        `Containers ${exposing.map(c => `"${c}" (${containerPorts.filter(p => p.container === c).map(p => p.number).join(', ')})`).join(' and ')} expose ports, so the port clients connect to cannot be inferred: the store's port is never guessed`,
        `Declare the ports clients use, e.g. 'clientPorts: [{ port: ${containerPorts[0].number} }]'`).message);
    }
    return errors;
  }

  /** Volumes of the pod: mounted by containers, added explicitly, plus /tmp. Claim templates excluded. */
  private podVolumes(): Volume[] {
    const byName = new Map<string, Volume>();
    const add = (v: Volume) => {
      if (claimTemplateOf(v)) return;
      if (!byName.has(v.name)) byName.set(v.name, v);
    };
    for (const v of this._volumes) add(v);
    for (const c of [...this._initContainers, ...this._containers]) for (const m of c.mounts) add(m.volume);
    return [...byName.values()];
  }

  private renderContainer(c: Container, init: boolean): k8s.Container {
    const kube = c._toKube();
    const mounts = [...(kube.volumeMounts ?? [])];
    if (!init && !this._withoutClaims.has(c)) {
      for (const t of this._templates) {
        if (t.mountPath && !mounts.some(m => m.name === t.name && m.mountPath === t.mountPath)) {
          mounts.push({ name: t.name, mountPath: t.mountPath });
        }
      }
    }
    if (this.defaults.writableTmp) {
      if (!mounts.some(m => m.mountPath === '/tmp')) mounts.push({ name: TMP_VOLUME, mountPath: '/tmp' });
    }
    const devices: k8s.VolumeDevice[] = init ? [] : this._templates
      .filter(t => t.devicePath !== undefined)
      .map(t => ({ name: t.name, devicePath: t.devicePath! }));
    const sc = kube.securityContext ?? {};
    return {
      ...kube,
      volumeMounts: undefinedIfEmpty(mounts),
      volumeDevices: undefinedIfEmpty(devices),
      securityContext: {
        ...sc,
        capabilities: normalizeCapabilities(sc.capabilities),
      },
    };
  }

  /**
   * The pod spec as Kubernetes JSON, rendered once while the workload is unchanged: the validation
   * (once per synthesis), the app index and the manifest all read the same object (read only).
   */
  private podSpec(): any {
    return this.podSpecCache.get([...this._initContainers, ...this._containers], () => this.renderPodSpec());
  }

  /**
   * A container as Kubernetes JSON, in the form the API server stores (canonical quantities, no
   * dropped zero values), edited in place after the L1 serialization: no extra pass.
   */
  private containerJson(c: Container, init: boolean): any {
    return serverFormContainer(k8s.toJson_Container(this.renderContainer(c, init)));
  }

  /**
   * The pod spec as Kubernetes JSON. Built directly rather than through the L1 `toJson_PodSpec()`
   * (only the containers, volumes and tolerations cdk8s-plus hands us in its typed form are
   * converted); kept by podSpec() while the workload is unchanged.
   */
  private renderPodSpec(): any {
    const sc = this.props.securityContext ?? {};
    const volumes: any[] = this.podVolumes().map(v => serverFormVolume(k8s.toJson_Volume(v._toKube())));
    if ((this.defaults.writableTmp) && !volumes.some(v => v.name === TMP_VOLUME)) {
      volumes.push({ name: TMP_VOLUME, emptyDir: {} });
    }
    const spread = this._topologySpread
      ?? (this.replicas > 1 ? [{ topology: Topology.HOSTNAME }, { topology: Topology.ZONE }] : []);
    return {
      automountServiceAccountToken: this.defaults.automountServiceAccountToken,
      serviceAccountName: this.props.serviceAccount?.name,
      securityContext: {
        runAsNonRoot: sc.ensureNonRoot ?? true,
        runAsUser: sc.user,
        runAsGroup: sc.group,
        fsGroup: sc.fsGroup ?? this.defaults.fsGroup,
        fsGroupChangePolicy: sc.fsGroupChangePolicy ?? this.defaults.fsGroupChangePolicy,
        seccompProfile: { type: 'RuntimeDefault' },
        sysctls: sc.sysctls?.map(s => ({ name: s.name, value: s.value })),
      },
      initContainers: undefinedIfEmpty(this._initContainers.map(c => this.containerJson(c, true))),
      containers: this._containers.map(c => this.containerJson(c, false)),
      volumes: undefinedIfEmpty(volumes),
      terminationGracePeriodSeconds: this.props.terminationGracePeriod?.toSeconds(),
      nodeSelector: nonEmptyMap({ ...this._nodeSelector }),
      // Toleration.value is a string with omitempty: "" is dropped by the API server
      tolerations: undefinedIfEmpty(this._tolerations.map(t => {
        const json: any = k8s.toJson_Toleration(t._toKube());
        if (json.value === '') delete json.value;
        return json;
      })),
      topologySpreadConstraints: undefinedIfEmpty(spread.map(s => ({
        topologyKey: s.topology.key,
        maxSkew: s.maxSkew ?? 1,
        whenUnsatisfiable: s.whenUnsatisfiable ?? UnsatisfiableSpread.SCHEDULE_ANYWAY,
        labelSelector: { matchLabels: this.selectorLabels },
      }))),
    };
  }

  /** The StatefulSet spec as Kubernetes JSON, claim templates with their `apiVersion` and `kind`. */
  private renderSpecJson(): any {
    const strategy = this.props.strategy ?? WorkloadUpdateStrategy.rollingUpdate();
    const retention = this.props.persistentVolumeClaimRetentionPolicy ?? {};
    const podMetadata = this.podMetadata as PodMetadataDefinition;
    const podLabels = { ...podMetadata.labelsJson(), ...this.selectorLabels };
    return {
      serviceName: this.serviceName,
      replicas: this.replicas,
      selector: { matchLabels: this.selectorLabels },
      podManagementPolicy: this.props.podManagementPolicy ?? PodManagementPolicy.ORDERED_READY,
      updateStrategy: strategy._type === 'RollingUpdate'
        ? { type: 'RollingUpdate', rollingUpdate: { partition: strategy._partition ?? 0, maxUnavailable: strategy._maxUnavailable?.value } }
        : { type: strategy._type },
      // an int32 with omitempty (apps/v1 StatefulSetSpec): the API server drops 0
      minReadySeconds: this.props.minReady?.toSeconds() || undefined,
      revisionHistoryLimit: this.props.revisionHistoryLimit,
      ordinals: this.props.ordinals ? { start: this.startOrdinal } : undefined,
      persistentVolumeClaimRetentionPolicy: {
        whenDeleted: retention.whenDeleted ?? PersistentVolumeClaimRetention.RETAIN,
        whenScaled: retention.whenScaled ?? PersistentVolumeClaimRetention.RETAIN,
      },
      template: {
        // an empty map is dropped by the API server (omitempty): `annotations: {}` is left out
        metadata: { labels: podLabels, annotations: nonEmptyMap(podMetadata.annotationsJson()) },
        spec: this.podSpec(),
      },
      volumeClaimTemplates: undefinedIfEmpty(this._templates.map(t => ({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        ...k8s.toJson_KubePersistentVolumeClaimProps(t._toKube()),
      }))),
    };
  }

  // ---------------------------------------------------------------- validation

  /**
   * Warns when a claim template can only bind static volumes (class "" or a class of this app
   * without a provisioner) and the app renders no PersistentVolume of that class: the pods would
   * stay Pending. A warning, not an error: the volumes may come from outside the app (e.g. the
   * local volume static provisioner).
   */
  private claimList(template: VolumeClaimTemplate): string {
    const names = Array.from({ length: Math.min(this.replicas, 3) }, (_, i) => template._claimNameAt(i));
    return names.join(', ') + (this.replicas > 3 ? ', ...' : '');
  }

  private warnIfUnbindable(template: VolumeClaimTemplate): void {
    const className = template.storageClassName;
    if (className === undefined) return;
    const staticOnly = className === '' || resolveStorageClass(this, className, template.storageClass)?.dynamicProvisioning === false;
    if (!staticOnly) return;
    if (AppIndex.of(this).hasPersistentVolumeOfClass(className)) return;
    const why = className === '' ? 'asks for volumes without a class' : `uses class "${className}", which has no provisioner`;
    warn(this, WARNINGS.UNBINDABLE_CLAIM_TEMPLATE, warningMessage(this.where, `volumeClaimTemplates "${template.name}"`, show(className),
      `The template ${why}, and this app renders no PersistentVolume of that class: unless volumes are created outside the app, claims ${this.claimList(template)} stay unbound and the pods Pending`,
      'Add a StaticVolumeSet for the template, or use a class with a provisioner'));
  }

  /**
   * Warns when containers must run as non-root but nothing says as whom: the kubelet then reads
   * the image's USER and refuses to start an image that runs as root or names its user
   * (CreateContainerConfigError), which no synth-time check or API server catches.
   */
  private warnIfNonRootWithoutUser(podSpec: any): void {
    const podSc = podSpec.securityContext ?? {};
    const unset = [...podSpec.initContainers ?? [], ...podSpec.containers]
      .filter(c => (c.securityContext?.runAsNonRoot ?? podSc.runAsNonRoot) === true
        && (c.securityContext?.runAsUser ?? podSc.runAsUser) === undefined)
      .map(c => c.name);
    if (unset.length === 0) return;
    warn(this, WARNINGS.NON_ROOT_WITHOUT_USER, warningMessage(this.where, 'securityContext.user', `unset for ${unset.map(n => `container "${n}"`).join(', ')}`,
      'The pods run with runAsNonRoot but no user id, so the kubelet checks the image\'s USER when it starts the container: '
      + 'an image that starts as root (stock nginx, postgres, redis) fails with "container has runAsNonRoot and image will run as root", '
      + 'and one that names its user (USER nginx) with "image has non-numeric user"; the pods stay in CreateContainerConfigError',
      'Set the user id the image expects, e.g. \'securityContext: { user: 999, group: 999 }\' on the workload or the container; '
      + 'otherwise the image must declare a numeric non-root USER (e.g. USER 101)'));
  }

  private validateWorkload(): string[] {
    const errors: string[] = [];
    const err = (prop: string, value: unknown, allowed: string, fix: string) => errors.push(fail(this.where, prop, value, allowed, fix).message);

    if (this._containers.length === 0) {
      err('containers', [], 'A StatefulSet needs at least one container', 'Pass \'containers\' or call addContainer()');
    }
    const allContainers = [...this._initContainers, ...this._containers];
    for (const name of duplicates(allContainers.map(c => c.name))) {
      err('containers[].name', name, 'Container names must be unique within the pod', 'Give each container its own \'name\'');
    }
    for (const c of allContainers) {
      try {
        checkDns1123Label(this.where, `container "${c.name}" name`, c.name);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }

    // ports
    errors.push(...this.validateClientPorts());
    const ports = this._containerPorts();
    for (const p of ports) {
      try {
        checkPort(this.where, `container "${p.container}" port`, p.number);
        if (p.name !== undefined) checkPortName(this.where, `container "${p.container}" port name`, p.name);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    for (const n of duplicates(ports.map(p => `${p.number}/${p.protocol}`))) {
      err('ports', n, 'Each port number and protocol may be exposed by one container only', 'Remove the duplicate port or change its number');
    }
    for (const n of duplicates(ports.filter(p => p.name).map(p => p.name))) {
      err('ports', n, 'Port names must be unique across the containers', 'Rename one of the ports');
    }

    // the pod spec, rendered once for every check below
    const podSpec = this.podSpec();
    errors.push(...problemMessages(this.where, podTemplateProblems(this.podMetadataJson(), podSpec,
      // the mount references and paths are checked below, with messages that name claim templates
      { mountReferencesChecked: true })));
    const renderedContainers = new Map<Container, any>();
    this._initContainers.forEach((c, i) => renderedContainers.set(c, podSpec.initContainers![i]));
    this._containers.forEach((c, i) => renderedContainers.set(c, podSpec.containers[i]));

    // mounts
    const templateNames = this._templates.map(t => t.name);
    const podVolumes = this.podVolumes();
    const podVolumeNames = podVolumes.map(v => v.name);
    for (const v of podVolumes) {
      if (templateNames.includes(v.name)) {
        err('volumes', v.name, 'A pod volume may not share its name with a volume claim template: the controller would replace it',
          'Rename the volume or the claim template');
      }
    }
    for (const n of duplicates([...this._volumes, ...allContainers.flatMap(c => c.mounts.map(m => m.volume))]
      .filter((v, i, arr) => arr.indexOf(v) === i).map(v => v.name))) {
      err('volumes', n, 'Two different volumes have the same name', 'Give each volume its own name');
    }
    for (const c of allContainers) {
      const rendered = renderedContainers.get(c)!;
      const foreign = new Set<string>();
      for (const m of c.mounts) {
        const owner = claimTemplateOf(m.volume);
        if (owner && owner.volumeMode === PersistentVolumeMode.BLOCK) {
          err(`container "${c.name}" volumeMounts`, m.volume.name,
            `Claim template "${owner.name}" is a Block volume: a raw device cannot be mounted as a file system`,
            'Attach it with the template\'s \'devicePath\' instead of container.mount()');
        }
        if (owner && !this._templates.includes(owner)) {
          foreign.add(m.volume.name);
          err(`container "${c.name}" volumeMounts`, m.volume.name,
            `Mounts claim template "${owner.name}" of another workload (${owner.node.scope?.node.path}); this workload's claim templates are ${show(templateNames)}`,
            'Mount a claim template of this workload, or add one with addVolumeClaimTemplate()');
        }
      }
      const mounts: Array<{ name: string; mountPath: string }> = rendered.volumeMounts ?? [];
      for (const m of mounts) {
        if (!foreign.has(m.name) && !templateNames.includes(m.name) && !podVolumeNames.includes(m.name) && m.name !== TMP_VOLUME) {
          err(`container "${c.name}" volumeMounts`, m.name, `Must name a pod volume or a claim template (${show([...templateNames, ...podVolumeNames])})`,
            'Add the volume or claim template, or remove the mount');
        }
      }
      for (const path of duplicates(mounts.map(m => m.mountPath))) {
        err(`container "${c.name}" volumeMounts`, path, 'Mount paths must be unique within a container',
          'Mount each volume at its own path (a claim template\'s mountPath also counts)');
      }
    }

    // an image that can change under the same reference: replicas of one StatefulSet may run different versions
    for (const c of allContainers) {
      if (!isPinnedImage(c.image)) {
        warn(this, WARNINGS.UNPINNED_IMAGE, warningMessage(this.where, `container "${c.name}" image`, show(c.image),
          `${c.image.includes(':latest') ? 'The tag latest' : 'An image without a tag (latest)'} moves: pods started at different times run different versions of the engine, and a restart can upgrade the data files without a review`,
          'Pin the image to a version tag (e.g. "postgres:16.4") or a digest (@sha256:...)'));
      }
    }

    // a name that follows the construct path: a refactor renames the StatefulSet and orphans its data
    if (this.props.metadata?.name === undefined && this._templates.length > 0) {
      warn(this, WARNINGS.GENERATED_NAME_WITH_CLAIMS, warningMessage(this.where, 'metadata.name', `unset (generated ${show(this.name)})`,
        `The StatefulSet name is generated from the construct path, and its claims are named after it (${this.claimList(this._templates[0])}): `
        + 'moving or renaming the construct renames the StatefulSet, whose new pods start on new, empty claims while the old claims and their data are orphaned',
        `Set 'metadata.name' to a stable name, e.g. ${show(this.name.replace(/-[0-9a-f]{8}$/, ''))}`));
    }

    // claims that only static volumes can satisfy, with no such volume anywhere in the app
    for (const t of this._templates) this.warnIfUnbindable(t);

    // the writable /tmp emptyDir owns the volume name "tmp"
    if (this.defaults.writableTmp) {
      const userVolumes = [...this._volumes, ...allContainers.flatMap(c => c.mounts.map(m => m.volume))].map(v => v.name);
      if (templateNames.includes(TMP_VOLUME) || userVolumes.includes(TMP_VOLUME)) {
        err('volumes', TMP_VOLUME, 'The name "tmp" belongs to the writable emptyDir mounted at /tmp (writableTmp); a claim template or volume of that name would replace it',
          'Rename your volume or claim template, or set \'writableTmp: false\' and mount your own volume at /tmp');
      }
    }

    this.warnIfNonRootWithoutUser(podSpec);

    // pod security
    if (this.props.restrictedPodSecurity ?? true) {
      for (const v of restrictedViolations(podSpec)) {
        errors.push(failWithoutValue(this.where, 'pod template', v, 'The pod spec must meet the Pod Security Standards "restricted" profile',
          'Fix the security context, or set \'restrictedPodSecurity: false\' and label the namespace for a less strict profile').message);
      }
    }
    return errors;
  }
}

// ---------------------------------------------------------------- helpers

/**
 * Whether a disruption budget lets no replica be evicted. The disruption controller rounds a
 * percentage up, for maxUnavailable and minAvailable alike
 * (`GetScaledValueFromIntOrPercent(..., true)`): 10% of 3 pods allows one eviction.
 */
function blocksEveryEviction(budget: DisruptionBudget, replicas: number): boolean {
  if (!budget._enabled || replicas === 0) return false;
  const amount = (v: PercentOrAbsolute) => typeof v.value === 'number'
    ? v.value
    : Math.ceil(replicas * Number(String(v.value).replace(/%$/, '')) / 100);
  if (budget._maxUnavailable) return amount(budget._maxUnavailable) === 0;
  const min = budget._minAvailable!;
  const required = typeof min.value === 'number' ? min.value : Math.ceil(replicas * Number(String(min.value).replace(/%$/, '')) / 100);
  return required >= replicas;
}

function withDefaults(props: ContainerProps, defaults: PodDefaults): ContainerProps {
  // cdk8s-plus-27 gives a container with `portNumber` a TCP startup probe that restarts it after
  // about 30 s: a database replaying its log or a Cassandra joining its ring is killed in a loop.
  // Passing the port as `ports` keeps the probes exactly as the user wrote them.
  const portNumber = props.portNumber ?? props.port;
  const ports = portNumber !== undefined && !(props.ports ?? []).some(p => p.number === portNumber)
    ? [{ number: portNumber }, ...props.ports ?? []]
    : props.ports;
  return defaults._containerProps({
    ...props,
    port: undefined,
    portNumber: undefined,
    ports,
  });
}

/**
 * Drops every capability unless the user lists what to drop, and writes capability names the way
 * Kubernetes documents them: cdk8s-plus-27's `Capability` values carry a `CAP_` prefix
 * (`CAP_NET_BIND_SERVICE`) that the Pod Security "restricted" profile does not accept.
 */
function normalizeCapabilities(caps?: k8s.Capabilities): k8s.Capabilities {
  const strip = (xs?: string[]) => xs?.map(x => x.replace(/^CAP_/, ''));
  const add = strip(caps?.add);
  const drop = strip(caps?.drop);
  return {
    add: add && add.length > 0 ? add : undefined,
    drop: drop && drop.length > 0 ? drop : ['ALL'],
  };
}

function claimTemplateOf(volume: Volume): VolumeClaimTemplate | undefined {
  const parent = volume.node.scope;
  return parent instanceof VolumeClaimTemplate && parent._isVolume(volume) ? parent : undefined;
}

function checkPercentOrAbsolute(where: string, prop: string, value: PercentOrAbsolute, min: number): void {
  const v = value.value;
  if (typeof v === 'number') {
    checkInteger(where, prop, v, min);
  } else {
    const pct = Number(String(v).replace(/%$/, ''));
    if (!Number.isInteger(pct) || pct < min || pct > 100) {
      throw fail(where, prop, v, `Must be a whole percentage from ${min}% to 100%`, `Set '${prop}' to a value such as PercentOrAbsolute.percent(50)`);
    }
  }
}

function nonEmptyMap(map?: { [key: string]: string }): { [key: string]: string } | undefined {
  return map && Object.keys(map).length > 0 ? map : undefined;
}

function undefinedIfEmpty<T>(xs: T[]): T[] | undefined {
  return xs.length > 0 ? xs : undefined;
}
