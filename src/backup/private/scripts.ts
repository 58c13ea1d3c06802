/**
 * What the backup and restore Jobs of every engine share: the checks of their inputs (a cron
 * schedule, a dump's name) and the library's part of their scripts, which wraps the engine's part
 * (`LogicalDumpCommand.script`). Pure functions: no construct is created here.
 *
 * The layout on the backup claim:
 *
 *   /backup/<directory>/<YYYYMMDDTHHMMSSZ>/   one backup: the engine's files and `backup.info`
 *   /backup/<directory>/.tmp-<...>/           a backup being written (renamed when complete)
 *
 * A backup's name is the UTC time it started, so names sort by time.
 */
import { fail } from '../../private/validation';

/** Where the backup claim is mounted in the Jobs. */
export const BACKUP_MOUNT_PATH = '/backup';
/** The identity file of a backup: `engine=`, `store=`, `created=` and the engine's details. */
export const INFO_FILE = 'backup.info';
/** A backup's name: the UTC time it started. */
export const DUMP_NAME = /^([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})Z$/;

/** The environment variables the library gives the Jobs (besides the connection's and the engine's). */
export const ENV = {
  namespace: 'POD_NAMESPACE',
  engine: 'BACKUP_ENGINE',
  root: 'BACKUP_ROOT',
  files: 'BACKUP_FILES',
  retain: 'BACKUP_RETAIN',
  details: 'BACKUP_DETAILS',
  store: 'BACKUP_STORE',
  source: 'RESTORE_SOURCE',
  dump: 'RESTORE_DUMP',
  replace: 'RESTORE_REPLACE_EXISTING',
} as const;

/**
 * Checks a dump's name: the UTC time its backup started, `YYYYMMDDTHHMMSSZ` (e.g.
 * `20250301T023000Z`), a real date and time.
 */
export function checkDumpName(where: string, prop: string, dump: string): void {
  const m = typeof dump === 'string' ? DUMP_NAME.exec(dump) : null;
  const valid = m !== null && (() => {
    const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
    const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
    return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
      && date.getUTCHours() === hour && date.getUTCMinutes() === minute && date.getUTCSeconds() === second;
  })();
  if (!valid) {
    throw fail(where, prop, dump,
      'Must name one backup: the UTC time it started, YYYYMMDDTHHMMSSZ (e.g. "20250301T023000Z"), as the backup Job\'s log and the directory on the backup claim show it; '
      + '"latest" is not offered, as a restore that runs again (an Argo CD Sync hook) would restore another dump',
      `Set '${prop}' to the name of the dump to restore`);
  }
}

/** Checks the details a backup's identity file gets: keys `[a-z0-9_]`, values `[A-Za-z0-9._/:@-]`. */
export function checkDetails(where: string, prop: string, details: { [key: string]: string }): void {
  for (const [key, value] of Object.entries(details)) {
    if (!/^[a-z][a-z0-9_]*$/.test(key) || ['engine', 'store', 'created'].includes(key)) {
      throw fail(where, `${prop} key`, key, 'Must be lower case letters, digits and "_", starting with a letter, and not engine, store or created (the library writes those)',
        'Rename the key');
    }
    if (typeof value !== 'string' || !/^[A-Za-z0-9._/:@-]+$/.test(value)) {
      throw fail(where, `${prop}.${key}`, value, 'Must be letters, digits and "._/:@-" (a line of the identity file)', 'Change the value');
    }
  }
}

/** Lines of a script that define the engine's part as a shell function run in a subshell. */
function engineFunction(name: string, script: string): string[] {
  return [
    `${name}() (`,
    'set -eu',
    script.replace(/\n+$/, ''),
    ')',
  ];
}

