/**
 * NetworkPolicies evaluated the way the API server and a network plugin read them
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/), for tests: which
 * pods a policy selects, and whether a connection from one pod to another pod's port is admitted.
 *
 * Pods are built from synthesized manifests, with the labels their controllers add (a StatefulSet
 * pod's `statefulset.kubernetes.io/pod-name`, a Job pod's `job-name`, ...), so a policy that
 * relies on a label no pod carries fails here as it would in a cluster. Written from the
 * documentation, not from the library's code.
 */
import { podTemplatesOf } from '../../src/private/pod-security';

/** A pod as a network plugin sees it: where it runs, its labels, its container ports. */
export interface PodView {
  /** `StatefulSet news/news-manager-redis` pod `news-manager-redis-0`, for messages. */
  readonly id: string;
  readonly namespace: string;
  readonly labels: { [key: string]: string };
  readonly ports: Array<{ name?: string; containerPort: number; protocol?: string }>;
  /** The owning object's rendered JSON. */
  readonly owner: any;
  readonly podSpec: any;
}

/** The namespace objects are applied to when they set none. */
export const DEFAULT_NAMESPACE = 'default';

/** Whether `labels` satisfy a LabelSelector (matchLabels and matchExpressions; `{}` selects everything). */
export function selects(selector: any, labels: { [key: string]: string }): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In':
        if (!has || !e.values.includes(labels[e.key])) return false;
        break;
      case 'NotIn':
        if (has && e.values.includes(labels[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        throw new Error(`unknown operator ${e.operator}`);
    }
  }
  return true;
}

/** The labels of a namespace: `kubernetes.io/metadata.name` (set by the API server) and those of its Namespace object. */
export function namespaceLabels(manifests: any[], namespace: string): { [key: string]: string } {
  const object = manifests.find(m => m.kind === 'Namespace' && m.metadata?.name === namespace);
  return { ...object?.metadata?.labels, 'kubernetes.io/metadata.name': namespace };
}

/** The pods the objects of `manifests` run, with the labels their controllers add. */
export function podsOf(manifests: any[]): PodView[] {
  const pods: PodView[] = [];
  for (const m of manifests) {
    const template = podTemplatesOf(m)[0];
    if (!template?.spec) continue;
    const namespace = m.metadata?.namespace ?? DEFAULT_NAMESPACE;
    const base = { ...template.metadata?.labels };
    const ports = [...template.spec.containers ?? []].flatMap((c: any) => c.ports ?? []);
    const add = (name: string, labels: { [key: string]: string }) => pods.push({
      id: `${m.kind} ${namespace}/${m.metadata.name} pod ${name}`, namespace, labels: { ...base, ...labels }, ports, owner: m, podSpec: template.spec,
    });
    switch (m.kind) {
      case 'StatefulSet': {
        const start = m.spec.ordinals?.start ?? 0;
        for (let i = start; i < start + (m.spec.replicas ?? 1); i++) {
          const name = `${m.metadata.name}-${i}`;
          add(name, { 'statefulset.kubernetes.io/pod-name': name, 'controller-revision-hash': `${m.metadata.name}-5d4f8b9c7a` });
        }
        break;
      }
      case 'Deployment':
        add(`${m.metadata.name}-7c9d5b8f4-x2k4q`, { 'pod-template-hash': '7c9d5b8f4' });
        break;
      case 'Job':
        add(`${m.metadata.name}-abcde`, {
          'job-name': m.metadata.name,
          'batch.kubernetes.io/job-name': m.metadata.name,
          'controller-uid': '0b9c1e34-5f1a-4d2e-9c57-2f3b3a1d9e10',
          'batch.kubernetes.io/controller-uid': '0b9c1e34-5f1a-4d2e-9c57-2f3b3a1d9e10',
        });
        break;
      case 'CronJob': {
        const job = `${m.metadata.name}-28934520`;
        add(`${job}-abcde`, { 'job-name': job, 'batch.kubernetes.io/job-name': job, 'controller-uid': '6a0f4c2e-1b7d-4e3a-8f95-0c2d7e6b1a43' });
        break;
      }
      default:
        add(m.metadata.name, {});
    }
  }
  return pods;
}

