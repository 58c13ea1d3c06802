import { affinityProblems, claimProblems, imageProblem, isImageReference, labelProblems, podTemplateProblems, problemMessages, throwFirst } from '../../src/private/pod-rules';

// Every invalid case is a valid pod template (or claim) with one point changed; each asserts the
// exact messages, in the library's error shape: construct path, prop, value, what is allowed, fix.

const POD_WHERE = 'StatefulWorkload \'test/db\'';
const CLAIM_WHERE = 'VolumeClaimTemplate \'test/db/Claim-data\'';

function container(overrides: any = {}): any {
  return {
    name: 'db',
    image: 'docker.io/library/postgres:16.4',
    resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '512Mi' } },
    env: [{ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' }],
    volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
    ...overrides,
  };
}
function podSpec(overrides: any = {}): any {
  return {
    securityContext: { runAsNonRoot: true, runAsUser: 999, fsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [container()],
    volumes: [{ name: 'data', emptyDir: {} }],
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    topologySpreadConstraints: [{ topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway' }],
    ...overrides,
  };
}
const res = (requests: any, limits: any) => podSpec({ containers: [container({ resources: { requests, limits } })] });
const env = (e: any[], envFrom?: any[]) => podSpec({ containers: [container({ env: e, envFrom })] });
const img = (image: any) => podSpec({ containers: [container({ image })] });
const probe = (kind: string, p: any) => podSpec({ containers: [container({ [kind]: p })] });
const spread = (s: any) => podSpec({ topologySpreadConstraints: [{ topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway', ...s }] });
const tol = (t: any) => podSpec({ tolerations: [t] });
const INVALID_PODS: Array<[string, any, any]> = [
  ['the cpu request is above the limit', undefined, res({ cpu: '2' }, { cpu: '1' })],
  ['the memory request is above the limit, in other units', undefined, res({ memory: '1Gi' }, { memory: '1000Mi' })],
  ['a request is not a quantity', undefined, res({ cpu: '1 core' }, {})],
  ['a request is negative', undefined, res({ memory: '-1Gi' }, {})],
  ['the memory limit is 0', undefined, res({ cpu: '250m' }, { memory: '0' })],
  ['the cpu limit is 0m', undefined, res({ memory: '1Gi' }, { cpu: '0m', memory: '1Gi' })],
  ['a resource name is not one', undefined, res({ gpu: '1' }, { gpu: '1' })],
  ['an extended resource is overcommitted', undefined, res({ 'example.com/gpu': '1' }, { 'example.com/gpu': '2' })],
  ['the image is empty', undefined, img('')],
  ['the image is missing', undefined, img(undefined)],
  ['the image has trailing whitespace', undefined, img('postgres:16 ')],
  ['the image has upper case', undefined, img('docker.io/library/Postgres:16')],
  ['the image is a URL', undefined, img('https://docker.io/library/postgres:16')],
  ['the image tag is too long', undefined, img(`postgres:${'a'.repeat(129)}`)],
  ['the image tag starts with a dot', undefined, img('postgres:.16')],
  ['the image digest is short', undefined, img('postgres@sha256:abc')],
  ['an env var name starts with a digit', undefined, env([{ name: '1DB_HOST', value: 'x' }])],
  ['an env var name has a space', undefined, env([{ name: 'DB HOST', value: 'x' }])],
  ['an env var name is empty', undefined, env([{ name: '', value: 'x' }])],
  ['an envFrom prefix starts with a digit', undefined, env([], [{ prefix: '9_', configMapRef: { name: 'c' } }])],
  ['a secret key has a slash', undefined, env([{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 's', key: 'a/b' } } }])],
  ['a pod label value has a space', { labels: { tier: 'data base' } }, podSpec()],
  ['a pod label value is too long', { labels: { tier: 'a'.repeat(64) } }, podSpec()],
  ['a pod label key has two slashes', { labels: { 'a/b/c': 'x' } }, podSpec()],
  ['a pod annotation key is not a qualified name', { annotations: { 'not a key': 'x' } }, podSpec()],
  ['the pod annotations exceed 256 KiB', { annotations: { big: 'x'.repeat(256 * 1024) } }, podSpec()],
  ['a nodeSelector value is not a label value', undefined, podSpec({ nodeSelector: { disk: 'fast ssd' } })],
  ['a nodeSelector key is not a qualified name', undefined, podSpec({ nodeSelector: { '-disk': 'ssd' } })],
  ['maxSkew is 0', undefined, spread({ maxSkew: 0 })],
  ['maxSkew is fractional', undefined, spread({ maxSkew: 1.5 })],
  ['the topology key is empty', undefined, spread({ topologyKey: '' })],
  ['whenUnsatisfiable is unknown', undefined, spread({ whenUnsatisfiable: 'Never' })],
  ['minDomains is set with ScheduleAnyway', undefined, spread({ minDomains: 2 })],
  ['minDomains is 0', undefined, spread({ minDomains: 0, whenUnsatisfiable: 'DoNotSchedule' })],
  ['two spread constraints share key and policy', undefined, podSpec({
    topologySpreadConstraints: [
      { topologyKey: 'kubernetes.io/hostname', maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' },
      { topologyKey: 'kubernetes.io/hostname', maxSkew: 2, whenUnsatisfiable: 'DoNotSchedule' },
    ],
  })],
  ['a spread selector has In without values', undefined, spread({ labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] } })],
  ['a toleration without key is not Exists', undefined, tol({ operator: 'Equal', value: 'x' })],
  ['an Exists toleration has a value', undefined, tol({ key: 'dedicated', operator: 'Exists', value: 'db' })],
  ['a toleration sets seconds without NoExecute', undefined, tol({ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 60 })],
  ['a toleration effect is unknown', undefined, tol({ key: 'dedicated', operator: 'Exists', effect: 'NoRun' })],
  ['a preferred node affinity weight is 0', undefined, podSpec({
    affinity: {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 0, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } },
        ],
      },
    },
  })],
  ['a required node affinity has no terms', undefined, podSpec({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } })],
  ['a node affinity Gt has two values', undefined, podSpec({
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4', '8'] }] },
          ],
        },
      },
    },
  })],
  ['a pod anti-affinity term has no topology key', undefined, podSpec({
    affinity: {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: { app: 'db' } } },
        ],
      },
    },
  })],
  ['a volume name is not a DNS label', undefined, podSpec({ volumes: [{ name: 'Data', emptyDir: {} }], containers: [container({ volumeMounts: [] })] })],
  ['two volumes share a name', undefined, podSpec({ volumes: [{ name: 'data', emptyDir: {} }, { name: 'data', configMap: { name: 'c' } }] })],
  ['a volume has two sources', undefined, podSpec({ volumes: [{ name: 'data', emptyDir: {}, configMap: { name: 'c' } }] })],
  ['a mount names no volume', undefined, podSpec({ containers: [container({ volumeMounts: [{ name: 'logs', mountPath: '/logs' }] })] })],
  ['two mounts share a path', undefined, podSpec({
    volumes: [{ name: 'data', emptyDir: {} }, { name: 'logs', emptyDir: {} }],
    containers: [container({ volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'logs', mountPath: '/data' }] })],
  })],
  ['a subPath is absolute', undefined, podSpec({ containers: [container({ volumeMounts: [{ name: 'data', mountPath: '/data', subPath: '/pgdata' }] })] })],
  ['a subPath climbs out', undefined, podSpec({ containers: [container({ volumeMounts: [{ name: 'data', mountPath: '/data', subPath: 'a/../..' }] })] })],
  ['a probe has no handler', undefined, probe('livenessProbe', { periodSeconds: 10 })],
  ['a probe period is negative', undefined, probe('readinessProbe', { tcpSocket: { port: 5432 }, periodSeconds: -1 })],
  ['a liveness probe succeeds twice', undefined, probe('livenessProbe', { tcpSocket: { port: 5432 }, successThreshold: 2 })],
  ['a readiness probe sets a grace period', undefined, probe('readinessProbe', { tcpSocket: { port: 5432 }, terminationGracePeriodSeconds: 10 })],
  ['a startup probe grace period is 0', undefined, probe('startupProbe', { tcpSocket: { port: 5432 }, terminationGracePeriodSeconds: 0 })],
  ['a probe port is out of range', undefined, probe('livenessProbe', { httpGet: { path: '/', port: 70000 } })],
  ['a probe port name is too long', undefined, probe('livenessProbe', { httpGet: { path: '/', port: 'postgres-primary' } })],
  ['an init container has a probe', undefined, podSpec({ initContainers: [container({ name: 'init', readinessProbe: { tcpSocket: { port: 1 } } })] })],
  ['runAsUser is negative', undefined, podSpec({ securityContext: { runAsUser: -1 } })],
  ['a container runAsGroup is too large', undefined, podSpec({ containers: [container({ securityContext: { runAsGroup: 2147483648 } })] })],
  ['seccomp Localhost has no profile', undefined, podSpec({ securityContext: { seccompProfile: { type: 'Localhost' } } })],
  ['no privilege escalation in a privileged container', undefined, podSpec({ containers: [container({ securityContext: { privileged: true, allowPrivilegeEscalation: false } })] })],
  ['a sysctl name is not one', undefined, podSpec({ securityContext: { sysctls: [{ name: 'net core somaxconn', value: '1024' }] } })],
  ['fsGroupChangePolicy is unknown', undefined, podSpec({ securityContext: { fsGroupChangePolicy: 'Never' } })],
  ['a port protocol is unknown', undefined, podSpec({ containers: [container({ ports: [{ containerPort: 5432, protocol: 'HTTP' }] })] })],
  ['the service account name is not a name', undefined, podSpec({ serviceAccountName: 'DB Admin' })],
  ['a generic ephemeral volume class is not a name', undefined, podSpec({
    volumes: [{
      name: 'data',
      ephemeral: {
        volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'Fast SSD', resources: { requests: { storage: '1Gi' } } } },
      },
    }],
  })],
  ['a spread selector key is not a label key', undefined, spread({ labelSelector: { matchExpressions: [{ key: 'a b', operator: 'Exists' }] } })],
  ['a spread selector operator is unknown', undefined, spread({ labelSelector: { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['db'] }] } })],
  ['a spread selector value is not a label value', undefined, spread({ labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['d b'] }] } })],
  ['a spread node policy is unknown', undefined, spread({ nodeTaintsPolicy: 'Respect' })],
  ['an exec probe has no command', undefined, probe('livenessProbe', { exec: { command: [] } })],
  ['an HTTP probe scheme is unknown', undefined, probe('livenessProbe', { httpGet: { path: '/', port: 80, scheme: 'http' } })],
  ['the seccomp type is unknown', undefined, podSpec({ securityContext: { seccompProfile: { type: 'Default' } } })],
  ['no privilege escalation with SYS_ADMIN', undefined, podSpec({ containers: [container({ securityContext: { allowPrivilegeEscalation: false, capabilities: { add: ['SYS_ADMIN'] } } })] })],
  ['a sysctl is set twice', undefined, podSpec({ securityContext: { sysctls: [{ name: 'net.core.somaxconn', value: '1' }, { name: 'net.core.somaxconn', value: '2' }] } })],
  ['a host port is out of range', undefined, podSpec({ containers: [container({ ports: [{ containerPort: 5432, hostPort: 0 }] })] })],
  ['a mount has no path', undefined, podSpec({ containers: [container({ volumeMounts: [{ name: 'data', mountPath: '' }] })] })],
  ['a mount propagation is unknown', undefined, podSpec({ containers: [container({ volumeMounts: [{ name: 'data', mountPath: '/d', mountPropagation: 'Both' }] })] })],
  ['a device path is also a mount path', undefined, podSpec({ containers: [container({ volumeDevices: [{ name: 'raw', devicePath: '/var/lib/postgresql/data' }] })] })],
  ['a toleration key is not a label key', undefined, tol({ key: 'a b', operator: 'Exists' })],
  ['an Equal toleration value is not a label value', undefined, tol({ key: 'dedicated', operator: 'Equal', value: 'd b' })],
  ['a toleration operator is unknown', undefined, tol({ key: 'dedicated', operator: 'In' })],
  ['a node affinity field is not metadata.name', undefined, podSpec({
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchFields: [{ key: 'spec.unschedulable', operator: 'In', values: ['true'] }] },
          ],
        },
      },
    },
  })],
  ['a pod affinity namespace is not a name', undefined, podSpec({
    affinity: {
      podAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: 'kubernetes.io/hostname', namespaces: ['Data'] },
        ],
      },
    },
  })],
  ['the termination grace period is negative', undefined, podSpec({ terminationGracePeriodSeconds: -1 })],
];
function claim(spec: any = {}, metadata: any = {}): any {
  return {
    metadata: { name: 'data', ...metadata },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem', ...spec },
  };
}
const INVALID_CLAIMS: Array<[string, any]> = [
  ['storageClassName has upper case', claim({ storageClassName: 'Fast_SSD' })],
  ['storageClassName is too long', claim({ storageClassName: 'a'.repeat(254) })],
  ['no access mode', claim({ accessModes: [] })],
  ['an unknown access mode', claim({ accessModes: ['ReadWriteAll'] })],
  ['ReadWriteOncePod with another mode', claim({ accessModes: ['ReadWriteOncePod', 'ReadWriteOnce'] })],
  ['no storage request', claim({ resources: {} })],
  ['a zero storage request', claim({ resources: { requests: { storage: '0' } } })],
  ['an unknown volume mode', claim({ volumeMode: 'Raw' })],
  ['a selector label value with a space', claim({ selector: { matchLabels: { disk: 'fast ssd' } } })],
  ['a selector Exists with values', claim({ selector: { matchExpressions: [{ key: 'disk', operator: 'Exists', values: ['ssd'] }] } })],
  ['a data source of the core group that is not a claim', claim({ dataSource: { kind: 'VolumeSnapshot', name: 'nightly' } })],
  ['a data source without name', claim({ dataSource: { kind: 'PersistentVolumeClaim', name: '' } })],
  ['a label value with a slash', claim({}, { labels: { backup: 'daily/weekly' } })],
  ['a data source without kind', claim({ dataSource: { apiGroup: 'snapshot.storage.k8s.io', name: 'nightly' } })],
];

