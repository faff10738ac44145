// The calls part against the real server: call links, the directory, guest tickets, the real
// signaler with session cookies and guest tickets, and the call log the calls leave.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, json, signUp, withCookie } from '../accounts/helpers.js';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';
import { openSignalClient, A_COMMITMENT } from '../helpers/ws.js';
import { liveCalls } from './helpers.js';
import { TurnClient } from '../../server/turn/client.js';

let server: TestServer;
const { connectMember, ticketFor, connectGuest, linkOf, callsOf, closeAll } = liveCalls(() => server);

const calls = suite('calls through the real server');
calls.before.each(async () => {
  server = await startTestServer({ env: FAST_BCRYPT, signaling: true, turnRelayPorts: { min: 52000, max: 52099 } });
});
calls.after.each(async () => {
  closeAll();
  await server.close();
});

calls('gives each member a personal link in GET /api/me, and a new one kills the old', async () => {
  const member = await signUp(server);
  const link = await linkOf(member);
  assert.match(link.code, /^[A-Za-z0-9_-]{22}$/);
  assert.is(link.url, `${server.origin}/c/${link.code}`);
  assert.equal([link.guestsAllowed, link.relayOnly], [true, false]);
  assert.equal(await linkOf(member), link, 'stable across reads');
  const renewed = await jsonOf(await server.fetch('/api/me/call-link', withCookie(member.cookie, { method: 'POST' })));
  assert.is.not(renewed.code, link.code);
  assert.is((await ticketFor(link.code, 'Zoé')).response.status, 404, 'the old link is dead');
  assert.is((await ticketFor(renewed.code, 'Zoé')).response.status, 201);
});

calls('makes the call link at sign-up, so reading it is a read that leaves the table as it was', async () => {
  const member = await signUp(server);
  const stored = () => server.db.prepare('SELECT code, updated_at AS updatedAt FROM call_links WHERE user_id = ?').get(member.id);
  const atSignup = stored();
  assert.ok(atSignup !== undefined, 'the link exists before anything asked for it');
  const link = await linkOf(member);
  assert.is(link.path, `/c/${(atSignup as { code: string }).code}`);
  await linkOf(member);
  assert.equal(stored(), atSignup);
});

calls('lets a member switch guest calls off and choose relay-only, refusing anything else', async () => {
  const member = await signUp(server);
  const { code } = await linkOf(member);
  const changed = await server.fetch('/api/me/call-link', json({ guestsAllowed: false, relayOnly: true }, member.cookie, 'PATCH'));
  assert.equal(await jsonOf(changed), {
    code,
    path: `/c/${code}`,
    guestsAllowed: false,
    relayOnly: true,
    showPresence: false,
    url: `${server.origin}/c/${code}`,
  });
  assert.is((await ticketFor(code, 'Zoé')).response.status, 404);
  const bad = await server.fetch('/api/me/call-link', json({ guestsAllowed: 'yes', colour: 'red' }, member.cookie, 'PATCH'));
  assert.is(bad.status, 400);
  assert.equal((await jsonOf(bad)).error.fields, { guestsAllowed: 'must_be_boolean', colour: 'not_allowed' });
});

calls('answers a replaced, switched-off or unknown link with one page that says what to do and names nobody', async () => {
  const member = await signUp(server);
  const replaced = (await linkOf(member)).code;
  await server.fetch('/api/me/call-link', withCookie(member.cookie, { method: 'POST' }));
  const { code: switchedOff } = await linkOf(member);
  await server.fetch('/api/me/call-link', json({ guestsAllowed: false }, member.cookie, 'PATCH'));
  const pages: string[] = [];
  for (const code of [replaced, switchedOff, 'not-a-real-code-at-all']) {
    const response = await server.fetch(`/c/${code}?lang=en`);
    assert.is(response.status, 404, code);
    pages.push((await response.text()).replaceAll(code, 'CODE'));
  }
  assert.ok(pages[0]?.includes('<h1>This link no longer works</h1>'));
  assert.ok(pages[0]?.includes('Ask them for their new link.'));
  assert.not.ok(pages[0]?.includes(member.firstName), 'the page does not name the member');
  assert.is(pages[1], pages[0], 'a switched-off link looks like a replaced one');
  assert.is(pages[2], pages[0], 'and like a code that never existed');
  assert.ok((await (await server.fetch(`/c/${replaced}?lang=fr`)).text()).includes('<h1>Ce lien ne fonctionne plus</h1>'));
});

