import { App, Testing, Yaml } from 'cdk8s';
import { ExternalDnsExample } from '../examples/external-dns';
import { ExternalIpExample } from '../examples/external-ip';
import { buildAlternatives, buildExamples } from '../examples/main';
import { UserDbMigrationExample } from '../examples/user-db-migration';
import { UpgradeFindingSeverity, UpgradeGuard } from '../src';
import { CHECKSUM_PREFIX, findAll, findOne, renderApp, withoutChecksums } from './util/harness';
import { expectValidManifests } from './util/k8s-schema';
import { podSpecsOf, restrictedViolations } from '../src/private/pod-security';

/** The examples of issue 3 (data stores inside or outside the cluster), as `examples/main.ts` builds them. */
const examples: Array<[string, (app: App, id: string) => void]> = [
  ['external-dns', (app, id) => new ExternalDnsExample(app, id)],
  ['external-ip', (app, id) => new ExternalIpExample(app, id)],
  ['user-db-external', (app, id) => new UserDbMigrationExample(app, id, { database: 'external' })],
  ['user-db-in-cluster', (app, id) => new UserDbMigrationExample(app, id, { database: 'in-cluster' })],
];

/** Renders an example as `cdk8s synth` does, as its own chart with id `id`. */
function render(build: (app: App, id: string) => void, id: string): any[] {
  return renderApp(app => build(app, id));
}

describe.each(examples)('example %s', (name, build) => {
  test('matches the snapshot', () => {
    expect(render(build, name)).toMatchSnapshot();
  });

  test('every object is valid for the Kubernetes 1.27 API', () => {
    expectValidManifests(render(build, name));
  });

  test('every pod spec meets the restricted profile', () => {
    const specs = render(build, name).flatMap(m => podSpecsOf(m));
    expect(specs.length).toBeGreaterThan(0);
    for (const spec of specs) expect(restrictedViolations(spec)).toEqual([]);
  });

  test('synthesizing twice gives byte-identical YAML', () => {
    expect(Yaml.stringify(...render(build, name))).toEqual(Yaml.stringify(...render(build, name)));
  });

  test('passes the deferred validations of cdk8s synth', () => {
    const app = Testing.app();
    build(app, name);
    expect(app.node.findAll().flatMap(c => c.node.validate())).toEqual([]);
  });
});

test('examples/main.ts renders every example of issue 3 as its own chart, alternatives apart', () => {
  const app = Testing.app();
  buildExamples(app);
  const alternatives = Testing.app();
  buildAlternatives(alternatives);
  expect(app.charts.map(c => c.node.id)).toEqual(expect.arrayContaining(['external-dns', 'user-db-external']));
  expect(alternatives.charts.map(c => c.node.id)).toEqual(['external-ip', 'user-db-in-cluster', 'cassandra-restored', 'user-db-restore']);
});

describe('external-dns', () => {
  const manifests = render(examples[0][1], 'external-dns');

  test('an external nginx reached as ext through an ExternalName Service that keeps its port', () => {
    const svc = findOne(manifests, 'Service', 'ext');
    expect(svc.metadata.namespace).toBe('web');
    expect(svc.spec).toEqual({ type: 'ExternalName', externalName: 'nginx.example.com', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] });
    expect(findAll(manifests, 'EndpointSlice')).toEqual([]);
  });

  test('the connection hands out the in-cluster name, and the real host name for Host headers and TLS', () => {
    expect(findOne(manifests, 'ConfigMap', 'ext-connection').data).toEqual({
      EXT_SERVICE_HOST: 'ext.web.svc.cluster.local',
      EXT_SERVICE_PORT: '80',
      EXT_SERVICE_PORT_HTTP: '80',
      EXT_SERVICE_SERVER_NAME: 'nginx.example.com',
    });
    const container = findOne(manifests, 'Job', 'ext-check').spec.template.spec.containers[0];
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'ext-connection' } }]);
    expect(container.command.join(' ')).toContain('--header "Host: $EXT_SERVICE_SERVER_NAME" "http://$EXT_SERVICE_HOST:$EXT_SERVICE_PORT/"');
  });
});

