/**
 * Property-based tests: random valid props render manifests the API server accepts, and random
 * invalid props are refused with the library's own error.
 *
 * Generators live in test/util/arbitraries.ts. Each property runs a fixed number of times with a
 * fixed seed, so CI is deterministic and the file stays within seconds; the number of runs is
 * written next to each property (and in docs/contributing.md). More runs locally, or another seed:
 * `FC_NUM_RUNS=2000 FC_SEED=42 npx jest test/properties`.
 */
import { Chart, Size, Testing, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import * as arb from './util/arbitraries';
import { findAll, findOne } from './util/harness';
import { DataStoreConnection } from '../src/connection/data-store-connection';
import { ArgoCdEndpointSync, ExternalService, ExternalServiceProps } from '../src/connection/external-service';
import { claimProblems, podTemplateProblems } from '../src/private/pod-rules';
import { podTemplatesOf, restrictedViolations } from '../src/private/pod-security';
import { quantityToBytes } from '../src/private/quantity';
import { StorageClass, StorageClassProps } from '../src/storage/storage-class';
import { VolumeClaim, VolumeClaimProps } from '../src/storage/volume-claim';
import { WorkloadUpdateStrategy, StatefulWorkload, StatefulWorkloadProps } from '../src/workload/stateful-workload';

const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : 20261129;

/** fast-check parameters: `runs` by default, `FC_NUM_RUNS` when set. */
function params(runs: number): fc.Parameters<unknown> {
  return {
    numRuns: process.env.FC_NUM_RUNS !== undefined ? Number(process.env.FC_NUM_RUNS) : runs,
    seed: SEED,
    // shrinking re-renders the manifests at every step: bounded, so a failure is reported in seconds
    endOnFailure: process.env.FC_SHRINK === undefined,
  };
}

// ---------------------------------------------------------------- what every valid manifest must satisfy

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Synthesizes what `build` creates in a fresh chart (validated against the 1.27 schema by test/util/setup.ts). */
function render(build: (chart: Chart) => void): { manifests: any[]; yaml: string } {
  const chart = new Chart(Testing.app(), 'props', { namespace: 'data' });
  build(chart);
  const manifests = Testing.synth(chart);
  return { manifests, yaml: Yaml.stringify(...manifests) };
}

/** Every value that must not reach a manifest: undefined, null, or a string made of one. */
function badValues(value: unknown, path = ''): string[] {
  if (value === undefined || value === null) return [`${path}: ${String(value)}`];
  if (typeof value === 'number' && !Number.isFinite(value)) return [`${path}: ${value}`];
  if (typeof value === 'string') {
    return /undefined|NaN|\[object Object\]/.test(value) ? [`${path}: ${JSON.stringify(value)}`] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => badValues(v, `${path}[${i}]`));
  if (typeof value === 'object') return Object.entries(value as object).flatMap(([k, v]) => badValues(v, `${path}.${k}`));
  return [];
}

/** Names within the API server's limits; Services' names DNS-1035 labels. */
function nameProblems(manifests: any[]): string[] {
  const problems: string[] = [];
  for (const m of manifests) {
    const name: string = m.metadata?.name ?? '';
    const id = `${m.kind}/${name}`;
    if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) problems.push(`${id}: not a DNS-1123 subdomain`);
    if (m.kind === 'Service' && (name.length > 63 || !DNS1035_LABEL.test(name))) problems.push(`${id}: not a DNS-1035 label`);
    if (m.kind === 'StatefulSet') {
      // the controller's revision hash label and the pod names must fit in 63 characters
      if (name.length > 52) problems.push(`${id}: longer than 52 characters`);
      const lastOrdinal = (m.spec.ordinals?.start ?? 0) + Math.max(m.spec.replicas - 1, 0);
      if (`${name}-${lastOrdinal}`.length > 63) problems.push(`${id}: pod name ${name}-${lastOrdinal} longer than 63 characters`);
      for (const t of m.spec.volumeClaimTemplates ?? []) {
        const claim = `${t.metadata.name}-${name}-${lastOrdinal}`;
        if (claim.length > 253) problems.push(`${id}: claim name ${claim} longer than 253 characters`);
      }
    }
  }
  return problems;
}