const POD_MESSAGES: { [name: string]: string[] } = {
  'the cpu request is above the limit': [
    "invalid 'container \"db\" resources.requests.cpu': \"2\". Must be less than or equal to the cpu limit (\"1\"): the API server refuses the pod, so the controller creates none. Lower the cpu request to at most \"1\", or raise the limit.",
  ],
  'the memory request is above the limit, in other units': [
    "invalid 'container \"db\" resources.requests.memory': \"1Gi\". Must be less than or equal to the memory limit (\"1000Mi\"): the API server refuses the pod, so the controller creates none. Lower the memory request to at most \"1000Mi\", or raise the limit.",
  ],
  'a request is not a quantity': [
    "invalid 'container \"db\" resources.requests.cpu': \"1 core\". Must be a quantity: a number with an optional suffix (m, k, M, G, Ki, Mi, Gi, ...). Write it as e.g. \"500m\" or \"1Gi\".",
  ],
  'a request is negative': [
    "invalid 'container \"db\" resources.requests.memory': \"-1Gi\". Must be greater than or equal to 0. Set 'container \"db\" resources.requests.memory' to a positive quantity.",
  ],
  'the memory limit is 0': [
    "invalid 'container \"db\" resources.limits.memory': \"0\". Must be above 0: a memory limit of 0 is no limit at all (the container runtime sets none), and a memory request left out defaults to it, 0. Set 'container \"db\" resources.limits.memory' to the most the container may use, e.g. \"512Mi\", or leave it out.",
  ],
  'the cpu limit is 0m': [
    "invalid 'container \"db\" resources.limits.cpu': \"0m\". Must be above 0: a cpu limit of 0 is no limit at all (the container runtime sets none), and a cpu request left out defaults to it, 0. Set 'container \"db\" resources.limits.cpu' to the most the container may use, e.g. \"1\", or leave it out (no CPU limit).",
  ],
  'a resource name is not one': [
    "invalid 'container \"db\" resources.requests.gpu': \"gpu\". Must be cpu, memory, ephemeral-storage, hugepages-<size> or an extended resource with a domain (example.com/gpu). Use one of those resource names.",
    "invalid 'container \"db\" resources.limits.gpu': \"gpu\". Must be cpu, memory, ephemeral-storage, hugepages-<size> or an extended resource with a domain (example.com/gpu). Use one of those resource names.",
  ],
  'an extended resource is overcommitted': [
    "invalid 'container \"db\" resources.requests.example.com/gpu': \"1\". Must equal the example.com/gpu limit (\"2\"): example.com/gpu cannot be overcommitted, and the API server refuses the pod. Set the example.com/gpu request and limit to the same quantity.",
  ],
  'the image is empty': [
    "invalid 'container \"db\" image': \"\". An image is required: the API server refuses a pod without one. Set it to a reference such as \"docker.io/library/postgres:16.4\" or \"registry.example.com/team/app@sha256:<64 hex digits>\".",
  ],
  'the image is missing': [
    "invalid 'container \"db\" image': \"\". An image is required: the API server refuses a pod without one. Set it to a reference such as \"docker.io/library/postgres:16.4\" or \"registry.example.com/team/app@sha256:<64 hex digits>\".",
  ],
  'the image has trailing whitespace': [
    "invalid 'container \"db\" image': \"postgres:16 \". Must not have leading or trailing whitespace (the API server refuses it). Set it to \"postgres:16\".",
  ],
  'the image has upper case': [
    "invalid 'container \"db\" image': \"docker.io/library/Postgres:16\". Must be an image reference [registry[:port]/]repository[:tag][@digest]: a lower-case repository path, a tag of at most 128 letters, digits, '_', '.' or '-', a digest algorithm:hex; the runtime cannot pull anything else (InvalidImageName) and the pods never start. Set it to a reference such as \"docker.io/library/postgres:16.4\" or \"registry.example.com/team/app@sha256:<64 hex digits>\".",
  ],
  'the image is a URL': [
    "invalid 'container \"db\" image': \"https://docker.io/library/postgres:16\". Must be an image reference [registry[:port]/]repository[:tag][@digest]: a lower-case repository path, a tag of at most 128 letters, digits, '_', '.' or '-', a digest algorithm:hex; the runtime cannot pull anything else (InvalidImageName) and the pods never start. Set it to a reference such as \"docker.io/library/postgres:16.4\" or \"registry.example.com/team/app@sha256:<64 hex digits>\".",
  ],
  'the image tag is too long': [
    "invalid 'container \"db\" image': \"postgres:" + 'a'.repeat(129) + "\". Must be an image reference [registry[:port]/]repository[:tag][@digest]: a lower-case repository path, a tag of at most 128 letters, digits, '_', '.' or '-', a digest algorithm:hex; the runtime cannot pull anything else (InvalidImageName) and the pods never start. Set it to a reference such as \"docker.io/library/postgres:16.4\" or \"registry.example.com/team/app@sha256:<64 hex digits>\".",
  ],
  'the image tag starts with a dot': [
    "invalid 'container \"db\" image': \"postgres:.16\". Must be an image reference [registry[:port]/]repository[:tag][@digest]: a lower-case repository path, a tag of at most 128 letters, digits, '_', '.' or '-', a digest algorithm:hex; the runtime cannot pull anything else (InvalidImageName) and the pods never start. Set it to a reference such as \"docker.io/library/postgres:16.4\" or \"registry.example.com/team/app@sha256:<64 hex digits>\".",
  ],
  'the image digest is short': [
    "invalid 'container \"db\" image': \"postgres@sha256:abc\". Must be an image reference [registry[:port]/]repository[:tag][@digest]: a lower-case repository path, a tag of at most 128 letters, digits, '_', '.' or '-', a digest algorithm:hex; the runtime cannot pull anything else (InvalidImageName) and the pods never start. Set it to a reference such as \"docker.io/library/postgres:16.4\" or \"registry.example.com/team/app@sha256:<64 hex digits>\".",
  ],
  'an env var name starts with a digit': [
    "invalid 'container \"db\" env[0].name': \"1DB_HOST\". Must be an environment variable name: letters, digits, '_', '-' or '.', not starting with a digit (the API server refuses the pod). Rename it, e.g. \"DB_HOST\".",
  ],
  'an env var name has a space': [
    "invalid 'container \"db\" env[0].name': \"DB HOST\". Must be an environment variable name: letters, digits, '_', '-' or '.', not starting with a digit (the API server refuses the pod). Rename it, e.g. \"DB_HOST\".",
  ],
  'an env var name is empty': [
    "invalid 'container \"db\" env[0].name': \"\". Must be an environment variable name: letters, digits, '_', '-' or '.', not starting with a digit (the API server refuses the pod). Rename it, e.g. \"DB_HOST\".",
  ],
  'an envFrom prefix starts with a digit': [
    "invalid 'container \"db\" envFrom[0].prefix': \"9_\". Must be a valid start of an environment variable name: letters, digits, '_', '-' or '.', not starting with a digit. Rename it, e.g. \"DB_HOST\".",
  ],
  'a secret key has a slash': [
    "invalid 'container \"db\" env[0].valueFrom.key': \"a/b\". Must be a ConfigMap or Secret key: at most 253 letters, digits, '-', '_' or '.'. Use the key exactly as the ConfigMap or Secret defines it.",
  ],
  'a pod label value has a space': [
    "invalid 'podMetadata.labels[\"tier\"]': \"data base\". Must be a label value: empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. Set 'podMetadata.labels[\"tier\"]' to a label value such as \"primary\" (no spaces, '/' or ':'); put longer text in an annotation.",
  ],
  'a pod label value is too long': [
    "invalid 'podMetadata.labels[\"tier\"]': \"" + 'a'.repeat(64) + "\". Must be a label value: empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. Set 'podMetadata.labels[\"tier\"]' to a label value such as \"primary\" (no spaces, '/' or ':'); put longer text in an annotation.",
  ],
  'a pod label key has two slashes': [
    "invalid 'podMetadata.labels key': \"a/b/c\". Must be a qualified name: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. Rename the key in 'podMetadata.labels', e.g. \"app.kubernetes.io/component\".",
  ],
  'a pod annotation key is not a qualified name': [
    "invalid 'podMetadata.annotations key': \"not a key\". Must be a qualified name: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. Rename the key in 'podMetadata.annotations', e.g. \"example.com/owner\".",
  ],
  'the pod annotations exceed 256 KiB': [
    "invalid 'podMetadata.annotations': \"262147 bytes\". Keys and values together must be at most 262144 bytes (256 KiB). Move large values into a ConfigMap and mount it.",
  ],
  'a nodeSelector value is not a label value': [
    "invalid 'nodeSelector[\"disk\"]': \"fast ssd\". Must be a label value: empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. Set 'nodeSelector[\"disk\"]' to a label value such as \"primary\" (no spaces, '/' or ':'); put longer text in an annotation.",
  ],
  'a nodeSelector key is not a qualified name': [
    "invalid 'nodeSelector key': \"-disk\". Must be a qualified name: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. Rename the key in 'nodeSelector', e.g. \"app.kubernetes.io/component\".",
  ],
  'maxSkew is 0': [
    "invalid 'topologySpreadConstraints[0].maxSkew': 0. Must be a whole number of at least 1: the most the number of pods may differ between two domains. Set 'maxSkew' to 1 for an even spread, or leave it out.",
  ],
  'maxSkew is fractional': [
    "invalid 'topologySpreadConstraints[0].maxSkew': 1.5. Must be a whole number of at least 1: the most the number of pods may differ between two domains. Set 'maxSkew' to 1 for an even spread, or leave it out.",
  ],
  'the topology key is empty': [
    "invalid 'topologySpreadConstraints[0].topologyKey': \"\". A node label key is required. Must be a qualified name: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. Use a node label such as Topology.HOSTNAME or Topology.ZONE.",
  ],
  'whenUnsatisfiable is unknown': [
    "invalid 'topologySpreadConstraints[0].whenUnsatisfiable': \"Never\". Must be one of \"DoNotSchedule\", \"ScheduleAnyway\". Use UnsatisfiableSpread.DO_NOT_SCHEDULE or SCHEDULE_ANYWAY.",
  ],
  'minDomains is set with ScheduleAnyway': [
    "invalid 'topologySpreadConstraints[0].minDomains': 2. Only a DoNotSchedule constraint may set minDomains. Set whenUnsatisfiable to DoNotSchedule, or remove minDomains.",
  ],
  'minDomains is 0': [
    "invalid 'topologySpreadConstraints[0].minDomains': 0. Must be a whole number greater than zero. Set it to the number of domains you expect, or leave it out.",
  ],
  'two spread constraints share key and policy': [
    "invalid 'topologySpreadConstraints[1]': \"{kubernetes.io/hostname, DoNotSchedule}\". Each topology key may be constrained once per whenUnsatisfiable. Remove the duplicate constraint.",
  ],
  'a spread selector has In without values': [
    "invalid 'topologySpreadConstraints[0].labelSelector.matchExpressions[0].values': []. Must list at least one value when the operator is In. Add the values to match, or use the operator Exists.",
  ],
  'a toleration without key is not Exists': [
    "invalid 'tolerations[0].operator': \"Equal\". Must be Exists when no key is given (which tolerates every taint). Give a key, or use NodeTaintQuery.any().",
  ],
  'an Exists toleration has a value': [
    "invalid 'tolerations[0].value': \"db\". Must be empty when the operator is Exists. Remove the value, or use the operator Equal.",
  ],
  'a toleration sets seconds without NoExecute': [
    "invalid 'tolerations[0].tolerationSeconds': 60. Only a NoExecute toleration may set tolerationSeconds. Set the effect to NoExecute, or remove tolerationSeconds.",
  ],
  'a toleration effect is unknown': [
    "invalid 'tolerations[0].effect': \"NoRun\". Must be one of \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\". Use TaintEffect.",
  ],
  'a preferred node affinity weight is 0': [
    "invalid 'affinity.nodeAffinity.preferred[0].weight': 0. Must be a whole number from 1 to 100. Set a weight from 1 to 100.",
  ],
  'a required node affinity has no terms': [
    "invalid 'affinity.nodeAffinity.required.nodeSelectorTerms': []. Must have at least one node selector term. Add a term, or remove the required node affinity.",
  ],
  'a node affinity Gt has two values': [
    "invalid 'affinity.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values': [\"4\",\"8\"]. Must be a single integer when the operator is Gt. Give exactly one whole number.",
  ],
  'a pod anti-affinity term has no topology key': [
    "invalid 'affinity.podAntiAffinity.required[0].topologyKey': undefined. A node label key is required. Must be a qualified name: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. Use a node label such as \"kubernetes.io/hostname\".",
  ],
  'a volume name is not a DNS label': [
    "invalid 'volumes[0].name': \"Data\". Must be a DNS-1123 label of at most 63 characters: lower case letters, digits and '-', starting and ending with a letter or digit. Rename the volume, e.g. \"config\".",
  ],
  'two volumes share a name': [
    "invalid 'volumes[1].name': \"data\". Volume names must be unique in the pod. Give each volume its own name.",
  ],
  'a volume has two sources': [
    "invalid 'volumes[0]': [\"emptyDir\",\"configMap\"]. A volume must have exactly one source (emptyDir, configMap, secret, persistentVolumeClaim, ...). Create the volume with one of the Volume.from...() methods.",
  ],
  'a mount names no volume': [
    "invalid 'container \"db\" volumeMounts[0].name': \"logs\". Must name a volume of the pod. Add the volume to the pod, or remove the mount.",
  ],
  'two mounts share a path': [
    "invalid 'container \"db\" volumeMounts[1].mountPath': \"/data\". Mount paths must be unique within a container. Mount each volume at its own path.",
  ],
  'a subPath is absolute': [
    "invalid 'container \"db\" volumeMounts[0].subPath': \"/pgdata\". Must be a relative path inside the volume, without \"..\" segments. Write the path relative to the volume's root, e.g. \"pgdata\".",
  ],
  'a subPath climbs out': [
    "invalid 'container \"db\" volumeMounts[0].subPath': \"a/../..\". Must be a relative path inside the volume, without \"..\" segments. Write the path relative to the volume's root, e.g. \"pgdata\".",
  ],
  'a probe has no handler': [
    "invalid 'container \"db\" livenessProbe': []. Must have exactly one handler: exec, httpGet, tcpSocket or grpc. Use one of Probe.fromCommand(), fromHttpGet(), fromTcpSocket().",
  ],
  'a probe period is negative': [
    "invalid 'container \"db\" readinessProbe.periodSeconds': -1. Must be a whole number of at least 0 (0 means the default). Set 'periodSeconds' to a positive whole number.",
  ],
  'a liveness probe succeeds twice': [
    "invalid 'container \"db\" livenessProbe.successThreshold': 2. Must be 1 for a livenessProbe. Set 'successThreshold' to 1, or leave it out.",
  ],
  'a readiness probe sets a grace period': [
    "invalid 'container \"db\" readinessProbe.terminationGracePeriodSeconds': 10. Must not be set on a readiness probe. Remove it.",
  ],
  'a startup probe grace period is 0': [
    "invalid 'container \"db\" startupProbe.terminationGracePeriodSeconds': 0. Must be a whole number of seconds greater than 0. Set it to at least 1 second, or leave it out.",
  ],
  'a probe port is out of range': [
    "invalid 'container \"db\" livenessProbe.port': 70000. Must be a port number from 1 to 65535 or a container port name. Use the port the container listens on.",
  ],
  'a probe port name is too long': [
    "invalid 'container \"db\" livenessProbe.port': \"postgres-primary\". Must be a port number from 1 to 65535 or a container port name. Use the port the container listens on.",
  ],
  'an init container has a probe': [
    "invalid 'init container \"init\" readinessProbe': {\"tcpSocket\":{\"port\":1}}. Init containers may not have probes: they run to completion before the pod starts. Remove the probe, or make it a regular container.",
  ],
  'runAsUser is negative': [
    "invalid 'securityContext.runAsUser': -1. Must be a whole number from 0 to 2147483647. Use the numeric id the image runs as.",
  ],
  'a container runAsGroup is too large': [
    "invalid 'container \"db\" securityContext.runAsGroup': 2147483648. Must be a whole number from 0 to 2147483647. Use the numeric id the image runs as.",
  ],
  'seccomp Localhost has no profile': [
    "invalid 'securityContext.seccompProfile.localhostProfile': undefined. Must be set exactly when the seccomp type is Localhost. Set both or neither.",
  ],
  'no privilege escalation in a privileged container': [
    "invalid 'container \"db\" securityContext.allowPrivilegeEscalation': false. Cannot be false in a privileged container. Drop 'privileged' (a privileged container can always escalate).",
  ],
  'a sysctl name is not one': [
    "invalid 'securityContext.sysctls[0].name': \"net core somaxconn\". Must be a sysctl name such as \"net.core.somaxconn\" (at most 253 characters). Use the name as sysctl -a prints it.",
  ],
  'fsGroupChangePolicy is unknown': [
    "invalid 'securityContext.fsGroupChangePolicy': \"Never\". Must be one of \"OnRootMismatch\", \"Always\". Use FsGroupChangePolicy.ON_ROOT_MISMATCH.",
  ],
  'a port protocol is unknown': [
    "invalid 'container \"db\" ports[0].protocol': \"HTTP\". Must be one of \"TCP\", \"UDP\", \"SCTP\". Use TCP, UDP or SCTP.",
  ],
  'the service account name is not a name': [
    "invalid 'serviceAccount': \"DB Admin\". Must be a DNS-1123 subdomain. Use the ServiceAccount's name.",
  ],
  'a generic ephemeral volume class is not a name': [
    "invalid 'volumes[0].ephemeral.storageClassName': \"Fast SSD\". Must be a storage class name (a DNS-1123 subdomain of at most 253 characters: lower case letters, digits, '-' and '.'), or \"\" for volumes without a class; the API server refuses the claim and no pod starts. Use the class's name as `kubectl get storageclass` lists it, e.g. \"gp3\".",
  ],
  'a spread selector key is not a label key': [
    "invalid 'topologySpreadConstraints[0].labelSelector.matchExpressions[0].key': \"a b\". Must be a qualified name: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. Set 'topologySpreadConstraints[0].labelSelector.matchExpressions[0].key' to a label key such as \"topology.kubernetes.io/zone\".",
  ],
  'a spread selector operator is unknown': [
    "invalid 'topologySpreadConstraints[0].labelSelector.matchExpressions[0].operator': \"Equals\". Must be one of \"In\", \"NotIn\", \"Exists\", \"DoesNotExist\". Set 'topologySpreadConstraints[0].labelSelector.matchExpressions[0].operator' to one of them.",
  ],
  'a spread selector value is not a label value': [
    "invalid 'topologySpreadConstraints[0].labelSelector.matchExpressions[0].values[0]': \"d b\". Must be a label value: empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. Use the label value exactly as the objects carry it.",
  ],
  'a spread node policy is unknown': [
    "invalid 'topologySpreadConstraints[0].nodeTaintsPolicy': \"Respect\". Must be one of \"Honor\", \"Ignore\". Use Honor or Ignore.",
  ],
  'an exec probe has no command': [
    "invalid 'container \"db\" livenessProbe.exec.command': []. Must name a command. Give the command to run.",
  ],
  'an HTTP probe scheme is unknown': [
    "invalid 'container \"db\" livenessProbe.httpGet.scheme': \"http\". Must be one of \"HTTP\", \"HTTPS\". Use HTTP or HTTPS.",
  ],
  'the seccomp type is unknown': [
    "invalid 'securityContext.seccompProfile.type': \"Default\". Must be one of \"RuntimeDefault\", \"Unconfined\", \"Localhost\". Use RuntimeDefault.",
  ],
  'no privilege escalation with SYS_ADMIN': [
    "invalid 'container \"db\" securityContext.allowPrivilegeEscalation': false. Cannot be false when the capability SYS_ADMIN is added. Remove SYS_ADMIN from the added capabilities.",
  ],
  'a sysctl is set twice': [
    "invalid 'securityContext.sysctls[1].name': \"net.core.somaxconn\". Each sysctl may be set once. Remove the duplicate.",
  ],
  'a host port is out of range': [
    "invalid 'container \"db\" ports[0].hostPort': 0. Must be a port number from 1 to 65535. Use a valid port, or leave hostPort out.",
  ],
  'a mount has no path': [
    "invalid 'container \"db\" volumeMounts[0].mountPath': \"\". A mount path is required. Set the path to mount the volume at.",
  ],
  'a mount propagation is unknown': [
    "invalid 'container \"db\" volumeMounts[0].mountPropagation': \"Both\". Must be one of \"None\", \"HostToContainer\", \"Bidirectional\". Leave it out (None).",
  ],
  'a device path is also a mount path': [
    "invalid 'container \"db\" volumeDevices[0].devicePath': \"/var/lib/postgresql/data\". Must not be a mount path of the same container. Attach the device at its own path.",
  ],
  'a toleration key is not a label key': [
    "invalid 'tolerations[0].key': \"a b\". Must be a qualified name: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. Use the taint's key exactly.",
  ],
  'an Equal toleration value is not a label value': [
    "invalid 'tolerations[0].value': \"d b\". Must be a label value: empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. Use the taint's value exactly.",
  ],
  'a toleration operator is unknown': [
    "invalid 'tolerations[0].operator': \"In\". Must be \"Equal\" or \"Exists\". Use NodeTaintQuery.is() or exists().",
  ],
  'a node affinity field is not metadata.name': [
    "invalid 'affinity.nodeAffinity.required.nodeSelectorTerms[0].matchFields[0].key': \"spec.unschedulable\". Must be \"metadata.name\". Select nodes by label with matchExpressions.",
  ],
  'a pod affinity namespace is not a name': [
    "invalid 'affinity.podAffinity.required[0].namespaces[0]': \"Data\". Must be a namespace name (a DNS-1123 label). Use the namespace's name.",
  ],
  'the termination grace period is negative': [
    "invalid 'terminationGracePeriod': -1. Must be a whole number of seconds of at least 0. Set a whole number of seconds.",
  ],
};

