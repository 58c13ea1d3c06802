import { IConstruct } from 'constructs';
import { GenerationMemo, touch } from './synthesis-memo';
import { fail } from './validation';

/**
 * Synth-time warnings: problems that may still work out in the cluster (e.g. a claim the cluster
 * could still provision dynamically), as opposed to errors, which can never work.
 *
 * cdk8s has no warnings channel of its own, so a warning is recorded as construct metadata of
 * type `WARNING_METADATA` (tests and tools read it with `warningsOf()` or the public
 * `Warnings.of(scope).list()`), and reported when the app is validated: printed once to stderr
 * (which `cdk8s synth` shows) or, in strict mode, returned as a validation error. Reporting at
 * validation time (not when the warning is raised) is what lets an acknowledgement made after the
 * construct was built still count.
 *
 * Every warning has a stable id, `cdk8s-stateful:<kebab-id>`, listed in `WARNINGS` and in the
 * Warnings table of docs/warnings.md, shown at the end of its message: `... <how to fix>. [cdk8s-stateful:<id>]`.
 */
export const WARNING_METADATA = 'cdk8s-stateful:warning';

/** Metadata type of an acknowledgement (`{ id, reason }`), on the scope that acknowledged. */
export const ACKNOWLEDGEMENT_METADATA = 'cdk8s-stateful:acknowledged-warning';

/** Environment variable that turns every unacknowledged warning into a synthesis error. */
export const STRICT_ENV = 'CDK8S_STATEFUL_STRICT';

/** Context key that does the same as `STRICT_ENV`, for the scope it is set on and below. */
export const STRICT_CONTEXT = 'cdk8s-stateful:strict';

/** Every warning the library can raise: id -> what it is about (used in errors listing the ids). */
export const WARNINGS = {
  MAX_UNAVAILABLE_ALPHA: 'cdk8s-stateful:max-unavailable-alpha',
  DISRUPTION_BUDGET_BLOCKS_EVICTION: 'cdk8s-stateful:disruption-budget-blocks-eviction',
  UNBINDABLE_CLAIM_TEMPLATE: 'cdk8s-stateful:unbindable-claim-template',
  NON_ROOT_WITHOUT_USER: 'cdk8s-stateful:non-root-without-user',
  MEMORY_VOLUME_EXCEEDS_LIMIT: 'cdk8s-stateful:memory-volume-exceeds-limit',
  READ_WRITE_ONCE_SHARED: 'cdk8s-stateful:read-write-once-shared',
  READ_WRITE_ONCE_SURGE: 'cdk8s-stateful:read-write-once-surge',
  LOCAL_VOLUME_IMMEDIATE_BINDING: 'cdk8s-stateful:local-volume-immediate-binding',
  MISSING_STATIC_VOLUMES: 'cdk8s-stateful:missing-static-volumes',
  LOCAL_VOLUMES_SHARE_NODE: 'cdk8s-stateful:local-volumes-share-node',
  GENERATED_NAME_WITH_CLAIMS: 'cdk8s-stateful:generated-name-with-claims',
  ZERO_TERMINATION_GRACE: 'cdk8s-stateful:zero-termination-grace',
  UNPINNED_IMAGE: 'cdk8s-stateful:unpinned-image',
  STATIC_VOLUME_RECLAIM_DELETE: 'cdk8s-stateful:static-volume-reclaim-delete',
  REDIS_PRIMARY_CLAIM_DELETION: 'cdk8s-stateful:redis-primary-claim-deletion',
  TWO_DEFAULT_STORAGE_CLASSES: 'cdk8s-stateful:two-default-storage-classes',
  EPHEMERAL_VOLUME_RETAIN_CLASS: 'cdk8s-stateful:ephemeral-volume-retain-class',
  REDIS_BACKUP_FROM_PRIMARY: 'cdk8s-stateful:redis-backup-from-primary',
  UNAUTHENTICATED_STORE: 'cdk8s-stateful:unauthenticated-store',
  VULNERABLE_ENGINE_VERSION: 'cdk8s-stateful:vulnerable-engine-version',
  UNMAINTAINED_ENGINE_VERSION: 'cdk8s-stateful:unmaintained-engine-version',
  SNAPSHOT_PRUNING_RETAINED: 'cdk8s-stateful:snapshot-pruning-retained',
  CREDENTIALS_IN_STORE_NAMESPACE: 'cdk8s-stateful:credentials-in-store-namespace',
  METRICS_PORT_CLOSED: 'cdk8s-stateful:metrics-port-closed',
  FEW_SENTINELS: 'cdk8s-stateful:few-sentinels',
  EGRESS_TO_DNS_NAME: 'cdk8s-stateful:egress-to-dns-name',
} as const;

