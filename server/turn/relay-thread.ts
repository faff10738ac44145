// One worker thread running the relay (relay-worker.ts), as relay-in-worker.ts starts it at
// start-up and again after a thread ended: its start, its messages turned into events for the
// mirror, its self-tests, its stop, and its end. Each thread is used once; a restart is a new one.
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import type { FromWorker, ToWorker, WorkerStart } from './relay-messages.js';
import type { RelayStatistics, SelfTestResult } from './relay.js';

/** The worker's entry sits next to this file, in dist/server/turn/ after the build as here. */
const WORKER_ENTRY = new URL('./relay-worker.js', import.meta.url);
/** stop() gives the worker this long to close its sockets, then ends the thread (which closes them too). */
export const WORKER_STOP_TIMEOUT_MS = 2000;

export type Ports = Readonly<{ port: number; tlsPort: number | null }>;

/** What a thread reports, as it happens. */
export type ThreadEvents = Readonly<{
  log: Logger;
  onAllocations(counts: ReadonlyArray<[string, number]>, total: number): void;
  onStatistics(statistics: RelayStatistics): void;
  /** The listening socket closed without stop() being asked. */
  onClosed(): void;
  /** A self-test the thread ran (never the answers made up here for a thread that ended). */
  onSelfTest(result: SelfTestResult): void;
  /** The thread ended without stop() being asked, after it had listened: a crash or a termination.
   *  `failure` is what it died of (an error's code or name, never its message: it may hold an address). */
  onEnded(exitCode: number, failure: string | null): void;
}>;

export type RelayThread = Readonly<{
  worker: Worker;
  /** Resolves once the relay listens; rejects as startRelay does (same error code), the thread ended. */
  started: Promise<Ports>;
  /** Ignored once the thread has ended. */
  send(message: ToWorker): void;
  selfTest(): Promise<SelfTestResult>;
  /** Closes the relay's sockets and ends the thread; at once when it has not listened yet. */
  stop(): Promise<void>;
}>;

export function startRelayThread(start: WorkerStart, events: ThreadEvents): RelayThread {
  const worker = new Worker(WORKER_ENTRY, { workerData: start });
  let listened = false;
  let ended = false;
  let stopping = false;
  let failure: string | null = null;
  const selfTests = new Map<number, (result: SelfTestResult) => void>();
  let nextSelfTestId = 1;
  let workerStopped: (() => void) | null = null;
  const send = (message: ToWorker): void => {
    if (!ended) worker.postMessage(message);
  };

  let startSettled = false;
  let resolveStart: (ports: Ports) => void = () => {};
  let rejectStart: (error: Error) => void = () => {};
  const started = new Promise<Ports>((resolve, reject) => {
    resolveStart = resolve;
    rejectStart = reject;
  });
  const settleStart = (outcome: Ports | Error): void => {
    if (startSettled) return;
    startSettled = true;
    if (outcome instanceof Error) {
      // The caller sees the failure only once the thread is gone: a retry may bind the same port.
      void worker.terminate().then(() => rejectStart(outcome));
    } else resolveStart(outcome);
  };

  worker.on('message', (message: FromWorker) => {
    switch (message.type) {
      case 'started':
        listened = true;
        settleStart({ port: message.port, tlsPort: message.tlsPort });
        return;
      case 'failed':
        settleStart(Object.assign(new Error(message.message), message.code === null ? {} : { code: message.code }));
        return;
      case 'log':
        events.log[message.level](message.category, message.message, message.fields);
        return;
      case 'allocations':
        events.onAllocations(message.counts, message.total);
        return;
      case 'statistics':
        events.onStatistics(message.statistics);
        return;
      case 'closed':
        events.onClosed();
        return;
      case 'selfTest':
        events.onSelfTest(message.result);
        selfTests.get(message.id)?.(message.result);
        selfTests.delete(message.id);
        return;
      case 'stopped':
        workerStopped?.();
        return;
    }
  });
  worker.on('error', (error: NodeJS.ErrnoException) => {
    failure = error.code ?? error.name;
    settleStart(error);
  });
  worker.on('exit', (exitCode) => {
    ended = true;
    settleStart(new Error(`the relay thread ended before listening (exit ${exitCode})`));
    const at = new Date().toISOString();
    for (const resolve of selfTests.values()) resolve({ ok: false, at, detail: 'the relay thread ended' });
    selfTests.clear();
    workerStopped?.();
    if (listened && !stopping) events.onEnded(exitCode, failure);
  });

  const stop = async (): Promise<void> => {
    stopping = true;
    if (listened && !ended) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        workerStopped = resolve;
        timer = setTimeout(resolve, WORKER_STOP_TIMEOUT_MS);
        send({ type: 'stop' });
      });
      clearTimeout(timer);
    }
    await worker.terminate();
  };
  let stopped: Promise<void> | null = null;

  return {
    worker,
    started,
    send,
    selfTest() {
      if (ended || stopping) return Promise.resolve({ ok: false, at: new Date().toISOString(), detail: 'the relay thread ended' });
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
