// The connection self-test's server side through a real server: POST /api/self-test/ice-servers
// gives anyone two sides' relay credentials that really allocate and reach each other on the real
// relay, end after their lifetime, are bounded per client address with Retry-After, and leave
// nothing personal in the logs; the signaler's probe socket answers a ping without any account,
// while the real signaling socket still refuses anyone unauthenticated.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket } from 'ws';
import type { SelfTestIce } from '../../server/contract/selftest.js';
import type { AppError } from '../../server/errors.js';
import { MAX_LIVE_SELF_TESTS, SELF_TEST_CREDENTIAL_TTL_MS, SELF_TEST_WINDOW_MS, SELF_TESTS_PER_ADDRESS } from '../../server/selftest/selftest-service.js';
import { LIVENESS_PING, LIVENESS_PONG, PROBE_SOCKET_QUERY } from '../../server/signal/protocol.js';
import { TurnClient, TurnError } from '../../server/turn/client.js';
import { errorCode } from '../../server/turn/stun.js';
import { signUp } from '../accounts/helpers.js';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';
import { withTimeout } from '../helpers/wait.js';

/** A range of its own, apart from the other relay suites'. */
const RELAY_PORTS = { min: 52900, max: 52909 };

const api = suite('connection self-test: relay credentials and the probe socket');

let server: TestServer;
let now = 1_000_000;

api.before(async () => {
  server = await startTestServer({ signaling: true, turnRelayPorts: RELAY_PORTS, selfTestNow: () => now });
});
api.after(async () => {
  await server?.close();
});

const ask = (init: RequestInit = {}) => server.fetch('/api/self-test/ice-servers', { method: 'POST', ...init });

/** Opens a TURN client with one side's credential on the relay's UDP port. */
function clientOf(side: SelfTestIce['first']): Promise<TurnClient> {
  const [first] = side;
  if (first === undefined || server.turn === null) throw new Error('no relay');
  return TurnClient.open({ address: '127.0.0.1', port: server.turn.port }, { username: first.username, password: first.credential });
}

api('gives anyone two sides whose allocations reach each other on the relay, for a bounded time', async () => {
  const logsBefore = server.logs.length;
  const response = await ask();
  assert.is(response.status, 200);
  assert.is(response.headers.get('cache-control'), 'no-store');
  const ice = (await jsonOf(response)) as SelfTestIce;
  assert.is(ice.expiresInS, SELF_TEST_CREDENTIAL_TTL_MS / 1000);
  const [first] = ice.first;
  const [second] = ice.second;
  assert.ok(first !== undefined && second !== undefined);
  assert.is.not(first.username, second.username);
  assert.equal(first.urls, [`turn:127.0.0.1:${server.turn?.port}?transport=udp`, `turn:127.0.0.1:${server.turn?.port}?transport=tcp`]);

  const a = await clientOf(ice.first);
  const b = await clientOf(ice.second);
  try {
    const relayedA = (await a.allocate()).relayed;
    const relayedB = (await b.allocate()).relayed;
    assert.is(errorCode(await b.createPermission([relayedA])), null);
    assert.is(errorCode(await a.createPermission([relayedB])), null);
    const probe = Buffer.from('self-test loop');
    a.sendIndication(relayedB, probe);
    const got = await b.nextData(3000);
    assert.ok(got?.data.equals(probe), 'one side relayed to the other, as one call');
    assert.is(server.turn?.allocationCount(first.username), 1);

    // Past the lifetime the credentials end, and their allocations with them.
    now += SELF_TEST_CREDENTIAL_TTL_MS + 1;
    server.selfTest.service.sweep();
    assert.is(server.turn?.allocationCount(first.username), 0);
    assert.is(server.turn?.allocationCount(second.username), 0);
  } finally {
    await a.close();
    await b.close();
  }
  const late = await clientOf(ice.first);
  try {
    await late.allocate();
    assert.unreachable('an expired self-test credential allocated');
  } catch (error) {
    assert.instance(error, TurnError);
    assert.is((error as TurnError).code, 401);
  } finally {
    await late.close();
  }
  // Nothing personal or secret reached the logs: no address, no credential.
  const written = server.logs.slice(logsBefore).join('\n');
  for (const secret of ['127.0.0.1', first.username, first.credential, second.username, second.credential]) assert.not.ok(written.includes(secret), secret);
});

api('refuses more tests per address than the limit with too_many_tests and Retry-After', async () => {
  now += SELF_TEST_WINDOW_MS; // a fresh window for this address
  const logsBefore = server.logs.length;
  for (let index = 0; index < SELF_TESTS_PER_ADDRESS; index += 1) assert.is((await ask()).status, 200, `test ${index + 1}`);
  const refused = await ask();
  assert.is(refused.status, 429);
  assert.is((await jsonOf(refused)).error.code, 'too_many_tests');
  const retryAfterS = Number(refused.headers.get('retry-after'));
  assert.ok(retryAfterS > 0 && retryAfterS <= SELF_TEST_WINDOW_MS / 1000, `Retry-After ${retryAfterS}`);
  assert.not.ok(server.logs.slice(logsBefore).join('\n').includes('127.0.0.1'), 'no client address logged');
  // The window ends: the address may test again.
  now += SELF_TEST_WINDOW_MS;
  assert.is((await ask()).status, 200);
});

