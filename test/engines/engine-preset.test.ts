import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DataStoreCredentials, IDataStore } from '../../src/connection/data-store';
import { DataStoreConnection } from '../../src/connection/data-store-connection';
import { Cassandra } from '../../src/engines/cassandra';
import { EnginePreset } from '../../src/engines/engine-preset';
import { Postgres } from '../../src/engines/postgres';
import { Redis } from '../../src/engines/redis';
import { StatefulWorkload } from '../../src/workload/stateful-workload';

/** A platform team's own preset, written on the public API only. */
class MySql extends EnginePreset {
  public readonly workload: StatefulWorkload;

  constructor(scope: Construct, id: string, credentials: DataStoreCredentials) {
    super(scope, id);
    this.workload = new StatefulWorkload(this, 'Resource', {
      containers: [{
        name: 'mysql',
        image: 'docker.io/library/mysql:8.4.3',
        ports: [{ name: 'mysql', number: 3306 }],
        securityContext: { user: 999, group: 999 },
      }],
      clientPorts: [{ name: 'mysql', port: 3306 }],
      credentials,
      storeName: 'orders-db',
    });
  }
}

function secret(chart: Construct): kplus.Secret {
  return new kplus.Secret(chart, 'secret', { stringData: { username: 'app', password: 'x' } });
}

describe('EnginePreset', () => {
  test('a preset of its own delegates the data-store contract to its workload', () => {
    // GIVEN
    const chart = Testing.chart();
    const credentials = DataStoreCredentials.fromSecret(secret(chart));

    // WHEN
    const db = new MySql(chart, 'mysql', credentials);

    // THEN
    expect(db.storeName).toBe('orders-db');
    expect(db.endpoint.hostname).toBe(db.workload.dnsName);
    expect(db.endpoint.port).toBe(3306);
    expect(db.ports).toEqual([{ name: 'mysql', port: 3306, protocol: 'TCP' }]);
    expect(db.primaryEndpoint?.hostname).toBe(db.workload.podDnsName(0));
    expect(db.credentials).toBe(credentials);
  });

  test('a consumer is wired to a preset of its own as to any store', () => {
    // GIVEN
    const chart = Testing.chart();
    const db: IDataStore = new MySql(chart, 'mysql', DataStoreCredentials.fromSecret(secret(chart)));
    const app = new kplus.Deployment(chart, 'app', {
      containers: [{ image: 'docker.io/library/busybox:1.36', securityContext: { user: 1000 } }],
    });

    // WHEN
    new DataStoreConnection(chart, 'conn', { store: db }).addWorkload(app);

    // THEN
    const manifests = Testing.synth(chart);
    const configMap = manifests.find(o => o.kind === 'ConfigMap');
    const deployment = manifests.find(o => o.kind === 'Deployment');
    expect(deployment.spec.template.spec.containers[0].envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }]);
    expect(configMap.data).toMatchObject({ ORDERS_DB_SERVICE_HOST: db.endpoint.hostname, ORDERS_DB_SERVICE_PORT: '3306' });
  });

  test.each([
    ['Postgres', (c: Construct) => new Postgres(c, 'pg', { credentials: DataStoreCredentials.fromSecret(secret(c)) })],
    ['Redis', (c: Construct) => new Redis(c, 'redis')],
    ['Cassandra', (c: Construct) => new Cassandra(c, 'ring')],
  ])('%s extends the base', (_name, make) => {
    const preset = make(Testing.chart());
    expect(preset).toBeInstanceOf(EnginePreset);
    expect(preset.storeName).toBe(preset.workload.storeName);
  });

  test('Redis hands out its write Service, Cassandra no primary', () => {
    const chart = Testing.chart();
    const redis = new Redis(chart, 'redis');
    const ring = new Cassandra(chart, 'ring');
    expect(redis.endpoint.hostname).toBe(redis.primaryService!.endpoint.hostname);
    expect(redis.primaryEndpoint?.hostname).toBe(redis.workload.podDnsName(0));
    expect(ring.primaryEndpoint).toBeUndefined();
    expect(ring.credentials).toBeUndefined();
  });
});
