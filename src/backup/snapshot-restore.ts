import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { SNAPSHOT_API_GROUP } from './private/labels';
import { checkCsiTemplate, checkWorkload, csiTemplateProblems, namespaceFor, ordinalsOf } from './private/targets';
import { addSynthesisCheck, AppIndex, declareRole } from '../private/app-index';
import { dataAnnotations } from '../private/argocd';
import { claimProblems, throwFirst } from '../private/pod-rules';
import { fail, failWithoutValue, isDns1123Subdomain, show } from '../private/validation';
import { StatefulWorkload } from '../workload/stateful-workload';
import { ClaimDataSource, VolumeClaimTemplate } from '../workload/volume-claim-template';

/**
 * Props of `SnapshotRestore`.
 */
export interface SnapshotRestoreProps {
  /**
   * The workload to restore: its replicas start on claims restored from `snapshots`. For a
   * preset, its `workload` (`db.workload`).
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#stable-storage
   */
  readonly workload: StatefulWorkload;

  /**
   * One VolumeSnapshot per replica, in ordinal order: the first restores ordinal
   * `ordinals.start`, the second the next, ... The list must be as long as the workload has
   * replicas. `ClaimDataSource.fromSnapshot(name)` for a snapshot known by name (e.g. one a
   * `SnapshotSchedule` took), `WorkloadSnapshot.dataSources()` for the snapshots of a
   * `WorkloadSnapshot`. Each must be in the workload's namespace, and its `restoreSize` at most
   * the claim template's size (the claim cannot be smaller than the snapshot).
   *
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#volume-snapshot-and-restore-volume-from-snapshot-support
   */
  readonly snapshots: ClaimDataSource[];

  /**
   * The claim template whose claims are restored.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#volume-claim-templates
   * @default - the workload's only claim template (an error when it has several: restore each
   * with its own `SnapshotRestore`)
   */
  readonly claimTemplate?: VolumeClaimTemplate;

  /**
   * Annotate the claims with `argocd.argoproj.io/sync-options: Prune=false,Delete=false`, so
   * Argo CD never deletes them (and, with a `Delete` reclaim policy, the restored data) when they
   * leave Git or the application is deleted.
   *
   * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/#no-prune-resources
   * @default true
   */
  readonly argoCdProtection?: boolean;
}

/**
 * Restores a `StatefulWorkload` from snapshots, one per replica: for each ordinal *i*, a
 * PersistentVolumeClaim named exactly as the StatefulSet controller names it,
 * `<claim>-<statefulset>-<i>`, with the claim template's spec and the *i*-th snapshot as its
 * `dataSource`. The controller uses an existing claim of that name instead of creating one, so
 * replica *i* starts on the data of snapshot *i*.
 *
 * The claims must exist before the StatefulSet creates the pods: they are rendered before it in
 * the chart's manifest (so `kubectl apply` creates them first; the construct must be in the
 * workload's chart), and with `SyncWaves` they are in the workload's wave, where Argo CD applies
 * PersistentVolumeClaims before StatefulSets. (Not an earlier wave: a claim of a
 * `WaitForFirstConsumer` class stays Pending, which Argo CD reports as Progressing, until a pod
 * uses it; the sync would wait forever.) If you move the workload with `SyncWaves.setWave()`,
 * move the restore with it.
 *
 * A claim's spec is immutable and the controller never replaces an existing claim: restore into
 * a new workload, or delete the StatefulSet and the claims first (see the restore runbook in the
 * docs). Data-safe by default: Argo CD never prunes the restored claims.
 *
 * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#volume-snapshot-and-restore-volume-from-snapshot-support
 */
export class SnapshotRestore extends Construct {
  /** The workload restored. */
  public readonly workload: StatefulWorkload;
  /** The claim template whose claims are restored. */
  public readonly claimTemplate: VolumeClaimTemplate;

  private readonly objects: ApiObject[];

