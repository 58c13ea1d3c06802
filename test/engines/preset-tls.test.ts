import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  CertManagerIssuerKind,
  DataStore,
  DataStoreConnection,
  DataStoreCredentials,
  Postgres,
  PresetCertificate,
  PresetTlsOptions,
  Redis,
  Valkey,
} from '../../src';
import { tlsNameCovers, uncoveredTlsName, defaultTlsNames, requiredTlsNames } from '../../src/engines/private/tls';
import { findOne, synthValid } from '../util/harness';
import { createTestCa, issueCertificate } from '../util/test-ca';

const ISSUER = { name: 'internal-ca', kind: CertManagerIssuerKind.CLUSTER_ISSUER };

const chartIn = (namespace: string | undefined = 'shop') => new Chart(Testing.app(), 'test', { namespace });

const postgres = (chart: Chart, tls: PresetTlsOptions, name = 'orders-db') => {
  const secret = kplus.Secret.fromSecretName(chart, `${name}-creds`, `${name}-credentials`);
  return new Postgres(chart, name, { metadata: { name }, credentials: DataStoreCredentials.fromSecret(secret), tls });
};
const redis = (chart: Chart, tls: PresetTlsOptions, props: { readReplicas?: number } = {}) => {
  const secret = kplus.Secret.fromSecretName(chart, 'auth', 'news-redis-auth');
  return new Redis(chart, 'news-redis', { metadata: { name: 'news-redis' }, password: DataStoreCredentials.fromPasswordSecret(secret), tls, ...props });
};
const podSpec = (manifests: any[], name: string) => findOne(manifests, 'StatefulSet', name).spec.template.spec;

