import { isIP } from 'net';
import { ApiObject, Lazy } from 'cdk8s';
import { ServiceType } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ConnectionProperties, DataStoreCredentials, DataStorePort, DataStoreTls, Endpoint, IDataStore } from '../connection/data-store';
import { addSynthesisCheck, touch } from '../private/app-index';
import { POD_NAME_LABEL } from '../private/labels';
import { labelProblems, throwFirst } from '../private/pod-rules';
import { checkDns1035Label, checkPort, checkPortName, duplicates, fail, show } from '../private/validation';
import { HostPort, WorkloadHost } from './private/workload-host';

/**
 * How a NodePort or LoadBalancer Service routes traffic from outside the cluster.
 *
 * @see https://kubernetes.io/docs/reference/networking/virtual-ips/#external-traffic-policy
 * @stable
 */
export enum ExternalTrafficPolicy {
  /** Spread load over every ready pod on any node (may add a hop; hides the client's IP). */
  CLUSTER = 'Cluster',
  /** Only to pods on the receiving node: keeps the client's source IP, no second hop. */
  LOCAL = 'Local',
}

/**
 * Which of the workload's pods a client Service reaches.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
 * @stable
 */
export class ServiceSelection {
  /**
   * Every replica: a client Service that load-balances over all pods (e.g. reads).
   */
  public static allPods(): ServiceSelection {
    return new ServiceSelection();
  }

  /**
   * Exactly one replica (e.g. pod 0 as the primary, for writes), by the
   * `statefulset.kubernetes.io/pod-name` label the StatefulSet controller puts on each pod.
   *
   * @param ordinal the replica's ordinal (from `ordinals.start`)
   * @see https://kubernetes.io/docs/reference/labels-annotations-taints/#statefulsetkubernetesiopod-name
   */
  public static pod(ordinal: number): ServiceSelection {
    return new ServiceSelection(ordinal);
  }

  /**
   * The workload's pods that also carry these labels, e.g. `{ role: 'primary' }` set by a
   * failover agent (Patroni, Sentinel) on whichever pod leads. The pod template does not set
   * them: something in the cluster must, or the Service has no endpoints.
   *
   * @param labels labels the selected pods carry, on top of the workload's selector labels
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
   */
  public static podsWithLabels(labels: { [key: string]: string }): ServiceSelection {
    return new ServiceSelection(undefined, { ...labels });
  }

  /** @internal */
  public readonly _ordinal?: number;
  /** @internal */
  public readonly _labels?: { [key: string]: string };

  private constructor(ordinal?: number, labels?: { [key: string]: string }) {
    this._ordinal = ordinal;
    this._labels = labels;
  }
}

/**
 * A port of a client Service: the port clients connect to and the container port it forwards to.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
 * @stable
 */
export interface WorkloadServicePort {
  /**
   * The port clients connect to (the Service port), e.g. 80.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
   */
  readonly port: number;

  /**
   * The container port the traffic goes to, e.g. 8761. Must be a port a container of the workload
   * exposes; its protocol is the Service port's protocol.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
   * @default - the same number as `port`
   */
  readonly targetPort?: number;

  /**
   * The Service port's name (an IANA service name: at most 15 characters).
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#multi-port-services
   * @default - the container port's name, or `<protocol>-<port>` (e.g. `tcp-80`) when it has none
   */
  readonly name?: string;
}

/**
 * Options for a Service that reaches the workload's pods (`addClientService()`, `exposePod()`).
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/service/
 * @stable
 */
export interface WorkloadServiceOptions {
  /**
   * The Service name (a DNS-1035 label): the first part of the Service's DNS name. Every Service
   * of a workload needs its own name.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#services
   * @default - `<statefulset>-client` for all pods or pods by label, `<statefulset>-<ordinal>`
   * for a single pod
   */
  readonly name?: string;

  /**
   * Which pods the Service reaches. `exposePod(ordinal)` sets it to `ServiceSelection.pod(ordinal)`.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
   * @default ServiceSelection.allPods()
   */
  readonly selection?: ServiceSelection;

  /**
   * The Service type. `EXTERNAL_NAME` is not allowed here (use `ExternalService`).
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types
   * @default ServiceType.CLUSTER_IP
   */
  readonly serviceType?: ServiceType;

