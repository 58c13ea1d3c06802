/**
 * The rules of the upgrade guard: which updates of an existing object the API server refuses, and
 * which replacements lose data. Pure functions over parsed manifests; the public surface is
 * `UpgradeGuard` (src/upgrade-guard.ts).
 *
 * Facts are those of /work/shared/FACTS.md ("Updates the API server refuses", StatefulSet),
 * checked on a 1.27 API server; messages quote the API server where we know its text.
 */
import { engineVersionChanges } from './engine-rules';
import { LoadedObject } from './manifests';
import { DEFAULT_CLASS_ANNOTATIONS } from '../../private/labels';
import { parseQuantity as parseKubernetesQuantity } from '../../private/quantity';

export type Severity = 'REFUSED' | 'DATA_LOSS' | 'WARNING';

/** A finding, in the shape of the public `UpgradeFinding` struct. */
export interface RawFinding {
  readonly severity: Severity;
  readonly kind: string;
  readonly apiVersion: string;
  readonly objectNamespace?: string;
  readonly objectName: string;
  readonly field: string;
  readonly oldValue: string;
  readonly newValue: string;
  readonly message: string;
  readonly wayOut: string;
  readonly manifest?: string;
}

export interface RuleOptions {
  /** Minor version of Kubernetes 1.x. */
  readonly minor: number;
  readonly serverSideApply: boolean;
}

export const NOT_SET = '(not set)';

// ---------------------------------------------------------------------------------------------
// values

/** Parses a Kubernetes quantity into a number (base units); undefined if it is not one. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === 'number') return parseKubernetesQuantity(q);
  return typeof q === 'string' ? parseKubernetesQuantity(q.trim()) : undefined;
}

/** Drops null, empty maps and empty lists (the API server stores them as absent) and sorts keys. */
export function canon(v: any): any {
  if (v === null) return undefined; // undefined falls through to `return v`
  if (Array.isArray(v)) {
    const items = v.map(canon);
    return items.length ? items : undefined;
  }
  if (typeof v === 'object') {
    const out: any = {};
    for (const k of Object.keys(v).sort()) {
      const c = canon(v[k]);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v;
}

/** A value for a finding: strings as they are, the rest as compact JSON. */
export function showValue(v: any): string {
  const c = canon(v);
  if (c === undefined) return NOT_SET;
  return typeof c === 'string' ? c : JSON.stringify(c);
}

const QUANTITY_PATH = /(^|\.)(resources\.(requests|limits)|capacity)\.[^.]+$/;

function leafEqual(a: any, b: any, p: string): boolean {
  if (QUANTITY_PATH.test(p)) {
    // when only one side is a quantity, the JSON comparison below is false too
    const qa = parseQuantity(a);
    if (qa !== undefined) return qa === parseQuantity(b);
  }
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

export interface LeafDiff {
  readonly path: string;
  readonly oldValue: any;
  readonly newValue: any;
}

/**
 * Paths (relative to `base`) where two values differ. Maps are walked key by key, lists item by
 * item; quantities compare by value (`1Gi` equals `1024Mi`).
 */
export function diffLeaves(a: any, b: any, base: string): LeafDiff[] {
  const ca = canon(a);
  const cb = canon(b);
  const isMap = (v: any) => typeof v === 'object' && !Array.isArray(v); // canon never returns null
  // walk into maps; into a map that appears or disappears only while it has a single key
  // (`resources: { limits: { storage } }`), so the path names the leaf
  const single = (v: any) => isMap(v) && Object.keys(v).length === 1;
  if ((isMap(ca) && isMap(cb)) || (ca === undefined && single(cb)) || (cb === undefined && single(ca))) {
    const keys = [...new Set([...Object.keys(ca ?? {}), ...Object.keys(cb ?? {})])].sort();
    return keys.flatMap(k => diffLeaves(ca?.[k], cb?.[k], joinPath(base, k)));
  }
  if (Array.isArray(ca) && Array.isArray(cb) && ca.length === cb.length) {
    return ca.flatMap((item, i) => diffLeaves(item, cb[i], `${base}[${i}]`));
  }
  return leafEqual(ca, cb, base) ? [] : [{ path: base, oldValue: ca, newValue: cb }];
}

function joinPath(base: string, key: string): string {
  const k = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : `["${key}"]`;
  if (!base) return k;
  return k.startsWith('[') ? `${base}${k}` : `${base}.${k}`;
}

// ---------------------------------------------------------------------------------------------
// accepting findings

/** How `--accept` names a finding: `<Kind>/<namespace>/<name>:<field>` (no namespace part when it has none). */
export function acceptKey(f: { kind: string; objectNamespace?: string; objectName: string; field: string }): string {
  return `${f.kind}/${f.objectNamespace ? `${f.objectNamespace}/` : ''}${f.objectName}:${f.field}`;
}

const ACCEPT_PATTERN = /^([A-Za-z][A-Za-z0-9]*)\/(?:([^/:\s]+)\/)?([^/:\s]+)(?::(\S+))?$/;

/** Fails on a pattern that can never match. */
export function checkAcceptPattern(pattern: string): void {
  if (!ACCEPT_PATTERN.test(pattern)) {
    throw new Error(`invalid 'accept' entry: "${pattern}". An entry is <Kind>/<namespace>/<name> (<Kind>/<name> without a namespace), ` +
      'optionally followed by :<field prefix>. Copy it from the "accept:" line of a finding, e.g. StatefulSet/shop/orders-db:spec.volumeClaimTemplates.');
  }
}

/**
 * Whether a finding is accepted by one of the patterns: the same kind (any case), namespace and
 * name, and a field that starts with the pattern's field, if it has one.
 */
export function isAccepted(f: { kind: string; objectNamespace?: string; objectName: string; field: string }, patterns: string[]): boolean {
  return patterns.some(p => {
    const m = ACCEPT_PATTERN.exec(p);
    if (!m) return false;
    const [, kind, ns, name, field] = m;
    return kind.toLowerCase() === f.kind.toLowerCase() && (ns ?? undefined) === f.objectNamespace && name === f.objectName &&
      (field === undefined || f.field.startsWith(field));
  });
}

// ---------------------------------------------------------------------------------------------
// identity

const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment',
  'VolumeSnapshotClass', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PriorityClass',
  'IngressClass', 'RuntimeClass', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
  'APIService', 'PodSecurityPolicy',
]);

export function groupOf(apiVersion: string | undefined): string {
  const v = apiVersion ?? '';
  const i = v.lastIndexOf('/');
  return i < 0 ? '' : v.slice(0, i);
}

export function namespaceOf(obj: any): string | undefined {
  if (CLUSTER_SCOPED.has(obj.kind)) return undefined;
  return obj.metadata?.namespace || undefined;
}

export function identity(obj: any): string {
  return [groupOf(obj.apiVersion), obj.kind, namespaceOf(obj) ?? '', obj.metadata?.name ?? ''].join('|');
}

/** `StatefulSet.apps "web"`, as the API server names an object in its errors. */
function serverName(obj: any): string {
  const g = groupOf(obj.apiVersion);
  return `${obj.kind}${g ? `.${g}` : ''} "${obj.metadata?.name}"`;
}

function nsFlag(obj: any): string {
  const ns = namespaceOf(obj);
  return ns ? `-n ${ns} ` : '';
}

function finding(obj: any, source: string | undefined, f: {
  severity: Severity; field: string; oldValue: any; newValue: any; message: string; wayOut: string;
}): RawFinding {
  return {
    severity: f.severity,
    kind: obj.kind,
    apiVersion: obj.apiVersion ?? '',
    objectNamespace: namespaceOf(obj),
    objectName: obj.metadata?.name ?? '',
    field: f.field,
    oldValue: showValue(f.oldValue),
    newValue: showValue(f.newValue),
    message: f.message,
    wayOut: f.wayOut,
    manifest: source,
  };
}

// ---------------------------------------------------------------------------------------------
// compare

interface Side {
  readonly byId: Map<string, LoadedObject>;
  readonly classes: Map<string, any>;
  readonly defaultClass?: any;
  /** The PersistentVolumes. */
  readonly volumes: any[];
}

function side(objects: LoadedObject[]): Side {
  const byId = new Map<string, LoadedObject>();
  const classes = new Map<string, any>();
  let defaultClass: any;
  const volumes: any[] = [];
  for (const o of objects) {
    if (!o.obj || typeof o.obj.kind !== 'string' || !o.obj.metadata?.name) continue;
    byId.set(identity(o.obj), o);
    if (isVolume(o.obj)) volumes.push(o.obj);
    if (o.obj.kind === 'StorageClass' && groupOf(o.obj.apiVersion) === 'storage.k8s.io') {
      classes.set(o.obj.metadata.name, o.obj);
      if (DEFAULT_CLASS_ANNOTATIONS.some(key => o.obj.metadata.annotations?.[key] === 'true')) defaultClass = o.obj;
    }
  }
  return { byId, classes, defaultClass, volumes };
}

interface Ctx extends RuleOptions {
  readonly cur: Side;
  readonly next: Side;
}

/** Every finding for moving the cluster from `current` to `next`. */
export function compareManifests(current: LoadedObject[], next: LoadedObject[], options: RuleOptions): RawFinding[] {
  const ctx: Ctx = { ...options, cur: side(current), next: side(next) };
  const out: RawFinding[] = [];
  for (const [id, c] of ctx.cur.byId) {
    const n = ctx.next.byId.get(id);
    if (n) out.push(...compareObject(c, n, ctx));
  }
  out.push(...removals(ctx));
  return out;
}

function compareObject(c: LoadedObject, n: LoadedObject, ctx: Ctx): RawFinding[] {
  const group = groupOf(c.obj.apiVersion);
  const kind = c.obj.kind;
  if (group === 'apps' && kind === 'StatefulSet') return statefulSet(c.obj, n, ctx);
  if (group === '' && kind === 'PersistentVolumeClaim') return claim(c.obj, n, ctx);
  if (group === '' && kind === 'PersistentVolume') return volume(c.obj, n);
  if (group === 'storage.k8s.io' && kind === 'StorageClass') return storageClass(c.obj, n);
  if (group === '' && kind === 'Service') return service(c.obj, n, ctx);
  if (group === 'batch' && kind === 'Job') return job(c.obj, n);
  if (group === 'apps' && ['Deployment', 'ReplicaSet', 'DaemonSet'].includes(kind)) return podSelector(c.obj, n);
  if (group === 'discovery.k8s.io' && kind === 'EndpointSlice') return endpointSlice(c.obj, n);
  return [];
}

// ---------------------------------------------------------------------------------------------
// StatefulSet

/** Fields of a StatefulSet's spec the API server lets an update change, per Kubernetes version. */
export function statefulSetMutableFields(minor: number): string[] {
  return minor >= 33
    ? ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']
    : ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];
}

