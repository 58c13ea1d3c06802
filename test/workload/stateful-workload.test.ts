import { ApiObject, Chart, Duration, JsonPatch, Size, Testing, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  ClaimDataSource,
  DataStore,
  DataStoreConnection,
  DataStoreCredentials,
  DisruptionBudget,
  ExternalTrafficPolicy,
  PersistentVolumeClaimRetention,
  ServiceSelection,
  StaticVolumeSet,
  StaticVolumeSource,
  StorageClass,
  SyncWaves,
  WorkloadUpdateStrategy,
  StatefulWorkload,
  StatefulWorkloadProps,
  UnsatisfiableSpread,
  VolumeClaim,
} from '../../src';
import { Warnings } from '../../src/app/warnings';
import { declareIngressIsolation, indexStats } from '../../src/private/app-index';
import { restrictedViolations } from '../../src/private/pod-security';
import { allWarnings, STRICT_ENV } from '../../src/private/warnings';
import { findAll, findOne, synthValid } from '../util/harness';

const IMAGE = 'docker.io/library/postgres:16';

function minimal(overrides: Partial<StatefulWorkloadProps> = {}): StatefulWorkloadProps {
  return {
    containers: [{ name: 'db', image: IMAGE, portNumber: 5432, securityContext: { user: 999, group: 999 } }],
    ...overrides,
  };
}

function podSpec(manifests: any[]): any {
  return findOne(manifests, 'StatefulSet').spec.template.spec;
}

