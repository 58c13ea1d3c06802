import { Chart, Cron, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DataStoreCredentials } from '../../src/connection/data-store';
import { DataStoreConnection } from '../../src/connection/data-store-connection';
import { Redis, RedisAppendFsync, RedisCompatibleBase, RedisCompatibleEngine, RedisEvictionPolicy, RedisVersion } from '../../src/engines/redis';
import { Valkey, ValkeyVersion } from '../../src/engines/valkey';
import { restrictedViolations } from '../../src/private/pod-security';
import { allWarnings } from '../../src/private/warnings';
import { StorageClass } from '../../src/storage/storage-class';
import { PersistentVolumeClaimRetention } from '../../src/workload/stateful-workload';
import { findOne, synthValid } from '../util/harness';

function shopChart(): Chart {
  return new Chart(Testing.app(), 'test', { namespace: 'shop' });
}

function passwordOf(chart: Chart): DataStoreCredentials {
  return DataStoreCredentials.fromPasswordSecret(kplus.Secret.fromSecretName(chart, 'auth', 'cache-auth'));
}

function containerOf(manifests: any[], name = 'cache'): any {
  return findOne(manifests, 'StatefulSet', name).spec.template.spec.containers.find((c: any) => c.name === 'valkey');
}

function configLines(container: any): string[] {
  const script: string = container.command[2];
  return script.slice(script.indexOf("<<'EOF'\n") + 8, script.indexOf('\nEOF\n')).split('\n');
}

