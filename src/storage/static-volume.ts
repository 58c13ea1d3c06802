import { ApiObject, ApiObjectMetadata, JsonPatch, Lazy, Size } from 'cdk8s';
import {
  HostPathVolumeType,
  PersistentVolumeAccessMode,
  PersistentVolumeMode,
  PersistentVolumeReclaimPolicy,
  k8s,
} from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IStorageClass, StorageClass, VolumeBindingMode } from './storage-class';
import { AppIndex, declareRole, declareView, resolveStorageClass } from '../private/app-index';
import { dataAnnotations } from '../private/argocd';
import {
  checkAbsolutePath,
  checkAccessModes,
  checkStorage,
  isLabelValue,
  isQualifiedName,
  mapOrUndefined,
} from '../private/storage-checks';
import { checkDns1123Subdomain, duplicates, fail, show } from '../private/validation';
import { mismatches, selectorMatches } from './private/volume-match';
import { addValidationWithWarnings, warn, warningMessage, WARNINGS } from '../private/warnings';
import { IStatefulWorkloadOwner, StatefulWorkload } from '../workload/stateful-workload';
import { VolumeClaimTemplate } from '../workload/volume-claim-template';

/** The node label local volumes are pinned with. */
const HOSTNAME_LABEL = 'kubernetes.io/hostname';

/**
 * Options of `StaticVolumeSource.hostPath()`.
 *
 * @stable
 */
export interface HostPathSourceOptions {
  /**
   * What must exist at the path on the node.
   *
   * @see https://kubernetes.io/docs/concepts/storage/volumes/#hostpath-volume-types
   * @default HostPathVolumeType.DIRECTORY_OR_CREATE
   */
  readonly hostPathType?: HostPathVolumeType;
}

/**
 * Options of `StaticVolumeSource.local()`.
 *
 * @stable
 */
export interface LocalSourceOptions {
  /**
   * The file system type, when the path is a raw block device the kubelet should format and
   * mount (e.g. `ext4`, `xfs`).
   *
   * @see https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/persistent-volume-v1/#local
   * @default - the path is an already mounted directory (or a block device used as such)
   */
  readonly fsType?: string;
}

/**
 * Options of `StaticVolumeSource.csi()`.
 *
 * @stable
 */
export interface CsiSourceOptions {
  /**
   * The file system type to format and mount the volume with, e.g. `ext4` or `xfs`.
   *
   * @see https://kubernetes.io/docs/concepts/storage/volumes/#csi
   * @default - the driver's default
   */
  readonly fsType?: string;

  /**
   * Driver-specific attributes of the volume, passed to the driver when it is published.
   *
   * @see https://kubernetes.io/docs/concepts/storage/volumes/#csi
   * @default - no attributes
   */
  readonly volumeAttributes?: { [key: string]: string };

  /**
   * Publish the volume read-only.
   *
   * @see https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/persistent-volume-v1/#persistent-volumes
   * @default false
   */
  readonly readOnly?: boolean;
}

/**
 * Options of `StaticVolumeSource.nfs()`.
 *
 * @stable
 */
export interface NfsSourceOptions {
  /**
   * Mount the export read-only.
   *
   * @see https://kubernetes.io/docs/concepts/storage/volumes/#nfs
   * @default false
   */
  readonly readOnly?: boolean;
}

/**
 * Where the data of a persistent volume lives: a directory on a node (hostPath, local), a CSI
 * volume or an NFS export.
 *
 * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#types-of-persistent-volumes
 * @stable
 */
export class StaticVolumeSource {
  /**
   * A directory on whichever node the pod runs on. **For single-node test clusters only**
   * (kind, minikube, k3d): nothing pins the pod to the node that has the data, nothing cleans
   * up, and the kubelet creates the directory as root. Use `local()` for real node disks.
   *
   * @see https://kubernetes.io/docs/concepts/storage/volumes/#hostpath
   * @param path absolute path on the node, e.g. `/mnt/data/html-0`
   */
  public static hostPath(path: string, options: HostPathSourceOptions = {}): StaticVolumeSource {
    return new StaticVolumeSource('hostPath', path, {
      hostPath: { path, type: options.hostPathType ?? HostPathVolumeType.DIRECTORY_OR_CREATE },
    });
  }