calls('lists the other members in the directory, by name, without e-mail', async () => {
  const ada = await signUp(server, { firstName: 'Ada', lastName: 'Zed' });
  const bob = await signUp(server, { firstName: 'Bob', lastName: 'Abel' });
  const listed = await jsonOf(await server.fetch('/api/members', withCookie(ada.cookie)));
  assert.equal(listed, { members: [{ id: bob.id, firstName: 'Bob', lastName: 'Abel', avatarUrl: null, reachable: null }], nextOffset: null });
  assert.is((await server.fetch('/api/members')).status, 401);
});

calls('issues guest tickets only with a clean name, as a cookie scripts cannot read and other sites never send', async () => {
  const member = await signUp(server);
  const { code } = await linkOf(member);
  for (const bad of ['', ' ', 'x'.repeat(61), 'a\u0000b']) {
    const { response } = await ticketFor(code, bad);
    assert.is(response.status, 400, JSON.stringify(bad));
    assert.is((await jsonOf(response)).error.code, 'invalid_display_name');
  }
  assert.is((await ticketFor('not-a-real-code-at-all', 'Zoé')).response.status, 404);
  const { response } = await ticketFor(code, '  Zoé  ');
  const cookie = response.headers.getSetCookie().find((line) => line.startsWith('guest_ticket=')) ?? '';
  assert.match(cookie, /httponly/i);
  assert.match(cookie, /samesite=strict/i);
  assert.match(cookie, /path=\/;/i);
  assert.is((await jsonOf(response)).calleeMemberId, member.id);
});

calls('refuses sockets without a session or a ticket, and a member session posing as a guest', async () => {
  const member = await signUp(server);
  const refused = (url: string, cookie: string) =>
    openSignalClient(url, { name: 'x', headers: { Origin: server.origin, Cookie: cookie } }).then(
      () => 'open',
      (error: Error) => error.message,
    );
  assert.match(await refused(server.wsUrl, ''), /401/);
  assert.match(await refused(`${server.wsUrl}?as=guest`, member.cookie), /401/);
  assert.match(await refused(`${server.wsUrl}?as=guest`, 'guest_ticket=forged'), /401/);
});

calls('connects a guest to a member through the relay only, and logs the answered call with the guest’s name', async () => {
  const member = await signUp(server);
  const { code } = await linkOf(member);
  const device = await connectMember(member);
  const { client: guest, calleeMemberId } = await connectGuest(code, 'Zoé');
  guest.send({ type: 'invite', calleeMemberId, commitment: A_COMMITMENT });
  const incoming = await device.next('incoming-call');
  assert.equal(incoming.caller.displayName, 'Zoé');
  assert.is(incoming.caller.kind, 'guest');
  device.send({ type: 'accept', callId: incoming.callId, commitment: A_COMMITMENT });
  const [calleeSide, callerSide] = await Promise.all([device.next('call-connected'), guest.next('call-connected')]);
  for (const side of [calleeSide, callerSide]) {
    assert.is(side.ice.iceTransportPolicy, 'relay', 'a guest call never reveals addresses');
    const [turn] = side.ice.iceServers;
    assert.match(String(turn?.urls[0]), new RegExp(`^turn:127\\.0\\.0\\.1:${server.turn?.port}\\?transport=udp$`));
    assert.match(String(turn?.username), /^[A-Za-z0-9_-]{22}$/);
    assert.not.match(String(turn?.username), new RegExp(member.id));
  }
  assert.is.not(calleeSide.ice.iceServers[0]?.username, callerSide.ice.iceServers[0]?.username, 'one credential per party');
  assert.is(callerSide.peer.displayName, member.firstName, 'a guest learns the first name only');
  guest.send({ type: 'hang-up', callId: incoming.callId });
  await device.next('call-ended');
  const log = await callsOf(member);
  assert.is(log.calls.length, 1);
  const [entry] = log.calls;
  assert.equal(entry.peer, { kind: 'guest', name: 'Zoé' });
  assert.is(entry.outcome, 'answered');
  assert.type(entry.durationS, 'number');
  assert.ok(Math.abs(Date.parse(entry.startedAt) - Date.now()) < 60_000);
  const logged = server.logs.join('\n');
  for (const secret of ['Zoé', member.email, member.firstName, code, String(calleeSide.ice.iceServers[0]?.credential)]) {
    assert.not.ok(logged.includes(secret), `the log holds no ${secret}`);
  }
});

