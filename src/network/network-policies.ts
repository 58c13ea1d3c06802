import { createHash } from 'crypto';
import { isIP } from 'net';
import { ApiObject, Chart, Lazy } from 'cdk8s';
import { IConstruct } from 'constructs';
import { NetworkPeer } from './network-peer';
import { DataStorePort, IDataStore } from '../connection/data-store';
import { DataStoreConnection } from '../connection/data-store-connection';
import { ExternalService } from '../connection/external-service';
import { EnginePreset } from '../engines/engine-preset';
import { RedisCompatibleBase } from '../engines/redis';
import { addSynthesisCheck, AppIndex, declareIngressIsolation, declareRole, onEveryStore, touch } from '../private/app-index';
import { MANAGED_BY } from '../private/labels';
import { fail, failWithoutValue, show } from '../private/validation';
import { addValidationWithWarnings, warn, warningMessage, WARNINGS } from '../private/warnings';
import { StatefulWorkload } from '../workload/stateful-workload';
import { WorkloadService } from '../workload/workload-service';
import { describePod, NetworkFacts, networkFacts, PolicyPort, renderPorts, selectorOf, StoreTarget } from './private/graph';
import { NAMESPACE_NAME_LABEL } from './private/selectors';

/** The name of the namespaces' default-deny policy. */
const DEFAULT_DENY_NAME = 'default-deny-ingress';

/** The id of the NetworkPolicy a store's workload gets. */
const POLICY_ID = 'NetworkPolicy';

/**
 * Options of `NetworkPolicies.enable()`: what every store under the scope admits besides the pods
 * wired to it and its own pods.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export interface NetworkPoliciesOptions {
  /**
   * The pods that scrape metrics (Prometheus): admitted on the stores' metrics ports
   * (`StatefulWorkload.metricsPorts`, e.g. an exporter sidecar's), and on nothing else. Typically
   * `NetworkPeer.namespaceNamed('monitoring')`, or the Prometheus pods by their labels.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors
   * @default - metrics ports admit nobody: a store's metrics port is closed like any other port
   */
  readonly monitoring?: NetworkPeer;

  /**
   * Also render, once per namespace the stores under the scope run in, a NetworkPolicy
   * `default-deny-ingress` that selects every pod of the namespace and admits nothing: pods that
   * no other policy admits anything to (your Deployments, say) then accept no connection at all.
   * Traffic a policy admits (to the stores, from their wired pods) still flows: policies add up.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-ingress-traffic
   * @default false
   */
  readonly defaultDenyIngress?: boolean;
}

/**
 * Options of `NetworkPolicies.allowFrom()`.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export interface AllowFromOptions {
  /**
   * The ports on the store's pods the peer may connect to (container ports: what a Service
   * forwards to, not the Service's own port numbers).
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource
   * @default - the store's client ports
   */
  readonly ports?: DataStorePort[];
}

/**
 * Options of `NetworkPolicies.restrictEgress()`.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export interface RestrictEgressOptions {
  /**
   * The DNS servers the workload's pods may query, on port 53 (UDP and TCP): they resolve their
   * stores' Service names through them. A cluster with NodeLocal DNSCache answers on a link-local
   * address of the node instead: `NetworkPeer.ipBlock("169.254.20.10/32")`.
   *
   * @see https://kubernetes.io/docs/tasks/administer-cluster/dns-custom-nameservers/
   * @default - the cluster DNS: the pods labelled `k8s-app: kube-dns` (CoreDNS and kube-dns both
   * carry this label) in the namespace `kube-system`
   */
  readonly dns?: NetworkPeer;
}

/**
 * Options of `NetworkPolicies.allowEgressTo()`.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export interface AllowEgressToOptions {
  /**
   * The ports the workload may connect to on the destination: a pod's container ports (what a
   * Service forwards to, not the Service's own port numbers), or an outside server's ports.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource
   * @default - every port of the destination
   */
  readonly ports?: DataStorePort[];
}