  /**
   * A disk, partition or directory of one node (e.g. a local SSD mounted at `/mnt/disks/ssd0`),
   * with the required node affinity on `kubernetes.io/hostname`: pods using it are always
   * scheduled on that node. The data is lost with the node. Use with a `StorageClass.localDisks()`
   * class.
   *
   * @see https://kubernetes.io/docs/concepts/storage/volumes/#local
   * @param path absolute path on the node
   * @param nodeName the node's `kubernetes.io/hostname` label (usually its name)
   */
  public static local(path: string, nodeName: string, options: LocalSourceOptions = {}): StaticVolumeSource {
    return new StaticVolumeSource('local', path, { local: { path, fsType: options.fsType } }, nodeName);
  }

  /**
   * An existing volume of a CSI driver (e.g. a cloud disk created outside Kubernetes).
   *
   * @see https://kubernetes.io/docs/concepts/storage/volumes/#csi
   * @param driver the CSI driver name, e.g. `ebs.csi.aws.com`
   * @param volumeHandle the driver's ID of the volume, e.g. `vol-0123456789abcdef0`
   */
  public static csi(driver: string, volumeHandle: string, options: CsiSourceOptions = {}): StaticVolumeSource {
    return new StaticVolumeSource('csi', `${driver}:${volumeHandle}`, {
      csi: {
        driver,
        volumeHandle,
        fsType: options.fsType,
        // a bool with omitempty (core/v1 CSIPersistentVolumeSource): the API server drops false
        readOnly: options.readOnly || undefined,
        volumeAttributes: mapOrUndefined(options.volumeAttributes),
      },
    });
  }

  /**
   * An NFS export.
   *
   * The kubelet does not apply a pod's `fsGroup` to NFS volumes: files keep the owner the NFS
   * server reports. Run the pods as the export's owner (`securityContext: { user, group }`), or
   * squash every client to the app's uid on the server (`all_squash,anonuid=...,anongid=...`).
   *
   * @see https://kubernetes.io/docs/concepts/storage/volumes/#nfs
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#configure-volume-permission-and-ownership-change-policy-for-pods
   * @param server the NFS server's host name or IP address
   * @param path the exported path, e.g. `/exports/db-0`
   */
  public static nfs(server: string, path: string, options: NfsSourceOptions = {}): StaticVolumeSource {
    return new StaticVolumeSource('nfs', `${server}:${path}`, {
      // a bool with omitempty (core/v1 NFSVolumeSource): the API server drops false
      nfs: { server, path, readOnly: options.readOnly || undefined },
    });
  }

  /** The kind of source: `hostPath`, `local`, `csi` or `nfs`. */
  public readonly sourceType: string;
  /** The node a `local` volume is on. */
  public readonly nodeName?: string;
  /** Where the data is, e.g. `/mnt/data/html-0`, `ebs.csi.aws.com:vol-1`, `nfs.example.com:/exports/a`. */
  public readonly location: string;
  private readonly spec: k8s.PersistentVolumeSpec;

  private constructor(sourceType: string, location: string, spec: k8s.PersistentVolumeSpec, nodeName?: string) {
    this.sourceType = sourceType;
    this.location = location;
    this.spec = spec;
    this.nodeName = nodeName;
  }

  /**
   * Checks the source's own values.
   * @internal
   */
  public _check(where: string, prop: string): void {
    const s = this.spec;
    if (s.hostPath) checkAbsolutePath(where, `${prop} hostPath path`, s.hostPath.path);
    if (s.local) {
      checkAbsolutePath(where, `${prop} local path`, s.local.path);
      if (!this.nodeName || !isLabelValue(this.nodeName)) {
        throw fail(where, `${prop} local nodeName`, this.nodeName,
          'Must be the node\'s kubernetes.io/hostname label: at most 63 letters, digits, \'-\', \'_\' and \'.\'',
          'Pass the node name as `kubectl get nodes -L kubernetes.io/hostname` shows it');
      }
    }
    if (s.csi) {
      if (!isQualifiedName(s.csi.driver)) {
        throw fail(where, `${prop} csi driver`, s.csi.driver, 'Must be a CSI driver name such as "ebs.csi.aws.com"',
          'Pass the driver name as `kubectl get csidrivers` shows it');
      }
      if (s.csi.volumeHandle.trim().length === 0) {
        throw fail(where, `${prop} csi volumeHandle`, s.csi.volumeHandle, 'Must not be empty', 'Pass the driver\'s ID of the volume');
      }
    }
    if (s.nfs) {
      if (s.nfs.server.trim().length === 0) {
        throw fail(where, `${prop} nfs server`, s.nfs.server, 'Must not be empty', 'Pass the NFS server\'s host name or IP address');
      }
      checkAbsolutePath(where, `${prop} nfs path`, s.nfs.path);
    }
  }