/** The NetworkPolicies of the manifests that select `target` for ingress. */
export function ingressPoliciesOf(manifests: any[], target: PodView): any[] {
  return manifests.filter(m => m.kind === 'NetworkPolicy'
    && (m.metadata.namespace ?? DEFAULT_NAMESPACE) === target.namespace
    && selects(m.spec.podSelector, target.labels)
    && (m.spec.policyTypes ?? ['Ingress']).includes('Ingress'));
}

function peerMatches(manifests: any[], peer: any, policyNamespace: string, source: PodView): boolean {
  if (peer.ipBlock) return false; // pod traffic by IP: up to the plugin, never relied on
  const namespaceOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, namespaceLabels(manifests, source.namespace))
    : source.namespace === policyNamespace;
  const podOk = peer.podSelector ? selects(peer.podSelector, source.labels) : true;
  return namespaceOk && podOk;
}

function portMatches(rulePort: any, target: PodView, port: number, protocol: string): boolean {
  if ((rulePort.protocol ?? 'TCP') !== protocol) return false;
  if (rulePort.port === undefined) return true;
  if (typeof rulePort.port === 'number') {
    return rulePort.endPort !== undefined ? port >= rulePort.port && port <= rulePort.endPort : port === rulePort.port;
  }
  // a named port: resolved against the target pod's container ports
  return target.ports.some(p => p.name === rulePort.port && p.containerPort === port && (p.protocol ?? 'TCP') === protocol);
}

/** Whether a policy's ingress rules admit `source` to `target`'s port. */
function ingressAdmits(manifests: any[], source: PodView, target: PodView, port: number, protocol: string): boolean {
  const policies = ingressPoliciesOf(manifests, target);
  if (policies.length === 0) return true;
  return policies.some(policy => {
    const namespace = policy.metadata.namespace ?? DEFAULT_NAMESPACE;
    return (policy.spec.ingress ?? []).some((rule: any) =>
      ((rule.from ?? []).length === 0 || rule.from.some((peer: any) => peerMatches(manifests, peer, namespace, source)))
      && ((rule.ports ?? []).length === 0 || rule.ports.some((p: any) => portMatches(p, target, port, protocol))));
  });
}

/**
 * The NetworkPolicies of the manifests that select `source` for egress: `policyTypes` with
 * `Egress`, or (without `policyTypes`) a policy with `egress` rules.
 */
export function egressPoliciesOf(manifests: any[], source: PodView): any[] {
  return manifests.filter(m => m.kind === 'NetworkPolicy'
    && (m.metadata.namespace ?? DEFAULT_NAMESPACE) === source.namespace
    && selects(m.spec.podSelector, source.labels)
    && (m.spec.policyTypes ?? (m.spec.egress ? ['Ingress', 'Egress'] : ['Ingress'])).includes('Egress'));
}

