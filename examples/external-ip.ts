import { Chart, ChartProps } from 'cdk8s';
import { Job } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { addExtCheck } from './external-dns';
import { ArgoCdEndpointSync, ExternalService, NetworkPolicies } from 'cdk8s-stateful';

/**
 * `external-ip`: the nginx of `external-dns`, reached as `ext` through its IP address 172.0.0.1
 * port 80 instead of a DNS name.
 *
 * - `ext` is a ClusterIP Service without selector; the EndpointSlice `ext-ipv4` (labelled
 *   `kubernetes.io/service-name: ext`, port name equal to the Service's) sends its traffic to
 *   172.0.0.1:80;
 * - the consumer, the Job `ext-check`, is the same code as in `external-dns`; its egress is
 *   restricted to 172.0.0.1 port 80 and the cluster DNS (NetworkPolicy `ext-check-egress`).
 *
 * Argo CD 3.0 and later skip EndpointSlices unless `argocd-cm` says otherwise, so an IP-based
 * ExternalService must say how its EndpointSlices reach the cluster. This example is applied with
 * kubectl; under Argo CD use `ArgoCdEndpointSync.ALREADY_ENABLED` once the admin has set
 * `resource.exclusions` (see `ArgoCdEndpointSync.RESOURCE_EXCLUSIONS_WITHOUT_ENDPOINTS`), or
 * `ArgoCdEndpointSync.renderOverride()`.
 */
export class ExternalIpExample extends Chart {
  /** The Service `ext` and its EndpointSlice. */
  public readonly service: ExternalService;
  /** The Job `ext-check`. */
  public readonly check: Job;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'web', ...props });

    this.service = new ExternalService(this, 'ext', {
      metadata: { name: 'ext' },
      addresses: ['172.0.0.1'],
      ports: [{ name: 'http', port: 80 }],
      argoCdEndpointSync: ArgoCdEndpointSync.NOT_APPLICABLE,
    });

    this.check = addExtCheck(this, this.service);
    // ext-check connects to 172.0.0.1:80 and the cluster DNS only
    NetworkPolicies.restrictEgress(this.check);
  }
}
