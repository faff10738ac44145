// The call state machine through every transition, with fake peers and a fake clock: no
// sockets, and no timer left behind.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '../../server/log.js';
import { createHub } from '../../server/signal/hub.js';
import { HELLO_TIMEOUT_MS, RESUME_GRACE_MS, RING_TIMEOUT_MS } from '../../server/signal/hub-api.js';
import { CLOSE_CODES, PROTOCOL_VERSION } from '../../server/signal/protocol.js';
import { createFakeClock, createFakePeer, createIceProvider, createMemberDirectory, guest, member } from './fakes.js';
import { alice, bob, carol, dan, profiles, setup, zoe } from './hub-setup.js';
import { A_COMMITMENT } from '../helpers/ws.js';

const SDP = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';
const HOST = 'candidate:1 1 udp 2122260223 192.168.1.20 54321 typ host generation 0';
const SRFLX = 'candidate:2 1 udp 1686052607 203.0.113.7 54321 typ srflx raddr 192.168.1.20 rport 54321';
const RELAY = 'candidate:3 1 udp 41885439 198.51.100.1 50000 typ relay raddr 203.0.113.7 rport 54321';

const hello = suite('hello');

hello('is answered with welcome, the version and who the server takes the socket to be', () => {
  const { open } = setup();
  const device = open(alice);
  assert.equal(device.peer.sent, [
    {
      type: 'welcome',
      version: PROTOCOL_VERSION,
      connectionId: device.peer.last('welcome').connectionId,
      self: { kind: 'member', memberId: 'alice', displayName: 'Alice Martin' },
    },
  ]);
});

hello('must come first: anything before it closes the socket with 1008', () => {
  const { open } = setup();
  const device = open(alice, { greet: false });
  device.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  assert.equal(device.peer.closedWith, { code: CLOSE_CODES.policyViolation, reason: 'hello expected first' });
  assert.equal(device.peer.sent, []);
});

hello('with another version gets an unsupported_version error, then a 4000 close', () => {
  const { open } = setup();
  const device = open(alice, { greet: false });
  device.send({ type: 'hello', version: PROTOCOL_VERSION + 1 });
  assert.is(device.peer.last('error').code, 'unsupported_version');
  assert.is(device.peer.closedWith?.code, CLOSE_CODES.unsupportedVersion);
});

hello('that never comes closes the socket with 4002 after the hello timeout', () => {
  const { open, clock } = setup();
  const device = open(alice, { greet: false });
  clock.advance(HELLO_TIMEOUT_MS - 1);
  assert.is(device.peer.closedWith, null);
  clock.advance(1);
  assert.is(device.peer.closedWith?.code, CLOSE_CODES.helloTimeout);
  assert.is(clock.pendingTimers(), 0);
});

hello('a second time is ignored', () => {
  const { open } = setup();
  const device = open(alice);
  device.send({ type: 'hello', version: PROTOCOL_VERSION });
  assert.is(device.peer.all('welcome').length, 1);
  assert.is(device.peer.closedWith, null);
});

hello('a malformed or forged message closes the socket with 1008 and leaves other sockets alone', () => {
  const { open } = setup();
  const bystander = open(bob);
  for (const text of ['not json', '[]', '{"type":"teleport"}', '{"type":"invite","calleeMemberId":"bob","from":"carol"}']) {
    const device = open(alice);
    device.receive(text);
    assert.is(device.peer.closedWith?.code, CLOSE_CODES.policyViolation, text);
  }
  assert.is(bystander.peer.closedWith, null);
});

hello('a later-connected device of a member being rung starts ringing too', () => {
  const { open, ringBob } = setup();
  const { callId } = ringBob();
  const tablet = open(bob);
  assert.equal(tablet.peer.last('incoming-call'), {
    type: 'incoming-call',
    callId,
    caller: { kind: 'member', memberId: 'alice', displayName: 'Alice Martin' },
    ice: { iceServers: [{ urls: ['turn:127.0.0.1:3478?transport=udp'], username: 'u4', credential: 'secret' }], iceTransportPolicy: 'all' },
  });
});

const invite = suite('invite');

