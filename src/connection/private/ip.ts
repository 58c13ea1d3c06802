/**
 * IP address and host name parsing for `ExternalService` and data store attributes.
 *
 * Node's `net.isIPv4`/`net.isIPv6` decide what is an address; everything else (canonical form,
 * reserved ranges, the mistakes people make when pasting addresses and names) is done here so the
 * messages can say exactly what is wrong. A fix never suggests a value that would itself be
 * refused.
 */
import * as net from 'net';
import { fail } from '../../private/validation';

/** `IPv4` or `IPv6`: the `addressType` of an EndpointSlice and a Service's `ipFamilies` entry. */
export type IpFamily = 'IPv4' | 'IPv6';

/** A parsed IP address. */
export interface IpAddress {
  /** `IPv4` or `IPv6`. */
  readonly family: IpFamily;
  /** The canonical text: dotted decimal, or RFC 5952 (lower case, shortest) for IPv6. */
  readonly text: string;
  /** The address bytes (4 or 16). */
  readonly bytes: number[];
}

/** Why a string is not usable as an address or a host name: what is allowed, and the fix. */
export interface Problem {
  readonly allowed: string;
  readonly fix: string;
}

/**
 * What a host name is for:
 * - `externalName`: the `externalName` of a Service, checked by the API server: a lower-case DNS
 *   name, never an IP address or `localhost`;
 * - `connect`: a name clients only connect to (or verify a certificate against), handed to them in
 *   a ConfigMap: a DNS name or an IP address, loopback and link-local included (a sidecar proxy on
 *   `127.0.0.1`, a node-local cache on `169.254.20.10`). Callers lower-case it first.
 */
export type HostUse = 'externalName' | 'connect';

/**
 * Parses a single IPv4 or IPv6 address in its plain textual form. Returns `undefined` for anything
 * else, including CIDRs, ports, brackets, zones and IPv4 with leading zeros.
 */
export function parseIp(value: string): IpAddress | undefined {
  if (net.isIPv4(value)) {
    // net.isIPv4 refuses leading zeros ("010.0.0.1") and octets above 255
    const bytes = value.split('.').map(Number);
    return { family: 'IPv4', text: bytes.join('.'), bytes };
  }
  if (net.isIPv6(value) && !value.includes('%')) {
    const bytes = ipv6Bytes(value);
    return { family: 'IPv6', text: ipv6Text(bytes), bytes };
  }
  return undefined;
}

/**
 * The 16 bytes of a valid IPv6 address without zone. `net.isIPv6` has already checked it: at most
 * one `::`, eight groups in all, an embedded IPv4 address only in the last 32 bits and itself valid.
 */
function ipv6Bytes(value: string): number[] {
  let text = value.toLowerCase();
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // an embedded IPv4 address (`::ffff:1.2.3.4`) is the last two groups
    const v4 = parseIp(last)!;
    const hi = (v4.bytes[0] * 256 + v4.bytes[1]).toString(16);
    const lo = (v4.bytes[2] * 256 + v4.bytes[3]).toString(16);
    text = `${text.slice(0, lastColon + 1)}${hi}:${lo}`;
  }
  const parts = text.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':').map(g => parseInt(g, 16)));
  const left = groups(parts[0]);
  const right = parts.length === 2 ? groups(parts[1]) : [];
  const zeros = parts.length === 2 ? 8 - left.length - right.length : 0;
  const words = [...left, ...new Array<number>(zeros).fill(0), ...right];
  return words.flatMap(w => [Math.floor(w / 256), w % 256]);
}

