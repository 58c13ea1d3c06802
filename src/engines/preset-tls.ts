import { ApiObject, Duration, Lazy } from 'cdk8s';
import { Container, ISecret, Secret, Volume } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AppIndex, declareRole } from '../private/app-index';
import {
  certificateDnsNames,
  checkTlsNames,
  defaultTlsNames,
  requiredTlsNames,
  TLS_CA_KEY,
  TLS_CERT_KEY,
  TLS_DEFAULT_MODE,
  TLS_FILES,
  TLS_KEY_KEY,
  TLS_MOUNT_PATH,
  TLS_SECRET_TYPE,
  TLS_VOLUME_NAME,
  TlsIdentity,
  uncoveredTlsName,
} from './private/tls';
import { MANAGED_BY } from '../private/labels';
import { checkDns1123Subdomain, fail, show } from '../private/validation';
import type { StatefulWorkload } from '../workload/stateful-workload';

/**
 * The kind of a cert-manager issuer.
 *
 * @see https://cert-manager.io/docs/concepts/issuer/
 */
export enum CertManagerIssuerKind {
  /** An `Issuer`: namespaced, in the namespace of the store. */
  ISSUER = 'Issuer',
  /** A `ClusterIssuer`: cluster-wide. */
  CLUSTER_ISSUER = 'ClusterIssuer',
}

/**
 * A cert-manager issuer, by reference (`issuerRef`).
 *
 * @see https://cert-manager.io/docs/usage/certificate/#creating-certificate-resources
 */
export interface CertManagerIssuer {
  /**
   * The issuer's name.
   *
   * @see https://cert-manager.io/docs/concepts/issuer/
   */
  readonly name: string;

  /**
   * The issuer's kind: an `Issuer` must be in the store's namespace.
   *
   * @see https://cert-manager.io/docs/concepts/issuer/#namespaces
   * @default CertManagerIssuerKind.ISSUER
   */
  readonly kind?: CertManagerIssuerKind;

  /**
   * The issuer's API group, for an external issuer (e.g. `awspca.cert-manager.io`).
   *
   * @see https://cert-manager.io/docs/configuration/issuers/
   * @default "cert-manager.io"
   */
  readonly group?: string;
}

/**
 * Options of `PresetCertificate.fromCertManager()`: the cert-manager `Certificate` the preset
 * renders.
 *
 * @see https://cert-manager.io/docs/usage/certificate/
 */
export interface CertManagerCertificateOptions {
  /**
   * The issuer that signs the certificate. Its CA must be what clients trust: cert-manager writes
   * it to the Secret's `ca.crt` (CA and self-signed issuers, Vault, most external issuers; not
   * ACME, which publicly trusted CAs use and whose certificates cannot name in-cluster Services).
   *
   * @see https://cert-manager.io/docs/configuration/ca/
   */
  readonly issuer: CertManagerIssuer;

  /**
   * The Secret cert-manager writes the certificate to (type `kubernetes.io/tls`, with `tls.crt`,
   * `tls.key` and `ca.crt`); the Certificate has the same name.
   *
   * @see https://cert-manager.io/docs/usage/certificate/#creating-certificate-resources
   * @default - `<statefulset>-tls`
   */
  readonly secretName?: string;

  /**
   * The names the certificate carries, in place of the ones the preset computes. They must cover
   * every name clients are given (checked at synthesis, wildcards as TLS clients match them): each
   * pod's `<pod>.<service>.<namespace>.svc.<clusterDomain>`, the headless Service's and each client
   * Service's `<service>.<namespace>.svc.<clusterDomain>`.
   *
   * @see https://cert-manager.io/docs/reference/api-docs/#cert-manager.io/v1.CertificateSpec
   * For example: `['*.db.shop.svc.cluster.local', 'db.shop.svc.cluster.local', 'db-primary.shop.svc.cluster.local']`.
   * @default - the headless Service and each client Service, short and fully qualified
   * (`<svc>`, `<svc>.<ns>`, `<svc>.<ns>.svc`, `<svc>.<ns>.svc.<domain>`), and each pod
   * (`<pod>.<svc>` and `<pod>.<svc>.<ns>.svc.<domain>`)
   */
  readonly dnsNames?: string[];

