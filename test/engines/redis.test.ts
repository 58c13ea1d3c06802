import { Chart, Cron, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Warnings } from '../../src/app/warnings';
import { DataStoreCredentials } from '../../src/connection/data-store';
import { CertManagerIssuerKind, PresetCertificate } from '../../src/engines/preset-tls';
import { Redis, RedisAppendFsync, RedisEvictionPolicy, RedisVersion } from '../../src/engines/redis';
import { declareIngressIsolation } from '../../src/private/app-index';
import { restrictedViolations } from '../../src/private/pod-security';
import { allWarnings, STRICT_ENV } from '../../src/private/warnings';
import { StorageClass } from '../../src/storage/storage-class';
import { PersistentVolumeClaimRetention } from '../../src/workload/stateful-workload';
import { findAll, findOne, synthValid } from '../util/harness';

function shopChart(): Chart {
  return new Chart(Testing.app(), 'test', { namespace: 'shop' });
}

function passwordOf(chart: Chart, secretName = 'cache-auth'): DataStoreCredentials {
  return DataStoreCredentials.fromPasswordSecret(kplus.Secret.fromSecretName(chart, secretName, secretName));
}

function containerOf(manifests: any[], name = 'cache'): any {
  return findOne(manifests, 'StatefulSet', name).spec.template.spec.containers.find((c: any) => c.name === 'redis');
}

function configLines(container: any): string[] {
  const script: string = container.command[2];
  return script.slice(script.indexOf("<<'EOF'\n") + 8, script.indexOf('\nEOF\n')).split('\n');
}

