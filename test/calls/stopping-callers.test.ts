// A member can always stop a caller, through the real server: closing their link closes the
// guests' sockets, ringing is bounded, and the call log cannot be flooded.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, json, signUp, withCookie, type TestMember } from '../accounts/helpers.js';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';
import { withTimeout } from '../helpers/wait.js';
import { MAX_LIVE_GUEST_TICKETS } from '../../server/calls/guest-tickets.js';
import { TICKETS_PER_ADDRESS, TICKETS_PER_LINK } from '../../server/calls/ticket-limits.js';
import { INVITES_PER_CALLER } from '../../server/signal/ring-guard.js';
import type { SignalTestClient } from '../helpers/ws.js';
import { liveCalls } from './helpers.js';
import { A_COMMITMENT } from '../helpers/ws.js';

let server: TestServer;
const { connectMember, ticketFor, connectGuestWith, codeOf, callsOf, closeAll, ...live } = liveCalls(() => server);
const connectGuest = async (code: string, displayName: string): Promise<SignalTestClient> => (await live.connectGuest(code, displayName)).client;

/** A guest rings the member; resolves once the member's device shows the call. */
async function guestRings(member: TestMember, device: SignalTestClient, guest: SignalTestClient): Promise<string> {
  guest.send({ type: 'invite', calleeMemberId: member.id, commitment: A_COMMITMENT });
  const { callId } = await device.next('incoming-call');
  return callId;
}

const closing = suite('closing a link');
closing.before.each(async () => {
  server = await startTestServer({ env: FAST_BCRYPT, signaling: true });
});
closing.after.each(async () => {
  closeAll();
  await server.close();
});

const changes: [string, (member: TestMember) => Promise<Response>][] = [
  ['replacing the link', (member) => server.fetch('/api/me/call-link', withCookie(member.cookie, { method: 'POST' }))],
  ['switching guest calls off', (member) => server.fetch('/api/me/call-link', json({ guestsAllowed: false }, member.cookie, 'PATCH'))],
  ['deleting the account', (member) => server.fetch('/api/me', json({ password: member.password }, member.cookie, 'DELETE'))],
];

for (const [what, change] of changes) {
  closing(`${what} closes the guests' sockets at once and ends the call they ring`, async () => {
    const member = await signUp(server);
    const code = await codeOf(member);
    const device = await connectMember(member);
    const ringing = await connectGuest(code, 'Zoé');
    const waiting = await connectGuest(code, 'Yann');
    const callId = await guestRings(member, device, ringing);
    const response = await change(member);
    assert.ok(response.status < 300, `${what}: ${response.status}`);
    for (const guest of [ringing, waiting]) assert.is((await withTimeout(guest.closed, 'the guest socket to close')).code, 4001);
    // The ringing call's record finds its callee gone after a deletion: no row, and no error either.
    assert.not.ok(server.logs.some((line) => line.includes('the call log refused a record')));
    if (what !== 'deleting the account') {
      assert.equal(await device.next('call-ended'), { type: 'call-ended', callId, reason: 'cancelled' });
      assert.is(server.calls.hub.liveCallCount(), 0);
    }
  });
}

closing('a flood of new guest tickets never evicts the ticket of a guest in a call', async () => {
  const member = await signUp(server);
  const code = await codeOf(member);
  const device = await connectMember(member);
  const { response, cookie } = await ticketFor(code, 'Zoé');
  assert.is(response.status, 201);
  const guest = await connectGuestWith(cookie ?? '', 'Zoé');
  device.send({ type: 'accept', callId: await guestRings(member, device, guest), commitment: A_COMMITMENT });
  await guest.next('call-connected');
  // The flood comes in through the service: the HTTP route's own limits would stop it first.
  for (let i = 0; i < MAX_LIVE_GUEST_TICKETS + 10; i += 1) server.calls.tickets.issue(member.id, 'Flood', code);
  assert.ok(server.calls.tickets.size() <= MAX_LIVE_GUEST_TICKETS);
  const again = await connectGuestWith(cookie ?? '', 'Zoé again');
  assert.is(again.received[0]?.type, 'welcome', 'the ticket still opens a socket, so a dropped call can come back');
});

closing('an answered call stays in the callee’s log when the caller deletes their account during it', async () => {
  const caller = await signUp(server);
  const callee = await signUp(server);
  const device = await connectMember(callee);
  const phone = await connectMember(caller);
  phone.send({ type: 'invite', calleeMemberId: callee.id, commitment: A_COMMITMENT });
  device.send({ type: 'accept', callId: (await device.next('incoming-call')).callId, commitment: A_COMMITMENT });
  await device.next('call-connected');
  const deleted = await server.fetch('/api/me', json({ password: caller.password }, caller.cookie, 'DELETE'));
  assert.ok(deleted.status < 300, `deleted: ${deleted.status}`);
  assert.is((await device.next('call-ended')).reason, 'peer-gone');
  const { calls } = await callsOf(callee);
  assert.is(calls.length, 1);
  assert.equal([calls[0].peer, calls[0].outcome, typeof calls[0].durationS], [{ kind: 'former-member' }, 'answered', 'number']);
  assert.not.ok(server.logs.some((line) => line.includes('the call log refused a record')));
});

