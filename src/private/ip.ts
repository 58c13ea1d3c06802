/**
 * IP address and host name parsing for `ExternalService` and data store attributes.
 *
 * Node's `net.isIPv4`/`net.isIPv6` decide what is an address; everything else (canonical form,
 * reserved ranges, the mistakes people make when pasting addresses and names) is done here so the
 * messages can say exactly what is wrong.
 */
import * as net from 'net';

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

const DECIMAL_OCTET = /^(0|[1-9][0-9]{0,2})$/;

/**
 * Parses a single IPv4 or IPv6 address in its plain textual form. Returns `undefined` for anything
 * else, including CIDRs, ports, brackets, zones and IPv4 with leading zeros.
 */
export function parseIp(value: string): IpAddress | undefined {
  if (net.isIPv4(value)) {
    const parts = value.split('.');
    if (!parts.every(p => DECIMAL_OCTET.test(p))) return undefined;
    const bytes = parts.map(Number);
    return { family: 'IPv4', text: bytes.join('.'), bytes };
  }
  if (net.isIPv6(value) && !value.includes('%')) {
    const bytes = ipv6Bytes(value);
    if (!bytes) return undefined;
    return { family: 'IPv6', text: ipv6Text(bytes), bytes };
  }
  return undefined;
}

/** The 16 bytes of a valid IPv6 address (already checked by `net.isIPv6`). */
function ipv6Bytes(value: string): number[] | undefined {
  let text = value.toLowerCase();
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // an embedded IPv4 address (`::ffff:1.2.3.4`) is the last two groups
    const v4 = parseIp(last);
    if (!v4 || v4.family !== 'IPv4') return undefined;
    const hi = (v4.bytes[0] * 256 + v4.bytes[1]).toString(16);
    const lo = (v4.bytes[2] * 256 + v4.bytes[3]).toString(16);
    text = `${text.slice(0, lastColon + 1)}${hi}:${lo}`;
  }
  const parts = text.split('::');
  if (parts.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':').map(g => parseInt(g, 16)));
  const left = groups(parts[0]);
  const right = parts.length === 2 ? groups(parts[1]) : [];
  const zeros = parts.length === 2 ? 8 - left.length - right.length : 0;
  if (zeros < 0 || left.length + zeros + right.length !== 8) return undefined;
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

/**
 * Why an address cannot be an endpoint of a Service, or `undefined` when it can.
 *
 * The API server rejects unspecified, loopback and link-local addresses in Endpoints and
 * EndpointSlices; multicast and broadcast addresses cannot be connected to.
 */
export function reservedRange(ip: IpAddress): string | undefined {
  if (ip.family === 'IPv4') {
    if (inIpv4(ip, 0, 8)) return 'the unspecified range (0.0.0.0/8, ::)';
    if (inIpv4(ip, 127, 8)) return 'the loopback range (127.0.0.0/8, ::1)';
    if (inIpv4(ip, 169, 16, 254)) return 'the link-local range (169.254.0.0/16, fe80::/10)';
    if (inIpv4(ip, 224, 4)) return 'the multicast range (224.0.0.0/4, ff00::/8)';
    if (ip.text === '255.255.255.255') return 'the broadcast address (255.255.255.255)';
    return undefined;
  }
  const b = ip.bytes;
  const zerosBefore = (n: number) => b.slice(0, n).every(x => x === 0);
  if (zerosBefore(16)) return 'the unspecified range (0.0.0.0/8, ::)';
  if (zerosBefore(15) && b[15] === 1) return 'the loopback range (127.0.0.0/8, ::1)';
  if (b[0] === 0xfe && b[1] >= 0x80 && b[1] <= 0xbf) return 'the link-local range (169.254.0.0/16, fe80::/10)';
  if (b[0] === 0xff) return 'the multicast range (224.0.0.0/4, ff00::/8)';
  return undefined;
}

/** Whether an IPv6 address embeds an IPv4 address (`::ffff:a.b.c.d`), which the API server refuses in IPv6 slices. */
export function isIpv4Mapped(ip: IpAddress): boolean {
  return ip.family === 'IPv6' && ip.bytes.slice(0, 10).every(x => x === 0) && ip.bytes[10] === 0xff && ip.bytes[11] === 0xff;
}

