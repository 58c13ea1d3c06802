import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Warnings } from '../../src/app/warnings';
import { DataStoreCredentials } from '../../src/connection/data-store';
import { DataStoreConnection } from '../../src/connection/data-store-connection';
import { ExternalService } from '../../src/connection/external-service';
import { SchemaMigration, SchemaMigrationProps } from '../../src/gitops/schema-migration';
import { SyncWaves } from '../../src/gitops/sync-waves';
import { podSpecsOf, restrictedViolations } from '../../src/private/pod-security';
import { allWarnings, STRICT_ENV } from '../../src/private/warnings';
import { PodDefaults } from '../../src/workload/pod-defaults';
import { StatefulWorkload } from '../../src/workload/stateful-workload';
import { findAll, findOne, synthValid } from '../util/harness';

const PSQL = 'docker.io/library/postgres:16.4';
const WAVE = 'argocd.argoproj.io/sync-wave';

function usersChart(): Chart {
  return new Chart(Testing.app(), 'test', { namespace: 'users' });
}

function userDb(chart: Chart): StatefulWorkload {
  return new StatefulWorkload(chart, 'user-db', {
    metadata: { name: 'user-db' },
    credentials: DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(chart, 'credentials', 'user-db-credentials')),
    containers: [{ name: 'postgres', image: PSQL, ports: [{ name: 'postgres', number: 5432 }], securityContext: { user: 999, group: 999 } }],
  });
}

/** A migration of `user-db` named `add-email`, with `props` on top. */
function migration(chart: Chart, props: Partial<SchemaMigrationProps> = {}, id = 'add-email'): SchemaMigration {
  return new SchemaMigration(chart, id, {
    store: props.store ?? (chart.node.tryFindChild('user-db') as StatefulWorkload | undefined) ?? userDb(chart),
    image: PSQL,
    command: ['psql'],
    args: ['-c', 'ALTER TABLE users ADD COLUMN IF NOT EXISTS email text'],
    securityContext: { user: 999, group: 999 },
    metadata: { name: 'add-email' },
    ...props,
  });
}

function jobOf(chart: Chart): any {
  return findOne(synthValid(chart), 'Job');
}

