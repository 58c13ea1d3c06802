import {
  addressProblem, checkHostname, embeddedIpv4, hostnameProblem, IpAddress, isIpv4Mapped, parseIp, redactUserinfo,
  reservedRange, withoutTrailingDot,
} from '../../../src/connection/private/ip';

const ip = (value: string): IpAddress => {
  const parsed = parseIp(value);
  if (!parsed) throw new Error(`not an address: ${value}`);
  return parsed;
};

describe('parseIp: IPv4', () => {
  test.each([
    ['1.2.3.4', [1, 2, 3, 4]],
    ['0.0.0.0', [0, 0, 0, 0]],
    ['255.255.255.255', [255, 255, 255, 255]],
    ['10.0.0.5', [10, 0, 0, 5]],
  ])('%s is an IPv4 address', (input, bytes) => {
    expect(parseIp(input)).toEqual({ family: 'IPv4', text: input, bytes });
  });

  test.each([
    // leading zeros: octal to some tools, decimal to others
    '010.0.0.1', '1.2.3.04', '00.0.0.0',
    // out of range, too few or too many parts
    '256.1.1.1', '1.2.3', '1.2.3.4.5', '1.2.3.',
    // CIDRs, ports, brackets, whitespace, names
    '10.0.0.0/8', '1.2.3.4:80', '[1.2.3.4]', ' 1.2.3.4', 'db.example.com', '', '0x7f.0.0.1',
  ])('%s is not an address', input => {
    expect(parseIp(input)).toBeUndefined();
  });
});

describe('parseIp: IPv6', () => {
  test('bytes, big endian, two per group', () => {
    expect(parseIp('2001:db8:1234:5678:9abc:def0:ff:100')).toEqual({
      family: 'IPv6',
      text: '2001:db8:1234:5678:9abc:def0:ff:100',
      bytes: [0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x00, 0xff, 0x01, 0x00],
    });
    expect(ip('::1').bytes).toEqual([...new Array(15).fill(0), 1]);
    expect(ip('ffff::').bytes).toEqual([0xff, 0xff, ...new Array(14).fill(0)]);
  });

  test('an embedded IPv4 address is the last 32 bits', () => {
    expect(ip('::ffff:1.2.3.4').bytes).toEqual([...new Array(10).fill(0), 0xff, 0xff, 1, 2, 3, 4]);
    expect(ip('::ffff:255.254.253.252').bytes).toEqual([...new Array(10).fill(0), 0xff, 0xff, 255, 254, 253, 252]);
    expect(ip('1:2:3:4:5:6:10.0.0.1').bytes).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 10, 0, 0, 1]);
    expect(ip('::ffff:1.2.3.4').family).toBe('IPv6');
    // hex groups in the part before the address still count
    expect(ip('64:ff9b::192.0.2.33').text).toBe('64:ff9b::c000:221');
  });

  test.each([
    // a single zero group is written out, never compressed (RFC 5952 section 4.2.2)
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:db8::1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    // two or more zero groups are compressed
    ['2001:db8:0:0:1:1:1:1', '2001:db8::1:1:1:1'],
    ['0:0:1:2:3:4:5:6', '::1:2:3:4:5:6'],
    ['1:2:3:4:5:6:0:0', '1:2:3:4:5:6::'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    // the longest run wins; on a tie, the first (RFC 5952 section 4.2.3)
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['0:0:1:0:0:0:2:3', '0:0:1::2:3'],
    ['1:0:2:0:0:3:0:0', '1:0:2::3:0:0'],
    ['1:0:2:0:3:0:4:0', '1:0:2:0:3:0:4:0'],
    // lower case, no leading zeros (RFC 5952 sections 4.1 and 4.3)
    ['2001:DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['ABCD:EF01:0a0B:00c0:000D:E:F:10', 'abcd:ef01:a0b:c0:d:e:f:10'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['::', '::'],
    ['fe80::1', 'fe80::1'],
  ])('%s is written %s', (input, text) => {
    expect(parseIp(input)?.text).toBe(text);
  });

  test.each([
    'fe80::1%eth0', '::%1', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::1',
    '::ffff:01.2.3.4', '::ffff:256.1.1.1', '1:2:3:4:5:6:7:1.2.3.4', '[::1]', '::1/128', '2001:db8::/32',
  ])('%s is not an address', input => {
    expect(parseIp(input)).toBeUndefined();
  });
});

