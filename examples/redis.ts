import { Chart, ChartProps, Duration, Size } from 'cdk8s';
import { Cpu, Deployment, LabelSelector } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DataStoreConnection, PodDefaults, Redis } from 'cdk8s-stateful';

/**
 * `test-redis`: a Redis primary (`test-redis-0`) and two read replicas (`test-redis-1`,
 * `test-redis-2`) that `replicaof` it by its DNS name through the headless Service `test-redis`;
 * writes through the Service `test-redis-write`, reads through `test-redis-read`.
 */
export class TestRedisExample extends Chart {
  /** The preset. */
  public readonly redis: Redis;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'redis', ...props });
    this.redis = new Redis(this, 'redis', {
      metadata: { name: 'test-redis' },
      readReplicas: 2,
    });
  }
}

/**
 * `news-manager-redis`: a single Redis primary with a 1Gi claim at `/data`, and the Deployment
 * `news-manager` wired to it: it reads `NEWS_MANAGER_REDIS_SERVICE_HOST` (the write Service
 * `news-manager-redis-write`) and `NEWS_MANAGER_REDIS_SERVICE_PORT` (6379).
 *
 * Metrics on: a redis_exporter sidecar (port `metrics`, 9121), the PodMonitor and the
 * PrometheusRule `news-manager-redis`, scraped every 15 seconds; memory alerts from 85 % of
 * `maxmemory`.
 */
export class NewsManagerRedisExample extends Chart {
  /** The preset. */
  public readonly redis: Redis;
  /** The Deployment `news-manager`. */
  public readonly deployment: Deployment;
  /** The connection handing the Redis address to `news-manager`. */
  public readonly connection: DataStoreConnection;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'news', ...props });
    this.redis = new Redis(this, 'redis', {
      metadata: { name: 'news-manager-redis' },
      readReplicas: 0,
      storage: Size.gibibytes(1),
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

    // restricted profile: seccomp RuntimeDefault and capabilities drop [ALL], which cdk8s-plus-27
    // cannot express, plus this library's other pod defaults
    PodDefaults.harden(this.deployment);
  }
}
