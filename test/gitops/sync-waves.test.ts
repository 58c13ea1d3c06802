import { ApiObject, App, Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  ArgoCdEndpointSync,
  DataStoreConnection,
  ExternalService,
  IStorageClass,
  VolumeClaim,
  StaticVolumeSet,
  StaticVolumeSource,
  StatefulWorkload,
  StorageClass,
  SyncWaves,
  VolumeBindingMode,
} from '../../src';
import { AppIndex } from '../../src/private/app-index';
import { findOne } from '../util/harness';

const WAVE = 'argocd.argoproj.io/sync-wave';

interface Shop {
  readonly app: App;
  readonly chart: Chart;
  readonly db: StatefulWorkload;
  readonly api: kplus.Deployment;
  readonly reports: kplus.Deployment;
}

/** A chart with one object of every role, and objects of no role. */
function shop(): Shop {
  const app = Testing.app();
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  const fast = StorageClass.localDisks(chart, 'fast', { metadata: { name: 'fast' } });
  const db = new StatefulWorkload(chart, 'db', {
    metadata: { name: 'orders-db' },
    containers: [{ name: 'db', image: 'docker.io/library/postgres:16.4', portNumber: 5432, securityContext: { user: 999 } }],
    volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), storageClass: fast }],
  });
  db.addClientService();
  new StaticVolumeSet(chart, 'volumes', {
    workload: db,
    claimTemplate: db.volumeClaimTemplates[0],
    sources: [StaticVolumeSource.local('/mnt/disks/ssd0', 'node-a')],
  });
  new VolumeClaim(chart, 'files', { metadata: { name: 'files' }, storage: Size.gibibytes(1) });
  const cache = new ExternalService(chart, 'cache', { metadata: { name: 'cache' }, externalName: 'cache.example.com', ports: [{ port: 6379 }] });
  const deployment = (id: string) => new kplus.Deployment(chart, id, {
    metadata: { name: id },
    containers: [{ name: 'app', image: 'registry.example.com/app:1.0.0', securityContext: { user: 1000 } }],
  });
  const api = deployment('api');
  const reports = deployment('reports');
  new DataStoreConnection(chart, 'orders', {
    metadata: { name: 'orders-connection' },
    store: db,
    consumers: [api.containers[0]],
  });
  new DataStoreConnection(chart, 'cache-connection', { metadata: { name: 'cache-connection' }, store: cache }).addWorkload(reports);
  new kplus.ConfigMap(chart, 'unrelated', { metadata: { name: 'unrelated' } });
  return { app, chart, db, api, reports };
}

/** The sync wave of each rendered object, as `Kind/name: wave`. */
function waves(chart: Chart): { [object: string]: string | undefined } {
  const result: { [object: string]: string | undefined } = {};
  for (const o of Testing.synth(chart)) result[`${o.kind}/${o.metadata.name}`] = o.metadata.annotations?.[WAVE];
  return result;
}

