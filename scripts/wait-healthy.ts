// Waits until the service's /healthz answers 200, for scripts/install.sh after an upgrade. The
// address comes from the same settings as the service (PORTHELLO_HOST, PORTHELLO_PORT, TLS on
// or off), or from --url. Exit status 0 when healthy within the deadline, 1 otherwise.
//
//   node dist/scripts/wait-healthy.js [--env-file=PATH] [--url=URL] [--deadline-s=60]
import { parseArgs } from 'node:util';
import { environmentWith } from './env-file.js';
import { healthzUrl, probe } from './local-service.js';

const DEFAULT_DEADLINE_S = 60;
const MAX_DEADLINE_S = 3600;
/** Time between two attempts. */
const RETRY_MS = 500;

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'env-file': { type: 'string' }, url: { type: 'string' }, 'deadline-s': { type: 'string' } } });
  const deadlineText = values['deadline-s'] ?? String(DEFAULT_DEADLINE_S);
  if (!/^\d+$/.test(deadlineText) || Number(deadlineText) > MAX_DEADLINE_S) throw new Error(`--deadline-s must be an integer from 0 to ${MAX_DEADLINE_S}`);
  const env = environmentWith(values['env-file'], process.env);
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
