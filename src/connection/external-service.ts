import { ApiObject, ApiObjectMetadata, Chart } from 'cdk8s';
import { Protocol } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { ConnectionProperties, DataStoreCredentials, DataStorePort, Endpoint, IDataStore } from './data-store';
import { AppIndex, declareRole } from '../private/app-index';
import { connectionPropertyVariables, copyConnectionProperties } from '../private/connection-properties';
import { IpAddress, IpFamily, addressProblem, checkHostname, hostnameProblem, parseIp, redactUserinfo, withoutTrailingDot } from './private/ip';
import { MANAGED_BY } from '../private/labels';
import { CheckedPort, checkPorts } from './private/ports';
import { checkDns1035Label, checkDns1123Label, fail, isDns1123Subdomain, show } from '../private/validation';

/** Label that ties an EndpointSlice to its Service. */
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** Label that tells the EndpointSlice controllers who manages a slice. */
const SLICE_MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
/** Label that stops the mirroring controller from copying hand-written Endpoints into EndpointSlices. */
const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';

/**
 * A port of an `ExternalService`.
 *
 * @see https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec
 * @stable
 */
export interface ExternalServicePort {
  /**
   * The port clients connect to: the Service port.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
   */
  readonly port: number;

  /**
   * The port name (an IANA service name such as `postgres`). With several ports every port needs
   * a name; unnamed ones get `<protocol>-<port>`, e.g. `tcp-5432`. The EndpointSlices use the
   * same names, which is how kube-proxy matches their ports to the Service's.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#multi-port-services
   * @default - unnamed when it is the only port, `<protocol>-<port>` otherwise
   */
  readonly name?: string;

  /**
   * The protocol.
   *
   * Always written out: kube-proxy reads it from the EndpointSlice.
   *
   * @see https://kubernetes.io/docs/reference/networking/service-protocols/
   * @default Protocol.TCP
   */
  readonly protocol?: Protocol;

  /**
   * The port on the external addresses, when it differs from `port`. Only with `addresses`: an
   * ExternalName Service is a DNS alias and cannot change ports.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#services-without-selectors
   * @default - the same as `port`
   */
  readonly targetPort?: number;
}

/**
 * Options for `ArgoCdEndpointSync.renderOverride()`.
 *
 * @stable
 */
export interface ArgoCdEndpointSyncOverrideOptions {
  /**
   * The namespace Argo CD runs in (where its `argocd-cm` ConfigMap lives).
   *
   * The application that deploys the chart must be allowed to deploy to this namespace (its
   * AppProject's `destinations`).
   *
   * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/argocd-cm-yaml/
   * @default "argocd"
   */
  readonly argoCdNamespace?: string;
}

/**
 * How the EndpointSlices (and legacy Endpoints) of an `ExternalService` by IP address reach the
 * cluster when Argo CD deploys the manifests.
 *
 * Argo CD 3.0 and later exclude `Endpoints` and `EndpointSlice` from sync by default (`argocd-cm`
 * `resource.exclusions`): hand-written ones in Git are silently never applied while the
 * application shows Synced, and the Service has no endpoints. Every `ExternalService` by IP
 * address must state which case applies.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/upgrading/2.14-3.0/
 * @stable
 */
export class ArgoCdEndpointSync {
  /**
   * The manifests are not deployed by Argo CD (kubectl, Helm, Flux, ...): nothing to do.
   */
  public static readonly NOT_APPLICABLE = new ArgoCdEndpointSync('NotApplicable');

  /**
   * Argo CD deploys the manifests and already syncs Endpoints and EndpointSlices: it is older
   * than 3.0, or the cluster's `argocd-cm` `resource.exclusions` no longer exclude them (see
   * `RESOURCE_EXCLUSIONS_WITHOUT_ENDPOINTS`).
   */
  public static readonly ALREADY_ENABLED = new ArgoCdEndpointSync('AlreadyEnabled');

