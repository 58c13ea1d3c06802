/**
 * What a Redis or Valkey server writes to its data volume, and what another release can read: the
 * RDB format version of each release line. The append-only file the presets keep (`appendonly
 * yes`, with the default `aof-use-rdb-preamble yes`) starts with an RDB file too, and a replica's
 * full sync is an RDB stream: whatever persistence is on, a server can take over data only in a
 * format it reads.
 *
 * A server refuses a file of a newer format at start ("Can't handle RDB format version 12") and
 * exits. Sources:
 * - Redis: `RDB_VERSION` in src/rdb.h of redis/redis at the tags 7.0.15 (10), 7.2.0 (11) and
 *   7.4.0 (12); the table of redis/librdb (src/redisver.h: 2.6/2.8 6, 3.2 7, 4.0 8, 5.0 to 6.2 9,
 *   7.0 10, 7.2 11, 7.4 to 8.4 12, 8.6 13) and its release 2.2.0 (redis/librdb#94: RDB 13, the
 *   format of Redis 8.6). Redis 3.0 still wrote 6 (src/rdb.h of 3.0: `REDIS_RDB_VERSION 6`).
 *   Reported in the field: redis/redis#14064 (7.4 -> 7.2: "Can't handle RDB format version 12"),
 *   argoproj/argo-helm#3272 (the same on Kubernetes, every pod down).
 * - Valkey: src/rdb.h of valkey-io/valkey (`RDB_VERSION_MAP`: 11 from 7.2, 80 from 9.0, 81 from
 *   9.2; 12 to 79 reserved as the "foreign" range of non-open-source Redis formats, with the magic
 *   string `VALKEY` instead of `REDIS` from 80); valkey-io/valkey#665 (Valkey 8.0 kept RDB 11, so
 *   Redis 7.2 reads it); valkey-io/valkey#1604 (8.1: `rdb-version-check`, `strict` by default;
 *   `relaxed` tries newer Valkey formats but never the foreign range); valkey-io/valkey#2543
 *   (9.0, relaxed only: foreign formats tried with the types Valkey knows).
 *
 * Lines newer than this table write a format at least as new as the newest known one: the guard
 * then knows only a lower bound, and says so (a warning) where the bound decides nothing.
 */

/** The Redis-compatible engines. */
export type RedisFamily = 'redis' | 'valkey';

/** An RDB format a server writes. */
export interface RdbFormat {
  /** The RDB version; for a line newer than the table, the lowest it can be. */
  readonly version: number;
  /** Whether `version` is known exactly (the line is in the table). */
  readonly exact: boolean;
  /** The file's magic string: `REDIS`, or `VALKEY` from Valkey's RDB 80. */
  readonly magic: 'REDIS' | 'VALKEY';
}

/** Redis lines (`<major>.<minor>`, as numbers major*100+minor) and the RDB version they write, oldest first. */
const REDIS_RDB: ReadonlyArray<[number, number]> = [
  [206, 6], [208, 6], [300, 6], [302, 7], [400, 8], [500, 9], [600, 9], [602, 9],
  [700, 10], [702, 11], [704, 12], [800, 12], [802, 12], [804, 12], [806, 13],
];
/** Valkey lines and their RDB version, oldest first. */
const VALKEY_RDB: ReadonlyArray<[number, number]> = [
  [702, 11], [800, 11], [801, 11], [900, 80], [901, 80], [902, 81],
];
/** Redis's own formats never reach Valkey's range (80 and up): 12 to 79 is their room. */
const FOREIGN_MIN = 12;
const FOREIGN_MAX = 79;

/**
 * The format a line writes. Undefined for a line older than the table (Redis before 2.6, Valkey
 * before 7.2, its first release).
 *
 * @param family redis or valkey
 * @param major the major version
 * @param minor the minor version
 */
export function rdbFormat(family: RedisFamily, major: number, minor: number): RdbFormat | undefined {
  const table = family === 'redis' ? REDIS_RDB : VALKEY_RDB;
  const line = major * 100 + minor;
  const known = table.find(([l]) => l === line);
  const magic = (v: number) => (family === 'valkey' && v > FOREIGN_MAX ? 'VALKEY' : 'REDIS');
  if (known) return { version: known[1], exact: true, magic: magic(known[1]) };
  const older = table.filter(([l]) => l < line);
  if (older.length === 0) return undefined;
  const newest = table[table.length - 1];
  if (line > newest[0]) return { version: newest[1], exact: false, magic: magic(newest[1]) };
  // a line between two known ones (a minor that was never released): the older one's format
  const below = older[older.length - 1][1];
  return { version: below, exact: true, magic: magic(below) };
}

/** Whether a server can read a format: `yes`, `no`, or `unknown` when the table cannot tell. */
export type Readability = 'yes' | 'no' | 'unknown';

/**
 * Whether a server of `reader` (a Redis or Valkey line, with its own format) loads data written in
 * `written`, with the default `rdb-version-check strict` of Valkey.
 */
export function canRead(reader: RedisFamily, readerFormat: RdbFormat, written: RdbFormat): Readability {
  // Redis checks the magic string: a Valkey 9 file is a "Wrong signature" to it
  if (reader === 'redis' && written.magic === 'VALKEY') return 'no';
  // Valkey refuses the foreign range (Redis 7.4 and later) under its default strict check (8.1
  // even under `relaxed`; 9.0 tries it under `relaxed` only, valkey-io/valkey#2543)
  if (reader === 'valkey' && written.magic === 'REDIS' && written.version >= FOREIGN_MIN && written.version <= FOREIGN_MAX) return 'no';
  // a newer format than the reader's: refused, unless the reader's own is only a lower bound
  if (written.version > readerFormat.version) return readerFormat.exact ? 'no' : 'unknown';
  // the same or an older format: read, unless the written one is only a lower bound
  return written.exact ? 'yes' : 'unknown';
}
