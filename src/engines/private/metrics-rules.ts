/**
 * The alerting rules of the presets' metrics, as plain specs: the ones every store shares
 * (exporter, volumes, restarts) and each engine's. `MetricsAlertContext.rule()` completes them with
 * the labels and annotations every alert carries. Each rule and what to do when it fires is
 * described in docs/metrics.md; test/engines/private/metrics-rules.test.ts runs each of them through
 * `promtool test rules`.
 */
import { Duration } from 'cdk8s';
import type { PrometheusAlertingRule } from '../../metrics/prometheus-rule';
import type { AlertSeverity, MetricsAlertContext } from '../engine-metrics';

/** An alerting rule before `MetricsAlertContext.rule()` completes it. */
export interface AlertRuleSpec {
  readonly alert: string;
  readonly expr: string;
  readonly pendingFor?: Duration;
  readonly severity: 'critical' | 'warning';
  readonly summary: string;
  readonly description: string;
  readonly runbook: string;
}

/** Where the exporter of a store runs, for the runbook lines. */
export interface ExporterFacts {
  /** The exporter's container name. */
  readonly container: string;
  /** Its port. */
  readonly port: number;
}

const POD = '{{ $labels.namespace }}/{{ $labels.pod }}';
const KUBECTL = 'kubectl -n {{ $labels.namespace }}';

/** `{a,b}` + `,c`: matchers with more matchers (an empty first part gives just the second). */
function and(matchers: string, more: string): string {
  return matchers === '' ? more : `${matchers},${more}`;
}

/** The specs as rules, with the labels and annotations every alert of the store carries. */
export function completeRules(ctx: MetricsAlertContext, specs: AlertRuleSpec[]): PrometheusAlertingRule[] {
  return specs.map(spec => ctx.rule({ ...spec, severity: spec.severity as AlertSeverity }));
}

/** The rules every store has: its exporter scraped, its volumes not filling up, its pods not restarting. */
export function commonAlertRules(ctx: MetricsAlertContext, exporter: ExporterFacts): AlertRuleSpec[] {
  const p = ctx.alertPrefix;
  const pods = ctx.podMatchers;
  const rules: AlertRuleSpec[] = [{
    alert: `${p}ExporterDown`,
    expr: `up{${pods}} == 0`,
    pendingFor: Duration.minutes(5),
    severity: 'warning',
    summary: `The ${p} metrics exporter of ${POD} cannot be scraped`,
    description: 'Prometheus has failed to scrape the exporter of {{ $labels.pod }} for 5 minutes: the other alerts of this pod see nothing meanwhile.',
    runbook: `Check the pod runs, then read the exporter's log: ${KUBECTL} logs {{ $labels.pod }} -c ${exporter.container}; `
      + `a NetworkPolicy must let Prometheus reach port ${exporter.port}.`,
  }];
  if (ctx.claimMatchers !== '') {
    const usage = `kubelet_volume_stats_used_bytes{${ctx.claimMatchers}} / kubelet_volume_stats_capacity_bytes{${ctx.claimMatchers}}`;
    const volume = (alert: string, percent: number, severity: 'critical' | 'warning', pendingFor: Duration): AlertRuleSpec => ({
      alert,
      expr: `${usage} > ${ctx.ratio(percent)}`,
      pendingFor,
      severity,
      summary: `The ${p} volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is {{ $value | humanizePercentage }} full`,
      description: `The claim {{ $labels.persistentvolumeclaim }} is more than ${percent}% full; ${p} fails writes once it is full.`,
      runbook: 'Grow the claim (docs/storage.md: growing claim template volumes) or delete data before it fills up.',
    });
    rules.push(
      volume(`${p}VolumeFillingUp`, ctx.volumeUsageWarningPercent, 'warning', Duration.minutes(5)),
      volume(`${p}VolumeAlmostFull`, ctx.volumeUsageCriticalPercent, 'critical', Duration.minutes(1)),
    );
  }
  const window = `${ctx.restartsWindow.toMinutes()}m`;
  rules.push({
    alert: `${p}PodRestarting`,
    expr: `increase(kube_pod_container_status_restarts_total{${pods}}[${window}]) >= ${ctx.restarts}`,
    severity: 'warning',
    summary: `Container {{ $labels.container }} of ${POD} restarted {{ $value | printf "%.0f" }} times in ${window}`,
    description: 'The container keeps restarting: a crash, an OOM kill at its memory limit or a failing liveness probe. '
      + 'Each restart of the server drops its clients\' connections.',
    runbook: `${KUBECTL} describe pod {{ $labels.pod }} (Last State: the reason), then ${KUBECTL} logs {{ $labels.pod }} -c {{ $labels.container }} --previous.`,
  });
  return rules;
}

