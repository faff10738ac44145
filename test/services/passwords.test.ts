import { rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../server/config.js';
import { createPasswordHasher, passwordProblem } from '../../server/services/passwords.js';
import { makeDataDir, startTestServer } from '../helpers/server.js';
import { logIn, signUp, uniqueEmail } from '../accounts/helpers.js';

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
  const hash = await hasher.hash(`${prefix}one`);
  assert.ok(await hasher.verify(`${prefix}one`, hash));
  assert.not.ok(await hasher.verify(`${prefix}two`, hash));
  assert.not.ok(await hasher.verify(prefix, hash));
});

hashing('keeps the event loop free while hashing at the default cost (measured)', async () => {
  const hasher = createPasswordHasher(12);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const started = performance.now();
  const hashes = await Promise.all(Array.from({ length: 4 }, (_, index) => hasher.hash(`passphrase number ${index}`)));
  const elapsedMs = performance.now() - started;
  delay.disable();
  const worstMs = delay.max / 1e6;
  console.log(`  4 hashes at cost 12: ${Math.round(elapsedMs)} ms in all; worst event-loop delay ${worstMs.toFixed(1)} ms`);
  for (const hash of hashes) assert.match(hash, /^\$2b\$12\$/);
  // Hashing on the event loop would stall it for the whole run; off it, the worst stall is a
  // small part of it (on a busy shared machine, scheduling alone causes some delay).
  assert.ok(worstMs < elapsedMs / 4, `the event loop stalled ${worstMs} ms of ${elapsedMs} ms`);
});

hashing('spends similar time on an unknown e-mail and on a wrong password', async () => {
  const server = await startTestServer({ env: { PORTHELLO_BCRYPT_COST: '10' } });
  try {
    // Two members, three failures each: under the five free failures of the throttle.
    const members = [await signUp(server), await signUp(server)];
    const time = async (email: string): Promise<number> => {
      const started = performance.now();
      const response = await logIn(server, email, 'wrong password here');
      await response.arrayBuffer();
      return performance.now() - started;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let round = 0; round < 6; round += 1) {
      known.push(await time(members[round % 2]?.email ?? ''));
      unknown.push(await time(uniqueEmail()));
    }
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const ratio = median(unknown) / median(known);
    console.log(`  wrong password ${median(known).toFixed(1)} ms, unknown e-mail ${median(unknown).toFixed(1)} ms`);
    // Without the dummy comparison an unknown e-mail answers ~50 times faster; the band is wide
    // because the suites share a busy machine.
    assert.ok(ratio > 0.5 && ratio < 2, `ratio ${ratio}`);
  } finally {
    await server.close();
  }
});

hashing.run();
