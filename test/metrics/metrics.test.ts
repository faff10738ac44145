// GET /metrics against the real server: hidden (404) unless the scraper has the token or an
// allowed address; counts sockets, calls and their outcomes, the real relay's traffic and
// refusals, and HTTP requests by route pattern; and never carries a name, code, id or address.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, signUp, withCookie } from '../accounts/helpers.js';
import { jsonOf, makeDataDir, startTestServer, type TestServer } from '../helpers/server.js';
import { openSignalClient, type SignalTestClient, A_COMMITMENT } from '../helpers/ws.js';
import { loadConfig } from '../../server/config.js';
import { TurnClient, TurnError } from '../../server/turn/client.js';

const TOKEN = 'metrics-token-for-tests-0123456789abcdef';
const RELAY_PORTS = { min: 52200, max: 52299 };

let server: TestServer;
const clients: SignalTestClient[] = [];

async function scrape(headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }): Promise<Response> {
  return server.fetch('/metrics', { headers });
}

/** The value of one sample, e.g. sample(text, 'porthello_calls{state="ringing"}'); null when absent. */
function sample(text: string, series: string): number | null {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

const metrics = suite('GET /metrics');
metrics.after.each(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  await server.close();
});

metrics('does not exist unless a token or an address list is configured', async () => {
  server = await startTestServer({ env: FAST_BCRYPT });
  for (const headers of [{}, { Authorization: `Bearer ${TOKEN}` }]) assert.is((await scrape(headers)).status, 404);
});

