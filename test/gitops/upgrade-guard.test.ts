import { Chart, Size, Testing } from 'cdk8s';
import { PersistentVolumeReclaimPolicy, Secret } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DataStoreCredentials } from '../../src/connection/data-store';
import { Cassandra } from '../../src/engines/cassandra';
import { parseQuantity } from '../../src/gitops/private/upgrade-rules';
import {
  KubernetesVersion, UpgradeFinding, UpgradeFindingSeverity,
} from '../../src/gitops/upgrade-guard';
import { StaticVolumeSet, StaticVolumeSource } from '../../src/storage/static-volume';
import { StorageClass } from '../../src/storage/storage-class';
import { StatefulWorkload } from '../../src/workload/stateful-workload';
import { clone, compare, job, only, pv, pvc, service, storageClass, sts, STS_127, STS_133, www } from '../util/guard-fixtures';

// ---------------------------------------------------------------------------------------------

describe('StatefulSet', () => {
  test.each<[string, (s: any) => void, string, string, string]>([
    ['serviceName', s => { s.spec.serviceName = 'web'; }, 'spec.serviceName', 'nginx', 'web'],
    ['selector', s => { s.spec.selector.matchLabels.tier = 'db'; }, 'spec.selector',
      '{"matchLabels":{"app.kubernetes.io/name":"web"}}', '{"matchLabels":{"app.kubernetes.io/name":"web","tier":"db"}}'],
    ['podManagementPolicy (absent: OrderedReady)', s => { s.spec.podManagementPolicy = 'Parallel'; }, 'spec.podManagementPolicy', 'OrderedReady', 'Parallel'],
    ['revisionHistoryLimit (absent: 10)', s => { s.spec.revisionHistoryLimit = 5; }, 'spec.revisionHistoryLimit', '10', '5'],
    ['claim template size', s => { www(s).spec.resources.requests.storage = '2Gi'; },
      'spec.volumeClaimTemplates[name=www].spec.resources.requests.storage', '1Gi', '2Gi'],
    ['claim template shrink', s => { www(s).spec.resources.requests.storage = '512Mi'; },
      'spec.volumeClaimTemplates[name=www].spec.resources.requests.storage', '1Gi', '512Mi'],
    ['claim template limit', s => { www(s).spec.resources.limits = { storage: '2Gi' }; },
      'spec.volumeClaimTemplates[name=www].spec.resources.limits.storage', '(not set)', '2Gi'],
    ['claim template class', s => { www(s).spec.storageClassName = 'fast'; },
      'spec.volumeClaimTemplates[name=www].spec.storageClassName', '(not set)', 'fast'],
    ['claim template access modes', s => { www(s).spec.accessModes = ['ReadWriteOncePod']; },
      'spec.volumeClaimTemplates[name=www].spec.accessModes[0]', 'ReadWriteOnce', 'ReadWriteOncePod'],
    ['claim template volume mode', s => { www(s).spec.volumeMode = 'Block'; },
      'spec.volumeClaimTemplates[name=www].spec.volumeMode', 'Filesystem', 'Block'],
    ['claim template data source', s => { www(s).spec.dataSource = { kind: 'VolumeSnapshot', name: 'nightly', apiGroup: 'snapshot.storage.k8s.io' }; },
      'spec.volumeClaimTemplates[name=www].spec.dataSource', '(not set)', '{"apiGroup":"snapshot.storage.k8s.io","kind":"VolumeSnapshot","name":"nightly"}'],
    ['claim template selector', s => { www(s).spec.selector = { matchLabels: { disk: 'ssd' } }; },
      'spec.volumeClaimTemplates[name=www].spec.selector.matchLabels.disk', '(not set)', 'ssd'],
    ['claim template labels', s => { www(s).metadata.labels = { 'helm.sh/chart': 'web-1.2.3' }; },
      'spec.volumeClaimTemplates[name=www].metadata.labels["helm.sh/chart"]', '(not set)', 'web-1.2.3'],
    ['claim template added', s => { s.spec.volumeClaimTemplates.push({ metadata: { name: 'logs' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }); },
      'spec.volumeClaimTemplates[name=logs]', '(not set)', '{"accessModes":["ReadWriteOnce"],"name":"logs","storage":"1Gi"}'],
    ['claim template removed', s => { s.spec.volumeClaimTemplates = []; },
      'spec.volumeClaimTemplates[name=www]', '{"accessModes":["ReadWriteOnce"],"name":"www","storage":"1Gi"}', '(not set)'],
    ['a field added by a later release', s => { s.spec.futureField = true; }, 'spec.futureField', '(not set)', 'true'],
  ])('%s is fixed: refused', (_, change, field, oldValue, newValue) => {
    // GIVEN
    const before = sts();
    const after = clone(before);

    // WHEN
    change(after);
    const finding = only(compare([before], [after]));

    // THEN
    expect(finding).toMatchObject({
      severity: UpgradeFindingSeverity.REFUSED,
      kind: 'StatefulSet',
      apiVersion: 'apps/v1',
      objectNamespace: 'shop',
      objectName: 'web',
      field,
      oldValue,
      newValue,
      message: STS_127,
    });
  });

  test.each<[string, (s: any) => void]>([
    ['replicas', s => { s.spec.replicas = 5; }],
    ['template (image)', s => { s.spec.template.spec.containers[0].image = 'nginx:1.28'; }],
    ['template (labels and annotations)', s => { s.spec.template.metadata.annotations = { restartedAt: 'now' }; }],
    ['updateStrategy', s => { s.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 1 } }; }],
    ['persistentVolumeClaimRetentionPolicy', s => { s.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Delete' }; }],
    ['minReadySeconds', s => { s.spec.minReadySeconds = 10; }],
    ['ordinals', s => { s.spec.ordinals = { start: 1 }; }],
    ['the StatefulSet\'s own labels and annotations', s => { s.metadata.labels = { team: 'a' }; s.metadata.annotations = { note: 'x' }; }],
    ['podManagementPolicy written as its default', s => { s.spec.podManagementPolicy = 'OrderedReady'; }],
    ['revisionHistoryLimit written as its default', s => { s.spec.revisionHistoryLimit = 10; }],
    ['claim size in another unit (1Gi = 1024Mi)', s => { www(s).spec.resources.requests.storage = '1024Mi'; }],
    ['claim size in another unit (1Gi = 1048576Ki)', s => { www(s).spec.resources.requests.storage = '1048576Ki'; }],
    ['claim size as bytes (1Gi = 1073741824)', s => { www(s).spec.resources.requests.storage = '1073741824'; }],
    ['claim volumeMode left to its default', s => { delete www(s).spec.volumeMode; }],
    ['claim template apiVersion and kind left out', s => { delete www(s).apiVersion; delete www(s).kind; }],
    ['claim template status written by the API server', s => { www(s).status = { phase: 'Pending' }; }],
    ['empty maps and nulls (stored as absent)', s => { www(s).metadata.labels = {}; s.spec.selector.matchExpressions = []; www(s).spec.dataSource = null; }],
  ])('%s may change: not reported', (_, change) => {
    // GIVEN
    const before = sts();
    const after = clone(before);

    // WHEN
    change(after);

    // THEN
    expect(compare([before], [after])).toEqual([]);
  });

  test('a renamed claim template: its claims would be new and empty', () => {
    const before = sts();
    const after = clone(before);
    www(after).metadata.name = 'data';
    const findings = compare([before], [after]);
    expect(findings.map(f => [f.field, f.oldValue === '(not set)' ? 'added' : 'removed'])).toEqual([
      ['spec.volumeClaimTemplates[name=www]', 'removed'], ['spec.volumeClaimTemplates[name=data]', 'added'],
    ]);
    expect(findings[1].wayOut).toMatch(/^If "data" is "www" renamed: its claims are new and empty, the data stays in www-web-0, www-web-1; keep the old name. /);
  });

  test('claim templates are matched by name, not position', () => {
    const before = sts();
    before.spec.volumeClaimTemplates.push({ metadata: { name: 'logs' }, spec: { resources: { requests: { storage: '1Gi' } } } });
    const after = clone(before);
    after.spec.volumeClaimTemplates.reverse();
    expect(compare([before], [after])).toEqual([]);
  });

  test.each([['1.27', true], ['1.28', true], ['1.30', true], ['1.32', true], ['1.33', false], ['v1.34.1', false]])(
    'revisionHistoryLimit on Kubernetes %s: refused %s', (version, refused) => {
      // GIVEN
      const before = sts();
      const after = clone(before);
      after.spec.revisionHistoryLimit = 3;

      // WHEN
      const findings = compare([before], [after], { kubernetesVersion: KubernetesVersion.of(version) });

      // THEN
      expect(findings.map(f => f.field)).toEqual(refused ? ['spec.revisionHistoryLimit'] : []);
    });

  test('the message lists revisionHistoryLimit from Kubernetes 1.33', () => {
    // GIVEN
    const before = sts();
    const after = clone(before);
    after.spec.serviceName = 'web';

    // THEN
    expect(only(compare([before], [after], { kubernetesVersion: KubernetesVersion.V1_33 })).message).toBe(STS_133);
    expect(only(compare([before], [after], { kubernetesVersion: KubernetesVersion.V1_32 })).message).toBe(STS_127);
  });

  test('way out of a grown claim template: grow each claim, then re-create the StatefulSet orphaning its pods', () => {
    // GIVEN
    const before = sts();
    const after = clone(before);
    www(after).spec.resources.requests.storage = '5Gi';
    www(after).spec.storageClassName = 'standard';
    www(before).spec.storageClassName = 'standard';

    // WHEN
    const finding = only(compare([before, storageClass()], [after, storageClass()]));

    // THEN
    expect(finding.wayOut).toBe(
      'First set allowVolumeExpansion: true on StorageClass "standard" (it is false or unset now; that field may change). ' +
      'Grow each claim: for i in 0 1; do kubectl -n shop patch pvc www-web-$i -p \'{"spec":{"resources":{"requests":{"storage":"5Gi"}}}}\'; done, ' +
      'and wait until each shows the new capacity (kubectl -n shop get pvc). Then kubectl -n shop delete statefulset web --cascade=orphan, ' +
      'then apply the new manifests: the pods and their claims keep running and the new StatefulSet adopts them (with Argo CD: delete it the same way, then sync)',
    );
  });

  test('way out names the claims of every replica, from ordinals.start', () => {
    // GIVEN
    const before = sts();
    before.spec.replicas = 3;
    before.spec.ordinals = { start: 1 };
    const after = clone(before);
    www(after).spec.resources.requests.storage = '2Gi';

    // WHEN
    const finding = only(compare([before, storageClass('standard', { allowVolumeExpansion: true })], [after]));

    // THEN
    expect(finding.wayOut).toContain("The claims' StorageClass must have allowVolumeExpansion: true. Grow each claim: for i in 1 2 3; do kubectl -n shop patch pvc www-web-$i");
  });

  test('a shrinking claim template cannot be grown out of', () => {
    const before = sts();
    const after = clone(before);
    www(after).spec.resources.requests.storage = '500Mi';
    expect(only(compare([before], [after])).wayOut).toMatch(/^Claims cannot shrink/);
  });

  test('several fixed fields at once: one finding each, in field order', () => {
    const before = sts();
    const after = clone(before);
    after.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '2Gi';
    after.spec.podManagementPolicy = 'Parallel';
    after.spec.serviceName = 'web';
    after.spec.replicas = 7;
    expect(compare([before], [after]).map(f => f.field)).toEqual([
      'spec.serviceName', 'spec.podManagementPolicy', 'spec.volumeClaimTemplates[name=www].spec.resources.requests.storage',
    ]);
  });
});

describe('quantities', () => {
  test.each<[string, number | undefined]>([
    ['1Gi', 2 ** 30], ['1024Mi', 2 ** 30], ['16Ki', 16384], ['1G', 1e9], ['1000M', 1e9], ['1.5Gi', 1.5 * 2 ** 30],
    ['500m', 0.5], ['1e3', 1000], ['12', 12], ['0', 0], ['1gi', undefined], ['Gi', undefined], ['', undefined],
  ])('%s', (q, value) => {
    expect(parseQuantity(q)).toBe(value);
  });

  test.each([['1Gi', '1024Mi'], ['1G', '1000M'], ['2Ti', '2048Gi'], ['16Ki', '16384']])('%s equals %s', (a, b) => {
    const before = pvc();
    before.spec.resources.requests.storage = a;
    const after = clone(before);
    after.spec.resources.requests.storage = b;
    expect(compare([before], [after])).toEqual([]);
  });

  test('1G is less than 1Gi', () => {
    const before = pvc();
    before.spec.resources.requests.storage = '1Gi';
    const after = clone(before);
    after.spec.resources.requests.storage = '1G';
    expect(only(compare([before], [after])).message).toContain('field can not be less than previous value');
  });
});

describe('PersistentVolumeClaim', () => {
  test('shrinking is refused, with the API server\'s message', () => {
    const before = pvc();
    const after = clone(before);
    after.spec.resources.requests.storage = '5Gi';
    expect(only(compare([before], [after]))).toMatchObject({
      severity: UpgradeFindingSeverity.REFUSED,
      field: 'spec.resources.requests.storage',
      oldValue: '10Gi',
      newValue: '5Gi',
      message: 'PersistentVolumeClaim "files" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than previous value',
    });
  });

  test('growing on a class that allows expansion is not reported', () => {
    const before = pvc();
    const after = clone(before);
    after.spec.resources.requests.storage = '20Gi';
    expect(compare([before, storageClass('standard', { allowVolumeExpansion: true })], [after, storageClass('standard', { allowVolumeExpansion: true })])).toEqual([]);
  });

  test('growing is refused when the class in the manifests does not allow expansion', () => {
    const before = pvc();
    const after = clone(before);
    after.spec.resources.requests.storage = '20Gi';
    const finding = only(compare([before, storageClass()], [after, storageClass()]));
    expect(finding).toMatchObject({ severity: UpgradeFindingSeverity.REFUSED, oldValue: '10Gi', newValue: '20Gi' });
    expect(finding.wayOut).toMatch(/^Set allowVolumeExpansion: true on StorageClass "standard" in the same change/);
  });

  test.each([
    'storageclass.kubernetes.io/is-default-class',
    // the beta annotation, which the DefaultStorageClass admission plugin still honours
    'storageclass.beta.kubernetes.io/is-default-class',
  ])('growing on the default class, found by its annotation %s', (annotation) => {
    const before = pvc('files', null);
    const after = clone(before);
    after.spec.resources.requests.storage = '20Gi';
    const dflt = storageClass('gp3', { metadata: { name: 'gp3', annotations: { [annotation]: 'true' } } });
    expect(only(compare([before, dflt], [after, dflt])).wayOut).toContain('StorageClass "gp3"');
    // "false" marks nothing: the class of the claim is then unknown, so the change is only a warning
    const notDefault = storageClass('gp3', { metadata: { name: 'gp3', annotations: { [annotation]: 'false' } } });
    expect(only(compare([before, notDefault], [after, notDefault]))).toMatchObject({ severity: UpgradeFindingSeverity.WARNING });
  });

  test('growing on a class outside the manifests is a warning', () => {
    const before = pvc();
    const after = clone(before);
    after.spec.resources.requests.storage = '20Gi';
    expect(only(compare([before], [after]))).toMatchObject({ severity: UpgradeFindingSeverity.WARNING, field: 'spec.resources.requests.storage' });
  });

  test.each<[string, (c: any) => void, string]>([
    ['accessModes', c => { c.spec.accessModes = ['ReadWriteMany']; }, 'spec.accessModes[0]'],
    ['storageClassName', c => { c.spec.storageClassName = 'fast'; }, 'spec.storageClassName'],
    ['volumeMode', c => { c.spec.volumeMode = 'Block'; }, 'spec.volumeMode'],
    ['resources.limits', c => { c.spec.resources.limits = { storage: '20Gi' }; }, 'spec.resources.limits.storage'],
    ['selector', c => { c.spec.selector = { matchLabels: { disk: 'a' } }; }, 'spec.selector.matchLabels.disk'],
  ])('%s is fixed: refused', (_, change, field) => {
    const before = pvc();
    const after = clone(before);
    change(after);
    expect(only(compare([before], [after]))).toMatchObject({
      severity: UpgradeFindingSeverity.REFUSED,
      field,
      message: 'PersistentVolumeClaim "files" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests for bound claims',
    });
  });

  test('a class written out where the cluster assigned one is a warning', () => {
    const before = pvc('files', null);
    const after = pvc('files', 'standard');
    expect(only(compare([before], [after]))).toMatchObject({ severity: UpgradeFindingSeverity.WARNING, field: 'spec.storageClassName' });
  });

  test('labels, annotations and the volume name filled in by binding may change', () => {
    const before = pvc();
    const after = clone(before);
    after.metadata.labels = { a: 'b' };
    after.spec.volumeName = 'pvc-123';
    expect(compare([before], [after])).toEqual([]);
  });
});

describe('PersistentVolume', () => {
  test('its storage is fixed', () => {
    const before = pv();
    const after = clone(before);
    after.spec.hostPath.path = '/data/1';
    expect(only(compare([before], [after]))).toMatchObject({
      severity: UpgradeFindingSeverity.REFUSED,
      field: 'spec.hostPath.path',
      oldValue: '/data/0',
      newValue: '/data/1',
      message: 'PersistentVolume "data-0" is invalid: spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation',
    });
  });

  test('volumeMode and nodeAffinity are fixed; nodeAffinity may be set once', () => {
    const affinity = (host: string) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'host', operator: 'In', values: [host] }] }] } });
    const before = pv();
    const pinned = clone(before);
    pinned.spec.nodeAffinity = affinity('a');
    const after = clone(pinned);
    after.spec.volumeMode = 'Block';
    after.spec.nodeAffinity = affinity('b');
    expect(compare([before], [pinned])).toEqual([]);
    expect(compare([pinned], [after]).map(f => f.field)).toEqual(['spec.volumeMode', 'spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]']);
  });

  test('capacity, reclaim policy, class, access modes and mount options may change', () => {
    const before = pv();
    const after = clone(before);
    after.spec.capacity.storage = '2Gi';
    after.spec.persistentVolumeReclaimPolicy = 'Delete';
    after.spec.storageClassName = 'other';
    after.spec.accessModes = ['ReadWriteMany'];
    after.spec.mountOptions = ['noatime'];
    expect(compare([before], [after])).toEqual([]);
  });
});

