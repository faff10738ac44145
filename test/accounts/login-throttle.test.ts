import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { addressBlock, createThrottle } from '../../server/accounts/login-throttle.js';

const throttle = suite('createThrottle');

throttle('lets five failures pass, then waits 1 s, 2 s, 4 s… capped at 15 min, and forgets after an hour', () => {
  let now = 1_000_000;
  const limits = createThrottle(() => now);
  for (let failure = 0; failure < 5; failure += 1) {
    assert.is(limits.waitMs('a@example.org', '192.0.2.1'), 0);
    limits.failed('a@example.org', '192.0.2.1');
  }
  assert.is(limits.waitMs('a@example.org', '192.0.2.1'), 1000);
  assert.is(limits.waitMs('A@EXAMPLE.ORG', '192.0.2.99'), 1000, 'the account counter ignores case and address');
  limits.failed('a@example.org', '192.0.2.1');
  assert.is(limits.waitMs('a@example.org', '192.0.2.1'), 2000);
  for (let failure = 0; failure < 20; failure += 1) limits.failed('a@example.org', '192.0.2.1');
  assert.is(limits.waitMs('a@example.org', '192.0.2.1'), 15 * 60_000);
  now += 60 * 60_000 + 1;
  assert.is(limits.waitMs('a@example.org', '192.0.2.1'), 0);
});

throttle('clears the account counter on success but keeps the address counter', () => {
  const now = 5_000_000;
  const limits = createThrottle(() => now);
  for (let failure = 0; failure < 30; failure += 1) limits.failed(`user${failure}@example.org`, '2001:db8:1:2:3:4:5:6');
  limits.succeeded('user0@example.org');
  assert.ok(limits.waitMs('someone@example.org', '2001:db8:1:2:ffff::1') > 0, 'the same /64 is blocked');
  assert.is(limits.waitMs('someone@example.org', '2001:db8:1:3::1'), 0, 'another /64 is not');
});

throttle('counts IPv6 addresses by /64 and IPv4-mapped addresses as IPv4', () => {
  assert.is(addressBlock('2001:db8:0:1:aaaa:bbbb:cccc:dddd'), '2001:db8:0:1::/64');
  assert.is(addressBlock('2001:DB8::1'), '2001:db8:0:0::/64');
  assert.is(addressBlock('::1'), '0:0:0:0::/64');
  assert.is(addressBlock('::ffff:192.0.2.7'), '192.0.2.7');
  assert.is(addressBlock('192.0.2.7'), '192.0.2.7');
});

throttle.run();
