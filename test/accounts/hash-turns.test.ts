// The members' hashing lane takes turns by the client's network (IPv4 /24, IPv6 /64), with real
// bcrypt at its lowest cost. A job the test holds keeps the one hashing thread busy while the
// others queue, so the order they are served in is known; one thread serves them one at a time,
// so the order they finish in is that order.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHashLanes, createPasswordHasher, MEMBER_HASH_MAX_PER_NETWORK, type HashLanes } from '../../server/accounts/passwords.js';
import { networkBlock } from '../../server/client-address.js';
import type { AppError } from '../../server/errors.js';

const LOWEST_COST = 4;
const PASSWORD = 'correct horse battery staple';
const STORM = 8;

/** The hasher on one thread, and a job holding that thread until `release()`. */
async function heldHasher() {
  const lanes: HashLanes = createHashLanes(1);
  const hasher = createPasswordHasher(LOWEST_COST, lanes);
  const hash = await hasher.hash(PASSWORD, '192.0.2.1');
  // Its stand-in hash made: an unknown e-mail's check then queues at once, as a known one does.
  await hasher.verifyNothing(PASSWORD, '192.0.2.1');
  let release: () => void = () => {};
  const held = lanes.members.run('held by the test', () => new Promise<void>((resolve) => (release = resolve)));
  const finished: string[] = [];
  const track = <T>(name: string, job: Promise<T>): Promise<T> =>
    job.then((value) => {
      finished.push(name);
      return value;
    });
  const releaseAll = async (): Promise<void> => {
    // Every check the test asked for is queued by the next turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await held;
  };
  return { lanes, hasher, hash, finished, track, release: releaseAll };
}

/** Where a log-in from `other` finishes among a storm of log-ins from `storm` sent before it. */
async function placeAmongStorm(storm: readonly string[], other: string): Promise<number> {
  const { hasher, hash, finished, track, release } = await heldHasher();
  const jobs = storm.map((from, index) => track(`storm ${index}`, hasher.verify(PASSWORD, hash, from)));
  jobs.push(track('other', hasher.verify(PASSWORD, hash, other)));
  await release();
  assert.equal(await Promise.all(jobs), Array<boolean>(storm.length + 1).fill(true));
  return finished.indexOf('other');
}

const turns = suite('hashing turns by network');

turns('groups IPv4 by /24 (mapped IPv6 included) and IPv6 by /64', () => {
  assert.is(networkBlock('198.51.100.7'), '198.51.100.0/24');
  assert.is(networkBlock('::ffff:198.51.100.250'), '198.51.100.0/24');
  assert.is(networkBlock('::FFFF:198.51.101.1'), '198.51.101.0/24');
  assert.is(networkBlock('2001:db8:0:1:aaaa:bbbb:cccc:dddd'), '2001:db8:0:1::/64');
  assert.is(networkBlock('2001:DB8:0:1::1'), '2001:db8:0:1::/64');
  assert.is(networkBlock('2001:db8:0:2::1'), '2001:db8:0:2::/64');
});

turns('serves a log-in from another IPv4 /24 after one hash of a storm from one /24, not after the whole storm', async () => {
  const storm = Array.from({ length: STORM }, (_, index) => (index % 2 === 0 ? `198.51.100.${index + 1}` : `::ffff:198.51.100.${index + 100}`));
  assert.is(await placeAmongStorm(storm, '198.51.101.1'), 1);
  assert.is(await placeAmongStorm(storm, '::ffff:198.51.100.250'), STORM, 'a mapped address of the same /24 waits its turn with the storm');
});

turns('serves a log-in from another IPv6 /64 after one hash of a storm from one /64', async () => {
  const storm = Array.from({ length: STORM }, (_, index) => `2001:db8:0:1:${index.toString(16)}::${index + 1}`);
  assert.is(await placeAmongStorm(storm, '2001:db8:0:2::1'), 1);
  assert.is(await placeAmongStorm(storm, '2001:db8:0:1:ffff:ffff:ffff:ffff'), STORM, 'an address of the same /64 waits its turn with the storm');
});

turns('gives an unknown e-mail the same turn as a known one from the same network', async () => {
  const { hasher, hash, finished, track, release } = await heldHasher();
  const jobs = [
    track('known 1', hasher.verify(PASSWORD, hash, '198.51.100.1')),
    track('known 2', hasher.verify(PASSWORD, hash, '198.51.100.2')),
    track('elsewhere', hasher.verify(PASSWORD, hash, '203.0.113.9')),
    track('unknown', hasher.verifyNothing(PASSWORD, '198.51.100.3')),
  ];
  await release();
  await Promise.all(jobs);
  assert.equal(finished, ['known 1', 'elsewhere', 'known 2', 'unknown']);
});

turns('refuses one network past its bound with a 429-kind error while another network is still served', async () => {
  const { hasher, hash, release } = await heldHasher();
  const storm = Array.from({ length: MEMBER_HASH_MAX_PER_NETWORK }, (_, index) => hasher.verify(PASSWORD, hash, `2001:db8:0:1::${index.toString(16)}`));
  const refused = await hasher.verifyNothing(PASSWORD, '2001:db8:0:1:ffff::1').then(
    () => null,
    (error: AppError) => error,
  );
  assert.is(refused?.kind, 'rate_limited');
  assert.is(refused?.code, 'too_many_logins');
  assert.ok((refused?.retryAfterS ?? 0) > 0);
  assert.not.match(refused?.message ?? '', /2001|db8/, 'the message names no address');
  const elsewhere = hasher.verify(PASSWORD, hash, '2001:db8:0:2::1');
  await release();
  assert.ok(await elsewhere);
  assert.equal(await Promise.all(storm), Array<boolean>(MEMBER_HASH_MAX_PER_NETWORK).fill(true));
});

turns('still hashes sign-ups after every waiting log-in, whatever its network', async () => {
  const { hasher, hash, finished, track, release } = await heldHasher();
  const jobs: Promise<unknown>[] = [track('sign-up', hasher.hashForSignup(PASSWORD))];
  for (const from of ['198.51.100.1', '198.51.100.2', '203.0.113.9', '2001:db8::1']) jobs.push(track(from, hasher.verify(PASSWORD, hash, from)));
  await release();
  await Promise.all(jobs);
  assert.equal(finished, ['198.51.100.1', '203.0.113.9', '2001:db8::1', '198.51.100.2', 'sign-up']);
});

turns.run();
