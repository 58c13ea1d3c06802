import { Chart, ChartProps, Cron, Size } from 'cdk8s';
import { Secret } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  Cassandra,
  ClaimDataSource,
  DataStoreCredentials,
  SnapshotRestore,
  SnapshotSchedule,
  StorageClass,
  VolumeSnapshotClass,
  VolumeSnapshotDeletionPolicy,
} from 'cdk8s-stateful';

/** The ring's nodes. */
const NODES = 3;

/** Props of `CassandraExample`. */
export interface CassandraExampleProps extends ChartProps {
  /**
   * Start every node on the nightly snapshot of its own claim taken at this UTC time
   * (`yyyymmddhhmmss`), e.g. `20250301020000`, instead of an empty volume: the ring restored.
   *
   * @default - the ring starts on new, empty volumes
   */
  readonly restoreFrom?: string;
}

/**
 * `cassandra`: the `Cassandra` preset, a three-node ring on EBS gp3 volumes, snapshotted every
 * night.
 *
 * - the storage class `cassandra-gp3`: the EBS CSI driver, gp3 volumes, Retain,
 *   WaitForFirstConsumer (each node's volume in its node's zone), volume expansion allowed;
 * - the snapshot class `cassandra-snapshots` of the same driver, with `deletionPolicy: Delete`:
 *   a snapshot the schedule prunes frees its storage (the default, Retain, would keep them all);
 * - authentication: the superuser role from the Secret `cassandra-admin` (keys `username` and
 *   `password`, created outside the chart); the preset's `cassandra-auth` sidecar replaces the
 *   image's default superuser with it once the three nodes have joined;
 * - a 1Gi data claim per node; the preset's defaults otherwise: seeds `cassandra-0` and
 *   `cassandra-1`, OrderedReady, a 30-minute grace period, a budget of one node down, no two
 *   nodes on one host;
 * - the `SnapshotSchedule` `nightly`: at 02:00 UTC a CronJob snapshots `data-cassandra-0` to
 *   `data-cassandra-2` (`data-cassandra-<n>-nightly-<yyyymmddhhmmss>`) and keeps the newest 7 of
 *   each.
 *
 * Cassandra has no consistent logical dump (`cqlsh COPY` is per table and not a backup); a node's
 * snapshot is crash-consistent (the commit log replays on start), and the nodes' snapshots are
 * taken one after the other, not at one instant: after a restore, run `nodetool repair`.
 *
 * With `restoreFrom` (the alternative `cassandra-restored`), every node's claim is rendered before
 * the StatefulSet with the snapshot of the same node as its data source (`SnapshotRestore`).
 */
export class CassandraExample extends Chart {
  /** The storage class `cassandra-gp3`. */
  public readonly storageClass: StorageClass;
  /** The snapshot class `cassandra-snapshots`. */
  public readonly snapshotClass: VolumeSnapshotClass;
  /** The ring. */
  public readonly cassandra: Cassandra;
  /** The nightly snapshots. */
  public readonly snapshots: SnapshotSchedule;
  /** The restore, with `restoreFrom`. */
  public readonly restore?: SnapshotRestore;

  constructor(scope: Construct, id: string, props: CassandraExampleProps = {}) {
    super(scope, id, { namespace: 'cassandra', ...props });

    this.storageClass = new StorageClass(this, 'gp3', {
      metadata: { name: 'cassandra-gp3' },
      provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3' },
      allowVolumeExpansion: true,
    });
    this.snapshotClass = new VolumeSnapshotClass(this, 'snapshot-class', {
      metadata: { name: 'cassandra-snapshots' },
      driver: 'ebs.csi.aws.com',
      deletionPolicy: VolumeSnapshotDeletionPolicy.DELETE,
    });

    this.cassandra = new Cassandra(this, 'ring', {
      metadata: { name: 'cassandra' },
      replicas: NODES,
      clusterName: 'shop',
      storage: Size.gibibytes(1),
      storageClass: this.storageClass,
      credentials: DataStoreCredentials.fromSecret(Secret.fromSecretName(this, 'admin', 'cassandra-admin')),
    });

    this.snapshots = new SnapshotSchedule(this, 'nightly', {
      workload: this.cassandra.workload,
      snapshotClass: this.snapshotClass,
      schedule: Cron.schedule({ minute: '0', hour: '2' }),
      timeZone: 'Etc/UTC',
      retain: 7,
    });

    if (props.restoreFrom !== undefined) {
      // the schedule names a snapshot <claim>-<schedule>-<UTC time>: data-cassandra-0-nightly-20250301020000
      const data = this.cassandra.workload.volumeClaimTemplates[0];
      this.restore = new SnapshotRestore(this, 'restore', {
        workload: this.cassandra.workload,
        snapshots: Array.from({ length: NODES }, (_, node) =>
          ClaimDataSource.fromSnapshot(`${data.claimName(node)}-${this.snapshots.scheduleName}-${props.restoreFrom}`)),
      });
    }
  }
}
