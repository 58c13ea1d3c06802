import { Chart, Cron, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Warnings } from '../../src/app/warnings';
import { DataStoreCredentials } from '../../src/connection/data-store';
import { DataStoreConnection } from '../../src/connection/data-store-connection';
import { CertManagerIssuerKind, PresetCertificate } from '../../src/engines/preset-tls';
import { Redis, RedisProps } from '../../src/engines/redis';
import { RedisSentinel } from '../../src/engines/redis-sentinel';
import { Valkey } from '../../src/engines/valkey';
import { restrictedViolations } from '../../src/private/pod-security';
import { allWarnings, STRICT_ENV } from '../../src/private/warnings';
import { StorageClass } from '../../src/storage/storage-class';
import { findAll, findOne, synthValid } from '../util/harness';

function newsChart(): Chart {
  return new Chart(Testing.app(), 'test', { namespace: 'news' });
}

function passwordOf(chart: Chart): DataStoreCredentials {
  return DataStoreCredentials.fromPasswordSecret(kplus.Secret.fromSecretName(chart, 'auth', 'news-redis-auth'));
}

function redis(chart: Chart, props: Partial<RedisProps> = {}): Redis {
  return new Redis(chart, 'news', { metadata: { name: 'news-redis' }, password: passwordOf(chart), sentinel: {}, ...props });
}

function sentinelContainer(manifests: any[], name = 'news-redis-sentinel'): any {
  return findOne(manifests, 'StatefulSet', name).spec.template.spec.containers.find((c: any) => c.name === 'sentinel');
}

function dataContainer(manifests: any[], name = 'news-redis'): any {
  return findOne(manifests, 'StatefulSet', name).spec.template.spec.containers.find((c: any) => c.name === 'redis');
}

function envOf(container: any): Record<string, any> {
  return Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
}

const SENTINELS = [0, 1, 2].map(i => `news-redis-sentinel-${i}.news-redis-sentinel.news.svc.cluster.local`);

