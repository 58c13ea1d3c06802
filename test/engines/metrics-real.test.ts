/**
 * The exporter sidecars of `addMetrics()` run for real: Debian's prometheus-postgres-exporter
 * (0.11) and prometheus-redis-exporter (1.45), with the env and args taken from the synthesized
 * StatefulSets, against a real PostgreSQL server, and a real primary with a replica of
 * redis-server and of valkey-server (all with a password), scraped over HTTP as Prometheus would.
 *
 * Each pod gets its own loopback address from `PodNetwork`. What the kubelet and the pod would do
 * is emulated, and only what must be is translated:
 * - in a pod, the exporter and the server share the pod's loopback, so the exporter reaches the
 *   server at 127.0.0.1; here each pod has its own address, so `127.0.0.1` in `DATA_SOURCE_URI`
 *   and `REDIS_ADDR` becomes the pod's address, and `--web.listen-address=:<port>` (every address
 *   of the pod) becomes `<pod address>:<port>`;
 * - the env's `secretKeyRef`s are resolved from the synthesized Secret; the mount paths become
 *   temporary directories (the Secret volume's items as files of mode 0440, group-owned by the
 *   fsGroup's stand-in);
 * - the exporter runs as the rendered `runAsUser` and `runAsGroup`, with the pod's fsGroup as a
 *   supplementary group (setpriv). For PostgreSQL the fsGroup is the image's `postgres` group
 *   (999); here Debian's `postgres` group stands in for it, as in test/engines/postgres-real.test.ts;
 * - the binary is Debian's, in place of the pinned image's entrypoint. The rendered flags and
 *   variables are the same for both versions, except `REDIS_EXPORTER_DISABLE_SCRAPE_ENDPOINT`,
 *   which Debian's 1.45 predates (it ignores the variable: its `/scrape` endpoint stays on here).
 *
 * The PostgreSQL server's pg_hba.conf is made stricter than the image's: the image trusts
 * connections from 127.0.0.1 (FACTS.md), which would let the exporter in without a password; here
 * every TCP connection needs the password (scram-sha-256), so the exporter's password file is what
 * lets it in, and a wrong one keeps it out.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DataStoreCredentials } from '../../src/connection/data-store';
import { Postgres } from '../../src/engines/postgres';
import { Redis, RedisCompatibleBase } from '../../src/engines/redis';
import { Valkey } from '../../src/engines/valkey';
import { findOne, synthValid } from '../util/harness';
import { DEBIAN, httpGet, metricNames, parseSamples, poll, requireBinaries, RunningExporter, Sample, samplesOf, spawnAs, stopProcess } from '../util/metrics';
import { PodNetwork, TestPod } from '../util/pod-network';
import { chown, initdbAsEntrypoint, pg, requirePostgresBinaries, Server, writeSecretFile } from '../util/postgres-server';
import { cli, containerEnv, info, RedisCli, requireRedis, requireValkey, stop, waitFor } from '../util/redis-server';

jest.setTimeout(60_000);

/** The rules' metrics not served by the engine's exporter: Prometheus's own, the kubelet's, kube-state-metrics'. */
const NOT_FROM_THE_EXPORTER = (name: string) => name === 'up' || name.startsWith('kubelet_') || name.startsWith('kube_');

/** `127.0.0.1` (the pod's loopback, shared with the server) as this test's pod address. */
function onPod(value: string, pod: TestPod): string {
  return value.replace('127.0.0.1', pod.address);
}

/** The rendered args, the listen address `:<port>` bound to the pod's address. */
function listenOnPod(args: string[], pod: TestPod): string[] {
  return args.map(a => a.replace(/^(--web\.listen-address=):([0-9]+)$/, `$1${pod.address}:$2`));
}

/** The rendered port of a container's `metrics` port. */
function metricsPort(container: any): number {
  return container.ports.find((p: any) => p.name === 'metrics').containerPort;
}

async function scrape(pod: TestPod, port: number): Promise<Sample[]> {
  const res = await httpGet(`http://${pod.address}:${port}/metrics`);
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  return parseSamples(res.body);
}

const exporters: RunningExporter[] = [];
const tmpDirs: string[] = [];
const networks: PodNetwork[] = [];

