/**
 * What the engine modules share for TLS: where a preset's certificate is mounted in its pods, the
 * DNS names a server certificate must cover, RFC 6125 name matching, reading the names of a PEM
 * certificate, and the loop of the `tls-reload` sidecar that makes a running server pick up a
 * renewed certificate. Pure functions and constants; nothing here creates constructs.
 *
 * The certificate is a Secret of type `kubernetes.io/tls` (`tls.crt`, `tls.key`) with the CA that
 * signed it (`ca.crt`), as cert-manager writes it. In the server's pod it is a Secret volume with
 * `defaultMode` 0400 under the pod's `fsGroup` (999 for every preset): the kubelet creates the
 * files as root, changes their group to the fsGroup and adds group read (0440 for a read-only
 * volume: `SetVolumeOwnership`, pkg/volume/volume_linux.go), so they end up `root:999 0440`. The
 * server (uid 999, group 999) reads them through its group; PostgreSQL accepts a key owned by root
 * with mode 0640 or less (test/engines/postgres-tls-real.test.ts checks that on the real server,
 * with the files laid out as the kubelet does). The files are never copied: a renewed certificate
 * reaches the volume within about a minute, and the sidecar tells the server to reload it.
 */
import { X509Certificate } from 'crypto';
import { fail } from '../../private/validation';

/** Where the certificate Secret is mounted in the server's pod (read-only). */
export const TLS_MOUNT_PATH = '/run/secrets/tls';
/** The keys of a `kubernetes.io/tls` Secret, and cert-manager's CA key. */
export const TLS_CERT_KEY = 'tls.crt';
export const TLS_KEY_KEY = 'tls.key';
export const TLS_CA_KEY = 'ca.crt';
/** The Secret type of a TLS certificate. */
export const TLS_SECRET_TYPE = 'kubernetes.io/tls';
/** The name of the certificate volume in the server's pod. */
export const TLS_VOLUME_NAME = 'tls';
/**
 * The volume's `defaultMode`. The kubelet adds group read for the fsGroup, so the files are
 * `root:<fsGroup> 0440`: readable by the server's group, not by others (PostgreSQL refuses a key
 * others can read).
 */
export const TLS_DEFAULT_MODE = 0o400;
/** The name of the sidecar that reloads a renewed certificate. */
export const TLS_RELOAD_CONTAINER = 'tls-reload';
/** How often the sidecar compares the files, in seconds: the kubelet refreshes a Secret volume within about a minute. */
export const TLS_RELOAD_INTERVAL_SECONDS = 60;

/** The files of the certificate in the server's pod. */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
}

/** The files under `TLS_MOUNT_PATH`. */
export const TLS_FILES: TlsFiles = {
  certFile: `${TLS_MOUNT_PATH}/${TLS_CERT_KEY}`,
  keyFile: `${TLS_MOUNT_PATH}/${TLS_KEY_KEY}`,
  caFile: `${TLS_MOUNT_PATH}/${TLS_CA_KEY}`,
};

/** Where a StatefulSet's pods and Services are, for the names of its certificate. */
export interface TlsIdentity {
  readonly statefulSetName: string;
  /** The governing headless Service. */
  readonly serviceName: string;
  readonly namespace: string;
  readonly clusterDomain: string;
  /** The ordinals of the pods, e.g. [0, 1, 2]. */
  readonly ordinals: number[];
  /** The client Services (their names), besides the headless one. */
  readonly clientServices: string[];
}

/**
 * The names every client of the store may connect to, fully qualified: each pod
 * (`<sts>-<i>.<svc>.<ns>.svc.<domain>`: the primary endpoint, replication), the headless Service
 * and each client Service (`<name>.<ns>.svc.<domain>`: what a `DataStoreConnection` hands out).
 * A certificate must cover all of them.
 */
export function requiredTlsNames(identity: TlsIdentity): string[] {
  const suffix = `${identity.namespace}.svc.${identity.clusterDomain}`;
  return [
    ...identity.ordinals.map(i => `${identity.statefulSetName}-${i}.${identity.serviceName}.${suffix}`),
    ...[identity.serviceName, ...identity.clientServices].map(s => `${s}.${suffix}`),
  ];
}

/**
 * The `dnsNames` of a certificate the library requests: the required names, and the shorter forms
 * clients in the namespace resolve through their DNS search path: `<svc>`, `<svc>.<ns>`,
 * `<svc>.<ns>.svc` for each Service, and `<pod>.<svc>` for each pod. In that order, without
 * duplicates.
 */
