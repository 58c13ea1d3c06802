import { Chart, Duration, JsonPatch, Size, Testing } from 'cdk8s';
import { Cpu, Deployment, EnvValue, PodManagementPolicy, Secret, Service, Topology } from 'cdk8s-plus-27';
import {
  Cassandra,
  CassandraProps,
  CassandraVersion,
  DataStoreConnection,
  DataStoreCredentials,
  DisruptionBudget,
  IDataStore,
  StorageClass,
  UnsatisfiableSpread,
  Warnings,
} from '../../src';
import { declareIngressIsolation } from '../../src/private/app-index';
import { podSpecsOf, restrictedViolations } from '../../src/private/pod-security';
import { allWarnings, STRICT_ENV } from '../../src/private/warnings';
import { findOne, synthValid } from '../util/harness';
import { PodNetwork } from '../util/pod-network';

function shopChart(): Chart {
  return new Chart(Testing.app(), 'test', { namespace: 'shop' });
}

/** The superuser's credentials in the Secret `ring-admin`, created outside the chart. */
function adminOf(chart: Chart): DataStoreCredentials {
  return DataStoreCredentials.fromSecret(Secret.fromSecretName(chart, 'admin', 'ring-admin'));
}

/** A ring `ring` with the credentials of `adminOf()`, unless `props` turns authentication off. */
function ring(props: CassandraProps = {}): { chart: Chart; ring: Cassandra } {
  const chart = shopChart();
  const auth = props.allowUnauthenticated ? {} : { credentials: adminOf(chart) };
  return { chart, ring: new Cassandra(chart, 'ring', { metadata: { name: 'ring' }, ...auth, ...props }) };
}

const envOf = (container: any) => Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
const cassandraOf = (sts: any) => sts.spec.template.spec.containers.find((c: any) => c.name === 'cassandra');

