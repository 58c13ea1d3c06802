/**
 * Who talks to which store, as the NetworkPolicies of `NetworkPolicies` need it: computed once per
 * synthesis from the app index (a facet), from the app's `DataStoreConnection`s and the pods that
 * run their consumers. Each policy reads its rules and its errors from here.
 */
import type { Container } from 'cdk8s-plus-27';
import { JOB_NAME_LABEL, matchesLabels, NAMESPACE_NAME_LABEL, sorted } from './selectors';
import { AppIndex, PodConsumer } from '../../private/app-index';
import { fail, failWithoutValue, show } from '../../private/validation';
import type { StatefulWorkload } from '../../workload/stateful-workload';

/** A port of a NetworkPolicy rule: a number or a container port's name, and a protocol. */
export interface PolicyPort {
  readonly port: number | string;
  readonly protocol: string;
}

/** The workload that serves a store, and the ports on its pods its clients connect to. */
export interface StoreTarget {
  readonly workload: StatefulWorkload;
  readonly ports: PolicyPort[];
}

/** One connection to an in-cluster store. */
export interface Wiring extends StoreTarget {
  /** The connection's construct path, for messages. */
  readonly path: string;
  readonly consumers: Container[];
}

/** A pod consumer wired to a store, with what it may reach. */
interface WiredPod {
  readonly pod: PodConsumer;
  readonly ports: PolicyPort[];
  /** The connections that wire it, for messages. */
  readonly connections: string[];
}

const KEY = {};

/** The network facts of the app, computed once per index from `wirings`. */
export function networkFacts(index: AppIndex, wirings: () => Wiring[]): NetworkFacts {
  return index.facet(KEY, () => new NetworkFacts(index, wirings()));
}