/** RFC 5952 text: lower case hex without leading zeros, the longest run of two or more zero groups as `::`. */
function ipv6Text(bytes: number[]): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(bytes[i] * 256 + bytes[i + 1]);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]) => ws.map(w => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

/** Whether an IPv4 address is in `<first>.<rest...>.0/<prefixBits>`. */
function inIpv4(ip: IpAddress, first: number, prefixBits: number, ...rest: number[]): boolean {
  const network = [first, ...rest, 0, 0, 0].slice(0, 4);
  const value = (b: number[]) => ((b[0] * 256 + b[1]) * 256 + b[2]) * 256 + b[3];
  const size = 2 ** (32 - prefixBits);
  return Math.floor(value(ip.bytes) / size) === Math.floor(value(network) / size);
}

/** A reserved range, as the complement of "may not be ...": `in the loopback range (...)`. */
type Range = 'unspecified' | 'loopback' | 'link-local' | 'multicast' | 'broadcast';

const RANGE_TEXT: { [range in Range]: string } = {
  'unspecified': 'in the unspecified range (0.0.0.0/8, ::)',
  'loopback': 'in the loopback range (127.0.0.0/8, ::1)',
  'link-local': 'in the link-local range (169.254.0.0/16, fe80::/10)',
  'multicast': 'in the multicast range (224.0.0.0/4, ff00::/8)',
  'broadcast': 'the broadcast address (255.255.255.255)',
};

function rangeOf(ip: IpAddress): Range | undefined {
  if (ip.family === 'IPv4') {
    if (inIpv4(ip, 0, 8)) return 'unspecified';
    if (inIpv4(ip, 127, 8)) return 'loopback';
    if (inIpv4(ip, 169, 16, 254)) return 'link-local';
    if (inIpv4(ip, 224, 4)) return 'multicast';
    if (ip.text === '255.255.255.255') return 'broadcast';
    return undefined;
  }
  const b = ip.bytes;
  const zerosBefore = (n: number) => b.slice(0, n).every(x => x === 0);
  if (zerosBefore(16)) return 'unspecified';
  if (zerosBefore(15) && b[15] === 1) return 'loopback';
  if (b[0] === 0xfe && b[1] >= 0x80 && b[1] <= 0xbf) return 'link-local';
  if (b[0] === 0xff) return 'multicast';
  return undefined;
}

/**
 * Why an address cannot be an endpoint of a Service, as what it may not be (`in the loopback range
 * (127.0.0.0/8, ::1)`, `the broadcast address (255.255.255.255)`), or `undefined` when it can.
 *
 * The API server rejects unspecified, loopback and link-local addresses in Endpoints and
 * EndpointSlices; multicast and broadcast addresses cannot be connected to.
 */
export function reservedRange(ip: IpAddress): string | undefined {
  const range = rangeOf(ip);
  return range ? RANGE_TEXT[range] : undefined;
}

/** Whether an IPv6 address embeds an IPv4 address (`::ffff:a.b.c.d`), which the API server refuses in IPv6 slices. */
export function isIpv4Mapped(ip: IpAddress): boolean {
  return ip.family === 'IPv6' && ip.bytes.slice(0, 10).every(x => x === 0) && ip.bytes[10] === 0xff && ip.bytes[11] === 0xff;
}

/** The IPv4 address embedded in an IPv4-mapped IPv6 address. */
export function embeddedIpv4(ip: IpAddress): string {
  return ip.bytes.slice(12).join('.');
}

/** `scheme://`, `scheme:/` (which URL parsers read as a URL too) or `//` (a scheme-relative URL). */
const URL_LIKE = /^([a-z][a-z0-9+.-]*:\/|\/\/)/i;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SCHEME = /^([a-z][a-z0-9+.-]*:\/{1,2}|\/\/)/i;

/**
 * The value with any user name and password (`user:secret@`) replaced by `***@`, so that error
 * messages never echo a credential. Everything up to the last `@` goes: a password may hold `@`
 * or `/` itself.
 */
export function redactUserinfo(value: string): string {
  const scheme = SCHEME.exec(value)?.[0] ?? '';
  const at = value.lastIndexOf('@');
  return at < scheme.length ? value : `${scheme}***@${value.slice(at + 1)}`;
}

/** The host and port of a URL; `undefined` when the URL does not parse or has no host. */
function urlParts(value: string): { host: string; port?: string } | undefined {
  try {
    const url = new URL(value.startsWith('//') ? `http:${value}` : value);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return host ? { host, port: url.port || undefined } : undefined;
  } catch {
    return undefined;
  }
}

/** ` and put port 5432 in 'ports'` for a valid port, ` and put the port in 'ports'` otherwise. */
function portClause(port: string | undefined): string {
  if (port === undefined) return '';
  const valid = /^[1-9][0-9]{0,4}$/.test(port) && Number(port) <= 65535;
  return valid ? ` and put port ${port} in 'ports'` : ' and put the port in \'ports\'';
}

/** The value without a trailing dot: the DNS root, which only a fully qualified name carries. */
export function withoutTrailingDot(name: string): string {
  return name.replace(/\.$/, '');
}

/** Whether a name reads as an IP address: its last label is all digits (`1.2.3`, `10.0.0.256`, `0x7f.0.0.1`). */
function numericLastLabel(name: string): boolean {
  const labels = withoutTrailingDot(name).split('.');
  return /^[0-9]+$/.test(labels[labels.length - 1]);
}

/**
 * The address an IP-ish string most likely means, in canonical form: without zone index, leading
 * zeros or IPv4 mapping. `undefined` when it is no IP address at all.
 */
function intendedAddress(value: string): { ip: IpAddress; guessed: boolean } | undefined {
  const noZone = value.includes(':') ? value.split('%')[0] : value;
  const decimal = /^\d{1,3}(\.\d{1,3}){3}$/.test(noZone) ? noZone.split('.').map(p => String(Number(p))).join('.') : noZone;
  const ip = parseIp(decimal);
  if (!ip) return undefined;
  const guessed = decimal !== noZone;
  return isIpv4Mapped(ip) ? { ip: parseIp(embeddedIpv4(ip))!, guessed } : { ip, guessed };
}

/** `Use "<candidate>"<tail>` when the candidate is valid, `fallback` otherwise. */
function suggest(candidate: string | undefined, valid: (c: string) => boolean, tail: string, fallback: string): string {
  return candidate !== undefined && candidate !== '' && valid(candidate) ? `Use "${candidate}"${tail}` : fallback;
}

const isAddress = (c: string) => addressProblem(c) === undefined;

/** Leading or trailing whitespace: suggests the trimmed value when `valid` accepts it. */
function whitespaceProblem(value: string, valid: (candidate: string) => boolean): Problem {
  return {
    allowed: 'Must not have leading or trailing whitespace',
    fix: suggest(value.trim(), valid, '', 'Remove the whitespace').replace(/^Use/, 'Remove the whitespace: use'),
  };
}

/**
 * Why a string is not a single IP address an EndpointSlice can hold, or `undefined` when it is one.
 */
export function addressProblem(value: string): Problem | undefined {
  if (value !== value.trim()) return whitespaceProblem(value, isAddress);
  if (URL_LIKE.test(value)) {
    const parts = urlParts(value);
    const host = parts?.host;
    const asName = host !== undefined && parseIp(host) === undefined && hostnameProblem(host, 'externalName') === undefined;
    return {
      allowed: 'Must be a bare IP address, not a URL',
      fix: asName
        ? `Use 'externalName: "${host}"' instead of 'addresses' for a DNS name${portClause(parts?.port)}`
        : suggest(host, isAddress, portClause(parts?.port), 'Remove the scheme, port and path, and use an address the cluster\'s nodes can route to'),
    };
  }
  if (value.includes('@')) {
    return {
      allowed: 'Must be a bare IP address, without user name or password',
      fix: suggest(value.slice(value.lastIndexOf('@') + 1), isAddress, ' and keep credentials in a Secret (\'credentials\')',
        'Remove the user name and password, and keep credentials in a Secret (\'credentials\')'),
    };
  }
  if (value.includes('/')) {
    const base = value.split('/')[0];
    return {
      allowed: 'Must be a single IP address, not a range (CIDR)',
      fix: isAddress(base) ? `List each address, e.g. "${base}"` : 'List each address the cluster\'s nodes can route to',
    };
  }
  const bracketed = /^\[([^\]]*)\](?::([0-9]*))?$/.exec(value);
  if (bracketed) {
    return {
      allowed: `Must be a bare IP address, without brackets${bracketed[2] !== undefined ? ' or port' : ''}`,
      fix: suggest(bracketed[1], isAddress, portClause(bracketed[2]), 'Remove the brackets and the port, and use an address the cluster\'s nodes can route to'),
    };
  }
  const withPort = /^([0-9.]+):([0-9]*)$/.exec(value);
  if (withPort) {
    return {
      allowed: 'Must be a bare IP address, without a port',
      fix: suggest(withPort[1], isAddress, portClause(withPort[2]), 'Remove the port, and use an address the cluster\'s nodes can route to'),
    };
  }
  if (value.includes('%')) {
    return {
      allowed: 'Must be an IP address without a zone index: zones are local to one host',
      fix: suggest(value.split('%')[0], isAddress, ' if it is routable from the cluster', 'Use an address the cluster\'s nodes can route to'),
    };
  }
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(value) && value.split('.').some(p => p.length > 1 && p.startsWith('0'))) {
    const decimal = value.split('.').map(p => String(Number(p))).join('.');
    return {
      allowed: 'Must be an IPv4 address without leading zeros: "010" is octal to some tools and decimal to others',
      fix: isAddress(decimal) ? `Write it as "${decimal}" if decimal was meant` : 'Write it in decimal without leading zeros, as an address the cluster\'s nodes can route to',
    };
  }
  const ip = parseIp(value);
  if (!ip) {
    const name = value.toLowerCase();
    if (/[a-z]/.test(name) && !numericLastLabel(name) && DNS1123_SUBDOMAIN.test(withoutTrailingDot(name))) {
      return {
        allowed: 'Must be an IP address, not a DNS name',
        fix: hostnameProblem(name, 'externalName') === undefined
          ? `Use 'externalName: "${name}"' instead of 'addresses' for a DNS name`
          : 'Use \'externalName\' instead of \'addresses\' for a DNS name',
      };
    }
    return { allowed: 'Must be an IPv4 or IPv6 address', fix: 'Use an address such as "10.0.0.5" or "2001:db8::5"' };
  }
  if (isIpv4Mapped(ip)) {
    const v4 = embeddedIpv4(ip);
    return {
      allowed: 'Must not be an IPv4-mapped IPv6 address: the API server refuses it in an IPv6 EndpointSlice',
      fix: isAddress(v4) ? `Use the IPv4 form "${v4}"` : 'Use an address the cluster\'s nodes can route to',
    };
  }
  const range = reservedRange(ip);
  if (range) {
    return {
      allowed: `May not be ${range}: the API server refuses such endpoints, or nothing can connect to them`,
      fix: 'Use an address the cluster\'s nodes can route to',
    };
  }
  return undefined;
}

