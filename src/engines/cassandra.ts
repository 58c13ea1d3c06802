import { ApiObject, Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import {
  ContainerResources,
  Cpu,
  EmptyDirMedium,
  EnvFieldPaths,
  EnvValue,
  PercentOrAbsolute,
  PodManagementPolicy,
  Probe,
  Topology,
  Volume,
} from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EngineImageOptions } from './engine-image';
import { EnginePreset } from './engine-preset';
import { ConnectionProperties, DataStoreCredentials, Endpoint } from '../connection/data-store';
import { CASSANDRA_CQL_PORT, CASSANDRA_DEFAULT_SUPERUSER, CassandraEngine, renderCassandra } from './private/cassandra';
import { EnvVarJson, ProbeJson, stateEngine } from './private/common';
import { engineImage } from './private/engine-image';
import { AppIndex } from '../private/app-index';
import { defaultTagOf, warnEngineVersion } from '../private/engine-versions';
import { storeLabel, warnUnauthenticatedStore } from '../private/unauthenticated-store';
import { presetResources } from './private/resources';
import { fail } from '../private/validation';
import { IStorageClass } from '../storage/storage-class';
import {
  DisruptionBudget,
  StatefulWorkload,
  StatefulWorkloadOptions,
  UnsatisfiableSpread,
} from '../workload/stateful-workload';

/**
 * A Cassandra release of the official `cassandra` image: the image tag.
 *
 * Only Cassandra 4.1 is offered: the preset's configuration (the env vars the image's entrypoint
 * writes into cassandra.yaml, the heap variables cassandra-env.sh reads, the config directory it
 * copies) was checked against the 4.1 image. Cassandra 5.0 runs on Java 17 with other JVM
 * options files, which the preset has not been checked against.
 *
 * A tag below the first 4.1 release without known critical or high advisories (the engine version
 * policy, docs/engine-versions.md) is accepted, and the `Cassandra` that runs it warns
 * `[vulnerable-engine-version]`.
 *
 * @see https://hub.docker.com/_/cassandra
 * @see https://cassandra.apache.org/_/download.html
 */
export class CassandraVersion {
  /**
   * Cassandra 4.1, pinned to its newest patch release (`4.1.12`; the engine version policy keeps it
   * current).
   */
  public static readonly V4_1 = new CassandraVersion(defaultTagOf('cassandra', '4.1'));

  /**
   * A 4.1 patch release by its full image tag, e.g. `CassandraVersion.of('4.1.12')`.
   *
   * @param tag the image tag `4.1.<patch>`
   */
  public static of(tag: string): CassandraVersion {
    if (!/^4\.1\.[0-9]{1,3}$/.test(tag)) {
      throw fail('CassandraVersion.of', 'tag', tag,
        `Must be a Cassandra 4.1 patch release such as "${CassandraVersion.V4_1.tag}": the preset is checked against 4.1 only, and a floating tag ("4.1", "latest") changes the engine under a running ring`,
        'Give the full tag of a 4.1 release, or use CassandraVersion.V4_1');
    }
    return new CassandraVersion(tag);
  }

  /** The image tag. */
  public readonly tag: string;

  private constructor(tag: string) {
    this.tag = tag;
  }
}

/**
 * Props of `Cassandra`: a ring of Cassandra nodes, one per pod.
 *
 * Every `StatefulWorkloadOptions` prop is passed to the workload, with these Cassandra defaults:
 * `replicas` 3 (the number of nodes), `terminationGracePeriod` 1800 seconds,
 * `disruptionBudget` one node, `topologySpread` a hard spread over hosts, `securityContext`
 * uid, gid and fsGroup 999, and the headless Service publishing not-ready addresses.
 */
export interface CassandraProps extends StatefulWorkloadOptions {
  /**
   * How many of the first pods are seeds: the nodes a starting node learns the ring from, by
   * their stable DNS names (`<name>-0.<service>...`). At most `replicas`.
   *
   * @see https://cassandra.apache.org/doc/4.1/cassandra/architecture/dynamo.html#seed-nodes
   * @default - 2, or 1 with a single node
   */
  readonly seeds?: number;