/** A scope's decision: policies on (with options) or off. */
interface Setting {
  readonly enabled: boolean;
  readonly options: NetworkPoliciesOptions;
}

const SETTINGS = new WeakMap<IConstruct, Setting>();
/** Roots whose store hook is registered. */
const HOOKED = new WeakSet<IConstruct>();
/** Workloads whose policy checks are registered (once, whatever enable() and disable() do later). */
const CHECKED = new WeakSet<StatefulWorkload>();
/** The default-deny policy of each namespace (`''`: none set), by root. */
const DEFAULT_DENY = new WeakMap<IConstruct, Map<string, ApiObject>>();
/** The extra peers of each workload, in the order they were added. */
const EXTRA = new WeakMap<StatefulWorkload, Array<{ peer: NetworkPeer; ports?: DataStorePort[] }>>();

/** The id of the egress NetworkPolicy of a workload whose egress is restricted. */
const EGRESS_POLICY_ID = 'EgressNetworkPolicy';
/** The kinds of object that run pods, whose egress `restrictEgress()` can restrict. */
const POD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob', 'Pod'];
/** The cluster DNS of most clusters (CoreDNS and kube-dns label their pods `k8s-app: kube-dns`). */
const CLUSTER_DNS = NetworkPeer.podsWithLabels({ 'k8s-app': 'kube-dns' }, { namespaceName: 'kube-system' });

/** A workload whose egress is restricted: its rendered object, the DNS servers, the extra destinations. */
interface EgressSetting {
  readonly workload: IConstruct;
  readonly apiObject: ApiObject;
  dns: NetworkPeer;
  readonly extra: Array<{ peer: NetworkPeer; ports?: DataStorePort[] }>;
}

/** The restricted workloads, by the construct passed to `restrictEgress()`. */
const EGRESS = new WeakMap<IConstruct, EgressSetting>();

