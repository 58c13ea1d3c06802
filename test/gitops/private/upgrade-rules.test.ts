import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DataStoreCredentials } from '../../../src/connection/data-store';
import { Postgres } from '../../../src/engines/postgres';
import { Redis, RedisProps, RedisVersion } from '../../../src/engines/redis';
import {
  acceptKey, canon, checkAcceptPattern, compareManifests, diffLeaves, groupOf, identity, isAccepted, namespaceOf, parseQuantity,
  RawFinding, showValue,
} from '../../../src/gitops/private/upgrade-rules';

// Rules of the upgrade guard, function by function; the objects are plain JSON, as `cdk8s synth` writes them.

const clone = (o: any) => JSON.parse(JSON.stringify(o));
const load = (objs: any[]) => objs.map(obj => ({ obj, source: 'app.k8s.yaml' }));
const compare = (cur: any[], next: any[], minor = 27): RawFinding[] =>
  compareManifests(load(cur), load(next), { minor, serverSideApply: false });
const fields = (fs: RawFinding[]) => fs.map(f => f.field);

function template(name = 'www', spec: any = {}): any {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name },
    spec: { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem', resources: { requests: { storage: '1Gi' } }, ...spec },
  };
}

function sts(templates: any[] = [template()]): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      serviceName: 'nginx',
      replicas: 2,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'web' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] },
      },
      volumeClaimTemplates: templates,
    },
  };
}

function storageClass(name: string, extra: any = {}, apiVersion = 'storage.k8s.io/v1', kind = 'StorageClass'): any {
  return { apiVersion, kind, metadata: { name }, provisioner: 'ebs.csi.aws.com', ...extra };
}

const ORPHAN = 'kubectl -n shop delete statefulset web --cascade=orphan, then apply the new manifests: the pods and their claims keep ' +
  'running and the new StatefulSet adopts them (with Argo CD: delete it the same way, then sync)';
const MESSAGE_27 = 'StatefulSet.apps "web" is invalid: spec: Forbidden: updates to statefulset spec for fields other than ' +
  "'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

// ---------------------------------------------------------------------------------------------
// values

describe('parseQuantity', () => {
  test.each<[unknown, number | undefined]>([
    [5, 5],
    ['1Gi', 2 ** 30],
    [' 1Gi ', 2 ** 30],
    ['250m', 0.25],
    ['abc', undefined],
    [{}, undefined],
    [undefined, undefined],
  ])('%p -> %p', (q, value) => {
    expect(parseQuantity(q)).toBe(value);
  });
});

describe('canon', () => {
  test('drops null, empty maps and empty lists, and sorts keys', () => {
    expect(canon(null)).toBeUndefined();
    expect(canon(undefined)).toBeUndefined();
    expect(canon({ a: null, b: {}, c: [] })).toBeUndefined();
    const c = canon({ z: 1, a: null, m: { y: [], x: 'v' } });
    expect(Object.keys(c)).toEqual(['m', 'z']);
    expect(Object.keys(c.m)).toEqual(['x']);
    expect(JSON.stringify(c)).toBe('{"m":{"x":"v"},"z":1}');
    expect(canon([])).toBeUndefined();
    expect(canon(0)).toBe(0);
    expect(canon('')).toBe('');
  });

  test('showValue', () => {
    expect(showValue(null)).toBe('(not set)');
    expect(showValue({})).toBe('(not set)');
    expect(showValue('1Gi')).toBe('1Gi');
    expect(showValue({ b: 1, a: [2] })).toBe('{"a":[2],"b":1}');
  });
});

