import { Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { buildAlternatives, buildExamples, buildUpgrades } from '../../../examples/main';
import { EphemeralVolume, StaticVolume, VolumeClaim, StaticVolumeSource, StatefulWorkload, StatefulWorkloadProps, UpgradeGuard } from '../../../src';
import { podSpecsOf } from '../../../src/private/pod-security';
import { canonicalQuantity } from '../../../src/private/quantity';
import { serverFormContainer, serverFormManifest, serverFormPodSpec, serverFormVolume } from '../../../src/workload/private/server-form';
import { findOne, renderApp, synthValid } from '../../util/harness';

// ---------------------------------------------------------------- what the library renders

const IMAGE = 'docker.io/library/postgres:16.4';
function workload(overrides: Partial<StatefulWorkloadProps> = {}): { manifests: any[]; sts: any; pod: any } {
  const chart = Testing.chart();
  new StatefulWorkload(chart, 'db', {
    metadata: { name: 'db' },
    containers: [{ name: 'db', image: IMAGE, portNumber: 5432, securityContext: { user: 999, group: 999 } }],
    ...overrides,
  });
  const manifests = synthValid(chart);
  const sts = findOne(manifests, 'StatefulSet');
  return { manifests, sts, pod: sts.spec.template.spec };
}

describe('StatefulWorkload renders what the API server stores', () => {
  test('cdk8s-plus-27 resources: Cpu.units(2) (rendered 2000m) as 2, Size.gibibytes(2) (rendered 2048Mi) as 2Gi', () => {
    const { pod } = workload({
      containers: [{
        name: 'db',
        image: IMAGE,
        securityContext: { user: 999 },
        resources: {
          cpu: { request: kplus.Cpu.millis(1500), limit: kplus.Cpu.units(2) },
          memory: { request: Size.gibibytes(2), limit: Size.mebibytes(2048) },
          ephemeralStorage: { request: Size.gibibytes(1), limit: Size.tebibytes(1) }, // rendered 1024Gi
        },
      }],
    });
    expect(pod.containers[0].resources).toEqual({
      requests: { 'cpu': '1500m', 'memory': '2Gi', 'ephemeral-storage': '1Gi' },
      limits: { 'cpu': '2', 'memory': '2Gi', 'ephemeral-storage': '1Ti' },
    });
  });

  test('the default resources are already canonical', () => {
    const { pod } = workload();
    expect(pod.containers[0].resources).toEqual({ requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '512Mi' } });
  });

  test('a container added after construction is rendered the same way', () => {
    const chart = Testing.chart();
    const w = new StatefulWorkload(chart, 'db', { metadata: { name: 'db' } });
    w.addContainer({ name: 'db', image: IMAGE, securityContext: { user: 999 }, resources: { cpu: { request: kplus.Cpu.units(1) } } });
    expect(findOne(synthValid(chart), 'StatefulSet').spec.template.spec.containers[0].resources.requests.cpu).toBe('1');
  });

  test('container zero values the API server drops are left out', () => {
    const chart = Testing.chart();
    const shared = kplus.Volume.fromEmptyDir(chart, 'shared', 'shared', { sizeLimit: Size.gibibytes(1) });
    const claim = new VolumeClaim(chart, 'files', { metadata: { name: 'files' }, storage: Size.gibibytes(1) });
    const w = new StatefulWorkload(chart, 'db', {
      metadata: { name: 'db' },
      containers: [{
        name: 'db',
        image: IMAGE,
        securityContext: { user: 999 },
        envVariables: { EMPTY: kplus.EnvValue.fromValue(''), SET: kplus.EnvValue.fromValue('x') },
        ports: [{ number: 5432, hostPort: 0 }],
      }],
    });
    w.containers[0].mount('/shared', shared, { readOnly: false });
    w.containers[0].mount('/files', kplus.Volume.fromPersistentVolumeClaim(chart, 'files-rw', claim, { name: 'files-rw', readOnly: false }));
    const pod = findOne(synthValid(chart), 'StatefulSet').spec.template.spec;
    const c = pod.containers[0];
    expect(c.env).toEqual(expect.arrayContaining([{ name: 'EMPTY' }, { name: 'SET', value: 'x' }]));
    expect(c.ports[0]).not.toHaveProperty('hostPort');
    for (const m of c.volumeMounts) expect(m).not.toHaveProperty('readOnly');
    expect(pod.volumes).toEqual(expect.arrayContaining([
      { name: 'shared', emptyDir: { sizeLimit: '1Gi' } }, // cdk8s-plus-27 renders 1024Mi
      { name: 'files-rw', persistentVolumeClaim: { claimName: 'files' } },
    ]));
  });

  test('empty lists and maps the API server drops are left out', () => {
    const { pod, sts } = workload({
      podMetadata: { annotations: {} },
      containers: [{ name: 'db', image: IMAGE, securityContext: { user: 999 }, command: [], args: [] }],
    });
    expect(pod.containers[0]).not.toHaveProperty('command');
    expect(pod.containers[0]).not.toHaveProperty('args');
    expect(sts.spec.template.metadata).not.toHaveProperty('annotations');
  });

  test('a read-only mount stays read-only', () => {
    const chart = Testing.chart();
    const claim = new VolumeClaim(chart, 'files', { metadata: { name: 'files' }, storage: Size.gibibytes(1) });
    const w = new StatefulWorkload(chart, 'db', {
      metadata: { name: 'db' },
      containers: [{ name: 'db', image: IMAGE, securityContext: { user: 999 } }],
    });
    w.containers[0].mount('/files', kplus.Volume.fromPersistentVolumeClaim(chart, 'files-ro', claim, { name: 'files-ro', readOnly: true }), { readOnly: true });
    const pod = findOne(synthValid(chart), 'StatefulSet').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'files-ro', persistentVolumeClaim: { claimName: 'files', readOnly: true } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'files-ro', mountPath: '/files', readOnly: true });
  });

  test('minReady of 0 is left out (an int32 with omitempty); other values are kept', () => {
    expect(workload({ minReady: Duration.seconds(0) }).sts.spec).not.toHaveProperty('minReadySeconds');
    expect(workload({ minReady: Duration.seconds(10) }).sts.spec.minReadySeconds).toBe(10);
  });

  test('explicit zeros of pointer fields and fields without omitempty are kept: the API server stores them', () => {
    const { sts, pod } = workload({ ordinals: { start: 0 }, revisionHistoryLimit: 0 });
    expect(sts.spec.updateStrategy.rollingUpdate.partition).toBe(0); // *int32
    expect(sts.spec.revisionHistoryLimit).toBe(0); // *int32
    expect(sts.spec.ordinals).toEqual({ start: 0 }); // int32 without omitempty
    expect(pod.automountServiceAccountToken).toBe(false); // *bool
    expect(pod.containers[0].securityContext.allowPrivilegeEscalation).toBe(false); // *bool
  });

  test('a standalone claim mounted as a volume has no readOnly: false', () => {
    const chart = Testing.chart();
    const claim = new VolumeClaim(chart, 'files', { metadata: { name: 'files' }, storage: Size.gibibytes(1) });
    const deployment = new kplus.Deployment(chart, 'app', { containers: [{ image: IMAGE }] });
    deployment.containers[0].mount('/data', claim);
    const volumes = findOne(Testing.synth(chart), 'Deployment').spec.template.spec.volumes;
    expect(volumes).toEqual([{ name: 'pvc-files', persistentVolumeClaim: { claimName: 'files' } }]);
  });
});

