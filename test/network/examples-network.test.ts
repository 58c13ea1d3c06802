/**
 * Network isolation of the examples, evaluated as the API server and a network plugin read the
 * policies (test/util/network-policy.ts): in `examples/dist` (and the alternatives and upgrades), every pod
 * wired to a store reaches it on the port its connection hands out, a pod that is not wired
 * reaches no store on any port, and the pods of a store reach each other on their engine's peer
 * ports.
 */
import { buildAlternatives, buildExamples, buildUpgrades } from '../../examples/main';
import { NEWS_FEED_ADDRESSES, TEST_REDIS_CLIENT_LABEL } from '../../examples/redis';
import { findAll, renderApp } from '../util/harness';
import { expectValidManifests } from '../util/k8s-schema';
import { admits, egressAllows, egressPoliciesOf, ingressPoliciesOf, PodView, podsOf, strangerPod, wiringsOf } from '../util/network-policy';

/** StatefulSets of the examples that are servers for clients outside the app, not stores wired to consumers. */
const NOT_STORES = [
  'default/web', // a web server: its clients are browsers behind an Ingress
  'default/html', // nginx serving static files
  'registry/eureka', // a service registry behind a LoadBalancer for 10.0.0.0/8
];

/** The ports each store's engine opens to its own pods, by StatefulSet: what replication and gossip need. */
const PEER_PORTS: { [statefulSet: string]: number[] } = {
  'news/news-manager-redis': [6379], // the replica replicates from the primary over the client port
  'news/news-cache': [6379],
  'redis/test-redis': [6379],
  'cassandra/cassandra': [7000, 7001], // storage port (gossip, streaming), with internode TLS
  'cassandra/store': [7000, 7001],
  'news/news-store': [6379],
  'news/news-store-sentinel': [26379], // the sentinels talk to each other
  'reports/reports-db': [5432], // the standbys stream from the primary
};

/** The sentinels' StatefulSet names the data StatefulSet it watches. */
const SENTINEL_FOR = 'cdk8s-stateful/sentinel-for';