  /**
   * The cluster name (`cluster_name`). It cannot change once the nodes have started: a node
   * refuses to start with another name than the one in its data.
   *
   * @see https://cassandra.apache.org/doc/4.1/cassandra/configuration/cass_yaml_file.html#cluster_name
   * @default - the StatefulSet's name
   */
  readonly clusterName?: string;

  /**
   * The datacenter of every node (`dc` in cassandra-rackdc.properties, read by the
   * GossipingPropertyFileSnitch). Consumers wired with `DataStoreConnection` get it as
   * `<PREFIX>_LOCAL_DATACENTER` (`connectionProperties.localDatacenter`), which the drivers need.
   *
   * @see https://cassandra.apache.org/doc/4.1/cassandra/configuration/cass_rackdc_file.html
   * @default "dc1"
   */
  readonly datacenter?: string;

  /**
   * The rack of every node (`rack` in cassandra-rackdc.properties).
   *
   * @see https://cassandra.apache.org/doc/4.1/cassandra/configuration/cass_rackdc_file.html
   * @default "rack1"
   */
  readonly rack?: string;

  /**
   * The JVM heap (`MAX_HEAP_SIZE`), in whole MiB. Checked against the memory limit: it must
   * leave 256Mi plus the chunk cache (a quarter of the heap, at most 512Mi) off the heap.
   *
   * @see https://cassandra.apache.org/doc/4.1/cassandra/operating/hardware.html#memory
   * @default - cassandra-env.sh's formula applied to the memory limit (not the node's memory):
   * max(min(limit/2, 1Gi), min(limit/4, 8Gi))
   */
  readonly maxHeapSize?: Size;

  /**
   * The young generation (`HEAP_NEWSIZE`), in whole MiB; below `maxHeapSize`.
   *
   * @see https://cassandra.apache.org/doc/4.1/cassandra/operating/hardware.html#memory
   * @default - a quarter of the heap
   */
  readonly heapNewSize?: Size;

  /**
   * The Cassandra release: the image tag.
   *
   * @see https://hub.docker.com/_/cassandra
   * @default CassandraVersion.V4_1
   */
  readonly version?: CassandraVersion;

  /**
   * Where the image is pulled from (a mirror or a private registry); the tag comes from `version`.
   *
   * @see https://kubernetes.io/docs/concepts/containers/images/#image-names
   * @default - docker.io/library/cassandra
   */
  readonly image?: EngineImageOptions;

  /**
   * The Cassandra container's resources, merged field by field over the defaults: a field you
   * leave out keeps its default (passing only `memory` keeps the request of 1 CPU). A memory
   * request without a limit is also the limit, and the request defaults to the limit. The heap is
   * derived from the memory limit and checked against it (at least 1Gi).
   *
   * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
   * @default - 1 CPU requested, no CPU limit, 2Gi of memory requested and as the limit (a 1Gi heap)
   */
  readonly resources?: ContainerResources;

  /**
   * The size of each node's data claim (data, commit log, hints, saved caches at
   * `/var/lib/cassandra`).
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#persistentvolumeclaims
   * @default Size.gibibytes(10)
   */
  readonly storage?: Size;

  /**
   * The storage class of the data claims, e.g. the local-SSD class of `StorageClass.localDisks()`.
   *
   * @see https://kubernetes.io/docs/concepts/storage/storage-classes/
   * @default - `storageClassName`, or the storage class marked as default in the cluster
   */
  readonly storageClass?: IStorageClass;

  /**
   * The storage class of the data claims, by name.
   *
   * @see https://kubernetes.io/docs/concepts/storage/storage-classes/
   * @default - the storage class marked as default in the cluster is used
   */
  readonly storageClassName?: string;

