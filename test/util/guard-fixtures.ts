/**
 * Fixtures of the upgrade guard's tests (test/upgrade-guard.test.ts, test/upgrade-guard-files.test.ts):
 * plain manifests, as `cdk8s synth` writes them, and helpers to compare them.
 */
import { UpgradeFinding, UpgradeGuard, UpgradeGuardOptions } from '../../src/gitops/upgrade-guard';

export const clone = (o: any) => JSON.parse(JSON.stringify(o));

export function sts(name = 'web', namespace = 'shop'): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace },
    spec: {
      serviceName: 'nginx',
      replicas: 2,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'web' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] },
      },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      volumeClaimTemplates: [{
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'www' },
        spec: { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem', resources: { requests: { storage: '1Gi' } } },
      }],
    },
  };
}

/** A claim; `storageClassName: null` leaves the class out (the cluster's default class). */
export function pvc(name = 'files', storageClassName: string | null = 'standard'): any {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'shop' },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: storageClassName ?? undefined, resources: { requests: { storage: '10Gi' } } },
  };
}

export function pv(name = 'data-0'): any {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name },
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: 'local',
      hostPath: { path: '/data/0' },
    },
  };
}

export function storageClass(name = 'standard', extra: any = {}): any {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name },
    provisioner: 'ebs.csi.aws.com',
    parameters: { type: 'gp3' },
    reclaimPolicy: 'Retain',
    volumeBindingMode: 'WaitForFirstConsumer',
    ...extra,
  };
}

export function service(spec: any, name = 'user-db'): any {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' }, spec: { ports: [{ name: 'pg', port: 5432 }], ...spec } };
}

export function job(name = 'migrate', annotations?: any): any {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'shop', annotations },
    spec: {
      backoffLimit: 2,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image: 'migrate:1', args: ['up'] }] } },
    },
  };
}

export function compare(before: any[], after: any[], options: UpgradeGuardOptions = {}): UpgradeFinding[] {
  return UpgradeGuard.compare(before, after, options);
}

/** The one finding of a comparison; fails (listing them) when there is not exactly one. */
export function only(findings: UpgradeFinding[]): UpgradeFinding {
  if (findings.length !== 1) throw new Error(`expected one finding, got ${findings.length}:\n${UpgradeGuard.formatFindings(findings)}`);
  return findings[0];
}

export const STS_127 = 'StatefulSet.apps "web" is invalid: spec: Forbidden: updates to statefulset spec for fields other than ' +
  "'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";
export const STS_133 = 'StatefulSet.apps "web" is invalid: spec: Forbidden: updates to statefulset spec for fields other than ' +
  "'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

export const www = (after: any) => after.spec.volumeClaimTemplates[0];
