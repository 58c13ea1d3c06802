import { canRead, rdbFormat, RdbFormat, RedisFamily } from '../../../src/gitops/private/engine-formats';

describe('the RDB format of each line', () => {
  test.each<[RedisFamily, string, number, boolean, 'REDIS' | 'VALKEY']>([
    ['redis', '2.6', 6, true, 'REDIS'],
    ['redis', '3.0', 6, true, 'REDIS'],
    ['redis', '3.2', 7, true, 'REDIS'],
    ['redis', '4.0', 8, true, 'REDIS'],
    ['redis', '5.0', 9, true, 'REDIS'],
    ['redis', '6.2', 9, true, 'REDIS'],
    ['redis', '7.0', 10, true, 'REDIS'],
    ['redis', '7.2', 11, true, 'REDIS'],
    ['redis', '7.4', 12, true, 'REDIS'],
    ['redis', '8.0', 12, true, 'REDIS'],
    ['redis', '8.2', 12, true, 'REDIS'],
    ['redis', '8.4', 12, true, 'REDIS'],
    ['redis', '8.6', 13, true, 'REDIS'],
    // newer than the table: at least the newest known
    ['redis', '8.8', 13, false, 'REDIS'],
    ['redis', '9.0', 13, false, 'REDIS'],
    // a minor never released between two known lines: the older one's
    ['redis', '7.3', 11, true, 'REDIS'],
    ['valkey', '7.2', 11, true, 'REDIS'],
    ['valkey', '8.0', 11, true, 'REDIS'],
    ['valkey', '8.1', 11, true, 'REDIS'],
    ['valkey', '9.0', 80, true, 'VALKEY'],
    ['valkey', '9.1', 80, true, 'VALKEY'],
    ['valkey', '9.2', 81, true, 'VALKEY'],
    ['valkey', '10.0', 81, false, 'VALKEY'],
  ])('%s %s writes RDB %d (exact: %s, magic %s)', (family, line, version, exact, magic) => {
    const [major, minor] = line.split('.').map(Number);
    expect(rdbFormat(family, major, minor)).toEqual({ version, exact, magic });
  });

  test.each<[RedisFamily, number, number]>([
    ['redis', 2, 4], ['redis', 1, 2], ['valkey', 7, 0],
  ])('%s %d.%d is older than the table: unknown', (family, major, minor) => {
    expect(rdbFormat(family, major, minor)).toBeUndefined();
  });
});

describe('whether a server reads a format', () => {
  const f = (version: number, exact = true, magic: 'REDIS' | 'VALKEY' = 'REDIS'): RdbFormat => ({ version, exact, magic });

  test.each<[string, RedisFamily, RdbFormat, RdbFormat, string]>([
    ['Redis reads its own format', 'redis', f(11), f(11), 'yes'],
    ['Redis reads older formats', 'redis', f(12), f(9), 'yes'],
    ['Redis refuses newer formats', 'redis', f(11), f(12), 'no'],
    ['Redis refuses Valkey\'s magic string, whatever the number', 'redis', f(13, false), f(80, true, 'VALKEY'), 'no'],
    ['Valkey reads Redis formats up to 11', 'valkey', f(11), f(11), 'yes'],
    ['Valkey 9 reads Redis formats up to 11', 'valkey', f(80, true, 'VALKEY'), f(10), 'yes'],
    ['Valkey refuses the range it reserves for foreign formats', 'valkey', f(80, true, 'VALKEY'), f(12), 'no'],
    ['... even a newer Valkey', 'valkey', f(81, false, 'VALKEY'), f(13, false), 'no'],
    ['Valkey 8 refuses Valkey 9\'s format', 'valkey', f(11), f(80, true, 'VALKEY'), 'no'],
    ['a reader newer than the table reads every known format up to its own lower bound', 'redis', f(13, false), f(13), 'yes'],
    ['a reader newer than the table, and a format above its bound: unknown', 'valkey', f(81, false, 'VALKEY'), f(82, false, 'VALKEY'), 'unknown'],
    ['a writer newer than the table read by the newest known line: unknown', 'redis', f(13), f(13, false), 'unknown'],
    ['a writer newer than the table read by an older line: no', 'redis', f(12), f(13, false), 'no'],
    ['both newer than the table: unknown', 'redis', f(13, false), f(13, false), 'unknown'],
  ])('%s', (_, reader, readerFormat, written, expected) => {
    expect(canRead(reader, readerFormat, written)).toBe(expected);
  });
});
