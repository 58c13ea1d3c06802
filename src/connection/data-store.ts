import { ApiObject } from 'cdk8s';
import { ISecret } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { hostnameProblem, redactUserinfo, withoutTrailingDot } from './private/ip';
import { checkVariableName, connectionPropertyVariables, copyConnectionProperties } from '../private/connection-properties';
import { isConfigMapKey } from '../private/pod-rules';
import { copyTls } from '../private/store-tls';
import { checkPorts } from './private/ports';
import { checkDns1123Label, fail, show } from '../private/validation';

/**
 * A network address of a data store: a host name and a port.
 *
 * Modelled on aws-rds `Endpoint`.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/
 * @stable
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
 *
 * @stable
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
 * Options for `DataStoreCredentials.fromPasswordSecret()`, and the options every kind of
 * credentials shares.
 *
 * @stable
 */
export interface PasswordCredentialsOptions {
  /**
   * The key in the Secret that holds the password. The default is the key of a
   * `kubernetes.io/basic-auth` Secret. A required key: a consumer whose Secret lacks it does not
   * start (`CreateContainerConfigError`).
   *
   * @see https://kubernetes.io/docs/concepts/configuration/secret/#basic-authentication-secret
   * @default "password"
   */
  readonly passwordKey?: string;

  /**
   * More values from the same Secret, such as a database name or a CA bundle: each entry maps the
   * end of a variable name to a key of the Secret. `{ DATABASE: 'dbname', CA_BUNDLE: 'ca.crt' }`
   * gives consumers wired with `DataStoreConnection` `<PREFIX>_DATABASE` and `<PREFIX>_CA_BUNDLE`.
   *
   * These keys are optional (`secretKeyRef.optional: true`): a consumer gets only the variables
   * whose keys exist in the Secret when its container starts, and starts without the others. A
   * variable name is upper-case letters, digits and '_' (starting with a letter or digit); it may
   * not be `USERNAME` or `PASSWORD` or start with `SERVICE_`, which the connection sets itself.
   * Several variables may read the same key (`DATABASE: 'username'` when each user has a
   * database of the same name).
   *
   * @see https://kubernetes.io/docs/tasks/inject-data-application/distribute-credentials-secure/#define-container-environment-variables-using-secret-data
   * @default - no other variables
   */
  readonly extraKeys?: { [variable: string]: string };

  /**
   * The revision of the Secret's content: a label you change whenever you change the password in
   * the Secret (rotation), e.g. `"2"` or `"2025-06"`. Nothing reads the Secret again by itself, so
   * the revision is what tells the workloads that depend on it:
   *
   * - consumers wired with `DataStoreConnection` roll (the revision is part of the connection's
   *   checksum on their pod template) and read the new password when they start;
   * - a `Postgres` application role's Job runs again and sets the role's password from the Secret
   *   (the revision is part of the Job's name);
   * - a `Redis` (or `Valkey`) rolls its pods (an annotation on the pod template), and each reads
   *   the new password when it starts.
   *
   * A Secret the app renders with data needs no revision: its content is part of the same
   * checksums. At most 63 characters: letters, digits, '-', '_' and '.', starting and ending with
   * a letter or digit (a label value).
   *
   * @see https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables
   * For example: `2025-06`.
   * @default - no revision: a Secret the app does not render is taken as unchanged
   * @experimental
   */
  readonly revision?: string;
}

/**
 * Options for `DataStoreCredentials.fromSecret()`.
 *
 * @stable
 */
export interface DataStoreCredentialsOptions extends PasswordCredentialsOptions {
  /**
   * The key in the Secret that holds the user name. The default is the key of a
   * `kubernetes.io/basic-auth` Secret. A required key, like `passwordKey`; for a Secret that holds
   * no user name (e.g. Redis with `requirepass`) use `DataStoreCredentials.fromPasswordSecret()`.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/secret/#basic-authentication-secret
   * @default "username"
   */
  readonly usernameKey?: string;
}