  /**
   * The Service ports, each mapped to a container port (`80 -> 8761`). The first is the port of
   * the Service's `endpoint`.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#multi-port-services
   * @default - the workload's client ports (`clientPorts`), each on its own number
   */
  readonly ports?: WorkloadServicePort[];

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

interface RenderedPort {
  readonly name: string;
  readonly port: number;
  readonly targetPort: string | number;
  readonly protocol: string;
  /** The name a consumer sees: only a name the user gave the Service or container port. */
  readonly userName?: string;
}

/**
 * A Service that reaches some of a `StatefulWorkload`'s pods: all of them, one ordinal, or the
 * pods with given labels. Create it with the workload's `addClientService()` or `exposePod()`.
 *
 * It is a data store itself, so consumers can be wired to it with `DataStoreConnection`: e.g. to
 * the primary's Service, with the workload's credentials.
 *
 * @stable
 */
export class WorkloadService extends Construct implements IDataStore {
  /**
   * Creates the Service for a workload. Use `StatefulWorkload.addClientService()` or `exposePod()`.
   *
   * @internal
   */
  public static _create(scope: Construct, id: string, workload: WorkloadHost, options: WorkloadServiceOptions): WorkloadService {
    return new WorkloadService(scope, id, workload, options);
  }

  /** The Service name. */
  public readonly name: string;
  /** The Service type. */
  public readonly serviceType: ServiceType;
  /** The DNS name of the Service (fully qualified when the namespace is known). */
  public readonly dnsName: string;
  /** The rendered Service. */
  public readonly apiObject: ApiObject;
  private readonly workload: WorkloadHost;
  private readonly portOptions?: WorkloadServicePort[];
  private readonly where: string;