  /**
   * The superuser role's credentials: an existing Secret with a user name and a password
   * (`DataStoreCredentials.fromSecret()`; the default keys are those of a
   * `kubernetes.io/basic-auth` Secret). Turns authentication on (`PasswordAuthenticator`, with
   * `CassandraAuthorizer` for `GRANT`s), and a sidecar (`cassandra-auth`) replaces the image's
   * default superuser `cassandra`/`cassandra` with this role once every node has joined the new
   * ring, raises the replication of `system_auth` to min(3, nodes) and repairs it. Consumers wired
   * with `DataStoreConnection` get `<PREFIX>_USERNAME` and `<PREFIX>_PASSWORD` from the same keys.
   *
   * The Secret is read only to create the role: changing it later changes nothing in the ring
   * (change the role with `ALTER ROLE` first). The user name must be letters, digits, `_`, `.`,
   * `@` and `-`, and not `cassandra`; the password must not hold line breaks nor start or end with
   * white space (checked at synthesis for a Secret the app renders, and by the sidecar).
   *
   * A ring needs either this or `allowUnauthenticated: true`.
   *
   * @see https://cassandra.apache.org/doc/4.1/cassandra/operating/security.html#authentication
   * @default - none: `allowUnauthenticated` must then be true
   */
  readonly credentials?: DataStoreCredentials;

  /**
   * Serve clients without credentials, as the image does (`AllowAllAuthenticator`): the explicit
   * opt-out from `credentials`, for a ring whose network already admits only its clients (a
   * NetworkPolicy). Synthesis then warns `[unauthenticated-store]` until the ring's ingress is
   * isolated to the pods wired to it (acknowledge the warning, with the reason, when a
   * NetworkPolicy of your own does it). Cannot be combined with `credentials`.
   *
   * @see https://cassandra.apache.org/doc/4.1/cassandra/operating/security.html#authentication
   * @default false - `credentials` are required
   */
  readonly allowUnauthenticated?: boolean;
}

/**
 * Apache Cassandra on a `StatefulWorkload`: one ring of `replicas` nodes with the official image.
 *
 * Nodes start one at a time (OrderedReady), find the ring through seeds (the stable DNS names of
 * the first pods), listen on their pod IP and keep their data on a claim each. Clients connect
 * to CQL on port 9042 at the headless Service's DNS name: every node coordinates requests.
 *
 * The image's entrypoint rewrites its configuration files at start: under the read-only root
 * file system, `/etc/cassandra` is an emptyDir that an init container fills with the image's
 * files. Before that, an init container holds each node until a seed's DNS name resolves (its own
 * name for a seed pod): Cassandra exits at start when no seed resolves.
 *
 * Authentication: with `credentials`, `PasswordAuthenticator` and `CassandraAuthorizer`, and a
 * sidecar that replaces the image's default superuser with the Secret's role (see
 * `credentials`); consumers get the role's credentials. Without them (`allowUnauthenticated`),
 * the image's `AllowAllAuthenticator`, and a warning.
 *
 * @see https://cassandra.apache.org/doc/4.1/cassandra/getting_started/configuring.html
 */
export class Cassandra extends EnginePreset {
  /** The workload running the nodes (escape hatch). */
  public readonly workload: StatefulWorkload;
  /** The Cassandra release. */
  public readonly version: CassandraVersion;
  /** The cluster name. */
  public readonly clusterName: string;
  /** The datacenter of every node. */
  public readonly datacenter: string;
  /** The rack of every node. */
  public readonly rack: string;
  /** The number of nodes. */
  public readonly nodes: number;
  /**
   * The replication factor of `system_auth` in the datacenter with `credentials`: min(3, nodes).
   *
   * @default - no credentials: authentication is off and `system_auth` is left alone
   */
  public readonly authReplication?: number;
  private readonly _seeds: string[];

