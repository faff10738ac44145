// The relay in its worker thread (server/turn/relay-in-worker.ts) after that thread ends
// unexpectedly: a new thread on the same ports holding what the old one held, commands made
// meanwhile kept, its own self-test run once it listens, a port still taken retried, the
// restarts bounded, and a stop during a restart that leaves nothing running. Each test ends the
// thread as a crash would (terminate). Relay ports: 50880-50949.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../server/log.js';
import { createMetrics } from '../../server/metrics/metrics.js';
import { projectPath } from '../../server/paths.js';
import { TurnClient, type Credentials, type TurnError } from '../../server/turn/client.js';
import { startRelayInWorker, type WorkerRelay } from '../../server/turn/relay-in-worker.js';
import { createRestartBudget, RELAY_RESTART_POLICY, type RestartPolicy } from '../../server/turn/relay-restart.js';
import type { RelayOptions } from '../../server/turn/relay.js';
import { errorCode } from '../../server/turn/stun.js';
import { hasOpenssl, makeCertificate } from '../helpers/certificate.js';
import { loopbackRelayOptions, retryWhilePortTaken } from '../helpers/relay.js';
import { waitUntil, withTimeout } from '../helpers/wait.js';
import { isPortFree } from './helpers/node-turn-fixture.js';
import { certificateSubjectAt } from './helpers/tls-subject.js';
import { openUdpPeer } from './helpers/udp-peer.js';

const KEPT: Credentials = { username: 'restart-kept-user', password: 'restart-kept-password' };
const REMOVED: Credentials = { username: 'restart-removed-user', password: 'restart-removed-password' };
const LATE: Credentials = { username: 'restart-late-user', password: 'restart-late-password' };
const DATA_TIMEOUT_MS = 1000;
/** Quick restarts, so that a test sees several within its wait. */
const QUICK: RestartPolicy = { perWindow: 5, windowMs: 60_000, backoffMinMs: 10, backoffMaxMs: 100 };
/** The stop-restart process bounds itself at 10 s; this only keeps a stuck one from hanging the suite. */
const CHILD_TIMEOUT_MS = 20_000;

type Started = { relay: WorkerRelay; logs: string[] };

async function startRelay(range: readonly [number, number], policy: RestartPolicy, extra: Partial<RelayOptions> = {}): Promise<Started> {
  const logs: string[] = [];
  const log = createLogger({ level: 'debug', write: (line) => logs.push(line) });
  const relay = await retryWhilePortTaken(() => startRelayInWorker(loopbackRelayOptions(range, { allowedPeers: ['127.0.0.0/8'], ...extra }), log, policy));
  return { relay, logs };
}

/** Ends the relay's current thread as a crash would, and waits until a new one listens. */
async function crashAndWaitBack(relay: WorkerRelay): Promise<void> {
  const ended = relay.worker;
  await ended.terminate();
  await waitUntil(() => relay.worker !== ended && relay.isListening(), 'the relay to be back');
}

/** The STUN error code of an Allocate under these credentials, null when it succeeded. */
async function allocateError(relay: WorkerRelay, credentials: Credentials): Promise<number | null> {
  const client = await TurnClient.open({ address: '127.0.0.1', port: relay.port }, credentials);
  try {
    return await client.allocate().then(
      () => null,
      (error: TurnError) => error.code,
    );
  } finally {
    await client.close();
  }
}

const linesMatching = (logs: readonly string[], pattern: RegExp): string[] => logs.filter((line) => pattern.test(line));
const ENDED_LINE = / error turn the relay thread ended; restarting it code=1 restart_in_ms=\d+$/;
const BACK_LINE = / info {2}turn the relay thread was restarted; the relay is back port=\d+$/;
const GAVE_UP_LINE = / error turn the relay thread keeps ending; it is not restarted again: the relay is down until the service restarts /;

const restarting = suite('relay in a worker thread: restarting its thread');

