/**
 * The schedule of a CronJob, checked at synth time as the API server checks it.
 *
 * Kubernetes parses `spec.schedule` with robfig/cron's standard parser (`cron.ParseStandard`):
 * five fields separated by white space, each a comma-separated list of `*` (or `?`), a value, a
 * range `a-b`, optionally with a step `/n` (`*\/15`, `1-30/2`; `a/n` runs from `a` to the
 * field's maximum). Months and days of the week also take their English names (`JAN`, `mon`).
 * The API server refuses anything else with `spec.schedule: Invalid value`, and a CronJob that is
 * never created takes no backups; this check says so before the manifest is applied.
 *
 * The parser's descriptors (`@daily`, `@every 1h`) and a `TZ=` prefix are valid for the API
 * server but are refused here: a schedule is written as five fields, and the time zone goes into
 * `timeZone`.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax
 * @see https://pkg.go.dev/github.com/robfig/cron/v3#hdr-CRON_Expression_Format
 */
import { fail } from './validation';

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The five fields in order, with robfig/cron's bounds. */
const FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 6, names: WEEKDAYS },
];

const ALLOWED = 'Must be a cron expression of five fields, "minute hour day-of-month month day-of-week" '
  + '(minute 0-59, hour 0-23, day of month 1-31, month 1-12 or JAN-DEC, day of week 0-6 or SUN-SAT, Sunday being 0); '
  + 'each field "*", a value, a range "a-b", a step "*/n" or "a-b/n", or a comma-separated list of these';

/**
 * Throws when `value` is not a five-field cron expression the API server accepts, naming the
 * field and what is wrong with it.
 *
 * @param where who complains, e.g. `SnapshotSchedule 'chart/nightly'`
 * @param prop the prop, e.g. `schedule`
 * @param value the expression, e.g. `0 3 * * *`
 */
export function checkCronSchedule(where: string, prop: string, value: string): void {
  const problem = cronProblem(value);
  if (problem !== undefined) {
    throw fail(where, prop, value, `${ALLOWED}. ${problem}`,
      `Set '${prop}' to an expression such as "0 3 * * *" (every day at 03:00) or "*/30 * * * *" (every 30 minutes), e.g. Cron.daily() or Cron.schedule({ minute: '0', hour: '3' })`);
  }
}

/** What is wrong with a cron expression, or undefined when the API server accepts it. */
export function cronProblem(value: string): string | undefined {
  if (typeof value !== 'string') return `It is not a string but ${typeof value}`;
  const trimmed = value.trim();
  if (trimmed.startsWith('@')) {
    return `Descriptors such as "${trimmed.split(/\s+/)[0]}" are not used here: write the five fields (@daily is "0 0 * * *", @hourly "0 * * * *")`;
  }
  if (/^(CRON_)?TZ=/.test(trimmed)) {
    return 'A time zone prefix in the schedule is not allowed: set the time zone with \'timeZone\'';
  }
  const fields = trimmed.length === 0 ? [] : trimmed.split(/\s+/);
  if (fields.length !== FIELDS.length) {
    return `It has ${fields.length} field${fields.length === 1 ? '' : 's'}, not 5`;
  }
  for (let i = 0; i < FIELDS.length; i++) {
    const problem = fieldProblem(fields[i], FIELDS[i]);
    if (problem !== undefined) return `The ${FIELDS[i].name} field (field ${i + 1}) "${fields[i]}": ${problem}`;
  }
  return undefined;
}

function fieldProblem(text: string, field: CronField): string | undefined {
  for (const part of text.split(',')) {
    const problem = partProblem(part, field);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** One element of a list: `*`, `?`, `a`, `a-b`, each optionally followed by `/step`. */
function partProblem(part: string, field: CronField): string | undefined {
  if (part === '') return 'an empty list element';
  const slashes = part.split('/');
  if (slashes.length > 2) return `"${part}" has more than one "/"`;
  const [range, stepText] = slashes;
  let start: number;
  let end: number;
  if (range === '*' || range === '?') {
    start = field.min;
    end = field.max;
  } else {
    const bounds = range.split('-');
    if (bounds.length > 2) return `"${range}" has more than one "-"`;
    const low = valueOf(bounds[0], field);
    if (typeof low === 'string') return low;
    start = low;
    if (bounds.length === 2) {
      const high = valueOf(bounds[1], field);
      if (typeof high === 'string') return high;
      end = high;
    } else {
      // "a/n" runs from a to the field's maximum
      end = stepText === undefined ? start : field.max;
    }
  }
  if (stepText !== undefined) {
    if (!/^[0-9]+$/.test(stepText)) return `the step "${stepText}" is not a whole number`;
    if (Number(stepText) === 0) return 'the step must be at least 1';
  }
  if (start < field.min) return `${start} is below the minimum, ${field.min}`;
  if (end > field.max) return `${end} is above the maximum, ${field.max}`;
  if (start > end) return `the range starts at ${start}, after its end, ${end}`;
  return undefined;
}

/** A number, or a name where the field has names; a string describing the problem otherwise. */
function valueOf(text: string, field: CronField): number | string {
  const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + field.min;
  if (/^[0-9]+$/.test(text)) return Number(text);
  if (text === '') return 'a range is missing a bound';
  return field.names
    ? `"${text}" is neither a number nor a ${field.name === 'month' ? 'month name (JAN-DEC)' : 'day name (SUN-SAT)'}`
    : `"${text}" is not a number`;
}

/**
 * Checks a CronJob's time zone: a name of the IANA time zone database, as the API server (which
 * looks it up with Go's `time.LoadLocation()`) accepts it; not "Local", the controller's own.
 *
 * @param whenUnset what leaving the prop out means, for the message (e.g. `for "Etc/UTC"`)
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones
 */
export function checkTimeZone(where: string, prop: string, timeZone: string, whenUnset: string): void {
  let known = typeof timeZone === 'string' && /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(timeZone) && timeZone !== 'Local';
  if (known) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone });
    } catch {
      known = false;
    }
  }
  if (!known) {
    throw fail(where, prop, timeZone,
      'Must be a time zone of the IANA database, such as "Etc/UTC" or "Europe/Berlin" ("Local", the controller\'s own, is not allowed)',
      `Set '${prop}' to a time zone name, or leave it out ${whenUnset}`);
  }
}
