// A member can always stop a caller: closed links ring no one, ringing is bounded, and a call
// that only rings never locks the member. Fake peers and a fake clock: no sockets.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RING_TIMEOUT_MS } from '../../server/signal/hub-api.js';
import { CLOSE_CODES, type ServerMessage } from '../../server/signal/protocol.js';
import { GUEST_INVITES_PER_ADDRESS, GUEST_INVITES_PER_LINK, INVITES_PER_CALLER, RING_COOLDOWN_MS } from '../../server/signal/ring-guard.js';
import { guest } from './fakes.js';
import { alice, bob, carol, dan, setup, zoe, type Device } from './hub-setup.js';
import { A_COMMITMENT } from '../helpers/ws.js';

const links = suite('closed links');

links('a guest invite re-checks the link: a replaced or switched-off link rings no one', () => {
  const { open, members } = setup();
  const phone = open(bob);
  const device = open(zoe);
  const profile = members.findMember('bob');
  assert.ok(profile);
  members.add({ ...profile, guestLinkCode: 'a-new-code' });
  device.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  assert.equal(device.peer.last('error'), { type: 'error', code: 'not_allowed', message: 'This call link no longer takes calls.' });
  members.add({ ...profile, guestLinkCode: null });
  device.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  assert.is(device.peer.last('error').code, 'not_allowed');
  assert.is(phone.peer.all('incoming-call').length, 0);
});

links('closing a member’s guests closes only their sockets and ends the calls they ring', () => {
  const { open, hub, callLog } = setup();
  const phone = open(bob);
  const ringing = open(zoe);
  const other = open(guest('g-yann', 'Yann', 'carol'));
  ringing.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  const { callId } = phone.peer.last('incoming-call');
  hub.disconnectGuestsOf('bob');
  assert.is(ringing.peer.closedWith?.code, CLOSE_CODES.sessionEnded);
  assert.is(other.peer.closedWith, null);
  assert.is(phone.peer.closedWith, null);
  assert.equal(phone.peer.last('call-ended'), { type: 'call-ended', callId, reason: 'cancelled' });
  assert.is(hub.liveCallCount(), 0);
  assert.equal(
    callLog.records.map((record) => record.outcome),
    ['missed'],
  );
});

links('a member who leaves stops ringing at once: their callers are told unavailable', () => {
  const { open, hub } = setup();
  open(bob);
  const caller = open(alice);
  caller.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  const { callId } = caller.peer.last('call-ringing');
  hub.disconnectMember('bob');
  assert.equal(caller.peer.last('call-ended'), { type: 'call-ended', callId, reason: 'unavailable' });
  assert.is(hub.liveCallCount(), 0);
});

links.run();

const bounded = suite('bounded ringing');

bounded('a declined caller waits the cool-down: the refusal says cooling_down and when to retry', () => {
  const { open, clock, callLog } = setup();
  const phone = open(bob);
  const caller = open(alice);
  caller.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  phone.send({ type: 'decline', callId: phone.peer.last('incoming-call').callId });
  caller.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  assert.equal(caller.peer.last('error'), {
    type: 'error',
    code: 'cooling_down',
    message: 'This member could not take your call just now; wait before ringing again.',
    retryAfterS: RING_COOLDOWN_MS / 1000,
  });
  assert.is(phone.peer.all('incoming-call').length, 1);
  caller.send({ type: 'invite', calleeMemberId: 'carol', commitment: A_COMMITMENT });
  assert.is(caller.peer.last('call-ended').reason, 'unavailable', 'another member can still be rung');
  clock.advance(RING_COOLDOWN_MS);
  caller.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  assert.is(phone.peer.all('incoming-call').length, 2);
  assert.equal(
    callLog.records.map((record) => record.outcome),
    ['declined', 'missed'],
  );
});

