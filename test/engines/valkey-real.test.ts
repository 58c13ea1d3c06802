/**
 * The `Valkey` construct's rendering run against a real `valkey-server` (Debian bookworm-backports'
 * valkey-server and valkey-tools 8.0; .ci/run installs them): the container's command, env and
 * probes are taken from the synthesized StatefulSet, never copied into the test, and pods 0 and 1
 * run as local processes on a `PodNetwork`.
 *
 * What the kubelet would do is emulated: HOSTNAME is the pod name, the env's `secretKeyRef` is
 * resolved from the synthesized Secret, and the container's mounts (`/etc/valkey`, `/data`) are
 * temporary directories (their paths substituted in the rendered scripts). Each pod has its own
 * loopback address, and the pods' DNS names resolve to them through the network's hosts file: the
 * replica finds the primary by the rendered `REDIS_PRIMARY_HOST` (pod 0's DNS name) unchanged.
 * The container args (`"$@"`) bind each pod to its own address. Both pods listen on the rendered
 * port, 6379, as pods do.
 */
import { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DataStoreCredentials } from '../../src/connection/data-store';
import { ProbeJson } from '../../src/engines/private/common';
import { Valkey } from '../../src/engines/valkey';
import { findOne, synthValid } from '../util/harness';
import { PodNetwork, TestPod } from '../util/pod-network';
import { canListen, cli, containerEnv, info, requireValkey, runProbe, stop, waitFor } from '../util/redis-server';

// spaces, quotes, a backslash, shell and config comment characters
const PASSWORD = 'cache "of" \\ $HOME #valkey-secret';
const NAMESPACE = 'news';

const children: ChildProcess[] = [];
const tmpDirs: string[] = [];
let net: PodNetwork;

afterAll(async () => {
  await Promise.all(children.map(stop));
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
  net?.dispose();
});

interface Pod {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly env: NodeJS.ProcessEnv;
  readonly configDir: string;
  readonly dataDir: string;
  readonly probes: ProbeJson[];
  process: ChildProcess;
  output(): string;
}

