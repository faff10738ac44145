// The embedded relay in its worker thread (server/turn/relay-in-worker.ts), as server/main.ts
// runs it: real allocations through it, its mirrors of allocation counts and statistics, its
// self-test and log lines, its stop, its start-up failure, and TLS certificates crossing to it
// (a thread that ends unexpectedly: relay-restart.test.ts). Relay ports: 50800-50879.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../server/log.js';
import { projectPath } from '../../server/paths.js';
import { startRelayInWorker, type WorkerRelay } from '../../server/turn/relay-in-worker.js';
import type { RelayOptions } from '../../server/turn/relay.js';
import { TurnClient, type Credentials, type TurnError } from '../../server/turn/client.js';
import { createEmbeddedCredentials } from '../../server/turn/credentials.js';
import { errorCode } from '../../server/turn/stun.js';
import { hasOpenssl, makeCertificate } from '../helpers/certificate.js';
import { first } from '../helpers/values.js';
import { loopbackRelayOptions, retryWhilePortTaken } from '../helpers/relay.js';
import { waitUntil, withTimeout } from '../helpers/wait.js';
import { isPortFree } from './helpers/node-turn-fixture.js';
import { certificateSubjectAt } from './helpers/tls-subject.js';
import { openUdpPeer } from './helpers/udp-peer.js';

const USER: Credentials = { username: 'worker-test-user', password: 'worker-test-password' };
const DATA_TIMEOUT_MS = 1000;
/** The probe process bounds itself at 5 s; this only keeps a stuck one from hanging the suite. */
const PROBE_PROCESS_TIMEOUT_MS = 15_000;

type Started = { relay: WorkerRelay; logs: string[] };

async function startWorkerRelay(range: readonly [number, number], extra: Partial<RelayOptions> = {}): Promise<Started> {
  const logs: string[] = [];
  const log = createLogger({ level: 'debug', write: (line) => logs.push(line) });
  // Loopback peers are allowed, as in every relay suite.
  const relay = await retryWhilePortTaken(() => startRelayInWorker(loopbackRelayOptions(range, { allowedPeers: ['127.0.0.0/8'], ...extra }), log));
  return { relay, logs };
}

async function withWorkerRelay(range: readonly [number, number], body: (started: Started) => Promise<void>): Promise<void> {
  const started = await startWorkerRelay(range);
  try {
    await body(started);
  } finally {
    await started.relay.stop();
  }
}

const relaying = suite('relay in a worker thread: relaying');

relaying('relays an allocation both ways and mirrors its count and the statistics', async () => {
  await withWorkerRelay([50800, 50809], async ({ relay }) => {
    relay.addUser(USER.username, USER.password);
    const client = await TurnClient.open({ address: '127.0.0.1', port: relay.port }, USER);
    const peer = await openUdpPeer('127.0.0.1');
    try {
      const { relayed } = await client.allocate();
      await waitUntil(() => relay.allocationCount(USER.username) === 1, 'the allocation in the mirror');
      assert.is(relay.allocationCount(), 1, 'the total');
      assert.is(relay.allocationCount('someone-else'), 0);

      assert.is(errorCode(await client.createPermission([{ address: '127.0.0.1', port: peer.port }])), null);
      client.sendIndication({ address: '127.0.0.1', port: peer.port }, Buffer.from('to-peer'));
      assert.is((await peer.next(DATA_TIMEOUT_MS))?.data.toString(), 'to-peer');
      peer.socket.send(Buffer.from('to-client'), relayed.port, relayed.address);
      assert.is((await client.nextData(DATA_TIMEOUT_MS))?.data.toString(), 'to-client');

      await waitUntil(() => relay.statistics().relayed.toClient.packets === 1, 'the statistics in the mirror');
      const statistics = relay.statistics();
      assert.equal(statistics.relayed, { toPeer: { packets: 1, bytes: 7 }, toClient: { packets: 1, bytes: 9 } });
      // The client's first Allocate was unsigned: the 401 that asked for credentials is counted.
      assert.ok((statistics.errorResponses.get(401) ?? 0) >= 1, 'error responses cross as a Map');

      relay.removeUser(USER.username);
      await waitUntil(() => relay.allocationCount() === 0, 'the revoked allocation to leave the mirror');
      assert.is(relay.allocationCount(USER.username), 0);
    } finally {
      await Promise.all([client.close(), peer.close()]);
    }
  });
});

relaying('relays while the main thread is blocked', async () => {
  await withWorkerRelay([50810, 50819], async ({ relay }) => {
    relay.addUser(USER.username, USER.password);
    // spawnSync holds this thread until the probe process ends: a relay on this thread could not
    // answer its Allocate, and the probe would give up.
    const probe = spawnSync(
      process.execPath,
      [projectPath('dist', 'test', 'turn', 'helpers', 'relay-probe.js'), String(relay.port), USER.username, USER.password],
      { encoding: 'utf8', timeout: PROBE_PROCESS_TIMEOUT_MS },
    );
    assert.is(probe.stdout.trim(), 'relayed', probe.stderr);
    assert.is(probe.status, 0);
  });
});

