/**
 * Kubernetes validation rules for the pod templates and claim templates this library renders.
 *
 * The API server validates a StatefulSet's pod template only shallowly and its claim templates
 * hardly at all (1.27): a template whose Pod or PersistentVolumeClaim would be refused is stored,
 * and the controller's creates then fail (FailedCreate events, pods never appear). These rules
 * repeat, at synth time, what the API server checks when the Pod or claim itself is created
 * (kubernetes pkg/apis/core/validation/validation.go: ValidatePodSpec, validateContainers,
 * ValidateResourceRequirements, validateEnv, validateProbe, validateVolumes, ValidateVolumeMounts,
 * validateTolerations, validateAffinity, validateTopologySpreadConstraints,
 * ValidatePersistentVolumeClaimSpec; apimachinery ValidateLabels, ValidateAnnotations,
 * ValidateLabelSelector). The API server's message for each rule is cited next to it.
 *
 * Input is the rendered Kubernetes JSON (as in the manifest), never the construct props, so every
 * construct that renders a pod or a claim shares the rules. A rule returns problems in the
 * library's error shape (`fail()`): the prop, the value, what is allowed and the fix.
 *
 * Every regular expression is compiled once, here; the rules walk the JSON once and never
 * serialize it (except the annotations' total size, which the API server measures in bytes).
 */
import { parseQuantity } from './quantity';
import { isLabelValue, isQualifiedName } from './storage-checks';
import { fail, isDns1123Subdomain, show } from './validation';

/** One thing the API server would refuse, in the library's error shape. */
export interface RuleProblem {
  /** The prop, e.g. `container "db" resources.requests.cpu`. */
  readonly prop: string;
  /** The value received. */
  readonly value: unknown;
  /** What is allowed (with the API server's reason). */
  readonly allowed: string;
  /** How to fix it. */
  readonly fix: string;
}

/** Options of `podTemplateProblems()`. */
export interface PodRuleOptions {
  /**
   * Names of volumes the controller adds to the pod (a StatefulSet's claim templates): mounts of
   * them are valid.
   */
  readonly extraVolumeNames?: string[];
  /**
   * The caller already reports mounts of unknown volumes and repeated mount paths in its own
   * words (StatefulWorkload names its claim templates); skip those two rules. (A pod volume named
   * like an extra volume is the caller's to report either way.)
   */
  readonly mountReferencesChecked?: boolean;
}

/** Throws the first problem, if any, as the library's error (for eager checks in constructors). */
export function throwFirst(where: string, problems: RuleProblem[]): void {
  const p = problems[0];
  if (p) throw fail(where, p.prop, p.value, p.allowed, p.fix);
}

/** Every problem as the library's error message, for `node.addValidation`. */
export function problemMessages(where: string, problems: RuleProblem[]): string[] {
  return problems.map(p => fail(where, p.prop, p.value, p.allowed, p.fix).message);
}

// ---------------------------------------------------------------- patterns (compiled once)

/** IsEnvVarName (1.27): `[-._a-zA-Z][-._a-zA-Z0-9]*`. */
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
/** IsConfigMapKey: `[-._a-zA-Z0-9]+`, at most 253 characters. */
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;
/** IsValidSysctlName: dot- or slash-separated segments, at most 253 characters. */
const SYSCTL_NAME = /^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/;
/** A DNS-1123 label (volume names, namespaces). */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** IANA_SVC_NAME (named probe ports): checked like port names. */
const IANA_SVC_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const HAS_LETTER = /[a-z]/;
const INTEGER = /^-?[0-9]+$/;

/**
 * An image reference in the grammar of the docker distribution library
 * (github.com/distribution/reference, reference.go), which the container runtime uses to pull:
 * `[host[:port]/]path[:tag][@algorithm:hex]`, the path lower case components separated by `/`,
 * `.`, `_`, `__` or dashes; a tag `[\w][\w.-]{0,127}`; a digest `algorithm:hex` (32 or more hex
 * digits). Stricter than the API server, which only requires a non-empty image without leading or
 * trailing whitespace: anything else is accepted there and then fails to pull
 * (InvalidImageName / ErrImagePull), so the pods never start.
 */
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE_NAME = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const IMAGE_TAG = /^[\w][\w.-]{0,127}$/;
const IMAGE_DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
/** distribution's NameTotalLengthMax. */
const IMAGE_NAME_MAX = 255;

/** ValidateAnnotations: TotalAnnotationSizeLimitB = 256 KiB of keys and values. */
const TOTAL_ANNOTATION_SIZE = 256 * 1024;
const MAX_INT32 = 2147483647;

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const ACCESS_MODES = new Set(['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod']);
const VOLUME_MODES = new Set(['Filesystem', 'Block']);
const UNSATISFIABLE = new Set(['DoNotSchedule', 'ScheduleAnyway']);
const INCLUSION_POLICIES = new Set(['Honor', 'Ignore']);
const TAINT_EFFECTS = new Set(['NoSchedule', 'PreferNoSchedule', 'NoExecute']);
const SELECTOR_OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);
const NODE_SELECTOR_OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']);
const SECCOMP_TYPES = new Set(['RuntimeDefault', 'Unconfined', 'Localhost']);
const FS_GROUP_CHANGE_POLICIES = new Set(['OnRootMismatch', 'Always']);
const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);
const MOUNT_PROPAGATIONS = new Set(['None', 'HostToContainer', 'Bidirectional']);
const HTTP_SCHEMES = new Set(['HTTP', 'HTTPS']);
/** Fields of a Volume that are not its source. */
const VOLUME_NON_SOURCE = new Set(['name']);

const LABEL_KEY_ALLOWED = 'Must be a qualified name: an optional DNS subdomain prefix and \'/\', then at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit';
const LABEL_VALUE_ALLOWED = 'Must be a label value: empty, or at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit';

function list(values: Set<string>): string {
  return [...values].map(v => `"${v}"`).join(', ');
}

// ---------------------------------------------------------------- metadata

