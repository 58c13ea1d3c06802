import { checkPortName } from '../../src/private/validation';

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