describe('StorageClass', () => {
  test.each<[string, any, string, string, string]>([
    ['provisioner', { provisioner: 'pd.csi.storage.gke.io' }, 'ebs.csi.aws.com', 'pd.csi.storage.gke.io',
      'StorageClass.storage.k8s.io "standard" is invalid: provisioner: Forbidden: updates to provisioner are forbidden.'],
    ['parameters', { parameters: { type: 'io2' } }, '{"type":"gp3"}', '{"type":"io2"}',
      'StorageClass.storage.k8s.io "standard" is invalid: parameters: Forbidden: updates to parameters are forbidden.'],
    ['reclaimPolicy', { reclaimPolicy: 'Delete' }, 'Retain', 'Delete',
      'StorageClass.storage.k8s.io "standard" is invalid: reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.'],
    ['volumeBindingMode', { volumeBindingMode: 'Immediate' }, 'WaitForFirstConsumer', 'Immediate',
      'StorageClass.storage.k8s.io "standard" is invalid: volumeBindingMode: Invalid value: "Immediate": field is immutable'],
  ])('%s is fixed: refused', (field, change, oldValue, newValue, message) => {
    expect(only(compare([storageClass()], [storageClass('standard', change)]))).toMatchObject({
      severity: UpgradeFindingSeverity.REFUSED, field, oldValue, newValue, message,
    });
  });

  test('defaults: absent reclaimPolicy is Delete, absent volumeBindingMode is Immediate', () => {
    const before = storageClass('standard', { reclaimPolicy: undefined, volumeBindingMode: undefined });
    const after = storageClass('standard', { reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' });
    expect(compare([before], [after])).toEqual([]);
  });

  test('allowVolumeExpansion, mount options and labels may change', () => {
    const after = storageClass('standard', { allowVolumeExpansion: true, mountOptions: ['noatime'] });
    after.metadata.labels = { a: 'b' };
    expect(compare([storageClass()], [after])).toEqual([]);
  });
});

describe('Service', () => {
  test('ExternalName to in-cluster without a type: refused under server-side apply, a warning otherwise', () => {
    // GIVEN
    const before = service({ type: 'ExternalName', externalName: 'db.example.com' });
    const after = service({ clusterIP: 'None', selector: { app: 'db' } });

    // WHEN
    const ssa = only(compare([before], [after], { serverSideApply: true }));
    const csa = only(compare([before], [after]));

    // THEN
    expect(ssa).toMatchObject({ severity: UpgradeFindingSeverity.REFUSED, field: 'spec.type', oldValue: 'ExternalName', newValue: '(not set)' });
    expect(ssa.message).toMatch(/^Service "user-db" is invalid: spec.clusterIPs: Forbidden: may not be set for ExternalName services/);
    expect(ssa.wayOut).toBe('State type: ClusterIP explicitly in the new Service (headless or not)');
    expect(csa.severity).toBe(UpgradeFindingSeverity.WARNING);
  });

  test('ExternalName to in-cluster stating type: ClusterIP is not reported', () => {
    const before = service({ type: 'ExternalName', externalName: 'db.example.com' });
    const after = service({ type: 'ClusterIP', clusterIP: 'None', selector: { app: 'db' } });
    expect(compare([before], [after], { serverSideApply: true })).toEqual([]);
  });

  test('a Service with a cluster IP cannot become headless', () => {
    const before = service({ type: 'ClusterIP' });
    const after = service({ type: 'ClusterIP', clusterIP: 'None' });
    expect(only(compare([before], [after]))).toMatchObject({
      severity: UpgradeFindingSeverity.REFUSED,
      field: 'spec.clusterIP',
      oldValue: '(allocated)',
      newValue: 'None',
      message: 'Service "user-db" is invalid: spec.clusterIPs[0]: Invalid value: ["None"]: may not change once set',
    });
  });

  test('an explicit cluster IP cannot change', () => {
    const before = service({ clusterIP: '10.0.0.10' });
    const after = service({ clusterIP: '10.0.0.11' });
    expect(only(compare([before], [after]))).toMatchObject({ severity: UpgradeFindingSeverity.REFUSED, oldValue: '10.0.0.10', newValue: '10.0.0.11' });
  });

  test('a headless Service stays headless when clusterIP is left out: a warning', () => {
    const before = service({ clusterIP: 'None' });
    const after = service({ type: 'ClusterIP' });
    expect(only(compare([before], [after]))).toMatchObject({ severity: UpgradeFindingSeverity.WARNING, oldValue: 'None', newValue: '(not set)' });
  });

  test.each<[string, any, any]>([
    ['ports and selector', { selector: { a: '1' } }, { selector: { a: '2' }, ports: [{ name: 'pg', port: 6432 }] }],
    ['in-cluster to ExternalName', { clusterIP: 'None' }, { type: 'ExternalName', externalName: 'db.example.com' }],
    ['ClusterIP to LoadBalancer', {}, { type: 'LoadBalancer' }],
    ['ExternalName to another name', { type: 'ExternalName', externalName: 'a.example.com' }, { type: 'ExternalName', externalName: 'b.example.com' }],
    ['a cluster IP left out once allocated', { clusterIP: '10.0.0.10' }, {}],
  ])('%s may change: not reported', (_, a, b) => {
    expect(compare([service(a)], [service(b)])).toEqual([]);
  });
});

describe('Job', () => {
  test('a changed pod template is refused, with the API server\'s message', () => {
    const before = job();
    const after = job();
    after.spec.template.spec.containers[0].image = 'migrate:2';
    expect(only(compare([before], [after]))).toMatchObject({
      severity: UpgradeFindingSeverity.REFUSED,
      kind: 'Job',
      field: 'spec.template.spec.containers[0].image',
      oldValue: 'migrate:1',
      newValue: 'migrate:2',
      message: 'Job.batch "migrate" is invalid: spec.template: Invalid value: ...: field is immutable',
    });
  });

  test('several template changes: one finding that counts the rest', () => {
    const before = job();
    const after = job();
    after.spec.template.spec.containers[0].image = 'migrate:2';
    after.spec.template.spec.containers[0].args = ['down'];
    expect(only(compare([before], [after])).message).toContain('field is immutable (and 1 more change under spec.template)');
  });

  test.each<[string, any]>([
    ['an Argo CD hook deleted before creation', { 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' }],
    ['an Argo CD hook deleted when it succeeds', { 'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded' }],
    ['replaced by force', { 'argocd.argoproj.io/sync-options': 'Force=true,Replace=true' }],
  ])('%s may change', (_, annotations) => {
    const before = job('migrate', annotations);
    const after = job('migrate', annotations);
    after.spec.template.spec.containers[0].image = 'migrate:2';
    expect(compare([before], [after])).toEqual([]);
  });

  test('a new name is a new Job; parallelism and backoff limit may change', () => {
    const renamed = job('migrate-2');
    renamed.spec.template.spec.containers[0].image = 'migrate:2';
    const tuned = job();
    tuned.spec.backoffLimit = 5;
    tuned.spec.parallelism = 2;
    expect(compare([job()], [renamed])).toEqual([]);
    expect(compare([job()], [tuned])).toEqual([]);
  });
});

describe('other kinds', () => {
  test('a Deployment\'s selector is fixed', () => {
    const dep = (label: string) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'user-manager', namespace: 'shop' },
      spec: { selector: { matchLabels: { 'cdk8s.io/metadata.addr': label } }, template: { metadata: { labels: { 'cdk8s.io/metadata.addr': label } }, spec: { containers: [] } } },
    });
    expect(only(compare([dep('a-c8a1')], [dep('b-c8b2')]))).toMatchObject({
      severity: UpgradeFindingSeverity.REFUSED,
      kind: 'Deployment',
      field: 'spec.selector',
      message: 'Deployment.apps "user-manager" is invalid: spec.selector: Invalid value: ...: field is immutable',
    });
  });

  test('an EndpointSlice\'s address type is fixed', () => {
    const slice = (addressType: string) => ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 's', namespace: 'shop' }, addressType, endpoints: [] });
    expect(only(compare([slice('IPv4')], [slice('IPv6')])).message).toBe('EndpointSlice.discovery.k8s.io "s" is invalid: addressType: Invalid value: "IPv6": field is immutable');
  });

  test('objects the guard has no rules for are never reported', () => {
    const cm = (data: any) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' }, data });
    expect(compare([cm({ a: '1' })], [cm({ a: '2' })])).toEqual([]);
    expect(compare([cm({ a: '1' })], [])).toEqual([]);
  });

  test('the same name in another API group is another object', () => {
    const a = sts();
    const b = clone(a);
    b.apiVersion = 'apps.kruise.io/v1beta1';
    b.spec.serviceName = 'other';
    expect(compare([a, b], [a, { ...b, spec: { ...b.spec, serviceName: 'x' } }])).toEqual([]);
  });
});

