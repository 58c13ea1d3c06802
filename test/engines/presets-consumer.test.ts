import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Cassandra, DataStoreConnection, DataStoreCredentials, IDataStore, PodDefaults, Postgres, Redis } from '../../src';
import { podSpecsOf, restrictedViolations } from '../../src/private/pod-security';
import { findOne, synthValid } from '../util/harness';

/**
 * One row per engine preset: how to build it in a chart (with a Secret of its own when it takes
 * credentials), the store name the variables derive from, and the variables a consumer gets from
 * the Secret (name -> Secret key). Appending a preset is appending one row.
 */
interface PresetRow {
  /** The preset's class name, for the test names. */
  readonly preset: string;
  /** Builds the preset in `chart`, named `store` (StatefulSet and store name). */
  readonly build: (chart: Chart) => IDataStore;
  /** The port clients connect to. */
  readonly port: number;
  /** The variables from the credentials Secret: variable name -> [Secret name, key]. */
  readonly secretVariables: { [variable: string]: [string, string] };
  /** The plain variables besides the address (the connection properties): variable name -> value. */
  readonly propertyVariables: { [variable: string]: string };
}

const PRESETS: PresetRow[] = [
  {
    preset: 'Postgres',
    build: chart => new Postgres(chart, 'store', {
      metadata: { name: 'store' },
      credentials: DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(chart, 'store-credentials', 'store-credentials')),
      database: 'app',
      storage: Size.gibibytes(1),
    }),
    port: 5432,
    secretVariables: { STORE_USERNAME: ['store-credentials', 'username'], STORE_PASSWORD: ['store-credentials', 'password'] },
    // the database the image creates: drivers need a dbname
    propertyVariables: { STORE_DATABASE: 'app' },
  },
  {
    // a password-only Secret: no STORE_USERNAME; consumers write through the primary's Service
    preset: 'Redis',
    build: chart => new Redis(chart, 'store', {
      metadata: { name: 'store' },
      password: DataStoreCredentials.fromPasswordSecret(kplus.Secret.fromSecretName(chart, 'store-credentials', 'store-credentials')),
      readReplicas: 1,
    }),
    port: 6379,
    secretVariables: { STORE_PASSWORD: ['store-credentials', 'password'] },
    propertyVariables: {},
  },
  {
    // the superuser role the preset creates from the Secret: user name and password
    preset: 'Cassandra',
    build: chart => new Cassandra(chart, 'store', {
      metadata: { name: 'store' },
      credentials: DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(chart, 'store-credentials', 'store-credentials')),
      storage: Size.gibibytes(1),
      datacenter: 'eu-west',
    }),
    port: 9042,
    secretVariables: { STORE_USERNAME: ['store-credentials', 'username'], STORE_PASSWORD: ['store-credentials', 'password'] },
    // the drivers refuse contact points without a local datacenter
    propertyVariables: { STORE_LOCAL_DATACENTER: 'eu-west' },
  },
];

describe.each(PRESETS.map(row => [row.preset, row] as const))('the shared consumer test runs against every preset: %s', (_name, row) => {
  const setup = () => {
    const chart = Testing.chart();
    const store = row.build(chart);
    const consumer = new kplus.Deployment(chart, 'consumer', {
      metadata: { name: 'consumer' },
      containers: [{
        name: 'app',
        image: 'registry.example.com/app:1.0.0',
        securityContext: { user: 1000, group: 1000 },
        resources: { cpu: { request: kplus.Cpu.millis(100) }, memory: { request: Size.mebibytes(128), limit: Size.mebibytes(128) } },
      }],
    });
    PodDefaults.harden(consumer);
    const connection = new DataStoreConnection(chart, 'conn', { store, metadata: { name: 'store-connection' }, consumers: [consumer.containers[0]] });
    return { chart, store, connection, manifests: synthValid(chart) };
  };

  test('the consumer reads the connection ConfigMap and the preset\'s Secret', () => {
    const { manifests } = setup();
    const app = findOne(manifests, 'Deployment', 'consumer').spec.template.spec.containers[0];
    expect(app.envFrom).toEqual([{ configMapRef: { name: 'store-connection' } }]);
    const fromSecret = Object.fromEntries((app.env ?? [])
      .filter((e: any) => e.valueFrom?.secretKeyRef)
      .map((e: any) => [e.name, [e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key]]));
    expect(fromSecret).toEqual(row.secretVariables);
  });

  test('the ConfigMap\'s host and port are the preset\'s endpoint', () => {
    const { manifests, store } = setup();
    expect(store.endpoint.port).toBe(row.port);
    expect(findOne(manifests, 'ConfigMap', 'store-connection').data).toMatchObject({
      STORE_SERVICE_HOST: store.endpoint.hostname,
      STORE_SERVICE_PORT: String(row.port),
    });
  });

  test('the ConfigMap holds what drivers need besides the address: the preset\'s connection properties, and nothing else', () => {
    const { manifests, connection } = setup();
    const data = findOne(manifests, 'ConfigMap', 'store-connection').data;
    const plain = Object.fromEntries(Object.entries(data).filter(([k]) => !k.startsWith('STORE_SERVICE_')));
    expect(plain).toEqual(row.propertyVariables);
    expect(connection.databaseVariable).toBe('STORE_DATABASE' in row.propertyVariables ? 'STORE_DATABASE' : undefined);
    expect(connection.localDatacenterVariable).toBe('STORE_LOCAL_DATACENTER' in row.propertyVariables ? 'STORE_LOCAL_DATACENTER' : undefined);
  });

  test('the manifests are valid for Kubernetes 1.27 and every pod meets the restricted profile', () => {
    // synthValid validates every object against the 1.27 schema
    const { manifests } = setup();
    const specs = manifests.flatMap(m => podSpecsOf(m));
    expect(specs.length).toBe(2);
    for (const spec of specs) expect(restrictedViolations(spec)).toEqual([]);
  });
});
