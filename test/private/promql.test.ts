import { Duration } from 'cdk8s';
import { checkAlertName, checkLabelNames, isLabelName, promDuration, promString, regexLiteral } from '../../src/private/promql';

describe('promql', () => {
  test.each<[Duration, string]>([
    [Duration.seconds(30), '30s'],
    [Duration.minutes(5), '5m'],
    [Duration.hours(1), '1h'],
    [Duration.seconds(90), '1m30s'],
    [Duration.seconds(3661), '1h1m1s'],
    [Duration.days(2), '48h'],
  ])('promDuration(%s) is %s', (d, expected) => {
    expect(promDuration('X', 'p', d)).toBe(expected);
  });

  test.each([Duration.seconds(0), Duration.millis(1500)])('promDuration fails when the duration is not a positive whole number of seconds (%s)', d => {
    expect(() => promDuration('X', 'p', d)).toThrow(/^X: invalid 'p': "[0-9.]+ seconds"\. Must be a positive whole number of seconds\. Set 'p' to e\.g\. Duration\.minutes\(5\)\.$/);
  });

  test('promString quotes and escapes', () => {
    expect(promString('user-db')).toBe('"user-db"');
    expect(promString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
  });

  test('regexLiteral escapes the characters RE2 reads specially', () => {
    expect(regexLiteral('user-db')).toBe('user-db');
    expect(regexLiteral('a.b*c+(d)|[e]{f}^$?\\')).toBe('a\\.b\\*c\\+\\(d\\)\\|\\[e\\]\\{f\\}\\^\\$\\?\\\\');
  });

  test('label names', () => {
    expect(['severity', '_x', 'runbook_url', 'A1'].every(isLabelName)).toBe(true);
    expect(['1a', 'a-b', 'a.b', ''].some(isLabelName)).toBe(false);
    expect(() => checkLabelNames('X', 'labels', { ok: 'x' })).not.toThrow();
    expect(() => checkLabelNames('X', 'labels', undefined)).not.toThrow();
    expect(() => checkLabelNames('X', 'labels', { 'a-b': 'x' })).toThrow(/invalid 'labels key': "a-b"\. .* Rename the key, e\.g\. "a_b"\.$/);
  });

  test('alert names', () => {
    expect(() => checkAlertName('X', 'alert', 'PostgresDown')).not.toThrow();
    expect(() => checkAlertName('X', 'alert', 'job:Down')).not.toThrow();
    expect(() => checkAlertName('X', 'alert', '9Down')).toThrow(/invalid 'alert': "9Down"/);
    expect(() => checkAlertName('X', 'alert', undefined as unknown as string)).toThrow(/invalid 'alert': undefined/);
  });
});