relaying('runs its self-test in its thread and logs through the main thread', async () => {
  await withWorkerRelay([50820, 50829], async ({ relay, logs }) => {
    assert.is(relay.lastSelfTest(), null);
    const result = await withTimeout(relay.selfTest(), 'the self-test');
    assert.ok(result.ok, result.detail);
    assert.equal(relay.lastSelfTest(), result);
    assert.ok(
      logs.some((line) => / info {2}turn relay self-test passed$/.test(line)),
      logs.join('\n'),
    );
    // Its throw-away credential and both allocations are gone once it is done.
    await waitUntil(() => relay.allocationCount() === 0, 'the self-test allocations to end');
    assert.not.ok(logs.join('\n').includes('selftest-'), 'no credential in the log');
  });
});

relaying('serves TURN over TLS with the certificate it was given, and the one that replaces it', async () => {
  if (!hasOpenssl) return;
  const dir = mkdtempSync(join(tmpdir(), 'porthello-worker-tls-'));
  try {
    // Buffers, as main.ts reads the files: they cross to the worker as PEM text.
    const read = (name: string) => {
      const files = makeCertificate(dir, name);
      return { cert: readFileSync(files.cert), key: readFileSync(files.key) };
    };
    const { relay } = await startWorkerRelay([50830, 50839], { tls: { port: 0, ...read('first') } });
    try {
      assert.ok(relay.tlsPort !== null && relay.tlsPort !== relay.port);
      const tlsPort = relay.tlsPort;
      assert.is(await certificateSubjectAt(tlsPort), 'first');
      relay.replaceCertificate(read('second'));
      // New handshakes only, once the message has reached the thread.
      await waitUntil(async () => (await certificateSubjectAt(tlsPort)) === 'second', 'the new certificate');
    } finally {
      await relay.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

relaying('keeps the credential service working: a used credential stays past its TTL, a revoked one ends its allocation', async () => {
  await withWorkerRelay([50870, 50879], async ({ relay }) => {
    let time = 1_000_000;
    const service = createEmbeddedCredentials({ relay, urls: [], autoSweep: false, now: () => time, unusedTtlMs: 60_000 });
    const clients: TurnClient[] = [];
    const allocate = async (server: { username: string; credential: string }) => {
      const client = await TurnClient.open({ address: '127.0.0.1', port: relay.port }, { username: server.username, password: server.credential });
      clients.push(client);
      return client.allocate();
    };
    try {
      const unused = first(service.issue({ callId: 'c1', participantId: 'p1', relayOnly: false }).iceServers, 'ICE server');
      const used = first(service.issue({ callId: 'c1', participantId: 'p2', relayOnly: false }).iceServers, 'ICE server');
      const { relayed } = await allocate(used);
      // The sweep reads the mirror: one message behind the allocation.
      await waitUntil(() => relay.allocationCount(used.username) === 1, 'the allocation in the mirror');
      time += 61_000;
      service.sweep();
      assert.is(service.size(), 1, 'only the unused credential was dropped');
      const refused = await allocate(unused).then(
        () => null,
        (error: TurnError) => error.code,
      );
      assert.is(refused, 401, 'the unused credential was revoked in the relay');
      service.revokeCall('c1');
      assert.is(service.size(), 0);
      await waitUntil(() => relay.allocationCount() === 0, 'the revoked allocation to end');
      assert.ok(await isPortFree(relayed.port), 'its relay port is free');
    } finally {
      service.close();
      await Promise.all(clients.map((client) => client.close()));
    }
  });
});

relaying.run();

const lifecycle = suite('relay in a worker thread: start, stop and failure');

lifecycle('stops: closes its ports, ends its thread, and may be asked twice', async () => {
  const { relay } = await startWorkerRelay([50840, 50849]);
  assert.ok(relay.isListening());
  await relay.stop();
  assert.not.ok(relay.isListening());
  assert.is(relay.worker.threadId, -1, 'the thread has ended');
  assert.ok(await isPortFree(relay.port), 'the UDP port is free again');
  await relay.stop();
  assert.is((await relay.selfTest()).ok, false, 'a stopped relay fails its self-test');
});

lifecycle('rejects its start with the error code when the port is taken', async () => {
  const holder = createSocket('udp4');
  await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', () => resolve()));
  try {
    const taken = holder.address().port;
    const logs: string[] = [];
    const log = createLogger({ level: 'debug', write: (line) => logs.push(line) });
    const failed = await startRelayInWorker(loopbackRelayOptions([50850, 50859], { port: taken }), log).then(
      () => null,
      (error: NodeJS.ErrnoException) => error,
    );
    assert.is(failed?.code, 'EADDRINUSE');
    assert.is(logs.length, 0, 'main.ts reports it; nothing else is logged');
  } finally {
    await new Promise<void>((resolve) => holder.close(() => resolve()));
  }
});

lifecycle.run();
