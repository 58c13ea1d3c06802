import { Chart, ChartProps, Duration, Size } from 'cdk8s';
import { Cpu, Job } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DataStoreConnection, ExternalService, IDataStore, PodDefaults } from 'cdk8s-stateful';

/**
 * `external-dns`: an nginx outside the cluster, at `nginx.example.com`, reached inside the cluster
 * as `ext`.
 *
 * - `ext` is a Service of type ExternalName: cluster DNS answers `ext.web.svc.cluster.local` with a
 *   CNAME to `nginx.example.com`. It keeps its port (80), so the store has an endpoint;
 * - the connection ConfigMap `ext-connection` holds `EXT_SERVICE_HOST`, `EXT_SERVICE_PORT` and
 *   `EXT_SERVICE_SERVER_NAME` (`nginx.example.com`);
 * - the Job `ext-check` fetches the page once through `ext`. It sends the real host name as the
 *   HTTP `Host` header: a client connecting to an alias otherwise sends the alias, which virtual
 *   hosts (and TLS certificate checks) do not know. Its egress is not restricted: `ext` is a DNS
 *   name, which a NetworkPolicy cannot name (see `external-ip`, which restricts it).
 */
export class ExternalDnsExample extends Chart {
  /** The Service `ext`. */
  public readonly service: ExternalService;
  /** The Job `ext-check`. */
  public readonly check: Job;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'web', ...props });

    this.service = new ExternalService(this, 'ext', {
      metadata: { name: 'ext' },
      externalName: 'nginx.example.com',
      ports: [{ name: 'http', port: 80 }],
    });

    this.check = addExtCheck(this, this.service);
  }
}

/**
 * The consumer of `ext`, the same whether `ext` is a DNS alias or has IP endpoints (see
 * `external-ip`): a Job that fetches the page once, wired to the store with `DataStoreConnection`.
 */
export function addExtCheck(scope: Construct, ext: IDataStore): Job {
  const job = new Job(scope, 'ext-check', {
    metadata: { name: 'ext-check' },
    backoffLimit: 2,
    ttlAfterFinished: Duration.hours(1),
    containers: [{
      name: 'curl',
      image: 'docker.io/curlimages/curl:8.10.1',
      command: ['sh', '-c', 'curl --fail --silent --show-error --header "Host: $EXT_SERVICE_SERVER_NAME" "http://$EXT_SERVICE_HOST:$EXT_SERVICE_PORT/"'],
      // curlimages/curl runs as curl_user (uid 100); a numeric uid lets the kubelet verify runAsNonRoot
      securityContext: { user: 100, group: 101 },
      resources: {
        cpu: { request: Cpu.millis(10) },
        memory: { request: Size.mebibytes(16), limit: Size.mebibytes(64) },
      },
    }],
  });

  new DataStoreConnection(scope, 'ext-connection', {
    store: ext,
    metadata: { name: 'ext-connection' },
    consumers: [job.containers[0]],
  });

  // restricted profile: seccomp RuntimeDefault and capabilities drop [ALL], which cdk8s-plus-27
  // cannot express, plus this library's other pod defaults
  PodDefaults.harden(job);
  return job;
}