/** Renders rule ports: sorted (numbers first), without duplicates. */
export function renderPorts(ports: PolicyPort[]): Array<{ protocol: string; port: number | string }> {
  const seen = new Set<string>();
  const result: Array<{ protocol: string; port: number | string }> = [];
  for (const p of [...ports].sort(comparePorts)) {
    const key = `${p.protocol}/${p.port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({ protocol: p.protocol, port: p.port });
  }
  return result;
}

function comparePorts(a: PolicyPort, b: PolicyPort): number {
  const ka = `${typeof a.port === 'number' ? `0${String(a.port).padStart(5, '0')}` : `1${a.port}`}/${a.protocol}`;
  const kb = `${typeof b.port === 'number' ? `0${String(b.port).padStart(5, '0')}` : `1${b.port}`}/${b.protocol}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * The labels that select a consumer's pods: the workload's own selector (a Deployment's or
 * StatefulSet's `spec.selector.matchLabels`, which its pods carry and no other workload's pods
 * should), or else its pod template's labels, plus the `job-name` label the Job controller puts
 * on every pod of a Job (a Job's name is fixed; a CronJob's Jobs are not).
 */
export function selectorOf(pod: PodConsumer): { [key: string]: string } {
  if (pod.selectorLabels) return sorted(pod.selectorLabels);
  const labels: { [key: string]: string } = { ...pod.podLabels };
  if (pod.kind === 'Job') labels[JOB_NAME_LABEL] = pod.name;
  return sorted(labels);
}

/** The labels a consumer's pods carry, as far as the manifests tell: the template's, and a Job's `job-name`. */
function podLabelsOf(pod: PodConsumer): { [key: string]: string } {
  return pod.kind === 'Job' ? { ...pod.podLabels, [JOB_NAME_LABEL]: pod.name } : pod.podLabels;
}

/** `Deployment "shop/web"`, for messages. */
export function describePod(pod: PodConsumer): string {
  return `${pod.kind} ${show(pod.namespace !== undefined ? `${pod.namespace}/${pod.name}` : pod.name)}`;
}

export class NetworkFacts {
  private readonly wired = new Map<StatefulWorkload, Map<PodConsumer, WiredPod>>();
  /** The pod consumers by namespace and label (`<namespace>|<key>=<value>`): a selector's candidates without a scan of the namespace. */
  private readonly podsByLabel = new Map<string, PodConsumer[]>();

  constructor(index: AppIndex, wirings: Wiring[]) {
    for (const pod of index.podConsumers()) {
      for (const [k, v] of Object.entries(podLabelsOf(pod))) {
        const key = `${pod.namespace ?? ''}|${k}=${v}`;
        const list = this.podsByLabel.get(key);
        if (list) list.push(pod);
        else this.podsByLabel.set(key, [pod]);
      }
    }
    for (const wiring of wirings) {
      let pods = this.wired.get(wiring.workload);
      if (!pods) this.wired.set(wiring.workload, pods = new Map());
      for (const container of wiring.consumers) {
        const pod = index.podConsumerOf(container);
        if (!pod) continue; // no rendered object runs it: nothing to admit
        const known = pods.get(pod);
        if (known) {
          pods.set(pod, {
            pod,
            ports: [...known.ports, ...wiring.ports],
            connections: known.connections.includes(wiring.path) ? known.connections : [...known.connections, wiring.path],
          });
        } else {
          pods.set(pod, { pod, ports: [...wiring.ports], connections: [wiring.path] });
        }
      }
    }
  }

  /** The pods wired to `workload`, in a stable order (namespace, kind, name), without its own pods. */
  private wiredPods(workload: StatefulWorkload): WiredPod[] {
    return [...this.wired.get(workload)?.values() ?? []]
      .filter(w => !this.isOwnPod(workload, w.pod))
      .sort((a, b) => {
        const ka = `${a.pod.namespace ?? ''}/${a.pod.kind}/${a.pod.name}`;
        const kb = `${b.pod.namespace ?? ''}/${b.pod.kind}/${b.pod.name}`;
        return ka < kb ? -1 : ka > kb ? 1 : 0;
      });
  }

  /** The pod consumers of `namespace` whose labels match `selector` (not empty). */
  public podsMatching(namespace: string | undefined, selector: { [key: string]: string }): PodConsumer[] {
    let smallest: PodConsumer[] | undefined;
    for (const [k, v] of Object.entries(selector)) {
      const bucket = this.podsByLabel.get(`${namespace ?? ''}|${k}=${v}`) ?? [];
      if (!smallest || bucket.length < smallest.length) smallest = bucket;
    }
    return (smallest ?? []).filter(p => matchesLabels(selector, podLabelsOf(p)));
  }

  private isOwnPod(workload: StatefulWorkload, pod: PodConsumer): boolean {
    return pod.kind === 'StatefulSet' && pod.name === workload.name && (pod.namespace ?? '') === (workload.namespaceName ?? '');
  }

  /**
   * The ingress rules that admit the pods wired to `workload`: one per set of ports, each pod by
   * its labels (and its namespace's name when it runs in another namespace than the store).
   * Pods that cannot be selected are left out (and reported by `errorsOf()`).
   */
  public consumerRules(workload: StatefulWorkload): any[] {
    const rules = new Map<string, { from: any[]; ports: any[] }>();
    for (const w of this.wiredPods(workload)) {
      const selector = selectorOf(w.pod);
      if (Object.keys(selector).length === 0) continue;
      if (w.pod.namespace === undefined && workload.namespaceName !== undefined) continue;
      const peer: any = { podSelector: { matchLabels: selector } };
      if (w.pod.namespace !== undefined && w.pod.namespace !== workload.namespaceName) {
        peer.namespaceSelector = { matchLabels: { [NAMESPACE_NAME_LABEL]: w.pod.namespace } };
      }
      const ports = renderPorts(w.ports);
      const key = JSON.stringify(ports);
      const rule = rules.get(key);
      const text = JSON.stringify(peer);
      if (!rule) rules.set(key, { from: [peer], ports });
      else if (!rule.from.some(p => JSON.stringify(p) === text)) rule.from.push(peer);
    }
    return [...rules.values()];
  }

  /**
   * What keeps the policy of `workload` from admitting exactly its wired pods: a wired pod
   * without labels, or in an unknown namespace; a wired pod's labels that other pods of the app
   * carry too; a store selector that picks other workloads' pods.
   */
  public errorsOf(workload: StatefulWorkload): string[] {
    const where = `NetworkPolicies '${workload.node.path}'`;
    const errors: string[] = [];
    const wired = this.wiredPods(workload);
    const wiredSet = new Set(wired.map(w => w.pod));
    for (const w of wired) {
      const selector = selectorOf(w.pod);
      const via = `wired by DataStoreConnection ${w.connections.map(c => `'${c}'`).join(', ')}`;
      if (Object.keys(selector).length === 0) {
        errors.push(failWithoutValue(where, 'consumers', describePod(w.pod),
          `Must be selectable: a NetworkPolicy admits pods by their labels, and the pods of this ${w.pod.kind} (${via}) carry none`,
          `Give the ${w.pod.kind}'s pod template a label that sets its pods apart (cdk8s-plus: 'podMetadata: { labels: { "app.kubernetes.io/name": ${show(w.pod.name)} } }', or keep 'select' on)`).message);
        continue;
      }
      if (w.pod.namespace === undefined && workload.namespaceName !== undefined) {
        errors.push(failWithoutValue(where, 'consumers', describePod(w.pod),
          `Must have a namespace: the store is in ${show(workload.namespaceName)}, and the ${w.pod.kind} (${via}) has none, so the policy cannot tell which namespace's pods to admit`,
          'Set the namespace of the workload or its chart').message);
        continue;
      }
      const others = this.podsMatching(w.pod.namespace, selector)
        .filter(p => p !== w.pod && !wiredSet.has(p) && !this.isOwnPod(workload, p));
      if (others.length > 0) {
        errors.push(failWithoutValue(where, 'consumers', describePod(w.pod),
          `Must be selectable apart from other pods: the labels of its pods (${show(selector)}, ${via}) are carried by the pods of ${others.map(describePod).join(', ')} too, `
          + 'which would be admitted to the store without being wired to it',
          `Give the ${w.pod.kind}'s pods a label the other pods do not carry (cdk8s-plus gives each workload's pods one, cdk8s.io/metadata.addr, unless 'select' is off), or wire the other pods to the store too`).message);
      }
    }
    const selected = this.podsMatching(workload.namespaceName, workload.selectorLabels).filter(p => !this.isOwnPod(workload, p));
    for (const p of selected) {
      errors.push(fail(where, 'podSelector', workload.selectorLabels,
        `Must select the store's pods only: the pods of ${describePod(p)} carry these labels too, so the store's policy would decide who reaches them`,
        `Give ${describePod(p)} other values for ${show(Object.keys(workload.selectorLabels))}`).message);
    }
    return errors;
  }
}
