/**
 * The engine side of the `Cassandra` preset: how StatefulSet pods run the official `cassandra`
 * image as one ring, rendered as plain Kubernetes JSON for the pod. See `renderCassandra()`.
 *
 * Checked through its rendered configuration (test/engines/private/cassandra.test.ts), and its
 * scripts against stand-ins (the seed wait against a resolver that answers later, the
 * `cassandra-auth` sidecar against stub `cqlsh` and `nodetool`): Cassandra has no Debian package
 * to run in the tests, and the image cannot run here.
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
  renderNameWait,
  showBytes,
  StatefulSetIdentity,
  VolumeJson,
  VolumeMountJson,
} from './common';
import { defaultTagOf } from '../../private/engine-versions';
import { checkDns1123Subdomain, checkInteger, fail } from '../../private/validation';

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

/** The authenticator and authorizer set in cassandra.yaml when the ring has credentials. */
export const CASSANDRA_AUTHENTICATOR = 'PasswordAuthenticator';
export const CASSANDRA_AUTHORIZER = 'CassandraAuthorizer';

/** The init container that holds a node until a seed name resolves (see `renderNameWait()`). */
export const CASSANDRA_SEED_WAIT_CONTAINER = 'wait-for-seeds';
/** The sidecar that replaces the default superuser with the Secret's role (see `cassandraAuthScript()`). */
export const CASSANDRA_AUTH_CONTAINER = 'cassandra-auth';
/** The memory-backed emptyDir holding the sidecar's cqlshrc files (its HOME). */
export const CASSANDRA_AUTH_VOLUME = 'cassandra-auth';
export const CASSANDRA_AUTH_DIR = '/run/cassandra-auth';
/** The file on the data claim recording the system_auth replication this node was repaired at. */
export const CASSANDRA_AUTH_MARKER = `${CASSANDRA_DATA_DIR}/.cdk8s-stateful-system-auth-repaired`;
/** The role the image creates at first start, with the password `cassandra`. */
export const CASSANDRA_DEFAULT_SUPERUSER = 'cassandra';
/** The most replicas of system_auth per datacenter: a login needs a quorum of them (LOCAL_QUORUM in 4.1). */
export const CASSANDRA_AUTH_MAX_REPLICATION = 3;
/** Seconds between the sidecar's attempts while something is not ready yet. */
export const CASSANDRA_AUTH_RETRY_SECONDS = 10;
/** Seconds between the sidecar's checks once everything is set up (the default superuser must stay gone). */
export const CASSANDRA_AUTH_CHECK_SECONDS = 60;

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
  /**
   * The superuser role's credentials: a Secret with a user name and a password. Turns on
   * `PasswordAuthenticator` and `CassandraAuthorizer`, and adds the sidecar that replaces the
   * image's default superuser with this role (`cassandraAuthScript()`).
   *
   * @default - no authentication (the image's AllowAllAuthenticator)
   */
  readonly credentials?: CassandraCredentialsRef;
}

/** Where the superuser role's credentials are: keys of one Secret. */
export interface CassandraCredentialsRef {
  readonly secretName: string;
  readonly usernameKey: string;
  readonly passwordKey: string;
}

