import { ISecret } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { hostnameProblem, redactUserinfo, withoutTrailingDot } from './private/ip';
import { checkPorts } from './private/ports';
import { checkDns1123Label, fail } from './private/validation';

/**
 * A network address of a data store: a host name and a port.
 *
 * Modelled on aws-rds `Endpoint`.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/
 */
export class Endpoint {
  /**
   * The host name, e.g. `db-0.db.prod.svc.cluster.local`, `db.example.com` or an IP address.
   */
  public readonly hostname: string;

  /**
   * The port number.
   */
  public readonly port: number;

  /**
   * `hostname:port`, with an IPv6 address in brackets (`[2001:db8::5]:5432`) as URLs and most
   * clients expect it.
   *
   * @see https://www.rfc-editor.org/rfc/rfc3986#section-3.2.2
   */
  public readonly socketAddress: string;

  constructor(hostname: string, port: number) {
    this.hostname = hostname;
    this.port = port;
    // only an IPv6 address has a colon in its host part
    this.socketAddress = hostname.includes(':') ? `[${hostname}]:${port}` : `${hostname}:${port}`;
  }
}

/**
 * A named port a data store listens on.
 */
export interface DataStorePort {
  /**
   * The port name (IANA service name) the user gave the port. Consumers wired with
   * `DataStoreConnection` get `<PREFIX>_SERVICE_PORT_<NAME>` for each named port. (A Service this
   * library renders names every port, `tcp-5432` for an unnamed one; such generated names are not
   * reported here, so consumers see the same variables whichever kind of store they use.)
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#multi-port-services
   * @default - the port has no name
   */
  readonly name?: string;

  /**
   * The port number clients connect to (the Service port).
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
   */
  readonly port: number;

  /**
   * The protocol: `TCP`, `UDP` or `SCTP`.
   *
   * @see https://kubernetes.io/docs/reference/networking/service-protocols/
   * @default "TCP"
   */
  readonly protocol?: string;
}

/**
 * Options for `DataStoreCredentials.fromSecret()`.
 */
export interface DataStoreCredentialsOptions {
  /**
   * The key in the Secret that holds the user name. The default is the key of a
   * `kubernetes.io/basic-auth` Secret.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/secret/#basic-authentication-secret
   * @default "username"
   */
  readonly usernameKey?: string;

  /**
   * The key in the Secret that holds the password. The default is the key of a
   * `kubernetes.io/basic-auth` Secret.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/secret/#basic-authentication-secret
   * @default "password"
   */
  readonly passwordKey?: string;
}

/**
 * Credentials of a data store, always held in a Kubernetes Secret: never plain strings in manifests.
 *
 * Modelled on aws-rds `Credentials.fromSecret()`.
 */
export class DataStoreCredentials {
  /**
   * Credentials kept in an existing Secret (created by an operator, External Secrets, Sealed
   * Secrets, or `kubectl create secret`). The library never generates passwords at synth time:
   * a generated value would change on every render and, under Argo CD, on every sync.
   *
   * @param secret the Secret holding the credentials
   * @see https://kubernetes.io/docs/concepts/configuration/secret/
   */
  public static fromSecret(secret: ISecret, options: DataStoreCredentialsOptions = {}): DataStoreCredentials {
    return new DataStoreCredentials(secret, options.usernameKey ?? 'username', options.passwordKey ?? 'password');
  }

  private constructor(
    /** The Secret holding the credentials. */
    public readonly secret: ISecret,
    /** The key of the user name in the Secret. */
    public readonly usernameKey: string,
    /** The key of the password in the Secret. */
    public readonly passwordKey: string,
  ) {}
}

/**
 * A data store a workload can connect to, inside or outside the cluster.
 *
 * Implemented by `StatefulWorkload` (in-cluster) and `ExternalService` (outside the cluster), so a
 * consumer that takes an `IDataStore` works unchanged when the store moves from one to the other.
 */
export interface IDataStore extends IConstruct {
  /**
   * A short name of the store, used to derive environment variable prefixes
   * (`user-db` gives `USER_DB_SERVICE_HOST`, named like the variables kubelet injects for Services).
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#environment-variables
   */
  readonly storeName: string;

  /**
   * The address clients should use: the in-cluster Service DNS name and the first port.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#services
   */
  readonly endpoint: Endpoint;

  /**
   * Every port the store's Service exposes.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#multi-port-services
   */
  readonly ports: DataStorePort[];

  /**
   * The address of one specific replica (e.g. the primary, pod 0), when the store has one.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#stable-network-id
   * @default - the store has no distinguished replica
   */
  readonly primaryEndpoint?: Endpoint;

  /**
   * Credentials for clients, held in a Secret.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/secret/
   * @default - the store needs no credentials, or clients get them another way
   */
  readonly credentials?: DataStoreCredentials;

