// The browser's Phone (public/ts/lib/call/phone.ts) placing and answering calls, under Node: a
// fake signaling channel, a fake clock, tones and media that count their stops, and a session
// stand-in (harness.ts). The real sessions, with RTCPeerConnection, run in the browser suites.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WELCOME_WAIT_MS } from '../../public/ts/lib/call/phone.js';
import { REFUSAL_CODES } from '../../server/signal/protocol.js';
import { createFakeMedia } from './fakes.js';
import { BOB, CAROL, ZOE, connected, ended, refusal, setup, KEY } from './harness.js';

const invite = suite('invite');

invite('made before the welcome waits for it, then is sent; ringing plays the ringback', () => {
  const { phone, signal, tones, states } = setup();
  const media = createFakeMedia();
  assert.ok(phone.call('bob', media, KEY));
  phone.connect();
  assert.equal(phone.state, { kind: 'inviting', calleeMemberId: 'bob', media, key: KEY, sent: false });
  assert.equal(signal.sent, []);
  signal.welcome();
  assert.equal(signal.sent, [{ type: 'invite', calleeMemberId: 'bob', commitment: KEY.commitment }]);
  assert.equal(phone.state, { kind: 'inviting', calleeMemberId: 'bob', media, key: KEY, sent: true });
  signal.deliver({ type: 'call-ringing', callId: 'call-1', callee: BOB });
  assert.equal(phone.state, { kind: 'ringing-out', callId: 'call-1', callee: BOB, media, key: KEY });
  assert.equal(tones.playing(), ['ringback']);
  assert.equal(
    states.map((state) => state.kind),
    ['inviting', 'ringing-out'],
  );
  assert.is(media.stops, 0);
});

invite('a knock carries no commitment; the call it connects uses the certificate it was placed with', () => {
  const { phone, signal, sessions, online } = setup();
  online();
  assert.ok(phone.call('bob', createFakeMedia(), KEY, 'about the parcel'));
  assert.equal(signal.sent, [{ type: 'knock', calleeMemberId: 'bob', note: 'about the parcel' }]);
  signal.deliver({ type: 'call-ringing', callId: 'call-1', callee: BOB });
  signal.deliver(connected('call-1', 'caller'));
  assert.is(sessions[0]?.key, KEY);
});

invite('ringing with relay servers keeps them in the ringing state, for the page to prepare its offer with before the answer', () => {
  const { phone, signal, online } = setup();
  online();
  const media = createFakeMedia();
  assert.ok(phone.call('bob', media, KEY));
  const ice = { iceServers: [{ urls: ['turn:relay.example:3478'], username: 'u', credential: 'c' }], iceTransportPolicy: 'all' as const };
  signal.deliver({ type: 'call-ringing', callId: 'call-1', callee: BOB, ice });
  assert.equal(phone.state, { kind: 'ringing-out', callId: 'call-1', callee: BOB, media, key: KEY, ice });
});

invite('made while welcomed is sent at once', () => {
  const { phone, signal, online, clock } = setup();
  online();
  assert.ok(phone.call('bob', createFakeMedia(), KEY));
  assert.equal(signal.sent, [{ type: 'invite', calleeMemberId: 'bob', commitment: KEY.commitment }]);
  assert.is(clock.pendingTimers(), 0);
});

invite('that gets no welcome within the wait ends as unreachable and stops the media', () => {
  const { phone, signal, clock, ends, assertSettled } = setup();
  const media = createFakeMedia();
  phone.connect();
  phone.call('bob', media, KEY);
  clock.advance(WELCOME_WAIT_MS - 1);
  assert.is(phone.state.kind, 'inviting');
  assert.is(media.stops, 0);
  clock.advance(1);
  assert.equal(ends, [{ direction: 'outgoing', reason: 'unreachable', peer: null, durationS: null, byMe: false }]);
  assert.equal(signal.sent, []);
  assertSettled(media);
  // A welcome that comes late sends nothing.
  signal.welcome();
  assert.equal(signal.sent, []);
});

