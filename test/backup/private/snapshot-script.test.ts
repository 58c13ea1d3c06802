/**
 * The script of a SnapshotSchedule, run as its CronJob would run it: the command and environment
 * are taken from the synthesized CronJob, and kubectl is a stub that answers as the API server
 * would (test/util/kubectl-stub.ts). There is no cluster in CI: what is proven here is what the
 * script asks of the API server (which objects, named how, labelled how, in which order, deleting
 * which), how it handles each answer, and its exit status.
 */
import { Chart, Cron, Size, Testing } from 'cdk8s';
import { SnapshotSchedule, SnapshotScheduleProps } from '../../../src/backup/snapshot-schedule';
import { VolumeSnapshotClass, VolumeSnapshotDeletionPolicy } from '../../../src/backup/volume-snapshot-class';
import { StatefulWorkload } from '../../../src/workload/stateful-workload';
import { findOne } from '../../util/harness';
import { validateManifest } from '../../util/k8s-schema';
import { KubectlStub, StubSnapshot } from '../../util/kubectl-stub';

const NAMESPACE = 'shop';
const STAMP = /^[0-9]{14}$/;

/** The synthesized CronJob and Role of a schedule of workload `db` (2 replicas, templates `data` and `wal`). */
function render(props: Partial<SnapshotScheduleProps> = {}): { cronJob: any; role: any } {
  const chart = new Chart(Testing.app(), 'test', { namespace: NAMESPACE });
  const db = new StatefulWorkload(chart, 'db', {
    metadata: { name: 'db' },
    replicas: 2,
    containers: [{ name: 'db', image: 'docker.io/library/postgres:16.4', portNumber: 5432, securityContext: { user: 999, group: 999 } }],
    volumeClaimTemplates: [
      { name: 'data', storage: Size.gibibytes(10), storageClassName: 'gp3', mountPath: '/data' },
      { name: 'wal', storage: Size.gibibytes(2), storageClassName: 'gp3', mountPath: '/wal' },
    ],
  });
  const snapshotClass = new VolumeSnapshotClass(chart, 'ebs', { metadata: { name: 'ebs' }, driver: 'ebs.csi.aws.com', deletionPolicy: VolumeSnapshotDeletionPolicy.DELETE });
  new SnapshotSchedule(chart, 'nightly', { workload: db, snapshotClass, schedule: Cron.schedule({ minute: '0', hour: '2' }), retain: 3, ...props });
  const manifests = Testing.synth(chart);
  return { cronJob: findOne(manifests, 'CronJob'), role: findOne(manifests, 'Role') };
}

