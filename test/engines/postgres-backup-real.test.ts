/**
 * The `Postgres` preset's backups and restores run against a real PostgreSQL server (Debian's 15):
 * the backup CronJob's and the restore Job's command and environment are taken from the
 * synthesized objects and run as the pods would (test/util/job-pod.ts): the connection's
 * ConfigMap, the downward API, the credentials Secret as files, the backup claim as a directory
 * both pods share. The server is a pod of its own (test/util/pod-network.ts): the Jobs reach it by
 * the primary pod's DNS name, on its own loopback address and the rendered port 5432, and every
 * TCP client must give the password (`--auth-host=scram-sha-256`), as a pod other than the
 * server's must.
 *
 * The round trip of the issue: rows written, the rendered backup, the database dropped, the
 * rendered restore, the rows read back; a restore run again does nothing; a database that holds
 * data is refused, or kept aside with `replaceExisting`; a server of another store is refused;
 * pruning keeps exactly `retain` backups; a backup against a stopped server exits non-zero.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DataStoreCredentials } from '../../src/connection/data-store';
import { Postgres } from '../../src/engines/postgres';
import { findOne, synthValid } from '../util/harness';
import { claimDir, jobPod, JobPod, osUser, runPod, RunResult } from '../util/job-pod';
import { PodNetwork, TestPod } from '../util/pod-network';
import { pg, requirePostgresBinaries, run, Server, spawnAs, waitFor } from '../util/postgres-server';

jest.setTimeout(120_000);

const NAMESPACE = 'accounts';
const USER = 'user_admin';
// the characters pgpass escapes (':' and '\'), quotes, shell characters
const PASSWORD = 'us:er \\ "manager" $HOME #secret';
const DATABASE = 'user_manager';

/** The app: the preset with a backup, and a restore of `dump` when given. */
function build(restore?: { dump: string; replaceExisting?: boolean }): any[] {
  const chart = new Chart(Testing.app(), 'test', { namespace: NAMESPACE });
  const secret = new kplus.Secret(chart, 'creds', { metadata: { name: 'user-db-credentials' }, stringData: { username: USER, password: PASSWORD } });
  const db = new Postgres(chart, 'db', {
    metadata: { name: 'user-db' },
    credentials: DataStoreCredentials.fromSecret(secret),
    database: DATABASE,
  });
  const backup = db.addBackup('nightly', { schedule: Cron.schedule({ minute: '30', hour: '2' }), retain: 2 });
  if (restore) db.addRestore('restore', { backup, ...restore });
  return synthValid(chart);
}