/**
 * Network isolation derived from the wiring: every in-cluster store (a `StatefulWorkload`, so
 * every preset) gets a NetworkPolicy that selects its pods and admits
 *
 * - on its client ports, the pods wired to it with `DataStoreConnection` (your Deployments,
 *   StatefulSets, Jobs and CronJobs, and the library's own: schema migrations, logical backups
 *   and restores), selected by their pods' labels, with a namespace selector when they run in
 *   another namespace;
 * - on its peer ports (`StatefulWorkload.peerPorts`: Redis replication, Cassandra's storage
 *   port), its own pods;
 * - on its metrics ports, the monitoring pods you name (`NetworkPoliciesOptions.monitoring`);
 * - the peers you add with `NetworkPolicies.allowFrom()`;
 *
 * and nothing else. Opt in per chart (or for the app, or one store) with
 * `NetworkPolicies.enable(scope)`; the nearest `enable()` or `disable()` above a store decides.
 * A store isolated this way no longer raises the `unauthenticated-store` warning.
 *
 * A NetworkPolicy only counts where the cluster's network plugin enforces it (Calico, Cilium,
 * ...; flannel alone does not): the API server accepts it either way.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export class NetworkPolicies {
  /**
   * Renders the NetworkPolicy of every store under `scope` (created before or after this call),
   * with these options. A later `enable()` or `disable()` nearer to a store wins.
   *
   * @param scope a chart, the app, a store, or any construct
   * @param options what the stores admit besides their wired pods and their own pods
   */
  public static enable(scope: IConstruct, options: NetworkPoliciesOptions = {}): void {
    NetworkPolicies.decide(scope, { enabled: true, options: { ...options } });
  }

  /**
   * Renders no NetworkPolicy for the stores under `scope`, e.g. one store in a chart where
   * policies are enabled. A later `enable()` nearer to a store wins.
   *
   * @param scope a store, a chart, or any construct
   */
  public static disable(scope: IConstruct): void {
    NetworkPolicies.decide(scope, { enabled: false, options: {} });
  }

  /**
   * Admits a peer that is not wired to the store (a proxy, a client outside the cluster, an
   * admin namespace) on the store's client ports, or the ports given. Takes effect where the
   * store has a policy (`enable()`).
   *
   * @param store the store: a `StatefulWorkload`, a preset, or a `WorkloadService` of one
   * @param peer pods, namespaces or an IP range
   * @param options the ports to admit it on
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
   */
  public static allowFrom(store: IDataStore, peer: NetworkPeer, options: AllowFromOptions = {}): void {
    const workload = NetworkPolicies.workloadOf(store, 'allowFrom');
    checkRulePorts(workload, 'allowFrom', options.ports, 'the container port to admit the peer on');
    touch();
    const list = EXTRA.get(workload) ?? [];
    list.push({ peer, ports: options.ports?.map(p => ({ ...p })) });
    EXTRA.set(workload, list);
  }

  /**
   * Restricts where the pods of a workload may connect to (egress): to the stores it is wired to
   * with `DataStoreConnection` (on the ports they serve), to the cluster DNS, to the destinations
   * you add with `allowEgressTo()`, and nowhere else. Renders one NetworkPolicy
   * `<workload name>-egress` in the workload's namespace, selecting its pods as the stores'
   * policies do; calling it again changes the options and keeps the policy.
   *
   * The stores are the wiring at synthesis, whichever connection wired the workload: an
   * in-cluster store (a `StatefulWorkload`, a preset, a `WorkloadService` of one) by its pods'
   * labels, the sentinels of a Redis or Valkey with Sentinel too; an `ExternalService` given by
   * `addresses` by those addresses (`ipBlock`) on its target ports. A store reached by a DNS name
   * outside the app (an `ExternalService` with `externalName`, a store from its attributes) cannot
   * be expressed by address: the pods may connect to any address on its port, and synthesis warns
   * (`cdk8s-stateful:egress-to-dns-name`).
   *
   * Everything else the workload talks to (other services of yours, APIs outside the cluster)
   * must be added with `allowEgressTo()`: its pods reach nothing else.
   *
   * @param workload a workload that runs pods: a cdk8s-plus Deployment, StatefulSet, DaemonSet,
   * Job, CronJob or Pod, or an `ApiObject` of one of those kinds
   * @param options the DNS servers the pods may query
   * @returns the egress NetworkPolicy
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-egress-traffic
   */
  public static restrictEgress(workload: IConstruct, options: RestrictEgressOptions = {}): ApiObject {
    const setting = NetworkPolicies.egressSetting(workload, 'restrictEgress');
    setting.dns = options.dns ?? CLUSTER_DNS;
    touch();
    const existing = workload.node.tryFindChild(EGRESS_POLICY_ID);
    if (existing instanceof ApiObject) return existing;
    const object = setting.apiObject;
    const policy = new ApiObject(workload, EGRESS_POLICY_ID, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: egressPolicyName(object.name),
        namespace: object.metadata.namespace,
        labels: { 'app.kubernetes.io/managed-by': MANAGED_BY },
      },
      spec: Lazy.any({ produce: () => renderEgressSpec(AppIndex.of(policy), setting) }),
    });
    // before the consumers start: with the configuration the library renders for them
    declareRole(policy, 'configuration');
    addSynthesisCheck(policy, index => egressErrors(index, setting));
    // on the workload, as the message names it
    addValidationWithWarnings(workload, () => {
      warnDnsNames(policy, setting);
      return [];
    });
    return policy;
  }

  /**
   * Lets a workload whose egress is restricted (`restrictEgress()`) connect to a destination it is
   * not wired to with a `DataStoreConnection`: another service of yours, a namespace, an API
   * outside the cluster (by its addresses).
   *
   * @param workload the workload passed to `restrictEgress()`
   * @param peer pods, namespaces or an IP range
   * @param options the ports to let it connect to
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
   */
  public static allowEgressTo(workload: IConstruct, peer: NetworkPeer, options: AllowEgressToOptions = {}): void {
    const setting = NetworkPolicies.egressSetting(workload, 'allowEgressTo');
    checkRulePorts(workload, 'allowEgressTo', options.ports, 'the port the workload connects to on the destination');
    touch();
    setting.extra.push({ peer, ports: options.ports?.map(p => ({ ...p })) });
  }

  /**
   * The egress NetworkPolicy of a workload, when its egress is restricted (`restrictEgress()`).
   *
   * @param workload the workload passed to `restrictEgress()`
   */
  public static egressPolicyOf(workload: IConstruct): ApiObject | undefined {
    const child = workload.node.tryFindChild(EGRESS_POLICY_ID);
    return child instanceof ApiObject ? child : undefined;
  }

  /**
   * The NetworkPolicy of a store, when policies are enabled for it.
   *
   * @param store the store: a `StatefulWorkload`, a preset, or a `WorkloadService` of one
   */
  public static policyOf(store: IDataStore): ApiObject | undefined {
    const child = NetworkPolicies.workloadOf(store, 'policyOf').node.tryFindChild(POLICY_ID);
    return child instanceof ApiObject ? child : undefined;
  }

  /** The egress setting of a workload (created on first use), or an error for a construct that runs no pods. */
  private static egressSetting(workload: IConstruct, method: string): EgressSetting {
    const known = EGRESS.get(workload);
    if (known) return known;
    const where = `NetworkPolicies '${workload.node.path}'`;
    if (workload instanceof StatefulWorkload || workload instanceof EnginePreset) {
      throw fail(where, `${method}(workload)`, workload.node.path,
        'Must be a consumer, not a store: a store\'s own connections (replication, failover, backups) are not wired with DataStoreConnection, and restricting them would cut them',
        'Pass the workload that connects to the store (a Deployment, a Job, ...); a store\'s ingress is isolated with NetworkPolicies.enable()');
    }
    const object = workload instanceof ApiObject ? workload : workload.node.defaultChild;
    if (!(object instanceof ApiObject) || !POD_KINDS.includes(object.kind)) {
      throw fail(where, `${method}(workload)`, workload.node.path,
        `Must be a workload that runs pods (${POD_KINDS.join(', ')}): ${object instanceof ApiObject ? `it renders a ${object.kind}` : 'it renders no single object'}`,
        'Pass a cdk8s-plus workload (e.g. a Deployment) or the ApiObject of one');
    }
    const setting: EgressSetting = { workload, apiObject: object, dns: CLUSTER_DNS, extra: [] };
    EGRESS.set(workload, setting);
    return setting;
  }

  private static workloadOf(store: IDataStore, method: string): StatefulWorkload {
    const target = storeTarget(store);
    if (!target) {
      throw fail('NetworkPolicies', `${method}(store)`, store.node.path,
        'Must be an in-cluster store: a StatefulWorkload, a preset (EnginePreset) or a WorkloadService of one; '
        + 'an ExternalService or a store described by its attributes runs no pods of this app to isolate',
        'Pass the store\'s preset or workload');
    }
    return target.workload;
  }

  private static decide(scope: IConstruct, setting: Setting): void {
    SETTINGS.set(scope, setting);
    touch();
    const root = scope.node.root;
    if (!HOOKED.has(root)) {
      HOOKED.add(root);
      onEveryStore(root, w => NetworkPolicies.sync(w as StatefulWorkload));
    }
    // the stores created before this call (one walk of the scope, once per call)
    for (const c of scope.node.findAll()) {
      if (c instanceof StatefulWorkload) NetworkPolicies.sync(c);
    }
  }

  /** The nearest decision above a workload (itself included). */
  private static settingOf(workload: StatefulWorkload): Setting | undefined {
    const scopes = workload.node.scopes;
    for (let i = scopes.length - 1; i >= 0; i--) {
      const setting = SETTINGS.get(scopes[i]);
      if (setting) return setting;
    }
    return undefined;
  }

  /** Adds or removes the workload's policy, as the nearest decision says. */
  private static sync(workload: StatefulWorkload): void {
    const setting = NetworkPolicies.settingOf(workload);
    const enabled = setting?.enabled === true;
    const existing = workload.node.tryFindChild(POLICY_ID);
    if (!enabled) {
      if (existing) workload.node.tryRemoveChild(POLICY_ID);
      return;
    }
    if (setting.options.defaultDenyIngress === true) NetworkPolicies.defaultDeny(workload);
    if (existing) return;
    const policy = new ApiObject(workload, POLICY_ID, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: workload.name,
        namespace: workload.namespaceName,
        labels: workload._commonLabels(),
      },
      spec: Lazy.any({ produce: () => NetworkPolicies.renderSpec(workload) }),
    });
    addSynthesisCheck(policy, index => factsOf(index).errorsOf(workload));
    declareIngressIsolation(workload, () => NetworkPolicies.policyOf(workload) !== undefined);
    if (!CHECKED.has(workload)) {
      CHECKED.add(workload);
      addValidationWithWarnings(workload, () => {
        NetworkPolicies.warnClosedMetrics(workload);
        return [];
      });
    }
  }

  /** `metrics-port-closed`: the store has metrics ports, and its policy admits no scraper to them. */
  private static warnClosedMetrics(workload: StatefulWorkload): void {
    const metrics = workload.metricsPorts;
    if (metrics.length === 0 || !NetworkPolicies.policyOf(workload)) return;
    if (NetworkPolicies.settingOf(workload)?.options.monitoring) return;
    warn(workload, WARNINGS.METRICS_PORT_CLOSED, warningMessage(`NetworkPolicies '${workload.node.path}'`, 'monitoring', 'unset',
      `The store's metrics ${metrics.length > 1 ? `ports ${show(metrics.map(p => p.port))} admit` : `port ${metrics[0].port} admits`} nobody: its NetworkPolicy `
      + `${show(workload.name)} admits scrapers only from the monitoring pods of 'NetworkPoliciesOptions.monitoring', and none are named, `
      + 'so Prometheus cannot scrape the store (its targets are down and its alerts say nothing)',
      'Name the monitoring pods: NetworkPolicies.enable(scope, { monitoring: NetworkPeer.namespaceNamed("monitoring") }), '
      + 'or acknowledge this warning where nothing scrapes the store'));
  }

  /**
   * The namespace's `default-deny-ingress` policy, created once per namespace and app, in the
   * chart of the first store of the namespace that asks for it, in the stores' sync wave.
   */
  private static defaultDeny(workload: StatefulWorkload): void {
    const root = workload.node.root;
    let byNamespace = DEFAULT_DENY.get(root);
    if (!byNamespace) DEFAULT_DENY.set(root, byNamespace = new Map());
    const namespace = workload.namespaceName;
    if (byNamespace.has(namespace ?? '')) return;
    const chart = Chart.of(workload);
    const policy = new ApiObject(chart, `DefaultDenyIngress${namespace !== undefined ? `-${namespace}` : ''}`, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: DEFAULT_DENY_NAME,
        namespace,
        labels: { 'app.kubernetes.io/managed-by': MANAGED_BY },
      },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });
    declareRole(policy, 'dataStore');
    byNamespace.set(namespace ?? '', policy);
  }

  private static renderSpec(workload: StatefulWorkload): any {
    const index = AppIndex.of(workload);
    const options = NetworkPolicies.settingOf(workload)?.options ?? {};
    const ingress: any[] = [];
    // the wired pods, one rule per set of ports
    ingress.push(...factsOf(index).consumerRules(workload));
    for (const { peer, ports } of workload._peerRules()) {
      const from: any = { podSelector: { matchLabels: peer.selectorLabels } };
      if (peer.namespaceName !== undefined && peer.namespaceName !== workload.namespaceName) {
        from.namespaceSelector = { matchLabels: { [NAMESPACE_NAME_LABEL]: peer.namespaceName } };
      }
      ingress.push({ from: [from], ports: renderPorts(ports.map(toPolicyPort)) });
    }
    const metrics = workload.metricsPorts;
    if (metrics.length > 0 && options.monitoring) {
      ingress.push({ from: [options.monitoring._peer], ports: renderPorts(metrics.map(toPolicyPort)) });
    }
    const clientPorts = workload.ports.map(toPolicyPort);
    for (const extra of EXTRA.get(workload) ?? []) {
      const ports = extra.ports ? extra.ports.map(toPolicyPort) : clientPorts;
      ingress.push({ from: [extra.peer._peer], ports: renderPorts(ports) });
    }
    return {
      podSelector: { matchLabels: workload.selectorLabels },
      policyTypes: ['Ingress'],
      ingress: ingress.length > 0 ? ingress : undefined,
    };
  }

  private constructor() {
    // static methods only
  }
}

