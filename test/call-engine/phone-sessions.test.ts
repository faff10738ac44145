// The browser's Phone (public/ts/lib/call/phone.ts) once a call is going, under Node: socket
// drops and resumes, connected calls ending, and messages that arrive too late or for another
// call. See harness.ts for the fakes.
import { suite } from 'uvu';
import { HANG_UP_REPEAT_MS } from '../../public/ts/lib/call/phone.js';
import * as assert from 'uvu/assert';
import type { ServerMessage } from '../../server/signal/protocol.js';
import { createFakeMedia } from './fakes.js';
import { BOB, CAROL, OFFER, connected, ended, refusal, setup, KEY } from './harness.js';

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
  accepting.phone.accept(acceptMedia, KEY);
  accepting.signal.closeForGood(4001);
  assert.equal(
    accepting.ends.map((end) => end.reason),
    ['network'],
  );
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

drops('a hang-up is repeated on the next socket (the old one may have led nowhere); what the server answers about that call changes nothing', () => {
  const { phone, signal, ends, sessions, clock, inCall } = setup();
  inCall();
  phone.hangUp();
  assert.is(signal.all('hang-up').length, 1);
  // The socket looked open but was dead: the liveness check replaces it.
  signal.drop();
  signal.welcome();
  assert.equal(signal.all('resume').at(-1), { type: 'resume', callId: 'call-1', resumeToken: 'token-1' });
  assert.equal(signal.last('hang-up'), { type: 'hang-up', callId: 'call-1' });
  assert.is(signal.all('hang-up').length, 2);
  // A new call is placed meanwhile; the server gives the old call back and ends it.
  assert.ok(phone.call('carol', createFakeMedia(), KEY));
  signal.deliver(connected('call-1', 'caller', BOB, 'token-2', true));
  signal.deliver(ended('call-1', 'hung-up'));
  assert.is(phone.state.kind, 'inviting', 'the new call is not taken for the old one');
  assert.is(sessions.length, 1);
  assert.is(ends.length, 1);
  phone.cancel();

  // Long after the hang-up, a new socket has nothing to repeat.
  clock.advance(HANG_UP_REPEAT_MS);
  signal.drop();
  signal.welcome();
  assert.is(signal.all('hang-up').length, 2);
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
  assert.equal(
    ends.map((end) => end.reason),
    ['peer-gone'],
  );
  assertSettled(media);
});

drops('every signal state reaches the page with its close code', () => {
  const { phone, signal, signalStates } = setup();
  phone.connect();
  signal.welcome();
  signal.drop(1001);
  signal.closeForGood(4000);
  assert.equal(signalStates, [
    ['connecting', undefined],
    ['open', undefined],
    ['reconnecting', 1001],
    ['closed', 4000],
  ]);
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
  phone.accept(media, KEY);
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
  for (const message of [OFFER, candidate, { type: 'peer-away', callId: 'call-1' }, { type: 'peer-back', callId: 'call-1' }] as ServerMessage[])
    signal.deliver(message);
  assert.equal(
    session.handled.map((message) => message.type),
    ['offer', 'candidate', 'peer-away', 'peer-back'],
  );
});

connectedCall('close hangs up the call and closes the channel', () => {
  const { phone, signal, ends, inCall } = setup();
  inCall();
  phone.close();
  assert.equal(signal.last('hang-up'), { type: 'hang-up', callId: 'call-1' });
  assert.equal(
    ends.map((end) => [end.reason, end.byMe]),
    [['hung-up', true]],
  );
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
  assert.equal(live.refusals, [], 'a refusal about another call is not this one’s');
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
  // A refusal about the ended call (our late message crossed its end) is not shown again: the
  // page said the call ended, with its actions, and keeps saying so.
  assert.equal(refusals, []);
  signal.deliver(refusal('rate_limited'));
  assert.equal(refusals, ['rate_limited'], 'a refusal about no call is still the page’s to show');
});

stale('a refusal while idle or ringing in goes to the page and ends nothing', () => {
  const { phone, signal, ends, refusals, rungByBob } = setup();
  rungByBob();
  signal.deliver(refusal('rate_limited'));
  assert.is(phone.state.kind, 'ringing-in');
  assert.equal(ends, []);
  assert.equal(refusals, ['rate_limited']);
});

for (const group of [drops, connectedCall, stale]) group.run();
