import { Chart, Testing } from 'cdk8s';
import { VolumeSnapshotClass, VolumeSnapshotClassProps, VolumeSnapshotDeletionPolicy } from '../../src/backup/volume-snapshot-class';
import { SyncWaves } from '../../src/gitops/sync-waves';
import { findOne, synthValid } from '../util/harness';
import { validateManifest } from '../util/k8s-schema';

function chartWithNamespace(): Chart {
  return new Chart(Testing.app(), 'test', { namespace: 'shop' });
}

describe('VolumeSnapshotClass', () => {
  test('defaults', () => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    const cls = new VolumeSnapshotClass(chart, 'ebs', { driver: 'ebs.csi.aws.com' });

    // THEN
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const vsc = findOne(manifests, 'VolumeSnapshotClass');
    expect(vsc.apiVersion).toBe('snapshot.storage.k8s.io/v1');
    expect(vsc.driver).toBe('ebs.csi.aws.com');
    // data-safe: Retain, written explicitly
    expect(vsc.deletionPolicy).toBe('Retain');
    expect(vsc.parameters).toBeUndefined();
    expect(vsc.metadata.annotations).toBeUndefined();
    expect(cls.deletionPolicy).toBe(VolumeSnapshotDeletionPolicy.RETAIN);
    expect(cls.isDefaultClass).toBe(false);
    expect(cls.parameters).toEqual({});
    expect(cls.volumeSnapshotClassName).toBe(vsc.metadata.name);
  });

  test('all props', () => {
    // GIVEN
    const chart = chartWithNamespace();

    // WHEN
    const cls = new VolumeSnapshotClass(chart, 'ebs', {
      metadata: { name: 'ebs-snapshots', labels: { tier: 'backup' }, annotations: { team: 'platform' } },
      driver: 'ebs.csi.aws.com',
      deletionPolicy: VolumeSnapshotDeletionPolicy.DELETE,
      parameters: { tagSpecification_1: 'team=platform' },
      isDefaultClass: true,
    });

    // THEN
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const vsc = findOne(manifests, 'VolumeSnapshotClass', 'ebs-snapshots');
    expect(vsc.deletionPolicy).toBe('Delete');
    expect(vsc.parameters).toEqual({ tagSpecification_1: 'team=platform' });
    expect(vsc.metadata.labels).toEqual({ tier: 'backup' });
    expect(vsc.metadata.annotations).toEqual({ 'team': 'platform', 'snapshot.storage.kubernetes.io/is-default-class': 'true' });
    expect(cls.volumeSnapshotClassName).toBe('ebs-snapshots');
    expect(cls.driver).toBe('ebs.csi.aws.com');
    expect(cls.isDefaultClass).toBe(true);
    expect(cls.apiObject.kind).toBe('VolumeSnapshotClass');
  });

  test('is cluster-scoped: the chart namespace is not rendered', () => {
    // GIVEN
    const chart = chartWithNamespace();

    // WHEN
    new VolumeSnapshotClass(chart, 'ebs', { metadata: { name: 'ebs' }, driver: 'ebs.csi.aws.com' });

    // THEN
    expect(findOne(synthValid(chart), 'VolumeSnapshotClass', 'ebs').metadata.namespace).toBeUndefined();
  });

  test('parameters is a copy', () => {
    // GIVEN
    const parameters = { type: 'standard' };
    const cls = new VolumeSnapshotClass(Testing.chart(), 'pd', { driver: 'pd.csi.storage.gke.io', parameters });

    // WHEN
    parameters.type = 'archive';
    cls.parameters.type = 'changed';

    // THEN
    expect(cls.parameters).toEqual({ type: 'standard' });
    expect(findOne(synthValid(cls.node.scope as Chart), 'VolumeSnapshotClass').parameters).toEqual({ type: 'standard' });
  });

  test('is in the storage wave (0) with sync waves', () => {
    // GIVEN
    const chart = chartWithNamespace();
    SyncWaves.enable(chart);

    // WHEN
    new VolumeSnapshotClass(chart, 'ebs', { metadata: { name: 'ebs' }, driver: 'ebs.csi.aws.com' });

    // THEN
    expect(findOne(synthValid(chart), 'VolumeSnapshotClass', 'ebs').metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '0' });
  });

  test('two classes of one name in two charts of one namespace each are one object: an app error', () => {
    // GIVEN
    const app = Testing.app();
    new VolumeSnapshotClass(new Chart(app, 'a', { namespace: 'a' }), 'ebs', { metadata: { name: 'ebs' }, driver: 'ebs.csi.aws.com' });
    new VolumeSnapshotClass(new Chart(app, 'b', { namespace: 'b' }), 'ebs', { metadata: { name: 'ebs' }, driver: 'ebs.csi.aws.com' });

    // THEN: cluster-scoped, so the namespaces do not tell them apart
    expect(() => app.synth()).toThrow(/VolumeSnapshotClass ebs \(snapshot.storage.k8s.io\) is rendered twice: by 'a\/ebs\/Resource' and by 'b\/ebs\/Resource'/);
  });

  test('fromVolumeSnapshotClassName(): a class of the cluster by name', () => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    const cls = VolumeSnapshotClass.fromVolumeSnapshotClassName(chart, 'csi', 'csi-snapclass');

    // THEN
    expect(cls.volumeSnapshotClassName).toBe('csi-snapclass');
    expect(synthValid(chart)).toEqual([]);
  });

  test('fails when fromVolumeSnapshotClassName() gets a name that is no DNS subdomain', () => {
    expect(() => VolumeSnapshotClass.fromVolumeSnapshotClassName(Testing.chart(), 'csi', 'CSI Snapshots')).toThrow(new Error(
      'VolumeSnapshotClass \'test/csi\': invalid \'volumeSnapshotClassName\': "CSI Snapshots". Must be a DNS-1123 subdomain of at most 253 characters: '
      + 'lower case letters, digits, \'-\' and \'.\'. Set \'volumeSnapshotClassName\' to a name such as "my-name" or "my.name".'));
  });

  test('the published CRD refuses a class without a driver (the schema check is real)', () => {
    expect(validateManifest({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotClass', metadata: { name: 'x' }, deletionPolicy: 'Retain' }))
      .toEqual(['(root): missing required field "driver"']);
    expect(validateManifest({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotClass', metadata: { name: 'x' }, driver: 'd', deletionPolicy: 'Keep' }))
      .toEqual(['deletionPolicy: "Keep" is not one of "Delete", "Retain"']);
  });

  describe('fails when', () => {
    const base: VolumeSnapshotClassProps = { driver: 'ebs.csi.aws.com' };
    test.each<[string, VolumeSnapshotClassProps, string]>([
      ['a namespace is given', { ...base, metadata: { namespace: 'shop' } },
        'invalid \'metadata.namespace\': "shop". VolumeSnapshotClasses are cluster-scoped and have no namespace. Remove \'metadata.namespace\'.'],
      ['the driver is empty', { driver: '' },
        'invalid \'driver\': "". Must be a CSI driver name (a qualified name such as "ebs.csi.aws.com": at most 63 letters, digits, \'-\', \'_\' and \'.\', optionally after a DNS prefix and \'/\'). '
        + 'Set \'driver\' to the CSI driver of the volumes to snapshot (the provisioner of their storage class).'],
      ['the driver has a space', { driver: 'ebs csi' }, 'invalid \'driver\': "ebs csi". Must be a CSI driver name'],
      ['the driver is missing (JavaScript)', {} as VolumeSnapshotClassProps, 'invalid \'driver\': undefined. Must be a CSI driver name'],
      ['the deletion policy is unknown (JavaScript)', { ...base, deletionPolicy: 'Keep' as VolumeSnapshotDeletionPolicy },
        'invalid \'deletionPolicy\': "Keep". Must be one of "Retain", "Delete". Use VolumeSnapshotDeletionPolicy.RETAIN or VolumeSnapshotDeletionPolicy.DELETE.'],
      ['a parameter name is empty', { ...base, parameters: { '': 'x' } },
        'invalid \'parameters\': {"":"x"}. Parameter names must not be empty. Remove the empty key.'],
      ['a parameter value is no string (JavaScript)', { ...base, parameters: { iops: 3000 as unknown as string } },
        'invalid \'parameters["iops"]\': 3000. Parameter values must be strings (the driver reads a map of strings). Quote the value, e.g. "3000".'],
      ['the name is no DNS subdomain', { ...base, metadata: { name: 'EBS' } },
        'invalid \'metadata.name\': "EBS". Must be a DNS-1123 subdomain of at most 253 characters'],
    ])('%s', (_name, props, message) => {
      expect(() => new VolumeSnapshotClass(Testing.chart(), 'ebs', props)).toThrow(`VolumeSnapshotClass 'test/ebs': ${message}`);
    });
  });
});
