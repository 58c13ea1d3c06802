/**
 * The upgrade guard's engine rules (src/gitops/private/engine-rules.ts) on synthesized manifests:
 * two versions of a chart are rendered, as a pull request would change them, and compared with
 * `UpgradeGuard.compare()`, the library function behind `cdk8s-stateful-guard`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, Chart, JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DataStoreCredentials } from '../../../src/connection/data-store';
import { Cassandra } from '../../../src/engines/cassandra';
import { Postgres, PostgresVersion } from '../../../src/engines/postgres';
import { Redis, RedisVersion } from '../../../src/engines/redis';
import { Valkey, ValkeyVersion } from '../../../src/engines/valkey';
import {
  ENGINE_UPGRADES_DOC, engineContainers, engineVersionChanges, POSTGRES_COPY_SOURCE, POSTGRES_COPY_TARGET, redisCopySource, releaseLine,
  versionNumbers,
} from '../../../src/gitops/private/engine-rules';
import { UpgradeFinding, UpgradeFindingSeverity, UpgradeGuard } from '../../../src/gitops/upgrade-guard';
import { ENGINE_ANNOTATION, ENGINE_VERSION_ANNOTATION } from '../../../src/private/engine-identity';
import { STRICT_ENV } from '../../../src/private/warnings';
import { StatefulWorkload } from '../../../src/workload/stateful-workload';
import { findOne, synthValid } from '../../util/harness';

const { REFUSED, WARNING } = UpgradeFindingSeverity;

beforeEach(() => {
  delete process.env[STRICT_ENV];
  // the old versions some tests render warn [vulnerable-engine-version]: not what these tests look at
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

/** A chart in the namespace `shop`, as the app would render it. */
function render(build: (c: Chart) => void): any[] {
  const app = Testing.app();
  const c = new Chart(app, 'shop', { namespace: 'shop' });
  build(c);
  return synthValid(c);
}

const credentials = (c: Chart) => DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(c, 'creds', 'orders-db-credentials'));

function postgres(version: PostgresVersion, extra: (c: Chart, db: Postgres) => void = () => undefined) {
  return render(c => {
    const db = new Postgres(c, 'orders-db', { metadata: { name: 'orders-db' }, credentials: credentials(c), version });
    extra(c, db);
  });
}

const password = (c: Chart, name = 'cache-auth') => DataStoreCredentials.fromPasswordSecret(kplus.Secret.fromSecretName(c, name, name));
const ringAdmin = (c: Chart) => DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(c, 'ring-admin', 'ring-admin'));
const redis = (version: RedisVersion) => render(c => new Redis(c, 'cache', { metadata: { name: 'cache' }, password: password(c), version }));
const valkey = (version: ValkeyVersion) => render(c => new Valkey(c, 'cache', { metadata: { name: 'cache' }, password: password(c), version }));

const IMAGE_FIELD = (container: string) => `spec.template.spec.containers[name=${container}].image`;

function only(findings: UpgradeFinding[]): UpgradeFinding {
  expect(findings).toHaveLength(1);
  return findings[0];
}

// ---------------------------------------------------------------------------------- PostgreSQL

