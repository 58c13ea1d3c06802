import { ApiObject, Chart, Cron, JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { expectValidManifests, registerCustomResource, schemaIdOf, validateManifest } from './k8s-schema';

// ---------------------------------------------------------------- fixtures

const LABELS = { 'app.kubernetes.io/name': 'db', 'app.kubernetes.io/instance': 'db-main' };

function statefulSet(): any {
  // a JSON round trip, unlike structuredClone, also unshares LABELS between metadata and selectors
  return JSON.parse(JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'data', labels: LABELS, annotations: { 'argocd.argoproj.io/sync-wave': '1' } },
    spec: {
      replicas: 3,
      serviceName: 'db-headless',
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: LABELS },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' },
      template: {
        metadata: { labels: LABELS },
        spec: {
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          securityContext: { runAsNonRoot: true, fsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'postgres',
            image: 'docker.io/library/postgres:16',
            imagePullPolicy: 'IfNotPresent',
            ports: [{ name: 'postgres', containerPort: 5432 }],
            env: [{ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' }],
            resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
            readinessProbe: { tcpSocket: { port: 'postgres' }, periodSeconds: 5 },
            livenessProbe: { exec: { command: ['pg_isready'] } },
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsUser: 999 },
            volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
          }],
        },
      },
      volumeClaimTemplates: [{
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', volumeMode: 'Filesystem', resources: { requests: { storage: '16Ki' } } },
      }],
    },
  }));
}

/** Other kinds this library renders, built by hand. */
const HAND_BUILT: any[] = [
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'db-headless' },
    spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: LABELS, ports: [{ name: 'postgres', port: 5432, targetPort: 'postgres' }] },
  },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'legacy-db' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'legacy-db-1', labels: { 'kubernetes.io/service-name': 'legacy-db', 'endpointslice.kubernetes.io/managed-by': 'cdk8s-stateful' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.7'], conditions: { ready: true } }],
    ports: [{ name: 'postgres', port: 5432, protocol: 'TCP' }],
  },
  { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'legacy-db' }, subsets: [{ addresses: [{ ip: '10.0.0.7' }], ports: [{ port: 5432 }] }] },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'db-connection' }, data: { 'DB_HOST': 'db-0.db-headless', 'app.properties': 'x=1' } },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-credentials' }, type: 'Opaque', data: { password: 'c2VjcmV0' }, stringData: { user: 'app' } },
  {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'local' },
    provisioner: 'kubernetes.io/no-provisioner',
    volumeBindingMode: 'WaitForFirstConsumer',
    allowVolumeExpansion: true,
    reclaimPolicy: 'Retain',
  },
  {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'local-pv-1' },
    spec: {
      capacity: { storage: '10Gi' },
      accessModes: ['ReadWriteOncePod'],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: 'local',
      local: { path: '/mnt/disks/ssd1' },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-1'] }] }] } },
    },
  },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'db' }, spec: { maxUnavailable: 1, selector: { matchLabels: LABELS } } },
  {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'db-backup' },
    spec: { schedule: '0 3 * * *', jobTemplate: { spec: { backoffLimit: 2, template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'backup', image: 'backup:1' }] } } } } },
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'db' },
    spec: { podSelector: { matchLabels: LABELS }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 5432, protocol: 'TCP' }] }] },
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'db' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'db' },
    subjects: [{ kind: 'ServiceAccount', name: 'db' }],
  },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3 } },
];

/** A copy of the StatefulSet fixture changed by `edit`. */
function editedStatefulSet(edit: (sts: any) => void): any {
  const sts = statefulSet();
  edit(sts);
  return sts;
}

// ---------------------------------------------------------------- valid objects

