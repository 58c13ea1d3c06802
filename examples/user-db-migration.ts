import { ApiObject, Chart, ChartProps, JsonPatch, Size } from 'cdk8s';
import { Cpu, Deployment, EnvValue, ImagePullPolicy, Probe, Secret, Volume } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  ConnectionTarget,
  DataStoreConnection,
  DataStoreCredentials,
  ExternalService,
  IDataStore,
  StatefulWorkload,
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
 * `USER_DB_SERVICE_HOST` and `USER_DB_SERVICE_PORT` (and its credentials from `USER_DB_USERNAME`
 * and `USER_DB_PASSWORD`), wherever the database lives:
 *
 * - `database: 'external'`: a managed PostgreSQL at `users-db.prod.example.com`, reached in the
 *   cluster as the ExternalName Service `user-db` (host `user-db.users.svc.cluster.local`);
 * - `database: 'in-cluster'`: the StatefulWorkload `user-db`, PostgreSQL with a 10Gi claim per
 *   replica; the consumer talks to the primary, `user-db-0.user-db.users.svc.cluster.local`.
 *
 * `addUserManager()` is the consumer code, the same in both: the `user-manager` Deployment and
 * the ConfigMap `user-db-connection` come out identical except for the host name. The credentials
 * Secret `user-db-credentials` (keys `username`, `password`) is created outside the chart (by
 * External Secrets, Sealed Secrets or `kubectl create secret`): never generate passwords at
 * synth time.
 */
export class UserDbMigrationExample extends Chart {
  /** The user database: an `ExternalService` or a `StatefulWorkload`. */
  public readonly database: IDataStore;
  /** The Deployment `user-manager`. */
  public readonly userManager: Deployment;

  constructor(scope: Construct, id: string, props: UserDbMigrationProps) {
    super(scope, id, { namespace: 'users', ...props });

    const credentials = DataStoreCredentials.fromSecret(Secret.fromSecretName(this, 'credentials', 'user-db-credentials'));
    this.database = props.database === 'external'
      ? new ExternalService(this, 'user-db', {
        metadata: { name: 'user-db' },
        externalName: 'users-db.prod.example.com',
        ports: [{ name: 'postgres', port: 5432 }],
        credentials,
      })
      : inClusterUserDb(this, credentials);

    this.userManager = addUserManager(this, this.database);
  }
}

/**
 * The consumer: a `user-manager` Deployment wired to the user database, whichever kind of store it
 * is.
 */
export function addUserManager(scope: Construct, userDb: IDataStore): Deployment {
  const deployment = new Deployment(scope, 'user-manager', {
    metadata: { name: 'user-manager' },
    replicas: 2,
    containers: [{
      name: 'user-manager',
      image: 'registry.example.com/users/user-manager:1.4.0',
      imagePullPolicy: ImagePullPolicy.IF_NOT_PRESENT,
      portNumber: 8080,
      securityContext: { user: 1000, group: 1000 },
      readiness: Probe.fromHttpGet('/healthz', { port: 8080 }),
      resources: {
        cpu: { request: Cpu.millis(100) },
        memory: { request: Size.mebibytes(256), limit: Size.mebibytes(256) },
      },
    }],
  });

  new DataStoreConnection(scope, 'user-db-connection', {
    store: userDb,
    // the variable names are the consumer's contract: pin them rather than derive them
    prefix: 'USER_DB',
    // writes go to the primary: pod 0 in the cluster, the managed database's host outside it
    target: ConnectionTarget.PRIMARY,
    metadata: { name: 'user-db-connection' },
    consumers: [deployment.containers[0]],
  });

  // restricted profile: cdk8s-plus-27 has no setting for a seccomp profile, and its Capability
  // enum has no "ALL" (its names carry the CAP_ prefix, which Kubernetes does not use)
  ApiObject.of(deployment).addJsonPatch(
    JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
    JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }));
  // calm under Argo CD: cdk8s-plus-27 writes zero values the API server drops (int32 and bool
  // fields with omitempty), so the live Deployment would never equal the rendered one
  ApiObject.of(deployment).addJsonPatch(
    JsonPatch.remove('/spec/minReadySeconds'),
    JsonPatch.remove('/spec/template/spec/hostNetwork'));
  return deployment;
}

/** PostgreSQL 16 as a StatefulWorkload `user-db`, with the same credentials Secret. */
function inClusterUserDb(scope: Construct, credentials: DataStoreCredentials): StatefulWorkload {
  const secret = credentials.secret;
  return new StatefulWorkload(scope, 'user-db', {
    metadata: { name: 'user-db' },
    credentials,
    // the postgres image's user and group
    securityContext: { fsGroup: 999 },
    containers: [{
      name: 'postgres',
      image: 'docker.io/library/postgres:16.4',
      ports: [{ name: 'postgres', number: 5432 }],
      securityContext: { user: 999, group: 999 },
      envVariables: {
        POSTGRES_USER: EnvValue.fromSecretValue({ secret, key: credentials.usernameKey }),
        POSTGRES_PASSWORD: EnvValue.fromSecretValue({ secret, key: credentials.passwordKey }),
        PGDATA: EnvValue.fromValue('/var/lib/postgresql/data/pgdata'),
      },
      // the root file system is read-only: the server's socket directory needs its own volume
      volumeMounts: [{ path: '/var/run/postgresql', volume: Volume.fromEmptyDir(scope, 'user-db-run', 'run') }],
      readiness: Probe.fromCommand(['pg_isready', '--host', '/var/run/postgresql']),
    }],
    volumeClaimTemplates: [{
      name: 'data',
      storage: Size.gibibytes(10),
      mountPath: '/var/lib/postgresql/data',
    }],
  });
}