describe('PostgreSQL', () => {
  test('16 -> 17 is refused: the server does not start on the old data directory', () => {
    // GIVEN the store on 16, and the pull request that moves it to 17
    const before = postgres(PostgresVersion.V16);
    const after = postgres(PostgresVersion.V17);

    // WHEN
    const finding = only(UpgradeGuard.compare(before, after));

    // THEN
    expect(finding).toMatchObject({
      severity: REFUSED,
      kind: 'StatefulSet',
      objectNamespace: 'shop',
      objectName: 'orders-db',
      field: IMAGE_FIELD('postgres'),
      oldValue: `docker.io/library/postgres:${PostgresVersion.V16.tag}`,
      newValue: `docker.io/library/postgres:${PostgresVersion.V17.tag}`,
    });
    expect(finding.message).toBe(`PostgreSQL ${PostgresVersion.V17.tag} does not start on the data directory that PostgreSQL 16 initialized ` +
      '(data-orders-db-0): "FATAL: database files are incompatible with server", "DETAIL: The data directory was initialized by ' +
      `PostgreSQL version 16, which is not compatible with this version ${PostgresVersion.V17.tag}". The pod restarts until the image ` +
      'is changed back: a major upgrade moves the data, not the image');
    expect(finding.wayOut).toBe(`Keep docker.io/library/postgres:${PostgresVersion.V16.tag} (version: PostgresVersion.V16) for orders-db, ` +
      'and move the data into a new store on 17 by dump and restore: (1) add a second store on 17 under another name, e.g. orders-db-17, ' +
      'without init scripts (the dump brings the schema), and sync; (2) stop the writers; (3) copy the roles and the database: ' +
      `kubectl -n shop exec orders-db-0 -c postgres -- sh -c '${POSTGRES_COPY_SOURCE}' | ` +
      `kubectl -n shop exec -i orders-db-17-0 -c postgres -- sh -c '${POSTGRES_COPY_TARGET}' ` +
      '(another database of the server: the same with its name in place of the last argument of pg_dump; psql -l lists them); ' +
      '(4) check the data, point the consumers at orders-db-17 and start them; (5) retire orders-db when you no longer need it ' +
      '(its claims stay until you delete them). Steps and checks: docs/engine-upgrades.md#postgresql');
  });

  test('17 -> 16 is refused too, and the way out says a newer dump may not load', () => {
    const finding = only(UpgradeGuard.compare(postgres(PostgresVersion.V17), postgres(PostgresVersion.V16)));
    expect(finding).toMatchObject({ severity: REFUSED, field: IMAGE_FIELD('postgres') });
    expect(finding.message).toContain('"DETAIL: The data directory was initialized by PostgreSQL version 17, which is not compatible ' +
      `with this version ${PostgresVersion.V16.tag}"`);
    expect(finding.message).toMatch(/a major downgrade moves the data, not the image$/);
    expect(finding.wayOut).toContain('(version: PostgresVersion.V17) for orders-db');
    expect(finding.wayOut).toContain('e.g. orders-db-16');
    expect(finding.wayOut).toContain('A dump of 17 loads into 16 only as far as it uses nothing 16 lacks: the copy stops at the first statement 16 refuses.');
  });

  test.each<[string, string, string]>([
    ['17.2 -> 17.9', '17.2', '17.9'],
    ['17.9 -> 17.2 (minor releases share the storage format, both ways)', '17.9', '17.2'],
    ['17.9 -> 17.9-bookworm', '17.9', '17.9-bookworm'],
  ])('%s passes', (_, from, to) => {
    expect(UpgradeGuard.compare(postgres(PostgresVersion.of(from)), postgres(PostgresVersion.of(to)))).toEqual([]);
  });

  test('a version of one\'s own (of()) is named as such in the way out', () => {
    const finding = only(UpgradeGuard.compare(postgres(PostgresVersion.of('16.2')), postgres(PostgresVersion.V17)));
    expect(finding.wayOut).toMatch(/^Keep docker\.io\/library\/postgres:16\.2 \(version: PostgresVersion\.of\('16\.2'\)\) for orders-db/);
  });

  test('from another registry and repository, with a digest: recognised by the preset\'s annotation', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const image = { registry: 'registry.example.com', repository: 'mirror/pg', digest };
    const before = render(c => new Postgres(c, 'orders-db', { metadata: { name: 'orders-db' }, credentials: credentials(c), version: PostgresVersion.V16, image }));
    const after = render(c => new Postgres(c, 'orders-db', { metadata: { name: 'orders-db' }, credentials: credentials(c), version: PostgresVersion.V17, image }));
    expect(only(UpgradeGuard.compare(before, after))).toMatchObject({
      severity: REFUSED,
      oldValue: `registry.example.com/mirror/pg:${PostgresVersion.V16.tag}@${digest}`,
      newValue: `registry.example.com/mirror/pg:${PostgresVersion.V17.tag}@${digest}`,
    });
  });

  test('the preset states its engine and version on the StatefulSet, not on the pod template (no pod restarts for it)', () => {
    const sts = findOne(postgres(PostgresVersion.of('17.9-bookworm')), 'StatefulSet', 'orders-db');
    expect(sts.metadata.annotations).toEqual({ [ENGINE_ANNOTATION]: 'postgres', [ENGINE_VERSION_ANNOTATION]: '17.9' });
    expect(JSON.stringify(sts.spec.template)).not.toContain('cdk8s-stateful/engine');
  });

  test('a StatefulWorkload of the official image: refused with claims, not reported without', () => {
    const workload = (image: string, claims: boolean) => render(c => new StatefulWorkload(c, 'db', {
      metadata: { name: 'db' },
      containers: [{ name: 'db', image, portNumber: 5432, securityContext: { user: 999, group: 999 } }],
      volumeClaimTemplates: claims ? [{ name: 'data', storage: Size.gibibytes(10), mountPath: '/var/lib/postgresql/data' }] : [],
    }));
    const finding = only(UpgradeGuard.compare(workload('docker.io/library/postgres:16.4', true), workload('postgres:17.2-bookworm', true)));
    expect(finding).toMatchObject({ severity: REFUSED, field: IMAGE_FIELD('db'), oldValue: 'docker.io/library/postgres:16.4' });
    // no preset: no constant to keep, the image only
    expect(finding.wayOut).toMatch(/^Keep docker\.io\/library\/postgres:16\.4 for db, /);
    expect(finding.wayOut).toContain('kubectl -n shop exec db-0 -c db -- sh -c');
    expect(UpgradeGuard.compare(workload('postgres:16.4', false), workload('postgres:17.2', false))).toEqual([]);
  });

  test('a floating tag is a warning: the guard cannot tell the major', () => {
    const workload = (image: string) => render(c => new StatefulWorkload(c, 'db', {
      metadata: { name: 'db' },
      containers: [{ name: 'db', image, portNumber: 5432, securityContext: { user: 999, group: 999 } }],
      volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(10), mountPath: '/var/lib/postgresql/data' }],
    }));
    const finding = only(UpgradeGuard.compare(workload('docker.io/library/postgres:16.4'), workload('docker.io/library/postgres:bookworm')));
    expect(finding).toMatchObject({ severity: WARNING, field: IMAGE_FIELD('db') });
    expect(finding.message).toBe('The guard cannot tell which version docker.io/library/postgres:bookworm runs (the tag is no version, and the ' +
      'StatefulSet states none in the annotation cdk8s-stateful/engine-version): a new major version cannot start on the data directory of the old one');
    expect(finding.wayOut).toBe('Pin a version tag, or state the version on the StatefulSet (annotations cdk8s-stateful/engine: postgres and ' +
      'cdk8s-stateful/engine-version: <version>); check the change against docs/engine-upgrades.md');
  });

  test('a build of one\'s own that states its engine and version: the annotation decides', () => {
    const workload = (tag: string, version: string) => render(c => new StatefulWorkload(c, 'db', {
      metadata: { name: 'db', annotations: { [ENGINE_ANNOTATION]: 'postgres', [ENGINE_VERSION_ANNOTATION]: version } },
      containers: [{ name: 'db', image: `registry.example.com/team/pg:${tag}`, portNumber: 5432, securityContext: { user: 999, group: 999 } }],
      volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(10), mountPath: '/var/lib/postgresql/data' }],
    }));
    // build tags that read like versions but are not: the annotation wins
    expect(UpgradeGuard.compare(workload('2024.10', '16.4'), workload('2024.11', '16.6'))).toEqual([]);
    expect(only(UpgradeGuard.compare(workload('2024.10', '16.4'), workload('2024.11', '17.2')))).toMatchObject({
      severity: REFUSED, oldValue: 'registry.example.com/team/pg:2024.10', newValue: 'registry.example.com/team/pg:2024.11',
    });
  });

  test('a version change together with a grown claim template and a new one: every finding is reported', () => {
    // GIVEN the store on 16, and a pull request that moves it to 17, grows its claims and adds a claim template
    const before = postgres(PostgresVersion.V16);
    const after = render(c => {
      const db = new Postgres(c, 'orders-db', { metadata: { name: 'orders-db' }, credentials: credentials(c), version: PostgresVersion.V17, storage: Size.gibibytes(20) });
      db.workload.addVolumeClaimTemplate({ name: 'wal', storage: Size.gibibytes(5), mountPath: '/var/lib/postgresql/wal' });
    });

    // WHEN
    const findings = UpgradeGuard.compare(before, after);

    // THEN one finding each, all refused
    expect(findings.map(f => [f.severity, f.field])).toEqual([
      [REFUSED, 'spec.volumeClaimTemplates[name=data].spec.resources.requests.storage'],
      [REFUSED, 'spec.volumeClaimTemplates[name=wal]'],
      [REFUSED, IMAGE_FIELD('postgres')],
    ]);
  });

  test('accepted like any finding, by its field', () => {
    const before = postgres(PostgresVersion.V16);
    const after = postgres(PostgresVersion.V17);
    const key = `StatefulSet/shop/orders-db:${IMAGE_FIELD('postgres')}`;
    expect(UpgradeGuard.compare(before, after, { accept: [key] })).toEqual([]);
    expect(UpgradeGuard.formatFindings(UpgradeGuard.compare(before, after))).toContain(`  accept:   ${key}\n`);
  });
});

