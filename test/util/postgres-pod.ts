/**
 * A `Postgres` pod on this machine, from a synthesized StatefulSet: the kubelet's mounts become
 * directories of the test, the env is the container's (secretKeyRefs resolved from the synthesized
 * Secrets, paths mapped onto the stand-ins), the image's entrypoint is replayed with the local
 * binaries (test/util/postgres-server.ts), and `kubectl exec` is a command run as the server's OS
 * user with that env. As test/engines/postgres-real.test.ts does for one pod, for tests that need
 * several.
 *
 * What differs from the cluster, and nothing else:
 * - the server listens on its Unix socket only (`listen_addresses=''`): pods on one machine never
 *   collide on a TCP port, and what runs here (`kubectl exec`) uses the socket anyway;
 * - the socket directory (the image's compiled-in /var/run/postgresql, an emptyDir) is a stand-in,
 *   given to the server as `unix_socket_directories` and to the commands as `PGHOST`;
 * - the binaries are the machine's (Debian's PostgreSQL 15), not the image's major.
 */
import * as fs from 'fs';
import * as path from 'path';
import { findOne } from './harness';
import {
  initdbAsEntrypoint, initFilesAsEntrypoint, makeClaimVolume, makeEmptyDir, run, RunResult, Server, setupDbAsEntrypoint,
  startTemporaryServer, writeSecretFile,
} from './postgres-server';

/** The image's socket directory, an emptyDir in the presets' pods. */
const SOCKET_DIRECTORY = '/var/run/postgresql';

export class PostgresPod {
  /**
   * Starts the pod of a StatefulSet as the image's entrypoint would on an empty claim: initdb,
   * the database, the init scripts, then the server with the rendered args.
   *
   * @param manifests the synthesized objects (the StatefulSet, its Secrets and ConfigMaps)
   * @param name the StatefulSet's name
   * @param root a directory of the test's own for the pod's volumes
   * @param bin the PostgreSQL binaries
   */
  public static async start(manifests: any[], name: string, root: string, bin: string): Promise<PostgresPod> {
    const sts = findOne(manifests, 'StatefulSet', name);
    const pod = sts.spec.template.spec;
    const container = pod.containers.find((c: any) => c.name === 'postgres');
    const claim = sts.spec.volumeClaimTemplates[0].metadata.name;
    const secrets: Record<string, Record<string, string>> = Object.fromEntries(
      manifests.filter(m => m.kind === 'Secret').map(m => [m.metadata.name, m.stringData ?? {}]));
    const configMaps: Record<string, Record<string, string>> = Object.fromEntries(
      manifests.filter(m => m.kind === 'ConfigMap').map(m => [m.metadata.name, m.data ?? {}]));

    fs.mkdirSync(root, { recursive: true, mode: 0o755 });
    fs.chmodSync(root, 0o755);
    const stand: Record<string, string> = {};
    for (const m of container.volumeMounts) {
      const volume = pod.volumes.find((v: any) => v.name === m.name);
      if (m.name === claim) stand[m.mountPath] = path.join(root, 'claim');
      else if (volume?.secret || volume?.configMap || m.mountPath === SOCKET_DIRECTORY) stand[m.mountPath] = path.join(root, m.name);
    }
    const local = (p: string) => {
      const prefix = Object.keys(stand).find(k => p === k || p.startsWith(`${k}/`));
      if (!prefix) throw new Error(`no stand-in for ${p}`);
      return stand[prefix] + p.slice(prefix.length);
    };
    const claimMount = container.volumeMounts.find((m: any) => m.name === claim).mountPath;
    makeClaimVolume(local(claimMount));
    makeEmptyDir(local(SOCKET_DIRECTORY));
    for (const m of container.volumeMounts) {
      const volume = pod.volumes.find((v: any) => v.name === m.name);
      if (volume?.secret) {
        const data = secrets[volume.secret.secretName];
        for (const item of volume.secret.items) writeSecretFile(path.join(local(m.mountPath), item.path), data[item.key]);
      } else if (volume?.configMap) {
        fs.mkdirSync(local(m.mountPath));
        for (const [key, content] of Object.entries(configMaps[volume.configMap.name])) {
          fs.writeFileSync(path.join(local(m.mountPath), key), content, { mode: 0o444 });
        }
      }
    }
    const env: Record<string, string> = {
      PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
      LANG: 'C.UTF-8',
      ...Object.fromEntries(container.env.map((e: any) => {
        const ref = e.valueFrom?.secretKeyRef;
        const value: string = ref ? secrets[ref.name][ref.key] : e.value;
        return [e.name, value.startsWith('/') ? local(value) : value];
      })),
    };

    const serverArgs = container.args.slice(1);
    const socketDir = local(SOCKET_DIRECTORY);
    const first = initdbAsEntrypoint(env, serverArgs, root);
    if (first.initdb.status !== 0) throw new Error(`initdb failed:\n${first.initdb.stderr}`);
    const temporary = await startTemporaryServer(env, serverArgs, socketDir, path.join(root, 'initdb.log'));
    setupDbAsEntrypoint(env, socketDir, first.password);
    if (container.volumeMounts.some((m: any) => m.mountPath === '/docker-entrypoint-initdb.d')) {
      const results = initFilesAsEntrypoint(env, local('/docker-entrypoint-initdb.d'), socketDir, first.password);
      const failed = results.find(r => r.status !== 0);
      if (failed) throw new Error(`init script ${failed.file} failed:\n${failed.stderr}`);
    }
    await temporary.stop('SIGINT');
    const podEnv = { ...env, PGHOST: socketDir };
    const started = new PostgresPod(name, podEnv, serverArgs, socketDir, root);
    await started.startServer();
    return started;
  }

  public server?: Server;

  private constructor(
    /** The StatefulSet's name. */
    public readonly name: string,
    /** The container's env as `kubectl exec` sees it (plus `PGHOST`, the socket stand-in). */
    public readonly env: Record<string, string>,
    private readonly serverArgs: string[],
    private readonly socketDir: string,
    private readonly root: string,
  ) {}

  /** The server's log. */
  public get logFile(): string {
    return path.join(this.root, 'server.log');
  }

  /** Starts the server with the rendered args (socket only). */
  public async startServer(): Promise<Server> {
    this.server = await Server.start([...this.serverArgs, '-c', 'listen_addresses=', '-c', `unix_socket_directories=${this.socketDir}`],
      this.env, this.logFile);
    const ready = Date.now() + 15_000;
    while (this.exec('pg_isready -q -d postgres -U "$POSTGRES_USER"').status !== 0) {
      if (Date.now() > ready) throw new Error(`${this.name}: the server is not ready:\n${fs.readFileSync(this.logFile, 'utf8')}`);
      await new Promise(resolve => setTimeout(resolve, 200));
    }
    return this.server;
  }

  /** `kubectl exec <pod> -c postgres -- sh -c <script>`, with `input` on stdin (`kubectl exec -i`). */
  public exec(script: string, input?: string): RunResult {
    return run(['sh', '-c', script], this.env, input);
  }

  /** psql as the superuser over the socket, one statement, unaligned tuples. */
  public sql(statement: string, database: string = this.env.POSTGRES_DB): RunResult {
    return run(['psql', '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-U', this.env.POSTGRES_USER, '-d', database, '-c', statement], this.env);
  }

  /** Stops the server (fast shutdown, as the kubelet's SIGINT). */
  public async stop(): Promise<void> {
    if (this.server) await this.server.stop('SIGINT').catch(() => undefined);
    this.server = undefined;
  }
}
