import { ApiObject, ApiObjectMetadata, Cron, Duration, Size } from 'cdk8s';
import { ConcurrencyPolicy, CronJob, EnvValue, RestartPolicy } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { LogicalBackupEngine } from './logical-backup-engine';
import { IDataStore } from '../connection/data-store';
import { ConnectionTarget, DataStoreConnection } from '../connection/data-store-connection';
import { AppIndex } from '../private/app-index';
import { checkCronSchedule, checkTimeZone } from '../private/cron';
import { toQuantity } from '../private/quantity';
import { checkDns1123Label, checkInteger, fail, show } from '../private/validation';
import { checkEngine, checkSeconds, defaultName, jobEnv, removeAddressLabel } from './private/jobs';
import { backupScript, BACKUP_MOUNT_PATH, ENV } from './private/scripts';
import { IStorageClass } from '../storage/storage-class';
import { VolumeClaim } from '../storage/volume-claim';
import { PodDefaults, PodDefaultsOptions } from '../workload/pod-defaults';
import { StatefulWorkload } from '../workload/stateful-workload';

/** A CronJob name is at most 52 characters: the controller names its Jobs `<cronjob>-<minutes since the epoch>`. */
const MAX_CRON_JOB_NAME = 52;

/**
 * Options of `EnginePreset.addBackup()`: when logical backups are taken, how many are kept and
 * where.
 */
export interface LogicalBackupOptions {
  /**
   * When to take a backup: a five-field cron expression (minute, hour, day of month, month, day
   * of week) in `timeZone`, e.g. `Cron.schedule({ minute: '30', hour: '2' })` for every night at
   * 02:30. Descriptors such as `@daily` are refused: spell them out.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax
   */
  readonly schedule: Cron;

  /**
   * How many backups are kept, 1 to 1000: after each successful backup, all but the newest
   * `retain` are deleted from the claim. A failed backup deletes nothing.
   *
   * @default 7
   */
  readonly retain?: number;

  /**
   * The size of the claim the backups are written to, when the backup creates its own claim.
   * Leave room for `retain` + 1 dumps (the next one is written before the oldest is deleted).
   * Cannot be combined with `claim`.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#resources
   * @default Size.gibibytes(10)
   */
  readonly storage?: Size;

  /**
   * The storage class of the backup claim, when the backup creates its own claim. Prefer a class
   * with reclaim policy `Retain`, so that deleting the claim by mistake keeps the volume. Cannot be
   * combined with `claim`.
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#class-1
   * @default - the storage class marked as default in the cluster is used
   */
  readonly storageClass?: IStorageClass;

  /**
   * An existing claim to write the backups to, in the store's namespace, e.g. one shared by the
   * backups of several stores (each writes into its own `directory`).
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#persistentvolumeclaims
   * @default - a claim of the backup's own, `<cronjob name>-backups`, of `storage`, kept when
   * the store or the backup is deleted (no owner, Argo CD `Prune=false,Delete=false`)
   */
  readonly claim?: VolumeClaim;

  /**
   * The directory on the claim the backups are written into, one subdirectory each, named by the
   * UTC time it started (`20250301T023000Z`).
   *
   * @default - the CronJob's name
   */
  readonly directory?: string;

  /**
   * The time zone of `schedule` (`spec.timeZone`).
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones
   * @default "Etc/UTC"
   */
  readonly timeZone?: string;

  /**
   * How late a missed backup may still start (the controller was down, or the previous backup was
   * still running): later, it is skipped until the next scheduled time.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#job-creation
   * @default Duration.minutes(10)
   */
  readonly startingDeadline?: Duration;

  /**
   * How many finished successful Jobs are kept, with their logs.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#jobs-history-limits
   * @default 3
   */
  readonly successfulJobsHistoryLimit?: number;

  /**
   * How many failed Jobs are kept, with their logs.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#jobs-history-limits
   * @default 3
   */
  readonly failedJobsHistoryLimit?: number;

  /**
   * How long one backup may run, retries included, before its Job fails.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/job/#job-termination-and-cleanup
   * @default Duration.hours(1)
   */
  readonly activeDeadline?: Duration;

  /**
   * How many times a failed backup is retried within its Job.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/job/#pod-backoff-failure-policy
   * @default 1
   */
  readonly backoffLimit?: number;

  /**
   * Suspend the schedule (backups already running finish).
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-suspension
   * @default false
   */
  readonly suspend?: boolean;

  /**
   * Metadata of the CronJob (at most 52 characters: the controller appends the time to name its
   * Jobs). The namespace is always the store's.
   *
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
   * @default - `<statefulset>-<id>` (e.g. `user-db-nightly`) when that is a DNS label of at most
   * 52 characters, otherwise a name generated by the chart
   */
  readonly metadata?: ApiObjectMetadata;

