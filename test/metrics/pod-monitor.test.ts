import { Duration, Testing } from 'cdk8s';
import { PodMetricsEndpoint, PodMonitor, PodMonitorProps } from '../../src';
import { findOne, synthValid } from '../util/harness';

const WHERE = "PodMonitor 'test/monitor'";
const build = (props: Partial<PodMonitorProps> = {}) => {
  const chart = Testing.chart();
  const monitor = new PodMonitor(chart, 'monitor', { matchLabels: { 'app.kubernetes.io/name': 'db' }, podMetricsEndpoints: [{ port: 'metrics' }], ...props });
  return { chart, monitor };
};

describe('PodMonitor', () => {
  test('defaults', () => {
    // GIVEN
    const { chart, monitor } = build();

    // WHEN
    const manifests = synthValid(chart);

    // THEN
    expect(manifests).toMatchSnapshot();
    const rendered = findOne(manifests, 'PodMonitor');
    expect(rendered.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rendered.spec.podMetricsEndpoints).toEqual([{ port: 'metrics', path: '/metrics' }]);
    expect(monitor.name).toBe(rendered.metadata.name);
    expect(monitor.apiObject.kind).toBe('PodMonitor');
  });

  test('all props', () => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    const monitor = new PodMonitor(chart, 'monitor', {
      metadata: { name: 'orders-db', namespace: 'shop', labels: { release: 'kube-prometheus-stack' } },
      matchLabels: { 'app.kubernetes.io/name': 'orders-db', 'app.kubernetes.io/instance': 'orders-db' },
      podMetricsEndpoints: [
        { port: 'metrics', path: '/metrics', interval: Duration.seconds(90), scrapeTimeout: Duration.seconds(10) },
        { port: 'sidecar', path: '/stats/prometheus', interval: Duration.minutes(1) },
      ],
    });
    const manifests = synthValid(chart);

    // THEN
    expect(manifests).toMatchSnapshot();
    const rendered = findOne(manifests, 'PodMonitor', 'orders-db');
    expect(rendered.metadata).toEqual({ name: 'orders-db', namespace: 'shop', labels: { release: 'kube-prometheus-stack' } });
    expect(rendered.spec.podMetricsEndpoints).toEqual([
      { port: 'metrics', path: '/metrics', interval: '1m30s', scrapeTimeout: '10s' },
      { port: 'sidecar', path: '/stats/prometheus', interval: '1m' },
    ]);
    expect(monitor.name).toBe('orders-db');
  });

  test('matchLabels become the selector; a later change of the caller\'s object does not reach it', () => {
    const labels: { [key: string]: string } = { 'app.kubernetes.io/name': 'db' };
    const { chart } = build({ matchLabels: labels });
    labels.other = 'x';
    expect(findOne(synthValid(chart), 'PodMonitor').spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'db' } });
  });

  test.each<[string, Partial<PodMonitorProps>, string]>([
    ['matchLabels is empty', { matchLabels: {} },
      'invalid \'matchLabels\': {}. Must hold at least one label: an empty selector scrapes every pod of the namespace. Set the labels of the pods to scrape, e.g. the workload\'s selectorLabels.'],
    ['a label key is invalid', { matchLabels: { 'bad key': 'x' } }, 'invalid \'matchLabels key\': "bad key".'],
    ['a metadata label is invalid', { metadata: { labels: { ok: 'bad value!' } } }, 'invalid \'metadata.labels["ok"]\''],
    ['there is no endpoint', { podMetricsEndpoints: [] },
      'invalid \'podMetricsEndpoints\': []. Must hold at least one endpoint. Add the named port to scrape.'],
    ['a port name is invalid', { podMetricsEndpoints: [{ port: 'Metrics_Port' }] }, 'invalid \'podMetricsEndpoints[0].port\': "Metrics_Port".'],
    ['a path is not absolute', { podMetricsEndpoints: [{ port: 'metrics', path: 'metrics' }] },
      'invalid \'podMetricsEndpoints[0].path\': "metrics". Must be an absolute URL path, e.g. "/metrics". Give the path without a scheme, host or query.'],
    ['a path has a query', { podMetricsEndpoints: [{ port: 'metrics', path: '/metrics?x=1' }] }, 'invalid \'podMetricsEndpoints[0].path\': "/metrics?x=1".'],
    ['the interval is not whole seconds', { podMetricsEndpoints: [{ port: 'metrics', interval: Duration.millis(2500) }] },
      'invalid \'podMetricsEndpoints[0].interval\': "2.5 seconds". Must be a positive whole number of seconds.'],
    ['the timeout exceeds the interval', { podMetricsEndpoints: [{ port: 'metrics', interval: Duration.seconds(10), scrapeTimeout: Duration.seconds(30) }] },
      'invalid \'podMetricsEndpoints[0].scrapeTimeout\': "30s". Must not exceed the interval (10s): Prometheus refuses the scrape configuration. Shorten the timeout or lengthen the interval.'],
    ['the name is invalid', { metadata: { name: 'Orders' } }, 'invalid \'metadata.name\': "Orders".'],
  ])('fails when %s', (_case, props, message) => {
    expect(() => build(props)).toThrow(`${WHERE}: ${message}`);
  });

  test('an endpoint struct is plain data (jsii)', () => {
    const endpoint: PodMetricsEndpoint = { port: 'metrics' };
    expect(build({ podMetricsEndpoints: [endpoint] }).monitor.name).toMatch(/^test-monitor-/);
  });
});
