// One visitor cannot take the relay over: through the real server and the real relay, TURN
// credentials are one per session or guest ticket (asked again, the same one), bounded per client
// address and kept apart from the capacity reserved for answered calls; allocations are bounded
// per client address and outside that reserve; and a credential ends, with its allocations, when
// what it was minted for ends (ticket revocation, log-out, password change, account deletion).
// TURN over TCP: connections per client address and a deadline for the first authenticated request.
// Relay to relay: only from the relayed address the client permitted, within its own call.
// Relay ports: 53600-53839.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, json, logIn, sessionCookieOf, signUp, withCookie, type TestMember } from '../accounts/helpers.js';
import { jsonOf, startTestServer, type TestServer, type TestServerOptions } from '../helpers/server.js';
import { openSignalClient, type SignalTestClient, A_COMMITMENT } from '../helpers/ws.js';
import { connect, type Socket } from 'node:net';
import { TurnClient, type Credentials } from '../../server/turn/client.js';
import { errorCode } from '../../server/turn/stun.js';
import { MAX_TCP_CONNECTIONS_PER_ADDRESS } from '../../server/turn/relay.js';
import { TcpTurnClient } from './helpers/tcp-turn.js';
import { withTimeout } from './helpers/node-turn-fixture.js';

type Ice = { iceServers: Array<{ urls: string[]; username: string; credential: string }>; iceTransportPolicy: string };

/** Bounds every wait on a TCP connection opening or being closed by the relay. */
const TCP_WAIT_MS = 5000;

let server: TestServer;
const sockets: SignalTestClient[] = [];
const turnClients: TurnClient[] = [];
const tcpSockets: Socket[] = [];

async function start(options: TestServerOptions): Promise<void> {
  server = await startTestServer({ env: FAST_BCRYPT, signaling: true, ...options });
}

async function stop(): Promise<void> {
  for (const socket of sockets.splice(0)) socket.ws.terminate();
  for (const socket of tcpSockets.splice(0)) socket.destroy();
  await Promise.all(turnClients.splice(0).map((client) => client.close()));
  await server.close();
}

async function guestTicket(member: TestMember): Promise<string> {
  const { code } = (await jsonOf(await server.fetch('/api/me', withCookie(member.cookie)))).callLink;
  const response = await server.fetch(`/api/links/${code}/tickets`, json({ displayName: 'Zoé' }));
  assert.is(response.status, 201);
  const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith('guest_ticket='));
  return line?.split(';')[0] ?? '';
}

async function iceServers(cookie: string): Promise<Ice> {
  const response = await server.fetch('/api/ice-servers', withCookie(cookie));
  assert.is(response.status, 200, 'GET /api/ice-servers');
  return (await jsonOf(response)) as Ice;
}

function credentialsOf(ice: Ice): Credentials {
  const [first] = ice.iceServers;
  assert.ok(first !== undefined, 'a TURN server is offered');
  return { username: first.username, password: first.credential };
}

async function turnClient(credentials: Credentials): Promise<TurnClient> {
  const client = await TurnClient.open({ address: '127.0.0.1', port: server.turn?.port ?? 0 }, credentials);
  turnClients.push(client);
  return client;
}

/** The TURN error code an Allocate gets, or null when it succeeds. */
async function allocateCode(credentials: Credentials): Promise<number | null> {
  const client = await turnClient(credentials);
  return client.allocate().then(
    () => null,
    (error: { code?: number }) => error.code ?? -1,
  );
}

/** Two members' sockets and a guest's, the guest ringing the member who answers: both get call-connected. */
async function answeredGuestCall(
  member: TestMember,
  ticket: string,
): Promise<{ callee: SignalTestClient; guest: SignalTestClient; callId: string; ice: Ice[] }> {
  const callee = await openSignalClient(server.wsUrl, { name: 'callee', headers: { Origin: server.origin, Cookie: member.cookie } });
  sockets.push(callee);
  const guest = await openSignalClient(`${server.wsUrl}?as=guest`, { name: 'guest', headers: { Origin: server.origin, Cookie: ticket } });
  sockets.push(guest);
  guest.send({ type: 'invite', calleeMemberId: member.id, commitment: A_COMMITMENT });
  const incoming = await callee.next('incoming-call');
  callee.send({ type: 'accept', callId: incoming.callId, commitment: A_COMMITMENT });
  const connected = await Promise.all([callee.next('call-connected'), guest.next('call-connected')]);
  return { callee, guest, callId: incoming.callId, ice: connected.map((message) => message.ice as Ice) };
}