/**
 * Credentials of a data store, always held in a Kubernetes Secret: never plain strings in manifests.
 *
 * A password, with or without a user name, and optionally more values of the same Secret (a
 * database name, a CA bundle). Consumers wired with `DataStoreConnection` get them as
 * `<PREFIX>_USERNAME`, `<PREFIX>_PASSWORD` and `<PREFIX>_<variable>` (`secretKeyRef`).
 *
 * Keys are checked when the credentials are created (Secret data keys, variable names), and at
 * synthesis against a Secret the app renders itself (a cdk8s-plus `Secret` with data): a key it
 * does not hold is an error. An imported Secret (`Secret.fromSecretName()`) cannot be checked,
 * nor a rendered one with no data at all (filled by someone else), nor a service account token
 * Secret (filled by the cluster). Errors name the Secret's construct path.
 *
 * Modelled on aws-rds `Credentials.fromSecret()`.
 *
 * @see https://kubernetes.io/docs/concepts/configuration/secret/
 * @stable
 */
export class DataStoreCredentials {
  /**
   * A user name and a password kept in an existing Secret (created by an operator, External
   * Secrets, Sealed Secrets, or `kubectl create secret`); the default keys are those of a
   * `kubernetes.io/basic-auth` Secret. The library never generates passwords at synth time: a
   * generated value would change on every render and, under Argo CD, on every sync.
   *
   * @param secret the Secret holding the credentials
   * @param options the keys in the Secret, and more values to hand out
   * @see https://kubernetes.io/docs/concepts/configuration/secret/
   * @see https://kubernetes.io/docs/tasks/inject-data-application/distribute-credentials-secure/#define-container-environment-variables-using-secret-data
   * @example
   * import { Secret } from 'cdk8s-plus-27';
   * import { DataStoreCredentials } from 'cdk8s-stateful';
   *
   * // consumers get <PREFIX>_DATABASE and <PREFIX>_CA_BUNDLE, when the Secret has those keys
   * const credentials = DataStoreCredentials.fromSecret(Secret.fromSecretName(chart, 'orders-app', 'orders-app'), {
   *   extraKeys: { DATABASE: 'dbname', CA_BUNDLE: 'ca.crt' },
   * });
   */
  public static fromSecret(secret: ISecret, options: DataStoreCredentialsOptions = {}): DataStoreCredentials {
    return new DataStoreCredentials(secret, options.usernameKey ?? 'username', options);
  }

  /**
   * A password without a user name (Redis `requirepass`, Memcached SASL with a fixed user, an API
   * token), kept in an existing Secret. Consumers get `<PREFIX>_PASSWORD` and no
   * `<PREFIX>_USERNAME` at all.
   *
   * @param secret the Secret holding the password
   * @param options the key of the password in the Secret, and more values to hand out
   * @see https://kubernetes.io/docs/concepts/configuration/secret/
   * @see https://kubernetes.io/docs/tasks/inject-data-application/distribute-credentials-secure/#define-container-environment-variables-using-secret-data
   */
  public static fromPasswordSecret(secret: ISecret, options: PasswordCredentialsOptions = {}): DataStoreCredentials {
    return new DataStoreCredentials(secret, undefined, options);
  }

  /**
   * The Secret holding the credentials.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/secret/
   */
  public readonly secret: ISecret;

  /**
   * The key of the user name in the Secret.
   *
   * @default - no user name (`fromPasswordSecret()`)
   */
  public readonly usernameKey?: string;

  /**
   * The key of the password in the Secret.
   */
  public readonly passwordKey: string;

  /**
   * The revision of the Secret's content, changed when the password is rotated.
   *
   * @default - no revision
   * @experimental
   */
  public readonly revision?: string;

  private readonly _extraKeys: Array<[string, string]>;