invite('waiting for the welcome survives a reconnection, not a close for good', () => {
  const { phone, signal, ends } = setup();
  const media = createFakeMedia();
  phone.call('bob', media, KEY);
  phone.connect();
  signal.drop();
  assert.is(phone.state.kind, 'inviting');
  signal.welcome();
  assert.equal(signal.all('invite').length, 1);

  const second = setup();
  const secondMedia = createFakeMedia();
  second.phone.call('bob', secondMedia, KEY);
  second.phone.connect();
  second.signal.closeForGood(1006);
  assert.equal(
    second.ends.map((end) => end.reason),
    ['unreachable'],
  );
  second.assertSettled(secondMedia);
  assert.equal(ends, []);
  assert.is(media.stops, 0);
});

invite('sent before a drop ends as network when the socket drops before an answer', () => {
  const { phone, signal, ends, online, assertSettled } = setup();
  online();
  const media = createFakeMedia();
  phone.call('bob', media, KEY);
  signal.drop();
  assert.equal(ends, [{ direction: 'outgoing', reason: 'network', peer: null, durationS: null, byMe: false }]);
  assertSettled(media);
  // The new socket's welcome does not send the invite again.
  signal.welcome();
  assert.equal(signal.all('invite').length, 1);
});

invite('a second call while one is going returns false and stops its media', () => {
  const { phone, signal, ringBob } = setup();
  const first = ringBob();
  const second = createFakeMedia('second');
  assert.not.ok(phone.call('carol', second, KEY));
  assert.is(second.stops, 1);
  assert.is(first.stops, 0);
  assert.equal(signal.all('invite').length, 1);
  assert.is(phone.state.kind, 'ringing-out');
});

invite('answered at once (busy, unavailable) ends with the protocol reason', () => {
  for (const reason of ['busy', 'unavailable'] as const) {
    const { phone, signal, ends, online, assertSettled } = setup();
    online();
    const media = createFakeMedia();
    phone.call('bob', media, KEY);
    signal.deliver(ended('call-9', reason));
    assert.equal(ends, [{ direction: 'outgoing', reason, peer: null, durationS: null, byMe: false }]);
    assertSettled(media);
  }
});

invite('refused by the server ends with the refusal code, for every code', () => {
  for (const code of REFUSAL_CODES) {
    const { phone, signal, ends, refusals, online, assertSettled } = setup();
    online();
    const media = createFakeMedia();
    phone.call('bob', media, KEY);
    signal.deliver(refusal(code));
    assert.equal(ends, [{ direction: 'outgoing', reason: 'refused', refusal: code, peer: null, durationS: null, byMe: false }], code);
    assert.equal(refusals, []);
    assertSettled(media);
  }
});

invite('cancelled while waiting for the welcome sends nothing; while ringing sends cancel', () => {
  const waiting = setup();
  const media = createFakeMedia();
  waiting.phone.call('bob', media, KEY);
  waiting.phone.cancel();
  assert.equal(waiting.ends, [{ direction: 'outgoing', reason: 'cancelled', peer: null, durationS: null, byMe: true }]);
  waiting.assertSettled(media);
  waiting.phone.connect();
  waiting.signal.welcome();
  assert.equal(waiting.signal.sent, []);

  const ringing = setup();
  const ringingMedia = ringing.ringBob();
  ringing.phone.cancel();
  assert.equal(ringing.signal.last('cancel'), { type: 'cancel', callId: 'call-1' });
  assert.equal(ringing.ends, [{ direction: 'outgoing', reason: 'cancelled', peer: BOB, durationS: null, byMe: true }]);
  ringing.assertSettled(ringingMedia);
});

