/**
 * Strict validation of synthesized Kubernetes objects against the Kubernetes 1.27 OpenAPI schema.
 *
 * The schemas come from the npm package `kubernetes-models` (4.3.1 = Kubernetes 1.27.1). Each of its
 * `_schemas/<Id>.js` modules exports `addSchema()`, which registers the schema and everything it
 * references through `register(id, schema)` of `@kubernetes-models/validate`. That validator is
 * lenient (the OpenAPI schemas do not forbid unknown fields), so instead of using it we borrow its
 * schemas: while calling `addSchema()` we swap `register` for a collector, then compile our own Ajv
 * instance from strict copies of the collected schemas:
 *
 * - every object schema with `properties` and no `additionalProperties` gets
 *   `additionalProperties: false`, so a misspelt field (`spec.replica`) is an error, while maps
 *   (labels, data, resources.limits...), which declare `additionalProperties`, keep working;
 * - the generator's nullable references, `oneOf: [X, {type: 'null'}]`, become
 *   `if: {type: 'null'}, else: X`, so a mistake inside X is reported once, at its own path, instead of
 *   as a cascade of "must match exactly one schema" / "must be null" errors at every ancestor.
 *
 * On top of the schema it checks what the API server validates outside the OpenAPI schema and that
 * matters to this library: object names, namespaces, label keys and values, annotation keys.
 *
 * Schemas are loaded per kind on first use and the compiled validator is cached for the rest of the
 * test file, so validating hundreds of objects stays fast.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';
import { CERT_MANAGER_KINDS, certManagerSchema } from './cert-manager';

/** The Kubernetes version of the schemas (kubernetes-models 4.3.1). */
export const KUBERNETES_VERSION = '1.27';

type Schema = Record<string, any>;
type Path = Array<string | number>;

// Loads the schema modules by computed name, with plain Node resolution (not a bundler's).
const load = createRequire(__filename);

// ---------------------------------------------------------------- public API

/**
 * Validates one Kubernetes object (as synthesized: plain JSON) against the Kubernetes 1.27 schema
 * of its apiVersion and kind, strictly (unknown fields are errors), plus names and labels.
 *
 * @returns human-readable errors, each starting with the path of the offending field; empty when valid
 */
export function validateManifest(obj: any): string[] {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    return [`expected a Kubernetes object, got ${show(obj)}`];
  }
  // What would be written to YAML: drops undefined values, like the synthesizer does.
  const data = JSON.parse(JSON.stringify(obj));
  const { apiVersion, kind } = data;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return [`apiVersion and kind must be strings, got apiVersion ${show(apiVersion)} and kind ${show(kind)}`];
  }
  const validator = validatorFor(apiVersion, kind);
  if (typeof validator === 'string') return [validator];

  const errors: string[] = [];
  if (!validator(data)) errors.push(...formatAjvErrors(validator.errors ?? []));
  errors.push(...metadataErrors(data));
  return errors;
}

/**
 * Validates every object and throws one Error listing all errors, each prefixed by
 * `<kind>/<metadata.name>`, when any object is invalid.
 */
export function expectValidManifests(objs: any[]): void {
  if (!Array.isArray(objs)) throw new Error(`expectValidManifests: expected an array of objects, got ${show(objs)}`);
  const all: string[] = [];
  objs.forEach((obj, i) => {
    const label = `${obj?.kind ?? `<no kind, object #${i}>`}/${obj?.metadata?.name ?? '<no name>'}`;
    for (const e of validateManifest(obj)) all.push(`${label}: ${e}`);
  });
  if (all.length > 0) {
    throw new Error(`${all.length} Kubernetes ${KUBERNETES_VERSION} schema error(s):\n  ${all.join('\n  ')}`);
  }
}

/**
 * The OpenAPI definition id of a kind, e.g. `apps/v1` + `StatefulSet` -> `io.k8s.api.apps.v1.StatefulSet`.
 * Only computes the name: whether the kind exists is up to the schemas.
 */
export function schemaIdOf(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  const special = SPECIAL_GROUPS[group];
  if (special) return `${special}.${version}.${kind}`;
  // io.k8s.api.<first label of the group, "core" for the core group>, e.g. rbac.authorization.k8s.io -> rbac.
  return `io.k8s.api.${group === '' ? 'core' : group.split('.')[0]}.${version}.${kind}`;
}

