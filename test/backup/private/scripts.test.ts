import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  backupScript,
  checkDetails,
  checkDumpName,
  restoreScript,
} from '../../../src/backup/private/scripts';

const WHERE = 'LogicalBackup \'test/b\'';

describe('checkDumpName', () => {
  test.each(['20250301T023000Z', '20240229T235959Z', '19991231T000000Z'])('accepts %s', dump => {
    expect(() => checkDumpName(WHERE, 'dump', dump)).not.toThrow();
  });

  test.each(['latest', '20250301T023000', '20250301t023000z', '2025-03-01T02:30:00Z', '20250230T000000Z', '20250301T240000Z',
    '20250301T236000Z', '20250301T000060Z', '20230229T000000Z', ''])('fails when the dump is %j', dump => {
    expect(() => checkDumpName(WHERE, 'dump', dump)).toThrow(/invalid 'dump': .*Must name one backup: the UTC time it started, YYYYMMDDTHHMMSSZ/);
  });
});

describe('checkDetails', () => {
  test('accepts plain keys and values', () => {
    expect(() => checkDetails(WHERE, 'engine.details', { database: 'app', major: '17', host: 'a.b:5432/x@y' })).not.toThrow();
  });

  test.each([
    [{ Database: 'x' }, /invalid 'engine.details key': "Database"/],
    [{ store: 'x' }, /invalid 'engine.details key': "store". .*not engine, store or created/],
    [{ database: 'a b' }, /invalid 'engine.details.database': "a b"/],
    [{ database: '' }, /invalid 'engine.details.database': ""/],
  ])('fails when details are %j', (details, message) => {
    expect(() => checkDetails(WHERE, 'engine.details', details)).toThrow(message);
  });
});

/**
 * The library's part of the Jobs' scripts, run with `sh` around a stub engine (the real engines
 * run in test/engines/*-backup-real.test.ts).
 */
