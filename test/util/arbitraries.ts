/**
 * fast-check generators for the property-based tests (test/properties.test.ts), in one place so
 * that tests of new constructs reuse them.
 *
 * Every generator here produces VALID input, as the Kubernetes API and this library define it
 * (limits from apimachinery's validation and FACTS.md); the invalid cases are built in the tests
 * by breaking one field of a valid value at a time. Names are unique where Kubernetes requires it
 * (containers, ports, claim templates, env vars of one container).
 */
import { ApiObjectMetadata, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { ExternalServicePort } from '../../src/connection/external-service';
import { StorageClassProps, VolumeBindingMode } from '../../src/storage/storage-class';
import { VolumeClaimProps } from '../../src/storage/volume-claim';
import {
  DisruptionBudget,
  PersistentVolumeClaimRetention,
  PersistentVolumeClaimRetentionPolicy,
  WorkloadUpdateStrategy,
  StatefulWorkloadProps,
  TopologySpread,
  UnsatisfiableSpread,
} from '../../src/workload/stateful-workload';
import { VolumeClaimTemplateOptions } from '../../src/workload/volume-claim-template';

// ---------------------------------------------------------------- characters

const LOWER = 'abcdefghijklmnopqrstuvwxyz'.split('');
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
const DIGIT = '0123456789'.split('');
const lower = fc.constantFrom(...LOWER);
const lowerOrDigit = fc.constantFrom(...LOWER, ...DIGIT);
const lowerDigitDash = fc.constantFrom(...LOWER, ...DIGIT, '-');
const alnum = fc.constantFrom(...LOWER, ...UPPER, ...DIGIT);
const labelChar = fc.constantFrom(...LOWER, ...UPPER, ...DIGIT, '-', '_', '.');

/** `first + middle + last` with `middle` of at most `max - 2` characters, or `first` alone. */
function framed(first: fc.Arbitrary<string>, middle: fc.Arbitrary<string>, last: fc.Arbitrary<string>, max: number): fc.Arbitrary<string> {
  return fc.oneof(
    first,
    fc.tuple(first, fc.string({ unit: middle, maxLength: max - 2 }), last).map(([a, m, b]) => a + m + b),
  );
}

// ---------------------------------------------------------------- names

/**
 * An RFC 1123 label (namespaces, object names, volume names) of at most `max` characters (and at
 * least `min`: build long names directly, never by filtering, which fast-check retries forever).
 */
export function dnsLabel(max = 63, min = 1): fc.Arbitrary<string> {
  if (min > 2) {
    return fc.tuple(lowerOrDigit, fc.string({ unit: lowerDigitDash, minLength: min - 2, maxLength: max - 2 }), lowerOrDigit)
      .map(([a, m, b]) => a + m + b);
  }
  return framed(lowerOrDigit, lowerDigitDash, lowerOrDigit, max);
}

/** An RFC 1035 label (Service names): starts with a letter. */
export function dns1035Label(max = 63): fc.Arbitrary<string> {
  return framed(lower, lowerDigitDash, lowerOrDigit, max);
}

/** An RFC 1123 subdomain: one to four labels joined by dots (well under 253 characters). */
export function dnsSubdomain(): fc.Arbitrary<string> {
  return fc.array(dnsLabel(20), { minLength: 1, maxLength: 4 }).map(parts => parts.join('.'));
}

/** A label value: empty, or at most 63 letters, digits, '-', '_', '.', alphanumeric at both ends. */
export function labelValue(): fc.Arbitrary<string> {
  return fc.oneof(fc.constant(''), framed(alnum, labelChar, alnum, 63));
}

/** A label key: an optional DNS subdomain prefix and '/', then a name part. */
export function labelKey(): fc.Arbitrary<string> {
  return fc.tuple(fc.option(dnsSubdomain(), { nil: undefined }), framed(alnum, labelChar, alnum, 63))
    .map(([prefix, name]) => (prefix ? `${prefix}/${name}` : name))
    // kubernetes.io/ and k8s.io/ prefixes are reserved for the system
    .filter(k => !/(^|\.)(kubernetes|k8s)\.io\//.test(k));
}

/** Labels, avoiding the keys the library sets itself (app.kubernetes.io/...). */
export function labels(maxKeys = 3): fc.Arbitrary<{ [key: string]: string }> {
  return fc.dictionary(labelKey().filter(k => !k.startsWith('app.kubernetes.io/')), labelValue(), { maxKeys, noNullPrototype: true });
}

/** An IANA service name (port names): at most 15 characters, at least one letter, no '--'. */
export function portName(): fc.Arbitrary<string> {
  return framed(lowerOrDigit, lowerDigitDash, lowerOrDigit, 15)
    .filter(n => /[a-z]/.test(n) && !n.includes('--'));
}

/** A TCP/UDP port number. */
export function portNumber(): fc.Arbitrary<number> {
  return fc.integer({ min: 1, max: 65535 });
}

/** A C identifier, the portable environment variable name. */
export function envVarName(): fc.Arbitrary<string> {
  return framed(fc.constantFrom(...UPPER, ...LOWER, '_'), fc.constantFrom(...UPPER, ...LOWER, ...DIGIT, '_'), fc.constantFrom(...UPPER, ...DIGIT, '_'), 30);
}

/** An image reference: `[registry[:port]/]path[:tag|@sha256:digest]`, always pinned. */
export function image(): fc.Arbitrary<string> {
  const component = framed(lowerOrDigit, fc.constantFrom(...LOWER, ...DIGIT, '-', '.', '_'), lowerOrDigit, 12)
    .filter(c => /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/.test(c));
  const registry = fc.option(fc.tuple(fc.constantFrom('docker.io', 'registry.example.com', 'ghcr.io', 'localhost'), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }))
    .map(([host, port]) => (port ? `${host}:${port}` : host)), { nil: undefined });
  const tag = framed(fc.constantFrom(...LOWER, ...DIGIT), fc.constantFrom(...LOWER, ...DIGIT, '.', '-'), fc.constantFrom(...LOWER, ...DIGIT), 20)
    .filter(t => t !== 'latest');
  const digest = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'.split('')), minLength: 64, maxLength: 64 });
  return fc.tuple(registry, fc.array(component, { minLength: 1, maxLength: 3 }), fc.oneof(tag.map(t => `:${t}`), digest.map(d => `@sha256:${d}`)))
    .map(([r, path, ref]) => `${r ? `${r}/` : ''}${path.join('/')}${ref}`);
}

