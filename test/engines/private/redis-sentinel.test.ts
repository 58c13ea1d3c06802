import {
  checkMasterName,
  podDomain,
  podDnsNames,
  renderRedisSentinel,
  sentinelBackupPrelude,
  sentinelDataPart,
  SENTINEL_PORT,
} from '../../../src/engines/private/redis-sentinel';

const DATA = { statefulSetName: 'cache', serviceName: 'cache', namespace: 'news', clusterDomain: 'cluster.local' };
const SENTINELS = { statefulSetName: 'cache-sentinel', serviceName: 'cache-sentinel', namespace: 'news', clusterDomain: 'cluster.local' };

describe('the Sentinel engine module', () => {
  test('pod DNS names and the pod domain follow ordinals.start', () => {
    expect(podDnsNames({ ...DATA, startOrdinal: 1 }, 2)).toEqual(['cache-1.cache.news.svc.cluster.local', 'cache-2.cache.news.svc.cluster.local']);
    expect(podDomain({ ...DATA, startOrdinal: 5 })).toBe('.cache.news.svc.cluster.local');
  });

  test.each(['news-redis', 'a', 'A.b_c-1'])('accepts the master name %p', name => {
    expect(() => checkMasterName('w', 'p', name)).not.toThrow();
  });

  test.each(['', '-x', 'has space', 'a;b', 'x'.repeat(64)])('fails when the master name is %p', name => {
    expect(() => checkMasterName('w', 'p', name)).toThrow(/^w: invalid 'p': .*Must be 1 to 63 letters, digits, '\.', '_' or '-', starting with a letter or digit/);
  });

  test('the data pods\' part: env, min-replicas-to-write only when set, the role lines', () => {
    const part = sentinelDataPart({
      flavor: 'redis',
      identity: DATA,
      podCount: 3,
      port: 6379,
      dataDir: '/data',
      sentinel: { masterName: 'cache', sentinelHosts: ['s-0', 's-1'], minReplicasToWrite: 0 },
    });
    expect(part.env).toEqual([
      { name: 'REDIS_SENTINEL_MASTER', value: 'cache' },
      { name: 'REDIS_SENTINEL_HOSTS', value: 's-0,s-1' },
      { name: 'REDIS_DATA_HOSTS', value: podDnsNames(DATA, 3).join(',') },
      { name: 'REDIS_POD_DOMAIN', value: '.cache.news.svc.cluster.local' },
    ]);
    expect(part.config).toEqual([]);
    expect(part.roleLines.join('\n')).toContain(`timeout 3 redis-cli -h "$s" -p ${SENTINEL_PORT} sentinel master "$master"`);
    expect(part.roleLines[part.roleLines.length - 1]).toBe('if [ "$role" = replica ]; then echo "replicaof $best_host $best_port" >> "$conf.tmp"; fi');
  });

  test('the sentinels: settings, the quorum, no password without one', () => {
    const engine = renderRedisSentinel('w', {
      flavor: 'valkey',
      image: 'img',
      identity: SENTINELS,
      sentinels: 3,
      data: DATA,
      dataPodCount: 2,
      dataPort: 6379,
      masterName: 'cache',
      quorum: 2,
      downAfterMilliseconds: 5000,
      failoverTimeoutMilliseconds: 60000,
    });
    expect(engine.settings).toEqual([
      'port 26379', 'bind * -::*', 'protected-mode no', 'unixsocket /run/valkey-sentinel/sentinel.sock', 'unixsocketperm 700', 'dir /data',
      'sentinel resolve-hostnames yes', 'sentinel announce-hostnames yes',
      'sentinel down-after-milliseconds cache 5000', 'sentinel failover-timeout cache 60000', 'sentinel parallel-syncs cache 1',
    ]);
    expect(engine.command[2]).toContain('echo "sentinel monitor $master $host $port 2"');
    expect(engine.command[2]).toContain('exec valkey-server "$conf" --sentinel "$@"');
    expect(engine.env.map(e => e.name)).toEqual(['REDIS_SENTINEL_HOSTS', 'REDIS_DATA_HOSTS', 'REDIS_BOOTSTRAP_HOST', 'REDIS_POD_DOMAIN']);
    expect(engine.hosts).toEqual(podDnsNames(SENTINELS, 3));
  });

  test('fails when the quorum exceeds the sentinels', () => {
    expect(() => renderRedisSentinel('w', {
      flavor: 'redis',
      image: 'img',
      identity: SENTINELS,
      sentinels: 3,
      data: DATA,
      dataPodCount: 2,
      dataPort: 6379,
      masterName: 'cache',
      quorum: 4,
      downAfterMilliseconds: 5000,
      failoverTimeoutMilliseconds: 60000,
    })).toThrow(/invalid 'sentinel\.quorum': 4/);
  });

  test('the backup prelude takes the primary from the sentinels and refuses without one', () => {
    const lines = sentinelBackupPrelude('valkey-cli').join('\n');
    expect(lines).toContain('valkey-cli -h "$s" -p 26379 sentinel get-master-addr-by-name "${REDIS_SENTINEL_MASTER}"');
    expect(lines).toContain('[ -n "$primary" ] || { echo "backup: no sentinel');
    expect(lines.split('\n').pop()).toBe('STORE_HOST=$primary');
  });
});