describe('Redis', () => {
  test('defaults', () => {
    // GIVEN
    const chart = shopChart();

    // WHEN
    const redis = new Redis(chart, 'cache', { password: passwordOf(chart), metadata: { name: 'cache' } });

    // THEN
    const manifests = synthValid(chart);
    expect(manifests).toMatchSnapshot();
    const sts = findOne(manifests, 'StatefulSet', 'cache');
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(sts.spec.serviceName).toBe('cache');
    const spec = sts.spec.template.spec;
    expect(spec.securityContext).toMatchObject({ fsGroup: 999, runAsNonRoot: true });
    expect(restrictedViolations(spec)).toEqual([]);
    const c = containerOf(manifests);
    expect(c.image).toBe('docker.io/library/redis:7.2.16');
    expect(c.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, readOnlyRootFilesystem: true });
    expect(c.resources).toEqual({ limits: { memory: '256Mi' }, requests: { cpu: '100m', memory: '256Mi' } });
    expect(c.env).toEqual([
      { name: 'REDIS_PRIMARY_HOST', value: 'cache-0.cache.shop.svc.cluster.local' },
      { name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: 'cache-auth', key: 'password' } } },
    ]);
    expect(c.ports).toEqual([{ containerPort: 6379, name: 'redis' }]);
    expect(c.volumeMounts).toEqual(expect.arrayContaining([{ name: 'redis-config', mountPath: '/etc/redis' }, { name: 'data', mountPath: '/data' }]));
    expect(spec.volumes).toContainEqual({ name: 'redis-config', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    for (const p of [c.startupProbe, c.livenessProbe, c.readinessProbe]) expect(p.exec.command[2]).toContain('redis-cli -s /etc/redis/redis.sock ping');
    expect(configLines(c)).toEqual(expect.arrayContaining([
      'appendonly yes', 'appendfsync everysec', 'dir /data', `maxmemory ${192 * 1024 ** 2}`, 'maxmemory-policy noeviction', 'protected-mode yes',
    ]));
    expect(sts.spec.volumeClaimTemplates).toHaveLength(1);
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('1Gi');
    expect(findOne(manifests, 'Service', 'cache').spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(allWarnings(chart)).toEqual([]);

    // attributes
    expect(redis.readReplicas).toBe(2);
    expect(redis.maxMemoryBytes).toBe(192 * 1024 ** 2);
    expect(redis.evictionPolicy).toBe(RedisEvictionPolicy.NO_EVICTION);
    expect(redis.image).toBe('docker.io/library/redis:7.2.16');
    expect(redis.version).toBe(RedisVersion.V7_2);
    expect(redis.credentials?.passwordKey).toBe('password');
    expect(redis.credentials?.usernameKey).toBeUndefined();
    expect(redis.storeName).toBe('cache');
    expect(redis.workload.name).toBe('cache');
  });

  test('a write Service reaching only the primary, a read Service reaching every pod; the endpoint is the write Service', () => {
    const chart = shopChart();
    const redis = new Redis(chart, 'cache', { password: passwordOf(chart), metadata: { name: 'cache' } });
    const manifests = synthValid(chart);

    const write = findOne(manifests, 'Service', 'cache-write');
    expect(write.spec.selector).toEqual({
      'app.kubernetes.io/name': 'cache', 'app.kubernetes.io/instance': 'cache', 'statefulset.kubernetes.io/pod-name': 'cache-0',
    });
    expect(write.spec.ports).toEqual([{ name: 'redis', port: 6379, targetPort: 'redis', protocol: 'TCP' }]);
    const read = findOne(manifests, 'Service', 'cache-read');
    expect(read.spec.selector).toEqual({ 'app.kubernetes.io/name': 'cache', 'app.kubernetes.io/instance': 'cache' });
    expect(read.spec.ports).toEqual([{ name: 'redis', port: 6379, targetPort: 'redis', protocol: 'TCP' }]);

    expect(redis.primaryService!.name).toBe('cache-write');
    expect(redis.readService.name).toBe('cache-read');
    expect(redis.endpoint.socketAddress).toBe('cache-write.shop.svc.cluster.local:6379');
    expect(redis.readService.endpoint.socketAddress).toBe('cache-read.shop.svc.cluster.local:6379');
    expect(redis.primaryEndpoint?.socketAddress).toBe('cache-0.cache.shop.svc.cluster.local:6379');
    expect(redis.ports).toEqual([{ name: 'redis', port: 6379, protocol: 'TCP' }]);
  });

  test('all props', () => {
    // GIVEN
    const chart = shopChart();
    const secret = new kplus.Secret(chart, 'auth', { metadata: { name: 'cache-auth' }, stringData: { token: 'not-in-the-manifest-of-redis' } });
    const fast = new StorageClass(chart, 'fast', { metadata: { name: 'fast' }, provisioner: 'ebs.csi.aws.com' });

    // WHEN
    const redis = new Redis(chart, 'cache', {
      metadata: { name: 'sessions' },
      storeName: 'session-store',
      readReplicas: 1,
      password: DataStoreCredentials.fromPasswordSecret(secret, { passwordKey: 'token' }),
      evictionPolicy: RedisEvictionPolicy.ALLKEYS_LFU,
      maxMemoryPercent: 50,
      appendFsync: RedisAppendFsync.ALWAYS,
      version: RedisVersion.of('7.4.11-bookworm'),
      image: { registry: 'mirror.gcr.io', repository: 'library/redis', digest: `sha256:${'a1'.repeat(32)}` },
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
    expect(c.image).toBe(`mirror.gcr.io/library/redis:7.4.11-bookworm@sha256:${'a1'.repeat(32)}`);
    expect(redis.version.tag).toBe('7.4.11-bookworm');
    expect(allWarnings(chart)).toEqual([]);
    expect(c.env).toEqual([
      { name: 'REDIS_PRIMARY_HOST', value: 'sessions-1.sessions-peers.shop.svc.cluster.local' },
      { name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: 'cache-auth', key: 'token' } } },
    ]);
    expect(c.command[2]).toContain('if [ "$ordinal" = 1 ]; then');
    expect(configLines(c)).toEqual(expect.arrayContaining([
      'appendfsync always', `maxmemory ${512 * 1024 ** 2}`, 'maxmemory-policy allkeys-lfu', 'protected-mode yes', 'repl-diskless-sync-max-replicas 1',
    ]));
    expect(sts.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'fast', resources: { requests: { storage: '5Gi' } } });
    expect(findOne(manifests, 'Service', 'sessions-write').spec.selector['statefulset.kubernetes.io/pod-name']).toBe('sessions-1');
    expect(redis.storeName).toBe('session-store');
    expect(redis.primaryEndpoint?.hostname).toBe('sessions-1.sessions-peers.shop.svc.cluster.local');
    expect(redis.credentials?.passwordKey).toBe('token');
    expect(redis.maxMemoryBytes).toBe(512 * 1024 ** 2);
    expect(redis.evictionPolicy).toBe(RedisEvictionPolicy.ALLKEYS_LFU);
  });

  test('the password is not in the rendered YAML: only a reference to the Secret', () => {
    const chart = shopChart();
    new Redis(chart, 'cache', { metadata: { name: 'cache' }, password: passwordOf(chart) });
    const manifests = synthValid(chart);
    const c = containerOf(manifests);
    expect(c.env).toContainEqual({ name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: 'cache-auth', key: 'password' } } });
    expect(c.command[2]).not.toMatch(/requirepass [^"]/);
    expect(JSON.stringify(c.args ?? [])).not.toContain('requirepass');
  });

  test('readReplicas 0 runs a single primary', () => {
    const chart = shopChart();
    new Redis(chart, 'cache', { password: passwordOf(chart), metadata: { name: 'cache' }, readReplicas: 0 });
    const manifests = synthValid(chart);
    expect(findOne(manifests, 'StatefulSet', 'cache').spec.replicas).toBe(1);
    expect(findAll(manifests, 'PodDisruptionBudget')).toEqual([]);
    expect(configLines(containerOf(manifests))).toContain('repl-diskless-sync-max-replicas 0');
  });

  test('storageClassName and the default memory limit from resources', () => {
    const chart = shopChart();
    const redis = new Redis(chart, 'cache', {
      password: passwordOf(chart),
      metadata: { name: 'cache' },
      storageClassName: 'standard',
      resources: { memory: { limit: Size.mebibytes(100) } },
    });
    const manifests = synthValid(chart);
    expect(findOne(manifests, 'StatefulSet', 'cache').spec.volumeClaimTemplates[0].spec.storageClassName).toBe('standard');
    expect(redis.maxMemoryBytes).toBe(Math.floor(100 * 1024 ** 2 * 0.75));
  });

  test('resources are merged over the defaults field by field: only a memory size keeps the CPU request', () => {
    // GIVEN the README's snippet: memory only
    const chart = shopChart();

    // WHEN
    const redis = new Redis(chart, 'cache', { metadata: { name: 'cache' }, password: passwordOf(chart), resources: { memory: { request: Size.mebibytes(512), limit: Size.mebibytes(512) } } });
    new Redis(chart, 'other', { metadata: { name: 'other' }, password: passwordOf(chart, 'other-auth'), resources: { memory: { request: Size.mebibytes(128) } } });

    // THEN
    const manifests = synthValid(chart);
    expect(containerOf(manifests).resources).toEqual({ limits: { memory: '512Mi' }, requests: { cpu: '100m', memory: '512Mi' } });
    expect(redis.maxMemoryBytes).toBe(384 * 1024 ** 2);
    // a memory request without a limit is the limit too
    expect(containerOf(manifests, 'other').resources).toEqual({ limits: { memory: '128Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
  });

  test('without a namespace, the primary host is the short pod name', () => {
    const chart = Testing.chart();
    const redis = new Redis(chart, 'cache', { password: passwordOf(chart), metadata: { name: 'cache' } });
    expect(containerOf(synthValid(chart)).env[0]).toEqual({ name: 'REDIS_PRIMARY_HOST', value: 'cache-0.cache' });
    expect(redis.primaryEndpoint?.hostname).toBe('cache-0.cache');
  });

  describe('RedisVersion', () => {
    test.each([
      [RedisVersion.V7_2, '7.2.16'],
      [RedisVersion.V7_4, '7.4.11'],
      [RedisVersion.V8_2, '8.2.10'],
      [RedisVersion.V7_0, '7.0.15'],
      [RedisVersion.of('7.4.1'), '7.4.1'],
      [RedisVersion.of('7.2'), '7.2'],
      [RedisVersion.of('8.0.2-bookworm'), '8.0.2-bookworm'],
      [RedisVersion.of('10.0.1'), '10.0.1'],
      [RedisVersion.of('7.10.2'), '7.10.2'],
    ])('%p has tag %p', (version, tag) => {
      expect(version.tag).toBe(tag);
    });

    test.each([
      ['6.2.14', /RedisVersion: invalid 'tag': "6.2.14". Must be 7.0 or later/],
      ['latest', /RedisVersion: invalid 'tag': "latest". Must be a version tag of the official image/],
      ['redis:7.2.5', /Must be a version tag/],
      ['7.2.5-alpine', /RedisVersion: invalid 'tag': "7.2.5-alpine". Must be a Debian variant/],
      ['7.2.5@sha256', /RedisVersion: invalid 'tag': "7.2.5@sha256". Must be a version tag/],
    ])('fails when the tag is %p', (tag, error) => {
      expect(() => RedisVersion.of(tag)).toThrow(error);
    });
  });

  test.each([
    ['redis:7.2.5', /\. Pass the tag without the image name, or use RedisVersion\.V7_2\.$/],
    ['6.2.14', /\. Use RedisVersion\.V7_2, or a 7\.x tag\.$/],
    ['7.2.5-alpine', /\. Drop the "-alpine" suffix\.$/],
  ])('the error for tag %p says what to do', (tag, fix) => {
    expect(() => RedisVersion.of(tag)).toThrow(fix);
  });

  describe('errors', () => {
    const cases: Array<[string, (chart: Chart) => void, RegExp]> = [
      ['replicas is set', chart => new Redis(chart, 'cache', { password: passwordOf(chart), replicas: 3 }),
        /^Redis 'test\/cache': invalid 'replicas': 3. Redis counts read replicas besides the primary.*Set 'readReplicas' instead, e.g. readReplicas: 2 for 3 pods\.$/],
      ['readReplicas is negative', chart => new Redis(chart, 'cache', { password: passwordOf(chart), readReplicas: -1 }), /^Redis 'test\/cache': invalid 'readReplicas': -1/],
      ['readReplicas is not an integer', chart => new Redis(chart, 'cache', { password: passwordOf(chart), readReplicas: 1.5 }), /invalid 'readReplicas': 1.5/],
      ['the password has a username', chart => new Redis(chart, 'cache', {
        password: DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(chart, 's', 'auth')),
      }), /^Redis 'test\/cache': invalid 'password': credentials with a username \(key "username"\). Must be a password only.*fromPasswordSecret/],
      ['the memory limit is too small', chart => new Redis(chart, 'cache', { password: passwordOf(chart), resources: { memory: { limit: Size.mebibytes(32) } } }),
        /^Redis 'test\/cache': invalid 'resources.memory.limit': 33554432. Must be at least 64Mi/],
      ['maxMemoryPercent is out of range', chart => new Redis(chart, 'cache', { password: passwordOf(chart), maxMemoryPercent: 95 }),
        /^Redis 'test\/cache': invalid 'maxMemoryPercent': 95/],
      ['a governing Service is given', chart => new Redis(chart, 'cache', {
        password: passwordOf(chart),
        governingService: new kplus.Service(chart, 'svc', { clusterIP: 'None', ports: [{ port: 6379 }] }),
      }), /^Redis 'test\/cache': invalid 'governingService': .*Redis creates its own headless Service/],
      ['publishNotReadyAddresses is false', chart => new Redis(chart, 'cache', { password: passwordOf(chart), headlessService: { publishNotReadyAddresses: false } }),
        /^Redis 'test\/cache': invalid 'headlessService.publishNotReadyAddresses': false. Must be true/],
      ['storageClass and storageClassName are both set', chart => new Redis(chart, 'cache', {
        password: passwordOf(chart),
        storageClassName: 'a',
        storageClass: StorageClass.fromStorageClassName(chart, 'sc', 'b'),
      }), /^Redis 'test\/cache': invalid 'storageClassName': "a". Cannot be combined with 'storageClass'/],
      ['the image registry is invalid', chart => new Redis(chart, 'cache', { password: passwordOf(chart), image: { registry: 'https://mirror' } }),
        /^Redis 'test\/cache': invalid 'image.registry': "https:\/\/mirror"/],
      ['the name is too long', chart => new Redis(chart, 'cache', { password: passwordOf(chart), metadata: { name: 'a'.repeat(53) } }), /invalid 'metadata.name'/],
      ['neither a password nor allowUnauthenticated is given', chart => new Redis(chart, 'cache', { metadata: { name: 'cache' } }),
        /^Redis 'test\/cache': invalid 'password': "unset". Must be set, or authentication turned off explicitly with 'allowUnauthenticated: true': a Redis without a password serves every pod in the cluster. Set 'password' to DataStoreCredentials.fromPasswordSecret\(secret\) with a Secret holding the password, or set 'allowUnauthenticated: true' for a store your own NetworkPolicy isolates\.$/],
      ['allowUnauthenticated is false and no password is given', chart => new Redis(chart, 'cache', { allowUnauthenticated: false }),
        /^Redis 'test\/cache': invalid 'password': "unset". Must be set/],
      ['a password and allowUnauthenticated are both given', chart => new Redis(chart, 'cache', { password: passwordOf(chart), allowUnauthenticated: true }),
        /^Redis 'test\/cache': invalid 'allowUnauthenticated': true. Cannot be combined with 'password': a Redis with a password refuses clients without it. Leave 'allowUnauthenticated' out\.$/],
    ];
    test.each(cases)('fails when %s', (_name, build, error) => {
      expect(() => build(shopChart())).toThrow(error);
    });

    const fixes: Array<[string, (chart: Chart) => void, RegExp]> = [
      ['governingService', chart => new Redis(chart, 'cache', {
        password: passwordOf(chart),
        governingService: new kplus.Service(chart, 'svc', { clusterIP: 'None', ports: [{ port: 6379 }] }),
      }), /\. Leave 'governingService' out; name the headless Service with 'headlessService.name'\.$/],
      ['publishNotReadyAddresses', chart => new Redis(chart, 'cache', { password: passwordOf(chart), headlessService: { publishNotReadyAddresses: false } }),
        /\. Leave 'publishNotReadyAddresses' out\.$/],
      ['storageClassName', chart => new Redis(chart, 'cache', {
        password: passwordOf(chart),
        storageClassName: 'a',
        storageClass: StorageClass.fromStorageClassName(chart, 'sc', 'b'),
      }), /Cannot be combined with 'storageClass'\. Set one of the two\.$/],
    ];
    test.each(fixes)('the error for %s says what to do', (_name, build, fix) => {
      expect(() => build(shopChart())).toThrow(fix);
    });
  });

  describe('warning: the primary\'s claim deleted with the StatefulSet', () => {
    test.each([
      ['whenDeleted', { whenDeleted: PersistentVolumeClaimRetention.DELETE }, 'Deleting the StatefulSet deletes'],
      ['whenScaled', { whenScaled: PersistentVolumeClaimRetention.DELETE }, 'Deleting the StatefulSet or scaling it to 0 deletes'],
    ])('%s Delete warns redis-primary-claim-deletion', (prop, policy, text) => {
      const chart = shopChart();
      new Redis(chart, 'cache', { password: passwordOf(chart), metadata: { name: 'cache' }, persistentVolumeClaimRetentionPolicy: policy });
      const warnings = allWarnings(chart);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/ \[cdk8s-stateful:redis-primary-claim-deletion\]$/);
      expect(warnings[0]).toContain(`Redis 'test/cache': warning: 'persistentVolumeClaimRetentionPolicy.${prop}': "Delete"`);
      expect(warnings[0]).toContain(text);
      expect(warnings[0]).toContain('the replicas resync to it, dropping their copies too');
      expect(warnings[0]).toContain("Leave 'persistentVolumeClaimRetentionPolicy' out (Retain).");
    });

    test('Retain does not warn', () => {
      const chart = shopChart();
      new Redis(chart, 'cache', {
        password: passwordOf(chart),
        metadata: { name: 'cache' },
        persistentVolumeClaimRetentionPolicy: {
          whenDeleted: PersistentVolumeClaimRetention.RETAIN,
          whenScaled: PersistentVolumeClaimRetention.RETAIN,
        },
      });
      expect(allWarnings(chart)).toEqual([]);
    });
  });
  describe('logical backups (the engine hook)', () => {
    const specOf = (o: any) => (o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec);
    const envOf = (o: any) => Object.fromEntries(specOf(o).containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

    test('the backup dumps a replica in sync, the highest ordinal first, authenticated as the preset\'s pods are', () => {
      const chart = shopChart();
      const redis = new Redis(chart, 'cache', { metadata: { name: 'cache' }, readReplicas: 2, password: passwordOf(chart) });
      redis.addBackup('hourly', { schedule: Cron.hourly() });
      const manifests = synthValid(chart);
      const cronJob = findOne(manifests, 'CronJob', 'cache-hourly');
      expect(envOf(cronJob)).toMatchObject({
        REDIS_REPLICAS: 'cache-2.cache.shop.svc.cluster.local cache-1.cache.shop.svc.cluster.local',
        REDISCLI_AUTH: { secretKeyRef: { name: 'cache-auth', key: 'password' } },
      });
      const c = specOf(cronJob).containers[0];
      expect(c.image).toBe(redis.image);
      expect(c.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999 });
      expect(c.command[2]).toContain('redis-cli -h "$source" -p "$STORE_PORT" --rdb "$BACKUP_DIR/dump.rdb"');
      // the store's primary pod for the marker, by the connection
      expect(findOne(manifests, 'ConfigMap', 'cache-hourly-connection').data.CACHE_SERVICE_HOST).toBe('cache-0.cache.shop.svc.cluster.local');
      expect(allWarnings(chart)).toEqual([]);
    });

    test('without a password, no REDISCLI_AUTH', () => {
      const chart = shopChart();
      const redis = new Redis(chart, 'cache', { metadata: { name: 'cache' }, readReplicas: 1, allowUnauthenticated: true });
      Warnings.of(chart).acknowledge('cdk8s-stateful:unauthenticated-store', 'isolated by a NetworkPolicy of its own');
      redis.addBackup('hourly', { schedule: Cron.hourly() });
      const env = envOf(findOne(synthValid(chart), 'CronJob'));
      expect(env.REDISCLI_AUTH).toBeUndefined();
      expect(env.REDIS_REPLICAS).toBe('cache-1.cache.shop.svc.cluster.local');
    });

    test('the restore: the pod\'s IP for the temporary primary, and the store\'s memory, as it holds the whole data set', () => {
      const chart = shopChart();
      const redis = new Redis(chart, 'cache', {
        metadata: { name: 'cache' },
        password: passwordOf(chart),
        resources: { memory: { limit: Size.gibibytes(2) } },
      });
      const backup = redis.addBackup('hourly', { schedule: Cron.hourly() });
      redis.addRestore('restore', { backup, dump: '20250301T023000Z', replaceExisting: true });
      const job = findOne(synthValid(chart), 'Job');
      expect(envOf(job)).toMatchObject({
        POD_IP: { fieldRef: { fieldPath: 'status.podIP' } },
        REDISCLI_AUTH: { secretKeyRef: { name: 'cache-auth', key: 'password' } },
        RESTORE_REPLACE_EXISTING: 'true',
      });
      expect(specOf(job).containers[0].resources).toEqual({ limits: { memory: '2Gi' }, requests: { cpu: '100m', memory: '2Gi' } });
      expect(specOf(job).containers[0].command[2]).toContain('cli "$target" replicaof "$ip" "$STORE_PORT"');
    });

    describe('warning: a backup of a set without replicas dumps the primary', () => {
      test('readReplicas 0 with a backup warns redis-backup-from-primary', () => {
        const chart = shopChart();
        const redis = new Redis(chart, 'cache', { metadata: { name: 'cache' }, readReplicas: 0, password: passwordOf(chart) });
        redis.addBackup('hourly', { schedule: Cron.hourly() });
        synthValid(chart);
        expect(allWarnings(chart)).toEqual([
          'Redis \'test/cache\': warning: \'readReplicas\': 0. The backup \'hourly\' dumps the primary, as there is no replica: `redis-cli --rdb` makes the primary fork, '
          + 'and every page it writes while the dump streams is copied (up to the data set\'s size again, within the container\'s memory limit). '
          + 'Add a read replica to back up from (readReplicas: 1), or acknowledge the warning where the primary has the memory to spare. [cdk8s-stateful:redis-backup-from-primary]',
        ]);
        expect(Object.keys(envOf(findOne(synthValid(chart), 'CronJob')))).not.toContain('REDIS_REPLICAS');
      });

      test('no backup, or a restore only, does not warn', () => {
        const chart = shopChart();
        const redis = new Redis(chart, 'cache', { metadata: { name: 'cache' }, readReplicas: 0, password: passwordOf(chart) });
        const other = new Redis(chart, 'other', { metadata: { name: 'other' }, password: passwordOf(chart, 'other-auth') });
        redis.addRestore('restore', { backup: other.addBackup('hourly', { schedule: Cron.hourly() }), dump: '20250301T023000Z' });
        synthValid(chart);
        expect(allWarnings(chart)).toEqual([]);
      });

      test('acknowledged, it is not printed', () => {
        const chart = shopChart();
        const redis = new Redis(chart, 'cache', { metadata: { name: 'cache' }, readReplicas: 0, password: passwordOf(chart) });
        redis.addBackup('hourly', { schedule: Cron.hourly() });
        Warnings.of(redis).acknowledge('cdk8s-stateful:redis-backup-from-primary', 'a cache of 100Mi, forks are cheap');
        synthValid(chart);
        expect(Warnings.of(chart).list()).toEqual([expect.objectContaining({ id: 'cdk8s-stateful:redis-backup-from-primary', acknowledged: true })]);
      });
    });
  });
});