/** A size: whole KiB, MiB or GiB, larger than zero. */
export function size(): fc.Arbitrary<Size> {
  return fc.oneof(
    fc.integer({ min: 1, max: 1024 * 1024 }).map(n => Size.kibibytes(n)),
    fc.integer({ min: 1, max: 1024 * 64 }).map(n => Size.mebibytes(n)),
    fc.integer({ min: 1, max: 1024 * 16 }).map(n => Size.gibibytes(n)),
  );
}

/** A user or group id other than root. */
export function nonRootId(): fc.Arbitrary<number> {
  return fc.integer({ min: 1, max: 65534 });
}

/** Metadata with the given name and maybe labels. */
export function metadata(name: fc.Arbitrary<string>): fc.Arbitrary<ApiObjectMetadata> {
  return fc.record({ name, labels: labels() }, { requiredKeys: ['name'] });
}

// ---------------------------------------------------------------- containers

/** What a generated container holds, to check the rendered manifest against. */
export interface GeneratedContainer {
  readonly props: kplus.ContainerProps;
  readonly name: string;
  readonly image: string;
  readonly ports: Array<{ name: string; number: number }>;
  readonly env: { [name: string]: string };
}

/**
 * Containers for one pod: unique container names, ports unique across the pod (numbers and
 * names), unique env var names, a non-root user, and requests within limits.
 */