describe('StatefulWorkload', () => {
  test('defaults', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new StatefulWorkload(chart, 'db', minimal());
    // THEN
    expect(synthValid(chart)).toMatchSnapshot();
  });

  test('all props', () => {
    // GIVEN
    const chart = Testing.chart();
    const secret = kplus.Secret.fromSecretName(chart, 'Creds', 'db-credentials');
    const config = new kplus.ConfigMap(chart, 'Config', { metadata: { name: 'db-config' }, data: { 'postgresql.conf': 'max_connections = 100' } });
    const sa = kplus.ServiceAccount.fromServiceAccountName(chart, 'SA', 'db');
    // WHEN
    const db = new StatefulWorkload(chart, 'db', {
      metadata: { name: 'db', namespace: 'data', labels: { team: 'platform' }, annotations: { owner: 'platform' } },
      podMetadata: { labels: { tier: 'database' }, annotations: { 'prometheus.io/scrape': 'true' } },
      replicas: 3,
      podManagementPolicy: kplus.PodManagementPolicy.PARALLEL,
      strategy: WorkloadUpdateStrategy.rollingUpdate({ partition: 2, maxUnavailable: kplus.PercentOrAbsolute.absolute(1) }),
      minReady: Duration.seconds(15),
      revisionHistoryLimit: 5,
      ordinals: { start: 1 },
      persistentVolumeClaimRetentionPolicy: {
        whenDeleted: PersistentVolumeClaimRetention.RETAIN,
        whenScaled: PersistentVolumeClaimRetention.DELETE,
      },
      terminationGracePeriod: Duration.minutes(2),
      initContainers: [{ name: 'init-perms', image: 'docker.io/library/busybox:1.36', command: ['sh', '-c', 'true'], securityContext: { user: 999, group: 999 } }],
      containers: [{
        name: 'db',
        image: IMAGE,
        ports: [{ name: 'postgres', number: 5432 }, { name: 'metrics', number: 9187 }],
        envVariables: { PGDATA: kplus.EnvValue.fromValue('/var/lib/postgresql/data/pgdata') },
        envFrom: [kplus.Env.fromConfigMap(config)],
        securityContext: { user: 999, group: 999 },
        readiness: kplus.Probe.fromCommand(['pg_isready']),
      }],
      volumeClaimTemplates: [{
        name: 'data',
        storage: Size.gibibytes(10),
        mountPath: '/var/lib/postgresql/data',
        storageClassName: 'fast',
        accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE_POD],
        volumeMode: kplus.PersistentVolumeMode.FILE_SYSTEM,
        selector: kplus.LabelSelector.of({ labels: { disk: 'ssd' } }),
        dataSource: ClaimDataSource.fromSnapshot('db-snap-2024'),
        labels: { backup: 'daily' },
        annotations: { 'example.com/owner': 'platform' },
      }],
      headlessService: { name: 'db-peers', publishNotReadyAddresses: true, labels: { role: 'peers' }, annotations: { a: 'b' } },
      clusterDomain: 'corp.local',
      disruptionBudget: DisruptionBudget.minAvailable(kplus.PercentOrAbsolute.absolute(2)),
      topologySpread: [{ topology: kplus.Topology.ZONE, maxSkew: 2, whenUnsatisfiable: UnsatisfiableSpread.DO_NOT_SCHEDULE }],
      nodeSelector: { 'node.kubernetes.io/instance-type': 'm5.xlarge' },
      tolerations: [kplus.NodeTaintQuery.is('dedicated', 'db', { effect: kplus.TaintEffect.NO_SCHEDULE })],
      serviceAccount: sa,
      automountServiceAccountToken: true,
      securityContext: { fsGroup: 999, user: 999, group: 999, fsGroupChangePolicy: kplus.FsGroupChangePolicy.ALWAYS },
      restrictedPodSecurity: true,
      writableTmp: true,
      credentials: DataStoreCredentials.fromSecret(secret),
    });
    db.addClientService({
      serviceType: kplus.ServiceType.LOAD_BALANCER,
      ports: [{ port: 5432 }],
      annotations: { 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' },
      loadBalancerSourceRanges: ['10.0.0.0/8'],
      externalTrafficPolicy: ExternalTrafficPolicy.LOCAL,
    });
    db.exposePod(1, { name: 'db-primary', ports: [{ port: 5432 }] });
    // THEN
    expect(synthValid(chart)).toMatchSnapshot();
  });

  describe('StatefulSet spec', () => {
    test('replicas default to 1 and are set by the prop', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'one', minimal());
      new StatefulWorkload(chart, 'three', minimal({ metadata: { name: 'three' }, replicas: 3 }));
      const manifests = synthValid(chart);
      expect(findAll(manifests, 'StatefulSet').find(s => s.metadata.name !== 'three').spec.replicas).toBe(1);
      expect(findOne(manifests, 'StatefulSet', 'three').spec.replicas).toBe(3);
    });

    test('podManagementPolicy defaults to OrderedReady', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'a', minimal({ metadata: { name: 'a' } }));
      new StatefulWorkload(chart, 'b', minimal({ metadata: { name: 'b' }, podManagementPolicy: kplus.PodManagementPolicy.PARALLEL }));
      const manifests = synthValid(chart);
      expect(findOne(manifests, 'StatefulSet', 'a').spec.podManagementPolicy).toBe('OrderedReady');
      expect(findOne(manifests, 'StatefulSet', 'b').spec.podManagementPolicy).toBe('Parallel');
    });

    test('a partition equal to the replica count (a paused rollout) is accepted', () => {
      // GIVEN
      const chart = Testing.chart();
      // WHEN
      new StatefulWorkload(chart, 'db', minimal({ metadata: { name: 'db' }, replicas: 3, strategy: WorkloadUpdateStrategy.rollingUpdate({ partition: 3 }) }));
      // THEN
      expect(findOne(synthValid(chart), 'StatefulSet', 'db').spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 3 } });
    });

    test('update strategy: rolling update with partition and maxUnavailable, or OnDelete', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'a', minimal({ metadata: { name: 'a' } }));
      new StatefulWorkload(chart, 'b', minimal({
        metadata: { name: 'b' },
        replicas: 4,
        strategy: WorkloadUpdateStrategy.rollingUpdate({ partition: 3, maxUnavailable: kplus.PercentOrAbsolute.percent(25) }),
      }));
      new StatefulWorkload(chart, 'c', minimal({ metadata: { name: 'c' }, strategy: WorkloadUpdateStrategy.onDelete() }));
      const manifests = synthValid(chart);
      expect(findOne(manifests, 'StatefulSet', 'a').spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
      expect(findOne(manifests, 'StatefulSet', 'b').spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 3, maxUnavailable: '25%' } });
      expect(findOne(manifests, 'StatefulSet', 'c').spec.updateStrategy).toEqual({ type: 'OnDelete' });
    });

    test('maxUnavailable (alpha in 1.27) comes with a warning', () => {
      jest.spyOn(console, 'warn').mockImplementation(() => undefined);
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({
        replicas: 3,
        strategy: WorkloadUpdateStrategy.rollingUpdate({ maxUnavailable: kplus.PercentOrAbsolute.absolute(2) }),
      }));
      expect(allWarnings(chart)).toEqual([
        "StatefulWorkload 'test/db': warning: 'strategy.maxUnavailable': 2. It is alpha in Kubernetes 1.27: unless the MaxUnavailableStatefulSet feature gate is on, the API server drops the field, pods are updated one at a time, and Argo CD shows the StatefulSet as OutOfSync. Remove 'maxUnavailable' unless your cluster enables that feature gate. [cdk8s-stateful:max-unavailable-alpha]",
      ]);
    });

    test('minReady, revisionHistoryLimit, ordinals and terminationGracePeriod', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'a', minimal({ metadata: { name: 'a' } }));
      new StatefulWorkload(chart, 'b', minimal({
        metadata: { name: 'b' },
        minReady: Duration.seconds(30),
        revisionHistoryLimit: 3,
        ordinals: { start: 5 },
        terminationGracePeriod: Duration.minutes(5),
      }));
      const manifests = synthValid(chart);
      const a = findOne(manifests, 'StatefulSet', 'a').spec;
      expect(a.minReadySeconds).toBeUndefined();
      expect(a.revisionHistoryLimit).toBeUndefined();
      expect(a.ordinals).toBeUndefined();
      expect(a.template.spec.terminationGracePeriodSeconds).toBeUndefined();
      const b = findOne(manifests, 'StatefulSet', 'b').spec;
      expect(b.minReadySeconds).toBe(30);
      expect(b.revisionHistoryLimit).toBe(3);
      expect(b.ordinals).toEqual({ start: 5 });
      expect(b.template.spec.terminationGracePeriodSeconds).toBe(300);
    });

    test('PVC retention policy is written explicitly, Retain/Retain by default', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'a', minimal({ metadata: { name: 'a' } }));
      new StatefulWorkload(chart, 'b', minimal({
        metadata: { name: 'b' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: PersistentVolumeClaimRetention.DELETE },
      }));
      const manifests = synthValid(chart);
      expect(findOne(manifests, 'StatefulSet', 'a').spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
      expect(findOne(manifests, 'StatefulSet', 'b').spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Delete', whenScaled: 'Retain' });
    });

    test('serviceName always points at the governing Service', () => {
      const chart = Testing.chart();
      const own = new kplus.Service(chart, 'Own', { metadata: { name: 'my-peers' }, clusterIP: 'None', ports: [{ port: 5432 }] });
      new StatefulWorkload(chart, 'a', minimal({ metadata: { name: 'a' } }));
      new StatefulWorkload(chart, 'b', minimal({ metadata: { name: 'b' }, headlessService: { name: 'b-peers' } }));
      const c = new StatefulWorkload(chart, 'c', minimal({ metadata: { name: 'c' }, governingService: own }));
      const manifests = synthValid(chart);
      expect(findOne(manifests, 'StatefulSet', 'a').spec.serviceName).toBe('a');
      expect(findOne(manifests, 'Service', 'a').spec.clusterIP).toBe('None');
      expect(findOne(manifests, 'StatefulSet', 'b').spec.serviceName).toBe('b-peers');
      expect(findOne(manifests, 'Service', 'b-peers').spec.clusterIP).toBe('None');
      expect(findOne(manifests, 'StatefulSet', 'c').spec.serviceName).toBe('my-peers');
      expect(c.headlessServiceObject).toBeUndefined();
      expect(findAll(manifests, 'Service', 'c')).toEqual([]);
    });
  });

  describe('labels and names', () => {
    test('selector uses stable app.kubernetes.io labels, not the construct path', () => {
      const chartA = Testing.chart();
      new StatefulWorkload(chartA, 'db', minimal({ metadata: { name: 'orders-db' } }));
      const chartB = Testing.chart();
      const moved = new kplus.ConfigMap(chartB, 'SomewhereElse');
      new StatefulWorkload(moved, 'renamed', minimal({ metadata: { name: 'orders-db' } }));
      const a = findOne(synthValid(chartA), 'StatefulSet');
      const b = findOne(synthValid(chartB), 'StatefulSet');
      expect(a.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'orders-db', 'app.kubernetes.io/instance': 'orders-db' } });
      expect(b.spec.selector).toEqual(a.spec.selector);
      expect(a.spec.template.metadata.labels).toEqual(expect.objectContaining(a.spec.selector.matchLabels));
    });

    test('pod metadata labels never override the selector labels', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({
        metadata: { name: 'db' },
        podMetadata: { labels: { 'app.kubernetes.io/name': 'other', 'tier': 'db' } },
      }));
      const sts = findOne(synthValid(chart), 'StatefulSet');
      expect(sts.spec.template.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'db', 'app.kubernetes.io/instance': 'db', 'tier': 'db' });
    });

    test('the name is generated by the chart unless set', () => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', minimal());
      const manifests = synthValid(chart);
      expect(db.name).toMatch(/^test-db-[0-9a-f]{8}$/);
      expect(findOne(manifests, 'StatefulSet').metadata.name).toBe(db.name);
      expect(findOne(manifests, 'Service').metadata.name).toBe(db.name);
    });

    test('namespace comes from metadata, then from the chart', () => {
      const app = Testing.app();
      const chart = new Chart(app, 'c', { namespace: 'from-chart' });
      const a = new StatefulWorkload(chart, 'a', minimal({ metadata: { name: 'a' } }));
      const b = new StatefulWorkload(chart, 'b', minimal({ metadata: { name: 'b', namespace: 'own' } }));
      const noNs = new StatefulWorkload(Testing.chart(), 'c', minimal({ metadata: { name: 'c' } }));
      expect(a.namespaceName).toBe('from-chart');
      expect(b.namespaceName).toBe('own');
      expect(noNs.namespaceName).toBeUndefined();
      const manifests = synthValid(chart);
      expect(findOne(manifests, 'Service', 'b').metadata.namespace).toBe('own');
      expect(findOne(manifests, 'StatefulSet', 'b').metadata.namespace).toBe('own');
      expect(findOne(manifests, 'Service', 'a').metadata.namespace).toBe('from-chart');
    });
  });

  describe('attributes', () => {
    test('names and DNS names', () => {
      const app = Testing.app();
      const chart = new Chart(app, 'c', { namespace: 'prod' });
      const db = new StatefulWorkload(chart, 'db', minimal({
        metadata: { name: 'web' },
        replicas: 2,
        headlessService: { name: 'nginx' },
        volumeClaimTemplates: [{ name: 'www', storage: Size.gibibytes(1) }],
      }));
      expect(db.name).toBe('web');
      expect(db.serviceName).toBe('nginx');
      expect(db.namespaceName).toBe('prod');
      expect(db.replicas).toBe(2);
      expect(db.podName(0)).toBe('web-0');
      expect(db.podName(1)).toBe('web-1');
      expect(db.podDnsName(1)).toBe('web-1.nginx.prod.svc.cluster.local');
      expect(db.podHostName(0)).toBe('web-0.nginx');
      expect(db.podHostName(1)).toBe('web-1.nginx');
      expect(db.dnsName).toBe('nginx.prod.svc.cluster.local');
      expect(db.claimName(db.volumeClaimTemplates[0], 1)).toBe('www-web-1');
      expect(db.volumeClaimTemplates[0].claimName(0)).toBe('www-web-0');
      expect(db.ports).toEqual([{ name: undefined, port: 5432, protocol: 'TCP' }]);
      expect(db.storeName).toBe('web');
      expect(db.endpoint.hostname).toBe('nginx.prod.svc.cluster.local');
      expect(db.endpoint.port).toBe(5432);
      expect(db.endpoint.socketAddress).toBe('nginx.prod.svc.cluster.local:5432');
      expect(db.primaryEndpoint?.hostname).toBe('web-0.nginx.prod.svc.cluster.local');
    });

    test('storeName defaults to the StatefulSet name and can be set', () => {
      const chart = Testing.chart();
      const generated = new StatefulWorkload(chart, 'a', minimal());
      const named = new StatefulWorkload(chart, 'b', minimal({ storeName: 'user-db' }));
      expect(generated.storeName).toBe(generated.name);
      expect(named.storeName).toBe('user-db');
    });

    test('cluster domain is configurable', () => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'ns' });
      const db = new StatefulWorkload(chart, 'db', minimal({ metadata: { name: 'db' }, clusterDomain: 'corp.example' }));
      expect(db.clusterDomain).toBe('corp.example');
      expect(db.podDnsName(0)).toBe('db-0.db.ns.svc.corp.example');
      expect(db.podHostName(0)).toBe('db-0.db');
    });

    test('without a namespace, DNS names are relative to the namespace', () => {
      const db = new StatefulWorkload(Testing.chart(), 'db', minimal({ metadata: { name: 'db' } }));
      expect(db.podDnsName(0)).toBe('db-0.db');
      expect(db.dnsName).toBe('db');
    });

    test('ordinals.start shifts pod names and the primary', () => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'ns' });
      const db = new StatefulWorkload(chart, 'db', minimal({ metadata: { name: 'db' }, replicas: 2, ordinals: { start: 1 } }));
      expect(db.startOrdinal).toBe(1);
      expect(db.podName(2)).toBe('db-2');
      expect(db.primaryEndpoint?.hostname).toBe('db-1.db.ns.svc.cluster.local');
      expect(() => db.podName(0)).toThrow(/invalid 'podName\(ordinal\)': 0\. Must be an ordinal of a replica, from 1 to 2/);
      expect(() => db.podName(3)).toThrow(/from 1 to 2/);
      expect(db.podHostName(2)).toBe('db-2.db');
      expect(() => db.podHostName(0)).toThrow(/invalid 'podHostName\(ordinal\)': 0\. Must be an ordinal of a replica, from 1 to 2/);
    });

    test('credentials are exposed for consumers', () => {
      const chart = Testing.chart();
      const secret = kplus.Secret.fromSecretName(chart, 'S', 'creds');
      const db = new StatefulWorkload(chart, 'db', minimal({ credentials: DataStoreCredentials.fromSecret(secret, { usernameKey: 'user' }) }));
      expect(db.credentials?.secret.name).toBe('creds');
      expect(db.credentials?.usernameKey).toBe('user');
      expect(db.credentials?.passwordKey).toBe('password');
    });

    test('endpoint never throws: port 0 without a client port, and wiring a consumer then fails at synth', () => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', { containers: [{ image: IMAGE, securityContext: { user: 999 } }] });
      expect(db.endpoint.port).toBe(0);
      expect(db.primaryEndpoint?.port).toBe(0);
      expect(db.ports).toEqual([]);
      new DataStoreConnection(chart, 'conn', { store: db });
      expect(() => Testing.synth(chart)).toThrow(/DataStoreConnection 'test\/conn': invalid 'store': .*has no client port/);
    });

    test('client ports are declared: a sidecar added first does not move the endpoint', () => {
      const db = new StatefulWorkload(Testing.chart(), 'db', {
        containers: [
          { name: 'exporter', image: IMAGE, ports: [{ name: 'metrics', number: 9187 }], securityContext: { user: 65534 } },
          { name: 'db', image: IMAGE, ports: [{ name: 'sql', number: 5432 }], securityContext: { user: 999 } },
        ],
        clientPorts: [{ port: 5432 }],
      });
      expect(db.endpoint.port).toBe(5432);
      expect(db.ports).toEqual([{ name: 'sql', port: 5432, protocol: 'TCP' }]);
      // the headless Service still lists every container port
      const headless = findOne(synthValid(db.node.scope as Chart), 'Service', db.serviceName);
      expect(headless.spec.ports.map((p: any) => p.port)).toEqual([9187, 5432]);
    });

    test('pod metadata and scheduling can change after construction', () => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', minimal({ replicas: 3, podMetadata: { labels: { team: 'a' } }, nodeSelector: { disk: 'ssd' } }));
      db.podMetadata.addLabel('tier', 'data');
      db.podMetadata.addAnnotation('backup.velero.io/backup-volumes', 'data');
      db.addNodeSelector('zone-class', 'fast');
      db.addToleration(kplus.NodeTaintQuery.is('dedicated', 'db'));
      db.addTopologySpread({ topology: kplus.Topology.HOSTNAME, whenUnsatisfiable: UnsatisfiableSpread.DO_NOT_SCHEDULE });
      const sts = findOne(synthValid(chart), 'StatefulSet');
      expect(sts.spec.template.metadata.labels).toMatchObject({ team: 'a', tier: 'data' });
      expect(sts.spec.template.metadata.annotations).toEqual({ 'backup.velero.io/backup-volumes': 'data' });
      expect(sts.spec.template.spec.nodeSelector).toEqual({ 'disk': 'ssd', 'zone-class': 'fast' });
      expect(sts.spec.template.spec.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'db' }]);
      // the first spread added replaces the default (nodes and zones)
      expect(sts.spec.template.spec.topologySpreadConstraints).toEqual([
        { topologyKey: 'kubernetes.io/hostname', maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: db.selectorLabels } },
      ]);
      // the selector labels win over a pod label of the same key
      db.podMetadata.addLabel('app.kubernetes.io/name', 'other');
      expect(findOne(Testing.synth(chart), 'StatefulSet').spec.template.metadata.labels['app.kubernetes.io/name']).toBe(db.name);
    });

    test('a pod label added after construction is checked at synth', () => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', minimal());
      db.podMetadata.addLabel('team', 'not a label value');
      expect(() => Testing.synth(chart)).toThrow(/invalid 'podMetadata.labels\["team"\]': "not a label value"/);
    });

    test('client ports are inferred when only one container exposes ports', () => {
      const db = new StatefulWorkload(Testing.chart(), 'db', {
        containers: [
          { name: 'db', image: IMAGE, ports: [{ number: 5432 }, { name: 'repl', number: 5433 }], securityContext: { user: 999 } },
          { name: 'agent', image: IMAGE, securityContext: { user: 999 } },
        ],
      });
      expect(db.ports).toEqual([{ name: undefined, port: 5432, protocol: 'TCP' }, { name: 'repl', port: 5433, protocol: 'TCP' }]);
      expect(db.endpoint.port).toBe(5432);
    });

    test('a declared client port keeps its own name and protocol', () => {
      const db = new StatefulWorkload(Testing.chart(), 'db', {
        containers: [{ name: 'dns', image: IMAGE, ports: [{ name: 'dns-udp', number: 53, protocol: kplus.Protocol.UDP }], securityContext: { user: 999 } }],
        clientPorts: [{ port: 53, protocol: 'UDP', name: 'dns' }],
      });
      expect(db.ports).toEqual([{ name: 'dns', port: 53, protocol: 'UDP' }]);
    });
  });

  describe('volume claim templates', () => {
    test('are written with apiVersion, kind and volumeMode so Argo CD sees no drift', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({ volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1) }] }));
      const template = findOne(synthValid(chart), 'StatefulSet').spec.volumeClaimTemplates[0];
      expect(template).toEqual({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' },
      });
    });

    test.each([
      [Size.kibibytes(16), '16Ki'],
      [Size.mebibytes(1), '1Mi'],
      [Size.mebibytes(512), '512Mi'],
      [Size.mebibytes(1536), '1536Mi'],
      [Size.gibibytes(1), '1Gi'],
      [Size.tebibytes(2), '2Ti'],
    ])('size %p renders %s', (size, quantity) => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({ volumeClaimTemplates: [{ name: 'data', storage: size }] }));
      expect(findOne(synthValid(chart), 'StatefulSet').spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe(quantity);
    });

    test('storage class, access modes, volume mode, selector, data source, labels and annotations', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({
        volumeClaimTemplates: [{
          name: 'data',
          storage: Size.gibibytes(1),
          storageClassName: 'alicloud-nas',
          accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_MANY, kplus.PersistentVolumeAccessMode.READ_ONLY_MANY],
          volumeMode: kplus.PersistentVolumeMode.BLOCK,
          selector: kplus.LabelSelector.of({ labels: { disk: 'nas' } }),
          dataSource: ClaimDataSource.fromClaim('seed'),
          labels: { a: 'b' },
          annotations: { c: 'd' },
        }],
      }));
      const t = findOne(synthValid(chart), 'StatefulSet').spec.volumeClaimTemplates[0];
      expect(t.metadata).toEqual({ name: 'data', labels: { a: 'b' }, annotations: { c: 'd' } });
      expect(t.spec.storageClassName).toBe('alicloud-nas');
      expect(t.spec.accessModes).toEqual(['ReadWriteMany', 'ReadOnlyMany']);
      expect(t.spec.volumeMode).toBe('Block');
      expect(t.spec.selector).toEqual({ matchLabels: { disk: 'nas' } });
      expect(t.spec.dataSource).toEqual({ kind: 'PersistentVolumeClaim', name: 'seed' });
    });

    test('data sources: snapshot, claim, any populator', () => {
      expect(ClaimDataSource.fromSnapshot('s')).toMatchObject({ apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 's' });
      expect(ClaimDataSource.fromClaim('c')).toMatchObject({ apiGroup: undefined, kind: 'PersistentVolumeClaim', name: 'c' });
      expect(ClaimDataSource.of('Populator', 'p', 'example.com')).toMatchObject({ apiGroup: 'example.com', kind: 'Populator', name: 'p' });
    });

    test('mountPath mounts the claim in every container but not in init containers, and adds no pod volume', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', {
        initContainers: [{ name: 'init', image: IMAGE, securityContext: { user: 999 } }],
        containers: [
          { name: 'a', image: IMAGE, securityContext: { user: 999 } },
          { name: 'b', image: IMAGE, securityContext: { user: 999 } },
        ],
        volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), mountPath: '/data' }],
      });
      const spec = podSpec(synthValid(chart));
      for (const c of spec.containers) expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
      expect(spec.initContainers[0].volumeMounts).not.toContainEqual(expect.objectContaining({ name: 'data' }));
      expect(spec.volumes.map((v: any) => v.name)).toEqual(['tmp']);
    });

    test('container.mount(path, template) mounts one container, with options', () => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db');
      const init = db.addInitContainer({ name: 'restore', image: IMAGE, securityContext: { user: 999 } });
      const main = db.addContainer({ name: 'db', image: IMAGE, securityContext: { user: 999 } });
      const sidecar = db.addContainer({ name: 'backup', image: IMAGE, securityContext: { user: 999 } });
      const data = db.addVolumeClaimTemplate({ name: 'data', storage: Size.gibibytes(1) });
      main.mount('/var/lib/data', data);
      init.mount('/restore', data, { subPath: 'pgdata' });
      sidecar.mount('/backup/source', data, { readOnly: true });
      const spec = podSpec(synthValid(chart));
      expect(spec.containers.find((c: any) => c.name === 'db').volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/data' });
      expect(spec.containers.find((c: any) => c.name === 'backup').volumeMounts).toContainEqual({ name: 'data', mountPath: '/backup/source', readOnly: true });
      expect(spec.initContainers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/restore', subPath: 'pgdata' });
      expect(spec.volumes.map((v: any) => v.name)).toEqual(['tmp']);
    });

    test('ConfigMap, Secret and emptyDir volumes survive next to claim templates (cdk8s#2858)', () => {
      const chart = Testing.chart();
      const cm = new kplus.ConfigMap(chart, 'Cm', { metadata: { name: 'conf' }, data: { a: 'b' } });
      const secret = kplus.Secret.fromSecretName(chart, 'Sec', 'tls');
      const db = new StatefulWorkload(chart, 'db', minimal({ volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), mountPath: '/data' }] }));
      const c = db.containers[0];
      c.mount('/etc/conf', kplus.Volume.fromConfigMap(chart, 'CmVol', cm, { name: 'conf' }));
      c.mount('/etc/tls', kplus.Volume.fromSecret(chart, 'SecVol', secret, { name: 'tls' }));
      db.addVolume(kplus.Volume.fromEmptyDir(chart, 'Cache', 'cache', { medium: kplus.EmptyDirMedium.MEMORY, sizeLimit: Size.mebibytes(64) }));
      const spec = podSpec(synthValid(chart));
      expect(spec.volumes).toEqual(expect.arrayContaining([
        { name: 'conf', configMap: { name: 'conf' } },
        { name: 'tls', secret: { secretName: 'tls' } },
        { name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
        { name: 'tmp', emptyDir: {} },
      ]));
      expect(spec.volumes).toHaveLength(4);
      expect(findOne(synthValid(chart), 'StatefulSet').spec.volumeClaimTemplates).toHaveLength(1);
    });

    test('templates added after construction still reach the manifest', () => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', minimal());
      db.addVolumeClaimTemplate({ name: 'late', storage: Size.gibibytes(2), mountPath: '/late' });
      const sts = findOne(synthValid(chart), 'StatefulSet');
      expect(sts.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual(['late']);
      expect(sts.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'late', mountPath: '/late' });
    });
  });

  describe('services', () => {
    test('the headless Service has clusterIP None, named ports and publishNotReadyAddresses', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'a', {
        metadata: { name: 'a' },
        containers: [{ image: IMAGE, ports: [{ name: 'client', number: 2379 }, { number: 2380 }], securityContext: { user: 999 } }],
        headlessService: { publishNotReadyAddresses: true },
      });
      const svc = findOne(synthValid(chart), 'Service', 'a');
      expect(svc.spec.clusterIP).toBe('None');
      expect(svc.spec.publishNotReadyAddresses).toBe(true);
      expect(svc.spec.selector).toEqual({ 'app.kubernetes.io/name': 'a', 'app.kubernetes.io/instance': 'a' });
      expect(svc.spec.ports).toEqual([
        { name: 'client', port: 2379, targetPort: 'client', protocol: 'TCP' },
        { name: 'tcp-2380', port: 2380, targetPort: 2380, protocol: 'TCP' },
      ]);
    });

    test.each([undefined, false])('publishNotReadyAddresses %p is left out (false, which the API server drops)', value => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'a', minimal({ metadata: { name: 'a' }, headlessService: { publishNotReadyAddresses: value } }));
      expect(findOne(synthValid(chart), 'Service', 'a').spec).not.toHaveProperty('publishNotReadyAddresses');
    });

    test('the headless Service states its type, ClusterIP, for server-side apply', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'a', minimal({ metadata: { name: 'a' } }));
      const spec = findOne(synthValid(chart), 'Service', 'a').spec;
      expect(spec.type).toBe('ClusterIP');
      expect(spec.clusterIP).toBe('None');
    });

    test('a workload with no ports still gets a valid headless Service', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'worker', { metadata: { name: 'worker' }, containers: [{ image: IMAGE, securityContext: { user: 999 } }] });
      const svc = findOne(synthValid(chart), 'Service', 'worker');
      expect(svc.spec.clusterIP).toBe('None');
      expect(svc.spec.ports).toBeUndefined();
    });

    test.each([
      [kplus.ServiceType.CLUSTER_IP, 'ClusterIP'],
      [kplus.ServiceType.NODE_PORT, 'NodePort'],
      [kplus.ServiceType.LOAD_BALANCER, 'LoadBalancer'],
    ])('client Service of type %s', (type, rendered) => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'ns' });
      const db = new StatefulWorkload(chart, 'db', minimal({ metadata: { name: 'db' } }));
      const client = db.addClientService({ serviceType: type, annotations: { x: 'y' } });
      const svc = findOne(synthValid(chart), 'Service', 'db-client');
      expect(svc.spec.type).toBe(rendered);
      expect(svc.spec.clusterIP).toBeUndefined();
      expect(svc.metadata.annotations).toEqual({ x: 'y' });
      expect(svc.spec.selector).toEqual(db.selectorLabels);
      expect(client.name).toBe('db-client');
      expect(client.dnsName).toBe('db-client.ns.svc.cluster.local');
      expect(client.ports).toEqual([{ name: undefined, port: 5432, protocol: 'TCP' }]);
      expect(client.endpoint.socketAddress).toBe('db-client.ns.svc.cluster.local:5432');
      expect(db.services).toEqual([client]);
    });

    test('client Service: port subset, source ranges, traffic policy', () => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', {
        metadata: { name: 'db' },
        containers: [{ image: IMAGE, ports: [{ name: 'sql', number: 5432 }, { name: 'metrics', number: 9187 }], securityContext: { user: 999 } }],
      });
      db.addClientService({ name: 'db-lb', serviceType: kplus.ServiceType.LOAD_BALANCER, ports: [{ port: 5432 }], loadBalancerSourceRanges: ['10.0.0.0/8'], externalTrafficPolicy: ExternalTrafficPolicy.LOCAL });
      const svc = findOne(synthValid(chart), 'Service', 'db-lb');
      expect(svc.spec.ports).toEqual([{ name: 'sql', port: 5432, targetPort: 'sql', protocol: 'TCP' }]);
      expect(svc.spec.loadBalancerSourceRanges).toEqual(['10.0.0.0/8']);
      expect(svc.spec.externalTrafficPolicy).toBe('Local');
    });

    test('a workload Service is a data store with the workload\'s credentials', () => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'ns' });
      const secret = kplus.Secret.fromSecretName(chart, 'S', 'creds');
      const db = new StatefulWorkload(chart, 'db', minimal({ metadata: { name: 'db' }, credentials: DataStoreCredentials.fromSecret(secret) }));
      const primary = db.exposePod(0, { name: 'db-primary' });
      expect(primary.storeName).toBe('db-primary');
      expect(primary.endpoint.socketAddress).toBe('db-primary.ns.svc.cluster.local:5432');
      expect(primary.credentials?.secret.name).toBe('creds');
    });

    test('exposePod selects exactly one pod by its pod-name label', () => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', minimal({ metadata: { name: 'db' }, replicas: 3 }));
      const primary = db.exposePod(0, { name: 'db-primary' });
      const replica2 = db.exposePod(2);
      const manifests = synthValid(chart);
      expect(findOne(manifests, 'Service', 'db-primary').spec.selector).toEqual({ ...db.selectorLabels, 'statefulset.kubernetes.io/pod-name': 'db-0' });
      expect(findOne(manifests, 'Service', 'db-2').spec.selector['statefulset.kubernetes.io/pod-name']).toBe('db-2');
      expect(primary.name).toBe('db-primary');
      expect(replica2.name).toBe('db-2');
    });
  });

  describe('disruption budget', () => {
    test('maxUnavailable 1 by default with more than one replica, none with one', () => {
      const chart = Testing.chart();
      const multi = new StatefulWorkload(chart, 'multi', minimal({ metadata: { name: 'multi' }, replicas: 3 }));
      const single = new StatefulWorkload(chart, 'single', minimal({ metadata: { name: 'single' } }));
      const manifests = synthValid(chart);
      const pdb = findOne(manifests, 'PodDisruptionBudget', 'multi');
      expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: multi.selectorLabels } });
      expect(findAll(manifests, 'PodDisruptionBudget', 'single')).toEqual([]);
      expect(single.disruptionBudgetObject).toBeUndefined();
    });

    test.each<[string, DisruptionBudget, number]>([
      ['maxUnavailable 0', DisruptionBudget.maxUnavailable(kplus.PercentOrAbsolute.absolute(0)), 3],
      ['maxUnavailable 0%', DisruptionBudget.maxUnavailable(kplus.PercentOrAbsolute.percent(0)), 3],
      ['minAvailable equal to replicas', DisruptionBudget.minAvailable(kplus.PercentOrAbsolute.absolute(3)), 3],
      ['minAvailable 100%', DisruptionBudget.minAvailable(kplus.PercentOrAbsolute.percent(100)), 3],
    ])('warns when the budget blocks every eviction: %s', (_name, disruptionBudget, replicas) => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({ replicas, disruptionBudget }));
      expect(allWarnings(chart)).toEqual([expect.stringMatching(
        /^StatefulWorkload 'test\/db': warning: 'disruptionBudget': .*\. With 3 replicas this budget allows no voluntary eviction: node drains and cluster upgrades hang/)]);
    });

    test('no warning for budgets that let a replica go', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'a', minimal({ metadata: { name: 'a' }, replicas: 3 }));
      new StatefulWorkload(chart, 'b', minimal({ metadata: { name: 'b' }, replicas: 3, disruptionBudget: DisruptionBudget.minAvailable(kplus.PercentOrAbsolute.absolute(2)) }));
      new StatefulWorkload(chart, 'c', minimal({ metadata: { name: 'c' }, replicas: 4, disruptionBudget: DisruptionBudget.maxUnavailable(kplus.PercentOrAbsolute.percent(25)) }));
      // the disruption controller rounds a percentage up (GetScaledValueFromIntOrPercent(..., true)):
      // 10% of 3 pods allows one eviction
      new StatefulWorkload(chart, 'd', minimal({ metadata: { name: 'd' }, replicas: 3, disruptionBudget: DisruptionBudget.maxUnavailable(kplus.PercentOrAbsolute.percent(10)) }));
      expect(allWarnings(chart)).toEqual([]);
    });

    test('a percentage maxUnavailable is rounded up, as the disruption controller does', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({ replicas: 3, disruptionBudget: DisruptionBudget.maxUnavailable(kplus.PercentOrAbsolute.percent(1)) }));
      expect(allWarnings(chart)).toEqual([]);
    });

    test('minAvailable, percentages, or none', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'a', minimal({ metadata: { name: 'a' }, replicas: 3, disruptionBudget: DisruptionBudget.minAvailable(kplus.PercentOrAbsolute.absolute(2)) }));
      new StatefulWorkload(chart, 'b', minimal({ metadata: { name: 'b' }, replicas: 4, disruptionBudget: DisruptionBudget.maxUnavailable(kplus.PercentOrAbsolute.percent(25)) }));
      new StatefulWorkload(chart, 'c', minimal({ metadata: { name: 'c' }, replicas: 3, disruptionBudget: DisruptionBudget.none() }));
      const manifests = synthValid(chart);
      expect(findOne(manifests, 'PodDisruptionBudget', 'a').spec.minAvailable).toBe(2);
      expect(findOne(manifests, 'PodDisruptionBudget', 'b').spec.maxUnavailable).toBe('25%');
      expect(findAll(manifests, 'PodDisruptionBudget', 'c')).toEqual([]);
    });
  });

  test('props are copied: changing the caller\'s objects later does not change the manifest', () => {
    const chart = Testing.chart();
    const nodeSelector: { [key: string]: string } = { disk: 'ssd' };
    const labels: { [key: string]: string } = { tier: 'db' };
    const spread = [{ topology: kplus.Topology.HOSTNAME }];
    new StatefulWorkload(chart, 'db', minimal({ replicas: 2, nodeSelector, podMetadata: { labels }, topologySpread: spread }));
    nodeSelector.disk = 'hdd';
    labels.tier = 'web';
    spread.push({ topology: kplus.Topology.ZONE });
    const spec = findOne(synthValid(chart), 'StatefulSet').spec.template;
    expect(spec.spec.nodeSelector).toEqual({ disk: 'ssd' });
    expect(spec.metadata.labels.tier).toBe('db');
    expect(spec.spec.topologySpreadConstraints).toHaveLength(1);
  });

  test('a container changed between two syntheses renders its change (serialized containers are reused only while unchanged)', () => {
    // GIVEN a first synthesis
    const chart = Testing.chart();
    const db = new StatefulWorkload(chart, 'db', minimal());
    expect(podSpec(synthValid(chart)).containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    // WHEN the container mounts another volume and gets another variable
    db.containers[0].mount('/cache', kplus.Volume.fromEmptyDir(chart, 'cache', 'cache'));
    db.containers[0].env.addVariable('MODE', kplus.EnvValue.fromValue('fast'));
    // THEN the next synthesis has both
    const c = podSpec(synthValid(chart)).containers[0];
    expect(c.volumeMounts).toEqual([{ name: 'cache', mountPath: '/cache' }, { name: 'tmp', mountPath: '/tmp' }]);
    expect(c.env).toEqual([{ name: 'MODE', value: 'fast' }]);
  });

  test.each([
    ['a generated name and claim templates', undefined, true, true],
    ['metadata.name and claim templates', 'orders-db', true, false],
    ['a generated name and no claim template', undefined, false, false],
  ])('warns about the StatefulSet name with %s: %s', (_name, name, claims, warns) => {
    // GIVEN
    const chart = Testing.chart();
    new StatefulWorkload(chart, 'db', minimal({
      metadata: name ? { name } : undefined,
      volumeClaimTemplates: claims ? [{ name: 'data', storage: Size.gibibytes(1), mountPath: '/data' }] : undefined,
    }));
    // WHEN
    synthValid(chart);
    // THEN
    const found = allWarnings(chart).filter(w => w.includes('[cdk8s-stateful:generated-name-with-claims]'));
    expect(found).toEqual(warns ? [
      "StatefulWorkload 'test/db': warning: 'metadata.name': unset (generated \"test-db-c8b96b87\"). The StatefulSet name is generated from the construct path, "
      + 'and its claims are named after it (data-test-db-c8b96b87-0): moving or renaming the construct renames the StatefulSet, whose new pods start on new, '
      + 'empty claims while the old claims and their data are orphaned. Set \'metadata.name\' to a stable name, e.g. "test-db". [cdk8s-stateful:generated-name-with-claims]',
    ] : []);
  });

  test.each([
    ['docker.io/library/postgres', true],
    ['docker.io/library/postgres:latest', true],
    ['registry.example.com:5000/db', true],
    ['registry.example.com:5000/db:16.4', false],
    ['docker.io/library/postgres:16.4', false],
    [`docker.io/library/postgres@sha256:${'a'.repeat(64)}`, false],
  ])('image %s: unpinned-image warning %s', (image, warns) => {
    // GIVEN
    const chart = Testing.chart();
    new StatefulWorkload(chart, 'db', minimal({ metadata: { name: 'db' }, containers: [{ name: 'db', image, portNumber: 5432, securityContext: { user: 999 } }] }));
    // WHEN
    synthValid(chart);
    // THEN
    expect(allWarnings(chart).some(w => w.endsWith('[cdk8s-stateful:unpinned-image]'))).toBe(warns);
  });

  describe('containers and resources', () => {
    test('portNumber adds no implicit startup probe (cdk8s-plus-27 would restart a slow database after ~30 s)', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal());
      const c = podSpec(synthValid(chart)).containers[0];
      expect(c.startupProbe).toBeUndefined();
      expect(c.ports).toEqual([{ containerPort: 5432 }]);
    });

    test('a startup probe given by the user is kept', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({
        containers: [{
          image: IMAGE,
          portNumber: 5432,
          securityContext: { user: 999 },
          startup: kplus.Probe.fromTcpSocket({ port: 5432, failureThreshold: 60 }),
        }],
      }));
      expect(podSpec(synthValid(chart)).containers[0].startupProbe).toEqual({ tcpSocket: { port: 5432 }, failureThreshold: 60 });
    });

    test('our defaults: IfNotPresent, requests 250m/512Mi, memory limit 512Mi, no CPU limit', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal());
      const c = podSpec(synthValid(chart)).containers[0];
      expect(c.imagePullPolicy).toBe('IfNotPresent');
      expect(c.resources).toEqual({ requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '512Mi' } });
    });

    test('user resources and pull policy are kept, the quantities in the form the API server stores', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({
        containers: [{
          image: IMAGE,
          imagePullPolicy: kplus.ImagePullPolicy.ALWAYS,
          securityContext: { user: 999 },
          resources: { cpu: { request: kplus.Cpu.units(2) }, memory: { request: Size.gibibytes(4), limit: Size.gibibytes(4) } },
        }],
      }));
      const c = podSpec(synthValid(chart)).containers[0];
      expect(c.imagePullPolicy).toBe('Always');
      // cdk8s-plus-27 renders Size.gibibytes(4) as 4096Mi, which the API server stores as 4Gi
      expect(c.resources).toEqual({ requests: { cpu: '2', memory: '4Gi' }, limits: { memory: '4Gi' } });
    });

    test('env from Secrets and ConfigMaps, command, args and probes', () => {
      const chart = Testing.chart();
      const secret = kplus.Secret.fromSecretName(chart, 'S', 'creds');
      const cm = kplus.ConfigMap.fromConfigMapName(chart, 'C', 'conf');
      new StatefulWorkload(chart, 'db', minimal({
        containers: [{
          image: IMAGE,
          portNumber: 5432,
          securityContext: { user: 999 },
          command: ['postgres'],
          args: ['-c', 'fsync=on'],
          envVariables: { POSTGRES_PASSWORD: kplus.EnvValue.fromSecretValue({ secret, key: 'password' }) },
          envFrom: [kplus.Env.fromConfigMap(cm)],
          liveness: kplus.Probe.fromTcpSocket({ port: 5432 }),
          readiness: kplus.Probe.fromCommand(['pg_isready']),
        }],
      }));
      const c = podSpec(synthValid(chart)).containers[0];
      expect(c.command).toEqual(['postgres']);
      expect(c.args).toEqual(['-c', 'fsync=on']);
      expect(c.env).toEqual([{ name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } }]);
      expect(c.envFrom).toEqual([{ configMapRef: { name: 'conf' } }]);
      expect(c.livenessProbe.tcpSocket).toEqual({ port: 5432 });
      expect(c.readinessProbe.exec).toEqual({ command: ['pg_isready'] });
    });
  });

  describe('pod defaults', () => {
    function container(overrides: Partial<StatefulWorkloadProps>): any {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal(overrides));
      const spec = podSpec(synthValid(chart));
      expect(restrictedViolations(spec)).toEqual([]);
      return spec.containers[0];
    }

    test('only the memory limit changed: the CPU request is kept', () => {
      expect(container({ podDefaults: { memoryLimit: Size.gibibytes(2) } }).resources).toEqual({
        limits: { memory: '2Gi' },
        requests: { cpu: '250m', memory: '512Mi' },
      });
    });

    test('a memory limit below the default request lowers the request', () => {
      expect(container({ podDefaults: { memoryLimit: Size.mebibytes(256) } }).resources).toEqual({
        limits: { memory: '256Mi' },
        requests: { cpu: '250m', memory: '256Mi' },
      });
    });

    test('CPU request and limit, memory request', () => {
      const podDefaults = { cpuRequest: kplus.Cpu.millis(500), cpuLimit: kplus.Cpu.units(2), memoryRequest: Size.mebibytes(256) };
      expect(container({ podDefaults }).resources).toEqual({
        limits: { cpu: '2', memory: '512Mi' },
        requests: { cpu: '500m', memory: '256Mi' },
      });
    });

    test('a container\'s resources replace the defaults entirely', () => {
      expect(container({
        podDefaults: { memoryLimit: Size.gibibytes(2) },
        containers: [{ name: 'db', image: IMAGE, securityContext: { user: 999 }, resources: { cpu: { request: kplus.Cpu.millis(100) } } }],
      }).resources).toEqual({ requests: { cpu: '100m' } });
    });

    test('image pull policy and read-only root file system', () => {
      const c = container({ podDefaults: { imagePullPolicy: kplus.ImagePullPolicy.ALWAYS, readOnlyRootFilesystem: false } });
      expect(c.imagePullPolicy).toBe('Always');
      expect(c.securityContext.readOnlyRootFilesystem).toBe(false);
      // a container's own setting wins
      expect(container({
        podDefaults: { readOnlyRootFilesystem: false },
        containers: [{ name: 'db', image: IMAGE, imagePullPolicy: kplus.ImagePullPolicy.NEVER, securityContext: { user: 999, readOnlyRootFilesystem: true } }],
      })).toMatchObject({ imagePullPolicy: 'Never', securityContext: { readOnlyRootFilesystem: true } });
    });

    test('fsGroup, its change policy, /tmp and the token; the older props and securityContext win', () => {
      const chart = Testing.chart();
      const podDefaults = {
        fsGroup: 2000,
        fsGroupChangePolicy: kplus.FsGroupChangePolicy.ALWAYS,
        writableTmp: false,
        automountServiceAccountToken: true,
      };
      new StatefulWorkload(chart, 'a', minimal({ metadata: { name: 'a' }, podDefaults }));
      new StatefulWorkload(chart, 'b', minimal({
        metadata: { name: 'b' },
        podDefaults,
        writableTmp: true,
        automountServiceAccountToken: false,
        securityContext: { fsGroup: 999, fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH },
      }));
      const manifests = synthValid(chart);
      const a = findOne(manifests, 'StatefulSet', 'a').spec.template.spec;
      expect(a.securityContext).toMatchObject({ fsGroup: 2000, fsGroupChangePolicy: 'Always' });
      expect(a.volumes).toBeUndefined();
      expect(a.automountServiceAccountToken).toBe(true);
      const b = findOne(manifests, 'StatefulSet', 'b').spec.template.spec;
      expect(b.securityContext).toMatchObject({ fsGroup: 999, fsGroupChangePolicy: 'OnRootMismatch' });
      expect(b.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
      expect(b.automountServiceAccountToken).toBe(false);
    });

    test('init containers get the same defaults', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({
        podDefaults: { memoryLimit: Size.gibibytes(1) },
        initContainers: [{ name: 'init', image: IMAGE, securityContext: { user: 999 } }],
      }));
      const spec = podSpec(synthValid(chart));
      expect(spec.initContainers[0].resources).toEqual(spec.containers[0].resources);
      expect(spec.initContainers[0].resources.limits.memory).toBe('1Gi');
    });

    test('fails when the memory request exceeds the memory limit', () => {
      const chart = Testing.chart();
      const podDefaults = { memoryRequest: Size.gibibytes(1), memoryLimit: Size.mebibytes(512) };
      expect(() => new StatefulWorkload(chart, 'db', minimal({ podDefaults })))
        .toThrow(/invalid 'memoryRequest': "1Gi"\. Must not exceed 'memoryLimit'/);
    });
  });

  describe('scheduling', () => {
    test('soft spread over nodes and zones by default with more than one replica', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'multi', minimal({ metadata: { name: 'multi' }, replicas: 2 }));
      new StatefulWorkload(chart, 'single', minimal({ metadata: { name: 'single' } }));
      const manifests = synthValid(chart);
      const multi = findOne(manifests, 'StatefulSet', 'multi').spec.template.spec;
      expect(multi.topologySpreadConstraints.map((c: any) => [c.topologyKey, c.whenUnsatisfiable, c.maxSkew])).toEqual([
        ['kubernetes.io/hostname', 'ScheduleAnyway', 1],
        ['topology.kubernetes.io/zone', 'ScheduleAnyway', 1],
      ]);
      expect(multi.topologySpreadConstraints[0].labelSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'multi', 'app.kubernetes.io/instance': 'multi' } });
      expect(findOne(manifests, 'StatefulSet', 'single').spec.template.spec.topologySpreadConstraints).toBeUndefined();
    });

    test('custom spread, none, node selector and tolerations', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'a', minimal({
        metadata: { name: 'a' },
        replicas: 3,
        topologySpread: [{ topology: kplus.Topology.HOSTNAME, whenUnsatisfiable: UnsatisfiableSpread.DO_NOT_SCHEDULE }],
        nodeSelector: { disk: 'ssd' },
        tolerations: [kplus.NodeTaintQuery.exists('dedicated')],
      }));
      new StatefulWorkload(chart, 'b', minimal({ metadata: { name: 'b' }, replicas: 3, topologySpread: [] }));
      const manifests = synthValid(chart);
      const a = findOne(manifests, 'StatefulSet', 'a').spec.template.spec;
      expect(a.topologySpreadConstraints).toHaveLength(1);
      expect(a.topologySpreadConstraints[0].whenUnsatisfiable).toBe('DoNotSchedule');
      expect(a.nodeSelector).toEqual({ disk: 'ssd' });
      expect(a.tolerations).toEqual([{ key: 'dedicated', operator: 'Exists' }]);
      expect(findOne(manifests, 'StatefulSet', 'b').spec.template.spec.topologySpreadConstraints).toBeUndefined();
    });
  });

  describe('security', () => {
    test('pod specs meet the restricted profile by default', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal());
      const spec = podSpec(synthValid(chart));
      expect(restrictedViolations(spec)).toEqual([]);
      expect(spec.automountServiceAccountToken).toBe(false);
      expect(spec.securityContext).toEqual({
        runAsNonRoot: true,
        fsGroup: 1000,
        fsGroupChangePolicy: 'OnRootMismatch',
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(spec.containers[0].securityContext).toEqual({
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        runAsUser: 999,
        runAsGroup: 999,
      });
    });

    test('a writable /tmp emptyDir backs the read-only root file system, unless turned off', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'a', minimal({ metadata: { name: 'a' } }));
      new StatefulWorkload(chart, 'b', minimal({ metadata: { name: 'b' }, writableTmp: false }));
      const manifests = synthValid(chart);
      const a = findOne(manifests, 'StatefulSet', 'a').spec.template.spec;
      expect(a.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
      expect(a.containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
      const b = findOne(manifests, 'StatefulSet', 'b').spec.template.spec;
      expect(b.volumes).toBeUndefined();
      expect(b.containers[0].volumeMounts).toBeUndefined();
    });

    test('capabilities: ALL is dropped, added ones lose the CAP_ prefix cdk8s-plus-27 puts on them', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({
        containers: [{ image: IMAGE, portNumber: 80, securityContext: { user: 101, capabilities: { add: [kplus.Capability.NET_BIND_SERVICE] } } }],
      }));
      const spec = podSpec(synthValid(chart));
      expect(spec.containers[0].securityContext.capabilities).toEqual({ add: ['NET_BIND_SERVICE'], drop: ['ALL'] });
      expect(restrictedViolations(spec)).toEqual([]);
    });

    test('service account and token automount', () => {
      const chart = Testing.chart();
      const sa = kplus.ServiceAccount.fromServiceAccountName(chart, 'SA', 'backup');
      new StatefulWorkload(chart, 'db', minimal({ serviceAccount: sa, automountServiceAccountToken: true }));
      const spec = podSpec(synthValid(chart));
      expect(spec.serviceAccountName).toBe('backup');
      expect(spec.automountServiceAccountToken).toBe(true);
    });

    test('fails when a container breaks the restricted profile', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({ containers: [{ image: IMAGE, securityContext: { privileged: true, allowPrivilegeEscalation: true } }] }));
      expect(() => Testing.synth(chart)).toThrow(
        'StatefulWorkload \'test/db\': invalid \'pod template\': container "main": securityContext.privileged must be false or unset. '
        + 'The pod spec must meet the Pod Security Standards "restricted" profile. '
        + 'Fix the security context, or set \'restrictedPodSecurity: false\' and label the namespace for a less strict profile.');
    });

    describe('runAsNonRoot without a user id', () => {
      test('warns, naming every container without a user, when neither pod nor container sets one', () => {
        // GIVEN
        const chart = Testing.chart();
        new StatefulWorkload(chart, 'db', {
          initContainers: [{ name: 'init', image: IMAGE, command: ['true'] }],
          containers: [
            { name: 'db', image: IMAGE, portNumber: 5432 },
            { name: 'exporter', image: IMAGE, portNumber: 9187, securityContext: { user: 65534 } },
          ],
          clientPorts: [{ port: 5432 }],
        });
        // WHEN
        synthValid(chart);
        // THEN
        expect(allWarnings(chart)).toEqual([
          'StatefulWorkload \'test/db\': warning: \'securityContext.user\': unset for container "init", container "db". '
          + 'The pods run with runAsNonRoot but no user id, so the kubelet checks the image\'s USER when it starts the container: '
          + 'an image that starts as root (stock nginx, postgres, redis) fails with "container has runAsNonRoot and image will run as root", '
          + 'and one that names its user (USER nginx) with "image has non-numeric user"; the pods stay in CreateContainerConfigError. '
          + 'Set the user id the image expects, e.g. \'securityContext: { user: 999, group: 999 }\' on the workload or the container; '
          + 'otherwise the image must declare a numeric non-root USER (e.g. USER 101). [cdk8s-stateful:non-root-without-user]',
        ]);
      });

      test.each<[string, Partial<StatefulWorkloadProps>]>([
        ['a user on the container', {}],
        ['a user on the pod', { securityContext: { user: 999 }, containers: [{ name: 'db', image: IMAGE }] }],
        ['runAsNonRoot off on the container', {
          restrictedPodSecurity: false,
          containers: [{ name: 'db', image: IMAGE, securityContext: { ensureNonRoot: false } }],
        }],
        ['runAsNonRoot off on the pod and the container', {
          restrictedPodSecurity: false,
          securityContext: { ensureNonRoot: false },
          containers: [{ name: 'db', image: IMAGE, securityContext: { ensureNonRoot: false } }],
        }],
      ])('no warning with %s', (_name, props) => {
        const chart = Testing.chart();
        new StatefulWorkload(chart, 'db', minimal(props));
        synthValid(chart);
        expect(allWarnings(chart)).toEqual([]);
      });

      test('containers added after construction count', () => {
        const chart = Testing.chart();
        const db = new StatefulWorkload(chart, 'db', minimal());
        db.addContainer({ name: 'sidecar', image: IMAGE });
        synthValid(chart);
        expect(allWarnings(chart)).toEqual([expect.stringMatching(/'securityContext.user': unset for container "sidecar"\. .* \[cdk8s-stateful:non-root-without-user\]$/)]);
      });
    });

    test('supplementalGroups for a shared volume, added with a JSON patch as docs/storage.md shows, reaches the manifest', () => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', minimal());
      db.apiObject.addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/supplementalGroups', [2000]));
      const spec = podSpec(synthValid(chart));
      expect(spec.securityContext.supplementalGroups).toEqual([2000]);
      expect(spec.securityContext.fsGroup).toBe(1000);
      expect(restrictedViolations(spec)).toEqual([]);
    });

    test('restrictedPodSecurity: false is the explicit opt-out', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({
        restrictedPodSecurity: false,
        securityContext: { ensureNonRoot: false },
        containers: [{ image: 'docker.io/library/nginx:1.27', securityContext: { ensureNonRoot: false, readOnlyRootFilesystem: false } }],
      }));
      const spec = podSpec(synthValid(chart));
      expect(spec.securityContext.runAsNonRoot).toBe(false);
      expect(restrictedViolations(spec).length).toBeGreaterThan(0);
    });
  });

  test('synthesizing twice gives byte-identical YAML', () => {
    const render = () => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', minimal({ replicas: 3, volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), mountPath: '/data' }] }));
      db.addClientService();
      db.exposePod(0);
      return Yaml.stringify(...Testing.synth(chart));
    };
    expect(render()).toEqual(render());
  });

  test('the StatefulSet is a plain ApiObject reachable as apiObject', () => {
    const db = new StatefulWorkload(Testing.chart(), 'db', minimal());
    expect(db.apiObject).toBeInstanceOf(ApiObject);
    expect(db.apiObject.kind).toBe('StatefulSet');
  });

  describe('errors', () => {
    const W = "StatefulWorkload 'test/db'";
    test.each<[string, () => void, RegExp]>([
      ['replicas is negative', () => new StatefulWorkload(Testing.chart(), 'db', minimal({ replicas: -1 })),
        /StatefulWorkload 'test\/db': invalid 'replicas': -1\. Must be an integer of at least 0\. Set 'replicas' to an integer of at least 0\./],
      ['replicas is not an integer', () => new StatefulWorkload(Testing.chart(), 'db', minimal({ replicas: 1.5 })), /invalid 'replicas': 1.5\./],
      ['ordinals.start is negative', () => new StatefulWorkload(Testing.chart(), 'db', minimal({ ordinals: { start: -2 } })), /invalid 'ordinals.start': -2\./],
      ['partition is negative', () => new StatefulWorkload(Testing.chart(), 'db', minimal({ strategy: WorkloadUpdateStrategy.rollingUpdate({ partition: -1 }) })),
        /invalid 'strategy.partition': -1\./],
      ['partition exceeds replicas', () => new StatefulWorkload(Testing.chart(), 'db', minimal({ replicas: 2, strategy: WorkloadUpdateStrategy.rollingUpdate({ partition: 3 }) })),
        /invalid 'strategy.partition': 3\. Must not exceed 'replicas' \(2\).*Set 'partition' between 0 and 2\./],
      ['maxUnavailable is zero', () => new StatefulWorkload(Testing.chart(), 'db', minimal({ strategy: WorkloadUpdateStrategy.rollingUpdate({ maxUnavailable: kplus.PercentOrAbsolute.absolute(0) }) })),
        /invalid 'strategy.maxUnavailable': 0\./],
      ['revisionHistoryLimit is negative', () => new StatefulWorkload(Testing.chart(), 'db', minimal({ revisionHistoryLimit: -1 })), /invalid 'revisionHistoryLimit': -1\./],
      ['minReady is fractional', () => new StatefulWorkload(Testing.chart(), 'db', minimal({ minReady: Duration.millis(1500) })), /invalid 'minReady': 1.5\./],
      ['the name is not a DNS label', () => new StatefulWorkload(Testing.chart(), 'db', minimal({ metadata: { name: 'My_DB' } })),
        /invalid 'metadata.name': "My_DB"\. Must be a DNS-1123 label of at most 52 characters/],
      ['the name is longer than 52 characters', () => new StatefulWorkload(Testing.chart(), 'db', minimal({ metadata: { name: 'a'.repeat(53) } })),
        /invalid 'metadata.name': "a{53}"\. Must be a DNS-1123 label of at most 52 characters \(the revision hash label `<name>-<10 characters>` the controller adds must fit in 63 characters\)/],
      ['the generated name is longer than 52 characters', () => new StatefulWorkload(new Chart(Testing.app(), 'a-rather-long-chart-name-for-orders'), 'orders-database-primary', minimal()),
        /invalid 'metadata.name': "a-rather-long-chart-[-a-z0-9]+"\. The StatefulSet name generated from the construct path must be a DNS-1123 label of at most 52 characters.*Set 'metadata.name' to a short name such as "orders-db"\./],
      ['the headless Service name is not a DNS-1035 label', () => new StatefulWorkload(Testing.chart(), 'db', minimal({ headlessService: { name: '1peers' } })),
        /invalid 'headlessService.name': "1peers"\. Must be a DNS-1035 label/],
      ['the generated name starts with a digit (no valid Service name)', () => new StatefulWorkload(Testing.chart(), 'db', minimal({ metadata: { name: '1db' } })),
        /invalid 'metadata.name \(used as the headless Service name\)': "1db"\. Must be a DNS-1035 label/],
      ['the cluster domain is not a domain', () => new StatefulWorkload(Testing.chart(), 'db', minimal({ clusterDomain: 'https://x' })), /invalid 'clusterDomain': "https:\/\/x"/],
      ['the governing Service is not headless', () => {
        const chart = Testing.chart();
        const svc = new kplus.Service(chart, 'S', { ports: [{ port: 80 }] });
        new StatefulWorkload(chart, 'db', minimal({ governingService: svc }));
      }, /invalid 'governingService': .*must be headless \(clusterIP: None\)/],
      ['the governing Service is in another namespace', () => {
        const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
        const svc = new kplus.Service(chart, 'S', { metadata: { name: 'peers', namespace: 'other' }, clusterIP: 'None', ports: [{ port: 80 }] });
        new StatefulWorkload(chart, 'db', minimal({ governingService: svc }));
      }, /invalid 'governingService': "other\/peers"\. The governing Service must be in the StatefulSet's namespace \(apps\)/],
      ['a source range is not a CIDR', () => new StatefulWorkload(Testing.chart(), 'db', minimal()).addClientService({ serviceType: kplus.ServiceType.LOAD_BALANCER, loadBalancerSourceRanges: ['10.0.0.1'] }),
        /invalid 'loadBalancerSourceRanges\[0\]': "10.0.0.1"\. Must be an IP range in CIDR notation.*"10.0.0.1\/32"/],
      ['headlessService options are combined with governingService', () => {
        const chart = Testing.chart();
        const svc = new kplus.Service(chart, 'S', { clusterIP: 'None', ports: [{ port: 80 }] });
        new StatefulWorkload(chart, 'db', minimal({ governingService: svc, headlessService: { publishNotReadyAddresses: true } }));
      }, /invalid 'headlessService': .*Cannot be combined with 'governingService'/],
      ['a claim template has size zero', () => new StatefulWorkload(Testing.chart(), 'db', minimal({ volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(0) }] })),
        /VolumeClaimTemplate 'test\/db\/Claim-data': invalid 'storage': "0Ki"\. Must be larger than zero\. Set 'storage' of claim "data" to a size such as Size.gibibytes\(1\)\./],
      ['a claim template size is not whole Ki', () => new StatefulWorkload(Testing.chart(), 'db', minimal({ volumeClaimTemplates: [{ name: 'data', storage: Size.kibibytes(0.5) }] })),
        /invalid 'storage': "0.5Ki"\. Must be a whole number of kibibytes/],
      ['ReadWriteOncePod is combined with other modes', () => new StatefulWorkload(Testing.chart(), 'db', minimal({
        volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE_POD, kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE] }],
      })), /invalid 'accessModes': \["ReadWriteOncePod","ReadWriteOnce"\]\. ReadWriteOncePod cannot be combined with other access modes/],
      ['access modes are empty', () => new StatefulWorkload(Testing.chart(), 'db', minimal({ volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), accessModes: [] }] })),
        /invalid 'accessModes': \[\]\. Must name at least one access mode/],
      ['a claim name is not a DNS label', () => new StatefulWorkload(Testing.chart(), 'db', minimal({ volumeClaimTemplates: [{ name: 'Data', storage: Size.gibibytes(1) }] })),
        /invalid 'name': "Data"\. Must be a DNS-1123 label/],
      ['a claim mountPath is relative', () => new StatefulWorkload(Testing.chart(), 'db', minimal({ volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), mountPath: 'data' }] })),
        /invalid 'mountPath': "data"\. Must be an absolute path/],
      ['two claim templates share a name', () => new StatefulWorkload(Testing.chart(), 'db', minimal({
        volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1) }, { name: 'data', storage: Size.gibibytes(2) }],
      })), /invalid 'volumeClaimTemplates': "data"\. Claim template names must be unique/],
      ['a client Service is of type ExternalName', () => new StatefulWorkload(Testing.chart(), 'db', minimal()).addClientService({ serviceType: kplus.ServiceType.EXTERNAL_NAME }),
        /invalid 'serviceType': "ExternalName"\. Must be ClusterIP, NodePort or LoadBalancer\. Use ExternalService/],
      ['source ranges on a ClusterIP Service', () => new StatefulWorkload(Testing.chart(), 'db', minimal()).addClientService({ loadBalancerSourceRanges: ['10.0.0.0/8'] }),
        /invalid 'loadBalancerSourceRanges': \["10.0.0.0\/8"\]\. Only LoadBalancer Services use them/],
      ['a second client Service without its own name', () => {
        const db = new StatefulWorkload(Testing.chart(), 'db', minimal());
        db.addClientService();
        db.addClientService();
      }, /invalid 'name': "test-db-c8b96b87-client"\. Service names must be unique within the workload .*Give each Service its own 'name'/],
      ['a client Service of a missing ordinal', () => new StatefulWorkload(Testing.chart(), 'db', minimal({ replicas: 2 })).addClientService({ selection: ServiceSelection.pod(5) }),
        /invalid 'selection\(ordinal\)': 5\. Must be an ordinal of a replica, from 0 to 1/],
      ['exposePod with a selection', () => new StatefulWorkload(Testing.chart(), 'db', minimal()).exposePod(0, { selection: ServiceSelection.allPods() }),
        /invalid 'exposePod\(options.selection\)'/],
      ['a label selection without labels', () => new StatefulWorkload(Testing.chart(), 'db', minimal()).addClientService({ selection: ServiceSelection.podsWithLabels({}) }),
        /invalid 'selection': \{\}\. ServiceSelection.podsWithLabels\(\) needs at least one label/],
      ['a label selection with an invalid label value', () => new StatefulWorkload(Testing.chart(), 'db', minimal()).addClientService({ selection: ServiceSelection.podsWithLabels({ role: 'pri mary' }) }),
        /invalid 'selection\["role"\]': "pri mary"\. Must be a label value/],
      ['a node selector added with an invalid value', () => new StatefulWorkload(Testing.chart(), 'db', minimal()).addNodeSelector('disk', 'fast ssd'),
        /invalid 'addNodeSelector\(\)\["disk"\]': "fast ssd"\. Must be a label value/],
      ['a client port with an unknown protocol', () => new StatefulWorkload(Testing.chart(), 'db', minimal({ clientPorts: [{ port: 5432, protocol: 'tcp' }] })),
        /invalid 'clientPorts\[0\].protocol': "tcp"\. Must be "TCP", "UDP" or "SCTP"/],
      ['a client port out of range', () => new StatefulWorkload(Testing.chart(), 'db', minimal({ clientPorts: [{ port: 70000 }] })),
        /invalid 'clientPorts\[0\].port': 70000/],
      ['a client Service named like the headless Service', () => new StatefulWorkload(Testing.chart(), 'db', minimal({ metadata: { name: 'db' } })).addClientService({ name: 'db' }),
        /invalid 'name': "db"\. Service names must be unique within the workload/],
      ['exposePod of a missing replica', () => new StatefulWorkload(Testing.chart(), 'db', minimal({ replicas: 2 })).exposePod(2),
        /invalid 'exposePod\(ordinal\)': 2\. Must be an ordinal of a replica, from 0 to 1/],
      ['claimName of another workload\'s template', () => {
        const chart = Testing.chart();
        const a = new StatefulWorkload(chart, 'a', minimal({ volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1) }] }));
        const b = new StatefulWorkload(chart, 'b', minimal());
        b.claimName(a.volumeClaimTemplates[0], 0);
      }, /invalid 'claim': "data"\. Must be a volume claim template of this workload/],
    ])('fails when %s', (_name, fn, message) => {
      expect(fn).toThrow(message);
    });

    test.each<[string, (chart: Chart) => void, RegExp]>([
      ['there are no containers', chart => new StatefulWorkload(chart, 'db'),
        /StatefulWorkload 'test\/db': invalid 'containers': \[\]\. A StatefulSet needs at least one container\. Pass 'containers' or call addContainer\(\)\./],
      ['two containers share a name', chart => new StatefulWorkload(chart, 'db', { containers: [{ image: IMAGE, securityContext: { user: 1 } }, { image: IMAGE, securityContext: { user: 1 } }] }),
        /invalid 'containers\[\]\.name': "main"\. Container names must be unique within the pod/],
      ['a port number is invalid', chart => new StatefulWorkload(chart, 'db', { containers: [{ image: IMAGE, portNumber: 70000, securityContext: { user: 1 } }] }),
        /invalid 'container "main" port': 70000\. Must be an integer port number from 1 to 65535/],
      ['a port name is invalid', chart => new StatefulWorkload(chart, 'db', { containers: [{ image: IMAGE, ports: [{ name: 'Postgres_SQL', number: 5432 }], securityContext: { user: 1 } }] }),
        /invalid 'container "main" port name': "Postgres_SQL"\. Must be an IANA service name/],
      ['two containers expose the same port', chart => new StatefulWorkload(chart, 'db', {
        containers: [
          { name: 'a', image: IMAGE, portNumber: 8080, securityContext: { user: 1 } },
          { name: 'b', image: IMAGE, portNumber: 8080, securityContext: { user: 1 } },
        ],
      }), /invalid 'ports': "8080\/TCP"\. Each port number and protocol may be exposed by one container only/],
      ['two containers use the same port name', chart => new StatefulWorkload(chart, 'db', {
        containers: [
          { name: 'a', image: IMAGE, ports: [{ name: 'http', number: 8080 }], securityContext: { user: 1 } },
          { name: 'b', image: IMAGE, ports: [{ name: 'http', number: 8081 }], securityContext: { user: 1 } },
        ],
      }), /invalid 'ports': "http"\. Port names must be unique across the containers/],
      ['a container mounts a claim template of another workload', chart => {
        const other = new StatefulWorkload(chart, 'other', minimal({ metadata: { name: 'other' }, volumeClaimTemplates: [{ name: 'shared', storage: Size.gibibytes(1) }] }));
        const db = new StatefulWorkload(chart, 'db', minimal({ metadata: { name: 'db' } }));
        db.containers[0].mount('/shared', other.volumeClaimTemplates[0]);
      }, /invalid 'container "db" volumeMounts': "shared"\. Mounts claim template "shared" of another workload \(test\/other\); this workload's claim templates are \[\]/],
      ['two mounts share a path', chart => {
        const db = new StatefulWorkload(chart, 'db', minimal({ volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), mountPath: '/data' }] }));
        db.containers[0].mount('/data', kplus.Volume.fromEmptyDir(chart, 'E', 'scratch'));
      }, /invalid 'container "db" volumeMounts': "\/data"\. Mount paths must be unique within a container/],
      ['a pod volume has a claim template\'s name', chart => {
        const db = new StatefulWorkload(chart, 'db', minimal({ volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1) }] }));
        db.addVolume(kplus.Volume.fromEmptyDir(chart, 'E', 'data'));
      }, /invalid 'volumes': "data"\. A pod volume may not share its name with a volume claim template/],
      ['a claim template is named tmp', chart => new StatefulWorkload(chart, 'db', minimal({ volumeClaimTemplates: [{ name: 'tmp', storage: Size.gibibytes(1) }] })),
        /invalid 'volumes': "tmp"\. The name "tmp" belongs to the writable emptyDir mounted at \/tmp/],
      ['a volume is named tmp', chart => {
        const db = new StatefulWorkload(chart, 'db', minimal());
        db.containers[0].mount('/etc/tmp-config', kplus.Volume.fromEmptyDir(chart, 'T', 'tmp'));
      }, /invalid 'volumes': "tmp"\. The name "tmp" belongs to the writable emptyDir.*set 'writableTmp: false'/],
      ['a client Service has no ports', chart => new StatefulWorkload(chart, 'db', { containers: [{ image: IMAGE, securityContext: { user: 1 } }] }).addClientService(),
        /WorkloadService 'test\/db\/ClientService': invalid 'ports': \[\]\. A ClusterIP Service needs at least one port\. Add 'ports' or 'portNumber' to a container of the workload, or declare the workload's 'clientPorts'\./],
      ['a client Service names a port no container exposes', chart => new StatefulWorkload(chart, 'db', minimal()).addClientService({ ports: [{ port: 80 }] }),
        /WorkloadService 'test\/db\/ClientService': invalid 'ports\[0\]\.port': 80\. Must be a port a container exposes \(\[5432\]\)\. Add the port to a container, or set 'targetPort'/],
      ['several containers expose ports and no client port is declared', chart => new StatefulWorkload(chart, 'db', minimal({
        containers: [
          { name: 'exporter', image: IMAGE, portNumber: 9187, securityContext: { user: 1 } },
          { name: 'db', image: IMAGE, portNumber: 5432, securityContext: { user: 1 } },
        ],
      })), /invalid 'clientPorts': not declared\. Containers "exporter" \(9187\) and "db" \(5432\) expose ports, so the port clients connect to cannot be inferred.*Declare the ports clients use, e\.g\. 'clientPorts: \[\{ port: 9187 \}\]'/],
      ['a declared client port no container exposes', chart => new StatefulWorkload(chart, 'db', minimal({ clientPorts: [{ port: 6379 }] })),
        /invalid 'clientPorts\[0\]': "6379\/TCP"\. Must be a port a container exposes \(\["5432\/TCP"\]\)/],
      ['a client port declared twice', chart => new StatefulWorkload(chart, 'db', minimal({ clientPorts: [{ port: 5432 }, { port: 5432 }] })),
        /invalid 'clientPorts': "5432\/TCP"\. Each client port may be declared once/],
      ['a client Service maps to a container port that does not exist', chart => new StatefulWorkload(chart, 'db', minimal()).addClientService({ ports: [{ port: 80, targetPort: 8080 }] }),
        /invalid 'ports\[0\]\.targetPort': 8080\. Must be a port a container exposes/],
      ['a client Service lists a port twice', chart => new StatefulWorkload(chart, 'db', minimal()).addClientService({ ports: [{ port: 80, targetPort: 5432 }, { port: 80, targetPort: 5432, name: 'b' }] }),
        /invalid 'ports': "80\/TCP"\. Each Service port number and protocol may appear once/],
    ])('fails at synth when %s', (_name, build, message) => {
      const chart = Testing.chart();
      build(chart);
      expect(() => Testing.synth(chart)).toThrow(message);
    });

    describe('the pod template as the API server validates a Pod', () => {
      // The 1.27 API server stores these StatefulSets; the controller's pod creates then fail.
      const SYNTH = 'Validation failed with the following errors:\n  [test/db] ';
      const env = (name: string) => ({ [name]: kplus.EnvValue.fromValue('x') });
      test.each<[string, Partial<kplus.ContainerProps>, string]>([
        ['a cpu request is above its limit', { resources: { cpu: { request: kplus.Cpu.units(2), limit: kplus.Cpu.units(1) } } },
          `${W}: invalid 'container "db" resources.requests.cpu': "2". Must be less than or equal to the cpu limit ("1"): the API server refuses the pod, so the controller creates none. `
          + 'Lower the cpu request to at most "1", or raise the limit.'],
        ['a memory request is above its limit', { resources: { memory: { request: Size.gibibytes(2), limit: Size.gibibytes(1) } } },
          `${W}: invalid 'container "db" resources.requests.memory': "2Gi". Must be less than or equal to the memory limit ("1Gi"): the API server refuses the pod, so the controller creates none. `
          + 'Lower the memory request to at most "1Gi", or raise the limit.'],
        ['the image is empty', { image: '' },
          `${W}: invalid 'container "db" image': "". An image is required: the API server refuses a pod without one. `
          + 'Set it to a reference such as "docker.io/library/postgres:16.4" or "registry.example.com/team/app@sha256:<64 hex digits>".'],
        ['the image is not an image reference', { image: 'Postgres 16' },
          `${W}: invalid 'container "db" image': "Postgres 16". Must be an image reference [registry[:port]/]repository[:tag][@digest]: `],
        ['an environment variable name starts with a digit', { envVariables: env('1PASSWORD') },
          `${W}: invalid 'container "db" env[0].name': "1PASSWORD". Must be an environment variable name: letters, digits, '_', '-' or '.', not starting with a digit (the API server refuses the pod). Rename it, e.g. "DB_HOST".`],
        ['an environment variable name has a space', { envVariables: env('DB HOST') },
          `${W}: invalid 'container "db" env[0].name': "DB HOST". Must be an environment variable name`],
        ['a liveness probe must succeed twice', { liveness: kplus.Probe.fromTcpSocket({ port: 5432, successThreshold: 2 }) },
          `${W}: invalid 'container "db" livenessProbe.successThreshold': 2. Must be 1 for a livenessProbe. Set 'successThreshold' to 1, or leave it out.`],
      ])('fails at synth when %s', (_name, container, message) => {
        // GIVEN
        const chart = Testing.chart();
        // WHEN
        new StatefulWorkload(chart, 'db', minimal({ containers: [{ name: 'db', image: IMAGE, securityContext: { user: 999, group: 999 }, ...container }] }));
        // THEN
        expect(() => Testing.synth(chart)).toThrow(`${SYNTH}${message}`);
      });

      test('fails at synth when an init container added later has a bad image', () => {
        const chart = Testing.chart();
        const db = new StatefulWorkload(chart, 'db', minimal());
        db.addInitContainer({ name: 'init', image: 'busybox:', securityContext: { user: 999 } });
        expect(() => Testing.synth(chart)).toThrow(`${SYNTH}${W}: invalid 'init container "init" image': "busybox:". Must be an image reference`);
      });

      const LABEL_VALUE = 'Must be a label value: empty, or at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit';
      test.each<[string, Partial<StatefulWorkloadProps>, string]>([
        ['a pod label value has a space', { podMetadata: { labels: { tier: 'data base' } } },
          `${W}: invalid 'podMetadata.labels["tier"]': "data base". ${LABEL_VALUE}. Set 'podMetadata.labels["tier"]' to a label value such as "primary" (no spaces, '/' or ':'); put longer text in an annotation.`],
        ['a pod label key is not a qualified name', { podMetadata: { labels: { 'team/db/x': 'a' } } },
          `${W}: invalid 'podMetadata.labels key': "team/db/x". Must be a qualified name`],
        ['a pod annotation key is not a qualified name', { podMetadata: { annotations: { 'backup policy': 'daily' } } },
          `${W}: invalid 'podMetadata.annotations key': "backup policy". Must be a qualified name`],
        ['a nodeSelector value is not a label value', { nodeSelector: { 'node.example.com/disk': 'fast ssd' } },
          `${W}: invalid 'nodeSelector["node.example.com/disk"]': "fast ssd". ${LABEL_VALUE}.`],
        ['a nodeSelector value is too long', { nodeSelector: { disk: 'a'.repeat(64) } },
          `${W}: invalid 'nodeSelector["disk"]': "${'a'.repeat(64)}". ${LABEL_VALUE}.`],
        ['maxSkew is 0', { topologySpread: [{ topology: kplus.Topology.ZONE, maxSkew: 0 }] },
          `${W}: invalid 'topologySpread[0].maxSkew': 0. Must be a whole number of at least 1: the most the number of pods may differ between two domains. Set 'maxSkew' to 1 for an even spread, or leave it out.`],
        ['maxSkew is negative', { topologySpread: [{ topology: kplus.Topology.ZONE }, { topology: kplus.Topology.HOSTNAME, maxSkew: -1 }] },
          `${W}: invalid 'topologySpread[1].maxSkew': -1. Must be a whole number of at least 1`],
        ['a topology is not a label key', { topologySpread: [{ topology: kplus.Topology.custom('node zone') }] },
          `${W}: invalid 'topologySpread[0].topologyKey': "node zone". A node label key is required.`],
        ['a topology is spread twice the same way', { topologySpread: [{ topology: kplus.Topology.ZONE }, { topology: kplus.Topology.ZONE, maxSkew: 2 }] },
          `${W}: invalid 'topologySpread[1]': "{topology.kubernetes.io/zone, ScheduleAnyway}". Each topology key may be constrained once per whenUnsatisfiable. Remove the duplicate constraint.`],
      ])('fails when %s', (_name, props, message) => {
        expect(() => new StatefulWorkload(Testing.chart(), 'db', minimal(props))).toThrow(message);
      });

      test('valid labels, selectors and spreads are accepted', () => {
        const chart = Testing.chart();
        new StatefulWorkload(chart, 'db', minimal({
          replicas: 3,
          podMetadata: { labels: { 'tier': '', 'example.com/team': 'data_base-1.0' }, annotations: { 'example.com/notes': 'any text: at all' } },
          nodeSelector: { 'kubernetes.io/os': 'linux', 'disk': 'a'.repeat(63) },
          topologySpread: [
            { topology: kplus.Topology.ZONE, maxSkew: 2, whenUnsatisfiable: UnsatisfiableSpread.DO_NOT_SCHEDULE },
            { topology: kplus.Topology.ZONE },
          ],
        }));
        expect(podSpec(synthValid(chart)).nodeSelector.disk).toHaveLength(63);
      });
    });

    test('error messages name the construct', () => {
      expect(() => new StatefulWorkload(Testing.chart(), 'db', minimal({ replicas: -1 }))).toThrow(W);
    });
  });
});

