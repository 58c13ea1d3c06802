/**
 * The upgrade guard's Redis and Valkey rule against real servers: Debian's valkey-server 8.0 (it
 * writes RDB 11) and redis-server 7.0 (it reads up to RDB 10), the one pair of a newer and an
 * older data format on this machine. A `Valkey` on 8.0 moved to a `Redis` on 7.0 is a move to a
 * release that cannot read the data: the finding, what it says the server does, and its way out
 * run as printed.
 *
 * From synthesized manifests only: each pod runs its StatefulSet's rendered command and env (the
 * Secret resolved, HOSTNAME the pod name, the mount paths as directories of the test, substituted
 * in the rendered scripts as valkey-real.test.ts does), bound to its own loopback address of a
 * `PodNetwork`. The way out's two commands are the finding's (`kubectl exec ... -- sh -c '<script>'`
 * piped into `kubectl exec -i ... -- <cli> --pipe`), run in each pod's env with its mounts.
 */
import { ChildProcess, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DataStoreCredentials } from '../../../src/connection/data-store';
import { Redis, RedisVersion } from '../../../src/engines/redis';
import { Valkey, ValkeyVersion } from '../../../src/engines/valkey';
import { UpgradeFinding, UpgradeFindingSeverity, UpgradeGuard } from '../../../src/gitops/upgrade-guard';
import { findOne, synthValid } from '../../util/harness';
import { PodNetwork } from '../../util/pod-network';
import { cli, containerEnv, requireRedis, requireValkey, stop, waitFor } from '../../util/redis-server';

jest.setTimeout(60_000);

const PASSWORD = 'cache "of" \\ $HOME #secret';

/** `kubectl [-n ns] exec <pod> -c <c> -- sh -c '<script>' | kubectl [-n ns] exec -i <pod> -c <c> -- <command>`: the way out's copy. */
const COPY = /kubectl (?:-n \S+ )?exec (\S+) -c (\S+) -- sh -c '([^']*)' \| kubectl (?:-n \S+ )?exec -i (\S+) -c (\S+) -- ((?:redis|valkey)-cli[^()]*?--pipe)/;

/** A chart in `news` with the password Secret and `build`'s store. */
function render(build: (c: Chart, password: DataStoreCredentials) => void): any[] {
  const chart = new Chart(Testing.app(), 'news', { namespace: 'news' });
  const secret = new kplus.Secret(chart, 'auth', { metadata: { name: 'cache-auth' }, stringData: { password: PASSWORD } });
  build(chart, DataStoreCredentials.fromPasswordSecret(secret));
  return synthValid(chart);
}

interface Pod {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly env: NodeJS.ProcessEnv;
  readonly dataDir: string;
  /** A rendered path or script with the container's mount paths as this pod's directories. */
  readonly mounted: (s: string) => string;
  readonly process: ChildProcess;
  output(): string;
  exited(): boolean;
}

