import { ApiObject, Chart, Cron, Duration, JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CertManagerIssuerKind, DataStoreConnection, DataStoreCredentials, Postgres, PostgresProps, PostgresVersion, PresetCertificate, StorageClass } from '../../src';
import { engineImage } from '../../src/engines/private/engine-image';
import { restrictedViolations } from '../../src/private/pod-security';
import { findOne, synthValid } from '../util/harness';

const build = (props: Partial<PostgresProps> = {}) => {
  const chart = Testing.chart();
  const secret = kplus.Secret.fromSecretName(chart, 'creds', 'db-credentials');
  const db = new Postgres(chart, 'db', { metadata: { name: 'db' }, credentials: DataStoreCredentials.fromSecret(secret), ...props });
  return { chart, secret, db };
};
const podSpec = (manifests: any[]) => findOne(manifests, 'StatefulSet').spec.template.spec;
const container = (manifests: any[]) => podSpec(manifests).containers.find((c: any) => c.name === 'postgres');
const WHERE = "Postgres 'test/db'";

describe('Postgres', () => {
  test('defaults', () => {
    // GIVEN
    const { chart } = build();

    // WHEN
    const manifests = synthValid(chart);

    // THEN
    expect(manifests).toMatchSnapshot();
    expect(restrictedViolations(podSpec(manifests))).toEqual([]);
  });

  test('all props', () => {
    // GIVEN
    const chart = Testing.chart();
    // in the store's namespace: its pods read them
    const secret = new kplus.Secret(chart, 'creds', { metadata: { name: 'orders-credentials', namespace: 'shop' }, stringData: { user: 'orders_owner', pass: 'x' } });
    const init = new kplus.ConfigMap(chart, 'init', { metadata: { name: 'orders-init', namespace: 'shop' }, data: { '01-schema.sql': 'CREATE TABLE t (id int);' } });

    // WHEN
    const db = new Postgres(chart, 'db', {
      metadata: { name: 'orders-db', namespace: 'shop' },
      credentials: DataStoreCredentials.fromSecret(secret, { usernameKey: 'user', passwordKey: 'pass' }),
      database: 'orders',
      version: PostgresVersion.V16,
      image: { registry: 'mirror.gcr.io', repository: 'library/postgres', digest: 'sha256:0f4e5b3c8f1d2a6e7b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a' },
      resources: { cpu: { request: kplus.Cpu.units(1) }, memory: { limit: Size.gibibytes(4) } },
      storage: Size.gibibytes(50),
      storageClassName: 'gp3',
      initSql: init,
      primaryService: { name: 'orders-db-rw', annotations: { team: 'shop' } },
      storeName: 'orders-db',
      terminationGracePeriod: Duration.minutes(5),
    });
    const manifests = synthValid(chart);

    // THEN
    expect(manifests).toMatchSnapshot();
    const c = container(manifests);
    expect(c.image).toBe('mirror.gcr.io/library/postgres:16.15@sha256:0f4e5b3c8f1d2a6e7b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a');
    expect(c.args).toEqual(['postgres', '-c', 'shared_buffers=1024MB']);
    expect(c.resources).toEqual({ requests: { cpu: '1', memory: '4Gi' }, limits: { memory: '4Gi' } });
    expect(podSpec(manifests).terminationGracePeriodSeconds).toBe(300);
    expect(podSpec(manifests).volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } });
    expect(podSpec(manifests).volumes).toContainEqual({ name: 'postgres-initdb', configMap: { name: 'orders-init', defaultMode: 0o444 } });
    expect(c.volumeMounts).toContainEqual({ name: 'postgres-initdb', mountPath: '/docker-entrypoint-initdb.d', readOnly: true });
    expect(findOne(manifests, 'StatefulSet').spec.volumeClaimTemplates[0].spec).toMatchObject({
      storageClassName: 'gp3', resources: { requests: { storage: '50Gi' } },
    });
    expect(db.databaseName).toBe('orders');
    expect(db.storeName).toBe('orders-db');
    expect(db.primaryService?.name).toBe('orders-db-rw');
    const rw = findOne(manifests, 'Service', 'orders-db-rw');
    expect(rw.spec.selector).toMatchObject({ 'statefulset.kubernetes.io/pod-name': 'orders-db-0' });
    expect(rw.metadata.annotations).toEqual({ team: 'shop' });
    expect(restrictedViolations(podSpec(manifests))).toEqual([]);
  });

  test('the server\'s user is the Secret key consumers read; the password is a file, never a variable', () => {
    const { chart, db } = build();
    const conn = new DataStoreConnection(chart, 'conn', { store: db });
    const c = container(synthValid(chart));
    expect(c.env).toContainEqual({ name: 'POSTGRES_USER', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'username' } } });
    expect(c.env).toContainEqual({ name: 'POSTGRES_PASSWORD_FILE', value: '/run/secrets/postgres/password' });
    expect(c.env.map((e: any) => e.name)).not.toContain('POSTGRES_PASSWORD');
    expect(conn.usernameVariable).toBe('DB_USERNAME');
    expect(podSpec(synthValid(chart)).volumes).toContainEqual({
      name: 'postgres-password', secret: { secretName: 'db-credentials', items: [{ key: 'password', path: 'password' }], defaultMode: 0o440 },
    });
  });

  test('PGDATA is a subdirectory of the claim; writable socket dir, /tmp and a memory /dev/shm; uid/gid/fsGroup 999', () => {
    const manifests = synthValid(build().chart);
    const c = container(manifests);
    expect(c.env).toContainEqual({ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' });
    expect(c.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'data', mountPath: '/var/lib/postgresql/data' },
      { name: 'postgres-run', mountPath: '/var/run/postgresql' },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'dshm', mountPath: '/dev/shm' },
    ]));
    expect(podSpec(manifests).volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '256Mi' } });
    expect(c.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, runAsNonRoot: true, readOnlyRootFilesystem: true });
    expect(podSpec(manifests).securityContext.fsGroup).toBe(999);
    expect(podSpec(manifests).terminationGracePeriodSeconds).toBe(68);
  });

  test('pg_isready startup, liveness and readiness probes on the database', () => {
    const c = container(synthValid(build({ database: 'shop' }).chart));
    for (const p of [c.startupProbe, c.livenessProbe, c.readinessProbe]) {
      expect(p.exec.command).toEqual(expect.arrayContaining(['pg_isready', '--host=127.0.0.1', '--dbname=shop']));
    }
    expect(c.startupProbe.failureThreshold).toBe(180);
  });

  test('IDataStore: endpoint, ports, primary endpoint and credentials', () => {
    const { db } = build();
    expect(db.endpoint.socketAddress).toBe('db:5432');
    expect(db.ports).toEqual([{ name: 'postgres', port: 5432, protocol: 'TCP' }]);
    expect(db.primaryEndpoint?.hostname).toBe('db-0.db');
    expect(db.credentials?.usernameKey).toBe('username');
    expect(db.databaseName).toBe('app');
    expect(db.version).toBe(PostgresVersion.V17);
    expect(db.primaryService).toBeUndefined();
    expect(db.workload.name).toBe('db');
  });

  test('versions: pinned tags and of()', () => {
    expect([PostgresVersion.V15.tag, PostgresVersion.V16.tag, PostgresVersion.V17.tag, PostgresVersion.V18.tag]).toEqual(['15.19', '16.15', '17.11', '18.6']);
    expect([PostgresVersion.V15, PostgresVersion.V16, PostgresVersion.V17, PostgresVersion.V18].map(v => v.majorVersion)).toEqual([15, 16, 17, 18]);
    expect(PostgresVersion.of('17.2').majorVersion).toBe(17);
    expect(container(synthValid(build({ version: PostgresVersion.of('17.2') }).chart)).image).toBe('docker.io/library/postgres:17.2');
    expect(container(synthValid(build({ version: PostgresVersion.V18 }).chart)).image).toBe('docker.io/library/postgres:18.6');
  });

  test('a storage class object', () => {
    const chart = Testing.chart();
    const cls = StorageClass.fromStorageClassName(chart, 'fast', 'fast');
    const secret = kplus.Secret.fromSecretName(chart, 'creds', 'db-credentials');
    new Postgres(chart, 'db', { credentials: DataStoreCredentials.fromSecret(secret), storageClass: cls, storage: Size.gibibytes(1) });
    expect(findOne(synthValid(chart), 'StatefulSet').spec.volumeClaimTemplates[0].spec.storageClassName).toBe('fast');
  });
});

