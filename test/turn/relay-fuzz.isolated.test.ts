// Fuzzes the embedded relay of the real server process (node dist/server/main.js): thousands of
// mutated STUN/TURN messages and ChannelData frames over UDP and TCP, from sessions with valid
// credentials (signed, so malformed attributes reach the request handlers) and without. Then the
// process must still be up, /healthz must answer 200 and a real allocation must still relay.
//
// A mutated peer address can be any address, and the relay sends to its peers: this suite only
// runs inside a private network namespace whose only interface is loopback (scripts/run-tests.ts
// runs *.isolated.test.js files under `unshare -n`), and refuses to send anything elsewhere.
//
// PORTHELLO_FUZZ_SEED=<n> replays one run's packet sequence. Relay ports: 50500-50599.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ATTR, METHOD, TRANSPORT_UDP, attribute, errorCode, longTermKey, type TransportAddress } from '../../server/turn/stun.js';
import { TurnClient, type Credentials } from '../../server/turn/client.js';
import { spawnServer, type ServerProcess } from '../helpers/process.js';
import { withTimeout } from '../helpers/wait.js';
import { PacketFactory, prng, type Signing } from './helpers/fuzz-packets.js';
import { TcpTurnClient } from './helpers/tcp-turn.js';
import { handledSoFarFrom, sleep } from './helpers/node-turn-fixture.js';
import { openUdpPeer } from './helpers/udp-peer.js';
import { START_TIMEOUT_MS } from '../helpers/live-server.js';

/** Enough packets for every method, mutation and transport to come up many times. */
const FUZZ_PACKETS = 12_000;
/** The fuzz loop stops here even if packets remain: the suite must stay well under a minute. */
const FUZZ_TIME_BUDGET_MS = 25_000;
/** Pause every so many packets: lets the relay answer (and the loop notice a crash) instead of
 * the kernel dropping most of a burst. */
const PACE_EVERY_PACKETS = 40;
const PACE_MS = 2;
const UDP_SESSIONS = 6;
const TCP_SESSIONS = 6;
/** A TCP session is replaced after this many packets: a frame with a lying length stalls the
 * rest of its stream, which would fuzz nothing more. */
const TCP_ROTATE_PACKETS = 150;
/** Bounds the TCP reconnections (each allocates) whatever the relay does with the connections. */
const MAX_TCP_OPENS = 400;
const DATA_TIMEOUT_MS = 1000;
const RELAY_PORTS = [50500, 50599] as const;
const PUBLIC_ORIGIN = 'http://127.0.0.1:1';

/** Fails unless this process sees no network interface but loopback. */
function assertIsolated(): void {
  const names = Object.keys(networkInterfaces());
  if (names.some((name) => name !== 'lo')) {
    throw new Error(
      `refusing to fuzz the relay outside a private network namespace (interfaces: ${names.join(', ')}): fuzzed peer addresses could leave this machine. Run it through npm test as root, which runs *.isolated.test.js under unshare -n.`,
    );
  }
}

function residentKiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((text) => text.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN);
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** Signs up a member through the HTTP API and asks for TURN credentials, as a browser does. */
async function turnCredentials(url: string): Promise<Credentials> {
  const signUp = await fetch(`${url}/api/auth/signup`, {
    method: 'POST',
    headers: { Origin: PUBLIC_ORIGIN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: 'fuzz@example.org', password: 'correct horse battery', firstName: 'Fuzz', lastName: 'Test', acceptPolicy: true }),
  });
  assert.is(signUp.status, 201);
  const cookie = signUp.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  const ice = (await (await fetch(`${url}/api/ice-servers`, { headers: { Cookie: cookie } })).json()) as {
    iceServers: Array<{ username: string; credential: string }>;
  };
  const server = ice.iceServers[0];
  assert.ok(server !== undefined, 'the API gave a TURN server');
  return { username: server.username, password: server.credential };
}

type Session = { transport: 'udp' | 'tcp'; valid: boolean; signing: Signing; sent: number; send(raw: Buffer): void; dead(): boolean; close(): Promise<void> };

