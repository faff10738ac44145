// A member can always stop a caller: closed links ring no one, ringing is bounded, and a call
// that only rings never locks the member. Fake peers and a fake clock: no sockets.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CLOSE_CODES } from '../../server/signal/protocol.js';
import { guest } from './fakes.js';
import { setup, zoe } from './hub-setup.js';

const links = suite('closed links');

links('a guest invite re-checks the link: a replaced or switched-off link rings no one', () => {
  const { open, members } = setup();
  const phone = open({ kind: 'member', memberId: 'bob', displayName: 'Bob Durand', guestFacingName: 'Bob', sessionId: 's-bob' });
  const device = open(zoe);
  const profile = members.findMember('bob');
  assert.ok(profile);
  members.add({ ...profile, guestLinkCode: 'a-new-code' });
  device.send({ type: 'invite', calleeMemberId: 'bob' });
  assert.equal(device.peer.last('error'), { type: 'error', code: 'not_allowed', message: 'This call link no longer takes calls.' });
  members.add({ ...profile, guestLinkCode: null });
  device.send({ type: 'invite', calleeMemberId: 'bob' });
  assert.is(device.peer.last('error').code, 'not_allowed');
  assert.is(phone.peer.all('incoming-call').length, 0);
});

links('closing a member’s guests closes only their sockets and ends the calls they ring', () => {
  const { open, hub, callLog } = setup();
  const phone = open({ kind: 'member', memberId: 'bob', displayName: 'Bob Durand', guestFacingName: 'Bob', sessionId: 's-bob' });
  const ringing = open(zoe);
  const other = open(guest('g-yann', 'Yann', 'carol'));
  ringing.send({ type: 'invite', calleeMemberId: 'bob' });
  const { callId } = phone.peer.last('incoming-call');
  hub.disconnectGuestsOf('bob');
  assert.is(ringing.peer.closedWith?.code, CLOSE_CODES.sessionEnded);
  assert.is(other.peer.closedWith, null);
  assert.is(phone.peer.closedWith, null);
  assert.equal(phone.peer.last('call-ended'), { type: 'call-ended', callId, reason: 'cancelled' });
  assert.is(hub.liveCallCount(), 0);
  assert.equal(callLog.records.map((record) => record.outcome), ['missed']);
});

links.run();