restarting('comes back on its port with the credentials it held, not the removed ones, cumulative statistics and no old allocation', async () => {
  const { relay, logs } = await startRelay([50880, 50889], QUICK);
  const metrics = createMetrics();
  metrics.observe({ census: () => ({ memberSockets: 0, guestSockets: 0, ringing: 0, connected: 0 }), relay });
  const peer = await openUdpPeer('127.0.0.1');
  const client = await TurnClient.open({ address: '127.0.0.1', port: relay.port }, KEPT);
  try {
    relay.addUser(KEPT.username, KEPT.password);
    relay.addUser(REMOVED.username, REMOVED.password);
    assert.is(await allocateError(relay, REMOVED), null, 'the credential to remove works before');
    relay.removeUser(REMOVED.username);
    await client.allocate();
    assert.is(errorCode(await client.createPermission([{ address: '127.0.0.1', port: peer.port }])), null);
    client.sendIndication({ address: '127.0.0.1', port: peer.port }, Buffer.from('before'));
    assert.is((await peer.next(DATA_TIMEOUT_MS))?.data.toString(), 'before');
    await waitUntil(() => relay.statistics().relayed.toPeer.packets === 1 && relay.allocationCount(KEPT.username) === 1, 'the mirror before');
    const port = relay.port;

    await crashAndWaitBack(relay);
    assert.is(relay.port, port);
    assert.is(relay.allocationCount(), 0, 'the allocations ended with their thread');
    assert.is(await allocateError(relay, KEPT), null, 'the credential added before makes an allocation on the same port');
    assert.is(await allocateError(relay, REMOVED), 401, 'the credential removed before is refused');
    assert.is(relay.statistics().relayed.toPeer.packets, 1, 'the statistics carry over');
    assert.is(relay.restarts(), 1);
    // Nothing asked for a self-test: the restarted thread ran its own, as /healthz reads it.
    await waitUntil(() => relay.lastSelfTest() !== null, 'the restarted thread to test itself');
    assert.is(relay.lastSelfTest()?.ok, true, relay.lastSelfTest()?.detail);
    assert.match(await metrics.registry.metrics(), /^porthello_relay_restarts_total 1$/m);
    assert.is(linesMatching(logs, ENDED_LINE).length, 1, logs.join('\n'));
    assert.is(linesMatching(logs, BACK_LINE).length, 1, logs.join('\n'));
    const text = logs.join('\n');
    for (const secret of [KEPT.username, KEPT.password, REMOVED.username, REMOVED.password, '127.0.0.1'])
      assert.not.ok(text.includes(secret), 'no credential or address in the log');
  } finally {
    await Promise.all([client.close(), peer.close()]);
    await relay.stop();
  }
});

restarting('takes the commands made while it restarts, in order', async () => {
  // Long enough to make the commands within it; each poll takes 20 ms.
  const { relay, logs } = await startRelay([50890, 50899], { ...QUICK, backoffMinMs: 300 });
  try {
    relay.addUser(REMOVED.username, REMOVED.password);
    const ended = relay.worker;
    await ended.terminate();
    await waitUntil(() => linesMatching(logs, ENDED_LINE).length === 1, 'the thread end to be seen');
    assert.not.ok(relay.isListening(), 'reported down while it restarts');
    const during = await withTimeout(relay.selfTest(), 'the self-test');
    assert.equal([during.ok, during.detail], [false, 'the relay thread ended and is being restarted']);
    relay.addUser(LATE.username, 'a-password-replaced-next');
    relay.addUser(LATE.username, LATE.password);
    relay.removeUser(REMOVED.username);
    // Once the new thread exists (listening or still starting), a command goes to it.
    await waitUntil(() => relay.worker !== ended, 'the new thread');
    relay.addUser(KEPT.username, KEPT.password);
    await waitUntil(() => relay.isListening(), 'the relay to be back');
    assert.is(await allocateError(relay, LATE), null, 'added during the restart, with its last password');
    assert.is(await allocateError(relay, KEPT), null, 'added as the new thread started');
    assert.is(await allocateError(relay, REMOVED), 401, 'removed during the restart');
    const back = await withTimeout(relay.selfTest(), 'the self-test');
    assert.ok(back.ok, back.detail);
  } finally {
    await relay.stop();
  }
});