/** The ports of an `allowFrom()` or `allowEgressTo()` rule: numbers from 1 to 65535. */
function checkRulePorts(scope: IConstruct, method: string, ports: DataStorePort[] | undefined, port: string): void {
  (ports ?? []).forEach((p, i) => {
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) {
      throw fail(`NetworkPolicies '${scope.node.path}'`, `${method}(options.ports[${i}].port)`, p.port,
        'Must be a port number from 1 to 65535', `Set 'port' to ${port}`);
    }
  });
}

function toPolicyPort(p: DataStorePort): PolicyPort {
  return { port: p.port, protocol: p.protocol ?? 'TCP' };
}

/**
 * The workload whose pods serve a store, and the ports on them its clients connect to: a
 * `StatefulWorkload` and its client ports, a preset's workload, or a client Service's workload and
 * the container ports the Service forwards to. Undefined for stores outside the app's pods.
 */
function storeTarget(store: IDataStore): StoreTarget | undefined {
  if (store instanceof StatefulWorkload) return { workload: store, ports: store.ports.map(toPolicyPort) };
  if (store instanceof EnginePreset) return { workload: store.workload, ports: store.workload.ports.map(toPolicyPort) };
  if (store instanceof WorkloadService) {
    const workload = store.node.scope;
    if (workload instanceof StatefulWorkload) {
      // a named target port by its number, as the workload's other ports
      const named = workload._containerPorts();
      return {
        workload,
        ports: store._targetPorts().map(p => ({
          port: typeof p.port === 'string' ? named.find(c => c.name === p.port && c.protocol === p.protocol)?.number ?? p.port : p.port,
          protocol: p.protocol,
        })),
      };
    }
  }
  return undefined;
}