describe('renames and moves', () => {
  test('a renamed StatefulSet with claim templates loses its data', () => {
    // GIVEN
    const before = sts('web');
    const after = sts('web-c8a1b2c3');

    // WHEN
    const finding = only(compare([before], [after]));

    // THEN
    expect(finding).toMatchObject({
      severity: UpgradeFindingSeverity.DATA_LOSS,
      kind: 'StatefulSet',
      objectName: 'web',
      field: 'metadata.name',
      oldValue: 'web',
      newValue: 'web-c8a1b2c3',
      message: 'StatefulSet shop/web is replaced by shop/web-c8a1b2c3: the new StatefulSet starts with new, empty claims (www-web-c8a1b2c3-0, ' +
        'www-web-c8a1b2c3-1) and the old claims (www-web-0, www-web-1) stay behind, unused (whenDeleted: Retain)',
    });
    expect(finding.wayOut).toMatch(/^Keep metadata.name "web" \(set it explicitly, e.g. metadata: \{ name: 'web' \}/);
  });

  test('with whenDeleted: Delete the old claims are deleted', () => {
    const before = sts('web');
    before.spec.persistentVolumeClaimRetentionPolicy.whenDeleted = 'Delete';
    expect(only(compare([before], [sts('db')])).message).toContain('the old claims (www-web-0, www-web-1) are deleted with the old StatefulSet (whenDeleted: Delete)');
  });

  test('a StatefulSet moved to another namespace', () => {
    expect(only(compare([sts('web', 'shop')], [sts('web', 'data')]))).toMatchObject({
      severity: UpgradeFindingSeverity.DATA_LOSS, field: 'metadata.namespace', oldValue: 'shop', newValue: 'data',
    });
  });

  test('a rename that also changes the claims is still found', () => {
    const after = sts('web2');
    www(after).spec.resources.requests.storage = '5Gi';
    expect(only(compare([sts('web')], [after])).newValue).toBe('web2');
  });

  test('of two new StatefulSets, the one in the same namespace is the rename', () => {
    const findings = compare([sts('web', 'shop')], [sts('a', 'other'), sts('b', 'shop')]);
    expect(only(findings).newValue).toBe('b');
  });

  test('a rename may upgrade the image', () => {
    const after = sts('web2');
    after.spec.template.spec.containers[0].image = 'docker.io/library/nginx:1.28@sha256:abc';
    expect(only(compare([sts('web')], [after]))).toMatchObject({ severity: UpgradeFindingSeverity.DATA_LOSS, newValue: 'web2' });
  });

  test('another store with the same claim names is no rename: the old one is deleted', () => {
    const redis = sts('cache');
    redis.spec.template.spec.containers[0].image = 'redis:7';
    expect(only(compare([sts('web')], [redis]))).toMatchObject({ severity: UpgradeFindingSeverity.WARNING, objectName: 'web', newValue: '(deleted)' });
  });

  test('a renamed claim loses its data', () => {
    expect(only(compare([pvc('files')], [pvc('files-c8a1')]))).toMatchObject({
      severity: UpgradeFindingSeverity.DATA_LOSS, kind: 'PersistentVolumeClaim', field: 'metadata.name', oldValue: 'files', newValue: 'files-c8a1',
    });
  });

  test('a renamed volume on the same storage: a warning with Retain, data loss with Delete', () => {
    expect(only(compare([pv('a')], [pv('b')])).severity).toBe(UpgradeFindingSeverity.WARNING);
    const deleting = pv('a');
    deleting.spec.persistentVolumeReclaimPolicy = 'Delete';
    expect(only(compare([deleting], [pv('b')])).severity).toBe(UpgradeFindingSeverity.DATA_LOSS);
  });

  test('renaming what holds no data is not reported', () => {
    const stateless = sts('web');
    delete stateless.spec.volumeClaimTemplates;
    const renamed = clone(stateless);
    renamed.metadata.name = 'web2';
    expect(compare([stateless, service({}, 'a'), job('a')], [renamed, service({}, 'b'), job('b')])).toEqual([]);
  });

  test('a construct moved in the code: generated names follow the path, explicit names stay', () => {
    // GIVEN the same workload, first at the top of the chart, then inside a construct
    const render = (nested: boolean, name?: string) => {
      const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
      const scope = nested ? new Construct(chart, 'databases') : chart;
      new StatefulWorkload(scope, 'db', {
        metadata: name ? { name } : undefined,
        containers: [{ name: 'db', image: 'docker.io/library/postgres:16', portNumber: 5432, securityContext: { user: 999, group: 999 } }],
        volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(10), mountPath: '/var/lib/postgresql/data' }],
      });
      return Testing.synth(chart);
    };

    // WHEN
    const generated = compare(render(false), render(true));
    const pinned = compare(render(false, 'db'), render(true, 'db'));

    // THEN
    expect(generated.filter(f => f.severity === UpgradeFindingSeverity.DATA_LOSS).map(f => [f.kind, f.field])).toEqual([['StatefulSet', 'metadata.name']]);
    expect(pinned).toEqual([]);
  });

  test('a StatefulWorkload whose claims grow is refused', () => {
    const render = (gib: number) => {
      const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
      new StatefulWorkload(chart, 'db', {
        metadata: { name: 'db' },
        containers: [{ name: 'db', image: 'docker.io/library/postgres:16', portNumber: 5432, securityContext: { user: 999, group: 999 } }],
        volumeClaimTemplates: [{ name: 'data', storage: Size.gibibytes(gib), mountPath: '/var/lib/postgresql/data' }],
      });
      return Testing.synth(chart);
    };
    expect(only(compare(render(10), render(20)))).toMatchObject({
      severity: UpgradeFindingSeverity.REFUSED, field: 'spec.volumeClaimTemplates[name=data].spec.resources.requests.storage', oldValue: '10Gi', newValue: '20Gi',
    });
    expect(compare(render(10), render(10))).toEqual([]);
  });
});