/** What the PostgreSQL alerts depend on. */
export interface PostgresAlertShape {
  /** The server's container name. */
  readonly container: string;
}

/** PostgreSQL: the server reachable, connections below `max_connections`. */
export function postgresAlertRules(ctx: MetricsAlertContext, shape: PostgresAlertShape): AlertRuleSpec[] {
  const pods = ctx.podMatchers;
  return [{
    alert: 'PostgresDown',
    expr: `pg_up{${pods}} == 0`,
    pendingFor: Duration.minutes(1),
    severity: 'critical',
    summary: `PostgreSQL ${POD} is down`,
    description: 'The exporter in {{ $labels.pod }} has not reached its server for a minute: clients cannot either.',
    runbook: `${KUBECTL} logs {{ $labels.pod }} -c ${shape.container}; ${KUBECTL} describe pod {{ $labels.pod }} (probe failures, OOM kills, a full volume).`,
  }, {
    alert: 'PostgresTooManyConnections',
    expr: `sum by (namespace, pod) (pg_stat_activity_count{${pods}}) / max by (namespace, pod) (pg_settings_max_connections{${pods}}) > ${ctx.ratio(ctx.connectionsPercent)}`,
    pendingFor: Duration.minutes(5),
    severity: 'warning',
    summary: `PostgreSQL ${POD} uses {{ $value | humanizePercentage }} of max_connections`,
    description: `More than ${ctx.connectionsPercent}% of max_connections are in use; at the limit new connections fail with "too many clients already".`,
    runbook: 'See who holds them: SELECT usename, application_name, state, count(*) FROM pg_stat_activity GROUP BY 1, 2, 3; '
      + 'close idle ones, put a connection pool in front, or raise max_connections.',
  }];
}

/** What the Redis alerts depend on: the preset's shape. */
export interface RedisAlertShape {
  /** The server's container name. */
  readonly container: string;
  /** Read replicas besides the primary. */
  readonly readReplicas: number;
  /** The primary's ordinal. */
  readonly primaryOrdinal: number;
  /** `maxmemory-policy`. */
  readonly evictionPolicy: string;
}

/**
 * Redis, and Valkey (the same exporter; its metrics keep the `redis_` prefix): the server
 * reachable; with replicas, their links up, all of them connected and not
 * lagging; memory below `maxmemory` (unless an `allkeys-*` policy evicts instead of refusing
 * writes); no write refused for memory; connections below `maxclients`.
 */
