import { isIP } from 'net';
import { ApiObject, Lazy } from 'cdk8s';
import { ServiceType } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DataStoreCredentials, DataStorePort, Endpoint, IDataStore } from './data-store';
import { AppIndex } from './private/app-index';
import { POD_NAME_LABEL } from './private/labels';
import { checkDns1035Label, fail, show } from './private/validation';
import { StatefulWorkload } from './stateful-workload';

/**
 * How a NodePort or LoadBalancer Service routes traffic from outside the cluster.
 *
 * @see https://kubernetes.io/docs/reference/networking/virtual-ips/#external-traffic-policy
 */
export enum ExternalTrafficPolicy {
  /** Spread load over every ready pod on any node (may add a hop; hides the client's IP). */
  CLUSTER = 'Cluster',
  /** Only to pods on the receiving node: keeps the client's source IP, no second hop. */
  LOCAL = 'Local',
}

/**
 * Options for a Service that reaches the workload's pods (`addClientService()`, `exposePod()`).
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/service/
 */
export interface WorkloadServiceOptions {
  /**
   * The Service name (a DNS-1035 label): the first part of the Service's DNS name.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#services
   * @default - `<statefulset>-client` for a client Service, `<statefulset>-<ordinal>` for a single pod
   */
  readonly name?: string;

  /**
   * The Service type. `EXTERNAL_NAME` is not allowed here (use `ExternalService`).
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types
   * @default ServiceType.CLUSTER_IP
   */
  readonly serviceType?: ServiceType;

  /**
   * Only these ports (by container port number). Every port must be one the containers expose.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#multi-port-services
   * @default - every port the containers expose
   */
  readonly ports?: number[];

  /**
   * Labels of the Service.
   *
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/
   * @default - only the workload's labels
   */
  readonly labels?: { [key: string]: string };

  /**
   * Annotations of the Service, e.g. cloud load balancer settings.
   *
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/
   * @default - no annotations
   */
  readonly annotations?: { [key: string]: string };

  /**
   * Client IP ranges (CIDRs) allowed to reach a LoadBalancer Service.
   *
   * @see https://kubernetes.io/docs/tasks/access-application-cluster/configure-cloud-provider-firewall/
   * @default - the cloud provider's default (usually any address)
   */
  readonly loadBalancerSourceRanges?: string[];

  /**
   * How a NodePort or LoadBalancer Service routes outside traffic: `LOCAL` keeps the client
   * source IP and avoids a second hop; `CLUSTER` spreads load evenly.
   *
   * @see https://kubernetes.io/docs/reference/networking/virtual-ips/#external-traffic-policy
   * @default - the cluster's default, ExternalTrafficPolicy.CLUSTER
   */
  readonly externalTrafficPolicy?: ExternalTrafficPolicy;
}

/**
 * Props of `WorkloadService`.
 */
export interface WorkloadServiceProps extends WorkloadServiceOptions {
  /**
   * The workload whose pods the Service reaches.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
   */
  readonly workload: StatefulWorkload;

  /**
   * Reach only the replica with this ordinal.
   *
   * @see https://kubernetes.io/docs/reference/labels-annotations-taints/#statefulsetkubernetesiopod-name
   * @default - every replica
   */
  readonly ordinal?: number;
}

/**
 * A Service that reaches a `StatefulWorkload`'s pods: all of them (a client Service) or one
 * (e.g. pod 0 as the primary). Create it with `addClientService()` or `exposePod()`.
 *
 * It is a data store itself, so consumers can be wired to it with `DataStoreConnection`: e.g. to
 * the primary's Service, with the workload's credentials.
 */
export class WorkloadService extends Construct implements IDataStore {
  /** The Service name. */
  public readonly name: string;
  /** The Service type. */
  public readonly serviceType: ServiceType;
  /** The DNS name of the Service (fully qualified when the namespace is known). */
  public readonly dnsName: string;
  /** The rendered Service. */
  public readonly apiObject: ApiObject;
  private readonly workload: StatefulWorkload;
  private readonly portNumbers?: number[];