describe('RedisSentinel', () => {
  afterEach(() => {
    delete process.env[STRICT_ENV];
    jest.restoreAllMocks();
  });

  test('defaults', () => {
    // GIVEN
    const chart = newsChart();

    // WHEN
    const store = redis(chart);

    // THEN
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const sts = findOne(manifests, 'StatefulSet', 'news-redis-sentinel');
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(sts.spec.serviceName).toBe('news-redis-sentinel');
    expect(restrictedViolations(sts.spec.template.spec)).toEqual([]);
    expect(sts.spec.template.spec.securityContext).toMatchObject({ fsGroup: 999, runAsNonRoot: true });
    // spread over nodes and zones, with a budget that keeps a majority
    expect(sts.spec.template.spec.topologySpreadConstraints.map((t: any) => t.topologyKey)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    expect(findOne(manifests, 'PodDisruptionBudget', 'news-redis-sentinel').spec.maxUnavailable).toBe(1);
    expect(findOne(manifests, 'Service', 'news-redis-sentinel').spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true, ports: [expect.objectContaining({ name: 'sentinel', port: 26379 })] });
    expect(sts.spec.volumeClaimTemplates).toEqual([expect.objectContaining({
      metadata: { name: 'sentinel' }, spec: expect.objectContaining({ resources: { requests: { storage: '1Gi' } } }),
    })]);

    const c = sentinelContainer(manifests);
    expect(c.image).toBe(dataContainer(manifests).image);
    expect(c.resources).toEqual({ limits: { memory: '64Mi' }, requests: { cpu: '50m', memory: '64Mi' } });
    expect(c.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, readOnlyRootFilesystem: true });
    expect(c.ports).toEqual([{ containerPort: 26379, name: 'sentinel' }]);
    expect(envOf(c)).toEqual({
      REDIS_SENTINEL_HOSTS: SENTINELS.join(','),
      REDIS_DATA_HOSTS: [0, 1, 2].map(i => `news-redis-${i}.news-redis.news.svc.cluster.local`).join(','),
      REDIS_BOOTSTRAP_HOST: 'news-redis-0.news-redis.news.svc.cluster.local',
      REDIS_POD_DOMAIN: '.news-redis-sentinel.news.svc.cluster.local',
      REDISCLI_AUTH: { secretKeyRef: { name: 'news-redis-auth', key: 'password' } },
    });
    const script: string = c.command[2];
    expect(c.command[0]).toBe('sh');
    for (const line of [
      'sentinel resolve-hostnames yes', 'sentinel announce-hostnames yes', 'protected-mode yes',
      'sentinel down-after-milliseconds news-redis 10000', 'sentinel failover-timeout news-redis 60000', 'sentinel parallel-syncs news-redis 1',
    ]) expect(script).toContain(`\n${line}\n`);
    expect(script).toContain('echo "sentinel monitor $master $host $port 2"');
    expect(script).toContain('echo "sentinel announce-ip $me"');
    expect(script).toContain('sentinel auth-pass %s');
    expect(script).toContain('requirepass');
    expect(script).toContain('exec redis-server "$conf" --sentinel "$@"');
    // the password reaches the config from the Secret, at start-up, hex-escaped
    expect(script).toContain('auth=$(printf \'%s\' "$REDISCLI_AUTH" | od -An -v -tx1');

    // the data pods ask the sentinels; min-replicas-to-write 1 with two replicas
    const data = dataContainer(manifests);
    expect(envOf(data)).toMatchObject({ REDIS_SENTINEL_MASTER: 'news-redis', REDIS_SENTINEL_HOSTS: SENTINELS.join(',') });
    expect(envOf(data)).not.toHaveProperty('REDIS_PRIMARY_HOST');
    expect(data.command[2]).toContain('\nmin-replicas-to-write 1\nmin-replicas-max-lag 10\n');
    expect(data.command[2]).toContain('echo "replica-announce-ip $me" >> "$conf.tmp"');
    expect(data.command[2]).not.toContain('"$ordinal" = 0');

    // no write Service: the primary moves; the upgrade guard's annotations
    expect(findAll(manifests, 'Service').map(s => s.metadata.name).sort()).toEqual(['news-redis', 'news-redis-read', 'news-redis-sentinel']);
    expect(findOne(manifests, 'StatefulSet', 'news-redis').metadata.annotations).toMatchObject({
      'cdk8s-stateful/sentinel': 'news-redis-sentinel', 'cdk8s-stateful/sentinel-quorum': '2',
    });

    // attributes
    const s = store.sentinel!;
    expect(s).toBeInstanceOf(RedisSentinel);
    expect(s.masterName).toBe('news-redis');
    expect(s.sentinels).toBe(3);
    expect(s.quorum).toBe(2);
    expect(s.minReplicasToWrite).toBe(1);
    expect(s.downAfter.toMilliseconds()).toBe(10_000);
    expect(s.failoverTimeout.toMilliseconds()).toBe(60_000);
    expect(s.port).toBe(26379);
    expect(s.hosts).toEqual(SENTINELS);
    expect(s.hostsWithPort).toBe(SENTINELS.map(h => `${h}:26379`).join(','));
    expect(s.workload.name).toBe('news-redis-sentinel');
    expect(store.primaryService).toBeUndefined();
    expect(store.primaryEndpoint).toBeUndefined();
    expect(store.endpoint.hostname).toBe(store.readService.endpoint.hostname);
    expect(allWarnings(chart)).toEqual([]);
  });

  test('all props', () => {
    // GIVEN
    const chart = newsChart();
    const fast = new StorageClass(chart, 'fast', { metadata: { name: 'fast' }, provisioner: 'ebs.csi.aws.com' });

    // WHEN
    const store = redis(chart, {
      readReplicas: 3,
      storageClassName: 'standard',
      sentinel: {
        sentinels: 5,
        quorum: 4,
        downAfter: Duration.seconds(5),
        failoverTimeout: Duration.minutes(3),
        minReplicasToWrite: 2,
        resources: { cpu: { request: kplus.Cpu.millis(20) }, memory: { request: Size.mebibytes(32), limit: Size.mebibytes(48) } },
        storage: Size.mebibytes(100),
        storageClass: fast,
      },
    });

    // THEN
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const sts = findOne(manifests, 'StatefulSet', 'news-redis-sentinel');
    expect(sts.spec.replicas).toBe(5);
    expect(sts.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'fast', resources: { requests: { storage: '100Mi' } } });
    const c = sentinelContainer(manifests);
    expect(c.resources).toEqual({ limits: { memory: '48Mi' }, requests: { cpu: '20m', memory: '32Mi' } });
    expect(c.command[2]).toContain('echo "sentinel monitor $master $host $port 4"');
    expect(c.command[2]).toContain('\nsentinel down-after-milliseconds news-redis 5000\nsentinel failover-timeout news-redis 180000\n');
    expect(dataContainer(manifests).command[2]).toContain('\nmin-replicas-to-write 2\n');
    expect(store.sentinel!.hosts).toHaveLength(5);
    expect(store.sentinel!.quorum).toBe(4);
  });

  test('the sentinels\' claims take the data claims\' class unless they have their own', () => {
    const chart = newsChart();
    redis(chart, { storageClassName: 'standard' });
    const manifests = synthValid(chart);
    expect(findOne(manifests, 'StatefulSet', 'news-redis-sentinel').spec.volumeClaimTemplates[0].spec.storageClassName).toBe('standard');
  });

  test('one replica: min-replicas-to-write is off by default (the replica\'s loss would stop writes)', () => {
    const chart = newsChart();
    const store = redis(chart, { readReplicas: 1 });
    expect(store.sentinel!.minReplicasToWrite).toBe(0);
    expect(dataContainer(synthValid(chart)).command[2]).not.toContain('min-replicas-to-write');
  });

  test('without a password: no requirepass, protected mode off', () => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const chart = newsChart();
    redis(chart, { password: undefined, allowUnauthenticated: true });
    const c = sentinelContainer(synthValid(chart));
    expect(c.command[2]).toContain('\nprotected-mode no\n');
    expect(c.command[2]).not.toContain('auth-pass');
    expect(envOf(c)).not.toHaveProperty('REDISCLI_AUTH');
  });

  test('Valkey runs valkey-server --sentinel from its own image', () => {
    const chart = newsChart();
    const store = new Valkey(chart, 'news', { metadata: { name: 'news-valkey' }, password: passwordOf(chart), sentinel: {} });
    const manifests = synthValid(chart);
    const c = sentinelContainer(manifests, 'news-valkey-sentinel');
    expect(c.image).toMatch(/^docker\.io\/valkey\/valkey:/);
    expect(c.command[2]).toContain('exec valkey-server "$conf" --sentinel "$@"');
    expect(c.command[2]).toContain('timeout 3 valkey-cli -h "$s" -p 26379 sentinel master "$master"');
    expect(store.sentinel!.masterName).toBe('news-valkey');
  });

  test('Sentinel-aware clients get the sentinels and the master name through the connection', () => {
    const chart = newsChart();
    const store = redis(chart);
    const connection = new DataStoreConnection(chart, 'conn', { store, prefix: 'NEWS_CACHE' });
    const config = findOne(synthValid(chart), 'ConfigMap', 'news-cache-connection');
    expect(config.data).toMatchObject({
      NEWS_CACHE_SENTINEL_HOSTS: store.sentinel!.hostsWithPort,
      NEWS_CACHE_SENTINEL_MASTER: 'news-redis',
      NEWS_CACHE_SERVICE_HOST: store.readService.endpoint.hostname,
    });
    expect(connection.variableNames).toEqual(expect.arrayContaining(['NEWS_CACHE_SENTINEL_HOSTS', 'NEWS_CACHE_SENTINEL_MASTER']));
  });

  test('without sentinel, the connection hands out no sentinel variables', () => {
    const chart = newsChart();
    const store = redis(chart, { sentinel: undefined });
    new DataStoreConnection(chart, 'conn', { store, prefix: 'NEWS_CACHE' });
    expect(Object.keys(findOne(synthValid(chart), 'ConfigMap', 'news-cache-connection').data).filter(k => k.includes('SENTINEL'))).toEqual([]);
  });

  test('a logical backup asks the sentinels for the primary (the marker) and may dump any data pod that is a replica in sync', () => {
    const chart = newsChart();
    const store = redis(chart);
    store.addBackup('hourly', { schedule: Cron.hourly() });
    const cronJob = findOne(synthValid(chart), 'CronJob', 'news-redis-hourly');
    const c = cronJob.spec.jobTemplate.spec.template.spec.containers[0];
    expect(envOf(c)).toMatchObject({
      REDIS_SENTINEL_HOSTS: SENTINELS.join(','),
      REDIS_SENTINEL_MASTER: 'news-redis',
      REDIS_REPLICAS: [2, 1, 0].map(i => `news-redis-${i}.news-redis.news.svc.cluster.local`).join(' '),
    });
    expect(c.command[2]).toContain('sentinel get-master-addr-by-name "${REDIS_SENTINEL_MASTER}"');
    expect(c.command[2]).toContain('STORE_HOST=$primary');
  });

  test('fails when a restore is added to a set under Sentinel', () => {
    const chart = newsChart();
    const store = redis(chart);
    const other = new Redis(chart, 'other', { metadata: { name: 'other' }, password: store.credentials });
    const backup = other.addBackup('hourly', { schedule: Cron.hourly() });
    expect(() => store.addRestore('restore', { backup, dump: '20250301T023000Z' })).toThrow(
      'Redis \'test/news\': invalid \'addRestore()\': Cannot restore a logical backup into a set under Sentinel. The restore makes the primary replicate a temporary server '
      + 'holding the dump, and the sentinels would see their primary turn into a replica and fail over in the middle of it. Restore into a store without \'sentinel\' '
      + '(a new one, or this one with \'sentinel\' left out for the restore), then turn Sentinel on (docs/failover.md).');
  });

  describe('bad input', () => {
    test('fails when the quorum exceeds the sentinels', () => {
      expect(() => redis(newsChart(), { sentinel: { quorum: 4 } })).toThrow(
        'Redis \'test/news\': invalid \'sentinel.quorum\': 4. Must not exceed \'sentinel.sentinels\' (3): more sentinels than there are would have to agree the primary is down, '
        + 'so no failover would ever start. Set \'sentinel.quorum\' between 2 and 3, or leave it out (2)');
    });

    test('fails when the quorum is below a majority', () => {
      expect(() => redis(newsChart(), { sentinel: { sentinels: 5, quorum: 2 } })).toThrow(
        /^Redis 'test\/news': invalid 'sentinel.quorum': 2\. Must be at least a majority of the 5 sentinels \(3\): a minority cut off from the primary could declare it down while the others still reach it\. Set 'sentinel.quorum' between 3 and 5/);
    });

    test.each([0, 10, 2.5])('fails when sentinels is %p', n => {
      expect(() => redis(newsChart(), { sentinel: { sentinels: n } })).toThrow(/invalid 'sentinel\.sentinels'/);
    });

    test('fails when minReplicasToWrite exceeds the read replicas', () => {
      expect(() => redis(newsChart(), { readReplicas: 1, sentinel: { minReplicasToWrite: 2 } })).toThrow(
        'Redis \'test/news\': invalid \'sentinel.minReplicasToWrite\': 2. Must not exceed \'readReplicas\' (1): the primary would refuse every write. Set \'sentinel.minReplicasToWrite\' between 0 and 1');
    });

    test('fails when there is no replica to promote', () => {
      expect(() => redis(newsChart(), { readReplicas: 0 })).toThrow(
        'Redis \'test/news\': invalid \'readReplicas\': 0. Must be at least 1 with \'sentinel\': a failover promotes a replica, and without one the sentinels have nothing to promote. '
        + 'Set \'readReplicas\' to 1 or more, or leave \'sentinel\' out');
    });

    test('fails when the sentinels\' storage class is given twice', () => {
      const chart = newsChart();
      const fast = new StorageClass(chart, 'fast', { metadata: { name: 'fast' }, provisioner: 'ebs.csi.aws.com' });
      expect(() => redis(chart, { sentinel: { storageClass: fast, storageClassName: 'fast' } })).toThrow(
        /invalid 'sentinel\.storageClassName': "fast"\. Cannot be combined with 'sentinel\.storageClass'/);
    });

    test('fails when the name leaves no room for the sentinels\' StatefulSet', () => {
      expect(() => redis(newsChart(), { metadata: { name: 'a'.repeat(44) } })).toThrow(
        /invalid 'metadata\.name': "a{44}"\. Must be at most 43 characters with a sentinel/);
    });

    test('fails when downAfter is not a whole number of milliseconds', () => {
      expect(() => redis(newsChart(), { sentinel: { downAfter: Duration.millis(50) } })).toThrow(
        /invalid 'sentinel\.downAfter': "50 ms"\. Must be a whole number of milliseconds, at least 100/);
    });
  });

  describe('warning: fewer than three sentinels', () => {
    const ID = 'cdk8s-stateful:few-sentinels';

    test('is raised with 1 or 2 sentinels', () => {
      jest.spyOn(console, 'warn').mockImplementation(() => undefined);
      const chart = newsChart();
      redis(chart, { sentinel: { sentinels: 2 } });
      synthValid(chart);
      expect(allWarnings(chart)).toEqual([
        'Redis \'test/news\': warning: \'sentinel.sentinels\': 2. A failover needs the votes of a majority of the sentinels: with 2, losing one of them (its node, a rolling update) '
        + 'stops every failover, and the primary\'s loss then stops writes until it comes back. Run 3 sentinels (the default) or 5. [cdk8s-stateful:few-sentinels]',
      ]);
    });

    test('acknowledged, it is not printed, even in strict mode', () => {
      const warnings = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
      const chart = newsChart();
      const store = redis(chart, { sentinel: { sentinels: 1 } });
      Warnings.of(store).acknowledge(ID, 'a test environment on one node');
      process.env[STRICT_ENV] = 'true';
      Testing.synth(chart);
      expect(Warnings.of(chart).list()).toEqual([expect.objectContaining({ id: ID, acknowledged: true, reason: 'a test environment on one node' })]);
      expect(warnings).not.toHaveBeenCalled();
    });

    test('fails synthesis in strict mode', () => {
      const chart = newsChart();
      redis(chart, { sentinel: { sentinels: 1 } });
      process.env[STRICT_ENV] = 'true';
      expect(() => Testing.synth(chart)).toThrow(/with 1, losing the sentinel .*\[cdk8s-stateful:few-sentinels\] Strict mode/);
    });
  });
});

describe('Sentinel and TLS', () => {
  test('fails when tls is combined with sentinel, naming the prop and the way out', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'news' });
    expect(() => new Redis(chart, 'cache', {
      metadata: { name: 'cache' },
      readReplicas: 2,
      password: DataStoreCredentials.fromPasswordSecret(kplus.Secret.fromSecretName(chart, 'auth', 'cache-auth')),
      sentinel: {},
      tls: { certificate: PresetCertificate.fromCertManager({ issuer: { name: 'ca', kind: CertManagerIssuerKind.CLUSTER_ISSUER } }) },
    })).toThrow(/^Redis 'test\/cache': invalid 'tls': "set"\. Cannot be combined with 'sentinel' yet: .* Leave 'tls' out with 'sentinel' .*, or leave 'sentinel' out\.$/);
  });
});