describe('static volumes (a ring on local disks)', () => {
  interface RingOptions {
    /** The StatefulSet name. */
    readonly name?: string;
    /** The StaticVolumeSet's namePrefix. */
    readonly namePrefix?: string;
    readonly bindToClaims?: boolean;
    /** The disks' nodes, in ordinal order. */
    readonly nodes?: string[];
    readonly deleteVolumes?: boolean;
  }

  /** A Cassandra ring on one local SSD per node, as the local-ssd example renders it. */
  function ring(o: RingOptions = {}): any[] {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const localSsd = StorageClass.localDisks(chart, 'local-ssd', { metadata: { name: 'local-ssd' } });
    const nodes = o.nodes ?? ['node-1', 'node-2', 'node-3'];
    const cassandra = new Cassandra(chart, 'ring', {
      metadata: { name: o.name ?? 'orders' },
      replicas: nodes.length,
      clusterName: 'orders',
      storage: Size.gibibytes(100),
      storageClass: localSsd,
      credentials: DataStoreCredentials.fromSecret(Secret.fromSecretName(chart, 'admin', 'orders-admin')),
    });
    new StaticVolumeSet(chart, 'ssd', {
      workload: cassandra,
      namePrefix: o.namePrefix,
      sources: nodes.map(node => StaticVolumeSource.local('/mnt/disks/ssd0', node)),
      bindToClaims: o.bindToClaims ?? true,
      reclaimPolicy: o.deleteVolumes ? PersistentVolumeReclaimPolicy.DELETE : undefined,
    });
    return Testing.synth(chart);
  }

  const of = (findings: UpgradeFinding[], kind: string) => findings.filter(f => f.kind === kind);

  test('a renamed ring: warnings (the new pods mount the old data; two processes share a disk until the old set is gone), no data loss', () => {
    // WHEN
    const findings = compare(ring(), ring({ name: 'orders-v2' }));

    // THEN
    expect(findings.map(f => f.severity)).toEqual(findings.map(() => UpgradeFindingSeverity.WARNING));
    const ring0 = only(of(findings, 'StatefulSet'));
    expect(ring0).toMatchObject({ field: 'metadata.name', oldValue: 'orders', newValue: 'orders-v2' });
    expect(ring0.message).toBe('StatefulSet shop/orders is replaced by shop/orders-v2, whose claims bind PersistentVolumes on the storage of the old '
      + 'claims\' volumes (data-orders-v2-0 on shop-data-orders-v2-0 (the storage of shop-data-orders-0), data-orders-v2-1 on shop-data-orders-v2-1 '
      + '(the storage of shop-data-orders-1), data-orders-v2-2 on shop-data-orders-v2-2 (the storage of shop-data-orders-2)): the new pods start on '
      + 'the old data, and until the old StatefulSet\'s pods are gone two processes use each disk at once (kubectl apply and Argo CD create the new '
      + 'StatefulSet before they prune the old one)');
    expect(ring0.wayOut).toBe('Keep metadata.name "orders" (set it explicitly, e.g. metadata: { name: \'orders\' }, so it does not follow the construct '
      + 'path); its claims and the names of its static volumes follow it. To rename anyway, stop the old pods before the new ones start: '
      + 'kubectl -n shop scale statefulset orders --replicas=0, then kubectl -n shop wait --for=delete pod/orders-0 pod/orders-1 pod/orders-2 '
      + '--timeout=30m, then apply the new manifests. Once the new pods run on the data, delete the old claims (kubectl -n shop delete pvc '
      + 'data-orders-0 data-orders-1 data-orders-2) and the old volume objects (reclaim policy Retain keeps the data on the disks); an engine '
      + 'that records its name in its data (Cassandra\'s cluster_name) must keep that name');
    // each volume is re-created on its own node's disk, for the new claim of the same ordinal
    const volumes = of(findings, 'PersistentVolume');
    expect(volumes.map(f => [f.oldValue, f.newValue])).toEqual([0, 1, 2].map(i => [`shop-data-orders-${i}`, `shop-data-orders-v2-${i}`]));
    expect(volumes[0].message).toBe('PersistentVolume shop-data-orders-0 is replaced by shop-data-orders-v2-0 on the same storage, reserved for another '
      + 'claim (shop/data-orders-v2-0 instead of shop/data-orders-0): that claim gets the disk and the data on it; a claim bound to the old volume '
      + 'stays bound to it (pruning only marks a bound volume for deletion: the pv-protection finalizer keeps it while the claim exists, and Argo '
      + 'CD keeps it anyway: Prune=false), so two volume objects point at one disk until the old claim and volume are deleted');
  });

  test('every fix names a prop the construct has: namePrefix for the volumes of a StaticVolumeSet, metadata.name for the workload', () => {
    const findings = compare(ring(), ring({ name: 'orders-v2' }));
    for (const f of of(findings, 'PersistentVolume')) {
      expect(f.wayOut).toContain('a StaticVolumeSet names its volumes <namePrefix>-<ordinal>, so set namePrefix: \'shop-data-orders\' on it');
      expect(f.wayOut).not.toMatch(/metadata: \{ name: 'shop-data-orders-\d' \}, so it does not follow/);
    }
    expect(only(of(findings, 'StatefulSet')).wayOut).toContain('metadata: { name: \'orders\' }');
  });

  test('a namePrefix change is reported for every volume: the claims stay bound to the old volume objects', () => {
    // WHEN
    const findings = compare(ring(), ring({ namePrefix: 'orders-ssd' }));

    // THEN
    expect(findings.map(f => [f.severity, f.kind, f.oldValue, f.newValue])).toEqual([0, 1, 2].map(i =>
      [UpgradeFindingSeverity.WARNING, 'PersistentVolume', `shop-data-orders-${i}`, `orders-ssd-${i}`]));
    expect(findings[1].message).toBe('PersistentVolume shop-data-orders-1 is replaced by orders-ssd-1 on the same storage: a claim bound to the old '
      + 'volume stays bound to it (pruning only marks a bound volume for deletion: the pv-protection finalizer keeps it while the claim exists, and '
      + 'Argo CD keeps it anyway: Prune=false), and the new volume waits, reserved for the same claim shop/data-orders-1, until the old one is '
      + 'gone: two volume objects point at one disk');
    expect(findings[1].wayOut).toBe('Keep the name "shop-data-orders-1": a StaticVolumeSet names its volumes <namePrefix>-<ordinal>, so set '
      + 'namePrefix: \'shop-data-orders\' on it (its default, <namespace>-<claim template>-<statefulset>, follows the StatefulSet\'s name); for a '
      + 'StaticVolume, set metadata: { name: \'shop-data-orders-1\' }');
  });

  test('without bindToClaims, a new volume on a disk in use is open to any claim of the class', () => {
    const findings = compare(ring({ bindToClaims: false }), ring({ bindToClaims: false, namePrefix: 'orders-ssd' }));
    expect(findings).toHaveLength(3);
    expect(findings[0].message).toContain('the new volume is Available to any claim of its class, which would then share the disk with the pod that uses the old one');
  });

  test('a renamed ring whose volumes keep their names: each reservation moves to the new claim (a warning), and the ring is a warning', () => {
    // WHEN the user pinned namePrefix and renamed the ring
    const findings = compare(ring({ namePrefix: 'orders-ssd' }), ring({ name: 'orders-v2', namePrefix: 'orders-ssd' }));

    // THEN
    expect(findings.map(f => [f.severity, f.kind, f.field])).toEqual([
      ...[0, 1, 2].map(() => [UpgradeFindingSeverity.WARNING, 'PersistentVolume', 'spec.claimRef']),
      [UpgradeFindingSeverity.WARNING, 'StatefulSet', 'metadata.name'],
    ]);
    expect(findings[0]).toMatchObject({
      oldValue: 'shop/data-orders-0',
      newValue: 'shop/data-orders-v2-0',
      message: 'PersistentVolume orders-ssd-0 is reserved for claim shop/data-orders-v2-0 instead of shop/data-orders-0: if shop/data-orders-0 is bound '
        + 'to it, that claim loses its volume (phase Lost) while its pod may still use the disk, and shop/data-orders-v2-0 binds the same disk: two '
        + 'pods may then use one disk at once',
      wayOut: 'Keep the reservation: a StaticVolumeSet with bindToClaims reserves volume N for <claim template>-<statefulset>-<ordinal>, so it follows '
        + 'the StatefulSet\'s name (keep metadata.name of the workload). To hand the disk to another claim, first stop the pod that uses '
        + 'shop/data-orders-0 and delete that claim (kubectl -n shop delete pvc data-orders-0), then apply',
    });
    expect(findings[3].message).toContain('(data-orders-v2-0 on orders-ssd-0, data-orders-v2-1 on orders-ssd-1, data-orders-v2-2 on orders-ssd-2)');
  });

  test('a reservation dropped from a volume is reported too', () => {
    const before = pv('a');
    before.spec.claimRef = { name: 'www-web-0', namespace: 'shop' };
    expect(only(compare([before], [pv('a')]))).toMatchObject({
      severity: UpgradeFindingSeverity.WARNING,
      field: 'spec.claimRef',
      oldValue: 'shop/www-web-0',
      newValue: '(not set)',
      message: expect.stringContaining('is reserved for no claim instead of shop/www-web-0: if shop/www-web-0 is bound to it, that claim loses its volume (phase Lost) while its pod may still use the disk, and any claim of the class can bind the volume'),
    });
  });

  test('a renamed ring without bindToClaims: its claims can only bind the volumes re-created on the old disks', () => {
    const findings = compare(ring({ bindToClaims: false }), ring({ bindToClaims: false, name: 'orders-v2' }));
    expect(only(of(findings, 'StatefulSet'))).toMatchObject({ severity: UpgradeFindingSeverity.WARNING });
    expect(findings.every(f => f.severity === UpgradeFindingSeverity.WARNING)).toBe(true);
  });

  test('a renamed ring with more replicas than re-created volumes: the claims without one start empty (data loss)', () => {
    // (synthesis refuses such a set: the manifests are changed by hand, as a hand-written fourth replica would)
    const next = ring({ name: 'orders-v2' });
    next.find(o => o.kind === 'StatefulSet').spec.replicas = 4;
    const findings = compare(ring(), next);
    const ring0 = only(of(findings, 'StatefulSet'));
    expect(ring0.severity).toBe(UpgradeFindingSeverity.DATA_LOSS);
    expect(ring0.message).toContain('; the claims data-orders-v2-3 get no such volume: they start new and empty, and the old claims (data-orders-0, '
      + 'data-orders-1, data-orders-2) stay behind, unused (whenDeleted: Retain)');
  });

  test('volumes with reclaim policy Delete: deleting the old claims erases the disks the new pods use (data loss)', () => {
    const findings = compare(ring({ deleteVolumes: true }), ring({ deleteVolumes: true, name: 'orders-v2' }));
    const ring0 = only(of(findings, 'StatefulSet'));
    expect(ring0.severity).toBe(UpgradeFindingSeverity.DATA_LOSS);
    expect(ring0.message).toContain('; the old volumes shop-data-orders-0, shop-data-orders-1, shop-data-orders-2 have reclaim policy Delete: once their old claims are deleted, the storage the new pods use is erased');
    expect(ring0.wayOut).toContain('and the old volume objects only after setting their reclaim policy to Retain (kubectl patch pv <name> -p \'{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}\')');
  });

  test('local volumes with the same path on other nodes are other storage: renamed volumes are paired by node', () => {
    // GIVEN the new volumes listed in another order of nodes
    const findings = compare(ring({ namePrefix: 'a' }), ring({ namePrefix: 'b', nodes: ['node-3', 'node-1', 'node-2'] }));

    // THEN a-0 (node-1) is b-1 (node-1), not b-0 (node-3); the reservations follow the ordinals
    expect(findings.filter(f => f.field === 'metadata.name').map(f => [f.oldValue, f.newValue])).toEqual([['a-0', 'b-1'], ['a-1', 'b-2'], ['a-2', 'b-0']]);
  });
});