// --- credentials ------------------------------------------------------------------------------

const credentials = suite('relay limits: TURN credentials per party');
credentials.after.each(stop);

credentials('gives a session or a ticket the same credential each time, and another one its own', async () => {
  await start({ turnRelayPorts: { min: 53600, max: 53619 } });
  const member = await signUp(server);
  const first = credentialsOf(await iceServers(member.cookie));
  assert.equal(credentialsOf(await iceServers(member.cookie)), first, 'asked again, the same credential');
  const otherSession = sessionCookieOf(await logIn(server, member.email, member.password)) ?? '';
  assert.is.not(credentialsOf(await iceServers(otherSession)).username, first.username, 'each session its own');
  const ticket = await guestTicket(member);
  const guest = credentialsOf(await iceServers(ticket));
  assert.equal(credentialsOf(await iceServers(ticket)), guest);
  assert.is.not(guest.username, first.username);
  assert.is(server.turnCredentials?.size(), 3, 'a hundred requests would not mint more');
  for (let i = 0; i < 20; i += 1) await iceServers(ticket);
  assert.is(server.turnCredentials?.size(), 3);
});

credentials('refuses one more credential per client address with 429 and a stable code', async () => {
  await start({ turnRelayPorts: { min: 53620, max: 53639 }, turnCredentialLimits: { maxUnboundPerAddress: 3 } });
  const member = await signUp(server);
  const tickets = [await guestTicket(member), await guestTicket(member), await guestTicket(member), await guestTicket(member)];
  for (const ticket of tickets.slice(0, 3)) await iceServers(ticket);
  const refused = await server.fetch('/api/ice-servers', withCookie(tickets[3] ?? ''));
  assert.is(refused.status, 429);
  assert.is((await jsonOf(refused)).error.code, 'turn_address_limit');
  assert.ok(Number(refused.headers.get('Retry-After')) > 0);
  await iceServers(tickets[0] ?? '');
});

credentials('keeps credentials for answered calls when the table is full of credentials outside calls', async () => {
  await start({ turnRelayPorts: { min: 53640, max: 53659 }, turnCredentialLimits: { maxOutstanding: 4, maxUnbound: 2, maxUnboundPerAddress: 100 } });
  const member = await signUp(server);
  let refused: Response | null = null;
  for (let i = 0; i < 6 && refused === null; i += 1) {
    const response = await server.fetch('/api/ice-servers', withCookie(await guestTicket(member)));
    if (response.status !== 200) refused = response;
  }
  assert.is(refused?.status, 503, 'the one request is refused');
  assert.is((await jsonOf(refused as Response)).error.code, 'turn_saturated');
  const { ice } = await answeredGuestCall(member, await guestTicket(member));
  for (const side of ice) assert.is(side.iceServers.length, 1, 'both sides of the answered call get the relay');
  assert.is(await allocateCode(credentialsOf(ice[0] as Ice)), null);
});

credentials("answers an accept with a refusal, never a closed socket, when even the calls' share is full", async () => {
  await start({ turnRelayPorts: { min: 53660, max: 53679 }, turnCredentialLimits: { maxOutstanding: 1, maxUnbound: 1, maxUnboundPerAddress: 100 } });
  const member = await signUp(server);
  await iceServers(member.cookie);
  const callee = await openSignalClient(server.wsUrl, { name: 'callee', headers: { Origin: server.origin, Cookie: member.cookie } });
  sockets.push(callee);
  const guest = await openSignalClient(`${server.wsUrl}?as=guest`, { name: 'guest', headers: { Origin: server.origin, Cookie: await guestTicket(member) } });
  sockets.push(guest);
  guest.send({ type: 'invite', calleeMemberId: member.id, commitment: A_COMMITMENT });
  const incoming = await callee.next('incoming-call');
  callee.send({ type: 'accept', callId: incoming.callId, commitment: A_COMMITMENT });
  const refusal = await callee.next('error');
  assert.is(refusal.code, 'unavailable');
  assert.match(refusal.message, /relay is busy/);
  // Both sockets still work: the callee can decline, and the guest hears of it.
  callee.send({ type: 'decline', callId: incoming.callId });
  assert.is((await guest.next('call-ended')).reason, 'declined');
});

credentials.run();

// --- allocations ------------------------------------------------------------------------------

const allocations = suite('relay limits: allocations');
allocations.after.each(stop);