describe('StatefulWorkload edge cases', () => {
  const W = "StatefulWorkload 'test/db'";
  const warningsOf = (chart: Chart, code: string) => allWarnings(chart).filter(w => w.endsWith(`[cdk8s-stateful:${code}]`));

  describe('construction checks', () => {
    test.each<[string, Partial<StatefulWorkloadProps>, RegExp]>([
      ['a client port name is not an IANA service name', { clientPorts: [{ port: 5432, name: 'Postgres_SQL' }] },
        /invalid 'clientPorts\[0\].name': "Postgres_SQL"\. Must be an IANA service name/],
      ['a client port protocol is unknown', { clientPorts: [{ port: 5432, protocol: 'tcp' }] },
        /Must be "TCP", "UDP" or "SCTP"\. Use one of the three, or leave it out \(TCP\)\./],
      ['terminationGracePeriod is fractional', { terminationGracePeriod: Duration.millis(1500) },
        /invalid 'terminationGracePeriod': 1.5\. Must be an integer of at least 0/],
      ['the cluster domain is not a domain', { clusterDomain: 'https://x' },
        /invalid 'clusterDomain': "https:\/\/x"\. Must be a DNS domain such as "cluster.local"\. Set 'clusterDomain' to the cluster's DNS domain \(kubelet --cluster-domain\)\./],
      ['the disruption budget maxUnavailable is above 100%', { replicas: 3, disruptionBudget: DisruptionBudget.maxUnavailable(kplus.PercentOrAbsolute.percent(150)) },
        /invalid 'disruptionBudget': "150%"\. Must be a whole percentage from 0% to 100%\. Set 'disruptionBudget' to a value such as PercentOrAbsolute.percent\(50\)\./],
      ['the disruption budget minAvailable is not a whole percentage', { replicas: 3, disruptionBudget: DisruptionBudget.minAvailable(kplus.PercentOrAbsolute.percent(12.5)) },
        /invalid 'disruptionBudget': "12.5%"\. Must be a whole percentage from 0% to 100%/],
      ['the disruption budget minAvailable is a negative number', { replicas: 3, disruptionBudget: DisruptionBudget.minAvailable(kplus.PercentOrAbsolute.absolute(-1)) },
        /invalid 'disruptionBudget': -1\. Must be an integer of at least 0/],
      ['strategy.maxUnavailable is 0%', { replicas: 3, strategy: WorkloadUpdateStrategy.rollingUpdate({ maxUnavailable: kplus.PercentOrAbsolute.percent(0) }) },
        /invalid 'strategy.maxUnavailable': "0%"\. Must be a whole percentage from 1% to 100%/],
      ['strategy.maxUnavailable is above 100%', { replicas: 3, strategy: WorkloadUpdateStrategy.rollingUpdate({ maxUnavailable: kplus.PercentOrAbsolute.percent(101) }) },
        /invalid 'strategy.maxUnavailable': "101%"\. Must be a whole percentage from 1% to 100%/],
    ])('fails when %s', (_name, props, message) => {
      expect(() => new StatefulWorkload(Testing.chart(), 'db', minimal(props))).toThrow(message);
    });

    test('client ports with any of the three protocols are accepted', () => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', minimal({
        containers: [{
          name: 'db',
          image: IMAGE,
          securityContext: { user: 999 },
          ports: [{ number: 5432 }, { number: 5433, protocol: kplus.Protocol.UDP }, { number: 5434, protocol: kplus.Protocol.SCTP }],
        }],
        clientPorts: [{ port: 5432, protocol: 'TCP' }, { port: 5433, protocol: 'UDP' }, { port: 5434, protocol: 'SCTP' }],
      }));
      expect(db._clientPortNumbers().map(p => p.protocol)).toEqual(['TCP', 'UDP', 'SCTP']);
    });

    test('a whole strategy.maxUnavailable percentage from 1% to 100% is accepted', () => {
      for (const pct of [1, 100]) {
        expect(() => new StatefulWorkload(Testing.chart(), 'db', minimal({
          replicas: 3, strategy: WorkloadUpdateStrategy.rollingUpdate({ maxUnavailable: kplus.PercentOrAbsolute.percent(pct) }),
        }))).not.toThrow();
      }
    });

    test('a fractional terminationGracePeriod of whole seconds is accepted', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({ terminationGracePeriod: Duration.millis(3000) }));
      expect(podSpec(synthValid(chart)).terminationGracePeriodSeconds).toBe(3);
    });

    test('a zero terminationGracePeriod comes with a warning', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({ metadata: { name: 'db' }, terminationGracePeriod: Duration.seconds(0) }));
      expect(podSpec(synthValid(chart)).terminationGracePeriodSeconds).toBe(0);
      expect(warningsOf(chart, 'zero-termination-grace')).toEqual([
        `${W}: warning: 'terminationGracePeriod': 0 seconds. The pods are killed at once when they are deleted, evicted or rolled: `
        + 'a database gets no chance to flush and close its files, and the next start has to recover them (or finds them corrupt). '
        + 'Leave \'terminationGracePeriod\' out (30 seconds) or give the engine the time a clean shutdown takes. [cdk8s-stateful:zero-termination-grace]',
      ]);
    });

    test.each(['a', 'a.b.c', 'corp.x', 'k8s-1.example.com'])('the cluster domain %s is accepted', (clusterDomain) => {
      const chart = new Chart(Testing.app(), 'test', { namespace: 'data' });
      const db = new StatefulWorkload(chart, 'db', minimal({ metadata: { name: 'db' }, clusterDomain }));
      expect(db.podDnsName(0)).toBe(`db-0.db.data.svc.${clusterDomain}`);
    });
  });

  describe('governing Service', () => {
    test('combined with headlessService options: the hint names both ways out', () => {
      const chart = Testing.chart();
      const svc = new kplus.Service(chart, 'S', { clusterIP: 'None', ports: [{ port: 80 }] });
      expect(() => new StatefulWorkload(chart, 'db', minimal({ governingService: svc, headlessService: { publishNotReadyAddresses: true } })))
        .toThrow(/Set the options on your own Service, or drop 'governingService' to let the workload create one\./);
    });

    test('in a namespace while the workload has none', () => {
      const chart = Testing.chart();
      const svc = new kplus.Service(chart, 'S', { metadata: { name: 'peers', namespace: 'other' }, clusterIP: 'None', ports: [{ port: 80 }] });
      expect(() => new StatefulWorkload(chart, 'db', minimal({ governingService: svc }))).toThrow(
        `${W}: invalid 'governingService': "other/peers". The governing Service must be in the StatefulSet's namespace ((no namespace)): pod DNS names live under it. `
        + 'Create the Service in the same namespace as the workload.');
    });

    test('without a namespace while the workload has one', () => {
      const chart = Testing.chart();
      const svc = new kplus.Service(chart, 'S', { metadata: { name: 'peers' }, clusterIP: 'None', ports: [{ port: 80 }] });
      expect(() => new StatefulWorkload(chart, 'db', minimal({ metadata: { namespace: 'data' }, governingService: svc })))
        .toThrow(/invalid 'governingService': "\(no namespace\)\/peers"\. The governing Service must be in the StatefulSet's namespace \(data\)/);
    });

    test.each<[string, string | undefined, string]>([
      ['no cluster IP (one is allocated)', undefined, '"(a cluster IP)"'],
      ['a fixed cluster IP', '10.0.0.5', '"10.0.0.5"'],
    ])('not headless, with %s', (_name, clusterIP, shown) => {
      const chart = Testing.chart();
      const svc = new kplus.Service(chart, 'S', { clusterIP, ports: [{ port: 80 }] });
      expect(() => new StatefulWorkload(chart, 'db', minimal({ governingService: svc }))).toThrow(
        `${W}: invalid 'governingService': ${shown}. The governing Service of a StatefulSet must be headless (clusterIP: None), or pods get no DNS names. `
        + 'Create the Service with \'clusterIP: "None"\'.');
    });
  });

  describe('names and labels', () => {
    test('a label the user sets on the StatefulSet wins over the common labels', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({ metadata: { name: 'db', labels: { 'app.kubernetes.io/managed-by': 'helm' } } }));
      expect(findOne(synthValid(chart), 'StatefulSet').metadata.labels['app.kubernetes.io/managed-by']).toBe('helm');
    });

    test('a generated name of exactly 52 characters is accepted', () => {
      // "test-" + id + "-" + 8 hash characters
      const id = 'x'.repeat(52 - 'test-'.length - 9);
      const db = new StatefulWorkload(Testing.chart(), id, minimal());
      expect(db.name).toHaveLength(52);
    });

    test('a generated name with a character a DNS label does not allow fails, wherever the character is', () => {
      expect(() => new StatefulWorkload(Testing.chart(), 'db_main', minimal()))
        .toThrow(/invalid 'metadata.name': "test-db_main-[0-9a-f]{8}"\. The StatefulSet name generated from the construct path must be a DNS-1123 label/);
    });

    test('the suggested stable name drops only the trailing hash of the generated name', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'abcdef12-db', minimal({ volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1) }] }));
      synthValid(chart);
      expect(warningsOf(chart, 'generated-name-with-claims')).toEqual([expect.stringContaining('Set \'metadata.name\' to a stable name, e.g. "test-abcdef12-db".')]);
    });

    test.each<[number, string]>([
      [3, 'data-NAME-0, data-NAME-1, data-NAME-2)'],
      [4, 'data-NAME-0, data-NAME-1, data-NAME-2, ...)'],
    ])('the generated-name warning lists the claims of %d replicas', (replicas, list) => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', minimal({ replicas, volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1) }] }));
      synthValid(chart);
      expect(warningsOf(chart, 'generated-name-with-claims')).toEqual([expect.stringContaining(`its claims are named after it (${list.replace(/NAME/g, db.name)}: `)]);
    });

    test('the StatefulSet is a data store for Argo CD sync waves', () => {
      const chart = Testing.chart();
      SyncWaves.enable(chart);
      new StatefulWorkload(chart, 'db', minimal());
      expect(findOne(Testing.synth(chart), 'StatefulSet').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('2');
    });
  });

  describe('disruption budget warnings', () => {
    test('names a single replica in the singular, with the hint', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({ disruptionBudget: DisruptionBudget.maxUnavailable(kplus.PercentOrAbsolute.absolute(0)) }));
      expect(warningsOf(chart, 'disruption-budget-blocks-eviction')).toEqual([
        `${W}: warning: 'disruptionBudget': 0. With 1 replica this budget allows no voluntary eviction: node drains and cluster upgrades hang until someone deletes a pod by hand. `
        + 'Allow at least one replica to go down, e.g. DisruptionBudget.maxUnavailable(PercentOrAbsolute.absolute(1)), or DisruptionBudget.none(). [cdk8s-stateful:disruption-budget-blocks-eviction]',
      ]);
    });

    test('no warning with zero replicas: there is nothing to evict', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({ replicas: 0, disruptionBudget: DisruptionBudget.maxUnavailable(kplus.PercentOrAbsolute.absolute(0)) }));
      expect(warningsOf(chart, 'disruption-budget-blocks-eviction')).toEqual([]);
    });

    test('a minAvailable percentage that leaves a replica to evict gives no warning', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({ replicas: 3, disruptionBudget: DisruptionBudget.minAvailable(kplus.PercentOrAbsolute.percent(50)) }));
      expect(warningsOf(chart, 'disruption-budget-blocks-eviction')).toEqual([]);
    });
  });

  describe('methods', () => {
    test('initContainers lists the init containers (a copy)', () => {
      const db = new StatefulWorkload(Testing.chart(), 'db', minimal({ initContainers: [{ name: 'init', image: IMAGE, securityContext: { user: 999 } }] }));
      const list = db.initContainers;
      expect(list.map(c => c.name)).toEqual(['init']);
      list.pop();
      expect(db.initContainers).toHaveLength(1);
    });

    test('claim templates with different names can be added', () => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', minimal({ metadata: { name: 'db' } }));
      db.addVolumeClaimTemplate({ name: 'data', storage: Size.gibibytes(1) });
      db.addVolumeClaimTemplate({ name: 'logs', storage: Size.gibibytes(1) });
      expect(findOne(synthValid(chart), 'StatefulSet').spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual(['data', 'logs']);
    });

    test('a duplicate claim template name: the hint', () => {
      const db = new StatefulWorkload(Testing.chart(), 'db', minimal());
      db.addVolumeClaimTemplate({ name: 'data', storage: Size.gibibytes(1) });
      expect(() => db.addVolumeClaimTemplate({ name: 'data', storage: Size.gibibytes(1) })).toThrow(/Claim template names must be unique\. Give each claim template its own name\./);
    });

    test('two Services of the same pod, the second with its own name', () => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', minimal({ metadata: { name: 'db' } }));
      db.exposePod(0);
      db.exposePod(0, { name: 'db-primary' });
      const services = findAll(synthValid(chart), 'Service').map(s => s.metadata.name).sort();
      expect(services).toEqual(['db', 'db-0', 'db-primary']);
    });

    test('the Service of one pod is a construct named after its ordinal', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal()).exposePod(0, { ports: [{ port: 80 }] });
      expect(() => Testing.synth(chart)).toThrow(/WorkloadService 'test\/db\/Pod0Service': invalid 'ports\[0\]\.port': 80\./);
    });

    test('exposePod with a selection: the value and the hint', () => {
      const db = new StatefulWorkload(Testing.chart(), 'db', minimal());
      expect(() => db.exposePod(0, { selection: ServiceSelection.allPods() })).toThrow(
        `${W}: invalid 'exposePod(options.selection)': "set". exposePod() selects the pod of its ordinal. Leave 'selection' out, or call addClientService() with the selection.`);
    });

    test('addTopologySpread checks its constraint', () => {
      const db = new StatefulWorkload(Testing.chart(), 'db', minimal());
      expect(() => db.addTopologySpread({ topology: kplus.Topology.ZONE, maxSkew: 0 })).toThrow(/invalid 'addTopologySpread\(\)\[0\].maxSkew': 0\./);
    });

    test('addTopologySpread without whenUnsatisfiable schedules anyway', () => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', minimal());
      db.addTopologySpread({ topology: kplus.Topology.ZONE });
      expect(podSpec(synthValid(chart)).topologySpreadConstraints).toEqual([expect.objectContaining({ topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' })]);
    });

    test('claimName checks the template and the ordinal', () => {
      const chart = Testing.chart();
      const a = new StatefulWorkload(chart, 'a', minimal({ volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1) }] }));
      const b = new StatefulWorkload(chart, 'b', minimal());
      expect(() => b.claimName(a.volumeClaimTemplates[0], 0)).toThrow(
        /Must be a volume claim template of this workload\. Pass a template returned by this workload's addVolumeClaimTemplate\(\) or volumeClaimTemplates\./);
      expect(() => a.claimName(a.volumeClaimTemplates[0], 1)).toThrow(
        /invalid 'claimName\(ordinal\)': 1\. Must be an ordinal of a replica, from 0 to 0\. Pass the ordinal of an existing replica \(ordinals.start \+ index\)\./);
    });
  });

  describe('ports', () => {
    test('a declared client port takes the name of the container port of the same protocol', () => {
      const db = new StatefulWorkload(Testing.chart(), 'db', minimal({
        containers: [{
          name: 'dns',
          image: IMAGE,
          securityContext: { user: 999 },
          ports: [{ name: 'dns-udp', number: 53, protocol: kplus.Protocol.UDP }, { name: 'dns-tcp', number: 53 }],
        }],
        clientPorts: [{ port: 53 }],
      }));
      expect(db._clientPortNumbers()).toEqual([{ number: 53, protocol: 'TCP', name: 'dns-tcp' }]);
    });

    test('a declared client port no container exposes has no name', () => {
      const db = new StatefulWorkload(Testing.chart(), 'db', minimal({ clientPorts: [{ port: 6379 }] }));
      expect(db._clientPortNumbers()).toEqual([{ number: 6379, protocol: 'TCP', name: undefined }]);
    });

    test.each<[string, Partial<StatefulWorkloadProps>, RegExp]>([
      ['a declared client port exposed with another protocol', { clientPorts: [{ port: 5432, protocol: 'UDP' }] },
        /invalid 'clientPorts\[0\]': "5432\/UDP"\. Must be a port a container exposes \(\["5432\/TCP"\]\)\. Add the port to a container, or remove it from 'clientPorts'\./],
      ['a client port declared twice', { clientPorts: [{ port: 5432 }, { port: 5432 }] },
        /invalid 'clientPorts': "5432\/TCP"\. Each client port may be declared once\. Remove the duplicate\./],
      ['several containers expose ports and no client port is declared', {
        containers: [
          { name: 'exporter', image: IMAGE, ports: [{ number: 9187 }, { number: 9188 }], securityContext: { user: 1 } },
          { name: 'db', image: IMAGE, portNumber: 5432, securityContext: { user: 1 } },
        ],
      }, /Containers "exporter" \(9187, 9188\) and "db" \(5432\) expose ports/],
      ['two containers expose the same port', {
        containers: [
          { name: 'a', image: IMAGE, portNumber: 8080, securityContext: { user: 1 } },
          { name: 'b', image: IMAGE, portNumber: 8080, securityContext: { user: 1 } },
        ],
        clientPorts: [{ port: 8080 }],
      }, /Each port number and protocol may be exposed by one container only\. Remove the duplicate port or change its number\./],
      ['two containers use the same port name', {
        containers: [
          { name: 'a', image: IMAGE, ports: [{ name: 'http', number: 8080 }], securityContext: { user: 1 } },
          { name: 'b', image: IMAGE, ports: [{ name: 'http', number: 8081 }], securityContext: { user: 1 } },
        ],
        clientPorts: [{ port: 8080 }],
      }, /Port names must be unique across the containers\. Rename one of the ports\./],
      ['two containers share a name', { containers: [{ image: IMAGE, securityContext: { user: 1 } }, { image: IMAGE, securityContext: { user: 1 } }] },
        /Container names must be unique within the pod\. Give each container its own 'name'\./],
      ['a container name is not a DNS label', { containers: [{ name: 'Main_DB', image: IMAGE, securityContext: { user: 1 } }] },
        /invalid 'container "Main_DB" name': "Main_DB"\. Must be a DNS-1123 label/],
    ])('fails at synth when %s', (_name, props, message) => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal(props));
      expect(() => Testing.synth(chart)).toThrow(message);
    });

    test('a portNumber also listed in ports is exposed once', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({
        containers: [{ name: 'db', image: IMAGE, portNumber: 5432, ports: [{ name: 'postgres', number: 5432 }], securityContext: { user: 999 } }],
      }));
      expect(podSpec(synthValid(chart)).containers[0].ports).toEqual([{ name: 'postgres', containerPort: 5432 }]);
    });
  });

  describe('volumes and mounts', () => {
    test('a claim template mounted by hand at its own mountPath is mounted once; at another path, twice', () => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', minimal({ volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), mountPath: '/data' }] }));
      db.containers[0].mount('/data', db.volumeClaimTemplates[0]);
      db.addContainer({ name: 'backup', image: IMAGE, securityContext: { user: 999 } }).mount('/backup/data', db.volumeClaimTemplates[0]);
      const spec = podSpec(synthValid(chart));
      const mounts = (name: string) => spec.containers.find((c: any) => c.name === name).volumeMounts.filter((m: any) => m.name === 'data').map((m: any) => m.mountPath);
      expect(mounts('db')).toEqual(['/data']);
      expect(mounts('backup').sort()).toEqual(['/backup/data', '/data']);
    });

    test('a volume mounted at /tmp replaces the writable /tmp emptyDir mount', () => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', minimal());
      db.containers[0].mount('/tmp', kplus.Volume.fromEmptyDir(chart, 'Scratch', 'scratch'));
      const spec = podSpec(synthValid(chart));
      expect(spec.containers[0].volumeMounts.filter((m: any) => m.mountPath === '/tmp')).toEqual([{ name: 'scratch', mountPath: '/tmp' }]);
    });

    test('without writableTmp a volume may be named tmp', () => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', minimal({ writableTmp: false }));
      db.containers[0].mount('/tmp', kplus.Volume.fromEmptyDir(chart, 'T', 'tmp'));
      expect(podSpec(synthValid(chart)).volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
    });

    test('a volume named tmp next to the writable /tmp emptyDir is the one problem reported', () => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', minimal());
      db.containers[0].mount('/etc/tmp-config', kplus.Volume.fromEmptyDir(chart, 'T', 'tmp'));
      expect(() => Testing.synth(chart)).toThrow(new Error('Validation failed with the following errors:\n  [test/db] '
        + `${W}: invalid 'volumes': "tmp". The name "tmp" belongs to the writable emptyDir mounted at /tmp (writableTmp); a claim template or volume of that name would replace it. `
        + 'Rename your volume or claim template, or set \'writableTmp: false\' and mount your own volume at /tmp.'));
    });

    test('a Block claim template with a devicePath is attached as a device', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({
        volumeClaimTemplates: [{ name: 'raw', storage: Size.gibibytes(1), volumeMode: kplus.PersistentVolumeMode.BLOCK, devicePath: '/dev/xvda' }],
        initContainers: [{ name: 'init', image: IMAGE, securityContext: { user: 999 } }],
      }));
      const spec = podSpec(synthValid(chart));
      expect(spec.containers[0].volumeDevices).toEqual([{ name: 'raw', devicePath: '/dev/xvda' }]);
      expect(spec.initContainers[0].volumeDevices).toBeUndefined();
    });

    test('fails at synth when a container mounts a Block claim as a file system', () => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', minimal());
      const raw = db.addVolumeClaimTemplate({ name: 'raw', storage: Size.gibibytes(1), volumeMode: kplus.PersistentVolumeMode.BLOCK });
      db.containers[0].mount('/raw', raw);
      expect(() => Testing.synth(chart)).toThrow(
        `${W}: invalid 'container "db" volumeMounts': "raw". Claim template "raw" is a Block volume: a raw device cannot be mounted as a file system. Attach it with the template's 'devicePath' instead of container.mount().`);
    });

    test('fails at synth when two different volumes share a name', () => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', minimal());
      db.containers[0].mount('/a', kplus.Volume.fromEmptyDir(chart, 'A', 'scratch'));
      db.containers[0].mount('/b', kplus.Volume.fromEmptyDir(chart, 'B', 'scratch'));
      expect(() => Testing.synth(chart)).toThrow(`${W}: invalid 'volumes': "scratch". Two different volumes have the same name. Give each volume its own name.`);
    });

    test('the same volume mounted twice and added explicitly is one volume', () => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', minimal());
      const scratch = kplus.Volume.fromEmptyDir(chart, 'A', 'scratch');
      db.addVolume(scratch);
      db.containers[0].mount('/a', scratch);
      db.containers[0].mount('/b', scratch, { subPath: 'b' });
      expect(podSpec(synthValid(chart)).volumes.map((v: any) => v.name)).toEqual(['scratch', 'tmp']);
    });

    test('a mount of another workload\'s claim template is reported once, with the hint', () => {
      const chart = Testing.chart();
      const other = new StatefulWorkload(chart, 'other', minimal({ metadata: { name: 'other' }, volumeClaimTemplates: [{ name: 'shared', storage: Size.gibibytes(1) }] }));
      const db = new StatefulWorkload(chart, 'db', minimal({ metadata: { name: 'db' } }));
      db.containers[0].mount('/shared', other.volumeClaimTemplates[0]);
      let message = '';
      try {
        Testing.synth(chart);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toContain('Mount a claim template of this workload, or add one with addVolumeClaimTemplate().');
      expect(message.match(/volumeMounts'/g)).toHaveLength(1);
    });

    test('two mounts at one path are reported once', () => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', minimal({ volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), mountPath: '/data' }] }));
      db.containers[0].mount('/data', kplus.Volume.fromEmptyDir(chart, 'E', 'scratch'));
      expect(() => Testing.synth(chart)).toThrow(new Error('Validation failed with the following errors:\n  [test/db] '
        + `${W}: invalid 'container "db" volumeMounts': "/data". Mount paths must be unique within a container. Mount each volume at its own path (a claim template's mountPath also counts).`));
    });

    test.each<[string, (chart: Chart, db: StatefulWorkload) => void, RegExp]>([
      ['a pod volume has a claim template\'s name', (chart, db) => db.addVolume(kplus.Volume.fromEmptyDir(chart, 'E', 'data')),
        /A pod volume may not share its name with a volume claim template: the controller would replace it\. Rename the volume or the claim template\./],
      ['two mounts share a path', (chart, db) => db.containers[0].mount('/data', kplus.Volume.fromEmptyDir(chart, 'E', 'scratch')),
        /Mount paths must be unique within a container\. Mount each volume at its own path \(a claim template's mountPath also counts\)\./],
    ])('fails at synth when %s: the hint', (_name, build, message) => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', minimal({ volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), mountPath: '/data' }] }));
      build(chart, db);
      expect(() => Testing.synth(chart)).toThrow(message);
    });
  });

  test('a connection checksum stamped again with its value is no change: later validation passes reuse the app index', () => {
    // GIVEN a StatefulWorkload consuming a connection, and two more charts (one more validation pass each)
    const app = Testing.app();
    const chart = new Chart(app, 'test');
    new Chart(app, 'other');
    new Chart(app, 'third');
    const store = DataStore.fromDataStoreAttributes(chart, 'orders', { storeName: 'orders-db', hostname: 'orders-db.shop.svc.cluster.local', ports: [{ port: 5432 }] });
    const db = new StatefulWorkload(chart, 'db', minimal({ metadata: { name: 'db' } }));
    new DataStoreConnection(chart, 'conn', { store }).addConsumer(db.containers[0]);
    const before = { ...indexStats() };
    // WHEN
    app.synthYaml();
    // THEN the checksum is on the pod template; stamping it the first time is a change (the second
    // pass builds a new index), stamping the same value again is not (the last two passes reuse it)
    expect(db.podMetadata.toJson().annotations).toEqual({ 'connection.cdk8s-stateful.io/orders-db-connection': expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(indexStats().walks - before.walks).toBe(2);
  });

  test('app-wide checks see the pods of the StatefulSet: a ReadWriteOncePod claim mounted by three replicas fails', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    const claim = new VolumeClaim(chart, 'files', { metadata: { name: 'files' }, storage: Size.gibibytes(1), accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE_POD] });
    const db = new StatefulWorkload(chart, 'db', minimal({ metadata: { name: 'db' }, replicas: 3 }));
    db.containers[0].mount('/shared', claim);
    expect(() => Testing.synth(chart)).toThrow(/Claim "files" is used by more than one pod \(StatefulSet\/db: 3 pods\)/);
  });

  describe('claims only static volumes can satisfy', () => {
    test('warns for a template without a class, naming the claims', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({ metadata: { name: 'db' }, replicas: 2, volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), storageClassName: '' }] }));
      synthValid(chart);
      expect(warningsOf(chart, 'unbindable-claim-template')).toEqual([
        `${W}: warning: 'volumeClaimTemplates "data"': "". The template asks for volumes without a class, and this app renders no PersistentVolume of that class: `
        + 'unless volumes are created outside the app, claims data-db-0, data-db-1 stay unbound and the pods Pending. '
        + 'Add a StaticVolumeSet for the template, or use a class with a provisioner. [cdk8s-stateful:unbindable-claim-template]',
      ]);
    });

    test('warns for a class of the app without a provisioner', () => {
      const chart = Testing.chart();
      const fast = StorageClass.localDisks(chart, 'fast', { metadata: { name: 'fast' } });
      new StatefulWorkload(chart, 'db', minimal({ metadata: { name: 'db' }, volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(1), storageClass: fast }] }));
      synthValid(chart);
      expect(warningsOf(chart, 'unbindable-claim-template')).toEqual([expect.stringContaining(
        `${W}: warning: 'volumeClaimTemplates "data"': "fast". The template uses class "fast", which has no provisioner, and this app renders no PersistentVolume of that class`)]);
    });

    test('no warning for a class with a provisioner, an unknown class, no class name, or volumes the app renders', () => {
      const chart = Testing.chart();
      const ssd = new StorageClass(chart, 'ssd', { metadata: { name: 'ssd' }, provisioner: 'ebs.csi.aws.com' });
      const db = new StatefulWorkload(chart, 'db', minimal({
        metadata: { name: 'db' },
        volumeClaimTemplates: [
          { name: 'a', storage: Size.gibibytes(1), storageClass: ssd },
          { name: 'b', storage: Size.gibibytes(1), storageClassName: 'gp3' },
          { name: 'c', storage: Size.gibibytes(1) },
          { name: 'd', storage: Size.gibibytes(1), storageClassName: '' },
        ],
      }));
      new StaticVolumeSet(chart, 'pvs', { workload: db, claimTemplate: db.volumeClaimTemplates[3], sources: [StaticVolumeSource.hostPath('/mnt/d')] });
      synthValid(chart);
      expect(warningsOf(chart, 'unbindable-claim-template')).toEqual([]);
    });
  });

  describe('pod spec details', () => {
    test('sysctls reach the pod security context', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({ securityContext: { sysctls: [{ name: 'kernel.shm_rmid_forced', value: '1' }] } }));
      expect(podSpec(synthValid(chart)).securityContext.sysctls).toEqual([{ name: 'kernel.shm_rmid_forced', value: '1' }]);
    });

    test('a toleration with an empty value leaves value out, as the API server stores it (omitempty)', () => {
      const chart = Testing.chart();
      const db = new StatefulWorkload(chart, 'db', minimal());
      db.addToleration(kplus.NodeTaintQuery.exists('dedicated'));
      db.addToleration(kplus.NodeTaintQuery.is('pool', 'db'));
      db.addToleration(kplus.NodeTaintQuery.is('spare', ''));
      expect(podSpec(synthValid(chart)).tolerations).toEqual([
        { key: 'dedicated', operator: 'Exists' },
        { key: 'pool', operator: 'Equal', value: 'db' },
        { key: 'spare', operator: 'Equal' },
      ]);
    });

    test('empty capability lists: nothing added, everything dropped', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({
        containers: [{ name: 'db', image: IMAGE, securityContext: { user: 999, capabilities: { add: [], drop: [] } } as any }],
      }));
      expect(podSpec(synthValid(chart)).containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'] });
    });

    test('a drop list of its own is kept, with the CAP_ prefix removed', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({
        restrictedPodSecurity: false,
        containers: [{ name: 'db', image: IMAGE, securityContext: { user: 999, capabilities: { drop: [kplus.Capability.NET_RAW] } } }],
      }));
      expect(podSpec(synthValid(chart)).containers[0].securityContext.capabilities).toEqual({ drop: ['NET_RAW'] });
    });

    test('a container that turns runAsNonRoot on under a pod that turns it off still needs a user', () => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({
        restrictedPodSecurity: false,
        securityContext: { ensureNonRoot: false },
        containers: [{ name: 'db', image: IMAGE, securityContext: { ensureNonRoot: true } }],
      }));
      synthValid(chart);
      expect(warningsOf(chart, 'non-root-without-user')).toEqual([expect.stringContaining('\'securityContext.user\': unset for container "db".')]);
    });
  });

  test('fails when a memory limit is 0: the runtime sets none, naming the container and the field', () => {
    const chart = Testing.chart();
    new StatefulWorkload(chart, 'db', minimal({
      containers: [{ name: 'db', image: 'docker.io/library/postgres:16.4', portNumber: 5432, securityContext: { user: 999 }, resources: { memory: { limit: Size.mebibytes(0) } } }],
    }));
    expect(() => Testing.synth(chart)).toThrow(/StatefulWorkload 'test\/db': invalid 'container "db" resources.limits.memory': "0". Must be above 0: a memory limit of 0 is no limit at all/);
  });

  describe('unpinned images', () => {
    test.each<[string, string]>([
      ['postgres', 'An image without a tag (latest)'],
      ['postgres:latest', 'The tag latest'],
    ])('%s: the warning', (image, what) => {
      const chart = Testing.chart();
      new StatefulWorkload(chart, 'db', minimal({ containers: [{ name: 'db', image, portNumber: 5432, securityContext: { user: 999 } }] }));
      synthValid(chart);
      expect(warningsOf(chart, 'unpinned-image')).toEqual([
        `${W}: warning: 'container "db" image': "${image}". ${what} moves: pods started at different times run different versions of the engine, and a restart can upgrade the data files without a review. `
        + 'Pin the image to a version tag (e.g. "postgres:16.4") or a digest (@sha256:...). [cdk8s-stateful:unpinned-image]',
      ]);
    });
  });
});

