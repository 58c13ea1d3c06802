import { checkPorts, PortInput } from '../../../src/connection/private/ports';

const WHERE = 'ExternalService \'test/db\'';

describe('checkPorts', () => {
  test('one unnamed port: TCP, targetPort = port, no name', () => {
    expect(checkPorts(WHERE, [{ port: 5432 }])).toEqual([{ name: undefined, port: 5432, protocol: 'TCP', targetPort: 5432 }]);
  });

  test('several ports: the unnamed ones are named <protocol>-<port>, given names and values are kept', () => {
    expect(checkPorts(WHERE, [
      { port: 5432 },
      { port: 9187, protocol: 'UDP', targetPort: 19187 },
      { name: 'admin', port: 8080, protocol: 'SCTP' },
    ])).toEqual([
      { name: 'tcp-5432', port: 5432, protocol: 'TCP', targetPort: 5432 },
      { name: 'udp-9187', port: 9187, protocol: 'UDP', targetPort: 19187 },
      { name: 'admin', port: 8080, protocol: 'SCTP', targetPort: 8080 },
    ]);
  });

  test('no ports: nothing to check', () => {
    expect(checkPorts(WHERE, [])).toEqual([]);
  });

  test('the same number with another protocol is another port', () => {
    expect(checkPorts(WHERE, [{ port: 53 }, { port: 53, protocol: 'UDP' }]).map(p => p.name)).toEqual(['tcp-53', 'udp-53']);
  });

  test.each([1, 65535])('accepts port %d and targetPort %d', port => {
    expect(checkPorts(WHERE, [{ port, targetPort: port }])[0]).toEqual({ name: undefined, port, protocol: 'TCP', targetPort: port });
  });

  test.each<[string, PortInput[], string]>([
    ['port 0', [{ port: 0 }],
      "invalid 'ports[0].port': 0. Must be an integer port number from 1 to 65535. Set 'ports[0].port' to a valid port."],
    ['port 65536', [{ port: 5432 }, { port: 65536 }],
      "invalid 'ports[1].port': 65536. Must be an integer port number from 1 to 65535. Set 'ports[1].port' to a valid port."],
    ['a fractional port', [{ port: 80.5 }],
      "invalid 'ports[0].port': 80.5. Must be an integer port number from 1 to 65535. Set 'ports[0].port' to a valid port."],
    ['targetPort 0', [{ port: 5432, targetPort: 0 }],
      "invalid 'ports[0].targetPort': 0. Must be an integer port number from 1 to 65535. Set 'ports[0].targetPort' to a valid port."],
    ['targetPort 65536', [{ port: 5432, targetPort: 65536 }],
      "invalid 'ports[0].targetPort': 65536. Must be an integer port number from 1 to 65535. Set 'ports[0].targetPort' to a valid port."],
    ['an invalid name', [{ port: 5432 }, { name: 'Postgres', port: 5433 }],
      'invalid \'ports[1].name\': "Postgres". Must be an IANA service name: at most 15 lower case letters, digits and \'-\', with at least one letter and no "--". '
      + 'Set \'ports[1].name\' to a name such as "http" or "postgres".'],
    ['an empty name', [{ name: '', port: 5432 }],
      'invalid \'ports[0].name\': "". Must be an IANA service name'],
    ['a lower-case protocol', [{ port: 5432, protocol: 'tcp' }],
      'invalid \'ports[0].protocol\': "tcp". Must be "TCP", "UDP" or "SCTP". Use Protocol.TCP, Protocol.UDP or Protocol.SCTP.'],
    ['an unknown protocol in the second port', [{ port: 5432 }, { port: 5433, protocol: 'HTTP' }],
      'invalid \'ports[1].protocol\': "HTTP". Must be "TCP", "UDP" or "SCTP". Use Protocol.TCP, Protocol.UDP or Protocol.SCTP.'],
    ['the same port twice', [{ port: 5432 }, { port: 9187 }, { port: 5432, protocol: 'TCP' }],
      "invalid 'ports[2].port': 5432. Each port number and protocol may appear once: 'ports[0]' is also 5432/TCP. Remove the duplicate port."],
    ['the same UDP port twice', [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'UDP' }],
      "invalid 'ports[1].port': 53. Each port number and protocol may appear once: 'ports[0]' is also 53/UDP. Remove the duplicate port."],
    ['the same name twice', [{ name: 'pg', port: 5432 }, { port: 9187 }, { name: 'pg', port: 5433 }],
      'invalid \'ports[2].name\': "pg". Port names must be unique: \'ports[0]\' is also named "pg" (unnamed ports are named "<protocol>-<port>" when there are several). '
      + 'Give each port its own \'name\'.'],
    ['a name that equals a derived one', [{ port: 5432 }, { name: 'tcp-5432', port: 5433 }],
      'invalid \'ports[1].name\': "tcp-5432". Port names must be unique: \'ports[0]\' is also named "tcp-5432"'],
  ])('fails with %s', (_name, ports, message) => {
    expect(() => checkPorts(WHERE, ports)).toThrow(`${WHERE}: ${message}`);
  });
});