/** What `renderCassandra()` returns: the parts of the pod spec, in core/v1 field names. */
export interface CassandraEngine {
  readonly image: string;
  /** The container's `env`; the image's entrypoint writes them into its configuration at start. */
  readonly env: EnvVarJson[];
  /**
   * Copies the image's `/etc/cassandra` into the writable emptyDir the main container mounts there
   * (and, with credentials, turns authentication on in the copy).
   */
  readonly initContainer: InitContainerJson;
  /** Holds the node until a seed name resolves: its own name for a seed pod. Runs first. */
  readonly seedWaitContainer: InitContainerJson;
  /**
   * With credentials: the sidecar that replaces the default superuser with the Secret's role,
   * raises the replication of system_auth and repairs it (`cassandraAuthScript()`).
   */
  readonly authContainer?: InitContainerJson;
  /** With credentials: the replication of system_auth the sidecar sets, min(3, nodes). */
  readonly authReplication?: number;
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
 *   Cassandra exits at start when no seed resolves, so the first init container
 *   (`wait-for-seeds`, `renderNameWait()`) holds the pod until one does: its own name for a seed
 *   pod, any seed's for the others.
 * - Authentication (with `credentials`): `PasswordAuthenticator` and `CassandraAuthorizer`, set in
 *   the configuration copy (which fails unless 4.1's one-line keys are there), and the
 *   `cassandra-auth` sidecar (`cassandraAuthScript()`) that replaces the default superuser with
 *   the Secret's role and keeps system_auth at min(3, nodes) replicas.
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
  const credentials = options.credentials;
  if (credentials) {
    checkDns1123Subdomain(where, `${prop('credentials')}.secretName`, credentials.secretName);
    for (const key of ['usernameKey', 'passwordKey'] as const) {
      if (!/^[-._a-zA-Z0-9]{1,253}$/.test(credentials[key])) {
        throw fail(where, `${prop('credentials')}.${key}`, credentials[key], 'Must be a Secret key: letters, digits, \'-\', \'_\' and \'.\'',
          `Set '${prop('credentials')}.${key}' to a key of the Secret`);
      }
    }
  }
  const authReplication = Math.min(CASSANDRA_AUTH_MAX_REPLICATION, nodes);

  const yaml = `${CASSANDRA_CONFIG_COPY_DIR}/cassandra.yaml`;
  const configCopy = [`set -e; cp -R ${CASSANDRA_CONF_DIR}/. ${CASSANDRA_CONFIG_COPY_DIR}/; test -f ${yaml}`];
  if (credentials) {
    // 4.1 writes each as one line (`authenticator: AllowAllAuthenticator`), which the entrypoint
    // leaves alone; another layout (5.0's `class_name:` under the key) fails here rather than run
    // with a half-edited file
    for (const key of ['authenticator', 'authorizer']) {
      configCopy.push(`grep -Eqx '${key}: [A-Za-z.]+' ${yaml} || { echo "${CASSANDRA_CONFIG_VOLUME}: cassandra.yaml has no line '${key}: <class>' to set" >&2; exit 1; }`);
    }
    configCopy.push(`sed -i -e 's/^authenticator:.*/authenticator: ${CASSANDRA_AUTHENTICATOR}/' -e 's/^authorizer:.*/authorizer: ${CASSANDRA_AUTHORIZER}/' ${yaml}`);
  }
  const storage = { tcpSocket: { port: CASSANDRA_STORAGE_PORT } };
  const e = CASSANDRA_AUTH_ENV;
  return {
    image,
    env,
    initContainer: {
      name: CASSANDRA_CONFIG_VOLUME,
      image,
      command: ['sh', '-c', configCopy.join('; ')],
      volumeMounts: [{ name: CASSANDRA_CONFIG_VOLUME, mountPath: CASSANDRA_CONFIG_COPY_DIR }],
    },
    seedWaitContainer: renderNameWait(where, {
      containerName: CASSANDRA_SEED_WAIT_CONTAINER,
      image,
      namesVariable: 'CASSANDRA_SEEDS',
      names: seeds,
      what: 'seed',
      hint: 'Cassandra would exit at start (The seed provider lists no seeds). Check that the headless Service '
        + `${options.serviceName} exists and publishes not-ready addresses, and that the seed pods exist (kubectl get pods)`,
    }),
    authContainer: credentials && {
      name: CASSANDRA_AUTH_CONTAINER,
      image,
      command: ['sh', '-c', cassandraAuthScript()],
      env: [
        { name: e.USERNAME, valueFrom: { secretKeyRef: { name: credentials.secretName, key: credentials.usernameKey } } },
        { name: e.PASSWORD, valueFrom: { secretKeyRef: { name: credentials.secretName, key: credentials.passwordKey } } },
        { name: e.DATACENTER, value: datacenter },
        { name: e.NODES, value: String(nodes) },
        { name: e.REPLICATION, value: String(authReplication) },
        { name: e.MARKER, value: CASSANDRA_AUTH_MARKER },
        { name: e.RETRY_SECONDS, value: String(CASSANDRA_AUTH_RETRY_SECONDS) },
        { name: e.CHECK_SECONDS, value: String(CASSANDRA_AUTH_CHECK_SECONDS) },
        { name: 'HOME', value: CASSANDRA_AUTH_DIR },
      ],
      volumeMounts: [{ name: CASSANDRA_AUTH_VOLUME, mountPath: CASSANDRA_AUTH_DIR }],
    },
    authReplication: credentials ? authReplication : undefined,
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
      ...credentials ? [{ name: CASSANDRA_AUTH_VOLUME, emptyDir: { medium: 'Memory' as const, sizeLimit: '1Mi' } }] : [],
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

/**
 * The environment variables of the `cassandra-auth` sidecar (see `cassandraAuthScript()`), besides
 * the credentials.
 */
export const CASSANDRA_AUTH_ENV = {
  USERNAME: 'CASSANDRA_AUTH_USERNAME',
  PASSWORD: 'CASSANDRA_AUTH_PASSWORD',
  DATACENTER: 'CASSANDRA_AUTH_DATACENTER',
  NODES: 'CASSANDRA_AUTH_NODES',
  REPLICATION: 'CASSANDRA_AUTH_REPLICATION',
  MARKER: 'CASSANDRA_AUTH_MARKER',
  RETRY_SECONDS: 'CASSANDRA_AUTH_RETRY_SECONDS',
  CHECK_SECONDS: 'CASSANDRA_AUTH_CHECK_SECONDS',
} as const;

/**
 * The script of the `cassandra-auth` sidecar: it replaces the image's default superuser
 * (`cassandra`/`cassandra`, which Cassandra creates about 10 seconds after the first node of a new
 * ring starts, when system_auth holds no role) with the role of the Secret, and keeps system_auth
 * replicated so that logins survive a node being down. Every step is idempotent, so the script
 * runs the same way on every node, at every start, whatever the ring's state.
 *
 * It loops (every `CASSANDRA_AUTH_RETRY_SECONDS` while something is not ready, every
 * `CASSANDRA_AUTH_CHECK_SECONDS` once all is done, so a default superuser that comes back is
 * dropped again):
 * 1. Log in to this node (`cqlsh` to 127.0.0.1:9042) as the Secret's role. If that works:
 *    - drop the default superuser if it exists (`DROP ROLE IF EXISTS cassandra`): first, while
 *      system_auth may still have one replica, which the drop's QUORUM reaches for sure;
 *    - raise the replication of system_auth to `CASSANDRA_AUTH_REPLICATION` (min(3, nodes)) in
 *      this datacenter (`NetworkTopologyStrategy`) when it is lower; never lowered (a higher one
 *      was set by someone, on purpose);
 *    - repair system_auth on this node (`nodetool repair -full system_auth`, over JMX on
 *      localhost, which the image allows without credentials) once per replication factor,
 *      recorded in a file on the data claim (`CASSANDRA_AUTH_MARKER`): a raised replication
 *      leaves the new replicas empty until repaired, and a node whose claim is new gets repaired
 *      again. Skipped at replication 1.
 * 2. Otherwise, log in as the default superuser. If that works and every node of the ring has
 *    joined (`system.peers` holds `CASSANDRA_AUTH_NODES - 1` peers: creating the role earlier, on
 *    a ring that is still growing, would leave it on a node that a seed joining later takes the
 *    role's range from without streaming it), create the Secret's role as a superuser that can
 *    log in (`CREATE ROLE IF NOT EXISTS`); the next round goes to step 1.
 * 3. Otherwise wait: CQL is not up yet, or no quorum of system_auth's replicas is (a whole ring
 *    restarting), or the Secret's password was changed after the role was created (it is read
 *    only to create the role, as Postgres reads its password only at initdb: change the role
 *    with `ALTER ROLE` first, then the Secret).
 *
 * Secrets: the user name and password reach the container only as environment variables from a
 * `secretKeyRef`. `cqlsh` reads them from cqlshrc files written with umask 077 to a memory-backed
 * emptyDir (`HOME`); the password is never a process argument (`printf` is a shell builtin) and
 * the statement that holds it goes to `cqlsh` on its standard input, its `'` doubled. Output that
 * quotes the password is withheld from the log. The role's name is restricted to letters, digits,
 * `_`, `.`, `@` and `-` (it is written into cqlshrc and a CQL literal unescaped); the password may
 * hold anything but line breaks and surrounding white space (cqlshrc cannot keep them). A Secret
 * that breaks these rules, or names the role `cassandra` (the role this script drops), stops the
 * sidecar (exit 1): the pod is not Ready and the ring does not form with the default superuser
 * left in place.
 *
 * The sidecar is PID 1 of its container: SIGTERM ends it at once (the sleeps run in the
 * background so the trap is not deferred), or the pod's deletion would wait for the whole
 * termination grace period.
 */
export function cassandraAuthScript(): string {
  const e = CASSANDRA_AUTH_ENV;
  const lines = [
    'set -u',
    "trap 'exit 143' TERM INT",
    'say() { echo "cassandra-auth: $*"; }',
    // a state worth waiting in is logged once, not at every round
    "last=''",
    'note() { if [ "$1" != "$last" ]; then say "$1"; last="$1"; fi; }',
    'pause() { sleep "$1" & wait $!; }',
    'oneline() { printf \'%s\' "$1" | tr \'\\n\' \' \' | cut -c1-400; }',
    `user="\${${e.USERNAME}:-}"`,
    `password="\${${e.PASSWORD}:-}"`,
    `dc="\${${e.DATACENTER}:?}"`,
    `nodes="\${${e.NODES}:?}"`,
    `rf="\${${e.REPLICATION}:?}"`,
    `marker="\${${e.MARKER}:?}"`,
    `retry="\${${e.RETRY_SECONDS}:-${CASSANDRA_AUTH_RETRY_SECONDS}}"`,
    `check="\${${e.CHECK_SECONDS}:-${CASSANDRA_AUTH_CHECK_SECONDS}}"`,
    // ---- the Secret's values
    'fatal() { echo "cassandra-auth: $*" >&2; exit 1; }',
    `[ -n "$user" ] || fatal "${e.USERNAME} is empty: the Secret's user name key holds no user name"`,
    'case "$user" in',
    `  *[!A-Za-z0-9_.@-]*) fatal "the user name \\"$user\\" in ${e.USERNAME} must be letters, digits, '_', '.', '@' and '-'" ;;`,
    'esac',
    `[ "$user" != ${CASSANDRA_DEFAULT_SUPERUSER} ] || fatal "the user name in ${e.USERNAME} must not be ${CASSANDRA_DEFAULT_SUPERUSER}: that is the image's default superuser, which this sidecar drops"`,
    `[ -n "$password" ] || fatal "${e.PASSWORD} is empty: the Secret's password key holds no password"`,
    "nl=$(printf '\\n_'); nl=${nl%_}",
    "cr=$(printf '\\r')",
    "tab=$(printf '\\t')",
    'case "$password" in',
    `  *"$nl"*|*"$cr"*) fatal "the password in ${e.PASSWORD} holds a line break, which cqlsh cannot read from its configuration" ;;`,
    `  " "*|*" "|"$tab"*|*"$tab") fatal "the password in ${e.PASSWORD} starts or ends with white space, which cqlsh would drop" ;;`,
    'esac',
    'for n in "$nodes" "$rf" "$retry" "$check"; do',
    '  case "$n" in \'\'|*[!0-9]*) fatal "\\"$n\\" is not a number" ;; esac',
    'done',
    // ---- cqlsh, as the Secret's role or as the default superuser
    'umask 077',
    'home="${HOME:?}"',
    'admin="$home/admin.cqlshrc"',
    `default="$home/${CASSANDRA_DEFAULT_SUPERUSER}.cqlshrc"`,
    'printf \'[authentication]\\nusername = %s\\npassword = %s\\n\' "$user" "$password" > "$admin" || fatal "cannot write $admin"',
    `printf '[authentication]\\nusername = ${CASSANDRA_DEFAULT_SUPERUSER}\\npassword = ${CASSANDRA_DEFAULT_SUPERUSER}\\n' > "$default" || fatal "cannot write $default"`,
    // the password as a CQL string literal: every ' doubled (sed reads it from a pipe)
    "literal=$(printf '%s' \"$password\" | sed \"s/'/''/g\")",
    `cql() { rc="$1"; shift; cqlsh --cqlshrc "$rc" --request-timeout 60 "$@" 127.0.0.1 ${CASSANDRA_CQL_PORT}; }`,
    'withheld() { case "$1" in *"$password"*) echo "(output withheld: it quotes the password)" ;; *) oneline "$1" ;; esac; }',
    // ---- step 1: as the Secret's role
    'maintain() {',
    `  if ! out=$(cql "$admin" -e "DROP ROLE IF EXISTS ${CASSANDRA_DEFAULT_SUPERUSER}" 2>&1); then`,
    `    note "could not drop the default superuser ${CASSANDRA_DEFAULT_SUPERUSER} yet: $(withheld "$out")"; return 1`,
    '  fi',
    '  current=0',
    '  case "$1" in',
    '    *NetworkTopologyStrategy*) current=$(printf \'%s\\n\' "$1" | tr \',{}\' \'\\n\\n\\n\' | grep -F "\'$dc\': " | head -n 1 | sed "s/.*\': \'//; s/\'.*//") ;;',
    '  esac',
    '  case "$current" in \'\'|*[!0-9]*) current=0 ;; esac',
    '  if [ "$current" -lt "$rf" ]; then',
    '    say "raising the replication of system_auth in $dc from $current to $rf"',
    '    if ! out=$(cql "$admin" -e "ALTER KEYSPACE system_auth WITH replication = {\'class\': \'NetworkTopologyStrategy\', \'$dc\': $rf}" 2>&1); then',
    '      note "could not raise the replication of system_auth: $(withheld "$out")"; return 1',
    '    fi',
    '    current=$rf',
    '  fi',
    '  if [ "$(cat "$marker" 2>/dev/null)" != "$current" ]; then',
    '    if [ "$current" -gt 1 ]; then',
    '      say "repairing system_auth on this node (replication $current), so every replica holds the roles"',
    '      if ! out=$(nodetool repair -full system_auth 2>&1); then',
    '        note "could not repair system_auth yet (every replica must be up): $(withheld "$out")"; return 1',
    '      fi',
    '    fi',
    '    printf \'%s\\n\' "$current" > "$marker" || { note "cannot write $marker"; return 1; }',
    '  fi',
    '  return 0',
    '}',
    // ---- step 2: as the default superuser, once the whole ring has joined
    'setup() {',
    "  peers=$(printf '%s\\n' \"$1\" | awk 'found && NF { print $1; exit } /^-+$/ { found = 1 }')",
    '  case "$peers" in \'\'|*[!0-9]*) note "could not read the number of peers: $(withheld "$1")"; return 1 ;; esac',
    '  if [ $((peers + 1)) -lt "$nodes" ]; then',
    `    note "the default superuser ${CASSANDRA_DEFAULT_SUPERUSER} is active: waiting for all $nodes nodes to join the ring before replacing it ($((peers + 1)) so far)"`,
    '    return 1',
    '  fi',
    `  say "creating the superuser role $user from the Secret; the default superuser ${CASSANDRA_DEFAULT_SUPERUSER} is dropped next"`,
    "  if ! out=$(printf \"CREATE ROLE IF NOT EXISTS '%s' WITH PASSWORD = '%s' AND SUPERUSER = true AND LOGIN = true;\\n\" \"$user\" \"$literal\" | cql \"$default\" 2>&1); then",
    '    note "could not create the role $user yet: $(withheld "$out")"; return 1',
    '  fi',
    '  return 0',
    '}',
    // ---- the loop
    'while :; do',
    '  if out=$(cql "$admin" -e "SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = \'system_auth\'" 2>&1); then',
    '    if maintain "$out"; then',
    `      note "the superuser role $user is set up, the default superuser ${CASSANDRA_DEFAULT_SUPERUSER} is gone and system_auth has $current replicas in $dc; checking again every \${check}s"`,
    '      pause "$check"',
    '    else',
    '      pause "$retry"',
    '    fi',
    '    continue',
    '  fi',
    '  refused="$out"',
    '  if out=$(cql "$default" -e "SELECT count(*) FROM system.peers" 2>&1); then',
    '    setup "$out" || pause "$retry"',
    '    continue',
    '  fi',
    '  case "$refused" in',
    '    *AuthenticationFailed*|*"Bad credentials"*)',
    `      note "neither the role $user from the Secret nor the default superuser ${CASSANDRA_DEFAULT_SUPERUSER} can log in yet: Cassandra creates the default superuser about 10 seconds after the first node of a new ring starts, logins need a quorum of system_auth's replicas, and a Secret changed after the role was created is not applied (ALTER ROLE the role first): $(withheld "$refused")" ;;`,
    `    *) note "waiting for CQL on this node (127.0.0.1:${CASSANDRA_CQL_PORT}): $(withheld "$refused")" ;;`,
    '  esac',
    '  pause "$retry"',
    'done',
  ];
  return lines.join('\n') + '\n';
}
