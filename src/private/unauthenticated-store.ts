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
 * authenticate the clients, or isolate the store (`NetworkPolicies`, which the library sees; or
 * an isolation of the user's own, acknowledged with the reason).
 */
export function warnUnauthenticatedStore(store: UnauthenticatedStore): void {
  addValidationWithWarnings(store.scope, () => {
    if (!AppIndex.of(store.scope).ingressIsolated(store.workload)) {
      warn(store.scope, WARNINGS.UNAUTHENTICATED_STORE, warningMessage(store.where, store.prop, store.value,
        `${store.store} serves clients that present no credentials, and nothing limits which pods can connect to it: `
        + 'any pod in the cluster can read, change or delete its data',
        `${store.authenticate}; or admit only the pods wired to it with NetworkPolicies.enable() on the store or its chart `
        + '(or acknowledge this warning, saying how the store is isolated)'));
    }
    return [];
  });
}

/** A store's name for messages: `"<namespace>/<name>"`, or `"<name>"` without a namespace. */
export function storeLabel(name: string, namespace: string | undefined): string {
  return JSON.stringify(namespace === undefined ? name : `${namespace}/${name}`);
}
