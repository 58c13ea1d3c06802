import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  CertManagerIssuerKind,
  DataStoreConnection,
  DataStoreCredentials,
  Postgres,
  PostgresApplicationRoleOptions,
  PresetCertificate,
  SchemaMigration,
} from '../../src';
import { findAll, findOne, synthValid } from '../util/harness';

const WHERE = "Postgres 'test/db'";

interface Build {
  readonly chart: Chart;
  readonly db: Postgres;
  readonly superuser: kplus.Secret;
  readonly app: kplus.Secret;
}

interface BuildProps { readonly replicas?: number; readonly tls?: boolean; readonly appRevision?: string; readonly appName?: string }

const build = (role: Partial<PostgresApplicationRoleOptions> = {}, props: BuildProps = {}): Build => {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
  const superuser = new kplus.Secret(chart, 'superuser', { metadata: { name: 'orders-db-owner' }, stringData: { username: 'orders_owner', password: 'owner-pw' } });
  const app = new kplus.Secret(chart, 'app', { metadata: { name: 'orders-db-app' }, stringData: { username: props.appName ?? 'orders_app', password: 'app-pw' } });
  const db = new Postgres(chart, 'db', {
    metadata: { name: 'orders-db' },
    database: 'orders',
    replicas: props.replicas,
    credentials: DataStoreCredentials.fromSecret(superuser),
    tls: props.tls ? { certificate: PresetCertificate.fromCertManager({ issuer: { name: 'ca', kind: CertManagerIssuerKind.CLUSTER_ISSUER } }) } : undefined,
    applicationRole: { credentials: DataStoreCredentials.fromSecret(app, { revision: props.appRevision }), ...role },
  });
  return { chart, db, superuser, app };
};
const roleJob = (manifests: any[]) => findAll(manifests, 'Job').find(j => j.metadata.name.startsWith('orders-db-app-role-'));

