import { ApiObject, Cron, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { podSpecsOf, podTemplatesOf, restrictedViolations } from '../../src/private/pod-security';
import { expectValidManifests } from '../util/k8s-schema';

const RESTRICTED_CONTAINER_SC = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

/** A pod spec that meets the restricted profile, with pod-level runAsNonRoot and seccomp. */
function compliant(): any {
  return {
    securityContext: { runAsNonRoot: true, runAsUser: 999, fsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } },
    initContainers: [{ name: 'init', image: 'busybox', securityContext: { ...RESTRICTED_CONTAINER_SC } }],
    containers: [
      { name: 'web', image: 'nginx-unprivileged', ports: [{ containerPort: 8080 }], securityContext: { ...RESTRICTED_CONTAINER_SC, readOnlyRootFilesystem: true } },
      { name: 'sidecar', image: 'exporter', securityContext: { ...RESTRICTED_CONTAINER_SC } },
    ],
    volumes: [{ name: 'tmp', emptyDir: {} }],
  };
}

/** The compliant pod spec changed by `edit`. */
function edited(edit: (spec: any) => void): any {
  const spec = JSON.parse(JSON.stringify(compliant()));
  edit(spec);
  return spec;
}

describe('restrictedViolations: compliant pod specs', () => {
  test('pod-level runAsNonRoot and seccomp cover every container', () => {
    expect(restrictedViolations(compliant())).toEqual([]);
  });

  test('container-level runAsNonRoot and seccomp on every container, nothing at pod level', () => {
    const spec = edited(s => {
      s.securityContext = {};
      for (const c of [...s.containers, ...s.initContainers]) {
        Object.assign(c.securityContext, { runAsNonRoot: true, seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/web.json' } });
      }
    });
    expect(restrictedViolations(spec)).toEqual([]);
  });

  test('everything the profile allows', () => {
    const spec = edited(s => {
      s.hostNetwork = false;
      s.hostPID = false;
      s.hostIPC = false;
      s.securityContext.sysctls = [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '80' }, { name: 'kernel.shm_rmid_forced', value: '1' }];
      s.securityContext.seLinuxOptions = { type: 'container_t', level: 's0:c123,c456' };
      s.securityContext.windowsOptions = { hostProcess: false };
      // PSS baseline "AppArmor": appArmorProfile.type Undefined/nil, RuntimeDefault or Localhost
      s.securityContext.appArmorProfile = { type: 'RuntimeDefault' };
      s.containers[1].securityContext.appArmorProfile = { type: 'Localhost', localhostProfile: 'k8s-exporter' };
      // PSS baseline "SELinux": type Undefined/"" or a container type; user and role Undefined/""
      s.initContainers[0].securityContext.seLinuxOptions = { type: '', user: '', role: '' };
      Object.assign(s.containers[0].securityContext, {
        privileged: false, procMount: 'Default', runAsUser: 1000, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
      });
      s.containers[0].ports = [{ containerPort: 80, hostPort: 0 }];
      s.volumes = [
        { name: 'a', configMap: { name: 'cm' } },
        { name: 'b', csi: { driver: 'secrets-store.csi.k8s.io' } },
        { name: 'c', downwardAPI: { items: [] } },
        { name: 'd', emptyDir: { medium: 'Memory' } },
        { name: 'e', ephemeral: { volumeClaimTemplate: { spec: {} } } },
        { name: 'f', persistentVolumeClaim: { claimName: 'data' } },
        { name: 'g', projected: { sources: [] } },
        { name: 'h', secret: { secretName: 's' } },
        { name: 'i' }, // no source: defaulted to emptyDir
      ];
    });
    expect(restrictedViolations(spec)).toEqual([]);
  });

  test('null counts as unset', () => {
    const spec = edited(s => {
      s.hostNetwork = null;
      s.securityContext.sysctls = null;
      s.containers[0].securityContext.privileged = null;
      s.containers[0].securityContext.runAsNonRoot = null;
      s.volumes = [{ name: 'x', emptyDir: {}, hostPath: null }];
    });
    expect(restrictedViolations(spec)).toEqual([]);
  });
});

describe('restrictedViolations: each rule', () => {
  test.each<[string, (s: any) => void, string[]]>([
    // ---- baseline
    ['host namespaces', s => Object.assign(s, { hostNetwork: true, hostPID: true, hostIPC: true }), [
      'pod: hostNetwork must be false or unset',
      'pod: hostPID must be false or unset',
      'pod: hostIPC must be false or unset',
    ]],
    ['privileged containers', s => { s.initContainers[0].securityContext.privileged = true; }, [
      'initContainer "init": securityContext.privileged must be false or unset',
    ]],
    ['Windows HostProcess', s => {
      s.securityContext.windowsOptions = { hostProcess: true };
      s.containers[1].securityContext.windowsOptions = { hostProcess: true };
    }, [
      'pod: securityContext.windowsOptions.hostProcess must be false or unset',
      'container "sidecar": securityContext.windowsOptions.hostProcess must be false or unset',
    ]],
    ['hostPath volumes', s => { s.volumes.push({ name: 'docker', hostPath: { path: '/var/run/docker.sock' } }); }, [
      'volume "docker": hostPath volumes are forbidden',
    ]],
    ['host ports', s => { s.containers[0].ports = [{ containerPort: 8080 }, { containerPort: 9090, hostPort: 9090 }]; }, [
      'container "web": ports[1].hostPort must be 0 or unset, got 9090',
    ]],
    ['/proc mount', s => { s.containers[0].securityContext.procMount = 'Unmasked'; }, [
      'container "web": securityContext.procMount must be Default or unset, got "Unmasked"',
    ]],
    ['SELinux', s => {
      s.securityContext.seLinuxOptions = { type: 'spc_t' };
      s.containers[0].securityContext.seLinuxOptions = { user: 'system_u', role: 'system_r' };
    }, [
      'pod: securityContext.seLinuxOptions.type must be container_t, container_init_t, container_kvm_t or unset, got "spc_t"',
      'container "web": securityContext.seLinuxOptions.user must be unset, got "system_u"',
      'container "web": securityContext.seLinuxOptions.role must be unset, got "system_r"',
    ]],
    ['unsafe sysctls', s => { s.securityContext.sysctls = [{ name: 'kernel.shm_rmid_forced', value: '1' }, { name: 'kernel.msgmax', value: '1' }]; }, [
      'pod: securityContext.sysctls[1] "kernel.msgmax" is not a safe sysctl; allowed: kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports',
    ]],
    ['AppArmor profile field', s => { s.containers[0].securityContext.appArmorProfile = { type: 'Unconfined' }; }, [
      'container "web": securityContext.appArmorProfile.type must be RuntimeDefault or Localhost, got "Unconfined"',
    ]],
    // ---- restricted
    ['other volume types', s => { s.volumes.push({ name: 'nfs', nfs: { server: 'nas', path: '/' } }, { name: 'git', gitRepo: { repository: 'x' } }); }, [
      'volume "nfs": volume type nfs is not allowed; use configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret',
      'volume "git": volume type gitRepo is not allowed; use configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret',
    ]],
    ['allowPrivilegeEscalation unset or true', s => {
      delete s.containers[0].securityContext.allowPrivilegeEscalation;
      s.initContainers[0].securityContext.allowPrivilegeEscalation = true;
    }, [
      'initContainer "init": securityContext.allowPrivilegeEscalation must be false',
      'container "web": securityContext.allowPrivilegeEscalation must be false',
    ]],
    ['no securityContext at all on a container', s => { delete s.containers[1].securityContext; }, [
      'container "sidecar": securityContext.capabilities.drop must include "ALL"',
      'container "sidecar": securityContext.allowPrivilegeEscalation must be false',
    ]],
    ['runAsNonRoot set nowhere', s => { delete s.securityContext.runAsNonRoot; s.containers[0].securityContext.runAsNonRoot = true; }, [
      'initContainer "init": securityContext.runAsNonRoot must be true (set it here or in the pod securityContext)',
      'container "sidecar": securityContext.runAsNonRoot must be true (set it here or in the pod securityContext)',
    ]],
    ['runAsNonRoot false overrides the pod level', s => { s.containers[1].securityContext.runAsNonRoot = false; }, [
      'container "sidecar": securityContext.runAsNonRoot must not be false',
    ]],
    ['runAsNonRoot false at pod level even when every container sets true', s => {
      s.securityContext.runAsNonRoot = false;
      for (const c of [...s.containers, ...s.initContainers]) c.securityContext.runAsNonRoot = true;
    }, [
      'pod: securityContext.runAsNonRoot must not be false',
    ]],
    ['runAsUser 0', s => { s.securityContext.runAsUser = 0; s.containers[0].securityContext.runAsUser = 0; }, [
      'pod: securityContext.runAsUser must not be 0 (root)',
      'container "web": securityContext.runAsUser must not be 0 (root)',
    ]],
    ['seccomp set nowhere', s => { delete s.securityContext.seccompProfile; s.containers[0].securityContext.seccompProfile = { type: 'RuntimeDefault' }; }, [
      'initContainer "init": securityContext.seccompProfile.type must be RuntimeDefault or Localhost (set it here or in the pod securityContext)',
      'container "sidecar": securityContext.seccompProfile.type must be RuntimeDefault or Localhost (set it here or in the pod securityContext)',
    ]],
    ['seccomp Unconfined, at either level', s => {
      s.securityContext.seccompProfile = { type: 'Unconfined' };
      for (const c of [...s.containers, ...s.initContainers]) c.securityContext.seccompProfile = { type: 'RuntimeDefault' };
      s.containers[1].securityContext.seccompProfile = { type: 'Unconfined' };
    }, [
      'pod: securityContext.seccompProfile.type must be RuntimeDefault or Localhost, got "Unconfined"',
      'container "sidecar": securityContext.seccompProfile.type must be RuntimeDefault or Localhost, got "Unconfined"',
    ]],
    ['capabilities.drop without ALL', s => {
      s.containers[0].securityContext.capabilities.drop = ['NET_RAW'];
      s.containers[1].securityContext.capabilities.drop = ['all']; // case matters
    }, [
      'container "web": securityContext.capabilities.drop must include "ALL"',
      'container "sidecar": securityContext.capabilities.drop must include "ALL"',
    ]],
    ['capabilities.add beyond NET_BIND_SERVICE (also baseline-allowed ones)', s => {
      s.containers[0].securityContext.capabilities.add = ['NET_BIND_SERVICE', 'CHOWN', 'SYS_ADMIN'];
    }, [
      'container "web": securityContext.capabilities.add must not include "CHOWN"; only NET_BIND_SERVICE may be added',
      'container "web": securityContext.capabilities.add must not include "SYS_ADMIN"; only NET_BIND_SERVICE may be added',
    ]],
    ['capability names with a CAP_ prefix', s => { s.containers[0].securityContext.capabilities.add = ['CAP_NET_BIND_SERVICE']; }, [
      'container "web": securityContext.capabilities.add must not include "CAP_NET_BIND_SERVICE"; only NET_BIND_SERVICE may be added (capability names have no CAP_ prefix: use "NET_BIND_SERVICE")',
    ]],
    ['capability names with a CAP_ prefix, in any case', s => { s.containers[0].securityContext.capabilities.add = ['cap_net_bind_service']; }, [
      'container "web": securityContext.capabilities.add must not include "cap_net_bind_service"; only NET_BIND_SERVICE may be added (capability names have no CAP_ prefix: use "NET_BIND_SERVICE")',
    ]],
    ['another 4-character prefix is no CAP_ prefix: no hint', s => { s.containers[0].securityContext.capabilities.add = ['SYS_NET_BIND_SERVICE']; }, [
      'container "web": securityContext.capabilities.add must not include "SYS_NET_BIND_SERVICE"; only NET_BIND_SERVICE may be added',
    ]],
    ['capabilities that are not strings', s => { s.containers[0].securityContext.capabilities.add = [42, null]; }, [
      'container "web": securityContext.capabilities.add must not include 42; only NET_BIND_SERVICE may be added',
      'container "web": securityContext.capabilities.add must not include null; only NET_BIND_SERVICE may be added',
    ]],
  ])('%s', (_rule, edit, expected) => {
    expect(restrictedViolations(edited(edit))).toEqual(expected);
  });

  test('ephemeral containers are checked like the others', () => {
    const spec = edited(s => { s.ephemeralContainers = [{ name: 'debug', image: 'busybox', securityContext: { privileged: true } }]; });
    expect(restrictedViolations(spec)).toEqual([
      'ephemeralContainer "debug": securityContext.privileged must be false or unset',
      'ephemeralContainer "debug": securityContext.capabilities.drop must include "ALL"',
      'ephemeralContainer "debug": securityContext.allowPrivilegeEscalation must be false',
    ]);
  });

  test('AppArmor annotations on the pod metadata', () => {
    const metadata = {
      annotations: {
        'container.apparmor.security.beta.kubernetes.io/web': 'runtime/default',
        'container.apparmor.security.beta.kubernetes.io/sidecar': 'localhost/k8s-sidecar',
        'container.apparmor.security.beta.kubernetes.io/init': 'unconfined',
        'example.com/other': 'unconfined',
      },
    };
    expect(restrictedViolations(compliant(), undefined, metadata)).toEqual([
      'pod: metadata.annotations["container.apparmor.security.beta.kubernetes.io/init"] must be runtime/default or localhost/<profile>, got "unconfined"',
    ]);
  });

  test('Windows pods are exempt from the Linux-only controls, not from the others', () => {
    const spec = {
      os: { name: 'windows' },
      securityContext: { runAsNonRoot: true },
      containers: [{ name: 'win', image: 'iis', securityContext: { capabilities: { add: ['CHOWN', 'SYS_ADMIN'] } } }],
    };
    expect(restrictedViolations(spec)).toEqual([
      'container "win": securityContext.capabilities.add must not include "SYS_ADMIN"; only AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT may be added',
    ]);
    expect(restrictedViolations({ ...spec, os: { name: 'linux' } })).toEqual([
      'container "win": securityContext.capabilities.add must not include "CHOWN"; only NET_BIND_SERVICE may be added',
      'container "win": securityContext.capabilities.add must not include "SYS_ADMIN"; only NET_BIND_SERVICE may be added',
      'container "win": securityContext.capabilities.drop must include "ALL"',
      'container "win": securityContext.allowPrivilegeEscalation must be false',
      'container "win": securityContext.seccompProfile.type must be RuntimeDefault or Localhost (set it here or in the pod securityContext)',
    ]);
  });

  test('where prefixes every message; unnamed containers and volumes are numbered', () => {
    const spec = { containers: [{ image: 'x' }], volumes: [{ hostPath: { path: '/' } }] };
    expect(restrictedViolations(spec, 'StatefulSet/db')).toEqual([
      'StatefulSet/db: volume "#0": hostPath volumes are forbidden',
      'StatefulSet/db: container "#0": securityContext.capabilities.drop must include "ALL"',
      'StatefulSet/db: container "#0": securityContext.allowPrivilegeEscalation must be false',
      'StatefulSet/db: container "#0": securityContext.runAsNonRoot must be true (set it here or in the pod securityContext)',
      'StatefulSet/db: container "#0": securityContext.seccompProfile.type must be RuntimeDefault or Localhost (set it here or in the pod securityContext)',
    ]);
  });

  test('null entries in the lists count as entries with every field unset, not as a TypeError', () => {
    const spec = {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, sysctls: [null, { value: '1' }] },
      volumes: [null],
      containers: [null, { name: 'web', image: 'x', ports: [null, { containerPort: 80 }], securityContext: { ...RESTRICTED_CONTAINER_SC } }],
    };
    const safe = 'allowed: kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports';
    expect(restrictedViolations(spec)).toEqual([
      // a sysctl without a name is not one of the safe sysctls
      `pod: securityContext.sysctls[0] undefined is not a safe sysctl; ${safe}`,
      `pod: securityContext.sysctls[1] undefined is not a safe sysctl; ${safe}`,
      // a null volume has no source: nothing to forbid; a null port has no hostPort
      'container "#0": securityContext.capabilities.drop must include "ALL"',
      'container "#0": securityContext.allowPrivilegeEscalation must be false',
    ]);
  });

  test('an empty or missing pod spec has nothing to forbid', () => {
    expect(restrictedViolations({})).toEqual([]);
    expect(restrictedViolations(undefined)).toEqual([]);
  });
});