describe('deletions', () => {
  test.each<[string, any, UpgradeFindingSeverity, RegExp]>([
    ['a StatefulSet with claims (whenDeleted: Retain)', sts(), UpgradeFindingSeverity.WARNING, /its claims www-web-0, www-web-1 stay \(whenDeleted: Retain\) but nothing uses them/],
    ['a StatefulSet with claims (whenDeleted: Delete)', (() => { const s = sts(); s.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete' }; return s; })(),
      UpgradeFindingSeverity.DATA_LOSS, /are deleted with it \(whenDeleted: Delete\)/],
    ['a claim', pvc(), UpgradeFindingSeverity.DATA_LOSS, /pruning deletes it/],
    ['a claim Argo CD keeps', (() => { const c = pvc(); c.metadata.annotations = { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' }; return c; })(),
      UpgradeFindingSeverity.WARNING, /Argo CD keeps it \(Prune=false\)/],
    ['a volume (Retain)', pv(), UpgradeFindingSeverity.WARNING, /the storage keeps the data/],
    ['a volume (Delete)', (() => { const v = pv(); v.spec.persistentVolumeReclaimPolicy = 'Delete'; return v; })(), UpgradeFindingSeverity.DATA_LOSS, /and its storage \(reclaim policy Delete\)/],
  ])('%s', (_, obj, severity, message) => {
    const finding = only(compare([obj], []));
    expect(finding).toMatchObject({ severity, field: 'metadata.name', oldValue: obj.metadata.name, newValue: '(deleted)' });
    expect(finding.message).toMatch(message);
  });

  test('a namespace holding claims', () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
    const findings = compare([ns, pvc()], []);
    expect(findings.map(f => [f.severity, f.kind])).toEqual([
      [UpgradeFindingSeverity.DATA_LOSS, 'PersistentVolumeClaim'], [UpgradeFindingSeverity.DATA_LOSS, 'Namespace'],
    ]);
  });
});

describe('accepting findings', () => {
  const grown = () => {
    const before = sts();
    const after = clone(before);
    www(after).spec.resources.requests.storage = '2Gi';
    after.spec.serviceName = 'web';
    return [[before, pvc()], [after]];
  };

  test.each<[string, string[], string[]]>([
    ['nothing accepted', [], ['spec.serviceName', 'spec.volumeClaimTemplates[name=www].spec.resources.requests.storage', 'metadata.name']],
    ['one field', ['StatefulSet/shop/web:spec.volumeClaimTemplates[name=www].spec.resources.requests.storage'], ['spec.serviceName', 'metadata.name']],
    ['a field prefix', ['StatefulSet/shop/web:spec.volumeClaimTemplates'], ['spec.serviceName', 'metadata.name']],
    ['a whole object, kind in any case', ['statefulset/shop/web'], ['metadata.name']],
    ['a deletion', ['PersistentVolumeClaim/shop/files:metadata.name'], ['spec.serviceName', 'spec.volumeClaimTemplates[name=www].spec.resources.requests.storage']],
    ['another namespace', ['StatefulSet/other/web'], ['spec.serviceName', 'spec.volumeClaimTemplates[name=www].spec.resources.requests.storage', 'metadata.name']],
  ])('%s', (_, accept, fields) => {
    const [before, after] = grown();
    expect(compare(before, after, { accept }).map(f => f.field)).toEqual(fields);
  });

  test('a cluster-scoped object has no namespace part', () => {
    expect(compare([storageClass()], [storageClass('standard', { reclaimPolicy: 'Delete' })], { accept: ['StorageClass/standard:reclaimPolicy'] })).toEqual([]);
  });

  test('fails when an entry can never match', () => {
    expect(() => compare([], [], { accept: ['orders-db'] })).toThrow(
      'invalid \'accept\' entry: "orders-db". An entry is <Kind>/<namespace>/<name> (<Kind>/<name> without a namespace), optionally followed by ' +
      ':<field prefix>. Copy it from the "accept:" line of a finding, e.g. StatefulSet/shop/orders-db:spec.volumeClaimTemplates.');
  });
});

describe('KubernetesVersion', () => {
  test.each([['1.27', 27], ['v1.30', 30], ['1.31.4', 31], [' 1.40 ', 40]])('of(%s)', (text, minor) => {
    expect(KubernetesVersion.of(text).minor).toBe(minor);
    expect(KubernetesVersion.of(text).toString()).toBe(`1.${minor}`);
  });

  test.each(['1.26', '2.0', '1', 'latest'])('fails when the version is %s', text => {
    expect(() => KubernetesVersion.of(text)).toThrow(`KubernetesVersion: invalid version: "${text}". The upgrade guard knows the rules of Kubernetes 1.27 and later. Write 1.<minor>, e.g. 1.27 or 1.30.`);
  });
});

// ---------------------------------------------------------------------------------------------
// the rules in detail: exact texts, defaults, missing fields

const namespace = (name: string): any => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const RECREATE_SVC = 'Delete the Service just before the new manifests are applied (kubectl -n shop delete service user-db; ' +
  'Argo CD: sync option Force=true,Replace=true on this Service for one sync); clients cannot resolve it in between';
const CLAIM_IMMUTABLE = 'PersistentVolumeClaim "files" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests for bound claims';
const grownClaim = (storageClassName: string | null = 'standard') => {
  const before = pvc('files', storageClassName);
  const after = clone(before);
  after.spec.resources.requests.storage = '20Gi';
  return [before, after];
};

describe('PersistentVolumeClaim in detail', () => {
  test('a class written out where the cluster assigned one: what to check', () => {
    expect(only(compare([pvc('files', null)], [pvc('files', 'standard')]))).toMatchObject({
      severity: UpgradeFindingSeverity.WARNING,
      field: 'spec.storageClassName',
      oldValue: '(not set)',
      newValue: 'standard',
      message: `${CLAIM_IMMUTABLE} (accepted only if "standard" is the class the cluster assigned when the claim was created)`,
      wayOut: "Check the live claim (kubectl -n shop get pvc files -o jsonpath='{.spec.storageClassName}') and write that class",
    });
  });

  test('a fixed field: the way out', () => {
    const after = pvc();
    after.spec.accessModes = ['ReadWriteMany'];
    expect(only(compare([pvc()], [after])).wayOut).toBe('Keep spec.accessModes[0] as it is. A claim with another spec is a new claim: ' +
      'create it under a new name, copy the data, point the workload at it, then delete the old one');
  });

  test('absent volumeMode is Filesystem', () => {
    const after = pvc();
    after.spec.volumeMode = 'Filesystem';
    expect(compare([pvc()], [after])).toEqual([]);
    expect(compare([after], [pvc()])).toEqual([]);
  });

  test('a bound volume name cannot change', () => {
    const before = pvc();
    before.spec.volumeName = 'pv-a';
    const after = clone(before);
    after.spec.volumeName = 'pv-b';
    expect(only(compare([before], [after]))).toMatchObject({
      severity: UpgradeFindingSeverity.REFUSED, field: 'spec.volumeName', oldValue: 'pv-a', newValue: 'pv-b', message: CLAIM_IMMUTABLE,
    });
  });

  test.each<[string, any, any]>([
    ['no spec', undefined, undefined],
    ['no resources', { accessModes: ['ReadWriteOnce'] }, { accessModes: ['ReadWriteOnce'] }],
    ['a storage request added', { accessModes: ['ReadWriteOnce'] }, { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }],
    ['a storage request removed', { resources: { requests: { storage: '1Gi' } } }, { resources: {} }],
    ['a storage request that is no quantity', { resources: { requests: { storage: 'lots' } } }, { resources: { requests: { storage: 'more' } } }],
    ['another request grows', { resources: { requests: { storage: '1Gi', foo: '1' } } }, { resources: { requests: { storage: '1Gi', foo: '2' } } }],
    ['a request under a dotted name, the same quantity', { resources: { requests: { 'example.com/foo': '1Gi' } } },
      { resources: { requests: { 'example.com/foo': '1024Mi' } } }],
  ])('%s: not reported', (_, a, b) => {
    const claimWith = (spec: any) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'files', namespace: 'shop' }, spec });
    expect(compare([claimWith(a)], [claimWith(b)])).toEqual([]);
  });

  test('shrinking: the way out', () => {
    const after = pvc();
    after.spec.resources.requests.storage = '5Gi';
    expect(only(compare([pvc()], [after])).wayOut).toBe('Claims cannot shrink. Keep 10Gi; to shrink, copy the data to a new, smaller claim under a new name');
  });

  test('growing on a class that does not allow expansion: message and way out', () => {
    const [before, after] = grownClaim();
    expect(only(compare([before, storageClass()], [after, storageClass()]))).toMatchObject({
      severity: UpgradeFindingSeverity.REFUSED,
      field: 'spec.resources.requests.storage',
      message: 'PersistentVolumeClaim "files" is refused by admission: only dynamically provisioned claims of a StorageClass with ' +
        'allowVolumeExpansion: true can grow; StorageClass "standard" does not allow it',
      wayOut: 'Set allowVolumeExpansion: true on StorageClass "standard" in the same change (that field may change; ' +
        'its CSI driver must support expansion), or keep the size',
    });
  });

  test.each<[string, string | null, string, string]>([
    ['a named class', 'standard', '("standard", not in these manifests)', 'kubectl get storageclass standard -o'],
    ['the default class', null, '(the default class, not in these manifests)', 'kubectl get storageclass  -o'],
  ])('growing on %s outside the manifests: what to check', (_, cls, where, get) => {
    const [before, after] = grownClaim(cls);
    expect(only(compare([before], [after]))).toMatchObject({
      severity: UpgradeFindingSeverity.WARNING,
      field: 'spec.resources.requests.storage',
      oldValue: '10Gi',
      newValue: '20Gi',
      message: `PersistentVolumeClaim "files" can grow only if it is bound and its StorageClass ${where} has allowVolumeExpansion: true`,
      wayOut: `Check: ${get} jsonpath='{.allowVolumeExpansion}' and kubectl -n shop get pvc files (STATUS Bound)`,
    });
  });
});

describe('PersistentVolume in detail', () => {
  const WAY_OUT = 'A volume cannot point at other storage. Keep the source; for other storage create a new StaticVolume ' +
    '(and claim) under a new name and copy the data';

  test('its storage is fixed: the way out', () => {
    const after = pv();
    after.spec.hostPath.path = '/data/1';
    expect(only(compare([pv()], [after])).wayOut).toBe(WAY_OUT);
  });

  test.each<[string, (v: any) => void]>([
    ['claimRef', v => { v.spec.claimRef = { namespace: 'shop', name: 'data-db-0' }; }],
    ['volumeAttributesClassName', v => { v.spec.volumeAttributesClassName = 'fast'; }],
    ['volumeMode written out as its default', v => { v.spec.volumeMode = 'Filesystem'; }],
  ])('%s may change', (_, change) => {
    const after = pv();
    change(after);
    expect(compare([pv()], [after])).toEqual([]);
  });

  test('a volume without a spec', () => {
    const bare = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'data-0' } };
    expect(compare([bare], [bare])).toEqual([]);
  });

  test('volumeMode and nodeAffinity: messages and ways out', () => {
    const before = pv();
    before.spec.nodeAffinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'host', operator: 'In', values: ['a'] }] }] } };
    const after = clone(before);
    after.spec.volumeMode = 'Block';
    after.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values = ['b'];
    const [mode, affinity] = compare([before], [after]);
    expect(mode).toMatchObject({
      severity: UpgradeFindingSeverity.REFUSED,
      field: 'spec.volumeMode',
      oldValue: 'Filesystem',
      newValue: 'Block',
      message: 'PersistentVolume "data-0" is invalid: spec.volumeMode: Invalid value: "Block": field is immutable',
      wayOut: WAY_OUT,
    });
    expect(affinity).toMatchObject({
      severity: UpgradeFindingSeverity.REFUSED,
      oldValue: 'a',
      newValue: 'b',
      message: 'PersistentVolume "data-0" is invalid: spec.nodeAffinity: Invalid value: ...: field is immutable',
      wayOut: 'The data lives where the volume is: keep nodeAffinity; for another node create a new volume under a new name and copy the data',
    });
  });
});