const CLAIM_MESSAGES: { [name: string]: string[] } = {
  'storageClassName has upper case': [
    "invalid 'storageClassName': \"Fast_SSD\". Must be a storage class name (a DNS-1123 subdomain of at most 253 characters: lower case letters, digits, '-' and '.'), or \"\" for volumes without a class; the API server refuses the claim and no pod starts. Use the class's name as `kubectl get storageclass` lists it, e.g. \"gp3\".",
  ],
  'storageClassName is too long': [
    "invalid 'storageClassName': \"" + 'a'.repeat(254) + "\". Must be a storage class name (a DNS-1123 subdomain of at most 253 characters: lower case letters, digits, '-' and '.'), or \"\" for volumes without a class; the API server refuses the claim and no pod starts. Use the class's name as `kubectl get storageclass` lists it, e.g. \"gp3\".",
  ],
  'no access mode': [
    "invalid 'accessModes': []. Must name at least one access mode. Leave 'accessModes' out for ReadWriteOnce, or list the modes you need.",
  ],
  'an unknown access mode': [
    "invalid 'accessModes': \"ReadWriteAll\". Must be one of \"ReadWriteOnce\", \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOncePod\". Use PersistentVolumeAccessMode.",
  ],
  'ReadWriteOncePod with another mode': [
    "invalid 'accessModes': [\"ReadWriteOncePod\",\"ReadWriteOnce\"]. ReadWriteOncePod cannot be combined with other access modes. Use [PersistentVolumeAccessMode.READ_WRITE_ONCE_POD] alone.",
  ],
  'no storage request': [
    "invalid 'storage': undefined. A storage request larger than zero is required. Set 'storage' to a size such as Size.gibibytes(1).",
  ],
  'a zero storage request': [
    "invalid 'storage': \"0\". A storage request larger than zero is required. Set 'storage' to a size such as Size.gibibytes(1).",
  ],
  'an unknown volume mode': [
    "invalid 'volumeMode': \"Raw\". Must be one of \"Filesystem\", \"Block\". Use PersistentVolumeMode.",
  ],
  'a selector label value with a space': [
    "invalid 'selector.matchLabels[\"disk\"]': \"fast ssd\". Must be a label value: empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. Set 'selector.matchLabels[\"disk\"]' to a label value such as \"primary\" (no spaces, '/' or ':'); put longer text in an annotation.",
  ],
  'a selector Exists with values': [
    "invalid 'selector.matchExpressions[0].values': [\"ssd\"]. Must be empty when the operator is Exists. Remove the values, or use the operator In.",
  ],
  'a data source of the core group that is not a claim': [
    "invalid 'dataSource.kind': \"VolumeSnapshot\". Must be PersistentVolumeClaim when no API group is given (the core group has no other volume source). Give the API group, e.g. ClaimDataSource.of(kind, name, \"snapshot.storage.k8s.io\").",
  ],
  'a data source without name': [
    "invalid 'dataSource.name': \"\". The name of the source object is required. Name the snapshot or claim to populate from.",
  ],
  'a label value with a slash': [
    "invalid 'labels[\"backup\"]': \"daily/weekly\". Must be a label value: empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. Set 'labels[\"backup\"]' to a label value such as \"primary\" (no spaces, '/' or ':'); put longer text in an annotation.",
  ],
  'a data source without kind': [
    "invalid 'dataSource.kind': \"\". The kind of the source object is required. Use ClaimDataSource.fromSnapshot() or fromClaim().",
  ],
};

