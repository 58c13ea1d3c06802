import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import {
  CLAIM_TEMPLATE_LABEL,
  ORDINAL_LABEL,
  SNAPSHOT_API_VERSION,
  SNAPSHOT_LABEL,
  WORKLOAD_LABEL,
} from './private/labels';
import {
  checkCsiTemplate,
  checkWorkload,
  claimTemplatesOf,
  csiTemplateProblems,
  nameOf,
  namespaceFor,
  ordinalsOf,
  SnapshotTarget,
  targetsOf,
} from './private/targets';
import { IVolumeSnapshotClass } from './volume-snapshot-class';
import { addSynthesisCheck, AppIndex, declareRole } from '../private/app-index';
import { dataAnnotations } from '../private/argocd';
import { MANAGED_BY } from '../private/labels';
import { annotationProblems, labelProblems, throwFirst } from '../private/pod-rules';
import { checkDns1123Subdomain, fail, failWithoutValue, show } from '../private/validation';
import { StatefulWorkload } from '../workload/stateful-workload';
import { ClaimDataSource, VolumeClaimTemplate } from '../workload/volume-claim-template';

/**
 * Props of `WorkloadSnapshot`.
 */
export interface WorkloadSnapshotProps {
  /**
   * The workload whose claims to snapshot: every replica's claim of each claim template. For a
   * preset, its `workload` (`db.workload`).
   *
   * @see https://kubernetes.io/docs/concepts/storage/volume-snapshots/
   */
  readonly workload: StatefulWorkload;

  /**
   * The class that takes the snapshots: its CSI driver must be the one that provisioned the
   * claims' volumes.
   *
   * @see https://kubernetes.io/docs/concepts/storage/volume-snapshot-classes/
   * @default - the default VolumeSnapshotClass of the volumes' driver (the one annotated
   * `snapshot.storage.kubernetes.io/is-default-class: "true"`); without one the snapshots fail
   */
  readonly snapshotClass?: IVolumeSnapshotClass;

  /**
   * The snapshot's name: every VolumeSnapshot is named `<claim>-<name>`, e.g.
   * `data-orders-db-0-pre-17` for `name: 'pre-17'`, so the snapshots of each replica can be
   * found and restored by name. A DNS-1123 label of at most 63 characters.
   *
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
   * @default - the construct id, which must then be such a label
   */
  readonly name?: string;

  /**
   * The claim templates whose claims to snapshot.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#volume-claim-templates
   * @default - every claim template of the workload
   */
  readonly claimTemplates?: VolumeClaimTemplate[];

  /**
   * Extra labels of every VolumeSnapshot, next to the ones that select the workload, claim
   * template, ordinal and snapshot (`cdk8s-stateful/workload`, `cdk8s-stateful/claim-template`,
   * `cdk8s-stateful/ordinal`, `cdk8s-stateful/snapshot`).
   *
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/
   * @default - only the library's labels
   */
  readonly labels?: { [key: string]: string };

  /**
   * Annotations of every VolumeSnapshot.
   *
   * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/
   * @default - only the Argo CD protection
   */
  readonly annotations?: { [key: string]: string };

  /**
   * Annotate the snapshots with `argocd.argoproj.io/sync-options: Prune=false,Delete=false`, so
   * Argo CD never deletes them (and, with a `Delete` snapshot class, the data in the storage
   * system) when they leave Git or the application is deleted. Options you set in that annotation
   * yourself are kept.
   *
   * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/#no-prune-resources
   * @default true
   */
  readonly argoCdProtection?: boolean;
}

/**
 * A one-off snapshot of a `StatefulWorkload`'s data, e.g. before an upgrade: one `VolumeSnapshot`
 * (`snapshot.storage.k8s.io/v1`) per replica and claim template, of the claim
 * `<claim>-<statefulset>-<ordinal>`, named `<claim>-<statefulset>-<ordinal>-<name>`.
 *
 * Each snapshot is crash-consistent: what was on the volume at that instant, as after a power
 * loss; the replicas are snapshotted one by one, not at one instant together. Data-safe by
 * default: Argo CD never prunes the snapshots (`Prune=false,Delete=false`).
 *
 * With `SyncWaves` the snapshots are in the storage wave (0): Argo CD waits until every snapshot
 * is ready to use (its health check reads `status.readyToUse`) before it changes the workload in
 * a later wave, so a snapshot added in the same commit as an upgrade is taken before the upgrade.
 * Add it once the workload exists: the snapshot of a claim not yet created never becomes ready.
 *
 * Restore from it into a workload with `SnapshotRestore` and `dataSources()`.
 *
 * @see https://kubernetes.io/docs/concepts/storage/volume-snapshots/
 */
export class WorkloadSnapshot extends Construct {
  /** The snapshot's name, the last part of every VolumeSnapshot's name. */
  public readonly snapshotName: string;
  /** The workload whose claims are snapshotted. */
  public readonly workload: StatefulWorkload;
  /** The class named in the snapshots, if any. */
  public readonly snapshotClass?: IVolumeSnapshotClass;

