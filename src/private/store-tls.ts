/**
 * The TLS settings a data store hands its consumers (`DataStoreTls`): checked once, where the store
 * takes them, and copied (getters return copies).
 */
import { isConfigMapKey } from './pod-rules';
import { fail, show } from './validation';
import type { DataStoreTls } from '../connection/data-store';

/** The variable a `DataStoreConnection` sets to the path of the mounted CA: `<PREFIX>_CA_FILE`. */
export const CA_FILE_VARIABLE = 'CA_FILE';

/**
 * Checks the TLS settings a store hands out (the Secret, `caKey`, the variable names and values)
 * and returns a copy with `caKey` defaulted and the variables in name order.
 *
 * @param where who complains
 * @param prop the prop holding the settings
 * @param tls the settings
 */
export function copyTls(where: string, prop: string, tls: DataStoreTls): DataStoreTls {
  if (!tls || typeof tls.caSecret !== 'object' || tls.caSecret === null) {
    throw fail(where, `${prop}.caSecret`, tls?.caSecret, 'Must be a Secret holding the CA certificate clients verify the server with',
      `Set '${prop}.caSecret' to the Secret, e.g. Secret.fromSecretName(scope, 'ca', 'db-ca')`);
  }
  const caKey = tls.caKey ?? 'ca.crt';
  if (!isConfigMapKey(caKey)) {
    throw fail(where, `${prop}.caKey`, caKey,
      'Must be a key of the Secret\'s data: 1 to 253 letters, digits, \'-\', \'_\' or \'.\', not "." or ".." nor starting with ".."',
      `Set '${prop}.caKey' to the key of the CA certificate in the Secret, such as "ca.crt"`);
  }
  const variables = Object.entries(tls.variables ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [variable, value] of variables) {
    if (!/^[A-Z0-9][A-Z0-9_]*$/.test(variable)) {
      throw fail(where, `${prop}.variables`, variable,
        'Must be the end of an environment variable name (<PREFIX>_<variable>): upper-case letters, digits and \'_\', starting with a letter or digit',
        'Name the variable such as "SSLMODE"');
    }
    if (['USERNAME', 'PASSWORD', CA_FILE_VARIABLE].includes(variable) || variable.startsWith('SERVICE_')) {
      throw fail(where, `${prop}.variables`, variable,
        `Must not be USERNAME, PASSWORD or ${CA_FILE_VARIABLE}, nor start with SERVICE_: a DataStoreConnection sets those itself`,
        'Name the variable differently, such as "SSLMODE"');
    }
    if (typeof value !== 'string' || value.length === 0 || /[\u0000-\u001f\u007f]/.test(value)) {
      throw fail(where, `${prop}.variables.${variable}`, value, 'Must be a non-empty string without control characters',
        `Set '${prop}.variables.${variable}' to a plain value such as ${show('verify-full')}`);
    }
  }
  return { caSecret: tls.caSecret, caKey, variables: Object.fromEntries(variables) };
}