calls('rings every device of a member called from the directory; a cancelled call is missed until seen', async () => {
  const ada = await signUp(server, { firstName: 'Ada', lastName: 'Lovelace' });
  const bob = await signUp(server, { firstName: 'Bob', lastName: 'Durand' });
  const [phone, laptop] = [await connectMember(bob, 'phone'), await connectMember(bob, 'laptop')];
  const caller = await connectMember(ada);
  caller.send({ type: 'invite', calleeMemberId: bob.id, commitment: A_COMMITMENT });
  const [onPhone, onLaptop] = await Promise.all([phone.next('incoming-call'), laptop.next('incoming-call')]);
  assert.is(onPhone.callId, onLaptop.callId);
  assert.equal(onPhone.caller, { kind: 'member', memberId: ada.id, displayName: 'Ada Lovelace' });
  caller.send({ type: 'cancel', callId: onPhone.callId });
  await Promise.all([phone.next('call-ended'), laptop.next('call-ended')]);
  const log = await callsOf(bob);
  assert.is(log.unseenMissed, 1);
  assert.equal(log.calls[0].peer, { kind: 'member', memberId: ada.id, name: 'Ada Lovelace' });
  assert.equal([log.calls[0].outcome, log.calls[0].durationS, log.calls[0].seen], ['missed', null, false]);
  assert.is((await server.fetch('/api/calls/seen', withCookie(bob.cookie, { method: 'POST' }))).status, 204);
  const seen = await callsOf(bob);
  assert.equal([seen.unseenMissed, seen.calls[0].seen], [0, true]);
  const made = (await callsOf(ada)).calls;
  assert.equal(
    made.map((entry: { direction: string; outcome: string; seen: boolean; peer: unknown }) => [entry.direction, entry.outcome, entry.seen, entry.peer]),
    [['made', 'missed', true, { kind: 'member', memberId: bob.id, name: 'Bob Durand' }]],
    'the caller’s log holds the call made, never highlighted as missed',
  );
  assert.is((await callsOf(ada)).unseenMissed, 0);
});

calls('pages the log newest first and deletes only the member’s own entries', async () => {
  const bob = await signUp(server);
  const ada = await signUp(server);
  for (let i = 0; i < 5; i += 1) {
    server.calls.service.recordCall({
      calleeMemberId: bob.id,
      caller: { kind: 'guest', displayName: `G${i}` },
      startedAt: new Date(Date.UTC(2026, 10, 1, 9, i)),
      outcome: 'declined',
      durationS: null,
    });
  }
  const first = await callsOf(bob, '?limit=2');
  assert.equal(
    first.calls.map((call: { peer: { name: string } }) => call.peer.name),
    ['G4', 'G3'],
  );
  const second = await callsOf(bob, `?limit=2&before=${first.nextBefore}`);
  assert.equal(
    second.calls.map((call: { peer: { name: string } }) => call.peer.name),
    ['G2', 'G1'],
  );
  const last = await callsOf(bob, `?limit=2&before=${second.nextBefore}`);
  assert.equal([last.calls.length, last.nextBefore], [1, null]);
  assert.is((await server.fetch('/api/calls?limit=0', withCookie(bob.cookie))).status, 400);
  assert.is((await server.fetch('/api/calls?before=abc', withCookie(bob.cookie))).status, 400);
  const id = first.calls[0].id;
  assert.is((await server.fetch(`/api/calls/${id}`, withCookie(ada.cookie, { method: 'DELETE' }))).status, 404, 'not Ada’s entry');
  assert.is((await server.fetch(`/api/calls/${id}`, withCookie(bob.cookie, { method: 'DELETE' }))).status, 204);
  assert.is((await server.fetch(`/api/calls/${id}`, withCookie(bob.cookie, { method: 'DELETE' }))).status, 404);
  assert.is((await callsOf(bob)).calls.length, 4);
});