restarting('serves the last certificate it was given after a restart, on the same TLS port', async () => {
  if (!hasOpenssl) return;
  const dir = mkdtempSync(join(tmpdir(), 'porthello-restart-tls-'));
  const read = (name: string) => {
    const files = makeCertificate(dir, name);
    return { cert: readFileSync(files.cert), key: readFileSync(files.key) };
  };
  try {
    const { relay } = await startRelay([50900, 50909], QUICK, { tls: { port: 0, ...read('first') } });
    try {
      const tlsPort = relay.tlsPort ?? 0;
      relay.replaceCertificate(read('second'));
      await waitUntil(async () => (await certificateSubjectAt(tlsPort)) === 'second', 'the new certificate');
      await crashAndWaitBack(relay);
      assert.is(relay.tlsPort, tlsPort);
      assert.is(await certificateSubjectAt(tlsPort), 'second');
    } finally {
      await relay.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

restarting('tries again while its port is taken', async () => {
  const { relay, logs } = await startRelay([50910, 50919], { ...QUICK, backoffMinMs: 200, backoffMaxMs: 400 });
  const holder: Socket = createSocket('udp4');
  let held = false;
  try {
    relay.addUser(KEPT.username, KEPT.password);
    const ended = relay.worker;
    await ended.terminate();
    // Within the first wait: the port the ended thread left is free, and held here until the first attempt failed.
    await new Promise<void>((resolve, reject) => {
      holder.once('error', reject);
      holder.bind(relay.port, '127.0.0.1', () => resolve());
    });
    held = true;
    await waitUntil(
      () => logs.some((line) => / warn {2}turn the relay thread could not restart code=EADDRINUSE restart_in_ms=\d+$/.test(line)),
      'a failed attempt',
    );
    assert.not.ok(relay.isListening());
    await new Promise<void>((resolve) => holder.close(() => resolve()));
    held = false;
    await waitUntil(() => relay.isListening(), 'the relay to be back');
    assert.is(await allocateError(relay, KEPT), null);
    assert.is(relay.restarts(), 1, 'a failed attempt is not a restart');
  } finally {
    if (held) await new Promise<void>((resolve) => holder.close(() => resolve()));
    await relay.stop();
  }
});

restarting('gives up past its bound: stays down, and says so once', async () => {
  const { relay, logs } = await startRelay([50920, 50929], { ...QUICK, perWindow: 2 });
  try {
    await crashAndWaitBack(relay);
    await crashAndWaitBack(relay);
    const last = relay.worker;
    await last.terminate();
    await waitUntil(() => linesMatching(logs, GAVE_UP_LINE).length > 0, 'the relay to give up');
    assert.is(linesMatching(logs, GAVE_UP_LINE).length, 1, logs.join('\n'));
    assert.is(linesMatching(logs, / error turn the relay thread ended code=1$/).length, 1, 'its end, without a restart announced');
    assert.not.ok(relay.isListening());
    assert.is(relay.worker, last, 'no thread started after it');
    assert.is(relay.worker.threadId, -1);
    assert.ok(await isPortFree(relay.port), 'nothing listens on its port');
    const result = await withTimeout(relay.selfTest(), 'the self-test');
    assert.equal([result.ok, result.detail], [false, 'the relay thread kept ending and was not restarted']);
    assert.is(relay.restarts(), 2);
  } finally {
    await withTimeout(relay.stop(), 'stop once down');
  }
});

restarting.run();

const stopping = suite('relay in a worker thread: stopped while restarting');

for (const mode of ['backoff', 'starting'] as const) {
  stopping(`leaves no thread or timer behind when stopped ${mode === 'backoff' ? 'while it waits to restart' : 'as the new thread starts'}`, () => {
    // In a process of its own: it must end by itself once the relay is stopped.
    const run = spawnSync(process.execPath, [projectPath('dist', 'test', 'turn', 'helpers', 'relay-stop-restart.js'), mode], {
      encoding: 'utf8',
      timeout: CHILD_TIMEOUT_MS,
    });
    assert.is(run.stdout.trim(), 'stopped', run.stderr);
    assert.is(run.signal, null, 'it ended by itself');
    assert.is(run.status, 0);
  });
}

stopping.run();

const budget = suite('relay restart budget');

budget('waits twice as long before each attempt of a window, up to its cap, and none past the bound', () => {
  const now = 0;
  const taken = createRestartBudget({ perWindow: 4, windowMs: 60_000, backoffMinMs: 1000, backoffMaxMs: 3000 }, () => now);
  assert.equal([taken.take(), taken.take(), taken.take(), taken.take(), taken.take()], [1000, 2000, 3000, 3000, null]);
});

budget('gives attempts back once they are older than the window', () => {
  let now = 0;
  const taken = createRestartBudget({ perWindow: 2, windowMs: 10_000, backoffMinMs: 100, backoffMaxMs: 1000 }, () => now);
  assert.equal([taken.take(), taken.take(), taken.take()], [100, 200, null]);
  now = 10_150; // the first attempt (at 100 ms) left the window; the second (at 200 ms) not yet
  assert.equal([taken.take(), taken.take()], [200, null]);
});

budget('by default allows 5 restarts within 10 minutes, the first after 1 s', () => {
  const taken = createRestartBudget(RELAY_RESTART_POLICY, () => 0);
  assert.equal(
    Array.from({ length: 6 }, () => taken.take()),
    [1000, 2000, 4000, 8000, 16_000, null],
  );
});

budget.run();
