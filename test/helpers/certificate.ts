// Throw-away certificates for the suites that speak TLS: one day, EC keys; self-signed, or from a
// certificate authority of the test's own (for clients that check the chain, as browsers do).
import { spawnSync } from 'node:child_process';
import { copyFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

export const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

export type CertificateFiles = { cert: string; key: string };

/** Runs `openssl req` for a new EC key and a one-day certificate of CN=NAME in DIR, with `extra` arguments. */
function opensslReq(dir: string, name: string, extra: readonly string[]): CertificateFiles {
  const cert = join(dir, `${name}.cert.pem`);
  const key = join(dir, `${name}.key.pem`);
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', `/CN=${name}`];
  const made = spawnSync('openssl', [...args, ...extra, '-keyout', key, '-out', cert], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl could not make a certificate: ${made.stderr}`);
  return { cert, key };
}

/**
 * Writes DIR/NAME.cert.pem and DIR/NAME.key.pem for `subjectAltName` (e.g. "IP:127.0.0.1"),
 * with NAME as the common name; throws with openssl's message when it fails.
 */
export function makeCertificate(dir: string, name: string, subjectAltName = 'IP:127.0.0.1'): CertificateFiles {
  return opensslReq(dir, name, ['-addext', `subjectAltName=${subjectAltName}`]);
}

/** A certificate authority of the test's own, to be trusted by the client under test. */
export function makeCertificateAuthority(dir: string, name: string): CertificateFiles {
  return opensslReq(dir, name, ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

/** A server certificate for `subjectAltName`, issued by `authority`, as a public CA would issue one. */
export function makeIssuedCertificate(dir: string, name: string, authority: CertificateFiles, subjectAltName = 'IP:127.0.0.1'): CertificateFiles {
  return opensslReq(dir, name, [
    '-CA',
    authority.cert,
    '-CAkey',
    authority.key,
    '-addext',
    `subjectAltName=${subjectAltName}`,
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-addext',
    'extendedKeyUsage=serverAuth',
  ]);
}

/** Installs a certificate where a server reads it, the way renewal tools do (write aside, rename). */
export function installCertificate(from: CertificateFiles, to: CertificateFiles): void {
  copyFileSync(from.key, `${to.key}.new`);
  copyFileSync(from.cert, `${to.cert}.new`);
  renameSync(`${to.key}.new`, to.key);
  renameSync(`${to.cert}.new`, to.cert);
}