describe('Cassandra', () => {
  test('defaults', () => {
    // GIVEN
    const chart = shopChart();

    // WHEN
    const store = new Cassandra(chart, 'ring', { credentials: adminOf(chart) });

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
    expect(init.command[2]).toContain("sed -i -e 's/^authenticator:.*/authenticator: PasswordAuthenticator/' -e 's/^authorizer:.*/authorizer: CassandraAuthorizer/'");
    // the seed wait runs first, from the image itself, on the seeds the node reads
    expect(pod.initContainers.map((i: any) => i.name)).toEqual(['wait-for-seeds', 'cassandra-config']);
    const wait = pod.initContainers[0];
    expect(wait.image).toBe(c.image);
    expect(wait.env).toEqual([{ name: 'CASSANDRA_SEEDS', value: seeds }]);
    expect(wait.command[2]).toContain('getent hosts "$name"');
    // the sidecar that replaces the default superuser: the Secret only by reference
    expect(pod.containers.map((x: any) => x.name)).toEqual(['cassandra', 'cassandra-auth']);
    const auth = pod.containers[1];
    expect(auth.image).toBe(c.image);
    expect(envOf(auth)).toEqual({
      CASSANDRA_AUTH_USERNAME: { secretKeyRef: { name: 'ring-admin', key: 'username' } },
      CASSANDRA_AUTH_PASSWORD: { secretKeyRef: { name: 'ring-admin', key: 'password' } },
      CASSANDRA_AUTH_DATACENTER: 'dc1',
      CASSANDRA_AUTH_NODES: '3',
      CASSANDRA_AUTH_REPLICATION: '3',
      CASSANDRA_AUTH_MARKER: '/var/lib/cassandra/.cdk8s-stateful-system-auth-repaired',
      CASSANDRA_AUTH_RETRY_SECONDS: '10',
      CASSANDRA_AUTH_CHECK_SECONDS: '60',
      HOME: '/run/cassandra-auth',
    });
    expect(auth.resources).toEqual({ limits: { memory: '384Mi' }, requests: { cpu: '50m', memory: '384Mi' } });
    expect(auth.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'cassandra-auth', mountPath: '/run/cassandra-auth' },
      { name: 'data', mountPath: '/var/lib/cassandra' },
    ]));
    expect(auth.readinessProbe).toBeUndefined();
    expect(auth.livenessProbe).toBeUndefined();
    expect(pod.volumes).toContainEqual({ name: 'cassandra-auth', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
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
    expect(asStore.credentials?.secret.name).toBe('ring-admin');
    expect(store.authReplication).toBe(3);
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
      credentials: DataStoreCredentials.fromSecret(Secret.fromSecretName(chart, 'admin', 'orders-admin'), { usernameKey: 'user', passwordKey: 'pass' }),
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
    expect(store.authReplication).toBe(3);
    const auth = sts.spec.template.spec.containers.find((x: any) => x.name === 'cassandra-auth');
    expect(envOf(auth)).toMatchObject({
      CASSANDRA_AUTH_USERNAME: { secretKeyRef: { name: 'orders-admin', key: 'user' } },
      CASSANDRA_AUTH_PASSWORD: { secretKeyRef: { name: 'orders-admin', key: 'pass' } },
      CASSANDRA_AUTH_DATACENTER: 'eu-west',
      CASSANDRA_AUTH_NODES: '5',
      CASSANDRA_AUTH_REPLICATION: '3',
    });
    expect(sts.spec.template.spec.initContainers[0].env).toEqual([{ name: 'CASSANDRA_SEEDS', value: envOf(c).CASSANDRA_SEEDS }]);
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
    expect(() => new Cassandra(chart, 'ring', { governingService: svc, allowUnauthenticated: true })).toThrow(
      /\. Leave 'governingService' out and name the created Service with 'headlessService.name'\.$/);
  });

  test('resources are merged over the defaults field by field: only a memory size keeps the CPU request', () => {
    const { chart } = ring({ resources: { memory: { limit: Size.gibibytes(4) } } });
    const c = cassandraOf(findOne(synthValid(chart), 'StatefulSet'));
    expect(c.resources).toEqual({ limits: { memory: '4Gi' }, requests: { cpu: '1', memory: '4Gi' } });
  });

  test('resources: only a CPU request keeps the memory request and limit', () => {
    const { chart } = ring({ resources: { cpu: { request: Cpu.units(2) } } });
    const c = cassandraOf(findOne(synthValid(chart), 'StatefulSet'));
    expect(c.resources).toEqual({ limits: { memory: '2Gi' }, requests: { cpu: '2', memory: '2Gi' } });
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
    expect(() => new Cassandra(chart, 'ring', { governingService: svc, allowUnauthenticated: true })).toThrow(
      `${WHERE}: invalid 'governingService': "nodes". Cannot be set`);
  });

  test('fails when the image repository is not a path', () => {
    expect(() => ring({ image: { repository: 'Cassandra:4' } })).toThrow(`${WHERE}: invalid 'image.repository': "Cassandra:4".`);
  });
});

