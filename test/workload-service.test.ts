import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ExternalTrafficPolicy, ServiceSelection, StatefulWorkload } from '../src';
import { findAll } from './util/harness';

const IMAGE = 'docker.io/library/postgres:16';

function db(chart: Chart): StatefulWorkload {
  return new StatefulWorkload(chart, 'db', {
    metadata: { name: 'db' },
    replicas: 3,
    containers: [{
      name: 'db',
      image: IMAGE,
      ports: [{ name: 'postgres', number: 5432 }, { name: 'metrics', number: 9187 }],
      securityContext: { user: 999, group: 999 },
    }],
  });
}

function services(chart: Chart): any[] {
  return findAll(Testing.synth(chart), 'Service').filter(s => s.spec.clusterIP !== 'None');
}

describe('WorkloadService', () => {
  test('defaults', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    db(chart).addClientService();
    // THEN
    expect(services(chart)).toMatchSnapshot();
  });

  test('all props', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'test', { namespace: 'data' });
    const workload = db(chart);
    // WHEN
    workload.addClientService({
      selection: ServiceSelection.pod(0),
      name: 'db-primary',
      serviceType: kplus.ServiceType.LOAD_BALANCER,
      ports: [{ port: 5432 }],
      labels: { role: 'primary' },
      annotations: { 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' },
      loadBalancerSourceRanges: ['10.0.0.0/8', '192.168.0.0/16'],
      externalTrafficPolicy: ExternalTrafficPolicy.LOCAL,
    });
    // THEN
    expect(services(chart)).toMatchSnapshot();
  });

  test('attributes', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'data' });
    const service = db(chart).addClientService({ serviceType: kplus.ServiceType.NODE_PORT, ports: [{ port: 9187 }] });
    expect(service.name).toBe('db-client');
    expect(service.serviceType).toBe(kplus.ServiceType.NODE_PORT);
    expect(service.dnsName).toBe('db-client.data.svc.cluster.local');
    expect(service.ports).toEqual([{ name: 'metrics', port: 9187, protocol: 'TCP' }]);
    expect(service.endpoint.socketAddress).toBe('db-client.data.svc.cluster.local:9187');
    expect(service.apiObject.kind).toBe('Service');
  });

  test.each([
    ['an IPv4 /32', '10.0.0.1/32'],
    ['an IPv4 /0', '0.0.0.0/0'],
    ['an IPv6 /128', '2001:db8::1/128'],
    ['an IPv6 /0', '::/0'],
  ])('accepts %s source range', (_name, range) => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    db(chart).addClientService({ serviceType: kplus.ServiceType.LOAD_BALANCER, loadBalancerSourceRanges: [range] });
    // THEN
    expect(services(chart)[0].spec.loadBalancerSourceRanges).toEqual([range]);
  });

  test.each([
    ['an IPv4 /33', '10.0.0.1/33'],
    ['an IPv6 /129', '2001:db8::1/129'],
    ['an IPv4 prefix length above 128', '10.0.0.0/128'],
  ])('fails when the source range is %s', (_name, range) => {
    expect(() => db(Testing.chart()).addClientService({ serviceType: kplus.ServiceType.LOAD_BALANCER, loadBalancerSourceRanges: [range] })).toThrow(
      `WorkloadService 'test/db/ClientService': invalid 'loadBalancerSourceRanges[0]': "${range}". Must be an IP range in CIDR notation, e.g. "10.0.0.0/8" or "2001:db8::/32". Write the range with its prefix length, e.g. "10.0.0.0/8".`);
  });

  test('externalTrafficPolicy is refused on a ClusterIP Service', () => {
    expect(() => db(Testing.chart()).addClientService({ externalTrafficPolicy: ExternalTrafficPolicy.LOCAL })).toThrow(
      "WorkloadService 'test/db/ClientService': invalid 'externalTrafficPolicy': \"Local\". Only NodePort and LoadBalancer Services use it. Set 'serviceType' to NodePort or LoadBalancer, or remove 'externalTrafficPolicy'.");
  });

  test('a Service name must be a DNS-1035 label', () => {
    expect(() => db(Testing.chart()).addClientService({ name: 'DB client' })).toThrow(
      /WorkloadService 'test\/db\/ClientService': invalid 'name': "DB client"\. Must be a DNS-1035 label/);
  });

  test('endpoint never throws: port 0 while the workload exposes no port (synthesis then fails)', () => {
    const workload = new StatefulWorkload(Testing.chart(), 'db', { containers: [{ image: IMAGE, securityContext: { user: 999 } }] });
    const service = workload.addClientService();
    expect(service.endpoint.port).toBe(0);
    expect(service.ports).toEqual([]);
  });

  test('maps a Service port to another container port, and reports what clients connect to', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'data' });
    const eureka = new StatefulWorkload(chart, 'eureka', {
      metadata: { name: 'eureka' },
      containers: [{ name: 'eureka', image: IMAGE, ports: [{ name: 'http', number: 8761 }], securityContext: { user: 999 } }],
    });
    const lb = eureka.addClientService({ name: 'eureka-lb', serviceType: kplus.ServiceType.LOAD_BALANCER, ports: [{ port: 80, targetPort: 8761 }] });
    expect(lb.endpoint.port).toBe(80);
    expect(lb.endpoint.socketAddress).toBe('eureka-lb.data.svc.cluster.local:80');
    expect(lb.ports).toEqual([{ name: 'http', port: 80, protocol: 'TCP' }]);
    const svc = services(chart).find((s: any) => s.metadata.name === 'eureka-lb');
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
  });

  test('several client Services: all pods for reads, the primary for writes, pods by label', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'data' });
    const workload = db(chart);
    const read = workload.addClientService({ name: 'db-read' });
    const write = workload.addClientService({ name: 'db-write', selection: ServiceSelection.pod(0) });
    const leader = workload.addClientService({ name: 'db-leader', selection: ServiceSelection.podsWithLabels({ role: 'primary' }) });
    expect([read.dnsName, write.dnsName, leader.dnsName]).toEqual([
      'db-read.data.svc.cluster.local', 'db-write.data.svc.cluster.local', 'db-leader.data.svc.cluster.local',
    ]);
    const byName = new Map(services(chart).map((s: any) => [s.metadata.name, s]));
    expect(Object.keys(byName.get('db-read').spec.selector).sort()).toEqual(['app.kubernetes.io/instance', 'app.kubernetes.io/name']);
    expect(byName.get('db-write').spec.selector['statefulset.kubernetes.io/pod-name']).toBe(`${workload.name}-0`);
    expect(byName.get('db-leader').spec.selector.role).toBe('primary');
    expect(byName.get('db-leader').spec.selector['app.kubernetes.io/name']).toBe(workload.name);
    expect(workload.services).toEqual([read, write, leader]);
  });
});
