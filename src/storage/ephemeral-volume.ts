import { Size } from 'cdk8s';
import { EmptyDirMedium, PersistentVolumeAccessMode, PersistentVolumeMode, PersistentVolumeReclaimPolicy, Volume, k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AppIndex, resolveStorageClass } from '../private/app-index';
import { podVolume } from './private/pod-volume';
import { IStorageClass } from './storage-class';
import { quantityToBytes } from '../private/quantity';
import { checkAccessModes, checkStorage, mapOrUndefined } from '../private/storage-checks';
import { checkDns1123Label } from '../private/validation';
import { addValidationWithWarnings, warn, warningMessage, WARNINGS } from '../private/warnings';

/**
 * Options of `EphemeralVolume.memory()`.
 *
 * @stable
 */
export interface MemoryVolumeOptions {
  /**
   * The most the volume may hold. Files in it are RAM and count against the memory limit of the
   * container that writes them, so keep it well below that limit.
   *
   * @see https://kubernetes.io/docs/concepts/storage/volumes/#emptydir-configuration-example
   */
  readonly sizeLimit: Size;
}

/**
 * Options of `EphemeralVolume.generic()`.
 *
 * @stable
 */
export interface GenericEphemeralVolumeOptions {
  /**
   * The size of the volume each pod gets. Any unit: `Size.gibibytes(10)` renders `10Gi`.
   *
   * @see https://kubernetes.io/docs/concepts/storage/ephemeral-volumes/#generic-ephemeral-volumes
   */
  readonly storage: Size;

  /**
   * The class that provisions the volume. Use a class with reclaim policy `Delete`: with
   * `Retain`, every deleted pod leaves a released volume behind (a synth-time warning,
   * `cdk8s-stateful:ephemeral-volume-retain-class`, says so when the class, or without one the
   * app's only default class, is rendered by the app with `Retain`).
   *
   * @see https://kubernetes.io/docs/concepts/storage/ephemeral-volumes/#generic-ephemeral-volumes
   * @default - the storage class marked as default in the cluster is used
   */
  readonly storageClass?: IStorageClass;

  /**
   * The access modes of the volume.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes
   * @default [PersistentVolumeAccessMode.READ_WRITE_ONCE]
   */
  readonly accessModes?: PersistentVolumeAccessMode[];

  /**
   * A formatted file system or a raw block device. Always written out.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#volume-mode
   * @default PersistentVolumeMode.FILE_SYSTEM
   */
  readonly volumeMode?: PersistentVolumeMode;

  /**
   * Labels of the claims created for the pods.
   *
   * @see https://kubernetes.io/docs/concepts/storage/ephemeral-volumes/#generic-ephemeral-volumes
   * @default - no labels
   */
  readonly labels?: { [key: string]: string };

  /**
   * Annotations of the claims created for the pods.
   *
   * @see https://kubernetes.io/docs/concepts/storage/ephemeral-volumes/#generic-ephemeral-volumes
   * @default - no annotations
   */
  readonly annotations?: { [key: string]: string };
}

/**
 * Pod volumes whose data lives and dies with the pod, to compare with the per-replica claims
 * of a StatefulSet: scratch space that is fast (memory) or large (a provisioned volume).
 *
 * Both return a cdk8s-plus-27 `Volume`: mount it with `container.mount(path, volume)` or add it
 * with `StatefulWorkload.addVolume()` / a cdk8s-plus workload's `addVolume()`. Both are allowed
 * by the Pod Security Standards "restricted" profile.
 *
 * @see https://kubernetes.io/docs/concepts/storage/ephemeral-volumes/
 * @stable
 */
export class EphemeralVolume {
  /**
   * A memory-backed `emptyDir` (tmpfs) with a size limit: the fastest scratch space, emptied
   * when the pod stops. Files count against the writing container's memory limit; a synth-time
   * warning says when `sizeLimit` is not below the memory limit of a container that mounts it.
   *
   * Unlike cdk8s-plus-27's `Volume.fromEmptyDir()`, any size unit works (`512Ki`, `64Mi`, `1Gi`).
   *
   * @see https://kubernetes.io/docs/concepts/storage/volumes/#emptydir
   * @param name the volume name in the pod
   */
  public static memory(scope: Construct, id: string, name: string, options: MemoryVolumeOptions): Volume {
    const where = `EphemeralVolume '${scope.node.path}/${id}'`;
    checkDns1123Label(where, 'name', name);
    const sizeLimit = checkStorage(where, 'sizeLimit', options.sizeLimit);
    const volume = podVolume(scope, id, name, {
      emptyDir: { medium: EmptyDirMedium.MEMORY, sizeLimit: k8s.Quantity.fromString(sizeLimit) },
    });
    addValidationWithWarnings(volume, () => AppIndex.of(volume).memo(volume, () => checkMemoryLimits(volume, where, sizeLimit)));
    return volume;
  }