invite('ringing that ends (declined, no answer) stops the ringback and reports the callee', () => {
  for (const reason of ['declined', 'no-answer'] as const) {
    const { signal, ends, ringBob, assertSettled } = setup();
    const media = ringBob();
    signal.deliver(ended('call-1', reason));
    assert.equal(ends, [{ direction: 'outgoing', reason, peer: BOB, durationS: null, byMe: false }]);
    assertSettled(media);
  }
});

const glare = suite('glare');

glare('our invite crossing theirs: their ringing is ignored and their call connects with our media', () => {
  const { phone, signal, tones, sessions, online } = setup();
  online();
  const media = createFakeMedia();
  phone.call('bob', media, KEY);
  // The server may still ring us for their call before it sees our invite.
  signal.deliver({ type: 'incoming-call', callId: 'call-theirs', caller: BOB });
  assert.is(phone.state.kind, 'inviting');
  assert.equal(tones.playing(), []);
  signal.deliver(connected('call-theirs', 'callee'));
  const state = phone.state;
  if (state.kind !== 'in-call') throw new Error(`expected in-call, got ${state.kind}`);
  assert.is(state.callId, 'call-theirs');
  assert.equal(state.peer, BOB);
  assert.is(sessions.length, 1);
  assert.is(sessions[0]?.media, media);
  assert.is(sessions[0]?.role, 'callee');
  // The invite committed to this certificate: the call we now answer uses it.
  assert.equal(signal.last('invite'), { type: 'invite', calleeMemberId: 'bob', commitment: KEY.commitment });
  assert.is(sessions[0]?.key, KEY);
  assert.is(media.stops, 0);
});

glare('the side whose call is ringing connects its own call', () => {
  const { phone, signal, sessions, ringBob, tones } = setup();
  const media = ringBob();
  // Bob's invite to us turned our ringing call into a connected one.
  signal.deliver(connected('call-1', 'caller'));
  assert.is(phone.state.kind, 'in-call');
  assert.equal(tones.playing(), []);
  assert.is(sessions[0]?.media, media);
  assert.is(sessions[0]?.role, 'caller');
});

glare('a call-connected for a call that is not ours is ignored', () => {
  const { phone, signal, sessions, ringBob } = setup();
  ringBob();
  signal.deliver(connected('call-other', 'caller', CAROL));
  assert.is(phone.state.kind, 'ringing-out');
  assert.is(sessions.length, 0);
});

const answering = suite('answering');

answering('incoming rings with the ringtone; accept sends accept and stops it; call-connected starts the session', () => {
  const { phone, signal, tones, sessions, states, rungByBob } = setup();
  rungByBob();
  assert.equal(phone.state, { kind: 'ringing-in', callId: 'call-1', caller: BOB });
  assert.equal(tones.playing(), ['ringtone']);
  const media = createFakeMedia();
  phone.accept(media, KEY);
  assert.equal(signal.last('accept'), { type: 'accept', callId: 'call-1', commitment: KEY.commitment });
  assert.equal(phone.state, { kind: 'accepting', callId: 'call-1', caller: BOB, media, key: KEY });
  assert.equal(tones.playing(), []);
  signal.deliver(connected('call-1', 'callee'));
  assert.is(phone.state.kind, 'in-call');
  assert.is(sessions[0]?.connected.callId, 'call-1');
  assert.is(sessions[0]?.key, KEY, 'the session uses the certificate the accept committed to');
  assert.equal(
    states.map((state) => state.kind),
    ['ringing-in', 'accepting', 'in-call'],
  );
});

answering('a ring with relay servers keeps them in the ringing state, for the page to gather with before the answer', () => {
  const { phone, signal, online } = setup();
  online();
  const ice = { iceServers: [{ urls: ['turn:relay.example:3478'], username: 'u', credential: 'c' }], iceTransportPolicy: 'relay' as const };
  signal.deliver({ type: 'incoming-call', callId: 'call-9', caller: BOB, ice });
  assert.equal(phone.state, { kind: 'ringing-in', callId: 'call-9', caller: BOB, ice });
});

