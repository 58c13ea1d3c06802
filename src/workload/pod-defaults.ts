import { ApiObject, Size } from 'cdk8s';
import { AbstractPod, Container, ContainerProps, ContainerResources, Cpu, FsGroupChangePolicy, ImagePullPolicy } from 'cdk8s-plus-27';
import { podTemplatesOf } from '../private/pod-security';
import { kibibytes, parseQuantity, toQuantity } from '../private/quantity';
import { serverFormManifest } from './private/server-form';
import { checkInteger, fail } from '../private/validation';

/**
 * The secure pod defaults of this library, each overridable on its own.
 *
 * `StatefulWorkload` takes them as `podDefaults`; `PodDefaults.harden()` applies them to any
 * cdk8s-plus-27 workload. What the Pod Security Standards "restricted" profile requires
 * (`runAsNonRoot`, seccomp `RuntimeDefault`, no privilege escalation, every capability dropped) is
 * not an option: it is always applied.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 * @stable
 */
export interface PodDefaultsOptions {
  /**
   * The CPU request of a container that sets no resources.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
   * @default - Cpu.millis(250), or `cpuLimit` when that is lower
   */
  readonly cpuRequest?: Cpu;

  /**
   * The CPU limit of a container that sets no resources. None by default: a CPU limit throttles a
   * database under load even when the node has idle CPU.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#how-pods-with-resource-limits-are-run
   * @default - no CPU limit
   */
  readonly cpuLimit?: Cpu;

  /**
   * The memory request of a container that sets no resources.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
   * @default - Size.mebibytes(512), or `memoryLimit` when that is lower
   */
  readonly memoryRequest?: Size;

  /**
   * The memory limit of a container that sets no resources.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#requests-and-limits
   * @default Size.mebibytes(512)
   */
  readonly memoryLimit?: Size;

  /**
   * The group that owns the pod's volumes (`securityContext.fsGroup`), when the pod sets none.
   *
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-the-security-context-for-a-pod
   * @default 1000
   */
  readonly fsGroup?: number;

  /**
   * When the kubelet changes the ownership of the pod's volumes to `fsGroup`.
   *
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#configure-volume-permission-and-ownership-change-policy-for-pods
   * @default FsGroupChangePolicy.ON_ROOT_MISMATCH
   */
  readonly fsGroupChangePolicy?: FsGroupChangePolicy;

  /**
   * Mount the containers' root file systems read-only.
   *
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;

  /**
   * Mount a writable emptyDir volume named `tmp` at `/tmp` in every container that mounts nothing
   * there, since the root file system is read-only.
   *
   * @see https://kubernetes.io/docs/concepts/storage/volumes/#emptydir
   * @default true
   */
  readonly writableTmp?: boolean;

  /**
   * When the kubelet pulls the containers' images.
   *
   * @see https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy
   * @default ImagePullPolicy.IF_NOT_PRESENT
   */
  readonly imagePullPolicy?: ImagePullPolicy;

