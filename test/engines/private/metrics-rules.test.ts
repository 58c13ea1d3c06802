/**
 * The alerting rules of `addMetrics()` through Prometheus's own tools (Debian's `prometheus`
 * package, 2.42): every rendered PrometheusRule, taken from the synthesized object and written as
 * a rules file, passes `promtool check rules`; and every alert has a `promtool test rules` unit
 * test that feeds it series: it fires for the series that should fire it (after its `for`), with
 * the labels and expanded annotations expected, and not for healthy series nor for other stores'.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { stringify } from 'yaml';
import { NewsManagerRedisExample } from '../../../examples/redis';
import { UserDbExample } from '../../../examples/user-db';
import { DataStoreCredentials } from '../../../src/connection/data-store';
import { Postgres } from '../../../src/engines/postgres';
import { Redis, RedisEvictionPolicy } from '../../../src/engines/redis';
import { Valkey } from '../../../src/engines/valkey';
import { findOne, synthValid } from '../../util/harness';
import { DEBIAN, promtool, requireBinaries, rulesFile } from '../../util/metrics';

/** One series of a unit test, in promtool's expanding notation (`0x10`: eleven samples of 0, a minute apart). */
interface Series {
  readonly series: string;
  readonly values: string;
}

/** An alert expected at `at`: its labels (besides `alertname`) and how `$value` shows in its annotations. */
interface Expected {
  readonly labels: Record<string, string>;
  readonly value?: string;
}

/** The unit test of one alert. */
interface AlertCase {
  readonly alert: string;
  readonly series: Series[];
  /** Evaluation times with no alert firing yet (pending, or healthy). */
  readonly quietAt?: string[];
  readonly at: string;
  readonly expected: Expected[];
}

let dir: string;
let postgresRule: any;
let redisRule: any;
let cacheRule: any;
let valkeyRule: any;

beforeAll(() => {
  requireBinaries(DEBIAN.promtool);
  dir = mkdtempSync(join(tmpdir(), 'metrics-rules-'));

  const accounts = new Chart(Testing.app(), 'accounts', { namespace: 'accounts' });
  const secret = new kplus.Secret(accounts, 'creds', { stringData: { username: 'app', password: 'secret' } });
  new Postgres(accounts, 'db', { metadata: { name: 'user-db' }, credentials: DataStoreCredentials.fromSecret(secret) }).addMetrics();
  postgresRule = findOne(synthValid(accounts), 'PrometheusRule', 'user-db');

  const news = new Chart(Testing.app(), 'news', { namespace: 'news' });
  const newsPassword = DataStoreCredentials.fromPasswordSecret(kplus.Secret.fromSecretName(news, 'auth', 'news-auth'));
  new Redis(news, 'redis', { metadata: { name: 'news-redis' }, readReplicas: 2, password: newsPassword }).addMetrics();
  new Redis(news, 'cache', { metadata: { name: 'news-cache' }, readReplicas: 0, evictionPolicy: RedisEvictionPolicy.ALLKEYS_LRU, password: newsPassword }).addMetrics();
  const manifests = synthValid(news);
  redisRule = findOne(manifests, 'PrometheusRule', 'news-redis');
  cacheRule = findOne(manifests, 'PrometheusRule', 'news-cache');

  // Valkey, by the same name: the Redis cases apply with the alert names of Valkey
  const valkey = new Chart(Testing.app(), 'news', { namespace: 'news' });
  new Valkey(valkey, 'valkey', {
    metadata: { name: 'news-redis' },
    readReplicas: 2,
    password: DataStoreCredentials.fromPasswordSecret(kplus.Secret.fromSecretName(valkey, 'auth', 'news-auth')),
  }).addMetrics();
  valkeyRule = findOne(synthValid(valkey), 'PrometheusRule', 'news-redis');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function writeRules(name: string, rule: any): string {
  const file = join(dir, `${name}.rules.yaml`);
  writeFileSync(file, rulesFile(rule));
  return file;
}

/** The rule's annotations as Prometheus expands them for an alert with these labels and value. */
function expand(annotations: Record<string, string>, labels: Record<string, string>, value: string | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations).map(([k, template]) => [k, template
    .replace(/\{\{ \$labels\.([a-zA-Z_]+) \}\}/g, (_, label) => labels[label] ?? '')
    .replace(/\{\{ \$value[^}]*\}\}/g, () => {
      if (value === undefined) throw new Error(`annotation ${k} shows $value: give the case a value`);
      return value;
    })]));
}

