/**
 * Helpers of the real-server PostgreSQL tests (test/private/engines-postgres.test.ts,
 * test/postgres-real.test.ts): the official image's entrypoint replayed with local PostgreSQL
 * binaries, server commands run as the OS user `postgres` when the test runs as root (initdb
 * refuses root), with exactly the container's env.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/** The directory with the PostgreSQL server binaries, or why there is none. */
export function findPostgresBinaries(): { dir: string; problem?: undefined } | { dir?: undefined; problem: string } {
  const tools = ['postgres', 'initdb', 'pg_isready', 'psql'];
  const complete = (dir: string) => tools.every(t => fs.existsSync(path.join(dir, t)));
  const override = process.env.POSTGRES_BIN;
  if (override) {
    if (complete(override)) return { dir: override };
    return { problem: `POSTGRES_BIN=${override} lacks one of ${tools.join(', ')}` };
  }
  const base = '/usr/lib/postgresql';
  const majors = fs.existsSync(base) ? fs.readdirSync(base).filter(d => /^[0-9]+$/.test(d)).map(Number).sort((a, b) => b - a) : [];
  for (const major of majors) {
    const dir = path.join(base, String(major), 'bin');
    if (complete(dir)) return { dir };
  }
  return {
    problem: `No PostgreSQL server binaries (${tools.join(', ')}) in ${base}/*/bin: this test runs a real server. `
      + 'Install them with `apt-get install -y --no-install-recommends postgresql` (as .ci/run does), or set POSTGRES_BIN to their directory',
  };
}

/** The binaries' directory: fails (never skips) when there are none. */
export function requirePostgresBinaries(): string {
  const found = findPostgresBinaries();
  if (found.problem !== undefined) throw new Error(found.problem);
  return found.dir;
}

export const isRoot = process.getuid?.() === 0;
let pgUser: { uid: number; gid: number } | undefined;

/** The OS user server commands run as: `postgres` when the test runs as root (initdb refuses root), else the test's own. */
export function pg(): { uid: number; gid: number } {
  if (!pgUser) {
    if (isRoot) {
      const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
      const uid = id('-u');
      if (uid.status !== 0) throw new Error('The test runs as root and there is no OS user "postgres" to run PostgreSQL as (Debian\'s postgresql package creates it)');
      pgUser = { uid: Number(uid.stdout.trim()), gid: Number(id('-g').stdout.trim()) };
    } else {
      pgUser = { uid: process.getuid!(), gid: process.getgid!() };
    }
  }
  return pgUser;
}

/** chown, when the test runs as root (otherwise every file is the test's own already). */
export function chown(file: string, uid: number, gid: number): void {
  if (isRoot) fs.chownSync(file, uid, gid);
}