  constructor(scope: Construct, id: string, props: SnapshotRestoreProps) {
    super(scope, id);
    AppIndex.watch(this);
    // the workload's wave, not the storage wave: see the class comment
    declareRole(this, 'dataStore');
    const where = `SnapshotRestore '${this.node.path}'`;

    // ---- eager checks
    this.workload = checkWorkload(where, props.workload);
    const templates = this.workload.volumeClaimTemplates;
    if (props.claimTemplate !== undefined) {
      if (!templates.includes(props.claimTemplate)) {
        throw fail(where, 'claimTemplate', props.claimTemplate.name,
          `Must be a claim template of workload '${this.workload.node.path}' (${show(templates.map(t => t.name))})`,
          'Pass a template from the workload\'s volumeClaimTemplates');
      }
    } else if (templates.length !== 1) {
      throw failWithoutValue(where, 'claimTemplate', 'unset',
        templates.length === 0
          ? 'The workload has no volume claim templates (yet), so no claims to restore'
          : `The workload has ${templates.length} claim templates (${show(templates.map(t => t.name))}): which one to restore must be said`,
        templates.length === 0
          ? 'Create the restore after the workload\'s claim templates'
          : 'Set \'claimTemplate\', and restore each template with its own SnapshotRestore');
    }
    this.claimTemplate = props.claimTemplate ?? templates[0];
    const template = this.claimTemplate;
    checkCsiTemplate(where, template, 'no volume can be provisioned from a snapshot');
    if (template.selector !== undefined) {
      throw fail(where, `claim template "${template.name}" selector`, template.selector._toKube(),
        'A claim with a selector binds existing volumes only and is never provisioned, so it cannot be restored from a snapshot',
        'Remove the selector from the claim template');
    }
    const snapshots = props.snapshots ?? [];
    const ordinals = ordinalsOf(this.workload);
    if (snapshots.length !== ordinals.length) {
      const range = ordinals.length === 0 ? 'none' : `${ordinals[0]} to ${ordinals[ordinals.length - 1]}`;
      throw fail(where, 'snapshots', `${snapshots.length} snapshot${snapshots.length === 1 ? '' : 's'}`,
        `Must list one snapshot per replica, in ordinal order: the workload has ${this.workload.replicas} replica${this.workload.replicas === 1 ? '' : 's'} (ordinals ${range})`,
        'List exactly one snapshot per replica, or change the workload\'s \'replicas\' to the number of snapshots');
    }
    snapshots.forEach((s, i) => {
      if (s.kind !== 'VolumeSnapshot' || s.apiGroup !== SNAPSHOT_API_GROUP) {
        throw fail(where, `snapshots[${i}]`, `${s.kind} ${s.name}`, `Must be a VolumeSnapshot (${SNAPSHOT_API_GROUP})`,
          'Use ClaimDataSource.fromSnapshot(name) or WorkloadSnapshot.dataSources()');
      }
      if (!isDns1123Subdomain(s.name)) {
        throw fail(where, `snapshots[${i}]`, s.name, 'Must name a VolumeSnapshot: a DNS-1123 subdomain of at most 253 characters, lower case letters, digits, \'-\' and \'.\'',
          'Give the snapshot\'s name as `kubectl get volumesnapshots` lists it');
      }
    });
    if (Chart.of(this) !== Chart.of(this.workload)) {
      throw fail(where, 'workload', this.workload.node.path,
        `Must be in this construct's chart ('${Chart.of(this).node.path}'), but is in '${Chart.of(this.workload).node.path}': only within one manifest are the claims rendered before the StatefulSet, and a StatefulSet applied first creates empty claims of the same names`,
        'Create the SnapshotRestore in the workload\'s chart');
    }
    const namespace = namespaceFor(where, this, this.workload);
    const protect = props.argoCdProtection ?? true;

    // ---- children: the claims the controller would create, each from its snapshot
    const claimTemplate = k8s.toJson_KubePersistentVolumeClaimProps(template._toKube()) as any;
    this.objects = ordinals.map((ordinal, i) => {
      const source = snapshots[i];
      const spec = {
        ...claimTemplate.spec,
        dataSource: { apiGroup: source.apiGroup, kind: source.kind, name: source.name },
      };
      const claim = {
        metadata: {
          name: template.claimName(ordinal),
          namespace,
          // what the controller puts on the claims it creates: the template's labels and the selector's
          labels: { ...claimTemplate.metadata?.labels, ...this.workload.selectorLabels },
          annotations: dataAnnotations(claimTemplate.metadata?.annotations, protect),
        },
        spec,
      };
      throwFirst(where, claimProblems(claim).map(p => ({ ...p, prop: `snapshots[${i}] claim ${p.prop}` })));
      return new ApiObject(this, `${template.name}-${ordinal}`, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...claim });
    });
    // kubectl applies one manifest in order: the claims before the StatefulSet
    for (const o of this.objects) this.workload.apiObject.node.addDependency(o);

    // ---- deferred checks (the tree is complete)
    addSynthesisCheck(this, () => csiTemplateProblems(where, this, template, 'no volume can be provisioned from a snapshot'));
  }

  /** The names of the restored claims, in ordinal order. */
  public get claimNames(): string[] {
    return this.objects.map(o => o.name);
  }

  /** The rendered PersistentVolumeClaims (a copy of the list). */
  public get apiObjects(): ApiObject[] {
    return [...this.objects];
  }
}
