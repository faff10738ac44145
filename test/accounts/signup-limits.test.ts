// Sign-up under attack: throttled per client address (IPv6 by /64) and in total, on the accounts
// clock; and a flood of sign-ups at the default bcrypt cost never keeps a member from logging in.
import { request } from 'node:http';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';
import { manualClock } from '../helpers/clock.js';
import { withTimeout, waitUntil } from '../helpers/wait.js';
import { FAST_BCRYPT, json, signUp, uniqueEmail } from './helpers.js';

function signUpFrom(server: TestServer, address: string | null): Promise<Response> {
  const init = json({ email: uniqueEmail(), password: 'a long enough passphrase', firstName: 'Flo', lastName: 'Od', acceptPolicy: true });
  if (address !== null) init.headers = { ...(init.headers as Record<string, string>), 'X-Forwarded-For': address };
  return server.fetch('/api/auth/signup', init);
}

const throttle = suite('sign-up throttling');

throttle('refuses past the per-address (IPv6 /64) and total hourly limits with 429 and Retry-After, and admits again an hour later', async () => {
  const clock = manualClock();
  const server = await startTestServer({
    env: { ...FAST_BCRYPT, PORTHELLO_TRUST_PROXY: 'true', PORTHELLO_SIGNUPS_PER_ADDRESS_PER_HOUR: '2', PORTHELLO_SIGNUPS_PER_HOUR: '5' },
    clock,
  });
  try {
    const statuses = async (addresses: string[]): Promise<number[]> => {
      const result: number[] = [];
      for (const address of addresses) result.push((await signUpFrom(server, address)).status);
      return result;
    };
    assert.equal(await statuses(['192.0.2.1', '192.0.2.1']), [201, 201]);
    const refused = await signUpFrom(server, '192.0.2.1');
    assert.is(refused.status, 429);
    assert.is((await jsonOf(refused)).error.code, 'too_many_signups');
    assert.is(refused.headers.get('retry-after'), '3600');
    assert.equal(await statuses(['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2:ffff::3']), [201, 201, 429], 'one /64 is one address');
    assert.equal(await statuses(['198.51.100.9', '198.51.100.10']), [201, 429], 'five in all per hour');
    const count = server.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number };
    assert.is(count.n, 5, 'refused sign-ups created nothing');
    clock.advance(60 * 60_000);
    assert.equal(await statuses(['192.0.2.1', '198.51.100.10']), [201, 201]);
  } finally {
    await server.close();
  }
});

throttle.run();

const flood = suite('a sign-up flood at the default bcrypt cost');

/** More sign-ups at once than any hashing queue holds: some must be refused. */
const FLOOD_SIZE = 260;
/** Bounds the flood on a machine shared with other work; log-ins queue behind at most one sign-up hash. */
const FLOOD_WAIT_MS = 180_000;

async function healthzMs(server: TestServer): Promise<number> {
  const started = performance.now();
  const response = await server.fetch('/healthz');
  assert.is(response.status, 200);
  return Math.round(performance.now() - started);
}

/**
 * POSTs JSON on a connection of its own (no keep-alive pool), and resolves with the status, or
 * with the error code when the connection failed: a flood never reuses a connection the server
 * is closing, and a failure is reported by the assertions instead of ending the process.
 */
function postAlone(server: TestServer, path: string, body: unknown): Promise<number | string> {
  const payload = JSON.stringify(body);
  return new Promise((resolve) => {
    const headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), Origin: server.origin };
    const sent = request(new URL(path, server.url), { method: 'POST', agent: false, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    sent.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    sent.end(payload);
  });
}

const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`;

flood('leaves a member able to log in (never a 503) while sign-ups are refused or queued behind', async () => {
  const server = await startTestServer();
  try {
    assert.is(server.config.accounts.bcryptCost, 12, 'the default cost');
    const member = await signUp(server);
    const before = { memory: process.memoryUsage(), healthz: await healthzMs(server) };
    const statuses: (number | string)[] = [];
    const floodDone = Promise.all(
      Array.from({ length: FLOOD_SIZE }, async () => {
        const body = { email: uniqueEmail(), password: 'a long enough passphrase', firstName: 'Flo', lastName: 'Od', acceptPolicy: true };
        statuses.push(await postAlone(server, '/api/auth/signup', body));
      }),
    );
    // The hashing queue is full once sign-ups are being turned away.
    await waitUntil(() => statuses.includes(503), 'a sign-up refused as busy', FLOOD_WAIT_MS);
    const during = await healthzMs(server);
    const login = await withTimeout(
      postAlone(server, '/api/auth/login', { email: member.email, password: member.password }),
      'the log-in during the flood',
      FLOOD_WAIT_MS,
    );
    assert.is(login, 200, `the log-in during the flood answered ${login}`);
    await withTimeout(floodDone, 'the flood to be answered', FLOOD_WAIT_MS);
    const after = { memory: process.memoryUsage(), healthz: await healthzMs(server) };
    const created = statuses.filter((status) => status === 201).length;
    assert.ok(
      statuses.every((status) => status === 201 || status === 503),
      `only 201 and 503: ${[...new Set(statuses)].join(', ')}`,
    );
    assert.ok(created >= 1, 'some sign-ups went through');
    console.log(
      `  ${FLOOD_SIZE} sign-ups: ${created} created, ${FLOOD_SIZE - created} refused busy (information)\n` +
        `  rss ${megabytes(before.memory.rss)} -> ${megabytes(after.memory.rss)}, heap ${megabytes(before.memory.heapUsed)} -> ${megabytes(after.memory.heapUsed)}; ` +
        `/healthz ${before.healthz} ms before, ${during} ms during, ${after.healthz} ms after (information)`,
    );
  } finally {
    await server.close();
  }
});

flood.run();
