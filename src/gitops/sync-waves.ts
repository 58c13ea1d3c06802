import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { AppIndex, onEveryPass, RenderedRole, touch } from '../private/app-index';
import { checkInteger } from '../private/validation';

/** The Argo CD annotation that orders a sync: lower waves are applied (and healthy) first. */
const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

/**
 * The wave of each kind of object the library renders. Argo CD applies wave by wave, lower first,
 * and waits until every object of a wave is healthy before the next. Objects without the
 * annotation are in wave 0.
 *
 * The defaults start at 0, so that Namespaces and the Secrets you create elsewhere (wave 0, which
 * Argo CD applies before the other kinds of the same wave) exist before the data stores that need
 * them.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 * @stable
 */
export interface SyncWavesOptions {
  /**
   * Storage classes, persistent volumes and standalone claims; volume snapshot classes and
   * one-off volume snapshots (`WorkloadSnapshot`), so Argo CD waits until a snapshot is ready to
   * use before it changes the workload in a later wave.
   *
   * @default 0
   */
  readonly storage?: number;

  /**
   * ConfigMaps the library renders (the connection data handed to consumers) and the `argocd-cm`
   * override of `ExternalService`.
   *
   * @default 1
   */
  readonly configuration?: number;

  /**
   * Data stores: a `StatefulWorkload` (StatefulSet, its Services and disruption budget) and an
   * `ExternalService` (Service, EndpointSlices); the claims a `SnapshotRestore` renders for a
   * workload (Argo CD applies claims before StatefulSets within a wave; a claim of a
   * `WaitForFirstConsumer` class in an earlier wave would stay Pending and hold the sync).
   *
   * @default 2
   */
  readonly dataStores?: number;

  /**
   * Restores of logical backups (`LogicalRestore`): Argo CD Sync hooks that wait for their store,
   * restore a dump, and must be done before the migrations and consumers of the store run.
   *
   * @default - the `dataStores` wave (2)
   * @experimental
   */
  readonly restores?: number;

  /**
   * Schema migrations: Jobs that must run after the data store is ready and before its consumers
   * roll out.
   *
   * @default 3
   */
  readonly migrations?: number;

  /**
   * Consumers: the workloads wired to a data store with `DataStoreConnection` (whichever
   * construct made them, e.g. a cdk8s-plus Deployment), and the snapshot schedules of a store
   * (`SnapshotSchedule`: its CronJob and RBAC objects).
   *
   * @default 4
   */
  readonly consumers?: number;
}

const DEFAULTS: { [role in RenderedRole]: number } = {
  storage: 0,
  configuration: 1,
  dataStore: 2,
  restore: 2,
  migration: 3,
  consumer: 4,
};

const OPTION_OF: { [role in RenderedRole]: keyof SyncWavesOptions } = {
  storage: 'storage',
  configuration: 'configuration',
  dataStore: 'dataStores',
  restore: 'restores',
  migration: 'migrations',
  consumer: 'consumers',
};

/** Scopes with sync waves enabled, and their options. */
const ENABLED = new WeakMap<IConstruct, SyncWavesOptions>();
/** Waves set for a scope and everything below it. */
const OVERRIDES = new WeakMap<IConstruct, number>();
/** Roots whose pass hook is registered. */
const HOOKED = new WeakSet<IConstruct>();
/** The wave each object was stamped with, so a later synthesis can tell our stamp from the user's. */
const STAMPED = new WeakMap<IConstruct, string>();

/**
 * Argo CD sync waves for everything this library renders, in a safe order: storage, then
 * configuration, then data stores (and restores into them), then migrations, then the consumers
 * of the stores.
 *
 * Opt in per chart (or for the whole app) with `SyncWaves.enable(chart)`, and move any construct
 * to another wave with `SyncWaves.setWave(construct, wave)`. An `argocd.argoproj.io/sync-wave` annotation you set yourself on an object always wins.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 * @stable
 */
export class SyncWaves {
  /**
   * Stamps `argocd.argoproj.io/sync-wave` on every object the library renders under `scope` (a
   * chart, or the app), and on every workload wired as a consumer there.
   *
   * @param scope a chart, the app, or any construct
   */
  public static enable(scope: IConstruct, options: SyncWavesOptions = {}): void {
    for (const [name, value] of Object.entries(options)) {
      checkInteger(`SyncWaves '${scope.node.path}'`, name, value as number, -2147483648);
    }
    ENABLED.set(scope, { ...options });
    SyncWaves.hook(scope);
  }

