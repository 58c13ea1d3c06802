/**
 * The engine side of the `Cassandra` preset: how StatefulSet pods run the official `cassandra`
 * image as one ring, rendered as plain Kubernetes JSON for the pod. See `renderCassandra()`.
 *
 * Checked through its rendered configuration only (test/private/engines-cassandra.test.ts):
 * Cassandra has no Debian package to run in the tests, and the image cannot run here.
 */
import {
  checkIdentity,
  ContainerPortJson,
  EnvVarJson,
  InitContainerJson,
  memoryBytes,
  podDnsName,
  ProbeJson,
  PropNames,
  propName,
  showBytes,
  StatefulSetIdentity,
  VolumeJson,
  VolumeMountJson,
} from './common';
import { defaultTagOf } from '../../private/engine-versions';
import { checkInteger, fail } from '../../private/validation';

/**
 * The official image, pinned to the 4.1 line's tag of the engine version policy
 * (src/private/engine-versions.ts; Cassandra 4.1 on Java 11). Fully qualified: CRI-O in its default
 * short-name mode refuses unqualified names.
 */
export const CASSANDRA_DEFAULT_IMAGE = `docker.io/library/cassandra:${defaultTagOf('cassandra', '4.1')}`;

/** The `cassandra` user and group of the official image. */
export const CASSANDRA_UID = 999;
export const CASSANDRA_GID = 999;

/** Below this memory limit Cassandra does not run reliably (its own documentation asks for more). */
export const CASSANDRA_MIN_MEMORY_LIMIT = 1024 ** 3;
/** The smallest heap accepted. */
export const CASSANDRA_MIN_HEAP = 256 * 1024 ** 2;
/** Off-heap memory every node needs besides the chunk cache: metaspace, thread stacks, network buffers. */
export const CASSANDRA_OFF_HEAP_BASE = 256 * 1024 ** 2;

/** Grace for a node to drain on SIGTERM (flush memtables, stop gossip): 30 minutes. */
export const CASSANDRA_TERMINATION_GRACE_SECONDS = 1800;

/** Where the image keeps its configuration (`CASSANDRA_CONF`), which the entrypoint edits at start. */
export const CASSANDRA_CONF_DIR = '/etc/cassandra';
/** The emptyDir holding the writable copy of `/etc/cassandra`. */
export const CASSANDRA_CONFIG_VOLUME = 'cassandra-config';
/** Where the init container mounts that emptyDir to fill it. */
export const CASSANDRA_CONFIG_COPY_DIR = '/cassandra-config';
export const CASSANDRA_LOGS_VOLUME = 'cassandra-logs';
export const CASSANDRA_TMP_VOLUME = 'cassandra-tmp';
/** The claim's mount path: data, commit log, hints and saved caches. */
export const CASSANDRA_DATA_DIR = '/var/lib/cassandra';

export const CASSANDRA_CQL_PORT = 9042;
export const CASSANDRA_STORAGE_PORT = 7000;

/** The snitch: the one that reads datacenter and rack from cassandra-rackdc.properties. */
export const CASSANDRA_SNITCH = 'GossipingPropertyFileSnitch';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/** Options of `renderCassandra()`. */
export interface CassandraEngineOptions extends StatefulSetIdentity {
  /**
   * Nodes in the ring: the StatefulSet's `spec.replicas`.
   *
   * @default 3
   */
  readonly nodes?: number;
  /**
   * How many of the first pods are seeds (contact points for gossip), at most `nodes`.
   *
   * @default - 2, or 1 with a single node
   */
  readonly seeds?: number;
  /**
   * The cluster name (`cluster_name`). It cannot change once the nodes have started: a node
   * refuses to start with another cluster name than the one in its data.
   *
   * @default - the StatefulSet's name
   */
  readonly clusterName?: string;
  /**
   * The datacenter of every node (cassandra-rackdc.properties `dc`).
   *
   * @default 'dc1'
   */
  readonly datacenter?: string;
  /**
   * The rack of every node (cassandra-rackdc.properties `rack`).
   *
   * @default 'rack1'
   */
  readonly rack?: string;
  /** The container's memory limit: a Kubernetes quantity (`"4Gi"`) or bytes. */
  readonly memoryLimit: string | number;
  /**
   * The JVM heap (`MAX_HEAP_SIZE`, `-Xms` and `-Xmx`): a Kubernetes quantity or bytes, rendered in
   * whole MiB (`"1G"` is 10^9 bytes, rendered `953M`).
   *
   * @default - cassandra-env.sh's formula applied to the memory limit: max(min(limit/2, 1Gi), min(limit/4, 8Gi))
   */
  readonly maxHeapSize?: string | number;
  /**
   * The young generation (`HEAP_NEWSIZE`: cassandra-env.sh passes it as `-Xmn` unless the JVM
   * options select G1).
   *
   * @default - a quarter of the heap
   */
  readonly heapNewSize?: string | number;
  /**
   * The image.
   *
   * @default CASSANDRA_DEFAULT_IMAGE
   */
  readonly image?: string;
}

