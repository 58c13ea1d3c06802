import { IConstruct } from 'constructs';

/**
 * Synth-time warnings: problems that may still work out in the cluster (e.g. a claim the cluster
 * could still provision dynamically), as opposed to errors, which can never work.
 *
 * cdk8s has no warnings channel of its own, so a warning is recorded as construct metadata of
 * type `WARNING_METADATA` (tests and tools read it with `warningsOf()`) and printed once to
 * stderr, which `cdk8s synth` shows.
 */
export const WARNING_METADATA = 'cdk8s-stateful:warning';

/**
 * Builds a warning in the shape of our error messages:
 * `<Construct> '<path>': warning: '<prop>': <value>. <what may go wrong>. <how to fix>.`
 */
export function warningMessage(where: string, prop: string, value: string, risk: string, fix: string): string {
  return `${where}: warning: '${prop}': ${value}. ${risk}. ${fix}.`;
}

/** Records a warning on a construct (once per construct and message) and prints it. */
export function warn(scope: IConstruct, message: string): void {
  if (warningsOf(scope).includes(message)) return;
  scope.node.addMetadata(WARNING_METADATA, message);
  // eslint-disable-next-line no-console
  console.warn(`[WARNING] ${message}`);
}

/** The warnings recorded on a construct. */
export function warningsOf(scope: IConstruct): string[] {
  return scope.node.metadata.filter(m => m.type === WARNING_METADATA).map(m => String(m.data));
}

/** The warnings recorded on a construct and everything under it. */
export function allWarnings(scope: IConstruct): string[] {
  return scope.node.findAll().flatMap(c => warningsOf(c));
}