  private constructor(secret: ISecret, usernameKey: string | undefined, options: PasswordCredentialsOptions) {
    const where = `DataStoreCredentials '${secret.node.path}'`;
    const passwordKey = options.passwordKey ?? 'password';
    if (usernameKey !== undefined) {
      checkSecretKey(where, 'usernameKey', usernameKey,
        'Set \'usernameKey\' to the key of the user name in the Secret, such as "username", '
        + 'or use DataStoreCredentials.fromPasswordSecret() for a Secret without one');
    }
    checkSecretKey(where, 'passwordKey', passwordKey, 'Set \'passwordKey\' to the key of the password in the Secret, such as "password"');
    if (usernameKey === passwordKey) {
      throw fail(where, 'passwordKey', passwordKey,
        `Must differ from 'usernameKey' (${show(usernameKey)}): one key cannot hold both the user name and the password`,
        'Set \'usernameKey\' and \'passwordKey\' to the two keys of the Secret, '
        + 'or use DataStoreCredentials.fromPasswordSecret() for a Secret with a password only');
    }
    // sorted: the same variables in the same order whatever the map's order in the caller's language
    const extraKeys = Object.entries(options.extraKeys ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [variable, key] of extraKeys) {
      checkExtraVariable(where, variable);
      checkSecretKey(where, `extraKeys.${variable}`, key, `Set 'extraKeys.${variable}' to a key of the Secret, such as "dbname", or leave the variable out`);
    }

    if (options.revision !== undefined
      && (typeof options.revision !== 'string' || !/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(options.revision))) {
      throw fail(where, 'revision', options.revision,
        'Must be a label value: at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit',
        'Set \'revision\' to a value such as "2" or "2025-06", and change it whenever you change the password in the Secret');
    }

    this.secret = secret;
    this.usernameKey = usernameKey;
    this.passwordKey = passwordKey;
    this.revision = options.revision;
    this._extraKeys = extraKeys;
    // a Secret the app renders can be checked once the tree is complete (keys may be added later)
    secret.node.addValidation({ validate: () => this.missingKeys(where) });
  }

  /**
   * The other values handed out, by the end of their variable names (a copy): `{ DATABASE:
   * 'dbname' }` gives consumers `<PREFIX>_DATABASE` from the key `dbname`.
   *
   * @see https://kubernetes.io/docs/tasks/inject-data-application/distribute-credentials-secure/#define-container-environment-variables-using-secret-data
   * @default - no other variables
   */
  public get extraKeys(): { [variable: string]: string } {
    return Object.fromEntries(this._extraKeys);
  }

  /**
   * The keys the credentials read that the Secret does not hold, when the app renders the
   * Secret with data (otherwise nothing is known about its keys).
   */
  private missingKeys(where: string): string[] {
    const object = this.secret.node.defaultChild;
    if (!(object instanceof ApiObject) || object.kind !== 'Secret') return [];
    const rendered = object.toJson();
    // the token controller fills these
    if (rendered.type === 'kubernetes.io/service-account-token') return [];
    const keys = [...Object.keys(rendered.data ?? {}), ...Object.keys(rendered.stringData ?? {})];
    if (keys.length === 0) return [];
    const required: Array<[string, string, string]> = [];
    if (this.usernameKey !== undefined) {
      required.push(['usernameKey', this.usernameKey, 'or use DataStoreCredentials.fromPasswordSecret() for a Secret without a user name']);
    }
    required.push(['passwordKey', this.passwordKey, 'or set \'passwordKey\' to the key of the password']);
    const errors: string[] = [];
    const holds = `the Secret ${show(object.name)} the app renders holds the keys ${show([...new Set(keys)].sort())}`;
    for (const [prop, key, fix] of required) {
      if (keys.includes(key)) continue;
      errors.push(fail(where, prop, key, `Must be a key of the Secret: ${holds}, and a consumer whose Secret lacks a required key `
        + 'does not start (CreateContainerConfigError)', `Add the key ${show(key)} to the Secret, ${fix}`).message);
    }
    for (const [variable, key] of this._extraKeys) {
      if (keys.includes(key)) continue;
      errors.push(fail(where, `extraKeys.${variable}`, key, `Must be a key of the Secret: ${holds}, and consumers would silently go without the variable`,
        `Add the key ${show(key)} to the Secret, or leave ${show(variable)} out of 'extraKeys'`).message);
    }
    return errors;
  }
}

/** A key of a Secret's data (IsConfigMapKey), as `secretKeyRef.key` must be. */
function checkSecretKey(where: string, prop: string, key: string, fix: string): void {
  if (!isConfigMapKey(key)) {
    throw fail(where, prop, key,
      'Must be a key of the Secret\'s data: 1 to 253 letters, digits, \'-\', \'_\' or \'.\', not "." or ".." nor starting with ".."', fix);
  }
}

/** The end of a variable name `<PREFIX>_<variable>` of the credentials' `extraKeys`. */
function checkExtraVariable(where: string, variable: string): void {
  checkVariableName(where, 'extraKeys', variable);
}


