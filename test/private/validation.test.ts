import { checkPort, checkPortName, fail, failWithoutValue, show } from '../../src/private/validation';

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
