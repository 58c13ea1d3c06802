import { ApiObject, Chart, Cron, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Warnings } from '../../src/app/warnings';
import { DataStore, DataStoreCredentials, IDataStore } from '../../src/connection/data-store';
import { ConnectionTarget, DataStoreConnection } from '../../src/connection/data-store-connection';
import { ArgoCdEndpointSync, ExternalService } from '../../src/connection/external-service';
import { SyncWaves } from '../../src/gitops/sync-waves';
import { restrictedViolations } from '../../src/private/pod-security';
import { PodDefaults } from '../../src/workload/pod-defaults';
import { StatefulWorkload } from '../../src/workload/stateful-workload';
import { CHECKSUM_PREFIX, findOne, synthValid, withoutChecksums } from '../util/harness';

const APP_IMAGE = 'registry.example.com/users/user-manager:1.4.0';

function usersChart(): Chart {
  return new Chart(Testing.app(), 'test', { namespace: 'users' });
}

function credentialsOf(chart: Chart): DataStoreCredentials {
  return DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(chart, 'credentials', 'user-db-credentials'));
}

/** Every kind of data store, named `user-db`, listening on a port named `postgres`. */
const STORES: Array<[string, (chart: Chart) => IDataStore, string, string]> = [
  // kind, build, expected host with ConnectionTarget.PRIMARY, expected server name
  ['a StatefulWorkload', chart => new StatefulWorkload(chart, 'user-db', {
    metadata: { name: 'user-db' },
    credentials: credentialsOf(chart),
    containers: [{ name: 'postgres', image: 'docker.io/library/postgres:16.4', ports: [{ name: 'postgres', number: 5432 }], securityContext: { user: 999, group: 999 } }],
  }), 'user-db-0.user-db.users.svc.cluster.local', 'user-db-0.user-db.users.svc.cluster.local'],
  ['an ExternalService by DNS name', chart => new ExternalService(chart, 'user-db', {
    metadata: { name: 'user-db' },
    externalName: 'users-db.prod.example.com',
    ports: [{ name: 'postgres', port: 5432 }],
    credentials: credentialsOf(chart),
  }), 'user-db.users.svc.cluster.local', 'users-db.prod.example.com'],
  ['an ExternalService by IP address', chart => new ExternalService(chart, 'user-db', {
    metadata: { name: 'user-db' },
    addresses: ['10.20.0.5'],
    ports: [{ name: 'postgres', port: 5432 }],
    argoCdEndpointSync: ArgoCdEndpointSync.NOT_APPLICABLE,
    credentials: credentialsOf(chart),
  }), 'user-db.users.svc.cluster.local', 'user-db.users.svc.cluster.local'],
  ['a store described by attributes', chart => DataStore.fromDataStoreAttributes(chart, 'user-db', {
    storeName: 'user-db',
    hostname: 'user-db-rw.users.svc.cluster.local',
    ports: [{ name: 'postgres', port: 5432 }],
    credentials: credentialsOf(chart),
  }), 'user-db-rw.users.svc.cluster.local', 'user-db-rw.users.svc.cluster.local'],
];

/** The same PostgreSQL container for every in-cluster store. */
const POSTGRES: kplus.ContainerProps = {
  name: 'postgres', image: 'docker.io/library/postgres:16.4', ports: [{ name: 'postgres', number: 5432 }], securityContext: { user: 999, group: 999 },
};

/**
 * Every kind of data store, named as it comes (generated from the construct path, or chosen for
 * the store rather than for its consumers), with the prefix a connection derives from it.
 */
const DERIVED_STORES: Array<[string, (chart: Chart) => IDataStore, RegExp]> = [
  ['a StatefulWorkload with a generated name', chart => new StatefulWorkload(chart, 'user-db', {
    credentials: credentialsOf(chart), containers: [POSTGRES],
  }), /^TEST_USER_DB_C8[0-9A-F]{6}$/],
  ['a StatefulWorkload with its own storeName', chart => new StatefulWorkload(chart, 'user-db', {
    metadata: { name: 'postgres' }, storeName: 'users', credentials: credentialsOf(chart), containers: [POSTGRES],
  }), /^USERS$/],
  ['an ExternalService by DNS name with a generated name', chart => new ExternalService(chart, 'user-db', {
    externalName: 'users-db.prod.example.com', ports: [{ name: 'postgres', port: 5432 }], credentials: credentialsOf(chart),
  }), /^TEST_USER_DB_C8[0-9A-F]{6}$/],
  ['an ExternalService by IP address named users-db', chart => new ExternalService(chart, 'user-db', {
    metadata: { name: 'users-db' },
    addresses: ['10.20.0.5'],
    ports: [{ name: 'postgres', port: 5432 }],
    argoCdEndpointSync: ArgoCdEndpointSync.NOT_APPLICABLE,
    credentials: credentialsOf(chart),
  }), /^USERS_DB$/],
  ['a store described by attributes named users-rw', chart => DataStore.fromDataStoreAttributes(chart, 'user-db', {
    storeName: 'users-rw', hostname: 'users-rw.users.svc.cluster.local', ports: [{ name: 'postgres', port: 5432 }], credentials: credentialsOf(chart),
  }), /^USERS_RW$/],
];

/** The consumer code under test: the same for every store. */
function userManager(chart: Chart, userDb: IDataStore, prefix?: string): kplus.Deployment {
  const deployment = new kplus.Deployment(chart, 'user-manager', {
    metadata: { name: 'user-manager' },
    containers: [{ name: 'user-manager', image: APP_IMAGE, portNumber: 8080, securityContext: { user: 1000, group: 1000 } }],
  });
  new DataStoreConnection(chart, 'user-db-connection', {
    store: userDb,
    prefix,
    target: ConnectionTarget.PRIMARY,
    metadata: { name: 'user-db-connection' },
    consumers: [deployment.containers[0]],
  });
  return deployment;
}

/** Every validation error of the tree, as `cdk8s synth` would report them. */
function validationErrors(chart: Chart): string[] {
  return chart.node.findAll().flatMap(c => c.node.validate());
}