/** A warning id, e.g. `cdk8s-stateful:non-root-without-user`. */
export type WarningId = typeof WARNINGS[keyof typeof WARNINGS];

/** Every warning id, in the order of `WARNINGS`. */
export const WARNING_IDS: readonly string[] = Object.values(WARNINGS);

/**
 * Builds a warning in the shape of our error messages:
 * `<Construct> '<path>': warning: '<prop>': <value>. <what may go wrong>. <how to fix>.`
 * (`warn()` appends the id: ` [cdk8s-stateful:<id>]`).
 */
export function warningMessage(where: string, prop: string, value: string, risk: string, fix: string): string {
  return `${where}: warning: '${prop}': ${value}. ${risk}. ${fix}.`;
}

/** A warning raised on a construct. */
export interface RaisedWarning {
  readonly id: WarningId;
  /** The message with the id appended, as printed. */
  readonly message: string;
}

/** An acknowledgement found for a warning. */
export interface Acknowledgement {
  readonly reason: string;
  /** The path of the construct that acknowledged it (the construct itself or one above it). */
  readonly path: string;
}

/** Per construct: the checks that may raise warnings, the warnings raised, and which were printed. */
interface Reporter {
  readonly checks: Array<() => string[]>;
  readonly raised: RaisedWarning[];
  readonly printed: Set<string>;
}

const REPORTERS = new WeakMap<IConstruct, Reporter>();

/**
 * The one validation of `scope` that runs its warning-raising checks and then reports every
 * warning raised on `scope`, at construction or by those checks. Registered on first use, so a
 * construct that warns in its constructor gets it too. It runs once per synthesis generation
 * (src/private/synthesis-memo.ts): the passes cdk8s repeats for each chart get its errors again,
 * and have nothing new to print (acknowledging a warning, or changing the strict-mode environment
 * variable, starts a new generation).
 */
function reporterOf(scope: IConstruct): Reporter {
  let reporter = REPORTERS.get(scope);
  if (!reporter) {
    const created: Reporter = { checks: [], raised: [], printed: new Set() };
    REPORTERS.set(scope, created);
    const memo = new GenerationMemo<string[]>(scope.node.root);
    scope.node.addValidation({ validate: () => memo.get(() => report(scope, created)) });
    reporter = created;
  }
  return reporter;
}

/**
 * Adds a validation to `scope` whose warnings are reported in the same validation pass: use it
 * instead of `node.addValidation` for every check that calls `warn()`, so strict mode turns the
 * warnings it raises into errors deterministically, whatever the order cdk8s validates in.
 */
export function addValidationWithWarnings(scope: IConstruct, validate: () => string[]): void {
  reporterOf(scope).checks.push(validate);
}

/**
 * Records a warning on a construct (once per construct and message); it is printed, or fails a
 * strict synthesis, when the app is validated, unless acknowledged by then.
 *
 * Call it from the constructor or from a check added with `addValidationWithWarnings()` on the same
 * scope (or from the app index's own validation of the root, which cdk8s runs before any other in
 * every pass: `AppIndex`'s app-wide warnings).
 */
export function warn(scope: IConstruct, id: WarningId, message: string): void {
  const reporter = reporterOf(scope);
  const full = `${message} [${id}]`;
  if (reporter.raised.some(w => w.message === full)) return;
  reporter.raised.push({ id, message: full });
  scope.node.addMetadata(WARNING_METADATA, full);
}

