import { ISecret } from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';

/**
 * A network address of a data store: a host name and a port.
 *
 * Modelled on aws-rds `Endpoint`.
 */
export class Endpoint {
  /**
   * The host name, e.g. `db-0.db.prod.svc.cluster.local` or `db.example.com`.
   */
  public readonly hostname: string;

  /**
   * The port number.
   */
  public readonly port: number;

  /**
   * `hostname:port`.
   */
  public readonly socketAddress: string;

  constructor(hostname: string, port: number) {
    this.hostname = hostname;
    this.port = port;
    this.socketAddress = `${hostname}:${port}`;
  }
}

/**
 * A named port a data store listens on.
 */
export interface DataStorePort {
  /**
   * The port name (IANA service name), as on the Service.
   *
   * @default - the port has no name
   */
  readonly name?: string;

  /**
   * The port number clients connect to (the Service port).
   */
  readonly port: number;

  /**
   * The protocol.
   *
   * @default "TCP"
   */
  readonly protocol?: string;
}

/**
 * Options for `DataStoreCredentials.fromSecret()`.
 */
export interface DataStoreCredentialsOptions {
  /**
   * The key in the Secret that holds the user name.
   *
   * @default "username"
   */
  readonly usernameKey?: string;

  /**
   * The key in the Secret that holds the password.
   *
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
   * (`user-db` gives `USER_DB_SERVICE_HOST`).
   */
  readonly storeName: string;

  /**
   * The address clients should use: the in-cluster Service DNS name and the first port.
   */
  readonly endpoint: Endpoint;

  /**
   * Every port the store's Service exposes.
   */
  readonly ports: DataStorePort[];

  /**
   * The address of one specific replica (e.g. the primary, pod 0), when the store has one.
   *
   * @default - the store has no distinguished replica
   */
  readonly primaryEndpoint?: Endpoint;

  /**
   * Credentials for clients, held in a Secret.
   *
   * @default - the store needs no credentials, or clients get them another way
   */
  readonly credentials?: DataStoreCredentials;
}
