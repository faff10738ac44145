// A certificate renewal (SIGHUP, as `systemctl reload` sends it) in the middle of a call: the
// real server process with built-in TLS, two members in a call over wss, one of them relaying
// through TURN over TLS and the other over UDP. After the reload new handshakes get the new
// certificate while the call's sockets, its relay connection and its signaling carry on.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { TurnClient, type Credentials } from '../server/turn/client.js';
import type { TransportAddress } from '../server/turn/stun.js';
import { hasOpenssl, installCertificate, makeCertificate } from './helpers/certificate.js';
import { freePort } from './helpers/ports.js';
import { START_TIMEOUT_MS } from './helpers/live-server.js';
import { spawnServer, type ServerProcess } from './helpers/process.js';
import { withTimeout } from './helpers/wait.js';
import { openSignalClient, type SignalTestClient, A_COMMITMENT } from './helpers/ws.js';
import { TcpTurnClient } from './turn/helpers/tcp-turn.js';

const PUBLIC_ORIGIN = 'https://127.0.0.1:1';
const DATA_WAIT_MS = 3000;

const liveSuite = suite('SIGHUP during a live call');
const live = hasOpenssl ? liveSuite : liveSuite.skip;
if (!hasOpenssl) console.log('openssl is missing: apt-get install -y openssl');

let scratch = '';
let server: ServerProcess | null = null;
const closers: Array<() => unknown> = [];
liveSuite.before.each(() => {
  scratch = mkdtempSync(join(tmpdir(), 'porthello-reload-call-'));
});
liveSuite.after.each(async () => {
  for (const close of closers.splice(0)) await close();
  server?.kill();
  if (server !== null) await withTimeout(server.exited, 'the server to stop');
  server = null;
  rmSync(scratch, { recursive: true, force: true });
});

/** POSTs JSON to the self-signed server the way the sign-up page does; resolves with the session cookie. */
function signUp(port: number, firstName: string): Promise<{ id: string; cookie: string }> {
  const body = JSON.stringify({
    email: `${firstName.toLowerCase()}-${Date.now()}@example.org`,
    password: 'correct horse battery staple',
    firstName,
    lastName: 'Reload',
    acceptPolicy: true,
  });
  const answered = new Promise<{ id: string; cookie: string }>((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/auth/signup',
        method: 'POST',
        rejectUnauthorized: false,
        headers: { 'Content-Type': 'application/json', Origin: PUBLIC_ORIGIN },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on('end', () => {
          const cookie = (response.headers['set-cookie'] ?? []).map((line) => line.split(';')[0]).join('; ');
          if (response.statusCode !== 201) reject(new Error(`sign-up answered ${response.statusCode}: ${text}`));
          else resolve({ id: (JSON.parse(text) as { id: string }).id, cookie });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
  return withTimeout(answered, `${firstName} to sign up`);
}

function subjectAt(port: number): Promise<string> {
  const seen = new Promise<string>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(String(socket.getPeerCertificate().subject.CN ?? ''));
      socket.destroy();
    });
    socket.once('error', reject);
  });
  return withTimeout(seen, 'a TLS handshake');
}

/** The TURN credential a call-connected message carries. */
function credentialsOf(message: { ice: { iceServers: Array<{ username?: string; credential?: string }> } }): Credentials {
  const [relay] = message.ice.iceServers;
  assert.ok(relay?.username !== undefined && relay.credential !== undefined, 'the call carries TURN credentials');
  return { username: relay.username, password: relay.credential };
}

/** Sends one packet from `from` to `to`'s relayed address and checks it arrives, through the relay. */
async function relays(from: TcpTurnClient | TurnClient, to: TurnClient, toRelayed: TransportAddress, text: string): Promise<boolean> {
  from.sendIndication(toRelayed, Buffer.from(text));
  const delivery = await to.nextData(DATA_WAIT_MS);
  return delivery?.data.toString() === text;
}

