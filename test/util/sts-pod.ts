/**
 * A pod of a synthesized StatefulSet run on this machine, for the drills that start, kill and
 * restart pods (test/engines/redis-sentinel-real.test.ts): the container's command, args, env and
 * probes come from the synthesized objects, never from a copy in the test.
 *
 * What the kubelet would do is emulated, and nothing else:
 * - HOSTNAME is the pod name; the env's `secretKeyRef`s are resolved from the synthesized Secrets;
 * - every mount path of the container (emptyDirs, claims) is a directory of the test, substituted
 *   in the rendered command and probes; a claim's directory outlives the process (the pod's claim),
 *   an emptyDir's is emptied on every start (a new pod);
 * - the process runs on a `PodNetwork`: its own loopback address (the container args get
 *   `--bind <address>`, as a pod's only interface) and the pods' DNS names from the network's
 *   hosts file.
 */
import { ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findOne } from './harness';
import { PodNetwork, TestPod } from './pod-network';
import { runProbe, stop } from './redis-server';

export class StsPod {
  /**
   * The pods of a StatefulSet: one `StsPod` per replica, each added to the network under its pod
   * DNS name (the headless Service's `<pod>.<service>.<namespace>.svc.cluster.local`).
   */
  public static all(manifests: any[], statefulSet: string, containerName: string, net: PodNetwork, root: string): StsPod[] {
    const sts = findOne(manifests, 'StatefulSet', statefulSet);
    const start = sts.spec.ordinals?.start ?? 0;
    const namespace = sts.metadata.namespace;
    return Array.from({ length: sts.spec.replicas }, (_, i) => {
      const name = `${statefulSet}-${start + i}`;
      const dns = `${name}.${sts.spec.serviceName}.${namespace}.svc.cluster.local`;
      return new StsPod(manifests, sts, containerName, name, net.addPod(dns), net, join(root, name));
    });
  }

  public process?: ChildProcess;
  /** Everything the process wrote, across restarts. */
  public log = '';
  /** Extra env (the test's own timing knobs, named where they are used). */
  public extraEnv: Record<string, string> = {};
  private readonly container: any;
  private readonly secrets: Record<string, string>;
  private readonly claims: Set<string>;

  private constructor(
    manifests: any[],
    sts: any,
    containerName: string,
    /** The pod name. */
    public readonly name: string,
    /** Its address and DNS names on the network. */
    public readonly pod: TestPod,
    private readonly net: PodNetwork,
    private readonly root: string,
  ) {
    this.container = sts.spec.template.spec.containers.find((c: any) => c.name === containerName);
    if (!this.container) throw new Error(`no container ${containerName} in ${sts.metadata.name}`);
    this.claims = new Set((sts.spec.volumeClaimTemplates ?? []).map((t: any) => t.metadata.name));
    this.secrets = {};
    for (const secret of manifests.filter(m => m.kind === 'Secret')) {
      for (const [key, value] of Object.entries(secret.stringData ?? {})) this.secrets[`${secret.metadata.name}/${key}`] = value as string;
    }
  }

  /** The pod's address (`--bind`). */
  public get address(): string {
    return this.pod.address;
  }

  /** The pod's DNS name. */
  public get dnsName(): string {
    return this.pod.names[0];
  }

  /** The directory standing in for a mount path of the container. */
  public dir(mountPath: string): string {
    const m = this.container.volumeMounts.find((v: any) => v.mountPath === mountPath);
    if (!m) throw new Error(`no mount at ${mountPath} in ${this.name}`);
    return join(this.root, m.name);
  }

  /** The container's env as the kubelet builds it (and the test's extra env). */
  public get env(): NodeJS.ProcessEnv {
    const out: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOSTNAME: this.name };
    for (const e of this.container.env ?? []) {
      if (e.value !== undefined) out[e.name] = e.value;
      const ref = e.valueFrom?.secretKeyRef;
      if (ref) out[e.name] = this.secrets[`${ref.name}/${ref.key}`];
    }
    return { ...out, ...this.extraEnv };
  }

  /** Starts the container (a new pod: emptyDirs emptied, claims kept). */
  public start(): ChildProcess {
    if (this.running) throw new Error(`${this.name} is running`);
    for (const m of this.container.volumeMounts) {
      const dir = join(this.root, m.name);
      if (!this.claims.has(m.name)) rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
    }
    const [cmd, ...args] = this.container.command.map((s: string) => this.mounted(s));
    const child = this.net.spawn([cmd, ...args, ...(this.container.args ?? []), '--bind', this.address],
      { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', d => this.log += d);
    child.stderr!.on('data', d => this.log += d);
    this.process = child;
    return child;
  }

  /** Whether the process runs. */
  public get running(): boolean {
    return this.process !== undefined && this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Kills the process at once (SIGKILL: a node lost, an OOM kill). */
  public async kill(): Promise<void> {
    const child = this.process;
    if (!child || !this.running) return;
    const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
    // the wrapper (unshare, sh) execs the server: its pid is the server's
    child.kill('SIGKILL');
    await exited;
  }

  /** Stops the process as the kubelet does (TERM, then KILL). */
  public async stop(): Promise<void> {
    if (this.process) await stop(this.process);
  }

  /** Empties the pod's claims (a claim deleted and provisioned again, a disk lost). */
  public wipeClaims(): void {
    for (const name of this.claims) rmSync(join(this.root, name), { recursive: true, force: true });
  }

  /** Runs a rendered probe (`startupProbe`, `livenessProbe`, `readinessProbe`) in the pod. */
  public probe(which: 'startupProbe' | 'livenessProbe' | 'readinessProbe'): { ok: boolean; output: string } {
    const p = this.container[which];
    const [cmd, args] = this.net.wrap(p.exec.command.map((s: string) => this.mounted(s)));
    return runProbe({ ...p, exec: { command: [cmd, ...args] } }, this.env);
  }

  /** A rendered string with the mount paths replaced by the pod's directories. */
  private mounted(s: string): string {
    const mounts: Array<[string, string]> = this.container.volumeMounts.map((m: any) => [m.mountPath, join(this.root, m.name)]);
    if (mounts.length === 0) return s;
    // longest first, one pass: a substituted directory is not substituted again
    const sorted = mounts.sort((a, b) => b[0].length - a[0].length);
    const pattern = new RegExp(sorted.map(([p]) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
    return s.replace(pattern, p => sorted.find(([q]) => q === p)![1]);
  }
}