// ---------------------------------------------------------------- schema loading

/** API groups whose types live outside k8s.io/api. */
const SPECIAL_GROUPS: Record<string, string> = {
  'apiextensions.k8s.io': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions',
  'apiregistration.k8s.io': 'io.k8s.kube-aggregator.pkg.apis.apiregistration',
};

/**
 * The API versions a Kubernetes 1.27 API server serves by default: GA, and beta enabled by default.
 * kubernetes-models also carries versions removed before 1.27 (extensions/v1beta1, policy/v1beta1,
 * batch/v1beta1...), which the API server rejects, so they are not listed.
 */
const SERVED_API_VERSIONS = [
  'v1',
  'admissionregistration.k8s.io/v1',
  'apiextensions.k8s.io/v1',
  'apiregistration.k8s.io/v1',
  'apps/v1',
  'authentication.k8s.io/v1',
  'authorization.k8s.io/v1',
  'autoscaling/v1',
  'autoscaling/v2',
  'batch/v1',
  'certificates.k8s.io/v1',
  'coordination.k8s.io/v1',
  'discovery.k8s.io/v1',
  'events.k8s.io/v1',
  'flowcontrol.apiserver.k8s.io/v1beta2', // removed in 1.29
  'flowcontrol.apiserver.k8s.io/v1beta3',
  'networking.k8s.io/v1',
  'node.k8s.io/v1',
  'policy/v1',
  'rbac.authorization.k8s.io/v1',
  'scheduling.k8s.io/v1',
  'storage.k8s.io/v1',
];

const KIND = /^[A-Z][A-Za-z0-9]*$/;

let ajv: Ajv | undefined;
/** Compiled validators (or the reason there is none) per `apiVersion kind`. */
const validators = new Map<string, ValidateFunction | string>();

function validatorFor(apiVersion: string, kind: string): ValidateFunction | string {
  const key = `${apiVersion} ${kind}`;
  let v = validators.get(key);
  if (v === undefined) {
    v = compileValidator(apiVersion, kind);
    validators.set(key, v);
  }
  return v;
}

function compileValidator(apiVersion: string, kind: string): ValidateFunction | string {
  const custom = customResources().get(`${apiVersion} ${kind}`) ?? packagedResource(apiVersion, kind);
  if (custom) {
    const instance = ajv ??= createAjv();
    const sid = `crd:${apiVersion}:${kind}`;
    instance.addSchema(strictCopy(custom), sid);
    return instance.getSchema(sid)!;
  }
  const schemas = servedKind(apiVersion, kind);
  if (!schemas) {
    const unknown = `unknown apiVersion/kind "${apiVersion}" "${kind}": not a kind of the Kubernetes ${KUBERNETES_VERSION} API`;
    const hint = SERVED_API_VERSIONS.find(candidate => candidate !== apiVersion && servedKind(candidate, kind));
    return hint ? `${unknown} (did you mean apiVersion "${hint}"?)` : unknown;
  }
  const instance = ajv ??= createAjv();
  for (const [sid, schema] of schemas) {
    if (!instance.getSchema(sid)) instance.addSchema(strictCopy(schema), sid);
  }
  return instance.getSchema(schemaIdOf(apiVersion, kind))!;
}

/** The schemas of a kind and of everything it references when Kubernetes 1.27 serves it at that apiVersion, else undefined. */
function servedKind(apiVersion: string, kind: string): Map<string, Schema> | undefined {
  if (!SERVED_API_VERSIONS.includes(apiVersion) || !KIND.test(kind)) return undefined;
  const id = schemaIdOf(apiVersion, kind);
  const schemas = collectSchemas(id);
  const root = schemas?.get(id);
  // Only top-level kinds pin apiVersion and kind (PodSpec has a schema too, but is not a kind).
  if (!root?.properties?.kind?.enum?.includes(kind) || !root.properties?.apiVersion?.enum?.includes(apiVersion)) return undefined;
  return schemas;
}

/**
 * File of the kubernetes-models module defining an id, e.g. io.k8s.api.apps.v1.StatefulSet ->
 * node_modules/kubernetes-models/_schemas/IoK8sApiAppsV1StatefulSet.js. Addressed by file name
 * because kubernetes-models does not list `_schemas/*` in its package exports.
 */