/** What `renderCassandra()` returns: the parts of the pod spec, in core/v1 field names. */
export interface CassandraEngine {
  readonly image: string;
  /** The container's `env`; the image's entrypoint writes them into its configuration at start. */
  readonly env: EnvVarJson[];
  /** Copies the image's `/etc/cassandra` into the writable emptyDir the main container mounts there. */
  readonly initContainer: InitContainerJson;
  readonly ports: ContainerPortJson[];
  readonly startupProbe: ProbeJson;
  readonly livenessProbe: ProbeJson;
  readonly readinessProbe: ProbeJson;
  /** Pod volumes besides the data claim. */
  readonly volumes: VolumeJson[];
  /** The main container's mounts besides the data claim. */
  readonly volumeMounts: VolumeMountJson[];
  /** Where the data claim must be mounted. */
  readonly dataMountPath: string;
  /** `runAsUser` (and the pod's `fsGroup`). */
  readonly user: number;
  /** `runAsGroup`. */
  readonly group: number;
  /** The StatefulSet's `spec.replicas`. */
  readonly podCount: number;
  /** The seeds' DNS names, in ordinal order. */
  readonly seeds: string[];
  readonly clusterName: string;
  readonly datacenter: string;
  readonly rack: string;
  readonly memoryLimitBytes: number;
  /** The heap, in bytes (whole MiB). */
  readonly maxHeapBytes: number;
  /** The young generation, in bytes (whole MiB). */
  readonly heapNewBytes: number;
  /** The pod's `terminationGracePeriodSeconds`. */
  readonly terminationGracePeriodSeconds: number;
  /** Nodes must join the ring one at a time: pod n+1 starts once pod n is Ready (serving CQL). */
  readonly podManagementPolicy: 'OrderedReady';
  /** The headless Service must publish not-ready addresses: seeds are resolved before they are Ready. */
  readonly publishNotReadyAddresses: true;
}

/**
 * The seeds: the stable DNS names of the first `seeds` pods, from `startOrdinal`.
 *
 * Seeds are where a starting node learns the ring from; the first pods are the ones that exist
 * first (OrderedReady) and always exist whatever the scale. Two are enough for one datacenter,
 * and more do not help: a seed does not bootstrap (stream its data from the ring) when it joins,
 * so a seed pod that comes back on an empty volume starts empty and needs a repair.
 *
 * @param nodes the number of nodes (the seeds are among them)
 * @param seeds how many seeds, from 1 to `nodes`
 */
export function cassandraSeeds(where: string, identity: StatefulSetIdentity, nodes: number, seeds: number,
  props: { nodes?: string; seeds?: string } = {}): string[] {
  const nodesProp = props.nodes ?? 'nodes';
  const seedsProp = props.seeds ?? 'seeds';
  checkInteger(where, nodesProp, nodes, 1);
  checkInteger(where, seedsProp, seeds, 1);
  if (seeds > nodes) {
    throw fail(where, seedsProp, seeds, `Must be at most '${nodesProp}' (${nodes}): the seeds are the first pods`,
      `Set '${seedsProp}' to a number from 1 to ${nodes}, or raise '${nodesProp}'`);
  }
  const start = identity.startOrdinal ?? 0;
  return Array.from({ length: seeds }, (_, i) => podDnsName(identity, start + i));
}

/**
 * The heap sizes for a memory limit, checked.
 *
 * Defaults follow cassandra-env.sh, applied to the container's memory limit instead of the
 * machine's memory (which is what cassandra-env.sh would read in a container: the node's, not
 * the limit, and the pod would be OOM-killed): heap max(min(limit/2, 1Gi), min(limit/4, 8Gi)),
 * young generation a quarter of the heap (cassandra-env.sh takes min(100Mi x cores, heap/4); the
 * core count is not known here).
 *
 * Checks: the limit is at least 1Gi; the heap is at least 256Mi and leaves room in the limit for
 * what Cassandra keeps off the heap: 256Mi (metaspace, thread stacks, network buffers) plus the
 * chunk cache, which Cassandra sizes at a quarter of the heap up to 512Mi; the young generation
 * is smaller than the heap. Sizes are whole MiB (the JVM's `M`), rounded down.
 */
