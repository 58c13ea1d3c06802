/**
 * TLS of the `Redis` and `Valkey` presets, as pure functions: the configuration directives
 * `renderRedis()` writes in place of `port`, what a client in the pod (or in another pod) needs
 * to talk to the server, and the `tls-reload` sidecar's command.
 *
 * What the servers do (Redis 7.0 and later, every Valkey; checked on Debian's redis-server 7.0 by
 * test/engines/redis-tls-real.test.ts):
 * - `tls-port` serves TLS; `port 0` turns the plain TCP port off, so a plain client is refused;
 *   the Unix socket stays plain, which is what the probes use;
 * - `tls-replication yes`: a replica connects to its primary's `tls-port` over TLS and verifies
 *   the primary's certificate against `tls-ca-cert-file` (the chain; Redis checks no host name);
 * - `tls-auth-clients no`: clients are not asked for certificates (they authenticate with the
 *   password, when there is one);
 * - the certificate files are read at start, and again by `CONFIG SET tls-cert-file <path>` even
 *   when the path is the same (the TLS settings are reloaded on every such `CONFIG SET`): that is
 *   how `tls-reload` makes a running server take a renewed certificate.
 */
import { TlsFiles } from './tls';

/** What consumers' drivers get: TLS, verifying the chain and the host name (`verify-full`, as libpq says it). */
export const REDIS_TLS_CLIENT_VARIABLES: Readonly<{ [variable: string]: string }> = { TLS: 'verify-full' };

/** TLS of the server. */
export interface RedisTlsSettings {
  /** The certificate's files in the pod. */
  readonly files: TlsFiles;
}

/**
 * The directives that replace `port <port>`: TLS on the client port, the plain port off, and the
 * certificate, key and CA. `tls-replication yes` makes replicas connect over TLS.
 *
 * @param tls the certificate's files
 * @param port the client port
 */
export function redisTlsConfig(tls: RedisTlsSettings, port: number): string[] {
  return [
    'port 0',
    `tls-port ${port}`,
    `tls-cert-file ${tls.files.certFile}`,
    `tls-key-file ${tls.files.keyFile}`,
    `tls-ca-cert-file ${tls.files.caFile}`,
    'tls-auth-clients no',
    'tls-replication yes',
  ];
}

/**
 * The command `tls-reload` runs to make the server read the certificate again: `CONFIG SET` of
 * the three files (the same paths) over the Unix socket, with the password from `REDISCLI_AUTH`
 * when there is one; success is the reply `OK`.
 *
 * @param cli `redis-cli` or `valkey-cli`
 * @param socket the server's Unix socket
 * @param files the certificate's files
 */
export function redisTlsReloadCommand(cli: string, socket: string, files: TlsFiles): string {
  return `[ "$(${cli} -s ${socket} CONFIG SET tls-cert-file ${files.certFile} tls-key-file ${files.keyFile} tls-ca-cert-file ${files.caFile} 2>&1)" = OK ]`;
}
