/**
 * Scenario (a), "basic": one stateful service written with this library. A three-replica
 * StatefulWorkload with a claim template (the cluster's default class), its governing headless
 * Service, a client Service and the default disruption budget.
 */
import { Chart, Size } from 'cdk8s';
import { StatefulWorkload } from '../src';

export function addService(chart: Chart, i: number): void {
  const db = new StatefulWorkload(chart, `db${i}`, {
    metadata: { name: `svc-${i}` },
    replicas: 3,
    containers: [{
      name: 'db',
      image: 'docker.io/library/postgres:16.4',
      ports: [{ name: 'postgres', number: 5432 }],
      securityContext: { user: 999, group: 999 },
    }],
    volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(10), mountPath: '/var/lib/postgresql/data' }],
  });
  db.addClientService();
}