  /** @internal */
  public _toKube(): k8s.PersistentVolumeSpec {
    return this.spec;
  }
}

/**
 * Options shared by `StaticVolume` and `StaticVolumeSet`.
 *
 * @stable
 */
export interface StaticVolumeOptions {
  /**
   * The class of the volume: only claims of the same class bind to it.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#class
   * @default - no class for a `StaticVolume` (only claims with `storageClassName: ""` bind);
   * the claim template's class for a `StaticVolumeSet`
   */
  readonly storageClass?: IStorageClass;

  /**
   * The access modes the volume offers. A claim binds only if the volume offers every mode it
   * asks for. `READ_WRITE_ONCE_POD` needs a CSI source and stands alone.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes
   * @default - [PersistentVolumeAccessMode.READ_WRITE_ONCE] for a `StaticVolume`; the claim
   * template's modes for a `StaticVolumeSet`
   */
  readonly accessModes?: PersistentVolumeAccessMode[];

  /**
   * A formatted file system or a raw block device (local and CSI sources only). Always written out.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#volume-mode
   * @default - PersistentVolumeMode.FILE_SYSTEM for a `StaticVolume`; the claim template's
   * mode for a `StaticVolumeSet`
   */
  readonly volumeMode?: PersistentVolumeMode;

  /**
   * What happens to the volume when its claim is deleted. `RETAIN` keeps the volume and its data
   * (the volume becomes `Released` and must be cleaned up by hand before it can be reused).
   * Always written out.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#reclaiming
   * @default PersistentVolumeReclaimPolicy.RETAIN
   */
  readonly reclaimPolicy?: PersistentVolumeReclaimPolicy;

  /**
   * Mount options, e.g. `['nfsvers=4.1', 'hard']` for NFS. Not supported by hostPath volumes.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#mount-options
   * @default - no mount options
   */
  readonly mountOptions?: string[];

  /**
   * Only nodes with all these labels can use the volume, rendered as required node affinity
   * (e.g. `{ 'topology.kubernetes.io/zone': 'eu-west-1a' }` for a zonal cloud disk). Local
   * volumes are pinned to their node in any case.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#node-affinity
   * @default - any node (local volumes: their node)
   */
  readonly nodeLabels?: { [key: string]: string };

  /**
   * Annotate the volume with `argocd.argoproj.io/sync-options: Prune=false,Delete=false`, so
   * Argo CD never deletes it when it leaves Git or the application is deleted. Options you set in
   * that annotation yourself are kept.
   *
   * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/#no-prune-resources
   * @default true
   */
  readonly argoCdProtection?: boolean;
}

/**
 * Props of `StaticVolume`.
 *
 * @stable
 */
export interface StaticVolumeProps extends StaticVolumeOptions {
  /**
   * Metadata of the volume. PersistentVolumes are cluster-scoped: a namespace is not allowed
   * (the chart's namespace is not applied).
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#persistent-volumes
   * @default - name generated by the chart
   */
  readonly metadata?: ApiObjectMetadata;

  /**
   * The capacity of the volume. Claims requesting more do not bind to it. Any unit:
   * `Size.mebibytes(1)` renders `1Mi`.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#capacity
   */
  readonly storage: Size;

  /**
   * Where the data lives: `StaticVolumeSource.hostPath()`, `.local()`, `.csi()` or `.nfs()`.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#types-of-persistent-volumes
   */
  readonly source: StaticVolumeSource;
}

