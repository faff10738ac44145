import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { projectPath } from '../../server/paths.js';
import { isCandidateForwardable, outcomeOf, sdpForCall } from '../../server/signal/call-state.js';
import {
  candidateTypeOf,
  COMMITMENT_HEX_CHARS,
  MAX_MESSAGE_BYTES,
  MAX_SDP_CHARS,
  parseClientMessage,
  PROTOCOL_VERSION,
  type ClientMessage,
} from '../../server/signal/protocol.js';
import { createTokenBucket } from '../../server/signal/rate-limit.js';

const CALL_ID = 'Q2FsbElkMTIzNDU2Nzg5MA';
/** A SHA-256 in lower-case hex: the only form a commitment takes. */
const COMMITMENT = '0123456789abcdef'.repeat(4);
const CANDIDATE = 'candidate:1 1 udp 2122260223 192.168.1.20 54321 typ host generation 0';

const parse = suite('parseClientMessage');

parse('accepts one well-formed message of every type', () => {
  const valid: ClientMessage[] = [
    { type: 'hello', version: PROTOCOL_VERSION },
    { type: 'invite', calleeMemberId: 'm_42', commitment: COMMITMENT },
    { type: 'knock', calleeMemberId: 'm_42', note: '' },
    { type: 'knock', calleeMemberId: 'm_42', note: 'C’est pour le colis 📦' },
    { type: 'accept', callId: CALL_ID, commitment: COMMITMENT },
    { type: 'decline', callId: CALL_ID },
    { type: 'cancel', callId: CALL_ID },
    { type: 'hang-up', callId: CALL_ID },
    { type: 'resume', callId: CALL_ID, resumeToken: 'abcdefghijklmnopqrstuvwxyz012345' },
    { type: 'connected-path', callId: CALL_ID, path: 'direct' },
    { type: 'connected-path', callId: CALL_ID, path: 'relayed' },
    { type: 'offer', callId: CALL_ID, sdp: 'v=0\r\n', iceRestart: false },
    { type: 'answer', callId: CALL_ID, sdp: 'v=0\r\n' },
    { type: 'candidate', callId: CALL_ID, candidate: CANDIDATE, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u1' },
    { type: 'candidate', callId: CALL_ID, candidate: '', sdpMid: null, sdpMLineIndex: null, usernameFragment: null },
  ];
  for (const message of valid) assert.equal(parseClientMessage(JSON.stringify(message)), { ok: true, message }, message.type);
});

parse('rejects everything else, saying why', () => {
  const cases: [string, string][] = [
    ['', 'not JSON'],
    ['{"type":"hello"', 'not JSON'],
    ['null', 'not an object'],
    ['[{"type":"hello","version":1}]', 'not an object'],
    ['"hello"', 'not an object'],
    ['{"version":1}', 'unknown message type'],
    ['{"type":"welcome","version":1}', 'unknown message type'],
    ['{"type":"__proto__"}', 'unknown message type'],
    ['{"type":"toString"}', 'unknown message type'],
    ['{"type":"hello"}', 'bad or missing field version in hello'],
    ['{"type":"hello","version":"1"}', 'bad or missing field version in hello'],
    ['{"type":"hello","version":1.5}', 'bad or missing field version in hello'],
    ['{"type":"offer","callId":"c","sdp":123,"iceRestart":false}', 'bad or missing field sdp in offer'],
    ['{"type":"offer","callId":"c","sdp":"v=0","iceRestart":false,"from":"bob"}', 'unexpected field in offer'],
    ['{"type":"offer","callId":"c","sdp":"","iceRestart":false}', 'bad or missing field sdp in offer'],
    [`{"type":"accept","callId":"../etc","commitment":"${COMMITMENT}"}`, 'bad or missing field callId in accept'],
    [`{"type":"accept","callId":"","commitment":"${COMMITMENT}"}`, 'bad or missing field callId in accept'],
    [`{"type":"accept","callId":"${'c'.repeat(65)}","commitment":"${COMMITMENT}"}`, 'bad or missing field callId in accept'],
    [`{"type":"invite","calleeMemberId":42,"commitment":"${COMMITMENT}"}`, 'bad or missing field calleeMemberId in invite'],
    ['{"type":"connected-path","callId":"c","path":"host"}', 'bad or missing field path in connected-path'],
    ['{"type":"connected-path","callId":"c"}', 'bad or missing field path in connected-path'],
    ['{"type":"connected-path","callId":"c","path":"relayed","candidate":"x"}', 'unexpected field in connected-path'],
    ['{"type":"knock","calleeMemberId":"m"}', 'bad or missing field note in knock'],
    ['{"type":"knock","calleeMemberId":"m","note":null}', 'bad or missing field note in knock'],
    [`{"type":"knock","calleeMemberId":"m","note":"${'x'.repeat(141)}"}`, 'bad or missing field note in knock'],
    ['{"type":"knock","calleeMemberId":"m","note":"a\\u0000b"}', 'bad or missing field note in knock'],
    ['{"type":"knock","calleeMemberId":"m","note":"\\u202Eevil"}', 'bad or missing field note in knock'],
    [
      '{"type":"candidate","callId":"c","candidate":"x","sdpMid":"0","sdpMLineIndex":64,"usernameFragment":null}',
      'bad or missing field sdpMLineIndex in candidate',
    ],
    ['{"type":"candidate","callId":"c","candidate":"x","sdpMid":"0","sdpMLineIndex":0}', 'bad or missing field usernameFragment in candidate'],
    [
      `{"type":"candidate","callId":"c","candidate":"${'x'.repeat(513)}","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":null}`,
      'bad or missing field candidate in candidate',
    ],
  ];
  for (const [text, reason] of cases) assert.equal(parseClientMessage(text), { ok: false, reason }, text);
});

parse('takes a commitment only as exactly 64 lower-case hex digits, in an invite and an accept', () => {
  assert.is(COMMITMENT.length, COMMITMENT_HEX_CHARS);
  const bad: unknown[] = [
    undefined,
    null,
    42,
    '',
    COMMITMENT.slice(1),
    `${COMMITMENT}0`,
    COMMITMENT.toUpperCase(),
    `${COMMITMENT.slice(1)}g`,
    ` ${COMMITMENT.slice(1)}`,
    `${COMMITMENT.slice(1)}\n`,
    [COMMITMENT],
  ];
  for (const commitment of bad) {
    const accept = JSON.stringify({ type: 'accept', callId: CALL_ID, commitment });
    assert.equal(parseClientMessage(accept), { ok: false, reason: 'bad or missing field commitment in accept' }, accept);
    const invite = JSON.stringify({ type: 'invite', calleeMemberId: 'm_42', commitment });
    assert.equal(parseClientMessage(invite), { ok: false, reason: 'bad or missing field commitment in invite' }, invite);
  }
  // A knock is a guest's: nobody rings a guest, so it never answers a call and commits to nothing.
  const knock = JSON.stringify({ type: 'knock', calleeMemberId: 'm_42', note: '', commitment: COMMITMENT });
  assert.equal(parseClientMessage(knock), { ok: false, reason: 'unexpected field in knock' });
});

parse('rejects an SDP over its limit and a frame over the message limit', () => {
  const sdp = 'a'.repeat(MAX_SDP_CHARS + 1);
  assert.is(parseClientMessage(JSON.stringify({ type: 'answer', callId: 'c', sdp })).ok, false);
  assert.equal(parseClientMessage(' '.repeat(MAX_MESSAGE_BYTES + 1)), { ok: false, reason: 'message too long' });
});

parse('survives a deeply nested array without throwing', () => {
  const deep = '['.repeat(10_000) + ']'.repeat(10_000);
  assert.equal(parseClientMessage(deep), { ok: false, reason: 'not an object' });
});

parse('imports nothing, so browser code can bundle it', () => {
  const source = readFileSync(projectPath('server', 'signal', 'protocol.ts'), 'utf8');
  assert.not.match(source, /^\s*import\s/m);
  assert.not.match(source, /\brequire\(|process\.|Buffer\b/);
});

const candidates = suite('candidateTypeOf');

candidates('reads the type of RFC 8839 candidate lines and refuses anything else', () => {
  const cases: [string, string | null][] = [
    [CANDIDATE, 'host'],
    ['a=candidate:1 1 udp 2122260223 192.168.1.20 54321 typ host', 'host'],
    ['candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 0.0.0.0 rport 0 generation 0', 'srflx'],
    ['candidate:3 1 udp 41885439 198.51.100.1 50000 typ relay raddr 203.0.113.7 rport 54321', 'relay'],
    ['candidate:4 1 tcp 1518280447 fd00::1 9 typ host tcptype active', 'host'],
    ['candidate:5 1 udp 2122260223 3f1d5e8a-1c2b-4d6e-9f00-1234567890ab.local 54321 typ host', 'host'],
    ['candidate:1 1 udp 2122260223 192.168.1.20 54321 type relay', null],
    ['1 1 udp 2122260223 192.168.1.20 54321 typ relay', null],
    ['candidate:1 1 udp typ relay', null],
    ['', null],
  ];
  for (const [line, type] of cases) assert.is(candidateTypeOf(line), type, line);
});

const relayRule = suite('the relay-only rule');

relayRule('lets only relay candidates and end-of-candidates through when relay-only', () => {
  assert.ok(isCandidateForwardable(true, 'candidate:3 1 udp 41885439 198.51.100.1 50000 typ relay raddr 203.0.113.7 rport 5'));
  assert.ok(isCandidateForwardable(true, ''));
  assert.not.ok(isCandidateForwardable(true, CANDIDATE));
  assert.not.ok(isCandidateForwardable(true, 'candidate:2 1 udp 1 203.0.113.7 1 typ srflx'));
  assert.not.ok(isCandidateForwardable(true, 'candidate:2 1 udp 1 203.0.113.7 1 typ prflx'));
  assert.not.ok(isCandidateForwardable(true, 'nonsense'));
  assert.ok(isCandidateForwardable(false, CANDIDATE));
});

relayRule('removes non-relay candidate lines from an SDP and keeps the rest byte for byte', () => {
  const head = 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n';
  const relay = 'a=candidate:3 1 udp 41885439 198.51.100.1 50000 typ relay raddr 0.0.0.0 rport 0\r\n';
  const sdp = `${head}a=${CANDIDATE}\r\n${relay}a=end-of-candidates\r\n`;
  assert.is(sdpForCall(true, sdp), `${head}${relay}a=end-of-candidates\r\n`);
  assert.is(sdpForCall(false, sdp), sdp);
});

const outcomes = suite('outcomeOf');

outcomes('maps how a call ended to the outcome the callee sees', () => {
  const cases: [Parameters<typeof outcomeOf>, string][] = [
    [['hung-up', true], 'answered'],
    [['peer-gone', true], 'answered'],
    [['server-shutdown', true], 'answered'],
    [['declined', false], 'declined'],
    [['busy', false], 'busy'],
    [['no-answer', false], 'missed'],
    [['cancelled', false], 'missed'],
    [['unavailable', false], 'missed'],
    [['server-shutdown', false], 'missed'],
  ];
  for (const [args, outcome] of cases) assert.is(outcomeOf(...args), outcome, args.join(' '));
});

const bucket = suite('createTokenBucket');

bucket('allows a burst, then refills at its rate', () => {
  let now = 0;
  const limiter = createTokenBucket({ capacityMessages: 3, refillPerS: 2, nowMs: () => now });
  assert.equal([limiter.take(), limiter.take(), limiter.take(), limiter.take()], [true, true, true, false]);
  now += 499;
  assert.is(limiter.take(), false);
  now += 1;
  assert.is(limiter.take(), true);
  now += 10_000;
  assert.equal([limiter.take(), limiter.take(), limiter.take(), limiter.take()], [true, true, true, false]);
});

for (const group of [parse, candidates, relayRule, outcomes, bucket]) group.run();