/** Valid sessions allocate and sign with the real key; the others sign with a wrong password. */
async function openSession(transport: 'udp' | 'tcp', valid: boolean, server: TransportAddress, credentials: Credentials): Promise<Session> {
  const used = valid ? credentials : { username: credentials.username, password: randomBytes(12).toString('hex') };
  if (transport === 'udp') {
    const client = await TurnClient.open(server, credentials);
    const { relayed } = await client.allocate();
    assert.ok(relayed.port >= RELAY_PORTS[0]);
    const challenge = client.responses[0];
    const realm = challenge === undefined ? undefined : attribute(challenge, ATTR.REALM);
    const nonce = challenge === undefined ? undefined : attribute(challenge, ATTR.NONCE);
    assert.ok(realm !== undefined && nonce !== undefined, 'the first answer was a 401 challenge');
    if (!valid) await client.refresh(0); // an invalid session holds no allocation
    const auth = [
      { type: ATTR.USERNAME, value: Buffer.from(used.username) },
      { type: ATTR.REALM, value: realm },
      { type: ATTR.NONCE, value: nonce },
    ];
    return {
      transport,
      valid,
      signing: { auth, key: longTermKey(used.username, realm.toString(), used.password) },
      sent: 0,
      send: (raw) => client.sendRaw(raw),
      dead: () => false,
      close: () => client.close(),
    };
  }
  const client = await TcpTurnClient.open(server, used);
  let closed = false;
  void client.closed.then(() => (closed = true));
  if (valid) await client.allocate();
  else
    assert.is(
      errorCode(await client.transact(METHOD.ALLOCATE, [{ type: ATTR.REQUESTED_TRANSPORT, value: Buffer.from([TRANSPORT_UDP, 0, 0, 0]) }])),
      401,
      'a wrong password allocates nothing',
    );
  // the key is the real one, or the wrong password's over the challenge's realm and nonce
  const key = client.integrityKey;
  assert.ok(key !== null, 'the relay challenged the TCP session');
  return {
    transport,
    valid,
    signing: { auth: client.authAttributes(), key },
    sent: 0,
    send: (raw) => client.sendRaw(raw),
    dead: () => closed,
    close: () => client.close(),
  };
}

let running: ServerProcess | null = null;
let scratch = '';
const sessions: Session[] = [];

const fuzz = suite('relay fuzz through the real server process');

fuzz.after(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close().catch(() => {})));
  if (running !== null && running.child.exitCode === null) {
    running.child.kill('SIGTERM');
    await withTimeout(running.exited, 'the server to exit').catch(() => running?.kill());
  }
  if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
});

fuzz('runs only inside a private network namespace where loopback is the only interface', () => {
  assertIsolated();
});