  /**
   * Mount the service account's API token into the pods. Off by default: a token the pod does not
   * need is a token that can leak.
   *
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
}

const DEFAULT_CPU_REQUEST = Cpu.millis(250);
const DEFAULT_MEMORY = Size.mebibytes(512);
/** The name of the writable emptyDir mounted at /tmp. */
const TMP_VOLUME = 'tmp';
/** cdk8s-plus-27's container resources when a container sets none, as it renders them. */
const KPLUS_DEFAULT_RESOURCES = JSON.stringify({ limits: { cpu: '1500m', memory: '2048Mi' }, requests: { cpu: '1000m', memory: '512Mi' } });
/** Capabilities the restricted profile allows adding. */
const ADDABLE_CAPABILITIES = ['NET_BIND_SERVICE'];
const SECCOMP_TYPES = ['RuntimeDefault', 'Localhost'];

/** The defaults each hardened workload's API object renders with (set again by a second `harden()`). */
const HARDENED = new WeakMap<ApiObject, PodDefaults>();

/**
 * The secure pod defaults, resolved: one home for what `StatefulWorkload` renders and what
 * `PodDefaults.harden()` applies to cdk8s-plus-27 workloads.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 * @stable
 */
export class PodDefaults {
  /**
   * Makes a cdk8s-plus-27 workload (Deployment, Job, CronJob, StatefulSet, DaemonSet, Pod) meet
   * the Pod Security Standards "restricted" profile with this library's defaults, in place.
   *
   * The pod gets `runAsNonRoot`, seccomp `RuntimeDefault`, `fsGroup` (with its change policy) and
   * `automountServiceAccountToken`; every container and init container gets
   * `allowPrivilegeEscalation: false`, `capabilities.drop: ["ALL"]` (added names lose cdk8s-plus's
   * `CAP_` prefix), a read-only root file system with a writable emptyDir at `/tmp`, the image
   * pull policy and, when it sets no resources, the resource defaults. The defaults are applied
   * when the workload is rendered, so containers, volumes and JSON patches added after this call
   * are covered too.
   *
   * Precedence: what the workload sets wins over `options`, which win over the library defaults.
   * cdk8s-plus-27 writes its own defaults into every workload and they cannot be told apart from
   * values written by hand, so a value equal to cdk8s-plus-27's default counts as unset: the
   * `Always` pull policy, the resources `1`/`1500m` CPU and `512Mi`/`2048Mi` memory, a read-only
   * root file system, `fsGroupChangePolicy: Always` and `automountServiceAccountToken: false`.
   * Pass `options` to keep such a value (e.g. `imagePullPolicy: ImagePullPolicy.ALWAYS`).
   *
   * Fails (at render time, and at once for what the workload already sets) when the workload asks
   * for what the profile forbids: privileged containers, privilege escalation, root, running as
   * non-root turned off, capabilities other than NET_BIND_SERVICE, host network, hostPath volumes,
   * a seccomp profile other than RuntimeDefault or Localhost.
   *
   * @param workload the cdk8s-plus-27 workload to harden
   * @param options defaults to use instead of the library's, field by field
   * @returns the defaults applied
   * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
   */
  public static harden(workload: AbstractPod, options: PodDefaultsOptions = {}): PodDefaults {
    const defaults = new PodDefaults(options);
    defaults.applyTo(workload);
    return defaults;
  }

  /** The CPU request of a container that sets no resources. */
  public readonly cpuRequest: Cpu;
  /** The CPU limit of a container that sets no resources; none when undefined. */
  public readonly cpuLimit?: Cpu;
  /** The memory request of a container that sets no resources. */
  public readonly memoryRequest: Size;
  /** The memory limit of a container that sets no resources. */
  public readonly memoryLimit: Size;
  /** The pod's `fsGroup` when the pod sets none. */
  public readonly fsGroup: number;
  /** The pod's `fsGroupChangePolicy` when the pod sets none. */
  public readonly fsGroupChangePolicy: FsGroupChangePolicy;
  /** Whether the containers' root file systems are read-only. */
  public readonly readOnlyRootFilesystem: boolean;
  /** Whether every container gets a writable emptyDir at `/tmp`. */
  public readonly writableTmp: boolean;
  /** The containers' image pull policy. */
  public readonly imagePullPolicy: ImagePullPolicy;
  /** Whether the service account token is mounted. */
  public readonly automountServiceAccountToken: boolean;