describe('errors', () => {

  test('the fixes in the eager errors', () => {
    const chart = Testing.chart();
    expect(() => new Postgres(chart, 'db', {} as PostgresProps)).toThrow(/Set 'credentials' to DataStoreCredentials.fromSecret\(secret\)\.$/);
    expect(() => build({ replicas: 2 })).toThrow(/Set 'readReplicas' to 1 with 'replicationCredentials' \(and leave 'replicas' out\), or run a replicated cluster with an operator and describe it with DataStore.fromDataStoreAttributes\(\)\.$/);
    expect(() => build({ writableTmp: false })).toThrow(/Leave 'writableTmp' out\.$/);
    expect(() => build({ securityContext: { fsGroup: 1000 } })).toThrow(/Leave 'securityContext.fsGroup' out\.$/);
  });

  test('fails when podDefaults turns /tmp off', () => {
    expect(() => build({ podDefaults: { writableTmp: false } })).toThrow(
      new RegExp(`^${WHERE}: invalid 'podDefaults.writableTmp': false. PostgreSQL needs a writable /tmp.*Leave 'writableTmp' out\\.$`));
  });

  test('fsGroup 999, the postgres group, is accepted', () => {
    const { chart } = build({ securityContext: { fsGroup: 999 } });
    expect(podSpec(synthValid(chart)).securityContext.fsGroup).toBe(999);
  });

  test('resources are merged over the defaults field by field: only a memory size keeps the CPU request', () => {
    const c = container(synthValid(build({ resources: { memory: { limit: Size.gibibytes(2) } } }).chart));
    expect(c.resources).toEqual({ requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '2Gi' } });
  });

  test('resources: a memory request without a limit is the limit too, and drives shared_buffers', () => {
    const c = container(synthValid(build({ resources: { memory: { request: Size.gibibytes(2) } } }).chart));
    expect(c.resources).toEqual({ requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '2Gi' } });
    expect(c.args).toContain('shared_buffers=512MB');
  });

  test('fails when a memory request alone is below the minimum, naming the request', () => {
    expect(() => build({ resources: { memory: { request: Size.mebibytes(128) } } })).toThrow(
      new RegExp(`^${WHERE}: invalid 'resources.memory.request': "128Mi". Must be at least 256Mi`));
  });

  test('resources without memory: the memory request and limit default to 1Gi', () => {
    const c = container(synthValid(build({ resources: { cpu: { request: kplus.Cpu.units(1) } } }).chart));
    expect(c.resources).toEqual({ requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '1Gi' } });
  });

  test('a primary Service without a name is <name>-primary', () => {
    const { chart, db } = build({ primaryService: {} });
    expect(db.primaryService?.name).toBe('db-primary');
    expect(findOne(synthValid(chart), 'Service', 'db-primary').spec.selector).toMatchObject({ 'statefulset.kubernetes.io/pod-name': 'db-0' });
  });

  describe('the user name in a Secret the app renders', () => {
    const withSecret = (stringData: Record<string, string> | undefined, data?: Record<string, string>) => {
      const chart = Testing.chart();
      const secret = new kplus.Secret(chart, 'creds', { metadata: { name: 'db-credentials' }, stringData });
      // a Secret object carrying base64 data only
      if (data) ApiObject.of(secret).addJsonPatch(JsonPatch.remove('/stringData'), JsonPatch.add('/data', data));
      new Postgres(chart, 'db', { credentials: DataStoreCredentials.fromSecret(secret) });
      return chart;
    };
    const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

    test('is read from base64 data too', () => {
      expect(() => Testing.synth(withSecret(undefined, { username: b64('Admin'), password: b64('x') }))).toThrow(
        /invalid 'credentials.usernameKey \("username" of the Secret "db-credentials"\)': "Admin". Must be lower case/);
      expect(() => synthValid(withSecret(undefined, { username: b64('app'), password: b64('x') }))).not.toThrow();
    });

    test('a missing key is reported once, by the credentials', () => {
      let message = '';
      try {
        Testing.synth(withSecret({ password: 'x' }));
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/"username"/);
      expect(message).not.toMatch(/credentials.usernameKey|Stryker/);
      expect(message.split('\n').filter(l => l.trim() !== '' && !/^Validation failed/.test(l))).toHaveLength(1);
    });
  });

  test('an init script key that is only a suffix is refused; the hint keeps the rest of the name', () => {
    const chart = Testing.chart();
    const secret = kplus.Secret.fromSecretName(chart, 'creds', 'db-credentials');
    const init = new kplus.ConfigMap(chart, 'init', { data: { '.sql': 'x', 'schema.v1.txt': 'y', 'ok.sql.gz': 'z' } });
    new Postgres(chart, 'db', { credentials: DataStoreCredentials.fromSecret(secret), initSql: init });
    let message = '';
    try {
      Testing.synth(chart);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(`${WHERE}: invalid 'initSql': ".sql". Every key must end in .sql, .sql.gz, .sql.xz, .sql.zst, .sh: `);
    expect(message).toContain(`${WHERE}: invalid 'initSql': "schema.v1.txt". Every key must end in`);
    expect(message).toContain('Rename the key, e.g. to "schema.v1.sql".');
    expect(message).not.toContain('ok.sql.gz');
  });
  test('fails when the credentials have no user name', () => {
    const chart = Testing.chart();
    const secret = kplus.Secret.fromSecretName(chart, 'creds', 'db-credentials');
    expect(() => new Postgres(chart, 'db', { credentials: DataStoreCredentials.fromPasswordSecret(secret) })).toThrow(new Error(
      `${WHERE}: invalid 'credentials': "DataStoreCredentials.fromPasswordSecret()". Must have a user name key: the server's POSTGRES_USER `
      + 'is read from the key consumers read their user name from. Use DataStoreCredentials.fromSecret(secret, { usernameKey, passwordKey }).'));
  });

  test('fails when there are no credentials', () => {
    const chart = Testing.chart();
    expect(() => new Postgres(chart, 'db', {} as PostgresProps)).toThrow(/invalid 'credentials': undefined. A database without a password is not offered/);
  });

  test('fails with more than one replica: streaming replicas are readReplicas', () => {
    expect(() => build({ replicas: 3 })).toThrow(
      `${WHERE}: invalid 'replicas': 3. Must be 0 or 1: more replicas would be independent servers with their own data; streaming replicas are 'readReplicas', `
      + 'and automatic failover needs an operator such as CloudNativePG. Set \'readReplicas\' to 2 with \'replicationCredentials\' (and leave \'replicas\' out), '
      + 'or run a replicated cluster with an operator and describe it with DataStore.fromDataStoreAttributes()');
    expect(() => build({ replicas: 0 })).not.toThrow();
  });

  test('fails when the memory limit is too small', () => {
    expect(() => build({ resources: { memory: { limit: Size.mebibytes(128) } } })).toThrow(
      new RegExp(`^${WHERE}: invalid 'resources.memory.limit': "128Mi". Must be at least 256Mi`));
  });

  test('fails when the database name needs quoting', () => {
    expect(() => build({ database: 'Orders' })).toThrow(/invalid 'database': "Orders". Must be lower case/);
    expect(() => build({ database: 'order' })).toThrow(/invalid 'database': "order". Must not be a reserved PostgreSQL keyword/);
    expect(() => build({ database: 'my-db' })).toThrow(/invalid 'database': "my-db". Must be a plain SQL identifier/);
  });

  test('fails when a user name in a Secret the app renders needs quoting', () => {
    const chart = Testing.chart();
    const secret = new kplus.Secret(chart, 'creds', { metadata: { name: 'db-credentials' }, stringData: { username: 'Admin', password: 'x' } });
    new Postgres(chart, 'db', { credentials: DataStoreCredentials.fromSecret(secret) });
    expect(() => Testing.synth(chart)).toThrow(
      /invalid 'credentials.usernameKey \("username" of the Secret "db-credentials"\)': "Admin". Must be lower case/);
  });

  test('fails when an init script key would be ignored', () => {
    const chart = Testing.chart();
    const secret = kplus.Secret.fromSecretName(chart, 'creds', 'db-credentials');
    const init = new kplus.ConfigMap(chart, 'init', { data: { 'schema.txt': 'x' } });
    new Postgres(chart, 'db', { credentials: DataStoreCredentials.fromSecret(secret), initSql: init });
    expect(() => Testing.synth(chart)).toThrow(/invalid 'initSql': "schema.txt". Every key must end in .sql/);
  });

  test('fails when the version is not a pinned tag', () => {
    expect(() => PostgresVersion.of('17')).toThrow(/PostgresVersion.of\(\): invalid 'tag': "17". Must be a pinned tag/);
    expect(() => PostgresVersion.of('14.10')).toThrow(/Must be PostgreSQL 15 or later/);
    expect(() => PostgresVersion.of('17.2-alpine')).toThrow(/Alpine images are not supported/);
  });

  test('fails when /tmp is turned off or fsGroup changed', () => {
    expect(() => build({ writableTmp: false })).toThrow(/invalid 'writableTmp': false. PostgreSQL needs a writable \/tmp/);
    expect(() => build({ securityContext: { fsGroup: 1000 } })).toThrow(/invalid 'securityContext.fsGroup': 1000. Must be 999/);
  });

  test('fails when the image registry is invalid', () => {
    expect(() => build({ image: { registry: 'https://x' } })).toThrow(/invalid 'image.registry'/);
  });

  describe('image options', () => {
    test.each([
      ['r:5000', 'postgres'],
      ['localhost:5000', 'db'],
      ['registry.example.com:5000', 'my-org/db_images/postgres.v2'],
    ])('registry %p and repository %p are accepted', (registry, repository) => {
      expect(container(synthValid(build({ image: { registry, repository } }).chart)).image).toBe(`${registry}/${repository}:17.11`);
      expect(engineImage('X', 'image', { registry, repository }, 'library/postgres', '17.11')).toBe(`${registry}/${repository}:17.11`);
    });

    test('the registry error says what to give', () => {
      expect(() => build({ image: { registry: 'https://x' } })).toThrow(new Error(
        `${WHERE}: invalid 'image.registry': "https://x". Must be a registry host name with an optional port, e.g. "registry.example.com:5000". `
        + 'Give the host only, without a scheme or a path.'));
    });

    test('a bare host name would be a Docker Hub namespace: refused, except localhost', () => {
      expect(() => build({ image: { registry: 'mirror' } })).toThrow(new RegExp(
        `^${WHERE}: invalid 'image.registry': "mirror". Must contain a "." or a port, or be "localhost": the container runtime reads a bare name as a Docker Hub namespace`));
      expect(container(synthValid(build({ image: { registry: 'localhost' } }).chart)).image).toBe('localhost/library/postgres:17.11');
    });

    test.each(['Library/postgres', 'library/postgres:17', 'my-/postgres', '/postgres'])('repository %p is refused', repository => {
      expect(() => build({ image: { repository } })).toThrow(new Error(
        `${WHERE}: invalid 'image.repository': "${repository}". Must be a repository path of lower-case path components, e.g. "library/postgres". `
        + 'Give the path without the registry and without a tag.'));
    });
  });
  describe('logical backups (the engine hook)', () => {
    const jobs = (manifests: any[]) => [findOne(manifests, 'CronJob'), findOne(manifests, 'Job')]
      .map(o => (o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec));

    test('the Jobs run the server\'s image as 999, and read the superuser\'s name and password as files of the Secret', () => {
      // GIVEN
      const { chart, db } = build({ database: 'orders', version: PostgresVersion.V16 });

      // WHEN
      const backup = db.addBackup('nightly', { schedule: Cron.daily() });
      db.addRestore('restore', { backup, dump: '20250301T023000Z' });

      // THEN
      const manifests = synthValid(chart);
      expect(db.image).toBe(container(manifests).image);
      expect(db.image).toMatch(/^docker\.io\/library\/postgres:16\./);
      for (const spec of jobs(manifests)) {
        const c = spec.containers[0];
        expect(c.image).toBe(db.image);
        expect(c.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999 });
        expect(spec.securityContext.fsGroup).toBe(999);
        expect(c.env).toEqual(expect.arrayContaining([
          { name: 'PGDATABASE', value: 'orders' },
          { name: 'PG_CREDENTIALS', value: '/run/secrets/postgres-backup' },
        ]));
        expect(c.env.filter((e: any) => e.valueFrom?.secretKeyRef)).toEqual([]);
        expect(c.volumeMounts).toContainEqual({ mountPath: '/run/secrets/postgres-backup', name: 'postgres-backup-credentials', readOnly: true });
        expect(spec.volumes).toContainEqual({
          name: 'postgres-backup-credentials',
          secret: { secretName: 'db-credentials', defaultMode: 0o440, items: [{ key: 'password', path: 'password' }, { key: 'username', path: 'username' }] },
        });
        for (const violation of restrictedViolations(spec)) throw new Error(violation);
      }
      expect(findOne(manifests, 'CronJob').spec.jobTemplate.spec.template.spec.containers[0].env)
        .toContainEqual({ name: 'BACKUP_DETAILS', value: 'database=orders major=16' });
    });

    test('the credentials\' own keys', () => {
      const chart = Testing.chart();
      const secret = kplus.Secret.fromSecretName(chart, 'creds', 'db-credentials');
      const db = new Postgres(chart, 'db', { metadata: { name: 'db' }, credentials: DataStoreCredentials.fromSecret(secret, { usernameKey: 'user', passwordKey: 'pass' }) });
      db.addBackup('nightly', { schedule: Cron.daily() });
      const volume = findOne(synthValid(chart), 'CronJob').spec.jobTemplate.spec.template.spec.volumes.find((v: any) => v.secret);
      expect(volume.secret.items).toEqual([{ key: 'pass', path: 'password' }, { key: 'user', path: 'username' }]);
    });

    test('the scripts: pg_dump -Fc of the database and the roles; the restore renames a complete database into place', () => {
      const { chart, db } = build();
      const backup = db.addBackup('nightly', { schedule: Cron.daily() });
      db.addRestore('restore', { backup, dump: '20250301T023000Z' });
      const [dump, restore] = jobs(synthValid(chart)).map(spec => spec.containers[0].command[2]);
      expect(dump).toContain('pg_dump -w -Fc --no-tablespaces -f "$BACKUP_DIR/database.pgdump" -d "$PGDATABASE"');
      expect(dump).toContain('pg_dumpall -w --globals-only --no-tablespaces -l postgres -f "$BACKUP_DIR/globals.sql"');
      expect(dump).not.toContain('PGPASSWORD');
      expect(restore).toContain('pg_restore -w --exit-on-error --no-tablespaces -d "$restoring" "$BACKUP_DIR/database.pgdump"');
      expect(restore).toContain('ALTER DATABASE :"tmp" RENAME TO :"db";');
    });
  });
});