api('refuses a request from another site (Origin check), as every state-changing request', async () => {
  const response = await ask({ headers: { Origin: 'https://elsewhere.example' } });
  assert.is(response.status, 403);
});

/** Opens a socket, sends `send` twice once open, and resolves with what came back until it closed (or the refusal's status). */
function exchange(url: string, headers: Record<string, string>, send: string): Promise<{ messages: string[]; closeCode?: number; status?: number }> {
  return withTimeout(
    new Promise((resolve) => {
      const messages: string[] = [];
      const socket = new WebSocket(url, { headers });
      socket.on('open', () => {
        socket.send(send);
        socket.send(send);
      });
      socket.on('message', (data) => messages.push(String(data)));
      socket.on('close', (code) => resolve({ messages, closeCode: code }));
      socket.on('unexpected-response', (_request, response) => {
        resolve({ messages, status: response.statusCode ?? 0 });
        socket.terminate();
      });
      socket.on('error', () => undefined);
    }),
    'the socket to answer and close',
  );
}

api('the probe socket answers one ping without an account, then closes; the signaling socket still needs one', async () => {
  const origin = { Origin: server.origin };
  const probeUrl = `${server.wsUrl}?${PROBE_SOCKET_QUERY}`;
  assert.equal(await exchange(probeUrl, origin, LIVENESS_PING), { messages: [LIVENESS_PONG], closeCode: 1000 });
  assert.equal(await exchange(probeUrl, origin, '{"type":"hello","version":1}'), { messages: [], closeCode: 1008 });
  assert.equal(await exchange(probeUrl, { Origin: 'https://elsewhere.example' }, LIVENESS_PING), { messages: [], status: 403 });
  assert.equal(await exchange(server.wsUrl, origin, LIVENESS_PING), { messages: [], status: 401 });
});

api('the guest page and the calls page link to the test', async () => {
  const member = await signUp(server);
  const me = await jsonOf(await server.fetch('/api/me', { headers: { Cookie: member.cookie } }));
  const guestPage = await (await server.fetch(new URL(me.callLink.url).pathname)).text();
  assert.match(guestPage, /<a href="\/test" id="self-test-link">/);
  const callsPage = await (await server.fetch('/calls', { headers: { Cookie: member.cookie } })).text();
  assert.match(callsPage, /<a href="\/test" id="self-test-link">/);
});

api.run();

const bounds = suite('connection self-test bounds');

bounds('keeps at most MAX_LIVE_SELF_TESTS live in all, whatever the addresses, until their lifetime ends', async () => {
  let clock = 0;
  const bounded = await startTestServer({ turnRelayPorts: { min: 52910, max: 52914 }, selfTestNow: () => clock });
  try {
    const service = bounded.selfTest.service;
    for (let index = 0; index < MAX_LIVE_SELF_TESTS; index += 1) service.start(`198.51.100.${index}`);
    try {
      service.start('203.0.113.1');
      assert.unreachable('a test past the bound was given credentials');
    } catch (error) {
      assert.is((error as AppError).code, 'self_test_busy');
      assert.ok(((error as AppError).retryAfterS ?? 0) > 0);
    }
    assert.is(bounded.turnCredentials?.size(), 2 * MAX_LIVE_SELF_TESTS, 'nothing half-issued for the refused test');
    clock += SELF_TEST_CREDENTIAL_TTL_MS;
    assert.is(service.start('203.0.113.1').first.length, 1, 'expired tests free their room');
    assert.is(bounded.turnCredentials?.size(), 2);
  } finally {
    await bounded.close();
  }
});

bounds('its allocations take the relay share not kept for calls', async () => {
  // Every allocation is kept for answered calls: a self-test gets none.
  const reserved = await startTestServer({ turnRelayPorts: { min: 52915, max: 52919 }, turnQuotas: { totalQuota: 2, callReserve: 2 } });
  try {
    const ice = (await jsonOf(await reserved.fetch('/api/self-test/ice-servers', { method: 'POST' }))) as SelfTestIce;
    const [side] = ice.first;
    assert.ok(side !== undefined && reserved.turn !== null);
    const client = await TurnClient.open({ address: '127.0.0.1', port: reserved.turn.port }, { username: side.username, password: side.credential });
    try {
      await client.allocate();
      assert.unreachable('a self-test allocated from the calls’ reserve');
    } catch (error) {
      assert.instance(error, TurnError);
      assert.is((error as TurnError).code, 508);
    } finally {
      await client.close();
    }
  } finally {
    await reserved.close();
  }
});

bounds.run();

const noRelay = suite('connection self-test without a relay');
noRelay('answers no relay at all, so the page says the service has none', async () => {
  const bare = await startTestServer();
  try {
    const response = await bare.fetch('/api/self-test/ice-servers', { method: 'POST' });
    assert.is(response.status, 200);
    const ice = (await jsonOf(response)) as SelfTestIce;
    assert.equal([ice.first, ice.second], [[], []]);
    const page = await bare.fetch('/test?lang=fr');
    assert.is(page.status, 200);
    assert.match(await page.text(), /Test de connexion/);
  } finally {
    await bare.close();
  }
});
noRelay.run();
