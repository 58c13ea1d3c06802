/**
 * App-wide facts, computed once per validation pass and shared by every check that looks across
 * the app, so that each check costs O(its own objects) and synthesis stays linear in the size of
 * the app.
 *
 * Checks that need to know about other objects (the PersistentVolumes of a class, the pods that
 * mount a claim, the StorageClass behind a name) never walk the construct tree themselves: they
 * call `AppIndex.of(this)` from a validation and ask. The index walks the tree once, buckets the
 * `ApiObject`s by kind, and renders (`toJson()`) only the kinds a question needs, once.
 *
 * Lifetime: one index per root (the `App`) and per synthesis. cdk8s validates the whole app
 * starting at the root (`App.synth()`, `App.synthYaml()`, `Chart.toJson()`, `Testing.synth()`), so
 * a validation registered on the root runs first in every pass and decides whether the pass can
 * keep the index of the previous one (see `AppIndex`).
 *
 * This module imports no public construct: objects are recognised by their rendered `kind`, so
 * objects made by cdk8s-plus, L1 classes or `Include` count as much as our own.
 */
import { ApiObject } from 'cdk8s';
import { Container } from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { DEFAULT_CLASS_ANNOTATIONS } from './labels';
import { podTemplatesOf } from './pod-security';
import { GenerationMemo, mutationCount, startGeneration, touch } from './synthesis-memo';
import { STRICT_ENV, warn, warningMessage, WARNINGS } from './warnings';

export { touch } from './synthesis-memo';

/** `kubernetes.io/no-provisioner`: the provisioner of classes whose volumes are all created by hand. */
export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

/**
 * A rendered object that runs pods: a Deployment, StatefulSet, DaemonSet, Job, CronJob, ...,
 * whichever construct made it (cdk8s-plus, `StatefulWorkload`, an L1, an include).
 */
export interface PodConsumer {
  /** `Deployment/web` */
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** How many pods run at once; undefined when it depends on the cluster (a DaemonSet: one per node). */
  readonly pods?: number;
  /** The Deployment strategy, when the object is a Deployment. */
  readonly strategy?: any;
  /**
   * Its pods run to completion one at a time: a Job of parallelism 1, or a CronJob that never
   * runs two Jobs at once (`concurrencyPolicy: Forbid`). A pod of it waiting for a single-node
   * volume another such pod holds starts once that one has finished.
   */
  readonly runsOnceAtATime: boolean;
  /** The pod spec, as rendered (Kubernetes JSON). */
  readonly podSpec: any;
  /** The labels of its pods (the pod template's), as rendered; empty when it sets none. */
  readonly podLabels: { [key: string]: string };
  /**
   * The labels its own selector matches its pods by (`spec.selector.matchLabels` of a Deployment,
   * StatefulSet, DaemonSet or ReplicaSet, the selector of a ReplicationController), when it has
   * one of labels only; undefined for Jobs, CronJobs and Pods.
   */
  readonly selectorLabels?: { [key: string]: string };
}

/** What the checks need to know of a StorageClass. */
export interface StorageClassFacts {
  readonly storageClassName: string;
  readonly provisioner: string;
  /** False for `kubernetes.io/no-provisioner`: every volume of the class is created by hand. */
  readonly dynamicProvisioning: boolean;
  /** `Immediate` or `WaitForFirstConsumer` (the API server's default is `Immediate`). */
  readonly volumeBindingMode: string;
  /** `Retain`, `Delete` or `Recycle` (the API server's default is `Delete`). */
  readonly reclaimPolicy: string;
}

/** A StorageClass of the app marked as the cluster's default. */
export interface DefaultStorageClass {
  readonly facts: StorageClassFacts;
  /** The rendered StorageClass. */
  readonly apiObject: ApiObject;
  /** The annotation that marks it (the first of `DEFAULT_CLASS_ANNOTATIONS` set to `"true"`). */
  readonly annotation: string;
}

/** How many pods each kind runs at once (undefined: one per node). */
const PODS: { [kind: string]: (o: any) => number | undefined } = {
  Pod: () => 1,
  Deployment: o => o.spec?.replicas ?? 1,
  ReplicaSet: o => o.spec?.replicas ?? 1,
  ReplicationController: o => o.spec?.replicas ?? 1,
  StatefulSet: o => o.spec?.replicas ?? 1,
  DaemonSet: () => undefined,
  Job: o => o.spec?.parallelism ?? 1,
  CronJob: o => o.spec?.jobTemplate?.spec?.parallelism ?? 1,
};