export function cassandraHeap(where: string, memoryLimit: string | number, maxHeapSize?: string | number, heapNewSize?: string | number,
  props: { memoryLimit?: string; maxHeapSize?: string; heapNewSize?: string } = {}):
  { limitBytes: number; maxHeapBytes: number; heapNewBytes: number } {
  const limitProp = props.memoryLimit ?? 'memoryLimit';
  const heapProp = props.maxHeapSize ?? 'maxHeapSize';
  const newProp = props.heapNewSize ?? 'heapNewSize';
  const limitBytes = memoryBytes(where, limitProp, memoryLimit);
  if (limitBytes < CASSANDRA_MIN_MEMORY_LIMIT) {
    throw fail(where, limitProp, memoryLimit,
      `Must be at least ${showBytes(CASSANDRA_MIN_MEMORY_LIMIT)}: Cassandra needs a heap of at least ${showBytes(CASSANDRA_MIN_HEAP)} and as much again off the heap`,
      `Set '${limitProp}' to "1Gi" or more ("4Gi" or more for production)`);
  }
  const wholeMib = (bytes: number) => Math.floor(bytes / MIB) * MIB;
  const maxHeapBytes = maxHeapSize === undefined
    ? wholeMib(Math.max(Math.min(limitBytes / 2, GIB), Math.min(limitBytes / 4, 8 * GIB)))
    : wholeMib(memoryBytes(where, heapProp, maxHeapSize));
  if (maxHeapBytes < CASSANDRA_MIN_HEAP) {
    throw fail(where, heapProp, maxHeapSize, `Must be at least ${showBytes(CASSANDRA_MIN_HEAP)}`, `Set '${heapProp}' to "${showBytes(CASSANDRA_MIN_HEAP)}" or more`);
  }
  const offHeap = CASSANDRA_OFF_HEAP_BASE + wholeMib(Math.min(512 * MIB, maxHeapBytes / 4));
  if (maxHeapBytes >= limitBytes) {
    throw fail(where, heapProp, maxHeapSize,
      `Must be below '${limitProp}' (${show(memoryLimit)}): a heap at or above the memory limit gets the container OOM-killed`,
      `Set '${heapProp}' to at most ${showBytes(limitBytes - offHeap)}, or raise '${limitProp}'`);
  }
  if (limitBytes - maxHeapBytes < offHeap) {
    throw fail(where, heapProp, maxHeapSize,
      `Must leave ${showBytes(offHeap)} of '${limitProp}' (${show(memoryLimit)}) for off-heap memory (256Mi for metaspace, thread stacks `
      + `and network buffers, and the chunk cache: a quarter of the heap, at most 512Mi); ${showBytes(limitBytes - maxHeapBytes)} are left`,
      `Set '${heapProp}' to at most ${showBytes(limitBytes - offHeap)}, or raise '${limitProp}'`);
  }
  const heapNewBytes = heapNewSize === undefined ? wholeMib(maxHeapBytes / 4) : wholeMib(memoryBytes(where, newProp, heapNewSize));
  if (heapNewBytes < MIB) {
    throw fail(where, newProp, heapNewSize, 'Must be at least 1Mi (it is rendered in whole MiB)', `Set '${newProp}' to e.g. a quarter of the heap`);
  }
  if (heapNewBytes >= maxHeapBytes) {
    throw fail(where, newProp, heapNewSize ?? showBytes(heapNewBytes),
      `Must be below the heap '${heapProp}' (${showBytes(maxHeapBytes)}): the young generation is part of the heap`,
      `Set '${newProp}' to a quarter of the heap or less, e.g. ${showBytes(wholeMib(maxHeapBytes / 4))}`);
  }
  return { limitBytes, maxHeapBytes, heapNewBytes };
}

/** Renders a quantity the way it was given, for messages. */
function show(value: string | number): string {
  return typeof value === 'string' ? `"${value}"` : `${value} bytes`;
}

/** YAML 1.1 (SnakeYAML) words that would not load as the string written. */
const YAML_WORDS = ['y', 'n', 'yes', 'no', 'true', 'false', 'on', 'off', 'null'];

/**
 * Cluster names the image's entrypoint can write: it puts the value unquoted into
 * `cluster_name: <value>` with `sed s/.../.../`, so `/`, `&`, `\` and newlines would break the
 * substitution, and `:`, `#`, quotes or a leading digit would change what the YAML means. Letters,
 * digits, spaces, `_`, `.` and `-`, starting with a letter, ending with no space, and no YAML
 * 1.1 boolean or null word.
 */