/** The checks every rendered manifest passes: pod security, pod and claim rules, names, no undefined. */
function expectSound(manifests: any[]): void {
  const problems: string[] = [...nameProblems(manifests), ...badValues(manifests)];
  for (const m of manifests) {
    for (const template of podTemplatesOf(m)) {
      const claimNames = (m.spec?.volumeClaimTemplates ?? []).map((t: any) => t.metadata.name);
      problems.push(...restrictedViolations(template.spec, `${m.kind}/${m.metadata.name}`, template.metadata));
      problems.push(...podTemplateProblems(template.metadata, template.spec, { extraVolumeNames: claimNames })
        .map(p => `${m.kind}/${m.metadata.name}: ${p.prop}: ${JSON.stringify(p.value)}: ${p.allowed}`));
    }
    for (const t of m.kind === 'StatefulSet' ? m.spec.volumeClaimTemplates ?? [] : m.kind === 'PersistentVolumeClaim' ? [m] : []) {
      problems.push(...claimProblems(t).map(p => `${m.kind}/${m.metadata.name}: claim ${p.prop}: ${JSON.stringify(p.value)}: ${p.allowed}`));
    }
  }
  expect(problems).toEqual([]);
}

/** Renders twice, in fresh apps: the YAML is the same, byte for byte. */
function renderDeterministic(build: (chart: Chart) => void): any[] {
  const first = render(build);
  const second = render(build);
  expect(second.yaml).toEqual(first.yaml);
  return first.manifests;
}

/**
 * Expects the library's own refusal, at construction or at synthesis: an Error (never a
 * TypeError or RangeError) in the library's shape, naming `prop`.
 */
