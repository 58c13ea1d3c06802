import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart, Testing, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { DataStoreCredentials, IDataStore } from '../../src/connection/data-store';
import { ArgoCdEndpointSync, ExternalService, ExternalServiceProps } from '../../src/connection/external-service';
import { SyncWaves } from '../../src/gitops/sync-waves';
import { StatefulWorkload } from '../../src/workload/stateful-workload';
import { findAll, findOne, synthValid } from '../util/harness';

function chartWithNamespace(namespace = 'shop'): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

/** The minimal IP form. */
function byIp(overrides: Partial<ExternalServiceProps> = {}): ExternalServiceProps {
  return {
    metadata: { name: 'db' },
    addresses: ['10.20.0.5'],
    ports: [{ port: 5432 }],
    argoCdEndpointSync: ArgoCdEndpointSync.NOT_APPLICABLE,
    ...overrides,
  };
}

/** Parses one YAML document with cdk8s' own loader. */
function parseYaml(text: string): any {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'external-service-')), 'doc.yaml');
  fs.writeFileSync(file, text);
  return Yaml.load(file)[0];
}

/** Argo CD's default `resource.exclusions` (manifests/base/config/argocd-cm.yaml, Argo CD 3.x). */
const ARGO_CD_DEFAULT_EXCLUSIONS = `
- apiGroups: ['', discovery.k8s.io]
  kinds: [Endpoints, EndpointSlice]
- apiGroups: [apiregistration.k8s.io]
  kinds: [APIService]
- apiGroups: [coordination.k8s.io]
  kinds: [Lease]
- apiGroups: [authentication.k8s.io, authorization.k8s.io]
  kinds: [SelfSubjectReview, TokenReview, LocalSubjectAccessReview, SelfSubjectAccessReview, SelfSubjectRulesReview, SubjectAccessReview]
- apiGroups: [certificates.k8s.io]
  kinds: [CertificateSigningRequest]
- apiGroups: [cert-manager.io]
  kinds: [CertificateRequest]
- apiGroups: [cilium.io]
  kinds: [CiliumIdentity, CiliumEndpoint, CiliumEndpointSlice]
- apiGroups: [kyverno.io, reports.kyverno.io, wgpolicyk8s.io]
  kinds: [PolicyReport, ClusterPolicyReport, EphemeralReport, ClusterEphemeralReport, AdmissionReport, ClusterAdmissionReport,
    BackgroundScanReport, ClusterBackgroundScanReport, UpdateRequest]
`;

