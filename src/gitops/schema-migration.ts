import { createHash } from 'crypto';
import { ApiObject, ApiObjectMetadata, Duration, JsonPatch, Names } from 'cdk8s';
import { ContainerSecurityContextProps, EnvValue, Job } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IDataStore } from '../connection/data-store';
import { DataStoreConnection, StoreWaitOptions } from '../connection/data-store-connection';
import { AppIndex, declareNotRolled, declareRole } from '../private/app-index';
import { imageProblem, isPinnedImage } from '../private/pod-rules';
import { resolveWait, StoreWait } from '../private/store-wait';
import { checkDns1123Label, checkInteger, fail, show } from '../private/validation';
import { warn, warningMessage, WARNINGS } from '../private/warnings';
import { PodDefaults, PodDefaultsOptions } from '../workload/pod-defaults';

/** Argo CD: run the Job as a hook of the Sync phase. */
const HOOK = 'argocd.argoproj.io/hook';
/** Argo CD: delete the previous hook Job just before the next sync creates it again. */
const HOOK_DELETE_POLICY = 'argocd.argoproj.io/hook-delete-policy';
/** A Job name is also the value of the `job-name` label on its pods: at most 63 characters. */
const MAX_JOB_NAME = 63;
/** `-` and 8 hex digits of the hash of what the migration runs. */
const HASH_SUFFIX = 9;
const MAX_NAME_PREFIX = MAX_JOB_NAME - HASH_SUFFIX;
/** The label cdk8s-plus puts on every pod template, derived from the construct path. */
const ADDRESS_LABEL = 'cdk8s.io/metadata.addr';

/**
 * Props of `SchemaMigration`.
 *
 * @stable
 */
export interface SchemaMigrationProps {
  /**
   * The data store the migration runs against. The Job's container gets the store's address and
   * credentials exactly as a consumer wired with `DataStoreConnection`: `<PREFIX>_SERVICE_HOST`,
   * `<PREFIX>_SERVICE_PORT`, ... and `<PREFIX>_USERNAME` (unless the credentials have no user
   * name), `<PREFIX>_PASSWORD` and the credentials' `extraKeys` from the store's Secret: the
   * owner's (`ownerCredentials`) when consumers get other ones (a `Postgres` with an application
   * role), since a migration changes the schema. With TLS, it gets the CA and the drivers'
   * settings as consumers do.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/job/
   */
  readonly store: IDataStore;

  /**
   * The image that runs the migration, e.g. the database's own client (`postgres:16.4` has
   * `psql`) or your application's image with its migration tool. Pin a tag or a digest: the Job's
   * name is derived from the reference, so a moving tag (`latest`, or none) never re-runs a
   * migration with a new image (warns `[unpinned-image]`).
   *
   * @see https://kubernetes.io/docs/concepts/containers/images/
   * For example: `docker.io/library/postgres:16.4`.
   */
  readonly image: string;

  /**
   * The command (the image's entrypoint is replaced). `$(VAR)` references to the container's
   * environment variables are expanded by the kubelet. Part of the Job's name.
   *
   * @see https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/
   * @default - the image's entrypoint
   */
  readonly command?: string[];

  /**
   * The arguments of the command. `$(VAR)` references to the container's environment variables
   * are expanded by the kubelet. Part of the Job's name.
   *
   * @see https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/
   * @default - the image's default arguments
   */
  readonly args?: string[];

  /**
   * More environment variables of the migration container, next to the connection's. Literal
   * values are part of the Job's name; for values from Secrets or ConfigMaps only the variable
   * name is (the value is not known at synth time).
   *
   * @see https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/
   * @default - only the connection's variables
   */
  readonly envVariables?: { [name: string]: EnvValue };

  /**
   * The prefix of the connection's variable names, as `DataStoreConnectionProps.prefix`. Only
   * used when the migration creates its own connection (no `connection` given).
   *
   * @see https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/
   * @default - derived from the store's `storeName`: `user-db` gives `USER_DB`
   */
  readonly prefix?: string;