  /**
   * @param options defaults to use instead of the library's, field by field
   */
  constructor(options: PodDefaultsOptions = {}) {
    const where = 'PodDefaults';
    checkInteger(where, 'fsGroup', options.fsGroup, 0);
    const cpuValue = (cpu: Cpu) => parseQuantity(cpu.amount);
    for (const [prop, cpu] of [['cpuRequest', options.cpuRequest], ['cpuLimit', options.cpuLimit]] as Array<[string, Cpu | undefined]>) {
      const value = cpu && cpuValue(cpu);
      if (cpu && (value === undefined || value <= 0)) {
        throw fail(where, prop, cpu.amount, 'Must be a CPU quantity above zero', `Set '${prop}' to a value such as Cpu.millis(250)`);
      }
    }
    for (const [prop, size] of [['memoryRequest', options.memoryRequest], ['memoryLimit', options.memoryLimit]] as Array<[string, Size | undefined]>) {
      if (size && (toQuantity(size) === undefined || kibibytes(size) <= 0)) {
        throw fail(where, prop, `${kibibytes(size)}Ki`, 'Must be a whole number of kibibytes above zero', `Set '${prop}' to a value such as Size.mebibytes(512)`);
      }
    }

    this.cpuLimit = options.cpuLimit;
    this.cpuRequest = options.cpuRequest
      ?? (options.cpuLimit && cpuValue(options.cpuLimit)! < cpuValue(DEFAULT_CPU_REQUEST)! ? options.cpuLimit : DEFAULT_CPU_REQUEST);
    this.memoryLimit = options.memoryLimit ?? DEFAULT_MEMORY;
    this.memoryRequest = options.memoryRequest
      ?? (kibibytes(this.memoryLimit) < kibibytes(DEFAULT_MEMORY) ? this.memoryLimit : DEFAULT_MEMORY);
    if (this.cpuLimit && cpuValue(this.cpuRequest)! > cpuValue(this.cpuLimit)!) {
      throw fail(where, 'cpuRequest', this.cpuRequest.amount, `Must not exceed 'cpuLimit' (${this.cpuLimit.amount})`, 'Lower \'cpuRequest\' or raise \'cpuLimit\'');
    }
    if (kibibytes(this.memoryRequest) > kibibytes(this.memoryLimit)) {
      throw fail(where, 'memoryRequest', toQuantity(this.memoryRequest), `Must not exceed 'memoryLimit' (${toQuantity(this.memoryLimit)})`,
        'Lower \'memoryRequest\' or raise \'memoryLimit\'');
    }
    this.fsGroup = options.fsGroup ?? 1000;
    this.fsGroupChangePolicy = options.fsGroupChangePolicy ?? FsGroupChangePolicy.ON_ROOT_MISMATCH;
    this.readOnlyRootFilesystem = options.readOnlyRootFilesystem ?? true;
    this.writableTmp = options.writableTmp ?? true;
    this.imagePullPolicy = options.imagePullPolicy ?? ImagePullPolicy.IF_NOT_PRESENT;
    this.automountServiceAccountToken = options.automountServiceAccountToken ?? false;
  }

  /**
   * Applies these defaults to a cdk8s-plus-27 workload, in place; see `PodDefaults.harden()`.
   * Applying other defaults to the same workload later replaces these.
   *
   * @param workload the cdk8s-plus-27 workload to harden
   */
  public applyTo(workload: AbstractPod): void {
    const apiObject = ApiObject.of(workload);
    const where = `PodDefaults '${workload.node.path}'`;
    // what the workload already asks for fails now, not at synthesis
    checkRestricted(where, modelPodSpec(workload));
    if (!HARDENED.has(apiObject)) {
      // rendered, patched Kubernetes JSON in, hardened JSON out: sees every container and patch
      const render = apiObject.toJson.bind(apiObject);
      Object.defineProperty(apiObject, 'toJson', {
        configurable: true,
        writable: true,
        value: () => HARDENED.get(apiObject)!._hardenManifest(render(), where),
      });
    }
    HARDENED.set(apiObject, this);
  }

  /**
   * The container resources of a container that sets none, in cdk8s-plus-27's typed form.
   *
   * @internal
   */
  public _resources(): ContainerResources {
    return {
      cpu: { request: this.cpuRequest, limit: this.cpuLimit },
      memory: { request: this.memoryRequest, limit: this.memoryLimit },
    };
  }

  /**
   * Container props with these defaults where the props set nothing.
   *
   * @internal
   */
  public _containerProps(props: ContainerProps): ContainerProps {
    const readOnly = props.securityContext?.readOnlyRootFilesystem ?? this.readOnlyRootFilesystem;
    return {
      ...props,
      resources: props.resources ?? this._resources(),
      imagePullPolicy: props.imagePullPolicy ?? this.imagePullPolicy,
      securityContext: readOnly === (props.securityContext?.readOnlyRootFilesystem ?? true)
        ? props.securityContext
        : { ...props.securityContext, readOnlyRootFilesystem: readOnly },
    };
  }