  /**
   * The secure pod defaults the Jobs get, field by field, as `PodDefaults.harden()`.
   *
   * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
   * @default - the library's defaults
   */
  readonly podDefaults?: PodDefaultsOptions;
}

/**
 * Props of `LogicalBackup`: the options, and the store it backs up with its engine's commands.
 * `EnginePreset.addBackup()` fills in the store.
 */
export interface LogicalBackupProps extends LogicalBackupOptions {
  /**
   * The store the backups are taken of: the Jobs are wired to it as its consumers are
   * (`DataStoreConnection`, without the credential variables: the engine reads its credentials
   * itself).
   */
  readonly store: IDataStore;

  /** The workload running the store: its StatefulSet and namespace identify the store. */
  readonly workload: StatefulWorkload;

  /** How the store's engine takes and restores dumps. */
  readonly engine: LogicalBackupEngine;
}

/**
 * Scheduled logical backups of a data store: a CronJob that dumps the store with the engine's own
 * tools (the server's image, so client and server versions match) into a claim that is kept when
 * everything else is deleted.
 *
 * Each run writes a new directory named by its UTC start time (`20250301T023000Z`, so names sort
 * by time) under `directory`, first under a temporary name and renamed when complete, with the
 * engine's files and `backup.info` (engine, store, time: what a restore checks); it then deletes
 * all but the newest `retain`. A failed backup fails its Job (non-zero exit, visible in
 * `kubectl get cronjob` and Argo CD) and deletes nothing. One runs at a time
 * (`concurrencyPolicy: Forbid`); the pod meets the restricted profile and runs as the engine's
 * user.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/
 */
export class LogicalBackup extends Construct {
  /** The CronJob. */
  public readonly cronJob: CronJob;
  /** The CronJob's name. */
  public readonly cronJobName: string;
  /** The claim the backups are written to. */
  public readonly claim: VolumeClaim;
  /** The directory on the claim: the backups are its subdirectories. */
  public readonly directory: string;
  /** How many backups are kept. */
  public readonly retain: number;
  /** The engine's name, as written into every backup (e.g. `postgres`). */
  public readonly engineName: string;
  /** The store backed up. */
  public readonly store: IDataStore;
  /** The StatefulSet of the store backed up: with the namespace, the store's identity in every backup. */
  public readonly statefulSetName: string;
  /** The namespace of the store, the Jobs and the claim. */
  public readonly namespaceName?: string;
  /** The connection wiring the Jobs to the store. */
  public readonly connection: DataStoreConnection;

