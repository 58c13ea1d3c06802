import { Chart, ChartProps, Size } from 'cdk8s';
import { Cpu, Deployment, LabelSelector, Secret } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DataStoreConnection, DataStoreCredentials, NetworkPolicies, PodDefaults, RedisEvictionPolicy, Valkey, ValkeyVersion } from 'cdk8s-stateful';

/**
 * `news-cache`: Valkey, the BSD-licensed fork of Redis, as the page cache of the Deployment
 * `news-feed`: a primary (`news-cache-0`) and one read replica, the password from the Secret
 * `news-cache-auth` (created outside the chart, key `password`), least-recently-used eviction.
 * The same preset as Redis (`RedisCompatibleBase`): `news-feed` reads `NEWS_CACHE_SERVICE_HOST`
 * (the write Service `news-cache-write`), `NEWS_CACHE_SERVICE_PORT_REDIS` and
 * `NEWS_CACHE_PASSWORD`, the variables a Redis store would give it.
 */
export class NewsCacheValkeyExample extends Chart {
  /** The preset. */
  public readonly valkey: Valkey;
  /** The Deployment `news-feed`. */
  public readonly deployment: Deployment;
  /** The connection handing the cache's address and password to `news-feed`. */
  public readonly connection: DataStoreConnection;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'news', ...props });
    // the cache admits news-feed on 6379, and its replica (replication)
    NetworkPolicies.enable(this);
    this.valkey = new Valkey(this, 'news-cache', {
      metadata: { name: 'news-cache' },
      version: ValkeyVersion.V8_1,
      readReplicas: 1,
      password: DataStoreCredentials.fromPasswordSecret(Secret.fromSecretName(this, 'news-cache-auth', 'news-cache-auth')),
      evictionPolicy: RedisEvictionPolicy.ALLKEYS_LRU,
      resources: {
        cpu: { request: Cpu.millis(100) },
        memory: { request: Size.mebibytes(512), limit: Size.mebibytes(512) },
      },
      storage: Size.gibibytes(2),
    });

    const labels = { 'app.kubernetes.io/name': 'news-feed' };
    this.deployment = new Deployment(this, 'news-feed', {
      metadata: { name: 'news-feed' },
      select: false,
      podMetadata: { labels },
      replicas: 2,
      containers: [{
        name: 'news-feed',
        image: 'registry.example.com/news/news-feed:1.4.2',
        portNumber: 8080,
        securityContext: { user: 1000, group: 1000 },
        resources: {
          cpu: { request: Cpu.millis(100) },
          memory: { request: Size.mebibytes(256), limit: Size.mebibytes(256) },
        },
      }],
    });
    this.deployment.select(LabelSelector.of({ labels }));

    this.connection = new DataStoreConnection(this, 'news-cache-connection', {
      store: this.valkey,
      metadata: { name: 'news-cache-connection' },
      consumers: [this.deployment.containers[0]],
    });

    // restricted profile: seccomp RuntimeDefault and capabilities drop [ALL], which cdk8s-plus-27
    // cannot express, plus this library's other pod defaults
    PodDefaults.harden(this.deployment);
  }
}
