/**
 * The `Redis` construct's rendering run against a real `redis-server`: the container's command,
 * env and probes are taken from the synthesized StatefulSet (not from `renderRedis()`), and pods 0
 * and 1 run as local processes, as test/private/engines-redis.test.ts does for the engine module.
 *
 * What the kubelet would do is emulated: HOSTNAME is the pod name, the env's `secretKeyRef` is
 * resolved from the synthesized Secret, the container's mounts (`/etc/redis`, `/data`) are
 * temporary directories (their paths substituted in the rendered scripts), `REDIS_PRIMARY_HOST`
 * (rendered as pod 0's DNS name) points at pod 0's loopback address, and the container args
 * (`"$@"`) bind each pod to its own address. Both pods listen on the rendered port, 6379.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DataStoreCredentials } from '../../src/connection/data-store';
import { ProbeJson } from '../../src/engines/private/common';
import { Redis } from '../../src/engines/redis';
import { findOne, synthValid } from '../util/harness';
import { PodNetwork } from '../util/pod-network';
import { canListen, cli, containerEnv, info, requireRedis, runProbe, stop, waitFor } from '../util/redis-server';

// spaces, quotes, a backslash, shell and config comment characters
const PASSWORD = 'news "manager" \\ $HOME #secret';
const ADDRESSES = ['127.0.0.42', '127.0.0.43'];
const PORT = 6379;

const children: ChildProcess[] = [];
const tmpDirs: string[] = [];

afterAll(async () => {
  await Promise.all(children.map(stop));
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

interface Pod {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly env: NodeJS.ProcessEnv;
  readonly configDir: string;
  readonly probes: ProbeJson[];
  readonly process: ChildProcess;
  output(): string;
}

describe('Redis construct: the synthesized StatefulSet runs a primary and a replica with the password in effect', () => {
  let redis: Redis;
  let sts: any;
  let container: any;
  let primary: Pod;
  let replica: Pod;

  beforeAll(async () => {
    requireRedis();
    for (const a of ADDRESSES) {
      if (!await canListen(a, PORT)) throw new Error(`${a}:${PORT} is in use: the test needs it free`);
    }
    const chart = new Chart(Testing.app(), 'test', { namespace: 'news' });
    const secret = new kplus.Secret(chart, 'auth', { metadata: { name: 'news-redis-auth' }, stringData: { password: PASSWORD } });
    redis = new Redis(chart, 'redis', {
      metadata: { name: 'news-redis' },
      readReplicas: 1,
      password: DataStoreCredentials.fromPasswordSecret(secret),
    });
    const manifests = synthValid(chart);
    sts = findOne(manifests, 'StatefulSet', 'news-redis');
    container = sts.spec.template.spec.containers.find((c: any) => c.name === 'redis');
    const secrets = { 'news-redis-auth/password': findOne(manifests, 'Secret', 'news-redis-auth').stringData.password };

    const root = mkdtempSync(join(tmpdir(), 'redis-construct-'));
    tmpDirs.push(root);
    const start = (ordinal: number, address: string): Pod => {
      const name = `${sts.metadata.name}-${ordinal}`;
      // the kubelet's mounts: each mount path of the container becomes a directory of this pod
      const mounts: Array<[string, string]> = container.volumeMounts.map((m: any) => {
        const dir = join(root, name, m.name);
        mkdirSync(dir, { recursive: true });
        return [m.mountPath, dir];
      });
      // one pass, so a substituted directory (under /tmp) is not substituted again
      const pattern = new RegExp(mounts.map(([path]) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
      const mounted = (s: string) => s.replace(pattern, path => mounts.find(([p]) => p === path)![1]);
      const env = containerEnv(container.env, secrets, { HOSTNAME: name, REDIS_PRIMARY_HOST: ADDRESSES[0] });
      const [cmd, ...args] = container.command.map(mounted);
      const child = spawn(cmd, [...args, '--bind', address], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let output = '';
      child.stdout!.on('data', d => output += d);
      child.stderr!.on('data', d => output += d);
      const probes = [container.startupProbe, container.livenessProbe, container.readinessProbe]
        .map((p: any) => ({ ...p, exec: { command: p.exec.command.map(mounted) } }));
      return { name, address, port: PORT, env, configDir: mounts.find(([p]) => p === '/etc/redis')![1], probes, process: child, output: () => output };
    };
    primary = start(0, ADDRESSES[0]);
    replica = start(1, ADDRESSES[1]);
    for (const pod of [primary, replica]) {
      await waitFor(`${pod.name} to answer PING (output: ${pod.output()})`, () => cli(pod, ['ping'], PASSWORD) === 'PONG' || undefined);
    }
  }, 30000);

  test('the rendered StatefulSet: two pods, the password only as a reference to the Secret', () => {
    expect(sts.spec.replicas).toBe(2);
    expect(container.env).toEqual([
      { name: 'REDIS_PRIMARY_HOST', value: redis.primaryEndpoint!.hostname },
      { name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: 'news-redis-auth', key: 'password' } } },
    ]);
    expect(redis.primaryEndpoint!.hostname).toBe('news-redis-0.news-redis.news.svc.cluster.local');
    expect(JSON.stringify(sts)).not.toContain('#secret');
  });

  test('requirepass: without the password, no service', () => {
    expect(cli(primary, ['ping'])).toMatch(/^NOAUTH/);
    expect(cli(replica, ['ping'])).toMatch(/^NOAUTH/);
    expect(cli(primary, ['ping'], 'wrong')).toMatch(/^(NOAUTH|WRONGPASS)/);
  });

  test('masterauth: pod 1 replicates pod 0; a key written to the primary is read from the replica', async () => {
    await waitFor('the replica\'s link to come up', () => info(replica, 'replication', PASSWORD).master_link_status === 'up' || undefined);
    expect(info(primary, 'replication', PASSWORD)).toMatchObject({ role: 'master', connected_slaves: '1' });
    expect(info(replica, 'replication', PASSWORD)).toMatchObject({ role: 'slave', master_host: ADDRESSES[0], master_port: String(PORT) });
    expect(cli(primary, ['set', 'headline', 'hello'], PASSWORD)).toBe('OK');
    await waitFor('the key on the replica', () => cli(replica, ['get', 'headline'], PASSWORD) === 'hello' || undefined);
    expect(cli(replica, ['set', 'x', '1'], PASSWORD)).toMatch(/^READONLY/);
  });

  test('maxmemory, eviction policy and append-only persistence as rendered', () => {
    expect(cli(primary, ['config', 'get', 'maxmemory'], PASSWORD)).toBe(`maxmemory\n${redis.maxMemoryBytes}`);
    expect(cli(primary, ['config', 'get', 'maxmemory-policy'], PASSWORD)).toBe('maxmemory-policy\nnoeviction');
    expect(info(primary, 'persistence', PASSWORD).aof_enabled).toBe('1');
  });

  test('the config file holds the password escaped, and no command line holds it', () => {
    const conf = readFileSync(join(primary.configDir, 'redis.conf'), 'utf8');
    expect(conf).toMatch(/^requirepass "(\\x[0-9a-f]{2})+"$/m);
    expect(conf).not.toContain('#secret');
    for (const pod of [primary, replica]) expect(readFileSync(`/proc/${pod.process.pid}/cmdline`, 'utf8')).not.toContain('#secret');
  });

  test('the rendered probes pass on both pods with REDISCLI_AUTH from the Secret, and fail without it', async () => {
    await waitFor('the replica\'s link to come up', () => info(replica, 'replication', PASSWORD).master_link_status === 'up' || undefined);
    for (const pod of [primary, replica]) {
      for (const probe of pod.probes) {
        expect({ pod: pod.name, ...runProbe(probe, pod.env) }).toEqual({ pod: pod.name, ok: true, output: '' });
        const { REDISCLI_AUTH: _, ...withoutPassword } = pod.env;
        expect(runProbe(probe, withoutPassword).ok).toBe(false);
      }
    }
  });
});

describe('Redis construct: a replica started before its primary\'s name resolves retries by itself (pods on one machine)', () => {
  let net: PodNetwork;
  const local: ChildProcess[] = [];
  const dirs: string[] = [];

  afterAll(async () => {
    await Promise.all(local.map(stop));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    net?.dispose();
  });

  test('the replica starts, reports the primary unreachable, and links up once the name is published: no wait needed', async () => {
    requireRedis();
    net = new PodNetwork();
    const chart = new Chart(Testing.app(), 'test', { namespace: 'news' });
    const secret = new kplus.Secret(chart, 'auth', { metadata: { name: 'news-redis-auth' }, stringData: { password: PASSWORD } });
    const redis = new Redis(chart, 'redis', { metadata: { name: 'news-redis' }, readReplicas: 1, password: DataStoreCredentials.fromPasswordSecret(secret) });
    const manifests = synthValid(chart);
    const sts = findOne(manifests, 'StatefulSet', 'news-redis');
    const container = sts.spec.template.spec.containers.find((c: any) => c.name === 'redis');
    const secrets = { 'news-redis-auth/password': PASSWORD };
    const primaryName = redis.primaryEndpoint!.hostname;
    const root = mkdtempSync(join(tmpdir(), 'redis-late-dns-'));
    dirs.push(root);

    // the primary's pod exists, but its DNS record is not published yet
    const pods = [net.addPod(), net.addPod(redis.workload.podDnsName(1))];
    const start = (ordinal: number) => {
      const name = `news-redis-${ordinal}`;
      const mounts: Array<[string, string]> = container.volumeMounts.map((m: any) => {
        const dir = join(root, name, m.name);
        mkdirSync(dir, { recursive: true });
        return [m.mountPath, dir];
      });
      const pattern = new RegExp(mounts.map(([path]) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
      const mounted = (s: string) => s.replace(pattern, path => mounts.find(([p]) => p === path)![1]);
      // the rendered env as it is: REDIS_PRIMARY_HOST is the primary's DNS name
      const env = containerEnv(container.env, secrets, { HOSTNAME: name });
      const child = net.spawn([...container.command.map(mounted), '--bind', pods[ordinal].address], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      local.push(child);
      let output = '';
      child.stdout!.on('data', d => output += d);
      child.stderr!.on('data', d => output += d);
      return { address: pods[ordinal].address, port: PORT, output: () => output, process: child };
    };
    const primary = start(0);
    const replica = start(1);
    for (const pod of [primary, replica]) {
      await waitFor(`${pod.address} to answer PING (output: ${pod.output()})`, () => cli(pod, ['ping'], PASSWORD) === 'PONG' || undefined);
    }
    expect(container.env).toContainEqual({ name: 'REDIS_PRIMARY_HOST', value: primaryName });

    // the replica runs without its primary: no exit, the link down, retries logged
    await waitFor('the replica to report its primary unreachable', () => /Unable to connect to MASTER|Error condition on socket for SYNC/.test(replica.output()) || undefined);
    expect(replica.process.exitCode).toBeNull();
    expect(info(replica, 'replication', PASSWORD)).toMatchObject({ role: 'slave', master_host: primaryName, master_link_status: 'down' });

    // WHEN the endpoints controller publishes the primary's record
    net.alias(pods[0], primaryName);

    // THEN the replica links up by itself
    await waitFor('the replica\'s link to come up', () => info(replica, 'replication', PASSWORD).master_link_status === 'up' || undefined, 20_000);
    expect(cli(primary, ['set', 'late', 'dns'], PASSWORD)).toBe('OK');
    await waitFor('the key on the replica', () => cli(replica, ['get', 'late'], PASSWORD) === 'dns' || undefined);
  }, 60_000);
});