/** argv as the `postgres` OS user, with exactly `env` (as `env -i`). */
function asPostgres(argv: string[], env: Record<string, string>): [string, string[]] {
  const inner = ['env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv];
  return isRoot ? ['runuser', ['-u', 'postgres', '--', ...inner]] : [inner[0], inner.slice(1)];
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs argv to completion as the `postgres` OS user with exactly `env`. */
export function run(argv: string[], env: Record<string, string>, input?: string): RunResult {
  const [cmd, args] = asPostgres(argv, env);
  const result = spawnSync(cmd, args, { encoding: 'utf8', input, cwd: os.tmpdir(), timeout: 20_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts argv in the background as the `postgres` OS user with exactly `env`. */
export function spawnAs(argv: string[], env: Record<string, string>, stdio: 'ignore' | number): ChildProcess {
  const [cmd, args] = asPostgres(argv, env);
  return spawn(cmd, args, { cwd: os.tmpdir(), stdio: ['ignore', stdio, stdio] });
}

/** Polls `condition` every 200 ms. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 200));
  }
}

/** A TCP port free on 127.0.0.1, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Whether `host:port` can be listened on. */
export function canListen(host: string, port: number): Promise<boolean> {
  return new Promise(resolve => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** What the postmaster logs when it starts accepting connections. */
export const READY_LINE = 'database system is ready to accept connections';

/**
 * The `FATAL` and `ERROR` lines of a server log, without those of connections made while the
 * server was still starting: the tests poll the server (as the kubelet's startup probe does), and
 * a connection that comes before the postmaster is ready is refused with `FATAL: the database
 * system is starting up`. Such a connection can even be logged just after the ready line (the
 * backend was forked before it), so its message is left out wherever it is.
 */
export function errorLines(log: string): string[] {
  return log.split('\n')
    .filter(line => /\b(FATAL|ERROR):/.test(line))
    .filter(line => !/FATAL: {2}the database system is starting up/.test(line));
}

/**
 * Whether a SCRAM-SHA-256 verifier as PostgreSQL stores it (`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`)
 * was made from `password` (RFC 5802/7677; an ASCII password is its own SASLprep form).
 */
export function scramVerifierMatches(verifier: string, password: string): boolean {
  const m = /^SCRAM-SHA-256\$([0-9]+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!m) return false;
  const salted = crypto.pbkdf2Sync(Buffer.from(password, 'utf8'), Buffer.from(m[2], 'base64'), Number(m[1]), 32, 'sha256');
  const clientKey = crypto.createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = crypto.createHash('sha256').update(clientKey).digest('base64');
  const serverKey = crypto.createHmac('sha256', salted).update('Server Key').digest('base64');
  return storedKey === m[3] && serverKey === m[4];
}

/** A postmaster started in the foreground (as the image's `exec postgres`), its log in a file. */
export class Server {
  public static async start(args: string[], env: Record<string, string>, logFile: string): Promise<Server> {
    const log = fs.openSync(logFile, 'a');
    chown(logFile, pg().uid, pg().gid);
    const child = spawnAs(['postgres', ...args], env, log);
    fs.closeSync(log);
    const exited = new Promise<void>(resolve => child.on('exit', () => resolve()));
    const server = new Server(env.PGDATA, exited);
    let gone = false;
    void exited.then(() => { gone = true; });
    await waitFor(() => {
      if (gone) throw new Error(`postgres exited:\n${fs.readFileSync(logFile, 'utf8')}`);
      return server.pid() !== undefined;
    }, 'postmaster.pid');
    return server;
  }

  private constructor(private readonly pgdata: string, private readonly exited: Promise<void>) {}

  /** The postmaster's pid, from postmaster.pid. */
  public pid(): number | undefined {
    try {
      const pid = Number(fs.readFileSync(path.join(this.pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** Signals the postmaster as the runtime would and waits for it to exit. */
  public async stop(signal: NodeJS.Signals): Promise<void> {
    const pid = this.pid();
    if (pid !== undefined) process.kill(pid, signal);
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('postgres did not stop')), 20_000).unref());
    await Promise.race([this.exited, timeout]);
  }
}

// ------------------------------------------------------------------------ the image's entrypoint

/**
 * A claim as the kubelet mounts it: a volume root holding `lost+found` (as a fresh ext4 volume
 * does), group-owned by the fsGroup and setgid.
 */
export function makeClaimVolume(dir: string): void {
  fs.mkdirSync(path.join(dir, 'lost+found'), { recursive: true, mode: 0o700 });
  chown(dir, 0, pg().gid);
  fs.chmodSync(dir, 0o2775);
}

/** An emptyDir such as the one at /var/run/postgresql. */
export function makeEmptyDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o777 });
  fs.chmodSync(dir, 0o777);
}

/** A Secret volume item: defaultMode 0440, group-owned by the fsGroup. */
export function writeSecretFile(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  chown(file, 0, pg().gid);
  fs.chmodSync(file, 0o440);
}

/**
 * docker_setup_env, docker_create_db_directories and docker_init_database_dir: reads the password
 * file as the server user (`$(< "$POSTGRES_PASSWORD_FILE")`, trailing newlines stripped), creates
 * PGDATA (mode 0700) and runs `initdb --username="$POSTGRES_USER" --pwfile=...`; then
 * pg_setup_hba_conf appends `host all all all <password_encryption>`. `scratch` is a directory
 * for the password file initdb reads (the image uses a process substitution).
 */
export function initdbAsEntrypoint(env: Record<string, string>, serverArgs: string[], scratch: string): {
  password: string; initdb: RunResult; passwordEncryption: string;
} {
  const read = run(['cat', env.POSTGRES_PASSWORD_FILE], env);
  if (read.status !== 0) throw new Error(`the server user cannot read ${env.POSTGRES_PASSWORD_FILE}: ${read.stderr}`);
  const password = read.stdout.replace(/\n+$/, '');
  for (const argv of [['mkdir', '-p', env.PGDATA], ['chmod', '00700', env.PGDATA]]) {
    const result = run(argv, env);
    if (result.status !== 0) throw new Error(`${argv.join(' ')}: ${result.stderr}`);
  }
  const pwfile = path.join(scratch, 'pwfile');
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  chown(pwfile, pg().uid, pg().gid);
  const initdb = run(['initdb', `--username=${env.POSTGRES_USER}`, `--pwfile=${pwfile}`], env);
  fs.rmSync(pwfile);
  let passwordEncryption = '';
  if (initdb.status === 0) {
    passwordEncryption = run(['postgres', '-C', 'password_encryption', ...serverArgs], env).stdout.trim();
    fs.appendFileSync(path.join(env.PGDATA, 'pg_hba.conf'), `\nhost all all all ${passwordEncryption}\n`);
  }
  return { password, initdb, passwordEncryption };
}

/** docker_temp_server_start: the container's args + `-c listen_addresses='' -p "${PGPORT:-5432}"`, then waits for it. */
export async function startTemporaryServer(env: Record<string, string>, serverArgs: string[], socketDir: string, logFile: string): Promise<Server> {
  const server = await Server.start([...serverArgs, '-c', 'listen_addresses=', '-p', env.PGPORT,
    '-c', `unix_socket_directories=${socketDir}`], env, logFile);
  await waitFor(() => run(['pg_isready', `--host=${socketDir}`, `--username=${env.POSTGRES_USER}`, '--dbname=postgres'], env).status === 0,
    'the temporary server');
  return server;
}

/**
 * docker_setup_db, with the entrypoint's own quoting (`:'db'`, `:"db"`): creates POSTGRES_DB
 * unless it exists. Returns whether it existed.
 */
export function setupDbAsEntrypoint(env: Record<string, string>, socketDir: string, password: string): { existed: boolean } {
  const sql = ['psql', '-v', 'ON_ERROR_STOP=1', '--username', env.POSTGRES_USER, '--no-password', '--no-psqlrc', '--dbname', 'postgres', '--set', `db=${env.POSTGRES_DB}`];
  const socketEnv = { ...env, PGHOST: socketDir, PGPASSWORD: password };
  const exists = run([...sql, '--tuples-only'], socketEnv, "SELECT 1 FROM pg_database WHERE datname = :'db' ;\n");
  if (exists.status !== 0) throw new Error(`looking up ${env.POSTGRES_DB}: ${exists.stderr}`);
  const existed = exists.stdout.trim() !== '';
  if (!existed) {
    const created = run(sql, socketEnv, 'CREATE DATABASE :"db" ;\n');
    if (created.status !== 0) throw new Error(`CREATE DATABASE: ${created.stderr}`);
  }
  return { existed };
}

/**
 * docker_process_init_files /docker-entrypoint-initdb.d/*: each `*.sql`, in name order, through
 * psql with ON_ERROR_STOP against POSTGRES_DB. Returns each file's result.
 */
export function initFilesAsEntrypoint(
  env: Record<string, string>, dir: string, socketDir: string, password: string,
): Array<{ file: string } & RunResult> {
  const socketEnv = { ...env, PGHOST: socketDir, PGPASSWORD: password };
  return fs.readdirSync(dir).sort().filter(f => f.endsWith('.sql')).map(file => ({
    file,
    ...run(['psql', '-v', 'ON_ERROR_STOP=1', '--username', env.POSTGRES_USER, '--no-password', '--no-psqlrc',
      '--dbname', env.POSTGRES_DB, '-f', path.join(dir, file)], socketEnv),
  }));
}