invite('rings every device of the callee and tells the caller it is ringing', () => {
  const { ringBob, callLog } = setup();
  const { caller, phone, laptop, callId } = ringBob();
  assert.equal(caller.peer.last('call-ringing'), {
    type: 'call-ringing',
    callId,
    callee: { kind: 'member', memberId: 'bob', displayName: 'Bob Durand' },
    ice: { iceServers: [{ urls: ['turn:127.0.0.1:3478?transport=udp'], username: 'u1', credential: 'secret' }], iceTransportPolicy: 'all' },
  });
  for (const [index, device] of [phone, laptop].entries()) {
    assert.equal(device.peer.last('incoming-call'), {
      type: 'incoming-call',
      callId,
      caller: { kind: 'member', memberId: 'alice', displayName: 'Alice Martin' },
      ice: { iceServers: [{ urls: ['turn:127.0.0.1:3478?transport=udp'], username: `u${index + 2}`, credential: 'secret' }], iceTransportPolicy: 'all' },
    });
  }
  assert.equal(callLog.records, []);
});

invite('gives the caller and each rung device their own relay servers while it rings, and rings without them when the relay is full', () => {
  const { ringBob, ice, open } = setup();
  const { callId } = ringBob();
  assert.equal(
    ice.minted.map((entry) => [entry.callId, entry.party.kind === 'member' ? entry.party.memberId : '']),
    [
      [callId, 'alice'],
      [callId, 'bob'],
      [callId, 'bob'],
    ],
  );
  ice.saturated = true;
  const tablet = open(bob);
  const incoming = tablet.peer.last('incoming-call');
  assert.is(incoming.callId, callId);
  assert.not.ok('ice' in incoming, 'rung without relay servers');
  const full = setup();
  full.ice.saturated = true;
  const { caller, phone } = full.ringBob();
  assert.not.ok('ice' in caller.peer.last('call-ringing'), 'rings without relay servers');
  assert.not.ok('ice' in phone.peer.last('incoming-call'));
});

invite('releases the relay servers of a call that ends unanswered', () => {
  const { ringBob, ice } = setup();
  const { phone, callId } = ringBob();
  phone.send({ type: 'decline', callId });
  assert.equal(ice.released, [callId]);
  const other = setup();
  const cancelled = other.ringBob();
  cancelled.caller.send({ type: 'cancel', callId: cancelled.callId });
  assert.equal(other.ice.released, [cancelled.callId]);
});

invite('refuses an unknown member, oneself, and a second call, keeping the socket open', () => {
  const { open, ringBob } = setup();
  const device = open(carol);
  device.send({ type: 'invite', calleeMemberId: 'nobody', commitment: A_COMMITMENT });
  assert.is(device.peer.last('error').code, 'unknown_member');
  device.send({ type: 'invite', calleeMemberId: 'carol', commitment: A_COMMITMENT });
  assert.is(device.peer.last('error').code, 'cannot_call_self');
  const { caller } = ringBob();
  caller.send({ type: 'invite', calleeMemberId: 'carol', commitment: A_COMMITMENT });
  assert.is(caller.peer.last('error').code, 'already_in_call');
  assert.is(device.peer.closedWith, null);
  assert.is(caller.peer.closedWith, null);
});

invite('lets a guest ring only the member whose link issued the ticket', () => {
  const { open } = setup();
  open(bob);
  open(carol);
  const device = open(zoe);
  device.send({ type: 'invite', calleeMemberId: 'carol', commitment: A_COMMITMENT });
  assert.equal(device.peer.last('error'), { type: 'error', code: 'not_allowed', message: 'This link rings another member.' });
  device.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  assert.ok(device.peer.last('call-ringing'));
});

invite('to a callee already in a call ends at once as busy and logs a busy call', () => {
  const { open, connectCall, callLog } = setup();
  connectCall();
  const device = open(carol);
  device.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  assert.is(device.peer.last('call-ended').reason, 'busy');
  assert.equal(callLog.records, [
    { calleeMemberId: 'bob', caller: { kind: 'member', memberId: 'carol' }, startedAt: callLog.records[0]?.startedAt, outcome: 'busy', durationS: null },
  ]);
});

invite('to a member with no device online ends at once as unavailable and logs a missed call', () => {
  const { open, callLog, clock } = setup();
  const device = open(zoe);
  device.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  assert.is(device.peer.last('call-ended').reason, 'unavailable');
  assert.equal(callLog.records, [
    { calleeMemberId: 'bob', caller: { kind: 'guest', displayName: 'Zoé' }, startedAt: new Date(clock.nowMs()), outcome: 'missed', durationS: null },
  ]);
});