describe('Cassandra authentication', () => {
  const WHERE = "Cassandra 'test/ring'";

  test('fails when neither credentials nor allowUnauthenticated is given', () => {
    const chart = shopChart();
    expect(() => new Cassandra(chart, 'ring', { metadata: { name: 'ring' } })).toThrow(new Error(
      `${WHERE}: invalid 'credentials': "unset". Must be set, or authentication turned off explicitly with 'allowUnauthenticated: true': `
      + 'a ring without authentication serves every pod in the cluster. Set \'credentials\' to DataStoreCredentials.fromSecret(secret) with a Secret '
      + 'holding the superuser\'s user name and password, or set \'allowUnauthenticated: true\' for a ring your own NetworkPolicy isolates.'));
    expect(() => new Cassandra(shopChart(), 'ring', { allowUnauthenticated: false })).toThrow(`${WHERE}: invalid 'credentials': "unset".`);
  });

  test('fails when credentials and allowUnauthenticated are both given', () => {
    expect(() => ring({ credentials: adminOf(shopChart()), allowUnauthenticated: true })).toThrow(new Error(
      `${WHERE}: invalid 'allowUnauthenticated': true. Cannot be combined with 'credentials': a ring with credentials refuses clients without them. `
      + 'Leave \'allowUnauthenticated\' out.'));
  });

  test('fails when the credentials have no user name', () => {
    const chart = shopChart();
    expect(() => new Cassandra(chart, 'ring', {
      credentials: DataStoreCredentials.fromPasswordSecret(Secret.fromSecretName(chart, 'pw', 'ring-pw')),
    })).toThrow(new Error(
      `${WHERE}: invalid 'credentials': "DataStoreCredentials.fromPasswordSecret()". Must have a user name key: Cassandra's PasswordAuthenticator `
      + 'logs roles in by name, and the superuser role is created from the Secret\'s user name. Use DataStoreCredentials.fromSecret(secret, { usernameKey, passwordKey }).'));
  });

  test('consumers get the role\'s user name and password from the Secret; the manifests hold neither', () => {
    // GIVEN a Secret the app renders (to show its values stay in it)
    const chart = shopChart();
    const secret = new Secret(chart, 'admin', { metadata: { name: 'ring-admin' }, stringData: { username: 'orders_admin', password: 'not-in-any-other-object' } });
    const store = new Cassandra(chart, 'ring', { metadata: { name: 'ring' }, credentials: DataStoreCredentials.fromSecret(secret) });
    const api = new Deployment(chart, 'api', {
      containers: [{ image: 'registry.example.com/orders/api:1.0.0', securityContext: { user: 1000, group: 1000 } }],
    });

    // WHEN
    new DataStoreConnection(chart, 'conn', { store, consumers: [api.containers[0]] });
    const manifests = synthValid(chart);

    // THEN
    const env = findOne(manifests, 'Deployment').spec.template.spec.containers[0].env;
    expect(env).toEqual(expect.arrayContaining([
      { name: 'RING_USERNAME', valueFrom: { secretKeyRef: { name: 'ring-admin', key: 'username' } } },
      { name: 'RING_PASSWORD', valueFrom: { secretKeyRef: { name: 'ring-admin', key: 'password' } } },
    ]));
    for (const m of manifests.filter(x => x.kind !== 'Secret')) expect(JSON.stringify(m)).not.toContain('not-in-any-other-object');
    expect(Warnings.of(chart).list()).toEqual([]);
  });

  test.each<[string, Record<string, string>, string]>([
    ['the user name is the default superuser', { username: 'cassandra', password: 'x' },
      `${WHERE}: invalid 'credentials.usernameKey ("username" of the Secret "ring-admin")': "cassandra". Must not be "cassandra": that is the image's default `
      + 'superuser (password "cassandra"), which the preset drops once the Secret\'s role exists. Set the user name to another name, such as "admin".'],
    ['the user name has a space', { username: 'orders admin', password: 'x' },
      `${WHERE}: invalid 'credentials.usernameKey ("username" of the Secret "ring-admin")': "orders admin". Must be 1 or more letters, digits, '_', '.', '@' and '-'`],
    ['the password ends with a newline', { username: 'admin', password: 'secret-value\n' },
      `${WHERE}: invalid 'credentials.passwordKey ("password" of the Secret "ring-admin")': "(the password)". Must be a non-empty password without line breaks `
      + 'and without white space at either end: cqlsh reads it from its configuration file, which cannot keep them. Put another password in the Secret.'],
    ['the password is empty', { username: 'admin', password: '' }, "invalid 'credentials.passwordKey"],
  ])('fails synthesis when %s in a Secret the app renders', (_name, stringData, error) => {
    const chart = shopChart();
    const secret = new Secret(chart, 'admin', { metadata: { name: 'ring-admin' }, stringData });
    new Cassandra(chart, 'ring', { metadata: { name: 'ring' }, credentials: DataStoreCredentials.fromSecret(secret) });
    expect(() => Testing.synth(chart)).toThrow(error);
    try {
      Testing.synth(chart);
    } catch (e) {
      expect((e as Error).message).not.toContain('secret-value');
    }
  });

  test('a Secret\'s data (base64) is checked too; a good one passes', () => {
    const chart = shopChart();
    const secret = new Secret(chart, 'admin', { metadata: { name: 'ring-admin' } });
    secret.addStringData('password', 'a good password');
    (secret as any).apiObject.addJsonPatch(JsonPatch.add('/data', { username: Buffer.from('cassandra').toString('base64') }));
    new Cassandra(chart, 'ring', { metadata: { name: 'ring' }, credentials: DataStoreCredentials.fromSecret(secret) });
    expect(() => Testing.synth(chart)).toThrow(/invalid 'credentials.usernameKey \("username" of the Secret "ring-admin"\)': "cassandra"/);

    const ok = shopChart();
    const good = new Secret(ok, 'admin', { metadata: { name: 'ring-admin' }, stringData: { username: 'orders.admin@shop', password: "it's fine" } });
    new Cassandra(ok, 'ring', { metadata: { name: 'ring' }, credentials: DataStoreCredentials.fromSecret(good) });
    expect(() => synthValid(ok)).not.toThrow();
  });
});

