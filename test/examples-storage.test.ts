import { App, Testing, Yaml } from 'cdk8s';
import { HtmlExample } from '../examples/html';
import { LocalSsdExample } from '../examples/local-ssd';
import { TroubleExample } from '../examples/trouble';
import { findAll, findOne, renderApp } from './util/harness';
import { expectValidManifests } from './util/k8s-schema';
import { podSpecsOf, restrictedViolations } from '../src/private/pod-security';
import { allWarnings } from '../src/private/warnings';

/** The examples of the storage issue, rendered as `cdk8s synth` renders them. */
const examples: Array<[string, (app: App) => void]> = [
  ['local-ssd', app => new LocalSsdExample(app, 'local-ssd')],
  ['trouble', app => new TroubleExample(app, 'trouble')],
];

const render = renderApp;

const ARGOCD_KEEP = { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' };

beforeEach(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

describe.each(examples)('example %s', (_name, build) => {
  test('matches the snapshot', () => {
    expect(render(build)).toMatchSnapshot();
  });

  test('every object is valid for the Kubernetes 1.27 API', () => {
    expectValidManifests(render(build));
  });

  test('every pod spec meets the restricted profile', () => {
    const specs = render(build).flatMap(m => podSpecsOf(m));
    expect(specs.length).toBeGreaterThan(0);
    for (const spec of specs) expect(restrictedViolations(spec)).toEqual([]);
  });

  test('synthesizes without warnings', () => {
    const app = Testing.app();
    build(app);
    for (const chart of app.charts) chart.toJson();
    expect(allWarnings(app)).toEqual([]);
    expect(console.warn).not.toHaveBeenCalled();
  });

  test('synthesizing twice gives byte-identical YAML', () => {
    expect(Yaml.stringify(...render(build))).toEqual(Yaml.stringify(...render(build)));
  });

  test('persistent volumes keep their data and carry no namespace', () => {
    for (const pv of findAll(render(build), 'PersistentVolume')) {
      expect(pv.spec.persistentVolumeReclaimPolicy).toBe('Retain');
      expect(pv.metadata.annotations).toEqual(ARGOCD_KEEP);
      expect(pv.metadata.namespace).toBeUndefined();
    }
  });
});

test('html: hostPath volumes html-pv-0 and html-pv-1, 1Mi each, class html, RWO', () => {
  // GIVEN
  const manifests = render(app => new HtmlExample(app, 'html'));

  // THEN
  expect(findOne(manifests, 'StorageClass', 'html')).toMatchObject({
    provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Retain',
  });
  for (const ordinal of [0, 1]) {
    expect(findOne(manifests, 'PersistentVolume', `html-pv-${ordinal}`).spec).toEqual({
      capacity: { storage: '1Mi' },
      accessModes: ['ReadWriteOnce'],
      volumeMode: 'Filesystem',
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: 'html',
      hostPath: { path: `/mnt/data/html-${ordinal}`, type: 'DirectoryOrCreate' },
    });
  }
  expect(findAll(manifests, 'PersistentVolume')).toHaveLength(2);
});

test('html: the volumes satisfy the claims html-pvc-html-0 and html-pvc-html-1', () => {
  const example = new HtmlExample(Testing.app(), 'html');
  const template = example.workload.volumeClaimTemplates[0];
  expect(example.volumes.volumeNames).toEqual(['html-pv-0', 'html-pv-1']);
  expect([0, 1].map(o => template.claimName(o))).toEqual(['html-pvc-html-0', 'html-pvc-html-1']);
  expect(example.volumes.volumeFor(1).storageClassName).toBe(template.storageClassName);
  expect(example.storageClass.storageClassName).toBe('html');
});

test('local-ssd: the Cassandra preset on class fast, one local volume per node, reserved for its ring node', () => {
  // GIVEN
  const example = new LocalSsdExample(Testing.app(), 'local-ssd');
  const manifests = render(app => new LocalSsdExample(app, 'local-ssd'));

  // THEN
  expect(findOne(manifests, 'StorageClass', 'fast')).toMatchObject({
    provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Retain',
  });
  const sts = findOne(manifests, 'StatefulSet', 'store');
  expect(sts.metadata.namespace).toBe('cassandra');
  expect(sts.spec.replicas).toBe(3);
  expect(sts.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'fast', resources: { requests: { storage: '300Gi' } } });
  const pod = sts.spec.template.spec;
  expect(pod.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999, runAsNonRoot: true });
  // the preset's decisions: a pinned image, the seeds by their stable names, the time a drain takes
  const cassandra = pod.containers.find((c: any) => c.name === 'cassandra');
  expect(cassandra.image).toBe(example.cassandra.workload.containers[0].image);
  expect(cassandra.image).toMatch(/^docker\.io\/library\/cassandra:\d+\.\d+\.\d+/);
  expect(cassandra.env).toContainEqual({ name: 'CASSANDRA_SEEDS', value: example.cassandra.seeds.join(',') });
  expect(example.cassandra.seeds[0]).toBe('store-0.store.cassandra.svc.cluster.local');
  expect(pod.terminationGracePeriodSeconds).toBe(1800);
  expect(findOne(manifests, 'Service', 'store').spec.publishNotReadyAddresses).toBe(true);
  // the preset, as it is, is the set's workload
  expect(example.volumes.workload).toBe(example.cassandra.workload);

  const pvs = findAll(manifests, 'PersistentVolume');
  expect(pvs.map(pv => pv.metadata.name)).toEqual(['cassandra-data-store-0', 'cassandra-data-store-1', 'cassandra-data-store-2']);
  ['k8s-node-1', 'k8s-node-2', 'k8s-node-3'].forEach((node, ordinal) => {
    const spec = findOne(manifests, 'PersistentVolume', `cassandra-data-store-${ordinal}`).spec;
    expect(spec.local).toEqual({ path: '/mnt/disks/ssd0' });
    expect(spec.storageClassName).toBe('fast');
    expect(spec.capacity.storage).toBe('375Gi');
    expect(spec.claimRef).toEqual({ name: `data-store-${ordinal}`, namespace: 'cassandra' });
    expect(spec.nodeAffinity.required.nodeSelectorTerms).toEqual([{
      matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }],
    }]);
  });
});

test('trouble: one Recreate replica keeping files in /data on the 1Gi claim trouble-files', () => {
  // GIVEN
  const manifests = render(app => new TroubleExample(app, 'trouble'));

  // THEN
  const pvc = findOne(manifests, 'PersistentVolumeClaim', 'trouble-files');
  expect(pvc.metadata.namespace).toBe('tools');
  expect(pvc.metadata.annotations).toEqual(ARGOCD_KEEP);
  expect(pvc.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' });

  const deployment = findOne(manifests, 'Deployment', 'trouble');
  expect(deployment.spec.replicas).toBe(1);
  expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
  const pod = deployment.spec.template.spec;
  expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  expect(pod.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'] });
  expect(pod.volumes).toEqual([
    { name: 'pvc-trouble-files', persistentVolumeClaim: { claimName: 'trouble-files' } },
    { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
  ]);
  expect(pod.containers[0].volumeMounts).toEqual([
    { name: 'pvc-trouble-files', mountPath: '/data' },
    { name: 'tmp', mountPath: '/tmp' },
  ]);
});
