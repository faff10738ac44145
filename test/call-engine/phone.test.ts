// The browser's Phone (public/ts/lib/call/phone.ts) through every transition, under Node: a
// fake signaling channel, a fake clock, tones and media that count their stops, and a session
// stand-in. The real sessions, with RTCPeerConnection, run in the browser suites.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Phone, WELCOME_WAIT_MS, type CallEnd, type PhoneState } from '../../public/ts/lib/call/phone.js';
import { REFUSAL_CODES, type EndReason, type PartyView, type RefusalCode, type ServerMessage } from '../../server/signal/protocol.js';
import { createFakeClock } from '../signal/fakes.js';
import { createFakeMedia, createFakeSignal, createFakeTones, FakeSession, type FakeMedia } from './fakes.js';

const BOB: PartyView = { kind: 'member', memberId: 'bob', displayName: 'Bob Durand' };
const CAROL: PartyView = { kind: 'member', memberId: 'carol', displayName: 'Carol Petit' };
const ZOE: PartyView = { kind: 'guest', guestId: 'g-zoe', displayName: 'Zoé' };

type State = PhoneState<FakeMedia, FakeSession>;

function connected(callId: string, role: 'caller' | 'callee', peer: PartyView = BOB, resumeToken = 'token-1', resumed = false): Extract<ServerMessage, { type: 'call-connected' }> {
  return { type: 'call-connected', callId, role, peer, ice: { iceServers: [], iceTransportPolicy: 'all' }, resumeToken, resumed };
}
const ended = (callId: string, reason: EndReason): ServerMessage => ({ type: 'call-ended', callId, reason });
const refusal = (code: RefusalCode, callId?: string): ServerMessage =>
  callId === undefined ? { type: 'error', code, message: 'refused' } : { type: 'error', code, message: 'refused', callId };
const OFFER: ServerMessage = { type: 'offer', callId: 'call-1', from: BOB, sdp: 'v=0\r\n', iceRestart: false };

function setup() {
  const clock = createFakeClock();
  const tones = createFakeTones();
  const { open, signal } = createFakeSignal();
  const states: State[] = [];
  const ends: CallEnd[] = [];
  const refusals: RefusalCode[] = [];
  const sessions: FakeSession[] = [];
  const signalStates: [string, number | undefined][] = [];
  const phone = new Phone<FakeMedia, FakeSession>({
    openSignal: open,
    startSession: (init) => {
      const session = new FakeSession(init);
      sessions.push(session);
      return session;
    },
    tones,
    clock,
    onState: (state) => states.push(state),
    onEnded: (end) => ends.push(end),
    onRefusal: (code) => refusals.push(code),
    onSignalState: (state, code) => signalStates.push([state, code]),
  });
  /** Connected and welcomed. */
  const online = () => {
    phone.connect();
    signal.welcome();
  };
  /** We ring Bob, whose devices ring: call-1. */
  const ringBob = () => {
    online();
    const media = createFakeMedia();
    assert.ok(phone.call('bob', media));
    signal.deliver({ type: 'call-ringing', callId: 'call-1', callee: BOB });
    return media;
  };
  /** Bob rings us: call-1. */
  const rungByBob = () => {
    online();
    signal.deliver({ type: 'incoming-call', callId: 'call-1', caller: BOB });
  };
  /** A connected call-1, us as the caller. */
  const inCall = () => {
    const media = ringBob();
    signal.deliver(connected('call-1', 'caller'));
    const session = sessions.at(-1);
    if (session === undefined) throw new Error('no session started');
    return { media, session };
  };
  /** Nothing left behind: idle, silent, no timer pending, and every media stopped exactly once. */
  const assertSettled = (...media: FakeMedia[]) => {
    assert.is(phone.state.kind, 'idle');
    assert.equal(tones.playing(), []);
    assert.is(clock.pendingTimers(), 0);
    for (const one of media) assert.is(one.stops, 1, `${one.name} stopped once`);
  };
  return { clock, tones, signal, states, ends, refusals, sessions, signalStates, phone, online, ringBob, rungByBob, inCall, assertSettled };
}

const invite = suite('invite');

