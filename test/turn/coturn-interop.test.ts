// An independent implementation against ours: coturn's turnutils_uclient and turnutils_peer
// through the embedded relay, and coturn's turnserver accepting our TURN REST credentials.
// Needs the Debian package coturn (apt-get install -y coturn); skipped, saying so, without it.
// Relay ports: 50700-50799.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../server/log.js';
import { createExternalCredentials } from '../../server/turn/credentials.js';
import type { Relay } from '../../server/turn/relay.js';
import { loopbackRelayOptions, startTestRelay } from '../helpers/relay.js';
import { TurnClient } from '../../server/turn/client.js';
import { stopChild } from '../helpers/process.js';
import { waitForEcho, waitForStun } from './helpers/node-turn-fixture.js';
import { first } from '../helpers/values.js';
import { loopbackUclientArgs } from '../../scripts/coturn-loopback.js';

const DAEMON_START_TIMEOUT_MS = 5000;

const HAVE_COTURN = ['turnutils_uclient', 'turnutils_peer', 'turnserver'].every((binary) => spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0);
if (!HAVE_COTURN) process.stdout.write('coturn tools missing: apt-get install -y coturn (these tests are skipped)\n');
const UCLIENT_TIMEOUT_MS = 20_000;
const USER = { username: 'uclient', password: 'uclient-password' };
const MESSAGES = 50;
const CLIENTS = 4;

/** A UDP port p on loopback with p+1 free too (turnutils_peer may use both). */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const probe = createSocket('udp4');
    const port = await new Promise<number>((resolve) => probe.bind(0, '127.0.0.1', () => resolve(probe.address().port)));
    const next = createSocket('udp4');
    const nextFree = await new Promise<boolean>((resolve) => {
      next.once('error', () => resolve(false));
      next.bind(port + 1, '127.0.0.1', () => resolve(true));
    });
    next.close();
    probe.close();
    if (nextFree) return port;
  }
  throw new Error('no free port pair');
}

function run(command: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function startDaemon(command: string, args: string[]): ChildProcess {
  return spawn(command, args, { stdio: 'ignore' });
}

function counts(output: string): { sent: number; received: number } {
  const match = /start_mclient: tot_send_msgs=(\d+), tot_recv_msgs=(\d+)/.exec(output);
  return { sent: Number(match?.[1] ?? 0), received: Number(match?.[2] ?? 0) };
}

async function withRelayAndPeer(
  range: readonly [number, number],
  allowLoopback: boolean,
  body: (relay: Relay, peerPort: number) => Promise<void>,
): Promise<void> {
  const relay = await startTestRelay(loopbackRelayOptions(range, { allowedPeers: allowLoopback ? ['127.0.0.0/8'] : [] }), silentLogger);
  relay.addUser(USER.username, USER.password);
  const peerPort = await freePortPair();
  const peer = startDaemon('turnutils_peer', ['-L', '127.0.0.1', '-p', String(peerPort)]);
  try {
    await waitForEcho(peerPort, DAEMON_START_TIMEOUT_MS);
    await body(relay, peerPort);
  } finally {
    await stopChild(peer);
    await relay.stop();
  }
}

function uclient(relay: Relay, peerPort: number, extra: string[]): Promise<{ code: number | null; output: string }> {
  const args = loopbackUclientArgs({
    user: USER.username,
    password: USER.password,
    relayPort: relay.port,
    peerPort,
    clients: CLIENTS,
    messages: MESSAGES,
    bytes: 400,
    intervalMs: 5,
    extra,
  });
  return run('turnutils_uclient', args, UCLIENT_TIMEOUT_MS);
}

const interop = suite('coturn clients through the embedded relay');
const test = HAVE_COTURN ? interop : interop.skip;

test('turnutils_uclient allocates, binds channels and exchanges ChannelData with turnutils_peer', async () => {
  await withRelayAndPeer([50700, 50729], true, async (relay, peerPort) => {
    const { output } = await uclient(relay, peerPort, []);
    const { sent, received } = counts(output);
    assert.is(sent, CLIENTS * MESSAGES, output);
    assert.ok(received >= sent * 0.95, `received ${received} of ${sent}`);
    assert.ok(relay.allocationCount() <= CLIENTS, 'one allocation per client, none leaked by retransmissions');
  });
});

test('turnutils_uclient exchanges Send and Data indications with turnutils_peer', async () => {
  await withRelayAndPeer([50730, 50759], true, async (relay, peerPort) => {
    const { output } = await uclient(relay, peerPort, ['-s']);
    const { sent, received } = counts(output);
    assert.is(sent, CLIENTS * MESSAGES, output);
    assert.ok(received >= sent * 0.95, `received ${received} of ${sent}`);
  });
});

test('turnutils_uclient gets 403 for a loopback peer without the allow-list', async () => {
  await withRelayAndPeer([50760, 50779], false, async (relay, peerPort) => {
    const { code, output } = await uclient(relay, peerPort, []);
    assert.ok(/error 403/.test(output), output);
    assert.is.not(code, 0);
    assert.is(counts(output).received, 0);
  });
});

interop.run();

const external = suite('external coturn with TURN REST credentials');
const testExternal = HAVE_COTURN ? external : external.skip;

testExternal('coturn use-auth-secret accepts minted credentials and refuses expired ones', async () => {
  const secret = 'interop-secret-0123456789abcdefghijklmnop';
  const port = await freePortPair();
  const dir = mkdtempSync(join(tmpdir(), 'porthello-coturn-'));
  const coturn = startDaemon('turnserver', [
    '-n',
    '--listening-ip=127.0.0.1',
    `--listening-port=${port}`,
    '--relay-ip=127.0.0.1',
    '--min-port=50780',
    '--max-port=50799',
    '--use-auth-secret',
    `--static-auth-secret=${secret}`,
    '--realm=porthello',
    '--no-tls',
    '--no-dtls',
    '--no-cli',
    '--no-rfc5780',
    '--no-tcp-relay',
    `--db=${join(dir, 'coturn.db')}`,
    '--log-file=stdout',
    '--simple-log',
  ]);
  const clients: TurnClient[] = [];
  try {
    await waitForStun(port, DAEMON_START_TIMEOUT_MS);
    const fresh = first(
      createExternalCredentials({ urls: [`turn:127.0.0.1:${port}`], secret }).issue({ callId: 'c', participantId: 'p', relayOnly: true }).iceServers,
      'ICE server',
    );
    const client = await TurnClient.open({ address: '127.0.0.1', port }, { username: fresh.username, password: fresh.credential });
    clients.push(client);
    const allocation = await client.allocate();
    assert.ok(allocation.relayed.port >= 50780 && allocation.relayed.port <= 50799);
    assert.is(await client.refresh(0), 0);

    const expiredService = createExternalCredentials({ urls: [], secret, now: () => Date.now() - 2 * 3600_000, ttlS: 3600 });
    const expired = first(expiredService.issue({ callId: 'c', participantId: 'p', relayOnly: true }).iceServers, 'ICE server');
    const late = await TurnClient.open({ address: '127.0.0.1', port }, { username: expired.username, password: expired.credential });
    clients.push(late);
    let code: number | null = null;
    await late.allocate().catch((error: { code?: number }) => (code = error.code ?? null));
    assert.is(code, 401);
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await stopChild(coturn);
    rmSync(dir, { recursive: true, force: true });
  }
});

external.run();
