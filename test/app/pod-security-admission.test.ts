import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { PodSecurityAdmission, PodSecurityLevel, PodSecurityVersion } from '../../src/app/pod-security-admission';
import { PodDefaults } from '../../src/workload/pod-defaults';
import { StatefulWorkload } from '../../src/workload/stateful-workload';
import { findOne, synthValid } from '../util/harness';

const RESTRICTED = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'v1.27',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/audit-version': 'latest',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/warn-version': 'latest',
};

/** A namespace `shop` in a chart of its own, and a chart for the workloads in it. */
function setup(): { app: App; namespaces: Chart; shop: Chart; namespace: kplus.Namespace } {
  const app = Testing.app();
  const namespaces = new Chart(app, 'namespaces');
  const shop = new Chart(app, 'shop', { namespace: 'shop' });
  const namespace = new kplus.Namespace(namespaces, 'shop', { metadata: { name: 'shop' } });
  return { app, namespaces, shop, namespace };
}

/** A cdk8s-plus Deployment as users write it: runs as a non-root user, nothing else hardened. */
function deployment(chart: Chart, id = 'web'): kplus.Deployment {
  return new kplus.Deployment(chart, id, {
    metadata: { name: id },
    containers: [{ name: 'web', image: 'docker.io/nginxinc/nginx-unprivileged:1.27', portNumber: 8080, securityContext: { user: 101, group: 101 } }],
  });
}

