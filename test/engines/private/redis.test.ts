/**
 * The Redis engine (src/engines/private/redis.ts): the rendered pod parts, every error, and the
 * rendered start-up and probes run against a real `redis-server`.
 *
 * The real-engine tests need `redis-server` and `redis-cli` on PATH (Debian: `apt-get install
 * redis-server redis-tools`; .ci/run installs them). Without them they fail, they do not skip.
 *
 * Each "pod" is a local process: the rendered `command` run with HOSTNAME `test-redis-<ordinal>`,
 * its own temporary data and config directories (rendered through `dataDir`/`configDir`, the mount
 * paths the construct would use), `REDIS_PRIMARY_HOST` pointed at the primary's loopback address
 * (the construct renders the primary's DNS name there) and `--bind 127.0.0.x` through the
 * container args (`"$@"`). Both pods use the same random port on their own address, as pods do.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProbeJson } from '../../../src/engines/private/common';
import {
  REDIS_DEFAULT_IMAGE,
  RedisFlavor,
  redisMaxMemory,
  RedisEngine,
  RedisEngineOptions,
  renderRedis,
  VALKEY_DEFAULT_IMAGE,
} from '../../../src/engines/private/redis';
import { expectValidManifests } from '../../util/k8s-schema';
import { cli, containerEnv, externalAddress, freePort, info, requireRedis, runProbe, stop, waitFor } from '../../util/redis-server';

const WHERE = "Redis 'test/cache'";
const BASE: RedisEngineOptions = { statefulSetName: 'test-redis', serviceName: 'test-redis', namespace: 'shop', memoryLimit: '256Mi' };

// ------------------------------------------------------------------------------------ rendering

describe('renderRedis: rendering', () => {
  test('defaults', () => {
    const r = renderRedis(WHERE, BASE);
    expect(r.image).toBe(REDIS_DEFAULT_IMAGE);
    expect(r.image).toBe('docker.io/library/redis:7.2.16');
    expect(r.flavor).toBe('redis');
    expect(r.configVolumeName).toBe('redis-config');
    expect(r.podCount).toBe(3);
    expect(r.primaryOrdinal).toBe(0);
    expect(r.primaryHost).toBe('test-redis-0.test-redis.shop.svc.cluster.local');
    expect(r.env).toEqual([{ name: 'REDIS_PRIMARY_HOST', value: 'test-redis-0.test-redis.shop.svc.cluster.local' }]);
    expect(r.ports).toEqual([{ name: 'redis', containerPort: 6379, protocol: 'TCP' }]);
    expect(r.user).toBe(999);
    expect(r.group).toBe(999);
    expect(r.dataMountPath).toBe('/data');
    expect(r.volumes).toEqual([{ name: 'redis-config', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }]);
    expect(r.volumeMounts).toEqual([{ name: 'redis-config', mountPath: '/etc/redis' }]);
    expect(r.command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(r.command[3]).toBe('redis');
    expect(r.publishNotReadyAddresses).toBe(true);
    expect(r.podManagementPolicy).toBe('Parallel');
    expect(r.config).toEqual([
      'port 6379',
      'bind * -::*',
      'protected-mode no',
      'unixsocket /etc/redis/redis.sock',
      'unixsocketperm 700',
      'dir /data',
      'appendonly yes',
      'appendfsync everysec',
      'save ""',
      'maxmemory 201326592',
      'maxmemory-policy noeviction',
      'client-output-buffer-limit replica 33554432 8388608 60',
      'repl-diskless-sync yes',
      'repl-diskless-sync-max-replicas 2',
    ]);
  });

  test('the start script writes the config to the config dir and execs redis-server with the container args', () => {
    const script = renderRedis(WHERE, BASE).command[2];
    expect(script).toContain('conf=/etc/redis/redis.conf');
    expect(script).toContain('umask 077');
    expect(script).toContain('exec redis-server "$conf" "$@"');
    expect(script).toContain('if [ "$ordinal" = 0 ]; then');
    expect(script).not.toContain('requirepass');
  });

  test('all options', () => {
    const r = renderRedis(WHERE, {
      ...BASE,
      namespace: undefined,
      startOrdinal: 3,
      replicas: 0,
      memoryLimit: 1024 ** 3,
      maxMemoryPercent: 50,
      evictionPolicy: 'allkeys-lfu',
      appendOnly: false,
      appendFsync: 'always',
      password: { name: 'redis-auth', key: 'password' },
      port: 7000,
      image: 'registry.example/redis:7.2.5-bookworm',
      dataDir: '/var/lib/redis',
      configDir: '/run/redis',
    });
    expect(r.podCount).toBe(1);
    expect(r.primaryOrdinal).toBe(3);
    expect(r.primaryHost).toBe('test-redis-3.test-redis');
    expect(r.image).toBe('registry.example/redis:7.2.5-bookworm');
    expect(r.env).toEqual([
      { name: 'REDIS_PRIMARY_HOST', value: 'test-redis-3.test-redis' },
      { name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } } },
    ]);
    expect(r.ports).toEqual([{ name: 'redis', containerPort: 7000, protocol: 'TCP' }]);
    expect(r.maxMemoryBytes).toBe(512 * 1024 ** 2);
    expect(r.config).toEqual(expect.arrayContaining([
      'port 7000', 'protected-mode yes', 'unixsocket /run/redis/redis.sock', 'dir /var/lib/redis', 'appendonly no',
      'appendfsync always', 'maxmemory 536870912', 'maxmemory-policy allkeys-lfu',
      'client-output-buffer-limit replica 268435456 67108864 60', 'repl-diskless-sync-max-replicas 0',
    ]));
    expect(r.volumeMounts).toEqual([{ name: 'redis-config', mountPath: '/run/redis' }]);
    expect(r.command[2]).toContain('if [ "$ordinal" = 3 ]; then');
    expect(r.command[2]).toContain('requirepass');
    for (const probe of [r.startupProbe, r.livenessProbe, r.readinessProbe]) {
      expect(probe.exec!.command.join(' ')).toContain('redis-cli -s /run/redis/redis.sock');
    }
  });

  test('the default headroom: a quarter of the limit', () => {
    expect(redisMaxMemory(WHERE, '1Gi')).toEqual({ limitBytes: 1024 ** 3, maxMemoryBytes: 768 * 1024 ** 2 });
    expect(redisMaxMemory(WHERE, '1G')).toEqual({ limitBytes: 1e9, maxMemoryBytes: 750e6 });
    expect(redisMaxMemory(WHERE, '64Mi').maxMemoryBytes).toBe(48 * 1024 ** 2);
    expect(redisMaxMemory(WHERE, '100Mi', 80).maxMemoryBytes).toBe(Math.floor(100 * 1024 ** 2 * 0.8));
  });

  test('the replica output buffer limit is half the headroom, at most Redis\' default 256mb', () => {
    const config = (memoryLimit: string) => renderRedis(WHERE, { ...BASE, memoryLimit }).config.find(l => l.startsWith('client-output'));
    expect(config('64Mi')).toBe('client-output-buffer-limit replica 8388608 2097152 60');
    expect(config('16Gi')).toBe('client-output-buffer-limit replica 268435456 67108864 60');
  });

  test('probes: exec over the unix socket, startup and liveness share the "alive" check', () => {
    const r = renderRedis(WHERE, BASE);
    expect(r.startupProbe).toEqual({ exec: r.livenessProbe.exec, periodSeconds: 2, timeoutSeconds: 3, successThreshold: 1, failureThreshold: 30 });
    expect(r.livenessProbe).toMatchObject({ periodSeconds: 10, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 6 });
    expect(r.readinessProbe).toMatchObject({ periodSeconds: 5, timeoutSeconds: 3, successThreshold: 1, failureThreshold: 3 });
    expect(r.livenessProbe.exec!.command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(r.readinessProbe.exec!.command[2]).toContain('master_link_status:up');
  });

  test('the rendered parts are valid core/v1 in a StatefulSet (Kubernetes 1.27 schema)', () => {
    const r = renderRedis(WHERE, { ...BASE, password: { name: 'redis-auth', key: 'password' } });
    expectValidManifests([statefulSetOf(r)]);
  });

  test('with a password: a Secret reference in env, the script reads it from REDISCLI_AUTH', () => {
    const r = renderRedis(WHERE, { ...BASE, password: { name: 'redis-auth', key: 'password' } });
    expect(r.env.filter(e => e.value !== undefined).map(e => e.name)).toEqual(['REDIS_PRIMARY_HOST']);
    expect(r.command[2]).toContain('printf \'%s\' "$REDISCLI_AUTH" | od -An -v -tx1');
    expect(r.command[2]).toContain('printf \'requirepass "%s"\\nmasterauth "%s"\\n\' "$auth" "$auth"');
  });

  test('prop names: errors name the construct\'s prop', () => {
    expect(() => renderRedis(WHERE, { ...BASE, replicas: -1 }, { replicas: 'redis.replicas' }))
      .toThrow(new Error(`${WHERE}: invalid 'redis.replicas': -1. Must be an integer of at least 0. Set 'redis.replicas' to an integer of at least 0.`));
  });
});

describe('renderRedis: errors', () => {
  test('fails when replicas is negative', () => {
    expect(() => renderRedis(WHERE, { ...BASE, replicas: -1 }))
      .toThrow(new Error(`${WHERE}: invalid 'replicas': -1. Must be an integer of at least 0. Set 'replicas' to an integer of at least 0.`));
  });

  test('fails when replicas is not a whole number', () => {
    expect(() => renderRedis(WHERE, { ...BASE, replicas: 1.5 })).toThrow(/invalid 'replicas': 1.5\. Must be an integer of at least 0\./);
  });

  test('fails when the memory limit is too small for Redis', () => {
    expect(() => renderRedis(WHERE, { ...BASE, memoryLimit: '32Mi' })).toThrow(new Error(
      `${WHERE}: invalid 'memoryLimit': "32Mi". Must be at least 64Mi: Redis needs about 10Mi for itself, its buffers and the fork `
      + 'that rewrites the append-only file, and keeps 25% of the limit as headroom. Set \'memoryLimit\' to "64Mi" or more.'));
  });

  test.each<[string | number]>([['lots'], ['-1Gi'], [0], ['1GB']])('fails when the memory limit is %p', memoryLimit => {
    expect(() => renderRedis(WHERE, { ...BASE, memoryLimit })).toThrow(
      /invalid 'memoryLimit': .*\. Must be a positive Kubernetes quantity such as "512Mi" or "2Gi", or a number of bytes\. Set 'memoryLimit' to the container's memory limit, e\.g\. "1Gi"\./);
  });

  test.each([5, 95, 75.5])('fails when maxMemoryPercent is %p', maxMemoryPercent => {
    expect(() => renderRedis(WHERE, { ...BASE, maxMemoryPercent }))
      .toThrow(new Error(`${WHERE}: invalid 'maxMemoryPercent': ${maxMemoryPercent}. Must be an integer from 10 to 90. Set 'maxMemoryPercent' to an integer from 10 to 90.`));
  });

  test('fails on an unknown eviction policy', () => {
    expect(() => renderRedis(WHERE, { ...BASE, evictionPolicy: 'lru' })).toThrow(new Error(
      `${WHERE}: invalid 'evictionPolicy': "lru". Must be one of "noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", `
      + '"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl". Set \'evictionPolicy\' to one of them.'));
  });

  test('fails on an unknown appendfsync', () => {
    expect(() => renderRedis(WHERE, { ...BASE, appendFsync: 'sometimes' }))
      .toThrow(/invalid 'appendFsync': "sometimes"\. Must be one of "always", "everysec", "no"\./);
  });

  test.each([0, 65536, 1.5])('fails on port %p', port => {
    expect(() => renderRedis(WHERE, { ...BASE, port })).toThrow(/invalid 'port': .*\. Must be an integer port number from 1 to 65535\./);
  });

  test('fails on a negative start ordinal', () => {
    expect(() => renderRedis(WHERE, { ...BASE, startOrdinal: -1 })).toThrow(/invalid 'startOrdinal': -1\. Must be an integer of at least 0\./);
  });

  test.each<[keyof RedisEngineOptions, string, RegExp]>([
    ['statefulSetName', 'Redis', /invalid 'statefulSetName': "Redis"\. Must be a DNS-1123 label of at most 52 characters/],
    ['serviceName', '1redis', /invalid 'serviceName': "1redis"\. Must be a DNS-1035 label/],
    ['namespace', 'Shop', /invalid 'namespace': "Shop"\. Must be a DNS-1123 label/],
    ['clusterDomain', 'cluster local', /invalid 'clusterDomain': "cluster local"\. Must be a DNS-1123 subdomain/],
    ['dataDir', 'data', /invalid 'dataDir': "data"\. Must be an absolute path/],
    ['configDir', '/etc/redis; rm -rf /', /invalid 'configDir': "\/etc\/redis; rm -rf \/"\. Must be an absolute path/],
    ['configDir', '/data', /invalid 'configDir': "\/data"\. Must differ from 'dataDir' \(the claim\)/],
    ['primaryHost', 'db-0 $(reboot)', /invalid 'primaryHost': "db-0 \$\(reboot\)"\. Must be a DNS name or an IP address/],
    ['image', ' ', /invalid 'image': " "\. Must be an image reference/],
  ])('fails when %s is %p', (key, value, message) => {
    expect(() => renderRedis(WHERE, { ...BASE, [key]: value })).toThrow(message);
  });

  test('fails on a password Secret reference that is no Secret name or key', () => {
    expect(() => renderRedis(WHERE, { ...BASE, password: { name: 'Auth', key: 'password' } })).toThrow(/invalid 'password\.name': "Auth"/);
    expect(() => renderRedis(WHERE, { ...BASE, password: { name: 'auth', key: 'pass word' } })).toThrow(/invalid 'password\.key': "pass word"/);
  });
});

describe('renderRedis: error messages and boundaries', () => {
  test('redisMaxMemory on its own names the default props', () => {
    expect(() => redisMaxMemory(WHERE, '32Mi')).toThrow(/^Redis 'test\/cache': invalid 'memoryLimit': "32Mi"\. .* Set 'memoryLimit' to "64Mi" or more\.$/);
    expect(() => redisMaxMemory(WHERE, '1Gi', 5))
      .toThrow(new Error(`${WHERE}: invalid 'maxMemoryPercent': 5. Must be an integer from 10 to 90. Set 'maxMemoryPercent' to an integer from 10 to 90.`));
  });

  test('prop names reach the memory checks', () => {
    const props = { memoryLimit: 'redis.memoryLimit', maxMemoryPercent: 'redis.maxMemoryPercent' };
    expect(() => renderRedis(WHERE, { ...BASE, memoryLimit: '32Mi' }, props)).toThrow(/invalid 'redis\.memoryLimit': "32Mi"/);
    expect(() => renderRedis(WHERE, { ...BASE, maxMemoryPercent: 5 }, props)).toThrow(/invalid 'redis\.maxMemoryPercent': 5/);
  });

  test('the config dir, image, password key and primary host errors name the fix', () => {
    expect(() => renderRedis(WHERE, { ...BASE, configDir: '/data' }))
      .toThrow(new Error(`${WHERE}: invalid 'configDir': "/data". Must differ from 'dataDir' (the claim). Set 'configDir' to another path, e.g. "/etc/redis".`));
    expect(() => renderRedis(WHERE, { ...BASE, image: ' ' }))
      .toThrow(new Error(`${WHERE}: invalid 'image': " ". Must be an image reference. Set 'image' to e.g. "docker.io/library/redis:7.2.16".`));
    expect(() => renderRedis(WHERE, { ...BASE, password: { name: 'auth', key: 'pass word' } })).toThrow(new Error(
      `${WHERE}: invalid 'password.key': "pass word". Must be a Secret key: letters, digits, '-', '_' and '.'. Set 'password.key' to the key of the password in the Secret.`));
    expect(() => renderRedis(WHERE, { ...BASE, primaryHost: '-db' })).toThrow(new Error(
      `${WHERE}: invalid 'primaryHost': "-db". Must be a DNS name or an IP address. Set 'primaryHost' to the primary's host, e.g. "db-0.db.shop.svc.cluster.local".`));
  });

  test('a password Secret key of 253 characters is accepted, 254 are not', () => {
    const env = renderRedis(WHERE, { ...BASE, password: { name: 'auth', key: 'k'.repeat(253) } }).env;
    expect(env).toContainEqual({ name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: 'auth', key: 'k'.repeat(253) } } });
    expect(() => renderRedis(WHERE, { ...BASE, password: { name: 'auth', key: 'k'.repeat(254) } })).toThrow(/invalid 'password\.key'/);
  });

  test('the primary host: a single character and 253 characters are accepted; 254 characters or a leading "-" are not', () => {
    expect(renderRedis(WHERE, { ...BASE, primaryHost: 'a' }).primaryHost).toBe('a');
    const long = `${'a'.repeat(63)}.`.repeat(4).slice(0, 253);
    expect(renderRedis(WHERE, { ...BASE, primaryHost: long }).primaryHost).toBe(long);
    expect(() => renderRedis(WHERE, { ...BASE, primaryHost: `${long}a` })).toThrow(/invalid 'primaryHost'/);
    expect(() => renderRedis(WHERE, { ...BASE, primaryHost: '-db' })).toThrow(/invalid 'primaryHost'/);
  });
});

describe('the start script (a stub redis-server)', () => {
  let bin: string;
  let root: string;
  beforeAll(() => {
    bin = mkdtempSync(join(tmpdir(), 'redis-stub-'));
    root = mkdtempSync(join(tmpdir(), 'redis-start-'));
    tmpDirs.push(bin, root);
    // prints its arguments and the config file it is given, instead of serving
    writeFileSync(join(bin, 'redis-server'), ['#!/bin/sh', 'echo "stub: $*"', 'echo "--- config"', 'cat "$1"'].join('\n'));
    chmodSync(join(bin, 'redis-server'), 0o755);
  });

  let n = 0;
  /** Runs the rendered command as pod `hostname`; returns its exit status, output and config dir. */
  function start(hostname: string, options: Partial<RedisEngineOptions> = {}, env: Record<string, string> = {}, configDir?: string) {
    const dir = configDir ?? join(root, `conf-${n++}`);
    if (!configDir) mkdirSync(dir);
    const engine = renderRedis(WHERE, { ...BASE, configDir: dir, ...options });
    const [cmd, ...args] = engine.command;
    const r = spawnSync(cmd, [...args, '--loglevel', 'verbose'], {
      env: { PATH: `${bin}:${process.env.PATH}`, HOSTNAME: hostname, REDIS_PRIMARY_HOST: engine.primaryHost, ...env }, encoding: 'utf8',
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, dir, engine };
  }

  test('the primary: writes exactly the rendered config to <configDir>/redis.conf and execs redis-server with it and the args', () => {
    const r = start('test-redis-0');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(['redis: pod ordinal 0: primary', `stub: ${r.dir}/redis.conf --loglevel verbose`, '--- config', ...r.engine.config, ''].join('\n'));
    expect(readdirSync(r.dir)).toEqual(['redis.conf']);
    expect((statSync(join(r.dir, 'redis.conf')).mode % 0o1000).toString(8)).toBe('600');
  });

  test('a replica: the config ends with replicaof the host in REDIS_PRIMARY_HOST', () => {
    const r = start('test-redis-2', {}, { REDIS_PRIMARY_HOST: '10.0.0.7' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('redis: pod ordinal 2: replica of 10.0.0.7:6379\n');
    expect(readFileSync(join(r.dir, 'redis.conf'), 'utf8')).toBe([...r.engine.config, 'replicaof 10.0.0.7 6379', ''].join('\n'));
  });

  test.each(['', 'db-0 $(reboot)', 'db;id'])('a replica refuses REDIS_PRIMARY_HOST %p', host => {
    const r = start('test-redis-1', {}, { REDIS_PRIMARY_HOST: host });
    expect(r.status).toBe(1);
    expect(r.stdout).not.toContain('stub:');
    expect(r.stderr).toBe(`redis: REDIS_PRIMARY_HOST "${host}" is not a host name or an IP address\n`);
  });

  test.each(['', 'redis', 'test-redis-x'])('a HOSTNAME without an ordinal (%p) does not start', hostname => {
    const r = start(hostname);
    expect(r.status).toBe(1);
    expect(r.stdout).not.toContain('stub:');
    expect(r.stderr).toContain('does not end in a StatefulSet ordinal');
  });

  test('a config dir that cannot be written stops the script before redis-server', () => {
    const r = start('test-redis-0', {}, {}, join(root, 'missing', 'conf'));
    expect(r.status).not.toBe(0);
    expect(r.stdout).not.toContain('stub:');
  });

  test('with a password: requirepass and masterauth hold it \\x-escaped; an empty password does not start', () => {
    const password = { name: 'redis-auth', key: 'password' };
    const r = start('test-redis-1', { password }, { REDISCLI_AUTH: 'p"w', REDIS_PRIMARY_HOST: 'db-0' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(join(r.dir, 'redis.conf'), 'utf8'))
      .toBe([...r.engine.config, 'replicaof db-0 6379', 'requirepass "\\x70\\x22\\x77"', 'masterauth "\\x70\\x22\\x77"', ''].join('\n'));

    const empty = start('test-redis-0', { password }, { REDISCLI_AUTH: '' });
    expect(empty.status).toBe(1);
    expect(empty.stdout).not.toContain('stub:');
    expect(empty.stderr).toBe('redis: REDISCLI_AUTH is empty: the password Secret key holds no password\n');
  });
});

// ------------------------------------------------------------------------------ the real engine

const children: ChildProcess[] = [];
const tmpDirs: string[] = [];

afterAll(async () => {
  await Promise.all(children.map(stop));
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

/** A pod of the test: a local process running the rendered start-up. */
interface TestPod {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly engine: RedisEngine;
  /** The container's environment, as the kubelet would give it (Secret values resolved). */
  readonly env: NodeJS.ProcessEnv;
  readonly process: ChildProcess;
  readonly dataDir: string;
  readonly configDir: string;
  output(): string;
}

/**
 * Renders and starts pod `<statefulSetName>-<ordinal>` on `address`. `extraArgs` are the
 * container args (after `--bind`).
 */
function startPod(root: string, options: RedisEngineOptions, ordinal: number, address: string, port: number,
  envOverrides: Record<string, string>, secrets: Record<string, string> = {}, extraArgs: string[] = []): TestPod {
  const name = `${options.statefulSetName}-${ordinal}`;
  const dataDir = join(root, name, 'data');
  const configDir = join(root, name, 'conf');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(configDir, { recursive: true });
  const engine = renderRedis(WHERE, { ...options, port, dataDir, configDir });
  const env = containerEnv(engine.env, secrets, { HOSTNAME: name, ...envOverrides });
  const [cmd, ...args] = engine.command;
  const child = spawn(cmd, [...args, '--bind', address, ...extraArgs], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', d => output += d);
  child.stderr!.on('data', d => output += d);
  return { name, address, port, engine, env, process: child, dataDir, configDir, output: () => output };
}

async function waitUntilServing(pod: TestPod): Promise<void> {
  await waitFor(`${pod.name} to answer PING over its socket (output: ${pod.output()})`,
    () => spawnSync('redis-cli', ['-s', join(pod.configDir, 'redis.sock'), 'ping'], { env: pod.env, encoding: 'utf8', timeout: 5000 }).stdout.trim() === 'PONG' || undefined);
}

/** Waits for a line in a pod's output (read only while the event loop runs, hence the wait). */
async function waitForOutput(pod: TestPod, text: string): Promise<void> {
  await waitFor(`"${text}" in the output of ${pod.name}`, () => pod.output().includes(text) || undefined, 5000);
}

describe('real engine', () => {
  test('redis-server and redis-cli are on PATH', () => {
    requireRedis();
  });
});

describe('real engine: primary and replica without a password', () => {
  const options: RedisEngineOptions = { ...BASE, namespace: 'default', replicas: 1, memoryLimit: '256Mi' };
  const external = externalAddress();
  let primary: TestPod;
  let replica: TestPod;

  beforeAll(async () => {
    requireRedis();
    const root = mkdtempSync(join(tmpdir(), 'redis-engine-'));
    tmpDirs.push(root);
    const port = await freePort(['127.0.0.2', '127.0.0.3', ...(external ? [external] : [])]);
    const primaryHost = { REDIS_PRIMARY_HOST: '127.0.0.2' };
    primary = startPod(root, options, 0, '127.0.0.2', port, primaryHost, {}, external ? [external] : []);
    await waitUntilServing(primary);
    replica = startPod(root, options, 1, '127.0.0.3', port, primaryHost);
    await waitUntilServing(replica);
  });

  test('the rendered primary host is pod 0\'s DNS name (the test points it at 127.0.0.2)', () => {
    expect(primary.engine.env).toContainEqual({ name: 'REDIS_PRIMARY_HOST', value: 'test-redis-0.test-redis.default.svc.cluster.local' });
  });

  test('pod 0 is the primary, pod 1 its replica with the link up', async () => {
    await waitForOutput(primary, 'redis: pod ordinal 0: primary');
    await waitForOutput(replica, `redis: pod ordinal 1: replica of 127.0.0.2:${replica.port}`);
    expect(info(primary, 'replication').role).toBe('master');
    const r = await waitFor('the replica\'s link to come up', () => {
      const i = info(replica, 'replication');
      return i.master_link_status === 'up' ? i : undefined;
    });
    expect(r).toMatchObject({ role: 'slave', master_host: '127.0.0.2', master_port: String(primary.port) });
    expect(info(primary, 'replication').connected_slaves).toBe('1');
  });

  test('a key set on the primary is read from the replica; the replica refuses writes', async () => {
    expect(cli(primary, ['set', 'greeting', 'hello'])).toBe('OK');
    await waitFor('the key on the replica', () => cli(replica, ['get', 'greeting']) === 'hello' || undefined);
    expect(cli(replica, ['set', 'x', '1'])).toMatch(/^READONLY/);
  });

  test('maxmemory is 75% of the limit with the noeviction policy, on both pods', () => {
    for (const pod of [primary, replica]) {
      expect(cli(pod, ['config', 'get', 'maxmemory'])).toBe(`maxmemory\n${Math.floor(256 * 1024 ** 2 * 0.75)}`);
      expect(cli(pod, ['config', 'get', 'maxmemory-policy'])).toBe('maxmemory-policy\nnoeviction');
    }
  });

  test('append-only persistence in the data dir, no RDB snapshots', () => {
    expect(info(primary, 'persistence').aof_enabled).toBe('1');
    expect(cli(primary, ['config', 'get', 'appendfsync'])).toBe('appendfsync\neverysec');
    expect(cli(primary, ['config', 'get', 'save'])).toBe('save');
    expect(cli(primary, ['config', 'get', 'dir'])).toBe(`dir\n${primary.dataDir}`);
    expect(statSync(join(primary.dataDir, 'appendonlydir')).isDirectory()).toBe(true);
  });

  test('the config file is written in the config dir, readable by the server\'s user only', () => {
    const conf = join(primary.configDir, 'redis.conf');
    expect((statSync(conf).mode % 0o1000).toString(8)).toBe('600');
    expect(readFileSync(conf, 'utf8')).toContain('maxmemory-policy noeviction');
    expect(readFileSync(join(replica.configDir, 'redis.conf'), 'utf8')).toContain(`replicaof 127.0.0.2 ${replica.port}`);
    expect(readFileSync(conf, 'utf8')).not.toContain('replicaof');
  });

  test('protected mode is off: without a password, clients from other hosts are served', () => {
    expect(cli(primary, ['config', 'get', 'protected-mode'])).toBe('protected-mode\nno');
  });

  (external ? test : test.skip)(`protected mode is off: a client from a non-loopback address (${external}) gets PONG`, () => {
    expect(cli({ ...primary, address: external! }, ['ping'])).toBe('PONG');
  });

  (external ? test : test.skip)('control: the same start-up with protected-mode yes answers DENIED to that client', async () => {
    const root = mkdtempSync(join(tmpdir(), 'redis-engine-'));
    tmpDirs.push(root);
    const port = await freePort([external!]);
    const pod = startPod(root, options, 0, external!, port, {}, {}, ['--protected-mode', 'yes']);
    await waitUntilServing(pod);
    expect(cli(pod, ['ping'])).toMatch(/^DENIED Redis is running in protected mode/);
    await stop(pod.process);
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
    await waitFor('the replica to see its link down', () => info(replica, 'replication').master_link_status === 'down' || undefined);
    expect(runProbe(replica.engine.livenessProbe, replica.env).ok).toBe(true);
    const ready = runProbe(replica.engine.readinessProbe, replica.env);
    expect(ready.ok).toBe(false);
    expect(ready.output).toContain('a replica whose link to the primary is not up');
    expect(ready.output).toContain('master_link_status:down');
  });

  test('a pod with setHostnameAsFQDN takes its ordinal from the first label of HOSTNAME', () => {
    const configDir = mkdtempSync(join(tmpdir(), 'redis-engine-'));
    tmpDirs.push(configDir);
    const r = renderRedis(WHERE, { ...options, configDir });
    // the replica's start-up gets as far as redis-server, which fails on the unknown option
    const out = spawnSync(r.command[0], [...r.command.slice(1), '--no-such-option', 'x'], {
      env: { PATH: process.env.PATH, HOSTNAME: 'test-redis-1.test-redis.default.svc.cluster.local', REDIS_PRIMARY_HOST: '127.0.0.2' },
      encoding: 'utf8',
      timeout: 5000,
    });
    expect(out.stdout).toContain('redis: pod ordinal 1: replica of 127.0.0.2:6379');
  });

  test('a pod whose HOSTNAME has no ordinal does not start', () => {
    const r = renderRedis(WHERE, options);
    const out = spawnSync(r.command[0], r.command.slice(1), { env: { PATH: process.env.PATH, HOSTNAME: 'redis' }, encoding: 'utf8', timeout: 5000 });
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('redis: HOSTNAME "redis" does not end in a StatefulSet ordinal');
  });
});

describe('real engine: password from a Secret, start ordinal 5', () => {
  // spaces, quotes, a backslash, shell and config comment characters, a newline, a trailing space
  const password = 's3cr3t "quoted" \\ $HOME #not-a-comment\nline2 ';
  const secrets = { 'redis-auth/password': password };
  const options: RedisEngineOptions = {
    ...BASE,
    replicas: 1,
    startOrdinal: 5,
    memoryLimit: '100Mi',
    maxMemoryPercent: 80,
    evictionPolicy: 'allkeys-lru',
    password: { name: 'redis-auth', key: 'password' },
  };
  let primary: TestPod;
  let replica: TestPod;

  beforeAll(async () => {
    requireRedis();
    const root = mkdtempSync(join(tmpdir(), 'redis-engine-'));
    tmpDirs.push(root);
    const port = await freePort(['127.0.0.5', '127.0.0.6']);
    primary = startPod(root, options, 5, '127.0.0.5', port, { REDIS_PRIMARY_HOST: '127.0.0.5' }, secrets);
    await waitUntilServing(primary);
    replica = startPod(root, options, 6, '127.0.0.6', port, { REDIS_PRIMARY_HOST: '127.0.0.5' }, secrets);
    await waitUntilServing(replica);
  });

  test('the rendered pod parts hold a reference to the Secret, never the password', () => {
    const rendered = JSON.stringify(primary.engine);
    for (const part of ['s3cr3t', 'not-a-comment', 'line2']) expect(rendered).not.toContain(part);
    expect(primary.engine.env).toContainEqual({ name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } } });
  });

  test('the password is not on any command line', () => {
    for (const pod of [primary, replica]) {
      const cmdline = readFileSync(`/proc/${pod.process.pid}/cmdline`, 'utf8');
      expect(cmdline).toContain('redis-server');
      expect(cmdline).not.toContain('s3cr3t');
    }
  });

  test('the config file holds the password escaped, not in clear', () => {
    const conf = readFileSync(join(primary.configDir, 'redis.conf'), 'utf8');
    expect(conf).toMatch(/^requirepass "(\\x[0-9a-f]{2})+"$/m);
    expect(conf).toMatch(/^masterauth "(\\x[0-9a-f]{2})+"$/m);
    expect(conf).not.toContain('s3cr3t');
  });

  test('requirepass: no password, no service; the right password, service', () => {
    expect(cli(primary, ['ping'])).toMatch(/^NOAUTH/);
    expect(cli(replica, ['ping'])).toMatch(/^NOAUTH/);
    expect(cli(primary, ['ping'], password)).toBe('PONG');
    expect(cli(primary, ['ping'], 's3cr3t')).toMatch(/^NOAUTH/);
  });

  test('masterauth: the replica authenticates to the primary and replicates', async () => {
    await waitForOutput(primary, 'redis: pod ordinal 5: primary');
    await waitForOutput(replica, `redis: pod ordinal 6: replica of 127.0.0.5:${replica.port}`);
    await waitFor('the replica\'s link to come up', () => info(replica, 'replication', password).master_link_status === 'up' || undefined);
    expect(cli(primary, ['set', 'k', 'v'], password)).toBe('OK');
    await waitFor('the key on the replica', () => cli(replica, ['get', 'k'], password) === 'v' || undefined);
  });

  test('protected mode is on (it does nothing while a password is set)', () => {
    expect(cli(primary, ['config', 'get', 'protected-mode'], password)).toBe('protected-mode\nyes');
  });

  test('maxmemory and maxmemory-policy as rendered', () => {
    for (const pod of [primary, replica]) {
      expect(cli(pod, ['config', 'get', 'maxmemory'], password)).toBe(`maxmemory\n${Math.floor(100 * 1024 ** 2 * 0.8)}`);
      expect(cli(pod, ['config', 'get', 'maxmemory-policy'], password)).toBe('maxmemory-policy\nallkeys-lru');
    }
  });

  test('the rendered probes pass with the password from REDISCLI_AUTH, and fail without it', async () => {
    await waitFor('the replica\'s link to come up', () => info(replica, 'replication', password).master_link_status === 'up' || undefined);
    for (const pod of [primary, replica]) {
      for (const probe of [pod.engine.startupProbe, pod.engine.livenessProbe, pod.engine.readinessProbe]) {
        expect({ pod: pod.name, ...runProbe(probe, pod.env) }).toEqual({ pod: pod.name, ok: true, output: '' });
        const { REDISCLI_AUTH: _, ...withoutPassword } = pod.env;
        expect(runProbe(probe, withoutPassword).ok).toBe(false);
      }
    }
  });

  test('a pod whose Secret key is empty does not start', () => {
    const configDir = mkdtempSync(join(tmpdir(), 'redis-engine-'));
    tmpDirs.push(configDir);
    const r = renderRedis(WHERE, { ...options, configDir });
    const env = containerEnv(r.env, { 'redis-auth/password': '' }, { HOSTNAME: 'test-redis-5' });
    const out = spawnSync(r.command[0], r.command.slice(1), { env, encoding: 'utf8', timeout: 5000 });
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('redis: REDISCLI_AUTH is empty: the password Secret key holds no password');
  });
});

describe('probe scripts: the replies they accept (a stub redis-cli)', () => {
  let bin: string;
  beforeAll(() => {
    bin = mkdtempSync(join(tmpdir(), 'redis-stub-'));
    tmpDirs.push(bin);
    // answers PING with $PING_REPLY and INFO with $INFO_REPLY (lines separated by \r\n, like redis-cli)
    writeFileSync(join(bin, 'redis-cli'), [
      '#!/bin/sh',
      'for a in "$@"; do last="$a"; done',
      'case "$last" in',
      '  ping) printf "%s\\n" "$PING_REPLY" ;;',
      '  replication) printf "%b\\n" "$INFO_REPLY" ;;',
      'esac',
    ].join('\n'));
    chmodSync(join(bin, 'redis-cli'), 0o755);
  });

  const probes = () => renderRedis(WHERE, BASE);
  const run = (probe: ProbeJson, ping: string, infoReply = '') =>
    runProbe(probe, { PATH: `${bin}:${process.env.PATH}`, PING_REPLY: ping, INFO_REPLY: infoReply }).ok;

  test.each([
    ['PONG', true],
    ['LOADING Redis is loading the dataset in memory', true],
    ['MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to \'no\'.', true],
    ['BUSY Redis is busy running a script.', true],
    ['Could not connect to Redis at /etc/redis/redis.sock: No such file or directory', false],
    ['NOAUTH Authentication required.', false],
    ['', false],
  ])('liveness and startup: %p -> %p', (reply, alive) => {
    expect(run(probes().livenessProbe, reply)).toBe(alive);
    expect(run(probes().startupProbe, reply)).toBe(alive);
  });

  test.each([
    ['PONG', '# Replication\\r\\nrole:master\\r\\nconnected_slaves:2', true],
    ['PONG', '# Replication\\r\\nrole:slave\\r\\nmaster_host:db-0\\r\\nmaster_link_status:up', true],
    ['PONG', '# Replication\\r\\nrole:slave\\r\\nmaster_host:db-0\\r\\nmaster_link_status:down\\r\\nmaster_sync_in_progress:1', false],
    ['LOADING Redis is loading the dataset in memory', '', false],
    ['LOADING Redis is loading the dataset in memory', '# Replication\\r\\nrole:master', false],
    ['NOAUTH Authentication required.', '', false],
  ])('readiness: PING %p, INFO %p -> %p', (ping, infoReply, ready) => {
    expect(run(probes().readinessProbe, ping, infoReply)).toBe(ready);
  });
});

describe('renderRedis: the Valkey flavour', () => {
  test('the same configuration, with Valkey\'s binaries, image, files and volume', () => {
    const redis = renderRedis(WHERE, BASE);
    const valkey = renderRedis(WHERE, { ...BASE, flavor: 'valkey' });
    expect(valkey.flavor).toBe('valkey');
    expect(valkey.image).toBe(VALKEY_DEFAULT_IMAGE);
    expect(valkey.image).toBe('docker.io/valkey/valkey:8.1.11');
    expect(valkey.config).toEqual(redis.config.map(l => l.replace('/etc/redis/redis.sock', '/etc/valkey/valkey.sock')));
    expect(valkey.config).toContain('unixsocket /etc/valkey/valkey.sock');
    expect(valkey.command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(valkey.command[3]).toBe('valkey');
    expect(valkey.command[2]).toContain('conf=/etc/valkey/valkey.conf');
    expect(valkey.command[2]).toContain('exec valkey-server "$conf" "$@"');
    expect(valkey.command[2]).toContain('echo "valkey: pod ordinal $ordinal: primary"');
    expect(valkey.command[2]).not.toContain('redis-server');
    expect(valkey.volumes).toEqual([{ name: 'valkey-config', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }]);
    expect(valkey.configVolumeName).toBe('valkey-config');
    expect(valkey.volumeMounts).toEqual([{ name: 'valkey-config', mountPath: '/etc/valkey' }]);
    for (const probe of [valkey.startupProbe, valkey.livenessProbe, valkey.readinessProbe]) {
      expect(probe.exec!.command[2]).toContain('valkey-cli -s /etc/valkey/valkey.sock');
      expect(probe.exec!.command[2]).not.toContain('redis-cli');
    }
    // what consumers and the kubelet see stays the same: the port name, the env names, the user
    expect(valkey.ports).toEqual(redis.ports);
    expect(valkey.env).toEqual(redis.env);
    expect([valkey.user, valkey.group, valkey.dataMountPath]).toEqual([999, 999, '/data']);
  });

  test('a password: the same Secret reference in REDISCLI_AUTH (valkey-cli reads it)', () => {
    const r = renderRedis(WHERE, { ...BASE, flavor: 'valkey', password: { name: 'valkey-auth', key: 'password' } });
    expect(r.env).toContainEqual({ name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: 'valkey-auth', key: 'password' } } });
    expect(r.command[2]).toContain('echo "valkey: REDISCLI_AUTH is empty: the password Secret key holds no password" >&2; exit 1');
    expectValidManifests([statefulSetOf(r)]);
  });

  test('a config dir of one\'s own keeps Valkey\'s file names', () => {
    const r = renderRedis(WHERE, { ...BASE, flavor: 'valkey', configDir: '/run/valkey' });
    expect(r.config).toContain('unixsocket /run/valkey/valkey.sock');
    expect(r.command[2]).toContain('conf=/run/valkey/valkey.conf');
  });

  test('errors of the Valkey flavour suggest Valkey\'s defaults', () => {
    expect(() => renderRedis(WHERE, { ...BASE, flavor: 'valkey', configDir: '/data' }))
      .toThrow(new Error(`${WHERE}: invalid 'configDir': "/data". Must differ from 'dataDir' (the claim). Set 'configDir' to another path, e.g. "/etc/valkey".`));
    expect(() => renderRedis(WHERE, { ...BASE, flavor: 'valkey', image: ' ' }))
      .toThrow(new Error(`${WHERE}: invalid 'image': " ". Must be an image reference. Set 'image' to e.g. "docker.io/valkey/valkey:8.1.11".`));
  });

  test.each(['keydb', 'Redis', 'toString'])('fails when the flavor is %p', flavor => {
    expect(() => renderRedis(WHERE, { ...BASE, flavor: flavor as RedisFlavor }))
      .toThrow(new Error(`${WHERE}: invalid 'flavor': "${flavor}". Must be "redis" or "valkey". Set 'flavor' to one of them.`));
  });
});

/** A StatefulSet built from the rendered parts, as a preset would. */
function statefulSetOf(r: RedisEngine): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'test-redis' },
    spec: {
      serviceName: 'test-redis',
      replicas: r.podCount,
      podManagementPolicy: r.podManagementPolicy,
      selector: { matchLabels: { app: 'redis' } },
      template: {
        metadata: { labels: { app: 'redis' } },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: r.user, runAsGroup: r.group, fsGroup: r.user },
          containers: [{
            name: 'redis',
            image: r.image,
            command: r.command,
            env: r.env,
            ports: r.ports,
            startupProbe: r.startupProbe,
            livenessProbe: r.livenessProbe,
            readinessProbe: r.readinessProbe,
            volumeMounts: [...r.volumeMounts, { name: 'data', mountPath: r.dataMountPath }],
            securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          }],
          volumes: r.volumes,
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  };
}