function statefulSetMessage(obj: any, minor: number): string {
  const fields = statefulSetMutableFields(minor).map(f => `'${f}'`);
  const list = `${fields.slice(0, -1).join(', ')} and ${fields[fields.length - 1]}`;
  return `${serverName(obj)} is invalid: spec: Forbidden: updates to statefulset spec for fields other than ${list} are forbidden`;
}

const STS_DEFAULTS: Record<string, any> = { podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10 };
const STS_ORDER = ['serviceName', 'selector', 'podManagementPolicy', 'revisionHistoryLimit', 'volumeClaimTemplates'];

function replicaOrdinals(sts: any): number[] {
  const replicas = typeof sts.spec?.replicas === 'number' ? sts.spec.replicas : 1;
  const start = typeof sts.spec?.ordinals?.start === 'number' ? sts.spec.ordinals.start : 0;
  return Array.from({ length: replicas }, (_, i) => start + i);
}

function claimNames(sts: any, template: string): string[] {
  return replicaOrdinals(sts).map(i => `${template}-${sts.metadata.name}-${i}`);
}

function orphanRecreate(sts: any): string {
  return `kubectl ${nsFlag(sts)}delete statefulset ${sts.metadata.name} --cascade=orphan, then apply the new manifests: ` +
    'the pods and their claims keep running and the new StatefulSet adopts them (with Argo CD: delete it the same way, then sync)';
}

function statefulSet(cur: any, n: LoadedObject, ctx: Ctx): RawFinding[] {
  const next = n.obj;
  const mutable = new Set(statefulSetMutableFields(ctx.minor));
  const cs = cur.spec ?? {};
  const ns = next.spec ?? {};
  const keys = [...new Set([...Object.keys(cs), ...Object.keys(ns)])]
    .filter(k => !mutable.has(k))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const message = statefulSetMessage(next, ctx.minor);
  const out: RawFinding[] = [];
  for (const key of keys) {
    if (key === 'volumeClaimTemplates') {
      out.push(...claimTemplates(cur, n, ctx, message));
      continue;
    }
    const a = cs[key] ?? STS_DEFAULTS[key];
    const b = ns[key] ?? STS_DEFAULTS[key];
    if (JSON.stringify(canon(a)) === JSON.stringify(canon(b))) continue;
    out.push(finding(next, n.source, {
      severity: 'REFUSED',
      field: `spec.${key}`,
      oldValue: a,
      newValue: b,
      message,
      wayOut: statefulSetWayOut(key, cur, a),
    }));
  }
  // the template may change, but the engine it runs may not take the data (engine-rules.ts)
  out.push(...engineVersionChanges(cur, next).map(f => finding(next, n.source, f)));
  return out;
}