/** The lines that read the store's address from the connection's variables and the store's identity. */
function connectionLines(who: string, hostVariable: string, portVariable: string, configMap: string, caFileVariable?: string): string[] {
  return [
    // the CA the connection mounts when the store serves TLS (the engine's part verifies the server with it)
    ...caFileVariable ? [
      `STORE_CA_FILE="\${${caFileVariable}:-}"`,
      `[ -s "$STORE_CA_FILE" ] || fail "${caFileVariable} (\\"$STORE_CA_FILE\\") names no CA certificate: the store serves TLS, and the connection mounts its CA there"`,
      'export STORE_CA_FILE',
    ] : [],
    `STORE_HOST="\${${hostVariable}:-}"`,
    `STORE_PORT="\${${portVariable}:-}"`,
    'if [ -z "$STORE_HOST" ] || [ -z "$STORE_PORT" ]; then',
    `  fail "${hostVariable} and ${portVariable} are not set: the connection's ConfigMap ${configMap} is missing"`,
    'fi',
    `case "\${${ENV.namespace}:-}" in`,
    `  ''|*[!a-z0-9-]*) fail "${ENV.namespace} \\"\${${ENV.namespace}:-}\\" is not a namespace name" ;;`,
    'esac',
    `STORE_ID="$${ENV.namespace}/$${who}"`,
    'export STORE_HOST STORE_PORT STORE_ID',
  ];
}

/** What `backupScript()` is rendered from. */
export interface BackupScriptOptions {
  /** The connection's host variable, e.g. `USER_DB_SERVICE_HOST`. */
  readonly hostVariable: string;
  /** The connection's port variable. */
  readonly portVariable: string;
  /** The connection's ConfigMap, for messages. */
  readonly configMapName: string;
  /** The connection's CA variable (`<PREFIX>_CA_FILE`), when the store serves TLS: the script exports its value as `STORE_CA_FILE`. */
  readonly caFileVariable?: string;
  /** The engine's part. */
  readonly engineScript: string;
}

/**
 * The backup Job's script. From the environment: `BACKUP_ENGINE`, `BACKUP_STORE` (the
 * StatefulSet), `BACKUP_ROOT` (the backups' directory on the claim), `BACKUP_FILES`,
 * `BACKUP_RETAIN`, `BACKUP_DETAILS` (`key=value ...`) and `POD_NAMESPACE`.
 *
 * 1. Removes what a killed backup left (`.tmp-*`: the CronJob runs one Job at a time).
 * 2. Runs the engine's part in a new directory `.tmp-<name>`, `<name>` being the UTC start time.
 * 3. Checks every file is there and not empty, writes `backup.info`, syncs, and renames the
 *    directory to `<name>`: a backup is either complete under its name or absent.
 * 4. Removes all but the newest `BACKUP_RETAIN` backups, and lists the kept ones.
 *
 * Any failure exits non-zero (the Job fails, the CronJob shows it) and keeps the backups as they
 * were.
 */
export function backupScript(o: BackupScriptOptions): string {
  return [
    'set -eu',
    'umask 077',
    'log() { printf \'backup: %s\\n\' "$*"; }',
    'fail() { printf \'backup: FAILED: %s\\n\' "$*" >&2; exit 1; }',
    ...engineFunction('engine_backup', o.engineScript),
    ...connectionLines(ENV.store, o.hostVariable, o.portVariable, o.configMapName, o.caFileVariable),
    `retain="\${${ENV.retain}:-}"`,
    'case "$retain" in',
    `  ''|0*|*[!0-9]*) fail "${ENV.retain} \\"$retain\\" is not a whole number of at least 1" ;;`,
    'esac',
    `root="$${ENV.root}"`,
    'mkdir -p "$root"',
    'for left in "$root"/.tmp-*; do',
    '  if [ -e "$left" ]; then log "removing $left, left by a backup that did not finish"; rm -rf "$left"; fi',
    'done',
    'name=$(date -u +%Y%m%dT%H%M%SZ)',
    '[ ! -e "$root/$name" ] || fail "$root/$name exists already"',
    'work="$root/.tmp-$name"',
    'trap \'rm -rf "$work"\' EXIT',
    'mkdir "$work"',
    `log "dumping the $${ENV.engine} store $STORE_ID at $STORE_HOST:$STORE_PORT into $root/$name"`,
    'export BACKUP_DIR="$work"',
    'cd "$work"',
    'set +e',
    'engine_backup',
    'status=$?',
    'set -e',
    'cd /',
    `[ "$status" -eq 0 ] || fail "the $${ENV.engine} dump exited with $status; the backups kept so far are unchanged"`,
    `for file in $${ENV.files}; do`,
    '  [ -s "$work/$file" ] || fail "the dump wrote no $file"',
    'done',
    '{',
    `  printf 'engine=%s\\nstore=%s\\ncreated=%s\\n' "$${ENV.engine}" "$STORE_ID" "$name"`,
    `  for detail in \${${ENV.details}:-}; do printf '%s\\n' "$detail"; done`,
    `} > "$work/${INFO_FILE}"`,
    'sync',
    'mv "$work" "$root/$name"',
    'sync',
    'log "wrote $root/$name ($(du -sk "$root/$name" | cut -f1) KiB)"',
    'ls -1 "$root" | grep -E \'^[0-9]{8}T[0-9]{6}Z$\' | sort -r | tail -n +"$((retain + 1))" | while read -r old; do',
    '  rm -rf "${root:?}/$old"',
    '  log "pruned $old (keeping the newest $retain)"',
    'done',
    'log "kept: $(ls -1 "$root" | grep -E \'^[0-9]{8}T[0-9]{6}Z$\' | sort | tr \'\\n\' \' \')"',
    '',
  ].join('\n');
}

