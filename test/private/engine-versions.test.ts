import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Warnings } from '../../src/app/warnings';
import { DataStoreCredentials } from '../../src/connection/data-store';
import { Cassandra, CassandraVersion } from '../../src/engines/cassandra';
import { Postgres, PostgresVersion } from '../../src/engines/postgres';
import { CASSANDRA_DEFAULT_IMAGE } from '../../src/engines/private/cassandra';
import { POSTGRES_DEFAULT_TAG, POSTGRES_VERSIONS } from '../../src/engines/private/postgres';
import { REDIS_DEFAULT_IMAGE, VALKEY_DEFAULT_IMAGE } from '../../src/engines/private/redis';
import { Redis, RedisVersion } from '../../src/engines/redis';
import { Valkey, ValkeyVersion } from '../../src/engines/valkey';
import { UpgradeGuard } from '../../src/gitops/upgrade-guard';
import {
  assessEngineVersion,
  compareEngineVersions,
  defaultTagOf,
  ENGINE_LINES,
  ENGINE_NAMES,
  ENGINE_POLICY_DATE,
  EngineKind,
  EngineLine,
  engineLine,
  engineLineOf,
  engineOfImage,
  isUnmaintained,
  parseEngineTag,
} from '../../src/private/engine-versions';
import { allWarnings, STRICT_ENV } from '../../src/private/warnings';

const ROOT = path.join(__dirname, '..', '..');
const VULNERABLE = 'cdk8s-stateful:vulnerable-engine-version';
const UNMAINTAINED = 'cdk8s-stateful:unmaintained-engine-version';
const ENGINES: EngineKind[] = ['postgres', 'redis', 'valkey', 'cassandra'];
const serious = (line: EngineLine) => line.advisories.filter(a => a.severity === 'critical' || a.severity === 'high');
const max = (engine: EngineKind, tags: string[]) => [...tags].sort((a, b) => compareEngineVersions(engine, a, b)).pop();

/** Every public constant of a version class (a static member holding an instance), by name. */
function constantsOf<T>(cls: { new?: never; prototype: T } & Record<string, any>): Array<[string, T]> {
  return Object.getOwnPropertyNames(cls).filter(k => cls[k] instanceof (cls as any)).map(k => [k, cls[k] as T]);
}

const CONSTANTS: Array<[EngineKind, string, string]> = [
  ...constantsOf(PostgresVersion as any).map(([k, v]: [string, any]) => ['postgres', `PostgresVersion.${k}`, v.tag] as [EngineKind, string, string]),
  ...constantsOf(RedisVersion as any).map(([k, v]: [string, any]) => ['redis', `RedisVersion.${k}`, v.tag] as [EngineKind, string, string]),
  ...constantsOf(ValkeyVersion as any).map(([k, v]: [string, any]) => ['valkey', `ValkeyVersion.${k}`, v.tag] as [EngineKind, string, string]),
  ...constantsOf(CassandraVersion as any).map(([k, v]: [string, any]) => ['cassandra', `CassandraVersion.${k}`, v.tag] as [EngineKind, string, string]),
];

/** Deprecated constants of unmaintained lines: kept for compatibility, warned about when used. */
const DEPRECATED = ['RedisVersion.V7_0'];

beforeEach(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  delete process.env[STRICT_ENV];
});

afterEach(() => {
  delete process.env[STRICT_ENV];
});