export function defaultTlsNames(identity: TlsIdentity): string[] {
  const names: string[] = [];
  const add = (name: string) => { if (!names.includes(name)) names.push(name); };
  const ns = identity.namespace;
  for (const s of [identity.serviceName, ...identity.clientServices]) {
    for (const n of [s, `${s}.${ns}`, `${s}.${ns}.svc`, `${s}.${ns}.svc.${identity.clusterDomain}`]) add(n);
  }
  for (const i of identity.ordinals) {
    const pod = `${identity.statefulSetName}-${i}.${identity.serviceName}`;
    add(pod);
    add(`${pod}.${ns}.svc.${identity.clusterDomain}`);
  }
  return names;
}

/**
 * Whether a certificate name (a `dnsNames` entry or a DNS subject alternative name) covers a host
 * name, by the rules TLS clients apply (RFC 6125 section 6.4): case-insensitive, and a `*` only as
 * the whole leftmost label, matching exactly one label (`*.db.ns.svc.cluster.local` covers
 * `db-0.db.ns.svc.cluster.local`, not `db.ns.svc.cluster.local` nor `a.b.db.ns...`).
 */
export function tlsNameCovers(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const h = host.toLowerCase().replace(/\.$/, '');
  if (!p.startsWith('*.')) return p === h;
  const rest = p.slice(2);
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === rest && !rest.includes('*');
}

/** The first of `hosts` that none of `names` covers, if any. */
export function uncoveredTlsName(names: string[], hosts: string[]): string | undefined {
  return hosts.find(h => !names.some(n => tlsNameCovers(n, h)));
}

/**
 * Checks a list of certificate names given by the user: DNS names (lower case letters, digits,
 * '-' and '.', at most 253 characters), optionally with a `*` leftmost label.
 */
export function checkTlsNames(where: string, prop: string, names: string[]): void {
  if (!Array.isArray(names) || names.length === 0) {
    throw fail(where, prop, names, 'Must list at least one DNS name', `Leave '${prop}' out to get the names of the pods and Services`);
  }
  names.forEach((name, i) => {
    const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
    const labels = typeof name === 'string' ? name.split('.') : [];
    const ok = typeof name === 'string' && name.length <= 253 && labels.length > 0
      && labels.every((l, j) => (j === 0 && l === '*' && labels.length > 2) || (label.test(l) && l.length <= 63));
    if (!ok) {
      throw fail(where, `${prop}[${i}]`, name,
        'Must be a DNS name of at most 253 characters (lower case letters, digits, \'-\' and \'.\'), optionally starting with a "*." wildcard label',
        `Set '${prop}[${i}]' to a name such as "db.shop.svc.cluster.local" or "*.db.shop.svc.cluster.local"`);
    }
  });
}

/**
 * The DNS subject alternative names of a PEM certificate (the first one of a chain), or undefined
 * when the text is no certificate Node can read.
 */
export function certificateDnsNames(pem: string): string[] | undefined {
  try {
    const cert = new X509Certificate(pem);
    const san = cert.subjectAltName ?? '';
    return san.split(/,\s*/).filter(e => e.startsWith('DNS:')).map(e => e.slice(4));
  } catch {
    return undefined;
  }
}

/**
 * The `tls-reload` sidecar's script: every `TLS_RELOAD_INTERVAL_SECONDS` it compares the watched
 * files (the certificate, its key, the CA, and any configuration the reload re-reads) with what
 * it saw last; when they changed, it runs the engine's reload command, and on success remembers
 * the new state (a failed reload is retried at the next round). SIGTERM ends it at once (`sleep`
 * runs in the background and `wait` returns on the signal), so the pod does not wait out its
 * termination grace for the sidecar.
 *
 * The paths are written into the script unquoted: they are the library's own constants.
 *
 * @param files the files to watch
 * @param reload a shell command list that reloads the server, exit 0 on success
 */
export function tlsReloadScript(files: string[], reload: string): string {
  return [
    'set -u',
    'trap \'exit 0\' TERM INT',
    `state() { cat ${files.join(' ')} 2>/dev/null | cksum; }`,
    'last=$(state)',
    'while :; do',
    `  sleep ${TLS_RELOAD_INTERVAL_SECONDS} & wait $!`,
    '  now=$(state)',
    '  [ "$now" = "$last" ] && continue',
    '  echo "tls-reload: the certificate files changed: reloading"',
    `  if ${reload}; then`,
    '    last=$now',
    '    echo "tls-reload: reloaded"',
    '  else',
    `    echo "tls-reload: the reload failed; trying again in ${TLS_RELOAD_INTERVAL_SECONDS} s" >&2`,
    '  fi',
    'done',
    '',
  ].join('\n');
}