/** Runs one alert's unit test through `promtool test rules`. */
function runCase(name: string, rule: any, c: AlertCase): { status: number | null; output: string } {
  const rendered = rule.spec.groups.flatMap((g: any) => g.rules).find((r: any) => r.alert === c.alert);
  if (!rendered) throw new Error(`no rule ${c.alert} in ${rule.metadata.name}`);
  const test = {
    rule_files: [writeRules(name, rule)],
    evaluation_interval: '1m',
    tests: [{
      interval: '1m',
      input_series: c.series,
      alert_rule_test: [
        ...(c.quietAt ?? []).map(at => ({ eval_time: at, alertname: c.alert, exp_alerts: [] })),
        {
          eval_time: c.at,
          alertname: c.alert,
          exp_alerts: c.expected.map(e => {
            const labels = { ...e.labels, ...rendered.labels };
            return { exp_labels: labels, exp_annotations: expand(rendered.annotations, labels, e.value) };
          }),
        },
      ],
    }],
  };
  const file = join(dir, `${name}-${c.alert}.test.yaml`);
  writeFileSync(file, stringify(test));
  return promtool(['test', 'rules', file]);
}

const ACCOUNTS = { namespace: 'accounts' };
const NEWS = { namespace: 'news' };

/** The cases every store has, for a StatefulSet `sts` in `ns` with one claim template `data` and an exporter container. */
function commonCases(prefix: string, ns: string, sts: string, exporter: string, server: string): AlertCase[] {
  const pod = (n: number) => `${sts}-${n}`;
  const claim = (n: number) => `data-${sts}-${n}`;
  const volume = (c: string, used: number, namespace = ns) => [
    { series: `kubelet_volume_stats_used_bytes{namespace="${namespace}",persistentvolumeclaim="${c}"}`, values: `${used}x10` },
    { series: `kubelet_volume_stats_capacity_bytes{namespace="${namespace}",persistentvolumeclaim="${c}"}`, values: '100x10' },
  ];
  return [{
    alert: `${prefix}ExporterDown`,
    series: [
      { series: `up{namespace="${ns}",pod="${pod(0)}",job="${ns}/${sts}"}`, values: '0x10' },
      { series: `up{namespace="${ns}",pod="${pod(1)}",job="${ns}/${sts}"}`, values: '1x10' },
      // another store's exporter, and this name in another namespace
      { series: `up{namespace="${ns}",pod="other-db-0",job="${ns}/other-db"}`, values: '0x10' },
      { series: `up{namespace="elsewhere",pod="${pod(0)}",job="elsewhere/${sts}"}`, values: '0x10' },
    ],
    quietAt: ['4m'],
    at: '6m',
    expected: [{ labels: { namespace: ns, pod: pod(0), job: `${ns}/${sts}` } }],
  }, {
    alert: `${prefix}VolumeFillingUp`,
    series: [...volume(claim(0), 85), ...volume(claim(1), 50), ...volume('data-other-db-0', 99), ...volume(claim(0), 99, 'elsewhere')],
    quietAt: ['4m'],
    at: '6m',
    expected: [{ labels: { namespace: ns, persistentvolumeclaim: claim(0) }, value: '85%' }],
  }, {
    alert: `${prefix}VolumeAlmostFull`,
    // 90% is above the warning, below the critical threshold
    series: [...volume(claim(0), 97), ...volume(claim(1), 90)],
    quietAt: ['0m'],
    at: '2m',
    expected: [{ labels: { namespace: ns, persistentvolumeclaim: claim(0) }, value: '97%' }],
  }, {
    alert: `${prefix}PodRestarting`,
    series: [
      // three restarts within the hour, then one
      { series: `kube_pod_container_status_restarts_total{namespace="${ns}",pod="${pod(0)}",container="${server}"}`, values: '0x30 1 2 3x30' },
      { series: `kube_pod_container_status_restarts_total{namespace="${ns}",pod="${pod(1)}",container="${exporter}"}`, values: '0x30 1x30' },
      { series: `kube_pod_container_status_restarts_total{namespace="${ns}",pod="other-db-0",container="db"}`, values: '0x30 10x30' },
    ],
    quietAt: ['31m'],
    at: '60m',
    expected: [{ labels: { namespace: ns, pod: pod(0), container: server }, value: '3' }],
  }];
}