/**
 * Why an IP address cannot be connected to by a client, or `undefined` when it can. Loopback and
 * link-local addresses are fine: the value only goes into a ConfigMap, and a pod reaches its own
 * sidecars on loopback.
 */
function connectAddressProblem(value: string): Problem | undefined {
  const connectable = (c: string) => connectAddressProblem(c) === undefined;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(value) && value.split('.').some(p => p.length > 1 && p.startsWith('0'))) {
    const decimal = value.split('.').map(p => String(Number(p))).join('.');
    return {
      allowed: 'Must be an IPv4 address without leading zeros: "010" is octal to some tools and decimal to others',
      fix: connectable(decimal) ? `Write it as "${decimal}" if decimal was meant` : 'Write it in decimal without leading zeros',
    };
  }
  if (value.includes('%')) {
    return {
      allowed: 'Must be an IP address without a zone index: zones are local to one host',
      fix: suggest(value.split('%')[0], connectable, '', 'Remove the zone index'),
    };
  }
  const problem = addressProblem(value);
  if (!problem) return undefined;
  const ip = parseIp(value);
  if (!ip) return problem;
  if (isIpv4Mapped(ip)) {
    const v4 = embeddedIpv4(ip);
    return {
      allowed: 'Must not be an IPv4-mapped IPv6 address',
      fix: connectable(v4) ? `Use the IPv4 form "${v4}"` : 'Use an address clients can connect to',
    };
  }
  const range = rangeOf(ip);
  if (range === 'loopback' || range === 'link-local') return undefined;
  return {
    allowed: `May not be ${RANGE_TEXT[range!]}: nothing can connect to it`,
    fix: 'Use the address clients connect to',
  };
}

