import { isIP } from 'net';
import { labelProblems, throwFirst } from '../private/pod-rules';
import { checkDns1123Label, fail, show } from '../private/validation';
import { NAMESPACE_NAME_LABEL, sorted } from './private/selectors';


/**
 * Options of `NetworkPeer.podsWithLabels()`.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors
 */
export interface PodsPeerOptions {
  /**
   * The namespace of the pods, by name (selected by the label `kubernetes.io/metadata.name` the
   * API server puts on every Namespace).
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-namespace-by-its-name
   * @default - the namespace of the policy: the store's (a peer admitted to a store), or the
   * workload's (a destination of `NetworkPolicies.allowEgressTo()`)
   */
  readonly namespaceName?: string;
}

/**
 * The other end of a connection a NetworkPolicy admits: pods by their labels, every pod of a
 * namespace, or an IP range. Where connections to a store may come from besides the pods wired to
 * it (`NetworkPolicies.allowFrom()`, an entry of `ingress[].from`), or where a workload whose
 * egress is restricted may connect besides its stores (`NetworkPolicies.allowEgressTo()`, the
 * cluster DNS: an entry of `egress[].to`).
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export class NetworkPeer {
  /**
   * The pods with these labels, in the policy's namespace (the store's, or the restricted
   * workload's) or the one given.
   *
   * @param labels labels the pods carry (all of them: `matchLabels`)
   * @param options the namespace of the pods
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors
   */
  public static podsWithLabels(labels: { [key: string]: string }, options: PodsPeerOptions = {}): NetworkPeer {
    const where = 'NetworkPeer.podsWithLabels()';
    if (Object.keys(labels).length === 0) {
      throw fail(where, 'labels', {}, 'Must hold at least one label: an empty selector admits every pod of the namespace',
        'Pass the labels of the pods to admit, e.g. { "app.kubernetes.io/name": "web" }, or use NetworkPeer.namespaceNamed() for the whole namespace');
    }
    throwFirst(where, labelProblems('labels', labels));
    if (options.namespaceName !== undefined) checkDns1123Label(where, 'options.namespaceName', options.namespaceName);
    const podSelector = { matchLabels: sorted(labels) };
    return new NetworkPeer(options.namespaceName === undefined
      ? { podSelector }
      : { podSelector, namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: options.namespaceName } } },
    `pods ${show(labels)}${options.namespaceName !== undefined ? ` of namespace ${show(options.namespaceName)}` : ''}`);
  }

  /**
   * Every pod of a namespace, by its name (the label `kubernetes.io/metadata.name`), e.g. the
   * namespace of the cluster's Prometheus.
   *
   * @param name the namespace's name
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-namespace-by-its-name
   */
  public static namespaceNamed(name: string): NetworkPeer {
    checkDns1123Label('NetworkPeer.namespaceNamed()', 'name', name);
    return new NetworkPeer({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: name } } }, `namespace ${show(name)}`);
  }

  /**
   * Every pod of the namespaces with these labels.
   *
   * @param labels labels the namespaces carry (all of them)
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors
   */
  public static namespacesWithLabels(labels: { [key: string]: string }): NetworkPeer {
    const where = 'NetworkPeer.namespacesWithLabels()';
    if (Object.keys(labels).length === 0) {
      throw fail(where, 'labels', {}, 'Must hold at least one label: an empty selector admits every namespace of the cluster',
        'Pass the labels of the namespaces to admit, e.g. { "team": "orders" }');
    }
    throwFirst(where, labelProblems('labels', labels));
    return new NetworkPeer({ namespaceSelector: { matchLabels: sorted(labels) } }, `namespaces ${show(labels)}`);
  }

  /**
   * The addresses of an IP range: clients outside the cluster or nodes (ingress), a server outside
   * the cluster (egress). Whether traffic from or to pods is matched by IP depends on the network
   * plugin: select pods by their labels instead.
   *
   * @param cidr the range in CIDR notation, e.g. "10.0.0.0/8" or "2001:db8::/32"
   * @param excluded ranges inside `cidr` to leave out (`except`)
   * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource
   */
  public static ipBlock(cidr: string, excluded?: string[]): NetworkPeer {
    const where = 'NetworkPeer.ipBlock()';
    if (!isCidr(cidr)) {
      throw fail(where, 'cidr', cidr, 'Must be an IP range in CIDR notation, e.g. "10.0.0.0/8" or "2001:db8::/32"',
        `Write the range with its prefix length, e.g. "${cidr.includes('/') ? '10.0.0.0/8' : `${cidr}/32`}"`);
    }
    (excluded ?? []).forEach((range, i) => {
      if (!isCidr(range) || isIP(range.split('/')[0]) !== isIP(cidr.split('/')[0])) {
        throw fail(where, `excluded[${i}]`, range, `Must be an IP range in CIDR notation of the same family as ${show(cidr)}`,
          'Write the range with its prefix length, e.g. "10.0.1.0/24"');
      }
    });
    return new NetworkPeer({ ipBlock: { cidr, except: excluded && excluded.length > 0 ? [...excluded] : undefined } }, `IP range ${show(cidr)}`);
  }

  /** @internal */
  public readonly _peer: any;
  /** @internal */
  public readonly _description: string;

  private constructor(peer: any, description: string) {
    this._peer = peer;
    this._description = description;
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
