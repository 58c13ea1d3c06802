/**
 * The Cassandra engine (src/engines/private/cassandra.ts), checked through its rendered
 * configuration: Cassandra has no Debian package and its image cannot run here. What the image's
 * entrypoint does with the env vars (sed substitutions into cassandra.yaml and
 * cassandra-rackdc.properties) is reproduced with the real `sed` to show which names survive it.
 */
import { execFileSync } from 'node:child_process';
import {
  CASSANDRA_DEFAULT_IMAGE,
  cassandraHeap,
  cassandraSeeds,
  CassandraEngine,
  CassandraEngineOptions,
  renderCassandra,
} from '../../../src/engines/private/cassandra';
import { expectValidManifests } from '../../util/k8s-schema';

const WHERE = "Cassandra 'test/ring'";
const BASE: CassandraEngineOptions = { statefulSetName: 'ring', serviceName: 'ring', namespace: 'shop', memoryLimit: '4Gi' };
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

const envOf = (r: CassandraEngine) => Object.fromEntries(r.env.map(e => [e.name, e.value ?? e.valueFrom]));

describe('renderCassandra: rendering', () => {
  test('defaults', () => {
    const r = renderCassandra(WHERE, BASE);
    expect(r.image).toBe(CASSANDRA_DEFAULT_IMAGE);
    expect(r.image).toBe('docker.io/library/cassandra:4.1.12');
    expect(r.podCount).toBe(3);
    expect(r.seeds).toEqual(['ring-0.ring.shop.svc.cluster.local', 'ring-1.ring.shop.svc.cluster.local']);
    expect(r.env).toEqual([
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'CASSANDRA_CLUSTER_NAME', value: 'ring' },
      { name: 'CASSANDRA_SEEDS', value: 'ring-0.ring.shop.svc.cluster.local,ring-1.ring.shop.svc.cluster.local' },
      { name: 'CASSANDRA_LISTEN_ADDRESS', value: '$(POD_IP)' },
      { name: 'CASSANDRA_BROADCAST_ADDRESS', value: '$(POD_IP)' },
      { name: 'CASSANDRA_RPC_ADDRESS', value: '0.0.0.0' },
      { name: 'CASSANDRA_BROADCAST_RPC_ADDRESS', value: '$(POD_IP)' },
      { name: 'CASSANDRA_ENDPOINT_SNITCH', value: 'GossipingPropertyFileSnitch' },
      { name: 'CASSANDRA_DC', value: 'dc1' },
      { name: 'CASSANDRA_RACK', value: 'rack1' },
      { name: 'MAX_HEAP_SIZE', value: '1024M' },
      { name: 'HEAP_NEWSIZE', value: '256M' },
    ]);
    expect(r.initContainer).toEqual({
      name: 'cassandra-config',
      image: 'docker.io/library/cassandra:4.1.12',
      command: ['sh', '-c', 'set -e; cp -R /etc/cassandra/. /cassandra-config/; test -f /cassandra-config/cassandra.yaml'],
      volumeMounts: [{ name: 'cassandra-config', mountPath: '/cassandra-config' }],
    });
    expect(r.volumes).toEqual([
      { name: 'cassandra-config', emptyDir: {} },
      { name: 'cassandra-logs', emptyDir: {} },
      { name: 'cassandra-tmp', emptyDir: {} },
    ]);
    expect(r.volumeMounts).toEqual([
      { name: 'cassandra-config', mountPath: '/etc/cassandra' },
      { name: 'cassandra-logs', mountPath: '/var/log/cassandra' },
      { name: 'cassandra-tmp', mountPath: '/tmp' },
    ]);
    expect(r.dataMountPath).toBe('/var/lib/cassandra');
    expect(r.ports).toEqual([
      { name: 'cql', containerPort: 9042, protocol: 'TCP' },
      { name: 'intra-node', containerPort: 7000, protocol: 'TCP' },
    ]);
    expect(r.user).toBe(999);
    expect(r.group).toBe(999);
    expect(r.terminationGracePeriodSeconds).toBe(1800);
    expect(r.podManagementPolicy).toBe('OrderedReady');
    expect(r.publishNotReadyAddresses).toBe(true);
    expect([r.clusterName, r.datacenter, r.rack]).toEqual(['ring', 'dc1', 'rack1']);
  });

  test('probes: readiness on the CQL port, startup and liveness on the storage port, no JVM started', () => {
    const r = renderCassandra(WHERE, BASE);
    expect(r.readinessProbe).toEqual({ tcpSocket: { port: 9042 }, periodSeconds: 10, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 3 });
    expect(r.startupProbe).toEqual({ tcpSocket: { port: 7000 }, periodSeconds: 10, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 180 });
    expect(r.startupProbe.periodSeconds * r.startupProbe.failureThreshold).toBe(30 * 60);
    expect(r.livenessProbe).toEqual({ tcpSocket: { port: 7000 }, periodSeconds: 15, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 4 });
  });

  test('all options', () => {
    const r = renderCassandra(WHERE, {
      ...BASE,
      namespace: undefined,
      startOrdinal: 2,
      nodes: 5,
      seeds: 3,
      clusterName: 'Shop Cluster',
      datacenter: 'eu-west.1',
      rack: 'rack_a',
      memoryLimit: 8 * GIB,
      maxHeapSize: '3Gi',
      heapNewSize: '600Mi',
      image: 'registry.example/cassandra:4.1.8',
    });
    expect(r.podCount).toBe(5);
    expect(r.seeds).toEqual(['ring-2.ring', 'ring-3.ring', 'ring-4.ring']);
    expect(r.image).toBe('registry.example/cassandra:4.1.8');
    expect(r.initContainer.image).toBe('registry.example/cassandra:4.1.8');
    expect(envOf(r)).toMatchObject({
      CASSANDRA_CLUSTER_NAME: 'Shop Cluster',
      CASSANDRA_SEEDS: 'ring-2.ring,ring-3.ring,ring-4.ring',
      CASSANDRA_DC: 'eu-west.1',
      CASSANDRA_RACK: 'rack_a',
      MAX_HEAP_SIZE: '3072M',
      HEAP_NEWSIZE: '600M',
    });
    expect([r.memoryLimitBytes, r.maxHeapBytes, r.heapNewBytes]).toEqual([8 * GIB, 3 * GIB, 600 * MIB]);
  });

  test('one node: one seed, itself', () => {
    expect(renderCassandra(WHERE, { ...BASE, nodes: 1 }).seeds).toEqual(['ring-0.ring.shop.svc.cluster.local']);
  });

  test('every node a seed is allowed', () => {
    expect(cassandraSeeds(WHERE, BASE, 3, 3)).toHaveLength(3);
  });

  test('the cluster domain is used in the seeds', () => {
    expect(renderCassandra(WHERE, { ...BASE, clusterDomain: 'corp.internal' }).seeds[0]).toBe('ring-0.ring.shop.svc.corp.internal');
  });

  test.each<[string, number, number]>([
    // cassandra-env.sh's formula on the limit: max(min(limit/2, 1Gi), min(limit/4, 8Gi)); new gen a quarter
    ['1Gi', 512, 128],
    ['1536Mi', 768, 192],
    ['2Gi', 1024, 256],
    ['4Gi', 1024, 256],
    ['8Gi', 2048, 512],
    ['16Gi', 4096, 1024],
    ['64Gi', 8192, 2048],
    ['3G', 1024, 256],
  ])('default heap for a %s limit: %d MiB, new generation %d MiB', (memoryLimit, heap, young) => {
    const r = renderCassandra(WHERE, { ...BASE, memoryLimit });
    expect(envOf(r)).toMatchObject({ MAX_HEAP_SIZE: `${heap}M`, HEAP_NEWSIZE: `${young}M` });
  });

  test('heap sizes are Kubernetes quantities rendered in whole MiB, rounded down', () => {
    expect(cassandraHeap(WHERE, '4Gi', '1G', '200M')).toEqual({ limitBytes: 4 * GIB, maxHeapBytes: 953 * MIB, heapNewBytes: 190 * MIB });
    expect(envOf(renderCassandra(WHERE, { ...BASE, maxHeapSize: '1G' }))).toMatchObject({ MAX_HEAP_SIZE: '953M', HEAP_NEWSIZE: '238M' });
  });

  test('only the young generation set: the heap keeps its default', () => {
    expect(envOf(renderCassandra(WHERE, { ...BASE, heapNewSize: '100Mi' }))).toMatchObject({ MAX_HEAP_SIZE: '1024M', HEAP_NEWSIZE: '100M' });
  });

  test('the largest heap a limit takes leaves exactly the off-heap reserve', () => {
    // 4Gi - (256Mi + min(512Mi, heap/4)): a 3Gi heap needs 256 + 512 = 768Mi
    expect(() => cassandraHeap(WHERE, '4Gi', `${4096 - 768}Mi`)).not.toThrow();
    expect(() => cassandraHeap(WHERE, '4Gi', `${4096 - 767}Mi`)).toThrow(/invalid 'maxHeapSize'/);
  });

  test('the rendered parts are valid core/v1 in a StatefulSet (Kubernetes 1.27 schema)', () => {
    expectValidManifests([statefulSetOf(renderCassandra(WHERE, BASE))]);
  });

  test('prop names: errors name the construct\'s prop', () => {
    expect(() => renderCassandra(WHERE, { ...BASE, seeds: 4 }, { seeds: 'cassandra.seeds', nodes: 'cassandra.nodes' })).toThrow(new Error(
      `${WHERE}: invalid 'cassandra.seeds': 4. Must be at most 'cassandra.nodes' (3): the seeds are the first pods. `
      + 'Set \'cassandra.seeds\' to a number from 1 to 3, or raise \'cassandra.nodes\'.'));
  });
});

