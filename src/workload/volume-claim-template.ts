import { Size } from 'cdk8s';
import {
  IPersistentVolumeClaim,
  IStorage,
  LabelSelector,
  PersistentVolumeAccessMode,
  PersistentVolumeMode,
  Volume,
  k8s,
} from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { claimProblems, throwFirst } from '../private/pod-rules';
import { toQuantity, kibibytes } from '../private/quantity';
import { checkDns1123Label, fail } from '../private/validation';
import type { IStorageClass } from '../storage/storage-class';

/**
 * Where a new claim's volume is populated from.
 *
 * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#volume-populators-and-data-sources
 * @stable
 */
export class ClaimDataSource {
  /**
   * Restore from a `VolumeSnapshot` (snapshot.storage.k8s.io) in the same namespace.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#volume-snapshot-and-restore-volume-from-snapshot-support
   */
  public static fromSnapshot(snapshotName: string): ClaimDataSource {
    return new ClaimDataSource('VolumeSnapshot', snapshotName, 'snapshot.storage.k8s.io');
  }

  /**
   * Clone an existing PersistentVolumeClaim in the same namespace (CSI volume cloning).
   *
   * @see https://kubernetes.io/docs/concepts/storage/volume-pvc-datasource/
   */
  public static fromClaim(claimName: string): ClaimDataSource {
    return new ClaimDataSource('PersistentVolumeClaim', claimName);
  }

  /**
   * Any populator object, e.g. a custom resource handled by a volume populator.
   *
   * @param kind the kind of the source object, e.g. `VolumeSnapshot`
   * @param name the name of the source object
   * @param apiGroup the API group of the object; leave out for the core group
   */
  public static of(kind: string, name: string, apiGroup?: string): ClaimDataSource {
    return new ClaimDataSource(kind, name, apiGroup);
  }

  /** The kind of the source object. */
  public readonly kind: string;
  /** The name of the source object. */
  public readonly name: string;
  /** The API group; undefined for the core group. */
  public readonly apiGroup?: string;

  private constructor(kind: string, name: string, apiGroup?: string) {
    this.kind = kind;
    this.name = name;
    this.apiGroup = apiGroup;
  }
}

/**
 * Options of a volume claim template: the per-replica PersistentVolumeClaim of a StatefulSet.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#volume-claim-templates
 * @stable
 */
export interface VolumeClaimTemplateOptions {
  /**
   * The claim name. Each replica gets a claim named `<name>-<statefulset>-<ordinal>`, and
   * containers mount it under this name. Immutable once the StatefulSet exists.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#persistentvolumeclaim-retention
   */
  readonly name: string;

  /**
   * The requested size of each replica's volume. Any unit works: `Size.kibibytes(16)` renders
   * `16Ki`, `Size.mebibytes(512)` renders `512Mi`, `Size.gibibytes(1)` renders `1Gi`.
   *
   * Immutable in the template: see "Growing a claim template's volumes" in docs/storage.md.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#resources
   */
  readonly storage: Size;

  /**
   * Mount the claim at this path in every (non-init) container of the workload.
   * For finer control (some containers, several paths, sub paths, read-only, init containers) use
   * `container.mount(path, template)` instead or as well.
   *
   * @see https://kubernetes.io/docs/concepts/storage/volumes/#using-subpath
   * @default - not mounted automatically
   */
  readonly mountPath?: string;

  /**
   * Attach the claim as a raw block device at this path in every (non-init) container. Only for
   * `volumeMode: PersistentVolumeMode.BLOCK`, whose volumes are devices, not file systems.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#raw-block-volume-support
   * @default - not attached automatically
   */
  readonly devicePath?: string;

  /**
   * The storage class of the volumes, as an object: a `StorageClass` of this app, or
   * `StorageClass.fromStorageClassName()` for one that exists in the cluster. Checks such as
   * `StaticVolumeSet`'s then know whether the class can provision volumes. Cannot be combined
   * with `storageClassName`.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#class-1
   * @default - `storageClassName`, or the storage class marked as default in the cluster
   */
  readonly storageClass?: IStorageClass;

  /**
   * The name of the storage class of the volumes, for a class that exists in the cluster (e.g.
   * `gp3`). An empty string asks for a volume without a class (statically provisioned volumes
   * only). Cannot be combined with `storageClass`.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#class-1
   * @default - the storage class marked as default in the cluster is used
   */
  readonly storageClassName?: string;

  /**
   * Access modes the volumes must support. `READ_WRITE_ONCE_POD` (CSI volumes only) cannot be
   * combined with other modes.
   *
   * `fsGroup` (1000 by default on a `StatefulWorkload`) does not make a shared volume writable
   * everywhere: the kubelet changes ownership only where the volume plugin supports it, which NFS
   * and most ReadWriteMany (NAS) CSI drivers do not (CSIDriver `fsGroupPolicy` `None`, or the
   * default `ReadWriteOnceWithFSType`, which skips volumes that are not ReadWriteOnce). Files stay
   * owned by the uid that wrote them. Run the pods as the share's owner
   * (`securityContext: { user, group }`), or make the export squash every client to the app's uid
   * (e.g. `all_squash,anonuid=999,anongid=999`); see "Shared volumes written by another uid" in
   * docs/storage.md.
   *
   * @see https://kubernetes-csi.github.io/docs/support-fsgroup.html
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes
   * @default [PersistentVolumeAccessMode.READ_WRITE_ONCE]
   */
  readonly accessModes?: PersistentVolumeAccessMode[];