describe('Valkey 8.0 -> Redis 7.0: the finding, and its way out run on real servers', () => {
  const children: ChildProcess[] = [];
  let net: PodNetwork;
  let root: string;
  let finding: UpgradeFinding;
  let copy: RegExpExecArray;
  let before: any[];
  let after: any[];
  let next: any[];

  /** Starts pod `<sts>-0` of `manifests` on `dataDir` (the claim), as the kubelet would. */
  const start = (manifests: any[], sts: string, podDir: string, dataDir: string): Pod => {
    const statefulSet = findOne(manifests, 'StatefulSet', sts);
    const container = statefulSet.spec.template.spec.containers[0];
    const name = `${sts}-0`;
    const claim = statefulSet.spec.volumeClaimTemplates[0].metadata.name;
    const mounts: Array<[string, string]> = container.volumeMounts.map((m: any) => {
      const dir = m.name === claim ? dataDir : join(podDir, m.name);
      mkdirSync(dir, { recursive: true });
      return [m.mountPath, dir];
    });
    const pattern = new RegExp(mounts.map(([p]) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
    const mounted = (s: string) => s.replace(pattern, p => mounts.find(([m]) => m === p)![1]);
    const secrets = { 'cache-auth/password': PASSWORD };
    const env = containerEnv(container.env, secrets, { HOSTNAME: name });
    const pod = net.addPod(name);
    // the rendered port on the pod's own address
    const port = container.ports[0].containerPort;
    const child = net.spawn([...container.command.map(mounted), '--bind', pod.address], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout!.on('data', d => output += d);
    child.stderr!.on('data', d => output += d);
    return {
      name,
      address: pod.address,
      port,
      env,
      dataDir,
      mounted,
      process: child,
      output: () => output,
      exited: () => child.exitCode !== null || child.signalCode !== null,
    };
  };
  const ready = (pod: Pod, bin: 'redis-cli' | 'valkey-cli') => waitFor(`${pod.name} to answer PING (output: ${pod.output()})`,
    () => cli(pod, ['ping'], PASSWORD, bin) === 'PONG' || undefined, 15_000);
  /** `kubectl exec <pod> -- sh -c <script>`: the script with the pod's mounts and env. */
  const exec = (pod: Pod, argv: string[], input?: string) => spawnSync(argv[0], argv.slice(1).map(pod.mounted),
    { env: pod.env, input, encoding: 'utf8', timeout: 30_000 });

  beforeAll(async () => {
    requireValkey();
    requireRedis();
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    // GIVEN the store on Valkey 8.0, and the pull request that moves it to Redis 7.0: the guard's finding
    const props = { metadata: { name: 'cache' }, readReplicas: 0 };
    before = render((c, password) => new Valkey(c, 'cache', { ...props, password, version: ValkeyVersion.V8_0 }));
    // eslint-disable-next-line import/no-deprecated
    after = render((c, password) => new Redis(c, 'cache', { ...props, password, version: RedisVersion.V7_0 }));
    const findings = UpgradeGuard.compare(before, after);
    expect(findings).toHaveLength(1);
    finding = findings[0];
    copy = COPY.exec(finding.wayOut)!;
    expect(copy).not.toBeNull();
    // the new store as the way out says: Redis 7.0 under the name of the target pod's StatefulSet
    const store = copy[4].replace(/-0$/, '');
    // eslint-disable-next-line import/no-deprecated
    next = render((c, password) => new Redis(c, 'cache', { metadata: { name: store }, readReplicas: 0, password, version: RedisVersion.V7_0 }));

    net = new PodNetwork();
    root = mkdtempSync(join(tmpdir(), 'engine-upgrade-redis-'));
    for (const dir of ['cache', store]) mkdirSync(join(root, dir));
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await Promise.all(children.map(stop));
    if (root) rmSync(root, { recursive: true, force: true });
    net?.dispose();
  });

  test('the finding: refused, with the server\'s own refusal', () => {
    expect(finding).toMatchObject({
      severity: UpgradeFindingSeverity.REFUSED,
      objectName: 'cache',
      field: 'spec.template.spec.containers[name=redis].image',
      oldValue: `docker.io/valkey/valkey:${ValkeyVersion.V8_0.tag}`,
    });
    expect(finding.message).toMatch(/Valkey 8\.0 writes RDB 11, Redis 7\.0 reads up to RDB 10, and refuses it at start: "Can't handle RDB format version 11"/);
    expect([copy[1], copy[2], copy[4], copy[5]]).toEqual(['cache-0', 'valkey', 'cache-7-0-0', 'redis']);
  });

  test('what the finding says: Redis 7.0 does not start on the claim Valkey 8.0 wrote, and Valkey does', async () => {
    // GIVEN Valkey on the claim, with data in its append-only file (base rewritten: an RDB preamble)
    const data = join(root, 'cache', 'data');
    const valkey = start(before, 'cache', join(root, 'cache', 'valkey'), data);
    await ready(valkey, 'valkey-cli');
    expect(cli(valkey, ['set', 'headline', 'hello'], PASSWORD, 'valkey-cli')).toBe('OK');
    expect(cli(valkey, ['bgrewriteaof'], PASSWORD, 'valkey-cli')).toMatch(/rewriting/);
    await waitFor('the rewrite', () => cli(valkey, ['info', 'persistence'], PASSWORD, 'valkey-cli').includes('aof_rewrite_in_progress:0') || undefined);
    await stop(valkey.process);
    expect(readdirSync(join(data, 'appendonlydir')).filter(f => f.endsWith('.base.rdb'))).toHaveLength(1);

    // WHEN the pod restarts on Redis 7.0, on the same claim
    const redis = start(after, 'cache', join(root, 'cache', 'redis'), data);
    await waitFor(`Redis 7.0 to exit (output: ${redis.output()})`, () => redis.exited() || undefined, 15_000);

    // THEN it refuses the data as the finding quotes, and exits
    const quoted = /refuses it at start: "([^"]+)"/.exec(finding.message)![1];
    expect(redis.output()).toContain(quoted);
    expect(redis.process.exitCode).not.toBe(0);

    // and the version the way out keeps starts on it with the data
    const again = start(before, 'cache', join(root, 'cache', 'valkey'), data);
    await ready(again, 'valkey-cli');
    expect(cli(again, ['get', 'headline'], PASSWORD, 'valkey-cli')).toBe('hello');
    await stop(again.process);
  });

  test('the way out: a new Redis 7.0 store gets the data as commands, from the rendered copy', async () => {
    // GIVEN the kept Valkey with the application's data, and the new store on Redis 7.0 (empty claim)
    const source = start(before, 'cache', join(root, 'cache', 'valkey'), join(root, 'cache', 'data'));
    const store = copy[4].replace(/-0$/, '');
    const target = start(next, store, join(root, store, 'redis'), join(root, store, 'data'));
    await ready(source, 'valkey-cli');
    await ready(target, 'redis-cli');
    const v = (...args: string[]) => cli(source, args, PASSWORD, 'valkey-cli');
    v('hset', 'user:1', 'name', 'Ada', 'email', 'ada@example.com');
    v('rpush', 'queue', 'a', 'b', 'c');
    v('sadd', 'tags', 'x', 'y');
    v('zadd', 'scores', '1', 'one', '2', 'two');
    v('set', 'session', 'token', 'EX', '3600');
    v('set', 'binary', 'line 1\r\nline 2 "quoted" \\ $HOME');
    expect(v('dbsize')).toBe('7');

    // WHEN the writers are stopped (nothing writes here) and the copy runs as printed
    const dump = exec(source, ['sh', '-c', copy[3]]);
    expect({ status: dump.status, stderr: dump.stderr }).toEqual({ status: 0, stderr: '' });
    const replay = exec(target, copy[6].split(' '), dump.stdout);

    // THEN every key is in the new store, with its type, value and time to live
    expect(replay.status).toBe(0);
    expect(replay.stdout).toMatch(/errors: 0, replies: \d+/);
    const r = (...args: string[]) => cli(target, args, PASSWORD, 'redis-cli');
    expect(r('dbsize')).toBe('7');
    expect(r('hget', 'user:1', 'email')).toBe('ada@example.com');
    expect(r('lrange', 'queue', '0', '-1')).toBe('a\nb\nc');
    expect(r('smembers', 'tags').split('\n').sort()).toEqual(['x', 'y']);
    expect(r('zrange', 'scores', '0', '-1', 'withscores')).toBe('one\n1\ntwo\n2');
    expect(Number(r('ttl', 'session'))).toBeGreaterThan(3500);
    expect(r('get', 'binary')).toBe(v('get', 'binary'));
    expect(r('get', 'headline')).toBe('hello');
    // the new store's append-only file is its own (Redis 7.0, RDB 10 when it rewrites), the old store untouched
    expect(existsSync(join(root, store, 'data', 'appendonlydir'))).toBe(true);
    expect(v('dbsize')).toBe('7');
  });
});