/** A workload's own selector when it is labels only (see `PodConsumer.selectorLabels`). */
function selectorLabelsOf(kind: string, json: any): { [key: string]: string } | undefined {
  if (kind === 'ReplicationController') return json.spec?.selector ? { ...json.spec.selector } : undefined;
  if (!['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(kind)) return undefined;
  const selector = json.spec?.selector;
  if (!selector?.matchLabels || (selector.matchExpressions ?? []).length > 0 || Object.keys(selector.matchLabels).length === 0) return undefined;
  return { ...selector.matchLabels };
}

/** Operation counts, for the test that pins linear growth (test/scale.test.ts). */
export interface IndexStats {
  /** Indexes built (tree walks made by the index). */
  walks: number;
  /** Validation passes that reused the index and results of the previous pass. */
  reusedPasses: number;
  /** Objects rendered by the index (in full, or the part their construct declared). */
  renders: number;
  /** Reused passes recognised as cdk8s's per-chart passes of one synthesis: no walk, no comparison. */
  fastPasses: number;
  /** Constructs visited by the walks of the index (to build it, or to see whether the app changed). */
  visited: number;
}

const STATS: IndexStats = { walks: 0, reusedPasses: 0, renders: 0, fastPasses: 0, visited: 0 };

/** The counters of every index built in this process (a live object; tests reset it). */
export function indexStats(): IndexStats {
  return STATS;
}

const INDEXES = new WeakMap<IConstruct, AppIndex>();
const DECLARED = new WeakMap<ApiObject, () => any>();

/**
 * Lets a construct of this library hand the index what it needs of one of its objects without a
 * full render: e.g. a PersistentVolume's class, or a StatefulSet's pod spec without the L1
 * serialization of the rest. `view` returns a part of the object's Kubernetes JSON (with `kind`);
 * JSON patches added to the object are not seen by the checks.
 */
export function declareView(apiObject: ApiObject, view: () => any): void {
  DECLARED.set(apiObject, view);
}
const RESETTING = new WeakSet<IConstruct>();
/** Apps whose last validation pass ran in the current synchronous run (cleared by a microtask). */
const SESSIONS = new WeakSet<IConstruct>();

/**
 * What an object rendered by this library is, for the order Argo CD applies it in (see
 * `SyncWaves`): storage, configuration, a data store, a restore into a store, a migration or a
 * consumer of a store.
 */
export type RenderedRole = 'storage' | 'configuration' | 'dataStore' | 'restore' | 'migration' | 'consumer';

const ROLES = new WeakMap<IConstruct, RenderedRole>();
/** Containers wired to a data store as consumers: the workloads holding them are consumers. */
const CONSUMER_CONTAINERS = new WeakSet<Container>();
/** Work done at the start of every validation pass of an app (e.g. stamping sync waves), by root. */
const PASS_HOOKS = new WeakMap<IConstruct, Array<(index: AppIndex) => void>>();

/** Records what the objects a construct renders (the construct itself if an ApiObject, and everything below it) are. */
export function declareRole(scope: IConstruct, role: RenderedRole): void {
  ROLES.set(scope, role);
}

/** Workloads that do not carry their connections' checksums (they run once and never roll: migrations). */
const NOT_ROLLED = new WeakSet<IConstruct>();

/**
 * Records a workload whose pod template must not carry the checksums of its connections: a Job
 * whose template is immutable and which runs once, whatever address it was given (a migration).
 */
export function declareNotRolled(workload: IConstruct): void {
  NOT_ROLLED.add(workload);
}

/** Whether a workload wired to a connection carries the connection's checksum on its pod template. */
export function rollsWithConnections(workload: IConstruct): boolean {
  return !NOT_ROLLED.has(workload);
}

/** Records a container wired to a data store as a consumer. */
export function declareConsumer(container: Container): void {
  CONSUMER_CONTAINERS.add(container);
}

/**
 * Adds a validation to `scope` for a check that needs the complete tree: `validate` runs once per
 * synthesis generation (see src/private/synthesis-memo.ts) with the app's index, and the passes
 * cdk8s repeats for each chart return its errors again without running it. Use it for every
 * deferred check of this library whose result depends only on the app (its constructs, what the
 * library's methods set, the containers the library watches); a check that calls `warn()` goes
 * through `addValidationWithWarnings()` instead, whose reporter is memoized the same way.
 */
export function addSynthesisCheck(scope: IConstruct, validate: (index: AppIndex) => string[]): void {
  const root = scope.node.root;
  AppIndex.watch(root);
  const memo = new GenerationMemo<string[]>(root);
  scope.node.addValidation({ validate: () => memo.get(() => validate(AppIndex.of(root))) });
}

/**
 * Runs `hook` at the start of every validation pass of the app `scope` belongs to, before any
 * check, with the pass's index. Hooks may change metadata of rendered objects, never the tree.
 */
export function onEveryPass(scope: IConstruct, hook: (index: AppIndex) => void): void {
  const root = scope.node.root;
  AppIndex.watch(root);
  const hooks = PASS_HOOKS.get(root);
  if (hooks) hooks.push(hook);
  else PASS_HOOKS.set(root, [hook]);
}

/**
 * Ingress isolation of in-cluster stores: a decision, per `StatefulWorkload`, whether only the
 * pods wired to the store (its consumers, and the store's own pods) can open connections to its
 * pods, e.g. because a NetworkPolicy derived from the app's `DataStoreConnection`s admits only
 * them. Keyed by the workload that runs the store's pods (a preset's `workload`).
 *
 * The `unauthenticated-store` warning asks `AppIndex.ingressIsolated()` about every store that
 * serves clients without credentials, and stays silent for an isolated one. Nothing in the library
 * isolates a store yet, so every store is "not isolated" and the warning fires for each of them.
 * The network-isolation work (NetworkPolicies derived from the wiring) is meant to call
 * `declareIngressIsolation()` for each workload it covers; the decision runs at validation time,
 * when the wiring is complete, at most once per synthesis.
 */
const INGRESS_ISOLATION = new WeakMap<IConstruct, (index: AppIndex) => boolean>();

/**
 * Declares how to decide whether the pods of `workload` admit connections only from the pods
 * wired to it (see `INGRESS_ISOLATION`). `isolated` is called from a validation, with the pass's
 * index, and must not change the tree. A later declaration for the same workload replaces the
 * earlier one.
 *
 * @param workload the `StatefulWorkload` running the store's pods
 * @param isolated whether its ingress is isolated to its wired pods (default: always)
 */
export function declareIngressIsolation(workload: IConstruct, isolated: (index: AppIndex) => boolean = () => true): void {
  INGRESS_ISOLATION.set(workload, isolated);
  touch();
}

/** Work done for every `StatefulWorkload` of an app when it is created, by root (see `onEveryStore()`). */
const STORE_HOOKS = new WeakMap<IConstruct, Array<(workload: IConstruct) => void>>();

/**
 * Runs `hook` for every `StatefulWorkload` created in the app `scope` belongs to from now on, at
 * the end of its constructor (e.g. to add the NetworkPolicy that isolates it). Workloads created
 * earlier are the caller's to find.
 */
export function onEveryStore(scope: IConstruct, hook: (workload: IConstruct) => void): void {
  const root = scope.node.root;
  const hooks = STORE_HOOKS.get(root);
  if (hooks) hooks.push(hook);
  else STORE_HOOKS.set(root, [hook]);
}

/** Called by `StatefulWorkload` at the end of its constructor: runs the hooks of `onEveryStore()`. */
export function declareStore(workload: IConstruct): void {
  for (const hook of STORE_HOOKS.get(workload.node.root) ?? []) hook(workload);
}

/** The cdk8s-plus containers the constructs of each app render or wire, by root. */
const CONTAINERS = new WeakMap<IConstruct, Set<Container>>();

/**
 * Call for every cdk8s-plus container a construct of this library renders or wires: a container
 * can change after construction without a new construct (`mount()` of an existing volume,
 * `env.addVariable()`, `addPort()`), and a synthesis pass reuses the previous pass's results
 * only while every such container is as it was.
 */
export function watchContainer(scope: IConstruct, container: Container): void {
  const root = scope.node.root;
  let set = CONTAINERS.get(root);
  if (!set) CONTAINERS.set(root, set = new Set());
  set.add(container);
  touch();
}

/**
 * What the watched containers of an app hold, as a flat list of the objects cdk8s-plus creates
 * for each change (mounts, variables, env sources, ports): equal lists mean unchanged containers.
 */
function containerParts(root: IConstruct): unknown[] {
  return partsOf(CONTAINERS.get(root) ?? []);
}

/** What these containers hold (see `containerParts()`). */
function partsOf(containers: Iterable<Container>): unknown[] {
  const parts: unknown[] = [];
  for (const c of containers) {
    parts.push(c, ...c.mounts, ...c.env.sources, ...c.ports);
    for (const [name, value] of Object.entries(c.env.variables)) parts.push(name, value);
  }
  return parts;
}

/**
 * A value computed from a construct's own state, kept while that state is unchanged: no method of
 * this library was called since (`touch()`) and the given containers hold the same mounts,
 * variables, env sources and ports. Lets a construct render once what every validation pass and
 * the manifest need (e.g. a pod spec).
 */
export class OwnStateCache<T> {
  private state?: { mutations: number; parts: unknown[]; value: T };

  /** The value, computed by `compute` unless the state it was computed from is unchanged. */
  public get(containers: Container[], compute: () => T): T {
    const parts = partsOf(containers);
    const mutations = mutationCount();
    if (this.state && this.state.mutations === mutations && sameParts(this.state.parts, parts)) return this.state.value;
    const value = compute();
    this.state = { mutations, parts, value };
    return value;
  }
}

function sameParts(a: unknown[] | undefined, b: unknown[]): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return false;
  }
  return true;
}