  /**
   * A generic ephemeral volume: a PersistentVolumeClaim created from a template for each pod
   * (`<pod>-<volume>`), provisioned by a storage class, and deleted with the pod. Large scratch
   * space, or a cache that may be lost; not for data that must survive the pod (use a volume
   * claim template for that).
   *
   * @see https://kubernetes.io/docs/concepts/storage/ephemeral-volumes/#generic-ephemeral-volumes
   * @param name the volume name in the pod
   */
  public static generic(scope: Construct, id: string, name: string, options: GenericEphemeralVolumeOptions): Volume {
    const where = `EphemeralVolume '${scope.node.path}/${id}'`;
    checkDns1123Label(where, 'name', name);
    const storage = checkStorage(where, 'storage', options.storage);
    const modes = options.accessModes ?? [PersistentVolumeAccessMode.READ_WRITE_ONCE];
    checkAccessModes(where, 'accessModes', modes);
    const labels = mapOrUndefined(options.labels);
    const annotations = mapOrUndefined(options.annotations);
    const volume = podVolume(scope, id, name, {
      ephemeral: {
        volumeClaimTemplate: {
          metadata: labels || annotations ? { labels, annotations } : undefined,
          spec: {
            accessModes: [...modes],
            resources: { requests: { storage: k8s.Quantity.fromString(storage) } },
            storageClassName: options.storageClass?.storageClassName,
            volumeMode: options.volumeMode ?? PersistentVolumeMode.FILE_SYSTEM,
          },
        },
      },
    });
    const storageClass = options.storageClass;
    addValidationWithWarnings(volume, () => AppIndex.of(volume).memo(volume, () => checkReclaimPolicy(volume, where, storageClass)));
    return volume;
  }

  private constructor() {
  }
}

/** Warns when a memory volume is not smaller than the memory limit of a container that mounts it. */
function checkMemoryLimits(volume: Volume, where: string, sizeLimit: string): string[] {
  const limitBytes = quantityToBytes(sizeLimit)!;
  for (const consumer of AppIndex.of(volume).volumeUsers(volume.name)) {
    const spec = consumer.podSpec;
    const ours = (spec.volumes ?? []).some((v: any) => v.name === volume.name
      && v.emptyDir?.medium === EmptyDirMedium.MEMORY && v.emptyDir?.sizeLimit === sizeLimit);
    if (!ours) continue;
    for (const c of [...spec.initContainers ?? [], ...spec.containers ?? []]) {
      if (!(c.volumeMounts ?? []).some((m: any) => m.name === volume.name)) continue;
      const memory = c.resources?.limits?.memory;
      const memoryBytes = memory === undefined ? undefined : quantityToBytes(String(memory));
      if (memoryBytes !== undefined && limitBytes >= memoryBytes) {
        warn(volume, WARNINGS.MEMORY_VOLUME_EXCEEDS_LIMIT, warningMessage(where, 'sizeLimit', `"${sizeLimit}"`,
          `Files in a memory-backed volume count against the memory limit of the container that writes them, and container "${c.name}" of ${consumer.id} has a limit of ${memory}: it is OOM-killed before the volume fills`,
          'Lower \'sizeLimit\' well below the memory limit, or raise the container\'s memory limit'));
      }
    }
  }
  return [];
}

/**
 * Warns when the class of a generic ephemeral volume keeps its volumes (`Retain`): each new pod
 * gets a new claim, and the volume the deleted claim leaves is Released and never reused. The
 * class is the one given (resolved in the app by name for an imported class) or, without one, the
 * one class the app marks default; a class the app does not render is not known.
 */
function checkReclaimPolicy(volume: Volume, where: string, given: IStorageClass | undefined): string[] {
  const cls = given ? resolveStorageClass(volume, given.storageClassName, given) : AppIndex.of(volume).defaultStorageClass();
  if (cls?.reclaimPolicy !== PersistentVolumeReclaimPolicy.RETAIN) return [];
  warn(volume, WARNINGS.EPHEMERAL_VOLUME_RETAIN_CLASS, warningMessage(where, 'storageClass',
    given ? `"${cls.storageClassName}"` : `not set, so the app's default class "${cls.storageClassName}"`,
    'The class has reclaim policy Retain: every new pod (rollout, eviction, rescheduling) gets a new claim, and the volume of the claim deleted with the old pod is Released and never bound again, so storage leaks with every pod replaced',
    'Give the volume a class with reclaim policy Delete (\'reclaimPolicy: PersistentVolumeReclaimPolicy.DELETE\'), or use a volume claim template for data that must be kept'));
  return [];
}