invite('from the callee of a ringing call to its caller (glare) ends in a single connected call', () => {
  const { open, callLog, hub } = setup();
  const aliceDevice = open(alice);
  const bobDevice = open(bob);
  aliceDevice.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  bobDevice.send({ type: 'invite', calleeMemberId: 'alice', commitment: A_COMMITMENT });
  const callId = aliceDevice.peer.last('call-ringing').callId;
  assert.is(hub.liveCallCount(), 1);
  assert.is(aliceDevice.peer.last('call-connected').role, 'caller');
  assert.is(bobDevice.peer.last('call-connected').callId, callId);
  assert.is(bobDevice.peer.all('call-ringing').length, 0);
  assert.is(aliceDevice.peer.all('incoming-call').length, 0);
  bobDevice.send({ type: 'hang-up', callId });
  assert.equal(
    callLog.records.map((record) => [record.calleeMemberId, record.outcome]),
    [['bob', 'answered']],
  );
});

const accept = suite('accept');

accept('connects the first device to accept; the others are told it was answered elsewhere', () => {
  const { connectCall, ice } = setup();
  const { caller, phone, laptop, callId } = connectCall();
  const callerSide = caller.peer.last('call-connected');
  const calleeSide = phone.peer.last('call-connected');
  assert.is(callerSide.role, 'caller');
  assert.equal(callerSide.peer, { kind: 'member', memberId: 'bob', displayName: 'Bob Durand' });
  assert.is(calleeSide.role, 'callee');
  assert.equal(calleeSide.peer, { kind: 'member', memberId: 'alice', displayName: 'Alice Martin' });
  assert.is(callerSide.ice.iceTransportPolicy, 'all');
  assert.equal(callerSide.ice.iceServers[0]?.urls, ['turn:127.0.0.1:3478?transport=udp']);
  assert.is.not(callerSide.resumeToken, calleeSide.resumeToken);
  assert.equal(laptop.peer.last('call-ended'), { type: 'call-ended', callId, reason: 'answered-elsewhere' });
  assert.equal(laptop.peer.all('call-connected'), []);
  assert.equal(
    ice.minted.map((entry) => [entry.callId, entry.party.kind === 'member' ? entry.party.memberId : '']),
    [
      [callId, 'alice'],
      [callId, 'bob'],
      [callId, 'bob'],
      [callId, 'alice'],
      [callId, 'bob'],
    ],
    'the caller and the rung devices while ringing, then both sides',
  );
});

accept('a full relay refuses the accept with a retry hint, keeps the socket open and leaves the call ringing', () => {
  const { ringBob, ice } = setup();
  const { caller, phone, callId } = ringBob();
  ice.saturated = true;
  phone.send({ type: 'accept', callId, commitment: A_COMMITMENT });
  assert.equal(phone.peer.last('error'), { type: 'error', code: 'unavailable', message: 'The relay is busy; try again in a minute.', callId, retryAfterS: 60 });
  assert.is(phone.peer.closedWith, null);
  assert.equal(caller.peer.all('call-connected'), []);
  // Once the relay has room again, the same call can still be answered.
  ice.saturated = false;
  phone.send({ type: 'accept', callId, commitment: A_COMMITMENT });
  assert.is(phone.peer.last('call-connected').callId, callId);
  assert.is(caller.peer.last('call-connected').callId, callId);
});

accept('a second accept, from the same or another device, is ignored', () => {
  const { connectCall } = setup();
  const { caller, phone, laptop, callId } = connectCall();
  laptop.send({ type: 'accept', callId, commitment: A_COMMITMENT });
  phone.send({ type: 'accept', callId, commitment: A_COMMITMENT });
  assert.is(caller.peer.all('call-connected').length, 1);
  assert.is(phone.peer.all('call-connected').length, 1);
  assert.is(laptop.peer.all('call-connected').length, 0);
  assert.is(laptop.peer.closedWith, null);
});

accept('from a device that came online while ringing connects it', () => {
  const { ringBob, open } = setup();
  const { caller, phone, callId } = ringBob();
  const tablet = open(bob);
  tablet.send({ type: 'accept', callId, commitment: A_COMMITMENT });
  assert.is(tablet.peer.last('call-connected').role, 'callee');
  assert.is(caller.peer.last('call-connected').peer.kind, 'member');
  assert.is(phone.peer.last('call-ended').reason, 'answered-elsewhere');
});