  /**
   * A rendered manifest (Deployment, Job, CronJob, StatefulSet, DaemonSet, Pod, ...) with these
   * defaults applied to its pod template; throws when it asks for what the profile forbids.
   *
   * @internal
   */
  public _hardenManifest(manifest: any, where: string): any {
    for (const template of podTemplatesOf(manifest)) {
      checkRestricted(where, template.spec);
      this.hardenPodSpec(template.spec, where);
    }
    // calm under Argo CD: what the API server stores (no dropped zero values, canonical quantities)
    serverFormManifest(manifest);
    if (manifest.spec && !process.env.CDK8S_DISABLE_SORT) manifest.spec = sortKeys(manifest.spec);
    return manifest;
  }

  private hardenPodSpec(spec: any, where: string): void {
    if (spec.automountServiceAccountToken !== true) spec.automountServiceAccountToken = this.automountServiceAccountToken;
    const sc = spec.securityContext = spec.securityContext ?? {};
    sc.runAsNonRoot = true;
    sc.seccompProfile = sc.seccompProfile ?? { type: 'RuntimeDefault' };
    if (sc.fsGroup === undefined) sc.fsGroup = this.fsGroup;
    if (sc.fsGroupChangePolicy === undefined || sc.fsGroupChangePolicy === FsGroupChangePolicy.ALWAYS) {
      sc.fsGroupChangePolicy = this.fsGroupChangePolicy;
    }

    const containers: any[] = [...spec.initContainers ?? [], ...spec.containers ?? []];
    const needsTmp = this.writableTmp && containers.some(c => !(c.volumeMounts ?? []).some((m: any) => m.mountPath === '/tmp'));
    if (needsTmp) {
      const volumes: any[] = spec.volumes = spec.volumes ?? [];
      const existing = volumes.find(v => v.name === TMP_VOLUME);
      if (existing && existing.emptyDir === undefined) {
        throw fail(where, 'volumes', TMP_VOLUME,
          'The name "tmp" belongs to the writable emptyDir mounted at /tmp (writableTmp); a volume of that name would replace it',
          'Rename your volume, or set \'writableTmp: false\' and mount your own volume at /tmp');
      }
      if (!existing) volumes.push({ name: TMP_VOLUME, emptyDir: {} });
    }
    for (const c of containers) {
      if (c.imagePullPolicy === undefined || c.imagePullPolicy === ImagePullPolicy.ALWAYS) c.imagePullPolicy = this.imagePullPolicy;
      if (c.resources === undefined || JSON.stringify(c.resources) === KPLUS_DEFAULT_RESOURCES) c.resources = this.resourcesJson();
      const csc = c.securityContext = c.securityContext ?? {};
      csc.allowPrivilegeEscalation = false;
      if (csc.readOnlyRootFilesystem === undefined || csc.readOnlyRootFilesystem === true) csc.readOnlyRootFilesystem = this.readOnlyRootFilesystem;
      const add = stripPrefix(csc.capabilities?.add);
      const drop = stripPrefix(csc.capabilities?.drop) ?? [];
      csc.capabilities = { add: add && add.length > 0 ? add : undefined, drop: drop.includes('ALL') ? drop : [...drop, 'ALL'] };
      if (csc.capabilities.add === undefined) delete csc.capabilities.add;
      if (this.writableTmp && !(c.volumeMounts ?? []).some((m: any) => m.mountPath === '/tmp')) {
        c.volumeMounts = [...c.volumeMounts ?? [], { mountPath: '/tmp', name: TMP_VOLUME }];
      }
    }
  }