describe('valid objects pass', () => {
  test('a hand-built StatefulSet with claim templates, probes, resources, labels and annotations', () => {
    expect(validateManifest(statefulSet())).toEqual([]);
  });

  test.each(HAND_BUILT.map(o => [`${o.kind}/${o.metadata.name}`, o]))('%s', (_name, obj) => {
    expect(validateManifest(obj)).toEqual([]);
  });

  test('everything cdk8s-plus-27 synthesizes', () => {
    const chart = Testing.chart();
    const cm = new kplus.ConfigMap(chart, 'cm', { data: { 'key.txt': 'value' } });
    const secret = new kplus.Secret(chart, 'secret', { stringData: { password: 'p' } });
    const sts = new kplus.StatefulSet(chart, 'sts', {
      replicas: 2,
      containers: [{
        image: 'postgres:16',
        portNumber: 5432,
        envVariables: { PASSWORD: kplus.EnvValue.fromSecretValue({ secret, key: 'password' }) },
        resources: { memory: { request: Size.mebibytes(256), limit: Size.gibibytes(1) } },
        // cdk8s-plus-27's Capability enum has no ALL (and its values carry a CAP_ prefix)
        securityContext: { capabilities: { drop: ['ALL' as kplus.Capability] } },
      }],
    });
    sts.addVolume(kplus.Volume.fromConfigMap(chart, 'cm-vol', cm));
    new kplus.Deployment(chart, 'web', { containers: [{ image: 'nginx', portNumber: 8080 }] }).exposeViaService();
    new kplus.DaemonSet(chart, 'ds', { containers: [{ image: 'agent' }] });
    new kplus.Job(chart, 'job', { containers: [{ image: 'migrate' }] });
    new kplus.CronJob(chart, 'cron', { schedule: Cron.daily(), containers: [{ image: 'backup' }] });
    new kplus.Pod(chart, 'pod', { containers: [{ image: 'debug' }] });
    new kplus.PersistentVolumeClaim(chart, 'pvc', { storage: Size.gibibytes(5), accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE] });
    new kplus.ServiceAccount(chart, 'sa');
    new kplus.NetworkPolicy(chart, 'np', { selector: sts });

    const manifests = Testing.synth(chart);
    expect(manifests.map(m => m.kind).sort()).toEqual([
      'ConfigMap', 'CronJob', 'DaemonSet', 'Deployment', 'Job', 'NetworkPolicy', 'PersistentVolumeClaim', 'Pod',
      'Secret', 'Service', 'Service', 'ServiceAccount', 'StatefulSet',
    ]);
    expect(() => expectValidManifests(manifests)).not.toThrow();
  });

  test('k8s L1 objects of cdk8s-plus-27', () => {
    const chart = Testing.chart();
    new k8s.KubeStatefulSet(chart, 'sts', {
      metadata: { name: 'db' },
      spec: {
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'postgres:16' }] } },
        volumeClaimTemplates: [{
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: k8s.Quantity.fromString('1Gi') } } },
        }],
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' },
        ordinals: { start: 1 },
      },
    });
    new k8s.KubeEndpointSlice(chart, 'slice', {
      metadata: { name: 'ext-1', labels: { 'kubernetes.io/service-name': 'ext' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['192.0.2.10'] }],
      ports: [{ name: 'http', port: 80 }],
    });
    new k8s.KubePodDisruptionBudget(chart, 'pdb', {
      metadata: { name: 'db' }, spec: { minAvailable: k8s.IntOrString.fromString('50%'), selector: { matchLabels: { app: 'db' } } },
    });
    new k8s.KubeStorageClass(chart, 'sc', { metadata: { name: 'expandable' }, provisioner: 'ebs.csi.aws.com', allowVolumeExpansion: true });
    expect(() => expectValidManifests(Testing.synth(chart))).not.toThrow();
  });

  test('maps keep accepting any key: labels, annotations, data, resources, nodeSelector, selectors', () => {
    const sts = editedStatefulSet(s => {
      s.metadata.labels['example.com/any-key_1.x'] = 'Any.Value-1_x';
      s.metadata.annotations['example.com/free-text'] = 'any text: {"json": true}\n';
      s.spec.template.spec.nodeSelector['topology.kubernetes.io/zone'] = 'eu-west-1a';
      s.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu'] = 1;
      s.spec.template.spec.containers[0].resources.requests['ephemeral-storage'] = '2G';
    });
    expect(validateManifest(sts)).toEqual([]);
  });

  test('valid quantities: binary, decimal, milli, exponent and plain numbers', () => {
    for (const q of ['16Ki', '1Mi', '1Gi', '1G', '1.5Gi', '500m', '0.5', '1e3', 2, 0.25]) {
      const sts = editedStatefulSet(s => { s.spec.volumeClaimTemplates[0].spec.resources.requests.storage = q; });
      expect(validateManifest(sts)).toEqual([]);
    }
  });

  test('int-or-string fields take port names and numbers', () => {
    for (const port of ['postgres', 5432]) {
      const sts = editedStatefulSet(s => { s.spec.template.spec.containers[0].readinessProbe.tcpSocket.port = port; });
      expect(validateManifest(sts)).toEqual([]);
    }
  });

  test('null counts as unset for optional fields, as in the API server', () => {
    const sts = editedStatefulSet(s => {
      s.spec.podManagementPolicy = null; // nullable enum
      s.spec.minReadySeconds = null; // nullable integer
      s.spec.template.metadata = null; // nullable reference
      s.spec.template.spec.containers[0].livenessProbe = null;
    });
    expect(validateManifest(sts)).toEqual([]);
  });

  test('undefined values are dropped, as in the synthesized YAML', () => {
    expect(validateManifest(editedStatefulSet(s => { s.spec.replicaz = undefined; }))).toEqual([]);
  });
});