describe('DataStoreConnection', () => {
  test('defaults', () => {
    // GIVEN
    const chart = Testing.chart();
    const store = DataStore.fromDataStoreAttributes(chart, 'db', { storeName: 'orders-db', hostname: 'orders-db.shop.svc.cluster.local', ports: [{ port: 5432 }] });

    // WHEN
    const connection = new DataStoreConnection(chart, 'conn', { store });

    // THEN
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const cm = findOne(manifests, 'ConfigMap');
    // named after the prefix, not the construct path
    expect(cm.metadata.name).toBe('orders-db-connection');
    expect(cm.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'cdk8s-stateful' });
    expect(cm.data).toEqual({
      ORDERS_DB_SERVICE_HOST: 'orders-db.shop.svc.cluster.local',
      ORDERS_DB_SERVICE_PORT: '5432',
      ORDERS_DB_SERVICE_SERVER_NAME: 'orders-db.shop.svc.cluster.local',
    });
    expect(connection.store).toBe(store);
    expect(connection.prefix).toBe('ORDERS_DB');
    expect(connection.target).toBe(ConnectionTarget.SERVICE);
    expect(connection.hostVariable).toBe('ORDERS_DB_SERVICE_HOST');
    expect(connection.portVariable).toBe('ORDERS_DB_SERVICE_PORT');
    expect(connection.serverNameVariable).toBe('ORDERS_DB_SERVICE_SERVER_NAME');
    expect(connection.usernameVariable).toBeUndefined();
    expect(connection.passwordVariable).toBeUndefined();
    expect(connection.endpoint.socketAddress).toBe('orders-db.shop.svc.cluster.local:5432');
    expect(connection.consumers).toEqual([]);
    expect(connection.variableNames).toEqual(['ORDERS_DB_SERVICE_HOST', 'ORDERS_DB_SERVICE_PORT', 'ORDERS_DB_SERVICE_SERVER_NAME']);
    expect(connection.apiObject.kind).toBe('ConfigMap');
    expect(connection.configMap.name).toBe(cm.metadata.name);
  });

  test('all props', () => {
    // GIVEN
    const chart = usersChart();
    const db = DataStore.fromDataStoreAttributes(chart, 'db', {
      storeName: 'user-db',
      hostname: 'user-db-rw.users.svc.cluster.local',
      primaryHostname: 'user-db-1.user-db.users.svc.cluster.local',
      ports: [{ name: 'postgres', port: 5432 }, { name: 'metrics', port: 9187 }],
      credentials: DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(chart, 'S', 'user-db-credentials'), { usernameKey: 'user', passwordKey: 'pass' }),
    });
    const app = new kplus.Deployment(chart, 'app', { metadata: { name: 'app' }, containers: [{ name: 'app', image: APP_IMAGE, securityContext: { user: 1000 } }] });

    // WHEN
    const connection = new DataStoreConnection(chart, 'conn', {
      store: db,
      prefix: 'users-primary',
      target: ConnectionTarget.PRIMARY,
      metadata: { name: 'users-primary', labels: { team: 'users' }, annotations: { owner: 'users' } },
      consumers: [app.containers[0]],
      waitForStore: { timeout: Duration.minutes(2), image: 'mirror.example.com/library/busybox:1.36.1' },
    });

    // THEN
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    expect(connection.waitContainerName).toBe('wait-for-users-primary');
    const wait = findOne(manifests, 'Deployment', 'app').spec.template.spec.initContainers[0];
    expect(wait.image).toBe('mirror.example.com/library/busybox:1.36.1');
    expect(wait.command[2]).toContain('no TCP connection within 120 seconds');
    const cm = findOne(manifests, 'ConfigMap', 'users-primary');
    expect(cm.metadata).toEqual({
      name: 'users-primary',
      namespace: 'users',
      labels: { 'app.kubernetes.io/managed-by': 'cdk8s-stateful', 'team': 'users' },
      annotations: { owner: 'users' },
    });
    expect(cm.data).toEqual({
      USERS_PRIMARY_SERVICE_HOST: 'user-db-1.user-db.users.svc.cluster.local',
      USERS_PRIMARY_SERVICE_PORT: '5432',
      USERS_PRIMARY_SERVICE_PORT_POSTGRES: '5432',
      USERS_PRIMARY_SERVICE_PORT_METRICS: '9187',
      USERS_PRIMARY_SERVICE_SERVER_NAME: 'user-db-1.user-db.users.svc.cluster.local',
    });
    const container = findOne(manifests, 'Deployment', 'app').spec.template.spec.containers[0];
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'users-primary' } }]);
    expect(container.env).toEqual([
      { name: 'USERS_PRIMARY_USERNAME', valueFrom: { secretKeyRef: { name: 'user-db-credentials', key: 'user' } } },
      { name: 'USERS_PRIMARY_PASSWORD', valueFrom: { secretKeyRef: { name: 'user-db-credentials', key: 'pass' } } },
    ]);
    expect(connection.prefix).toBe('USERS_PRIMARY');
    expect(connection.target).toBe(ConnectionTarget.PRIMARY);
    expect(connection.endpoint.socketAddress).toBe('user-db-1.user-db.users.svc.cluster.local:5432');
    expect(connection.usernameVariable).toBe('USERS_PRIMARY_USERNAME');
    expect(connection.passwordVariable).toBe('USERS_PRIMARY_PASSWORD');
    expect(connection.consumers).toEqual([app.containers[0]]);
  });

  test('all props, with credentials with extra keys', () => {
    // GIVEN
    const chart = usersChart();
    const db = DataStore.fromDataStoreAttributes(chart, 'db', {
      storeName: 'orders',
      hostname: 'orders-rw.users.svc.cluster.local',
      ports: [{ name: 'postgres', port: 5432 }],
      credentials: DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(chart, 'S', 'orders-app'), {
        usernameKey: 'user', passwordKey: 'pass', extraKeys: { DATABASE: 'dbname', CA_BUNDLE: 'ca.crt' },
      }),
    });
    const app = new kplus.Deployment(chart, 'app', { metadata: { name: 'app' }, containers: [{ name: 'app', image: APP_IMAGE, securityContext: { user: 1000 } }] });

    // WHEN
    const connection = new DataStoreConnection(chart, 'conn', {
      store: db,
      prefix: 'ORDERS_DB',
      target: ConnectionTarget.PRIMARY,
      metadata: { name: 'orders-db', labels: { team: 'orders' }, annotations: { owner: 'orders' } },
      consumers: [app.containers[0]],
    });

    // THEN
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    expect(findOne(manifests, 'Deployment', 'app').spec.template.spec.containers[0].env).toEqual([
      { name: 'ORDERS_DB_USERNAME', valueFrom: { secretKeyRef: { name: 'orders-app', key: 'user' } } },
      { name: 'ORDERS_DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'orders-app', key: 'pass' } } },
      { name: 'ORDERS_DB_CA_BUNDLE', valueFrom: { secretKeyRef: { name: 'orders-app', key: 'ca.crt', optional: true } } },
      { name: 'ORDERS_DB_DATABASE', valueFrom: { secretKeyRef: { name: 'orders-app', key: 'dbname', optional: true } } },
    ]);
    expect(connection.usernameVariable).toBe('ORDERS_DB_USERNAME');
    expect(connection.passwordVariable).toBe('ORDERS_DB_PASSWORD');
    expect(connection.extraVariables).toEqual(['ORDERS_DB_CA_BUNDLE', 'ORDERS_DB_DATABASE']);
    expect(connection.variableNames).toEqual([
      'ORDERS_DB_SERVICE_HOST', 'ORDERS_DB_SERVICE_PORT', 'ORDERS_DB_SERVICE_PORT_POSTGRES', 'ORDERS_DB_SERVICE_SERVER_NAME',
      'ORDERS_DB_USERNAME', 'ORDERS_DB_PASSWORD', 'ORDERS_DB_CA_BUNDLE', 'ORDERS_DB_DATABASE',
    ]);
  });

  describe('credentials', () => {
    /** Every home of a store named `cache`, with the given credentials. */
    const HOMES: Array<[string, (chart: Chart, credentials: DataStoreCredentials) => IDataStore]> = [
      ['a StatefulWorkload', (chart, credentials) => new StatefulWorkload(chart, 'cache', {
        metadata: { name: 'cache' },
        credentials,
        containers: [{ name: 'redis', image: 'docker.io/library/redis:7.4', ports: [{ name: 'redis', number: 6379 }], securityContext: { user: 999, group: 999 } }],
      })],
      ['an ExternalService', (chart, credentials) => new ExternalService(chart, 'cache', {
        metadata: { name: 'cache' }, externalName: 'cache.example.com', ports: [{ name: 'redis', port: 6379 }], credentials,
      })],
      ['a store described by attributes', (chart, credentials) => DataStore.fromDataStoreAttributes(chart, 'cache', {
        storeName: 'cache', hostname: 'cache.example.com', ports: [{ name: 'redis', port: 6379 }], credentials,
      })],
    ];

    /** A password-only Secret, as Redis with `requirepass` uses, with a CA bundle. */
    const redisCredentials = (chart: Chart) => DataStoreCredentials.fromPasswordSecret(
      kplus.Secret.fromSecretName(chart, 'cache-credentials', 'cache-credentials'), { extraKeys: { CA_BUNDLE: 'ca.crt' } });

    test.each(HOMES)('password only: consumers of %s get no user name variable at all', (_kind, build) => {
      // GIVEN
      const chart = usersChart();
      const store = build(chart, redisCredentials(chart));
      const app = new kplus.Deployment(chart, 'app', {
        metadata: { name: 'app' },
        initContainers: [{ name: 'wait', image: APP_IMAGE }],
        containers: [{ name: 'app', image: APP_IMAGE }],
      });

      // WHEN
      const connection = new DataStoreConnection(chart, 'conn', { store, metadata: { name: 'cache-connection' } });
      connection.addWorkload(app);

      // THEN
      const manifests = synthValid(chart);
      const spec = findOne(manifests, 'Deployment', 'app').spec.template.spec;
      for (const c of [...spec.initContainers, ...spec.containers]) {
        expect(c.env).toEqual([
          { name: 'CACHE_PASSWORD', valueFrom: { secretKeyRef: { name: 'cache-credentials', key: 'password' } } },
          { name: 'CACHE_CA_BUNDLE', valueFrom: { secretKeyRef: { name: 'cache-credentials', key: 'ca.crt', optional: true } } },
        ]);
      }
      expect(JSON.stringify(spec)).not.toContain('USERNAME');
      expect(JSON.stringify(findOne(manifests, 'ConfigMap', 'cache-connection'))).not.toContain('USERNAME');
      expect(connection.usernameVariable).toBeUndefined();
      expect(connection.passwordVariable).toBe('CACHE_PASSWORD');
      expect(connection.extraVariables).toEqual(['CACHE_CA_BUNDLE']);
      expect(connection.variableNames).toEqual([
        'CACHE_SERVICE_HOST', 'CACHE_SERVICE_PORT', 'CACHE_SERVICE_PORT_REDIS', 'CACHE_SERVICE_SERVER_NAME', 'CACHE_PASSWORD', 'CACHE_CA_BUNDLE',
      ]);
      expect(validationErrors(chart)).toEqual([]);
    });

    test('a container of a StatefulWorkload wired as a consumer gets the optional variables too', () => {
      const chart = usersChart();
      const store = HOMES[2][1](chart, redisCredentials(chart));
      const worker = new StatefulWorkload(chart, 'worker', {
        metadata: { name: 'worker' },
        containers: [{ name: 'worker', image: APP_IMAGE, securityContext: { user: 1000, group: 1000 } }],
      });
      new DataStoreConnection(chart, 'conn', { store, consumers: worker.containers });
      expect(findOne(synthValid(chart), 'StatefulSet', 'worker').spec.template.spec.containers[0].env).toEqual([
        { name: 'CACHE_PASSWORD', valueFrom: { secretKeyRef: { name: 'cache-credentials', key: 'password' } } },
        { name: 'CACHE_CA_BUNDLE', valueFrom: { secretKeyRef: { name: 'cache-credentials', key: 'ca.crt', optional: true } } },
      ]);
    });

    test('without extra keys there are no extra variables', () => {
      const chart = usersChart();
      const connection = new DataStoreConnection(chart, 'conn', { store: STORES[1][1](chart) });
      expect(connection.extraVariables).toEqual([]);
      const plain = DataStore.fromDataStoreAttributes(chart, 'plain', { storeName: 'plain', hostname: 'plain', ports: [{ port: 5432 }] });
      expect(new DataStoreConnection(chart, 'none', { store: plain }).extraVariables).toEqual([]);
    });

    test('extraVariables returns a copy', () => {
      const chart = usersChart();
      const connection = new DataStoreConnection(chart, 'conn', { store: HOMES[2][1](chart, redisCredentials(chart)) });
      connection.extraVariables.pop();
      expect(connection.extraVariables).toEqual(['CACHE_CA_BUNDLE']);
    });

    test('the checksum follows the credential variables', () => {
      const checksum = (credentials: (chart: Chart) => DataStoreCredentials) => {
        const chart = usersChart();
        return new DataStoreConnection(chart, 'conn', { store: HOMES[2][1](chart, credentials(chart)) }).checksum;
      };
      const secret = (chart: Chart) => kplus.Secret.fromSecretName(chart, 'cache-credentials', 'cache-credentials');
      const both = checksum(chart => DataStoreCredentials.fromSecret(secret(chart)));
      const passwordOnly = checksum(chart => DataStoreCredentials.fromPasswordSecret(secret(chart)));
      const withDatabase = checksum(chart => DataStoreCredentials.fromSecret(secret(chart), { extraKeys: { DATABASE: 'dbname' } }));
      const withOtherKey = checksum(chart => DataStoreCredentials.fromSecret(secret(chart), { extraKeys: { DATABASE: 'database' } }));
      expect(new Set([both, passwordOnly, withDatabase, withOtherKey]).size).toBe(4);
      expect(checksum(chart => DataStoreCredentials.fromSecret(secret(chart), { extraKeys: { DATABASE: 'dbname' } }))).toBe(withDatabase);
    });

    test('fails at synth when the app renders the credentials Secret without a key the consumers read', () => {
      // GIVEN a Redis Secret in the app, with a password only, used as user name and password
      const chart = usersChart();
      const secret = new kplus.Secret(chart, 'cache-credentials', { metadata: { name: 'cache-credentials' }, stringData: { password: 'x' } });
      const store = HOMES[2][1](chart, DataStoreCredentials.fromSecret(secret));
      const app = new kplus.Deployment(chart, 'app', { containers: [{ name: 'app', image: APP_IMAGE }] });

      // WHEN
      new DataStoreConnection(chart, 'conn', { store, consumers: [app.containers[0]] });

      // THEN
      expect(() => Testing.synth(chart)).toThrow(
        "[test/cache-credentials] DataStoreCredentials 'test/cache-credentials': invalid 'usernameKey': \"username\". "
        + 'Must be a key of the Secret: the Secret "cache-credentials" the app renders holds the keys ["password"], '
        + 'and a consumer whose Secret lacks a required key does not start (CreateContainerConfigError). '
        + 'Add the key "username" to the Secret, or use DataStoreCredentials.fromPasswordSecret() for a Secret without a user name.');
    });

    test('fails when a consumer already sets an extra variable', () => {
      const chart = Testing.chart();
      const store = HOMES[2][1](chart, redisCredentials(chart));
      const app = new kplus.Deployment(chart, 'app', {
        containers: [{ name: 'app', image: APP_IMAGE, envVariables: { CACHE_CA_BUNDLE: kplus.EnvValue.fromValue('-----BEGIN CERTIFICATE-----') } }],
      });
      expect(() => new DataStoreConnection(chart, 'conn', { store, consumers: [app.containers[0]] })).toThrow(new Error(
        "DataStoreConnection 'test/conn': invalid 'consumers': \"app\". The container already sets [\"CACHE_CA_BUNDLE\"], "
        + 'which would hide the connection\'s values or be overwritten by them. Remove those variables from the container, or set a different \'prefix\'.'));
    });

    test('fails when an extra variable of one connection is a variable of another connection of the container', () => {
      // GIVEN prefix USER with the extra variable DB_SERVICE_HOST: USER_DB_SERVICE_HOST, the host of the USER_DB connection
      const chart = Testing.chart();
      const users = DataStore.fromDataStoreAttributes(chart, 'users', { storeName: 'user-db', hostname: 'users', ports: [{ port: 5432 }] });
      const other = DataStore.fromDataStoreAttributes(chart, 'other', {
        storeName: 'user',
        hostname: 'other',
        ports: [{ port: 5432 }],
        credentials: DataStoreCredentials.fromPasswordSecret(kplus.Secret.fromSecretName(chart, 'S', 'other'), { extraKeys: { DB_SERVICE_HOST: 'host' } }),
      });
      const app = new kplus.Deployment(chart, 'app', { containers: [{ name: 'app', image: APP_IMAGE }] });
      new DataStoreConnection(chart, 'users-conn', { store: users, consumers: [app.containers[0]] });

      // THEN
      expect(() => new DataStoreConnection(chart, 'conn', { store: other, consumers: [app.containers[0]] })).toThrow(new Error(
        "DataStoreConnection 'test/conn': invalid 'consumers': \"app\". The container is already wired to DataStoreConnection 'test/users-conn' (prefix \"USER_DB\"): "
        + 'both would set ["USER_DB_SERVICE_HOST"], and of two envFrom sources with the same keys the last one silently wins. '
        + 'Give one of the connections its own \'prefix\', or wire the container to one of them only.'));
    });
  });

  describe('consumers roll when their connection changes', () => {
    function checksumOf(build: (chart: Chart) => void): string {
      const chart = usersChart();
      build(chart);
      const d = findOne(synthValid(chart), 'Deployment', 'user-manager');
      return d.spec.template.metadata.annotations[`${CHECKSUM_PREFIX}user-db-connection`];
    }

    test('the pod template carries the connection checksum, whichever way the consumer was wired', () => {
      // GIVEN
      const chart = usersChart();
      const store = STORES[0][1](chart);
      const byProp = userManager(chart, store);
      const chart2 = usersChart();
      const deployment = new kplus.Deployment(chart2, 'user-manager', {
        metadata: { name: 'user-manager' },
        containers: [{ name: 'app', image: APP_IMAGE, securityContext: { user: 1000 } }],
      });
      const connection = new DataStoreConnection(chart2, 'conn', { store: STORES[0][1](chart2), prefix: 'USER_DB', metadata: { name: 'user-db-connection' } });
      connection.addWorkload(deployment);
      // THEN
      const annotationsOf = (c: Chart) => findOne(synthValid(c), 'Deployment', 'user-manager').spec.template.metadata.annotations;
      expect(byProp).toBeDefined();
      expect(annotationsOf(chart)).toEqual({ [`${CHECKSUM_PREFIX}user-db-connection`]: expect.stringMatching(/^[0-9a-f]{16}$/) });
      expect(annotationsOf(chart2)[`${CHECKSUM_PREFIX}user-db-connection`]).toBe(connection.checksum);
    });

    test('another address gives another checksum; the same store the same one', () => {
      const a = checksumOf(chart => userManager(chart, STORES[0][1](chart)));
      const again = checksumOf(chart => userManager(chart, STORES[0][1](chart)));
      const b = checksumOf(chart => userManager(chart, STORES[1][1](chart)));
      expect(a).toBe(again);
      expect(a).not.toBe(b);
    });
  });

  describe('the same consumer code works with every kind of store', () => {
    // the reference: what the consumer looks like with the first store
    const reference = (() => {
      const chart = usersChart();
      const manifests = synthValid((userManager(chart, STORES[0][1](chart)), chart));
      return { deployment: findOne(manifests, 'Deployment', 'user-manager'), keys: Object.keys(findOne(manifests, 'ConfigMap', 'user-db-connection').data) };
    })();

    test.each(STORES)('%s', (_kind, build, primaryHost, serverName) => {
      // GIVEN
      const chart = usersChart();
      const store = build(chart);

      // WHEN
      userManager(chart, store);

      // THEN the consumer is byte-identical but for the connection checksum, and so are the variable names
      const manifests = synthValid(chart);
      const deployment = findOne(manifests, 'Deployment', 'user-manager');
      expect(withoutChecksums(deployment)).toEqual(withoutChecksums(reference.deployment));
      const cm = findOne(manifests, 'ConfigMap', 'user-db-connection');
      expect(Object.keys(cm.data)).toEqual(reference.keys);
      expect(cm.data).toEqual({
        USER_DB_SERVICE_HOST: primaryHost,
        USER_DB_SERVICE_PORT: '5432',
        USER_DB_SERVICE_PORT_POSTGRES: '5432',
        USER_DB_SERVICE_SERVER_NAME: serverName,
      });
      const container = deployment.spec.template.spec.containers[0];
      expect(container.envFrom).toEqual([{ configMapRef: { name: 'user-db-connection' } }]);
      expect(container.env).toEqual([
        { name: 'USER_DB_USERNAME', valueFrom: { secretKeyRef: { name: 'user-db-credentials', key: 'username' } } },
        { name: 'USER_DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'user-db-credentials', key: 'password' } } },
      ]);
      expect(validationErrors(chart)).toEqual([]);
    });
  });

  describe('pinning the prefix keeps consumers unchanged when the store\'s name is derived', () => {
    // the reference: the consumer of a store named user-db, whose derived prefix is USER_DB
    const reference = (() => {
      const chart = usersChart();
      const manifests = synthValid((userManager(chart, STORES[0][1](chart)), chart));
      return { deployment: findOne(manifests, 'Deployment', 'user-manager'), keys: Object.keys(findOne(manifests, 'ConfigMap', 'user-db-connection').data) };
    })();

    test.each(DERIVED_STORES)('%s', (_kind, build, derivedPrefix) => {
      // GIVEN a store whose name is not user-db
      const chart = usersChart();
      const store = build(chart);
      const derived = new DataStoreConnection(chart, 'derived', { store, metadata: { name: 'derived' } });

      // WHEN the consumer pins the prefix
      userManager(chart, store, 'USER_DB');

      // THEN a derived prefix would follow the store's name, the pinned one keeps the consumer byte-identical
      expect(derived.prefix).toMatch(derivedPrefix);
      expect(derived.prefix).not.toBe('USER_DB');
      const manifests = synthValid(chart);
      expect(withoutChecksums(findOne(manifests, 'Deployment', 'user-manager'))).toEqual(withoutChecksums(reference.deployment));
      const cm = findOne(manifests, 'ConfigMap', 'user-db-connection');
      expect(Object.keys(cm.data)).toEqual(reference.keys);
      expect(cm.data.USER_DB_SERVICE_PORT).toBe('5432');
      expect(validationErrors(chart)).toEqual([]);
    });
  });

  describe('target', () => {
    test('SERVICE (the default) hands out the store\'s endpoint', () => {
      const chart = usersChart();
      const db = STORES[0][1](chart);
      const connection = new DataStoreConnection(chart, 'conn', { store: db });
      expect(connection.endpoint.socketAddress).toBe('user-db.users.svc.cluster.local:5432');
      expect(findOne(synthValid(chart), 'ConfigMap').data.USER_DB_SERVICE_HOST).toBe('user-db.users.svc.cluster.local');
    });

    test('PRIMARY hands out the distinguished replica, or the endpoint when the store has none', () => {
      const chart = usersChart();
      const inCluster = new StatefulWorkload(chart, 'user-db', {
        metadata: { name: 'user-db' },
        replicas: 3,
        ordinals: { start: 1 },
        containers: [{ name: 'postgres', image: 'docker.io/library/postgres:16.4', portNumber: 5432, securityContext: { user: 999, group: 999 } }],
      });
      const external = new ExternalService(chart, 'ext', { metadata: { name: 'ext' }, externalName: 'db.example.com', ports: [{ port: 5432 }] });
      const a = new DataStoreConnection(chart, 'a', { store: inCluster, target: ConnectionTarget.PRIMARY });
      const b = new DataStoreConnection(chart, 'b', { store: external, target: ConnectionTarget.PRIMARY });
      expect(a.endpoint.hostname).toBe('user-db-1.user-db.users.svc.cluster.local');
      expect(b.endpoint.hostname).toBe('ext.users.svc.cluster.local');
    });
  });

  describe('prefix', () => {
    test.each([
      ['derived from storeName', undefined, 'user-db', 'USER_DB'],
      ['given in lower case with dashes', 'user-db', 'other', 'USER_DB'],
      ['given as is', 'USERS', 'other', 'USERS'],
      ['starting with an underscore', '_db', 'other', '_DB'],
    ])('%s', (_case, prefix, storeName, expected) => {
      const chart = Testing.chart();
      const store = DataStore.fromDataStoreAttributes(chart, 'db', { storeName, hostname: 'db', ports: [{ port: 5432 }] });
      const connection = new DataStoreConnection(chart, 'conn', { store, prefix });
      expect(connection.prefix).toBe(expected);
      expect(Object.keys(findOne(synthValid(chart), 'ConfigMap').data)[0]).toBe(`${expected}_SERVICE_HOST`);
    });
  });

  test('the server name is the store\'s when it has one, else the host name handed out', () => {
    const chart = usersChart();
    const dns = new ExternalService(chart, 'dns', { metadata: { name: 'dns' }, externalName: 'db.example.com', ports: [{ port: 5432 }] });
    const ip = new ExternalService(chart, 'ip', {
      metadata: { name: 'ip' }, addresses: ['10.20.0.5'], ports: [{ port: 5432 }], argoCdEndpointSync: ArgoCdEndpointSync.NOT_APPLICABLE, serverName: 'db.example.com',
    });
    const plain = new ExternalService(chart, 'plain', {
      metadata: { name: 'plain' }, addresses: ['10.20.0.6'], ports: [{ port: 5432 }], argoCdEndpointSync: ArgoCdEndpointSync.NOT_APPLICABLE,
    });
    for (const store of [dns, ip, plain]) new DataStoreConnection(chart, `${store.name}-conn`, { store, metadata: { name: `${store.name}-conn` } });
    const manifests = synthValid(chart);
    expect(findOne(manifests, 'ConfigMap', 'dns-conn').data.DNS_SERVICE_SERVER_NAME).toBe('db.example.com');
    expect(findOne(manifests, 'ConfigMap', 'ip-conn').data.IP_SERVICE_SERVER_NAME).toBe('db.example.com');
    expect(findOne(manifests, 'ConfigMap', 'plain-conn').data.PLAIN_SERVICE_SERVER_NAME).toBe('plain.users.svc.cluster.local');
  });

  test('the server name never ends with a dot, whatever the store hands out: SNI carries none', () => {
    // GIVEN stores whose names are fully qualified
    const chart = usersChart();
    const byName = new ExternalService(chart, 'dns', { metadata: { name: 'dns' }, externalName: 'db.example.com.', ports: [{ port: 5432 }] });
    const byHost = DataStore.fromDataStoreAttributes(chart, 'fqdn', { storeName: 'fqdn', hostname: 'db.example.com.', ports: [{ port: 5432 }] });

    // WHEN
    new DataStoreConnection(chart, 'a', { store: byName, metadata: { name: 'a' } });
    new DataStoreConnection(chart, 'b', { store: byHost, metadata: { name: 'b' } });

    // THEN the host keeps its dot (it stops the resolver's search list), the server name has none
    const manifests = synthValid(chart);
    expect(findOne(manifests, 'ConfigMap', 'a').data).toMatchObject({ DNS_SERVICE_HOST: 'dns.users.svc.cluster.local', DNS_SERVICE_SERVER_NAME: 'db.example.com' });
    expect(findOne(manifests, 'ConfigMap', 'b').data).toMatchObject({ FQDN_SERVICE_HOST: 'db.example.com.', FQDN_SERVICE_SERVER_NAME: 'db.example.com' });
  });

  describe('the namespace of addWorkload()', () => {
    const store = (chart: Chart) => DataStore.fromDataStoreAttributes(chart, 'db', { storeName: 'user-db', hostname: 'db.example.com', ports: [{ port: 5432 }] });

    test('a workload in the connection\'s namespace, set on it or on the chart, is wired', () => {
      const chart = usersChart();
      const inChart = new kplus.Job(chart, 'a', { containers: [{ image: APP_IMAGE }] });
      const explicit = new kplus.Job(chart, 'b', { metadata: { namespace: 'users' }, containers: [{ image: APP_IMAGE }] });
      const connection = new DataStoreConnection(chart, 'conn', { store: store(chart) });
      expect(connection.addWorkload(inChart)).toHaveLength(1);
      expect(connection.addWorkload(explicit)).toHaveLength(1);
      expect(connection.consumers).toHaveLength(2);
    });

    test('fails when the workload is in another namespace than the ConfigMap', () => {
      // GIVEN
      const chart = usersChart();
      const job = new kplus.Job(chart, 'migrate', { metadata: { name: 'migrate', namespace: 'batch' }, containers: [{ image: APP_IMAGE }] });
      const connection = new DataStoreConnection(chart, 'conn', { store: store(chart) });

      // WHEN / THEN
      expect(() => connection.addWorkload(job)).toThrow(new Error(
        "DataStoreConnection 'test/conn': invalid 'workload': \"migrate\". Must be in the namespace of the connection's ConfigMap, "
        + 'as a pod reads ConfigMaps and Secrets of its own namespace only: the ConfigMap is in "users", the workload in "batch". '
        + 'Create a DataStoreConnection in the workload\'s namespace for it (\'metadata: { namespace: "batch" }\').'));
      expect(connection.consumers).toEqual([]);
    });

    test('fails when the ConfigMap is put in another namespace than the chart\'s workload', () => {
      const chart = usersChart();
      const job = new kplus.Job(chart, 'migrate', { metadata: { name: 'migrate' }, containers: [{ image: APP_IMAGE }] });
      const connection = new DataStoreConnection(chart, 'conn', { store: store(chart), metadata: { namespace: 'shared' } });
      expect(() => connection.addWorkload(job)).toThrow(new Error(
        "DataStoreConnection 'test/conn': invalid 'workload': \"migrate\". Must be in the namespace of the connection's ConfigMap, "
        + 'as a pod reads ConfigMaps and Secrets of its own namespace only: the ConfigMap is in "shared", the workload in "users". '
        + 'Create a DataStoreConnection in the workload\'s namespace for it (\'metadata: { namespace: "users" }\').'));
    });

    test('fails when only one of them has a namespace', () => {
      const chart = Testing.chart();
      const job = new kplus.Job(chart, 'migrate', { metadata: { name: 'migrate' }, containers: [{ image: APP_IMAGE }] });
      const connection = new DataStoreConnection(chart, 'conn', { store: store(chart), metadata: { namespace: 'users' } });
      expect(() => connection.addWorkload(job)).toThrow(new Error(
        "DataStoreConnection 'test/conn': invalid 'workload': \"migrate\". Must be in the namespace of the connection's ConfigMap, "
        + 'as a pod reads ConfigMaps and Secrets of its own namespace only: the ConfigMap is in "users", the workload in the namespace it is applied to (none is set). '
        + 'Set the same namespace on the workload and the connection, or on their charts.'));
    });

    test('fails when the chart renders the credentials Secret in another namespace', () => {
      // GIVEN
      const chart = usersChart();
      const secret = new kplus.Secret(chart, 'creds', { metadata: { name: 'user-db-credentials', namespace: 'vault' } });
      const db = DataStore.fromDataStoreAttributes(chart, 'db', {
        storeName: 'user-db', hostname: 'db.example.com', ports: [{ port: 5432 }], credentials: DataStoreCredentials.fromSecret(secret),
      });
      const job = new kplus.Job(chart, 'migrate', { metadata: { name: 'migrate' }, containers: [{ image: APP_IMAGE }] });
      const connection = new DataStoreConnection(chart, 'conn', { store: db });

      // WHEN / THEN
      expect(() => connection.addWorkload(job)).toThrow(new Error(
        "DataStoreConnection 'test/conn': invalid 'workload': \"migrate\". Must be in the namespace of the store's credentials Secret, "
        + 'as a pod reads Secrets of its own namespace only: the Secret "user-db-credentials" is in "vault", the workload in "users". '
        + 'Create the Secret in the workload\'s namespace as well.'));
    });

    test('fails when the credentials Secret has no namespace and the workload has one', () => {
      // GIVEN: the Secret in a chart without namespace, applied wherever kubectl points
      const app = Testing.app();
      const chart = new Chart(app, 'test', { namespace: 'users' });
      const secrets = new Chart(app, 'secrets');
      const secret = new kplus.Secret(secrets, 'creds', { metadata: { name: 'user-db-credentials' } });
      const db = DataStore.fromDataStoreAttributes(chart, 'db', {
        storeName: 'user-db', hostname: 'db.example.com', ports: [{ port: 5432 }], credentials: DataStoreCredentials.fromSecret(secret),
      });
      const job = new kplus.Job(chart, 'migrate', { metadata: { name: 'migrate' }, containers: [{ image: APP_IMAGE }] });
      const connection = new DataStoreConnection(chart, 'conn', { store: db });

      // WHEN / THEN
      expect(() => connection.addWorkload(job)).toThrow(new Error(
        "DataStoreConnection 'test/conn': invalid 'workload': \"migrate\". Must be in the namespace of the store's credentials Secret, "
        + 'as a pod reads Secrets of its own namespace only: the Secret "user-db-credentials" is in the namespace it is applied to (none is set), the workload in "users". '
        + 'Create the Secret in the workload\'s namespace as well.'));
    });
    test('a workload in the namespace of the credentials Secret the chart renders is wired', () => {
      const chart = usersChart();
      const secret = new kplus.Secret(chart, 'creds', { metadata: { name: 'user-db-credentials' }, stringData: { username: 'u', password: 'p' } });
      const db = DataStore.fromDataStoreAttributes(chart, 'db', {
        storeName: 'user-db', hostname: 'db.example.com', ports: [{ port: 5432 }], credentials: DataStoreCredentials.fromSecret(secret),
      });
      const job = new kplus.Job(chart, 'migrate', { metadata: { name: 'migrate' }, containers: [{ image: APP_IMAGE, securityContext: { user: 1000 } }] });
      const connection = new DataStoreConnection(chart, 'conn', { store: db });
      expect(connection.addWorkload(job)).toHaveLength(1);
      expect(findOne(synthValid(chart), 'Job').spec.template.spec.containers[0].env.map((e: any) => e.name)).toEqual(['USER_DB_USERNAME', 'USER_DB_PASSWORD']);
    });
  });

  describe('the namespace of consumers wired one by one', () => {
    const store = (chart: Chart) => DataStore.fromDataStoreAttributes(chart, 'db', { storeName: 'user-db', hostname: 'db.example.com', ports: [{ port: 5432 }] });
    const otherNamespace = (connection: DataStoreConnection, kind: string, name: string, container = 'main') => new Error(
      `Validation failed with the following errors:\n  [test/conn] DataStoreConnection '${connection.node.path}': invalid 'consumers': "${container}". Must be in the namespace of the connection's ConfigMap, `
      + `as a pod reads ConfigMaps and Secrets of its own namespace only: the ConfigMap is in "users", the container's workload (${kind} "${name}") in "batch". `
      + 'Create a DataStoreConnection in the workload\'s namespace for it (\'metadata: { namespace: "batch" }\').');

    test('containers of workloads in the connection\'s namespace are wired, through the prop and addConsumer()', () => {
      // GIVEN
      const chart = usersChart();
      const a = new kplus.Deployment(chart, 'a', { containers: [{ image: APP_IMAGE, securityContext: { user: 1000 } }] });
      const b = new kplus.Job(chart, 'b', { metadata: { namespace: 'users' }, containers: [{ image: APP_IMAGE, securityContext: { user: 1000 } }] });

      // WHEN
      const connection = new DataStoreConnection(chart, 'conn', { store: store(chart), consumers: [a.containers[0]] });
      connection.addConsumer(b.containers[0]);

      // THEN
      const manifests = synthValid(chart);
      expect(findOne(manifests, 'Job').spec.template.spec.containers[0].envFrom).toEqual([{ configMapRef: { name: connection.apiObject.name } }]);
      expect(connection.consumers).toHaveLength(2);
    });

    test('fails when a container given in \'consumers\' runs in another namespace', () => {
      // GIVEN
      const chart = usersChart();
      const job = new kplus.Job(chart, 'migrate', { metadata: { name: 'migrate', namespace: 'batch' }, containers: [{ image: APP_IMAGE }] });

      // WHEN
      const connection = new DataStoreConnection(chart, 'conn', { store: store(chart), consumers: job.containers });

      // THEN
      expect(() => Testing.synth(chart)).toThrow(otherNamespace(connection, 'Job', 'migrate'));
    });

    test('fails when a container wired with addConsumer() runs in another namespace', () => {
      // GIVEN
      const chart = usersChart();
      const web = new kplus.Deployment(chart, 'web', {
        metadata: { name: 'web', namespace: 'batch' }, containers: [{ name: 'app', image: APP_IMAGE }],
      });
      const connection = new DataStoreConnection(chart, 'conn', { store: store(chart) });

      // WHEN
      connection.addConsumer(web.containers[0]);

      // THEN
      expect(() => Testing.synth(chart)).toThrow(otherNamespace(connection, 'Deployment', 'web', 'app'));
    });

    test('fails when an init container or a StatefulWorkload container runs in another namespace', () => {
      // GIVEN
      const chart = usersChart();
      const job = new kplus.Job(chart, 'migrate', { metadata: { name: 'migrate', namespace: 'batch' }, containers: [{ image: APP_IMAGE }] });
      const init = job.addInitContainer({ name: 'wait', image: APP_IMAGE });
      const sw = new StatefulWorkload(chart, 'cache', {
        metadata: { name: 'cache', namespace: 'batch' },
        containers: [{ name: 'redis', image: 'docker.io/library/redis:7.2', securityContext: { user: 999, group: 999 } }],
      });
      const connection = new DataStoreConnection(chart, 'conn', { store: store(chart), consumers: [init, sw.containers[0]] });

      // WHEN / THEN: both reported, each with its workload
      expect(() => Testing.synth(chart)).toThrow(/invalid 'consumers': "wait"\. .* the container's workload \(Job "migrate"\) in "batch"/);
      expect(() => Testing.synth(chart)).toThrow(/invalid 'consumers': "redis"\. .* the container's workload \(StatefulSet "cache"\) in "batch"/);
      expect(connection.consumers).toHaveLength(2);
    });

    test('fails when a container given in \'consumers\' runs in another namespace than the credentials Secret', () => {
      // GIVEN
      const chart = usersChart();
      const secret = new kplus.Secret(chart, 'creds', { metadata: { name: 'user-db-credentials', namespace: 'vault' } });
      const db = DataStore.fromDataStoreAttributes(chart, 'db', {
        storeName: 'user-db', hostname: 'db.example.com', ports: [{ port: 5432 }], credentials: DataStoreCredentials.fromSecret(secret),
      });
      const job = new kplus.Job(chart, 'migrate', { metadata: { name: 'migrate' }, containers: [{ image: APP_IMAGE }] });

      // WHEN
      new DataStoreConnection(chart, 'conn', { store: db, consumers: job.containers });

      // THEN
      expect(() => Testing.synth(chart)).toThrow(
        "DataStoreConnection 'test/conn': invalid 'consumers': \"main\". Must be in the namespace of the store's credentials Secret, "
        + 'as a pod reads Secrets of its own namespace only: the Secret "user-db-credentials" is in "vault", the container\'s workload (Job "migrate") in "users". '
        + 'Create the Secret in the workload\'s namespace as well.');
    });

    test.each([
      ['the consumers prop', (c: DataStoreConnection, job: kplus.Job) => { void c; void job; }, true],
      ['addConsumer()', (c: DataStoreConnection, job: kplus.Job) => { c.addConsumer(job.containers[0]); }, false],
      ['addWorkload()', (c: DataStoreConnection, job: kplus.Job) => { c.addWorkload(job); }, false],
    ])('fails when a consumer wired through %s is in another namespace, with the same check', (_how, wire, viaProp) => {
      // GIVEN
      const chart = usersChart();
      const job = new kplus.Job(chart, 'migrate', { metadata: { name: 'migrate', namespace: 'batch' }, containers: [{ image: APP_IMAGE }] });

      // WHEN
      let error: Error | undefined;
      try {
        const connection = new DataStoreConnection(chart, 'conn', { store: store(chart), consumers: viaProp ? job.containers : undefined });
        wire(connection, job);
        Testing.synth(chart);
      } catch (e) {
        error = e as Error;
      }

      // THEN: one message, whichever way the consumer came
      expect(error?.message).toMatch(/DataStoreConnection 'test\/conn': invalid '(consumers|workload)': "(main|migrate)"\. Must be in the namespace of the connection's ConfigMap, .* the ConfigMap is in "users", the (container's )?workload( \(Job "migrate"\))? in "batch"\. Create a DataStoreConnection in the workload's namespace for it/);
    });

    test('a container no rendered object runs is not checked', () => {
      const chart = usersChart();
      const loose = new kplus.Container({ image: APP_IMAGE });
      new DataStoreConnection(chart, 'conn', { store: store(chart), consumers: [loose] });
      expect(() => Testing.synth(chart)).not.toThrow();
    });
  });

  test('unnamed ports give the same variables for an in-cluster and an external store', () => {
    // GIVEN: the same port, unnamed, in both homes (the StatefulWorkload's Service calls it tcp-5432)
    const inCluster = usersChart();
    const sw = new StatefulWorkload(inCluster, 'db', {
      metadata: { name: 'user-db' },
      containers: [{ image: 'docker.io/library/postgres:16.4', portNumber: 5432, securityContext: { user: 999, group: 999 } }],
    });
    const outside = usersChart();
    const ext = new ExternalService(outside, 'db', { metadata: { name: 'user-db' }, externalName: 'db.example.com', ports: [{ port: 5432 }] });

    // WHEN
    const a = new DataStoreConnection(inCluster, 'conn', { store: sw });
    const b = new DataStoreConnection(outside, 'conn', { store: ext });

    // THEN
    expect(a.variableNames).toEqual(['USER_DB_SERVICE_HOST', 'USER_DB_SERVICE_PORT', 'USER_DB_SERVICE_SERVER_NAME']);
    expect(b.variableNames).toEqual(a.variableNames);
  });

  test('addWorkload wires every container and init container of a workload in one call', () => {
    // GIVEN
    const chart = usersChart();
    const store = DataStore.fromDataStoreAttributes(chart, 'user-db', {
      storeName: 'user-db', hostname: 'db.example.com', ports: [{ port: 5432 }], credentials: credentialsOf(chart),
    });
    const job = new kplus.Job(chart, 'migrate', {
      initContainers: [{ name: 'wait', image: APP_IMAGE }],
      containers: [{ name: 'migrate', image: APP_IMAGE }, { name: 'report', image: APP_IMAGE }],
    });
    const connection = new DataStoreConnection(chart, 'conn', { store, metadata: { name: 'user-db-connection' } });

    // WHEN
    const wired = connection.addWorkload(job);

    // THEN
    expect(wired.map(c => c.name)).toEqual(['wait', 'migrate', 'report']);
    const spec = findOne(synthValid(chart), 'Job').spec.template.spec;
    for (const c of [...spec.initContainers, ...spec.containers]) {
      expect(c.envFrom).toEqual([{ configMapRef: { name: 'user-db-connection' } }]);
      expect(c.env.map((e: any) => e.name)).toEqual(['USER_DB_USERNAME', 'USER_DB_PASSWORD']);
    }
  });

  test('ports added to the store after the connection still reach the ConfigMap', () => {
    // GIVEN
    const chart = usersChart();
    const db = new StatefulWorkload(chart, 'db', { metadata: { name: 'db' } });
    const connection = new DataStoreConnection(chart, 'conn', { store: db, metadata: { name: 'db-conn' } });

    // WHEN
    db.addContainer({ name: 'redis', image: 'docker.io/library/redis:7.4', ports: [{ name: 'redis', number: 6379 }], securityContext: { user: 999, group: 999 } });

    // THEN
    expect(findOne(synthValid(chart), 'ConfigMap', 'db-conn').data).toEqual({
      DB_SERVICE_HOST: 'db.users.svc.cluster.local',
      DB_SERVICE_PORT: '6379',
      DB_SERVICE_PORT_REDIS: '6379',
      DB_SERVICE_SERVER_NAME: 'db.users.svc.cluster.local',
    });
    expect(connection.variableNames).toEqual(['DB_SERVICE_HOST', 'DB_SERVICE_PORT', 'DB_SERVICE_PORT_REDIS', 'DB_SERVICE_SERVER_NAME']);
  });

  describe('consumers', () => {
    test.each<[string, (chart: Chart) => kplus.Container, (manifests: any[]) => any]>([
      ['a Deployment', chart => new kplus.Deployment(chart, 'w', { containers: [{ image: APP_IMAGE }] }).containers[0],
        m => findOne(m, 'Deployment').spec.template.spec.containers[0]],
      ['a StatefulSet', chart => {
        const svc = new kplus.Service(chart, 'svc', { clusterIP: 'None', ports: [{ port: 80 }] });
        return new kplus.StatefulSet(chart, 'w', { service: svc, containers: [{ image: APP_IMAGE }] }).containers[0];
      }, m => findOne(m, 'StatefulSet').spec.template.spec.containers[0]],
      ['a Job', chart => new kplus.Job(chart, 'w', { containers: [{ image: APP_IMAGE }] }).containers[0],
        m => findOne(m, 'Job').spec.template.spec.containers[0]],
      ['a CronJob', chart => new kplus.CronJob(chart, 'w', { schedule: Cron.daily(), containers: [{ image: APP_IMAGE }] }).containers[0],
        m => findOne(m, 'CronJob').spec.jobTemplate.spec.template.spec.containers[0]],
      ['a StatefulWorkload', chart => new StatefulWorkload(chart, 'w', {
        metadata: { name: 'worker' },
        containers: [{ name: 'worker', image: APP_IMAGE, securityContext: { user: 1000, group: 1000 } }],
      }).containers[0], m => findOne(m, 'StatefulSet', 'worker').spec.template.spec.containers[0]],
    ])('wires a container of %s', (_kind, containerOf, renderedContainer) => {
      // GIVEN
      const chart = usersChart();
      const store = STORES[1][1](chart);
      const container = containerOf(chart);

      // WHEN
      const connection = new DataStoreConnection(chart, 'conn', { store, metadata: { name: 'user-db-connection' } });
      const returned = connection.addConsumer(container);

      // THEN
      expect(returned).toBe(container);
      const rendered = renderedContainer(synthValid(chart));
      expect(rendered.envFrom).toEqual([{ configMapRef: { name: 'user-db-connection' } }]);
      expect(rendered.env.map((e: any) => e.name)).toEqual(['USER_DB_USERNAME', 'USER_DB_PASSWORD']);
    });

    test('credentialVariables: false wires the address only; the container is a consumer all the same', () => {
      // GIVEN
      const chart = usersChart();
      const store = STORES[1][1](chart);
      const job = new kplus.Job(chart, 'backup', { containers: [{ image: APP_IMAGE, securityContext: { user: 1000 } }] });
      const connection = new DataStoreConnection(chart, 'conn', { store, metadata: { name: 'user-db-connection' } });

      // WHEN
      const wired = connection.addWorkload(job, { credentialVariables: false });

      // THEN
      expect(wired).toEqual([job.containers[0]]);
      expect(connection.consumers).toEqual([job.containers[0]]);
      const rendered = findOne(synthValid(chart), 'Job').spec.template.spec.containers[0];
      expect(rendered.envFrom).toEqual([{ configMapRef: { name: 'user-db-connection' } }]);
      expect(rendered.env).toBeUndefined();
    });

    test('credentialVariables: false lets the container set the variable names itself (it reads files)', () => {
      const chart = usersChart();
      const store = STORES[1][1](chart);
      const job = new kplus.Job(chart, 'backup', { containers: [{ image: APP_IMAGE, securityContext: { user: 1000 }, envVariables: { USER_DB_PASSWORD: kplus.EnvValue.fromValue('/run/secrets/password') } }] });
      const connection = new DataStoreConnection(chart, 'conn', { store, metadata: { name: 'user-db-connection' } });
      connection.addConsumer(job.containers[0], { credentialVariables: false });
      expect(validationErrors(chart)).toEqual([]);
      expect(() => new DataStoreConnection(chart, 'conn2', { store, prefix: 'OTHER', consumers: [job.containers[0]] })).not.toThrow();
    });

    test('a container wired without credentials and again with them by another connection of the same prefix is refused', () => {
      const chart = usersChart();
      const store = STORES[1][1](chart);
      const job = new kplus.Job(chart, 'backup', { containers: [{ image: APP_IMAGE, securityContext: { user: 1000 } }] });
      new DataStoreConnection(chart, 'conn', { store, metadata: { name: 'a' } }).addConsumer(job.containers[0], { credentialVariables: false });
      const second = new DataStoreConnection(chart, 'conn2', { store, metadata: { name: 'b' } });
      expect(() => second.addConsumer(job.containers[0])).toThrow(/The container is already wired to DataStoreConnection 'test\/conn' with the same prefix "USER_DB": both would set \["USER_DB_SERVICE_HOST"/);
    });

    test('wires a container of a construct of its own that renders the pod: nothing to stamp the checksum on', () => {
      // GIVEN a construct that lists its containers and renders a Pod itself, without cdk8s-plus' podMetadata
      const chart = usersChart();
      class Runner extends Construct {
        public readonly containers: kplus.Container[];
        constructor(scope: Construct, id: string) {
          super(scope, id);
          const container = new kplus.Container({ name: 'runner', image: APP_IMAGE, securityContext: { user: 1000 } });
          this.containers = [container];
          new ApiObject(this, 'Resource', {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: 'runner' },
            spec: { containers: [{ name: 'runner', image: APP_IMAGE }] },
          });
        }
      }
      const runner = new Runner(chart, 'runner');
      const connection = new DataStoreConnection(chart, 'conn', { store: STORES[3][1](chart), metadata: { name: 'user-db-connection' } });

      // WHEN
      connection.addConsumer(runner.containers[0]);

      // THEN
      expect(connection.consumers).toEqual([runner.containers[0]]);
      expect(findOne(synthValid(chart), 'Pod', 'runner').metadata.annotations).toBeUndefined();
    });

    test('with sync waves, the ConfigMap is configuration and the consumer comes last', () => {
      const chart = usersChart();
      SyncWaves.enable(chart);
      userManager(chart, STORES[3][1](chart));
      const manifests = synthValid(chart);
      expect(findOne(manifests, 'ConfigMap').metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '1' });
      expect(findOne(manifests, 'Deployment').metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '4' });
    });

    test('wiring a container twice changes nothing', () => {
      const chart = usersChart();
      const app = new kplus.Deployment(chart, 'app', { containers: [{ image: APP_IMAGE }] });
      const connection = new DataStoreConnection(chart, 'conn', { store: STORES[1][1](chart), consumers: [app.containers[0]] });
      connection.addConsumer(app.containers[0]);
      expect(connection.consumers).toHaveLength(1);
      expect(app.containers[0].env.sources).toHaveLength(1);
    });

    test('a store without credentials adds no credential variables', () => {
      const chart = usersChart();
      const app = new kplus.Deployment(chart, 'app', { containers: [{ image: APP_IMAGE }] });
      const store = DataStore.fromDataStoreAttributes(chart, 'db', { storeName: 'db', hostname: 'db', ports: [{ port: 5432 }] });
      new DataStoreConnection(chart, 'conn', { store, consumers: [app.containers[0]] });
      const container = findOne(synthValid(chart), 'Deployment').spec.template.spec.containers[0];
      expect(container.env).toBeUndefined();
      expect(container.envFrom).toHaveLength(1);
    });

    test('one container can be wired to several stores', () => {
      const chart = usersChart();
      const app = new kplus.Deployment(chart, 'app', { containers: [{ image: APP_IMAGE }] });
      const a = DataStore.fromDataStoreAttributes(chart, 'a', { storeName: 'orders', hostname: 'orders', ports: [{ port: 5432 }] });
      const b = DataStore.fromDataStoreAttributes(chart, 'b', { storeName: 'cache', hostname: 'cache', ports: [{ port: 6379 }] });
      new DataStoreConnection(chart, 'ca', { store: a, metadata: { name: 'orders-conn' }, consumers: [app.containers[0]] });
      new DataStoreConnection(chart, 'cb', { store: b, metadata: { name: 'cache-conn' }, consumers: [app.containers[0]] });
      expect(findOne(synthValid(chart), 'Deployment').spec.template.spec.containers[0].envFrom).toEqual([
        { configMapRef: { name: 'orders-conn' } }, { configMapRef: { name: 'cache-conn' } },
      ]);
    });

    test('one container can be wired to several stores with credentials: the connections\' own variables are no clash', () => {
      // GIVEN
      const chart = usersChart();
      const app = new kplus.Deployment(chart, 'app', { containers: [{ name: 'app', image: APP_IMAGE }] });
      const orders = DataStore.fromDataStoreAttributes(chart, 'orders', { storeName: 'orders', hostname: 'orders', ports: [{ port: 5432 }], credentials: credentialsOf(chart) });
      const cache = DataStore.fromDataStoreAttributes(chart, 'cache', {
        storeName: 'cache',
        hostname: 'cache',
        ports: [{ port: 6379 }],
        credentials: DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(chart, 'cache-credentials', 'cache-credentials')),
      });

      // WHEN
      new DataStoreConnection(chart, 'orders-conn', { store: orders, consumers: [app.containers[0]] });
      new DataStoreConnection(chart, 'cache-conn', { store: cache, consumers: [app.containers[0]] });

      // THEN
      expect(validationErrors(chart)).toEqual([]);
      expect(findOne(synthValid(chart), 'Deployment').spec.template.spec.containers[0].env.map((e: any) => e.name)).toEqual([
        'ORDERS_USERNAME', 'ORDERS_PASSWORD', 'CACHE_USERNAME', 'CACHE_PASSWORD',
      ]);
    });

    test('consumers returns a copy', () => {
      const chart = usersChart();
      const app = new kplus.Deployment(chart, 'app', { containers: [{ image: APP_IMAGE }] });
      const connection = new DataStoreConnection(chart, 'conn', { store: STORES[1][1](chart), consumers: [app.containers[0]] });
      connection.consumers.pop();
      expect(connection.consumers).toHaveLength(1);
    });
  });

  describe('errors', () => {
    const C = "DataStoreConnection 'test/conn'";
    test.each<[string, () => void, string]>([
      ['the derived prefix is not an environment variable name', () => {
        const chart = Testing.chart();
        const store = DataStore.fromDataStoreAttributes(chart, 'db', { storeName: '1db', hostname: 'db', ports: [{ port: 5432 }] });
        new DataStoreConnection(chart, 'conn', { store });
      }, `${C}: invalid 'store.storeName (used as the prefix)': "1db". Must give a portable environment variable name: letters, digits, '-' and '_', `
        + 'not starting with a digit (got prefix "1DB"). Set \'prefix\' to a name such as "USER_DB".'],
      ['the given prefix is not an environment variable name', () => {
        const chart = Testing.chart();
        const store = DataStore.fromDataStoreAttributes(chart, 'db', { storeName: 'db', hostname: 'db', ports: [{ port: 5432 }] });
        new DataStoreConnection(chart, 'conn', { store, prefix: 'user.db' });
      }, `${C}: invalid 'prefix': "user.db". Must give a portable environment variable name: letters, digits, '-' and '_', `
        + 'not starting with a digit (got prefix "USER.DB"). Set \'prefix\' to a name such as "USER_DB".'],
      ['the given prefix is empty', () => {
        const chart = Testing.chart();
        const store = DataStore.fromDataStoreAttributes(chart, 'db', { storeName: 'db', hostname: 'db', ports: [{ port: 5432 }] });
        new DataStoreConnection(chart, 'conn', { store, prefix: '' });
      }, `${C}: invalid 'prefix': "". Must give a portable environment variable name: letters, digits, '-' and '_', `
        + 'not starting with a digit (got prefix ""). Set \'prefix\' to a name such as "USER_DB".'],
      ['a consumer already sets a connection variable', () => {
        const chart = Testing.chart();
        const store = DataStore.fromDataStoreAttributes(chart, 'db', { storeName: 'user-db', hostname: 'db', ports: [{ port: 5432 }] });
        const app = new kplus.Deployment(chart, 'app', {
          containers: [{ name: 'app', image: APP_IMAGE, envVariables: { USER_DB_SERVICE_HOST: kplus.EnvValue.fromValue('localhost') } }],
        });
        new DataStoreConnection(chart, 'conn', { store, consumers: [app.containers[0]] });
      }, `${C}: invalid 'consumers': "app". The container already sets ["USER_DB_SERVICE_HOST"], which would hide the connection's values or be overwritten by them. `
        + 'Remove those variables from the container, or set a different \'prefix\'.'],
      ['a consumer already sets a connection variable of a store that has no port yet', () => {
        const chart = Testing.chart();
        const store = new ExternalService(chart, 'db', { metadata: { name: 'user-db' }, externalName: 'db.example.com' });
        const app = new kplus.Deployment(chart, 'app', {
          containers: [{ name: 'app', image: APP_IMAGE, envVariables: { USER_DB_SERVICE_PORT: kplus.EnvValue.fromValue('5432') } }],
        });
        new DataStoreConnection(chart, 'conn', { store, consumers: [app.containers[0]] });
      }, `${C}: invalid 'consumers': "app". The container already sets ["USER_DB_SERVICE_PORT"], which would hide the connection's values or be overwritten by them. `
        + 'Remove those variables from the container, or set a different \'prefix\'.'],
      ['a consumer already sets a named port variable', () => {
        const chart = Testing.chart();
        const store = DataStore.fromDataStoreAttributes(chart, 'db', { storeName: 'user-db', hostname: 'db', ports: [{ name: 'postgres', port: 5432 }] });
        const app = new kplus.Deployment(chart, 'app', {
          containers: [{ name: 'app', image: APP_IMAGE, envVariables: { USER_DB_SERVICE_PORT_POSTGRES: kplus.EnvValue.fromValue('15432') } }],
        });
        new DataStoreConnection(chart, 'conn', { store, consumers: [app.containers[0]] });
      }, `${C}: invalid 'consumers': "app". The container already sets ["USER_DB_SERVICE_PORT_POSTGRES"], which would hide the connection's values or be overwritten by them. `
        + 'Remove those variables from the container, or set a different \'prefix\'.'],
      ['a consumer already sets the credential variables', () => {
        const chart = Testing.chart();
        const store = DataStore.fromDataStoreAttributes(chart, 'db', { storeName: 'user-db', hostname: 'db', ports: [{ port: 5432 }], credentials: credentialsOf(chart) });
        const app = new kplus.Deployment(chart, 'app', {
          containers: [{
            name: 'app',
            image: APP_IMAGE,
            envVariables: {
              USER_DB_USERNAME: kplus.EnvValue.fromValue('app'),
              USER_DB_PASSWORD: kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(chart, 'own', 'own-secret'), key: 'pw' }),
            },
          }],
        });
        new DataStoreConnection(chart, 'conn', { store, consumers: [app.containers[0]] });
      }, `${C}: invalid 'consumers': "app". The container already sets ["USER_DB_USERNAME","USER_DB_PASSWORD"], which would hide the connection's values or be overwritten by them. `
        + 'Remove those variables from the container, or set a different \'prefix\'.'],
      ['a consumer is already wired to another connection with the same prefix', () => {
        const chart = Testing.chart();
        const primary = DataStore.fromDataStoreAttributes(chart, 'primary', { storeName: 'user-db', hostname: 'user-db-rw', ports: [{ port: 5432 }] });
        const replica = DataStore.fromDataStoreAttributes(chart, 'replica', { storeName: 'user-db-ro', hostname: 'user-db-ro', ports: [{ port: 5432 }] });
        const app = new kplus.Deployment(chart, 'app', { containers: [{ name: 'app', image: APP_IMAGE }] });
        new DataStoreConnection(chart, 'writes', { store: primary, consumers: [app.containers[0]] });
        new DataStoreConnection(chart, 'conn', { store: replica, prefix: 'USER_DB', consumers: [app.containers[0]] });
      }, `${C}: invalid 'consumers': "app". The container is already wired to DataStoreConnection 'test/writes' with the same prefix "USER_DB": `
        + 'both would set ["USER_DB_SERVICE_HOST","USER_DB_SERVICE_PORT","USER_DB_SERVICE_SERVER_NAME"], and of two envFrom sources with the same keys '
        + 'the last one silently wins. Give one of the connections its own \'prefix\', or wire the container to one of them only.'],
      ['a consumer is already wired to another connection of the same store', () => {
        const chart = Testing.chart();
        const store = DataStore.fromDataStoreAttributes(chart, 'db', { storeName: 'user-db', hostname: 'db', ports: [{ port: 5432 }], credentials: credentialsOf(chart) });
        const app = new kplus.Deployment(chart, 'app', { containers: [{ name: 'app', image: APP_IMAGE }] });
        new DataStoreConnection(chart, 'first', { store, consumers: [app.containers[0]] });
        new DataStoreConnection(chart, 'conn', { store, target: ConnectionTarget.PRIMARY }).addConsumer(app.containers[0]);
      }, `${C}: invalid 'consumers': "app". The container is already wired to DataStoreConnection 'test/first' with the same prefix "USER_DB": `
        + 'both would set ["USER_DB_SERVICE_HOST","USER_DB_SERVICE_PORT","USER_DB_SERVICE_SERVER_NAME","USER_DB_USERNAME","USER_DB_PASSWORD"], '
        + 'and of two envFrom sources with the same keys the last one silently wins. Give one of the connections its own \'prefix\', or wire the container to one of them only.'],
    ])('fails when %s', (_name, build, message) => {
      expect(build).toThrow(new Error(message));
    });

    test('fails at synth when a consumer sets a connection variable after it was wired', () => {
      // GIVEN
      const chart = Testing.chart();
      const store = DataStore.fromDataStoreAttributes(chart, 'db', { storeName: 'user-db', hostname: 'db', ports: [{ name: 'postgres', port: 5432 }] });
      const app = new kplus.Deployment(chart, 'app', { containers: [{ name: 'app', image: APP_IMAGE }] });
      new DataStoreConnection(chart, 'conn', { store, consumers: [app.containers[0]] });

      // WHEN
      app.containers[0].env.addVariable('USER_DB_SERVICE_PORT_POSTGRES', kplus.EnvValue.fromValue('15432'));

      // THEN
      expect(validationErrors(chart)).toEqual([
        `${C}: invalid 'consumers': "app". The container already sets ["USER_DB_SERVICE_PORT_POSTGRES"], which would hide the connection's values or be overwritten by them. `
        + 'Remove those variables from the container, or set a different \'prefix\'.',
      ]);
    });

    test('fails at synth when a consumer replaces a credential variable after it was wired', () => {
      // GIVEN
      const chart = Testing.chart();
      const store = DataStore.fromDataStoreAttributes(chart, 'db', { storeName: 'user-db', hostname: 'db', ports: [{ port: 5432 }], credentials: credentialsOf(chart) });
      const app = new kplus.Deployment(chart, 'app', { containers: [{ name: 'app', image: APP_IMAGE }] });
      new DataStoreConnection(chart, 'conn', { store, consumers: [app.containers[0]] });
      expect(validationErrors(chart)).toEqual([]);

      // WHEN
      app.containers[0].env.addVariable('USER_DB_PASSWORD', kplus.EnvValue.fromValue('hunter2'));

      // THEN
      expect(validationErrors(chart)).toEqual([
        `${C}: invalid 'consumers': "app". The container already sets ["USER_DB_PASSWORD"], which would hide the connection's values or be overwritten by them. `
        + 'Remove those variables from the container, or set a different \'prefix\'.',
      ]);
    });

    test('fails at synth when ports added to a store later make two connections of a container set the same variable', () => {
      // GIVEN a container wired to two stores whose variable names do not overlap yet
      const chart = usersChart();
      const db = new StatefulWorkload(chart, 'db', { metadata: { name: 'db' } });
      const other = DataStore.fromDataStoreAttributes(chart, 'other', { storeName: 'other', hostname: 'other', ports: [{ port: 5432 }] });
      const app = new kplus.Deployment(chart, 'app', { containers: [{ name: 'app', image: APP_IMAGE }] });
      new DataStoreConnection(chart, 'a', { store: db, prefix: 'A', consumers: [app.containers[0]] });
      new DataStoreConnection(chart, 'conn', { store: other, prefix: 'A_SERVICE_PORT_B', consumers: [app.containers[0]] });

      // WHEN a port named b-service-host gives connection a the variable A_SERVICE_PORT_B_SERVICE_HOST
      db.addContainer({ name: 'db', image: APP_IMAGE, ports: [{ name: 'b-service-host', number: 5432 }], securityContext: { user: 999, group: 999 } });

      // THEN the later connection reports it, once
      expect(validationErrors(chart)).toEqual([
        `${C}: invalid 'consumers': "app". The container is already wired to DataStoreConnection 'test/a' (prefix "A"): both would set ["A_SERVICE_PORT_B_SERVICE_HOST"], `
        + 'and of two envFrom sources with the same keys the last one silently wins. Give one of the connections its own \'prefix\', or wire the container to one of them only.',
      ]);
    });

    test('fails at synth when the store is a workload without a client port', () => {
      // GIVEN
      const chart = Testing.chart();
      const worker = new StatefulWorkload(chart, 'worker', {
        metadata: { name: 'worker' },
        containers: [{ name: 'worker', image: APP_IMAGE, securityContext: { user: 1000, group: 1000 } }],
      });

      // WHEN
      new DataStoreConnection(chart, 'conn', { store: worker, prefix: 'WORKER' });

      // THEN
      expect(validationErrors(chart)).toEqual([
        "DataStoreConnection 'test/conn': invalid 'store': \"test/worker\". The store \"worker\" has no client port, so there is no WORKER_SERVICE_PORT to hand out. "
        + "Give the store's container a port ('ports' or 'portNumber'), or declare the workload's 'clientPorts'.",
      ]);
    });

    test('fails at synth when the store has no port', () => {
      // GIVEN
      const chart = Testing.chart();
      const ext = new ExternalService(chart, 'ext', { externalName: 'db.example.com' });

      // WHEN
      new DataStoreConnection(chart, 'conn', { store: ext });

      // THEN
      expect(validationErrors(chart)).toEqual([
        "ExternalService 'test/ext': invalid 'ports': []. Must list at least one port for 'endpoint' (which DataStoreConnection reads): "
        + "clients need a port to connect to. Add 'ports: [{ port: 5432 }]' to the ExternalService.",
      ]);
    });
  });
});

