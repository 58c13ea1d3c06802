import { ApiObject, App, Chart, Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  ArgoCdEndpointSync,
  DataStore,
  DataStoreConnection,
  DataStoreCredentials,
  ExternalService,
  NetworkPeer,
  NetworkPolicies,
  Redis,
  StatefulWorkload,
  SyncWaves,
  Warnings,
} from '../../src';
import { STRICT_CONTEXT, WARNINGS, warningsOf } from '../../src/private/warnings';
import { findAll, findOne } from '../util/harness';
import { expectValidManifests } from '../util/k8s-schema';
import { admits, egressAllows, PodView, podsOf, strangerPod } from '../util/network-policy';

const IMAGE = 'registry.example.com/web:1.0.0';
const DNS_POD = strangerPod('kube-system', { 'k8s-app': 'kube-dns' });

function web(chart: Chart, id: string, props: Partial<kplus.DeploymentProps> = {}): kplus.Deployment {
  return new kplus.Deployment(chart, id, {
    metadata: { name: id },
    containers: [{ name: 'web', image: IMAGE, portNumber: 8080, securityContext: { user: 1000 } }],
    ...props,
  });
}

function store(chart: Chart, id = 'db'): StatefulWorkload {
  return new StatefulWorkload(chart, id, {
    metadata: { name: id },
    containers: [{ name: 'db', image: 'docker.io/library/postgres:16.4', portNumber: 5432, securityContext: { user: 999 } }],
  });
}

function podOf(pods: PodView[], kind: string, name: string): PodView {
  const found = pods.find(p => p.owner.kind === kind && p.owner.metadata.name === name);
  if (!found) throw new Error(`no pod of ${kind}/${name}: ${pods.map(p => p.id).join(', ')}`);
  return found;
}

function egressPolicy(manifests: any[], name: string): any {
  return findOne(manifests, 'NetworkPolicy', name);
}