describe.each([
  ['examples/dist', buildExamples],
  ['examples/dist/alternatives', buildAlternatives],
  ['examples/dist/upgrades', buildUpgrades],
])('%s', (_name, build) => {
  const manifests = renderApp(build);
  const pods = podsOf(manifests);
  const key = (s: any) => `${s.metadata.namespace ?? 'default'}/${s.metadata.name}`;
  const stores = findAll(manifests, 'StatefulSet').filter(s => !NOT_STORES.includes(key(s)));
  const storePods = (s: any): PodView[] => pods.filter(p => p.owner === s);
  // Sentinel: the sentinels and the data pods they watch reach each other (the sentinels the data
  // pods' client port, the data pods the sentinels' port), and the store's clients reach both
  const sentinelsOf = (data: any): any[] => stores.filter(s => s.metadata.annotations?.[SENTINEL_FOR] === data.metadata.name
    && (s.metadata.namespace ?? 'default') === (data.metadata.namespace ?? 'default'));
  const dataOf = (sentinels: any): any | undefined => stores.find(s => sentinelsOf(s).includes(sentinels));

  test('every object is valid for the Kubernetes 1.27 API', () => {
    expectValidManifests(manifests);
  });

  test('every in-cluster store is isolated by exactly one policy', () => {
    expect(stores.length).toBeGreaterThan(0);
    for (const s of stores) {
      for (const p of storePods(s)) expect(ingressPoliciesOf(manifests, p).map(x => x.metadata.name)).toEqual([s.metadata.name]);
    }
  });

  test('every wired pod reaches every pod of its store on the port its connection hands out', () => {
    const wirings = wiringsOf(manifests, pods).filter(w => stores.includes(w.target.owner));
    expect(wirings.length).toBeGreaterThan(0);
    // every pod of the store: a consumer may be handed one pod and reach the others (a Redis
    // backup reads from the replicas it finds in $REDIS_REPLICAS, not from the primary it is given)
    const failures = wirings.flatMap(w => storePods(w.target.owner)
      .filter(target => !admits(manifests, w.source, target, w.port))
      .map(target => `${w.source.id} -> ${target.id}:${w.port} (${w.via})`));
    // the clients of a store with sentinels reach every sentinel on its port too
    const sentinelFailures = wirings.flatMap(w => sentinelsOf(w.target.owner).flatMap(s => storePods(s).flatMap(target => target.ports
      .filter(p => !admits(manifests, w.source, target, p.containerPort))
      .map(p => `${w.source.id} -> ${target.id}:${p.containerPort} (the sentinels of ${w.target.owner.metadata.name})`))));
    expect([...failures, ...sentinelFailures]).toEqual([]);
  });

  test('the sentinels and the data pods they watch reach each other', () => {
    const pairs = stores.flatMap(data => sentinelsOf(data).map(sentinels => [data, sentinels]));
    if (build === buildExamples) expect(pairs.length).toBeGreaterThan(0);
    const closed: string[] = [];
    const check = (from: any, to: any, port: number) => {
      for (const source of storePods(from)) {
        for (const target of storePods(to)) if (!admits(manifests, source, target, port)) closed.push(`${source.id} -> ${target.id}:${port}`);
      }
    };
    for (const [data, sentinels] of pairs) {
      check(sentinels, data, 6379);
      check(data, sentinels, 26379);
    }
    expect(closed).toEqual([]);
  });

  test('a pod that is not wired reaches no store on any port', () => {
    const wirings = wiringsOf(manifests, pods);
    const wired = new Set([
      ...wirings.map(w => `${w.source.owner.kind}/${w.source.owner.metadata.namespace}/${w.source.owner.metadata.name}>${w.target.owner.metadata.name}`),
      // a store's clients are wired to its sentinels too
      ...wirings.flatMap(w => sentinelsOf(w.target.owner)
        .map(s => `${w.source.owner.kind}/${w.source.owner.metadata.namespace}/${w.source.owner.metadata.name}>${s.metadata.name}`)),
    ]);
    const namespaces = [...new Set(pods.map(p => p.namespace)), 'default', 'monitoring'];
    for (const s of stores) {
      const ports = [...new Set([...storePods(s)[0].ports.map(p => p.containerPort), ...PEER_PORTS[key(s)] ?? []])];
      const unwired = [
        ...pods.filter(p => p.owner.kind !== 'StatefulSet' || p.owner !== s)
          // the sentinels and the data pods they watch are peers
          .filter(p => p.owner !== dataOf(s) && !sentinelsOf(s).includes(p.owner))
          .filter(p => !wired.has(`${p.owner.kind}/${p.owner.metadata.namespace}/${p.owner.metadata.name}>${s.metadata.name}`))
          // the testers of test-redis, admitted on purpose (allowFrom)
          .filter(p => p.labels[TEST_REDIS_CLIENT_LABEL] !== 'true'),
        ...namespaces.map(ns => strangerPod(ns)),
      ];
      // the exporters' ports, which Prometheus (the namespace monitoring) may scrape
      const metricsPorts = storePods(s)[0].ports.filter(p => p.name === 'metrics').map(p => p.containerPort);
      for (const source of unwired) {
        for (const target of storePods(s)) {
          for (const port of ports) {
            if (source.namespace === 'monitoring' && metricsPorts.includes(port)) continue;
            if (admits(manifests, source, target, port)) throw new Error(`${source.id} reaches ${target.id}:${port}`);
          }
        }
      }
    }
  });

  test('Prometheus (the namespace monitoring) reaches the exporters\' ports, and only those', () => {
    const prometheus = strangerPod('monitoring', { 'app.kubernetes.io/name': 'prometheus' });
    for (const s of stores) {
      const metricsPorts = storePods(s)[0].ports.filter(p => p.name === 'metrics').map(p => p.containerPort);
      for (const target of storePods(s)) {
        for (const p of target.ports) {
          const admitted = admits(manifests, prometheus, target, p.containerPort);
          expect([target.id, p.containerPort, admitted]).toEqual([target.id, p.containerPort, metricsPorts.includes(p.containerPort)]);
        }
      }
    }
  });

  test('a workload whose egress is restricted reaches the cluster DNS and its stores, and no other pod', () => {
    const dns = strangerPod('kube-system', { 'k8s-app': 'kube-dns' });
    const restricted = pods.filter(p => egressPoliciesOf(manifests, p).length > 0);
    if (build !== buildUpgrades) expect(restricted.length).toBeGreaterThan(0);
    const open: string[] = [];
    for (const source of restricted) {
      for (const protocol of ['UDP', 'TCP']) expect([source.id, protocol, egressAllows(manifests, source, dns, 53, protocol)]).toEqual([source.id, protocol, true]);
      const wiredStores = wiringsOf(manifests, pods).filter(w => w.source === source).map(w => w.target.owner);
      const reachable = new Set([...wiredStores, ...wiredStores.flatMap(sentinelsOf)]);
      const strangers = [...new Set(pods.map(p => p.namespace))].map(ns => strangerPod(ns));
      const others = [...pods.filter(p => p !== source && !reachable.has(p.owner)), ...strangers];
      for (const target of others) {
        for (const port of [...target.ports.map(p => p.containerPort), 53, 80, 443, 5432, 6379, 8080]) {
          if (egressAllows(manifests, source, target, port)) open.push(`${source.id} -> ${target.id}:${port}`);
        }
      }
    }
    expect(open).toEqual([]);
  });

  test('the pods of a store reach each other on its peer ports', () => {
    for (const s of stores) {
      const [first, ...others] = storePods(s);
      for (const port of PEER_PORTS[key(s)] ?? []) {
        for (const other of others) expect([other.id, port, admits(manifests, other, first, port)]).toEqual([other.id, port, true]);
      }
    }
  });
});

