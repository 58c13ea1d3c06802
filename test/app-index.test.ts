import { ApiObject, App, Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ExternalService, StatefulWorkload, StorageClass } from '../src';

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