function expectRefused(build: (chart: Chart) => void, prop: string | RegExp): void {
  let error: unknown;
  try {
    render(build);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(Error);
  expect(error).not.toBeInstanceOf(TypeError);
  expect(error).not.toBeInstanceOf(RangeError);
  const message = (error as Error).message;
  expect(message).toMatch(/invalid '[^']+'/);
  const props = [...message.matchAll(/invalid '([^']+)'/g)].map(m => m[1]);
  if (typeof prop === 'string') expect(props).toContain(prop);
  else expect(props.some(p => prop.test(p))).toBe(true);
}

// ---------------------------------------------------------------- StatefulWorkload

describe('StatefulWorkload', () => {
  // 60 runs (about 4 s on two busy cores)
  test('random valid props render a sound, deterministic StatefulSet that keeps every prop', () => {
    fc.assert(fc.property(arb.statefulWorkload(), w => {
      const manifests = renderDeterministic(chart => new StatefulWorkload(chart, 'db', w.props));
      expectSound(manifests);

      // THEN no prop is silently dropped
      const sts = findOne(manifests, 'StatefulSet', w.name);
      expect(sts.spec.replicas).toBe(w.replicas);
      expect(sts.spec.ordinals?.start ?? 0).toBe(w.props.ordinals?.start ?? 0);
      expect(sts.spec.updateStrategy.type).toBe(w.props.strategy!._type);
      const partition = w.props.strategy!._partition;
      if (partition !== undefined) expect(sts.spec.updateStrategy.rollingUpdate.partition).toBe(partition);
      if (w.props.podManagementPolicy) expect(sts.spec.podManagementPolicy).toBe(w.props.podManagementPolicy);
      if (w.props.revisionHistoryLimit !== undefined) expect(sts.spec.revisionHistoryLimit).toBe(w.props.revisionHistoryLimit);
      if (w.props.minReady) expect(sts.spec.minReadySeconds ?? 0).toBe(w.props.minReady.toSeconds());
      const retention = w.props.persistentVolumeClaimRetentionPolicy;
      expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: retention?.whenDeleted ?? 'Retain', whenScaled: retention?.whenScaled ?? 'Retain' });
      const pod = sts.spec.template.spec;
      if (w.props.terminationGracePeriod) expect(pod.terminationGracePeriodSeconds).toBe(w.props.terminationGracePeriod.toSeconds());
      expect(pod.nodeSelector ?? {}).toEqual(w.props.nodeSelector ?? {});
      expect(sts.spec.template.metadata.labels).toMatchObject(w.props.podMetadata?.labels ?? {});
      for (const spread of w.props.topologySpread ?? []) {
        expect(pod.topologySpreadConstraints).toContainEqual(expect.objectContaining({ topologyKey: spread.topology.key, maxSkew: spread.maxSkew }));
      }
      for (const c of w.containers) {
        const rendered = [...pod.initContainers ?? [], ...pod.containers].find((r: any) => r.name === c.name);
        expect(rendered?.image).toBe(c.image);
        expect((rendered.ports ?? []).map((p: any) => [p.name, p.containerPort])).toEqual(c.ports.map(p => [p.name, p.number]));
        // an empty value is left out, as the API server stores it (a string with omitempty)
        expect(Object.fromEntries((rendered.env ?? []).map((e: any) => [e.name, e.value ?? '']))).toMatchObject(c.env);
      }
      expect((sts.spec.volumeClaimTemplates ?? []).map((t: any) => t.metadata.name)).toEqual(w.claimTemplates.map(t => t.name));
      for (const t of w.claimTemplates) {
        const rendered = sts.spec.volumeClaimTemplates.find((r: any) => r.metadata.name === t.name);
        expect(quantityToBytes(rendered.spec.resources.requests.storage)).toBe(t.storage.toKibibytes() * 1024);
        if (t.storageClassName) expect(rendered.spec.storageClassName).toBe(t.storageClassName);
        expect(rendered.spec.accessModes).toEqual(t.accessModes ?? ['ReadWriteOnce']);
        if (t.mountPath) expect(pod.containers[0].volumeMounts).toContainEqual(expect.objectContaining({ name: t.name, mountPath: t.mountPath }));
      }
      const headless = findOne(manifests, 'Service', w.name);
      // false is left out: the API server drops it (a bool with omitempty)
      expect(headless.spec.publishNotReadyAddresses).toBe(w.props.headlessService!.publishNotReadyAddresses ? true : undefined);
    }), params(60));
  });

  /** One valid workload, and the ways of breaking one field of it. */
  const valid = (): StatefulWorkloadProps => ({
    metadata: { name: 'db' },
    replicas: 3,
    containers: [{ name: 'db', image: 'docker.io/library/postgres:16.4', ports: [{ name: 'pg', number: 5432 }], securityContext: { user: 999, group: 999 } }],
    volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), mountPath: '/var/lib/data' }],
  });
  const container = (change: Partial<kplus.ContainerProps>) => ({ containers: [{ ...valid().containers![0], ...change }] });
  const BREAKERS: Array<[string, fc.Arbitrary<[Partial<StatefulWorkloadProps>, string | RegExp]>]> = [
    ['negative or fractional replicas', fc.oneof(fc.integer({ max: -1 }), fc.double({ min: 0.01, max: 100, noNaN: true }).filter(n => !Number.isInteger(n)))
      .map(replicas => [{ replicas }, 'replicas'])],
    ['a negative start ordinal', fc.integer({ max: -1 }).map(start => [{ ordinals: { start } }, 'ordinals.start'])],
    ['a partition above the replicas', fc.tuple(fc.nat(10), fc.integer({ min: 1, max: 10 }))
      .map(([replicas, more]) => [{ replicas, strategy: WorkloadUpdateStrategy.rollingUpdate({ partition: replicas + more }) }, 'strategy.partition'])],
    ['a name that is not a DNS label or longer than 52', fc.oneof(
      fc.string({ minLength: 1, maxLength: 10 }).filter(s => !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s)),
      arb.dnsLabel(63, 53),
    ).map(name => [{ metadata: { name } }, 'metadata.name'])],
    ['a port number out of range', fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 65536 }))
      .map(number => [container({ ports: [{ name: 'pg', number }] }), /port$/])],
    ['a port name that is not an IANA service name', fc.oneof(
      fc.string({ minLength: 16, maxLength: 30, unit: fc.constantFrom('a', 'b', '1') }),
      fc.constantFrom('a--b', '-pg', 'pg-', '1234', 'PG', 'p_g'),
    ).map(name => [container({ ports: [{ name, number: 5432 }] }), /port name$/])],
    ['an empty or malformed image', fc.constantFrom('', ' ', 'Postgres:16', 'postgres:', 'a b', 'postgres@sha256:xyz')
      .map(image => [container({ image }), /image/])],
    ['an env var name the API refuses', fc.constantFrom('1ABC', 'A B', 'A=B', '', 'Ä')
      .map(name => [container({ envVariables: { [name]: kplus.EnvValue.fromValue('x') } }), /env/])],
    ['a claim template size of zero', fc.constantFrom(Size.gibibytes(0), Size.kibibytes(0))
      .map(storage => [{ volumeClaimTemplates: [{ name: 'data', storage, mountPath: '/var/lib/data' }] }, /storage/])],
    ['a claim template name that is not a DNS label', fc.constantFrom('Data', 'da_ta', '-data', 'data-', '')
      .map(name => [{ volumeClaimTemplates: [{ name, storage: Size.gibibytes(1), mountPath: '/var/lib/data' }] }, /name/])],
    ['a claim template class that is not a name', fc.constantFrom('Fast', 'fast_ssd', 'fast ssd', '.fast')
      .map(storageClassName => [{ volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), storageClassName }] }, /storageClassName/])],
    ['a node selector value that is not a label value', fc.constantFrom('has space', 'x'.repeat(64), '-a', 'a/b')
      .map(value => [{ nodeSelector: { disk: value } }, /nodeSelector/])],
    ['a resource request above its limit', fc.tuple(fc.integer({ min: 1, max: 4000 }), fc.integer({ min: 1, max: 4000 }), fc.boolean())
      .map(([limit, more, cpu]) => [container({
        resources: cpu
          ? { cpu: { request: kplus.Cpu.millis(limit + more), limit: kplus.Cpu.millis(limit) } }
          : { memory: { request: Size.mebibytes(limit + more), limit: Size.mebibytes(limit) } },
      }), /resources/])],
    ['a revision history limit below zero', fc.integer({ max: -1 }).map(revisionHistoryLimit => [{ revisionHistoryLimit }, 'revisionHistoryLimit'])],
  ];

  // 25 runs per case (14 cases)
  test.each(BREAKERS)('fails when given %s, with the library\'s error naming the prop', (_name, breaker) => {
    fc.assert(fc.property(breaker, ([change, prop]) => {
      expectRefused(chart => new StatefulWorkload(chart, 'db', { ...valid(), ...change }), prop);
    }), params(25));
  });
});

