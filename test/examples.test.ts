import { ApiObject, App, JsonPatch, Testing, Yaml } from 'cdk8s';
import { CassandraExample } from '../examples/cassandra';
import { EurekaExample } from '../examples/eureka';
import { NewsStoreSentinelExample, ReportsDbReplicasExample } from '../examples/failover';
import { HtmlExample } from '../examples/html';
import { buildAlternatives, buildExamples } from '../examples/main';
import { NewsManagerRedisExample, TEST_REDIS_CLIENT_LABEL, TestRedisExample } from '../examples/redis';
import { UserDbExample, UserDbNextMajorExample } from '../examples/user-db';
import { NewsCacheValkeyExample } from '../examples/valkey';
import { WebExample } from '../examples/web';
import { findAll, findOne, renderApp } from './util/harness';
import { expectValidManifests } from './util/k8s-schema';
import { Warnings } from '../src/app/warnings';
import { PostgresVersion } from '../src/engines/postgres';
import { UpgradeFindingSeverity, UpgradeGuard } from '../src/gitops/upgrade-guard';
import { podSpecsOf, restrictedViolations } from '../src/private/pod-security';
import { allWarnings } from '../src/private/warnings';

/** Every example of the foundation issue, rendered as `cdk8s synth` renders it. */
const examples: Array<[string, (app: App) => void]> = [
  ['web', app => new WebExample(app, 'web')],
  ['html', app => new HtmlExample(app, 'html')],
  ['eureka', app => new EurekaExample(app, 'eureka')],
  ['cassandra', app => new CassandraExample(app, 'cassandra')],
  ['user-db', app => new UserDbExample(app, 'user-db')],
  ['test-redis', app => new TestRedisExample(app, 'test-redis')],
  ['news-manager-redis', app => new NewsManagerRedisExample(app, 'news-manager-redis')],
  ['news-cache-valkey', app => new NewsCacheValkeyExample(app, 'news-cache-valkey')],
  ['news-store-sentinel', app => new NewsStoreSentinelExample(app, 'news-store-sentinel')],
  ['reports-db-replicas', app => new ReportsDbReplicasExample(app, 'reports-db-replicas')],
];

const render = renderApp;

describe.each(examples)('example %s', (_name, build) => {
  test('matches the snapshot', () => {
    expect(render(build)).toMatchSnapshot();
  });

  test('every object is valid for the Kubernetes 1.27 API', () => {
    expectValidManifests(render(build));
  });

  test('every pod spec meets the restricted profile', () => {
    const manifests = render(build);
    const specs = manifests.flatMap(m => podSpecsOf(m));
    expect(specs.length).toBeGreaterThan(0);
    for (const spec of specs) expect(restrictedViolations(spec)).toEqual([]);
  });

  test('synthesizing twice gives byte-identical YAML', () => {
    expect(Yaml.stringify(...render(build))).toEqual(Yaml.stringify(...render(build)));
  });
});

test('examples/main.ts renders every example as its own chart', () => {
  const app = Testing.app();
  buildExamples(app);
  const names = app.charts.map(c => c.node.id);
  for (const [name] of examples) expect(names).toContain(name);
  for (const chart of app.charts) expectValidManifests(chart.toJson());
});

/** `kind namespace/name` of every object, the identity `kubectl apply` uses. */
function identities(manifests: any[]): string[] {
  return manifests.map(m => `${m.kind} ${m.metadata.namespace ?? '(cluster or current namespace)'}/${m.metadata.name}`);
}

function duplicatesOf(values: string[]): string[] {
  return values.filter((v, i) => values.indexOf(v) !== i);
}