answering('two devices answering: the slower one is told answered-elsewhere and stops its media', () => {
  const { phone, signal, ends, sessions, rungByBob, assertSettled } = setup();
  rungByBob();
  const media = createFakeMedia();
  phone.accept(media, KEY);
  signal.deliver(ended('call-1', 'answered-elsewhere'));
  assert.equal(ends, [{ direction: 'incoming', reason: 'answered-elsewhere', peer: BOB, durationS: null, byMe: false }]);
  assertSettled(media);
  // The winner's call-connected never reaches this device; a stray one would not start a session.
  signal.deliver(connected('call-1', 'callee'));
  assert.is(sessions.length, 0);
  assert.is(phone.state.kind, 'idle');
});

answering('answered on another device before we accept: the ringtone stops', () => {
  const { signal, ends, rungByBob, assertSettled } = setup();
  rungByBob();
  signal.deliver(ended('call-1', 'answered-elsewhere'));
  assert.equal(
    ends.map((end) => [end.reason, end.direction]),
    [['answered-elsewhere', 'incoming']],
  );
  assertSettled();
});

answering('an accept the server refuses (relay full) ends it with the code', () => {
  const { phone, signal, ends, refusals, rungByBob, assertSettled } = setup();
  rungByBob();
  const media = createFakeMedia();
  phone.accept(media, KEY);
  signal.deliver(refusal('unavailable', 'call-1'));
  assert.equal(ends, [{ direction: 'incoming', reason: 'refused', refusal: 'unavailable', peer: BOB, durationS: null, byMe: false }]);
  assert.equal(refusals, []);
  assertSettled(media);
});

answering('accept while the socket is down stops the media and leaves the call ringing', () => {
  const { phone, signal, tones, rungByBob } = setup();
  rungByBob();
  // The socket is gone but its close has not been reported yet.
  signal.close();
  const media = createFakeMedia();
  phone.accept(media, KEY);
  assert.is(media.stops, 1);
  assert.is(phone.state.kind, 'ringing-in');
  assert.equal(tones.playing(), ['ringtone']);
});

answering('accept or decline when nothing rings does nothing but stop the media', () => {
  const { phone, signal, online, states } = setup();
  online();
  const media = createFakeMedia();
  phone.accept(media, KEY);
  phone.decline();
  assert.is(media.stops, 1);
  assert.equal(signal.sent, []);
  assert.equal(states, []);
});

answering('decline sends decline and ends by us; the caller cancelling ends it as cancelled', () => {
  const declining = setup();
  declining.rungByBob();
  declining.phone.decline();
  assert.equal(declining.signal.last('decline'), { type: 'decline', callId: 'call-1' });
  assert.equal(declining.ends, [{ direction: 'incoming', reason: 'declined', peer: BOB, durationS: null, byMe: true }]);
  declining.assertSettled();

  const missed = setup();
  missed.rungByBob();
  missed.signal.deliver(ended('call-1', 'cancelled'));
  assert.equal(missed.ends, [{ direction: 'incoming', reason: 'cancelled', peer: BOB, durationS: null, byMe: false }]);
  missed.assertSettled();
});

answering('a second incoming call while one rings or is connected is ignored', () => {
  const { phone, signal, tones, rungByBob } = setup();
  rungByBob();
  signal.deliver({ type: 'incoming-call', callId: 'call-2', caller: ZOE });
  assert.equal(phone.state, { kind: 'ringing-in', callId: 'call-1', caller: BOB });
  assert.equal(tones.started, ['ringtone']);
  phone.accept(createFakeMedia(), KEY);
  signal.deliver(connected('call-1', 'callee'));
  signal.deliver({ type: 'incoming-call', callId: 'call-3', caller: ZOE });
  assert.is(phone.state.kind, 'in-call');
  assert.equal(tones.started, ['ringtone']);
});

for (const group of [invite, glare, answering]) group.run();
