/**
 * Failover drills: a `Redis` (and a `Valkey`) with Sentinel, synthesized, run on real servers
 * (Debian's redis-server and redis-sentinel 7.0, valkey-server and valkey-sentinel 8.0; .ci/run
 * installs them). Three data pods and three sentinels run as local processes on a `PodNetwork`
 * (one loopback address per pod, the pods' DNS names in a hosts file of the test's own), each
 * started from the synthesized StatefulSets' command, env and probes (test/util/sts-pod.ts).
 *
 * Timing: the drills run with the rendered `sentinel.downAfter` of 3 seconds (a prop of the preset,
 * not an override), so a failover takes seconds; nothing else is changed from what is rendered.
 * (With 1 second, a primary promoted a moment ago and busy with two full syncs on a loaded
 * machine was declared down again and replaced: the flapping docs/failover.md warns about.)
 *
 * The client: what a Sentinel-aware client does (redis-py, ioredis, Jedis): ask a sentinel from
 * the list the connection hands out (`SENTINEL get-master-addr-by-name <master>`), connect to the
 * host it names, and check it is the master (`ROLE`).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chart, Cron, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DataStoreCredentials } from '../../src/connection/data-store';
import { Redis, RedisCompatibleBase } from '../../src/engines/redis';
import { Valkey } from '../../src/engines/valkey';
import { findOne, synthValid } from '../util/harness';
import { claimDir, jobPod, osUser, runPod } from '../util/job-pod';
import { PodNetwork } from '../util/pod-network';
import { canListen, RedisCli, requireRedis, requireValkey, waitFor } from '../util/redis-server';
import { StsPod } from '../util/sts-pod';

// spaces, quotes, a backslash, shell and config comment characters
const PASSWORD = 'news "sentinel" \\ $HOME #secret';
const NAMESPACE = 'news';

jest.setTimeout(120_000);

interface Flavor {
  readonly name: 'redis' | 'valkey';
  readonly cli: RedisCli;
  readonly require: () => void;
  readonly build: (chart: Chart, props: any) => RedisCompatibleBase;
}

const FLAVORS: Flavor[] = [
  { name: 'redis', cli: 'redis-cli', require: () => { requireRedis(); requireSentinel('redis'); }, build: (chart, props) => new Redis(chart, 'redis', props) },
  { name: 'valkey', cli: 'valkey-cli', require: () => { requireValkey(); requireSentinel('valkey'); }, build: (chart, props) => new Valkey(chart, 'valkey', props) },
];

/** The sentinel mode of the servers: Debian's redis-sentinel / valkey-sentinel packages (`--sentinel` of the same binary). */
function requireSentinel(flavor: string): void {
  if (spawnSync('sh', ['-c', `command -v ${flavor}-sentinel`]).status !== 0) {
    throw new Error(`${flavor}-sentinel not on PATH: the Sentinel drills run real sentinels. Install it `
      + `(Debian: apt-get install -y --no-install-recommends ${flavor === 'valkey' ? '-t bookworm-backports valkey-sentinel' : 'redis-sentinel'}; .ci/run does).`);
  }
}

