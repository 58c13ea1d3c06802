import { Chart, Size, Testing } from 'cdk8s';
import { LabelSelector, PersistentVolumeAccessMode, PersistentVolumeMode, Secret } from 'cdk8s-plus-27';
import { SnapshotRestore } from '../../src/backup/snapshot-restore';
import { WorkloadSnapshot } from '../../src/backup/workload-snapshot';
import { DataStoreCredentials } from '../../src/connection/data-store';
import { Cassandra } from '../../src/engines/cassandra';
import { SyncWaves } from '../../src/gitops/sync-waves';
import { StorageClass } from '../../src/storage/storage-class';
import { StatefulWorkload, StatefulWorkloadProps } from '../../src/workload/stateful-workload';
import { ClaimDataSource } from '../../src/workload/volume-claim-template';
import { findAll, findOne, synthValid } from '../util/harness';

/** The ring's superuser, from a Secret made outside the chart. */
function adminOf(chart: Chart): DataStoreCredentials {
  return DataStoreCredentials.fromSecret(Secret.fromSecretName(chart, 'admin', 'ring-admin'));
}

const IMAGE = 'docker.io/library/postgres:16.4';
const WHERE = 'SnapshotRestore \'test/restore\'';

function chartIn(namespace: string | null = 'shop'): Chart {
  return new Chart(Testing.app(), 'test', { namespace: namespace ?? undefined });
}

/** A workload `db` of 3 replicas with a claim template `data` (10Gi, class gp3). */
function workload(chart: Chart, props: Partial<StatefulWorkloadProps> = {}, id = 'db'): StatefulWorkload {
  return new StatefulWorkload(chart, id, {
    metadata: { name: id },
    replicas: 3,
    containers: [{ name: 'db', image: IMAGE, portNumber: 5432, securityContext: { user: 999, group: 999 } }],
    volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(10), storageClassName: 'gp3', mountPath: '/data' }],
    ...props,
  });
}

/** The nightly snapshots of `db` taken on 1 March 2025, one per ordinal. */
function nightly(count = 3): ClaimDataSource[] {
  return Array.from({ length: count }, (_, i) => ClaimDataSource.fromSnapshot(`data-db-${i}-nightly-20250301020000`));
}