/**
 * A statically provisioned PersistentVolume: a hostPath (test clusters), local, CSI or NFS volume.
 *
 * Data-safe by default: reclaim policy `Retain` and the Argo CD annotation
 * `argocd.argoproj.io/sync-options: Prune=false,Delete=false`.
 *
 * For the volumes of a StatefulSet's claim template, one per replica, use `StaticVolumeSet`.
 * To reserve the volume for one claim, pass it as `volume` of a `VolumeClaim`.
 *
 * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/
 * @stable
 */
export class StaticVolume extends Construct {
  /** The volume name. */
  public readonly name: string;
  /** The capacity. */
  public readonly storage: Size;
  /** The capacity as a Kubernetes quantity, e.g. `1Mi`. */
  public readonly storageQuantity: string;
  /** The class name; an empty string when the volume has no class. */
  public readonly storageClassName: string;
  /** The volume mode. */
  public readonly volumeMode: PersistentVolumeMode;
  /** The reclaim policy. */
  public readonly reclaimPolicy: PersistentVolumeReclaimPolicy;
  /** Where the data lives. */
  public readonly source: StaticVolumeSource;
  /** The rendered PersistentVolume. */
  public readonly apiObject: ApiObject;

  private readonly where: string;
  private readonly _accessModes: PersistentVolumeAccessMode[];
  private readonly storageClass?: IStorageClass;
  private claimRef?: { name: string; namespace?: string };

  constructor(scope: Construct, id: string, props: StaticVolumeProps) {
    super(scope, id);
    AppIndex.watch(this);
    declareRole(this, 'storage');
    const where = `StaticVolume '${this.node.path}'`;
    this.where = where;

    // ---- defaults and eager checks
    if (props.metadata?.namespace !== undefined) {
      throw fail(where, 'metadata.namespace', props.metadata.namespace, 'PersistentVolumes are cluster-scoped and have no namespace',
        'Remove \'metadata.namespace\'; the claim that binds the volume has the namespace');
    }
    this.storageQuantity = checkStorage(where, 'storage', props.storage);
    this.storage = props.storage;
    this.source = props.source;
    this.source._check(where, 'source');
    this.storageClass = props.storageClass;
    this.storageClassName = props.storageClass?.storageClassName ?? '';
    this.volumeMode = props.volumeMode ?? PersistentVolumeMode.FILE_SYSTEM;
    this.reclaimPolicy = props.reclaimPolicy ?? PersistentVolumeReclaimPolicy.RETAIN;
    if (this.reclaimPolicy === PersistentVolumeReclaimPolicy.DELETE) {
      warn(this, WARNINGS.STATIC_VOLUME_RECLAIM_DELETE, warningMessage(where, 'reclaimPolicy', show(this.reclaimPolicy),
        'Deleting the claim bound to this volume deletes the volume, and with a CSI driver the data on it; with local and hostPath volumes the cluster cannot delete them at all and the volume turns Failed',
        'Leave \'reclaimPolicy\' out (Retain) and delete volumes by hand when the data may go'));
    }
    const modes = props.accessModes ?? [PersistentVolumeAccessMode.READ_WRITE_ONCE];
    checkAccessModes(where, 'accessModes', modes);
    this._accessModes = [...modes];
    const sourceType = this.source.sourceType;
    if (modes.includes(PersistentVolumeAccessMode.READ_WRITE_ONCE_POD) && sourceType !== 'csi') {
      throw fail(where, 'accessModes', modes, `ReadWriteOncePod is supported by CSI volumes only, and this is a ${sourceType} volume`,
        'Use ReadWriteOnce, or a CSI source');
    }
    if (this.volumeMode === PersistentVolumeMode.BLOCK && sourceType !== 'local' && sourceType !== 'csi') {
      throw fail(where, 'volumeMode', this.volumeMode, `Raw block volumes need a local or CSI source, and this is a ${sourceType} volume`,
        'Use PersistentVolumeMode.FILE_SYSTEM, or a local or CSI source');
    }
    const mountOptions = [...props.mountOptions ?? []];
    if (mountOptions.length > 0 && sourceType === 'hostPath') {
      throw fail(where, 'mountOptions', mountOptions, 'hostPath volumes do not support mount options (the kubelet refuses to mount them)',
        'Remove \'mountOptions\'');
    }
    const nodeLabels = { ...props.nodeLabels };
    for (const [key, value] of Object.entries(nodeLabels)) {
      if (!isQualifiedName(key) || !isLabelValue(value)) {
        throw fail(where, 'nodeLabels', { [key]: value }, 'Must be node labels: qualified-name keys and label values of at most 63 characters',
          'Use labels as `kubectl get nodes --show-labels` shows them');
      }
    }
    if (this.source.nodeName !== undefined) {
      const pinned = nodeLabels[HOSTNAME_LABEL];
      if (pinned !== undefined && pinned !== this.source.nodeName) {
        throw fail(where, `nodeLabels "${HOSTNAME_LABEL}"`, pinned, `A local volume is on node "${this.source.nodeName}" (its source)`,
          `Remove "${HOSTNAME_LABEL}" from 'nodeLabels'`);
      }
      nodeLabels[HOSTNAME_LABEL] = this.source.nodeName;
    }

    // ---- children
    const protect = props.argoCdProtection ?? true;
    this.apiObject = new k8s.KubePersistentVolume(this, 'Resource', {
      metadata: { ...props.metadata, annotations: dataAnnotations(props.metadata?.annotations, protect) },
      spec: Lazy.any({
        produce: (): k8s.PersistentVolumeSpec => ({
          ...this.source._toKube(),
          capacity: { storage: k8s.Quantity.fromString(this.storageQuantity) },
          accessModes: [...this._accessModes],
          volumeMode: this.volumeMode,
          persistentVolumeReclaimPolicy: this.reclaimPolicy,
          storageClassName: this.storageClassName === '' ? undefined : this.storageClassName,
          mountOptions: mountOptions.length > 0 ? [...mountOptions] : undefined,
          claimRef: this.claimRef ? { name: this.claimRef.name, namespace: this.claimRef.namespace } : undefined,
          nodeAffinity: Object.keys(nodeLabels).length > 0
            ? {
              required: {
                nodeSelectorTerms: [{
                  matchExpressions: Object.entries(nodeLabels).map(([key, value]) => ({ key, operator: 'In', values: [value] })),
                }],
              },
            }
            : undefined,
        }),
      }) as any,
    });
    declareView(this.apiObject, () => ({ kind: 'PersistentVolume', spec: { storageClassName: this.storageClassName } }));
    // cluster-scoped: the chart's namespace does not apply (removing an absent field is a no-op)
    this.apiObject.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    this.name = this.apiObject.name;
    checkDns1123Subdomain(where, 'metadata.name', this.name);

    // ---- deferred checks
    addValidationWithWarnings(this, () => AppIndex.of(this).memo(this, () => this.validateVolume()));
  }