// ---------------------------------------------------------------- storage

describe('StorageClass', () => {
  // 50 runs
  test('random valid props render a sound, deterministic class that keeps every prop', () => {
    fc.assert(fc.property(arb.storageClassProps(), (props: StorageClassProps) => {
      const manifests = renderDeterministic(chart => new StorageClass(chart, 'class', props));
      expectSound(manifests);
      const sc = findOne(manifests, 'StorageClass');
      expect(sc.metadata.name).toBe(props.metadata!.name);
      expect(sc.provisioner).toBe(props.provisioner);
      expect(sc.parameters ?? {}).toEqual(props.parameters ?? {});
      expect(sc.reclaimPolicy).toBe(props.reclaimPolicy ?? 'Retain');
      if (props.volumeBindingMode) expect(sc.volumeBindingMode).toBe(props.volumeBindingMode);
      expect(sc.allowVolumeExpansion ?? false).toBe(props.allowVolumeExpansion ?? false);
      expect(sc.mountOptions ?? []).toEqual(props.mountOptions ?? []);
    }), params(50));
  });

  // 25 runs
  test('fails when the provisioner or the name is not a name, with the library\'s error naming the prop', () => {
    fc.assert(fc.property(fc.oneof(
      fc.constantFrom('', 'Not A Driver', 'ebs.csi.aws.com/'.repeat(20)).map(provisioner => [{ provisioner }, 'provisioner'] as const),
      fc.constantFrom('Fast', 'fast_ssd', '-fast').map(name => [{ metadata: { name } }, /metadata\.name|name/] as const),
    ), ([change, prop]) => {
      expectRefused(chart => new StorageClass(chart, 'class', { provisioner: 'ebs.csi.aws.com', ...change }), prop);
    }), params(25));
  });
});

