/**
 * The Redis engine module's Valkey flavour (src/engines/private/redis.ts, `flavor: 'valkey'`):
 * the rendered start-up, configuration and probes run against a real `valkey-server` (Debian
 * bookworm-backports' valkey-server and valkey-tools 8.0; .ci/run installs them), as
 * test/engines/private/redis.test.ts does for `redis-server`. Without them the tests fail, they
 * do not skip.
 *
 * Each "pod" is a local process on a `PodNetwork`: its own loopback address, and the pods' DNS
 * names resolving to them, so the replicas find the primary by the rendered `REDIS_PRIMARY_HOST`
 * (pod 0's DNS name). The rendered `command` runs with HOSTNAME `test-valkey-<ordinal>`, its own
 * temporary data and config directories (through `dataDir`/`configDir`, the mount paths the
 * construct would use) and `--bind <address>` through the container args (`"$@"`).
 */
import { ChildProcess, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisEngine, RedisEngineOptions, renderRedis } from '../../../src/engines/private/redis';
import { PodNetwork } from '../../util/pod-network';
import { cli, containerEnv, externalAddress, freePort, info, requireValkey, runProbe, stop, waitFor } from '../../util/redis-server';

const WHERE = "Valkey 'test/cache'";
const BASE: RedisEngineOptions = {
  flavor: 'valkey', statefulSetName: 'test-valkey', serviceName: 'test-valkey', namespace: 'shop', memoryLimit: '256Mi', replicas: 1,
};

const children: ChildProcess[] = [];
const tmpDirs: string[] = [];
const networks: PodNetwork[] = [];

afterAll(async () => {
  await Promise.all(children.map(stop));
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
  for (const net of networks) net.dispose();
});

interface Pod {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly engine: RedisEngine;
  readonly env: NodeJS.ProcessEnv;
  readonly process: ChildProcess;
  readonly dataDir: string;
  readonly configDir: string;
  output(): string;
}

