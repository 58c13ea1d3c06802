import { Chart, ChartProps, Size } from 'cdk8s';
import { Protocol } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { StatefulWorkload } from 'cdk8s-stateful';

/**
 * `web`: the StatefulSet from the Kubernetes docs' basics tutorial, made restricted-safe.
 *
 * Two nginx replicas, each with its own 1Gi ReadWriteOnce claim `www` mounted at
 * /usr/share/nginx/html, behind the headless Service `nginx`: pods are `web-0.nginx` and
 * `web-1.nginx`, claims `www-web-0` and `www-web-1`.
 *
 * The stock nginx image runs as root; nginx-unprivileged runs as uid 101 on port 8080, so it
 * passes the Pod Security Standards "restricted" profile.
 */
export class WebExample extends Chart {
  public readonly workload: StatefulWorkload;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);

    this.workload = new StatefulWorkload(this, 'web', {
      metadata: { name: 'web' },
      replicas: 2,
      headlessService: { name: 'nginx' },
      containers: [{
        name: 'nginx',
        image: 'docker.io/nginxinc/nginx-unprivileged:1.27-alpine',
        ports: [{ name: 'web', number: 8080, protocol: Protocol.TCP }],
        securityContext: { user: 101, group: 101 },
      }],
      volumeClaimTemplates: [{
        name: 'www',
        storage: Size.gibibytes(1),
        mountPath: '/usr/share/nginx/html',
      }],
    });
  }
}
