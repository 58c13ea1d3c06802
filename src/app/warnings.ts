import { IConstruct } from 'constructs';
import { acknowledge, acknowledgementOf, raisedOn } from '../private/warnings';

/**
 * A warning raised by this library on a construct, as `Warnings.list()` returns it.
 *
 * @stable
 */
export interface RecordedWarning {
  /**
   * The warning's stable id, e.g. `cdk8s-stateful:non-root-without-user`: what `acknowledge()` takes.
   */
  readonly id: string;

  /**
   * The message, as printed: the construct, the prop, the value, the risk and the fix, ending with
   * the id in brackets.
   */
  readonly message: string;

  /**
   * The path of the construct the warning was raised on.
   */
  readonly path: string;

  /**
   * Whether the warning is acknowledged, on its construct or a scope above it. Acknowledged
   * warnings are not printed and do not fail strict mode.
   */
  readonly acknowledged: boolean;

  /**
   * Why the warning was acknowledged.
   *
   * @default - not acknowledged
   */
  readonly reason?: string;

  /**
   * The path of the construct whose acknowledgement applies.
   *
   * The innermost acknowledgement wins. The root App's path is the empty string.
   *
   * @default - not acknowledged
   */
  readonly acknowledgedBy?: string;
}

/**
 * The warnings of a construct and everything below it: list them, or acknowledge the ones that
 * do not apply, with a reason, in the manner of aws-cdk's `Annotations.acknowledgeWarning()`.
 *
 * Every warning has a stable id, `cdk8s-stateful:<name>`, printed at the end of its message
 * (docs/warnings.md lists them all). Warnings are reported when the app is synthesized: printed to
 * stderr, or, in strict mode (the environment variable `CDK8S_STATEFUL_STRICT=true` or the context
 * key `cdk8s-stateful:strict` set to `true`), turned into synthesis errors. Acknowledged warnings
 * are neither printed nor fail strict mode, but stay recorded: `list()` shows them with the reason,
 * and the acknowledgement is construct metadata of type `cdk8s-stateful:acknowledged-warning`.
 *
 * @example
 * import { WorkloadUpdateStrategy, StatefulWorkload, Warnings } from 'cdk8s-stateful';
 * import * as kplus from 'cdk8s-plus-27';
 *
 * const db = new StatefulWorkload(chart, 'db', {
 *   containers: [{ image: 'docker.io/library/postgres:16', portNumber: 5432, securityContext: { user: 999, group: 999 } }],
 *   replicas: 3,
 *   strategy: WorkloadUpdateStrategy.rollingUpdate({ maxUnavailable: kplus.PercentOrAbsolute.absolute(2) }),
 * });
 * Warnings.of(db).acknowledge('cdk8s-stateful:max-unavailable-alpha', 'our clusters enable MaxUnavailableStatefulSet');
 *
 * @stable
 */
export class Warnings {
  /**
   * The warnings of `scope` and everything below it.
   *
   * @param scope any construct: a workload, a chart, or the whole App
   */
  public static of(scope: IConstruct): Warnings {
    return new Warnings(scope);
  }

  private constructor(private readonly scope: IConstruct) {
  }

  /**
   * Acknowledges warning `id` for this construct and everything below it, including constructs
   * added later and warnings raised when the app is validated.
   *
   * The id must be one of the library's warning ids (a typo would otherwise silently acknowledge
   * nothing). Acknowledging the same id again on the same construct replaces the reason; an
   * acknowledgement on a construct further down wins over one above it.
   *
   * @param id the warning's id, e.g. `cdk8s-stateful:max-unavailable-alpha`
   * @param reason why the warning does not apply here: required, and kept for audit
   */
  public acknowledge(id: string, reason: string): void {
    acknowledge(this.scope, id, reason);
  }

  /**
   * The warnings raised on this construct and everything below it so far, acknowledged or not, in
   * construct tree order.
   *
   * Some warnings need the complete app and are raised only when it is validated: list after
   * `app.synth()` (or `Testing.synth(chart)`) to see them all.
   */
  public list(): RecordedWarning[] {
    return this.scope.node.findAll().flatMap(c => raisedOn(c).map(w => {
      const ack = acknowledgementOf(c, w.id);
      return {
        id: w.id,
        message: w.message,
        path: c.node.path,
        acknowledged: ack !== undefined,
        reason: ack?.reason,
        acknowledgedBy: ack?.path,
      };
    }));
  }
}