// ---------------------------------------------------------------------------------- Redis and Valkey

describe('Redis and Valkey', () => {
  test('Redis 7.4 -> 7.2 is refused: 7.2 cannot read the RDB 12 files of 7.4', () => {
    // GIVEN
    const before = redis(RedisVersion.V7_4);
    const after = redis(RedisVersion.V7_2);

    // WHEN
    const finding = only(UpgradeGuard.compare(before, after));

    // THEN
    expect(finding).toMatchObject({
      severity: REFUSED,
      objectName: 'cache',
      field: IMAGE_FIELD('redis'),
      oldValue: `docker.io/library/redis:${RedisVersion.V7_4.tag}`,
      newValue: `docker.io/library/redis:${RedisVersion.V7_2.tag}`,
    });
    expect(finding.message).toBe('Redis 7.2 cannot read the data Redis 7.4 wrote (data-cache-0, data-cache-1, data-cache-2): Redis 7.4 writes ' +
      'RDB 12, Redis 7.2 reads up to RDB 11, and refuses it at start: "Can\'t handle RDB format version 12". The append-only file starts ' +
      'with an RDB file, and a replica\'s full sync is one: the rolling update restarts the highest ordinal first, that replica cannot ' +
      'load the full sync from the Redis 7.4 primary, never turns ready, and the rollout stops there; a primary restarted on Redis 7.2 ' +
      'cannot load its own append-only file');
    expect(finding.wayOut).toBe(`Keep docker.io/library/redis:${RedisVersion.V7_4.tag} (version: RedisVersion.V7_4) for cache. No Redis 7.2 ` +
      'server reads what Redis 7.4 wrote: going back is a new store on Redis 7.2, loaded with the data as commands, not files: (1) add ' +
      'a second store on Redis 7.2 under another name, e.g. cache-7-2, and sync; (2) stop the writers; (3) rewrite the primary\'s ' +
      'append-only file as commands (CONFIG SET aof-use-rdb-preamble no, BGREWRITEAOF) and replay it into the new store: ' +
      `kubectl -n shop exec cache-0 -c redis -- sh -c '${redisCopySource('redis-cli -s /etc/redis/redis.sock', '/data')}' | ` +
      'kubectl -n shop exec -i cache-7-2-0 -c redis -- redis-cli -s /etc/redis/redis.sock --pipe (keys of types or commands that Redis ' +
      '7.2 lacks, e.g. hash field expiration from Redis 7.4, do not load: the replay counts them as errors); (4) check the keys, point ' +
      'the consumers at cache-7-2 and start them; (5) retire cache when you no longer need it. Steps: docs/engine-upgrades.md#redis-and-valkey');
    expect(redisCopySource('redis-cli -s /etc/redis/redis.sock', '/data')).toBe('c="redis-cli -s /etc/redis/redis.sock"; ' +
      '$c CONFIG SET aof-use-rdb-preamble no >/dev/null && $c BGREWRITEAOF >/dev/null && while $c INFO persistence | grep -q ' +
      '-e "^aof_rewrite_in_progress:1" -e "^aof_rewrite_scheduled:1"; do sleep 1; done && cd /data/appendonlydir && ' +
      'cat $(grep -v " type h" appendonly.aof.manifest | cut -d " " -f 2)');
  });

  test.each<[string, () => any[], () => any[]]>([
    ['Redis 7.2 -> 7.4', () => redis(RedisVersion.V7_2), () => redis(RedisVersion.V7_4)],
    ['Redis 7.2 -> 8.2', () => redis(RedisVersion.V7_2), () => redis(RedisVersion.V8_2)],
    ['Redis 7.2.5 -> 7.2.16 (a patch release)', () => redis(RedisVersion.of('7.2.5')), () => redis(RedisVersion.V7_2)],
    ['Redis 7.2.16 -> 7.2.5 (a patch release back: the same format)', () => redis(RedisVersion.V7_2), () => redis(RedisVersion.of('7.2.5'))],
    ['Redis 8.2 -> 7.4 (both write RDB 12)', () => redis(RedisVersion.V8_2), () => redis(RedisVersion.V7_4)],
    ['Valkey 8.0 -> 9.0', () => valkey(ValkeyVersion.V8_0), () => valkey(ValkeyVersion.V9_0)],
    ['Valkey 8.1 -> 8.0 (both write RDB 11)', () => valkey(ValkeyVersion.V8_1), () => valkey(ValkeyVersion.V8_0)],
    ['Redis 7.2 -> Valkey 8.1 (Valkey reads RDB 11)', () => redis(RedisVersion.V7_2), () => valkey(ValkeyVersion.V8_1)],
    ['Valkey 8.1 -> Redis 7.2 (RDB 11 both)', () => valkey(ValkeyVersion.V8_1), () => redis(RedisVersion.V7_2)],
  ])('%s passes', (_, before, after) => {
    expect(UpgradeGuard.compare(before(), after())).toEqual([]);
  });

  test.each<[string, () => any[], () => any[], string, RegExp]>([
    ['Redis 8.2 -> 7.2', () => redis(RedisVersion.V8_2), () => redis(RedisVersion.V7_2), 'redis',
      /^Redis 7\.2 cannot read the data Redis 8\.2 wrote .*: Redis 8\.2 writes RDB 12, Redis 7\.2 reads up to RDB 11, .*"Can't handle RDB format version 12"/],
    ['Valkey 9.0 -> 8.1', () => valkey(ValkeyVersion.V9_0), () => valkey(ValkeyVersion.V8_1), 'valkey',
      /^Valkey 8\.1 cannot read the data Valkey 9\.0 wrote .*: Valkey 9\.0 writes RDB 80 \(magic VALKEY\), Valkey 8\.1 reads Redis formats up to RDB 11 and its own up to RDB 11, .*"Can't handle RDB format version 80"/],
    ['Redis 7.4 -> Valkey 8.1 (Redis 7.4 writes in the range Valkey reserves for foreign formats)', () => redis(RedisVersion.V7_4), () => valkey(ValkeyVersion.V8_1), 'valkey',
      /^Valkey 8\.1 cannot read the data Redis 7\.4 wrote .*: Redis 7\.4 writes RDB 12, .*"Can't handle RDB format version 12"/],
    ['Valkey 9.0 -> Redis 8.2 (another magic string)', () => valkey(ValkeyVersion.V9_0), () => redis(RedisVersion.V8_2), 'redis',
      /^Redis 8\.2 cannot read the data Valkey 9\.0 wrote .*"Wrong signature trying to load DB from file"/],
    // eslint-disable-next-line import/no-deprecated
    ['Redis 7.2 -> 7.0', () => redis(RedisVersion.V7_2), () => redis(RedisVersion.V7_0), 'redis', /Redis 7\.2 writes RDB 11, Redis 7\.0 reads up to RDB 10/],
  ])('%s is refused', (_, before, after, container, message) => {
    const finding = only(UpgradeGuard.compare(before(), after()));
    expect(finding).toMatchObject({ severity: REFUSED, field: IMAGE_FIELD(container) });
    expect(finding.message).toMatch(message);
  });

  test('a line newer than the format table: a warning where the table cannot tell', () => {
    // 8.10 writes at least RDB 13 (8.6's); 8.6 reads 13
    const finding = only(UpgradeGuard.compare(redis(RedisVersion.of('8.10.2')), redis(RedisVersion.of('8.6.7'))));
    expect(finding).toMatchObject({ severity: WARNING, field: IMAGE_FIELD('redis') });
    expect(finding.message).toMatch(/^Redis 8\.6 may not read the data Redis 8\.10 wrote \(Redis 8\.10 writes RDB 13 or newer, Redis 8\.6 reads up to RDB 13; the guard knows no more of Redis 8\.10\)\. If it does not: "Can't handle RDB format version 13"\./);
    expect(finding.wayOut).toBe('Check the release notes of Redis 8.6 for the RDB version it reads; if it is lower than what Redis 8.10 writes, ' +
      'keep docker.io/library/redis:8.10.2 (version: RedisVersion.of(\'8.10.2\')). See docs/engine-upgrades.md#redis-and-valkey');
    // ... but where the bound decides, it decides: 8.10 -> 7.4 (RDB 12) is refused
    expect(only(UpgradeGuard.compare(redis(RedisVersion.of('8.10.2')), redis(RedisVersion.V7_4))).severity).toBe(REFUSED);
    // and a newer line reads all that is older
    expect(UpgradeGuard.compare(redis(RedisVersion.V8_2), redis(RedisVersion.of('8.10.2')))).toEqual([]);
  });

  test('the way out of a StatefulWorkload of the official image: the client on its default address, the data where the claim is mounted', () => {
    const workload = (image: string) => render(c => new StatefulWorkload(c, 'cache', {
      metadata: { name: 'cache' },
      containers: [{ name: 'redis', image, portNumber: 6379, securityContext: { user: 999, group: 999 } }],
      volumeClaimTemplates: [{ name: 'store', storage: Size.gibibytes(1), mountPath: '/var/lib/redis' }],
    }));
    const finding = only(UpgradeGuard.compare(workload('redis:7.4.2'), workload('redis:7.2.8')));
    expect(finding.wayOut).toContain(`kubectl -n shop exec cache-0 -c redis -- sh -c '${redisCopySource('redis-cli', '/var/lib/redis')}' | ` +
      'kubectl -n shop exec -i cache-7-2-0 -c redis -- redis-cli --pipe (');
  });

  test('a single Redis without a claim reads nothing at start; with replicas, the full sync carries the format', () => {
    const workload = (image: string, replicas: number) => render(c => new StatefulWorkload(c, 'cache', {
      metadata: { name: 'cache' },
      replicas,
      containers: [{ name: 'redis', image, portNumber: 6379, securityContext: { user: 999, group: 999 } }],
    }));
    expect(UpgradeGuard.compare(workload('redis:7.4.2', 1), workload('redis:7.2.8', 1))).toEqual([]);
    expect(only(UpgradeGuard.compare(workload('redis:7.4.2', 3), workload('redis:7.2.8', 3))).severity).toBe(REFUSED);
  });
});

