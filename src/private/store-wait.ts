/**
 * The wait for a store (`DataStoreConnectionProps.waitForStore`): an init container that waits
 * until the store's host resolves and its port accepts a TCP connection, bounded in time.
 */
import { Duration } from 'cdk8s';
import { imageProblem, isPinnedImage } from './pod-rules';
import { fail } from './validation';
import type { StoreWaitOptions } from '../connection/data-store-connection';

/** The image of the wait: a pinned, fully qualified busybox (sh, nc, date, sleep). */
export const WAIT_IMAGE = 'docker.io/library/busybox:1.36.1';

/** `nobody`: busybox runs as root unless told otherwise, which the restricted profile forbids. */
export const WAIT_USER = 65534;

/** The wait's settings, checked. */
export interface StoreWait {
  readonly image: string;
  readonly timeoutSeconds: number;
}

/**
 * The image and the timeout in whole seconds of `options`, with the defaults; errors name
 * `<prop>.image` and `<prop>.timeout`.
 */
export function resolveWait(where: string, prop: string, options: StoreWaitOptions): StoreWait {
  const image = options.image ?? WAIT_IMAGE;
  const problem = imageProblem(`${prop}.image`, image);
  if (problem) throw fail(where, problem.prop, problem.value, problem.allowed, problem.fix);
  if (!isPinnedImage(image)) {
    throw fail(where, `${prop}.image`, image, 'Must be pinned to a version tag other than "latest", or a digest: the wait runs in every consumer\'s pod',
      `Give a tag or a digest, e.g. ${JSON.stringify(WAIT_IMAGE)}`);
  }
  const seconds = (options.timeout ?? Duration.minutes(5)).toMilliseconds() / 1000;
  if (!Number.isInteger(seconds) || seconds < 1) {
    throw fail(where, `${prop}.timeout`, `${seconds} seconds`, 'Must be a whole number of seconds, at least 1',
      'Set \'timeout\' to a duration such as Duration.minutes(5)');
  }
  return { image, timeoutSeconds: seconds };
}

/** What the wait's messages say about the store. */
export interface WaitScriptOptions {
  /** How the messages name the store, e.g. `user-db (USER_DB)`. */
  readonly store: string;
  /** The host and port variables of the ConfigMap, e.g. `USER_DB_SERVICE_HOST`. */
  readonly hostVariable: string;
  readonly portVariable: string;
  /** The ConfigMap they come from. */
  readonly configMapName: string;
  readonly timeoutSeconds: number;
}

/**
 * The `sh -c` script of the wait (busybox ash, or any POSIX sh with busybox's `nc`): it reads
 * `STORE_HOST` and `STORE_PORT`, tries a TCP connection every 2 seconds (`nc -w 2 HOST PORT -e
 * true`: connect, then run `true`; a name that does not resolve yet fails like a refused
 * connection) and exits 0 once one succeeds, or 1 with a message after the timeout.
 *
 * The names in the messages are DNS names and variable names: nothing the shell would expand.
 */
export function waitScript(o: WaitScriptOptions): string {
  const where = `${o.store} at $STORE_HOST:$STORE_PORT`;
  return [
    `deadline=$(( $(date +%s) + ${o.timeoutSeconds} ))`,
    `echo "cdk8s-stateful: waiting for ${where} (${o.hostVariable}, ${o.portVariable} of ConfigMap ${o.configMapName}), up to ${o.timeoutSeconds} seconds"`,
    'until nc -w 2 "$STORE_HOST" "$STORE_PORT" -e true 2>/dev/null; do',
    '  if [ "$(date +%s)" -ge "$deadline" ]; then',
    `    echo "cdk8s-stateful: gave up waiting for ${where}: no TCP connection within ${o.timeoutSeconds} seconds. `
    + 'Check that the store runs and that its Service has ready endpoints; the kubelet retries this container" >&2',
    '    exit 1',
    '  fi',
    '  sleep 2',
    'done',
    `echo "cdk8s-stateful: ${where} accepts connections"`,
  ].join('\n');
}
