/**
 * The Cassandra engine (src/engines/private/cassandra.ts), checked through its rendered
 * configuration: Cassandra has no Debian package and its image cannot run here. What the image's
 * entrypoint does with the env vars (sed substitutions into cassandra.yaml and
 * cassandra-rackdc.properties) is reproduced with the real `sed` to show which names survive it.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CASSANDRA_DEFAULT_IMAGE,
  cassandraAuthScript,
  cassandraHeap,
  cassandraSeeds,
  CassandraCredentialsRef,
  CassandraEngine,
  CassandraEngineOptions,
  renderCassandra,
} from '../../../src/engines/private/cassandra';
import { NEW_RING, StubRing } from '../../util/cassandra-stubs';
import { expectValidManifests } from '../../util/k8s-schema';

const WHERE = "Cassandra 'test/ring'";
const BASE: CassandraEngineOptions = { statefulSetName: 'ring', serviceName: 'ring', namespace: 'shop', memoryLimit: '4Gi' };
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

const CREDENTIALS: CassandraCredentialsRef = { secretName: 'ring-admin', usernameKey: 'username', passwordKey: 'password' };

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
    expect(r.seedWaitContainer).toMatchObject({
      name: 'wait-for-seeds',
      image: CASSANDRA_DEFAULT_IMAGE,
      env: [{ name: 'CASSANDRA_SEEDS', value: 'ring-0.ring.shop.svc.cluster.local,ring-1.ring.shop.svc.cluster.local' }],
      volumeMounts: [],
    });
    expect(r.authContainer).toBeUndefined();
    expect(r.authReplication).toBeUndefined();
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
    expectValidManifests([statefulSetOf(renderCassandra(WHERE, BASE)), statefulSetOf(renderCassandra(WHERE, { ...BASE, credentials: CREDENTIALS }))]);
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
          initContainers: [r.seedWaitContainer, r.initContainer],
          containers: [...r.authContainer ? [r.authContainer] : [], {
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

describe('renderCassandra: credentials', () => {
  test('turn authentication on in the configuration copy, and add the sidecar with the Secret by reference', () => {
    const r = renderCassandra(WHERE, { ...BASE, credentials: CREDENTIALS });
    expect(r.initContainer.command[2]).toBe('set -e; cp -R /etc/cassandra/. /cassandra-config/; test -f /cassandra-config/cassandra.yaml; '
      + "grep -Eqx 'authenticator: [A-Za-z.]+' /cassandra-config/cassandra.yaml || { echo \"cassandra-config: cassandra.yaml has no line 'authenticator: <class>' to set\" >&2; exit 1; }; "
      + "grep -Eqx 'authorizer: [A-Za-z.]+' /cassandra-config/cassandra.yaml || { echo \"cassandra-config: cassandra.yaml has no line 'authorizer: <class>' to set\" >&2; exit 1; }; "
      + "sed -i -e 's/^authenticator:.*/authenticator: PasswordAuthenticator/' -e 's/^authorizer:.*/authorizer: CassandraAuthorizer/' /cassandra-config/cassandra.yaml");
    expect(r.authContainer).toEqual({
      name: 'cassandra-auth',
      image: r.image,
      command: ['sh', '-c', cassandraAuthScript()],
      env: [
        { name: 'CASSANDRA_AUTH_USERNAME', valueFrom: { secretKeyRef: { name: 'ring-admin', key: 'username' } } },
        { name: 'CASSANDRA_AUTH_PASSWORD', valueFrom: { secretKeyRef: { name: 'ring-admin', key: 'password' } } },
        { name: 'CASSANDRA_AUTH_DATACENTER', value: 'dc1' },
        { name: 'CASSANDRA_AUTH_NODES', value: '3' },
        { name: 'CASSANDRA_AUTH_REPLICATION', value: '3' },
        { name: 'CASSANDRA_AUTH_MARKER', value: '/var/lib/cassandra/.cdk8s-stateful-system-auth-repaired' },
        { name: 'CASSANDRA_AUTH_RETRY_SECONDS', value: '10' },
        { name: 'CASSANDRA_AUTH_CHECK_SECONDS', value: '60' },
        { name: 'HOME', value: '/run/cassandra-auth' },
      ],
      volumeMounts: [{ name: 'cassandra-auth', mountPath: '/run/cassandra-auth' }],
    });
    expect(r.volumes).toContainEqual({ name: 'cassandra-auth', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    // the main container gets no credentials: the node itself needs none
    expect(JSON.stringify(r.env)).not.toContain('ring-admin');
  });

  test.each([[1, 1], [2, 2], [3, 3], [4, 3], [9, 3]])('%d nodes: system_auth gets %d replicas', (nodes, replication) => {
    const r = renderCassandra(WHERE, { ...BASE, nodes, seeds: 1, credentials: CREDENTIALS });
    expect(r.authReplication).toBe(replication);
    expect(r.authContainer!.env).toContainEqual({ name: 'CASSANDRA_AUTH_REPLICATION', value: String(replication) });
    expect(r.authContainer!.env).toContainEqual({ name: 'CASSANDRA_AUTH_NODES', value: String(nodes) });
  });

  test.each<[string, Partial<CassandraCredentialsRef>, RegExp]>([
    ['a Secret name that is no DNS subdomain', { secretName: 'Ring_Admin' }, /invalid 'credentials.secretName': "Ring_Admin"/],
    ['an empty user name key', { usernameKey: '' }, /invalid 'credentials.usernameKey': "". Must be a Secret key/],
    ['a password key with a slash', { passwordKey: 'a/b' }, /invalid 'credentials.passwordKey': "a\/b". Must be a Secret key/],
  ])('fails on %s', (_name, change, error) => {
    expect(() => renderCassandra(WHERE, { ...BASE, credentials: { ...CREDENTIALS, ...change } })).toThrow(error);
  });
});