describe('PodSecurityAdmission', () => {
  test('defaults: restricted, enforced at v1.27, audited and warned at the latest version', () => {
    // GIVEN
    const { namespaces, namespace } = setup();

    // WHEN
    const labels = PodSecurityAdmission.apply(namespace);

    // THEN
    const manifests = synthValid(namespaces);
    expect(manifests).toMatchSnapshot();
    expect(findOne(manifests, 'Namespace', 'shop').metadata.labels).toEqual(RESTRICTED);
    expect(labels).toEqual(RESTRICTED);
  });

  test('all props', () => {
    // GIVEN
    const { namespaces, namespace } = setup();

    // WHEN
    PodSecurityAdmission.apply(namespace, {
      enforce: PodSecurityLevel.BASELINE,
      enforceVersion: PodSecurityVersion.of('v1.29'),
      audit: PodSecurityLevel.RESTRICTED,
      auditVersion: PodSecurityVersion.of('1.30'),
      warn: PodSecurityLevel.RESTRICTED,
      warnVersion: PodSecurityVersion.LATEST,
    });

    // THEN
    const manifests = synthValid(namespaces);
    expect(manifests).toMatchSnapshot();
    expect(findOne(manifests, 'Namespace', 'shop').metadata.labels).toEqual({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/enforce-version': 'v1.29',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': 'v1.30',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': 'latest',
    });
  });

  test('audit and warn follow the enforced level unless given', () => {
    expect(PodSecurityAdmission.labels({ enforce: PodSecurityLevel.PRIVILEGED })).toEqual({
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/enforce-version': 'v1.27',
      'pod-security.kubernetes.io/audit': 'privileged',
      'pod-security.kubernetes.io/audit-version': 'latest',
      'pod-security.kubernetes.io/warn': 'privileged',
      'pod-security.kubernetes.io/warn-version': 'latest',
    });
  });

  test('labels() for a namespace rendered another way, and the namespace\'s own labels kept', () => {
    const { namespaces } = setup();
    const other = new kplus.Namespace(namespaces, 'tools', { metadata: { name: 'tools', labels: { 'team': 'platform', 'pod-security.kubernetes.io/enforce': 'privileged' } } });
    PodSecurityAdmission.apply(other);
    expect(findOne(synthValid(namespaces), 'Namespace', 'tools').metadata.labels).toEqual({ team: 'platform', ...RESTRICTED });
    expect(PodSecurityAdmission.labels()).toEqual(RESTRICTED);
  });

  test('fails when a level is none of the three', () => {
    expect(() => PodSecurityAdmission.labels({ warn: 'strict' as PodSecurityLevel })).toThrow(
      'PodSecurityAdmission: invalid \'warn\': "strict". Must be one of ["privileged","baseline","restricted"]. Use PodSecurityLevel.RESTRICTED, BASELINE or PRIVILEGED for \'warn\'.');
  });

  describe('enforce restricted: the app\'s pods in the namespace are checked at synthesis', () => {
    test('fails for a workload the API server would refuse, naming it and what the profile forbids', () => {
      // GIVEN
      const { app, namespace, shop } = setup();
      PodSecurityAdmission.apply(namespace);

      // WHEN
      deployment(shop);

      // THEN
      expect(() => app.synth()).toThrow(
        "PodSecurityAdmission 'namespaces/shop': invalid 'enforce': \"restricted\". Every pod of namespace \"shop\" must meet the \"restricted\" profile, "
        + 'or the API server refuses it and Deployment "web" never gets its pods (FailedCreate): container "web": securityContext.capabilities.drop '
        + 'must include "ALL"; container "web": securityContext.seccompProfile.type must be RuntimeDefault or Localhost (set it here or in the pod '
        + 'securityContext). '
        + 'Harden the workload (PodDefaults.harden() for a cdk8s-plus workload; a StatefulWorkload is restricted unless \'restrictedPodSecurity\' '
        + 'is false), or enforce a lower level on this namespace (enforce: PodSecurityLevel.BASELINE).');
    });

    test('a hardened workload and a StatefulWorkload pass; pods of other namespaces are not this namespace\'s concern', () => {
      const { app, namespace, shop } = setup();
      PodSecurityAdmission.apply(namespace);
      PodDefaults.harden(deployment(shop));
      new StatefulWorkload(shop, 'db', {
        metadata: { name: 'db' },
        containers: [{ name: 'db', image: 'docker.io/library/postgres:16.4', portNumber: 5432, securityContext: { user: 999, group: 999 } }],
      });
      deployment(new Chart(app, 'elsewhere', { namespace: 'tools' }));
      expect(() => app.synth()).not.toThrow();
    });

    test('a lower enforced level is not checked', () => {
      const { app, namespace, shop } = setup();
      PodSecurityAdmission.apply(namespace, { enforce: PodSecurityLevel.BASELINE });
      deployment(shop);
      expect(() => app.synth()).not.toThrow();
    });

    test('a StatefulWorkload that opts out of the restricted profile in a restricted namespace fails', () => {
      const { app, namespace, shop } = setup();
      PodSecurityAdmission.apply(namespace);
      new StatefulWorkload(shop, 'db', {
        metadata: { name: 'db' },
        restrictedPodSecurity: false,
        containers: [{ name: 'db', image: 'docker.io/library/postgres:16.4', portNumber: 5432, securityContext: { user: 999, group: 999, privileged: true } }],
      });
      expect(() => app.synth()).toThrow(/Every pod of namespace "shop" must meet the "restricted" profile, or the API server refuses it and StatefulSet "db" never gets its pods/);
    });
  });
});

describe('PodSecurityVersion', () => {
  test.each<[string, string]>([['latest', 'latest'], ['v1.27', 'v1.27'], ['1.30', 'v1.30'], ['v1.0', 'v1.0']])('of(%p) is %p', (given, value) => {
    expect(PodSecurityVersion.of(given).value).toBe(value);
  });

  test('LATEST is one object', () => {
    expect(PodSecurityVersion.of('latest')).toBe(PodSecurityVersion.LATEST);
    expect(PodSecurityVersion.V1_27.value).toBe('v1.27');
  });

  test.each(['v2.0', '1.27.3', 'v1.027', 'Latest', '', 'v1.'])('fails on %p', version => {
    expect(() => PodSecurityVersion.of(version)).toThrow(
      `PodSecurityVersion.of(): invalid 'version': "${version}". Must be "latest" or a Kubernetes minor version such as "v1.27" (the admission controller refuses anything else in the label). Write the version as "v1.<minor>", or use PodSecurityVersion.LATEST.`);
  });
});
