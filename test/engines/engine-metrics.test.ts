import { ApiObject, Chart, Duration, JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  AlertSeverity,
  Cassandra,
  DataStoreConnection,
  DataStoreCredentials,
  EngineMetrics,
  MetricsOptions,
  MetricsScrape,
  Postgres,
  Redis,
  RedisEvictionPolicy,
  SyncWaves,
  Valkey,
} from '../../src';
import { restrictedViolations } from '../../src/private/pod-security';
import { findAll, findOne, synthValid } from '../util/harness';

/** A password Secret the app does not render (the Redis-compatible presets need one or an opt-out). */
function passwordOf(chart: Chart, name = 'news-redis-auth'): DataStoreCredentials {
  return DataStoreCredentials.fromPasswordSecret(kplus.Secret.fromSecretName(chart, name, name));
}

const postgres = (chart: Chart, props: { namespace?: string; secret?: kplus.ISecret } = {}) => {
  const secret = props.secret ?? kplus.Secret.fromSecretName(chart, 'creds', 'user-db-credentials');
  return new Postgres(chart, 'db', { metadata: { name: 'user-db', namespace: props.namespace }, credentials: DataStoreCredentials.fromSecret(secret) });
};
const chartIn = (namespace?: string) => new Chart(Testing.app(), 'test', { namespace });
const podSpec = (manifests: any[]) => findOne(manifests, 'StatefulSet').spec.template.spec;
const containerOf = (manifests: any[], name: string) => podSpec(manifests).containers.find((c: any) => c.name === name);
const rulesOf = (manifests: any[]) => findOne(manifests, 'PrometheusRule').spec.groups[0].rules;
const rule = (manifests: any[], alert: string) => rulesOf(manifests).find((r: any) => r.alert === alert);
const WHERE = "EngineMetrics 'test/db/Metrics'";