/** Renders and starts pod `<statefulSetName>-<ordinal>` on `address`, with the network's names. */
function startPod(net: PodNetwork, root: string, options: RedisEngineOptions, ordinal: number, address: string, port: number,
  secrets: Record<string, string> = {}, extraArgs: string[] = []): Pod {
  const name = `${options.statefulSetName}-${ordinal}`;
  const dataDir = join(root, name, 'data');
  const configDir = join(root, name, 'conf');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(configDir, { recursive: true });
  const engine = renderRedis(WHERE, { ...options, port, dataDir, configDir });
  const env = containerEnv(engine.env, secrets, { HOSTNAME: name });
  const child = net.spawn([...engine.command, '--bind', address, ...extraArgs], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', d => output += d);
  child.stderr!.on('data', d => output += d);
  return { name, address, port, engine, env, process: child, dataDir, configDir, output: () => output };
}

async function waitUntilServing(pod: Pod): Promise<void> {
  await waitFor(`${pod.name} to answer PING over its socket (output: ${pod.output()})`,
    () => spawnSync('valkey-cli', ['-s', join(pod.configDir, 'valkey.sock'), 'ping'], { env: pod.env, encoding: 'utf8', timeout: 5000 }).stdout.trim() === 'PONG' || undefined);
}

async function waitForOutput(pod: Pod, text: string): Promise<void> {
  await waitFor(`"${text}" in the output of ${pod.name}`, () => pod.output().includes(text) || undefined, 5000);
}

const vcli = (pod: Pod, args: string[], auth?: string) => cli(pod, args, auth, 'valkey-cli');
const vinfo = (pod: Pod, section: string, auth?: string) => info(pod, section, auth, 'valkey-cli');

describe('real engine (Valkey)', () => {
  test('valkey-server and valkey-cli are on PATH', () => {
    requireValkey();
  });
});

describe('real engine (Valkey): primary and replica without a password, found by DNS name', () => {
  const external = externalAddress();
  let net: PodNetwork;
  let primary: Pod;
  let replica: Pod;

  beforeAll(async () => {
    requireValkey();
    net = new PodNetwork();
    networks.push(net);
    const root = mkdtempSync(join(tmpdir(), 'valkey-engine-'));
    tmpDirs.push(root);
    const engine = renderRedis(WHERE, BASE);
    const pods = [net.addPod(engine.primaryHost), net.addPod('test-valkey-1.test-valkey.shop.svc.cluster.local')];
    const port = await freePort([...pods.map(p => p.address), ...(external ? [external] : [])]);
    primary = startPod(net, root, BASE, 0, pods[0].address, port, {}, external ? [external] : []);
    await waitUntilServing(primary);
    replica = startPod(net, root, BASE, 1, pods[1].address, port);
    await waitUntilServing(replica);
  });

  test('pod 0 is the primary, pod 1 its replica through pod 0\'s rendered DNS name', async () => {
    await waitForOutput(primary, 'valkey: pod ordinal 0: primary');
    await waitForOutput(replica, `valkey: pod ordinal 1: replica of test-valkey-0.test-valkey.shop.svc.cluster.local:${replica.port}`);
    const r = await waitFor('the replica\'s link to come up', () => {
      const i = vinfo(replica, 'replication');
      return i.master_link_status === 'up' ? i : undefined;
    }, 20000);
    expect(r).toMatchObject({ role: 'slave', master_host: 'test-valkey-0.test-valkey.shop.svc.cluster.local', master_port: String(primary.port) });
    expect(vinfo(primary, 'replication')).toMatchObject({ role: 'master', connected_slaves: '1' });
    expect(vinfo(primary, 'server').server_name).toBe('valkey');
  });

  test('a key set on the primary is read from the replica; the replica refuses writes', async () => {
    expect(vcli(primary, ['set', 'greeting', 'hello'])).toBe('OK');
    await waitFor('the key on the replica', () => vcli(replica, ['get', 'greeting']) === 'hello' || undefined);
    expect(vcli(replica, ['set', 'x', '1'])).toMatch(/^READONLY/);
  });

  test('maxmemory, policy, append-only persistence and the replication settings as rendered', () => {
    for (const pod of [primary, replica]) {
      expect(vcli(pod, ['config', 'get', 'maxmemory'])).toBe(`maxmemory\n${Math.floor(256 * 1024 ** 2 * 0.75)}`);
      expect(vcli(pod, ['config', 'get', 'maxmemory-policy'])).toBe('maxmemory-policy\nnoeviction');
    }
    expect(vinfo(primary, 'persistence').aof_enabled).toBe('1');
    expect(vcli(primary, ['config', 'get', 'appendfsync'])).toBe('appendfsync\neverysec');
    expect(vcli(primary, ['config', 'get', 'save'])).toBe('save');
    expect(vcli(primary, ['config', 'get', 'repl-diskless-sync-max-replicas'])).toBe('repl-diskless-sync-max-replicas\n1');
    expect(statSync(join(primary.dataDir, 'appendonlydir')).isDirectory()).toBe(true);
  });

  test('the config file is valkey.conf in the config dir, readable by the server\'s user only', () => {
    const conf = join(primary.configDir, 'valkey.conf');
    expect((statSync(conf).mode % 0o1000).toString(8)).toBe('600');
    expect(readFileSync(conf, 'utf8')).toBe(`${primary.engine.config.join('\n')}\n`);
    expect(readFileSync(join(replica.configDir, 'valkey.conf'), 'utf8'))
      .toContain(`replicaof test-valkey-0.test-valkey.shop.svc.cluster.local ${replica.port}`);
  });

  test('protected mode is off (Debian\'s valkey-server compiles it on)', () => {
    expect(vcli(primary, ['config', 'get', 'protected-mode'])).toBe('protected-mode\nno');
  });

  (external ? test : test.skip)(`protected mode is off: a client from a non-loopback address (${external}) gets PONG`, () => {
    expect(vcli({ ...primary, address: external! }, ['ping'])).toBe('PONG');
  });

  test('the rendered probes pass on both pods', () => {
    for (const pod of [primary, replica]) {
      for (const probe of [pod.engine.startupProbe, pod.engine.livenessProbe, pod.engine.readinessProbe]) {
        expect({ pod: pod.name, ...runProbe(probe, pod.env) }).toEqual({ pod: pod.name, ok: true, output: '' });
      }
    }
  });

  test('without its primary, the replica stays alive but turns unready', async () => {
    await stop(primary.process);
    await waitFor('the replica to see its link down', () => vinfo(replica, 'replication').master_link_status === 'down' || undefined, 20000);
    expect(runProbe(replica.engine.livenessProbe, replica.env).ok).toBe(true);
    const ready = runProbe(replica.engine.readinessProbe, replica.env);
    expect(ready.ok).toBe(false);
    expect(ready.output).toContain('a replica whose link to the primary is not up');
  });

  test('a pod whose HOSTNAME has no ordinal does not start', () => {
    const r = renderRedis(WHERE, BASE);
    const out = spawnSync(r.command[0], r.command.slice(1), { env: { PATH: process.env.PATH, HOSTNAME: 'valkey' }, encoding: 'utf8', timeout: 5000 });
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('valkey: HOSTNAME "valkey" does not end in a StatefulSet ordinal');
  });
});

describe('real engine (Valkey): password from a Secret, start ordinal 5', () => {
  // spaces, quotes, a backslash, shell and config comment characters, a newline, a trailing space
  const password = 's3cr3t "quoted" \\ $HOME #not-a-comment\nline2 ';
  const secrets = { 'valkey-auth/password': password };
  const options: RedisEngineOptions = { ...BASE, startOrdinal: 5, password: { name: 'valkey-auth', key: 'password' } };
  let net: PodNetwork;
  let primary: Pod;
  let replica: Pod;

  beforeAll(async () => {
    requireValkey();
    net = new PodNetwork();
    networks.push(net);
    const root = mkdtempSync(join(tmpdir(), 'valkey-engine-'));
    tmpDirs.push(root);
    const pods = [net.addPod(renderRedis(WHERE, options).primaryHost), net.addPod('test-valkey-6.test-valkey.shop.svc.cluster.local')];
    const port = await freePort(pods.map(p => p.address));
    primary = startPod(net, root, options, 5, pods[0].address, port, secrets);
    await waitUntilServing(primary);
    replica = startPod(net, root, options, 6, pods[1].address, port, secrets);
    await waitUntilServing(replica);
  });

  test('requirepass: no password, no service; the right password (REDISCLI_AUTH, which valkey-cli reads), service', () => {
    expect(vcli(primary, ['ping'])).toMatch(/^NOAUTH/);
    expect(vcli(primary, ['ping'], 'wrong')).toMatch(/^(NOAUTH|WRONGPASS)/);
    expect(vcli(primary, ['ping'], password)).toBe('PONG');
  });

  test('masterauth: the replica authenticates to the primary and replicates', async () => {
    await waitFor('the replica\'s link to come up', () => vinfo(replica, 'replication', password).master_link_status === 'up' || undefined, 20000);
    expect(vcli(primary, ['set', 'k', 'v'], password)).toBe('OK');
    await waitFor('the key on the replica', () => vcli(replica, ['get', 'k'], password) === 'v' || undefined);
  });

  test('the config file holds the password escaped, not in clear; no command line holds it', () => {
    const conf = readFileSync(join(primary.configDir, 'valkey.conf'), 'utf8');
    expect(conf).toMatch(/^requirepass "(\\x[0-9a-f]{2})+"$/m);
    expect(conf).not.toContain('not-a-comment');
    expect(readFileSync(`/proc/${primary.process.pid}/cmdline`, 'utf8')).not.toContain('not-a-comment');
    expect(vcli(primary, ['config', 'get', 'protected-mode'], password)).toBe('protected-mode\nyes');
  });

  test('the rendered probes pass with the password from REDISCLI_AUTH, and fail without it', async () => {
    await waitFor('the replica\'s link to come up', () => vinfo(replica, 'replication', password).master_link_status === 'up' || undefined, 20000);
    for (const pod of [primary, replica]) {
      for (const probe of [pod.engine.startupProbe, pod.engine.livenessProbe, pod.engine.readinessProbe]) {
        expect({ pod: pod.name, ...runProbe(probe, pod.env) }).toEqual({ pod: pod.name, ok: true, output: '' });
        const { REDISCLI_AUTH: _, ...withoutPassword } = pod.env;
        expect(runProbe(probe, withoutPassword).ok).toBe(false);
      }
    }
  });

  test('a pod whose Secret key is empty does not start', () => {
    const configDir = mkdtempSync(join(tmpdir(), 'valkey-engine-'));
    tmpDirs.push(configDir);
    const r = renderRedis(WHERE, { ...options, configDir });
    const env = containerEnv(r.env, { 'valkey-auth/password': '' }, { HOSTNAME: 'test-valkey-5' });
    const out = spawnSync(r.command[0], r.command.slice(1), { env, encoding: 'utf8', timeout: 5000 });
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('valkey: REDISCLI_AUTH is empty: the password Secret key holds no password');
  });
});