  /**
   * An existing connection to `store` to wire the Job to, e.g. the one its consumers use: the Job
   * then reads the same ConfigMap as they do, and no other is rendered. It must be a connection to
   * the same store, in the Job's namespace, and hand out the store's owner credentials when the
   * store has some (`ownerCredentials`: the consumers' connection of a `Postgres` with an
   * application role does not).
   *
   * @see https://kubernetes.io/docs/concepts/configuration/configmap/
   * @default - a connection of its own (a ConfigMap named `<metadata.name>-connection`)
   */
  readonly connection?: DataStoreConnection;

  /**
   * Make the Job's pod wait for the store before the migration runs (an init container, as
   * `DataStoreConnectionProps.waitForStore`), for applying everything at once without Argo CD's
   * sync waves. Only used when the migration creates its own connection: a given `connection`
   * decides for itself (its `waitForStore`). The wait is part of the Job's name.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/pods/init-containers/
   * @default - no wait, unless the given connection has one
   *
   * @experimental
   */
  readonly waitForStore?: StoreWaitOptions;

  /**
   * How many times a failed migration is retried (the pod is re-created after 10s, 20s, 40s...).
   * Fewer than Kubernetes' 6: a migration that fails four times is broken rather than unlucky,
   * and Argo CD waits for it before it rolls out the consumers.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/job/#pod-backoff-failure-policy
   * @default 3
   */
  readonly backoffLimit?: number;

  /**
   * How long the migration may run, retries included, before the Job fails. Keeps a migration
   * that waits on a lock from holding the sync forever.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/job/#job-termination-and-cleanup
   * @default Duration.minutes(10)
   */
  readonly activeDeadline?: Duration;

  /**
   * Delete the Job this long after it finished. Argo CD deletes the previous hook Job before each
   * sync anyway (`BeforeHookCreation`). Under plain `kubectl apply`, a deleted Job that is still
   * in the manifests is created again by the next apply, and the migration runs again: set it only
   * for migrations that can run twice.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/ttlafterfinished/
   * @default - the finished Job is kept
   */
  readonly ttlAfterFinished?: Duration;

  /**
   * Metadata of the Job. `name` is the prefix of the Job's name: `<name>-<8 hex digits>`, the
   * hash of the image, command, arguments and literal environment variables, so a new migration
   * is a new Job. At most 54 characters (the Job's name is a pod label value: at most 63).
   * Annotations you set win over the Argo CD hook annotations.
   *
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
   * @default - name prefix generated by the chart, namespace of the chart
   */
  readonly metadata?: ApiObjectMetadata;

  /**
   * The security context of the migration container. The pod must run as a non-root user
   * (restricted profile): an image that starts as root needs a user id, e.g. `{ user: 999,
   * group: 999 }` for the official `postgres` image.
   *
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
   * @default - the image's user, which must not be root
   */
  readonly securityContext?: ContainerSecurityContextProps;

  /**
   * The secure pod defaults the Job gets, field by field (resources, pull policy, ...), as
   * `PodDefaults.harden()`.
   *
   * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
   * @default - the library's defaults
   */
  readonly podDefaults?: PodDefaultsOptions;
}

/**
 * A schema migration: a Job that runs once against a data store, after the store is up and before
 * its consumers roll out.
 *
 * The Job is an Argo CD `Sync` hook (`argocd.argoproj.io/hook: Sync`) with
 * `hook-delete-policy: BeforeHookCreation`; with `SyncWaves` enabled it is in the migrations wave
 * (3), after the data stores (2) and before the consumers (4), and a failed migration stops the
 * sync before the consumers change. Argo CD runs a Sync hook on every sync: migrations must be
 * idempotent (`CREATE ... IF NOT EXISTS`, `ADD COLUMN IF NOT EXISTS`).
 *
 * Its name is `<name>-<hash of image, command, arguments and literal environment>`: a Job's pod
 * template is immutable, so a new migration is a new Job, which plain `kubectl apply` creates
 * while the finished Jobs of earlier migrations stay as they are.
 *
 * The container is wired to the store as any consumer (`DataStoreConnection`) and the pod meets
 * the Pod Security Standards "restricted" profile (`PodDefaults.harden()`).
 *
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/resource_hooks/
 * @stable
 */