  /**
   * Whether the volume is a formatted file system or a raw block device. Always written out, so
   * Argo CD does not see the API server's default as drift.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#volume-mode
   * @default PersistentVolumeMode.FILE_SYSTEM
   */
  readonly volumeMode?: PersistentVolumeMode;

  /**
   * Only bind to persistent volumes whose labels match this selector.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#selector
   * @default - any volume of the storage class can be bound
   */
  readonly selector?: LabelSelector;

  /**
   * Populate new volumes from a snapshot, another claim or a volume populator.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#volume-populators-and-data-sources
   * @default - new volumes start empty
   */
  readonly dataSource?: ClaimDataSource;

  /**
   * Labels of the claims.
   *
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/
   * @default - no labels
   */
  readonly labels?: { [key: string]: string };

  /**
   * Annotations of the claims.
   *
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/
   * @default - no annotations
   */
  readonly annotations?: { [key: string]: string };
}

/**
 * Props of `VolumeClaimTemplate`.
 *
 * @stable
 */
export interface VolumeClaimTemplateProps extends VolumeClaimTemplateOptions {
  /**
   * The name of the StatefulSet the template belongs to, used for `claimName()`.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#stable-storage
   */
  readonly statefulSetName: string;

  /**
   * The first ordinal of the StatefulSet.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#start-ordinal
   * @default 0
   */
  readonly startOrdinal?: number;
}

/**
 * A volume claim template of a StatefulSet: one PersistentVolumeClaim per replica, named
 * `<claim>-<statefulset>-<ordinal>`, that survives rescheduling and (by default) deletion.
 *
 * Create it with `StatefulWorkload.addVolumeClaimTemplate()` or the `volumeClaimTemplates` prop.
 * It is also a cdk8s-plus `IStorage`, so `container.mount(path, template)` mounts it.
 *
 * @stable
 */
export class VolumeClaimTemplate extends Construct implements IStorage {
  /** The claim name used in the template and by volume mounts. */
  public readonly name: string;
  /** The requested size. */
  public readonly storage: Size;
  /** The storage class name, if any (from `storageClass` or `storageClassName`). */
  public readonly storageClassName?: string;
  /** The storage class object, when one was given. */
  public readonly storageClass?: IStorageClass;
  /** The label selector volumes must match, if any. */
  public readonly selector?: LabelSelector;
  /** The path every container mounts the claim at, if any. */
  public readonly mountPath?: string;
  /** The path every container attaches the block device at, if any. */
  public readonly devicePath?: string;
  /** The volume mode. */
  public readonly volumeMode: PersistentVolumeMode;
  /** The name of the StatefulSet. */
  public readonly statefulSetName: string;

  private readonly _accessModes: PersistentVolumeAccessMode[];
  private readonly dataSource?: ClaimDataSource;
  private readonly labels?: { [key: string]: string };
  private readonly annotations?: { [key: string]: string };
  private readonly startOrdinal: number;
  private _volume?: Volume;