/**
 * Labels: keys qualified names, values label values (apimachinery ValidateLabels: "name part must
 * consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric
 * character"; "a valid label must be an empty string or consist of alphanumeric characters, '-',
 * '_' or '.', and must start and end with an alphanumeric character"; "must be no more than 63
 * characters").
 *
 * @param prop the prop of the map, e.g. `podMetadata.labels` or `nodeSelector`
 */
export function labelProblems(prop: string, labels: { [key: string]: unknown } | undefined): RuleProblem[] {
  const problems: RuleProblem[] = [];
  if (!labels) return problems;
  for (const [key, value] of Object.entries(labels)) {
    if (!isQualifiedName(key)) {
      problems.push({ prop: `${prop} key`, value: key, allowed: LABEL_KEY_ALLOWED, fix: `Rename the key in '${prop}', e.g. "app.kubernetes.io/component"` });
    }
    if (typeof value !== 'string' || !isLabelValue(value)) {
      problems.push({
        prop: `${prop}[${show(key)}]`,
        value,
        allowed: LABEL_VALUE_ALLOWED,
        fix: `Set '${prop}[${show(key)}]' to a label value such as "primary" (no spaces, '/' or ':'); put longer text in an annotation`,
      });
    }
  }
  return problems;
}

/**
 * Annotations: keys qualified names, at most 256 KiB of keys and values together (ValidateAnnotations:
 * "must have at most 262144 bytes").
 */
export function annotationProblems(prop: string, annotations: { [key: string]: unknown } | undefined): RuleProblem[] {
  const problems: RuleProblem[] = [];
  if (!annotations) return problems;
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) {
    // the API server lower-cases the key before the check
    if (!isQualifiedName(key.toLowerCase())) {
      problems.push({ prop: `${prop} key`, value: key, allowed: LABEL_KEY_ALLOWED, fix: `Rename the key in '${prop}', e.g. "example.com/owner"` });
    }
    size += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  }
  if (size > TOTAL_ANNOTATION_SIZE) {
    problems.push({
      prop,
      value: `${size} bytes`,
      allowed: `Keys and values together must be at most ${TOTAL_ANNOTATION_SIZE} bytes (256 KiB)`,
      fix: 'Move large values into a ConfigMap and mount it',
    });
  }
  return problems;
}

/**
 * A label selector (ValidateLabelSelector): matchLabels as labels; matchExpressions with a qualified
 * key, an operator In/NotIn (with values: "must be specified when `operator` is 'In' or 'NotIn'") or
 * Exists/DoesNotExist (without: "may not be specified when `operator` is 'Exists' or 'DoesNotExist'").
 */
export function selectorProblems(prop: string, selector: any): RuleProblem[] {
  if (!selector) return [];
  const problems = labelProblems(`${prop}.matchLabels`, selector.matchLabels);
  (selector.matchExpressions ?? []).forEach((e: any, i: number) => {
    const at = `${prop}.matchExpressions[${i}]`;
    problems.push(...requirementProblems(at, e, SELECTOR_OPERATORS));
  });
  return problems;
}

/** A selector requirement (label selector or node selector term). */
function requirementProblems(at: string, e: any, operators: Set<string>): RuleProblem[] {
  const problems: RuleProblem[] = [];
  if (!isQualifiedName(String(e.key ?? ''))) {
    problems.push({ prop: `${at}.key`, value: e.key, allowed: LABEL_KEY_ALLOWED, fix: `Set '${at}.key' to a label key such as "topology.kubernetes.io/zone"` });
  }
  const values: unknown[] = e.values ?? [];
  if (!operators.has(e.operator)) {
    problems.push({ prop: `${at}.operator`, value: e.operator, allowed: `Must be one of ${list(operators)}`, fix: `Set '${at}.operator' to one of them` });
  } else if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0) {
    problems.push({ prop: `${at}.values`, value: values, allowed: `Must list at least one value when the operator is ${e.operator}`, fix: 'Add the values to match, or use the operator Exists' });
  } else if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length > 0) {
    problems.push({ prop: `${at}.values`, value: values, allowed: `Must be empty when the operator is ${e.operator}`, fix: 'Remove the values, or use the operator In' });
  } else if ((e.operator === 'Gt' || e.operator === 'Lt') && (values.length !== 1 || !INTEGER.test(String(values[0])))) {
    // validateNodeSelectorRequirement: "must be specified single value when `operator` is 'Lt' or 'Gt'"
    problems.push({ prop: `${at}.values`, value: values, allowed: `Must be a single integer when the operator is ${e.operator}`, fix: 'Give exactly one whole number' });
  } else if (e.operator === 'In' || e.operator === 'NotIn') {
    // (a label selector allows no other operator with values; a node selector's Gt and Lt take an integer)
    values.forEach((v, j) => {
      if (typeof v !== 'string' || !isLabelValue(v)) {
        problems.push({ prop: `${at}.values[${j}]`, value: v, allowed: LABEL_VALUE_ALLOWED, fix: 'Use the label value exactly as the objects carry it' });
      }
    });
  }
  return problems;
}

// ---------------------------------------------------------------- containers

/** A container image (see IMAGE_NAME). */
export function imageProblem(prop: string, image: unknown): RuleProblem | undefined {
  const example = 'Set it to a reference such as "docker.io/library/postgres:16.4" or "registry.example.com/team/app@sha256:<64 hex digits>"';
  if (typeof image !== 'string' || image.length === 0) {
    // validateContainerCommon: "spec.containers[0].image: Required value"
    return { prop, value: image ?? '', allowed: 'An image is required: the API server refuses a pod without one', fix: example };
  }
  if (image.trim() !== image) {
    // "must not have leading or trailing whitespace"
    return { prop, value: image, allowed: 'Must not have leading or trailing whitespace (the API server refuses it)', fix: `Set it to ${show(image.trim())}` };
  }
  if (!isImageReference(image)) {
    return {
      prop,
      value: image,
      allowed: 'Must be an image reference [registry[:port]/]repository[:tag][@digest]: a lower-case repository path, a tag of at most 128 letters, digits, \'_\', \'.\' or \'-\', a digest algorithm:hex; '
        + 'the runtime cannot pull anything else (InvalidImageName) and the pods never start',
      fix: example,
    };
  }
  return undefined;
}

