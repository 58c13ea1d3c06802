import { Chart, Cron, Duration, Size, Testing } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { Warnings } from '../../src/app/warnings';
import { SnapshotSchedule, SnapshotScheduleProps } from '../../src/backup/snapshot-schedule';
import { IVolumeSnapshotClass, VolumeSnapshotClass, VolumeSnapshotDeletionPolicy } from '../../src/backup/volume-snapshot-class';
import { SyncWaves } from '../../src/gitops/sync-waves';
import { restrictedViolations } from '../../src/private/pod-security';
import { allWarnings } from '../../src/private/warnings';
import { StorageClass } from '../../src/storage/storage-class';
import { StatefulWorkload, StatefulWorkloadProps } from '../../src/workload/stateful-workload';
import { findAll, findOne, synthValid } from '../util/harness';

const IMAGE = 'docker.io/library/postgres:16.4';
const WHERE = 'SnapshotSchedule \'test/nightly\'';
const NIGHTLY = Cron.schedule({ minute: '0', hour: '2' });

function chartIn(namespace: string | null = 'shop'): Chart {
  return new Chart(Testing.app(), 'test', { namespace: namespace ?? undefined });
}

/** A workload `db` of 3 replicas with a claim template `data` of class gp3 (EBS). */
function workload(chart: Chart, props: Partial<StatefulWorkloadProps> = {}): StatefulWorkload {
  return new StatefulWorkload(chart, 'db', {
    metadata: { name: 'db' },
    replicas: 3,
    containers: [{ name: 'db', image: IMAGE, portNumber: 5432, securityContext: { user: 999, group: 999 } }],
    volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(10), storageClassName: 'gp3', mountPath: '/data' }],
    ...props,
  });
}

/** The class `ebs` (EBS CSI driver), deleting pruned snapshots. */
function ebs(chart: Chart, deletionPolicy = VolumeSnapshotDeletionPolicy.DELETE): VolumeSnapshotClass {
  return new VolumeSnapshotClass(chart, 'ebs', { metadata: { name: 'ebs' }, driver: 'ebs.csi.aws.com', deletionPolicy });
}

function schedule(chart: Chart, props: Partial<SnapshotScheduleProps> = {}, id = 'nightly'): SnapshotSchedule {
  return new SnapshotSchedule(chart, id, {
    workload: (chart.node.tryFindChild('db') as StatefulWorkload | undefined) ?? workload(chart),
    snapshotClass: (chart.node.tryFindChild('ebs') as VolumeSnapshotClass | undefined) ?? ebs(chart),
    schedule: NIGHTLY,
    ...props,
  });
}

function podSpecOf(manifests: any[]): any {
  return findOne(manifests, 'CronJob').spec.jobTemplate.spec.template.spec;
}