describe('connection properties', () => {
  /** Every kind of store, named `user-db`, handing out the same connection properties. */
  const PROPERTIES = { database: 'user_manager', localDatacenter: 'dc1', extras: { SSLMODE: 'verify-full', APPLICATION_NAME: 'user-manager' } };
  const HOMES: Array<[string, (chart: Chart) => IDataStore]> = [
    ['a StatefulWorkload', chart => new StatefulWorkload(chart, 'user-db', {
      metadata: { name: 'user-db' }, containers: [POSTGRES], connectionProperties: PROPERTIES,
    })],
    ['a client Service of a StatefulWorkload', chart => new StatefulWorkload(chart, 'user-db', {
      metadata: { name: 'user-db-pods' }, containers: [POSTGRES], connectionProperties: PROPERTIES,
    }).addClientService({ name: 'user-db' })],
    ['an ExternalService', chart => new ExternalService(chart, 'user-db', {
      metadata: { name: 'user-db' }, externalName: 'users-db.prod.example.com', ports: [{ name: 'postgres', port: 5432 }], connectionProperties: PROPERTIES,
    })],
    ['a store described by attributes', chart => DataStore.fromDataStoreAttributes(chart, 'user-db', {
      storeName: 'user-db', hostname: 'user-db-rw.users.svc.cluster.local', ports: [{ name: 'postgres', port: 5432 }], connectionProperties: PROPERTIES,
    })],
  ];

  test.each(HOMES)('%s hands them to its consumers through the ConfigMap', (_kind, build) => {
    // GIVEN
    const chart = usersChart();
    const store = build(chart);

    // WHEN
    const deployment = userManager(chart, store);
    const connection = chart.node.findChild('user-db-connection') as DataStoreConnection;

    // THEN
    const manifests = synthValid(chart);
    const data = findOne(manifests, 'ConfigMap', 'user-db-connection').data;
    expect(data).toMatchObject({
      USER_DB_DATABASE: 'user_manager',
      USER_DB_LOCAL_DATACENTER: 'dc1',
      USER_DB_SSLMODE: 'verify-full',
      USER_DB_APPLICATION_NAME: 'user-manager',
    });
    expect(connection.databaseVariable).toBe('USER_DB_DATABASE');
    expect(connection.localDatacenterVariable).toBe('USER_DB_LOCAL_DATACENTER');
    expect(connection.variableNames).toEqual(expect.arrayContaining(['USER_DB_DATABASE', 'USER_DB_LOCAL_DATACENTER', 'USER_DB_APPLICATION_NAME', 'USER_DB_SSLMODE']));
    expect(findOne(manifests, 'Deployment', 'user-manager').spec.template.spec.containers[0].envFrom)
      .toEqual([{ configMapRef: { name: 'user-db-connection' } }]);
    expect(store.connectionProperties).toEqual(PROPERTIES);
    expect(deployment).toBeDefined();
  });

  test('in a fixed order: the address, the database, the local datacenter, then the extras by name', () => {
    const chart = usersChart();
    const store = DataStore.fromDataStoreAttributes(chart, 'db', {
      storeName: 'db',
      hostname: 'db.example.com',
      ports: [{ port: 5432 }],
      connectionProperties: { extras: { ZONE: 'a', APP: 'b' }, localDatacenter: 'dc2', database: 'orders' },
    });
    const connection = new DataStoreConnection(chart, 'conn', { store });
    expect(connection.variableNames).toEqual([
      'DB_SERVICE_HOST', 'DB_SERVICE_PORT', 'DB_SERVICE_SERVER_NAME', 'DB_DATABASE', 'DB_LOCAL_DATACENTER', 'DB_APP', 'DB_ZONE',
    ]);
  });

  test('a store without them: no such variables, and no variable attributes', () => {
    const chart = usersChart();
    const store = DataStore.fromDataStoreAttributes(chart, 'db', { storeName: 'db', hostname: 'db.example.com', ports: [{ port: 5432 }] });
    const connection = new DataStoreConnection(chart, 'conn', { store });
    expect(connection.databaseVariable).toBeUndefined();
    expect(connection.localDatacenterVariable).toBeUndefined();
    expect(Object.keys(findOne(synthValid(chart), 'ConfigMap').data)).toEqual(['DB_SERVICE_HOST', 'DB_SERVICE_PORT', 'DB_SERVICE_SERVER_NAME']);
    expect(store.connectionProperties).toBeUndefined();
  });

  test('the attribute is a copy: changing it changes nothing', () => {
    const chart = usersChart();
    const store = DataStore.fromDataStoreAttributes(chart, 'db', {
      storeName: 'db', hostname: 'db.example.com', ports: [{ port: 5432 }], connectionProperties: { database: 'a', extras: { X: '1' } },
    });
    (store.connectionProperties!.extras as any).X = '2';
    expect(store.connectionProperties).toEqual({ database: 'a', extras: { X: '1' } });
  });

  test('a change of the database rolls the consumers (the checksum follows it)', () => {
    const checksum = (database: string) => {
      const chart = usersChart();
      const store = DataStore.fromDataStoreAttributes(chart, 'db', {
        storeName: 'db', hostname: 'db.example.com', ports: [{ port: 5432 }], connectionProperties: { database },
      });
      return new DataStoreConnection(chart, 'conn', { store }).checksum;
    };
    expect(checksum('a')).not.toBe(checksum('b'));
  });

  test('fails when the credentials hand out the same variable from the Secret, naming both', () => {
    const chart = usersChart();
    const store = DataStore.fromDataStoreAttributes(chart, 'db', {
      storeName: 'db',
      hostname: 'db.example.com',
      ports: [{ port: 5432 }],
      connectionProperties: { database: 'orders' },
      credentials: DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(chart, 's', 's'), { extraKeys: { DATABASE: 'dbname' } }),
    });
    expect(() => new DataStoreConnection(chart, 'conn', { store })).toThrow(
      'DataStoreConnection \'test/conn\': invalid \'store\': "test/db". The store hands out DB_DATABASE twice: from its connection properties '
      + '(connectionProperties.database) and from its credentials\' extraKeys (DATABASE: "dbname"), and a consumer would get only the Secret\'s value. '
      + 'Leave "DATABASE" out of the credentials\' \'extraKeys\': the store\'s connectionProperties.database hands it out.');
  });

  test.each<[string, any, RegExp]>([
    ['an empty database', { database: '' },
      /^DataStore 'test\/db': invalid 'connectionProperties.database': "". Must be a non-empty string without control characters \(line breaks, tabs\): consumers get it as an environment variable. Set 'connectionProperties.database' to the value clients use, or leave it out.$/],
    ['a local datacenter with a line break', { localDatacenter: 'dc1\n' },
      /^DataStore 'test\/db': invalid 'connectionProperties.localDatacenter': "dc1\n". Must be a non-empty string without control characters/],
    ['an extra variable in lower case', { extras: { sslmode: 'require' } },
      /^DataStore 'test\/db': invalid 'connectionProperties.extras': "sslmode". Must be the end of an environment variable name .* Name the variable "SSLMODE".$/],
    ['an extra variable the connection sets', { extras: { SERVICE_HOST: 'x' } },
      /invalid 'connectionProperties.extras': "SERVICE_HOST". Must not be USERNAME or PASSWORD or start with SERVICE_: .* Name the variable differently, such as "SSLMODE"; /],
    ['an extra variable named like a typed property', { extras: { DATABASE: 'x' } },
      /invalid 'connectionProperties.extras': "DATABASE". Must not be DATABASE: the typed property 'database' gives <PREFIX>_DATABASE. Set 'connectionProperties.database' instead.$/],
    ['an extra LOCAL_DATACENTER', { extras: { LOCAL_DATACENTER: 'x' } },
      /invalid 'connectionProperties.extras': "LOCAL_DATACENTER". Must not be LOCAL_DATACENTER: the typed property 'localDatacenter' gives <PREFIX>_LOCAL_DATACENTER. Set 'connectionProperties.localDatacenter' instead.$/],
    ['an extra value with a control character', { extras: { X: 'a\u0007' } },
      /invalid 'connectionProperties.extras.X': "a\u0007". Must be a string without control characters other than tabs and line breaks. Set 'connectionProperties.extras.X' to a plain value.$/],
  ])('fails when the store is given %s', (_name, connectionProperties, error) => {
    const chart = usersChart();
    expect(() => DataStore.fromDataStoreAttributes(chart, 'db', { storeName: 'db', hostname: 'db.example.com', ports: [{ port: 5432 }], connectionProperties }))
      .toThrow(error);
  });

  test('an extra value may hold tabs and line breaks, and be empty', () => {
    const chart = usersChart();
    const store = DataStore.fromDataStoreAttributes(chart, 'db', {
      storeName: 'db', hostname: 'db.example.com', ports: [{ port: 5432 }], connectionProperties: { extras: { OPTIONS: 'a\tb\nc', EMPTY: '' } },
    });
    new DataStoreConnection(chart, 'conn', { store });
    expect(findOne(synthValid(chart), 'ConfigMap').data).toMatchObject({ DB_OPTIONS: 'a\tb\nc', DB_EMPTY: '' });
  });

  test.each<[string, (chart: Chart, p: any) => void, string]>([
    ['StatefulWorkload', (chart, p) => new StatefulWorkload(chart, 'w', { containers: [POSTGRES], connectionProperties: p }), "StatefulWorkload 'test/w'"],
    ['ExternalService', (chart, p) => new ExternalService(chart, 'e', { externalName: 'db.example.com', ports: [{ port: 5432 }], connectionProperties: p }),
      "ExternalService 'test/e'"],
  ])('%s checks them when it is created', (_kind, build, where) => {
    expect(() => build(usersChart(), { database: '' })).toThrow(`${where}: invalid 'connectionProperties.database': ""`);
  });

  test('a store of one\'s own that hands out bad properties fails the connection, naming the store\'s attribute', () => {
    const chart = usersChart();
    const store = DataStore.fromDataStoreAttributes(chart, 'db', { storeName: 'db', hostname: 'db.example.com', ports: [{ port: 5432 }] });
    const custom: IDataStore = Object.create(store, { connectionProperties: { get: () => ({ database: '' }) } });
    expect(() => new DataStoreConnection(chart, 'conn', { store: custom })).toThrow(
      "DataStoreConnection 'test/conn': invalid 'store.connectionProperties.database': \"\"");
  });
});