describe('Redis without a password: allowUnauthenticated', () => {
  const ID = 'cdk8s-stateful:unauthenticated-store';
  const MESSAGE = "Redis 'test/cache': warning: 'allowUnauthenticated': true. Redis \"shop/cache\" serves clients that present no credentials, "
    + 'and nothing limits which pods can connect to it: any pod in the cluster can read, change or delete its data. '
    + "Set 'password' to DataStoreCredentials.fromPasswordSecret(secret) instead (requirepass); or admit only the pods wired to it with "
    + 'NetworkPolicies.enable() on the store or its chart '
    + `(or acknowledge this warning, saying how the store is isolated). [${ID}]`;

  beforeEach(() => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    delete process.env[STRICT_ENV];
    jest.restoreAllMocks();
  });

  function open(chart: Chart): Redis {
    return new Redis(chart, 'cache', { metadata: { name: 'cache' }, allowUnauthenticated: true });
  }

  test('renders no password and protected mode off: replicas and clients from other pods are served', () => {
    const chart = shopChart();
    const redis = open(chart);
    const manifests = synthValid(chart);
    const c = containerOf(manifests);
    expect(c.env).toEqual([{ name: 'REDIS_PRIMARY_HOST', value: 'cache-0.cache.shop.svc.cluster.local' }]);
    expect(configLines(c)).toContain('protected-mode no');
    expect(c.command[2]).not.toContain('requirepass');
    expect(redis.credentials).toBeUndefined();
  });

  test('warns unauthenticated-store once, on the preset, naming the store and both fixes', () => {
    const chart = shopChart();
    open(chart);
    Testing.synth(chart);
    expect(Warnings.of(chart).list()).toEqual([{
      id: ID, message: MESSAGE, path: 'test/cache', acknowledged: false, reason: undefined, acknowledgedBy: undefined,
    }]);
    expect(console.warn).toHaveBeenCalledWith(`[WARNING] ${MESSAGE}`);
  });

  test('an acknowledgement with a reason silences it', () => {
    const chart = shopChart();
    const redis = open(chart);
    Warnings.of(redis).acknowledge(ID, 'the NetworkPolicy cache admits only news-manager');
    process.env[STRICT_ENV] = 'true';
    Testing.synth(chart);
    expect(Warnings.of(chart).list()).toEqual([expect.objectContaining({
      id: ID, acknowledged: true, reason: 'the NetworkPolicy cache admits only news-manager', acknowledgedBy: 'test/cache',
    })]);
    expect(console.warn).not.toHaveBeenCalled();
  });

  test('fails synthesis in strict mode', () => {
    const chart = shopChart();
    open(chart);
    process.env[STRICT_ENV] = 'true';
    expect(() => Testing.synth(chart)).toThrow(`[test/cache] ${MESSAGE} Strict mode`);
  });

  test('is not raised when the store\'s ingress is isolated to its wired pods (the app-wide fact)', () => {
    const chart = shopChart();
    const redis = open(chart);
    let asked = 0;
    declareIngressIsolation(redis.workload, () => {
      asked++;
      return true;
    });
    process.env[STRICT_ENV] = 'true';
    Testing.synth(chart);
    expect(Warnings.of(chart).list()).toEqual([]);
    expect(asked).toBe(1);
  });

  test('is raised when the isolation decided for the store says no', () => {
    const chart = shopChart();
    const redis = open(chart);
    declareIngressIsolation(redis.workload, () => false);
    Testing.synth(chart);
    expect(Warnings.of(chart).list().map(w => w.id)).toEqual([ID]);
  });

  test('a Redis with a password does not warn', () => {
    const chart = shopChart();
    new Redis(chart, 'cache', { metadata: { name: 'cache' }, password: passwordOf(chart) });
    Testing.synth(chart);
    expect(Warnings.of(chart).list()).toEqual([]);
  });
});

