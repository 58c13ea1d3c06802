/**
 * The engine version policy: for every engine line the presets run (PostgreSQL 15 to 18, Redis
 * 7.0 to 8.10, Valkey 7.2 to 9.1, Cassandra 4.1), the pinned default tag, the lowest patch release
 * without known critical or high advisories, the advisories themselves (ids and links, the source
 * of the minimum) and the upstream end of life.
 *
 * One typed module, shared (src/private): the presets read their default tags and check a chosen
 * tag against it (warnings `vulnerable-engine-version` and `unmaintained-engine-version`), and the
 * upgrade guard (src/gitops) can read the same lines to judge an image change (`engineOfImage()`,
 * `parseEngineTag()`, `compareEngineVersions()`). docs/engine-versions.md shows the same table
 * (test/private/engine-versions.test.ts keeps the two in step) and how to bump a default.
 *
 * Everything here is data as of `ENGINE_POLICY_DATE`: whether a line is unmaintained is decided
 * against that date, never against the clock, so a synthesis gives the same result on any day.
 * The policy ages with the library release that carries it; the bump procedure in
 * docs/engine-versions.md is how it is kept current.
 */
import type { IConstruct } from 'constructs';
import { warn, warningMessage, WARNINGS } from './warnings';

/** The day the lines below were last checked against upstream release notes and advisories. */
export const ENGINE_POLICY_DATE = '2026-12-07';

/** The engines the policy covers (the presets' images). */
export type EngineKind = 'postgres' | 'redis' | 'valkey' | 'cassandra';

/** Advisory severities, as the advisory (CVSS v3 base score band or the upstream rating) gives them. */
export type AdvisorySeverity = 'critical' | 'high' | 'moderate' | 'low';

/** A published vulnerability of an engine line and the release of the line that fixes it. */
export interface EngineAdvisory {
  /**
   * The CVE id; where upstream published a security fix without one, `<engine> <release> security
   * fixes` (e.g. `Redis 7.2.16 security fixes`).
   */
  readonly id: string;
  readonly severity: AdvisorySeverity;
  /** What it allows, in a few words. */
  readonly summary: string;
  /** The advisory, or the release notes that describe the fix. */
  readonly url: string;
  /**
   * The first release of this line that fixes it.
   *
   * @default - no release of this line fixes it (the line had reached its end of life): the fix
   * is only in a later line
   */
  readonly fixedIn?: string;
}

/** One release line of an engine: the unit a preset pins, checks and reports on. */
export interface EngineLine {
  readonly engine: EngineKind;
  /** `<major>` for PostgreSQL (`17`), `<major>.<minor>` for the others (`7.2`). */
  readonly line: string;
  /** The newest patch release of the line published as an image tag: what the preset's constant pins. */
  readonly defaultTag: string;
  /**
   * The lowest patch release without known critical or high advisories: the highest `fixedIn` of
   * the line's critical and high advisories.
   *
   * @default - none: some critical or high advisory has no fix in this line
   */
  readonly minimumTag?: string;
  /**
   * The upstream end of life (ISO date): after it, no more fixes, security fixes included.
   *
   * @default - not announced (see `endOfLifeNote`)
   */
  readonly endOfLife?: string;
  /** How upstream defines the end of life, where the date is derived or not announced. */
  readonly endOfLifeNote?: string;
  /** The public constant that pins `defaultTag`, e.g. `RedisVersion.V7_2`. */
  readonly constant?: string;
  /** Whether a preset defaults to this line. */
  readonly isDefault?: boolean;
  /** For a line past its end of life: the maintained line to move to. */
  readonly successor?: string;
  readonly advisories: readonly EngineAdvisory[];
  /** Where `defaultTag`, `minimumTag` and `endOfLife` were checked. */
  readonly sources: readonly string[];
}

/** Display names. */
export const ENGINE_NAMES: Readonly<Record<EngineKind, string>> = {
  postgres: 'PostgreSQL',
  redis: 'Redis',
  valkey: 'Valkey',
  cassandra: 'Cassandra',
};

/** The official image of each engine, on Docker Hub, as `<namespace>/<name>`. */
export const ENGINE_REPOSITORIES: Readonly<Record<EngineKind, string>> = {
  postgres: 'library/postgres',
  redis: 'library/redis',
  valkey: 'valkey/valkey',
  cassandra: 'library/cassandra',
};

// ---------------------------------------------------------------------------------- sources