/** `.../cdk8s/lib/app.js`, in any installation of cdk8s (either path separator). */
const CDK8S_APP_MODULE = /[\\/]cdk8s[\\/]lib[\\/]app\.js$/;

/**
 * Whether the validation pass running now is one of those cdk8s repeats for each chart inside one
 * `App.synth()` or `App.synthYaml()` call: the call stack holds cdk8s's `App._synthChart()`,
 * called (through `Chart.toJson()`) by `App.synth()` or `App.synthYaml()` of the same cdk8s.
 * Such a pass follows the first pass of the same call, with only cdk8s in between. Read from
 * the structured call stack (V8's call sites): a few microseconds, against a walk of the whole
 * tree. Anything else (`Chart.toJson()` or `Testing.synth()` called directly, a bundled cdk8s whose
 * file names differ) is not recognised and gets the full comparison.
 */
function repeatedPassOfOneSynthesis(): boolean {
  // V8's call sites only (Node.js); elsewhere every pass gets the full comparison
  if (typeof Error.captureStackTrace !== 'function') return false;
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  let frames: NodeJS.CallSite[] | undefined;
  try {
    Error.prepareStackTrace = (_error, callSites) => callSites;
    Error.stackTraceLimit = 16;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, repeatedPassOfOneSynthesis);
    frames = Array.isArray(holder.stack) ? holder.stack as NodeJS.CallSite[] : undefined;
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
  if (!frames) return false;
  let app: string | undefined;
  for (const frame of frames) {
    const file = frame.getFileName();
    if (!file || !CDK8S_APP_MODULE.test(file)) continue;
    const name = frame.getFunctionName();
    if (app === undefined) {
      if (name === '_synthChart') app = file;
    } else if (file === app && (name === 'synth' || name === 'synthYaml')) {
      return true;
    }
  }
  return false;
}

