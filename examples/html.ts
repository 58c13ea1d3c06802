import { Chart, ChartProps, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { StaticVolumeSet, StaticVolumeSource, StatefulWorkload, StorageClass } from 'cdk8s-stateful';

/**
 * `html`: two nginx replicas, each with a tiny 16Ki claim `html-pvc` on the storage class `html`,
 * behind the headless Service `html-service`. Claims are `html-pvc-html-0` and `html-pvc-html-1`.
 *
 * The storage is created by hand, for a single-node test cluster (kind, minikube, k3d):
 * - the storage class `html`: no provisioner, WaitForFirstConsumer binding;
 * - two hostPath persistent volumes `html-pv-0` and `html-pv-1` at /mnt/data/html-0 and
 *   /mnt/data/html-1, 1Mi each, ReadWriteOnce, class `html`: the claims bind to them.
 *
 * hostPath volumes are for test clusters only: nothing pins a pod to the node that holds its
 * data. On real nodes use `StaticVolumeSource.local()` (see the `local-ssd` example).
 */
export class HtmlExample extends Chart {
  public readonly workload: StatefulWorkload;
  /** The storage class `html`. */
  public readonly storageClass: StorageClass;
  /** The volumes `html-pv-0` and `html-pv-1`. */
  public readonly volumes: StaticVolumeSet;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);

    this.workload = new StatefulWorkload(this, 'html', {
      metadata: { name: 'html' },
      replicas: 2,
      headlessService: { name: 'html-service' },
      containers: [{
        name: 'nginx',
        image: 'docker.io/nginxinc/nginx-unprivileged:1.27-alpine',
        portNumber: 8080,
        securityContext: { user: 101, group: 101 },
      }],
      volumeClaimTemplates: [{
        name: 'html-pvc',
        storage: Size.kibibytes(16),
        storageClassName: 'html',
        mountPath: '/usr/share/nginx/html',
      }],
    });

    this.storageClass = StorageClass.localDisks(this, 'html-class', { metadata: { name: 'html' } });

    this.volumes = new StaticVolumeSet(this, 'html-pv', {
      workload: this.workload,
      claimTemplate: this.workload.volumeClaimTemplates[0],
      namePrefix: 'html-pv',
      storage: Size.mebibytes(1),
      sources: [0, 1].map(ordinal => StaticVolumeSource.hostPath(`/mnt/data/html-${ordinal}`)),
    });
  }
}
