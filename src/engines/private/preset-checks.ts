/**
 * Checks the presets share that need the whole tree: a Secret or ConfigMap the store's pods
 * mount must be in the pods' namespace.
 */
import { ApiObject } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { fail, show } from '../../private/validation';

/**
 * The error for an object the store's pods read (a Secret, a ConfigMap) that the app renders in
 * another namespace than the pods: a pod reads Secrets and ConfigMaps of its own namespace only.
 * Undefined when the app does not render the object (an imported one: its namespace is unknown)
 * or when the namespaces agree.
 *
 * @param where the preset, e.g. `Postgres 'shop/db'`
 * @param prop the prop the object came through, e.g. `credentials`
 * @param object the cdk8s-plus Secret or ConfigMap
 * @param podNamespace the namespace of the store's pods
 */
export function mountedObjectNamespaceError(where: string, prop: string, object: IConstruct, podNamespace: string | undefined): string | undefined {
  const rendered = object.node.defaultChild;
  if (!(rendered instanceof ApiObject)) return undefined;
  // an ApiObject's namespace falls back to its chart's
  const namespace = rendered.metadata.namespace;
  if (namespace === podNamespace) return undefined;
  const text = (ns: string | undefined) => (ns !== undefined ? show(ns) : 'the namespace it is applied to (none is set)');
  return fail(where, prop, `${rendered.kind} ${rendered.name} in ${namespace ?? '(no namespace)'}`,
    `Must be in the namespace of the store's pods, ${text(podNamespace)}: a pod reads ${rendered.kind}s of its own namespace only, `
    + `so the pods would never start (CreateContainerConfigError). The ${rendered.kind} ${show(rendered.name)} is rendered in ${text(namespace)}`,
    podNamespace !== undefined
      ? `Render the ${rendered.kind} in namespace ${show(podNamespace)} (metadata.namespace, or its chart's), or move the store to ${text(namespace)}`
      : `Set the same namespace on the store and the ${rendered.kind}, or on their charts`).message;
}
