import { Chart, Testing } from 'cdk8s';
import { IngressPeer, NetworkPolicies, StatefulWorkload } from '../../src';
import { findOne } from '../util/harness';

/** The `from` entry a peer renders, through the policy of a store that admits it. */
function rendered(peer: IngressPeer): any {
  const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
  const db = new StatefulWorkload(chart, 'db', {
    metadata: { name: 'db' },
    containers: [{ name: 'db', image: 'docker.io/library/postgres:16.4', portNumber: 5432, securityContext: { user: 999 } }],
  });
  NetworkPolicies.enable(db);
  NetworkPolicies.allowFrom(db, peer);
  const ingress = findOne(Testing.synth(chart), 'NetworkPolicy').spec.ingress;
  expect(ingress).toHaveLength(1);
  expect(ingress[0].ports).toEqual([{ protocol: 'TCP', port: 5432 }]);
  return ingress[0].from[0];
}

describe('IngressPeer', () => {
  test('podsWithLabels(): the pods of the store\'s namespace, labels in key order', () => {
    expect(rendered(IngressPeer.podsWithLabels({ role: 'admin', app: 'pgadmin' }))).toEqual({ podSelector: { matchLabels: { app: 'pgadmin', role: 'admin' } } });
    expect(Object.keys(rendered(IngressPeer.podsWithLabels({ role: 'admin', app: 'pgadmin' })).podSelector.matchLabels)).toEqual(['app', 'role']);
  });

  test('podsWithLabels() with namespaceName: the pods of that namespace, by its name label', () => {
    expect(rendered(IngressPeer.podsWithLabels({ app: 'pgadmin' }, { namespaceName: 'ops' }))).toEqual({
      podSelector: { matchLabels: { app: 'pgadmin' } },
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ops' } },
    });
  });

  test('namespaceNamed(): every pod of a namespace', () => {
    expect(rendered(IngressPeer.namespaceNamed('monitoring'))).toEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } });
  });

  test('namespacesWithLabels(): every pod of the namespaces with the labels', () => {
    expect(rendered(IngressPeer.namespacesWithLabels({ team: 'data' }))).toEqual({ namespaceSelector: { matchLabels: { team: 'data' } } });
  });

  test('ipBlock(): a range, with excluded ranges as except', () => {
    expect(rendered(IngressPeer.ipBlock('10.0.0.0/8'))).toEqual({ ipBlock: { cidr: '10.0.0.0/8' } });
    expect(rendered(IngressPeer.ipBlock('2001:db8::/32', ['2001:db8:1::/48']))).toEqual({ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } });
    expect(rendered(IngressPeer.ipBlock('10.0.0.0/8', []))).toEqual({ ipBlock: { cidr: '10.0.0.0/8' } });
  });

  describe('errors', () => {
    test.each([
      ['podsWithLabels without labels', () => IngressPeer.podsWithLabels({}), /IngressPeer.podsWithLabels\(\): invalid 'labels': \{\}\. Must hold at least one label/],
      ['podsWithLabels with a bad namespace', () => IngressPeer.podsWithLabels({ a: 'b' }, { namespaceName: 'Ops' }), /invalid 'options.namespaceName': "Ops"/],
      ['podsWithLabels with a bad label', () => IngressPeer.podsWithLabels({ 'a b': 'c' }), /IngressPeer.podsWithLabels\(\): invalid 'labels/],
      ['namespace with a bad name', () => IngressPeer.namespaceNamed('a_b'), /IngressPeer.namespaceNamed\(\): invalid 'name': "a_b"/],
      ['namespacesWithLabels without labels', () => IngressPeer.namespacesWithLabels({}), /Must hold at least one label: an empty selector admits every namespace/],
      ['ipBlock without prefix length', () => IngressPeer.ipBlock('10.0.0.1'), /IngressPeer.ipBlock\(\): invalid 'cidr': "10.0.0.1"\. Must be an IP range in CIDR notation.*"10.0.0.1\/32"/],
      ['ipBlock with an except of another family', () => IngressPeer.ipBlock('10.0.0.0/8', ['2001:db8::/32']), /invalid 'excluded\[0\]': "2001:db8::\/32"\. Must be an IP range in CIDR notation of the same family/],
    ])('fails when %s', (_name, make, message) => {
      expect(make).toThrow(message);
    });
  });
});
