// Log-ins take turns on the hashing thread by the client's network, as the server sees it (ctx.ip:
// X-Forwarded-For only behind a trusted proxy). A real server on port 0 whose one hashing thread
// the test holds, so a storm from one network queues up to its bound, and then a log-in from
// another network still queues and succeeds.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHashLanes, MEMBER_HASH_MAX_PER_NETWORK } from '../../server/accounts/passwords.js';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';
import { FAST_BCRYPT, logIn, signUp, type TestMember } from './helpers.js';

/** Documentation ranges (RFC 5737): the storm's /24, and another network. */
const STORM_NETWORK = '198.51.100';
const ELSEWHERE = '203.0.113.7';

/** A server hashing on one thread, its members signed up, then that thread held until `release()`. */
async function startHeld(env: Record<string, string>) {
  const lanes = createHashLanes(1);
  const server = await startTestServer({ env: { ...FAST_BCRYPT, ...env }, hashLanes: lanes });
  const members = [await signUp(server), await signUp(server)] as const;
  let release: () => void = () => {};
  const held = lanes.members.run('held by the test', () => new Promise<void>((resolve) => (release = resolve)));
  return {
    server,
    lanes,
    members,
    release: async () => {
      release();
      await held;
    },
  };
}

const from = (address: string): Record<string, string> => ({ 'X-Forwarded-For': address });

/** One network's storm of log-ins, up to its bound. */
function storm(server: TestServer, member: TestMember, addresses: (index: number) => string): Promise<Response[]> {
  return Promise.all(Array.from({ length: MEMBER_HASH_MAX_PER_NETWORK }, (_, index) => logIn(server, member.email, member.password, from(addresses(index)))));
}

const fairness = suite('log-ins take turns by network');

fairness('refuses a network past its bound (IPv4 /24, mapped addresses included) with 429 while another network logs in', async () => {
  const { server, lanes, members, release } = await startHeld({ PORTHELLO_TRUST_PROXY: 'true' });
  try {
    const [stormer, member] = members;
    const pending = storm(server, stormer, (index) => (index % 2 === 0 ? `${STORM_NETWORK}.${index + 1}` : `::ffff:${STORM_NETWORK}.${index + 100}`));
    await waitUntil(() => lanes.members.waiting === MEMBER_HASH_MAX_PER_NETWORK, 'the storm to queue');

    const refused = await logIn(server, member.email, member.password, from(`${STORM_NETWORK}.254`));
    assert.is(refused.status, 429);
    assert.is((await jsonOf(refused)).error.code, 'too_many_logins');
    assert.ok(Number(refused.headers.get('Retry-After')) > 0);
    // A member's own password check takes its turn by network too.
    const change = await server.fetch('/api/me/password', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: member.cookie, ...from(`::ffff:${STORM_NETWORK}.253`) },
      body: JSON.stringify({ currentPassword: member.password, newPassword: 'another good passphrase' }),
    });
    assert.is(change.status, 429);
    assert.is((await jsonOf(change)).error.code, 'too_many_logins');

    const elsewhere = logIn(server, member.email, member.password, from(ELSEWHERE));
    await waitUntil(() => lanes.members.waiting === MEMBER_HASH_MAX_PER_NETWORK + 1, 'the other network to queue');
    await release();
    assert.is((await elsewhere).status, 200);
    assert.equal(
      (await pending).map((response) => response.status),
      Array<number>(MEMBER_HASH_MAX_PER_NETWORK).fill(200),
    );
    const leaked = server.logs.filter((line) => line.includes(STORM_NETWORK) || line.includes(ELSEWHERE));
    assert.equal(leaked, [], 'no address in the logs');
  } finally {
    await release();
    await server.close();
  }
});

fairness('counts a storm by the connection address when no proxy is trusted, whatever X-Forwarded-For says', async () => {
  const { server, lanes, members, release } = await startHeld({});
  try {
    const [stormer] = members;
    const pending = storm(server, stormer, (index) => `2001:db8:0:${index.toString(16)}::1`);
    await waitUntil(() => lanes.members.waiting === MEMBER_HASH_MAX_PER_NETWORK, 'the storm to queue');
    const refused = await logIn(server, stormer.email, stormer.password, from(ELSEWHERE));
    assert.is(refused.status, 429, 'the same loopback network: past its bound');
    await release();
    assert.ok((await pending).every((response) => response.status === 200));
  } finally {
    await release();
    await server.close();
  }
});

fairness.run();