  /**
   * Argo CD's default `resource.exclusions` (as of Argo CD 3.0 to 3.x) without the entry for
   * Endpoints and EndpointSlice: the value to put in `argocd-cm` (or in the Helm chart's
   * `configs.cm."resource.exclusions"`) so that Argo CD syncs them. Merge in any exclusions of
   * your own.
   *
   * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#resource-exclusioninclusion
   */
  public static readonly RESOURCE_EXCLUSIONS_WITHOUT_ENDPOINTS: string = [
    '### Argo CD 3.x default exclusions without Endpoints and EndpointSlice (rendered by cdk8s-stateful)',
    '- apiGroups:',
    '  - apiregistration.k8s.io',
    '  kinds:',
    '  - APIService',
    '- apiGroups:',
    '  - coordination.k8s.io',
    '  kinds:',
    '  - Lease',
    '- apiGroups:',
    '  - authentication.k8s.io',
    '  - authorization.k8s.io',
    '  kinds:',
    '  - SelfSubjectReview',
    '  - TokenReview',
    '  - LocalSubjectAccessReview',
    '  - SelfSubjectAccessReview',
    '  - SelfSubjectRulesReview',
    '  - SubjectAccessReview',
    '- apiGroups:',
    '  - certificates.k8s.io',
    '  kinds:',
    '  - CertificateSigningRequest',
    '- apiGroups:',
    '  - cert-manager.io',
    '  kinds:',
    '  - CertificateRequest',
    '- apiGroups:',
    '  - cilium.io',
    '  kinds:',
    '  - CiliumIdentity',
    '  - CiliumEndpoint',
    '  - CiliumEndpointSlice',
    '- apiGroups:',
    '  - kyverno.io',
    '  - reports.kyverno.io',
    '  - wgpolicyk8s.io',
    '  kinds:',
    '  - PolicyReport',
    '  - ClusterPolicyReport',
    '  - EphemeralReport',
    '  - ClusterEphemeralReport',
    '  - AdmissionReport',
    '  - ClusterAdmissionReport',
    '  - BackgroundScanReport',
    '  - ClusterBackgroundScanReport',
    '  - UpdateRequest',
    '',
  ].join('\n');

  /**
   * Argo CD deploys the manifests: render, once per app, an `argocd-cm` ConfigMap that sets
   * `resource.exclusions` to `RESOURCE_EXCLUSIONS_WITHOUT_ENDPOINTS`. It goes into the chart of
   * the first `ExternalService` that asks for it; every other one must use the same Argo CD
   * namespace.
   *
   * The ConfigMap is applied with server-side apply (`argocd.argoproj.io/sync-options:
   * ServerSideApply=true,Prune=false,Delete=false`), so Argo CD takes over only the
   * `resource.exclusions` key, leaves the other settings alone, and never deletes `argocd-cm`.
   * It replaces exclusions the cluster admin added, the application's project must allow the
   * Argo CD namespace as a destination, and when Argo CD manages itself the same key belongs to
   * two applications. Prefer `ALREADY_ENABLED` with the admin setting the value once.
   */
  public static renderOverride(options: ArgoCdEndpointSyncOverrideOptions = {}): ArgoCdEndpointSync {
    return new ArgoCdEndpointSync('RenderOverride', options.argoCdNamespace ?? 'argocd');
  }

  /**
   * `NotApplicable`, `AlreadyEnabled` or `RenderOverride`.
   *
   * @internal
   */
  public readonly _mode: string;

  /**
   * The namespace of the `argocd-cm` override, when one is rendered.
   *
   * @internal
   */
  public readonly _argoCdNamespace?: string;

  private constructor(mode: string, argoCdNamespace?: string) {
    this._mode = mode;
    this._argoCdNamespace = argoCdNamespace;
  }
}

/**
 * Props of `ExternalService`. Set exactly one of `externalName` and `addresses`.
 *
 * @stable
 */
export interface ExternalServiceProps {
  /**
   * Metadata of the Service: `name` (a DNS-1035 label: the in-cluster name clients use),
   * `namespace`, labels and annotations. The EndpointSlices and Endpoints get the same namespace.
   *
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#rfc-1035-label-names
   * @default - name generated by the chart, namespace of the chart
   */
  readonly metadata?: ApiObjectMetadata;

  /**
   * Reach the store by its DNS name: the Service becomes a DNS alias (type ExternalName, a CNAME
   * to this name). A bare lower-case DNS name: no scheme, port, path or IP address, and no name
   * whose last label is all digits (`10.0.0.256` reads as an IP address and never resolves).
   *
   * Clients connect using the Service's name, so TLS certificate checks and HTTP `Host` headers
   * see the in-cluster name, not this one; clients that verify certificates should use
   * `serverName`.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#externalname
   * For example: `users.db.example.com`.
   * @default - no ExternalName: `addresses` must be set
   */
  readonly externalName?: string;

