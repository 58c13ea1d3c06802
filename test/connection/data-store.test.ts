import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  DataStore, DataStoreAttributes, DataStoreCredentials, DataStoreCredentialsOptions, Endpoint, PasswordCredentialsOptions,
} from '../../src/connection/data-store';
import { findOne } from '../util/harness';

describe('Endpoint', () => {
  test('host name, port and socket address', () => {
    const endpoint = new Endpoint('db-0.db.shop.svc.cluster.local', 5432);
    expect(endpoint.hostname).toBe('db-0.db.shop.svc.cluster.local');
    expect(endpoint.port).toBe(5432);
    expect(endpoint.socketAddress).toBe('db-0.db.shop.svc.cluster.local:5432');
  });

  test.each([
    ['a DNS name', 'db.example.com', 'db.example.com:5432'],
    ['an IPv4 address', '10.20.0.5', '10.20.0.5:5432'],
    ['an IPv6 address, in brackets', '2001:db8::5', '[2001:db8::5]:5432'],
    ['the IPv6 loopback address, in brackets', '::1', '[::1]:5432'],
  ])('the socket address of %s', (_kind, hostname, socketAddress) => {
    const endpoint = new Endpoint(hostname, 5432);
    expect(endpoint.socketAddress).toBe(socketAddress);
    expect(endpoint.hostname).toBe(hostname);
  });
});