// ---------------------------------------------------------------------------------- Cassandra

describe('Cassandra', () => {
  const ring = (image: string, replicas = 3) => render(c => new StatefulWorkload(c, 'ring', {
    metadata: { name: 'ring' },
    replicas,
    containers: [{ name: 'cassandra', image, portNumber: 9042, securityContext: { user: 999, group: 999 } }],
    volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(10), mountPath: '/var/lib/cassandra' }],
  }));

  test('4.1 -> 5.0 is flagged with the steps it needs (a StatefulWorkload of the official image)', () => {
    // WHEN
    const finding = only(UpgradeGuard.compare(ring('docker.io/library/cassandra:4.1.12'), ring('docker.io/library/cassandra:5.0.6')));

    // THEN
    expect(finding).toMatchObject({ severity: WARNING, field: IMAGE_FIELD('cassandra') });
    expect(finding.message).toBe('Cassandra 5.0.6 reads the sstables of Cassandra 4.1.12, and the rolling update restarts one node at a time, ' +
      'the highest ordinal first (an upgrade to the next major is supported from the newest release of the previous one): for a while ' +
      'the ring runs two major versions, and a major upgrade needs steps that the image change does not take');
    expect(finding.wayOut).toBe('Before the sync: every node Up/Normal (kubectl -n shop exec ring-0 -c cassandra -- nodetool status), ' +
      'one schema version (nodetool describecluster), no repair running; a snapshot of every node: for i in 0 1 2; do kubectl -n shop ' +
      'exec ring-$i -c cassandra -- nodetool snapshot -t before-5.0; done. Until every node runs 5.0: no schema changes, no repairs, no ' +
      'nodes added or removed. The 5.0 image keeps storage_compatibility_mode: CASSANDRA_4 (its cassandra.yaml), so going back to 4 ' +
      'stays possible; 5.0\'s own formats need two more rolling restarts (storage_compatibility_mode UPGRADING, then NONE). Then ' +
      'rewrite the sstables, one node at a time: for i in 0 1 2; do kubectl -n shop exec ring-$i -c cassandra -- nodetool ' +
      'upgradesstables; done. Accept this finding once ready; see docs/engine-upgrades.md#cassandra');
  });

  test('4.1 -> 5.0 on the preset (its image patched: the preset offers 4.1 only): the image\'s tag wins over the stated version', () => {
    const preset = (patch: boolean) => render(c => {
      const cassandra = new Cassandra(c, 'ring', { metadata: { name: 'ring' }, credentials: ringAdmin(c) });
      if (patch) {
        ApiObject.of(cassandra.workload.apiObject).addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/image', 'docker.io/library/cassandra:5.0.6'));
      }
    });
    const before = preset(false);
    const after = preset(true);
    expect(findOne(after, 'StatefulSet', 'ring').metadata.annotations[ENGINE_VERSION_ANNOTATION]).toBe(findOne(before, 'StatefulSet', 'ring').metadata.annotations[ENGINE_VERSION_ANNOTATION]);
    const finding = only(UpgradeGuard.compare(before, after));
    expect(finding).toMatchObject({ severity: WARNING, field: IMAGE_FIELD('cassandra'), newValue: 'docker.io/library/cassandra:5.0.6' });
    expect(finding.message).toMatch(/^Cassandra 5\.0\.6 reads the sstables of Cassandra 4\.1\.\d+,/);
  });

  test.each<[string, string, string, string, RegExp]>([
    ['3.11 -> 5.0 skips a major: refused', 'cassandra:3.11.19', 'cassandra:5.0.6', REFUSED,
      /^Cassandra 5\.0\.6 is not a supported upgrade from Cassandra 3\.11\.19: Cassandra upgrades one major version at a time, and 5\.0 does not read the sstables of 3\.x$/],
    ['5.0 -> 4.1: only in 5.0\'s storage compatibility mode', 'cassandra:5.0.6', 'cassandra:4.1.12', WARNING,
      /^Cassandra 4\.1\.12 reads what Cassandra 5\.0\.6 wrote only while every node kept storage_compatibility_mode: CASSANDRA_4/],
    ['4.1 -> 3.11: refused', 'cassandra:4.1.12', 'cassandra:3.11.19', REFUSED, /^Cassandra 3\.11\.19 does not start on the data of Cassandra 4\.1\.12/],
    ['4.1 -> 4.0: a downgrade', 'cassandra:4.1.12', 'cassandra:4.0.17', WARNING, /^Cassandra 4\.0\.17 is a downgrade from Cassandra 4\.1\.12/],
  ])('%s', (_, from, to, severity, message) => {
    const finding = only(UpgradeGuard.compare(ring(from), ring(to)));
    expect(finding.severity).toBe(severity);
    expect(finding.message).toMatch(message);
  });

  test.each([
    ['4.0 -> 4.1', 'cassandra:4.0.17', 'cassandra:4.1.12'],
    ['4.1.8 -> 4.1.12', 'cassandra:4.1.8', 'cassandra:4.1.12'],
    ['4.1.12 -> 4.1 (a line tag of the same line)', 'cassandra:4.1.12', 'cassandra:4.1'],
  ])('%s passes', (_, from, to) => {
    expect(UpgradeGuard.compare(ring(from), ring(to))).toEqual([]);
  });

  test('5.0 back to 4.1: the way out checks every node for 5.0 sstables', () => {
    const finding = only(UpgradeGuard.compare(ring('cassandra:5.0.6', 2), ring('cassandra:4.1.12', 2)));
    expect(finding.wayOut).toBe('Check every node: storage_compatibility_mode CASSANDRA_4 in its cassandra.yaml, and no sstable of a 5.0 format ' +
      '(for i in 0 1; do kubectl -n shop exec ring-$i -c cassandra -- sh -c \'ls /var/lib/cassandra/data/*/*/ | grep -E "^(oa|da)-" | head -n 1\'; done ' +
      'prints nothing); then accept this finding. Otherwise keep cassandra:5.0.6, or restore the snapshots taken before the upgrade. ' +
      'See docs/engine-upgrades.md#cassandra');
  });
});

