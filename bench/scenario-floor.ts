/**
 * Scenario (c), the floor: this library's exact output for the basic service (scenario a),
 * written as plain cdk8s `ApiObject`s with no abstraction, no defaults and no checks. Only cdk8s
 * is imported. test/scale.test.ts checks that it renders byte-identical YAML to scenario (a).
 */
import { ApiObject, Chart } from 'cdk8s';

/** @param storageClassName the class of the claim template (the full scenario's floor: `fast`) */
export function addService(chart: Chart, i: number, storageClassName?: string): void {
  const name = `svc-${i}`;
  const selector = () => ({ 'app.kubernetes.io/instance': name, 'app.kubernetes.io/name': name });
  const labels = () => ({ ...selector(), 'app.kubernetes.io/managed-by': 'cdk8s-stateful' });
  const port = () => ({ name: 'postgres', port: 5432, protocol: 'TCP', targetPort: 'postgres' });
  const spread = (topologyKey: string) => ({
    labelSelector: { matchLabels: selector() },
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
  });
  new ApiObject(chart, `db${i}`, {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'bench', labels: labels() },
    spec: {
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      podManagementPolicy: 'OrderedReady',
      replicas: 3,
      selector: { matchLabels: selector() },
      serviceName: name,
      template: {
        metadata: { labels: selector() },
        spec: {
          automountServiceAccountToken: false,
          containers: [{
            image: 'docker.io/library/postgres:16.4',
            imagePullPolicy: 'IfNotPresent',
            name: 'db',
            ports: [{ containerPort: 5432, name: 'postgres' }],
            resources: { limits: { memory: '512Mi' }, requests: { cpu: '250m', memory: '512Mi' } },
            securityContext: {
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'] },
              privileged: false,
              readOnlyRootFilesystem: true,
              runAsGroup: 999,
              runAsNonRoot: true,
              runAsUser: 999,
            },
            volumeMounts: [{ mountPath: '/var/lib/postgresql/data', name: 'data' }, { mountPath: '/tmp', name: 'tmp' }],
          }],
          securityContext: {
            fsGroup: 1000,
            fsGroupChangePolicy: 'OnRootMismatch',
            runAsNonRoot: true,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          topologySpreadConstraints: [spread('kubernetes.io/hostname'), spread('topology.kubernetes.io/zone')],
          volumes: [{ emptyDir: {}, name: 'tmp' }],
        },
      },
      updateStrategy: { rollingUpdate: { partition: 0 }, type: 'RollingUpdate' },
      volumeClaimTemplates: [{
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } }, storageClassName, volumeMode: 'Filesystem' },
      }],
    },
  });
  new ApiObject(chart, `headless${i}`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'bench', labels: labels() },
    spec: { clusterIP: 'None', ports: [port()], selector: selector(), type: 'ClusterIP' },
  });
  new ApiObject(chart, `budget${i}`, {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: 'bench', labels: labels() },
    spec: { maxUnavailable: 1, selector: { matchLabels: selector() } },
  });
  new ApiObject(chart, `client${i}`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `${name}-client`, namespace: 'bench', labels: labels() },
    spec: { ports: [port()], selector: selector(), type: 'ClusterIP' },
  });
}