const PG_VERSIONING = 'https://www.postgresql.org/support/versioning/';
const PG_SECURITY = 'https://www.postgresql.org/support/security/';
const PG_TAGS = 'https://github.com/docker-library/official-images/blob/master/library/postgres';
const pgCve = (id: string) => `https://www.postgresql.org/support/security/${id}/`;
const pgNotes = (version: string) => `https://www.postgresql.org/docs/release/${version}/`;

const REDIS_EOL = 'https://redis.io/docs/latest/operate/oss_and_stack/install/version-mgmt/';
const REDIS_TAGS = 'https://github.com/docker-library/official-images/blob/master/library/redis';
const REDIS_NOTES = 'https://redis.io/docs/latest/operate/oss_and_stack/stack-with-enterprise/release-notes/redisce/';
const redisRelease = (version: string) => `https://github.com/redis/redis/releases/tag/${version}`;
const redisNotes72 = 'https://raw.githubusercontent.com/redis/redis/7.2/00-RELEASENOTES';
const REDIS_SEPT_2026 = 'https://github.com/docker-library/official-images/pull/22312';

const VALKEY_EOL = 'https://valkey.io/topics/releases/';
const VALKEY_TAGS = 'https://valkey.io/download/';
const valkeyRelease = (version: string) => `https://github.com/valkey-io/valkey/releases/tag/${version}`;

const CASSANDRA_TAGS = 'https://github.com/docker-library/official-images/blob/master/library/cassandra';
const CASSANDRA_EOL = 'https://cassandra.apache.org/_/download.html';

const nvd = (id: string) => `https://nvd.nist.gov/vuln/detail/${id}`;

// ----------------------------------------------------------------------------- PostgreSQL

/** PostgreSQL advisories, with the release of each major that fixes them. */
function pgAdvisories(major: number): EngineAdvisory[] {
  const fixes: Array<[string, AdvisorySeverity, string, Record<number, string>]> = [
    ['CVE-2025-8714', 'high', 'pg_dump lets the origin server inject code that runs when the dump is restored',
      { 15: '15.14', 16: '16.10', 17: '17.6' }],
    ['CVE-2025-8715', 'high', 'pg_dump lets object names inject code or SQL that runs when the dump is restored',
      { 15: '15.14', 16: '16.10', 17: '17.6' }],
    ['CVE-2026-2005', 'high', 'heap buffer overflow in pgcrypto: arbitrary code execution as the server\'s OS user',
      { 15: '15.16', 16: '16.12', 17: '17.8', 18: '18.2' }],
    ['CVE-2026-2006', 'high', 'buffer overrun in multibyte text handling: arbitrary code execution as the server\'s OS user',
      { 15: '15.16', 16: '16.12', 17: '17.8', 18: '18.2' }],
    ['CVE-2026-6473', 'high', 'integer wraparound undersizes allocations: out-of-bounds writes by any SQL user',
      { 15: '15.18', 16: '16.14', 17: '17.10', 18: '18.4' }],
    ['CVE-2026-6475', 'high', 'path traversal in pg_basebackup and pg_rewind',
      { 15: '15.18', 16: '16.14', 17: '17.10', 18: '18.4' }],
    ['CVE-2026-6477', 'high', 'libpq large-object functions overflow the client\'s stack (pg_dump, psql)',
      { 15: '15.18', 16: '16.14', 17: '17.10', 18: '18.4' }],
    ['CVE-2026-6637', 'high', 'stack buffer overflow in contrib/refint: arbitrary code execution',
      { 15: '15.18', 16: '16.14', 17: '17.10', 18: '18.4' }],
    ['CVE-2026-16239', 'high', 'diverging EXECUTE/FETCH portal row types: server memory disclosure and arbitrary code execution',
      { 15: '15.19', 16: '16.15', 17: '17.11', 18: '18.6' }],
    ['CVE-2026-14669', 'high', 'buffer overrun in to_char() with a long time zone abbreviation: arbitrary code execution reported',
      { 15: '15.19', 16: '16.15', 17: '17.11', 18: '18.6' }],
  ];
  return fixes.filter(([, , , fixed]) => fixed[major] !== undefined)
    .map(([id, severity, summary, fixed]) => ({ id, severity, summary, url: pgCve(id), fixedIn: fixed[major] }));
}