  private readonly targets: SnapshotTarget[];
  private readonly objects: ApiObject[];

  constructor(scope: Construct, id: string, props: WorkloadSnapshotProps) {
    super(scope, id);
    AppIndex.watch(this);
    declareRole(this, 'storage');
    const where = `WorkloadSnapshot '${this.node.path}'`;

    // ---- defaults and eager checks
    this.workload = checkWorkload(where, props.workload);
    this.snapshotName = nameOf(where, props.name, id, 63);
    this.snapshotClass = props.snapshotClass;
    const templates = claimTemplatesOf(where, this.workload, props.claimTemplates);
    for (const t of templates) checkCsiTemplate(where, t, 'they cannot be snapshotted');
    this.targets = targetsOf(where, this.workload, templates);
    const namespace = namespaceFor(where, this, this.workload);
    throwFirst(where, [...labelProblems('labels', props.labels), ...annotationProblems('annotations', props.annotations)]);
    const annotations = dataAnnotations(props.annotations, props.argoCdProtection ?? true);

    // ---- children
    this.objects = this.targets.map(target => {
      const name = `${target.claimName}-${this.snapshotName}`;
      checkDns1123Subdomain(where, 'name', name);
      return new ApiObject(this, `${target.template.name}-${target.ordinal}`, {
        apiVersion: SNAPSHOT_API_VERSION,
        kind: 'VolumeSnapshot',
        metadata: {
          name,
          namespace,
          labels: {
            ...props.labels,
            'app.kubernetes.io/managed-by': MANAGED_BY,
            [WORKLOAD_LABEL]: this.workload.name,
            [CLAIM_TEMPLATE_LABEL]: target.template.name,
            [ORDINAL_LABEL]: String(target.ordinal),
            [SNAPSHOT_LABEL]: this.snapshotName,
          },
          annotations,
        },
        spec: {
          volumeSnapshotClassName: this.snapshotClass?.volumeSnapshotClassName,
          source: { persistentVolumeClaimName: target.claimName },
        },
      });
    });
    // kubectl applies one manifest in order: the snapshots before the StatefulSet they protect
    if (Chart.of(this) === Chart.of(this.workload)) {
      for (const o of this.objects) this.workload.apiObject.node.addDependency(o);
    }

    // ---- deferred checks (the tree is complete)
    addSynthesisCheck(this, () => templates.flatMap(t =>
      csiTemplateProblems(where, this, t, 'they cannot be snapshotted', this.snapshotClass)));
  }

  /** The names of the VolumeSnapshots, template by template, ordinal by ordinal. */
  public get volumeSnapshotNames(): string[] {
    return this.objects.map(o => o.name);
  }

  /** The rendered VolumeSnapshots (a copy of the list). */
  public get apiObjects(): ApiObject[] {
    return [...this.objects];
  }

  /**
   * The name of the VolumeSnapshot of one replica's claim: `<claim>-<statefulset>-<ordinal>-<name>`.
   *
   * @param claimTemplate a claim template this snapshot covers
   * @param ordinal the replica's ordinal (from `ordinals.start`)
   */
  public volumeSnapshotName(claimTemplate: VolumeClaimTemplate, ordinal: number): string {
    const target = this.targets.find(t => t.template === claimTemplate && t.ordinal === ordinal);
    if (!target) {
      const where = `WorkloadSnapshot '${this.node.path}'`;
      if (!this.targets.some(t => t.template === claimTemplate)) {
        throw fail(where, 'volumeSnapshotName(claimTemplate)', claimTemplate.name,
          `Must be a claim template this snapshot covers (${show(this.templateNames())})`, 'Pass one of those templates');
      }
      const ordinals = ordinalsOf(this.workload);
      throw fail(where, 'volumeSnapshotName(ordinal)', ordinal, `Must be an ordinal of a replica, from ${ordinals[0]} to ${ordinals[ordinals.length - 1]}`,
        'Pass the ordinal of a replica (ordinals.start + index)');
    }
    return this.objects[this.targets.indexOf(target)].name;
  }

  /**
   * The snapshots of one claim template as claim data sources, one per replica in ordinal order:
   * what `SnapshotRestore` takes to restore a workload of as many replicas, ordinal by ordinal.
   *
   * @param claimTemplate the claim template; may be left out when the snapshot covers one template
   */
  public dataSources(claimTemplate?: VolumeClaimTemplate): ClaimDataSource[] {
    const names = this.templateNames();
    if (claimTemplate === undefined && names.length > 1) {
      throw failWithoutValue(`WorkloadSnapshot '${this.node.path}'`, 'dataSources(claimTemplate)', 'unset',
        `The snapshot covers several claim templates (${show(names)})`, 'Pass the template whose snapshots to restore');
    }
    const template = claimTemplate ?? this.targets[0].template;
    return ordinalsOf(this.workload).map(ordinal => ClaimDataSource.fromSnapshot(this.volumeSnapshotName(template, ordinal)));
  }

  private templateNames(): string[] {
    return [...new Set(this.targets.map(t => t.template.name))];
  }
}
