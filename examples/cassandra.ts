import { Chart, ChartProps, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { Cassandra, StaticVolumeSet, StaticVolumeSource, StorageClass } from 'cdk8s-stateful';

/** The nodes with a second local SSD mounted at /mnt/disks/ssd1, one Cassandra node each. */
const NODES = ['k8s-node-1', 'k8s-node-2', 'k8s-node-3'];

/**
 * `cassandra`: the `Cassandra` preset, a three-node ring on local SSDs.
 *
 * - the storage class `local-ssd` from `StorageClass.localDisks()`: no provisioner,
 *   WaitForFirstConsumer binding, Retain;
 * - a 1Gi data claim per node on that class; local volumes are not provisioned, so a
 *   `StaticVolumeSet` declares one local PersistentVolume per node, each reserved for its
 *   node's claim (`data-cassandra-<ordinal>`);
 * - the preset's defaults otherwise: seeds `cassandra-0` and `cassandra-1`, OrderedReady, a
 *   30-minute grace period, a budget of one node down, no two nodes on one host.
 *
 * A local volume is as durable as its host: when a host dies, its node's data is gone and the
 * pod stays Pending until the volume is replaced; Cassandra copes by replicating data between
 * nodes (use a replication factor of 3).
 */
export class CassandraExample extends Chart {
  /** The storage class `local-ssd`. */
  public readonly storageClass: StorageClass;
  /** The ring. */
  public readonly cassandra: Cassandra;
  /** One local volume per node. */
  public readonly volumes: StaticVolumeSet;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'cassandra', ...props });

    this.storageClass = StorageClass.localDisks(this, 'local-ssd', { metadata: { name: 'local-ssd' } });

    this.cassandra = new Cassandra(this, 'ring', {
      metadata: { name: 'cassandra' },
      replicas: NODES.length,
      clusterName: 'shop',
      storage: Size.gibibytes(1),
      storageClass: this.storageClass,
    });

    this.volumes = new StaticVolumeSet(this, 'ssd', {
      // the preset as it is: its data claim template is the only one
      workload: this.cassandra,
      sources: NODES.map(node => StaticVolumeSource.local('/mnt/disks/ssd1', node)),
      bindToClaims: true,
    });
  }
}