function pgLine(major: number, tag: string, endOfLife: string, isDefault = false): EngineLine {
  return {
    engine: 'postgres',
    line: String(major),
    defaultTag: tag,
    minimumTag: tag,
    endOfLife,
    constant: `PostgresVersion.V${major}`,
    isDefault,
    advisories: pgAdvisories(major),
    sources: [PG_TAGS, pgNotes(tag), PG_SECURITY, PG_VERSIONING],
  };
}

// ---------------------------------------------------------------------------------- Redis

const REDIS_2024_31449: Omit<EngineAdvisory, 'fixedIn'> = {
  id: 'CVE-2024-31449', severity: 'high', summary: 'Lua bit library stack overflow: remote code execution', url: nvd('CVE-2024-31449'),
};
const REDIS_2024_31228: Omit<EngineAdvisory, 'fixedIn'> = {
  id: 'CVE-2024-31228', severity: 'moderate', summary: 'unbounded pattern matching: denial of service', url: nvd('CVE-2024-31228'),
};
const REDIS_2024_46981: Omit<EngineAdvisory, 'fixedIn'> = {
  id: 'CVE-2024-46981', severity: 'high', summary: 'Lua scripts manipulate the garbage collector: remote code execution', url: nvd('CVE-2024-46981'),
};
const REDIS_2025_32023: Omit<EngineAdvisory, 'fixedIn'> = {
  id: 'CVE-2025-32023', severity: 'high', summary: 'out-of-bounds write in HyperLogLog commands: remote code execution', url: nvd('CVE-2025-32023'),
};
const REDIS_2025_49844: Omit<EngineAdvisory, 'fixedIn'> = {
  id: 'CVE-2025-49844', severity: 'critical', summary: 'Lua use-after-free: remote code execution', url: nvd('CVE-2025-49844'),
};
const REDIS_2025_46817: Omit<EngineAdvisory, 'fixedIn'> = {
  id: 'CVE-2025-46817', severity: 'high', summary: 'Lua integer overflow: remote code execution', url: nvd('CVE-2025-46817'),
};
const REDIS_2025_46818: Omit<EngineAdvisory, 'fixedIn'> = {
  id: 'CVE-2025-46818', severity: 'moderate', summary: 'a Lua script runs in the context of another user', url: nvd('CVE-2025-46818'),
};
const REDIS_2025_46819: Omit<EngineAdvisory, 'fixedIn'> = {
  id: 'CVE-2025-46819', severity: 'moderate', summary: 'Lua out-of-bounds read', url: nvd('CVE-2025-46819'),
};
const REDIS_2026_23479: Omit<EngineAdvisory, 'fixedIn'> = {
  id: 'CVE-2026-23479', severity: 'high', summary: 'use-after-free when unblocking a client: remote code execution', url: nvd('CVE-2026-23479'),
};
const REDIS_2026_25243: Omit<EngineAdvisory, 'fixedIn'> = {
  id: 'CVE-2026-25243', severity: 'high', summary: 'invalid memory access in RESTORE: remote code execution', url: nvd('CVE-2026-25243'),
};
const REDIS_2026_23631: Omit<EngineAdvisory, 'fixedIn'> = {
  id: 'CVE-2026-23631', severity: 'high', summary: 'Lua use-after-free: remote code execution', url: nvd('CVE-2026-23631'),
};
const REDIS_MAY_2026 = [REDIS_2026_23479, REDIS_2026_25243, REDIS_2026_23631];

/** A security release upstream published without CVE ids, as the advisory of every line it fixes. */
interface RedisSecurityRelease {
  readonly date: string;
  readonly summary: string;
}
const REDIS_JULY_2026: RedisSecurityRelease = {
  date: '2026-07-24', summary: 'crafted stream RESTORE payload: use-after-free, remote code execution',
};
const REDIS_AUGUST_2026: RedisSecurityRelease = {
  date: '2026-08-17', summary: 'malicious RDB SLOT_INFO payload (remote code execution), ACL key permission bypass, use-after-free fixes',
};
const REDIS_SEPTEMBER_2026: RedisSecurityRelease = {
  date: '2026-09-18', summary: 'ACL permissions revoked before a transaction still honoured; unauthenticated cluster-bus joins',
};
function securityRelease(release: RedisSecurityRelease, fixedIn: string | undefined, notes: string = redisRelease(fixedIn ?? '')): EngineAdvisory {
  return { id: `Redis security release of ${release.date}`, severity: 'high', summary: release.summary, url: notes, fixedIn };
}
const REDIS_2026_62356: Omit<EngineAdvisory, 'fixedIn'> = {
  id: 'CVE-2026-62356', severity: 'high', summary: 'heap out-of-bounds write loading a CMSketch from RDB', url: nvd('CVE-2026-62356'),
};

