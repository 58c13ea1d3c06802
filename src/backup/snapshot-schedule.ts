import { ApiObject, ApiObjectMetadata, Cron, Duration, JsonPatch, Size } from 'cdk8s';
import { Cpu, CronJob, EnvFieldPaths, EnvValue, ServiceAccount, k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { SNAPSHOT_API_GROUP } from './private/labels';
import { SNAPSHOT_SCRIPT } from './private/snapshot-script';
import { checkCsiTemplate, checkWorkload, claimTemplatesOf, csiTemplateProblems, nameOf, namespaceFor, ordinalsOf, targetsOf } from './private/targets';
import { IVolumeSnapshotClass, VolumeSnapshotClass, VolumeSnapshotDeletionPolicy } from './volume-snapshot-class';
import { addSynthesisCheck, AppIndex, declareRole } from '../private/app-index';
import { checkCronSchedule, checkTimeZone } from '../private/cron';
import { imageReference } from '../private/image';
import { MANAGED_BY } from '../private/labels';
import { checkDns1123Label, fail, show } from '../private/validation';
import { warn, warningMessage, WARNINGS } from '../private/warnings';
import { PodDefaults, PodDefaultsOptions } from '../workload/pod-defaults';
import { StatefulWorkload } from '../workload/stateful-workload';
import { VolumeClaimTemplate } from '../workload/volume-claim-template';

/**
 * Where the kubectl image of a `SnapshotSchedule` comes from: a mirror or a private registry in
 * place of registry.k8s.io, or another kubectl version.
 *
 * The image must have bash, coreutils, sed and kubectl on its `PATH`, as the official
 * `registry.k8s.io/kubectl` has since v1.29 (earlier ones have no shell); it runs as uid 65532.
 *
 * @see https://kubernetes.io/docs/concepts/containers/images/#image-names
 */
export interface KubectlImageOptions {
  /**
   * The registry host (and port), e.g. `registry.example.com:5000`.
   *
   * It must contain a `.` or a port, or be `localhost`: container runtimes read a bare first
   * component as a Docker Hub namespace, not a registry.
   *
   * @see https://kubernetes.io/docs/concepts/containers/images/#image-names
   * @default "registry.k8s.io"
   */
  readonly registry?: string;

  /**
   * The repository in the registry, e.g. `kubectl` or `mirrors/kubectl`.
   *
   * @see https://kubernetes.io/docs/concepts/containers/images/#image-names
   * @default "kubectl"
   */
  readonly repository?: string;

  /**
   * The image tag: the kubectl version. kubectl supports API servers one minor version older or
   * newer than itself; v1.29 is the oldest official image with a shell. Use the version of your
   * cluster (or one minor version off) where an image of it exists.
   *
   * @see https://kubernetes.io/releases/version-skew-policy/#kubectl
   * @default "v1.29.4"
   */
  readonly tag?: string;
}

/**
 * Props of `SnapshotSchedule`.
 */
export interface SnapshotScheduleProps {
  /**
   * The workload whose claims to snapshot: every replica's claim of each claim template. For a
   * preset, its `workload` (`db.workload`).
   *
   * @see https://kubernetes.io/docs/concepts/storage/volume-snapshots/
   */
  readonly workload: StatefulWorkload;

  /**
   * The class that takes the snapshots; its CSI driver must be the one that provisioned the
   * claims' volumes. Required: what pruning frees depends on its deletion policy (with `RETAIN`,
   * deleting a pruned VolumeSnapshot keeps the storage system's snapshot), so a schedule never
   * relies on whichever class the cluster marks default.
   *
   * @see https://kubernetes.io/docs/concepts/storage/volume-snapshot-classes/
   */
  readonly snapshotClass: IVolumeSnapshotClass;

  /**
   * When to take the snapshots: a five-field cron expression (minute, hour, day of month, month,
   * day of week), e.g. `Cron.daily()` or `Cron.schedule({ minute: '0', hour: '2' })`.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax
   */
  readonly schedule: Cron;

  /**
   * How many snapshots of each claim this schedule keeps: after a run's new snapshot of a claim is
   * ready to use, the oldest ones of that claim beyond this number are deleted. Snapshots taken by
   * hand or by another schedule are never touched.
   *
   * @see https://kubernetes.io/docs/concepts/storage/volume-snapshots/#delete
   * @default 7
   */
  readonly retain?: number;

  /**
   * The schedule's name: in its snapshots' names (`<claim>-<name>-<UTC yyyymmddhhmmss>`, e.g.
   * `data-orders-db-0-nightly-20250301020000`) and their label `cdk8s-stateful/snapshot-schedule`,
   * which is how a run finds the snapshots to prune. A DNS-1123 label of at most 40 characters.
   *
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
   * @default - the construct id, which must then be such a label
   */
  readonly name?: string;

  /**
   * The claim templates whose claims to snapshot.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#volume-claim-templates
   * @default - every claim template of the workload
   */
  readonly claimTemplates?: VolumeClaimTemplate[];

  /**
   * The time zone of `schedule`, an IANA name such as `Europe/Berlin`.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones
   * @default - the time zone of the kube-controller-manager (usually UTC)
   */
  readonly timeZone?: string;

  /**
   * How long a run waits, in all, for its new snapshots to be ready to use (some drivers upload a
   * snapshot before it is ready, which can take long for a first, full snapshot). A snapshot not
   * ready in time fails the run and prunes nothing. The Job is stopped 10 minutes after this.
   *
   * @see https://kubernetes.io/docs/concepts/storage/volume-snapshots/#volume-snapshot-contents
   * @default Duration.minutes(30)
   */
  readonly readyTimeout?: Duration;

  /**
   * Stop scheduling runs (a running one finishes).
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-suspension
   * @default false
   */
  readonly suspend?: boolean;

  /**
   * Where the kubectl image is pulled from, and its version.
   *
   * @see https://kubernetes.io/docs/concepts/containers/images/#image-names
   * @default - registry.k8s.io/kubectl:v1.29.4
   */
  readonly image?: KubectlImageOptions;

  /**
   * Metadata of the CronJob. `name` also names its ServiceAccount, Role and RoleBinding; at most
   * 52 characters (the CronJob controller appends 11 characters to name its Jobs). The namespace
   * is always the workload's.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#writing-a-cronjob-spec
   * @default - name `<statefulset>-<name>-snapshots`
   */
  readonly metadata?: ApiObjectMetadata;

  /**
   * The secure pod defaults of the Job's pod, field by field, as `PodDefaults.harden()`.
   *
   * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
   * @default - the library's defaults, with a 50m CPU request and 256Mi of memory
   */
  readonly podDefaults?: PodDefaultsOptions;
}

/** The official kubectl image, the oldest release with bash and coreutils (v1.29). */
const DEFAULT_IMAGE = { registry: 'registry.k8s.io', repository: 'kubectl', tag: 'v1.29.4' };
/** The uid and gid the kubectl container runs as (`nonroot` of distroless images; kubectl needs no user entry). */
const KUBECTL_USER = 65532;
/** A CronJob's name: its Jobs are named `<cronjob>-<11 characters>`, and a Job name is a label value of at most 63. */
const MAX_CRONJOB_NAME = 52;
/** The label cdk8s-plus puts on every pod template, derived from the construct path. */
const ADDRESS_LABEL = 'cdk8s.io/metadata.addr';
/** `-` and 14 digits, the UTC time a snapshot was taken, at the end of its name. */
const STAMP_SUFFIX = 15;

/**
 * Scheduled snapshots of a `StatefulWorkload`'s data: a CronJob that, on each run, takes a
 * VolumeSnapshot of every replica's claim (`<claim>-<name>-<UTC yyyymmddhhmmss>`), waits until
 * each is ready to use, and keeps the newest `retain` snapshots of each claim, deleting older ones
 * it took.
 *
 * The Job runs kubectl in the official image (`registry.k8s.io/kubectl`, overridable) under its
 * own ServiceAccount, bound by a Role to exactly what the script does in the workload's namespace:
 * `create`, `get`, `list`, `watch` and `delete` VolumeSnapshots, and `get` the workload's claims
 * (by name). The pod is restricted (non-root uid 65532, read-only root file system, no
 * capabilities); it is the only pod of the library that mounts a service account token.
 *
 * A run that fails anywhere (a claim missing, a snapshot refused or not ready in time) fails its
 * Job (`kubectl get cronjob`, `kubectl get jobs`); it is not retried, the next run takes new
 * snapshots. Runs never overlap (`concurrencyPolicy: Forbid`).
 *
 * @see https://kubernetes.io/docs/concepts/storage/volume-snapshots/
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/
 */
export class SnapshotSchedule extends Construct {
  /** The schedule's name, in its snapshots' names and labels. */
  public readonly scheduleName: string;
  /** The workload whose claims are snapshotted. */
  public readonly workload: StatefulWorkload;
  /** The class that takes the snapshots. */
  public readonly snapshotClass: IVolumeSnapshotClass;
  /** How many snapshots of each claim are kept. */
  public readonly retain: number;
  /** The kubectl image. */
  public readonly image: string;
  /** The name of the CronJob, its ServiceAccount, Role and RoleBinding. */
  public readonly cronJobName: string;
  /** The CronJob (cdk8s-plus). */
  public readonly cronJob: CronJob;
  /** The rendered ServiceAccount. */
  public readonly serviceAccountObject: ApiObject;
  /** The rendered Role. */
  public readonly roleObject: ApiObject;
  /** The rendered RoleBinding. */
  public readonly roleBindingObject: ApiObject;

  private readonly _claimNames: string[];

  constructor(scope: Construct, id: string, props: SnapshotScheduleProps) {
    super(scope, id);
    AppIndex.watch(this);
    // it runs against the store's claims: after the data stores, with their consumers
    declareRole(this, 'consumer');
    const where = `SnapshotSchedule '${this.node.path}'`;

    // ---- defaults and eager checks
    this.workload = checkWorkload(where, props.workload);
    if (props.snapshotClass === undefined || props.snapshotClass === null) {
      throw fail(where, 'snapshotClass', props.snapshotClass,
        'A snapshot schedule needs a snapshot class: how much pruning frees depends on its deletion policy, and the cluster\'s default class may not exist or may keep every snapshot',
        'Pass a VolumeSnapshotClass of the volumes\' CSI driver, or VolumeSnapshotClass.fromVolumeSnapshotClassName() for one in the cluster');
    }
    this.snapshotClass = props.snapshotClass;
    if (props.schedule === undefined || typeof props.schedule?.expressionString !== 'string') {
      throw fail(where, 'schedule', props.schedule, 'Must be a cron schedule', 'Pass e.g. Cron.daily() or Cron.schedule({ minute: \'0\', hour: \'2\' })');
    }
    checkCronSchedule(where, 'schedule', props.schedule.expressionString);
    this.retain = props.retain ?? 7;
    if (!Number.isInteger(this.retain) || this.retain < 1) {
      throw fail(where, 'retain', this.retain, 'Must be a whole number of at least 1: the newest snapshots of each claim to keep',
        'Set \'retain\' to e.g. 7 (a week of nightly snapshots)');
    }
    if (props.timeZone !== undefined) checkTimeZone(where, 'timeZone', props.timeZone, 'for the controller\'s time zone');
    const readyTimeout = props.readyTimeout ?? Duration.minutes(30);
    const readySeconds = readyTimeout.toMilliseconds() / 1000;
    if (!Number.isInteger(readySeconds) || readySeconds < 1) {
      throw fail(where, 'readyTimeout', `${readySeconds} seconds`, 'Must be a whole number of seconds, at least 1',
        'Set \'readyTimeout\' to e.g. Duration.minutes(30)');
    }
    // the name's room: "<claim>-<name>-<14 digits>" is a DNS subdomain (253), and the label value at most 63
    this.scheduleName = nameOf(where, props.name, id, 40);
    const templates = claimTemplatesOf(where, this.workload, props.claimTemplates);
    for (const t of templates) checkCsiTemplate(where, t, 'they cannot be snapshotted');
    const targets = targetsOf(where, this.workload, templates);
    this._claimNames = targets.map(t => t.claimName);
    for (const claim of this._claimNames) {
      const longest = `${claim}-${this.scheduleName}`.length + STAMP_SUFFIX;
      if (longest > 253) {
        throw fail(where, 'name', this.scheduleName, `The snapshots of claim "${claim}" would be named with ${longest} characters, more than the 253 a name may have`,
          'Use a shorter \'name\'');
      }
    }
    const namespace = namespaceFor(where, this, this.workload);
    if (props.metadata?.namespace !== undefined && props.metadata.namespace !== namespace) {
      throw fail(where, 'metadata.namespace', props.metadata.namespace,
        `The CronJob runs in the workload's namespace (${show(namespace ?? '(none)')}): a Role grants access to snapshots and claims of its own namespace only`,
        'Leave \'metadata.namespace\' out');
    }
    this.cronJobName = props.metadata?.name ?? `${this.workload.name}-${this.scheduleName}-snapshots`;
    checkDns1123Label(where, props.metadata?.name !== undefined ? 'metadata.name' : 'metadata.name (default <statefulset>-<name>-snapshots)',
      this.cronJobName, MAX_CRONJOB_NAME, ' (the CronJob controller names its Jobs "<cronjob>-<11 characters>", and a Job name is a label value of at most 63 characters)');
    const image = { ...DEFAULT_IMAGE, ...definedOnly(props.image) };
    this.image = imageReference(where, 'image', image.registry, image.repository, image.tag);
    const labels = { 'app.kubernetes.io/managed-by': MANAGED_BY, ...props.metadata?.labels };

    // ---- children: least-privilege RBAC
    const meta = { name: this.cronJobName, namespace, labels };
    this.serviceAccountObject = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: meta,
      // only this schedule's pods get a token, and they ask for it themselves
      automountServiceAccountToken: false,
    });
    this.roleObject = new k8s.KubeRole(this, 'Role', {
      metadata: meta,
      rules: [
        // create the snapshots; get, list and watch them (kubectl wait, the pruning list); delete pruned ones
        { apiGroups: [SNAPSHOT_API_GROUP], resources: ['volumesnapshots'], verbs: ['create', 'delete', 'get', 'list', 'watch'] },
        // check that each claim exists before snapshotting it: the workload's claims only
        { apiGroups: [''], resources: ['persistentvolumeclaims'], resourceNames: [...this._claimNames], verbs: ['get'] },
      ],
    });
    this.roleBindingObject = new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.cronJobName },
      // without a namespace, a RoleBinding's ServiceAccount subject is in the binding's namespace
      subjects: [{ kind: 'ServiceAccount', name: this.cronJobName, namespace }],
    });

    // ---- the CronJob
    this.cronJob = new CronJob(this, 'Resource', {
      metadata: { ...props.metadata, name: this.cronJobName, namespace, labels },
      schedule: props.schedule,
      timeZone: props.timeZone,
      suspend: props.suspend ?? false,
      startingDeadline: Duration.minutes(10),
      successfulJobsRetained: 3,
      failedJobsRetained: 3,
      // a failed run is not retried: a retry would take a second set of snapshots
      backoffLimit: 0,
      activeDeadline: Duration.seconds(readySeconds + 600),
      serviceAccount: ServiceAccount.fromServiceAccountName(this, 'ServiceAccountRef', this.cronJobName),
      automountServiceAccountToken: true,
      securityContext: { user: KUBECTL_USER, group: KUBECTL_USER, ensureNonRoot: true },
      containers: [{
        name: 'snapshot',
        image: this.image,
        command: ['/bin/bash', '-c', SNAPSHOT_SCRIPT],
        securityContext: { user: KUBECTL_USER, group: KUBECTL_USER, ensureNonRoot: true, readOnlyRootFilesystem: true },
        envVariables: {
          NAMESPACE: EnvValue.fromFieldRef(EnvFieldPaths.POD_NAMESPACE),
          WORKLOAD: EnvValue.fromValue(this.workload.name),
          CLAIM_TEMPLATES: EnvValue.fromValue(templates.map(t => t.name).join(' ')),
          ORDINALS: EnvValue.fromValue(ordinalsOf(this.workload).join(' ')),
          SCHEDULE: EnvValue.fromValue(this.scheduleName),
          SNAPSHOT_CLASS: EnvValue.fromValue(this.snapshotClass.volumeSnapshotClassName),
          RETAIN: EnvValue.fromValue(String(this.retain)),
          READY_TIMEOUT_SECONDS: EnvValue.fromValue(String(readySeconds)),
          // kubectl keeps its discovery cache under $HOME; the root file system is read-only
          HOME: EnvValue.fromValue('/tmp'),
        },
      }],
    });
    // cdk8s-plus labels the pod template with the construct path: keep the manifest independent of it
    ApiObject.of(this.cronJob).addJsonPatch(JsonPatch.remove(`/spec/jobTemplate/spec/template/metadata/labels/${ADDRESS_LABEL.replace('/', '~1')}`));
    PodDefaults.harden(this.cronJob, {
      cpuRequest: Cpu.millis(50),
      memoryLimit: Size.mebibytes(256),
      ...definedOnly(props.podDefaults),
    });

    // pruning with a class that keeps what it deletes frees nothing
    if (this.snapshotClass instanceof VolumeSnapshotClass && this.snapshotClass.deletionPolicy === VolumeSnapshotDeletionPolicy.RETAIN) {
      warn(this, WARNINGS.SNAPSHOT_PRUNING_RETAINED, warningMessage(where, 'snapshotClass', `${this.snapshotClass.volumeSnapshotClassName} (deletionPolicy Retain)`,
        `Pruning to the newest ${this.retain} snapshots deletes only the VolumeSnapshot objects: with deletionPolicy Retain their VolumeSnapshotContents and the storage system's snapshots are kept, pile up and are paid for`,
        'Use a VolumeSnapshotClass with deletionPolicy VolumeSnapshotDeletionPolicy.DELETE for scheduled snapshots, or acknowledge the warning and delete the retained VolumeSnapshotContents yourself'));
    }

    // ---- deferred checks (the tree is complete)
    addSynthesisCheck(this, () => templates.flatMap(t =>
      csiTemplateProblems(where, this, t, 'they cannot be snapshotted', this.snapshotClass)));
  }

  /** The names of the claims the schedule snapshots, template by template, ordinal by ordinal. */
  public get claimNames(): string[] {
    return [...this._claimNames];
  }
}

/** The object without its undefined values, so spreading it keeps the defaults. */
function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
