/**
 * Scale: synthesis must stay linear in the size of the app. Timings never gate a test (they are
 * measured by `npx projen bench`); these tests count operations instead, which is deterministic:
 * construct-tree nodes visited by `findAll()` (cdk8s's walks, the app index's walk, any check that
 * walks the tree) and objects rendered with `toJson()`, for an app of N and of 4N services.
 * Linear growth gives a ratio near 4; a check that walks the tree or renders the app once per
 * construct gives a ratio near 16.
 */
import { ApiObject, App, Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { PersistentVolumeAccessMode } from 'cdk8s-plus-27';
import { Node } from 'constructs';
import * as floor from '../bench/scenario-floor';
import * as full from '../bench/scenario-full';
import * as fullFloor from '../bench/scenario-full-floor';
import * as library from '../bench/scenario-library';
import * as plus from '../bench/scenario-plus';
import { DataStore, DataStoreConnection, DataStoreCredentials, NetworkPolicies, VolumeClaim, StatefulWorkload } from '../src';
import { indexStats } from '../src/private/app-index';
import { memoStats } from '../src/private/synthesis-memo';

type Scenario = { addService(chart: Chart, i: number): void };

interface Counts {
  /** Nodes returned by every `findAll()` during synthesis. */
  readonly visited: number;
  /** `ApiObject.toJson()` calls during synthesis. */
  readonly renders: number;
  /** Trees walked by the app index. */
  readonly indexWalks: number;
  readonly objects: number;
}

function build(scenario: Scenario, services: number): App {
  const app = Testing.app();
  const chart = new Chart(app, 'bench', { namespace: 'bench' });
  for (let i = 0; i < services; i++) scenario.addService(chart, i);
  return app;
}

/** Counts the operations of one `app.synthYaml()`, as `cdk8s synth` runs it. */
function count(scenario: Scenario, services: number): Counts {
  const app = build(scenario, services);
  let visited = 0;
  let renders = 0;
  const findAll = Node.prototype.findAll;
  const toJson = ApiObject.prototype.toJson;
  const walks = jest.spyOn(Node.prototype, 'findAll').mockImplementation(function (this: Node, ...args) {
    const result = findAll.apply(this, args);
    visited += result.length;
    return result;
  });
  const render = jest.spyOn(ApiObject.prototype, 'toJson').mockImplementation(function (this: ApiObject) {
    renders++;
    return toJson.apply(this);
  });
  const walksBefore = indexStats().walks;
  try {
    const yaml = app.synthYaml();
    return { visited, renders, indexWalks: indexStats().walks - walksBefore, objects: (yaml.match(/^kind: /gm) ?? []).length };
  } finally {
    walks.mockRestore();
    render.mockRestore();
  }
}

describe('synthesis grows linearly with the number of services', () => {
  test.each([
    ['basic service (StatefulWorkload, headless and client Service, disruption budget)', library],
    ['full service (static class, StaticVolumeSet, consumer Deployment, standalone claim, connection)', full],
  ])('%s: 4x the services cost at most 4.4x the walks and renders', (_name, scenario) => {
    // GIVEN
    const n = 8;
    // WHEN
    const small = count(scenario, n);
    const large = count(scenario, 4 * n);
    // THEN
    expect(large.objects).toBe(4 * small.objects - (scenario === full ? 3 : 0)); // one StorageClass per app
    expect(large.visited / small.visited).toBeLessThanOrEqual(4.4);
    expect(large.renders / small.renders).toBeLessThanOrEqual(4.4);
    // the app index walks the tree once per synthesis (synthYaml validates twice: the second pass reuses it)
    expect(large.indexWalks).toBe(1);
    expect(small.indexWalks).toBe(1);
  });

  test('with NetworkPolicies on: 4x the services cost at most 4.4x the walks and renders', () => {
    // GIVEN the full scenario, every store isolated (one namespace: the consumer checks look up pods by label)
    const isolated: Scenario = {
      addService(chart: Chart, i: number) {
        if (i === 0) NetworkPolicies.enable(chart);
        full.addService(chart, i);
      },
    };
    // WHEN
    const small = count(isolated, 8);
    const large = count(isolated, 32);
    // THEN a policy per store, and linear growth
    expect(large.objects).toBe(4 * small.objects - 3);
    expect(large.objects - count(full, 32).objects).toBe(32);
    expect(large.visited / small.visited).toBeLessThanOrEqual(4.4);
    expect(large.renders / small.renders).toBeLessThanOrEqual(4.4);
    expect(large.indexWalks).toBe(1);
  });

  test('the full scenario runs every app-wide check, so the guard above covers them', () => {
    // GIVEN
    const app = build(full, 2);
    // WHEN
    const walksBefore = indexStats().walks;
    const rendersBefore = indexStats().renders;
    app.synthYaml();
    // THEN the index was built and rendered the storage class, the volumes and the pod consumers
    expect(indexStats().walks - walksBefore).toBeGreaterThan(0);
    expect(indexStats().renders - rendersBefore).toBeGreaterThan(0);
  });

  test('each validation pass starts from a fresh index: objects added between two syntheses are seen', () => {
    // GIVEN a ReadWriteOncePod claim used by one pod: valid
    const app = Testing.app();
    const chart = new Chart(app, 'chart', { namespace: 'shop' });
    const claim = new VolumeClaim(chart, 'files', {
      storage: Size.gibibytes(1),
      accessModes: [PersistentVolumeAccessMode.READ_WRITE_ONCE_POD],
    });
    const deployment = (id: string) => new kplus.Deployment(chart, id, {
      replicas: 1,
      strategy: kplus.DeploymentStrategy.recreate(),
      containers: [{ image: 'registry.example.com/app:1.0.0', securityContext: { user: 1000 } }],
    }).containers[0].mount('/data', claim);
    deployment('one');
    expect(() => Testing.synth(chart)).not.toThrow();
    // WHEN a second Deployment mounts it
    deployment('two');
    // THEN the next synthesis sees it
    expect(() => Testing.synth(chart)).toThrow(/is used by more than one pod/);
  });
});

describe('one synthesis validates each construct once, however many charts', () => {
  function perServiceApp(services: number): App {
    const app = Testing.app();
    for (let i = 0; i < services; i++) full.addService(new Chart(app, `svc${i}`, { namespace: 'bench' }), i);
    return app;
  }

  test('cdk8s validates the app once more per chart: those passes reuse the first one\'s index and results', () => {
    // GIVEN an app of one chart per service: 10 charts, 11 validation passes
    const app = perServiceApp(10);
    const before = { ...indexStats() };
    // WHEN
    app.synthYaml();
    // THEN one index is built and the other 10 passes reuse it, recognised as cdk8s's per-chart passes (no walk)
    expect(indexStats().walks - before.walks).toBe(1);
    expect(indexStats().reusedPasses - before.reusedPasses).toBe(10);
    expect(indexStats().fastPasses - before.fastPasses).toBe(10);
  });

  test('app.synth() (one file per chart) is recognised the same way', () => {
    // GIVEN
    const app = perServiceApp(3);
    const before = { ...indexStats() };
    // WHEN
    app.synth();
    // THEN
    expect(indexStats().walks - before.walks).toBe(1);
    expect(indexStats().fastPasses - before.fastPasses).toBe(3);
  });

  test('a chart rendered on its own (Chart.toJson(), Testing.synth()) compares the whole app again', () => {
    // GIVEN an app synthesized once
    const app = perServiceApp(2);
    app.synthYaml();
    const before = { ...indexStats() };
    // WHEN a chart is rendered by itself twice, in the same synchronous run
    (app.node.children[0] as Chart).toJson();
    (app.node.children[1] as Chart).toJson();
    // THEN no pass was taken for a per-chart pass of a synthesis: both walked the tree (and found it unchanged)
    expect(indexStats().fastPasses - before.fastPasses).toBe(0);
    expect(indexStats().reusedPasses - before.reusedPasses).toBe(2);
    expect(indexStats().visited - before.visited).toBe(2 * app.node.findAll().length);
  });

  test('a synthesis after an await starts afresh', async () => {
    // GIVEN
    const app = perServiceApp(2);
    app.synthYaml();
    await Promise.resolve();
    const before = { ...indexStats() };
    // WHEN
    app.synthYaml();
    // THEN
    expect(indexStats().walks - before.walks).toBe(1);
  });

  test.each([
    ['a new construct', (chart: Chart) => new kplus.ConfigMap(chart, 'late')],
    ['a container added by the library', (_chart: Chart, db: StatefulWorkload) => db.addContainer({ name: 'sidecar', image: 'registry.example.com/sidecar:1.0.0', securityContext: { user: 1000 } })],
    ['a variable added to a watched container', (_chart: Chart, db: StatefulWorkload) => db.containers[0].env.addVariable('MODE', kplus.EnvValue.fromValue('fast'))],
  ])('a synthesis in the same synchronous run starts afresh after %s', (_name, change) => {
    // GIVEN
    const app = Testing.app();
    const chart = new Chart(app, 'chart', { namespace: 'shop' });
    const db = new StatefulWorkload(chart, 'db', { containers: [{ name: 'db', image: 'docker.io/library/postgres:16.4', securityContext: { user: 999 } }] });
    app.synthYaml();
    const before = { ...indexStats() };
    // WHEN
    change(chart, db);
    app.synthYaml();
    // THEN the first pass after the change builds a new index
    expect(indexStats().walks - before.walks).toBe(1);
  });

  test('a variable that hides a connection\'s credential, added between two syntheses, fails the second', () => {
    // GIVEN a consumer wired to a store with credentials, synthesized once
    const chart = new Chart(Testing.app(), 'chart', { namespace: 'shop' });
    const secret = kplus.Secret.fromSecretName(chart, 'secret', 'db-credentials');
    const store = DataStore.fromDataStoreAttributes(chart, 'store', {
      storeName: 'user-db',
      hostname: 'db',
      ports: [{ port: 5432 }],
      credentials: DataStoreCredentials.fromSecret(secret, { usernameKey: 'username', passwordKey: 'password' }),
    });
    const app = new kplus.Deployment(chart, 'app', { containers: [{ name: 'app', image: 'registry.example.com/app:1.0.0', securityContext: { user: 1000 } }] });
    new DataStoreConnection(chart, 'conn', { store, consumers: [app.containers[0]] });
    expect(() => Testing.synth(chart)).not.toThrow();
    // WHEN the container replaces the password variable, in the same synchronous run
    app.containers[0].env.addVariable('USER_DB_PASSWORD', kplus.EnvValue.fromValue('hunter2'));
    // THEN
    expect(() => Testing.synth(chart)).toThrow(/The container already sets \["USER_DB_PASSWORD"\]/);
  });
});

describe('a repeated pass costs what it costs cdk8s: no walk, no check run again', () => {
  /** An app of one chart per service, as many apps keep them (one `dist/<service>.k8s.yaml` each). */
  function perServiceApp(scenario: Scenario, services: number): App {
    const app = Testing.app();
    for (let i = 0; i < services; i++) scenario.addService(new Chart(app, `svc${i}`, { namespace: 'bench' }), i);
    return app;
  }

  interface PassCounts {
    readonly constructs: number;
    /** Validations registered on the app's constructs (cdk8s calls each once per pass). */
    readonly validations: number;
    /** Nodes visited by every `findAll()` of the synthesis (cdk8s's walks and the library's). */
    readonly visited: number;
    /** Nodes visited by the library's own walks. */
    readonly visitedByLibrary: number;
    /** Validations whose check ran (memo misses). */
    readonly checksRun: number;
    /** Validations answered from the memo. */
    readonly checksReused: number;
  }

  function synthesize(scenario: Scenario, services: number): PassCounts {
    const app = perServiceApp(scenario, services);
    const constructs = app.node.findAll();
    const validations = constructs.reduce((n, c) => n + (c.node as unknown as { _validations: unknown[] })._validations.length, 0);
    let visited = 0;
    const findAll = Node.prototype.findAll;
    const walks = jest.spyOn(Node.prototype, 'findAll').mockImplementation(function (this: Node, ...args) {
      const result = findAll.apply(this, args);
      visited += result.length;
      return result;
    });
    const index = { ...indexStats() };
    const memo = { ...memoStats() };
    try {
      app.synthYaml();
    } finally {
      walks.mockRestore();
    }
    return {
      constructs: constructs.length,
      validations,
      visited,
      visitedByLibrary: indexStats().visited - index.visited,
      checksRun: memoStats().computed - memo.computed,
      checksReused: memoStats().reused - memo.reused,
    };
  }

  test.each([
    ['basic', library, floor],
    ['full', full, fullFloor],
  ])('%s scenario, one chart per service: the library walks the tree once per synthesis and runs each check once', (_name, scenario, itsFloor) => {
    // GIVEN 12 charts: cdk8s validates the app 13 times
    const charts = 12;
    // WHEN
    const counts = synthesize(scenario, charts);
    const floorCounts = synthesize(itsFloor, charts);
    // THEN the library walks the tree once in all (the first pass), whatever the number of charts
    expect(counts.visitedByLibrary).toBe(counts.constructs);
    // and every other node visited is cdk8s's own walks, the floor's per construct
    expect((counts.visited - counts.visitedByLibrary) / counts.constructs).toBeCloseTo(floorCounts.visited / floorCounts.constructs, 1);
    // each validation of the library ran its check once (the root's app-wide check included), and
    // every repeated pass answered each of them from the memo
    const memoized = counts.validations - 1; // the root's validation decides whether the pass is a repeated one
    expect(counts.checksRun).toBe(memoized);
    expect(counts.checksReused).toBe(charts * memoized);
  });

  test('the library adds few constructs per service: what a repeated pass of cdk8s visits', () => {
    // GIVEN
    const basic = synthesize(library, 4);
    const withEverything = synthesize(full, 4);
    const basicFloor = synthesize(floor, 4);
    const fullFloorCounts = synthesize(fullFloor, 4);
    // THEN (per service, a chart included) the basic service is the StatefulWorkload, its claim
    // template, its client WorkloadService and the 4 objects they render; the floor is the 4 objects
    expect(basicFloor.constructs).toBe(4 * 5 + 1);
    expect(basic.constructs).toBeLessThanOrEqual(4 * 8 + 1);
    expect(fullFloorCounts.constructs).toBe(4 * 11 + 2);
    expect(withEverything.constructs).toBeLessThanOrEqual(4 * 24 + 3);
  });
});

describe('bench scenarios', () => {
  test('the floor (plain ApiObjects) renders exactly what the library renders', () => {
    // GIVEN
    const render = (scenario: Scenario) => build(scenario, 3).synthYaml();
    // THEN
    expect(render(floor)).toEqual(render(library));
  });

  test('the full scenario\'s floor (plain ApiObjects) renders exactly what the full scenario renders', () => {
    // GIVEN
    const render = (scenario: Scenario) => build(scenario, 3).synthYaml();
    // THEN
    expect(render(fullFloor)).toEqual(render(full));
  });

  test('the cdk8s-plus-27 scenario renders the same kinds of objects', () => {
    // GIVEN
    const kinds = (scenario: Scenario) => build(scenario, 1).synthYaml().match(/^kind: .*$/gm)!.sort();
    // THEN
    expect(kinds(plus)).toEqual(kinds(library));
  });
});
