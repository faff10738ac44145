import { rmSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig, type Env } from '../../server/config.js';
import { makeDataDir } from '../helpers/server.js';

const accounts = suite('account settings in loadConfig');
let dataDir: string;
accounts.before.each(() => {
  dataDir = makeDataDir();
});
accounts.after.each(() => rmSync(dataDir, { recursive: true, force: true }));

function problemKeys(env: Env): string[] {
  try {
    loadConfig({ PORTHELLO_DATA_DIR: dataDir, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => problem.split(':')[0] ?? '').sort();
    throw error;
  }
  return [];
}

accounts('defaults to bcrypt cost 12, sessions idle for 7 days and at most 30 days, 5 sign-ups per address and 50 in all per hour', () => {
  const config = loadConfig({ PORTHELLO_DATA_DIR: dataDir });
  assert.equal(config.accounts, {
    bcryptCost: 12,
    sessionIdleMs: 7 * 24 * 3600_000,
    sessionMaxMs: 30 * 24 * 3600_000,
    signupsPerAddressPerHour: 5,
    signupsPerHour: 50,
  });
  assert.ok(Object.isFrozen(config.accounts));
});

accounts('refuses a bcrypt cost outside 4-15, and lifetimes that are not whole positive numbers', () => {
  assert.equal(problemKeys({ PORTHELLO_BCRYPT_COST: '3', PORTHELLO_SESSION_IDLE_HOURS: '0', PORTHELLO_SESSION_MAX_DAYS: '1.5' }), [
    'PORTHELLO_BCRYPT_COST',
    'PORTHELLO_SESSION_IDLE_HOURS',
    'PORTHELLO_SESSION_MAX_DAYS',
  ]);
  assert.equal(problemKeys({ PORTHELLO_BCRYPT_COST: '16' }), ['PORTHELLO_BCRYPT_COST']);
  assert.equal(problemKeys({ PORTHELLO_SIGNUPS_PER_ADDRESS_PER_HOUR: '0', PORTHELLO_SIGNUPS_PER_HOUR: 'many' }), [
    'PORTHELLO_SIGNUPS_PER_ADDRESS_PER_HOUR',
    'PORTHELLO_SIGNUPS_PER_HOUR',
  ]);
});

accounts('refuses an idle limit longer than the absolute one', () => {
  assert.equal(problemKeys({ PORTHELLO_SESSION_IDLE_HOURS: '49', PORTHELLO_SESSION_MAX_DAYS: '2' }), ['PORTHELLO_SESSION_IDLE_HOURS']);
  assert.equal(problemKeys({ PORTHELLO_SESSION_IDLE_HOURS: '48', PORTHELLO_SESSION_MAX_DAYS: '2' }), []);
});

accounts.run();
