// The callee's commitment to its certificate (protocol.ts): the accept must carry one of the
// exact form, and call-connected hands it to the caller alone, again when the caller resumes,
// and from the invite that accepts a crossing call (glare). With fake peers, and once over a
// real socket.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CLOSE_CODES } from '../../server/signal/protocol.js';
import { startHarness } from './harness.js';
import { alice, bob, setup } from './hub-setup.js';

/** Distinct commitments, so that a test sees whose one travelled where. */
const ALICE_COMMITMENT = 'a1'.repeat(32);
const BOB_COMMITMENT = 'b0'.repeat(32);

/** Alice, committing in her invite, rings Bob, whose phone accepts with a commitment of its own. */
function connectCall() {
  const hub = setup();
  const caller = hub.open(alice);
  const phone = hub.open(bob);
  caller.send({ type: 'invite', calleeMemberId: 'bob', commitment: ALICE_COMMITMENT });
  const { callId } = caller.peer.last('call-ringing');
  phone.send({ type: 'accept', callId, commitment: BOB_COMMITMENT });
  return { ...hub, caller, phone, callId };
}

const commitment = suite('the callee’s commitment');

commitment('reaches the caller in call-connected, and only the caller', () => {
  const { caller, phone } = connectCall();
  assert.is(caller.peer.last('call-connected').calleeCommitment, BOB_COMMITMENT);
  const calleeSide = phone.peer.last('call-connected');
  assert.is(calleeSide.role, 'callee');
  assert.not.ok('calleeCommitment' in calleeSide, 'the callee is told no commitment');
  // The caller's invite commitment goes nowhere: only an invite that answers a call uses it.
  assert.not.ok(JSON.stringify(phone.peer.sent).includes(ALICE_COMMITMENT));
});

commitment('comes again, unchanged, when the caller resumes the call; never to the callee', () => {
  const { open, caller, phone, callId } = connectCall();
  const callerToken = caller.peer.last('call-connected').resumeToken;
  const calleeToken = phone.peer.last('call-connected').resumeToken;
  caller.closed(true);
  phone.closed(true);
  const callerBack = open(alice);
  callerBack.send({ type: 'resume', callId, resumeToken: callerToken });
  const phoneBack = open(bob);
  phoneBack.send({ type: 'resume', callId, resumeToken: calleeToken });
  const resumed = callerBack.peer.last('call-connected');
  assert.equal([resumed.resumed, resumed.calleeCommitment], [true, BOB_COMMITMENT]);
  assert.not.ok('calleeCommitment' in phoneBack.peer.last('call-connected'));
});

commitment('of an invite that crosses the other member’s (glare) is the callee’s one the caller gets', () => {
  const { open } = setup();
  const aliceDevice = open(alice);
  const bobDevice = open(bob);
  aliceDevice.send({ type: 'invite', calleeMemberId: 'bob', commitment: ALICE_COMMITMENT });
  bobDevice.send({ type: 'invite', calleeMemberId: 'alice', commitment: BOB_COMMITMENT });
  const callerSide = aliceDevice.peer.last('call-connected');
  assert.equal([callerSide.role, callerSide.calleeCommitment], ['caller', BOB_COMMITMENT]);
  const calleeSide = bobDevice.peer.last('call-connected');
  assert.is(calleeSide.role, 'callee');
  assert.not.ok('calleeCommitment' in calleeSide);
});

commitment('missing or of another form, the accept closes the socket as a policy violation and the call rings on', () => {
  const malformed: Record<string, unknown>[] = [
    {},
    { commitment: null },
    { commitment: BOB_COMMITMENT.toUpperCase() },
    { commitment: BOB_COMMITMENT.slice(2) },
  ];
  for (const extra of malformed) {
    const { ringBob, hub } = setup();
    const { caller, phone, laptop, callId } = ringBob();
    phone.receive(JSON.stringify({ type: 'accept', callId, ...extra }));
    assert.equal(phone.peer.closedWith, { code: CLOSE_CODES.policyViolation, reason: 'malformed message: bad or missing field commitment in accept' });
    assert.equal(caller.peer.all('call-connected'), [], JSON.stringify(extra));
    assert.equal(hub.liveCallCount(), 1);
    // Another device of the callee can still take it, properly.
    laptop.send({ type: 'accept', callId, commitment: BOB_COMMITMENT });
    assert.is(caller.peer.last('call-connected').calleeCommitment, BOB_COMMITMENT);
  }
});

commitment('over a real socket: an accept without one is closed with 1008; with one, the caller gets it', async () => {
  const harness = await startHarness();
  try {
    const caller = await harness.connect('alice');
    const sloppy = await harness.connect('bob');
    const callee = await harness.connect('bob');
    caller.send({ type: 'invite', calleeMemberId: 'bob', commitment: ALICE_COMMITMENT });
    const { callId } = await sloppy.next('incoming-call');
    sloppy.ws.send(JSON.stringify({ type: 'accept', callId }));
    assert.is((await sloppy.closed).code, CLOSE_CODES.policyViolation);
    await callee.next('incoming-call');
    callee.send({ type: 'accept', callId, commitment: BOB_COMMITMENT });
    assert.is((await caller.next('call-connected')).calleeCommitment, BOB_COMMITMENT);
    assert.not.ok('calleeCommitment' in (await callee.next('call-connected')));
  } finally {
    await harness.close();
  }
});

commitment.run();