  constructor(scope: Construct, id: string, props: WorkloadServiceProps) {
    super(scope, id);
    const workload = props.workload;
    const podName = props.ordinal !== undefined ? workload.podName(props.ordinal) : undefined;
    this.name = props.name ?? podName ?? `${workload.name}-client`;
    this.serviceType = props.serviceType ?? ServiceType.CLUSTER_IP;
    this.workload = workload;
    this.portNumbers = props.ports ? [...props.ports] : undefined;
    const where = `WorkloadService '${this.node.path}'`;
    checkDns1035Label(where, 'name', this.name);
    if (this.serviceType === ServiceType.EXTERNAL_NAME) {
      throw fail(where, 'type', this.serviceType, 'Must be ClusterIP, NodePort or LoadBalancer',
        'Use ExternalService for a Service of type ExternalName');
    }
    if (props.loadBalancerSourceRanges && this.serviceType !== ServiceType.LOAD_BALANCER) {
      throw fail(where, 'loadBalancerSourceRanges', props.loadBalancerSourceRanges, 'Only LoadBalancer Services use them',
        'Set \'type\' to ServiceType.LOAD_BALANCER or remove \'loadBalancerSourceRanges\'');
    }
    (props.loadBalancerSourceRanges ?? []).forEach((range, i) => {
      if (!isCidr(range)) {
        throw fail(where, `loadBalancerSourceRanges[${i}]`, range, 'Must be an IP range in CIDR notation, e.g. "10.0.0.0/8" or "2001:db8::/32"',
          `Write the range with its prefix length, e.g. "${range.includes('/') ? '10.0.0.0/8' : `${range}/32`}"`);
      }
    });
    if (props.externalTrafficPolicy !== undefined && this.serviceType === ServiceType.CLUSTER_IP) {
      throw fail(where, 'externalTrafficPolicy', props.externalTrafficPolicy, 'Only NodePort and LoadBalancer Services use it',
        'Set \'type\' to NodePort or LoadBalancer, or remove \'externalTrafficPolicy\'');
    }
    const namespace = workload.namespaceName;
    this.dnsName = namespace ? `${this.name}.${namespace}.svc.${workload.clusterDomain}` : this.name;
    const selector = { ...workload.selectorLabels, ...(podName ? { [POD_NAME_LABEL]: podName } : {}) };
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: this.name,
        namespace,
        labels: { ...workload._commonLabels(), ...props.labels },
        annotations: props.annotations,
      },
      spec: Lazy.any({
        produce: () => ({
          type: this.serviceType,
          selector,
          ports: this.selectedPorts(),
          loadBalancerSourceRanges: props.loadBalancerSourceRanges,
          externalTrafficPolicy: props.externalTrafficPolicy,
        }),
      }),
    });
    this.node.addValidation({
      validate: () => AppIndex.of(this).memo(this, () => {
        const errors: string[] = [];
        const all = workload._servicePorts().map(p => p.port);
        for (const p of this.portNumbers ?? []) {
          if (!all.includes(p)) {
            errors.push(fail(where, 'ports', p, `Must be a port a container exposes (${show(all)})`,
              'Add the port to a container or remove it from \'ports\'').message);
          }
        }
        if (this.selectedPorts().length === 0) {
          errors.push(fail(where, 'ports', [], `A ${this.serviceType} Service needs at least one port`,
            'Add \'ports\' or \'portNumber\' to a container of the workload').message);
        }
        return errors;
      }),
    });
  }

  /** The store's name: the Service name. */
  public get storeName(): string {
    return this.name;
  }

  /** The workload's credentials, if any. */
  public get credentials(): DataStoreCredentials | undefined {
    return this.workload.credentials;
  }

  /** The Service ports (named when the container port has a name). */
  public get ports(): DataStorePort[] {
    return this.workload._dataStorePorts(this.portNumbers);
  }

  /** The Service's address on its first port. */
  public get endpoint(): Endpoint {
    const ports = this.ports;
    if (ports.length === 0) {
      throw fail(`WorkloadService '${this.node.path}'`, 'ports', [], 'The endpoint needs a port',
        'Add \'ports\' or \'portNumber\' to a container of the workload');
    }
    return new Endpoint(this.dnsName, ports[0].port);
  }

  private selectedPorts() {
    const all = this.workload._servicePorts();
    return this.portNumbers ? all.filter(p => this.portNumbers!.includes(p.port)) : all;
  }
}

/** An IPv4 or IPv6 range in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`). */
function isCidr(value: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(value);
  if (!m) return false;
  const family = isIP(m[1]);
  const bits = Number(m[2]);
  return (family === 4 && bits <= 32) || (family === 6 && bits <= 128);
}