test('test-redis admits the labelled testers of its namespace, not those of others', () => {
  const manifests = renderApp(buildExamples);
  const primary = podsOf(manifests).find(p => p.labels['statefulset.kubernetes.io/pod-name'] === 'test-redis-0')!;
  expect(admits(manifests, strangerPod('redis', { [TEST_REDIS_CLIENT_LABEL]: 'true' }), primary, 6379)).toBe(true);
  expect(admits(manifests, strangerPod('news', { [TEST_REDIS_CLIENT_LABEL]: 'true' }), primary, 6379)).toBe(false);
});

test('news-manager reaches the news feed on 443 only; ext-check (external-ip) its external address on 80 only', () => {
  const examples = renderApp(buildExamples);
  const newsManager = podsOf(examples).find(p => p.owner.kind === 'Deployment' && p.owner.metadata.name === 'news-manager')!;
  const feed = { address: NEWS_FEED_ADDRESSES.replace(/0\/24$/, '17') };
  expect(egressAllows(examples, newsManager, feed, 443)).toBe(true);
  expect(egressAllows(examples, newsManager, feed, 80)).toBe(false);
  expect(egressAllows(examples, newsManager, { address: '198.51.100.1' }, 443)).toBe(false);
  // by address (external-ip): 172.0.0.1 port 80 only
  const alternatives = renderApp(buildAlternatives);
  const byAddress = podsOf(alternatives).find(p => p.owner.kind === 'Job' && p.owner.metadata.name === 'ext-check')!;
  expect(egressAllows(alternatives, byAddress, { address: '172.0.0.1' }, 80)).toBe(true);
  expect(egressAllows(alternatives, byAddress, { address: '172.0.0.1' }, 443)).toBe(false);
  expect(egressAllows(alternatives, byAddress, { address: '172.0.0.2' }, 80)).toBe(false);
});