invite('made before the welcome waits for it, then is sent; ringing plays the ringback', () => {
  const { phone, signal, tones, states } = setup();
  const media = createFakeMedia();
  assert.ok(phone.call('bob', media));
  phone.connect();
  assert.equal(phone.state, { kind: 'inviting', calleeMemberId: 'bob', media, sent: false });
  assert.equal(signal.sent, []);
  signal.welcome();
  assert.equal(signal.sent, [{ type: 'invite', calleeMemberId: 'bob' }]);
  assert.equal(phone.state, { kind: 'inviting', calleeMemberId: 'bob', media, sent: true });
  signal.deliver({ type: 'call-ringing', callId: 'call-1', callee: BOB });
  assert.equal(phone.state, { kind: 'ringing-out', callId: 'call-1', callee: BOB, media });
  assert.equal(tones.playing(), ['ringback']);
  assert.equal(states.map((state) => state.kind), ['inviting', 'ringing-out']);
  assert.is(media.stops, 0);
});

invite('made while welcomed is sent at once', () => {
  const { phone, signal, online, clock } = setup();
  online();
  assert.ok(phone.call('bob', createFakeMedia()));
  assert.equal(signal.sent, [{ type: 'invite', calleeMemberId: 'bob' }]);
  assert.is(clock.pendingTimers(), 0);
});

invite('that gets no welcome within the wait ends as unreachable and stops the media', () => {
  const { phone, signal, clock, ends, assertSettled } = setup();
  const media = createFakeMedia();
  phone.connect();
  phone.call('bob', media);
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
  phone.call('bob', media);
  phone.connect();
  signal.drop();
  assert.is(phone.state.kind, 'inviting');
  signal.welcome();
  assert.equal(signal.all('invite').length, 1);

  const second = setup();
  const secondMedia = createFakeMedia();
  second.phone.call('bob', secondMedia);
  second.phone.connect();
  second.signal.closeForGood(1006);
  assert.equal(second.ends.map((end) => end.reason), ['unreachable']);
  second.assertSettled(secondMedia);
  assert.equal(ends, []);
  assert.is(media.stops, 0);
});

invite('sent before a drop ends as network when the socket drops before an answer', () => {
  const { phone, signal, ends, online, assertSettled } = setup();
  online();
  const media = createFakeMedia();
  phone.call('bob', media);
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
  assert.not.ok(phone.call('carol', second));
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
    phone.call('bob', media);
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
    phone.call('bob', media);
    signal.deliver(refusal(code));
    assert.equal(ends, [{ direction: 'outgoing', reason: 'refused', refusal: code, peer: null, durationS: null, byMe: false }], code);
    assert.equal(refusals, []);
    assertSettled(media);
  }
});

invite('cancelled while waiting for the welcome sends nothing; while ringing sends cancel', () => {
  const waiting = setup();
  const media = createFakeMedia();
  waiting.phone.call('bob', media);
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
  phone.call('bob', media);
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
  phone.accept(media);
  assert.equal(signal.last('accept'), { type: 'accept', callId: 'call-1' });
  assert.equal(phone.state, { kind: 'accepting', callId: 'call-1', caller: BOB, media });
  assert.equal(tones.playing(), []);
  signal.deliver(connected('call-1', 'callee'));
  assert.is(phone.state.kind, 'in-call');
  assert.is(sessions[0]?.connected.callId, 'call-1');
  assert.equal(states.map((state) => state.kind), ['ringing-in', 'accepting', 'in-call']);
});

answering('two devices answering: the slower one is told answered-elsewhere and stops its media', () => {
  const { phone, signal, ends, sessions, rungByBob, assertSettled } = setup();
  rungByBob();
  const media = createFakeMedia();
  phone.accept(media);
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
  assert.equal(ends.map((end) => [end.reason, end.direction]), [['answered-elsewhere', 'incoming']]);
  assertSettled();
});

answering('an accept the server refuses (relay full) ends it with the code', () => {
  const { phone, signal, ends, refusals, rungByBob, assertSettled } = setup();
  rungByBob();
  const media = createFakeMedia();
  phone.accept(media);
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
  phone.accept(media);
  assert.is(media.stops, 1);
  assert.is(phone.state.kind, 'ringing-in');
  assert.equal(tones.playing(), ['ringtone']);
});

