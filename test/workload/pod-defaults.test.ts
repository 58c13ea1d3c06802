import { ApiObject, Chart, Cron, JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { PodDefaults, PodDefaultsOptions } from '../../src';
import { podSpecsOf, restrictedViolations } from '../../src/private/pod-security';
import { findOne, synthValid } from '../util/harness';

const IMAGE = 'docker.io/library/busybox:1.36';
const USER = { user: 1000, group: 1000 };

function deployment(chart: Chart, props: Partial<kplus.DeploymentProps> = {}): kplus.Deployment {
  return new kplus.Deployment(chart, 'app', {
    metadata: { name: 'app' },
    containers: [{ name: 'main', image: IMAGE, securityContext: USER }],
    ...props,
  });
}

function podSpec(manifests: any[], kind = 'Deployment'): any {
  return podSpecsOf(findOne(manifests, kind))[0];
}

function container(spec: any, name = 'main'): any {
  return [...spec.initContainers ?? [], ...spec.containers].find((c: any) => c.name === name);
}

describe('PodDefaults.harden', () => {
  test('defaults', () => {
    // GIVEN
    const chart = Testing.chart();
    const app = deployment(chart);
    // WHEN
    PodDefaults.harden(app);
    // THEN
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    expect(restrictedViolations(podSpec(manifests))).toEqual([]);
  });

  test('all props', () => {
    // GIVEN
    const chart = Testing.chart();
    const app = deployment(chart);
    // WHEN
    PodDefaults.harden(app, {
      cpuRequest: kplus.Cpu.millis(100),
      cpuLimit: kplus.Cpu.units(2),
      memoryRequest: Size.mebibytes(128),
      memoryLimit: Size.gibibytes(1),
      fsGroup: 2000,
      fsGroupChangePolicy: kplus.FsGroupChangePolicy.ALWAYS,
      readOnlyRootFilesystem: false,
      writableTmp: false,
      imagePullPolicy: kplus.ImagePullPolicy.NEVER,
      automountServiceAccountToken: true,
    });
    // THEN
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    expect(restrictedViolations(podSpec(manifests))).toEqual([]);
  });

  test('the restricted profile: seccomp RuntimeDefault, runAsNonRoot, no escalation, every capability dropped', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    PodDefaults.harden(deployment(chart));
    // THEN
    const spec = podSpec(synthValid(chart));
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container(spec).securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
    });
  });

  test('the library defaults: resources, fsGroup, /tmp, pull policy, no token', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    PodDefaults.harden(deployment(chart));
    // THEN
    const spec = podSpec(synthValid(chart));
    expect(container(spec).resources).toEqual({ limits: { memory: '512Mi' }, requests: { cpu: '250m', memory: '512Mi' } });
    expect(container(spec).imagePullPolicy).toBe('IfNotPresent');
    expect(container(spec).volumeMounts).toEqual([{ mountPath: '/tmp', name: 'tmp' }]);
    expect(spec.volumes).toEqual([{ emptyDir: {}, name: 'tmp' }]);
    expect(spec.securityContext).toMatchObject({ fsGroup: 1000, fsGroupChangePolicy: 'OnRootMismatch' });
    expect(spec.automountServiceAccountToken).toBe(false);
  });

  test.each<[string, PodDefaultsOptions, (spec: any) => unknown, unknown]>([
    ['cpuRequest', { cpuRequest: kplus.Cpu.millis(100) }, s => container(s).resources.requests.cpu, '100m'],
    ['cpuLimit', { cpuLimit: kplus.Cpu.units(1) }, s => container(s).resources.limits.cpu, '1'],
    ['cpuLimit below the default request lowers the request', { cpuLimit: kplus.Cpu.millis(100) }, s => container(s).resources.requests.cpu, '100m'],
    ['memoryRequest', { memoryRequest: Size.mebibytes(256) }, s => container(s).resources.requests.memory, '256Mi'],
    ['memoryLimit', { memoryLimit: Size.gibibytes(2) }, s => container(s).resources, { limits: { memory: '2Gi' }, requests: { cpu: '250m', memory: '512Mi' } }],
    ['memoryLimit below the default request lowers the request', { memoryLimit: Size.mebibytes(256) }, s => container(s).resources.requests.memory, '256Mi'],
    ['fsGroup', { fsGroup: 3000 }, s => s.securityContext.fsGroup, 3000],
    ['fsGroupChangePolicy', { fsGroupChangePolicy: kplus.FsGroupChangePolicy.ALWAYS }, s => s.securityContext.fsGroupChangePolicy, 'Always'],
    ['readOnlyRootFilesystem', { readOnlyRootFilesystem: false }, s => container(s).securityContext.readOnlyRootFilesystem, false],
    ['writableTmp', { writableTmp: false }, s => [s.volumes, container(s).volumeMounts], [undefined, undefined]],
    ['imagePullPolicy', { imagePullPolicy: kplus.ImagePullPolicy.ALWAYS }, s => container(s).imagePullPolicy, 'Always'],
    ['automountServiceAccountToken', { automountServiceAccountToken: true }, s => s.automountServiceAccountToken, true],
  ])('option %s', (_name, options, read, expected) => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    PodDefaults.harden(deployment(chart), options);
    // THEN
    const spec = podSpec(synthValid(chart));
    expect(read(spec)).toEqual(expected);
    expect(restrictedViolations(spec)).toEqual([]);
  });

  test.each<[string, (chart: Chart) => kplus.AbstractPod]>([
    ['Deployment', chart => new kplus.Deployment(chart, 'w', { containers: [{ image: IMAGE, securityContext: USER }] })],
    ['Job', chart => new kplus.Job(chart, 'w', { containers: [{ image: IMAGE, securityContext: USER }] })],
    ['StatefulSet', chart => new kplus.StatefulSet(chart, 'w', {
      containers: [{ image: IMAGE, securityContext: USER }],
      service: new kplus.Service(chart, 'svc', { clusterIP: 'None', ports: [{ port: 80 }] }),
    })],
    ['DaemonSet', chart => new kplus.DaemonSet(chart, 'w', { containers: [{ image: IMAGE, securityContext: USER }] })],
    ['CronJob', chart => new kplus.CronJob(chart, 'w', { schedule: Cron.daily(), containers: [{ image: IMAGE, securityContext: USER }] })],
    ['Pod', chart => new kplus.Pod(chart, 'w', { containers: [{ image: IMAGE, securityContext: USER }] })],
  ])('a hardened %s meets the restricted profile', (kind, build) => {
    // GIVEN
    const chart = Testing.chart();
    const workload = build(chart);
    // the unhardened workload does not
    const before = podSpecsOf(findOne(Testing.synth(chart), kind))[0];
    expect(restrictedViolations(before)).not.toEqual([]);
    // WHEN
    PodDefaults.harden(workload);
    // THEN
    const spec = podSpecsOf(findOne(synthValid(chart), kind))[0];
    expect(restrictedViolations(spec)).toEqual([]);
    expect(container(spec).imagePullPolicy).toBe('IfNotPresent');
    expect(container(spec).resources.requests).toEqual({ cpu: '250m', memory: '512Mi' });
  });

  test('containers, init containers and volumes added after hardening are covered', () => {
    // GIVEN
    const chart = Testing.chart();
    const app = deployment(chart);
    PodDefaults.harden(app);
    // WHEN
    app.addInitContainer({ name: 'init', image: IMAGE, securityContext: USER });
    app.addContainer({ name: 'sidecar', image: IMAGE, securityContext: USER });
    app.addVolume(kplus.Volume.fromEmptyDir(chart, 'cache', 'cache'));
    // THEN
    const spec = podSpec(synthValid(chart));
    expect(restrictedViolations(spec)).toEqual([]);
    for (const name of ['init', 'main', 'sidecar']) {
      expect(container(spec, name).securityContext.capabilities).toEqual({ drop: ['ALL'] });
      expect(container(spec, name).volumeMounts).toEqual([{ mountPath: '/tmp', name: 'tmp' }]);
    }
    expect(spec.volumes.map((v: any) => v.name)).toEqual(['cache', 'tmp']);
  });

  test('what the workload sets is kept', () => {
    // GIVEN
    const chart = Testing.chart();
    const scratch = kplus.Volume.fromEmptyDir(chart, 'scratch', 'scratch', { medium: kplus.EmptyDirMedium.MEMORY });
    const app = deployment(chart, {
      automountServiceAccountToken: true,
      serviceAccount: kplus.ServiceAccount.fromServiceAccountName(chart, 'sa', 'app'),
      securityContext: { ...USER, fsGroup: 5000, fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH },
      containers: [{
        name: 'main',
        image: IMAGE,
        imagePullPolicy: kplus.ImagePullPolicy.NEVER,
        securityContext: {
          ...USER,
          readOnlyRootFilesystem: false,
          capabilities: { add: [kplus.Capability.NET_BIND_SERVICE], drop: [kplus.Capability.NET_RAW] },
        },
        resources: { memory: { request: Size.mebibytes(64), limit: Size.mebibytes(64) } },
        volumeMounts: [{ path: '/tmp', volume: scratch }],
      }],
    });
    ApiObject.of(app).addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'Localhost', localhostProfile: 'app.json' }));
    // WHEN
    PodDefaults.harden(app, { fsGroup: 1234, memoryLimit: Size.gibibytes(4) });
    // THEN
    const spec = podSpec(synthValid(chart));
    expect(spec.automountServiceAccountToken).toBe(true);
    expect(spec.securityContext).toMatchObject({
      fsGroup: 5000,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'Localhost', localhostProfile: 'app.json' },
    });
    const main = container(spec);
    expect(main.imagePullPolicy).toBe('Never');
    expect(main.resources).toEqual({ limits: { memory: '64Mi' }, requests: { memory: '64Mi' } });
    expect(main.securityContext.readOnlyRootFilesystem).toBe(false);
    // names without the CAP_ prefix, and ALL added to what the container drops
    expect(main.securityContext.capabilities).toEqual({ add: ['NET_BIND_SERVICE'], drop: ['NET_RAW', 'ALL'] });
    // its own /tmp: no emptyDir added
    expect(main.volumeMounts).toEqual([{ mountPath: '/tmp', name: 'scratch' }]);
    expect(spec.volumes.map((v: any) => v.name)).toEqual(['scratch']);
    expect(restrictedViolations(spec)).toEqual([]);
  });

  test('hardening twice uses the last defaults, once', () => {
    // GIVEN
    const chart = Testing.chart();
    const app = deployment(chart);
    PodDefaults.harden(app, { memoryLimit: Size.gibibytes(1) });
    // WHEN
    new PodDefaults({ memoryLimit: Size.gibibytes(2) }).applyTo(app);
    // THEN
    const spec = podSpec(synthValid(chart));
    expect(container(spec).resources.limits.memory).toBe('2Gi');
    expect(container(spec).volumeMounts).toEqual([{ mountPath: '/tmp', name: 'tmp' }]);
    expect(spec.volumes).toEqual([{ emptyDir: {}, name: 'tmp' }]);
  });

  test('the resolved defaults are attributes', () => {
    const defaults = new PodDefaults({ memoryLimit: Size.mebibytes(256) });
    expect(defaults.memoryRequest.toMebibytes()).toBe(256);
    expect(defaults.memoryLimit.toMebibytes()).toBe(256);
    expect(defaults.cpuRequest.amount).toBe('250m');
    expect(defaults.cpuLimit).toBeUndefined();
    expect(defaults.fsGroup).toBe(1000);
    expect(defaults.fsGroupChangePolicy).toBe(kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH);
    expect(defaults.readOnlyRootFilesystem).toBe(true);
    expect(defaults.writableTmp).toBe(true);
    expect(defaults.imagePullPolicy).toBe(kplus.ImagePullPolicy.IF_NOT_PRESENT);
    expect(defaults.automountServiceAccountToken).toBe(false);
  });

  describe('errors', () => {
    test.each<[string, (chart: Chart) => kplus.AbstractPod, RegExp]>([
      ['a container is privileged', c => deployment(c, { containers: [{ image: IMAGE, securityContext: { ...USER, privileged: true } }] }),
        /PodDefaults 'test\/app': invalid 'container "main" securityContext.privileged': true\. The Pod Security Standards "restricted" profile forbids it\./],
      ['a container allows privilege escalation', c => deployment(c, { containers: [{ image: IMAGE, securityContext: { ...USER, allowPrivilegeEscalation: true } }] }),
        /invalid 'container "main" securityContext.allowPrivilegeEscalation': true/],
      ['a container may run as root', c => deployment(c, { containers: [{ image: IMAGE, securityContext: { ensureNonRoot: false } }] }),
        /invalid 'container "main" securityContext.ensureNonRoot': false/],
      ['a container runs as uid 0', c => deployment(c, { containers: [{ image: IMAGE, securityContext: { user: 0 } }] }),
        /invalid 'container "main" securityContext.user': 0\. The Pod Security Standards "restricted" profile forbids it: 0 is root/],
      ['the pod may run as root', c => deployment(c, { securityContext: { ensureNonRoot: false } }),
        /invalid 'securityContext.ensureNonRoot': false/],
      ['a container adds a capability other than NET_BIND_SERVICE', c => deployment(c, {
        containers: [{ image: IMAGE, securityContext: { ...USER, capabilities: { add: [kplus.Capability.SYS_ADMIN] } } }],
      }), /invalid 'container "main" securityContext.capabilities.add': "SYS_ADMIN"\. .*only NET_BIND_SERVICE may be added/],
      ['the pod uses the host network', c => deployment(c, { hostNetwork: true }), /invalid 'hostNetwork': true/],
    ])('fails when %s', (_name, build, message) => {
      const chart = Testing.chart();
      const workload = build(chart);
      expect(() => PodDefaults.harden(workload)).toThrow(message);
    });

    test('fails when a container added after hardening is privileged', () => {
      const chart = Testing.chart();
      const app = deployment(chart);
      PodDefaults.harden(app);
      app.addContainer({ name: 'bad', image: IMAGE, securityContext: { ...USER, privileged: true } });
      expect(() => Testing.synth(chart)).toThrow(/invalid 'container "bad" securityContext.privileged': true/);
    });

    test('fails when a hostPath volume is added', () => {
      const chart = Testing.chart();
      const app = deployment(chart);
      PodDefaults.harden(app);
      app.addVolume(kplus.Volume.fromHostPath(chart, 'host', 'host', { path: '/var/log' }));
      expect(() => Testing.synth(chart)).toThrow(/invalid 'volumes\[host\]': "hostPath"/);
    });

    test('fails when a JSON patch asks for an unconfined seccomp profile', () => {
      const chart = Testing.chart();
      const app = deployment(chart);
      ApiObject.of(app).addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'Unconfined' }));
      PodDefaults.harden(app);
      expect(() => Testing.synth(chart)).toThrow(/invalid 'securityContext.seccompProfile': "Unconfined"\. The Pod Security Standards "restricted" profile allows RuntimeDefault or Localhost only/);
    });

    test('fails when a volume that is not an emptyDir is named tmp', () => {
      const chart = Testing.chart();
      const app = deployment(chart);
      app.addVolume(kplus.Volume.fromConfigMap(chart, 'cm', kplus.ConfigMap.fromConfigMapName(chart, 'cfg', 'cfg'), { name: 'tmp' }));
      PodDefaults.harden(app);
      expect(() => Testing.synth(chart)).toThrow(/invalid 'volumes': "tmp"\. The name "tmp" belongs to the writable emptyDir.*set 'writableTmp: false'/);
    });

    test.each<[string, PodDefaultsOptions, RegExp]>([
      ['memoryRequest exceeds memoryLimit', { memoryRequest: Size.gibibytes(1), memoryLimit: Size.mebibytes(512) },
        /^PodDefaults: invalid 'memoryRequest': "1Gi"\. Must not exceed 'memoryLimit' \(512Mi\)\. Lower 'memoryRequest' or raise 'memoryLimit'\.$/],
      ['cpuRequest exceeds cpuLimit', { cpuRequest: kplus.Cpu.units(2), cpuLimit: kplus.Cpu.units(1) },
        /invalid 'cpuRequest': "2"\. Must not exceed 'cpuLimit' \(1\)/],
      ['fsGroup is negative', { fsGroup: -1 }, /invalid 'fsGroup': -1\. Must be an integer of at least 0/],
      ['memoryLimit is zero', { memoryLimit: Size.mebibytes(0) }, /invalid 'memoryLimit': "0Ki"\. Must be a whole number of kibibytes above zero/],
      ['cpuRequest is zero', { cpuRequest: kplus.Cpu.millis(0) }, /invalid 'cpuRequest': "0m"\. Must be a CPU quantity above zero/],
    ])('fails when %s', (_name, options, message) => {
      expect(() => new PodDefaults(options)).toThrow(message);
    });
  });
});

