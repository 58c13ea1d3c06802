import { Construct } from 'constructs';
import { RedisCompatibleBase, RedisCompatibleEngine, RedisCompatibleProps } from './redis';
import { defaultTagOf } from '../private/engine-versions';
import { fail } from '../private/validation';

/**
 * A Valkey version: the tag of the Valkey project's `valkey/valkey` image the preset runs.
 *
 * Every Valkey release works with the preset (Valkey forked from Redis 7.2.4 and kept the
 * configuration directives the preset writes). The constants pin the newest patch release of the
 * maintained lines, checked against the release notes and advisories (the engine version policy,
 * docs/engine-versions.md); a library release moves them forward within their line, never to
 * another line. A tag given to `of()` below its line's first release without known critical or
 * high advisories, or of a line past its end of life, is accepted, and the `Valkey` that runs it
 * warns (`[vulnerable-engine-version]`, `[unmaintained-engine-version]`).
 *
 * @see https://hub.docker.com/r/valkey/valkey
 * @see https://valkey.io/topics/releases/
 */
export class ValkeyVersion {
  /** Valkey 8.0, pinned to its newest patch release (`8.0.12`). Maintained until 2027-09-15. */
  public static readonly V8_0 = new ValkeyVersion(defaultTagOf('valkey', '8.0'));

  /**
   * Valkey 8.1, pinned to its newest patch release (`8.1.11`; the default). Security fixes until
   * 2030-03-31.
   */
  public static readonly V8_1 = new ValkeyVersion(defaultTagOf('valkey', '8.1'));

  /** Valkey 9.0, pinned to its newest patch release (`9.0.8`). Maintained until 2028-10-21. */
  public static readonly V9_0 = new ValkeyVersion(defaultTagOf('valkey', '9.0'));

  /**
   * A version by its image tag, e.g. `8.1.11` or `8.1.11-trixie` (the Debian variants: the preset
   * runs as the image's `valkey` user, uid and gid 999).
   *
   * @param tag a tag of the `valkey/valkey` image: `<major>.<minor>[.<patch>][-<variant>]`, 7.2 or later
   */
  public static of(tag: string): ValkeyVersion {
    const m = /^(\d+)\.(\d+)(\.\d+)?(-[a-z0-9][a-z0-9._-]*)?$/.exec(tag);
    if (!m) {
      throw fail('ValkeyVersion', 'tag', tag, 'Must be a version tag of the valkey/valkey image, e.g. "8.1.11" or "8.1.11-trixie"',
        'Pass the tag without the image name, or use ValkeyVersion.V8_1');
    }
    const major = Number(m[1]);
    if (major < 7 || (major === 7 && Number(m[2]) < 2)) {
      throw fail('ValkeyVersion', 'tag', tag, 'Must be 7.2 or later: Valkey\'s first release is 7.2.4',
        'Use ValkeyVersion.V8_1, or the tag of a Valkey release');
    }
    if (/alpine/.test(tag)) {
      throw fail('ValkeyVersion', 'tag', tag, 'Must be a Debian variant: the preset runs as uid and gid 999, the Debian images\' valkey user',
        'Drop the "-alpine" suffix, or use the "-trixie" variant');
    }
    return new ValkeyVersion(tag);
  }

  /** The image tag, e.g. `8.1.11`. */
  public readonly tag: string;

  private constructor(tag: string) {
    this.tag = tag;
  }
}

/**
 * Props of `Valkey`: the props of every Redis-compatible preset, and the Valkey version.
 *
 * The `StatefulWorkloadOptions` pass through to the workload, except:
 * - `replicas`: not accepted (an error); the pod count is `readReplicas + 1`;
 * - `podManagementPolicy` defaults to `Parallel`;
 * - `headlessService.publishNotReadyAddresses` is always on (an error if set to false), and
 *   `governingService` is refused: the replicas resolve the primary's pod name before it is Ready;
 * - `securityContext`: `fsGroup` defaults to 999, the image's `valkey` group.
 */
export interface ValkeyProps extends RedisCompatibleProps {
  /**
   * The Valkey version (the image tag).
   *
   * @see https://hub.docker.com/r/valkey/valkey
   * @see https://valkey.io/topics/releases/
   * @default ValkeyVersion.V8_1
   */
  readonly version?: ValkeyVersion;
}

/**
 * Valkey, the BSD-licensed fork of Redis (Linux Foundation), with read replicas on one
 * StatefulSet, from the `valkey/valkey` image: the same preset as `Redis` (one base,
 * `RedisCompatibleBase`, and one engine module), so replication, persistence, password handling,
 * probes and everything added to them later behave the same. What differs: the image, the
 * binaries (`valkey-server`, `valkey-cli`), the container name (`valkey`) and the configuration
 * paths (`/etc/valkey/valkey.conf`, `valkey.sock`, the volume `valkey-config`). The port keeps the
 * protocol's name, `redis`, and the password variable `REDISCLI_AUTH` (valkey-cli reads it), so
 * consumers wired with `DataStoreConnection` get the same variables from either preset.
 *
 * Pod `ordinals.start` (0) is the primary, every other pod `replicaof` it by its stable DNS name;
 * `<name>-write` reaches only the primary, `<name>-read` every pod; the preset's `endpoint` is the
 * write Service. There is no failover: while the primary is down, writes wait for its pod to come
 * back with its data from its claim. Deleting the primary's claim loses the data on every pod
 * (see `Redis`); a `persistentVolumeClaimRetentionPolicy` that deletes claims warns
 * `[redis-primary-claim-deletion]`.
 *
 * Moving a running `Redis` to `Valkey` on the same claims works from Redis 7.2 and earlier (Valkey
 * reads their data files); Redis 7.4 and later write files Valkey cannot read.
 *
 * @see https://valkey.io/topics/replication/
 */
export class Valkey extends RedisCompatibleBase {
  /** The Valkey version. */
  public readonly version: ValkeyVersion;

  constructor(scope: Construct, id: string, props: ValkeyProps = {}) {
    const version = props.version ?? ValkeyVersion.V8_1;
    super(scope, id, props, RedisCompatibleEngine.valkey(version));
    this.version = version;
  }
}
