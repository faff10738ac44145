// Waits until the service's /healthz answers 200, for scripts/install.sh after an upgrade. The
// address comes from the same settings as the service (PORTHELLO_HOST, PORTHELLO_PORT, TLS on
// or off), or from --url. Exit status 0 when healthy within the deadline, 1 otherwise.
//
//   node dist/scripts/wait-healthy.js [--env-file=PATH] [--url=URL] [--deadline-s=60]
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { CONFIG_KEYS, parseEnvFile, type ConfigKey } from '../server/config.js';

const DEFAULT_DEADLINE_S = 60;
const MAX_DEADLINE_S = 3600;
/** Time between two attempts, and the most one attempt may take. */
const RETRY_MS = 500;
const ATTEMPT_TIMEOUT_MS = 5_000;

/** The local address of the service's /healthz, from its settings. */
export function healthzUrl(env: Readonly<Record<string, string | undefined>>): string {
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
  return `${scheme}://${shown}:${value('PORTHELLO_PORT')}/healthz`;
}

/** One GET; resolves with the status code, or null when nothing answered. */
export function probe(url: string, timeoutMs = ATTEMPT_TIMEOUT_MS): Promise<number | null> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    // Only liveness is asked here: the certificate names the public host, not this address
    // (npm run doctor checks the certificate).
    const req = request(target, { method: 'GET', timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? null);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(null));
    req.end();
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'env-file': { type: 'string' }, url: { type: 'string' }, 'deadline-s': { type: 'string' } } });
  const deadlineText = values['deadline-s'] ?? String(DEFAULT_DEADLINE_S);
  if (!/^\d+$/.test(deadlineText) || Number(deadlineText) > MAX_DEADLINE_S) throw new Error(`--deadline-s must be an integer from 0 to ${MAX_DEADLINE_S}`);
  const envFile = values['env-file'];
  const env = { ...(envFile === undefined ? {} : parseEnvFile(readFileSync(envFile, 'utf8'))), ...process.env };
  const url = values.url ?? healthzUrl(env);
  const deadline = Date.now() + Number(deadlineText) * 1000;
  let last: number | null = null;
  for (;;) {
    last = await probe(url);
    if (last === 200) {
      process.stdout.write(`${url}: 200\n`);
      return 0;
    }
    if (Date.now() + RETRY_MS > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
  process.stderr.write(`${url}: ${last === null ? 'no answer' : `status ${last}`} after ${deadlineText} s\n`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`wait-healthy: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