/**
 * Plain settings a data store hands to its consumers next to its address: what drivers need
 * besides host, port and credentials. A `DataStoreConnection` renders them into its ConfigMap as
 * `<PREFIX>_DATABASE`, `<PREFIX>_LOCAL_DATACENTER` and `<PREFIX>_<variable>` for each of
 * `extras`. Not for secrets: the ConfigMap is readable by anyone who can read the namespace's
 * configuration (put secret values in the credentials Secret, `extraKeys`).
 *
 * The presets fill them in (`Postgres`: `database`; `Cassandra`: `localDatacenter`); a store of
 * one's own (`StatefulWorkload`, `ExternalService`, `DataStore.fromDataStoreAttributes()`) takes
 * them as `connectionProperties`, so consumers get the same variables whichever kind of store
 * they are wired to.
 *
 * @see https://kubernetes.io/docs/concepts/configuration/configmap/
 */
export interface ConnectionProperties {
  /**
   * The database (or schema, or keyspace) clients use, handed out as `<PREFIX>_DATABASE`:
   * PostgreSQL's `dbname` (`PGDATABASE`), a MySQL schema.
   *
   * @see https://www.postgresql.org/docs/current/libpq-envars.html
   * @default - no `<PREFIX>_DATABASE`
   */
  readonly database?: string;

  /**
   * The datacenter clients route requests to first, handed out as `<PREFIX>_LOCAL_DATACENTER`:
   * the Cassandra drivers (4.x and later) refuse to connect without it when contact points are
   * given.
   *
   * @see https://docs.datastax.com/en/developer/java-driver/latest/manual/core/load_balancing/index.html
   * @default - no `<PREFIX>_LOCAL_DATACENTER`
   */
  readonly localDatacenter?: string;

  /**
   * More plain values, by the end of their variable names: `{ SSLMODE: 'verify-full' }` gives
   * consumers `<PREFIX>_SSLMODE`. A variable name is upper-case letters, digits and '_' (starting
   * with a letter or digit); it may not be `USERNAME`, `PASSWORD`, `DATABASE` or
   * `LOCAL_DATACENTER`, nor start with `SERVICE_` (the connection sets those itself).
   *
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-pod-configmap/#configure-all-key-value-pairs-in-a-configmap-as-container-environment-variables
   * @default - no other variables
   */
  readonly extras?: { [variable: string]: string };
}

/**
 * What clients need to connect to a data store over TLS and verify its certificate: the CA that
 * signed the server's certificate, in a Secret, and the settings their drivers need.
 *
 * A `DataStoreConnection` mounts the CA (only that key of the Secret) into every consumer
 * container and hands out its path as `<PREFIX>_CA_FILE`, and each of `variables` as
 * `<PREFIX>_<variable>`. With `<PREFIX>_SERVICE_SERVER_NAME` (the name the certificate carries)
 * that is what a driver needs to verify both the chain and the host name. The presets fill it in
 * when they serve TLS (`Postgres`: `SSLMODE=verify-full`; `Redis`, `Valkey`: `TLS=verify-full`);
 * a store described with `DataStore.fromDataStoreAttributes()` or a `StatefulWorkload` takes it
 * as `tls`.
 *
 * @see https://kubernetes.io/docs/concepts/configuration/secret/#tls-secrets
 * @see https://www.postgresql.org/docs/current/libpq-ssl.html#LIBPQ-SSL-PROTECTION
 */
export interface DataStoreTls {
  /**
   * The Secret holding the CA certificate (PEM) that clients verify the server's certificate
   * with: the certificate's own Secret (cert-manager writes `ca.crt` next to `tls.crt` and
   * `tls.key`), or a Secret that holds only the CA. Consumers mount its `caKey` only: the server's
   * private key never reaches them.
   *
   * @see https://cert-manager.io/docs/usage/certificate/
   */
  readonly caSecret: ISecret;

  /**
   * The key of the CA certificate in `caSecret`.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/secret/#tls-secrets
   * @default "ca.crt"
   */
  readonly caKey?: string;