  /**
   * How long the certificate is valid. At least one hour.
   *
   * @see https://cert-manager.io/docs/usage/certificate/#renewal
   * @default - cert-manager's default: 90 days
   */
  readonly duration?: Duration;

  /**
   * How long before it expires cert-manager renews it. Shorter than `duration`.
   *
   * @see https://cert-manager.io/docs/usage/certificate/#renewal
   * @default - cert-manager's default: a third of `duration`
   */
  readonly renewBefore?: Duration;
}

/**
 * Where a preset's server certificate comes from: a Secret you provide, or a cert-manager
 * `Certificate` the preset renders.
 *
 * Either way the certificate ends up in a Secret of type `kubernetes.io/tls` with `tls.crt`,
 * `tls.key` and `ca.crt` (the CA clients verify it with), mounted read-only into the server's pod.
 *
 * @see https://kubernetes.io/docs/concepts/configuration/secret/#tls-secrets
 */
export class PresetCertificate {
  /**
   * A certificate in an existing Secret of type `kubernetes.io/tls`, in the store's namespace,
   * with `tls.crt` (the server's certificate, and its chain if any), `tls.key` (its key) and
   * `ca.crt` (the CA consumers verify it with). Its names must cover the pods' and Services' DNS
   * names (see `CertManagerCertificateOptions.dnsNames`): checked at synthesis when the app renders
   * the Secret with its data.
   *
   * @param secret the Secret
   * @see https://kubernetes.io/docs/concepts/configuration/secret/#tls-secrets
   */
  public static fromSecret(secret: ISecret): PresetCertificate {
    return new PresetCertificate(secret, undefined);
  }

  /**
   * A cert-manager `Certificate` the preset renders, for the names of its pods and Services,
   * signed by `issuer`; cert-manager writes it to a Secret and renews it. The server's pods start
   * once the Secret exists.
   *
   * @param options the issuer, and optionally the Secret's name, the names and the lifetime
   * @see https://cert-manager.io/docs/usage/certificate/
   */
  public static fromCertManager(options: CertManagerCertificateOptions): PresetCertificate {
    return new PresetCertificate(undefined, { ...options, dnsNames: options.dnsNames && [...options.dnsNames] });
  }

  /** @internal */
  public readonly _secret?: ISecret;
  /** @internal */
  public readonly _certManager?: CertManagerCertificateOptions;

  private constructor(secret: ISecret | undefined, certManager: CertManagerCertificateOptions | undefined) {
    this._secret = secret;
    this._certManager = certManager;
  }
}

/**
 * TLS options of a preset (`tls`).
 *
 * @see https://kubernetes.io/docs/concepts/configuration/secret/#tls-secrets
 */
export interface PresetTlsOptions {
  /**
   * Where the server's certificate comes from.
   *
   * @see https://cert-manager.io/docs/usage/certificate/
   */
  readonly certificate: PresetCertificate;

  /**
   * Whether clients must use TLS. With `false` the server offers TLS and still accepts plain
   * connections from other pods, while clients move over (consumers wired with
   * `DataStoreConnection` are told to verify the certificate either way). PostgreSQL only: Redis
   * and Valkey serve TLS on their client port and refuse `false`.
   *
   * @see https://www.postgresql.org/docs/current/auth-pg-hba-conf.html
   * @default true
   */
  readonly required?: boolean;
}

