import { Chart, ChartProps, Duration, Size } from 'cdk8s';
import {
  Cpu,
  EnvValue,
  PercentOrAbsolute,
  PersistentVolumeAccessMode,
  PodManagementPolicy,
  Probe,
  ServiceType,
} from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DisruptionBudget, WorkloadUpdateStrategy, StatefulWorkload } from 'cdk8s-stateful';

/**
 * `eureka`: a two-replica Eureka service registry.
 *
 * - `Parallel` pod management: both replicas start at once (they find each other by DNS);
 * - TCP liveness and HTTP readiness probes, resource requests and limits;
 * - the replicas register with each other through their short host names (`eureka-0.eureka`,
 *   `eureka-1.eureka`: `podHostName()`), which resolve inside the namespace;
 * - a ReadWriteMany claim on the `alicloud-nas` class;
 * - a partitioned rolling update: only pods with ordinal >= 1 take a new template until the
 *   partition is lowered (a canary on `eureka-1`);
 * - a LoadBalancer client Service on port 80 (forwarded to the container's 8761) with cloud
 *   annotations and allowed source ranges.
 */
export class EurekaExample extends Chart {
  public readonly workload: StatefulWorkload;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'registry', ...props });

    this.workload = new StatefulWorkload(this, 'eureka', {
      metadata: { name: 'eureka' },
      replicas: 2,
      podManagementPolicy: PodManagementPolicy.PARALLEL,
      strategy: WorkloadUpdateStrategy.rollingUpdate({ partition: 1 }),
      minReady: Duration.seconds(10),
      terminationGracePeriod: Duration.seconds(60),
      containers: [{
        name: 'eureka',
        image: 'registry.example.com/platform/eureka-server:2.0.0',
        ports: [{ name: 'http', number: 8761 }],
        securityContext: { user: 1000, group: 1000 },
        liveness: Probe.fromTcpSocket({ port: 8761, initialDelaySeconds: Duration.seconds(30) }),
        readiness: Probe.fromHttpGet('/actuator/health', { port: 8761, periodSeconds: Duration.seconds(10) }),
        resources: {
          cpu: { request: Cpu.millis(500), limit: Cpu.millis(1000) },
          memory: { request: Size.mebibytes(768), limit: Size.mebibytes(768) },
        },
      }],
      volumeClaimTemplates: [{
        name: 'data',
        storage: Size.gibibytes(20),
        storageClassName: 'alicloud-nas',
        // NAS volumes ignore fsGroup: the pods write as uid 1000 (the container's user), so a share
        // that already holds files of another uid must be owned by 1000 or squash clients to it
        accessModes: [PersistentVolumeAccessMode.READ_WRITE_MANY],
        mountPath: '/data',
      }],
      // a percentage keeps the budget right when the registry is scaled out later
      disruptionBudget: DisruptionBudget.maxUnavailable(PercentOrAbsolute.percent(50)),
    });

    // every replica lists all peers (itself included, which Eureka ignores)
    const peers = Array.from({ length: this.workload.replicas }, (_, i) => `http://${this.workload.podHostName(i)}:8761/eureka/`);
    this.workload.containers[0].env.addVariable('EUREKA_CLIENT_SERVICEURL_DEFAULTZONE', EnvValue.fromValue(peers.join(',')));

    this.workload.addClientService({
      name: 'eureka-lb',
      serviceType: ServiceType.LOAD_BALANCER,
      // clients use http://eureka-lb.registry.svc.cluster.local (port 80); the pods listen on 8761
      ports: [{ port: 80, targetPort: 8761 }],
      annotations: {
        'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type': 'intranet',
        'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-spec': 'slb.s1.small',
      },
      loadBalancerSourceRanges: ['10.0.0.0/8'],
    });
  }
}
