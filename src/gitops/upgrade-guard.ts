import { LoadedObject, loadGitRevision, loadManifestFile, loadManifestPath } from './private/manifests';
import { acceptKey, checkAcceptPattern, compareManifests, isAccepted, RawFinding } from './private/upgrade-rules';

/**
 * How bad an upgrade finding is.
 *
 * @stable
 */
export enum UpgradeFindingSeverity {
  /**
   * The API server refuses the update: the sync (kubectl apply, Argo CD) fails on this object. Or
   * the engine refuses the data: the update is applied, and the database does not start on what
   * its volumes hold (a PostgreSQL major version, a Redis release that cannot read the data files).
   *
   * @see https://www.postgresql.org/support/versioning/
   */
  REFUSED = 'REFUSED',
  /**
   * The update goes through, but replaces or deletes an object that holds data: the data stays
   * behind (orphaned) or is deleted.
   */
  DATA_LOSS = 'DATA_LOSS',
  /**
   * The update may fail or not do what the manifests say, depending on what only the cluster
   * knows (a StorageClass outside the manifests, an allocated cluster IP, an orphaned claim), or
   * it needs steps the change itself does not take (a Cassandra major version upgrade).
   */
  WARNING = 'WARNING',
}

/**
 * A Kubernetes version, for the rules that differ between releases.
 *
 * The guard knows the rules of Kubernetes 1.27 and later.
 *
 * @stable
 */
export class KubernetesVersion {
  /** Kubernetes 1.27: a StatefulSet's `revisionHistoryLimit` is immutable. */
  public static readonly V1_27 = new KubernetesVersion(27);
  /** Kubernetes 1.28. */
  public static readonly V1_28 = new KubernetesVersion(28);
  /** Kubernetes 1.29. */
  public static readonly V1_29 = new KubernetesVersion(29);
  /** Kubernetes 1.30. */
  public static readonly V1_30 = new KubernetesVersion(30);
  /** Kubernetes 1.31. */
  public static readonly V1_31 = new KubernetesVersion(31);
  /** Kubernetes 1.32. */
  public static readonly V1_32 = new KubernetesVersion(32);
  /**
   * Kubernetes 1.33: a StatefulSet's `revisionHistoryLimit` may change (kubernetes/kubernetes#130263
   * shows 1.31 refusing it).
   */
  public static readonly V1_33 = new KubernetesVersion(33);

  /**
   * A version given as text, e.g. `1.30`, `v1.30` or `1.30.2`.
   *
   * @param version `1.<minor>`, with or without a leading `v` and a patch release; 1.27 or later
   */
  public static of(version: string): KubernetesVersion {
    const m = /^v?1\.([0-9]+)(\.[0-9]+)?$/.exec(version.trim());
    if (!m || Number(m[1]) < 27) {
      throw new Error(`KubernetesVersion: invalid version: "${version}". The upgrade guard knows the rules of Kubernetes 1.27 and later. ` +
        'Write 1.<minor>, e.g. 1.27 or 1.30.');
    }
    return new KubernetesVersion(Number(m[1]));
  }

  /** The minor version, e.g. 27 for Kubernetes 1.27. */
  public readonly minor: number;

  private constructor(minor: number) {
    this.minor = minor;
  }

  /** The version as text, e.g. `1.27`. */
  public toString(): string {
    return `1.${this.minor}`;
  }
}

/**
 * How the cluster is updated.
 *
 * @stable
 */
export interface UpgradeGuardOptions {
  /**
   * The Kubernetes version of the cluster. Decides which StatefulSet fields may change.
   *
   * @default KubernetesVersion.V1_27
   */
  readonly kubernetesVersion?: KubernetesVersion;

  /**
   * Whether the manifests are applied server-side (`kubectl apply --server-side`, Argo CD
   * `ServerSideApply=true`). Moving a Service from ExternalName to in-cluster without stating its
   * `type` is refused then, and only a warning otherwise.
   *
   * @default false
   */
  readonly serverSideApply?: boolean;

