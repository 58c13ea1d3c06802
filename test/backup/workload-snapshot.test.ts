import { Chart, Size, Testing } from 'cdk8s';
import { PersistentVolumeMode, Secret } from 'cdk8s-plus-27';
import { VolumeSnapshotClass } from '../../src/backup/volume-snapshot-class';
import { WorkloadSnapshot } from '../../src/backup/workload-snapshot';
import { DataStoreCredentials } from '../../src/connection/data-store';
import { Cassandra } from '../../src/engines/cassandra';
import { SyncWaves } from '../../src/gitops/sync-waves';
import { StorageClass } from '../../src/storage/storage-class';
import { StatefulWorkload, StatefulWorkloadProps } from '../../src/workload/stateful-workload';
import { findAll, findOne, synthValid } from '../util/harness';
import { validateManifest } from '../util/k8s-schema';

/** The ring's superuser, from a Secret made outside the chart. */
function adminOf(chart: Chart): DataStoreCredentials {
  return DataStoreCredentials.fromSecret(Secret.fromSecretName(chart, 'admin', 'ring-admin'));
}

const IMAGE = 'docker.io/library/postgres:16.4';

function chartIn(namespace: string | null = 'shop'): Chart {
  return new Chart(Testing.app(), 'test', { namespace: namespace ?? undefined });
}

/** A workload `db` of `replicas` replicas with a claim template `data` of the class `gp3` (EBS). */
function workload(chart: Chart, props: Partial<StatefulWorkloadProps> = {}): StatefulWorkload {
  const gp3 = (chart.node.tryFindChild('gp3') as StorageClass | undefined)
    ?? new StorageClass(chart, 'gp3', { metadata: { name: 'gp3' }, provisioner: 'ebs.csi.aws.com' });
  return new StatefulWorkload(chart, 'db', {
    metadata: { name: 'db' },
    replicas: 3,
    containers: [{ name: 'db', image: IMAGE, portNumber: 5432, securityContext: { user: 999, group: 999 } }],
    volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(10), storageClass: gp3, mountPath: '/data' }],
    ...props,
  });
}

function ebs(chart: Chart): VolumeSnapshotClass {
  return new VolumeSnapshotClass(chart, 'ebs', { metadata: { name: 'ebs' }, driver: 'ebs.csi.aws.com' });
}

