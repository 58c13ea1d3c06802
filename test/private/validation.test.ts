import {
  checkDns1035Label, checkDns1123Label, checkDns1123Subdomain, checkInteger, checkPort, checkPortName, duplicates, fail, failWithoutValue,
  isDns1123Subdomain, show,
} from '../../src/private/validation';

describe('checkPortName', () => {
  test.each([
    ['15 characters', 'abcdefghijklmno'],
    ['one letter', 'a'],
    ['digits and a letter', '8080-http'],
  ])('accepts %s', (_name, value) => {
    expect(() => checkPortName('Test \'t\'', 'ports[0].name', value)).not.toThrow();
  });

  test.each([
    ['16 characters', 'abcdefghijklmnop'],
    ['no letter', '8080'],
    ['"--"', 'web--http'],
    ['upper case', 'Web'],
    ['empty', ''],
    ['a trailing "-"', 'http-'],
    ['a leading "-"', '-http'],
    ['a space', 'we b'],
  ])('fails when the name has %s', (_name, value) => {
    expect(() => checkPortName('Test \'t\'', 'ports[0].name', value)).toThrow(new Error(
      `Test 't': invalid 'ports[0].name': "${value}". Must be an IANA service name: at most 15 lower case letters, digits and '-', `
      + 'with at least one letter and no "--". Set \'ports[0].name\' to a name such as "http" or "postgres".'));
  });
});


describe('the one error shape', () => {
  test('fail(): construct and path, prop, value, what is allowed, how to fix', () => {
    expect(fail("StatefulWorkload 'test/db'", 'replicas', -1, 'Must be an integer of at least 0', "Set 'replicas' to an integer of at least 0").message)
      .toBe("StatefulWorkload 'test/db': invalid 'replicas': -1. Must be an integer of at least 0. Set 'replicas' to an integer of at least 0.");
  });

  test('failWithoutValue(): the same shape, with a description where the value goes', () => {
    expect(failWithoutValue("StatefulWorkload 'test/db'", 'pod template', 'container "db": securityContext.runAsUser must not be 0 (root)',
      'The pod spec must meet the Pod Security Standards "restricted" profile', 'Fix the security context').message)
      .toBe('StatefulWorkload \'test/db\': invalid \'pod template\': container "db": securityContext.runAsUser must not be 0 (root). '
        + 'The pod spec must meet the Pod Security Standards "restricted" profile. Fix the security context.');
  });

  test.each<[unknown, string]>([
    ['db', '"db"'],
    [3, '3'],
    [[], '[]'],
    [['ReadWriteOnce'], '["ReadWriteOnce"]'],
    [undefined, 'undefined'],
  ])('values are shown as JSON: %j', (value, shown) => {
    expect(show(value)).toBe(shown);
    expect(fail('X \'a\'', 'p', value, 'Allowed', 'Fix').message).toBe(`X 'a': invalid 'p': ${shown}. Allowed. Fix.`);
  });

  test('the shared checks use it', () => {
    expect(() => checkPort("WorkloadService 'test/s'", 'ports[0]', 0)).toThrow(
      "WorkloadService 'test/s': invalid 'ports[0]': 0. Must be an integer port number from 1 to 65535. Set 'ports[0]' to a valid port.");
  });
});