describe('serverFormManifest (for helpers that post-process cdk8s-plus-27 workloads)', () => {
  test.each<[string, (chart: any) => kplus.AbstractPod]>([
    ['Deployment', chart => new kplus.Deployment(chart, 'w', { containers: [{ image: IMAGE, resources: { cpu: { request: kplus.Cpu.units(1) } } }] })],
    ['Job', chart => new kplus.Job(chart, 'w', { containers: [{ image: IMAGE, resources: { cpu: { request: kplus.Cpu.units(1) } } }] })],
    ['StatefulSet', chart => new kplus.StatefulSet(chart, 'w', { containers: [{ image: IMAGE, portNumber: 5432, resources: { cpu: { request: kplus.Cpu.units(1) } } }] })],
  ])('a cdk8s-plus-27 %s comes out as the API server stores it', (kind, make) => {
    const chart = Testing.chart();
    const claim = new VolumeClaim(chart, 'files', { metadata: { name: 'files' }, storage: Size.gibibytes(1) });
    const pods = make(chart);
    pods.addVolume(kplus.Volume.fromPersistentVolumeClaim(chart, 'files-volume', claim));
    const manifest = findOne(Testing.synth(chart), kind);
    expect(serverFormDifferences(manifest)).not.toEqual([]); // cdk8s-plus-27: hostNetwork: false, 1000m, readOnly: false, ...
    expect(serverFormDifferences(serverFormManifest(manifest))).toEqual([]);
    const pod = podSpecsOf(manifest)[0];
    expect(pod.containers[0].resources.requests.cpu).toBe('1');
    expect(pod.automountServiceAccountToken).toBe(false); // a *bool: kept
  });
});