allocations('bounds allocations per client address whatever the credential', async () => {
  await start({ turnRelayPorts: { min: 53660, max: 53679 }, turnQuotas: { userQuota: 10, addressQuota: 3 } });
  const member = await signUp(server);
  const memberCredentials = credentialsOf(await iceServers(member.cookie));
  for (let i = 0; i < 3; i += 1) assert.is(await allocateCode(memberCredentials), null);
  assert.is(await allocateCode(credentialsOf(await iceServers(await guestTicket(member)))), 486, 'another credential from the same address');
  assert.is(server.turn?.allocationCount(), 3);
});

allocations('keeps the reserved share of the relay for answered calls', async () => {
  await start({ turnRelayPorts: { min: 53680, max: 53699 }, turnQuotas: { userQuota: 10, totalQuota: 4, callReserve: 2 } });
  const member = await signUp(server);
  const outside = credentialsOf(await iceServers(await guestTicket(member)));
  assert.is(await allocateCode(outside), null);
  assert.is(await allocateCode(outside), null);
  assert.is(await allocateCode(outside), 508, 'credentials outside calls stop short of the reserve');
  const { ice } = await answeredGuestCall(member, await guestTicket(member));
  assert.is(await allocateCode(credentialsOf(ice[0] as Ice)), null);
  assert.is(await allocateCode(credentialsOf(ice[1] as Ice)), null);
  assert.is(await allocateCode(credentialsOf(ice[1] as Ice)), 508, 'the total still bounds everything');
});

allocations.run();

// --- revocation -------------------------------------------------------------------------------

const revocation = suite('relay limits: credentials die with what they were minted for');
revocation.after.each(stop);

/** Allocates with the credential, runs `end`, then checks the allocation ended and the credential is dead. */
async function assertEndsWith(credential: Credentials, end: () => Promise<void>, what: string): Promise<void> {
  assert.is(await allocateCode(credential), null);
  assert.is(server.turn?.allocationCount(credential.username), 1);
  await end();
  assert.is(server.turn?.allocationCount(credential.username), 0, `${what} ended the allocation`);
  assert.is(await allocateCode(credential), 401, `${what} revoked the credential`);
}

revocation('a guest ticket revoked with its link (and the guest call credential with it)', async () => {
  await start({ turnRelayPorts: { min: 53700, max: 53719 } });
  const member = await signUp(server);
  const ticket = await guestTicket(member);
  const outside = credentialsOf(await iceServers(ticket));
  await assertEndsWith(
    outside,
    async () => {
      assert.is((await server.fetch('/api/me/call-link', json({}, member.cookie))).status, 200);
    },
    'replacing the link',
  );
});

revocation('a guest call credential when the member switches guest calls off', async () => {
  await start({ turnRelayPorts: { min: 53720, max: 53739 } });
  const member = await signUp(server);
  const { ice } = await answeredGuestCall(member, await guestTicket(member));
  const guestSide = credentialsOf(ice[1] as Ice);
  await assertEndsWith(
    guestSide,
    async () => {
      assert.is((await server.fetch('/api/me/call-link', json({ guestsAllowed: false }, member.cookie, 'PATCH'))).status, 200);
    },
    'switching guest calls off',
  );
});

revocation('log-out', async () => {
  await start({ turnRelayPorts: { min: 53740, max: 53759 } });
  const member = await signUp(server);
  await assertEndsWith(
    credentialsOf(await iceServers(member.cookie)),
    async () => {
      assert.is((await server.fetch('/api/auth/logout', withCookie(member.cookie, { method: 'POST' }))).status, 204);
    },
    'logging out',
  );
});

revocation('a password change ends the other sessions’ credentials and keeps the current one', async () => {
  await start({ turnRelayPorts: { min: 53760, max: 53779 } });
  const member = await signUp(server);
  const other = sessionCookieOf(await logIn(server, member.email, member.password)) ?? '';
  const current = credentialsOf(await iceServers(member.cookie));
  await assertEndsWith(
    credentialsOf(await iceServers(other)),
    async () => {
      const changed = await server.fetch('/api/me/password', json({ currentPassword: member.password, newPassword: 'a brand new passphrase' }, member.cookie));
      assert.is(changed.status, 200);
    },
    'changing the password',
  );
  assert.is(await allocateCode(current), null, 'the session that changed it keeps its credential');
});

revocation('account deletion', async () => {
  await start({ turnRelayPorts: { min: 53780, max: 53799 } });
  const member = await signUp(server);
  await assertEndsWith(
    credentialsOf(await iceServers(member.cookie)),
    async () => {
      assert.is((await server.fetch('/api/me', json({ password: member.password }, member.cookie, 'DELETE'))).status, 204);
    },
    'deleting the account',
  );
});