describe('renderCassandra: errors', () => {
  test('fails when there are more seeds than nodes', () => {
    expect(() => renderCassandra(WHERE, { ...BASE, nodes: 3, seeds: 4 })).toThrow(new Error(
      `${WHERE}: invalid 'seeds': 4. Must be at most 'nodes' (3): the seeds are the first pods. Set 'seeds' to a number from 1 to 3, or raise 'nodes'.`));
  });

  test.each([0, -1, 1.5])('fails when seeds is %p', seeds => {
    expect(() => renderCassandra(WHERE, { ...BASE, seeds }))
      .toThrow(new Error(`${WHERE}: invalid 'seeds': ${seeds}. Must be an integer of at least 1. Set 'seeds' to an integer of at least 1.`));
  });

  test.each([0, -3])('fails when nodes is %p', nodes => {
    expect(() => renderCassandra(WHERE, { ...BASE, nodes }))
      .toThrow(new Error(`${WHERE}: invalid 'nodes': ${nodes}. Must be an integer of at least 1. Set 'nodes' to an integer of at least 1.`));
  });

  test('fails when the heap is at the memory limit', () => {
    expect(() => renderCassandra(WHERE, { ...BASE, memoryLimit: '2Gi', maxHeapSize: '2Gi' })).toThrow(new Error(
      `${WHERE}: invalid 'maxHeapSize': "2Gi". Must be below 'memoryLimit' ("2Gi"): a heap at or above the memory limit gets the container OOM-killed. `
      + 'Set \'maxHeapSize\' to at most 1280Mi, or raise \'memoryLimit\'.'));
  });

  test('fails when the heap is above the memory limit', () => {
    expect(() => renderCassandra(WHERE, { ...BASE, memoryLimit: '2Gi', maxHeapSize: 3 * GIB }))
      .toThrow(/invalid 'maxHeapSize': 3221225472\. Must be below 'memoryLimit' \("2Gi"\): a heap at or above the memory limit/);
  });

  test('fails when the heap leaves too little of the limit for off-heap memory', () => {
    expect(() => renderCassandra(WHERE, { ...BASE, memoryLimit: '2Gi', maxHeapSize: '1792Mi' })).toThrow(new Error(
      `${WHERE}: invalid 'maxHeapSize': "1792Mi". Must leave 704Mi of 'memoryLimit' ("2Gi") for off-heap memory (256Mi for metaspace, thread stacks `
      + 'and network buffers, and the chunk cache: a quarter of the heap, at most 512Mi); 256Mi are left. '
      + 'Set \'maxHeapSize\' to at most 1344Mi, or raise \'memoryLimit\'.'));
  });

  test('fails when the heap is below the minimum', () => {
    expect(() => renderCassandra(WHERE, { ...BASE, maxHeapSize: '128Mi' }))
      .toThrow(new Error(`${WHERE}: invalid 'maxHeapSize': "128Mi". Must be at least 256Mi. Set 'maxHeapSize' to "256Mi" or more.`));
  });

  test('fails when the young generation is as large as the heap', () => {
    expect(() => renderCassandra(WHERE, { ...BASE, maxHeapSize: '1Gi', heapNewSize: '1Gi' })).toThrow(new Error(
      `${WHERE}: invalid 'heapNewSize': "1Gi". Must be below the heap 'maxHeapSize' (1Gi): the young generation is part of the heap. `
      + 'Set \'heapNewSize\' to a quarter of the heap or less, e.g. 256Mi.'));
  });

  test('fails when the young generation is larger than the default heap', () => {
    expect(() => renderCassandra(WHERE, { ...BASE, heapNewSize: '2Gi' }))
      .toThrow(/invalid 'heapNewSize': "2Gi"\. Must be below the heap 'maxHeapSize' \(1Gi\)/);
  });

  test('fails when the young generation rounds down to nothing', () => {
    expect(() => renderCassandra(WHERE, { ...BASE, heapNewSize: '100Ki' }))
      .toThrow(/invalid 'heapNewSize': "100Ki"\. Must be at least 1Mi \(it is rendered in whole MiB\)/);
  });

  test('fails when the memory limit is too small for Cassandra', () => {
    expect(() => renderCassandra(WHERE, { ...BASE, memoryLimit: '768Mi' })).toThrow(new Error(
      `${WHERE}: invalid 'memoryLimit': "768Mi". Must be at least 1Gi: Cassandra needs a heap of at least 256Mi and as much again off the heap. `
      + 'Set \'memoryLimit\' to "1Gi" or more ("4Gi" or more for production).'));
  });

  test.each<[string | number]>([['four gigs'], [0], ['-4Gi']])('fails when the memory limit is %p', memoryLimit => {
    expect(() => renderCassandra(WHERE, { ...BASE, memoryLimit })).toThrow(/invalid 'memoryLimit': .*\. Must be a positive Kubernetes quantity/);
  });

  test.each([
    ['a slash', 'shop/prod'],
    ['an ampersand', 'shop&prod'],
    ['a backslash', 'shop\\prod'],
    ['a newline', 'shop\nprod'],
    ['a colon', 'shop: prod'],
    ['a comment sign', 'shop #prod'],
    ['a quote', 'shop"prod'],
    ['a leading digit', '1shop'],
    ['a trailing space', 'shop '],
    ['a YAML boolean', 'Yes'],
    ['a YAML null', 'null'],
    ['nothing', ''],
    ['65 characters', 'c'.repeat(65)],
  ])('fails when the cluster name has %s', (_what, clusterName) => {
    expect(() => renderCassandra(WHERE, { ...BASE, clusterName })).toThrow(new Error(
      `${WHERE}: invalid 'clusterName': "${clusterName}". Must be 1 to 64 letters, digits, spaces, '_', '.' and '-', starting with a letter `
      + 'and not ending with a space, and not a YAML boolean or null word (yes, no, on, off, true, false, null): the image\'s entrypoint writes it '
      + 'unquoted into cassandra.yaml with sed. Set \'clusterName\' to a name such as "shop-cluster".'));
  });

  test('fails when the default cluster name (the StatefulSet name) starts with a digit', () => {
    expect(() => renderCassandra(WHERE, { ...BASE, statefulSetName: '1ring' })).toThrow(/invalid 'clusterName': "1ring"/);
  });

  test.each<['datacenter' | 'rack', string]>([
    ['datacenter', 'eu west'],
    ['datacenter', 'dc/1'],
    ['datacenter', 'dc=1'],
    ['datacenter', '-dc'],
    ['datacenter', ''],
    ['rack', 'rack&1'],
    ['rack', 'rack\\1'],
    ['rack', 'r'.repeat(65)],
  ])('fails when %s is %p', (prop, value) => {
    expect(() => renderCassandra(WHERE, { ...BASE, [prop]: value })).toThrow(new Error(
      `${WHERE}: invalid '${prop}': "${value}". Must be 1 to 64 letters, digits, '_', '.' and '-', starting with a letter or digit: `
      + 'the image\'s entrypoint writes it into cassandra-rackdc.properties with sed. '
      + `Set '${prop}' to a name such as "${prop === 'rack' ? 'rack1' : 'dc1'}".`));
  });

  test.each<[keyof CassandraEngineOptions, unknown, RegExp]>([
    ['startOrdinal', -1, /invalid 'startOrdinal': -1\. Must be an integer of at least 0\./],
    ['statefulSetName', 'Ring', /invalid 'statefulSetName': "Ring"\. Must be a DNS-1123 label/],
    ['serviceName', 'ring.svc', /invalid 'serviceName': "ring.svc"\. Must be a DNS-1035 label/],
    ['namespace', 'a_b', /invalid 'namespace': "a_b"\. Must be a DNS-1123 label/],
    ['image', '', /invalid 'image': ""\. Must be an image reference/],
  ])('fails when %s is %p', (key, value, message) => {
    expect(() => renderCassandra(WHERE, { ...BASE, [key]: value })).toThrow(message);
  });
});