/**
 * The other workloads a store's clients talk to besides the store's own: the sentinels of a Redis
 * or Valkey with Sentinel, which its clients (and its backup Jobs) ask for the primary.
 */
function companionTargets(store: IDataStore): StoreTarget[] {
  if (store instanceof RedisCompatibleBase && store.sentinel) {
    const sentinels = store.sentinel.workload;
    return [{ workload: sentinels, ports: sentinels.ports.map(toPolicyPort) }];
  }
  return [];
}

/** The wiring of the app, once per synthesis: every connection to an in-cluster store. */
function factsOf(index: AppIndex): NetworkFacts {
  return networkFacts(index, () => index.constructsWhere(c => c instanceof DataStoreConnection).flatMap(c => {
    const connection = c as DataStoreConnection;
    const target = storeTarget(connection.store);
    if (!target) return [];
    return [target, ...companionTargets(connection.store)]
      .map(t => ({ path: connection.node.path, workload: t.workload, ports: t.ports, consumers: connection.consumers }));
  }));
}

/** `<name>-egress`, within the 253 characters of an object name (cut, with a hash of the whole name). */
function egressPolicyName(name: string): string {
  const full = `${name}-egress`;
  if (full.length <= 253) return full;
  return `${name.slice(0, 228).replace(/[-.]+$/, '')}-${createHash('sha256').update(name).digest('hex').slice(0, 16)}-egress`;
}

