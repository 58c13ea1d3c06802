import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { mountedObjectNamespaceError } from '../../../src/engines/private/preset-checks';

const WHERE = "Postgres 'shop/db'";

describe('mountedObjectNamespaceError', () => {
  const chart = (namespace?: string) => new Chart(Testing.app(), 'shop', { namespace });

  test('an imported object: its namespace is unknown, nothing to say', () => {
    expect(mountedObjectNamespaceError(WHERE, 'credentials', kplus.Secret.fromSecretName(chart('shop'), 's', 's'), 'shop')).toBeUndefined();
  });

  test('the same namespace, explicit or from the chart', () => {
    const c = chart('shop');
    expect(mountedObjectNamespaceError(WHERE, 'credentials', new kplus.Secret(c, 'a', { stringData: { k: 'v' } }), 'shop')).toBeUndefined();
    expect(mountedObjectNamespaceError(WHERE, 'credentials', new kplus.Secret(c, 'b', { metadata: { namespace: 'shop' } }), 'shop')).toBeUndefined();
    expect(mountedObjectNamespaceError(WHERE, 'credentials', new kplus.Secret(chart(), 'c'), undefined)).toBeUndefined();
  });

  test('an object without a namespace for pods with one: the fix is to set one', () => {
    const secret = new kplus.Secret(chart(), 's', { metadata: { name: 'creds' } });
    expect(mountedObjectNamespaceError(WHERE, 'credentials', secret, 'shop')).toBe(
      "Postgres 'shop/db': invalid 'credentials': \"Secret creds in (no namespace)\". Must be in the namespace of the store's pods, \"shop\": a pod reads "
      + 'Secrets of its own namespace only, so the pods would never start (CreateContainerConfigError). The Secret "creds" is rendered in the namespace '
      + 'it is applied to (none is set). Render the Secret in namespace "shop" (metadata.namespace, or its chart\'s), or move the store to the namespace '
      + 'it is applied to (none is set).');
  });

  test('pods without a namespace, an object with one', () => {
    const secret = new kplus.Secret(chart('vault'), 's', { metadata: { name: 'creds' } });
    expect(mountedObjectNamespaceError(WHERE, 'credentials', secret, undefined)).toBe(
      "Postgres 'shop/db': invalid 'credentials': \"Secret creds in vault\". Must be in the namespace of the store's pods, the namespace it is applied "
      + 'to (none is set): a pod reads Secrets of its own namespace only, so the pods would never start (CreateContainerConfigError). The Secret "creds" '
      + 'is rendered in "vault". Set the same namespace on the store and the Secret, or on their charts.');
  });
});
