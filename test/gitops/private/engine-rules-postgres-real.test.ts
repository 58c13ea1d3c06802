/**
 * The upgrade guard's PostgreSQL rule against real servers (Debian's PostgreSQL 15): what the
 * finding says the server does, and the way out it prints, run as printed.
 *
 * From synthesized manifests only: the store `user-db` rendered on PostgreSQL 16 and on 17 gives
 * the finding (`UpgradeGuard.compare`); its way out names the new store (`user-db-17`), which is
 * rendered as the way out says (another name, the same user, no init scripts); both pods run from
 * their synthesized StatefulSets (test/util/postgres-pod.ts), and the copy is the finding's own two
 * `kubectl exec ... -- sh -c '<script>'` commands, each script run in its pod's env, the first one's
 * output piped into the second.
 *
 * One machine has one PostgreSQL major, so both pods run 15: what is proven is the mechanics of
 * the way out (the dump of one server restored into a fresh one, roles, owners, settings and data,
 * the new superuser keeping its own password) and the refusal the finding quotes, which the server
 * prints for any data directory of another major (its PG_VERSION file is what it checks).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DataStoreCredentials } from '../../../src/connection/data-store';
import { Postgres, PostgresVersion } from '../../../src/engines/postgres';
import { UpgradeFinding, UpgradeFindingSeverity, UpgradeGuard } from '../../../src/gitops/upgrade-guard';
import { findOne, synthValid } from '../../util/harness';
import { PostgresPod } from '../../util/postgres-pod';
import { requirePostgresBinaries, run, scramVerifierMatches } from '../../util/postgres-server';

jest.setTimeout(60_000);

const USER = 'user_admin';
const OLD_PASSWORD = 'old "store" \\ $HOME #1';
const NEW_PASSWORD = 'new store: another Secret';
const INIT_SQL = [
  'CREATE TABLE account (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE);',
  "INSERT INTO account (email) VALUES ('first@example.com'), ('second@example.com');",
  '',
].join('\n');

/** The store `name` on `version`, with its credentials Secret (and the init SQL, when given), as the app renders it. */
function store(name: string, version: PostgresVersion, password: string, initSql?: string): any[] {
  const chart = new Chart(Testing.app(), 'accounts', { namespace: 'accounts' });
  const secret = new kplus.Secret(chart, 'creds', { metadata: { name: `${name}-credentials` }, stringData: { username: USER, password } });
  const init = initSql === undefined ? undefined : new kplus.ConfigMap(chart, 'init', { metadata: { name: `${name}-init` }, data: { '01-schema.sql': initSql } });
  new Postgres(chart, name, { metadata: { name }, credentials: DataStoreCredentials.fromSecret(secret), database: 'user_manager', version, initSql: init });
  return synthValid(chart);
}