  /**
   * Findings already dealt with, left out of the result: typically after the way out was followed
   * by hand (claims grown, StatefulSet deleted with `--cascade=orphan`) and the change can now be
   * applied. Each is `<Kind>/<namespace>/<name>` (`<Kind>/<name>` without a namespace), optionally
   * followed by `:<field prefix>`, e.g. `StatefulSet/shop/orders-db:spec.volumeClaimTemplates`;
   * every finding prints the exact value to accept.
   *
   * @default - every finding is reported
   */
  readonly accept?: string[];
}

/**
 * Where to read a git revision.
 *
 * @stable
 */
export interface UpgradeGuardGitOptions extends UpgradeGuardOptions {
  /**
   * A directory inside the git work tree; the path of the revision is relative to it.
   *
   * @default - the current directory
   */
  readonly gitDirectory?: string;
}

/**
 * One change between the manifests the cluster runs and the new ones that the API server refuses
 * or that loses data.
 *
 * @stable
 */
export interface UpgradeFinding {
  /** How bad it is. */
  readonly severity: UpgradeFindingSeverity;

  /** The object's kind, e.g. `StatefulSet`. */
  readonly kind: string;

  /** The object's apiVersion, e.g. `apps/v1`. */
  readonly apiVersion: string;

  /**
   * The object's namespace.
   *
   * @default - cluster-scoped, or no namespace in the manifest (the namespace of the apply)
   */
  readonly objectNamespace?: string;

  /** The object's name (the old name for a rename). */
  readonly objectName: string;

  /**
   * The field that changes, e.g. `spec.serviceName` or
   * `spec.volumeClaimTemplates[name=data].spec.resources.requests.storage`; `metadata.name` for
   * renames and deletions, `metadata.namespace` for moves.
   */
  readonly field: string;

  /** The value the cluster has, or `(not set)`. */
  readonly oldValue: string;

  /** The new value, `(not set)`, or `(deleted)`. */
  readonly newValue: string;

  /**
   * What goes wrong: for a refused update, the API server's own message, or the engine's when it
   * refuses the data (`FATAL: database files are incompatible with server`).
   */
  readonly message: string;

  /** The documented way out: what to change, or what to run before the sync. */
  readonly wayOut: string;

  /**
   * The manifest file of the object (the new one; the old one for renames and deletions).
   *
   * @default - the objects were given in memory
   */
  readonly manifest?: string;
}

/**
 * Checks an upgrade before it is applied: given the manifests the cluster runs today and the newly
 * rendered ones, finds every change the API server refuses, every replacement that loses data and
 * every engine version change the running database cannot take.
 *
 * Covered: StatefulSets (every fixed field, per Kubernetes version), PersistentVolumeClaims,
 * PersistentVolumes, StorageClasses, Services (cluster IP, moves from ExternalName), Jobs, pod
 * selectors of Deployments, ReplicaSets and DaemonSets, EndpointSlice address types, and renames,
 * moves and deletions of objects that hold data. Changes the API server allows (a StatefulSet's
 * replicas, template, updateStrategy, retention policy, minReadySeconds, ordinals) are not
 * reported, except the engine image of a StatefulSet with data: a PostgreSQL major version (up or
 * down) and a Redis or Valkey release that cannot read the running release's data files are
 * refused, a Cassandra major version is a warning with its steps. The engine is recognised by the
 * presets' annotations (`cdk8s-stateful/engine`, `cdk8s-stateful/engine-version`), by the official
 * images, or by a container named after the engine running an image of the engine's name
 * (docs/engine-upgrades.md).
 *
 * Objects are matched by API group, kind, namespace and name.
 *
 * @stable
 */
export class UpgradeGuard {
  /**
   * Compares two sets of manifests, as parsed objects.
   *
   * @param current the objects the cluster runs (e.g. `Yaml.load('main/dist/app.k8s.yaml')`)
   * @param next the newly rendered objects (e.g. `chart.toJson()`)
   */
  public static compare(current: any[], next: any[], options: UpgradeGuardOptions = {}): UpgradeFinding[] {
    return compareLoaded(
      current.map(obj => ({ obj })),
      next.map(obj => ({ obj })),
      options,
    );
  }

