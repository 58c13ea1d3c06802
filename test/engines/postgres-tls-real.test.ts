/**
 * The `Postgres` preset's TLS and application role run against a real PostgreSQL server: the
 * container's args, env and volumes, the `pg_hba.conf` and init script ConfigMaps, the role Job's
 * command and env, the `tls-reload` sidecar's command and the consumer's connection are all taken
 * from the synthesized manifests; the official image's entrypoint is replayed as
 * test/engines/postgres-real.test.ts does (test/util/postgres-server.ts).
 *
 * What the cluster would do is emulated, and nothing else is changed from what is rendered:
 * - cert-manager: the test CA (openssl) signs a certificate for the synthesized Certificate's
 *   `dnsNames`, written to the Secret named by its `secretName` (`tls.crt`, `tls.key`, `ca.crt`);
 * - the kubelet: every Secret, ConfigMap and projected volume is laid out as the kubelet lays it
 *   out, with the pod's fsGroup applied (test/util/kubelet-volumes.ts: the files root-owned, group
 *   the server's group, mode `defaultMode | 0440`); `secretKeyRef`s are resolved from the rendered
 *   Secrets; mount paths become directories of the test, substituted in the args, env values and
 *   script texts (the ConfigMaps' too); `/tmp` and `/dev/shm` are the machine's own. Processes run
 *   as the OS user `postgres` (the image's uid 999) and, as in a pod, without a terminal (`setsid`);
 * - the pods' network: test/util/pod-network.ts gives the server's pod a loopback address of its
 *   own (never 127.0.0.1), where the server listens on the rendered port. The clients (a consumer,
 *   the role Job) are another pod: the server's DNS names resolve, for them, to that pod's address,
 *   where a forwarder connects to the server from that address (test/util/tcp-forward.ts), so the
 *   server sees a client of another pod, not 127.0.0.1, which its pg_hba.conf trusts.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Chart, Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DataStoreCredentials } from '../../src/connection/data-store';
import { DataStoreConnection } from '../../src/connection/data-store-connection';
import { Postgres } from '../../src/engines/postgres';
import { CertManagerIssuerKind, PresetCertificate } from '../../src/engines/preset-tls';
import { findOne, synthValid } from '../util/harness';
import { claimDir, jobPod, osUser, runPod } from '../util/job-pod';
import { renderedData, volumeFiles, writeKubeletVolume } from '../util/kubelet-volumes';
import { PodNetwork, TestPod } from '../util/pod-network';
import {
  errorLines,
  initdbAsEntrypoint,
  makeClaimVolume,
  makeEmptyDir,
  pg,
  requirePostgresBinaries,
  run,
  RunResult,
  Server,
  setupDbAsEntrypoint,
  startTemporaryServer,
  waitFor,
} from '../util/postgres-server';
import { forwardFrom, TcpForwarder } from '../util/tcp-forward';
import { createTestCa, issueCertificate, serialOf, TestCa } from '../util/test-ca';

jest.setTimeout(300_000);

const NAMESPACE = 'accounts';
const SUPERUSER = 'user_admin';
const SUPERUSER_PASSWORD = 'admin "pw" \\ $HOME #1';
const APP_ROLE = 'user_manager_app';
const APP_PASSWORD = 'app "pw" \\ $HOME #secret';
const NEW_APP_PASSWORD = 'rotated \'pw\' ` $(id) #2';
const INIT_SQL = 'CREATE TABLE account (id serial PRIMARY KEY, email text NOT NULL);\nINSERT INTO account (email) VALUES (\'first@example.com\');\n';

describe('Postgres TLS and application role on a real server, as rendered', () => {
  let bin: string;
  let net: PodNetwork;
  let pod: TestPod;
  /** The clients' view: the server's names resolve to `client`, the address they connect from. */
  let clients: PodNetwork;
  let client: TestPod;
  let forwarder: TcpForwarder | undefined;
  let root: string;
  let ca: TestCa;
  let otherCa: TestCa;
  let manifests: any[];
  let podSpec: any;
  let server: any;
  let stand: Record<string, string>;
  let env: Record<string, string>;
  let args: string[];
  let connection: Record<string, string>;
  let consumerCaFile: string;
  let secrets: Record<string, Record<string, string>>;
  let configMaps: Record<string, Record<string, string>>;
  let certificateSecret: string;
  let refusedKey: RunResult;
  let initLog: RunResult;
  let running: Server | undefined;

  /** A rendered path as the test's directory for it (mount paths substituted, longest first). */
  const mounted = (s: string): string => {
    const paths = Object.keys(stand).sort((a, b) => b.length - a.length);
    const pattern = new RegExp(paths.map(p => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
    return s.replace(pattern, p => stand[p]);
  };
  const socketDir = () => stand['/var/run/postgresql'];
  const logFile = () => path.join(root, 'server.log');
  /** psql from another pod, as a consumer would connect. */
  const psql = (conninfo: Record<string, string>, sql: string, password: string): RunResult => {
    const info = Object.entries({ port: connection.USER_DB_SERVICE_PORT, dbname: 'app', connect_timeout: '5', ...conninfo })
      .map(([k, v]) => `${k}='${v.replace(/\\/g, '\\\\').replace(/'/g, '\\\'')}'`).join(' ');
    const r = clients.run([path.join(bin, 'psql'), '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', info, '-c', sql],
      { env: { PATH: process.env.PATH!, PGPASSWORD: password }, cwd: os.tmpdir() });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  /** As the application role, over TLS with the consumer's CA and sslmode, to the Service the connection names. */
  const asApp = (sql: string, password = APP_PASSWORD): RunResult => psql({
    host: connection.USER_DB_SERVICE_HOST, hostaddr: client.address, sslmode: connection.USER_DB_SSLMODE, sslrootcert: consumerCaFile, user: APP_ROLE,
  }, sql, password);
  const asOwner = (sql: string): RunResult => psql({
    host: connection.USER_DB_SERVICE_HOST, hostaddr: client.address, sslmode: 'verify-full', sslrootcert: ca.certFile, user: SUPERUSER,
  }, sql, SUPERUSER_PASSWORD);
  /** The serial number of the certificate the server presents. */
  const servedSerial = (): string => {
    const r = spawnSync('openssl', ['s_client', '-starttls', 'postgres', '-connect', `${pod.address}:5432`, '-CAfile', ca.certFile, '-showcerts'],
      { input: '', encoding: 'utf8', timeout: 15_000 });
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(r.stdout);
    if (!pem) throw new Error(`no certificate from the server: ${r.stdout}${r.stderr}`);
    return serialOf(pem[0]);
  };

  beforeAll(async () => {
    bin = requirePostgresBinaries();
    net = new PodNetwork();
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-stateful-pg-tls-')));
    fs.chmodSync(root, 0o755);
    ca = createTestCa(path.join(root, 'ca'), 'test-ca');
    otherCa = createTestCa(path.join(root, 'other-ca'), 'other-ca');

    // GIVEN the chart: the two Secrets, init SQL, the preset with TLS and an application role, a consumer
    const chart = new Chart(Testing.app(), 'users', { namespace: NAMESPACE });
    const superuser = new kplus.Secret(chart, 'superuser', { metadata: { name: 'user-db-credentials' }, stringData: { username: SUPERUSER, password: SUPERUSER_PASSWORD } });
    const app = new kplus.Secret(chart, 'app', { metadata: { name: 'user-db-app' }, stringData: { username: APP_ROLE, password: APP_PASSWORD } });
    const init = new kplus.ConfigMap(chart, 'init', { metadata: { name: 'user-db-init' }, data: { '01-schema.sql': INIT_SQL } });
    const db = new Postgres(chart, 'db', {
      metadata: { name: 'user-db' },
      credentials: DataStoreCredentials.fromSecret(superuser),
      initSql: init,
      tls: { certificate: PresetCertificate.fromCertManager({ issuer: { name: 'test-ca', kind: CertManagerIssuerKind.CLUSTER_ISSUER } }) },
      applicationRole: { credentials: DataStoreCredentials.fromSecret(app) },
      primaryService: {},
    });
    const consumer = new kplus.Deployment(chart, 'user-manager', {
      metadata: { name: 'user-manager' },
      containers: [{ name: 'user-manager', image: 'registry.example.com/user-manager:1.0.0', securityContext: { user: 1000 } }],
    });
    new DataStoreConnection(chart, 'connection', { store: db, prefix: 'USER_DB', consumers: [consumer.containers[0]] });
    db.addBackup('nightly', { schedule: Cron.daily(), retain: 2 });

    // WHEN synthesized
    manifests = synthValid(chart);
    ({ secrets, configMaps } = renderedData(manifests));
    // cert-manager: the CA signs the Certificate's names, into its Secret
    const certificate = findOne(manifests, 'Certificate');
    certificateSecret = certificate.spec.secretName;
    const issued = issueCertificate(ca, certificate.spec.dnsNames, 'server-1');
    secrets[certificateSecret] = { 'tls.crt': issued['tls.crt'], 'tls.key': issued['tls.key'], 'ca.crt': issued['ca.crt'] };
    connection = findOne(manifests, 'ConfigMap', 'user-db-connection').data;

    const sts = findOne(manifests, 'StatefulSet', 'user-db');
    podSpec = sts.spec.template.spec;
    server = podSpec.containers.find((c: any) => c.name === 'postgres');
    const fsGroup = pg().gid; // the rendered fsGroup is 999, the image's postgres group: here the OS user's
    expect(podSpec.securityContext.fsGroup).toBe(999);

    // the pod: its address and names
    pod = net.addPod(`user-db-0.user-db.${NAMESPACE}.svc.cluster.local`, `user-db.${NAMESPACE}.svc.cluster.local`,
      `user-db-primary.${NAMESPACE}.svc.cluster.local`);
    clients = new PodNetwork();
    // the server's names, and one that reaches it but is not on its certificate
    client = clients.addPod(...pod.names, `wrong-name.${NAMESPACE}.svc.cluster.local`);

    // the kubelet's mounts: every mount of the server's container (and the sidecar's, which share volumes)
    stand = {};
    for (const c of podSpec.containers) {
      for (const m of c.volumeMounts) {
        if (m.mountPath === '/tmp' || m.mountPath === '/dev/shm' || stand[m.mountPath]) continue;
        stand[m.mountPath] = path.join(root, 'pod', m.name);
      }
    }
    for (const dir of ['pod', 'job', 'consumer']) fs.mkdirSync(path.join(root, dir), { mode: 0o755 });
    makeClaimVolume(stand['/var/lib/postgresql/data']);
    makeEmptyDir(socketDir());
    for (const v of podSpec.volumes) {
      const mountPath = Object.keys(stand).find(p => stand[p] === path.join(root, 'pod', v.name));
      if (!mountPath || !(v.secret || v.configMap || v.projected)) continue;
      // script texts name the rendered paths: substituted as for the args
      const files = volumeFiles(v, secrets, configMaps).map(f => ({ ...f, content: v.secret ? f.content : mounted(f.content) }));
      writeKubeletVolume(stand[mountPath], files, fsGroup);
    }
    // the consumer's pod: its CA volume
    const consumerPod = findOne(manifests, 'Deployment', 'user-manager').spec.template.spec;
    const caMount = consumerPod.containers[0].volumeMounts[0];
    const consumerDir = path.join(root, 'consumer', caMount.name);
    writeKubeletVolume(consumerDir, volumeFiles(consumerPod.volumes.find((v: any) => v.name === caMount.name), secrets, configMaps), undefined);
    consumerCaFile = connection.USER_DB_CA_FILE.replace(caMount.mountPath, consumerDir);

    env = {
      PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
      LANG: 'C.UTF-8',
      ...Object.fromEntries(server.env.map((e: any) => {
        const ref = e.valueFrom?.secretKeyRef;
        return [e.name, mounted(ref ? secrets[ref.name][ref.key] : e.value)];
      })),
    };
    args = server.args.map(mounted);

    // a key laid out with the volume's default mode (0644, no defaultMode): the server refuses it
    const wrongDir = path.join(root, 'tls-default-mode');
    writeKubeletVolume(wrongDir, volumeFiles({ ...podSpec.volumes.find((v: any) => v.name === 'tls'), secret: { secretName: certificateSecret } },
      secrets, configMaps), fsGroup);

    // the image's entrypoint: initdb, the temporary server, the database, the init scripts, then `exec postgres`
    const first = initdbAsEntrypoint(env, args.slice(1), root);
    if (first.initdb.status !== 0) throw new Error(`initdb failed:\n${first.initdb.stderr}`);
    refusedKey = run(['postgres', ...args.slice(1).map(a => a.replace(stand['/run/secrets/tls'], wrongDir)),
      '-c', 'listen_addresses=', '-c', `unix_socket_directories=${socketDir()}`], env);
    const temporary = await startTemporaryServer(env, args.slice(1), socketDir(), path.join(root, 'initdb.log'));
    setupDbAsEntrypoint(env, socketDir(), first.password);
    // docker_process_init_files: in name order, *.sh sourced (not executable), *.sql through psql
    const initdbDir = stand['/docker-entrypoint-initdb.d'];
    initLog = run(['setsid', 'bash', '-c', [
      'set -Eeo pipefail',
      'for f in "$@"; do',
      '  case "$f" in',
      '    *.sh) if [ -x "$f" ]; then "$f"; else . "$f"; fi ;;',
      '    *.sql) PGHOST="$SOCKET" psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc --dbname "$POSTGRES_DB" -f "$f" ;;',
      '  esac',
      'done',
    ].join('\n'), 'docker-entrypoint.sh', ...fs.readdirSync(initdbDir).filter(f => !f.startsWith('.')).sort().map(f => path.join(initdbDir, f))],
    { ...env, SOCKET: socketDir(), PGPASSWORD: first.password, POSTGRES_PASSWORD: first.password });
    await temporary.stop('SIGINT');
    if (initLog.status !== 0) throw new Error(`the init scripts failed:\n${initLog.stdout}${initLog.stderr}`);

    running = await Server.start([...args.slice(1), '-c', `listen_addresses=${pod.address}`, '-c', `unix_socket_directories=${socketDir()}`], env, logFile());
    await waitFor(() => run(['pg_isready', `--host=${pod.address}`, '--port=5432', `--username=${SUPERUSER}`, '--dbname=app'], env).status === 0, 'the server');
    forwarder = await forwardFrom(client.address, 5432, pod.address, 5432);
  });

  afterAll(async () => {
    if (running) await running.stop('SIGQUIT').catch(() => undefined);
    await forwarder?.stop();
    net?.dispose();
    clients?.dispose();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  test('the rendered server: ssl on with the mounted certificate, the library\'s pg_hba.conf, the key as the kubelet lays it out', () => {
    expect(server.args).toEqual(expect.arrayContaining(['-c', 'ssl=on', '-c', 'ssl_cert_file=/run/secrets/tls/tls.crt',
      '-c', 'ssl_key_file=/run/secrets/tls/tls.key', '-c', 'hba_file=/etc/postgresql-hba/pg_hba.conf']));
    const key = fs.statSync(path.join(stand['/run/secrets/tls'], 'tls.key'));
    expect({ uid: key.uid, gid: key.gid, mode: (key.mode % 0o1000).toString(8) }).toEqual({ uid: 0, gid: pg().gid, mode: '440' });
    expect(asOwner('SHOW ssl').stdout).toBe('on\n');
    expect(asOwner('SHOW hba_file').stdout).toBe(`${path.join(stand['/etc/postgresql-hba'], 'pg_hba.conf')}\n`);
  });

  test('the same key laid out with a Secret volume\'s default mode (0644) is refused by the server', () => {
    expect(refusedKey.status).not.toBe(0);
    expect(refusedKey.stderr).toMatch(/private key file ".*tls\.key" has group or world access/);
  });

  test('a consumer connects with the connection\'s CA and sslmode (verify-full), over TLS, as the application role', () => {
    expect(connection.USER_DB_SSLMODE).toBe('verify-full');
    const r = asApp('SELECT current_user, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    expect(r).toMatchObject({ status: 0, stdout: `${APP_ROLE}|t\n` });
  });

  test('verify-full fails with another CA, and for a name the certificate does not carry', () => {
    const other = psql({ host: connection.USER_DB_SERVICE_HOST, hostaddr: client.address, sslmode: 'verify-full', sslrootcert: otherCa.certFile, user: APP_ROLE },
      'SELECT 1', APP_PASSWORD);
    expect(other.status).not.toBe(0);
    expect(other.stderr).toMatch(/certificate verify failed/);
    const wrongName = psql({ host: `wrong-name.${NAMESPACE}.svc.cluster.local`, sslmode: 'verify-full', sslrootcert: ca.certFile, user: APP_ROLE },
      'SELECT 1', APP_PASSWORD);
    expect(wrongName.status).not.toBe(0);
    expect(wrongName.stderr).toMatch(/does not match host name/);
    // every name the connection hands out verifies: the pod (PRIMARY target) and the primary Service too
    for (const host of [`user-db-0.user-db.${NAMESPACE}.svc.cluster.local`, `user-db-primary.${NAMESPACE}.svc.cluster.local`]) {
      expect(psql({ host, sslmode: 'verify-full', sslrootcert: ca.certFile, user: APP_ROLE }, 'SELECT 1', APP_PASSWORD)).toMatchObject({ status: 0, stdout: '1\n' });
    }
  });

  test('TLS is required: a plain connection from another pod is refused, even with the right password', () => {
    const plain = psql({ host: connection.USER_DB_SERVICE_HOST, hostaddr: client.address, sslmode: 'disable', user: APP_ROLE }, 'SELECT 1', APP_PASSWORD);
    expect(plain.status).not.toBe(0);
    expect(plain.stderr).toMatch(/no pg_hba\.conf entry for host .* no encryption/);
  });

  test('the application role was created at first initialization with only LOGIN, and reads and writes the tables', () => {
    expect(initLog.stdout + initLog.stderr).toContain(`application role: ${APP_ROLE}: privileges and password set`);
    const attributes = asOwner(`SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = '${APP_ROLE}'`);
    expect(attributes.stdout).toBe('f|f|f|f|f|t\n');
    // the init SQL's table (created by the owner at first initialization), its sequence included
    expect(asApp('INSERT INTO account (email) VALUES (\'second@example.com\') RETURNING id')).toMatchObject({ status: 0, stdout: '2\n' });
    expect(asApp('UPDATE account SET email = \'1@example.com\' WHERE id = 1')).toMatchObject({ status: 0 });
    expect(asApp('SELECT email FROM account ORDER BY id').stdout).toBe('1@example.com\nsecond@example.com\n');
    expect(asApp('DELETE FROM account WHERE id = 2')).toMatchObject({ status: 0 });
  });

  test('a table the owner creates later (a migration) is the application role\'s to use too: default privileges', () => {
    expect(asOwner('CREATE TABLE audit_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, event text)')).toMatchObject({ status: 0 });
    expect(asApp('INSERT INTO audit_log (event) VALUES (\'login\') RETURNING id')).toMatchObject({ status: 0, stdout: '1\n' });
    expect(asApp('SELECT event FROM audit_log').stdout).toBe('login\n');
  });

  test('the application role cannot change the schema, create roles or databases, nor truncate', () => {
    expect(asApp('CREATE TABLE mine (id int)').stderr).toMatch(/permission denied for schema public/);
    expect(asApp('DROP TABLE account').stderr).toMatch(/must be owner of table account/);
    expect(asApp('ALTER TABLE account ADD COLUMN x int').stderr).toMatch(/must be owner of table account/);
    expect(asApp('CREATE ROLE intruder LOGIN').stderr).toMatch(/permission denied to create role/);
    expect(asApp('CREATE DATABASE other').stderr).toMatch(/permission denied to create database/);
    expect(asApp('TRUNCATE account').stderr).toMatch(/permission denied for table account/);
  });

  describe('the role Job', () => {
    /** Runs the rendered Job's container: its command and env, its volumes as the kubelet lays them out, in the pod network. */
    const runJob = (envOverrides: Record<string, string> = {}): RunResult => {
      const job = findOne(manifests, 'Job');
      const spec = job.spec.template.spec;
      const container = spec.containers[0];
      const jobStand: Record<string, string> = {};
      for (const m of container.volumeMounts ?? []) {
        const volume = spec.volumes.find((v: any) => v.name === m.name);
        // /tmp (an emptyDir) is the machine's own
        if (!(volume.secret || volume.configMap)) continue;
        const dir = path.join(root, 'job', m.name);
        jobStand[m.mountPath] = dir;
        writeKubeletVolume(dir, volumeFiles(volume, secrets, configMaps), pg().gid);
      }
      const map = (s: string) => Object.entries(jobStand).reduce((acc, [from, to]) => acc.split(from).join(to), s);
      const jobEnv: Record<string, string> = {
        PATH: `${bin}:/usr/bin:/bin`,
        LANG: 'C.UTF-8',
        ...Object.fromEntries(container.env.map((e: any) => {
          const ref = e.valueFrom?.secretKeyRef;
          return [e.name, map(ref ? secrets[ref.name][ref.key] : e.value)];
        })),
        ...envOverrides,
      };
      const [cmd, ...rest] = container.command.map(map);
      expect(spec.securityContext).toMatchObject({ fsGroup: 999, runAsUser: 999, runAsNonRoot: true });
      // as the pod's user (uid 999 in the image, the OS user postgres here), without a terminal
      const r = clients.run(['runuser', '-u', 'postgres', '--', 'env', '-i', ...Object.entries(jobEnv).map(([k, v]) => `${k}=${v}`),
        'setsid', cmd, ...rest], { cwd: os.tmpdir(), timeout: 60_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };

    test('it connects to the primary by its DNS name, verifying the certificate with the CA', () => {
      const job = findOne(manifests, 'Job');
      const container = job.spec.template.spec.containers[0];
      expect(container.env).toEqual(expect.arrayContaining([
        { name: 'PGHOST', value: `user-db-0.user-db.${NAMESPACE}.svc.cluster.local` },
        { name: 'PGSSLMODE', value: 'verify-full' },
        { name: 'PGSSLROOTCERT', value: '/run/secrets/tls/ca.crt' },
      ]));
      const r = runJob();
      expect(r).toMatchObject({ status: 0 });
      expect(r.stdout).toContain(`application role: ${APP_ROLE}: privileges and password set`);
    });

    test('it changes a running server\'s password from the Secret; the old password stops working; nothing logs it', () => {
      secrets['user-db-app'] = { ...secrets['user-db-app'], password: NEW_APP_PASSWORD };
      const r = runJob();
      expect(r).toMatchObject({ status: 0 });
      expect(asApp('SELECT current_user', NEW_APP_PASSWORD)).toMatchObject({ status: 0, stdout: `${APP_ROLE}\n` });
      const old = asApp('SELECT 1', APP_PASSWORD);
      expect(old.status).not.toBe(0);
      expect(old.stderr).toMatch(/password authentication failed for user "user_manager_app"/);
      // the data is still there
      expect(asApp('SELECT count(*) FROM account', NEW_APP_PASSWORD).stdout).toBe('1\n');
      const everything = [r.stdout, r.stderr, fs.readFileSync(logFile(), 'utf8'), JSON.stringify(findOne(manifests, 'Job'))].join('\n');
      for (const secret of [APP_PASSWORD, NEW_APP_PASSWORD, SUPERUSER_PASSWORD]) expect(everything).not.toContain(secret);
    });

    test('it is idempotent, and refuses to make the superuser the application role', () => {
      expect(runJob()).toMatchObject({ status: 0 });
      const owner = runJob({ POSTGRES_APP_ROLE: SUPERUSER });
      expect(owner.status).not.toBe(0);
      expect(owner.stderr).toContain(`application role: "${SUPERUSER}" is the superuser this script connects as`);
      const reserved = runJob({ POSTGRES_APP_ROLE: 'pg_monitor' });
      expect(reserved.status).not.toBe(0);
      expect(reserved.stderr).toContain('is reserved');
      // the superuser is still the superuser
      expect(asOwner('SELECT rolsuper FROM pg_roles WHERE rolname = current_user').stdout).toBe('t\n');
    });
  });

  test('the backup Job dumps over TLS, verifying the server with the connection\'s CA (verify-full), as the superuser', () => {
    const user = osUser('postgres');
    const claim = claimDir(path.join(root, 'backup-claim'), user);
    const config = findOne(manifests, 'ConfigMap', 'user-db-nightly-connection').data;
    // the pod DNS name of the primary, which the certificate carries
    expect(config.USER_DB_SERVICE_HOST).toBe(`user-db-0.user-db.${NAMESPACE}.svc.cluster.local`);
    // cert-manager's Secret, as the cluster would hold it
    const withCertificate = [...manifests, { kind: 'Secret', metadata: { name: certificateSecret }, stringData: secrets[certificateSecret] }];
    const backupPod = jobPod(withCertificate, 'CronJob', 'user-db-nightly', {
      namespace: NAMESPACE, claims: { 'user-db-nightly-backups': claim }, scratch: path.join(root, 'job'), user, path: [bin],
    });
    const result = runPod(clients, backupPod, user);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(result.stdout).toMatch(/backup: dumped the database app and the roles/);
    const dump = fs.readdirSync(path.join(claim, 'user-db-nightly')).find(n => /^[0-9]{8}T[0-9]{6}Z$/.test(n))!;
    expect(fs.statSync(path.join(claim, 'user-db-nightly', dump, 'database.pgdump')).size).toBeGreaterThan(0);
    // the server saw a TLS connection from the backup (its application name)
    expect(fs.readFileSync(logFile(), 'utf8')).not.toMatch(/no pg_hba.conf entry[^\n]*cdk8s-stateful-backup/);
  });

  test('tls-reload: a renewed certificate is served once the sidecar has reloaded the server; SIGTERM ends the sidecar at once', async () => {
    const sidecar = podSpec.containers.find((c: any) => c.name === 'tls-reload');
    const before = servedSerial();
    // a fast `sleep` for the test: the rendered interval is 60 s
    const fast = path.join(root, 'fast-bin');
    fs.mkdirSync(fast, { recursive: true });
    fs.writeFileSync(path.join(fast, 'sleep'), '#!/bin/sh\nexec /bin/sleep 0.2\n', { mode: 0o755 });
    const sidecarEnv: Record<string, string> = {
      PATH: `${fast}:${bin}:/usr/bin:/bin`,
      ...Object.fromEntries(sidecar.env.map((e: any) => {
        const ref = e.valueFrom?.secretKeyRef;
        return [e.name, ref ? secrets[ref.name][ref.key] : e.value];
      })),
    };
    const log = path.join(root, 'tls-reload.log');
    const out = fs.openSync(log, 'a');
    fs.chownSync(log, pg().uid, pg().gid);
    // as the pod's user (setpriv execs: the signals reach the script itself)
    const child = spawn('setpriv', [`--reuid=${pg().uid}`, `--regid=${pg().gid}`, '--init-groups', 'env', '-i',
      ...Object.entries(sidecarEnv).map(([k, v]) => `${k}=${v}`), ...sidecar.command.map(mounted)], { stdio: ['ignore', out, out], cwd: os.tmpdir() });
    fs.closeSync(out);
    try {
      await new Promise(resolve => setTimeout(resolve, 1000));
      // cert-manager renews: a new certificate in the Secret, which the kubelet swaps into the volume
      const renewed = issueCertificate(ca, findOne(manifests, 'Certificate').spec.dnsNames, 'server-2');
      secrets[certificateSecret] = { 'tls.crt': renewed['tls.crt'], 'tls.key': renewed['tls.key'], 'ca.crt': renewed['ca.crt'] };
      writeKubeletVolume(stand['/run/secrets/tls'], volumeFiles(podSpec.volumes.find((v: any) => v.name === 'tls'), secrets, configMaps), pg().gid);
      await waitFor(() => fs.readFileSync(log, 'utf8').includes('tls-reload: reloaded'), 'the sidecar to reload', 20_000);
      expect(servedSerial()).toBe(renewed.serial);
      expect(renewed.serial).not.toBe(before);
      // and the consumer still verifies it
      expect(asApp('SELECT 1', NEW_APP_PASSWORD)).toMatchObject({ status: 0, stdout: '1\n' });
    } finally {
      const started = Date.now();
      const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(Date.now() - started).toBeLessThan(5000);
    }
  });

  test('nothing was logged as an error but what the tests provoked', () => {
    const log = fs.readFileSync(logFile(), 'utf8');
    // what the tests provoke: the plain client, the old password, the application role's refusals, the client that distrusted the certificate
    const provoked = /no pg_hba\.conf entry|password authentication failed|permission denied|must be owner|could not accept SSL connection/;
    expect(errorLines(log).filter(l => !provoked.test(l))).toEqual([]);
    // the init scripts never failed
    expect(errorLines(fs.readFileSync(path.join(root, 'initdb.log'), 'utf8'))).toEqual([]);
  });
});
