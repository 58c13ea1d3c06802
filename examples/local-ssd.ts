import { Chart, ChartProps, Duration, Size } from 'cdk8s';
import { Cpu, EnvValue, Probe } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { NetworkPolicies, StaticVolumeSet, StaticVolumeSource, StatefulWorkload, StorageClass } from 'cdk8s-stateful';

/** The nodes with a local SSD mounted at /mnt/disks/ssd0, one replica each. */
const NODES = ['k8s-node-1', 'k8s-node-2', 'k8s-node-3'];

/**
 * `local-ssd`: a three-replica Cassandra-like store on local SSDs.
 *
 * - the storage class `fast`: no provisioner, WaitForFirstConsumer binding, Retain;
 * - three local persistent volumes, one per node (`cassandra-data-store-0` on `k8s-node-1`, ...),
 *   each reserved for its replica's claim `data-store-<ordinal>`: replica N always runs on node N;
 * - the store runs as uid 999 (the Cassandra image's user) under the restricted profile; its
 *   headless Service publishes not-ready pods, so replicas find the seed `store-0` while the
 *   cluster forms;
 * - network isolation: the NetworkPolicy `store` admits the replicas to each other on the storage
 *   port 7000 (declared with `addPeerPort()`, as a store of your own declares its engine's peer
 *   ports), and CQL only to pods wired to the store (none in this example).
 *
 * Local volumes are as fast as the disk and as durable as the node: when a node dies, its
 * replica's data is gone, and the replica stays Pending until its volume is replaced. Cassandra
 * copes by replicating data between replicas; a store that does not should not use local volumes.
 */
export class LocalSsdExample extends Chart {
  /** The storage class `fast`. */
  public readonly storageClass: StorageClass;
  /** The store. */
  public readonly workload: StatefulWorkload;
  /** One local volume per replica. */
  public readonly volumes: StaticVolumeSet;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'cassandra', ...props });

    this.storageClass = StorageClass.localDisks(this, 'fast', { metadata: { name: 'fast' } });

    this.workload = new StatefulWorkload(this, 'store', {
      metadata: { name: 'store' },
      replicas: NODES.length,
      headlessService: { publishNotReadyAddresses: true },
      terminationGracePeriod: Duration.minutes(2),
      securityContext: { user: 999, group: 999, fsGroup: 999 },
      containers: [{
        name: 'cassandra',
        image: 'docker.io/library/cassandra:4.1',
        ports: [{ name: 'cql', number: 9042 }, { name: 'intra-node', number: 7000 }],
        envVariables: {
          CASSANDRA_CLUSTER_NAME: EnvValue.fromValue('store'),
          MAX_HEAP_SIZE: EnvValue.fromValue('1G'),
          HEAP_NEWSIZE: EnvValue.fromValue('256M'),
        },
        // the image's entrypoint edits /etc/cassandra/cassandra.yaml at start: the root file
        // system must stay writable (the restricted profile allows that)
        securityContext: { user: 999, group: 999, readOnlyRootFilesystem: false },
        readiness: Probe.fromTcpSocket({ port: 9042, initialDelaySeconds: Duration.seconds(30) }),
        resources: {
          cpu: { request: Cpu.units(1) },
          memory: { request: Size.gibibytes(2), limit: Size.gibibytes(2) },
        },
      }],
      volumeClaimTemplates: [{
        name: 'data',
        storage: Size.gibibytes(300),
        storageClass: this.storageClass,
        mountPath: '/var/lib/cassandra',
      }],
    });
    this.workload.containers[0].env.addVariable('CASSANDRA_SEEDS', EnvValue.fromValue(this.workload.podDnsName(0)));
    // the replicas gossip and stream on the storage port
    this.workload.addPeerPort({ name: 'intra-node', port: 7000 });
    NetworkPolicies.enable(this);

    this.volumes = new StaticVolumeSet(this, 'ssd', {
      workload: this.workload,
      claimTemplate: this.workload.volumeClaimTemplates[0],
      storage: Size.gibibytes(375),
      sources: NODES.map(node => StaticVolumeSource.local('/mnt/disks/ssd0', node)),
      bindToClaims: true,
    });
  }
}
