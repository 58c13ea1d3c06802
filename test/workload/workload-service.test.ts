import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DataStoreCredentials, ExternalTrafficPolicy, ServiceSelection, StatefulWorkload, WorkloadService } from '../../src';
import { findAll, findOne } from '../util/harness';

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

describe('WorkloadService checks and details', () => {
  const W = "WorkloadService 'test/db/ClientService'";
  const SYNTH = 'Validation failed with the following errors:\n  [test/db/ClientService] ';

  function workload(chart: Chart, containerPorts: kplus.ContainerPort[], extra: object = {}): StatefulWorkload {
    return new StatefulWorkload(chart, 'db', {
      metadata: { name: 'db' },
      containers: [{ name: 'db', image: IMAGE, ports: containerPorts, securityContext: { user: 999, group: 999 } }],
      ...extra,
    });
  }

  test('the internal factory names a Service of all pods <workload>-client and of one pod by its pod name', () => {
    const chart = Testing.chart();
    const host = db(chart);
    expect(WorkloadService._create(host, 'Direct', host, {}).name).toBe('db-client');
    expect(WorkloadService._create(host, 'DirectPod', host, { selection: ServiceSelection.pod(1) }).name).toBe('db-1');
  });

  test('storeName is the Service name and credentials are the workload\'s', () => {
    const chart = Testing.chart();
    const secret = kplus.Secret.fromSecretName(chart, 'Creds', 'db-credentials');
    const host = workload(chart, [{ number: 5432 }], { credentials: DataStoreCredentials.fromSecret(secret) });
    const service = host.addClientService({ name: 'db-read' });
    expect(service.storeName).toBe('db-read');
    expect(service.credentials).toBe(host.credentials);
    expect(service.credentials?.secret.name).toBe('db-credentials');
    expect(db(Testing.chart()).addClientService().credentials).toBeUndefined();
  });

  test('an ExternalName Service is refused', () => {
    expect(() => db(Testing.chart()).addClientService({ serviceType: kplus.ServiceType.EXTERNAL_NAME })).toThrow(
      `${W}: invalid 'serviceType': "ExternalName". Must be ClusterIP, NodePort or LoadBalancer. Use ExternalService for a Service of type ExternalName.`);
  });

  test.each([
    ['ClusterIP', kplus.ServiceType.CLUSTER_IP],
    ['NodePort', kplus.ServiceType.NODE_PORT],
  ])('loadBalancerSourceRanges are refused on a %s Service', (_name, serviceType) => {
    expect(() => db(Testing.chart()).addClientService({ serviceType, loadBalancerSourceRanges: ['10.0.0.0/8'] })).toThrow(
      `${W}: invalid 'loadBalancerSourceRanges': ["10.0.0.0/8"]. Only LoadBalancer Services use them. Set 'serviceType' to ServiceType.LOAD_BALANCER or remove 'loadBalancerSourceRanges'.`);
  });

  test.each([
    ['an address without prefix length', '10.0.0.1', '10.0.0.1/32'],
    ['a range with text before it', 'x/10.0.0.0/8', '10.0.0.0/8'],
    ['a range with text after it', '10.0.0.0/8x', '10.0.0.0/8'],
    ['a prefix length of four digits', '10.0.0.0/0008', '10.0.0.0/8'],
    ['a name, not an address', 'db/8', '10.0.0.0/8'],
    ['an empty string', '', '/32'],
  ])('fails when the source range is %s, suggesting the fix', (_name, range, hint) => {
    expect(() => db(Testing.chart()).addClientService({ serviceType: kplus.ServiceType.LOAD_BALANCER, loadBalancerSourceRanges: ['10.0.0.0/8', range] })).toThrow(
      `${W}: invalid 'loadBalancerSourceRanges[1]': "${range}". Must be an IP range in CIDR notation, e.g. "10.0.0.0/8" or "2001:db8::/32". Write the range with its prefix length, e.g. "${hint}".`);
  });

  test('podsWithLabels() needs at least one label', () => {
    expect(() => db(Testing.chart()).addClientService({ selection: ServiceSelection.podsWithLabels({}) })).toThrow(
      `${W}: invalid 'selection': {}. ServiceSelection.podsWithLabels() needs at least one label. Pass the labels that set the pods apart, e.g. { role: "primary" }, or use ServiceSelection.allPods().`);
  });

  test.each([
    ['value', { role: 'not a label' }, /invalid 'selection\["role"\]': "not a label"\. /],
    ['key', { 'bad key!': 'primary' }, /invalid 'selection key': "bad key!"\. /],
  ])('podsWithLabels() labels are checked: a bad %s', (_name, labels, message) => {
    expect(() => db(Testing.chart()).addClientService({ selection: ServiceSelection.podsWithLabels(labels) })).toThrow(message);
  });

  test('podsWithLabels() labels join the workload selector; the labels object is copied', () => {
    const chart = Testing.chart();
    const labels: { [key: string]: string } = { role: 'primary' };
    db(chart).addClientService({ selection: ServiceSelection.podsWithLabels(labels) });
    labels.role = 'replica';
    const svc = findOne(Testing.synth(chart), 'Service', 'db-client');
    expect(svc.spec.selector).toEqual({ 'role': 'primary', 'app.kubernetes.io/name': 'db', 'app.kubernetes.io/instance': 'db' });
  });

  test.each([
    ['port 0', [{ port: 0 }], 'ports[0].port', '0'],
    ['port 65536', [{ port: 5432 }, { port: 65536 }], 'ports[1].port', '65536'],
    ['a fractional port', [{ port: 5432.5 }], 'ports[0].port', '5432.5'],
    ['targetPort 0', [{ port: 5432, targetPort: 0 }], 'ports[0].targetPort', '0'],
    ['targetPort 65536', [{ port: 5432 }, { port: 80, targetPort: 65536 }], 'ports[1].targetPort', '65536'],
  ])('fails on %s', (_name, ports, prop, value) => {
    expect(() => db(Testing.chart()).addClientService({ ports })).toThrow(
      `${W}: invalid '${prop}': ${value}. Must be an integer port number from 1 to 65535. Set '${prop}' to a valid port.`);
  });

  test.each([
    ['upper case', 'HTTP'],
    ['too long', 'a-very-long-port-name'],
    ['double dash', 'my--port'],
  ])('fails on a port name in %s', (_name, name) => {
    expect(() => db(Testing.chart()).addClientService({ ports: [{ port: 5432 }, { port: 9187, name }] })).toThrow(
      `${W}: invalid 'ports[1].name': "${name}". Must be an IANA service name`);
  });

  test.each([
    ['ports 1 and 65535', [1, 65535]],
  ])('accepts %s', (_name, numbers) => {
    const chart = Testing.chart();
    const service = workload(chart, numbers.map(number => ({ number }))).addClientService({ ports: numbers.map(port => ({ port })) });
    expect(service.ports).toEqual(numbers.map(port => ({ name: undefined, port, protocol: 'TCP' })));
    expect(findOne(Testing.synth(chart), 'Service', 'db-client').spec.ports).toEqual(
      numbers.map(port => ({ name: `tcp-${port}`, port, targetPort: port, protocol: 'TCP' })));
  });

  test('an unnamed container port gets a <protocol>-<port> Service port name, in lower case', () => {
    const chart = Testing.chart();
    const service = workload(chart, [{ number: 5353, protocol: kplus.Protocol.UDP }]).addClientService({ ports: [{ port: 53, targetPort: 5353 }] });
    expect(findOne(Testing.synth(chart), 'Service', 'db-client').spec).toEqual({
      type: 'ClusterIP',
      selector: { 'app.kubernetes.io/name': 'db', 'app.kubernetes.io/instance': 'db' },
      ports: [{ name: 'udp-53', port: 53, targetPort: 5353, protocol: 'UDP' }],
    });
    expect(service.ports).toEqual([{ name: undefined, port: 53, protocol: 'UDP' }]);
    expect(service.endpoint.port).toBe(53);
  });

  test('a client port goes to the container port of the same number and protocol', () => {
    const chart = Testing.chart();
    const service = workload(chart, [
      { number: 53, name: 'dns-tcp', protocol: kplus.Protocol.TCP },
      { number: 53, name: 'dns-udp', protocol: kplus.Protocol.UDP },
    ], { clientPorts: [{ port: 53, protocol: 'UDP' }] }).addClientService();
    expect(service.ports).toEqual([{ name: 'dns-udp', port: 53, protocol: 'UDP' }]);
    expect(findOne(Testing.synth(chart), 'Service', 'db-client').spec.ports).toEqual([{ name: 'dns-udp', port: 53, targetPort: 'dns-udp', protocol: 'UDP' }]);
  });

  test('a declared client port no container exposes gives the Service no port for it', () => {
    const service = workload(Testing.chart(), [{ number: 5432 }], { clientPorts: [{ port: 1234 }, { port: 5432 }] }).addClientService();
    expect(service.ports).toEqual([{ name: undefined, port: 5432, protocol: 'TCP' }]);
  });

  test('fails at synth when the Service has no port', () => {
    const chart = Testing.chart();
    db(chart).addClientService({ ports: [] });
    expect(() => Testing.synth(chart)).toThrow(
      `${SYNTH}${W}: invalid 'ports': []. A ClusterIP Service needs at least one port. Add 'ports' or 'portNumber' to a container of the workload, or declare the workload's 'clientPorts'.`);
  });

  test('a NodePort Service without port names its type', () => {
    const chart = Testing.chart();
    new StatefulWorkload(chart, 'db', { metadata: { name: 'db' }, containers: [{ image: IMAGE, securityContext: { user: 999 } }] })
      .addClientService({ serviceType: kplus.ServiceType.NODE_PORT });
    expect(() => Testing.synth(chart)).toThrow(`${W}: invalid 'ports': []. A NodePort Service needs at least one port.`);
  });

  test.each([
    ['port', [{ port: 5432 }, { port: 1234 }], "'ports[1].port': 1234", 'port: 1234, targetPort: 5432'],
    ['targetPort', [{ port: 80, targetPort: 8080 }], "'ports[0].targetPort': 8080", 'port: 80, targetPort: 5432'],
  ])('fails at synth when the %s is not a container port, and only with that error', (_name, ports, what, example) => {
    const chart = Testing.chart();
    db(chart).addClientService({ ports });
    expect(() => Testing.synth(chart)).toThrow(
      `${SYNTH}${W}: invalid ${what}. Must be a port a container exposes ([5432,9187]). Add the port to a container, or set 'targetPort' to the container port the Service forwards to (e.g. { ${example} }).`);
    expect(() => Testing.synth(chart)).not.toThrow(/needs at least one port/);
  });

  test('the example target port is 8080 when no container exposes a port', () => {
    const chart = Testing.chart();
    new StatefulWorkload(chart, 'db', { metadata: { name: 'db' }, containers: [{ image: IMAGE, securityContext: { user: 999 } }] })
      .addClientService({ ports: [{ port: 80 }] });
    expect(() => Testing.synth(chart)).toThrow(
      `${W}: invalid 'ports[0].port': 80. Must be a port a container exposes ([]). Add the port to a container, or set 'targetPort' to the container port the Service forwards to (e.g. { port: 80, targetPort: 8080 }).`);
    expect(() => Testing.synth(chart)).not.toThrow(/needs at least one port/);
  });

  test('fails at synth on a repeated Service port', () => {
    const chart = Testing.chart();
    db(chart).addClientService({ ports: [{ port: 5432, name: 'a' }, { port: 5432, name: 'b' }] });
    expect(() => Testing.synth(chart)).toThrow(
      `${SYNTH}${W}: invalid 'ports': "5432/TCP". Each Service port number and protocol may appear once. Remove the duplicate port.`);
    expect(() => Testing.synth(chart)).not.toThrow(/port names must be unique/);
  });

  test('fails at synth on a repeated Service port name', () => {
    const chart = Testing.chart();
    db(chart).addClientService({ ports: [{ port: 5432 }, { port: 9187, name: 'postgres' }] });
    expect(() => Testing.synth(chart)).toThrow(
      `${SYNTH}${W}: invalid 'ports[].name': "postgres". Service port names must be unique. Give each port its own 'name'.`);
    expect(() => Testing.synth(chart)).not.toThrow(/may appear once/);
  });
});