  /**
   * Puts every object the library renders under `scope` (and any workload wired there as a
   * consumer) in `wave`, whatever its kind. The nearest override above an object wins.
   *
   * @param scope e.g. a `StatefulWorkload`, or a construct grouping several
   * @param wave the wave, any integer
   */
  public static setWave(scope: IConstruct, wave: number): void {
    checkInteger(`SyncWaves '${scope.node.path}'`, 'wave', wave, -2147483648);
    OVERRIDES.set(scope, wave);
    SyncWaves.hook(scope);
  }

  /**
   * The wave of an object whose scopes (root first) are `scopes`, or undefined when no enabled
   * scope or override covers it.
   */
  private static waveOf(scopes: IConstruct[], role: RenderedRole | undefined): number | undefined {
    let options: SyncWavesOptions | undefined;
    for (let i = scopes.length - 1; i >= 0; i--) {
      const override = OVERRIDES.get(scopes[i]);
      if (override !== undefined) return override;
      options ??= ENABLED.get(scopes[i]);
    }
    if (!options || !role) return undefined;
    // a restore belongs with its store unless told otherwise
    if (role === 'restore') return options.restores ?? options.dataStores ?? DEFAULTS.restore;
    return options[OPTION_OF[role]] ?? DEFAULTS[role];
  }

  private static hook(scope: IConstruct): void {
    touch();
    const root = scope.node.root;
    if (HOOKED.has(root)) return;
    HOOKED.add(root);
    onEveryPass(root, index => SyncWaves.stamp(index));
  }

  /** Whether an override (`setWave()`) covers an object whose scopes (root first) are `scopes`. */
  private static overridden(scopes: IConstruct[]): boolean {
    return scopes.some(scope => OVERRIDES.has(scope));
  }

  /**
   * The wave of a standalone claim (role `storage`): the storage wave, unless its StorageClass may
   * bind it only once a pod uses it (`WaitForFirstConsumer`, or a class the app does not render):
   * then no earlier than the first pod that mounts it. Such a claim stays `Pending`, which Argo CD
   * reports as Progressing, until that pod is scheduled: in an earlier wave it would hold the sync
   * before its pod is ever created. In the pod's own wave Argo CD applies it first (claims before
   * workloads) and waits for both.
   */
  private static claimWave(index: AppIndex, claim: ApiObject, wave: number, waves: Map<ApiObject, number>): number {
    const spec = claim.toJson().spec ?? {};
    const facts = spec.storageClassName === undefined ? index.defaultStorageClass() : index.storageClass(spec.storageClassName);
    if (facts && facts.volumeBindingMode !== 'WaitForFirstConsumer') return wave;
    const users = index.claimUsers(claim.metadata.namespace, claim.name)
      .map(user => waves.get(index.objectOf(user)!))
      .filter((w): w is number => w !== undefined);
    return users.length > 0 ? Math.max(wave, Math.min(...users)) : wave;
  }

  private static stamp(index: AppIndex): void {
    const roles = index.roles();
    const waves = new Map<ApiObject, number>();
    for (const { apiObject, role } of roles) {
      const wave = SyncWaves.waveOf(apiObject.node.scopes, role);
      if (wave !== undefined) waves.set(apiObject, wave);
    }
    for (const { apiObject, role } of roles) {
      let wave = waves.get(apiObject);
      if (wave === undefined) continue;
      if (role === 'storage' && apiObject.kind === 'PersistentVolumeClaim' && !SyncWaves.overridden(apiObject.node.scopes)) {
        wave = SyncWaves.claimWave(index, apiObject, wave, waves);
      }
      const current = apiObject.metadata.toJson().annotations?.[SYNC_WAVE];
      const ours = STAMPED.get(apiObject);
      if (current !== undefined && current !== ours) continue; // set by the user: theirs wins
      apiObject.metadata.addAnnotation(SYNC_WAVE, String(wave));
      STAMPED.set(apiObject, String(wave));
    }
  }

  private constructor() {
    // static methods only
  }
}