describe('the checksum annotation key', () => {
  function annotationKeys(configMapName: string): string[] {
    const chart = usersChart();
    const deployment = new kplus.Deployment(chart, 'app', { containers: [{ image: APP_IMAGE, securityContext: { user: 1000 } }] });
    const store = DataStore.fromDataStoreAttributes(chart, 'db', { storeName: 'user-db', hostname: 'db.example.com', ports: [{ port: 5432 }] });
    new DataStoreConnection(chart, 'conn', { store, metadata: { name: configMapName }, consumers: [deployment.containers[0]] });
    return Object.keys(findOne(synthValid(chart), 'Deployment').spec.template.metadata.annotations);
  }

  test('holds a ConfigMap name of up to 63 characters as it is', () => {
    const name = `user-db-${'a'.repeat(55)}`;
    expect(name).toHaveLength(63);
    expect(annotationKeys(name)).toEqual([`${CHECKSUM_PREFIX}${name}`]);
  });

  test('cuts a longer name to 63 characters with a hash of the whole name, so two long names never share a key', () => {
    // the first 46 characters end with dashes, which are dropped before the hash
    const name = (tail: string) => `user-db${'a'.repeat(37)}--${tail}`;
    const [a] = annotationKeys(name('b'.repeat(30)));
    const [b] = annotationKeys(name('c'.repeat(30)));
    expect(a).toMatch(new RegExp(`^${CHECKSUM_PREFIX}user-db${'a'.repeat(37)}-[0-9a-f]{16}$`));
    expect(b).toMatch(new RegExp(`^${CHECKSUM_PREFIX}user-db${'a'.repeat(37)}-[0-9a-f]{16}$`));
    expect(a).not.toBe(b);
  });
});