describe('podTemplateProblems', () => {
  test('a valid pod template has no problems', () => {
    expect(podTemplateProblems({ labels: { 'app.kubernetes.io/name': 'db', 'tier': '' }, annotations: { 'example.com/owner': 'team data' } }, podSpec())).toStrictEqual([]);
  });

  test.each(INVALID_PODS.map(([name, metadata, spec]) => [name, metadata, spec, POD_MESSAGES[name]] as const))('fails when %s', (_name, metadata, spec, messages) => {
    expect(messages).toBeDefined();
    expect(problemMessages(POD_WHERE, podTemplateProblems(metadata, spec))).toEqual(messages.map(m => `${POD_WHERE}: ${m}`));
  });

  test.each<[string, any]>([
    ['requests equal to limits, in other units', res({ cpu: '1', memory: '1Gi' }, { cpu: '1000m', memory: '1024Mi' })],
    ['a request without limit', res({ cpu: '64' }, {})],
    ['a limit without request', res({}, { cpu: '500m' })],
    ['decimal and exponent quantities', res({ memory: '1G', cpu: '0.1' }, { memory: '1e9', cpu: '100m' })],
    ['an extended resource with request equal to limit', res({ 'example.com/gpu': '1' }, { 'example.com/gpu': '1' })],
    ['hugepages', res({ 'hugepages-2Mi': '64Mi', 'memory': '1Gi' }, { 'hugepages-2Mi': '64Mi', 'memory': '1Gi' })],
    ['env var names with dots, dashes and underscores', env([{ name: '_a.b-c9', value: '' }, { name: 'my.env-name' }, { name: '-x' }])],
    ['an envFrom prefix', env([], [{ prefix: 'DB_', secretRef: { name: 's' } }])],
    ['tolerations', podSpec({
      tolerations: [
        { operator: 'Exists' },
        { key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
      ],
    })],
    ['a hard spread with minDomains', spread({ whenUnsatisfiable: 'DoNotSchedule', minDomains: 3, maxSkew: 2 })],
    ['the same key, hard and soft', podSpec({
      topologySpreadConstraints: [
        { topologyKey: 'kubernetes.io/hostname', maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' },
        { topologyKey: 'kubernetes.io/hostname', maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway' },
      ],
    })],
    ['node and pod affinity', podSpec({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }] },
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }],
        },
        podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'db' } } } }] },
      },
    })],
    ['probes of every kind', podSpec({
      containers: [container({
        livenessProbe: { tcpSocket: { port: 5432 }, periodSeconds: 0, successThreshold: 1, terminationGracePeriodSeconds: 1 },
        readinessProbe: { httpGet: { path: '/', port: 'postgres', scheme: 'HTTPS' }, successThreshold: 3 },
        startupProbe: { exec: { command: ['pg_isready'] }, failureThreshold: 30 },
      })],
    })],
    ['a mount with a relative subPath', podSpec({ containers: [container({ volumeMounts: [{ name: 'data', mountPath: '/data', subPath: 'pgdata/16' }] })] })],
    ['seccomp Localhost with a profile', podSpec({ securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/db.json' } } })],
    ['ids at the limits', podSpec({ securityContext: { runAsUser: 0, runAsGroup: 2147483647, supplementalGroups: [0, 1000] } })],
  ])('accepts %s', (_name, spec) => {
    expect(podTemplateProblems(undefined, spec)).toStrictEqual([]);
  });

  test('mounts of extra volumes (claim templates) are valid', () => {
    const spec = podSpec({ volumes: [], containers: [container({ volumeMounts: [{ name: 'data', mountPath: '/data' }] })] });
    expect(podTemplateProblems(undefined, spec, { extraVolumeNames: ['data'] })).toStrictEqual([]);
    expect(podTemplateProblems(undefined, spec).map(p => p.prop)).toEqual(['container "db" volumeMounts[0].name']);
  });

  test('mount references are skipped when the caller checks them', () => {
    const spec = podSpec({ containers: [container({ volumeMounts: [{ name: 'logs', mountPath: '/d' }, { name: 'data', mountPath: '/d' }] })] });
    expect(podTemplateProblems(undefined, spec, { mountReferencesChecked: true })).toStrictEqual([]);
  });

  test('annotations of exactly 256 KiB are accepted', () => {
    expect(podTemplateProblems({ annotations: { big: 'x'.repeat(256 * 1024 - 3) } }, podSpec())).toStrictEqual([]);
  });
});