answering('accept or decline when nothing rings does nothing but stop the media', () => {
  const { phone, signal, online, states } = setup();
  online();
  const media = createFakeMedia();
  phone.accept(media);
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
  phone.accept(createFakeMedia());
  signal.deliver(connected('call-1', 'callee'));
  signal.deliver({ type: 'incoming-call', callId: 'call-3', caller: ZOE });
  assert.is(phone.state.kind, 'in-call');
  assert.equal(tones.started, ['ringtone']);
});

const drops = suite('socket drops');

drops('while ringing, either way, or accepting, the call ends as network', () => {
  const outgoing = setup();
  const media = outgoing.ringBob();
  outgoing.signal.drop();
  assert.equal(outgoing.ends, [{ direction: 'outgoing', reason: 'network', peer: BOB, durationS: null, byMe: false }]);
  outgoing.assertSettled(media);

  const incoming = setup();
  incoming.rungByBob();
  incoming.signal.drop();
  assert.equal(incoming.ends, [{ direction: 'incoming', reason: 'network', peer: BOB, durationS: null, byMe: false }]);
  incoming.assertSettled();

  const accepting = setup();
  accepting.rungByBob();
  const acceptMedia = createFakeMedia();
  accepting.phone.accept(acceptMedia);
  accepting.signal.closeForGood(4001);
  assert.equal(accepting.ends.map((end) => end.reason), ['network']);
  accepting.assertSettled(acceptMedia);
});

drops('a connected call survives a drop and resumes on the new socket with its token', () => {
  const { phone, signal, ends, inCall } = setup();
  const { session } = inCall();
  signal.drop();
  assert.is(phone.state.kind, 'in-call');
  assert.equal(ends, []);
  signal.welcome();
  assert.equal(signal.last('resume'), { type: 'resume', callId: 'call-1', resumeToken: 'token-1' });
  signal.deliver(connected('call-1', 'caller', BOB, 'token-2', true));
  assert.is(session.resumeToken, 'token-2');
  assert.is(session.handled.at(-1)?.type, 'call-connected');
  // A second drop resumes with the new token.
  signal.drop();
  signal.welcome();
  assert.equal(signal.last('resume'), { type: 'resume', callId: 'call-1', resumeToken: 'token-2' });
  assert.is(phone.state.kind, 'in-call');
});

drops('a resume refused (the call ended meanwhile) ends the call as peer-gone', () => {
  const { clock, signal, ends, inCall, assertSettled } = setup();
  const { media } = inCall();
  clock.advance(30_000);
  signal.drop();
  signal.welcome();
  signal.deliver(refusal('cannot_resume', 'call-1'));
  assert.equal(ends, [{ direction: 'outgoing', reason: 'peer-gone', peer: BOB, durationS: 30, byMe: false }]);
  assertSettled(media);
});

drops('a close for good during a call ends it as peer-gone', () => {
  const { signal, ends, inCall, assertSettled } = setup();
  const { media } = inCall();
  signal.closeForGood(4001);
  assert.equal(ends.map((end) => end.reason), ['peer-gone']);
  assertSettled(media);
});

drops('every signal state reaches the page with its close code', () => {
  const { phone, signal, signalStates } = setup();
  phone.connect();
  signal.welcome();
  signal.drop(1001);
  signal.closeForGood(4000);
  assert.equal(signalStates, [['connecting', undefined], ['open', undefined], ['reconnecting', 1001], ['closed', 4000]]);
});

const connectedCall = suite('connected call');

connectedCall('hang-up sends hang-up and reports the duration from the clock, by us', () => {
  const { phone, clock, signal, ends, inCall, assertSettled } = setup();
  const { media } = inCall();
  clock.advance(65_400);
  phone.hangUp();
  assert.equal(signal.last('hang-up'), { type: 'hang-up', callId: 'call-1' });
  assert.equal(ends, [{ direction: 'outgoing', reason: 'hung-up', peer: BOB, durationS: 65, byMe: true }]);
  assertSettled(media);
});