describe('NetworkPolicies.restrictEgress()', () => {
  test('no egress policy unless asked', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    NetworkPolicies.enable(chart);
    const api = web(chart, 'api');
    new DataStoreConnection(chart, 'conn', { store: store(chart), consumers: [api.containers[0]] });
    const manifests = Testing.synth(chart);
    expect(findAll(manifests, 'NetworkPolicy').map(p => p.spec.policyTypes)).toEqual([['Ingress']]);
    expect(NetworkPolicies.egressPolicyOf(api)).toBeUndefined();
  });

  test('defaults: the wired store on its port and the cluster DNS, nothing else', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const db = store(chart);
    const api = web(chart, 'api');
    new DataStoreConnection(chart, 'conn', { store: db, consumers: [api.containers[0]] });
    const policy = NetworkPolicies.restrictEgress(api);
    expect(NetworkPolicies.egressPolicyOf(api)).toBe(policy);
    const manifests = Testing.synth(chart);
    expectValidManifests(manifests);
    const rendered = egressPolicy(manifests, 'api-egress');
    expect(rendered).toMatchSnapshot();
    expect(rendered.metadata.namespace).toBe('shop');
    // the Deployment's own selector
    expect(rendered.spec.podSelector).toEqual(findOne(manifests, 'Deployment').spec.selector);
    expect(rendered.spec.policyTypes).toEqual(['Egress']);

    const pods = podsOf(manifests);
    const source = podOf(pods, 'Deployment', 'api');
    const target = podOf(pods, 'StatefulSet', 'db');
    expect(admits(manifests, source, target, 5432)).toBe(true);
    expect(admits(manifests, source, target, 5433)).toBe(false);
    expect(egressAllows(manifests, source, DNS_POD, 53, 'UDP')).toBe(true);
    expect(egressAllows(manifests, source, DNS_POD, 53, 'TCP')).toBe(true);
    expect(egressAllows(manifests, source, strangerPod('kube-system'), 53, 'UDP')).toBe(false);
    expect(egressAllows(manifests, source, strangerPod('shop'), 8080)).toBe(false);
    expect(egressAllows(manifests, source, { address: '203.0.113.10' }, 443)).toBe(false);
    // only the restricted workload: the store's egress is not restricted
    expect(egressAllows(manifests, target, strangerPod('shop'), 8080)).toBe(true);
  });

  test('all props: DNS servers, extra destinations, stores in another namespace, by address, by DNS name, with sentinels', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    const data = new Chart(app, 'data', { namespace: 'data' });
    const db = store(data, 'db');
    const cache = new Redis(data, 'cache', {
      metadata: { name: 'cache' },
      readReplicas: 2,
      password: DataStoreCredentials.fromPasswordSecret(kplus.Secret.fromSecretName(data, 'cache-auth', 'cache-auth')),
      sentinel: {},
    });
    const byIp = new ExternalService(chart, 'ledger', {
      metadata: { name: 'ledger' },
      addresses: ['10.20.0.5', '2001:db8::5'],
      ports: [{ name: 'pg', port: 5432, targetPort: 6432 }],
      argoCdEndpointSync: ArgoCdEndpointSync.NOT_APPLICABLE,
    });
    const byName = new ExternalService(chart, 'search', { metadata: { name: 'search' }, externalName: 'search.example.com', ports: [{ port: 9200 }] });
    const api = web(chart, 'api');
    const shared = DataStore.fromDataStoreAttributes(chart, 'shared', { storeName: 'shared', hostname: '192.0.2.7', ports: [{ port: 11211 }] });
    const named = DataStore.fromDataStoreAttributes(chart, 'named', { storeName: 'named', hostname: 'mq.example.com.', ports: [{ port: 5672 }] });
    for (const [id, s] of [['db-conn', db], ['cache-conn', cache], ['ledger-conn', byIp], ['search-conn', byName], ['shared-conn', shared], ['named-conn', named]] as const) {
      new DataStoreConnection(chart, id, { store: s, consumers: [api.containers[0]] });
    }
    NetworkPolicies.restrictEgress(api, { dns: NetworkPeer.ipBlock('169.254.20.10/32') });
    NetworkPolicies.allowEgressTo(api, NetworkPeer.podsWithLabels({ 'app.kubernetes.io/name': 'payments' }, { namespaceName: 'payments' }), { ports: [{ port: 8443 }] });
    NetworkPolicies.allowEgressTo(api, NetworkPeer.namespaceNamed('telemetry'));
    Warnings.of(api).acknowledge(WARNINGS.EGRESS_TO_DNS_NAME, 'search and mq are managed services whose addresses change');
    const manifests = app.charts.flatMap(c => c.toJson());
    expectValidManifests(manifests);
    const rendered = egressPolicy(manifests, 'api-egress');
    expect(rendered).toMatchSnapshot();

    const pods = podsOf(manifests);
    const source = podOf(pods, 'Deployment', 'api');
    // the DNS servers given, not the cluster's
    expect(egressAllows(manifests, source, { address: '169.254.20.10' }, 53, 'UDP')).toBe(true);
    expect(egressAllows(manifests, source, DNS_POD, 53, 'UDP')).toBe(false);
    // a store of another namespace, by its pods and namespace
    expect(admits(manifests, source, podOf(pods, 'StatefulSet', 'db'), 5432)).toBe(true);
    expect(egressAllows(manifests, source, { ...podOf(pods, 'StatefulSet', 'db'), namespace: 'shop' }, 5432)).toBe(false);
    // a Redis with sentinels: its data pods and its sentinels
    const sentinels = pods.filter(p => p.owner.kind === 'StatefulSet' && p.owner.metadata.name === 'cache-sentinel');
    expect(sentinels.length).toBe(3);
    for (const target of [...pods.filter(p => p.owner.metadata.name === 'cache'), ...sentinels]) {
      for (const port of target.ports.filter(p => p.name !== 'metrics')) {
        const allowed = egressAllows(manifests, source, target, port.containerPort);
        expect([target.id, port.containerPort, allowed]).toEqual([target.id, port.containerPort, true]);
      }
    }
    // by address: the addresses, on the target port (what the policy sees after the Service)
    expect(egressAllows(manifests, source, { address: '10.20.0.5' }, 6432)).toBe(true);
    expect(egressAllows(manifests, source, { address: '10.20.0.5' }, 5432)).toBe(false);
    expect(egressAllows(manifests, source, { address: '10.20.0.6' }, 6432)).toBe(false);
    expect(rendered.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '10.20.0.5/32' } }, { ipBlock: { cidr: '2001:db8::5/128' } }], ports: [{ protocol: 'TCP', port: 6432 }] });
    expect(egressAllows(manifests, source, { address: '192.0.2.7' }, 11211)).toBe(true);
    // by DNS name: any address, on its port only
    expect(egressAllows(manifests, source, { address: '198.51.100.1' }, 9200)).toBe(true);
    expect(egressAllows(manifests, source, { address: '198.51.100.1' }, 5672)).toBe(true);
    expect(egressAllows(manifests, source, { address: '198.51.100.1' }, 443)).toBe(false);
    // the destinations added
    expect(egressAllows(manifests, source, strangerPod('payments', { 'app.kubernetes.io/name': 'payments' }), 8443)).toBe(true);
    expect(egressAllows(manifests, source, strangerPod('payments', { 'app.kubernetes.io/name': 'payments' }), 8080)).toBe(false);
    expect(egressAllows(manifests, source, strangerPod('telemetry'), 4317)).toBe(true);
    expect(egressAllows(manifests, source, strangerPod('shop'), 8080)).toBe(false);
  });

  test('a store reached by a DNS name warns, naming the store, the name and the port', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'web', { namespace: 'web' });
    const ext = new ExternalService(chart, 'ext', { metadata: { name: 'ext' }, externalName: 'nginx.example.com', ports: [{ port: 80 }] });
    const api = web(chart, 'api');
    new DataStoreConnection(chart, 'conn', { store: ext, consumers: [api.containers[0]] });
    NetworkPolicies.restrictEgress(api);
    const manifests = Testing.synth(chart);
    // every address (no pod: plugins such as Cilium never match pods by ipBlock), on port 80 only
    expect(egressPolicy(manifests, 'api-egress').spec.egress[1]).toEqual({
      to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }],
      ports: [{ protocol: 'TCP', port: 80 }],
    });
    const warnings = warningsOf(api);
    expect(warnings).toEqual([expect.stringContaining(
      "NetworkPolicies 'web/api': warning: 'restrictEgress(workload)': \"nginx.example.com\". The workload reaches the store 'web/ext' "
      + "(DataStoreConnection 'web/conn') by the DNS name \"nginx.example.com\"")]);
    expect(warnings[0]).toContain('connect to any address on port 80/TCP');
    expect(warnings[0]).toContain('ExternalService \'addresses\'');
    expect(warnings[0]).toMatch(/\[cdk8s-stateful:egress-to-dns-name\]$/);
  });

  test('strict mode fails on the DNS-name warning unless acknowledged', () => {
    const build = (acknowledge: boolean) => {
      const app = new App({ outdir: Testing.app().outdir });
      app.node.setContext(STRICT_CONTEXT, true);
      const chart = new Chart(app, 'web', { namespace: 'web' });
      const ext = new ExternalService(chart, 'ext', { metadata: { name: 'ext' }, externalName: 'nginx.example.com', ports: [{ port: 80 }] });
      const api = web(chart, 'api');
      new DataStoreConnection(chart, 'conn', { store: ext, consumers: [api.containers[0]] });
      NetworkPolicies.restrictEgress(api);
      if (acknowledge) Warnings.of(chart).acknowledge(WARNINGS.EGRESS_TO_DNS_NAME, 'a CDN');
      return () => app.synthYaml();
    };
    expect(build(false)).toThrow(/egress-to-dns-name/);
    expect(build(true)).not.toThrow();
  });

  test('a store by IP address, from its attributes or an ExternalService, warns nothing', () => {
    const chart = new Chart(Testing.app(), 'web', { namespace: 'web' });
    const ext = new ExternalService(chart, 'ext', { metadata: { name: 'ext' }, addresses: ['172.0.0.1'], ports: [{ name: 'http', port: 80 }], argoCdEndpointSync: ArgoCdEndpointSync.NOT_APPLICABLE });
    const api = web(chart, 'api');
    new DataStoreConnection(chart, 'conn', { store: ext, consumers: [api.containers[0]] });
    NetworkPolicies.restrictEgress(api);
    Testing.synth(chart);
    expect(warningsOf(api)).toEqual([]);
  });

  test('every workload that runs pods: Jobs and CronJobs by their pod labels, an L1 object', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const db = store(chart);
    const job = new kplus.Job(chart, 'seed', { containers: [{ image: IMAGE, securityContext: { user: 1000 } }] });
    const cron = new kplus.CronJob(chart, 'report', {
      schedule: Cron.daily(),
      containers: [{ image: IMAGE, securityContext: { user: 1000 } }],
    });
    new DataStoreConnection(chart, 'conn', { store: db, consumers: [job.containers[0], cron.containers[0]] });
    NetworkPolicies.restrictEgress(job);
    NetworkPolicies.restrictEgress(cron);
    const pod = new ApiObject(chart, 'debug', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'debug', labels: { app: 'debug' } },
      spec: { containers: [{ name: 'debug', image: IMAGE }] },
    });
    NetworkPolicies.restrictEgress(pod);
    const manifests = Testing.synth(chart);
    const pods = podsOf(manifests);
    const target = podOf(pods, 'StatefulSet', 'db');
    const jobName = findOne(manifests, 'Job').metadata.name;
    const cronName = findOne(manifests, 'CronJob').metadata.name;
    expect(findAll(manifests, 'NetworkPolicy').map(p => p.metadata.name).sort()).toEqual([`${cronName}-egress`, 'debug-egress', `${jobName}-egress`].sort());
    for (const source of [podOf(pods, 'Job', jobName), podOf(pods, 'CronJob', cronName)]) {
      expect(admits(manifests, source, target, 5432)).toBe(true);
      expect(egressAllows(manifests, source, strangerPod('shop'), 8080)).toBe(false);
    }
    // the Pod is wired to nothing: DNS only
    const debug = podOf(pods, 'Pod', 'debug');
    expect(egressAllows(manifests, debug, target, 5432)).toBe(false);
    expect(egressAllows(manifests, debug, DNS_POD, 53, 'UDP')).toBe(true);
    // the Job's pods by their template labels and job-name
    expect(findOne(manifests, 'NetworkPolicy', `${jobName}-egress`).spec.podSelector.matchLabels['job-name']).toBe(jobName);
  });

  test('stores the workload is not wired to stay closed to it', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const db = store(chart, 'db');
    const other = store(chart, 'other');
    const api = web(chart, 'api');
    new DataStoreConnection(chart, 'conn', { store: db, consumers: [api.containers[0]] });
    NetworkPolicies.restrictEgress(api);
    const manifests = Testing.synth(chart);
    const pods = podsOf(manifests);
    expect(admits(manifests, podOf(pods, 'Deployment', 'api'), podOf(pods, 'StatefulSet', 'db'), 5432)).toBe(true);
    expect(admits(manifests, podOf(pods, 'Deployment', 'api'), podOf(pods, 'StatefulSet', 'other'), 5432)).toBe(false);
    expect(other).toBeDefined();
  });

  test('calling it again keeps one policy and takes the new options; allowEgressTo() before or after', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const api = web(chart, 'api');
    NetworkPolicies.allowEgressTo(api, NetworkPeer.ipBlock('203.0.113.0/24'), { ports: [{ port: 443 }] });
    const first = NetworkPolicies.restrictEgress(api);
    expect(NetworkPolicies.restrictEgress(api, { dns: NetworkPeer.ipBlock('169.254.20.10/32') })).toBe(first);
    const manifests = Testing.synth(chart);
    const policies = findAll(manifests, 'NetworkPolicy');
    expect(policies).toHaveLength(1);
    expect(policies[0].spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
      { to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ protocol: 'TCP', port: 443 }] },
    ]);
  });

  test('with SyncWaves, the egress policy is applied with the configuration, before the consumers start', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    SyncWaves.enable(chart);
    const db = store(chart);
    const api = web(chart, 'api');
    new DataStoreConnection(chart, 'conn', { store: db, consumers: [api.containers[0]] });
    NetworkPolicies.restrictEgress(api);
    const manifests = Testing.synth(chart);
    const wave = (m: any) => m.metadata.annotations?.['argocd.argoproj.io/sync-wave'];
    expect(wave(egressPolicy(manifests, 'api-egress'))).toBe('1');
    expect(wave(findOne(manifests, 'Deployment'))).toBe('4');
  });

  test('a long workload name: the policy name is cut with a hash, within 253 characters', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const name = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.eeeee`;
    const api = web(chart, 'api', { metadata: { name } });
    NetworkPolicies.restrictEgress(api);
    const policy = findOne(Testing.synth(chart), 'NetworkPolicy');
    expect(policy.metadata.name.length).toBeLessThanOrEqual(253);
    expect(policy.metadata.name).toMatch(/^a{60}\.b{60}\.c{60}\.d{45}-[0-9a-f]{16}-egress$/);
  });

  describe('errors', () => {
    test('a store is refused: its own connections are not wired', () => {
      const chart = Testing.chart();
      const db = store(chart);
      expect(() => NetworkPolicies.restrictEgress(db)).toThrow(
        /^NetworkPolicies 'test\/db': invalid 'restrictEgress\(workload\)': "test\/db"\. Must be a consumer, not a store.*Pass the workload that connects to the store/s);
      const cache = new Redis(chart, 'cache', { metadata: { name: 'cache' }, allowUnauthenticated: true });
      expect(() => NetworkPolicies.allowEgressTo(cache, NetworkPeer.namespaceNamed('x'))).toThrow(/invalid 'allowEgressTo\(workload\)'.*Must be a consumer, not a store/s);
    });

    test('a construct that runs no pods is refused', () => {
      const chart = Testing.chart();
      const config = new kplus.ConfigMap(chart, 'config');
      expect(() => NetworkPolicies.restrictEgress(config)).toThrow(
        /invalid 'restrictEgress\(workload\)': "test\/config"\. Must be a workload that runs pods \(Deployment, .*\): it renders a ConfigMap\. Pass a cdk8s-plus workload/s);
      expect(() => NetworkPolicies.restrictEgress(chart)).toThrow(/it renders no single object/);
    });

    test('allowEgressTo() refuses a port out of range', () => {
      const chart = Testing.chart();
      const api = web(chart, 'api');
      expect(() => NetworkPolicies.allowEgressTo(api, NetworkPeer.namespaceNamed('x'), { ports: [{ port: 70000 }] })).toThrow(
        /invalid 'allowEgressTo\(options\.ports\[0\]\.port\)': 70000\. Must be a port number from 1 to 65535/);
    });

    test('pods whose labels other pods carry: their egress would be cut too', () => {
      const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
      const labels = { app: 'web' };
      const a = web(chart, 'a', { select: false, podMetadata: { labels } });
      a.select(kplus.LabelSelector.of({ labels }));
      const b = web(chart, 'b', { select: false, podMetadata: { labels } });
      b.select(kplus.LabelSelector.of({ labels }));
      NetworkPolicies.restrictEgress(a);
      expect(() => Testing.synth(chart)).toThrow(
        /NetworkPolicies 'shop\/a': invalid 'restrictEgress\(workload\)': Deployment "shop\/a"\. Must be selectable apart from other pods: .* carried by the pods of Deployment "shop\/b" too/s);
    });

    test('pods without labels cannot be selected', () => {
      const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
      const pod = new ApiObject(chart, 'debug', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug' }, spec: { containers: [{ name: 'debug', image: IMAGE }] } });
      NetworkPolicies.restrictEgress(pod);
      expect(() => Testing.synth(chart)).toThrow(/invalid 'restrictEgress\(workload\)': Pod "shop\/debug"\. Must be selectable: .* carry none/s);
    });

    test('a store without a namespace while the workload has one', () => {
      const app = Testing.app();
      const shop = new Chart(app, 'shop', { namespace: 'shop' });
      const nowhere = new Chart(app, 'nowhere');
      const db = store(nowhere);
      const api = web(shop, 'api');
      new DataStoreConnection(shop, 'conn', { store: db, consumers: [api.containers[0]] });
      NetworkPolicies.restrictEgress(api);
      expect(() => app.synthYaml()).toThrow(/Must know the namespace of its store: the workload is in "shop", and the store 'nowhere\/db' \(wired by DataStoreConnection 'shop\/conn'\) has no namespace/);
    });
  });
});