describe('claimProblems', () => {
  test('a valid claim has no problems', () => {
    expect(claimProblems(claim({
      storageClassName: 'fast.ssd-1',
      selector: { matchLabels: { disk: 'ssd' }, matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] },
      dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'nightly' },
    }, { labels: { backup: 'daily' }, annotations: { 'example.com/owner': 'data team' } }))).toStrictEqual([]);
  });

  test.each([
    ['no class (the default class)', claim()],
    ['class "" (static volumes only)', claim({ storageClassName: '' })],
    ['a claim data source in the core group', claim({ dataSource: { kind: 'PersistentVolumeClaim', name: 'old' } })],
    ['decimal storage', claim({ resources: { requests: { storage: '512M' } } })],
  ])('accepts %s', (_name, c) => {
    expect(claimProblems(c)).toStrictEqual([]);
  });

  test.each(INVALID_CLAIMS.map(([name, c]) => [name, c, CLAIM_MESSAGES[name]] as const))('fails when %s', (_name, c, messages) => {
    expect(messages).toBeDefined();
    expect(problemMessages(CLAIM_WHERE, claimProblems(c))).toEqual(messages.map(m => `${CLAIM_WHERE}: ${m}`));
  });
});

describe('images', () => {
  test.each([
    'postgres',
    'postgres:16.4',
    'library/postgres:16.4-alpine3.20',
    'docker.io/library/postgres:16',
    'localhost:5000/team/app',
    'registry.example.com:443/a/b/c:v1_2',
    'ghcr.io/org/repo__x/app-name.v2:latest',
    `quay.io/app@sha256:${'a'.repeat(64)}`,
    `quay.io/app:1.0@sha256:${'0'.repeat(64)}`,
    '[::1]:5000/app:1',
    'Registry.Example.com/app',
    `postgres:${'a'.repeat(128)}`,
  ])('accepts %s', image => {
    expect(isImageReference(image)).toBe(true);
    expect(imageProblem('image', image)).toBeUndefined();
  });

  test.each([
    'Postgres',
    'postgres:',
    'postgres:16 alpine',
    'postgres@sha256',
    'postgres@sha256:xyz',
    'docker.io/library/postgres:16:17',
    '-postgres',
    'postgres-',
    'team//app',
    'registry.example.com:port/app',
    `postgres:${'a'.repeat(129)}`,
    `${'a/'.repeat(128)}a`,
  ])('fails when the image is %s', image => {
    expect(isImageReference(image)).toBe(false);
    expect(imageProblem('image', image)?.allowed).toMatch(/^Must be an image reference/);
  });
});