  constructor(scope: Construct, id: string, props: CassandraProps = {}) {
    super(scope, id);
    const where = `Cassandra '${this.node.path}'`;

    // ---- defaults and eager checks
    this.version = props.version ?? CassandraVersion.V4_1;
    const image = engineImage(where, 'image', props.image, 'library/cassandra', this.version.tag);
    warnEngineVersion(this, where, 'version', 'cassandra', this.version.tag);
    if (props.podManagementPolicy !== undefined && props.podManagementPolicy !== PodManagementPolicy.ORDERED_READY) {
      throw fail(where, 'podManagementPolicy', props.podManagementPolicy,
        'Must be OrderedReady: Cassandra nodes must join the ring one at a time',
        'Leave \'podManagementPolicy\' out');
    }
    if (props.headlessService?.publishNotReadyAddresses === false) {
      throw fail(where, 'headlessService.publishNotReadyAddresses', false,
        'Must be true: nodes resolve the seeds by DNS before the seeds are Ready',
        'Leave \'publishNotReadyAddresses\' out');
    }
    const credentials = props.credentials;
    if (credentials === undefined && props.allowUnauthenticated !== true) {
      throw fail(where, 'credentials', 'unset',
        'Must be set, or authentication turned off explicitly with \'allowUnauthenticated: true\': a ring without authentication serves every pod in the cluster',
        'Set \'credentials\' to DataStoreCredentials.fromSecret(secret) with a Secret holding the superuser\'s user name and password, '
        + 'or set \'allowUnauthenticated: true\' for a ring your own NetworkPolicy isolates');
    }
    if (credentials !== undefined && props.allowUnauthenticated === true) {
      throw fail(where, 'allowUnauthenticated', true, 'Cannot be combined with \'credentials\': a ring with credentials refuses clients without them',
        'Leave \'allowUnauthenticated\' out');
    }
    if (credentials !== undefined && !(credentials instanceof DataStoreCredentials)) {
      throw fail(where, 'credentials', credentials, 'Must be DataStoreCredentials: the password must come from a Kubernetes Secret',
        'Set \'credentials\' to DataStoreCredentials.fromSecret(secret)');
    }
    if (credentials !== undefined && credentials.usernameKey === undefined) {
      throw fail(where, 'credentials', 'DataStoreCredentials.fromPasswordSecret()',
        'Must have a user name key: Cassandra\'s PasswordAuthenticator logs roles in by name, and the superuser role is created from the Secret\'s user name',
        'Use DataStoreCredentials.fromSecret(secret, { usernameKey, passwordKey })');
    }
    if (props.governingService !== undefined) {
      throw fail(where, 'governingService', props.governingService.name,
        'Cannot be set: the seeds are resolved through the headless Service, which must publish not-ready addresses (a cdk8s-plus Service cannot)',
        'Leave \'governingService\' out and name the created Service with \'headlessService.name\'');
    }
    const resources = presetResources(props.resources, { cpuRequest: Cpu.units(1), memory: Size.gibibytes(2) });
    const memoryLimit = resources.memory!.limit!;

    // ---- children
    this.workload = new StatefulWorkload(this, 'Resource', {
      ...props,
      replicas: props.replicas ?? 3,
      podManagementPolicy: PodManagementPolicy.ORDERED_READY,
      terminationGracePeriod: props.terminationGracePeriod ?? Duration.seconds(1800),
      disruptionBudget: props.disruptionBudget ?? DisruptionBudget.maxUnavailable(PercentOrAbsolute.absolute(1)),
      topologySpread: props.topologySpread ?? [{
        topology: Topology.HOSTNAME,
        maxSkew: 1,
        whenUnsatisfiable: UnsatisfiableSpread.DO_NOT_SCHEDULE,
      }],
      headlessService: { ...props.headlessService, publishNotReadyAddresses: true },
      securityContext: { user: 999, group: 999, fsGroup: 999, ...props.securityContext },
      clientPorts: [{ port: CASSANDRA_CQL_PORT }],
      credentials,
      // the preset warns about itself (below), naming its own props
      allowUnauthenticated: false,
    });
    const w = this.workload;
    stateEngine(w.apiObject, 'cassandra', this.version.tag);

    const engine: CassandraEngine = renderCassandra(where, {
      statefulSetName: w.name,
      serviceName: w.serviceName,
      namespace: w.namespaceName,
      clusterDomain: w.clusterDomain,
      startOrdinal: w.startOrdinal,
      nodes: w.replicas,
      seeds: props.seeds,
      clusterName: props.clusterName,
      datacenter: props.datacenter,
      rack: props.rack,
      memoryLimit: quantity(memoryLimit),
      maxHeapSize: props.maxHeapSize && quantity(props.maxHeapSize),
      heapNewSize: props.heapNewSize && quantity(props.heapNewSize),
      image,
      credentials: credentials && {
        secretName: credentials.secret.name,
        usernameKey: credentials.usernameKey!,
        passwordKey: credentials.passwordKey,
      },
    }, { nodes: 'replicas', memoryLimit: 'resources.memory.limit' });
    this.nodes = engine.podCount;
    this._seeds = engine.seeds;
    this.clusterName = engine.clusterName;
    this.datacenter = engine.datacenter;
    this.rack = engine.rack;

    const volumes = new Map<string, Volume>();
    for (const v of engine.volumes) {
      // the engine sizes its memory-backed volumes in whole Mi
      const limit = v.emptyDir.sizeLimit === undefined ? undefined : Size.mebibytes(parseInt(v.emptyDir.sizeLimit, 10));
      const memory = v.emptyDir.medium === 'Memory' ? { medium: EmptyDirMedium.MEMORY, sizeLimit: limit } : {};
      volumes.set(v.name, w.addVolume(Volume.fromEmptyDir(this, `Volume-${v.name}`, v.name, memory)));
    }
    const mounts = (list: typeof engine.volumeMounts) => list.map(m => ({ path: m.mountPath, volume: volumes.get(m.name)!, readOnly: m.readOnly }));

    const envOf = (list: EnvVarJson[] = []) => {
      const env: { [name: string]: EnvValue } = {};
      for (const e of list) {
        const secretKey = e.valueFrom?.secretKeyRef?.key;
        env[e.name] = e.valueFrom?.fieldRef
          ? EnvValue.fromFieldRef(e.valueFrom.fieldRef.fieldPath as EnvFieldPaths)
          : secretKey !== undefined
            ? EnvValue.fromSecretValue({ secret: credentials!.secret, key: secretKey })
            : EnvValue.fromValue(e.value!);
      }
      return env;
    };
    const small = {
      cpu: { request: Cpu.millis(100) },
      memory: { request: Size.mebibytes(64), limit: Size.mebibytes(64) },
    };
    for (const init of [engine.seedWaitContainer, engine.initContainer]) {
      w.addInitContainer({
        name: init.name,
        image: init.image,
        command: init.command,
        envVariables: envOf(init.env),
        volumeMounts: mounts(init.volumeMounts),
        resources: small,
      });
    }
    w.addContainer({
      name: 'cassandra',
      image: engine.image,
      ports: engine.ports.map(p => ({ name: p.name, number: p.containerPort })),
      envVariables: envOf(engine.env),
      startup: tcpProbe(engine.startupProbe),
      liveness: tcpProbe(engine.livenessProbe),
      readiness: tcpProbe(engine.readinessProbe),
      resources,
      volumeMounts: mounts(engine.volumeMounts),
    });
    if (engine.authContainer) {
      // cqlsh (Python) and, once per replication factor, nodetool (a JVM with a 128m heap)
      w.addContainer({
        name: engine.authContainer.name,
        image: engine.authContainer.image,
        command: engine.authContainer.command,
        envVariables: envOf(engine.authContainer.env),
        volumeMounts: mounts(engine.authContainer.volumeMounts),
        resources: {
          cpu: { request: Cpu.millis(50) },
          memory: { request: Size.mebibytes(384), limit: Size.mebibytes(384) },
        },
      });
    }
    // mounted in every container: the sidecar keeps its repair marker there
    w.addVolumeClaimTemplate({
      name: 'data',
      storage: props.storage ?? Size.gibibytes(10),
      storageClass: props.storageClass,
      storageClassName: props.storageClassName,
      mountPath: engine.dataMountPath,
    });
    this.authReplication = engine.authReplication;

    // ---- warnings and deferred checks
    if (props.allowUnauthenticated === true) {
      warnUnauthenticatedStore({
        scope: this,
        workload: w,
        where,
        prop: 'allowUnauthenticated',
        value: 'true',
        store: `Cassandra ${storeLabel(w.name, w.namespaceName)}`,
        authenticate: 'Set \'credentials\' to DataStoreCredentials.fromSecret(secret) instead (PasswordAuthenticator, the Secret\'s role as the superuser)',
      });
    }
    if (credentials) {
      this.node.addValidation({ validate: () => AppIndex.of(this).memo(this, () => credentialErrors(where, credentials)) });
    }
  }