  /**
   * The name the store's server answers to, when it differs from the host name clients connect
   * to: the name on its TLS certificate (and the SNI server name), and the HTTP `Host` header.
   *
   * An `ExternalService` by DNS name is an alias: clients connect to the in-cluster Service name,
   * the cluster DNS answers with a CNAME to the external host, and the client still checks the
   * certificate against the name it connected to. Clients that verify certificates use this name
   * instead. Without a trailing dot: SNI carries none (`DataStoreConnection` drops one anyway).
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#externalname
   * @default - the host name clients connect to
   */
  readonly serverName?: string;
}

/**
 * Attributes of a data store created elsewhere (by an operator, another chart or by hand), for
 * `DataStore.fromDataStoreAttributes()`.
 */
export interface DataStoreAttributes {
  /**
   * A short name of the store, used to derive environment variable prefixes (`orders-db` gives
   * `ORDERS_DB_SERVICE_HOST`). A DNS-1123 label.
   *
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names
   */
  readonly storeName: string;

  /**
   * The host name clients connect to: a Service's DNS name (e.g. the `-rw` Service of a
   * CloudNativePG cluster, `orders-rw.db.svc.cluster.local`), an external DNS name or an IP
   * address. No scheme, port or path.
   *
   * It only goes into the consumers' ConfigMap, so loopback is allowed: `127.0.0.1` or
   * `localhost` for a proxy in the consumer's own pod (Cloud SQL Auth Proxy, a pgbouncer
   * sidecar). DNS names are case-insensitive: upper-case letters are lower-cased.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/
   */
  readonly hostname: string;

  /**
   * The ports the store listens on. The first is the port of `endpoint`. With several ports,
   * unnamed ones are named `<protocol>-<port>`.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#multi-port-services
   */
  readonly ports: DataStorePort[];

  /**
   * The host name of one distinguished replica, e.g. the primary, which consumers reach with
   * `ConnectionTarget.PRIMARY`. Checked and lower-cased like `hostname`.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#stable-network-id
   * @default - the store has no distinguished replica
   */
  readonly primaryHostname?: string;

  /**
   * Credentials for clients, held in a Secret.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/secret/
   * @default - no credentials
   */
  readonly credentials?: DataStoreCredentials;

  /**
   * The name on the store's TLS certificate, when it differs from `hostname`. Lower-cased, and a
   * trailing dot is dropped (SNI carries none).
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#externalname
   * @default - the host name clients connect to
   */
  readonly serverName?: string;
}

/**
 * Data stores that this library does not create.
 */
export class DataStore {
  /**
   * Describes an existing data store by its attributes, so consumers can be wired to it with
   * `DataStoreConnection` exactly as to a `StatefulWorkload` or an `ExternalService`. Renders
   * nothing.
   *
   * @param scope the scope of the (empty) construct that represents the store
   * @param id its id
   * @param attrs the store's host name, ports and optional credentials
   */
  public static fromDataStoreAttributes(scope: Construct, id: string, attrs: DataStoreAttributes): IDataStore {
    return new ImportedDataStore(scope, id, attrs);
  }

  private constructor() {}
}

class ImportedDataStore extends Construct implements IDataStore {
  public readonly storeName: string;
  public readonly endpoint: Endpoint;
  public readonly primaryEndpoint?: Endpoint;
  public readonly credentials?: DataStoreCredentials;
  public readonly serverName?: string;
  private readonly _ports: DataStorePort[];

  constructor(scope: Construct, id: string, attrs: DataStoreAttributes) {
    super(scope, id);
    const where = `DataStore '${this.node.path}'`;
    checkDns1123Label(where, 'storeName', attrs.storeName);
    // the names only reach clients (a ConfigMap), never the API server: DNS names are
    // case-insensitive, so lower-case them rather than refuse them
    const host = (prop: string, value: string) => {
      const lower = value.toLowerCase();
      const problem = hostnameProblem(lower, 'connect');
      if (problem) throw fail(where, prop, redactUserinfo(value), problem.allowed, problem.fix);
      return lower;
    };
    const hostname = host('hostname', attrs.hostname);
    const primaryHostname = attrs.primaryHostname !== undefined ? host('primaryHostname', attrs.primaryHostname) : undefined;
    const serverName = attrs.serverName !== undefined ? withoutTrailingDot(host('serverName', attrs.serverName)) : undefined;
    if (attrs.ports.length === 0) {
      throw fail(where, 'ports', [], 'Must list at least one port: clients need a port to connect to', 'Add \'ports: [{ port: 5432 }]\'');
    }
    this._ports = checkPorts(where, attrs.ports).map(p => ({ name: p.name, port: p.port, protocol: p.protocol }));
    this.storeName = attrs.storeName;
    this.endpoint = new Endpoint(hostname, this._ports[0].port);
    this.primaryEndpoint = primaryHostname !== undefined ? new Endpoint(primaryHostname, this._ports[0].port) : undefined;
    this.credentials = attrs.credentials;
    this.serverName = serverName;
  }

  public get ports(): DataStorePort[] {
    return this._ports.map(p => ({ ...p }));
  }
}
