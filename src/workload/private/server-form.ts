import { podTemplatesOf } from '../../private/pod-security';
import { canonicalQuantity } from '../../private/quantity';

/**
 * Rendered Kubernetes JSON in the form the API server stores it, so that an object read back after
 * an apply equals what was rendered, field for field, and Argo CD does not show it OutOfSync.
 *
 * Two things differ otherwise (checked by applying the examples to a 1.27 API server):
 * - quantities: the server stores `resource.Quantity` in canonical form (`1000m` -> `1`,
 *   `2048Mi` -> `2Gi`, see `canonicalQuantity()`);
 * - zero values: the server drops a field that holds its zero value when the Go field is not a
 *   pointer and is tagged `omitempty` (k8s.io/api). A pointer field (`*bool`, `*int32`) keeps an
 *   explicit zero: `automountServiceAccountToken: false`, `privileged: false`,
 *   `readOnlyRootFilesystem: false`, `allowPrivilegeEscalation: false`,
 *   `rollingUpdate.partition: 0`, `revisionHistoryLimit: 0`, `replicas: 0`, `runAsUser: 0`,
 *   `terminationGracePeriodSeconds: 0`, `allowVolumeExpansion: false`, `csi.readOnly`,
 *   `azureDisk.readOnly` and `optional: false` are stored as written and stay. So do fields
 *   without `omitempty` (`ordinals.start: 0`, `maxSkew`).
 *
 * The helpers edit freshly rendered JSON in place (no copy) and return it.
 */

/** Sets each quantity of a `{ name: quantity }` map (resources, capacity) to its stored form. */
export function canonicalQuantities<T extends Record<string, any> | undefined>(values: T): T {
  if (values) for (const key of Object.keys(values)) values[key] = canonicalQuantity(values[key]);
  return values;
}

/** Probe fields: `int32` with `omitempty` in core/v1 `Probe`; 0 is dropped. */
const PROBE_COUNTS = ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'];

/**
 * A container (`toJson_Container()` output) as the server stores it: canonical resource
 * quantities, and none of these zero values, all non-pointer `omitempty` fields of core/v1:
 * `workingDir: ""`, `stdin`/`stdinOnce`/`tty: false` (Container), `env[].value: ""` (EnvVar),
 * `ports[].hostPort: 0` (ContainerPort), `volumeMounts[].readOnly: false` and `subPath: ""`
 * (VolumeMount), the probe counts at 0 (Probe), and empty lists (`command: []`, `args: []`: every
 * list of a Container is a slice with omitempty).
 */
export function serverFormContainer(container: any): any {
  for (const key of Object.keys(container)) {
    if (Array.isArray(container[key]) && container[key].length === 0) delete container[key];
  }
  if (container.resources) {
    canonicalQuantities(container.resources.limits);
    canonicalQuantities(container.resources.requests);
  }
  dropZero(container, 'workingDir', '');
  dropZero(container, 'stdin', false);
  dropZero(container, 'stdinOnce', false);
  dropZero(container, 'tty', false);
  for (const e of container.env ?? []) dropZero(e, 'value', '');
  for (const p of container.ports ?? []) dropZero(p, 'hostPort', 0);
  for (const m of container.volumeMounts ?? []) {
    dropZero(m, 'readOnly', false);
    dropZero(m, 'subPath', '');
  }
  for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
    if (probe) for (const key of PROBE_COUNTS) dropZero(probe, key, 0);
  }
  return container;
}

/** Volume sources whose `readOnly` is a `*bool` (kept when false); every other one is a `bool` with `omitempty`. */
const READ_ONLY_POINTER_SOURCES = new Set(['csi', 'azureDisk']);

/**
 * A pod volume (`toJson_Volume()` output) as the server stores it: `readOnly: false` left out of
 * sources where it is a plain `bool` with `omitempty` (`persistentVolumeClaim`, which cdk8s-plus-27's
 * `Volume.fromPersistentVolumeClaim()` renders, `awsElasticBlockStore`, `gcePersistentDisk`, `nfs`, ...),
 * and canonical `emptyDir.sizeLimit` and generic ephemeral storage requests (cdk8s-plus-27 renders
 * a `sizeLimit` of 1 GiB as `1024Mi`, stored as `1Gi`).
 */
export function serverFormVolume(volume: any): any {
  for (const [source, config] of Object.entries<any>(volume)) {
    if (config && typeof config === 'object' && !READ_ONLY_POINTER_SOURCES.has(source)) dropZero(config, 'readOnly', false);
  }
  if (volume.emptyDir?.sizeLimit !== undefined) volume.emptyDir.sizeLimit = canonicalQuantity(volume.emptyDir.sizeLimit);
  const claim = volume.ephemeral?.volumeClaimTemplate?.spec?.resources;
  if (claim) {
    canonicalQuantities(claim.requests);
    canonicalQuantities(claim.limits);
  }
  return volume;
}

/**
 * A pod spec as the server stores it: `hostNetwork`, `hostPID` and `hostIPC` false left out
 * (bools with omitempty in core/v1 PodSpec; `shareProcessNamespace` and `setHostnameAsFQDN` are
 * `*bool` and stay), its containers and volumes as `serverFormContainer()` and
 * `serverFormVolume()` render them.
 */
export function serverFormPodSpec(spec: any): any {
  for (const key of ['hostNetwork', 'hostPID', 'hostIPC']) dropZero(spec, key, false);
  for (const c of [...spec.initContainers ?? [], ...spec.containers ?? []]) serverFormContainer(c);
  for (const v of spec.volumes ?? []) serverFormVolume(v);
  return spec;
}

/** Kinds whose `spec.minReadySeconds` is an `int32` with omitempty (apps/v1). */
const MIN_READY_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/**
 * A rendered workload manifest (a cdk8s-plus-27 Deployment, Job, CronJob, ...) as the server
 * stores it, for helpers that post-process workloads the library does not build itself:
 * cdk8s-plus-27 writes `minReadySeconds: 0` (Deployment) and `hostNetwork: false` (every pod
 * spec), and `paused: false` is dropped too (DeploymentSpec, a bool with omitempty); every pod
 * template as `serverFormPodSpec()`.
 */
export function serverFormManifest(manifest: any): any {
  if (manifest.spec && MIN_READY_KINDS.has(manifest.kind)) dropZero(manifest.spec, 'minReadySeconds', 0);
  if (manifest.kind === 'Deployment' && manifest.spec) dropZero(manifest.spec, 'paused', false);
  for (const template of podTemplatesOf(manifest)) if (template.spec) serverFormPodSpec(template.spec);
  return manifest;
}

function dropZero(obj: any, key: string, zero: unknown): void {
  if (obj[key] === zero) delete obj[key];
}