  /**
   * Reach the store by IP addresses: a ClusterIP Service without selector, plus one EndpointSlice
   * per address family (IPv4, IPv6) listing these addresses. Needs `ports` and
   * `argoCdEndpointSync`.
   *
   * Addresses may not be unspecified, loopback, link-local, multicast or broadcast addresses,
   * nor the cluster IP of another Service.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#services-without-selectors
   * For example: `["10.20.0.5", "10.20.0.6"]`.
   * @default - no addresses: `externalName` must be set
   */
  readonly addresses?: string[];

  /**
   * The ports of the Service. Required with `addresses`; with `externalName` they document the
   * ports and give the store its `endpoint` (the API server keeps them, DNS ignores them).
   *
   * @see https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec
   * @default - no ports (only with `externalName`; the store then has no `endpoint`)
   */
  readonly ports?: ExternalServicePort[];

  /**
   * How the EndpointSlices reach the cluster when Argo CD deploys the manifests. Required with
   * `addresses`: Argo CD 3.0 and later silently skip EndpointSlices and Endpoints by default.
   *
   * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/upgrading/2.14-3.0/
   * @default - required with `addresses`, not allowed with `externalName`
   */
  readonly argoCdEndpointSync?: ArgoCdEndpointSync;

  /**
   * Also render a legacy `v1` Endpoints object, for consumers that still read Endpoints rather
   * than EndpointSlices (old service meshes and ingress controllers). It is labelled
   * `endpointslice.kubernetes.io/skip-mirror: "true"` so that the mirroring controller does not
   * copy it into a second set of EndpointSlices. The Endpoints API is deprecated from Kubernetes
   * 1.33. Only with `addresses`.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/endpoint-slices/#endpointslice-mirroring
   * @default false
   */
  readonly legacyEndpoints?: boolean;

  /**
   * The store's name, from which consumers' environment variable prefixes are derived
   * (`user-db` gives `USER_DB_SERVICE_HOST`). A DNS-1123 label.
   *
   * Set `metadata.name` (or this) when consumers use derived variable names: a generated Service
   * name contains a hash of the construct path.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#environment-variables
   * @default - the Service name
   */
  readonly storeName?: string;

  /**
   * Credentials for clients, held in a Secret in the consumers' namespace. Never a plain string:
   * create the Secret outside the chart (External Secrets, Sealed Secrets, `kubectl`).
   *
   * @see https://kubernetes.io/docs/concepts/configuration/secret/
   * @default - no credentials
   */
  readonly credentials?: DataStoreCredentials;

  /**
   * The name the server answers to (its TLS certificate, SNI, HTTP `Host`), for clients that
   * verify certificates. A DNS name or an IP address.
   *
   * Consumers wired with `DataStoreConnection` get it as `<PREFIX>_SERVICE_SERVER_NAME`. It only
   * reaches clients, so it is lower-cased (DNS names are case-insensitive) and a trailing dot is
   * dropped (SNI carries none).
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/service/#externalname
   * @default - `externalName` without its trailing dot; with `addresses`, the Service's DNS name
   */
  readonly serverName?: string;

  /**
   * Plain settings consumers get next to the address (database, local datacenter, more values),
   * e.g. `{ database: 'orders' }` gives consumers wired with `DataStoreConnection`
   * `<PREFIX>_DATABASE`, as a `Postgres` in the cluster hands out its database.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/configmap/
   * @default - no connection properties
   *
   * @experimental
   */
  readonly connectionProperties?: ConnectionProperties;

  /**
   * The cluster's DNS domain, used in the Service's DNS name.
   *
   * @see https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/
   * @default "cluster.local"
   */
  readonly clusterDomain?: string;
}

/**
 * A data store outside the cluster (a managed database, a storage cluster on its own hardware),
 * reachable inside the cluster under a stable Service name: by DNS name (a Service of type
 * ExternalName) or by IP addresses (a Service without selector plus EndpointSlices).
 *
 * Implements `IDataStore`, so consumers wired with `DataStoreConnection` work unchanged when the
 * store moves into the cluster as a `StatefulWorkload`.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/service/#services-without-selectors
 * @stable
 */
export class ExternalService extends Construct implements IDataStore {
  /** The Service name: the in-cluster name clients use. */
  public readonly name: string;
  /** The namespace, when set on the Service or its chart. */
  public readonly namespaceName?: string;
  /** The cluster DNS domain. */
  public readonly clusterDomain: string;
  /**
   * The Service's DNS name: `<name>.<namespace>.svc.<clusterDomain>`, or the bare name (resolvable
   * only inside the same namespace) when no namespace is set.
   */
  public readonly dnsName: string;
  /** The store's name, from which environment variable prefixes are derived. */
  public readonly storeName: string;
  /** The external DNS name the Service aliases, when created with `externalName`. */
  public readonly externalName?: string;
  /** The name the server answers to (TLS, `Host`), when it differs from `dnsName`. */
  public readonly serverName?: string;
  /** Credentials for clients, if any. */
  public readonly credentials?: DataStoreCredentials;
  /** The rendered Service. */
  public readonly apiObject: ApiObject;

