import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { addressBlock } from '../../server/client-address.js';
import { createThrottle } from '../../server/accounts/login-throttle.js';
import { manualClock } from '../helpers/clock.js';

const throttle = suite('createThrottle');

throttle('lets one address fail five times on an account, then waits 1 s, 2 s, 4 s… capped at 15 min, and forgets after an hour', () => {
  const clock = manualClock();
  const limits = createThrottle(clock);
  for (let failure = 0; failure < 5; failure += 1) {
    assert.is(limits.check('a@example.org', '192.0.2.1').refuseForMs, 0);
    limits.failed('a@example.org', '192.0.2.1');
  }
  assert.is(limits.check('a@example.org', '192.0.2.1').refuseForMs, 1000);
  assert.is(limits.check('A@EXAMPLE.ORG', '192.0.2.1').refuseForMs, 1000, 'the counter ignores case');
  limits.failed('a@example.org', '192.0.2.1');
  assert.is(limits.check('a@example.org', '192.0.2.1').refuseForMs, 2000);
  for (let failure = 0; failure < 20; failure += 1) limits.failed('a@example.org', '192.0.2.1');
  assert.is(limits.check('a@example.org', '192.0.2.1').refuseForMs, 15 * 60_000);
  clock.advance(60 * 60_000 + 1);
  assert.equal(limits.check('a@example.org', '192.0.2.1'), { refuseForMs: 0, delayMs: 0 });
});

throttle('never refuses the account to another address: it delays every answer on it instead, doubling up to 4 s', () => {
  const clock = manualClock();
  const limits = createThrottle(clock);
  for (let failure = 0; failure < 5; failure += 1) limits.failed('a@example.org', '192.0.2.1');
  assert.equal(limits.check('a@example.org', '198.51.100.7'), { refuseForMs: 0, delayMs: 250 });
  for (let failure = 0; failure < 30; failure += 1) limits.failed('a@example.org', `203.0.113.${failure}`);
  assert.equal(limits.check('a@example.org', '198.51.100.7'), { refuseForMs: 0, delayMs: 4000 });
  assert.equal(limits.check('b@example.org', '192.0.2.1'), { refuseForMs: 0, delayMs: 0 }, 'another account from the first address');
  limits.succeeded('a@example.org', '198.51.100.7');
  assert.equal(limits.check('a@example.org', '198.51.100.7'), { refuseForMs: 0, delayMs: 0 }, 'a success clears the delay');
});

throttle('counts an address across accounts and keeps that count on success', () => {
  const limits = createThrottle(manualClock());
  for (let failure = 0; failure < 30; failure += 1) limits.failed(`user${failure}@example.org`, '2001:db8:1:2:3:4:5:6');
  limits.succeeded('user0@example.org', '2001:db8:1:2:3:4:5:6');
  assert.ok(limits.check('someone@example.org', '2001:db8:1:2:ffff::1').refuseForMs > 0, 'the same /64 is blocked');
  assert.is(limits.check('someone@example.org', '2001:db8:1:3::1').refuseForMs, 0, 'another /64 is not');
});

throttle('counts IPv6 addresses by /64 and IPv4-mapped addresses as IPv4', () => {
  assert.is(addressBlock('2001:db8:0:1:aaaa:bbbb:cccc:dddd'), '2001:db8:0:1::/64');
  assert.is(addressBlock('2001:DB8::1'), '2001:db8:0:0::/64');
  assert.is(addressBlock('::1'), '0:0:0:0::/64');
  assert.is(addressBlock('::ffff:192.0.2.7'), '192.0.2.7');
  assert.is(addressBlock('192.0.2.7'), '192.0.2.7');
});

throttle.run();