describe('restrictedViolations on synthesized cdk8s-plus-27 objects', () => {
  test('cdk8s-plus-27 defaults miss seccomp and capabilities.drop ALL', () => {
    const chart = Testing.chart();
    new kplus.Deployment(chart, 'web', { containers: [{ name: 'web', image: 'nginx', portNumber: 8080 }] });
    const [spec] = Testing.synth(chart).flatMap(podSpecsOf);
    expect(restrictedViolations(spec)).toEqual([
      'container "web": securityContext.capabilities.drop must include "ALL"',
      'container "web": securityContext.seccompProfile.type must be RuntimeDefault or Localhost (set it here or in the pod securityContext)',
    ]);
  });

  test('cdk8s-plus-27 Capability values carry a CAP_ prefix, which the profile rejects', () => {
    const chart = Testing.chart();
    new kplus.Deployment(chart, 'web', {
      containers: [{
        name: 'web',
        image: 'nginx',
        portNumber: 80,
        securityContext: { capabilities: { add: [kplus.Capability.NET_BIND_SERVICE], drop: ['ALL' as kplus.Capability] } },
      }],
    });
    const [spec] = Testing.synth(chart).flatMap(podSpecsOf);
    expect(restrictedViolations(spec)).toContain(
      'container "web": securityContext.capabilities.add must not include "CAP_NET_BIND_SERVICE"; only NET_BIND_SERVICE may be added (capability names have no CAP_ prefix: use "NET_BIND_SERVICE")');
  });

  test('a cdk8s-plus-27 StatefulSet patched to comply passes both the profile and the schema', () => {
    const chart = Testing.chart();
    const sts = new kplus.StatefulSet(chart, 'db', {
      containers: [{ name: 'db', image: 'postgres:16', portNumber: 5432, securityContext: { user: 999, group: 999, capabilities: { drop: ['ALL' as kplus.Capability] } } }],
    });
    ApiObject.of(sts).addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    expect(manifests.flatMap(podSpecsOf).flatMap(s => restrictedViolations(s))).toEqual([]);
  });

  test('a k8s L1 Pod with a privileged container', () => {
    const chart = Testing.chart();
    new k8s.KubePod(chart, 'pod', {
      metadata: { name: 'debug' },
      spec: { hostPid: true, containers: [{ name: 'shell', image: 'busybox', securityContext: { privileged: true, runAsUser: 0 } }] },
    });
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    expect(restrictedViolations(podSpecsOf(manifests[0])[0], 'Pod/debug')).toEqual([
      'Pod/debug: pod: hostPID must be false or unset',
      'Pod/debug: container "shell": securityContext.runAsUser must not be 0 (root)',
      'Pod/debug: container "shell": securityContext.privileged must be false or unset',
      'Pod/debug: container "shell": securityContext.capabilities.drop must include "ALL"',
      'Pod/debug: container "shell": securityContext.allowPrivilegeEscalation must be false',
      'Pod/debug: container "shell": securityContext.runAsNonRoot must be true (set it here or in the pod securityContext)',
      'Pod/debug: container "shell": securityContext.seccompProfile.type must be RuntimeDefault or Localhost (set it here or in the pod securityContext)',
    ]);
  });
});