// ---------------------------------------------------------------- strictness

describe('unknown fields are reported', () => {
  test('spec.replica', () => {
    expect(validateManifest(editedStatefulSet(s => { s.spec.replica = 3; })))
      .toEqual(['spec: unknown field "replica" (did you mean "replicas"?)']);
  });

  test('spec.template.spec.containers[0].imagePullPolcy', () => {
    expect(validateManifest(editedStatefulSet(s => { s.spec.template.spec.containers[0].imagePullPolcy = 'Always'; })))
      .toEqual(['spec.template.spec.containers[0]: unknown field "imagePullPolcy" (did you mean "imagePullPolicy"?)']);
  });

  test('volumeClaimTemplates[0].spec.storageClass', () => {
    expect(validateManifest(editedStatefulSet(s => { s.spec.volumeClaimTemplates[0].spec.storageClass = 'fast'; })))
      .toEqual(['spec.volumeClaimTemplates[0].spec: unknown field "storageClass" (did you mean "storageClassName"?)']);
  });

  test('at every level: top level, metadata, nested objects, array items', () => {
    const sts = editedStatefulSet(s => {
      s.status2 = {};
      s.metadata.label = {};
      s.spec.template.spec.securityContext.seccompProfile.typ = 'RuntimeDefault';
      s.spec.template.spec.containers[0].ports[0].port = 5432;
      s.spec.volumeClaimTemplates[0].spec.resources.request = {};
    });
    expect(validateManifest(sts)).toEqual([
      '(root): unknown field "status2" (did you mean "status"?)',
      'metadata: unknown field "label" (did you mean "labels"?)',
      'spec.template.spec.containers[0].ports[0]: unknown field "port"',
      'spec.template.spec.securityContext.seccompProfile: unknown field "typ" (did you mean "type"?)',
      'spec.volumeClaimTemplates[0].spec.resources: unknown field "request" (did you mean "requests"?)',
    ]);
  });

  test('inside a nullable reference the typo is reported once, without oneOf noise', () => {
    const errors = validateManifest(editedStatefulSet(s => { s.spec.template.spec.containers[0].livenessProbe.exec.cmd = ['true']; }));
    expect(errors).toEqual(['spec.template.spec.containers[0].livenessProbe.exec: unknown field "cmd"']);
  });

  test('typos in a plain cdk8s ApiObject, in its props and through a JSON patch', () => {
    // (L1 classes such as k8s.KubeStatefulSet re-map their JSON through their typed props, which
    // silently drops unknown fields, patches included: only plain ApiObjects can carry typos.)
    const chart = Testing.chart();
    const sts = new ApiObject(chart, 'sts', editedStatefulSet(s => { s.spec.replica = 2; }));
    sts.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/imagePullPolcy', 'Always'));
    expect(() => expectValidManifests(chart.toJson())).toThrow([
      '2 Kubernetes 1.27 schema error(s):',
      '  StatefulSet/db: spec: unknown field "replica" (did you mean "replicas"?)',
      '  StatefulSet/db: spec.template.spec.containers[0]: unknown field "imagePullPolcy" (did you mean "imagePullPolicy"?)',
    ].join('\n'));
  });

  test('a field of a later Kubernetes version is unknown to 1.27', () => {
    // appArmorProfile arrived in 1.30
    expect(validateManifest(editedStatefulSet(s => { s.spec.template.spec.securityContext.appArmorProfile = { type: 'RuntimeDefault' }; })))
      .toEqual(['spec.template.spec.securityContext: unknown field "appArmorProfile"']);
  });
});