fuzz('survives thousands of mutated TURN packets over UDP and TCP, then answers /healthz and still relays', async () => {
  assertIsolated();
  const seed = process.env['PORTHELLO_FUZZ_SEED'] === undefined ? randomBytes(4).readUInt32BE(0) : Number(process.env['PORTHELLO_FUZZ_SEED']);
  console.log(`fuzz seed ${seed} (PORTHELLO_FUZZ_SEED=${seed} replays this packet sequence)`);
  scratch = mkdtempSync(join(tmpdir(), 'porthello-fuzz-'));
  const turnPort = await freeUdpPort();
  running = spawnServer({
    PORTHELLO_DATA_DIR: join(scratch, 'data'),
    PORTHELLO_PORT: '0',
    PORTHELLO_PUBLIC_URL: PUBLIC_ORIGIN,
    PORTHELLO_BCRYPT_COST: '4',
    PORTHELLO_TURN_PORT: String(turnPort),
    PORTHELLO_TURN_RELAY_PORTS: `${RELAY_PORTS[0]}-${RELAY_PORTS[1]}`,
    // Loopback peers (the test's UDP peer, the relay's own ports) for the final relayed exchange
    // and so that fuzzed channels reach something; safe only because nothing but loopback exists.
    PORTHELLO_TURN_ALLOWED_PEERS: '127.0.0.0/8',
    // The sessions and their reconnections hold many allocations of one credential at once.
    PORTHELLO_TURN_USER_QUOTA: '0',
  });
  const server = running;
  const [, url = ''] = await server.waitForOutput(/listening on (http:\/\/\S+)/, START_TIMEOUT_MS);
  await server.waitForOutput(/relay self-test passed/, START_TIMEOUT_MS);
  assert.is((await fetch(`${url}/healthz`)).status, 200);
  const pid = server.child.pid ?? 0;
  const credentials = await turnCredentials(url);
  const relay: TransportAddress = { address: '127.0.0.1', port: turnPort };
  const sink = await openUdpPeer('127.0.0.1');
  try {
    for (let i = 0; i < UDP_SESSIONS; i += 1) sessions.push(await openSession('udp', i % 3 !== 2, relay, credentials));
    for (let i = 0; i < TCP_SESSIONS; i += 1) sessions.push(await openSession('tcp', i % 3 !== 2, relay, credentials));
    const factory = new PacketFactory(prng(seed), { peerPort: sink.port, turnPort, relayPorts: RELAY_PORTS });
    const choose = prng(seed ^ 0x5eed);
    const memoryBefore = residentKiB(pid);
    const counts = { udp: 0, tcp: 0, valid: 0, invalid: 0, tcpOpens: TCP_SESSIONS };
    const startedAt = Date.now();
    let sent = 0;
    const serverDied = (): boolean => server.child.exitCode !== null || server.child.signalCode !== null;
    for (; sent < FUZZ_PACKETS && Date.now() - startedAt < FUZZ_TIME_BUDGET_MS && !serverDied(); sent += 1) {
      const index = choose.int(sessions.length);
      let session = sessions[index] as Session;
      if (session.transport === 'tcp' && (session.dead() || session.sent >= TCP_ROTATE_PACKETS) && counts.tcpOpens < MAX_TCP_OPENS) {
        void session.close().catch(() => {});
        const reopened = await openSession('tcp', session.valid, relay, credentials).catch((error: unknown) => error);
        // a relay that no longer accepts connections has most likely died: reported below
        if (!('send' in (reopened as object))) break;
        session = reopened as Session;
        sessions[index] = session;
        counts.tcpOpens += 1;
      }
      session.send(factory.packet(session.signing));
      session.sent += 1;
      counts[session.transport] += 1;
      counts[session.valid ? 'valid' : 'invalid'] += 1;
      if (sent % PACE_EVERY_PACKETS === 0) await sleep(PACE_MS);
    }
    // The UDP datagrams already sent are queued at the relay ahead of this probe's Binding: once
    // it is answered they have been handled. A relay that died does not answer; that is reported below.
    const probe = createSocket('udp4');
    await handledSoFarFrom(probe, relay).catch((error: unknown) => console.log(`the relay did not answer after the fuzz: ${String(error)}`));
    probe.close();
    const memoryAfter = server.child.exitCode === null ? residentKiB(pid) : NaN;
    console.log(
      `fuzz sent ${sent} packets (${counts.udp} UDP, ${counts.tcp} TCP; ${counts.valid} with valid credentials, ${counts.invalid} without) over ${counts.tcpOpens} TCP connections; the relay sent ${sink.received.length} datagrams to the test peer`,
    );
    console.log(`relay process memory (RSS): ${memoryBefore} KiB before, ${memoryAfter} KiB after`);
    // Contained exceptions keep the process up but each one is a defect to look at: shown, not hidden.
    const contained = server.output().match(/relay packet handler failed[^\n]*/g) ?? [];
    console.log(`packet handler exceptions contained by the relay: ${contained.length === 0 ? 'none' : contained.join('; ')}`);
    assert.not.ok(serverDied(), `the server process died after ${sent} packets (seed ${seed}):\n${server.output().slice(-3000)}`);
    assert.is((await fetch(`${url}/healthz`)).status, 200, '/healthz after the fuzz');
    await assertRelays(relay, credentials);
  } finally {
    await sink.close();
  }
});

/** A fresh allocation over UDP and one over TCP each relay to a loopback peer and back. */
async function assertRelays(relay: TransportAddress, credentials: Credentials): Promise<void> {
  const peer = await openUdpPeer('127.0.0.1');
  const udp = await TurnClient.open(relay, credentials);
  const tcp = await TcpTurnClient.open(relay, credentials);
  try {
    const relayed = (await udp.allocate()).relayed;
    assert.is(errorCode(await udp.channelBind(0x4000, { address: '127.0.0.1', port: peer.port })), null);
    udp.sendChannelData(0x4000, Buffer.from('after-fuzz-udp'));
    assert.is((await peer.next(DATA_TIMEOUT_MS))?.data.toString(), 'after-fuzz-udp');
    peer.socket.send(Buffer.from('back-udp'), relayed.port, '127.0.0.1');
    assert.is((await udp.nextData(DATA_TIMEOUT_MS))?.data.toString(), 'back-udp');
    const relayedTcp = (await tcp.allocate()).relayed;
    assert.is(errorCode(await tcp.createPermission([{ address: '127.0.0.1', port: peer.port }])), null);
    tcp.sendIndication({ address: '127.0.0.1', port: peer.port }, Buffer.from('after-fuzz-tcp'));
    assert.is((await peer.next(DATA_TIMEOUT_MS))?.data.toString(), 'after-fuzz-tcp');
    peer.socket.send(Buffer.from('back-tcp'), relayedTcp.port, '127.0.0.1');
    assert.is((await tcp.nextData(DATA_TIMEOUT_MS))?.data.toString(), 'back-tcp');
  } finally {
    await tcp.close();
    await udp.close();
    await peer.close();
  }
}

fuzz.run();
