/**
 * Pods on one machine, for the real-engine tests: every pod gets its own loopback address
 * (127.x.y.z, never 127.0.0.1) and its DNS names resolve to it through a hosts file of the test's
 * own, bind-mounted over /etc/hosts in a private mount namespace (`unshare -m`) for the processes
 * the test starts. Nothing outside the test sees the names, so test files and parallel runs never
 * collide on /etc/hosts or on an address. Needs root (CI runs as root).
 */
import { ChildProcess, spawn, spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A pod: its loopback address and the DNS names that resolve to it. */
export interface TestPod {
  readonly address: string;
  readonly names: string[];
}

let next = 0;
/** A loopback address no other pod of this process has, and unlikely in another process (random /16). */
function freshAddress(): string {
  const base = (process.pid * 7919 + Math.floor(Math.random() * 1000)) % 250;
  next += 1;
  return `127.${1 + base}.${Math.floor(next / 250) % 250}.${1 + (next % 250)}`;
}

export class PodNetwork {
  public readonly hostsFile: string;
  private readonly pods: TestPod[] = [];
  private readonly dir: string;

  constructor() {
    if (process.getuid?.() !== 0) {
      throw new Error('PodNetwork needs root (a private mount namespace for /etc/hosts): run the test as root, as CI does');
    }
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pod-network-'));
    this.hostsFile = path.join(this.dir, 'hosts');
    this.write();
  }

  /** Adds a pod answering to `names` (pod DNS names, Service names) and returns it. */
  public addPod(...names: string[]): TestPod {
    const pod = { address: freshAddress(), names };
    this.pods.push(pod);
    this.write();
    return pod;
  }

  /** Adds names to an existing pod (e.g. a Service that selects it). */
  public alias(pod: TestPod, ...names: string[]): void {
    pod.names.push(...names);
    this.write();
  }

  /** Removes a name (e.g. a pod whose DNS record is not published yet); the hosts file is rewritten. */
  public unpublish(name: string): void {
    for (const pod of this.pods) {
      const i = pod.names.indexOf(name);
      if (i >= 0) pod.names.splice(i, 1);
    }
    this.write();
  }

  /** argv wrapped so that it runs with this network's hosts file as /etc/hosts. */
  public wrap(argv: string[]): [string, string[]] {
    return ['unshare', ['-m', '--', 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec "$@"', this.hostsFile, ...argv]];
  }

  /** Starts argv with this network's names. */
  public spawn(argv: string[], options: Parameters<typeof spawn>[2] = {}): ChildProcess {
    const [cmd, args] = this.wrap(argv);
    return spawn(cmd, args, options);
  }

  /** Runs argv to completion with this network's names. */
  public run(argv: string[], options: Parameters<typeof spawnSync>[2] = {}): SpawnSyncReturns<string> {
    const [cmd, args] = this.wrap(argv);
    return spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000, ...options }) as SpawnSyncReturns<string>;
  }

  /** Removes the hosts file. */
  public dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private write(): void {
    const lines = this.pods.filter(p => p.names.length > 0).map(p => `${p.address} ${p.names.join(' ')}`);
    // rewritten in place: a running process sees the file through a bind mount of its inode, so a
    // rename would leave it with the old one
    fs.writeFileSync(this.hostsFile, ['127.0.0.1 localhost', ...lines, ''].join('\n'));
  }
}