describe('external-ip', () => {
  const manifests = render(examples[1][1], 'external-ip');

  test('ext is a Service without selector whose EndpointSlice sends port 80 to 172.0.0.1', () => {
    const svc = findOne(manifests, 'Service', 'ext');
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.selector).toBeUndefined();
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }]);
    const slice = findOne(manifests, 'EndpointSlice', 'ext-ipv4');
    expect(slice.metadata.labels['kubernetes.io/service-name']).toBe('ext');
    expect(slice.endpoints).toEqual([{ addresses: ['172.0.0.1'], conditions: { ready: true } }]);
    expect(slice.ports).toEqual([{ name: 'http', port: 80, protocol: 'TCP' }]);
  });

  test('the consumer is the same Job as in external-dns', () => {
    const viaIp = findOne(render(examples[1][1], 'ext'), 'Job', 'ext-check');
    const viaDns = findOne(render(examples[0][1], 'ext'), 'Job', 'ext-check');
    // the same but for the connection checksum, which changes with the address (so the Job is re-created)
    expect(withoutChecksums(viaIp)).toEqual(withoutChecksums(viaDns));
    expect(Object.keys(findOne(manifests, 'ConfigMap', 'ext-connection').data)).toEqual(
      Object.keys(findOne(render(examples[0][1], 'external-dns'), 'ConfigMap', 'ext-connection').data));
  });
});

describe('user-db-migration', () => {
  const external = render(examples[2][1], 'user-db-migration');
  const inCluster = render(examples[3][1], 'user-db-migration');

  test('outside the cluster: user-db is an ExternalName alias of the managed database', () => {
    expect(findOne(external, 'Service', 'user-db').spec.externalName).toBe('users-db.prod.example.com');
    expect(findAll(external, 'StatefulSet')).toEqual([]);
    expect(findOne(external, 'ConfigMap', 'user-db-connection').data).toMatchObject({
      USER_DB_SERVICE_HOST: 'user-db.users.svc.cluster.local',
      USER_DB_SERVICE_PORT: '5432',
    });
  });

  test('inside the cluster: user-manager talks to the primary, pod user-db-0', () => {
    expect(findOne(inCluster, 'StatefulSet', 'user-db').spec.serviceName).toBe('user-db');
    expect(findOne(inCluster, 'ConfigMap', 'user-db-connection').data).toMatchObject({
      USER_DB_SERVICE_HOST: 'user-db-0.user-db.users.svc.cluster.local',
      USER_DB_SERVICE_PORT: '5432',
    });
  });

  test('the user-manager Deployment is identical but for its connection checksum, and so are the variable names', () => {
    const a = findOne(external, 'Deployment', 'user-manager');
    const b = findOne(inCluster, 'Deployment', 'user-manager');
    expect(withoutChecksums(a)).toEqual(withoutChecksums(b));
    // the checksum differs: moving the store rolls the consumer onto the new address
    const checksum = (d: any) => d.spec.template.metadata.annotations[`${CHECKSUM_PREFIX}user-db-connection`];
    expect(checksum(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(checksum(b)).toMatch(/^[0-9a-f]{16}$/);
    expect(checksum(a)).not.toBe(checksum(b));
    const container = a.spec.template.spec.containers[0];
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'user-db-connection' } }]);
    expect(container.env.map((e: any) => [e.name, e.valueFrom.secretKeyRef])).toEqual([
      ['USER_DB_USERNAME', { name: 'user-db-credentials', key: 'username' }],
      ['USER_DB_PASSWORD', { name: 'user-db-credentials', key: 'password' }],
    ]);
    expect(Object.keys(findOne(external, 'ConfigMap', 'user-db-connection').data)).toEqual(
      Object.keys(findOne(inCluster, 'ConfigMap', 'user-db-connection').data));
  });

  test('two migrations, Argo CD Sync hooks wired like user-manager, identical in both homes', () => {
    for (const manifests of [external, inCluster]) {
      const jobs = findAll(manifests, 'Job');
      expect(jobs.map(j => j.metadata.name)).toEqual([
        expect.stringMatching(/^user-db-001-add-email-[0-9a-f]{8}$/),
        expect.stringMatching(/^user-db-002-backfill-email-[0-9a-f]{8}$/),
      ]);
      const consumer = findOne(manifests, 'Deployment', 'user-manager').spec.template.spec.containers[0];
      for (const job of jobs) {
        expect(job.metadata.annotations['argocd.argoproj.io/hook']).toBe('Sync');
        expect(job.metadata.annotations['argocd.argoproj.io/hook-delete-policy']).toBe('BeforeHookCreation');
        const container = job.spec.template.spec.containers[0];
        expect(container.image).toBe('docker.io/library/postgres:16.4');
        expect(container.envFrom).toEqual(consumer.envFrom);
        expect(container.env).toEqual(consumer.env);
        expect(container.args[0]).toContain('PGPASSWORD="$USER_DB_PASSWORD"');
      }
    }
    // the store moves, the migrations stay: kubectl apply of the other home leaves the finished Jobs alone
    expect(findAll(inCluster, 'Job')).toEqual(findAll(external, 'Job'));
  });

  test('sync waves: connection, database, migration, backfill, then user-manager', () => {
    const wave = (kind: string, name?: string) => findAll(inCluster, kind, name).map(o => o.metadata.annotations?.['argocd.argoproj.io/sync-wave']);
    expect(wave('ConfigMap', 'user-db-connection')).toEqual(['1']);
    expect(wave('StatefulSet', 'user-db')).toEqual(['2']);
    expect(wave('Job')).toEqual(['3', '4']);
    expect(wave('Deployment', 'user-manager')).toEqual(['5']);
    expect(findAll(external, 'Job').map(o => o.metadata.annotations['argocd.argoproj.io/sync-wave'])).toEqual(['3', '4']);
  });

  test('the in-cluster database is the Postgres preset with the same credentials Secret and the database user_manager', () => {
    const spec = findOne(inCluster, 'StatefulSet', 'user-db').spec.template.spec;
    const env = spec.containers[0].env;
    expect(env.filter((e: any) => e.valueFrom).map((e: any) => [e.name, e.valueFrom.secretKeyRef])).toEqual([
      ['POSTGRES_USER', { name: 'user-db-credentials', key: 'username' }],
    ]);
    expect(env).toContainEqual({ name: 'POSTGRES_DB', value: 'user_manager' });
    expect(spec.volumes).toContainEqual(expect.objectContaining({ name: 'postgres-password', secret: expect.objectContaining({ secretName: 'user-db-credentials' }) }));
    // without Argo CD (kubectl apply -f dist/), user-manager and the migrations wait for the database first
    for (const home of [inCluster, external]) {
      expect(findOne(home, 'Deployment', 'user-manager').spec.template.spec.initContainers.map((c: any) => c.name)).toEqual(['wait-for-user-db']);
      for (const job of findAll(home, 'Job')) expect(job.spec.template.spec.initContainers.map((c: any) => c.name)).toEqual(['wait-for-user-db']);
    }
    // the database comes from the connection, in both homes: no name written by hand
    for (const job of findAll(inCluster, 'Job')) expect(job.spec.template.spec.containers[0].args[0]).toContain('PGDATABASE="$USER_DB_DATABASE" ');
    for (const home of [inCluster, external]) {
      expect(findOne(home, 'ConfigMap', 'user-db-connection').data.USER_DB_DATABASE).toBe('user_manager');
    }
  });
});