describe('examples/dist applies as a whole', () => {
  const main = renderApp(buildExamples);
  const alternatives = renderApp(buildAlternatives);

  test('no two objects of examples/dist/*.yaml share kind, namespace and name', () => {
    expect(identities(main).length).toBeGreaterThan(30);
    expect(duplicatesOf(identities(main))).toEqual([]);
  });

  test('every namespace used is created by 00-namespaces, which kubectl applies first', () => {
    const app = Testing.app();
    buildExamples(app);
    const files = app.charts.map(c => `${c.node.id}.k8s.yaml`);
    expect([...files].sort()[0]).toBe('00-namespaces.k8s.yaml');
    const created = findAll(main, 'Namespace').map(n => n.metadata.name);
    const used = [...new Set([...main, ...alternatives].map(m => m.metadata.namespace).filter(n => n !== undefined))];
    expect(created.sort()).toEqual(used.sort());
    expect(created).toEqual(['accounts', 'cassandra', 'news', 'redis', 'registry', 'reports', 'tools', 'users', 'web']);
    // labelled for Pod Security admission by the library: every example pod meets "restricted" (checked at synthesis)
    for (const ns of findAll(main, 'Namespace')) {
      expect(ns.metadata.labels).toEqual({
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'v1.27',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/audit-version': 'latest',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/warn-version': 'latest',
      });
    }
  });

  test('examples/dist/alternatives/ holds the other half of each pair: the same objects, rendered differently', () => {
    // each alternative is applied on its own, instead of its counterpart in examples/dist
    expect(duplicatesOf(identities(alternatives))).toEqual([]);
    const shared = identities(alternatives).filter(id => identities(main).includes(id));
    expect(shared).toEqual(expect.arrayContaining([
      'Service web/ext', 'Job web/ext-check', 'ConfigMap web/ext-connection',
      'Service users/user-db', 'Deployment users/user-manager', 'ConfigMap users/user-db-connection',
    ]));
    // the migrations: the same Jobs (same template, so kubectl apply leaves the finished ones alone)
    const jobs = shared.filter(id => id.startsWith('Job users/user-db-'));
    expect(jobs).toEqual([expect.stringMatching(/^Job users\/user-db-001-add-email-[0-9a-f]{8}$/), expect.stringMatching(/^Job users\/user-db-002-backfill-email-[0-9a-f]{8}$/)]);
    // the restored ring: everything of the ring, and claims of its own
    const ring = identities(renderApp(app => new CassandraExample(app, 'cassandra')));
    expect(shared.filter(id => ring.includes(id)).sort()).toEqual([...ring].sort());
    expect(identities(alternatives).filter(id => id.startsWith('PersistentVolumeClaim cassandra/')))
      .toEqual(['PersistentVolumeClaim cassandra/data-cassandra-0', 'PersistentVolumeClaim cassandra/data-cassandra-1', 'PersistentVolumeClaim cassandra/data-cassandra-2']);
    // user-db-restore: every object of user-db, and the restore Job
    const userDb = identities(main).filter(id => id.includes(' accounts/'));
    const restore = identities(alternatives).filter(id => id.includes(' accounts/'));
    expect(restore.filter(id => !userDb.includes(id)).sort()).toEqual([
      'ConfigMap accounts/user-db-restore-20250301t023000z-connection',
      expect.stringMatching(/^Job accounts\/user-db-restore-20250301t023000z-[0-9a-f]{6}$/),
    ]);
    expect(userDb.filter(id => !restore.includes(id))).toEqual([]);
    expect(shared).toHaveLength(8 + ring.length + userDb.length);
    // external-ip names ext's address, so it restricts ext-check's egress to it; external-dns cannot
    expect(identities(alternatives).filter(id => id.startsWith('NetworkPolicy web/'))).toEqual(['NetworkPolicy web/ext-check-egress']);
    expect(identities(main).filter(id => id.startsWith('NetworkPolicy web/'))).toEqual([]);
  });
});

