// Signaling load generator, run in its own process by the bench:
//
//   node dist/scripts/bench/signal-load.js PLAN.json
//
// Opens one WebSocket per member (from many loopback source addresses, so per-address caps are
// not what is measured), prints "connected N", waits, then has `calls` pairs exchange rounds of
// offer / answer / candidates for `durationMs`, and prints one JSON line: one-way latencies
// A → server → B (both ends live in this process, so one clock), messages and losses. Every
// wait is bounded; the process closes its sockets and exits by itself.
//
// Against Porthello the members say hello, ring and accept as browsers do; against the bare
// forwarder (bare-ws.ts) each socket names its pair in the URL and messages pass unchanged.
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { COMMITMENT_HEX_CHARS, PROTOCOL_VERSION } from '../../server/signal/protocol.js';
import { percentile, sleep } from './common.js';

/** The load makes no peer connection: any well-formed certificate commitment does (the server only checks its form). */
const LOAD_COMMITMENT = '0'.repeat(COMMITMENT_HEX_CHARS);

export type SignalPlan = {
  mode: 'porthello' | 'bare';
  /** ws://host:port/ws (Porthello) or ws://host:port (bare). */
  url: string;
  origin: string;
  /** Porthello: each member's id and session cookie; bare: only the count matters. */
  members: Array<{ id: string; cookie: string }>;
  calls: number;
  /** How long after "connected" the calls start (the bench samples memory meanwhile). */
  settleMs: number;
  durationMs: number;
  /** Each call starts a round (offer, answer, candidates) this often. */
  roundMs: number;
  /** After the last round, messages still in flight get this long before they count as lost. */
  drainMs: number;
};

export type SignalResult = {
  connected: number;
  connectSeconds: number;
  messages: number;
  lost: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
};

/** Sockets per loopback source address: under the server's cap of 64 per address. */
const SOCKETS_PER_ADDRESS = 50;
/** Upgrades in flight at once while connecting. */
const CONNECT_CONCURRENCY = 50;
const CONNECT_TIMEOUT_MS = 20_000;
const CALL_SETUP_TIMEOUT_MS = 20_000;
const CANDIDATES_PER_SIDE = 5;
/** Time for the hang-ups to reach the server before the sockets are cut. */
const HANG_UP_MS = 500;
/** An audio+video offer from Chromium is 4–6 KB. */
const SDP = `v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n${'a=x-bench-padding:0123456789abcdef0123456789abcdef0123456789abcdef\r\n'.repeat(80)}`;
const CANDIDATE = 'candidate:842163049 1 udp 1677729535 127.0.0.1 58765 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag EsAw network-cost 999';

function sourceAddress(index: number): string {
  const block = Math.floor(index / SOCKETS_PER_ADDRESS);
  return `127.1.${Math.floor(block / 250)}.${(block % 250) + 1}`;
}

type Member = { socket: WebSocket; onMessage: ((text: string) => void) | null };

function open(plan: SignalPlan, index: number): Promise<Member> {
  const member = plan.members[index];
  const url = plan.mode === 'bare' ? `${plan.url}/?pair=${index >> 1}` : plan.url;
  const headers: Record<string, string> = { Origin: plan.origin };
  if (plan.mode === 'porthello' && member !== undefined) headers['Cookie'] = member.cookie;
  const socket = new WebSocket(url, { headers, localAddress: sourceAddress(index), perMessageDeflate: false });
  const state: Member = { socket, onMessage: null };
  socket.on('message', (data) => state.onMessage?.(String(data)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket ${index} did not open`)), CONNECT_TIMEOUT_MS);
    socket.once('error', (error) => reject(error));
    socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused with ${response.statusCode}`)));
    socket.once('open', () => {
      if (plan.mode === 'bare') {
        clearTimeout(timer);
        return resolve(state);
      }
      state.onMessage = (text) => {
        if (!text.includes('"welcome"')) return;
        clearTimeout(timer);
        state.onMessage = null;
        resolve(state);
      };
      socket.send(JSON.stringify({ type: 'hello', version: PROTOCOL_VERSION }));
    });
  });
}