describe('the configuration copy turns authentication on (the rendered init script, on a copy of the image\'s files)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cassandra-config-'));
    mkdirSync(join(dir, 'etc'));
    mkdirSync(join(dir, 'copy'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The rendered init command with the image's paths moved under `dir`. */
  function runCopy(yaml: string): { status: number | null; stderr: string } {
    writeFileSync(join(dir, 'etc', 'cassandra.yaml'), yaml);
    writeFileSync(join(dir, 'etc', 'cassandra-env.sh'), '# env\n');
    const r = renderCassandra(WHERE, { ...BASE, credentials: CREDENTIALS });
    // one pass, so a substituted path is not substituted again
    const script = r.initContainer.command[2].replace(/\/etc\/cassandra|\/cassandra-config/g, path => join(dir, path === '/etc/cassandra' ? 'etc' : 'copy'));
    const out = spawnSync(r.initContainer.command[0], [r.initContainer.command[1], script], { encoding: 'utf8' });
    return { status: out.status, stderr: out.stderr };
  }

  test('the 4.1 lines are replaced in the copy; the image\'s file is left alone; comments are not touched', () => {
    const yaml = [
      '#   Please increase system_auth keyspace replication factor if you use this authenticator.',
      'authenticator: AllowAllAuthenticator',
      '# authorizer: comments stay',
      'authorizer: AllowAllAuthorizer',
      'role_manager: CassandraRoleManager',
      '',
    ].join('\n');
    expect(runCopy(yaml)).toEqual({ status: 0, stderr: '' });
    expect(readFileSync(join(dir, 'copy', 'cassandra.yaml'), 'utf8').split('\n')).toEqual([
      '#   Please increase system_auth keyspace replication factor if you use this authenticator.',
      'authenticator: PasswordAuthenticator',
      '# authorizer: comments stay',
      'authorizer: CassandraAuthorizer',
      'role_manager: CassandraRoleManager',
      '',
    ]);
    expect(readFileSync(join(dir, 'etc', 'cassandra.yaml'), 'utf8')).toBe(yaml);
    expect(readFileSync(join(dir, 'copy', 'cassandra-env.sh'), 'utf8')).toBe('# env\n');
  });

  test('a file of another layout (5.0\'s class_name form) stops the pod instead of running without authentication', () => {
    const out = runCopy('authenticator:\n  class_name : org.apache.cassandra.auth.AllowAllAuthenticator\nauthorizer: AllowAllAuthorizer\n');
    expect(out.status).toBe(1);
    expect(out.stderr).toBe("cassandra-config: cassandra.yaml has no line 'authenticator: <class>' to set\n");
  });
});