describe('wrong values are reported', () => {
  test('types', () => {
    const sts = editedStatefulSet(s => {
      s.spec.replicas = '3';
      s.spec.template.spec.containers[0].ports[0].containerPort = 5432.5;
      s.spec.template.spec.containers[0].args = 'run';
    });
    expect(validateManifest(sts)).toEqual([
      'spec.replicas: must be integer, got string "3"',
      'spec.template.spec.containers[0].args: must be array, got string "run"',
      'spec.template.spec.containers[0].ports[0].containerPort: must be integer, got number 5432.5',
    ]);
  });

  test('enums', () => {
    expect(validateManifest(editedStatefulSet(s => { s.spec.podManagementPolicy = 'parallel'; })))
      .toEqual(['spec.podManagementPolicy: "parallel" is not one of "OrderedReady", "Parallel"']);
  });

  test('int32 range', () => {
    expect(validateManifest(editedStatefulSet(s => { s.spec.replicas = 2 ** 31; })))
      .toEqual(['spec.replicas: 2147483648 is not a valid int32']);
  });

  test('quantities', () => {
    for (const q of ['1GB', '1gi', '10 Gi', '']) {
      expect(validateManifest(editedStatefulSet(s => { s.spec.volumeClaimTemplates[0].spec.resources.requests.storage = q; })))
        .toEqual([`spec.volumeClaimTemplates[0].spec.resources.requests.storage: ${JSON.stringify(q)} must be a number or a string in quantity format`]);
    }
  });

  test('int-or-string', () => {
    expect(validateManifest(editedStatefulSet(s => { s.spec.template.spec.containers[0].readinessProbe.tcpSocket.port = true; })))
      .toEqual(['spec.template.spec.containers[0].readinessProbe.tcpSocket.port: true must be a string or an integer']);
  });

  test('annotation values must be strings', () => {
    expect(validateManifest(editedStatefulSet(s => { s.metadata.annotations['argocd.argoproj.io/sync-wave'] = 1; })))
      .toEqual(['metadata.annotations["argocd.argoproj.io/sync-wave"]: must be string, got integer 1']);
  });

  test('missing required fields', () => {
    const sts = editedStatefulSet(s => {
      delete s.spec.selector;
      delete s.spec.template.spec.containers[0].name;
    });
    expect(validateManifest(sts)).toEqual([
      'spec: missing required field "selector"',
      'spec.template.spec.containers[0]: missing required field "name"',
    ]);
  });
});