describe('Cassandra without authentication: allowUnauthenticated', () => {
  const ID = 'cdk8s-stateful:unauthenticated-store';
  const MESSAGE = "Cassandra 'test/ring': warning: 'allowUnauthenticated': true. Cassandra \"shop/ring\" serves clients that present no credentials, "
    + 'and nothing limits which pods can connect to it: any pod in the cluster can read, change or delete its data. '
    + "Set 'credentials' to DataStoreCredentials.fromSecret(secret) instead (PasswordAuthenticator, the Secret's role as the superuser); "
    + `or admit only the pods wired to it with a NetworkPolicy and acknowledge this warning with that reason. [${ID}]`;

  beforeEach(() => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    delete process.env[STRICT_ENV];
    jest.restoreAllMocks();
  });

  test('renders the image\'s AllowAllAuthenticator: no sidecar, the configuration copied as it is, no credentials for consumers', () => {
    const { chart, ring: store } = ring({ allowUnauthenticated: true });
    const pod = findOne(synthValid(chart), 'StatefulSet').spec.template.spec;
    expect(pod.containers.map((c: any) => c.name)).toEqual(['cassandra']);
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['wait-for-seeds', 'cassandra-config']);
    expect(pod.initContainers[1].command[2]).not.toContain('authenticator');
    expect(pod.volumes.map((v: any) => v.name)).not.toContain('cassandra-auth');
    expect(store.credentials).toBeUndefined();
    expect(store.authReplication).toBeUndefined();
  });

  test('warns unauthenticated-store once, on the preset, naming the ring and both fixes', () => {
    const { chart } = ring({ allowUnauthenticated: true });
    Testing.synth(chart);
    expect(Warnings.of(chart).list()).toEqual([{
      id: ID, message: MESSAGE, path: 'test/ring', acknowledged: false, reason: undefined, acknowledgedBy: undefined,
    }]);
    expect(console.warn).toHaveBeenCalledWith(`[WARNING] ${MESSAGE}`);
  });

  test('fails synthesis in strict mode, unless acknowledged with a reason', () => {
    const { chart, ring: store } = ring({ allowUnauthenticated: true });
    process.env[STRICT_ENV] = 'true';
    expect(() => Testing.synth(chart)).toThrow(`[test/ring] ${MESSAGE} Strict mode`);

    const acked = ring({ allowUnauthenticated: true });
    Warnings.of(acked.chart).acknowledge(ID, 'the NetworkPolicy ring admits only the orders pods');
    expect(() => Testing.synth(acked.chart)).not.toThrow();
    expect(Warnings.of(acked.chart).list()).toEqual([expect.objectContaining({ acknowledged: true, acknowledgedBy: 'test' })]);
    void store;
  });

  test('is not raised when the ring\'s ingress is isolated to its wired pods', () => {
    const { chart, ring: store } = ring({ allowUnauthenticated: true });
    declareIngressIsolation(store.workload);
    process.env[STRICT_ENV] = 'true';
    expect(() => Testing.synth(chart)).not.toThrow();
    expect(Warnings.of(chart).list()).toEqual([]);
  });
});