  /** The access modes (a copy). */
  public get accessModes(): PersistentVolumeAccessMode[] {
    return [...this._accessModes];
  }

  /** The name of the claim the volume is reserved for (`spec.claimRef`), if any. */
  public get reservedClaimName(): string | undefined {
    return this.claimRef?.name;
  }

  /** The namespace of the claim the volume is reserved for, if any. */
  public get reservedClaimNamespace(): string | undefined {
    return this.claimRef?.namespace;
  }

  /**
   * Reserves the volume for one claim (`spec.claimRef`), so no other claim can take it.
   * @internal
   */
  public _reserveFor(claimName: string, namespace: string, by: string): void {
    if (this.claimRef && (this.claimRef.name !== claimName || this.claimRef.namespace !== namespace)) {
      throw fail(by, 'volume', this.name,
        `PersistentVolume "${this.name}" is already reserved for claim "${this.claimRef.namespace}/${this.claimRef.name}"; a volume binds to one claim`,
        'Give each claim its own volume');
    }
    this.claimRef = { name: claimName, namespace };
  }

  private validateVolume(): string[] {
    const cls = resolveStorageClass(this, this.storageClassName, this.storageClass);
    if (this.source.sourceType === 'local' && cls && cls.volumeBindingMode === VolumeBindingMode.IMMEDIATE) {
      warn(this, WARNINGS.LOCAL_VOLUME_IMMEDIATE_BINDING, warningMessage(this.where, 'storageClass', show(cls.storageClassName),
        `Class "${cls.storageClassName}" binds claims immediately, before the pod is scheduled: a claim may get a local volume on a node where its pod cannot run`,
        'Use a class with WaitForFirstConsumer binding, e.g. StorageClass.localDisks()'));
    }
    return [];
  }
}

