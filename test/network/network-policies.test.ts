import { ApiObject, App, Chart, Cron, JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  Cassandra,
  DataStoreConnection,
  DataStoreCredentials,
  ExternalService,
  NetworkPeer,
  NetworkPolicies,
  Postgres,
  Redis,
  SchemaMigration,
  StatefulWorkload,
  Warnings,
} from '../../src';
import { STRICT_CONTEXT, WARNINGS, warningsOf } from '../../src/private/warnings';
import { findAll, findOne } from '../util/harness';
import { admits, PodView, podsOf, strangerPod, wiringsOf } from '../util/network-policy';

const IMAGE = 'registry.example.com/web:1.0.0';

function web(chart: Chart, id: string, props: Partial<kplus.DeploymentProps> = {}): kplus.Deployment {
  return new kplus.Deployment(chart, id, {
    metadata: { name: id },
    containers: [{ name: 'web', image: IMAGE, portNumber: 8080, securityContext: { user: 1000 } }],
    ...props,
  });
}

function store(chart: Chart, id = 'db', props: { replicas?: number; name?: string } = {}): StatefulWorkload {
  return new StatefulWorkload(chart, id, {
    metadata: { name: props.name ?? id },
    replicas: props.replicas,
    containers: [{ name: 'db', image: 'docker.io/library/postgres:16.4', portNumber: 5432, securityContext: { user: 999 } }],
  });
}

/** The pod of the object `kind/name` (the first one, for a StatefulSet). */
function pod(pods: PodView[], kind: string, name: string): PodView {
  const found = pods.find(p => p.owner.kind === kind && p.owner.metadata.name === name);
  if (!found) throw new Error(`no pod of ${kind}/${name}: ${pods.map(p => p.id).join(', ')}`);
  return found;
}

function podsOfStatefulSet(pods: PodView[], name: string): PodView[] {
  return pods.filter(p => p.owner.kind === 'StatefulSet' && p.owner.metadata.name === name);
}