/** The container's command, and its environment as the kubelet would give it in namespace `shop`. */
function containerOf(cronJob: any): { command: string[]; env: { [name: string]: string } } {
  const container = cronJob.spec.jobTemplate.spec.template.spec.containers[0];
  const env: { [name: string]: string } = {};
  for (const v of container.env) {
    if (v.value !== undefined) env[v.name] = v.value;
    else if (v.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') env[v.name] = NAMESPACE;
    else throw new Error(`unexpected env ${JSON.stringify(v)}`);
  }
  return { command: container.command, env };
}

const ALL_CLAIMS = ['data-db-0', 'data-db-1', 'wal-db-0', 'wal-db-1'];

/** A snapshot of claim `<template>-db-<ordinal>` taken by schedule `schedule` at `stamp`, as the script creates it. */
function taken(template: string, ordinal: number, stamp: string, schedule = 'nightly'): StubSnapshot {
  return {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshot',
    metadata: {
      name: `${template}-db-${ordinal}-${schedule}-${stamp}`,
      namespace: NAMESPACE,
      labels: {
        'app.kubernetes.io/managed-by': 'cdk8s-stateful',
        'cdk8s-stateful/workload': 'db',
        'cdk8s-stateful/claim-template': template,
        'cdk8s-stateful/ordinal': String(ordinal),
        'cdk8s-stateful/snapshot-schedule': schedule,
      },
    },
    spec: { volumeSnapshotClassName: 'ebs', source: { persistentVolumeClaimName: `${template}-db-${ordinal}` } },
  };
}

const stubs: KubectlStub[] = [];
function stub(...args: ConstructorParameters<typeof KubectlStub>): KubectlStub {
  const s = new KubectlStub(...args);
  stubs.push(s);
  return s;
}
afterEach(() => stubs.splice(0).forEach(s => s.dispose()));

describe('the snapshot script of a SnapshotSchedule', () => {
  test('takes one snapshot of every claim, all with one UTC time in their names, labelled for pruning', () => {
    // GIVEN
    const { cronJob } = render();
    const { command, env } = containerOf(cronJob);
    const kubectl = stub({ claims: ALL_CLAIMS.map(c => `${NAMESPACE}/${c}`) });

    // WHEN
    const run = kubectl.run(command, env);

    // THEN
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const snapshots = kubectl.state.snapshots;
    expect(snapshots.map(s => s.spec.source.persistentVolumeClaimName)).toEqual(ALL_CLAIMS);
    const stamps = new Set(snapshots.map(s => s.metadata.name.slice(-14)));
    expect(stamps.size).toBe(1);
    const [stamp] = stamps;
    expect(stamp).toMatch(STAMP);
    // a UTC time within the last minutes
    const part = (from: number, to: number) => Number(stamp.slice(from, to));
    const when = Date.UTC(part(0, 4), part(4, 6) - 1, part(6, 8), part(8, 10), part(10, 12), part(12, 14));
    expect(Math.abs(Date.now() - when)).toBeLessThan(5 * 60_000);
    expect(snapshots.map(s => s.metadata.name)).toEqual(ALL_CLAIMS.map(c => `${c}-nightly-${stamp}`));
    expect(snapshots[3]).toEqual(taken('wal', 1, stamp));
    expect(run.stdout).toContain(`volumesnapshot.snapshot.storage.k8s.io/data-db-0-nightly-${stamp} created`);
  });

  test('what it creates is a valid VolumeSnapshot of the published CRD', () => {
    // GIVEN
    const { command, env } = containerOf(render().cronJob);
    const kubectl = stub({ claims: ALL_CLAIMS.map(c => `${NAMESPACE}/${c}`) });

    // WHEN
    kubectl.run(command, env);

    // THEN
    const created = kubectl.calls().filter(c => c.args[0] === 'create').map(c => JSON.parse(c.stdin!));
    expect(created).toHaveLength(4);
    for (const manifest of created) expect(validateManifest(manifest)).toEqual([]);
  });

  test('creates every snapshot first, then waits for each before pruning its claim', () => {
    // GIVEN
    const { command, env } = containerOf(render({ claimTemplates: undefined }).cronJob);
    const kubectl = stub({ claims: ALL_CLAIMS.map(c => `${NAMESPACE}/${c}`) });

    // WHEN
    kubectl.run(command, env);

    // THEN
    const verbs = kubectl.calls().map(c => c.args[0] === 'get' ? `get ${c.args[1]}` : c.args[0]);
    expect(verbs).toEqual([
      ...Array(4).fill(['get persistentvolumeclaim', 'create']).flat(),
      ...Array(4).fill(['wait', 'get volumesnapshots']).flat(),
    ]);
    const waits = kubectl.calls().filter(c => c.args[0] === 'wait');
    for (const w of waits) {
      const timeout = Number(/--timeout=([0-9]+)s/.exec(w.args.join(' '))![1]);
      expect(timeout).toBeGreaterThan(1700);
      expect(timeout).toBeLessThanOrEqual(1800);
    }
  });

  test('keeps the newest `retain` snapshots of each claim taken by this schedule, and no others are touched', () => {
    // GIVEN: 5 older nightly snapshots of data-db-0, and snapshots of other claims, schedules and by hand
    const { command, env } = containerOf(render().cronJob);
    const olderNightly = ['20250301020000', '20250302020000', '20250303020000', '20250304020000', '20250305020000'].map(s => taken('data', 0, s));
    const hourly = taken('data', 0, '20250301010000', 'hourly');
    const byHand: StubSnapshot = { metadata: { name: 'data-db-0-before-upgrade', namespace: NAMESPACE, labels: { 'cdk8s-stateful/workload': 'db' } } };
    const otherOrdinal = ['20250301020000', '20250302020000', '20250303020000'].map(s => taken('data', 1, s));
    const otherNamespace = { ...taken('data', 0, '20240101020000'), metadata: { ...taken('data', 0, '20240101020000').metadata, namespace: 'other' } };
    const kubectl = stub({
      claims: ALL_CLAIMS.map(c => `${NAMESPACE}/${c}`),
      // not in time order: the script sorts by name
      snapshots: [
        olderNightly[3], olderNightly[0], hourly, byHand, ...otherOrdinal,
        olderNightly[4], olderNightly[1], olderNightly[2], otherNamespace,
      ],
    });

    // WHEN
    const run = kubectl.run(command, env);

    // THEN
    expect(run.status).toBe(0);
    const names = kubectl.state.snapshots.map(s => `${s.metadata.namespace}/${s.metadata.name}`);
    const [stamp] = kubectl.state.snapshots.filter(s => s.metadata.namespace === NAMESPACE && s.metadata.name.startsWith('data-db-0-nightly-')
      && !olderNightly.some(o => o.metadata.name === s.metadata.name))
      .map(s => s.metadata.name.slice(-14));
    // data-db-0: the two newest older ones and the new one (retain 3)
    expect(names.filter(n => n.startsWith('shop/data-db-0-nightly-')).sort())
      .toEqual(['shop/data-db-0-nightly-20250304020000', 'shop/data-db-0-nightly-20250305020000', `shop/data-db-0-nightly-${stamp}`]);
    // data-db-1: 3 older + 1 new, retain 3: the oldest goes
    expect(names.filter(n => n.startsWith('shop/data-db-1-nightly-')).sort())
      .toEqual(['shop/data-db-1-nightly-20250302020000', 'shop/data-db-1-nightly-20250303020000', `shop/data-db-1-nightly-${stamp}`]);
    // another schedule's, one taken by hand, one in another namespace: kept
    expect(names).toEqual(expect.arrayContaining(['shop/data-db-0-hourly-20250301010000', 'shop/data-db-0-before-upgrade', 'other/data-db-0-nightly-20240101020000']));
    // one delete per claim with stale snapshots, oldest first
    const deletes = kubectl.calls().filter(c => c.args[0] === 'delete').map(c => c.args.slice(2, c.args.indexOf('--namespace')));
    expect(deletes).toEqual([
      ['data-db-0-nightly-20250301020000', 'data-db-0-nightly-20250302020000', 'data-db-0-nightly-20250303020000'],
      ['data-db-1-nightly-20250301020000'],
    ]);
    expect(run.stdout).toContain('volumesnapshot.snapshot.storage.k8s.io "data-db-0-nightly-20250301020000" deleted');
  });

  test('deletes nothing while a claim has no more than `retain` snapshots', () => {
    // GIVEN
    const { command, env } = containerOf(render({ retain: 7 }).cronJob);
    const kubectl = stub({ claims: ALL_CLAIMS.map(c => `${NAMESPACE}/${c}`), snapshots: ['20250301020000', '20250302020000'].map(s => taken('data', 0, s)) });

    // WHEN
    const run = kubectl.run(command, env);

    // THEN
    expect(run.status).toBe(0);
    expect(kubectl.calls().filter(c => c.args[0] === 'delete')).toEqual([]);
    expect(kubectl.state.snapshots).toHaveLength(6);
  });

  test('retain 1 keeps only the new snapshot', () => {
    // GIVEN
    const { command, env } = containerOf(render({ retain: 1 }).cronJob);
    const kubectl = stub({ claims: [`${NAMESPACE}/data-db-0`], snapshots: [taken('data', 0, '20250301020000')] });

    // WHEN
    kubectl.run(command, env);

    // THEN
    expect(kubectl.state.snapshots.map(s => s.metadata.name)).toEqual([expect.stringMatching(/^data-db-0-nightly-[0-9]{14}$/)]);
    expect(kubectl.state.snapshots[0].metadata.name).not.toBe('data-db-0-nightly-20250301020000');
  });

  test('a failed create exits non-zero, the other claims are still snapshotted, and the failed claim\'s old snapshots are kept', () => {
    // GIVEN
    const { command, env } = containerOf(render({ retain: 1 }).cronJob);
    const kubectl = stub({
      claims: ALL_CLAIMS.map(c => `${NAMESPACE}/${c}`),
      failCreateFor: ['data-db-1'],
      snapshots: [taken('data', 1, '20250301020000'), taken('wal', 0, '20250301020000')],
    });

    // WHEN
    const run = kubectl.run(command, env);

    // THEN
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/Error from server \(Forbidden\)/);
    expect(run.stderr).toMatch(/^error: could not create snapshot data-db-1-nightly-[0-9]{14} of claim data-db-1$/m);
    const names = kubectl.state.snapshots.map(s => s.metadata.name);
    expect(names.filter(n => n.startsWith('data-db-1-'))).toEqual(['data-db-1-nightly-20250301020000']);
    // the others: snapshotted and pruned
    expect(names.filter(n => n.startsWith('wal-db-0-'))).toEqual([expect.stringMatching(/^wal-db-0-nightly-[0-9]{14}$/)]);
    expect(names.filter(n => n !== 'data-db-1-nightly-20250301020000')).toHaveLength(3);
  });

  test('a missing claim exits non-zero and the others are still snapshotted', () => {
    // GIVEN: the StatefulSet has not created wal-db-1 yet
    const { command, env } = containerOf(render().cronJob);
    const kubectl = stub({ claims: ALL_CLAIMS.filter(c => c !== 'wal-db-1').map(c => `${NAMESPACE}/${c}`) });

    // WHEN
    const run = kubectl.run(command, env);

    // THEN
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('error: claim wal-db-1 not found in namespace shop: no snapshot of it');
    expect(kubectl.state.snapshots.map(s => s.spec.source.persistentVolumeClaimName)).toEqual(ALL_CLAIMS.filter(c => c !== 'wal-db-1'));
  });

  test('a snapshot that does not become ready exits non-zero and keeps its claim\'s old snapshots', () => {
    // GIVEN
    const { command, env } = containerOf(render({ retain: 1 }).cronJob);
    const kubectl = stub({ claims: ALL_CLAIMS.map(c => `${NAMESPACE}/${c}`), snapshots: [taken('data', 0, '20250301020000'), taken('data', 1, '20250301020000')] });
    // the stamp is not known in advance: make every new data-db-0 snapshot of this and the next minutes never ready
    const state = kubectl.state;
    const now = new Date();
    state.neverReady = Array.from({ length: 180 }, (_, s) => {
      const t = new Date(now.getTime() + s * 1000);
      const stamp = t.toISOString().replace(/[-:T]/g, '').slice(0, 14);
      return `data-db-0-nightly-${stamp}`;
    });
    kubectl.state = state;

    // WHEN
    const run = kubectl.run(command, env);

    // THEN
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^error: snapshot data-db-0-nightly-[0-9]{14} of claim data-db-0 is not ready to use: its older snapshots are kept$/m);
    const names = kubectl.state.snapshots.map(s => s.metadata.name);
    expect(names).toContain('data-db-0-nightly-20250301020000');
    // data-db-1 was pruned as usual
    expect(names).not.toContain('data-db-1-nightly-20250301020000');
  });

  test('an unset variable stops the script with an error (set -u)', () => {
    // GIVEN
    const { command, env } = containerOf(render().cronJob);
    delete env.RETAIN;
    const kubectl = stub({ claims: ALL_CLAIMS.map(c => `${NAMESPACE}/${c}`) });

    // WHEN
    const run = kubectl.run(command, env);

    // THEN
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/RETAIN: unbound variable/);
    expect(kubectl.calls()).toEqual([]);
  });

  test.each(['0', '-1', 'seven', '', '07'])('RETAIN %p stops the script before it does anything', retain => {
    // GIVEN
    const { command, env } = containerOf(render().cronJob);
    const kubectl = stub({ claims: ALL_CLAIMS.map(c => `${NAMESPACE}/${c}`) });

    // WHEN
    const run = kubectl.run(command, { ...env, RETAIN: retain });

    // THEN
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`error: RETAIN must be a whole number of at least 1, not '${retain}'\n`);
    expect(kubectl.calls()).toEqual([]);
  });

  test('the Role allows every API request the script makes, and its claim rule names exactly the claims it reads', () => {
    // GIVEN
    const { cronJob, role } = render();
    const { command, env } = containerOf(cronJob);
    const kubectl = stub({ claims: ALL_CLAIMS.map(c => `${NAMESPACE}/${c}`), snapshots: [taken('data', 0, '20250301020000')] });
    const allowed = (group: string, resource: string, verb: string, name?: string) => role.rules.some((r: any) =>
      r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb)
      && (r.resourceNames === undefined || (name !== undefined && r.resourceNames.includes(name))));

    // WHEN
    expect(kubectl.run(command, { ...env, RETAIN: '1' }).status).toBe(0);

    // THEN: the API requests behind each kubectl command
    const requests = kubectl.calls().flatMap(c => {
      const [verb, what, ...names] = c.args.filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.match(/^--(namespace|output|selector|filename)$/));
      if (verb === 'get' && what === 'persistentvolumeclaim') return [['', 'persistentvolumeclaims', 'get', names[0]]];
      if (verb === 'create') return [['snapshot.storage.k8s.io', 'volumesnapshots', 'create']];
      // kubectl wait gets the object, then lists and watches it by name
      if (verb === 'wait') return ['get', 'list', 'watch'].map(v => ['snapshot.storage.k8s.io', 'volumesnapshots', v]);
      if (verb === 'get' && what === 'volumesnapshots') return [['snapshot.storage.k8s.io', 'volumesnapshots', 'list']];
      if (verb === 'delete') return names.map(n => ['snapshot.storage.k8s.io', 'volumesnapshots', 'delete', n]);
      throw new Error(`unmapped call ${JSON.stringify(c.args)}`);
    });
    expect(requests.filter(([group, resource, verb, name]) => !allowed(group!, resource!, verb!, name))).toEqual([]);
    expect(requests.map(r => r[2])).toEqual(expect.arrayContaining(['get', 'create', 'list', 'watch', 'delete']));
    const claimRule = role.rules.find((r: any) => r.resources.includes('persistentvolumeclaims'));
    expect([...claimRule.resourceNames].sort()).toEqual([...ALL_CLAIMS].sort());
  });
});
