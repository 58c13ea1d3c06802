/**
 * Scenario (e), the full scenario's floor: the exact output of scenario (d) written as plain cdk8s
 * `ApiObject`s, with no abstraction, no defaults and no checks. Only cdk8s is imported.
 * test/scale.test.ts checks that it renders byte-identical YAML to scenario (d).
 */
import { createHash } from 'crypto';
import { ApiObject, Chart, JsonPatch, Names } from 'cdk8s';
import * as basic from './scenario-floor';

/** The StorageClass is rendered once per app, in the chart of the first service. */
const classes = new WeakSet<object>();

const dataSafe = () => ({ 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' });

export function addService(chart: Chart, i: number): void {
  if (!classes.has(chart.node.root)) {
    classes.add(chart.node.root);
    const storageClass = new ApiObject(chart, 'fast', {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'fast' },
      allowVolumeExpansion: false,
      provisioner: 'kubernetes.io/no-provisioner',
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
    // cluster-scoped: no namespace (the chart's would apply)
    storageClass.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }
  const name = `svc-${i}`;
  const namespace = chart.namespace ?? 'bench';
  basic.addService(chart, i, 'fast');
  for (const ordinal of [0, 1, 2]) {
    const volume = new ApiObject(chart, `volume${i}-${ordinal}`, {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { annotations: dataSafe(), name: `${namespace}-data-${name}-${ordinal}` },
      spec: {
        accessModes: ['ReadWriteOnce'],
        capacity: { storage: '10Gi' },
        claimRef: { name: `data-${name}-${ordinal}`, namespace },
        local: { path: '/mnt/disks/ssd0' },
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [`node-${ordinal}`] }] }],
          },
        },
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: 'fast',
        volumeMode: 'Filesystem',
      },
    });
    volume.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }
  const host = `${name}.${namespace}.svc.cluster.local`;
  const prefix = name.toUpperCase().replace(/-/g, '_');
  const data = {
    [`${prefix}_SERVICE_HOST`]: host,
    [`${prefix}_SERVICE_PORT`]: '5432',
    [`${prefix}_SERVICE_PORT_POSTGRES`]: '5432',
    [`${prefix}_SERVICE_SERVER_NAME`]: host,
  };
  const checksum = createHash('sha256').update(JSON.stringify({ data })).digest('hex').slice(0, 16);
  // the address label cdk8s-plus derives from the object's path, known once the object exists
  const selector: { [key: string]: string } = {};
  const podLabels: { [key: string]: string } = {};
  const deployment = new ApiObject(chart, `app${i}`, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `app-${i}` },
    spec: {
      minReadySeconds: 0,
      progressDeadlineSeconds: 600,
      replicas: 1,
      selector: { matchLabels: selector },
      strategy: { type: 'Recreate' },
      template: {
        metadata: { annotations: { [`connection.cdk8s-stateful.io/${name}-connection`]: checksum }, labels: podLabels },
        spec: {
          automountServiceAccountToken: false,
          containers: [{
            envFrom: [{ configMapRef: { name: `${name}-connection` } }],
            image: 'registry.example.com/app:1.0.0',
            imagePullPolicy: 'Always',
            name: 'app',
            resources: { limits: { cpu: '1500m', memory: '2048Mi' }, requests: { cpu: '1000m', memory: '512Mi' } },
            securityContext: {
              allowPrivilegeEscalation: false,
              privileged: false,
              readOnlyRootFilesystem: true,
              runAsGroup: 1000,
              runAsNonRoot: true,
              runAsUser: 1000,
            },
            volumeMounts: [{ mountPath: '/data', name: `pvc-files-${i}` }],
          }],
          dnsPolicy: 'ClusterFirst',
          hostNetwork: false,
          restartPolicy: 'Always',
          securityContext: { fsGroupChangePolicy: 'Always', runAsNonRoot: true },
          setHostnameAsFQDN: false,
          terminationGracePeriodSeconds: 30,
          volumes: [{ name: `pvc-files-${i}`, persistentVolumeClaim: { claimName: `files-${i}` } }],
        },
      },
    },
  });
  selector['cdk8s.io/metadata.addr'] = podLabels['cdk8s.io/metadata.addr'] = Names.toLabelValue(deployment);
  new ApiObject(chart, `files${i}`, {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { annotations: dataSafe(), name: `files-${i}` },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' },
  });
  new ApiObject(chart, `connection${i}`, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { labels: { 'app.kubernetes.io/managed-by': 'cdk8s-stateful' }, name: `${name}-connection` },
    data,
  });
}