function envOf(manifests: any[]): { [name: string]: unknown } {
  return Object.fromEntries(podSpecOf(manifests).containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
}

describe('SnapshotSchedule', () => {
  test('defaults', () => {
    // GIVEN
    const chart = chartIn();

    // WHEN
    const s = schedule(chart);

    // THEN
    const manifests = synthValid(chart);
    expect(['ServiceAccount', 'Role', 'RoleBinding', 'CronJob'].map(kind => findOne(manifests, kind))).toMatchSnapshot();
    const cronJob = findOne(manifests, 'CronJob', 'db-nightly-snapshots');
    expect(cronJob.metadata.namespace).toBe('shop');
    expect(cronJob.spec).toMatchObject({
      schedule: '0 2 * * *',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      suspend: false,
    });
    expect(cronJob.spec.timeZone).toBeUndefined();
    expect(cronJob.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 1800 + 600 });
    // the script's settings
    expect(envOf(manifests)).toEqual({
      NAMESPACE: { fieldRef: { fieldPath: 'metadata.namespace' } },
      WORKLOAD: 'db',
      CLAIM_TEMPLATES: 'data',
      ORDINALS: '0 1 2',
      SCHEDULE: 'nightly',
      SNAPSHOT_CLASS: 'ebs',
      RETAIN: '7',
      READY_TIMEOUT_SECONDS: '1800',
      HOME: '/tmp',
    });
    const container = podSpecOf(manifests).containers[0];
    expect(container.image).toBe('registry.k8s.io/kubectl:v1.29.4');
    expect(container.command.slice(0, 2)).toEqual(['/bin/bash', '-c']);
    // attributes
    expect(s.scheduleName).toBe('nightly');
    expect(s.cronJobName).toBe('db-nightly-snapshots');
    expect(s.retain).toBe(7);
    expect(s.image).toBe('registry.k8s.io/kubectl:v1.29.4');
    expect(s.claimNames).toEqual(['data-db-0', 'data-db-1', 'data-db-2']);
    expect(s.serviceAccountObject.kind).toBe('ServiceAccount');
    expect(s.roleObject.kind).toBe('Role');
    expect(s.roleBindingObject.kind).toBe('RoleBinding');
    expect(s.cronJob.schedule.expressionString).toBe('0 2 * * *');
    expect(allWarnings(chart)).toEqual([]);
  });

  test('all props', () => {
    // GIVEN
    const chart = chartIn();
    const db = workload(chart, {
      replicas: 2,
      volumeClaimTemplates: [
        { name: 'data', storage: Size.gibibytes(10), storageClassName: 'gp3', mountPath: '/data' },
        { name: 'wal', storage: Size.gibibytes(2), storageClassName: 'gp3', mountPath: '/wal' },
      ],
    });

    // WHEN
    const s = new SnapshotSchedule(chart, 'Hourly', {
      workload: db,
      snapshotClass: ebs(chart),
      schedule: Cron.schedule({ minute: '15' }),
      retain: 24,
      name: 'hourly',
      claimTemplates: [db.volumeClaimTemplates[1]],
      timeZone: 'Europe/Berlin',
      readyTimeout: Duration.minutes(10),
      suspend: true,
      image: { registry: 'mirror.example.com', repository: 'k8s/kubectl', tag: 'v1.30.2' },
      metadata: { name: 'wal-snapshots', labels: { team: 'dba' }, annotations: { owner: 'dba@example.com' } },
      podDefaults: { memoryLimit: Size.mebibytes(128), cpuRequest: Cpu.millis(20) },
    });

    // THEN
    const manifests = synthValid(chart);
    expect(['ServiceAccount', 'Role', 'RoleBinding', 'CronJob'].map(kind => findOne(manifests, kind))).toMatchSnapshot();
    const cronJob = findOne(manifests, 'CronJob', 'wal-snapshots');
    expect(cronJob.spec).toMatchObject({ schedule: '15 * * * *', timeZone: 'Europe/Berlin', suspend: true });
    expect(cronJob.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(600 + 600);
    expect(cronJob.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'cdk8s-stateful', 'team': 'dba' });
    expect(cronJob.metadata.annotations).toEqual({ owner: 'dba@example.com' });
    expect(envOf(manifests)).toMatchObject({ CLAIM_TEMPLATES: 'wal', ORDINALS: '0 1', SCHEDULE: 'hourly', RETAIN: '24', READY_TIMEOUT_SECONDS: '600' });
    const container = podSpecOf(manifests).containers[0];
    expect(container.image).toBe('mirror.example.com/k8s/kubectl:v1.30.2');
    expect(container.resources).toEqual({ limits: { memory: '128Mi' }, requests: { cpu: '20m', memory: '128Mi' } });
    for (const kind of ['ServiceAccount', 'Role', 'RoleBinding']) expect(findOne(manifests, kind).metadata.name).toBe('wal-snapshots');
    expect(s.claimNames).toEqual(['wal-db-0', 'wal-db-1']);
    expect(s.scheduleName).toBe('hourly');
  });

  test('RBAC: its own ServiceAccount, bound by a Role to what the script does, in the workload\'s namespace only', () => {
    // GIVEN
    const chart = chartIn();

    // WHEN
    schedule(chart);

    // THEN
    const manifests = synthValid(chart);
    expect(findAll(manifests, 'ClusterRole')).toEqual([]);
    expect(findAll(manifests, 'ClusterRoleBinding')).toEqual([]);
    const sa = findOne(manifests, 'ServiceAccount', 'db-nightly-snapshots');
    expect(sa.automountServiceAccountToken).toBe(false);
    const role = findOne(manifests, 'Role', 'db-nightly-snapshots');
    expect(role.metadata.namespace).toBe('shop');
    expect(role.rules).toEqual([
      { apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots'], verbs: ['create', 'delete', 'get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['persistentvolumeclaims'], resourceNames: ['data-db-0', 'data-db-1', 'data-db-2'], verbs: ['get'] },
    ]);
    const binding = findOne(manifests, 'RoleBinding', 'db-nightly-snapshots');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'db-nightly-snapshots' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'db-nightly-snapshots', namespace: 'shop' }]);
    const pod = podSpecOf(manifests);
    expect(pod.serviceAccountName).toBe('db-nightly-snapshots');
    // the pod asks for the token itself: the only pod of the library that talks to the API server
    expect(pod.automountServiceAccountToken).toBe(true);
  });

  test('the pod meets the restricted profile: non-root uid 65532, read-only root file system, a writable /tmp', () => {
    // GIVEN
    const chart = chartIn();

    // WHEN
    schedule(chart);

    // THEN
    const pod = podSpecOf(synthValid(chart));
    expect(restrictedViolations(pod)).toEqual([]);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    const container = pod.containers[0];
    expect(container.securityContext).toMatchObject({
      runAsUser: 65532, runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] },
    });
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
    expect(pod.restartPolicy).toBe('Never');
    expect(container.resources).toEqual({ limits: { memory: '256Mi' }, requests: { cpu: '50m', memory: '256Mi' } });
    // no label derived from the construct path
    expect(findOne(synthValid(chart), 'CronJob').spec.jobTemplate.spec.template.metadata.labels ?? {}).toEqual({});
  });

  test('the default name is <statefulset>-<name>-snapshots, the name the construct id', () => {
    // GIVEN
    const chart = chartIn();

    // WHEN
    const s = schedule(chart, {}, 'weekly');

    // THEN
    expect(s.cronJobName).toBe('db-weekly-snapshots');
    expect(envOf(synthValid(chart)).SCHEDULE).toBe('weekly');
  });

  test('every claim template by default, and the ordinals from ordinals.start', () => {
    // GIVEN
    const chart = chartIn();
    workload(chart, {
      replicas: 2,
      ordinals: { start: 3 },
      volumeClaimTemplates: [
        { name: 'data', storage: Size.gibibytes(10), storageClassName: 'gp3', mountPath: '/data' },
        { name: 'wal', storage: Size.gibibytes(2), storageClassName: 'gp3', mountPath: '/wal' },
      ],
    });

    // WHEN
    const s = schedule(chart);

    // THEN
    expect(envOf(synthValid(chart))).toMatchObject({ CLAIM_TEMPLATES: 'data wal', ORDINALS: '3 4' });
    expect(s.claimNames).toEqual(['data-db-3', 'data-db-4', 'wal-db-3', 'wal-db-4']);
  });

  test('a class of the cluster by name', () => {
    // GIVEN
    const chart = chartIn();

    // WHEN
    schedule(chart, { snapshotClass: VolumeSnapshotClass.fromVolumeSnapshotClassName(chart, 'csi', 'csi-aws-vsc') });

    // THEN: nothing known of its deletion policy, nothing to warn about
    expect(envOf(synthValid(chart)).SNAPSHOT_CLASS).toBe('csi-aws-vsc');
    expect(allWarnings(chart)).toEqual([]);
  });

  test('a workload without a namespace: the RoleBinding\'s subject is in the binding\'s namespace', () => {
    // GIVEN
    const chart = chartIn(null);

    // WHEN
    schedule(chart);

    // THEN
    const manifests = synthValid(chart);
    expect(findOne(manifests, 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'db-nightly-snapshots' }]);
    expect(findOne(manifests, 'CronJob').metadata.namespace).toBeUndefined();
  });

  test('the workload\'s own namespace', () => {
    // GIVEN
    const chart = chartIn();
    workload(chart, { metadata: { name: 'db', namespace: 'billing' } });

    // WHEN
    schedule(chart);

    // THEN
    const manifests = synthValid(chart);
    for (const kind of ['ServiceAccount', 'Role', 'RoleBinding', 'CronJob']) expect(findOne(manifests, kind).metadata.namespace).toBe('billing');
    expect(findOne(manifests, 'RoleBinding').subjects[0].namespace).toBe('billing');
  });

  test('with sync waves it is with the consumers (4), after the data stores', () => {
    // GIVEN
    const chart = chartIn();
    SyncWaves.enable(chart);

    // WHEN
    schedule(chart);

    // THEN
    const manifests = synthValid(chart);
    for (const kind of ['ServiceAccount', 'Role', 'RoleBinding', 'CronJob']) {
      expect(findOne(manifests, kind).metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('4');
    }
    expect(findOne(manifests, 'VolumeSnapshotClass').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('0');
  });

  describe('warning snapshot-pruning-retained', () => {
    const ID = 'cdk8s-stateful:snapshot-pruning-retained';

    test('is raised for a class of the app that retains deleted snapshots', () => {
      // GIVEN
      const chart = chartIn();

      // WHEN
      const s = schedule(chart, { snapshotClass: ebs(chart, VolumeSnapshotDeletionPolicy.RETAIN) });

      // THEN
      expect(allWarnings(chart)).toEqual([
        `${WHERE}: warning: 'snapshotClass': ebs (deletionPolicy Retain). Pruning to the newest 7 snapshots deletes only the VolumeSnapshot objects: `
        + 'with deletionPolicy Retain their VolumeSnapshotContents and the storage system\'s snapshots are kept, pile up and are paid for. '
        + 'Use a VolumeSnapshotClass with deletionPolicy VolumeSnapshotDeletionPolicy.DELETE for scheduled snapshots, '
        + `or acknowledge the warning and delete the retained VolumeSnapshotContents yourself. [${ID}]`,
      ]);
      expect(Warnings.of(chart).list().map(w => [w.id, w.path])).toEqual([[ID, s.node.path]]);
    });

    test('is not raised for a class that deletes them', () => {
      const chart = chartIn();
      schedule(chart);
      expect(allWarnings(chart)).toEqual([]);
    });

    test('can be acknowledged', () => {
      // GIVEN
      const chart = chartIn();
      const s = schedule(chart, { snapshotClass: ebs(chart, VolumeSnapshotDeletionPolicy.RETAIN) });

      // WHEN
      Warnings.of(s).acknowledge(ID, 'a janitor job deletes retained contents older than 30 days');

      // THEN
      expect(() => synthValid(chart)).not.toThrow();
      expect(Warnings.of(s).list().map(w => [w.acknowledged, w.reason, w.acknowledgedBy]))
        .toEqual([[true, 'a janitor job deletes retained contents older than 30 days', s.node.path]]);
    });
  });

  describe('fails when', () => {
    test('the snapshot class is missing (JavaScript)', () => {
      const chart = chartIn();
      expect(() => new SnapshotSchedule(chart, 'nightly', { workload: workload(chart), schedule: NIGHTLY } as SnapshotScheduleProps)).toThrow(new Error(
        `${WHERE}: invalid 'snapshotClass': undefined. A snapshot schedule needs a snapshot class: how much pruning frees depends on its deletion policy, `
        + 'and the cluster\'s default class may not exist or may keep every snapshot. '
        + 'Pass a VolumeSnapshotClass of the volumes\' CSI driver, or VolumeSnapshotClass.fromVolumeSnapshotClassName() for one in the cluster.'));
    });

    test('the schedule is missing (JavaScript)', () => {
      const chart = chartIn();
      expect(() => new SnapshotSchedule(chart, 'nightly', { workload: workload(chart), snapshotClass: ebs(chart) } as unknown as SnapshotScheduleProps)).toThrow(new Error(
        `${WHERE}: invalid 'schedule': undefined. Must be a cron schedule. Pass e.g. Cron.daily() or Cron.schedule({ minute: '0', hour: '2' }).`));
    });

    test.each([
      ['an hour of 24', Cron.schedule({ minute: '0', hour: '24' }), '"0 24 * * *"', 'The hour field (field 2) "24": 24 is above the maximum, 23'],
      ['a day of week 7', Cron.schedule({ minute: '0', hour: '2', weekDay: '7' }), '"0 2 * * 7"', 'The day of week field (field 5) "7": 7 is above the maximum, 6'],
      ['six fields', Cron.schedule({ minute: '0 0', hour: '2' }), '"0 0 2 * * *"', 'It has 6 fields, not 5'],
    ])('the schedule has %s', (_name, cron, value, problem) => {
      const chart = chartIn();
      expect(() => schedule(chart, { schedule: cron })).toThrow(`${WHERE}: invalid 'schedule': ${value}. Must be a cron expression of five fields`);
      expect(() => schedule(chartIn(), { schedule: cron })).toThrow(`${problem}. Set 'schedule' to an expression such as`);
    });

    test.each([0, -1, 1.5])('retain is %p', retain => {
      expect(() => schedule(chartIn(), { retain })).toThrow(new Error(
        `${WHERE}: invalid 'retain': ${retain}. Must be a whole number of at least 1: the newest snapshots of each claim to keep. Set 'retain' to e.g. 7 (a week of nightly snapshots).`));
    });

    test.each(['Local', 'Mars/Olympus', 'Europe/ Berlin', ''])('the time zone is %p', timeZone => {
      expect(() => schedule(chartIn(), { timeZone })).toThrow(new Error(
        `${WHERE}: invalid 'timeZone': ${JSON.stringify(timeZone)}. Must be a time zone of the IANA database, such as "Etc/UTC" or "Europe/Berlin" `
        + '("Local", the controller\'s own, is not allowed). Set \'timeZone\' to a time zone name, or leave it out for the controller\'s time zone.'));
    });

    test.each([Duration.millis(1500), Duration.millis(500)])('readyTimeout is not a whole number of seconds of at least 1 (%p)', readyTimeout => {
      expect(() => schedule(chartIn(), { readyTimeout })).toThrow(`${WHERE}: invalid 'readyTimeout': "${readyTimeout.toMilliseconds() / 1000} seconds". Must be a whole number of seconds, at least 1.`);
    });

    test('the construct id is no DNS label and no name is given', () => {
      expect(() => schedule(chartIn(), {}, 'Nightly')).toThrow(new Error(
        'SnapshotSchedule \'test/Nightly\': invalid \'name\': unset (construct id "Nightly"). Defaults to the construct id, which must then be a DNS-1123 label of at most 40 characters: '
        + 'lower case letters, digits and \'-\'. Set \'name\' to a short name such as "nightly".'));
    });

    test('the name is longer than 40 characters', () => {
      expect(() => schedule(chartIn(), { name: 'n'.repeat(41) })).toThrow(`${WHERE}: invalid 'name': "${'n'.repeat(41)}". Must be a DNS-1123 label of at most 40 characters`);
    });

    test('the default CronJob name is longer than 52 characters', () => {
      expect(() => schedule(chartIn(), { name: 'n'.repeat(40) })).toThrow(new Error(
        `${WHERE}: invalid 'metadata.name (default <statefulset>-<name>-snapshots)': "db-${'n'.repeat(40)}-snapshots". `
        + 'Must be a DNS-1123 label of at most 52 characters (the CronJob controller names its Jobs "<cronjob>-<11 characters>", and a Job name is a label value of at most 63 characters): '
        + 'lower case letters, digits and \'-\', starting and ending with a letter or digit. '
        + 'Set \'metadata.name (default <statefulset>-<name>-snapshots)\' to a name such as "my-name".'));
    });

    test('the CronJob name given is longer than 52 characters', () => {
      expect(() => schedule(chartIn(), { metadata: { name: 'x'.repeat(53) } })).toThrow(`${WHERE}: invalid 'metadata.name': "${'x'.repeat(53)}". Must be a DNS-1123 label of at most 52 characters`);
    });

    test('a namespace other than the workload\'s is given', () => {
      expect(() => schedule(chartIn(), { metadata: { namespace: 'ops' } })).toThrow(new Error(
        `${WHERE}: invalid 'metadata.namespace': "ops". The CronJob runs in the workload's namespace ("shop"): a Role grants access to snapshots and claims of its own namespace only. `
        + 'Leave \'metadata.namespace\' out.'));
    });

    test('the image has a bare registry name', () => {
      expect(() => schedule(chartIn(), { image: { registry: 'mirror' } })).toThrow(`${WHERE}: invalid 'image.registry': "mirror". Must contain a "." or a port`);
    });

    test('the image tag is latest', () => {
      expect(() => schedule(chartIn(), { image: { tag: 'latest' } })).toThrow(`${WHERE}: invalid 'image.tag': "latest". Must be a fixed version tag`);
    });

    test('the claims are of local volumes', () => {
      const chart = chartIn();
      const local = StorageClass.localDisks(chart, 'local', { metadata: { name: 'local-ssd' } });
      workload(chart, { volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), storageClass: local }] });
      expect(() => schedule(chart)).toThrow(
        `${WHERE}: invalid 'claim template "data" storageClass': "local-ssd". The class has no provisioner ("kubernetes.io/no-provisioner": local or other static volumes), and no CSI driver manages its volumes: they cannot be snapshotted.`);
    });

    test('the snapshot class is of another driver than the claims\' class (at synthesis)', () => {
      const chart = chartIn();
      new StorageClass(chart, 'gp3', { metadata: { name: 'gp3' }, provisioner: 'ebs.csi.aws.com' });
      const pd: IVolumeSnapshotClass = new VolumeSnapshotClass(chart, 'pd', { metadata: { name: 'pd' }, driver: 'pd.csi.storage.gke.io', deletionPolicy: VolumeSnapshotDeletionPolicy.DELETE });
      schedule(chart, { snapshotClass: pd });
      expect(() => Testing.synth(chart)).toThrow(`${WHERE}: invalid 'snapshotClass': "pd (driver pd.csi.storage.gke.io)". The volumes of claim template "data" are provisioned by "ebs.csi.aws.com"`);
    });

    test('the workload has no replicas', () => {
      const chart = chartIn();
      workload(chart, { replicas: 0 });
      expect(() => schedule(chart)).toThrow(`${WHERE}: invalid 'workload': "test/db (0 replicas)". The workload has no replicas, so no claims to snapshot.`);
    });

    test('the workload is missing (JavaScript)', () => {
      const chart = chartIn();
      expect(() => new SnapshotSchedule(chart, 'nightly', { snapshotClass: ebs(chart), schedule: NIGHTLY } as unknown as SnapshotScheduleProps))
        .toThrow(`${WHERE}: invalid 'workload': undefined. Must be a StatefulWorkload`);
    });
  });
});
