/**
 * The `unauthenticated-store` warning: an in-cluster store that serves clients presenting no
 * credentials, while nothing limits which pods can connect to it. Raised by every construct that
 * renders such a store (`StatefulWorkload` when its user declares it, `Redis` and `Cassandra`
 * with authentication turned off), decided when the app is validated so that the network
 * isolation of the store (an app-wide fact, see `AppIndex.ingressIsolated()`) is known.
 */
import { IConstruct } from 'constructs';
import { AppIndex } from './app-index';
import { addValidationWithWarnings, warn, warningMessage, WARNINGS } from './warnings';

/** A store that serves clients without credentials, as the construct that renders it describes it. */
export interface UnauthenticatedStore {
  /** The construct the warning is raised on (and acknowledged under): the preset, or the workload. */
  readonly scope: IConstruct;
  /** The `StatefulWorkload` whose pods serve the clients (what network isolation would cover). */
  readonly workload: IConstruct;
  /** Who warns, e.g. `Redis 'news/cache'`. */
  readonly where: string;
  /** The prop that turns authentication off, e.g. `allowUnauthenticated`. */
  readonly prop: string;
  /** Its value, as shown. */
  readonly value: string;
  /** The store, named for the reader, e.g. `Redis "news/cache"`. */
  readonly store: string;
  /** The first fix: how this kind of store authenticates its clients, e.g. `Set 'password' to ...`. */
  readonly authenticate: string;
}

/**
 * Warns `unauthenticated-store` about `store` when the app is validated, unless its workload's
 * ingress is isolated to the pods wired to it. The message names the store and both fixes:
 * authenticate the clients, or isolate the store (and acknowledge the warning, saying so, while
 * the library cannot see the isolation itself).
 */
export function warnUnauthenticatedStore(store: UnauthenticatedStore): void {
  addValidationWithWarnings(store.scope, () => {
    if (!AppIndex.of(store.scope).ingressIsolated(store.workload)) {
      warn(store.scope, WARNINGS.UNAUTHENTICATED_STORE, warningMessage(store.where, store.prop, store.value,
        `${store.store} serves clients that present no credentials, and nothing limits which pods can connect to it: `
        + 'any pod in the cluster can read, change or delete its data',
        `${store.authenticate}; or admit only the pods wired to it with a NetworkPolicy and acknowledge this warning with that reason`));
    }
    return [];
  });
}

/** A store's name for messages: `"<namespace>/<name>"`, or `"<name>"` without a namespace. */
export function storeLabel(name: string, namespace: string | undefined): string {
  return JSON.stringify(namespace === undefined ? name : `${namespace}/${name}`);
}