/** Whether a string is an image reference the runtime can parse. */
export function isImageReference(image: string): boolean {
  if (image.length > 4096) return false;
  let rest = image;
  const at = rest.indexOf('@');
  if (at >= 0) {
    if (!IMAGE_DIGEST.test(rest.slice(at + 1))) return false;
    rest = rest.slice(0, at);
  }
  // a tag follows the last ':' after the last '/' (a ':' before it is the registry's port)
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    if (!IMAGE_TAG.test(rest.slice(colon + 1))) return false;
    rest = rest.slice(0, colon);
  }
  return rest.length <= IMAGE_NAME_MAX && IMAGE_NAME.test(rest);
}

/**
 * Whether an image reference is pinned: a digest, or a tag other than `latest` (a reference
 * without a tag means `latest`). A pinned tag can still be re-pushed; a digest cannot.
 */
export function isPinnedImage(image: string): boolean {
  if (image.includes('@')) return true;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > lastSlash && image.slice(colon + 1) !== 'latest';
}

/**
 * Requests and limits (ValidateResourceRequirements): quantities in the API's format, not negative
 * ("must be greater than or equal to 0"), a request at most its limit ("must be less than or equal
 * to cpu limit"), and for resources that cannot be overcommitted (hugepages, extended resources)
 * a limit whenever there is a request ("Limit must be set for non overcommitable resources") and
 * a request equal to its limit ("must be equal to example.com/gpu limit").
 */
function resourceProblems(at: string, resources: any): RuleProblem[] {
  const problems: RuleProblem[] = [];
  if (!resources) return problems;
  const parsed = (kind: 'requests' | 'limits') => {
    const values = new Map<string, number>();
    for (const [name, raw] of Object.entries<any>(resources[kind] ?? {})) {
      const prop = `${at}.${kind}.${name}`;
      if (!isQualifiedName(name) || (!name.includes('/') && !STANDARD_CONTAINER_RESOURCES.has(name) && !name.startsWith('hugepages-'))) {
        // validateContainerResourceName: "must be a standard resource for containers"
        problems.push({ prop, value: name, allowed: 'Must be cpu, memory, ephemeral-storage, hugepages-<size> or an extended resource with a domain (example.com/gpu)', fix: 'Use one of those resource names' });
        continue;
      }
      const value = parseQuantity(raw);
      if (value === undefined) {
        // "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        problems.push({ prop, value: raw, allowed: 'Must be a quantity: a number with an optional suffix (m, k, M, G, Ki, Mi, Gi, ...)', fix: 'Write it as e.g. "500m" or "1Gi"' });
      } else if (value < 0) {
        problems.push({ prop, value: raw, allowed: 'Must be greater than or equal to 0', fix: `Set '${prop}' to a positive quantity` });
      } else if (value === 0 && kind === 'limits' && (name === 'memory' || name === 'cpu')) {
        // the API server takes it, but the container runtime reads a limit of 0 as none, and an
        // unset request defaults to the limit: 0
        problems.push({
          prop,
          value: raw,
          allowed: `Must be above 0: a ${name} limit of 0 is no limit at all (the container runtime sets none), and a ${name} request left out defaults to it, 0`,
          fix: name === 'memory'
            ? `Set '${prop}' to the most the container may use, e.g. "512Mi", or leave it out`
            : `Set '${prop}' to the most the container may use, e.g. "1", or leave it out (no CPU limit)`,
        });
      } else {
        values.set(name, value);
      }
    }
    return values;
  };
  const requests = parsed('requests');
  const limits = parsed('limits');
  for (const [name, request] of requests) {
    const limit = limits.get(name);
    const raw = resources.requests[name];
    const overcommit = STANDARD_CONTAINER_RESOURCES.has(name);
    if (limit === undefined) {
      // "Limit must be set for non overcommitable resources" (an unparseable limit is reported already)
      if (!overcommit && resources.limits?.[name] === undefined) {
        problems.push({
          prop: `${at}.limits.${name}`,
          value: undefined,
          allowed: `A ${name} limit is required when ${name} is requested: ${name} cannot be overcommitted, and the API server refuses the pod`,
          fix: `Set the ${name} limit to the request, ${show(raw)}`,
        });
      }
      continue;
    }
    const rawLimit = resources.limits[name];
    if (!overcommit && request !== limit) {
      problems.push({
        prop: `${at}.requests.${name}`,
        value: raw,
        allowed: `Must equal the ${name} limit (${show(rawLimit)}): ${name} cannot be overcommitted, and the API server refuses the pod`,
        fix: `Set the ${name} request and limit to the same quantity`,
      });
    } else if (request > limit) {
      problems.push({
        prop: `${at}.requests.${name}`,
        value: raw,
        allowed: `Must be less than or equal to the ${name} limit (${show(rawLimit)}): the API server refuses the pod, so the controller creates none`,
        fix: `Lower the ${name} request to at most ${show(rawLimit)}, or raise the limit`,
      });
    }
  }
  return problems;
}

/**
 * Environment variables (validateEnv, validateEnvFrom): names and envFrom prefixes match
 * IsEnvVarName ("a valid environment variable name must consist of alphabetic characters, digits,
 * '_', '-', or '.', and must not start with a digit"); keys of ConfigMap and Secret references match
 * IsConfigMapKey.
 */