describe('SchemaMigration', () => {
  test('defaults', () => {
    // GIVEN
    const chart = usersChart();
    const store = userDb(chart);

    // WHEN
    new SchemaMigration(chart, 'migrate', { store, image: PSQL, securityContext: { user: 999 } });

    // THEN
    expect(synthValid(chart).filter(m => m.kind !== 'StatefulSet' && m.kind !== 'Service' && m.kind !== 'PodDisruptionBudget')).toMatchSnapshot();
  });

  test('all props', () => {
    // GIVEN
    const chart = usersChart();
    const store = userDb(chart);

    // WHEN
    new SchemaMigration(chart, 'migrate', {
      store,
      image: PSQL,
      command: ['sh', '-c'],
      args: ['PGPASSWORD="$USER_DB_PASSWORD" exec psql -c "SELECT 1"'],
      envVariables: { PGDATABASE: kplus.EnvValue.fromValue('users') },
      prefix: 'USERS',
      backoffLimit: 1,
      activeDeadline: Duration.minutes(30),
      ttlAfterFinished: Duration.days(1),
      metadata: { name: 'users-schema', labels: { team: 'users' }, annotations: { note: 'expand' } },
      securityContext: { user: 999, group: 999 },
      podDefaults: { memoryLimit: Size.mebibytes(128) },
    });

    // THEN
    expect(synthValid(chart).filter(m => m.kind === 'Job' || m.kind === 'ConfigMap')).toMatchSnapshot();
  });

  test('is an Argo CD Sync hook, deleted before the next one is created', () => {
    const chart = usersChart();
    migration(chart);
    const annotations = jobOf(chart).metadata.annotations;
    expect(annotations['argocd.argoproj.io/hook']).toBe('Sync');
    expect(annotations['argocd.argoproj.io/hook-delete-policy']).toBe('BeforeHookCreation');
  });

  test('annotations the user sets win over the hook annotations', () => {
    const chart = usersChart();
    migration(chart, { metadata: { name: 'add-email', annotations: { 'argocd.argoproj.io/hook': 'PreSync' } } });
    const annotations = jobOf(chart).metadata.annotations;
    expect(annotations['argocd.argoproj.io/hook']).toBe('PreSync');
    expect(annotations['argocd.argoproj.io/hook-delete-policy']).toBe('BeforeHookCreation');
  });

  test('backoff limit, deadline, restart policy and TTL', () => {
    const chart = usersChart();
    migration(chart);
    const job = jobOf(chart);
    expect(job.spec.backoffLimit).toBe(3);
    expect(job.spec.activeDeadlineSeconds).toBe(600);
    expect(job.spec.ttlSecondsAfterFinished).toBeUndefined();
    expect(job.spec.template.spec.restartPolicy).toBe('Never');

    const other = usersChart();
    migration(other, { backoffLimit: 0, activeDeadline: Duration.seconds(90), ttlAfterFinished: Duration.hours(1) });
    const configured = jobOf(other);
    expect(configured.spec.backoffLimit).toBe(0);
    expect(configured.spec.activeDeadlineSeconds).toBe(90);
    expect(configured.spec.ttlSecondsAfterFinished).toBe(3600);
  });

  test('the shortest deadline (1 second) and a TTL of 0 (delete at once) are accepted', () => {
    const chart = usersChart();
    migration(chart, { activeDeadline: Duration.seconds(1), ttlAfterFinished: Duration.seconds(0) });
    const job = jobOf(chart);
    expect(job.spec.activeDeadlineSeconds).toBe(1);
    expect(job.spec.ttlSecondsAfterFinished).toBe(0);
  });

  test('the Job has no selector of ours: the Job controller makes its own', () => {
    const chart = usersChart();
    migration(chart);
    expect(jobOf(chart).spec.selector).toBeUndefined();
  });

  describe('name', () => {
    test('is the name prefix and 8 hex digits', () => {
      const chart = usersChart();
      const m = migration(chart);
      expect(m.jobName).toMatch(/^add-email-[0-9a-f]{8}$/);
      expect(jobOf(chart).metadata.name).toBe(m.jobName);
    });

    test('stays the same for the same image, command, arguments and environment', () => {
      const a = migration(usersChart(), { envVariables: { PGDATABASE: kplus.EnvValue.fromValue('users') } });
      const b = migration(usersChart(), { envVariables: { PGDATABASE: kplus.EnvValue.fromValue('users') }, backoffLimit: 5, ttlAfterFinished: Duration.days(1) });
      expect(b.jobName).toBe(a.jobName);
    });

    test.each<[string, Partial<SchemaMigrationProps>]>([
      ['the image', { image: 'docker.io/library/postgres:16.5' }],
      ['the command', { command: ['/usr/bin/psql'] }],
      ['the arguments', { args: ['-c', 'ALTER TABLE users DROP COLUMN IF EXISTS mail'] }],
      ['a literal environment variable', { envVariables: { PGDATABASE: kplus.EnvValue.fromValue('accounts') } }],
    ])('changes with %s', (_what, props) => {
      const before = migration(usersChart());
      const after = migration(usersChart(), props);
      expect(after.jobName).not.toBe(before.jobName);
      expect(after.jobName).toMatch(/^add-email-[0-9a-f]{8}$/);
    });

    test('arguments are not concatenated before hashing', () => {
      const a = migration(usersChart(), { args: ['-c', 'SELECT 1'] });
      const b = migration(usersChart(), { args: ['-c SELECT', '1'] });
      expect(a.jobName).not.toBe(b.jobName);
    });

    test('is generated from the construct path when no name is given', () => {
      const chart = usersChart();
      const m = migration(chart, { metadata: undefined });
      expect(m.jobName).toMatch(/^test-add-email-[0-9a-f]{8}-[0-9a-f]{8}$/);
      expect(m.jobName.length).toBeLessThanOrEqual(63);
    });

    test('a name generated from a long construct path is cut to leave room for the hash', () => {
      const m = migration(usersChart(), { metadata: undefined }, `add-email-${'x'.repeat(60)}`);
      expect(m.jobName).toMatch(/^[a-z0-9-]*x-[0-9a-f]{8}-[0-9a-f]{8}$/);
      expect(m.jobName).toHaveLength(63);
    });

    test('does not depend on the order of the environment variables', () => {
      const value = kplus.EnvValue.fromValue;
      const a = migration(usersChart(), { envVariables: { PGDATABASE: value('users'), PGSCHEMA: value('app') } });
      const b = migration(usersChart(), { envVariables: { PGSCHEMA: value('app'), PGDATABASE: value('users') } });
      expect(b.jobName).toBe(a.jobName);
    });

    test('a referenced variable counts by its name only', () => {
      const ref = (key: string) => kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(usersChart(), 's', 'db-admin'), key });
      const a = migration(usersChart(), { envVariables: { PGPASSWORD: ref('password') } });
      const b = migration(usersChart(), { envVariables: { PGPASSWORD: ref('admin-password') } });
      const c = migration(usersChart(), { envVariables: { PGPASS: ref('password') } });
      expect(b.jobName).toBe(a.jobName);
      expect(c.jobName).not.toBe(a.jobName);
      // the name of a Job must not change between releases for the same migration: Argo CD would run it again
      expect(a.jobName).toBe('add-email-16e8533a');
    });

    test('a name prefix of 54 characters gives a name of 63', () => {
      const m = migration(usersChart(), { metadata: { name: 'a'.repeat(54) } });
      expect(m.jobName).toHaveLength(63);
    });

    test('the pod template carries no label derived from the construct path', () => {
      const chart = usersChart();
      migration(chart);
      expect(jobOf(chart).spec.template.metadata.labels ?? {}).toEqual({});
    });
  });

  describe('connection', () => {
    test('the Job gets the variables of any consumer, from a ConfigMap of its own', () => {
      // GIVEN
      const chart = usersChart();
      const store = userDb(chart);
      const consumer = new kplus.Deployment(chart, 'user-manager', {
        metadata: { name: 'user-manager' },
        containers: [{ name: 'app', image: 'registry.example.com/users/user-manager:1.4.0', securityContext: { user: 1000 } }],
      });
      new DataStoreConnection(chart, 'user-db-connection', { store, metadata: { name: 'user-db-connection' } }).addWorkload(consumer);

      // WHEN
      const m = migration(chart);

      // THEN
      const manifests = synthValid(chart);
      const env = (o: any) => o.spec.template.spec.containers[0].env;
      const job = findOne(manifests, 'Job');
      expect(env(job)).toEqual(env(findOne(manifests, 'Deployment')));
      expect(env(job).map((e: any) => e.name)).toEqual(['USER_DB_USERNAME', 'USER_DB_PASSWORD']);
      const own = findOne(manifests, 'ConfigMap', m.connection.apiObject.name);
      expect(own.data).toEqual(findOne(manifests, 'ConfigMap', 'user-db-connection').data);
      expect(own.data.USER_DB_SERVICE_HOST).toBe('user-db.users.svc.cluster.local');
      expect(own.data.USER_DB_SERVICE_PORT).toBe('5432');
      expect(job.spec.template.spec.containers[0].envFrom).toEqual([{ configMapRef: { name: m.connection.apiObject.name } }]);
      expect(m.connection.consumers).toEqual([m.job.containers[0]]);
    });

    test('reuses the connection of the consumers', () => {
      const chart = usersChart();
      const store = userDb(chart);
      const connection = new DataStoreConnection(chart, 'user-db-connection', { store, metadata: { name: 'user-db-connection' } });
      const m = migration(chart, { store, connection });
      expect(m.connection).toBe(connection);
      const manifests = synthValid(chart);
      expect(findAll(manifests, 'ConfigMap').map(c => c.metadata.name)).toEqual(['user-db-connection']);
      expect(findOne(manifests, 'Job').spec.template.spec.containers[0].envFrom).toEqual([{ configMapRef: { name: 'user-db-connection' } }]);
    });

    test('prefix names the variables', () => {
      const chart = usersChart();
      const m = migration(chart, { prefix: 'USERS' });
      expect(m.connection.hostVariable).toBe('USERS_SERVICE_HOST');
      expect(jobOf(chart).spec.template.spec.containers[0].env.map((e: any) => e.name)).toEqual(['USERS_USERNAME', 'USERS_PASSWORD']);
    });

    test('the pod template carries no connection checksum: the same Job whether the store is in the cluster or not', () => {
      // GIVEN
      const inCluster = usersChart();
      migration(inCluster);
      const outside = usersChart();
      const external = new ExternalService(outside, 'user-db', {
        metadata: { name: 'user-db' },
        externalName: 'users-db.prod.example.com',
        ports: [{ name: 'postgres', port: 5432 }],
        credentials: DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(outside, 'credentials', 'user-db-credentials')),
      });

      // WHEN
      migration(outside, { store: external });

      // THEN: kubectl apply of the moved store leaves the finished Job alone (its template is immutable)
      const a = jobOf(inCluster);
      const b = jobOf(outside);
      expect(a.spec.template.metadata?.annotations ?? {}).toEqual({});
      expect(b).toEqual(a);
    });

    test('the Job gets the credential variables a consumer gets: no user name for a password-only store, the extra keys as optional', () => {
      // GIVEN
      const chart = usersChart();
      const store = new ExternalService(chart, 'cache', {
        metadata: { name: 'cache' },
        externalName: 'cache.example.com',
        ports: [{ name: 'redis', port: 6379 }],
        credentials: DataStoreCredentials.fromPasswordSecret(kplus.Secret.fromSecretName(chart, 'credentials', 'cache-credentials'), {
          extraKeys: { CA_BUNDLE: 'ca.crt' },
        }),
      });
      const consumer = new kplus.Deployment(chart, 'app', {
        containers: [{ name: 'app', image: 'registry.example.com/cache/app:1.0.0', securityContext: { user: 1000 } }],
      });
      const connection = new DataStoreConnection(chart, 'cache-connection', { store });
      connection.addWorkload(consumer);

      // WHEN
      migration(chart, { store, image: 'docker.io/library/redis:7.4', command: ['redis-cli'], args: ['PING'] });
      migration(chart, { store, connection, image: 'docker.io/library/redis:7.4', command: ['redis-cli'], args: ['INFO'], metadata: { name: 'info' } }, 'info');

      // THEN
      const manifests = synthValid(chart);
      const env = (o: any) => o.spec.template.spec.containers[0].env;
      const expected = [
        { name: 'CACHE_PASSWORD', valueFrom: { secretKeyRef: { name: 'cache-credentials', key: 'password' } } },
        { name: 'CACHE_CA_BUNDLE', valueFrom: { secretKeyRef: { name: 'cache-credentials', key: 'ca.crt', optional: true } } },
      ];
      expect(env(findOne(manifests, 'Deployment'))).toEqual(expected);
      const jobs = findAll(manifests, 'Job');
      expect(jobs).toHaveLength(2);
      for (const job of jobs) expect(env(job)).toEqual(expected);
    });

    test('a store outside the cluster works the same', () => {
      const chart = usersChart();
      const store = new ExternalService(chart, 'ext', { metadata: { name: 'user-db' }, externalName: 'users-db.prod.example.com', ports: [{ name: 'postgres', port: 5432 }] });
      const m = migration(chart, { store });
      expect(findOne(synthValid(chart), 'ConfigMap', m.connection.apiObject.name).data.USER_DB_SERVICE_SERVER_NAME).toBe('users-db.prod.example.com');
    });
  });

  test('meets the restricted profile', () => {
    const chart = usersChart();
    migration(chart);
    const job = jobOf(chart);
    for (const spec of podSpecsOf(job)) expect(restrictedViolations(spec)).toEqual([]);
    expect(job.spec.template.spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(job.spec.template.spec.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'] });
    expect(job.spec.template.spec.containers[0].securityContext.runAsUser).toBe(999);
  });

  test('podDefaults reach the Job', () => {
    const chart = usersChart();
    migration(chart, { podDefaults: { memoryLimit: Size.mebibytes(128) } });
    expect(jobOf(chart).spec.template.spec.containers[0].resources).toEqual({ limits: { memory: '128Mi' }, requests: { cpu: '250m', memory: '128Mi' } });
  });

  test('fails when the security context asks for root', () => {
    expect(() => migration(usersChart(), { securityContext: { user: 0 } }))
      .toThrow(/PodDefaults 'test\/add-email\/Resource': invalid 'container "migrate" securityContext.user': 0\./);
  });

  describe('sync waves', () => {
    test('with SyncWaves enabled, the migration is in wave 3: after the store (2), before the consumers (4)', () => {
      // GIVEN
      const chart = usersChart();
      const store = userDb(chart);
      const consumer = new kplus.Deployment(chart, 'user-manager', {
        metadata: { name: 'user-manager' },
        containers: [{ name: 'app', image: 'registry.example.com/users/user-manager:1.4.0', securityContext: { user: 1000 } }],
      });
      const connection = new DataStoreConnection(chart, 'user-db-connection', { store, metadata: { name: 'user-db-connection' } });
      connection.addWorkload(consumer);

      // WHEN: the Job is wired through the consumers' connection, and through its own
      migration(chart, { store, connection });
      migration(chart, { store, metadata: { name: 'backfill-email' } }, 'backfill-email');
      SyncWaves.enable(chart);

      // THEN
      const manifests = synthValid(chart);
      const wave = (o: any) => o.metadata.annotations?.[WAVE];
      expect(wave(findOne(manifests, 'StatefulSet'))).toBe('2');
      expect(findAll(manifests, 'Job').map(wave)).toEqual(['3', '3']);
      expect(wave(findOne(manifests, 'Deployment'))).toBe('4');
      for (const cm of findAll(manifests, 'ConfigMap')) expect(wave(cm)).toBe('1');
    });

    test('the migrations wave follows SyncWaves options and overrides', () => {
      const chart = usersChart();
      const m = migration(chart);
      SyncWaves.enable(chart, { migrations: 7 });
      expect(jobOf(chart).metadata.annotations[WAVE]).toBe('7');
      SyncWaves.setWave(m, -1);
      expect(jobOf(chart).metadata.annotations[WAVE]).toBe('-1');
    });

    test('without SyncWaves, no wave is written', () => {
      const chart = usersChart();
      migration(chart);
      expect(jobOf(chart).metadata.annotations[WAVE]).toBeUndefined();
    });
  });

  test('attributes', () => {
    const chart = usersChart();
    const m = migration(chart);
    expect(m.job).toBeInstanceOf(kplus.Job);
    expect(m.job.name).toBe(m.jobName);
    expect(m.job.containers.map(c => c.name)).toEqual(['migrate']);
    expect(m.connection).toBeInstanceOf(DataStoreConnection);
    expect(m.connection.store).toBe(chart.node.findChild('user-db'));
  });

  test('can be hardened again with other defaults', () => {
    const chart = usersChart();
    const m = migration(chart);
    PodDefaults.harden(m.job, { memoryLimit: Size.mebibytes(64) });
    expect(jobOf(chart).spec.template.spec.containers[0].resources.limits.memory).toBe('64Mi');
  });

  describe('errors', () => {
    test('fails when the image is empty', () => {
      expect(() => migration(usersChart(), { image: '' }))
        .toThrow("SchemaMigration 'test/add-email': invalid 'image': \"\". An image is required: the API server refuses a pod without one. Set it to a reference such as");
    });

    test('fails when the image is not an image reference', () => {
      expect(() => migration(usersChart(), { image: 'Postgres:16' })).toThrow(/SchemaMigration 'test\/add-email': invalid 'image': "Postgres:16"\. Must be an image reference/);
    });

    test('fails when the name prefix is too long for the hash suffix', () => {
      expect(() => migration(usersChart(), { metadata: { name: 'a'.repeat(55) } }))
        .toThrow(/SchemaMigration 'test\/add-email': invalid 'metadata.name': "a{55}"\. Must be a DNS-1123 label of at most 54 characters \(the Job is named "<name>-<8 hex digits>", and a Job name is a pod label value of at most 63 characters\)/);
    });

    test('fails when the name prefix is not a DNS-1123 label', () => {
      expect(() => migration(usersChart(), { metadata: { name: 'Add_Email' } })).toThrow(/invalid 'metadata.name': "Add_Email"\. Must be a DNS-1123 label/);
    });

    test.each([-1, 1.5])('fails when the backoff limit is %p', backoffLimit => {
      expect(() => migration(usersChart(), { backoffLimit }))
        .toThrow(`SchemaMigration 'test/add-email': invalid 'backoffLimit': ${backoffLimit}. Must be an integer of at least 0. Set 'backoffLimit' to an integer of at least 0.`);
    });

    test.each([Duration.seconds(0), Duration.millis(1500)])('fails when the deadline is %p', activeDeadline => {
      expect(() => migration(usersChart(), { activeDeadline }))
        .toThrow(/SchemaMigration 'test\/add-email': invalid 'activeDeadline': "[0-9.]+ seconds"\. Must be a whole number of seconds, at least 1: the Job fails when it runs longer\. Set 'activeDeadline' to a duration such as Duration\.minutes\(10\)\./);
    });

    test('fails when the TTL is not a whole number of seconds', () => {
      expect(() => migration(usersChart(), { ttlAfterFinished: Duration.millis(500) }))
        .toThrow(/invalid 'ttlAfterFinished': "0.5 seconds"\. Must be a whole number of seconds, at least 0\. Set 'ttlAfterFinished' to a duration such as Duration\.days\(1\), or leave it out to keep the finished Job\./);
    });

    test('fails when the connection is to another store', () => {
      const chart = usersChart();
      userDb(chart);
      const other = new ExternalService(chart, 'other', { metadata: { name: 'other' }, externalName: 'other.example.com', ports: [{ port: 5432 }] });
      const connection = new DataStoreConnection(chart, 'other-connection', { store: other });
      expect(() => migration(chart, { connection }))
        .toThrow(/SchemaMigration 'test\/add-email': invalid 'connection': "test\/other-connection"\. Must be a connection to 'store' \("test\/user-db"\), but it connects to "test\/other"\. Pass the connection of the same store, or leave 'connection' out\./);
    });

    test('fails when prefix differs from the given connection\'s', () => {
      const chart = usersChart();
      const store = userDb(chart);
      const connection = new DataStoreConnection(chart, 'c', { store });
      expect(() => migration(chart, { connection, prefix: 'USERS' }))
        .toThrow(/invalid 'prefix': "USERS"\. Must not differ from the prefix of 'connection' \("USER_DB"\): the given connection decides the variable names\. Leave 'prefix' out\./);
    });

    test('a prefix equal to the given connection\'s is accepted', () => {
      const chart = usersChart();
      const store = userDb(chart);
      const connection = new DataStoreConnection(chart, 'c', { store });
      expect(migration(chart, { connection, prefix: 'USER_DB' }).connection).toBe(connection);
    });

    test('fails when the given connection is in another namespace', () => {
      const chart = usersChart();
      const store = userDb(chart);
      const connection = new DataStoreConnection(chart, 'c', { store, metadata: { namespace: 'other' } });
      expect(() => migration(chart, { connection })).toThrow(/Must be in the namespace of the connection's ConfigMap/);
    });
  });
});

describe('SchemaMigration: an unpinned image', () => {
  beforeEach(() => jest.spyOn(console, 'warn').mockImplementation(() => undefined));
  afterEach(() => {
    jest.restoreAllMocks();
    delete process.env[STRICT_ENV];
  });

  const unpinned = (w: string) => w.endsWith('[cdk8s-stateful:unpinned-image]');

  test.each<[string, string]>([
    ['docker.io/library/postgres', 'An image without a tag (latest)'],
    ['docker.io/library/postgres:latest', 'The tag latest'],
  ])('%s: warns, naming the image and why a moved tag never re-runs', (image, what) => {
    // GIVEN
    const chart = usersChart();

    // WHEN
    migration(chart, { image });

    // THEN
    synthValid(chart);
    expect(allWarnings(chart).filter(unpinned)).toEqual([
      `SchemaMigration 'test/add-email': warning: 'image': "${image}". ${what} moves, and the Job's name hashes the image reference, not what it points to: `
      + 'when the tag moves the name stays, so a migration that ran never runs again with the new image (kubectl apply leaves a finished Job alone), '
      + 'and a Job re-created by Argo CD runs whatever the tag points to at that sync. '
      + 'Pin the image to a version tag (e.g. "postgres:16.4") or a digest (@sha256:...): a new version is then a new Job. [cdk8s-stateful:unpinned-image]',
    ]);
  });

  test.each([PSQL, 'docker.io/library/postgres@sha256:' + 'a'.repeat(64), 'registry.example.com:5000/tools/migrate:1.2.0'])('%s: pinned, no warning', image => {
    const chart = usersChart();
    migration(chart, { image });
    synthValid(chart);
    expect(allWarnings(chart).filter(unpinned)).toEqual([]);
  });

  test('acknowledged: not printed', () => {
    const chart = usersChart();
    Warnings.of(chart).acknowledge('cdk8s-stateful:unpinned-image', 'the migration tool is re-pushed under the same tag on purpose');
    migration(chart, { image: 'docker.io/library/postgres:latest' });
    synthValid(chart);
    expect(console.warn).not.toHaveBeenCalled();
    expect(Warnings.of(chart).list()).toEqual([expect.objectContaining({ id: 'cdk8s-stateful:unpinned-image', acknowledged: true })]);
  });

  test('strict mode fails on it', () => {
    process.env[STRICT_ENV] = 'true';
    const chart = usersChart();
    migration(chart, { image: 'docker.io/library/postgres:latest' });
    expect(() => Testing.synth(chart)).toThrow(/SchemaMigration 'test\/add-email': warning: 'image': "docker.io\/library\/postgres:latest"\..* \[cdk8s-stateful:unpinned-image\] Strict mode/);
  });
});

describe('SchemaMigration: waiting for the store without Argo CD', () => {
  const initNames = (chart: Chart) => (findOne(synthValid(chart), 'Job').spec.template.spec.initContainers ?? []).map((c: any) => c.name);

  test('waitForStore: the Job\'s pod waits for the store first, and the wait is part of the Job\'s name', () => {
    // GIVEN
    const plain = usersChart();
    const waiting = usersChart();

    // WHEN
    const without = migration(plain);
    const withWait = migration(waiting, { waitForStore: {} });

    // THEN
    expect(initNames(waiting)).toEqual(['wait-for-user-db']);
    expect(initNames(plain)).toEqual([]);
    expect(withWait.jobName).not.toBe(without.jobName);
    expect(withWait.connection.waitContainerName).toBe('wait-for-user-db');
    expect(restrictedViolations(findOne(synthValid(waiting), 'Job').spec.template.spec)).toEqual([]);
  });

  test('another timeout or image is another Job', () => {
    const name = (waitForStore: any) => migration(usersChart(), { waitForStore }).jobName;
    expect(name({})).toBe(name({ timeout: Duration.minutes(5) }));
    expect(name({})).not.toBe(name({ timeout: Duration.minutes(2) }));
    expect(name({})).not.toBe(name({ image: 'mirror.example.com/library/busybox:1.36.1' }));
  });

  test('a given connection with a wait: the Job waits too, and its name says so', () => {
    const chart = usersChart();
    const connection = new DataStoreConnection(chart, 'c', { store: userDb(chart), waitForStore: {} });
    const m = migration(chart, { connection });
    expect(initNames(chart)).toEqual(['wait-for-user-db']);
    expect(m.jobName).toBe(migration(usersChart(), { waitForStore: {} }).jobName);
  });

  test('fails when waitForStore is combined with a given connection', () => {
    const chart = usersChart();
    const connection = new DataStoreConnection(chart, 'c', { store: userDb(chart) });
    expect(() => migration(chart, { connection, waitForStore: {} })).toThrow(
      "SchemaMigration 'test/add-email': invalid 'waitForStore': {}. Cannot be combined with 'connection': the given connection decides whether "
      + "its consumers wait (its own 'waitForStore'). Set 'waitForStore' on the connection, or leave 'connection' out.");
  });

  test('fails on a bad wait, naming the migration\'s prop', () => {
    expect(() => migration(usersChart(), { waitForStore: { timeout: Duration.millis(10) } })).toThrow(
      "SchemaMigration 'test/add-email': invalid 'waitForStore.timeout': \"0.01 seconds\"");
  });
});