bounded('no answer and an unavailable member start the cool-down too; a cancel does not', () => {
  const { open, clock } = setup();
  const caller = open(alice);
  caller.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  assert.is(caller.peer.last('call-ended').reason, 'unavailable');
  caller.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  assert.is(caller.peer.last('error').code, 'cooling_down');
  open(carol);
  caller.send({ type: 'invite', calleeMemberId: 'carol', commitment: A_COMMITMENT });
  clock.advance(RING_TIMEOUT_MS);
  assert.is(caller.peer.last('call-ended').reason, 'no-answer');
  caller.send({ type: 'invite', calleeMemberId: 'carol', commitment: A_COMMITMENT });
  assert.is(caller.peer.last('error').code, 'cooling_down');
  open(dan);
  caller.send({ type: 'invite', calleeMemberId: 'dan', commitment: A_COMMITMENT });
  caller.send({ type: 'cancel', callId: caller.peer.last('call-ringing').callId });
  caller.send({ type: 'invite', calleeMemberId: 'dan', commitment: A_COMMITMENT });
  assert.is(caller.peer.all('call-ringing').length, 3);
});

bounded('one socket ringing a declining member 121 times rings them once', () => {
  const { open, callLog } = setup();
  const phone = open(bob);
  const caller = open(zoe, { address: '203.0.113.9' });
  for (let i = 0; i < 121; i += 1) {
    caller.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
    const incoming = phone.peer.all('incoming-call').at(-1);
    if (incoming !== undefined) phone.send({ type: 'decline', callId: incoming.callId });
  }
  assert.is(phone.peer.all('incoming-call').length, 1);
  assert.is(callLog.records.length, 1);
  assert.is(caller.peer.closedWith, null);
});

bounded('a guest coming back with a new ticket from the same address still waits the cool-down', () => {
  const { open } = setup();
  const phone = open(bob);
  const first = open(zoe, { address: '2001:db8:5::/64' });
  first.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  phone.send({ type: 'decline', callId: phone.peer.last('incoming-call').callId });
  const again = open(guest('g-zoe-2', 'Zoé', 'bob'), { address: '2001:db8:5::/64' });
  again.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  assert.is(again.peer.last('error').code, 'cooling_down');
  const elsewhere = open(guest('g-yann', 'Yann', 'bob'), { address: '198.51.100.4' });
  elsewhere.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  assert.ok(elsewhere.peer.last('call-ringing'));
});

/** Rings and cancels at once, so no cool-down applies: only the rate limits can refuse. */
function ringAndCancel(device: Device, calleeMemberId: string): 'rang' | ServerError {
  device.send({ type: 'invite', calleeMemberId, commitment: A_COMMITMENT });
  const last = device.peer.sent.at(-1);
  if (last?.type === 'error') return last;
  device.send({ type: 'cancel', callId: device.peer.last('call-ringing').callId });
  return 'rang';
}
type ServerError = Extract<ServerMessage, { type: 'error' }>;

bounded('invites are limited per caller, with a retry delay', () => {
  const { open, clock } = setup();
  open(bob);
  const caller = open(alice);
  for (let i = 0; i < INVITES_PER_CALLER.burst; i += 1) assert.is(ringAndCancel(caller, 'bob'), 'rang');
  const refused = ringAndCancel(caller, 'bob');
  assert.equal(refused, {
    type: 'error',
    code: 'rate_limited',
    message: 'Too many calls in a short time; wait before ringing again.',
    retryAfterS: INVITES_PER_CALLER.refillEveryMs / 1000,
  });
  clock.advance(INVITES_PER_CALLER.refillEveryMs);
  assert.is(ringAndCancel(caller, 'bob'), 'rang');
});