const POSTGRES_CASES: AlertCase[] = [
  ...commonCases('Postgres', 'accounts', 'user-db', 'postgres-exporter', 'postgres'),
  {
    alert: 'PostgresDown',
    series: [
      { series: 'pg_up{namespace="accounts",pod="user-db-0"}', values: '1 0x10' },
      { series: 'pg_up{namespace="accounts",pod="user-db-1"}', values: '1x10' },
    ],
    quietAt: ['1m'],
    at: '3m',
    expected: [{ labels: { ...ACCOUNTS, pod: 'user-db-0' } }],
  },
  {
    alert: 'PostgresTooManyConnections',
    series: [
      // 90 of 100 connections on pod 0 (summed over databases and states), 15 on pod 1
      { series: 'pg_stat_activity_count{namespace="accounts",pod="user-db-0",datname="app",state="active"}', values: '50x10' },
      { series: 'pg_stat_activity_count{namespace="accounts",pod="user-db-0",datname="app",state="idle"}', values: '40x10' },
      { series: 'pg_settings_max_connections{namespace="accounts",pod="user-db-0"}', values: '100x10' },
      { series: 'pg_stat_activity_count{namespace="accounts",pod="user-db-1",datname="app",state="active"}', values: '10x10' },
      { series: 'pg_stat_activity_count{namespace="accounts",pod="user-db-1",datname="app",state="idle"}', values: '5x10' },
      { series: 'pg_settings_max_connections{namespace="accounts",pod="user-db-1"}', values: '100x10' },
    ],
    quietAt: ['4m'],
    at: '6m',
    expected: [{ labels: { ...ACCOUNTS, pod: 'user-db-0' }, value: '90%' }],
  },
];

const REDIS_CASES: AlertCase[] = [
  ...commonCases('Redis', 'news', 'news-redis', 'redis-exporter', 'redis'),
  {
    alert: 'RedisDown',
    series: [
      { series: 'redis_up{namespace="news",pod="news-redis-1"}', values: '1 0x10' },
      { series: 'redis_up{namespace="news",pod="news-redis-0"}', values: '1x10' },
    ],
    quietAt: ['1m'],
    at: '3m',
    expected: [{ labels: { ...NEWS, pod: 'news-redis-1' } }],
  },
  {
    alert: 'RedisReplicaLinkDown',
    series: [
      { series: 'redis_master_link_up{namespace="news",pod="news-redis-1",master_host="news-redis-0.news-redis.news.svc.cluster.local",master_port="6379"}', values: '0x10' },
      { series: 'redis_master_link_up{namespace="news",pod="news-redis-2",master_host="news-redis-0.news-redis.news.svc.cluster.local",master_port="6379"}', values: '1x10' },
    ],
    quietAt: ['1m'],
    at: '3m',
    expected: [{ labels: { ...NEWS, pod: 'news-redis-1', master_host: 'news-redis-0.news-redis.news.svc.cluster.local', master_port: '6379' } }],
  },
  {
    alert: 'RedisReplicasMissing',
    series: [
      // the primary sees both replicas, then one; the replicas report 0 replicas of their own
      { series: 'redis_connected_slaves{namespace="news",pod="news-redis-0"}', values: '2x5 1x10' },
      { series: 'redis_connected_slaves{namespace="news",pod="news-redis-1"}', values: '0x15' },
      { series: 'redis_connected_slaves{namespace="news",pod="news-redis-2"}', values: '0x15' },
    ],
    quietAt: ['5m', '9m'],
    at: '12m',
    expected: [{ labels: { ...NEWS, pod: 'news-redis-0' }, value: '1' }],
  },
  {
    alert: 'RedisReplicationLagging',
    series: [
      { series: 'redis_connected_slave_lag_seconds{namespace="news",pod="news-redis-0",slave_ip="10.0.0.5",slave_port="6379",slave_state="online"}', values: '45x10' },
      { series: 'redis_connected_slave_lag_seconds{namespace="news",pod="news-redis-0",slave_ip="10.0.0.6",slave_port="6379",slave_state="online"}', values: '1x10' },
    ],
    quietAt: ['4m'],
    at: '6m',
    expected: [{ labels: { ...NEWS, pod: 'news-redis-0', slave_ip: '10.0.0.5', slave_port: '6379', slave_state: 'online' }, value: '45' }],
  },
  {
    alert: 'RedisMemoryNearMax',
    series: [
      { series: 'redis_memory_used_bytes{namespace="news",pod="news-redis-0"}', values: '190x10' },
      { series: 'redis_memory_max_bytes{namespace="news",pod="news-redis-0"}', values: '200x10' },
      { series: 'redis_memory_used_bytes{namespace="news",pod="news-redis-1"}', values: '100x10' },
      { series: 'redis_memory_max_bytes{namespace="news",pod="news-redis-1"}', values: '200x10' },
      // no maxmemory: no share of it
      { series: 'redis_memory_used_bytes{namespace="news",pod="news-redis-2"}', values: '100x10' },
      { series: 'redis_memory_max_bytes{namespace="news",pod="news-redis-2"}', values: '0x10' },
    ],
    quietAt: ['4m'],
    at: '6m',
    expected: [{ labels: { ...NEWS, pod: 'news-redis-0' }, value: '95%' }],
  },
  {
    alert: 'RedisRejectingWrites',
    series: [
      { series: 'redis_errors_total{namespace="news",pod="news-redis-0",err="OOM"}', values: '0x5 1x5' },
      // other errors are no rejected writes
      { series: 'redis_errors_total{namespace="news",pod="news-redis-1",err="ERR"}', values: '0+1x10' },
      { series: 'redis_errors_total{namespace="news",pod="news-redis-1",err="OOM"}', values: '0x10' },
    ],
    quietAt: ['5m'],
    at: '7m',
    expected: [{ labels: { ...NEWS, pod: 'news-redis-0', err: 'OOM' } }],
  },
  {
    alert: 'RedisTooManyConnections',
    series: [
      { series: 'redis_connected_clients{namespace="news",pod="news-redis-0"}', values: '90x10' },
      { series: 'redis_config_maxclients{namespace="news",pod="news-redis-0"}', values: '100x10' },
      { series: 'redis_connected_clients{namespace="news",pod="news-redis-1"}', values: '10x10' },
      { series: 'redis_config_maxclients{namespace="news",pod="news-redis-1"}', values: '100x10' },
    ],
    quietAt: ['4m'],
    at: '6m',
    expected: [{ labels: { ...NEWS, pod: 'news-redis-0' }, value: '90%' }],
  },
  {
    alert: 'RedisRejectingConnections',
    series: [
      { series: 'redis_rejected_connections_total{namespace="news",pod="news-redis-0"}', values: '0x5 3x5' },
      { series: 'redis_rejected_connections_total{namespace="news",pod="news-redis-1"}', values: '0x10' },
    ],
    quietAt: ['5m'],
    at: '7m',
    expected: [{ labels: { ...NEWS, pod: 'news-redis-0' } }],
  },
];