describe('user-db-18: the user database moving to PostgreSQL 18 as the upgrade guard\'s way out says', () => {
  const main = render(app => new UserDbExample(app, 'user-db'));
  const next = render(app => new UserDbNextMajorExample(app, 'user-db-18'));

  test('valid, restricted, and without warnings', () => {
    expectValidManifests(next);
    for (const spec of next.flatMap(m => podSpecsOf(m))) expect(restrictedViolations(spec)).toEqual([]);
    const app = Testing.app();
    new UserDbNextMajorExample(app, 'user-db-18');
    expect(allWarnings(app)).toEqual([]);
  });

  test('the running store is unchanged, the new store on 18 has no init scripts but the application role\'s, the consumer keeps its variables', () => {
    expect(findOne(next, 'StatefulSet', 'user-db')).toEqual(findOne(main, 'StatefulSet', 'user-db'));
    const store = findOne(next, 'StatefulSet', 'user-db-18');
    expect(store.spec.template.spec.containers[0].image).toBe(`docker.io/library/postgres:${PostgresVersion.V18.tag}`);
    // the role exists before the dump arrives (its grants name it); no schema of its own
    const initdb = store.spec.template.spec.volumes.find((v: any) => v.name === 'postgres-initdb');
    expect(initdb.projected.sources).toEqual([{ configMap: { name: 'user-db-18-app-role' } }]);
    expect(findOne(next, 'ConfigMap', 'user-db-connection').data.USER_DB_SERVICE_HOST).toBe('user-db-18-0.user-db-18.accounts.svc.cluster.local');
    expect(Object.keys(findOne(next, 'ConfigMap', 'user-db-connection').data)).toEqual(Object.keys(findOne(main, 'ConfigMap', 'user-db-connection').data));
  });

  test('the upgrade guard lets the pair through; moving user-db itself to 18 is refused, naming this store', () => {
    expect(UpgradeGuard.compare(main, next).filter(f => f.severity !== UpgradeFindingSeverity.WARNING)).toEqual([]);
    const inPlace = render(app => {
      const chart = new UserDbExample(app, 'user-db');
      ApiObject.of(chart.database.workload.apiObject).addJsonPatch(
        JsonPatch.replace('/spec/template/spec/containers/0/image', `docker.io/library/postgres:${PostgresVersion.V18.tag}`));
    });
    const refused = UpgradeGuard.compare(main, inPlace);
    expect(refused).toEqual([expect.objectContaining({ severity: UpgradeFindingSeverity.REFUSED, objectName: 'user-db' })]);
    expect(refused[0].wayOut).toContain('e.g. user-db-18,');
    expect(refused[0].wayOut).toContain('kubectl -n accounts exec -i user-db-18-0 -c postgres');
  });
});

test('web: pods web-0.nginx and web-1.nginx, claims www-web-0 and www-web-1', () => {
  const app = Testing.app();
  const web = new WebExample(app, 'web');
  expect(web.workload.podDnsName(0)).toBe('web-0.nginx');
  expect(web.workload.podDnsName(1)).toBe('web-1.nginx');
  const www = web.workload.volumeClaimTemplates[0];
  expect([0, 1].map(i => web.workload.claimName(www, i))).toEqual(['www-web-0', 'www-web-1']);
  const sts = findOne(web.toJson(), 'StatefulSet', 'web');
  expect(sts.spec.serviceName).toBe('nginx');
  expect(sts.spec.volumeClaimTemplates[0].spec).toEqual({
    accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem',
  });
  expect(sts.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'www', mountPath: '/usr/share/nginx/html' });
});

test('html: 16Ki claims on class html behind html-service', () => {
  const html = new HtmlExample(Testing.app(), 'html');
  const sts = findOne(html.toJson(), 'StatefulSet', 'html');
  expect(sts.spec.serviceName).toBe('html-service');
  expect(sts.spec.replicas).toBe(2);
  expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('html-pvc');
  expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('16Ki');
  expect(sts.spec.volumeClaimTemplates[0].spec.storageClassName).toBe('html');
  expect(html.workload.claimName(html.workload.volumeClaimTemplates[0], 1)).toBe('html-pvc-html-1');
});

test('eureka: Parallel, probes, resources, RWX claim, partition, LoadBalancer', () => {
  const manifests = new EurekaExample(Testing.app(), 'eureka').toJson();
  const sts = findOne(manifests, 'StatefulSet', 'eureka');
  expect(sts.spec.podManagementPolicy).toBe('Parallel');
  expect(sts.spec.updateStrategy.rollingUpdate.partition).toBe(1);
  const c = sts.spec.template.spec.containers[0];
  expect(c.livenessProbe.tcpSocket.port).toBe(8761);
  expect(c.readinessProbe.httpGet.path).toBe('/actuator/health');
  expect(c.resources.limits).toEqual({ cpu: '1', memory: '768Mi' }); // Cpu.millis(1000): the API server stores 1000m as 1
  expect(c.env).toContainEqual({
    name: 'EUREKA_CLIENT_SERVICEURL_DEFAULTZONE',
    value: 'http://eureka-0.eureka:8761/eureka/,http://eureka-1.eureka:8761/eureka/',
  });
  expect(sts.spec.volumeClaimTemplates[0].spec.accessModes).toEqual(['ReadWriteMany']);
  expect(sts.spec.volumeClaimTemplates[0].spec.storageClassName).toBe('alicloud-nas');
  const lb = findOne(manifests, 'Service', 'eureka-lb');
  expect(lb.spec.type).toBe('LoadBalancer');
  expect(Object.keys(lb.metadata.annotations)).toHaveLength(2);
  expect(findAll(manifests, 'Service')).toHaveLength(2);
});

