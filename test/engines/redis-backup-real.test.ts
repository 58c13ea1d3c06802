/**
 * The backups and restores of the Redis-compatible presets (`Redis`, and `Valkey` on the same
 * base) run against real servers (Debian's redis-server 7.0 and valkey-server 8.0), with
 * append-only persistence on, as the presets render it: the primary and a replica run the
 * synthesized StatefulSet's command (as test/engines/redis-real.test.ts does), the backup
 * CronJob's and the restore Job's command and environment are taken from the synthesized objects
 * and run as their pods would (test/util/job-pod.ts). Every pod has its own loopback address and
 * DNS names (test/util/pod-network.ts): the backup reaches the replica by its pod DNS name, the
 * restore the primary, and the primary the restore pod by its IP (`status.podIP`).
 *
 * First, what the server does with a dump copied into its data directory (FACTS.md): nothing, with
 * an append-only file; then the round trip: keys written, the rendered backup (from the replica),
 * the keys lost, the rendered restore, the keys read back, and still there after the primary
 * restarts from its append-only file alone.
 */
import { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DataStoreCredentials } from '../../src/connection/data-store';
import { Redis, RedisCompatibleBase, RedisCompatibleProps } from '../../src/engines/redis';
import { Valkey } from '../../src/engines/valkey';
import { allWarnings } from '../../src/private/warnings';
import { findOne, synthValid } from '../util/harness';
import { claimDir, jobPod, JobPod, osUser, runPod, RunResult } from '../util/job-pod';
import { PodNetwork, TestPod } from '../util/pod-network';
import { requireRedis, stop, waitFor } from '../util/redis-server';

jest.setTimeout(120_000);

const NAMESPACE = 'news';
// spaces, quotes, a backslash, shell and config comment characters
const PASSWORD = 'news "manager" \\ $HOME #secret';
const PORT = 6379;

/** Redis, and Valkey on the same base: the same hook, the flavor's binaries. */
interface Flavor {
  readonly flavor: 'redis' | 'valkey';
  readonly preset: (scope: Chart, id: string, props: RedisCompatibleProps) => RedisCompatibleBase;
  /** The OS user the Jobs run as (the images' uid 999 is the `redis` or `valkey` user). */
  readonly user: string;
  readonly cli: string;
}

const FLAVORS: Flavor[] = [
  { flavor: 'redis', preset: (scope, id, props) => new Redis(scope, id, props), user: 'redis', cli: 'redis-cli' },
  { flavor: 'valkey', preset: (scope, id, props) => new Valkey(scope, id, props), user: 'valkey', cli: 'valkey-cli' },
];

function build(f: Flavor, restore?: { dump: string; replaceExisting?: boolean }): any[] {
  const chart = new Chart(Testing.app(), 'test', { namespace: NAMESPACE });
  const secret = new kplus.Secret(chart, 'auth', { metadata: { name: 'news-redis-auth' }, stringData: { password: PASSWORD } });
  const redis = f.preset(chart, 'redis', {
    metadata: { name: 'news-redis' },
    readReplicas: 1,
    password: DataStoreCredentials.fromPasswordSecret(secret),
  });
  const backup = redis.addBackup('hourly', { schedule: Cron.hourly(), retain: 3 });
  if (restore) redis.addRestore('restore', { backup, ...restore });
  return synthValid(chart);
}

interface ServerPod {
  readonly pod: TestPod;
  readonly name: string;
  readonly data: string;
  process?: ChildProcess;
  output: string;
}