closing.run();

const bounded = suite('bounded ringing through the real server');
bounded.before.each(async () => {
  server = await startTestServer({ env: { ...FAST_BCRYPT, PORTHELLO_TRUST_PROXY: 'true' }, signaling: true });
});
bounded.after.each(async () => {
  closeAll();
  await server.close();
});

bounded('guest tickets are limited per client address, an IPv6 /64 counting as one, and per link', async () => {
  const member = await signUp(server);
  const code = await codeOf(member);
  const from = (address: string) => ({ 'X-Forwarded-For': address });
  for (let i = 1; i <= TICKETS_PER_ADDRESS.burst; i += 1)
    assert.is((await ticketFor(code, 'Zoé', from(`2001:db8:1:2::${i.toString(16)}`))).response.status, 201);
  const refused = (await ticketFor(code, 'Zoé', from('2001:db8:1:2:ffff:1:2:3'))).response;
  assert.is(refused.status, 429, 'another address of the same /64');
  assert.is((await jsonOf(refused)).error.code, 'too_many_tickets');
  // The bucket refills while the test runs: the delay is at most one refill, at least a second.
  const retryAfterS = Number(refused.headers.get('Retry-After'));
  assert.ok(retryAfterS >= 1 && retryAfterS <= TICKETS_PER_ADDRESS.refillEveryMs / 1000, `Retry-After: ${retryAfterS}`);
  const left = TICKETS_PER_LINK.burst - TICKETS_PER_ADDRESS.burst;
  for (let i = 1; i <= left; i += 1) assert.is((await ticketFor(code, 'Zoé', from(`2001:db8:2:${i.toString(16)}::1`))).response.status, 201);
  assert.is((await ticketFor(code, 'Zoé', from('198.51.100.7'))).response.status, 429, 'the link has had its share');
  const other = await codeOf(await signUp(server));
  assert.is((await ticketFor(other, 'Zoé', from('198.51.100.7'))).response.status, 201, 'another member’s link is not affected');
});

bounded('a declined guest is refused with cooling_down and a retry delay, and rings no one', async () => {
  const member = await signUp(server);
  const code = await codeOf(member);
  const device = await connectMember(member);
  const guest = await connectGuest(code, 'Zoé');
  const callId = await guestRings(member, device, guest);
  device.send({ type: 'decline', callId });
  await guest.next('call-ended');
  guest.send({ type: 'invite', calleeMemberId: member.id, commitment: A_COMMITMENT });
  const refusal = await guest.next('error');
  assert.is(refusal.code, 'cooling_down');
  assert.ok(
    refusal.retryAfterS !== undefined && refusal.retryAfterS >= 1 && refusal.retryAfterS <= server.config.calls.ringCooldownMs / 1000,
    `retryAfterS: ${refusal.retryAfterS}`,
  );
  assert.is(device.received.filter((message) => message.type === 'incoming-call').length, 1);
});

bounded.run();

const log = suite('the call log under repeated rings');
log.before.each(async () => {
  server = await startTestServer({ env: { ...FAST_BCRYPT, PORTHELLO_RING_COOLDOWN_S: '0', PORTHELLO_CALL_LOG_MAX_ENTRIES: '10' }, signaling: true });
});
log.after.each(async () => {
  closeAll();
  await server.close();
});

log('repeated rings from one caller share one entry that counts them', async () => {
  const member = await signUp(server);
  const code = await codeOf(member);
  const guest = await connectGuest(code, 'Zoé');
  for (let i = 0; i < INVITES_PER_CALLER.burst; i += 1) {
    guest.send({ type: 'invite', calleeMemberId: member.id, commitment: A_COMMITMENT });
    assert.is((await guest.next('call-ended')).reason, 'unavailable');
  }
  const caller = await signUp(server);
  const device = await connectMember(caller);
  device.send({ type: 'invite', calleeMemberId: member.id, commitment: A_COMMITMENT });
  await device.next('call-ended');
  const { calls, unseenMissed } = await callsOf(member);
  assert.equal(
    calls.map((entry: { peer: { kind: string }; attempts: number; outcome: string }) => [entry.peer.kind, entry.outcome, entry.attempts]),
    [
      ['member', 'missed', 1],
      ['guest', 'missed', INVITES_PER_CALLER.burst],
    ],
  );
  assert.is(unseenMissed, 2);
});

log('keeps at most PORTHELLO_CALL_LOG_MAX_ENTRIES entries per member, the oldest going first', async () => {
  const member = await signUp(server);
  for (let i = 0; i < 15; i += 1) {
    server.calls.service.recordCall({
      calleeMemberId: member.id,
      caller: { kind: 'guest', displayName: `G${i}` },
      startedAt: new Date(Date.UTC(2026, 10, 1, 9, i)),
      outcome: 'missed',
      durationS: null,
    });
  }
  const { calls } = await callsOf(member);
  assert.equal(
    calls.map((entry: { peer: { name: string } }) => entry.peer.name),
    ['G14', 'G13', 'G12', 'G11', 'G10', 'G9', 'G8', 'G7', 'G6', 'G5'],
  );
});

log.run();