  private readonly _ports: CheckedPort[];
  private readonly _connectionProperties?: ConnectionProperties;
  private readonly _addresses: IpAddress[];
  private readonly _endpointSlices: ApiObject[] = [];
  private readonly _legacyEndpoints?: ApiObject;

  constructor(scope: Construct, id: string, props: ExternalServiceProps = {}) {
    super(scope, id);
    AppIndex.watch(this);
    declareRole(this, 'dataStore');
    const where = `ExternalService '${this.node.path}'`;

    // ---- which form, and eager checks of explicit input
    if (props.externalName !== undefined && props.addresses !== undefined) {
      throw fail(where, 'addresses', props.addresses.map(redactUserinfo), 'Cannot be combined with \'externalName\'',
        'Set \'externalName\' for a DNS name or \'addresses\' for IP addresses, not both');
    }
    if (props.externalName === undefined && props.addresses === undefined) {
      throw fail(where, 'externalName', undefined, 'One of \'externalName\' (a DNS name) and \'addresses\' (IP addresses) is required',
        'Set \'externalName: "db.example.com"\' or \'addresses: ["10.0.0.5"]\'');
    }
    const byName = props.externalName !== undefined;
    if (byName) {
      checkHostname(where, 'externalName', props.externalName!, 'externalName');
      for (const [prop, value] of [['argoCdEndpointSync', props.argoCdEndpointSync], ['legacyEndpoints', props.legacyEndpoints]] as const) {
        if (value !== undefined) {
          throw fail(where, prop, value instanceof ArgoCdEndpointSync ? value._mode : value,
            'Only used with \'addresses\': an ExternalName Service has no endpoints', `Remove '${prop}'`);
        }
      }
      (props.ports ?? []).forEach((p, i) => {
        if (p.targetPort !== undefined && p.targetPort !== p.port) {
          throw fail(where, `ports[${i}].targetPort`, p.targetPort,
            'Only used with \'addresses\': an ExternalName Service is a DNS alias, clients connect to the external host on the Service port',
            `Remove 'targetPort', or set 'port' to ${p.targetPort}`);
        }
      });
    }
    this._addresses = byName ? [] : checkAddresses(where, props.addresses!);
    if (!byName && (props.ports ?? []).length === 0) {
      throw fail(where, 'ports', props.ports ?? [], 'Required with \'addresses\': the EndpointSlices must name the ports to forward to',
        'Add \'ports: [{ port: 5432 }]\'');
    }
    if (!byName && props.argoCdEndpointSync === undefined) {
      throw fail(where, 'argoCdEndpointSync', undefined,
        'Required with \'addresses\': Argo CD 3.0 and later exclude EndpointSlices and Endpoints from sync by default, '
        + 'so the Service would silently get no endpoints while the application shows Synced',
        'Set it to ArgoCdEndpointSync.NOT_APPLICABLE (not deployed by Argo CD), ArgoCdEndpointSync.ALREADY_ENABLED '
        + '(argocd-cm resource.exclusions already allow them) or ArgoCdEndpointSync.renderOverride() (render the argocd-cm override)');
    }
    this._ports = checkPorts(where, props.ports ?? []);
    // the server name only reaches clients (a ConfigMap): lower-case it rather than refuse it
    const serverName = props.serverName?.toLowerCase();
    if (serverName !== undefined) {
      const problem = hostnameProblem(serverName, 'connect');
      if (problem) throw fail(where, 'serverName', redactUserinfo(props.serverName!), problem.allowed, problem.fix);
    }
    this.clusterDomain = props.clusterDomain ?? 'cluster.local';
    if (!isDns1123Subdomain(this.clusterDomain)) {
      throw fail(where, 'clusterDomain', this.clusterDomain, 'Must be a DNS domain such as "cluster.local"',
        'Set \'clusterDomain\' to the cluster\'s DNS domain (kubelet --cluster-domain)');
    }
    if (props.storeName !== undefined) checkDns1123Label(where, 'storeName', props.storeName);

    // ---- the Service
    const labels = { 'app.kubernetes.io/managed-by': MANAGED_BY, ...props.metadata?.labels };
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { ...props.metadata, labels },
      spec: byName
        ? {
          type: 'ExternalName',
          externalName: props.externalName,
          ports: undefinedIfEmpty(this._ports.map(p => ({ name: p.name, port: p.port, protocol: p.protocol }))),
        }
        : {
          type: 'ClusterIP',
          ...ipFamilies(this._addresses),
          ports: this._ports.map(p => ({ name: p.name, port: p.port, protocol: p.protocol, targetPort: p.targetPort })),
        },
    });
    this.name = this.apiObject.name;
    checkDns1035Label(where, props.metadata?.name !== undefined ? 'metadata.name' : 'metadata.name (generated from the construct path)', this.name);
    this.namespaceName = props.metadata?.namespace ?? Chart.of(this).namespace;
    this.dnsName = this.namespaceName ? `${this.name}.${this.namespaceName}.svc.${this.clusterDomain}` : this.name;
    this.storeName = props.storeName ?? this.name;
    this.externalName = props.externalName;
    // SNI carries no trailing dot (RFC 6066), and certificates name hosts without one
    const realName = serverName ?? props.externalName;
    this.serverName = realName !== undefined ? withoutTrailingDot(realName) : undefined;
    this.credentials = props.credentials;
    connectionPropertyVariables(where, 'connectionProperties', props.connectionProperties);
    this._connectionProperties = copyConnectionProperties(props.connectionProperties);

    // ---- endpoints of the IP form
    const childMeta = (extra: { [key: string]: string }) => ({
      namespace: props.metadata?.namespace,
      labels: { 'app.kubernetes.io/managed-by': MANAGED_BY, ...extra },
    });
    for (const family of ['IPv4', 'IPv6'] as IpFamily[]) {
      const addresses = this._addresses.filter(a => a.family === family);
      if (addresses.length === 0) continue;
      this._endpointSlices.push(new ApiObject(this, `EndpointSlice${family}`, {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: `${this.name}-${family.toLowerCase()}`,
          ...childMeta({ [SERVICE_NAME_LABEL]: this.name, [SLICE_MANAGED_BY_LABEL]: MANAGED_BY }),
        },
        addressType: family,
        // one address per endpoint: consumers of the API take only the first address of each
        endpoints: addresses.map(a => ({ addresses: [a.text], conditions: { ready: true } })),
        // the name must equal the Service port's name, which is how kube-proxy pairs them; for an unnamed
        // Service port that is "", which the API server would also default a missing slice port name to:
        // rendering it makes the manifest equal to the stored object
        ports: this._ports.map(p => ({ name: p.name ?? '', port: p.targetPort, protocol: p.protocol })),
      }));
    }
    if (props.legacyEndpoints) {
      this._legacyEndpoints = new ApiObject(this, 'Endpoints', {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: this.name, ...childMeta({ [SKIP_MIRROR_LABEL]: 'true' }) },
        subsets: [{
          addresses: this._addresses.map(a => ({ ip: a.text })),
          ports: this._ports.map(p => ({ name: p.name, port: p.targetPort, protocol: p.protocol })),
        }],
      });
    }
    if (props.argoCdEndpointSync?._mode === 'RenderOverride') {
      renderArgoCdOverride(this, where, props.argoCdEndpointSync._argoCdNamespace!);
    }
  }

  // ---------------------------------------------------------------- attributes

  /** The Service ports (a copy). */
  public get ports(): DataStorePort[] {
    return this._ports.map(p => ({ name: p.name, port: p.port, protocol: p.protocol }));
  }

  /**
   * The ports on the external addresses a client's connections arrive at (`targetPort`, or
   * `port`): what a NetworkPolicy sees after the Service's translation.
   *
   * @internal
   */
  public _addressPorts(): Array<{ port: number; protocol: string }> {
    return this._ports.map(p => ({ port: p.targetPort, protocol: p.protocol }));
  }

  /** The IP addresses, in canonical form, when created with `addresses` (a copy). */
  public get addresses(): string[] {
    return this._addresses.map(a => a.text);
  }

  /**
   * Plain settings consumers get next to the address (a copy), if any.
   *
   * @experimental
   */
  public get connectionProperties(): ConnectionProperties | undefined {
    return copyConnectionProperties(this._connectionProperties);
  }

  /**
   * The in-cluster address clients use: the Service's DNS name and the first port.
   */
  public get endpoint(): Endpoint {
    if (this._ports.length === 0) {
      throw fail(`ExternalService '${this.node.path}'`, 'ports', [],
        'Must list at least one port for \'endpoint\' (which DataStoreConnection reads): clients need a port to connect to',
        'Add \'ports: [{ port: 5432 }]\' to the ExternalService');
    }
    return new Endpoint(this.dnsName, this._ports[0].port);
  }

  /** The rendered EndpointSlices, one per address family (a copy). */
  public get endpointSlices(): ApiObject[] {
    return [...this._endpointSlices];
  }

  /** The rendered legacy Endpoints, when `legacyEndpoints` is set. */
  public get legacyEndpointsObject(): ApiObject | undefined {
    return this._legacyEndpoints;
  }
}

