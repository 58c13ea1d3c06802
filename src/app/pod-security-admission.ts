import { ApiObject } from 'cdk8s';
import { Namespace } from 'cdk8s-plus-27';
import { AppIndex } from '../private/app-index';
import { restrictedViolations } from '../private/pod-security';
import { fail, show } from '../private/validation';

/**
 * A level of the Pod Security Standards, as the Pod Security admission controller applies it to a
 * namespace.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
export enum PodSecurityLevel {
  /** No restrictions. */
  PRIVILEGED = 'privileged',
  /** Prevents known privilege escalations: no host namespaces, privileged containers or hostPath volumes. */
  BASELINE = 'baseline',
  /**
   * Hardened: non-root, every capability dropped, seccomp `RuntimeDefault`, no privilege escalation.
   * What this library's pods meet by default.
   */
  RESTRICTED = 'restricted',
}

/**
 * The version of the Pod Security Standards a namespace is checked against: a Kubernetes minor
 * version (`v1.27`) or `latest`.
 *
 * Pinning a version keeps the admission decisions of a namespace stable across cluster
 * upgrades; `latest` follows the cluster and shows what the next upgrade would refuse.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces
 */
export class PodSecurityVersion {
  /** The version of the cluster's own API server, whatever it is. */
  public static readonly LATEST = new PodSecurityVersion('latest');

  /** Kubernetes 1.27, the version this library's pods are checked against. */
  public static readonly V1_27 = new PodSecurityVersion('v1.27');

  /**
   * A version by its name: `latest`, or a Kubernetes minor version written `v1.30` or `1.30`.
   *
   * @param version the version, e.g. `v1.30`
   */
  public static of(version: string): PodSecurityVersion {
    if (version === 'latest') return PodSecurityVersion.LATEST;
    const m = /^v?1\.(0|[1-9][0-9]*)$/.exec(version);
    if (!m) {
      throw fail('PodSecurityVersion.of()', 'version', version,
        'Must be "latest" or a Kubernetes minor version such as "v1.27" (the admission controller refuses anything else in the label)',
        'Write the version as "v1.<minor>", or use PodSecurityVersion.LATEST');
    }
    return new PodSecurityVersion(`v1.${m[1]}`);
  }

  /** The label value, e.g. `v1.27` or `latest`. */
  public readonly value: string;

  private constructor(value: string) {
    this.value = value;
  }
}

/**
 * The Pod Security admission modes of a namespace: what the API server refuses (`enforce`), what
 * it records in the audit log (`audit`) and what it warns about on apply (`warn`), each with the
 * version of the standards it applies.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/
 */
export interface PodSecurityAdmissionOptions {
  /**
   * The level pods must meet: the API server refuses other pods (their controllers' creates fail,
   * `FailedCreate`).
   *
   * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces
   * @default PodSecurityLevel.RESTRICTED
   */
  readonly enforce?: PodSecurityLevel;

  /**
   * The version of the standards `enforce` applies. Pinned by default, so a cluster upgrade never
   * starts refusing pods that ran before.
   *
   * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces
   * @default PodSecurityVersion.V1_27
   */
  readonly enforceVersion?: PodSecurityVersion;

  /**
   * The level whose violations are recorded in the API server's audit log (the pod is allowed).
   *
   * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces
   * @default - the `enforce` level
   */
  readonly audit?: PodSecurityLevel;

  /**
   * The version of the standards `audit` applies.
   *
   * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces
   * @default PodSecurityVersion.LATEST: shows what a cluster upgrade would refuse
   */
  readonly auditVersion?: PodSecurityVersion;

  /**
   * The level whose violations the API server returns as warnings to the client that applies the
   * pod or workload (`kubectl apply`, Argo CD).
   *
   * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces
   * @default - the `enforce` level
   */
  readonly warn?: PodSecurityLevel;

  /**
   * The version of the standards `warn` applies.
   *
   * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces
   * @default PodSecurityVersion.LATEST: shows what a cluster upgrade would refuse
   */
  readonly warnVersion?: PodSecurityVersion;
}

const LABEL_PREFIX = 'pod-security.kubernetes.io';

