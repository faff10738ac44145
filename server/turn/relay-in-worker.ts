// The embedded relay in a worker thread, as the main thread sees it: the same Relay interface,
// backed by messages to relay-worker.ts, which runs startRelay (node-turn) on its own event loop.
// Every relayed packet is a callback and a sendmsg; on the main thread, 50 allocations at a
// call's rate made signaling wait behind them (BENCHMARKS.md, "Signaling while the relay works").
//
// Commands (addUser, removeUser, replaceCertificate, selfTest, stop) are messages, delivered in
// the order they were made. The synchronous reads answer from a mirror the worker keeps up to date:
// - allocationCount: the worker sends the counts of the credentials whose allocations changed at
//   the end of the loop turn that changed them, so the mirror lags by one message (well under a
//   second even with the worker busy relaying). credentials.ts reads it on its 30 s sweep to mark
//   a credential used, which only matters 5 min after it was last asked for; /metrics reads the
//   total at scrape time. Neither can tell a lag of a message from an allocation made just after.
// - statistics: sent at most every STATISTICS_INTERVAL_MS (1 s) while they change, and once
//   more on stop; /metrics scrapes them every 15 s or more.
// - isListening: false as soon as the worker reports its socket closed, and as soon as the
//   thread ends unexpectedly (crash, termination), with an error logged: /healthz then reports
//   the relay down. lastSelfTest: the last result the worker sent.
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import { cloneableContext, workerOptions, type FromWorker, type ToWorker } from './relay-messages.js';
import type { Relay, RelayOptions, RelayStatistics, SelfTestResult } from './relay.js';

/** The worker's entry sits next to this file, in dist/server/turn/ after the build as here. */
const WORKER_ENTRY = new URL('./relay-worker.js', import.meta.url);
/** stop() gives the worker this long to close its sockets, then ends the thread (which closes them too). */
export const WORKER_STOP_TIMEOUT_MS = 2000;

const NO_STATISTICS: RelayStatistics = {
  relayed: { toPeer: { packets: 0, bytes: 0 }, toClient: { packets: 0, bytes: 0 } },
  errorResponses: new Map(),
  handlerErrors: 0,
};

/** The relay, and its thread (tests end it to see the relay reported down). */
export type WorkerRelay = Relay & { readonly worker: Worker };

type Ports = { port: number; tlsPort: number | null };

/** Starts the relay in a worker thread; rejects as startRelay does (same error code) when it cannot listen. */
export async function startRelayInWorker(options: RelayOptions, log: Logger): Promise<WorkerRelay> {
  const worker = new Worker(WORKER_ENTRY, { workerData: workerOptions(options) });
  const send = (message: ToWorker): void => worker.postMessage(message);

  const counts = new Map<string, number>();
  let total = 0;
  let statistics = NO_STATISTICS;
  let lastSelfTest: SelfTestResult | null = null;
  let listening = false;
  let stopping = false;
  /** Listening once: an end before that is a start-up failure, which the caller reports. */
  let wasStarted = false;
  let ended = false;
  /** What the thread died of (an error's code or name), for the log line when it ends. */
  let failure: string | null = null;
  const selfTests = new Map<number, (result: SelfTestResult) => void>();
  let nextSelfTestId = 1;
  let workerStopped: (() => void) | null = null;
  const settleSelfTest = (id: number, result: SelfTestResult): void => {
    lastSelfTest = result;
    selfTests.get(id)?.(result);
    selfTests.delete(id);
  };

  let startSettled = false;
  const ports = new Promise<Ports>((resolve, reject) => {
    const settle = (outcome: Ports | Error): void => {
      if (startSettled) return;
      startSettled = true;
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'started':
          listening = true;
          wasStarted = true;
          settle({ port: message.port, tlsPort: message.tlsPort });
          return;
        case 'failed':
          settle(Object.assign(new Error(message.message), message.code === null ? {} : { code: message.code }));
          return;
        case 'log':
          log[message.level](message.category, message.message, message.fields);
          return;
        case 'allocations':
          for (const [username, count] of message.counts) {
            if (count === 0) counts.delete(username);
            else counts.set(username, count);
          }
          total = message.total;
          return;
        case 'statistics':
          statistics = message.statistics;
          return;
        case 'closed':
          listening = false;
          return;
        case 'selfTest':
          settleSelfTest(message.id, message.result);
          return;
        case 'stopped':
          listening = false;
          workerStopped?.();
          return;
      }
    });
    worker.on('error', (error: NodeJS.ErrnoException) => {
      // Not the message: it may hold an address. The 'exit' that follows logs it.
      failure = error.code ?? error.name;
      settle(error);
    });
    worker.on('exit', (exitCode) => {
      ended = true;
      listening = false;
      settle(new Error(`the relay thread ended before listening (exit ${exitCode})`));
      if (wasStarted && !stopping) log.error('turn', 'the relay thread ended; the relay is down', { code: exitCode, error: failure ?? undefined });
      const at = new Date().toISOString();
      for (const id of [...selfTests.keys()]) settleSelfTest(id, { ok: false, at, detail: 'the relay thread ended' });
      workerStopped?.();
    });
  });

  let started: Ports;
  try {
    started = await ports;
  } catch (error) {
    await worker.terminate();
    throw error;
  }

  let stopped: Promise<void> | null = null;
  const stop = async (): Promise<void> => {
    stopping = true;
    if (!ended) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        workerStopped = resolve;
        timer = setTimeout(resolve, WORKER_STOP_TIMEOUT_MS);
        send({ type: 'stop' });
      });
      clearTimeout(timer);
    }
    listening = false;
    await worker.terminate();
  };

  return {
    worker,
    port: started.port,
    tlsPort: started.tlsPort,
    advertisedHost: options.externalIp ?? options.host,
    isListening: () => listening,
    addUser: (username, password, kind = 'call', callId = null) => send({ type: 'addUser', username, password, kind, callId }),
    removeUser: (username) => send({ type: 'removeUser', username }),
    allocationCount: (username) => (username === undefined ? total : (counts.get(username) ?? 0)),
    statistics: () => statistics,
    lastSelfTest: () => lastSelfTest,
    replaceCertificate: (context) => send({ type: 'replaceCertificate', context: cloneableContext(context) }),
    selfTest() {
      if (ended || stopping) return Promise.resolve({ ok: false, at: new Date().toISOString(), detail: 'the relay is stopped' });
      const id = nextSelfTestId++;
      return new Promise<SelfTestResult>((resolve) => {
        selfTests.set(id, resolve);
        send({ type: 'selfTest', id });
      });
    },
    stop() {
      stopped ??= stop();
      return stopped;
    },
  };
}