describe('the backup and restore scripts around an engine', () => {
  let root: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'backup-scripts-'));
  });

  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  const connection = { hostVariable: 'DB_SERVICE_HOST', portVariable: 'DB_SERVICE_PORT', configMapName: 'db-nightly-connection' };
  const backupEnv = (extra: Record<string, string> = {}) => ({
    PATH: process.env.PATH!,
    POD_NAMESPACE: 'shop',
    DB_SERVICE_HOST: 'db-0.db',
    DB_SERVICE_PORT: '5432',
    BACKUP_ENGINE: 'stub',
    BACKUP_STORE: 'db',
    BACKUP_ROOT: path.join(root, 'backup', 'db-nightly'),
    BACKUP_FILES: 'data.dump roles.sql',
    BACKUP_RETAIN: '2',
    BACKUP_DETAILS: 'database=app major=17',
    ...extra,
  });
  const run = (script: string, env: Record<string, string>) => {
    const r = spawnSync('sh', ['-c', script, 'job'], { env, encoding: 'utf8', timeout: 20_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const dumps = () => fs.readdirSync(path.join(root, 'backup', 'db-nightly')).sort();
  const WRITES = [
    'printf "%s|%s|%s|%s|%s" "$STORE_HOST" "$STORE_PORT" "$STORE_ID" "$BACKUP_DIR" "$(pwd)" > data.dump',
    'echo roles > "$BACKUP_DIR/roles.sql"',
  ].join('\n');

  test('the engine writes into a new directory; the backup is renamed into place, named by its UTC time, with backup.info', () => {
    const before = new Date();
    const result = run(backupScript({ ...connection, engineScript: WRITES }), backupEnv());
    expect(result).toMatchObject({ status: 0, stderr: '' });
    const names = dumps();
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^[0-9]{8}T[0-9]{6}Z$/);
    const started = names[0].replace(/^(....)(..)(..)T(..)(..)(..)Z$/, '$1-$2-$3T$4:$5:$6Z');
    expect(Math.abs(Date.parse(started) - before.getTime())).toBeLessThan(5000);
    const dir = path.join(root, 'backup', 'db-nightly', names[0]);
    expect(fs.readdirSync(dir).sort()).toEqual(['backup.info', 'data.dump', 'roles.sql']);
    // the engine ran in the temporary directory, renamed afterwards
    const [host, port, id, backupDir, cwd] = fs.readFileSync(path.join(dir, 'data.dump'), 'utf8').split('|');
    expect({ host, port, id }).toEqual({ host: 'db-0.db', port: '5432', id: 'shop/db' });
    expect(backupDir).toBe(path.join(root, 'backup', 'db-nightly', `.tmp-${names[0]}`));
    expect(cwd).toBe(backupDir);
    expect(fs.readFileSync(path.join(dir, 'backup.info'), 'utf8')).toBe(`engine=stub\nstore=shop/db\ncreated=${names[0]}\ndatabase=app\nmajor=17\n`);
    // umask 077: the backup's files are the pod user's only
    expect((fs.statSync(path.join(dir, 'backup.info')).mode % 0o1000).toString(8)).toBe('600');
    expect(result.stdout).toContain(`backup: wrote ${dir}`);
    expect(result.stdout).toContain(`backup: kept: ${names[0]}`);
  });

  test('keeps the newest BACKUP_RETAIN backups and removes what a killed backup left', () => {
    const dir = path.join(root, 'backup', 'db-nightly');
    for (const old of ['20200101T000000Z', '20200102T000000Z', '20200103T000000Z', '.tmp-20200104T000000Z']) {
      fs.mkdirSync(path.join(dir, old), { recursive: true });
    }
    fs.mkdirSync(path.join(dir, 'not-a-backup'));
    const result = run(backupScript({ ...connection, engineScript: WRITES }), backupEnv());
    expect(result).toMatchObject({ status: 0, stderr: '' });
    const names = dumps();
    expect(names.filter(n => /^[0-9]{8}T[0-9]{6}Z$/.test(n))).toEqual(['20200103T000000Z', expect.stringMatching(/^20[0-9]{6}T[0-9]{6}Z$/)]);
    expect(names).toContain('not-a-backup');
    expect(names.filter(n => n.startsWith('.tmp-'))).toEqual([]);
    expect(result.stdout).toContain('pruned 20200102T000000Z (keeping the newest 2)');
    expect(result.stdout).toContain('pruned 20200101T000000Z');
    expect(result.stdout).toContain('removing');
  });

  test('a failed engine fails the Job, and the backups are as they were', () => {
    const dir = path.join(root, 'backup', 'db-nightly');
    for (const old of ['20200101T000000Z', '20200102T000000Z', '20200103T000000Z']) fs.mkdirSync(path.join(dir, old), { recursive: true });
    const result = run(backupScript({ ...connection, engineScript: 'echo half > data.dump\nfalse\necho never > roles.sql' }), backupEnv());
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('backup: FAILED: the stub dump exited with 1; the backups kept so far are unchanged\n');
    expect(dumps()).toEqual(['20200101T000000Z', '20200102T000000Z', '20200103T000000Z']);
  });

  test('a dump that misses a file, or leaves one empty, fails', () => {
    const missing = run(backupScript({ ...connection, engineScript: 'echo x > data.dump' }), backupEnv());
    expect(missing).toMatchObject({ status: 1, stderr: 'backup: FAILED: the dump wrote no roles.sql\n' });
    const empty = run(backupScript({ ...connection, engineScript: 'echo x > data.dump\n: > roles.sql' }), backupEnv());
    expect(empty).toMatchObject({ status: 1, stderr: 'backup: FAILED: the dump wrote no roles.sql\n' });
    expect(dumps()).toEqual([]);
  });

  test.each([
    [{ DB_SERVICE_HOST: '' }, 'DB_SERVICE_HOST and DB_SERVICE_PORT are not set: the connection\'s ConfigMap db-nightly-connection is missing'],
    [{ POD_NAMESPACE: 'Bad Namespace' }, 'POD_NAMESPACE "Bad Namespace" is not a namespace name'],
    [{ BACKUP_RETAIN: '0' }, 'BACKUP_RETAIN "0" is not a whole number of at least 1'],
    [{ BACKUP_RETAIN: 'x' }, 'BACKUP_RETAIN "x" is not a whole number of at least 1'],
  ])('fails before dumping when the environment is wrong: %j', (extra, message) => {
    const result = run(backupScript({ ...connection, engineScript: WRITES }), backupEnv(extra));
    expect(result).toMatchObject({ status: 1, stderr: `backup: FAILED: ${message}\n` });
  });

  describe('restore', () => {
    const restoreEnv = (extra: Record<string, string> = {}) => ({
      PATH: process.env.PATH!,
      POD_NAMESPACE: 'shop',
      DB_SERVICE_HOST: 'db-0.db',
      DB_SERVICE_PORT: '5432',
      BACKUP_ENGINE: 'stub',
      BACKUP_STORE: 'db',
      BACKUP_ROOT: path.join(root, 'backup', 'db-nightly'),
      BACKUP_FILES: 'data.dump roles.sql',
      RESTORE_SOURCE: 'db',
      RESTORE_DUMP: '20250301T023000Z',
      RESTORE_REPLACE_EXISTING: 'false',
      ...extra,
    });
    const dump = (info: string, files = ['data.dump', 'roles.sql']) => {
      const dir = path.join(root, 'backup', 'db-nightly', '20250301T023000Z');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'backup.info'), info);
      for (const f of files) fs.writeFileSync(path.join(dir, f), 'x');
      return dir;
    };
    const ENGINE = 'printf "%s|%s|%s|%s|%s|%s" "$STORE_HOST" "$STORE_PORT" "$STORE_ID" "$DUMP_ID" "$BACKUP_DIR" "$REPLACE_EXISTING"; echo';

    test('runs the engine with the dump\'s directory, the store\'s identity and the dump\'s', () => {
      const dir = dump('engine=stub\nstore=shop/db\ncreated=20250301T023000Z\n');
      const result = run(restoreScript({ ...connection, engineScript: ENGINE }), restoreEnv({ RESTORE_REPLACE_EXISTING: 'true' }));
      expect(result).toMatchObject({ status: 0, stderr: '' });
      expect(result.stdout).toContain(`db-0.db|5432|shop/db|shop/db@20250301T023000Z|${dir}|true\n`);
      expect(result.stdout).toContain('restore: restoring shop/db@20250301T023000Z into the stub store shop/db at db-0.db:5432');
      expect(result.stdout).toMatch(/restore: done\n$/);
    });

    test('restores another store\'s dump into this store when told so (RESTORE_SOURCE)', () => {
      dump('engine=stub\nstore=shop/orders\ncreated=20250301T023000Z\n');
      const result = run(restoreScript({ ...connection, engineScript: ENGINE }), restoreEnv({ RESTORE_SOURCE: 'orders' }));
      expect(result).toMatchObject({ status: 0, stderr: '' });
      expect(result.stdout).toContain('|shop/db|shop/orders@20250301T023000Z|');
    });

    test.each([
      ['a dump of another store', 'engine=stub\nstore=shop/orders\n', undefined,
        /is a dump of the store "shop\/orders", not of shop\/db: refusing to restore it/],
      ['a dump of another namespace', 'engine=stub\nstore=test/db\n', undefined, /is a dump of the store "test\/db", not of shop\/db/],
      ['a dump of another engine', 'engine=redis\nstore=shop/db\n', undefined, /is a dump of the engine "redis", not stub/],
      ['an incomplete dump', 'engine=stub\nstore=shop/db\n', ['data.dump'], /has no roles.sql: it is not a complete backup/],
    ])('refuses %s', (_what, info, files, message) => {
      dump(info, files);
      const result = run(restoreScript({ ...connection, engineScript: 'echo ENGINE RAN' }), restoreEnv());
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).not.toContain('ENGINE RAN');
    });

    test('refuses a dump that is not there, and lists the ones that are', () => {
      fs.mkdirSync(path.join(root, 'backup', 'db-nightly', '20250228T023000Z'), { recursive: true });
      const result = run(restoreScript({ ...connection, engineScript: 'echo ENGINE RAN' }), restoreEnv());
      expect(result).toMatchObject({
        status: 1,
        stderr: `restore: FAILED: there is no dump 20250301T023000Z in ${path.join(root, 'backup', 'db-nightly')}; the dumps there: 20250228T023000Z \n`,
      });
    });

    test('refuses a directory without backup.info (a backup being written)', () => {
      fs.mkdirSync(path.join(root, 'backup', 'db-nightly', '20250301T023000Z'), { recursive: true });
      const result = run(restoreScript({ ...connection, engineScript: 'echo ENGINE RAN' }), restoreEnv());
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/has no backup.info: it is not a complete backup/);
    });

    test('a failing engine fails the Job', () => {
      dump('engine=stub\nstore=shop/db\n');
      const result = run(restoreScript({ ...connection, engineScript: 'echo refusing >&2; exit 3' }), restoreEnv());
      expect(result).toMatchObject({ status: 1, stderr: 'refusing\nrestore: FAILED: the stub restore exited with 3\n' });
    });

    test('refuses a RESTORE_REPLACE_EXISTING that is not true or false', () => {
      dump('engine=stub\nstore=shop/db\n');
      const result = run(restoreScript({ ...connection, engineScript: 'echo ENGINE RAN' }), restoreEnv({ RESTORE_REPLACE_EXISTING: 'yes' }));
      expect(result).toMatchObject({ status: 1, stderr: 'restore: FAILED: RESTORE_REPLACE_EXISTING must be true or false\n' });
    });
  });
});