function checkClusterName(where: string, prop: string, value: string): void {
  if (!/^[A-Za-z]([A-Za-z0-9 _.-]{0,62}[A-Za-z0-9_.-])?$/.test(value) || YAML_WORDS.includes(value.toLowerCase())) {
    throw fail(where, prop, value,
      'Must be 1 to 64 letters, digits, spaces, \'_\', \'.\' and \'-\', starting with a letter and not ending with a space, and not a YAML '
      + 'boolean or null word (yes, no, on, off, true, false, null): the image\'s entrypoint writes it unquoted into cassandra.yaml with sed',
      `Set '${prop}' to a name such as "shop-cluster"`);
  }
}

/**
 * Datacenter and rack names the entrypoint can write into cassandra-rackdc.properties (again with
 * sed): letters, digits, `_`, `.` and `-`, starting with a letter or digit, at most 64.
 */
function checkTopologyName(where: string, prop: string, value: string, example: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(value)) {
    throw fail(where, prop, value,
      'Must be 1 to 64 letters, digits, \'_\', \'.\' and \'-\', starting with a letter or digit: the image\'s entrypoint writes it into '
      + 'cassandra-rackdc.properties with sed',
      `Set '${prop}' to a name such as "${example}"`);
  }
}

/**
 * Renders how StatefulSet pods run one Cassandra ring with the official image.
 *
 * Configuration: the image's entrypoint (docker-entrypoint.sh, kept as the container's
 * entrypoint: no `command` is rendered) rewrites `/etc/cassandra/cassandra.yaml` and
 * `cassandra-rackdc.properties` from `CASSANDRA_*` env vars at every start. The root file system
 * is read-only, so `/etc/cassandra` is an emptyDir that an init container (same image) fills with
 * a copy of the image's `/etc/cassandra` (`cp -R`, so the files belong to the pod's user);
 * `/var/log/cassandra` and `/tmp` (the entrypoint's `mktemp`, JNA) are emptyDirs too, and data,
 * commit log and hints live on the claim at `/var/lib/cassandra`.
 * - Addresses: listen and broadcast on the pod IP (downward API `status.podIP`), CQL on every
 *   address (`rpc_address 0.0.0.0`, broadcasting the pod IP). A rescheduled pod gets a new IP and
 *   keeps its host ID from its data, which Cassandra handles.
 * - Seeds: `cassandraSeeds()`, by DNS name (the headless Service must publish not-ready addresses).
 * - Topology: `GossipingPropertyFileSnitch` with one datacenter and one rack for every pod.
 * - Heap: `MAX_HEAP_SIZE` and `HEAP_NEWSIZE`, always both (cassandra-env.sh refuses one without
 *   the other), from `cassandraHeap()`: never computed from the node's memory.
 * - Shutdown: SIGTERM runs Cassandra's drain (flush memtables, leave gossip) in its shutdown hook;
 *   `terminationGracePeriodSeconds` 1800 gives a loaded node time to flush instead of replaying
 *   its commit log on the next start. No preStop `nodetool drain`: it would start a second JVM in
 *   the container's memory to do what the hook does.
 *
 * Probes are TCP checks, on purpose: `nodetool` and `cqlsh` start a JVM or a Python interpreter in
 * the container's memory limit at every probe, which costs hundreds of MiB and seconds of CPU
 * and can get a busy node OOM-killed by its own probe.
 * - readiness: the CQL port 9042 accepts connections. Cassandra opens it only once the node has
 *   joined the ring (after bootstrap streaming), so a Ready pod is one clients can use and, with
 *   OrderedReady, nodes join one at a time as Cassandra requires.
 * - startup and liveness: the storage port 7000 accepts connections. Cassandra opens it after
 *   replaying its commit log and before bootstrap, so liveness never kills a node that is
 *   streaming its data in; the startup probe allows 30 minutes for the replay. The kernel accepts
 *   the connection even during a long GC pause, so liveness restarts only a node whose listener
 *   is gone, not one that is merely slow.
 *
 * @param where who complains, e.g. `Cassandra 'chart/ring'`
 * @param options the preset's options
 * @param props the construct's names for the options, for error messages
 */