describe('ExternalService', () => {
  describe('by DNS name', () => {
    test('defaults', () => {
      // GIVEN
      const chart = Testing.chart();

      // WHEN
      const ext = new ExternalService(chart, 'ext', { externalName: 'db.example.com' });

      // THEN
      const manifests = synthValid(chart);
      expect(manifests).toMatchSnapshot();
      expect(manifests).toHaveLength(1);
      const svc = findOne(manifests, 'Service');
      expect(svc.metadata.name).toMatch(/^test-ext-c8[0-9a-f]{6}$/);
      expect(svc.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'cdk8s-stateful' });
      expect(svc.spec).toEqual({ type: 'ExternalName', externalName: 'db.example.com' });
      expect(ext.name).toBe(svc.metadata.name);
      expect(ext.namespaceName).toBeUndefined();
      expect(ext.dnsName).toBe(svc.metadata.name);
      expect(ext.storeName).toBe(svc.metadata.name);
      expect(ext.externalName).toBe('db.example.com');
      expect(ext.serverName).toBe('db.example.com');
      expect(ext.clusterDomain).toBe('cluster.local');
      expect(ext.ports).toEqual([]);
      expect(ext.addresses).toStrictEqual([]);
      expect(ext.credentials).toBeUndefined();
      expect((ext as IDataStore).primaryEndpoint).toBeUndefined();
      expect(ext.endpointSlices).toEqual([]);
      expect(ext.legacyEndpointsObject).toBeUndefined();
    });

    test('all props', () => {
      // GIVEN
      const chart = chartWithNamespace();
      const secret = kplus.Secret.fromSecretName(chart, 'Creds', 'orders-db-credentials');

      // WHEN
      const ext = new ExternalService(chart, 'ext', {
        metadata: { name: 'orders-db', namespace: 'orders', labels: { team: 'orders' }, annotations: { owner: 'dba' } },
        externalName: 'orders.db.example.com.',
        ports: [{ name: 'postgres', port: 5432 }, { name: 'metrics', port: 9187, protocol: kplus.Protocol.TCP, targetPort: 9187 }],
        storeName: 'orders',
        credentials: DataStoreCredentials.fromSecret(secret, { usernameKey: 'user', passwordKey: 'pass' }),
        serverName: 'primary.orders.db.example.com',
        clusterDomain: 'k8s.internal',
      });

      // THEN
      const manifests = synthValid(chart);
      expect(manifests).toMatchSnapshot();
      const svc = findOne(manifests, 'Service', 'orders-db');
      expect(svc.metadata).toEqual({
        name: 'orders-db',
        namespace: 'orders',
        labels: { 'app.kubernetes.io/managed-by': 'cdk8s-stateful', 'team': 'orders' },
        annotations: { owner: 'dba' },
      });
      expect(svc.spec).toEqual({
        type: 'ExternalName',
        externalName: 'orders.db.example.com.',
        ports: [{ name: 'postgres', port: 5432, protocol: 'TCP' }, { name: 'metrics', port: 9187, protocol: 'TCP' }],
      });
      expect(ext.dnsName).toBe('orders-db.orders.svc.k8s.internal');
      expect(ext.endpoint.socketAddress).toBe('orders-db.orders.svc.k8s.internal:5432');
      expect(ext.storeName).toBe('orders');
      expect(ext.serverName).toBe('primary.orders.db.example.com');
      expect(ext.credentials?.secret.name).toBe('orders-db-credentials');
      expect(ext.credentials?.usernameKey).toBe('user');
      expect(ext.ports).toEqual([{ name: 'postgres', port: 5432, protocol: 'TCP' }, { name: 'metrics', port: 9187, protocol: 'TCP' }]);
    });

    test('keeps its ports, which cdk8s-plus-27 drops from an ExternalName Service', () => {
      // GIVEN
      const chart = Testing.chart();
      const plus = new kplus.Service(chart, 'plus', { type: kplus.ServiceType.EXTERNAL_NAME, externalName: 'db.example.com', ports: [{ port: 5432 }] });

      // WHEN
      new ExternalService(chart, 'ext', { metadata: { name: 'ext' }, externalName: 'db.example.com', ports: [{ port: 5432 }] });

      // THEN
      const manifests = synthValid(chart);
      expect(findOne(manifests, 'Service', plus.name).spec.ports).toBeUndefined();
      expect(findOne(manifests, 'Service', 'ext').spec.ports).toEqual([{ port: 5432, protocol: 'TCP' }]);
    });

    test('the endpoint is the in-cluster name, fully qualified with the chart namespace', () => {
      const chart = chartWithNamespace('shop');
      const ext = new ExternalService(chart, 'ext', { metadata: { name: 'db' }, externalName: 'db.example.com', ports: [{ port: 5432 }] });
      expect(ext.namespaceName).toBe('shop');
      expect(ext.endpoint.hostname).toBe('db.shop.svc.cluster.local');
      expect(ext.endpoint.port).toBe(5432);
      expect(findOne(synthValid(chart), 'Service', 'db').metadata.namespace).toBe('shop');
    });

    test('fails to give an endpoint without ports', () => {
      const ext = new ExternalService(Testing.chart(), 'ext', { externalName: 'db.example.com' });
      expect(() => ext.endpoint).toThrow(new Error(
        "ExternalService 'test/ext': invalid 'ports': []. Must list at least one port for 'endpoint' (which DataStoreConnection reads): "
        + "clients need a port to connect to. Add 'ports: [{ port: 5432 }]' to the ExternalService."));
    });

    test('serverName is the externalName without its trailing dot: SNI carries none', () => {
      // GIVEN
      const chart = Testing.chart();

      // WHEN
      const ext = new ExternalService(chart, 'ext', { metadata: { name: 'ext' }, externalName: 'db.example.com.', ports: [{ port: 5432 }] });

      // THEN the Service keeps the fully qualified name, clients get the name to verify
      expect(findOne(synthValid(chart), 'Service', 'ext').spec.externalName).toBe('db.example.com.');
      expect(ext.externalName).toBe('db.example.com.');
      expect(ext.serverName).toBe('db.example.com');
    });

    test('an explicit serverName is lower-cased and loses its trailing dot: it only reaches clients', () => {
      const ext = new ExternalService(Testing.chart(), 'ext', { externalName: 'db.example.com', serverName: 'Primary.DB.example.com.' });
      expect(ext.serverName).toBe('primary.db.example.com');
    });

    test('a targetPort equal to the port is accepted', () => {
      const chart = Testing.chart();
      new ExternalService(chart, 'ext', { metadata: { name: 'ext' }, externalName: 'db.example.com', ports: [{ port: 80, targetPort: 80 }] });
      expect(findOne(synthValid(chart), 'Service', 'ext').spec.ports).toEqual([{ port: 80, protocol: 'TCP' }]);
    });
  });

  describe('by IP address', () => {
    test('defaults', () => {
      // GIVEN
      const chart = Testing.chart();

      // WHEN
      const ext = new ExternalService(chart, 'ext', {
        addresses: ['10.20.0.5'],
        ports: [{ port: 5432 }],
        argoCdEndpointSync: ArgoCdEndpointSync.NOT_APPLICABLE,
      });

      // THEN
      const manifests = synthValid(chart);
      expect(manifests).toMatchSnapshot();
      expect(manifests.map(m => m.kind)).toEqual(['Service', 'EndpointSlice']);
      const svc = findOne(manifests, 'Service');
      expect(svc.spec).toEqual({
        type: 'ClusterIP',
        ipFamilyPolicy: 'SingleStack',
        ipFamilies: ['IPv4'],
        ports: [{ port: 5432, protocol: 'TCP', targetPort: 5432 }],
      });
      expect(svc.spec.selector).toBeUndefined();
      const slice = findOne(manifests, 'EndpointSlice');
      expect(slice.metadata.name).toBe(`${ext.name}-ipv4`);
      expect(ext.addresses).toEqual(['10.20.0.5']);
      expect(ext.externalName).toBeUndefined();
      expect(ext.serverName).toBeUndefined();
      expect(ext.endpoint.socketAddress).toBe(`${ext.name}:5432`);
      expect(ext.endpointSlices.map(s => s.name)).toEqual([`${ext.name}-ipv4`]);
    });

    test('all props', () => {
      // GIVEN
      const chart = chartWithNamespace();
      const secret = kplus.Secret.fromSecretName(chart, 'Creds', 'warehouse-credentials');

      // WHEN
      const ext = new ExternalService(chart, 'ext', {
        metadata: { name: 'warehouse', namespace: 'analytics', labels: { team: 'data' }, annotations: { owner: 'dba' } },
        addresses: ['10.20.0.5', '2001:DB8:0:0::5', '10.20.0.6'],
        ports: [{ name: 'postgres', port: 5432, targetPort: 15432 }, { name: 'metrics', port: 9187, protocol: kplus.Protocol.TCP }],
        argoCdEndpointSync: ArgoCdEndpointSync.renderOverride({ argoCdNamespace: 'gitops' }),
        legacyEndpoints: true,
        storeName: 'warehouse-db',
        credentials: DataStoreCredentials.fromSecret(secret),
        serverName: 'warehouse.example.com',
        clusterDomain: 'k8s.internal',
      });

      // THEN
      const manifests = synthValid(chart);
      expect(manifests).toMatchSnapshot();
      expect(manifests.map(m => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`)).toEqual([
        'Service/analytics/warehouse',
        'EndpointSlice/analytics/warehouse-ipv4',
        'EndpointSlice/analytics/warehouse-ipv6',
        'Endpoints/analytics/warehouse',
        'ConfigMap/gitops/argocd-cm',
      ]);
      expect(ext.addresses).toEqual(['10.20.0.5', '2001:db8::5', '10.20.0.6']);
      expect(ext.dnsName).toBe('warehouse.analytics.svc.k8s.internal');
      expect(ext.storeName).toBe('warehouse-db');
      expect(ext.serverName).toBe('warehouse.example.com');
      expect(ext.credentials?.secret.name).toBe('warehouse-credentials');
      expect(ext.legacyEndpointsObject?.kind).toBe('Endpoints');
    });

    test('a Service without selector, its port names equal to the EndpointSlice\'s', () => {
      // GIVEN
      const chart = chartWithNamespace();

      // WHEN
      new ExternalService(chart, 'ext', byIp({ ports: [{ name: 'postgres', port: 5432 }, { name: 'metrics', port: 9187 }] }));

      // THEN
      const manifests = synthValid(chart);
      const svc = findOne(manifests, 'Service', 'db');
      const slice = findOne(manifests, 'EndpointSlice', 'db-ipv4');
      expect(svc.spec.selector).toBeUndefined();
      expect(svc.spec.ports.map((p: any) => p.name)).toEqual(['postgres', 'metrics']);
      expect(slice.ports.map((p: any) => p.name)).toEqual(['postgres', 'metrics']);
    });

    test('the EndpointSlice carries the labels that tie it to the Service and name its manager', () => {
      const chart = chartWithNamespace();
      new ExternalService(chart, 'ext', byIp());
      const slice = findOne(synthValid(chart), 'EndpointSlice', 'db-ipv4');
      expect(slice.apiVersion).toBe('discovery.k8s.io/v1');
      expect(slice.metadata.namespace).toBe('shop');
      expect(slice.metadata.labels).toEqual({
        'kubernetes.io/service-name': 'db',
        'endpointslice.kubernetes.io/managed-by': 'cdk8s-stateful',
        'app.kubernetes.io/managed-by': 'cdk8s-stateful',
      });
      expect(slice.addressType).toBe('IPv4');
    });

    test('one address per endpoint, each ready', () => {
      const chart = Testing.chart();
      new ExternalService(chart, 'ext', byIp({ addresses: ['10.20.0.5', '10.20.0.6', '10.20.0.7'] }));
      expect(findOne(synthValid(chart), 'EndpointSlice', 'db-ipv4').endpoints).toEqual([
        { addresses: ['10.20.0.5'], conditions: { ready: true } },
        { addresses: ['10.20.0.6'], conditions: { ready: true } },
        { addresses: ['10.20.0.7'], conditions: { ready: true } },
      ]);
    });

    test('an unnamed port is named "" in the EndpointSlice, the name of the unnamed Service port (and the API server\'s default)', () => {
      const chart = Testing.chart();
      new ExternalService(chart, 'ext', byIp());
      const manifests = synthValid(chart);
      expect(findOne(manifests, 'Service', 'db').spec.ports).toEqual([{ port: 5432, protocol: 'TCP', targetPort: 5432 }]);
      expect(findOne(manifests, 'EndpointSlice', 'db-ipv4').ports).toEqual([{ name: '', port: 5432, protocol: 'TCP' }]);
    });

    test('several unnamed ports are named <protocol>-<port>', () => {
      const chart = Testing.chart();
      const ext = new ExternalService(chart, 'ext', byIp({ ports: [{ port: 5432 }, { port: 5432, protocol: kplus.Protocol.UDP }] }));
      const manifests = synthValid(chart);
      expect(findOne(manifests, 'Service', 'db').spec.ports.map((p: any) => p.name)).toEqual(['tcp-5432', 'udp-5432']);
      expect(findOne(manifests, 'EndpointSlice', 'db-ipv4').ports.map((p: any) => p.name)).toEqual(['tcp-5432', 'udp-5432']);
      expect(ext.ports.map(p => p.name)).toEqual(['tcp-5432', 'udp-5432']);
    });

    test('targetPort is the port on the addresses', () => {
      const chart = Testing.chart();
      const ext = new ExternalService(chart, 'ext', byIp({ ports: [{ name: 'postgres', port: 5432, targetPort: 15432 }] }));
      const manifests = synthValid(chart);
      expect(findOne(manifests, 'Service', 'db').spec.ports).toEqual([{ name: 'postgres', port: 5432, protocol: 'TCP', targetPort: 15432 }]);
      expect(findOne(manifests, 'EndpointSlice', 'db-ipv4').ports).toEqual([{ name: 'postgres', port: 15432, protocol: 'TCP' }]);
      expect(ext.endpoint.port).toBe(5432);
    });

    test('IPv6 addresses go to their own slice, in canonical form, and the Service becomes IPv6', () => {
      const chart = Testing.chart();
      const ext = new ExternalService(chart, 'ext', byIp({ addresses: ['2001:0DB8:0000:0000:0000:0000:0000:0005'] }));
      const manifests = synthValid(chart);
      expect(findAll(manifests, 'EndpointSlice').map(s => s.metadata.name)).toEqual(['db-ipv6']);
      const slice = findOne(manifests, 'EndpointSlice', 'db-ipv6');
      expect(slice.addressType).toBe('IPv6');
      expect(slice.endpoints).toEqual([{ addresses: ['2001:db8::5'], conditions: { ready: true } }]);
      expect(findOne(manifests, 'Service', 'db').spec).toMatchObject({ ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv6'] });
      expect(ext.addresses).toEqual(['2001:db8::5']);
    });

    test('both families: one slice per family, never mixed, and a dual-stack Service', () => {
      const chart = Testing.chart();
      new ExternalService(chart, 'ext', byIp({ addresses: ['2001:db8::5', '10.20.0.5', '2001:db8::6', '10.20.0.6'] }));
      const manifests = synthValid(chart);
      const v4 = findOne(manifests, 'EndpointSlice', 'db-ipv4');
      const v6 = findOne(manifests, 'EndpointSlice', 'db-ipv6');
      expect([v4.addressType, v6.addressType]).toEqual(['IPv4', 'IPv6']);
      expect(v4.endpoints.flatMap((e: any) => e.addresses)).toEqual(['10.20.0.5', '10.20.0.6']);
      expect(v6.endpoints.flatMap((e: any) => e.addresses)).toEqual(['2001:db8::5', '2001:db8::6']);
      // PreferDualStack without ipFamilies: the API server rejects a listed family the cluster lacks, so the
      // Service takes whichever families the cluster has, and the slice of each family works
      const spec = findOne(manifests, 'Service', 'db').spec;
      expect(spec.ipFamilyPolicy).toBe('PreferDualStack');
      expect(spec.ipFamilies).toBeUndefined();
    });

    test('legacy Endpoints: off by default; when on, named like the Service and not mirrored', () => {
      // GIVEN
      const chart = chartWithNamespace();

      // WHEN
      const off = new ExternalService(chart, 'off', byIp({ metadata: { name: 'off' } }));
      const on = new ExternalService(chart, 'on', byIp({
        metadata: { name: 'on' },
        addresses: ['10.20.0.5', '10.20.0.6'],
        ports: [{ name: 'postgres', port: 5432, targetPort: 15432 }],
        legacyEndpoints: true,
      }));

      // THEN
      const manifests = synthValid(chart);
      expect(findAll(manifests, 'Endpoints')).toHaveLength(1);
      expect(off.legacyEndpointsObject).toBeUndefined();
      expect(on.legacyEndpointsObject?.name).toBe('on');
      const endpoints = findOne(manifests, 'Endpoints', 'on');
      expect(endpoints.apiVersion).toBe('v1');
      expect(endpoints.metadata.namespace).toBe('shop');
      expect(endpoints.metadata.labels).toEqual({ 'endpointslice.kubernetes.io/skip-mirror': 'true', 'app.kubernetes.io/managed-by': 'cdk8s-stateful' });
      expect(endpoints.subsets).toEqual([{
        addresses: [{ ip: '10.20.0.5' }, { ip: '10.20.0.6' }],
        ports: [{ name: 'postgres', port: 15432, protocol: 'TCP' }],
      }]);
    });

    test('metadata: labels and annotations on the Service, namespace on everything', () => {
      const chart = chartWithNamespace('shop');
      new ExternalService(chart, 'ext', byIp({
        metadata: { name: 'db', namespace: 'data', labels: { team: 'dba' }, annotations: { owner: 'dba' } },
        legacyEndpoints: true,
      }));
      const manifests = synthValid(chart);
      const svc = findOne(manifests, 'Service', 'db');
      expect(svc.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'cdk8s-stateful', 'team': 'dba' });
      expect(svc.metadata.annotations).toEqual({ owner: 'dba' });
      expect(manifests.map(m => m.metadata.namespace)).toEqual(['data', 'data', 'data']);
      expect(findOne(manifests, 'EndpointSlice').metadata.annotations).toBeUndefined();
    });

    test('apiObject is the Service', () => {
      const ext = new ExternalService(Testing.chart(), 'ext', byIp());
      expect(ext.apiObject).toBeInstanceOf(ApiObject);
      expect(ext.apiObject.kind).toBe('Service');
      expect(ext.apiObject.name).toBe('db');
      expect(ApiObject.of(ext)).toBe(ext.apiObject);
    });

    test('getters return copies', () => {
      const ext = new ExternalService(Testing.chart(), 'ext', byIp());
      ext.addresses.push('10.9.9.9');
      ext.ports.push({ port: 1 });
      ext.endpointSlices.pop();
      expect(ext.addresses).toEqual(['10.20.0.5']);
      expect(ext.ports).toEqual([{ name: undefined, port: 5432, protocol: 'TCP' }]);
      expect(ext.endpointSlices).toHaveLength(1);
    });
  });

  describe('Argo CD', () => {
    test('NOT_APPLICABLE and ALREADY_ENABLED render nothing extra', () => {
      const chart = Testing.chart();
      new ExternalService(chart, 'a', byIp({ metadata: { name: 'a' }, argoCdEndpointSync: ArgoCdEndpointSync.NOT_APPLICABLE }));
      new ExternalService(chart, 'b', byIp({ metadata: { name: 'b' }, argoCdEndpointSync: ArgoCdEndpointSync.ALREADY_ENABLED }));
      expect(findAll(synthValid(chart), 'ConfigMap')).toEqual([]);
      expect([ArgoCdEndpointSync.NOT_APPLICABLE._mode, ArgoCdEndpointSync.ALREADY_ENABLED._mode]).toEqual(['NotApplicable', 'AlreadyEnabled']);
    });

    test('renderOverride() renders argocd-cm once, applied server-side and never pruned or deleted', () => {
      // GIVEN
      const chart = chartWithNamespace();

      // WHEN
      new ExternalService(chart, 'a', byIp({ metadata: { name: 'a' }, argoCdEndpointSync: ArgoCdEndpointSync.renderOverride() }));
      new ExternalService(chart, 'b', byIp({ metadata: { name: 'b' }, argoCdEndpointSync: ArgoCdEndpointSync.renderOverride() }));

      // THEN
      const cm = findOne(synthValid(chart), 'ConfigMap', 'argocd-cm');
      expect(cm.metadata).toEqual({
        name: 'argocd-cm',
        namespace: 'argocd',
        labels: { 'app.kubernetes.io/name': 'argocd-cm', 'app.kubernetes.io/part-of': 'argocd' },
        annotations: { 'argocd.argoproj.io/sync-options': 'ServerSideApply=true,Prune=false,Delete=false' },
      });
      expect(cm.data).toEqual({ 'resource.exclusions': ArgoCdEndpointSync.RESOURCE_EXCLUSIONS_WITHOUT_ENDPOINTS });
      expect(ArgoCdEndpointSync.renderOverride()._argoCdNamespace).toBe('argocd');
      expect(ArgoCdEndpointSync.renderOverride({ argoCdNamespace: 'gitops' })._mode).toBe('RenderOverride');
    });

    test('with sync waves, the Service and its slices are a data store and argocd-cm is configuration', () => {
      // GIVEN
      const chart = chartWithNamespace();
      SyncWaves.enable(chart);

      // WHEN
      new ExternalService(chart, 'ext', byIp({ argoCdEndpointSync: ArgoCdEndpointSync.renderOverride() }));

      // THEN
      const manifests = synthValid(chart);
      const wave = (kind: string) => findOne(manifests, kind).metadata.annotations?.['argocd.argoproj.io/sync-wave'];
      expect(wave('Service')).toBe('2');
      expect(wave('EndpointSlice')).toBe('2');
      expect(wave('ConfigMap')).toBe('1');
    });

    test('renderOverride() renders argocd-cm once per app, not once per chart', () => {
      // GIVEN two charts of one app, as examples/main.ts builds them
      const app = Testing.app();
      const orders = new Chart(app, 'orders', { namespace: 'orders' });
      const billing = new Chart(app, 'billing', { namespace: 'billing' });

      // WHEN
      new ExternalService(orders, 'db', byIp({ argoCdEndpointSync: ArgoCdEndpointSync.renderOverride() }));
      new ExternalService(billing, 'db', byIp({ addresses: ['10.20.0.6'], argoCdEndpointSync: ArgoCdEndpointSync.renderOverride() }));

      // THEN the first chart that asks for it renders it
      const all = app.charts.flatMap(c => c.toJson());
      expect(findAll(all, 'ConfigMap', 'argocd-cm').map(m => m.metadata.namespace)).toEqual(['argocd']);
      expect(findAll(orders.toJson(), 'ConfigMap', 'argocd-cm')).toHaveLength(1);
      expect(findAll(billing.toJson(), 'ConfigMap')).toEqual([]);
      expect(findAll(all, 'EndpointSlice').map(m => `${m.metadata.namespace}/${m.metadata.name}`)).toEqual(['orders/db-ipv4', 'billing/db-ipv4']);
    });

    test('fails when two charts of an app render the Argo CD override in different namespaces', () => {
      const app = Testing.app();
      new ExternalService(new Chart(app, 'orders'), 'db', byIp({ argoCdEndpointSync: ArgoCdEndpointSync.renderOverride() }));
      expect(() => new ExternalService(new Chart(app, 'billing'), 'db', byIp({ argoCdEndpointSync: ArgoCdEndpointSync.renderOverride({ argoCdNamespace: 'gitops' }) })))
        .toThrow(new Error("ExternalService 'billing/db': invalid 'argoCdEndpointSync.argoCdNamespace': \"gitops\". "
          + "The app already renders the argocd-cm override in namespace \"argocd\" (chart 'orders'). "
          + 'Use the same Argo CD namespace for every ExternalService of the app.'));
    });

    test('the override is Argo CD\'s default exclusions without Endpoints and EndpointSlice', () => {
      const ours = parseYaml(ArgoCdEndpointSync.RESOURCE_EXCLUSIONS_WITHOUT_ENDPOINTS);
      const defaults = parseYaml(ARGO_CD_DEFAULT_EXCLUSIONS);
      expect(ours).toEqual(defaults.filter((e: any) => !e.kinds.includes('EndpointSlice')));
      expect(ArgoCdEndpointSync.RESOURCE_EXCLUSIONS_WITHOUT_ENDPOINTS).not.toMatch(/- (Endpoints|EndpointSlice)\n/);
    });
  });

  describe('moving a store into the cluster (docs/data-stores.md "Moving a store into the cluster")', () => {
    /** The Service `user-db` as each home of the store renders it. */
    function rendered(build: (chart: Chart) => void): { service: any; slices: any[] } {
      const chart = chartWithNamespace('users');
      build(chart);
      const manifests = synthValid(chart);
      return { service: findOne(manifests, 'Service', 'user-db'), slices: findAll(manifests, 'EndpointSlice') };
    }
    const ports = [{ name: 'postgres', port: 5432 }];
    const byName = rendered(chart => new ExternalService(chart, 'user-db', { metadata: { name: 'user-db' }, externalName: 'users-db.example.com', ports }));
    const byAddress = rendered(chart => new ExternalService(chart, 'user-db', byIp({ metadata: { name: 'user-db' }, ports })));
    const inCluster = rendered(chart => new StatefulWorkload(chart, 'user-db', {
      metadata: { name: 'user-db' },
      containers: [{ name: 'postgres', image: 'docker.io/library/postgres:16.4', ports: [{ name: 'postgres', number: 5432 }], securityContext: { user: 999, group: 999 } }],
    }));

    test('the in-cluster store has a headless Service of the same name', () => {
      expect(inCluster.service.spec.clusterIP).toBe('None');
      expect(inCluster.service.spec.type).toBe('ClusterIP');
      expect(inCluster.slices).toEqual([]);
    });

    test('by DNS name: an ExternalName Service, which has no cluster IP, so the API server lets it become headless in place', () => {
      expect(byName.service.spec.type).toBe('ExternalName');
      expect(byName.service.spec.clusterIP).toBeUndefined();
    });

    test('by IP address: a ClusterIP Service, whose allocated cluster IP cannot change to None: delete the Service first', () => {
      // the API server allocates a cluster IP to this Service, and spec.clusterIP is immutable once
      // set (only an ExternalName Service is exempt): applying the headless Service over it fails
      expect(byAddress.service.spec.type).toBe('ClusterIP');
      expect(byAddress.service.spec.clusterIP).toBeUndefined();
      expect(inCluster.service.spec.clusterIP).not.toEqual(byAddress.service.spec.clusterIP);
    });

    // Server-side apply (Argo CD ServerSideApply=true): the old `type` belongs to the field manager
    // of the old manifest; a new manifest that leaves `type` to the default fails with
    // "spec.clusterIPs: Forbidden: may not be set for ExternalName services" (FACTS.md)
    test.each([
      ['by DNS name', () => byName, 'ExternalName'],
      ['by IP address', () => byAddress, 'ClusterIP'],
      ['in the cluster (headless)', () => inCluster, 'ClusterIP'],
    ])('%s: the Service states its type, so a server-side apply can move the store between homes', (_home, home, type) => {
      expect(home().service.spec.type).toBe(type);
    });

    test('by IP address: the EndpointSlices name the Service and outlive it unless pruned', () => {
      // a slice labelled kubernetes.io/service-name: user-db that is not managed by the EndpointSlice
      // controller stays after the move, and cluster DNS would add its address to the headless Service's
      expect(byAddress.slices.map(x => [x.metadata.name, x.metadata.labels])).toEqual([['user-db-ipv4', {
        'kubernetes.io/service-name': 'user-db',
        'endpointslice.kubernetes.io/managed-by': 'cdk8s-stateful',
        'app.kubernetes.io/managed-by': 'cdk8s-stateful',
      }]]);
    });
  });

  describe('errors', () => {
    const E = "ExternalService 'test/ext'";
    const make = (props: ExternalServiceProps) => () => new ExternalService(Testing.chart(), 'ext', props);
    const ip = (addresses: string[], more: Partial<ExternalServiceProps> = {}) => make(byIp({ addresses, ...more }));
    const dns = (externalName: string, more: Partial<ExternalServiceProps> = {}) => make({ externalName, ...more });
    const LOOPBACK = 'May not be in the loopback range (127.0.0.0/8, ::1): the API server refuses such endpoints, or nothing can connect to them. '
      + 'Use an address the cluster\'s nodes can route to.';

    test.each<[string, () => void, string]>([
      // which form
      ['neither externalName nor addresses is set', make({ ports: [{ port: 80 }] }),
        `${E}: invalid 'externalName': undefined. One of 'externalName' (a DNS name) and 'addresses' (IP addresses) is required. `
        + 'Set \'externalName: "db.example.com"\' or \'addresses: ["10.0.0.5"]\'.'],
      ['both externalName and addresses are set', make({ externalName: 'db.example.com', addresses: ['10.20.0.5'] }),
        `${E}: invalid 'addresses': ["10.20.0.5"]. Cannot be combined with 'externalName'. Set 'externalName' for a DNS name or 'addresses' for IP addresses, not both.`],

      // externalName
      ['an IPv4 address is given as externalName', dns('10.20.0.5'),
        `${E}: invalid 'externalName': "10.20.0.5". Must be a DNS name, not an IP address: Kubernetes accepts a dotted IPv4 address in an ExternalName Service `
        + 'but treats it as a DNS name that never resolves (and rejects IPv6). Use \'addresses: ["10.20.0.5"]\' instead of \'externalName\' for an IP address.'],
      ['an IPv6 address is given as externalName', dns('2001:db8::5'),
        `${E}: invalid 'externalName': "2001:db8::5". Must be a DNS name, not an IP address: Kubernetes accepts a dotted IPv4 address in an ExternalName Service `
        + 'but treats it as a DNS name that never resolves (and rejects IPv6). Use \'addresses: ["2001:db8::5"]\' instead of \'externalName\' for an IP address.'],
      ['an IP address with a port is given as externalName', dns('10.20.0.5:5432'),
        `${E}: invalid 'externalName': "10.20.0.5:5432". Must be a DNS name, not an IP address: Kubernetes accepts a dotted IPv4 address in an ExternalName Service `
        + 'but treats it as a DNS name that never resolves (and rejects IPv6). Use \'addresses: ["10.20.0.5"]\' instead of \'externalName\' for an IP address '
        + 'and put port 5432 in \'ports\'.'],
      ['an IPv4 address with leading zeros is given as externalName', dns('010.0.0.1'),
        `${E}: invalid 'externalName': "010.0.0.1". Must be a DNS name, not an IP address: Kubernetes accepts a dotted IPv4 address in an ExternalName Service `
        + 'but treats it as a DNS name that never resolves (and rejects IPv6). Use \'addresses: ["10.0.0.1"]\' instead of \'externalName\' '
        + 'for an IP address (if decimal was meant).'],
      ['an IPv4-mapped IPv6 address is given as externalName (addresses takes the IPv4 form)', dns('::ffff:10.0.0.1'),
        `${E}: invalid 'externalName': "::ffff:10.0.0.1". Must be a DNS name, not an IP address: Kubernetes accepts a dotted IPv4 address in an ExternalName Service `
        + 'but treats it as a DNS name that never resolves (and rejects IPv6). Use \'addresses: ["10.0.0.1"]\' instead of \'externalName\' for an IP address.'],
      ['a loopback address is given as externalName (addresses refuses it too)', dns('127.0.0.1'),
        `${E}: invalid 'externalName': "127.0.0.1". Must be a DNS name, not an IP address: Kubernetes accepts a dotted IPv4 address in an ExternalName Service `
        + 'but treats it as a DNS name that never resolves (and rejects IPv6). Use a DNS name that resolves to the store from inside the cluster: '
        + '\'addresses\' refuses "127.0.0.1" too, as it is in the loopback range (127.0.0.0/8, ::1).'],
      ['a link-local address with a zone is given as externalName (addresses refuses it too)', dns('fe80::1%eth0'),
        `${E}: invalid 'externalName': "fe80::1%eth0". Must be a DNS name, not an IP address: Kubernetes accepts a dotted IPv4 address in an ExternalName Service `
        + 'but treats it as a DNS name that never resolves (and rejects IPv6). Use a DNS name that resolves to the store from inside the cluster: '
        + '\'addresses\' refuses "fe80::1" too, as it is in the link-local range (169.254.0.0/16, fe80::/10).'],
      ['the broadcast address is given as externalName', dns('255.255.255.255'),
        `${E}: invalid 'externalName': "255.255.255.255". Must be a DNS name, not an IP address: Kubernetes accepts a dotted IPv4 address in an ExternalName Service `
        + 'but treats it as a DNS name that never resolves (and rejects IPv6). Use a DNS name that resolves to the store from inside the cluster: '
        + '\'addresses\' refuses "255.255.255.255" too, as it is the broadcast address (255.255.255.255).'],
      ['an IP address in a URL is given as externalName', dns('http://10.20.0.5:8080/'),
        `${E}: invalid 'externalName': "http://10.20.0.5:8080/". Must be a bare DNS name, not a URL. `
        + 'Use \'addresses: ["10.20.0.5"]\' instead of \'externalName\' for an IP address and put port 8080 in \'ports\'.'],
      ...['1.2.3', '10.0.0.256', '0x7f.0.0.1', 'db.example.123', '1.2.3.'].map((name): [string, () => void, string] => [
        `externalName "${name}" ends in an all-digit label (it reads as an IP address)`, dns(name),
        `${E}: invalid 'externalName': "${name}". Must be a DNS name: the last label of "${name}" is all digits, so it reads as an IP address `
        + '(no top-level domain is numeric) and never resolves. Use the store\'s DNS name, or \'addresses\' with its complete IP address.',
      ]),
      ['externalName is a URL', dns('postgres://db.example.com:5432/orders'),
        `${E}: invalid 'externalName': "postgres://db.example.com:5432/orders". Must be a bare DNS name, not a URL. Use "db.example.com" and put port 5432 in 'ports'.`],
      ['externalName has a scheme', dns('https://db.example.com'),
        `${E}: invalid 'externalName': "https://db.example.com". Must be a bare DNS name, not a URL. Use "db.example.com".`],
      ['externalName has a scheme with one slash', dns('http:/db'),
        `${E}: invalid 'externalName': "http:/db". Must be a bare DNS name, not a URL. Use "db".`],
      ['externalName is a scheme-relative URL', dns('//db.example.com'),
        `${E}: invalid 'externalName': "//db.example.com". Must be a bare DNS name, not a URL. Use "db.example.com".`],
      ['externalName is a URL with an invalid port', dns('https://db.example.com:0'),
        `${E}: invalid 'externalName': "https://db.example.com:0". Must be a bare DNS name, not a URL. Use "db.example.com" and put the port in 'ports'.`],
      ['externalName is a URL without a host', dns('https://'),
        `${E}: invalid 'externalName': "https://". Must be a bare DNS name, not a URL. Remove the scheme, port and path.`],
      ['externalName is a URL with credentials (never echoed)', dns('https://admin:hunter2@db.example.com'),
        `${E}: invalid 'externalName': "https://***@db.example.com". Must be a bare DNS name, not a URL. Use "db.example.com".`],
      ['externalName has credentials (never echoed)', dns('admin:hunter2@db.example.com'),
        `${E}: invalid 'externalName': "***@db.example.com". Must be a bare DNS name, without user name or password. `
        + 'Use "db.example.com" and keep credentials in a Secret (\'credentials\').'],
      ['externalName has leading whitespace', dns(' db.example.com'),
        `${E}: invalid 'externalName': " db.example.com". Must not have leading or trailing whitespace. Remove the whitespace: use "db.example.com".`],
      ['externalName has trailing whitespace around a bad name', dns('db_1.example.com\n'),
        `${E}: invalid 'externalName': "db_1.example.com\n". Must not have leading or trailing whitespace. Remove the whitespace.`],
      ['externalName is a path', dns('/var/run/postgresql'),
        `${E}: invalid 'externalName': "/var/run/postgresql". Must be a DNS name, not a path. Clients connect over the network: use the store's host name.`],
      ['externalName has a port 0', dns('db.example.com:0'),
        `${E}: invalid 'externalName': "db.example.com:0". Must be a bare DNS name, without a port. Use "db.example.com" and put the port in 'ports'.`],
      ['externalName has a port', dns('db.example.com:5432'),
        `${E}: invalid 'externalName': "db.example.com:5432". Must be a bare DNS name, without a port. Use "db.example.com" and put port 5432 in 'ports'.`],
      ['externalName has a path', dns('db.example.com/orders'),
        `${E}: invalid 'externalName': "db.example.com/orders". Must be a bare DNS name, without a path. Use "db.example.com".`],
      ['externalName has upper case', dns('DB.Example.com'),
        `${E}: invalid 'externalName': "DB.Example.com". Must be lower case: the API server rejects upper case DNS names. Use "db.example.com".`],
      ['externalName has invalid characters', dns('db_1.example.com'),
        `${E}: invalid 'externalName': "db_1.example.com". Must be a DNS name: dot-separated labels of lower case letters, digits and '-', `
        + 'each at most 63 characters, 253 in all. Use a name such as "db.example.com".'],
      ['externalName has a label longer than 63 characters', dns(`${'a'.repeat(64)}.example.com`),
        `${E}: invalid 'externalName': "${'a'.repeat(64)}.example.com". Must be a DNS name: dot-separated labels of lower case letters, digits and '-', `
        + 'each at most 63 characters, 253 in all. Use a name such as "db.example.com".'],
      ['externalName is empty', dns(''),
        `${E}: invalid 'externalName': "". Must be a DNS name. Set it to a name such as "db.example.com".`],
      ['externalName is localhost', dns('localhost'),
        `${E}: invalid 'externalName': "localhost". May not be in the loopback range (127.0.0.0/8, ::1): "localhost" is each pod itself. `
        + 'Use a name that resolves to the store from inside the cluster.'],
      ['an ExternalName port has a different targetPort', dns('db.example.com', { ports: [{ port: 5432, targetPort: 15432 }] }),
        `${E}: invalid 'ports[0].targetPort': 15432. Only used with 'addresses': an ExternalName Service is a DNS alias, clients connect to the external host on the Service port. `
        + 'Remove \'targetPort\', or set \'port\' to 15432.'],
      ['legacyEndpoints is set with externalName', dns('db.example.com', { legacyEndpoints: true }),
        `${E}: invalid 'legacyEndpoints': true. Only used with 'addresses': an ExternalName Service has no endpoints. Remove 'legacyEndpoints'.`],
      ['argoCdEndpointSync is set with externalName', dns('db.example.com', { argoCdEndpointSync: ArgoCdEndpointSync.ALREADY_ENABLED }),
        `${E}: invalid 'argoCdEndpointSync': "AlreadyEnabled". Only used with 'addresses': an ExternalName Service has no endpoints. Remove 'argoCdEndpointSync'.`],

      // addresses
      ['addresses is empty', ip([]),
        `${E}: invalid 'addresses': []. Must list at least one IP address. Add an address, or use 'externalName' for a DNS name.`],
      ['an address is not an IP address', ip(['10.20.0']),
        `${E}: invalid 'addresses[0]': "10.20.0". Must be an IPv4 or IPv6 address. Use an address such as "10.0.0.5" or "2001:db8::5".`],
      ['an IPv4 octet is out of range', ip(['10.20.0.256']),
        `${E}: invalid 'addresses[0]': "10.20.0.256". Must be an IPv4 or IPv6 address. Use an address such as "10.0.0.5" or "2001:db8::5".`],
      ['an IPv6 address has two "::"', ip(['2001::db8::5']),
        `${E}: invalid 'addresses[0]': "2001::db8::5". Must be an IPv4 or IPv6 address. Use an address such as "10.0.0.5" or "2001:db8::5".`],
      ['an address is a DNS name', ip(['10.20.0.5', 'db.example.com']),
        `${E}: invalid 'addresses[1]': "db.example.com". Must be an IP address, not a DNS name. Use 'externalName: "db.example.com"' instead of 'addresses' for a DNS name.`],
      ['an address is a URL', ip(['http://10.20.0.5:8080/']),
        `${E}: invalid 'addresses[0]': "http://10.20.0.5:8080/". Must be a bare IP address, not a URL. Use "10.20.0.5" and put port 8080 in 'ports'.`],
      ['an address is a URL with credentials (never echoed)', ip(['http://admin:hunter2@10.20.0.5']),
        `${E}: invalid 'addresses[0]': "http://***@10.20.0.5". Must be a bare IP address, not a URL. Use "10.20.0.5".`],
      ['an address is a URL of a loopback address', ip(['http://127.0.0.1:5432']),
        `${E}: invalid 'addresses[0]': "http://127.0.0.1:5432". Must be a bare IP address, not a URL. `
        + 'Remove the scheme, port and path, and use an address the cluster\'s nodes can route to.'],
      ['an address is the URL of a DNS name', ip(['https://db.example.com:5432']),
        `${E}: invalid 'addresses[0]': "https://db.example.com:5432". Must be a bare IP address, not a URL. `
        + 'Use \'externalName: "db.example.com"\' instead of \'addresses\' for a DNS name and put port 5432 in \'ports\'.'],
      ['an address has a port', ip(['10.20.0.5:5432']),
        `${E}: invalid 'addresses[0]': "10.20.0.5:5432". Must be a bare IP address, without a port. Use "10.20.0.5" and put port 5432 in 'ports'.`],
      ['an address has port 0', ip(['1.2.3.4:0']),
        `${E}: invalid 'addresses[0]': "1.2.3.4:0". Must be a bare IP address, without a port. Use "1.2.3.4" and put the port in 'ports'.`],
      ['an address has a port with a leading zero', ip(['10.20.0.5:080']),
        `${E}: invalid 'addresses[0]': "10.20.0.5:080". Must be a bare IP address, without a port. Use "10.20.0.5" and put the port in 'ports'.`],
      ['a loopback address has a port', ip(['127.0.0.1:5432']),
        `${E}: invalid 'addresses[0]': "127.0.0.1:5432". Must be a bare IP address, without a port. Remove the port, and use an address the cluster's nodes can route to.`],
      ['an address is in hexadecimal', ip(['0x7f.0.0.1']),
        `${E}: invalid 'addresses[0]': "0x7f.0.0.1". Must be an IPv4 or IPv6 address. Use an address such as "10.0.0.5" or "2001:db8::5".`],
      ['an address has leading whitespace', ip([' 10.20.0.5']),
        `${E}: invalid 'addresses[0]': " 10.20.0.5". Must not have leading or trailing whitespace. Remove the whitespace: use "10.20.0.5".`],
      ['an address is a scheme-relative URL', ip(['//10.20.0.5']),
        `${E}: invalid 'addresses[0]': "//10.20.0.5". Must be a bare IP address, not a URL. Use "10.20.0.5".`],
      ['an IPv6 address has brackets and a port', ip(['[2001:db8::5]:5432']),
        `${E}: invalid 'addresses[0]': "[2001:db8::5]:5432". Must be a bare IP address, without brackets or port. Use "2001:db8::5" and put port 5432 in 'ports'.`],
      ['an address is a CIDR', ip(['10.20.0.0/24']),
        `${E}: invalid 'addresses[0]': "10.20.0.0/24". Must be a single IP address, not a range (CIDR). List each address, e.g. "10.20.0.0".`],
      ['an IPv6 address has a zone', ip(['2001:db8::5%eth0']),
        `${E}: invalid 'addresses[0]': "2001:db8::5%eth0". Must be an IP address without a zone index: zones are local to one host. Use "2001:db8::5" if it is routable from the cluster.`],
      ['a link-local IPv6 address has a zone', ip(['fe80::1%eth0']),
        `${E}: invalid 'addresses[0]': "fe80::1%eth0". Must be an IP address without a zone index: zones are local to one host. Use an address the cluster's nodes can route to.`],
      ['an IPv4 address has leading zeros', ip(['010.020.000.005']),
        `${E}: invalid 'addresses[0]': "010.020.000.005". Must be an IPv4 address without leading zeros: "010" is octal to some tools and decimal to others. `
        + 'Write it as "10.20.0.5" if decimal was meant.'],
      ['a loopback IPv4 address has leading zeros', ip(['127.000.0.1']),
        `${E}: invalid 'addresses[0]': "127.000.0.1". Must be an IPv4 address without leading zeros: "010" is octal to some tools and decimal to others. `
        + 'Write it in decimal without leading zeros, as an address the cluster\'s nodes can route to.'],
      ['an IPv4 loopback address', ip(['127.0.0.1']), `${E}: invalid 'addresses[0]': "127.0.0.1". ${LOOPBACK}`],
      ['another IPv4 loopback address', ip(['127.200.3.4']), `${E}: invalid 'addresses[0]': "127.200.3.4". ${LOOPBACK}`],
      ['the IPv6 loopback address', ip(['::1']), `${E}: invalid 'addresses[0]': "::1". ${LOOPBACK}`],
      ['an IPv4 link-local address', ip(['169.254.169.254']),
        `${E}: invalid 'addresses[0]': "169.254.169.254". May not be in the link-local range (169.254.0.0/16, fe80::/10): the API server refuses such endpoints, `
        + 'or nothing can connect to them. Use an address the cluster\'s nodes can route to.'],
      ['an IPv6 link-local address', ip(['fe80::1']),
        `${E}: invalid 'addresses[0]': "fe80::1". May not be in the link-local range (169.254.0.0/16, fe80::/10): the API server refuses such endpoints, `
        + 'or nothing can connect to them. Use an address the cluster\'s nodes can route to.'],
      ['an IPv6 link-local address at the end of fe80::/10', ip(['febf::1']),
        `${E}: invalid 'addresses[0]': "febf::1". May not be in the link-local range (169.254.0.0/16, fe80::/10): the API server refuses such endpoints, `
        + 'or nothing can connect to them. Use an address the cluster\'s nodes can route to.'],
      ['an IPv4 multicast address', ip(['224.0.0.251']),
        `${E}: invalid 'addresses[0]': "224.0.0.251". May not be in the multicast range (224.0.0.0/4, ff00::/8): the API server refuses such endpoints, `
        + 'or nothing can connect to them. Use an address the cluster\'s nodes can route to.'],
      ['another IPv4 multicast address', ip(['239.255.255.250']),
        `${E}: invalid 'addresses[0]': "239.255.255.250". May not be in the multicast range (224.0.0.0/4, ff00::/8): the API server refuses such endpoints, `
        + 'or nothing can connect to them. Use an address the cluster\'s nodes can route to.'],
      ['an IPv6 multicast address', ip(['ff02::fb']),
        `${E}: invalid 'addresses[0]': "ff02::fb". May not be in the multicast range (224.0.0.0/4, ff00::/8): the API server refuses such endpoints, `
        + 'or nothing can connect to them. Use an address the cluster\'s nodes can route to.'],
      ['the IPv4 unspecified address', ip(['0.0.0.0']),
        `${E}: invalid 'addresses[0]': "0.0.0.0". May not be in the unspecified range (0.0.0.0/8, ::): the API server refuses such endpoints, `
        + 'or nothing can connect to them. Use an address the cluster\'s nodes can route to.'],
      ['the IPv6 unspecified address', ip(['::']),
        `${E}: invalid 'addresses[0]': "::". May not be in the unspecified range (0.0.0.0/8, ::): the API server refuses such endpoints, `
        + 'or nothing can connect to them. Use an address the cluster\'s nodes can route to.'],
      ['the broadcast address', ip(['255.255.255.255']),
        `${E}: invalid 'addresses[0]': "255.255.255.255". May not be the broadcast address (255.255.255.255): the API server refuses such endpoints, `
        + 'or nothing can connect to them. Use an address the cluster\'s nodes can route to.'],
      ['an IPv4-mapped IPv6 address (an IPv4 address in an IPv6 slice)', ip(['::ffff:10.20.0.5']),
        `${E}: invalid 'addresses[0]': "::ffff:10.20.0.5". Must not be an IPv4-mapped IPv6 address: the API server refuses it in an IPv6 EndpointSlice. Use the IPv4 form "10.20.0.5".`],
      ['an IPv4-mapped loopback address', ip(['::ffff:127.0.0.1']),
        `${E}: invalid 'addresses[0]': "::ffff:127.0.0.1". Must not be an IPv4-mapped IPv6 address: the API server refuses it in an IPv6 EndpointSlice. `
        + 'Use an address the cluster\'s nodes can route to.'],
      ['an address appears twice', ip(['10.20.0.5', '10.20.0.6', '10.20.0.5']),
        `${E}: invalid 'addresses[2]': "10.20.0.5". Each address may appear once: 'addresses[0]' is the same address. Remove the duplicate.`],
      ['an IPv6 address appears twice in different spellings', ip(['2001:db8::5', '2001:DB8:0:0:0:0:0:5']),
        `${E}: invalid 'addresses[1]': "2001:DB8:0:0:0:0:0:5". Each address may appear once: 'addresses[0]' is the same address ("2001:db8::5"). Remove the duplicate.`],
      ['a canonical address repeats one written differently', ip(['2001:DB8::5', '2001:db8::5']),
        `${E}: invalid 'addresses[1]': "2001:db8::5". Each address may appear once: 'addresses[0]' is the same address ("2001:db8::5"). Remove the duplicate.`],

      // ports
      ['addresses without ports', ip(['10.20.0.5'], { ports: undefined }),
        `${E}: invalid 'ports': []. Required with 'addresses': the EndpointSlices must name the ports to forward to. Add 'ports: [{ port: 5432 }]'.`],
      ['addresses with an empty port list', ip(['10.20.0.5'], { ports: [] }),
        `${E}: invalid 'ports': []. Required with 'addresses': the EndpointSlices must name the ports to forward to. Add 'ports: [{ port: 5432 }]'.`],
      ['a port is zero', ip(['10.20.0.5'], { ports: [{ port: 0 }] }),
        `${E}: invalid 'ports[0].port': 0. Must be an integer port number from 1 to 65535. Set 'ports[0].port' to a valid port.`],
      ['a port is too large', dns('db.example.com', { ports: [{ port: 80 }, { port: 65536 }] }),
        `${E}: invalid 'ports[1].port': 65536. Must be an integer port number from 1 to 65535. Set 'ports[1].port' to a valid port.`],
      ['a port is fractional', ip(['10.20.0.5'], { ports: [{ port: 54.32 }] }),
        `${E}: invalid 'ports[0].port': 54.32. Must be an integer port number from 1 to 65535. Set 'ports[0].port' to a valid port.`],
      ['a targetPort is invalid', ip(['10.20.0.5'], { ports: [{ port: 5432, targetPort: -1 }] }),
        `${E}: invalid 'ports[0].targetPort': -1. Must be an integer port number from 1 to 65535. Set 'ports[0].targetPort' to a valid port.`],
      ['a port name is invalid', ip(['10.20.0.5'], { ports: [{ name: 'Postgres_DB', port: 5432 }] }),
        `${E}: invalid 'ports[0].name': "Postgres_DB". Must be an IANA service name: at most 15 lower case letters, digits and '-', with at least one letter and no "--". `
        + 'Set \'ports[0].name\' to a name such as "http" or "postgres".'],
      ['a port appears twice', ip(['10.20.0.5'], { ports: [{ name: 'a', port: 5432 }, { name: 'b', port: 5432 }] }),
        `${E}: invalid 'ports[1].port': 5432. Each port number and protocol may appear once: 'ports[0]' is also 5432/TCP. Remove the duplicate port.`],
      ['a port appears twice, not next to each other', dns('db.example.com', { ports: [{ port: 80 }, { port: 443 }, { port: 80, protocol: kplus.Protocol.UDP }, { port: 443 }] }),
        `${E}: invalid 'ports[3].port': 443. Each port number and protocol may appear once: 'ports[1]' is also 443/TCP. Remove the duplicate port.`],
      ['a port name appears twice', dns('db.example.com', { ports: [{ name: 'db', port: 5432 }, { name: 'db', port: 5433 }] }),
        `${E}: invalid 'ports[1].name': "db". Port names must be unique: 'ports[0]' is also named "db" (unnamed ports are named "<protocol>-<port>" when there are several). `
        + 'Give each port its own \'name\'.'],
      ['a port name clashes with a derived name', ip(['10.20.0.5'], { ports: [{ name: 'tcp-5433', port: 5432 }, { port: 5433 }] }),
        `${E}: invalid 'ports[1].name': "tcp-5433". Port names must be unique: 'ports[0]' is also named "tcp-5433" (unnamed ports are named "<protocol>-<port>" when there are several). `
        + 'Give each port its own \'name\'.'],

      // Argo CD
      ['addresses without an Argo CD decision', ip(['10.20.0.5'], { argoCdEndpointSync: undefined }),
        `${E}: invalid 'argoCdEndpointSync': undefined. Required with 'addresses': Argo CD 3.0 and later exclude EndpointSlices and Endpoints from sync by default, `
        + 'so the Service would silently get no endpoints while the application shows Synced. '
        + 'Set it to ArgoCdEndpointSync.NOT_APPLICABLE (not deployed by Argo CD), ArgoCdEndpointSync.ALREADY_ENABLED '
        + '(argocd-cm resource.exclusions already allow them) or ArgoCdEndpointSync.renderOverride() (render the argocd-cm override).'],
      ['the Argo CD namespace is invalid', ip(['10.20.0.5'], { argoCdEndpointSync: ArgoCdEndpointSync.renderOverride({ argoCdNamespace: 'Argo CD' }) }),
        `${E}: invalid 'argoCdEndpointSync.argoCdNamespace': "Argo CD". Must be a DNS-1123 label of at most 63 characters: lower case letters, digits and '-', `
        + 'starting and ending with a letter or digit. Set \'argoCdEndpointSync.argoCdNamespace\' to a name such as "my-name".'],

      // names
      ['the Service name is not a DNS-1035 label', ip(['10.20.0.5'], { metadata: { name: '1db' } }),
        `${E}: invalid 'metadata.name': "1db". Must be a DNS-1035 label of at most 63 characters: lower case letters, digits and '-', starting with a letter `
        + 'and ending with a letter or digit. Set \'metadata.name\' to a name such as "my-service".'],
      ['storeName is not a DNS label', dns('db.example.com', { storeName: 'Orders DB' }),
        `${E}: invalid 'storeName': "Orders DB". Must be a DNS-1123 label of at most 63 characters: lower case letters, digits and '-', `
        + 'starting and ending with a letter or digit. Set \'storeName\' to a name such as "my-name".'],
      ['serverName is a URL', dns('db.example.com', { serverName: 'https://db.example.com' }),
        `${E}: invalid 'serverName': "https://db.example.com". Must be a bare DNS name or IP address, not a URL. Use "db.example.com".`],
      ['serverName is a URL with credentials (never echoed)', dns('db.example.com', { serverName: 'HTTPS://Admin:Hunter2@DB.example.com' }),
        `${E}: invalid 'serverName': "HTTPS://***@DB.example.com". Must be a bare DNS name or IP address, not a URL. Use "db.example.com".`],
      ['serverName is an IP address with a port', ip(['10.20.0.5'], { serverName: '10.20.0.5:5432' }),
        `${E}: invalid 'serverName': "10.20.0.5:5432". Must be a bare DNS name or IP address, without a port. Use "10.20.0.5" and put port 5432 in 'ports'.`],
      ['serverName is an IPv6 address in brackets', ip(['10.20.0.5'], { serverName: '[2001:db8::5]' }),
        `${E}: invalid 'serverName': "[2001:db8::5]". Must be a bare DNS name or IP address, without brackets or port. Use "2001:db8::5".`],
      ['serverName reads as an IP address but is none', ip(['10.20.0.5'], { serverName: '10.20.0.256' }),
        `${E}: invalid 'serverName': "10.20.0.256". Must be a DNS name or an IP address: "10.20.0.256" looks like an IP address (its last label is all digits) `
        + 'but is not one. Use a complete address such as "10.0.0.5", or a DNS name.'],
      ['serverName is a multicast address', dns('db.example.com', { serverName: '224.0.0.1' }),
        `${E}: invalid 'serverName': "224.0.0.1". May not be in the multicast range (224.0.0.0/4, ff00::/8): nothing can connect to it. Use the address clients connect to.`],
      ['the cluster domain is not a domain', dns('db.example.com', { clusterDomain: 'Cluster.Local' }),
        `${E}: invalid 'clusterDomain': "Cluster.Local". Must be a DNS domain such as "cluster.local". Set 'clusterDomain' to the cluster's DNS domain (kubelet --cluster-domain).`],
    ])('fails when %s', (_name, build, message) => {
      // an Error object: the whole message must match, not a part of it
      expect(build).toThrow(new Error(message));
    });

    test('fails when the generated Service name is not a DNS-1035 label', () => {
      const chart = new Chart(Testing.app(), '1st');
      expect(() => new ExternalService(chart, 'ext', { externalName: 'db.example.com' })).toThrow(
        "ExternalService '1st/ext': invalid 'metadata.name (generated from the construct path)': \"1st-ext-c8c4a391\". Must be a DNS-1035 label");
    });

    test('fails when two ExternalServices of a chart render the Argo CD override in different namespaces', () => {
      const chart = Testing.chart();
      new ExternalService(chart, 'a', byIp({ metadata: { name: 'a' }, argoCdEndpointSync: ArgoCdEndpointSync.renderOverride() }));
      expect(() => new ExternalService(chart, 'ext', byIp({ argoCdEndpointSync: ArgoCdEndpointSync.renderOverride({ argoCdNamespace: 'gitops' }) }))).toThrow(new Error(
        `${E}: invalid 'argoCdEndpointSync.argoCdNamespace': "gitops". The app already renders the argocd-cm override in namespace "argocd" (chart 'test'). `
        + 'Use the same Argo CD namespace for every ExternalService of the app.'));
    });

    test.each([
      ['externalName', (v: string) => ({ externalName: v })],
      ['serverName', (v: string) => ({ externalName: 'db.example.com', serverName: v })],
      ['addresses[0]', (v: string) => byIp({ addresses: [v] })],
      ['addresses (with externalName)', (v: string) => ({ externalName: 'db.example.com', addresses: [v] })],
    ])('an error about %s never echoes a password', (_prop, props) => {
      for (const value of ['https://admin:hunter2@db.example.com:5432/orders', 'admin:hunter2@db.example.com', 'postgres://admin:p@ss/w0rd@10.20.0.5']) {
        let message = '';
        try {
          new ExternalService(Testing.chart(), 'ext', props(value));
        } catch (e) {
          message = (e as Error).message;
        }
        expect(message).toMatch(/\*\*\*@/);
        expect(message).not.toMatch(/hunter2|p@ss|w0rd|admin/);
      }
    });
  });
});