// ---------------------------------------------------------------- option checks and resolution

describe('PodDefaults options', () => {
  test.each<[string, PodDefaultsOptions, string]>([
    ['an unparsable CPU', { cpuRequest: kplus.Cpu.millis(NaN) },
      'PodDefaults: invalid \'cpuRequest\': "NaNm". Must be a CPU quantity above zero. Set \'cpuRequest\' to a value such as Cpu.millis(250).'],
    ['a memory size that is not a whole number of kibibytes', { memoryRequest: Size.kibibytes(0.5) },
      'PodDefaults: invalid \'memoryRequest\': "0.5Ki". Must be a whole number of kibibytes above zero. Set \'memoryRequest\' to a value such as Size.mebibytes(512).'],
    ['a CPU request above the limit', { cpuRequest: kplus.Cpu.units(2), cpuLimit: kplus.Cpu.units(1) },
      'PodDefaults: invalid \'cpuRequest\': "2". Must not exceed \'cpuLimit\' (1). Lower \'cpuRequest\' or raise \'cpuLimit\'.'],
  ])('fails on %s, with the whole message', (_name, options, message) => {
    expect(() => new PodDefaults(options)).toThrow(message);
  });

  test.each<[string, kplus.Cpu, string]>([
    ['a CPU limit below the default request is the request', kplus.Cpu.millis(100), '100m'],
    ['a CPU limit equal to the default request leaves the default request', kplus.Cpu.units(0.25), '250m'],
    ['a CPU limit above the default request leaves the default request', kplus.Cpu.units(2), '250m'],
  ])('%s', (_name, cpuLimit, request) => {
    expect(new PodDefaults({ cpuLimit }).cpuRequest.amount).toBe(request);
  });
});

