/**
 * A pod of a synthesized `Postgres` StatefulSet on this machine, with its init containers, for the
 * replication drills (test/engines/postgres-replication-real.test.ts): the init containers'
 * commands, the server's args, every env and probe come from the synthesized StatefulSet.
 *
 * What the kubelet and the image would do is emulated, and nothing else:
 * - HOSTNAME is the pod name; `secretKeyRef`s are resolved from the synthesized Secrets; Secret
 *   volumes are files (mode 0440, group-owned by the fsGroup), the claim a directory holding
 *   `lost+found` (setgid, group-owned by the fsGroup), emptyDirs fresh directories at every start
 *   of the pod, all substituted for their mount paths in the env and in the commands;
 * - every process runs as the OS user `postgres` (the image's uid 999) on a `PodNetwork`: its own
 *   loopback address, the pods' DNS names in the network's hosts file;
 * - the init containers run in order and must exit 0; then the server container runs the image's
 *   entrypoint, which on an initialized data directory `exec`s `postgres` with the args: the test
 *   runs `postgres` with them;
 * - `docker-ensure-initdb.sh` is test/util/docker-ensure-initdb.sh (a stand-in for the image's);
 * - the server (and the init container's temporary server) get `-c listen_addresses=<the pod's
 *   address>` (a pod's only interface; the image's configuration says `*`) and `-c
 *   unix_socket_directories=<the /var/run/postgresql stand-in>` (the image's compiled-in default)
 *   after the rendered args, and PGHOST names that directory; the probes' `127.0.0.1` (the pod's
 *   own loopback) is the pod's address.
 */
import { ChildProcess, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findOne } from './harness';
import { PodNetwork, TestPod } from './pod-network';
import { chown, makeClaimVolume, makeEmptyDir, pg, writeSecretFile } from './postgres-server';

const SOCKET_DIRECTORY = '/var/run/postgresql';

export interface PodRun {
  readonly status: number | null;
  readonly output: string;
}

export class PostgresStsPod {
  /** The pods of the StatefulSet, each added to the network under its pod DNS name. */
  public static all(manifests: any[], statefulSet: string, net: PodNetwork, root: string, bin: string): PostgresStsPod[] {
    const sts = findOne(manifests, 'StatefulSet', statefulSet);
    const start = sts.spec.ordinals?.start ?? 0;
    const stubs = path.join(root, 'bin');
    fs.mkdirSync(stubs, { recursive: true, mode: 0o755 });
    fs.chmodSync(root, 0o755);
    fs.copyFileSync(path.join(__dirname, 'docker-ensure-initdb.sh'), path.join(stubs, 'docker-ensure-initdb.sh'));
    fs.chmodSync(path.join(stubs, 'docker-ensure-initdb.sh'), 0o755);
    return Array.from({ length: sts.spec.replicas }, (_, i) => {
      const name = `${statefulSet}-${start + i}`;
      const dns = `${name}.${sts.spec.serviceName}.${sts.metadata.namespace}.svc.cluster.local`;
      return new PostgresStsPod(manifests, sts, name, net.addPod(dns), net, path.join(root, name), `${stubs}:${bin}`);
    });
  }

  public server?: ChildProcess;
  /** The server's output, across restarts. */
  public log = '';
  /** The init containers' output, across restarts. */
  public initLog = '';
  /** Extra env of every container (the test's own timing knobs, named where they are used). */
  public extraEnv: Record<string, string> = {};
  /** Extra server args after the rendered ones (the test's own, named where they are used). */
  public extraArgs: string[] = [];
  private readonly spec: any;
  private readonly secrets: Record<string, Record<string, string>>;
  private readonly claim: string;

  private constructor(
    manifests: any[],
    sts: any,
    /** The pod name. */
    public readonly name: string,
    /** Its address and DNS names. */
    public readonly pod: TestPod,
    private readonly net: PodNetwork,
    private readonly root: string,
    private readonly searchPath: string,
  ) {
    this.spec = sts.spec.template.spec;
    this.claim = sts.spec.volumeClaimTemplates[0].metadata.name;
    this.secrets = Object.fromEntries(manifests.filter(m => m.kind === 'Secret').map(m => [m.metadata.name, m.stringData ?? {}]));
  }

  public get address(): string {
    return this.pod.address;
  }

  public get dnsName(): string {
    return this.pod.names[0];
  }

  /** The server container. */
  public get container(): any {
    return this.spec.containers.find((c: any) => c.name === 'postgres');
  }

  /** The directory standing in for a mount path. */
  public local(mountPath: string): string {
    const mounts = this.mounts();
    const prefix = Object.keys(mounts).sort((a, b) => b.length - a.length).find(k => mountPath === k || mountPath.startsWith(`${k}/`));
    if (!prefix) throw new Error(`no stand-in for ${mountPath}`);
    return mounts[prefix] + mountPath.slice(prefix.length);
  }

  /** PGDATA, on this machine. */
  public get pgdata(): string {
    return this.env(this.container).PGDATA;
  }

