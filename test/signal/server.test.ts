// The signaler end to end: real ws clients against a real HTTP server on port 0 with the real
// upgrade handler. Every wait is bounded; every test closes its harness.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CLOSE_CODES, LIVENESS_PING, LIVENESS_PONG, MAX_MESSAGE_BYTES, PROTOCOL_VERSION } from '../../server/signal/protocol.js';
import { waitUntil, withTimeout } from '../helpers/wait.js';
import { connectedCall, startHarness, WAIT_MS, type Harness } from './harness.js';
import { A_COMMITMENT } from '../helpers/ws.js';

const SDP = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=fingerprint:sha-256 AB:CD\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';
const HOST = 'candidate:1 1 udp 2122260223 192.168.1.20 54321 typ host generation 0';
const RELAY = 'candidate:3 1 udp 41885439 198.51.100.1 50000 typ relay raddr 203.0.113.7 rport 54321';

/** Runs a test against its own harness and always closes it. */
function withHarness(body: (harness: Harness) => Promise<void>, options: Parameters<typeof startHarness>[0] = {}): () => Promise<void> {
  return async () => {
    const harness = await startHarness(options);
    try {
      await body(harness);
    } finally {
      await harness.close();
    }
  };
}

const upgrade = suite('the upgrade on /ws');

upgrade(
  'answers 401 without credentials or with unknown ones, and 101 with valid ones',
  withHarness(async (harness) => {
    assert.is(await harness.upgradeStatus({ Origin: harness.origin }), 401);
    assert.is(await harness.upgradeStatus({ Origin: harness.origin, Cookie: 'test-party=mallory' }), 401);
    assert.is(await harness.upgradeStatus({ Origin: harness.origin, Cookie: 'test-party=alice' }), 101);
  }),
);

upgrade(
  'answers 403 to another origin, a look-alike prefix, "null" and a missing Origin, even with credentials',
  withHarness(async (harness) => {
    const origins = ['https://evil.example', `${harness.origin}.evil.example`, `${harness.origin}0`, harness.origin.replace('127.0.0.1', 'localhost'), 'null'];
    for (const origin of origins) assert.is(await harness.upgradeStatus({ Origin: origin, Cookie: 'test-party=alice' }), 403, origin);
    assert.is(await harness.upgradeStatus({ Cookie: 'test-party=alice' }), 403, 'no Origin');
    assert.is(harness.hub.connectionCount(), 0);
  }),
);

upgrade(
  'answers 404 to an upgrade on another path',
  withHarness(async (harness) => {
    assert.is(await harness.upgradeStatus({ Origin: harness.origin, Cookie: 'test-party=alice' }, '/wsx'), 404);
  }),
);

upgrade(
  'does not negotiate permessage-deflate even when the client offers it',
  withHarness(async (harness) => {
    const client = await harness.connect('alice');
    assert.is(client.ws.extensions, '');
  }),
);

upgrade(
  'refuses a party past its connection cap with 429, and lets it in again once one closes',
  withHarness(
    async (harness) => {
      const first = await harness.connect('alice');
      await harness.connect('alice');
      assert.is(await harness.upgradeStatus({ Origin: harness.origin, Cookie: 'test-party=alice' }), 429);
      assert.is(await harness.upgradeStatus({ Origin: harness.origin, Cookie: 'test-party=bob' }), 101);
      first.ws.close();
      await first.closed;
      await waitUntil(() => harness.signaler.connectionCount() === 1, 'the server to see the close');
      assert.is(await harness.upgradeStatus({ Origin: harness.origin, Cookie: 'test-party=alice' }), 101);
    },
    { limits: { maxConnectionsPerParty: 2 } },
  ),
);

upgrade(
  'refuses an address past its connection cap with 429',
  withHarness(
    async (harness) => {
      await harness.connect('alice');
      await harness.connect('bob');
      assert.is(await harness.upgradeStatus({ Origin: harness.origin, Cookie: 'test-party=carol' }), 429);
    },
    { limits: { maxConnectionsPerAddress: 2 } },
  ),
);

upgrade(
  'counts connections per forwarded address when the proxy is trusted',
  withHarness(
    async (harness) => {
      const forwardedFor = (address: string) => ({ 'X-Forwarded-For': `198.51.100.9, ${address}` });
      await harness.connect('alice', { headers: forwardedFor('203.0.113.1') });
      assert.is(await harness.upgradeStatus({ Origin: harness.origin, Cookie: 'test-party=bob', ...forwardedFor('203.0.113.1') }), 429);
      assert.is(await harness.upgradeStatus({ Origin: harness.origin, Cookie: 'test-party=bob', ...forwardedFor('203.0.113.2') }), 101);
    },
    { trustProxy: true, limits: { maxConnectionsPerAddress: 1 } },
  ),
);