/** A destination of a restricted workload's egress, from one connection. */
interface EgressDestination {
  /** The connection's construct path, for messages. */
  readonly connection: string;
  /** The store's construct path, for messages. */
  readonly store: string;
  /** The `to` peers: every address (`0.0.0.0/0`, `::/0`) for a store by DNS name. */
  readonly to: any[];
  readonly ports: PolicyPort[];
  /** The DNS name when the store cannot be expressed by address. */
  readonly dnsName?: string;
  /** An in-cluster store whose namespace is unknown while the workload has one. */
  readonly namespaceUnknown?: boolean;
}

const EGRESS_KEY = {};

/**
 * Every address, as `ipBlock`s: a store by DNS name may be anywhere. Tighter than a rule without
 * `to` (which also matches every pod of the cluster): plugins such as Cilium never match pods by
 * an `ipBlock`.
 */
const ANY_ADDRESS = [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }];

/** The containers of every workload the app's connections wire, by owner construct: once per synthesis. */
function egressWiring(index: AppIndex): Map<IConstruct, DataStoreConnection[]> {
  return index.facet(EGRESS_KEY, () => {
    const byOwner = new Map<IConstruct, DataStoreConnection[]>();
    for (const c of index.constructsWhere(x => x instanceof DataStoreConnection)) {
      const connection = c as DataStoreConnection;
      for (const container of connection.consumers) {
        const owner = index.ownerOf(container);
        if (!owner) continue;
        const list = byOwner.get(owner);
        if (!list) byOwner.set(owner, [connection]);
        else if (!list.includes(connection)) list.push(connection);
      }
    }
    return byOwner;
  });
}

