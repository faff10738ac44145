// An abuse run against the real server, on loopback only, bounded in count and time: many
// guests from many (forwarded) addresses take tickets and ring one member again and again.
// What reaches the member and their log stays within the limits, the member can still call
// out, and the service stays healthy. Memory and /healthz latency are measured before and
// after the flood and printed (never asserted: the machine is shared).
import { performance } from 'node:perf_hooks';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, json, signUp, withCookie } from '../accounts/helpers.js';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';
import { waitUntil, withTimeout } from '../helpers/wait.js';
import { openSignalClient, type SignalTestClient, A_COMMITMENT } from '../helpers/ws.js';
import { TICKETS_PER_LINK } from '../../server/calls/ticket-limits.js';
import { GUEST_INVITES_PER_LINK } from '../../server/signal/ring-guard.js';

/** Ticket requests in the flood, each from its own address. */
const TICKET_REQUESTS = 200;
/** Guest sockets that got a ticket and ring, and how many invites each sends. */
const RINGING_GUESTS = 20;
const INVITES_PER_GUEST = 30;
/** The whole flood must be over within this (each wait below has its own bound too). */
const FLOOD_DEADLINE_MS = 60_000;
const HEALTH_SAMPLES = 5;

let server: TestServer;
const clients: SignalTestClient[] = [];

async function measure(): Promise<{ rssMiB: number; heapMiB: number; healthzMs: number }> {
  const samples: number[] = [];
  for (let i = 0; i < HEALTH_SAMPLES; i += 1) {
    const started = performance.now();
    const response = await server.fetch('/healthz');
    await response.arrayBuffer();
    samples.push(performance.now() - started);
    assert.is(response.status, 200);
  }
  samples.sort((a, b) => a - b);
  const memory = process.memoryUsage();
  const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
  return { rssMiB: mib(memory.rss), heapMiB: mib(memory.heapUsed), healthzMs: Math.round((samples[Math.floor(HEALTH_SAMPLES / 2)] ?? 0) * 10) / 10 };
}

/** At most what a token bucket lets through in `elapsedMs`: its burst plus one per refill. */
const budget = (limit: { burst: number; refillEveryMs: number }, elapsedMs: number): number => limit.burst + Math.ceil(elapsedMs / limit.refillEveryMs);

const flood = suite('a ringing flood');
flood.before(async () => {
  server = await startTestServer({ env: { ...FAST_BCRYPT, PORTHELLO_TRUST_PROXY: 'true' }, signaling: true });
});
flood.after(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  await server.close();
});

flood('many guests ringing a declining member reach them and their log only within the limits; the service stays healthy', async () => {
  const member = await signUp(server);
  const colleague = await signUp(server);
  const code = (await jsonOf(await server.fetch('/api/me', withCookie(member.cookie)))).callLink.code;
  const device = await openSignalClient(server.wsUrl, { name: 'member', headers: { Origin: server.origin, Cookie: member.cookie } });
  clients.push(device);
  // The member declines every call that reaches them, as a harassed member would.
  let rung = 0;
  device.ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { type: string; callId?: string };
    if (message.type !== 'incoming-call' || message.callId === undefined) return;
    rung += 1;
    device.send({ type: 'decline', callId: message.callId });
  });
  const before = await measure();
  const started = performance.now();

  // Tickets: each request from another address, so only the per-link limit can stop them.
  const cookies: string[] = [];
  for (let i = 0; i < TICKET_REQUESTS; i += 1) {
    const response = await server.fetch(`/api/links/${code}/tickets`, {
      ...json({ displayName: `Guest ${i}` }),
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': `2001:db8:${i.toString(16)}::1` },
    });
    await response.arrayBuffer();
    if (response.status === 201) cookies.push(response.headers.getSetCookie()[0]?.split(';')[0] ?? '');
    else assert.is(response.status, 429);
  }
  assert.ok(cookies.length <= budget(TICKETS_PER_LINK, performance.now() - started), `tickets: ${cookies.length}`);
  assert.ok(cookies.length >= RINGING_GUESTS, 'enough tickets for the ringing part');

  // Invites: every guest socket, each from its own address, rings again and again.
  const guests = await Promise.all(
    cookies.slice(0, RINGING_GUESTS).map(async (cookie, i) => {
      const guest = await openSignalClient(`${server.wsUrl}?as=guest`, {
        name: `guest ${i}`,
        headers: { Origin: server.origin, Cookie: cookie, 'X-Forwarded-For': `2001:db8:${i.toString(16)}::1` },
      });
      clients.push(guest);
      return guest;
    }),
  );
  const answers = (guest: SignalTestClient): number => guest.received.filter((message) => message.type === 'error' || message.type === 'call-ended').length;
  await withTimeout(
    Promise.all(
      guests.map(async (guest) => {
        for (let i = 0; i < INVITES_PER_GUEST; i += 1) {
          const expected = answers(guest) + 1;
          guest.send({ type: 'invite', calleeMemberId: member.id, commitment: A_COMMITMENT });
          // Each invite ends in a refusal or, once it rang and was declined, a call-ended.
          await waitUntil(() => answers(guest) >= expected, 'an answer to an invite');
        }
      }),
    ),
    'the invite flood to be answered',
    FLOOD_DEADLINE_MS,
  );
  const elapsedMs = performance.now() - started;
  const after = await measure();
  console.log(
    `ringing flood: ${TICKET_REQUESTS} ticket requests (${cookies.length} granted), ${RINGING_GUESTS * INVITES_PER_GUEST} invites from ${RINGING_GUESTS} guests in ${Math.round(elapsedMs)} ms; the member was rung ${rung} times`,
  );
  console.log(`  before: rss ${before.rssMiB} MiB, heap ${before.heapMiB} MiB, /healthz median ${before.healthzMs} ms`);
  console.log(`  after:  rss ${after.rssMiB} MiB, heap ${after.heapMiB} MiB, /healthz median ${after.healthzMs} ms`);

  assert.ok(rung <= budget(GUEST_INVITES_PER_LINK, elapsedMs), `rung ${rung} times`);
  const log = await jsonOf(await server.fetch('/api/calls?limit=200', withCookie(member.cookie)));
  assert.ok(log.calls.length <= budget(GUEST_INVITES_PER_LINK, elapsedMs), `log rows: ${log.calls.length}`);
  assert.is(server.calls.hub.liveCallCount(), 0);

  // The member is not locked: they can still call a colleague.
  const desk = await openSignalClient(server.wsUrl, { name: 'colleague', headers: { Origin: server.origin, Cookie: colleague.cookie } });
  clients.push(desk);
  device.send({ type: 'invite', calleeMemberId: colleague.id, commitment: A_COMMITMENT });
  assert.is((await desk.next('incoming-call')).caller.kind, 'member');
});

flood.run();