describe('Redis TLS', () => {
  const tls = () => ({ certificate: PresetCertificate.fromCertManager({ issuer: { name: 'ca', kind: CertManagerIssuerKind.CLUSTER_ISSUER } }) });

  test('TLS on the client port, the plain port off, replication over TLS; the probes keep the Unix socket', () => {
    // GIVEN
    const chart = shopChart();

    // WHEN
    new Redis(chart, 'cache', { metadata: { name: 'cache' }, password: passwordOf(chart), readReplicas: 1, tls: tls() });
    const manifests = synthValid(chart);

    // THEN
    const c = containerOf(manifests);
    expect(configLines(c).slice(0, 7)).toEqual([
      'port 0', 'tls-port 6379', 'tls-cert-file /run/secrets/tls/tls.crt', 'tls-key-file /run/secrets/tls/tls.key',
      'tls-ca-cert-file /run/secrets/tls/ca.crt', 'tls-auth-clients no', 'tls-replication yes',
    ]);
    expect(configLines(c)).not.toContain('port 6379');
    expect(c.readinessProbe.exec.command[2]).toContain('-s /etc/redis/redis.sock');
    expect(c.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/run/secrets/tls', readOnly: true });
  });

  test('the tls-reload sidecar: CONFIG SET of the certificate files over the socket, with the password', () => {
    // GIVEN
    const chart = shopChart();

    // WHEN
    new Redis(chart, 'cache', { metadata: { name: 'cache' }, password: passwordOf(chart), tls: tls() });
    const spec = findOne(synthValid(chart), 'StatefulSet', 'cache').spec.template.spec;

    // THEN
    const sidecar = spec.containers.find((c: any) => c.name === 'tls-reload');
    expect(sidecar.command[2]).toContain('redis-cli -s /etc/redis/redis.sock CONFIG SET tls-cert-file /run/secrets/tls/tls.crt tls-key-file /run/secrets/tls/tls.key tls-ca-cert-file /run/secrets/tls/ca.crt');
    expect(sidecar.env).toEqual([{ name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: 'cache-auth', key: 'password' } } }]);
    expect(sidecar.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'redis-config', mountPath: '/etc/redis', readOnly: true },
      { name: 'tls', mountPath: '/run/secrets/tls', readOnly: true },
    ]));
    expect(restrictedViolations(spec)).toEqual([]);
  });

  test('backups and restores connect over TLS; the restore\'s temporary server serves the store\'s certificate', () => {
    // GIVEN
    const chart = shopChart();
    const cache = new Redis(chart, 'cache', { metadata: { name: 'cache' }, password: passwordOf(chart), readReplicas: 1, tls: tls() });

    // WHEN
    const backup = cache.addBackup('hourly', { schedule: Cron.hourly() });
    cache.addRestore('restore', { backup, dump: '20250301T023000Z' });
    const manifests = synthValid(chart);

    // THEN
    const backupScript = findOne(manifests, 'CronJob').spec.jobTemplate.spec.template.spec.containers[0].command[2];
    expect(backupScript).toContain('STORE_CA_FILE="${CACHE_CA_FILE:-}"');
    expect(backupScript).toContain('redis-cli --tls --cacert "$STORE_CA_FILE" -h "$source" -p "$STORE_PORT" --rdb');
    const restore = findAll(manifests, 'Job')[0].spec.template.spec;
    expect(restore.containers[0].command[2]).toContain('echo "tls-port $STORE_PORT"');
    expect(restore.containers[0].env).toContainEqual({ name: 'REDIS_TLS_DIR', value: '/run/secrets/tls' });
    expect(restore.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'cache-tls', defaultMode: 0o440 } });
  });

  test('without TLS the backup scripts are as they were: no CA', () => {
    // GIVEN
    const chart = shopChart();
    const cache = new Redis(chart, 'cache', { metadata: { name: 'cache' }, password: passwordOf(chart), readReplicas: 1 });

    // WHEN
    cache.addBackup('hourly', { schedule: Cron.hourly() });
    const script = findOne(synthValid(chart), 'CronJob').spec.jobTemplate.spec.template.spec.containers[0].command[2];

    // THEN
    expect(script).not.toContain('STORE_CA_FILE');
    expect(script).not.toContain('--tls');
  });
});