/**
 * The server side of a preset's TLS: the certificate Secret and where its files are in the
 * server's pod. Made by the preset (`EnginePreset.configureTls()`); a preset of your own passes
 * `certFile`, `keyFile` and `caFile` to its server, and `mount()`s the volume into each container
 * that needs them (a sidecar that talks to the server over TLS, say).
 *
 * The Secret is mounted read-only at `/run/secrets/tls` with `defaultMode` 0400; under the pod's
 * `fsGroup` the kubelet makes the files `root:<fsGroup>` with mode 0440, which PostgreSQL accepts
 * for a key (owned by root, no access for others). A renewed certificate reaches the files within
 * about a minute; the presets' `tls-reload` sidecar then tells the server.
 *
 * @see https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod
 */
export class PresetTls {
  /**
   * @internal
   * @param scope the preset
   * @param where who complains
   * @param options the preset's `tls`
   * @param workload the preset's workload (names, namespace, Services)
   */
  public static _create(scope: Construct, where: string, options: PresetTlsOptions, workload: StatefulWorkload): PresetTls {
    return new PresetTls(scope, where, options, workload);
  }

  /** The Secret with `tls.crt`, `tls.key` and `ca.crt`. */
  public readonly secret: ISecret;
  /** Whether clients must use TLS (`required`). */
  public readonly required: boolean;
  /** Where the Secret is mounted in the server's pod: `/run/secrets/tls`. */
  public readonly mountPath: string = TLS_MOUNT_PATH;
  /** The server's certificate: `/run/secrets/tls/tls.crt`. */
  public readonly certFile: string = TLS_FILES.certFile;
  /** The server's private key: `/run/secrets/tls/tls.key`. */
  public readonly keyFile: string = TLS_FILES.keyFile;
  /** The CA certificate: `/run/secrets/tls/ca.crt`. */
  public readonly caFile: string = TLS_FILES.caFile;
  /** The key of the CA certificate in `secret`: `ca.crt`. */
  public readonly caKey: string = TLS_CA_KEY;
  /** The Secret volume (`tls`, `defaultMode` 0400), for `mount()`. */
  public readonly volume: Volume;
  /**
   * The cert-manager `Certificate`, when the certificate comes from cert-manager.
   *
   * @default - the certificate comes from a Secret of yours
   */
  public readonly certificate?: ApiObject;

  private readonly workload: StatefulWorkload;
  private readonly givenNames?: string[];

