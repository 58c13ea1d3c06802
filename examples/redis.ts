import { ApiObject, Chart, ChartProps, Cron, Duration, Size } from 'cdk8s';
import { Cpu, Deployment, LabelSelector, Secret } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PROMETHEUS } from './user-db';
import {
  CertManagerIssuerKind,
  DataStoreConnection,
  DataStoreCredentials,
  NetworkPeer,
  LogicalBackup,
  NetworkPolicies,
  PodDefaults,
  PresetCertificate,
  Redis,
} from 'cdk8s-stateful';

/** The label a pod of the namespace `redis` needs to reach `test-redis`. */
export const TEST_REDIS_CLIENT_LABEL = 'test-redis-client';

/**
 * `test-redis`: a Redis primary (`test-redis-0`) and two read replicas (`test-redis-1`,
 * `test-redis-2`) that `replicaof` it by its DNS name through the headless Service `test-redis`;
 * writes through the Service `test-redis-write`, reads through `test-redis-read`.
 *
 * A Redis for tests, without a password (`allowUnauthenticated`, the explicit opt-out), isolated
 * by `NetworkPolicies`: the NetworkPolicy `test-redis` admits only the Redis pods themselves
 * (replication, on 6379) and the pods of the namespace labelled `test-redis-client: "true"`
 * (`allowFrom`), so the store raises no `unauthenticated-store` warning. (The policy needs a
 * network plugin that enforces NetworkPolicies.)
 */
export class TestRedisExample extends Chart {
  /** The preset. */
  public readonly redis: Redis;
  /** The NetworkPolicy `test-redis`. */
  public readonly networkPolicy: ApiObject;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'redis', ...props });
    NetworkPolicies.enable(this);
    this.redis = new Redis(this, 'redis', {
      metadata: { name: 'test-redis' },
      readReplicas: 2,
      allowUnauthenticated: true,
    });

    // pods that are not wired to the store with a DataStoreConnection: the testers' pods
    NetworkPolicies.allowFrom(this.redis, NetworkPeer.podsWithLabels({ [TEST_REDIS_CLIENT_LABEL]: 'true' }));
    this.networkPolicy = NetworkPolicies.policyOf(this.redis)!;
  }
}

/** The addresses of the news feed news-manager reads (HTTPS), outside the cluster. */
export const NEWS_FEED_ADDRESSES = '203.0.113.0/24';

/**
 * `news-manager-redis`: a Redis primary and a read replica, each with a 1Gi claim at `/data`, and
 * the Deployment `news-manager` wired to it: it reads `NEWS_MANAGER_REDIS_SERVICE_HOST` (the write
 * Service `news-manager-redis-write`), `NEWS_MANAGER_REDIS_SERVICE_PORT` (6379) and
 * `NEWS_MANAGER_REDIS_PASSWORD`. The password is the key `password` of the Secret
 * `news-manager-redis-auth`, created outside the chart (External Secrets, Sealed Secrets or
 * `kubectl create secret generic news-manager-redis-auth --from-literal=password=...`): the
 * library never generates passwords, and the manifests only refer to the Secret.
 *
 * TLS: Redis serves TLS only (certificate `news-manager-redis-tls` from the `ClusterIssuer`
 * `internal-ca`), replicas replicate over TLS, and `news-manager` gets the CA
 * (`NEWS_MANAGER_REDIS_CA_FILE`) and `NEWS_MANAGER_REDIS_TLS=verify-full`.
 *
 * An hourly logical backup (CronJob `news-manager-redis-hourly`, at a quarter past): `redis-cli
 * --rdb` from the replica (so the primary never forks for it) into the kept claim
 * `news-manager-redis-hourly-backups`, a day's worth (24) kept.
 *
 * Metrics on: a redis_exporter sidecar (port `metrics`, 9121), the PodMonitor and the
 * PrometheusRule `news-manager-redis`, scraped every 15 seconds; memory alerts from 85 % of
 * `maxmemory`.
 *
 * Network: the NetworkPolicy `news-manager-redis` admits news-manager, the backup, the replica and
 * Prometheus; `news-manager-egress` lets news-manager connect to its Redis, the cluster DNS and the
 * news feed (`NEWS_FEED_ADDRESSES`, HTTPS) and nowhere else.
 */
export class NewsManagerRedisExample extends Chart {
  /** The preset. */
  public readonly redis: Redis;
  /** The hourly backup. */
  public readonly backup: LogicalBackup;
  /** The Deployment `news-manager`. */
  public readonly deployment: Deployment;
  /** The connection handing the Redis address to `news-manager`. */
  public readonly connection: DataStoreConnection;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'news', ...props });
    // the Redis admits news-manager and its own backup on 6379, its replica (replication), and
    // Prometheus on the exporter's port
    NetworkPolicies.enable(this, { monitoring: PROMETHEUS });
    this.redis = new Redis(this, 'redis', {
      metadata: { name: 'news-manager-redis' },
      readReplicas: 1,
      storage: Size.gibibytes(1),
      password: DataStoreCredentials.fromPasswordSecret(Secret.fromSecretName(this, 'redis-auth', 'news-manager-redis-auth')),
      // TLS on 6379, the plain port off, replication over TLS: a certificate from cert-manager
      tls: { certificate: PresetCertificate.fromCertManager({ issuer: { name: 'internal-ca', kind: CertManagerIssuerKind.CLUSTER_ISSUER } }) },
    });
    this.backup = this.redis.addBackup('hourly', {
      schedule: Cron.schedule({ minute: '15' }),
      retain: 24,
      storage: Size.gibibytes(5),
    });
    this.redis.addMetrics({
      interval: Duration.seconds(15),
      labels: { release: 'kube-prometheus-stack' },
      alerts: { memoryPercent: 85, labels: { team: 'news' } },
    });

    const labels = { 'app.kubernetes.io/name': 'news-manager' };
    this.deployment = new Deployment(this, 'news-manager', {
      metadata: { name: 'news-manager' },
      select: false,
      podMetadata: { labels },
      replicas: 2,
      containers: [{
        name: 'news-manager',
        image: 'registry.example.com/news/news-manager:2.3.0',
        portNumber: 8080,
        securityContext: { user: 1000, group: 1000 },
        resources: {
          cpu: { request: Cpu.millis(100) },
          memory: { request: Size.mebibytes(256), limit: Size.mebibytes(256) },
        },
      }],
    });
    this.deployment.select(LabelSelector.of({ labels }));

    this.connection = new DataStoreConnection(this, 'news-manager-redis-connection', {
      store: this.redis,
      metadata: { name: 'news-manager-redis-connection' },
      consumers: [this.deployment.containers[0]],
    });

    // news-manager connects to its Redis (and the cluster DNS) and to the news feed outside the
    // cluster, nowhere else: the NetworkPolicy news-manager-egress
    NetworkPolicies.restrictEgress(this.deployment);
    NetworkPolicies.allowEgressTo(this.deployment, NetworkPeer.ipBlock(NEWS_FEED_ADDRESSES), { ports: [{ port: 443 }] });

    // restricted profile: seccomp RuntimeDefault and capabilities drop [ALL], which cdk8s-plus-27
    // cannot express, plus this library's other pod defaults
    PodDefaults.harden(this.deployment);
  }
}