function rank(key: string): number {
  const i = STS_ORDER.indexOf(key);
  return i < 0 ? STS_ORDER.length : i;
}

function statefulSetWayOut(key: string, cur: any, oldValue: any): string {
  const keep = `Keep spec.${key} at ${showValue(oldValue)}`;
  if (key === 'selector') {
    return `${keep} (StatefulWorkload derives it from the StatefulSet name, never from the construct path). ` +
      'A new selector needs a new StatefulSet: the running pods keep their labels, so an orphaning delete ' +
      'leaves them outside the new selector and their names collide with the new pods';
  }
  if (key === 'serviceName') {
    return `${keep}, or change it with ${orphanRecreate(cur)}. The pods' DNS names change with it: ` +
      'update every client and peer list that names them';
  }
  return `${keep}, or change it with ${orphanRecreate(cur)}`;
}

function templateKey(t: any): string {
  return t?.metadata?.name ?? '';
}

function normaliseTemplate(t: any): any {
  const spec = { ...(t?.spec ?? {}) };
  if (spec.volumeMode === undefined) spec.volumeMode = 'Filesystem';
  return {
    metadata: { name: t?.metadata?.name, labels: t?.metadata?.labels, annotations: t?.metadata?.annotations },
    spec,
  };
}

function claimTemplates(cur: any, n: LoadedObject, ctx: Ctx, message: string): RawFinding[] {
  const next = n.obj;
  const before = new Map<string, any>((cur.spec?.volumeClaimTemplates ?? []).map((t: any) => [templateKey(t), t]));
  const after = new Map<string, any>((next.spec?.volumeClaimTemplates ?? []).map((t: any) => [templateKey(t), t]));
  const out: RawFinding[] = [];
  for (const [name, t] of before) {
    const field = `spec.volumeClaimTemplates[name=${name}]`;
    const u = after.get(name);
    if (!u) {
      out.push(finding(next, n.source, {
        severity: 'REFUSED',
        field,
        oldValue: templateSummary(t),
        newValue: NOT_SET,
        message,
        wayOut: `Keep the claim template "${name}". Removing it needs ${orphanRecreate(cur)}; ` +
          `the claims ${claimNames(cur, name).join(', ')} then stay unused until you delete them`,
      }));
      continue;
    }
    for (const d of diffLeaves(normaliseTemplate(t), normaliseTemplate(u), field)) {
      out.push(finding(next, n.source, {
        severity: 'REFUSED',
        field: d.path,
        oldValue: d.oldValue,
        newValue: d.newValue,
        message,
        wayOut: claimTemplateWayOut(cur, u, name, d, ctx),
      }));
    }
  }
  const removed = [...before.keys()].filter(name => !after.has(name));
  for (const [name, u] of after) {
    if (before.has(name)) continue;
    const renamed = removed.length
      ? `If "${name}" is ${removed.map(r => `"${r}"`).join(' or ')} renamed: its claims are new and empty, the data stays in ` +
        `${removed.flatMap(r => claimNames(cur, r)).join(', ')}; keep the old name. `
      : '';
    out.push(finding(next, n.source, {
      severity: 'REFUSED',
      field: `spec.volumeClaimTemplates[name=${name}]`,
      oldValue: NOT_SET,
      newValue: templateSummary(u),
      message,
      wayOut: `${renamed}Add the claim template with ${orphanRecreate(cur)}; the controller creates the new claims ` +
        `(${claimNames(cur, name).join(', ')}) as it recreates each pod, on the next rolling update`,
    }));
  }
  return out;
}

function templateSummary(t: any): string {
  const s = t?.spec ?? {};
  return JSON.stringify(canon({
    name: t?.metadata?.name,
    storage: s.resources?.requests?.storage,
    storageClassName: s.storageClassName,
    accessModes: s.accessModes,
  }));
}

function claimTemplateWayOut(cur: any, template: any, name: string, d: LeafDiff, ctx: Ctx): string {
  const claims = claimNames(cur, name);
  if (/\.spec\.resources\.requests\.storage$/.test(d.path)) {
    // NaN when not a quantity: every comparison with it is false
    const a = parseQuantity(d.oldValue) ?? NaN;
    const b = parseQuantity(d.newValue) ?? NaN;
    if (b < a) {
      return `Claims cannot shrink (the API server refuses it on every claim). Keep ${d.oldValue}; to really shrink, ` +
        'copy the data to a new StatefulSet with smaller claims under a new name and switch clients over';
    }
    const cls = classOf(template.spec?.storageClassName, ctx);
    const expand = cls && cls.allowVolumeExpansion !== true
      ? `First set allowVolumeExpansion: true on StorageClass "${cls.metadata.name}" (it is false or unset now; that field may change). `
      : 'The claims\' StorageClass must have allowVolumeExpansion: true. ';
    const patch = JSON.stringify({ spec: { resources: { requests: { storage: d.newValue } } } });
    const ordinals = replicaOrdinals(cur);
    const grow = `for i in ${ordinals.join(' ')}; do kubectl ${nsFlag(cur)}patch pvc ${name}-${cur.metadata.name}-$i -p '${patch}'; done`;
    return `${expand}Grow each claim: ${grow}, and wait until each shows the new capacity (kubectl ${nsFlag(cur)}get pvc). Then ${orphanRecreate(cur)}`;
  }
  return `Existing claims (${claims.join(', ')}) keep their spec whatever the template says: ` +
    `${d.path.replace(/^spec\.volumeClaimTemplates\[name=[^\]]*\]\./, '')} of existing data cannot change in place. ` +
    `Keep the old value, or apply the new template (to new replicas only) with ${orphanRecreate(cur)}; ` +
    'moving existing data means copying it to new claims';
}

function classOf(name: string | undefined, ctx: Ctx): any {
  if (name === undefined) return ctx.next.defaultClass ?? ctx.cur.defaultClass;
  return ctx.next.classes.get(name) ?? ctx.cur.classes.get(name);
}

// ---------------------------------------------------------------------------------------------
// PersistentVolumeClaim

