import { Chart, Testing } from 'cdk8s';
import { NetworkPeer, NetworkPolicies, StatefulWorkload } from '../../src';
import { findOne } from '../util/harness';

/** The `from` entry a peer renders, through the policy of a store that admits it. */
function rendered(peer: NetworkPeer): any {
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

describe('NetworkPeer', () => {
  test('podsWithLabels(): the pods of the store\'s namespace, labels in key order', () => {
    expect(rendered(NetworkPeer.podsWithLabels({ role: 'admin', app: 'pgadmin' }))).toEqual({ podSelector: { matchLabels: { app: 'pgadmin', role: 'admin' } } });
    expect(Object.keys(rendered(NetworkPeer.podsWithLabels({ role: 'admin', app: 'pgadmin' })).podSelector.matchLabels)).toEqual(['app', 'role']);
  });

  test('podsWithLabels() with namespaceName: the pods of that namespace, by its name label', () => {
    expect(rendered(NetworkPeer.podsWithLabels({ app: 'pgadmin' }, { namespaceName: 'ops' }))).toEqual({
      podSelector: { matchLabels: { app: 'pgadmin' } },
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ops' } },
    });
  });

  test('namespaceNamed(): every pod of a namespace', () => {
    expect(rendered(NetworkPeer.namespaceNamed('monitoring'))).toEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } });
  });

  test('namespacesWithLabels(): every pod of the namespaces with the labels', () => {
    expect(rendered(NetworkPeer.namespacesWithLabels({ team: 'data' }))).toEqual({ namespaceSelector: { matchLabels: { team: 'data' } } });
  });

  test('ipBlock(): a range, with excluded ranges as except', () => {
    expect(rendered(NetworkPeer.ipBlock('10.0.0.0/8'))).toEqual({ ipBlock: { cidr: '10.0.0.0/8' } });
    expect(rendered(NetworkPeer.ipBlock('2001:db8::/32', ['2001:db8:1::/48']))).toEqual({ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } });
    expect(rendered(NetworkPeer.ipBlock('10.0.0.0/8', []))).toEqual({ ipBlock: { cidr: '10.0.0.0/8' } });
  });

  describe('errors', () => {
    test.each([
      ['podsWithLabels without labels', () => NetworkPeer.podsWithLabels({}), /NetworkPeer.podsWithLabels\(\): invalid 'labels': \{\}\. Must hold at least one label/],
      ['podsWithLabels with a bad namespace', () => NetworkPeer.podsWithLabels({ a: 'b' }, { namespaceName: 'Ops' }), /invalid 'options.namespaceName': "Ops"/],
      ['podsWithLabels with a bad label', () => NetworkPeer.podsWithLabels({ 'a b': 'c' }), /NetworkPeer.podsWithLabels\(\): invalid 'labels/],
      ['namespace with a bad name', () => NetworkPeer.namespaceNamed('a_b'), /NetworkPeer.namespaceNamed\(\): invalid 'name': "a_b"/],
      ['namespacesWithLabels without labels', () => NetworkPeer.namespacesWithLabels({}), /Must hold at least one label: an empty selector admits every namespace/],
      ['ipBlock without prefix length', () => NetworkPeer.ipBlock('10.0.0.1'), /NetworkPeer.ipBlock\(\): invalid 'cidr': "10.0.0.1"\. Must be an IP range in CIDR notation.*"10.0.0.1\/32"/],
      ['ipBlock with an except of another family', () => NetworkPeer.ipBlock('10.0.0.0/8', ['2001:db8::/32']), /invalid 'excluded\[0\]': "2001:db8::\/32"\. Must be an IP range in CIDR notation of the same family/],
    ])('fails when %s', (_name, make, message) => {
      expect(make).toThrow(message);
    });
  });
});