function envProblems(at: string, container: any): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const envFix = 'Rename it, e.g. "DB_HOST"';
  (container.env ?? []).forEach((e: any, i: number) => {
    if (typeof e.name !== 'string' || !ENV_VAR_NAME.test(e.name)) {
      problems.push({ prop: `${at} env[${i}].name`, value: e.name, allowed: 'Must be an environment variable name: letters, digits, \'_\', \'-\' or \'.\', not starting with a digit (the API server refuses the pod)', fix: envFix });
    }
    const ref = e.valueFrom?.configMapKeyRef ?? e.valueFrom?.secretKeyRef;
    if (ref && !isConfigMapKey(ref.key)) {
      problems.push({ prop: `${at} env[${i}].valueFrom.key`, value: ref.key, allowed: 'Must be a ConfigMap or Secret key: at most 253 letters, digits, \'-\', \'_\' or \'.\'', fix: 'Use the key exactly as the ConfigMap or Secret defines it' });
    }
  });
  (container.envFrom ?? []).forEach((e: any, i: number) => {
    if (e.prefix !== undefined && e.prefix !== '' && !ENV_VAR_NAME.test(e.prefix)) {
      problems.push({ prop: `${at} envFrom[${i}].prefix`, value: e.prefix, allowed: 'Must be a valid start of an environment variable name: letters, digits, \'_\', \'-\' or \'.\', not starting with a digit', fix: envFix });
    }
  });
  return problems;
}

/** IsConfigMapKey: a key of a ConfigMap's or Secret's data, as `configMapKeyRef.key` and `secretKeyRef.key` must be. */
export function isConfigMapKey(key: unknown): boolean {
  return typeof key === 'string' && key.length <= 253 && CONFIG_MAP_KEY.test(key) && key !== '.' && !key.startsWith('..');
}

/**
 * Probes (validateProbe, validateHandler): exactly one handler ("must specify a handler type",
 * "may not specify more than 1 handler type"); counts and seconds not negative ("must be greater
 * than or equal to 0"; zero means the default); liveness and startup probes succeed once ("must
 * be 1"); terminationGracePeriodSeconds above zero ("must be greater than 0") and not on readiness
 * probes ("must not be set for readinessProbes"); ports 1-65535 or a port name.
 */
function probeProblems(at: string, kind: 'livenessProbe' | 'readinessProbe' | 'startupProbe', probe: any): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const p = `${at} ${kind}`;
  const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter(h => probe[h] !== undefined);
  if (handlers.length !== 1) {
    problems.push({ prop: p, value: handlers, allowed: 'Must have exactly one handler: exec, httpGet, tcpSocket or grpc', fix: 'Use one of Probe.fromCommand(), fromHttpGet(), fromTcpSocket()' });
  }
  for (const field of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    const v = probe[field];
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > MAX_INT32)) {
      problems.push({ prop: `${p}.${field}`, value: v, allowed: 'Must be a whole number of at least 0 (0 means the default)', fix: `Set '${field}' to a positive whole number` });
    }
  }
  if (kind !== 'readinessProbe' && probe.successThreshold !== undefined && probe.successThreshold !== 0 && probe.successThreshold !== 1) {
    problems.push({ prop: `${p}.successThreshold`, value: probe.successThreshold, allowed: `Must be 1 for a ${kind}`, fix: 'Set \'successThreshold\' to 1, or leave it out' });
  }
  const grace = probe.terminationGracePeriodSeconds;
  if (grace !== undefined) {
    if (kind === 'readinessProbe') {
      problems.push({ prop: `${p}.terminationGracePeriodSeconds`, value: grace, allowed: 'Must not be set on a readiness probe', fix: 'Remove it' });
    } else if (!Number.isInteger(grace) || grace <= 0) {
      problems.push({ prop: `${p}.terminationGracePeriodSeconds`, value: grace, allowed: 'Must be a whole number of seconds greater than 0', fix: 'Set it to at least 1 second, or leave it out' });
    }
  }
  if (probe.exec && (probe.exec.command ?? []).length === 0) {
    problems.push({ prop: `${p}.exec.command`, value: probe.exec.command ?? [], allowed: 'Must name a command', fix: 'Give the command to run' });
  }
  const port = probe.httpGet?.port ?? probe.tcpSocket?.port ?? probe.grpc?.port;
  if (port !== undefined && !isPortOrName(port, probe.grpc !== undefined)) {
    problems.push({ prop: `${p}.port`, value: port, allowed: probe.grpc ? 'Must be a port number from 1 to 65535' : 'Must be a port number from 1 to 65535 or a container port name', fix: 'Use the port the container listens on' });
  }
  if (probe.httpGet?.scheme !== undefined && !HTTP_SCHEMES.has(probe.httpGet.scheme)) {
    problems.push({ prop: `${p}.httpGet.scheme`, value: probe.httpGet.scheme, allowed: `Must be one of ${list(HTTP_SCHEMES)}`, fix: 'Use HTTP or HTTPS' });
  }
  return problems;
}

function isPortOrName(port: unknown, numberOnly: boolean): boolean {
  if (typeof port === 'number') return Number.isInteger(port) && port >= 1 && port <= 65535;
  // a string is a port name (IsValidPortName), even "8080": "must contain at least one letter"
  if (numberOnly || typeof port !== 'string') return false;
  return port.length <= 15 && IANA_SVC_NAME.test(port) && HAS_LETTER.test(port) && !port.includes('--');
}

/** A user or group id: 0 to 2147483647 ("must be between 0 and 2147483647, inclusive"). */
function idProblem(prop: string, value: unknown): RuleProblem | undefined {
  if (value === undefined) return undefined;
  if (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_INT32) return undefined;
  return { prop, value, allowed: `Must be a whole number from 0 to ${MAX_INT32}`, fix: 'Use the numeric id the image runs as' };
}

/**
 * Security contexts (ValidateSecurityContext, validatePodSpecSecurityContext): ids in range,
 * seccomp type and localhost profile ("must be set when seccomp type is Localhost", "can only be
 * set when seccomp type is Localhost"), no privilege escalation forbidden together with privileged
 * ("cannot set `allowPrivilegeEscalation` to false and `privileged` to true") or CAP_SYS_ADMIN,
 * sysctl names, fsGroupChangePolicy.
 */
