// Quiet time that starts while a call rings, in the hub with fake peers and a fake clock: the
// ring ends when the member's quiet time starts (or at once when do-not-disturb is switched on),
// as a quiet-time refusal does; a quiet time that moved away lets it ring on to the ring timeout.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '../../server/log.js';
import type { Party, ReachScreen } from '../../server/signal/deps.js';
import { createHub } from '../../server/signal/hub.js';
import { RING_TIMEOUT_MS } from '../../server/signal/hub-api.js';
import { PROTOCOL_VERSION, type ClientMessage } from '../../server/signal/protocol.js';
import { createCallLog, createFakeClock, createFakePeer, createIceProvider, createMemberDirectory } from './fakes.js';
import { alice, bob, profiles } from './hub-setup.js';
import { A_COMMITMENT } from '../helpers/ws.js';

const SECOND_MS = 1000;

function setup(quietInMs: number | null) {
  const clock = createFakeClock();
  const callLog = createCallLog();
  /** When Bob's quiet time starts on the fake clock; null: never. */
  let quietFromMs = quietInMs === null ? null : clock.nowMs() + quietInMs;
  const reach: ReachScreen = {
    screen: () => 'ring',
    knocksFirst: () => false,
    isQuiet: () => quietFromMs !== null && clock.nowMs() >= quietFromMs,
    quietStartsWithin: (_memberId, withinMs) =>
      quietFromMs === null || quietFromMs - clock.nowMs() > withinMs ? null : Math.max(0, quietFromMs - clock.nowMs()),
  };
  const log = createLogger({ level: 'error', write: () => {} });
  const hub = createHub({ members: createMemberDirectory(profiles.map((profile) => ({ ...profile }))), callLog, ice: createIceProvider(), clock, log, reach });
  const open = (party: Party) => {
    const peer = createFakePeer();
    const conn = hub.connect(peer, party, null);
    const send = (message: ClientMessage): void => conn.receive(JSON.stringify(message));
    send({ type: 'hello', version: PROTOCOL_VERSION });
    return { peer, send };
  };
  const caller = open(alice);
  const phone = open(bob);
  caller.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  const { callId } = caller.peer.last('call-ringing');
  const setQuietFrom = (ms: number | null): void => {
    quietFromMs = ms;
  };
  return { clock, callLog, hub, caller, phone, callId, setQuietFrom };
}

const quiet = suite('quiet time that starts while a call rings');

quiet('ends the call when the schedule starts, before the ring timeout, as unavailable with a missed call', () => {
  const { clock, callLog, caller, phone, callId } = setup(10 * SECOND_MS);
  clock.advance(10 * SECOND_MS - 1);
  assert.equal(caller.peer.all('call-ended'), [], 'rings until then');
  clock.advance(1);
  assert.equal(caller.peer.last('call-ended'), { type: 'call-ended', callId, reason: 'unavailable' });
  assert.equal(phone.peer.last('call-ended'), { type: 'call-ended', callId, reason: 'unavailable' });
  assert.equal(
    callLog.records.map((record) => record.outcome),
    ['missed'],
  );
  assert.is(clock.pendingTimers(), 0, 'the ring timeout went with the call');
  caller.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
  assert.is(caller.peer.last('error').code, 'cooling_down', 'the cool-down of a quiet-time refusal');
});

quiet('a quiet time that moved away by then leaves the call ringing to the ring timeout', () => {
  const { clock, caller, callId, setQuietFrom } = setup(10 * SECOND_MS);
  setQuietFrom(null);
  clock.advance(RING_TIMEOUT_MS - 1);
  assert.equal(caller.peer.all('call-ended'), []);
  clock.advance(1);
  assert.equal(caller.peer.last('call-ended'), { type: 'call-ended', callId, reason: 'no-answer' });
});

quiet('a schedule saved while the call rings, starting before the ring timeout, ends it then', () => {
  const { clock, hub, caller, callId, setQuietFrom } = setup(null);
  setQuietFrom(clock.nowMs() + 20 * SECOND_MS);
  hub.reachChanged('bob');
  hub.reachChanged('alice');
  clock.advance(20 * SECOND_MS - 1);
  assert.equal(caller.peer.all('call-ended'), [], 'not quiet yet');
  clock.advance(1);
  assert.equal(caller.peer.last('call-ended'), { type: 'call-ended', callId, reason: 'unavailable' });
  assert.is(clock.pendingTimers(), 0);
});

quiet('do-not-disturb switched on ends it at once', () => {
  const { clock, hub, caller, phone, callId, setQuietFrom } = setup(null);
  clock.advance(5 * SECOND_MS);
  setQuietFrom(clock.nowMs());
  hub.reachChanged('bob');
  assert.equal(caller.peer.last('call-ended'), { type: 'call-ended', callId, reason: 'unavailable' });
  assert.equal(phone.peer.last('call-ended'), { type: 'call-ended', callId, reason: 'unavailable' });
  assert.is(clock.pendingTimers(), 0);
});

quiet.run();
