import { Chart, Duration, Size, Testing } from 'cdk8s';
import { Cpu, PodManagementPolicy, Service, Topology } from 'cdk8s-plus-27';
import {
  Cassandra,
  CassandraProps,
  CassandraVersion,
  DisruptionBudget,
  IDataStore,
  StorageClass,
  UnsatisfiableSpread,
} from '../../src';
import { podSpecsOf, restrictedViolations } from '../../src/private/pod-security';
import { allWarnings } from '../../src/private/warnings';
import { findOne, synthValid } from '../util/harness';

function shopChart(): Chart {
  return new Chart(Testing.app(), 'test', { namespace: 'shop' });
}

function ring(props: CassandraProps = {}): { chart: Chart; ring: Cassandra } {
  const chart = shopChart();
  return { chart, ring: new Cassandra(chart, 'ring', { metadata: { name: 'ring' }, ...props }) };
}

const envOf = (container: any) => Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
const cassandraOf = (sts: any) => sts.spec.template.spec.containers.find((c: any) => c.name === 'cassandra');

describe('Cassandra', () => {
  test('defaults', () => {
    // GIVEN
    const chart = shopChart();

    // WHEN
    const store = new Cassandra(chart, 'ring');

    // THEN
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const sts = findOne(manifests, 'StatefulSet');
    const name = sts.metadata.name;
    expect(name).toMatch(/^test-ring-c8[0-9a-f]{6}$/);
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.podManagementPolicy).toBe('OrderedReady');
    const pod = sts.spec.template.spec;
    expect(pod.terminationGracePeriodSeconds).toBe(1800);
    expect(pod.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999, runAsNonRoot: true });
    expect(pod.topologySpreadConstraints).toEqual([{
      topologyKey: 'kubernetes.io/hostname',
      maxSkew: 1,
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: sts.spec.selector.matchLabels },
    }]);
    const c = cassandraOf(sts);
    expect(c.image).toBe('docker.io/library/cassandra:4.1.12');
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(c.resources).toEqual({ limits: { memory: '2Gi' }, requests: { cpu: '1', memory: '2Gi' } });
    const seeds = `${name}-0.${name}.shop.svc.cluster.local,${name}-1.${name}.shop.svc.cluster.local`;
    expect(envOf(c)).toMatchObject({
      POD_IP: { fieldRef: { fieldPath: 'status.podIP' } },
      CASSANDRA_CLUSTER_NAME: name,
      CASSANDRA_SEEDS: seeds,
      CASSANDRA_DC: 'dc1',
      CASSANDRA_RACK: 'rack1',
      MAX_HEAP_SIZE: '1024M',
      HEAP_NEWSIZE: '256M',
    });
    // POD_IP is declared before the variables that refer to it
    expect(c.env[0].name).toBe('POD_IP');
    expect(c.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'cassandra-config', mountPath: '/etc/cassandra' },
      { name: 'data', mountPath: '/var/lib/cassandra' },
    ]));
    expect(c.readinessProbe.tcpSocket).toEqual({ port: 9042 });
    expect(c.livenessProbe.tcpSocket).toEqual({ port: 7000 });
    expect(c.startupProbe).toMatchObject({ tcpSocket: { port: 7000 }, failureThreshold: 180 });
    const init = pod.initContainers.find((i: any) => i.name === 'cassandra-config');
    expect(init.image).toBe(c.image);
    expect(init.volumeMounts).toContainEqual({ name: 'cassandra-config', mountPath: '/cassandra-config' });
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('10Gi');
    expect(sts.spec.volumeClaimTemplates[0].spec.storageClassName).toBeUndefined();
    const headless = findOne(manifests, 'Service');
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
    expect(findOne(manifests, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
    for (const spec of manifests.flatMap(m => podSpecsOf(m))) expect(restrictedViolations(spec)).toEqual([]);
    // the only warning: the generated name (the claims and the cluster name follow it)
    expect(allWarnings(chart)).toEqual([expect.stringContaining('[cdk8s-stateful:generated-name-with-claims]')]);

    // attributes
    expect(store.nodes).toBe(3);
    expect(store.clusterName).toBe(name);
    expect(store.datacenter).toBe('dc1');
    expect(store.rack).toBe('rack1');
    expect(store.version).toBe(CassandraVersion.V4_1);
    expect(store.seeds).toEqual(seeds.split(','));
    expect(store.storeName).toBe(name);
    expect(store.endpoint.hostname).toBe(`${name}.shop.svc.cluster.local`);
    expect(store.endpoint.port).toBe(9042);
    expect(store.ports).toEqual([{ port: 9042, protocol: 'TCP', name: 'cql' }]);
    const asStore: IDataStore = store;
    expect(asStore.primaryEndpoint).toBeUndefined();
    expect(asStore.credentials).toBeUndefined();
    expect(store.workload.name).toBe(name);
  });

  test('all props', () => {
    // GIVEN
    const chart = shopChart();
    const ssd = StorageClass.localDisks(chart, 'ssd', { metadata: { name: 'local-ssd' } });

    // WHEN
    const store = new Cassandra(chart, 'ring', {
      metadata: { name: 'orders', labels: { team: 'orders' } },
      replicas: 5,
      seeds: 3,
      clusterName: 'orders-cluster',
      datacenter: 'eu-west',
      rack: 'rack-a',
      version: CassandraVersion.of('4.1.9'),
      image: { registry: 'mirror.example.com', repository: 'mirrors/cassandra' },
      resources: { cpu: { request: Cpu.units(2) }, memory: { request: Size.gibibytes(8), limit: Size.gibibytes(8) } },
      maxHeapSize: Size.gibibytes(4),
      heapNewSize: Size.mebibytes(800),
      storage: Size.gibibytes(100),
      storageClass: ssd,
      terminationGracePeriod: Duration.minutes(20),
      disruptionBudget: DisruptionBudget.none(),
      topologySpread: [{ topology: Topology.ZONE, whenUnsatisfiable: UnsatisfiableSpread.SCHEDULE_ANYWAY }],
      headlessService: { name: 'orders-nodes' },
      podMetadata: { annotations: { owner: 'orders' } },
    });

    // THEN
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const sts = findOne(manifests, 'StatefulSet', 'orders');
    expect(sts.spec.replicas).toBe(5);
    expect(sts.spec.serviceName).toBe('orders-nodes');
    expect(sts.spec.template.spec.terminationGracePeriodSeconds).toBe(1200);
    expect(sts.spec.template.spec.topologySpreadConstraints).toEqual([expect.objectContaining({
      topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway',
    })]);
    const c = cassandraOf(sts);
    expect(c.image).toBe('mirror.example.com/mirrors/cassandra:4.1.9');
    expect(envOf(c)).toMatchObject({
      CASSANDRA_CLUSTER_NAME: 'orders-cluster',
      CASSANDRA_SEEDS: [0, 1, 2].map(i => `orders-${i}.orders-nodes.shop.svc.cluster.local`).join(','),
      CASSANDRA_DC: 'eu-west',
      CASSANDRA_RACK: 'rack-a',
      MAX_HEAP_SIZE: '4096M',
      HEAP_NEWSIZE: '800M',
    });
    expect(sts.spec.volumeClaimTemplates[0].spec).toMatchObject({
      storageClassName: 'local-ssd', resources: { requests: { storage: '100Gi' } },
    });
    expect(findOne(manifests, 'Service', 'orders-nodes').spec.publishNotReadyAddresses).toBe(true);
    expect(manifests.filter(m => m.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(store.nodes).toBe(5);
    expect(store.seeds).toHaveLength(3);
    expect(store.endpoint.socketAddress).toBe('orders-nodes.shop.svc.cluster.local:9042');
  });

  test('storageClassName names the claims\' class', () => {
    const { chart } = ring({ storageClassName: 'fast' });
    const sts = findOne(synthValid(chart), 'StatefulSet');
    expect(sts.spec.volumeClaimTemplates[0].spec.storageClassName).toBe('fast');
  });

  test('a single node has one seed and a budget of one node', () => {
    const { chart, ring: store } = ring({ replicas: 1 });
    const manifests = synthValid(chart);
    expect(store.seeds).toEqual(['ring-0.ring.shop.svc.cluster.local']);
    expect(findOne(manifests, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
    expect(allWarnings(chart)).toEqual([]);
  });

  test('seeds are the first pods from ordinals.start', () => {
    const { ring: store } = ring({ ordinals: { start: 3 } });
    expect(store.seeds).toEqual(['ring-3.ring.shop.svc.cluster.local', 'ring-4.ring.shop.svc.cluster.local']);
  });

  test('the heap follows the memory limit', () => {
    const { chart } = ring({ resources: { memory: { limit: Size.gibibytes(16) } } });
    const c = cassandraOf(findOne(synthValid(chart), 'StatefulSet'));
    expect(envOf(c)).toMatchObject({ MAX_HEAP_SIZE: '4096M', HEAP_NEWSIZE: '1024M' });
  });

  test('the pod user can be changed through securityContext', () => {
    const { chart } = ring({ securityContext: { user: 1001, group: 1001, fsGroup: 1001 } });
    const pod = findOne(synthValid(chart), 'StatefulSet').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsUser: 1001, runAsGroup: 1001, fsGroup: 1001 });
  });

  test('the workload remains open: more topology spreads and node selectors', () => {
    const { chart, ring: store } = ring();
    store.workload.addTopologySpread({ topology: Topology.ZONE });
    store.workload.addNodeSelector('disk', 'ssd');
    const pod = findOne(synthValid(chart), 'StatefulSet').spec.template.spec;
    expect(pod.topologySpreadConstraints.map((t: any) => t.topologyKey)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    expect(pod.nodeSelector).toEqual({ disk: 'ssd' });
  });
});

describe('CassandraVersion', () => {
  test('V4_1 is pinned', () => {
    expect(CassandraVersion.V4_1.tag).toBe('4.1.12');
  });

  test('of() takes a 4.1 patch release', () => {
    expect(CassandraVersion.of('4.1.10').tag).toBe('4.1.10');
  });

  test.each(['4.1', '5.0.2', 'latest', '4.0.13', '4.1.8-jammy', '', 'v4.1.8', '14.1.8'])('fails when the tag is %j', tag => {
    expect(() => CassandraVersion.of(tag)).toThrow(
      `CassandraVersion.of: invalid 'tag': "${tag}". Must be a Cassandra 4.1 patch release such as "4.1.12"`);
  });
});

describe('Cassandra errors', () => {
  const WHERE = "Cassandra 'test/ring'";

  test('the errors say what to do', () => {
    expect(() => CassandraVersion.of('4.1')).toThrow(/\. Give the full tag of a 4\.1 release, or use CassandraVersion\.V4_1\.$/);
    expect(() => ring({ headlessService: { publishNotReadyAddresses: false } })).toThrow(/\. Leave 'publishNotReadyAddresses' out\.$/);
    const chart = shopChart();
    const svc = new Service(chart, 'svc', { metadata: { name: 'nodes' }, clusterIP: 'None', ports: [{ port: 9042 }] });
    expect(() => new Cassandra(chart, 'ring', { governingService: svc })).toThrow(
      /\. Leave 'governingService' out and name the created Service with 'headlessService.name'\.$/);
    expect(() => ring({ resources: { cpu: { request: Cpu.units(1) } } })).toThrow(
      /\. Set 'resources.memory.limit' to "2Gi" or more, e.g. Size.gibibytes\(4\)\.$/);
  });

  test('podManagementPolicy OrderedReady, the default, may be given', () => {
    const { chart } = ring({ podManagementPolicy: PodManagementPolicy.ORDERED_READY });
    expect(findOne(synthValid(chart), 'StatefulSet').spec.podManagementPolicy).toBe('OrderedReady');
  });

  test.each([
    ['a fraction of a MiB', Size.mebibytes(500.5), '500M'],
    ['a fraction of a KiB', Size.mebibytes(300 + 1 / 2048), '300M'],
  ])('a heap size of %s is passed on in whole MiB', (_name, heapNewSize, value) => {
    const { chart } = ring({ heapNewSize });
    const env = envOf(cassandraOf(findOne(synthValid(chart), 'StatefulSet')));
    expect(env.HEAP_NEWSIZE).toBe(value);
    expect(env.MAX_HEAP_SIZE).toBe('1024M');
  });

  test('fails when seeds exceed the nodes', () => {
    expect(() => ring({ replicas: 2, seeds: 3 })).toThrow(
      `${WHERE}: invalid 'seeds': 3. Must be at most 'replicas' (2): the seeds are the first pods. Set 'seeds' to a number from 1 to 2, or raise 'replicas'.`);
  });

  test('fails when there are no nodes', () => {
    expect(() => ring({ replicas: 0 })).toThrow(`${WHERE}: invalid 'replicas': 0.`);
  });

  test('fails when the memory limit is below 1Gi', () => {
    expect(() => ring({ resources: { memory: { limit: Size.mebibytes(512) } } })).toThrow(
      `${WHERE}: invalid 'resources.memory.limit': "512Mi". Must be at least 1Gi`);
  });

  test('fails when there is no memory limit', () => {
    expect(() => ring({ resources: { cpu: { request: Cpu.units(1) } } })).toThrow(
      `${WHERE}: invalid 'resources.memory.limit': "(none)". Must be set: the JVM heap is derived from the memory limit and checked against it.`);
  });

  test('fails when the heap leaves too little off-heap memory', () => {
    expect(() => ring({ maxHeapSize: Size.mebibytes(1800) })).toThrow(
      `${WHERE}: invalid 'maxHeapSize': "1800Mi". Must leave 706Mi of 'resources.memory.limit' ("2Gi") for off-heap memory`);
  });

  test('a size in the error that is not whole MiB is shown in bytes', () => {
    expect(() => ring({ maxHeapSize: Size.mebibytes(1800.5) })).toThrow(
      `${WHERE}: invalid 'maxHeapSize': "1887961088". Must leave 706Mi of 'resources.memory.limit' ("2Gi") for off-heap memory`);
  });

  test('fails when the heap is at or above the memory limit', () => {
    expect(() => ring({ maxHeapSize: Size.gibibytes(2) })).toThrow(
      `${WHERE}: invalid 'maxHeapSize': "2Gi". Must be below 'resources.memory.limit' ("2Gi")`);
  });

  test('fails when the young generation is not below the heap', () => {
    expect(() => ring({ maxHeapSize: Size.gibibytes(1), heapNewSize: Size.gibibytes(1) })).toThrow(
      `${WHERE}: invalid 'heapNewSize': "1Gi". Must be below the heap 'maxHeapSize' (1Gi)`);
  });

  test('fails when the cluster name cannot be written into cassandra.yaml', () => {
    expect(() => ring({ clusterName: 'a/b' })).toThrow(`${WHERE}: invalid 'clusterName': "a/b".`);
  });

  test.each([['datacenter', { datacenter: 'dc 1' }], ['rack', { rack: 'r#1' }]])('fails when the %s has characters sed would mangle', (prop, props) => {
    expect(() => ring(props)).toThrow(`${WHERE}: invalid '${prop}'`);
  });

  test('fails when podManagementPolicy is Parallel', () => {
    expect(() => ring({ podManagementPolicy: PodManagementPolicy.PARALLEL })).toThrow(
      `${WHERE}: invalid 'podManagementPolicy': "Parallel". Must be OrderedReady: Cassandra nodes must join the ring one at a time. Leave 'podManagementPolicy' out.`);
  });

  test('fails when the headless Service would hide not-ready pods', () => {
    expect(() => ring({ headlessService: { publishNotReadyAddresses: false } })).toThrow(
      `${WHERE}: invalid 'headlessService.publishNotReadyAddresses': false. Must be true`);
  });

  test('fails when a governing Service is given', () => {
    const chart = shopChart();
    const svc = new Service(chart, 'svc', { metadata: { name: 'nodes' }, clusterIP: 'None', ports: [{ port: 9042 }] });
    expect(() => new Cassandra(chart, 'ring', { governingService: svc })).toThrow(
      `${WHERE}: invalid 'governingService': "nodes". Cannot be set`);
  });

  test('fails when the image repository is not a path', () => {
    expect(() => ring({ image: { repository: 'Cassandra:4' } })).toThrow(`${WHERE}: invalid 'image.repository': "Cassandra:4".`);
  });
});
