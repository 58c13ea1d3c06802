import { Chart, ChartProps, Size } from 'cdk8s';
import { Secret } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { addUserManager, UserManager } from './user-db-migration';
import { DataStoreCredentials, Postgres } from 'cdk8s-stateful';

/** The database `user-manager` keeps its data in. */
export const USER_DB_DATABASE = 'user_manager';

/**
 * The user database as the `Postgres` preset: StatefulSet and headless Service `user-db`,
 * PostgreSQL 17 with the database `user_manager`, one claim of `storage` (1Gi by default), the
 * superuser's name and password from the credentials Secret (keys `username`, `password`).
 */
export function addUserDb(scope: Construct, credentials: DataStoreCredentials, storage: Size = Size.gibibytes(1)): Postgres {
  return new Postgres(scope, 'user-db', {
    metadata: { name: 'user-db' },
    credentials,
    database: USER_DB_DATABASE,
    storage,
  });
}

/**
 * `user-db`: PostgreSQL (`Postgres` preset) in the namespace `accounts`, with the database
 * `user_manager` on a 1Gi claim, and the `user-manager` Deployment wired to it through a
 * `DataStoreConnection` (`USER_DB_SERVICE_HOST`, `USER_DB_SERVICE_PORT`, `USER_DB_USERNAME`,
 * `USER_DB_PASSWORD`). The credentials Secret `user-db-credentials` (keys `username`,
 * `password`) is created outside the chart: the library never generates passwords.
 */
export class UserDbExample extends Chart {
  /** The database. */
  public readonly database: Postgres;
  /** The consumer and its connection. */
  public readonly userManager: UserManager;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'accounts', ...props });
    const credentials = DataStoreCredentials.fromSecret(Secret.fromSecretName(this, 'credentials', 'user-db-credentials'));
    this.database = addUserDb(this, credentials);
    this.userManager = addUserManager(this, this.database);
  }
}
