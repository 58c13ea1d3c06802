import { ApiObject, App, Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ExternalService, StatefulWorkload, StorageClass } from '../../src';
import { Warnings } from '../../src/app/warnings';
import {
  AppIndex, declareConsumer, declareIngressIsolation, declareNotRolled, declareRole, declareView, indexStats, NO_PROVISIONER, onEveryPass,
  OwnStateCache, resolveStorageClass, rollsWithConnections, touch, watchContainer,
} from '../../src/private/app-index';

const IMAGE = 'docker.io/library/postgres:16';

function workload(chart: Chart, id: string, name: string, namespace?: string): StatefulWorkload {
  return new StatefulWorkload(chart, id, {
    metadata: { name, namespace },
    containers: [{ name: 'db', image: IMAGE, portNumber: 5432, securityContext: { user: 999, group: 999 } }],
  });
}

describe('app-wide uniqueness', () => {
  test('fails when two workloads in two charts render the same StatefulSet', () => {
    // GIVEN
    const app = Testing.app();
    workload(new Chart(app, 'a', { namespace: 'shop' }), 'db', 'orders');
    const b = new Chart(app, 'b', { namespace: 'shop' });
    workload(b, 'db', 'orders');
    // THEN both paths are named, for the StatefulSet and for its headless Service
    expect(() => Testing.synth(b)).toThrow(
      "StatefulSet shop/orders (apps) is rendered twice: by 'a/db/Resource' and by 'b/db/Resource'. "
      + 'Objects of one API group and kind must differ in namespace or name, or applying the second silently replaces the first. '
      + 'Give one of them another \'metadata.name\' (or namespace), or remove the duplicate.');
    expect(() => Testing.synth(b)).toThrow("Service shop/orders is rendered twice: by 'a/db/HeadlessService' and by 'b/db/HeadlessService'");
  });

  test('fails when a workload\'s headless Service and an ExternalService share a name', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'chart', { namespace: 'shop' });
    workload(chart, 'db', 'orders');
    new ExternalService(chart, 'ext', { metadata: { name: 'orders' }, externalName: 'db.example.com', ports: [{ port: 5432 }] });
    // THEN
    expect(() => Testing.synth(chart)).toThrow("Service shop/orders is rendered twice: by 'chart/db/HeadlessService' and by 'chart/ext/Resource'");
  });

  test('fails for objects this library did not create (cdk8s-plus, L1)', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'chart', { namespace: 'shop' });
    workload(chart, 'db', 'orders');
    new kplus.ConfigMap(chart, 'one', { metadata: { name: 'settings' } });
    new kplus.k8s.KubeConfigMap(chart, 'two', { metadata: { name: 'settings' } });
    // THEN
    expect(() => Testing.synth(chart)).toThrow("ConfigMap shop/settings is rendered twice: by 'chart/one/Resource' and by 'chart/two'");
  });

  test('fails for cluster-scoped objects whatever the charts\' namespaces', () => {
    // GIVEN
    const app = Testing.app();
    StorageClass.localDisks(new Chart(app, 'a', { namespace: 'one' }), 'fast', { metadata: { name: 'fast' } });
    const b = new Chart(app, 'b', { namespace: 'two' });
    StorageClass.localDisks(b, 'fast', { metadata: { name: 'fast' } });
    // THEN
    expect(() => Testing.synth(b)).toThrow("StorageClass fast (storage.k8s.io) is rendered twice: by 'a/fast/Resource' and by 'b/fast/Resource'");
  });

  test.each([
    ['the same name in two namespaces', (app: App) => {
      workload(new Chart(app, 'a', { namespace: 'one' }), 'db', 'orders');
      workload(new Chart(app, 'b', { namespace: 'two' }), 'db', 'orders');
    }],
    ['the same name for two kinds', (app: App) => {
      const chart = new Chart(app, 'a', { namespace: 'one' });
      workload(chart, 'db', 'orders');
      new kplus.ConfigMap(chart, 'cm', { metadata: { name: 'orders' } });
    }],
    ['the same kind and name in two API groups', (app: App) => {
      const chart = new Chart(app, 'a', { namespace: 'one' });
      workload(chart, 'db', 'orders');
      new ApiObject(chart, 'custom', { apiVersion: 'example.com/v1', kind: 'StatefulSet', metadata: { name: 'orders' } });
    }],
  ])('accepts %s', (_name, build) => {
    // GIVEN
    const app = Testing.app();
    build(app);
    // THEN
    expect(() => app.synthYaml()).not.toThrow();
  });
});

