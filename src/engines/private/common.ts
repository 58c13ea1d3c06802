/**
 * What the engine modules (redis.ts, cassandra.ts) share: plain Kubernetes JSON shapes for the
 * pieces of a pod they render, prop naming for error messages, stable pod DNS names and memory
 * quantities.
 *
 * The engine modules are pure functions: they take the options of a preset construct and return
 * container parts in core/v1 field names, which the construct puts into the StatefulSet's pod
 * template as they are. They never see a construct.
 */
import type { ApiObject } from 'cdk8s';
import { engineAnnotations } from '../../private/engine-identity';
import type { EngineKind } from '../../private/engine-versions';
import { parseQuantity } from '../../private/quantity';
import {
  checkDns1035Label,
  checkDns1123Label,
  checkDns1123Subdomain,
  checkInteger,
  fail,
} from '../../private/validation';

/** core/v1 EnvVar. */
export interface EnvVarJson {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: {
    readonly secretKeyRef?: { readonly name: string; readonly key: string };
    readonly fieldRef?: { readonly fieldPath: string };
  };
}

/** core/v1 ContainerPort. */
export interface ContainerPortJson {
  readonly name: string;
  readonly containerPort: number;
  readonly protocol: 'TCP';
}

/** core/v1 Probe, with the two handlers the engines use. */
export interface ProbeJson {
  readonly exec?: { readonly command: string[] };
  readonly tcpSocket?: { readonly port: number | string };
  readonly initialDelaySeconds?: number;
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly successThreshold: number;
  readonly failureThreshold: number;
}

/** core/v1 Volume, emptyDir only. */
export interface VolumeJson {
  readonly name: string;
  readonly emptyDir: { readonly medium?: 'Memory'; readonly sizeLimit?: string };
}

/** core/v1 VolumeMount. */
export interface VolumeMountJson {
  readonly name: string;
  readonly mountPath: string;
  readonly readOnly?: boolean;
}

/** core/v1 Container, the fields an engine's helper containers use (init containers, sidecars). */
export interface InitContainerJson {
  readonly name: string;
  readonly image: string;
  readonly command: string[];
  readonly env?: EnvVarJson[];
  readonly volumeMounts: VolumeMountJson[];
}

/**
 * The names under which the construct that calls an engine function knows its options, so an
 * error names the construct's prop (`redis.memoryLimit`, `resources.memory.limit`...) rather than
 * the option. Options without an entry are named by their own key.
 */
export type PropNames<T> = { readonly [K in keyof T]?: string };

/** The prop name of `key` for error messages. */
export function propName<T>(names: PropNames<T>, key: keyof T & string): string {
  return names[key] ?? key;
}

/** Where the StatefulSet's pods are and how they are named. */
export interface StatefulSetIdentity {
  /** The StatefulSet's name (pods are `<name>-<ordinal>`). */
  readonly statefulSetName: string;
  /** The governing headless Service (pod DNS names are `<pod>.<service>...`). */
  readonly serviceName: string;
  /**
   * The namespace: pod DNS names get `.<namespace>.svc.<clusterDomain>`.
   *
   * @default - the short form `<pod>.<service>`, which resolves from pods in the same namespace
   */
  readonly namespace?: string;
  /**
   * The cluster's DNS domain (kubelet `--cluster-domain`), used only with a namespace.
   *
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * The first ordinal (`spec.ordinals.start`).
   *
   * @default 0
   */
  readonly startOrdinal?: number;
}

/**
 * Checks the names that go into DNS names (and from there into start scripts and configuration
 * files, so they must be checked before they are written anywhere).
 *
 * @returns the start ordinal and the cluster domain, defaulted
 */
export function checkIdentity<T extends StatefulSetIdentity>(where: string, options: T, names: PropNames<T>):
{ startOrdinal: number; clusterDomain: string } {
  checkDns1123Label(where, propName(names, 'statefulSetName'), options.statefulSetName, 52,
    ' (the revision hash label `<name>-<10 characters>` the controller adds must fit in 63 characters)');
  checkDns1035Label(where, propName(names, 'serviceName'), options.serviceName);
  if (options.namespace !== undefined) checkDns1123Label(where, propName(names, 'namespace'), options.namespace);
  const clusterDomain = options.clusterDomain ?? 'cluster.local';
  checkDns1123Subdomain(where, propName(names, 'clusterDomain'), clusterDomain);
  const startOrdinal = options.startOrdinal ?? 0;
  checkInteger(where, propName(names, 'startOrdinal'), startOrdinal, 0);
  return { startOrdinal, clusterDomain };
}

/**
 * The stable DNS name of a StatefulSet pod through its headless Service:
 * `<sts>-<ordinal>.<svc>.<ns>.svc.<domain>`, or `<sts>-<ordinal>.<svc>` without a namespace.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#stable-network-id
 */