metrics('answers only the right bearer token, with the same 404 as an unknown path otherwise', async () => {
  server = await startTestServer({ env: { ...FAST_BCRYPT, PORTHELLO_METRICS_TOKEN: TOKEN } });
  const unknown = await server.fetch('/no-such-page');
  for (const headers of [
    {},
    { Authorization: 'Bearer wrong' },
    { Authorization: `Bearer ${TOKEN}x` },
    { Authorization: TOKEN },
    { Authorization: `Basic ${TOKEN}` },
  ]) {
    const refused = await scrape(headers);
    assert.is(refused.status, 404, JSON.stringify(headers));
    assert.is(refused.headers.get('content-type'), unknown.headers.get('content-type'));
  }
  const answered = await scrape();
  assert.is(answered.status, 200);
  assert.match(answered.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  assert.is(answered.headers.get('cache-control'), 'no-store');
  const text = await answered.text();
  for (const name of ['process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds', 'porthello_http_requests_total'])
    assert.ok(text.includes(`# TYPE ${name}`), name);
});

metrics('lets listed addresses scrape without the token, matched on the connection only', async () => {
  server = await startTestServer({ env: { ...FAST_BCRYPT, PORTHELLO_METRICS_ALLOW: '127.0.0.0/8,::1' } });
  assert.is((await scrape({})).status, 200);
  await server.close();
  server = await startTestServer({ env: { ...FAST_BCRYPT, PORTHELLO_METRICS_ALLOW: '10.0.0.0/8', PORTHELLO_TRUST_PROXY: 'true' } });
  assert.is((await scrape({ 'X-Forwarded-For': '10.1.2.3' })).status, 404, 'a forwarded address is never believed');
});

metrics('counts sockets by kind, calls by state and outcomes, requests by route pattern, and names nobody', async () => {
  server = await startTestServer({ env: { ...FAST_BCRYPT, PORTHELLO_METRICS_TOKEN: TOKEN }, signaling: true });
  const alice = await signUp(server);
  const bob = await signUp(server);
  const { callLink } = await jsonOf(await server.fetch('/api/me', withCookie(bob.cookie)));
  await server.fetch(`/c/${callLink.code}`);
  const connect = async (cookie: string, name: string) => {
    const client = await openSignalClient(server.wsUrl, { name, headers: { Origin: server.origin, Cookie: cookie } });
    clients.push(client);
    return client;
  };
  const caller = await connect(alice.cookie, 'alice');
  const callee = await connect(bob.cookie, 'bob');
  caller.send({ type: 'invite', calleeMemberId: bob.id, commitment: A_COMMITMENT });
  const { callId } = await callee.next('incoming-call');
  let text = await (await scrape()).text();
  assert.is(sample(text, 'porthello_websockets_open{kind="member"}'), 2);
  assert.is(sample(text, 'porthello_websockets_open{kind="guest"}'), 0);
  assert.is(sample(text, 'porthello_calls{state="ringing"}'), 1);
  assert.is(sample(text, 'porthello_calls{state="connected"}'), 0);
  callee.send({ type: 'accept', callId, commitment: A_COMMITMENT });
  await caller.next('call-connected');
  text = await (await scrape()).text();
  assert.is(sample(text, 'porthello_calls{state="ringing"}'), 0);
  assert.is(sample(text, 'porthello_calls{state="connected"}'), 1);
  caller.send({ type: 'hang-up', callId });
  await callee.next('call-ended');
  text = await (await scrape()).text();
  assert.is(sample(text, 'porthello_calls{state="connected"}'), 0);
  assert.is(sample(text, 'porthello_call_outcomes_total{outcome="answered"}'), 1);
  assert.is(sample(text, 'porthello_http_requests_total{route="/c/:code",method="GET",status="200"}'), 1);
  assert.ok((sample(text, 'porthello_http_requests_total{route="/api/auth/signup",method="POST",status="201"}') ?? 0) >= 2);
  for (const secret of [alice.id, bob.id, alice.email, bob.email, alice.firstName, callLink.code, callId, '127.0.0.1'])
    assert.not.ok(text.includes(secret), `the metrics hold ${secret}`);
});

metrics('counts what the real relay forwards and the error responses it sends', async () => {
  server = await startTestServer({ env: { ...FAST_BCRYPT, PORTHELLO_METRICS_TOKEN: TOKEN }, turnRelayPorts: RELAY_PORTS });
  const relay = server.turn;
  assert.ok(relay);
  const before = await (await scrape()).text();
  assert.is(sample(before, 'porthello_relay_bytes_total{direction="to_peer"}'), 0);
  const stranger = await TurnClient.open({ address: '127.0.0.1', port: relay.port }, { username: 'nobody', password: 'wrong' });
  try {
    await stranger.allocate();
    assert.unreachable('an unknown credential allocated');
  } catch (error) {
    assert.instance(error, TurnError);
  } finally {
    await stranger.close();
  }
  const selfTest = await relay.selfTest();
  assert.ok(selfTest.ok, selfTest.detail);
  const text = await (await scrape()).text();
  assert.ok((sample(text, 'porthello_relay_bytes_total{direction="to_peer"}') ?? 0) > 0);
  assert.ok((sample(text, 'porthello_relay_packets_total{direction="to_client"}') ?? 0) >= 1);
  assert.ok((sample(text, 'porthello_turn_errors_total{code="401"}') ?? 0) >= 2, 'the challenge and the refused credential');
  assert.is(sample(text, 'porthello_relay_allocations'), 0, 'the self-test released its allocations');
});

metrics.run();

const settings = suite('metrics settings');
settings('refuses a short token and a malformed address list at start-up, without printing the token', () => {
  const base = { PORTHELLO_DATA_DIR: makeDataDir() };
  const short = 'short-token-value';
  try {
    loadConfig({ ...base, PORTHELLO_METRICS_TOKEN: short, PORTHELLO_METRICS_ALLOW: '10.0.0.0/99' });
    assert.unreachable('accepted');
  } catch (error) {
    const message = (error as Error).message;
    assert.match(message, /PORTHELLO_METRICS_TOKEN: must be at least 32 characters/);
    assert.match(message, /PORTHELLO_METRICS_ALLOW: must be a comma-separated list/);
    assert.not.ok(message.includes(short));
  }
});

settings.run();