describe.each(FLAVORS)('$name with Sentinel: failover drills on real servers', flavor => {
  let net: PodNetwork;
  let root: string;
  let data: StsPod[];
  let sentinels: StsPod[];

  let port: number;
  let sentinelPort: number;
  let manifests: any[];
  const master = `news-${flavor.name}`;

  /** The cli against an address, through the network's hosts file. */
  const cli = (host: string, p: number, args: string[], auth: string | null = PASSWORD): string => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
    if (auth !== null) env.REDISCLI_AUTH = auth;
    const r = net.run([flavor.cli, '-h', host, '-p', String(p), ...args], { env, timeout: 5000 });
    return `${r.stdout}${r.stderr}`.trim();
  };
  const redis = (pod: StsPod, args: string[]) => cli(pod.dnsName, port, args);
  const info = (pod: StsPod): Record<string, string> => Object.fromEntries(redis(pod, ['info', 'replication']).split(/\r?\n/)
    .filter(l => l.includes(':')).map(l => l.split(':', 2) as [string, string]));
  const byHost = (host: string) => data.find(p => p.dnsName === host)!;
  /** What a Sentinel-aware client does: ask the sentinels (in turn) where the master is. */
  const primaryFromSentinels = (): StsPod | undefined => {
    for (const s of sentinels.filter(x => x.running)) {
      const [host] = cli(s.dnsName, sentinelPort, ['sentinel', 'get-master-addr-by-name', master]).split('\n');
      const pod = data.find(p => p.dnsName === host);
      if (pod) return pod;
    }
    return undefined;
  };
  /** A write as a Sentinel-aware client makes it: to the master the sentinels name, once it says it is the master. */
  const write = (key: string, value: string): StsPod | undefined => {
    const pod = primaryFromSentinels();
    if (!pod || !pod.running || !redis(pod, ['role']).startsWith('master')) return undefined;
    return redis(pod, ['set', key, value]) === 'OK' ? pod : undefined;
  };
  const said = (pod: StsPod, text: string, timeoutMs = 10_000) =>
    waitFor(`"${text}" in the log of ${pod.name}:\n${pod.log}`, () => pod.log.includes(text) || undefined, timeoutMs);
  const replicaOf = async (pod: StsPod, primary: StsPod, timeoutMs = 30_000) => {
    let last: Record<string, string> = {};
    try {
      await waitFor(`${pod.name} to replicate ${primary.name}`, () => {
        const i = last = info(pod);
        return (i.role === 'slave' && i.master_host === primary.dnsName && i.master_link_status === 'up') || undefined;
      }, timeoutMs);
    } catch (e) {
      // what the pod and the sentinels said, to tell a slow machine from a wrong decision
      throw new Error(`${(e as Error).message}\nlast INFO replication of ${pod.name}: ${JSON.stringify(last)}\n`
        + `${pod.name}:\n${pod.log.slice(-3000)}\n${sentinels.map(s => `${s.name}:\n${s.log.slice(-3000)}`).join('\n')}`);
    }
  };

  beforeAll(async () => {
    flavor.require();
    const chart = new Chart(Testing.app(), 'test', { namespace: NAMESPACE });
    const secret = new kplus.Secret(chart, 'auth', { metadata: { name: `${master}-auth` }, stringData: { password: PASSWORD } });
    const store = flavor.build(chart, {
      metadata: { name: master },
      readReplicas: 2,
      password: DataStoreCredentials.fromPasswordSecret(secret),
      sentinel: { downAfter: Duration.seconds(3), failoverTimeout: Duration.seconds(10) },
    });
    store.addBackup('hourly', { schedule: Cron.hourly() });
    manifests = synthValid(chart);
    net = new PodNetwork();
    root = mkdtempSync(join(tmpdir(), `${flavor.name}-sentinel-`));
    // the backup Job's user reaches its claim under it
    chmodSync(root, 0o755);
    data = StsPod.all(manifests, master, flavor.name, net, join(root, 'data'));
    sentinels = StsPod.all(manifests, `${master}-sentinel`, 'sentinel', net, join(root, 'sentinel'));
    port = findOne(manifests, 'StatefulSet', master).spec.template.spec.containers[0].ports[0].containerPort;
    sentinelPort = findOne(manifests, 'StatefulSet', `${master}-sentinel`).spec.template.spec.containers[0].ports[0].containerPort;
    for (const pod of data) if (!await canListen(pod.address, port)) throw new Error(`${pod.address}:${port} is in use`);
    for (const pod of sentinels) if (!await canListen(pod.address, sentinelPort)) throw new Error(`${pod.address}:${sentinelPort} is in use`);
  });

  afterAll(async () => {
    await Promise.all([...data ?? [], ...sentinels ?? []].map(p => p.stop()));
    rmSync(root, { recursive: true, force: true });
    net?.dispose();
  });

  test('first boot: the replicas come up before the first pod; the sentinels name the first pod, the others replicate it', async () => {
    // the StatefulSets' Parallel policy starts every pod at once; on a loaded node the replicas may
    // run (empty, waiting for the first pod) before the first pod asks the sentinels: the worst order
    for (const pod of [...sentinels, ...data.slice(1)]) pod.start();
    for (const pod of data.slice(1)) await said(pod, `${flavor.name}: pod ${pod.name}: replica of ${data[0].dnsName}:${port}`, 30_000);
    data[0].start();
    await said(data[0], `${flavor.name}: pod ${data[0].name}: primary: first boot of ${master}`, 30_000);
    for (const pod of data.slice(1)) await replicaOf(pod, data[0]);
    expect(primaryFromSentinels()).toBe(data[0]);
    // the sentinels find the replicas and each other, by host name
    await waitFor('every sentinel to know both replicas and the two other sentinels', () => sentinels.every(s => {
      const fields = cli(s.dnsName, sentinelPort, ['sentinel', 'master', master]).split('\n');
      const field = (k: string) => fields[fields.indexOf(k) + 1];
      return field('num-slaves') === '2' && field('num-other-sentinels') === '2';
    }) || undefined, 30_000);
    const replicas = cli(sentinels[0].dnsName, sentinelPort, ['sentinel', 'replicas', master]);
    expect(replicas).toContain(data[1].dnsName);
    expect(replicas).toContain(data[2].dnsName);
    // the probes of every pod pass
    for (const pod of [...data, ...sentinels]) {
      for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'] as const) {
        expect({ pod: pod.name, probe, ...pod.probe(probe) }).toEqual({ pod: pod.name, probe, ok: true, output: '' });
      }
    }
    // the password is required on the sentinels too
    expect(cli(sentinels[0].dnsName, sentinelPort, ['ping'], null)).toMatch(/NOAUTH/);
  });

  test('the primary is killed: a replica is promoted within seconds, writes through Sentinel continue, and acknowledged writes are kept', async () => {
    const old = primaryFromSentinels()!;
    // acknowledged: the write is on both replicas (WAIT), as a client that must not lose it checks
    for (let i = 0; i < 50; i++) expect(redis(old, ['set', `before:${i}`, String(i)])).toBe('OK');
    expect(redis(old, ['wait', '2', '5000'])).toBe('2');

    const killed = Date.now();
    await old.kill();
    const promoted = await waitFor('a new primary named by the sentinels', () => {
      const p = primaryFromSentinels();
      return p && p !== old && redis(p, ['role']).startsWith('master') ? p : undefined;
    }, 30_000);
    const seconds = (Date.now() - killed) / 1000;
    // down-after (3 s), the vote and the promotion: bounded well below the failover timeout
    expect(seconds).toBeLessThan(20);
    await waitFor('a write through Sentinel', () => write('after', 'failover'), 15_000);
    for (let i = 0; i < 50; i++) expect(redis(promoted, ['get', `before:${i}`])).toBe(String(i));
    const other = data.find(p => p !== old && p !== promoted)!;
    await replicaOf(other, promoted);
    expect(redis(other, ['get', 'after'])).toBe('failover');
  });

  test('the old primary restarts with its old data: it comes back as a replica of the new primary, never as a second primary', async () => {
    const current = primaryFromSentinels()!;
    const old = data.find(p => !p.running)!;
    expect(readdirSync(old.dir('/data'))).toContain('appendonlydir');
    old.start();
    await said(old, `${flavor.name}: pod ${old.name}: replica of ${current.dnsName}:${port}`);
    await replicaOf(old, current);
    expect(redis(old, ['get', 'after'])).toBe('failover');
    expect(redis(old, ['set', 'x', '1'])).toMatch(/^READONLY/);
    expect(data.filter(p => info(p).role === 'master')).toEqual([current]);
  });

  test('the primary comes back on an empty claim before the sentinels notice: it refuses to be an empty primary, a replica is promoted, it resyncs', async () => {
    const old = primaryFromSentinels()!;
    for (let i = 0; i < 20; i++) expect(redis(old, ['set', `kept:${i}`, String(i)])).toBe('OK');
    expect(redis(old, ['wait', '2', '5000'])).toBe('2');
    await old.kill();
    old.wipeClaims();
    // at once, while the sentinels still name it
    old.start();
    await said(old, 'its data directory is empty: refusing to start as an empty primary');
    const promoted = await waitFor('a replica promoted', () => {
      const p = primaryFromSentinels();
      return p && p !== old ? p : undefined;
    }, 30_000);
    await said(old, `${flavor.name}: pod ${old.name}: replica of ${promoted.dnsName}:${port}`, 30_000);
    await replicaOf(old, promoted);
    for (let i = 0; i < 20; i++) expect(redis(old, ['get', `kept:${i}`])).toBe(String(i));
    expect(data.filter(p => info(p).role === 'master')).toEqual([promoted]);
  });

  test('a sentinel restarts: it remembers the primary from its claim; one whose claim is lost learns it from the others', async () => {
    const current = primaryFromSentinels()!;
    const [s0, s1] = sentinels;
    await s0.stop();
    s0.start();
    await said(s0, 'as this sentinel remembers it');
    await s1.stop();
    s1.wipeClaims();
    s1.start();
    await said(s1, 'as the other sentinels know it');
    for (const s of [s0, s1]) {
      await waitFor(`${s.name} to name ${current.name}`, () => cli(s.dnsName, sentinelPort, ['sentinel', 'get-master-addr-by-name', master])
        .startsWith(current.dnsName) || undefined, 10_000);
    }
  });

  test('min-replicas-to-write: a primary without a connected replica refuses writes', async () => {
    if (flavor.name === 'valkey') return; // one engine is enough for the server's own rule
    const current = primaryFromSentinels()!;
    expect(redis(current, ['config', 'get', 'min-replicas-to-write'])).toBe('min-replicas-to-write\n1');
    const replicas = data.filter(p => p !== current);
    for (const r of replicas) await r.stop();
    await waitFor('the primary to refuse writes', () => /NOREPLICAS/.test(redis(current, ['set', 'lonely', '1'])) || undefined, 30_000);
    for (const r of replicas) r.start();
    for (const r of replicas) await replicaOf(r, current);
    await waitFor('writes again', () => redis(current, ['set', 'lonely', '1']) === 'OK' || undefined, 15_000);
    expect(byHost(current.dnsName)).toBe(current);
  });
  test('a logical backup under Sentinel marks the primary the sentinels name and dumps a replica in sync', () => {
    const current = primaryFromSentinels()!;
    const user = osUser(flavor.name);
    const claim = claimDir(join(root, 'backups'), user);
    const pod = jobPod(manifests, 'CronJob', `${master}-hourly`, { namespace: NAMESPACE, claims: { [`${master}-hourly-backups`]: claim }, scratch: root, user });
    const result = runPod(net, pod, user);
    if (result.status !== 0) throw new Error(`the backup failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
    expect(result.stdout).toContain(`backup: the sentinels name ${current.dnsName} as the primary`);
    const dumped = /backup: dumping (\S+):/.exec(result.stdout)![1];
    expect(data.map(p => p.dnsName)).toContain(dumped);
    expect(dumped).not.toBe(current.dnsName);
    expect(redis(current, ['fcall_ro', 'cdk8s_stateful_store', '0'])).toBe(`${NAMESPACE}/${master}`);
    const dumps = readdirSync(join(claim, `${master}-hourly`)).filter(n => !n.startsWith('.'));
    expect(dumps).toHaveLength(1);
    expect(readdirSync(join(claim, `${master}-hourly`, dumps[0]))).toContain('dump.rdb');
  });
});