live('keeps the call: its wss sockets, its TURN over TLS connection and its signaling', async () => {
  const first = makeCertificate(scratch, 'first');
  const renewed = makeCertificate(scratch, 'renewed');
  const certificate = { cert: join(scratch, 'live.pem'), key: join(scratch, 'live.key') };
  installCertificate(first, certificate);
  const [turnPort, turnTlsPort] = [await freePort(), await freePort()];
  server = spawnServer({
    PORTHELLO_DATA_DIR: join(scratch, 'data'),
    PORTHELLO_PORT: '0',
    PORTHELLO_PUBLIC_URL: PUBLIC_ORIGIN,
    PORTHELLO_SIGNUP: 'open',
    PORTHELLO_BCRYPT_COST: '4',
    PORTHELLO_TURN_PORT: String(turnPort),
    PORTHELLO_TURN_TLS_PORT: String(turnTlsPort),
    PORTHELLO_TURN_RELAY_PORTS: '51060-51070',
    PORTHELLO_TURN_ALLOWED_PEERS: '127.0.0.1/32',
    PORTHELLO_TLS_CERT: certificate.cert,
    PORTHELLO_TLS_KEY: certificate.key,
  });
  const [, portText] = await server.waitForOutput(/listening on https:\/\/127\.0\.0\.1:(\d+)/, START_TIMEOUT_MS);
  await server.waitForOutput(/TURN over TLS on/, START_TIMEOUT_MS);
  const port = Number(portText);

  const alice = await signUp(port, 'Alice');
  const bob = await signUp(port, 'Bob');
  const connect = async (member: { cookie: string }, name: string): Promise<SignalTestClient> => {
    const client = await openSignalClient(`wss://127.0.0.1:${port}/ws`, {
      name,
      headers: { Origin: PUBLIC_ORIGIN, Cookie: member.cookie },
      selfSignedServer: true,
    });
    closers.push(() => client.ws.terminate());
    return client;
  };
  const caller = await connect(alice, 'alice');
  const callee = await connect(bob, 'bob');
  caller.send({ type: 'invite', calleeMemberId: bob.id, commitment: A_COMMITMENT });
  const { callId } = await callee.next('incoming-call');
  callee.send({ type: 'accept', callId, commitment: A_COMMITMENT });
  const [callerSide, calleeSide] = await Promise.all([caller.next('call-connected'), callee.next('call-connected')]);

  // Alice relays over TLS, Bob over UDP; each lets the other's relayed address in.
  const overTls = await TcpTurnClient.openTls({ address: '127.0.0.1', port: turnTlsPort }, credentialsOf(callerSide));
  closers.push(() => overTls.close());
  const overUdp = await TurnClient.open({ address: '127.0.0.1', port: turnPort }, credentialsOf(calleeSide));
  closers.push(() => overUdp.close());
  const [tlsRelayed, udpRelayed] = [(await overTls.allocate()).relayed, (await overUdp.allocate()).relayed];
  await overTls.createPermission([udpRelayed]);
  await overUdp.createPermission([tlsRelayed]);
  assert.ok(await relays(overTls, overUdp, udpRelayed, 'before the reload'), 'the call relays before the reload');

  installCertificate(renewed, certificate);
  server.child.kill('SIGHUP');
  await server.waitForOutput(/certificate reloaded/, 10_000);
  assert.is(await subjectAt(port), 'renewed', 'new HTTPS handshakes get the renewed certificate');
  assert.is(await subjectAt(turnTlsPort), 'renewed', 'new TURN over TLS handshakes too');

  assert.ok(await relays(overTls, overUdp, udpRelayed, 'after the reload'), 'the TURN over TLS connection still relays');
  assert.is(caller.ws.readyState, WebSocket.OPEN);
  assert.is(callee.ws.readyState, WebSocket.OPEN);
  caller.send({ type: 'hang-up', callId });
  const ended = await callee.next('call-ended');
  assert.is(ended.callId, callId, 'the call was still live on the server and ends normally');
  assert.is(server.child.exitCode, null);
});

liveSuite.run();