/** The destinations of a restricted workload: what each connection that wires it reaches. */
function egressDestinations(index: AppIndex, setting: EgressSetting): EgressDestination[] {
  const namespace = setting.apiObject.metadata.namespace;
  const owner = setting.workload instanceof ApiObject ? setting.workload.node.scope : setting.workload;
  const connections = [...egressWiring(index).get(owner as IConstruct) ?? []]
    .sort((a, b) => a.node.path < b.node.path ? -1 : a.node.path > b.node.path ? 1 : 0);
  const result: EgressDestination[] = [];
  for (const connection of connections) {
    const store = connection.store;
    const base = { connection: connection.node.path, store: store.node.path };
    const target = storeTarget(store);
    if (target) {
      for (const t of [target, ...companionTargets(store)]) {
        const peer: any = { podSelector: { matchLabels: t.workload.selectorLabels } };
        const storeNamespace = t.workload.namespaceName;
        if (storeNamespace !== undefined && storeNamespace !== namespace) {
          peer.namespaceSelector = { matchLabels: { [NAMESPACE_NAME_LABEL]: storeNamespace } };
        }
        result.push({ ...base, to: [peer], ports: t.ports, namespaceUnknown: storeNamespace === undefined && namespace !== undefined });
      }
    } else if (store instanceof ExternalService && store.externalName === undefined) {
      result.push({
        ...base,
        to: store.addresses.map(a => ({ ipBlock: { cidr: `${a}/${isIP(a) === 6 ? 128 : 32}` } })),
        ports: store._addressPorts(),
      });
    } else {
      const host = store instanceof ExternalService ? store.externalName! : connection.endpoint.hostname;
      const ports = store instanceof ExternalService && store.ports.length > 0
        ? store.ports.map(p => ({ port: p.port, protocol: p.protocol ?? 'TCP' }))
        : [{ port: connection.endpoint.port, protocol: 'TCP' }];
      const family = isIP(host);
      result.push(family !== 0
        ? { ...base, to: [{ ipBlock: { cidr: `${host}/${family === 6 ? 128 : 32}` } }], ports }
        : { ...base, to: ANY_ADDRESS, ports, dnsName: host.replace(/\.$/, '') });
    }
  }
  return result;
}

/** The spec of a restricted workload's egress policy. */
function renderEgressSpec(index: AppIndex, setting: EgressSetting): any {
  const pod = index.podConsumerOfObject(setting.apiObject);
  const egress: any[] = [{
    to: [setting.dns._peer],
    ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
  }];
  const seen = new Set<string>([JSON.stringify(egress[0])]);
  const add = (rule: any) => {
    const text = JSON.stringify(rule);
    if (seen.has(text)) return;
    seen.add(text);
    egress.push(rule);
  };
  for (const d of egressDestinations(index, setting)) {
    if (d.namespaceUnknown) continue; // an error of the check
    add({ to: d.to, ports: renderPorts(d.ports) });
  }
  for (const extra of setting.extra) {
    add(extra.ports ? { to: [extra.peer._peer], ports: renderPorts(extra.ports.map(toPolicyPort)) } : { to: [extra.peer._peer] });
  }
  return {
    podSelector: { matchLabels: pod ? selectorOf(pod) : {} },
    policyTypes: ['Egress'],
    egress,
  };
}

