import { Chart, ChartProps, Cron, Size } from 'cdk8s';
import { Cpu, Deployment, EnvValue, LabelSelector, Secret } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DataStoreConnection, DataStoreCredentials, NetworkPolicies, PodDefaults, Postgres, PostgresVersion, Redis } from 'cdk8s-stateful';

/**
 * `news-store`: the news articles in a Redis with automatic failover (docs/failover.md): a primary
 * and two read replicas (`news-store-0..2`, 2Gi claims) and three sentinels in a StatefulSet of
 * their own (`news-store-sentinel-0..2`, a 1Gi claim each for Sentinel's state), which promote a
 * replica when the primary is down. The password comes from the Secret `news-store-auth` (created
 * outside the chart, key `password`), required by the data pods and the sentinels alike.
 *
 * The Deployment `news-writer` uses a Sentinel-aware client: it reads
 * `NEWS_STORE_SENTINEL_HOSTS` (the three sentinels' `host:26379`), `NEWS_STORE_SENTINEL_MASTER`
 * (`news-store`) and `NEWS_STORE_PASSWORD`, asks a sentinel for the primary and writes there.
 * There is no write Service: the primary moves. An hourly logical backup dumps a replica in sync,
 * its marker written on the primary the sentinels name.
 */
export class NewsStoreSentinelExample extends Chart {
  /** The preset. */
  public readonly redis: Redis;
  /** The Deployment `news-writer`. */
  public readonly deployment: Deployment;
  /** The connection handing the sentinels, the master name and the password to `news-writer`. */
  public readonly connection: DataStoreConnection;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'news', ...props });
    // only news-writer and the backup reach the data pods and the sentinels; the sentinels and the
    // data pods reach each other on their peer ports
    NetworkPolicies.enable(this);
    this.redis = new Redis(this, 'news-store', {
      metadata: { name: 'news-store' },
      readReplicas: 2,
      password: DataStoreCredentials.fromPasswordSecret(Secret.fromSecretName(this, 'news-store-auth', 'news-store-auth')),
      storage: Size.gibibytes(2),
      // 3 sentinels, quorum 2, a primary down for 10 s is replaced, writes need one replica in sync
      sentinel: {},
    });
    this.redis.addBackup('hourly', { schedule: Cron.schedule({ minute: '45' }), retain: 24 });

    const labels = { 'app.kubernetes.io/name': 'news-writer' };
    this.deployment = new Deployment(this, 'news-writer', {
      metadata: { name: 'news-writer' },
      select: false,
      podMetadata: { labels },
      replicas: 2,
      containers: [{
        name: 'news-writer',
        image: 'registry.example.com/news/news-writer:2.0.1',
        portNumber: 8080,
        securityContext: { user: 1000, group: 1000 },
        resources: {
          cpu: { request: Cpu.millis(100) },
          memory: { request: Size.mebibytes(256), limit: Size.mebibytes(256) },
        },
      }],
    });
    this.deployment.select(LabelSelector.of({ labels }));
    this.connection = new DataStoreConnection(this, 'news-store-connection', {
      store: this.redis,
      metadata: { name: 'news-store-connection' },
      consumers: [this.deployment.containers[0]],
    });
    PodDefaults.harden(this.deployment);
  }
}

/**
 * `reports-db`: PostgreSQL 17 in the namespace `reports` with two streaming read replicas
 * (docs/failover.md): `reports-db-0` is the primary, `reports-db-1` and `reports-db-2` hot standbys
 * that clone it with `pg_basebackup` on first start and stream its WAL. The replication role's
 * name and password come from the Secret `reports-db-replication` (keys `username`, `password`),
 * the superuser's from `reports-db-credentials`; both are created outside the chart.
 *
 * The Deployment `report-builder` writes through `REPORTS_DB_SERVICE_HOST` (the primary's pod DNS
 * name) and runs its heavy read-only queries on the read Service `reports-db-read`, which reaches
 * only servers that are a primary or a standby streaming from it. No automatic failover: losing
 * the primary stops writes until it is back or a standby is promoted by hand.
 */
export class ReportsDbReplicasExample extends Chart {
  /** The preset. */
  public readonly postgres: Postgres;
  /** The Deployment `report-builder`. */
  public readonly deployment: Deployment;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'reports', ...props });
    // only report-builder reaches the servers; the standbys reach the primary on its port
    NetworkPolicies.enable(this);
    this.postgres = new Postgres(this, 'reports-db', {
      metadata: { name: 'reports-db' },
      version: PostgresVersion.V17,
      credentials: DataStoreCredentials.fromSecret(Secret.fromSecretName(this, 'reports-db-credentials', 'reports-db-credentials')),
      database: 'reports',
      readReplicas: 2,
      replicationCredentials: DataStoreCredentials.fromSecret(Secret.fromSecretName(this, 'reports-db-replication', 'reports-db-replication')),
      storage: Size.gibibytes(20),
    });

    const labels = { 'app.kubernetes.io/name': 'report-builder' };
    this.deployment = new Deployment(this, 'report-builder', {
      metadata: { name: 'report-builder' },
      select: false,
      podMetadata: { labels },
      replicas: 1,
      containers: [{
        name: 'report-builder',
        image: 'registry.example.com/reports/report-builder:3.2.0',
        portNumber: 8080,
        securityContext: { user: 1000, group: 1000 },
        resources: {
          cpu: { request: Cpu.millis(200) },
          memory: { request: Size.mebibytes(512), limit: Size.mebibytes(512) },
        },
        envVariables: {
          // the read Service, for queries a standby may answer
          REPORTS_DB_READ_HOST: EnvValue.fromValue(this.postgres.readService!.endpoint.hostname),
        },
      }],
    });
    this.deployment.select(LabelSelector.of({ labels }));
    new DataStoreConnection(this, 'reports-db-connection', {
      store: this.postgres,
      metadata: { name: 'reports-db-connection' },
      consumers: [this.deployment.containers[0]],
    });
    PodDefaults.harden(this.deployment);
  }
}
