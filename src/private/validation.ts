/**
 * Synth-time input checks shared by every construct.
 *
 * Message convention (pinned by tests): `<Construct> '<path>': invalid '<prop>': <value>. <what is allowed>. <how to fix>.`
 * Use `fail()` to build it so every message reads the same way; `failWithoutValue()` when there is
 * no single value to show (a violation found in a rendered pod spec).
 */

/** Renders a value for an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * Builds the one error message shape this library uses.
 *
 * @param where who complains, e.g. `StatefulWorkload 'chart/db'`
 * @param prop the prop path, e.g. `replicas` or `volumeClaimTemplates[0].storage`
 * @param value what was received
 * @param allowed what is allowed
 * @param fix how to fix it
 */
export function fail(where: string, prop: string, value: unknown, allowed: string, fix: string): Error {
  return failWithoutValue(where, prop, show(value), allowed, fix);
}

/**
 * The same shape as `fail()`, with a description of what is wrong in place of the value:
 * `<Construct> '<path>': invalid '<prop>': <problem>. <what is allowed>. <how to fix>.`
 *
 * @param problem what is wrong, e.g. `container "db": securityContext.runAsUser must not be 0 (root)`
 */
export function failWithoutValue(where: string, prop: string, problem: string, allowed: string, fix: string): Error {
  return new Error(`${where}: invalid '${prop}': ${problem}. ${allowed}. ${fix}.`);
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** RFC 1123 label: lower case alphanumerics and '-', starts and ends alphanumeric, at most `maxLen` (63). */
export function checkDns1123Label(where: string, prop: string, value: string, maxLen = 63, why = ''): void {
  if (!DNS1123_LABEL.test(value) || value.length > maxLen) {
    throw fail(where, prop, value,
      `Must be a DNS-1123 label of at most ${maxLen} characters${why}: lower case letters, digits and '-', starting and ending with a letter or digit`,
      `Set '${prop}' to a name such as "my-name"`);
  }
}

/** RFC 1035 label (Service names): like a DNS-1123 label but must start with a letter. */
export function checkDns1035Label(where: string, prop: string, value: string, maxLen = 63): void {
  if (!DNS1035_LABEL.test(value) || value.length > maxLen) {
    throw fail(where, prop, value,
      `Must be a DNS-1035 label of at most ${maxLen} characters: lower case letters, digits and '-', starting with a letter and ending with a letter or digit`,
      `Set '${prop}' to a name such as "my-service"`);
  }
}

/** RFC 1123 subdomain: dot-separated DNS-1123 labels, at most 253 characters. */
export function checkDns1123Subdomain(where: string, prop: string, value: string): void {
  if (!DNS1123_SUBDOMAIN.test(value) || value.length > 253) {
    throw fail(where, prop, value,
      'Must be a DNS-1123 subdomain of at most 253 characters: lower case letters, digits, \'-\' and \'.\'',
      `Set '${prop}' to a name such as "my-name" or "my.name"`);
  }
}

export function isDns1123Subdomain(value: string): boolean {
  return DNS1123_SUBDOMAIN.test(value) && value.length <= 253;
}

/** A whole number in [min, max]. */
export function checkInteger(where: string, prop: string, value: number | undefined, min: number, max = 2147483647): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === 2147483647 ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`;
    throw fail(where, prop, value, `Must be ${range}`, `Set '${prop}' to ${range}`);
  }
}

/** A TCP/UDP/SCTP port number. */
export function checkPort(where: string, prop: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw fail(where, prop, value, 'Must be an integer port number from 1 to 65535', `Set '${prop}' to a valid port`);
  }
}

/** Port names (IANA_SVC_NAME): at most 15 characters, lower case alphanumerics and '-', at least one letter, no '--'. */
export function checkPortName(where: string, prop: string, value: string): void {
  const ok = value.length <= 15
    && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value)
    && /[a-z]/.test(value)
    && !value.includes('--');
  if (!ok) {
    throw fail(where, prop, value,
      'Must be an IANA service name: at most 15 lower case letters, digits and \'-\', with at least one letter and no "--"',
      `Set '${prop}' to a name such as "http" or "postgres"`);
  }
}

/** Returns the values that occur more than once, in order of first repetition. */
export function duplicates<T>(values: T[]): T[] {
  const seen = new Set<T>();
  const dups = new Set<T>();
  for (const v of values) {
    if (seen.has(v)) dups.add(v);
    seen.add(v);
  }
  return [...dups];
}