/**
 * The app-wide facts of one app, and the validation results of its constructs, for one
 * synthesis.
 *
 * cdk8s validates the whole app once per synthesis and then once more for every chart it renders
 * (`Chart.toJson()` calls `App._synthChart()`, which validates the app): an app of C charts is
 * validated C + 1 times by one `app.synth()`. So the index, and every validation result memoized
 * with `memo()`, is kept from one pass to the next while the app is the same app: the next pass
 * starts in the same synchronous run (no user code awaited in between), with as many constructs
 * as before, no method of this library changed anything since (`touch()`), and every container
 * the library renders or wires holds the same mounts, variables, env sources and ports
 * (`watchContainer()`). Otherwise the pass starts from a fresh index and every check runs again.
 * (Not seen: a change that adds no construct to a container this library neither renders nor
 * wires, e.g. a second container of a cdk8s-plus Deployment mounting an existing volume, made
 * between two syntheses in the same synchronous run.)
 */
export class AppIndex {
  /**
   * The index of the app `scope` belongs to. Call it from a validation (when the tree is
   * complete); the first call of a pass builds the index.
   */
  public static of(scope: IConstruct): AppIndex {
    const root = scope.node.root;
    AppIndex.watch(root);
    let index = INDEXES.get(root);
    if (!index) {
      index = new AppIndex(root.node.findAll());
      INDEXES.set(root, index);
    }
    return index;
  }

  /**
   * Call from the constructor of every construct of this library: registers, once per app, the
   * validation on the root that decides whether a pass starts from a fresh index and checks what
   * only the whole app can show (the same object rendered twice, namespace names).
   */
  public static watch(scope: IConstruct): void {
    const root = scope.node.root;
    if (RESETTING.has(root)) return;
    RESETTING.add(root);
    // the root is validated first in every pass
    root.node.addValidation({ validate: () => AppIndex.startPass(root) });
  }

  private static startPass(root: IConstruct): string[] {
    const previous = INDEXES.get(root);
    let index: AppIndex;
    if (previous?.mutations === mutationCount() && SESSIONS.has(root) && repeatedPassOfOneSynthesis()) {
      // cdk8s's pass for one more chart of the `App.synth()`/`synthYaml()` call whose first pass
      // built or kept `previous`: only cdk8s ran since (and rendered a chart), so the app is the
      // same app and the pass costs no walk
      STATS.reusedPasses++;
      STATS.fastPasses++;
      index = previous;
      // every check of this generation has run: what was rendered for them is not needed again
      index.releaseFacets();
    } else {
      const constructs = root.node.findAll();
      STATS.visited += constructs.length;
      const mutations = mutationCount();
      const fingerprint = `${constructs.length}/${mutations}/${process.env[STRICT_ENV] ?? ''}`;
      const parts = containerParts(root);
      if (previous && SESSIONS.has(root) && previous.fingerprint === fingerprint && sameParts(previous.parts, parts)) {
        STATS.reusedPasses++;
        index = previous;
      } else {
        index = new AppIndex(constructs, fingerprint, parts, mutations);
        INDEXES.set(root, index);
        // every result memoized for the previous generation is stale
        startGeneration(root, index);
        if (!SESSIONS.has(root)) {
          SESSIONS.add(root);
          queueMicrotask(() => SESSIONS.delete(root));
        }
        for (const hook of PASS_HOOKS.get(root) ?? []) hook(index);
        // a hook that read the rendered pods (SyncWaves: the pods that mount a claim) read them
        // before the hooks after it changed them (a connection's wait init container): the checks
        // render them again
        index.releasePodFacets();
      }
    }
    return index.memo(root, () => {
      index.raiseAppWarnings();
      return index.appErrors();
    });
  }