describe('the synthesized seed wait, run as the pod would (pods on one machine)', () => {
  // a stand-in for Cassandra 4.1's start: SimpleSeedProvider keeps the seeds that resolve, and the
  // node exits when none does
  const SERVER = [
    'resolved=""',
    'for seed in $(printf "%s" "$CASSANDRA_SEEDS" | tr "," " "); do',
    '  getent hosts "$seed" >/dev/null && resolved="$resolved $seed"',
    'done',
    '[ -n "$resolved" ] || { echo "The seed provider lists no seeds. Fatal configuration error; unable to start server."; exit 3; }',
    'echo "started with seeds:$resolved"',
  ].join('\n');
  let net: PodNetwork;

  beforeEach(() => {
    net = new PodNetwork();
  });

  afterEach(() => net.dispose());

  /** The StatefulSet `ring` in namespace shop, as synthesized. */
  function synthesized(): { wait: any; server: any } {
    const { chart } = ring();
    const pod = findOne(synthValid(chart), 'StatefulSet').spec.template.spec;
    return { wait: pod.initContainers.find((c: any) => c.name === 'wait-for-seeds'), server: cassandraOf({ spec: { template: { spec: pod } } }) };
  }

  const envOf2 = (container: any, hostname: string) => ({
    PATH: process.env.PATH,
    HOSTNAME: hostname,
    ...Object.fromEntries(container.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value])),
  });

  test('the first node of a new ring: without the wait it exits; with it, it starts once its own name is published', async () => {
    const { wait, server } = synthesized();
    const seed0 = 'ring-0.ring.shop.svc.cluster.local';
    const pod0 = net.addPod();

    // without the wait: the record is not published yet, and the node exits
    const early = net.run(['sh', '-c', SERVER], { env: envOf2(server, 'ring-0') });
    expect(early.status).toBe(3);
    expect(early.stdout).toContain('The seed provider lists no seeds.');

    // with it: the init container holds the pod until the endpoints controller publishes the name
    const t0 = Date.now();
    const waiting = net.spawn(wait.command, { env: envOf2(wait, 'ring-0'), stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    waiting.stdout!.on('data', d => log += d);
    setTimeout(() => net.alias(pod0, seed0), 2000);
    const code = await new Promise(resolve => waiting.on('exit', resolve));
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2000);
    expect(log).toContain(`wait-for-seeds: ${seed0} resolves to ${pod0.address}`);
    const started = net.run(['sh', '-c', SERVER], { env: envOf2(server, 'ring-0') });
    expect(started.stdout).toBe(`started with seeds: ${seed0}\n`);
  }, 20_000);

  test('a node after a whole-ring restart exits 1 with the seed names when none resolves in time', async () => {
    const { wait } = synthesized();
    const r = net.run(wait.command, { env: { ...envOf2(wait, 'ring-2'), NAME_WAIT_TIMEOUT_SECONDS: '1' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('wait-for-seeds: no seed name resolved within 1s: ring-0.ring.shop.svc.cluster.local ring-1.ring.shop.svc.cluster.local. '
      + 'Cassandra would exit at start (The seed provider lists no seeds). Check that the headless Service ring exists and publishes not-ready addresses, '
      + 'and that the seed pods exist (kubectl get pods)\n');
  }, 20_000);
});

test('the seed wait\'s bound can be changed through the workload (docs/startup.md)', () => {
  const { chart, ring: store } = ring();
  store.workload.initContainers.find(c => c.name === 'wait-for-seeds')!.env.addVariable('NAME_WAIT_TIMEOUT_SECONDS', EnvValue.fromValue('900'));
  const wait = findOne(synthValid(chart), 'StatefulSet').spec.template.spec.initContainers[0];
  expect(wait.env).toEqual([{ name: 'CASSANDRA_SEEDS', value: store.seeds.join(',') }, { name: 'NAME_WAIT_TIMEOUT_SECONDS', value: '900' }]);
});