  /** The seeds' DNS names, in ordinal order (a copy). */
  public get seeds(): string[] {
    return [...this._seeds];
  }

  /**
   * The datacenter as the local one: the drivers (4.x and later) refuse contact points without a
   * local datacenter, so consumers get `<PREFIX>_LOCAL_DATACENTER`.
   */
  public get connectionProperties(): ConnectionProperties | undefined {
    return { localDatacenter: this.datacenter };
  }

  /** None: every node coordinates requests, no node is distinguished. */
  public get primaryEndpoint(): Endpoint | undefined {
    return undefined;
  }
}

/** A Size as a Kubernetes quantity in the largest whole binary unit, for the engine's checks and messages. */
function quantity(size: Size): string {
  const kib = size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
  if (Number.isInteger(kib / 1024 ** 2)) return `${kib / 1024 ** 2}Gi`;
  if (Number.isInteger(kib / 1024)) return `${kib / 1024}Mi`;
  return `${Math.floor(kib * 1024)}`;
}

function tcpProbe(json: ProbeJson): Probe {
  return Probe.fromTcpSocket({
    port: Number(json.tcpSocket!.port),
    periodSeconds: Duration.seconds(json.periodSeconds),
    timeoutSeconds: Duration.seconds(json.timeoutSeconds),
    successThreshold: json.successThreshold,
    failureThreshold: json.failureThreshold,
  });
}