describe('apiVersion and kind', () => {
  test.each([
    ['v1', 'Service', 'io.k8s.api.core.v1.Service'],
    ['apps/v1', 'StatefulSet', 'io.k8s.api.apps.v1.StatefulSet'],
    ['policy/v1', 'PodDisruptionBudget', 'io.k8s.api.policy.v1.PodDisruptionBudget'],
    ['discovery.k8s.io/v1', 'EndpointSlice', 'io.k8s.api.discovery.v1.EndpointSlice'],
    ['storage.k8s.io/v1', 'StorageClass', 'io.k8s.api.storage.v1.StorageClass'],
    ['batch/v1', 'CronJob', 'io.k8s.api.batch.v1.CronJob'],
    ['networking.k8s.io/v1', 'Ingress', 'io.k8s.api.networking.v1.Ingress'],
    ['rbac.authorization.k8s.io/v1', 'Role', 'io.k8s.api.rbac.v1.Role'],
    ['autoscaling/v2', 'HorizontalPodAutoscaler', 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler'],
    ['apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition'],
  ])('%s %s -> %s', (apiVersion, kind, id) => {
    expect(schemaIdOf(apiVersion, kind)).toBe(id);
  });

  test.each([
    ['a wrong group', 'v1', 'StatefulSet', '(did you mean apiVersion "apps/v1"?)'],
    ['a wrong version', 'apps/v2', 'StatefulSet', '(did you mean apiVersion "apps/v1"?)'],
    ['an API removed before 1.27', 'policy/v1beta1', 'PodDisruptionBudget', '(did you mean apiVersion "policy/v1"?)'],
    ['another API removed before 1.27', 'batch/v1beta1', 'CronJob', '(did you mean apiVersion "batch/v1"?)'],
    ['an API removed long ago', 'extensions/v1beta1', 'Deployment', '(did you mean apiVersion "apps/v1"?)'],
    ['a kind typo', 'apps/v1', 'Statefulset', ''],
    ['a type that is not a kind', 'v1', 'PodSpec', ''],
    ['a custom resource', 'argoproj.io/v1alpha1', 'Application', ''],
  ])('%s is an error', (_what, apiVersion, kind, hint) => {
    const obj = { apiVersion, kind, metadata: { name: 'x' } };
    expect(validateManifest(obj)).toEqual([
      `unknown apiVersion/kind "${apiVersion}" "${kind}": not a kind of the Kubernetes 1.27 API${hint ? ` ${hint}` : ''}`,
    ]);
  });

  test('missing apiVersion or kind, or not an object', () => {
    expect(validateManifest({ kind: 'Service', metadata: { name: 'x' } }))
      .toEqual(['apiVersion and kind must be strings, got apiVersion undefined and kind "Service"']);
    expect(validateManifest('kind: Service')).toEqual(['expected a Kubernetes object, got "kind: Service"']);
    expect(validateManifest([])).toEqual(['expected a Kubernetes object, got []']);
  });
});

// ---------------------------------------------------------------- names and labels

describe('names, labels and annotations', () => {
  const configMap = (metadata: any): any => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata });

  test('metadata.name is required', () => {
    expect(validateManifest({ apiVersion: 'v1', kind: 'ConfigMap' })).toEqual(['metadata: missing required field (with metadata.name)']);
    expect(validateManifest(configMap({ generateName: 'x-' })))
      .toEqual(['metadata.name: missing required field (generateName does not work with kubectl apply or Argo CD)']);
  });

  test('metadata.name must be a DNS-1123 subdomain of at most 253 characters', () => {
    expect(validateManifest(configMap({ name: 'a.b-c.d0' }))).toEqual([]);
    expect(validateManifest(configMap({ name: 'a'.repeat(253) }))).toEqual([]);
    const rule = 'must be a DNS-1123 subdomain: at most 253 characters, lower case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit';
    for (const name of ['My-Config', 'my_config', '-x', 'x.', 'a..b']) {
      expect(validateManifest(configMap({ name }))).toEqual([`metadata.name: ${JSON.stringify(name)} ${rule}`]);
    }
    expect(validateManifest(configMap({ name: 'a'.repeat(254) }))).toEqual([`metadata.name: "${'a'.repeat(76)}... ${rule}`]);
  });

  test('Services need a DNS-1035 label, namespaces a DNS-1123 label', () => {
    const service = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }] } });
    expect(validateManifest(service('db-0'))).toEqual([]);
    expect(validateManifest(service('0db'))).toEqual([
      'metadata.name: "0db" must be a DNS-1035 label: at most 63 characters, lower case letters, digits and \'-\', starting with a letter and ending with a letter or digit',
    ]);
    expect(validateManifest(service('db.headless'))).toHaveLength(1);
    expect(validateManifest({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } })).toHaveLength(1);
    expect(validateManifest(configMap({ name: 'x', namespace: 'Data' }))).toEqual([
      'metadata.namespace: "Data" must be a DNS-1123 label: at most 63 characters, lower case letters, digits and \'-\', starting and ending with a letter or digit',
    ]);
  });

  test('label values: at most 63 characters, alphanumeric at both ends, may be empty', () => {
    expect(validateManifest(configMap({ name: 'x', labels: { a: '', b: 'A_b.c-D', c: 'x'.repeat(63) } }))).toEqual([]);
    const rule = 'must be at most 63 characters: letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit (or empty)';
    expect(validateManifest(configMap({ name: 'x', labels: { a: 'x'.repeat(64), b: 'has space', c: '-x' } }))).toEqual([
      `metadata.labels.a: label value "${'x'.repeat(64)}" ${rule}`,
      `metadata.labels.b: label value "has space" ${rule}`,
      `metadata.labels.c: label value "-x" ${rule}`,
    ]);
  });

  test('label keys: optional DNS subdomain prefix and a name of at most 63 characters', () => {
    expect(validateManifest(configMap({ name: 'x', labels: { 'app.kubernetes.io/name': 'x', 'Name_1': 'x' } }))).toEqual([]);
    expect(validateManifest(configMap({ name: 'x', labels: { 'App.io/name': 'x', 'example.com/': 'x', 'a/b/c': 'x', [`${'k'.repeat(64)}`]: 'x' } }))).toEqual([
      'metadata.labels["App.io/name"]: invalid label key: prefix "App.io" must be a DNS-1123 subdomain: at most 253 characters, lower case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit',
      'metadata.labels["example.com/"]: invalid label key: name part "" must be at most 63 characters: letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit',
      'metadata.labels["a/b/c"]: invalid label key: prefix "a/b" must be a DNS-1123 subdomain: at most 253 characters, lower case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit',
      `metadata.labels.${'k'.repeat(64)}: invalid label key: name part "${'k'.repeat(64)}" must be at most 63 characters: letters, digits, '-', '_' and '.', starting and ending with a letter or digit`,
    ]);
  });

  test('labels of pod templates, claim templates, selectors and node selectors are checked too', () => {
    const sts = editedStatefulSet(s => {
      s.spec.template.metadata.labels.bad = 'a b';
      s.spec.selector.matchLabels.bad = 'a b';
      s.spec.template.spec.nodeSelector.bad = 'a b';
      s.spec.volumeClaimTemplates[0].metadata.labels = { bad: 'a b' };
    });
    expect(validateManifest(sts).map(e => e.split(':')[0])).toEqual([
      'spec.selector.matchLabels.bad',
      'spec.template.metadata.labels.bad',
      'spec.template.spec.nodeSelector.bad',
      'spec.volumeClaimTemplates[0].metadata.labels.bad',
    ]);
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { selector: { app: 'a b' }, ports: [{ port: 80 }] } };
    expect(validateManifest(svc)).toEqual([
      'spec.selector.app: label value "a b" must be at most 63 characters: letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit (or empty)',
    ]);
  });

  test('annotation keys are qualified names; values may be any string', () => {
    expect(validateManifest(configMap({ name: 'x', annotations: { 'Example.com/Note': 'Any text, even\nmultiple lines' } }))).toEqual([]);
    expect(validateManifest(configMap({ name: 'x', annotations: { 'bad key': 'v' } }))).toEqual([
      'metadata.annotations["bad key"]: invalid annotation key: name part "bad key" must be at most 63 characters: letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit',
    ]);
    expect(validateManifest(configMap({ name: 'x', annotations: { big: 'x'.repeat(256 * 1024) } })))
      .toEqual(['metadata.annotations: annotations may total at most 256 KiB, got 262147 bytes']);
  });

  test('ConfigMap and Secret keys', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { 'ok_key-1.txt': '', 'bad/key': '' } };
    expect(validateManifest(cm)).toEqual(['data["bad/key"]: key must consist of letters, digits, \'-\', \'_\' or \'.\' (at most 253 characters)']);
  });
});