  /** Runs the init containers, in order (a pod starting); resolves with the first failure, if any. */
  public async init(): Promise<PodRun> {
    this.prepareVolumes();
    for (const c of this.spec.initContainers ?? []) {
      const argv = [...c.command.map((s: string) => this.mapped(s)), ...this.serverArgs(c)];
      const child = this.net.spawn(this.asPostgres(argv, this.env(c)), { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/tmp' });
      let output = '';
      child.stdout!.on('data', d => output += d);
      child.stderr!.on('data', d => output += d);
      const status = await new Promise<number | null>(resolve => child.once('close', code => resolve(code)));
      this.initLog += output;
      if (status !== 0) return { status, output };
    }
    return { status: 0, output: '' };
  }

  /** Starts the server container (after `init()`): the image's entrypoint execs `postgres` with the args. */
  public startServer(): ChildProcess {
    const args = this.serverArgs(this.container);
    const child = this.net.spawn(this.asPostgres(['postgres', ...args.slice(1)], this.env(this.container)), { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', d => this.log += d);
    child.stderr!.on('data', d => this.log += d);
    this.server = child;
    return child;
  }

  /** Stops the server as the runtime does (the image's STOPSIGNAL, SIGINT: a fast shutdown). */
  public async stop(): Promise<void> {
    const child = this.server;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
    const pid = this.postmasterPid();
    if (pid) process.kill(pid, 'SIGINT');
    else child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }

  /** Empties the pod's claim (deleted and provisioned again, or its disk lost). */
  public wipeClaim(): void {
    fs.rmSync(this.mounts()[this.claimMountPath()], { recursive: true, force: true });
  }

  /** `kubectl exec <pod> -- sh -c <script>` in the server container. */
  public exec(script: string): PodRun {
    return this.run(['sh', '-c', script], this.env(this.container), 20_000);
  }

  /** psql as the superuser over the socket, unaligned tuples. */
  public sql(statement: string): PodRun {
    const env = this.env(this.container);
    return this.run(['psql', '-X', '-At', '-v', 'ON_ERROR_STOP=1', '-U', env.POSTGRES_USER, '-d', env.POSTGRES_DB, '-c', statement], env, 20_000);
  }

  /** Runs a rendered probe of the server container. */
  public probe(which: 'startupProbe' | 'livenessProbe' | 'readinessProbe'): PodRun {
    const command = this.container[which].exec.command.map((s: string) => this.mapped(s).split('127.0.0.1').join(this.address));
    return this.run(command, this.env(this.container), this.container[which].timeoutSeconds * 1000);
  }

  /** The postmaster's pid, from postmaster.pid. */
  public postmasterPid(): number | undefined {
    try {
      const pid = Number(fs.readFileSync(path.join(this.pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** Every mount path of the pod's containers and its directory here. */
  private mounts(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const c of [...this.spec.initContainers ?? [], ...this.spec.containers]) {
      for (const m of c.volumeMounts) out[m.mountPath] = path.join(this.root, m.name === this.claim ? 'claim' : m.name);
    }
    return out;
  }

  private claimMountPath(): string {
    return this.container.volumeMounts.find((m: any) => m.name === this.claim).mountPath;
  }

  /** The volumes as the kubelet prepares them for a new pod: the claim kept, the rest fresh. */
  private prepareVolumes(): void {
    fs.mkdirSync(this.root, { recursive: true, mode: 0o755 });
    fs.chmodSync(this.root, 0o755);
    const seen = new Set<string>();
    for (const c of [...this.spec.initContainers ?? [], ...this.spec.containers]) {
      for (const m of c.volumeMounts) {
        if (seen.has(m.name)) continue;
        seen.add(m.name);
        const dir = this.local(m.mountPath);
        const volume = this.spec.volumes?.find((v: any) => v.name === m.name);
        if (m.name === this.claim) {
          if (!fs.existsSync(dir)) makeClaimVolume(dir);
          continue;
        }
        fs.rmSync(dir, { recursive: true, force: true });
        if (volume?.secret) {
          for (const item of volume.secret.items) writeSecretFile(path.join(dir, item.path), this.secrets[volume.secret.secretName][item.key]);
          chown(dir, 0, pg().gid);
          fs.chmodSync(dir, 0o755);
        } else {
          makeEmptyDir(dir);
        }
      }
    }
  }

  /** The container's env as the kubelet builds it, paths mapped, plus PGHOST and the test's extras. */
  private env(container: any): Record<string, string> {
    const out: Record<string, string> = {
      PATH: `${this.searchPath}:/usr/local/bin:/usr/bin:/bin`,
      LANG: 'C.UTF-8',
      HOSTNAME: this.name,
      PGHOST: this.local(SOCKET_DIRECTORY),
    };
    for (const e of container.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      const value: string = ref ? this.secrets[ref.name][ref.key] : e.value;
      out[e.name] = value.startsWith('/') ? this.local(value) : value;
    }
    return { ...out, ...this.extraEnv };
  }

  /** The rendered args, paths mapped, then the pod's address and socket directory (already local paths: never mapped again). */
  private serverArgs(container: any): string[] {
    return [...container.args.map((s: string) => this.mapped(s)), '-c', `listen_addresses=${this.address}`, '-c', `unix_socket_directories=${this.local(SOCKET_DIRECTORY)}`, ...this.extraArgs];
  }

  /** A rendered string with every mount path replaced by its directory (longest first, one pass). */
  private mapped(s: string): string {
    const mounts = Object.entries(this.mounts()).sort((a, b) => b[0].length - a[0].length);
    const pattern = new RegExp(mounts.map(([p]) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
    return s.replace(pattern, p => mounts.find(([q]) => q === p)![1]);
  }

  private asPostgres(argv: string[], env: Record<string, string>): string[] {
    return ['runuser', '-u', 'postgres', '--', 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv];
  }

  private run(argv: string[], env: Record<string, string>, timeout: number): PodRun {
    const [cmd, args] = this.net.wrap(this.asPostgres(argv, env));
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout, cwd: '/tmp' });
    if (r.error) throw r.error;
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  }
}
