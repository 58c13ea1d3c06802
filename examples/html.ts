import { Chart, ChartProps, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { StatefulWorkload } from 'cdk8s-stateful';

/**
 * `html`: two nginx replicas, each with a tiny 16Ki claim `html-pvc` on the storage class `html`,
 * behind the headless Service `html-service`. Claims are `html-pvc-html-0` and `html-pvc-html-1`.
 */
export class HtmlExample extends Chart {
  public readonly workload: StatefulWorkload;

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
  }
}
