/**
 * Scenario (b): the basic service written with cdk8s-plus-27, with L1 objects and a JSON patch
 * for what it lacks (volume claim templates, the disruption budget, pod-level seccomp). The anchor
 * users compare us with. (The L1 StatefulSet re-serializes patched claim templates: a quantity must
 * be patched in as `{ value }`, and their `apiVersion`/`kind` are dropped.)
 */
import { ApiObject, Chart, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';

export function addService(chart: Chart, i: number): void {
  const name = `svc-${i}`;
  const selector = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
  const headless = new kplus.Service(chart, `headless${i}`, {
    metadata: { name },
    clusterIP: 'None',
    ports: [{ name: 'postgres', port: 5432, targetPort: 5432 }],
  });
  const sts = new kplus.StatefulSet(chart, `db${i}`, {
    metadata: { name },
    service: headless,
    replicas: 3,
    podMetadata: { labels: selector },
    securityContext: { ensureNonRoot: true, fsGroup: 1000 },
    automountServiceAccountToken: false,
    containers: [{
      name: 'db',
      image: 'docker.io/library/postgres:16.4',
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      ports: [{ name: 'postgres', number: 5432 }],
      securityContext: { user: 999, group: 999, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
      resources: {
        cpu: { request: kplus.Cpu.millis(250) },
        memory: { request: Size.mebibytes(512), limit: Size.mebibytes(512) },
      },
      volumeMounts: [{ path: '/tmp', volume: kplus.Volume.fromEmptyDir(chart, `tmp${i}`, 'tmp') }],
    }],
  });
  ApiObject.of(sts).addJsonPatch(
    JsonPatch.add('/spec/volumeClaimTemplates', [{
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: { value: '10Gi' } } }, volumeMode: 'Filesystem' },
    }]),
    JsonPatch.add('/spec/template/spec/containers/0/volumeMounts/-', { name: 'data', mountPath: '/var/lib/postgresql/data' }),
    JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
    JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }),
  );
  new kplus.Service(chart, `client${i}`, {
    metadata: { name: `${name}-client` },
    selector: sts,
    ports: [{ name: 'postgres', port: 5432, targetPort: 5432 }],
  });
  new kplus.k8s.KubePodDisruptionBudget(chart, `budget${i}`, {
    metadata: { name },
    spec: { maxUnavailable: kplus.k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
  });
}