/** The Redis cases for Valkey: the same series (the exporter is the same), Valkey's alert names and container names. */
const VALKEY_CASES: AlertCase[] = REDIS_CASES.map(c => JSON.parse(JSON.stringify({ ...c, alert: c.alert.replace(/^Redis/, 'Valkey') })
  .replace(/container=\\"redis(-exporter)?\\"/g, 'container=\\"valkey$1\\"')
  .replace(/"container":"redis(-exporter)?"/g, '"container":"valkey$1"')));

const alertsOf = (rule: any): string[] => rule.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.alert)).sort();

describe('promtool check rules', () => {
  test.each([
    ['user-db', () => postgresRule, 6],
    ['news-redis', () => redisRule, 12],
    ['news-cache', () => cacheRule, 8],
    ['news-redis (Valkey)', () => valkeyRule, 12],
    ['user-db (examples/user-db.ts)', () => findOne(new UserDbExample(Testing.app(), 'user-db').toJson(), 'PrometheusRule'), 6],
    // a primary and a replica (for its backups): the replication alerts too
    ['news-manager-redis (examples/redis.ts)', () => findOne(new NewsManagerRedisExample(Testing.app(), 'news').toJson(), 'PrometheusRule'), 12],
  ])('the rendered PrometheusRule %s is a valid rules file', (name, rule, count) => {
    const result = promtool(['check', 'rules', writeRules(name.replace(/ .*/, ''), rule())]);
    expect(result.output).toContain(`SUCCESS: ${count} rules found`);
    expect(result.status).toBe(0);
  });
});

describe('promtool test rules: each alert fires on the series that should fire it, and only on them', () => {
  test('every rendered alert has its unit test', () => {
    expect(alertsOf(postgresRule)).toEqual(POSTGRES_CASES.map(c => c.alert).sort());
    expect(alertsOf(redisRule)).toEqual(REDIS_CASES.map(c => c.alert).sort());
    expect(alertsOf(valkeyRule)).toEqual(VALKEY_CASES.map(c => c.alert).sort());
    // the cache's alerts are a subset of the store's (no replicas, an allkeys policy)
    expect(alertsOf(cacheRule).map(a => a)).toEqual(alertsOf(redisRule).filter(a => !/Replica|Replication|MemoryNearMax/.test(a)));
  });

  test.each(POSTGRES_CASES.map(c => [c.alert, c] as const))('%s', (_alert, c) => {
    const result = runCase('user-db', postgresRule, c);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test.each(REDIS_CASES.map(c => [c.alert, c] as const))('%s', (_alert, c) => {
    const result = runCase('news-redis', redisRule, c);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test.each(VALKEY_CASES.map(c => [c.alert, c] as const))('%s', (_alert, c) => {
    const result = runCase('news-valkey', valkeyRule, c);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('a case that expects the wrong alert fails: the unit tests can fail', () => {
    const c = REDIS_CASES.find(x => x.alert === 'RedisDown')!;
    const result = runCase('news-redis', redisRule, { ...c, expected: [{ labels: { ...NEWS, pod: 'news-redis-0' } }] });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('FAILED');
  });
});