// ---------------------------------------------------------------- Argo CD calm

/**
 * Where a rendered object differs from what the API server stores after an apply, at the paths
 * the library handles: quantities not in canonical form, zero values of non-pointer `omitempty`
 * fields (which the server drops), and Services without an explicit type.
 */
function serverFormDifferences(m: any): string[] {
  const found: string[] = [];
  const where = `${m.kind} ${m.metadata?.name}`;
  const quantity = (path: string, q: unknown) => {
    const stored = q === undefined ? undefined : canonicalQuantity(q as string);
    if (stored !== q) found.push(`${where} ${path}: ${JSON.stringify(q)} is stored as "${stored}"`);
  };
  const quantities = (path: string, values: any) => {
    for (const [k, v] of Object.entries(values ?? {})) quantity(`${path}.${k}`, v);
  };
  const zero = (path: string, value: unknown, zeroValue: unknown) => {
    if (value === zeroValue) found.push(`${where} ${path}: ${JSON.stringify(value)} is dropped`);
  };
  const claimSpec = (path: string, spec: any) => {
    quantities(`${path}.resources.requests`, spec?.resources?.requests);
    quantities(`${path}.resources.limits`, spec?.resources?.limits);
  };

  if (m.kind === 'Service') {
    if (m.spec?.type === undefined) found.push(`${where} spec.type: not stated (server-side apply cannot move the Service between ExternalName and in-cluster)`);
    zero('spec.publishNotReadyAddresses', m.spec?.publishNotReadyAddresses, false);
  }
  if (m.kind === 'PersistentVolumeClaim') claimSpec('spec', m.spec);
  if (m.kind === 'PersistentVolume') {
    quantities('spec.capacity', m.spec?.capacity);
    // every PersistentVolume source's readOnly is a bool with omitempty
    for (const source of ['csi', 'nfs', 'local', 'hostPath']) zero(`spec.${source}.readOnly`, m.spec?.[source]?.readOnly, false);
  }
  if (['StatefulSet', 'Deployment', 'DaemonSet', 'ReplicaSet'].includes(m.kind)) zero('spec.minReadySeconds', m.spec?.minReadySeconds, 0);
  if (m.kind === 'Deployment') zero('spec.paused', m.spec?.paused, false);
  for (const [i, t] of (m.spec?.volumeClaimTemplates ?? []).entries()) claimSpec(`spec.volumeClaimTemplates[${i}].spec`, t.spec);
  for (const pod of podSpecsOf(m)) {
    // shareProcessNamespace and setHostnameAsFQDN are *bool: false is kept
    for (const key of ['hostNetwork', 'hostPID', 'hostIPC']) zero(`pod ${key}`, pod[key], false);
    for (const v of pod.volumes ?? []) {
      for (const [source, config] of Object.entries<any>(v)) {
        if (config && typeof config === 'object' && source !== 'csi' && source !== 'azureDisk') zero(`volume ${v.name} ${source}.readOnly`, config.readOnly, false);
      }
      quantity(`volume ${v.name} emptyDir.sizeLimit`, v.emptyDir?.sizeLimit);
      claimSpec(`volume ${v.name} ephemeral`, v.ephemeral?.volumeClaimTemplate?.spec);
    }
    for (const c of [...pod.initContainers ?? [], ...pod.containers ?? []]) {
      const at = `container ${c.name}`;
      for (const [key, value] of Object.entries(c)) if (Array.isArray(value) && value.length === 0) found.push(`${where} ${at} ${key}: [] is dropped`);
      quantities(`${at} resources.requests`, c.resources?.requests);
      quantities(`${at} resources.limits`, c.resources?.limits);
      zero(`${at} workingDir`, c.workingDir, '');
      for (const key of ['stdin', 'stdinOnce', 'tty']) zero(`${at} ${key}`, c[key], false);
      for (const e of c.env ?? []) zero(`${at} env ${e.name} value`, e.value, '');
      for (const p of c.ports ?? []) zero(`${at} port ${p.containerPort} hostPort`, p.hostPort, 0);
      for (const vm of c.volumeMounts ?? []) zero(`${at} volumeMount ${vm.name} readOnly`, vm.readOnly, false);
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        for (const key of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
          zero(`${at} ${probe}.${key}`, c[probe]?.[key], 0);
        }
      }
    }
  }
  return found;
}

