import { ApiObject, Chart, Lazy } from 'cdk8s';
import { IConstruct } from 'constructs';
import { IngressPeer } from './ingress-peer';
import { DataStorePort, IDataStore } from '../connection/data-store';
import { DataStoreConnection } from '../connection/data-store-connection';
import { EnginePreset } from '../engines/engine-preset';
import { RedisCompatibleBase } from '../engines/redis';
import { addSynthesisCheck, AppIndex, declareIngressIsolation, declareRole, onEveryStore, touch } from '../private/app-index';
import { MANAGED_BY } from '../private/labels';
import { fail, show } from '../private/validation';
import { addValidationWithWarnings, warn, warningMessage, WARNINGS } from '../private/warnings';
import { StatefulWorkload } from '../workload/stateful-workload';
import { WorkloadService } from '../workload/workload-service';
import { NetworkFacts, networkFacts, PolicyPort, renderPorts, StoreTarget } from './private/graph';
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
   * `IngressPeer.namespaceNamed('monitoring')`, or the Prometheus pods by their labels.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors
   * @default - metrics ports admit nobody: a store's metrics port is closed like any other port
   */
  readonly monitoring?: IngressPeer;

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
const EXTRA = new WeakMap<StatefulWorkload, Array<{ peer: IngressPeer; ports?: DataStorePort[] }>>();

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
  public static allowFrom(store: IDataStore, peer: IngressPeer, options: AllowFromOptions = {}): void {
    const workload = NetworkPolicies.workloadOf(store, 'allowFrom');
    (options.ports ?? []).forEach((p, i) => {
      if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) {
        throw fail(`NetworkPolicies '${workload.node.path}'`, `allowFrom(options.ports[${i}].port)`, p.port,
          'Must be a port number from 1 to 65535', 'Set \'port\' to the container port to admit the peer on');
      }
    });
    touch();
    const list = EXTRA.get(workload) ?? [];
    list.push({ peer, ports: options.ports?.map(p => ({ ...p })) });
    EXTRA.set(workload, list);
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
      'Name the monitoring pods: NetworkPolicies.enable(scope, { monitoring: IngressPeer.namespaceNamed("monitoring") }), '
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