function securityContextProblems(at: string, sc: any, pod: boolean): RuleProblem[] {
  const problems: RuleProblem[] = [];
  if (!sc) return problems;
  for (const field of ['runAsUser', 'runAsGroup', ...pod ? ['fsGroup'] : []]) {
    const p = idProblem(`${at}.${field}`, sc[field]);
    if (p) problems.push(p);
  }
  (sc.supplementalGroups ?? []).forEach((g: unknown, i: number) => {
    const p = idProblem(`${at}.supplementalGroups[${i}]`, g);
    if (p) problems.push(p);
  });
  const seccomp = sc.seccompProfile;
  if (seccomp) {
    if (!SECCOMP_TYPES.has(seccomp.type)) {
      problems.push({ prop: `${at}.seccompProfile.type`, value: seccomp.type, allowed: `Must be one of ${list(SECCOMP_TYPES)}`, fix: 'Use RuntimeDefault' });
    } else if (seccomp.type === 'Localhost' ? !seccomp.localhostProfile : seccomp.localhostProfile !== undefined) {
      // a Localhost profile needs a path; any other type no localhostProfile at all, not even ""
      problems.push({ prop: `${at}.seccompProfile.localhostProfile`, value: seccomp.localhostProfile, allowed: 'Must be set exactly when the seccomp type is Localhost', fix: 'Set both or neither' });
    }
  }
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) {
      problems.push({ prop: `${at}.allowPrivilegeEscalation`, value: false, allowed: 'Cannot be false in a privileged container', fix: 'Drop \'privileged\' (a privileged container can always escalate)' });
    }
    const added: string[] = sc.capabilities?.add ?? [];
    if (added.some(c => c === 'SYS_ADMIN' || c === 'CAP_SYS_ADMIN')) {
      problems.push({ prop: `${at}.allowPrivilegeEscalation`, value: false, allowed: 'Cannot be false when the capability SYS_ADMIN is added', fix: 'Remove SYS_ADMIN from the added capabilities' });
    }
  }
  if (pod && sc.fsGroupChangePolicy !== undefined && !FS_GROUP_CHANGE_POLICIES.has(sc.fsGroupChangePolicy)) {
    problems.push({ prop: `${at}.fsGroupChangePolicy`, value: sc.fsGroupChangePolicy, allowed: `Must be one of ${list(FS_GROUP_CHANGE_POLICIES)}`, fix: 'Use FsGroupChangePolicy.ON_ROOT_MISMATCH' });
  }
  const sysctlNames = new Set<string>();
  (sc.sysctls ?? []).forEach((s: any, i: number) => {
    // validateSysctls: "must have at most 253 characters and match regex ..."; "Duplicate value"
    if (typeof s.name !== 'string' || s.name.length > 253 || !SYSCTL_NAME.test(s.name)) {
      problems.push({ prop: `${at}.sysctls[${i}].name`, value: s.name, allowed: 'Must be a sysctl name such as "net.core.somaxconn" (at most 253 characters)', fix: 'Use the name as sysctl -a prints it' });
    } else if (sysctlNames.has(s.name)) {
      problems.push({ prop: `${at}.sysctls[${i}].name`, value: s.name, allowed: 'Each sysctl may be set once', fix: 'Remove the duplicate' });
    }
    sysctlNames.add(s.name);
  });
  return problems;
}

function containerProblems(c: any, init: boolean, volumeNames: Set<string>, options: PodRuleOptions): RuleProblem[] {
  const at = `${init ? 'init container' : 'container'} ${show(c.name)}`;
  const problems: RuleProblem[] = [];
  const image = imageProblem(`${at} image`, c.image);
  if (image) problems.push(image);
  problems.push(...resourceProblems(`${at} resources`, c.resources));
  problems.push(...envProblems(at, c));
  for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    if (c[kind] === undefined) continue;
    if (init) {
      // validateInitContainers: "may not be set for init containers"
      problems.push({ prop: `${at} ${kind}`, value: c[kind], allowed: 'Init containers may not have probes: they run to completion before the pod starts', fix: 'Remove the probe, or make it a regular container' });
    } else {
      problems.push(...probeProblems(at, kind, c[kind]));
    }
  }
  (c.ports ?? []).forEach((p: any, i: number) => {
    if (p.protocol !== undefined && !PROTOCOLS.has(p.protocol)) {
      problems.push({ prop: `${at} ports[${i}].protocol`, value: p.protocol, allowed: `Must be one of ${list(PROTOCOLS)}`, fix: 'Use TCP, UDP or SCTP' });
    }
    if (p.hostPort !== undefined && !isPortOrName(p.hostPort, true)) {
      problems.push({ prop: `${at} ports[${i}].hostPort`, value: p.hostPort, allowed: 'Must be a port number from 1 to 65535', fix: 'Use a valid port, or leave hostPort out' });
    }
  });
  problems.push(...securityContextProblems(`${at} securityContext`, c.securityContext, false));

  // ValidateVolumeMounts
  const mountPaths = new Set<string>();
  (c.volumeMounts ?? []).forEach((m: any, i: number) => {
    const mp = `${at} volumeMounts[${i}]`;
    if (!options.mountReferencesChecked) {
      if (!volumeNames.has(m.name)) {
        // "volumeMounts[0].name: Not found"
        problems.push({ prop: `${mp}.name`, value: m.name, allowed: 'Must name a volume of the pod', fix: 'Add the volume to the pod, or remove the mount' });
      }
      if (mountPaths.has(m.mountPath)) {
        // "mountPath: Invalid value: ...: must be unique"
        problems.push({ prop: `${mp}.mountPath`, value: m.mountPath, allowed: 'Mount paths must be unique within a container', fix: 'Mount each volume at its own path' });
      }
    }
    mountPaths.add(m.mountPath);
    if (typeof m.mountPath !== 'string' || m.mountPath.length === 0) {
      problems.push({ prop: `${mp}.mountPath`, value: m.mountPath, allowed: 'A mount path is required', fix: 'Set the path to mount the volume at' });
    }
    if (m.subPath !== undefined) {
      // validateLocalDescendingPath: "must be a relative path", "must not contain '..'"
      if (m.subPath.startsWith('/') || m.subPath.split('/').includes('..')) {
        problems.push({ prop: `${mp}.subPath`, value: m.subPath, allowed: 'Must be a relative path inside the volume, without ".." segments', fix: 'Write the path relative to the volume\'s root, e.g. "pgdata"' });
      }
    }
    if (m.mountPropagation !== undefined && !MOUNT_PROPAGATIONS.has(m.mountPropagation)) {
      problems.push({ prop: `${mp}.mountPropagation`, value: m.mountPropagation, allowed: `Must be one of ${list(MOUNT_PROPAGATIONS)}`, fix: 'Leave it out (None)' });
    }
  });
  (c.volumeDevices ?? []).forEach((d: any, i: number) => {
    // validateVolumeDevices: "can not use a devicePath that is also a mountPath"
    if (mountPaths.has(d.devicePath)) {
      problems.push({ prop: `${at} volumeDevices[${i}].devicePath`, value: d.devicePath, allowed: 'Must not be a mount path of the same container', fix: 'Attach the device at its own path' });
    }
  });
  return problems;
}