export class SchemaMigration extends Construct {
  /** The Job's name, `<name prefix>-<8 hex digits>`. */
  public readonly jobName: string;
  /** The cdk8s-plus Job. */
  public readonly job: Job;
  /** The connection the Job is wired with (its own, or the one given). */
  public readonly connection: DataStoreConnection;

  constructor(scope: Construct, id: string, props: SchemaMigrationProps) {
    super(scope, id);
    AppIndex.watch(this);
    // the Job is a consumer of the store, but it runs before the consumers: the declared role wins
    declareRole(this, 'migration');
    const where = `SchemaMigration '${this.node.path}'`;

    const image = imageProblem('image', props.image);
    if (image) throw fail(where, image.prop, image.value, image.allowed, image.fix);
    if (!isPinnedImage(props.image)) {
      warn(this, WARNINGS.UNPINNED_IMAGE, warningMessage(where, 'image', show(props.image),
        `${props.image.includes(':latest') ? 'The tag latest' : 'An image without a tag (latest)'} moves, and the Job's name hashes the image reference, not what it points to: `
        + 'when the tag moves the name stays, so a migration that ran never runs again with the new image (kubectl apply leaves a finished Job alone), '
        + 'and a Job re-created by Argo CD runs whatever the tag points to at that sync',
        'Pin the image to a version tag (e.g. "postgres:16.4") or a digest (@sha256:...): a new version is then a new Job'));
    }
    const backoffLimit = props.backoffLimit ?? 3;
    checkInteger(where, 'backoffLimit', backoffLimit, 0);
    const activeDeadline = props.activeDeadline ?? Duration.minutes(10);
    if (!(seconds(activeDeadline) >= 1) || !Number.isInteger(seconds(activeDeadline))) {
      throw fail(where, 'activeDeadline', `${seconds(activeDeadline)} seconds`,
        'Must be a whole number of seconds, at least 1: the Job fails when it runs longer',
        'Set \'activeDeadline\' to a duration such as Duration.minutes(10)');
    }
    // a Duration is never negative (cdk8s refuses negative amounts)
    if (props.ttlAfterFinished !== undefined && !Number.isInteger(seconds(props.ttlAfterFinished))) {
      throw fail(where, 'ttlAfterFinished', `${seconds(props.ttlAfterFinished)} seconds`,
        'Must be a whole number of seconds, at least 0',
        'Set \'ttlAfterFinished\' to a duration such as Duration.days(1), or leave it out to keep the finished Job');
    }
    if (props.connection) {
      if (props.connection.store !== props.store) {
        throw fail(where, 'connection', props.connection.node.path,
          `Must be a connection to 'store' (${show(props.store.node.path)}), but it connects to ${show(props.connection.store.node.path)}`,
          'Pass the connection of the same store, or leave \'connection\' out');
      }
      const owner = props.store.ownerCredentials;
      if (owner !== undefined && props.connection.credentials !== owner) {
        throw fail(where, 'connection', props.connection.node.path,
          'Must hand out the store\'s owner credentials (\'ownerCredentials\'), but it hands out its consumers\' (an application role, which cannot change the schema)',
          'Leave \'connection\' out (the migration gets a connection of its own, with the owner\'s credentials), '
          + 'or pass a connection made with \'credentials: store.ownerCredentials\'');
      }
      if (props.waitForStore !== undefined) {
        throw fail(where, 'waitForStore', props.waitForStore,
          'Cannot be combined with \'connection\': the given connection decides whether its consumers wait (its own \'waitForStore\')',
          'Set \'waitForStore\' on the connection, or leave \'connection\' out');
      }
      if (props.prefix !== undefined && props.prefix !== props.connection.prefix) {
        throw fail(where, 'prefix', props.prefix,
          `Must not differ from the prefix of 'connection' (${show(props.connection.prefix)}): the given connection decides the variable names`,
          'Leave \'prefix\' out');
      }
    }

    const namePrefix = props.metadata?.name ?? Names.toDnsLabel(this, { maxLen: MAX_NAME_PREFIX });
    checkDns1123Label(where, 'metadata.name', namePrefix, MAX_NAME_PREFIX,
      ' (the Job is named "<name>-<8 hex digits>", and a Job name is a pod label value of at most 63 characters)');
    // the wait is part of the pod template: a Job whose template changes needs a new name
    const wait = props.connection ? props.connection._waitSettings() : props.waitForStore && resolveWait(where, 'waitForStore', props.waitForStore);
    this.jobName = `${namePrefix}-${migrationHash(props, wait)}`;

    this.job = new Job(this, 'Resource', {
      metadata: {
        ...props.metadata,
        name: this.jobName,
        annotations: {
          [HOOK]: 'Sync',
          [HOOK_DELETE_POLICY]: 'BeforeHookCreation',
          ...props.metadata?.annotations,
        },
      },
      // a Job needs no selector of ours (the Job controller makes its own)
      select: false,
      backoffLimit,
      activeDeadline,
      ttlAfterFinished: props.ttlAfterFinished,
      containers: [{
        name: 'migrate',
        image: props.image,
        command: props.command,
        args: props.args,
        envVariables: props.envVariables,
        securityContext: props.securityContext,
      }],
    });

    // cdk8s-plus labels every pod template with its construct path (cdk8s.io/metadata.addr); the
    // Job's template is immutable, so moving the construct would make the same Job unappliable
    ApiObject.of(this.job).addJsonPatch(JsonPatch.remove(`/spec/template/metadata/labels/${ADDRESS_LABEL.replace('/', '~1')}`));

    // no connection checksum on the pod template: a Job does not roll, its template is immutable,
    // and a store that moves (its data and schema with it) must not make the Job unappliable
    declareNotRolled(this.job);
    this.connection = props.connection ?? new DataStoreConnection(this, 'Connection', {
      store: props.store,
      prefix: props.prefix,
      // the role that owns the schema, when consumers get another one (an application role)
      credentials: props.store.ownerCredentials,
      // named after the migration: the consumers' connection to the same store owns the prefix's name
      metadata: { name: `${namePrefix}-connection`, namespace: props.metadata?.namespace },
      waitForStore: props.waitForStore,
    });
    this.connection.addWorkload(this.job);
    PodDefaults.harden(this.job, props.podDefaults);
  }
}

/**
 * 8 hex digits of the SHA-256 of what the migration runs: image, command, arguments, the
 * environment variables (literal values with their names, references by name only) and the wait
 * for the store, when there is one.
 */
function migrationHash(props: SchemaMigrationProps, wait: StoreWait | undefined): string {
  const env = Object.keys(props.envVariables ?? {}).sort().map(name => {
    const value = props.envVariables![name];
    return value.value !== undefined ? [name, String(value.value)] : [name];
  });
  // the wait only when there is one, so migrations without it keep their names
  const input = JSON.stringify({ image: props.image, command: props.command ?? null, args: props.args ?? null, env, ...wait ? { wait } : {} });
  return createHash('sha256').update(input).digest('hex').slice(0, 8);
}

/** A duration in seconds, fractions included (`Duration.toSeconds()` throws on fractions). */
function seconds(duration: Duration): number {
  return duration.toMilliseconds() / 1000;
}
