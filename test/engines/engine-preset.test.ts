import { Chart, Cron, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { LogicalBackup } from '../../src/backup/logical-backup';
import { LogicalBackupEngine } from '../../src/backup/logical-backup-engine';
import { LogicalRestore } from '../../src/backup/logical-restore';
import { DataStoreCredentials, IDataStore } from '../../src/connection/data-store';
import { DataStoreConnection } from '../../src/connection/data-store-connection';
import { Cassandra } from '../../src/engines/cassandra';
import { AlertSeverity, MetricsAlertContext } from '../../src/engines/engine-metrics';
import { EnginePreset } from '../../src/engines/engine-preset';
import { Postgres } from '../../src/engines/postgres';
import { Redis } from '../../src/engines/redis';
import { MetricsExporter } from '../../src/metrics/metrics-exporter';
import { PrometheusAlertingRule } from '../../src/metrics/prometheus-rule';
import { restrictedViolations } from '../../src/private/pod-security';
import { StatefulWorkload } from '../../src/workload/stateful-workload';
import { findAll, findOne, synthValid } from '../util/harness';

/** A platform team's own preset, written on the public API only. */
class MySql extends EnginePreset {
  public readonly workload: StatefulWorkload;

  constructor(scope: Construct, id: string, credentials: DataStoreCredentials) {
    super(scope, id);
    this.workload = new StatefulWorkload(this, 'Resource', {
      containers: [{
        name: 'mysql',
        image: 'docker.io/library/mysql:8.4.3',
        ports: [{ name: 'mysql', number: 3306 }],
        securityContext: { user: 999, group: 999 },
      }],
      clientPorts: [{ name: 'mysql', port: 3306 }],
      credentials,
      storeName: 'orders-db',
    });
  }
}

/**
 * The same preset with logical backups: the one engine hook, `logicalBackupEngine()`, gives the
 * dump and restore commands; `addBackup()` and `addRestore()` come from the base.
 */
class MySqlWithBackups extends MySql {
  public hookCalls = 0;

  constructor(scope: Construct, id: string, private readonly credentials_: DataStoreCredentials) {
    super(scope, id, credentials_);
  }

  protected logicalBackupEngine(): LogicalBackupEngine {
    this.hookCalls++;
    const volume = kplus.Volume.fromSecret(this, 'BackupCredentials', this.credentials_.secret, {
      name: 'mysql-credentials',
      items: { password: { path: 'password' } },
    });
    const mounts = [{ path: '/run/secrets/mysql', volume, readOnly: true }];
    // the password from the Secret's file into a private option file: never an argument
    const client = 'cnf=$(mktemp)\nprintf \'[client]\\npassword="%s"\\n\' "$(cat /run/secrets/mysql/password)" > "$cnf"\n';
    return {
      engineName: 'mysql',
      image: 'docker.io/library/mysql:8.4.3',
      user: 999,
      group: 999,
      files: ['dump.sql'],
      details: { database: 'orders' },
      backup: {
        script: `${client}mysqldump --defaults-extra-file="$cnf" -h "$STORE_HOST" -P "$STORE_PORT" -u root --single-transaction --all-databases > "$BACKUP_DIR/dump.sql"`,
        volumeMounts: mounts,
      },
      restore: {
        script: `${client}mysql --defaults-extra-file="$cnf" -h "$STORE_HOST" -P "$STORE_PORT" -u root < "$BACKUP_DIR/dump.sql"`,
        volumeMounts: mounts,
      },
    };
  }
}

/**
 * A platform team's preset with metrics: it fills the two metrics hooks of the base, on the public
 * API only (mysqld_exporter reads the password from a file of the Secret).
 */
class MonitoredMySql extends MySql {
  private readonly password: kplus.ISecret;

  constructor(scope: Construct, id: string, credentials: DataStoreCredentials, private readonly exporter: Partial<MetricsExporter> = {}) {
    super(scope, id, credentials);
    this.password = credentials.secret;
  }

  protected metricsExporter(): MetricsExporter {
    const volume = kplus.Volume.fromSecret(this, 'ExporterCredentials', this.password, { items: { password: { path: 'password' } }, defaultMode: 0o440 });
    return {
      alertPrefix: 'MySql',
      containerName: 'mysqld-exporter',
      image: { registry: 'docker.io', repository: 'prom/mysqld-exporter', tag: 'v0.16.0' },
      port: 9104,
      args: ['--mysqld.address=127.0.0.1:3306', '--mysqld.username=exporter'],
      envVariables: { MYSQLD_EXPORTER_PASSWORD_FILE: kplus.EnvValue.fromValue('/run/secrets/mysql/password') },
      volumeMounts: [{ path: '/run/secrets/mysql', volume, readOnly: true }],
      ...this.exporter,
    };
  }

  protected metricsAlertRules(context: MetricsAlertContext): PrometheusAlertingRule[] {
    return [context.rule({
      alert: 'MySqlDown',
      expr: `mysql_up{${context.podMatchers}} == 0`,
      pendingFor: Duration.minutes(1),
      severity: AlertSeverity.CRITICAL,
      summary: 'MySQL {{ $labels.pod }} is down',
      description: 'The exporter cannot reach the server.',
      runbook: 'kubectl logs {{ $labels.pod }} -c mysql',
    })];
  }
}

function secret(chart: Construct): kplus.Secret {
  return new kplus.Secret(chart, 'secret', { stringData: { username: 'app', password: 'x' } });
}

describe('EnginePreset', () => {
  test('a preset of its own delegates the data-store contract to its workload', () => {
    // GIVEN
    const chart = Testing.chart();
    const credentials = DataStoreCredentials.fromSecret(secret(chart));

    // WHEN
    const db = new MySql(chart, 'mysql', credentials);

    // THEN
    expect(db.storeName).toBe('orders-db');
    expect(db.endpoint.hostname).toBe(db.workload.dnsName);
    expect(db.endpoint.port).toBe(3306);
    expect(db.ports).toEqual([{ name: 'mysql', port: 3306, protocol: 'TCP' }]);
    expect(db.primaryEndpoint?.hostname).toBe(db.workload.podDnsName(0));
    expect(db.credentials).toBe(credentials);
  });

  test('a consumer is wired to a preset of its own as to any store', () => {
    // GIVEN
    const chart = Testing.chart();
    const db: IDataStore = new MySql(chart, 'mysql', DataStoreCredentials.fromSecret(secret(chart)));
    const app = new kplus.Deployment(chart, 'app', {
      containers: [{ image: 'docker.io/library/busybox:1.36', securityContext: { user: 1000 } }],
    });

    // WHEN
    new DataStoreConnection(chart, 'conn', { store: db }).addWorkload(app);

    // THEN
    const manifests = Testing.synth(chart);
    const configMap = manifests.find(o => o.kind === 'ConfigMap');
    const deployment = manifests.find(o => o.kind === 'Deployment');
    expect(deployment.spec.template.spec.containers[0].envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }]);
    expect(configMap.data).toMatchObject({ ORDERS_DB_SERVICE_HOST: db.endpoint.hostname, ORDERS_DB_SERVICE_PORT: '3306' });
  });

  test.each([
    ['Postgres', (c: Construct) => new Postgres(c, 'pg', { credentials: DataStoreCredentials.fromSecret(secret(c)) })],
    ['Redis', (c: Construct) => new Redis(c, 'redis', { allowUnauthenticated: true })],
    ['Cassandra', (c: Construct) => new Cassandra(c, 'ring', { allowUnauthenticated: true })],
  ])('%s extends the base', (_name, make) => {
    const preset = make(Testing.chart());
    expect(preset).toBeInstanceOf(EnginePreset);
    expect(preset.storeName).toBe(preset.workload.storeName);
  });

  describe('logical backups: one operation on the base, one hook per engine', () => {
    test('a preset of its own gets backups and restores by filling the hook', () => {
      // GIVEN
      const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
      const db = new MySqlWithBackups(chart, 'mysql', DataStoreCredentials.fromSecret(secret(chart)));

      // WHEN
      const nightly = db.addBackup('nightly', { schedule: Cron.schedule({ minute: '0', hour: '3' }) });
      const hourly = db.addBackup('hourly', { schedule: Cron.hourly(), retain: 24 });
      const restore = db.addRestore('restore', { backup: nightly, dump: '20250301T030000Z' });

      // THEN
      expect(nightly).toBeInstanceOf(LogicalBackup);
      expect(restore).toBeInstanceOf(LogicalRestore);
      expect(db.hookCalls).toBe(1);
      const manifests = synthValid(chart);
      const names = findAll(manifests, 'CronJob').map(c => c.metadata.name).sort();
      expect(names).toEqual([hourly.cronJobName, nightly.cronJobName].sort());
      const cronJob = findOne(manifests, 'CronJob', nightly.cronJobName);
      const container = cronJob.spec.jobTemplate.spec.template.spec.containers[0];
      expect(container.image).toBe('docker.io/library/mysql:8.4.3');
      expect(container.command[2]).toContain('mysqldump --defaults-extra-file="$cnf" -h "$STORE_HOST"');
      expect(findOne(manifests, 'ConfigMap', `${nightly.cronJobName}-connection`).data.ORDERS_DB_SERVICE_HOST).toBe(db.primaryEndpoint!.hostname);
      const job = findOne(manifests, 'Job', restore.jobName);
      expect(job.spec.template.spec.containers[0].command[2]).toContain('mysql --defaults-extra-file="$cnf" -h "$STORE_HOST"');
      expect(nightly.store).toBe(db);
      expect(restore.connection.store).toBe(db);
    });

    test('fails when the preset has no logical backup (the default hook), pointing to volume snapshots', () => {
      const chart = Testing.chart();
      const db = new MySql(chart, 'mysql', DataStoreCredentials.fromSecret(secret(chart)));
      expect(() => db.addBackup('nightly', { schedule: Cron.daily() })).toThrow(
        'MySql \'test/mysql\': invalid \'addBackup()\': MySql has no logical backup. A logical backup needs the engine\'s dump and restore commands, '
        + 'from the preset\'s logicalBackupEngine() hook; engines whose data a dump cannot capture consistently (Cassandra: each node holds part of the data, '
        + 'and a dump of a live ring is no point in time) have none. Back up the volumes instead, with volume snapshots of the workload\'s claims '
        + '(see docs/volume-snapshots.md); for a preset of your own, override logicalBackupEngine().');
    });

    test('Cassandra keeps the default: no logical backup, no restore', () => {
      const chart = Testing.chart();
      const ring = new Cassandra(chart, 'ring', { allowUnauthenticated: true });
      expect(() => ring.addBackup('nightly', { schedule: Cron.daily() })).toThrow(/^Cassandra 'test\/ring': invalid 'addBackup\(\)': Cassandra has no logical backup\. .*volume snapshots/);
      const other = new MySqlWithBackups(chart, 'mysql', DataStoreCredentials.fromSecret(secret(chart)));
      const backup = other.addBackup('nightly', { schedule: Cron.daily() });
      expect(() => ring.addRestore('restore', { backup, dump: '20250301T030000Z' })).toThrow(/^Cassandra 'test\/ring': invalid 'addRestore\(\)': Cassandra has no logical backup/);
    });
  });

  test('Redis hands out its write Service, Cassandra no primary', () => {
    const chart = Testing.chart();
    const redis = new Redis(chart, 'redis', { allowUnauthenticated: true });
    const ring = new Cassandra(chart, 'ring', { allowUnauthenticated: true });
    expect(redis.endpoint.hostname).toBe(redis.primaryService.endpoint.hostname);
    expect(redis.primaryEndpoint?.hostname).toBe(redis.workload.podDnsName(0));
    expect(ring.primaryEndpoint).toBeUndefined();
    expect(ring.credentials).toBeUndefined();
  });

  test('a preset of its own fills the metrics hooks: its exporter, its PodMonitor, the shared alerts and its own', () => {
    // GIVEN
    const chart = Testing.chart();
    const db = new MonitoredMySql(chart, 'mysql', DataStoreCredentials.fromSecret(secret(chart)));

    // WHEN
    const metrics = db.addMetrics({ alerts: { runbookUrl: 'https://runbooks.example.com/' } });
    const manifests = synthValid(chart);

    // THEN
    const spec = findOne(manifests, 'StatefulSet').spec.template.spec;
    const exporter = spec.containers.find((c: any) => c.name === 'mysqld-exporter');
    expect(exporter).toMatchObject({
      image: 'docker.io/prom/mysqld-exporter:v0.16.0',
      ports: [{ name: 'metrics', containerPort: 9104 }],
      env: [{ name: 'MYSQLD_EXPORTER_PASSWORD_FILE', value: '/run/secrets/mysql/password' }],
      securityContext: { runAsUser: 65534, runAsGroup: 65534, runAsNonRoot: true, readOnlyRootFilesystem: true },
    });
    expect(restrictedViolations(spec)).toEqual([]);
    expect(db.ports).toEqual([{ name: 'mysql', port: 3306, protocol: 'TCP' }]);
    expect(findOne(manifests, 'PodMonitor').spec.podMetricsEndpoints).toEqual([{ port: 'metrics', path: '/metrics' }]);
    const rules = findOne(manifests, 'PrometheusRule').spec.groups[0].rules;
    expect(rules.map((r: any) => r.alert)).toEqual(['MySqlExporterDown', 'MySqlPodRestarting', 'MySqlDown']);
    expect(rules[2]).toEqual({
      alert: 'MySqlDown',
      expr: `mysql_up{pod=~"${db.workload.name}-[0-9]+"} == 0`,
      for: '1m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'MySQL {{ $labels.pod }} is down',
        description: 'The exporter cannot reach the server.',
        runbook: 'kubectl logs {{ $labels.pod }} -c mysql',
        runbook_url: 'https://runbooks.example.com/mysqldown',
      },
    });
    expect(metrics.port).toBe(9104);
  });

  test('a preset of its own without the exporter hook: addMetrics() fails and says how to add one', () => {
    const chart = Testing.chart();
    const db = new MySql(chart, 'mysql', DataStoreCredentials.fromSecret(secret(chart)));
    expect(() => db.addMetrics()).toThrow(/^MySql 'test\/mysql': invalid 'addMetrics\(\)': MySql has no metrics exporter\. .* for a preset of your own, override metricsExporter\(\)\.$/);
    expect(db.metrics).toBeUndefined();
  });

  test.each<[string, Partial<MetricsExporter>, string]>([
    ['the alert prefix is not PascalCase', { alertPrefix: 'my-sql' },
      'invalid \'metricsExporter().alertPrefix\': "my-sql". Must be PascalCase letters and digits, e.g. "Postgres". Return the engine\'s name as alert names start with it.'],
    ['the exporter\'s port is the server\'s', { port: 3306 },
      'invalid \'metricsExporter().port\': 3306. Must be free in the pod: container "mysql" already exposes 3306 (mysql). Give the exporter another port, or rename the container port that is named "metrics".'],
    ['the port is out of range', { port: 70000 }, 'invalid \'metricsExporter().port\': 70000.'],
    ['the path is not absolute', { path: 'metrics' }, 'invalid \'metricsExporter().path\': "metrics".'],
  ])('fails when %s', (_case, exporter, message) => {
    const chart = Testing.chart();
    const db = new MonitoredMySql(chart, 'mysql', DataStoreCredentials.fromSecret(secret(chart)), exporter);
    expect(() => db.addMetrics()).toThrow(`EngineMetrics 'test/mysql/Metrics': ${message}`);
  });
});
