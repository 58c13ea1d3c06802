/**
 * The `Redis` and `Valkey` presets' TLS run against real servers (Debian's redis-server 7.0 and
 * valkey-server, both built with TLS): the container's start script, env and probes, the
 * `tls-reload` sidecar and the consumer's connection are taken from the synthesized manifests.
 *
 * What the cluster would do is emulated, and nothing else is changed from what is rendered:
 * - the certificate: the test CA (openssl) signs one for the names the preset computes
 *   (`serverTls.dnsNames`), put into the Secret the app renders (`PresetCertificate.fromSecret()`),
 *   so synthesis checks it covers every pod and Service;
 * - the kubelet: HOSTNAME is the pod name; `secretKeyRef`s come from the rendered Secret; the
 *   certificate volume is laid out as the kubelet does with the pod's fsGroup
 *   (test/util/kubelet-volumes.ts); the other mounts are directories of the test, substituted in
 *   the scripts; the servers run as the OS users `redis`/`valkey` (the images' uid 999), the
 *   fsGroup being that user's group;
 * - the network: test/util/pod-network.ts gives each pod its own loopback address and resolves the
 *   rendered names (`REDIS_PRIMARY_HOST` is pod 0's DNS name); the container args (`"$@"`) bind
 *   each server to its pod's address, on the rendered port.
 */
import { ChildProcess, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chart, Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DataStoreCredentials } from '../../src/connection/data-store';
import { DataStoreConnection } from '../../src/connection/data-store-connection';
import { PresetCertificate } from '../../src/engines/preset-tls';
import { RedisCompatibleBase, Redis } from '../../src/engines/redis';
import { Valkey } from '../../src/engines/valkey';
import { findOne, synthValid } from '../util/harness';
import { claimDir, jobPod, osUser as jobUser, runPod } from '../util/job-pod';
import { renderedData, volumeFiles, writeKubeletVolume } from '../util/kubelet-volumes';
import { DEBIAN, httpGet, parseSamples, poll, requireBinaries, samplesOf, spawnAs, stopProcess } from '../util/metrics';
import { PodNetwork, TestPod } from '../util/pod-network';
import { requireRedis, requireValkey, runProbe, stop, waitFor } from '../util/redis-server';
import { createTestCa, issueCertificate, serialOf, TestCa, TestCertificate } from '../util/test-ca';

jest.setTimeout(180_000);

const NAMESPACE = 'news';
const PASSWORD = 'news "manager" \\ $HOME #secret';
// what a rotation puts into the Secret
const NEW_PASSWORD = 'rotated \'pw\' ` $(id) #2';

interface Flavor {
  readonly name: 'redis' | 'valkey';
  readonly user: string;
  readonly readReplicas: number;
  readonly require: () => void;
  readonly preset: (chart: Chart, props: ConstructorParameters<typeof Redis>[2]) => RedisCompatibleBase;
}

const FLAVORS: Flavor[] = [
  { name: 'redis', user: 'redis', readReplicas: 1, require: requireRedis, preset: (chart, props) => new Redis(chart, 'store', props) },
  { name: 'valkey', user: 'valkey', readReplicas: 0, require: requireValkey, preset: (chart, props) => new Valkey(chart, 'store', props) },
];