/** Everything but the names that differ between the two servers. */
function neutral(value: unknown): string {
  return JSON.stringify(value)
    .replace(/valkey-(server|cli|config)/g, 'SERVER-$1').replace(/redis-(server|cli|config)/g, 'SERVER-$1')
    .replace(/\/etc\/(redis|valkey)\/(redis|valkey)\.(conf|sock)/g, '/etc/SERVER/SERVER.$3')
    .replace(/conf=\/etc\/(redis|valkey)\/(redis|valkey)\.conf/g, 'conf=/etc/SERVER/SERVER.conf')
    .replace(/\/etc\/(redis|valkey)/g, '/etc/SERVER')
    .replace(/"(redis|valkey)"/g, '"SERVER"')
    .replace(/\\"?(redis|valkey): /g, 'SERVER: ')
    .replace(/docker\.io\/[^"]+/g, 'IMAGE')
    // the version each states on its StatefulSet (cdk8s-stateful/engine-version)
    .replace(/"cdk8s-stateful\/engine-version":"[^"]*"/g, '"cdk8s-stateful/engine-version":"VERSION"');
}

describe('Valkey', () => {
  test('defaults', () => {
    // GIVEN
    const chart = shopChart();

    // WHEN
    const valkey = new Valkey(chart, 'cache', { metadata: { name: 'cache' }, password: passwordOf(chart) });

    // THEN
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const sts = findOne(manifests, 'StatefulSet', 'cache');
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    const spec = sts.spec.template.spec;
    expect(spec.securityContext).toMatchObject({ fsGroup: 999, runAsNonRoot: true });
    expect(restrictedViolations(spec)).toEqual([]);
    expect(spec.containers.map((c: any) => c.name)).toEqual(['valkey']);
    const c = containerOf(manifests);
    expect(c.image).toBe('docker.io/valkey/valkey:8.1.11');
    expect(c.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, readOnlyRootFilesystem: true });
    expect(c.command[2]).toContain('exec valkey-server "$conf" "$@"');
    expect(c.command[3]).toBe('valkey');
    expect(c.env).toEqual([
      { name: 'REDIS_PRIMARY_HOST', value: 'cache-0.cache.shop.svc.cluster.local' },
      { name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: 'cache-auth', key: 'password' } } },
    ]);
    expect(c.ports).toEqual([{ containerPort: 6379, name: 'redis' }]);
    expect(c.volumeMounts).toEqual(expect.arrayContaining([{ name: 'valkey-config', mountPath: '/etc/valkey' }, { name: 'data', mountPath: '/data' }]));
    expect(spec.volumes).toContainEqual({ name: 'valkey-config', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    for (const p of [c.startupProbe, c.livenessProbe, c.readinessProbe]) expect(p.exec.command[2]).toContain('valkey-cli -s /etc/valkey/valkey.sock ping');
    expect(configLines(c)).toEqual(expect.arrayContaining([
      'appendonly yes', 'appendfsync everysec', 'dir /data', `maxmemory ${192 * 1024 ** 2}`, 'maxmemory-policy noeviction', 'protected-mode yes',
      'unixsocket /etc/valkey/valkey.sock',
    ]));
    expect(findOne(manifests, 'Service', 'cache').spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(findOne(manifests, 'Service', 'cache-write').spec.selector['statefulset.kubernetes.io/pod-name']).toBe('cache-0');
    expect(findOne(manifests, 'Service', 'cache-read').spec.selector).not.toHaveProperty(['statefulset.kubernetes.io/pod-name']);
    expect(allWarnings(chart)).toEqual([]);

    // attributes
    expect(valkey).toBeInstanceOf(RedisCompatibleBase);
    expect(valkey).not.toBeInstanceOf(Redis);
    expect(valkey.version).toBe(ValkeyVersion.V8_1);
    expect(valkey.image).toBe('docker.io/valkey/valkey:8.1.11');
    expect(valkey.readReplicas).toBe(2);
    expect(valkey.maxMemoryBytes).toBe(192 * 1024 ** 2);
    expect(valkey.evictionPolicy).toBe(RedisEvictionPolicy.NO_EVICTION);
    expect(valkey.endpoint.socketAddress).toBe('cache-write.shop.svc.cluster.local:6379');
    expect(valkey.primaryEndpoint?.socketAddress).toBe('cache-0.cache.shop.svc.cluster.local:6379');
    expect(valkey.ports).toEqual([{ name: 'redis', port: 6379, protocol: 'TCP' }]);
    expect(valkey.credentials?.passwordKey).toBe('password');
    expect(valkey.storeName).toBe('cache');
  });

  test('all props', () => {
    // GIVEN
    const chart = shopChart();
    const secret = new kplus.Secret(chart, 'auth', { metadata: { name: 'cache-auth' }, stringData: { token: 'not-in-the-manifest-of-valkey' } });
    const fast = new StorageClass(chart, 'fast', { metadata: { name: 'fast' }, provisioner: 'ebs.csi.aws.com' });
    const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;

    // WHEN
    const valkey = new Valkey(chart, 'cache', {
      metadata: { name: 'sessions' },
      storeName: 'session-store',
      readReplicas: 1,
      password: DataStoreCredentials.fromPasswordSecret(secret, { passwordKey: 'token' }),
      evictionPolicy: RedisEvictionPolicy.ALLKEYS_LRU,
      maxMemoryPercent: 60,
      appendFsync: RedisAppendFsync.ALWAYS,
      version: ValkeyVersion.of('9.0.8-trixie'),
      image: { registry: 'registry.example.com:5000', repository: 'mirrors/valkey', digest },
      resources: { cpu: { request: kplus.Cpu.millis(250) }, memory: { request: Size.gibibytes(1), limit: Size.gibibytes(1) } },
      storage: Size.gibibytes(5),
      storageClass: fast,
      ordinals: { start: 1 },
      headlessService: { name: 'sessions-peers' },
      podManagementPolicy: kplus.PodManagementPolicy.ORDERED_READY,
    });

    // THEN
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const sts = findOne(manifests, 'StatefulSet', 'sessions');
    expect(sts.spec.replicas).toBe(2);
    expect(sts.spec.ordinals).toEqual({ start: 1 });
    expect(sts.spec.podManagementPolicy).toBe('OrderedReady');
    expect(sts.spec.serviceName).toBe('sessions-peers');
    const c = containerOf(manifests, 'sessions');
    expect(c.image).toBe(`registry.example.com:5000/mirrors/valkey:9.0.8-trixie@${digest}`);
    expect(c.env).toEqual([
      { name: 'REDIS_PRIMARY_HOST', value: 'sessions-1.sessions-peers.shop.svc.cluster.local' },
      { name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: 'cache-auth', key: 'token' } } },
    ]);
    expect(configLines(c)).toEqual(expect.arrayContaining([
      'appendfsync always', `maxmemory ${Math.floor(1024 ** 3 * 0.6)}`, 'maxmemory-policy allkeys-lru', 'protected-mode yes', 'repl-diskless-sync-max-replicas 1',
    ]));
    expect(c.command[2]).toContain('printf \'requirepass "%s"\\nmasterauth "%s"\\n\' "$auth" "$auth"');
    expect(sts.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'fast', resources: { requests: { storage: '5Gi' } } });
    expect(JSON.stringify(manifests.filter(m => m.kind !== 'Secret'))).not.toContain('not-in-the-manifest-of-valkey');
    expect(valkey.version.tag).toBe('9.0.8-trixie');
    expect(valkey.storeName).toBe('session-store');
    expect(valkey.credentials?.passwordKey).toBe('token');
    expect(allWarnings(chart)).toEqual([]);
  });

  test('the same StatefulSet, Services and probes as Redis but for the server\'s names and image', () => {
    const props = { metadata: { name: 'cache' }, readReplicas: 1, allowUnauthenticated: true };
    const redisChart = shopChart();
    new Redis(redisChart, 'cache', props);
    const valkeyChart = shopChart();
    new Valkey(valkeyChart, 'cache', props);
    const redis = synthValid(redisChart);
    const valkey = synthValid(valkeyChart);
    expect(valkey.map(m => `${m.kind}/${m.metadata.name}`)).toEqual(redis.map(m => `${m.kind}/${m.metadata.name}`));
    expect(neutral(valkey)).toEqual(neutral(redis));
  });

  test('a consumer wired to Valkey gets the same variables as from Redis', () => {
    const variables = (build: (chart: Chart) => RedisCompatibleBase) => {
      const chart = shopChart();
      const store = build(chart);
      const app = new kplus.Deployment(chart, 'app', { containers: [{ image: 'registry.example.com/app:1.0', securityContext: { user: 1000 } }] });
      new DataStoreConnection(chart, 'conn', { store, consumers: [app.containers[0]], metadata: { name: 'conn' } });
      return findOne(synthValid(chart), 'ConfigMap', 'conn').data;
    };
    const fromValkey = variables(chart => new Valkey(chart, 'cache', { metadata: { name: 'news-cache' }, password: passwordOf(chart) }));
    expect(fromValkey).toEqual(variables(chart => new Redis(chart, 'cache', { metadata: { name: 'news-cache' }, password: passwordOf(chart) })));
    expect(fromValkey).toMatchObject({
      NEWS_CACHE_SERVICE_HOST: 'news-cache-write.shop.svc.cluster.local',
      NEWS_CACHE_SERVICE_PORT: '6379',
      NEWS_CACHE_SERVICE_PORT_REDIS: '6379',
    });
  });

  test('logical backups: the same hook as Redis, with valkey-cli, valkey-server and valkey-check-rdb', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'news' });
    const valkey = new Valkey(chart, 'cache', { metadata: { name: 'cache' }, readReplicas: 1, password: passwordOf(chart) });
    const backup = valkey.addBackup('hourly', { schedule: Cron.hourly() });
    valkey.addRestore('restore', { backup, dump: '20250301T023000Z' });
    const manifests = synthValid(chart);
    const dump = findOne(manifests, 'CronJob', 'cache-hourly').spec.jobTemplate.spec.template.spec.containers[0];
    const restore = findOne(manifests, 'Job').spec.template.spec.containers[0];
    expect(backup.engineName).toBe('valkey');
    expect(dump.image).toBe(valkey.image);
    expect(dump.env).toContainEqual({ name: 'BACKUP_ENGINE', value: 'valkey' });
    expect(dump.env).toContainEqual({ name: 'REDIS_REPLICAS', value: 'cache-1.cache.news.svc.cluster.local' });
    expect(dump.command[2]).toContain('valkey-cli -h "$source" -p "$STORE_PORT" --rdb "$BACKUP_DIR/dump.rdb"');
    expect(dump.command[2]).toContain('valkey-check-rdb "$BACKUP_DIR/dump.rdb"');
    expect(restore.command[2]).toContain('valkey-server "$private/redis.conf" &');
    expect(`${dump.command[2]}${restore.command[2]}`).not.toMatch(/redis-(cli|server|check-rdb)/);
  });

  test('the backup warning names valkey-cli', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'news' });
    const valkey = new Valkey(chart, 'cache', { metadata: { name: 'cache' }, readReplicas: 0, password: passwordOf(chart) });
    valkey.addBackup('hourly', { schedule: Cron.hourly() });
    synthValid(chart);
    expect(allWarnings(chart)).toEqual([expect.stringMatching(/^Valkey 'test\/cache': warning: 'readReplicas': 0. The backup 'hourly' dumps the primary, as there is no replica: `valkey-cli --rdb` makes the primary fork/)]);
  });

  test('the primary claim deletion warning names Valkey', () => {
    const chart = shopChart();
    new Valkey(chart, 'cache', {
      metadata: { name: 'cache' }, password: passwordOf(chart), persistentVolumeClaimRetentionPolicy: { whenDeleted: PersistentVolumeClaimRetention.DELETE },
    });
    expect(allWarnings(chart)).toEqual([expect.stringMatching(
      /^Valkey 'test\/cache': warning: 'persistentVolumeClaimRetentionPolicy.whenDeleted': "Delete"\. .* \[cdk8s-stateful:redis-primary-claim-deletion\]$/)]);
  });

  test('resources are merged over the defaults field by field, as for Redis: only a memory size keeps the CPU request', () => {
    const chart = shopChart();
    new Valkey(chart, 'cache', { metadata: { name: 'cache' }, password: passwordOf(chart), resources: { memory: { limit: Size.mebibytes(512) } } });
    expect(containerOf(synthValid(chart)).resources).toEqual({ limits: { memory: '512Mi' }, requests: { cpu: '100m', memory: '512Mi' } });
  });

  describe('ValkeyVersion', () => {
    test.each([
      [ValkeyVersion.V8_0, '8.0.12'],
      [ValkeyVersion.V8_1, '8.1.11'],
      [ValkeyVersion.V9_0, '9.0.8'],
      [ValkeyVersion.of('7.2.15'), '7.2.15'],
      [ValkeyVersion.of('8.1'), '8.1'],
      [ValkeyVersion.of('9.1.4-trixie'), '9.1.4-trixie'],
      [ValkeyVersion.of('10.0.0'), '10.0.0'],
    ])('%p has tag %p', (version, tag) => {
      expect(version.tag).toBe(tag);
    });

    test.each([
      ['7.0.15', 'ValkeyVersion: invalid \'tag\': "7.0.15". Must be 7.2 or later: Valkey\'s first release is 7.2.4. Use ValkeyVersion.V8_1, or the tag of a Valkey release.'],
      ['6.2.14', 'ValkeyVersion: invalid \'tag\': "6.2.14". Must be 7.2 or later: Valkey\'s first release is 7.2.4. Use ValkeyVersion.V8_1, or the tag of a Valkey release.'],
      ['latest', 'ValkeyVersion: invalid \'tag\': "latest". Must be a version tag of the valkey/valkey image, e.g. "8.1.11" or "8.1.11-trixie". '
        + 'Pass the tag without the image name, or use ValkeyVersion.V8_1.'],
      ['valkey/valkey:8.1.11', 'ValkeyVersion: invalid \'tag\': "valkey/valkey:8.1.11". Must be a version tag of the valkey/valkey image'],
      ['8.1.11@sha256:abc', 'ValkeyVersion: invalid \'tag\': "8.1.11@sha256:abc". Must be a version tag of the valkey/valkey image'],
      ['8.1.11-alpine', 'ValkeyVersion: invalid \'tag\': "8.1.11-alpine". Must be a Debian variant: the preset runs as uid and gid 999, '
        + 'the Debian images\' valkey user. Drop the "-alpine" suffix, or use the "-trixie" variant.'],
    ])('fails when the tag is %p', (tag, error) => {
      expect(() => ValkeyVersion.of(tag)).toThrow(error);
    });
  });

  describe('RedisCompatibleEngine', () => {
    test('the engine object names the server, its image repository and tag', () => {
      const valkey = RedisCompatibleEngine.valkey(ValkeyVersion.V9_0);
      expect([valkey.name, valkey.repository, valkey.tag]).toEqual(['Valkey', 'valkey/valkey', '9.0.8']);
      const redis = RedisCompatibleEngine.redis(RedisVersion.V7_4);
      expect([redis.name, redis.repository, redis.tag]).toEqual(['Redis', 'library/redis', '7.4.11']);
    });

    test('a preset of one\'s own on the base: the engine object decides the server', () => {
      class Cache extends RedisCompatibleBase {
        constructor(scope: Chart, id: string) {
          super(scope, id, { metadata: { name: 'cache' }, readReplicas: 0, allowUnauthenticated: true }, RedisCompatibleEngine.valkey(ValkeyVersion.V8_0));
        }
      }
      const chart = shopChart();
      const cache = new Cache(chart, 'cache');
      expect(cache.image).toBe('docker.io/valkey/valkey:8.0.12');
      expect(containerOf(synthValid(chart)).command[2]).toContain('exec valkey-server');
    });
  });

  describe('errors', () => {
    const cases: Array<[string, (chart: Chart) => void, RegExp]> = [
      ['replicas is set', chart => new Valkey(chart, 'cache', { replicas: 3 }),
        /^Valkey 'test\/cache': invalid 'replicas': 3. Valkey counts read replicas besides the primary.*Set 'readReplicas' instead, e.g. readReplicas: 2 for 3 pods\.$/],
      ['the password has a username', chart => new Valkey(chart, 'cache', {
        password: DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(chart, 's', 'auth')),
      }), /^Valkey 'test\/cache': invalid 'password': credentials with a username \(key "username"\). Must be a password only: Valkey ACL users are not supported/],
      ['a governing Service is given', chart => new Valkey(chart, 'cache', {
        governingService: new kplus.Service(chart, 'svc', { clusterIP: 'None', ports: [{ port: 6379 }] }),
      }), /^Valkey 'test\/cache': invalid 'governingService': .*Valkey creates its own headless Service/],
      ['the digest is malformed', chart => new Valkey(chart, 'cache', { password: passwordOf(chart), image: { digest: 'sha256:abc' } }),
        /^Valkey 'test\/cache': invalid 'image.digest': "sha256:abc". Must be a sha256 digest/],
      ['neither a password nor allowUnauthenticated is given', chart => new Valkey(chart, 'cache', { metadata: { name: 'cache' } }),
        /^Valkey 'test\/cache': invalid 'password': "unset". Must be set, or authentication turned off explicitly with 'allowUnauthenticated: true': a Valkey without a password serves every pod in the cluster\./],
    ];
    test.each(cases)('fails when %s', (_name, build, error) => {
      expect(() => build(shopChart())).toThrow(error);
    });
  });
});

test('a Valkey without a password (allowUnauthenticated) warns unauthenticated-store, naming Valkey', () => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  const chart = shopChart();
  new Valkey(chart, 'cache', { metadata: { name: 'cache' }, allowUnauthenticated: true });
  Testing.synth(chart);
  expect(allWarnings(chart)).toEqual([expect.stringMatching(
    /^Valkey 'test\/cache': warning: 'allowUnauthenticated': true\. Valkey "shop\/cache" serves clients that present no credentials, .* \[cdk8s-stateful:unauthenticated-store\]$/)]);
  jest.restoreAllMocks();
});
