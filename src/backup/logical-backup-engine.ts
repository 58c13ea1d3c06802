import { ContainerResources, EnvValue, VolumeMount } from 'cdk8s-plus-27';
import { ConnectionTarget } from '../connection/data-store-connection';

/**
 * One side of an engine's logical backup, taking a dump or restoring one: a POSIX `sh` script and
 * what its container needs besides what the library gives it.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/job/
 */
export interface LogicalDumpCommand {
  /**
   * The engine's part of the Job's script, a POSIX `sh` script. The library runs it in a subshell
   * with `set -eu`, inside its own script (which checks the inputs, writes the backup's identity
   * file, renames the finished backup into place and prunes old ones, or checks the dump a restore
   * is given). A non-zero exit fails the Job.
   *
   * Taking a dump, the script must write every file of `LogicalBackupEngine.files` into
   * `$BACKUP_DIR` (a new, empty directory on the backup claim, also the working directory).
   * Restoring, `$BACKUP_DIR` is the dump's directory (read-only), and the script must:
   * - refuse (exit non-zero) a server whose identity marker names another store than `$STORE_ID`;
   * - do nothing (exit 0) when its marker says `$DUMP_ID` was restored already: with Argo CD, a
   *   restore is a Sync hook and runs again on every sync;
   * - refuse a store that holds data unless `$REPLACE_EXISTING` is `true`;
   * - restore, then record `$STORE_ID` and `$DUMP_ID` in the store.
   * A dump takes the same marker: a server marked as another store is refused, an unmarked one
   * is marked `$STORE_ID`.
   *
   * The environment has, besides `envVariables`: `STORE_HOST` and `STORE_PORT` (the address the
   * connection hands out, see `connectionTarget`), `STORE_CA_FILE` when the store serves TLS (the
   * path of the CA certificate the connection mounts: verify the server with it), `STORE_ID` (`<namespace>/<statefulset>` of the
   * store the Job is for), `BACKUP_DIR`, and when restoring `DUMP_ID`
   * (`<namespace>/<statefulset of the dumped store>@<dump>`) and `REPLACE_EXISTING`. `/tmp` is a
   * private writable directory (`mktemp -d`).
   *
   * @see https://pubs.opengroup.org/onlinepubs/9699919799/utilities/V3_chap02.html
   */
  readonly script: string;

  /**
   * More environment variables of the container, e.g. a password as a `secretKeyRef` where the
   * engine's clients read it from the environment (`REDISCLI_AUTH`). Prefer files (`volumeMounts`).
   *
   * @see https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/
   * @default - none
   */
  readonly envVariables?: { [name: string]: EnvValue };

  /**
   * More volumes of the container, e.g. the credentials Secret as files.
   *
   * @see https://kubernetes.io/docs/concepts/storage/volumes/#secret
   * @default - none (the backup claim is mounted by the library)
   */
  readonly volumeMounts?: VolumeMount[];

  /**
   * Resources of the container.
   *
   * @see https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
   * @default - the library's pod defaults (`PodDefaults`)
   */
  readonly resources?: ContainerResources;
}

/**
 * How an engine takes and restores logical backups: what a preset's
 * `EnginePreset.logicalBackupEngine()` hook returns, and what `LogicalBackup` and `LogicalRestore`
 * render into their Jobs.
 */
export interface LogicalBackupEngine {
  /**
   * The engine's name, written into every backup and checked by restores (a Redis dump is never
   * restored into PostgreSQL): lower case letters, digits and `-`, e.g. `postgres`.
   */
  readonly engineName: string;

  /**
   * The image of the Jobs: the server's own, so that the dump and restore tools always match the
   * server's version.
   *
   * @see https://kubernetes.io/docs/concepts/containers/images/
   */
  readonly image: string;

  /**
   * The user id the Jobs run as (the image's user of the engine).
   *
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
   */
  readonly user: number;

  /**
   * The group id the Jobs run as; also the pods' `fsGroup`, which makes the backup claim writable.
   *
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
   */
  readonly group: number;

  /**
   * The files one backup holds (plain names): a backup lacking one is not written, a dump lacking
   * one is not restored.
   *
   * For example: `["database.pgdump", "globals.sql"]`.
   */
  readonly files: string[];

  /**
   * Facts written into every backup's identity file (`backup.info`, one `key=value` a line) next
   * to the engine, the store and the time, e.g. the database a dump holds. Keys are lower case
   * letters, digits and `_`; values letters, digits and `._/:@-`.
   *
   * @default - none
   */
  readonly details?: { [key: string]: string };

  /** Taking a dump. */
  readonly backup: LogicalDumpCommand;

  /** Restoring a dump. */
  readonly restore: LogicalDumpCommand;

  /**
   * The address the Jobs get as `STORE_HOST` and `STORE_PORT`.
   *
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#stable-network-id
   * @default ConnectionTarget.PRIMARY
   */
  readonly connectionTarget?: ConnectionTarget;
}