// ---------------------------------------------------------------------------------- recognition

describe('recognising the engine', () => {
  const sts = (containers: any[], annotations?: Record<string, string>) => ({
    metadata: { name: 'x', annotations },
    spec: { template: { spec: { containers } } },
  });

  test.each<[string, any, any[]]>([
    ['the official images, with or without docker.io/ and with digests', sts([
      { name: 'a', image: 'postgres:17.11' },
      { name: 'b', image: 'docker.io/library/redis:7.2.16@sha256:' + 'b'.repeat(64) },
      { name: 'c', image: 'index.docker.io/valkey/valkey:8.1.11-trixie' },
      { name: 'd', image: 'cassandra' },
    ]), [
      { engine: 'postgres', container: 'a', version: [17, 11], stated: false },
      { engine: 'redis', container: 'b', version: [7, 2, 16], stated: false },
      { engine: 'valkey', container: 'c', version: [8, 1, 11], stated: false },
      { engine: 'cassandra', container: 'd', version: undefined, stated: false },
    ]],
    ['a mirror: the container named after the engine, the image named as the engine\'s', sts([
      { name: 'postgres', image: 'registry.example.com:5000/mirror/library/postgres:16.4' },
      { name: 'redis', image: 'registry.example.com/cache/redis-stack:7.2.0-v10' },
      { name: 'exporter', image: 'registry.example.com/mirror/postgres-exporter:0.15' },
    ]), [{ engine: 'postgres', container: 'postgres', version: [16, 4], stated: false }]],
    ['the annotation: the container of that name', sts([
      { name: 'exporter', image: 'quay.io/prometheuscommunity/postgres-exporter:v0.15.0' },
      { name: 'valkey', image: 'registry.example.com/kv:build-17' },
    ], { [ENGINE_ANNOTATION]: 'valkey', [ENGINE_VERSION_ANNOTATION]: '8.1.11' }), [
      { engine: 'valkey', container: 'valkey', version: [8, 1, 11], stated: true },
    ]],
    ['the annotation: the only container, whatever its name', sts([{ name: 'server', image: 'registry.example.com/kv:build-17' }],
      { [ENGINE_ANNOTATION]: 'redis' }), [{ engine: 'redis', container: 'server', version: undefined, stated: true }]],
    ['an annotation naming no engine the guard knows: the images decide', sts([{ name: 'db', image: 'mysql:8.4.3' }],
      { [ENGINE_ANNOTATION]: 'mysql' }), []],
    ['other images', sts([{ name: 'web', image: 'nginx:1.27' }, { name: 'postgres', image: 'bitnami/postgresql:17' }]), []],
  ])('%s', (_, manifest, expected) => {
    expect(engineContainers(manifest)).toEqual(expected.map(e => expect.objectContaining(e)));
  });

  test('the presets state their engine, so each is recognised from a mirror', () => {
    const image = { registry: 'registry.example.com', repository: 'mirror/x' };
    const manifests = render(c => {
      new Redis(c, 'cache', { metadata: { name: 'cache' }, password: password(c), image });
      new Valkey(c, 'kv', { metadata: { name: 'kv' }, password: password(c, 'kv-auth'), image });
      new Cassandra(c, 'ring', { metadata: { name: 'ring' }, credentials: ringAdmin(c), image });
      new Postgres(c, 'db', { metadata: { name: 'db' }, credentials: credentials(c), image });
    });
    const engines = manifests.filter(m => m.kind === 'StatefulSet').map(m => engineContainers(m).map(e => [m.metadata.name, e.engine, e.container]));
    expect(engines).toEqual([[['cache', 'redis', 'redis']], [['kv', 'valkey', 'valkey']], [['ring', 'cassandra', 'cassandra']], [['db', 'postgres', 'postgres']]]);
  });

  test.each<[string, number[] | undefined]>([
    ['17.11', [17, 11]], ['17.11-bookworm', [17, 11]], ['7.2.16', [7, 2, 16]], ['v4.1', [4, 1]], ['8', [8]],
    ['latest', undefined], ['bookworm', undefined], ['build-4711', undefined], ['', undefined],
  ])('version numbers of the tag %j', (tag, numbers) => {
    expect(versionNumbers(tag)).toEqual(numbers);
  });

  test.each<[string, number[], number[] | undefined]>([
    ['postgres', [17, 11], [17]], ['postgres', [17], [17]], ['postgres', [9, 6, 24], [9, 6]], ['postgres', [9], undefined],
    ['redis', [7, 2, 16], [7, 2]], ['redis', [7], undefined], ['cassandra', [4, 1], [4, 1]],
  ])('the line of %s %j', (engine, version, line) => {
    expect(releaseLine(engine as any, version)).toEqual(line);
  });

  test('two engine containers are paired by name; an image that did not change is not judged', () => {
    const pod = (pg: string, cache: string) => ({
      metadata: { name: 'x' },
      spec: {
        volumeClaimTemplates: [{ metadata: { name: 'data' } }],
        template: { spec: { containers: [{ name: 'pg', image: pg }, { name: 'cache', image: cache }] } },
      },
    });
    expect(engineVersionChanges(pod('postgres:16.4', 'redis:7.4.2'), pod('postgres:16.4', 'redis:7.2.8')).map(f => f.field))
      .toEqual([IMAGE_FIELD('cache')]);
    expect(engineVersionChanges(pod('postgres:16.4', 'redis:7.4.2'), pod('postgres:17.2', 'redis:7.2.8')).map(f => f.field))
      .toEqual([IMAGE_FIELD('pg'), IMAGE_FIELD('cache')]);
  });

  test('another engine on the same StatefulSet is no upgrade of its data', () => {
    const one = (image: string) => ({
      metadata: { name: 'x' },
      spec: { volumeClaimTemplates: [{ metadata: { name: 'data' } }], template: { spec: { containers: [{ name: 'db', image }] } } },
    });
    expect(engineVersionChanges(one('postgres:16.4'), one('redis:7.2.8'))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------- docs

describe('docs/engine-upgrades.md', () => {
  const docs = fs.readFileSync(path.join(__dirname, '..', '..', '..', ENGINE_UPGRADES_DOC), 'utf-8');
  const anchors = new Set([...docs.matchAll(/^#{1,6} (.+)$/gm)].map(m => m[1].trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')));

  test('every section a way out points to is a heading of the page', () => {
    const findings = [
      ...UpgradeGuard.compare(postgres(PostgresVersion.V16), postgres(PostgresVersion.V17)),
      ...UpgradeGuard.compare(redis(RedisVersion.V7_4), redis(RedisVersion.V7_2)),
      ...UpgradeGuard.compare(redis(RedisVersion.of('8.10.2')), redis(RedisVersion.of('8.6.7'))),
    ];
    const cassandra = (image: string) => render(c => new StatefulWorkload(c, 'ring', {
      metadata: { name: 'ring' },
      containers: [{ name: 'cassandra', image, portNumber: 9042, securityContext: { user: 999, group: 999 } }],
      volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(10), mountPath: '/var/lib/cassandra' }],
    }));
    findings.push(...UpgradeGuard.compare(cassandra('cassandra:4.1.12'), cassandra('cassandra:5.0.6')));
    const linked = findings.flatMap(f => [...f.wayOut.matchAll(/docs\/engine-upgrades\.md#([a-z0-9-]+)/g)].map(m => m[1]));
    expect([...new Set(linked)].sort()).toEqual(['cassandra', 'postgresql', 'redis-and-valkey']);
    for (const anchor of linked) expect(anchors).toContain(anchor);
  });

  test('its example log is the guard\'s output for orders-db moved from 16 to 17', () => {
    const before = postgres(PostgresVersion.V16);
    const after = postgres(PostgresVersion.V17);
    const log = UpgradeGuard.formatFindings(UpgradeGuard.compare(before, after));
    expect(docs).toContain(`\`\`\`\n${log}\`\`\``);
  });

  test('its copy commands are the findings\' (the Redis one for cache, 7.4 -> 7.2)', () => {
    const pg = only(UpgradeGuard.compare(postgres(PostgresVersion.V16), postgres(PostgresVersion.V17))).wayOut;
    const copy = /(kubectl -n shop exec orders-db-0 .*?) \| (kubectl -n shop exec -i orders-db-17-0 .*?') \(/.exec(pg)!;
    expect(docs).toContain(`${copy[1]} \\\n     | ${copy[2]}\n`);
    const cache = only(UpgradeGuard.compare(redis(RedisVersion.V7_4), redis(RedisVersion.V7_2))).wayOut;
    const replay = /(kubectl -n shop exec cache-0 .*?) \| (kubectl -n shop exec -i cache-7-2-0 .*? --pipe) \(/.exec(cache)!;
    expect(docs).toContain(`${replay[1]} \\\n     | ${replay[2]}\n`);
  });
});