// ---------------------------------------------------------------- expectValidManifests

describe('expectValidManifests', () => {
  test('passes for valid objects', () => {
    expect(() => expectValidManifests([statefulSet(), ...HAND_BUILT])).not.toThrow();
    expect(() => expectValidManifests([])).not.toThrow();
  });

  test('lists every error of every object, prefixed by kind/name', () => {
    const objs = [
      editedStatefulSet(s => { s.spec.replica = 1; s.spec.serviceName = 2; }),
      HAND_BUILT[0],
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad' } },
      { apiVersion: 'v2', kind: 'Thing' },
    ];
    let message = '';
    try {
      expectValidManifests(objs);
    } catch (e: any) {
      message = e.message;
    }
    expect(message).toBe([
      '4 Kubernetes 1.27 schema error(s):',
      '  StatefulSet/db: spec: unknown field "replica" (did you mean "replicas"?)',
      '  StatefulSet/db: spec.serviceName: must be string, got integer 2',
      '  ConfigMap/Bad: metadata.name: "Bad" must be a DNS-1123 subdomain: at most 253 characters, lower case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit',
      '  Thing/<no name>: unknown apiVersion/kind "v2" "Thing": not a kind of the Kubernetes 1.27 API',
    ].join('\n'));
  });

  test('rejects a non-array', () => {
    expect(() => expectValidManifests({} as any)).toThrow('expectValidManifests: expected an array of objects, got {}');
  });
});