test('StorageClass: the way out of a fixed field', () => {
  expect(only(compare([storageClass()], [storageClass('standard', { provisioner: 'other' })])).wayOut).toBe(
    'Give the class with the new provisioner a new name and point new claims at it, or delete and re-create the class ' +
    '(kubectl delete storageclass standard, then apply; Argo CD: sync option Force=true,Replace=true on it). ' +
    'Existing volumes keep the settings they were provisioned with either way');
});

describe('Service in detail', () => {
  const bare = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'user-db', namespace: 'shop' } };

  test('ExternalName to a Service without a spec: the message', () => {
    const finding = only(compare([service({ type: 'ExternalName', externalName: 'db.example.com' })], [bare], { serverSideApply: true }));
    expect(finding).toMatchObject({
      severity: UpgradeFindingSeverity.REFUSED,
      field: 'spec.type',
      message: 'Service "user-db" is invalid: spec.clusterIPs: Forbidden: may not be set for ExternalName services ' +
        '(under server-side apply, e.g. Argo CD ServerSideApply=true: the old type belongs to another field manager; client-side kubectl apply succeeds)',
    });
  });

  test('a Service without a spec', () => {
    expect(compare([bare], [bare])).toEqual([]);
    expect(compare([bare], [service({})])).toEqual([]);
  });

  test('an explicit cluster IP that changes: the way out', () => {
    expect(only(compare([service({ clusterIP: '10.0.0.10' })], [service({ clusterIP: '10.0.0.11' })])).wayOut)
      .toBe(`Keep clusterIP 10.0.0.10, or: ${RECREATE_SVC}`);
  });

  test('a cluster IP taken from clusterIPs', () => {
    expect(only(compare([service({ clusterIPs: ['10.0.0.10'] })], [service({ clusterIPs: ['10.0.0.11'] })]))).toMatchObject({
      oldValue: '10.0.0.10', newValue: '10.0.0.11',
    });
  });

  test('a Service with a cluster IP cannot become headless: the way out', () => {
    expect(only(compare([service({})], [service({ clusterIP: 'None' })])).wayOut)
      .toBe(`A Service with a cluster IP cannot become headless. ${RECREATE_SVC}`);
  });

  test('an explicit cluster IP written out where one was allocated: a warning', () => {
    expect(only(compare([service({})], [service({ clusterIP: '10.0.0.10' })]))).toMatchObject({
      severity: UpgradeFindingSeverity.WARNING,
      field: 'spec.clusterIP',
      oldValue: '(allocated)',
      newValue: '10.0.0.10',
      message: 'Service "user-db" is invalid: spec.clusterIPs[0]: Invalid value: ["10.0.0.10"]: may not change once set ' +
        '(unless 10.0.0.10 is the address the cluster allocated)',
      wayOut: `Check kubectl -n shop get service user-db -o jsonpath='{.spec.clusterIP}'; if it differs: ${RECREATE_SVC}`,
    });
  });

  test('a headless Service stays headless: message and way out', () => {
    expect(only(compare([service({ clusterIP: 'None' })], [service({})]))).toMatchObject({
      field: 'spec.clusterIP',
      message: 'Service "user-db" stays headless: the API server keeps clusterIP None when an update leaves clusterIP out, so no cluster IP is allocated',
      wayOut: `To give it a cluster IP: ${RECREATE_SVC}`,
    });
  });
});