describe('names', () => {
  const W = 'Test \'t\'';

  test.each([
    ['a', 63], ['a1', 63], ['1a', 63], ['a-b', 63], ['a--b', 63], ['a'.repeat(63), 63], ['a'.repeat(52), 52],
  ])('checkDns1123Label accepts %j (at most %d)', (value, maxLen) => {
    expect(() => checkDns1123Label(W, 'name', value, maxLen)).not.toThrow();
  });

  test.each([
    ['', 63], ['-a', 63], ['a-', 63], ['A', 63], ['a.b', 63], ['a_b', 63], [' a', 63], ['a\n', 63], ['a'.repeat(64), 63], ['a'.repeat(53), 52],
  ])('checkDns1123Label refuses %j (at most %d)', (value, maxLen) => {
    expect(() => checkDns1123Label(W, 'name', value, maxLen)).toThrow(
      `${W}: invalid 'name': "${value}". Must be a DNS-1123 label of at most ${maxLen} characters: lower case letters, digits and '-', `
      + 'starting and ending with a letter or digit. Set \'name\' to a name such as "my-name".');
  });

  test('checkDns1123Label: the limit defaults to 63, and the reason for a lower one is in the message', () => {
    expect(() => checkDns1123Label(W, 'name', 'a'.repeat(63))).not.toThrow();
    expect(() => checkDns1123Label(W, 'name', 'a'.repeat(64))).toThrow('at most 63 characters:');
    expect(() => checkDns1123Label(W, 'metadata.name', 'a'.repeat(53), 52, ' (the StatefulSet controller adds 11)')).toThrow(
      'Must be a DNS-1123 label of at most 52 characters (the StatefulSet controller adds 11): lower case');
  });

  test.each(['a', 'a1', 'a-b', 'a'.repeat(63)])('checkDns1035Label accepts %j', value => {
    expect(() => checkDns1035Label(W, 'name', value)).not.toThrow();
  });

  test.each([
    ['1a', 63], ['', 63], ['-a', 63], ['a-', 63], ['A', 63], ['a.b', 63], ['a'.repeat(64), 63], ['a'.repeat(16), 15],
  ])('checkDns1035Label refuses %j (at most %d)', (value, maxLen) => {
    expect(() => checkDns1035Label(W, 'name', value, maxLen)).toThrow(
      `${W}: invalid 'name': "${value}". Must be a DNS-1035 label of at most ${maxLen} characters: lower case letters, digits and '-', `
      + 'starting with a letter and ending with a letter or digit. Set \'name\' to a name such as "my-service".');
  });

  const label63 = 'a'.repeat(63);
  const subdomain253 = [label63, label63, label63, 'a'.repeat(61)].join('.');
  test.each(['a', 'a.b', '1.2.3', 'db.example.com', 'a-b.c-d', subdomain253])('checkDns1123Subdomain accepts %j', value => {
    expect(subdomain253.length).toBe(253);
    expect(() => checkDns1123Subdomain(W, 'name', value)).not.toThrow();
    expect(isDns1123Subdomain(value)).toBe(true);
  });

  test.each(['', '.a', 'a.', 'a..b', '-a.b', 'a-.b', 'A.b', 'a_b', 'a.b ', `${subdomain253}a`])('checkDns1123Subdomain refuses %j', value => {
    expect(() => checkDns1123Subdomain(W, 'name', value)).toThrow(
      `${W}: invalid 'name': "${value}". Must be a DNS-1123 subdomain of at most 253 characters: lower case letters, digits, '-' and '.'. `
      + 'Set \'name\' to a name such as "my-name" or "my.name".');
    expect(isDns1123Subdomain(value)).toBe(false);
  });
});

describe('numbers', () => {
  const W = 'Test \'t\'';

  test.each<[number | undefined, number, number | undefined]>([
    [undefined, 0, undefined], [0, 0, undefined], [2147483647, 0, undefined], [5, 5, 5], [1, 0, 1],
  ])('checkInteger accepts %p in [%p, %p]', (value, min, max) => {
    expect(() => checkInteger(W, 'replicas', value, min, max)).not.toThrow();
  });

  test.each<[number, number, number | undefined, string]>([
    [-1, 0, undefined, 'an integer of at least 0'],
    [2147483648, 0, undefined, 'an integer of at least 0'],
    [1.5, 0, undefined, 'an integer of at least 0'],
    [0, 1, undefined, 'an integer of at least 1'],
    [4, 5, 10, 'an integer from 5 to 10'],
    [11, 5, 10, 'an integer from 5 to 10'],
  ])('checkInteger refuses %p in [%p, %p]', (value, min, max, range) => {
    expect(() => checkInteger(W, 'replicas', value, min, max)).toThrow(
      `${W}: invalid 'replicas': ${JSON.stringify(value)}. Must be ${range}. Set 'replicas' to ${range}.`);
  });

  test.each([1, 80, 65535])('checkPort accepts %d', port => {
    expect(() => checkPort(W, 'port', port)).not.toThrow();
  });

  test.each([0, -1, 65536, 80.5])('checkPort refuses %p', port => {
    expect(() => checkPort(W, 'port', port)).toThrow(
      `${W}: invalid 'port': ${port}. Must be an integer port number from 1 to 65535. Set 'port' to a valid port.`);
  });

  test('NaN is neither an integer nor a port', () => {
    expect(() => checkInteger(W, 'replicas', Number.NaN, 0)).toThrow('Must be an integer of at least 0');
    expect(() => checkPort(W, 'port', Number.NaN)).toThrow('Must be an integer port number from 1 to 65535');
  });
});

describe('show() and duplicates()', () => {
  test('show(): a value JSON cannot render is shown with String()', () => {
    const circular: { self?: unknown; toString(): string } = { toString: () => 'circular thing' };
    circular.self = circular;
    expect(show(circular)).toBe('circular thing');
    expect(show(10n)).toBe('10');
  });

  test('show(): an empty string is quoted, null is null', () => {
    expect(show('')).toBe('""');
    expect(show(null)).toBe('null');
  });

  test.each<[unknown[], unknown[]]>([
    [[], []],
    [['a', 'b'], []],
    [['a', 'b', 'a'], ['a']],
    [['b', 'a', 'a', 'b', 'b'], ['a', 'b']],
    [[1, 1, 1], [1]],
  ])('duplicates(%j) is %j, in order of first repetition', (values, dups) => {
    expect(duplicates(values)).toEqual(dups);
  });
});
