import { Chart, ChartProps, Cron, Size } from 'cdk8s';
import { Cpu, Deployment, LabelSelector, Probe, Secret } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  CertManagerIssuerKind,
  ConnectionTarget,
  DataStoreConnection,
  DataStoreCredentials,
  IDataStore,
  NetworkPeer,
  LogicalBackup,
  LogicalRestore,
  NetworkPolicies,
  PodDefaults,
  Postgres,
  PostgresProps,
  PostgresVersion,
  PresetCertificate,
} from 'cdk8s-stateful';

/** Where the examples' metrics are scraped from: every pod of the namespace `monitoring` (kube-prometheus-stack). */
export const PROMETHEUS = NetworkPeer.namespaceNamed('monitoring');

/** The database `user-manager` keeps its data in. */
export const USER_DB_DATABASE = 'user_manager';

/**
 * The user database as the `Postgres` preset: StatefulSet and headless Service `user-db`,
 * PostgreSQL 17 with the database `user_manager`, one claim of `storage` (1Gi by default), the
 * superuser's name and password from the credentials Secret (keys `username`, `password`).
 */
export function addUserDb(scope: Construct, credentials: DataStoreCredentials, storage: Size = Size.gibibytes(1),
  security: Pick<PostgresProps, 'tls' | 'applicationRole'> = {}): Postgres {
  return new Postgres(scope, 'user-db', {
    metadata: { name: 'user-db' },
    credentials,
    database: USER_DB_DATABASE,
    storage,
    ...security,
  });
}

/** The cert-manager issuer that signs the user database's certificate (a `ClusterIssuer` of the platform). */
export const USER_DB_ISSUER = 'internal-ca';

/**
 * TLS and the application role of the user database (once per chart): TLS required, with a
 * certificate from cert-manager for the pods' and Services' names; consumers connect as the role
 * of the Secret `user-db-app` (keys `username`, `password`, created outside the chart), not as the
 * superuser. To rotate the role's password: change the Secret, then the revision.
 */
export function userDbSecurity(scope: Construct): Pick<PostgresProps, 'tls' | 'applicationRole'> {
  return {
    tls: { certificate: PresetCertificate.fromCertManager({ issuer: { name: USER_DB_ISSUER, kind: CertManagerIssuerKind.CLUSTER_ISSUER } }) },
    applicationRole: {
      credentials: DataStoreCredentials.fromSecret(Secret.fromSecretName(scope, 'app-credentials', 'user-db-app'), { revision: '1' }),
    },
  };
}

/** Props of `UserDbExample`. */
export interface UserDbExampleProps extends ChartProps {
  /**
   * Restore this dump of the nightly backup (its name, the UTC time the backup started): the
   * alternative `user-db-restore` in `dist/alternatives/`.
   *
   * @default - no restore
   */
  readonly restoreDump?: string;
}

/**
 * `user-db`: PostgreSQL (`Postgres` preset) in the namespace `accounts`, with the database
 * `user_manager` on a 1Gi claim, and the `user-manager` Deployment wired to it through a
 * `DataStoreConnection` (`USER_DB_SERVICE_HOST`, `USER_DB_SERVICE_PORT`, `USER_DB_DATABASE`,
 * `USER_DB_USERNAME`, `USER_DB_PASSWORD`, `USER_DB_CA_FILE`, `USER_DB_SSLMODE`); its pods wait for the database (the init container
 * `wait-for-user-db`) when everything is applied at once. The credentials Secret
 * `user-db-credentials` (keys `username`, `password`) is created outside the chart: the library
 * never generates passwords.
 *
 * TLS is required: cert-manager issues the certificate (`Certificate` `user-db-tls`, from the
 * `ClusterIssuer` `internal-ca`), PostgreSQL accepts TLS connections only from other pods, and
 * `user-manager` gets the CA (`USER_DB_CA_FILE`) and `USER_DB_SSLMODE=verify-full`. It connects as
 * the application role of the Secret `user-db-app` (keys `username`, `password`, created outside
 * the chart), which may read and write the tables but not change the schema; the superuser stays
 * with the server, the backups and the migrations.
 *
 * A nightly logical backup (CronJob `user-db-nightly`, at 02:30 UTC): `pg_dump` of the database
 * and the roles into the kept claim `user-db-nightly-backups`, the newest 7 kept. With
 * `restoreDump`, a restore of that dump (a Job named after it).
 *
 * Metrics on: a postgres_exporter sidecar in the pod (port `metrics`, 9187), the PodMonitor
 * `user-db` and the PrometheusRule `user-db`, labelled for kube-prometheus-stack's selectors.
 */
export class UserDbExample extends Chart {
  /** The database. */
  public readonly database: Postgres;
  /** The consumer and its connection. */
  public readonly userManager: UserManager;
  /** The nightly backup. */
  public readonly backup: LogicalBackup;
  /**
   * The restore of `restoreDump`.
   *
   * @default - none
   */
  public readonly restore?: LogicalRestore;