describe('PresetTls (through the presets)', () => {
  test('defaults: a cert-manager Certificate for every pod and Service, mounted read-only with mode 0400', () => {
    // GIVEN
    const chart = chartIn();

    // WHEN
    const db = postgres(chart, { certificate: PresetCertificate.fromCertManager({ issuer: { name: 'internal-ca' } }) });
    const manifests = synthValid(chart);

    // THEN
    const certificate = findOne(manifests, 'Certificate', 'orders-db-tls');
    expect(certificate).toMatchSnapshot();
    expect(certificate.spec.issuerRef).toEqual({ name: 'internal-ca', kind: 'Issuer', group: 'cert-manager.io' });
    expect(certificate.spec.duration).toBeUndefined();
    expect(certificate.spec.privateKey).toEqual({ rotationPolicy: 'Always' });
    expect(db.serverTls!.required).toBe(true);
    expect(db.serverTls!.certificate).toBeDefined();
    expect(db.serverTls!.secret.name).toBe('orders-db-tls');
    expect(db.serverTls!.dnsNames).toEqual(certificate.spec.dnsNames);
    const spec = podSpec(manifests, 'orders-db');
    expect(spec.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'orders-db-tls', defaultMode: 0o400 } });
    for (const c of spec.containers) {
      expect(c.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/run/secrets/tls', readOnly: true });
    }
  });

  test('all props: a ClusterIssuer of another group, the Secret name, names given, duration and renewal', () => {
    // GIVEN
    const chart = chartIn();

    // WHEN
    postgres(chart, {
      required: false,
      certificate: PresetCertificate.fromCertManager({
        issuer: { name: 'pca', kind: CertManagerIssuerKind.CLUSTER_ISSUER, group: 'awspca.cert-manager.io' },
        secretName: 'orders-db-cert',
        dnsNames: ['*.orders-db.shop.svc.cluster.local', 'orders-db.shop.svc.cluster.local'],
        duration: Duration.days(30),
        renewBefore: Duration.hours(90),
      }),
    });
    const manifests = synthValid(chart);

    // THEN
    const certificate = findOne(manifests, 'Certificate', 'orders-db-cert');
    expect(certificate).toMatchSnapshot();
    expect(certificate.spec).toMatchObject({
      secretName: 'orders-db-cert',
      issuerRef: { name: 'pca', kind: 'ClusterIssuer', group: 'awspca.cert-manager.io' },
      dnsNames: ['*.orders-db.shop.svc.cluster.local', 'orders-db.shop.svc.cluster.local'],
      duration: '720h',
      renewBefore: '90h',
    });
  });

  test('the default names cover the headless Service, each client Service and each pod, short and fully qualified', () => {
    // GIVEN
    const chart = chartIn('news');

    // WHEN
    redis(chart, { certificate: PresetCertificate.fromCertManager({ issuer: ISSUER }) }, { readReplicas: 1 });
    const names: string[] = findOne(synthValid(chart), 'Certificate').spec.dnsNames;

    // THEN
    for (const host of ['news-redis-0.news-redis.news.svc.cluster.local', 'news-redis-1.news-redis.news.svc.cluster.local',
      'news-redis.news.svc.cluster.local', 'news-redis-write.news.svc.cluster.local', 'news-redis-read.news.svc.cluster.local',
      'news-redis', 'news-redis-write', 'news-redis-0.news-redis']) {
      expect({ host, covered: names.includes(host) }).toEqual({ host, covered: true });
    }
  });

  test('a Secret of yours: mounted as it is, no Certificate', () => {
    // GIVEN
    const chart = chartIn();
    const secret = kplus.Secret.fromSecretName(chart, 'cert', 'orders-db-cert');

    // WHEN
    const db = postgres(chart, { certificate: PresetCertificate.fromSecret(secret) });
    const manifests = synthValid(chart);

    // THEN
    expect(manifests.filter(m => m.kind === 'Certificate')).toEqual([]);
    expect(db.serverTls!.certificate).toBeUndefined();
    expect(podSpec(manifests, 'orders-db').volumes).toContainEqual({ name: 'tls', secret: { secretName: 'orders-db-cert', defaultMode: 0o400 } });
  });

  test('a rendered Secret whose certificate carries every name is accepted', () => {
    // GIVEN
    const chart = chartIn();
    const secret = new kplus.Secret(chart, 'cert', { metadata: { name: 'orders-db-cert' }, type: 'kubernetes.io/tls' });
    const db = postgres(chart, { certificate: PresetCertificate.fromSecret(secret) });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'preset-tls-'));
    try {
      const issued = issueCertificate(createTestCa(path.join(dir, 'ca'), 'ca'), db.serverTls!.dnsNames, 'server');
      for (const key of ['tls.crt', 'tls.key', 'ca.crt'] as const) secret.addStringData(key, issued[key]);

      // WHEN / THEN
      expect(() => synthValid(chart)).not.toThrow();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('consumers get the CA (only that key) and the engine\'s driver settings', () => {
    // GIVEN
    const chart = chartIn();
    const db = postgres(chart, { certificate: PresetCertificate.fromCertManager({ issuer: ISSUER }) });
    const app = new kplus.Deployment(chart, 'app', { containers: [{ image: 'registry.example.com/app:1.0.0' }] });

    // WHEN
    const connection = new DataStoreConnection(chart, 'conn', { store: db, consumers: [app.containers[0]] });
    const manifests = synthValid(chart);

    // THEN
    const data = findOne(manifests, 'ConfigMap', connection.apiObject.name).data;
    expect(data.ORDERS_DB_CA_FILE).toBe(`/var/run/secrets/cdk8s-stateful.io/${connection.apiObject.name}/ca.crt`);
    expect(data.ORDERS_DB_SSLMODE).toBe('verify-full');
    expect(connection.caFileVariable).toBe('ORDERS_DB_CA_FILE');
    expect(connection.caFile).toBe(data.ORDERS_DB_CA_FILE);
    expect(connection.tls!.variables).toEqual({ SSLMODE: 'verify-full' });
    const pod = findOne(manifests, 'Deployment').spec.template.spec;
    const volume = pod.volumes.find((v: any) => v.secret?.secretName === 'orders-db-tls');
    expect(volume.secret).toEqual({ secretName: 'orders-db-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: volume.name, mountPath: `/var/run/secrets/cdk8s-stateful.io/${connection.apiObject.name}`, readOnly: true });
  });

  test('Redis and Valkey hand out TLS=verify-full', () => {
    // GIVEN
    const chart = chartIn('news');
    const store = redis(chart, { certificate: PresetCertificate.fromCertManager({ issuer: ISSUER }) });
    const secret = kplus.Secret.fromSecretName(chart, 'vauth', 'cache-auth');
    const cache = new Valkey(chart, 'cache', { metadata: { name: 'cache' }, password: DataStoreCredentials.fromPasswordSecret(secret), tls: { certificate: PresetCertificate.fromCertManager({ issuer: ISSUER }) } });

    // WHEN / THEN
    expect(store.tls!.variables).toEqual({ TLS: 'verify-full' });
    expect(cache.tls!.variables).toEqual({ TLS: 'verify-full' });
    expect(store.tls!.caKey).toBe('ca.crt');
  });

  test('a store described by its attributes hands out its CA and settings too', () => {
    // GIVEN
    const chart = chartIn();
    const ca = kplus.Secret.fromSecretName(chart, 'ca', 'rds-ca');

    // WHEN
    const store = DataStore.fromDataStoreAttributes(chart, 'rds', {
      storeName: 'orders',
      hostname: 'orders.example.com',
      ports: [{ port: 5432 }],
      tls: { caSecret: ca, caKey: 'bundle.pem', variables: { SSLMODE: 'verify-full' } },
    });
    const connection = new DataStoreConnection(chart, 'conn', { store });
    const data = findOne(synthValid(chart), 'ConfigMap').data;

    // THEN
    expect(data.ORDERS_CA_FILE).toBe(`/var/run/secrets/cdk8s-stateful.io/${connection.apiObject.name}/bundle.pem`);
    expect(data.ORDERS_SSLMODE).toBe('verify-full');
  });

  describe('errors', () => {
    test('fails when TLS has no certificate source', () => {
      const chart = chartIn();
      expect(() => postgres(chart, {} as PresetTlsOptions)).toThrow(
        /Postgres 'test\/orders-db': invalid 'tls.certificate': undefined. TLS needs a certificate: PresetCertificate.fromSecret\(secret\)/);
    });

    test('fails when required is not a boolean', () => {
      const chart = chartIn();
      expect(() => postgres(chart, { certificate: PresetCertificate.fromCertManager({ issuer: ISSUER }), required: 'yes' as any }))
        .toThrow(/invalid 'tls.required': "yes". Must be true or false/);
    });

    test('fails when the certificate Secret is in another namespace', () => {
      const chart = chartIn();
      const secret = new kplus.Secret(chart, 'cert', { metadata: { name: 'orders-db-cert', namespace: 'other' }, type: 'kubernetes.io/tls' });
      expect(() => postgres(chart, { certificate: PresetCertificate.fromSecret(secret) }))
        .toThrow(/invalid 'tls.certificate': "Secret "orders-db-cert" in namespace "other"". Must be in the store's namespace \(namespace "shop"\)/);
    });

    test('fails when a rendered Secret is not of type kubernetes.io/tls, or lacks a key', () => {
      const chart = chartIn();
      const secret = new kplus.Secret(chart, 'cert', { metadata: { name: 'orders-db-cert' }, stringData: { 'tls.crt': 'x', 'tls.key': 'y' } });
      postgres(chart, { certificate: PresetCertificate.fromSecret(secret) });
      expect(() => Testing.synth(chart)).toThrow(/Must be a Secret of type kubernetes.io\/tls/);
      expect(() => Testing.synth(chart)).toThrow(/"Secret "orders-db-cert" without "ca.crt"". Must hold tls.crt, tls.key and ca.crt/);
    });

    test('fails when the certificate of a rendered Secret does not cover a pod name', () => {
      const chart = chartIn();
      const secret = new kplus.Secret(chart, 'cert', { metadata: { name: 'orders-db-cert' }, type: 'kubernetes.io/tls' });
      postgres(chart, { certificate: PresetCertificate.fromSecret(secret) });
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'preset-tls-'));
      try {
        const issued = issueCertificate(createTestCa(path.join(dir, 'ca'), 'ca'), ['orders-db.shop.svc.cluster.local'], 'server');
        for (const key of ['tls.crt', 'tls.key', 'ca.crt'] as const) secret.addStringData(key, issued[key]);
        expect(() => Testing.synth(chart)).toThrow(
          /Must cover every name clients are given, but none of its DNS names covers "orders-db-0.orders-db.shop.svc.cluster.local"/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test('fails when dnsNames do not cover a pod name', () => {
      const chart = chartIn();
      postgres(chart, { certificate: PresetCertificate.fromCertManager({ issuer: ISSUER, dnsNames: ['orders-db.shop.svc.cluster.local'] }) });
      expect(() => Testing.synth(chart)).toThrow(
        /invalid 'tls.certificate.dnsNames': \["orders-db.shop.svc.cluster.local"\]. Must cover every name clients are given, but none covers "orders-db-0.orders-db.shop.svc.cluster.local". Add "orders-db-0.orders-db.shop.svc.cluster.local" \(or a wildcard such as "\*.orders-db.shop.svc.cluster.local"\)/);
    });

    test('fails when dnsNames holds something that is no DNS name', () => {
      const chart = chartIn();
      expect(() => postgres(chart, { certificate: PresetCertificate.fromCertManager({ issuer: ISSUER, dnsNames: ['Orders_DB'] }) }))
        .toThrow(/invalid 'tls.certificate.dnsNames\[0\]': "Orders_DB". Must be a DNS name/);
      expect(() => postgres(chartIn(), { certificate: PresetCertificate.fromCertManager({ issuer: ISSUER, dnsNames: [] }) }))
        .toThrow(/invalid 'tls.certificate.dnsNames': \[\]. Must list at least one DNS name/);
    });

    test('fails when cert-manager is asked for a certificate without a namespace', () => {
      const chart = new Chart(Testing.app(), 'test');
      expect(() => postgres(chart, { certificate: PresetCertificate.fromCertManager({ issuer: ISSUER }) }))
        .toThrow(/invalid 'tls.certificate': "PresetCertificate.fromCertManager\(\)". Needs the store's namespace/);
    });

    test('fails when the issuer is missing or badly named', () => {
      expect(() => postgres(chartIn(), { certificate: PresetCertificate.fromCertManager({ issuer: undefined as any }) }))
        .toThrow(/invalid 'tls.certificate.issuer': undefined. Must name a cert-manager issuer/);
      expect(() => postgres(chartIn(), { certificate: PresetCertificate.fromCertManager({ issuer: { name: 'Internal CA' } }) }))
        .toThrow(/invalid 'tls.certificate.issuer.name': "Internal CA"/);
    });

    test('fails when the duration is under an hour, or renewBefore not shorter than it', () => {
      expect(() => postgres(chartIn(), { certificate: PresetCertificate.fromCertManager({ issuer: ISSUER, duration: Duration.minutes(30) }) }))
        .toThrow(/invalid 'tls.certificate.duration': "1800 seconds". Must be a whole number of seconds, at least 1h/);
      const oneDay = PresetCertificate.fromCertManager({ issuer: ISSUER, duration: Duration.days(1), renewBefore: Duration.days(1) });
      expect(() => postgres(chartIn(), { certificate: oneDay }))
        .toThrow(/invalid 'tls.certificate.renewBefore': "24h". Must be shorter than the certificate's duration \(24h\)/);
    });

    test('fails when Redis is told TLS is optional', () => {
      expect(() => redis(chartIn('news'), { certificate: PresetCertificate.fromCertManager({ issuer: ISSUER }), required: false }))
        .toThrow(/Redis 'test\/news-redis': invalid 'tls.required': false. Redis serves TLS on its client port, with the plain port off/);
    });

    test('fails when a store hands out a TLS variable from its connection properties too', () => {
      const chart = chartIn();
      const ca = kplus.Secret.fromSecretName(chart, 'ca', 'rds-ca');
      const store = DataStore.fromDataStoreAttributes(chart, 'rds', {
        storeName: 'orders',
        hostname: 'orders.example.com',
        ports: [{ port: 5432 }],
        tls: { caSecret: ca, variables: { SSLMODE: 'verify-full' } },
        connectionProperties: { extras: { SSLMODE: 'require' } },
      });
      expect(() => new DataStoreConnection(chart, 'conn', { store }))
        .toThrow(/The store hands out ORDERS_SSLMODE twice: from its TLS settings \(tls\) and from connectionProperties.extras.SSLMODE/);
    });

    test('fails when a store\'s TLS settings name a variable the connection sets itself', () => {
      const chart = chartIn();
      const ca = kplus.Secret.fromSecretName(chart, 'ca', 'rds-ca');
      expect(() => DataStore.fromDataStoreAttributes(chart, 'rds', {
        storeName: 'orders', hostname: 'orders.example.com', ports: [{ port: 5432 }], tls: { caSecret: ca, variables: { CA_FILE: 'x' } },
      })).toThrow(/invalid 'tls.variables': "CA_FILE". Must not be USERNAME, PASSWORD or CA_FILE/);
      expect(() => DataStore.fromDataStoreAttributes(chart, 'rds2', {
        storeName: 'orders', hostname: 'orders.example.com', ports: [{ port: 5432 }], tls: { caSecret: ca, variables: { sslmode: 'x' } },
      })).toThrow(/invalid 'tls.variables': "sslmode". Must be the end of an environment variable name/);
      expect(() => DataStore.fromDataStoreAttributes(chart, 'rds3', {
        storeName: 'orders', hostname: 'orders.example.com', ports: [{ port: 5432 }], tls: { caSecret: ca, caKey: '../ca' },
      })).toThrow(/invalid 'tls.caKey': "..\/ca". Must be a key of the Secret's data/);
    });
  });
});

describe('certificate names (RFC 6125)', () => {
  test.each([
    ['db-0.db.ns.svc.cluster.local', 'db-0.db.ns.svc.cluster.local', true],
    ['DB-0.db.ns.svc.cluster.local.', 'db-0.db.ns.svc.cluster.local', true],
    ['*.db.ns.svc.cluster.local', 'db-0.db.ns.svc.cluster.local', true],
    ['*.db.ns.svc.cluster.local', 'db.ns.svc.cluster.local', false],
    ['*.db.ns.svc.cluster.local', 'a.b.db.ns.svc.cluster.local', false],
    ['db.ns.svc.cluster.local', 'db-0.db.ns.svc.cluster.local', false],
  ])('%s covers %s: %s', (pattern, host, covers) => {
    expect(tlsNameCovers(pattern, host)).toBe(covers);
  });

  test('the default names cover every required name', () => {
    const identity = { statefulSetName: 'db', serviceName: 'db', namespace: 'ns', clusterDomain: 'example.internal', ordinals: [3, 4], clientServices: ['db-primary'] };
    expect(requiredTlsNames(identity)).toEqual([
      'db-3.db.ns.svc.example.internal', 'db-4.db.ns.svc.example.internal', 'db.ns.svc.example.internal', 'db-primary.ns.svc.example.internal',
    ]);
    expect(uncoveredTlsName(defaultTlsNames(identity), requiredTlsNames(identity))).toBeUndefined();
  });
});