describe('helpers', () => {
  test('throwFirst throws the first problem in the library\'s error shape, and nothing without problems', () => {
    expect(() => throwFirst(POD_WHERE, labelProblems('nodeSelector', { disk: 'a b', zone: 'c d' }))).toThrow(new Error(
      `${POD_WHERE}: invalid 'nodeSelector["disk"]': "a b". Must be a label value: empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. `
      + 'Set \'nodeSelector["disk"]\' to a label value such as "primary" (no spaces, \'/\' or \':\'); put longer text in an annotation.'));
    expect(() => throwFirst(POD_WHERE, [])).not.toThrow();
  });

  test('no affinity, no problems', () => {
    expect(affinityProblems('affinity', undefined)).toStrictEqual([]);
  });
});

// ---------------------------------------------------------------- every branch, boundary and message

const LV = "Must be a label value: empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
const LK = "Must be a qualified name: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
const KEY_ALLOWED = "Must be a ConfigMap or Secret key: at most 253 letters, digits, '-', '_' or '.'. Use the key exactly as the ConfigMap or Secret defines it.";
const ENV_ALLOWED = "Must be an environment variable name: letters, digits, '_', '-' or '.', not starting with a digit (the API server refuses the pod). Rename it, e.g. \"DB_HOST\".";
const SYSCTL_ALLOWED = 'Must be a sysctl name such as "net.core.somaxconn" (at most 253 characters). Use the name as sysctl -a prints it.';
const VOLUME_ALLOWED = "Must be a DNS-1123 label of at most 63 characters: lower case letters, digits and '-', starting and ending with a letter or digit. Rename the volume, e.g. \"config\".";
const NAMESPACE_ALLOWED = "Must be a namespace name (a DNS-1123 label). Use the namespace's name.";
const PORT_ALLOWED = 'Must be a port number from 1 to 65535 or a container port name. Use the port the container listens on.';
const PROBE_FIELD = (field: string, v: number) =>
  `invalid 'container "db" readinessProbe.${field}': ${v}. Must be a whole number of at least 0 (0 means the default). Set '${field}' to a positive whole number.`;
const NODE_REQ = 'affinity.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0]';
const HEX = 'a'.repeat(64);

/** The messages for a pod template, without the construct path. */
function podMessages(spec: any, metadata?: any): string[] {
  return problemMessages(POD_WHERE, podTemplateProblems(metadata, spec)).map(m => m.slice(POD_WHERE.length + 2));
}
const keyRef = (key: unknown) => env([{ name: 'A', valueFrom: { configMapKeyRef: { name: 'c', key } } }]);
const sysctl = (name: unknown) => podSpec({ securityContext: { sysctls: [{ name, value: '1' }] } });
const volume = (name: unknown) => podSpec({ volumes: [{ name, emptyDir: {} }], containers: [container({ volumeMounts: [] })] });
const namespaces = (ns: unknown[]) => podSpec({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', namespaces: ns }] } } });
const nodeExpr = (e: any) => podSpec({
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [e] }] } } },
});
const csc = (securityContext: any) => podSpec({ containers: [container({ securityContext })] });
const mounts = (volumeMounts: any[], volumeDevices?: any[]) => podSpec({ containers: [container({ volumeMounts, volumeDevices })] });