describe('podSpecsOf and podTemplatesOf', () => {
  test('every workload kind synthesized by cdk8s-plus-27', () => {
    const chart = Testing.chart();
    const containers = [{ image: 'x', portNumber: 80 }];
    new kplus.Pod(chart, 'pod', { containers });
    new kplus.Deployment(chart, 'deploy', { containers });
    new kplus.StatefulSet(chart, 'sts', { containers });
    new kplus.DaemonSet(chart, 'ds', { containers });
    new kplus.Job(chart, 'job', { containers });
    new kplus.CronJob(chart, 'cron', { containers, schedule: Cron.daily() });
    new kplus.ConfigMap(chart, 'cm', { data: { a: 'b' } });
    const manifests = Testing.synth(chart);
    const found = manifests.filter(m => podSpecsOf(m).length > 0).map(m => m.kind).sort();
    expect(found).toEqual(['CronJob', 'DaemonSet', 'Deployment', 'Job', 'Pod', 'StatefulSet']);
    for (const m of manifests) {
      for (const spec of podSpecsOf(m)) expect(spec.containers[0].image).toBe('x');
    }
  });

  test.each<[string, any, string]>([
    ['Pod', { kind: 'Pod', spec: { containers: [] } }, ''],
    ['Deployment', { kind: 'Deployment', spec: { template: { spec: { containers: [] } } } }, 'spec.template'],
    ['ReplicaSet', { kind: 'ReplicaSet', spec: { template: { spec: { containers: [] } } } }, 'spec.template'],
    ['ReplicationController', { kind: 'ReplicationController', spec: { template: { spec: { containers: [] } } } }, 'spec.template'],
    ['PodTemplate', { kind: 'PodTemplate', template: { spec: { containers: [] } } }, 'template'],
    ['CronJob', { kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: { containers: [] } } } } } }, 'spec.jobTemplate.spec.template'],
  ])('%s', (_kind, manifest, templatePath) => {
    const template = templatePath.split('.').filter(Boolean).reduce((o, k) => o[k], manifest);
    expect(podSpecsOf(manifest)).toEqual([template.spec]);
    expect(podSpecsOf(manifest)[0]).toBe(template.spec);
  });

  test('pod templates carry the pod metadata, for the AppArmor annotations', () => {
    const annotations = { 'container.apparmor.security.beta.kubernetes.io/web': 'unconfined' };
    const sts = { kind: 'StatefulSet', spec: { template: { metadata: { annotations }, spec: { containers: [] } } } };
    const [template] = podTemplatesOf(sts);
    expect(template.metadata.annotations).toBe(annotations);
    expect(restrictedViolations(template.spec, 'StatefulSet/web', template.metadata)).toHaveLength(1);
  });

  test('nothing for other kinds or incomplete objects', () => {
    expect(podSpecsOf({ kind: 'Service', spec: {} })).toEqual([]);
    expect(podSpecsOf({ kind: 'StatefulSet', spec: {} })).toEqual([]);
    expect(podSpecsOf({ kind: 'CronJob', spec: { jobTemplate: {} } })).toEqual([]);
    expect(podSpecsOf(undefined)).toEqual([]);
  });

  test.each<[string, any]>([
    ['a Service', { kind: 'Service', spec: { template: { spec: { containers: [] } } } }],
    ['a Pod without a spec', { kind: 'Pod' }],
    ['a Pod whose spec is not an object', { kind: 'Pod', spec: 'containers: []' }],
    ['a PodTemplate without a template', { kind: 'PodTemplate' }],
    ['a Deployment without a spec', { kind: 'Deployment' }],
    ['a Job without a spec', { kind: 'Job' }],
    ['a CronJob without a spec', { kind: 'CronJob' }],
    ['a CronJob without a jobTemplate', { kind: 'CronJob', spec: {} }],
    ['a CronJob without a jobTemplate.spec', { kind: 'CronJob', spec: { jobTemplate: {} } }],
    ['an object without a kind', { spec: { template: { spec: { containers: [] } } } }],
  ])('no pod template in %s, and no TypeError', (_what, manifest) => {
    expect(podTemplatesOf(manifest)).toStrictEqual([]);
    expect(podSpecsOf(manifest)).toStrictEqual([]);
  });
});