// ---------------------------------------------------------------- scheduling

/**
 * Topology spread constraints (validateTopologySpreadConstraints): maxSkew above zero ("must be
 * greater than zero"), a topologyKey that is a qualified name ("can not be empty"),
 * whenUnsatisfiable DoNotSchedule or ScheduleAnyway ("Unsupported value"), minDomains above zero
 * and only with DoNotSchedule ("can only use minDomains if whenUnsatisfiable=DoNotSchedule"), no
 * two constraints with the same key and whenUnsatisfiable ("Duplicate value").
 *
 * @param prop the prop of the list, e.g. `topologySpread` or `topologySpreadConstraints`
 */
export function topologySpreadProblems(prop: string, constraints: any[] | undefined): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const seen = new Set<string>();
  (constraints ?? []).forEach((s, i) => {
    const at = `${prop}[${i}]`;
    if (!Number.isInteger(s.maxSkew) || s.maxSkew < 1 || s.maxSkew > MAX_INT32) {
      problems.push({ prop: `${at}.maxSkew`, value: s.maxSkew, allowed: 'Must be a whole number of at least 1: the most the number of pods may differ between two domains', fix: 'Set \'maxSkew\' to 1 for an even spread, or leave it out' });
    }
    if (typeof s.topologyKey !== 'string' || !isQualifiedName(s.topologyKey)) {
      problems.push({ prop: `${at}.topologyKey`, value: s.topologyKey, allowed: `A node label key is required. ${LABEL_KEY_ALLOWED}`, fix: 'Use a node label such as Topology.HOSTNAME or Topology.ZONE' });
    }
    if (!UNSATISFIABLE.has(s.whenUnsatisfiable)) {
      problems.push({ prop: `${at}.whenUnsatisfiable`, value: s.whenUnsatisfiable, allowed: `Must be one of ${list(UNSATISFIABLE)}`, fix: 'Use UnsatisfiableSpread.DO_NOT_SCHEDULE or SCHEDULE_ANYWAY' });
    }
    if (s.minDomains !== undefined) {
      if (!Number.isInteger(s.minDomains) || s.minDomains < 1) {
        problems.push({ prop: `${at}.minDomains`, value: s.minDomains, allowed: 'Must be a whole number greater than zero', fix: 'Set it to the number of domains you expect, or leave it out' });
      } else if (s.whenUnsatisfiable !== 'DoNotSchedule') {
        problems.push({ prop: `${at}.minDomains`, value: s.minDomains, allowed: 'Only a DoNotSchedule constraint may set minDomains', fix: 'Set whenUnsatisfiable to DoNotSchedule, or remove minDomains' });
      }
    }
    for (const policy of ['nodeAffinityPolicy', 'nodeTaintsPolicy']) {
      if (s[policy] !== undefined && !INCLUSION_POLICIES.has(s[policy])) {
        problems.push({ prop: `${at}.${policy}`, value: s[policy], allowed: `Must be one of ${list(INCLUSION_POLICIES)}`, fix: 'Use Honor or Ignore' });
      }
    }
    const pair = `{${s.topologyKey}, ${s.whenUnsatisfiable}}`;
    if (seen.has(pair)) {
      problems.push({ prop: at, value: pair, allowed: 'Each topology key may be constrained once per whenUnsatisfiable', fix: 'Remove the duplicate constraint' });
    }
    seen.add(pair);
    problems.push(...selectorProblems(`${at}.labelSelector`, s.labelSelector));
  });
  return problems;
}

/**
 * Tolerations (validateTolerations): a qualified key, or none with the operator Exists ("operator
 * must be Exists when `key` is empty"); a label value with Equal, none with Exists ("value must be
 * empty when `operator` is 'Exists'"); a known effect; tolerationSeconds only with NoExecute
 * ("effect must be 'NoExecute' when `tolerationSeconds` is set").
 */
export function tolerationProblems(prop: string, tolerations: any[] | undefined): RuleProblem[] {
  const problems: RuleProblem[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const at = `${prop}[${i}]`;
    const key = t.key ?? '';
    const operator = t.operator ?? 'Equal';
    if (key !== '' && !isQualifiedName(key)) {
      problems.push({ prop: `${at}.key`, value: key, allowed: LABEL_KEY_ALLOWED, fix: 'Use the taint\'s key exactly' });
    }
    if (key === '' && operator !== 'Exists') {
      problems.push({ prop: `${at}.operator`, value: operator, allowed: 'Must be Exists when no key is given (which tolerates every taint)', fix: 'Give a key, or use NodeTaintQuery.any()' });
    }
    if (operator === 'Equal') {
      const value = t.value ?? '';
      if (typeof value !== 'string' || !isLabelValue(value)) {
        problems.push({ prop: `${at}.value`, value: t.value, allowed: LABEL_VALUE_ALLOWED, fix: 'Use the taint\'s value exactly' });
      }
    } else if (operator === 'Exists') {
      if (t.value !== undefined && t.value !== '') {
        problems.push({ prop: `${at}.value`, value: t.value, allowed: 'Must be empty when the operator is Exists', fix: 'Remove the value, or use the operator Equal' });
      }
    } else {
      problems.push({ prop: `${at}.operator`, value: operator, allowed: 'Must be "Equal" or "Exists"', fix: 'Use NodeTaintQuery.is() or exists()' });
    }
    if (t.effect !== undefined && t.effect !== '' && !TAINT_EFFECTS.has(t.effect)) {
      problems.push({ prop: `${at}.effect`, value: t.effect, allowed: `Must be one of ${list(TAINT_EFFECTS)}`, fix: 'Use TaintEffect' });
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      problems.push({ prop: `${at}.tolerationSeconds`, value: t.tolerationSeconds, allowed: 'Only a NoExecute toleration may set tolerationSeconds', fix: 'Set the effect to NoExecute, or remove tolerationSeconds' });
    }
  });
  return problems;
}