describe('consumers that are StatefulWorkloads', () => {
  test('carry the connection checksum on their pod template, and roll when the connection changes', () => {
    const render = (host: string) => {
      const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
      const store = new ExternalService(chart, 'db', { metadata: { name: 'orders-db' }, externalName: host, ports: [{ port: 5432 }] });
      const worker = new StatefulWorkload(chart, 'worker', {
        metadata: { name: 'worker' },
        containers: [{ name: 'worker', image: 'registry.example.com/worker:1.0.0', securityContext: { user: 1000 } }],
      });
      const connection = new DataStoreConnection(chart, 'conn', { store, consumers: [worker.containers[0]] });
      const sts = findOne(synthValid(chart), 'StatefulSet');
      return { value: sts.spec.template.metadata.annotations?.[`${CHECKSUM_PREFIX}${connection.apiObject.name}`], checksum: connection.checksum };
    };
    const a = render('db.example.com');
    const b = render('db2.example.com');
    expect(a.value).toBe(a.checksum);
    expect(b.value).toBe(b.checksum);
    expect(a.value).not.toBe(b.value);
  });
});

describe('the ConfigMap name', () => {
  const store = (chart: Chart) => DataStore.fromDataStoreAttributes(chart, 'store', { storeName: 'user-db', hostname: 'db.example.com', ports: [{ port: 5432 }] });

  test('follows the prefix: moving the construct keeps the name', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    const a = new DataStoreConnection(chart, 'conn', { store: store(chart) });
    const other = new Chart(Testing.app(), 'other', { namespace: 'shop' });
    const nested = new DataStoreConnection(other, 'deep', { store: store(other), prefix: '_Orders__DB_' });
    expect(a.apiObject.name).toBe('user-db-connection');
    expect(nested.apiObject.name).toBe('orders-db-connection');
  });

  test('a prefix without a letter or digit leaves the name to the chart', () => {
    const chart = Testing.chart();
    const connection = new DataStoreConnection(chart, 'conn', { store: store(chart), prefix: '__' });
    expect(connection.apiObject.name).toMatch(/^test-conn-c8[0-9a-f]{6}$/);
  });

  test('a long prefix is cut so that the name stays within 253 characters, without a dash before -connection', () => {
    const chart = Testing.chart();
    const s = store(chart);
    const cutAtDash = new DataStoreConnection(chart, 'a', { store: s, prefix: `${'A'.repeat(241)}_${'B'.repeat(20)}` });
    const cut = new DataStoreConnection(chart, 'b', { store: s, prefix: 'C'.repeat(300) });
    expect(cutAtDash.apiObject.name).toBe(`${'a'.repeat(241)}-connection`);
    expect(cut.apiObject.name).toBe(`${'c'.repeat(242)}-connection`);
    expect(cut.apiObject.name).toHaveLength(253);
  });

  test('metadata.name wins', () => {
    const chart = Testing.chart();
    expect(new DataStoreConnection(chart, 'conn', { store: store(chart), metadata: { name: 'db-env' } }).apiObject.name).toBe('db-env');
  });

  test('two connections with one prefix in one namespace are refused, naming both', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    const s = store(chart);
    new DataStoreConnection(chart, 'a', { store: s });
    new DataStoreConnection(chart, 'b', { store: s });
    expect(() => Testing.synth(chart)).toThrow(/ConfigMap shop\/user-db-connection is rendered twice: by 'test\/a\/Resource' and by 'test\/b\/Resource'/);
  });
});

