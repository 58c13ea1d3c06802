/**
 * A test certificate authority made with the `openssl` command line, as cert-manager's CA issuer
 * would sign: a self-signed CA (P-256 keys, fast to make) and server certificates for the DNS
 * names a preset asks for (subjectAltName, serverAuth), each with its own serial.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A CA: its files and PEM texts. */
export interface TestCa {
  readonly dir: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly certPem: string;
}

/** A server certificate and key signed by a CA, as a `kubernetes.io/tls` Secret holds them. */
export interface TestCertificate {
  readonly 'tls.crt': string;
  readonly 'tls.key': string;
  readonly 'ca.crt': string;
  /** The serial number, as `openssl x509 -serial` prints it (hex). */
  readonly 'serial': string;
}

let serial = 0x1000 + Math.floor(Math.random() * 0x1000);

function openssl(args: string[], cwd: string): string {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** A new self-signed CA in `dir`. */
export function createTestCa(dir: string, name: string): TestCa {
  mkdirSync(dir, { recursive: true });
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', `/CN=${name}`], dir);
  return { dir, certFile: join(dir, 'ca.crt'), keyFile: join(dir, 'ca.key'), certPem: readFileSync(join(dir, 'ca.crt'), 'utf8') };
}

/** A server certificate for `dnsNames`, signed by `ca`, valid for a day. */
export function issueCertificate(ca: TestCa, dnsNames: string[], name: string): TestCertificate {
  const dir = join(ca.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ext.cnf'), [
    `subjectAltName=${dnsNames.map(n => `DNS:${n}`).join(',')}`,
    'basicConstraints=CA:FALSE',
    'keyUsage=digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    '',
  ].join('\n'));
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', `/CN=${dnsNames[0]}`], dir);
  serial += 1;
  openssl(['x509', '-req', '-in', 'tls.csr', '-CA', ca.certFile, '-CAkey', ca.keyFile, '-set_serial', String(serial),
    '-days', '1', '-extfile', 'ext.cnf', '-out', 'tls.crt'], dir);
  return {
    'tls.crt': readFileSync(join(dir, 'tls.crt'), 'utf8'),
    'tls.key': readFileSync(join(dir, 'tls.key'), 'utf8'),
    'ca.crt': ca.certPem,
    'serial': serial.toString(16).toUpperCase(),
  };
}

/** The serial number (hex) of a PEM certificate. */
export function serialOf(pem: string): string {
  const dir = '/tmp';
  const r = spawnSync('openssl', ['x509', '-noout', '-serial'], { cwd: dir, input: pem, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl x509: ${r.stderr}`);
  return r.stdout.trim().replace(/^serial=/, '').replace(/^0+/, '');
}
