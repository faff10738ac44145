// A relay in a worker thread, in a process of its own, stopped while it restarts its thread: the
// test (relay-restart.test.ts) sees that nothing is left holding the process, which must then end
// by itself. Ends the relay's thread, waits until the relay is restarting it, then stops it:
// - backoff: during the wait before the new thread, which is long (a left timer would hold the process);
// - starting: once the new thread exists, before it may have listened.
// Prints "stopped" once stop() is done, and never calls process.exit on success.
//
//   node dist/test/turn/helpers/relay-stop-restart.js backoff|starting
import { createLogger } from '../../../server/log.js';
import { startRelayInWorker } from '../../../server/turn/relay-in-worker.js';
import { loopbackRelayOptions, retryWhilePortTaken } from '../../helpers/relay.js';
import { waitUntil } from '../../helpers/wait.js';

/** Far longer than the test waits for this process: a restart timer left running would hold it. */
const LONG_BACKOFF_MS = 10 * 60_000;
/** The whole run; the relay starts and stops within a second or two. */
const RUN_TIMEOUT_MS = 10_000;

async function run(mode: string): Promise<void> {
  const logs: string[] = [];
  const log = createLogger({ level: 'debug', write: (line) => logs.push(line) });
  const backoffMs = mode === 'backoff' ? LONG_BACKOFF_MS : 0;
  const policy = { perWindow: 3, windowMs: 60_000, backoffMinMs: backoffMs, backoffMaxMs: backoffMs };
  const relay = await retryWhilePortTaken(() => startRelayInWorker(loopbackRelayOptions([50940, 50949]), log, policy));
  const first = relay.worker;
  await first.terminate();
  await waitUntil(() => logs.some((line) => line.includes('the relay thread ended; restarting it')), 'the restart to be under way');
  if (mode === 'starting') await waitUntil(() => relay.worker !== first, 'the new thread');
  else if (relay.worker !== first || relay.isListening()) throw new Error('the relay did not wait before restarting');
  await relay.stop();
  if (relay.worker.threadId !== -1) throw new Error('a relay thread is still running');
  process.stdout.write('stopped\n');
}

const deadline = setTimeout(() => {
  process.stdout.write(`not stopped within ${RUN_TIMEOUT_MS} ms\n`);
  process.exit(1);
}, RUN_TIMEOUT_MS);

run(process.argv[2] ?? '').then(
  () => clearTimeout(deadline),
  (error: unknown) => {
    clearTimeout(deadline);
    process.stdout.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
