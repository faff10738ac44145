import { rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../server/config.js';
import type { FairLimiter, Limiter } from '../../server/limiter.js';
import { createHashLanes, createPasswordHasher, hashConcurrencyFor, passwordProblem } from '../../server/accounts/passwords.js';
import { makeDataDir, startTestServer } from '../helpers/server.js';
import { logIn, signUp, uniqueEmail } from './helpers.js';

const rules = suite('password rules');

rules('asks for 12 characters, counts characters not bytes, and stops at 1024', () => {
  assert.is(passwordProblem('aaaaaaaaaaa'), 'too_short');
  assert.is(passwordProblem('aaaaaaaaaaaa'), null);
  assert.is(passwordProblem('🙂'.repeat(11)), 'too_short', '11 emoji are 22 UTF-16 units but 11 characters');
  assert.is(passwordProblem('x'.repeat(128)), null);
  assert.is(passwordProblem('x'.repeat(1025)), 'too_long');
  assert.is(passwordProblem(''), 'required');
  assert.is(passwordProblem(42), 'required');
});

rules.run();

const hashing = suite('bcrypt hashing');

/** A client address: the members' lane takes turns by it. */
const FROM = '192.0.2.1';

hashing('uses cost 12 by default', () => {
  const dataDir = makeDataDir();
  try {
    assert.is(loadConfig({ PORTHELLO_DATA_DIR: dataDir }).accounts.bcryptCost, 12);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

hashing('tells apart passwords that share their first 72 bytes', async () => {
  const hasher = createPasswordHasher(4);
  const prefix = 'a'.repeat(72);
  const hash = await hasher.hash(`${prefix}one`, FROM);
  assert.ok(await hasher.verify(`${prefix}one`, hash, FROM));
  assert.not.ok(await hasher.verify(`${prefix}two`, hash, FROM));
  assert.not.ok(await hasher.verify(prefix, hash, FROM));
});

hashing('keeps the event loop turning while hashing at the default cost', async () => {
  const hasher = createPasswordHasher(12);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  // A synchronous hash would hold the loop for its whole length: the spinner would not turn.
  let turns = 0;
  let hashing = true;
  const spin = (): void => {
    if (!hashing) return;
    turns += 1;
    setImmediate(spin);
  };
  setImmediate(spin);
  const hashes = await Promise.all(Array.from({ length: 4 }, (_, index) => hasher.hash(`passphrase number ${index}`, FROM)));
  hashing = false;
  delay.disable();
  console.log(`  4 hashes at cost 12: the loop turned ${turns} times; worst delay ${(delay.max / 1e6).toFixed(1)} ms (information)`);
  for (const hash of hashes) assert.match(hash, /^\$2b\$12\$/);
  assert.ok(turns >= 20, `the event loop turned only ${turns} times while hashing`);
});

hashing('does one bcrypt comparison at the same cost, in the same turn, for an unknown e-mail as for a wrong password', async () => {
  const compared: string[] = [];
  const members: FairLimiter = {
    run(key, job) {
      compared.push(key);
      return job();
    },
    active: 0,
    waiting: 0,
  };
  const signups: Limiter = { run: (job) => job(), active: 0, waiting: 0 };
  const hasher = createPasswordHasher(10, { members, signups });
  const hash = await hasher.hash('the real password', FROM);
  compared.length = 0;
  assert.not.ok(await hasher.verify('a wrong password', hash, FROM));
  assert.is(compared.length, 1, 'a wrong password: one comparison');
  assert.is(await hasher.verifyNothing('a wrong password', FROM), false);
  assert.is(compared.length, 2, 'an unknown e-mail: one comparison too');
  assert.is(compared[1], compared[0], 'in the same lane, under the same key');
});

hashing('answers an unknown e-mail exactly as a wrong password', async () => {
  const server = await startTestServer({ env: { PORTHELLO_BCRYPT_COST: '4' } });
  try {
    const member = await signUp(server);
    const known = await logIn(server, member.email, 'wrong password here');
    const unknown = await logIn(server, uniqueEmail(), 'wrong password here');
    assert.is(known.status, 401);
    assert.is(unknown.status, 401);
    assert.equal(await known.json(), await unknown.json());
  } finally {
    await server.close();
  }
});

hashing('hashes on every core but one, so the event loop keeps a core to itself', () => {
  assert.is(hashConcurrencyFor(2), 1);
  assert.is(hashConcurrencyFor(8), 7);
  assert.is(hashConcurrencyFor(1), 1);
});

hashing('on two cores a second log-in waits for the first hash instead of taking the other core', async () => {
  const lanes = createHashLanes(hashConcurrencyFor(2));
  let release: () => void = () => {};
  const first = lanes.members.run('a', () => new Promise<void>((resolve) => (release = resolve)));
  const second = lanes.members.run('a', async () => {});
  assert.is(lanes.members.active, 1);
  assert.is(lanes.members.waiting, 1);
  release();
  await Promise.all([first, second]);
  assert.is(lanes.members.active, 0);
});

hashing.run();