/** An IPv4 address as a number; undefined for anything else. */
function ipv4(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4 || parts.some(p => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** Whether an IPv4 `address` is in the range `cidr` and none of `except` (IPv6 ranges: compared as written). */
function inBlock(block: any, address: string): boolean {
  const contains = (cidr: string) => {
    const [base, bits] = cidr.split('/');
    const a = ipv4(address);
    const b = ipv4(base);
    if (a === undefined || b === undefined) return cidr === `${address}/128`;
    const size = 2 ** (32 - Number(bits));
    return Math.floor(a / size) === Math.floor(b / size);
  };
  return contains(block.cidr) && !(block.except ?? []).some(contains);
}

/** A destination outside the pods of the manifests: an IP address (a server outside the cluster). */
export interface AddressView {
  readonly address: string;
}

/**
 * Whether `source`'s egress policies let it connect to `target` (a pod, or an address) on the
 * port: always when no policy selects the source for egress. A pod is matched by its labels and
 * namespace only (an `ipBlock` never matches a pod: that is up to the plugin); an address by the
 * `ipBlock`s, or by a rule without `to` (every destination).
 */
export function egressAllows(manifests: any[], source: PodView, target: PodView | AddressView, port: number, protocol = 'TCP'): boolean {
  const policies = egressPoliciesOf(manifests, source);
  if (policies.length === 0) return true;
  const pod = 'labels' in target ? target : undefined;
  return policies.some(policy => {
    const namespace = policy.metadata.namespace ?? DEFAULT_NAMESPACE;
    return (policy.spec.egress ?? []).some((rule: any) =>
      ((rule.to ?? []).length === 0 || rule.to.some((peer: any) => pod
        ? peerMatches(manifests, peer, namespace, pod)
        : peer.ipBlock !== undefined && inBlock(peer.ipBlock, (target as AddressView).address)))
      && ((rule.ports ?? []).length === 0 || rule.ports.some((p: any) => pod
        ? portMatches(p, pod, port, protocol)
        : (p.protocol ?? 'TCP') === protocol && (p.port === undefined || p.port === port))));
  });
}

/**
 * Whether a connection from `source` to `target`'s `port` goes through: the target's ingress
 * policies admit it (always when none selects the target, otherwise when a rule of one of them
 * admits the source on the port), and the source's egress policies let it out (always when none
 * selects the source).
 */
export function admits(manifests: any[], source: PodView, target: PodView, port: number, protocol = 'TCP'): boolean {
  return ingressAdmits(manifests, source, target, port, protocol) && egressAllows(manifests, source, target, port, protocol);
}

/** A pod that nothing wires: labels of its own, in `namespace`. */
export function strangerPod(namespace: string, labels: { [key: string]: string } = { 'app.kubernetes.io/name': 'stranger' }): PodView {
  return { id: `stranger ${namespace}`, namespace, labels, ports: [], owner: {}, podSpec: {} };
}

/**
 * Every wiring the manifests show: a pod that takes `<PREFIX>_SERVICE_HOST` and `_SERVICE_PORT`
 * from a ConfigMap (`envFrom`), the pods that host and port reach (a Service's selected pods, or
 * the one pod of a pod DNS name) and the container port the Service forwards to. Derived from the
 * manifests alone, as a reader of `kubectl get` would.
 */
export function wiringsOf(manifests: any[], pods: PodView[]): Array<{ source: PodView; target: PodView; port: number; via: string }> {
  const result: Array<{ source: PodView; target: PodView; port: number; via: string }> = [];
  for (const source of pods) {
    const containers = [...source.podSpec.initContainers ?? [], ...source.podSpec.containers ?? []];
    const configMaps = new Set<string>(containers.flatMap((c: any) => (c.envFrom ?? []).map((e: any) => e.configMapRef?.name).filter(Boolean)));
    for (const name of configMaps) {
      const cm = manifests.find(m => m.kind === 'ConfigMap' && m.metadata.name === name && (m.metadata.namespace ?? DEFAULT_NAMESPACE) === source.namespace);
      for (const [key, host] of Object.entries<string>(cm?.data ?? {})) {
        if (!key.endsWith('_SERVICE_HOST')) continue;
        const port = Number(cm.data[key.replace(/_HOST$/, '_PORT')]);
        for (const { target, containerPort } of reached(manifests, pods, host, port)) {
          result.push({ source, target, port: containerPort, via: `${name}: ${host}:${port}` });
        }
      }
    }
  }
  return result;
}

/** The pods (and container ports) a client reaches at `host:port`; empty for a host outside the cluster. */
function reached(manifests: any[], pods: PodView[], host: string, port: number): Array<{ target: PodView; containerPort: number }> {
  const m = /^([a-z0-9-]+)(?:\.([a-z0-9-]+))?\.([a-z0-9-]+)\.svc\./.exec(host);
  if (!m) return [];
  const [, first, second, namespace] = m;
  const serviceName = second ?? first;
  const service = manifests.find(x => x.kind === 'Service' && x.metadata.name === serviceName && (x.metadata.namespace ?? DEFAULT_NAMESPACE) === namespace);
  if (!service?.spec?.selector) return [];
  const servicePort = (service.spec.ports ?? []).find((p: any) => p.port === port);
  if (!servicePort) throw new Error(`${host}: no port ${port} on Service ${serviceName}`);
  const targets = pods.filter(p => p.namespace === namespace && selects({ matchLabels: service.spec.selector }, p.labels)
    && (second === undefined || p.labels['statefulset.kubernetes.io/pod-name'] === first));
  return targets.map(target => {
    const tp = servicePort.targetPort ?? servicePort.port;
    const containerPort = typeof tp === 'number' ? tp : target.ports.find(p => p.name === tp)?.containerPort;
    if (containerPort === undefined) throw new Error(`${host}: no container port ${tp} on ${target.id}`);
    return { target, containerPort };
  });
}
