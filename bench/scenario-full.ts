/**
 * Scenario (d), "full": what a platform team renders per service. The basic service with its
 * claim template on a static class (local disks), a StaticVolumeSet for it, a cdk8s-plus-27
 * Deployment consuming it through DataStoreConnection, and a standalone PersistentVolumeClaim
 * mounted by that Deployment. Every app-wide check of the library runs here.
 */
import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DataStoreConnection, VolumeClaim, StaticVolumeSet, StaticVolumeSource, StatefulWorkload, StorageClass } from '../src';

/** One storage class per app, in the chart of the first service. */
const classes = new WeakMap<object, StorageClass>();

export function addService(chart: Chart, i: number): void {
  let fast = classes.get(chart.node.root);
  if (!fast) {
    fast = StorageClass.localDisks(chart, 'fast', { metadata: { name: 'fast' } });
    classes.set(chart.node.root, fast);
  }
  const db = new StatefulWorkload(chart, `db${i}`, {
    metadata: { name: `svc-${i}` },
    replicas: 3,
    containers: [{
      name: 'db',
      image: 'docker.io/library/postgres:16.4',
      ports: [{ name: 'postgres', number: 5432 }],
      securityContext: { user: 999, group: 999 },
    }],
    volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(10), storageClass: fast, mountPath: '/var/lib/postgresql/data' }],
  });
  db.addClientService();
  new StaticVolumeSet(chart, `volumes${i}`, {
    workload: db,
    claimTemplate: db.volumeClaimTemplates[0],
    sources: [0, 1, 2].map(o => StaticVolumeSource.local('/mnt/disks/ssd0', `node-${o}`)),
    bindToClaims: true,
  });
  const app1 = new kplus.Deployment(chart, `app${i}`, {
    metadata: { name: `app-${i}` },
    replicas: 1,
    strategy: kplus.DeploymentStrategy.recreate(),
    containers: [{ name: 'app', image: 'registry.example.com/app:1.0.0', securityContext: { user: 1000, group: 1000 } }],
  });
  const files = new VolumeClaim(chart, `files${i}`, { metadata: { name: `files-${i}` }, storage: Size.gibibytes(1) });
  app1.containers[0].mount('/data', files);
  new DataStoreConnection(chart, `connection${i}`, { store: db, consumers: [app1.containers[0]] });
}
