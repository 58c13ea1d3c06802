/**
 * The `Postgres` construct's rendering run against a real PostgreSQL server: the container's
 * args, env and probes and the init SQL are taken from the synthesized manifests (not from
 * `renderPostgres()`), and the official image's entrypoint is replayed as
 * test/private/engines-postgres.test.ts does for the engine module (test/util/postgres-server.ts).
 *
 * What the kubelet and the image would do is emulated, and nothing else is changed from what is
 * rendered:
 * - the env's `secretKeyRef`s are resolved from the synthesized Secret;
 * - the mount paths become temporary directories: the claim's (its root holding `lost+found`,
 *   group-owned by the fsGroup and setgid), the Secret volume's (its items as files, mode 0440),
 *   the ConfigMap volume's (one file per key) and /var/run/postgresql; the env's paths (PGDATA,
 *   POSTGRES_PASSWORD_FILE) are mapped onto them. /tmp and /dev/shm are the machine's own;
 * - the server gets `-c listen_addresses=127.0.0.1` (the image's configuration says `*`) and
 *   `-c unix_socket_directories=<the /var/run/postgresql stand-in>` (the image's compiled-in
 *   default), after the rendered args;
 * - the binaries are the newest installed major (or `POSTGRES_BIN`), run as the OS user `postgres`
 *   when the test runs as root. PGPORT is the rendered 5432, which must be free on 127.0.0.1.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DataStoreCredentials } from '../../src/connection/data-store';
import { Postgres } from '../../src/engines/postgres';
import { findOne, synthValid } from '../util/harness';
import {
  canListen,
  errorLines,
  initdbAsEntrypoint,
  initFilesAsEntrypoint,
  makeClaimVolume,
  makeEmptyDir,
  READY_LINE,
  requirePostgresBinaries,
  run,
  RunResult,
  scramVerifierMatches,
  Server,
  setupDbAsEntrypoint,
  startTemporaryServer,
  waitFor,
  writeSecretFile,
} from '../util/postgres-server';

jest.setTimeout(30_000);

const USER = 'user_admin';
// spaces, quotes, a backslash and shell characters
const PASSWORD = 'user "manager" \\ $HOME #secret';
const INIT_SQL = [
  'CREATE TABLE account (id integer PRIMARY KEY, email text NOT NULL);',
  "INSERT INTO account VALUES (1, 'first@example.com');",
  '',
].join('\n');

describe('Postgres construct: the synthesized container runs a real server as rendered', () => {
  let container: any;
  let claimMountPath: string;
  let args: string[];
  let env: Record<string, string>; // the container's env, secretKeyRefs resolved, paths mapped
  let local: (renderedPath: string) => string;
  let root: string;
  let password: string;
  let initFiles: Array<{ file: string } & RunResult>;
  let server: Server | undefined;

  const probes = () => ({ startup: container.startupProbe, liveness: container.livenessProbe, readiness: container.readinessProbe });
  const probe = (p: any): RunResult => run(p.exec.command, env);
  const socketDir = () => local('/var/run/postgresql');
  const serverArgs = () => [...args.slice(1), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${socketDir()}`];
  const psql = (sql: string): RunResult => run(['psql', '-X', '-v', 'ON_ERROR_STOP=1', '-At', '-F', '|', '-h', '127.0.0.1',
    '-U', env.POSTGRES_USER, '-d', env.POSTGRES_DB, '-c', sql], { ...env, PGPASSWORD: PASSWORD });

  beforeAll(async () => {
    const bin = requirePostgresBinaries();

    // GIVEN a chart with the Secret, the init SQL and the preset
    const chart = Testing.chart();
    const secret = new kplus.Secret(chart, 'creds', { metadata: { name: 'user-db-credentials' }, stringData: { username: USER, password: PASSWORD } });
    const init = new kplus.ConfigMap(chart, 'init', { metadata: { name: 'user-db-init' }, data: { '01-schema.sql': INIT_SQL } });
    new Postgres(chart, 'db', {
      metadata: { name: 'user-db' },
      credentials: DataStoreCredentials.fromSecret(secret),
      database: 'user_manager',
      initSql: init,
      // not PostgreSQL's own default of 128MB: shared_buffers is a quarter of the limit
      resources: { memory: { limit: Size.mebibytes(768) } },
    });

    // WHEN synthesized
    const manifests = synthValid(chart);
    const sts = findOne(manifests, 'StatefulSet', 'user-db');
    const pod = sts.spec.template.spec;
    container = pod.containers.find((c: any) => c.name === 'postgres');
    args = container.args;
    const claim = sts.spec.volumeClaimTemplates[0].metadata.name;
    claimMountPath = container.volumeMounts.find((m: any) => m.name === claim).mountPath;
    const secrets: Record<string, Record<string, string>> = Object.fromEntries(
      manifests.filter(m => m.kind === 'Secret').map(m => [m.metadata.name, m.stringData ?? {}]));
    const configMaps: Record<string, Record<string, string>> = Object.fromEntries(
      manifests.filter(m => m.kind === 'ConfigMap').map(m => [m.metadata.name, m.data ?? {}]));

    // the kubelet's mounts: each mount path of interest becomes a directory of this pod
    if (!await canListen('127.0.0.1', Number(container.env.find((e: any) => e.name === 'PGPORT').value))) {
      throw new Error('127.0.0.1:5432 is in use: the test runs the server on the rendered port and needs it free');
    }
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-stateful-pg-real-')));
    fs.chmodSync(root, 0o755);
    const stand: Record<string, string> = {};
    for (const m of container.volumeMounts) {
      const volume = pod.volumes.find((v: any) => v.name === m.name);
      if (m.name === claim) stand[m.mountPath] = path.join(root, 'claim');
      else if (volume?.secret || volume?.configMap || m.mountPath === '/var/run/postgresql') stand[m.mountPath] = path.join(root, m.name);
    }
    local = (p: string) => {
      const prefix = Object.keys(stand).find(k => p === k || p.startsWith(`${k}/`));
      if (!prefix) throw new Error(`no stand-in for ${p}`);
      return stand[prefix] + p.slice(prefix.length);
    };
    makeClaimVolume(local(claimMountPath));
    makeEmptyDir(socketDir());
    for (const m of container.volumeMounts) {
      const volume = pod.volumes.find((v: any) => v.name === m.name);
      if (volume?.secret) {
        const data = secrets[volume.secret.secretName];
        for (const item of volume.secret.items) writeSecretFile(path.join(local(m.mountPath), item.path), data[item.key]);
      } else if (volume?.configMap) {
        fs.mkdirSync(local(m.mountPath));
        for (const [key, content] of Object.entries(configMaps[volume.configMap.name])) {
          fs.writeFileSync(path.join(local(m.mountPath), key), content, { mode: 0o444 });
        }
      }
    }
    env = {
      PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
      LANG: 'C.UTF-8',
      ...Object.fromEntries(container.env.map((e: any) => {
        const ref = e.valueFrom?.secretKeyRef;
        const value: string = ref ? secrets[ref.name][ref.key] : e.value;
        return [e.name, value.startsWith('/') ? local(value) : value];
      })),
    };

    // the image's entrypoint: initdb, the temporary server, the database, the init SQL, then `exec postgres` with the args
    const first = initdbAsEntrypoint(env, args.slice(1), root);
    if (first.initdb.status !== 0) throw new Error(`initdb failed:\n${first.initdb.stderr}`);
    password = first.password;
    const temporary = await startTemporaryServer(env, args.slice(1), socketDir(), path.join(root, 'initdb.log'));
    setupDbAsEntrypoint(env, socketDir(), password);
    initFiles = initFilesAsEntrypoint(env, local('/docker-entrypoint-initdb.d'), socketDir(), password);
    await temporary.stop('SIGINT');

    server = await Server.start(serverArgs(), env, path.join(root, 'server.log'));
    // as the kubelet: the startup probe until it passes
    await waitFor(() => probe(probes().startup).status === 0, 'the startup probe');
  });

  afterAll(async () => {
    if (server) await server.stop('SIGQUIT').catch(() => undefined);
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  test('the rendered container is what the test runs: args, env, probes and the init SQL', () => {
    expect(args).toEqual(['postgres', '-c', 'shared_buffers=192MB']);
    expect(container.env).toEqual(expect.arrayContaining([
      { name: 'PGDATA', value: `${claimMountPath}/pgdata` },
      { name: 'PGPORT', value: '5432' },
      { name: 'POSTGRES_DB', value: 'user_manager' },
      { name: 'POSTGRES_USER', valueFrom: { secretKeyRef: { name: 'user-db-credentials', key: 'username' } } },
    ]));
    expect(env.POSTGRES_USER).toBe(USER);
    expect(password).toBe(PASSWORD);
    expect(fs.readFileSync(path.join(local('/docker-entrypoint-initdb.d'), '01-schema.sql'), 'utf8')).toBe(INIT_SQL);
    for (const p of Object.values(probes())) expect(p.exec.command[0]).toBe('sh');
  });

  test('the server runs with the rendered args: its command line and shared_buffers', () => {
    const cmdline = fs.readFileSync(`/proc/${server!.pid()}/cmdline`, 'utf8').split('\0').filter(a => a !== '');
    expect(path.basename(cmdline[0])).toBe('postgres');
    expect(cmdline.slice(1, args.length)).toEqual(args.slice(1));
    const sharedBuffers = args.find(a => a.startsWith('shared_buffers='))!.split('=')[1];
    expect(psql('SHOW shared_buffers')).toMatchObject({ status: 0, stdout: `${sharedBuffers}\n`, stderr: '' });
  });

  test('the database and the superuser are the rendered ones, the superuser\'s password the Secret\'s', () => {
    const who = psql('SELECT current_user, current_database(), rolsuper, current_setting(\'port\') FROM pg_roles WHERE rolname = current_user');
    expect(who).toMatchObject({ status: 0, stderr: '' });
    expect(who.stdout.trim()).toBe(`${USER}|user_manager|t|5432`);
    // 127.0.0.1 is trusted by initdb's pg_hba.conf, as in the image: check the stored SCRAM verifier instead
    const stored = psql(`SELECT rolpassword FROM pg_authid WHERE rolname = '${USER}'`).stdout.trim();
    expect(scramVerifierMatches(stored, PASSWORD)).toBe(true);
    expect(scramVerifierMatches(stored, 'wrong')).toBe(false);
  });

  test('the init SQL from the ConfigMap ran, with ON_ERROR_STOP, in the rendered database', () => {
    expect(initFiles).toEqual([{ file: '01-schema.sql', status: 0, stdout: expect.any(String), stderr: '' }]);
    expect(psql('SELECT email FROM account')).toMatchObject({ status: 0, stdout: 'first@example.com\n', stderr: '' });
    const elsewhere = run(['psql', '-X', '-At', '-h', '127.0.0.1', '-U', USER, '-d', 'postgres', '-c', 'SELECT to_regclass(\'account\') IS NULL'], env);
    expect(elsewhere.stdout.trim()).toBe('t');
  });

  test('PGDATA is the rendered subdirectory of the claim, whose root holds lost+found', () => {
    expect(psql('SHOW data_directory').stdout.trim()).toBe(env.PGDATA);
    expect(path.dirname(env.PGDATA)).toBe(local(claimMountPath));
    expect(fs.readdirSync(local(claimMountPath)).sort()).toEqual(['lost+found', path.basename(env.PGDATA)]);
    expect(fs.existsSync(path.join(env.PGDATA, 'PG_VERSION'))).toBe(true);
  });

  test.each(['startup', 'liveness', 'readiness'] as const)('the rendered %s probe exits 0', name => {
    const result = probe(probes()[name]);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).toBe('127.0.0.1:5432 - accepting connections\n');
  });

  test('nothing was logged as an error: the probes connect as the rendered user to the rendered database', () => {
    const log = fs.readFileSync(path.join(root, 'server.log'), 'utf8');
    expect(log).toContain(READY_LINE);
    expect(errorLines(log + fs.readFileSync(path.join(root, 'initdb.log'), 'utf8'))).toEqual([]);
  });

  test('readiness (and liveness) fail once the server stops', async () => {
    await server!.stop('SIGINT');
    server = undefined;
    const ready = probe(probes().readiness);
    expect(ready.status).toBe(2);
    expect(ready.stdout).toBe('127.0.0.1:5432 - no response\n');
    expect(probe(probes().liveness).status).not.toBe(0);
  });
});
