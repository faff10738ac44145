// The worker thread that runs the embedded relay (startRelay, node-turn) for the main thread
// (relay-in-worker.ts), so that relaying packets never takes the event loop of HTTP and
// signaling. Started with the relay's options as workerData; answers the messages of
// relay-messages.ts and reports what the main thread mirrors: allocation counts as they change,
// the statistics at most once per STATISTICS_INTERVAL_MS, its log lines, a closed socket.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { Logger, LogFields } from '../log.js';
import type { FromWorker, LogLevelName, ToWorker, WorkerStart } from './relay-messages.js';
import { startRelay, type Relay, type RelayStatistics, type SelfTestResult } from './relay.js';

/** How often the statistics are sent when they changed: /metrics is scraped every 15 s or more. */
export const STATISTICS_INTERVAL_MS = 1000;

function parent(): MessagePort {
  if (parentPort === null) throw new Error('relay-worker.js runs as a worker thread (see relay-in-worker.ts)');
  return parentPort;
}
const port = parent();
const post = (message: FromWorker): void => port.postMessage(message);

/** Log lines go to the main thread's Logger, which formats and redacts them as its own. */
const emit =
  (level: LogLevelName) =>
  (category: string, message: string, fields?: LogFields): void =>
    post({ type: 'log', level, category, message, fields });
const log: Logger = { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };

/** Whatever moved since the last statistics message: packets, errors and handler failures only grow. */
function progress(statistics: RelayStatistics): number {
  let sum = statistics.relayed.toPeer.packets + statistics.relayed.toClient.packets + statistics.handlerErrors;
  for (const count of statistics.errorResponses.values()) sum += count;
  return sum;
}

async function run(): Promise<void> {
  const { options, users, certificate } = workerData as WorkerStart;
  // Credentials whose allocation count changed, sent together once this turn of the loop ends:
  // an allocation and its permissions often come in one burst.
  const changed = new Set<string>();
  let flushQueued = false;
  let stopping = false;
  let relay: Relay | null = null;
  const flushAllocations = (): void => {
    flushQueued = false;
    if (relay === null || changed.size === 0) return;
    const started = relay;
    const counts = [...changed].map((username): [string, number] => [username, started.allocationCount(username)]);
    changed.clear();
    post({ type: 'allocations', counts, total: started.allocationCount() });
  };
  let sentProgress = 0;
  const flushStatistics = (): void => {
    if (relay === null) return;
    const statistics = relay.statistics();
    const now = progress(statistics);
    if (now === sentProgress) return;
    sentProgress = now;
    post({ type: 'statistics', statistics });
  };

  try {
    relay = await startRelay(options, log, {
      onAllocations(username) {
        changed.add(username);
        if (flushQueued) return;
        flushQueued = true;
        setImmediate(flushAllocations);
      },
      onClose() {
        if (!stopping) post({ type: 'closed' });
      },
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    post({ type: 'failed', code: typeof code === 'string' ? code : null, message: error instanceof Error ? error.message : String(error) });
    // Nothing is left listening (startRelay closed it): the thread ends by itself.
    port.close();
    return;
  }
  const running = relay;
  // Before any packet is read (they arrive on later turns of the loop): a client of a call the
  // previous thread served finds its credential here from the first Allocate.
  for (const user of users) running.addUser(user.username, user.password, user.kind, user.callId);
  if (certificate !== null) running.replaceCertificate(certificate);
  const statisticsTimer = setInterval(flushStatistics, STATISTICS_INTERVAL_MS);

  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'addUser':
        running.addUser(message.username, message.password, message.kind, message.callId);
        return;
      case 'removeUser':
        running.removeUser(message.username);
        return;
      case 'selfTest':
        void running
          .selfTest()
          .catch((error: unknown): SelfTestResult => ({ ok: false, at: new Date().toISOString(), detail: error instanceof Error ? error.name : 'error' }))
          .then((result) => post({ type: 'selfTest', id: message.id, result }));
        return;
      case 'replaceCertificate':
        running.replaceCertificate(message.context);
        return;
      case 'stop':
        stopping = true;
        clearInterval(statisticsTimer);
        void running
          .stop()
          .catch((error: unknown) => log.error('turn', 'relay stop failed', { code: (error as NodeJS.ErrnoException | null)?.code ?? 'error' }))
          .then(() => {
            // The last counts and totals, so the main thread's mirror ends exact.
            flushAllocations();
            flushStatistics();
            post({ type: 'stopped' });
          });
        return;
    }
  });
  post({ type: 'started', port: running.port, tlsPort: running.tlsPort });
}

void run();