describe('read replicas (streaming replication)', () => {
  const withReplicas = (props: Partial<PostgresProps> = {}, replicationSecret?: (chart: any) => kplus.ISecret) => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'accounts' });
    const secret = kplus.Secret.fromSecretName(chart, 'creds', 'db-credentials');
    const repl = replicationSecret ? replicationSecret(chart) : kplus.Secret.fromSecretName(chart, 'repl', 'db-replication');
    const db = new Postgres(chart, 'db', {
      metadata: { name: 'db' },
      credentials: DataStoreCredentials.fromSecret(secret),
      readReplicas: 2,
      replicationCredentials: DataStoreCredentials.fromSecret(repl),
      ...props,
    });
    return { chart, db };
  };
  const HOSTS = [0, 1, 2].map(i => `db-${i}.db.accounts.svc.cluster.local`);
  const init = (manifests: any[]) => podSpec(manifests).initContainers.find((c: any) => c.name === 'postgres-replication');

  test('readReplicas: 2', () => {
    // GIVEN
    const { chart, db } = withReplicas();

    // WHEN
    const manifests = synthValid(chart);

    // THEN
    expect(manifests).toMatchSnapshot();
    const sts = findOne(manifests, 'StatefulSet', 'db');
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(sts.metadata.annotations).toMatchObject({ 'cdk8s-stateful/replication': 'streaming' });
    expect(restrictedViolations(podSpec(manifests))).toEqual([]);
    expect(findOne(manifests, 'Service', 'db').spec.publishNotReadyAddresses).toBe(true);

    // the init container: the server's image, env and args, and its own
    const c = init(manifests);
    expect(c.image).toBe(container(manifests).image);
    expect(c.command.slice(0, 2)).toEqual(['bash', '-c']);
    expect(c.args).toEqual(container(manifests).args);
    expect(c.env).toEqual(expect.arrayContaining([
      { name: 'POSTGRES_REPLICATION_USER', valueFrom: { secretKeyRef: { name: 'db-replication', key: 'username' } } },
      { name: 'POSTGRES_PRIMARY_HOST', value: HOSTS[0] },
      { name: 'POSTGRES_PEER_HOSTS', value: HOSTS.slice(1).join(',') },
    ]));
    expect(c.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'postgres-replication', mountPath: '/run/postgres-replication' },
      { name: 'postgres-replication-secret', mountPath: '/run/secrets/postgres-replication', readOnly: true },
    ]));
    const script: string = c.command[2];
    expect(script).toContain('docker-ensure-initdb.sh postgres "$@"');
    expect(script).toContain('line="host replication $user all scram-sha-256"');
    expect(script).toContain('pg_basebackup -h "$primary" -p "$port" -U "$user" -w -D "$PGDATA.clone" -X stream -c fast');
    expect(script).toContain('touch "$PGDATA/standby.signal"');
    expect(script).toContain('refusing to initialize an empty primary');

    // the password as a file of a Secret volume only, never in the environment
    expect(podSpec(manifests).volumes).toEqual(expect.arrayContaining([
      { name: 'postgres-replication', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
      { name: 'postgres-replication-secret', secret: { secretName: 'db-replication', items: [{ key: 'password', path: 'password' }], defaultMode: 0o440 } },
    ]));
    expect(JSON.stringify(c.env)).not.toContain('"key":"password"}');

    // the server: wal_keep_size (a tenth of the 10Gi claim, at most 1GB), the password file read-only, a standby-aware readiness
    const server = container(manifests);
    expect(server.args).toEqual(expect.arrayContaining(['-c', 'wal_keep_size=1024MB']));
    expect(server.volumeMounts).toContainEqual({ name: 'postgres-replication', mountPath: '/run/postgres-replication', readOnly: true });
    expect(server.readinessProbe.exec.command[2]).toContain('case "$r" in primary|"standby streaming") exit 0 ;; esac');

    // the read Service reaches every pod; consumers reach the primary
    const read = findOne(manifests, 'Service', 'db-read');
    expect(read.spec.selector).toEqual(findOne(manifests, 'StatefulSet', 'db').spec.selector.matchLabels);
    expect(read.spec.ports).toEqual([{ name: 'postgres', port: 5432, protocol: 'TCP', targetPort: 'postgres' }]);
    expect(db.readService!.name).toBe('db-read');
    expect(db.readReplicas).toBe(2);
    expect(db.endpoint.hostname).toBe(HOSTS[0]);
    expect(db.replicationCredentials!.secret.name).toBe('db-replication');
  });

  test('consumers reach the primary Service when there is one', () => {
    const { db } = withReplicas({ primaryService: {} });
    expect(db.endpoint.hostname).toBe(db.primaryService!.endpoint.hostname);
  });

  test('wal_keep_size follows the claim: a tenth, at least 64MB', () => {
    expect(container(synthValid(withReplicas({ storage: Size.gibibytes(2) }).chart)).args).toContain('wal_keep_size=204MB');
    expect(container(synthValid(withReplicas({ storage: Size.mebibytes(100) }).chart)).args).toContain('wal_keep_size=64MB');
  });

  test('replicationCredentials without readReplicas: the role is kept ready, no read Service', () => {
    const { chart, db } = withReplicas({ readReplicas: 0 });
    const manifests = synthValid(chart);
    expect(findOne(manifests, 'StatefulSet', 'db').spec.replicas).toBe(1);
    expect(init(manifests)).toBeDefined();
    expect(db.readService).toBeUndefined();
    expect(manifests.filter(m => m.kind === 'Service').map(m => m.metadata.name)).toEqual(['db']);
  });

  test('fails when readReplicas has no replication credentials', () => {
    expect(() => build({ readReplicas: 1 })).toThrow(
      `${WHERE}: invalid 'readReplicas': 1. Needs 'replicationCredentials': the replicas authenticate to the primary as a replication role of their own, whose password must come from a Secret. `
      + 'Set \'replicationCredentials\' to DataStoreCredentials.fromSecret(secret) with the role\'s user name and password, or set \'readReplicas\' to 0');
  });

  test('fails when readReplicas and replicas are both set', () => {
    expect(() => withReplicas({ replicas: 3 })).toThrow(/invalid 'replicas': 3\. Cannot be combined with 'readReplicas': the StatefulSet runs 'readReplicas' \+ 1 pods\. Leave 'replicas' out/);
  });

  test.each([-1, 1.5])('fails when readReplicas is %p', n => {
    expect(() => withReplicas({ readReplicas: n })).toThrow(/invalid 'readReplicas'/);
  });

  test('fails when the replication credentials have no user name', () => {
    const chart = Testing.chart();
    const secret = kplus.Secret.fromSecretName(chart, 'creds', 'db-credentials');
    expect(() => new Postgres(chart, 'db', {
      credentials: DataStoreCredentials.fromSecret(secret),
      readReplicas: 1,
      replicationCredentials: DataStoreCredentials.fromPasswordSecret(kplus.Secret.fromSecretName(chart, 'repl', 'repl')),
    })).toThrow(/invalid 'replicationCredentials': "DataStoreCredentials.fromPasswordSecret\(\)". Must have a user name key/);
  });

  test('fails when the replication role is the superuser', () => {
    const chart = Testing.chart();
    const secret = kplus.Secret.fromSecretName(chart, 'creds', 'db-credentials');
    expect(() => new Postgres(chart, 'db', {
      credentials: DataStoreCredentials.fromSecret(secret),
      readReplicas: 1,
      replicationCredentials: DataStoreCredentials.fromSecret(secret),
    })).toThrow(/invalid 'replicationCredentials': The superuser's Secret and user name key \("username"\)\. Must name another role than the superuser/);
  });

  test('fails at synthesis when a rendered Secret names the superuser, or no plain identifier, as the replication role', () => {
    const same = withReplicas({}, chart => new kplus.Secret(chart, 'repl', { metadata: { name: 'repl' }, stringData: { username: 'Bad-Name', password: 'x' } }));
    expect(() => Testing.synth(same.chart)).toThrow(/replicationCredentials\.usernameKey \("username" of the Secret "repl"\)/);
  });

  test('fails when the image lacks docker-ensure-initdb.sh', () => {
    expect(() => withReplicas({ version: PostgresVersion.of('15.5') })).toThrow(
      /invalid 'version': "15\.5"\. Must be 15\.6 or later with 'readReplicas' or 'replicationCredentials'/);
  });

  test('fails when the headless Service would hide pods that are not Ready', () => {
    expect(() => withReplicas({ headlessService: { publishNotReadyAddresses: false } })).toThrow(
      /invalid 'headlessService\.publishNotReadyAddresses': false\. Must be true with 'readReplicas'/);
  });
});