describe('EngineMetrics (EnginePreset.addMetrics())', () => {
  test('defaults', () => {
    // GIVEN
    const chart = chartIn('accounts');
    const db = postgres(chart);

    // WHEN
    const metrics = db.addMetrics();
    const manifests = synthValid(chart);

    // THEN
    expect(manifests).toMatchSnapshot();
    expect(restrictedViolations(podSpec(manifests))).toEqual([]);
    expect(metrics.scrape).toBe(MetricsScrape.POD_MONITOR);
    expect(metrics.port).toBe(9187);
    expect(metrics.portName).toBe('metrics');
    expect(EngineMetrics.PORT_NAME).toBe('metrics');
    expect(metrics.path).toBe('/metrics');
    expect(metrics.image).toBe('quay.io/prometheuscommunity/postgres-exporter:v0.20.1');
    expect(metrics.container.name).toBe('postgres-exporter');
    expect(metrics.podMonitor?.name).toBe('user-db');
    expect(metrics.prometheusRule?.name).toBe('user-db');
    expect(db.metrics).toBe(metrics);
  });

  test('all props', () => {
    // GIVEN
    const chart = chartIn('news');
    const secret = kplus.Secret.fromSecretName(chart, 'auth', 'news-redis-auth');
    const redis = new Redis(chart, 'redis', { metadata: { name: 'news-redis' }, readReplicas: 1, password: DataStoreCredentials.fromPasswordSecret(secret) });

    // WHEN
    const options: MetricsOptions = {
      scrape: MetricsScrape.POD_MONITOR,
      interval: Duration.seconds(15),
      prometheusRule: true,
      labels: { release: 'kube-prometheus-stack' },
      image: { registry: 'registry.example.com', repository: 'mirror/redis-exporter' },
      resources: { cpu: { request: kplus.Cpu.millis(20) }, memory: { request: Size.mebibytes(48), limit: Size.mebibytes(96) } },
      alerts: {
        volumeUsageWarningPercent: 70,
        volumeUsageCriticalPercent: 90,
        restarts: 5,
        restartsWindow: Duration.minutes(30),
        connectionsPercent: 60,
        memoryPercent: 75,
        replicationLag: Duration.seconds(10),
        labels: { team: 'news' },
        runbookUrl: 'https://runbooks.example.com/redis/',
      },
    };
    const metrics = redis.addMetrics(options);
    const manifests = synthValid(chart);

    // THEN
    expect(manifests).toMatchSnapshot();
    expect(restrictedViolations(podSpec(manifests))).toEqual([]);
    const exporter = containerOf(manifests, 'redis-exporter');
    expect(exporter.image).toBe('registry.example.com/mirror/redis-exporter:v1.88.0');
    expect(metrics.image).toBe(exporter.image);
    expect(exporter.resources).toEqual({ requests: { cpu: '20m', memory: '48Mi' }, limits: { memory: '96Mi' } });
    const monitor = findOne(manifests, 'PodMonitor', 'news-redis');
    expect(monitor.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    expect(monitor.spec.podMetricsEndpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '15s' }]);
    expect(findOne(manifests, 'PrometheusRule').metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    expect(rule(manifests, 'RedisVolumeFillingUp').expr).toMatch(/ > 0\.7$/);
    expect(rule(manifests, 'RedisVolumeAlmostFull').expr).toMatch(/ > 0\.9$/);
    expect(rule(manifests, 'RedisPodRestarting').expr).toMatch(/\[30m\]\) >= 5$/);
    expect(rule(manifests, 'RedisTooManyConnections').expr).toMatch(/ > 0\.6$/);
    expect(rule(manifests, 'RedisMemoryNearMax').expr).toContain(' > 0.75 and ');
    expect(rule(manifests, 'RedisReplicationLagging').expr).toMatch(/ > 10$/);
    for (const r of rulesOf(manifests)) {
      expect(r.labels.team).toBe('news');
      expect(r.annotations.runbook_url).toBe(`https://runbooks.example.com/redis/${r.alert.toLowerCase()}`);
    }
    expect(metrics.alertContext.connectionsPercent).toBe(60);
    expect(metrics.alertContext.replicationLag.toSeconds()).toBe(10);
  });

  test('the exporter is a restricted sidecar that does not mount the data claim', () => {
    const chart = chartIn('accounts');
    postgres(chart).addMetrics();
    const manifests = synthValid(chart);
    const exporter = containerOf(manifests, 'postgres-exporter');
    expect(exporter.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsGroup: 65534,
      runAsNonRoot: true,
      runAsUser: 65534,
    });
    expect(exporter.resources).toEqual({ requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } });
    expect(exporter.ports).toEqual([{ name: 'metrics', containerPort: 9187 }]);
    expect(exporter.volumeMounts.map((m: any) => m.name)).not.toContain('data');
    // the server still mounts its claim
    expect(containerOf(manifests, 'postgres').volumeMounts.map((m: any) => m.name)).toContain('data');
    expect(exporter.readinessProbe).toBeUndefined();
  });

  test('the metrics port is no client port: ports, endpoints, client Services and the connection are unchanged', () => {
    const render = (metrics: boolean) => {
      const chart = chartIn('news');
      const secret = kplus.Secret.fromSecretName(chart, 'auth', 'news-redis-auth');
      const redis = new Redis(chart, 'redis', { metadata: { name: 'news-redis' }, readReplicas: 1, password: DataStoreCredentials.fromPasswordSecret(secret) });
      const pg = postgres(chart);
      if (metrics) {
        redis.addMetrics();
        pg.addMetrics();
      }
      new DataStoreConnection(chart, 'redis-conn', { store: redis, metadata: { name: 'redis-conn' } });
      new DataStoreConnection(chart, 'pg-conn', { store: pg, metadata: { name: 'pg-conn' } });
      const manifests = synthValid(chart);
      return {
        ports: [redis.ports, pg.ports, redis.workload.ports, pg.workload.ports],
        endpoints: [redis.endpoint, pg.endpoint, redis.primaryEndpoint, pg.primaryEndpoint].map(e => `${e?.hostname}:${e?.port}`),
        configMaps: findAll(manifests, 'ConfigMap').map(c => c.data),
        clientServices: ['news-redis-write', 'news-redis-read'].map(n => findOne(manifests, 'Service', n).spec.ports),
      };
    };
    const without = render(false);
    const withMetrics = render(true);
    expect(withMetrics).toEqual(without);
    expect(JSON.stringify(withMetrics.configMaps)).not.toMatch(/9187|9121|METRICS/);
  });

  test('with SyncWaves, the PodMonitor and the PrometheusRule go in the store\'s wave', () => {
    const chart = chartIn('accounts');
    SyncWaves.enable(chart);
    postgres(chart).addMetrics();
    const manifests = synthValid(chart);
    const wave = (kind: string) => findOne(manifests, kind).metadata.annotations['argocd.argoproj.io/sync-wave'];
    expect(wave('PodMonitor')).toBe(wave('StatefulSet'));
    expect(wave('PrometheusRule')).toBe(wave('StatefulSet'));
  });

  test('the headless Service names the metrics port (SRV records): the address a NetworkPolicy opens', () => {
    const chart = chartIn('accounts');
    const db = postgres(chart);
    const metrics = db.addMetrics();
    const headless = findOne(synthValid(chart), 'Service', 'user-db');
    expect(headless.spec.ports).toContainEqual({ name: 'metrics', port: metrics.port, targetPort: 'metrics', protocol: 'TCP' });
  });

  test('the PodMonitor selects the workload\'s pods in its namespace, on the metrics port', () => {
    const chart = chartIn();
    const db = postgres(chart, { namespace: 'accounts' });
    db.addMetrics();
    const monitor = findOne(synthValid(chart), 'PodMonitor', 'user-db');
    expect(monitor.metadata.namespace).toBe('accounts');
    expect(monitor.spec).toEqual({
      selector: { matchLabels: db.workload.selectorLabels },
      podMetricsEndpoints: [{ port: 'metrics', path: '/metrics' }],
    });
  });

  test('MetricsScrape.POD_ANNOTATIONS: the prometheus.io annotations, no PodMonitor and no PrometheusRule', () => {
    const chart = chartIn('accounts');
    const metrics = postgres(chart).addMetrics({ scrape: MetricsScrape.POD_ANNOTATIONS });
    const manifests = synthValid(chart);
    expect(findOne(manifests, 'StatefulSet').spec.template.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9187',
      'prometheus.io/path': '/metrics',
    });
    expect(findAll(manifests, 'PodMonitor')).toEqual([]);
    expect(findAll(manifests, 'PrometheusRule')).toEqual([]);
    expect(metrics.podMonitor).toBeUndefined();
    expect(metrics.prometheusRule).toBeUndefined();
    // the rules exist all the same, for a rules file of one's own
    expect(metrics.alertRules.map(r => r.alert)).toContain('PostgresDown');
  });

  test('prometheusRule: true with pod annotations, false with a PodMonitor', () => {
    const a = chartIn('accounts');
    postgres(a).addMetrics({ scrape: MetricsScrape.POD_ANNOTATIONS, prometheusRule: true });
    expect(findAll(synthValid(a), 'PrometheusRule')).toHaveLength(1);
    const b = chartIn('accounts');
    postgres(b).addMetrics({ prometheusRule: false });
    const manifests = synthValid(b);
    expect(findAll(manifests, 'PrometheusRule')).toEqual([]);
    expect(findAll(manifests, 'PodMonitor')).toHaveLength(1);
  });

  test('the registry alone moves the exporter to a mirror, its repository kept', () => {
    const chart = chartIn('accounts');
    expect(postgres(chart).addMetrics({ image: { registry: 'mirror.example.com' } }).image)
      .toBe('mirror.example.com/prometheuscommunity/postgres-exporter:v0.20.1');
  });

  test('every rule states a severity, a summary, a description and a runbook line', () => {
    const chart = chartIn('news');
    postgres(chart).addMetrics();
    const redis = new Redis(chart, 'redis', { metadata: { name: 'news-redis' }, password: passwordOf(chart) });
    redis.addMetrics();
    for (const r of [...postgresRules(chart), ...redis.metrics!.alertRules]) {
      expect(Object.values(AlertSeverity)).toContain(r.labels!.severity);
      expect(Object.keys(r.annotations!).sort()).toEqual(['description', 'runbook', 'summary']);
      for (const text of Object.values<string>(r.annotations!)) expect(text.length).toBeGreaterThan(20);
    }
  });

  test('the rules select the store\'s pods and claims in its namespace', () => {
    const chart = chartIn('accounts');
    const metrics = postgres(chart).addMetrics();
    expect(metrics.alertContext.podMatchers).toBe('namespace="accounts",pod=~"user-db-[0-9]+"');
    expect(metrics.alertContext.claimMatchers).toBe('namespace="accounts",persistentvolumeclaim=~"(data)-user-db-[0-9]+"');
    expect(metrics.alertContext.podMatchersOf(0)).toBe('namespace="accounts",pod="user-db-0"');
    expect(metrics.alertContext.namespaceName).toBe('accounts');
    expect(metrics.alertContext.statefulSetName).toBe('user-db');
    expect(metrics.alertContext.alertPrefix).toBe('Postgres');
    const pgUp = metrics.alertRules.find(r => r.alert === 'PostgresDown')!;
    expect(pgUp.expr).toBe('pg_up{namespace="accounts",pod=~"user-db-[0-9]+"} == 0');
    expect(pgUp.pendingFor?.toMinutes()).toBe(1);
  });

  test('without a namespace, the rules select the pods by name in every namespace', () => {
    const chart = chartIn();
    const metrics = postgres(chart).addMetrics();
    expect(metrics.alertContext.podMatchers).toBe('pod=~"user-db-[0-9]+"');
    expect(metrics.alertContext.claimMatchers).toBe('persistentvolumeclaim=~"(data)-user-db-[0-9]+"');
    expect(metrics.alertContext.namespaceName).toBeUndefined();
    expect(metrics.alertContext.podMatchersOf(1)).toBe('pod="user-db-1"');
  });

  test('the thresholds default to 80/95 % of the volume, 3 restarts an hour, 80 % of connections, 90 % of memory, 30 s of lag', () => {
    const chart = chartIn('news');
    const c = new Redis(chart, 'redis', { metadata: { name: 'news-redis' }, password: passwordOf(chart) }).addMetrics().alertContext;
    expect([c.volumeUsageWarningPercent, c.volumeUsageCriticalPercent, c.restarts, c.restartsWindow.toMinutes(),
      c.connectionsPercent, c.memoryPercent, c.replicationLag.toSeconds()]).toEqual([80, 95, 3, 60, 80, 90, 30]);
    expect(c.ratio(80)).toBe('0.8');
  });

  test('Redis: the alerts follow the preset\'s shape (replicas, eviction policy, primary ordinal)', () => {
    const alerts = (props: ConstructorParameters<typeof Redis>[2]) => {
      const chart = chartIn('news');
      return new Redis(chart, 'redis', { metadata: { name: 'news-redis' }, password: passwordOf(chart), ...props }).addMetrics().alertRules;
    };
    const names = (props: ConstructorParameters<typeof Redis>[2]) => alerts(props).map(r => r.alert);
    expect(names({ readReplicas: 2 })).toEqual([
      'RedisExporterDown', 'RedisVolumeFillingUp', 'RedisVolumeAlmostFull', 'RedisPodRestarting', 'RedisDown',
      'RedisReplicaLinkDown', 'RedisReplicasMissing', 'RedisReplicationLagging', 'RedisMemoryNearMax',
      'RedisRejectingWrites', 'RedisTooManyConnections', 'RedisRejectingConnections',
    ]);
    expect(names({ readReplicas: 0 })).not.toEqual(expect.arrayContaining(['RedisReplicaLinkDown']));
    expect(names({ readReplicas: 0 }).filter(n => /Replica|Replication/.test(n))).toEqual([]);
    expect(names({ evictionPolicy: RedisEvictionPolicy.ALLKEYS_LRU })).not.toContain('RedisMemoryNearMax');
    expect(names({ evictionPolicy: RedisEvictionPolicy.ALLKEYS_LFU })).not.toContain('RedisMemoryNearMax');
    expect(names({ evictionPolicy: RedisEvictionPolicy.VOLATILE_LRU })).toContain('RedisMemoryNearMax');
    const missing = alerts({ readReplicas: 3, ordinals: { start: 1 } }).find(r => r.alert === 'RedisReplicasMissing')!;
    expect(missing.expr).toBe('redis_connected_slaves{namespace="news",pod="news-redis-1"} < 3');
  });

  test('Valkey: the same exporter, named after Valkey, with Valkey\'s alert names and container', () => {
    const chart = chartIn('news');
    const metrics = new Valkey(chart, 'valkey', { metadata: { name: 'news-cache' }, readReplicas: 1, password: passwordOf(chart, 'news-cache-auth') }).addMetrics();
    const manifests = synthValid(chart);
    expect(containerOf(manifests, 'valkey-exporter').image).toBe('docker.io/oliver006/redis_exporter:v1.88.0');
    expect(metrics.port).toBe(9121);
    expect(metrics.alertRules.map(r => r.alert)).toEqual([
      'ValkeyExporterDown', 'ValkeyVolumeFillingUp', 'ValkeyVolumeAlmostFull', 'ValkeyPodRestarting', 'ValkeyDown',
      'ValkeyReplicaLinkDown', 'ValkeyReplicasMissing', 'ValkeyReplicationLagging', 'ValkeyMemoryNearMax',
      'ValkeyRejectingWrites', 'ValkeyTooManyConnections', 'ValkeyRejectingConnections',
    ]);
    const down = metrics.alertRules.find(r => r.alert === 'ValkeyDown')!;
    expect(down.expr).toBe('redis_up{namespace="news",pod=~"news-cache-[0-9]+"} == 0');
    expect(down.annotations!.runbook).toContain('-c valkey;');
    expect(down.annotations!.summary).toBe('Valkey {{ $labels.namespace }}/{{ $labels.pod }} is down');
  });

  test('Redis without a password: the exporter gets none', () => {
    const chart = chartIn('news');
    new Redis(chart, 'redis', { metadata: { name: 'news-redis' }, allowUnauthenticated: true }).addMetrics();
    const exporter = containerOf(synthValid(chart), 'redis-exporter');
    expect(exporter.env.map((e: any) => e.name)).toEqual(['REDIS_ADDR', 'REDIS_EXPORTER_DISABLE_SCRAPE_ENDPOINT']);
    expect(exporter.securityContext).toMatchObject({ runAsUser: 59000, runAsGroup: 59000, runAsNonRoot: true });
  });

  test('Postgres: the exporter mounts the server\'s password volume; the pod has it once', () => {
    const chart = chartIn('accounts');
    postgres(chart).addMetrics();
    const manifests = synthValid(chart);
    expect(podSpec(manifests).volumes.filter((v: any) => v.name === 'postgres-password')).toHaveLength(1);
    expect(containerOf(manifests, 'postgres-exporter').volumeMounts).toContainEqual({ name: 'postgres-password', mountPath: '/run/secrets/postgres', readOnly: true });
  });

  test('Postgres: a password with white space in a Secret the app renders fails synthesis with metrics on (not without)', () => {
    const b64 = (v: string) => Buffer.from(v, 'utf8').toString('base64');
    for (const data of [undefined, { username: b64('app'), password: b64('tab\there') }]) {
      const chart = chartIn('accounts');
      const secret = new kplus.Secret(chart, 'creds', { metadata: { name: 'user-db-credentials' }, stringData: { username: 'app', password: 'two words' } });
      // a Secret object carrying base64 data only
      if (data) ApiObject.of(secret).addJsonPatch(JsonPatch.remove('/stringData'), JsonPatch.add('/data', data));
      const db = postgres(chart, { secret });
      expect(() => synthValid(chart)).not.toThrow();
      db.addMetrics();
      expect(() => synthValid(chart)).toThrow(
        "Postgres 'test/db': invalid 'addMetrics()': the password (key \"password\" of the Secret \"user-db-credentials\") contains white space. "
        + 'postgres_exporter cannot log in with such a password: it splits its connection string at spaces, fails, and logs the string with the password. '
        + 'Use a password without spaces, tabs or line breaks (change it with ALTER ROLE ... PASSWORD and in the Secret), or leave metrics off.');
    }
    const chart = chartIn('accounts');
    const secret = new kplus.Secret(chart, 'creds', { stringData: { username: 'app', password: 'no-white-space"\\$#' } });
    postgres(chart, { secret }).addMetrics();
    expect(() => synthValid(chart)).not.toThrow();
  });

  test('pod annotations of the user\'s own stay; equal ones are fine', () => {
    const chart = chartIn('accounts');
    const db = postgres(chart);
    db.workload.podMetadata.addAnnotation('team', 'accounts');
    db.workload.podMetadata.addAnnotation('prometheus.io/scrape', 'true');
    db.addMetrics({ scrape: MetricsScrape.POD_ANNOTATIONS });
    expect(findOne(synthValid(chart), 'StatefulSet').spec.template.metadata.annotations).toMatchObject({ 'team': 'accounts', 'prometheus.io/port': '9187' });
  });

  test('fails when addMetrics() is called twice', () => {
    const db = postgres(chartIn('accounts'));
    db.addMetrics();
    expect(() => db.addMetrics()).toThrow(
      "Postgres 'test/db': invalid 'addMetrics()': called twice. A store has one exporter per pod, added once. Call addMetrics() once, with all the options.");
  });

  test('fails when the engine has no exporter (Cassandra)', () => {
    const ring = new Cassandra(chartIn('ring'), 'ring', { allowUnauthenticated: true });
    expect(() => ring.addMetrics()).toThrow(
      "Cassandra 'test/ring': invalid 'addMetrics()': Cassandra has no metrics exporter. Metrics need an exporter sidecar, from the preset's metricsExporter() hook; "
      + 'Postgres and Redis have one, Cassandra has none yet (a JMX exporter agent needs its jar in the pod, see docs/metrics.md). '
      + 'Scrape the engine with an exporter you add to the workload yourself (workload.addContainer()); for a preset of your own, override metricsExporter().');
  });

  test('fails when the pods already carry another prometheus.io annotation', () => {
    const db = postgres(chartIn('accounts'));
    db.workload.podMetadata.addAnnotation('prometheus.io/port', '8080');
    expect(() => db.addMetrics({ scrape: MetricsScrape.POD_ANNOTATIONS })).toThrow(
      `${WHERE}: invalid 'scrape': "PodAnnotations". The pods already carry the annotation prometheus.io/port: "8080", and the exporter needs "9187". `
      + 'Remove the annotation prometheus.io/port from \'podMetadata\', or scrape with MetricsScrape.POD_MONITOR.');
  });

  test.each<[string, MetricsOptions, string]>([
    ['scrape is unknown', { scrape: 'ServiceMonitor' as MetricsScrape },
      'invalid \'scrape\': "ServiceMonitor". Must be one of "PodMonitor", "PodAnnotations". Use MetricsScrape.POD_MONITOR or MetricsScrape.POD_ANNOTATIONS.'],
    ['interval is not whole seconds', { interval: Duration.millis(1500) },
      'invalid \'interval\': "1.5 seconds". Must be a positive whole number of seconds. Set \'interval\' to e.g. Duration.minutes(5).'],
    ['a label key is invalid', { labels: { 'bad key': 'x' } }, 'invalid \'labels key\': "bad key".'],
    ['a percentage is 0', { alerts: { connectionsPercent: 0 } },
      'invalid \'alerts.connectionsPercent\': 0. Must be a percentage above 0 and below 100. Set \'connectionsPercent\' to e.g. 80.'],
    ['a percentage is 100', { alerts: { memoryPercent: 100 } },
      'invalid \'alerts.memoryPercent\': 100. Must be a percentage above 0 and below 100. Set \'memoryPercent\' to e.g. 90.'],
    ['a percentage is not a number', { alerts: { volumeUsageWarningPercent: NaN } },
      'invalid \'alerts.volumeUsageWarningPercent\': null. Must be a percentage above 0 and below 100. Set \'volumeUsageWarningPercent\' to e.g. 80.'],
    ['the critical volume threshold is not above the warning', { alerts: { volumeUsageWarningPercent: 90, volumeUsageCriticalPercent: 90 } },
      'invalid \'alerts.volumeUsageCriticalPercent\': 90. Must be above \'volumeUsageWarningPercent\' (90): the warning comes before the critical alert. '
      + 'Set \'volumeUsageCriticalPercent\' above 90, or lower \'volumeUsageWarningPercent\'.'],
    ['restarts is 0', { alerts: { restarts: 0 } }, 'invalid \'alerts.restarts\': 0.'],
    ['restarts is not whole', { alerts: { restarts: 1.5 } }, 'invalid \'alerts.restarts\': 1.5.'],
    ['restartsWindow is not whole minutes', { alerts: { restartsWindow: Duration.seconds(330) } },
      'invalid \'alerts.restartsWindow\': "330 seconds". Must be whole minutes, at least 5: the restart counter is scraped every few tens of seconds. '
      + 'Set \'restartsWindow\' to e.g. Duration.hours(1).'],
    ['restartsWindow is under 5 minutes', { alerts: { restartsWindow: Duration.minutes(2) } }, 'invalid \'alerts.restartsWindow\': "120 seconds".'],
    ['replicationLag is not whole seconds', { alerts: { replicationLag: Duration.millis(500) } }, 'invalid \'alerts.replicationLag\': "0.5 seconds".'],
    ['alerts.labels sets severity', { alerts: { labels: { severity: 'page' } } },
      'invalid \'alerts.labels["severity"]\': "page". The rules set \'severity\' themselves. Remove \'severity\' from \'alerts.labels\'.'],
    ['alerts.labels sets alertname', { alerts: { labels: { alertname: 'x' } } }, 'invalid \'alerts.labels["alertname"]\': "x".'],
    ['an alert label name is invalid', { alerts: { labels: { 'team-name': 'x' } } },
      'invalid \'alerts.labels key\': "team-name". Must be a Prometheus label name: letters, digits and \'_\', not starting with a digit. Rename the key, e.g. "team_name".'],
    ['runbookUrl is not a URL', { alerts: { runbookUrl: 'runbooks/db' } },
      'invalid \'alerts.runbookUrl\': "runbooks/db". Must be an http(s) URL without spaces or quotes. '
      + 'Set it to the base URL of your runbooks, e.g. "https://runbooks.example.com/databases/".'],
    ['the image registry is a bare name', { image: { registry: 'mirror' } }, 'invalid \'image.registry\': "mirror".'],
  ])('fails when %s', (_case, options, message) => {
    const db = postgres(chartIn('accounts'));
    expect(() => db.addMetrics(options)).toThrow(`${WHERE}: ${message}`);
  });
});

function postgresRules(chart: Chart): any[] {
  return rulesOf(synthValid(chart).filter(m => m.metadata?.name === 'user-db'));
}