upgrade(
  'counts an IPv6 client by its /64, so rotating the low bits gains nothing',
  withHarness(
    async (harness) => {
      const forwardedFor = (address: string) => ({ 'X-Forwarded-For': address });
      await harness.connect('alice', { headers: forwardedFor('2001:db8:1:2::1') });
      await harness.connect('bob', { headers: forwardedFor('2001:db8:1:2:aaaa:bbbb:cccc:dddd') });
      assert.is(await harness.upgradeStatus({ Origin: harness.origin, Cookie: 'test-party=carol', ...forwardedFor('2001:db8:1:2::3') }), 429);
      assert.is(
        await harness.upgradeStatus({ Origin: harness.origin, Cookie: 'test-party=carol', ...forwardedFor('2001:db8:1:3::1') }),
        101,
        'the next /64 is another client',
      );
    },
    { trustProxy: true, limits: { maxConnectionsPerAddress: 2 } },
  ),
);

upgrade(
  'ignores X-Forwarded-For when the proxy is not trusted',
  withHarness(
    async (harness) => {
      await harness.connect('alice', { headers: { 'X-Forwarded-For': '203.0.113.1' } });
      assert.is(await harness.upgradeStatus({ Origin: harness.origin, Cookie: 'test-party=bob', 'X-Forwarded-For': '203.0.113.2' }), 429);
    },
    { limits: { maxConnectionsPerAddress: 1 } },
  ),
);

const limits = suite('limits on an open socket');

limits(
  "answers the page's liveness ping at once, on an idle socket and during a call, without the hub seeing it",
  withHarness(async (harness) => {
    const { caller, callee, callId } = await connectedCall(harness);
    for (const client of [caller, callee]) {
      const pong = new Promise<string>((resolve) => client.ws.once('message', (data) => resolve(String(data))));
      client.ws.send(LIVENESS_PING);
      assert.is(await withTimeout(pong, 'the pong', WAIT_MS), LIVENESS_PONG);
    }
    caller.send({ type: 'hang-up', callId });
    await callee.next('call-ended');
    assert.not.ok(
      [...caller.received, ...callee.received].some((message) => message.type === 'error'),
      'no refusal: the hub never saw the ping',
    );
  }),
);

limits(
  'a frame over 64 KiB closes the socket with 1009',
  withHarness(async (harness) => {
    const client = await harness.connect('alice');
    client.ws.send('x'.repeat(MAX_MESSAGE_BYTES + 1));
    assert.is((await client.closed).code, CLOSE_CODES.messageTooBig);
  }),
);

limits(
  'a binary frame closes the socket with 1003',
  withHarness(async (harness) => {
    const client = await harness.connect('alice');
    client.ws.send(Buffer.from('{"type":"hello","version":1}'));
    assert.is((await client.closed).code, CLOSE_CODES.unsupportedData);
  }),
);

limits(
  'a flood closes the flooding socket with 4029 while a call on another socket goes on',
  withHarness(async (harness) => {
    const { caller, callee, callId } = await connectedCall(harness);
    const flooder = await harness.connect('carol');
    for (let i = 0; i < 1000; i++) flooder.send({ type: 'accept', callId: 'nothing', commitment: A_COMMITMENT });
    assert.equal(await flooder.closed, { code: CLOSE_CODES.rateLimited, reason: 'too many messages' });
    caller.send({ type: 'offer', callId, sdp: SDP, iceRestart: false });
    await callee.next('offer');
    assert.is(harness.logs.filter((line) => line.includes('message rate exceeded')).length, 1, 'one log line, not one per message');
  }),
);

limits(
  'a hello with another version gets unsupported_version and a 4000 close',
  withHarness(async (harness) => {
    const client = await harness.connect('alice', { hello: false });
    client.send({ type: 'hello', version: PROTOCOL_VERSION + 1 });
    assert.is((await client.next('error')).code, 'unsupported_version');
    assert.is((await client.closed).code, CLOSE_CODES.unsupportedVersion);
  }),
);

limits(
  'malformed JSON closes the socket with 1008 and the server keeps serving others',
  withHarness(async (harness) => {
    const client = await harness.connect('alice');
    client.ws.send('{"type":"offer","sdp":123}');
    assert.is((await client.closed).code, CLOSE_CODES.policyViolation);
    const other = await harness.connect('bob');
    assert.is(other.ws.readyState, other.ws.OPEN);
  }),
);

