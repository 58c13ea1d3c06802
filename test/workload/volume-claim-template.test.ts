import { Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ClaimDataSource, StaticVolumeSet, StaticVolumeSource, StatefulWorkload, StorageClass, VolumeClaimTemplate, VolumeClaimTemplateOptions } from '../../src';
import { allWarnings } from '../../src/private/warnings';
import { findOne } from '../util/harness';

const IMAGE = 'docker.io/library/postgres:16';

function workload(chart = Testing.chart()): StatefulWorkload {
  return new StatefulWorkload(chart, 'db', {
    metadata: { name: 'db' },
    replicas: 2,
    containers: [{ name: 'db', image: IMAGE, portNumber: 5432, securityContext: { user: 999, group: 999 } }],
  });
}

function renderedTemplates(chart: any): any[] {
  return findOne(Testing.synth(chart), 'StatefulSet').spec.volumeClaimTemplates;
}

describe('VolumeClaimTemplate', () => {
  test('defaults', () => {
    // GIVEN
    const chart = Testing.chart();
    const db = workload(chart);
    // WHEN
    db.addVolumeClaimTemplate({ name: 'data', storage: Size.gibibytes(1) });
    // THEN
    expect(renderedTemplates(chart)).toMatchSnapshot();
  });

  test('all props', () => {
    // GIVEN
    const chart = Testing.chart();
    const db = workload(chart);
    const fast = StorageClass.localDisks(chart, 'fast', { metadata: { name: 'fast' } });
    // WHEN
    db.addVolumeClaimTemplate({
      name: 'data',
      storage: Size.mebibytes(1536),
      devicePath: '/dev/data',
      storageClass: fast,
      accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE_POD],
      volumeMode: kplus.PersistentVolumeMode.BLOCK,
      selector: kplus.LabelSelector.of({ labels: { disk: 'ssd' }, expressions: [kplus.LabelExpression.exists('zone')] }),
      dataSource: ClaimDataSource.of('VolumePopulator', 'seed', 'populator.example.com'),
      labels: { backup: 'daily' },
      annotations: { owner: 'platform' },
    });
    // THEN
    expect(renderedTemplates(chart)).toMatchSnapshot();
  });

  test('attributes', () => {
    const db = workload();
    const t = db.addVolumeClaimTemplate({
      name: 'data',
      storage: Size.kibibytes(16),
      storageClassName: 'html',
      mountPath: '/data',
      selector: kplus.LabelSelector.of({ labels: { a: 'b' } }),
    });
    expect(t).toBeInstanceOf(VolumeClaimTemplate);
    expect(t.name).toBe('data');
    expect(t.storageQuantity).toBe('16Ki');
    expect(t.storageClassName).toBe('html');
    expect(t.storageClass).toBeUndefined();
    expect(t.mountPath).toBe('/data');
    expect(t.volumeMode).toBe('Filesystem');
    expect(t.accessModes).toEqual(['ReadWriteOnce']);
    expect(t.selector?._toKube()).toEqual({ matchLabels: { a: 'b' } });
    expect(t.statefulSetName).toBe('db');
    expect(t.claimName(1)).toBe('data-db-1');
  });

  test('accessModes returns a copy', () => {
    const t = workload().addVolumeClaimTemplate({ name: 'data', storage: Size.gibibytes(1) });
    t.accessModes.push(kplus.PersistentVolumeAccessMode.READ_WRITE_MANY);
    expect(t.accessModes).toEqual(['ReadWriteOnce']);
  });

  test('an empty storageClassName asks for volumes without a class', () => {
    const chart = Testing.chart();
    workload(chart).addVolumeClaimTemplate({ name: 'data', storage: Size.gibibytes(1), storageClassName: '' });
    expect(renderedTemplates(chart)[0].spec.storageClassName).toBe('');
  });

  test('a Block claim is attached as a device in every container, not in init containers', () => {
    const chart = Testing.chart();
    const db = workload(chart);
    db.addInitContainer({ name: 'init', image: IMAGE, securityContext: { user: 999 } });
    db.addVolumeClaimTemplate({ name: 'raw', storage: Size.gibibytes(1), volumeMode: kplus.PersistentVolumeMode.BLOCK, devicePath: '/dev/raw' });
    const spec = findOne(Testing.synth(chart), 'StatefulSet').spec.template.spec;
    expect(spec.containers[0].volumeDevices).toEqual([{ name: 'raw', devicePath: '/dev/raw' }]);
    expect(spec.containers[0].volumeMounts).not.toContainEqual(expect.objectContaining({ name: 'raw' }));
    expect(spec.initContainers[0].volumeDevices).toBeUndefined();
  });

  test.each<[string, () => void, string]>([
    ['a Block claim has a mountPath', () => workload().addVolumeClaimTemplate({ name: 'raw', storage: Size.gibibytes(1), volumeMode: kplus.PersistentVolumeMode.BLOCK, mountPath: '/data' }),
      'VolumeClaimTemplate \'test/db/Claim-raw\': invalid \'mountPath\': "/data". A Block volume is a raw device and cannot be mounted as a file system. Use \'devicePath\' for claim "raw", or volumeMode FILE_SYSTEM.'],
    ['a file system claim has a devicePath', () => workload().addVolumeClaimTemplate({ name: 'data', storage: Size.gibibytes(1), devicePath: '/dev/data' }),
      'VolumeClaimTemplate \'test/db/Claim-data\': invalid \'devicePath\': "/dev/data". Only Block volumes are attached as devices. Set \'volumeMode\' of claim "data" to PersistentVolumeMode.BLOCK, or use \'mountPath\'.'],
    ['a devicePath is relative', () => workload().addVolumeClaimTemplate({ name: 'raw', storage: Size.gibibytes(1), volumeMode: kplus.PersistentVolumeMode.BLOCK, devicePath: 'dev/raw' }),
      'VolumeClaimTemplate \'test/db/Claim-raw\': invalid \'devicePath\': "dev/raw". Must be an absolute path. Set \'devicePath\' of claim "raw" to a path such as "/dev/xvda".'],
  ])('fails when %s', (_name, fn, message) => {
    expect(fn).toThrow(message);
  });

  const where = 'VolumeClaimTemplate \'test/db/Claim-data\'';
  test.each<[string, Partial<VolumeClaimTemplateOptions>, string]>([
    ['an invalid name', { name: 'Data' },
      'VolumeClaimTemplate \'test/db/Claim-Data\': invalid \'name\': "Data". Must be a DNS-1123 label'],
    ['a zero size', { storage: Size.gibibytes(0) },
      `${where}: invalid 'storage': "0Ki". Must be larger than zero. Set 'storage' of claim "data" to a size such as Size.gibibytes(1).`],
    ['a fraction of a kibibyte', { storage: Size.kibibytes(1.5) },
      `${where}: invalid 'storage': "1.5Ki". Must be a whole number of kibibytes. Set 'storage' of claim "data" to a whole number of Ki, Mi or Gi.`],
    ['no access modes', { accessModes: [] },
      `${where}: invalid 'accessModes': []. Must name at least one access mode. Leave 'accessModes' of claim "data" out for ReadWriteOnce, or list the modes you need.`],
    ['ReadWriteOncePod with another mode', { accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE_POD, kplus.PersistentVolumeAccessMode.READ_WRITE_MANY] },
      `${where}: invalid 'accessModes': ["ReadWriteOncePod","ReadWriteMany"]. ReadWriteOncePod cannot be combined with other access modes. Use [PersistentVolumeAccessMode.READ_WRITE_ONCE_POD] alone for claim "data".`],
    ['a relative mountPath', { mountPath: 'data' },
      `${where}: invalid 'mountPath': "data". Must be an absolute path. Set 'mountPath' of claim "data" to a path such as "/data".`],
  ])('fails with %s', (_name, props, message) => {
    expect(() => workload().addVolumeClaimTemplate({ name: 'data', storage: Size.gibibytes(1), ...props })).toThrow(message);
  });

  describe('rules of a PersistentVolumeClaim, checked when the template is created', () => {
    const CLASS_ALLOWED = 'Must be a storage class name (a DNS-1123 subdomain of at most 253 characters: lower case letters, digits, \'-\' and \'.\'), '
      + 'or "" for volumes without a class; the API server refuses the claim and no pod starts. Use the class\'s name as `kubectl get storageclass` lists it, e.g. "gp3".';
    test.each<[string, () => void, string]>([
      ['storageClassName is not a class name', () => workload().addVolumeClaimTemplate({ name: 'data', storage: Size.gibibytes(1), storageClassName: 'Fast_SSD' }),
        `VolumeClaimTemplate 'test/db/Claim-data': invalid 'storageClassName': "Fast_SSD". ${CLASS_ALLOWED}`],
      ['storageClassName has a space', () => workload().addVolumeClaimTemplate({ name: 'data', storage: Size.gibibytes(1), storageClassName: 'fast ssd' }),
        `VolumeClaimTemplate 'test/db/Claim-data': invalid 'storageClassName': "fast ssd". ${CLASS_ALLOWED}`],
      ['a label value is not one', () => workload().addVolumeClaimTemplate({ name: 'data', storage: Size.gibibytes(1), labels: { backup: 'daily/weekly' } }),
        'VolumeClaimTemplate \'test/db/Claim-data\': invalid \'labels["backup"]\': "daily/weekly". Must be a label value: empty, or at most 63 letters, digits, \'-\', \'_\' or \'.\', '
        + 'starting and ending with a letter or digit. Set \'labels["backup"]\' to a label value such as "primary" (no spaces, \'/\' or \':\'); put longer text in an annotation.'],
      ['a selector value is not a label value', () => workload().addVolumeClaimTemplate({ name: 'data', storage: Size.gibibytes(1), selector: kplus.LabelSelector.of({ labels: { disk: 'fast ssd' } }) }),
        'VolumeClaimTemplate \'test/db/Claim-data\': invalid \'selector.matchLabels["disk"]\': "fast ssd". Must be a label value'],
      ['a data source in the core group is not a claim', () => workload().addVolumeClaimTemplate({ name: 'data', storage: Size.gibibytes(1), dataSource: ClaimDataSource.of('VolumeSnapshot', 'nightly') }),
        'VolumeClaimTemplate \'test/db/Claim-data\': invalid \'dataSource.kind\': "VolumeSnapshot". Must be PersistentVolumeClaim when no API group is given (the core group has no other volume source). '
        + 'Give the API group, e.g. ClaimDataSource.of(kind, name, "snapshot.storage.k8s.io").'],
    ])('fails when %s', (_name, fn, message) => {
      expect(fn).toThrow(message);
    });

    test('a class name with dots and digits, "" and a class object are accepted', () => {
      const chart = Testing.chart();
      const db = workload(chart);
      db.addVolumeClaimTemplate({ name: 'a', storage: Size.gibibytes(1), storageClassName: 'ebs.gp3-1' });
      db.addVolumeClaimTemplate({ name: 'b', storage: Size.gibibytes(1), storageClassName: '' });
      db.addVolumeClaimTemplate({ name: 'c', storage: Size.gibibytes(1), storageClass: StorageClass.fromStorageClassName(chart, 'gp3', 'gp3') });
      expect(renderedTemplates(chart).map(t => t.spec.storageClassName)).toEqual(['ebs.gp3-1', '', 'gp3']);
    });
  });

  test('fails at synth when a container mounts a Block claim as a file system', () => {
    const chart = Testing.chart();
    const db = workload(chart);
    const raw = db.addVolumeClaimTemplate({ name: 'raw', storage: Size.gibibytes(1), volumeMode: kplus.PersistentVolumeMode.BLOCK });
    db.containers[0].mount('/raw', raw);
    expect(() => Testing.synth(chart)).toThrow(
      'StatefulWorkload \'test/db\': invalid \'container "db" volumeMounts\': "raw". Claim template "raw" is a Block volume: a raw device cannot be mounted as a file system. Attach it with the template\'s \'devicePath\' instead of container.mount().');
  });

  describe('claims only static volumes can satisfy', () => {
    test('warns when no PersistentVolume of the class is rendered', () => {
      const chart = Testing.chart();
      workload(chart).addVolumeClaimTemplate({ name: 'data', storage: Size.gibibytes(1), storageClassName: '' });
      Testing.synth(chart);
      expect(allWarnings(chart)).toEqual([
        "StatefulWorkload 'test/db': warning: 'volumeClaimTemplates \"data\"': \"\". The template asks for volumes without a class, and this app renders no PersistentVolume of that class: unless volumes are created outside the app, claims data-db-0, data-db-1 stay unbound and the pods Pending. Add a StaticVolumeSet for the template, or use a class with a provisioner. [cdk8s-stateful:unbindable-claim-template]",
      ]);
    });

    test('warns for a class of the app without a provisioner', () => {
      const chart = Testing.chart();
      const fast = StorageClass.localDisks(chart, 'fast', { metadata: { name: 'fast' } });
      workload(chart).addVolumeClaimTemplate({ name: 'data', storage: Size.gibibytes(1), storageClass: fast });
      Testing.synth(chart);
      expect(allWarnings(chart)).toEqual([expect.stringContaining('uses class "fast", which has no provisioner')]);
    });

    test('no warning when a StaticVolumeSet provides the volumes, or the class provisions them', () => {
      const chart = Testing.chart();
      const fast = StorageClass.localDisks(chart, 'fast', { metadata: { name: 'fast' } });
      const db = workload(chart);
      const data = db.addVolumeClaimTemplate({ name: 'data', storage: Size.gibibytes(1), storageClass: fast });
      new StaticVolumeSet(chart, 'pvs', { workload: db, claimTemplate: data, sources: [0, 1].map(i => StaticVolumeSource.local('/mnt/ssd', `node-${i}`)) });
      db.addVolumeClaimTemplate({ name: 'logs', storage: Size.gibibytes(1), storageClassName: 'gp3' });
      Testing.synth(chart);
      expect(allWarnings(chart)).toEqual([]);
    });
  });

  test('a claim from ClaimDataSource.fromClaim() clones a claim of the core group', () => {
    const chart = Testing.chart();
    workload(chart).addVolumeClaimTemplate({ name: 'data', storage: Size.gibibytes(1), dataSource: ClaimDataSource.fromClaim('seed') });
    expect(renderedTemplates(chart)[0].spec.dataSource).toEqual({ kind: 'PersistentVolumeClaim', name: 'seed' });
  });

  test('empty labels and annotations render no claim metadata but the name', () => {
    const chart = Testing.chart();
    workload(chart).addVolumeClaimTemplate({ name: 'data', storage: Size.gibibytes(1), labels: {}, annotations: {} });
    expect(renderedTemplates(chart)[0].metadata).toEqual({ name: 'data' });
  });

  test('warnings name the claims of the replicas from ordinals.start', () => {
    const chart = Testing.chart();
    const db = new StatefulWorkload(chart, 'db', {
      metadata: { name: 'db' },
      replicas: 2,
      ordinals: { start: 3 },
      containers: [{ name: 'db', image: IMAGE, portNumber: 5432, securityContext: { user: 999, group: 999 } }],
    });
    db.addVolumeClaimTemplate({ name: 'data', storage: Size.gibibytes(1), storageClassName: '' });
    Testing.synth(chart);
    expect(allWarnings(chart)).toEqual([expect.stringContaining('claims data-db-3, data-db-4 stay unbound')]);
  });

  test('a volume created under a template is not taken for the template\'s claim', () => {
    const chart = Testing.chart();
    const db = workload(chart);
    const t = db.addVolumeClaimTemplate({ name: 'data', storage: Size.gibibytes(1), mountPath: '/data' });
    db.containers[0].mount('/scratch', kplus.Volume.fromEmptyDir(t, 'Scratch', 'scratch'));
    const spec = findOne(Testing.synth(chart), 'StatefulSet').spec.template.spec;
    expect(spec.volumes).toContainEqual({ name: 'scratch', emptyDir: {} });
    expect(spec.volumes).not.toContainEqual(expect.objectContaining({ name: 'data' }));
  });

  test('asVolume() is the same volume every time, named like the claim', () => {
    const t = workload().addVolumeClaimTemplate({ name: 'data', storage: Size.gibibytes(1) });
    expect(t.asVolume()).toBe(t.asVolume());
    expect(t.asVolume().name).toBe('data');
  });
});