describe.each(FLAVORS)('$flavor backups and restores on real servers with append-only persistence', f => {
  const user = osUser(f.user);
  let net: PodNetwork;
  let root: string;
  let claim: string;
  let manifests: any[];
  let primary: ServerPod;
  let replica: ServerPod;
  let restorePodAddress: TestPod;
  const dumps: string[] = [];

  /** redis-cli against a pod, with the password, through the pod network. */
  const cli = (server: ServerPod, ...args: string[]): string => {
    const r = net.run(['env', `REDISCLI_AUTH=${PASSWORD}`, f.cli, '-h', server.pod.address, '-p', String(PORT), ...args], { timeout: 10_000 });
    return `${r.stdout}${r.stderr}`.replace(/\r/g, '').trim();
  };
  const keys = (server: ServerPod) => cli(server, 'keys', '*').split('\n').sort();

  /** Starts a pod of the StatefulSet with the rendered command, its claim a directory of its own. */
  const start = async (server: ServerPod, rendered = manifests, statefulSet = 'news-redis'): Promise<void> => {
    const sts = findOne(rendered, 'StatefulSet', statefulSet);
    const container = sts.spec.template.spec.containers.find((c: any) => c.name === f.flavor);
    const config = path.join(root, server.name, 'config');
    fs.mkdirSync(config, { recursive: true });
    fs.mkdirSync(server.data, { recursive: true });
    const mounts: Record<string, string> = { [`/etc/${f.flavor}`]: config, '/data': server.data };
    const mounted = (s: string) => s.replace(new RegExp(`/etc/${f.flavor}|/data\\b`, 'g'), p => mounts[p]);
    const env = [`HOSTNAME=${server.name}`, `PATH=${process.env.PATH}`];
    for (const e of container.env) env.push(`${e.name}=${e.value ?? PASSWORD}`);
    const [cmd, ...args] = container.command.map(mounted);
    server.output = '';
    server.process = net.spawn(['env', '-i', ...env, cmd, ...args, '--bind', server.pod.address], { stdio: ['ignore', 'pipe', 'pipe'] });
    server.process.stdout!.on('data', d => server.output += d);
    server.process.stderr!.on('data', d => server.output += d);
    await waitFor(`${server.name} to answer (output: ${server.output})`, () => cli(server, 'ping') === 'PONG' || undefined);
  };
  const synced = () => waitFor('the replica in sync', () => /master_link_status:up/.test(cli(replica, 'info', 'replication')) || undefined, 20_000);

  const backupPod = (rendered = manifests, cronJob = 'news-redis-hourly'): JobPod => jobPod(rendered, 'CronJob', cronJob, {
    namespace: NAMESPACE, claims: { [`${cronJob}-backups`]: claim }, scratch: root, user,
  });
  const backup = async (): Promise<RunResult & { dump?: string }> => {
    await new Promise(r => setTimeout(r, 1100));
    const dir = path.join(claim, 'news-redis-hourly');
    const before = new Set(fs.existsSync(dir) ? fs.readdirSync(dir) : []);
    const result = runPod(net, backupPod(), user);
    const added = fs.existsSync(dir) ? fs.readdirSync(dir).filter(n => !before.has(n) && !n.startsWith('.')) : [];
    if (added[0]) dumps.push(added[0]);
    return { ...result, dump: added[0] };
  };
  const restore = (dump: string, replaceExisting?: boolean): RunResult => {
    const rendered = build(f, { dump, replaceExisting });
    const job = rendered.find(m => m.kind === 'Job' && m.metadata.name.startsWith(`news-redis-restore-${dump.toLowerCase()}-`));
    const pod = jobPod(rendered, 'Job', job.metadata.name, {
      namespace: NAMESPACE, podIP: restorePodAddress.address, claims: { 'news-redis-hourly-backups': claim }, scratch: root, user,
    });
    return runPod(net, pod, user);
  };

  beforeAll(async () => {
    requireRedis();
    manifests = build(f);
    net = new PodNetwork();
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `cdk8s-stateful-${f.flavor}-backup-`)));
    fs.chmodSync(root, 0o755);
    claim = claimDir(path.join(root, 'claim'), user);
    const headless = 'news-redis.news.svc.cluster.local';
    primary = { pod: net.addPod(`news-redis-0.${headless}`), name: 'news-redis-0', data: path.join(root, 'news-redis-0', 'data'), output: '' };
    replica = { pod: net.addPod(`news-redis-1.${headless}`), name: 'news-redis-1', data: path.join(root, 'news-redis-1', 'data'), output: '' };
    restorePodAddress = net.addPod();
    await start(primary);
    await start(replica);
    await synced();
  });

  afterAll(async () => {
    for (const server of [primary, replica]) if (server?.process) await stop(server.process);
    net?.dispose();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  test('the rendered Jobs: the server\'s image, uid 999, REDISCLI_AUTH from the Secret as the server\'s own pods', () => {
    const rendered = build(f, { dump: '20250301T023000Z' });
    const sts = findOne(rendered, 'StatefulSet', 'news-redis').spec.template.spec.containers[0];
    for (const o of [findOne(rendered, 'CronJob', 'news-redis-hourly'), rendered.find(m => m.kind === 'Job')]) {
      const spec = o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec;
      const c = spec.containers[0];
      expect(c.image).toBe(sts.image);
      expect(c.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, runAsNonRoot: true });
      expect(c.env).toContainEqual(sts.env.find((e: any) => e.name === 'REDISCLI_AUTH'));
      expect(JSON.stringify(o)).not.toContain('#secret');
    }
  });

  test('FACTS: a dump copied into the data directory of an append-only server is not loaded', async () => {
    cli(primary, 'set', 'fact', 'kept');
    await synced();
    const result = await backup();
    expect(result.status).toBe(0);
    const dumpFile = path.join(claim, 'news-redis-hourly', result.dump!, 'dump.rdb');
    // a third server, append-only as rendered, whose data directory holds only the dump
    const control: ServerPod = { pod: net.addPod('control-0'), name: 'control-0', data: path.join(root, 'control-0', 'data'), output: '' };
    fs.mkdirSync(control.data, { recursive: true });
    fs.copyFileSync(dumpFile, path.join(control.data, 'dump.rdb'));
    await start(control);
    try {
      expect(cli(control, 'dbsize')).toBe('0');
      expect(fs.existsSync(path.join(control.data, 'appendonlydir'))).toBe(true);
    } finally {
      await stop(control.process!);
    }
  });

  test('backup: from the replica, into the claim under its UTC time; the store is marked', async () => {
    cli(primary, 'flushall');
    cli(primary, 'set', 'headline', 'hello world');
    cli(primary, 'hset', 'article:1', 'title', 'Backups', 'body', 'you can restore');
    cli(primary, 'rpush', 'queue', 'a', 'b', 'c');
    cli(primary, 'set', 'session', 'x', 'EX', '3600');
    await synced();
    await waitFor('the keys on the replica', () => cli(replica, 'dbsize') === '4' || undefined);
    const result = await backup();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`backup: dumping news-redis-1.news-redis.news.svc.cluster.local:${PORT}`);
    expect(result.stdout).toContain('[info] 4 keys read');
    const dir = path.join(claim, 'news-redis-hourly', result.dump!);
    expect(fs.readdirSync(dir).sort()).toEqual(['backup.info', 'dump.rdb']);
    expect(fs.readFileSync(path.join(dir, 'backup.info'), 'utf8')).toBe(`engine=${f.flavor}\nstore=news/news-redis\ncreated=${result.dump}\n`);
    expect(fs.readFileSync(path.join(dir, 'dump.rdb')).subarray(0, 5).toString()).toBe('REDIS'); // Valkey 8 writes Redis's format
    expect(cli(primary, 'fcall_ro', 'cdk8s_stateful_store', '0')).toBe('news/news-redis');
    // the marker is no key: applications do not see it
    expect(cli(primary, 'dbsize')).toBe('4');
  });

  test('restore: a store that holds keys is refused without replaceExisting', () => {
    const result = restore(dumps[dumps.length - 1]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/restore: news\/news-redis holds keys \(db0:keys=4,.*\), and a restore never overwrites data: refusing. Set replaceExisting to replace them\n/);
  });

  test('restore: the keys lost, the rendered restore brings them back into the primary, the replica and the append-only file', async () => {
    const dump = dumps[dumps.length - 1];
    cli(primary, 'flushall');
    cli(primary, 'set', 'written-after-the-backup', '1');
    const result = restore(dump, true);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`restore: restored news/news-redis@${dump} into news/news-redis: db0:keys=4`);
    expect(keys(primary)).toEqual(['article:1', 'headline', 'queue', 'session']);
    expect(cli(primary, 'hget', 'article:1', 'body')).toBe('you can restore');
    expect(cli(primary, 'lrange', 'queue', '0', '-1')).toBe('a\nb\nc');
    expect(Number(cli(primary, 'ttl', 'session'))).toBeGreaterThan(3000);
    expect(cli(primary, 'info', 'replication')).toMatch(/role:master/);
    expect(cli(primary, 'fcall_ro', 'cdk8s_stateful_restore', '0')).toBe(`news/news-redis@${dump}`);
    expect(cli(primary, 'fcall_ro', 'cdk8s_stateful_store', '0')).toBe('news/news-redis');
    // writes are accepted again, and the replica follows
    expect(cli(primary, 'set', 'after-restore', 'yes')).toBe('OK');
    await synced();
    await waitFor('the replica to have the restored keys', () => cli(replica, 'get', 'after-restore') === 'yes' || undefined);
    expect(keys(replica)).toEqual(['after-restore', 'article:1', 'headline', 'queue', 'session']);
  });

  test('the restored keys survive a restart of the primary from its append-only file', async () => {
    await stop(primary.process!);
    // what the primary loads at start is its append-only file, and nothing else
    fs.rmSync(path.join(primary.data, 'dump.rdb'), { force: true });
    expect(fs.readdirSync(primary.data)).toEqual(['appendonlydir']);
    await start(primary);
    expect(keys(primary)).toEqual(['after-restore', 'article:1', 'headline', 'queue', 'session']);
    expect(cli(primary, 'fcall_ro', 'cdk8s_stateful_store', '0')).toBe('news/news-redis');
    await synced();
  });

  test('a restore run again (an Argo CD Sync hook) does nothing', () => {
    const dump = dumps[dumps.length - 1];
    const result = restore(dump, true);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).toContain(`restore: news/news-redis@${dump} is restored in news/news-redis already: nothing to do`);
    expect(cli(primary, 'get', 'after-restore')).toBe('yes');
  });

  test('a server marked as another store is refused by the restore and by the backup', async () => {
    const library = '#!lua name=cdk8s_stateful_store\nredis.register_function{function_name=\'cdk8s_stateful_store\', callback=function() return \'news/other-redis\' end, flags={\'no-writes\'}}';
    expect(cli(primary, 'function', 'load', 'replace', library)).toBe('cdk8s_stateful_store');
    try {
      const refused = restore(dumps[0], true);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain('is the store news/other-redis, not news/news-redis: refusing to restore into it');
      expect(cli(primary, 'get', 'after-restore')).toBe('yes');
      await synced();
      const backupRefused = await backup();
      expect(backupRefused.status).toBe(1);
      expect(backupRefused.stderr).toContain('is the store news/other-redis, not news/news-redis: refusing to file its dump under news/news-redis');
      expect(backupRefused.dump).toBeUndefined();
    } finally {
      cli(primary, 'function', 'delete', 'cdk8s_stateful_store');
    }
  });

  test('a backup with the replica stopped exits non-zero, and does not dump the primary instead', async () => {
    await stop(replica.process!);
    const kept = fs.readdirSync(path.join(claim, 'news-redis-hourly')).sort();
    const result = await backup();
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/backup: news-redis-1.news-redis.news.svc.cluster.local is not a replica in sync with its primary: .*Could not connect/);
    expect(result.stderr).toContain('backup: no replica is in sync with the primary; not dumping the primary instead, which would fork it');
    expect(result.stderr).toMatch(new RegExp(`backup: FAILED: the ${f.flavor} dump exited with 1; the backups kept so far are unchanged\n$`));
    expect(fs.readdirSync(path.join(claim, 'news-redis-hourly')).sort()).toEqual(kept);
  });

  test('a Redis without replicas is dumped from its primary (and warns); with the primary stopped, the backup exits non-zero', async () => {
    const chart = new Chart(Testing.app(), 'single', { namespace: NAMESPACE });
    const secret = new kplus.Secret(chart, 'auth', { metadata: { name: 'news-redis-auth' }, stringData: { password: PASSWORD } });
    const single = f.preset(chart, 'redis', { metadata: { name: 'news-single' }, readReplicas: 0, password: DataStoreCredentials.fromPasswordSecret(secret) });
    single.addBackup('hourly', { schedule: Cron.hourly() });
    const rendered = synthValid(chart);
    expect(allWarnings(chart)).toEqual([expect.stringContaining('[cdk8s-stateful:redis-backup-from-primary]')]);
    const server: ServerPod = { pod: net.addPod('news-single-0.news-single.news.svc.cluster.local'), name: 'news-single-0', data: path.join(root, 'news-single-0', 'data'), output: '' };
    await start(server, rendered, 'news-single');
    try {
      cli(server, 'set', 'only', 'one');
      const dir = path.join(claim, 'news-single-hourly');
      const result = runPod(net, backupPod(rendered, 'news-single-hourly'), user);
      expect(result).toMatchObject({ status: 0, stderr: '' });
      expect(result.stdout).toContain(`backup: dumping news-single-0.news-single.news.svc.cluster.local:${PORT}`);
      expect(result.stdout).toContain('[info] 1 keys read');
      const kept = fs.readdirSync(dir);
      expect(kept).toHaveLength(1);
      await stop(server.process!);
      await new Promise(r => setTimeout(r, 1100));
      const failed = runPod(net, backupPod(rendered, 'news-single-hourly'), user);
      expect(failed.status).toBe(1);
      expect(failed.stderr).toMatch(/Could not connect to (Redis|Valkey) at news-single-0.news-single.news.svc.cluster.local:6379/);
      expect(failed.stderr).toMatch(new RegExp(`backup: FAILED: the ${f.flavor} dump exited with 1; the backups kept so far are unchanged\n$`));
      expect(fs.readdirSync(dir)).toEqual(kept);
    } finally {
      await stop(server.process!);
    }
  });
});