revocation.run();

// --- TURN over TCP ----------------------------------------------------------------------------

/** A raw TCP connection to the relay that says nothing, with a promise of its close. */
async function silentConnection(localAddress = '127.0.0.1'): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect({ host: '127.0.0.1', port: server.turn?.port ?? 0, localAddress });
  tcpSockets.push(socket);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  await withTimeout(new Promise<void>((resolve) => socket.once('connect', () => resolve())), TCP_WAIT_MS, 'TCP connect');
  return { socket, closed };
}

async function tcpClient(credentials: Credentials, localAddress?: string): Promise<TcpTurnClient> {
  const client = await TcpTurnClient.open({ address: '127.0.0.1', port: server.turn?.port ?? 0 }, credentials, localAddress);
  tcpSockets.push(client.socket);
  return client;
}

const tcp = suite('relay limits: TURN over TCP');
tcp.after.each(stop);

tcp('closes connections past the per-address cap, and serves other addresses and freed places', async () => {
  await start({ turnRelayPorts: { min: 53800, max: 53809 }, turnQuotas: { tcpAuthTimeoutS: 600 } });
  const member = await signUp(server);
  const credential = credentialsOf(await iceServers(member.cookie));
  const held = [];
  for (let i = 0; i < MAX_TCP_CONNECTIONS_PER_ADDRESS; i += 1) held.push(await silentConnection());
  const extra = await silentConnection();
  await withTimeout(extra.closed, TCP_WAIT_MS, 'the relay to close the connection past the cap');
  const elsewhere = await tcpClient(credential, '127.0.0.2');
  await elsewhere.allocate();
  held[0]?.socket.destroy();
  await held[0]?.closed;
  // The relay counts the freed place once it has seen the close: a new connection is kept then.
  let kept: TcpTurnClient | null = null;
  for (let attempt = 0; attempt < 20 && kept === null; attempt += 1) {
    const candidate = await tcpClient(credential);
    kept = await Promise.race([candidate.allocate().then(() => candidate), candidate.closed.then(() => null)]);
  }
  assert.ok(kept !== null, 'a freed place takes a new connection');
});

tcp('closes a connection without an authenticated request in time, and keeps an authenticated one', async () => {
  await start({ turnRelayPorts: { min: 53810, max: 53819 }, turnQuotas: { tcpAuthTimeoutS: 1 } });
  const member = await signUp(server);
  const client = await tcpClient(credentialsOf(await iceServers(member.cookie)));
  await client.allocate();
  const silent = await silentConnection();
  await withTimeout(silent.closed, TCP_WAIT_MS, 'the relay to close the silent connection');
  assert.not.ok(client.socket.destroyed, 'the authenticated connection is still open');
  assert.ok((await client.refresh(600)) > 0, 'and still served');
});

tcp.run();

// --- relay to relay ---------------------------------------------------------------------------

const relayToRelay = suite('relay limits: relay-to-relay traffic');
relayToRelay.after.each(stop);

relayToRelay('reaches an allocation only from the relayed address its client permitted, and only within its call', async () => {
  await start({ turnRelayPorts: { min: 53820, max: 53839 } });
  const member = await signUp(server);
  const { ice } = await answeredGuestCall(member, await guestTicket(member));
  const caller = credentialsOf(ice[1] as Ice);
  const callee = credentialsOf(ice[0] as Ice);
  const a = await turnClient(caller);
  const { relayed: atA } = await a.allocate();
  const b = await turnClient(callee);
  const { relayed: atB } = await b.allocate();
  assert.is(errorCode(await b.createPermission([atA])), null);
  // The same call's credential, another relayed port: B never permitted it.
  const sameCallOtherPort = await turnClient(caller);
  await sameCallOtherPort.allocate();
  // Someone outside the call, who permits B's address as any relay-only browser would.
  const outsider = await turnClient(credentialsOf(await iceServers(await guestTicket(member))));
  await outsider.allocate();
  for (const sender of [sameCallOtherPort, outsider]) {
    assert.is(errorCode(await sender.createPermission([atB])), null);
    sender.sendIndication(atB, Buffer.from('injected'));
  }
  assert.is(errorCode(await a.createPermission([atB])), null);
  a.sendIndication(atB, Buffer.from('from-the-call'));
  const got = await b.nextData(1000);
  assert.is(got?.data.toString(), 'from-the-call', 'the first datagram B gets is its peer’s');
  assert.equal(got?.peer, atA);
});
relayToRelay.run();