/**
 * The superuser's user name and password in a Secret the app renders (with data) must be what
 * the `cassandra-auth` sidecar can use: the same rules its script checks at run time, found here
 * before anything is applied.
 */
function credentialErrors(where: string, credentials: DataStoreCredentials): string[] {
  const object = credentials.secret.node.defaultChild;
  if (!(object instanceof ApiObject) || object.kind !== 'Secret') return [];
  const rendered = object.toJson();
  const read = (key: string): string | undefined => rendered.stringData?.[key]
    ?? (rendered.data?.[key] !== undefined ? Buffer.from(rendered.data[key], 'base64').toString('utf8') : undefined);
  const errors: string[] = [];
  const secret = `of the Secret ${JSON.stringify(object.name)}`;
  // a missing key is reported by the credentials
  const username = read(credentials.usernameKey!);
  if (username !== undefined) {
    const prop = `credentials.usernameKey (${JSON.stringify(credentials.usernameKey)} ${secret})`;
    if (!/^[A-Za-z0-9_.@-]+$/.test(username)) {
      errors.push(fail(where, prop, username,
        'Must be 1 or more letters, digits, \'_\', \'.\', \'@\' and \'-\': the superuser role is created with this name by a script, through cqlsh\'s configuration',
        'Set the user name to a name such as "admin"').message);
    } else if (username === CASSANDRA_DEFAULT_SUPERUSER) {
      errors.push(fail(where, prop, username,
        'Must not be "cassandra": that is the image\'s default superuser (password "cassandra"), which the preset drops once the Secret\'s role exists',
        'Set the user name to another name, such as "admin"').message);
    }
  }
  const password = read(credentials.passwordKey);
  if (password !== undefined && (password === '' || /[\r\n]/.test(password) || password.trim() !== password)) {
    // never the value itself
    errors.push(fail(where, `credentials.passwordKey (${JSON.stringify(credentials.passwordKey)} ${secret})`, '(the password)',
      'Must be a non-empty password without line breaks and without white space at either end: cqlsh reads it from its configuration file, which cannot keep them',
      'Put another password in the Secret').message);
  }
  return errors;
}
