// The running service as seen from this box: its local address (from the same settings) and a
// liveness probe, for scripts/install.sh (through wait-healthy) and npm run doctor.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { CONFIG_KEYS, type ConfigKey } from '../server/config.js';

/** The most one attempt may take. */
const ATTEMPT_TIMEOUT_MS = 5_000;

/** The service's own listener as seen from this box, from its settings. */
export function localOrigin(env: Readonly<Record<string, string | undefined>>): string {
  const value = (key: ConfigKey): string => {
    const text = env[key]?.trim() ?? '';
    return text === '' ? CONFIG_KEYS[key] : text;
  };
  let host = value('PORTHELLO_HOST');
  // A wildcard listener answers on loopback too.
  if (host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::') host = '::1';
  const shown = isIP(host) === 6 ? `[${host}]` : host;
  const scheme = value('PORTHELLO_TLS_CERT') === '' ? 'http' : 'https';
  return `${scheme}://${shown}:${value('PORTHELLO_PORT')}`;
}

/** One GET; resolves with the status code, or null when nothing answered. */
export function probe(url: string): Promise<number | null> {
  return requestLocal(url).then(
    (reply) => reply.status,
    () => null,
  );
}

export function healthzUrl(env: Readonly<Record<string, string | undefined>>): string {
  return `${localOrigin(env)}/healthz`;
}

export type LocalReply = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** One request to the local service (its certificate names the public host, not this address). */
export function requestLocal(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<LocalReply> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      { method: options.method ?? 'GET', headers: options.headers ?? {}, timeout: ATTEMPT_TIMEOUT_MS, rejectUnauthorized: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${target.origin} within ${ATTEMPT_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