describe('moving the user database into the cluster, as one reviewed change', () => {
  // the two charts exactly as examples/main.ts renders them: before (dist/) and after (dist/alternatives/)
  const before = render(examples[2][1], 'user-db-external');
  const after = render(examples[3][1], 'user-db-in-cluster');

  test.each([
    ['client-side apply (kubectl apply)', false],
    ['server-side apply (Argo CD ServerSideApply=true)', true],
  ])('the API server accepts every update of the pair applied in sequence, with %s', (_name, serverSideApply) => {
    // WHEN
    const findings = UpgradeGuard.compare(before, after, { serverSideApply });
    // THEN nothing refused and no data lost (a warning may say what only the cluster knows)
    expect(findings.filter(f => f.severity !== UpgradeFindingSeverity.WARNING).map(f => `${f.kind}/${f.objectName} ${f.field}: ${f.message}`)).toEqual([]);
  });

  test('the consumer keeps its selector and name, and rolls: only its pod template\'s checksum (and cdk8s-plus\'s path label) change', () => {
    const a = findOne(before, 'Deployment', 'user-manager');
    const b = findOne(after, 'Deployment', 'user-manager');
    expect(b.spec.selector).toEqual(a.spec.selector);
    expect(b.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'user-manager' } });
    // cdk8s-plus labels every pod template with its construct path; outside the selector it may change
    const comparable = (d: any) => {
      const copy = withoutChecksums(d);
      delete copy.spec.template.metadata.labels['cdk8s.io/metadata.addr'];
      return copy;
    };
    expect(comparable(b)).toEqual(comparable(a));
    expect(b.spec.template.metadata.annotations).not.toEqual(a.spec.template.metadata.annotations);
  });
});