describe('calm under Argo CD: every example renders what the API server stores', () => {
  const manifests = [...renderApp(buildExamples), ...renderApp(buildAlternatives), ...renderApp(buildUpgrades)];

  test('no non-canonical quantity, no zero value the server drops, every Service states its type', () => {
    expect(manifests.flatMap(serverFormDifferences)).toEqual([]);
  });

  test('the check finds what the examples used to render', () => {
    // what applying the examples to a 1.27 API server and reading them back showed (issue 12)
    const before = [
      { kind: 'Service', metadata: { name: 'web' }, spec: { clusterIP: 'None', publishNotReadyAddresses: false } },
      {
        kind: 'Deployment',
        metadata: { name: 'trouble' },
        spec: {
          minReadySeconds: 0,
          template: {
            spec: {
              hostNetwork: false,
              volumes: [{ name: 'files', persistentVolumeClaim: { claimName: 'files', readOnly: false } }],
              containers: [{ name: 'c', resources: { limits: { cpu: '1000m', memory: '2048Mi' } } }],
            },
          },
        },
      },
    ];
    expect(before.flatMap(serverFormDifferences)).toEqual([
      'Service web spec.type: not stated (server-side apply cannot move the Service between ExternalName and in-cluster)',
      'Service web spec.publishNotReadyAddresses: false is dropped',
      'Deployment trouble spec.minReadySeconds: 0 is dropped',
      'Deployment trouble pod hostNetwork: false is dropped',
      'Deployment trouble volume files persistentVolumeClaim.readOnly: false is dropped',
      'Deployment trouble container c resources.limits.cpu: "1000m" is stored as "1"',
      'Deployment trouble container c resources.limits.memory: "2048Mi" is stored as "2Gi"',
    ]);
  });

  test('upgrading from the previous rendering (1000m, 2048Mi, publishNotReadyAddresses: false, no type) is not a finding of the upgrade guard', () => {
    // what the library rendered before: the examples (applied side by side) with the old forms put back
    const current = renderApp(buildExamples);
    const previous = JSON.parse(JSON.stringify(current)
      .replace(/"cpu":"1"/g, '"cpu":"1000m"')
      .replace(/"memory":"2Gi"/g, '"memory":"2048Mi"')
      .replace(/"clusterIP":"None"/g, '"clusterIP":"None","publishNotReadyAddresses":false'));
    for (const m of previous) if (m.kind === 'Service' && m.spec.clusterIP === 'None') delete m.spec.type;
    expect(JSON.stringify(previous)).not.toEqual(JSON.stringify(current));
    expect(UpgradeGuard.compare(previous, current, { serverSideApply: true })).toEqual([]);
  });

  test('every kind the library renders is among the examples checked', () => {
    const kinds = new Set(manifests.map(m => m.kind));
    for (const kind of ['StatefulSet', 'Service', 'PodDisruptionBudget', 'PersistentVolumeClaim', 'PersistentVolume', 'StorageClass', 'EndpointSlice', 'ConfigMap']) {
      expect(kinds).toContain(kind);
    }
  });
});