describe('renderCassandra: error messages and boundaries', () => {
  test('cassandraSeeds and cassandraHeap on their own name the default props', () => {
    expect(() => cassandraSeeds(WHERE, BASE, 2, 3)).toThrow(new Error(
      `${WHERE}: invalid 'seeds': 3. Must be at most 'nodes' (2): the seeds are the first pods. Set 'seeds' to a number from 1 to 2, or raise 'nodes'.`));
    expect(() => cassandraSeeds(WHERE, BASE, 0, 1)).toThrow(/invalid 'nodes': 0\./);
    expect(() => cassandraHeap(WHERE, '768Mi')).toThrow(/^Cassandra 'test\/ring': invalid 'memoryLimit': "768Mi"\. Must be at least 1Gi/);
    expect(() => cassandraHeap(WHERE, '4Gi', undefined, '100Ki')).toThrow(new Error(
      `${WHERE}: invalid 'heapNewSize': "100Ki". Must be at least 1Mi (it is rendered in whole MiB). Set 'heapNewSize' to e.g. a quarter of the heap.`));
  });

  test('prop names reach the heap checks', () => {
    const props = { memoryLimit: 'c.memoryLimit', maxHeapSize: 'c.maxHeapSize', heapNewSize: 'c.heapNewSize' };
    expect(() => renderCassandra(WHERE, { ...BASE, memoryLimit: '768Mi' }, props)).toThrow(/invalid 'c\.memoryLimit': "768Mi"/);
    expect(() => renderCassandra(WHERE, { ...BASE, maxHeapSize: '128Mi' }, props)).toThrow(/invalid 'c\.maxHeapSize': "128Mi"/);
    expect(() => renderCassandra(WHERE, { ...BASE, heapNewSize: '100Ki' }, props)).toThrow(/invalid 'c\.heapNewSize': "100Ki"/);
  });

  test('the smallest heap (256Mi) and young generation (1Mi) are accepted', () => {
    expect(cassandraHeap(WHERE, '4Gi', '256Mi', '1Mi')).toEqual({ limitBytes: 4 * GIB, maxHeapBytes: 256 * MIB, heapNewBytes: MIB });
  });

  test('sizes given in bytes are shown as bytes in messages', () => {
    expect(() => renderCassandra(WHERE, { ...BASE, memoryLimit: 2 * GIB, maxHeapSize: 3 * GIB }))
      .toThrow(/invalid 'maxHeapSize': 3221225472\. Must be below 'memoryLimit' \(2147483648 bytes\)/);
    expect(() => renderCassandra(WHERE, { ...BASE, maxHeapSize: '1Gi', heapNewSize: GIB }))
      .toThrow(/invalid 'heapNewSize': 1073741824\. Must be below the heap 'maxHeapSize' \(1Gi\)/);
  });

  test.each(['y', 'N', 'no', 'True', 'false', 'ON', 'off', 'yes', 'NULL'])('fails when the cluster name is the YAML word %p', clusterName => {
    expect(() => renderCassandra(WHERE, { ...BASE, clusterName })).toThrow(/invalid 'clusterName': .*not a YAML boolean or null word/);
  });

  test('a one-letter cluster name is accepted', () => {
    expect(renderCassandra(WHERE, { ...BASE, clusterName: 'c' }).env).toContainEqual({ name: 'CASSANDRA_CLUSTER_NAME', value: 'c' });
  });

  test('fails when the image is blank', () => {
    expect(() => renderCassandra(WHERE, { ...BASE, image: ' ' }))
      .toThrow(new Error(`${WHERE}: invalid 'image': " ". Must be an image reference. Set 'image' to e.g. "docker.io/library/cassandra:4.1.12".`));
  });
});