describe('reservedRange', () => {
  test.each([
    // 0.0.0.0/8: "this network" (RFC 1122 section 3.2.1.3)
    ['0.0.0.0', 'in the unspecified range (0.0.0.0/8, ::)'],
    ['0.255.255.255', 'in the unspecified range (0.0.0.0/8, ::)'],
    ['1.0.0.0', undefined],
    // 127.0.0.0/8 (RFC 1122)
    ['126.255.255.255', undefined],
    ['127.0.0.0', 'in the loopback range (127.0.0.0/8, ::1)'],
    ['127.0.0.1', 'in the loopback range (127.0.0.0/8, ::1)'],
    ['127.255.255.255', 'in the loopback range (127.0.0.0/8, ::1)'],
    ['128.0.0.0', undefined],
    // 169.254.0.0/16 (RFC 3927)
    ['169.253.255.255', undefined],
    ['169.254.0.0', 'in the link-local range (169.254.0.0/16, fe80::/10)'],
    ['169.254.20.10', 'in the link-local range (169.254.0.0/16, fe80::/10)'],
    ['169.254.255.255', 'in the link-local range (169.254.0.0/16, fe80::/10)'],
    ['169.255.0.0', undefined],
    ['170.254.0.0', undefined],
    // 224.0.0.0/4 (RFC 5771)
    ['223.255.255.255', undefined],
    ['224.0.0.0', 'in the multicast range (224.0.0.0/4, ff00::/8)'],
    ['239.255.255.255', 'in the multicast range (224.0.0.0/4, ff00::/8)'],
    ['240.0.0.0', undefined],
    // limited broadcast (RFC 919)
    ['255.255.255.255', 'the broadcast address (255.255.255.255)'],
    ['255.255.255.254', undefined],
    ['10.0.0.5', undefined],
    ['192.168.1.1', undefined],
    // IPv6 (RFC 4291 section 2.4)
    ['::', 'in the unspecified range (0.0.0.0/8, ::)'],
    ['::1', 'in the loopback range (127.0.0.0/8, ::1)'],
    ['::2', undefined],
    ['::100', undefined],
    ['1::1', undefined],
    ['1::', undefined],
    ['::1:0:0:0', undefined],
    ['fe80::', 'in the link-local range (169.254.0.0/16, fe80::/10)'],
    ['fe80::1', 'in the link-local range (169.254.0.0/16, fe80::/10)'],
    ['febf:ffff::', 'in the link-local range (169.254.0.0/16, fe80::/10)'],
    ['fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff', undefined],
    ['fec0::', undefined],
    ['fd80::', undefined],
    ['ee80::', undefined],
    ['ff00::', 'in the multicast range (224.0.0.0/4, ff00::/8)'],
    ['ff02::1', 'in the multicast range (224.0.0.0/4, ff00::/8)'],
    ['feff::', undefined],
    ['2001:db8::5', undefined],
  ])('%s: %s', (input, range) => {
    expect(reservedRange(ip(input))).toBe(range);
  });
});

describe('isIpv4Mapped and embeddedIpv4', () => {
  test.each([
    ['::ffff:10.1.2.3', true],
    ['::ffff:0.0.0.0', true],
    ['::ffff:a01:203', true],
    ['::fffe:10.1.2.3', false],
    ['::ff:10.1.2.3', false],
    ['::ff00:10.1.2.3', false],
    ['::10.1.2.3', false],
    ['0:0:0:0:1:ffff:a01:203', false],
    ['1::ffff:a01:203', false],
    ['0:1::ffff:a01:203', false],
    ['0:0:0:1:0:ffff:a01:203', false],
    ['10.1.2.3', false],
    ['0.0.0.0', false],
  ])('%s: %s', (input, mapped) => {
    expect(isIpv4Mapped(ip(input))).toBe(mapped);
  });

  test('only an IPv6 address is mapped', () => {
    const bytes = [...new Array(10).fill(0), 0xff, 0xff, 1, 2, 3, 4];
    expect(isIpv4Mapped({ family: 'IPv4', text: '', bytes })).toBe(false);
    expect(isIpv4Mapped({ family: 'IPv6', text: '', bytes })).toBe(true);
  });

  test('the embedded address is the last 32 bits', () => {
    expect(embeddedIpv4(ip('::ffff:10.1.2.3'))).toBe('10.1.2.3');
    expect(embeddedIpv4(ip('::ffff:c000:221'))).toBe('192.0.2.33');
  });
});

