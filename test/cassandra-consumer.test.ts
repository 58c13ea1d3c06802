/**
 * A consumer wired to a `Cassandra` preset through `DataStoreConnection`, as every preset is
 * (folded into the table of test/presets-consumer.test.ts at merge).
 */
import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Cassandra, DataStoreConnection, IDataStore } from '../src';
import { findOne, synthValid } from './util/harness';
import { podSpecsOf, restrictedViolations } from '../src/private/pod-security';

const PRESETS: Array<[string, (chart: Chart) => IDataStore, { [name: string]: string }]> = [
  ['Cassandra', chart => new Cassandra(chart, 'orders-db', { metadata: { name: 'orders-db' } }), {
    ORDERS_DB_SERVICE_HOST: 'orders-db.shop.svc.cluster.local',
    ORDERS_DB_SERVICE_PORT: '9042',
    ORDERS_DB_SERVICE_PORT_CQL: '9042',
    ORDERS_DB_SERVICE_SERVER_NAME: 'orders-db.shop.svc.cluster.local',
  }],
];

describe.each(PRESETS)('a consumer of %s', (_name, build, variables) => {
  test('gets the preset\'s endpoint through the connection ConfigMap', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    const store = build(chart);
    const app = new kplus.Deployment(chart, 'app', {
      metadata: { name: 'orders-api' },
      containers: [{
        name: 'api',
        image: 'registry.example.com/orders/api:1.0.0',
        securityContext: { user: 1000, group: 1000 },
        resources: { memory: { limit: Size.mebibytes(256) } },
      }],
    });

    // WHEN
    const connection = new DataStoreConnection(chart, 'conn', {
      store, metadata: { name: 'orders-db-connection' }, consumers: [app.containers[0]],
    });

    // THEN
    const manifests = synthValid(chart);
    const cm = findOne(manifests, 'ConfigMap', 'orders-db-connection');
    expect(cm.data).toEqual(variables);
    expect(cm.data[connection.hostVariable]).toBe(store.endpoint.hostname);
    expect(cm.data[connection.portVariable]).toBe(String(store.endpoint.port));
    const deployment = findOne(manifests, 'Deployment', 'orders-api');
    expect(deployment.spec.template.spec.containers[0].envFrom).toEqual([{ configMapRef: { name: 'orders-db-connection' } }]);
    // the store's pods meet the restricted profile (the consumer is the app team's)
    const storeSpecs = manifests.filter(m => m.kind !== 'Deployment').flatMap(m => podSpecsOf(m));
    expect(storeSpecs.length).toBeGreaterThan(0);
    for (const spec of storeSpecs) expect(restrictedViolations(spec)).toEqual([]);
  });
});