function schemaModule(id: string): string {
  const name = id.split(/[.-]/).map(part => part.charAt(0).toUpperCase() + part.slice(1)).join('');
  const pkg = id.startsWith('io.k8s.apimachinery.') ? '@kubernetes-models/apimachinery' : 'kubernetes-models';
  return join(dirname(load.resolve(`${pkg}/package.json`)), '_schemas', `${name}.js`);
}

/**
 * Runs the `addSchema()` of the module defining `id` with `register` replaced by a collector, and
 * returns every schema it registers (itself and everything it references), by id.
 * Returns undefined when kubernetes-models has no such definition.
 */
function collectSchemas(id: string): Map<string, Schema> | undefined {
  const file = schemaModule(id);
  if (!existsSync(file)) return undefined;
  const mod: { addSchema?: () => void } = load(file);
  if (typeof mod.addSchema !== 'function') return undefined;

  // The schema modules call `validate_1.register(...)` through the module object at call time, so
  // swapping the export for the duration of this synchronous call intercepts every registration.
  const registry: { register: (sid: string, schema: Schema) => void } = load('@kubernetes-models/validate');
  const collected = new Map<string, Schema>();
  const original = registry.register;
  registry.register = (sid, schema) => void collected.set(sid, schema);
  try {
    mod.addSchema();
  } finally {
    registry.register = original;
  }
  if (!collected.has(id)) {
    throw new Error(`k8s-schema: ${file} did not register ${id}; are there two copies of @kubernetes-models/validate?`);
  }
  return collected;
}

// ---------------------------------------------------------------- custom resources

/**
 * The custom resources the tests know: every CustomResourceDefinition in `test/crds/*.yaml` (the
 * published CRD files of the projects that define them, kept in the repository as cdk8s keeps the
 * files it imports), plus those registered with `registerCustomResource()`. Each served version's
 * `openAPIV3Schema` becomes a strict schema like the built-in kinds' (unknown fields are errors,
 * except under `x-kubernetes-preserve-unknown-fields`), with `apiVersion` and `kind` pinned.
 */
export const CRD_DIRECTORY = join(__dirname, '..', 'crds');

let crds: Map<string, Schema> | undefined;
function customResources(): Map<string, Schema> {
  if (crds) return crds;
  crds = new Map();
  const files = existsSync(CRD_DIRECTORY) ? readdirSync(CRD_DIRECTORY).filter(f => /\.ya?ml$/.test(f)).sort() : [];
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(join(CRD_DIRECTORY, file), 'utf8'))) {
      const crd = doc.toJS();
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const version of crd.spec.versions ?? []) {
        if (version.served === false || !version.schema?.openAPIV3Schema) continue;
        registerCustomResource(`${crd.spec.group}/${version.name}`, crd.spec.names.kind, version.schema.openAPIV3Schema);
      }
    }
  }
  return crds;
}

/**
 * Custom resources whose schemas an npm package publishes (a devDependency), registered on first
 * use: cert-manager's kinds (test/util/cert-manager.ts).
 */
function packagedResource(apiVersion: string, kind: string): Schema | undefined {
  if (apiVersion === 'cert-manager.io/v1' && (CERT_MANAGER_KINDS as readonly string[]).includes(kind)) {
    registerCustomResource(apiVersion, kind, certManagerSchema(kind as typeof CERT_MANAGER_KINDS[number]));
    return customResources().get(`${apiVersion} ${kind}`);
  }
  return undefined;
}

/** Registers the `openAPIV3Schema` of a custom resource's kind at an apiVersion (`<group>/<version>`). */
export function registerCustomResource(apiVersion: string, kind: string, openApiV3Schema: Schema): void {
  const map = crds ?? customResources();
  const schema = structuredClone(openApiV3Schema);
  schema.properties = {
    ...schema.properties,
    apiVersion: { type: 'string', enum: [apiVersion] },
    kind: { type: 'string', enum: [kind] },
    metadata: { type: 'object' },
  };
  schema.required = [...new Set([...(schema.required ?? []), 'apiVersion', 'kind', 'metadata'])];
  map.set(`${apiVersion} ${kind}`, schema);
  validators.delete(`${apiVersion} ${kind}`);
}

// ---------------------------------------------------------------- strict schemas

const COMBINATORS = ['allOf', 'anyOf', 'oneOf'];