  private readonly byKind = new Map<string, ApiObject[]>();
  private readonly all: ApiObject[] = [];
  private _storageClasses?: Map<string, StorageClassFacts>;
  private _defaultClasses?: DefaultStorageClass[];
  private _volumeClasses?: Set<string>;
  private _podConsumers?: PodConsumer[];
  private consumerObjects = new Map<PodConsumer, ApiObject>();
  private _containerConsumers?: Map<Container, PodConsumer>;
  private _objectConsumers?: Map<ApiObject, PodConsumer>;
  private _claimUsers?: Map<string, PodConsumer[]>;
  private _volumeUsers?: Map<string, PodConsumer[]>;
  private _owners?: Map<Container, IConstruct>;

  private readonly results = new Map<IConstruct, string[]>();
  private readonly isolation = new Map<IConstruct, boolean>();
  private readonly facets = new Map<object, unknown>();
  private readonly constructs: IConstruct[];

  /**
   * @param fingerprint construct count and mutation count when a pass built the index; undefined
   * for an index built outside a pass (e.g. a test validating constructs one by one), whose
   * results are never reused
   * @param parts the watched containers' parts when a pass built the index
   * @param mutations the mutation count (`touch()`) when a pass built the index
   */
  private constructor(constructs: IConstruct[], private readonly fingerprint?: string, private readonly parts?: unknown[],
    private readonly mutations?: number) {
    STATS.walks++;
    this.constructs = constructs;
    for (const c of constructs) {
      if (!(c instanceof ApiObject)) continue;
      this.all.push(c);
      const list = this.byKind.get(c.kind);
      if (list) list.push(c);
      else this.byKind.set(c.kind, [c]);
    }
  }

  /**
   * Drops the facets that hold rendered JSON (the pod consumers' pod specs and what is derived
   * from them), once the checks of the generation have run: the passes cdk8s repeats for each
   * chart answer from the memo, so the memory would otherwise be kept, through the chart's
   * rendering and YAML serialization, only for checks that already ran. A question asked later
   * computes its facet again.
   */
  public releaseFacets(): void {
    this._podConsumers = undefined;
    this.consumerObjects = new Map();
    this._containerConsumers = undefined;
    this._objectConsumers = undefined;
    this._claimUsers = undefined;
    this._volumeUsers = undefined;
    this._owners = undefined;
  }

  /** Drops what was derived from the rendered pods (see `releaseFacets()`), keeping the owners of containers. */
  public releasePodFacets(): void {
    if (!this._podConsumers) return;
    this._podConsumers = undefined;
    this.consumerObjects = new Map();
    this._containerConsumers = undefined;
    this._objectConsumers = undefined;
    this._claimUsers = undefined;
    this._volumeUsers = undefined;
  }

  /**
   * The validation result of `scope` in this synthesis: `validate()` runs on the first pass and
   * its errors are returned again by the passes cdk8s repeats for each chart.
   */
  public memo(scope: IConstruct, validate: () => string[]): string[] {
    if (this.fingerprint === undefined) return validate();
    let errors = this.results.get(scope);
    if (!errors) {
      errors = validate();
      this.results.set(scope, errors);
    }
    return [...errors];
  }

  /**
   * A fact of the app that a group above the shared code computes (e.g. the network policies
   * derived from the wiring): `compute` runs once per index, the first time `key` is asked for,
   * and may call the other facets. `key` is a module-level object of the group that owns the fact.
   */
  public facet<T>(key: object, compute: (index: AppIndex) => T): T {
    if (!this.facets.has(key)) this.facets.set(key, compute(this));
    return this.facets.get(key) as T;
  }

  /**
   * The constructs of the app (every one, in construct tree order) that pass `test`: read from the
   * walk the index made, never a walk of its own.
   */
  public constructsWhere(test: (c: IConstruct) => boolean): IConstruct[] {
    return this.constructs.filter(test);
  }

