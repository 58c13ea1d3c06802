import { Chart, Cron, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { LogicalBackup } from '../../src/backup/logical-backup';
import { LogicalBackupEngine } from '../../src/backup/logical-backup-engine';
import { LogicalRestore, LogicalRestoreProps } from '../../src/backup/logical-restore';
import { SyncWaves } from '../../src/gitops/sync-waves';
import { podSpecsOf, restrictedViolations } from '../../src/private/pod-security';
import { StatefulWorkload } from '../../src/workload/stateful-workload';
import { mysqlEngine, ordersDb, shopChart } from '../util/backup-fixtures';
import { findAll, findOne, synthValid } from '../util/harness';

const DUMP = '20250301T023000Z';
const WAVE = 'argocd.argoproj.io/sync-wave';

function storeOf(chart: Chart): StatefulWorkload {
  return (chart.node.tryFindChild('orders-db') as StatefulWorkload | undefined) ?? ordersDb(chart);
}

function backupOf(chart: Chart): LogicalBackup {
  const store = storeOf(chart);
  return (chart.node.tryFindChild('nightly') as LogicalBackup | undefined) ?? new LogicalBackup(chart, 'nightly', {
    store, workload: store, engine: mysqlEngine(chart), schedule: Cron.schedule({ minute: '30', hour: '2' }),
  });
}

function restore(chart: Chart, props: Partial<LogicalRestoreProps> = {}, id = 'restore'): LogicalRestore {
  const store = storeOf(chart);
  return new LogicalRestore(chart, id, {
    store,
    workload: store,
    engine: mysqlEngine(chart),
    backup: backupOf(chart),
    dump: DUMP,
    ...props,
  });
}

const jobOf = (chart: Chart) => findOne(synthValid(chart), 'Job');
const containerOf = (job: any) => job.spec.template.spec.containers[0];

describe('LogicalRestore', () => {
  test('defaults', () => {
    const chart = shopChart();
    restore(chart);
    expect(synthValid(chart).filter(m => m.kind === 'Job' || (m.kind === 'ConfigMap' && m.metadata.name.includes('restore')))).toMatchSnapshot();
  });

  test('all props', () => {
    const chart = shopChart();
    restore(chart, {
      replaceExisting: true,
      activeDeadline: Duration.hours(4),
      backoffLimit: 0,
      metadata: { name: 'orders-recovery', labels: { team: 'orders' }, annotations: { 'argocd.argoproj.io/hook': 'PostSync', 'owner': 'orders@example.com' } },
      podDefaults: { memoryLimit: Size.gibibytes(2) },
    });
    expect(synthValid(chart).filter(m => m.kind === 'Job' || (m.kind === 'ConfigMap' && m.metadata.name.includes('recovery')))).toMatchSnapshot();
  });

  test('named after the dump: <statefulset>-<id>-<dump>-<6 hex digits of what it runs>', () => {
    const chart = shopChart();
    const r = restore(chart);
    expect(r.jobName).toMatch(/^orders-db-restore-20250301t023000z-[0-9a-f]{6}$/);
    expect(jobOf(chart).metadata.name).toBe(r.jobName);
    expect(r.dump).toBe(DUMP);
  });

  test('another dump is another Job; another image too (a Job\'s template is immutable)', () => {
    const names = [
      restore(shopChart()).jobName,
      restore(shopChart(), { dump: '20250302T023000Z' }).jobName,
      (() => { const c = shopChart(); return restore(c, { engine: mysqlEngine(c, { image: 'docker.io/library/mysql:8.4.4' }) }).jobName; })(),
      restore(shopChart(), { replaceExisting: true }).jobName,
    ];
    expect(new Set(names).size).toBe(4);
    expect(restore(shopChart()).jobName).toBe(names[0]);
  });

  test('an Argo CD Sync hook, re-created before each sync; annotations given win', () => {
    const chart = shopChart();
    restore(chart, { metadata: { annotations: { 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded' } } });
    expect(jobOf(chart).metadata.annotations).toEqual({
      'argocd.argoproj.io/hook': 'Sync',
      'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded',
    });
  });

  test('the pod: the engine\'s image, user and restore script; the backup claim read-only; the restricted profile', () => {
    const chart = shopChart();
    restore(chart);
    const job = jobOf(chart);
    const spec = job.spec.template.spec;
    expect(job.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 3600 });
    expect(containerOf(job)).toMatchObject({
      name: 'restore',
      image: 'docker.io/library/mysql:8.4.3',
      command: ['sh', '-c', expect.stringContaining('engine_restore() (\nset -eu\nmysql orders < "$BACKUP_DIR/dump.sql"\n)'), 'restore'],
      securityContext: { runAsUser: 999, runAsGroup: 999, runAsNonRoot: true },
    });
    expect(containerOf(job).volumeMounts).toContainEqual({ mountPath: '/backup', name: 'pvc-orders-db-nightly-backups', readOnly: true });
    expect(spec.securityContext).toMatchObject({ fsGroup: 999 });
    expect(spec.restartPolicy).toBe('Never');
    expect(job.spec.template.metadata.labels).toEqual({});
    for (const podSpec of podSpecsOf(job)) expect(restrictedViolations(podSpec)).toEqual([]);
  });

  test('the environment: the dump, the stores, replaceExisting; no credential variables', () => {
    const chart = shopChart();
    restore(chart, { replaceExisting: true });
    expect(containerOf(jobOf(chart)).env).toEqual([
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'BACKUP_ENGINE', value: 'mysql' },
      { name: 'BACKUP_STORE', value: 'orders-db' },
      { name: 'BACKUP_ROOT', value: '/backup/orders-db-nightly' },
      { name: 'BACKUP_FILES', value: 'dump.sql' },
      { name: 'RESTORE_SOURCE', value: 'orders-db' },
      { name: 'RESTORE_DUMP', value: DUMP },
      { name: 'RESTORE_REPLACE_EXISTING', value: 'true' },
      { name: 'MYSQL_DATABASE', value: 'orders' },
    ]);
  });

  test('a dump of another store of the same engine: RESTORE_SOURCE names it', () => {
    const chart = shopChart();
    const copy = new StatefulWorkload(chart, 'orders-copy', {
      metadata: { name: 'orders-copy' },
      credentials: storeOf(chart).credentials,
      containers: [{ name: 'mysql', image: 'docker.io/library/mysql:8.4.3', ports: [{ name: 'mysql', number: 3306 }], securityContext: { user: 999, group: 999 } }],
    });
    new LogicalRestore(chart, 'copy', { store: copy, workload: copy, engine: mysqlEngine(chart), backup: backupOf(chart), dump: DUMP });
    const env = Object.fromEntries(containerOf(jobOf(chart)).env.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({ BACKUP_STORE: 'orders-copy', RESTORE_SOURCE: 'orders-db' });
  });

  test('wired to the store as a consumer, without the connection checksum (it runs once)', () => {
    const chart = shopChart();
    const r = restore(chart);
    const manifests = synthValid(chart);
    expect(r.connection.consumers).toEqual([r.job.containers[0]]);
    expect(findOne(manifests, 'ConfigMap', `orders-db-restore-${DUMP.toLowerCase()}-connection`).data.ORDERS_DB_SERVICE_HOST)
      .toBe('orders-db-0.orders-db.shop.svc.cluster.local');
    expect(findOne(manifests, 'Job').spec.template.metadata.annotations).toBeUndefined();
  });

  test('sync waves: with its store, before the migrations; the restores wave, or the data stores wave, moves it', () => {
    const waves = (options: object) => {
      const chart = shopChart();
      SyncWaves.enable(chart, options);
      restore(chart);
      const manifests = synthValid(chart);
      return [findOne(manifests, 'Job').metadata.annotations[WAVE], findOne(manifests, 'StatefulSet').metadata.annotations[WAVE]];
    };
    expect(waves({})).toEqual(['2', '2']);
    expect(waves({ restores: 1 })).toEqual(['1', '2']);
    expect(waves({ dataStores: 5 })).toEqual(['5', '5']);
  });

  test('prefix: metadata.name, or a generated one when <statefulset>-<id> is too long', () => {
    expect(restore(shopChart(), { metadata: { name: 'recover' } }).jobName).toMatch(/^recover-20250301t023000z-[0-9a-f]{6}$/);
    const long = restore(shopChart(), {}, 'restore-with-a-long-id-here');
    expect(long.jobName.length).toBeLessThanOrEqual(63);
    expect(long.jobName).toMatch(/-20250301t023000z-[0-9a-f]{6}$/);
  });

  describe('errors', () => {
    test.each([
      ['the dump is not a dump\'s name', { dump: 'latest' },
        'LogicalRestore \'test/restore\': invalid \'dump\': "latest". Must name one backup: the UTC time it started, YYYYMMDDTHHMMSSZ (e.g. "20250301T023000Z")'],
      ['the dump is no real time', { dump: '20250230T023000Z' }, /invalid 'dump': "20250230T023000Z"/],
      ['the namespace is not the store\'s', { metadata: { namespace: 'other' } }, /invalid 'metadata.namespace': "other". Must be the store's namespace \("shop"\)/],
      ['the prefix is too long', { metadata: { name: 'x'.repeat(40) } }, /invalid 'metadata.name': "x{40}". Must be a DNS-1123 label of at most 39 characters/],
      ['backoffLimit is negative', { backoffLimit: -1 }, /invalid 'backoffLimit': -1/],
      ['the active deadline is 0', { activeDeadline: Duration.seconds(0) }, /invalid 'activeDeadline': "0 seconds"/],
    ])('fails when %s', (_name, props, message) => {
      expect(() => restore(shopChart(), props as Partial<LogicalRestoreProps>)).toThrow(message);
    });

    test('fails when the backup is of another engine', () => {
      const chart = shopChart();
      expect(() => restore(chart, { engine: mysqlEngine(chart, { engineName: 'mariadb' }) })).toThrow(
        'LogicalRestore \'test/restore\': invalid \'backup\': "test/nightly". Must be backups of the same engine: they are "mysql" dumps, the store runs "mariadb". '
        + 'Pass a backup of a store of the same engine.');
    });

    test('fails when the backup is in another namespace', () => {
      const app = Testing.app();
      const other = new Chart(app, 'other', { namespace: 'other' });
      const b = backupOf(other);
      const chart = new Chart(app, 'test', { namespace: 'shop' });
      expect(() => restore(chart, { backup: b })).toThrow(
        /invalid 'backup': "other\/nightly". Must be backups in the store's namespace \("shop"\), whose claim the Job can mount: they are in "other"/);
    });

    test('fails when the backup is not a LogicalBackup', () => {
      expect(() => restore(shopChart(), { backup: {} as LogicalBackup })).toThrow(/invalid 'backup': \{\}. Must be a LogicalBackup/);
    });

    test('fails when the engine has no restore script', () => {
      const chart = shopChart();
      const engine: LogicalBackupEngine = { ...mysqlEngine(chart), restore: { script: '' } };
      expect(() => restore(chart, { engine })).toThrow(/invalid 'engine.restore.script': ""/);
    });

    test('fails when an engine variable is one the library sets', () => {
      const chart = shopChart();
      const engine: LogicalBackupEngine = { ...mysqlEngine(chart), restore: { script: 'true', envVariables: { RESTORE_DUMP: kplus.EnvValue.fromValue('x') } } };
      expect(() => restore(chart, { engine })).toThrow(/invalid 'engine.restore.envVariables': "RESTORE_DUMP"/);
    });
  });

  test('two restores of one store are two Jobs', () => {
    const chart = shopChart();
    restore(chart);
    restore(chart, { dump: '20250302T023000Z' }, 'again');
    expect(findAll(synthValid(chart), 'Job')).toHaveLength(2);
  });
});