calls('closes a member’s sockets at log-out, and shows a caller who left as a former member', async () => {
  const ada = await signUp(server);
  const bob = await signUp(server);
  const device = await connectMember(bob);
  const caller = await connectMember(ada);
  caller.send({ type: 'invite', calleeMemberId: bob.id, commitment: A_COMMITMENT });
  const incoming = await device.next('incoming-call');
  device.send({ type: 'decline', callId: incoming.callId });
  await caller.next('call-ended');
  assert.is((await server.fetch('/api/auth/logout', withCookie(bob.cookie, { method: 'POST' }))).status, 204);
  assert.is((await device.closed).code, 4001);
  const deleted = await server.fetch('/api/me', json({ password: ada.password }, ada.cookie, 'DELETE'));
  assert.ok(deleted.status < 300, `deleted: ${deleted.status}`);
  assert.is((await caller.closed).code, 4001);
  const relogged = await server.fetch('/api/auth/login', json({ email: bob.email, password: bob.password }));
  const cookie = relogged.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  const log = await jsonOf(await server.fetch('/api/calls', withCookie(cookie)));
  assert.equal(log.calls[0].peer, { kind: 'former-member' });
  assert.is(log.calls[0].outcome, 'declined');
});

calls('gives each party TURN credentials that allocate during the call and are refused after hang-up', async () => {
  const member = await signUp(server);
  const { code } = await linkOf(member);
  const device = await connectMember(member);
  const { client: guest, calleeMemberId } = await connectGuest(code, 'Zoé');
  guest.send({ type: 'invite', calleeMemberId, commitment: A_COMMITMENT });
  const { callId } = await device.next('incoming-call');
  device.send({ type: 'accept', callId, commitment: A_COMMITMENT });
  const connected = await guest.next('call-connected');
  const turn = connected.ice.iceServers[0];
  const relayAddress = { address: '127.0.0.1', port: server.turn?.port ?? 0 };
  const credentials = { username: turn?.username ?? '', password: turn?.credential ?? '' };
  const during = await TurnClient.open(relayAddress, credentials);
  try {
    const { relayed } = await during.allocate();
    assert.is(relayed.address, '127.0.0.1');
  } finally {
    await during.close();
  }
  guest.send({ type: 'hang-up', callId });
  await device.next('call-ended');
  const after = await TurnClient.open(relayAddress, credentials);
  try {
    const refused = await after.allocate().then(
      () => 0,
      (error: { code?: number }) => error.code ?? -1,
    );
    assert.is(refused, 401);
  } finally {
    await after.close();
  }
});

calls('mints TURN servers for a member or a guest on GET /api/ice-servers, relay-only where privacy asks', async () => {
  assert.is((await server.fetch('/api/ice-servers')).status, 401);
  const member = await signUp(server);
  const forMember = await jsonOf(await server.fetch('/api/ice-servers', withCookie(member.cookie)));
  assert.is(forMember.iceTransportPolicy, 'all');
  const [turn] = forMember.iceServers;
  assert.equal(turn.urls, [`turn:127.0.0.1:${server.turn?.port}?transport=udp`, `turn:127.0.0.1:${server.turn?.port}?transport=tcp`]);
  assert.match(turn.username, /^[A-Za-z0-9_-]{22}$/);
  assert.match(turn.credential, /^[A-Za-z0-9_-]{32}$/);
  await server.fetch('/api/me/call-link', json({ relayOnly: true }, member.cookie, 'PATCH'));
  assert.is((await jsonOf(await server.fetch('/api/ice-servers', withCookie(member.cookie)))).iceTransportPolicy, 'relay');
  const { code } = await linkOf(member);
  const { cookie } = await ticketFor(code, 'Zoé');
  const forGuest = await jsonOf(await server.fetch('/api/ice-servers', withCookie(cookie ?? '')));
  assert.is(forGuest.iceTransportPolicy, 'relay');
  assert.is.not(forGuest.iceServers[0].username, turn.username);
  assert.is((await server.fetch('/api/ice-servers', withCookie('guest_ticket=forged'))).status, 401);
});

calls.run();