/**
 * Props of `StaticVolumeSet`.
 *
 * @stable
 */
export interface StaticVolumeSetProps extends StaticVolumeOptions {
  /**
   * The workload whose replicas get the volumes: a `StatefulWorkload`, or an engine preset
   * (`Cassandra`, `Postgres`, `Redis`, a preset of one's own) as it is. Its replicas and
   * `ordinals.start` decide which ordinals need a volume.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#stable-storage
   */
  readonly workload: IStatefulWorkloadOwner;

  /**
   * The claim template of the workload the volumes are for (the return value of
   * `addVolumeClaimTemplate()`, or an element of `workload.volumeClaimTemplates`). Each volume is
   * checked against the claim `<claim>-<statefulset>-<ordinal>` of its replica.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#volume-claim-templates
   * @default - the workload's only claim template (a preset's data claim `data`); required when
   * the workload has several
   */
  readonly claimTemplate?: VolumeClaimTemplate;

  /**
   * One source per replica, in ordinal order: `sources[0]` is for the first ordinal
   * (`ordinals.start`, usually 0). More sources than replicas are spare volumes for scaling out.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#types-of-persistent-volumes
   * @example
   * import { StaticVolumeSource } from 'cdk8s-stateful';
   *
   * // one local disk per replica: ordinal 0 on node-a, 1 on node-b, 2 on node-c
   * const sources = [
   *   StaticVolumeSource.local('/mnt/disks/ssd0', 'node-a'),
   *   StaticVolumeSource.local('/mnt/disks/ssd0', 'node-b'),
   *   StaticVolumeSource.local('/mnt/disks/ssd0', 'node-c'),
   * ];
   */
  readonly sources: StaticVolumeSource[];

  /**
   * The capacity of each volume. Must hold at least the claim template's request.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#capacity
   * @default - the claim template's request
   */
  readonly storage?: Size;

  /**
   * Volume names are `<namePrefix>-<ordinal>`. PersistentVolumes are cluster-wide, so the
   * default includes the namespace.
   *
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
   * @default - `<namespace>-<claim>-<statefulset>` (`<claim>-<statefulset>` without a namespace)
   */
  readonly namePrefix?: string;

  /**
   * Reserve each volume for its replica's claim `<claim>-<statefulset>-<ordinal>` with
   * `spec.claimRef`, so replica N always gets volume N and no other claim can take it.
   * Needs the workload's namespace.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#reserving-a-persistentvolume
   * @default false
   */
  readonly bindToClaims?: boolean;

  /**
   * Labels of the volumes (e.g. for a claim template's `selector`).
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#selector
   * @default - no labels
   */
  readonly labels?: { [key: string]: string };

  /**
   * Annotations of the volumes.
   *
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/
   * @default - only the Argo CD annotation (see `argoCdProtection`)
   */
  readonly annotations?: { [key: string]: string };
}

/**
 * Statically provisioned volumes for a StatefulSet's claim template, one per replica (ordinal),
 * matched to the template by class, size, access modes and volume mode: `html-pv-0` and
 * `html-pv-1` for claims `html-pvc-html-0` and `html-pvc-html-1`.
 *
 * Checked when the app is synthesized: a volume smaller than the claim, of another class,
 * lacking an access mode or of another volume mode is an error; fewer volumes than replicas is
 * an error when no volume can be provisioned for the rest (a class without provisioner, or
 * `storageClassName: ""`) and a warning otherwise.
 *
 * @stable
 */
export class StaticVolumeSet extends Construct {
  /** The workload the volumes are for. */
  public readonly workload: StatefulWorkload;
  /** The claim template the volumes are for. */
  public readonly claimTemplate: VolumeClaimTemplate;

  private readonly where: string;
  private readonly _volumes: StaticVolume[] = [];
  private readonly ordinals: number[] = [];
  private readonly labels?: { [key: string]: string };