bounded('guest invites are limited per address (an IPv6 /64 is one) and per link', () => {
  const { open } = setup();
  open(bob);
  const fromOneAddress = Array.from({ length: GUEST_INVITES_PER_ADDRESS.burst + 1 }, (_, i) =>
    open(guest(`g-a${i}`, 'A', 'bob'), { address: '2001:db8:7::/64' }),
  );
  const outcomes = fromOneAddress.map((device) => ringAndCancel(device, 'bob'));
  assert.is(outcomes.filter((outcome) => outcome === 'rang').length, GUEST_INVITES_PER_ADDRESS.burst);
  assert.is((outcomes.at(-1) as ServerError).code, 'rate_limited');
  const left = GUEST_INVITES_PER_LINK.burst - GUEST_INVITES_PER_ADDRESS.burst;
  const fromManyAddresses = Array.from({ length: left + 1 }, (_, i) => open(guest(`g-b${i}`, 'B', 'bob'), { address: `198.51.100.${i}` }));
  const more = fromManyAddresses.map((device) => ringAndCancel(device, 'bob'));
  assert.is(more.filter((outcome) => outcome === 'rang').length, left);
  assert.is((more.at(-1) as ServerError).code, 'rate_limited', 'the link has had its share');
  const member = open(carol);
  assert.is(ringAndCancel(member, 'bob'), 'rang', 'members do not spend the link’s guest budget');
});

bounded.run();

const unlocked = suite('a ringing call locks no one');

unlocked('a member whose phone rings can still place a call', () => {
  const { open } = setup();
  const phone = open(bob);
  open(carol);
  const harasser = open(zoe);
  harasser.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  assert.ok(phone.peer.last('incoming-call'));
  phone.send({ type: 'invite', calleeMemberId: 'carol', commitment: A_COMMITMENT });
  assert.is(phone.peer.last('call-ringing').callee.kind, 'member');
  assert.is(phone.peer.all('error').length, 0);
});

unlocked('a second caller rings too while the first only rings, and gets busy once a call is answered', () => {
  const { open, callLog } = setup();
  const phone = open(bob);
  const first = open(zoe);
  const second = open(alice);
  first.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  second.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  const [fromZoe, fromAlice] = phone.peer.all('incoming-call');
  assert.ok(fromZoe && fromAlice, 'both calls ring');
  assert.ok(second.peer.last('call-ringing'));
  phone.send({ type: 'accept', callId: fromAlice.callId, commitment: A_COMMITMENT });
  assert.is(second.peer.last('call-connected').callId, fromAlice.callId);
  assert.equal(first.peer.last('call-ended'), { type: 'call-ended', callId: fromZoe.callId, reason: 'busy' });
  const third = open(carol);
  third.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  assert.is(third.peer.last('call-ended').reason, 'busy');
  assert.equal(
    callLog.records.map((record) => [record.caller.kind, record.outcome]),
    [
      ['guest', 'busy'],
      ['member', 'busy'],
    ],
  );
});

unlocked('any device of the member may decline, the one busy ringing someone else too', () => {
  const { open } = setup();
  const laptop = open(bob);
  open(carol);
  laptop.send({ type: 'invite', calleeMemberId: 'carol', commitment: A_COMMITMENT });
  const harasser = open(zoe);
  harasser.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  const { callId } = laptop.peer.last('incoming-call');
  laptop.send({ type: 'decline', callId });
  assert.equal(harasser.peer.last('call-ended'), { type: 'call-ended', callId, reason: 'declined' });
  assert.ok(
    laptop.peer.all('call-ended').every((ended) => ended.callId === callId),
    'the member’s own call still rings',
  );
});

unlocked('answering a call cancels the call the member was placing', () => {
  const { open, hub } = setup();
  const laptop = open(bob);
  const carolPhone = open(carol);
  laptop.send({ type: 'invite', calleeMemberId: 'carol', commitment: A_COMMITMENT });
  const outgoing = laptop.peer.last('call-ringing').callId;
  const caller = open(alice);
  caller.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  laptop.send({ type: 'accept', callId: laptop.peer.last('incoming-call').callId, commitment: A_COMMITMENT });
  assert.is(laptop.peer.last('call-connected').role, 'callee');
  assert.equal(carolPhone.peer.last('call-ended'), { type: 'call-ended', callId: outgoing, reason: 'cancelled' });
  assert.is(hub.liveCallCount(), 1);
});

unlocked.run();