accept('by the caller, or for an unknown call, is ignored', () => {
  const { ringBob, hub } = setup();
  const { caller, callId } = ringBob();
  caller.send({ type: 'accept', callId, commitment: A_COMMITMENT });
  caller.send({ type: 'accept', callId: 'no-such-call', commitment: A_COMMITMENT });
  assert.is(caller.peer.all('call-connected').length, 0);
  assert.is(hub.liveCallCount(), 1);
});

const ending = suite('ending a ringing call');

ending('decline ends it for the caller and every device and logs a declined call', () => {
  const { ringBob, callLog, clock } = setup();
  const { caller, phone, laptop, callId } = ringBob();
  laptop.send({ type: 'decline', callId });
  for (const device of [caller, phone, laptop]) assert.equal(device.peer.last('call-ended'), { type: 'call-ended', callId, reason: 'declined' });
  assert.equal(
    callLog.records.map((record) => [record.outcome, record.durationS]),
    [['declined', null]],
  );
  assert.is(clock.pendingTimers(), 0);
});

ending('cancel by the caller ends it everywhere and logs a missed call', () => {
  const { ringBob, callLog } = setup();
  const { caller, phone, callId } = ringBob();
  phone.send({ type: 'cancel', callId });
  assert.is(phone.peer.all('call-ended').length, 0, 'the callee cannot cancel');
  caller.send({ type: 'cancel', callId });
  caller.send({ type: 'cancel', callId });
  assert.is(phone.peer.last('call-ended').reason, 'cancelled');
  assert.is(caller.peer.all('call-ended').length, 1);
  assert.equal(
    callLog.records.map((record) => record.outcome),
    ['missed'],
  );
});

ending('hang-up while ringing is a cancel from the caller and a decline from the callee', () => {
  const first = setup().ringBob();
  first.caller.send({ type: 'hang-up', callId: first.callId });
  assert.is(first.phone.peer.last('call-ended').reason, 'cancelled');
  const second = setup().ringBob();
  second.laptop.send({ type: 'hang-up', callId: second.callId });
  assert.is(second.caller.peer.last('call-ended').reason, 'declined');
});

ending('no answer within the ring timeout ends it and logs a missed call', () => {
  const { ringBob, callLog, clock, hub } = setup();
  const { caller, phone, callId } = ringBob();
  clock.advance(RING_TIMEOUT_MS - 1);
  assert.is(hub.liveCallCount(), 1);
  clock.advance(1);
  assert.equal(caller.peer.last('call-ended'), { type: 'call-ended', callId, reason: 'no-answer' });
  assert.is(phone.peer.last('call-ended').reason, 'no-answer');
  assert.equal(
    callLog.records.map((record) => record.outcome),
    ['missed'],
  );
  assert.is(hub.liveCallCount(), 0);
  assert.is(clock.pendingTimers(), 0);
});

ending('the caller vanishing ends it as cancelled; a ringing device vanishing does not', () => {
  const { ringBob, callLog, hub } = setup();
  const { caller, phone, laptop, callId } = ringBob();
  laptop.closed(true);
  assert.is(hub.liveCallCount(), 1);
  caller.closed(true);
  assert.equal(phone.peer.last('call-ended'), { type: 'call-ended', callId, reason: 'cancelled' });
  assert.equal(
    callLog.records.map((record) => record.outcome),
    ['missed'],
  );
});

const connected = suite('a connected call');

connected('hang-up ends it for both sides, releases the relay credentials and logs the duration', () => {
  const { connectCall, callLog, ice, clock } = setup();
  const { caller, phone, callId } = connectCall();
  const startedAt = new Date(clock.nowMs());
  clock.advance(90_400);
  phone.send({ type: 'hang-up', callId });
  phone.send({ type: 'hang-up', callId });
  assert.equal(caller.peer.last('call-ended'), { type: 'call-ended', callId, reason: 'hung-up' });
  assert.is(phone.peer.all('call-ended').length, 1);
  assert.equal(callLog.records, [
    { calleeMemberId: 'bob', caller: { kind: 'member', memberId: 'alice' }, startedAt, outcome: 'answered', durationS: 90, path: null },
  ]);
  assert.equal(ice.released, [callId]);
  assert.is(clock.pendingTimers(), 0);
});

