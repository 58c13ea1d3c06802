/**
 * The wait for a store (`DataStoreConnectionProps.waitForStore`) run for real: the init container's
 * command and env are taken from the synthesized Deployment (its `configMapKeyRef`s resolved from
 * the synthesized ConfigMap, as the kubelet does), and run by busybox's `sh` with busybox's applets
 * (`nc`, `date`, `sleep`), as in the image. The store's DNS name resolves through a private hosts
 * file (test/util/pod-network.ts) to an address of its own, published after a while; its port opens
 * later still, in the test.
 */
import { ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DataStoreConnection, StoreWaitOptions } from '../../src/connection/data-store-connection';
import { PodDefaults } from '../../src/workload/pod-defaults';
import { StatefulWorkload } from '../../src/workload/stateful-workload';
import { findOne, synthValid } from '../util/harness';
import { PodNetwork } from '../util/pod-network';

const PORT = 5432;

let network: PodNetwork;
let bin: string;
const servers: Server[] = [];
const children: ChildProcess[] = [];

beforeAll(() => {
  const busybox = execFileSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).trim();
  if (!busybox) throw new Error('busybox is not installed (apt-get install busybox): the test runs the rendered wait with it');
  // the image's view: every applet the script uses is busybox's
  bin = mkdtempSync(join(tmpdir(), 'store-wait-bin-'));
  for (const applet of ['sh', 'nc', 'date', 'sleep', 'true']) symlinkSync(busybox, join(bin, applet));
  network = new PodNetwork();
});

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const s of servers) s.close();
  network?.dispose();
  if (bin) rmSync(bin, { recursive: true, force: true });
});

/** The store `user-db` in namespace `users`, and a hardened Deployment that waits for it. */
function render(wait: StoreWaitOptions): { initContainer: any; env: { [name: string]: string }; manifests: any[] } {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'users' });
  const store = new StatefulWorkload(chart, 'user-db', {
    metadata: { name: 'user-db' },
    containers: [{ name: 'postgres', image: 'docker.io/library/postgres:16.4', ports: [{ name: 'postgres', number: PORT }], securityContext: { user: 999, group: 999 } }],
  });
  const app = new kplus.Deployment(chart, 'user-manager', {
    metadata: { name: 'user-manager' },
    containers: [{ name: 'user-manager', image: 'registry.example.com/users/user-manager:1.4.0', securityContext: { user: 1000, group: 1000 } }],
  });
  PodDefaults.harden(app);
  new DataStoreConnection(chart, 'user-db-connection', { store, consumers: [app.containers[0]], waitForStore: wait });
  const manifests = synthValid(chart);
  const initContainer = findOne(manifests, 'Deployment', 'user-manager').spec.template.spec.initContainers[0];
  // the kubelet's part: configMapKeyRef values from the ConfigMap
  const configMaps = manifests.filter(m => m.kind === 'ConfigMap');
  const env: { [name: string]: string } = {};
  for (const e of initContainer.env) {
    const ref = e.valueFrom.configMapKeyRef;
    env[e.name] = configMaps.find(c => c.metadata.name === ref.name).data[ref.key];
  }
  return { initContainer, env, manifests };
}

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly endedAt: number;
}

/** Runs the container's command as the kubelet would, with the pod network's names. */
function run(container: any, env: { [name: string]: string }): Promise<Run> {
  return new Promise(resolve => {
    const child = network.spawn(container.command, { env: { PATH: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin`, ...env } });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', d => { stdout += d; });
    child.stderr!.on('data', d => { stderr += d; });
    child.on('exit', status => resolve({ status, stdout, stderr, endedAt: Date.now() }));
  });
}

function listen(address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer(socket => socket.end());
    servers.push(server);
    server.once('error', reject);
    server.listen(port, address, () => resolve(Date.now()));
  });
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('the rendered wait for a store, run with busybox', () => {
  test('waits while the name does not resolve and the port is closed, and ends once the store listens', async () => {
    // GIVEN the consumer's init container, and the store's name not published yet
    const { initContainer, env } = render({ timeout: Duration.seconds(60) });
    expect(initContainer.name).toBe('wait-for-user-db');
    expect(env).toEqual({ STORE_HOST: 'user-db.users.svc.cluster.local', STORE_PORT: String(PORT) });
    const pod = network.addPod();

    // WHEN the pod starts, the name is published after 3 s, and the port opens 3 s later
    const started = Date.now();
    const result = run(initContainer, env);
    await sleep(3000);
    network.alias(pod, env.STORE_HOST);
    await sleep(3000);
    const listening = await listen(pod.address, PORT);

    // THEN it ends after the store listens, not before, and says so
    const { status, stdout, stderr, endedAt } = await result;
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(endedAt).toBeGreaterThanOrEqual(listening);
    expect(endedAt - started).toBeGreaterThanOrEqual(6000);
    expect(stdout).toBe(
      'cdk8s-stateful: waiting for user-db (USER_DB) at user-db.users.svc.cluster.local:5432 (USER_DB_SERVICE_HOST, USER_DB_SERVICE_PORT '
      + 'of ConfigMap user-db-connection), up to 60 seconds\n'
      + 'cdk8s-stateful: user-db (USER_DB) at user-db.users.svc.cluster.local:5432 accepts connections\n');
  }, 60_000);

  test('a store that is already there: done at once', async () => {
    const { initContainer } = render({});
    const pod = network.addPod('ready-db.users.svc.cluster.local');
    await listen(pod.address, PORT);
    const started = Date.now();
    const { status, endedAt } = await run(initContainer, { STORE_HOST: 'ready-db.users.svc.cluster.local', STORE_PORT: String(PORT) });
    expect(status).toBe(0);
    expect(endedAt - started).toBeLessThan(2000);
  }, 30_000);

  test('bounded: a store that never comes fails the container after the timeout, with a message naming it', async () => {
    // GIVEN a resolvable name whose port stays closed
    const { initContainer } = render({ timeout: Duration.seconds(4) });
    const pod = network.addPod('closed-db.users.svc.cluster.local');
    expect(pod.names).toEqual(['closed-db.users.svc.cluster.local']);

    // WHEN
    const started = Date.now();
    const { status, stdout, stderr, endedAt } = await run(initContainer, { STORE_HOST: 'closed-db.users.svc.cluster.local', STORE_PORT: String(PORT) });

    // THEN
    expect(status).toBe(1);
    expect(endedAt - started).toBeGreaterThanOrEqual(4000);
    expect(endedAt - started).toBeLessThan(15000);
    expect(stdout).toContain('cdk8s-stateful: waiting for user-db (USER_DB) at closed-db.users.svc.cluster.local:5432');
    expect(stderr).toBe('cdk8s-stateful: gave up waiting for user-db (USER_DB) at closed-db.users.svc.cluster.local:5432: no TCP connection within 4 seconds. '
      + 'Check that the store runs and that its Service has ready endpoints; the kubelet retries this container\n');
  }, 30_000);
});