describe('StatefulWorkload: a store that serves clients without credentials (allowUnauthenticated)', () => {
  const ID = 'cdk8s-stateful:unauthenticated-store';
  const MESSAGE = "StatefulWorkload 'test/cache': warning: 'allowUnauthenticated': true. The store \"shop/memcached\" serves clients that present no credentials, "
    + 'and nothing limits which pods can connect to it: any pod in the cluster can read, change or delete its data. '
    + "Turn on the engine's authentication and hand clients its credentials with 'credentials' (a Secret); or admit only the pods wired to it with a "
    + `NetworkPolicy and acknowledge this warning with that reason. [${ID}]`;

  beforeEach(() => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    delete process.env[STRICT_ENV];
    jest.restoreAllMocks();
  });

  function memcached(allowUnauthenticated?: boolean): { chart: Chart; store: StatefulWorkload } {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    const store = new StatefulWorkload(chart, 'cache', {
      metadata: { name: 'memcached' },
      containers: [{ name: 'memcached', image: 'docker.io/library/memcached:1.6.29', portNumber: 11211, securityContext: { user: 11211, group: 11211 } }],
      allowUnauthenticated,
    });
    return { chart, store };
  }

  test('the declaration warns when the app is validated, naming the store and both fixes; the manifest is unchanged', () => {
    const { chart } = memcached(true);
    const declared = synthValid(chart);
    expect(Warnings.of(chart).list()).toEqual([{
      id: ID, message: MESSAGE, path: 'test/cache', acknowledged: false, reason: undefined, acknowledgedBy: undefined,
    }]);
    expect(console.warn).toHaveBeenCalledWith(`[WARNING] ${MESSAGE}`);
    expect(declared).toEqual(synthValid(memcached().chart));
  });

  test.each([[undefined], [false]])('allowUnauthenticated %p: no warning (the store is taken to authenticate its clients)', value => {
    const { chart } = memcached(value);
    Testing.synth(chart);
    expect(Warnings.of(chart).list()).toEqual([]);
  });

  test('strict mode fails; an acknowledgement with a reason lets it pass', () => {
    process.env[STRICT_ENV] = 'true';
    expect(() => Testing.synth(memcached(true).chart)).toThrow(`[test/cache] ${MESSAGE} Strict mode`);
    const { chart, store } = memcached(true);
    Warnings.of(store).acknowledge(ID, 'memcached has no authentication; the NetworkPolicy memcached admits only the web pods');
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  test('isolated to its wired pods (the app-wide fact): no warning', () => {
    const { chart, store } = memcached(true);
    declareIngressIsolation(store);
    process.env[STRICT_ENV] = 'true';
    expect(() => Testing.synth(chart)).not.toThrow();
    expect(Warnings.of(chart).list()).toEqual([]);
  });
});