describe('PersistentVolumeClaim', () => {
  // 50 runs
  test('random valid props render a sound, deterministic claim that keeps every prop', () => {
    fc.assert(fc.property(arb.persistentVolumeClaimProps(), arb.dnsSubdomain(), (props: VolumeClaimProps, className) => {
      const manifests = renderDeterministic(chart => new VolumeClaim(chart, 'claim', {
        ...props, storageClass: StorageClass.fromStorageClassName(chart, 'class', className),
      }));
      expectSound(manifests);
      const pvc = findOne(manifests, 'PersistentVolumeClaim');
      if (props.metadata?.name) expect(pvc.metadata.name).toBe(props.metadata.name);
      expect(pvc.metadata.labels ?? {}).toMatchObject(props.metadata?.labels ?? {});
      expect(quantityToBytes(pvc.spec.resources.requests.storage)).toBe(props.storage.toKibibytes() * 1024);
      expect(pvc.spec.accessModes).toEqual(props.accessModes ?? ['ReadWriteOnce']);
      expect(pvc.spec.volumeMode).toBe(props.volumeMode ?? 'Filesystem');
      expect(pvc.spec.storageClassName).toBe(className);
      const protectedByArgo = pvc.metadata.annotations?.['argocd.argoproj.io/sync-options'] === 'Prune=false,Delete=false';
      expect(protectedByArgo).toBe(props.argoCdProtection ?? true);
    }), params(50));
  });

  // 25 runs
  test('fails when the size is zero or the access modes are impossible, with the library\'s error naming the prop', () => {
    fc.assert(fc.property(fc.oneof<Array<fc.Arbitrary<[Partial<VolumeClaimProps>, string]>>>(
      fc.constantFrom(Size.gibibytes(0), Size.mebibytes(0)).map(storage => [{ storage }, 'storage']),
      fc.constant([{ accessModes: [] }, 'accessModes']),
      fc.subarray([kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE, kplus.PersistentVolumeAccessMode.READ_WRITE_MANY], { minLength: 1 })
        .map(modes => [{ accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE_POD, ...modes] }, 'accessModes']),
    ), ([change, prop]) => {
      expectRefused(chart => new VolumeClaim(chart, 'claim', { storage: Size.gibibytes(1), ...change }), prop);
    }), params(25));
  });
});

// ---------------------------------------------------------------- external stores and connections

