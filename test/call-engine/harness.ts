// A Phone wired to fakes, with the steps most tests start from (online, ringing either way,
// connected) and the check that a finished call left nothing behind.
import * as assert from 'uvu/assert';
import { Phone, type CallEnd, type PhoneState } from '../../public/ts/lib/call/phone.js';
import type { CallKey } from '../../public/ts/lib/call/ports.js';
import type { EndReason, PartyView, RefusalCode, ServerMessage } from '../../server/signal/protocol.js';
import { createFakeClock } from '../signal/fakes.js';
import { createFakeMedia, createFakeSignal, createFakeTones, FakeSession, type FakeMedia } from './fakes.js';

export const BOB: PartyView = { kind: 'member', memberId: 'bob', displayName: 'Bob Durand' };
export const CAROL: PartyView = { kind: 'member', memberId: 'carol', displayName: 'Carol Petit' };
export const ZOE: PartyView = { kind: 'guest', guestId: 'g-zoe', displayName: 'Zoé' };
/** This side's certificate for a call, as the Phone sees it: only its commitment (the browser's certificate.ts makes a real one). */
export const KEY: CallKey = { commitment: 'c0'.repeat(32) };

type State = PhoneState<FakeMedia, FakeSession>;

export function connected(
  callId: string,
  role: 'caller' | 'callee',
  peer: PartyView = BOB,
  resumeToken = 'token-1',
  resumed = false,
): Extract<ServerMessage, { type: 'call-connected' }> {
  return { type: 'call-connected', callId, role, peer, ice: { iceServers: [], iceTransportPolicy: 'all' }, resumeToken, resumed };
}
export const ended = (callId: string, reason: EndReason): ServerMessage => ({ type: 'call-ended', callId, reason });
export const refusal = (code: RefusalCode, callId?: string): ServerMessage =>
  callId === undefined ? { type: 'error', code, message: 'refused' } : { type: 'error', code, message: 'refused', callId };
export const OFFER: Extract<ServerMessage, { type: 'offer' }> = { type: 'offer', callId: 'call-1', from: BOB, sdp: 'v=0\r\n', iceRestart: false };

export function setup() {
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
    assert.ok(phone.call('bob', media, KEY));
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