describe('Postgres TLS', () => {
  const tls = (required?: boolean) => ({
    required,
    certificate: PresetCertificate.fromCertManager({ issuer: { name: 'ca', kind: CertManagerIssuerKind.CLUSTER_ISSUER } }),
  });
  const shop = () => new Chart(Testing.app(), 'test', { namespace: 'shop' });
  const db = (chart: Chart, required?: boolean) => new Postgres(chart, 'db', {
    metadata: { name: 'db' }, credentials: DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(chart, 'creds', 'db-credentials')), tls: tls(required),
  });

  test('required (the default): ssl on with the mounted certificate, and the library\'s pg_hba.conf with hostssl only', () => {
    // GIVEN
    const chart = shop();

    // WHEN
    db(chart);
    const manifests = synthValid(chart);

    // THEN
    const c = container(manifests);
    expect(c.args.join(' ')).toContain('-c ssl=on -c ssl_cert_file=/run/secrets/tls/tls.crt -c ssl_key_file=/run/secrets/tls/tls.key -c hba_file=/etc/postgresql-hba/pg_hba.conf');
    const hba: string = findOne(manifests, 'ConfigMap', 'db-hba').data['pg_hba.conf'];
    expect(hba).toContain('hostssl  all          all   all           scram-sha-256');
    expect(hba).not.toMatch(/^host\s+all\s+all\s+all/m);
    expect(c.volumeMounts).toContainEqual({ name: 'postgres-hba', mountPath: '/etc/postgresql-hba', readOnly: true });
    const sidecar = podSpec(manifests).containers.find((x: any) => x.name === 'tls-reload');
    expect(sidecar.command[2]).toContain('SELECT pg_reload_conf()');
    expect(sidecar.command[2]).toContain('/etc/postgresql-hba/pg_hba.conf');
    expect(restrictedViolations(podSpec(manifests))).toEqual([]);
  });

  test('not required: ssl on, the image\'s own pg_hba.conf (plain connections still accepted)', () => {
    // GIVEN
    const chart = shop();

    // WHEN
    db(chart, false);
    const manifests = synthValid(chart);

    // THEN
    expect(container(manifests).args).toContain('ssl=on');
    expect(container(manifests).args.join(' ')).not.toContain('hba_file');
    expect(manifests.filter(m => m.kind === 'ConfigMap' && m.metadata.name === 'db-hba')).toEqual([]);
  });

  test('backups and restores verify the server with the connection\'s CA (verify-full)', () => {
    // GIVEN
    const chart = shop();
    const store = db(chart);

    // WHEN
    const backup = store.addBackup('nightly', { schedule: Cron.daily() });
    store.addRestore('restore', { backup, dump: '20250301T023000Z' });
    const manifests = synthValid(chart);

    // THEN
    const scripts = [
      findOne(manifests, 'CronJob').spec.jobTemplate.spec.template.spec.containers[0].command[2],
      manifests.find(m => m.kind === 'Job' && m.metadata.name.startsWith('db-restore-')).spec.template.spec.containers[0].command[2],
    ];
    for (const script of scripts) {
      expect(script).toContain('STORE_CA_FILE="${DB_CA_FILE:-}"');
      expect(script).toContain('PGSSLMODE=verify-full PGSSLROOTCERT="$STORE_CA_FILE"');
    }
  });
});