/**
 * Why a string is not a host name usable for `use`, or `undefined` when it is one. A trailing dot
 * (fully qualified) is allowed.
 */
export function hostnameProblem(value: string, use: HostUse): Problem | undefined {
  const allowIp = use === 'connect';
  const valid = (c: string) => hostnameProblem(c, use) === undefined;
  const what = allowIp ? 'DNS name or IP address' : 'DNS name';
  if (value === '') {
    return { allowed: `Must be a ${what}`, fix: 'Set it to a name such as "db.example.com"' };
  }
  if (value !== value.trim()) return whitespaceProblem(value, valid);
  if (URL_LIKE.test(value)) {
    const parts = urlParts(value);
    return {
      allowed: `Must be a bare ${what}, not a URL`,
      fix: parts && !allowIp && intendedAddress(parts.host)
        ? ipAsExternalName(parts.host, portClause(parts.port)).fix
        : suggest(parts?.host, valid, portClause(parts?.port), 'Remove the scheme, port and path'),
    };
  }
  if (value.includes('@')) {
    return {
      allowed: `Must be a bare ${what}, without user name or password`,
      fix: suggest(value.slice(value.lastIndexOf('@') + 1), valid, ' and keep credentials in a Secret (\'credentials\')',
        'Remove the user name and password, and keep credentials in a Secret (\'credentials\')'),
    };
  }
  if (value.includes('/')) {
    const host = value.split('/')[0];
    if (host === '') {
      return { allowed: `Must be a ${what}, not a path`, fix: 'Clients connect over the network: use the store\'s host name' };
    }
    return { allowed: `Must be a bare ${what}, without a path`, fix: suggest(host, valid, '', 'Remove the path') };
  }
  const bracketed = /^\[([^\]]*)\](?::([0-9]*))?$/.exec(value);
  const withPort = bracketed ? null : /^([^:]+):([0-9]*)$/.exec(value);
  const host = bracketed?.[1] ?? withPort?.[1] ?? value;
  const port = bracketed?.[2] ?? withPort?.[2];
  const ipLike = net.isIPv4(host) || net.isIPv6(host) || intendedAddress(host) !== undefined || numericLastLabel(host);
  if (ipLike && !allowIp) {
    return ipAsExternalName(host, portClause(port));
  }
  if (ipLike) {
    if (host !== value) {
      return {
        allowed: `Must be a bare ${what}, without ${bracketed ? 'brackets or port' : 'a port'}`,
        fix: suggest(host, valid, portClause(port), 'Remove the brackets and the port'),
      };
    }
    if (intendedAddress(host) === undefined && numericLastLabel(host)) {
      return {
        allowed: `Must be a DNS name or an IP address: "${host}" looks like an IP address (its last label is all digits) but is not one`,
        fix: 'Use a complete address such as "10.0.0.5", or a DNS name',
      };
    }
    return connectAddressProblem(host);
  }
  if (withPort) {
    return { allowed: `Must be a bare ${what}, without a port`, fix: suggest(host, valid, portClause(port), 'Remove the port') };
  }
  const name = withoutTrailingDot(value);
  if (name !== name.toLowerCase() && DNS1123_SUBDOMAIN.test(name.toLowerCase())) {
    return { allowed: 'Must be lower case: the API server rejects upper case DNS names', fix: `Use "${value.toLowerCase()}"` };
  }
  if (!DNS1123_SUBDOMAIN.test(name) || name.length > 253 || name.split('.').some(l => l.length > 63)) {
    return {
      allowed: 'Must be a DNS name: dot-separated labels of lower case letters, digits and \'-\', each at most 63 characters, 253 in all',
      fix: 'Use a name such as "db.example.com"',
    };
  }
  if (!allowIp && (name === 'localhost' || name.endsWith('.localhost'))) {
    return {
      allowed: 'May not be in the loopback range (127.0.0.0/8, ::1): "localhost" is each pod itself',
      fix: 'Use a name that resolves to the store from inside the cluster',
    };
  }
  return undefined;
}