  /**
   * The StorageClass of this name rendered anywhere in the app, if any.
   */
  public storageClass(name: string | undefined): StorageClassFacts | undefined {
    if (name === undefined || name === '') return undefined;
    return this.storageClasses().get(name);
  }

  /**
   * The StorageClasses of the app marked as the cluster's default (one per name), in construct
   * tree order, whichever construct made them.
   */
  public defaultStorageClasses(): readonly DefaultStorageClass[] {
    this.storageClasses();
    return this._defaultClasses!;
  }

  /**
   * The class a claim without a `storageClassName` gets from this app: its one StorageClass
   * marked default. Undefined when the app marks none (the cluster's own default applies, if
   * any) or several (the newest wins, and creation times are not known at synth).
   */
  public defaultStorageClass(): StorageClassFacts | undefined {
    const defaults = this.defaultStorageClasses();
    return defaults.length === 1 ? defaults[0].facts : undefined;
  }

  /** The StorageClass facet: every class of the app by name, and the ones marked default; each class rendered once. */
  private storageClasses(): Map<string, StorageClassFacts> {
    if (!this._storageClasses) {
      this._storageClasses = new Map();
      this._defaultClasses = [];
      for (const o of this.objects('StorageClass')) {
        const json = this.render(o);
        const className = json.metadata?.name;
        if (typeof className !== 'string' || this._storageClasses.has(className)) continue;
        const provisioner = String(json.provisioner ?? '');
        const facts: StorageClassFacts = {
          storageClassName: className,
          provisioner,
          dynamicProvisioning: provisioner !== NO_PROVISIONER,
          volumeBindingMode: json.volumeBindingMode ?? 'Immediate',
          reclaimPolicy: json.reclaimPolicy ?? 'Delete',
        };
        this._storageClasses.set(className, facts);
        const annotation = DEFAULT_CLASS_ANNOTATIONS.find(key => json.metadata?.annotations?.[key] === 'true');
        if (annotation) this._defaultClasses.push({ facts, apiObject: o, annotation });
      }
    }
    return this._storageClasses;
  }

  /** Whether the app renders a PersistentVolume of this class (`''`: volumes without a class). */
  public hasPersistentVolumeOfClass(className: string): boolean {
    if (!this._volumeClasses) {
      this._volumeClasses = new Set(this.objects('PersistentVolume').map(pv => this.render(pv).spec?.storageClassName ?? ''));
    }
    return this._volumeClasses.has(className);
  }

  /** Every object in the app (all charts) that runs pods, rendered. */
  public podConsumers(): PodConsumer[] {
    if (!this._podConsumers) {
      const result: PodConsumer[] = [];
      for (const kind of Object.keys(PODS)) {
        for (const o of this.objects(kind)) {
          const json = this.render(o);
          const template = podTemplatesOf(json)[0];
          const podSpec = template?.spec;
          if (!podSpec) continue;
          const consumer: PodConsumer = {
            id: `${o.kind}/${o.name}`,
            kind: o.kind,
            name: o.name,
            namespace: json.metadata?.namespace,
            pods: PODS[kind](json),
            strategy: kind === 'Deployment' ? json.spec?.strategy : undefined,
            runsOnceAtATime: (kind === 'Job' || (kind === 'CronJob' && json.spec?.concurrencyPolicy === 'Forbid')) && PODS[kind](json) === 1,
            podSpec,
            podLabels: { ...template.metadata?.labels },
            selectorLabels: selectorLabelsOf(kind, json),
          };
          result.push(consumer);
          this.consumerObjects.set(consumer, o);
        }
      }
      this._podConsumers = result;
    }
    return this._podConsumers;
  }

  /**
   * Every object of the app with its role: the role the nearest construct above it declared, `consumer` for the
   * object of a cdk8s-plus workload one of whose containers is wired to a data store, or
   * undefined.
   */
  public roles(): Array<{ apiObject: ApiObject; role?: RenderedRole }> {
    return this.all.map(apiObject => {
      const scopes = apiObject.node.scopes;
      for (let i = scopes.length - 1; i >= 0; i--) {
        const declared = ROLES.get(scopes[i]);
        if (declared) return { apiObject, role: declared };
      }
      const owner = apiObject.node.scope as { containers?: unknown } | undefined;
      const containers = Array.isArray(owner?.containers) ? owner!.containers as Container[] : [];
      return { apiObject, role: containers.some(c => CONSUMER_CONTAINERS.has(c)) ? 'consumer' : undefined };
    });
  }

  /**
   * The construct whose pods run `container` (the cdk8s-plus workload, or a `StatefulWorkload`:
   * whatever construct above a rendered object lists it in `containers`), if any.
   */
  public ownerOf(container: Container): IConstruct | undefined {
    if (!this._owners) {
      this._owners = new Map();
      for (const o of this.all) {
        const owner = o.node.scope as { containers?: unknown; initContainers?: unknown } | undefined;
        if (!owner) continue;
        for (const list of [owner.containers, owner.initContainers]) {
          if (!Array.isArray(list)) continue;
          for (const c of list) if (!this._owners.has(c)) this._owners.set(c, owner as IConstruct);
        }
      }
    }
    return this._owners.get(container);
  }

