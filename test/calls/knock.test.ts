// Guests knock first, through the real server with real WebSocket clients: a member who asks for
// it gets a guest's call as a knock with the guest's name and note, lets them in or refuses; a
// refused guest waits a longer cool-down before knocking again; members ring as usual.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, json, signUp, type TestMember } from '../accounts/helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';
import { KNOCK_REFUSED_COOLDOWN_MS } from '../../server/signal/ring-guard.js';
import { CLOSE_CODES, MAX_KNOCK_NOTE_CHARS } from '../../server/signal/protocol.js';
import { liveCalls } from './helpers.js';
import { A_COMMITMENT } from '../helpers/ws.js';

let server: TestServer;
const calls = liveCalls(() => server);

const knocksFirst = async (member: TestMember): Promise<void> => {
  const response = await server.fetch('/api/me/reach', json({ knockFirst: true }, member.cookie, 'PATCH'));
  assert.is(response.status, 200);
};

const knock = suite('guests knock first');
knock.before.each(async () => {
  // Ordinary rings have no cool-down here, so the one a refused knock leaves is its own.
  server = await startTestServer({ env: { ...FAST_BCRYPT, PORTHELLO_RING_COOLDOWN_S: '0' }, signaling: true, turnRelayPorts: { min: 52650, max: 52669 } });
});
knock.after.each(async () => {
  calls.closeAll();
  await server.close();
});

knock('a guest’s knock arrives with their name and note; let in, the call connects', async () => {
  const bob = await signUp(server, { firstName: 'Bob', lastName: 'Durand' });
  await knocksFirst(bob);
  const device = await calls.connectMember(bob);
  const { client: guest } = await calls.connectGuest(await calls.codeOf(bob), 'Zoé');
  guest.send({ type: 'knock', calleeMemberId: bob.id, note: '  About the parcel  ' });
  const knocked = await device.next('incoming-call');
  assert.equal(knocked.knock, { note: 'About the parcel' });
  assert.is(knocked.caller.displayName, 'Zoé');
  assert.is((await guest.next('call-ringing')).callee.displayName, 'Bob');
  device.send({ type: 'accept', callId: knocked.callId, commitment: A_COMMITMENT });
  assert.is((await guest.next('call-connected')).role, 'caller');
  assert.is((await device.next('call-connected')).role, 'callee');
  assert.not.ok(
    server.logs.some((line) => line.includes('parcel')),
    'the note is never logged',
  );
});

knock('a guest cannot skip the knock: a plain invite arrives as a knock without a note', async () => {
  const bob = await signUp(server);
  await knocksFirst(bob);
  const device = await calls.connectMember(bob);
  const { client: guest } = await calls.connectGuest(await calls.codeOf(bob), 'Zoé');
  guest.send({ type: 'invite', calleeMemberId: bob.id, commitment: A_COMMITMENT });
  assert.equal((await device.next('incoming-call')).knock, { note: '' });
});

knock('refused, the guest cannot knock again for a while, longer than after an ordinary decline', async () => {
  const bob = await signUp(server);
  await knocksFirst(bob);
  const device = await calls.connectMember(bob);
  const code = await calls.codeOf(bob);
  const { client: guest } = await calls.connectGuest(code, 'Zoé');
  guest.send({ type: 'knock', calleeMemberId: bob.id, note: '' });
  device.send({ type: 'decline', callId: (await device.next('incoming-call')).callId });
  assert.is((await guest.next('call-ended')).reason, 'declined');
  guest.send({ type: 'knock', calleeMemberId: bob.id, note: 'please' });
  const refused = await guest.next('error');
  assert.is(refused.code, 'cooling_down');
  assert.is(refused.retryAfterS, KNOCK_REFUSED_COOLDOWN_MS / 1000);
  // A fresh ticket from the same address does not get round it.
  const { client: again } = await calls.connectGuest(code, 'Zoé 2');
  again.send({ type: 'knock', calleeMemberId: bob.id, note: '' });
  assert.is((await again.next('error')).code, 'cooling_down');
  const rang = device.received.filter((message) => message.type === 'incoming-call').length;
  assert.is(rang, 1, 'no second knock reached the member');
});

knock('the cool-down of a refused knock ends, then the guest may knock again', async () => {
  await server.close();
  server = await startTestServer({ env: { ...FAST_BCRYPT, PORTHELLO_RING_COOLDOWN_S: '0' }, signaling: true, ringLimits: { knockRefusedCooldownMs: 300 } });
  const bob = await signUp(server);
  await knocksFirst(bob);
  const device = await calls.connectMember(bob);
  const { client: guest } = await calls.connectGuest(await calls.codeOf(bob), 'Zoé');
  guest.send({ type: 'knock', calleeMemberId: bob.id, note: '' });
  device.send({ type: 'decline', callId: (await device.next('incoming-call')).callId });
  await guest.next('call-ended');
  // Knocking again until it is taken: a knock refused while cooling spends no invite.
  await waitUntil(
    async () => {
      const from = guest.received.length;
      guest.send({ type: 'knock', calleeMemberId: bob.id, note: 'again' });
      await waitUntil(() => guest.received.length > from, 'an answer to the knock', 3000);
      return guest.received.slice(from).some((message) => message.type === 'call-ringing');
    },
    'the knock to be taken again',
    5000,
  );
  assert.equal((await device.next('incoming-call')).knock, { note: 'again' });
});

knock('members ring as usual and may not knock; a member who does not ask for knocks gets a plain ring', async () => {
  const ada = await signUp(server);
  const bob = await signUp(server);
  const carol = await signUp(server);
  await knocksFirst(bob);
  const bobDevice = await calls.connectMember(bob);
  const carolDevice = await calls.connectMember(carol);
  const phone = await calls.connectMember(ada);
  phone.send({ type: 'invite', calleeMemberId: bob.id, commitment: A_COMMITMENT });
  const rung = await bobDevice.next('incoming-call');
  assert.not.ok('knock' in rung, 'a member’s ring is no knock');
  phone.send({ type: 'cancel', callId: rung.callId });
  await phone.next('call-ended');
  phone.send({ type: 'knock', calleeMemberId: bob.id, note: '' });
  assert.is((await phone.next('error')).code, 'not_allowed');

  const { client: guest } = await calls.connectGuest(await calls.codeOf(carol), 'Zoé');
  guest.send({ type: 'knock', calleeMemberId: carol.id, note: 'hello' });
  assert.not.ok('knock' in (await carolDevice.next('incoming-call')), 'Carol takes plain calls: the note is dropped');
});

knock('closes the socket of a knock whose note is too long or hides characters', async () => {
  const bob = await signUp(server);
  await knocksFirst(bob);
  const code = await calls.codeOf(bob);
  for (const note of ['x'.repeat(MAX_KNOCK_NOTE_CHARS + 1), 'line\u0007bell', 'abc\u202Edcba']) {
    const { client: guest } = await calls.connectGuest(code, 'Zoé');
    guest.send({ type: 'knock', calleeMemberId: bob.id, note });
    assert.is((await guest.closed).code, CLOSE_CODES.policyViolation, JSON.stringify(note));
  }
  const { client: fits } = await calls.connectGuest(code, 'Zoé');
  fits.send({ type: 'knock', calleeMemberId: bob.id, note: '🙂'.repeat(MAX_KNOCK_NOTE_CHARS) });
  assert.is((await fits.next('call-ended')).reason, 'unavailable', 'a note of the longest length in code points is taken (Bob is offline)');
});

knock.run();