describe('SyncWaves', () => {
  test('off by default: no object gets a wave', () => {
    // GIVEN
    const { chart } = shop();
    // THEN
    expect(Object.values(waves(chart)).filter(w => w !== undefined)).toEqual([]);
  });

  test('enable(): storage, configuration, data stores, consumers in that order; other objects untouched', () => {
    // GIVEN
    const { chart } = shop();
    // WHEN
    SyncWaves.enable(chart);
    // THEN
    expect(waves(chart)).toEqual({
      'StorageClass/fast': '0',
      'PersistentVolume/shop-data-orders-db-0': '0',
      'PersistentVolumeClaim/files': '0',
      'ConfigMap/orders-connection': '1',
      'ConfigMap/cache-connection': '1',
      'StatefulSet/orders-db': '2',
      'Service/orders-db': '2',
      'Service/orders-db-client': '2',
      'Service/cache': '2',
      'Deployment/api': '4',
      'Deployment/reports': '4',
      'ConfigMap/unrelated': undefined,
    });
  });

  test('options set the wave of each kind of object', () => {
    // GIVEN
    const { chart } = shop();
    // WHEN
    SyncWaves.enable(chart, { storage: -5, configuration: -4, dataStores: 10, migrations: 11, consumers: 20 });
    // THEN
    const w = waves(chart);
    expect([w['StorageClass/fast'], w['ConfigMap/orders-connection'], w['StatefulSet/orders-db'], w['Deployment/api']]).toEqual(['-5', '-4', '10', '20']);
  });

  test('override() moves a construct and everything below it; the nearest override wins', () => {
    // GIVEN
    const { chart, db, reports } = shop();
    SyncWaves.enable(chart);
    // WHEN
    SyncWaves.setWave(db, 7);
    SyncWaves.setWave(reports, 9);
    // THEN
    const w = waves(chart);
    expect([w['StatefulSet/orders-db'], w['Service/orders-db'], w['Service/orders-db-client'], w['Deployment/reports'], w['Deployment/api']])
      .toEqual(['7', '7', '7', '9', '4']);
  });

  test('override() alone stamps the construct even where waves are not enabled', () => {
    // GIVEN
    const { chart, db } = shop();
    // WHEN
    SyncWaves.setWave(db, 3);
    // THEN
    const w = waves(chart);
    expect([w['StatefulSet/orders-db'], w['StorageClass/fast']]).toEqual(['3', undefined]);
  });

  test('a wave annotation set by the user wins', () => {
    // GIVEN
    const { chart, db } = shop();
    db.apiObject.metadata.addAnnotation(WAVE, '-1');
    // WHEN
    SyncWaves.enable(chart);
    // THEN
    expect(findOne(Testing.synth(chart), 'StatefulSet').metadata.annotations[WAVE]).toBe('-1');
  });

  test('a later override replaces the library\'s own stamp of an earlier synthesis', () => {
    // GIVEN
    const { chart, db } = shop();
    SyncWaves.enable(chart);
    expect(waves(chart)['StatefulSet/orders-db']).toBe('2');
    // WHEN
    SyncWaves.setWave(db, 6);
    // THEN
    expect(waves(chart)['StatefulSet/orders-db']).toBe('6');
  });

  test('enabling one chart leaves the other charts of the app alone', () => {
    // GIVEN
    const { app, chart } = shop();
    const other = new Chart(app, 'other', { namespace: 'other' });
    StorageClass.localDisks(other, 'slow', { metadata: { name: 'slow' } });
    // WHEN
    SyncWaves.enable(chart);
    // THEN
    expect(findOne(Testing.synth(other), 'StorageClass').metadata.annotations?.[WAVE]).toBeUndefined();
    expect(waves(chart)['StorageClass/fast']).toBe('0');
  });

  test('enabled on the app, every chart of it gets waves', () => {
    // GIVEN
    const { app, chart } = shop();
    // WHEN
    SyncWaves.enable(app);
    // THEN
    expect(waves(chart)['StorageClass/fast']).toBe('0');
    expect(waves(chart)['Deployment/api']).toBe('4');
  });

  test('the argocd-cm override of an ExternalService is configuration', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'chart', { namespace: 'web' });
    new ExternalService(chart, 'ext', {
      addresses: ['10.0.0.5'],
      ports: [{ port: 80 }],
      argoCdEndpointSync: ArgoCdEndpointSync.renderOverride(),
    });
    // WHEN
    SyncWaves.enable(chart);
    // THEN
    const cm = Testing.synth(chart).find(o => o.kind === 'ConfigMap' && o.metadata.name === 'argocd-cm');
    expect(cm.metadata.annotations[WAVE]).toBe('1');
  });

  test.each([
    ['enable() with a fractional wave', (chart: Chart) => SyncWaves.enable(chart, { storage: 0.5 }), /^SyncWaves 'chart': invalid 'storage': 0.5/],
    ['override() with a fractional wave', (chart: Chart) => SyncWaves.setWave(chart, 1.5), /^SyncWaves 'chart': invalid 'wave': 1.5/],
  ])('fails when %s', (_name, act, message) => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'chart');
    // THEN
    expect(() => act(chart)).toThrow(message);
  });

  test('objects the library did not make and that no consumer wiring covers stay unstamped', () => {
    // GIVEN
    const { chart } = shop();
    new ApiObject(chart, 'raw', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'raw' } });
    // WHEN
    SyncWaves.enable(chart);
    // THEN
    expect(waves(chart)['ConfigMap/raw']).toBeUndefined();
  });
});