describe('storage the library renders is canonical', () => {
  test.each([
    ['csi', StaticVolumeSource.csi('ebs.csi.aws.com', 'vol-1', { readOnly: false })],
    ['nfs', StaticVolumeSource.nfs('nfs.example.com', '/exports/a', { readOnly: false })],
  ])('a %s volume source leaves out readOnly: false (a bool with omitempty)', (kind, source) => {
    const chart = Testing.chart();
    new StaticVolume(chart, 'pv', { metadata: { name: 'pv' }, storage: Size.gibibytes(1), source });
    const pv = findOne(synthValid(chart), 'PersistentVolume');
    expect(pv.spec[kind]).not.toHaveProperty('readOnly');
  });

  test('claims, volumes and ephemeral volumes of any size unit', () => {
    const chart = Testing.chart();
    new VolumeClaim(chart, 'claim', { metadata: { name: 'claim' }, storage: Size.mebibytes(2048) });
    new StaticVolume(chart, 'pv', { metadata: { name: 'pv' }, storage: Size.kibibytes(1024), source: StaticVolumeSource.hostPath('/data') });
    const w = new StatefulWorkload(chart, 'db', {
      metadata: { name: 'db' },
      containers: [{ name: 'db', image: IMAGE, securityContext: { user: 999 } }],
      volumeClaimTemplates: [{ name: 'data', storage: Size.mebibytes(1024 * 300), mountPath: '/data' }],
    });
    w.containers[0].mount('/cache', EphemeralVolume.memory(chart, 'cache', 'cache', { sizeLimit: Size.kibibytes(2048) }));
    w.containers[0].mount('/scratch', EphemeralVolume.generic(chart, 'scratch', 'scratch', { storage: Size.mebibytes(4096) }));
    const manifests = synthValid(chart);
    expect(manifests.flatMap(serverFormDifferences)).toEqual([]);
    expect(findOne(manifests, 'PersistentVolumeClaim').spec.resources.requests.storage).toBe('2Gi');
    expect(findOne(manifests, 'PersistentVolume').spec.capacity.storage).toBe('1Mi');
    expect(findOne(manifests, 'StatefulSet').spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('300Gi');
  });
});

// ---------------------------------------------------------------- the helpers, field by field

describe('serverFormContainer', () => {
  test('drops every non-pointer omitempty zero value and keeps the others', () => {
    const probe = () => ({ exec: { command: ['true'] }, initialDelaySeconds: 0, timeoutSeconds: 0, periodSeconds: 0, successThreshold: 0, failureThreshold: 0 });
    const c = serverFormContainer({
      name: 'c',
      command: [],
      args: ['x'],
      workingDir: '',
      stdin: false,
      stdinOnce: false,
      tty: false,
      env: [{ name: 'A', value: '' }, { name: 'B', value: 'b' }],
      ports: [{ containerPort: 80, hostPort: 0 }, { containerPort: 81, hostPort: 8081 }],
      volumeMounts: [{ name: 'v', mountPath: '/v', readOnly: false, subPath: '' }, { name: 'w', mountPath: '/w', readOnly: true, subPath: 's' }],
      livenessProbe: probe(),
      readinessProbe: probe(),
      startupProbe: probe(),
      resources: { limits: { cpu: '1000m' }, requests: { memory: '2048Mi' } },
    });
    expect(c).toEqual({
      name: 'c',
      args: ['x'],
      env: [{ name: 'A' }, { name: 'B', value: 'b' }],
      ports: [{ containerPort: 80 }, { containerPort: 81, hostPort: 8081 }],
      volumeMounts: [{ name: 'v', mountPath: '/v' }, { name: 'w', mountPath: '/w', readOnly: true, subPath: 's' }],
      livenessProbe: { exec: { command: ['true'] } },
      readinessProbe: { exec: { command: ['true'] } },
      startupProbe: { exec: { command: ['true'] } },
      resources: { limits: { cpu: '1' }, requests: { memory: '2Gi' } },
    });
  });

  test('non-zero values are kept', () => {
    const input = {
      name: 'c',
      workingDir: '/w',
      stdin: true,
      stdinOnce: true,
      tty: true,
      livenessProbe: { initialDelaySeconds: 1, timeoutSeconds: 2, periodSeconds: 3, successThreshold: 1, failureThreshold: 4 },
    };
    expect(serverFormContainer(JSON.parse(JSON.stringify(input)))).toEqual(input);
  });

  test('a container without resources, lists or probes is left as it is', () => {
    expect(serverFormContainer({ name: 'c', image: 'i' })).toEqual({ name: 'c', image: 'i' });
  });
});

describe('serverFormVolume', () => {
  test('readOnly: false is dropped from bool sources and kept in csi and azureDisk (*bool)', () => {
    expect(serverFormVolume({ name: 'a', persistentVolumeClaim: { claimName: 'c', readOnly: false } })).toEqual({ name: 'a', persistentVolumeClaim: { claimName: 'c' } });
    expect(serverFormVolume({ name: 'b', nfs: { server: 's', path: '/', readOnly: true } })).toEqual({ name: 'b', nfs: { server: 's', path: '/', readOnly: true } });
    expect(serverFormVolume({ name: 'c', csi: { driver: 'd', readOnly: false } })).toEqual({ name: 'c', csi: { driver: 'd', readOnly: false } });
    expect(serverFormVolume({ name: 'd', azureDisk: { diskName: 'd', diskURI: 'u', readOnly: false } })).toEqual({ name: 'd', azureDisk: { diskName: 'd', diskURI: 'u', readOnly: false } });
  });

  test('a null source is left alone', () => {
    expect(serverFormVolume({ name: 'a', hostPath: null })).toEqual({ name: 'a', hostPath: null });
  });

  test('emptyDir size and ephemeral claim quantities in canonical form', () => {
    expect(serverFormVolume({ name: 'a', emptyDir: { sizeLimit: '1024Mi' } })).toEqual({ name: 'a', emptyDir: { sizeLimit: '1Gi' } });
    expect(serverFormVolume({
      name: 'e',
      ephemeral: { volumeClaimTemplate: { spec: { resources: { requests: { storage: '2048Mi' }, limits: { storage: '1024Gi' } } } } },
    })).toEqual({
      name: 'e',
      ephemeral: { volumeClaimTemplate: { spec: { resources: { requests: { storage: '2Gi' }, limits: { storage: '1Ti' } } } } },
    });
  });

  test.each([
    [{ name: 'e', ephemeral: {} }],
    [{ name: 'e', ephemeral: { volumeClaimTemplate: {} } }],
    [{ name: 'e', ephemeral: { volumeClaimTemplate: { spec: {} } } }],
  ])('an incomplete ephemeral volume %j is left as it is', (volume) => {
    const copy = JSON.parse(JSON.stringify(volume));
    expect(serverFormVolume(volume)).toEqual(copy);
  });
});

describe('serverFormPodSpec', () => {
  test('host namespaces false are dropped, true kept; containers and volumes are rendered', () => {
    expect(serverFormPodSpec({
      hostNetwork: false,
      hostPID: false,
      hostIPC: false,
      shareProcessNamespace: false,
      initContainers: [{ name: 'i', tty: false }],
      containers: [{ name: 'c', stdin: false }],
      volumes: [{ name: 'v', emptyDir: { sizeLimit: '1024Mi' } }],
    })).toEqual({
      shareProcessNamespace: false,
      initContainers: [{ name: 'i' }],
      containers: [{ name: 'c' }],
      volumes: [{ name: 'v', emptyDir: { sizeLimit: '1Gi' } }],
    });
    expect(serverFormPodSpec({ hostNetwork: true, hostPID: true, hostIPC: true })).toEqual({ hostNetwork: true, hostPID: true, hostIPC: true });
    expect(serverFormPodSpec({ containers: [{ name: 'c', tty: false }] })).toEqual({ containers: [{ name: 'c' }] });
  });
});

describe('serverFormManifest, kind by kind', () => {
  test.each(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'])('%s: minReadySeconds 0 is dropped, 5 kept', (kind) => {
    expect(serverFormManifest({ kind, spec: { minReadySeconds: 0 } })).toEqual({ kind, spec: {} });
    expect(serverFormManifest({ kind, spec: { minReadySeconds: 5 } })).toEqual({ kind, spec: { minReadySeconds: 5 } });
  });

  test('other kinds keep their spec as it is', () => {
    expect(serverFormManifest({ kind: 'Job', spec: { minReadySeconds: 0, paused: false } })).toEqual({ kind: 'Job', spec: { minReadySeconds: 0, paused: false } });
    expect(serverFormManifest({ kind: 'StatefulSet', spec: { paused: false } })).toEqual({ kind: 'StatefulSet', spec: { paused: false } });
  });

  test('Deployment: paused false is dropped, true kept', () => {
    expect(serverFormManifest({ kind: 'Deployment', spec: { paused: false } })).toEqual({ kind: 'Deployment', spec: {} });
    expect(serverFormManifest({ kind: 'Deployment', spec: { paused: true } })).toEqual({ kind: 'Deployment', spec: { paused: true } });
  });

  test.each(['Deployment', 'StatefulSet', 'ConfigMap'])('%s without a spec is left as it is', (kind) => {
    expect(serverFormManifest({ kind, metadata: { name: 'x' } })).toEqual({ kind, metadata: { name: 'x' } });
  });

  test('the pod template is rendered', () => {
    expect(serverFormManifest({ kind: 'Job', spec: { template: { spec: { hostNetwork: false, containers: [{ name: 'c', workingDir: '' }] } } } }))
      .toEqual({ kind: 'Job', spec: { template: { spec: { containers: [{ name: 'c' }] } } } });
  });
});