connectedCall('the other side hanging up ends it, not by us; the callee reports an incoming call', () => {
  const { phone, clock, signal, ends, rungByBob, assertSettled } = setup();
  rungByBob();
  const media = createFakeMedia();
  phone.accept(media);
  signal.deliver(connected('call-1', 'callee'));
  clock.advance(2_000);
  signal.deliver(ended('call-1', 'hung-up'));
  assert.equal(ends, [{ direction: 'incoming', reason: 'hung-up', peer: BOB, durationS: 2, byMe: false }]);
  assertSettled(media);
});

connectedCall('negotiation messages go to the session', () => {
  const { signal, inCall } = setup();
  const { session } = inCall();
  const candidate: ServerMessage = { type: 'candidate', callId: 'call-1', from: BOB, candidate: '', sdpMid: null, sdpMLineIndex: null, usernameFragment: null };
  for (const message of [OFFER, candidate, { type: 'peer-away', callId: 'call-1' }, { type: 'peer-back', callId: 'call-1' }] as ServerMessage[]) signal.deliver(message);
  assert.equal(session.handled.map((message) => message.type), ['offer', 'candidate', 'peer-away', 'peer-back']);
});

connectedCall('close hangs up the call and closes the channel', () => {
  const { phone, signal, ends, inCall } = setup();
  inCall();
  phone.close();
  assert.equal(signal.last('hang-up'), { type: 'hang-up', callId: 'call-1' });
  assert.equal(ends.map((end) => [end.reason, end.byMe]), [['hung-up', true]]);
  assert.is(signal.closeCalls, 1);
});

connectedCall('close cancels an outgoing call, and leaves an incoming one ringing on other devices', () => {
  const outgoing = setup();
  const media = outgoing.ringBob();
  outgoing.phone.close();
  assert.equal(outgoing.signal.last('cancel'), { type: 'cancel', callId: 'call-1' });
  assert.is(media.stops, 1);

  const incoming = setup();
  incoming.rungByBob();
  incoming.phone.close();
  assert.equal(incoming.signal.all('decline'), []);
  assert.is(incoming.signal.closeCalls, 1);
});

const stale = suite('stale messages');

stale('messages about another call change nothing', () => {
  const { phone, signal, ends, refusals, ringBob } = setup();
  ringBob();
  signal.deliver(ended('call-other', 'declined'));
  signal.deliver({ type: 'call-ringing', callId: 'call-other', callee: CAROL });
  assert.equal(phone.state.kind, 'ringing-out');
  assert.equal(ends, []);

  const live = setup();
  const { session } = live.inCall();
  live.signal.deliver(ended('call-other', 'hung-up'));
  live.signal.deliver({ ...OFFER, callId: 'call-other' });
  live.signal.deliver(connected('call-other', 'callee', CAROL));
  live.signal.deliver(refusal('cannot_resume', 'call-other'));
  assert.is(live.phone.state.kind, 'in-call');
  assert.equal(session.handled, []);
  assert.equal(live.ends, []);
  assert.equal(live.refusals, ['cannot_resume']);
  assert.equal(refusals, []);
});

stale('messages about a call after it ended change nothing', () => {
  const { phone, signal, ends, sessions, refusals, inCall, tones } = setup();
  const { session } = inCall();
  phone.hangUp();
  const before = session.handled.length;
  signal.deliver(ended('call-1', 'hung-up'));
  signal.deliver(OFFER);
  signal.deliver(connected('call-1', 'caller'));
  signal.deliver({ type: 'call-ringing', callId: 'call-1', callee: BOB });
  signal.deliver(refusal('not_in_call', 'call-1'));
  assert.is(phone.state.kind, 'idle');
  assert.is(ends.length, 1);
  assert.is(sessions.length, 1);
  assert.is(session.handled.length, before);
  assert.equal(tones.started, ['ringback']);
  // A refusal that concerns no call of ours is the page's to show.
  assert.equal(refusals, ['not_in_call']);
});

stale('a refusal while idle or ringing in goes to the page and ends nothing', () => {
  const { phone, signal, ends, refusals, rungByBob } = setup();
  rungByBob();
  signal.deliver(refusal('rate_limited'));
  assert.is(phone.state.kind, 'ringing-in');
  assert.equal(ends, []);
  assert.equal(refusals, ['rate_limited']);
});

for (const group of [invite, glare, answering, drops, connectedCall, stale]) group.run();