function claim(cur: any, n: LoadedObject, ctx: Ctx): RawFinding[] {
  const next = n.obj;
  const out: RawFinding[] = [];
  const spec = (o: any) => {
    const s = { ...(o.spec ?? {}) };
    if (s.volumeMode === undefined) s.volumeMode = 'Filesystem';
    const resources = { ...(s.resources ?? {}) };
    delete resources.requests;
    s.resources = resources;
    return s;
  };
  const immutable = `${serverName(next)} is invalid: spec: Forbidden: spec is immutable after creation except resources.requests for bound claims`;
  for (const d of diffLeaves(spec(cur), spec(next), 'spec')) {
    if (d.path === 'spec.storageClassName' && d.oldValue === undefined) {
      out.push(finding(next, n.source, {
        severity: 'WARNING',
        field: d.path,
        oldValue: NOT_SET,
        newValue: d.newValue,
        message: `${immutable} (accepted only if "${d.newValue}" is the class the cluster assigned when the claim was created)`,
        wayOut: `Check the live claim (kubectl ${nsFlag(next)}get pvc ${next.metadata.name} -o jsonpath='{.spec.storageClassName}') and write that class`,
      }));
      continue;
    }
    if (d.path === 'spec.volumeName' && d.oldValue === undefined) continue; // binding fills it in
    out.push(finding(next, n.source, {
      severity: 'REFUSED',
      field: d.path,
      oldValue: d.oldValue,
      newValue: d.newValue,
      message: immutable,
      wayOut: `Keep ${d.path} as it is. A claim with another spec is a new claim: create it under a new name, copy the data, ` +
        'point the workload at it, then delete the old one',
    }));
  }
  const requests = diffLeaves(cur.spec?.resources?.requests, next.spec?.resources?.requests, 'spec.resources.requests');
  for (const d of requests) {
    const a = parseQuantity(d.oldValue);
    const b = parseQuantity(d.newValue);
    if (a !== undefined && b !== undefined && b < a) {
      out.push(finding(next, n.source, {
        severity: 'REFUSED',
        field: d.path,
        oldValue: d.oldValue,
        newValue: d.newValue,
        message: `${serverName(next)} is invalid: ${d.path}: Forbidden: field can not be less than previous value`,
        wayOut: `Claims cannot shrink. Keep ${d.oldValue}; to shrink, copy the data to a new, smaller claim under a new name`,
      }));
      continue;
    }
    if (a === undefined || b === undefined || d.path !== 'spec.resources.requests.storage') continue;
    const cls = classOf(next.spec?.storageClassName, ctx);
    if (cls && cls.allowVolumeExpansion === true) continue;
    if (cls) {
      out.push(finding(next, n.source, {
        severity: 'REFUSED',
        field: d.path,
        oldValue: d.oldValue,
        newValue: d.newValue,
        message: `${serverName(next)} is refused by admission: only dynamically provisioned claims of a StorageClass with ` +
          `allowVolumeExpansion: true can grow; StorageClass "${cls.metadata.name}" does not allow it`,
        wayOut: `Set allowVolumeExpansion: true on StorageClass "${cls.metadata.name}" in the same change (that field may change; ` +
          'its CSI driver must support expansion), or keep the size',
      }));
    } else {
      out.push(finding(next, n.source, {
        severity: 'WARNING',
        field: d.path,
        oldValue: d.oldValue,
        newValue: d.newValue,
        message: `${serverName(next)} can grow only if it is bound and its StorageClass ` +
          `(${next.spec?.storageClassName ? `"${next.spec.storageClassName}"` : 'the default class'}, not in these manifests) has allowVolumeExpansion: true`,
        wayOut: `Check: kubectl get storageclass ${next.spec?.storageClassName ?? ''} -o jsonpath='{.allowVolumeExpansion}' ` +
          `and kubectl ${nsFlag(next)}get pvc ${next.metadata.name} (STATUS Bound)`,
      }));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// PersistentVolume (messages as Kubernetes' ValidatePersistentVolumeUpdate writes them)

const PV_MUTABLE = new Set([
  'capacity', 'accessModes', 'claimRef', 'persistentVolumeReclaimPolicy', 'storageClassName', 'mountOptions',
  'nodeAffinity', 'volumeMode', 'volumeAttributesClassName',
]);

function volume(cur: any, n: LoadedObject): RawFinding[] {
  const next = n.obj;
  const out: RawFinding[] = [];
  const source = (o: any) => Object.fromEntries(Object.entries(o.spec ?? {}).filter(([k]) => !PV_MUTABLE.has(k)));
  const wayOut = 'A volume cannot point at other storage. Keep the source; for other storage create a new StaticVolume ' +
    '(and claim) under a new name and copy the data';
  for (const d of diffLeaves(source(cur), source(next), 'spec')) {
    out.push(finding(next, n.source, {
      severity: 'REFUSED',
      field: d.path,
      oldValue: d.oldValue,
      newValue: d.newValue,
      message: `${serverName(next)} is invalid: spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation`,
      wayOut,
    }));
  }
  const mode = (o: any) => o.spec?.volumeMode ?? 'Filesystem';
  if (mode(cur) !== mode(next)) {
    out.push(finding(next, n.source, {
      severity: 'REFUSED',
      field: 'spec.volumeMode',
      oldValue: mode(cur),
      newValue: mode(next),
      message: `${serverName(next)} is invalid: spec.volumeMode: Invalid value: "${mode(next)}": field is immutable`,
      wayOut,
    }));
  }
  // claimRef may change, but a bound volume handed to another claim leaves its claim without it
  const before = reservation(cur);
  const after = reservation(next);
  if (before !== undefined && before !== after) {
    out.push(finding(next, n.source, {
      severity: 'WARNING',
      field: 'spec.claimRef',
      oldValue: before,
      newValue: after ?? NOT_SET,
      message: `PersistentVolume ${next.metadata.name} is reserved for ${after === undefined ? 'no claim' : `claim ${after}`} instead of ${before}: ` +
        `if ${before} is bound to it, that claim loses its volume (phase Lost) while its pod may still use the disk, and ` +
        (after === undefined ? 'any claim of the class can bind the volume' : `${after} binds the same disk`) +
        ': two pods may then use one disk at once',
      wayOut: 'Keep the reservation: a StaticVolumeSet with bindToClaims reserves volume N for <claim template>-<statefulset>-<ordinal>, so ' +
        'it follows the StatefulSet\'s name (keep metadata.name of the workload). To hand the disk to another claim, first stop the pod ' +
        `that uses ${before} and delete that claim (kubectl -n ${before.split('/')[0] || 'default'} delete pvc ${before.split('/')[1]}), then apply`,
    }));
  }
  // nodeAffinity may be set once on a volume that has none; after that it is fixed
  const affinity = canon(cur.spec?.nodeAffinity) === undefined ? [] : diffLeaves(cur.spec?.nodeAffinity, next.spec?.nodeAffinity, 'spec.nodeAffinity');
  for (const d of affinity) {
    out.push(finding(next, n.source, {
      severity: 'REFUSED',
      field: d.path,
      oldValue: d.oldValue,
      newValue: d.newValue,
      message: `${serverName(next)} is invalid: spec.nodeAffinity: Invalid value: ...: field is immutable`,
      wayOut: 'The data lives where the volume is: keep nodeAffinity; for another node create a new volume under a new name and copy the data',
    }));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// StorageClass

function storageClass(cur: any, n: LoadedObject): RawFinding[] {
  const next = n.obj;
  const out: RawFinding[] = [];
  const fields: Array<[string, any]> = [['provisioner', undefined], ['parameters', undefined], ['reclaimPolicy', 'Delete'], ['volumeBindingMode', 'Immediate']];
  for (const [field, dflt] of fields) {
    const a = cur[field] ?? dflt;
    const b = next[field] ?? dflt;
    if (JSON.stringify(canon(a)) === JSON.stringify(canon(b))) continue;
    const message = field === 'volumeBindingMode'
      ? `${serverName(next)} is invalid: volumeBindingMode: Invalid value: "${b}": field is immutable`
      : `${serverName(next)} is invalid: ${field}: Forbidden: updates to ${field} are forbidden.`;
    out.push(finding(next, n.source, {
      severity: 'REFUSED',
      field,
      oldValue: a,
      newValue: b,
      message,
      wayOut: `Give the class with the new ${field} a new name and point new claims at it, or delete and re-create the class ` +
        `(kubectl delete storageclass ${next.metadata.name}, then apply; Argo CD: sync option Force=true,Replace=true on it). ` +
        'Existing volumes keep the settings they were provisioned with either way',
    }));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Service

function service(cur: any, n: LoadedObject, ctx: Ctx): RawFinding[] {
  const next = n.obj;
  const nt = next.spec?.type; // absent: ClusterIP
  const recreate = `Delete the Service just before the new manifests are applied (kubectl ${nsFlag(next)}delete service ${next.metadata.name}; ` +
    'Argo CD: sync option Force=true,Replace=true on this Service for one sync); clients cannot resolve it in between';
  if (cur.spec?.type === 'ExternalName') {
    if (nt === undefined) {
      return [finding(next, n.source, {
        severity: ctx.serverSideApply ? 'REFUSED' : 'WARNING',
        field: 'spec.type',
        oldValue: 'ExternalName',
        newValue: NOT_SET,
        message: `${serverName(next)} is invalid: spec.clusterIPs: Forbidden: may not be set for ExternalName services ` +
          '(under server-side apply, e.g. Argo CD ServerSideApply=true: the old type belongs to another field manager; client-side kubectl apply succeeds)',
        wayOut: 'State type: ClusterIP explicitly in the new Service (headless or not)',
      })];
    }
    return [];
  }
  if (nt === 'ExternalName') return []; // an ExternalName Service drops its cluster IPs
  const ip = (o: any) => o.spec?.clusterIP ?? o.spec?.clusterIPs?.[0];
  const a = ip(cur);
  const b = ip(next);
  const field = 'spec.clusterIP';
  const refused = (value: string) => `${serverName(next)} is invalid: spec.clusterIPs[0]: Invalid value: ["${value}"]: may not change once set`;
  if (a !== undefined && b !== undefined && a !== b) {
    return [finding(next, n.source, { severity: 'REFUSED', field, oldValue: a, newValue: b, message: refused(b), wayOut: `Keep clusterIP ${a}, or: ${recreate}` })];
  }
  if (a === undefined && b === 'None') {
    return [finding(next, n.source, {
      severity: 'REFUSED',
      field,
      oldValue: '(allocated)',
      newValue: 'None',
      message: refused('None'),
      wayOut: `A Service with a cluster IP cannot become headless. ${recreate}`,
    })];
  }
  if (a === undefined && b !== undefined) {
    return [finding(next, n.source, {
      severity: 'WARNING',
      field,
      oldValue: '(allocated)',
      newValue: b,
      message: `${refused(b)} (unless ${b} is the address the cluster allocated)`,
      wayOut: `Check kubectl ${nsFlag(next)}get service ${next.metadata.name} -o jsonpath='{.spec.clusterIP}'; if it differs: ${recreate}`,
    })];
  }
  if (a === 'None' && b === undefined) {
    return [finding(next, n.source, {
      severity: 'WARNING',
      field,
      oldValue: 'None',
      newValue: NOT_SET,
      message: `${serverName(next)} stays headless: the API server keeps clusterIP None when an update leaves clusterIP out, so no cluster IP is allocated`,
      wayOut: `To give it a cluster IP: ${recreate}`,
    })];
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// Jobs and pod selectors

/** Whether Argo CD deletes the Job before it creates the new one (a hook re-created on every sync). */
function recreatedByArgoCd(obj: any): boolean {
  const a = obj.metadata.annotations ?? {};
  const policy = String(a['argocd.argoproj.io/hook-delete-policy']);
  if (a['argocd.argoproj.io/hook'] && /BeforeHookCreation|HookSucceeded/.test(policy)) return true;
  const sync = String(a['argocd.argoproj.io/sync-options']);
  return /Force=true/.test(sync) && /Replace=true/.test(sync);
}

function job(cur: any, n: LoadedObject): RawFinding[] {
  const next = n.obj;
  if (recreatedByArgoCd(next)) return [];
  const immutable = ['template', 'selector', 'manualSelector', 'completionMode', 'podFailurePolicy', 'backoffLimitPerIndex'];
  if ((next.spec?.completionMode ?? 'NonIndexed') !== 'Indexed') immutable.push('completions');
  const out: RawFinding[] = [];
  for (const key of immutable) {
    const diffs = diffLeaves(cur.spec?.[key], next.spec?.[key], `spec.${key}`);
    if (!diffs.length) continue;
    const d = diffs[0];
    const more = diffs.length > 1 ? ` (and ${diffs.length - 1} more change${diffs.length > 2 ? 's' : ''} under spec.${key})` : '';
    out.push(finding(next, n.source, {
      severity: 'REFUSED',
      field: d.path,
      oldValue: d.oldValue,
      newValue: d.newValue,
      message: `${serverName(next)} is invalid: spec.${key}: Invalid value: ...: field is immutable${more}`,
      wayOut: 'A changed Job is a new Job: give it a new name (e.g. derived from its image and command), or make it an Argo CD hook ' +
        'with argocd.argoproj.io/hook-delete-policy: BeforeHookCreation, or delete the finished Job before applying ' +
        `(kubectl ${nsFlag(next)}delete job ${next.metadata.name})`,
    }));
  }
  return out;
}

function podSelector(cur: any, n: LoadedObject): RawFinding[] {
  const next = n.obj;
  if (recreatedByArgoCd(next)) return [];
  const diffs = diffLeaves(cur.spec?.selector, next.spec?.selector, 'spec.selector');
  if (!diffs.length) return [];
  return [finding(next, n.source, {
    severity: 'REFUSED',
    field: 'spec.selector',
    oldValue: cur.spec?.selector,
    newValue: next.spec?.selector,
    message: `${serverName(next)} is invalid: spec.selector: Invalid value: ...: field is immutable`,
    wayOut: 'Keep the selector (labels derived from the construct path or chart id change when code moves: pin them), or delete the ' +
      `${next.kind} just before applying (kubectl ${nsFlag(next)}delete ${next.kind.toLowerCase()} ${next.metadata.name}; Argo CD: ` +
      'sync option Force=true,Replace=true for one sync)',
  })];
}

function endpointSlice(cur: any, n: LoadedObject): RawFinding[] {
  const next = n.obj;
  if (cur.addressType === next.addressType || cur.addressType === undefined || next.addressType === undefined) return [];
  return [finding(next, n.source, {
    severity: 'REFUSED',
    field: 'addressType',
    oldValue: cur.addressType,
    newValue: next.addressType,
    message: `${serverName(next)} is invalid: addressType: Invalid value: "${next.addressType}": field is immutable`,
    wayOut: 'Use one EndpointSlice per address family, each under its own name',
  })];
}

// ---------------------------------------------------------------------------------------------
// removals and renames

function isDataStatefulSet(o: any): boolean {
  return groupOf(o.apiVersion) === 'apps' && o.kind === 'StatefulSet' && (o.spec?.volumeClaimTemplates ?? []).length > 0;
}
function isClaim(o: any): boolean {
  return groupOf(o.apiVersion) === '' && o.kind === 'PersistentVolumeClaim';
}
function isVolume(o: any): boolean {
  return groupOf(o.apiVersion) === '' && o.kind === 'PersistentVolume';
}

/** What makes two objects hold "the same" data, for rename detection; undefined when it holds none. */
function dataSignature(o: any): string | undefined {
  if (isDataStatefulSet(o)) {
    return 'sts:' + JSON.stringify((o.spec.volumeClaimTemplates as any[]).map(templateKey).sort());
  }
  if (isClaim(o)) {
    const s = o.spec ?? {};
    return 'pvc:' + JSON.stringify(canon({
      storageClassName: s.storageClassName,
      accessModes: s.accessModes,
      volumeMode: s.volumeMode ?? 'Filesystem',
      storage: parseQuantity(s.resources?.requests?.storage) ?? s.resources?.requests?.storage,
    }));
  }
  if (isVolume(o)) return 'pv:' + storageKey(o);
  return undefined;
}

/**
 * The storage a PersistentVolume points at: its source and, for a node's disk, the node (a local
 * volume's path repeats on every node: `/mnt/disks/ssd0` of node-1 is not that of node-2).
 */
function storageKey(pv: any): string {
  const source = Object.fromEntries(Object.entries(pv.spec ?? {}).filter(([k]) => !PV_MUTABLE.has(k)));
  return JSON.stringify(canon({ source, nodeAffinity: pv.spec?.nodeAffinity }));
}

/** `<namespace>/<name>` of the claim a volume is reserved for (`spec.claimRef`); undefined when none. */
function reservation(pv: any): string | undefined {
  const ref = pv.spec?.claimRef;
  return ref?.name ? `${ref.namespace ?? ''}/${ref.name}` : undefined;
}

/** A volume on the other side on the same storage, if any. */
function sameStorage(pv: any, other: Side): any {
  const key = storageKey(pv);
  return other.volumes.find(v => storageKey(v) === key);
}

/** Whether the claims go with the StatefulSet (whenDeleted: Delete; absent: Retain). */
function deletesClaims(sts: any): boolean {
  return sts.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete';
}

function keptByArgoCd(o: any): boolean {
  return /Prune=false/.test(String(o.metadata.annotations?.['argocd.argoproj.io/sync-options']));
}

function removals(ctx: Ctx): RawFinding[] {
  const out: RawFinding[] = [];
  const added = [...ctx.next.byId.entries()].filter(([id]) => !ctx.cur.byId.has(id)).map(([, o]) => o);
  const used = new Set<LoadedObject>();
  const removedNamespaces = new Set(
    [...ctx.cur.byId.values()].filter(o => o.obj.kind === 'Namespace' && groupOf(o.obj.apiVersion) === '' &&
      !ctx.next.byId.has(identity(o.obj))).map(o => o.obj.metadata.name as string),
  );
  for (const [id, c] of ctx.cur.byId) {
    if (ctx.next.byId.has(id)) continue;
    const old = c.obj;
    const sig = dataSignature(old);
    if (sig === undefined) continue;
    const candidates = added.filter(a => !used.has(a) && a.obj.kind === old.kind && dataSignature(a.obj) === sig && plausibleRename(old, a.obj));
    candidates.sort((x, y) => similarity(old, y.obj) - similarity(old, x.obj));
    const match = candidates[0];
    if (match) {
      used.add(match);
      out.push(rename(c, match, ctx));
    } else {
      out.push(removal(c));
    }
  }
  for (const ns of removedNamespaces) {
    const holders = [...ctx.cur.byId.values()].filter(o => namespaceOf(o.obj) === ns && dataSignature(o.obj) !== undefined);
    if (!holders.length) continue;
    const nsObj = ctx.cur.byId.get(['', 'Namespace', '', ns].join('|'))!;
    out.push(finding(nsObj.obj, nsObj.source, {
      severity: 'DATA_LOSS',
      field: 'metadata.name',
      oldValue: ns,
      newValue: '(deleted)',
      message: `Namespace "${ns}" leaves the manifests: deleting a namespace deletes everything in it, claims included ` +
        `(${holders.map(h => `${h.obj.kind} ${h.obj.metadata.name}`).join(', ')})`,
      wayOut: 'Keep the Namespace in the manifests, or annotate it argocd.argoproj.io/sync-options: Prune=false,Delete=false ' +
        'and move the data first',
    }));
  }
  return out;
}

/**
 * Image names without registry default, tag or digest: `postgres:16` and
 * `docker.io/library/postgres:17` run the same store.
 */
function imageRepositories(o: any): string {
  const pod = o.spec?.template?.spec ?? {};
  const images = [...(pod.containers ?? []), ...(pod.initContainers ?? [])]
    .map((c: any) => String(c.image ?? '').replace(/@.*$/, '').replace(/:[^:/]*$/, '')
      .replace(/^(index\.)?docker\.io\/(library\/)?/, ''));
  return JSON.stringify([...new Set(images)].sort());
}

/**
 * Whether a new object may be the old one under another name: moved to another namespace under the
 * same name, or renamed in the same namespace (a StatefulSet then runs the same images).
 */
function plausibleRename(a: any, b: any): boolean {
  if (a.metadata.name === b.metadata.name) return true;
  if (namespaceOf(a) !== namespaceOf(b)) return false;
  return !isDataStatefulSet(a) || imageRepositories(a) === imageRepositories(b);
}

/** Higher is more alike: same namespace, same governing Service, same images. */
function similarity(a: any, b: any): number {
  let s = 0;
  if (namespaceOf(a) === namespaceOf(b)) s += 4;
  if (a.spec?.serviceName && a.spec?.serviceName === b.spec?.serviceName) s += 2;
  const images = (o: any) => JSON.stringify((o.spec?.template?.spec?.containers ?? []).map((c: any) => c.image).sort());
  if (images(a) === images(b)) s += 1;
  return s;
}

function describe(o: any): string {
  const ns = namespaceOf(o);
  return `${ns ? `${ns}/` : ''}${o.metadata.name}`;
}

function rename(c: LoadedObject, n: LoadedObject, ctx: Ctx): RawFinding {
  const old = c.obj;
  const next = n.obj;
  const moved = old.metadata.name === next.metadata.name;
  const field = moved ? 'metadata.namespace' : 'metadata.name';
  const oldValue = moved ? (namespaceOf(old) ?? NOT_SET) : old.metadata.name;
  const newValue = moved ? (namespaceOf(next) ?? NOT_SET) : next.metadata.name;
  const keep = moved
    ? `Keep metadata.namespace "${oldValue}"`
    : `Keep metadata.name "${old.metadata.name}" (set it explicitly, e.g. metadata: { name: '${old.metadata.name}' }, so it does not follow the construct path)`;
  if (isDataStatefulSet(old)) return statefulSetRename(c, n, ctx, field, oldValue, newValue, keep);
  if (isVolume(old)) return volumeRename(c, n, field, oldValue, newValue);
  const message = `PersistentVolumeClaim ${describe(old)} is replaced by ${describe(next)}: the new claim is a new, empty volume; ` +
    (keptByArgoCd(old) ? 'the old claim stays (Argo CD Prune=false) but nothing uses it' : 'the old claim and its data are deleted when pruned');
  const wayOut = `${keep}. To really move the data, copy it to the new claim first`;
  return finding(old, c.source, { severity: 'DATA_LOSS', field, oldValue, newValue, message, wayOut });
}

/**
 * Where the claims of a renamed StatefulSet get their volumes: each new claim reserved (claimRef)
 * by a volume of the new manifests on storage a volume of the current ones points at starts on the
 * old data; when the new claims are not reserved, volumes re-created on old storage (of the
 * claim template's class, reserved for no one) take as many claims as there are such volumes.
 */
function claimStorage(next: any, ctx: Ctx): { onOldStorage: string[]; volumes: string[]; oldVolumes: any[]; fresh: string[] } {
  const ns = namespaceOf(next) ?? '';
  const onOldStorage: string[] = [];
  const volumes: string[] = [];
  const oldVolumes: any[] = [];
  const fresh: string[] = [];
  for (const t of next.spec.volumeClaimTemplates as any[]) {
    const unreserved = ctx.next.volumes.filter(v => reservation(v) === undefined && sameStorage(v, ctx.cur) !== undefined
      && !ctx.cur.volumes.some(o => o.metadata.name === v.metadata.name)
      && (v.spec?.storageClassName ?? '') === (t.spec?.storageClassName ?? ''));
    for (const claimName of claimNames(next, templateKey(t))) {
      const reserved = ctx.next.volumes.find(v => reservation(v) === `${ns}/${claimName}`);
      const pv = reserved ?? unreserved.shift();
      const before = pv && sameStorage(pv, ctx.cur);
      if (pv && before) {
        onOldStorage.push(claimName);
        volumes.push(`${claimName} on ${pv.metadata.name}${pv.metadata.name === before.metadata.name ? '' : ` (the storage of ${before.metadata.name})`}`);
        oldVolumes.push(before);
      } else {
        fresh.push(claimName);
      }
    }
  }
  return { onOldStorage, volumes, oldVolumes, fresh };
}

function statefulSetRename(c: LoadedObject, n: LoadedObject, ctx: Ctx, field: string, oldValue: string, newValue: string, keep: string): RawFinding {
  const old = c.obj;
  const next = n.obj;
  const templates = (old.spec.volumeClaimTemplates as any[]).map(templateKey);
  const oldClaims = templates.flatMap(t => claimNames(old, t));
  const newClaims = templates.flatMap(t => claimNames(next, t));
  const fate = deletesClaims(old)
    ? `the old claims (${oldClaims.join(', ')}) are deleted with the old StatefulSet (whenDeleted: Delete)`
    : `the old claims (${oldClaims.join(', ')}) stay behind, unused (whenDeleted: Retain)`;
  const storage = claimStorage(next, ctx);
  if (storage.onOldStorage.length === 0) {
    return finding(old, c.source, {
      severity: 'DATA_LOSS',
      field,
      oldValue,
      newValue,
      message: `StatefulSet ${describe(old)} is replaced by ${describe(next)}: the new StatefulSet starts with new, empty claims ` +
        `(${newClaims.join(', ')}) and ${fate}`,
      wayOut: `${keep}. To really move the data, copy it from the old claims into the new ones before clients switch over`,
    });
  }
  // static volumes re-created on the disks of the old ones: the new pods find the old data
  const ns = nsFlag(next);
  const oldPods = replicaOrdinals(old).map(i => `pod/${old.metadata.name}-${i}`).join(' ');
  const erasing = storage.oldVolumes.filter(v => v.spec?.persistentVolumeReclaimPolicy === 'Delete' || v.spec?.persistentVolumeReclaimPolicy === 'Recycle');
  const sharing = 'the new pods start on the old data, and until the old StatefulSet\'s pods are gone two processes use each disk at once ' +
    '(kubectl apply and Argo CD create the new StatefulSet before they prune the old one)';
  const freshPart = storage.fresh.length
    ? `; the claims ${storage.fresh.join(', ')} get no such volume: they start new and empty, and ${fate}`
    : '';
  const erasePart = erasing.length
    ? `; the old volumes ${[...new Set(erasing.map(v => v.metadata.name))].join(', ')} have reclaim policy ${erasing[0].spec.persistentVolumeReclaimPolicy}: ` +
      'once their old claims are deleted, the storage the new pods use is erased'
    : '';
  const message = `StatefulSet ${describe(old)} is replaced by ${describe(next)}, whose claims bind PersistentVolumes on the storage of the old ` +
    `claims' volumes (${storage.volumes.join(', ')}): ${sharing}${freshPart}${erasePart}`;
  const wayOut = `${keep}; its claims and the names of its static volumes follow it. To rename anyway, stop the old pods before the new ones ` +
    `start: kubectl ${ns}scale statefulset ${old.metadata.name} --replicas=0, then kubectl ${ns}wait --for=delete ${oldPods} --timeout=30m, ` +
    'then apply the new manifests. Once the new pods run on the data, delete the old claims ' +
    `(kubectl ${ns}delete pvc ${oldClaims.join(' ')}) and the old volume objects` +
    (erasing.length ? ' only after setting their reclaim policy to Retain (kubectl patch pv <name> -p \'{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}\')' : ' (reclaim policy Retain keeps the data on the disks)') +
    '; an engine that records its name in its data (Cassandra\'s cluster_name) must keep that name';
  const severity: Severity = storage.fresh.length || erasing.length ? 'DATA_LOSS' : 'WARNING';
  return finding(old, c.source, { severity, field, oldValue, newValue, message, wayOut });
}

/**
 * How to keep a volume's name: `<namePrefix>-<ordinal>` is a StaticVolumeSet's naming, a
 * StaticVolume takes its name in `metadata`.
 */
function keepVolumeName(name: string): string {
  const set = /^(.+)-(\d+)$/.exec(name);
  return `Keep the name "${name}": ` + (set
    ? `a StaticVolumeSet names its volumes <namePrefix>-<ordinal>, so set namePrefix: '${set[1]}' on it (its default, ` +
      '<namespace>-<claim template>-<statefulset>, follows the StatefulSet\'s name); for a StaticVolume, ' +
      `set metadata: { name: '${name}' }`
    : `set metadata: { name: '${name}' } on the StaticVolume`);
}

function volumeRename(c: LoadedObject, n: LoadedObject, field: string, oldValue: string, newValue: string): RawFinding {
  const old = c.obj;
  const next = n.obj;
  const before = reservation(old);
  const after = reservation(next);
  const policy = old.spec?.persistentVolumeReclaimPolicy;
  const erase = policy === 'Delete' || policy === 'Recycle'
    ? `; with reclaim policy ${policy} the storage itself is erased once the old volume is released`
    : '';
  const stays = 'a claim bound to the old volume stays bound to it (pruning only marks a bound volume for deletion: the ' +
    'pv-protection finalizer keeps it while the claim exists, and Argo CD keeps it anyway: Prune=false)';
  let message: string;
  let wayOut: string;
  if (after !== undefined && before !== after) {
    message = `PersistentVolume ${describe(old)} is replaced by ${describe(next)} on the same storage, reserved for another claim ` +
      `(${after} instead of ${before ?? 'none'}): that claim gets the disk and the data on it; ${stays}, so two volume objects point at ` +
      `one disk until the old claim and volume are deleted${erase}`;
    wayOut = `This follows the claims: if their StatefulSet was renamed, see its finding and keep its name. ${keepVolumeName(old.metadata.name)}`;
  } else {
    message = `PersistentVolume ${describe(old)} is replaced by ${describe(next)} on the same storage: ${stays}, and the new volume ` +
      (after !== undefined
        ? `waits, reserved for the same claim ${after}, until the old one is gone`
        : 'is Available to any claim of its class, which would then share the disk with the pod that uses the old one') +
      `: two volume objects point at one disk${erase}`;
    wayOut = keepVolumeName(old.metadata.name);
  }
  const severity: Severity = policy === 'Delete' || policy === 'Recycle' ? 'DATA_LOSS' : 'WARNING';
  return finding(old, c.source, { severity, field, oldValue, newValue, message, wayOut });
}

function removal(c: LoadedObject): RawFinding {
  const old = c.obj;
  let severity: Severity = 'DATA_LOSS';
  let message: string;
  let wayOut: string;
  if (isDataStatefulSet(old)) {
    const claims = (old.spec.volumeClaimTemplates as any[]).flatMap(t => claimNames(old, templateKey(t)));
    if (deletesClaims(old)) {
      message = `StatefulSet ${describe(old)} leaves the manifests: when it is deleted (pruned), its claims ${claims.join(', ')} are deleted with it (whenDeleted: Delete)`;
    } else {
      severity = 'WARNING';
      message = `StatefulSet ${describe(old)} leaves the manifests: when it is deleted (pruned), its claims ${claims.join(', ')} stay (whenDeleted: Retain) but nothing uses them`;
    }
    wayOut = 'If the workload moved, keep its metadata.name and namespace; if it is retired, back the data up and delete the claims on purpose';
  } else if (isClaim(old)) {
    if (keptByArgoCd(old)) severity = 'WARNING';
    message = `PersistentVolumeClaim ${describe(old)} leaves the manifests: pruning deletes it, and with it a dynamically provisioned volume ` +
      '(reclaim policy Delete)' + (keptByArgoCd(old) ? '; Argo CD keeps it (Prune=false), kubectl apply --prune does not' : '');
    wayOut = 'Keep the claim in the manifests, or annotate it argocd.argoproj.io/sync-options: Prune=false,Delete=false and back the data up first';
  } else {
    const policy = old.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Retain') severity = 'WARNING';
    message = `PersistentVolume ${describe(old)} leaves the manifests: pruning deletes the volume object` +
      (policy === 'Retain' ? ' (the storage keeps the data: reclaim policy Retain)' : ` and its storage (reclaim policy ${policy})`);
    wayOut = 'Keep the volume in the manifests while a claim uses it';
  }
  return finding(old, c.source, { severity, field: 'metadata.name', oldValue: old.metadata.name, newValue: '(deleted)', message, wayOut });
}