function report(scope: IConstruct, reporter: Reporter): string[] {
  const errors = reporter.checks.flatMap(check => check());
  const unacknowledged = reporter.raised.filter(w => !acknowledgementOf(scope, w.id));
  // read (and check) the switch even when there is nothing to report: a mistyped value fails at once
  const strict = isStrict(scope);
  for (const w of unacknowledged) {
    if (strict) {
      errors.push(strictError(scope, w));
    } else if (!reporter.printed.has(w.message)) {
      reporter.printed.add(w.message);
      // eslint-disable-next-line no-console
      console.warn(`[WARNING] ${w.message}`);
    }
  }
  return errors;
}

function strictError(scope: IConstruct, w: RaisedWarning): string {
  return `${w.message} Strict mode (${STRICT_ENV}=true or context "${STRICT_CONTEXT}") fails on every unacknowledged warning: `
    + `fix it, or acknowledge it on '${scope.node.path}' or a scope above it with `
    + `Warnings.of(scope).acknowledge("${w.id}", "<why it is fine here>").`;
}

/** Whether strict mode is on for `scope`: the environment variable or the context key says `true`. */
export function isStrict(scope: IConstruct): boolean {
  return parseSwitch(process.env[STRICT_ENV], `environment variable ${STRICT_ENV}`, `Set ${STRICT_ENV}=true, or unset it`)
    || parseSwitch(scope.node.tryGetContext(STRICT_CONTEXT), `context "${STRICT_CONTEXT}"`,
      `Set the context with node.setContext("${STRICT_CONTEXT}", true), or remove it`);
}

function parseSwitch(raw: unknown, prop: string, fix: string): boolean {
  if (raw === undefined || raw === null || raw === '' || raw === false || raw === 'false' || raw === '0') return false;
  if (raw === true || raw === 'true' || raw === '1') return true;
  throw fail('cdk8s-stateful strict mode', prop, raw, 'Must be true or false ("true", "false", "1" or "0")', fix);
}

/** Records an acknowledgement of warning `id` on `scope` (for itself and everything below it). */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  const where = `Warnings '${scope.node.path}'`;
  if (!WARNING_IDS.includes(id)) {
    // a known id without its prefix (an id that has the prefix twice is no known id either)
    const bare = WARNING_IDS.find(known => known === `cdk8s-stateful:${id}`);
    throw fail(where, 'id', id, `Must be the id of a cdk8s-stateful warning: ${WARNING_IDS.join(', ')}`,
      bare ? `Use the full id "${bare}"` : 'Use the id shown at the end of the warning, e.g. [cdk8s-stateful:non-root-without-user]');
  }
  if (typeof reason !== 'string' || reason.trim() === '') {
    throw fail(where, 'reason', reason, 'Must say why the warning does not apply here (it is kept as construct metadata for audit)',
      `Give a reason, e.g. acknowledge("${id}", "our clusters enable the feature gate")`);
  }
  scope.node.addMetadata(ACKNOWLEDGEMENT_METADATA, { id, reason: reason.trim() });
  touch();
}

/** The acknowledgement of warning `id` that applies to `scope`: the innermost, latest one. */
export function acknowledgementOf(scope: IConstruct, id: string): Acknowledgement | undefined {
  const scopes = scope.node.scopes;
  for (let i = scopes.length - 1; i >= 0; i--) {
    const entries = scopes[i].node.metadata.filter(m => m.type === ACKNOWLEDGEMENT_METADATA && m.data?.id === id);
    const last = entries[entries.length - 1];
    if (last) return { reason: last.data.reason, path: scopes[i].node.path };
  }
  return undefined;
}

/** The warnings raised on a construct (not below it), with their ids. */
export function raisedOn(scope: IConstruct): readonly RaisedWarning[] {
  return REPORTERS.get(scope)?.raised ?? [];
}

/** The warnings recorded on a construct. */
export function warningsOf(scope: IConstruct): string[] {
  return scope.node.metadata.filter(m => m.type === WARNING_METADATA).map(m => String(m.data));
}

/** The warnings recorded on a construct and everything under it. */
export function allWarnings(scope: IConstruct): string[] {
  return scope.node.findAll().flatMap(c => warningsOf(c));
}