/** `kubectl [-n ns] exec [-i] <pod> -c <container> -- sh -c '<script>'`, twice, piped: the copy of the way out. */
const COPY = /kubectl (?:-n (\S+) )?exec (\S+) -c (\S+) -- sh -c '([^']*)' \| kubectl (?:-n (\S+) )?exec -i (\S+) -c (\S+) -- sh -c '([^']*)'/;

describe('PostgreSQL 16 -> 17: the finding, and its way out run on real servers', () => {
  let root: string;
  let finding: UpgradeFinding;
  let copy: RegExpExecArray;
  let source: PostgresPod;
  let target: PostgresPod;
  let copied: { status: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    const bin = requirePostgresBinaries();
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);

    // GIVEN the store on 16 and the pull request that moves it to 17: the guard's finding
    const before = store('user-db', PostgresVersion.V16, OLD_PASSWORD, INIT_SQL);
    const after = store('user-db', PostgresVersion.V17, OLD_PASSWORD, INIT_SQL);
    const findings = UpgradeGuard.compare(before, after);
    expect(findings).toHaveLength(1);
    finding = findings[0];
    copy = COPY.exec(finding.wayOut)!;
    expect(copy).not.toBeNull();

    // the new store as the way out says: another name (the target pod's StatefulSet), the same
    // user and database, another Secret here (the superuser keeps its own password), no init scripts
    const targetSts = copy[6].replace(/-0$/, '');
    const next = store(targetSts, PostgresVersion.V17, NEW_PASSWORD);

    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-stateful-engine-upgrade-')));
    fs.chmodSync(root, 0o755);
    source = await PostgresPod.start(before, 'user-db', path.join(root, 'user-db'), bin);
    target = await PostgresPod.start(next, targetSts, path.join(root, targetSts), bin);

    // what the application made of the old store since: a role of its own that owns a table, its
    // grants, a setting of the database, a sequence that moved, another schema
    for (const statement of [
      "CREATE ROLE reporting LOGIN PASSWORD 'reporting secret'",
      "ALTER DATABASE user_manager SET statement_timeout = '30s'",
    ]) expect(source.sql(statement, 'postgres')).toMatchObject({ status: 0, stderr: '' });
    for (const statement of [
      'CREATE SCHEMA audit',
      'CREATE TABLE audit.login (account integer REFERENCES account, at timestamptz NOT NULL DEFAULT now())',
      'ALTER TABLE audit.login OWNER TO reporting',
      'GRANT SELECT ON account TO reporting',
      "INSERT INTO account (email) VALUES ('third@example.com')",
      'INSERT INTO audit.login (account) SELECT id FROM account',
    ]) expect(source.sql(statement)).toMatchObject({ status: 0, stderr: '' });

    // WHEN the writers are stopped (nothing runs here) and the copy runs as printed
    const dump = source.exec(copy[4]);
    expect(dump).toMatchObject({ status: 0, stderr: '' });
    copied = target.exec(copy[8], dump.stdout);
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await source?.stop();
    await target?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  test('the finding: refused, and its copy runs from the old pod into the new store\'s first pod', () => {
    expect(finding).toMatchObject({ severity: UpgradeFindingSeverity.REFUSED, objectNamespace: 'accounts', objectName: 'user-db' });
    expect([copy[1], copy[2], copy[3], copy[5], copy[6], copy[7]]).toEqual(['accounts', 'user-db-0', 'postgres', 'accounts', 'user-db-17-0', 'postgres']);
  });

  test('the copy ran without an error', () => {
    expect(copied).toMatchObject({ status: 0, stderr: '' });
  });

  test('the data, the identity column\'s sequence and the other schema are in the new store', () => {
    expect(target.sql('SELECT id, email FROM account ORDER BY id')).toMatchObject({
      status: 0, stdout: '1|first@example.com\n2|second@example.com\n3|third@example.com\n',
    });
    expect(target.sql("INSERT INTO account (email) VALUES ('fourth@example.com') RETURNING id")).toMatchObject({ status: 0, stdout: '4\n' });
    expect(target.sql('SELECT count(*) FROM audit.login')).toMatchObject({ status: 0, stdout: '3\n' });
  });

  test('the roles: the application\'s role with its password, its table, its grants', () => {
    const password = target.sql("SELECT rolpassword FROM pg_authid WHERE rolname = 'reporting'", 'postgres');
    expect(scramVerifierMatches(password.stdout.trim(), 'reporting secret')).toBe(true);
    expect(target.sql("SELECT tableowner FROM pg_tables WHERE schemaname = 'audit' AND tablename = 'login'")).toMatchObject({ stdout: 'reporting\n' });
    expect(target.sql("SELECT has_table_privilege('reporting', 'public.account', 'SELECT')")).toMatchObject({ stdout: 't\n' });
  });

  test('the database as it was: its owner and its settings', () => {
    expect(target.sql("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'user_manager'", 'postgres')).toMatchObject({ stdout: `${USER}\n` });
    expect(target.sql('SHOW statement_timeout')).toMatchObject({ stdout: '30s\n' });
  });

  test('the new store\'s superuser keeps its own Secret\'s password', () => {
    const stored = target.sql(`SELECT rolpassword FROM pg_authid WHERE rolname = '${USER}'`, 'postgres').stdout.trim();
    expect(scramVerifierMatches(stored, NEW_PASSWORD)).toBe(true);
    expect(scramVerifierMatches(stored, OLD_PASSWORD)).toBe(false);
  });

  test('the old store is untouched', () => {
    expect(source.sql('SELECT count(*) FROM account')).toMatchObject({ status: 0, stdout: '3\n' });
  });

  test('what the finding quotes: the server refuses a data directory of another major, and exits', async () => {
    // GIVEN the old store's data directory as another major left it (its PG_VERSION is what the server checks)
    await source.stop();
    fs.writeFileSync(path.join(source.env.PGDATA, 'PG_VERSION'), '16\n');
    const version = run(['postgres', '--version'], source.env).stdout.replace(/^postgres \(PostgreSQL\) /, '').trim();

    // WHEN the server starts on it
    const started = source.startServer();

    // THEN it exits with the lines the finding quotes, for the versions at hand
    await expect(started).rejects.toThrow(/postgres exited/);
    const log = fs.readFileSync(source.logFile, 'utf8').replace(/ {2}/g, ' ');
    const quoted = [...finding.message.matchAll(/"([A-Z]+: [^"]+)"/g)].map(m => m[1]);
    expect(quoted).toEqual([
      'FATAL: database files are incompatible with server',
      `DETAIL: The data directory was initialized by PostgreSQL version 16, which is not compatible with this version ${PostgresVersion.V17.tag}`,
    ]);
    expect(log).toContain(quoted[0]);
    expect(log).toContain(quoted[1].replace(PostgresVersion.V17.tag, version.split(' ')[0]));
    expect(log).toContain(`with this version ${version}.`);
  });

  test('the StatefulSets are the rendered ones: the old on 16, the new store on 17', () => {
    const images = [store('user-db', PostgresVersion.V16, OLD_PASSWORD, INIT_SQL), store('user-db-17', PostgresVersion.V17, NEW_PASSWORD)]
      .map((m, i) => findOne(m, 'StatefulSet', i === 0 ? 'user-db' : 'user-db-17').spec.template.spec.containers[0].image);
    expect(images).toEqual([`docker.io/library/postgres:${PostgresVersion.V16.tag}`, `docker.io/library/postgres:${PostgresVersion.V17.tag}`]);
  });
});