/** The IPv4 address embedded in an IPv4-mapped IPv6 address. */
export function embeddedIpv4(ip: IpAddress): string {
  return ip.bytes.slice(12).join('.');
}

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The host of a URL, for a fix suggestion; `undefined` when the URL does not parse. */
function urlHost(value: string): string | undefined {
  try {
    const host = new URL(value).hostname;
    return host.replace(/^\[|\]$/g, '') || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why a string is not a single IP address an EndpointSlice can hold, or `undefined` when it is one.
 */
export function addressProblem(value: string): Problem | undefined {
  if (URL_LIKE.test(value)) {
    const host = urlHost(value);
    return {
      allowed: 'Must be a bare IP address, not a URL',
      fix: host ? `Use "${host}" and put the port in 'ports'` : 'Remove the scheme, port and path',
    };
  }
  if (value.includes('/')) {
    return {
      allowed: 'Must be a single IP address, not a range (CIDR)',
      fix: `List each address, e.g. "${value.split('/')[0]}"`,
    };
  }
  const bracketed = /^\[([^\]]*)\](?::(\d+))?$/.exec(value);
  if (bracketed) {
    return {
      allowed: 'Must be a bare IP address, without brackets or port',
      fix: `Use "${bracketed[1]}"${bracketed[2] ? ` and put port ${bracketed[2]} in 'ports'` : ''}`,
    };
  }
  const withPort = /^([0-9.]+):(\d+)$/.exec(value);
  if (withPort) {
    return {
      allowed: 'Must be a bare IP address, without a port',
      fix: `Use "${withPort[1]}" and put port ${withPort[2]} in 'ports'`,
    };
  }
  if (value.includes('%')) {
    return {
      allowed: 'Must be an IP address without a zone index: zones are local to one host',
      fix: `Use "${value.split('%')[0]}" if it is routable from the cluster`,
    };
  }
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(value) && value.split('.').some(p => p.length > 1 && p.startsWith('0'))) {
    return {
      allowed: 'Must be an IPv4 address without leading zeros: "010" is octal to some tools and decimal to others',
      fix: `Write it as "${value.split('.').map(p => String(Number(p))).join('.')}" if decimal was meant`,
    };
  }
  const ip = parseIp(value);
  if (!ip) {
    if (DNS1123_SUBDOMAIN.test(value.toLowerCase().replace(/\.$/, '')) && /[a-z]/i.test(value)) {
      return {
        allowed: 'Must be an IP address, not a DNS name',
        fix: `Use 'externalName: "${value}"' instead of 'addresses' for a DNS name`,
      };
    }
    return { allowed: 'Must be an IPv4 or IPv6 address', fix: 'Use an address such as "10.0.0.5" or "2001:db8::5"' };
  }
  if (isIpv4Mapped(ip)) {
    return {
      allowed: 'Must not be an IPv4-mapped IPv6 address: the API server refuses it in an IPv6 EndpointSlice',
      fix: `Use the IPv4 form "${embeddedIpv4(ip)}"`,
    };
  }
  const range = reservedRange(ip);
  if (range) {
    return {
      allowed: `May not be in ${range}: the API server refuses such endpoints, or nothing can connect to them`,
      fix: 'Use an address the cluster\'s nodes can route to',
    };
  }
  return undefined;
}

/**
 * Why a string is not a DNS name usable as a Service's `externalName` (or a store's host name),
 * or `undefined` when it is one. A trailing dot (fully qualified) is allowed.
 *
 * @param allowIp accept an IP address too (for host names that are only connected to)
 * @param ipFix the fix to suggest for an IP address when it is not allowed
 */
export function hostnameProblem(value: string, allowIp: boolean, ipFix: (ip: string) => string): Problem | undefined {
  if (value === '') {
    return { allowed: 'Must be a DNS name', fix: 'Set it to a name such as "db.example.com"' };
  }
  if (URL_LIKE.test(value)) {
    const host = urlHost(value);
    return {
      allowed: 'Must be a bare DNS name, not a URL',
      fix: host ? `Use "${host}" and put the port in 'ports'` : 'Remove the scheme, port and path',
    };
  }
  if (value.includes('/')) {
    return { allowed: 'Must be a bare DNS name, without a path', fix: `Use "${value.split('/')[0]}"` };
  }
  const bracketed = /^\[([^\]]*)\](?::(\d+))?$/.exec(value);
  const withPort = /^([^:]+):(\d+)$/.exec(value);
  const host = bracketed?.[1] ?? withPort?.[1] ?? value;
  if (net.isIPv4(host) || net.isIPv6(host)) {
    if (!allowIp) {
      return {
        allowed: 'Must be a DNS name, not an IP address: Kubernetes accepts a dotted IPv4 address in an ExternalName Service '
          + 'but treats it as a DNS name that never resolves (and rejects IPv6)',
        fix: ipFix(host),
      };
    }
    if (host !== value) {
      return { allowed: 'Must be a bare IP address or DNS name, without brackets or port', fix: `Use "${host}" and put the port in 'ports'` };
    }
    return addressProblem(value);
  }
  if (withPort) {
    return { allowed: 'Must be a bare DNS name, without a port', fix: `Use "${withPort[1]}" and put port ${withPort[2]} in 'ports'` };
  }
  const name = value.replace(/\.$/, '');
  if (name !== name.toLowerCase() && DNS1123_SUBDOMAIN.test(name.toLowerCase())) {
    return { allowed: 'Must be lower case: the API server rejects upper case DNS names', fix: `Use "${value.toLowerCase()}"` };
  }
  if (!DNS1123_SUBDOMAIN.test(name) || name.length > 253 || name.split('.').some(l => l.length > 63)) {
    return {
      allowed: 'Must be a DNS name: dot-separated labels of lower case letters, digits and \'-\', each at most 63 characters, 253 in all',
      fix: 'Use a name such as "db.example.com"',
    };
  }
  if (name === 'localhost' || name.endsWith('.localhost')) {
    return {
      allowed: 'May not be in the loopback range (127.0.0.0/8, ::1): "localhost" is each pod itself',
      fix: 'Use a name that resolves to the store from inside the cluster',
    };
  }
  return undefined;
}