describe('Job in detail', () => {
  test.each<[string, any]>([
    ['a delete policy without a hook', { 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' }],
    ['Replace=true alone (an update, not a re-creation)', { 'argocd.argoproj.io/sync-options': 'Replace=true' }],
    ['Force=true alone (takes effect only with Replace=true)', { 'argocd.argoproj.io/sync-options': 'Force=true' }],
  ])('%s: a changed template is refused', (_, annotations) => {
    const after = job('migrate', annotations);
    after.spec.template.spec.containers[0].image = 'migrate:2';
    expect(only(compare([job('migrate', annotations)], [after])).field).toBe('spec.template.spec.containers[0].image');
  });

  test.each<[string, any, string, string]>([
    ['selector', { selector: { matchLabels: { a: 'b' } } }, 'spec.selector.matchLabels.a', 'spec.selector'],
    ['manualSelector', { manualSelector: true }, 'spec.manualSelector', 'spec.manualSelector'],
    ['completionMode', { completionMode: 'Indexed' }, 'spec.completionMode', 'spec.completionMode'],
    ['podFailurePolicy', { podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] } },
      'spec.podFailurePolicy.rules', 'spec.podFailurePolicy'],
    ['backoffLimitPerIndex', { backoffLimitPerIndex: 1 }, 'spec.backoffLimitPerIndex', 'spec.backoffLimitPerIndex'],
    ['completions of a NonIndexed Job', { completions: 3 }, 'spec.completions', 'spec.completions'],
  ])('%s is fixed', (_, change, field, key) => {
    const after = job();
    Object.assign(after.spec, change);
    expect(only(compare([job()], [after]))).toMatchObject({
      severity: UpgradeFindingSeverity.REFUSED, field, message: `Job.batch "migrate" is invalid: ${key}: Invalid value: ...: field is immutable`,
    });
  });

  test('completions of an Indexed Job may change (elastic Indexed Jobs)', () => {
    const before = job();
    before.spec.completionMode = 'Indexed';
    before.spec.completions = 3;
    const after = clone(before);
    after.spec.completions = 5;
    expect(compare([before], [after])).toEqual([]);
  });

  test('a Job without a spec', () => {
    const bare = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'shop' } };
    expect(compare([bare], [bare])).toEqual([]);
  });

  test('three template changes: one finding that counts the other two; the way out', () => {
    const after = job();
    after.spec.template.spec.containers[0].image = 'migrate:2';
    after.spec.template.spec.containers[0].args = ['down'];
    after.spec.template.spec.restartPolicy = 'OnFailure';
    const finding = only(compare([job()], [after]));
    expect(finding.message).toBe('Job.batch "migrate" is invalid: spec.template: Invalid value: ...: field is immutable (and 2 more changes under spec.template)');
    expect(finding.wayOut).toBe('A changed Job is a new Job: give it a new name (e.g. derived from its image and command), or make it an Argo CD hook ' +
      'with argocd.argoproj.io/hook-delete-policy: BeforeHookCreation, or delete the finished Job before applying (kubectl -n shop delete job migrate)');
  });
});

describe('pod selectors and EndpointSlices in detail', () => {
  const dep = (label?: string, annotations?: any): any => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'user-manager', namespace: 'shop', annotations },
    spec: label === undefined ? undefined : { selector: { matchLabels: { app: label } } },
  });

  test('a Deployment replaced by Argo CD may change its selector', () => {
    const force = { 'argocd.argoproj.io/sync-options': 'Force=true,Replace=true' };
    expect(compare([dep('a', force)], [dep('b', force)])).toEqual([]);
  });

  test('an unchanged selector, and none at all, are not reported', () => {
    expect(compare([dep('a')], [dep('a')])).toEqual([]);
    expect(compare([dep()], [dep()])).toEqual([]);
  });

  test.each<[string | undefined, string | undefined, string, string]>([
    ['a', 'b', '{"matchLabels":{"app":"a"}}', '{"matchLabels":{"app":"b"}}'],
    [undefined, 'b', '(not set)', '{"matchLabels":{"app":"b"}}'],
    ['a', undefined, '{"matchLabels":{"app":"a"}}', '(not set)'],
  ])('selector %s to %s: refused, with the way out', (a, b, oldValue, newValue) => {
    expect(only(compare([dep(a)], [dep(b)]))).toMatchObject({
      severity: UpgradeFindingSeverity.REFUSED,
      field: 'spec.selector',
      oldValue,
      newValue,
      wayOut: 'Keep the selector (labels derived from the construct path or chart id change when code moves: pin them), or delete the ' +
        'Deployment just before applying (kubectl -n shop delete deployment user-manager; Argo CD: sync option Force=true,Replace=true for one sync)',
    });
  });

  const slice = (addressType?: string) => ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 's', namespace: 'shop' }, addressType, endpoints: [] });

  test.each<[string | undefined, string | undefined]>([['IPv4', 'IPv4'], [undefined, 'IPv6'], ['IPv4', undefined]])(
    'address type %s to %s: not reported', (a, b) => {
      expect(compare([slice(a)], [slice(b)])).toEqual([]);
    });

  test('a changed address type: the whole finding', () => {
    expect(only(compare([slice('IPv4')], [slice('IPv6')]))).toEqual({
      severity: UpgradeFindingSeverity.REFUSED,
      kind: 'EndpointSlice',
      apiVersion: 'discovery.k8s.io/v1',
      objectNamespace: 'shop',
      objectName: 's',
      field: 'addressType',
      oldValue: 'IPv4',
      newValue: 'IPv6',
      message: 'EndpointSlice.discovery.k8s.io "s" is invalid: addressType: Invalid value: "IPv6": field is immutable',
      wayOut: 'Use one EndpointSlice per address family, each under its own name',
    });
  });
});