describe('the cassandra-auth sidecar (the rendered script against stand-ins for cqlsh and nodetool)', () => {
  // quotes, a backslash, shell and CQL characters, a percent sign
  const PASSWORD = "it's \"a\" \\ $HOME; %s 50% #x";
  const running: ChildProcess[] = [];
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cassandra-auth-'));
  });

  afterEach(async () => {
    for (const child of running.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise(resolve => child.once('exit', resolve));
        child.kill('SIGKILL');
        await gone;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  interface Sidecar {
    readonly child: ChildProcess;
    readonly home: string;
    readonly marker: string;
    output(): string;
  }

  /**
   * Starts the rendered sidecar as the kubelet would: its command, its env with the Secret's keys
   * resolved, HOME and the marker moved to temporary paths, no pause between rounds.
   */
  function start(ring: StubRing, options: { nodes?: number; username?: string; password?: string; marker?: string } = {}): Sidecar {
    const r = renderCassandra(WHERE, { ...BASE, nodes: options.nodes ?? 3, seeds: 1, credentials: CREDENTIALS });
    const home = join(dir, 'home');
    mkdirSync(home, { recursive: true });
    const marker = join(dir, 'marker');
    if (options.marker !== undefined) writeFileSync(marker, options.marker);
    const secret: Record<string, string> = { username: options.username ?? 'admin', password: options.password ?? PASSWORD };
    const env: NodeJS.ProcessEnv = { ...ring.env() };
    for (const e of r.authContainer!.env!) env[e.name] = e.value ?? secret[e.valueFrom!.secretKeyRef!.key];
    Object.assign(env, { HOME: home, CASSANDRA_AUTH_MARKER: marker, CASSANDRA_AUTH_RETRY_SECONDS: '0', CASSANDRA_AUTH_CHECK_SECONDS: '0' });
    const [cmd, ...args] = r.authContainer!.command;
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.push(child);
    let output = '';
    child.stdout!.on('data', d => output += d);
    child.stderr!.on('data', d => output += d);
    return { child, home, marker, output: () => output };
  }

  async function until(what: string, check: () => boolean, sidecar: Sidecar, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the sidecar said:\n${sidecar.output()}`);
      if (sidecar.child.exitCode !== null) throw new Error(`the sidecar exited (${sidecar.child.exitCode}) before ${what}:\n${sidecar.output()}`);
      await new Promise(resolve => setTimeout(resolve, 50));
    }
  }

  const SET_UP = /the superuser role admin is set up, the default superuser cassandra is gone and system_auth has (\d+) replicas in dc1/;

  test('a new ring: waits for CQL and for every node, creates the Secret\'s role, drops the default superuser, raises system_auth to 3 and repairs once', async () => {
    const ring = new StubRing(dir, { ...NEW_RING, up: false, peers: 0 });
    const sidecar = start(ring);
    await until('the wait for CQL', () => sidecar.output().includes('cassandra-auth: waiting for CQL on this node (127.0.0.1:9042): Connection error'), sidecar);
    ring.update({ up: true });
    await until('the wait for the ring', () => sidecar.output().includes(
      'cassandra-auth: the default superuser cassandra is active: waiting for all 3 nodes to join the ring before replacing it (1 so far)'), sidecar);
    ring.update({ peers: 1 });
    await until('the second node', () => sidecar.output().includes('(2 so far)'), sidecar);
    expect(ring.statements().filter(s => s.includes('CREATE'))).toEqual([]);
    ring.update({ peers: 2 });
    await until('the setup', () => SET_UP.test(sidecar.output()), sidecar);

    // THEN the ring: only the Secret's role, a superuser with the Secret's password, 3 replicas
    const state = ring.state();
    expect(state.roles).toEqual({ admin: PASSWORD });
    expect(state.superusers).toEqual(['admin']);
    expect(state.replication).toEqual({ class: 'org.apache.cassandra.locator.NetworkTopologyStrategy', dc1: '3' });
    expect(readFileSync(sidecar.marker, 'utf8')).toBe('3\n');
    // in this order: created as the default superuser, then dropped by the new role, then the replication and the repair
    const steps = ring.statements().filter(s => !s.includes('SELECT'));
    expect(steps.slice(0, 3)).toEqual([
      `cassandra: CREATE ROLE IF NOT EXISTS 'admin' WITH PASSWORD = '${PASSWORD.replace(/'/g, "''")}' AND SUPERUSER = true AND LOGIN = true`,
      'admin: DROP ROLE IF EXISTS cassandra',
      "admin: ALTER KEYSPACE system_auth WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 3}",
    ]);
    expect(steps.slice(3).every(s => s === 'admin: DROP ROLE IF EXISTS cassandra')).toBe(true);
    expect(ring.calls().filter(c => c.tool === 'nodetool').map(c => c.argv)).toEqual([['repair', '-full', 'system_auth']]);
    expect(sidecar.output()).toContain('cassandra-auth: creating the superuser role admin from the Secret; the default superuser cassandra is dropped next');
    expect(sidecar.output()).toContain('cassandra-auth: raising the replication of system_auth in dc1 from 0 to 3');
    expect(sidecar.output()).toContain('cassandra-auth: repairing system_auth on this node (replication 3), so every replica holds the roles');
    // each waiting state is logged once
    expect(sidecar.output().match(/\(1 so far\)/g)).toHaveLength(1);

    // the password: never a process argument, never in the log; the cqlshrc files are the user's only
    for (const call of ring.calls()) expect(call.argv.join(' ')).not.toContain('50%');
    expect(sidecar.output()).not.toContain('50%');
    for (const file of ['admin.cqlshrc', 'cassandra.cqlshrc']) expect(statSync(join(sidecar.home, file)).mode.toString(8).slice(-3)).toBe('600');
    expect(readFileSync(join(sidecar.home, 'admin.cqlshrc'), 'utf8')).toBe(`[authentication]\nusername = admin\npassword = ${PASSWORD}\n`);

    // SIGTERM ends it at once (it is PID 1 of its container)
    const exited = new Promise<number | null>(resolve => sidecar.child.once('exit', code => resolve(code)));
    const t0 = Date.now();
    sidecar.child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(Date.now() - t0).toBeLessThan(5000);
  }, 60_000);

  test('a restarted node with everything in place only checks: no role created, no replication change, no repair', async () => {
    const ring = new StubRing(dir, {
      ...NEW_RING,
      roles: { admin: PASSWORD },
      superusers: ['admin'],
      replication: { class: 'org.apache.cassandra.locator.NetworkTopologyStrategy', dc1: '3' },
    });
    const sidecar = start(ring, { marker: '3\n' });
    await until('the check', () => SET_UP.test(sidecar.output()), sidecar);
    expect(new Set(ring.statements())).toEqual(new Set([
      "admin: SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = 'system_auth'",
      'admin: DROP ROLE IF EXISTS cassandra',
    ]));
    expect(ring.calls().filter(c => c.tool === 'nodetool')).toEqual([]);
  }, 60_000);

  test('a node on a new claim (no marker) repairs system_auth once', async () => {
    const ring = new StubRing(dir, {
      ...NEW_RING,
      roles: { admin: PASSWORD },
      superusers: ['admin'],
      replication: { class: 'org.apache.cassandra.locator.NetworkTopologyStrategy', dc1: '3' },
    });
    const sidecar = start(ring);
    await until('the check', () => SET_UP.test(sidecar.output()), sidecar);
    expect(ring.calls().filter(c => c.tool === 'nodetool')).toHaveLength(1);
    expect(ring.statements().filter(s => s.includes('ALTER'))).toEqual([]);
  }, 60_000);

  test('a repair that fails (a replica down) is retried; the marker is written only once it succeeds', async () => {
    const ring = new StubRing(dir, { ...NEW_RING, roles: { admin: PASSWORD }, superusers: ['admin'], repairFailures: 2 });
    const sidecar = start(ring);
    await until('the setup', () => SET_UP.test(sidecar.output()), sidecar);
    expect(ring.calls().filter(c => c.tool === 'nodetool')).toHaveLength(3);
    expect(sidecar.output()).toContain('cassandra-auth: could not repair system_auth yet (every replica must be up): error: Endpoint not alive');
    expect(readFileSync(sidecar.marker, 'utf8')).toBe('3\n');
    // the replication was raised once, before the first repair
    expect(ring.statements().filter(s => s.includes('ALTER'))).toHaveLength(1);
  }, 60_000);

  test('a default superuser that comes back (a node that found no role) is dropped again', async () => {
    const ring = new StubRing(dir, {
      ...NEW_RING,
      roles: { admin: PASSWORD },
      superusers: ['admin'],
      replication: { class: 'org.apache.cassandra.locator.NetworkTopologyStrategy', dc1: '3' },
    });
    const sidecar = start(ring, { marker: '3\n' });
    await until('the check', () => SET_UP.test(sidecar.output()), sidecar);
    const before = ring.calls().length;
    ring.update({ roles: { admin: PASSWORD, cassandra: 'cassandra' }, superusers: ['admin', 'cassandra'] });
    await until('the drop', () => ring.state().roles.cassandra === undefined, sidecar);
    expect(ring.calls().slice(before).some(c => c.statements?.includes('DROP ROLE IF EXISTS cassandra'))).toBe(true);
    expect(ring.state().roles).toEqual({ admin: PASSWORD });
  }, 60_000);

  test('one node: system_auth stays at one replica (NetworkTopologyStrategy), nothing to repair', async () => {
    const ring = new StubRing(dir, { ...NEW_RING, peers: 0 });
    const sidecar = start(ring, { nodes: 1 });
    await until('the setup', () => SET_UP.test(sidecar.output()), sidecar);
    expect(ring.state().replication).toEqual({ class: 'org.apache.cassandra.locator.NetworkTopologyStrategy', dc1: '1' });
    expect(ring.calls().filter(c => c.tool === 'nodetool')).toEqual([]);
    expect(readFileSync(sidecar.marker, 'utf8')).toBe('1\n');
  }, 60_000);

  test('a replication someone raised further is left alone', async () => {
    const ring = new StubRing(dir, {
      ...NEW_RING,
      roles: { admin: PASSWORD },
      superusers: ['admin'],
      replication: { class: 'org.apache.cassandra.locator.NetworkTopologyStrategy', dc1: '5', dc2: '3' },
    });
    const sidecar = start(ring, { marker: '5\n' });
    await until('the check', () => sidecar.output().includes('system_auth has 5 replicas in dc1'), sidecar);
    expect(ring.statements().filter(s => s.includes('ALTER'))).toEqual([]);
    expect(ring.state().replication).toEqual({ class: 'org.apache.cassandra.locator.NetworkTopologyStrategy', dc1: '5', dc2: '3' });
  }, 60_000);

  test('no quorum of system_auth (a whole ring restarting): waits without touching anything, then checks', async () => {
    const ring = new StubRing(dir, {
      ...NEW_RING,
      roles: { admin: PASSWORD },
      superusers: ['admin'],
      noQuorum: true,
      replication: { class: 'org.apache.cassandra.locator.NetworkTopologyStrategy', dc1: '3' },
    });
    const sidecar = start(ring, { marker: '3\n' });
    await until('the wait', () => sidecar.output().includes(
      'cassandra-auth: neither the role admin from the Secret nor the default superuser cassandra can log in yet'), sidecar);
    expect(sidecar.output()).toContain('Cannot achieve consistency level LOCAL_QUORUM');
    expect(ring.statements().filter(s => !s.includes('SELECT'))).toEqual([]);
    ring.update({ noQuorum: false });
    await until('the check', () => SET_UP.test(sidecar.output()), sidecar);
  }, 60_000);

  test('a Secret whose password changed after the role was created: the sidecar waits and says how to fix it; nothing is created', async () => {
    const ring = new StubRing(dir, { ...NEW_RING, roles: { admin: 'the old one' }, superusers: ['admin'] });
    const sidecar = start(ring);
    await until('the wait', () => sidecar.output().includes('a Secret changed after the role was created is not applied (ALTER ROLE the role first)'), sidecar);
    await new Promise(resolve => setTimeout(resolve, 500));
    expect(ring.statements().filter(s => !s.includes('SELECT'))).toEqual([]);
    expect(ring.state().roles).toEqual({ admin: 'the old one' });
  }, 60_000);

  test.each<[string, { username?: string; password?: string }, string]>([
    ['the user name is empty', { username: '' }, "CASSANDRA_AUTH_USERNAME is empty: the Secret's user name key holds no user name"],
    ['the user name is the default superuser', { username: 'cassandra' },
      "the user name in CASSANDRA_AUTH_USERNAME must not be cassandra: that is the image's default superuser, which this sidecar drops"],
    ['the user name has a space', { username: 'ad min' }, "the user name \"ad min\" in CASSANDRA_AUTH_USERNAME must be letters, digits, '_', '.', '@' and '-'"],
    ['the user name has a percent sign', { username: 'ad%min' }, 'the user name "ad%min" in CASSANDRA_AUTH_USERNAME must be'],
    ['the password is empty', { password: '' }, "CASSANDRA_AUTH_PASSWORD is empty: the Secret's password key holds no password"],
    ['the password has a line break', { password: 'a\nb' }, 'the password in CASSANDRA_AUTH_PASSWORD holds a line break'],
    ['the password has a carriage return', { password: 'ab\r' }, 'the password in CASSANDRA_AUTH_PASSWORD holds a line break'],
    ['the password starts with a space', { password: ' ab' }, 'the password in CASSANDRA_AUTH_PASSWORD starts or ends with white space'],
    ['the password ends with a tab', { password: 'ab\t' }, 'the password in CASSANDRA_AUTH_PASSWORD starts or ends with white space'],
  ])('stops (exit 1) before any login when %s', async (_name, secret, message) => {
    const ring = new StubRing(dir, NEW_RING);
    const sidecar = start(ring, secret);
    const code = await new Promise(resolve => sidecar.child.once('exit', resolve));
    expect(code).toBe(1);
    expect(sidecar.output().startsWith(`cassandra-auth: ${message}`)).toBe(true);
    expect(sidecar.output().trimEnd().split('\n')).toHaveLength(1);
    expect(ring.calls()).toEqual([]);
  }, 30_000);
});