  private constructor(scope: Construct, where: string, options: PresetTlsOptions, workload: StatefulWorkload) {
    const source = options?.certificate;
    if (!(source instanceof PresetCertificate)) {
      throw fail(where, 'tls.certificate', source,
        'TLS needs a certificate: PresetCertificate.fromSecret(secret) (a kubernetes.io/tls Secret with ca.crt) or PresetCertificate.fromCertManager({ issuer })',
        'Set \'tls.certificate\', or leave \'tls\' out');
    }
    if (options.required !== undefined && typeof options.required !== 'boolean') {
      throw fail(where, 'tls.required', options.required, 'Must be true or false', 'Leave \'tls.required\' out (true)');
    }
    this.workload = workload;
    this.required = options.required ?? true;
    const namespace = workload.namespaceName;
    if (source._secret) {
      const object = renderedSecret(source._secret);
      if (object && object.metadata.namespace !== namespace) {
        throw fail(where, 'tls.certificate', `Secret ${show(object.name)} in ${namespaceText(object.metadata.namespace)}`,
          `Must be in the store's namespace (${namespaceText(namespace)}): a pod mounts Secrets of its own namespace only`,
          'Create the Secret in the store\'s namespace, or set the same namespace on both');
      }
      this.secret = source._secret;
      if (object) {
        // keyed by the volume: the preset memoizes checks of its own under its own key
        scope.node.addValidation({ validate: () => AppIndex.of(scope).memo(this.volume, () => this.secretErrors(where, object)) });
      }
    } else {
      const cm = source._certManager!;
      if (namespace === undefined) {
        throw fail(where, 'tls.certificate', 'PresetCertificate.fromCertManager()',
          'Needs the store\'s namespace: the certificate names the pods and Services by their full DNS names (<name>.<namespace>.svc.<clusterDomain>)',
          'Set \'metadata.namespace\', or the namespace of the chart');
      }
      const issuer = cm.issuer;
      if (!issuer || typeof issuer.name !== 'string') {
        throw fail(where, 'tls.certificate.issuer', issuer, 'Must name a cert-manager issuer: { name, kind }',
          'Set \'issuer\' to e.g. { name: \'internal-ca\', kind: CertManagerIssuerKind.CLUSTER_ISSUER }');
      }
      checkDns1123Subdomain(where, 'tls.certificate.issuer.name', issuer.name);
      if (issuer.group !== undefined) checkDns1123Subdomain(where, 'tls.certificate.issuer.group', issuer.group);
      const secretName = cm.secretName ?? `${workload.name}-tls`;
      checkDns1123Subdomain(where, 'tls.certificate.secretName', secretName);
      if (cm.dnsNames !== undefined) checkTlsNames(where, 'tls.certificate.dnsNames', cm.dnsNames);
      this.givenNames = cm.dnsNames;
      const duration = cm.duration && checkHours(where, 'tls.certificate.duration', cm.duration, 3600);
      const renewBefore = cm.renewBefore && checkHours(where, 'tls.certificate.renewBefore', cm.renewBefore, 60);
      if (renewBefore !== undefined && renewBefore >= (duration ?? 90 * 24 * 3600)) {
        throw fail(where, 'tls.certificate.renewBefore', goDuration(renewBefore),
          `Must be shorter than the certificate's duration (${goDuration(duration ?? 90 * 24 * 3600)}): cert-manager would renew it all the time`,
          'Shorten \'renewBefore\', or leave it out (a third of the duration)');
      }
      this.certificate = new ApiObject(scope, 'Certificate', {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: secretName, namespace, labels: { 'app.kubernetes.io/managed-by': MANAGED_BY } },
        spec: {
          secretName,
          issuerRef: {
            name: issuer.name,
            kind: issuer.kind ?? CertManagerIssuerKind.ISSUER,
            group: issuer.group ?? 'cert-manager.io',
          },
          dnsNames: Lazy.any({ produce: () => this.dnsNames }),
          duration: duration !== undefined ? goDuration(duration) : undefined,
          renewBefore: renewBefore !== undefined ? goDuration(renewBefore) : undefined,
          // a new key with every renewal (cert-manager's default from 1.18, stated for older ones)
          privateKey: { rotationPolicy: 'Always' },
        },
      });
      // before the data store: Argo CD waits for the Certificate to be Ready (the Secret to exist)
      declareRole(this.certificate, 'configuration');
      this.secret = Secret.fromSecretName(scope, 'TlsSecret', secretName);
      if (this.givenNames) {
        const names = this.givenNames;
        scope.node.addValidation({
          validate: () => AppIndex.of(scope).memo(this.certificate!, () => {
            const uncovered = uncoveredTlsName(names, requiredTlsNames(this.identity()));
            return uncovered === undefined ? [] : [fail(where, 'tls.certificate.dnsNames', names,
              `Must cover every name clients are given, but none covers ${show(uncovered)}`,
              `Add ${show(uncovered)} (or a wildcard such as ${show(`*.${uncovered.split('.').slice(1).join('.')}`)}), or leave 'dnsNames' out`).message];
          }),
        });
      }
    }
    this.volume = Volume.fromSecret(scope, 'TlsVolume', this.secret, { name: TLS_VOLUME_NAME, defaultMode: TLS_DEFAULT_MODE });
  }

  /**
   * The names the certificate must carry: `dnsNames` when given, else the headless Service and
   * each client Service (short and fully qualified) and each pod.
   */
  public get dnsNames(): string[] {
    return this.givenNames ? [...this.givenNames] : defaultTlsNames(this.identity());
  }

  /**
   * Mounts the certificate volume read-only at `mountPath` in a container of the server's pod.
   *
   * @param container a container of the preset's workload
   */
  public mount(container: Container): void {
    container.mount(this.mountPath, this.volume, { readOnly: true });
  }

  private identity(): TlsIdentity {
    const w = this.workload;
    return {
      statefulSetName: w.name,
      serviceName: w.serviceName,
      namespace: w.namespaceName ?? '',
      clusterDomain: w.clusterDomain,
      ordinals: Array.from({ length: w.replicas }, (_, i) => w.startOrdinal + i),
      clientServices: w.services.map(s => s.name),
    };
  }

  /** What is wrong with a certificate Secret the app renders: its type, its keys, the names of its certificate. */
  private secretErrors(where: string, object: ApiObject): string[] {
    const rendered = object.toJson();
    const errors: string[] = [];
    const name = show(object.name);
    if (rendered.type !== TLS_SECRET_TYPE) {
      errors.push(fail(where, 'tls.certificate', `Secret ${name} of type ${show(rendered.type ?? 'Opaque')}`,
        `Must be a Secret of type ${TLS_SECRET_TYPE} (with ${TLS_CERT_KEY}, ${TLS_KEY_KEY} and ${TLS_CA_KEY})`,
        `Set the Secret's type to ${show(TLS_SECRET_TYPE)}`).message);
    }
    const value = (key: string): string | undefined => rendered.stringData?.[key]
      ?? (rendered.data?.[key] !== undefined ? Buffer.from(rendered.data[key], 'base64').toString('utf8') : undefined);
    const keys = [...Object.keys(rendered.data ?? {}), ...Object.keys(rendered.stringData ?? {})];
    // no data: filled by someone else
    if (keys.length === 0) return errors;
    for (const key of [TLS_CERT_KEY, TLS_KEY_KEY, TLS_CA_KEY]) {
      if (!keys.includes(key)) {
        errors.push(fail(where, 'tls.certificate', `Secret ${name} without ${show(key)}`,
          `Must hold ${TLS_CERT_KEY}, ${TLS_KEY_KEY} and ${TLS_CA_KEY} (the CA consumers verify the server with)`,
          `Add ${show(key)} to the Secret`).message);
      }
    }
    const pem = value(TLS_CERT_KEY);
    const names = pem !== undefined ? certificateDnsNames(pem) : undefined;
    if (names !== undefined) {
      const uncovered = uncoveredTlsName(names, requiredTlsNames(this.identity()));
      if (uncovered !== undefined) {
        errors.push(fail(where, 'tls.certificate', `the certificate in Secret ${name} for ${show(names)}`,
          `Must cover every name clients are given, but none of its DNS names covers ${show(uncovered)}`,
          `Issue it for ${show(uncovered)} too (or a wildcard such as ${show(`*.${uncovered.split('.').slice(1).join('.')}`)})`).message);
      }
    }
    return errors;
  }
}

/** The Secret's ApiObject, when the app renders it (an imported Secret has none). */
function renderedSecret(secret: ISecret): ApiObject | undefined {
  const object = secret.node.defaultChild;
  return object instanceof ApiObject && object.kind === 'Secret' ? object : undefined;
}

function namespaceText(namespace: string | undefined): string {
  return namespace !== undefined ? `namespace ${show(namespace)}` : 'no namespace';
}

/** A duration in whole seconds, at least `min`. */
function checkHours(where: string, prop: string, duration: Duration, min: number): number {
  const seconds = duration.toMilliseconds() / 1000;
  if (!Number.isInteger(seconds) || seconds < min) {
    throw fail(where, prop, `${seconds} seconds`, `Must be a whole number of seconds, at least ${goDuration(min)}`,
      `Set '${prop}' to a duration such as Duration.days(90)`);
  }
  return seconds;
}

/** Seconds as a Go duration, as cert-manager reads it: `2160h`, `90m`, `45s`. */
function goDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