describe('diffLeaves', () => {
  test.each<[string, any, any, string, any[]]>([
    ['quantities compare by value', '1Gi', '1024Mi', 'spec.resources.requests.storage', []],
    ['limits too', '1', '1000m', 'resources.limits.cpu', []],
    ['a quantity path at the start of the base', { capacity: { storage: '1Gi' } }, { capacity: { storage: '1024Mi' } }, '', []],
    ['quantities with blanks', ' 1Gi', '1Gi', 'capacity.storage', []],
    ['a quantity path must end at the resource name', '1Gi', '1024Mi', 'x.capacity.storage.more',
      [{ path: 'x.capacity.storage.more', oldValue: '1Gi', newValue: '1024Mi' }]],
    ['other paths compare as text', '1Gi', '1024Mi', 'spec.foo', [{ path: 'spec.foo', oldValue: '1Gi', newValue: '1024Mi' }]],
    ['non-quantities at a quantity path compare as text', 'abc', 'xyz', 'capacity.storage',
      [{ path: 'capacity.storage', oldValue: 'abc', newValue: 'xyz' }]],
    ['equal non-quantities at a quantity path', 'abc', 'abc', 'capacity.storage', []],
    ['a quantity and a non-quantity', '1Gi', 'abc', 'capacity.storage', [{ path: 'capacity.storage', oldValue: '1Gi', newValue: 'abc' }]],
    ['a value becomes a map', 'x', { a: 1 }, 'f', [{ path: 'f', oldValue: 'x', newValue: { a: 1 } }]],
    ['a map becomes a value', { a: 1 }, 'x', 'f', [{ path: 'f', oldValue: { a: 1 }, newValue: 'x' }]],
    ['a single-key map disappears', { a: 1 }, undefined, 'f', [{ path: 'f.a', oldValue: 1, newValue: undefined }]],
    ['a single-key map appears', undefined, { a: { b: 1 } }, 'f', [{ path: 'f.a.b', oldValue: undefined, newValue: 1 }]],
    ['a map with two keys disappears', { a: 1, b: 2 }, null, 'f', [{ path: 'f', oldValue: { a: 1, b: 2 }, newValue: undefined }]],
    ['keys in order', { b: 1 }, { a: 1, b: 2 }, 'f',
      [{ path: 'f.a', oldValue: undefined, newValue: 1 }, { path: 'f.b', oldValue: 1, newValue: 2 }]],
    ['a list becomes a value', [1], 'x', 'f', [{ path: 'f', oldValue: [1], newValue: 'x' }]],
    ['lists of other lengths', [1], [1, 2], 'f', [{ path: 'f', oldValue: [1], newValue: [1, 2] }]],
    ['lists item by item', [1, 2], [1, 3], 'f', [{ path: 'f[1]', oldValue: 2, newValue: 3 }]],
    ['an empty base', { a: 1 }, { a: 2 }, '', [{ path: 'a', oldValue: 1, newValue: 2 }]],
    ['keys that are not identifiers', { 'a.b': 1 }, { 'a.b': 2 }, 'm', [{ path: 'm["a.b"]', oldValue: 1, newValue: 2 }]],
    ['null is absent', { a: null }, undefined, 'f', []],
  ])('%s', (_, a, b, base, diffs) => {
    expect(diffLeaves(a, b, base)).toEqual(diffs);
  });
});

// ---------------------------------------------------------------------------------------------
// accepting findings