describe('Redis password rotation', () => {
  const annotationOf = (manifests: any[]) => findOne(manifests, 'StatefulSet').spec.template.metadata.annotations?.['cdk8s-stateful.io/password-checksum'];
  const build = (options: { revision?: string; rendered?: string } = {}) => {
    const chart = shopChart();
    const secret = options.rendered !== undefined
      ? new kplus.Secret(chart, 'auth', { metadata: { name: 'cache-auth' }, stringData: { password: options.rendered } })
      : kplus.Secret.fromSecretName(chart, 'auth', 'cache-auth');
    new Redis(chart, 'cache', { metadata: { name: 'cache' }, password: DataStoreCredentials.fromPasswordSecret(secret, { revision: options.revision }) });
    return synthValid(chart);
  };

  test('an imported Secret without a revision: no annotation', () => {
    expect(annotationOf(build())).toBeUndefined();
  });

  test('a new revision, or a new password in a Secret the app renders, rolls the pods', () => {
    expect(annotationOf(build({ revision: '1' }))).toMatch(/^[0-9a-f]{16}$/);
    expect(annotationOf(build({ revision: '2' }))).not.toBe(annotationOf(build({ revision: '1' })));
    expect(annotationOf(build({ rendered: 'one' }))).not.toBe(annotationOf(build({ rendered: 'two' })));
    expect(annotationOf(build({ rendered: 'one' }))).toBe(annotationOf(build({ rendered: 'one' })));
  });

  test('fails when the revision is no label value', () => {
    const chart = shopChart();
    expect(() => DataStoreCredentials.fromPasswordSecret(kplus.Secret.fromSecretName(chart, 'auth', 'cache-auth'), { revision: 'June 2025' }))
      .toThrow(/invalid 'revision': "June 2025". Must be a label value/);
  });
});

describe('Redis: the password Secret must be in the pods\' namespace', () => {
  test('fails when the password Secret is rendered in another namespace', () => {
    const chart = shopChart();
    const secret = new kplus.Secret(chart, 'auth', { metadata: { name: 'cache-auth', namespace: 'vault' }, stringData: { password: 'x' } });
    new Redis(chart, 'cache', { metadata: { name: 'cache' }, password: DataStoreCredentials.fromPasswordSecret(secret) });
    expect(() => Testing.synth(chart)).toThrow(
      /Redis 'test\/cache': invalid 'password': "Secret cache-auth in vault"\. Must be in the namespace of the store's pods, "shop": a pod reads Secrets of its own namespace only/);
  });

  test('a Secret of the same namespace passes', () => {
    const chart = shopChart();
    const secret = new kplus.Secret(chart, 'auth', { metadata: { name: 'cache-auth' }, stringData: { password: 'x' } });
    new Redis(chart, 'cache', { metadata: { name: 'cache' }, password: DataStoreCredentials.fromPasswordSecret(secret) });
    expect(() => synthValid(chart)).not.toThrow();
  });
});