  constructor(scope: Construct, id: string, props: UserDbExampleProps = {}) {
    const { restoreDump, ...chartProps } = props;
    super(scope, id, { namespace: 'accounts', ...chartProps });
    // the database admits user-manager, its backup and restore Jobs, on 5432, and Prometheus
    // (kube-prometheus-stack in the namespace monitoring) on the exporter's port
    NetworkPolicies.enable(this, { monitoring: PROMETHEUS });
    const credentials = DataStoreCredentials.fromSecret(Secret.fromSecretName(this, 'credentials', 'user-db-credentials'));
    this.database = addUserDb(this, credentials, Size.gibibytes(1), userDbSecurity(this));
    addUserDbMetrics(this.database);
    this.userManager = addUserManager(this, this.database);
    this.backup = this.database.addBackup('nightly', {
      schedule: Cron.schedule({ minute: '30', hour: '2' }),
      retain: 7,
      storage: Size.gibibytes(5),
    });
    if (restoreDump !== undefined) {
      this.restore = this.database.addRestore('restore', { backup: this.backup, dump: restoreDump });
    }
  }
}

/**
 * `user-db-18` (an alternative of `user-db`): the user database moving to PostgreSQL 18 as the
 * upgrade guard's way out says (docs/engine-upgrades.md). `user-db` keeps PostgreSQL 17 and its
 * data; a new store, `user-db-18` on PostgreSQL 18, with the same credentials Secret and database,
 * the same TLS and application role, and no init scripts, receives the dump (`kubectl exec user-db-0 ... | kubectl exec -i
 * user-db-18-0 ...`, the command the guard prints); `user-manager` is wired to it and keeps its
 * `USER_DB_*` variables. Moving `user-db` itself to 18 instead is refused by the guard: the
 * server does not start on a data directory of 17.
 */
export class UserDbNextMajorExample extends Chart {
  /** The running store, on PostgreSQL 17. */
  public readonly current: Postgres;
  /** The new store, on PostgreSQL 18. */
  public readonly next: Postgres;
  /** The consumer, wired to the new store. */
  public readonly userManager: UserManager;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'accounts', ...props });
    // as in user-db: each store admits only its wired pods (the dump moves through kubectl exec)
    NetworkPolicies.enable(this, { monitoring: PROMETHEUS });
    const credentials = DataStoreCredentials.fromSecret(Secret.fromSecretName(this, 'credentials', 'user-db-credentials'));
    // TLS and the application role as user-db has them, on both stores
    const security = userDbSecurity(this);
    this.current = addUserDb(this, credentials, Size.gibibytes(1), security);
    addUserDbMetrics(this.current);
    this.next = new Postgres(this, 'user-db-18', {
      metadata: { name: 'user-db-18' },
      credentials,
      database: USER_DB_DATABASE,
      version: PostgresVersion.V18,
      storage: Size.gibibytes(1),
      ...security,
    });
    this.userManager = addUserManager(this, this.next);
  }
}

/** Metrics of the user database: labelled for kube-prometheus-stack's selectors, alerts for the team. */
function addUserDbMetrics(database: Postgres): void {
  database.addMetrics({
    labels: { release: 'kube-prometheus-stack' },
    alerts: { labels: { team: 'accounts' } },
  });
}

/** The consumer `user-manager` and its connection to the user database. */
export interface UserManager {
  /** The Deployment `user-manager`. */
  readonly deployment: Deployment;
  /** The connection `user-db-connection` (ConfigMap `user-db-connection`). */
  readonly connection: DataStoreConnection;
}

/**
 * The consumer: a `user-manager` Deployment wired to the user database, whichever kind of store it
 * is.
 */
export function addUserManager(scope: Construct, userDb: IDataStore): UserManager {
  // a selector of our own: cdk8s-plus's default one (`cdk8s.io/metadata.addr`) derives from the
  // chart id, so the Deployment of the other chart of the pair would have another selector, which
  // the API server refuses to change (`spec.selector: ... field is immutable`)
  const labels = { 'app.kubernetes.io/name': 'user-manager' };
  const deployment = new Deployment(scope, 'user-manager', {
    metadata: { name: 'user-manager' },
    select: false,
    podMetadata: { labels },
    replicas: 2,
    containers: [{
      name: 'user-manager',
      image: 'registry.example.com/users/user-manager:1.4.0',
      portNumber: 8080,
      securityContext: { user: 1000, group: 1000 },
      readiness: Probe.fromHttpGet('/healthz', { port: 8080 }),
      resources: {
        cpu: { request: Cpu.millis(100) },
        memory: { request: Size.mebibytes(256), limit: Size.mebibytes(256) },
      },
    }],
  });

  deployment.select(LabelSelector.of({ labels }));

  const connection = new DataStoreConnection(scope, 'user-db-connection', {
    store: userDb,
    // the variable names are the consumer's contract: pin them rather than derive them
    prefix: 'USER_DB',
    // writes go to the primary: pod 0 in the cluster, the managed database's host outside it
    target: ConnectionTarget.PRIMARY,
    metadata: { name: 'user-db-connection' },
    consumers: [deployment.containers[0]],
    // `kubectl apply -f dist/` applies the store and its consumers at once: without Argo CD's sync
    // waves, user-manager (and the migrations wired through this connection) wait for the
    // database instead of crash-looping
    waitForStore: {},
  });

  // restricted profile: seccomp RuntimeDefault and capabilities drop [ALL], which cdk8s-plus-27
  // cannot express, plus this library's other pod defaults
  PodDefaults.harden(deployment);
  return { deployment, connection };
}
