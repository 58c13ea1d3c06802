/**
 * Pod Security Standards, "restricted" profile (which includes "baseline"), checked on plain JSON pod
 * specs as synthesized. See https://kubernetes.io/docs/concepts/security/pod-security-standards/.
 *
 * The rules are those the Pod Security admission controller enforces at version 1.27, the oldest
 * Kubernetes this library targets. Later versions only relax them (more safe sysctls, the
 * container_engine_t SELinux type), so a pod spec that passes here passes there too. Unset fields
 * (undefined or null) count as unset, like the API server treats them.
 *
 * Messages name the pod, volume or container and the field, e.g.
 * `container "web": securityContext.allowPrivilegeEscalation must be false`. They carry no trailing
 * period so callers can embed them in sentences.
 */

/** Volume sources the restricted profile allows. */
const ALLOWED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

/** Capabilities baseline allows adding (the container runtime's default set). Restricted allows NET_BIND_SERVICE only. */
const BASELINE_CAPABILITIES = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];
const RESTRICTED_CAPABILITIES = ['NET_BIND_SERVICE'];

/** Safe sysctls as of 1.27 (1.29 adds net.ipv4.tcp_keepalive_time, tcp_fin_timeout, tcp_keepalive_intvl and tcp_keepalive_probes). */
const SAFE_SYSCTLS = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports'];

/** SELinux types baseline allows as of 1.27 (1.31 adds container_engine_t); '' counts as unset. */
const SELINUX_TYPES = ['container_t', 'container_init_t', 'container_kvm_t'];

const SECCOMP_TYPES = ['RuntimeDefault', 'Localhost'];
const APPARMOR_TYPES = ['RuntimeDefault', 'Localhost'];
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

/** The container lists of a pod spec, in the order they run, and how messages call their members. */
const CONTAINER_LISTS: Array<[field: string, noun: string]> = [
  ['initContainers', 'initContainer'],
  ['containers', 'container'],
  ['ephemeralContainers', 'ephemeralContainer'],
];

/**
 * Everything in a pod spec that the Pod Security Standards "restricted" profile forbids.
 *
 * @param podSpec a PodSpec as plain JSON (a Pod's `spec`, a workload's `spec.template.spec`)
 * @param where prefixed to every message, e.g. `StatefulSet/db`
 * @param podMetadata the pod's (or pod template's) metadata, for the AppArmor annotations
 * @returns one message per violation; empty when the pod spec meets the profile
 */
export function restrictedViolations(podSpec: any, where?: string, podMetadata?: any): string[] {
  const out: string[] = [];
  const report = (subject: string, message: string) => out.push(`${where ? `${where}: ` : ''}${subject}: ${message}`);
  const spec = podSpec ?? {};
  const podSc = spec.securityContext ?? {};
  // The Linux-only controls do not apply to pods declared as Windows pods (spec.os.name, 1.25+).
  const windows = spec.os?.name === 'windows';

  // ---- pod level
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[field] === true) report('pod', `${field} must be false or unset`);
  }
  checkCommonSecurityContext(podSc, msg => report('pod', msg));
  for (const [i, sysctl] of asArray(podSc.sysctls).entries()) {
    if (!SAFE_SYSCTLS.includes(sysctl?.name)) {
      report('pod', `securityContext.sysctls[${i}] ${show(sysctl?.name)} is not a safe sysctl; allowed: ${SAFE_SYSCTLS.join(', ')}`);
    }
  }
  if (podSc.runAsNonRoot === false) report('pod', 'securityContext.runAsNonRoot must not be false');
  const podSeccompOk = SECCOMP_TYPES.includes(podSc.seccompProfile?.type);
  for (const [key, value] of Object.entries(podMetadata?.annotations ?? {})) {
    if (key.startsWith(APPARMOR_ANNOTATION) && value !== 'runtime/default' && !String(value).startsWith('localhost/')) {
      report('pod', `metadata.annotations[${show(key)}] must be runtime/default or localhost/<profile>, got ${show(value)}`);
    }
  }

  // ---- volumes
  for (const [i, volume] of asArray(spec.volumes).entries()) {
    const subject = `volume ${show(volume?.name ?? `#${i}`)}`;
    for (const [type, source] of Object.entries(volume ?? {})) {
      if (type === 'name' || source == null) continue;
      if (type === 'hostPath') {
        report(subject, 'hostPath volumes are forbidden');
      } else if (!ALLOWED_VOLUME_TYPES.includes(type)) {
        report(subject, `volume type ${type} is not allowed; use ${ALLOWED_VOLUME_TYPES.join(', ')}`);
      }
    }
  }

  // ---- containers, init containers, ephemeral containers
  for (const [field, noun] of CONTAINER_LISTS) {
    for (const [i, container] of asArray(spec[field]).entries()) {
      const subject = `${noun} ${show(container?.name ?? `#${i}`)}`;
      const problem = (msg: string) => report(subject, msg);
      const sc = container?.securityContext ?? {};

      checkCommonSecurityContext(sc, problem);
      if (sc.privileged === true) problem('securityContext.privileged must be false or unset');
      if (sc.procMount != null && sc.procMount !== 'Default') {
        problem(`securityContext.procMount must be Default or unset, got ${show(sc.procMount)}`);
      }
      for (const [p, port] of asArray(container?.ports).entries()) {
        if (port?.hostPort != null && port.hostPort !== 0) problem(`ports[${p}].hostPort must be 0 or unset, got ${show(port.hostPort)}`);
      }

      // capabilities: baseline limits what may be added; restricted (Linux only) also requires dropping ALL
      const allowedAdd = windows ? BASELINE_CAPABILITIES : RESTRICTED_CAPABILITIES;
      for (const cap of asArray(sc.capabilities?.add)) {
        if (!allowedAdd.includes(cap)) {
          const bare = typeof cap === 'string' && cap.toUpperCase().startsWith('CAP_') ? cap.slice(4).toUpperCase() : undefined;
          const hint = bare && allowedAdd.includes(bare) ? ` (capability names have no CAP_ prefix: use ${show(bare)})` : '';
          problem(`securityContext.capabilities.add must not include ${show(cap)}; only ${allowedAdd.join(', ')} may be added${hint}`);
        }
      }
      if (!windows && !asArray(sc.capabilities?.drop).includes('ALL')) {
        problem('securityContext.capabilities.drop must include "ALL"');
      }

      if (!windows && sc.allowPrivilegeEscalation !== false) problem('securityContext.allowPrivilegeEscalation must be false');

      if (sc.runAsNonRoot === false) {
        problem('securityContext.runAsNonRoot must not be false');
      } else if (sc.runAsNonRoot !== true && podSc.runAsNonRoot !== true) {
        problem('securityContext.runAsNonRoot must be true (set it here or in the pod securityContext)');
      }

      // An explicit bad type is checked (for every OS) by checkCommonSecurityContext.
      if (!windows && sc.seccompProfile?.type == null && !podSeccompOk) {
        problem('securityContext.seccompProfile.type must be RuntimeDefault or Localhost (set it here or in the pod securityContext)');
      }
    }
  }
  return out;
}

