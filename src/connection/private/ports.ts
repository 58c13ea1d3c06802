/**
 * Checks and defaults for the ports of a data store (ExternalService, stores described by attributes).
 */
import { checkPort, checkPortName, fail, show } from '../../private/validation';

/** A port as given by the user. */
export interface PortInput {
  readonly name?: string;
  readonly port: number;
  readonly protocol?: string;
  readonly targetPort?: number;
}

/** A checked port with every default filled in. */
export interface CheckedPort {
  /** The port name; derived (`tcp-5432`) when there are several ports and none was given. */
  readonly name?: string;
  readonly port: number;
  readonly protocol: string;
  /** The port on the backend (the addresses of an EndpointSlice). */
  readonly targetPort: number;
}

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

/**
 * Checks every port and fills in defaults, the way the API server would see them: a Service with
 * more than one port needs a name on each, so unnamed ports get `<protocol>-<port>` (as
 * `StatefulWorkload` does for its Services).
 */
export function checkPorts(where: string, ports: PortInput[]): CheckedPort[] {
  ports.forEach((p, i) => {
    checkPort(where, `ports[${i}].port`, p.port);
    if (p.targetPort !== undefined) checkPort(where, `ports[${i}].targetPort`, p.targetPort);
    if (p.name !== undefined) checkPortName(where, `ports[${i}].name`, p.name);
    if (p.protocol !== undefined && !PROTOCOLS.includes(p.protocol)) {
      throw fail(where, `ports[${i}].protocol`, p.protocol, 'Must be "TCP", "UDP" or "SCTP"', 'Use Protocol.TCP, Protocol.UDP or Protocol.SCTP');
    }
  });
  const checked = ports.map(p => {
    const protocol = p.protocol ?? 'TCP';
    return {
      name: p.name ?? (ports.length > 1 ? `${protocol.toLowerCase()}-${p.port}` : undefined),
      port: p.port,
      protocol,
      targetPort: p.targetPort ?? p.port,
    };
  });
  const firstByPort = new Map<string, number>();
  checked.forEach((p, i) => {
    const key = `${p.port}/${p.protocol}`;
    const first = firstByPort.get(key);
    if (first !== undefined) {
      throw fail(where, `ports[${i}].port`, p.port, `Each port number and protocol may appear once: 'ports[${first}]' is also ${key}`,
        'Remove the duplicate port');
    }
    firstByPort.set(key, i);
  });
  const firstByName = new Map<string, number>();
  checked.forEach((p, i) => {
    if (p.name === undefined) return;
    const first = firstByName.get(p.name);
    if (first !== undefined) {
      throw fail(where, `ports[${i}].name`, p.name,
        `Port names must be unique: 'ports[${first}]' is also named ${show(p.name)} (unnamed ports are named "<protocol>-<port>" when there are several)`,
        'Give each port its own \'name\'');
    }
    firstByName.set(p.name, i);
  });
  return checked;
}
