import { checkVariableName, connectionPropertyVariables, copyConnectionProperties } from '../../src/private/connection-properties';

const WHERE = "DataStore 'test/db'";

describe('connectionPropertyVariables', () => {
  test('none: no variables', () => {
    expect(connectionPropertyVariables(WHERE, 'connectionProperties', undefined)).toEqual([]);
    expect(connectionPropertyVariables(WHERE, 'connectionProperties', {})).toEqual([]);
  });

  test('database, local datacenter, then the extras sorted by name, each with its prop', () => {
    expect(connectionPropertyVariables(WHERE, 'p', { extras: { B: '2', A: '1' }, localDatacenter: 'dc1', database: 'orders' })).toEqual([
      ['DATABASE', 'orders', 'p.database'],
      ['LOCAL_DATACENTER', 'dc1', 'p.localDatacenter'],
      ['A', '1', 'p.extras.A'],
      ['B', '2', 'p.extras.B'],
    ]);
  });

  test.each<[string, any, string]>([
    ['an empty database', { database: '' }, "invalid 'p.database': \"\""],
    ['a database that is no string', { database: 5 }, "invalid 'p.database': 5"],
    ['a tab in the local datacenter', { localDatacenter: 'dc\t1' }, "invalid 'p.localDatacenter'"],
    ['DEL in the database', { database: 'a\u007f' }, "invalid 'p.database'"],
    ['an extra that is no string', { extras: { X: 1 } }, "invalid 'p.extras.X': 1. Must be a string"],
    ['a carriage return in an extra', { extras: { X: 'a\rb' } }, "invalid 'p.extras.X'"],
    ['an extra named PASSWORD', { extras: { PASSWORD: 'x' } }, "invalid 'p.extras': \"PASSWORD\". Must not be USERNAME or PASSWORD"],
  ])('fails on %s', (_name, properties, message) => {
    expect(() => connectionPropertyVariables(WHERE, 'p', properties)).toThrow(message);
  });
});

describe('checkVariableName', () => {
  test('suggests the upper-case form, or the examples when there is none', () => {
    expect(() => checkVariableName(WHERE, 'extraKeys', 'ca-bundle')).toThrow(/Name the variable "CA_BUNDLE"\.$/);
    expect(() => checkVariableName(WHERE, 'extraKeys', '_x')).toThrow(/Name the variable such as "DATABASE" or "CA_BUNDLE"\.$/);
    expect(() => checkVariableName(WHERE, 'p.extras', '*', ['SSLMODE'])).toThrow(/Name the variable such as "SSLMODE"\.$/);
    expect(() => checkVariableName(WHERE, 'p.extras', 'SERVICE_X', ['SSLMODE'])).toThrow(/Name the variable differently, such as "SSLMODE"; /);
    expect(() => checkVariableName(WHERE, 'p', 'OK_1')).not.toThrow();
  });
});

test('copyConnectionProperties: a copy, the extras too', () => {
  const original = { database: 'a', extras: { X: '1' } };
  const copy = copyConnectionProperties(original)!;
  expect(copy).toEqual(original);
  expect(copy.extras).not.toBe(original.extras);
  expect(copyConnectionProperties(undefined)).toBeUndefined();
  expect(copyConnectionProperties({ database: 'a' })).toEqual({ database: 'a' });
});
