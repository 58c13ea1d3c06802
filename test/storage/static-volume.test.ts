import { Chart, Size, Testing } from 'cdk8s';
import {
  HostPathVolumeType,
  LabelExpression,
  LabelSelector,
  PersistentVolumeAccessMode,
  PersistentVolumeMode,
  PersistentVolumeReclaimPolicy,
  Secret,
} from 'cdk8s-plus-27';
import { DataStoreCredentials } from '../../src/connection/data-store';
import { Cassandra } from '../../src/engines/cassandra';
import { SyncWaves } from '../../src/gitops/sync-waves';
import { allWarnings } from '../../src/private/warnings';
import {
  StaticVolume,
  StaticVolumeProps,
  StaticVolumeSet,
  StaticVolumeSetProps,
  StaticVolumeSource,
} from '../../src/storage/static-volume';
import { StorageClass, VolumeBindingMode } from '../../src/storage/storage-class';
import { StatefulWorkload, StatefulWorkloadProps } from '../../src/workload/stateful-workload';
import { VolumeClaimTemplateOptions } from '../../src/workload/volume-claim-template';
import { findAll, findOne, synthValid } from '../util/harness';

beforeEach(() => {
  // warnings are asserted through construct metadata; keep the test output clean
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

function chartIn(namespace?: string): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

function workloadIn(chart: Chart, template: Partial<VolumeClaimTemplateOptions> = {}, props: StatefulWorkloadProps = {}): StatefulWorkload {
  return new StatefulWorkload(chart, 'html', {
    metadata: { name: 'html' },
    replicas: 2,
    containers: [{ name: 'nginx', image: 'docker.io/nginxinc/nginx-unprivileged:1.27-alpine', portNumber: 8080, securityContext: { user: 101, group: 101 } }],
    volumeClaimTemplates: [{ name: 'html-pvc', storage: Size.kibibytes(16), storageClassName: 'html', mountPath: '/usr/share/nginx/html', ...template }],
    ...props,
  });
}

const hostPaths = (n: number) => Array.from({ length: n }, (_, i) => StaticVolumeSource.hostPath(`/mnt/data/html-${i}`));

describe('PersistentVolume', () => {
  test('defaults', () => {
    // GIVEN
    const chart = chartIn('shop');

    // WHEN
    new StaticVolume(chart, 'pv', { storage: Size.mebibytes(1), source: StaticVolumeSource.hostPath('/mnt/data/a') });

    // THEN
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const pv = findOne(manifests, 'PersistentVolume');
    // cluster-scoped: no namespace even in a chart with one
    expect(pv.metadata.namespace).toBeUndefined();
    expect(pv.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' });
    expect(pv.spec).toEqual({
      capacity: { storage: '1Mi' },
      accessModes: ['ReadWriteOnce'],
      volumeMode: 'Filesystem',
      persistentVolumeReclaimPolicy: 'Retain',
      hostPath: { path: '/mnt/data/a', type: 'DirectoryOrCreate' },
    });
  });

  test('all props', () => {
    // GIVEN
    const chart = chartIn('shop');
    const gp3 = new StorageClass(chart, 'gp3', { metadata: { name: 'gp3' }, provisioner: 'ebs.csi.aws.com' });

    // WHEN
    new StaticVolume(chart, 'pv', {
      metadata: { name: 'orders-archive', labels: { app: 'orders' }, annotations: { team: 'data' } },
      storage: Size.gibibytes(100),
      source: StaticVolumeSource.csi('ebs.csi.aws.com', 'vol-0123456789abcdef0', {
        fsType: 'xfs', readOnly: true, volumeAttributes: { encrypted: 'true' },
      }),
      storageClass: gp3,
      accessModes: [PersistentVolumeAccessMode.READ_WRITE_ONCE_POD],
      volumeMode: PersistentVolumeMode.BLOCK,
      reclaimPolicy: PersistentVolumeReclaimPolicy.DELETE,
      mountOptions: ['noatime'],
      nodeLabels: { 'topology.kubernetes.io/zone': 'eu-west-1a' },
      argoCdProtection: false,
    });

    // THEN
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const pv = findOne(manifests, 'PersistentVolume', 'orders-archive');
    expect(pv.metadata).toEqual({ name: 'orders-archive', labels: { app: 'orders' }, annotations: { team: 'data' } });
    expect(pv.spec).toEqual({
      capacity: { storage: '100Gi' },
      accessModes: ['ReadWriteOncePod'],
      volumeMode: 'Block',
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: 'gp3',
      mountOptions: ['noatime'],
      csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'vol-0123456789abcdef0', fsType: 'xfs', readOnly: true, volumeAttributes: { encrypted: 'true' } },
      nodeAffinity: {
        required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1a'] }] }] },
      },
    });
  });

  describe('sources', () => {
    test('hostPath with a type', () => {
      const chart = chartIn();
      new StaticVolume(chart, 'pv', {
        storage: Size.mebibytes(1),
        source: StaticVolumeSource.hostPath('/srv/a', { hostPathType: HostPathVolumeType.DIRECTORY }),
      });
      expect(findOne(synthValid(chart), 'PersistentVolume').spec.hostPath).toEqual({ path: '/srv/a', type: 'Directory' });
    });

    test('local: pinned to its node with required node affinity on kubernetes.io/hostname', () => {
      const chart = chartIn();
      new StaticVolume(chart, 'pv', {
        storage: Size.gibibytes(100),
        source: StaticVolumeSource.local('/mnt/disks/ssd0', 'node-a', { fsType: 'ext4' }),
        nodeLabels: { 'topology.kubernetes.io/zone': 'eu-west-1a' },
        mountOptions: ['noatime'],
      });
      const spec = findOne(synthValid(chart), 'PersistentVolume').spec;
      expect(spec.local).toEqual({ path: '/mnt/disks/ssd0', fsType: 'ext4' });
      expect(spec.mountOptions).toEqual(['noatime']);
      expect(spec.nodeAffinity.required.nodeSelectorTerms).toEqual([{
        matchExpressions: [
          { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1a'] },
          { key: 'kubernetes.io/hostname', operator: 'In', values: ['node-a'] },
        ],
      }]);
    });

    test('local: the hostname label may repeat the node', () => {
      const chart = chartIn();
      new StaticVolume(chart, 'pv', {
        storage: Size.gibibytes(1),
        source: StaticVolumeSource.local('/mnt/disks/ssd0', 'node-a'),
        nodeLabels: { 'kubernetes.io/hostname': 'node-a' },
      });
      expect(findOne(synthValid(chart), 'PersistentVolume').spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions)
        .toEqual([{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-a'] }]);
    });

    test('csi: driver and handle only', () => {
      const chart = chartIn();
      new StaticVolume(chart, 'pv', { storage: Size.gibibytes(1), source: StaticVolumeSource.csi('pd.csi.storage.gke.io', 'projects/p/zones/z/disks/d') });
      expect(findOne(synthValid(chart), 'PersistentVolume').spec.csi).toEqual({ driver: 'pd.csi.storage.gke.io', volumeHandle: 'projects/p/zones/z/disks/d' });
    });

    test('nfs: server and path', () => {
      const chart = chartIn();
      new StaticVolume(chart, 'pv', {
        storage: Size.gibibytes(1),
        source: StaticVolumeSource.nfs('nfs.example.com', '/exports/a', { readOnly: true }),
        accessModes: [PersistentVolumeAccessMode.READ_WRITE_MANY],
        mountOptions: ['nfsvers=4.1', 'hard'],
      });
      const spec = findOne(synthValid(chart), 'PersistentVolume').spec;
      expect(spec.nfs).toEqual({ server: 'nfs.example.com', path: '/exports/a', readOnly: true });
      expect(spec.accessModes).toEqual(['ReadWriteMany']);
      expect(spec.mountOptions).toEqual(['nfsvers=4.1', 'hard']);
    });

    test('source attributes', () => {
      expect(StaticVolumeSource.hostPath('/a').sourceType).toBe('hostPath');
      expect(StaticVolumeSource.hostPath('/a').location).toBe('/a');
      expect(StaticVolumeSource.hostPath('/a').nodeName).toBeUndefined();
      const local = StaticVolumeSource.local('/mnt/ssd', 'node-a');
      expect([local.sourceType, local.location, local.nodeName]).toEqual(['local', '/mnt/ssd', 'node-a']);
      const csi = StaticVolumeSource.csi('ebs.csi.aws.com', 'vol-1');
      expect([csi.sourceType, csi.location]).toEqual(['csi', 'ebs.csi.aws.com:vol-1']);
      const nfs = StaticVolumeSource.nfs('10.0.0.5', '/exports/a');
      expect([nfs.sourceType, nfs.location]).toEqual(['nfs', '10.0.0.5:/exports/a']);
    });
  });

  describe('Argo CD protection', () => {
    test('keeps sync options the user wrote, adding ours', () => {
      const chart = chartIn();
      new StaticVolume(chart, 'pv', {
        metadata: { annotations: { 'argocd.argoproj.io/sync-options': 'ServerSideApply=true' } },
        storage: Size.mebibytes(1),
        source: StaticVolumeSource.hostPath('/mnt/a'),
      });
      expect(findOne(synthValid(chart), 'PersistentVolume').metadata.annotations)
        .toEqual({ 'argocd.argoproj.io/sync-options': 'ServerSideApply=true,Prune=false,Delete=false' });
    });

    test('the user\'s Prune and Delete options win', () => {
      const chart = chartIn();
      new StaticVolume(chart, 'pv', {
        metadata: { annotations: { 'argocd.argoproj.io/sync-options': 'Prune=confirm' } },
        storage: Size.mebibytes(1),
        source: StaticVolumeSource.hostPath('/mnt/a'),
      });
      expect(findOne(synthValid(chart), 'PersistentVolume').metadata.annotations)
        .toEqual({ 'argocd.argoproj.io/sync-options': 'Prune=confirm,Delete=false' });
    });

    test('argoCdProtection: false renders no annotation', () => {
      const chart = chartIn();
      new StaticVolume(chart, 'pv', { storage: Size.mebibytes(1), source: StaticVolumeSource.hostPath('/mnt/a'), argoCdProtection: false });
      expect(findOne(synthValid(chart), 'PersistentVolume').metadata.annotations).toBeUndefined();
    });
  });

  test('nfs: readOnly is left out unless set (false is the API server\'s default)', () => {
    const chart = chartIn();
    new StaticVolume(chart, 'a', { metadata: { name: 'a' }, storage: Size.gibibytes(1), source: StaticVolumeSource.nfs('nfs.example.com', '/exports/a') });
    new StaticVolume(chart, 'b', { metadata: { name: 'b' }, storage: Size.gibibytes(1), source: StaticVolumeSource.nfs('nfs.example.com', '/exports/b', { readOnly: false }) });
    const manifests = synthValid(chart);
    expect(findOne(manifests, 'PersistentVolume', 'a').spec.nfs).toEqual({ server: 'nfs.example.com', path: '/exports/a' });
    expect(findOne(manifests, 'PersistentVolume', 'b').spec.nfs).toEqual({ server: 'nfs.example.com', path: '/exports/b' });
  });

  test('fails with an nfs server of only spaces', () => {
    expect(() => new StaticVolume(chartIn(), 'pv', { storage: Size.gibibytes(1), source: StaticVolumeSource.nfs('  ', '/exports/a') }))
      .toThrow(/invalid '[^']*nfs server': " {2}"\. Must not be empty\. Pass the NFS server's host name or IP address\./);
  });

  test('warns that reclaimPolicy Delete deletes the volume with its claim', () => {
    const chart = chartIn();
    new StaticVolume(chart, 'pv', { storage: Size.gibibytes(1), source: StaticVolumeSource.nfs('nfs', '/a'), reclaimPolicy: PersistentVolumeReclaimPolicy.DELETE });
    synthValid(chart);
    expect(allWarnings(chart)).toEqual([
      'StaticVolume \'test/pv\': warning: \'reclaimPolicy\': "Delete". Deleting the claim bound to this volume deletes the volume, and with a CSI driver the data on it; with local and hostPath volumes the cluster cannot delete them at all and the volume turns Failed. Leave \'reclaimPolicy\' out (Retain) and delete volumes by hand when the data may go. [cdk8s-stateful:static-volume-reclaim-delete]',
    ]);
  });

  test('no immediate-binding warning for a volume that is not local', () => {
    const chart = chartIn();
    const eager = new StorageClass(chart, 'eager', {
      metadata: { name: 'eager' }, provisioner: StorageClass.NO_PROVISIONER, volumeBindingMode: VolumeBindingMode.IMMEDIATE,
    });
    new StaticVolume(chart, 'pv', { storage: Size.gibibytes(1), source: StaticVolumeSource.nfs('nfs', '/a'), storageClass: eager });
    synthValid(chart);
    expect(allWarnings(chart)).toEqual([]);
  });

  test('SyncWaves puts the volume in the storage wave', () => {
    const chart = chartIn();
    new StaticVolume(chart, 'pv', { metadata: { name: 'pv' }, storage: Size.gibibytes(1), source: StaticVolumeSource.nfs('nfs', '/a') });
    SyncWaves.enable(chart, { storage: -3 });
    expect(findOne(synthValid(chart), 'PersistentVolume', 'pv').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-3');
  });

  describe('nodeLabels', () => {
    const name63 = 'a'.repeat(63);
    test.each([
      ['an empty value', { 'example.com/pool': '' }],
      ['a 63-character name', { [name63]: 'x' }],
      ['a 63-character value', { pool: name63 }],
    ])('accepts %s', (_name, nodeLabels) => {
      const chart = chartIn();
      new StaticVolume(chart, 'pv', { storage: Size.gibibytes(1), source: StaticVolumeSource.nfs('nfs', '/a'), nodeLabels });
      const terms = findOne(synthValid(chart), 'PersistentVolume').spec.nodeAffinity.required.nodeSelectorTerms;
      expect(terms).toHaveLength(1);
    });

    test.each([
      ['a 64-character name', { [`${name63}a`]: 'x' }],
      ['a 64-character value', { pool: `${name63}a` }],
      ['a prefix that is not a DNS subdomain', { 'Example_Com/pool': 'x' }],
    ])('fails with %s', (_name, nodeLabels) => {
      expect(() => new StaticVolume(chartIn(), 'pv', { storage: Size.gibibytes(1), source: StaticVolumeSource.nfs('nfs', '/a'), nodeLabels }))
        .toThrow(`StaticVolume 'test/pv': invalid 'nodeLabels': ${JSON.stringify(nodeLabels)}. Must be node labels: qualified-name keys and label values of at most 63 characters. Use labels as \`kubectl get nodes --show-labels\` shows them.`);
    });
  });

  test('attributes', () => {
    // GIVEN
    const chart = chartIn();
    const source = StaticVolumeSource.nfs('nfs.example.com', '/exports/a');
    const modes = [PersistentVolumeAccessMode.READ_WRITE_MANY];

    // WHEN
    const pv = new StaticVolume(chart, 'pv', {
      metadata: { name: 'shared' },
      storage: Size.gibibytes(5),
      source,
      accessModes: modes,
      storageClass: StorageClass.fromStorageClassName(chart, 'nfs', 'nfs'),
    });

    // THEN
    expect(pv.name).toBe('shared');
    expect(pv.storage.toGibibytes()).toBe(5);
    expect(pv.storageQuantity).toBe('5Gi');
    expect(pv.storageClassName).toBe('nfs');
    expect(pv.volumeMode).toBe(PersistentVolumeMode.FILE_SYSTEM);
    expect(pv.reclaimPolicy).toBe(PersistentVolumeReclaimPolicy.RETAIN);
    expect(pv.source).toBe(source);
    expect(pv.apiObject.kind).toBe('PersistentVolume');
    expect(pv.reservedClaimName).toBeUndefined();
    expect(pv.reservedClaimNamespace).toBeUndefined();
    modes.push(PersistentVolumeAccessMode.READ_ONLY_MANY);
    pv.accessModes.push(PersistentVolumeAccessMode.READ_WRITE_ONCE);
    expect(pv.accessModes).toEqual([PersistentVolumeAccessMode.READ_WRITE_MANY]);
  });

  test('without a class the volume has storageClassName ""', () => {
    const pv = new StaticVolume(chartIn(), 'pv', { storage: Size.mebibytes(1), source: StaticVolumeSource.hostPath('/mnt/a') });
    expect(pv.storageClassName).toBe('');
  });

  test('warns when a local volume has a class that binds immediately', () => {
    // GIVEN
    const chart = chartIn();
    const eager = new StorageClass(chart, 'eager', {
      metadata: { name: 'eager' }, provisioner: StorageClass.NO_PROVISIONER, volumeBindingMode: VolumeBindingMode.IMMEDIATE,
    });

    // WHEN
    new StaticVolume(chart, 'pv', { storage: Size.gibibytes(1), source: StaticVolumeSource.local('/mnt/ssd', 'node-a'), storageClass: eager });
    synthValid(chart);

    // THEN
    expect(allWarnings(chart)).toEqual([
      'StaticVolume \'test/pv\': warning: \'storageClass\': "eager". Class "eager" binds claims immediately, before the pod is scheduled: a claim may get a local volume on a node where its pod cannot run. Use a class with WaitForFirstConsumer binding, e.g. StorageClass.localDisks(). [cdk8s-stateful:local-volume-immediate-binding]',
    ]);
  });

  test('no warning for a local volume on a WaitForFirstConsumer class named by string', () => {
    const chart = chartIn();
    StorageClass.localDisks(chart, 'fast', { metadata: { name: 'fast' } });
    new StaticVolume(chart, 'pv', {
      storage: Size.gibibytes(1),
      source: StaticVolumeSource.local('/mnt/ssd', 'node-a'),
      storageClass: StorageClass.fromStorageClassName(chart, 'by-name', 'fast'),
    });
    synthValid(chart);
    expect(allWarnings(chart)).toEqual([]);
  });

  const where = 'StaticVolume \'test/pv\'';
  const rejected: Array<[string, Partial<StaticVolumeProps>, string]> = [
    ['a namespace', { metadata: { namespace: 'shop' } },
      `${where}: invalid 'metadata.namespace': "shop". PersistentVolumes are cluster-scoped and have no namespace. Remove 'metadata.namespace'; the claim that binds the volume has the namespace.`],
    ['an invalid name', { metadata: { name: 'PV_1' } },
      `${where}: invalid 'metadata.name': "PV_1". Must be a DNS-1123 subdomain of at most 253 characters: lower case letters, digits, '-' and '.'. Set 'metadata.name' to a name such as "my-name" or "my.name".`],
    ['a zero size', { storage: Size.mebibytes(0) },
      `${where}: invalid 'storage': "0Ki". Must be larger than zero. Set 'storage' to a size such as Size.gibibytes(1).`],
    ['a fraction of a kibibyte', { storage: Size.kibibytes(0.5) },
      `${where}: invalid 'storage': "0.5Ki". Must be a whole number of kibibytes. Set 'storage' to a whole number of Ki, Mi or Gi.`],
    ['no access modes', { accessModes: [] },
      `${where}: invalid 'accessModes': []. Must name at least one access mode. Leave 'accessModes' out for ReadWriteOnce, or list the modes you need.`],
    ['ReadWriteOncePod with another mode', { accessModes: [PersistentVolumeAccessMode.READ_WRITE_ONCE_POD, PersistentVolumeAccessMode.READ_WRITE_ONCE] },
      `${where}: invalid 'accessModes': ["ReadWriteOncePod","ReadWriteOnce"]. ReadWriteOncePod cannot be combined with other access modes. Use [PersistentVolumeAccessMode.READ_WRITE_ONCE_POD] alone.`],
    ['ReadWriteOncePod on a hostPath volume', { accessModes: [PersistentVolumeAccessMode.READ_WRITE_ONCE_POD] },
      `${where}: invalid 'accessModes': ["ReadWriteOncePod"]. ReadWriteOncePod is supported by CSI volumes only, and this is a hostPath volume. Use ReadWriteOnce, or a CSI source.`],
    ['a block hostPath volume', { volumeMode: PersistentVolumeMode.BLOCK },
      `${where}: invalid 'volumeMode': "Block". Raw block volumes need a local or CSI source, and this is a hostPath volume. Use PersistentVolumeMode.FILE_SYSTEM, or a local or CSI source.`],
    ['a block NFS volume', { volumeMode: PersistentVolumeMode.BLOCK, source: StaticVolumeSource.nfs('nfs', '/e') },
      `${where}: invalid 'volumeMode': "Block". Raw block volumes need a local or CSI source, and this is a nfs volume. Use PersistentVolumeMode.FILE_SYSTEM, or a local or CSI source.`],
    ['mount options on a hostPath volume', { mountOptions: ['ro'] },
      `${where}: invalid 'mountOptions': ["ro"]. hostPath volumes do not support mount options (the kubelet refuses to mount them). Remove 'mountOptions'.`],
    ['an invalid node label key', { nodeLabels: { 'bad key': 'x' } },
      `${where}: invalid 'nodeLabels': {"bad key":"x"}. Must be node labels: qualified-name keys and label values of at most 63 characters. Use labels as \`kubectl get nodes --show-labels\` shows them.`],
    ['an invalid node label value', { nodeLabels: { zone: 'a b' } },
      `${where}: invalid 'nodeLabels': {"zone":"a b"}. Must be node labels: qualified-name keys and label values of at most 63 characters. Use labels as \`kubectl get nodes --show-labels\` shows them.`],
    ['a hostname label other than the local volume\'s node', { source: StaticVolumeSource.local('/mnt/ssd', 'node-a'), nodeLabels: { 'kubernetes.io/hostname': 'node-b' } },
      `${where}: invalid 'nodeLabels "kubernetes.io/hostname"': "node-b". A local volume is on node "node-a" (its source). Remove "kubernetes.io/hostname" from 'nodeLabels'.`],
    ['a relative hostPath', { source: StaticVolumeSource.hostPath('mnt/data') },
      `${where}: invalid 'source hostPath path': "mnt/data". Must be an absolute path without ".." segments. Set 'source hostPath path' to a path such as "/mnt/disks/ssd0".`],
    ['a hostPath with ..', { source: StaticVolumeSource.hostPath('/mnt/../etc') },
      `${where}: invalid 'source hostPath path': "/mnt/../etc". Must be an absolute path without ".." segments. Set 'source hostPath path' to a path such as "/mnt/disks/ssd0".`],
    ['a relative local path', { source: StaticVolumeSource.local('ssd0', 'node-a') },
      `${where}: invalid 'source local path': "ssd0". Must be an absolute path without ".." segments. Set 'source local path' to a path such as "/mnt/disks/ssd0".`],
    ['an empty node name', { source: StaticVolumeSource.local('/mnt/ssd0', '') },
      `${where}: invalid 'source local nodeName': "". Must be the node's kubernetes.io/hostname label: at most 63 letters, digits, '-', '_' and '.'. Pass the node name as \`kubectl get nodes -L kubernetes.io/hostname\` shows it.`],
    ['an invalid node name', { source: StaticVolumeSource.local('/mnt/ssd0', 'node a') },
      `${where}: invalid 'source local nodeName': "node a". Must be the node's kubernetes.io/hostname label: at most 63 letters, digits, '-', '_' and '.'. Pass the node name as \`kubectl get nodes -L kubernetes.io/hostname\` shows it.`],
    ['an invalid CSI driver', { source: StaticVolumeSource.csi('ebs csi', 'vol-1') },
      `${where}: invalid 'source csi driver': "ebs csi". Must be a CSI driver name such as "ebs.csi.aws.com". Pass the driver name as \`kubectl get csidrivers\` shows it.`],
    ['an empty CSI volume handle', { source: StaticVolumeSource.csi('ebs.csi.aws.com', ' ') },
      `${where}: invalid 'source csi volumeHandle': " ". Must not be empty. Pass the driver's ID of the volume.`],
    ['an empty NFS server', { source: StaticVolumeSource.nfs('', '/exports') },
      `${where}: invalid 'source nfs server': "". Must not be empty. Pass the NFS server's host name or IP address.`],
    ['a relative NFS path', { source: StaticVolumeSource.nfs('nfs', 'exports') },
      `${where}: invalid 'source nfs path': "exports". Must be an absolute path without ".." segments. Set 'source nfs path' to a path such as "/mnt/disks/ssd0".`],
  ];

  test.each(rejected)('fails with %s', (_name, props, message) => {
    const create = () => new StaticVolume(chartIn(), 'pv', { storage: Size.mebibytes(1), source: StaticVolumeSource.hostPath('/mnt/a'), ...props });
    expect(create).toThrow(message);
  });
});

describe('StaticVolumeSet', () => {
  test('defaults', () => {
    // GIVEN
    const chart = chartIn();
    const html = workloadIn(chart);

    // WHEN
    new StaticVolumeSet(chart, 'pvs', { workload: html, claimTemplate: html.volumeClaimTemplates[0], sources: hostPaths(2) });

    // THEN
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const pvs = findAll(manifests, 'PersistentVolume');
    // one per ordinal, named after the claims, with the template's size, class, modes and volume mode
    expect(pvs.map(pv => pv.metadata.name)).toEqual(['html-pvc-html-0', 'html-pvc-html-1']);
    expect(findOne(manifests, 'PersistentVolume', 'html-pvc-html-1').spec).toEqual({
      capacity: { storage: '16Ki' },
      accessModes: ['ReadWriteOnce'],
      volumeMode: 'Filesystem',
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: 'html',
      hostPath: { path: '/mnt/data/html-1', type: 'DirectoryOrCreate' },
    });
    for (const pv of pvs) {
      expect(pv.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' });
      expect(pv.spec.claimRef).toBeUndefined();
    }
  });

  test('all props', () => {
    // GIVEN
    const chart = chartIn('data');
    const fast = StorageClass.localDisks(chart, 'fast', { metadata: { name: 'fast' } });
    const store = new StatefulWorkload(chart, 'store', {
      metadata: { name: 'store' },
      replicas: 2,
      ordinals: { start: 1 },
      containers: [{ name: 'db', image: 'docker.io/library/cassandra:4.1', portNumber: 9042, securityContext: { user: 999, group: 999 } }],
    });
    const data = store.addVolumeClaimTemplate({
      name: 'data',
      storage: Size.gibibytes(100),
      storageClassName: 'fast',
      accessModes: [PersistentVolumeAccessMode.READ_WRITE_ONCE],
      volumeMode: PersistentVolumeMode.BLOCK,
    });

    // WHEN
    const set = new StaticVolumeSet(chart, 'pvs', {
      workload: store,
      claimTemplate: data,
      sources: ['a', 'b', 'c'].map((n, i) => StaticVolumeSource.local(`/dev/disk/by-id/ssd${i}`, `node-${n}`)),
      storage: Size.gibibytes(375),
      storageClass: fast,
      accessModes: [PersistentVolumeAccessMode.READ_WRITE_ONCE, PersistentVolumeAccessMode.READ_ONLY_MANY],
      volumeMode: PersistentVolumeMode.BLOCK,
      reclaimPolicy: PersistentVolumeReclaimPolicy.DELETE,
      mountOptions: ['noatime'],
      nodeLabels: { 'node.kubernetes.io/instance-type': 'i3.large' },
      namePrefix: 'store-ssd',
      bindToClaims: true,
      labels: { disk: 'ssd' },
      annotations: { owner: 'data-team' },
      argoCdProtection: false,
    });

    // THEN
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    expect(set.volumeNames).toEqual(['store-ssd-1', 'store-ssd-2', 'store-ssd-3']);
    const pv = findOne(manifests, 'PersistentVolume', 'store-ssd-2');
    expect(pv.metadata).toEqual({ name: 'store-ssd-2', labels: { disk: 'ssd' }, annotations: { owner: 'data-team' } });
    expect(pv.spec).toEqual({
      capacity: { storage: '375Gi' },
      accessModes: ['ReadWriteOnce', 'ReadOnlyMany'],
      volumeMode: 'Block',
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: 'fast',
      mountOptions: ['noatime'],
      local: { path: '/dev/disk/by-id/ssd1' },
      claimRef: { name: 'data-store-2', namespace: 'data' },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [{
            matchExpressions: [
              { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['i3.large'] },
              { key: 'kubernetes.io/hostname', operator: 'In', values: ['node-b'] },
            ],
          }],
        },
      },
    });
    // the spare volume (ordinal 3) is reserved for the claim a third replica would get
    expect(findOne(manifests, 'PersistentVolume', 'store-ssd-3').spec.claimRef).toEqual({ name: 'data-store-3', namespace: 'data' });
    // reclaim policy Delete is allowed, with a warning on each volume
    expect(allWarnings(chart).map(w => w.replace(/^StaticVolume '([^']+)'.*\[(.*)\]$/, '$1 $2'))).toEqual([
      'test/pvs/Volume1 cdk8s-stateful:static-volume-reclaim-delete',
      'test/pvs/Volume2 cdk8s-stateful:static-volume-reclaim-delete',
      'test/pvs/Volume3 cdk8s-stateful:static-volume-reclaim-delete',
    ]);
  });

  test('names include the namespace by default: PersistentVolumes are cluster-wide', () => {
    const chart = chartIn('web');
    const html = workloadIn(chart);
    const set = new StaticVolumeSet(chart, 'pvs', { workload: html, claimTemplate: html.volumeClaimTemplates[0], sources: hostPaths(2) });
    expect(set.volumeNames).toEqual(['web-html-pvc-html-0', 'web-html-pvc-html-1']);
    expect(findAll(synthValid(chart), 'PersistentVolume').map(pv => pv.metadata.name)).toEqual(set.volumeNames);
  });

  test('bindToClaims reserves volume N for the claim of replica N, from ordinals.start', () => {
    const chart = chartIn('web');
    const html = workloadIn(chart, {}, { ordinals: { start: 5 } });
    new StaticVolumeSet(chart, 'pvs', {
      workload: html, claimTemplate: html.volumeClaimTemplates[0], sources: hostPaths(2), namePrefix: 'html-pv', bindToClaims: true,
    });
    const manifests = synthValid(chart);
    expect(findOne(manifests, 'PersistentVolume', 'html-pv-5').spec.claimRef).toEqual({ name: 'html-pvc-html-5', namespace: 'web' });
    expect(findOne(manifests, 'PersistentVolume', 'html-pv-6').spec.claimRef).toEqual({ name: 'html-pvc-html-6', namespace: 'web' });
  });

  test('a template without a class ("") gives volumes without a class', () => {
    const chart = chartIn();
    const html = workloadIn(chart, { storageClassName: '' });
    new StaticVolumeSet(chart, 'pvs', { workload: html, claimTemplate: html.volumeClaimTemplates[0], sources: hostPaths(2) });
    for (const pv of findAll(synthValid(chart), 'PersistentVolume')) expect(pv.spec.storageClassName).toBeUndefined();
  });

  test('attributes', () => {
    // GIVEN
    const chart = chartIn();
    const html = workloadIn(chart);
    const template = html.volumeClaimTemplates[0];

    // WHEN
    const set = new StaticVolumeSet(chart, 'pvs', { workload: html, claimTemplate: template, sources: hostPaths(2), namePrefix: 'html-pv' });

    // THEN
    expect(set.workload).toBe(html);
    expect(set.claimTemplate).toBe(template);
    expect(set.volumes.map(v => v.name)).toEqual(['html-pv-0', 'html-pv-1']);
    expect(set.volumeNames).toEqual(['html-pv-0', 'html-pv-1']);
    expect(set.volumeFor(0).name).toBe('html-pv-0');
    expect(set.volumeFor(1).name).toBe('html-pv-1');
    expect(set.volumeFor(1).source.location).toBe('/mnt/data/html-1');
    set.volumes.pop();
    expect(set.volumes).toHaveLength(2);
  });

  test('fails when asked for the volume of an ordinal without one', () => {
    const chart = chartIn();
    const html = workloadIn(chart);
    const set = new StaticVolumeSet(chart, 'pvs', { workload: html, claimTemplate: html.volumeClaimTemplates[0], sources: hostPaths(2) });
    expect(() => set.volumeFor(2)).toThrow(
      'StaticVolumeSet \'test/pvs\': invalid \'volumeFor(ordinal)\': 2. Must be an ordinal with a volume (0, 1). Pass the ordinal of a replica that has a source.');
  });

  describe('with an engine preset', () => {
    test('takes the preset as it is, and its only claim template by default', () => {
      // GIVEN a Cassandra ring on local SSDs
      const chart = chartIn('cassandra');
      const localSsd = StorageClass.localDisks(chart, 'local-ssd', { metadata: { name: 'local-ssd' } });
      const ring = new Cassandra(chart, 'ring', {
        metadata: { name: 'ring' },
        storage: Size.gibibytes(300),
        storageClass: localSsd,
        credentials: DataStoreCredentials.fromSecret(Secret.fromSecretName(chart, 'admin', 'ring-admin')),
      });

      // WHEN
      const set = new StaticVolumeSet(chart, 'ssd', {
        workload: ring,
        sources: ['node-1', 'node-2', 'node-3'].map(node => StaticVolumeSource.local('/mnt/disks/ssd0', node)),
        bindToClaims: true,
      });

      // THEN
      expect(set.workload).toBe(ring.workload);
      expect(set.claimTemplate).toBe(ring.workload.volumeClaimTemplates[0]);
      const volumes = findAll(synthValid(chart), 'PersistentVolume');
      expect(volumes.map(v => [v.metadata.name, v.spec.claimRef.name, v.spec.capacity.storage, v.spec.storageClassName])).toEqual([
        ['cassandra-data-ring-0', 'data-ring-0', '300Gi', 'local-ssd'],
        ['cassandra-data-ring-1', 'data-ring-1', '300Gi', 'local-ssd'],
        ['cassandra-data-ring-2', 'data-ring-2', '300Gi', 'local-ssd'],
      ]);
      // every replica has its volume, on its own node, on a class that waits for the pod
      expect(allWarnings(chart).filter(w => /static-volume|local-volume/.test(w))).toEqual([]);
    });

    test('a StatefulWorkload is its own workload', () => {
      const chart = chartIn();
      const html = workloadIn(chart);
      expect(html.workload).toBe(html);
      const set = new StaticVolumeSet(chart, 'pvs', { workload: html, sources: hostPaths(2) });
      expect(set.claimTemplate).toBe(html.volumeClaimTemplates[0]);
    });

    test('fails without claimTemplate when the workload has several, naming them', () => {
      const chart = chartIn();
      const html = workloadIn(chart);
      html.addVolumeClaimTemplate({ name: 'logs', storage: Size.gibibytes(1), storageClassName: 'html', mountPath: '/var/log/nginx' });
      expect(() => new StaticVolumeSet(chart, 'pvs', { workload: html, sources: hostPaths(2) })).toThrow(
        'StaticVolumeSet \'test/pvs\': invalid \'claimTemplate\': "unset". Must be set: workload "html" has 2 claim templates ("html-pvc", "logs"). '
        + 'Set \'claimTemplate\' to the template the volumes are for, e.g. one of workload.volumeClaimTemplates.');
    });

    test('fails without claimTemplate when the workload has none', () => {
      const chart = chartIn();
      const bare = new StatefulWorkload(chart, 'bare', {
        metadata: { name: 'bare' }, containers: [{ name: 'c', image: 'docker.io/library/busybox:1.36.1', securityContext: { user: 1000 } }],
      });
      expect(() => new StaticVolumeSet(chart, 'pvs', { workload: bare, sources: hostPaths(1) })).toThrow(
        'StaticVolumeSet \'test/pvs\': invalid \'claimTemplate\': "unset". Must be a claim template of workload "bare", which has none yet: '
        + 'static volumes are for a StatefulSet\'s claims. Add the claim template (addVolumeClaimTemplate()) before the StaticVolumeSet.');
    });
  });

  describe('eager checks', () => {
    test('fails when the claim template belongs to another workload', () => {
      const chart = chartIn();
      const html = workloadIn(chart);
      const other = new StatefulWorkload(chart, 'other', {
        metadata: { name: 'other' },
        containers: [{ name: 'c', image: 'x', securityContext: { user: 1000 } }],
        volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), storageClassName: 'html' }],
      });
      expect(() => new StaticVolumeSet(chart, 'pvs', { workload: html, claimTemplate: other.volumeClaimTemplates[0], sources: hostPaths(2) })).toThrow(
        'StaticVolumeSet \'test/pvs\': invalid \'claimTemplate\': "data". Must be a claim template of workload "html". Pass a template returned by the workload\'s addVolumeClaimTemplate() or from its volumeClaimTemplates.');
    });

    test('fails without sources', () => {
      const chart = chartIn();
      const html = workloadIn(chart);
      expect(() => new StaticVolumeSet(chart, 'pvs', { workload: html, claimTemplate: html.volumeClaimTemplates[0], sources: [] })).toThrow(
        'StaticVolumeSet \'test/pvs\': invalid \'sources\': []. Must list one source per replica. Add a source for each ordinal.');
    });

    test.each([
      ['hostPath', [StaticVolumeSource.hostPath('/mnt/a'), StaticVolumeSource.hostPath('/mnt/a')], '"/mnt/a"'],
      ['local', [StaticVolumeSource.local('/mnt/ssd', 'node-a'), StaticVolumeSource.local('/mnt/ssd', 'node-a')], '"node-a:/mnt/ssd"'],
      ['csi', [StaticVolumeSource.csi('ebs.csi.aws.com', 'vol-1'), StaticVolumeSource.csi('ebs.csi.aws.com', 'vol-1')], '"ebs.csi.aws.com:vol-1"'],
      ['nfs', [StaticVolumeSource.nfs('nfs', '/e'), StaticVolumeSource.nfs('nfs', '/e')], '"nfs:/e"'],
    ])('fails when two %s sources share storage', (_name, sources, value) => {
      const chart = chartIn();
      const html = workloadIn(chart);
      expect(() => new StaticVolumeSet(chart, 'pvs', { workload: html, claimTemplate: html.volumeClaimTemplates[0], sources })).toThrow(
        `StaticVolumeSet 'test/pvs': invalid 'sources': ${value}. Each replica needs its own storage: two volumes on the same storage would share (and corrupt) one replica's data. Give every source its own path, handle or export.`);
    });

    test('names the source that repeats an earlier one', () => {
      const chart = chartIn();
      const html = workloadIn(chart, {}, { replicas: 3 });
      const sources = [StaticVolumeSource.hostPath('/mnt/a'), StaticVolumeSource.hostPath('/mnt/b'), StaticVolumeSource.hostPath('/mnt/b')];
      expect(() => new StaticVolumeSet(chart, 'pvs', { workload: html, claimTemplate: html.volumeClaimTemplates[0], sources })).toThrow(
        'StaticVolumeSet \'test/pvs\': invalid \'sources\': "/mnt/b". Each replica needs its own storage');
    });

    test('the same path on two nodes is two volumes', () => {
      const chart = chartIn();
      const html = workloadIn(chart);
      new StaticVolumeSet(chart, 'pvs', {
        workload: html,
        claimTemplate: html.volumeClaimTemplates[0],
        sources: [StaticVolumeSource.local('/mnt/ssd', 'node-a'), StaticVolumeSource.local('/mnt/ssd', 'node-b')],
      });
      expect(findAll(synthValid(chart), 'PersistentVolume')).toHaveLength(2);
    });

    test('fails to bind to claims without a namespace', () => {
      const chart = chartIn();
      const html = workloadIn(chart);
      expect(() => new StaticVolumeSet(chart, 'pvs', { workload: html, claimTemplate: html.volumeClaimTemplates[0], sources: hostPaths(2), bindToClaims: true })).toThrow(
        'StaticVolumeSet \'test/pvs\': invalid \'bindToClaims\': true. A claim reference needs the claim\'s namespace, and the workload has none. Set a namespace on the workload (metadata.namespace) or its chart, or remove \'bindToClaims\'.');
    });
  });

  test('a claim template selector must match the volume labels', () => {
    // GIVEN
    const chart = chartIn();
    const html = workloadIn(chart, { selector: LabelSelector.of({ labels: { disk: 'ssd' } }) });

    // WHEN
    new StaticVolumeSet(chart, 'pvs', { workload: html, claimTemplate: html.volumeClaimTemplates[0], sources: hostPaths(2), labels: { disk: 'hdd' } });

    // THEN
    expect(() => Testing.synth(chart)).toThrow(
      'StaticVolumeSet \'test/pvs\': invalid \'labels\': {"disk":"hdd"}. Must match the selector of claim template "html-pvc" ({"matchLabels":{"disk":"ssd"}}): otherwise the claims never bind to these volumes. Give the volumes labels that match the selector, or remove the selector from the claim template.');
  });

  test('volumes whose labels match the claim template selector pass', () => {
    const chart = chartIn();
    const html = workloadIn(chart, {
      selector: LabelSelector.of({ labels: { disk: 'ssd' }, expressions: [LabelExpression.in('zone', ['a', 'b']), LabelExpression.doesNotExist('retired')] }),
    });
    new StaticVolumeSet(chart, 'pvs', { workload: html, claimTemplate: html.volumeClaimTemplates[0], sources: hostPaths(2), labels: { disk: 'ssd', zone: 'a' } });
    for (const pv of findAll(synthValid(chart), 'PersistentVolume')) expect(pv.metadata.labels).toEqual({ disk: 'ssd', zone: 'a' });
  });

  describe('claim template selectors: matchLabels and matchExpressions', () => {
    const matching: Array<[string, LabelSelector, { [key: string]: string } | undefined]> = [
      ['matchLabels only', LabelSelector.of({ labels: { disk: 'ssd' } }), { disk: 'ssd' }],
      ['NotIn, with another value', LabelSelector.of({ expressions: [LabelExpression.notIn('zone', ['c'])] }), { zone: 'a' }],
      ['NotIn, without the label', LabelSelector.of({ expressions: [LabelExpression.notIn('zone', ['c'])] }), undefined],
      ['Exists, with the label', LabelSelector.of({ expressions: [LabelExpression.exists('zone')] }), { zone: 'a' }],
      ['DoesNotExist, without the label', LabelSelector.of({ expressions: [LabelExpression.doesNotExist('retired')] }), { zone: 'a' }],
    ];
    test.each(matching)('volumes match with %s', (_name, selector, labels) => {
      const chart = chartIn();
      const html = workloadIn(chart, { selector });
      new StaticVolumeSet(chart, 'pvs', { workload: html, claimTemplate: html.volumeClaimTemplates[0], sources: hostPaths(2), labels });
      expect(findAll(synthValid(chart), 'PersistentVolume')).toHaveLength(2);
    });

    const notMatching: Array<[string, LabelSelector, { [key: string]: string } | undefined]> = [
      ['In, with another value', LabelSelector.of({ expressions: [LabelExpression.in('zone', ['a', 'b'])] }), { zone: 'c' }],
      ['In, without the label', LabelSelector.of({ expressions: [LabelExpression.in('zone', ['a', 'b'])] }), { disk: 'ssd' }],
      ['NotIn, with a listed value', LabelSelector.of({ expressions: [LabelExpression.notIn('zone', ['c'])] }), { zone: 'c' }],
      ['Exists, without the label', LabelSelector.of({ expressions: [LabelExpression.exists('zone')] }), undefined],
      ['DoesNotExist, with the label', LabelSelector.of({ expressions: [LabelExpression.doesNotExist('retired'), LabelExpression.exists('zone')] }), { retired: 'yes', zone: 'a' }],
    ];
    test.each(notMatching)('fails with %s', (_name, selector, labels) => {
      const chart = chartIn();
      const html = workloadIn(chart, { selector });
      new StaticVolumeSet(chart, 'pvs', { workload: html, claimTemplate: html.volumeClaimTemplates[0], sources: hostPaths(2), labels });
      expect(() => Testing.synth(chart)).toThrow(
        `StaticVolumeSet 'test/pvs': invalid 'labels': ${JSON.stringify(labels ?? {})}. Must match the selector of claim template "html-pvc"`);
    });
  });

  test('a claim template with a StorageClass object gives its volumes that class', () => {
    const chart = chartIn();
    const fast = StorageClass.localDisks(chart, 'fast', { metadata: { name: 'fast' } });
    const html = workloadIn(chart, { storageClassName: undefined, storageClass: fast });
    expect(html.volumeClaimTemplates[0].storageClassName).toBe('fast');
    expect(html.volumeClaimTemplates[0].storageClass).toBe(fast);
    new StaticVolumeSet(chart, 'pvs', { workload: html, claimTemplate: html.volumeClaimTemplates[0], sources: hostPaths(2) });
    const manifests = synthValid(chart);
    for (const pv of findAll(manifests, 'PersistentVolume')) expect(pv.spec.storageClassName).toBe('fast');
    expect(findOne(manifests, 'StatefulSet').spec.volumeClaimTemplates[0].spec.storageClassName).toBe('fast');
  });

  test('fails when a claim template sets both storageClass and storageClassName', () => {
    const chart = chartIn();
    const fast = StorageClass.localDisks(chart, 'fast', { metadata: { name: 'fast' } });
    expect(() => workloadIn(chart, { storageClassName: 'html', storageClass: fast })).toThrow(
      'VolumeClaimTemplate \'test/html/Claim-html-pvc\': invalid \'storageClassName\': "html". Cannot be combined with \'storageClass\'. Set either \'storageClass\' or \'storageClassName\' of claim "html-pvc".');
  });

  describe('checks against the claim template', () => {
    const where = 'StaticVolumeSet \'test/pvs\'';
    const mismatches: Array<[string, Partial<VolumeClaimTemplateOptions>, Partial<StaticVolumeSetProps>, string[]]> = [
      ['a volume smaller than the claim', {}, { storage: Size.kibibytes(8) }, [0, 1].map(o =>
        `${where}: invalid 'storage': "8Ki". PersistentVolume "html-pvc-html-${o}" (ordinal ${o}) must hold at least the 16Ki that claim "html-pvc-html-${o}" requests. Give the volume at least 16Ki, or lower the claim's storage.`)],
      ['a class mismatch', {}, { storageClass: StorageClass.fromStorageClassName(Testing.chart(), 'x', 'standard') }, [0, 1].map(o =>
        `${where}: invalid 'storageClass': "standard". PersistentVolume "html-pvc-html-${o}" (ordinal ${o}) must have the class of claim "html-pvc-html-${o}" ("html"): a claim binds only to volumes of its own class. Give the volume the class "html", or change the claim's storageClassName.`)],
      ['a template without storageClassName', { storageClassName: undefined }, { storageClass: StorageClass.fromStorageClassName(Testing.chart(), 'x', 'html') }, [0, 1].map(o =>
        `${where}: invalid 'storageClass': "html". Claim "html-pvc-html-${o}" sets no storageClassName, so the cluster gives it its default class, which PersistentVolume "html-pvc-html-${o}" (ordinal ${o}) does not have. Set storageClassName of the claim to "html".`)],
      ['a template without storageClassName and volumes without a class', { storageClassName: undefined }, {}, [0, 1].map(o =>
        `${where}: invalid 'storageClass': "". Claim "html-pvc-html-${o}" sets no storageClassName, so the cluster gives it its default class, which PersistentVolume "html-pvc-html-${o}" (ordinal ${o}) does not have. Set storageClassName of the claim to "" (no class).`)],
      ['a missing access mode', { accessModes: [PersistentVolumeAccessMode.READ_WRITE_MANY] }, { accessModes: [PersistentVolumeAccessMode.READ_WRITE_ONCE] }, [0, 1].map(o =>
        `${where}: invalid 'accessModes': ["ReadWriteOnce"]. PersistentVolume "html-pvc-html-${o}" (ordinal ${o}) lacks ReadWriteMany, which claim "html-pvc-html-${o}" needs: a volume binds only if it offers every access mode the claim asks for. Add ReadWriteMany to the volume's accessModes, or remove it from the claim.`)],
      ['two missing access modes', { accessModes: [PersistentVolumeAccessMode.READ_WRITE_ONCE, PersistentVolumeAccessMode.READ_ONLY_MANY] }, { accessModes: [PersistentVolumeAccessMode.READ_WRITE_MANY] }, [0, 1].map(o =>
        `${where}: invalid 'accessModes': ["ReadWriteMany"]. PersistentVolume "html-pvc-html-${o}" (ordinal ${o}) lacks ReadWriteOnce, ReadOnlyMany, which claim "html-pvc-html-${o}" needs: a volume binds only if it offers every access mode the claim asks for. Add ReadWriteOnce, ReadOnlyMany to the volume's accessModes, or remove them from the claim.`)],
      ['a volume mode mismatch', { volumeMode: PersistentVolumeMode.BLOCK, mountPath: undefined }, { volumeMode: PersistentVolumeMode.FILE_SYSTEM }, [0, 1].map(o =>
        `${where}: invalid 'volumeMode': "Filesystem". PersistentVolume "html-pvc-html-${o}" (ordinal ${o}) must have the volume mode of claim "html-pvc-html-${o}" (Block). Set the volume's volumeMode to Block, or change the claim's volumeMode.`)],
    ];

    test.each(mismatches)('fails with %s', (_name, template, props, messages) => {
      // GIVEN
      const chart = chartIn();
      const html = workloadIn(chart, template);

      // WHEN
      new StaticVolumeSet(chart, 'pvs', {
        workload: html,
        claimTemplate: html.volumeClaimTemplates[0],
        sources: hostPaths(2),
        ...props,
      });

      // THEN
      expect(() => Testing.synth(chart)).toThrow(
        `Validation failed with the following errors:\n  ${messages.map(m => `[test/pvs] ${m}`).join('\n  ')}`);
    });

    const fewer: Array<[string, (chart: Chart) => void, Partial<VolumeClaimTemplateOptions>, number, string]> = [
      ['a class without provisioner', chart => StorageClass.localDisks(chart, 'html-class', { metadata: { name: 'html' } }), {}, 1,
        `${where}: invalid 'sources': 1. Must list a source for each of the 2 replicas of "html" (ordinals 0 to 1), and class "html" has no provisioner: claim "html-pvc-html-1" (ordinal 1) gets no volume and pod html-1 stays Pending. Add a source for ordinal 1, or lower 'replicas' of the workload to 1.`],
      ['a template without class', () => undefined, { storageClassName: '' }, 1,
        `${where}: invalid 'sources': 1. Must list a source for each of the 2 replicas of "html" (ordinals 0 to 1), and claim template "html-pvc" has no class ("": only static volumes bind): claim "html-pvc-html-1" (ordinal 1) gets no volume and pod html-1 stays Pending. Add a source for ordinal 1, or lower 'replicas' of the workload to 1.`],
    ];

    test.each(fewer)('fails with fewer volumes than replicas and %s', (_name, setup, template, count, message) => {
      // GIVEN
      const chart = chartIn();
      setup(chart);
      const html = workloadIn(chart, template);

      // WHEN
      new StaticVolumeSet(chart, 'pvs', { workload: html, claimTemplate: html.volumeClaimTemplates[0], sources: hostPaths(count) });

      // THEN
      expect(() => Testing.synth(chart)).toThrow(`Validation failed with the following errors:\n  [test/pvs] ${message}`);
    });

    test('names every replica without a volume', () => {
      const chart = chartIn();
      StorageClass.localDisks(chart, 'html-class', { metadata: { name: 'html' } });
      const html = workloadIn(chart, {}, { replicas: 4, ordinals: { start: 1 } });
      new StaticVolumeSet(chart, 'pvs', { workload: html, claimTemplate: html.volumeClaimTemplates[0], sources: hostPaths(2) });
      expect(() => Testing.synth(chart)).toThrow(
        `${where}: invalid 'sources': 2. Must list a source for each of the 4 replicas of "html" (ordinals 1 to 4), and class "html" has no provisioner: claims "html-pvc-html-3", "html-pvc-html-4" (ordinals 3, 4) get no volume and pods html-3, html-4 stay Pending. Add a source for ordinals 3, 4, or lower 'replicas' of the workload to 2.`);
    });

    test('warns about fewer volumes than replicas when the class could provision the rest', () => {
      // GIVEN: class "html" is not defined in the app, so the cluster may provision dynamically
      const chart = chartIn();
      const html = workloadIn(chart);

      // WHEN
      new StaticVolumeSet(chart, 'pvs', { workload: html, claimTemplate: html.volumeClaimTemplates[0], sources: hostPaths(1) });
      synthValid(chart);

      // THEN
      expect(allWarnings(chart)).toEqual([
        `${where}: warning: 'sources': 1. Must list a source for each of the 2 replicas of "html" (ordinals 0 to 1): claim "html-pvc-html-1" (ordinal 1) gets no static volume, so class "html" must provision one dynamically, unlike its peers. Add a source for ordinal 1, or lower 'replicas' of the workload to 1. [cdk8s-stateful:missing-static-volumes]`,
      ]);
    });

    test('without a class on the template, the warning about fewer volumes names the cluster\'s default class', () => {
      const chart = chartIn();
      const html = workloadIn(chart, { storageClassName: undefined });
      new StaticVolumeSet(chart, 'pvs', { workload: html, claimTemplate: html.volumeClaimTemplates[0], sources: hostPaths(1) });
      // the volume has no class, which a claim of the default class never binds: an error too
      expect(() => Testing.synth(chart)).toThrow(/sets no storageClassName/);
      expect(allWarnings(chart)).toEqual([
        `${where}: warning: 'sources': 1. Must list a source for each of the 2 replicas of "html" (ordinals 0 to 1): claim "html-pvc-html-1" (ordinal 1) gets no static volume, so the cluster's default class must provision one dynamically, unlike its peers. Add a source for ordinal 1, or lower 'replicas' of the workload to 1. [cdk8s-stateful:missing-static-volumes]`,
      ]);
    });

    test('warns about fewer volumes than replicas on a provisioning class defined in the app', () => {
      const chart = chartIn();
      new StorageClass(chart, 'html-class', { metadata: { name: 'html' }, provisioner: 'ebs.csi.aws.com' });
      const html = workloadIn(chart, {}, { replicas: 3 });
      new StaticVolumeSet(chart, 'pvs', { workload: html, claimTemplate: html.volumeClaimTemplates[0], sources: hostPaths(1) });
      synthValid(chart);
      expect(allWarnings(chart)).toEqual([
        `${where}: warning: 'sources': 1. Must list a source for each of the 3 replicas of "html" (ordinals 0 to 2): claims "html-pvc-html-1", "html-pvc-html-2" (ordinals 1, 2) get no static volume, so class "html" must provision them dynamically, unlike their peers. Add a source for ordinals 1, 2, or lower 'replicas' of the workload to 1. [cdk8s-stateful:missing-static-volumes]`,
      ]);
    });

    test('more volumes than replicas are spares: no error, no warning', () => {
      const chart = chartIn();
      StorageClass.localDisks(chart, 'html-class', { metadata: { name: 'html' } });
      const html = workloadIn(chart);
      new StaticVolumeSet(chart, 'pvs', { workload: html, claimTemplate: html.volumeClaimTemplates[0], sources: hostPaths(3) });
      expect(findAll(synthValid(chart), 'PersistentVolume')).toHaveLength(3);
      expect(allWarnings(chart)).toEqual([]);
    });

    test('warns when local volumes of two replicas are on one node', () => {
      const chart = chartIn();
      StorageClass.localDisks(chart, 'html-class', { metadata: { name: 'html' } });
      const html = workloadIn(chart, {}, { replicas: 3 });
      new StaticVolumeSet(chart, 'pvs', {
        workload: html,
        claimTemplate: html.volumeClaimTemplates[0],
        sources: [
          StaticVolumeSource.local('/mnt/ssd0', 'node-a'),
          StaticVolumeSource.local('/mnt/ssd1', 'node-a'),
          StaticVolumeSource.local('/mnt/ssd0', 'node-b'),
        ],
      });
      synthValid(chart);
      expect(allWarnings(chart)).toEqual([
        `${where}: warning: 'sources': "node-a". The local volumes of ordinals 0, 1 are all on node "node-a": those replicas always run on that node and fail together. Put each replica's local volume on its own node. [cdk8s-stateful:local-volumes-share-node]`,
      ]);
    });

    test('checks run on the complete tree: a class defined after the set counts', () => {
      const chart = chartIn();
      const html = workloadIn(chart);
      new StaticVolumeSet(chart, 'pvs', { workload: html, claimTemplate: html.volumeClaimTemplates[0], sources: hostPaths(1) });
      StorageClass.localDisks(chart, 'html-class', { metadata: { name: 'html' } });
      expect(() => Testing.synth(chart)).toThrow(/class "html" has no provisioner/);
    });

    test('warnings are recorded once, however often the app is synthesized', () => {
      const chart = chartIn();
      const html = workloadIn(chart);
      new StaticVolumeSet(chart, 'pvs', { workload: html, claimTemplate: html.volumeClaimTemplates[0], sources: hostPaths(1) });
      Testing.synth(chart);
      Testing.synth(chart);
      expect(allWarnings(chart)).toHaveLength(1);
      expect(console.warn).toHaveBeenCalledTimes(1);
    });
  });
});