test('cassandra: three nodes on EBS gp3 claims, snapshotted every night by a CronJob keeping 7 per node', () => {
  const app = Testing.app();
  const example = new CassandraExample(app, 'cassandra');
  const manifests = example.toJson();
  const sts = findOne(manifests, 'StatefulSet', 'cassandra');
  expect(sts.metadata.namespace).toBe('cassandra');
  expect(sts.spec.replicas).toBe(3);
  expect(sts.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'cassandra-gp3', resources: { requests: { storage: '1Gi' } } });
  expect(findOne(manifests, 'StorageClass', 'cassandra-gp3')).toMatchObject({ provisioner: 'ebs.csi.aws.com', parameters: { type: 'gp3' }, reclaimPolicy: 'Retain' });
  // the snapshot class of the volumes' driver; pruned snapshots free their storage
  expect(findOne(manifests, 'VolumeSnapshotClass', 'cassandra-snapshots')).toMatchObject({ driver: 'ebs.csi.aws.com', deletionPolicy: 'Delete' });
  const cronJob = findOne(manifests, 'CronJob', 'cassandra-nightly-snapshots');
  expect(cronJob.metadata.namespace).toBe('cassandra');
  expect(cronJob.spec).toMatchObject({ schedule: '0 2 * * *', timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid' });
  const env = Object.fromEntries(cronJob.spec.jobTemplate.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
  expect(env).toMatchObject({ WORKLOAD: 'cassandra', CLAIM_TEMPLATES: 'data', ORDINALS: '0 1 2', SCHEDULE: 'nightly', SNAPSHOT_CLASS: 'cassandra-snapshots', RETAIN: '7' });
  expect(example.snapshots.claimNames).toEqual(['data-cassandra-0', 'data-cassandra-1', 'data-cassandra-2']);
  expect(findOne(manifests, 'Role', 'cassandra-nightly-snapshots').rules[1].resourceNames).toEqual(['data-cassandra-0', 'data-cassandra-1', 'data-cassandra-2']);
  expect(findAll(manifests, 'PersistentVolumeClaim')).toEqual([]);
  expect(example.restore).toBeUndefined();
  expect(example.cassandra.seeds).toEqual(['cassandra-0.cassandra.cassandra.svc.cluster.local', 'cassandra-1.cassandra.cassandra.svc.cluster.local']);
  expect(example.cassandra.endpoint.socketAddress).toBe('cassandra.cassandra.svc.cluster.local:9042');
  // authentication: the superuser role from the Secret cassandra-admin, by reference only
  const auth = sts.spec.template.spec.containers.find((c: any) => c.name === 'cassandra-auth');
  expect(auth.env).toContainEqual({ name: 'CASSANDRA_AUTH_PASSWORD', valueFrom: { secretKeyRef: { name: 'cassandra-admin', key: 'password' } } });
  expect(example.cassandra.credentials?.secret.name).toBe('cassandra-admin');
  expect(findAll(manifests, 'Secret')).toEqual([]);
  expect(allWarnings(app)).toEqual([]);
});

test('cassandra-restored: each node\'s claim from the nightly snapshot of the same node, before the StatefulSet', () => {
  const app = Testing.app();
  const example = new CassandraExample(app, 'cassandra-restored', { restoreFrom: '20250301020000' });
  const manifests = example.toJson();
  expectValidManifests(manifests);
  const claims = findAll(manifests, 'PersistentVolumeClaim');
  expect(claims.map(c => [c.metadata.name, c.spec.dataSource.name])).toEqual([0, 1, 2].map(i => [`data-cassandra-${i}`, `data-cassandra-${i}-nightly-20250301020000`]));
  const template = findOne(manifests, 'StatefulSet', 'cassandra').spec.volumeClaimTemplates[0];
  for (const claim of claims) {
    const { dataSource, ...spec } = claim.spec;
    expect(spec).toEqual(template.spec);
  }
  const kinds = manifests.map(m => m.kind);
  expect(kinds.lastIndexOf('PersistentVolumeClaim')).toBeLessThan(kinds.indexOf('StatefulSet'));
  expect(example.restore!.claimNames).toEqual(['data-cassandra-0', 'data-cassandra-1', 'data-cassandra-2']);
  expect(allWarnings(app)).toEqual([]);
});

test('test-redis: a primary and two replicas of it, a write and a read Service', () => {
  const manifests = new TestRedisExample(Testing.app(), 'test-redis').toJson();
  const sts = findOne(manifests, 'StatefulSet', 'test-redis');
  expect(sts.spec.replicas).toBe(3);
  const redis = sts.spec.template.spec.containers.find((c: any) => c.name === 'redis');
  expect(redis.env).toContainEqual({ name: 'REDIS_PRIMARY_HOST', value: 'test-redis-0.test-redis.redis.svc.cluster.local' });
  expect(findOne(manifests, 'Service', 'test-redis').spec.publishNotReadyAddresses).toBe(true);
  expect(findOne(manifests, 'Service', 'test-redis-write').spec.selector['statefulset.kubernetes.io/pod-name']).toBe('test-redis-0');
  expect(findOne(manifests, 'Service', 'test-redis-read').spec.selector).not.toHaveProperty(['statefulset.kubernetes.io/pod-name']);
});

test('test-redis: no password on purpose, isolated by NetworkPolicies (the Redis pods and labelled clients), so nothing warns', () => {
  const app = Testing.app();
  const example = new TestRedisExample(app, 'test-redis');
  const manifests = example.toJson();
  const redis = findOne(manifests, 'StatefulSet', 'test-redis').spec.template.spec.containers.find((c: any) => c.name === 'redis');
  expect(redis.env.map((e: any) => e.name)).toEqual(['REDIS_PRIMARY_HOST']);
  const selector = { matchLabels: { 'app.kubernetes.io/instance': 'test-redis', 'app.kubernetes.io/name': 'test-redis' } };
  expect(findOne(manifests, 'NetworkPolicy', 'test-redis')).toEqual(expect.objectContaining({
    metadata: expect.objectContaining({ namespace: 'redis' }),
    spec: {
      podSelector: selector,
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ podSelector: selector }], ports: [{ protocol: 'TCP', port: 6379 }] },
        { from: [{ podSelector: { matchLabels: { [TEST_REDIS_CLIENT_LABEL]: 'true' } } }], ports: [{ protocol: 'TCP', port: 6379 }] },
      ],
    },
  }));
  expect(example.networkPolicy.name).toBe('test-redis');
  expect(Warnings.of(app).list()).toEqual([]);
});