describe('PodDefaults._containerProps', () => {
  test('fills the pull policy and resources, leaves a read-only root file system unstated', () => {
    const props = new PodDefaults()._containerProps({ image: IMAGE });
    expect(props.imagePullPolicy).toBe(kplus.ImagePullPolicy.IF_NOT_PRESENT);
    expect(props.securityContext).toBeUndefined();
    expect(props.resources?.cpu?.request?.amount).toBe('250m');
  });

  test('what the props set wins', () => {
    const securityContext = { user: 5, readOnlyRootFilesystem: false };
    const props = new PodDefaults()._containerProps({ image: IMAGE, imagePullPolicy: kplus.ImagePullPolicy.NEVER, securityContext });
    expect(props.imagePullPolicy).toBe(kplus.ImagePullPolicy.NEVER);
    expect(props.securityContext).toBe(securityContext);
  });

  test('a writable root file system from the defaults is written into the security context', () => {
    const writable = new PodDefaults({ readOnlyRootFilesystem: false });
    expect(writable._containerProps({ image: IMAGE }).securityContext).toStrictEqual({ readOnlyRootFilesystem: false });
    expect(writable._containerProps({ image: IMAGE, securityContext: { user: 5 } }).securityContext)
      .toStrictEqual({ user: 5, readOnlyRootFilesystem: false });
    const securityContext = { user: 5 };
    expect(new PodDefaults()._containerProps({ image: IMAGE, securityContext }).securityContext).toBe(securityContext);
  });
});

