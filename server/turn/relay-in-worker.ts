// The embedded relay in a worker thread, as the main thread sees it: the same Relay interface,
// backed by messages to relay-worker.ts, which runs startRelay (node-turn) on its own event loop
// (one thread at a time, relay-thread.ts). Every relayed packet is a callback and a sendmsg; on the
// main thread, 50 allocations at a call's rate made signaling wait behind them (BENCHMARKS.md,
// "Signaling while the relay works").
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
// - isListening: false as soon as the worker reports its socket closed, and while the thread is
//   being restarted: /healthz then reports the relay down. lastSelfTest: the last result a thread
//   sent; a restarted thread runs one as soon as it listens, as the first does at start-up.
//
// A thread that ends unexpectedly after it listened (a crash, an uncaught error, a termination)
// is replaced, within RELAY_RESTART_POLICY (relay-restart.ts), by a new one on the same ports with
// the same options, which starts holding the credentials added and not removed and the last
// certificate given: commands made meanwhile update that state, and go to the new thread in order
// once it exists. The old thread's allocations are gone with it (their clients' ICE allocates
// again), so the allocation mirror restarts from zero; the statistics stay cumulative across
// threads (/metrics counters never go back), less what the old thread had not sent yet (< 1 s).
import type { SecureContextOptions } from 'node:tls';
import type { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import { cloneableContext, workerOptions, type RelayUser, type WorkerRelayOptions } from './relay-messages.js';
import { createRestartBudget, RELAY_RESTART_POLICY, type RestartPolicy } from './relay-restart.js';
import { type Ports, startRelayThread, type ThreadEvents } from './relay-thread.js';
import type { Relay, RelayOptions, RelayStatistics, SelfTestResult } from './relay.js';

const NO_STATISTICS: RelayStatistics = {
  relayed: { toPeer: { packets: 0, bytes: 0 }, toClient: { packets: 0, bytes: 0 } },
  errorResponses: new Map(),
  handlerErrors: 0,
};

/** The relay, its current thread (tests end it to see the relay restart), and how often it was restarted. */
export type WorkerRelay = Relay & { readonly worker: Worker; restarts(): number };

/** Where the relay is: a thread listening (or with its socket closed), one being replaced, none for good. */
type Phase = 'running' | 'restarting' | 'down' | 'stopped';

/** Starts the relay in a worker thread; rejects as startRelay does (same error code) when it cannot listen. */
export async function startRelayInWorker(options: RelayOptions, log: Logger, policy: RestartPolicy = RELAY_RESTART_POLICY): Promise<WorkerRelay> {
  const users = new Map<string, RelayUser>();
  let certificate: SecureContextOptions | null = null;

  const counts = new Map<string, number>();
  let total = 0;
  /** What the threads that ended had sent; `statistics` adds the current thread's to it. */
  let carried = NO_STATISTICS;
  let statistics = NO_STATISTICS;
  let lastSelfTest: SelfTestResult | null = null;
  let listening = false;
  let phase: Phase = 'running';
  let restarts = 0;
  const budget = createRestartBudget(policy);
  let restartTimer: NodeJS.Timeout | null = null;

  const events: ThreadEvents = {
    log,
    onAllocations(changed, allocations) {
      for (const [username, count] of changed) {
        if (count === 0) counts.delete(username);
        else counts.set(username, count);
      }
      total = allocations;
    },
    onStatistics(current) {
      statistics = addStatistics(carried, current);
    },
    onClosed() {
      listening = false;
    },
    onSelfTest(result) {
      lastSelfTest = result;
    },
    // Only for a thread that listened: never before the first start below has returned, so
    // giveUp and restart are defined by then.
    onEnded(exitCode, failure) {
      listening = false;
      counts.clear();
      total = 0;
      carried = statistics;
      if (phase !== 'running') return;
      phase = 'restarting';
      const delayMs = budget.take();
      const fields = { code: exitCode, error: failure ?? undefined };
      if (delayMs === null) {
        log.error('turn', 'the relay thread ended', fields);
        giveUp();
      } else {
        log.error('turn', 'the relay thread ended; restarting it', { ...fields, restart_in_ms: delayMs });
        restartTimer = setTimeout(restart, delayMs);
      }
    },
  };

  const initial = workerOptions(options);
  let thread = startRelayThread({ options: initial, users: [], certificate: null }, events);
  const ports = await thread.started;
  // Port 0 (tests) picked ports: a new thread takes the very ones clients were given.
  const fixed: WorkerRelayOptions = { ...initial, port: ports.port, ...(initial.tls ? { tls: { ...initial.tls, port: ports.tlsPort ?? 0 } } : {}) };
  listening = true;

  // Said once: nothing restarts the relay after this but the service's own restart.
  const giveUp = (): void => {
    phase = 'down';
    log.error('turn', 'the relay thread keeps ending; it is not restarted again: the relay is down until the service restarts', {
      attempts: policy.perWindow,
      window_s: policy.windowMs / 1000,
    });
  };
  const restart = (): void => {
    restartTimer = null;
    const next = startRelayThread({ options: fixed, users: [...users.values()], certificate }, events);
    thread = next;
    next.started.then(
      (back: Ports) => {
        if (phase !== 'restarting' || thread !== next) return;
        phase = 'running';
        listening = true;
        restarts += 1;
        log.info('turn', 'the relay thread was restarted; the relay is back', { port: back.port });
        // As at start-up: the new thread proves itself (one allocation, one packet relayed), and
        // /healthz follows its result rather than the one the ended thread left.
        void next.selfTest();
      },
      (error: NodeJS.ErrnoException) => {
        if (phase !== 'restarting' || thread !== next) return;
        const delayMs = budget.take();
        log.warn('turn', 'the relay thread could not restart', { code: error.code ?? 'error', restart_in_ms: delayMs ?? undefined });
        if (delayMs === null) giveUp();
        else restartTimer = setTimeout(restart, delayMs);
      },
    );
  };

  const stop = async (): Promise<void> => {
    phase = 'stopped';
    listening = false;
    if (restartTimer !== null) clearTimeout(restartTimer);
    restartTimer = null;
    await thread.stop();
  };
  let stopped: Promise<void> | null = null;

  return {
    get worker() {
      return thread.worker;
    },
    restarts: () => restarts,
    port: ports.port,
    tlsPort: ports.tlsPort,
    advertisedHost: options.externalIp ?? options.host,
    isListening: () => listening,
    addUser(username, password, kind = 'call', callId = null) {
      // As the relay does: a credential added again keeps the call it had unless given another.
      const user: RelayUser = { username, password, kind, callId: callId ?? users.get(username)?.callId ?? null };
      users.set(username, user);
      thread.send({ type: 'addUser', ...user });
    },
    removeUser(username) {
      users.delete(username);
      thread.send({ type: 'removeUser', username });
    },
    allocationCount: (username) => (username === undefined ? total : (counts.get(username) ?? 0)),
    statistics: () => statistics,
    lastSelfTest: () => lastSelfTest,
    replaceCertificate(context) {
      certificate = cloneableContext(context);
      thread.send({ type: 'replaceCertificate', context: certificate });
    },
    selfTest() {
      const at = new Date().toISOString();
      if (phase === 'stopped') return Promise.resolve({ ok: false, at, detail: 'the relay is stopped' });
      if (phase === 'restarting') return Promise.resolve({ ok: false, at, detail: 'the relay thread ended and is being restarted' });
      if (phase === 'down') return Promise.resolve({ ok: false, at, detail: 'the relay thread kept ending and was not restarted' });
      return thread.selfTest();
    },
    stop() {
      stopped ??= stop();
      return stopped;
    },
  };
}

function addStatistics(a: RelayStatistics, b: RelayStatistics): RelayStatistics {
  const errorResponses = new Map(a.errorResponses);
  for (const [code, count] of b.errorResponses) errorResponses.set(code, (errorResponses.get(code) ?? 0) + count);
  const sum = (direction: 'toPeer' | 'toClient') => ({
    packets: a.relayed[direction].packets + b.relayed[direction].packets,
    bytes: a.relayed[direction].bytes + b.relayed[direction].bytes,
  });
  return { relayed: { toPeer: sum('toPeer'), toClient: sum('toClient') }, errorResponses, handlerErrors: a.handlerErrors + b.handlerErrors };
}