export function containers(options: { min?: number; max?: number } = {}): fc.Arbitrary<GeneratedContainer[]> {
  const one = fc.record({
    name: dnsLabel(20),
    image: image(),
    ports: fc.uniqueArray(fc.record({ name: portName(), number: portNumber() }), { maxLength: 3, selector: p => p.name }),
    env: fc.dictionary(envVarName(), fc.string({ maxLength: 20 }), { maxKeys: 3, noNullPrototype: true }),
    user: nonRootId(),
    group: nonRootId(),
    cpu: fc.option(fc.tuple(fc.integer({ min: 1, max: 4000 }), fc.integer({ min: 0, max: 4000 })), { nil: undefined }),
    memory: fc.option(fc.tuple(fc.integer({ min: 1, max: 8192 }), fc.integer({ min: 0, max: 8192 })), { nil: undefined }),
  });
  return fc.uniqueArray(one, { minLength: options.min ?? 1, maxLength: options.max ?? 2, selector: c => c.name })
    // ports must be unique across the pod, by number and by name
    .filter(cs => {
      const ps = cs.flatMap(c => c.ports);
      return new Set(ps.map(p => p.number)).size === ps.length && new Set(ps.map(p => p.name)).size === ps.length;
    })
    .map(cs => cs.map(c => ({
      name: c.name,
      image: c.image,
      ports: c.ports,
      env: c.env,
      props: {
        name: c.name,
        image: c.image,
        ports: c.ports.map(p => ({ name: p.name, number: p.number })),
        envVariables: Object.fromEntries(Object.entries(c.env).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
        securityContext: { user: c.user, group: c.group },
        resources: {
          cpu: c.cpu && { request: kplus.Cpu.millis(c.cpu[0]), limit: kplus.Cpu.millis(c.cpu[0] + c.cpu[1]) },
          memory: c.memory && { request: Size.mebibytes(c.memory[0]), limit: Size.mebibytes(c.memory[0] + c.memory[1]) },
        },
      },
    })));
}

// ---------------------------------------------------------------- storage

const ACCESS_MODES = [
  kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE,
  kplus.PersistentVolumeAccessMode.READ_ONLY_MANY,
  kplus.PersistentVolumeAccessMode.READ_WRITE_MANY,
];

/** Access modes: a non-empty set of the classic modes, or ReadWriteOncePod alone. */
export function accessModes(): fc.Arbitrary<kplus.PersistentVolumeAccessMode[]> {
  return fc.oneof(
    fc.subarray(ACCESS_MODES, { minLength: 1 }),
    fc.constant<kplus.PersistentVolumeAccessMode[]>([kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE_POD]),
  );
}

/** Claim template options with unique names, each mounted at `/var/lib/<name>`. */
export function claimTemplates(maxLength = 2): fc.Arbitrary<VolumeClaimTemplateOptions[]> {
  const one = fc.record({
    name: dnsLabel(20).filter(n => n !== 'tmp'),
    storage: size(),
    storageClassName: fc.option(dnsSubdomain(), { nil: undefined }),
    accessModes: fc.option(accessModes(), { nil: undefined }),
    mounted: fc.boolean(),
    labels: fc.option(labels(2), { nil: undefined }),
  });
  return fc.uniqueArray(one, { maxLength, selector: t => t.name }).map(ts => ts.map(t => ({
    name: t.name,
    storage: t.storage,
    storageClassName: t.storageClassName,
    accessModes: t.accessModes,
    mountPath: t.mounted ? `/var/lib/${t.name}` : undefined,
    labels: t.labels,
  })));
}

/** StorageClass props (the provisioner a CSI driver name or no-provisioner). */
export function storageClassProps(): fc.Arbitrary<StorageClassProps> {
  return fc.record({
    metadata: fc.record({ name: dnsSubdomain() }),
    provisioner: fc.oneof(dnsSubdomain(), fc.constant('kubernetes.io/no-provisioner')),
    parameters: fc.dictionary(dnsLabel(20), fc.string({ unit: alnum, maxLength: 20 }), { maxKeys: 3, noNullPrototype: true }),
    reclaimPolicy: fc.constantFrom(kplus.PersistentVolumeReclaimPolicy.RETAIN, kplus.PersistentVolumeReclaimPolicy.DELETE),
    volumeBindingMode: fc.constantFrom(VolumeBindingMode.IMMEDIATE, VolumeBindingMode.WAIT_FOR_FIRST_CONSUMER),
    allowVolumeExpansion: fc.boolean(),
    mountOptions: fc.uniqueArray(fc.constantFrom('noatime', 'nodiratime', 'ro', 'debug', 'nfsvers=4.1'), { maxLength: 3 }),
  }, { requiredKeys: ['provisioner', 'metadata'] })
    // a class without a provisioner has no driver that could grow volumes (refused by the library)
    .map(p => (p.provisioner === 'kubernetes.io/no-provisioner' ? { ...p, allowVolumeExpansion: false } : p));
}

/** Standalone PersistentVolumeClaim props (no static volume, class by name). */
export function persistentVolumeClaimProps(): fc.Arbitrary<VolumeClaimProps> {
  return fc.record({
    metadata: fc.record({ name: dnsSubdomain(), labels: labels() }, { requiredKeys: ['name'] }),
    storage: size(),
    accessModes: accessModes(),
    volumeMode: fc.constantFrom(kplus.PersistentVolumeMode.FILE_SYSTEM, kplus.PersistentVolumeMode.BLOCK),
    argoCdProtection: fc.boolean(),
  }, { requiredKeys: ['storage'] });
}

// ---------------------------------------------------------------- StatefulWorkload

/** What a generated workload was given, to check the rendered manifest against. */
export interface GeneratedWorkload {
  readonly props: StatefulWorkloadProps;
  readonly name: string;
  readonly replicas: number;
  readonly containers: GeneratedContainer[];
  readonly claimTemplates: VolumeClaimTemplateOptions[];
}

function percentOrAbsolute(min: number, max: number): fc.Arbitrary<kplus.PercentOrAbsolute> {
  return fc.oneof(
    fc.integer({ min, max }).map(n => kplus.PercentOrAbsolute.absolute(n)),
    fc.integer({ min: Math.max(min, 1), max: 100 }).map(n => kplus.PercentOrAbsolute.percent(n)),
  );
}

function topologySpread(): fc.Arbitrary<TopologySpread[]> {
  return fc.uniqueArray(fc.record({
    topology: fc.constantFrom(kplus.Topology.HOSTNAME, kplus.Topology.ZONE, kplus.Topology.REGION),
    maxSkew: fc.integer({ min: 1, max: 5 }),
    whenUnsatisfiable: fc.constantFrom(UnsatisfiableSpread.DO_NOT_SCHEDULE, UnsatisfiableSpread.SCHEDULE_ANYWAY),
  }), { maxLength: 2, selector: t => t.topology.key });
}

function retention(): fc.Arbitrary<PersistentVolumeClaimRetentionPolicy> {
  const r = fc.constantFrom(PersistentVolumeClaimRetention.RETAIN, PersistentVolumeClaimRetention.DELETE);
  return fc.record({ whenDeleted: r, whenScaled: r }, { requiredKeys: [] });
}

/**
 * StatefulWorkload props: replicas 0 to 5, a start ordinal, a partition within the replicas,
 * rolling or OnDelete updates, any kind of disruption budget, spread, retention, claim templates,
 * one or two containers and maybe an init container.
 */
export function statefulWorkload(): fc.Arbitrary<GeneratedWorkload> {
  return fc.record({
    name: dns1035Label(52),
    replicas: fc.integer({ min: 0, max: 5 }),
    start: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
    strategy: fc.oneof(
      fc.record({ kind: fc.constant('rolling' as const), partition: fc.option(fc.nat(5), { nil: undefined }) }),
      fc.record({ kind: fc.constant('onDelete' as const) }),
    ),
    budget: fc.option(fc.oneof(
      percentOrAbsolute(1, 3).map(v => DisruptionBudget.maxUnavailable(v)),
      percentOrAbsolute(0, 2).map(v => DisruptionBudget.minAvailable(v)),
      fc.constant(DisruptionBudget.none()),
    ), { nil: undefined }),
    policy: fc.option(fc.constantFrom(kplus.PodManagementPolicy.ORDERED_READY, kplus.PodManagementPolicy.PARALLEL), { nil: undefined }),
    minReady: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
    grace: fc.option(fc.integer({ min: 1, max: 3600 }), { nil: undefined }),
    revisionHistoryLimit: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
    spread: fc.option(topologySpread(), { nil: undefined }),
    retention: fc.option(retention(), { nil: undefined }),
    nodeSelector: fc.option(labels(2), { nil: undefined }),
    podLabels: fc.option(labels(2), { nil: undefined }),
    publishNotReadyAddresses: fc.boolean(),
    containers: containers(),
    init: containers({ min: 0, max: 1 }),
    claimTemplates: claimTemplates(),
  })
    // ports and container names are unique across init containers and containers
    .filter(w => {
      const all = [...w.init, ...w.containers];
      const ports = all.flatMap(c => c.ports);
      return new Set(all.map(c => c.name)).size === all.length
        && new Set(ports.map(p => p.name)).size === ports.length && new Set(ports.map(p => p.number)).size === ports.length;
    })
    .map(w => {
      const partition = w.strategy.kind === 'rolling' && w.strategy.partition !== undefined ? Math.min(w.strategy.partition, w.replicas) : undefined;
      const props: StatefulWorkloadProps = {
        metadata: { name: w.name, labels: w.podLabels },
        replicas: w.replicas,
        ordinals: w.start === undefined ? undefined : { start: w.start },
        strategy: w.strategy.kind === 'rolling'
          ? WorkloadUpdateStrategy.rollingUpdate({ partition })
          : WorkloadUpdateStrategy.onDelete(),
        disruptionBudget: w.budget,
        podManagementPolicy: w.policy,
        minReady: w.minReady === undefined ? undefined : Duration.seconds(w.minReady),
        terminationGracePeriod: w.grace === undefined ? undefined : Duration.seconds(w.grace),
        revisionHistoryLimit: w.revisionHistoryLimit,
        topologySpread: w.spread,
        persistentVolumeClaimRetentionPolicy: w.retention,
        nodeSelector: w.nodeSelector,
        podMetadata: w.podLabels && { labels: w.podLabels },
        headlessService: { publishNotReadyAddresses: w.publishNotReadyAddresses },
        containers: w.containers.map(c => c.props),
        initContainers: w.init.map(c => c.props),
        volumeClaimTemplates: w.claimTemplates,
        // declared whenever more than one container exposes ports (never guessed)
        clientPorts: w.containers.filter(c => c.ports.length > 0).length > 1
          ? [{ port: w.containers.find(c => c.ports.length > 0)!.ports[0].number }]
          : undefined,
      };
      return { props, name: w.name, replicas: w.replicas, containers: w.containers, claimTemplates: w.claimTemplates };
    });
}

// ---------------------------------------------------------------- external stores and connections

/** Service ports of an external store: unique names and numbers (names required with several). */
export function externalPorts(): fc.Arbitrary<ExternalServicePort[]> {
  return fc.uniqueArray(fc.record({ name: portName(), port: portNumber(), targetPort: fc.option(portNumber(), { nil: undefined }) }, { requiredKeys: ['name', 'port'] }),
    { minLength: 1, maxLength: 3, selector: p => p.name })
    .filter(ps => new Set(ps.map(p => p.port)).size === ps.length);
}

/** A DNS name outside the cluster, as ExternalName takes it: at least two labels, a letter in the last. */
export function externalName(): fc.Arbitrary<string> {
  return fc.tuple(fc.array(dnsLabel(20), { minLength: 1, maxLength: 3 }), fc.constantFrom('com', 'net', 'example', 'internal'))
    .map(([labelsOf, tld]) => [...labelsOf, tld].join('.'));
}

/** A routable IPv4 address (no loopback, link-local, multicast or reserved range). */
export function ipv4(): fc.Arbitrary<string> {
  return fc.tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 }))
    .filter(([a, b]) => a !== 127 && a !== 0 && !(a === 169 && b === 254))
    .map(parts => parts.join('.'));
}