const fixed = (a: Omit<EngineAdvisory, 'fixedIn'>, fixedIn: string | undefined): EngineAdvisory => ({ ...a, fixedIn });

const REDIS_LINES: EngineLine[] = [
  {
    engine: 'redis',
    line: '7.0',
    defaultTag: '7.0.15',
    endOfLife: '2024-07-29',
    constant: 'RedisVersion.V7_0',
    successor: '7.2',
    advisories: [
      fixed(REDIS_2024_31449, undefined), fixed(REDIS_2024_46981, undefined), fixed(REDIS_2025_32023, undefined),
      fixed(REDIS_2025_49844, undefined), fixed(REDIS_2025_46817, undefined), ...REDIS_MAY_2026.map(a => fixed(a, undefined)),
    ],
    sources: [REDIS_EOL, 'https://raw.githubusercontent.com/redis/redis/7.0/00-RELEASENOTES'],
  },
  {
    engine: 'redis',
    line: '7.2',
    defaultTag: '7.2.16',
    minimumTag: '7.2.16',
    endOfLife: '2029-12-01',
    constant: 'RedisVersion.V7_2',
    isDefault: true,
    advisories: [
      fixed(REDIS_2024_31449, '7.2.6'), fixed(REDIS_2024_31228, '7.2.6'), fixed(REDIS_2024_46981, '7.2.7'),
      fixed(REDIS_2025_32023, '7.2.10'), fixed(REDIS_2025_49844, '7.2.11'), fixed(REDIS_2025_46817, '7.2.11'),
      fixed(REDIS_2025_46818, '7.2.11'), fixed(REDIS_2025_46819, '7.2.11'),
      ...REDIS_MAY_2026.map(a => fixed(a, '7.2.14')),
      securityRelease(REDIS_JULY_2026, '7.2.15'),
      securityRelease(REDIS_AUGUST_2026, '7.2.16'),
    ],
    sources: [REDIS_TAGS, redisNotes72, REDIS_EOL],
  },
  {
    engine: 'redis',
    line: '7.4',
    defaultTag: '7.4.11',
    minimumTag: '7.4.11',
    endOfLife: '2029-12-01',
    constant: 'RedisVersion.V7_4',
    advisories: [
      fixed(REDIS_2024_31449, '7.4.1'), fixed(REDIS_2024_31228, '7.4.1'), fixed(REDIS_2024_46981, '7.4.2'),
      fixed(REDIS_2025_32023, '7.4.5'), fixed(REDIS_2025_49844, '7.4.6'), fixed(REDIS_2025_46817, '7.4.6'),
      fixed(REDIS_2025_46818, '7.4.6'), fixed(REDIS_2025_46819, '7.4.6'),
      ...REDIS_MAY_2026.map(a => fixed(a, '7.4.9')),
      securityRelease(REDIS_JULY_2026, '7.4.10'),
      securityRelease(REDIS_AUGUST_2026, '7.4.11'),
    ],
    sources: [REDIS_TAGS, `${REDIS_NOTES}redisce-7.4-release-notes/`, REDIS_EOL],
  },
  {
    engine: 'redis',
    line: '8.0',
    defaultTag: '8.0.6',
    endOfLife: '2026-12-01',
    successor: '8.2',
    advisories: [fixed(REDIS_2025_49844, '8.0.4'), fixed(REDIS_2025_46817, '8.0.4'), ...REDIS_MAY_2026.map(a => fixed(a, undefined))],
    sources: [REDIS_EOL, `${REDIS_NOTES}redisos-8.0-release-notes/`],
  },
  {
    engine: 'redis',
    line: '8.2',
    defaultTag: '8.2.10',
    minimumTag: '8.2.10',
    endOfLife: '2030-09-01',
    constant: 'RedisVersion.V8_2',
    advisories: [
      fixed(REDIS_2025_49844, '8.2.2'), fixed(REDIS_2025_46817, '8.2.2'),
      ...REDIS_MAY_2026.map(a => fixed(a, '8.2.6')),
      securityRelease(REDIS_JULY_2026, '8.2.8'),
      fixed(REDIS_2026_62356, '8.2.9'),
      securityRelease(REDIS_AUGUST_2026, '8.2.9'),
      securityRelease(REDIS_SEPTEMBER_2026, '8.2.10'),
    ],
    sources: [REDIS_TAGS, `${REDIS_NOTES}redisos-8.2-release-notes/`, REDIS_SEPT_2026, REDIS_EOL],
  },
  {
    engine: 'redis',
    line: '8.4',
    defaultTag: '8.4.6',
    endOfLife: '2026-08-11',
    endOfLifeNote: 'a standard release: fixes until six months after the next minor (8.6, 2026-02-11); the September 2026 security release has no 8.4 build',
    successor: '8.10',
    advisories: [
      ...REDIS_MAY_2026.map(a => fixed(a, '8.4.3')),
      securityRelease(REDIS_JULY_2026, '8.4.5'),
      fixed(REDIS_2026_62356, '8.4.6'),
      securityRelease(REDIS_AUGUST_2026, '8.4.6'),
      securityRelease(REDIS_SEPTEMBER_2026, undefined, REDIS_SEPT_2026),
    ],
    sources: [REDIS_TAGS, `${REDIS_NOTES}redisos-8.4-release-notes/`, REDIS_SEPT_2026, REDIS_EOL],
  },
  {
    engine: 'redis',
    line: '8.6',
    defaultTag: '8.6.7',
    minimumTag: '8.6.7',
    endOfLife: '2026-11-25',
    endOfLifeNote: 'a standard release: fixes until six months after the next minor (8.8, 2026-05-25)',
    successor: '8.10',
    advisories: [
      ...REDIS_MAY_2026.map(a => fixed(a, '8.6.3')),
      securityRelease(REDIS_JULY_2026, '8.6.5'),
      fixed(REDIS_2026_62356, '8.6.6'),
      securityRelease(REDIS_AUGUST_2026, '8.6.6'),
      securityRelease(REDIS_SEPTEMBER_2026, '8.6.7'),
    ],
    sources: [REDIS_TAGS, `${REDIS_NOTES}redisos-8.6-release-notes/`, REDIS_SEPT_2026, REDIS_EOL],
  },
  {
    engine: 'redis',
    line: '8.8',
    defaultTag: '8.8.3',
    minimumTag: '8.8.3',
    endOfLife: '2027-01-29',
    endOfLifeNote: 'a standard release: fixes until six months after the next minor (8.10, 2026-07-29)',
    advisories: [
      securityRelease(REDIS_JULY_2026, '8.8.1'),
      fixed(REDIS_2026_62356, '8.8.2'),
      securityRelease(REDIS_AUGUST_2026, '8.8.2'),
      securityRelease(REDIS_SEPTEMBER_2026, '8.8.3'),
    ],
    sources: [REDIS_TAGS, `${REDIS_NOTES}redisos-8.8-release-notes/`, REDIS_SEPT_2026, REDIS_EOL],
  },
  {
    engine: 'redis',
    line: '8.10',
    defaultTag: '8.10.2',
    minimumTag: '8.10.2',
    endOfLifeNote: 'a standard release: fixes until six months after the next minor (not released yet)',
    advisories: [
      fixed(REDIS_2026_62356, '8.10.1'),
      securityRelease(REDIS_AUGUST_2026, '8.10.1'),
      securityRelease(REDIS_SEPTEMBER_2026, '8.10.2'),
    ],
    sources: [REDIS_TAGS, `${REDIS_NOTES}redisos-8.10-release-notes/`, REDIS_SEPT_2026, REDIS_EOL],
  },
];

