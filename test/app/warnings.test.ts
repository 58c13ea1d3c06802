import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Cron, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { buildAlternatives, buildExamples, buildUpgrades } from '../../examples/main';
import { Warnings } from '../../src/app/warnings';
import { SnapshotSchedule } from '../../src/backup/snapshot-schedule';
import { VolumeSnapshotClass } from '../../src/backup/volume-snapshot-class';
import { DataStoreCredentials } from '../../src/connection/data-store';
import { DataStoreConnection } from '../../src/connection/data-store-connection';
import { ExternalService } from '../../src/connection/external-service';
import { Redis, RedisVersion } from '../../src/engines/redis';
import { NetworkPolicies } from '../../src/network/network-policies';
import { ACKNOWLEDGEMENT_METADATA, allWarnings, STRICT_CONTEXT, STRICT_ENV, warn, WARNING_IDS, WarningId } from '../../src/private/warnings';
import { EphemeralVolume } from '../../src/storage/ephemeral-volume';
import { StaticVolume, StaticVolumeSet, StaticVolumeSource } from '../../src/storage/static-volume';
import { StorageClass, VolumeBindingMode } from '../../src/storage/storage-class';
import { VolumeClaim } from '../../src/storage/volume-claim';
import { DisruptionBudget, PersistentVolumeClaimRetention, WorkloadUpdateStrategy, StatefulWorkload, StatefulWorkloadProps } from '../../src/workload/stateful-workload';
import { findOne } from '../util/harness';

const IMAGE = 'docker.io/library/postgres:16';

beforeEach(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  delete process.env[STRICT_ENV];
});

afterEach(() => {
  delete process.env[STRICT_ENV];
});

function chartIn(app: App = Testing.app()): Chart {
  return new Chart(app, 'test', { namespace: 'shop' });
}

/** A workload `db` without warnings of its own, with `props` on top. */
function workload(chart: Chart, props: Partial<StatefulWorkloadProps> = {}): StatefulWorkload {
  return new StatefulWorkload(chart, 'db', {
    metadata: { name: 'db' },
    containers: [{ name: 'db', image: IMAGE, portNumber: 5432, securityContext: { user: 999, group: 999 } }],
    ...props,
  });
}

/** A cdk8s-plus Deployment `web` mounting the claim at /data. */
function deployment(chart: Chart, claim: VolumeClaim, props: kplus.DeploymentProps): kplus.Deployment {
  const d = new kplus.Deployment(chart, 'web', {
    metadata: { name: 'web' },
    containers: [{ name: 'app', image: 'docker.io/library/busybox:1.36', securityContext: { user: 1000, group: 1000 } }],
    ...props,
  });
  d.containers[0].mount('/data', claim);
  return d;
}

/** A workload `html` with a 16Ki claim template `html-pvc` of class "html". */
function html(chart: Chart, replicas: number): StatefulWorkload {
  return workload(chart, {
    metadata: { name: 'html' },
    replicas,
    volumeClaimTemplates: [{ name: 'html-pvc', storage: Size.kibibytes(16), storageClassName: 'html', mountPath: '/data' }],
  });
}

type When = 'construction' | 'validation';

/**
 * One scenario per warning id: builds what raises it and returns the construct it is raised on.
 * `construction`: raised by the constructor; `validation`: raised when the app is validated.
 */