describe('ExternalService', () => {
  // 50 runs
  test('random valid props by DNS name render a sound, deterministic ExternalName Service that keeps every prop', () => {
    fc.assert(fc.property(arb.dns1035Label(40), arb.externalName(), arb.externalPorts(), (name, externalName, ports) => {
      const dnsPorts = ports.map(p => ({ name: p.name, port: p.port }));
      const manifests = renderDeterministic(chart => new ExternalService(chart, 'ext', { metadata: { name }, externalName, ports: dnsPorts }));
      expectSound(manifests);
      const svc = findOne(manifests, 'Service', name);
      expect(svc.spec.type).toBe('ExternalName');
      expect(svc.spec.externalName).toBe(externalName);
      expect(svc.spec.ports.map((p: any) => [p.name, p.port])).toEqual(dnsPorts.map(p => [p.name, p.port]));
    }), params(50));
  });

  // 50 runs
  test('random valid props by IP address render a sound, deterministic Service and EndpointSlice that keep every prop', () => {
    const addressList = fc.uniqueArray(arb.ipv4(), { minLength: 1, maxLength: 3 });
    fc.assert(fc.property(arb.dns1035Label(40), addressList, arb.externalPorts(), (name, addresses, ports) => {
      const props: ExternalServiceProps = { metadata: { name }, addresses, ports, argoCdEndpointSync: ArgoCdEndpointSync.NOT_APPLICABLE };
      const manifests = renderDeterministic(chart => new ExternalService(chart, 'ext', props));
      expectSound(manifests);
      const svc = findOne(manifests, 'Service', name);
      expect(svc.spec.ports.map((p: any) => [p.name, p.port, p.targetPort])).toEqual(ports.map(p => [p.name, p.port, p.targetPort ?? p.port]));
      const slices = findAll(manifests, 'EndpointSlice');
      expect(slices.flatMap(s => s.endpoints.flatMap((e: any) => e.addresses)).sort()).toEqual([...addresses].sort());
      for (const s of slices) expect(s.ports.map((p: any) => [p.name, p.port])).toEqual(ports.map(p => [p.name, p.targetPort ?? p.port]));
    }), params(50));
  });

  // 25 runs
  test('fails when given a bad external name, address or port, with the library\'s error naming the prop', () => {
    const base = { metadata: { name: 'ext' }, ports: [{ name: 'pg', port: 5432 }] };
    fc.assert(fc.property(fc.oneof<Array<fc.Arbitrary<[ExternalServiceProps, string | RegExp]>>>(
      fc.constantFrom('https://db.example.com', 'DB.example.com', 'db..example.com', '2001:db8::1', 'db_example.com')
        .map(externalName => [{ ...base, externalName }, 'externalName']),
      fc.constantFrom('127.0.0.1', '169.254.1.1', '300.1.1.1', 'db.example.com', '10.0.0')
        .map(a => [{ ...base, addresses: [a], argoCdEndpointSync: ArgoCdEndpointSync.NOT_APPLICABLE }, /addresses/]),
      fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 65536 }))
        .map(port => [{ ...base, externalName: 'db.example.com', ports: [{ name: 'pg', port }] }, /ports/]),
    ), ([props, prop]) => {
      expectRefused(chart => new ExternalService(chart, 'ext', props), prop);
    }), params(25));
  });
});

describe('DataStoreConnection', () => {
  // 40 runs
  test('random stores and consumers render a sound, deterministic ConfigMap wired into every consumer', () => {
    fc.assert(fc.property(arb.dns1035Label(30), arb.externalName(), arb.externalPorts(), arb.containers({ max: 2 }), fc.boolean(),
      (name, externalName, ports, consumers, viaWorkload) => {
        const dnsPorts = ports.map(p => ({ name: p.name, port: p.port }));
        const manifests = renderDeterministic(chart => {
          const store = new ExternalService(chart, 'ext', { metadata: { name }, externalName, ports: dnsPorts });
          const app = new kplus.Deployment(chart, 'app', { containers: consumers.map(c => c.props), securityContext: { ensureNonRoot: true } });
          const connection = new DataStoreConnection(chart, 'conn', { store, consumers: viaWorkload ? undefined : app.containers });
          if (viaWorkload) connection.addWorkload(app);
        });
        expectSound(manifests.filter(m => m.kind !== 'Deployment'));
        const prefix = name.toUpperCase().replace(/-/g, '_');
        const cm = findOne(manifests, 'ConfigMap');
        expect(cm.data[`${prefix}_SERVICE_HOST`]).toBe(`${name}.data.svc.cluster.local`);
        expect(cm.data[`${prefix}_SERVICE_PORT`]).toBe(String(dnsPorts[0].port));
        for (const p of dnsPorts) expect(cm.data[`${prefix}_SERVICE_PORT_${p.name!.toUpperCase().replace(/-/g, '_')}`]).toBe(String(p.port));
        for (const c of findOne(manifests, 'Deployment').spec.template.spec.containers) {
          expect(c.envFrom).toContainEqual({ configMapRef: { name: cm.metadata.name } });
        }
      }), params(40));
  });

  // 25 runs
  test('fails when the prefix is not an environment variable name, with the library\'s error naming the prop', () => {
    fc.assert(fc.property(fc.constantFrom('1DB', 'DB.X', 'db x', 'DB$', 'ÄDB'), prefix => {
      expectRefused(chart => new DataStoreConnection(chart, 'conn', {
        store: new ExternalService(chart, 'ext', { externalName: 'db.example.com', ports: [{ port: 5432 }] }), prefix,
      }), 'prefix');
    }), params(25));
  });
});
