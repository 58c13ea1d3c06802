/**
 * What a StatefulSet states about the engine it runs: two annotations the presets put on their
 * StatefulSet, and that a StatefulWorkload of one's own may carry (`metadata.annotations`), so
 * that the upgrade guard (src/gitops) knows the engine and its version even when the image comes
 * from a mirror or a build of one's own:
 *
 * - `cdk8s-stateful/engine`: `postgres`, `redis`, `valkey` or `cassandra`; the engine runs in the
 *   container of that name (the presets name their engine container so), or in the pod's only
 *   container;
 * - `cdk8s-stateful/engine-version`: the version it runs, e.g. `17.11` or `7.2.16` (the image
 *   tag without its Debian variant).
 *
 * On the StatefulSet's own metadata, not on its pod template: a change of annotations there
 * restarts no pod (a pod template annotation would roll every pod once when it first appears).
 *
 * Shared by the presets (src/engines), which write them, and the upgrade guard, which reads them.
 */
import type { EngineKind } from './engine-versions';

/** The engine a StatefulSet runs. */
export const ENGINE_ANNOTATION = 'cdk8s-stateful/engine';
/** The version of that engine. */
export const ENGINE_VERSION_ANNOTATION = 'cdk8s-stateful/engine-version';

/** The engines the annotation may name, in the order the guard tries them. */
export const ENGINE_KINDS: readonly EngineKind[] = ['postgres', 'redis', 'valkey', 'cassandra'];

/**
 * The annotations a preset puts on its StatefulSet: the engine, and the version of the image tag
 * (its numbers; a Debian variant suffix such as `-bookworm` is left out).
 *
 * @param engine the engine
 * @param tag the image tag the preset runs, e.g. `17.11-bookworm`
 */
export function engineAnnotations(engine: EngineKind, tag: string): Record<string, string> {
  const numbers = /^([0-9]+(?:\.[0-9]+)*)/.exec(tag);
  return {
    [ENGINE_ANNOTATION]: engine,
    [ENGINE_VERSION_ANNOTATION]: numbers ? numbers[1] : tag,
  };
}
