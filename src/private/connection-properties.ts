/**
 * Connection properties (`ConnectionProperties`): the plain values a store hands its consumers
 * next to its address, checked and turned into the ends of variable names.
 */
import { fail, show } from './validation';
import type { ConnectionProperties } from '../connection/data-store';

/** The end of a variable name `<PREFIX>_<variable>`, not one the connection sets itself. */
export function checkVariableName(where: string, prop: string, variable: string, examples: string[] = ['DATABASE', 'CA_BUNDLE']): void {
  if (!/^[A-Z0-9][A-Z0-9_]*$/.test(variable)) {
    const suggestion = variable.toUpperCase().replace(/[-.]/g, '_');
    throw fail(where, prop, variable,
      'Must be the end of an environment variable name (<PREFIX>_<variable>): upper-case letters, digits and \'_\', starting with a letter or digit',
      /^[A-Z0-9][A-Z0-9_]*$/.test(suggestion) ? `Name the variable ${show(suggestion)}` : `Name the variable such as ${examples.map(e => show(e)).join(' or ')}`);
  }
  if (variable === 'USERNAME' || variable === 'PASSWORD' || variable.startsWith('SERVICE_')) {
    throw fail(where, prop, variable,
      'Must not be USERNAME or PASSWORD or start with SERVICE_: a DataStoreConnection sets <PREFIX>_USERNAME and <PREFIX>_PASSWORD from '
      + '\'usernameKey\' and \'passwordKey\', and <PREFIX>_SERVICE_HOST, _SERVICE_PORT, _SERVICE_PORT_<NAME> and _SERVICE_SERVER_NAME from its ConfigMap',
      `Name the variable differently, such as ${show(examples[0])}; set the keys of the user name and the password with 'usernameKey' and 'passwordKey'`);
  }
}

/**
 * The variables connection properties give, `[end of the variable name, value, prop]`, in a fixed
 * order (database, local datacenter, then the extras by name); checked on the way, with errors
 * naming `prop`.
 */
export function connectionPropertyVariables(
  where: string, prop: string, properties: ConnectionProperties | undefined,
): Array<[string, string, string]> {
  if (properties === undefined) return [];
  const out: Array<[string, string, string]> = [];
  const plain = (name: string, variable: string, value: string | undefined) => {
    if (value === undefined) return;
    if (typeof value !== 'string' || value.length === 0 || /[\u0000-\u001f\u007f]/.test(value)) {
      throw fail(where, `${prop}.${name}`, value,
        'Must be a non-empty string without control characters (line breaks, tabs): consumers get it as an environment variable',
        `Set '${prop}.${name}' to the value clients use, or leave it out`);
    }
    out.push([variable, value, `${prop}.${name}`]);
  };
  plain('database', 'DATABASE', properties.database);
  plain('localDatacenter', 'LOCAL_DATACENTER', properties.localDatacenter);
  const extras = Object.entries(properties.extras ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [variable, value] of extras) {
    checkVariableName(where, `${prop}.extras`, variable, ['SSLMODE']);
    if (variable === 'DATABASE' || variable === 'LOCAL_DATACENTER') {
      throw fail(where, `${prop}.extras`, variable,
        `Must not be ${variable}: the typed property '${variable === 'DATABASE' ? 'database' : 'localDatacenter'}' gives <PREFIX>_${variable}`,
        `Set '${prop}.${variable === 'DATABASE' ? 'database' : 'localDatacenter'}' instead`);
    }
    if (typeof value !== 'string' || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(value)) {
      throw fail(where, `${prop}.extras.${variable}`, value, 'Must be a string without control characters other than tabs and line breaks',
        `Set '${prop}.extras.${variable}' to a plain value`);
    }
    out.push([variable, value, `${prop}.extras.${variable}`]);
  }
  return out;
}

/** A copy (getters return copies), or undefined. */
export function copyConnectionProperties(properties: ConnectionProperties | undefined): ConnectionProperties | undefined {
  if (properties === undefined) return undefined;
  return { ...properties, extras: properties.extras && { ...properties.extras } };
}