  constructor(scope: Construct, id: string, props: VolumeClaimTemplateProps) {
    super(scope, id);
    const where = `VolumeClaimTemplate '${this.node.path}'`;

    checkDns1123Label(where, 'name', props.name);
    const kib = kibibytes(props.storage);
    if (kib <= 0) {
      throw fail(where, 'storage', `${kib}Ki`, 'Must be larger than zero',
        `Set 'storage' of claim "${props.name}" to a size such as Size.gibibytes(1)`);
    }
    if (toQuantity(props.storage) === undefined) {
      throw fail(where, 'storage', `${kib}Ki`, 'Must be a whole number of kibibytes',
        `Set 'storage' of claim "${props.name}" to a whole number of Ki, Mi or Gi`);
    }
    const modes = props.accessModes ?? [PersistentVolumeAccessMode.READ_WRITE_ONCE];
    if (modes.length === 0) {
      throw fail(where, 'accessModes', modes, 'Must name at least one access mode',
        `Leave 'accessModes' of claim "${props.name}" out for ReadWriteOnce, or list the modes you need`);
    }
    if (modes.includes(PersistentVolumeAccessMode.READ_WRITE_ONCE_POD) && modes.length > 1) {
      throw fail(where, 'accessModes', modes, 'ReadWriteOncePod cannot be combined with other access modes',
        `Use [PersistentVolumeAccessMode.READ_WRITE_ONCE_POD] alone for claim "${props.name}"`);
    }
    if (props.storageClass && props.storageClassName !== undefined) {
      throw fail(where, 'storageClassName', props.storageClassName, 'Cannot be combined with \'storageClass\'',
        `Set either 'storageClass' or 'storageClassName' of claim "${props.name}"`);
    }
    if (props.mountPath !== undefined && !props.mountPath.startsWith('/')) {
      throw fail(where, 'mountPath', props.mountPath, 'Must be an absolute path',
        `Set 'mountPath' of claim "${props.name}" to a path such as "/data"`);
    }
    const block = props.volumeMode === PersistentVolumeMode.BLOCK;
    if (block && props.mountPath !== undefined) {
      throw fail(where, 'mountPath', props.mountPath, 'A Block volume is a raw device and cannot be mounted as a file system',
        `Use 'devicePath' for claim "${props.name}", or volumeMode FILE_SYSTEM`);
    }
    if (props.devicePath !== undefined && !block) {
      throw fail(where, 'devicePath', props.devicePath, 'Only Block volumes are attached as devices',
        `Set 'volumeMode' of claim "${props.name}" to PersistentVolumeMode.BLOCK, or use 'mountPath'`);
    }
    if (props.devicePath !== undefined && !props.devicePath.startsWith('/')) {
      throw fail(where, 'devicePath', props.devicePath, 'Must be an absolute path',
        `Set 'devicePath' of claim "${props.name}" to a path such as "/dev/xvda"`);
    }

    this.name = props.name;
    this.storage = props.storage;
    this.storageClass = props.storageClass;
    this.storageClassName = props.storageClass?.storageClassName ?? props.storageClassName;
    this.mountPath = props.mountPath;
    this.devicePath = props.devicePath;
    this.volumeMode = props.volumeMode ?? PersistentVolumeMode.FILE_SYSTEM;
    this.statefulSetName = props.statefulSetName;
    this._accessModes = [...modes];
    this.selector = props.selector;
    this.dataSource = props.dataSource;
    this.labels = props.labels;
    this.annotations = props.annotations;
    this.startOrdinal = props.startOrdinal ?? 0;
    // what the API server would refuse in a claim (a StatefulSet's templates are not checked until
    // the controller creates the claims)
    throwFirst(where, claimProblems(k8s.toJson_KubePersistentVolumeClaimProps(this._toKube()) ?? {}));
  }

  /** The access modes (a copy). */
  public get accessModes(): PersistentVolumeAccessMode[] {
    return [...this._accessModes];
  }

  /** The storage request as a Kubernetes quantity, e.g. `16Ki` or `1Gi`. */
  public get storageQuantity(): string {
    return toQuantity(this.storage)!;
  }

  /**
   * The name of the claim the StatefulSet controller creates for one replica:
   * `<claim>-<statefulset>-<ordinal>`.
   *
   * @param ordinal the replica's ordinal (index + `ordinals.start`)
   */
  public claimName(ordinal: number): string {
    return `${this.name}-${this.statefulSetName}-${ordinal}`;
  }

  /**
   * The claim name of the replica at position `index` (0-based, independent of `ordinals.start`).
   * @internal
   */
  public _claimNameAt(index: number): string {
    return this.claimName(this.startOrdinal + index);
  }

  /**
   * The volume containers use to mount this claim (a volume of the same name as the claim; the
   * StatefulSet controller supplies it, so it is never written to the pod's `volumes`).
   */
  public asVolume(): Volume {
    if (!this._volume) {
      const claim: IPersistentVolumeClaim = new ClaimReference(this, 'Claim', this.name);
      this._volume = Volume.fromPersistentVolumeClaim(this, 'Volume', claim, { name: this.name });
    }
    return this._volume;
  }

  /** @internal */
  public _isVolume(volume: Volume): boolean {
    return this._volume === volume;
  }

  /** @internal */
  public _toKube(): k8s.KubePersistentVolumeClaimProps {
    const labels = this.labels && Object.keys(this.labels).length > 0 ? { ...this.labels } : undefined;
    const annotations = this.annotations && Object.keys(this.annotations).length > 0 ? { ...this.annotations } : undefined;
    // StatefulWorkload adds `apiVersion: v1` and `kind: PersistentVolumeClaim`, which the L1 type lacks.
    return {
      metadata: { name: this.name, labels, annotations },
      spec: {
        accessModes: [...this._accessModes],
        resources: { requests: { storage: k8s.Quantity.fromString(this.storageQuantity) } },
        storageClassName: this.storageClassName,
        volumeMode: this.volumeMode,
        selector: this.selector?._toKube(),
        dataSource: this.dataSource
          ? { apiGroup: this.dataSource.apiGroup, kind: this.dataSource.kind, name: this.dataSource.name }
          : undefined,
      },
    };
  }
}

/** A claim known only by name, so cdk8s-plus can build a `Volume` for it. */
class ClaimReference extends Construct implements IPersistentVolumeClaim {
  public readonly apiVersion = 'v1';
  public readonly apiGroup = '';
  public readonly kind = 'PersistentVolumeClaim';
  public readonly resourceType = 'persistentvolumeclaims';
  constructor(scope: Construct, id: string, public readonly name: string) {
    super(scope, id);
  }
}