afterAll(async () => {
  await Promise.all(exporters.map(e => stopProcess(e.process)));
  for (const n of networks) n.dispose();
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

describe('Postgres metrics: the synthesized postgres_exporter sidecar scrapes a real server with the password file', () => {
  const USER = 'user_admin';
  // quotes, a backslash and shell characters; no white space (see the last test)
  const PASSWORD = 'user"manager"\\$HOME#secret\'quoted';
  let manifests: any[];
  let exporterContainer: any;
  let pod: TestPod;
  let root: string;
  let server: Server | undefined;
  let exporterEnv: Record<string, string>;
  let passwordDir: string;

  const startExporter = (env: Record<string, string>): RunningExporter => {
    const running = spawnAs([DEBIAN.postgresExporter, ...listenOnPod(exporterContainer.args, pod)], env, {
      user: exporterContainer.securityContext.runAsUser,
      group: exporterContainer.securityContext.runAsGroup,
      fsGroup: pg().gid,
    });
    exporters.push(running);
    return running;
  };

  beforeAll(async () => {
    requireBinaries(DEBIAN.postgresExporter);
    const bin = requirePostgresBinaries();

    // GIVEN a Postgres with metrics, synthesized
    const chart = new Chart(Testing.app(), 'test', { namespace: 'accounts' });
    const secret = new kplus.Secret(chart, 'creds', { metadata: { name: 'user-db-credentials' }, stringData: { username: USER, password: PASSWORD } });
    const db = new Postgres(chart, 'db', { metadata: { name: 'user-db' }, credentials: DataStoreCredentials.fromSecret(secret) });
    db.addMetrics();
    manifests = synthValid(chart);
    const sts = findOne(manifests, 'StatefulSet', 'user-db');
    const spec = sts.spec.template.spec;
    const serverContainer = spec.containers.find((c: any) => c.name === 'postgres');
    exporterContainer = spec.containers.find((c: any) => c.name === 'postgres-exporter');
    const secrets: Record<string, Record<string, string>> = { 'user-db-credentials': findOne(manifests, 'Secret', 'user-db-credentials').stringData };

    // the pod: its address, the claim, the Secret volume (one directory, mounted in both containers)
    const net = new PodNetwork();
    networks.push(net);
    pod = net.addPod('user-db-0.user-db.accounts.svc.cluster.local');
    root = mkdtempSync(join(tmpdir(), 'metrics-pg-'));
    tmpDirs.push(root);
    chmodSync(root, 0o755);
    const volume = spec.volumes.find((v: any) => v.name === 'postgres-password');
    passwordDir = join(root, 'postgres-password');
    for (const item of volume.secret.items) writeSecretFile(join(passwordDir, item.path), secrets[volume.secret.secretName][item.key]);
    const mountOf = (c: any) => c.volumeMounts.find((m: any) => m.name === 'postgres-password').mountPath;
    const local = (c: any, value: string) => value.replace(mountOf(c), passwordDir);
    const resolve = (c: any): Record<string, string> => Object.fromEntries(c.env.map((e: any) => {
      const ref = e.valueFrom?.secretKeyRef;
      return [e.name, ref ? secrets[ref.name][ref.key] : local(c, e.value)];
    }));

    // the server, on the pod's address, every TCP connection with a password
    const serverEnv = { PATH: `${bin}:/usr/bin:/bin`, LANG: 'C.UTF-8', ...resolve(serverContainer), PGDATA: join(root, 'pgdata') };
    const socketDir = join(root, 'run');
    mkdirSync(socketDir, { mode: 0o777 });
    chmodSync(socketDir, 0o777);
    chown(root, pg().uid, pg().gid);
    const init = initdbAsEntrypoint(serverEnv, serverContainer.args.slice(1), root);
    if (init.initdb.status !== 0) throw new Error(`initdb failed:\n${init.initdb.stderr}`);
    writeFileSync(join(serverEnv.PGDATA, 'pg_hba.conf'), 'local all all trust\nhost all all all scram-sha-256\n');
    server = await Server.start([...serverContainer.args.slice(1), '-c', `listen_addresses=${pod.address}`, '-c', `unix_socket_directories=${socketDir}`],
      serverEnv, join(root, 'server.log'));

    // the exporter, with the container's env as the kubelet builds it
    exporterEnv = Object.fromEntries(Object.entries(resolve(exporterContainer)).map(([k, v]) => [k, k === 'DATA_SOURCE_URI' ? onPod(v, pod) : v]));
    startExporter(exporterEnv);
  });

  afterAll(async () => {
    if (server) await server.stop('SIGINT').catch(() => undefined);
  });

  test('the rendered sidecar: the user from the Secret key, the password as a file of the Secret, no secret in args or env', () => {
    expect(exporterContainer.env).toEqual([
      { name: 'DATA_SOURCE_URI', value: '127.0.0.1:5432/postgres?sslmode=disable' },
      { name: 'DATA_SOURCE_USER', valueFrom: { secretKeyRef: { name: 'user-db-credentials', key: 'username' } } },
      { name: 'DATA_SOURCE_PASS_FILE', value: '/run/secrets/postgres/password' },
    ]);
    expect(exporterContainer.args).toEqual(['--web.listen-address=:9187']);
    expect(JSON.stringify(findOne(manifests, 'StatefulSet', 'user-db'))).not.toContain('#secret');
  });

  test('pg_up 1: the exporter logs in with the password file over TCP', async () => {
    const samples = await poll('pg_up 1', async () => {
      const s = await scrape(pod, metricsPort(exporterContainer));
      return samplesOf(s, 'pg_up')[0]?.value === 1 ? s : undefined;
    }).catch(e => {
      throw new Error(`${e.message}\nexporter (exit ${exporters[0].process.exitCode}): ${exporters[0].output()}`);
    });
    expect(samplesOf(samples, 'pg_up')).toEqual([{ name: 'pg_up', labels: {}, value: 1 }]);
    // the server counts the exporter's connection: it came over TCP as the rendered user
    expect(samplesOf(samples, 'pg_stat_activity_count', { datname: 'postgres', state: 'active' }).length).toBeGreaterThan(0);
  });

  test('every metric the PostgreSQL alerts read is served', async () => {
    const samples = await scrape(pod, metricsPort(exporterContainer));
    const rule = findOne(manifests, 'PrometheusRule', 'user-db');
    const names: string[] = [...new Set<string>(rule.spec.groups.flatMap((g: any) => g.rules.flatMap((r: any) => metricNames(r.expr))))]
      .filter(n => !NOT_FROM_THE_EXPORTER(n)).sort();
    expect(names).toEqual(['pg_settings_max_connections', 'pg_stat_activity_count', 'pg_up']);
    for (const name of names) expect({ name, served: samplesOf(samples, name).length > 0 }).toEqual({ name, served: true });
  });

  test('the exporter process holds no password: not in its command line nor its environment', () => {
    const pid = exporters[0].process.pid!;
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain('#secret');
    // setpriv execs the exporter: the same pid
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).not.toContain('#secret');
  });

  test('with a wrong password in the file, pg_up 0: the password file is what lets it in', async () => {
    await stopProcess(exporters[0].process);
    const wrongDir = join(root, 'wrong-password');
    writeSecretFile(join(wrongDir, 'password'), 'not-the-password');
    const running = startExporter({ ...exporterEnv, DATA_SOURCE_PASS_FILE: join(wrongDir, 'password') });
    const samples = await poll('pg_up 0', async () => {
      const s = await scrape(pod, metricsPort(exporterContainer));
      return samplesOf(s, 'pg_up')[0]?.value === 0 ? s : undefined;
    });
    expect(samplesOf(samples, 'pg_up')[0].value).toBe(0);
    await stopProcess(running.process);
    expect(readFileSync(join(root, 'server.log'), 'utf8')).toMatch(new RegExp(`password authentication failed for user "${USER}"`));
  });

  test('a password with a space breaks the exporter (why synthesis refuses one with metrics on)', async () => {
    const spaceDir = join(root, 'space-password');
    writeSecretFile(join(spaceDir, 'password'), 'two words');
    const running = startExporter({ ...exporterEnv, DATA_SOURCE_PASS_FILE: join(spaceDir, 'password') });
    await new Promise<void>(resolve => running.process.once('exit', () => resolve()));
    expect(running.process.exitCode).not.toBe(0);
    expect(running.output()).toContain('malformed dsn');
  });
});

interface RedisLike {
  /** The preset's container name (and its flavor). */
  readonly server: 'redis' | 'valkey';
  readonly cli: RedisCli;
  readonly require: () => void;
  readonly build: (chart: Chart, password: DataStoreCredentials) => RedisCompatibleBase;
}

const REDIS_LIKE: Array<[string, RedisLike]> = [
  ['Redis', {
    server: 'redis',
    cli: 'redis-cli',
    require: requireRedis,
    build: (chart, password) => new Redis(chart, 'redis', { metadata: { name: 'news-redis' }, readReplicas: 1, password }),
  }],
  // the same exporter image for Valkey: redis_exporter speaks to any server of the protocol
  ['Valkey', {
    server: 'valkey',
    cli: 'valkey-cli',
    require: requireValkey,
    build: (chart, password) => new Valkey(chart, 'valkey', { metadata: { name: 'news-redis' }, readReplicas: 1, password }),
  }],
];

describe.each(REDIS_LIKE)('%s metrics: the synthesized redis_exporter sidecars scrape a primary and its replica with the password', (_engine, like) => {
  const PASSWORD = 'news "manager" \\ $HOME #secret';
  const PORT = 6379;
  let manifests: any[];
  let redisContainer: any;
  let exporterContainer: any;
  let net: PodNetwork;
  const pods: TestPod[] = [];

  beforeAll(async () => {
    like.require();
    requireBinaries(DEBIAN.redisExporter);

    // GIVEN a Redis primary and a replica with metrics, synthesized
    const chart = new Chart(Testing.app(), 'test', { namespace: 'news' });
    const secret = new kplus.Secret(chart, 'auth', { metadata: { name: 'news-redis-auth' }, stringData: { password: PASSWORD } });
    like.build(chart, DataStoreCredentials.fromPasswordSecret(secret)).addMetrics();
    manifests = synthValid(chart);
    const sts = findOne(manifests, 'StatefulSet', 'news-redis');
    redisContainer = sts.spec.template.spec.containers.find((c: any) => c.name === like.server);
    exporterContainer = sts.spec.template.spec.containers.find((c: any) => c.name === `${like.server}-exporter`);
    const secrets = { 'news-redis-auth/password': PASSWORD };

    // the pods, by their DNS names (the replica resolves the rendered primary host)
    net = new PodNetwork();
    networks.push(net);
    const root = mkdtempSync(join(tmpdir(), 'metrics-redis-'));
    tmpDirs.push(root);
    for (const ordinal of [0, 1]) {
      const name = `news-redis-${ordinal}`;
      const pod = net.addPod(`${name}.news-redis.news.svc.cluster.local`);
      pods.push(pod);
      const mounts: Array<[string, string]> = redisContainer.volumeMounts.map((m: any) => {
        const dir = join(root, name, m.name);
        mkdirSync(dir, { recursive: true });
        return [m.mountPath, dir];
      });
      const pattern = new RegExp(mounts.map(([p]) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
      const mounted = (s: string) => s.replace(pattern, p => mounts.find(([m]) => m === p)![1]);
      const env = containerEnv(redisContainer.env, secrets, { HOSTNAME: name });
      const [cmd, ...args] = redisContainer.command.map(mounted);
      const child = net.spawn([cmd, ...args, '--bind', pod.address], { env, stdio: 'ignore' });
      exporters.push({ process: child, output: () => '' });
      await waitFor(`${name} to answer PING`, () => cli({ address: pod.address, port: PORT }, ['ping'], PASSWORD, like.cli) === 'PONG' || undefined);

      // its exporter, with the container's env as the kubelet builds it
      const exporterEnv = containerEnv(exporterContainer.env, secrets, {}) as Record<string, string>;
      exporterEnv.REDIS_ADDR = onPod(exporterEnv.REDIS_ADDR, pod);
      exporters.push(spawnAs([DEBIAN.redisExporter, ...listenOnPod(exporterContainer.args, pod)], exporterEnv, {
        user: exporterContainer.securityContext.runAsUser,
        group: exporterContainer.securityContext.runAsGroup,
        fsGroup: sts.spec.template.spec.securityContext.fsGroup,
      }));
    }
    await waitFor('the replica\'s link', () => info({ address: pods[1].address, port: PORT }, 'replication', PASSWORD, like.cli).master_link_status === 'up' || undefined, 20_000);
  });

  const scrapeUntil = (pod: TestPod, what: string, ok: (s: Sample[]) => boolean) =>
    poll(what, async () => {
      const s = await scrape(pod, metricsPort(exporterContainer));
      return ok(s) ? s : undefined;
    });

  test('the rendered sidecar: the password only as a reference to the Secret, the scrape endpoint off, no secret in args', () => {
    expect(exporterContainer.env).toEqual([
      { name: 'REDIS_ADDR', value: `redis://127.0.0.1:${PORT}` },
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'news-redis-auth', key: 'password' } } },
      { name: 'REDIS_EXPORTER_DISABLE_SCRAPE_ENDPOINT', value: 'true' },
    ]);
    expect(exporterContainer.args).toEqual(['--web.listen-address=:9121']);
    expect(JSON.stringify(findOne(manifests, 'StatefulSet', 'news-redis'))).not.toContain('#secret');
  });

  test('redis_up 1 on both pods: the exporters authenticate with the password from the Secret', async () => {
    for (const pod of pods) {
      const samples = await scrapeUntil(pod, `redis_up 1 on ${pod.names[0]}`, s => samplesOf(s, 'redis_up')[0]?.value === 1);
      expect(samplesOf(samples, 'redis_up')).toEqual([{ name: 'redis_up', labels: {}, value: 1 }]);
    }
  });

  test('the replica is visible in the replication metrics: connected on the primary, its link up', async () => {
    const primary = await scrapeUntil(pods[0], 'redis_connected_slaves 1', s => samplesOf(s, 'redis_connected_slaves')[0]?.value === 1);
    expect(samplesOf(primary, 'redis_instance_info')[0].labels.role).toBe('master');
    expect(samplesOf(primary, 'redis_connected_slave_lag_seconds')).toHaveLength(1);
    const replica = await scrapeUntil(pods[1], 'redis_master_link_up 1', s => samplesOf(s, 'redis_master_link_up')[0]?.value === 1);
    expect(samplesOf(replica, 'redis_instance_info')[0].labels.role).toBe('slave');
    expect(samplesOf(replica, 'redis_master_link_up')).toEqual([{
      name: 'redis_master_link_up',
      labels: { master_host: 'news-redis-0.news-redis.news.svc.cluster.local', master_port: String(PORT) },
      value: 1,
    }]);
  });

  test('every metric the alerts read is served (a write refused for memory gives redis_errors_total{err="OOM"})', async () => {
    // a write refused with OOM, as at maxmemory, then the rendered maxmemory back
    const primary = { address: pods[0].address, port: PORT };
    const maxmemory = cli(primary, ['config', 'get', 'maxmemory'], PASSWORD, like.cli).split('\n')[1];
    cli(primary, ['config', 'set', 'maxmemory', '1'], PASSWORD, like.cli);
    expect(cli(primary, ['set', 'headline', 'too much'], PASSWORD, like.cli)).toMatch(/^OOM/);
    cli(primary, ['config', 'set', 'maxmemory', maxmemory], PASSWORD, like.cli);

    const rule = findOne(manifests, 'PrometheusRule', 'news-redis');
    const names: string[] = [...new Set<string>(rule.spec.groups.flatMap((g: any) => g.rules.flatMap((r: any) => metricNames(r.expr))))]
      .filter(n => !NOT_FROM_THE_EXPORTER(n)).sort();
    expect(names).toEqual([
      'redis_config_maxclients', 'redis_connected_clients', 'redis_connected_slave_lag_seconds', 'redis_connected_slaves',
      'redis_errors_total', 'redis_master_link_up', 'redis_memory_max_bytes', 'redis_memory_used_bytes',
      'redis_rejected_connections_total', 'redis_up',
    ]);
    const fromPrimary = await scrapeUntil(pods[0], 'redis_errors_total{err="OOM"}', s => samplesOf(s, 'redis_errors_total', { err: 'OOM' }).length > 0);
    const fromReplica = await scrape(pods[1], metricsPort(exporterContainer));
    for (const name of names) {
      const served = samplesOf(fromPrimary, name).length > 0 || samplesOf(fromReplica, name).length > 0;
      expect({ name, served }).toEqual({ name, served: true });
    }
    expect(samplesOf(fromPrimary, 'redis_memory_max_bytes')[0].value).toBe(Number(maxmemory));
  });

  test('no exporter process holds the password in its command line', () => {
    const alive = (x: RunningExporter) => x.process.exitCode === null && x.process.signalCode === null;
    const running = exporters.filter(x => x.process.spawnargs.includes(DEBIAN.redisExporter) && alive(x));
    expect(running).toHaveLength(2);
    for (const e of running) {
      expect(readFileSync(`/proc/${e.process.pid}/cmdline`, 'utf8')).not.toContain('#secret');
    }
  });

  afterAll(async () => {
    await Promise.all(exporters.map(e => stop(e.process)));
  });
});
