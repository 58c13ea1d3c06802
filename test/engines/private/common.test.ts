import { checkIdentity, checkPath, memoryBytes, podDnsName, propName, showBytes } from '../../../src/engines/private/common';

const WHERE = "Redis 'test/cache'";

describe('podDnsName', () => {
  test('with a namespace: the full name through the headless Service', () => {
    expect(podDnsName({ statefulSetName: 'db', serviceName: 'db-hl', namespace: 'shop' }, 3)).toBe('db-3.db-hl.shop.svc.cluster.local');
    expect(podDnsName({ statefulSetName: 'db', serviceName: 'db', namespace: 'shop', clusterDomain: 'corp.internal' }, 0))
      .toBe('db-0.db.shop.svc.corp.internal');
  });

  test('without a namespace: the short form, which resolves from the same namespace', () => {
    expect(podDnsName({ statefulSetName: 'db', serviceName: 'db', clusterDomain: 'corp.internal' }, 1)).toBe('db-1.db');
  });
});

describe('checkIdentity', () => {
  test('defaults', () => {
    expect(checkIdentity(WHERE, { statefulSetName: 'db', serviceName: 'db' }, {})).toEqual({ startOrdinal: 0, clusterDomain: 'cluster.local' });
  });

  test('fails on a StatefulSet name longer than 52 characters', () => {
    expect(() => checkIdentity(WHERE, { statefulSetName: 'a'.repeat(53), serviceName: 'db' }, { statefulSetName: 'metadata.name' }))
      .toThrow(/invalid 'metadata.name': "a{53}"\. Must be a DNS-1123 label of at most 52 characters \(the revision hash label/);
  });
});

describe('memoryBytes', () => {
  test.each<[string | number, number]>([['512Mi', 512 * 1024 ** 2], ['1G', 1e9], ['1.5Gi', 1.5 * 1024 ** 3], [1000, 1000], ['1e3', 1000]])(
    '%p is %d bytes', (value, bytes) => {
      expect(memoryBytes(WHERE, 'memoryLimit', value)).toBe(bytes);
    });

  test.each<[string | number]>([['0'], [-1], ['1GB'], ['lots'], [Number.NaN]])('fails on %p', value => {
    expect(() => memoryBytes(WHERE, 'resources.memory', value)).toThrow(
      /invalid 'resources\.memory': .*\. Must be a positive Kubernetes quantity such as "512Mi" or "2Gi", or a number of bytes\. Set 'resources\.memory' to/);
  });
});

test.each<[number, string]>([
  [1024 ** 3, '1Gi'],
  [1.5 * 1024 ** 3, '1.5Gi'],
  [1280 * 1024 ** 2, '1280Mi'],
  [64 * 1024 ** 2, '64Mi'],
  [1.5 * 1024 ** 2, '1.5Mi'],
  [512 * 1024 ** 2, '512Mi'], // half a GiB: below 1Gi, so in Mi
  [1024 ** 2, '1Mi'], // exactly 1 MiB: a whole number of MiB
  [1024 ** 2 + 1, '1.0Mi'], // not a whole number of MiB: one decimal
  [Math.round(1.7 * 1024 ** 2), '1.7Mi'],
  [1024 ** 2 - 1, '1048575 bytes'], // below 1 MiB: bytes
  [1000, '1000 bytes'],
  [0, '0 bytes'],
])('showBytes(%d) is %p', (bytes, shown) => {
  expect(showBytes(bytes)).toBe(shown);
});

describe('checkPath', () => {
  test.each(['/data', '/etc/redis', '/var/lib/redis-data_1.d', `/${'a'.repeat(79)}`])('accepts %p', path => {
    expect(() => checkPath(WHERE, 'dataDir', path)).not.toThrow();
  });

  test.each(['data', '/', '/data/', '/data/../etc', '/da ta', '/data;rm', '/$HOME', `/${'a'.repeat(80)}`, 'data/redis', './data', '~/data'])('fails on %p', path => {
    expect(() => checkPath(WHERE, 'dataDir', path)).toThrow(/invalid 'dataDir': .*\. Must be an absolute path of at most 80 characters/);
  });

  test('the whole message', () => {
    expect(() => checkPath(WHERE, 'dataDir', 'data')).toThrow(new Error(
      "Redis 'test/cache': invalid 'dataDir': \"data\". Must be an absolute path of at most 80 characters made of letters, digits, "
      + "'.', '_', '-' and '/', without '..'. Set 'dataDir' to a path such as \"/data\"."));
  });
});

test('propName: the construct\'s name for an option, or the option\'s own', () => {
  expect(propName<{ replicas?: number; port?: number }>({ replicas: 'redis.replicas' }, 'replicas')).toBe('redis.replicas');
  expect(propName<{ replicas?: number; port?: number }>({ replicas: 'redis.replicas' }, 'port')).toBe('port');
});