describe('redactUserinfo', () => {
  test.each([
    ['user:secret@db.example.com', '***@db.example.com'],
    ['postgres://user:secret@db:5432/app', 'postgres://***@db:5432/app'],
    ['POSTGRES://user:secret@db', 'POSTGRES://***@db'],
    ['redis:/user@db', 'redis:/***@db'],
    ['//user:secret@db', '//***@db'],
    ['http://u:p@ss/w@rd@db', 'http://***@db'],
    ['a@b@c', '***@c'],
    ['@db', '***@db'],
    ['http://@db', 'http://***@db'],
    ['db.example.com', 'db.example.com'],
    ['postgres://db:5432/app', 'postgres://db:5432/app'],
    ['', ''],
  ])('%s is shown as %s', (input, shown) => {
    expect(redactUserinfo(input)).toBe(shown);
  });
});

describe('withoutTrailingDot', () => {
  test.each([
    ['db.example.com.', 'db.example.com'],
    ['db.example.com', 'db.example.com'],
    ['db..', 'db.'],
    ['.', ''],
    ['', ''],
  ])('%s: %s', (input, name) => {
    expect(withoutTrailingDot(input)).toBe(name);
  });
});

const ROUTE = 'Use an address the cluster\'s nodes can route to';

describe('addressProblem', () => {
  test.each([
    '10.0.0.5', '192.168.1.1', '2001:db8::5', '2001:DB8::5', '240.0.0.1', 'fec0::1', '8.8.8.8',
  ])('%s is an endpoint address', input => {
    expect(addressProblem(input)).toBeUndefined();
  });

  test.each([
    // whitespace
    [' 10.0.0.5', 'Must not have leading or trailing whitespace', 'Remove the whitespace: use "10.0.0.5"'],
    ['10.0.0.5\n', 'Must not have leading or trailing whitespace', 'Remove the whitespace: use "10.0.0.5"'],
    [' 127.0.0.1 ', 'Must not have leading or trailing whitespace', 'Remove the whitespace'],
    ['  ', 'Must not have leading or trailing whitespace', 'Remove the whitespace'],
    // URLs
    ['http://10.0.0.5:8080/x', 'Must be a bare IP address, not a URL', 'Use "10.0.0.5" and put port 8080 in \'ports\''],
    ['HTTP://10.0.0.5', 'Must be a bare IP address, not a URL', 'Use "10.0.0.5"'],
    ['http://10.0.0.5:80/', 'Must be a bare IP address, not a URL', 'Use "10.0.0.5"'],
    ['http://10.0.0.5:0', 'Must be a bare IP address, not a URL', 'Use "10.0.0.5" and put the port in \'ports\''],
    ['http://10.0.0.5:65535', 'Must be a bare IP address, not a URL', 'Use "10.0.0.5" and put port 65535 in \'ports\''],
    ['http://[2001:db8::5]:5432/', 'Must be a bare IP address, not a URL', 'Use "2001:db8::5" and put port 5432 in \'ports\''],
    ['//10.0.0.5', 'Must be a bare IP address, not a URL', 'Use "10.0.0.5"'],
    // a special scheme with one slash still has a host (WHATWG URL); any other scheme has a path
    ['http:/10.0.0.5', 'Must be a bare IP address, not a URL', 'Use "10.0.0.5"'],
    ['tcp:/10.0.0.5', 'Must be a bare IP address, not a URL', 'Remove the scheme, port and path, and use an address the cluster\'s nodes can route to'],
    ['http://127.0.0.1:5432', 'Must be a bare IP address, not a URL',
      'Remove the scheme, port and path, and use an address the cluster\'s nodes can route to'],
    ['http://', 'Must be a bare IP address, not a URL', 'Remove the scheme, port and path, and use an address the cluster\'s nodes can route to'],
    ['file:///x', 'Must be a bare IP address, not a URL', 'Remove the scheme, port and path, and use an address the cluster\'s nodes can route to'],
    ['http://db_1.example.com', 'Must be a bare IP address, not a URL',
      'Remove the scheme, port and path, and use an address the cluster\'s nodes can route to'],
    ['http://localhost', 'Must be a bare IP address, not a URL',
      'Remove the scheme, port and path, and use an address the cluster\'s nodes can route to'],
    ['http://DB.example.com:5432/app', 'Must be a bare IP address, not a URL',
      'Use \'externalName: "db.example.com"\' instead of \'addresses\' for a DNS name and put port 5432 in \'ports\''],
    ['postgres://db.example.com', 'Must be a bare IP address, not a URL',
      'Use \'externalName: "db.example.com"\' instead of \'addresses\' for a DNS name'],
    // credentials
    ['user:secret@10.0.0.5', 'Must be a bare IP address, without user name or password',
      'Use "10.0.0.5" and keep credentials in a Secret (\'credentials\')'],
    ['a@b@10.0.0.5', 'Must be a bare IP address, without user name or password',
      'Use "10.0.0.5" and keep credentials in a Secret (\'credentials\')'],
    ['user@127.0.0.1', 'Must be a bare IP address, without user name or password',
      'Remove the user name and password, and keep credentials in a Secret (\'credentials\')'],
    ['user@', 'Must be a bare IP address, without user name or password',
      'Remove the user name and password, and keep credentials in a Secret (\'credentials\')'],
    // CIDRs: /32 and /128 are still ranges to the API server
    ['10.0.0.0/24', 'Must be a single IP address, not a range (CIDR)', 'List each address, e.g. "10.0.0.0"'],
    ['10.0.0.5/32', 'Must be a single IP address, not a range (CIDR)', 'List each address, e.g. "10.0.0.5"'],
    ['2001:db8::5/128', 'Must be a single IP address, not a range (CIDR)', 'List each address, e.g. "2001:db8::5"'],
    ['127.0.0.0/8', 'Must be a single IP address, not a range (CIDR)', 'List each address the cluster\'s nodes can route to'],
    ['/32', 'Must be a single IP address, not a range (CIDR)', 'List each address the cluster\'s nodes can route to'],
    // brackets and ports
    ['[2001:db8::5]', 'Must be a bare IP address, without brackets', 'Use "2001:db8::5"'],
    ['[2001:db8::5]:5432', 'Must be a bare IP address, without brackets or port', 'Use "2001:db8::5" and put port 5432 in \'ports\''],
    ['[2001:db8::5]:65536', 'Must be a bare IP address, without brackets or port', 'Use "2001:db8::5" and put the port in \'ports\''],
    ['[2001:db8::5]:99999', 'Must be a bare IP address, without brackets or port', 'Use "2001:db8::5" and put the port in \'ports\''],
    ['[2001:db8::5]:123456', 'Must be a bare IP address, without brackets or port', 'Use "2001:db8::5" and put the port in \'ports\''],
    ['[2001:db8::5]:05432', 'Must be a bare IP address, without brackets or port', 'Use "2001:db8::5" and put the port in \'ports\''],
    ['[2001:db8::5]:1', 'Must be a bare IP address, without brackets or port', 'Use "2001:db8::5" and put port 1 in \'ports\''],
    ['[2001:db8::5]:', 'Must be a bare IP address, without brackets or port', 'Use "2001:db8::5" and put the port in \'ports\''],
    ['[::1]:5432', 'Must be a bare IP address, without brackets or port',
      'Remove the brackets and the port, and use an address the cluster\'s nodes can route to'],
    ['[]', 'Must be a bare IP address, without brackets',
      'Remove the brackets and the port, and use an address the cluster\'s nodes can route to'],
    ['10.0.0.5:5432', 'Must be a bare IP address, without a port', 'Use "10.0.0.5" and put port 5432 in \'ports\''],
    ['10.0.0.5:', 'Must be a bare IP address, without a port', 'Use "10.0.0.5" and put the port in \'ports\''],
    ['127.0.0.1:5432', 'Must be a bare IP address, without a port', 'Remove the port, and use an address the cluster\'s nodes can route to'],
    // zones
    ['2001:db8::5%eth0', 'Must be an IP address without a zone index: zones are local to one host',
      'Use "2001:db8::5" if it is routable from the cluster'],
    ['fe80::1%eth0', 'Must be an IP address without a zone index: zones are local to one host', ROUTE],
    ['%eth0', 'Must be an IP address without a zone index: zones are local to one host', ROUTE],
    // leading zeros
    ['010.0.0.5', 'Must be an IPv4 address without leading zeros: "010" is octal to some tools and decimal to others',
      'Write it as "10.0.0.5" if decimal was meant'],
    ['10.0.0.05', 'Must be an IPv4 address without leading zeros: "010" is octal to some tools and decimal to others',
      'Write it as "10.0.0.5" if decimal was meant'],
    ['127.0.0.01', 'Must be an IPv4 address without leading zeros: "010" is octal to some tools and decimal to others',
      'Write it in decimal without leading zeros, as an address the cluster\'s nodes can route to'],
    // DNS names
    ['db.example.com', 'Must be an IP address, not a DNS name', 'Use \'externalName: "db.example.com"\' instead of \'addresses\' for a DNS name'],
    ['DB.Example.com', 'Must be an IP address, not a DNS name', 'Use \'externalName: "db.example.com"\' instead of \'addresses\' for a DNS name'],
    ['db.example.com.', 'Must be an IP address, not a DNS name', 'Use \'externalName: "db.example.com."\' instead of \'addresses\' for a DNS name'],
    ['db', 'Must be an IP address, not a DNS name', 'Use \'externalName: "db"\' instead of \'addresses\' for a DNS name'],
    ['localhost', 'Must be an IP address, not a DNS name', 'Use \'externalName\' instead of \'addresses\' for a DNS name'],
    // neither address nor name
    ['1.2.3', 'Must be an IPv4 or IPv6 address', 'Use an address such as "10.0.0.5" or "2001:db8::5"'],
    ['a.1', 'Must be an IPv4 or IPv6 address', 'Use an address such as "10.0.0.5" or "2001:db8::5"'],
    ['10.0.0.256', 'Must be an IPv4 or IPv6 address', 'Use an address such as "10.0.0.5" or "2001:db8::5"'],
    ['12345', 'Must be an IPv4 or IPv6 address', 'Use an address such as "10.0.0.5" or "2001:db8::5"'],
    ['db_1', 'Must be an IPv4 or IPv6 address', 'Use an address such as "10.0.0.5" or "2001:db8::5"'],
    ['db-', 'Must be an IPv4 or IPv6 address', 'Use an address such as "10.0.0.5" or "2001:db8::5"'],
    ['', 'Must be an IPv4 or IPv6 address', 'Use an address such as "10.0.0.5" or "2001:db8::5"'],
    // IPv4-mapped
    ['::ffff:10.0.0.5', 'Must not be an IPv4-mapped IPv6 address: the API server refuses it in an IPv6 EndpointSlice',
      'Use the IPv4 form "10.0.0.5"'],
    ['::ffff:127.0.0.1', 'Must not be an IPv4-mapped IPv6 address: the API server refuses it in an IPv6 EndpointSlice', ROUTE],
    // reserved ranges
    ['127.0.0.1', 'May not be in the loopback range (127.0.0.0/8, ::1): the API server refuses such endpoints, or nothing can connect to them', ROUTE],
    ['0.0.0.0', 'May not be in the unspecified range (0.0.0.0/8, ::): the API server refuses such endpoints, or nothing can connect to them', ROUTE],
    ['::', 'May not be in the unspecified range (0.0.0.0/8, ::): the API server refuses such endpoints, or nothing can connect to them', ROUTE],
    ['fe80::1', 'May not be in the link-local range (169.254.0.0/16, fe80::/10): the API server refuses such endpoints, or nothing can connect to them', ROUTE],
    ['224.0.0.1', 'May not be in the multicast range (224.0.0.0/4, ff00::/8): the API server refuses such endpoints, or nothing can connect to them', ROUTE],
    ['255.255.255.255', 'May not be the broadcast address (255.255.255.255): the API server refuses such endpoints, or nothing can connect to them', ROUTE],
  ])('%j: %s. %s', (input, allowed, fix) => {
    expect(addressProblem(input)).toEqual({ allowed, fix });
  });
});