export function podDnsName(identity: StatefulSetIdentity, ordinal: number): string {
  const pod = `${identity.statefulSetName}-${ordinal}.${identity.serviceName}`;
  return identity.namespace === undefined ? pod : `${pod}.${identity.namespace}.svc.${identity.clusterDomain ?? 'cluster.local'}`;
}

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/**
 * A memory amount in bytes: a Kubernetes quantity (`"512Mi"`, `"1G"`) or a number of bytes.
 * Fails unless it is a positive quantity.
 */
export function memoryBytes(where: string, prop: string, value: string | number): number {
  const bytes = parseQuantity(value);
  if (bytes === undefined || !(bytes > 0)) {
    throw fail(where, prop, value, 'Must be a positive Kubernetes quantity such as "512Mi" or "2Gi", or a number of bytes',
      `Set '${prop}' to the container's memory limit, e.g. "1Gi"`);
  }
  return Math.floor(bytes);
}

/** Bytes for messages: `1Gi`, `768Mi`, `1.5Gi`, or bytes when below 1 MiB. */
export function showBytes(bytes: number): string {
  if (bytes >= GIB && (bytes / GIB) * 10 === Math.round((bytes / GIB) * 10)) return `${bytes / GIB}Gi`;
  if (bytes >= MIB) return Number.isInteger(bytes / MIB) ? `${bytes / MIB}Mi` : `${(bytes / MIB).toFixed(1)}Mi`;
  return `${bytes} bytes`;
}

/** A filesystem path that may be written into a shell script unquoted: absolute, no `..`, safe characters only. */
export function checkPath(where: string, prop: string, value: string): void {
  if (!/^(\/[A-Za-z0-9._-]+)+$/.test(value) || value.split('/').includes('..') || value.length > 80) {
    throw fail(where, prop, value,
      'Must be an absolute path of at most 80 characters made of letters, digits, \'.\', \'_\', \'-\' and \'/\', without \'..\'',
      `Set '${prop}' to a path such as "/data"`);
  }
}

/** The variable that overrides how long `renderNameWait()`'s container waits, in seconds (tests shorten it). */
export const NAME_WAIT_TIMEOUT_VARIABLE = 'NAME_WAIT_TIMEOUT_SECONDS';

/** How long a name wait lasts by default: 5 minutes. */
export const NAME_WAIT_DEFAULT_TIMEOUT_SECONDS = 300;

/** How often a name wait asks the resolver again, in seconds. */
export const NAME_WAIT_INTERVAL_SECONDS = 2;

/** Options of `renderNameWait()`. */
export interface NameWaitOptions {
  /** The init container's name, e.g. `wait-for-seeds`; it starts every log line. */
  readonly containerName: string;
  /**
   * The image that runs the wait: the engine's own, so no other image is pulled. It needs a POSIX
   * `sh`, `getent` (glibc's resolver, as the engine's own lookups use), `date`, `tr` and `sleep`:
   * the official Debian and Ubuntu based images have them.
   */
  readonly image: string;
  /**
   * The environment variable the names are handed in, comma-separated. Name it as the engine's
   * own variable when the engine reads the same list (`CASSANDRA_SEEDS`), so the wait and the
   * engine can never disagree.
   */
  readonly namesVariable: string;
  /** The DNS names to wait for (at least one). */
  readonly names: string[];
  /** What the names are, for the log: `seed`, `primary`. */
  readonly what: string;
  /** What fails without them and what to check, appended to the message when the wait gives up. */
  readonly hint: string;
  /**
   * How long to wait before giving up (exit 1: the kubelet restarts the init container with its
   * back-off, and the pod shows `Init:Error`).
   *
   * @default NAME_WAIT_DEFAULT_TIMEOUT_SECONDS
   */
  readonly timeoutSeconds?: number;
}

/**
 * An init container that holds the pod until a name it needs resolves, for engines that exit at
 * start when a peer's DNS name does not resolve yet (Cassandra's seed provider; a streaming
 * replica's primary). A StatefulSet pod's own record appears in its headless Service's DNS only
 * once the pod has an IP and the endpoints controller has published it, while its containers
 * start at once; the other pods' records exist only while those pods do.
 *
 * Which name it waits for: when the pod's own name (its `HOSTNAME`, which is the first label of
 * its DNS name) is in the list, that one (a seed pod, or the primary itself); otherwise any of
 * them. It asks `getent hosts` (glibc's resolver: /etc/hosts, then the cluster DNS with the pod's
 * search path) every 2 seconds, logs once what it waits for and once what resolved, and gives up
 * after `timeoutSeconds` with exit 1 and a message naming every name it waited for.
 *
 * The names come from `namesVariable` at run time (checked to be DNS names before use: the
 * script never runs anything taken from them), the timeout from `NAME_WAIT_TIMEOUT_SECONDS`.
 *
 * @param where who complains, e.g. `Cassandra 'chart/ring'`
 * @param options the container, the names and the messages
 */