/**
 * A deep copy of an OpenAPI schema that forbids unknown fields and expresses nullable references
 * with if/else (see the file comment). Walks schema keywords only: `properties` is a map of field
 * names (one of which, in JSONSchemaProps, is itself called "properties"), not a schema.
 */
function strictCopy(schema: any): any {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if ((key === 'properties' || key === 'patternProperties') && isPlainObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, strictCopy(sub)]));
    } else if (COMBINATORS.includes(key) && Array.isArray(value)) {
      out[key] = value.map(strictCopy);
    } else if (key === 'items') {
      out[key] = Array.isArray(value) ? value.map(strictCopy) : strictCopy(value);
    } else if (['additionalProperties', 'not', 'if', 'then', 'else'].includes(key)) {
      out[key] = strictCopy(value);
    } else if (key === 'pattern' && typeof value === 'string') {
      out[key] = javaScriptPattern(value);
    } else {
      out[key] = structuredClone(value); // enum, required, default...: data, not schemas
    }
  }
  // `nullable` admits null, but Ajv still checks null against `enum`: admit it there too.
  if (out.nullable === true && Array.isArray(out.enum) && !out.enum.includes(null)) out.enum.push(null);
  if (isPlainObject(out.properties) && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  // oneOf: [X, {type: 'null'}] -> if: {type: 'null'}, else: X
  if (Array.isArray(out.oneOf)) {
    const isNull = (s: any) => isPlainObject(s) && s.type === 'null' && Object.keys(s).length === 1;
    const rest = out.oneOf.filter((s: any) => !isNull(s));
    if (rest.length === out.oneOf.length - 1 && rest.length > 0) {
      delete out.oneOf;
      out.if = { type: 'null' };
      out.else = rest.length === 1 ? rest[0] : { oneOf: rest };
    }
  }
  return out;
}

/**
 * A CRD's `pattern` (Go's RE2 syntax, as the API server reads it) for JavaScript: RE2's flag
 * `(?i)` (case-insensitive: the Prometheus Operator's CRDs use `^(?i)(abort|warn)?$`) has no
 * JavaScript form inside a pattern, so it becomes a class of both cases for every letter outside
 * a class (`[aA][bB]...`). Other patterns are the same in both syntaxes.
 */
function javaScriptPattern(pattern: string): string {
  if (!pattern.includes('(?i)')) return pattern;
  let out = '';
  let inClass = false;
  const source = pattern.replace(/\(\?i\)/g, '');
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      out += c + (source[i + 1] ?? '');
      i++;
    } else if (c === '[' || c === ']') {
      inClass = c === '[';
      out += c;
    } else if (!inClass && /[a-zA-Z]/.test(c)) {
      out += `[${c.toLowerCase()}${c.toUpperCase()}]`;
    } else {
      out += c;
    }
  }
  return out;
}

// Kubernetes quantity grammar (k8s.io/apimachinery/pkg/api/resource): a signed decimal number and an
// optional binary (Ki..Ei), decimal (n, u, m, k, M, G, T, P, E) or exponent (e3, E-2) suffix.
const QUANTITY = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$/;

function createAjv(): Ajv {
  const instance = new Ajv({
    allErrors: true, // report every problem, not just the first
    verbose: true, // errors carry their schema and data, used for the messages
    strictTypes: false, // the generated schemas mix keywords without always declaring "type"
  });
  addFormats(instance); // date-time, byte, int32, int64, double...
  // Formats used by the OpenAPI schemas that ajv-formats does not know.
  instance.addFormat('quantity', { type: 'string', validate: QUANTITY });
  instance.addFormat('string', { type: 'string', validate: () => true });
  // Structural-schema extensions of CRDs: annotations for the API server, no constraint for Ajv.
  for (const keyword of ['x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string', 'x-kubernetes-list-type',
    'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-embedded-resource', 'x-kubernetes-validations']) {
    instance.addKeyword(keyword);
  }
  return instance;
}

// ---------------------------------------------------------------- error messages

