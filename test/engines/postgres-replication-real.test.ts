/**
 * Streaming replication drills: a `Postgres` with two read replicas, synthesized, run on Debian's
 * PostgreSQL 15 as three pods on a `PodNetwork` (one loopback address per pod, the pods' DNS names
 * in a hosts file of the test's own). The init containers' commands, the server's args, the env
 * and the probes come from the synthesized StatefulSet (test/util/postgres-sts-pod.ts says what is
 * emulated, and how).
 *
 * Timing: `POSTGRES_PEER_CHECK_SECONDS` (how long a primary on an empty claim looks for replicas
 * holding data; 15 s rendered) is set to 3 s for the drill where the primary comes back on an
 * empty claim: a knob of the rendered script, set explicitly here.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DataStoreCredentials } from '../../src/connection/data-store';
import { Postgres, PostgresVersion } from '../../src/engines/postgres';
import { findOne, synthValid } from '../util/harness';
import { PodNetwork } from '../util/pod-network';
import { canListen, requirePostgresBinaries, waitFor } from '../util/postgres-server';
import { PostgresStsPod } from '../util/postgres-sts-pod';
import { externalAddress } from '../util/redis-server';

jest.setTimeout(180_000);

const USER = 'user_admin';
const PASSWORD = 'user "manager" \\ $HOME #secret';
const REPLICATOR = 'replicator';
// a colon and a backslash (escaped in the libpq password file), quotes, shell characters
const REPLICATION_PASSWORD = 'repl:ica "tion" \\ $HOME #secret';

describe('Postgres with read replicas: streaming replication on a real server', () => {
  let net: PodNetwork;
  let root: string;
  let pods: PostgresStsPod[];
  let sts: any;

  const external = externalAddress();

  const primary = () => pods[0];
  const count = (pod: PostgresStsPod) => pod.sql('SELECT count(*) FROM news').output.trim();
  const streaming = () => waitFor(() => primary().sql("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'").output.trim() === '2',
    'both replicas streaming', 60_000);

  beforeAll(async () => {
    const bin = requirePostgresBinaries();
    const chart = new Chart(Testing.app(), 'test', { namespace: 'accounts' });
    const creds = new kplus.Secret(chart, 'creds', { metadata: { name: 'user-db-credentials' }, stringData: { username: USER, password: PASSWORD } });
    const repl = new kplus.Secret(chart, 'repl', {
      metadata: { name: 'user-db-replication' },
      stringData: { username: REPLICATOR, password: REPLICATION_PASSWORD },
    });
    new Postgres(chart, 'db', {
      metadata: { name: 'user-db' },
      // the image's tag is rendered; the binaries are the machine's PostgreSQL 15
      version: PostgresVersion.V15,
      credentials: DataStoreCredentials.fromSecret(creds),
      database: 'user_manager',
      readReplicas: 2,
      replicationCredentials: DataStoreCredentials.fromSecret(repl),
    });
    const manifests = synthValid(chart);
    sts = findOne(manifests, 'StatefulSet', 'user-db');
    net = new PodNetwork();
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pg-replication-')));
    pods = PostgresStsPod.all(manifests, 'user-db', net, root, bin);
    for (const pod of pods) if (!await canListen(pod.address, 5432)) throw new Error(`${pod.address}:5432 is in use`);
  });

  afterAll(async () => {
    await Promise.all((pods ?? []).map(p => p.stop()));
    if (root) fs.rmSync(root, { recursive: true, force: true });
    net?.dispose();
  });

  test('the rendered pods: an init container of the server\'s image, the password only as Secret files', () => {
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    const init = sts.spec.template.spec.initContainers.find((c: any) => c.name === 'postgres-replication');
    expect(init.image).toBe(primary().container.image);
    expect(init.args).toEqual(primary().container.args);
    expect(init.env).toEqual(expect.arrayContaining([
      { name: 'POSTGRES_REPLICATION_USER', valueFrom: { secretKeyRef: { name: 'user-db-replication', key: 'username' } } },
      { name: 'POSTGRES_PRIMARY_HOST', value: 'user-db-0.user-db.accounts.svc.cluster.local' },
    ]));
    expect(JSON.stringify(sts)).not.toContain('#secret');
  });

  test('first boot, every pod at once: the primary initializes, the replicas wait for it, clone it and stream', async () => {
    // as the Parallel policy starts them: the replicas' init containers wait for the primary
    const replicasInit = pods.slice(1).map(p => p.init());
    const first = await primary().init();
    if (first.status !== 0) throw new Error(`the primary's init containers failed:\n${primary().initLog}`);
    expect(primary().initLog).toContain('replication role replicator ready');
    primary().startServer();
    for (const r of await Promise.all(replicasInit)) expect(r).toMatchObject({ status: 0 });
    for (const pod of pods.slice(1)) {
      expect(pod.initLog).toContain('waiting up to 300s for the primary user-db-0.user-db.accounts.svc.cluster.local');
      expect(pod.initLog).toContain(`${pod.name} is a standby of user-db-0.user-db.accounts.svc.cluster.local`);
      pod.startServer();
    }
    await streaming();
    const standbys = primary().sql('SELECT application_name, sync_state FROM pg_stat_replication ORDER BY 1').output.trim();
    expect(standbys).toBe('user-db-1|async\nuser-db-2|async');
    for (const pod of pods) {
      await waitFor(() => pod.probe('readinessProbe').status === 0, `${pod.name} ready`, 30_000);
    }
  });

  test('the replicas stream the primary\'s writes and refuse writes of their own', async () => {
    expect(primary().sql('CREATE TABLE news (id int PRIMARY KEY, title text); INSERT INTO news SELECT g, \'t\' || g FROM generate_series(1, 1000) g').status).toBe(0);
    for (const pod of pods.slice(1)) {
      await waitFor(() => count(pod) === '1000', `${pod.name} to have the rows`, 30_000);
      expect(pod.sql('SELECT pg_is_in_recovery()').output.trim()).toBe('t');
      expect(pod.sql('INSERT INTO news VALUES (0, \'x\')')).toMatchObject({ status: 1, output: expect.stringContaining('cannot execute INSERT in a read-only transaction') });
    }
  });

  test('lag is visible: on the primary per replica (pg_stat_replication), on a replica as its replay position', async () => {
    const lag = primary().sql('SELECT application_name, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) >= 0, replay_lag IS NULL OR replay_lag >= interval \'0\' FROM pg_stat_replication ORDER BY 1');
    expect(lag.output.trim()).toBe('user-db-1|t|t\nuser-db-2|t|t');
    const replica = pods[1];
    expect(replica.sql('SELECT pg_last_wal_replay_lsn() IS NOT NULL, pg_last_wal_receive_lsn() >= pg_last_wal_replay_lsn()').output.trim()).toBe('t|t');
  });

  test('a replica stopped and started again catches up with what the primary wrote meanwhile', async () => {
    const replica = pods[2];
    await replica.stop();
    await waitFor(() => primary().sql('SELECT count(*) FROM pg_stat_replication').output.trim() === '1', 'the primary to see one replica');
    expect(primary().sql('INSERT INTO news SELECT g, \'t\' || g FROM generate_series(1001, 5000) g').status).toBe(0);
    const behind = primary().sql('SELECT pg_current_wal_lsn()').output.trim();
    // a new pod on the same claim: the init container keeps the data, writes standby.signal and primary_conninfo again
    expect(await replica.init()).toMatchObject({ status: 0 });
    expect(replica.initLog.split('waiting up to').length).toBe(2); // no second clone
    replica.startServer();
    await waitFor(() => count(replica) === '5000', 'the replica to catch up', 60_000);
    await streaming();
    await waitFor(() => primary().sql(`SELECT bool_and(replay_lsn >= '${behind}') FROM pg_stat_replication`).output.trim() === 't', 'replay past the writes');
  });

  test('the walreceiver authenticates with the replication role through a password file, not from the data directory', () => {
    const replica = pods[1];
    const conninfo = replica.sql('SHOW primary_conninfo').output.trim();
    expect(conninfo).toMatch(/^host=user-db-0\.user-db\.accounts\.svc\.cluster\.local port=5432 user=replicator passfile=\S+\/pgpass application_name=user-db-1$/);
    const passfile = /passfile=(\S+)/.exec(conninfo)![1];
    expect((fs.statSync(passfile).mode % 0o1000).toString(8)).toBe('600');
    expect(fs.readFileSync(passfile, 'utf8')).toBe('*:*:*:replicator:repl\\:ica "tion" \\\\ $HOME #secret\n');
    const auto = fs.readFileSync(path.join(replica.pgdata, 'postgresql.auto.conf'), 'utf8');
    expect(auto).not.toContain('#secret');
    expect(fs.existsSync(path.join(replica.pgdata, 'standby.signal'))).toBe(true);
    expect(primary().sql(`SELECT rolreplication, rolsuper FROM pg_roles WHERE rolname = '${REPLICATOR}'`).output.trim()).toBe('t|f');
    expect(primary().sql('SELECT count(*) FROM pg_hba_file_rules WHERE \'replication\' = ANY(database) AND \'replicator\' = ANY(user_name) AND auth_method = \'scram-sha-256\'').output.trim()).toBe('1');
  });

  test('the replication role\'s password is checked (scram-sha-256) for a connection from another host', async () => {
    // the pods' connections come from 127.0.0.1, which initdb's pg_hba.conf trusts, as in the image;
    // a connection to the primary on the machine's own address comes from it, and meets the rendered line
    if (external === undefined || !await canListen(external, 5432)) return;
    await primary().stop();
    // the primary listens on the machine's address too, as on its pod IP
    primary().extraArgs = ['-c', `listen_addresses=${primary().address},${external}`];
    primary().startServer();
    await waitFor(() => primary().probe('readinessProbe').status === 0, 'the primary ready');
    const connect = (password: string) => primary().exec(
      `PGPASSWORD='${password.replace(/'/g, "'\\''")}' psql "host=${external} port=5432 user=${REPLICATOR} dbname=replication replication=true" -X -At -c IDENTIFY_SYSTEM`);
    expect(connect(REPLICATION_PASSWORD).status).toBe(0);
    expect(connect('wrong')).toMatchObject({ status: 2, output: expect.stringContaining('password authentication failed for user "replicator"') });
    await streaming();
  });

  test('readiness knows a standby: a replica whose primary is down is not ready (liveness still passes)', async () => {
    await primary().stop();
    const replica = pods[1];
    await waitFor(() => replica.probe('readinessProbe').status !== 0, 'the replica unready', 30_000);
    expect(replica.probe('readinessProbe').output).toMatch(/not ready: standby (disconnected|stopped|starting|waiting)/);
    expect(replica.probe('livenessProbe').status).toBe(0);
    expect(count(replica)).toBe('5000');
  });

  test('the primary comes back on an empty claim while the replicas hold the data: it refuses to initialize', async () => {
    primary().wipeClaim();
    primary().extraEnv = { POSTGRES_PEER_CHECK_SECONDS: '3' };
    const r = await primary().init();
    expect(r.status).toBe(1);
    expect(r.output).toContain('but user-db-1.user-db.accounts.svc.cluster.local holds a database: refusing to initialize an empty primary');
    expect(fs.existsSync(path.join(primary().pgdata, 'PG_VERSION'))).toBe(false);
    // the replicas still have everything
    for (const pod of pods.slice(1)) expect(count(pod)).toBe('5000');
  });
});