connected('relays offer, answer and candidates rebuilt, stamped with the sender', () => {
  const { connectCall } = setup();
  const { caller, phone, laptop, callId } = connectCall();
  caller.send({ type: 'offer', callId, sdp: SDP, iceRestart: false });
  phone.send({ type: 'answer', callId, sdp: SDP });
  phone.send({ type: 'candidate', callId, candidate: HOST, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' });
  const aliceView = { kind: 'member', memberId: 'alice', displayName: 'Alice Martin' };
  const bobView = { kind: 'member', memberId: 'bob', displayName: 'Bob Durand' };
  assert.equal(phone.peer.last('offer'), { type: 'offer', callId, from: aliceView, sdp: SDP, iceRestart: false });
  assert.equal(caller.peer.last('answer'), { type: 'answer', callId, from: bobView, sdp: SDP });
  assert.equal(caller.peer.last('candidate'), {
    type: 'candidate',
    callId,
    from: bobView,
    candidate: HOST,
    sdpMid: '0',
    sdpMLineIndex: 0,
    usernameFragment: 'abcd',
  });
  assert.equal(laptop.peer.all('offer'), [], 'a device that did not answer gets nothing');
});

connected('refuses to relay for a socket that is not a party of the live call', () => {
  const { connectCall, open } = setup();
  const { laptop, phone, callId } = connectCall();
  const stranger = open(carol);
  stranger.send({ type: 'offer', callId, sdp: SDP, iceRestart: false });
  laptop.send({ type: 'candidate', callId, candidate: HOST, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null });
  for (const device of [stranger, laptop]) {
    assert.equal(device.peer.last('error'), { type: 'error', code: 'not_in_call', message: 'That call is not live on this connection.', callId });
    assert.is(device.peer.closedWith, null);
  }
  assert.is(phone.peer.all('offer').length, 0);
});

connected('does not relay while the call is only ringing', () => {
  const { ringBob } = setup();
  const { caller, phone, callId } = ringBob();
  caller.send({ type: 'offer', callId, sdp: SDP, iceRestart: false });
  assert.is(caller.peer.last('error').code, 'not_in_call');
  assert.is(phone.peer.all('offer').length, 0);
});

connected('whose socket drops waits for it, then ends as peer-gone after the grace period', () => {
  const { connectCall, callLog, clock, ice } = setup();
  const { caller, phone, callId } = connectCall();
  clock.advance(30_000);
  caller.closed(true);
  assert.equal(phone.peer.last('peer-away'), { type: 'peer-away', callId });
  clock.advance(RESUME_GRACE_MS - 1);
  assert.is(phone.peer.all('call-ended').length, 0);
  clock.advance(1);
  assert.equal(phone.peer.last('call-ended'), { type: 'call-ended', callId, reason: 'peer-gone' });
  assert.equal(
    callLog.records.map((record) => [record.outcome, record.durationS]),
    [['answered', 50]],
  );
  assert.equal(ice.released, [callId]);
  assert.is(clock.pendingTimers(), 0);
});

connected('resumes on a new socket of the same party that brings the resume token', () => {
  const { connectCall, open, callLog, clock } = setup();
  const { caller, phone, callId } = connectCall();
  const token = caller.peer.last('call-connected').resumeToken;
  caller.closed(true);
  const back = open(alice);
  back.send({ type: 'resume', callId, resumeToken: token });
  const resumed = back.peer.last('call-connected');
  assert.equal([resumed.role, resumed.resumed, resumed.resumeToken], ['caller', true, token]);
  assert.equal(phone.peer.last('peer-back'), { type: 'peer-back', callId });
  clock.advance(RESUME_GRACE_MS * 2);
  back.send({ type: 'offer', callId, sdp: SDP, iceRestart: true });
  assert.is(phone.peer.last('offer').iceRestart, true);
  phone.send({ type: 'hang-up', callId });
  assert.is(back.peer.last('call-ended').reason, 'hung-up');
  assert.is(callLog.records.length, 1);
});

connected('a socket that takes the call over before the old one is found dead becomes the bound one', () => {
  const { connectCall, open } = setup();
  const { caller, phone, callId } = connectCall();
  const back = open(alice);
  back.send({ type: 'resume', callId, resumeToken: caller.peer.last('call-connected').resumeToken });
  phone.send({ type: 'answer', callId, sdp: SDP });
  assert.is(back.peer.all('answer').length, 1);
  assert.is(caller.peer.all('answer').length, 0);
  caller.closed(true);
  assert.is(phone.peer.all('peer-away').length, 0, 'the old socket no longer holds the call');
});

connected('refuses a resume with a wrong token, by another party, or of an ended call', () => {
  const { connectCall, open } = setup();
  const { caller, phone, callId } = connectCall();
  const token = caller.peer.last('call-connected').resumeToken;
  caller.closed(true);
  const impostor = open(carol);
  impostor.send({ type: 'resume', callId, resumeToken: token });
  assert.is(impostor.peer.last('error').code, 'cannot_resume');
  const wrong = open(alice);
  wrong.send({ type: 'resume', callId, resumeToken: 'x'.repeat(token.length) });
  assert.is(wrong.peer.last('error').code, 'cannot_resume');
  phone.send({ type: 'hang-up', callId });
  const late = open(alice);
  late.send({ type: 'resume', callId, resumeToken: token });
  assert.equal(late.peer.last('error'), { type: 'error', code: 'cannot_resume', message: 'This call cannot be resumed.', callId });
});

connected('cannot be resumed while it is only ringing', () => {
  const { ringBob, open } = setup();
  const { callId } = ringBob();
  const other = open(alice);
  other.send({ type: 'resume', callId, resumeToken: 'a'.repeat(32) });
  assert.is(other.peer.last('error').code, 'cannot_resume');
});

connected('ends at once when a socket closes for good', () => {
  const { connectCall, hub } = setup();
  const { caller, phone } = connectCall();
  hub.disconnectMember('bob');
  assert.is(phone.peer.closedWith?.code, CLOSE_CODES.sessionEnded);
  assert.is(caller.peer.last('call-ended').reason, 'peer-gone');
});

const relayOnly = suite('relay-only calls');

relayOnly('a guest call is relay-only: only relay candidates and end-of-candidates cross', () => {
  const { open } = setup();
  const guestDevice = open(zoe);
  const bobDevice = open(bob);
  guestDevice.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  const callId = guestDevice.peer.last('call-ringing').callId;
  bobDevice.send({ type: 'accept', callId, commitment: A_COMMITMENT });
  assert.is(guestDevice.peer.last('call-connected').ice.iceTransportPolicy, 'relay');
  assert.is(bobDevice.peer.last('call-connected').ice.iceTransportPolicy, 'relay');
  for (const candidate of [HOST, SRFLX, RELAY, 'candidate:garbage', '']) {
    bobDevice.send({ type: 'candidate', callId, candidate, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null });
  }
  assert.equal(
    guestDevice.peer.all('candidate').map((message) => message.candidate),
    [RELAY, ''],
  );
  assert.equal(guestDevice.peer.last('candidate').from, { kind: 'member', memberId: 'bob', displayName: 'Bob' });
  bobDevice.send({ type: 'offer', callId, sdp: `${SDP}a=${HOST}\r\na=${RELAY}\r\na=${SRFLX}\r\n`, iceRestart: false });
  assert.is(guestDevice.peer.last('offer').sdp, `${SDP}a=${RELAY}\r\n`);
});

relayOnly('shows a guest the member’s first name only, and the member the guest’s name', () => {
  const { open } = setup();
  const guestDevice = open(zoe);
  const bobDevice = open(bob);
  guestDevice.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  assert.equal(guestDevice.peer.last('call-ringing').callee, { kind: 'member', memberId: 'bob', displayName: 'Bob' });
  const callId = guestDevice.peer.last('call-ringing').callId;
  assert.equal(bobDevice.peer.last('incoming-call').caller, { kind: 'guest', guestId: 'g-zoe', displayName: 'Zoé' });
  bobDevice.send({ type: 'accept', callId, commitment: A_COMMITMENT });
  assert.equal(guestDevice.peer.last('call-connected').peer, { kind: 'member', memberId: 'bob', displayName: 'Bob' });
  assert.equal(bobDevice.peer.last('call-connected').peer, { kind: 'guest', guestId: 'g-zoe', displayName: 'Zoé' });
  bobDevice.send({ type: 'offer', callId, sdp: SDP, iceRestart: false });
  assert.not.match(JSON.stringify(guestDevice.peer.all('offer')), /Durand/);
});

relayOnly('a member who prefers relay-only makes every call of theirs relay-only, either way', () => {
  const { open } = setup();
  const danDevice = open(dan);
  const aliceDevice = open(alice);
  danDevice.send({ type: 'invite', calleeMemberId: 'alice', commitment: A_COMMITMENT });
  aliceDevice.send({ type: 'accept', callId: danDevice.peer.last('call-ringing').callId, commitment: A_COMMITMENT });
  assert.is(aliceDevice.peer.last('call-connected').ice.iceTransportPolicy, 'relay');
  const second = setup();
  const carolDevice = second.open(carol);
  const danAgain = second.open(dan);
  carolDevice.send({ type: 'invite', calleeMemberId: 'dan', commitment: A_COMMITMENT });
  danAgain.send({ type: 'accept', callId: carolDevice.peer.last('call-ringing').callId, commitment: A_COMMITMENT });
  assert.is(carolDevice.peer.last('call-connected').ice.iceTransportPolicy, 'relay');
});

relayOnly('a call between members who did not ask for it forwards every candidate', () => {
  const { connectCall } = setup();
  const { caller, phone, callId } = connectCall();
  phone.send({ type: 'candidate', callId, candidate: HOST, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null });
  assert.is(caller.peer.last('candidate').candidate, HOST);
});

const sessions = suite('sessions and shutdown');

sessions('closing one session closes only its sockets; the member stays reachable elsewhere', () => {
  const { open, hub } = setup();
  const phone = open(member('bob', 'Bob Durand', 'phone-session'));
  const laptop = open(member('bob', 'Bob Durand', 'laptop-session'));
  hub.disconnectSession('phone-session');
  assert.equal(phone.peer.closedWith, { code: CLOSE_CODES.sessionEnded, reason: 'session ended' });
  assert.is(laptop.peer.closedWith, null);
  assert.is(hub.connectionCount(), 1);
});

sessions('shutdown ends every call, each with its log record, and closes every socket with 1001', () => {
  const { connectCall, open, hub, callLog, clock } = setup();
  const { caller, phone, laptop } = connectCall();
  const carolDevice = open(carol);
  const zoeDevice = open(guest('g-zoe', 'Zoé', 'carol'));
  zoeDevice.send({ type: 'invite', calleeMemberId: 'carol', commitment: A_COMMITMENT });
  hub.shutdown();
  assert.is(caller.peer.last('call-ended').reason, 'server-shutdown');
  assert.is(zoeDevice.peer.last('call-ended').reason, 'server-shutdown');
  for (const device of [caller, phone, laptop, carolDevice, zoeDevice]) assert.is(device.peer.closedWith?.code, CLOSE_CODES.goingAway);
  assert.equal(callLog.records.map((record) => [record.calleeMemberId, record.outcome]).sort(), [
    ['bob', 'answered'],
    ['carol', 'missed'],
  ]);
  assert.is(hub.connectionCount(), 0);
  assert.is(clock.pendingTimers(), 0);
});

sessions('a call log that throws is logged and does not stop the hub', () => {
  const clock = createFakeClock();
  const logs: string[] = [];
  const hub = createHub({
    members: createMemberDirectory(profiles),
    callLog: {
      recordReceivedCall: () => {
        throw new Error('disk full');
      },
    },
    ice: createIceProvider(),
    clock,
    log: createLogger({ level: 'debug', write: (line) => logs.push(line) }),
  });
  const peer = createFakePeer();
  const conn = hub.connect(peer, zoe);
  conn.receive(JSON.stringify({ type: 'hello', version: PROTOCOL_VERSION }));
  conn.receive(JSON.stringify({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT }));
  assert.is(peer.last('call-ended').reason, 'unavailable');
  assert.is(peer.closedWith, null);
  assert.ok(logs.some((line) => line.includes('the call log refused a record')));
});

sessions('logs never carry names, SDP or candidates', () => {
  const { connectCall, logs } = setup();
  const { caller, phone, callId } = connectCall();
  caller.send({ type: 'offer', callId, sdp: SDP, iceRestart: false });
  phone.send({ type: 'candidate', callId, candidate: HOST, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null });
  phone.send({ type: 'hang-up', callId });
  caller.receive('{"type":"offer","sdp":123}');
  const text = logs.join('\n');
  assert.ok(logs.length > 0);
  for (const secret of ['Alice', 'Bob', 'alice', 'candidate:', 'v=0', '192.168']) assert.not.ok(text.includes(secret), secret);
});

for (const group of [hello, invite, accept, ending, connected, relayOnly, sessions]) group.run();