/**
 * What the official image's entrypoint does with a value, as documented in its source: a `sed -r`
 * substitution per setting. `key: value` lines of cassandra.yaml (commented out or not), the seed
 * list inside double quotes, `key=value` lines of cassandra-rackdc.properties.
 */
function entrypointEdit(file: string, kind: 'yaml' | 'seeds' | 'properties', key: string, value: string): string {
  const expression = {
    yaml: `s/^(# )?(${key}:).*/\\2 ${value}/`,
    seeds: `s/(- seeds:).*/\\1 "${value}"/`,
    properties: `s/^(${key}=).*/\\1 ${value}/`,
  }[kind];
  return execFileSync('sed', ['-r', expression], { input: file, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

const CASSANDRA_YAML = [
  "cluster_name: 'Test Cluster'",
  'seed_provider:',
  '  - class_name: org.apache.cassandra.locator.SimpleSeedProvider',
  '    parameters:',
  '      - seeds: "127.0.0.1:7000"',
  'listen_address: localhost',
  '# broadcast_address: 1.2.3.4',
  'endpoint_snitch: SimpleSnitch',
  '',
].join('\n');
const RACKDC = 'dc=dc1\nrack=rack1\n';

describe('the rendered values survive the entrypoint\'s sed edits', () => {
  test('every rendered cassandra.yaml value lands on its line, as written', () => {
    const r = renderCassandra(WHERE, { ...BASE, clusterName: 'Shop Cluster-1.a_b', datacenter: 'eu-west.1', rack: 'rack_a' });
    const env = envOf(r);
    let yaml = entrypointEdit(CASSANDRA_YAML, 'seeds', '', env.CASSANDRA_SEEDS as string);
    yaml = entrypointEdit(yaml, 'yaml', 'cluster_name', env.CASSANDRA_CLUSTER_NAME as string);
    yaml = entrypointEdit(yaml, 'yaml', 'endpoint_snitch', env.CASSANDRA_ENDPOINT_SNITCH as string);
    yaml = entrypointEdit(yaml, 'yaml', 'broadcast_address', '10.1.2.3');
    expect(yaml.split('\n')).toEqual([
      'cluster_name: Shop Cluster-1.a_b',
      'seed_provider:',
      '  - class_name: org.apache.cassandra.locator.SimpleSeedProvider',
      '    parameters:',
      '      - seeds: "ring-0.ring.shop.svc.cluster.local,ring-1.ring.shop.svc.cluster.local"',
      'listen_address: localhost',
      'broadcast_address: 10.1.2.3',
      'endpoint_snitch: GossipingPropertyFileSnitch',
      '',
    ]);
    let rackdc = entrypointEdit(RACKDC, 'properties', 'dc', env.CASSANDRA_DC as string);
    rackdc = entrypointEdit(rackdc, 'properties', 'rack', env.CASSANDRA_RACK as string);
    expect(rackdc).toBe('dc= eu-west.1\nrack= rack_a\n');
  });

  test.each([
    ['/', 'shop/prod'],
    ['&', 'shop&prod'],
    ['\\', 'shop\\1prod'],
  ])('why %p is refused: the substitution fails or writes something else', (_char, name) => {
    let edited: string;
    try {
      edited = entrypointEdit(CASSANDRA_YAML, 'yaml', 'cluster_name', name);
    } catch {
      return; // sed refuses the expression: the container would not start
    }
    expect(edited.split('\n')[0]).not.toBe(`cluster_name: ${name}`);
  });
});

/** A StatefulSet built from the rendered parts, as a preset would. */
function statefulSetOf(r: CassandraEngine): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'ring' },
    spec: {
      serviceName: 'ring',
      replicas: r.podCount,
      podManagementPolicy: r.podManagementPolicy,
      selector: { matchLabels: { app: 'cassandra' } },
      template: {
        metadata: { labels: { app: 'cassandra' } },
        spec: {
          terminationGracePeriodSeconds: r.terminationGracePeriodSeconds,
          securityContext: { runAsNonRoot: true, runAsUser: r.user, runAsGroup: r.group, fsGroup: r.user },
          initContainers: [r.initContainer],
          containers: [{
            name: 'cassandra',
            image: r.image,
            env: r.env,
            ports: r.ports,
            startupProbe: r.startupProbe,
            livenessProbe: r.livenessProbe,
            readinessProbe: r.readinessProbe,
            resources: { limits: { memory: '4Gi' }, requests: { memory: '4Gi' } },
            volumeMounts: [...r.volumeMounts, { name: 'data', mountPath: r.dataMountPath }],
          }],
          volumes: r.volumes,
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } }],
    },
  };
}