limits(
  'a peer that stops answering pings is terminated; its call partner is told',
  withHarness(
    async (harness) => {
      const callee = await harness.connect('bob');
      const caller = await harness.connect('alice', { autoPong: false });
      caller.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
      const { callId } = await callee.next('incoming-call');
      callee.send({ type: 'accept', callId, commitment: A_COMMITMENT });
      assert.is((await caller.closed).code, 1006);
      assert.equal(await callee.next('peer-away'), { type: 'peer-away', callId });
      assert.is(callee.ws.readyState, callee.ws.OPEN, 'a peer that answers pings stays');
    },
    { limits: { heartbeatIntervalMs: 100 } },
  ),
);

limits(
  'a reader that stops reading is dropped instead of buffered without bound',
  withHarness(
    async (harness) => {
      const { caller, callee, callId } = await connectedCall(harness);
      (callee.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      const sdp = 'a'.repeat(60_000);
      for (let i = 0; i < 400 && caller.received.every((message) => message.type !== 'peer-away'); i++) {
        caller.send({ type: 'offer', callId, sdp, iceRestart: false });
        if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await caller.next('peer-away', WAIT_MS);
      assert.ok(harness.logs.some((line) => line.includes('dropping a reader that does not keep up')));
    },
    { limits: { maxBufferedBytes: 64 * 1024, messageBurst: 10_000, messageRefillPerS: 10_000 } },
  ),
);

limits(
  'ending a session closes its sockets with 4001 and ends its call at once',
  withHarness(async (harness) => {
    const { caller, callee } = await connectedCall(harness);
    harness.hub.disconnectSession('session-bob');
    assert.equal(await callee.closed, { code: CLOSE_CODES.sessionEnded, reason: 'session ended' });
    assert.is((await caller.next('call-ended')).reason, 'peer-gone');
    assert.is(caller.ws.readyState, caller.ws.OPEN);
  }),
);

const calls = suite('calls over real sockets');

calls(
  'rings both devices of the callee; the first to accept wins, the other hears answered-elsewhere',
  withHarness(async (harness) => {
    const phone = await harness.connect('bob');
    const laptop = await harness.connect('bob');
    const caller = await harness.connect('alice');
    caller.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
    const { callId } = await caller.next('call-ringing');
    assert.is((await phone.next('incoming-call')).callId, callId);
    assert.is((await laptop.next('incoming-call')).callId, callId);
    laptop.send({ type: 'accept', callId, commitment: A_COMMITMENT });
    phone.send({ type: 'accept', callId, commitment: A_COMMITMENT });
    assert.is((await laptop.next('call-connected')).role, 'callee');
    assert.is((await caller.next('call-connected')).role, 'caller');
    assert.is((await phone.next('call-ended')).reason, 'answered-elsewhere');
    assert.not.ok(phone.received.some((message) => message.type === 'call-connected'));
  }),
);

calls(
  'relays offer, answer and candidates stamped with the sender; hang-up ends the call and logs it answered',
  withHarness(async (harness) => {
    const { caller, callee, callId } = await connectedCall(harness);
    caller.send({ type: 'offer', callId, sdp: SDP, iceRestart: false });
    assert.equal(await callee.next('offer'), {
      type: 'offer',
      callId,
      from: { kind: 'member', memberId: 'alice', displayName: 'Alice Martin' },
      sdp: SDP,
      iceRestart: false,
    });
    callee.send({ type: 'answer', callId, sdp: SDP });
    assert.equal((await caller.next('answer')).from, { kind: 'member', memberId: 'bob', displayName: 'Bob Durand' });
    callee.send({ type: 'candidate', callId, candidate: HOST, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null });
    assert.is((await caller.next('candidate')).candidate, HOST);
    callee.send({ type: 'hang-up', callId });
    assert.is((await caller.next('call-ended')).reason, 'hung-up');
    assert.is((await callee.next('call-ended')).reason, 'hung-up');
    assert.equal(
      harness.callLog.records.map((record) => [record.calleeMemberId, record.caller, record.outcome, record.durationS]),
      [['bob', { kind: 'member', memberId: 'alice' }, 'answered', 0]],
    );
    const logText = harness.logs.join('\n');
    for (const secret of ['candidate:', 'a=fingerprint', 'v=0', 'Alice', 'Durand']) assert.not.ok(logText.includes(secret), secret);
  }),
);

calls(
  'a callee already in a call answers busy, logged as busy',
  withHarness(async (harness) => {
    await connectedCall(harness);
    const carol = await harness.connect('carol');
    carol.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
    assert.is((await carol.next('call-ended')).reason, 'busy');
    assert.equal(
      harness.callLog.records.map((record) => [record.calleeMemberId, record.outcome]),
      [['bob', 'busy']],
    );
  }),
);

calls(
  'an unanswered call ends at the ring timeout, logged as missed',
  withHarness(
    async (harness) => {
      const callee = await harness.connect('bob');
      const caller = await harness.connect('alice');
      caller.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
      await callee.next('incoming-call');
      assert.is((await caller.next('call-ended')).reason, 'no-answer');
      assert.is((await callee.next('call-ended')).reason, 'no-answer');
      assert.equal(
        harness.callLog.records.map((record) => record.outcome),
        ['missed'],
      );
    },
    { timing: { ringTimeoutMs: 200 } },
  ),
);

calls(
  'glare: two members ringing each other end up in one call',
  withHarness(async (harness) => {
    const alice = await harness.connect('alice');
    const bob = await harness.connect('bob');
    alice.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
    await bob.next('incoming-call');
    bob.send({ type: 'invite', calleeMemberId: 'alice', commitment: A_COMMITMENT });
    const aliceSide = await alice.next('call-connected');
    const bobSide = await bob.next('call-connected');
    assert.is(aliceSide.callId, bobSide.callId);
    assert.is(harness.hub.liveCallCount(), 1);
  }),
);

calls(
  'cancel stops the ringing and is logged as missed',
  withHarness(async (harness) => {
    const callee = await harness.connect('bob');
    const caller = await harness.connect('alice');
    caller.send({ type: 'invite', calleeMemberId: 'bob', commitment: A_COMMITMENT });
    const { callId } = await callee.next('incoming-call');
    caller.send({ type: 'cancel', callId });
    assert.is((await callee.next('call-ended')).reason, 'cancelled');
    await waitUntil(() => harness.callLog.records.length === 1, 'the call log record');
    assert.is(harness.callLog.records[0]?.outcome, 'missed');
  }),
);

calls(
  'a peer that vanishes ends the call after the grace period, logged as answered',
  withHarness(
    async (harness) => {
      const { caller, callee, callId } = await connectedCall(harness);
      caller.ws.terminate();
      assert.is((await callee.next('peer-away')).callId, callId);
      assert.is((await callee.next('call-ended')).reason, 'peer-gone');
      assert.equal(
        harness.callLog.records.map((record) => record.outcome),
        ['answered'],
      );
    },
    { timing: { resumeGraceMs: 200 } },
  ),
);

calls(
  'a dropped socket reconnects and resumes the call',
  withHarness(async (harness) => {
    const { caller, callee, callId } = await connectedCall(harness);
    const { resumeToken } = caller.received.find((message) => message.type === 'call-connected') as { resumeToken: string };
    caller.ws.terminate();
    await callee.next('peer-away');
    const back = await harness.connect('alice');
    back.send({ type: 'resume', callId, resumeToken });
    assert.is((await back.next('call-connected')).resumed, true);
    await callee.next('peer-back');
    back.send({ type: 'offer', callId, sdp: SDP, iceRestart: true });
    assert.is((await callee.next('offer')).iceRestart, true);
  }),
);

calls(
  'a guest call is relay-only: host candidates are dropped, relay ones cross',
  withHarness(async (harness) => {
    const { caller, callee, callId } = await connectedCall(harness, 'zoe', 'bob');
    assert.is(caller.received.find((message) => message.type === 'call-connected')?.type, 'call-connected');
    callee.send({ type: 'candidate', callId, candidate: HOST, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null });
    callee.send({ type: 'candidate', callId, candidate: RELAY, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null });
    assert.is((await caller.next('candidate')).candidate, RELAY);
    callee.send({ type: 'hang-up', callId });
    await caller.next('call-ended');
    assert.not.ok(caller.received.some((message) => message.type === 'candidate' && message.candidate === HOST));
    assert.equal(
      harness.callLog.records.map((record) => record.caller),
      [{ kind: 'guest', displayName: 'Zoé' }],
    );
  }),
);

calls(
  'shutdown ends live calls and closes every socket with 1001',
  withHarness(async (harness) => {
    const { caller, callee } = await connectedCall(harness);
    const idle = await harness.connect('carol');
    await harness.signaler.close();
    for (const client of [caller, callee, idle]) assert.is((await client.closed).code, CLOSE_CODES.goingAway);
    assert.is((await caller.next('call-ended')).reason, 'server-shutdown');
    assert.equal(
      harness.callLog.records.map((record) => record.outcome),
      ['answered'],
    );
  }),
);

for (const group of [upgrade, limits, calls]) group.run();