const IP_AS_NAME = 'Must be a DNS name, not an IP address: Kubernetes accepts a dotted IPv4 address in an ExternalName Service '
  + 'but treats it as a DNS name that never resolves (and rejects IPv6)';
const DNS = 'Must be a DNS name: dot-separated labels of lower case letters, digits and \'-\', each at most 63 characters, 253 in all';
const CREDENTIALS = ' and keep credentials in a Secret (\'credentials\')';

describe('hostnameProblem: externalName', () => {
  const label63 = 'a'.repeat(63);
  test.each([
    'db.example.com', 'db.example.com.', 'db', 'my-db.example.com', '1db.example.com', 'db.1a', 'mylocalhost', 'localhost.example.com',
    label63, `${label63}.com`,
    // 253 characters in all, without the trailing dot
    `${label63}.${label63}.${label63}.${'a'.repeat(61)}`,
    `${label63}.${label63}.${label63}.${'a'.repeat(61)}.`,
  ])('%s is a DNS name', input => {
    expect(hostnameProblem(input, 'externalName')).toBeUndefined();
  });

  test.each([
    ['', 'Must be a DNS name', 'Set it to a name such as "db.example.com"'],
    [' db.example.com', 'Must not have leading or trailing whitespace', 'Remove the whitespace: use "db.example.com"'],
    [' localhost', 'Must not have leading or trailing whitespace', 'Remove the whitespace'],
    // URLs
    ['postgres://db.example.com:5432/app', 'Must be a bare DNS name, not a URL', 'Use "db.example.com" and put port 5432 in \'ports\''],
    ['http://DB.example.com', 'Must be a bare DNS name, not a URL', 'Use "db.example.com"'],
    ['http://localhost:5432', 'Must be a bare DNS name, not a URL', 'Remove the scheme, port and path'],
    ['http://', 'Must be a bare DNS name, not a URL', 'Remove the scheme, port and path'],
    ['http://10.0.0.5:5432/app', 'Must be a bare DNS name, not a URL',
      'Use \'addresses: ["10.0.0.5"]\' instead of \'externalName\' for an IP address and put port 5432 in \'ports\''],
    ['http://[2001:db8::5]/', 'Must be a bare DNS name, not a URL',
      'Use \'addresses: ["2001:db8::5"]\' instead of \'externalName\' for an IP address'],
    // credentials
    ['user:secret@db.example.com', 'Must be a bare DNS name, without user name or password', `Use "db.example.com"${CREDENTIALS}`],
    ['user:secret@', 'Must be a bare DNS name, without user name or password',
      'Remove the user name and password, and keep credentials in a Secret (\'credentials\')'],
    // paths
    ['/var/run/postgresql', 'Must be a DNS name, not a path', 'Clients connect over the network: use the store\'s host name'],
    ['db.example.com/app', 'Must be a bare DNS name, without a path', 'Use "db.example.com"'],
    ['DB/app', 'Must be a bare DNS name, without a path', 'Remove the path'],
    // ports
    ['db.example.com:5432', 'Must be a bare DNS name, without a port', 'Use "db.example.com" and put port 5432 in \'ports\''],
    ['db.example.com:', 'Must be a bare DNS name, without a port', 'Use "db.example.com" and put the port in \'ports\''],
    ['db_1:5432', 'Must be a bare DNS name, without a port', 'Remove the port'],
    // IP addresses
    ['10.0.0.5', IP_AS_NAME, 'Use \'addresses: ["10.0.0.5"]\' instead of \'externalName\' for an IP address'],
    ['10.0.0.5:5432', IP_AS_NAME, 'Use \'addresses: ["10.0.0.5"]\' instead of \'externalName\' for an IP address and put port 5432 in \'ports\''],
    ['010.0.0.5', IP_AS_NAME, 'Use \'addresses: ["10.0.0.5"]\' instead of \'externalName\' for an IP address (if decimal was meant)'],
    ['2001:DB8::5', IP_AS_NAME, 'Use \'addresses: ["2001:db8::5"]\' instead of \'externalName\' for an IP address'],
    ['[2001:db8::5]:5432', IP_AS_NAME,
      'Use \'addresses: ["2001:db8::5"]\' instead of \'externalName\' for an IP address and put port 5432 in \'ports\''],
    ['::ffff:10.0.0.5', IP_AS_NAME, 'Use \'addresses: ["10.0.0.5"]\' instead of \'externalName\' for an IP address'],
    ['127.0.0.1', IP_AS_NAME,
      'Use a DNS name that resolves to the store from inside the cluster: \'addresses\' refuses "127.0.0.1" too, as it is in the loopback range (127.0.0.0/8, ::1)'],
    ['fe80::1%eth0', IP_AS_NAME,
      'Use a DNS name that resolves to the store from inside the cluster: \'addresses\' refuses "fe80::1" too, as it is in the link-local range (169.254.0.0/16, fe80::/10)'],
    ['2001:db8::5%eth0', IP_AS_NAME, 'Use \'addresses: ["2001:db8::5"]\' instead of \'externalName\' for an IP address'],
    // the last label is all digits: no top-level domain is numeric
    ['1.2.3', 'Must be a DNS name: the last label of "1.2.3" is all digits, so it reads as an IP address (no top-level domain is numeric) and never resolves',
      'Use the store\'s DNS name, or \'addresses\' with its complete IP address'],
    ['db.example.123.', 'Must be a DNS name: the last label of "db.example.123." is all digits, so it reads as an IP address (no top-level domain is numeric) and never resolves',
      'Use the store\'s DNS name, or \'addresses\' with its complete IP address'],
    ['10.0.0.256', 'Must be a DNS name: the last label of "10.0.0.256" is all digits, so it reads as an IP address (no top-level domain is numeric) and never resolves',
      'Use the store\'s DNS name, or \'addresses\' with its complete IP address'],
    // case, syntax and lengths (RFC 1123 subdomain, as the API server checks it)
    ['DB.Example.com', 'Must be lower case: the API server rejects upper case DNS names', 'Use "db.example.com"'],
    ['DB.example.com.', 'Must be lower case: the API server rejects upper case DNS names', 'Use "db.example.com."'],
    ['DB_1', DNS, 'Use a name such as "db.example.com"'],
    ['db_1', DNS, 'Use a name such as "db.example.com"'],
    ['-db', DNS, 'Use a name such as "db.example.com"'],
    ['db..example.com', DNS, 'Use a name such as "db.example.com"'],
    ['db.example.com..', DNS, 'Use a name such as "db.example.com"'],
    [`${'a'.repeat(64)}.com`, DNS, 'Use a name such as "db.example.com"'],
    [`db.${'a'.repeat(64)}`, DNS, 'Use a name such as "db.example.com"'],
    [`${label63}.${label63}.${label63}.${'a'.repeat(62)}`, DNS, 'Use a name such as "db.example.com"'],
    // localhost is each pod itself
    ['localhost', 'May not be in the loopback range (127.0.0.0/8, ::1): "localhost" is each pod itself',
      'Use a name that resolves to the store from inside the cluster'],
    ['localhost.', 'May not be in the loopback range (127.0.0.0/8, ::1): "localhost" is each pod itself',
      'Use a name that resolves to the store from inside the cluster'],
    ['db.localhost', 'May not be in the loopback range (127.0.0.0/8, ::1): "localhost" is each pod itself',
      'Use a name that resolves to the store from inside the cluster'],
  ])('%j: %s. %s', (input, allowed, fix) => {
    expect(hostnameProblem(input, 'externalName')).toEqual({ allowed, fix });
  });
});