// ---------------------------------------------------------------- speed

test('validation is fast once a kind is compiled', () => {
  const chart = new Chart(Testing.app(), 'speed');
  for (let i = 0; i < 200; i++) {
    new kplus.StatefulSet(chart, `sts${i}`, { containers: [{ image: 'postgres:16', portNumber: 5432 }] });
  }
  const objects = Testing.synth(chart).filter(m => m.kind === 'StatefulSet');
  expect(objects).toHaveLength(200);
  const start = performance.now();
  expectValidManifests(objects);
  const elapsed = performance.now() - start;
  // The StatefulSet validator is compiled by the tests above; 200 objects take a few tens of ms.
  expect(elapsed).toBeLessThan(2000);
});

describe('custom resources', () => {
  const schema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        required: ['source'],
        properties: {
          source: { type: 'object', properties: { claimName: { type: 'string' } } },
          parameters: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true },
          size: { 'x-kubernetes-int-or-string': true, 'anyOf': [{ type: 'integer' }, { type: 'string' }] },
        },
      },
    },
  };

  test('a registered kind is validated strictly, with apiVersion and kind pinned', () => {
    registerCustomResource('example.test.io/v1', 'Widget', schema);
    const ok = { apiVersion: 'example.test.io/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { source: { claimName: 'c' }, parameters: { any: { thing: 1 } }, size: '1Gi' } };
    expect(validateManifest(ok)).toEqual([]);
    expect(validateManifest({ ...ok, spec: { source: { claim: 'c' } } }).join('\n')).toMatch(/claim/);
    expect(validateManifest({ ...ok, spec: {} }).join('\n')).toMatch(/source/);
    expect(validateManifest({ ...ok, apiVersion: 'example.test.io/v2' }).join('\n')).toMatch(/unknown apiVersion\/kind/);
    expect(validateManifest({ ...ok, metadata: { name: 'Not_A_Name' } })).not.toEqual([]);
  });
});