  /**
   * Compares two directories (or files) of rendered manifests, e.g. the `dist/` of the main
   * branch and the `dist/` of a pull request. Every `.yaml`, `.yml` and `.json` file below each
   * directory is read.
   */
  public static compareDirectories(currentDir: string, nextDir: string, options: UpgradeGuardOptions = {}): UpgradeFinding[] {
    return compareLoaded(loadManifestPath(currentDir), loadManifestPath(nextDir), options);
  }

  /**
   * Compares the manifests of a git revision with a directory of newly rendered manifests.
   *
   * @param currentRevision `<revision>:<path>`, e.g. `origin/main:dist`
   * @param nextDir the newly rendered manifests, e.g. `dist`
   */
  public static compareGitRevision(currentRevision: string, nextDir: string, options: UpgradeGuardGitOptions = {}): UpgradeFinding[] {
    return compareLoaded(loadGitRevision(currentRevision, options.gitDirectory), loadManifestPath(nextDir), options);
  }

  /**
   * Renders findings for a pull-request log: one block per finding with the object, the field,
   * the old and new value, the message and the way out.
   */
  public static formatFindings(findings: UpgradeFinding[], options: UpgradeGuardOptions = {}): string {
    const version = (options.kubernetesVersion ?? KubernetesVersion.V1_27).toString();
    const count = (s: UpgradeFindingSeverity) => findings.filter(f => f.severity === s).length;
    const head = findings.length === 0
      ? `cdk8s-stateful upgrade guard (Kubernetes ${version}): no refused update, no data loss.`
      : `cdk8s-stateful upgrade guard (Kubernetes ${version}): ${count(UpgradeFindingSeverity.REFUSED)} refused, ` +
        `${count(UpgradeFindingSeverity.DATA_LOSS)} data loss, ${count(UpgradeFindingSeverity.WARNING)} warning(s).`;
    const blocks = findings.map(f => {
      const where = `${f.objectNamespace ? `${f.objectNamespace}/` : ''}${f.objectName}`;
      const lines = [
        `${f.severity.padEnd(9)} ${f.kind} ${where} (${f.apiVersion})`,
        `  field:    ${f.field}`,
        `  change:   ${f.oldValue} -> ${f.newValue}`,
        `  ${f.severity === UpgradeFindingSeverity.REFUSED ? 'server: ' : 'why:    '}  ${f.message}`,
        `  way out:  ${f.wayOut}`,
        `  accept:   ${acceptKey(f)}`,
      ];
      if (f.manifest) lines.push(`  manifest: ${f.manifest}`);
      return lines.join('\n');
    });
    return [head, ...blocks].join('\n\n') + '\n';
  }

  private constructor() {}
}

function compareLoaded(current: LoadedObject[], next: LoadedObject[], options: UpgradeGuardOptions): UpgradeFinding[] {
  const accept = options.accept ?? [];
  accept.forEach(checkAcceptPattern);
  const raw = compareManifests(current, next, {
    minor: (options.kubernetesVersion ?? KubernetesVersion.V1_27).minor,
    serverSideApply: options.serverSideApply ?? false,
  });
  const order = [UpgradeFindingSeverity.REFUSED, UpgradeFindingSeverity.DATA_LOSS, UpgradeFindingSeverity.WARNING];
  // sort is stable: within a severity, the findings keep their order
  return raw
    .filter(f => !isAccepted(f, accept))
    .map(toFinding)
    .sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity));
}

function toFinding(r: RawFinding): UpgradeFinding {
  const f: UpgradeFinding = {
    severity: r.severity as UpgradeFindingSeverity,
    kind: r.kind,
    apiVersion: r.apiVersion,
    objectNamespace: r.objectNamespace,
    objectName: r.objectName,
    field: r.field,
    oldValue: r.oldValue,
    newValue: r.newValue,
    message: r.message,
    wayOut: r.wayOut,
    manifest: r.manifest,
  };
  // no undefined members: findings compare and serialize cleanly
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as any;
}

/**
 * Props of the `cdk8s synth` validation plugin. Set them under `properties` in `cdk8s.yaml`.
 */