describe('SnapshotRestore', () => {
  test('defaults', () => {
    // GIVEN
    const chart = chartIn();
    const db = workload(chart);

    // WHEN
    const restore = new SnapshotRestore(chart, 'restore', { workload: db, snapshots: nightly() });

    // THEN
    const manifests = synthValid(chart);
    expect(findAll(manifests, 'PersistentVolumeClaim')).toMatchSnapshot();
    const claims = findAll(manifests, 'PersistentVolumeClaim');
    // named exactly as the StatefulSet controller names its claims: it uses them instead of creating new ones
    expect(claims.map(c => c.metadata.name)).toEqual(['data-db-0', 'data-db-1', 'data-db-2']);
    // ordinal i gets snapshot i
    expect(claims.map(c => c.spec.dataSource)).toEqual([0, 1, 2].map(i => ({
      apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: `data-db-${i}-nightly-20250301020000`,
    })));
    expect(claims.map(c => c.metadata.namespace)).toEqual(['shop', 'shop', 'shop']);
    // data-safe: Argo CD never prunes them
    expect(claims[0].metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' });
    expect(restore.claimNames).toEqual(['data-db-0', 'data-db-1', 'data-db-2']);
    expect(restore.apiObjects.map(o => o.kind)).toEqual(['PersistentVolumeClaim', 'PersistentVolumeClaim', 'PersistentVolumeClaim']);
    expect(restore.claimTemplate).toBe(db.volumeClaimTemplates[0]);
    expect(restore.workload).toBe(db);
  });

  test('all props', () => {
    // GIVEN
    const chart = chartIn();
    const db = workload(chart, {
      volumeClaimTemplates: [
        { name: 'data', storage: Size.gibibytes(10), storageClassName: 'gp3', mountPath: '/data' },
        { name: 'wal', storage: Size.gibibytes(2), storageClassName: 'gp3', mountPath: '/wal' },
      ],
    });

    // WHEN
    new SnapshotRestore(chart, 'restore', {
      workload: db,
      claimTemplate: db.volumeClaimTemplates[1],
      snapshots: [0, 1, 2].map(i => ClaimDataSource.fromSnapshot(`wal-db-${i}-pre-17`)),
      argoCdProtection: false,
    });

    // THEN
    const manifests = synthValid(chart);
    expect(findAll(manifests, 'PersistentVolumeClaim')).toMatchSnapshot();
    const claims = findAll(manifests, 'PersistentVolumeClaim');
    expect(claims.map(c => c.metadata.name)).toEqual(['wal-db-0', 'wal-db-1', 'wal-db-2']);
    expect(claims.map(c => c.spec.dataSource.name)).toEqual(['wal-db-0-pre-17', 'wal-db-1-pre-17', 'wal-db-2-pre-17']);
    expect(claims[0].metadata.annotations).toBeUndefined();
  });

  test('each claim is the claim the controller would create from the template, plus its data source', () => {
    // GIVEN
    const chart = chartIn();
    const db = workload(chart, {
      replicas: 2,
      volumeClaimTemplates: [{
        name: 'data',
        storage: Size.mebibytes(512),
        storageClassName: 'gp3',
        accessModes: [PersistentVolumeAccessMode.READ_WRITE_ONCE_POD],
        volumeMode: PersistentVolumeMode.BLOCK,
        devicePath: '/dev/xvdb',
        labels: { tier: 'hot' },
        annotations: { note: 'restored' },
      }],
    });

    // WHEN
    new SnapshotRestore(chart, 'restore', { workload: db, snapshots: nightly(2) });

    // THEN
    const manifests = synthValid(chart);
    const template = findOne(manifests, 'StatefulSet', 'db').spec.volumeClaimTemplates[0];
    for (const [i, claim] of findAll(manifests, 'PersistentVolumeClaim').entries()) {
      const { dataSource, ...spec } = claim.spec;
      expect(spec).toEqual(template.spec);
      expect(dataSource.name).toBe(`data-db-${i}-nightly-20250301020000`);
      // the controller adds the selector's labels to the template's
      expect(claim.metadata.labels).toEqual({ ...template.metadata.labels, ...findOne(manifests, 'StatefulSet', 'db').spec.selector.matchLabels });
      expect(claim.metadata.annotations).toEqual({ ...template.metadata.annotations, 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' });
    }
  });

  test('the claims come before the StatefulSet in the manifest, so kubectl creates them first', () => {
    // GIVEN
    const chart = chartIn();

    // WHEN: the restore is created after the workload
    new SnapshotRestore(chart, 'restore', { workload: workload(chart), snapshots: nightly() });

    // THEN
    const kinds = synthValid(chart).map(o => o.kind);
    expect(kinds.lastIndexOf('PersistentVolumeClaim')).toBeLessThan(kinds.indexOf('StatefulSet'));
  });

  test('with sync waves the claims are in the workload\'s wave (2), where Argo CD applies claims before StatefulSets', () => {
    // GIVEN
    const chart = chartIn();
    SyncWaves.enable(chart);

    // WHEN
    new SnapshotRestore(chart, 'restore', { workload: workload(chart), snapshots: nightly() });

    // THEN: not the storage wave: a WaitForFirstConsumer claim stays Pending (Progressing) until a pod uses it
    const manifests = synthValid(chart);
    expect(findAll(manifests, 'PersistentVolumeClaim').map(c => c.metadata.annotations['argocd.argoproj.io/sync-wave'])).toEqual(['2', '2', '2']);
    expect(findOne(manifests, 'StatefulSet').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('2');
  });

  test('the ordinals start at ordinals.start', () => {
    // GIVEN
    const chart = chartIn();

    // WHEN
    const restore = new SnapshotRestore(chart, 'restore', { workload: workload(chart, { replicas: 2, ordinals: { start: 1 } }), snapshots: nightly(2) });

    // THEN
    expect(restore.claimNames).toEqual(['data-db-1', 'data-db-2']);
    expect(findAll(synthValid(chart), 'PersistentVolumeClaim').map(c => c.spec.dataSource.name))
      .toEqual(['data-db-0-nightly-20250301020000', 'data-db-1-nightly-20250301020000']);
  });

  test('a new workload restored from a WorkloadSnapshot of another', () => {
    // GIVEN
    const chart = chartIn();
    const db = workload(chart);
    const preUpgrade = new WorkloadSnapshot(chart, 'pre-17', { workload: db });
    const copy = workload(chart, {}, 'db-copy');

    // WHEN
    new SnapshotRestore(chart, 'restore', { workload: copy, snapshots: preUpgrade.dataSources() });

    // THEN
    const claims = findAll(synthValid(chart), 'PersistentVolumeClaim');
    expect(claims.map(c => [c.metadata.name, c.spec.dataSource.name]))
      .toEqual([0, 1, 2].map(i => [`data-db-copy-${i}`, `data-db-${i}-pre-17`]));
  });

  test('a preset restored through its workload', () => {
    // GIVEN
    const chart = chartIn();
    const ring = new Cassandra(chart, 'ring', { metadata: { name: 'ring' }, storageClassName: 'gp3', credentials: adminOf(chart) });

    // WHEN
    new SnapshotRestore(chart, 'restore', {
      workload: ring.workload,
      snapshots: [0, 1, 2].map(i => ClaimDataSource.fromSnapshot(`data-ring-${i}-nightly-20250301020000`)),
    });

    // THEN
    expect(findAll(synthValid(chart), 'PersistentVolumeClaim').map(c => c.metadata.name)).toEqual(['data-ring-0', 'data-ring-1', 'data-ring-2']);
  });

  test('the workload\'s own namespace', () => {
    // GIVEN
    const chart = chartIn();

    // WHEN
    new SnapshotRestore(chart, 'restore', { workload: workload(chart, { metadata: { name: 'db', namespace: 'billing' } }), snapshots: nightly() });

    // THEN
    expect(findAll(synthValid(chart), 'PersistentVolumeClaim').map(c => c.metadata.namespace)).toEqual(['billing', 'billing', 'billing']);
  });

  test('two restores of one template render the claims twice: an app error', () => {
    // GIVEN
    const chart = chartIn();
    const db = workload(chart);
    new SnapshotRestore(chart, 'restore', { workload: db, snapshots: nightly() });

    // WHEN
    new SnapshotRestore(chart, 'again', { workload: db, snapshots: nightly() });

    // THEN
    expect(() => Testing.synth(chart)).toThrow(/PersistentVolumeClaim shop\/data-db-0 is rendered twice: by 'test\/restore\/data-0' and by 'test\/again\/data-0'/);
  });

  describe('fails when', () => {
    test('there are fewer snapshots than replicas', () => {
      const chart = chartIn();
      expect(() => new SnapshotRestore(chart, 'restore', { workload: workload(chart), snapshots: nightly(2) })).toThrow(new Error(
        `${WHERE}: invalid 'snapshots': "2 snapshots". Must list one snapshot per replica, in ordinal order: the workload has 3 replicas (ordinals 0 to 2). `
        + 'List exactly one snapshot per replica, or change the workload\'s \'replicas\' to the number of snapshots.'));
    });

    test('there are more snapshots than replicas', () => {
      const chart = chartIn();
      expect(() => new SnapshotRestore(chart, 'restore', { workload: workload(chart, { replicas: 1 }), snapshots: nightly(2) })).toThrow(
        `${WHERE}: invalid 'snapshots': "2 snapshots". Must list one snapshot per replica, in ordinal order: the workload has 1 replica (ordinals 0 to 0).`);
    });

    test('the workload has no replicas', () => {
      const chart = chartIn();
      expect(() => new SnapshotRestore(chart, 'restore', { workload: workload(chart, { replicas: 0 }), snapshots: nightly(1) })).toThrow(
        `${WHERE}: invalid 'snapshots': "1 snapshot". Must list one snapshot per replica, in ordinal order: the workload has 0 replicas (ordinals none).`);
    });

    test('the snapshots are missing (JavaScript)', () => {
      const chart = chartIn();
      expect(() => new SnapshotRestore(chart, 'restore', { workload: workload(chart) } as any)).toThrow(
        `${WHERE}: invalid 'snapshots': "0 snapshots". Must list one snapshot per replica`);
    });

    test('a data source is not a VolumeSnapshot', () => {
      const chart = chartIn();
      const sources = [...nightly(2), ClaimDataSource.fromClaim('data-old-2')];
      expect(() => new SnapshotRestore(chart, 'restore', { workload: workload(chart), snapshots: sources })).toThrow(new Error(
        `${WHERE}: invalid 'snapshots[2]': "PersistentVolumeClaim data-old-2". Must be a VolumeSnapshot (snapshot.storage.k8s.io). Use ClaimDataSource.fromSnapshot(name) or WorkloadSnapshot.dataSources().`));
    });

    test('a snapshot name is no DNS subdomain', () => {
      const chart = chartIn();
      const sources = [...nightly(2), ClaimDataSource.fromSnapshot('Data 2')];
      expect(() => new SnapshotRestore(chart, 'restore', { workload: workload(chart), snapshots: sources })).toThrow(new Error(
        `${WHERE}: invalid 'snapshots[2]': "Data 2". Must name a VolumeSnapshot: a DNS-1123 subdomain of at most 253 characters, lower case letters, digits, '-' and '.'. `
        + 'Give the snapshot\'s name as `kubectl get volumesnapshots` lists it.'));
    });

    test('a snapshot name is empty', () => {
      const chart = chartIn();
      const sources = [...nightly(2), ClaimDataSource.fromSnapshot('')];
      expect(() => new SnapshotRestore(chart, 'restore', { workload: workload(chart), snapshots: sources })).toThrow(`${WHERE}: invalid 'snapshots[2]': "". Must name a VolumeSnapshot`);
    });

    test('the workload has several claim templates and none is named', () => {
      const chart = chartIn();
      const db = workload(chart, {
        volumeClaimTemplates: [
          { name: 'data', storage: Size.gibibytes(10), storageClassName: 'gp3' },
          { name: 'wal', storage: Size.gibibytes(2), storageClassName: 'gp3' },
        ],
      });
      expect(() => new SnapshotRestore(chart, 'restore', { workload: db, snapshots: nightly() })).toThrow(new Error(
        `${WHERE}: invalid 'claimTemplate': unset. The workload has 2 claim templates (["data","wal"]): which one to restore must be said. `
        + 'Set \'claimTemplate\', and restore each template with its own SnapshotRestore.'));
    });

    test('the workload has no claim templates', () => {
      const chart = chartIn();
      expect(() => new SnapshotRestore(chart, 'restore', { workload: workload(chart, { volumeClaimTemplates: [] }), snapshots: nightly() })).toThrow(new Error(
        `${WHERE}: invalid 'claimTemplate': unset. The workload has no volume claim templates (yet), so no claims to restore. Create the restore after the workload's claim templates.`));
    });

    test('the claim template is another workload\'s', () => {
      const chart = chartIn();
      const other = workload(chart, {}, 'other');
      expect(() => new SnapshotRestore(chart, 'restore', { workload: workload(chart), claimTemplate: other.volumeClaimTemplates[0], snapshots: nightly() })).toThrow(new Error(
        `${WHERE}: invalid 'claimTemplate': "data". Must be a claim template of workload 'test/db' (["data"]). Pass a template from the workload's volumeClaimTemplates.`));
    });

    test('the claim template has a selector (binds existing volumes only)', () => {
      const chart = chartIn();
      const db = workload(chart, {
        volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(10), storageClassName: 'gp3', selector: LabelSelector.of({ labels: { disk: 'ssd' } }) }],
      });
      expect(() => new SnapshotRestore(chart, 'restore', { workload: db, snapshots: nightly() })).toThrow(new Error(
        `${WHERE}: invalid 'claim template "data" selector': {"matchLabels":{"disk":"ssd"}}. A claim with a selector binds existing volumes only and is never provisioned, `
        + 'so it cannot be restored from a snapshot. Remove the selector from the claim template.'));
    });

    test('the claims are of static volumes only', () => {
      const chart = chartIn();
      const db = workload(chart, { volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), storageClassName: '' }] });
      expect(() => new SnapshotRestore(chart, 'restore', { workload: db, snapshots: nightly() })).toThrow(
        `${WHERE}: invalid 'claim template "data" storageClassName': "". The claims bind statically provisioned volumes only, which no CSI driver manages: no volume can be provisioned from a snapshot.`);
    });

    test('the claims are of a class named by name that the app renders without a provisioner (at synthesis)', () => {
      const chart = chartIn();
      const db = workload(chart, { volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), storageClassName: 'local-ssd' }] });
      new SnapshotRestore(chart, 'restore', { workload: db, snapshots: nightly() });
      StorageClass.localDisks(chart, 'local', { metadata: { name: 'local-ssd' } });
      expect(() => Testing.synth(chart)).toThrow(
        `${WHERE}: invalid 'claim template "data" storageClass': "local-ssd". The class has no provisioner ("kubernetes.io/no-provisioner": local or other static volumes), and no CSI driver manages its volumes: no volume can be provisioned from a snapshot.`);
    });

    test('the restore is in another chart than the workload', () => {
      const app = Testing.app();
      const db = workload(new Chart(app, 'db', { namespace: 'shop' }));
      expect(() => new SnapshotRestore(new Chart(app, 'ops', { namespace: 'shop' }), 'restore', { workload: db, snapshots: nightly() })).toThrow(new Error(
        'SnapshotRestore \'ops/restore\': invalid \'workload\': "db/db". Must be in this construct\'s chart (\'ops\'), but is in \'db\': only within one manifest are the claims '
        + 'rendered before the StatefulSet, and a StatefulSet applied first creates empty claims of the same names. Create the SnapshotRestore in the workload\'s chart.'));
    });

    test('the workload is missing (JavaScript)', () => {
      expect(() => new SnapshotRestore(chartIn(), 'restore', { snapshots: nightly() } as any)).toThrow(`${WHERE}: invalid 'workload': undefined. Must be a StatefulWorkload`);
    });
  });
});