export function renderCassandra(where: string, options: CassandraEngineOptions, props: PropNames<CassandraEngineOptions> = {}): CassandraEngine {
  const prop = (key: keyof CassandraEngineOptions & string) => propName(props, key);
  const { startOrdinal, clusterDomain } = checkIdentity(where, options, props);
  const nodes = options.nodes ?? 3;
  const seeds = cassandraSeeds(where, { ...options, startOrdinal, clusterDomain }, nodes, options.seeds ?? Math.min(2, nodes),
    { nodes: prop('nodes'), seeds: prop('seeds') });
  const clusterName = options.clusterName ?? options.statefulSetName;
  checkClusterName(where, prop('clusterName'), clusterName);
  const datacenter = options.datacenter ?? 'dc1';
  checkTopologyName(where, prop('datacenter'), datacenter, 'dc1');
  const rack = options.rack ?? 'rack1';
  checkTopologyName(where, prop('rack'), rack, 'rack1');
  const { limitBytes, maxHeapBytes, heapNewBytes } = cassandraHeap(where, options.memoryLimit, options.maxHeapSize, options.heapNewSize,
    { memoryLimit: prop('memoryLimit'), maxHeapSize: prop('maxHeapSize'), heapNewSize: prop('heapNewSize') });
  const image = options.image ?? CASSANDRA_DEFAULT_IMAGE;
  if (image.trim() === '') {
    throw fail(where, prop('image'), image, 'Must be an image reference', `Set '${prop('image')}' to e.g. "${CASSANDRA_DEFAULT_IMAGE}"`);
  }

  const env: EnvVarJson[] = [
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    { name: 'CASSANDRA_CLUSTER_NAME', value: clusterName },
    { name: 'CASSANDRA_SEEDS', value: seeds.join(',') },
    { name: 'CASSANDRA_LISTEN_ADDRESS', value: '$(POD_IP)' },
    { name: 'CASSANDRA_BROADCAST_ADDRESS', value: '$(POD_IP)' },
    { name: 'CASSANDRA_RPC_ADDRESS', value: '0.0.0.0' },
    { name: 'CASSANDRA_BROADCAST_RPC_ADDRESS', value: '$(POD_IP)' },
    { name: 'CASSANDRA_ENDPOINT_SNITCH', value: CASSANDRA_SNITCH },
    { name: 'CASSANDRA_DC', value: datacenter },
    { name: 'CASSANDRA_RACK', value: rack },
    { name: 'MAX_HEAP_SIZE', value: `${maxHeapBytes / MIB}M` },
    { name: 'HEAP_NEWSIZE', value: `${heapNewBytes / MIB}M` },
  ];
  const storage = { tcpSocket: { port: CASSANDRA_STORAGE_PORT } };
  return {
    image,
    env,
    initContainer: {
      name: CASSANDRA_CONFIG_VOLUME,
      image,
      command: ['sh', '-c',
        `set -e; cp -R ${CASSANDRA_CONF_DIR}/. ${CASSANDRA_CONFIG_COPY_DIR}/; test -f ${CASSANDRA_CONFIG_COPY_DIR}/cassandra.yaml`],
      volumeMounts: [{ name: CASSANDRA_CONFIG_VOLUME, mountPath: CASSANDRA_CONFIG_COPY_DIR }],
    },
    ports: [
      { name: 'cql', containerPort: CASSANDRA_CQL_PORT, protocol: 'TCP' },
      { name: 'intra-node', containerPort: CASSANDRA_STORAGE_PORT, protocol: 'TCP' },
    ],
    startupProbe: { ...storage, periodSeconds: 10, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 180 },
    livenessProbe: { ...storage, periodSeconds: 15, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 4 },
    readinessProbe: { tcpSocket: { port: CASSANDRA_CQL_PORT }, periodSeconds: 10, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 3 },
    volumes: [
      { name: CASSANDRA_CONFIG_VOLUME, emptyDir: {} },
      { name: CASSANDRA_LOGS_VOLUME, emptyDir: {} },
      { name: CASSANDRA_TMP_VOLUME, emptyDir: {} },
    ],
    volumeMounts: [
      { name: CASSANDRA_CONFIG_VOLUME, mountPath: CASSANDRA_CONF_DIR },
      { name: CASSANDRA_LOGS_VOLUME, mountPath: '/var/log/cassandra' },
      { name: CASSANDRA_TMP_VOLUME, mountPath: '/tmp' },
    ],
    dataMountPath: CASSANDRA_DATA_DIR,
    user: CASSANDRA_UID,
    group: CASSANDRA_GID,
    podCount: nodes,
    seeds,
    clusterName,
    datacenter,
    rack,
    memoryLimitBytes: limitBytes,
    maxHeapBytes,
    heapNewBytes,
    terminationGracePeriodSeconds: CASSANDRA_TERMINATION_GRACE_SECONDS,
    podManagementPolicy: 'OrderedReady',
    publishNotReadyAddresses: true,
  };
}
