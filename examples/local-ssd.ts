import { Chart, ChartProps, Size } from 'cdk8s';
import { Secret } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Cassandra, DataStoreCredentials, StaticVolumeSet, StaticVolumeSource, StorageClass } from 'cdk8s-stateful';

/** The nodes with a local SSD mounted at /mnt/disks/ssd0, one Cassandra node each. */
const NODES = ['k8s-node-1', 'k8s-node-2', 'k8s-node-3'];

/**
 * `local-ssd`: the `Cassandra` preset on local SSDs, one ring node per disk.
 *
 * - the storage class `fast`: no provisioner, WaitForFirstConsumer binding, Retain;
 * - the ring `store` (cluster name `store`): three nodes with 300Gi data claims of class `fast`,
 *   and the preset's decisions otherwise: a pinned image, seeds `store-0` and `store-1` through
 *   the headless Service that publishes not-ready pods, OrderedReady, a 30-minute grace period
 *   for draining a node, a budget of one node down, no two nodes on one host;
 * - three local persistent volumes of 375Gi (the whole disk), one per node
 *   (`cassandra-data-store-0` on `k8s-node-1`, ...), each reserved for its node's claim
 *   `data-store-<ordinal>`: ring node N always runs on host N. The preset is given to the
 *   `StaticVolumeSet` as it is: its data claim template is the only one;
 * - authentication: the superuser role from the Secret `store-admin` (keys `username` and
 *   `password`), created outside the chart.
 *
 * Local volumes are as fast as the disk and as durable as the host: when a host dies, its node's
 * data is gone and the pod stays Pending until the volume is replaced. Cassandra copes by
 * replicating data between nodes (use a replication factor of 3); a store that does not should
 * not use local volumes.
 */
export class LocalSsdExample extends Chart {
  /** The storage class `fast`. */
  public readonly storageClass: StorageClass;
  /** The ring. */
  public readonly cassandra: Cassandra;
  /** One local volume per ring node. */
  public readonly volumes: StaticVolumeSet;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'cassandra', ...props });

    this.storageClass = StorageClass.localDisks(this, 'fast', { metadata: { name: 'fast' } });

    this.cassandra = new Cassandra(this, 'store', {
      metadata: { name: 'store' },
      replicas: NODES.length,
      clusterName: 'store',
      storage: Size.gibibytes(300),
      storageClass: this.storageClass,
      credentials: DataStoreCredentials.fromSecret(Secret.fromSecretName(this, 'admin', 'store-admin')),
    });

    this.volumes = new StaticVolumeSet(this, 'ssd', {
      workload: this.cassandra,
      storage: Size.gibibytes(375),
      sources: NODES.map(node => StaticVolumeSource.local('/mnt/disks/ssd0', node)),
      bindToClaims: true,
    });
  }
}
