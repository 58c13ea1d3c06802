/**
 * Prometheus syntax the metrics objects render: durations, label matchers, names. Pure functions.
 */
import { Duration } from 'cdk8s';
import { fail } from './validation';

/** The Prometheus Operator's API group and version (PodMonitor, PrometheusRule). */
export const MONITORING_API_VERSION = 'monitoring.coreos.com/v1';

/** A label name (and an annotation name of a rule): `[a-zA-Z_][a-zA-Z0-9_]*`. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** A metric name, which alert names must be: `[a-zA-Z_:][a-zA-Z0-9_:]*`. */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * A duration as Prometheus and the Prometheus Operator write it: whole seconds as `1h30m`, `5m`,
 * `30s`. Fails unless the duration is a positive whole number of seconds.
 *
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#duration
 */
export function promDuration(where: string, prop: string, duration: Duration): string {
  const seconds = duration.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds <= 0) {
    throw fail(where, prop, `${seconds} seconds`, 'Must be a positive whole number of seconds', `Set '${prop}' to e.g. Duration.minutes(5)`);
  }
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

/** A PromQL string literal (double-quoted, `\` and `"` escaped). */
export function promString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** `value` as a regular expression (RE2) that matches only itself. */
export function regexLiteral(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether `name` may name a label or an annotation. */
export function isLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

/** Fails unless every key of `map` is a label name (`labels`, `annotations` of a rule). */
export function checkLabelNames(where: string, prop: string, map: { [key: string]: string } | undefined): void {
  for (const [key, value] of Object.entries(map ?? {})) {
    if (!isLabelName(key)) {
      throw fail(where, `${prop} key`, key, 'Must be a Prometheus label name: letters, digits and \'_\', not starting with a digit',
        `Rename the key, e.g. "${key.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^([0-9])/, '_$1')}"`);
    }
    if (typeof value !== 'string') {
      throw fail(where, `${prop}["${key}"]`, value, 'Must be a string', `Quote the value, e.g. "${String(value)}"`);
    }
  }
}

/** Fails unless `name` may name an alert (a metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`). */
export function checkAlertName(where: string, prop: string, name: string): void {
  if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
    throw fail(where, prop, name, 'Must be a valid alert name: letters, digits, \'_\' and \':\', not starting with a digit',
      'Write it in PascalCase, e.g. "PostgresDown"');
  }
}
