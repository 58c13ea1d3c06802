/**
 * cert-manager's published schemas for the schema check of every synthesized object
 * (test/util/k8s-schema.ts): the npm package `@kubernetes-models/cert-manager` (a devDependency,
 * generated from cert-manager's CRDs) defines each kind's OpenAPI schema and registers it with
 * `@kubernetes-models/validate` when a model is first validated. This reads that registration once
 * (with `register` swapped for a collector, as k8s-schema.ts does for the built-in kinds), so a
 * `Certificate` the presets render is checked against cert-manager's own schema, strictly.
 */
import { createRequire } from 'node:module';

const load = createRequire(__filename);

/** The kinds of `cert-manager.io/v1` the tests know. */
export const CERT_MANAGER_KINDS = ['Certificate', 'Issuer', 'ClusterIssuer'] as const;

/** The OpenAPI v3 schema of a `cert-manager.io/v1` kind, as cert-manager publishes it. */
export function certManagerSchema(kind: typeof CERT_MANAGER_KINDS[number]): Record<string, any> {
  const model = load(`@kubernetes-models/cert-manager/cert-manager.io/v1/${kind}`)[kind];
  const proto = model.prototype;
  // setSchema() of @kubernetes-models/base keeps the id and the registering function under symbols
  const addSchema = Object.getOwnPropertySymbols(proto).map(s => proto[s]).find(v => typeof v === 'function') as (() => void) | undefined;
  if (!addSchema) throw new Error(`cert-manager: the ${kind} model has no schema to register`);
  const registry: { register: (id: string, schema: Record<string, any>) => void } = load('@kubernetes-models/validate');
  const collected = new Map<string, Record<string, any>>();
  const original = registry.register;
  registry.register = (id, schema) => void collected.set(id, schema);
  try {
    addSchema();
  } finally {
    registry.register = original;
  }
  const schema = collected.get(`cert-manager.io.v1.${kind}`);
  if (!schema) throw new Error(`cert-manager: the ${kind} model did not register cert-manager.io.v1.${kind}; are there two copies of @kubernetes-models/validate?`);
  return schema;
}
