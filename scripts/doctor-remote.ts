// npm run doctor: the certificate browsers see at the public URL, when something other than
// Porthello serves it (a reverse proxy). A TLS handshake with the name users type, verified as a
// browser would (the system's CA store), then the end date.
import { isIP } from 'node:net';
import { connect, type PeerCertificate } from 'node:tls';
import { CERTIFICATE_WARN_DAYS, type Finding } from './doctor-checks.js';

const HANDSHAKE_TIMEOUT_MS = 5000;
const DAY_MS = 24 * 3600_000;

type Handshake = { certificate: PeerCertificate; authorizationError: string | null };

function handshake(host: string, port: number): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    // SNI carries names only; the identity check still compares the certificate with `host`.
    const socket = connect({ host, port, ...(isIP(host) === 0 ? { servername: host } : {}), rejectUnauthorized: false, timeout: HANDSHAKE_TIMEOUT_MS }, () => {
      const result = { certificate: socket.getPeerCertificate(), authorizationError: socket.authorized ? null : String(socket.authorizationError) };
      socket.end();
      resolve(result);
    });
    socket.on('timeout', () => socket.destroy(new Error(`no TLS answer within ${HANDSHAKE_TIMEOUT_MS} ms`)));
    socket.on('error', reject);
  });
}

export async function checkServedCertificate(publicOrigin: string, nowMs: number): Promise<Finding> {
  const name = 'certificate';
  const url = new URL(publicOrigin);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port === '' ? 443 : url.port);
  let result: Handshake;
  try {
    result = await handshake(host, port);
  } catch (error) {
    return {
      name,
      level: 'fail',
      message: `${publicOrigin} does not answer HTTPS from here (${error instanceof Error ? error.message : String(error)})`,
      fix: 'start the reverse proxy, and check DNS and the firewall (README, Production)',
    };
  }
  if (result.authorizationError !== null)
    return {
      name,
      level: 'fail',
      message: `browsers will refuse the certificate at ${publicOrigin}: ${result.authorizationError}`,
      fix: 'serve a certificate from a public CA for this name, with its full chain',
    };
  const endMs = Date.parse(result.certificate.valid_to);
  const daysLeft = Math.floor((endMs - nowMs) / DAY_MS);
  if (daysLeft < CERTIFICATE_WARN_DAYS)
    return {
      name,
      level: 'warn',
      message: `the certificate at ${publicOrigin} expires in ${daysLeft} days (${result.certificate.valid_to})`,
      fix: 'check that renewal runs and reloads the proxy',
    };
  return { name, level: 'ok', message: `${publicOrigin} serves a trusted certificate for ${daysLeft} more days` };
}
