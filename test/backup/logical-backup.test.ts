import { Chart, Cron, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { LogicalBackup, LogicalBackupProps } from '../../src/backup/logical-backup';
import { LogicalBackupEngine } from '../../src/backup/logical-backup-engine';
import { ConnectionTarget } from '../../src/connection/data-store-connection';
import { podSpecsOf, restrictedViolations } from '../../src/private/pod-security';
import { allWarnings } from '../../src/private/warnings';
import { StorageClass } from '../../src/storage/storage-class';
import { VolumeClaim } from '../../src/storage/volume-claim';
import { StatefulWorkload } from '../../src/workload/stateful-workload';
import { mysqlEngine, MYSQL_IMAGE as IMAGE, ordersDb, shopChart } from '../util/backup-fixtures';
import { findAll, findOne, synthValid } from '../util/harness';


function backup(chart: Chart, props: Partial<LogicalBackupProps> = {}, id = 'nightly'): LogicalBackup {
  const store = (chart.node.tryFindChild('orders-db') as StatefulWorkload | undefined) ?? ordersDb(chart);
  return new LogicalBackup(chart, id, {
    store,
    workload: store,
    engine: mysqlEngine(chart),
    schedule: Cron.schedule({ minute: '30', hour: '2' }),
    ...props,
  });
}

const storeKinds = ['StatefulSet', 'Service', 'PodDisruptionBudget'];
const cronJobOf = (chart: Chart, name = 'orders-db-nightly') => findOne(synthValid(chart), 'CronJob', name);
const containerOf = (cronJob: any) => cronJob.spec.jobTemplate.spec.template.spec.containers[0];
const envOf = (cronJob: any): Record<string, any> => Object.fromEntries(containerOf(cronJob).env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe('LogicalBackup', () => {
  test('defaults', () => {
    const chart = shopChart();
    backup(chart);
    expect(synthValid(chart).filter(m => !storeKinds.includes(m.kind))).toMatchSnapshot();
  });

  test('all props', () => {
    const chart = shopChart();
    const shared = new VolumeClaim(chart, 'shared', { metadata: { name: 'backups' }, storage: Size.gibibytes(50) });
    backup(chart, {
      retain: 14,
      claim: shared,
      directory: 'orders',
      timeZone: 'Europe/Berlin',
      startingDeadline: Duration.minutes(30),
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 5,
      activeDeadline: Duration.hours(3),
      backoffLimit: 0,
      suspend: true,
      metadata: { name: 'orders-dump', labels: { team: 'orders' }, annotations: { owner: 'orders@example.com' } },
      podDefaults: { memoryLimit: Size.gibibytes(1), cpuRequest: kplus.Cpu.millis(500) },
    });
    expect(synthValid(chart).filter(m => !storeKinds.includes(m.kind))).toMatchSnapshot();
  });

  test('a CronJob that runs one backup at a time, with a starting deadline and history limits, in UTC', () => {
    const chart = shopChart();
    backup(chart);
    expect(cronJobOf(chart).spec).toMatchObject({
      schedule: '30 2 * * *',
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      suspend: false,
      jobTemplate: { spec: { activeDeadlineSeconds: 3600, backoffLimit: 1, template: { spec: { restartPolicy: 'Never' } } } },
    });
  });

  test('each option reaches the CronJob', () => {
    const chart = shopChart();
    backup(chart, {
      timeZone: 'Europe/Berlin',
      startingDeadline: Duration.minutes(30),
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 5,
      activeDeadline: Duration.hours(3),
      backoffLimit: 0,
      suspend: true,
      retain: 14,
    });
    const cronJob = cronJobOf(chart);
    expect(cronJob.spec).toMatchObject({
      timeZone: 'Europe/Berlin',
      startingDeadlineSeconds: 1800,
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 5,
      suspend: true,
      jobTemplate: { spec: { activeDeadlineSeconds: 10800, backoffLimit: 0 } },
    });
    expect(envOf(cronJob).BACKUP_RETAIN).toBe('14');
  });

  test('the pod: the engine\'s image and user, fsGroup for the claim, the restricted profile', () => {
    const chart = shopChart();
    backup(chart);
    const cronJob = cronJobOf(chart);
    const spec = cronJob.spec.jobTemplate.spec.template.spec;
    expect(containerOf(cronJob)).toMatchObject({
      name: 'backup',
      image: IMAGE,
      command: ['sh', '-c', expect.stringContaining('engine_backup() (\nset -eu\nmysqldump --single-transaction orders'), 'backup'],
      securityContext: { runAsUser: 999, runAsGroup: 999, runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
    });
    expect(spec.securityContext).toMatchObject({ fsGroup: 999, runAsUser: 999, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(spec.automountServiceAccountToken).toBe(false);
    for (const podSpec of podSpecsOf(cronJob)) expect(restrictedViolations(podSpec)).toEqual([]);
  });

  test('the environment: what the script reads, the namespace from the downward API, the engine\'s; no credential variables', () => {
    const chart = shopChart();
    backup(chart);
    const container = containerOf(cronJobOf(chart));
    expect(container.env).toEqual([
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'BACKUP_ENGINE', value: 'mysql' },
      { name: 'BACKUP_STORE', value: 'orders-db' },
      { name: 'BACKUP_ROOT', value: '/backup/orders-db-nightly' },
      { name: 'BACKUP_FILES', value: 'dump.sql' },
      { name: 'BACKUP_RETAIN', value: '7' },
      { name: 'BACKUP_DETAILS', value: 'database=orders' },
    ]);
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'orders-db-nightly-connection' } }]);
  });

  test('no BACKUP_DETAILS without details', () => {
    const chart = shopChart();
    backup(chart, { engine: mysqlEngine(chart, { details: undefined }) });
    expect(envOf(cronJobOf(chart)).BACKUP_DETAILS).toBeUndefined();
  });

  test('wired to the store as a consumer: the connection hands out the primary, the script reads its variables', () => {
    const chart = shopChart();
    const b = backup(chart);
    const manifests = synthValid(chart);
    const configMap = findOne(manifests, 'ConfigMap', 'orders-db-nightly-connection');
    expect(configMap.data).toMatchObject({ ORDERS_DB_SERVICE_HOST: 'orders-db-0.orders-db.shop.svc.cluster.local', ORDERS_DB_SERVICE_PORT: '3306' });
    expect(b.connection.target).toBe(ConnectionTarget.PRIMARY);
    expect(b.connection.store).toBe(b.store);
    expect(b.connection.consumers).toEqual([b.cronJob.containers[0]]);
    const script = containerOf(findOne(manifests, 'CronJob')).command[2];
    expect(script).toContain('STORE_HOST="${ORDERS_DB_SERVICE_HOST:-}"');
    expect(script).toContain('STORE_PORT="${ORDERS_DB_SERVICE_PORT:-}"');
    // the pod rolls with the connection, as a consumer's would
    const annotations = findOne(manifests, 'CronJob').spec.jobTemplate.spec.template.metadata.annotations;
    expect(Object.keys(annotations)).toEqual(['connection.cdk8s-stateful.io/orders-db-nightly-connection']);
  });

  test('an engine that asks for the Service gets it', () => {
    const chart = shopChart();
    backup(chart, { engine: mysqlEngine(chart, { connectionTarget: ConnectionTarget.SERVICE }) });
    const configMap = findOne(synthValid(chart), 'ConfigMap', 'orders-db-nightly-connection');
    expect(configMap.data.ORDERS_DB_SERVICE_HOST).toBe('orders-db.shop.svc.cluster.local');
  });

  test('its own claim, kept: Argo CD never prunes or deletes it, and nothing owns it', () => {
    const chart = shopChart();
    const b = backup(chart);
    const claim = findOne(synthValid(chart), 'PersistentVolumeClaim', 'orders-db-nightly-backups');
    expect(claim.metadata).toEqual({
      name: 'orders-db-nightly-backups',
      namespace: 'shop',
      annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' },
    });
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } }, volumeMode: 'Filesystem' });
    expect(b.claim.name).toBe('orders-db-nightly-backups');
    const container = containerOf(findOne(synthValid(chart), 'CronJob'));
    expect(container.volumeMounts).toContainEqual({ mountPath: '/backup', name: 'pvc-orders-db-nightly-backups' });
    expect(container.volumeMounts).toContainEqual({ mountPath: '/run/secrets/mysql', name: 'mysql-credentials', readOnly: true });
  });

  test('storage and storageClass size and place its own claim', () => {
    const chart = shopChart();
    const kept = new StorageClass(chart, 'kept', { metadata: { name: 'kept' }, provisioner: 'ebs.csi.aws.com' });
    backup(chart, { storage: Size.gibibytes(40), storageClass: kept });
    expect(findOne(synthValid(chart), 'PersistentVolumeClaim', 'orders-db-nightly-backups').spec).toMatchObject({
      resources: { requests: { storage: '40Gi' } },
      storageClassName: 'kept',
    });
  });

  test('a claim given is written into a directory of the backup\'s own, and no claim is rendered', () => {
    const chart = shopChart();
    const shared = new VolumeClaim(chart, 'shared', { metadata: { name: 'backups' }, storage: Size.gibibytes(50) });
    const b = backup(chart, { claim: shared, directory: 'orders' });
    const manifests = synthValid(chart);
    expect(findAll(manifests, 'PersistentVolumeClaim').map(c => c.metadata.name)).toEqual(['backups']);
    expect(envOf(findOne(manifests, 'CronJob')).BACKUP_ROOT).toBe('/backup/orders');
    expect(b.claim).toBe(shared);
    expect(b.directory).toBe('orders');
  });

  test('names: <statefulset>-<id>, or metadata.name; the directory follows the name', () => {
    const chart = shopChart();
    const a = backup(chart, {}, 'hourly');
    const b = backup(chart, { metadata: { name: 'orders-dump' } }, 'nightly');
    expect([a.cronJobName, a.directory]).toEqual(['orders-db-hourly', 'orders-db-hourly']);
    expect([b.cronJobName, b.directory]).toEqual(['orders-dump', 'orders-dump']);
    expect(findAll(synthValid(chart), 'CronJob').map(c => c.metadata.name).sort()).toEqual(['orders-db-hourly', 'orders-dump']);
  });

  test('an id that does not make a DNS label, or too long a name, gets a name generated by the chart (at most 52 characters)', () => {
    const chart = shopChart();
    const a = backup(chart, {}, 'Nightly');
    const b = backup(chart, {}, 'a-backup-id-that-is-so-long-that-the-name-would-not-fit');
    for (const x of [a, b]) {
      expect(x.cronJobName.length).toBeLessThanOrEqual(52);
      expect(x.cronJobName).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
  });

  test('attributes', () => {
    const chart = shopChart();
    const b = backup(chart);
    expect(b.retain).toBe(7);
    expect(b.engineName).toBe('mysql');
    expect(b.statefulSetName).toBe('orders-db');
    expect(b.namespaceName).toBe('shop');
    expect(b.store).toBe(chart.node.findChild('orders-db'));
  });

  test('the backup CronJob and a restore Job share the claim without a warning: they run one pod at a time', () => {
    const chart = shopChart();
    const b = backup(chart);
    const job = new kplus.Job(chart, 'restore', {
      containers: [{ image: IMAGE, securityContext: { user: 999, group: 999 } }],
      volumes: [b.claim.asVolume()],
    });
    job.containers[0].mount('/backup', b.claim.asVolume());
    synthValid(chart);
    expect(allWarnings(chart)).toEqual([]);
  });

  describe('errors', () => {
    test.each([
      ['the schedule is a descriptor', { schedule: Cron.schedule({ minute: '@daily', hour: '', day: '', month: '', weekDay: '' }) },
        /LogicalBackup 'test\/nightly': invalid 'schedule': .*Descriptors such as "@daily" are not used here/],
      ['the schedule is out of range', { schedule: Cron.schedule({ minute: '0', hour: '25' }) },
        /LogicalBackup 'test\/nightly': invalid 'schedule': "0 25 \* \* \*". Must be a cron expression of five fields.*The hour field \(field 2\) "25": 25 is above the maximum, 23. Set 'schedule' to/],
      ['the schedule has four fields', { schedule: Cron.schedule({ minute: '0', hour: '3', day: '1', month: '*', weekDay: '' }) },
        /invalid 'schedule': "0 3 1 \* ". .*It has 4 fields, not 5/],
      ['retain is 0', { retain: 0 }, 'LogicalBackup \'test/nightly\': invalid \'retain\': 0. Must be an integer from 1 to 1000. Set \'retain\' to an integer from 1 to 1000.'],
      ['retain is not whole', { retain: 1.5 }, /invalid 'retain': 1.5/],
      ['the time zone is unknown', { timeZone: 'Mars/Olympus' }, /invalid 'timeZone': "Mars\/Olympus". Must be a time zone of the IANA database/],
      ['the starting deadline is below 10 seconds', { startingDeadline: Duration.seconds(5) },
        /invalid 'startingDeadline': "5 seconds". Must be a whole number of seconds, at least 10: the CronJob controller checks every 10 seconds/],
      ['the active deadline is a fraction of a second', { activeDeadline: Duration.millis(1500) }, /invalid 'activeDeadline': "1.5 seconds"/],
      ['backoffLimit is negative', { backoffLimit: -1 }, /invalid 'backoffLimit': -1/],
      ['a history limit is negative', { failedJobsHistoryLimit: -1 }, /invalid 'failedJobsHistoryLimit': -1/],
      ['the name is too long for a CronJob', { metadata: { name: 'x'.repeat(53) } }, /invalid 'metadata.name': "x{53}". Must be a DNS-1123 label of at most 52 characters \(the CronJob controller names its Jobs/],
      ['the directory is not a name', { directory: '../orders' }, /invalid 'directory': "..\/orders". Must be a DNS-1123 label/],
      ['the namespace is not the store\'s', { metadata: { namespace: 'backups' } },
        /invalid 'metadata.namespace': "backups". Must be the store's namespace \("shop"\)/],
    ])('fails when %s', (_name, props, message) => {
      expect(() => backup(shopChart(), props as Partial<LogicalBackupProps>)).toThrow(message);
    });

    test('fails when the claim is in another namespace than the store', () => {
      const chart = shopChart();
      const elsewhere = new VolumeClaim(chart, 'elsewhere', { metadata: { name: 'backups', namespace: 'backups' }, storage: Size.gibibytes(50) });
      expect(() => backup(chart, { claim: elsewhere })).toThrow(
        'LogicalBackup \'test/nightly\': invalid \'claim\': "test/elsewhere". Must be in the store\'s namespace ("shop"), as the Jobs that write it are; it is in "backups". '
        + 'Use a claim of the store\'s namespace, or leave \'claim\' out for a claim of the backup\'s own.');
    });

    test.each(['storage', 'storageClass'] as const)('fails when a claim is given with %s', prop => {
      const chart = shopChart();
      const shared = new VolumeClaim(chart, 'shared', { metadata: { name: 'backups' }, storage: Size.gibibytes(50) });
      const value = prop === 'storage' ? Size.gibibytes(5) : StorageClass.fromStorageClassName(chart, 'c', 'fast');
      expect(() => backup(chart, { claim: shared, [prop]: value })).toThrow(new RegExp(`invalid '${prop}': "(5Gi|fast)". Cannot be combined with 'claim'`));
    });

    test.each([
      ['engineName', { engineName: 'My SQL' }, /invalid 'engine.engineName': "My SQL"/],
      ['image', { image: 'mysql:latest ' }, /invalid 'engine.image'/],
      ['user', { user: 0 }, /invalid 'engine.user': 0/],
      ['files', { files: [] }, /invalid 'engine.files': \[\]. Must name at least one file/],
      ['files', { files: ['backup.info'] }, /invalid 'engine.files': "backup.info"/],
      ['files', { files: ['../x'] }, /invalid 'engine.files': "..\/x"/],
      ['details', { details: { Database: 'x' } }, /invalid 'engine.details key': "Database"/],
      ['backup.script', { backup: { script: ' ' } }, /invalid 'engine.backup.script': " ". Must be the engine's part of the Job's script/],
      ['backup.envVariables', { backup: { script: 'true', envVariables: { STORE_ID: kplus.EnvValue.fromValue('x') } } },
        /invalid 'engine.backup.envVariables': "STORE_ID". Must not be one of the variables the library sets/],
    ])('fails when the engine\'s %s is wrong', (_name, overrides, message) => {
      const chart = shopChart();
      expect(() => backup(chart, { engine: mysqlEngine(chart, overrides as Partial<LogicalBackupEngine>) })).toThrow(message);
    });
  });
});