// ---------------------------------------------------------------- helpers

function checkAddresses(where: string, values: string[]): IpAddress[] {
  if (values.length === 0) {
    throw fail(where, 'addresses', [], 'Must list at least one IP address', 'Add an address, or use \'externalName\' for a DNS name');
  }
  const parsed = values.map((value, i) => {
    const problem = addressProblem(value);
    if (problem) throw fail(where, `addresses[${i}]`, redactUserinfo(value), problem.allowed, problem.fix);
    return parseIp(value)!;
  });
  const first = new Map<string, number>();
  parsed.forEach((a, i) => {
    const j = first.get(a.text);
    if (j !== undefined) {
      const same = values[j] === a.text && values[i] === a.text ? '' : ` (${show(a.text)})`;
      throw fail(where, `addresses[${i}]`, values[i], `Each address may appear once: 'addresses[${j}]' is the same address${same}`,
        'Remove the duplicate');
    }
    first.set(a.text, i);
  });
  return parsed;
}

/**
 * The IP families of the Service. One family: exactly that one, so an IPv6-only store gets an IPv6
 * cluster IP even where IPv4 is the cluster's primary family (a cluster without it rejects the
 * Service: its kube-proxy could not reach the addresses anyway). Both families: `PreferDualStack`
 * without `ipFamilies`, so the API server assigns whichever families the cluster has (it rejects
 * any family listed in `ipFamilies` that the cluster lacks) and the slice of each works.
 */