describe('namespace names', () => {
  test.each([
    ['a chart namespace', { chart: 'Shop', meta: undefined }, 'Shop'],
    ['metadata.namespace', { chart: 'shop', meta: 'shop_eu' }, 'shop_eu'],
    ['a namespace of 64 characters', { chart: 'a'.repeat(64), meta: undefined }, 'a'.repeat(64)],
  ])('fails when %s is not a DNS label', (_name, ns, bad) => {
    // GIVEN an app that uses the library (its checks cover every object of the app)
    const chart = new Chart(Testing.app(), 'chart', { namespace: ns.chart });
    StorageClass.localDisks(chart, 'fast');
    new kplus.ConfigMap(chart, 'cm', { metadata: { name: 'settings', namespace: ns.meta } });
    // THEN
    expect(() => chart.toJson()).toThrow(`invalid namespace "${bad}" (used by 'chart/cm/Resource'). `
      + 'A namespace must be a DNS-1123 label of at most 63 characters: lower case letters, digits and \'-\', starting and ending with a letter or digit. '
      + 'Fix the namespace of the chart or the \'metadata.namespace\' of the object.');
  });

  test('accepts a namespace of 63 characters, and ignores the chart namespace of cluster-scoped objects', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'chart', { namespace: 'a'.repeat(63) });
    new kplus.ConfigMap(chart, 'cm', { metadata: { name: 'settings' } });
    StorageClass.localDisks(chart, 'fast');
    // THEN
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  test('lists three users of a bad namespace and counts the rest', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'chart', { namespace: 'Shop' });
    for (let i = 0; i < 5; i++) new kplus.ConfigMap(chart, `cm${i}`);
    new StatefulWorkload(chart, 'db', { containers: [{ image: IMAGE, securityContext: { user: 999 } }], volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1) }] });
    // THEN
    expect(() => chart.toJson()).toThrow(/invalid namespace "Shop" \(used by 'chart\/cm0\/Resource', 'chart\/cm1\/Resource', 'chart\/cm2\/Resource', and \d+ more\)/);
  });
});

describe('pod consumers', () => {
  /** An L1 object of `kind` that runs `containers` in its pod template. */
  function runner(chart: Chart, kind: string, name: string, spec: any = {}): ApiObject {
    const template = { spec: { containers: [{ name: 'app', image: IMAGE }] } };
    const body = kind === 'Pod' ? template.spec
      : kind === 'CronJob' ? { schedule: '@daily', ...spec, jobTemplate: { ...spec.jobTemplate, spec: { ...spec.jobTemplate?.spec, template } } }
        : { ...spec, template };
    return new ApiObject(chart, name, { apiVersion: 'v1', kind, metadata: { name }, spec: body });
  }

  test.each([
    ['Pod', {}, 1],
    ['Deployment', {}, 1],
    ['Deployment', { replicas: 3 }, 3],
    ['ReplicaSet', {}, 1],
    ['ReplicaSet', { replicas: 4 }, 4],
    ['ReplicationController', {}, 1],
    ['ReplicationController', { replicas: 5 }, 5],
    ['StatefulSet', {}, 1],
    ['StatefulSet', { replicas: 2 }, 2],
    ['DaemonSet', {}, undefined],
    ['Job', {}, 1],
    ['Job', { parallelism: 6 }, 6],
    ['CronJob', {}, 1],
    ['CronJob', { jobTemplate: { spec: { parallelism: 7 } } }, 7],
  ])('a %s with spec %j runs %s pods at once', (kind, spec, pods) => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'chart', { namespace: 'shop' });
    runner(chart, kind, 'web', spec);
    // WHEN
    const [consumer] = AppIndex.of(chart).podConsumers();
    // THEN
    expect(consumer).toEqual(expect.objectContaining({ id: `${kind}/web`, kind, name: 'web', namespace: 'shop', pods }));
    expect(consumer.podSpec.containers).toEqual([{ name: 'app', image: IMAGE }]);
  });

  test('reports the strategy of a Deployment, and skips objects without a pod template', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'chart');
    runner(chart, 'Deployment', 'web', { strategy: { type: 'Recreate' } });
    new ApiObject(chart, 'empty', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'empty' }, spec: { replicas: 1 } });
    new kplus.ConfigMap(chart, 'cm');
    // WHEN
    const consumers = AppIndex.of(chart).podConsumers();
    // THEN
    expect(consumers.map(c => [c.id, c.namespace, c.strategy])).toEqual([['Deployment/web', undefined, { type: 'Recreate' }]]);
  });

  test('reads the part of an object its construct declared, which may have no metadata', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'chart', { namespace: 'shop' });
    const o = runner(chart, 'StatefulSet', 'db');
    declareView(o, () => ({ kind: 'StatefulSet', spec: { replicas: 3, template: { spec: { containers: [{ name: 'declared' }] } } } }));
    // WHEN
    const [consumer] = AppIndex.of(chart).podConsumers();
    // THEN
    expect(consumer).toEqual(expect.objectContaining({ id: 'StatefulSet/db', namespace: undefined, pods: 3 }));
    expect(consumer.podSpec.containers).toEqual([{ name: 'declared' }]);
  });

  test('renders the pod consumers once per index', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'chart');
    runner(chart, 'Deployment', 'web');
    const index = AppIndex.of(chart);
    const before = indexStats().renders;
    // WHEN
    const first = index.podConsumers();
    const second = index.podConsumers();
    // THEN
    expect(second).toBe(first);
    expect(indexStats().renders - before).toBe(1);
  });
});