describe('SyncWaves: a standalone claim bound only when a pod uses it', () => {
  /** A claim of `binding` mounted by a Deployment wired to a store: the consumer's wave is 4. */
  function build(binding: 'WaitForFirstConsumer' | 'Immediate' | 'unknown class' | 'default class', options: { override?: number; unused?: boolean } = {}) {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    SyncWaves.enable(chart);
    let storageClass: IStorageClass | undefined;
    if (binding === 'WaitForFirstConsumer' || binding === 'Immediate') {
      storageClass = new StorageClass(chart, 'class', {
        metadata: { name: 'ssd' },
        provisioner: 'ebs.csi.aws.com',
        volumeBindingMode: binding === 'Immediate' ? VolumeBindingMode.IMMEDIATE : VolumeBindingMode.WAIT_FOR_FIRST_CONSUMER,
      });
    } else if (binding === 'unknown class') {
      storageClass = StorageClass.fromStorageClassName(chart, 'premium', 'premium-rwo');
    }
    const claim = new VolumeClaim(chart, 'files', { metadata: { name: 'files' }, storage: Size.gibibytes(1), storageClass });
    if (options.override !== undefined) SyncWaves.setWave(claim, options.override);
    const db = new StatefulWorkload(chart, 'db', {
      metadata: { name: 'db' },
      containers: [{ name: 'db', image: 'docker.io/library/postgres:16.4', portNumber: 5432, securityContext: { user: 999 } }],
    });
    const api = new kplus.Deployment(chart, 'api', {
      metadata: { name: 'api' },
      containers: [{ name: 'app', image: 'registry.example.com/app:1.0.0', securityContext: { user: 1000 } }],
    });
    new DataStoreConnection(chart, 'conn', { store: db, consumers: [api.containers[0]] });
    if (!options.unused) api.containers[0].mount('/files', kplus.Volume.fromPersistentVolumeClaim(chart, 'files-volume', claim));
    return waves(chart);
  }

  test('WaitForFirstConsumer: in the wave of the first pod that mounts it, so the sync does not wait on a Pending claim', () => {
    expect(build('WaitForFirstConsumer')).toMatchObject({ 'StorageClass/ssd': '0', 'PersistentVolumeClaim/files': '4', 'Deployment/api': '4' });
  });

  test('a class the app does not render, or the cluster\'s default class: the same (most default classes wait)', () => {
    expect(build('unknown class')['PersistentVolumeClaim/files']).toBe('4');
    expect(build('default class')['PersistentVolumeClaim/files']).toBe('4');
  });

  test('Immediate binding, an unused claim, an override: the storage wave or the override', () => {
    expect(build('Immediate')['PersistentVolumeClaim/files']).toBe('0');
    expect(build('WaitForFirstConsumer', { unused: true })['PersistentVolumeClaim/files']).toBe('0');
    expect(build('WaitForFirstConsumer', { override: -1 })['PersistentVolumeClaim/files']).toBe('-1');
  });
});

test('the pods SyncWaves reads for a claim\'s wave are read again by the checks, after the connections add their wait', () => {
  const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
  // enabled first: its hook runs before the connection's, which adds the wait init container
  SyncWaves.enable(chart);
  const claim = new VolumeClaim(chart, 'files', { metadata: { name: 'files' }, storage: Size.gibibytes(1) });
  const db = new StatefulWorkload(chart, 'db', {
    metadata: { name: 'db' },
    containers: [{ name: 'db', image: 'docker.io/library/postgres:16.4', portNumber: 5432, securityContext: { user: 999 } }],
  });
  const api = new kplus.Deployment(chart, 'api', {
    metadata: { name: 'api' },
    containers: [{ name: 'app', image: 'registry.example.com/app:1.0.0', securityContext: { user: 1000 } }],
  });
  api.containers[0].mount('/files', kplus.Volume.fromPersistentVolumeClaim(chart, 'files-volume', claim));
  new DataStoreConnection(chart, 'conn', { store: db, consumers: [api.containers[0]], waitForStore: {} });
  const manifests = Testing.synth(chart);
  expect(findOne(manifests, 'PersistentVolumeClaim').metadata.annotations[WAVE]).toBe('4');
  const pod = AppIndex.of(chart).podConsumers().find(p => p.kind === 'Deployment')!;
  expect(pod.podSpec.initContainers.map((c: any) => c.name)).toEqual(['wait-for-db']);
});