  constructor(scope: Construct, id: string, props: StaticVolumeSetProps) {
    super(scope, id);
    AppIndex.watch(this);
    declareRole(this, 'storage');
    const where = `StaticVolumeSet '${this.node.path}'`;
    this.where = where;
    const workload = props.workload.workload;
    const templates = workload.volumeClaimTemplates;
    if (props.claimTemplate === undefined && templates.length !== 1) {
      throw fail(where, 'claimTemplate', 'unset',
        templates.length === 0
          ? `Must be a claim template of workload "${workload.name}", which has none yet: static volumes are for a StatefulSet's claims`
          : `Must be set: workload "${workload.name}" has ${templates.length} claim templates (${templates.map(t => show(t.name)).join(', ')})`,
        templates.length === 0
          ? 'Add the claim template (addVolumeClaimTemplate()) before the StaticVolumeSet'
          : 'Set \'claimTemplate\' to the template the volumes are for, e.g. one of workload.volumeClaimTemplates');
    }
    const template = props.claimTemplate ?? templates[0];
    this.workload = workload;
    this.claimTemplate = template;
    this.labels = props.labels;

    // ---- eager checks
    if (!templates.includes(template)) {
      throw fail(where, 'claimTemplate', template.name, `Must be a claim template of workload "${workload.name}"`,
        'Pass a template returned by the workload\'s addVolumeClaimTemplate() or from its volumeClaimTemplates');
    }
    if (props.sources.length === 0) {
      throw fail(where, 'sources', [], 'Must list one source per replica', 'Add a source for each ordinal');
    }
    const repeated = duplicates(props.sources.map(s => `${s.nodeName ?? ''}|${s.location}`))[0];
    if (repeated !== undefined) {
      const source = props.sources.find(s => `${s.nodeName ?? ''}|${s.location}` === repeated)!;
      throw fail(where, 'sources', source.nodeName ? `${source.nodeName}:${source.location}` : source.location,
        'Each replica needs its own storage: two volumes on the same storage would share (and corrupt) one replica\'s data',
        'Give every source its own path, handle or export');
    }
    const namespace = workload.namespaceName;
    const bind = props.bindToClaims ?? false;
    if (bind && namespace === undefined) {
      throw fail(where, 'bindToClaims', true,
        'A claim reference needs the claim\'s namespace, and the workload has none',
        'Set a namespace on the workload (metadata.namespace) or its chart, or remove \'bindToClaims\'');
    }
    const prefix = props.namePrefix ?? `${namespace ? `${namespace}-` : ''}${template.name}-${workload.name}`;
    const storageClass = props.storageClass
      ?? template.storageClass
      ?? (template.storageClassName !== undefined ? StorageClass.fromStorageClassName(this, 'StorageClass', template.storageClassName) : undefined);

    // ---- children
    props.sources.forEach((source, i) => {
      const ordinal = workload.startOrdinal + i;
      const volume = new StaticVolume(this, `Volume${ordinal}`, {
        metadata: { name: `${prefix}-${ordinal}`, labels: props.labels, annotations: props.annotations },
        storage: props.storage ?? template.storage,
        source,
        storageClass,
        accessModes: props.accessModes ?? template.accessModes,
        volumeMode: props.volumeMode ?? template.volumeMode,
        reclaimPolicy: props.reclaimPolicy,
        mountOptions: props.mountOptions,
        nodeLabels: props.nodeLabels,
        argoCdProtection: props.argoCdProtection,
      });
      if (bind) volume._reserveFor(template.claimName(ordinal), namespace!, where);
      this._volumes.push(volume);
      this.ordinals.push(ordinal);
    });

    // ---- deferred checks
    addValidationWithWarnings(this, () => AppIndex.of(this).memo(this, () => this.validateSet()));
  }

  /** The volumes, in ordinal order (a copy). */
  public get volumes(): StaticVolume[] {
    return [...this._volumes];
  }

  /** The volume names, in ordinal order. */
  public get volumeNames(): string[] {
    return this._volumes.map(v => v.name);
  }

  /**
   * The volume for one replica.
   *
   * @param ordinal the replica's ordinal
   */
  public volumeFor(ordinal: number): StaticVolume {
    const i = this.ordinals.indexOf(ordinal);
    if (i < 0) {
      throw fail(this.where, 'volumeFor(ordinal)', ordinal, `Must be an ordinal with a volume (${this.ordinals.join(', ')})`,
        'Pass the ordinal of a replica that has a source');
    }
    return this._volumes[i];
  }