  /**
   * The pod consumer whose pods run this cdk8s-plus container: the rendered object of the
   * construct that holds it in its `containers` or `initContainers` (a cdk8s-plus workload, a
   * `StatefulWorkload`). Undefined when no rendered object runs it.
   */
  public podConsumerOf(container: Container): PodConsumer | undefined {
    if (!this._containerConsumers) {
      this._containerConsumers = new Map();
      for (const consumer of this.podConsumers()) {
        // cdk8s-plus workloads and StatefulWorkload keep their object as a direct child
        const owner = this.consumerObjects.get(consumer)!.node.scope as { containers?: unknown; initContainers?: unknown } | undefined;
        for (const list of [owner?.initContainers, owner?.containers]) {
          if (!Array.isArray(list)) continue;
          for (const c of list) {
            if (c instanceof Container && !this._containerConsumers.has(c)) this._containerConsumers.set(c, consumer);
          }
        }
      }
    }
    return this._containerConsumers.get(container);
  }

  /** The pod consumer a rendered object of the app is (a Deployment, a Job, ...), if it runs pods. */
  public podConsumerOfObject(apiObject: ApiObject): PodConsumer | undefined {
    const consumers = this.podConsumers();
    if (!this._objectConsumers) {
      this._objectConsumers = new Map();
      for (const c of consumers) this._objectConsumers.set(this.consumerObjects.get(c)!, c);
    }
    return this._objectConsumers.get(apiObject);
  }

  /** The rendered object a pod consumer of this index is. */
  public objectOf(consumer: PodConsumer): ApiObject | undefined {
    return this.consumerObjects.get(consumer);
  }

  /** The pod consumers in `namespace` whose pods mount the claim `claimName`. */
  public claimUsers(namespace: string | undefined, claimName: string): PodConsumer[] {
    if (!this._claimUsers) {
      this._claimUsers = new Map();
      for (const c of this.podConsumers()) {
        const claims = new Set<string>((c.podSpec.volumes ?? [])
          .map((v: any) => v.persistentVolumeClaim?.claimName)
          .filter((n: unknown) => typeof n === 'string'));
        for (const claim of claims) push(this._claimUsers, `${c.namespace ?? ''}/${claim}`, c);
      }
    }
    return this._claimUsers.get(`${namespace ?? ''}/${claimName}`) ?? [];
  }

  /** The pod consumers whose pod spec has a volume named `volumeName`. */
  public volumeUsers(volumeName: string): PodConsumer[] {
    if (!this._volumeUsers) {
      this._volumeUsers = new Map();
      for (const c of this.podConsumers()) {
        const names = new Set<string>((c.podSpec.volumes ?? []).map((v: any) => v.name));
        for (const name of names) push(this._volumeUsers, name, c);
      }
    }
    return this._volumeUsers.get(volumeName) ?? [];
  }

  /**
   * Whether the pods of `workload` (a `StatefulWorkload`) admit connections only from the pods
   * wired to it: the decision declared with `declareIngressIsolation()`, made once per index; false
   * when none was declared (nothing in the library isolates a store yet).
   */
  public ingressIsolated(workload: IConstruct): boolean {
    let isolated = this.isolation.get(workload);
    if (isolated === undefined) {
      const decide = INGRESS_ISOLATION.get(workload);
      isolated = decide ? decide(this) === true : false;
      this.isolation.set(workload, isolated);
    }
    return isolated;
  }