describe('the policy data', () => {
  test('every line once, in version order per engine, with tags of the line', () => {
    const keys = ENGINE_LINES.map(l => `${l.engine} ${l.line}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const engine of ENGINES) {
      const lines = ENGINE_LINES.filter(l => l.engine === engine);
      expect(lines.length).toBeGreaterThan(0);
      const tags = lines.map(l => l.defaultTag);
      expect([...tags].sort((a, b) => compareEngineVersions(engine, a, b))).toEqual(tags);
    }
    for (const line of ENGINE_LINES) {
      expect({ line: `${line.engine} ${line.line}`, parsed: parseEngineTag(line.engine, line.defaultTag) })
        .toEqual({ line: `${line.engine} ${line.line}`, parsed: expect.objectContaining({ line: line.line, exact: true }) });
      if (line.minimumTag) expect(parseEngineTag(line.engine, line.minimumTag)?.line).toBe(line.line);
      for (const a of line.advisories) if (a.fixedIn) expect(parseEngineTag(line.engine, a.fixedIn)?.line).toBe(line.line);
    }
  });

  test('the minimum is the highest fix of the line\'s critical and high advisories, and none when one has no fix in the line', () => {
    for (const line of ENGINE_LINES) {
      const fixes = serious(line).map(a => a.fixedIn);
      const expected = fixes.includes(undefined) ? undefined : max(line.engine, fixes as string[]);
      expect({ line: `${line.engine} ${line.line}`, minimumTag: line.minimumTag }).toEqual({ line: `${line.engine} ${line.line}`, minimumTag: expected });
    }
  });

  test('the default tag of a line is at or above its minimum', () => {
    for (const line of ENGINE_LINES.filter(l => l.minimumTag !== undefined)) {
      expect({ line: `${line.engine} ${line.line}`, atOrAbove: compareEngineVersions(line.engine, line.defaultTag, line.minimumTag!) >= 0 })
        .toEqual({ line: `${line.engine} ${line.line}`, atOrAbove: true });
    }
  });

  test('advisories have an id, a severity, a summary and an https link; sources are https links', () => {
    for (const line of ENGINE_LINES) {
      expect(line.sources.length).toBeGreaterThan(0);
      for (const url of line.sources) expect(url).toMatch(/^https:\/\/[a-z0-9.-]+\//);
      for (const a of line.advisories) {
        expect(a.id).toMatch(/^(CVE-\d{4}-\d{4,}|\w+ security release of \d{4}-\d{2}-\d{2})$/);
        expect(['critical', 'high', 'moderate', 'low']).toContain(a.severity);
        expect(a.summary.length).toBeGreaterThan(10);
        expect(a.url).toMatch(/^https:\/\/[a-z0-9.-]+\//);
      }
      if (line.endOfLife) expect(line.endOfLife).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(line.endOfLife !== undefined || line.endOfLifeNote !== undefined).toBe(true);
    }
    expect(ENGINE_POLICY_DATE).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  test('one default line per engine, maintained, with a constant; successors are later, maintained lines', () => {
    for (const engine of ENGINES) {
      const defaults = ENGINE_LINES.filter(l => l.engine === engine && l.isDefault);
      expect(defaults).toHaveLength(1);
      expect(isUnmaintained(defaults[0])).toBe(false);
      expect(defaults[0].constant).toBeDefined();
    }
    for (const line of ENGINE_LINES.filter(l => l.successor !== undefined)) {
      const next = engineLine(line.engine, line.successor!)!;
      expect(next).toBeDefined();
      expect(isUnmaintained(next)).toBe(false);
      expect(compareEngineVersions(line.engine, next.defaultTag, line.defaultTag)).toBeGreaterThan(0);
    }
    // a line without a fix for a known advisory needs somewhere to go
    for (const line of ENGINE_LINES.filter(l => l.minimumTag === undefined)) expect(line.successor).toBeDefined();
  });

  test('the unmaintained lines as of the policy date', () => {
    expect(ENGINE_LINES.filter(isUnmaintained).map(l => `${l.engine} ${l.line}`)).toEqual(['redis 7.0', 'redis 8.0', 'redis 8.4', 'redis 8.6']);
  });
});

describe('the version constants', () => {
  test('are the ones the policy names', () => {
    expect(CONSTANTS.map(([, name]) => name).sort()).toEqual(ENGINE_LINES.filter(l => l.constant).map(l => l.constant!).sort());
  });

  test.each(CONSTANTS)('%s %s pins its line\'s default tag, at or above its line\'s minimum', (engine, name, tag) => {
    const line = engineLineOf(engine, tag)!;
    expect(line).toBeDefined();
    expect(line.constant).toBe(name);
    expect(tag).toBe(line.defaultTag);
    if (DEPRECATED.includes(name)) {
      expect(isUnmaintained(line)).toBe(true);
      expect(line.minimumTag).toBeUndefined();
      return;
    }
    expect(isUnmaintained(line)).toBe(false);
    expect(compareEngineVersions(engine, tag, line.minimumTag!)).toBeGreaterThanOrEqual(0);
    expect(assessEngineVersion(engine, tag).advisories).toEqual([]);
  });

  test('the engine modules pin the default lines\' tags', () => {
    expect(POSTGRES_DEFAULT_TAG).toBe(defaultTagOf('postgres', '17'));
    expect(POSTGRES_VERSIONS.map(v => v.tag)).toEqual(['15', '16', '17', '18'].map(l => defaultTagOf('postgres', l)));
    expect(REDIS_DEFAULT_IMAGE).toBe(`docker.io/library/redis:${defaultTagOf('redis', '7.2')}`);
    expect(VALKEY_DEFAULT_IMAGE).toBe(`docker.io/valkey/valkey:${defaultTagOf('valkey', '8.1')}`);
    expect(CASSANDRA_DEFAULT_IMAGE).toBe(`docker.io/library/cassandra:${defaultTagOf('cassandra', '4.1')}`);
  });

  test('the issue\'s Redis advisories are fixed in the default (7.2.16)', () => {
    const line = engineLine('redis', '7.2')!;
    const fixedIn = Object.fromEntries(line.advisories.map(a => [a.id, a.fixedIn]));
    expect(fixedIn).toMatchObject({
      'CVE-2024-31228': '7.2.6',
      'CVE-2024-46981': '7.2.7',
      'CVE-2025-32023': '7.2.10',
      'CVE-2025-49844': '7.2.11',
      'CVE-2025-46817': '7.2.11',
      'CVE-2025-46818': '7.2.11',
      'CVE-2025-46819': '7.2.11',
    });
    for (const tag of Object.values(fixedIn)) expect(compareEngineVersions('redis', RedisVersion.V7_2.tag, tag!)).toBeGreaterThanOrEqual(0);
  });
});

describe('reading tags and images', () => {
  test.each<[EngineKind, string, object | undefined]>([
    ['postgres', '17.11', { line: '17', numbers: [17, 11], exact: true }],
    ['postgres', '16.15-bookworm', { line: '16', numbers: [16, 15], exact: true }],
    ['postgres', '17', undefined],
    ['postgres', '17.1.2', undefined],
    ['redis', '7.2.16', { line: '7.2', numbers: [7, 2, 16], exact: true }],
    ['redis', '7.2.16-bookworm', { line: '7.2', numbers: [7, 2, 16], exact: true }],
    ['redis', '7.2', { line: '7.2', numbers: [7, 2], exact: false }],
    ['redis', '8.10.2', { line: '8.10', numbers: [8, 10, 2], exact: true }],
    ['valkey', '9.0.8-trixie', { line: '9.0', numbers: [9, 0, 8], exact: true }],
    ['redis', '7', undefined],
    ['redis', 'latest', undefined],
    ['cassandra', 'bookworm', undefined],
  ])('%s %p', (engine, tag, parsed) => {
    expect(parseEngineTag(engine, tag)).toEqual(parsed);
  });

  test('versions compare part by part, numerically, variants ignored', () => {
    expect(compareEngineVersions('redis', '7.2.9', '7.2.16')).toBeLessThan(0);
    expect(compareEngineVersions('redis', '8.10.0', '8.2.10')).toBeGreaterThan(0);
    expect(compareEngineVersions('postgres', '17.11-bookworm', '17.11')).toBe(0);
    expect(compareEngineVersions('postgres', '17.9', '17.11')).toBeLessThan(0);
    expect(() => compareEngineVersions('redis', 'latest', '7.2.16')).toThrow('not Redis versions: latest, 7.2.16');
  });

  test.each([
    ['docker.io/library/postgres:17.11', { engine: 'postgres', tag: '17.11', digest: undefined }],
    ['postgres:17.11', { engine: 'postgres', tag: '17.11', digest: undefined }],
    [`redis:7.2.16@sha256:${'a'.repeat(64)}`, { engine: 'redis', tag: '7.2.16', digest: `sha256:${'a'.repeat(64)}` }],
    ['docker.io/valkey/valkey:8.1.11', { engine: 'valkey', tag: '8.1.11', digest: undefined }],
    ['valkey/valkey:9.0.8-trixie', { engine: 'valkey', tag: '9.0.8-trixie', digest: undefined }],
    ['index.docker.io/library/cassandra:4.1.12', { engine: 'cassandra', tag: '4.1.12', digest: undefined }],
    ['docker.io/library/redis', { engine: 'redis', tag: undefined, digest: undefined }],
    ['mirror.gcr.io/library/redis:7.2.16', undefined],
    ['registry.example.com:5000/library/postgres:17.11', undefined],
    ['docker.io/bitnami/redis:7.2.16', undefined],
    ['docker.io/library/mysql:8.4.3', undefined],
  ])('engineOfImage(%p)', (image, recognized) => {
    expect(engineOfImage(image)).toEqual(recognized);
  });

  test('assessments: advisories the tag is not fixed for, the line\'s state', () => {
    const v = assessEngineVersion('redis', '7.2.10');
    expect(v.line?.line).toBe('7.2');
    expect(v.unmaintained).toBe(false);
    expect(v.advisories.map(a => a.id)).toEqual([
      'CVE-2025-49844', 'CVE-2025-46817', 'CVE-2026-23479', 'CVE-2026-25243', 'CVE-2026-23631',
      'Redis security release of 2026-07-24', 'Redis security release of 2026-08-17',
    ]);
    // moderate advisories do not count; a floating tag and an unknown line are not judged
    expect(assessEngineVersion('redis', '7.2.16').advisories).toEqual([]);
    expect(assessEngineVersion('redis', '7.2')).toEqual({ line: engineLine('redis', '7.2'), unmaintained: false, advisories: [] });
    expect(assessEngineVersion('redis', '7.6.1')).toEqual({ unmaintained: false, advisories: [] });
    expect(assessEngineVersion('redis', 'latest')).toEqual({ unmaintained: false, advisories: [] });
    expect(assessEngineVersion('redis', '7.0.15')).toMatchObject({ unmaintained: true, advisories: serious(engineLine('redis', '7.0')!) });
  });
});

// ----------------------------------------------------------------------------------- warnings

function chart(): Chart {
  return new Chart(Testing.app(), 'test', { namespace: 'shop' });
}

const credentials = (c: Chart) => DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(c, 'creds', 'db-credentials'));
/** A Redis or Valkey password, and a Cassandra superuser, from Secrets made outside the chart. */
const password = (c: Chart, id: string) => DataStoreCredentials.fromPasswordSecret(kplus.Secret.fromSecretName(c, id, id));
const admin = (c: Chart, id: string) => DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(c, id, id));

describe('the presets warn about the versions they run', () => {
  test('the defaults warn about nothing', () => {
    const c = chart();
    new Postgres(c, 'db', { metadata: { name: 'db' }, credentials: credentials(c) });
    new Redis(c, 'redis', { password: password(c, 'redis-auth'), metadata: { name: 'redis' } });
    new Valkey(c, 'valkey', { password: password(c, 'valkey-auth'), metadata: { name: 'valkey' } });
    new Cassandra(c, 'cassandra', { credentials: admin(c, 'cassandra-admin'), metadata: { name: 'cassandra' } });
    Testing.synth(c);
    expect(allWarnings(c)).toEqual([]);
  });

  test('Redis 7.2.5 (the old default): vulnerable, naming the advisories, the fixed release and the constant', () => {
    const c = chart();
    new Redis(c, 'cache', { password: password(c, 'cache-auth'), version: RedisVersion.of('7.2.5') });
    expect(allWarnings(c)).toEqual([
      'Redis \'test/cache\': warning: \'version\': "7.2.5". Redis 7.2.5 is below 7.2.16, the first 7.2 release without known critical or high advisories: '
      + 'CVE-2024-31449 (high): fixed in 7.2.6; CVE-2024-46981 (high): fixed in 7.2.7; CVE-2025-32023 (high): fixed in 7.2.10; '
      + 'CVE-2025-49844 (critical), CVE-2025-46817 (high): fixed in 7.2.11; CVE-2026-23479 (high), CVE-2026-25243 (high), CVE-2026-23631 (high): fixed in 7.2.14; '
      + 'Redis security release of 2026-07-24 (high): fixed in 7.2.15; Redis security release of 2026-08-17 (high): fixed in 7.2.16 '
      + `(engine version policy of ${ENGINE_POLICY_DATE}; see docs/engine-versions.md). `
      + 'Use RedisVersion.V7_2 (7.2.16), or a 7.2 tag of 7.2.16 or later. [cdk8s-stateful:vulnerable-engine-version]',
    ]);
  });

  test('Redis 7.0 (the deprecated constant): unmaintained, and vulnerable with no 7.0 fix; the way out is Redis 7.2', () => {
    const c = chart();
    // eslint-disable-next-line import/no-deprecated
    new Redis(c, 'cache', { password: password(c, 'cache-auth'), version: RedisVersion.V7_0 });
    const warnings = allWarnings(c);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toBe('Redis \'test/cache\': warning: \'version\': "7.0.15". Redis 7.0 reached its upstream end of life on 2024-07-29: '
      + `it gets no more fixes, security fixes included (engine version policy of ${ENGINE_POLICY_DATE}). `
      + 'Move to a maintained line: RedisVersion.V7_2 (7.2.16), Redis 7.2. [cdk8s-stateful:unmaintained-engine-version]');
    expect(warnings[1]).toMatch(/^Redis 'test\/cache': warning: 'version': "7\.0\.15"\. No Redis 7\.0 release is free of known critical or high advisories: /);
    expect(warnings[1]).toContain('CVE-2025-49844 (critical)');
    expect(warnings[1]).toContain(': no 7.0 release fixes it (engine version policy');
    expect(warnings[1]).toMatch(/Move to a maintained line: RedisVersion\.V7_2 \(7\.2\.16\), Redis 7\.2\. \[cdk8s-stateful:vulnerable-engine-version\]$/);
  });

  test('a line past its end of life with no unfixed advisory is only unmaintained; the way out is a later line', () => {
    const c = chart();
    new Redis(c, 'cache', { password: password(c, 'cache-auth'), version: RedisVersion.of('8.6.7') });
    expect(allWarnings(c)).toEqual([
      'Redis \'test/cache\': warning: \'version\': "8.6.7". Redis 8.6 reached its upstream end of life on 2026-11-25: '
      + `it gets no more fixes, security fixes included (engine version policy of ${ENGINE_POLICY_DATE}). `
      + 'Move to a maintained line: RedisVersion.of("8.10.2"), Redis 8.10. [cdk8s-stateful:unmaintained-engine-version]',
    ]);
  });

  test('PostgreSQL 17.2: vulnerable; the fix is PostgresVersion.V17', () => {
    const c = chart();
    new Postgres(c, 'db', { credentials: credentials(c), version: PostgresVersion.of('17.2') });
    const [warning, ...rest] = allWarnings(c);
    expect(rest).toEqual([]);
    expect(warning).toMatch(/^Postgres 'test\/db': warning: 'version': "17\.2"\. PostgreSQL 17\.2 is below 17\.11, the first 17 release without known critical or high advisories: /);
    expect(warning).toContain('CVE-2025-8714 (high), CVE-2025-8715 (high): fixed in 17.6; CVE-2026-2005 (high), CVE-2026-2006 (high): fixed in 17.8; ');
    expect(warning).toContain('CVE-2026-16239 (high), CVE-2026-14669 (high): fixed in 17.11');
    expect(warning).toMatch(/Use PostgresVersion\.V17 \(17\.11\), or a 17 tag of 17\.11 or later\. \[cdk8s-stateful:vulnerable-engine-version\]$/);
  });

  test('PostgreSQL 18.2 is below 18.6; PostgreSQL 16.15-bookworm is fine', () => {
    const c = chart();
    new Postgres(c, 'old', { credentials: credentials(c), version: PostgresVersion.of('18.2') });
    new Postgres(c, 'new', { credentials: DataStoreCredentials.fromSecret(kplus.Secret.fromSecretName(c, 'creds2', 'db')), version: PostgresVersion.of('16.15-bookworm') });
    expect(allWarnings(c)).toEqual([expect.stringMatching(/^Postgres 'test\/old': .*"18\.2"\. PostgreSQL 18\.2 is below 18\.6.*CVE-2026-6473 \(high\).*Use PostgresVersion\.V18 \(18\.6\)/)]);
  });

  test('Valkey 8.0.1 (Debian bookworm-backports\' package): vulnerable; the fix is ValkeyVersion.V8_0', () => {
    const c = chart();
    new Valkey(c, 'cache', { password: password(c, 'cache-auth'), version: ValkeyVersion.of('8.0.1') });
    expect(allWarnings(c)).toEqual([expect.stringMatching(new RegExp('^Valkey \'test/cache\': warning: \'version\': "8\\.0\\.1"\\. Valkey 8\\.0\\.1 is below 8\\.0\\.10, '
      + 'the first 8\\.0 release without known critical or high advisories: CVE-2025-49844 \\(critical\\), CVE-2025-46817 \\(high\\): fixed in 8\\.0\\.6; .*'
      + 'CVE-2026-56684 \\(high\\), CVE-2026-63639 \\(high\\): fixed in 8\\.0\\.10 .* Use ValkeyVersion\\.V8_0 \\(8\\.0\\.12\\), or a 8\\.0 tag of 8\\.0\\.10 or later\\. '
      + '\\[cdk8s-stateful:vulnerable-engine-version\\]$'))]);
  });

  test('Cassandra 4.1.5: vulnerable (CVE-2025-23015); 4.1.8 is not (a low advisory fixed later does not count)', () => {
    const c = chart();
    new Cassandra(c, 'old', { credentials: admin(c, 'old-admin'), version: CassandraVersion.of('4.1.5') });
    new Cassandra(c, 'ok', { credentials: admin(c, 'ok-admin'), version: CassandraVersion.of('4.1.8') });
    expect(allWarnings(c)).toEqual([
      'Cassandra \'test/old\': warning: \'version\': "4.1.5". Cassandra 4.1.5 is below 4.1.8, the first 4.1 release without known critical or high advisories: '
      + `CVE-2025-23015 (high): fixed in 4.1.8 (engine version policy of ${ENGINE_POLICY_DATE}; see docs/engine-versions.md). `
      + 'Use CassandraVersion.V4_1 (4.1.12), or a 4.1 tag of 4.1.8 or later. [cdk8s-stateful:vulnerable-engine-version]',
    ]);
  });

  test('floating tags and lines the policy does not know are not judged', () => {
    const c = chart();
    new Redis(c, 'a', { password: password(c, 'a-auth'), version: RedisVersion.of('7.2') });
    new Redis(c, 'b', { password: password(c, 'b-auth'), version: RedisVersion.of('7.6.1') });
    new Valkey(c, 'c', { password: password(c, 'c-auth'), version: ValkeyVersion.of('10.0.0') });
    expect(allWarnings(c)).toEqual([]);
  });

  test('the warning is on the preset: acknowledged there (or above), it is neither printed nor fails strict mode', () => {
    process.env[STRICT_ENV] = 'true';
    const c = chart();
    const redis = new Redis(c, 'cache', { password: password(c, 'cache-auth'), metadata: { name: 'cache' }, version: RedisVersion.of('7.2.5') });
    expect(() => Testing.synth(c)).toThrow(/\[test\/cache\] Redis 'test\/cache': warning: 'version': "7\.2\.5"\..* \[cdk8s-stateful:vulnerable-engine-version\] Strict mode/);

    Warnings.of(redis).acknowledge(VULNERABLE, 'a patched build of 7.2.5 from our own registry');
    expect(() => Testing.synth(c)).not.toThrow();
    expect(Warnings.of(c).list()).toEqual([expect.objectContaining({
      id: VULNERABLE, path: 'test/cache', acknowledged: true, reason: 'a patched build of 7.2.5 from our own registry', acknowledgedBy: 'test/cache',
    })]);
    expect(console.warn).not.toHaveBeenCalled();
  });

  test('the two ids are acknowledged separately', () => {
    const c = chart();
    // eslint-disable-next-line import/no-deprecated
    new Redis(c, 'cache', { password: password(c, 'cache-auth'), metadata: { name: 'cache' }, version: RedisVersion.V7_0 });
    Warnings.of(c).acknowledge(UNMAINTAINED, 'migration to 7.2 planned for next week');
    Testing.synth(c);
    expect(Warnings.of(c).list().map(w => [w.id, w.acknowledged])).toEqual([[UNMAINTAINED, true], [VULNERABLE, false]]);
  });
});

// ------------------------------------------------------------------------------------ upgrades

describe('moving a default forward within a line is a patch upgrade', () => {
  /** The objects of one preset, rendered with the given version. */
  const render = (build: (c: Chart) => void) => {
    const c = chart();
    build(c);
    return Testing.synth(c);
  };

  test.each<[string, (c: Chart, old: boolean) => void]>([
    ['PostgreSQL 17.9 -> 17.11', (c, old) => new Postgres(c, 'db', {
      metadata: { name: 'db' }, credentials: credentials(c), version: old ? PostgresVersion.of('17.9') : PostgresVersion.V17,
    })],
    ['Redis 7.2.5 -> 7.2.16', (c, old) => new Redis(c, 'cache', { password: password(c, 'cache-auth'), metadata: { name: 'cache' }, version: old ? RedisVersion.of('7.2.5') : RedisVersion.V7_2 })],
    ['Valkey 8.1.9 -> 8.1.11', (c, old) => new Valkey(c, 'cache', { password: password(c, 'cache-auth'), metadata: { name: 'cache' }, version: old ? ValkeyVersion.of('8.1.9') : ValkeyVersion.V8_1 })],
    ['Cassandra 4.1.8 -> 4.1.12', (c, old) => new Cassandra(c, 'ring', { credentials: admin(c, 'ring-admin'), metadata: { name: 'ring' }, version: old ? CassandraVersion.of('4.1.8') : CassandraVersion.V4_1 })],
  ])('%s: only the pod template\'s image (and the version the StatefulSet states) changes, and the upgrade guard finds nothing', (_name, build) => {
    const before = render(c => build(c, true));
    const after = render(c => build(c, false));
    const images = (objects: any[]) => objects.filter(o => o.kind === 'StatefulSet')
      .flatMap(o => [...o.spec.template.spec.containers, ...(o.spec.template.spec.initContainers ?? [])].map((x: any) => x.image));
    expect(images(after)).not.toEqual(images(before));
    const withoutImages = (objects: any[]) => JSON.parse(JSON.stringify(objects).replace(/"image":"[^"]*"/g, '"image":"IMAGE"')
      .replace(/"cdk8s-stateful\/engine-version":"[^"]*"/g, '"cdk8s-stateful/engine-version":"VERSION"'));
    expect(withoutImages(after)).toEqual(withoutImages(before));
    expect(UpgradeGuard.compare(before, after)).toEqual([]);
  });
});

// --------------------------------------------------------------------------------------- docs

describe('docs/engine-versions.md', () => {
  const docs = fs.readFileSync(path.join(ROOT, 'docs', 'engine-versions.md'), 'utf-8');

  test('its table shows every line of the policy as the data says', () => {
    const rows = docs.split('\n').filter(l => /^\| (PostgreSQL|Redis|Valkey|Cassandra) \| \d/.test(l));
    const expected = ENGINE_LINES.map(l => [
      '', ENGINE_NAMES[l.engine], l.line, `\`${l.defaultTag}\``, l.minimumTag ? `\`${l.minimumTag}\`` : 'none (see the advisories)',
      l.endOfLife ?? 'not announced', `${l.constant ? `\`${l.constant}\`` : '`of()`'}${l.isDefault ? ' (default)' : ''}`, '',
    ].join(' | ').trim());
    expect(rows).toEqual(expected);
  });

  test('it names the policy date', () => {
    expect(docs).toContain(`as of ${ENGINE_POLICY_DATE}`);
  });
});