  private constructor(scope: Construct, id: string, workload: WorkloadHost, props: WorkloadServiceOptions) {
    super(scope, id);
    touch();
    const selection = props.selection ?? ServiceSelection.allPods();
    const podName = selection._ordinal !== undefined ? workload.podName(selection._ordinal) : undefined;
    this.name = props.name ?? podName ?? `${workload.name}-client`;
    this.serviceType = props.serviceType ?? ServiceType.CLUSTER_IP;
    this.workload = workload;
    this.portOptions = props.ports?.map(p => ({ ...p }));
    const where = this.where = `WorkloadService '${this.node.path}'`;
    checkDns1035Label(where, 'name', this.name);
    if (this.serviceType === ServiceType.EXTERNAL_NAME) {
      throw fail(where, 'serviceType', this.serviceType, 'Must be ClusterIP, NodePort or LoadBalancer',
        'Use ExternalService for a Service of type ExternalName');
    }
    if (props.loadBalancerSourceRanges && this.serviceType !== ServiceType.LOAD_BALANCER) {
      throw fail(where, 'loadBalancerSourceRanges', props.loadBalancerSourceRanges, 'Only LoadBalancer Services use them',
        'Set \'serviceType\' to ServiceType.LOAD_BALANCER or remove \'loadBalancerSourceRanges\'');
    }
    (props.loadBalancerSourceRanges ?? []).forEach((range, i) => {
      if (!isCidr(range)) {
        throw fail(where, `loadBalancerSourceRanges[${i}]`, range, 'Must be an IP range in CIDR notation, e.g. "10.0.0.0/8" or "2001:db8::/32"',
          `Write the range with its prefix length, e.g. "${range.includes('/') ? '10.0.0.0/8' : `${range}/32`}"`);
      }
    });
    if (props.externalTrafficPolicy !== undefined && this.serviceType === ServiceType.CLUSTER_IP) {
      throw fail(where, 'externalTrafficPolicy', props.externalTrafficPolicy, 'Only NodePort and LoadBalancer Services use it',
        'Set \'serviceType\' to NodePort or LoadBalancer, or remove \'externalTrafficPolicy\'');
    }
    if (selection._labels !== undefined) {
      if (Object.keys(selection._labels).length === 0) {
        throw fail(where, 'selection', {}, 'ServiceSelection.podsWithLabels() needs at least one label',
          'Pass the labels that set the pods apart, e.g. { role: "primary" }, or use ServiceSelection.allPods()');
      }
      throwFirst(where, labelProblems('selection', selection._labels));
    }
    (this.portOptions ?? []).forEach((p, i) => {
      checkPort(where, `ports[${i}].port`, p.port);
      if (p.targetPort !== undefined) checkPort(where, `ports[${i}].targetPort`, p.targetPort);
      if (p.name !== undefined) checkPortName(where, `ports[${i}].name`, p.name);
    });
    const namespace = workload.namespaceName;
    this.dnsName = namespace ? `${this.name}.${namespace}.svc.${workload.clusterDomain}` : this.name;
    const selector = {
      ...selection._labels,
      ...workload.selectorLabels,
      ...(podName ? { [POD_NAME_LABEL]: podName } : {}),
    };
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
          ports: this.renderPorts().ports.map(p => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: p.protocol })),
          loadBalancerSourceRanges: props.loadBalancerSourceRanges,
          externalTrafficPolicy: props.externalTrafficPolicy,
        }),
      }),
    });
    addSynthesisCheck(this, () => {
      const { ports, errors } = this.renderPorts();
      if (ports.length === 0 && errors.length === 0) {
        errors.push(fail(where, 'ports', [], `A ${this.serviceType} Service needs at least one port`,
          'Add \'ports\' or \'portNumber\' to a container of the workload, or declare the workload\'s \'clientPorts\'').message);
      }
      for (const n of duplicates(ports.map(p => `${p.port}/${p.protocol}`))) {
        errors.push(fail(where, 'ports', n, 'Each Service port number and protocol may appear once', 'Remove the duplicate port').message);
      }
      for (const n of duplicates(ports.map(p => p.name))) {
        errors.push(fail(where, 'ports[].name', n, 'Service port names must be unique', 'Give each port its own \'name\'').message);
      }
      return errors;
    });
  }

  /** The store's name: the Service name. */
  public get storeName(): string {
    return this.name;
  }

  /**
   * The credentials consumers get: the workload's, or those of the preset that owns it (an
   * application role, say).
   */
  public get credentials(): DataStoreCredentials | undefined {
    return this.workload._clientView().credentials;
  }

  /**
   * The owner's credentials, when consumers get other ones (see `IDataStore.ownerCredentials`).
   *
   * @experimental
   */
  public get ownerCredentials(): DataStoreCredentials | undefined {
    return this.workload._clientView().ownerCredentials;
  }

  /**
   * What clients need to connect over TLS: the workload's, or those of the preset that owns it.
   *
   * @experimental
   */
  public get tls(): DataStoreTls | undefined {
    return this.workload._clientView().tls;
  }

  /**
   * The workload's connection properties (database, local datacenter, ...), if any.
   *
   * @experimental
   */
  public get connectionProperties(): ConnectionProperties | undefined {
    return this.workload.connectionProperties;
  }

  /**
   * The ports clients connect to: the Service ports, named when the Service or container port
   * has a name the user gave it.
   */
  public get ports(): DataStorePort[] {
    return this.renderPorts().ports.map(p => ({ name: p.userName, port: p.port, protocol: p.protocol }));
  }

  /**
   * The Service's DNS name and its first port. The port is 0 when the Service has no port yet;
   * synthesis then fails with an error naming the missing ports.
   */
  public get endpoint(): Endpoint {
    return new Endpoint(this.dnsName, this.ports[0]?.port ?? 0);
  }

  /**
   * The ports on the workload's pods the Service forwards to (`targetPort`: a name or a number),
   * with their protocols: what a NetworkPolicy of the pods must admit for clients of this Service.
   *
   * @internal
   */
  public _targetPorts(): Array<{ port: string | number; protocol: string }> {
    return this.renderPorts().ports.map(p => ({ port: p.targetPort, protocol: p.protocol }));
  }

  /** The workload whose pods the Service reaches. @internal */
  public get _workload(): WorkloadHost {
    return this.workload;
  }

  /** The rendered ports, and what is wrong with the declared ones. */
  private renderPorts(): { ports: RenderedPort[]; errors: string[] } {
    const containerPorts = this.workload._containerPorts();
    const errors: string[] = [];
    const render = (servicePort: number, target: HostPort, name?: string): RenderedPort => ({
      // named even when alone: a named port gets an SRV record (_<name>._<proto>.<svc>)
      name: name ?? target.name ?? `${target.protocol.toLowerCase()}-${servicePort}`,
      port: servicePort,
      targetPort: target.name ?? target.number,
      protocol: target.protocol,
      userName: name ?? target.name,
    });
    if (this.portOptions === undefined) {
      const ports: RenderedPort[] = [];
      for (const c of this.workload._clientPortNumbers()) {
        const target = containerPorts.find(p => p.number === c.number && p.protocol === c.protocol);
        if (target) ports.push(render(c.number, target, c.name));
      }
      return { ports, errors };
    }
    const ports: RenderedPort[] = [];
    this.portOptions.forEach((p, i) => {
      const targetNumber = p.targetPort ?? p.port;
      const target = containerPorts.find(x => x.number === targetNumber);
      if (!target) {
        const prop = p.targetPort !== undefined ? `ports[${i}].targetPort` : `ports[${i}].port`;
        errors.push(fail(this.where, prop, targetNumber, `Must be a port a container exposes (${show(containerPorts.map(x => x.number))})`,
          `Add the port to a container, or set 'targetPort' to the container port the Service forwards to (e.g. { port: ${p.port}, targetPort: ${containerPorts[0]?.number ?? 8080} })`).message);
        return;
      }
      ports.push(render(p.port, target, p.name));
    });
    return { ports, errors };
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
