/**
 * Helpers of the real-engine Redis and Valkey tests (test/engines/private/redis.test.ts,
 * test/engines/redis-real.test.ts, test/engines/valkey-real.test.ts): each "pod" is a local
 * `redis-server` (`valkey-server`) process started by the test, on its own loopback address.
 */
import { ChildProcess, execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { EnvVarJson, ProbeJson } from '../../src/engines/private/common';

/** The command line client of each server. */
export type RedisCli = 'redis-cli' | 'valkey-cli';

/** Where a test pod's server listens. */
export interface RedisAddress {
  readonly address: string;
  readonly port: number;
}

/** `redis-server` and `redis-cli` must be installed: fail (never skip) when they are not. */
export function requireRedis(): void {
  const missing = ['redis-server', 'redis-cli'].filter(bin => spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0);
  if (missing.length > 0) {
    throw new Error(`${missing.join(' and ')} not on PATH: the Redis engine tests run a real server. `
      + 'Install them (Debian: apt-get install -y --no-install-recommends redis-server redis-tools; .ci/run does).');
  }
}

/**
 * `valkey-server` and `valkey-cli` must be installed: fail (never skip) when they are not. Debian
 * ships them in bookworm-backports (`valkey-server`, `valkey-tools`); .ci/run installs them.
 */
export function requireValkey(): void {
  const missing = ['valkey-server', 'valkey-cli'].filter(bin => spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0);
  if (missing.length > 0) {
    throw new Error(`${missing.join(' and ')} not on PATH: the Valkey engine tests run a real server. Install them (Debian bookworm: `
      + 'apt-get install -y --no-install-recommends -t bookworm-backports valkey-server valkey-tools; .ci/run does).');
  }
}

/** Stops a process we started, by its pid: TERM, then KILL after 3 s. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/** A TCP port free on every given address. */
export async function freePort(hosts: string[]): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    if ((await Promise.all(hosts.map(h => canListen(h, port)))).every(ok => ok)) return port;
  }
  throw new Error(`no free port on ${hosts.join(', ')}`);
}

export function canListen(host: string, port: number): Promise<boolean> {
  return new Promise(resolve => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** The first non-loopback IPv4 address of this machine, if any. */
export function externalAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  return undefined;
}

export async function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 10000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = check();
      if (value !== undefined && value !== false) return value;
    } catch (e) {
      last = e;
    }
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ''}`);
}

/** The environment the kubelet would build from the rendered env, with `secrets` for secretKeyRefs. */
export function containerEnv(env: EnvVarJson[], secrets: Record<string, string>, overrides: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  for (const e of env) {
    if (e.value !== undefined) out[e.name] = e.value;
    const ref = e.valueFrom?.secretKeyRef;
    if (ref) out[e.name] = secrets[`${ref.name}/${ref.key}`];
  }
  return { ...out, ...overrides };
}

/** redis-cli (or valkey-cli) against a pod over TCP, with `auth` in REDISCLI_AUTH when given. */
export function cli(pod: RedisAddress, args: string[], auth?: string, bin: RedisCli = 'redis-cli'): string {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  if (auth !== undefined) env.REDISCLI_AUTH = auth;
  return execFileSync(bin, ['-h', pod.address, '-p', String(pod.port), ...args], { env, encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Runs a rendered exec probe with the pod's environment, as the kubelet does inside the container. */
export function runProbe(probe: ProbeJson, env: NodeJS.ProcessEnv): { ok: boolean; output: string } {
  const [cmd, ...args] = probe.exec!.command;
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', timeout: probe.timeoutSeconds * 1000 });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

export function info(pod: RedisAddress, section: string, auth?: string, bin: RedisCli = 'redis-cli'): Record<string, string> {
  return Object.fromEntries(cli(pod, ['info', section], auth, bin).split(/\r?\n/).filter(l => l.includes(':')).map(l => l.split(':', 2) as [string, string]));
}