/** The pod specs inside a Pod, PodTemplate, workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job) or CronJob. */
export function podSpecsOf(manifest: any): any[] {
  return podTemplatesOf(manifest).map(t => t.spec);
}

/**
 * The pod templates (`{ metadata, spec }`) inside a manifest: the Pod itself, a workload's
 * `spec.template`, or a CronJob's `spec.jobTemplate.spec.template`. Empty for other kinds.
 */
export function podTemplatesOf(manifest: any): any[] {
  let template: any;
  switch (manifest?.kind) {
    case 'Pod':
      template = manifest;
      break;
    case 'PodTemplate':
      template = manifest.template;
      break;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Job':
      template = manifest.spec?.template;
      break;
    case 'CronJob':
      template = manifest.spec?.jobTemplate?.spec?.template;
      break;
    // other kinds: no template, so no pod spec
  }
  return template?.spec != null && typeof template.spec === 'object' ? [{ metadata: template.metadata ?? {}, spec: template.spec }] : [];
}

/** Rules shared by the pod and the container security contexts. */
function checkCommonSecurityContext(sc: any, problem: (msg: string) => void): void {
  if (sc.windowsOptions?.hostProcess === true) problem('securityContext.windowsOptions.hostProcess must be false or unset');

  const se = sc.seLinuxOptions ?? {};
  if (se.type != null && se.type !== '' && !SELINUX_TYPES.includes(se.type)) {
    problem(`securityContext.seLinuxOptions.type must be ${SELINUX_TYPES.join(', ')} or unset, got ${show(se.type)}`);
  }
  for (const field of ['user', 'role']) {
    if (se[field] != null && se[field] !== '') problem(`securityContext.seLinuxOptions.${field} must be unset, got ${show(se[field])}`);
  }

  if (sc.runAsUser === 0) problem('securityContext.runAsUser must not be 0 (root)');

  const seccomp = sc.seccompProfile?.type;
  if (seccomp != null && !SECCOMP_TYPES.includes(seccomp)) {
    problem(`securityContext.seccompProfile.type must be RuntimeDefault or Localhost, got ${show(seccomp)}`);
  }
  // appArmorProfile is the 1.30+ field replacing the annotation; the same values are allowed.
  const apparmor = sc.appArmorProfile?.type;
  if (apparmor != null && !APPARMOR_TYPES.includes(apparmor)) {
    problem(`securityContext.appArmorProfile.type must be RuntimeDefault or Localhost, got ${show(apparmor)}`);
  }
}

function asArray(value: any): any[] {
  return Array.isArray(value) ? value : [];
}

/** JSON, or `undefined` (which JSON.stringify returns for undefined, functions and symbols). */
function show(value: unknown): string {
  return String(JSON.stringify(value));
}