describe('Valkey construct: the synthesized StatefulSet runs a primary and a replica on valkey-server', () => {
  let valkey: Valkey;
  let sts: any;
  let container: any;
  let secrets: Record<string, string>;
  let root: string;
  let pods: TestPod[];
  let primary: Pod;
  let replica: Pod;
  let port: number;

  /** Starts pod `<sts>-<ordinal>` as the kubelet would, from the synthesized container. */
  const start = (ordinal: number): Pod => {
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
    const env = containerEnv(container.env, secrets, { HOSTNAME: name });
    const address = pods[ordinal].address;
    const child = net.spawn([...container.command.map(mounted), '--bind', address], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout!.on('data', d => output += d);
    child.stderr!.on('data', d => output += d);
    const probes = [container.startupProbe, container.livenessProbe, container.readinessProbe]
      .map((p: any) => ({ ...p, exec: { command: p.exec.command.map(mounted) } }));
    return {
      name,
      address,
      port,
      env,
      probes,
      process: child,
      output: () => output,
      configDir: mounts.find(([p]) => p === '/etc/valkey')![1],
      dataDir: mounts.find(([p]) => p === '/data')![1],
    };
  };
  const ping = (pod: Pod) => cli(pod, ['ping'], PASSWORD, 'valkey-cli');
  const linkUp = () => waitFor('the replica\'s link to come up', () => info(replica, 'replication', PASSWORD, 'valkey-cli').master_link_status === 'up' || undefined, 20000);

  beforeAll(async () => {
    requireValkey();
    const chart = new Chart(Testing.app(), 'test', { namespace: NAMESPACE });
    const secret = new kplus.Secret(chart, 'auth', { metadata: { name: 'news-valkey-auth' }, stringData: { password: PASSWORD } });
    valkey = new Valkey(chart, 'valkey', {
      metadata: { name: 'news-valkey' },
      readReplicas: 1,
      password: DataStoreCredentials.fromPasswordSecret(secret),
    });
    const manifests = synthValid(chart);
    sts = findOne(manifests, 'StatefulSet', 'news-valkey');
    container = sts.spec.template.spec.containers.find((c: any) => c.name === 'valkey');
    secrets = { 'news-valkey-auth/password': findOne(manifests, 'Secret', 'news-valkey-auth').stringData.password };
    port = container.ports[0].containerPort;

    // each pod answers to its DNS name under the headless Service, as the cluster's DNS would
    net = new PodNetwork();
    pods = [0, 1].map(i => net.addPod(valkey.workload.podDnsName(i)));
    for (const pod of pods) {
      if (!await canListen(pod.address, port)) throw new Error(`${pod.address}:${port} is in use: the test needs it free`);
    }
    root = mkdtempSync(join(tmpdir(), 'valkey-construct-'));
    tmpDirs.push(root);
    primary = start(0);
    replica = start(1);
    for (const pod of [primary, replica]) {
      await waitFor(`${pod.name} to answer PING (output: ${pod.output()})`, () => ping(pod) === 'PONG' || undefined);
    }
  }, 60000);

  test('the rendered StatefulSet: two pods of the Valkey image, the password only as a reference to the Secret', () => {
    expect(sts.spec.replicas).toBe(2);
    expect(container.image).toBe('docker.io/valkey/valkey:8.1.11');
    expect(container.command[2]).toContain('exec valkey-server "$conf" "$@"');
    expect(container.env).toEqual([
      { name: 'REDIS_PRIMARY_HOST', value: 'news-valkey-0.news-valkey.news.svc.cluster.local' },
      { name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: 'news-valkey-auth', key: 'password' } } },
    ]);
    expect(JSON.stringify(sts)).not.toContain('#valkey-secret');
  });

  test('the servers are Valkey, and started as the rendered script says', async () => {
    expect(info(primary, 'server', PASSWORD, 'valkey-cli')).toMatchObject({ server_name: 'valkey', tcp_port: String(port) });
    // the output is read while the event loop runs: wait for it
    const said = (pod: Pod, text: string) => waitFor(`"${text}" in the output of ${pod.name}`, () => pod.output().includes(text) || undefined, 5000);
    await said(primary, 'valkey: pod ordinal 0: primary');
    await said(replica, `valkey: pod ordinal 1: replica of news-valkey-0.news-valkey.news.svc.cluster.local:${port}`);
  });

  test('requirepass: without the password, no service', () => {
    expect(cli(primary, ['ping'], undefined, 'valkey-cli')).toMatch(/^NOAUTH/);
    expect(cli(replica, ['ping'], undefined, 'valkey-cli')).toMatch(/^NOAUTH/);
    expect(cli(primary, ['ping'], 'wrong', 'valkey-cli')).toMatch(/^(NOAUTH|WRONGPASS)/);
  });

  test('masterauth and the primary\'s DNS name: pod 1 replicates pod 0; a key written to the primary is read from the replica', async () => {
    await linkUp();
    expect(info(primary, 'replication', PASSWORD, 'valkey-cli')).toMatchObject({ role: 'master', connected_slaves: '1' });
    expect(info(replica, 'replication', PASSWORD, 'valkey-cli')).toMatchObject({
      role: 'slave', master_host: 'news-valkey-0.news-valkey.news.svc.cluster.local', master_port: String(port),
    });
    expect(cli(primary, ['set', 'headline', 'hello'], PASSWORD, 'valkey-cli')).toBe('OK');
    await waitFor('the key on the replica', () => cli(replica, ['get', 'headline'], PASSWORD, 'valkey-cli') === 'hello' || undefined);
    expect(cli(replica, ['set', 'x', '1'], PASSWORD, 'valkey-cli')).toMatch(/^READONLY/);
  });

  test('maxmemory, eviction policy and append-only persistence as rendered', () => {
    expect(cli(primary, ['config', 'get', 'maxmemory'], PASSWORD, 'valkey-cli')).toBe(`maxmemory\n${valkey.maxMemoryBytes}`);
    expect(cli(primary, ['config', 'get', 'maxmemory-policy'], PASSWORD, 'valkey-cli')).toBe('maxmemory-policy\nnoeviction');
    expect(cli(primary, ['config', 'get', 'save'], PASSWORD, 'valkey-cli')).toBe('save'); // an empty value: no RDB snapshots
    expect(info(primary, 'persistence', PASSWORD, 'valkey-cli').aof_enabled).toBe('1');
    expect(readdirSync(primary.dataDir)).toContain('appendonlydir');
  });

  test('the config file holds the password escaped, and no command line holds it', () => {
    expect(readdirSync(primary.configDir).sort()).toEqual(['valkey.conf', 'valkey.sock']);
    const conf = readFileSync(join(primary.configDir, 'valkey.conf'), 'utf8');
    expect(conf).toMatch(/^requirepass "(\\x[0-9a-f]{2})+"$/m);
    expect(conf).toMatch(/^masterauth "(\\x[0-9a-f]{2})+"$/m);
    expect(conf).not.toContain('#valkey-secret');
    for (const pod of [primary, replica]) expect(readFileSync(`/proc/${pod.process.pid}/cmdline`, 'utf8')).not.toContain('#valkey-secret');
  });

  test('the rendered probes pass on both pods with REDISCLI_AUTH from the Secret, and fail without it', async () => {
    await linkUp();
    for (const pod of [primary, replica]) {
      for (const probe of pod.probes) {
        expect({ pod: pod.name, ...runProbe(probe, pod.env) }).toEqual({ pod: pod.name, ok: true, output: '' });
        const { REDISCLI_AUTH: _, ...withoutPassword } = pod.env;
        expect(runProbe(probe, withoutPassword).ok).toBe(false);
      }
    }
  });

  test('the primary restarted on its claim keeps its data (the append-only file), and the replica syncs again', async () => {
    await linkUp();
    expect(cli(primary, ['set', 'kept', 'across-restarts'], PASSWORD, 'valkey-cli')).toBe('OK');
    await stop(primary.process);
    // the replica stays alive but turns unready while its primary is down
    await waitFor('the replica to see its primary down', () => info(replica, 'replication', PASSWORD, 'valkey-cli').master_link_status === 'down' || undefined, 20000);
    const [liveness, readiness] = [replica.probes[1], replica.probes[2]];
    expect(runProbe(liveness, replica.env).ok).toBe(true);
    expect(runProbe(readiness, replica.env).ok).toBe(false);

    primary = start(0);
    await waitFor(`the restarted primary to answer (output: ${primary.output()})`, () => ping(primary) === 'PONG' || undefined);
    expect(cli(primary, ['get', 'kept'], PASSWORD, 'valkey-cli')).toBe('across-restarts');
    await linkUp();
    expect(cli(replica, ['get', 'kept'], PASSWORD, 'valkey-cli')).toBe('across-restarts');
    expect(runProbe(readiness, replica.env).ok).toBe(true);
  }, 60000);
});