export function redisAlertRules(ctx: MetricsAlertContext, shape: RedisAlertShape): AlertRuleSpec[] {
  const pods = ctx.podMatchers;
  // Redis or Valkey
  const p = ctx.alertPrefix;
  const rules: AlertRuleSpec[] = [{
    alert: `${p}Down`,
    expr: `redis_up{${pods}} == 0`,
    pendingFor: Duration.minutes(1),
    severity: 'critical',
    summary: `${p} ${POD} is down`,
    description: 'The exporter in {{ $labels.pod }} has not reached its server for a minute: clients cannot either.',
    runbook: `${KUBECTL} logs {{ $labels.pod }} -c ${shape.container}; ${KUBECTL} describe pod {{ $labels.pod }} (probe failures, OOM kills, a full volume).`,
  }];
  if (shape.readReplicas > 0) {
    const lag = ctx.replicationLag.toSeconds();
    rules.push({
      alert: `${p}ReplicaLinkDown`,
      expr: `redis_master_link_up{${pods}} == 0`,
      pendingFor: Duration.minutes(2),
      severity: 'warning',
      summary: `${p} replica ${POD} has lost its primary`,
      description: 'The replica has not been linked to its primary {{ $labels.master_host }} for 2 minutes: its reads go stale, and it holds no copy of new writes.',
      runbook: `${KUBECTL} logs {{ $labels.pod }} -c ${shape.container} (MASTER <-> REPLICA sync lines): a wrong masterauth, the primary down, or a full sync that keeps failing.`,
    }, {
      alert: `${p}ReplicasMissing`,
      expr: `redis_connected_slaves{${ctx.podMatchersOf(shape.primaryOrdinal)}} < ${shape.readReplicas}`,
      pendingFor: Duration.minutes(5),
      severity: 'warning',
      summary: `The ${p} primary ${POD} has {{ $value }} of its ${shape.readReplicas} replicas connected`,
      description: 'Fewer replicas than the StatefulSet runs are connected to the primary for 5 minutes: reads from the others are stale, and fewer copies of the data exist.',
      runbook: `Find the replicas that are not connected: ${KUBECTL} get pods; their ${p}ReplicaLinkDown alerts and logs tell why.`,
    }, {
      alert: `${p}ReplicationLagging`,
      expr: `redis_connected_slave_lag_seconds{${pods}} > ${lag}`,
      pendingFor: Duration.minutes(5),
      severity: 'warning',
      summary: `A replica of the ${p} primary ${POD} lags {{ $value }}s behind`,
      description: `The replica at {{ $labels.slave_ip }} has not acknowledged the primary's stream for more than ${lag} seconds, for 5 minutes: its reads are that stale.`,
      runbook: 'Check the replica\'s CPU and network, and the primary\'s client-output-buffer-limit for replicas (a replica that cannot keep up is disconnected and resyncs).',
    });
  }
  if (!shape.evictionPolicy.startsWith('allkeys-')) {
    rules.push({
      alert: `${p}MemoryNearMax`,
      expr: `redis_memory_used_bytes{${pods}} / redis_memory_max_bytes{${pods}} > ${ctx.ratio(ctx.memoryPercent)} and redis_memory_max_bytes{${pods}} > 0`,
      pendingFor: Duration.minutes(5),
      severity: 'warning',
      summary: `${p} ${POD} uses {{ $value | humanizePercentage }} of maxmemory`,
      description: `More than ${ctx.memoryPercent}% of maxmemory is used; at maxmemory, with the ${shape.evictionPolicy} policy, writes that need memory fail with OOM.`,
      runbook: 'Raise the memory limit (maxmemory follows it), set expiries, or delete keys; redis-cli --bigkeys finds the largest ones.',
    });
  }
  rules.push({
    alert: `${p}RejectingWrites`,
    expr: `increase(redis_errors_total{${and(pods, 'err="OOM"')}}[5m]) > 0`,
    severity: 'critical',
    summary: `${p} ${POD} refuses writes: out of memory`,
    description: 'Commands failed with OOM in the last 5 minutes: the data reached maxmemory and the eviction policy could not free memory.',
    runbook: 'Raise the memory limit (maxmemory follows it) or delete keys now; then find out what grew (INFO memory, redis-cli --bigkeys).',
  }, {
    alert: `${p}TooManyConnections`,
    expr: `redis_connected_clients{${pods}} / redis_config_maxclients{${pods}} > ${ctx.ratio(ctx.connectionsPercent)}`,
    pendingFor: Duration.minutes(5),
    severity: 'warning',
    summary: `${p} ${POD} uses {{ $value | humanizePercentage }} of maxclients`,
    description: `More than ${ctx.connectionsPercent}% of maxclients are connected; at the limit new connections are refused.`,
    runbook: 'See who holds them (CLIENT LIST); fix clients that leak connections or use a pool.',
  }, {
    alert: `${p}RejectingConnections`,
    expr: `increase(redis_rejected_connections_total{${pods}}[5m]) > 0`,
    severity: 'critical',
    summary: `${p} ${POD} refuses connections`,
    description: 'Connections were refused in the last 5 minutes because maxclients was reached.',
    runbook: 'See who holds the connections (CLIENT LIST) and close them; fix clients that leak connections.',
  });
  return rules;
}