describe('Postgres backups and restores on a real server', () => {
  const user = osUser('postgres');
  let bin: string;
  let net: PodNetwork;
  let serverPod: TestPod;
  let root: string;
  let claim: string;
  let server: Server | undefined;
  let serverEnv: Record<string, string>;
  let serverArgs: string[];
  const dumps: string[] = [];

  /** psql as the superuser over the server's Unix socket (trusted): the test's own view. */
  const sql = (query: string, database = DATABASE): string => {
    const r = run(['psql', '-X', '-v', 'ON_ERROR_STOP=1', '-At', '-h', path.join(root, 'sock'), '-U', USER, '-d', database, '-c', query], serverEnv);
    if (r.status !== 0) throw new Error(`${query}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const backupPod = (manifests = build()): JobPod => jobPod(manifests, 'CronJob', 'user-db-nightly', {
    namespace: NAMESPACE, claims: { 'user-db-nightly-backups': claim }, scratch: root, user, path: [bin],
  });
  const restorePod = (dump: string, replaceExisting?: boolean): JobPod => {
    const manifests = build({ dump, replaceExisting });
    const job = manifests.find(m => m.kind === 'Job' && m.metadata.name.startsWith(`user-db-restore-${dump.toLowerCase()}-`));
    return jobPod(manifests, 'Job', job.metadata.name, {
      namespace: NAMESPACE, claims: { 'user-db-nightly-backups': claim }, scratch: root, user, path: [bin],
    });
  };
  const backup = (): RunResult & { dump?: string } => {
    const before = new Set(fs.existsSync(path.join(claim, 'user-db-nightly')) ? fs.readdirSync(path.join(claim, 'user-db-nightly')) : []);
    const result = runPod(net, backupPod(), user);
    const added = fs.existsSync(path.join(claim, 'user-db-nightly'))
      ? fs.readdirSync(path.join(claim, 'user-db-nightly')).filter(n => !before.has(n) && !n.startsWith('.')) : [];
    return { ...result, dump: added[0] };
  };
  /** The next backup, a second after the last (backups are named by the second they start). */
  const nextBackup = async (): Promise<string> => {
    await new Promise(r => setTimeout(r, 1100));
    const result = backup();
    if (result.status !== 0 || !result.dump) throw new Error(`the backup failed:\n${result.stdout}\n${result.stderr}`);
    dumps.push(result.dump);
    return result.dump;
  };
  const accounts = () => sql('SELECT id || \'=\' || email FROM account ORDER BY id').split('\n');

  beforeAll(async () => {
    bin = requirePostgresBinaries();
    net = new PodNetwork();
    serverPod = net.addPod('user-db-0.user-db.accounts.svc.cluster.local');
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-stateful-pg-backup-')));
    fs.chmodSync(root, 0o755);
    claim = claimDir(path.join(root, 'claim'), user);
    for (const dir of ['data', 'sock']) {
      fs.mkdirSync(path.join(root, dir), { mode: 0o700 });
      fs.chownSync(path.join(root, dir), pg().uid, pg().gid);
    }
    // the server: the superuser and password of the Secret, password authentication for every TCP client
    serverEnv = { PATH: `${bin}:/usr/bin:/bin`, LANG: 'C.UTF-8', PGDATA: path.join(root, 'data') };
    const pwfile = path.join(root, 'pwfile');
    fs.writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
    fs.chownSync(pwfile, pg().uid, pg().gid);
    const init = run(['initdb', `--username=${USER}`, `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256'], serverEnv);
    if (init.status !== 0) throw new Error(`initdb: ${init.stderr}`);
    fs.appendFileSync(path.join(root, 'data', 'pg_hba.conf'), '\nhost all all all scram-sha-256\n');
    serverArgs = ['-c', `listen_addresses=${serverPod.address}`, '-c', 'port=5432', '-c', `unix_socket_directories=${path.join(root, 'sock')}`];
    server = await Server.start(serverArgs, serverEnv, path.join(root, 'server.log'));
    await waitFor(() => run(['pg_isready', '-h', path.join(root, 'sock'), '-p', '5432'], serverEnv).status === 0, 'the server');
    // as the image creates it (POSTGRES_DB), then the application's data
    sql(`CREATE DATABASE ${DATABASE}`, 'postgres');
    sql('CREATE ROLE reporting LOGIN PASSWORD \'report\'', 'postgres');
    sql(`ALTER DATABASE ${DATABASE} SET work_mem = '8MB'`, 'postgres');
    sql('CREATE TABLE account (id integer PRIMARY KEY, email text NOT NULL)');
    sql('INSERT INTO account VALUES (1, \'first@example.com\'), (2, \'zweite@beispiel.de\')');
    sql('GRANT SELECT ON account TO reporting');
  });

  afterAll(async () => {
    if (server) await server.stop('SIGINT').catch(() => undefined);
    net?.dispose();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  test('the rendered Jobs: the server\'s image, uid 999, the password as a file and never in the environment', () => {
    const manifests = build({ dump: '20250301T023000Z' });
    for (const [kind, name] of [['CronJob', 'user-db-nightly'], ['Job', undefined]] as const) {
      const o = kind === 'Job' ? manifests.find(m => m.kind === 'Job') : findOne(manifests, kind, name);
      const spec = kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec;
      const container = spec.containers[0];
      expect(container.image).toBe(findOne(manifests, 'StatefulSet', 'user-db').spec.template.spec.containers[0].image);
      expect(container.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, runAsNonRoot: true });
      expect(JSON.stringify(container.env)).not.toContain('"key":"password"');
      expect(JSON.stringify(o)).not.toContain('#secret');
      const secretVolume = spec.volumes.find((v: any) => v.secret);
      expect(secretVolume.secret).toEqual({ secretName: 'user-db-credentials', defaultMode: 0o440, items: [{ key: 'password', path: 'password' }, { key: 'username', path: 'username' }] });
    }
  });

  test('backup: a dump of the database and the roles, written under its UTC time with its identity; the server is marked', () => {
    const result = backup();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.dump).toMatch(/^[0-9]{8}T[0-9]{6}Z$/);
    dumps.push(result.dump!);
    const dir = path.join(claim, 'user-db-nightly', result.dump!);
    expect(fs.readdirSync(dir).sort()).toEqual(['backup.info', 'database.pgdump', 'globals.sql']);
    expect(fs.readFileSync(path.join(dir, 'backup.info'), 'utf8')).toBe(
      `engine=postgres\nstore=accounts/user-db\ncreated=${result.dump}\ndatabase=${DATABASE}\nmajor=17\n`);
    expect(fs.readFileSync(path.join(dir, 'database.pgdump')).subarray(0, 5).toString()).toBe('PGDMP');
    expect(fs.readFileSync(path.join(dir, 'globals.sql'), 'utf8')).toMatch(/^CREATE ROLE reporting;$/m);
    expect(fs.statSync(path.join(dir, 'database.pgdump')).uid).toBe(user.uid);
    expect(result.stdout).toContain('backup: marked the server as the store accounts/user-db');
    expect(sql('SHOW cdk8s_stateful.store', 'postgres')).toBe('accounts/user-db');
    expect(result.stdout).toContain(`backup: wrote ${dir} (`);
  });

  test('restore: the database dropped, the rendered restore brings back its rows, roles and settings', () => {
    sql(`DROP DATABASE ${DATABASE}`, 'postgres');
    sql('DROP ROLE reporting', 'postgres');
    const result = runPod(net, restorePod(dumps[0]), user);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`restore: restored the database ${DATABASE} and the roles from accounts/user-db@${dumps[0]}`);
    expect(accounts()).toEqual(['1=first@example.com', '2=zweite@beispiel.de']);
    expect(sql('SELECT has_table_privilege(\'reporting\', \'account\', \'SELECT\')')).toBe('t');
    expect(sql('SHOW work_mem')).toBe('8MB');
    expect(sql('SHOW cdk8s_stateful.restored_from')).toBe(`accounts/user-db@${dumps[0]}`);
    expect(sql('SELECT datname FROM pg_database WHERE datname LIKE \'%restoring%\'', 'postgres')).toBe('');
    // the superuser kept the Secret's password: the restore's own connections prove it
  });

  test('a restore run again (an Argo CD Sync hook) does nothing', () => {
    sql('INSERT INTO account VALUES (3, \'third@example.com\')');
    const result = runPod(net, restorePod(dumps[0]), user);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).toContain(`restore: accounts/user-db@${dumps[0]} is restored in the database ${DATABASE} already: nothing to do`);
    expect(accounts()).toHaveLength(3);
  });

  test('a database holding data is refused without replaceExisting, and nothing changes', async () => {
    await nextBackup();
    const result = runPod(net, restorePod(dumps[1]), user);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`restore: the database ${DATABASE} holds [0-9]+ objects, and a restore never overwrites data: refusing. `
      + `Keep it under another name first \\(ALTER DATABASE ${DATABASE} RENAME TO ${DATABASE}_old\\), or set replaceExisting\n`));
    expect(accounts()).toHaveLength(3);
  });

  test('an empty database, as a new server creates it, is replaced', () => {
    sql(`DROP DATABASE ${DATABASE}`, 'postgres');
    sql(`CREATE DATABASE ${DATABASE}`, 'postgres');
    const result = runPod(net, restorePod(dumps[1]), user);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).toContain(`restore: the database ${DATABASE} is empty (as the server created it): replacing it`);
    expect(accounts()).toEqual(['1=first@example.com', '2=zweite@beispiel.de', '3=third@example.com']);
  });

  test('replaceExisting keeps the database that held data under another name, ending the sessions still connected to it', async () => {
    sql('INSERT INTO account VALUES (4, \'fourth@example.com\')');
    // a client still connected, as a consumer would be
    const client = spawnAs(['psql', '-X', '-h', path.join(root, 'sock'), '-U', USER, '-d', DATABASE, '-c', 'SELECT pg_sleep(60)'], serverEnv, 'ignore');
    const ended = new Promise<number | null>(resolve => client.on('exit', code => resolve(code)));
    await waitFor(() => sql(`SELECT count(*) FROM pg_stat_activity WHERE datname = '${DATABASE}' AND query LIKE '%pg_sleep%'`, 'postgres') === '1', 'the client');
    const result = runPod(net, restorePod(dumps[0], true), user);
    expect(await ended).not.toBe(0);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    const aside = /keeping it as ([a-z0-9_]+)/.exec(result.stdout)![1];
    expect(aside).toMatch(new RegExp(`^${DATABASE}_before_[0-9]{8}t[0-9]{6}z$`));
    expect(accounts()).toEqual(['1=first@example.com', '2=zweite@beispiel.de']);
    expect(sql('SELECT count(*) FROM account', aside)).toBe('4');
  });

  test('a server marked as another store is refused by the restore and by the backup', async () => {
    sql('ALTER DATABASE postgres SET cdk8s_stateful.store = \'accounts/orders-db\'', 'postgres');
    try {
      const restore = runPod(net, restorePod(dumps[1], true), user);
      expect(restore.status).toBe(1);
      expect(restore.stderr).toContain(
        'restore: the server at user-db-0.user-db.accounts.svc.cluster.local:5432 is the store accounts/orders-db, not accounts/user-db: refusing to restore into it\n');
      expect(accounts()).toEqual(['1=first@example.com', '2=zweite@beispiel.de']);
      await new Promise(r => setTimeout(r, 1100));
      const refused = backup();
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain('is the store accounts/orders-db, not accounts/user-db: refusing to file its dump under accounts/user-db');
      expect(refused.dump).toBeUndefined();
    } finally {
      sql('ALTER DATABASE postgres SET cdk8s_stateful.store = \'accounts/user-db\'', 'postgres');
    }
  });

  test('pruning keeps exactly `retain` (2) backups, the newest', async () => {
    await nextBackup();
    const kept = fs.readdirSync(path.join(claim, 'user-db-nightly')).sort();
    expect(kept).toEqual(dumps.slice(-2));
    expect(dumps).toHaveLength(3);
  });

  test('a wrong password fails the backup', async () => {
    await new Promise(r => setTimeout(r, 1100));
    const pod = backupPod();
    fs.chmodSync(pod.local('/run/secrets/postgres-backup/password'), 0o640);
    fs.writeFileSync(pod.local('/run/secrets/postgres-backup/password'), 'wrong');
    const result = runPod(net, pod, user);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/password authentication failed for user "user_admin"/);
    expect(fs.readdirSync(path.join(claim, 'user-db-nightly')).sort()).toEqual(dumps.slice(-2));
  });

  test('a backup against a stopped server exits non-zero and keeps the backups as they were', async () => {
    await server!.stop('SIGINT');
    server = undefined;
    await new Promise(r => setTimeout(r, 1100));
    const result = backup();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Connection refused/);
    expect(result.stderr).toMatch(/backup: FAILED: the postgres dump exited with [0-9]+; the backups kept so far are unchanged\n$/);
    expect(fs.readdirSync(path.join(claim, 'user-db-nightly')).sort()).toEqual(dumps.slice(-2));
  });
});