test('news-manager-redis: a primary and a replica with 1Gi at /data, news-manager wired to the write Service', () => {
  const example = new NewsManagerRedisExample(Testing.app(), 'news-manager-redis');
  const manifests = example.toJson();
  const sts = findOne(manifests, 'StatefulSet', 'news-manager-redis');
  expect(sts.spec.replicas).toBe(2);
  expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('1Gi');
  expect(sts.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
  expect(example.redis.storeName).toBe('news-manager-redis');
  const cm = findOne(manifests, 'ConfigMap', 'news-manager-redis-connection');
  expect(cm.data).toMatchObject({
    NEWS_MANAGER_REDIS_SERVICE_HOST: 'news-manager-redis-write.news.svc.cluster.local',
    NEWS_MANAGER_REDIS_SERVICE_PORT: '6379',
    NEWS_MANAGER_REDIS_SERVICE_PORT_REDIS: '6379',
  });
  const app = findOne(manifests, 'Deployment', 'news-manager').spec.template.spec.containers[0];
  expect(app.envFrom).toEqual([{ configMapRef: { name: 'news-manager-redis-connection' } }]);
  // the password: from the Secret news-manager-redis-auth, made outside the chart, by reference only
  expect(app.env).toContainEqual({ name: 'NEWS_MANAGER_REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'news-manager-redis-auth', key: 'password' } } });
  expect(sts.spec.template.spec.containers[0].env).toContainEqual(
    { name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: 'news-manager-redis-auth', key: 'password' } } });
  expect(findAll(manifests, 'Secret')).toEqual([]);
});

test('news-manager-redis: an hourly dump from the replica into a kept claim, a day\'s worth kept', () => {
  const example = new NewsManagerRedisExample(Testing.app(), 'news-manager-redis');
  const manifests = example.toJson();
  const cronJob = findOne(manifests, 'CronJob', 'news-manager-redis-hourly');
  expect(cronJob.spec).toMatchObject({ schedule: '15 * * * *', timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid' });
  const env = cronJob.spec.jobTemplate.spec.template.spec.containers[0].env;
  expect(env).toContainEqual({ name: 'REDIS_REPLICAS', value: 'news-manager-redis-1.news-manager-redis.news.svc.cluster.local' });
  expect(env).toContainEqual({ name: 'BACKUP_RETAIN', value: '24' });
  const claim = findOne(manifests, 'PersistentVolumeClaim', 'news-manager-redis-hourly-backups');
  expect(claim.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' });
  expect(claim.spec.resources.requests.storage).toBe('5Gi');
  expect(example.backup.connection.store).toBe(example.redis);
});

test('user-db: a nightly dump; user-db-restore (an alternative) restores one, as a Job named after it', () => {
  const main = new UserDbExample(Testing.app(), 'user-db');
  const cronJob = findOne(main.toJson(), 'CronJob', 'user-db-nightly');
  expect(cronJob.spec).toMatchObject({ schedule: '30 2 * * *', timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid' });
  expect(main.restore).toBeUndefined();
  const restore = new UserDbExample(Testing.app(), 'user-db-restore', { restoreDump: '20250301T023000Z' });
  const job = findOne(restore.toJson(), 'Job', restore.restore!.jobName);
  expect(job.metadata.annotations).toEqual({ 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' });
  expect(job.spec.template.spec.containers[0].env).toContainEqual({ name: 'RESTORE_DUMP', value: '20250301T023000Z' });
  // the CronJob is the same in both: applying the alternative changes nothing but the restore
  expect(findOne(restore.toJson(), 'CronJob', 'user-db-nightly')).toEqual(cronJob);
});

test('news-cache-valkey: a Valkey primary and replica with a password, news-feed wired to the write Service with Redis\'s variables', () => {
  const app = Testing.app();
  const example = new NewsCacheValkeyExample(app, 'news-cache-valkey');
  const manifests = example.toJson();
  const sts = findOne(manifests, 'StatefulSet', 'news-cache');
  expect(sts.spec.replicas).toBe(2);
  const valkey = sts.spec.template.spec.containers.find((c: any) => c.name === 'valkey');
  expect(valkey.image).toBe('docker.io/valkey/valkey:8.1.11');
  expect(valkey.env).toContainEqual({ name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: 'news-cache-auth', key: 'password' } } });
  expect(valkey.command[2]).toContain('maxmemory-policy allkeys-lru');
  const cm = findOne(manifests, 'ConfigMap', 'news-cache-connection');
  expect(cm.data).toMatchObject({
    NEWS_CACHE_SERVICE_HOST: 'news-cache-write.news.svc.cluster.local',
    NEWS_CACHE_SERVICE_PORT: '6379',
    NEWS_CACHE_SERVICE_PORT_REDIS: '6379',
  });
  const feed = findOne(manifests, 'Deployment', 'news-feed').spec.template.spec.containers[0];
  expect(feed.env).toContainEqual({ name: 'NEWS_CACHE_PASSWORD', valueFrom: { secretKeyRef: { name: 'news-cache-auth', key: 'password' } } });
  Testing.synth(example);
  expect(allWarnings(app)).toEqual([]);
});

test('user-db: TLS from cert-manager, required; user-manager gets the CA, verify-full and the application role', () => {
  const example = new UserDbExample(Testing.app(), 'user-db');
  const manifests = example.toJson();
  const certificate = findOne(manifests, 'Certificate', 'user-db-tls');
  expect(certificate.spec.issuerRef).toEqual({ name: 'internal-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
  expect(certificate.spec.dnsNames).toEqual(expect.arrayContaining(['user-db-0.user-db.accounts.svc.cluster.local', 'user-db.accounts.svc.cluster.local']));
  const cm = findOne(manifests, 'ConfigMap', 'user-db-connection').data;
  expect(cm).toMatchObject({ USER_DB_SSLMODE: 'verify-full', USER_DB_CA_FILE: '/var/run/secrets/cdk8s-stateful.io/user-db-connection/ca.crt' });
  const app = findOne(manifests, 'Deployment', 'user-manager').spec.template.spec.containers[0];
  expect(app.env).toContainEqual({ name: 'USER_DB_USERNAME', valueFrom: { secretKeyRef: { name: 'user-db-app', key: 'username' } } });
  expect(findOne(manifests, 'ConfigMap', 'user-db-hba').data['pg_hba.conf']).toContain('hostssl');
  expect(manifests.filter((m: any) => m.kind === 'Job' && m.metadata.name.startsWith('user-db-app-role-'))).toHaveLength(1);
  // the backup keeps the superuser
  const backup = findOne(manifests, 'CronJob', 'user-db-nightly').spec.jobTemplate.spec.template.spec;
  expect(backup.volumes).toContainEqual(expect.objectContaining({ secret: expect.objectContaining({ secretName: 'user-db-credentials' }) }));
});

test('news-manager-redis: TLS only, replication over TLS, news-manager gets the CA and TLS=verify-full', () => {
  const example = new NewsManagerRedisExample(Testing.app(), 'news-manager-redis');
  const manifests = example.toJson();
  expect(findOne(manifests, 'Certificate', 'news-manager-redis-tls').spec.dnsNames)
    .toEqual(expect.arrayContaining(['news-manager-redis-write.news.svc.cluster.local', 'news-manager-redis-1.news-manager-redis.news.svc.cluster.local']));
  const cm = findOne(manifests, 'ConfigMap', 'news-manager-redis-connection').data;
  expect(cm).toMatchObject({ NEWS_MANAGER_REDIS_TLS: 'verify-full', NEWS_MANAGER_REDIS_CA_FILE: '/var/run/secrets/cdk8s-stateful.io/news-manager-redis-connection/ca.crt' });
  const redis = findOne(manifests, 'StatefulSet', 'news-manager-redis').spec.template.spec.containers.find((c: any) => c.name === 'redis');
  expect(redis.command[2]).toContain('\ntls-replication yes\n');
});

test('user-db and news-manager-redis: metrics on, the exporter port no client port, PodMonitor and PrometheusRule for kube-prometheus-stack', () => {
  const userDb = new UserDbExample(Testing.app(), 'user-db').toJson();
  const news = new NewsManagerRedisExample(Testing.app(), 'news-manager-redis').toJson();
  for (const [manifests, name, exporter, port, interval] of [
    [userDb, 'user-db', 'postgres-exporter', 9187, undefined],
    [news, 'news-manager-redis', 'redis-exporter', 9121, '15s'],
  ] as const) {
    const containers = findOne(manifests, 'StatefulSet', name).spec.template.spec.containers;
    expect(containers.find((c: any) => c.name === exporter).ports).toEqual([{ name: 'metrics', containerPort: port }]);
    const monitor = findOne(manifests, 'PodMonitor', name);
    expect(monitor.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(monitor.spec.podMetricsEndpoints).toEqual([{ port: 'metrics', path: '/metrics', interval }]);
    const rule = findOne(manifests, 'PrometheusRule', name);
    expect(rule.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(rule.spec.groups[0].rules.every((r: any) => r.labels.team !== undefined)).toBe(true);
    const connection = manifests.find((m: any) => m.kind === 'ConfigMap' && m.metadata.name.endsWith('-connection'));
    expect(JSON.stringify(connection.data)).not.toContain(String(port));
  }
  const memory = findOne(news, 'PrometheusRule', 'news-manager-redis').spec.groups[0].rules.find((r: any) => r.alert === 'RedisMemoryNearMax');
  expect(memory.expr).toContain(' > 0.85 and ');
});