  private resourcesJson(): any {
    const limits: any = { memory: toQuantity(this.memoryLimit) };
    if (this.cpuLimit) limits.cpu = this.cpuLimit.amount;
    return { limits, requests: { cpu: this.cpuRequest.amount, memory: toQuantity(this.memoryRequest) } };
  }
}

/**
 * Throws when a pod spec (Kubernetes JSON) asks for something the restricted profile forbids and
 * `PodDefaults` would not change: the defaults fill gaps, they never overrule an explicit choice.
 */
function checkRestricted(where: string, spec: any): void {
  const profile = 'The Pod Security Standards "restricted" profile forbids it';
  const fix = 'Remove the setting, or do not harden this workload and label its namespace for a less strict profile';
  const sc = spec.securityContext ?? {};
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[field] === true) throw fail(where, field, true, profile, fix);
  }
  if (sc.runAsNonRoot === false) throw fail(where, 'securityContext.ensureNonRoot', false, profile, fix);
  if (sc.runAsUser === 0) throw fail(where, 'securityContext.user', 0, `${profile}: 0 is root`, 'Set a non-zero user id');
  checkSeccomp(where, 'securityContext.seccompProfile', sc.seccompProfile);
  for (const v of spec.volumes ?? []) {
    if (v.hostPath !== undefined) throw fail(where, `volumes[${v.name}]`, 'hostPath', profile, 'Use a PersistentVolumeClaim or an emptyDir instead');
  }
  for (const c of [...spec.initContainers ?? [], ...spec.containers ?? []]) {
    const csc = c.securityContext ?? {};
    const prop = (field: string) => `container "${c.name}" securityContext.${field}`;
    if (csc.privileged === true) throw fail(where, prop('privileged'), true, profile, fix);
    if (csc.allowPrivilegeEscalation === true) throw fail(where, prop('allowPrivilegeEscalation'), true, profile, fix);
    if (csc.runAsNonRoot === false) throw fail(where, prop('ensureNonRoot'), false, profile, fix);
    if (csc.runAsUser === 0) throw fail(where, prop('user'), 0, `${profile}: 0 is root`, 'Set a non-zero user id');
    checkSeccomp(where, prop('seccompProfile'), csc.seccompProfile);
    for (const cap of stripPrefix(csc.capabilities?.add) ?? []) {
      if (!ADDABLE_CAPABILITIES.includes(cap)) {
        throw fail(where, prop('capabilities.add'), cap, `${profile}: only ${ADDABLE_CAPABILITIES.join(', ')} may be added`, 'Remove the capability');
      }
    }
    for (const [i, port] of (c.ports ?? []).entries()) {
      if (port.hostPort) throw fail(where, `container "${c.name}" ports[${i}].hostPort`, port.hostPort, profile, 'Expose the port through a Service instead');
    }
  }
}

function checkSeccomp(where: string, prop: string, profile: any): void {
  if (profile?.type !== undefined && !SECCOMP_TYPES.includes(profile.type)) {
    throw fail(where, prop, profile.type, 'The Pod Security Standards "restricted" profile allows RuntimeDefault or Localhost only',
      'Remove the setting to get RuntimeDefault');
  }
}

/** What a cdk8s-plus-27 workload asks for so far, in the shape of Kubernetes JSON, for `checkRestricted()`. */
function modelPodSpec(workload: AbstractPod): any {
  const container = (c: Container) => ({
    name: c.name,
    ports: c.ports.map(p => ({ hostPort: p.hostPort })),
    securityContext: {
      privileged: c.securityContext.privileged,
      allowPrivilegeEscalation: c.securityContext.allowPrivilegeEscalation,
      runAsNonRoot: c.securityContext.ensureNonRoot,
      runAsUser: c.securityContext.user,
      capabilities: c.securityContext.capabilities,
    },
  });
  return {
    hostNetwork: workload.hostNetwork,
    securityContext: { runAsNonRoot: workload.securityContext.ensureNonRoot, runAsUser: workload.securityContext.user },
    initContainers: workload.initContainers.map(container),
    containers: workload.containers.map(container),
  };
}

/** Capability names as Kubernetes documents them: cdk8s-plus-27's `Capability` values carry a `CAP_` prefix. */
function stripPrefix(caps?: string[]): string[] | undefined {
  return caps?.map(x => x.replace(/^CAP_/, ''));
}

function sortKeys(value: any): any {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: any = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]);
  return out;
}
