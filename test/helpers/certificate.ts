// Throw-away certificates for the suites that speak TLS: self-signed, one day, an EC key.
import { spawnSync } from 'node:child_process';
import { copyFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

export const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

/**
 * Writes DIR/NAME.cert.pem and DIR/NAME.key.pem for `subjectAltName` (e.g. "IP:127.0.0.1"),
 * with NAME as the common name; throws with openssl's message when it fails.
 */
export function makeCertificate(dir: string, name: string, subjectAltName = 'IP:127.0.0.1'): { cert: string; key: string } {
  const cert = join(dir, `${name}.cert.pem`);
  const key = join(dir, `${name}.key.pem`);
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-addext',
      `subjectAltName=${subjectAltName}`,
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl could not make a certificate: ${made.stderr}`);
  return { cert, key };
}

/** Installs a certificate where a server reads it, the way renewal tools do (write aside, rename). */
export function installCertificate(from: { cert: string; key: string }, to: { cert: string; key: string }): void {
  copyFileSync(from.key, `${to.key}.new`);
  copyFileSync(from.cert, `${to.cert}.new`);
  renameSync(`${to.key}.new`, to.key);
  renameSync(`${to.cert}.new`, to.cert);
}