function osUser(name: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

describe.each(FLAVORS)('$name: TLS on the client port, as rendered', flavor => {
  const storeName = `news-${flavor.name}`;
  const cli = `${flavor.name}-cli`;
  let net: PodNetwork;
  let root: string;
  let ca: TestCa;
  let otherCa: TestCa;
  let manifests: any[];
  let podSpec: any;
  let container: any;
  let connection: Record<string, string>;
  let consumerCaFile: string;
  let secrets: Record<string, Record<string, string>>;
  let configMaps: Record<string, Record<string, string>>;
  let user: { uid: number; gid: number };
  let dnsNames: string[];
  let build: (restoreDump?: string, rotation?: { password: string; revision: string }) => any[];
  /** The password the test's clients use. */
  let password = PASSWORD;
  const children: ChildProcess[] = [];
  interface Pod {
    readonly pod: TestPod;
    process?: ChildProcess;
    log: string;
    readonly name: string;
    readonly dirs: Record<string, string>;
    readonly configDir: string;
    readonly tlsDir: string;
    env: Record<string, string>;
    output(): string;
  }
  /** Starts (or starts again) a pod's server with the rendered container's command, as the image's user, bound to the pod's address. */
  const startServer = (p: Pod, rendered: any, env: Record<string, string>) => {
    const [cmd, ...args] = rendered.command.map(mountedIn(p.dirs));
    const child = net.spawn(['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', 'env', '-i',
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`), cmd, ...args, '--bind', p.pod.address], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    p.process = child;
    p.env = env;
    p.log = '';
    child.stdout!.on('data', d => { p.log += d; });
    child.stderr!.on('data', d => { p.log += d; });
    child.on('exit', (code, signal) => { p.log += `[exited: ${code ?? signal}]`; });
  };
  const pods: Pod[] = [];

  /** The rendered mount paths of a pod, substituted with its directories. */
  const mountedIn = (dirs: Record<string, string>) => {
    // in one pass, longest first: a substituted directory is never substituted again (/tmp)
    const paths = Object.keys(dirs).sort((a, b) => b.length - a.length);
    const pattern = new RegExp(paths.map(p => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'), 'g');
    return (s: string) => (paths.length === 0 ? s : s.replace(pattern, m => dirs[m]));
  };
  /** The CLI over TCP from another pod, with the given TLS arguments. */
  const tcp = (host: string, tlsArgs: string[], args: string[]) => {
    const r = net.run([cli, '-h', host, '-p', connection[`${prefix()}_SERVICE_PORT`], ...tlsArgs, ...args],
      { env: { PATH: process.env.PATH!, REDISCLI_AUTH: password }, timeout: 10_000 });
    return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
  };
  const prefix = () => storeName.toUpperCase().replace(/-/g, '_');
  /** As a consumer: TLS with the connection's CA, to the host it hands out. */
  const asConsumer = (...args: string[]) => tcp(connection[`${prefix()}_SERVICE_HOST`], ['--tls', '--cacert', consumerCaFile], args);
  const socketCli = (i: number, ...args: string[]) => {
    const socket = mountedIn({ [container.volumeMounts.find((m: any) => m.name.endsWith('-config')).mountPath]: pods[i].configDir })(
      container.command[2].match(/unixsocket (\S+)/)[1]);
    const r = spawnSync(cli, ['-s', socket, ...args], { env: { PATH: process.env.PATH!, REDISCLI_AUTH: password }, encoding: 'utf8', timeout: 10_000 });
    return `${r.stdout}${r.stderr}`.trim();
  };
  const servedSerial = (address: string): string => {
    const r = spawnSync('openssl', ['s_client', '-connect', `${address}:6379`, '-CAfile', ca.certFile], { input: '', encoding: 'utf8', timeout: 15_000 });
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(r.stdout);
    if (!pem) throw new Error(`no certificate from ${address}: ${r.stdout}${r.stderr}`);
    return serialOf(pem[0]);
  };

  beforeAll(async () => {
    flavor.require();
    user = osUser(flavor.user);
    net = new PodNetwork();
    root = realpathSync(mkdtempSync(join(tmpdir(), `cdk8s-stateful-${flavor.name}-tls-`)));
    chmodSync(root, 0o755);
    ca = createTestCa(join(root, 'ca'), 'test-ca');
    otherCa = createTestCa(join(root, 'other-ca'), 'other-ca');

    // GIVEN the chart: the password, the certificate Secret, the preset with a backup, a consumer
    let issued: TestCertificate | undefined;
    build = (restoreDump?: string, rotation?: { password: string; revision: string }) => {
      const chart = new Chart(Testing.app(), 'news', { namespace: NAMESPACE });
      const auth = new kplus.Secret(chart, 'auth', { metadata: { name: `${storeName}-auth` }, stringData: { password: rotation?.password ?? PASSWORD } });
      const tlsSecret = new kplus.Secret(chart, 'tls', { metadata: { name: `${storeName}-tls` }, type: 'kubernetes.io/tls' });
      const store = flavor.preset(chart, {
        metadata: { name: storeName },
        readReplicas: flavor.readReplicas,
        password: DataStoreCredentials.fromPasswordSecret(auth, { revision: rotation?.revision ?? '1' }),
        tls: { certificate: PresetCertificate.fromSecret(tlsSecret) },
      });
      // cert-manager's part, by hand: a certificate for the names the preset asks for
      dnsNames = store.serverTls!.dnsNames;
      issued ??= issueCertificate(ca, dnsNames, 'server-1');
      for (const key of ['tls.crt', 'tls.key', 'ca.crt'] as const) tlsSecret.addStringData(key, issued[key]);
      const consumer = new kplus.Deployment(chart, 'news-manager', {
        metadata: { name: 'news-manager' },
        containers: [{ name: 'news-manager', image: 'registry.example.com/news-manager:1.0.0', securityContext: { user: 1000 } }],
      });
      new DataStoreConnection(chart, 'connection', { store, consumers: [consumer.containers[0]] });
      store.addMetrics();
      const backup = store.addBackup('hourly', { schedule: Cron.hourly(), retain: 3 });
      if (restoreDump) store.addRestore('restore', { backup, dump: restoreDump, replaceExisting: true });
      return synthValid(chart);
    };

    // WHEN synthesized (the certificate's names are checked against every pod and Service)
    manifests = build();
    ({ secrets, configMaps } = renderedData(manifests));
    connection = findOne(manifests, 'ConfigMap', `${storeName}-connection`).data;
    const sts = findOne(manifests, 'StatefulSet', storeName);
    podSpec = sts.spec.template.spec;
    container = podSpec.containers.find((c: any) => c.name === flavor.name);
    expect(podSpec.securityContext.fsGroup).toBe(999);

    // the consumer's CA, as its pod mounts it
    const consumerPod = findOne(manifests, 'Deployment', 'news-manager').spec.template.spec;
    const caMount = consumerPod.containers[0].volumeMounts[0];
    const consumerDir = join(root, 'consumer');
    writeKubeletVolume(consumerDir, volumeFiles(consumerPod.volumes.find((v: any) => v.name === caMount.name), secrets, configMaps), undefined);
    consumerCaFile = connection[`${prefix()}_CA_FILE`].replace(caMount.mountPath, consumerDir);

    // the pods: primary first, then the replicas, each as the image's user in its own directories
    for (let ordinal = 0; ordinal < sts.spec.replicas; ordinal++) {
      const name = `${storeName}-${ordinal}`;
      const names = [`${name}.${storeName}.${NAMESPACE}.svc.cluster.local`,
        ...ordinal === 0 ? [`${storeName}-write.${NAMESPACE}.svc.cluster.local`] : []];
      const pod = net.addPod(...names);
      const dirs: Record<string, string> = {};
      for (const m of container.volumeMounts) {
        const volume = podSpec.volumes.find((v: any) => v.name === m.name);
        const dir = join(root, name, m.name);
        dirs[m.mountPath] = dir;
        if (volume?.secret) {
          writeKubeletVolume(dir, volumeFiles(volume, secrets, configMaps), user.gid);
        } else {
          // an emptyDir, or the claim: writable by the fsGroup
          mkdirSync(dir, { recursive: true });
          chownSync(dir, 0, user.gid);
          chmodSync(dir, 0o2775);
        }
      }
      chmodSync(join(root, name), 0o755);
      const env: Record<string, string> = {
        PATH: process.env.PATH!,
        HOSTNAME: name,
        ...Object.fromEntries(container.env.map((e: any) => {
          const ref = e.valueFrom?.secretKeyRef;
          return [e.name, ref ? secrets[ref.name][ref.key] : e.value];
        })),
      };
      const configDir = dirs[container.volumeMounts.find((m: any) => m.name.endsWith('-config')).mountPath];
      const p: Pod = { pod, name, dirs, configDir, tlsDir: dirs['/run/secrets/tls'], env, log: '', output: () => p.log };
      startServer(p, container, env);
      pods.push(p);
    }
    for (let i = 0; i < pods.length; i++) {
      await waitFor(`${pods[i].name} to answer on its socket`, () => socketCli(i, 'ping') === 'PONG' || undefined, 30_000)
        .catch(e => { throw new Error(`${e.message}; its output: ${pods[i].output()}`); });
    }
    // the replicas are ready once their link to the primary (over TLS) is up
    for (let i = 1; i < pods.length; i++) {
      await waitFor(`${pods[i].name}'s link to the primary`, () => /master_link_status:up/.test(socketCli(i, 'info', 'replication')) || undefined, 30_000)
        .catch(e => { throw new Error(`${e.message}; its output: ${pods[i].output()}; the primary's: ${pods[0].output()}`); });
    }
  });

  afterAll(async () => {
    await Promise.all(children.map(stop));
    net?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('the rendered configuration: TLS on the client port, the plain port off, replication over TLS', () => {
    const script = container.command[2];
    for (const line of ['port 0', 'tls-port 6379', 'tls-cert-file /run/secrets/tls/tls.crt', 'tls-key-file /run/secrets/tls/tls.key',
      'tls-ca-cert-file /run/secrets/tls/ca.crt', 'tls-auth-clients no', 'tls-replication yes']) {
      expect(script).toContain(`\n${line}\n`);
    }
    expect(connection[`${prefix()}_TLS`]).toBe('verify-full');
    expect(connection[`${prefix()}_SERVICE_PORT`]).toBe('6379');
  });

  test('a consumer connects over TLS with the connection\'s CA, to the host the connection names', () => {
    expect(asConsumer('ping')).toEqual({ status: 0, out: 'PONG' });
  });

  test('plain TCP is refused, and another CA fails the handshake', () => {
    const plain = tcp(connection[`${prefix()}_SERVICE_HOST`], [], ['ping']);
    expect(plain.out).not.toBe('PONG');
    expect(plain.out).toMatch(/Connection reset by peer|Server closed the connection|I\/O error/);
    const other = tcp(connection[`${prefix()}_SERVICE_HOST`], ['--tls', '--cacert', otherCa.certFile], ['ping']);
    expect(other.out).toMatch(/certificate verify failed/);
  });

  test('the probes pass over the Unix socket, TLS or not', () => {
    for (const p of pods) {
      const mounted = mountedIn({ [container.volumeMounts.find((m: any) => m.name.endsWith('-config')).mountPath]: p.configDir });
      for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) {
        const r = runProbe({ ...probe, exec: { command: probe.exec.command.map(mounted) } }, { ...p.env });
        expect(r).toEqual({ ok: true, output: '' });
      }
    }
  });

  if (flavor.readReplicas > 0) {
    test('the replica syncs from the primary over TLS: a key written to the primary is read from the replica', async () => {
      expect(asConsumer('set', 'headline', 'tls works')).toEqual({ status: 0, out: 'OK' });
      const replica = pods[1].pod.names[0];
      await waitFor('the key on the replica', () => tcp(replica, ['--tls', '--cacert', ca.certFile], ['get', 'headline']).out === 'tls works' || undefined);
      // the replica's link is TLS: the primary has no plain port to offer it
      expect(socketCli(1, 'config', 'get', 'tls-replication')).toContain('yes');
      await waitFor('the replica to log the finished sync', () => /MASTER <-> REPLICA sync: Finished with success/.test(pods[1].output()) || undefined);
    });
  }

  test('the backup dumps over TLS with the connection\'s CA, and the restore replicates the dump into the primary over TLS', async () => {
    const osu = jobUser(flavor.user);
    const claim = claimDir(join(root, 'claim'), osu);
    // the Jobs connect to the pods' DNS names (the primary endpoint, the replicas)
    const cronJob = findOne(manifests, 'CronJob', `${storeName}-hourly`);
    const backupSpec = cronJob.spec.jobTemplate.spec.template.spec;
    const backupCa = findOne(manifests, 'ConfigMap', `${storeName}-hourly-connection`).data[`${prefix()}_CA_FILE`];
    expect(backupSpec.containers[0].volumeMounts.map((m: any) => m.mountPath)).toContain(backupCa.replace(/\/ca\.crt$/, ''));
    expect(asConsumer('set', 'backed-up', 'over tls')).toEqual({ status: 0, out: 'OK' });
    await new Promise(r => setTimeout(r, 1100));
    const backup = runPod(net, jobPod(manifests, 'CronJob', `${storeName}-hourly`, {
      namespace: NAMESPACE, claims: { [`${storeName}-hourly-backups`]: claim }, scratch: root, user: osu,
    }), osu);
    expect({ status: backup.status, stderr: backup.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
    expect(backup.stdout).toMatch(/backup: dumping /);
    const dump = readdirSync(join(claim, `${storeName}-hourly`)).find(n => /^[0-9]{8}T[0-9]{6}Z$/.test(n))!;
    expect(dump).toBeDefined();

    // the data change, then the dump is restored over them
    expect(asConsumer('set', 'backed-up', 'changed since')).toEqual({ status: 0, out: 'OK' });
    const rendered = build(dump);
    const job = rendered.find(m => m.kind === 'Job' && m.metadata.name.startsWith(`${storeName}-restore-`));
    // the temporary server serves the store's certificate, read through the Job's fsGroup
    expect(job.spec.template.spec.volumes).toContainEqual({ name: 'tls', secret: { secretName: `${storeName}-tls`, defaultMode: 0o440 } });
    const restorePod = net.addPod();
    const restore = runPod(net, jobPod(rendered, 'Job', job.metadata.name, {
      namespace: NAMESPACE, podIP: restorePod.address, claims: { [`${storeName}-hourly-backups`]: claim }, scratch: root, user: osu,
    }), osu, 180_000);
    expect({ status: restore.status, out: `${restore.stdout}${restore.stderr}` }).toEqual({ status: 0, out: expect.stringContaining('restore: done') });
    expect(asConsumer('get', 'backed-up')).toEqual({ status: 0, out: 'over tls' });
  });

  test('tls-reload: the primary serves a renewed certificate once the sidecar has reloaded it', async () => {
    const sidecar = podSpec.containers.find((c: any) => c.name === 'tls-reload');
    const p = pods[0];
    const before = servedSerial(p.pod.address);
    const fast = join(root, 'fast-bin');
    mkdirSync(fast, { recursive: true });
    writeFileSync(join(fast, 'sleep'), '#!/bin/sh\nexec /bin/sleep 0.2\n', { mode: 0o755 });
    // the sidecar's mounts are the server's volumes, at the same paths
    for (const m of sidecar.volumeMounts) expect(p.dirs[m.mountPath]).toBeDefined();
    const mounted = mountedIn(p.dirs);
    const env = {
      PATH: `${fast}:${process.env.PATH}`,
      ...Object.fromEntries(sidecar.env.map((e: any) => [e.name, secrets[e.valueFrom.secretKeyRef.name][e.valueFrom.secretKeyRef.key]])),
    };
    const child = net.spawn(['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', 'env', '-i',
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...sidecar.command.map(mounted)], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout!.on('data', d => { output += d; });
    child.stderr!.on('data', d => { output += d; });
    await new Promise(resolve => setTimeout(resolve, 1000));
    const renewed = issueCertificate(ca, dnsNames, 'server-2');
    secrets[`${storeName}-tls`] = { 'tls.crt': renewed['tls.crt'], 'tls.key': renewed['tls.key'], 'ca.crt': renewed['ca.crt'] };
    writeKubeletVolume(p.tlsDir, volumeFiles(podSpec.volumes.find((v: any) => v.name === 'tls'), secrets, configMaps), user.gid);
    await waitFor(`the sidecar to reload (${output})`, () => output.includes('tls-reload: reloaded') || undefined, 20_000);
    expect(servedSerial(p.pod.address)).toBe(renewed.serial);
    expect(renewed.serial).not.toBe(before);
    expect(asConsumer('ping')).toEqual({ status: 0, out: 'PONG' });
    await stop(child);
  });

  test('the metrics exporter reads the server over TLS on the loopback (Debian\'s redis_exporter)', async () => {
    requireBinaries(DEBIAN.redisExporter);
    const exporter = podSpec.containers.find((c: any) => c.name === `${flavor.name}-exporter`);
    expect(exporter.env).toEqual(expect.arrayContaining([
      { name: 'REDIS_ADDR', value: 'rediss://127.0.0.1:6379' },
      { name: 'REDIS_EXPORTER_SKIP_TLS_VERIFICATION', value: 'true' },
    ]));
    // the pod's loopback is the primary's address here; the rendered listen address on the pod too
    const p = pods[0];
    const env = Object.fromEntries(exporter.env.map((e: any) => {
      const ref = e.valueFrom?.secretKeyRef;
      return [e.name, ref ? secrets[ref.name][ref.key] : e.value.replace('127.0.0.1', p.pod.address)];
    }));
    const port = exporter.ports.find((x: any) => x.name === 'metrics').containerPort;
    const args = exporter.args.map((a: string) => a.replace(/^(--web\.listen-address=):([0-9]+)$/, `$1${p.pod.address}:$2`));
    const ids = { user: exporter.securityContext.runAsUser, group: exporter.securityContext.runAsGroup, fsGroup: 999 };
    const running = spawnAs([DEBIAN.redisExporter, ...args], env, ids);
    try {
      const samples = await poll('redis_up 1 over TLS', async () => {
        const res = await httpGet(`http://${p.pod.address}:${port}/metrics`).catch(() => undefined);
        if (!res || res.status !== 200) return undefined;
        const parsed = parseSamples(res.body);
        return samplesOf(parsed, 'redis_up').some(x => x.value === 1) ? parsed : undefined;
      });
      expect(samplesOf(samples, 'redis_connected_clients').length).toBeGreaterThan(0);
    } finally {
      await stopProcess(running.process);
    }
  });

  test('password rotation without losing data: every server accepts both passwords, then the pods roll with the new Secret, replicas first', async () => {
    expect(asConsumer('set', 'kept', 'across the rotation')).toEqual({ status: 0, out: 'OK' });
    // 1. as docs/roles-and-rotation.md says: the new password next to the old one, on every server
    for (let i = 0; i < pods.length; i++) expect(socketCli(i, 'acl', 'setuser', 'default', `>${NEW_PASSWORD}`)).toBe('OK');
    // 2. the new Secret and revision: the pod template changes (the pods roll), and carries the new password
    const rotated = build(undefined, { password: NEW_PASSWORD, revision: '2' });
    const annotation = (m: any[]) => findOne(m, 'StatefulSet', storeName).spec.template.metadata.annotations['cdk8s-stateful.io/password-checksum'];
    expect(annotation(rotated)).not.toBe(annotation(manifests));
    const rotatedSecrets = renderedData(rotated).secrets;
    const rotatedContainer = findOne(rotated, 'StatefulSet', storeName).spec.template.spec.containers.find((c: any) => c.name === flavor.name);
    // the rolling update: the highest ordinal first, each Ready (a replica's link up) before the next
    for (let i = pods.length - 1; i >= 0; i--) {
      const p = pods[i];
      await stop(p.process!);
      const env = {
        ...p.env,
        ...Object.fromEntries(rotatedContainer.env.filter((e: any) => e.valueFrom?.secretKeyRef)
          .map((e: any) => [e.name, rotatedSecrets[e.valueFrom.secretKeyRef.name][e.valueFrom.secretKeyRef.key]])),
      };
      expect(env.REDISCLI_AUTH).toBe(NEW_PASSWORD);
      startServer(p, rotatedContainer, env);
      password = NEW_PASSWORD;
      await waitFor(`${p.name} to answer with the new password`, () => socketCli(i, 'ping') === 'PONG' || undefined, 30_000)
        .catch(e => { throw new Error(`${e.message}; its output: ${p.output()}`); });
      if (i > 0) {
        // the primary, not restarted yet, accepts the new password: the replica links up
        await waitFor(`${p.name}'s link to the primary`, () => /master_link_status:up/.test(socketCli(i, 'info', 'replication')) || undefined, 30_000)
          .catch(e => { throw new Error(`${e.message}; its output: ${p.output()}`); });
      }
    }
    for (let i = 1; i < pods.length; i++) {
      await waitFor(`${pods[i].name}'s link to the restarted primary`, () => /master_link_status:up/.test(socketCli(i, 'info', 'replication')) || undefined, 30_000);
    }
    // the data survived, the new password works, the old one is refused
    expect(asConsumer('get', 'kept')).toEqual({ status: 0, out: 'across the rotation' });
    password = PASSWORD;
    const old = asConsumer('ping');
    password = NEW_PASSWORD;
    expect(old.out).toMatch(/WRONGPASS|NOAUTH|AUTH failed/);
  });
});