/** Waits for the first message of one of these types, bounded. */
function nextOf(member: Member, types: readonly string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${types.join('/')} in time`)), CALL_SETUP_TIMEOUT_MS);
    member.onMessage = (text) => {
      const message = JSON.parse(text) as Record<string, unknown>;
      if (message['type'] === 'error') {
        clearTimeout(timer);
        reject(new Error(`refused: ${String(message['code'])}`));
      }
      if (!types.includes(String(message['type']))) return;
      clearTimeout(timer);
      member.onMessage = null;
      resolve(message);
    };
  });
}

/** Rings and accepts as a browser would; returns the call id (the pair index for the bare server). */
async function setUpCall(plan: SignalPlan, caller: Member, callee: Member, pair: number): Promise<string> {
  if (plan.mode === 'bare') return String(pair);
  const incoming = nextOf(callee, ['incoming-call']);
  // A refusal (busy, rate limited) comes to the caller: it fails the run at once.
  const ringing = nextOf(caller, ['call-ringing']);
  caller.socket.send(JSON.stringify({ type: 'invite', calleeMemberId: plan.members[pair * 2 + 1]?.id, commitment: LOAD_COMMITMENT }));
  const [invited] = await Promise.all([incoming, ringing]);
  const callId = String(invited['callId']);
  const connectedA = nextOf(caller, ['call-connected']);
  const connectedB = nextOf(callee, ['call-connected']);
  callee.socket.send(JSON.stringify({ type: 'accept', callId, commitment: LOAD_COMMITMENT }));
  await Promise.all([connectedA, connectedB]);
  return callId;
}

async function main(): Promise<void> {
  const plan = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as SignalPlan;
  const started = performance.now();
  const members: Member[] = new Array(plan.members.length);
  let nextIndex = 0;
  const connector = async (): Promise<void> => {
    while (nextIndex < plan.members.length) {
      const index = nextIndex++;
      members[index] = await open(plan, index);
    }
  };
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, connector));
  const connectSeconds = (performance.now() - started) / 1000;
  process.stdout.write(`connected ${members.length}\n`);
  await sleep(plan.settleMs);

  const latencies: number[] = [];
  let sent = 0;
  /** Send times per direction of each call: the relay keeps order, so the first sent is the first received. */
  const pending = new Map<string, number[]>();
  const calls: Array<{ callId: string; a: Member; b: Member }> = [];
  for (let pair = 0; pair < plan.calls; pair++) {
    const a = members[pair * 2];
    const b = members[pair * 2 + 1];
    if (a === undefined || b === undefined) break;
    calls.push({ callId: await setUpCall(plan, a, b, pair), a, b });
  }
  const send = (from: Member, key: string, message: object): void => {
    pending.get(key)?.push(performance.now()) ?? pending.set(key, [performance.now()]);
    sent += 1;
    from.socket.send(JSON.stringify(message));
  };
  const candidate = (callId: string) => ({ type: 'candidate', callId, candidate: CANDIDATE, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'EsAw' });
  for (const { callId, a, b } of calls) {
    a.onMessage = (text) => {
      const at = pending.get(`${callId}>a`)?.shift();
      if (at !== undefined) latencies.push(performance.now() - at);
      if (text.includes('"answer"')) for (let i = 0; i < CANDIDATES_PER_SIDE; i++) send(a, `${callId}>b`, candidate(callId));
    };
    b.onMessage = (text) => {
      const at = pending.get(`${callId}>b`)?.shift();
      if (at !== undefined) latencies.push(performance.now() - at);
      if (!text.includes('"offer"')) return;
      send(b, `${callId}>a`, { type: 'answer', callId, sdp: SDP });
      for (let i = 0; i < CANDIDATES_PER_SIDE; i++) send(b, `${callId}>a`, candidate(callId));
    };
  }
  process.stdout.write('calls running\n');
  const stopAt = performance.now() + plan.durationMs;
  // Each call starts its rounds at its own offset, as calls do: no lockstep across calls.
  await Promise.all(
    calls.map(async ({ callId, a }, index) => {
      await sleep((plan.roundMs * index) / Math.max(1, calls.length));
      while (performance.now() < stopAt) {
        send(a, `${callId}>b`, { type: 'offer', callId, sdp: SDP, iceRestart: false });
        await sleep(plan.roundMs);
      }
    }),
  );
  await sleep(plan.drainMs);
  let lost = 0;
  for (const queue of pending.values()) lost += queue.length;
  // Hung up, not just cut: a cut call waits for its members to come back, and the next run rings them.
  if (plan.mode === 'porthello') for (const { callId, a } of calls) a.socket.send(JSON.stringify({ type: 'hang-up', callId }));
  await sleep(HANG_UP_MS);
  for (const member of members) member.socket.terminate();
  latencies.sort((x, y) => x - y);
  const result: SignalResult = {
    connected: members.length,
    connectSeconds,
    messages: sent,
    lost,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? NaN,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`signal-load: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