describe('renames and deletions in detail', () => {
  const renamed = (before: any[], after: any[]) => compare(before, after).map(f => [f.objectName, f.field, f.newValue]);
  const bareClaim = (name: string, spec?: any) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'shop' }, spec });
  const withImages = (s: any, images: string[]) => {
    s.spec.template.spec.containers = images.map((image, i) => ({ name: `c${i}`, image }));
    return s;
  };

  test.each<[string, any]>([
    ['a StatefulSet of another API group', (() => { const s = sts(); s.apiVersion = 'apps.kruise.io/v1beta1'; return s; })()],
    ['a Deployment', { ...sts(), kind: 'Deployment' }],
    ['a StatefulSet without a spec', { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'shop' } }],
    ['a PersistentVolumeClaim of another API group', { ...pvc(), apiVersion: 'example.com/v1' }],
    ['a PersistentVolume of another API group', { ...pv(), apiVersion: 'example.com/v1' }],
  ])('deleting %s holds no data: not reported', (_, obj) => {
    expect(compare([obj], [])).toEqual([]);
  });

  test.each<[string, any, UpgradeFindingSeverity, string, string]>([
    ['a StatefulSet (whenDeleted: Delete)', (() => { const s = sts(); s.spec.persistentVolumeClaimRetentionPolicy.whenDeleted = 'Delete'; return s; })(),
      UpgradeFindingSeverity.DATA_LOSS,
      'StatefulSet shop/web leaves the manifests: when it is deleted (pruned), its claims www-web-0, www-web-1 are deleted with it (whenDeleted: Delete)',
      'If the workload moved, keep its metadata.name and namespace; if it is retired, back the data up and delete the claims on purpose'],
    ['a StatefulSet without a retention policy (Retain)', (() => { const s = sts(); delete s.spec.persistentVolumeClaimRetentionPolicy; return s; })(),
      UpgradeFindingSeverity.WARNING,
      'StatefulSet shop/web leaves the manifests: when it is deleted (pruned), its claims www-web-0, www-web-1 stay (whenDeleted: Retain) but nothing uses them',
      'If the workload moved, keep its metadata.name and namespace; if it is retired, back the data up and delete the claims on purpose'],
    ['a claim without a spec', bareClaim('files'), UpgradeFindingSeverity.DATA_LOSS,
      'PersistentVolumeClaim shop/files leaves the manifests: pruning deletes it, and with it a dynamically provisioned volume (reclaim policy Delete)',
      'Keep the claim in the manifests, or annotate it argocd.argoproj.io/sync-options: Prune=false,Delete=false and back the data up first'],
    ['a claim without resources', bareClaim('files', { accessModes: ['ReadWriteOnce'] }), UpgradeFindingSeverity.DATA_LOSS,
      'PersistentVolumeClaim shop/files leaves the manifests: pruning deletes it, and with it a dynamically provisioned volume (reclaim policy Delete)',
      'Keep the claim in the manifests, or annotate it argocd.argoproj.io/sync-options: Prune=false,Delete=false and back the data up first'],
    ['a claim Argo CD keeps', (() => { const c = pvc(); c.metadata.annotations = { 'argocd.argoproj.io/sync-options': 'Prune=false' }; return c; })(),
      UpgradeFindingSeverity.WARNING,
      'PersistentVolumeClaim shop/files leaves the manifests: pruning deletes it, and with it a dynamically provisioned volume (reclaim policy Delete); ' +
      'Argo CD keeps it (Prune=false), kubectl apply --prune does not',
      'Keep the claim in the manifests, or annotate it argocd.argoproj.io/sync-options: Prune=false,Delete=false and back the data up first'],
    ['a volume without a spec (reclaim policy Retain)', { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'data-0' } }, UpgradeFindingSeverity.WARNING,
      'PersistentVolume data-0 leaves the manifests: pruning deletes the volume object (the storage keeps the data: reclaim policy Retain)',
      'Keep the volume in the manifests while a claim uses it'],
  ])('deleting %s: the whole finding', (_, obj, severity, message, wayOut) => {
    expect(only(compare([obj], []))).toMatchObject({ severity, field: 'metadata.name', oldValue: obj.metadata.name, newValue: '(deleted)', message, wayOut });
  });

  test.each<[string, any, any]>([
    ['claim templates in another order', (() => {
      const s = sts('web');
      s.spec.volumeClaimTemplates.push({ ...clone(www(s)), metadata: { name: 'logs' } });
      return s;
    })(), (() => {
      const s = sts('web2');
      s.spec.volumeClaimTemplates.unshift({ ...clone(www(s)), metadata: { name: 'logs' } });
      return s;
    })()],
    ['a claim with volumeMode written out', pvc('a'), (() => { const c = pvc('b'); c.spec.volumeMode = 'Filesystem'; return c; })()],
    ['a claim with its size in other units', pvc('a'), (() => { const c = pvc('b'); c.spec.resources.requests.storage = '10240Mi'; return c; })()],
    ['a volume with another capacity', pv('a'), (() => { const v = pv('b'); v.spec.capacity.storage = '2Gi'; return v; })()],
    ['a StatefulSet without a pod template', (() => { const s = sts('web'); delete s.spec.template; return s; })(),
      (() => { const s = sts('web2'); delete s.spec.template; return s; })()],
  ])('a rename is found: %s', (_, before, after) => {
    expect(renamed([before], [after])).toEqual([[before.metadata.name, 'metadata.name', after.metadata.name]]);
  });

  test.each<[string, any, any]>([
    ['a claim of another size', pvc('a'), (() => { const c = pvc('b'); c.spec.resources.requests.storage = '20Gi'; return c; })()],
    ['a volume on other storage', pv('a'), (() => { const v = pv('b'); v.spec.hostPath.path = '/data/1'; return v; })()],
    ['a StatefulSet renamed into another namespace', sts('web', 'shop'), sts('web2', 'data')],
  ])('no rename: %s', (_, before, after) => {
    expect(renamed([before], [after])).toEqual([[before.metadata.name, 'metadata.name', '(deleted)']]);
  });

  test('an object that stays is no rename target', () => {
    expect(renamed([pvc('a'), pvc('b')], [pvc('b')])).toEqual([['a', 'metadata.name', '(deleted)']]);
  });

  test('one new object is the rename of one old object only', () => {
    expect(renamed([pvc('a1'), pvc('a2')], [pvc('b')])).toEqual([['a1', 'metadata.name', 'b'], ['a2', 'metadata.name', '(deleted)']]);
  });

  test.each<[string, any, any[], string]>([
    ['the same namespace first', sts('web', 'shop'), [sts('web', 'other'), sts('web2', 'shop')], 'web2'],
    ['then the same governing Service', sts('web'), [(() => { const s = sts('web2'); s.spec.serviceName = 'other'; return s; })(), sts('web3')], 'web3'],
    ['then the same images, in any order', withImages(sts('web'), ['x:1', 'y:1']),
      [withImages(sts('web2'), ['y:2', 'x:2']), withImages(sts('web3'), ['y:1', 'x:1'])], 'web3'],
    ['claims without a spec', bareClaim('a'), [bareClaim('b'), bareClaim('c')], 'b'],
    ['claims without a pod template', bareClaim('a', { serviceName: 'x' }), [bareClaim('b'), bareClaim('c')], 'b'],
  ])('of several candidates the most alike is the rename: %s', (_, before, after, name) => {
    expect(only(compare([before], after)).newValue).toBe(name);
  });

  test.each<[string, any, any]>([
    ['a digest', ['nginx@sha256:abc'], ['nginx:1.28']],
    ['docker.io/library', ['docker.io/library/nginx:1.27'], ['nginx:1.28']],
    ['docker.io without library', ['nginx:1.27'], ['docker.io/nginx:1.28']],
    ['a registry with a port', ['registry.example.com:5000/nginx:1.27'], ['registry.example.com:5000/nginx:1.28']],
    ['another order', ['nginx:1', 'envoy:1'], ['envoy:2', 'nginx:2']],
    ['an image left out or empty', [undefined], ['']],
  ])('a renamed StatefulSet runs the same images: %s', (_, a, b) => {
    const before = sts('web');
    before.spec.template.spec.containers = a.map((image: any, i: number) => ({ name: `c${i}`, image }));
    const after = sts('web2');
    after.spec.template.spec.containers = b.map((image: any, i: number) => ({ name: `c${i}`, image }));
    expect(only(compare([before], [after])).newValue).toBe('web2');
  });

  test.each<[string, any, any]>([
    ['no containers or none', {}, { containers: [] }],
    ['no init containers or none', { containers: [{ name: 'a', image: 'nginx:1' }] }, { containers: [{ name: 'a', image: 'nginx:1' }], initContainers: [] }],
  ])('a renamed StatefulSet runs the same images: %s', (_, a, b) => {
    const before = sts('web');
    before.spec.template.spec = a;
    const after = sts('web2');
    after.spec.template.spec = b;
    expect(only(compare([before], [after])).newValue).toBe('web2');
  });

  test('docker.io is a prefix, not any part of the image', () => {
    expect(only(compare([withImages(sts('web'), ['mirror.docker.io/nginx:1'])], [withImages(sts('web2'), ['mirror.nginx:1'])])).newValue).toBe('(deleted)');
  });

  test('a renamed claim: message and way out', () => {
    const kept = pvc('files');
    kept.metadata.annotations = { 'argocd.argoproj.io/sync-options': 'Prune=false' };
    const keep = "Keep metadata.name \"files\" (set it explicitly, e.g. metadata: { name: 'files' }, so it does not follow the construct path)";
    expect(only(compare([pvc('files')], [pvc('files-c8a1')]))).toMatchObject({
      message: 'PersistentVolumeClaim shop/files is replaced by shop/files-c8a1: the new claim is a new, empty volume; the old claim and its data are deleted when pruned',
      wayOut: `${keep}. To really move the data, copy it to the new claim first`,
    });
    expect(only(compare([kept], [pvc('files-c8a1')])).message).toBe(
      'PersistentVolumeClaim shop/files is replaced by shop/files-c8a1: the new claim is a new, empty volume; the old claim stays (Argo CD Prune=false) but nothing uses it');
  });

  test.each<[string, string | undefined, UpgradeFindingSeverity, string]>([
    ['Retain', 'Retain', UpgradeFindingSeverity.WARNING, ''],
    ['no spec', undefined, UpgradeFindingSeverity.WARNING, ''],
    ['Delete', 'Delete', UpgradeFindingSeverity.DATA_LOSS, '; with reclaim policy Delete the storage itself is erased once the old volume is released'],
    ['Recycle', 'Recycle', UpgradeFindingSeverity.DATA_LOSS, '; with reclaim policy Recycle the storage itself is erased once the old volume is released'],
  ])('a renamed volume (%s): the whole finding', (_, policy, severity, erased) => {
    const volume = (name: string) => (policy === undefined ? { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name } }
      : { ...pv(name), spec: { ...pv(name).spec, persistentVolumeReclaimPolicy: policy } });
    expect(only(compare([volume('a')], [volume('b')]))).toMatchObject({
      severity,
      field: 'metadata.name',
      oldValue: 'a',
      newValue: 'b',
      message: 'PersistentVolume a is replaced by b on the same storage: a claim bound to the old volume stays bound to it (pruning only marks a ' +
        'bound volume for deletion: the pv-protection finalizer keeps it while the claim exists, and Argo CD keeps it anyway: Prune=false), ' +
        `and the new volume is Available to any claim of its class, which would then share the disk with the pod that uses the old one: two volume objects point at one disk${erased}`,
      // a name without an ordinal is a StaticVolume's
      wayOut: 'Keep the name "a": set metadata: { name: \'a\' } on the StaticVolume',
    });
  });

  test('a moved StatefulSet: the way out', () => {
    expect(only(compare([sts('web', 'shop')], [sts('web', 'data')])).wayOut).toBe(
      'Keep metadata.namespace "shop". To really move the data, copy it from the old claims into the new ones before clients switch over');
  });

  test('a deleted namespace: the whole finding, naming what holds data', () => {
    const findings = compare([namespace('shop'), sts(), pvc(), service({})], []);
    expect(findings.filter(f => f.kind === 'Namespace')).toEqual([{
      severity: UpgradeFindingSeverity.DATA_LOSS,
      kind: 'Namespace',
      apiVersion: 'v1',
      objectName: 'shop',
      field: 'metadata.name',
      oldValue: 'shop',
      newValue: '(deleted)',
      message: 'Namespace "shop" leaves the manifests: deleting a namespace deletes everything in it, claims included (StatefulSet web, PersistentVolumeClaim files)',
      wayOut: 'Keep the Namespace in the manifests, or annotate it argocd.argoproj.io/sync-options: Prune=false,Delete=false and move the data first',
    }]);
  });

  test.each<[string, any[], any[], number]>([
    ['a namespace that stays', [namespace('shop'), pvc()], [namespace('shop'), pvc()], 0],
    ['a Namespace of another API group', [{ ...namespace('shop'), apiVersion: 'example.com/v1' }, pvc()], [pvc()], 0],
    ['a deleted namespace that holds no data', [namespace('shop'), service({}), { ...pvc(), metadata: { name: 'files', namespace: 'data' } }],
      [{ ...pvc(), metadata: { name: 'files', namespace: 'data' } }], 0],
    ['a claim named like its namespace, which is not in the manifests', [pvc('shop')], [], 1],
  ])('%s: no namespace finding', (_, before, after, count) => {
    const findings = compare(before, after);
    expect(findings.filter(f => f.kind === 'Namespace')).toEqual([]);
    expect(findings).toHaveLength(count);
  });
});