/** What `restoreScript()` is rendered from. */
export interface RestoreScriptOptions extends BackupScriptOptions {}

/**
 * The restore Job's script. From the environment: `BACKUP_ENGINE`, `BACKUP_ROOT`, `BACKUP_FILES`,
 * `BACKUP_STORE` (the target StatefulSet), `RESTORE_SOURCE` (the StatefulSet whose dump it is),
 * `RESTORE_DUMP`, `RESTORE_REPLACE_EXISTING` and `POD_NAMESPACE`.
 *
 * Checks the dump before the engine's part runs: it exists, is complete (every file, not empty),
 * is a dump of this engine, and of the store it is expected to come from (`backup.info`). The
 * engine's part then checks the server (see `LogicalDumpCommand.script`).
 */
export function restoreScript(o: RestoreScriptOptions): string {
  return [
    'set -eu',
    'umask 077',
    'log() { printf \'restore: %s\\n\' "$*"; }',
    'fail() { printf \'restore: FAILED: %s\\n\' "$*" >&2; exit 1; }',
    ...engineFunction('engine_restore', o.engineScript),
    ...connectionLines(ENV.store, o.hostVariable, o.portVariable, o.configMapName, o.caFileVariable),
    `source_id="$${ENV.namespace}/$${ENV.source}"`,
    `DUMP_ID="$source_id@$${ENV.dump}"`,
    `dir="$${ENV.root}/$${ENV.dump}"`,
    'if [ ! -d "$dir" ]; then',
    `  fail "there is no dump $${ENV.dump} in $${ENV.root}; the dumps there: $(ls -1 "$${ENV.root}" 2>/dev/null | grep -E '^[0-9]{8}T[0-9]{6}Z$' | tr '\\n' ' ')"`,
    'fi',
    `[ -f "$dir/${INFO_FILE}" ] || fail "$dir has no ${INFO_FILE}: it is not a complete backup"`,
    `info() { sed -n "s/^$1=//p" "$dir/${INFO_FILE}" | head -n 1; }`,
    `[ "$(info engine)" = "$${ENV.engine}" ] || fail "$dir is a dump of the engine \\"$(info engine)\\", not $${ENV.engine}"`,
    '[ "$(info store)" = "$source_id" ] || fail "$dir is a dump of the store \\"$(info store)\\", not of $source_id: refusing to restore it"',
    `for file in $${ENV.files}; do`,
    '  [ -s "$dir/$file" ] || fail "$dir has no $file: it is not a complete backup"',
    'done',
    `case "\${${ENV.replace}:-}" in true|false) ;; *) fail "${ENV.replace} must be true or false" ;; esac`,
    `REPLACE_EXISTING="$${ENV.replace}"`,
    'export BACKUP_DIR="$dir" DUMP_ID REPLACE_EXISTING',
    `log "restoring $DUMP_ID into the $${ENV.engine} store $STORE_ID at $STORE_HOST:$STORE_PORT"`,
    'cd /',
    'set +e',
    'engine_restore',
    'status=$?',
    'set -e',
    `[ "$status" -eq 0 ] || fail "the $${ENV.engine} restore exited with $status"`,
    'log "done"',
    '',
  ].join('\n');
}