// --------------------------------------------------------------------------------- Valkey

const VALKEY_2025_49844: Omit<EngineAdvisory, 'fixedIn'> = { ...REDIS_2025_49844, url: 'https://github.com/valkey-io/valkey/security/advisories/GHSA-9rfg-jx7v-52p6' };
const VALKEY_2026_56684: Omit<EngineAdvisory, 'fixedIn'> = {
  id: 'CVE-2026-56684', severity: 'high', summary: 'use-after-free in TLS connection handling (CLIENT KILL): remote code execution', url: nvd('CVE-2026-56684'),
};
const VALKEY_2026_63639: Omit<EngineAdvisory, 'fixedIn'> = {
  id: 'CVE-2026-63639', severity: 'high', summary: 'corrupt stream RDB with a NACK shared by consumers: remote code execution', url: nvd('CVE-2026-63639'),
};
const VALKEY_MAY_2026 = REDIS_MAY_2026;

function valkeyLine(line: string, defaultTag: string, minimumTag: string, endOfLife: string,
  fixes: { rcePatch2025?: string; may2026: string; july2026: string }, extra: Partial<EngineLine> = {}): EngineLine {
  return {
    engine: 'valkey',
    line,
    defaultTag,
    minimumTag,
    endOfLife,
    advisories: [
      ...(fixes.rcePatch2025 ? [fixed(VALKEY_2025_49844, fixes.rcePatch2025), fixed(REDIS_2025_46817, fixes.rcePatch2025)] : []),
      ...VALKEY_MAY_2026.map(a => fixed(a, fixes.may2026)),
      fixed(VALKEY_2026_56684, fixes.july2026), fixed(VALKEY_2026_63639, fixes.july2026),
    ],
    sources: [VALKEY_TAGS, valkeyRelease(fixes.july2026), VALKEY_EOL],
    ...extra,
  };
}