// ---------------------------------------------------------------- rendered JSON in, hardened JSON out

function harden(manifest: any, options: PodDefaultsOptions = {}): any {
  return new PodDefaults(options)._hardenManifest(manifest, 'W');
}
function pod(spec: any): any {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec };
}

describe('PodDefaults._hardenManifest', () => {
  test('a bare container gets every default', () => {
    const spec = harden(pod({ containers: [{ name: 'c', image: IMAGE }] })).spec;
    expect(spec).toEqual({
      automountServiceAccountToken: false,
      containers: [{
        name: 'c',
        image: IMAGE,
        imagePullPolicy: 'IfNotPresent',
        resources: { limits: { memory: '512Mi' }, requests: { cpu: '250m', memory: '512Mi' } },
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
        volumeMounts: [{ mountPath: '/tmp', name: 'tmp' }],
      }],
      securityContext: { fsGroup: 1000, fsGroupChangePolicy: 'OnRootMismatch', runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      volumes: [{ name: 'tmp', emptyDir: {} }],
    });
  });

  test('a pod without containers gets no /tmp volume', () => {
    expect(harden(pod({})).spec.volumes).toBeUndefined();
  });

  test('an explicit fsGroupChangePolicy other than Always is kept; Always counts as unset', () => {
    const opts = { fsGroupChangePolicy: kplus.FsGroupChangePolicy.ALWAYS };
    expect(harden(pod({ securityContext: { fsGroupChangePolicy: 'OnRootMismatch' } }), opts).spec.securityContext.fsGroupChangePolicy).toBe('OnRootMismatch');
    expect(harden(pod({ securityContext: { fsGroupChangePolicy: 'Always' } })).spec.securityContext.fsGroupChangePolicy).toBe('OnRootMismatch');
  });

  test('/tmp: mounted in the container without it, the volume added once', () => {
    const spec = harden(pod({
      containers: [
        { name: 'a', image: IMAGE, volumeMounts: [{ name: 'own', mountPath: '/tmp' }] },
        { name: 'b', image: IMAGE, volumeMounts: [{ name: 'data', mountPath: '/data' }] },
      ],
      volumes: [{ name: 'own', emptyDir: {} }, { name: 'data', emptyDir: {} }],
    })).spec;
    expect(spec.volumes).toEqual([{ name: 'own', emptyDir: {} }, { name: 'data', emptyDir: {} }, { name: 'tmp', emptyDir: {} }]);
    expect(spec.containers.find((c: any) => c.name === 'a').volumeMounts).toEqual([{ name: 'own', mountPath: '/tmp' }]);
    expect(spec.containers.find((c: any) => c.name === 'b').volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }, { mountPath: '/tmp', name: 'tmp' }]);
  });

  test('an existing emptyDir named tmp is used, not added again', () => {
    const spec = harden(pod({ containers: [{ name: 'c', image: IMAGE }], volumes: [{ name: 'tmp', emptyDir: { medium: 'Memory' } }] })).spec;
    expect(spec.volumes).toEqual([{ name: 'tmp', emptyDir: { medium: 'Memory' } }]);
  });

  test('capabilities: an empty add list is left out, ALL is dropped once, only a leading CAP_ is removed', () => {
    const caps = (capabilities: any) =>
      harden(pod({ containers: [{ name: 'c', image: IMAGE, securityContext: { capabilities } }] })).spec.containers[0].securityContext.capabilities;
    expect(caps({ add: [] })).toStrictEqual({ drop: ['ALL'] });
    expect(caps({ drop: ['ALL'] })).toStrictEqual({ drop: ['ALL'] });
    expect(caps({ add: ['CAP_NET_BIND_SERVICE'], drop: ['CAP_NET_RAW', 'X_CAP_Y'] })).toStrictEqual({ add: ['NET_BIND_SERVICE'], drop: ['NET_RAW', 'X_CAP_Y', 'ALL'] });
  });

  test('an explicit RuntimeDefault seccomp profile is allowed', () => {
    const seccompProfile = { type: 'RuntimeDefault' };
    expect(harden(pod({ securityContext: { seccompProfile }, containers: [{ name: 'c', image: IMAGE, securityContext: { seccompProfile } }] })).spec.securityContext.seccompProfile)
      .toEqual(seccompProfile);
  });

  test('the spec comes out with its keys sorted, deeply, nulls kept', () => {
    const out = harden({ kind: 'Thing', spec: { z: 1, a: { y: [{ d: 1, c: 2 }], b: null } } });
    expect(JSON.stringify(out.spec)).toBe('{"a":{"b":null,"y":[{"c":2,"d":1}]},"z":1}');
  });

  test('CDK8S_DISABLE_SORT leaves the key order', () => {
    process.env.CDK8S_DISABLE_SORT = 'true';
    try {
      expect(JSON.stringify(harden({ kind: 'Thing', spec: { z: 1, a: 2 } }).spec)).toBe('{"z":1,"a":2}');
    } finally {
      delete process.env.CDK8S_DISABLE_SORT;
    }
  });

  test('a manifest without a spec gets none', () => {
    expect(harden({ kind: 'ConfigMap', data: { a: 'b' } })).toStrictEqual({ kind: 'ConfigMap', data: { a: 'b' } });
  });

  const FIX = 'Remove the setting, or do not harden this workload and label its namespace for a less strict profile.';
  const PROFILE = 'The Pod Security Standards "restricted" profile forbids it';
  test.each<[string, any, string]>([
    ['hostNetwork', { hostNetwork: true }, `W: invalid 'hostNetwork': true. ${PROFILE}. ${FIX}`],
    ['hostPID', { hostPID: true }, `W: invalid 'hostPID': true. ${PROFILE}. ${FIX}`],
    ['hostIPC', { hostIPC: true }, `W: invalid 'hostIPC': true. ${PROFILE}. ${FIX}`],
    ['pod runAsUser 0', { securityContext: { runAsUser: 0 } }, `W: invalid 'securityContext.user': 0. ${PROFILE}: 0 is root. Set a non-zero user id.`],
    ['hostPath', { volumes: [{ name: 'h', hostPath: { path: '/' } }] },
      `W: invalid 'volumes[h]': "hostPath". ${PROFILE}. Use a PersistentVolumeClaim or an emptyDir instead.`],
    ['container runAsUser 0', { containers: [{ name: 'c', securityContext: { runAsUser: 0 } }] },
      `W: invalid 'container "c" securityContext.user': 0. ${PROFILE}: 0 is root. Set a non-zero user id.`],
    ['container seccomp', { containers: [{ name: 'c', securityContext: { seccompProfile: { type: 'Unconfined' } } }] },
      'W: invalid \'container "c" securityContext.seccompProfile\': "Unconfined". The Pod Security Standards "restricted" profile allows RuntimeDefault or Localhost only. Remove the setting to get RuntimeDefault.'],
    ['capability', { containers: [{ name: 'c', securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }] },
      `W: invalid 'container "c" securityContext.capabilities.add': "SYS_ADMIN". ${PROFILE}: only NET_BIND_SERVICE may be added. Remove the capability.`],
    ['hostPort', { containers: [{ name: 'c', ports: [{ containerPort: 80 }, { containerPort: 81, hostPort: 8081 }] }] },
      `W: invalid 'container "c" ports[1].hostPort': 8081. ${PROFILE}. Expose the port through a Service instead.`],
  ])('fails on %s, with the whole message', (_name, spec, message) => {
    expect(() => harden(pod(spec))).toThrow(message);
  });
});

describe('PodDefaults.applyTo', () => {
  test('a host port the workload already sets fails at once', () => {
    const chart = Testing.chart();
    const app = deployment(chart, { containers: [{ name: 'main', image: IMAGE, securityContext: USER, ports: [{ number: 80, hostPort: 8080 }] }] });
    expect(() => PodDefaults.harden(app)).toThrow(/^PodDefaults 'test\/app': invalid 'container "main" ports\[0\]\.hostPort': 8080\./);
  });

  test('the hardened toJson can still be replaced or redefined', () => {
    const chart = Testing.chart();
    const app = deployment(chart);
    PodDefaults.harden(app);
    const api = ApiObject.of(app);
    const hardened = api.toJson.bind(api);
    expect(() => Object.defineProperty(api, 'toJson', { configurable: true, writable: true, value: () => hardened() })).not.toThrow();
    expect(() => { (api as any).toJson = () => ({ kind: 'X' }); }).not.toThrow();
    expect(api.toJson()).toEqual({ kind: 'X' });
  });
});
