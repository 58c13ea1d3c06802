import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DataStore, DataStoreAttributes, DataStoreCredentials, Endpoint } from '../src/data-store';

describe('Endpoint', () => {
  test('host name, port and socket address', () => {
    const endpoint = new Endpoint('db-0.db.shop.svc.cluster.local', 5432);
    expect(endpoint.hostname).toBe('db-0.db.shop.svc.cluster.local');
    expect(endpoint.port).toBe(5432);
    expect(endpoint.socketAddress).toBe('db-0.db.shop.svc.cluster.local:5432');
  });
});

describe('DataStoreCredentials', () => {
  test('defaults: keys username and password', () => {
    const secret = kplus.Secret.fromSecretName(Testing.chart(), 'S', 'db-credentials');
    const credentials = DataStoreCredentials.fromSecret(secret);
    expect(credentials.secret).toBe(secret);
    expect(credentials.usernameKey).toBe('username');
    expect(credentials.passwordKey).toBe('password');
  });

  test('all options', () => {
    const secret = kplus.Secret.fromSecretName(Testing.chart(), 'S', 'db-credentials');
    const credentials = DataStoreCredentials.fromSecret(secret, { usernameKey: 'user', passwordKey: 'pass' });
    expect([credentials.usernameKey, credentials.passwordKey]).toEqual(['user', 'pass']);
  });
});

describe('DataStore.fromDataStoreAttributes', () => {
  const minimal: DataStoreAttributes = { storeName: 'orders', hostname: 'orders-rw.db.svc.cluster.local', ports: [{ port: 5432 }] };

  test('defaults', () => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    const store = DataStore.fromDataStoreAttributes(chart, 'orders', minimal);

    // THEN
    expect(Testing.synth(chart)).toEqual([]);
    expect(store.storeName).toBe('orders');
    expect(store.endpoint.socketAddress).toBe('orders-rw.db.svc.cluster.local:5432');
    expect(store.ports).toEqual([{ name: undefined, port: 5432, protocol: 'TCP' }]);
    expect(store.primaryEndpoint).toBeUndefined();
    expect(store.credentials).toBeUndefined();
    expect(store.serverName).toBeUndefined();
    expect(store.node.path).toBe('test/orders');
  });

  test('all attributes', () => {
    // GIVEN
    const chart = Testing.chart();
    const credentials = DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(chart, 'S', 'orders-app'));

    // WHEN
    const store = DataStore.fromDataStoreAttributes(chart, 'orders', {
      storeName: 'orders',
      hostname: 'orders-rw.db.svc.cluster.local',
      ports: [{ name: 'postgres', port: 5432 }, { name: 'metrics', port: 9187, protocol: 'TCP' }],
      primaryHostname: 'orders-1.orders.db.svc.cluster.local',
      credentials,
      serverName: 'orders.db.example.com',
    });

    // THEN
    expect(Testing.synth(chart)).toEqual([]);
    expect(store.endpoint.socketAddress).toBe('orders-rw.db.svc.cluster.local:5432');
    expect(store.primaryEndpoint?.socketAddress).toBe('orders-1.orders.db.svc.cluster.local:5432');
    expect(store.ports).toEqual([{ name: 'postgres', port: 5432, protocol: 'TCP' }, { name: 'metrics', port: 9187, protocol: 'TCP' }]);
    expect(store.credentials).toBe(credentials);
    expect(store.serverName).toBe('orders.db.example.com');
  });

  test('an IP address is a valid host name', () => {
    const store = DataStore.fromDataStoreAttributes(Testing.chart(), 'legacy', { storeName: 'legacy', hostname: '10.20.0.5', ports: [{ port: 3306 }] });
    expect(store.endpoint.socketAddress).toBe('10.20.0.5:3306');
  });

  test('several unnamed ports are named <protocol>-<port>, like Service ports', () => {
    const store = DataStore.fromDataStoreAttributes(Testing.chart(), 'cache', { storeName: 'cache', hostname: 'cache', ports: [{ port: 6379 }, { port: 26379 }] });
    expect(store.ports.map(p => p.name)).toEqual(['tcp-6379', 'tcp-26379']);
  });

  test('ports returns a copy', () => {
    const store = DataStore.fromDataStoreAttributes(Testing.chart(), 'orders', minimal);
    store.ports.push({ port: 1 });
    expect(store.ports).toHaveLength(1);
  });

  describe('errors', () => {
    const D = "DataStore 'test/orders'";
    const make = (attrs: Partial<DataStoreAttributes>) => () => DataStore.fromDataStoreAttributes(Testing.chart(), 'orders', { ...minimal, ...attrs });
    test.each<[string, () => void, string]>([
      ['storeName is not a DNS label', make({ storeName: 'Orders' }),
        `${D}: invalid 'storeName': "Orders". Must be a DNS-1123 label of at most 63 characters: lower case letters, digits and '-', starting and ending with a letter or digit. `
        + 'Set \'storeName\' to a name such as "my-name".'],
      ['hostname is a URL', make({ hostname: 'postgres://orders-rw:5432' }),
        `${D}: invalid 'hostname': "postgres://orders-rw:5432". Must be a bare DNS name, not a URL. Use "orders-rw" and put the port in 'ports'.`],
      ['hostname has a port', make({ hostname: 'orders-rw:5432' }),
        `${D}: invalid 'hostname': "orders-rw:5432". Must be a bare DNS name, without a port. Use "orders-rw" and put port 5432 in 'ports'.`],
      ['hostname is a loopback address', make({ hostname: '127.0.0.1' }),
        `${D}: invalid 'hostname': "127.0.0.1". May not be in the loopback range (127.0.0.0/8, ::1): the API server refuses such endpoints, or nothing can connect to them. `
        + 'Use an address the cluster\'s nodes can route to.'],
      ['primaryHostname has a path', make({ primaryHostname: 'orders-1/x' }),
        `${D}: invalid 'primaryHostname': "orders-1/x". Must be a bare DNS name, without a path. Use "orders-1".`],
      ['serverName has upper case', make({ serverName: 'Orders.example.com' }),
        `${D}: invalid 'serverName': "Orders.example.com". Must be lower case: the API server rejects upper case DNS names. Use "orders.example.com".`],
      ['there are no ports', make({ ports: [] }),
        `${D}: invalid 'ports': []. Must list at least one port: clients need a port to connect to. Add 'ports: [{ port: 5432 }]'.`],
      ['a port is invalid', make({ ports: [{ port: 70000 }] }),
        `${D}: invalid 'ports[0].port': 70000. Must be an integer port number from 1 to 65535. Set 'ports[0].port' to a valid port.`],
      ['a protocol is unknown', make({ ports: [{ port: 5432, protocol: 'tcp' }] }),
        `${D}: invalid 'ports[0].protocol': "tcp". Must be "TCP", "UDP" or "SCTP". Use Protocol.TCP, Protocol.UDP or Protocol.SCTP.`],
      ['a port appears twice', make({ ports: [{ name: 'a', port: 5432 }, { name: 'b', port: 5432 }] }),
        `${D}: invalid 'ports': "5432/TCP". Each port number and protocol may appear once. Remove the duplicate port.`],
    ])('fails when %s', (_name, build, message) => {
      expect(build).toThrow(new Error(message));
    });
  });
});
