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

/** core/v1 Container, the fields an init container of an engine uses. */
export interface InitContainerJson {
  readonly name: string;
  readonly image: string;
  readonly command: string[];
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

/**
 * States the engine and its version on a preset's StatefulSet (`cdk8s-stateful/engine`,
 * `cdk8s-stateful/engine-version`, see src/private/engine-identity.ts): the upgrade guard reads
 * them to judge a version change, whatever registry the image comes from.
 */
export function stateEngine(statefulSet: ApiObject, engine: EngineKind, tag: string): void {
  for (const [key, value] of Object.entries(engineAnnotations(engine, tag))) statefulSet.metadata.addAnnotation(key, value);
}