describe('podTemplateProblems, rule by rule', () => {
  test.each<[string, any]>([
    ['ConfigMap and Secret keys of one to 253 characters, dots inside', env([
      { name: 'A', valueFrom: { configMapKeyRef: { name: 'c', key: 'app.conf' } } },
      { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'k'.repeat(253) } } },
      { name: 'C', valueFrom: { configMapKeyRef: { name: 'c', key: 'a..b..' } } },
      { name: 'D', valueFrom: { secretKeyRef: { name: 's', key: '.hidden' } } },
    ])],
    ['no env, an empty envFrom prefix and none', podSpec({ containers: [container({ env: undefined, envFrom: [{ prefix: '', configMapRef: { name: 'c' } }, { secretRef: { name: 's' } }] })] })],
    ['sysctl names with one-character segments, and of 253 characters', podSpec({ securityContext: { sysctls: [{ name: 'a.b', value: '1' }, { name: 'net/ipv4/conf/x/rp_filter', value: '1' }, { name: `${'a.'.repeat(126)}a`, value: '1' }] } })],
    ['volume names of 1 and 63 characters, and an unset source field', podSpec({
      volumes: [{ name: 'd', emptyDir: {}, configMap: undefined }, { name: 'v'.repeat(63), emptyDir: {} }],
      containers: [container({ volumeMounts: [] })],
    })],
    ['namespaces of 1 and 63 characters', namespaces(['d', 'n'.repeat(63)])],
    ['named probe ports of 1 and 15 characters, port numbers 1 and 65535', podSpec({
      containers: [container({
        ports: [{ containerPort: 5432, hostPort: 1 }, { containerPort: 5433, hostPort: 65535 }],
        livenessProbe: { tcpSocket: { port: 'p' } },
        readinessProbe: { httpGet: { path: '/', port: 'postgres-primar' } },
        startupProbe: { tcpSocket: { port: 65535 } },
      })],
    })],
    ['a gRPC probe, probe fields at the int32 limit, liveness successThreshold 0 (the default)', podSpec({
      containers: [container({
        livenessProbe: { grpc: { port: 5432 }, successThreshold: 0 },
        readinessProbe: { tcpSocket: { port: 5432 }, periodSeconds: 2147483647, initialDelaySeconds: 0 },
      })],
    })],
    ['node selector operators NotIn, DoesNotExist, Gt and Lt (negative), and a metadata.name field', podSpec({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }, { key: 'spot', operator: 'DoesNotExist' }] },
              { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['42'] }, { key: 'temp', operator: 'Lt', values: ['-1'] }] },
              { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] },
            ],
          },
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1 }],
        },
      },
    })],
    ['ephemeral-storage under its limit, a zero cpu request, a container without resources', podSpec({
      containers: [
        container({ resources: { requests: { 'ephemeral-storage': '1Gi', 'cpu': '0' }, limits: { 'ephemeral-storage': '2Gi' } } }),
        container({ name: 'sidecar', resources: undefined, volumeMounts: [] }),
      ],
    })],
    ['privileged without allowPrivilegeEscalation, NET_ADMIN with it false, fsGroup and supplementalGroups', podSpec({
      securityContext: { fsGroup: 0, supplementalGroups: [1, 2147483647] },
      containers: [
        container({ securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] } } }),
        container({ name: 'b', volumeMounts: [], securityContext: { allowPrivilegeEscalation: false, capabilities: { add: ['NET_ADMIN'] } } }),
      ],
    })],
    ['a device at a path that is not mounted, an empty subPath', mounts([{ name: 'data', mountPath: '/data', subPath: '' }], [{ name: 'raw', devicePath: '/dev/xvda' }])],
    ['maxSkew at the int32 limit, minDomains 1', spread({ maxSkew: 2147483647, minDomains: 1, whenUnsatisfiable: 'DoNotSchedule', nodeAffinityPolicy: 'Honor', nodeTaintsPolicy: 'Ignore' })],
    ['no volumes, containers or spread constraints', {}],
    ['tolerations without operator, Equal without value, Exists with an empty value, an empty effect', podSpec({
      tolerations: [
        { key: 'dedicated', value: 'db' },
        { key: 'dedicated', operator: 'Equal' },
        { key: 'dedicated', operator: 'Exists', value: '', effect: '' },
      ],
    })],
    ['termination grace period 0', podSpec({ terminationGracePeriodSeconds: 0 })],
    ['termination grace period 30', podSpec({ terminationGracePeriodSeconds: 30 })],
    ['seccomp Unconfined without a profile', podSpec({ securityContext: { seccompProfile: { type: 'Unconfined' } } })],
  ])('accepts %s', (_name, spec) => {
    expect(podTemplateProblems(undefined, spec)).toStrictEqual([]);
  });

  test('a null annotation value (the API server reads it as "") is accepted and counts no bytes', () => {
    expect(podTemplateProblems({ annotations: { a: null, big: 'x'.repeat(256 * 1024 - 4) } }, podSpec())).toStrictEqual([]);
  });

  test.each<[string, any, string[]]>([
    ['a key is "."', keyRef('.'), [`invalid 'container "db" env[0].valueFrom.key': ".". ${KEY_ALLOWED}`]],
    ['a key is ".."', keyRef('..'), [`invalid 'container "db" env[0].valueFrom.key': "..". ${KEY_ALLOWED}`]],
    ['a key starts with ".."', keyRef('..data'), [`invalid 'container "db" env[0].valueFrom.key': "..data". ${KEY_ALLOWED}`]],
    ['a key has 254 characters', keyRef('k'.repeat(254)), [`invalid 'container "db" env[0].valueFrom.key': "${'k'.repeat(254)}". ${KEY_ALLOWED}`]],
    ['a key is missing', keyRef(undefined), [`invalid 'container "db" env[0].valueFrom.key': undefined. ${KEY_ALLOWED}`]],
    ['an env var has no name', env([{ value: 'x' }]), [`invalid 'container "db" env[0].name': undefined. ${ENV_ALLOWED}`]],
    ['a sysctl has no name', sysctl(undefined), [`invalid 'securityContext.sysctls[0].name': undefined. ${SYSCTL_ALLOWED}`]],
    ['a sysctl name has 254 characters', sysctl('a'.repeat(254)), [`invalid 'securityContext.sysctls[0].name': "${'a'.repeat(254)}". ${SYSCTL_ALLOWED}`]],
    ['a volume has no name', volume(undefined), [`invalid 'volumes[0].name': undefined. ${VOLUME_ALLOWED}`]],
    ['a volume name has 64 characters', volume('v'.repeat(64)), [`invalid 'volumes[0].name': "${'v'.repeat(64)}". ${VOLUME_ALLOWED}`]],
    ['a volume name ends with "-"', volume('data-'), [`invalid 'volumes[0].name': "data-". ${VOLUME_ALLOWED}`]],
    ['a namespace is a number or has 64 characters', namespaces([123, 'n'.repeat(64)]), [
      `invalid 'affinity.podAffinity.required[0].namespaces[0]': 123. ${NAMESPACE_ALLOWED}`,
      `invalid 'affinity.podAffinity.required[0].namespaces[1]': "${'n'.repeat(64)}". ${NAMESPACE_ALLOWED}`,
    ]],
    ['a probe port name starts with "-"', probe('livenessProbe', { tcpSocket: { port: '-pg' } }), [`invalid 'container "db" livenessProbe.port': "-pg". ${PORT_ALLOWED}`]],
    ['a probe port name ends with "-"', probe('livenessProbe', { tcpSocket: { port: 'pg-' } }), [`invalid 'container "db" livenessProbe.port': "pg-". ${PORT_ALLOWED}`]],
    ['a probe port is a string of digits (a name needs a letter)', probe('livenessProbe', { httpGet: { path: '/', port: '8080' } }), [`invalid 'container "db" livenessProbe.port': "8080". ${PORT_ALLOWED}`]],
    ['a probe port is a list', probe('livenessProbe', { tcpSocket: { port: ['pg'] } }), [`invalid 'container "db" livenessProbe.port': ["pg"]. ${PORT_ALLOWED}`]],
    ['a probe port is 0', probe('livenessProbe', { tcpSocket: { port: 0 } }), [`invalid 'container "db" livenessProbe.port': 0. ${PORT_ALLOWED}`]],
    ['a probe port is 65536', probe('livenessProbe', { tcpSocket: { port: 65536 } }), [`invalid 'container "db" livenessProbe.port': 65536. ${PORT_ALLOWED}`]],
    ['a gRPC probe port is a name', probe('livenessProbe', { grpc: { port: 'postgres' } }), [
      'invalid \'container "db" livenessProbe.port\': "postgres". Must be a port number from 1 to 65535. Use the port the container listens on.',
    ]],
    ['a host port is a name', podSpec({ containers: [container({ ports: [{ containerPort: 80, hostPort: 'http' }, { containerPort: 81, hostPort: 65536 }] })] }), [
      'invalid \'container "db" ports[0].hostPort\': "http". Must be a port number from 1 to 65535. Use a valid port, or leave hostPort out.',
      'invalid \'container "db" ports[1].hostPort\': 65536. Must be a port number from 1 to 65535. Use a valid port, or leave hostPort out.',
    ]],
    ['a readiness probe has negative counts and a period beyond int32', probe('readinessProbe', {
      tcpSocket: { port: 5432 }, initialDelaySeconds: -1, timeoutSeconds: -1, periodSeconds: 2147483648, successThreshold: -1, failureThreshold: -1,
    }), [
      PROBE_FIELD('initialDelaySeconds', -1), PROBE_FIELD('timeoutSeconds', -1), PROBE_FIELD('periodSeconds', 2147483648),
      PROBE_FIELD('successThreshold', -1), PROBE_FIELD('failureThreshold', -1),
    ]],
    ['an exec probe has no command at all', probe('livenessProbe', { exec: {} }), ['invalid \'container "db" livenessProbe.exec.command\': []. Must name a command. Give the command to run.']],
    ['a node selector NotIn has no values', nodeExpr({ key: 'zone', operator: 'NotIn' }), [
      `invalid '${NODE_REQ}.values': []. Must list at least one value when the operator is NotIn. Add the values to match, or use the operator Exists.`,
    ]],
    ['a node selector DoesNotExist has values', nodeExpr({ key: 'spot', operator: 'DoesNotExist', values: ['true'] }), [
      `invalid '${NODE_REQ}.values': ["true"]. Must be empty when the operator is DoesNotExist. Remove the values, or use the operator In.`,
    ]],
    ['a node selector Lt has two values', nodeExpr({ key: 'cores', operator: 'Lt', values: ['4', '8'] }), [
      `invalid '${NODE_REQ}.values': ["4","8"]. Must be a single integer when the operator is Lt. Give exactly one whole number.`,
    ]],
    ['a node selector Lt value has a prefix', nodeExpr({ key: 'cores', operator: 'Lt', values: ['x4'] }), [
      `invalid '${NODE_REQ}.values': ["x4"]. Must be a single integer when the operator is Lt. Give exactly one whole number.`,
    ]],
    ['a node selector Gt value has a suffix', nodeExpr({ key: 'cores', operator: 'Gt', values: ['4x'] }), [
      `invalid '${NODE_REQ}.values': ["4x"]. Must be a single integer when the operator is Gt. Give exactly one whole number.`,
    ]],
    ['a node selector In value is not a label value', nodeExpr({ key: 'disk', operator: 'In', values: ['d b'] }), [
      `invalid '${NODE_REQ}.values[0]': "d b". ${LV}. Use the label value exactly as the objects carry it.`,
    ]],
    ['a node selector NotIn value is a list', nodeExpr({ key: 'disk', operator: 'NotIn', values: [['ssd']] }), [
      `invalid '${NODE_REQ}.values[0]': ["ssd"]. ${LV}. Use the label value exactly as the objects carry it.`,
    ]],
    ['a label selector expression has no key', spread({ labelSelector: { matchExpressions: [{ operator: 'Exists' }] } }), [
      `invalid 'topologySpreadConstraints[0].labelSelector.matchExpressions[0].key': undefined. ${LK}. Set 'topologySpreadConstraints[0].labelSelector.matchExpressions[0].key' to a label key such as "topology.kubernetes.io/zone".`,
    ]],
    ['a nodeSelector value is a list', podSpec({ nodeSelector: { disk: ['ssd'] } }), [
      `invalid 'nodeSelector["disk"]': ["ssd"]. ${LV}. Set 'nodeSelector["disk"]' to a label value such as "primary" (no spaces, '/' or ':'); put longer text in an annotation.`,
    ]],
    ['an extended resource is requested without a limit', res({ 'example.com/gpu': '1', 'hugepages-2Mi': '2Mi' }, {}), [
      'invalid \'container "db" resources.limits.example.com/gpu\': undefined. A example.com/gpu limit is required when example.com/gpu is requested: example.com/gpu cannot be overcommitted, and the API server refuses the pod. Set the example.com/gpu limit to the request, "1".',
      'invalid \'container "db" resources.limits.hugepages-2Mi\': undefined. A hugepages-2Mi limit is required when hugepages-2Mi is requested: hugepages-2Mi cannot be overcommitted, and the API server refuses the pod. Set the hugepages-2Mi limit to the request, "2Mi".',
    ]],
    ['an extended resource limit is not a quantity (reported once)', res({ 'example.com/gpu': '1' }, { 'example.com/gpu': 'one' }), [
      'invalid \'container "db" resources.limits.example.com/gpu\': "one". Must be a quantity: a number with an optional suffix (m, k, M, G, Ki, Mi, Gi, ...). Write it as e.g. "500m" or "1Gi".',
    ]],
    ['fsGroup and a supplemental group are negative', podSpec({ securityContext: { fsGroup: -1, supplementalGroups: [1, -1] } }), [
      'invalid \'securityContext.fsGroup\': -1. Must be a whole number from 0 to 2147483647. Use the numeric id the image runs as.',
      'invalid \'securityContext.supplementalGroups[1]\': -1. Must be a whole number from 0 to 2147483647. Use the numeric id the image runs as.',
    ]],
    ['seccomp RuntimeDefault has an empty localhostProfile', podSpec({ securityContext: { seccompProfile: { type: 'RuntimeDefault', localhostProfile: '' } } }), [
      'invalid \'securityContext.seccompProfile.localhostProfile\': "". Must be set exactly when the seccomp type is Localhost. Set both or neither.',
    ]],
    ['seccomp RuntimeDefault has a localhostProfile', podSpec({ securityContext: { seccompProfile: { type: 'RuntimeDefault', localhostProfile: 'p.json' } } }), [
      'invalid \'securityContext.seccompProfile.localhostProfile\': "p.json". Must be set exactly when the seccomp type is Localhost. Set both or neither.',
    ]],
    ['seccomp Localhost has an empty profile', podSpec({ securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: '' } } }), [
      'invalid \'securityContext.seccompProfile.localhostProfile\': "". Must be set exactly when the seccomp type is Localhost. Set both or neither.',
    ]],
    ['no privilege escalation with CAP_SYS_ADMIN', csc({ allowPrivilegeEscalation: false, capabilities: { add: ['NET_ADMIN', 'CAP_SYS_ADMIN'] } }), [
      'invalid \'container "db" securityContext.allowPrivilegeEscalation\': false. Cannot be false when the capability SYS_ADMIN is added. Remove SYS_ADMIN from the added capabilities.',
    ]],
    ['a mount has no path (and no device)', mounts([{ name: 'data' }]), [
      'invalid \'container "db" volumeMounts[0].mountPath\': undefined. A mount path is required. Set the path to mount the volume at.',
    ]],
    ['maxSkew is beyond int32', spread({ maxSkew: 2147483648 }), [
      "invalid 'topologySpreadConstraints[0].maxSkew': 2147483648. Must be a whole number of at least 1: the most the number of pods may differ between two domains. Set 'maxSkew' to 1 for an even spread, or leave it out.",
    ]],
    ['the topology key is missing', spread({ topologyKey: undefined }), [
      `invalid 'topologySpreadConstraints[0].topologyKey': undefined. A node label key is required. ${LK}. Use a node label such as Topology.HOSTNAME or Topology.ZONE.`,
    ]],
    ['the node affinity policy is unknown', spread({ nodeAffinityPolicy: 'Respect' }), [
      "invalid 'topologySpreadConstraints[0].nodeAffinityPolicy': \"Respect\". Must be one of \"Honor\", \"Ignore\". Use Honor or Ignore.",
    ]],
    ['a toleration without key or operator (Equal)', tol({ value: 'db' }), [
      "invalid 'tolerations[0].operator': \"Equal\". Must be Exists when no key is given (which tolerates every taint). Give a key, or use NodeTaintQuery.any().",
    ]],
    ['an Equal toleration value is a list', tol({ key: 'dedicated', value: ['db'] }), [
      `invalid 'tolerations[0].value': ["db"]. ${LV}. Use the taint's value exactly.`,
    ]],
    ['a preferred node affinity weight is 101 and its preference invalid', podSpec({
      affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 101, preference: { matchExpressions: [{ key: 'disk', operator: 'In' }] } }] } },
    }), [
      "invalid 'affinity.nodeAffinity.preferred[0].weight': 101. Must be a whole number from 1 to 100. Set a weight from 1 to 100.",
      "invalid 'affinity.nodeAffinity.preferred[0].preference.matchExpressions[0].values': []. Must list at least one value when the operator is In. Add the values to match, or use the operator Exists.",
    ]],
    ['a pod affinity term has invalid label and namespace selectors', podSpec({
      affinity: {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'd b' } }, namespaceSelector: { matchLabels: { team: 'x y' } } },
          ],
        },
      },
    }), [
      `invalid 'affinity.podAffinity.required[0].labelSelector.matchLabels["app"]': "d b". ${LV}. Set 'affinity.podAffinity.required[0].labelSelector.matchLabels["app"]' to a label value such as "primary" (no spaces, '/' or ':'); put longer text in an annotation.`,
      `invalid 'affinity.podAffinity.required[0].namespaceSelector.matchLabels["team"]': "x y". ${LV}. Set 'affinity.podAffinity.required[0].namespaceSelector.matchLabels["team"]' to a label value such as "primary" (no spaces, '/' or ':'); put longer text in an annotation.`,
    ]],
    ['a preferred pod anti-affinity term has weight 0 and no topology key', podSpec({
      affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, podAffinityTerm: { labelSelector: { matchLabels: { app: 'db' } } } }] } },
    }), [
      "invalid 'affinity.podAntiAffinity.preferred[0].weight': 0. Must be a whole number from 1 to 100. Set a weight from 1 to 100.",
      `invalid 'affinity.podAntiAffinity.preferred[0].podAffinityTerm.topologyKey': undefined. A node label key is required. ${LK}. Use a node label such as "kubernetes.io/hostname".`,
    ]],
    ['a required node affinity has no terms field', podSpec({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {} } } }), [
      "invalid 'affinity.nodeAffinity.required.nodeSelectorTerms': []. Must have at least one node selector term. Add a term, or remove the required node affinity.",
    ]],
    ['the termination grace period is fractional', podSpec({ terminationGracePeriodSeconds: 1.5 }), [
      "invalid 'terminationGracePeriod': 1.5. Must be a whole number of seconds of at least 0. Set a whole number of seconds.",
    ]],
  ])('fails when %s', (_name, spec, messages) => {
    expect(podMessages(spec)).toEqual(messages);
  });
});