  constructor(scope: Construct, id: string, props: LogicalBackupProps) {
    super(scope, id);
    AppIndex.watch(this);
    const where = `LogicalBackup '${this.node.path}'`;
    const engine = props.engine;
    checkEngine(where, engine, 'backup');

    // ---- eager checks
    checkCronSchedule(where, 'schedule', props.schedule?.expressionString);
    this.retain = props.retain ?? 7;
    checkInteger(where, 'retain', this.retain, 1, 1000);
    const timeZone = props.timeZone ?? 'Etc/UTC';
    checkTimeZone(where, 'timeZone', timeZone, 'for "Etc/UTC"');
    const startingDeadline = props.startingDeadline ?? Duration.minutes(10);
    checkSeconds(where, 'startingDeadline', startingDeadline, 10,
      'the CronJob controller checks every 10 seconds, so a shorter deadline can skip every run');
    const activeDeadline = props.activeDeadline ?? Duration.hours(1);
    checkSeconds(where, 'activeDeadline', activeDeadline, 1, 'the Job fails when it runs longer');
    const backoffLimit = props.backoffLimit ?? 1;
    checkInteger(where, 'backoffLimit', backoffLimit, 0);
    checkInteger(where, 'successfulJobsHistoryLimit', props.successfulJobsHistoryLimit, 0);
    checkInteger(where, 'failedJobsHistoryLimit', props.failedJobsHistoryLimit, 0);
    const workload = props.workload;
    const namespace = workload.namespaceName;
    if (props.metadata?.namespace !== undefined && props.metadata.namespace !== namespace) {
      throw fail(where, 'metadata.namespace', props.metadata.namespace,
        `Must be the store's namespace (${show(namespace)}): the Jobs read the store's Secret and write its identity into every backup`,
        'Leave \'metadata.namespace\' out');
    }
    if (props.claim) {
      for (const prop of ['storage', 'storageClass'] as const) {
        if (props[prop] !== undefined) {
          throw fail(where, prop, prop === 'storage' ? toQuantity(props.storage!) : props.storageClass!.storageClassName,
            'Cannot be combined with \'claim\': it describes the backup\'s own claim', `Leave '${prop}' out, or leave 'claim' out`);
        }
      }
      if (props.claim.namespaceName !== namespace) {
        throw fail(where, 'claim', props.claim.node.path,
          `Must be in the store's namespace (${show(namespace)}), as the Jobs that write it are; it is in ${show(props.claim.namespaceName)}`,
          'Use a claim of the store\'s namespace, or leave \'claim\' out for a claim of the backup\'s own');
      }
    }
    const name = props.metadata?.name ?? defaultName(this, workload.name, id, MAX_CRON_JOB_NAME);
    checkDns1123Label(where, 'metadata.name', name, MAX_CRON_JOB_NAME,
      ' (the CronJob controller names its Jobs "<name>-<minutes since the epoch>")');
    this.directory = props.directory ?? name;
    checkDns1123Label(where, 'directory', this.directory);

    this.cronJobName = name;
    this.namespaceName = namespace;
    this.store = props.store;
    this.statefulSetName = workload.name;
    this.engineName = engine.engineName;

    // ---- children
    this.claim = props.claim ?? new VolumeClaim(this, 'Claim', {
      metadata: { name: `${name}-backups`, namespace },
      storage: props.storage ?? Size.gibibytes(10),
      storageClass: props.storageClass,
    });

    this.connection = new DataStoreConnection(this, 'Connection', {
      store: props.store,
      target: engine.connectionTarget ?? ConnectionTarget.PRIMARY,
      // named after the backup: the consumers' connection to the same store owns the prefix's name
      metadata: { name: `${name}-connection`, namespace },
    });
    const details = Object.entries(engine.details ?? {}).map(([k, v]) => `${k}=${v}`).join(' ');
    const script = backupScript({
      hostVariable: this.connection.hostVariable,
      portVariable: this.connection.portVariable,
      configMapName: this.connection.apiObject.name,
      caFileVariable: this.connection.caFileVariable,
      engineScript: engine.backup.script,
    });
    this.cronJob = new CronJob(this, 'Resource', {
      metadata: { ...props.metadata, name, namespace },
      schedule: props.schedule,
      timeZone,
      concurrencyPolicy: ConcurrencyPolicy.FORBID,
      startingDeadline,
      suspend: props.suspend ?? false,
      successfulJobsRetained: props.successfulJobsHistoryLimit ?? 3,
      failedJobsRetained: props.failedJobsHistoryLimit ?? 3,
      activeDeadline,
      backoffLimit,
      // a Job needs no selector of ours (the Job controller makes its own)
      select: false,
      restartPolicy: RestartPolicy.NEVER,
      securityContext: { user: engine.user, group: engine.group, fsGroup: engine.group, ensureNonRoot: true },
      containers: [{
        name: 'backup',
        image: engine.image,
        command: ['sh', '-c', script, 'backup'],
        envVariables: {
          ...jobEnv(where, 'engine.backup', engine.backup, {
            [ENV.engine]: EnvValue.fromValue(engine.engineName),
            [ENV.store]: EnvValue.fromValue(workload.name),
            [ENV.root]: EnvValue.fromValue(`${BACKUP_MOUNT_PATH}/${this.directory}`),
            [ENV.files]: EnvValue.fromValue(engine.files.join(' ')),
            [ENV.retain]: EnvValue.fromValue(String(this.retain)),
            ...details.length > 0 ? { [ENV.details]: EnvValue.fromValue(details) } : {},
          }),
        },
        securityContext: { user: engine.user, group: engine.group, ensureNonRoot: true },
        resources: engine.backup.resources,
        volumeMounts: [
          { path: BACKUP_MOUNT_PATH, volume: this.claim.asVolume() },
          ...engine.backup.volumeMounts ?? [],
        ],
      }],
    });
    // labels that select the backup's pods (a NetworkPolicy of the store admits them): the Jobs'
    // own labels carry generated names
    this.cronJob.podMetadata.addLabel('app.kubernetes.io/instance', name);
    this.cronJob.podMetadata.addLabel('app.kubernetes.io/component', 'logical-backup');
    this.connection.addWorkload(this.cronJob, { credentialVariables: false });
    PodDefaults.harden(this.cronJob, props.podDefaults);
    // the pod template's label cdk8s-plus derives from the construct path: not needed by a Job
    ApiObject.of(this.cronJob).addJsonPatch(removeAddressLabel('/spec/jobTemplate/spec/template'));
  }
}