/**
 * Affinity (validateAffinity): node selector terms (at least one: "must have at least one node
 * selector term"), requirements as in label selectors plus Gt/Lt; preferred terms weighted 1-100
 * ("must be in the range 1-100"); pod (anti-)affinity terms with a topologyKey ("can not be
 * empty") and valid selectors.
 */
export function affinityProblems(prop: string, affinity: any): RuleProblem[] {
  const problems: RuleProblem[] = [];
  if (!affinity) return problems;
  const weight = (at: string, w: unknown) => {
    if (!Number.isInteger(w) || (w as number) < 1 || (w as number) > 100) {
      problems.push({ prop: `${at}.weight`, value: w, allowed: 'Must be a whole number from 1 to 100', fix: 'Set a weight from 1 to 100' });
    }
  };
  const nodeTerm = (at: string, term: any) => {
    (term.matchExpressions ?? []).forEach((e: any, i: number) => problems.push(...requirementProblems(`${at}.matchExpressions[${i}]`, e, NODE_SELECTOR_OPERATORS)));
    (term.matchFields ?? []).forEach((e: any, i: number) => {
      if (e.key !== 'metadata.name') {
        problems.push({ prop: `${at}.matchFields[${i}].key`, value: e.key, allowed: 'Must be "metadata.name"', fix: 'Select nodes by label with matchExpressions' });
      }
    });
  };
  const node = affinity.nodeAffinity;
  if (node) {
    const required = node.requiredDuringSchedulingIgnoredDuringExecution;
    if (required) {
      const at = `${prop}.nodeAffinity.required`;
      if ((required.nodeSelectorTerms ?? []).length === 0) {
        problems.push({ prop: `${at}.nodeSelectorTerms`, value: [], allowed: 'Must have at least one node selector term', fix: 'Add a term, or remove the required node affinity' });
      }
      (required.nodeSelectorTerms ?? []).forEach((t: any, i: number) => nodeTerm(`${at}.nodeSelectorTerms[${i}]`, t));
    }
    (node.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((p: any, i: number) => {
      const at = `${prop}.nodeAffinity.preferred[${i}]`;
      weight(at, p.weight);
      nodeTerm(`${at}.preference`, p.preference ?? {});
    });
  }
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const pod = affinity[kind];
    if (!pod) continue;
    const podTerm = (at: string, term: any) => {
      if (typeof term.topologyKey !== 'string' || !isQualifiedName(term.topologyKey)) {
        problems.push({ prop: `${at}.topologyKey`, value: term.topologyKey, allowed: `A node label key is required. ${LABEL_KEY_ALLOWED}`, fix: 'Use a node label such as "kubernetes.io/hostname"' });
      }
      problems.push(...selectorProblems(`${at}.labelSelector`, term.labelSelector));
      problems.push(...selectorProblems(`${at}.namespaceSelector`, term.namespaceSelector));
      (term.namespaces ?? []).forEach((n: unknown, j: number) => {
        if (typeof n !== 'string' || n.length > 63 || !DNS1123_LABEL.test(n)) {
          problems.push({ prop: `${at}.namespaces[${j}]`, value: n, allowed: 'Must be a namespace name (a DNS-1123 label)', fix: 'Use the namespace\'s name' });
        }
      });
    };
    (pod.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t: any, i: number) => podTerm(`${prop}.${kind}.required[${i}]`, t));
    (pod.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((p: any, i: number) => {
      const at = `${prop}.${kind}.preferred[${i}]`;
      weight(at, p.weight);
      podTerm(`${at}.podAffinityTerm`, p.podAffinityTerm ?? {});
    });
  }
  return problems;
}

// ---------------------------------------------------------------- pods and claims

/**
 * Everything the API server checks of a Pod (of the kinds above) for a rendered pod template.
 *
 * @param metadata the template's `metadata` (labels, annotations)
 * @param spec the template's `spec`, as rendered in the manifest
 */