describe('claim and volume users', () => {
  function deployment(chart: Chart, id: string, volumes: kplus.Volume[], namespace?: string): kplus.Deployment {
    const d = new kplus.Deployment(chart, id, { metadata: { namespace }, containers: [{ image: IMAGE }] });
    volumes.forEach((v, i) => d.containers[0].mount(`/mnt/${i}`, v));
    return d;
  }

  test('finds the consumers that mount a claim, by namespace and claim name', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'chart');
    const claim = kplus.PersistentVolumeClaim.fromClaimName(chart, 'claim', 'files');
    const files = kplus.Volume.fromPersistentVolumeClaim(chart, 'files', claim);
    const scratch = kplus.Volume.fromEmptyDir(chart, 'scratch', 'scratch');
    deployment(chart, 'one', [files, scratch]);
    deployment(chart, 'two', [files], 'shop');
    deployment(chart, 'three', [scratch]);
    const index = AppIndex.of(chart);
    const ids = (users: Array<{ id: string }>) => users.map(u => u.id);
    // THEN
    expect(ids(index.claimUsers(undefined, 'files'))).toEqual([expect.stringMatching(/^Deployment\/chart-one-/)]);
    expect(ids(index.claimUsers('shop', 'files'))).toEqual([expect.stringMatching(/^Deployment\/chart-two-/)]);
    expect(index.claimUsers('other', 'files')).toEqual([]);
    expect(index.claimUsers(undefined, 'unknown')).toEqual([]);
    // a volume that is not a claim is not the claim named "undefined"
    expect(index.claimUsers(undefined, 'undefined')).toEqual([]);
  });

  test('finds the consumers whose pod spec has a volume of a name', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'chart');
    const scratch = kplus.Volume.fromEmptyDir(chart, 'scratch', 'scratch');
    const cache = kplus.Volume.fromEmptyDir(chart, 'cache', 'cache');
    deployment(chart, 'one', [scratch, cache]);
    deployment(chart, 'two', [scratch]);
    deployment(chart, 'three', []);
    const index = AppIndex.of(chart);
    const ids = (users: Array<{ id: string }>) => users.map(u => u.id);
    // THEN
    expect(ids(index.volumeUsers('scratch'))).toEqual([expect.stringMatching(/^Deployment\/chart-one-/), expect.stringMatching(/^Deployment\/chart-two-/)]);
    expect(ids(index.volumeUsers('cache'))).toEqual([expect.stringMatching(/^Deployment\/chart-one-/)]);
    expect(index.volumeUsers('unknown')).toEqual([]);
  });
});