describe('accept patterns', () => {
  const f = { kind: 'StatefulSet', objectNamespace: 'shop', objectName: 'web', field: 'spec.selector' };

  test('acceptKey', () => {
    expect(acceptKey(f)).toBe('StatefulSet/shop/web:spec.selector');
    expect(acceptKey({ kind: 'PersistentVolume', objectName: 'pv-0', field: 'spec' })).toBe('PersistentVolume/pv-0:spec');
  });

  test.each(['StatefulSet/shop/web', 'PersistentVolume/pv-0', 'StatefulSet/shop/web:spec.volumeClaimTemplates'])('valid: %s', p => {
    expect(() => checkAcceptPattern(p)).not.toThrow();
  });

  test.each(['/StatefulSet/web', 'StatefulSet/web extra', 'StatefulSet', 'StatefulSet/a/b/c', 'StatefulSet/web:'])('invalid: %s', p => {
    expect(() => checkAcceptPattern(p)).toThrow(`invalid 'accept' entry: "${p}". An entry is <Kind>/<namespace>/<name> (<Kind>/<name> without a namespace), ` +
      'optionally followed by :<field prefix>. Copy it from the "accept:" line of a finding, e.g. StatefulSet/shop/orders-db:spec.volumeClaimTemplates.');
  });

  test.each<[string[], boolean]>([
    [['StatefulSet/shop/web'], true],
    [['statefulset/shop/web'], true],
    [['Service/shop/web'], false],
    [['StatefulSet/shop/db'], false],
    [['StatefulSet/other/web'], false],
    [['StatefulSet/web'], false],
    [['StatefulSet/shop/web:spec.sel'], true],
    [['StatefulSet/shop/web:spec.replicas'], false],
    [['not a pattern'], false],
    [['not a pattern', 'StatefulSet/shop/web'], true],
    [[], false],
  ])('isAccepted(%p) = %p', (patterns, accepted) => {
    expect(isAccepted(f, patterns)).toBe(accepted);
  });

  test('a finding without a namespace', () => {
    const pv = { kind: 'PersistentVolume', objectName: 'pv-0', field: 'spec.capacity' };
    expect(isAccepted(pv, ['PersistentVolume/pv-0'])).toBe(true);
    expect(isAccepted(pv, ['PersistentVolume/default/pv-0'])).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// identity

describe('identity', () => {
  test.each([
    'Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment',
    'VolumeSnapshotClass', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PriorityClass',
    'IngressClass', 'RuntimeClass', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
    'APIService', 'PodSecurityPolicy',
  ])('%s is cluster-scoped: its namespace is ignored', kind => {
    expect(namespaceOf({ kind, metadata: { name: 'x', namespace: 'shop' } })).toBeUndefined();
  });

  test('namespaced kinds', () => {
    expect(namespaceOf({ kind: 'Pod', metadata: { name: 'x', namespace: 'shop' } })).toBe('shop');
    expect(namespaceOf({ kind: 'Pod', metadata: { name: 'x', namespace: '' } })).toBeUndefined();
    expect(namespaceOf({ kind: 'Pod' })).toBeUndefined();
  });

  test.each<[string | undefined, string]>([
    ['apps/v1', 'apps'], ['storage.k8s.io/v1', 'storage.k8s.io'], ['v1', ''], ['', ''], [undefined, ''], ['/v1', ''],
  ])('groupOf(%p) = %p', (apiVersion, group) => {
    expect(groupOf(apiVersion)).toBe(group);
  });

  test('identity', () => {
    expect(identity(sts())).toBe('apps|StatefulSet|shop|web');
    expect(identity({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv', namespace: 'shop' } })).toBe('|PersistentVolume||pv');
    expect(identity({ kind: 'Namespace' })).toBe('|Namespace||');
  });

  test('a removed object without apiVersion is in the core group', () => {
    const [f] = compare([{ kind: 'PersistentVolumeClaim', metadata: { name: 'files', namespace: 'shop' } }], []);
    expect(f).toMatchObject({ kind: 'PersistentVolumeClaim', apiVersion: '', objectNamespace: 'shop', objectName: 'files', field: 'metadata.name' });
  });
});

// ---------------------------------------------------------------------------------------------
// compare

describe('compareManifests', () => {
  test('skips what is not an object with a kind and a name', () => {
    const junk = [null, { kind: 'ConfigMap' }, { kind: 'ConfigMap', metadata: {} }, { metadata: { name: 'x' } }];
    expect(() => compare(junk, junk)).not.toThrow();
    expect(compare(junk, [])).toEqual([]);
  });

  test('an object whose kind is not a string does not replace the object of the same id', () => {
    const next = clone(sts());
    const odd = { ...clone(sts()), kind: ['StatefulSet'] };
    odd.spec.serviceName = 'other';
    expect(compare([sts()], [next, odd])).toEqual([]);
  });

  // each rule applies to its own group and kind only
  const change = (apiVersion: string, kind: string, a: any, b: any) => ({
    cur: { apiVersion, kind, metadata: { name: 'x', namespace: 'shop' }, ...a },
    next: { apiVersion, kind, metadata: { name: 'x', namespace: 'shop' }, ...b },
  });
  const pvcSpec = (mode: string) => ({ spec: { accessModes: [mode], resources: { requests: { storage: '1Gi' } } } });
  const pvSpec = (path: string) => ({ spec: { capacity: { storage: '1Gi' }, hostPath: { path } } });
  const ip = (clusterIP: string) => ({ spec: { clusterIP } });
  const selector = (app: string) => ({ spec: { selector: { matchLabels: { app } }, template: { metadata: { labels: { app } } } } });
  test.each<[string, string, string, any, any]>([
    ['a claim of another group', 'example.com/v1', 'PersistentVolumeClaim', pvcSpec('ReadWriteOnce'), pvcSpec('ReadWriteMany')],
    ['a volume of another group', 'example.com/v1', 'PersistentVolume', pvSpec('/a'), pvSpec('/b')],
    ['a StorageClass of another group', 'example.com/v1', 'StorageClass', { provisioner: 'a' }, { provisioner: 'b' }],
    ['another kind of storage.k8s.io', 'storage.k8s.io/v1', 'CSIDriver', { provisioner: 'a' }, { provisioner: 'b' }],
    ['a Service of another group', 'example.com/v1', 'Service', ip('10.0.0.1'), ip('10.0.0.2')],
    ['another kind of the core group', 'v1', 'ConfigMap', ip('10.0.0.1'), ip('10.0.0.2')],
    ['a Job of another group', 'example.com/v1', 'Job', selector('a'), selector('b')],
    ['another kind of batch', 'batch/v1', 'CronJob', selector('a'), selector('b')],
    ['a Deployment of another group', 'extensions/v1beta1', 'Deployment', selector('a'), selector('b')],
    ['another kind of apps', 'apps/v1', 'ControllerRevision', selector('a'), selector('b')],
    ['an EndpointSlice of another group', 'example.com/v1', 'EndpointSlice', { addressType: 'IPv4' }, { addressType: 'IPv6' }],
    ['another kind of discovery.k8s.io', 'discovery.k8s.io/v1', 'Other', { addressType: 'IPv4' }, { addressType: 'IPv6' }],
    ['an object of no rule', 'v1', 'ConfigMap', { addressType: 'IPv4' }, { addressType: 'IPv6' }],
  ])('no findings for %s', (_, apiVersion, kind, a, b) => {
    const { cur, next } = change(apiVersion, kind, a, b);
    expect(compare([cur], [next])).toEqual([]);
  });

  test.each(['Deployment', 'ReplicaSet', 'DaemonSet'])('the selector of a %s is immutable', kind => {
    const { cur, next } = change('apps/v1', kind, selector('a'), selector('b'));
    expect(compare([cur], [next]).map(f => [f.kind, f.field, f.severity])).toEqual([[kind, 'spec.selector', 'REFUSED']]);
  });
});

// ---------------------------------------------------------------------------------------------
// StatefulSet

describe('StatefulSet', () => {
  test('immutable fields, in order: serviceName, selector, podManagementPolicy, revisionHistoryLimit, claim templates, the rest', () => {
    const cur = sts();
    cur.spec.extraField = 'a';
    const next = clone(cur);
    next.spec.serviceName = 'nginx-2';
    next.spec.selector = { matchLabels: { app: 'web' } };
    next.spec.podManagementPolicy = 'Parallel';
    next.spec.revisionHistoryLimit = 3;
    next.spec.volumeClaimTemplates[0].spec.storageClassName = 'fast';
    next.spec.extraField = 'b';
    next.spec.replicas = 5;
    const out = compare([cur], [next]);
    expect(fields(out)).toEqual([
      'spec.serviceName', 'spec.selector', 'spec.podManagementPolicy', 'spec.revisionHistoryLimit',
      'spec.volumeClaimTemplates[name=www].spec.storageClassName', 'spec.extraField',
    ]);
    expect(out.every(f => f.severity === 'REFUSED' && f.message === MESSAGE_27)).toBe(true);
    expect(out.map(f => [f.oldValue, f.newValue])).toEqual([
      ['nginx', 'nginx-2'], ['{"matchLabels":{"app.kubernetes.io/name":"web"}}', '{"matchLabels":{"app":"web"}}'],
      ['OrderedReady', 'Parallel'], ['10', '3'], ['(not set)', 'fast'], ['a', 'b'],
    ]);
    expect(out.map(f => f.wayOut)).toEqual([
      `Keep spec.serviceName at nginx, or change it with ${ORPHAN}. The pods' DNS names change with it: update every client and peer list that names them`,
      'Keep spec.selector at {"matchLabels":{"app.kubernetes.io/name":"web"}} (StatefulWorkload derives it from the StatefulSet name, never from ' +
        'the construct path). A new selector needs a new StatefulSet: the running pods keep their labels, so an orphaning delete leaves them ' +
        'outside the new selector and their names collide with the new pods',
      `Keep spec.podManagementPolicy at OrderedReady, or change it with ${ORPHAN}`,
      `Keep spec.revisionHistoryLimit at 10, or change it with ${ORPHAN}`,
      'Existing claims (www-web-0, www-web-1) keep their spec whatever the template says: spec.storageClassName of existing data cannot ' +
        `change in place. Keep the old value, or apply the new template (to new replicas only) with ${ORPHAN}; moving existing data means copying it to new claims`,
      `Keep spec.extraField at a, or change it with ${ORPHAN}`,
    ]);
  });

  test('revisionHistoryLimit is mutable from 1.33', () => {
    const next = sts();
    next.spec.revisionHistoryLimit = 3;
    expect(fields(compare([sts()], [next], 32))).toEqual(['spec.revisionHistoryLimit']);
    expect(compare([sts()], [next], 33)).toEqual([]);
  });

  test('a StatefulSet without a namespace', () => {
    const cur = sts();
    delete cur.metadata.namespace;
    const next = clone(cur);
    next.spec.podManagementPolicy = 'Parallel';
    expect(compare([cur], [next]).map(f => f.wayOut)).toEqual([
      'Keep spec.podManagementPolicy at OrderedReady, or change it with kubectl delete statefulset web --cascade=orphan, then apply the new ' +
        'manifests: the pods and their claims keep running and the new StatefulSet adopts them (with Argo CD: delete it the same way, then sync)',
    ]);
  });
});

describe('claim templates', () => {
  test('a removed template names the claims that stay (one replica when replicas is unset, from ordinals.start)', () => {
    const cur = sts();
    delete cur.spec.replicas;
    const next = sts([]);
    delete next.spec.replicas;
    const [f] = compare([cur], [next]);
    expect(f).toMatchObject({
      field: 'spec.volumeClaimTemplates[name=www]',
      oldValue: '{"accessModes":["ReadWriteOnce"],"name":"www","storage":"1Gi"}',
      newValue: '(not set)',
      message: MESSAGE_27,
      wayOut: `Keep the claim template "www". Removing it needs ${ORPHAN}; the claims www-web-0 then stay unused until you delete them`,
    });
    cur.spec.replicas = 2;
    cur.spec.ordinals = { start: 3 };
    expect(compare([cur], [next])[0].wayOut).toBe(
      `Keep the claim template "www". Removing it needs ${ORPHAN}; the claims www-web-3, www-web-4 then stay unused until you delete them`);
  });

  test('a template added to a StatefulSet without spec', () => {
    const cur = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'shop' } };
    const out = compare([cur], [sts()]);
    expect(fields(out)).toEqual(['spec.serviceName', 'spec.selector', 'spec.volumeClaimTemplates[name=www]']);
    expect(out[2]).toMatchObject({
      oldValue: '(not set)',
      newValue: '{"accessModes":["ReadWriteOnce"],"name":"www","storage":"1Gi"}',
      wayOut: `Add the claim template with ${ORPHAN}; the controller creates the new claims (www-web-0) as it recreates each pod, on the next rolling update`,
    });
    // and the other way round
    expect(fields(compare([sts()], [cur]))).toEqual(['spec.serviceName', 'spec.selector', 'spec.volumeClaimTemplates[name=www]']);
  });

  test('templates added to or removed from a spec without templates', () => {
    const none = sts();
    delete none.spec.volumeClaimTemplates;
    expect(fields(compare([none], [sts()]))).toEqual(['spec.volumeClaimTemplates[name=www]']);
    expect(compare([none], [sts()])[0].wayOut).toBe(
      `Add the claim template with ${ORPHAN}; the controller creates the new claims (www-web-0, www-web-1) as it recreates each pod, on the next rolling update`);
    expect(fields(compare([sts()], [none]))).toEqual(['spec.volumeClaimTemplates[name=www]']);
  });

  test('a renamed template: the old claims keep the data', () => {
    const out = compare([sts([template('www'), template('logs')])], [sts([template('www'), template('data')])]);
    expect(fields(out)).toEqual(['spec.volumeClaimTemplates[name=logs]', 'spec.volumeClaimTemplates[name=data]']);
    expect(out[1].wayOut).toBe('If "data" is "logs" renamed: its claims are new and empty, the data stays in logs-web-0, logs-web-1; keep the old name. ' +
      `Add the claim template with ${ORPHAN}; the controller creates the new claims (data-web-0, data-web-1) as it recreates each pod, on the next rolling update`);
    const two = compare([sts([template('a'), template('b'), template('www')])], [sts([template('www'), template('c')])]);
    expect(two[2].wayOut).toBe('If "c" is "a" or "b" renamed: its claims are new and empty, the data stays in a-web-0, a-web-1, b-web-0, b-web-1; ' +
      `keep the old name. Add the claim template with ${ORPHAN}; the controller creates the new claims (c-web-0, c-web-1) as it recreates each pod, on the next rolling update`);
  });

  test('templates without a name, a spec or resources', () => {
    // a null template next to an empty one: both have the name ''
    const cur = sts([null]);
    const next = sts([{}]);
    next.spec.serviceName = 'other';
    expect(fields(compare([cur], [next]))).toEqual(['spec.serviceName']);
    expect(compare([cur], [sts([])])).toMatchObject([{ field: 'spec.volumeClaimTemplates[name=]', oldValue: '(not set)' }]);

    const unnamed = (storage: string) => ({ spec: { resources: { requests: { storage } } } });
    expect(fields(compare([sts([unnamed('1Gi')])], [sts([unnamed('2Gi')])]))).toEqual([
      'spec.volumeClaimTemplates[name=].spec.resources.requests.storage',
    ]);
    expect(compare([sts([unnamed('1Gi')])], [sts([])])).toMatchObject([{ field: 'spec.volumeClaimTemplates[name=]', oldValue: '{"storage":"1Gi"}' }]);

    const noSpec = { metadata: { name: 'www' } };
    expect(compare([sts([noSpec])], [sts([])])).toMatchObject([{ oldValue: '{"name":"www"}' }]);
    const noRequests = { metadata: { name: 'www' }, spec: { resources: {} } };
    expect(compare([sts([noRequests])], [sts([])])).toMatchObject([{ oldValue: '{"name":"www"}' }]);

    // the new template lost its spec: the storage request disappears
    expect(fields(compare([sts()], [sts([noSpec])]))).toEqual([
      'spec.volumeClaimTemplates[name=www].spec.accessModes', 'spec.volumeClaimTemplates[name=www].spec.resources.requests.storage',
    ]);
  });

  const grow = (expand: string, size: string) =>
    `${expand}Grow each claim: for i in 0 1; do kubectl -n shop patch pvc www-web-$i -p '{"spec":{"resources":{"requests":{"storage":"${size}"}}}}'; done, ` +
    `and wait until each shows the new capacity (kubectl -n shop get pvc). Then ${ORPHAN}`;
  const MUST = 'The claims\' StorageClass must have allowVolumeExpansion: true. ';
  const first = (name: string) => `First set allowVolumeExpansion: true on StorageClass "${name}" (it is false or unset now; that field may change). `;
  const sized = (storage: string, storageClassName?: string) => sts([template('www', { resources: { requests: { storage } }, storageClassName })]);
  const storageWayOut = (cur: any[], next: any[]) => {
    const out = compare(cur, next);
    expect(fields(out)).toEqual(['spec.volumeClaimTemplates[name=www].spec.resources.requests.storage']);
    return out[0].wayOut;
  };

  test('a claim cannot shrink', () => {
    expect(storageWayOut([sized('2Gi')], [sized('1Gi')])).toBe('Claims cannot shrink (the API server refuses it on every claim). Keep 2Gi; ' +
      'to really shrink, copy the data to a new StatefulSet with smaller claims under a new name and switch clients over');
  });

  test.each<[string, any[], any[], string | undefined, string]>([
    ['no class known', [], [], undefined, MUST],
    ['no class known, the size is not a quantity', [], [], undefined, MUST],
    ['the class in the next manifests cannot expand', [], [storageClass('fast', { allowVolumeExpansion: false })], 'fast', first('fast')],
    ['the class in the current manifests, unset', [storageClass('fast')], [], 'fast', first('fast')],
    ['the class can expand', [], [storageClass('fast', { allowVolumeExpansion: true })], 'fast', MUST],
    ['the next manifests win', [storageClass('fast', { allowVolumeExpansion: true })], [storageClass('fast')], 'fast', first('fast')],
    ['only StorageClasses of storage.k8s.io are classes', [storageClass('fast', { allowVolumeExpansion: true })],
      [storageClass('fast', {}, 'storage.k8s.io/v1', 'CSIDriver'), storageClass('fast', {}, 'example.com/v1')], 'fast', MUST],
    ['the default class of the next manifests', [],
      [storageClass('std', { metadata: { name: 'std', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } })], undefined, first('std')],
    ['the default class of the current manifests', [storageClass('std', {
      metadata: { name: 'std', annotations: { 'storageclass.beta.kubernetes.io/is-default-class': 'true' } },
    })], [], undefined, first('std')],
  ])('growing a claim: %s', (name, curExtra, nextExtra, cls, expand) => {
    const size = name.includes('not a quantity') ? 'lots' : '2Gi';
    expect(storageWayOut([sized('1Gi', cls), ...curExtra], [sized(size, cls), ...nextExtra])).toBe(grow(expand, size));
  });

  test.each<[string, any, any, string]>([
    ['accessModes', { accessModes: ['ReadWriteOnce'] }, { accessModes: ['ReadWriteMany'] }, 'spec.accessModes[0]'],
    ['a storage request that is a map', { resources: { requests: { storage: { x: '1Gi' } } } },
      { resources: { requests: { storage: { x: '2Gi' } } } }, 'spec.resources.requests.storage.x'],
    ['a limit', { resources: { requests: { storage: '1Gi' }, limits: { storage: '1Gi' } } },
      { resources: { requests: { storage: '1Gi' }, limits: { storage: '2Gi' } } }, 'spec.resources.limits.storage'],
  ])('other changes of a template: %s', (_, a, b, path) => {
    const out = compare([sts([template('www', a)])], [sts([template('www', b)])]);
    expect(fields(out)).toEqual([`spec.volumeClaimTemplates[name=www].${path}`]);
    expect(out[0].wayOut).toBe(`Existing claims (www-web-0, www-web-1) keep their spec whatever the template says: ${path} of existing data cannot ` +
      `change in place. Keep the old value, or apply the new template (to new replicas only) with ${ORPHAN}; moving existing data means copying it to new claims`);
  });
});

// ---------------------------------------------------------------------------------------------
// failover: the presets' shapes, synthesized

describe('failover (Redis under Sentinel, Postgres streaming replicas)', () => {
  const redisSet = (props: Partial<RedisProps>): any[] => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'news' });
    const secret = kplus.Secret.fromSecretName(chart, 'auth', 'news-redis-auth');
    new Redis(chart, 'redis', { metadata: { name: 'news-redis' }, password: DataStoreCredentials.fromPasswordSecret(secret), ...props });
    return Testing.synth(chart);
  };
  const postgresSet = (readReplicas: number): any[] => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'accounts' });
    new Postgres(chart, 'db', {
      metadata: { name: 'user-db' },
      credentials: DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(chart, 'creds', 'user-db-credentials')),
      readReplicas,
      replicationCredentials: DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(chart, 'repl', 'user-db-replication')),
    });
    return Testing.synth(chart);
  };

  test('turning Sentinel on for a running set: a warning with the steps, nothing refused', () => {
    const found = compare(redisSet({}), redisSet({ sentinel: {} }));
    expect(found).toEqual([expect.objectContaining({
      severity: 'WARNING',
      kind: 'StatefulSet',
      objectName: 'news-redis',
      field: 'metadata.annotations.cdk8s-stateful/sentinel',
      oldValue: '(not set)',
      newValue: 'news-redis-sentinel',
    })]);
    expect(found[0].message).toContain('The write Service news-redis-write goes away');
    expect(found[0].wayOut).toContain('First move every writer to a Sentinel-aware client');
  });

  test('turning Sentinel off: a warning, the first pod must be made the primary first', () => {
    const found = compare(redisSet({ sentinel: {} }), redisSet({}));
    // and the sentinels' StatefulSet leaves the manifests, its claims kept
    expect(found).toEqual([
      expect.objectContaining({ severity: 'WARNING', objectName: 'news-redis', field: 'metadata.annotations.cdk8s-stateful/sentinel' }),
      expect.objectContaining({ kind: 'StatefulSet', objectName: 'news-redis-sentinel', field: 'metadata.name', newValue: '(deleted)' }),
    ]);
    expect(found[0].message).toContain('the first pod (ordinals.start) becomes the primary again whatever the sentinels decided');
    expect(found[0].wayOut).toContain('CONFIG SET replica-priority 0');
  });

  test('a new quorum is safe (the sentinels write it at their next start): no finding', () => {
    expect(compare(redisSet({ sentinel: { sentinels: 5, quorum: 3 } }), redisSet({ sentinel: { sentinels: 5, quorum: 4 } }))).toEqual([]);
  });

  test('more sentinels is safe; fewer needs SENTINEL RESET', () => {
    expect(compare(redisSet({ sentinel: {} }), redisSet({ sentinel: { sentinels: 5 } }))).toEqual([]);
    const found = compare(redisSet({ sentinel: { sentinels: 5 } }), redisSet({ sentinel: {} }));
    expect(found).toEqual([expect.objectContaining({ severity: 'WARNING', objectName: 'news-redis-sentinel', field: 'spec.replicas', oldValue: '5', newValue: '3' })]);
    expect(found[0].message).toContain('a failover still needs a majority of all 5');
    expect(found[0].wayOut).toContain('kubectl -n news exec news-redis-sentinel-<ordinal> -- redis-cli -p 26379 sentinel reset news-redis');
  });

  test('a new Redis line is judged on the data pods, not again on the sentinels (same image, no data of its format)', () => {
    const found = compare(redisSet({ sentinel: {}, version: RedisVersion.of('7.4.2') }), redisSet({ sentinel: {}, version: RedisVersion.of('7.2.16') }));
    expect(found.map(f => `${f.severity} ${f.objectName}`)).toEqual(['REFUSED news-redis']);
  });

  test('more read replicas is safe; fewer warns about the kept claims', () => {
    expect(compare(postgresSet(1), postgresSet(2))).toEqual([]);
    const found = compare(postgresSet(3), postgresSet(1));
    expect(found).toEqual([expect.objectContaining({ severity: 'WARNING', objectName: 'user-db', field: 'spec.replicas', oldValue: '4', newValue: '2' })]);
    expect(found[0].message).toContain('(data-user-db-2, data-user-db-3)');
    expect(found[0].wayOut).toBe('Delete those claims after the scale-down (kubectl -n accounts delete pvc data-user-db-2 data-user-db-3), '
      + 'so that a standby added later clones the primary afresh');
  });

  test('turning streaming replication on for a running single server: the API server refuses the new pod management policy', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'accounts' });
    new Postgres(chart, 'db', {
      metadata: { name: 'user-db' },
      credentials: DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(chart, 'creds', 'user-db-credentials')),
    });
    const found = compare(Testing.synth(chart), postgresSet(2));
    expect(found).toEqual([expect.objectContaining({ severity: 'REFUSED', objectName: 'user-db', field: 'spec.podManagementPolicy', oldValue: 'OrderedReady', newValue: 'Parallel' })]);
  });
});