const VALKEY_LINES: EngineLine[] = [
  valkeyLine('7.2', '7.2.15', '7.2.14', '2029-04-16', { rcePatch2025: '7.2.11', may2026: '7.2.13', july2026: '7.2.14' },
    { endOfLifeNote: 'extended security support; maintenance support ends 2027-04-16' }),
  valkeyLine('8.0', '8.0.12', '8.0.10', '2027-09-15', { rcePatch2025: '8.0.6', may2026: '8.0.9', july2026: '8.0.10' },
    { constant: 'ValkeyVersion.V8_0' }),
  valkeyLine('8.1', '8.1.11', '8.1.9', '2030-03-31', { rcePatch2025: '8.1.4', may2026: '8.1.7', july2026: '8.1.9' },
    { constant: 'ValkeyVersion.V8_1', isDefault: true, endOfLifeNote: 'extended security support; maintenance support ends 2028-03-31' }),
  valkeyLine('9.0', '9.0.8', '9.0.5', '2028-10-21', { may2026: '9.0.4', july2026: '9.0.5' }, { constant: 'ValkeyVersion.V9_0' }),
  valkeyLine('9.1', '9.1.4', '9.1.1', '2031-05-19', { may2026: '9.1.0', july2026: '9.1.1' },
    { endOfLifeNote: 'from the release page draft for 9.1; not yet on the published page' }),
];

// ------------------------------------------------------------------------------ Cassandra

const CASSANDRA_LINES: EngineLine[] = [
  {
    engine: 'cassandra',
    line: '4.1',
    defaultTag: '4.1.12',
    minimumTag: '4.1.8',
    endOfLifeNote: 'the three newest majors are supported: 4.1 ends when the third major after it is released (not announced)',
    constant: 'CassandraVersion.V4_1',
    isDefault: true,
    advisories: [
      {
        id: 'CVE-2023-30601',
        severity: 'high',
        summary: 'FQL/audit log archive command: command execution by a JMX user',
        url: nvd('CVE-2023-30601'),
        fixedIn: '4.1.2',
      },
      {
        id: 'CVE-2025-23015',
        severity: 'high',
        summary: 'MODIFY on all keyspaces escalates to superuser',
        url: nvd('CVE-2025-23015'),
        fixedIn: '4.1.8',
      },
      {
        id: 'CVE-2026-32588',
        severity: 'low',
        summary: 'authenticated denial of service through repeated password changes',
        url: nvd('CVE-2026-32588'),
        fixedIn: '4.1.11',
      },
    ],
    sources: [CASSANDRA_TAGS, CASSANDRA_EOL, 'https://github.com/advisories/GHSA-wmcc-9vch-jmx4'],
  },
];

/** Every line the policy knows, by engine and in version order. */
export const ENGINE_LINES: readonly EngineLine[] = [
  pgLine(15, '15.19', '2027-11-11'),
  pgLine(16, '16.15', '2028-11-09'),
  pgLine(17, '17.11', '2029-11-08', true),
  pgLine(18, '18.6', '2030-11-14'),
  ...REDIS_LINES,
  ...VALKEY_LINES,
  ...CASSANDRA_LINES,
];

// ----------------------------------------------------------------------------------- lookups

/** A tag read as a version: the line it belongs to and its numeric parts (`17.11` -> [17, 11]). */
export interface ParsedEngineTag {
  readonly line: string;
  readonly numbers: number[];
  /** Whether the tag names a patch release (`7.2.16`), not a floating line tag (`7.2`). */
  readonly exact: boolean;
}