/**
 * Pod Security admission for namespaces: the labels that make the API server enforce, audit and
 * warn about a level of the Pod Security Standards, on a cdk8s-plus-27 `Namespace`.
 *
 * `PodSecurityAdmission.apply(namespace)` labels the namespace `restricted` (enforce pinned to
 * v1.27, audit and warn at `latest`), the level this library's pods meet by default. With
 * `enforce: RESTRICTED`, synthesis also checks every pod the app renders into that namespace
 * (Deployments, StatefulSets, Jobs, ..., whoever made them) against the profile: a pod the API
 * server would refuse fails synthesis, naming the workload and the field, instead of a controller
 * that never creates its pods.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/
 * @example
 * import { Namespace } from 'cdk8s-plus-27';
 * import { PodSecurityAdmission } from 'cdk8s-stateful';
 *
 * const shop = new Namespace(chart, 'shop', { metadata: { name: 'shop' } });
 * PodSecurityAdmission.apply(shop);
 */
export class PodSecurityAdmission {
  /**
   * Labels a namespace for Pod Security admission, and (with `enforce: RESTRICTED`) checks at
   * synthesis that every pod the app renders into it meets the profile. Labels the namespace
   * already has with these keys are replaced.
   *
   * @param ns the cdk8s-plus-27 Namespace
   * @param options the levels and versions
   * @returns the labels added
   * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/
   */
  public static apply(ns: Namespace, options: PodSecurityAdmissionOptions = {}): { [key: string]: string } {
    const labels = PodSecurityAdmission.labels(options);
    for (const [key, value] of Object.entries(labels)) ns.metadata.addLabel(key, value);
    if ((options.enforce ?? PodSecurityLevel.RESTRICTED) === PodSecurityLevel.RESTRICTED) {
      const where = `PodSecurityAdmission '${ns.node.path}'`;
      ns.node.addValidation({
        validate: () => AppIndex.of(ns).memo(ns, () => restrictedPodErrors(where, ns)),
      });
    }
    return labels;
  }

  /**
   * The namespace labels for these options, e.g. for a namespace rendered another way:
   * `pod-security.kubernetes.io/enforce: restricted`, `enforce-version: v1.27`, and the same for
   * `audit` and `warn`.
   *
   * @param options the levels and versions
   * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces
   */
  public static labels(options: PodSecurityAdmissionOptions = {}): { [key: string]: string } {
    const enforce = options.enforce ?? PodSecurityLevel.RESTRICTED;
    const modes: Array<[string, PodSecurityLevel, PodSecurityVersion]> = [
      ['enforce', enforce, options.enforceVersion ?? PodSecurityVersion.V1_27],
      ['audit', options.audit ?? enforce, options.auditVersion ?? PodSecurityVersion.LATEST],
      ['warn', options.warn ?? enforce, options.warnVersion ?? PodSecurityVersion.LATEST],
    ];
    const labels: { [key: string]: string } = {};
    for (const [mode, level, version] of modes) {
      if (!Object.values(PodSecurityLevel).includes(level)) {
        throw fail('PodSecurityAdmission', mode, level, `Must be one of ${show(Object.values(PodSecurityLevel))}`,
          `Use PodSecurityLevel.RESTRICTED, BASELINE or PRIVILEGED for '${mode}'`);
      }
      labels[`${LABEL_PREFIX}/${mode}`] = level;
      labels[`${LABEL_PREFIX}/${mode}-version`] = version.value;
    }
    return labels;
  }

  private constructor() {}
}

/**
 * Every pod rendered into the namespace that the restricted profile forbids: one error per
 * workload, naming its violations.
 */
function restrictedPodErrors(where: string, namespace: Namespace): string[] {
  const name = ApiObject.of(namespace).name;
  return AppIndex.of(namespace).podConsumers()
    .filter(pod => pod.namespace === name)
    .flatMap(pod => {
      const violations = restrictedViolations(pod.podSpec);
      if (violations.length === 0) return [];
      return [fail(where, 'enforce', PodSecurityLevel.RESTRICTED,
        `Every pod of namespace ${show(name)} must meet the "restricted" profile, or the API server refuses it and ${pod.kind} ${show(pod.name)} `
        + `never gets its pods (FailedCreate): ${violations.join('; ')}`,
        'Harden the workload (PodDefaults.harden() for a cdk8s-plus workload; a StatefulWorkload is restricted unless \'restrictedPodSecurity\' is false), '
        + 'or enforce a lower level on this namespace (enforce: PodSecurityLevel.BASELINE)').message];
    });
}