describe('containers, their owners and consumers', () => {
  test('the owner and the pod consumer of a container, init container or not', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'chart');
    const web = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [{ image: IMAGE }] });
    const init = web.addInitContainer({ image: IMAGE });
    const db = workload(chart, 'db', 'orders');
    new ApiObject(chart, 'l1', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'l1' }, spec: { template: { spec: { containers: [{ name: 'x', image: IMAGE }] } } } });
    const stray = new kplus.Container({ image: IMAGE });
    const index = AppIndex.of(chart);
    // THEN
    expect(index.ownerOf(web.containers[0])).toBe(web);
    expect(index.ownerOf(init)).toBe(web);
    expect(index.ownerOf(db.containers[0])).toBe(db);
    expect(index.ownerOf(stray)).toBeUndefined();
    expect(index.podConsumerOf(web.containers[0])?.id).toBe('Deployment/web');
    expect(index.podConsumerOf(init)?.id).toBe('Deployment/web');
    expect(index.podConsumerOf(db.containers[0])?.id).toBe('StatefulSet/orders');
    expect(index.podConsumerOf(stray)).toBeUndefined();
  });
});

describe('roles', () => {
  test('an object has the role declared by the nearest construct above it, or consumer when a container of its workload is', () => {
    // GIVEN
    const app = Testing.app();
    const chart = new Chart(app, 'chart');
    const outer = new Construct(chart, 'outer');
    const inner = new Construct(outer, 'inner');
    declareRole(outer, 'storage');
    declareRole(inner, 'dataStore');
    new kplus.ConfigMap(outer, 'cm', { metadata: { name: 'outer' } });
    new kplus.ConfigMap(inner, 'cm', { metadata: { name: 'inner' } });
    const self = new ApiObject(chart, 'self', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'self' } });
    declareRole(self, 'configuration');
    new kplus.ConfigMap(chart, 'plain', { metadata: { name: 'plain' } });
    const consumer = new kplus.Deployment(chart, 'consumer', { metadata: { name: 'consumer' }, containers: [{ image: IMAGE }, { image: IMAGE }] });
    declareConsumer(consumer.containers[1]);
    new kplus.Deployment(chart, 'other', { metadata: { name: 'other' }, containers: [{ image: IMAGE }] });
    // WHEN
    const roles = Object.fromEntries(AppIndex.of(chart).roles().map(r => [`${r.apiObject.kind}/${r.apiObject.name}`, r.role]));
    // THEN
    expect(roles).toEqual({
      'ConfigMap/outer': 'storage',
      'ConfigMap/inner': 'dataStore',
      'ConfigMap/self': 'configuration',
      'ConfigMap/plain': undefined,
      'Deployment/consumer': 'consumer',
      'Deployment/other': undefined,
    });
  });

  test('a role declared on the app covers every object', () => {
    // GIVEN
    const app = Testing.app();
    declareRole(app, 'configuration');
    const chart = new Chart(app, 'chart');
    new kplus.ConfigMap(chart, 'cm');
    // THEN
    expect(AppIndex.of(chart).roles().map(r => r.role)).toEqual(['configuration']);
  });

  test('workloads roll with their connections unless declared not rolled', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'chart');
    const job = new kplus.Job(chart, 'migrate', { containers: [{ image: IMAGE }] });
    const web = new kplus.Deployment(chart, 'web', { containers: [{ image: IMAGE }] });
    // WHEN
    declareNotRolled(job);
    // THEN
    expect(rollsWithConnections(job)).toBe(false);
    expect(rollsWithConnections(web)).toBe(true);
  });
});