function formatAjvErrors(errors: ErrorObject[]): string[] {
  // A failed oneOf (IntOrString, Quantity...) becomes one message: drop what its branches reported.
  const oneOfs = errors.filter(e => e.keyword === 'oneOf');
  const insideFailedOneOf = (e: ErrorObject) => oneOfs.some(o => o !== e
    && e.schemaPath.startsWith(`${o.schemaPath}/`) && (e.instancePath === o.instancePath || e.instancePath.startsWith(`${o.instancePath}/`)));

  // A value of the wrong type also fails its format (5.5 is no int32): the type error says enough.
  const wrongType = new Set(errors.filter(e => e.keyword === 'type').map(e => e.instancePath));

  const messages: string[] = [];
  for (const e of errors) {
    if (e.keyword === 'if') continue; // "must match else schema": the else branch reported the real error
    if (e.keyword === 'format' && wrongType.has(e.instancePath)) continue;
    if (insideFailedOneOf(e)) continue;
    const message = `${pathOf(e.instancePath)}: ${describeAjvError(e)}`;
    if (!messages.includes(message)) messages.push(message);
  }
  return messages;
}

function describeAjvError(e: ErrorObject): string {
  const p: any = e.params;
  switch (e.keyword) {
    case 'additionalProperties': {
      const known = Object.keys(e.parentSchema?.properties ?? {});
      const guess = closest(p.additionalProperty, known);
      return `unknown field "${p.additionalProperty}"${guess ? ` (did you mean "${guess}"?)` : ''}`;
    }
    case 'required':
      return `missing required field "${p.missingProperty}"`;
    case 'enum':
      // (null, admitted for nullable fields, is left out: it means "unset")
      return `${show(e.data)} is not one of ${p.allowedValues.filter((v: unknown) => v !== null).map(show).join(', ')}`;
    case 'type':
      return `must be ${p.type}, got ${e.data === null ? 'null' : `${typeName(e.data)} ${show(e.data)}`}`;
    case 'format':
      return `${show(e.data)} is not a valid ${p.format}${p.format === 'quantity' ? ' (e.g. "500m", "1Gi", "16Ki", "1G")' : ''}`;
    case 'oneOf': {
      if (p.passingSchemas) return `${show(e.data)} matches more than one alternative`;
      const options = (e.schema as any[]).map(describeSchema);
      return `${show(e.data)} must be ${options.join(' or ')}`;
    }
    default:
      return `${show(e.data)} ${e.message ?? 'is invalid'}`;
  }
}

/** A short description of an alternative: "a number", "a string in quantity format", "a Probe". */
function describeSchema(s: any): string {
  if (s?.$ref) return `a ${String(s.$ref).replace(/#$/, '').split('.').pop()}`;
  if (s?.type === 'integer' || s?.type === 'array' || s?.type === 'object') return `an ${s.type}`;
  if (s?.type) return `a ${s.type}${s.format && s.format !== s.type ? ` in ${s.format} format` : ''}`;
  return 'the expected value';
}

/** The most similar known field, for "did you mean" hints. */
function closest(name: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const k of known) {
    let score = editDistance(name.toLowerCase(), k.toLowerCase());
    // storageClass -> storageClassName: a truncated name is a good guess too, if nothing is closer
    if (name.length >= 4 && k.startsWith(name)) score = Math.min(score, 1.5);
    if (score < bestScore) [best, bestScore] = [k, score];
  }
  return bestScore <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** JSON pointer (/spec/containers/0/name) to a readable path (spec.containers[0].name). */
function pathOf(pointer: string): string {
  const segments: Path = pointer.split('/').slice(1)
    .map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map(s => (/^[0-9]+$/.test(s) ? Number(s) : s));
  return formatPath(segments);
}

function formatPath(segments: Path): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out || '(root)';
}

function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isInteger(value)) return 'integer';
  return typeof value;
}

function isPlainObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// ---------------------------------------------------------------- names and labels