describe('hostnameProblem: connect', () => {
  test.each([
    'db.example.com', 'db.example.com.', 'localhost', 'db.localhost', '10.0.0.5', '127.0.0.1', '169.254.20.10', '::1', 'fe80::1',
    '2001:db8::5', '192.168.1.1',
  ])('%s can be connected to', input => {
    expect(hostnameProblem(input, 'connect')).toBeUndefined();
  });

  const NUMERIC = (host: string) => `Must be a DNS name or an IP address: "${host}" looks like an IP address (its last label is all digits) but is not one`;
  test.each([
    ['', 'Must be a DNS name or IP address', 'Set it to a name such as "db.example.com"'],
    ['127.0.0.1 ', 'Must not have leading or trailing whitespace', 'Remove the whitespace: use "127.0.0.1"'],
    ['http://[::1]:5432/', 'Must be a bare DNS name or IP address, not a URL', 'Use "::1" and put port 5432 in \'ports\''],
    ['http://10.0.0.5', 'Must be a bare DNS name or IP address, not a URL', 'Use "10.0.0.5"'],
    ['http://0.0.0.0', 'Must be a bare DNS name or IP address, not a URL', 'Remove the scheme, port and path'],
    ['user@10.0.0.5', 'Must be a bare DNS name or IP address, without user name or password', `Use "10.0.0.5"${CREDENTIALS}`],
    ['/tmp/.s.PGSQL.5432', 'Must be a DNS name or IP address, not a path', 'Clients connect over the network: use the store\'s host name'],
    ['10.0.0.5/32', 'Must be a bare DNS name or IP address, without a path', 'Use "10.0.0.5"'],
    ['10.0.0.5:5432', 'Must be a bare DNS name or IP address, without a port', 'Use "10.0.0.5" and put port 5432 in \'ports\''],
    ['0.0.0.0:5432', 'Must be a bare DNS name or IP address, without a port', 'Remove the brackets and the port'],
    ['[::1]:5432', 'Must be a bare DNS name or IP address, without brackets or port', 'Use "::1" and put port 5432 in \'ports\''],
    ['[::1]', 'Must be a bare DNS name or IP address, without brackets or port', 'Use "::1"'],
    ['db.example.com:5432', 'Must be a bare DNS name or IP address, without a port', 'Use "db.example.com" and put port 5432 in \'ports\''],
    ['1.2.3', NUMERIC('1.2.3'), 'Use a complete address such as "10.0.0.5", or a DNS name'],
    ['10.0.0.256', NUMERIC('10.0.0.256'), 'Use a complete address such as "10.0.0.5", or a DNS name'],
    ['010.0.0.5', 'Must be an IPv4 address without leading zeros: "010" is octal to some tools and decimal to others',
      'Write it as "10.0.0.5" if decimal was meant'],
    ['127.000.000.001', 'Must be an IPv4 address without leading zeros: "010" is octal to some tools and decimal to others',
      'Write it as "127.0.0.1" if decimal was meant'],
    ['000.0.0.0', 'Must be an IPv4 address without leading zeros: "010" is octal to some tools and decimal to others',
      'Write it in decimal without leading zeros'],
    ['fe80::1%eth0', 'Must be an IP address without a zone index: zones are local to one host', 'Use "fe80::1"'],
    ['::%eth0', 'Must be an IP address without a zone index: zones are local to one host', 'Remove the zone index'],
    ['::ffff:10.0.0.5', 'Must not be an IPv4-mapped IPv6 address', 'Use the IPv4 form "10.0.0.5"'],
    ['::ffff:127.0.0.1', 'Must not be an IPv4-mapped IPv6 address', 'Use the IPv4 form "127.0.0.1"'],
    ['::ffff:0.0.0.0', 'Must not be an IPv4-mapped IPv6 address', 'Use an address clients can connect to'],
    ['0.0.0.0', 'May not be in the unspecified range (0.0.0.0/8, ::): nothing can connect to it', 'Use the address clients connect to'],
    ['::', 'May not be in the unspecified range (0.0.0.0/8, ::): nothing can connect to it', 'Use the address clients connect to'],
    ['224.0.0.1', 'May not be in the multicast range (224.0.0.0/4, ff00::/8): nothing can connect to it', 'Use the address clients connect to'],
    ['255.255.255.255', 'May not be the broadcast address (255.255.255.255): nothing can connect to it', 'Use the address clients connect to'],
    ['DB.example.com', 'Must be lower case: the API server rejects upper case DNS names', 'Use "db.example.com"'],
    ['db_1', DNS, 'Use a name such as "db.example.com"'],
  ])('%j: %s. %s', (input, allowed, fix) => {
    expect(hostnameProblem(input, 'connect')).toEqual({ allowed, fix });
  });
});

describe('checkHostname', () => {
  test('a usable name passes', () => {
    expect(() => checkHostname('ExternalService \'x\'', 'externalName', 'db.example.com', 'externalName')).not.toThrow();
    expect(() => checkHostname('ExternalService \'x\'', 'host', '127.0.0.1', 'connect')).not.toThrow();
  });

  test('the error shows the value without credentials', () => {
    let message = '';
    try {
      checkHostname('ExternalService \'x\'', 'externalName', 'user:secret@db.example.com', 'externalName');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe('ExternalService \'x\': invalid \'externalName\': "***@db.example.com". '
      + 'Must be a bare DNS name, without user name or password. '
      + 'Use "db.example.com" and keep credentials in a Secret (\'credentials\').');
    expect(() => checkHostname('W', 'host', '127.0.0.1', 'externalName')).toThrow(/^W: invalid 'host': "127\.0\.0\.1"\. Must be a DNS name, not an IP address/);
  });
});