/**
 * What keeps a restricted workload's policy from restricting exactly its pods: pods without
 * labels, labels other pods of its namespace carry too (their egress would be cut as well), a
 * store whose namespace is unknown.
 */
function egressErrors(index: AppIndex, setting: EgressSetting): string[] {
  const where = `NetworkPolicies '${setting.workload.node.path}'`;
  const pod = index.podConsumerOfObject(setting.apiObject);
  if (!pod) {
    return [fail(where, 'restrictEgress(workload)', setting.workload.node.path,
      `Must run pods: its ${setting.apiObject.kind} renders no pod template`, 'Pass a workload with a pod template').message];
  }
  const errors: string[] = [];
  const selector = selectorOf(pod);
  if (Object.keys(selector).length === 0) {
    errors.push(failWithoutValue(where, 'restrictEgress(workload)', describePod(pod),
      `Must be selectable: a NetworkPolicy selects pods by their labels, and the pods of this ${pod.kind} carry none`,
      `Give the ${pod.kind}'s pod template a label that sets its pods apart (cdk8s-plus: 'podMetadata: { labels: { "app.kubernetes.io/name": ${show(pod.name)} } }', or keep 'select' on)`).message);
  } else {
    const others = factsOf(index).podsMatching(pod.namespace, selector).filter(p => p !== pod);
    if (others.length > 0) {
      errors.push(failWithoutValue(where, 'restrictEgress(workload)', describePod(pod),
        `Must be selectable apart from other pods: the labels of its pods (${show(selector)}) are carried by the pods of ${others.map(describePod).join(', ')} too, whose egress the policy would restrict as well`,
        `Give the ${pod.kind}'s pods a label the other pods do not carry (cdk8s-plus gives each workload's pods one, cdk8s.io/metadata.addr, unless 'select' is off)`).message);
    }
  }
  for (const d of egressDestinations(index, setting)) {
    if (!d.namespaceUnknown) continue;
    errors.push(failWithoutValue(where, 'restrictEgress(workload)', describePod(pod),
      `Must know the namespace of its store: the workload is in ${show(setting.apiObject.metadata.namespace)}, and the store '${d.store}' (wired by DataStoreConnection '${d.connection}') has no namespace, so the policy cannot tell which namespace's pods it may reach`,
      'Set the namespace of the store or its chart').message);
  }
  return errors;
}

/** `egress-to-dns-name`: a store the restricted workload reaches by a DNS name, which the policy cannot express. */
function warnDnsNames(policy: ApiObject, setting: EgressSetting): void {
  const index = AppIndex.of(policy);
  for (const d of egressDestinations(index, setting)) {
    if (d.dnsName === undefined) continue;
    const ports = renderPorts(d.ports).map(p => `${p.port}/${p.protocol}`);
    warn(setting.workload, WARNINGS.EGRESS_TO_DNS_NAME, warningMessage(`NetworkPolicies '${setting.workload.node.path}'`, 'restrictEgress(workload)', show(d.dnsName),
      `The workload reaches the store '${d.store}' (DataStoreConnection '${d.connection}') by the DNS name ${show(d.dnsName)}, and a NetworkPolicy `
      + `selects destinations by pod labels or IP addresses only: its egress policy ${show(egressPolicyName(setting.apiObject.name))} lets the pods `
      + `connect to any address on ${ports.length > 1 ? `ports ${ports.join(', ')}` : `port ${ports[0]}`}`,
      'Give the store by its IP addresses (ExternalService \'addresses\'), so the policy names them, or acknowledge this warning'));
  }
}