  /**
   * Errors only the whole app shows: two objects that the API server would take for one (same API
   * group, kind, namespace and name: the second apply silently replaces the first), whichever
   * construct made them; and namespaces that cannot exist.
   */
  private appErrors(): string[] {
    const errors: string[] = [];
    const seen = new Map<string, ApiObject>();
    const badNamespaces = new Map<string, string[]>();
    for (const o of this.all) {
      const clusterScoped = CLUSTER_SCOPED.has(o.kind);
      const namespace = clusterScoped ? undefined : o.metadata.namespace;
      if (namespace !== undefined && !isNamespaceName(namespace)) {
        badNamespaces.set(namespace, [...badNamespaces.get(namespace) ?? [], o.node.path]);
      }
      const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
      const key = `${group}|${o.kind}|${namespace ?? ''}|${o.name}`;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, o);
        continue;
      }
      const what = `${o.kind} ${namespace !== undefined ? `${namespace}/` : ''}${o.name}${group ? ` (${group})` : ''}`;
      errors.push(`${what} is rendered twice: by '${first.node.path}' and by '${o.node.path}'. `
        + 'Objects of one API group and kind must differ in namespace or name, or applying the second silently replaces the first. '
        + 'Give one of them another \'metadata.name\' (or namespace), or remove the duplicate.');
    }
    for (const [namespace, paths] of badNamespaces) {
      errors.push(`invalid namespace ${JSON.stringify(namespace)} (used by ${paths.slice(0, 3).map(p => `'${p}'`).join(', ')}${paths.length > 3 ? `, and ${paths.length - 3} more` : ''}). `
        + 'A namespace must be a DNS-1123 label of at most 63 characters: lower case letters, digits and \'-\', starting and ending with a letter or digit. '
        + 'Fix the namespace of the chart or the \'metadata.namespace\' of the object.');
    }
    return errors;
  }

  /**
   * Warnings only the whole app shows, raised on the constructs they concern (whichever construct
   * made them). This runs in the root's validation, which cdk8s runs first in every pass, so each
   * warning is reported (printed, or a strict-mode error) by its construct's validation later in
   * the same pass.
   *
   * Two StorageClasses marked default: one warning, on the second in construct tree order (the one
   * that makes it two): a `StorageClass` of this library, or the rendered object of any other.
   */
  private raiseAppWarnings(): void {
    const defaults = this.defaultStorageClasses();
    if (defaults.length < 2) return;
    const second = defaults[1];
    const on = classOwner(second.apiObject);
    const byFlag = on !== second.apiObject && (on as { isDefaultClass?: unknown }).isDefaultClass === true;
    const list = defaults.map(d => `"${d.facts.storageClassName}" ('${classOwner(d.apiObject).node.path}')`).join(', ');
    warn(on, WARNINGS.TWO_DEFAULT_STORAGE_CLASSES, warningMessage(`StorageClass '${on.node.path}'`,
      byFlag ? 'isDefaultClass' : `metadata.annotations["${second.annotation}"]`, byFlag ? 'true' : '"true"',
      `The app marks ${defaults.length} StorageClasses as the cluster's default: ${list}. `
      + 'Kubernetes 1.27 gives a claim without a \'storageClassName\' the newest of them, so where such claims land depends on which class was created last',
      'Mark one class as the default, and name the class in the claims that need another'));
  }

  private objects(kind: string): ApiObject[] {
    return this.byKind.get(kind) ?? [];
  }

  /** The object's JSON, or the part of it its construct declared: each facet renders the kinds it needs once. */
  private render(o: ApiObject): any {
    STATS.renders++;
    const view = DECLARED.get(o);
    return view ? view() : o.toJson();
  }
}

/** Kinds without a namespace: their identity is group, kind and name. */
const CLUSTER_SCOPED = new Set([
  'APIService', 'CertificateSigningRequest', 'ClusterRole', 'ClusterRoleBinding', 'ComponentStatus', 'CSIDriver', 'CSINode',
  'CustomResourceDefinition', 'FlowSchema', 'IngressClass', 'MutatingWebhookConfiguration', 'Namespace', 'Node',
  'PersistentVolume', 'PriorityClass', 'PriorityLevelConfiguration', 'RuntimeClass', 'StorageClass',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ValidatingWebhookConfiguration', 'VolumeAttachment',
  // snapshot.storage.k8s.io
  'VolumeSnapshotClass', 'VolumeSnapshotContent',
]);

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function isNamespaceName(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

/**
 * The construct to report on for a rendered StorageClass: the construct that exposes it as its
 * `apiObject` (a `StorageClass` of this library), or the object itself (an L1, an include).
 */
function classOwner(apiObject: ApiObject): IConstruct {
  const scope = apiObject.node.scope as { apiObject?: unknown } | undefined;
  return scope?.apiObject === apiObject ? scope as IConstruct : apiObject;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * The facts of a storage class given as an object (a `StorageClass` of this library, read through
 * its public attributes) or, failing that, the class of that name rendered in the app.
 */
export function resolveStorageClass(scope: IConstruct, name: string | undefined, given?: unknown): StorageClassFacts | undefined {
  const own = given as { storageClassName?: unknown; provisioner?: unknown; volumeBindingMode?: unknown; reclaimPolicy?: unknown } | undefined;
  if (own && typeof own.provisioner === 'string' && typeof own.storageClassName === 'string') {
    return {
      storageClassName: own.storageClassName,
      provisioner: own.provisioner,
      dynamicProvisioning: own.provisioner !== NO_PROVISIONER,
      volumeBindingMode: typeof own.volumeBindingMode === 'string' ? own.volumeBindingMode : 'Immediate',
      reclaimPolicy: typeof own.reclaimPolicy === 'string' ? own.reclaimPolicy : 'Delete',
    };
  }
  return AppIndex.of(scope).storageClass(name);
}