describe('PostgresApplicationRole', () => {
  test('defaults: an init script next to the server\'s, and a Sync-hook Job that sets the role and its password', () => {
    // GIVEN
    const { chart, db } = build();

    // WHEN
    const manifests = synthValid(chart);

    // THEN
    const job = roleJob(manifests);
    expect(job).toMatchSnapshot();
    expect(findOne(manifests, 'ConfigMap', 'orders-db-app-role')).toMatchSnapshot();
    expect(db.applicationRole!.schemas).toEqual(['public']);
    expect(db.applicationRole!.jobName).toBe(job.metadata.name);
    expect(job.metadata.annotations).toMatchObject({ 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' });
    // the password is a file, never a variable
    const container = job.spec.template.spec.containers[0];
    expect(container.env.map((e: any) => e.name)).not.toContain('PGPASSWORD');
    expect(JSON.stringify(job)).not.toContain('app-pw');
    expect(container.env).toContainEqual({ name: 'PGHOST', value: 'orders-db-0.orders-db.shop.svc.cluster.local' });
    // the server's container gets the role's name and password file, and both init scripts
    const server = findOne(manifests, 'StatefulSet').spec.template.spec.containers.find((c: any) => c.name === 'postgres');
    expect(server.env).toContainEqual({ name: 'POSTGRES_APP_ROLE', valueFrom: { secretKeyRef: { name: 'orders-db-app', key: 'username' } } });
    expect(server.volumeMounts.map((m: any) => m.mountPath)).toEqual(expect.arrayContaining(['/run/secrets/postgres-app', '/docker-entrypoint-initdb.d']));
  });

  test('all props: schemas, and TLS (the Job verifies the server with the CA)', () => {
    // GIVEN
    const { chart, db } = build({ schemas: ['orders', 'audit'] }, { tls: true, appRevision: '2' });

    // WHEN
    const manifests = synthValid(chart);

    // THEN
    const job = roleJob(manifests);
    expect(job).toMatchSnapshot();
    expect(db.applicationRole!.schemas).toEqual(['orders', 'audit']);
    const container = job.spec.template.spec.containers[0];
    expect(container.env).toEqual(expect.arrayContaining([
      { name: 'PGSSLMODE', value: 'verify-full' },
      { name: 'PGSSLROOTCERT', value: '/run/secrets/tls/ca.crt' },
    ]));
    expect(job.spec.template.spec.volumes).toContainEqual({ name: 'tls-ca', secret: { secretName: 'orders-db-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 } });
    expect(container.command[2]).toContain('GRANT USAGE ON SCHEMA orders TO :"role";');
    expect(container.command[2]).toContain('GRANT USAGE ON SCHEMA audit TO :"role";');
  });

  test('consumers get the role\'s credentials; migrations and backups the superuser\'s', () => {
    // GIVEN
    const { chart, db } = build();
    const app = new kplus.Deployment(chart, 'web', { containers: [{ image: 'registry.example.com/app:1.0.0' }] });

    // WHEN
    const connection = new DataStoreConnection(chart, 'conn', { store: db, consumers: [app.containers[0]] });
    const owner = new DataStoreConnection(chart, 'owner', { store: db, prefix: 'OWNER', credentials: db.ownerCredentials });
    const migration = new SchemaMigration(chart, 'migrate', { store: db, image: 'registry.example.com/migrate:1.0.0' });
    const manifests = synthValid(chart);

    // THEN
    expect(db.credentials!.secret.name).toBe('orders-db-app');
    expect(db.ownerCredentials!.secret.name).toBe('orders-db-owner');
    expect(connection.credentials!.secret.name).toBe('orders-db-app');
    expect(owner.credentials!.secret.name).toBe('orders-db-owner');
    expect(migration.connection.credentials!.secret.name).toBe('orders-db-owner');
    const consumer = findOne(manifests, 'Deployment').spec.template.spec.containers[0];
    expect(consumer.env).toContainEqual({ name: 'ORDERS_DB_USERNAME', valueFrom: { secretKeyRef: { name: 'orders-db-app', key: 'username' } } });
  });

  test('rotation: a new revision renames the Job (a new Job runs) and rolls the consumers', () => {
    // GIVEN
    const manifestsOf = (revision?: string) => {
      const { chart, db } = build({}, { appRevision: revision });
      const app = new kplus.Deployment(chart, 'web', { containers: [{ image: 'registry.example.com/app:1.0.0' }] });
      new DataStoreConnection(chart, 'conn', { store: db, consumers: [app.containers[0]] });
      return synthValid(chart);
    };
    const annotations = (m: any[]) => findOne(m, 'Deployment').spec.template.metadata.annotations;

    // WHEN
    const [one, same, two] = [manifestsOf('1'), manifestsOf('1'), manifestsOf('2')];

    // THEN
    expect(roleJob(same).metadata.name).toBe(roleJob(one).metadata.name);
    expect(roleJob(two).metadata.name).not.toBe(roleJob(one).metadata.name);
    expect(annotations(two)).not.toEqual(annotations(one));
  });

  test('the Job carries no connection checksum: its name hashes what it runs, its template is immutable', () => {
    const { chart } = build();
    const job = roleJob(synthValid(chart));
    const annotations = Object.keys(job.spec.template.metadata?.annotations ?? {});
    expect(annotations.filter(k => k.startsWith('connection.cdk8s-stateful.io/'))).toEqual([]);
  });

  test('no Job while the server runs no replica', () => {
    // GIVEN
    const { chart, db } = build({}, { replicas: 0 });

    // WHEN
    const manifests = synthValid(chart);

    // THEN
    expect(roleJob(manifests)).toBeUndefined();
    expect(db.applicationRole!.job).toBeUndefined();
    expect(findOne(manifests, 'ConfigMap', 'orders-db-app-role')).toBeDefined();
  });

  describe('errors', () => {
    test('fails when the credentials have no user name', () => {
      const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
      const secret = kplus.Secret.fromSecretName(chart, 'owner', 'owner');
      const app = kplus.Secret.fromSecretName(chart, 'app', 'app');
      expect(() => new Postgres(chart, 'db', {
        credentials: DataStoreCredentials.fromSecret(secret), applicationRole: { credentials: DataStoreCredentials.fromPasswordSecret(app) },
      })).toThrow(`${WHERE}: invalid 'applicationRole.credentials': "DataStoreCredentials.fromPasswordSecret()". Must have a user name key`);
    });

    test('fails when the role is the superuser\'s Secret and key', () => {
      const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
      const secret = kplus.Secret.fromSecretName(chart, 'owner', 'owner');
      expect(() => new Postgres(chart, 'db', {
        credentials: DataStoreCredentials.fromSecret(secret), applicationRole: { credentials: DataStoreCredentials.fromSecret(secret) },
      })).toThrow(/invalid 'applicationRole.credentials': "the key \\"username\\" of the superuser's Secret"|invalid 'applicationRole.credentials': "the key "username" of the superuser's Secret". Must name a role other than the superuser/);
    });

    test.each([
      [[], /invalid 'applicationRole.schemas': \[\]. Must list at least one schema/],
      [['pg_catalog'], /invalid 'applicationRole.schemas\[0\]': "pg_catalog". Must be a schema of the application, not a system schema/],
      [['orders', 'orders'], /invalid 'applicationRole.schemas': \["orders","orders"\]. Must not list a schema twice/],
      [['Orders'], /invalid 'applicationRole.schemas\[0\]': "Orders"/],
    ])('fails when schemas are %j', (schemas, error) => {
      expect(() => build({ schemas: schemas as string[] })).toThrow(error);
    });

    test.each([
      ['pg_app', /Must not start with "pg_"/],
      ['public', /invalid 'applicationRole.credentials.usernameKey \("username" of the Secret "orders-db-app"\)': "public"/],
      ['orders_owner', /invalid 'applicationRole.credentials.usernameKey \("username" of the Secret "orders-db-app"\)': "orders_owner". Must differ from the superuser's name/],
    ])('fails when the rendered Secret names the role %s', (name, error) => {
      const { chart } = build({}, { appName: name });
      expect(() => Testing.synth(chart)).toThrow(error);
    });

    test('fails when a connection is given credentials of another store', () => {
      const { chart, db } = build();
      const other = DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(chart, 'other', 'other'));
      expect(() => new DataStoreConnection(chart, 'conn', { store: db, credentials: other }))
        .toThrow(/invalid 'credentials': "test\/other". Must be credentials of the store \(its 'credentials' or 'ownerCredentials'\)/);
    });

    test('fails when a migration is given the consumers\' connection', () => {
      const { chart, db } = build();
      const connection = new DataStoreConnection(chart, 'conn', { store: db });
      expect(() => new SchemaMigration(chart, 'migrate', { store: db, connection, image: 'registry.example.com/migrate:1.0.0' }))
        .toThrow(/invalid 'connection': "test\/conn". Must hand out the store's owner credentials/);
    });
  });
});