describe('DataStoreConnection: TLS and rotation', () => {
  const workloadWith = (chart: Chart, options: { revision?: string; password?: string; tls?: boolean } = {}) => {
    const secret = options.password !== undefined
      ? new kplus.Secret(chart, 'creds', { metadata: { name: 'db-creds' }, stringData: { username: 'app', password: options.password } })
      : kplus.Secret.fromSecretName(chart, 'creds', 'db-creds');
    return new StatefulWorkload(chart, 'db', {
      metadata: { name: 'db' },
      containers: [{ name: 'db', image: 'registry.example.com/db:1.0.0', ports: [{ name: 'db', number: 5432 }] }],
      clientPorts: [{ name: 'db', port: 5432 }],
      credentials: DataStoreCredentials.fromSecret(secret, { revision: options.revision }),
      tls: options.tls ? { caSecret: kplus.Secret.fromSecretName(chart, 'ca', 'db-ca'), variables: { SSLMODE: 'verify-full' } } : undefined,
    });
  };
  const checksumOf = (options: { revision?: string; password?: string; tls?: boolean }) => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    const store = workloadWith(chart, options);
    const app = new kplus.Deployment(chart, 'app', { containers: [{ image: 'registry.example.com/app:1.0.0' }] });
    return new DataStoreConnection(chart, 'conn', { store, consumers: [app.containers[0]] }).checksum;
  };

  test('a workload\'s own tls: consumers get the CA mounted and the settings', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    const store = workloadWith(chart, { tls: true });
    const app = new kplus.Deployment(chart, 'app', { containers: [{ image: 'registry.example.com/app:1.0.0' }] });

    // WHEN
    const connection = new DataStoreConnection(chart, 'conn', { store, consumers: [app.containers[0]] });
    const manifests = synthValid(chart);

    // THEN
    expect(findOne(manifests, 'ConfigMap', connection.apiObject.name).data).toMatchObject({
      DB_CA_FILE: `/var/run/secrets/cdk8s-stateful.io/${connection.apiObject.name}/ca.crt`,
      DB_SSLMODE: 'verify-full',
    });
    expect(store.tls!.caSecret.name).toBe('db-ca');
    expect(findOne(manifests, 'Deployment').spec.template.spec.volumes).toContainEqual({
      name: `${connection.apiObject.name}-ca`, secret: { secretName: 'db-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 },
    });
  });

  test('consumers roll when the credentials\' revision changes, or the password of a Secret the app renders', () => {
    expect(checksumOf({ revision: '1' })).toBe(checksumOf({ revision: '1' }));
    expect(checksumOf({ revision: '2' })).not.toBe(checksumOf({ revision: '1' }));
    expect(checksumOf({ password: 'one' })).not.toBe(checksumOf({ password: 'two' }));
    expect(checksumOf({})).not.toBe(checksumOf({ tls: true }));
  });

  test('without a revision nor TLS, the checksum is what it was', () => {
    // the checksum of plain credentials must not change for the stores that use neither
    expect(checksumOf({})).toBe(checksumOf({}));
    expect(checksumOf({})).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('consumers in another namespace than the store, with the store\'s credentials Secret', () => {
  beforeEach(() => jest.spyOn(console, 'warn').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  const ID = '[cdk8s-stateful:credentials-in-store-namespace]';
  const warnings = (chart: Chart) => chart.node.findAll().flatMap(c => c.node.metadata.filter(m => m.type === 'cdk8s-stateful:warning').map(m => String(m.data)))
    .filter(w => w.endsWith(ID));

  /** A Postgres-like store in namespace `data` (or `storeNamespace`), and a consumer in the chart's namespace `users`. */
  function setup(options: { storeNamespace?: string; secret?: (chart: Chart) => kplus.ISecret; connectionNamespace?: string } = {}): Chart {
    const chart = usersChart();
    const secret = options.secret?.(chart) ?? kplus.Secret.fromSecretName(chart, 'credentials', 'user-db-credentials');
    const store = new StatefulWorkload(chart, 'user-db', {
      metadata: { name: 'user-db', namespace: options.storeNamespace ?? 'data' },
      credentials: DataStoreCredentials.fromSecret(secret),
      containers: [POSTGRES],
    });
    const app = new kplus.Deployment(chart, 'app', {
      metadata: { namespace: options.connectionNamespace },
      containers: [{ name: 'app', image: APP_IMAGE, securityContext: { user: 1000 } }],
    });
    const connection = new DataStoreConnection(chart, 'conn', { store, metadata: { name: 'user-db-connection', namespace: options.connectionNamespace } });
    connection.addWorkload(app);
    return chart;
  }

  test('warns, naming the Secret, its keys, both namespaces and the fix', () => {
    const chart = setup();
    Testing.synth(chart);
    expect(warnings(chart)).toEqual([
      "DataStoreConnection 'test/conn': warning: 'store': \"test/user-db\". The store is in namespace \"data\" and its credentials name the Secret "
      + '"user-db-credentials" (keys ["username","password"]), a Secret of the store\'s namespace; this connection\'s consumers run in "users", and a '
      + 'pod reads Secrets of its own namespace only: unless a Secret "user-db-credentials" with those keys exists in "users" too, the consumers do not '
      + 'start (CreateContainerConfigError). Create the Secret "user-db-credentials" in namespace "users" as well (a copy, or one made by External '
      + `Secrets or Sealed Secrets) and acknowledge this warning, or run the consumers in the store's namespace. ${ID}`,
    ]);
  });

  test('no warning when the consumers run in the store\'s namespace', () => {
    const chart = setup({ storeNamespace: 'users' });
    Testing.synth(chart);
    expect(warnings(chart)).toEqual([]);
  });

  test('no warning for a store outside the cluster (its host is no Service name)', () => {
    const chart = usersChart();
    const store = DataStore.fromDataStoreAttributes(chart, 'db', {
      storeName: 'db', hostname: 'db.example.com', ports: [{ port: 5432 }], credentials: credentialsOf(chart),
    });
    new DataStoreConnection(chart, 'conn', { store });
    Testing.synth(chart);
    expect(warnings(chart)).toEqual([]);
  });

  test('an imported store whose host is a Service of another namespace warns too', () => {
    const chart = usersChart();
    const store = DataStore.fromDataStoreAttributes(chart, 'db', {
      storeName: 'orders', hostname: 'orders-rw.db.svc.cluster.local', ports: [{ port: 5432 }], credentials: credentialsOf(chart),
    });
    new DataStoreConnection(chart, 'conn', { store });
    Testing.synth(chart);
    expect(warnings(chart)).toEqual([expect.stringContaining('The store is in namespace "db"')]);
  });

  test('a Secret the app renders is checked by namespace instead: an error', () => {
    expect(() => setup({
      secret: c => new kplus.Secret(c, 'credentials', { metadata: { name: 'user-db-credentials', namespace: 'data' }, stringData: { username: 'u', password: 'p' } }),
    })).toThrow(/Must be in the namespace of the store's credentials Secret/);
  });

  test('acknowledged once the Secret exists in the consumers\' namespace', () => {
    const chart = setup();
    Warnings.of(chart).acknowledge('cdk8s-stateful:credentials-in-store-namespace', 'External Secrets syncs user-db-credentials into users');
    Testing.synth(chart);
    expect(console.warn).not.toHaveBeenCalled();
  });
});

describe('waitForStore', () => {
  /** The store `user-db` (Service DNS name, port 5432) in namespace `users`. */
  const store = (chart: Chart) => DataStore.fromDataStoreAttributes(chart, 'user-db', {
    storeName: 'user-db', hostname: 'user-db.users.svc.cluster.local', ports: [{ port: 5432 }],
  });
  const app = (chart: Chart, props: Partial<kplus.DeploymentProps> = {}) => new kplus.Deployment(chart, 'app', {
    metadata: { name: 'app' },
    containers: [{ name: 'app', image: APP_IMAGE, securityContext: { user: 1000, group: 1000 } }],
    ...props,
  });
  const initContainers = (manifests: any[], kind = 'Deployment', name = 'app') => {
    const o = findOne(manifests, kind, name);
    return (o.spec.jobTemplate?.spec ?? o.spec).template.spec.initContainers ?? [];
  };

  test('the wait: first init container, the address from the ConfigMap, restricted, bounded, the pinned image', () => {
    // GIVEN
    const chart = usersChart();
    const deployment = app(chart);
    PodDefaults.harden(deployment);

    // WHEN
    const connection = new DataStoreConnection(chart, 'conn', { store: store(chart), consumers: [deployment.containers[0]], waitForStore: {} });

    // THEN
    const manifests = synthValid(chart);
    const [wait] = initContainers(manifests);
    expect(wait).toEqual({
      name: 'wait-for-user-db',
      image: 'docker.io/library/busybox:1.36.1',
      imagePullPolicy: 'IfNotPresent',
      command: ['sh', '-c', expect.stringContaining('until nc -w 2 "$STORE_HOST" "$STORE_PORT" -e true 2>/dev/null; do')],
      env: [
        { name: 'STORE_HOST', valueFrom: { configMapKeyRef: { name: 'user-db-connection', key: 'USER_DB_SERVICE_HOST' } } },
        { name: 'STORE_PORT', valueFrom: { configMapKeyRef: { name: 'user-db-connection', key: 'USER_DB_SERVICE_PORT' } } },
      ],
      resources: { limits: { memory: '16Mi' }, requests: { cpu: '10m', memory: '16Mi' } },
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsGroup: 65534,
        runAsNonRoot: true,
        runAsUser: 65534,
      },
      volumeMounts: [{ mountPath: '/tmp', name: 'tmp' }],
    });
    expect(wait.command[2]).toContain('deadline=$(( $(date +%s) + 300 ))');
    expect(restrictedViolations(findOne(manifests, 'Deployment', 'app').spec.template.spec)).toEqual([]);
    expect(connection.waitContainerName).toBe('wait-for-user-db');
    // the wait itself is no consumer: it reads the two values it needs, nothing else
    expect(wait.envFrom).toBeUndefined();
  });

  test('without waitForStore, no init container and no name', () => {
    const chart = usersChart();
    const deployment = app(chart);
    const connection = new DataStoreConnection(chart, 'conn', { store: store(chart), consumers: [deployment.containers[0]] });
    expect(initContainers(synthValid(chart))).toEqual([]);
    expect(connection.waitContainerName).toBeUndefined();
  });

  test('addWorkload(): at once, before the workload\'s own init containers (which may use the store too)', () => {
    const chart = usersChart();
    const deployment = app(chart, {
      initContainers: [{ name: 'migrate', image: APP_IMAGE, securityContext: { user: 1000 } }],
    });
    const connection = new DataStoreConnection(chart, 'conn', { store: store(chart), waitForStore: {} });
    connection.addWorkload(deployment);
    expect(deployment.initContainers.map(c => c.name)).toEqual(['wait-for-user-db', 'migrate']);
    expect(initContainers(synthValid(chart)).map((c: any) => c.name)).toEqual(['wait-for-user-db', 'migrate']);
    // the wait is not wired as a consumer
    expect(connection.consumers.map(c => c.name)).toEqual(['migrate', 'app']);
  });

  test('containers wired one by one: the pods get the wait when the app is synthesized, once per pod', () => {
    // GIVEN two containers of one pod, and a CronJob
    const chart = usersChart();
    const deployment = app(chart);
    deployment.addContainer({ name: 'worker', image: APP_IMAGE, securityContext: { user: 1000 } });
    const cron = new kplus.CronJob(chart, 'report', {
      metadata: { name: 'report' }, schedule: Cron.daily(), containers: [{ name: 'report', image: APP_IMAGE, securityContext: { user: 1000 } }],
    });

    // WHEN
    new DataStoreConnection(chart, 'conn', {
      store: store(chart), consumers: [...deployment.containers, cron.containers[0]], waitForStore: {},
    });

    // THEN
    const manifests = synthValid(chart);
    expect(initContainers(manifests).map((c: any) => c.name)).toEqual(['wait-for-user-db']);
    expect(initContainers(manifests, 'CronJob', 'report').map((c: any) => c.name)).toEqual(['wait-for-user-db']);
    // a second synthesis adds nothing
    expect(initContainers(synthValid(chart)).map((c: any) => c.name)).toEqual(['wait-for-user-db']);
  });

  test('a StatefulWorkload consumer waits too, first among its init containers', () => {
    const chart = usersChart();
    const worker = new StatefulWorkload(chart, 'worker', {
      metadata: { name: 'worker' },
      initContainers: [{ name: 'prepare', image: APP_IMAGE, securityContext: { user: 1000 } }],
      containers: [{ name: 'worker', image: APP_IMAGE, securityContext: { user: 1000 } }],
    });
    new DataStoreConnection(chart, 'conn', { store: store(chart), consumers: [worker.containers[0]], waitForStore: {} });
    const manifests = synthValid(chart);
    expect(initContainers(manifests, 'StatefulSet', 'worker').map((c: any) => c.name)).toEqual(['wait-for-user-db', 'prepare']);
    expect(restrictedViolations(findOne(manifests, 'StatefulSet', 'worker').spec.template.spec)).toEqual([]);
  });

  test('two connections of one pod: one wait each, named after their prefixes', () => {
    const chart = usersChart();
    const deployment = app(chart);
    const cache = DataStore.fromDataStoreAttributes(chart, 'cache', { storeName: 'cache', hostname: 'cache.users.svc.cluster.local', ports: [{ port: 6379 }] });
    new DataStoreConnection(chart, 'db', { store: store(chart), waitForStore: {} }).addWorkload(deployment);
    new DataStoreConnection(chart, 'cache-connection', { store: cache, waitForStore: {} }).addWorkload(deployment);
    expect(initContainers(synthValid(chart)).map((c: any) => c.name)).toEqual(['wait-for-cache', 'wait-for-user-db']);
  });

  test('a long prefix gives a name of at most 63 characters', () => {
    const chart = usersChart();
    const connection = new DataStoreConnection(chart, 'conn', { store: store(chart), prefix: 'A'.repeat(70), waitForStore: {} });
    expect(connection.waitContainerName).toMatch(/^wait-for-a{45}-[0-9a-f]{8}$/);
    expect(connection.waitContainerName!.length).toBeLessThanOrEqual(63);
  });

  test.each<[string, any, string]>([
    ['an image that is none', { image: 'https://docker.io/busybox' }, "invalid 'waitForStore.image': \"https://docker.io/busybox\""],
    ['a timeout below a second', { timeout: Duration.millis(500) }, "invalid 'waitForStore.timeout': \"0.5 seconds\". Must be a whole number of seconds, at least 1. Set 'timeout' to a duration such as Duration.minutes(5)."],
    ['a timeout in fractions of a second', { timeout: Duration.millis(1500) }, "invalid 'waitForStore.timeout': \"1.5 seconds\""],
  ])('fails on %s', (_name, waitForStore, message) => {
    const chart = usersChart();
    expect(() => new DataStoreConnection(chart, 'conn', { store: store(chart), waitForStore })).toThrow(`DataStoreConnection 'test/conn': ${message}`);
  });

  test.each(['localhost', '127.0.0.1', '::1'])('fails for a store in the consumer\'s own pod (%s): the init container would wait forever', host => {
    const chart = usersChart();
    const proxy = DataStore.fromDataStoreAttributes(chart, 'proxy', { storeName: 'db', hostname: host, ports: [{ port: 5432 }] });
    expect(() => new DataStoreConnection(chart, 'conn', { store: proxy, waitForStore: {} })).toThrow(
      `DataStoreConnection 'test/conn': invalid 'waitForStore': "${host}". Cannot wait for a store in the consumer's own pod (a proxy sidecar on the `
      + 'loopback address): init containers run before it starts, so the pod would never start. Leave \'waitForStore\' out; the proxy waits for the store itself.');
  });
});