describe('NetworkPolicies', () => {
  test('no policy is rendered unless enabled', () => {
    const chart = Testing.chart();
    const db = store(chart);
    new DataStoreConnection(chart, 'conn', { store: db, consumers: [web(chart, 'api').containers[0]] });
    expect(findAll(Testing.synth(chart), 'NetworkPolicy')).toEqual([]);
    expect(NetworkPolicies.policyOf(db)).toBeUndefined();
  });

  test('defaults', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    NetworkPolicies.enable(chart);
    const db = store(chart);
    new DataStoreConnection(chart, 'conn', { store: db, consumers: [web(chart, 'api').containers[0]] });
    const manifests = Testing.synth(chart);
    expect(findOne(manifests, 'NetworkPolicy')).toMatchSnapshot();
    expect(NetworkPolicies.policyOf(db)).toBeDefined();
  });

  test('all props', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    const reports = new Chart(app, 'reports', { namespace: 'reports' });
    NetworkPolicies.enable(chart, { monitoring: NetworkPeer.namespaceNamed('monitoring') });
    const db = new StatefulWorkload(chart, 'db', {
      metadata: { name: 'db' },
      replicas: 2,
      clientPorts: [{ port: 5432 }],
      containers: [{ name: 'db', image: 'docker.io/library/postgres:16.4', portNumber: 5432, securityContext: { user: 999 } }],
    });
    db.addContainer({ name: 'exporter', image: 'docker.io/prometheuscommunity/postgres-exporter:v0.15.0', ports: [{ name: 'metrics', number: 9187 }], securityContext: { user: 999 } });
    db.addPeerPort({ name: 'replication', port: 5432 });
    db.addMetricsPort({ name: 'metrics', port: 9187 });
    NetworkPolicies.allowFrom(db, NetworkPeer.podsWithLabels({ 'role': 'admin', 'app.kubernetes.io/part-of': 'ops' }, { namespaceName: 'ops' }));
    NetworkPolicies.allowFrom(db, NetworkPeer.namespacesWithLabels({ team: 'data' }), { ports: [{ port: 5432 }] });
    NetworkPolicies.allowFrom(db, NetworkPeer.ipBlock('10.20.0.0/16', ['10.20.1.0/24']));
    const clientPorts = db.ports;
    const svc = db.addClientService({ name: 'db-rw', ports: [{ port: 15432, targetPort: clientPorts[0].port }] });
    new DataStoreConnection(chart, 'conn', { store: db, consumers: [web(chart, 'api').containers[0]] });
    new DataStoreConnection(chart, 'svc', { store: svc, consumers: [web(chart, 'worker').containers[0]] });
    new DataStoreConnection(reports, 'conn', { store: db, consumers: [web(reports, 'reporting').containers[0]] });
    const manifests = app.charts.flatMap(c => c.toJson());
    expect(findOne(manifests, 'NetworkPolicy')).toMatchSnapshot();
  });

  describe('admits exactly the wired pods on the client ports', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    const other = new Chart(app, 'reports', { namespace: 'reports' });
    NetworkPolicies.enable(app);
    const db = store(chart, 'db', { replicas: 2 });
    const api = web(chart, 'api');
    new DataStoreConnection(chart, 'conn', { store: db, consumers: [api.containers[0]] });
    new DataStoreConnection(other, 'conn', { store: db, consumers: [web(other, 'reporting').containers[0]] });
    const job = new kplus.Job(chart, 'report', { metadata: { name: 'report' }, select: false, containers: [{ image: IMAGE, securityContext: { user: 1000 } }] });
    new DataStoreConnection(chart, 'job', { store: db, prefix: 'JOB', consumers: [job.containers[0]] });
    const cron = new kplus.CronJob(chart, 'nightly', {
      metadata: { name: 'nightly' },
      schedule: Cron.daily(),
      podMetadata: { labels: { 'app.kubernetes.io/name': 'nightly' } },
      select: false,
      containers: [{ image: IMAGE, securityContext: { user: 1000 } }],
    });
    new DataStoreConnection(chart, 'cron', { store: db, prefix: 'CRON', consumers: [cron.containers[0]] });
    web(chart, 'unwired');
    const manifests = app.charts.flatMap(c => c.toJson());
    const pods = podsOf(manifests);
    const targets = podsOfStatefulSet(pods, 'db');

    test('every wired pod reaches every store pod on 5432, and nothing else', () => {
      const wirings = wiringsOf(manifests, pods);
      expect(wirings.map(w => w.source.owner.metadata.name).sort()).toEqual(
        ['api', 'api', 'nightly', 'nightly', 'report', 'report', 'reporting', 'reporting']);
      for (const w of wirings) {
        expect(w.port).toBe(5432);
        expect(admits(manifests, w.source, w.target, 5432)).toBe(true);
        expect(admits(manifests, w.source, w.target, 5433)).toBe(false);
      }
    });

    test('the consumer in another namespace is selected with its namespace', () => {
      const policy = findOne(manifests, 'NetworkPolicy', 'db');
      const peers = policy.spec.ingress.flatMap((r: any) => r.from);
      expect(peers).toContainEqual({
        podSelector: { matchLabels: pod(pods, 'Deployment', 'reporting').owner.spec.template.metadata.labels },
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'reports' } },
      });
    });

    test('a Job is selected by its pod labels and the job-name label of its controller', () => {
      const peers = findOne(manifests, 'NetworkPolicy', 'db').spec.ingress.flatMap((r: any) => r.from);
      expect(peers).toContainEqual({ podSelector: { matchLabels: { ...pod(pods, 'Job', 'report').owner.spec.template.metadata.labels, 'job-name': 'report' } } });
    });

    test('a pod that is not wired reaches no store pod on any port', () => {
      const strangers = [pod(pods, 'Deployment', 'unwired'), strangerPod('shop'), strangerPod('reports'),
        strangerPod('reports', pod(pods, 'Deployment', 'api').labels)];
      for (const s of strangers) {
        for (const t of targets) {
          for (const port of [5432, 8080, 22]) expect(admits(manifests, s, t, port)).toBe(false);
        }
      }
    });

    test('the store pods do not reach each other without peer ports', () => {
      expect(admits(manifests, targets[1], targets[0], 5432)).toBe(false);
    });
  });

  test('peers reach each other on the peer ports only: Redis replicas and Cassandra nodes', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'data' });
    NetworkPolicies.enable(chart);
    const secret = kplus.Secret.fromSecretName(chart, 's', 's');
    new Redis(chart, 'cache', { metadata: { name: 'cache' }, readReplicas: 2, password: DataStoreCredentials.fromPasswordSecret(secret) });
    new Cassandra(chart, 'ring', { metadata: { name: 'ring' }, credentials: DataStoreCredentials.fromSecret(secret) });
    const manifests = Testing.synth(chart);
    const pods = podsOf(manifests);
    const [primary, replica] = podsOfStatefulSet(pods, 'cache');
    expect(admits(manifests, replica, primary, 6379)).toBe(true);
    const [node0, node1] = podsOfStatefulSet(pods, 'ring');
    expect(admits(manifests, node1, node0, 7000)).toBe(true);
    expect(admits(manifests, node1, node0, 7001)).toBe(true);
    // CQL: clients only
    expect(admits(manifests, node1, node0, 9042)).toBe(false);
    // one store's pods are no peers of another
    expect(admits(manifests, node1, primary, 6379)).toBe(false);
    expect(admits(manifests, replica, node0, 7000)).toBe(false);
  });

  test('peer ports from another workload of the engine (sentinels watching a Redis), in its namespace', () => {
    const app = Testing.app();
    const data = new Chart(app, 'data', { namespace: 'data' });
    const watch = new Chart(app, 'watch', { namespace: 'watch' });
    NetworkPolicies.enable(app);
    const redis = store(data, 'cache', { replicas: 2 });
    const sentinels = new StatefulWorkload(watch, 'sentinel', {
      metadata: { name: 'sentinel' },
      replicas: 3,
      containers: [{ name: 'sentinel', image: 'docker.io/library/redis:7.2.5', portNumber: 26379, securityContext: { user: 999 } }],
    });
    redis.addPeerPort({ port: 5432 });
    redis.addPeerPort({ port: 5432 }, { peerWorkload: sentinels });
    sentinels.addPeerPort({ port: 26379 });
    sentinels.addPeerPort({ port: 26379 }, { peerWorkload: redis });
    expect(redis.peerPorts).toEqual([{ port: 5432, protocol: 'TCP' }]);
    const manifests = app.charts.flatMap(c => c.toJson());
    const pods = podsOf(manifests);
    const [cache0, cache1] = podsOfStatefulSet(pods, 'cache');
    const [sentinel0, sentinel1] = podsOfStatefulSet(pods, 'sentinel');
    expect(admits(manifests, sentinel0, cache0, 5432)).toBe(true);
    expect(admits(manifests, cache1, cache0, 5432)).toBe(true);
    expect(admits(manifests, cache1, sentinel0, 26379)).toBe(true);
    expect(admits(manifests, sentinel1, sentinel0, 26379)).toBe(true);
    expect(admits(manifests, sentinel1, sentinel0, 5432)).toBe(false);
    expect(admits(manifests, strangerPod('watch', sentinel0.labels), cache0, 5432)).toBe(true);
    expect(admits(manifests, strangerPod('data', sentinel0.labels), cache0, 5432)).toBe(false);
  });

  test('a Redis without replicas declares no peer port', () => {
    const chart = Testing.chart();
    const redis = new Redis(chart, 'cache', { allowUnauthenticated: true, readReplicas: 0 });
    expect(redis.workload.peerPorts).toEqual([]);
    const replicated = new Redis(chart, 'cache2', { allowUnauthenticated: true, readReplicas: 1 });
    expect(replicated.workload.peerPorts).toEqual([{ name: 'redis', port: 6379, protocol: 'TCP' }]);
  });

  test('metrics ports admit the monitoring pods only, and nobody without monitoring', () => {
    const app = Testing.app();
    const withMonitoring = new Chart(app, 'a', { namespace: 'a' });
    const without = new Chart(app, 'b', { namespace: 'b' });
    NetworkPolicies.enable(withMonitoring, { monitoring: NetworkPeer.podsWithLabels({ 'app.kubernetes.io/name': 'prometheus' }, { namespaceName: 'monitoring' }) });
    NetworkPolicies.enable(without);
    const dbs = [withMonitoring, without].map(chart => {
      const db = new StatefulWorkload(chart, 'db', {
        metadata: { name: 'db' },
        clientPorts: [{ port: 5432 }],
        containers: [
          { name: 'db', image: 'docker.io/library/postgres:16.4', portNumber: 5432, securityContext: { user: 999 } },
          { name: 'exporter', image: 'docker.io/prometheuscommunity/postgres-exporter:v0.15.0', ports: [{ name: 'metrics', number: 9187 }], securityContext: { user: 999 } },
        ],
      });
      db.addMetricsPort({ name: 'metrics', port: 9187 });
      db.addMetricsPort({ port: 9187 });
      expect(db.metricsPorts).toEqual([{ name: 'metrics', port: 9187, protocol: 'TCP' }]);
      return db;
    });
    const manifests = app.charts.flatMap(c => c.toJson());
    // the store whose metrics nobody may scrape says so
    expect(warningsOf(dbs[0])).toEqual([]);
    expect(warningsOf(dbs[1])).toEqual([expect.stringContaining(
      "NetworkPolicies 'b/db': warning: 'monitoring': unset. The store's metrics port 9187 admits nobody")]);
    expect(warningsOf(dbs[1])[0]).toMatch(/\[cdk8s-stateful:metrics-port-closed\]$/);
    const pods = podsOf(manifests);
    const prometheus = strangerPod('monitoring', { 'app.kubernetes.io/name': 'prometheus' });
    const [a, b] = ['a', 'b'].map(ns => pods.find(p => p.namespace === ns && p.owner.kind === 'StatefulSet')!);
    expect(admits(manifests, prometheus, a, 9187)).toBe(true);
    expect(admits(manifests, prometheus, a, 5432)).toBe(false);
    expect(admits(manifests, strangerPod('monitoring'), a, 9187)).toBe(false);
    expect(admits(manifests, strangerPod('a', { 'app.kubernetes.io/name': 'prometheus' }), a, 9187)).toBe(false);
    expect(admits(manifests, prometheus, b, 9187)).toBe(false);
  });

  test('allowFrom admits the peer on the client ports, or the ports given', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const db = store(chart);
    NetworkPolicies.allowFrom(db, NetworkPeer.podsWithLabels({ 'app.kubernetes.io/name': 'pgadmin' }));
    NetworkPolicies.allowFrom(db, NetworkPeer.namespaceNamed('ops'), { ports: [{ port: 5432 }, { port: 9187 }] });
    NetworkPolicies.enable(db);
    const manifests = Testing.synth(chart);
    const pods = podsOf(manifests);
    const target = pod(pods, 'StatefulSet', 'db');
    const pgadmin = strangerPod('shop', { 'app.kubernetes.io/name': 'pgadmin' });
    expect(admits(manifests, pgadmin, target, 5432)).toBe(true);
    expect(admits(manifests, strangerPod('other', { 'app.kubernetes.io/name': 'pgadmin' }), target, 5432)).toBe(false);
    expect(admits(manifests, strangerPod('ops'), target, 9187)).toBe(true);
    expect(admits(manifests, strangerPod('shop'), target, 5432)).toBe(false);
  });

  test('enable() covers stores created before and after it; disable() and enable() nearer to a store win', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'shop' });
    const before = store(chart, 'before');
    NetworkPolicies.enable(chart);
    const after = store(chart, 'after');
    const off = store(chart, 'off');
    NetworkPolicies.disable(off);
    const group = new Chart(app, 'g', { namespace: 'g' });
    NetworkPolicies.disable(group);
    const inGroup = store(group, 'grouped');
    const reEnabled = store(group, 're-enabled');
    NetworkPolicies.enable(reEnabled);
    expect([before, after, off, inGroup, reEnabled].map(s => NetworkPolicies.policyOf(s) !== undefined)).toEqual([true, true, false, false, true]);
    const names = app.charts.flatMap(c => findAll(c.toJson(), 'NetworkPolicy')).map(p => p.metadata.name).sort();
    expect(names).toEqual(['after', 'before', 're-enabled']);
  });

  test('defaultDenyIngress renders one default-deny policy per namespace; wired pods still reach their stores', () => {
    const app = Testing.app();
    const shop = new Chart(app, 'shop', { namespace: 'shop' });
    const shop2 = new Chart(app, 'shop2', { namespace: 'shop' });
    const other = new Chart(app, 'other', { namespace: 'other' });
    NetworkPolicies.enable(app, { defaultDenyIngress: true });
    const db = store(shop, 'db');
    store(shop2, 'cache');
    store(other, 'queue');
    const api = web(shop, 'api');
    new DataStoreConnection(shop, 'conn', { store: db, consumers: [api.containers[0]] });
    const manifests = app.charts.flatMap(c => c.toJson());
    const denies = findAll(manifests, 'NetworkPolicy', 'default-deny-ingress');
    expect(denies.map(d => d.metadata.namespace).sort()).toEqual(['other', 'shop']);
    expect(denies[0].spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    const pods = podsOf(manifests);
    const apiPod = pod(pods, 'Deployment', 'api');
    expect(admits(manifests, apiPod, pod(pods, 'StatefulSet', 'db'), 5432)).toBe(true);
    // the consumer itself now accepts nothing
    expect(admits(manifests, strangerPod('shop'), apiPod, 8080)).toBe(false);
  });

  test('without defaultDenyIngress, pods no policy selects accept anything', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    NetworkPolicies.enable(chart);
    store(chart, 'db');
    const api = web(chart, 'api');
    const manifests = Testing.synth(chart);
    expect(findAll(manifests, 'NetworkPolicy', 'default-deny-ingress')).toEqual([]);
    void api;
    expect(admits(manifests, strangerPod('shop'), pod(podsOf(manifests), 'Deployment', 'api'), 8080)).toBe(true);
  });

  test('the library\'s own consumers are admitted: schema migrations, logical backups and restores', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'accounts' });
    NetworkPolicies.enable(chart);
    const secret = kplus.Secret.fromSecretName(chart, 's', 'db-credentials');
    const db = new Postgres(chart, 'db', { metadata: { name: 'db' }, credentials: DataStoreCredentials.fromSecret(secret), database: 'app' });
    new SchemaMigration(chart, 'migrate', { store: db, image: 'registry.example.com/migrate:1.0.0', securityContext: { user: 1000 } });
    const backup = db.addBackup('nightly', { schedule: Cron.daily(), retain: 3, storage: Size.gibibytes(1) });
    db.addRestore('restore', { backup, dump: '20250301T023000Z' });
    const manifests = Testing.synth(chart);
    const pods = podsOf(manifests);
    const wirings = wiringsOf(manifests, pods);
    expect(wirings.map(w => w.source.owner.kind).sort()).toEqual(['CronJob', 'Job', 'Job']);
    for (const w of wirings) expect(admits(manifests, w.source, w.target, w.port)).toBe(true);
    // the backup's pods are selected by the labels the backup gives them
    expect(pod(pods, 'CronJob', 'db-nightly').labels).toMatchObject({ 'app.kubernetes.io/instance': 'db-nightly', 'app.kubernetes.io/component': 'logical-backup' });
    expect(admits(manifests, strangerPod('accounts'), pod(pods, 'StatefulSet', 'db'), 5432)).toBe(false);
  });

  test('output is deterministic: consumers in order of namespace, kind and name', () => {
    const build = (ids: string[]) => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
      NetworkPolicies.enable(chart);
      const db = store(chart);
      for (const id of ids) new DataStoreConnection(chart, `conn-${id}`, { store: db, prefix: id.toUpperCase(), consumers: [web(chart, id).containers[0]] });
      return findOne(Testing.synth(chart), 'NetworkPolicy');
    };
    const first = build(['b', 'a', 'c']);
    expect(build(['c', 'b', 'a'])).toEqual(first);
    expect(first.spec.ingress).toHaveLength(1);
    expect(first.spec.ingress[0].from).toHaveLength(3);
  });

  describe('the unauthenticated-store warning', () => {
    function cache(enable: 'on' | 'off' | 'disabled', strict = false): { app: App; redis: Redis } {
      const app = Testing.app();
      if (strict) app.node.setContext(STRICT_CONTEXT, true);
      const chart = new Chart(app, 'c', { namespace: 'news' });
      if (enable !== 'off') NetworkPolicies.enable(chart);
      const redis = new Redis(chart, 'cache', { metadata: { name: 'cache' }, allowUnauthenticated: true });
      if (enable === 'disabled') NetworkPolicies.disable(redis);
      return { app, redis };
    }

    test('is not raised for a store its policy isolates', () => {
      const { app, redis } = cache('on');
      app.synthYaml();
      expect(warningsOf(redis)).toEqual([]);
    });

    test('is raised for a store whose policy is disabled', () => {
      const { app, redis } = cache('disabled');
      app.synthYaml();
      expect(warningsOf(redis).join('\n')).toContain(WARNINGS.UNAUTHENTICATED_STORE);
    });

    test('strict mode passes with the policy on', () => {
      const { app } = cache('on', true);
      expect(() => app.synthYaml()).not.toThrow();
    });

    test('strict mode fails without it', () => {
      const { app } = cache('off', true);
      expect(() => app.synthYaml()).toThrow('[cdk8s-stateful:unauthenticated-store] Strict mode');
    });

    test('acknowledged without the policy', () => {
      const { app, redis } = cache('off');
      Warnings.of(redis).acknowledge(WARNINGS.UNAUTHENTICATED_STORE, 'isolated by hand');
      expect(() => app.synthYaml()).not.toThrow();
    });
  });

  describe('errors', () => {
    test('fails when a wired consumer\'s pods carry no labels', () => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
      NetworkPolicies.enable(chart);
      const db = store(chart);
      const cron = new kplus.CronJob(chart, 'nightly', {
        metadata: { name: 'nightly' }, schedule: Cron.daily(), select: false, containers: [{ image: IMAGE, securityContext: { user: 1000 } }],
      });
      ApiObject.of(cron).addJsonPatch(JsonPatch.remove('/spec/jobTemplate/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
      new DataStoreConnection(chart, 'conn', { store: db, consumers: [cron.containers[0]] });
      expect(() => Testing.synth(chart)).toThrow(
        /NetworkPolicies 'c\/db': invalid 'consumers': CronJob "shop\/nightly"\. Must be selectable: a NetworkPolicy admits pods by their labels, and the pods of this CronJob \(wired by DataStoreConnection 'c\/conn'\) carry none/);
    });

    test('fails when a wired consumer\'s labels are carried by pods that are not wired', () => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
      NetworkPolicies.enable(chart);
      const db = store(chart);
      const labels = { 'app.kubernetes.io/name': 'api' };
      const api = web(chart, 'api', { select: false, podMetadata: { labels } });
      api.select(kplus.LabelSelector.of({ labels }));
      const canary = web(chart, 'canary', { select: false, podMetadata: { labels: { ...labels, track: 'canary' } } });
      canary.select(kplus.LabelSelector.of({ labels: { track: 'canary' } }));
      for (const d of [api, canary]) ApiObject.of(d).addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
      new DataStoreConnection(chart, 'conn', { store: db, consumers: [api.containers[0]] });
      expect(() => Testing.synth(chart)).toThrow(
        /invalid 'consumers': Deployment "shop\/api"\. Must be selectable apart from other pods: the labels of its pods .* are carried by the pods of Deployment "shop\/canary" too/);
    });

    test('fails when a consumer has no namespace and the store has one', () => {
      const app = Testing.app();
      const chart = new Chart(app, 'c', { namespace: 'shop' });
      const bare = new Chart(app, 'bare');
      NetworkPolicies.enable(app);
      const db = store(chart);
      const svc = new ExternalService(bare, 'ext', { externalName: 'db.example.com', ports: [{ port: 5432 }] });
      void svc;
      const conn = new DataStoreConnection(chart, 'conn', { store: db });
      conn.addConsumer(web(bare, 'api').containers[0]);
      expect(() => app.synthYaml()).toThrow(/Must have a namespace: the store is in "shop"/);
    });

    test('fails when the store\'s selector picks the pods of another workload', () => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
      NetworkPolicies.enable(chart);
      const db = store(chart);
      const labels = { ...db.selectorLabels };
      const impostor = web(chart, 'impostor', { select: false, podMetadata: { labels } });
      impostor.select(kplus.LabelSelector.of({ labels }));
      expect(() => Testing.synth(chart)).toThrow(
        /NetworkPolicies 'c\/db': invalid 'podSelector': .*Must select the store's pods only: the pods of Deployment "shop\/impostor" carry these labels too/);
    });

    test('fails when allowFrom() is given a store outside the cluster', () => {
      const chart = Testing.chart();
      const ext = new ExternalService(chart, 'ext', { externalName: 'db.example.com', ports: [{ port: 5432 }] });
      expect(() => NetworkPolicies.allowFrom(ext, NetworkPeer.namespaceNamed('ops'))).toThrow(
        /NetworkPolicies: invalid 'allowFrom\(store\)': "test\/ext"\. Must be an in-cluster store/);
    });

    test('fails when allowFrom() is given a port out of range', () => {
      const chart = Testing.chart();
      const db = store(chart);
      expect(() => NetworkPolicies.allowFrom(db, NetworkPeer.namespaceNamed('ops'), { ports: [{ port: 70000 }] })).toThrow(
        /invalid 'allowFrom\(options.ports\[0\].port\)': 70000\. Must be a port number from 1 to 65535/);
    });

    test.each([
      ['addPeerPort', (w: StatefulWorkload) => w.addPeerPort({ port: 0 }), /invalid 'addPeerPort\(port.port\)': 0/],
      ['addMetricsPort', (w: StatefulWorkload) => w.addMetricsPort({ port: 9187, name: 'Metrics_Port' }), /invalid 'addMetricsPort\(port.name\)': "Metrics_Port"/],
      ['addPeerPort with a bad protocol', (w: StatefulWorkload) => w.addPeerPort({ port: 7000, protocol: 'HTTP' }), /invalid 'addPeerPort\(port.protocol\)': "HTTP"\. Must be TCP, UDP or SCTP/],
    ])('fails when %s gets a bad port', (_name, call, message) => {
      const w = store(Testing.chart());
      expect(() => call(w)).toThrow(message);
    });
  });
});