const SCENARIOS: Array<[id: string, when: When, build: (chart: Chart) => IConstruct]> = [
  ['cdk8s-stateful:max-unavailable-alpha', 'construction', chart => workload(chart, {
    replicas: 3,
    strategy: WorkloadUpdateStrategy.rollingUpdate({ maxUnavailable: kplus.PercentOrAbsolute.absolute(2) }),
  })],
  ['cdk8s-stateful:disruption-budget-blocks-eviction', 'construction', chart => workload(chart, {
    replicas: 3,
    disruptionBudget: DisruptionBudget.maxUnavailable(kplus.PercentOrAbsolute.absolute(0)),
  })],
  ['cdk8s-stateful:unbindable-claim-template', 'validation', chart => workload(chart, {
    volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), storageClassName: '', mountPath: '/data' }],
  })],
  ['cdk8s-stateful:non-root-without-user', 'validation', chart => workload(chart, {
    containers: [{ name: 'db', image: IMAGE, portNumber: 5432 }],
  })],
  ['cdk8s-stateful:memory-volume-exceeds-limit', 'validation', chart => {
    const scratch = EphemeralVolume.memory(chart, 'scratch', 'scratch', { sizeLimit: Size.mebibytes(512) });
    workload(chart).containers[0].mount('/scratch', scratch);
    return scratch;
  }],
  ['cdk8s-stateful:read-write-once-shared', 'validation', chart => {
    const claim = new VolumeClaim(chart, 'files', { metadata: { name: 'files' }, storage: Size.gibibytes(1) });
    deployment(chart, claim, { replicas: 2, strategy: kplus.DeploymentStrategy.recreate() });
    return claim;
  }],
  ['cdk8s-stateful:read-write-once-surge', 'validation', chart => {
    const claim = new VolumeClaim(chart, 'files', { metadata: { name: 'files' }, storage: Size.gibibytes(1) });
    deployment(chart, claim, { replicas: 1 });
    return claim;
  }],
  ['cdk8s-stateful:local-volume-immediate-binding', 'validation', chart => {
    const eager = new StorageClass(chart, 'eager', {
      metadata: { name: 'eager' }, provisioner: StorageClass.NO_PROVISIONER, volumeBindingMode: VolumeBindingMode.IMMEDIATE,
    });
    return new StaticVolume(chart, 'pv', { storage: Size.gibibytes(1), source: StaticVolumeSource.local('/mnt/ssd', 'node-a'), storageClass: eager });
  }],
  ['cdk8s-stateful:missing-static-volumes', 'validation', chart => {
    const w = html(chart, 2); // class "html" is not in the app: the cluster may provision the rest
    return new StaticVolumeSet(chart, 'pvs', {
      workload: w, claimTemplate: w.volumeClaimTemplates[0], sources: [StaticVolumeSource.hostPath('/mnt/data/html-0')],
    });
  }],
  ['cdk8s-stateful:local-volumes-share-node', 'validation', chart => {
    StorageClass.localDisks(chart, 'html-class', { metadata: { name: 'html' } });
    const w = html(chart, 2);
    return new StaticVolumeSet(chart, 'pvs', {
      workload: w,
      claimTemplate: w.volumeClaimTemplates[0],
      sources: [StaticVolumeSource.local('/mnt/ssd0', 'node-a'), StaticVolumeSource.local('/mnt/ssd1', 'node-a')],
    });
  }],
  ['cdk8s-stateful:generated-name-with-claims', 'validation', chart => new StatefulWorkload(chart, 'db', {
    containers: [{ name: 'db', image: IMAGE, portNumber: 5432, securityContext: { user: 999, group: 999 } }],
    volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), mountPath: '/data' }],
  })],
  ['cdk8s-stateful:zero-termination-grace', 'construction', chart => workload(chart, { terminationGracePeriod: Duration.seconds(0) })],
  ['cdk8s-stateful:unpinned-image', 'validation', chart => workload(chart, {
    containers: [{ name: 'db', image: 'docker.io/library/postgres:latest', portNumber: 5432, securityContext: { user: 999, group: 999 } }],
  })],
  ['cdk8s-stateful:static-volume-reclaim-delete', 'construction', chart => new StaticVolume(chart, 'pv', {
    storage: Size.gibibytes(1),
    source: StaticVolumeSource.csi('ebs.csi.aws.com', 'vol-0123'),
    reclaimPolicy: kplus.PersistentVolumeReclaimPolicy.DELETE,
  })],
  ['cdk8s-stateful:redis-primary-claim-deletion', 'construction', chart => new Redis(chart, 'cache', {
    metadata: { name: 'cache' },
    password: DataStoreCredentials.fromPasswordSecret(kplus.Secret.fromSecretName(chart, 'auth', 'cache-auth')),
    persistentVolumeClaimRetentionPolicy: { whenDeleted: PersistentVolumeClaimRetention.DELETE },
  })],
  ['cdk8s-stateful:redis-backup-from-primary', 'validation', chart => {
    const redis = new Redis(chart, 'cache', {
      metadata: { name: 'cache' },
      readReplicas: 0,
      password: DataStoreCredentials.fromPasswordSecret(kplus.Secret.fromSecretName(chart, 'auth', 'cache-auth')),
    });
    redis.addBackup('hourly', { schedule: Cron.hourly() });
    return redis;
  }],
  ['cdk8s-stateful:few-sentinels', 'construction', chart => new Redis(chart, 'store', {
    metadata: { name: 'store' },
    password: DataStoreCredentials.fromPasswordSecret(kplus.Secret.fromSecretName(chart, 'auth', 'store-auth')),
    sentinel: { sentinels: 2 },
  })],
  ['cdk8s-stateful:two-default-storage-classes', 'validation', chart => {
    new StorageClass(chart, 'gp3', { metadata: { name: 'gp3' }, provisioner: 'ebs.csi.aws.com', isDefaultClass: true });
    return new StorageClass(chart, 'standard', { metadata: { name: 'standard' }, provisioner: 'ebs.csi.aws.com', isDefaultClass: true });
  }],
  ['cdk8s-stateful:unauthenticated-store', 'validation', chart => workload(chart, { allowUnauthenticated: true })],
  ['cdk8s-stateful:vulnerable-engine-version', 'construction', chart => new Redis(chart, 'cache', {
    metadata: { name: 'cache' },
    version: RedisVersion.of('7.2.5'),
    password: DataStoreCredentials.fromPasswordSecret(kplus.Secret.fromSecretName(chart, 'auth', 'cache-auth')),
  })],
  ['cdk8s-stateful:unmaintained-engine-version', 'construction', chart => new Redis(chart, 'cache', {
    metadata: { name: 'cache' },
    version: RedisVersion.of('8.6.7'),
    password: DataStoreCredentials.fromPasswordSecret(kplus.Secret.fromSecretName(chart, 'auth', 'cache-auth')),
  })],
  ['cdk8s-stateful:ephemeral-volume-retain-class', 'validation', chart => {
    const kept = new StorageClass(chart, 'kept', { metadata: { name: 'kept' }, provisioner: 'ebs.csi.aws.com' }); // Retain: our default
    const spill = EphemeralVolume.generic(chart, 'spill', 'spill', { storage: Size.gibibytes(1), storageClass: kept });
    workload(chart).containers[0].mount('/spill', spill);
    return spill;
  }],
  ['cdk8s-stateful:metrics-port-closed', 'validation', chart => {
    const db = workload(chart);
    db.addMetricsPort({ name: 'metrics', port: 9187 });
    NetworkPolicies.enable(db);
    return db;
  }],
  ['cdk8s-stateful:egress-to-dns-name', 'validation', chart => {
    // a consumer whose egress is restricted, wired to a store by DNS name
    const store = new ExternalService(chart, 'search', { metadata: { name: 'search' }, externalName: 'search.example.com', ports: [{ port: 9200 }] });
    const api = new kplus.Deployment(chart, 'api', { containers: [{ image: 'registry.example.com/api:1.0.0', securityContext: { user: 1000 } }] });
    new DataStoreConnection(chart, 'search-connection', { store, consumers: [api.containers[0]] });
    NetworkPolicies.restrictEgress(api);
    return api;
  }],
  ['cdk8s-stateful:credentials-in-store-namespace', 'validation', chart => {
    // the store in namespace "data", its consumers in the chart's "shop"
    const store = workload(chart, {
      metadata: { name: 'db', namespace: 'data' },
      credentials: DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(chart, 'creds', 'db-credentials')),
    });
    return new DataStoreConnection(chart, 'db-connection', { store });
  }],
  ['cdk8s-stateful:snapshot-pruning-retained', 'construction', chart => {
    const db = workload(chart, { volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), storageClassName: 'gp3', mountPath: '/data' }] });
    const kept = new VolumeSnapshotClass(chart, 'kept', { metadata: { name: 'kept' }, driver: 'ebs.csi.aws.com' }); // Retain: our default
    return new SnapshotSchedule(chart, 'nightly', { workload: db, snapshotClass: kept, schedule: Cron.daily() });
  }],
];

