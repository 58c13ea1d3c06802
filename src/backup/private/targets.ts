import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { NO_PROVISIONER, resolveStorageClass } from '../../private/app-index';
import { checkDns1123Label, duplicates, fail, failWithoutValue, show } from '../../private/validation';
import type { StatefulWorkload } from '../../workload/stateful-workload';
import type { VolumeClaimTemplate } from '../../workload/volume-claim-template';
import type { IVolumeSnapshotClass } from '../volume-snapshot-class';

/** The claims of a workload a snapshot construct works on: templates times ordinals. */
export interface SnapshotTarget {
  readonly template: VolumeClaimTemplate;
  readonly ordinal: number;
  /** `<claim>-<statefulset>-<ordinal>` */
  readonly claimName: string;
}

/** The workload, checked to be there (JavaScript callers can leave a required prop out). */
export function checkWorkload(where: string, workload: StatefulWorkload | undefined): StatefulWorkload {
  if (workload === undefined || workload === null || typeof (workload as any).claimName !== 'function') {
    throw fail(where, 'workload', workload === undefined || workload === null ? workload : (workload as any).node?.path ?? typeof workload,
      'Must be a StatefulWorkload (a preset\'s workload is its \'workload\' attribute)', 'Pass the workload whose claims to use, e.g. \'workload: db.workload\'');
  }
  return workload;
}

/**
 * The claim templates to work on: the given ones (each of the workload, no repeats) or every
 * template of the workload; at least one.
 */
export function claimTemplatesOf(where: string, workload: StatefulWorkload, given: VolumeClaimTemplate[] | undefined): VolumeClaimTemplate[] {
  const own = workload.volumeClaimTemplates;
  if (given === undefined) {
    if (own.length === 0) {
      throw fail(where, 'workload', workload.node.path,
        'The workload has no volume claim templates (yet): there are no claims to snapshot',
        'Create the snapshot construct after the workload\'s claim templates, or add one with addVolumeClaimTemplate()');
    }
    return own;
  }
  if (given.length === 0) {
    throw fail(where, 'claimTemplates', [], 'Must list at least one claim template of the workload',
      `Leave 'claimTemplates' out for every template (${show(own.map(t => t.name))}), or list the ones to snapshot`);
  }
  for (const t of given) {
    if (!own.includes(t)) {
      throw fail(where, 'claimTemplates', t.name, `Must be a claim template of workload '${workload.node.path}' (${show(own.map(x => x.name))})`,
        'Pass templates from the workload\'s volumeClaimTemplates');
    }
  }
  const repeated = duplicates(given.map(t => t.name))[0];
  if (repeated !== undefined) {
    throw fail(where, 'claimTemplates', repeated, 'Each claim template may be listed once', 'Remove the duplicate');
  }
  return [...given];
}

/** The ordinals of the workload's replicas: `ordinals.start` up to `ordinals.start + replicas - 1`. */
export function ordinalsOf(workload: StatefulWorkload): number[] {
  return Array.from({ length: workload.replicas }, (_, i) => workload.startOrdinal + i);
}

/** Every claim of the templates, template by template, ordinal by ordinal; at least one replica. */
export function targetsOf(where: string, workload: StatefulWorkload, templates: VolumeClaimTemplate[]): SnapshotTarget[] {
  if (workload.replicas === 0) {
    throw fail(where, 'workload', `${workload.node.path} (0 replicas)`, 'The workload has no replicas, so no claims to snapshot',
      'Give the workload at least one replica');
  }
  return templates.flatMap(template => ordinalsOf(workload).map(ordinal => ({ template, ordinal, claimName: template.claimName(ordinal) })));
}

/**
 * The namespace of the objects made for a workload's claims: the workload's. A claim, its
 * snapshots and the claims restored from them live in one namespace (cross-namespace data
 * sources are alpha), so an object of a chart with another namespace is an error.
 */
export function namespaceFor(where: string, scope: IConstruct, workload: StatefulWorkload): string | undefined {
  const own = Chart.of(scope).namespace;
  if (workload.namespaceName === undefined && own !== undefined) {
    throw fail(where, 'workload', workload.node.path,
      `The workload has no namespace (its claims are created in the namespace it is applied to), but this construct's chart has namespace "${own}": snapshots and claims must be in the claims' namespace`,
      'Give the workload (or its chart) a namespace, or create this construct in a chart without one');
  }
  return workload.namespaceName;
}

/** A name that becomes part of object names and a label value: a DNS-1123 label. */
export function nameOf(where: string, given: string | undefined, id: string, maxLen: number): string {
  if (given !== undefined) {
    checkDns1123Label(where, 'name', given, maxLen);
    return given;
  }
  if (id.length > maxLen || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(id)) {
    throw failWithoutValue(where, 'name', `unset (construct id ${show(id)})`,
      `Defaults to the construct id, which must then be a DNS-1123 label of at most ${maxLen} characters: lower case letters, digits and '-'`,
      `Set 'name' to a short name such as "${id.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, maxLen) || 'nightly'}"`);
  }
  return id;
}

/**
 * What only a storage class with a CSI driver can do: snapshot a volume, or provision one from a
 * snapshot. Checks what is known when the construct is created: a template without a class
 * (`""`, static volumes only) or with a class object without a provisioner.
 */
export function checkCsiTemplate(where: string, template: VolumeClaimTemplate, what: string): void {
  if (template.storageClassName === '') {
    throw fail(where, `claim template "${template.name}" storageClassName`, '',
      `The claims bind statically provisioned volumes only, which no CSI driver manages: ${what}`,
      'Use a storage class with a CSI driver that supports snapshots');
  }
  const cls = template.storageClass as { provisioner?: unknown } | undefined;
  if (cls?.provisioner === NO_PROVISIONER) {
    throw fail(where, `claim template "${template.name}" storageClass`, template.storageClassName,
      `The class has no provisioner ("${NO_PROVISIONER}": local or other static volumes), and no CSI driver manages its volumes: ${what}`,
      'Use a storage class with a CSI driver that supports snapshots');
  }
}

/**
 * The same checks for a class named by its name, once the tree is complete (the class may be a
 * StorageClass rendered anywhere in the app), and whether the snapshot class's driver is the
 * provisioner of the template's class, where both are known.
 */
export function csiTemplateProblems(where: string, scope: IConstruct, template: VolumeClaimTemplate, what: string,
  snapshotClass?: IVolumeSnapshotClass): string[] {
  const cls = resolveStorageClass(scope, template.storageClassName, template.storageClass);
  if (!cls) return [];
  if (!cls.dynamicProvisioning) {
    return [fail(where, `claim template "${template.name}" storageClass`, cls.storageClassName,
      `The class has no provisioner ("${NO_PROVISIONER}": local or other static volumes), and no CSI driver manages its volumes: ${what}`,
      'Use a storage class with a CSI driver that supports snapshots').message];
  }
  const driver = (snapshotClass as { driver?: unknown } | undefined)?.driver;
  if (typeof driver === 'string' && driver !== cls.provisioner) {
    return [fail(where, 'snapshotClass', `${snapshotClass!.volumeSnapshotClassName} (driver ${driver})`,
      `The volumes of claim template "${template.name}" are provisioned by "${cls.provisioner}" (class "${cls.storageClassName}"): a snapshot class of another driver cannot snapshot them`,
      `Use a VolumeSnapshotClass with driver "${cls.provisioner}"`).message];
  }
  return [];
}