describe('DataStoreCredentials', () => {
  test('defaults: keys username and password', () => {
    const secret = kplus.Secret.fromSecretName(Testing.chart(), 'S', 'db-credentials');
    const credentials = DataStoreCredentials.fromSecret(secret);
    expect(credentials.secret).toBe(secret);
    expect(credentials.usernameKey).toBe('username');
    expect(credentials.passwordKey).toBe('password');
    expect(credentials.extraKeys).toEqual({});
  });

  test('all options', () => {
    const secret = kplus.Secret.fromSecretName(Testing.chart(), 'S', 'db-credentials');
    const credentials = DataStoreCredentials.fromSecret(secret, {
      usernameKey: 'user', passwordKey: 'pass', extraKeys: { DATABASE: 'dbname', CA_BUNDLE: 'ca.crt' },
    });
    expect([credentials.usernameKey, credentials.passwordKey]).toEqual(['user', 'pass']);
    // sorted by variable name, whatever the order given
    expect(Object.entries(credentials.extraKeys)).toEqual([['CA_BUNDLE', 'ca.crt'], ['DATABASE', 'dbname']]);
    const many = DataStoreCredentials.fromSecret(secret, { extraKeys: { ZONE: 'z', DATABASE: 'd', OWNER: 'o', CA_BUNDLE: 'c', BUCKET: 'b', ALPHA: 'a' } });
    expect(Object.keys(many.extraKeys)).toEqual(['ALPHA', 'BUCKET', 'CA_BUNDLE', 'DATABASE', 'OWNER', 'ZONE']);
  });

  test('password only: defaults', () => {
    const secret = kplus.Secret.fromSecretName(Testing.chart(), 'S', 'cache-credentials');
    const credentials = DataStoreCredentials.fromPasswordSecret(secret);
    expect(credentials.secret).toBe(secret);
    expect(credentials.usernameKey).toBeUndefined();
    expect(credentials.passwordKey).toBe('password');
    expect(credentials.extraKeys).toEqual({});
  });

  test('password only: all options', () => {
    const secret = kplus.Secret.fromSecretName(Testing.chart(), 'S', 'cache-credentials');
    const credentials = DataStoreCredentials.fromPasswordSecret(secret, { passwordKey: 'redis-password', extraKeys: { CA_BUNDLE: 'ca.crt' } });
    expect(credentials.usernameKey).toBeUndefined();
    expect(credentials.passwordKey).toBe('redis-password');
    expect(credentials.extraKeys).toEqual({ CA_BUNDLE: 'ca.crt' });
  });

  test('extraKeys returns a copy, and the options are copied', () => {
    const extraKeys: { [variable: string]: string } = { DATABASE: 'dbname' };
    const credentials = DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(Testing.chart(), 'S', 'db'), { extraKeys });
    extraKeys.CA_BUNDLE = 'ca.crt';
    credentials.extraKeys.OTHER = 'other';
    expect(credentials.extraKeys).toEqual({ DATABASE: 'dbname' });
  });

  test('several variables may read the same key', () => {
    const credentials = DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(Testing.chart(), 'S', 'db'), {
      extraKeys: { DATABASE: 'username', OWNER: 'username' },
    });
    expect(credentials.extraKeys).toEqual({ DATABASE: 'username', OWNER: 'username' });
  });

  describe('errors', () => {
    const C = "DataStoreCredentials 'test/creds'";
    const KEY = 'Must be a key of the Secret\'s data: 1 to 253 letters, digits, \'-\', \'_\' or \'.\', not "." or ".." nor starting with ".."';
    const USERNAME_FIX = 'Set \'usernameKey\' to the key of the user name in the Secret, such as "username", '
      + 'or use DataStoreCredentials.fromPasswordSecret() for a Secret without one.';
    const PASSWORD_FIX = 'Set \'passwordKey\' to the key of the password in the Secret, such as "password".';
    const VARIABLE = 'Must be the end of an environment variable name (<PREFIX>_<variable>): upper-case letters, digits and \'_\', starting with a letter or digit';
    const RESERVED = 'Must not be USERNAME or PASSWORD or start with SERVICE_: a DataStoreConnection sets <PREFIX>_USERNAME and <PREFIX>_PASSWORD from '
      + '\'usernameKey\' and \'passwordKey\', and <PREFIX>_SERVICE_HOST, _SERVICE_PORT, _SERVICE_PORT_<NAME> and _SERVICE_SERVER_NAME from its ConfigMap. '
      + 'Name the variable differently, such as "DATABASE"; set the keys of the user name and the password with \'usernameKey\' and \'passwordKey\'.';
    const fromSecret = (options: DataStoreCredentialsOptions) => () =>
      DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(Testing.chart(), 'creds', 'db-credentials'), options);
    const fromPasswordSecret = (options: PasswordCredentialsOptions) => () =>
      DataStoreCredentials.fromPasswordSecret(kplus.Secret.fromSecretName(Testing.chart(), 'creds', 'db-credentials'), options);

    test.each<[string, () => unknown, string]>([
      ['usernameKey is empty', fromSecret({ usernameKey: '' }), `${C}: invalid 'usernameKey': "". ${KEY}. ${USERNAME_FIX}`],
      ['usernameKey is not a Secret key', fromSecret({ usernameKey: 'user name' }), `${C}: invalid 'usernameKey': "user name". ${KEY}. ${USERNAME_FIX}`],
      ['passwordKey is empty', fromSecret({ passwordKey: '' }), `${C}: invalid 'passwordKey': "". ${KEY}. ${PASSWORD_FIX}`],
      ['passwordKey is empty (password only)', fromPasswordSecret({ passwordKey: '' }), `${C}: invalid 'passwordKey': "". ${KEY}. ${PASSWORD_FIX}`],
      ['passwordKey is ".."', fromSecret({ passwordKey: '..' }), `${C}: invalid 'passwordKey': "..". ${KEY}. ${PASSWORD_FIX}`],
      ['passwordKey starts with ".."', fromSecret({ passwordKey: '..password' }), `${C}: invalid 'passwordKey': "..password". ${KEY}. ${PASSWORD_FIX}`],
      ['passwordKey is longer than 253 characters', fromSecret({ passwordKey: 'p'.repeat(254) }), `${C}: invalid 'passwordKey': "${'p'.repeat(254)}". ${KEY}. ${PASSWORD_FIX}`],
      ['usernameKey and passwordKey are the same key', fromSecret({ usernameKey: 'credentials', passwordKey: 'credentials' }),
        `${C}: invalid 'passwordKey': "credentials". Must differ from 'usernameKey' ("credentials"): one key cannot hold both the user name and the password. `
        + 'Set \'usernameKey\' and \'passwordKey\' to the two keys of the Secret, or use DataStoreCredentials.fromPasswordSecret() for a Secret with a password only.'],
      ['an extra key is empty', fromSecret({ extraKeys: { DATABASE: '' } }),
        `${C}: invalid 'extraKeys.DATABASE': "". ${KEY}. Set 'extraKeys.DATABASE' to a key of the Secret, such as "dbname", or leave the variable out.`],
      ['an extra key is not a Secret key (password only)', fromPasswordSecret({ extraKeys: { CA_BUNDLE: 'ca/crt' } }),
        `${C}: invalid 'extraKeys.CA_BUNDLE': "ca/crt". ${KEY}. Set 'extraKeys.CA_BUNDLE' to a key of the Secret, such as "dbname", or leave the variable out.`],
      ['a variable is lower case', fromSecret({ extraKeys: { database: 'dbname' } }), `${C}: invalid 'extraKeys': "database". ${VARIABLE}. Name the variable "DATABASE".`],
      ['a variable has a dash', fromSecret({ extraKeys: { 'CA-BUNDLE': 'ca.crt' } }), `${C}: invalid 'extraKeys': "CA-BUNDLE". ${VARIABLE}. Name the variable "CA_BUNDLE".`],
      ['a variable cannot be made a name by upper-casing it', fromSecret({ extraKeys: { 'ca bundle': 'ca.crt' } }),
        `${C}: invalid 'extraKeys': "ca bundle". ${VARIABLE}. Name the variable such as "DATABASE" or "CA_BUNDLE".`],
      ['a variable is empty', fromSecret({ extraKeys: { '': 'dbname' } }), `${C}: invalid 'extraKeys': "". ${VARIABLE}. Name the variable such as "DATABASE" or "CA_BUNDLE".`],
      ['a variable starts with "_"', fromSecret({ extraKeys: { _DATABASE: 'dbname' } }), `${C}: invalid 'extraKeys': "_DATABASE". ${VARIABLE}. Name the variable such as "DATABASE" or "CA_BUNDLE".`],
      ['a variable is USERNAME', fromSecret({ extraKeys: { USERNAME: 'user' } }), `${C}: invalid 'extraKeys': "USERNAME". ${RESERVED}`],
      ['a variable is USERNAME (password only)', fromPasswordSecret({ extraKeys: { USERNAME: 'user' } }), `${C}: invalid 'extraKeys': "USERNAME". ${RESERVED}`],
      ['a variable is PASSWORD', fromSecret({ extraKeys: { PASSWORD: 'pass' } }), `${C}: invalid 'extraKeys': "PASSWORD". ${RESERVED}`],
      ['a variable is SERVICE_HOST', fromSecret({ extraKeys: { SERVICE_HOST: 'host' } }), `${C}: invalid 'extraKeys': "SERVICE_HOST". ${RESERVED}`],
      ['a variable is SERVICE_PORT', fromSecret({ extraKeys: { SERVICE_PORT: 'port' } }), `${C}: invalid 'extraKeys': "SERVICE_PORT". ${RESERVED}`],
      ['a variable is a named port variable', fromSecret({ extraKeys: { SERVICE_PORT_POSTGRES: 'port' } }), `${C}: invalid 'extraKeys': "SERVICE_PORT_POSTGRES". ${RESERVED}`],
      ['a variable is SERVICE_SERVER_NAME', fromSecret({ extraKeys: { SERVICE_SERVER_NAME: 'sni' } }), `${C}: invalid 'extraKeys': "SERVICE_SERVER_NAME". ${RESERVED}`],
    ])('fails when %s', (_name, build, message) => {
      expect(build).toThrow(new Error(message));
    });
  });

  describe('keys of a Secret the app renders', () => {
    const C = "DataStoreCredentials 'test/creds'";
    const missing = (prop: string, key: string, keys: string[], fix: string) =>
      `${C}: invalid '${prop}': "${key}". Must be a key of the Secret: the Secret "db-credentials" the app renders holds the keys ${JSON.stringify(keys)}, `
      + `and a consumer whose Secret lacks a required key does not start (CreateContainerConfigError). Add the key "${key}" to the Secret, ${fix}.`;

    function secretWith(stringData?: { [key: string]: string }): { chart: Chart; secret: kplus.Secret } {
      const chart = Testing.chart();
      return { chart, secret: new kplus.Secret(chart, 'creds', { metadata: { name: 'db-credentials' }, stringData }) };
    }

    test('fails at synth when a Secret with a password only is used with a user name (the Redis case)', () => {
      // GIVEN
      const { chart, secret } = secretWith({ password: 'from-a-sealed-secret' });

      // WHEN
      DataStoreCredentials.fromSecret(secret);

      // THEN
      const message = missing('usernameKey', 'username', ['password'], 'or use DataStoreCredentials.fromPasswordSecret() for a Secret without a user name');
      expect(secret.node.validate()).toEqual([message]);
      expect(() => Testing.synth(chart)).toThrow(`[test/creds] ${message}`);
    });

    test('fails at synth when the password key is missing', () => {
      const { secret } = secretWith({ username: 'app', pass: 'x' });
      DataStoreCredentials.fromSecret(secret);
      expect(secret.node.validate()).toEqual([missing('passwordKey', 'password', ['pass', 'username'], 'or set \'passwordKey\' to the key of the password')]);
    });

    test('fails at synth when the password key of password-only credentials is missing', () => {
      const { secret } = secretWith({ token: 'x' });
      DataStoreCredentials.fromPasswordSecret(secret);
      expect(secret.node.validate()).toEqual([missing('passwordKey', 'password', ['token'], 'or set \'passwordKey\' to the key of the password')]);
    });

    test('fails at synth when an extra key is missing, naming the key and the Secret', () => {
      const { secret } = secretWith({ password: 'x', dbname: 'users' });
      DataStoreCredentials.fromPasswordSecret(secret, { extraKeys: { DATABASE: 'dbname', CA_BUNDLE: 'ca.crt' } });
      expect(secret.node.validate()).toEqual([
        `${C}: invalid 'extraKeys.CA_BUNDLE': "ca.crt". Must be a key of the Secret: the Secret "db-credentials" the app renders holds the keys ["dbname","password"], `
        + 'and consumers would silently go without the variable. Add the key "ca.crt" to the Secret, or leave "CA_BUNDLE" out of \'extraKeys\'.',
      ]);
    });

    test('every key present: no error; keys added after the credentials count', () => {
      // GIVEN
      const { chart, secret } = secretWith({ username: 'app' });
      DataStoreCredentials.fromSecret(secret, { extraKeys: { DATABASE: 'dbname' } });

      // WHEN
      secret.addStringData('password', 'x');
      secret.addStringData('dbname', 'users');

      // THEN
      expect(secret.node.validate()).toEqual([]);
      expect(findOne(Testing.synth(chart), 'Secret').stringData).toEqual({ username: 'app', password: 'x', dbname: 'users' });
    });

    test('a BasicAuthSecret has the keys of fromSecret()', () => {
      const chart = Testing.chart();
      const secret = new kplus.BasicAuthSecret(chart, 'creds', { username: 'app', password: 'x' });
      DataStoreCredentials.fromSecret(secret);
      expect(secret.node.validate()).toEqual([]);
    });

    test('the keys the message lists are those of data and stringData, sorted, each once', () => {
      const { secret } = secretWith({ username: 'app', token: 'x' });
      ApiObject.of(secret).addJsonPatch(JsonPatch.add('/data', { 'z-pass': Buffer.from('x').toString('base64'), 'token': Buffer.from('x').toString('base64') }));
      DataStoreCredentials.fromSecret(secret);
      expect(secret.node.validate()).toEqual([missing('passwordKey', 'password', ['token', 'username', 'z-pass'], 'or set \'passwordKey\' to the key of the password')]);
    });

    test('keys rendered as data (a JSON patch) count', () => {
      const { secret } = secretWith();
      ApiObject.of(secret).addJsonPatch(JsonPatch.add('/data', { password: Buffer.from('x').toString('base64') }));
      DataStoreCredentials.fromPasswordSecret(secret);
      expect(secret.node.validate()).toEqual([]);
    });

    test.each<[string, (chart: Chart) => kplus.ISecret]>([
      ['an imported Secret', chart => kplus.Secret.fromSecretName(chart, 'creds', 'db-credentials')],
      ['a rendered Secret without data (filled by someone else)', chart => new kplus.Secret(chart, 'creds')],
      ['a service account token Secret (filled by the cluster)', chart => new kplus.ServiceAccountTokenSecret(chart, 'creds', {
        serviceAccount: kplus.ServiceAccount.fromServiceAccountName(chart, 'sa', 'reader'),
      })],
      ['a service account token Secret with data of its own (the cluster adds the token)', chart => {
        const secret = new kplus.ServiceAccountTokenSecret(chart, 'creds', {
          serviceAccount: kplus.ServiceAccount.fromServiceAccountName(chart, 'sa', 'reader'),
        });
        secret.addStringData('note', 'filled by the token controller');
        return secret;
      }],
    ])('%s is not checked', (_kind, build) => {
      const chart = Testing.chart();
      const secret = build(chart);
      DataStoreCredentials.fromSecret(secret, { extraKeys: { DATABASE: 'dbname' } });
      expect(secret.node.validate()).toEqual([]);
    });
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

  test('an IPv6 host name gets brackets in the socket address', () => {
    const store = DataStore.fromDataStoreAttributes(Testing.chart(), 'v6', { storeName: 'v6', hostname: '2001:db8::5', primaryHostname: '2001:db8::6', ports: [{ port: 5432 }] });
    expect(store.endpoint.hostname).toBe('2001:db8::5');
    expect(store.endpoint.socketAddress).toBe('[2001:db8::5]:5432');
    expect(store.primaryEndpoint?.socketAddress).toBe('[2001:db8::6]:5432');
  });

  test.each([
    ['127.0.0.1', '127.0.0.1:5432'],
    ['localhost', 'localhost:5432'],
    ['::1', '[::1]:5432'],
    ['169.254.20.10', '169.254.20.10:5432'],
  ])('a proxy in the consumer\'s own pod is reachable: %s is accepted (the value only goes into a ConfigMap)', (hostname, socketAddress) => {
    // GIVEN a Cloud SQL Auth Proxy or pgbouncer sidecar next to each consumer
    const chart = Testing.chart();

    // WHEN
    const store = DataStore.fromDataStoreAttributes(chart, 'orders', { storeName: 'orders', hostname, ports: [{ port: 5432 }] });

    // THEN
    expect(store.endpoint.socketAddress).toBe(socketAddress);
    expect(Testing.synth(chart)).toEqual([]);
  });

  test('host names are lower-cased: DNS names are case-insensitive, and the value only goes into a ConfigMap', () => {
    const store = DataStore.fromDataStoreAttributes(Testing.chart(), 'orders', {
      storeName: 'orders',
      hostname: 'Orders-RW.DB.svc.cluster.local',
      primaryHostname: 'ORDERS-1.orders.db.svc.cluster.local',
      serverName: 'Orders.Example.COM',
      ports: [{ port: 5432 }],
    });
    expect(store.endpoint.hostname).toBe('orders-rw.db.svc.cluster.local');
    expect(store.primaryEndpoint?.hostname).toBe('orders-1.orders.db.svc.cluster.local');
    expect(store.serverName).toBe('orders.example.com');
  });

  test('the server name loses its trailing dot (SNI carries none); the host name keeps it', () => {
    const store = DataStore.fromDataStoreAttributes(Testing.chart(), 'orders', {
      storeName: 'orders', hostname: 'orders.db.example.com.', serverName: 'orders.db.example.com.', ports: [{ port: 5432 }],
    });
    expect(store.endpoint.hostname).toBe('orders.db.example.com.');
    expect(store.serverName).toBe('orders.db.example.com');
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
        `${D}: invalid 'hostname': "postgres://orders-rw:5432". Must be a bare DNS name or IP address, not a URL. Use "orders-rw" and put port 5432 in 'ports'.`],
      ['hostname is a URL with credentials (never echoed)', make({ hostname: 'postgres://app:S3cret@Orders-RW:5432/orders' }),
        `${D}: invalid 'hostname': "postgres://***@Orders-RW:5432/orders". Must be a bare DNS name or IP address, not a URL. Use "orders-rw" and put port 5432 in 'ports'.`],
      ['hostname has a port', make({ hostname: 'orders-rw:5432' }),
        `${D}: invalid 'hostname': "orders-rw:5432". Must be a bare DNS name or IP address, without a port. Use "orders-rw" and put port 5432 in 'ports'.`],
      ['hostname is a loopback address with a port', make({ hostname: '127.0.0.1:5432' }),
        `${D}: invalid 'hostname': "127.0.0.1:5432". Must be a bare DNS name or IP address, without a port. Use "127.0.0.1" and put port 5432 in 'ports'.`],
      ['hostname is a multicast address', make({ hostname: '224.0.0.1' }),
        `${D}: invalid 'hostname': "224.0.0.1". May not be in the multicast range (224.0.0.0/4, ff00::/8): nothing can connect to it. Use the address clients connect to.`],
      ['hostname is the unspecified address', make({ hostname: '0.0.0.0' }),
        `${D}: invalid 'hostname': "0.0.0.0". May not be in the unspecified range (0.0.0.0/8, ::): nothing can connect to it. Use the address clients connect to.`],
      ['hostname is an IPv4-mapped IPv6 address', make({ hostname: '::ffff:127.0.0.1' }),
        `${D}: invalid 'hostname': "::ffff:127.0.0.1". Must not be an IPv4-mapped IPv6 address. Use the IPv4 form "127.0.0.1".`],
      ['hostname has a zone index', make({ hostname: 'fe80::1%eth0' }),
        `${D}: invalid 'hostname': "fe80::1%eth0". Must be an IP address without a zone index: zones are local to one host. Use "fe80::1".`],
      ['hostname reads as an IP address but is none', make({ hostname: '1.2.3' }),
        `${D}: invalid 'hostname': "1.2.3". Must be a DNS name or an IP address: "1.2.3" looks like an IP address (its last label is all digits) but is not one. `
        + 'Use a complete address such as "10.0.0.5", or a DNS name.'],
      ['hostname has leading zeros', make({ hostname: '010.020.0.5' }),
        `${D}: invalid 'hostname': "010.020.0.5". Must be an IPv4 address without leading zeros: "010" is octal to some tools and decimal to others. `
        + 'Write it as "10.20.0.5" if decimal was meant.'],
      ['hostname is a socket path', make({ hostname: '/var/run/postgresql' }),
        `${D}: invalid 'hostname': "/var/run/postgresql". Must be a DNS name or IP address, not a path. Clients connect over the network: use the store's host name.`],
      ['hostname has trailing whitespace', make({ hostname: 'orders-rw ' }),
        `${D}: invalid 'hostname': "orders-rw ". Must not have leading or trailing whitespace. Remove the whitespace: use "orders-rw".`],
      ['primaryHostname has a path', make({ primaryHostname: 'orders-1/x' }),
        `${D}: invalid 'primaryHostname': "orders-1/x". Must be a bare DNS name or IP address, without a path. Use "orders-1".`],
      ['serverName has invalid characters', make({ serverName: 'orders_db.example.com' }),
        `${D}: invalid 'serverName': "orders_db.example.com". Must be a DNS name: dot-separated labels of lower case letters, digits and '-', each at most 63 characters, `
        + '253 in all. Use a name such as "db.example.com".'],
      ['there are no ports', make({ ports: [] }),
        `${D}: invalid 'ports': []. Must list at least one port: clients need a port to connect to. Add 'ports: [{ port: 5432 }]'.`],
      ['a port is invalid', make({ ports: [{ port: 70000 }] }),
        `${D}: invalid 'ports[0].port': 70000. Must be an integer port number from 1 to 65535. Set 'ports[0].port' to a valid port.`],
      ['a protocol is unknown', make({ ports: [{ port: 5432, protocol: 'tcp' }] }),
        `${D}: invalid 'ports[0].protocol': "tcp". Must be "TCP", "UDP" or "SCTP". Use Protocol.TCP, Protocol.UDP or Protocol.SCTP.`],
      ['a port appears twice', make({ ports: [{ name: 'a', port: 5432 }, { name: 'b', port: 5432 }] }),
        `${D}: invalid 'ports[1].port': 5432. Each port number and protocol may appear once: 'ports[0]' is also 5432/TCP. Remove the duplicate port.`],
    ])('fails when %s', (_name, build, message) => {
      expect(build).toThrow(new Error(message));
    });
  });
});