describe('storage classes', () => {
  const GA = 'storageclass.kubernetes.io/is-default-class';
  const BETA = 'storageclass.beta.kubernetes.io/is-default-class';

  /** A StorageClass this library did not make: an L1 object. */
  function foreign(chart: Chart, name: string, props: any = {}, annotations?: { [key: string]: string }): ApiObject {
    return new ApiObject(chart, name, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name, annotations }, ...props });
  }

  test('the facts of a class, with the API server\'s defaults', () => {
    // GIVEN
    const chart = Testing.chart();
    foreign(chart, 'gp3', { provisioner: 'ebs.csi.aws.com' });
    foreign(chart, 'local', { provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Retain' });
    const index = AppIndex.of(chart);
    // THEN
    expect(index.storageClass('gp3')).toEqual({
      storageClassName: 'gp3', provisioner: 'ebs.csi.aws.com', dynamicProvisioning: true, volumeBindingMode: 'Immediate', reclaimPolicy: 'Delete',
    });
    expect(index.storageClass('local')).toEqual({
      storageClassName: 'local', provisioner: NO_PROVISIONER, dynamicProvisioning: false, volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Retain',
    });
    expect(NO_PROVISIONER).toBe('kubernetes.io/no-provisioner');
    expect(index.storageClass('unknown')).toBeUndefined();
    expect(index.storageClass(undefined)).toBeUndefined();
    expect(index.storageClass('')).toBeUndefined();
  });

  test('the first class of a name counts; a class without a provisioner has the empty one', () => {
    // GIVEN
    const chart = Testing.chart();
    foreign(chart, 'first', {}, { [GA]: 'true' });
    foreign(chart, 'second', { provisioner: 'ebs.csi.aws.com' }, { [GA]: 'true' });
    new ApiObject(chart, 'again', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'first', annotations: { [GA]: 'true' } }, provisioner: 'other' });
    const index = AppIndex.of(chart);
    // THEN
    expect(index.storageClass('first')?.provisioner).toBe('');
    expect(index.defaultStorageClasses().map(d => d.facts.storageClassName)).toEqual(['first', 'second']);
  });

  test('a declared view without a name is no class', () => {
    // GIVEN
    const chart = Testing.chart();
    declareView(foreign(chart, 'gp3', { provisioner: 'ebs.csi.aws.com' }), () => ({ kind: 'StorageClass', provisioner: 'ebs.csi.aws.com' }));
    // THEN
    expect(AppIndex.of(chart).storageClass('gp3')).toBeUndefined();
  });

  test.each([
    ['no class marked', [], undefined],
    ['one class marked by the GA annotation', [GA], 'a'],
    ['one class marked by the beta annotation', [BETA], 'a'],
    ['one class annotated "false"', ['false'], undefined],
    ['two classes marked', [GA, BETA], undefined],
  ])('the default class with %s', (_name, marks, expected) => {
    // GIVEN
    const chart = Testing.chart();
    const objects = marks.map((mark, i) => foreign(chart, 'ab'[i], { provisioner: 'ebs.csi.aws.com' },
      mark === 'false' ? { [GA]: 'false', [BETA]: 'false' } : { [mark]: 'true' }));
    foreign(chart, 'plain', { provisioner: 'ebs.csi.aws.com' });
    const index = AppIndex.of(chart);
    // THEN
    expect(index.defaultStorageClass()?.storageClassName).toBe(expected);
    const defaults = marks.filter(m => m !== 'false');
    expect(index.defaultStorageClasses()).toEqual(defaults.map((mark, i) => ({ facts: index.storageClass('ab'[i]), apiObject: objects[i], annotation: mark })));
  });

  test('renders each class once per index', () => {
    // GIVEN
    const chart = Testing.chart();
    foreign(chart, 'gp3', { provisioner: 'ebs.csi.aws.com' });
    const index = AppIndex.of(chart);
    const before = indexStats().renders;
    // WHEN
    index.storageClass('gp3');
    index.defaultStorageClasses();
    index.storageClass('gp3');
    // THEN
    expect(indexStats().renders - before).toBe(1);
  });

  test('knows the classes of the app\'s PersistentVolumes, \'\' for volumes without one', () => {
    // GIVEN
    const chart = Testing.chart();
    new ApiObject(chart, 'pv1', { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv1' }, spec: { storageClassName: 'fast' } });
    new ApiObject(chart, 'pv2', { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv2' } });
    const declared = new ApiObject(chart, 'pv3', { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv3' }, spec: { storageClassName: 'rendered' } });
    declareView(declared, () => ({ kind: 'PersistentVolume', spec: { storageClassName: 'declared' } }));
    new ApiObject(chart, 'claim', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'claim' }, spec: { storageClassName: 'slow' } });
    const index = AppIndex.of(chart);
    const before = indexStats().renders;
    // THEN
    expect(index.hasPersistentVolumeOfClass('fast')).toBe(true);
    expect(index.hasPersistentVolumeOfClass('')).toBe(true);
    expect(index.hasPersistentVolumeOfClass('declared')).toBe(true);
    expect(index.hasPersistentVolumeOfClass('rendered')).toBe(false);
    expect(index.hasPersistentVolumeOfClass('slow')).toBe(false);
    expect(indexStats().renders - before).toBe(3);
  });

  test('without volumes of no class', () => {
    // GIVEN
    const chart = Testing.chart();
    new ApiObject(chart, 'pv1', { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv1' }, spec: { storageClassName: 'fast' } });
    // THEN
    expect(AppIndex.of(chart).hasPersistentVolumeOfClass('')).toBe(false);
  });

  describe('resolveStorageClass', () => {
    test('reads a given class through its attributes, with the API server\'s defaults', () => {
      const chart = Testing.chart();
      foreign(chart, 'gp3', { provisioner: 'rendered' });
      expect(resolveStorageClass(chart, 'gp3', { storageClassName: 'gp3', provisioner: 'given' })).toEqual({
        storageClassName: 'gp3', provisioner: 'given', dynamicProvisioning: true, volumeBindingMode: 'Immediate', reclaimPolicy: 'Delete',
      });
      const local = StorageClass.localDisks(chart, 'local', { metadata: { name: 'local' } });
      expect(resolveStorageClass(chart, 'local', local)).toEqual({
        storageClassName: 'local', provisioner: NO_PROVISIONER, dynamicProvisioning: false, volumeBindingMode: local.volumeBindingMode, reclaimPolicy: local.reclaimPolicy,
      });
      expect(local.volumeBindingMode).toBe('WaitForFirstConsumer');
      expect(local.reclaimPolicy).toBe('Retain');
    });

    test.each([
      ['no class', undefined],
      ['a class known by name only', { storageClassName: 'gp3' }],
      ['a class without a name', { provisioner: 'given' }],
    ])('looks the name up in the app for %s', (_name, given) => {
      const chart = Testing.chart();
      foreign(chart, 'gp3', { provisioner: 'rendered' });
      expect(resolveStorageClass(chart, 'gp3', given)?.provisioner).toBe('rendered');
      expect(resolveStorageClass(chart, 'other', given)).toBeUndefined();
    });
  });
});

describe('two StorageClasses marked default', () => {
  const GA = 'storageclass.kubernetes.io/is-default-class';

  beforeEach(() => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });

  function raised(chart: Chart): Array<[string, string]> {
    Testing.synth(chart);
    return Warnings.of(chart.node.root).list().filter(w => w.id === 'cdk8s-stateful:two-default-storage-classes').map(w => [w.path, w.message]);
  }

  test('warns on the second class of ours marked by isDefaultClass', () => {
    const chart = Testing.chart();
    new StorageClass(chart, 'gp3', { metadata: { name: 'gp3' }, provisioner: 'ebs.csi.aws.com', isDefaultClass: true });
    new StorageClass(chart, 'standard', { metadata: { name: 'standard' }, provisioner: 'ebs.csi.aws.com', isDefaultClass: true });
    expect(raised(chart)).toEqual([['test/standard',
      'StorageClass \'test/standard\': warning: \'isDefaultClass\': true. The app marks 2 StorageClasses as the cluster\'s default: "gp3" (\'test/gp3\'), "standard" (\'test/standard\'). '
      + 'Kubernetes 1.27 gives a claim without a \'storageClassName\' the newest of them, so where such claims land depends on which class was created last. '
      + 'Mark one class as the default, and name the class in the claims that need another. [cdk8s-stateful:two-default-storage-classes]']]);
  });

  test('names the annotation when the second class is marked by it, ours or not', () => {
    const chart = Testing.chart();
    new ApiObject(chart, 'legacy', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'legacy', annotations: { [GA]: 'true' } }, provisioner: 'x' });
    new StorageClass(chart, 'gp3', { metadata: { name: 'gp3', annotations: { [GA]: 'true' } }, provisioner: 'ebs.csi.aws.com' });
    new ApiObject(chart, 'other', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'other', annotations: { [GA]: 'true' } }, provisioner: 'x' });
    expect(raised(chart)).toEqual([['test/gp3', expect.stringMatching(
      /^StorageClass 'test\/gp3': warning: 'metadata\.annotations\["storageclass\.kubernetes\.io\/is-default-class"\]': "true"\. The app marks 3 StorageClasses as the cluster's default: "legacy" \('test\/legacy'\), "gp3" \('test\/gp3'\), "other" \('test\/other'\)\. /)]]);
  });

  test('no warning for one default', () => {
    const chart = Testing.chart();
    new StorageClass(chart, 'gp3', { metadata: { name: 'gp3' }, provisioner: 'ebs.csi.aws.com', isDefaultClass: true });
    new StorageClass(chart, 'standard', { metadata: { name: 'standard' }, provisioner: 'ebs.csi.aws.com' });
    expect(raised(chart)).toEqual([]);
  });
});

describe('app-wide checks', () => {
  test('an object without a namespace and one in the namespace \'\' are the same object', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'chart');
    StorageClass.localDisks(chart, 'fast');
    new kplus.ConfigMap(chart, 'one', { metadata: { name: 'settings' } });
    new kplus.ConfigMap(chart, 'two', { metadata: { name: 'settings', namespace: '' } });
    // THEN
    expect(() => Testing.synth(chart)).toThrow("ConfigMap /settings is rendered twice: by 'chart/one/Resource' and by 'chart/two/Resource'");
  });

  test.each([
    [3, "(used by 'chart/cm0/Resource', 'chart/cm1/Resource', 'chart/cm2/Resource'). "],
    [4, "(used by 'chart/cm0/Resource', 'chart/cm1/Resource', 'chart/cm2/Resource', and 1 more). "],
    [6, "(used by 'chart/cm0/Resource', 'chart/cm1/Resource', 'chart/cm2/Resource', and 3 more). "],
  ])('a bad namespace used by %d objects', (count, users) => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'chart', { namespace: 'Shop' });
    StorageClass.localDisks(chart, 'fast');
    for (let i = 0; i < count; i++) new kplus.ConfigMap(chart, `cm${i}`);
    // THEN
    expect(() => Testing.synth(chart)).toThrow(`invalid namespace "Shop" ${users}`);
  });

  test('accepts a namespace of one character', () => {
    const chart = new Chart(Testing.app(), 'chart', { namespace: 'a' });
    StorageClass.localDisks(chart, 'fast');
    new kplus.ConfigMap(chart, 'cm');
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  test.each([
    'APIService', 'CertificateSigningRequest', 'ClusterRole', 'ClusterRoleBinding', 'ComponentStatus', 'CSIDriver', 'CSINode',
    'CustomResourceDefinition', 'FlowSchema', 'IngressClass', 'MutatingWebhookConfiguration', 'Namespace', 'Node',
    'PersistentVolume', 'PriorityClass', 'PriorityLevelConfiguration', 'RuntimeClass', 'StorageClass',
    'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ValidatingWebhookConfiguration', 'VolumeAttachment',
  ])('a %s is cluster-scoped: the chart\'s namespace does not apply', kind => {
    // GIVEN a chart with a namespace that cannot exist
    const chart = new Chart(Testing.app(), 'chart', { namespace: 'Shop' });
    StorageClass.localDisks(chart, 'fast');
    new ApiObject(chart, 'o', { apiVersion: 'example.k8s.io/v1', kind, metadata: { name: 'o' } });
    // THEN
    expect(() => chart.toJson()).not.toThrow();
  });
});

describe('validation passes', () => {
  test('an index asked for outside a pass is built on demand, and never memoizes', () => {
    // GIVEN
    const chart = Testing.chart();
    const index = AppIndex.of(chart);
    const validate = jest.fn(() => ['error']);
    // WHEN
    const first = index.memo(chart, validate);
    const second = index.memo(chart, validate);
    // THEN
    expect(AppIndex.of(chart)).toBe(index);
    expect([first, second]).toEqual([['error'], ['error']]);
    expect(validate).toHaveBeenCalledTimes(2);
  });

  test('the index of a pass memoizes each scope\'s result until the next pass', () => {
    // GIVEN
    const app = Testing.app();
    const chart = new Chart(app, 'chart');
    StorageClass.localDisks(chart, 'fast');
    app.synthYaml();
    const index = AppIndex.of(chart);
    const validate = jest.fn(() => ['error']);
    // WHEN
    const first = index.memo(chart, validate);
    first.push('changed by the caller');
    const second = index.memo(chart, validate);
    // THEN
    expect(second).toEqual(['error']);
    expect(validate).toHaveBeenCalledTimes(1);
    expect(index.memo(app, () => [])).toEqual([]);
  });

  test('the hooks of an app run once per synthesis, on the first pass, each of them', () => {
    // GIVEN an app of three charts: four validation passes per synthesis
    const app = Testing.app();
    const charts = ['a', 'b', 'c'].map(id => new Chart(app, id));
    StorageClass.localDisks(charts[0], 'fast');
    const one = jest.fn();
    const two = jest.fn();
    onEveryPass(charts[1], one);
    onEveryPass(charts[2], two);
    // WHEN
    app.synthYaml();
    // THEN
    expect(one).toHaveBeenCalledTimes(1);
    expect(two).toHaveBeenCalledTimes(1);
    expect(one.mock.calls[0][0]).toBe(AppIndex.of(app));
  });

  test('a pass starts afresh after touch() or a change to any watched container', () => {
    // GIVEN two watched containers
    const app = Testing.app();
    const chart = new Chart(app, 'chart');
    StorageClass.localDisks(chart, 'fast');
    const first = new kplus.Deployment(chart, 'first', { containers: [{ image: IMAGE }] }).containers[0];
    const second = new kplus.Deployment(chart, 'second', { containers: [{ image: IMAGE }] }).containers[0];
    watchContainer(chart, first);
    watchContainer(chart, second);
    const walks = (f: () => void) => {
      app.synthYaml();
      const before = indexStats().walks;
      f();
      app.synthYaml();
      return indexStats().walks - before;
    };
    // THEN
    expect(walks(() => undefined)).toBe(0);
    expect(walks(() => touch())).toBe(1);
    expect(walks(() => first.env.addVariable('MODE', kplus.EnvValue.fromValue('fast')))).toBe(1);
    expect(walks(() => second.env.addVariable('MODE', kplus.EnvValue.fromValue('fast')))).toBe(1);
  });

  test('an own-state cache keeps its value until touch() or a change to its containers', () => {
    // GIVEN
    const cache = new OwnStateCache<number>();
    const container = new kplus.Container({ image: IMAGE });
    let computed = 0;
    const get = () => cache.get([container], () => ++computed);
    // THEN
    expect(get()).toBe(1);
    expect(get()).toBe(1);
    touch();
    expect(get()).toBe(2);
    expect(get()).toBe(2);
    container.env.addVariable('MODE', kplus.EnvValue.fromValue('fast'));
    expect(get()).toBe(3);
    container.addPort({ number: 8080 });
    expect(get()).toBe(4);
    expect(cache.get([], () => 5)).toBe(5);
  });
});

describe('ingress isolation (the seam for the network-isolation work)', () => {
  test('no store is isolated unless a decision is declared for it', () => {
    const chart = new Chart(Testing.app(), 'test');
    const db = workload(chart, 'db', 'db');
    expect(AppIndex.of(db).ingressIsolated(db)).toBe(false);
  });

  test('the declared decision is asked once per index, with the index, and only for its workload', () => {
    const chart = new Chart(Testing.app(), 'test');
    const db = workload(chart, 'db', 'db');
    const other = workload(chart, 'other', 'other');
    const seen: AppIndex[] = [];
    declareIngressIsolation(db, index => {
      seen.push(index);
      return true;
    });
    const index = AppIndex.of(db);
    expect(index.ingressIsolated(db)).toBe(true);
    expect(index.ingressIsolated(db)).toBe(true);
    expect(index.ingressIsolated(other)).toBe(false);
    expect(seen).toEqual([index]);
  });

  test('a later declaration replaces the earlier one; without a decision function the workload is isolated', () => {
    const chart = new Chart(Testing.app(), 'test');
    const db = workload(chart, 'db', 'db');
    declareIngressIsolation(db, () => false);
    declareIngressIsolation(db);
    expect(AppIndex.of(db).ingressIsolated(db)).toBe(true);
  });

  test('a decision that answers anything but true counts as not isolated', () => {
    const chart = new Chart(Testing.app(), 'test');
    const db = workload(chart, 'db', 'db');
    declareIngressIsolation(db, () => 'yes' as unknown as boolean);
    expect(AppIndex.of(db).ingressIsolated(db)).toBe(false);
  });

  test('the unauthenticated-store warning asks it once per synthesis of an app of several charts', () => {
    const app = Testing.app();
    const charts = [0, 1, 2].map(i => new Chart(app, `c${i}`));
    const db = new StatefulWorkload(charts[0], 'db', {
      metadata: { name: 'db' },
      containers: [{ name: 'db', image: IMAGE, portNumber: 5432, securityContext: { user: 999, group: 999 } }],
      allowUnauthenticated: true,
    });
    let asked = 0;
    declareIngressIsolation(db, () => {
      asked++;
      return true;
    });
    app.synth();
    expect(asked).toBe(1);
    expect(Warnings.of(app).list()).toEqual([]);
  });
});