describe('WorkloadSnapshot', () => {
  test('defaults', () => {
    // GIVEN
    const chart = chartIn();
    const db = workload(chart);

    // WHEN
    const snapshot = new WorkloadSnapshot(chart, 'pre-17', { workload: db });

    // THEN
    const manifests = synthValid(chart);
    expect(findAll(manifests, 'VolumeSnapshot')).toMatchSnapshot();
    const snapshots = findAll(manifests, 'VolumeSnapshot');
    // one per replica, named after its claim and the construct id
    expect(snapshots.map(s => s.metadata.name)).toEqual(['data-db-0-pre-17', 'data-db-1-pre-17', 'data-db-2-pre-17']);
    expect(snapshots.map(s => s.spec.source)).toEqual([0, 1, 2].map(i => ({ persistentVolumeClaimName: `data-db-${i}` })));
    // no class: the driver's default class takes them
    expect(snapshots.map(s => s.spec.volumeSnapshotClassName)).toEqual([undefined, undefined, undefined]);
    // data-safe: Argo CD never prunes them
    expect(snapshots.map(s => s.metadata.annotations)).toEqual(Array(3).fill({ 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' }));
    expect(snapshots[1].metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'cdk8s-stateful',
      'cdk8s-stateful/workload': 'db',
      'cdk8s-stateful/claim-template': 'data',
      'cdk8s-stateful/ordinal': '1',
      'cdk8s-stateful/snapshot': 'pre-17',
    });
    expect(snapshots.map(s => s.metadata.namespace)).toEqual(['shop', 'shop', 'shop']);
    expect(snapshot.snapshotName).toBe('pre-17');
    expect(snapshot.workload).toBe(db);
    expect(snapshot.snapshotClass).toBeUndefined();
    expect(snapshot.volumeSnapshotNames).toEqual(['data-db-0-pre-17', 'data-db-1-pre-17', 'data-db-2-pre-17']);
    expect(snapshot.apiObjects.map(o => o.name)).toEqual(snapshot.volumeSnapshotNames);
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
    const cls = ebs(chart);

    // WHEN
    const snapshot = new WorkloadSnapshot(chart, 'Before', {
      workload: db,
      snapshotClass: cls,
      name: 'before-17',
      claimTemplates: [db.volumeClaimTemplates[1]],
      labels: { reason: 'upgrade' },
      annotations: { 'ticket': 'OPS-17', 'argocd.argoproj.io/sync-options': 'Prune=true' },
      argoCdProtection: true,
    });

    // THEN
    const manifests = synthValid(chart);
    expect(findAll(manifests, 'VolumeSnapshot')).toMatchSnapshot();
    const snapshots = findAll(manifests, 'VolumeSnapshot');
    expect(snapshots.map(s => s.metadata.name)).toEqual(['wal-db-0-before-17', 'wal-db-1-before-17', 'wal-db-2-before-17']);
    expect(snapshots.map(s => s.spec.volumeSnapshotClassName)).toEqual(['ebs', 'ebs', 'ebs']);
    expect(snapshots[0].metadata.labels).toMatchObject({ 'reason': 'upgrade', 'cdk8s-stateful/claim-template': 'wal', 'cdk8s-stateful/snapshot': 'before-17' });
    // the user's Prune option wins, Delete=false is added
    expect(snapshots[0].metadata.annotations).toEqual({ 'ticket': 'OPS-17', 'argocd.argoproj.io/sync-options': 'Prune=true,Delete=false' });
    expect(snapshot.snapshotClass).toBe(cls);
    expect(snapshot.volumeSnapshotName(db.volumeClaimTemplates[1], 2)).toBe('wal-db-2-before-17');
  });

  test('every claim template by default, template by template, ordinal by ordinal', () => {
    // GIVEN
    const chart = chartIn();
    const db = workload(chart, {
      replicas: 2,
      volumeClaimTemplates: [
        { name: 'data', storage: Size.gibibytes(10), storageClassName: 'gp3', mountPath: '/data' },
        { name: 'wal', storage: Size.gibibytes(2), storageClassName: 'gp3', mountPath: '/wal' },
      ],
    });

    // WHEN
    const snapshot = new WorkloadSnapshot(chart, 'pre-17', { workload: db });

    // THEN
    expect(findAll(synthValid(chart), 'VolumeSnapshot').map(s => s.metadata.name))
      .toEqual(['data-db-0-pre-17', 'data-db-1-pre-17', 'wal-db-0-pre-17', 'wal-db-1-pre-17']);
    expect(snapshot.volumeSnapshotName(db.volumeClaimTemplates[1], 0)).toBe('wal-db-0-pre-17');
  });

  test('the ordinals start at ordinals.start', () => {
    // GIVEN
    const chart = chartIn();
    const db = workload(chart, { replicas: 2, ordinals: { start: 5 } });

    // WHEN
    const snapshot = new WorkloadSnapshot(chart, 'pre-17', { workload: db });

    // THEN
    expect(findAll(synthValid(chart), 'VolumeSnapshot').map(s => [s.metadata.name, s.spec.source.persistentVolumeClaimName, s.metadata.labels['cdk8s-stateful/ordinal']]))
      .toEqual([['data-db-5-pre-17', 'data-db-5', '5'], ['data-db-6-pre-17', 'data-db-6', '6']]);
    expect(snapshot.dataSources().map(d => d.name)).toEqual(['data-db-5-pre-17', 'data-db-6-pre-17']);
  });

  test('a block volume is snapshotted like a file system', () => {
    // GIVEN
    const chart = chartIn();
    const db = workload(chart, {
      replicas: 1,
      volumeClaimTemplates: [{ name: 'raw', storage: Size.gibibytes(1), storageClassName: 'gp3', volumeMode: PersistentVolumeMode.BLOCK, devicePath: '/dev/xvdb' }],
    });

    // WHEN
    new WorkloadSnapshot(chart, 'pre-17', { workload: db });

    // THEN
    expect(findOne(synthValid(chart), 'VolumeSnapshot').spec.source).toEqual({ persistentVolumeClaimName: 'raw-db-0' });
  });

  test('argoCdProtection: false leaves the annotation out', () => {
    // GIVEN
    const chart = chartIn();

    // WHEN
    new WorkloadSnapshot(chart, 'pre-17', { workload: workload(chart, { replicas: 1 }), argoCdProtection: false });

    // THEN
    expect(findOne(synthValid(chart), 'VolumeSnapshot').metadata.annotations).toBeUndefined();
  });

  test('a preset\'s workload is snapshotted the same way', () => {
    // GIVEN
    const chart = chartIn();
    const db = new Cassandra(chart, 'ring', { metadata: { name: 'ring' }, storageClassName: 'gp3', credentials: adminOf(chart) });

    // WHEN
    new WorkloadSnapshot(chart, 'pre-17', { workload: db.workload });

    // THEN
    expect(findAll(synthValid(chart), 'VolumeSnapshot').map(s => s.spec.source.persistentVolumeClaimName))
      .toEqual(['data-ring-0', 'data-ring-1', 'data-ring-2']);
  });

  test('the snapshots come before the StatefulSet in the manifest (kubectl applies them first)', () => {
    // GIVEN
    const chart = chartIn();
    // WHEN: the snapshot is created after the workload, in its chart
    new WorkloadSnapshot(chart, 'pre-17', { workload: workload(chart) });

    // THEN
    const kinds = synthValid(chart).map(o => o.kind);
    expect(kinds.lastIndexOf('VolumeSnapshot')).toBeLessThan(kinds.indexOf('StatefulSet'));
  });

  test('in another chart of the same namespace it adds no dependency between the charts', () => {
    // GIVEN
    const app = Testing.app();
    const db = workload(new Chart(app, 'db', { namespace: 'shop' }));
    const ops = new Chart(app, 'ops', { namespace: 'shop' });

    // WHEN
    new WorkloadSnapshot(ops, 'pre-17', { workload: db });

    // THEN
    expect(findAll(synthValid(ops), 'VolumeSnapshot')).toHaveLength(3);
    expect(db.apiObject.node.dependencies).toEqual([]);
  });

  test('is in the storage wave (0) with sync waves: Argo CD waits until it is ready before the workload changes', () => {
    // GIVEN
    const chart = chartIn();
    SyncWaves.enable(chart);

    // WHEN
    new WorkloadSnapshot(chart, 'pre-17', { workload: workload(chart, { replicas: 1 }) });

    // THEN
    const manifests = synthValid(chart);
    expect(findOne(manifests, 'VolumeSnapshot').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('0');
    expect(findOne(manifests, 'StatefulSet').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('2');
  });

  test('a workload without a namespace in a chart without one renders none', () => {
    // GIVEN
    const chart = chartIn(null);

    // WHEN
    new WorkloadSnapshot(chart, 'pre-17', { workload: workload(chart, { replicas: 1 }) });

    // THEN
    expect(findOne(synthValid(chart), 'VolumeSnapshot').metadata.namespace).toBeUndefined();
  });

  test('the snapshots are in the workload\'s namespace when it sets its own', () => {
    // GIVEN
    const chart = chartIn();

    // WHEN
    new WorkloadSnapshot(chart, 'pre-17', { workload: workload(chart, { replicas: 1, metadata: { name: 'db', namespace: 'billing' } }) });

    // THEN
    expect(findOne(synthValid(chart), 'VolumeSnapshot').metadata.namespace).toBe('billing');
  });

  test('dataSources(): the snapshots of a template as claim data sources, in ordinal order', () => {
    // GIVEN
    const chart = chartIn();
    const db = workload(chart);

    // WHEN
    const sources = new WorkloadSnapshot(chart, 'pre-17', { workload: db }).dataSources(db.volumeClaimTemplates[0]);

    // THEN
    expect(sources.map(s => [s.apiGroup, s.kind, s.name])).toEqual([0, 1, 2].map(i => ['snapshot.storage.k8s.io', 'VolumeSnapshot', `data-db-${i}-pre-17`]));
  });

  test('the published CRD refuses a snapshot without a source (the schema check is real)', () => {
    expect(validateManifest({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name: 'x' }, spec: {} }))
      .toEqual(['spec: missing required field "source"']);
    expect(validateManifest({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name: 'x' }, spec: { source: { pvc: 'data' } } }))
      .toEqual(['spec.source: unknown field "pvc"']);
  });

  describe('fails when', () => {
    const WHERE = 'WorkloadSnapshot \'test/pre-17\'';

    test('the construct id is no DNS label and no name is given', () => {
      const chart = chartIn();
      expect(() => new WorkloadSnapshot(chart, 'PreUpgrade', { workload: workload(chart) })).toThrow(new Error(
        'WorkloadSnapshot \'test/PreUpgrade\': invalid \'name\': unset (construct id "PreUpgrade"). Defaults to the construct id, which must then be a DNS-1123 label '
        + 'of at most 63 characters: lower case letters, digits and \'-\'. Set \'name\' to a short name such as "preupgrade".'));
    });

    test('the name is no DNS label', () => {
      const chart = chartIn();
      expect(() => new WorkloadSnapshot(chart, 'pre-17', { workload: workload(chart), name: 'Pre_17' })).toThrow(
        `${WHERE}: invalid 'name': "Pre_17". Must be a DNS-1123 label of at most 63 characters`);
    });

    test('the workload is missing (JavaScript)', () => {
      expect(() => new WorkloadSnapshot(chartIn(), 'pre-17', {} as any)).toThrow(new Error(
        `${WHERE}: invalid 'workload': undefined. Must be a StatefulWorkload (a preset's workload is its 'workload' attribute). Pass the workload whose claims to use, e.g. 'workload: db.workload'.`));
    });

    test('the workload is a preset, not its workload (JavaScript)', () => {
      const chart = chartIn();
      const db = new Cassandra(chart, 'ring', { metadata: { name: 'ring' }, credentials: adminOf(chart) });
      expect(() => new WorkloadSnapshot(chart, 'pre-17', { workload: db as any })).toThrow(
        `${WHERE}: invalid 'workload': "test/ring". Must be a StatefulWorkload (a preset's workload is its 'workload' attribute).`);
    });

    test('the workload has no claim templates', () => {
      const chart = chartIn();
      expect(() => new WorkloadSnapshot(chart, 'pre-17', { workload: workload(chart, { volumeClaimTemplates: [] }) })).toThrow(new Error(
        `${WHERE}: invalid 'workload': "test/db". The workload has no volume claim templates (yet): there are no claims to snapshot. `
        + 'Create the snapshot construct after the workload\'s claim templates, or add one with addVolumeClaimTemplate().'));
    });

    test('the workload has no replicas', () => {
      const chart = chartIn();
      expect(() => new WorkloadSnapshot(chart, 'pre-17', { workload: workload(chart, { replicas: 0 }) })).toThrow(new Error(
        `${WHERE}: invalid 'workload': "test/db (0 replicas)". The workload has no replicas, so no claims to snapshot. Give the workload at least one replica.`));
    });

    test('claimTemplates is empty', () => {
      const chart = chartIn();
      expect(() => new WorkloadSnapshot(chart, 'pre-17', { workload: workload(chart), claimTemplates: [] })).toThrow(new Error(
        `${WHERE}: invalid 'claimTemplates': []. Must list at least one claim template of the workload. Leave 'claimTemplates' out for every template (["data"]), or list the ones to snapshot.`));
    });

    test('a claim template is another workload\'s', () => {
      const chart = chartIn();
      const db = workload(chart);
      const other = new StatefulWorkload(chart, 'other', {
        metadata: { name: 'other' },
        containers: [{ name: 'db', image: IMAGE, securityContext: { user: 999 } }],
        volumeClaimTemplates: [{ name: 'files', storage: Size.gibibytes(1), storageClassName: 'gp3' }],
      });
      expect(() => new WorkloadSnapshot(chart, 'pre-17', { workload: db, claimTemplates: other.volumeClaimTemplates })).toThrow(new Error(
        `${WHERE}: invalid 'claimTemplates': "files". Must be a claim template of workload 'test/db' (["data"]). Pass templates from the workload's volumeClaimTemplates.`));
    });

    test('a claim template is listed twice', () => {
      const chart = chartIn();
      const db = workload(chart);
      expect(() => new WorkloadSnapshot(chart, 'pre-17', { workload: db, claimTemplates: [db.volumeClaimTemplates[0], db.volumeClaimTemplates[0]] })).toThrow(new Error(
        `${WHERE}: invalid 'claimTemplates': "data". Each claim template may be listed once. Remove the duplicate.`));
    });

    test('the claims are of static volumes only (class "")', () => {
      const chart = chartIn();
      const db = workload(chart, { volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), storageClassName: '' }] });
      expect(() => new WorkloadSnapshot(chart, 'pre-17', { workload: db })).toThrow(new Error(
        `${WHERE}: invalid 'claim template "data" storageClassName': "". The claims bind statically provisioned volumes only, which no CSI driver manages: `
        + 'they cannot be snapshotted. Use a storage class with a CSI driver that supports snapshots.'));
    });

    test('the claims are of a class object without a provisioner (local volumes)', () => {
      const chart = chartIn();
      const local = StorageClass.localDisks(chart, 'local', { metadata: { name: 'local-ssd' } });
      const db = workload(chart, { volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), storageClass: local }] });
      expect(() => new WorkloadSnapshot(chart, 'pre-17', { workload: db })).toThrow(new Error(
        `${WHERE}: invalid 'claim template "data" storageClass': "local-ssd". The class has no provisioner ("kubernetes.io/no-provisioner": local or other static volumes), `
        + 'and no CSI driver manages its volumes: they cannot be snapshotted. Use a storage class with a CSI driver that supports snapshots.'));
    });

    test('the claims are of a class named by name that the app renders without a provisioner (at synthesis)', () => {
      const chart = chartIn();
      const db = workload(chart, { volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), storageClassName: 'local-ssd' }] });
      new WorkloadSnapshot(chart, 'pre-17', { workload: db });
      StorageClass.localDisks(chart, 'local', { metadata: { name: 'local-ssd' } });
      expect(() => Testing.synth(chart)).toThrow(
        `${WHERE}: invalid 'claim template "data" storageClass': "local-ssd". The class has no provisioner ("kubernetes.io/no-provisioner": local or other static volumes)`);
    });

    test('the snapshot class is of another driver than the claims\' class (at synthesis)', () => {
      const chart = chartIn();
      const db = workload(chart);
      const pd = new VolumeSnapshotClass(chart, 'pd', { metadata: { name: 'pd' }, driver: 'pd.csi.storage.gke.io' });
      new WorkloadSnapshot(chart, 'pre-17', { workload: db, snapshotClass: pd });
      expect(() => Testing.synth(chart)).toThrow(
        `${WHERE}: invalid 'snapshotClass': "pd (driver pd.csi.storage.gke.io)". The volumes of claim template "data" are provisioned by "ebs.csi.aws.com" (class "gp3"): `
        + 'a snapshot class of another driver cannot snapshot them. Use a VolumeSnapshotClass with driver "ebs.csi.aws.com".');
    });

    test('the workload has no namespace but the snapshot\'s chart has one', () => {
      const app = Testing.app();
      const db = workload(new Chart(app, 'db'));
      expect(() => new WorkloadSnapshot(new Chart(app, 'ops', { namespace: 'shop' }), 'pre-17', { workload: db })).toThrow(new Error(
        'WorkloadSnapshot \'ops/pre-17\': invalid \'workload\': "db/db". The workload has no namespace (its claims are created in the namespace it is applied to), '
        + 'but this construct\'s chart has namespace "shop": snapshots and claims must be in the claims\' namespace. '
        + 'Give the workload (or its chart) a namespace, or create this construct in a chart without one.'));
    });

    test('a label is invalid', () => {
      const chart = chartIn();
      expect(() => new WorkloadSnapshot(chart, 'pre-17', { workload: workload(chart), labels: { reason: 'a b' } })).toThrow(`${WHERE}: invalid 'labels`);
    });

    test('volumeSnapshotName() gets a template the snapshot does not cover', () => {
      const chart = chartIn();
      const db = workload(chart, {
        volumeClaimTemplates: [
          { name: 'data', storage: Size.gibibytes(10), storageClassName: 'gp3' },
          { name: 'wal', storage: Size.gibibytes(2), storageClassName: 'gp3' },
        ],
      });
      const snapshot = new WorkloadSnapshot(chart, 'pre-17', { workload: db, claimTemplates: [db.volumeClaimTemplates[0]] });
      expect(() => snapshot.volumeSnapshotName(db.volumeClaimTemplates[1], 0)).toThrow(new Error(
        `${WHERE}: invalid 'volumeSnapshotName(claimTemplate)': "wal". Must be a claim template this snapshot covers (["data"]). Pass one of those templates.`));
    });

    test('volumeSnapshotName() gets an ordinal of no replica', () => {
      const chart = chartIn();
      const db = workload(chart);
      const snapshot = new WorkloadSnapshot(chart, 'pre-17', { workload: db });
      expect(() => snapshot.volumeSnapshotName(db.volumeClaimTemplates[0], 3)).toThrow(new Error(
        `${WHERE}: invalid 'volumeSnapshotName(ordinal)': 3. Must be an ordinal of a replica, from 0 to 2. Pass the ordinal of a replica (ordinals.start + index).`));
    });

    test('dataSources() is not told which of several templates', () => {
      const chart = chartIn();
      const db = workload(chart, {
        volumeClaimTemplates: [
          { name: 'data', storage: Size.gibibytes(10), storageClassName: 'gp3' },
          { name: 'wal', storage: Size.gibibytes(2), storageClassName: 'gp3' },
        ],
      });
      expect(() => new WorkloadSnapshot(chart, 'pre-17', { workload: db }).dataSources()).toThrow(new Error(
        `${WHERE}: invalid 'dataSources(claimTemplate)': unset. The snapshot covers several claim templates (["data","wal"]). Pass the template whose snapshots to restore.`));
    });
  });
});