describe('claimProblems, rule by rule', () => {
  test.each([
    ['two access modes without ReadWriteOncePod', claim({ accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] })],
    ['ReadWriteOncePod alone', claim({ accessModes: ['ReadWriteOncePod'] })],
  ])('accepts %s', (_name, c) => {
    expect(claimProblems(c)).toStrictEqual([]);
  });

  test.each<[string, any, string[]]>([
    ['an annotation key is not a qualified name', claim({}, { annotations: { 'not a key': 'x' } }), [
      `invalid 'annotations key': "not a key". ${LK}. Rename the key in 'annotations', e.g. "example.com/owner".`,
    ]],
    ['the access modes are missing', claim({ accessModes: undefined }), [
      "invalid 'accessModes': []. Must name at least one access mode. Leave 'accessModes' out for ReadWriteOnce, or list the modes you need.",
    ]],
    ['the resources are missing', claim({ resources: undefined }), [
      "invalid 'storage': undefined. A storage request larger than zero is required. Set 'storage' to a size such as Size.gibibytes(1).",
    ]],
    ['the data source has no name field', claim({ dataSource: { kind: 'PersistentVolumeClaim' } }), [
      "invalid 'dataSource.name': \"\". The name of the source object is required. Name the snapshot or claim to populate from.",
    ]],
  ])('fails when %s', (_name, c, messages) => {
    expect(problemMessages(CLAIM_WHERE, claimProblems(c))).toEqual(messages.map(m => `${CLAIM_WHERE}: ${m}`));
  });
});

describe('image references, at the limits', () => {
  test.each([
    ['a name of 255 characters', 'a'.repeat(255)],
    ['a digest algorithm with a "+" component', `app@multihash+base58:${HEX}`],
    ['a digest algorithm with a "." component of several characters', `app@sha.version2:${HEX}`],
  ])('accepts %s', (_name, image) => {
    expect(isImageReference(image)).toBe(true);
  });

  test.each([
    ['a name of 256 characters', 'a'.repeat(256)],
    ['a digest algorithm starting with a digit', `app@1sha256:${HEX}`],
    ['a digest with a non-hex suffix', `app@sha256:${HEX}x`],
    ['a reference longer than 4096 characters', `app@sha256:${'a'.repeat(4100)}`],
  ])('fails with %s', (_name, image) => {
    expect(isImageReference(image)).toBe(false);
  });
});