/**
 * Reads an image tag (`17.11`, `17.11-bookworm`, `7.2.16`, `7.2`, `8.1.11-trixie`) as a version of
 * `engine`. PostgreSQL lines are majors (`17.11` is patch 11 of line 17); the other engines' lines
 * are `<major>.<minor>`. Returns undefined for a tag that is no version (`latest`, `bookworm`).
 */
export function parseEngineTag(engine: EngineKind, tag: string): ParsedEngineTag | undefined {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-[a-z0-9][a-z0-9._-]*)?$/.exec(tag);
  if (!m) return undefined;
  const numbers = [m[1], m[2], m[3]].filter(n => n !== undefined).map(Number);
  if (engine === 'postgres') {
    return numbers.length === 2 ? { line: String(numbers[0]), numbers, exact: true } : undefined;
  }
  if (numbers.length < 2) return undefined;
  return { line: `${numbers[0]}.${numbers[1]}`, numbers, exact: numbers.length === 3 };
}

/** Compares two versions of the same engine (numeric, part by part; variants ignored). */
export function compareEngineVersions(engine: EngineKind, a: string, b: string): number {
  const pa = parseEngineTag(engine, a);
  const pb = parseEngineTag(engine, b);
  if (!pa || !pb) throw new Error(`not ${ENGINE_NAMES[engine]} versions: ${a}, ${b}`);
  for (let i = 0; i < Math.max(pa.numbers.length, pb.numbers.length); i++) {
    const d = (pa.numbers[i] ?? 0) - (pb.numbers[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The policy's line of `engine` named `line`, if it knows it. */
export function engineLine(engine: EngineKind, line: string): EngineLine | undefined {
  return ENGINE_LINES.find(l => l.engine === engine && l.line === line);
}

/** The policy's line a tag belongs to, if it knows it. */
export function engineLineOf(engine: EngineKind, tag: string): EngineLine | undefined {
  const parsed = parseEngineTag(engine, tag);
  return parsed && engineLine(engine, parsed.line);
}

/** The pinned default tag of a line the policy must know (the presets' constants). */
export function defaultTagOf(engine: EngineKind, line: string): string {
  const found = engineLine(engine, line);
  if (!found) throw new Error(`the engine version policy has no ${ENGINE_NAMES[engine]} ${line} line`);
  return found.defaultTag;
}

/** Whether a line is past its upstream end of life, as of the policy date. */
export function isUnmaintained(line: EngineLine): boolean {
  return line.endOfLife !== undefined && line.endOfLife <= ENGINE_POLICY_DATE;
}

/** An engine image recognised by its repository: the official images of the engines above. */
export interface RecognizedEngineImage {
  readonly engine: EngineKind;
  readonly tag?: string;
  readonly digest?: string;
}

/**
 * Recognises the official engine images in an image reference, with or without the registry:
 * `docker.io/library/postgres:17.11`, `postgres:17.11`, `redis:7.2.16@sha256:...`,
 * `docker.io/valkey/valkey:8.1.11`. Images from other registries or repositories (a mirror) are
 * not recognised: they may hold anything.
 */
export function engineOfImage(image: string): RecognizedEngineImage | undefined {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  const slash = name.lastIndexOf('/');
  const tag = colon > slash ? name.slice(colon + 1) : undefined;
  let repository = colon > slash ? name.slice(0, colon) : name;
  repository = repository.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '');
  if (!repository.includes('/')) repository = `library/${repository}`;
  const engine = (Object.keys(ENGINE_REPOSITORIES) as EngineKind[]).find(e => ENGINE_REPOSITORIES[e] === repository);
  return engine ? { engine, tag, digest } : undefined;
}

// --------------------------------------------------------------------------------- verdicts

/** What the policy says of one tag. */
export interface EngineVersionVerdict {
  /** The line, when the policy knows it. */
  readonly line?: EngineLine;
  /** The line is past its upstream end of life. */
  readonly unmaintained: boolean;
  /** Critical and high advisories the tag is not fixed for (empty for a floating or unknown tag). */
  readonly advisories: readonly EngineAdvisory[];
}

/**
 * The policy's verdict on a tag: unmaintained (its line is past its end of life) and the critical
 * and high advisories the tag is not fixed for. Floating line tags (`7.2`) and lines the policy
 * does not know get no advisories.
 */
export function assessEngineVersion(engine: EngineKind, tag: string): EngineVersionVerdict {
  const parsed = parseEngineTag(engine, tag);
  const line = parsed && engineLine(engine, parsed.line);
  if (!parsed || !line) return { unmaintained: false, advisories: [] };
  const advisories = !parsed.exact ? [] : line.advisories.filter(a => (a.severity === 'critical' || a.severity === 'high')
    && (a.fixedIn === undefined || compareEngineVersions(engine, tag, a.fixedIn) < 0));
  return { line, unmaintained: isUnmaintained(line), advisories };
}

/** `CVE-a, CVE-b (fixed in 7.2.11); CVE-c (fixed in 7.2.14)`: advisories grouped by their fix. */
function advisoryList(advisories: readonly EngineAdvisory[], lineName: string): string {
  const groups = new Map<string, string[]>();
  for (const a of advisories) {
    const key = a.fixedIn ? `fixed in ${a.fixedIn}` : `no ${lineName} release fixes it`;
    groups.set(key, [...groups.get(key) ?? [], `${a.id} (${a.severity})`]);
  }
  return [...groups].map(([fix, ids]) => `${ids.join(', ')}: ${fix}`).join('; ');
}

/** The public version class of each engine, for suggestions (`RedisVersion.of("8.10.2")`). */
export const ENGINE_VERSION_CLASSES: Readonly<Record<EngineKind, string>> = {
  postgres: 'PostgresVersion',
  redis: 'RedisVersion',
  valkey: 'ValkeyVersion',
  cassandra: 'CassandraVersion',
};

/**
 * What to use instead: the line's own constant (or a tag of its minimum or later) while the line
 * is maintained; otherwise its successor (a later line: data files never move back), or the
 * engine's default line.
 */
function suggestion(engine: EngineKind, line: EngineLine): string {
  const maintained = line.minimumTag !== undefined && !isUnmaintained(line);
  const target = maintained ? line : engineLine(engine, line.successor ?? '') ?? ENGINE_LINES.find(l => l.engine === engine && l.isDefault)!;
  const via = target.constant ? `${target.constant} (${target.defaultTag})` : `${ENGINE_VERSION_CLASSES[engine]}.of("${target.defaultTag}")`;
  return maintained
    ? `Use ${via}, or a ${line.line} tag of ${line.minimumTag} or later`
    : `Move to a maintained line: ${via}, ${ENGINE_NAMES[engine]} ${target.line}`;
}

/**
 * Raises the version warnings of a preset on the preset itself (`of()` has no scope, so the
 * construct that uses the version reports it):
 * - `unmaintained-engine-version` when the tag's line is past its upstream end of life;
 * - `vulnerable-engine-version` when the tag is below its line's minimum, naming the advisories
 *   and the release that fixes them.
 * Both are acknowledgeable with `Warnings.of(preset).acknowledge(id, reason)`.
 *
 * @param scope the preset
 * @param where who warns, e.g. `Redis 'chart/cache'`
 * @param prop the prop holding the version, e.g. `version`
 * @param engine the engine
 * @param tag the image tag the preset runs
 */
export function warnEngineVersion(scope: IConstruct, where: string, prop: string, engine: EngineKind, tag: string): void {
  const verdict = assessEngineVersion(engine, tag);
  const line = verdict.line;
  if (!line) return;
  const name = ENGINE_NAMES[engine];
  if (verdict.unmaintained) {
    warn(scope, WARNINGS.UNMAINTAINED_ENGINE_VERSION, warningMessage(where, prop, `"${tag}"`,
      `${name} ${line.line} reached its upstream end of life on ${line.endOfLife}: it gets no more fixes, security fixes included (engine version policy of ${ENGINE_POLICY_DATE})`,
      suggestion(engine, line)));
  }
  if (verdict.advisories.length > 0) {
    const risk = line.minimumTag !== undefined
      ? `${name} ${tag} is below ${line.minimumTag}, the first ${line.line} release without known critical or high advisories`
      : `No ${name} ${line.line} release is free of known critical or high advisories`;
    warn(scope, WARNINGS.VULNERABLE_ENGINE_VERSION, warningMessage(where, prop, `"${tag}"`,
      `${risk}: ${advisoryList(verdict.advisories, line.line)} (engine version policy of ${ENGINE_POLICY_DATE}; see docs/engine-versions.md)`,
      suggestion(engine, line)));
  }
}