function ipFamilies(addresses: IpAddress[]): { ipFamilyPolicy: string; ipFamilies?: string[] } {
  const families = [...new Set(addresses.map(a => a.family))];
  return families.length > 1 ? { ipFamilyPolicy: 'PreferDualStack' } : { ipFamilyPolicy: 'SingleStack', ipFamilies: families };
}

/** The `argocd-cm` override of each app (the root of the construct tree), once rendered. */
const ARGO_CD_OVERRIDES = new WeakMap<IConstruct, ApiObject>();

/**
 * Renders the `argocd-cm` override once per app: two charts of one app rendering it would give
 * two `ConfigMap argocd/argocd-cm`, which Argo CD reports as a repeated resource (one application)
 * or as a resource shared by two applications. It goes into the chart of the first
 * ExternalService that asks for it.
 */
function renderArgoCdOverride(service: ExternalService, where: string, namespace: string): void {
  checkDns1123Label(where, 'argoCdEndpointSync.argoCdNamespace', namespace);
  const root = service.node.root;
  const existing = ARGO_CD_OVERRIDES.get(root);
  if (existing) {
    if (existing.metadata.namespace !== namespace) {
      throw fail(where, 'argoCdEndpointSync.argoCdNamespace', namespace,
        `The app already renders the argocd-cm override in namespace ${show(existing.metadata.namespace)} (chart '${Chart.of(existing).node.path}')`,
        'Use the same Argo CD namespace for every ExternalService of the app');
    }
    return;
  }
  const chart = Chart.of(service);
  const override = new ApiObject(chart, 'ArgoCdResourceExclusions', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'argocd-cm',
      namespace,
      labels: { 'app.kubernetes.io/name': 'argocd-cm', 'app.kubernetes.io/part-of': 'argocd' },
      annotations: { 'argocd.argoproj.io/sync-options': 'ServerSideApply=true,Prune=false,Delete=false' },
    },
    data: { 'resource.exclusions': ArgoCdEndpointSync.RESOURCE_EXCLUSIONS_WITHOUT_ENDPOINTS },
  });
  declareRole(override, 'configuration');
  ARGO_CD_OVERRIDES.set(root, override);
}

function undefinedIfEmpty<T>(xs: T[]): T[] | undefined {
  return xs.length > 0 ? xs : undefined;
}