  /**
   * Plain settings the consumers' drivers need, by the end of their variable names: `{ SSLMODE:
   * 'verify-full' }` gives `<PREFIX>_SSLMODE` (libpq's `PGSSLMODE`). Upper-case letters, digits
   * and '_'; not `USERNAME`, `PASSWORD` or `CA_FILE`, nor starting with `SERVICE_`.
   *
   * @see https://www.postgresql.org/docs/current/libpq-envars.html
   * @default - no variables besides `<PREFIX>_CA_FILE`
   */
  readonly variables?: { [variable: string]: string };
}

/**
 * A data store a workload can connect to, inside or outside the cluster.
 *
 * Implemented by `StatefulWorkload` (in-cluster) and `ExternalService` (outside the cluster), so a
 * consumer that takes an `IDataStore` works unchanged when the store moves from one to the other.
 *
 * @stable
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

  /**
   * What clients need to connect over TLS and verify the server: the CA and the drivers'
   * settings. A `DataStoreConnection` mounts the CA into its consumers and hands out the
   * settings.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/secret/#tls-secrets
   * @default - the store does not serve TLS, or clients get the CA another way
   * @experimental
   */
  readonly tls?: DataStoreTls;

  /**
   * Credentials of the role that owns the data (PostgreSQL: the superuser that creates the
   * schema), when consumers get other ones in `credentials` (an application role). Schema
   * migrations (`SchemaMigration`) connect with them; applications never should.
   *
   * @see https://www.postgresql.org/docs/current/ddl-priv.html
   * @default - `credentials` are the owner's too
   * @experimental
   */
  readonly ownerCredentials?: DataStoreCredentials;

  /**
   * Plain settings consumers need besides the address and the credentials: the database, the
   * local datacenter, more values. A `DataStoreConnection` renders them into its ConfigMap
   * (`<PREFIX>_DATABASE`, `<PREFIX>_LOCAL_DATACENTER`, `<PREFIX>_<variable>`).
   *
   * @see https://kubernetes.io/docs/concepts/configuration/configmap/
   * @default - no connection properties
   *
   * @experimental
   */
  readonly connectionProperties?: ConnectionProperties;
}

/**
 * Attributes of a data store created elsewhere (by an operator, another chart or by hand), for
 * `DataStore.fromDataStoreAttributes()`.
 *
 * @stable
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

  /**
   * The CA and driver settings clients need to connect over TLS, e.g. a managed PostgreSQL's CA
   * bundle in a Secret of your own: `{ caSecret, variables: { SSLMODE: 'verify-full' } }`.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/secret/#tls-secrets
   * @default - no TLS settings for consumers
   * @experimental
   */
  readonly tls?: DataStoreTls;

  /**
   * Credentials of the role that owns the data, for schema migrations, when consumers get other
   * ones (e.g. a CloudNativePG cluster's `<cluster>-superuser` Secret next to its `<cluster>-app`).
   *
   * @see https://www.postgresql.org/docs/current/ddl-priv.html
   * @default - `credentials` are the owner's too
   * @experimental
   */
  readonly ownerCredentials?: DataStoreCredentials;

  /**
   * Plain settings consumers get next to the address, e.g. the database of a CloudNativePG
   * cluster's application user: `{ database: 'orders' }` gives `<PREFIX>_DATABASE`.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/configmap/
   * @default - no connection properties
   *
   * @experimental
   */
  readonly connectionProperties?: ConnectionProperties;
}

/**
 * Data stores that this library does not create.
 *
 * @stable
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
  public readonly tls?: DataStoreTls;
  public readonly ownerCredentials?: DataStoreCredentials;
  private readonly _ports: DataStorePort[];
  private readonly _connectionProperties?: ConnectionProperties;

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
    connectionPropertyVariables(where, 'connectionProperties', attrs.connectionProperties);
    this.credentials = attrs.credentials;
    this.serverName = serverName;
    this.tls = attrs.tls && copyTls(where, 'tls', attrs.tls);
    this.ownerCredentials = attrs.ownerCredentials;
    this._connectionProperties = copyConnectionProperties(attrs.connectionProperties);
  }

  public get ports(): DataStorePort[] {
    return this._ports.map(p => ({ ...p }));
  }

  public get connectionProperties(): ConnectionProperties | undefined {
    return copyConnectionProperties(this._connectionProperties);
  }
}

