/**
 * The Prometheus exporters of the presets, rendered as plain Kubernetes JSON for the sidecar: the
 * pinned images, the ports, the arguments and environment. Each exporter reaches its server over
 * the pod's loopback (127.0.0.1) and gets the credentials only by reference to the Secret: a file
 * or a `secretKeyRef`, never a literal or an argument.
 *
 * Checked against Debian's prometheus-postgres-exporter 0.11 and prometheus-redis-exporter 1.45
 * and real servers by test/engines/metrics-real.test.ts. The rendered flags are valid for the
 * pinned images; what only the pinned images know is set through environment variables, which
 * older releases ignore (see docs/metrics.md, "Debian's exporters").
 */
import { EnvVarJson } from './common';

/** An exporter image by its parts (the registry and repository can be replaced by a mirror). */
export interface ExporterImage {
  readonly registry: string;
  readonly repository: string;
  readonly tag: string;
}

/** A key of a Kubernetes Secret. */
export interface SecretKey {
  readonly name: string;
  readonly key: string;
}

/** What an exporter sidecar needs besides its image. */
export interface ExporterJson {
  readonly port: number;
  readonly args: string[];
  readonly env: EnvVarJson[];
  /** The user and group it runs as. */
  readonly user: number;
}

/**
 * postgres_exporter, pinned (https://github.com/prometheus-community/postgres_exporter/releases).
 * The image runs as `nobody`, a name: the kubelet verifies `runAsNonRoot` only for a numeric user,
 * so the sidecar states uid 65534.
 */
export const POSTGRES_EXPORTER_IMAGE: ExporterImage = { registry: 'quay.io', repository: 'prometheuscommunity/postgres-exporter', tag: 'v0.20.1' };
/** postgres_exporter's port (Prometheus's default port allocations). */
export const POSTGRES_EXPORTER_PORT = 9187;
/** `nobody`. */
export const POSTGRES_EXPORTER_UID = 65534;

/** Options of `renderPostgresExporter()`. */
export interface PostgresExporterOptions {
  /** The server's port in the pod. */
  readonly serverPort: number;
  /** The Secret key of the superuser's name. */
  readonly userSecret: SecretKey;
  /** The path of the password file in the exporter container (the credentials Secret's item). */
  readonly passwordFile: string;
}

/**
 * postgres_exporter against the server on the pod's loopback, as the superuser of the credentials
 * Secret: the name from its key (`DATA_SOURCE_USER`), the password from a file
 * (`DATA_SOURCE_PASS_FILE`; the exporter trims surrounding white space). It connects to the
 * `postgres` database, which always exists, without TLS (loopback only).
 */
export function renderPostgresExporter(options: PostgresExporterOptions): ExporterJson {
  return {
    port: POSTGRES_EXPORTER_PORT,
    user: POSTGRES_EXPORTER_UID,
    args: [`--web.listen-address=:${POSTGRES_EXPORTER_PORT}`],
    env: [
      { name: 'DATA_SOURCE_URI', value: `127.0.0.1:${options.serverPort}/postgres?sslmode=disable` },
      { name: 'DATA_SOURCE_USER', valueFrom: { secretKeyRef: { ...options.userSecret } } },
      { name: 'DATA_SOURCE_PASS_FILE', value: options.passwordFile },
    ],
  };
}

/** redis_exporter, pinned (https://github.com/oliver006/redis_exporter/releases): the scratch image. */
export const REDIS_EXPORTER_IMAGE: ExporterImage = { registry: 'docker.io', repository: 'oliver006/redis_exporter', tag: 'v1.88.0' };
/** redis_exporter's port. */
export const REDIS_EXPORTER_PORT = 9121;
/** The user of the image (`USER 59000:59000`). */
export const REDIS_EXPORTER_UID = 59000;

/** Options of `renderRedisExporter()`. */
export interface RedisExporterOptions {
  /** The server's port in the pod. */
  readonly serverPort: number;
  /**
   * The Secret key of the password.
   *
   * @default - no password
   */
  readonly password?: SecretKey;
  /**
   * Whether the server serves TLS only (the preset's `tls`: its plain port is off).
   *
   * @default false
   */
  readonly tls?: boolean;
}

/**
 * redis_exporter against the server on the pod's loopback. With `tls`, over TLS (`rediss://`),
 * without checking the certificate: it names the pod's DNS names, not 127.0.0.1, and the loopback
 * never leaves the pod (checked with Debian's prometheus-redis-exporter 1.45 by
 * test/engines/redis-tls-real.test.ts). The password comes from the Secret as
 * `REDIS_PASSWORD` (a `secretKeyRef`). `REDIS_EXPORTER_DISABLE_SCRAPE_ENDPOINT` turns off the
 * `/scrape?target=` endpoint, through which anyone reaching the port could make the exporter
 * connect elsewhere with the password (redis_exporter 1.83 and later; older releases ignore it).
 */
export function renderRedisExporter(options: RedisExporterOptions): ExporterJson {
  const env: EnvVarJson[] = [{ name: 'REDIS_ADDR', value: `${options.tls ? 'rediss' : 'redis'}://127.0.0.1:${options.serverPort}` }];
  if (options.tls) env.push({ name: 'REDIS_EXPORTER_SKIP_TLS_VERIFICATION', value: 'true' });
  if (options.password) env.push({ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { ...options.password } } });
  env.push({ name: 'REDIS_EXPORTER_DISABLE_SCRAPE_ENDPOINT', value: 'true' });
  return {
    port: REDIS_EXPORTER_PORT,
    user: REDIS_EXPORTER_UID,
    args: [`--web.listen-address=:${REDIS_EXPORTER_PORT}`],
    env,
  };
}
