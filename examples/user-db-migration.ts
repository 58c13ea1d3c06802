import { Chart, ChartProps, Size } from 'cdk8s';
import { Deployment, Secret } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { addUserDb, addUserManager, USER_DB_DATABASE } from './user-db';
import {
  DataStoreConnection,
  DataStoreCredentials,
  ExternalService,
  IDataStore,
  SchemaMigration,
  SyncWaves,
} from 'cdk8s-stateful';

/** Where the user database lives. */
export type UserDbLocation = 'external' | 'in-cluster';

/** Props of `UserDbMigrationExample`. */
export interface UserDbMigrationProps extends ChartProps {
  /** The user database outside the cluster (before the migration) or inside it (after). */
  readonly database: UserDbLocation;
}

/**
 * `user-db-migration`: the Deployment `user-manager` reads its database's address from
 * `USER_DB_SERVICE_HOST` and `USER_DB_SERVICE_PORT`, the database name from `USER_DB_DATABASE`
 * (and its credentials from `USER_DB_USERNAME` and `USER_DB_PASSWORD`), wherever the database
 * lives:
 *
 * - `database: 'external'`: a managed PostgreSQL at `users-db.prod.example.com`, reached in the
 *   cluster as the ExternalName Service `user-db` (host `user-db.users.svc.cluster.local`);
 * - `database: 'in-cluster'`: the `Postgres` preset `user-db` (see `UserDbExample`) with a 10Gi
 *   claim; the consumer talks to the primary, `user-db-0.user-db.users.svc.cluster.local`.
 *
 * Both hold the database `user_manager`.
 *
 * `addUserManager()` is the consumer code, the same in both: the `user-manager` Deployment and
 * the ConfigMap `user-db-connection` come out identical except for the host name. The credentials
 * Secret `user-db-credentials` (keys `username`, `password`) is created outside the chart (by
 * External Secrets, Sealed Secrets or `kubectl create secret`): never generate passwords at
 * synth time.
 *
 * `addUserDbMigrations()` adds two schema migrations of the expand/contract kind, as Argo CD
 * `Sync` hooks wired through the consumer's connection: `user-db-001-add-email` adds the nullable
 * column `email` next to `mail` (expand), `user-db-002-backfill-email` copies `mail` into it for
 * the rows user-manager wrote before it wrote both. With sync waves: the connection ConfigMap (1),
 * the database (2), `001` (3), `002` (4), then user-manager (5).
 */
export class UserDbMigrationExample extends Chart {
  /** The user database: an `ExternalService` or a `Postgres`. */
  public readonly database: IDataStore;
  /** The Deployment `user-manager`. */
  public readonly userManager: Deployment;
  /** The schema migrations `user-db-001-add-email` and `user-db-002-backfill-email`, in order. */
  public readonly migrations: SchemaMigration[];

  constructor(scope: Construct, id: string, props: UserDbMigrationProps) {
    super(scope, id, { namespace: 'users', ...props });

    const credentials = DataStoreCredentials.fromSecret(Secret.fromSecretName(this, 'credentials', 'user-db-credentials'));
    this.database = props.database === 'external'
      ? new ExternalService(this, 'user-db', {
        metadata: { name: 'user-db' },
        externalName: 'users-db.prod.example.com',
        ports: [{ name: 'postgres', port: 5432 }],
        credentials,
        // consumers get USER_DB_DATABASE, as from the Postgres preset in the cluster
        connectionProperties: { database: USER_DB_DATABASE },
      })
      : inClusterUserDb(this, credentials);

    const userManager = addUserManager(this, this.database);
    this.userManager = userManager.deployment;
    this.migrations = addUserDbMigrations(this, this.database, userManager.connection);

    // Argo CD: the connection ConfigMap (1), the database (2), the migrations (3, and 4 for the
    // backfill, which needs the column of the first), then user-manager (5)
    SyncWaves.enable(this, { consumers: 5 });
    SyncWaves.setWave(this.migrations[1], 4);
  }
}

/**
 * The schema migrations of the user database, run with the official PostgreSQL image's `psql`
 * against the address and credentials the consumer gets (the same connection). Each must be
 * idempotent: Argo CD runs every Sync hook on every sync.
 *
 * Expand/contract: `001` adds `email` (nullable) while user-manager still reads `mail` and writes
 * both; `002` backfills it. A later release switches reads to `email`, and the one after drops
 * `mail` (`003-drop-mail`) once no running version reads it.
 */
export function addUserDbMigrations(scope: Construct, userDb: IDataStore, connection: DataStoreConnection): SchemaMigration[] {
  const migration = (name: string, sql: string) => new SchemaMigration(scope, name, {
    store: userDb,
    connection,
    metadata: { name: `user-db-${name}` },
    image: 'docker.io/library/postgres:16.4',
    // psql reads PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE, all from the connection
    // (USER_DB_DATABASE: the database the Postgres preset creates, or the managed database's, as
    // the ExternalService hands it out). ON_ERROR_STOP makes a failed statement fail the Job.
    command: ['sh', '-c'],
    args: ['PGHOST="$USER_DB_SERVICE_HOST" PGPORT="$USER_DB_SERVICE_PORT" PGUSER="$USER_DB_USERNAME" PGPASSWORD="$USER_DB_PASSWORD" '
      + 'PGDATABASE="$USER_DB_DATABASE" '
      + `exec psql --no-psqlrc -v ON_ERROR_STOP=1 -c '${sql}'`],
    // the postgres image's user: the pod must not run as root
    securityContext: { user: 999, group: 999 },
    podDefaults: { memoryLimit: Size.mebibytes(128) },
  });
  return [
    // expand: a nullable column, so the running version (which does not know it) keeps working
    migration('001-add-email', 'CREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY, mail text); '
      + 'ALTER TABLE users ADD COLUMN IF NOT EXISTS email text'),
    // backfill: rows written before user-manager wrote both columns
    migration('002-backfill-email', 'UPDATE users SET email = mail WHERE email IS NULL AND mail IS NOT NULL'),
  ];
}

/** The in-cluster user database: the `Postgres` preset of the `user-db` example, with a 10Gi claim. */
function inClusterUserDb(scope: Construct, credentials: DataStoreCredentials): IDataStore {
  return addUserDb(scope, credentials, Size.gibibytes(10));
}