const REASON = 'checked by hand for this cluster';

describe('Warnings', () => {
  test('every warning id has a scenario, and every id has the form cdk8s-stateful:<kebab-case>', () => {
    expect(SCENARIOS.map(([id]) => id).sort()).toEqual([...WARNING_IDS].sort());
    for (const id of WARNING_IDS) expect(id).toMatch(/^cdk8s-stateful:[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  test('docs/warnings.md lists every warning id in its Warnings table', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'warnings.md'), 'utf-8');
    const rows = readme.split('\n').filter(line => line.startsWith('| `cdk8s-stateful:'));
    expect(rows.map(r => /^\| `(cdk8s-stateful:[a-z0-9-]+)`/.exec(r)![1]).sort()).toEqual([...WARNING_IDS].sort());
  });

  describe.each(SCENARIOS)('%s (raised at %s)', (id, when, build) => {
    test('is raised once, on its construct, with its id at the end of the message', () => {
      // GIVEN
      const chart = chartIn();
      const on = build(chart);

      // WHEN
      Testing.synth(chart);

      // THEN
      const listed = Warnings.of(chart).list();
      expect(listed).toEqual([{
        id,
        message: expect.stringMatching(new RegExp(`^\\w+ '${on.node.path}': warning: '.*\\. \\[${id}\\]$`)),
        path: on.node.path,
        acknowledged: false,
        reason: undefined,
        acknowledgedBy: undefined,
      }]);
      expect(allWarnings(chart)).toEqual([listed[0].message]);
      expect(console.warn).toHaveBeenCalledWith(`[WARNING] ${listed[0].message}`);
      expect(console.warn).toHaveBeenCalledTimes(1);
    });

    if (when === 'construction') {
      test('is recorded when the construct is built, before synthesis', () => {
        const chart = chartIn();
        build(chart);
        expect(Warnings.of(chart).list().map(w => w.id)).toEqual([id]);
        expect(console.warn).not.toHaveBeenCalled(); // printed when the app is validated
      });
    }

    test('an acknowledgement on the chart is inherited: not printed, listed with the reason', () => {
      // GIVEN
      const chart = chartIn();
      build(chart);

      // WHEN
      Warnings.of(chart).acknowledge(id, REASON);
      Testing.synth(chart);

      // THEN
      expect(console.warn).not.toHaveBeenCalled();
      expect(Warnings.of(chart).list()).toEqual([expect.objectContaining({ id, acknowledged: true, reason: REASON, acknowledgedBy: 'test' })]);
      expect(chart.node.metadata.filter(m => m.type === ACKNOWLEDGEMENT_METADATA).map(m => m.data)).toEqual([{ id, reason: REASON }]);
    });

    test('fails a strict synthesis (environment variable), naming the id, the path and how to acknowledge', () => {
      // GIVEN
      process.env[STRICT_ENV] = 'true';
      const chart = chartIn();
      const on = build(chart);

      // THEN
      const message = Warnings.of(chart).list().map(w => w.message)[0]; // construction-time warnings only
      const error = catchError(() => Testing.synth(chart));
      expect(error).toMatch(new RegExp(`^Validation failed with the following errors:\n  \\[${on.node.path}\\] \\w+ '${on.node.path}': warning: .* \\[${id}\\] `
        + 'Strict mode \\(CDK8S_STATEFUL_STRICT=true or context "cdk8s-stateful:strict"\\) fails on every unacknowledged warning: '
        + `fix it, or acknowledge it on '${on.node.path}' or a scope above it with Warnings\\.of\\(scope\\)\\.acknowledge\\("${id}", "<why it is fine here>"\\)\\.$`));
      if (message) expect(error).toContain(message);
      expect(console.warn).not.toHaveBeenCalled();
    });

    test('fails a strict synthesis (context key), every time the app is synthesized', () => {
      const app = Testing.app();
      app.node.setContext(STRICT_CONTEXT, true);
      const chart = chartIn(app);
      build(chart);
      expect(() => Testing.synth(chart)).toThrow(`[${id}] Strict mode`);
      expect(() => Testing.synth(chart)).toThrow(`[${id}] Strict mode`);
    });

    test('passes a strict synthesis when acknowledged, even on the app', () => {
      process.env[STRICT_ENV] = 'true';
      const app = Testing.app();
      const chart = chartIn(app);
      build(chart);
      Warnings.of(app).acknowledge(id, REASON);
      expect(() => Testing.synth(chart)).not.toThrow();
      expect(Warnings.of(app).list()).toEqual([expect.objectContaining({ id, acknowledged: true, reason: REASON, acknowledgedBy: '' })]);
    });
  });

  describe('acknowledge()', () => {
    test('applies to the construct and everything below it, not to its siblings', () => {
      // GIVEN
      const chart = chartIn();
      const budget = { replicas: 3, disruptionBudget: DisruptionBudget.maxUnavailable(kplus.PercentOrAbsolute.absolute(0)) };
      const a = workload(chart, { metadata: { name: 'a' }, ...budget });
      new StatefulWorkload(chart, 'b', { metadata: { name: 'b' }, containers: [{ name: 'db', image: IMAGE, portNumber: 5432, securityContext: { user: 999 } }], ...budget });

      // WHEN
      Warnings.of(a).acknowledge('cdk8s-stateful:disruption-budget-blocks-eviction', 'a is a cache');
      Testing.synth(chart);

      // THEN
      expect(Warnings.of(chart).list().map(w => [w.path, w.acknowledged])).toEqual([['test/db', true], ['test/b', false]]);
      expect(console.warn).toHaveBeenCalledTimes(1);
      expect(console.warn).toHaveBeenCalledWith(expect.stringContaining("StatefulWorkload 'test/b'"));
    });

    test('acknowledges only the given id', () => {
      process.env[STRICT_ENV] = 'true';
      const chart = chartIn();
      workload(chart, {
        replicas: 3,
        strategy: WorkloadUpdateStrategy.rollingUpdate({ maxUnavailable: kplus.PercentOrAbsolute.absolute(2) }),
        containers: [{ name: 'db', image: IMAGE, portNumber: 5432 }],
      });
      Warnings.of(chart).acknowledge('cdk8s-stateful:max-unavailable-alpha', REASON);
      const error = catchError(() => Testing.synth(chart));
      expect(error).toContain('[cdk8s-stateful:non-root-without-user] Strict mode');
      expect(error).not.toContain('[cdk8s-stateful:max-unavailable-alpha] Strict mode');
    });

    test('counts for constructs added after it and warnings raised at validation', () => {
      const chart = chartIn();
      Warnings.of(chart).acknowledge('cdk8s-stateful:non-root-without-user', REASON);
      const db = workload(chart);
      db.addContainer({ name: 'sidecar', image: IMAGE });
      process.env[STRICT_ENV] = 'true';
      expect(() => Testing.synth(chart)).not.toThrow();
      expect(Warnings.of(db).list()).toEqual([expect.objectContaining({ id: 'cdk8s-stateful:non-root-without-user', acknowledged: true })]);
    });

    test('the innermost acknowledgement gives the reason; a later one on the same construct replaces it', () => {
      const app = Testing.app();
      const chart = chartIn(app);
      const db = workload(chart, { containers: [{ name: 'db', image: IMAGE, portNumber: 5432 }] });
      Warnings.of(app).acknowledge('cdk8s-stateful:non-root-without-user', 'app-wide');
      Warnings.of(db).acknowledge('cdk8s-stateful:non-root-without-user', 'first');
      Warnings.of(db).acknowledge('cdk8s-stateful:non-root-without-user', '  the image has USER 999  ');
      Testing.synth(chart);
      expect(Warnings.of(app).list()).toEqual([expect.objectContaining({ reason: 'the image has USER 999', acknowledgedBy: 'test/db' })]);
    });

    test('fails when the id is unknown, listing the known ids', () => {
      const chart = chartIn();
      expect(() => Warnings.of(chart).acknowledge('cdk8s-stateful:no-such-warning', REASON)).toThrow(
        `Warnings 'test': invalid 'id': "cdk8s-stateful:no-such-warning". Must be the id of a cdk8s-stateful warning: ${WARNING_IDS.join(', ')}. `
        + 'Use the id shown at the end of the warning, e.g. [cdk8s-stateful:non-root-without-user].');
    });

    test('fails when the id lacks the cdk8s-stateful: prefix, suggesting the full id', () => {
      expect(() => Warnings.of(chartIn()).acknowledge('non-root-without-user', REASON)).toThrow(
        /invalid 'id': "non-root-without-user"\. Must be the id of a cdk8s-stateful warning: .*\. Use the full id "cdk8s-stateful:non-root-without-user"\.$/);
    });

    test.each(['', '   '])('fails when the reason is empty (%j)', reason => {
      expect(() => Warnings.of(chartIn()).acknowledge('cdk8s-stateful:non-root-without-user', reason)).toThrow(
        `Warnings 'test': invalid 'reason': ${JSON.stringify(reason)}. Must say why the warning does not apply here (it is kept as construct metadata for audit). `
        + 'Give a reason, e.g. acknowledge("cdk8s-stateful:non-root-without-user", "our clusters enable the feature gate").');
    });
  });

  describe('strict mode', () => {
    test('off: warnings are printed once, however often the app is synthesized, and synthesis succeeds', () => {
      const chart = chartIn();
      workload(chart, { containers: [{ name: 'db', image: IMAGE, portNumber: 5432 }] });
      Testing.synth(chart);
      Testing.synth(chart);
      expect(console.warn).toHaveBeenCalledTimes(1);
    });

    test('reports construction-time and validation-time warnings of one construct together', () => {
      process.env[STRICT_ENV] = 'true';
      const chart = chartIn();
      workload(chart, {
        replicas: 3,
        disruptionBudget: DisruptionBudget.maxUnavailable(kplus.PercentOrAbsolute.absolute(0)),
        containers: [{ name: 'db', image: IMAGE, portNumber: 5432 }],
      });
      const error = catchError(() => Testing.synth(chart));
      expect(error.split('\n  ').slice(1).map(line => /\[(cdk8s-stateful:[a-z-]+)\] Strict mode/.exec(line)?.[1])).toEqual([
        'cdk8s-stateful:disruption-budget-blocks-eviction',
        'cdk8s-stateful:non-root-without-user',
      ]);
    });

    test('errors come with the other validation errors of the construct', () => {
      process.env[STRICT_ENV] = 'true';
      const chart = chartIn();
      const db = workload(chart, {
        strategy: WorkloadUpdateStrategy.rollingUpdate({ maxUnavailable: kplus.PercentOrAbsolute.absolute(1) }),
      });
      db.addContainer({ name: 'db', image: IMAGE, securityContext: { user: 999 } });
      const error = catchError(() => Testing.synth(chart));
      expect(error).toContain("invalid 'containers[].name': \"db\"");
      expect(error).toContain('[cdk8s-stateful:max-unavailable-alpha] Strict mode');
    });

    test.each(['false', '0', ''])('%j in the environment variable is off', value => {
      process.env[STRICT_ENV] = value;
      const chart = chartIn();
      workload(chart, { containers: [{ name: 'db', image: IMAGE, portNumber: 5432 }] });
      expect(findOne(Testing.synth(chart), 'StatefulSet', 'db')).toBeDefined();
      expect(console.warn).toHaveBeenCalledTimes(1);
    });

    test('"1" in the environment variable and "true" as a context string are on', () => {
      process.env[STRICT_ENV] = '1';
      const chart = chartIn();
      workload(chart, { containers: [{ name: 'db', image: IMAGE, portNumber: 5432 }] });
      expect(() => Testing.synth(chart)).toThrow('Strict mode');

      delete process.env[STRICT_ENV];
      const app = Testing.app();
      app.node.setContext(STRICT_CONTEXT, 'true');
      const other = chartIn(app);
      workload(other, { containers: [{ name: 'db', image: IMAGE, portNumber: 5432 }] });
      expect(() => Testing.synth(other)).toThrow('Strict mode');
    });

    test('the context key applies to the scope it is set on and below', () => {
      const app = Testing.app();
      const strict = new Chart(app, 'strict', { namespace: 'strict' });
      strict.node.setContext(STRICT_CONTEXT, true);
      workload(strict, { containers: [{ name: 'db', image: IMAGE, portNumber: 5432 }] });
      // another namespace: the same StatefulSet twice in one namespace would fail on its own
      const relaxed = new Chart(app, 'relaxed', { namespace: 'relaxed' });
      workload(relaxed, { containers: [{ name: 'db', image: IMAGE, portNumber: 5432 }] });
      const error = catchError(() => app.synth());
      expect(error).toContain("[strict/db] StatefulWorkload 'strict/db'");
      expect(error).not.toContain('relaxed/db');
    });

    test('fails on a value that is neither true nor false, rather than guessing', () => {
      process.env[STRICT_ENV] = 'yes';
      const chart = chartIn();
      workload(chart, { containers: [{ name: 'db', image: IMAGE, portNumber: 5432 }] });
      expect(() => Testing.synth(chart)).toThrow(
        'cdk8s-stateful strict mode: invalid \'environment variable CDK8S_STATEFUL_STRICT\': "yes". Must be true or false ("true", "false", "1" or "0"). '
        + 'Set CDK8S_STATEFUL_STRICT=true, or unset it.');
    });

    test.each<[string, (app: App) => void]>([
      ['examples', buildExamples],
      ['alternatives', buildAlternatives],
      ['upgrades', buildUpgrades],
    ])('every chart of the %s synthesizes in strict mode: they raise no warning (test-redis, without a password, is isolated by NetworkPolicies)', (_name, build) => {
      process.env[STRICT_ENV] = 'true';
      const app = Testing.app();
      build(app);
      expect(app.charts.flatMap(c => c.toJson()).length).toBeGreaterThan(0);
      expect(Warnings.of(app).list()).toEqual([]);
    });

    test('without warnings, strict mode changes nothing', () => {
      process.env[STRICT_ENV] = 'true';
      const chart = chartIn();
      workload(chart);
      expect(findOne(Testing.synth(chart), 'StatefulSet', 'db')).toBeDefined();
    });
  });
});

describe('how warnings and acknowledgements are recorded', () => {
  const [ID, , BUILD] = SCENARIOS[0];

  test('a warning is construct metadata of type "cdk8s-stateful:warning", an acknowledgement of type "cdk8s-stateful:acknowledged-warning"', () => {
    const chart = chartIn();
    const on = BUILD(chart);
    Warnings.of(chart).acknowledge(ID, REASON);
    expect(on.node.metadata.filter(m => m.type === 'cdk8s-stateful:warning').map(m => m.data))
      .toEqual([expect.stringMatching(new RegExp(`\\[${ID}\\]$`))]);
    expect(chart.node.metadata.filter(m => m.type === 'cdk8s-stateful:acknowledged-warning').map(m => m.data))
      .toEqual([{ id: ID, reason: REASON }]);
  });

  test('other metadata is neither a warning nor an acknowledgement', () => {
    const chart = chartIn();
    const on = BUILD(chart);
    chart.node.addMetadata('note', { id: ID, reason: REASON });
    on.node.addMetadata('note', 'not a warning');
    expect(allWarnings(chart)).toEqual([expect.stringMatching(new RegExp(`\\[${ID}\\]$`))]);
    expect(Warnings.of(chart).list()).toEqual([expect.objectContaining({ id: ID, acknowledged: false })]);
  });

  test('the same warning raised twice on one construct is recorded once', () => {
    const chart = chartIn();
    const on = BUILD(chart);
    warn(on, ID as WarningId, 'Said twice');
    warn(on, ID as WarningId, 'Said twice');
    expect(allWarnings(on).filter(w => w.startsWith('Said twice'))).toEqual([`Said twice [${ID}]`]);
  });

  test('a reason that is not a string is refused with the library\'s error', () => {
    expect(() => Warnings.of(chartIn()).acknowledge(ID, 42 as unknown as string)).toThrow(
      'Warnings \'test\': invalid \'reason\': 42. Must say why the warning does not apply here');
  });

  test('an id with the prefix twice is unknown, with the general hint', () => {
    expect(() => Warnings.of(chartIn()).acknowledge(`cdk8s-stateful:${ID}`, REASON)).toThrow(
      /Use the id shown at the end of the warning, e\.g\. \[cdk8s-stateful:non-root-without-user\]\.$/);
  });
});

describe('the strict switch', () => {
  test.each<[string, unknown]>([['false', false], ['null', null]])('context %s is off: the warning is printed, synthesis succeeds', (_name, value) => {
    const chart = chartIn();
    chart.node.setContext(STRICT_CONTEXT, value);
    SCENARIOS[0][2](chart);
    expect(() => Testing.synth(chart)).not.toThrow();
    expect(console.warn).toHaveBeenCalledWith(expect.stringContaining(`[${SCENARIOS[0][0]}]`));
  });

  test('a context value that is neither true nor false fails, naming the context key and how to fix it', () => {
    const chart = chartIn();
    chart.node.setContext(STRICT_CONTEXT, 'yes');
    workload(chart);
    expect(() => Testing.synth(chart)).toThrow(
      'cdk8s-stateful strict mode: invalid \'context "cdk8s-stateful:strict"\': "yes". Must be true or false ("true", "false", "1" or "0"). '
      + 'Set the context with node.setContext("cdk8s-stateful:strict", true), or remove it.');
  });

  test('a mistyped value fails even when nothing warns', () => {
    process.env[STRICT_ENV] = 'yes';
    const chart = chartIn();
    workload(chart);
    expect(() => Testing.synth(chart)).toThrow(/invalid 'environment variable CDK8S_STATEFUL_STRICT': "yes"/);
  });
});

function catchError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}