export function podTemplateProblems(
  metadata: { labels?: any; annotations?: any } | undefined, spec: any, options: PodRuleOptions = {},
): RuleProblem[] {
  const problems: RuleProblem[] = [
    ...labelProblems('podMetadata.labels', metadata?.labels),
    ...annotationProblems('podMetadata.annotations', metadata?.annotations),
  ];

  // validateVolumes: "a lowercase RFC 1123 label must consist of ...", "Duplicate value",
  // "must specify a volume type", "may not specify more than 1 volume type"
  const volumeNames = new Set<string>();
  (spec.volumes ?? []).forEach((v: any, i: number) => {
    const at = `volumes[${i}]`;
    if (typeof v.name !== 'string' || v.name.length > 63 || !DNS1123_LABEL.test(v.name)) {
      problems.push({ prop: `${at}.name`, value: v.name, allowed: 'Must be a DNS-1123 label of at most 63 characters: lower case letters, digits and \'-\', starting and ending with a letter or digit', fix: 'Rename the volume, e.g. "config"' });
    } else if (volumeNames.has(v.name)) {
      problems.push({ prop: `${at}.name`, value: v.name, allowed: 'Volume names must be unique in the pod', fix: 'Give each volume its own name' });
    }
    volumeNames.add(v.name);
    // a generic ephemeral volume's claim template is as shallowly validated as the pod's
    if (v.ephemeral?.volumeClaimTemplate) {
      problems.push(...claimProblems(v.ephemeral.volumeClaimTemplate).map(p => ({ ...p, prop: `${at}.ephemeral.${p.prop}` })));
    }
    const sources = Object.keys(v).filter(k => !VOLUME_NON_SOURCE.has(k) && v[k] !== undefined);
    if (sources.length !== 1) {
      problems.push({ prop: at, value: sources, allowed: 'A volume must have exactly one source (emptyDir, configMap, secret, persistentVolumeClaim, ...)', fix: 'Create the volume with one of the Volume.from...() methods' });
    }
  });

  for (const name of options.extraVolumeNames ?? []) volumeNames.add(name);
  (spec.initContainers ?? []).forEach((c: any) => problems.push(...containerProblems(c, true, volumeNames, options)));
  (spec.containers ?? []).forEach((c: any) => problems.push(...containerProblems(c, false, volumeNames, options)));

  problems.push(...securityContextProblems('securityContext', spec.securityContext, true));
  problems.push(...labelProblems('nodeSelector', spec.nodeSelector));
  problems.push(...tolerationProblems('tolerations', spec.tolerations));
  problems.push(...affinityProblems('affinity', spec.affinity));
  problems.push(...topologySpreadProblems('topologySpreadConstraints', spec.topologySpreadConstraints));
  if (spec.serviceAccountName !== undefined && !isDns1123Subdomain(spec.serviceAccountName)) {
    // ValidateServiceAccountName: "a lowercase RFC 1123 subdomain must consist of ..."
    problems.push({ prop: 'serviceAccount', value: spec.serviceAccountName, allowed: 'Must be a DNS-1123 subdomain', fix: 'Use the ServiceAccount\'s name' });
  }
  const grace = spec.terminationGracePeriodSeconds;
  if (grace !== undefined && (!Number.isInteger(grace) || grace < 0)) {
    problems.push({ prop: 'terminationGracePeriod', value: grace, allowed: 'Must be a whole number of seconds of at least 0', fix: 'Set a whole number of seconds' });
  }
  return problems;
}

/**
 * Everything the API server checks of a PersistentVolumeClaim (ValidatePersistentVolumeClaimSpec)
 * for a rendered claim template `{ metadata, spec }`; props named as in the claim options.
 */
export function claimProblems(claim: { metadata?: any; spec?: any }): RuleProblem[] {
  const spec = claim.spec ?? {};
  const problems: RuleProblem[] = [
    ...labelProblems('labels', claim.metadata?.labels),
    ...annotationProblems('annotations', claim.metadata?.annotations),
  ];
  const modes: string[] = spec.accessModes ?? [];
  if (modes.length === 0) {
    // "at least 1 access mode is required"
    problems.push({ prop: 'accessModes', value: modes, allowed: 'Must name at least one access mode', fix: 'Leave \'accessModes\' out for ReadWriteOnce, or list the modes you need' });
  }
  for (const m of modes) {
    if (!ACCESS_MODES.has(m)) {
      problems.push({ prop: 'accessModes', value: m, allowed: `Must be one of ${list(ACCESS_MODES)}`, fix: 'Use PersistentVolumeAccessMode' });
    }
  }
  if (modes.includes('ReadWriteOncePod') && modes.length > 1) {
    // "may not use ReadWriteOncePod with other access modes"
    problems.push({ prop: 'accessModes', value: modes, allowed: 'ReadWriteOncePod cannot be combined with other access modes', fix: 'Use [PersistentVolumeAccessMode.READ_WRITE_ONCE_POD] alone' });
  }
  const storage = spec.resources?.requests?.storage;
  const bytes = storage === undefined ? undefined : parseQuantity(storage);
  if (bytes === undefined || bytes <= 0) {
    // "spec.resources[storage]: Required value", "must be greater than zero"
    problems.push({ prop: 'storage', value: storage, allowed: 'A storage request larger than zero is required', fix: 'Set \'storage\' to a size such as Size.gibibytes(1)' });
  }
  const className = spec.storageClassName;
  if (className !== undefined && className !== '' && !isDns1123Subdomain(className)) {
    // ValidateClassName: "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'"
    problems.push({
      prop: 'storageClassName',
      value: className,
      allowed: 'Must be a storage class name (a DNS-1123 subdomain of at most 253 characters: lower case letters, digits, \'-\' and \'.\'), or "" for volumes without a class; the API server refuses the claim and no pod starts',
      fix: 'Use the class\'s name as `kubectl get storageclass` lists it, e.g. "gp3"',
    });
  }
  if (spec.volumeMode !== undefined && !VOLUME_MODES.has(spec.volumeMode)) {
    problems.push({ prop: 'volumeMode', value: spec.volumeMode, allowed: `Must be one of ${list(VOLUME_MODES)}`, fix: 'Use PersistentVolumeMode' });
  }
  problems.push(...selectorProblems('selector', spec.selector));
  const source = spec.dataSource;
  if (source) {
    // ValidateDataSource: "Required value", "must be 'PersistentVolumeClaim' when referencing the default apiGroup"
    if (!source.name) {
      problems.push({ prop: 'dataSource.name', value: source.name ?? '', allowed: 'The name of the source object is required', fix: 'Name the snapshot or claim to populate from' });
    }
    if (!source.kind) {
      problems.push({ prop: 'dataSource.kind', value: source.kind ?? '', allowed: 'The kind of the source object is required', fix: 'Use ClaimDataSource.fromSnapshot() or fromClaim()' });
    } else if (!source.apiGroup && source.kind !== 'PersistentVolumeClaim') {
      problems.push({
        prop: 'dataSource.kind',
        value: source.kind,
        allowed: 'Must be PersistentVolumeClaim when no API group is given (the core group has no other volume source)',
        fix: 'Give the API group, e.g. ClaimDataSource.of(kind, name, "snapshot.storage.k8s.io")',
      });
    }
  }
  return problems;
}