export function renderNameWait(where: string, options: NameWaitOptions): InitContainerJson {
  const label = options.containerName;
  checkDns1123Label(where, 'containerName', label);
  if (options.names.length === 0) {
    throw fail(where, 'names', [], 'Must list at least one DNS name to wait for', 'Pass the peers\' DNS names');
  }
  if (!/^[A-Z_][A-Z0-9_]*$/.test(options.namesVariable)) {
    throw fail(where, 'namesVariable', options.namesVariable, 'Must be an environment variable name: upper-case letters, digits and \'_\'',
      'Use a name such as "CASSANDRA_SEEDS"');
  }
  for (const [prop, text] of [['what', options.what], ['hint', options.hint]]) {
    // written into the script between double quotes: no quote, backslash, $ or backquote
    if (/["\\$`\n]/.test(text)) {
      throw fail(where, prop, text, 'Must not hold quotes, backslashes, \'$\', backquotes or newlines (it is written into a shell script)',
        'Reword the text');
    }
  }
  const timeout = options.timeoutSeconds ?? NAME_WAIT_DEFAULT_TIMEOUT_SECONDS;
  checkInteger(where, 'timeoutSeconds', timeout, 1);
  const v = options.namesVariable;
  const script = [
    'set -u',
    // PID 1 of its container: without a trap, SIGTERM (the pod deleted while it waits) is ignored
    "trap 'exit 143' TERM INT",
    `names=$(printf '%s' "\${${v}:-}" | tr ',' ' ')`,
    `[ -n "$names" ] || { echo "${label}: ${v} is empty: no ${options.what} name to wait for" >&2; exit 1; }`,
    // the pod's name, also when the pod sets setHostnameAsFQDN
    'pod="${HOSTNAME:-}"',
    'pod="${pod%%.*}"',
    "own=''",
    'for name in $names; do',
    '  case "$name" in',
    `    *[!A-Za-z0-9.-]*) echo "${label}: \\"$name\\" in ${v} is not a DNS name" >&2; exit 1 ;;`,
    '  esac',
    '  if [ "${name%%.*}" = "$pod" ]; then own="$name"; fi',
    'done',
    `timeout="\${${NAME_WAIT_TIMEOUT_VARIABLE}:-${timeout}}"`,
    'case "$timeout" in',
    `  ''|*[!0-9]*) echo "${label}: ${NAME_WAIT_TIMEOUT_VARIABLE} \\"$timeout\\" is not a number of seconds" >&2; exit 1 ;;`,
    'esac',
    'if [ -n "$own" ]; then',
    '  wanted="$own"',
    `  echo "${label}: waiting up to \${timeout}s until this pod's own name $own resolves (it is a ${options.what})"`,
    'else',
    '  wanted="$names"',
    `  echo "${label}: waiting up to \${timeout}s until a ${options.what} name resolves: $names"`,
    'fi',
    'start=$(date +%s)',
    'while :; do',
    '  for name in $wanted; do',
    '    if entry=$(getent hosts "$name"); then',
    `      echo "${label}: $name resolves to \${entry%% *}"`,
    '      exit 0',
    '    fi',
    '  done',
    '  if [ $(($(date +%s) - start)) -ge "$timeout" ]; then',
    '    if [ -n "$own" ]; then',
    `      echo "${label}: this pod's own name $own did not resolve within \${timeout}s (the ${options.what} names: $names). ${options.hint}" >&2`,
    '    else',
    `      echo "${label}: no ${options.what} name resolved within \${timeout}s: $names. ${options.hint}" >&2`,
    '    fi',
    '    exit 1',
    '  fi',
    // in the background, so that the trap runs at once
    `  sleep ${NAME_WAIT_INTERVAL_SECONDS} & wait $!`,
    'done',
  ].join('\n') + '\n';
  return {
    name: label,
    image: options.image,
    command: ['sh', '-c', script],
    env: [{ name: v, value: options.names.join(',') }],
    volumeMounts: [],
  };
}

/**
 * States the engine and its version on a preset's StatefulSet (`cdk8s-stateful/engine`,
 * `cdk8s-stateful/engine-version`, see src/private/engine-identity.ts): the upgrade guard reads
 * them to judge a version change, whatever registry the image comes from.
 */
export function stateEngine(statefulSet: ApiObject, engine: EngineKind, tag: string): void {
  for (const [key, value] of Object.entries(engineAnnotations(engine, tag))) statefulSet.metadata.addAnnotation(key, value);
}
