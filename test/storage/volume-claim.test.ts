import { Chart, Cron, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { SyncWaves } from '../../src/gitops/sync-waves';
import { allWarnings } from '../../src/private/warnings';
import { StaticVolume, StaticVolumeSet, StaticVolumeSource } from '../../src/storage/static-volume';
import { StorageClass } from '../../src/storage/storage-class';
import { VolumeClaim, VolumeClaimProps } from '../../src/storage/volume-claim';
import { StatefulWorkload } from '../../src/workload/stateful-workload';
import { ClaimDataSource } from '../../src/workload/volume-claim-template';
import { findOne, synthValid } from '../util/harness';

beforeEach(() => {
  // warnings are asserted through construct metadata; keep the test output clean
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

const { READ_WRITE_ONCE: RWO, READ_WRITE_ONCE_POD: RWOP, READ_WRITE_MANY: RWX, READ_ONLY_MANY: ROX } = kplus.PersistentVolumeAccessMode;

/** A rolling update with the given surge and unavailability. */
function rolling(maxSurge: number, maxUnavailable: number): kplus.DeploymentStrategy {
  return kplus.DeploymentStrategy.rollingUpdate({
    maxSurge: kplus.PercentOrAbsolute.absolute(maxSurge),
    maxUnavailable: kplus.PercentOrAbsolute.absolute(maxUnavailable),
  });
}

function chartIn(namespace?: string): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

/** A one-replica L1 Deployment (rendered exactly as given) whose pod uses the claim. */
function l1Deployment(scope: Construct, claim: VolumeClaim, strategy?: kplus.k8s.DeploymentStrategy): kplus.k8s.KubeDeployment {
  return new kplus.k8s.KubeDeployment(scope, 'raw', {
    metadata: { name: 'raw' },
    spec: {
      strategy,
      selector: { matchLabels: { app: 'raw' } },
      template: {
        metadata: { labels: { app: 'raw' } },
        spec: { containers: [{ name: 'c', image: 'x' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: claim.name } }] },
      },
    },
  });
}

/** A cdk8s-plus Deployment that mounts the claim at /data. */
function deployment(scope: Construct, id: string, claim: VolumeClaim, props: kplus.DeploymentProps = {}): kplus.Deployment {
  const d = new kplus.Deployment(scope, id, {
    metadata: { name: id },
    replicas: 1,
    containers: [{ name: 'app', image: 'docker.io/library/busybox:1.36', securityContext: { user: 1000, group: 1000 } }],
    ...props,
  });
  d.containers[0].mount('/data', claim);
  return d;
}

function cronJob(chart: Chart, claim: VolumeClaim, concurrencyPolicy: kplus.ConcurrencyPolicy): kplus.CronJob {
  const job = new kplus.CronJob(chart, 'dump', {
    metadata: { name: 'dump' }, schedule: Cron.daily(), concurrencyPolicy, containers: [{ image: 'x', securityContext: { user: 1000 } }],
  });
  job.containers[0].mount('/data', claim);
  return job;
}

describe('PersistentVolumeClaim', () => {
  test('defaults', () => {
    // GIVEN
    const chart = chartIn('shop');

    // WHEN
    new VolumeClaim(chart, 'files', { storage: Size.gibibytes(1) });

    // THEN
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const pvc = findOne(manifests, 'PersistentVolumeClaim');
    expect(pvc.metadata.namespace).toBe('shop');
    expect(pvc.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' });
    // accessModes and volumeMode spelled out; no class: the cluster's default class
    expect(pvc.spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
      volumeMode: 'Filesystem',
    });
  });

  test('all props', () => {
    // GIVEN
    const chart = chartIn('shop');
    const fast = StorageClass.localDisks(chart, 'fast', { metadata: { name: 'fast' } });
    const pv = new StaticVolume(chart, 'pv', {
      metadata: { name: 'files-pv' },
      storage: Size.gibibytes(2),
      source: StaticVolumeSource.local('/mnt/disks/ssd0', 'node-a'),
      storageClass: fast,
      accessModes: [RWO, ROX],
      volumeMode: kplus.PersistentVolumeMode.BLOCK,
    });

    // WHEN
    new VolumeClaim(chart, 'files', {
      metadata: { name: 'files', namespace: 'tools', labels: { app: 'trouble' }, annotations: { team: 'ops' } },
      storage: Size.mebibytes(1536),
      storageClass: fast,
      accessModes: [RWO, ROX],
      volumeMode: kplus.PersistentVolumeMode.BLOCK,
      volume: pv,
      dataSource: ClaimDataSource.fromSnapshot('files-nightly'),
      argoCdProtection: false,
    });

    // THEN
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const pvc = findOne(manifests, 'PersistentVolumeClaim', 'files');
    expect(pvc.metadata).toEqual({ name: 'files', namespace: 'tools', labels: { app: 'trouble' }, annotations: { team: 'ops' } });
    expect(pvc.spec).toEqual({
      accessModes: ['ReadWriteOnce', 'ReadOnlyMany'],
      resources: { requests: { storage: '1536Mi' } },
      storageClassName: 'fast',
      volumeMode: 'Block',
      volumeName: 'files-pv',
      dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'files-nightly' },
    });
    // the volume is reserved for the claim in the claim's namespace
    expect(findOne(manifests, 'PersistentVolume', 'files-pv').spec.claimRef).toEqual({ name: 'files', namespace: 'tools' });
  });

  test.each([
    ['16Ki', Size.kibibytes(16)],
    ['1Mi', Size.mebibytes(1)],
    ['512Mi', Size.mebibytes(512)],
    ['1Gi', Size.gibibytes(1)],
    ['2Ti', Size.tebibytes(2)],
  ])('accepts any size: %s', (quantity, storage) => {
    const chart = chartIn();
    new VolumeClaim(chart, 'files', { storage });
    expect(findOne(synthValid(chart), 'PersistentVolumeClaim').spec.resources.requests.storage).toBe(quantity);
  });

  describe('volume', () => {
    test('a volume without a class gets storageClassName "" (else the default class would be filled in)', () => {
      const chart = chartIn('shop');
      const pv = new StaticVolume(chart, 'pv', { metadata: { name: 'nfs-a' }, storage: Size.gibibytes(1), source: StaticVolumeSource.nfs('nfs', '/a') });
      const claim = new VolumeClaim(chart, 'files', { metadata: { name: 'files' }, storage: Size.gibibytes(1), volume: pv });
      const manifests = synthValid(chart);
      expect(findOne(manifests, 'PersistentVolumeClaim', 'files').spec.storageClassName).toBe('');
      expect(findOne(manifests, 'PersistentVolumeClaim', 'files').spec.volumeName).toBe('nfs-a');
      expect(findOne(manifests, 'PersistentVolume', 'nfs-a').spec.claimRef).toEqual({ name: 'files', namespace: 'shop' });
      expect(claim.storageClassName).toBe('');
      expect(claim.volume).toBe(pv);
      expect(pv.reservedClaimName).toBe('files');
      expect(pv.reservedClaimNamespace).toBe('shop');
    });

    test('a volume with a class gives the claim that class', () => {
      const chart = chartIn('shop');
      const pv = new StaticVolume(chart, 'pv', {
        storage: Size.gibibytes(1), source: StaticVolumeSource.nfs('nfs', '/a'), storageClass: StorageClass.fromStorageClassName(chart, 'nfs', 'nfs'),
      });
      new VolumeClaim(chart, 'files', { storage: Size.gibibytes(1), volume: pv });
      expect(findOne(synthValid(chart), 'PersistentVolumeClaim').spec.storageClassName).toBe('nfs');
    });

    test('without a namespace only the claim names the volume', () => {
      const chart = chartIn();
      const pv = new StaticVolume(chart, 'pv', { metadata: { name: 'nfs-a' }, storage: Size.gibibytes(1), source: StaticVolumeSource.nfs('nfs', '/a') });
      new VolumeClaim(chart, 'files', { storage: Size.gibibytes(1), volume: pv });
      const manifests = synthValid(chart);
      expect(findOne(manifests, 'PersistentVolumeClaim').spec.volumeName).toBe('nfs-a');
      expect(findOne(manifests, 'PersistentVolume', 'nfs-a').spec.claimRef).toBeUndefined();
    });

    test('fails when the volume is already reserved for another claim', () => {
      const chart = chartIn('shop');
      const pv = new StaticVolume(chart, 'pv', { metadata: { name: 'nfs-a' }, storage: Size.gibibytes(1), source: StaticVolumeSource.nfs('nfs', '/a') });
      new VolumeClaim(chart, 'a', { metadata: { name: 'a' }, storage: Size.gibibytes(1), volume: pv });
      expect(() => new VolumeClaim(chart, 'b', { metadata: { name: 'b' }, storage: Size.gibibytes(1), volume: pv })).toThrow(
        'VolumeClaim \'test/b\': invalid \'volume\': "nfs-a". PersistentVolume "nfs-a" is already reserved for claim "shop/a"; a volume binds to one claim. Give each claim its own volume.');
    });

    test('the same claim may reserve the volume again; a claim of that name in another namespace may not', () => {
      // GIVEN: a StaticVolumeSet reserved volume 0 for the claim "html-pvc-html-0" of namespace "shop"
      const chart = chartIn('shop');
      const html = new StatefulWorkload(chart, 'html', {
        metadata: { name: 'html' },
        containers: [{ name: 'nginx', image: 'x', securityContext: { user: 101 } }],
        volumeClaimTemplates: [{ name: 'html-pvc', storage: Size.gibibytes(1), storageClassName: '' }],
      });
      const set = new StaticVolumeSet(chart, 'pvs', {
        workload: html, claimTemplate: html.volumeClaimTemplates[0], sources: [StaticVolumeSource.nfs('nfs', '/a')], bindToClaims: true,
      });
      const pv = set.volumeFor(0);

      // WHEN: that very claim names the volume
      new VolumeClaim(chart, 'same', { metadata: { name: 'html-pvc-html-0' }, storage: Size.gibibytes(1), volume: pv });

      // THEN
      expect(pv.reservedClaimName).toBe('html-pvc-html-0');
      expect(() => new VolumeClaim(chart, 'other', { metadata: { name: 'html-pvc-html-0', namespace: 'elsewhere' }, storage: Size.gibibytes(1), volume: pv })).toThrow(
        'VolumeClaim \'test/other\': invalid \'volume\': "shop-html-pvc-html-0". PersistentVolume "shop-html-pvc-html-0" is already reserved for claim "shop/html-pvc-html-0"; a volume binds to one claim. Give each claim its own volume.');
    });

    test('each synthesis sees the tree as it is then (the rendered consumers are not reused across syntheses)', () => {
    // GIVEN: one consumer, fine
      const chart = chartIn('shop');
      const claim = new VolumeClaim(chart, 'files', { metadata: { name: 'files' }, storage: Size.gibibytes(1), accessModes: [RWOP] });
      deployment(chart, 'web', claim, { strategy: kplus.DeploymentStrategy.recreate() });
      expect(() => Testing.synth(chart)).not.toThrow();

      // WHEN: a second consumer is added after a first synthesis
      deployment(chart, 'web2', claim, { strategy: kplus.DeploymentStrategy.recreate() });

      // THEN
      expect(() => Testing.synth(chart)).toThrow(/Deployment\/web: 1 pod, Deployment\/web2: 1 pod/);
    });

    const where = 'VolumeClaim \'test/files\'';
    const mismatches: Array<[string, Partial<VolumeClaimProps>, string]> = [
      ['a volume smaller than the claim', { storage: Size.gibibytes(2) },
        `${where}: invalid 'volume.storage': "1Gi". PersistentVolume "nfs-a" must hold at least the 2Gi that claim "files" requests. Give the volume at least 2Gi, or lower the claim's storage.`],
      ['a class mismatch', { storageClass: StorageClass.fromStorageClassName(Testing.chart(), 'x', 'standard') },
        `${where}: invalid 'volume.storageClass': "". PersistentVolume "nfs-a" must have the class of claim "files" ("standard"): a claim binds only to volumes of its own class. Give the volume the class "standard", or change the claim's storageClassName.`],
      ['a missing access mode', { accessModes: [RWX] },
        `${where}: invalid 'volume.accessModes': ["ReadWriteOnce"]. PersistentVolume "nfs-a" lacks ReadWriteMany, which claim "files" needs: a volume binds only if it offers every access mode the claim asks for. Add ReadWriteMany to the volume's accessModes, or remove it from the claim.`],
      ['a volume mode mismatch', { volumeMode: kplus.PersistentVolumeMode.BLOCK },
        `${where}: invalid 'volume.volumeMode': "Filesystem". PersistentVolume "nfs-a" must have the volume mode of claim "files" (Block). Set the volume's volumeMode to Block, or change the claim's volumeMode.`],
    ];

    test.each(mismatches)('fails with %s', (_name, props, message) => {
      // GIVEN
      const chart = chartIn('shop');
      const pv = new StaticVolume(chart, 'pv', { metadata: { name: 'nfs-a' }, storage: Size.gibibytes(1), source: StaticVolumeSource.nfs('nfs', '/a') });

      // WHEN
      new VolumeClaim(chart, 'files', { metadata: { name: 'files' }, storage: Size.gibibytes(1), volume: pv, ...props });

      // THEN
      expect(() => Testing.synth(chart)).toThrow(`Validation failed with the following errors:\n  [test/files] ${message}`);
    });
  });

  describe('mounting', () => {
    test('container.mount() on a cdk8s-plus Deployment', () => {
      // GIVEN
      const chart = chartIn('shop');
      const claim = new VolumeClaim(chart, 'files', { metadata: { name: 'files' }, storage: Size.gibibytes(1) });

      // WHEN
      deployment(chart, 'trouble', claim, { strategy: kplus.DeploymentStrategy.recreate() });

      // THEN
      const spec = findOne(synthValid(chart), 'Deployment', 'trouble').spec.template.spec;
      // no readOnly: false, which the API server drops (a bool with omitempty)
      expect(spec.volumes).toEqual([{ name: 'pvc-files', persistentVolumeClaim: { claimName: 'files' } }]);
      expect(spec.containers[0].volumeMounts).toEqual([{ name: 'pvc-files', mountPath: '/data' }]);
      expect(allWarnings(chart)).toEqual([]);
    });

    test('Volume.fromPersistentVolumeClaim() accepts the claim', () => {
      const chart = chartIn();
      const claim = new VolumeClaim(chart, 'files', { metadata: { name: 'files' }, storage: Size.gibibytes(1) });
      const volume = kplus.Volume.fromPersistentVolumeClaim(chart, 'v', claim, { name: 'data', readOnly: true });
      expect(volume._toKube()).toEqual({ name: 'data', persistentVolumeClaim: { claimName: 'files', readOnly: true } });
    });

    test('asVolume() returns one volume', () => {
      const claim = new VolumeClaim(chartIn(), 'files', { metadata: { name: 'files' }, storage: Size.gibibytes(1) });
      expect(claim.asVolume()).toBe(claim.asVolume());
      expect(claim.asVolume().name).toBe('pvc-files');
    });

    test('a one-replica StatefulWorkload can mount a standalone claim', () => {
      const chart = chartIn('shop');
      const claim = new VolumeClaim(chart, 'files', { metadata: { name: 'files' }, storage: Size.gibibytes(1) });
      const w = new StatefulWorkload(chart, 'w', {
        metadata: { name: 'w' },
        containers: [{ name: 'app', image: 'docker.io/library/busybox:1.36', securityContext: { user: 1000 } }],
      });
      w.containers[0].mount('/shared', claim);
      const spec = findOne(synthValid(chart), 'StatefulSet', 'w').spec.template.spec;
      expect(spec.volumes).toContainEqual({ name: 'pvc-files', persistentVolumeClaim: { claimName: 'files' } });
      expect(allWarnings(chart)).toEqual([]);
    });
  });

  test('attributes', () => {
    // GIVEN
    const chart = chartIn('shop');
    const modes = [RWX];

    // WHEN
    const claim = new VolumeClaim(chart, 'files', {
      metadata: { name: 'files' },
      storage: Size.mebibytes(512),
      accessModes: modes,
      storageClass: StorageClass.fromStorageClassName(chart, 'nfs', 'nfs-client'),
    });

    // THEN
    expect(claim.name).toBe('files');
    expect(claim.resourceName).toBe('files');
    expect(claim.namespaceName).toBe('shop');
    expect(claim.storage.toMebibytes()).toBe(512);
    expect(claim.storageQuantity).toBe('512Mi');
    expect(claim.storageClassName).toBe('nfs-client');
    expect(claim.volumeMode).toBe(kplus.PersistentVolumeMode.FILE_SYSTEM);
    expect(claim.volume).toBeUndefined();
    expect([claim.apiVersion, claim.apiGroup, claim.kind, claim.resourceType]).toEqual(['v1', '', 'PersistentVolumeClaim', 'persistentvolumeclaims']);
    expect(claim.apiObject.kind).toBe('PersistentVolumeClaim');
    modes.push(ROX);
    claim.accessModes.push(RWO);
    expect(claim.accessModes).toEqual([RWX]);
  });

  test('the name is generated by the chart unless set', () => {
    const chart = chartIn();
    const claim = new VolumeClaim(chart, 'files', { storage: Size.gibibytes(1) });
    expect(claim.name).toMatch(/^test-files-c8[0-9a-f]{6}$/);
    expect(findOne(synthValid(chart), 'PersistentVolumeClaim').metadata.name).toBe(claim.name);
  });

  test('argoCdProtection: false renders no annotation', () => {
    const chart = chartIn();
    new VolumeClaim(chart, 'files', { storage: Size.gibibytes(1), argoCdProtection: false });
    expect(findOne(synthValid(chart), 'PersistentVolumeClaim').metadata.annotations).toBeUndefined();
  });

  test('keeps the user\'s own Argo CD sync options', () => {
    const chart = chartIn();
    new VolumeClaim(chart, 'files', {
      storage: Size.gibibytes(1),
      metadata: { annotations: { 'argocd.argoproj.io/sync-options': 'Delete=confirm, ServerSideApply=true' } },
    });
    expect(findOne(synthValid(chart), 'PersistentVolumeClaim').metadata.annotations)
      .toEqual({ 'argocd.argoproj.io/sync-options': 'Delete=confirm,ServerSideApply=true,Prune=false' });
  });

  describe('single-node claims mounted by more than one pod', () => {
    const where = 'VolumeClaim \'test/files\'';
    const fix = 'Give each replica its own claim with StatefulWorkload and a volume claim template, or run a single pod; if the pods must share the data, use storage that supports ReadWriteMany.';
    const recreate = { strategy: kplus.DeploymentStrategy.recreate() };

    const errors: Array<[string, (chart: Chart, claim: VolumeClaim) => void, string]> = [
      ['a two-replica Deployment', (chart, claim) => deployment(chart, 'web', claim, { replicas: 2, ...recreate }),
        `${where}: invalid 'accessModes': ["ReadWriteOncePod"]. Claim "files" is used by more than one pod (Deployment/web: 2 pods), and a ReadWriteOncePod volume serves one pod: the others never start. ${fix}`],
      ['two one-replica Deployments', (chart, claim) => { deployment(chart, 'a', claim, recreate); deployment(chart, 'b', claim, recreate); },
        `${where}: invalid 'accessModes': ["ReadWriteOncePod"]. Claim "files" is used by more than one pod (Deployment/a: 1 pod, Deployment/b: 1 pod), and a ReadWriteOncePod volume serves one pod: the others never start. ${fix}`],
      ['a DaemonSet', (chart, claim) => {
        const ds = new kplus.DaemonSet(chart, 'agent', { metadata: { name: 'agent' }, containers: [{ image: 'x', securityContext: { user: 1000 } }] });
        ds.containers[0].mount('/data', claim);
      }, `${where}: invalid 'accessModes': ["ReadWriteOncePod"]. Claim "files" is used by more than one pod (DaemonSet/agent: one pod per node), and a ReadWriteOncePod volume serves one pod: the others never start. ${fix}`],
      ['a Job with parallelism 2', (chart, claim) => new kplus.k8s.KubeJob(chart, 'job', {
        metadata: { name: 'copy' },
        spec: {
          parallelism: 2,
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: claim.name } }] } },
        },
      }), `${where}: invalid 'accessModes': ["ReadWriteOncePod"]. Claim "files" is used by more than one pod (Job/copy: 2 pods), and a ReadWriteOncePod volume serves one pod: the others never start. ${fix}`],
      ['a three-replica StatefulWorkload', (chart, claim) => {
        const w = new StatefulWorkload(chart, 'db', {
          metadata: { name: 'db' }, replicas: 3, containers: [{ name: 'db', image: 'x', securityContext: { user: 999 } }],
        });
        w.containers[0].mount('/shared', claim);
      }, `${where}: invalid 'accessModes': ["ReadWriteOncePod"]. Claim "files" is used by more than one pod (StatefulSet/db: 3 pods), and a ReadWriteOncePod volume serves one pod: the others never start. ${fix}`],
      ['a one-replica Deployment that surges', (chart, claim) => deployment(chart, 'trouble', claim),
        `${where}: invalid 'accessModes': ["ReadWriteOncePod"]. Claim "files" is used by Deployment/trouble, which replaces its pod with a rolling update (maxSurge 25%): its new pod starts before the old one stops and cannot use the ReadWriteOncePod volume the old pod holds, so every rollout hangs. Set the Deployment's strategy to DeploymentStrategy.recreate() (or maxSurge 0).`],
      ['a one-replica L1 Deployment without a strategy (RollingUpdate with maxSurge 25% by default)', (chart, claim) => l1Deployment(chart, claim),
        `${where}: invalid 'accessModes': ["ReadWriteOncePod"]. Claim "files" is used by Deployment/raw, which replaces its pod with a rolling update (maxSurge 25%): its new pod starts before the old one stops and cannot use the ReadWriteOncePod volume the old pod holds, so every rollout hangs. Set the Deployment's strategy to DeploymentStrategy.recreate() (or maxSurge 0).`],
      ['a one-replica L1 Deployment whose RollingUpdate strategy leaves out rollingUpdate', (chart, claim) => l1Deployment(chart, claim, { type: 'RollingUpdate' }),
        `${where}: invalid 'accessModes': ["ReadWriteOncePod"]. Claim "files" is used by Deployment/raw, which replaces its pod with a rolling update (maxSurge 25%): its new pod starts before the old one stops and cannot use the ReadWriteOncePod volume the old pod holds, so every rollout hangs. Set the Deployment's strategy to DeploymentStrategy.recreate() (or maxSurge 0).`],
      ['a one-replica Deployment with maxSurge 1', (chart, claim) => deployment(chart, 'trouble', claim, {
        strategy: rolling(1, 0),
      }), `${where}: invalid 'accessModes': ["ReadWriteOncePod"]. Claim "files" is used by Deployment/trouble, which replaces its pod with a rolling update (maxSurge 1): its new pod starts before the old one stops and cannot use the ReadWriteOncePod volume the old pod holds, so every rollout hangs. Set the Deployment's strategy to DeploymentStrategy.recreate() (or maxSurge 0).`],
    ];

    test.each(errors)('ReadWriteOncePod: fails with %s', (_name, mount, message) => {
      // GIVEN
      const chart = chartIn('shop');
      const claim = new VolumeClaim(chart, 'files', { metadata: { name: 'files' }, storage: Size.gibibytes(1), accessModes: [RWOP] });

      // WHEN
      mount(chart, claim);

      // THEN
      expect(() => Testing.synth(chart)).toThrow(`Validation failed with the following errors:\n  [test/files] ${message}`);
    });

    const warnings: Array<[string, (chart: Chart, claim: VolumeClaim) => void, string]> = [
      ['a two-replica Deployment', (chart, claim) => deployment(chart, 'web', claim, { replicas: 2, ...recreate }),
        `${where}: warning: 'accessModes': ["ReadWriteOnce"]. Claim "files" is used by more than one pod (Deployment/web: 2 pods), and a ReadWriteOnce volume attaches to one node: pods scheduled on another node never start. ${fix} [cdk8s-stateful:read-write-once-shared]`],
      ['a CronJob that may run Jobs side by side, and a Job', (chart, claim) => {
        cronJob(chart, claim, kplus.ConcurrencyPolicy.ALLOW);
        new kplus.Job(chart, 'restore', { metadata: { name: 'restore' }, containers: [{ image: 'x', securityContext: { user: 1000 } }] }).containers[0].mount('/data', claim);
      }, `${where}: warning: 'accessModes': ["ReadWriteOnce"]. Claim "files" is used by more than one pod (Job/restore: 1 pod, CronJob/dump: 1 pod), and a ReadWriteOnce volume attaches to one node: pods scheduled on another node never start. ${fix} [cdk8s-stateful:read-write-once-shared]`],
      ['a Job and a one-replica Deployment (which never finishes)', (chart, claim) => {
        deployment(chart, 'web', claim, recreate);
        new kplus.Job(chart, 'restore', { metadata: { name: 'restore' }, containers: [{ image: 'x', securityContext: { user: 1000 } }] }).containers[0].mount('/data', claim);
      }, `${where}: warning: 'accessModes': ["ReadWriteOnce"]. Claim "files" is used by more than one pod (Deployment/web: 1 pod, Job/restore: 1 pod), and a ReadWriteOnce volume attaches to one node: pods scheduled on another node never start. ${fix} [cdk8s-stateful:read-write-once-shared]`],
      ['a one-replica Deployment that surges', (chart, claim) => deployment(chart, 'trouble', claim),
        `${where}: warning: 'accessModes': ["ReadWriteOnce"]. Claim "files" is used by Deployment/trouble, which replaces its pod with a rolling update (maxSurge 25%): its new pod starts before the old one stops and can use the ReadWriteOnce volume only on the same node, so a rollout can hang. Set the Deployment's strategy to DeploymentStrategy.recreate() (or maxSurge 0). [cdk8s-stateful:read-write-once-surge]`],
    ];

    test.each(warnings)('ReadWriteOnce: warns with %s', (_name, mount, message) => {
      // GIVEN
      const chart = chartIn('shop');
      const claim = new VolumeClaim(chart, 'files', { metadata: { name: 'files' }, storage: Size.gibibytes(1) });

      // WHEN
      mount(chart, claim);
      synthValid(chart);

      // THEN
      expect(allWarnings(chart)).toEqual([message]);
    });

    const fine: Array<[string, kplus.PersistentVolumeAccessMode[], (chart: Chart, claim: VolumeClaim) => void]> = [
      ['ReadWriteOncePod, one Recreate pod', [RWOP], (chart, claim) => deployment(chart, 'trouble', claim, recreate)],
      ['ReadWriteOnce, one pod with maxSurge 0', [RWO], (chart, claim) => deployment(chart, 'trouble', claim, {
        strategy: rolling(0, 1),
      })],
      ['ReadWriteOncePod, one pod with maxSurge 0%', [RWOP], (chart, claim) => deployment(chart, 'trouble', claim, {
        strategy: kplus.DeploymentStrategy.rollingUpdate({
          maxSurge: kplus.PercentOrAbsolute.percent(0),
          maxUnavailable: kplus.PercentOrAbsolute.absolute(1),
        }),
      })],
      ['ReadWriteMany, three pods', [RWX], (chart, claim) => deployment(chart, 'web', claim, { replicas: 3 })],
      ['ReadWriteOnce and ReadOnlyMany, three pods', [RWO, ROX], (chart, claim) => deployment(chart, 'web', claim, { replicas: 3 })],
      ['ReadWriteOncePod, a two-replica Deployment in another namespace', [RWOP], (chart, claim) => {
        const other = new Chart(chart.node.scope!, 'other', { namespace: 'elsewhere' });
        new kplus.k8s.KubeDeployment(other, 'web', {
          metadata: { name: 'web' },
          spec: {
            replicas: 2,
            selector: { matchLabels: { app: 'web' } },
            template: {
              metadata: { labels: { app: 'web' } },
              spec: { containers: [{ name: 'c', image: 'x' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: claim.name } }] },
            },
          },
        });
      }],
      ['ReadWriteOncePod, not mounted', [RWOP], () => undefined],
      ['ReadWriteOnce, a CronJob that runs one Job at a time and a Job (they wait for each other)', [RWO], (chart, claim) => {
        cronJob(chart, claim, kplus.ConcurrencyPolicy.FORBID);
        const job = new kplus.Job(chart, 'restore', { containers: [{ image: 'x', securityContext: { user: 1000 } }] });
        job.containers[0].mount('/data', claim);
      }],
      ['ReadWriteOncePod, two Jobs', [RWOP], (chart, claim) => {
        for (const id of ['a', 'b']) new kplus.Job(chart, id, { containers: [{ image: 'x', securityContext: { user: 1000 } }] }).containers[0].mount('/data', claim);
      }],
    ];

    test.each(fine)('no error or warning with %s', (_name, accessModes, mount) => {
      const chart = chartIn('shop');
      const claim = new VolumeClaim(chart, 'files', { metadata: { name: 'files' }, storage: Size.gibibytes(1), accessModes });
      mount(chart, claim);
      synthValid(chart);
      expect(allWarnings(chart.node.root)).toEqual([]);
    });

    test('a workload added after the claim is found: checks run on the complete tree', () => {
      const chart = chartIn('shop');
      const claim = new VolumeClaim(chart, 'files', { metadata: { name: 'files' }, storage: Size.gibibytes(1), accessModes: [RWOP] });
      deployment(chart, 'web', claim, recreate);
      // a second Deployment, created after the claim's construction, still counts
      deployment(chart, 'web2', claim, recreate);
      expect(() => Testing.synth(chart)).toThrow(/Deployment\/web: 1 pod, Deployment\/web2: 1 pod/);
    });
  });

  test('SyncWaves puts the claim in the storage wave', () => {
    const chart = chartIn('shop');
    new VolumeClaim(chart, 'files', { metadata: { name: 'files' }, storage: Size.gibibytes(1) });
    SyncWaves.enable(chart, { storage: -3 });
    expect(findOne(synthValid(chart), 'PersistentVolumeClaim', 'files').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-3');
  });

  const where = 'VolumeClaim \'test/files\'';
  const rejected: Array<[string, Partial<VolumeClaimProps>, string]> = [
    ['a zero size', { storage: Size.gibibytes(0) },
      `${where}: invalid 'storage': "0Ki". Must be larger than zero. Set 'storage' to a size such as Size.gibibytes(1).`],
    ['a fraction of a kibibyte', { storage: Size.kibibytes(1.5) },
      `${where}: invalid 'storage': "1.5Ki". Must be a whole number of kibibytes. Set 'storage' to a whole number of Ki, Mi or Gi.`],
    ['no access modes', { accessModes: [] },
      `${where}: invalid 'accessModes': []. Must name at least one access mode. Leave 'accessModes' out for ReadWriteOnce, or list the modes you need.`],
    ['ReadWriteOncePod with another mode', { accessModes: [RWOP, RWX] },
      `${where}: invalid 'accessModes': ["ReadWriteOncePod","ReadWriteMany"]. ReadWriteOncePod cannot be combined with other access modes. Use [PersistentVolumeAccessMode.READ_WRITE_ONCE_POD] alone.`],
    ['an invalid name', { metadata: { name: 'Files' } },
      `${where}: invalid 'metadata.name': "Files". Must be a DNS-1123 subdomain of at most 253 characters: lower case letters, digits, '-' and '.'. Set 'metadata.name' to a name such as "my-name" or "my.name".`],
  ];

  test.each(rejected)('fails with %s', (_name, props, message) => {
    expect(() => new VolumeClaim(chartIn(), 'files', { storage: Size.gibibytes(1), ...props })).toThrow(message);
  });
});