export interface UpgradeGuardValidationProps {
  /**
   * The manifests the cluster runs, as a git revision and path relative to the app directory,
   * e.g. `origin/main:dist`. `cdk8s synth` empties its output directory before it validates, so
   * the current manifests must come from git or from another directory.
   *
   * @default - `currentDirectory` must be set
   */
  readonly gitRevision?: string;

  /**
   * The manifests the cluster runs, as a directory (or file) outside the synth output directory,
   * relative to the app directory.
   *
   * @default - `gitRevision` must be set
   */
  readonly currentDirectory?: string;

  /**
   * The Kubernetes version of the cluster, e.g. `1.27`.
   *
   * @default "1.27"
   */
  readonly kubernetesVersion?: string;

  /**
   * Whether the manifests are applied server-side (Argo CD `ServerSideApply=true`).
   *
   * @default false
   */
  readonly serverSideApply?: boolean;

  /**
   * Whether synthesis passes when there are only warnings.
   *
   * @default false
   */
  readonly allowWarnings?: boolean;

  /**
   * Findings already dealt with (see `UpgradeGuardOptions.accept`).
   *
   * @default - every finding is reported
   */
  readonly accept?: string[];
}

/**
 * The upgrade guard as a `cdk8s synth` validation plugin: every finding becomes a violation of the
 * validation report, and synthesis fails when there is one.
 *
 * In `cdk8s.yaml` (a local package path, so the CLI does not install the plugin from npm):
 *
 * ```yaml
 * validations:
 *   - package: ./node_modules/cdk8s-stateful
 *     version: 0.0.0
 *     class: UpgradeGuardValidation
 *     properties:
 *       gitRevision: origin/main:dist
 * ```
 *
 * @see https://cdk8s.io/docs/latest/cli/synth/#validation-plugins
 */
export class UpgradeGuardValidation {
  private readonly props: UpgradeGuardValidationProps;
  private readonly version: KubernetesVersion;

  /**
   * Called by the cdk8s CLI with the plugin's `properties`.
   */
  constructor(props: UpgradeGuardValidationProps = {}) {
    if ((props.gitRevision === undefined) === (props.currentDirectory === undefined)) {
      throw new Error(`UpgradeGuardValidation: invalid properties: ${JSON.stringify(props)}. Exactly one of 'gitRevision' ` +
        "(e.g. origin/main:dist) and 'currentDirectory' says what the cluster runs. Set one of them in cdk8s.yaml.");
    }
    (props.accept ?? []).forEach(checkAcceptPattern);
    this.props = { ...props };
    this.version = KubernetesVersion.of(props.kubernetesVersion ?? '1.27');
  }

  /**
   * Compares the synthesized manifests with the current ones and fills the report
   * (`context.report`) of the cdk8s CLI's validation context.
   *
   * @param context the cdk8s CLI's `ValidationContext`
   */
  public async validate(context: any): Promise<void> {
    const options = { kubernetesVersion: this.version, serverSideApply: this.props.serverSideApply, accept: this.props.accept };
    const current = this.props.gitRevision !== undefined ? loadGitRevision(this.props.gitRevision) : loadManifestPath(this.props.currentDirectory!);
    const next: LoadedObject[] = (context.manifests as string[]).flatMap(m => loadManifestFile(m));
    const findings = compareLoaded(current, next, options);
    for (const f of findings) {
      context.report.addViolation({
        ruleName: `upgrade-guard ${f.severity}: ${f.field}`,
        recommendation: `${f.message} (${f.oldValue} -> ${f.newValue})`,
        fix: f.wayOut,
        violatingResources: [{
          resourceName: `${f.kind} ${f.objectNamespace ? `${f.objectNamespace}/` : ''}${f.objectName}`,
          locations: [f.field],
          manifestPath: f.manifest ?? '',
        }],
      });
    }
    const failing = findings.filter(f => !(this.props.allowWarnings && f.severity === UpgradeFindingSeverity.WARNING));
    context.report.submit(failing.length ? 'failure' : 'success', { kubernetesVersion: this.version.toString(), findings: String(findings.length) });
  }
}