// k8s.io/apimachinery/pkg/util/validation
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const SUBDOMAIN_RULE = 'a DNS-1123 subdomain: at most 253 characters, lower case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit';
const LABEL_RULE = 'a DNS-1123 label: at most 63 characters, lower case letters, digits and \'-\', starting and ending with a letter or digit';
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/** Names, namespace, labels, selectors and annotations, as the API server validates them. */
function metadataErrors(obj: any): string[] {
  const errors: string[] = [];
  const meta = obj.metadata;
  const name = meta?.name;
  if (!isPlainObject(meta)) {
    errors.push('metadata: missing required field (with metadata.name)');
  } else if (typeof name !== 'string' || name === '') {
    errors.push('metadata.name: missing required field (generateName does not work with kubectl apply or Argo CD)');
  } else if (obj.kind === 'Service' || obj.kind === 'Namespace') {
    // Services need a DNS-1035 label (it becomes a DNS name and environment variables), namespaces a DNS-1123 label.
    const [re, rule] = obj.kind === 'Service'
      ? [DNS1035_LABEL, 'a DNS-1035 label: at most 63 characters, lower case letters, digits and \'-\', starting with a letter and ending with a letter or digit']
      : [DNS1123_LABEL, LABEL_RULE];
    if (!re.test(name) || name.length > 63) errors.push(`metadata.name: ${show(name)} must be ${rule}`);
  } else if (!DNS1123_SUBDOMAIN.test(name) || name.length > 253) {
    errors.push(`metadata.name: ${show(name)} must be ${SUBDOMAIN_RULE}`);
  }
  if (typeof meta?.namespace === 'string' && (!DNS1123_LABEL.test(meta.namespace) || meta.namespace.length > 63)) {
    errors.push(`metadata.namespace: ${show(meta.namespace)} must be ${LABEL_RULE}`);
  }
  if (obj.kind === 'Service') labelMapErrors(obj.spec?.selector, ['spec', 'selector'], errors);
  if ((obj.kind === 'ConfigMap' || obj.kind === 'Secret')) {
    for (const field of ['data', 'binaryData', 'stringData']) {
      for (const key of Object.keys(isPlainObject(obj[field]) ? obj[field] : {})) {
        if (!CONFIG_KEY.test(key) || key.length > 253) {
          errors.push(`${formatPath([field, key])}: key must consist of letters, digits, '-', '_' or '.' (at most 253 characters)`);
        }
      }
    }
  }
  walkLabels(obj, [], errors);
  return errors;
}

/** Finds every ObjectMeta (top level and templates), label selector and node selector in the object. */
function walkLabels(node: any, path: Path, errors: string[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => walkLabels(item, [...path, i], errors));
    return;
  }
  if (!isPlainObject(node)) return;
  for (const [key, value] of Object.entries<any>(node)) {
    if (value === null || typeof value !== 'object') continue;
    const here = [...path, key];
    if (key === 'metadata' && !Array.isArray(value)) {
      labelMapErrors(value.labels, [...here, 'labels'], errors);
      annotationErrors(value.annotations, [...here, 'annotations'], errors);
    } else if (key === 'matchLabels' || key === 'nodeSelector') {
      labelMapErrors(value, here, errors);
    } else {
      walkLabels(value, here, errors);
    }
  }
}

function qualifiedNameError(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (!DNS1123_SUBDOMAIN.test(prefix) || prefix.length > 253)) {
    return `prefix ${show(prefix)} must be ${SUBDOMAIN_RULE}`;
  }
  if (!QUALIFIED_NAME.test(name) || name.length > 63) {
    return `name part ${show(name)} must be at most 63 characters: letters, digits, '-', '_' and '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

function labelMapErrors(labels: unknown, path: Path, errors: string[]): void {
  if (!isPlainObject(labels)) return;
  for (const [key, value] of Object.entries(labels)) {
    const keyError = qualifiedNameError(key);
    if (keyError) errors.push(`${formatPath([...path, key])}: invalid label key: ${keyError}`);
    // non-strings are reported by the schema
    if (typeof value === 'string' && (!LABEL_VALUE.test(value) || value.length > 63)) {
      errors.push(`${formatPath([...path, key])}: label value ${show(value)} must be at most 63 characters: letters, digits, '-', '_' and '.', starting and ending with a letter or digit (or empty)`);
    }
  }
}

function annotationErrors(annotations: unknown, path: Path, errors: string[]): void {
  if (!isPlainObject(annotations)) return;
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) {
    // The API server checks annotation keys in lower case.
    const keyError = qualifiedNameError(key.toLowerCase());
    if (keyError) errors.push(`${formatPath([...path, key])}: invalid annotation key: ${keyError}`);
    size += key.length + (typeof value === 'string' ? value.length : 0);
  }
  if (size > MAX_ANNOTATIONS_BYTES) errors.push(`${formatPath(path)}: annotations may total at most 256 KiB, got ${size} bytes`);
}