describe('Postgres: objects its pods read must be in their namespace', () => {
  const shop = () => new Chart(Testing.app(), 'shop', { namespace: 'shop' });

  test('fails when the credentials Secret is rendered in another namespace, naming the prop, the Secret and both namespaces', () => {
    // GIVEN
    const chart = shop();
    const secret = new kplus.Secret(chart, 'creds', { metadata: { name: 'db-credentials', namespace: 'vault' }, stringData: { username: 'app', password: 'x' } });

    // WHEN
    new Postgres(chart, 'db', { metadata: { name: 'db' }, credentials: DataStoreCredentials.fromSecret(secret) });

    // THEN
    expect(() => Testing.synth(chart)).toThrow(
      "Postgres 'shop/db': invalid 'credentials': \"Secret db-credentials in vault\". Must be in the namespace of the store's pods, \"shop\": "
      + 'a pod reads Secrets of its own namespace only, so the pods would never start (CreateContainerConfigError). '
      + 'The Secret "db-credentials" is rendered in "vault". Render the Secret in namespace "shop" (metadata.namespace, or its chart\'s), or move the store to "vault".');
  });

  test('fails when the store is in another namespace than its chart and the Secret', () => {
    const chart = shop();
    const secret = new kplus.Secret(chart, 'creds', { metadata: { name: 'db-credentials' }, stringData: { username: 'app', password: 'x' } });
    new Postgres(chart, 'db', { metadata: { name: 'db', namespace: 'data' }, credentials: DataStoreCredentials.fromSecret(secret) });
    expect(() => Testing.synth(chart)).toThrow(/invalid 'credentials': "Secret db-credentials in shop"\. Must be in the namespace of the store's pods, "data"/);
  });

  test('fails when the init scripts ConfigMap is rendered in another namespace', () => {
    const chart = shop();
    const initSql = new kplus.ConfigMap(chart, 'init', { metadata: { namespace: 'other' }, data: { '01.sql': 'SELECT 1;' } });
    new Postgres(chart, 'db', { metadata: { name: 'db' }, credentials: DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(chart, 'c', 'c')), initSql });
    expect(() => Testing.synth(chart)).toThrow(/Postgres 'shop\/db': invalid 'initSql': "ConfigMap shop-init-c8[0-9a-f]+ in other"\. Must be in the namespace of the store's pods, "shop": a pod reads ConfigMaps of its own namespace only/);
  });

  test('a Secret in the same namespace, or imported (its namespace is unknown), passes', () => {
    const chart = shop();
    const secret = new kplus.Secret(chart, 'creds', { metadata: { name: 'db-credentials' }, stringData: { username: 'app', password: 'x' } });
    new Postgres(chart, 'db', { metadata: { name: 'db' }, credentials: DataStoreCredentials.fromSecret(secret) });
    new Postgres(chart, 'other', { metadata: { name: 'other' }, credentials: DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(chart, 'c', 'c')) });
    expect(() => synthValid(chart)).not.toThrow();
  });

  test('no namespace anywhere passes', () => {
    const chart = Testing.chart();
    const secret = new kplus.Secret(chart, 'creds', { metadata: { name: 'db-credentials' }, stringData: { username: 'app', password: 'x' } });
    new Postgres(chart, 'db', { metadata: { name: 'db' }, credentials: DataStoreCredentials.fromSecret(secret) });
    expect(() => synthValid(chart)).not.toThrow();
  });
});

describe('Postgres TLS with read replicas', () => {
  test('fails when tls is combined with readReplicas, naming the prop and the way out', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'accounts' });
    expect(() => new Postgres(chart, 'db', {
      metadata: { name: 'db' },
      credentials: DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(chart, 'creds', 'db-credentials')),
      readReplicas: 1,
      replicationCredentials: DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(chart, 'repl', 'db-replication')),
      tls: { certificate: PresetCertificate.fromCertManager({ issuer: { name: 'ca', kind: CertManagerIssuerKind.CLUSTER_ISSUER } }) },
    })).toThrow(/^Postgres 'test\/db': invalid 'tls': "set"\. Cannot be combined with 'readReplicas' yet: .* Leave 'tls' out with read replicas .*, or leave 'readReplicas' out\.$/);
  });
});