  private validateSet(): string[] {
    const errors: string[] = [];
    const template = this.claimTemplate;
    const workload = this.workload;

    // each volume must satisfy its replica's claim
    this._volumes.forEach((volume, i) => {
      const ordinal = this.ordinals[i];
      const found = mismatches({
        label: `PersistentVolume "${volume.name}" (ordinal ${ordinal})`,
        storageQuantity: volume.storageQuantity,
        storageClassName: volume.storageClassName,
        accessModes: volume.accessModes,
        volumeMode: volume.volumeMode,
      }, {
        claimName: template.claimName(ordinal),
        storageQuantity: template.storageQuantity,
        storageClassName: template.storageClassName,
        accessModes: template.accessModes,
        volumeMode: template.volumeMode,
      });
      for (const m of found) errors.push(fail(this.where, m.prop, m.value, m.allowed, m.fix).message);
    });

    // a claim template with a selector only binds volumes whose labels match it
    if (template.selector) {
      const selector = template.selector._toKube();
      const labels = this.labels ?? {};
      if (!selectorMatches(selector, labels)) {
        errors.push(fail(this.where, 'labels', labels,
          `Must match the selector of claim template "${template.name}" (${show(selector)}): otherwise the claims never bind to these volumes`,
          'Give the volumes labels that match the selector, or remove the selector from the claim template').message);
      }
    }

    // every replica needs a volume
    const last = workload.startOrdinal + workload.replicas - 1;
    const missing: number[] = [];
    for (let o = workload.startOrdinal; o <= last; o++) {
      if (!this.ordinals.includes(o)) missing.push(o);
    }
    if (missing.length > 0) {
      const claims = missing.map(o => `"${template.claimName(o)}"`).join(', ');
      const pods = missing.map(o => `${workload.name}-${o}`).join(', ');
      const which = missing.length > 1 ? `claims ${claims} (ordinals ${missing.join(', ')})` : `claim ${claims} (ordinal ${missing[0]})`;
      const count = this._volumes.length;
      const needed = `Must list a source for each of the ${workload.replicas} replicas of "${workload.name}" (ordinals ${workload.startOrdinal} to ${last})`;
      const fix = `Add a source for ordinal${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, or lower 'replicas' of the workload to ${count}`;
      const many = missing.length > 1;
      const className = template.storageClassName;
      const cls = resolveStorageClass(this, className, template.storageClass);
      if (className === '' || (cls && !cls.dynamicProvisioning)) {
        const why = className === ''
          ? `claim template "${template.name}" has no class ("": only static volumes bind)`
          : `class "${className}" has no provisioner`;
        errors.push(fail(this.where, 'sources', count,
          `${needed}, and ${why}: ${which} get${many ? '' : 's'} no volume and pod${many ? 's' : ''} ${pods} stay${many ? '' : 's'} Pending`,
          fix).message);
      } else {
        const byWhom = className === undefined ? 'the cluster\'s default class' : `class "${className}"`;
        warn(this, WARNINGS.MISSING_STATIC_VOLUMES, warningMessage(this.where, 'sources', String(count),
          `${needed}: ${which} get${many ? '' : 's'} no static volume, so ${byWhom} must provision ${many ? 'them' : 'one'} dynamically, unlike ${many ? 'their' : 'its'} peers`,
          fix));
      }
    }

    // replicas on one node share its fate
    const byNode = new Map<string, number[]>();
    this._volumes.forEach((v, i) => {
      const node = v.source.nodeName;
      if (node !== undefined) byNode.set(node, [...byNode.get(node) ?? [], this.ordinals[i]]);
    });
    for (const [node, ordinals] of byNode) {
      if (ordinals.length > 1) {
        warn(this, WARNINGS.LOCAL_VOLUMES_SHARE_NODE, warningMessage(this.where, 'sources', show(node),
          `The local volumes of ordinals ${ordinals.join(', ')} are all on node "${node}": those replicas always run on that node and fail together`,
          'Put each replica\'s local volume on its own node'));
      }
    }
    return errors;
  }
}
