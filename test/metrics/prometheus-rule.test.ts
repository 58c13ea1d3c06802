import { Duration, Testing } from 'cdk8s';
import { PrometheusAlertingRule, PrometheusRule, PrometheusRuleGroup, PrometheusRuleProps } from '../../src';
import { findOne, synthValid } from '../util/harness';

const WHERE = "PrometheusRule 'test/rules'";
const DOWN: PrometheusAlertingRule = { alert: 'DbDown', expr: 'db_up == 0' };
const build = (props: Partial<PrometheusRuleProps> = {}) => {
  const chart = Testing.chart();
  const rules = new PrometheusRule(chart, 'rules', { groups: [{ name: 'db', rules: [DOWN] }], ...props });
  return { chart, rules };
};

describe('PrometheusRule', () => {
  test('defaults', () => {
    // GIVEN
    const { chart, rules } = build();

    // WHEN
    const manifests = synthValid(chart);

    // THEN
    expect(manifests).toMatchSnapshot();
    const rendered = findOne(manifests, 'PrometheusRule');
    expect(rendered.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rendered.spec).toEqual({ groups: [{ name: 'db', rules: [{ alert: 'DbDown', expr: 'db_up == 0' }] }] });
    expect(rules.name).toBe(rendered.metadata.name);
  });

  test('all props', () => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    const rules = new PrometheusRule(chart, 'rules', {
      metadata: { name: 'orders-db', namespace: 'shop', labels: { release: 'kube-prometheus-stack' } },
      groups: [{
        name: 'orders-db.rules',
        interval: Duration.seconds(30),
        rules: [{
          alert: 'OrdersDbDown',
          expr: 'db_up{namespace="shop"} == 0',
          pendingFor: Duration.minutes(2),
          labels: { severity: 'critical', team: 'shop' },
          annotations: { summary: 'Orders DB {{ $labels.pod }} is down', runbook_url: 'https://runbooks.example.com/ordersdbdown' },
        }],
      }],
    });
    rules.addGroup({ name: 'orders-db.capacity', rules: [{ alert: 'OrdersDbFull', expr: 'db_full > 0.9', pendingFor: Duration.hours(1) }] });
    const manifests = synthValid(chart);

    // THEN
    expect(manifests).toMatchSnapshot();
    const rendered = findOne(manifests, 'PrometheusRule', 'orders-db');
    expect(rendered.metadata).toEqual({ name: 'orders-db', namespace: 'shop', labels: { release: 'kube-prometheus-stack' } });
    expect(rendered.spec.groups[0]).toEqual({
      name: 'orders-db.rules',
      interval: '30s',
      rules: [{
        alert: 'OrdersDbDown',
        expr: 'db_up{namespace="shop"} == 0',
        for: '2m',
        labels: { severity: 'critical', team: 'shop' },
        annotations: { summary: 'Orders DB {{ $labels.pod }} is down', runbook_url: 'https://runbooks.example.com/ordersdbdown' },
      }],
    });
    expect(rendered.spec.groups[1]).toEqual({ name: 'orders-db.capacity', rules: [{ alert: 'OrdersDbFull', expr: 'db_full > 0.9', for: '1h' }] });
    expect(rules.groups.map(g => g.name)).toEqual(['orders-db.rules', 'orders-db.capacity']);
  });

  test('groups is a copy; the caller\'s objects are copied too', () => {
    const labels: { [key: string]: string } = { severity: 'warning' };
    const group: PrometheusRuleGroup = { name: 'db', rules: [{ ...DOWN, labels }] };
    const { chart, rules } = build({ groups: [group] });
    labels.severity = 'critical';
    rules.groups[0].rules.push({ alert: 'Other', expr: 'x' });
    const rendered = findOne(synthValid(chart), 'PrometheusRule').spec.groups[0];
    expect(rendered.rules).toEqual([{ alert: 'DbDown', expr: 'db_up == 0', labels: { severity: 'warning' } }]);
  });

  test('empty labels and annotations are left out', () => {
    const { chart } = build({ groups: [{ name: 'db', rules: [{ ...DOWN, labels: {}, annotations: {} }] }] });
    expect(findOne(synthValid(chart), 'PrometheusRule').spec.groups[0].rules).toEqual([{ alert: 'DbDown', expr: 'db_up == 0' }]);
  });

  test('the same alert with other labels may appear twice in a group (e.g. two severities)', () => {
    expect(() => build({
      groups: [{ name: 'db', rules: [{ ...DOWN, labels: { severity: 'warning' } }, { ...DOWN, labels: { severity: 'critical' } }] }],
    })).not.toThrow();
  });

  test.each<[string, Partial<PrometheusRuleProps>, string]>([
    ['there is no group', { groups: [] }, 'invalid \'groups\': []. Must hold at least one group. Add a group with its rules.'],
    ['a group has no name', { groups: [{ name: '', rules: [DOWN] }] }, 'invalid \'groups[0].name\': "". Must be a non-empty string.'],
    ['two groups have one name', { groups: [{ name: 'db', rules: [DOWN] }, { name: 'db', rules: [DOWN] }] },
      'invalid \'groups[1].name\': "db". Group names must be unique in a PrometheusRule. Give the group its own name.'],
    ['a group has no rule', { groups: [{ name: 'db', rules: [] }] }, 'invalid \'groups[0].rules\': []. Must hold at least one rule. Add an alerting rule.'],
    ['a group interval is not whole seconds', { groups: [{ name: 'db', interval: Duration.millis(100), rules: [DOWN] }] },
      'invalid \'groups[0].interval\': "0.1 seconds".'],
    ['an alert name is invalid', { groups: [{ name: 'db', rules: [{ ...DOWN, alert: 'db-down' }] }] },
      'invalid \'groups[0].rules[0].alert\': "db-down". Must be a valid alert name: letters, digits, \'_\' and \':\', not starting with a digit. Write it in PascalCase, e.g. "PostgresDown".'],
    ['an expression is empty', { groups: [{ name: 'db', rules: [{ ...DOWN, expr: ' ' }] }] },
      'invalid \'groups[0].rules[0].expr\': " ". Must be a non-empty PromQL expression. Set the expression the alert fires on.'],
    ['pendingFor is not whole seconds', { groups: [{ name: 'db', rules: [{ ...DOWN, pendingFor: Duration.millis(1) }] }] },
      'invalid \'groups[0].rules[0].pendingFor\': "0.001 seconds".'],
    ['a label name is invalid', { groups: [{ name: 'db', rules: [{ ...DOWN, labels: { 'team.name': 'x' } }] }] },
      'invalid \'groups[0].rules[0].labels key\': "team.name". Must be a Prometheus label name: letters, digits and \'_\', not starting with a digit. Rename the key, e.g. "team_name".'],
    ['an annotation name starts with a digit', { groups: [{ name: 'db', rules: [{ ...DOWN, annotations: { '1st': 'x' } }] }] },
      'invalid \'groups[0].rules[0].annotations key\': "1st". Must be a Prometheus label name: letters, digits and \'_\', not starting with a digit. Rename the key, e.g. "_1st".'],
    ['an annotation value is not a string', { groups: [{ name: 'db', rules: [{ ...DOWN, annotations: { summary: 3 as unknown as string } }] }] },
      'invalid \'groups[0].rules[0].annotations["summary"]\': 3. Must be a string. Quote the value, e.g. "3".'],
    ['an alert appears twice with the same labels', { groups: [{ name: 'db', rules: [DOWN, { ...DOWN, expr: 'other' }] }] },
      'invalid \'groups[0].rules\': "DbDown". An alert may appear once per group with the same labels. Rename one of the rules or merge their expressions.'],
    ['a metadata label is invalid', { metadata: { labels: { 'a b': 'x' } } }, 'invalid \'metadata.labels key\': "a b".'],
  ])('fails when %s', (_case, props, message) => {
    expect(() => build(props)).toThrow(`${WHERE}: ${message}`);
  });

  test('fails when addGroup() adds a group of an existing name', () => {
    const { rules } = build();
    expect(() => rules.addGroup({ name: 'db', rules: [DOWN] })).toThrow(
      `${WHERE}: invalid 'addGroup().name': "db". Group names must be unique in a PrometheusRule. Give the group its own name.`);
  });
});