/**
 * The problem of an IP address (or something that reads as one) given as `externalName`. The
 * address is checked first: `addresses` is suggested only with an address it accepts.
 */
function ipAsExternalName(host: string, portTail: string): Problem {
  const intended = intendedAddress(host);
  if (!intended) {
    return {
      allowed: `Must be a DNS name: the last label of "${host}" is all digits, so it reads as an IP address (no top-level domain is numeric) `
        + 'and never resolves',
      fix: 'Use the store\'s DNS name, or \'addresses\' with its complete IP address',
    };
  }
  const allowed = 'Must be a DNS name, not an IP address: Kubernetes accepts a dotted IPv4 address in an ExternalName Service '
    + 'but treats it as a DNS name that never resolves (and rejects IPv6)';
  const range = reservedRange(intended.ip);
  if (range) {
    return {
      allowed,
      fix: `Use a DNS name that resolves to the store from inside the cluster: 'addresses' refuses "${intended.ip.text}" too, as it is ${range}`,
    };
  }
  return {
    allowed,
    fix: `Use 'addresses: ["${intended.ip.text}"]' instead of 'externalName' for an IP address${portTail}${intended.guessed ? ' (if decimal was meant)' : ''}`,
  };
}

/**
 * Throws the library's error for a host name that is not usable for `use`. The value is shown
 * with any user name and password redacted.
 */
export function checkHostname(where: string, prop: string, value: string, use: HostUse): void {
  const problem = hostnameProblem(value, use);
  if (problem) throw fail(where, prop, redactUserinfo(value), problem.allowed, problem.fix);
}
