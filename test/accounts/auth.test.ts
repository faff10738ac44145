import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CURRENT_POLICY_VERSION } from '../../server/accounts/privacy-policy.js';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';
import { manualClock, type ManualClock } from '../helpers/clock.js';
import { FAST_BCRYPT, json, logIn, sessionCookieOf, signUp, uniqueEmail, withCookie } from './helpers.js';

const signup = suite('POST /api/auth/signup');
let server: TestServer;
signup.before(async () => {
  server = await startTestServer({ env: FAST_BCRYPT });
});
signup.after(() => server.close());

signup('creates the member, logs them in with an HttpOnly SameSite=Lax cookie and answers 201 with the profile', async () => {
  const email = uniqueEmail();
  const response = await server.fetch(
    '/api/auth/signup',
    json({ email, password: 'a long enough passphrase', firstName: 'Ada', lastName: 'Lovelace', acceptPolicy: true }),
  );
  assert.is(response.status, 201);
  const profile = await jsonOf(response);
  assert.is(profile.email, email);
  assert.is(profile.firstName, 'Ada');
  assert.match(profile.id, /^[A-Za-z0-9_-]{22}$/);
  assert.is(profile.policy.acceptedVersion, CURRENT_POLICY_VERSION);
  const setCookie = response.headers.getSetCookie().find((line) => line.startsWith('porthello_session='));
  assert.ok(setCookie);
  assert.match(setCookie, /; path=\//i);
  assert.match(setCookie, /; httponly/i);
  assert.match(setCookie, /; samesite=lax/i);
  assert.not.match(setCookie, /; secure/i, 'plain HTTP trial: no Secure flag');
  assert.not.match(setCookie, /domain=/i);
  const me = await server.fetch('/api/me', withCookie(sessionCookieOf(response) ?? ''));
  assert.is(me.status, 200);
  assert.is((await jsonOf(me)).email, email);
  assert.is(me.headers.get('cache-control'), 'no-store');
});

signup('stores a bcrypt hash of the configured cost and the accepted policy version with its date', async () => {
  const member = await signUp(server);
  const row = server.db.prepare('SELECT password_hash FROM users WHERE id = ?').get(member.id) as { password_hash: string };
  assert.match(row.password_hash, /^\$2b\$04\$/);
  assert.not.ok(row.password_hash.includes(member.password));
  const consent = server.db.prepare('SELECT document, version, accepted_at FROM consents WHERE user_id = ?').get(member.id) as Record<string, string>;
  assert.is(consent['document'], 'privacy_policy');
  assert.is(consent['version'], CURRENT_POLICY_VERSION);
  assert.match(consent['accepted_at'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

signup('normalises the e-mail (trimmed, lower-cased) and refuses it again in another case with 409', async () => {
  const local = `Grace${Date.now()}`;
  const member = await signUp(server, { email: `  ${local}@Example.ORG ` });
  const stored = server.db.prepare('SELECT email FROM users WHERE id = ?').get(member.id) as { email: string };
  assert.is(stored.email, `${local.toLowerCase()}@example.org`);
  const again = await server.fetch(
    '/api/auth/signup',
    json({ email: `${local.toLowerCase()}@EXAMPLE.org`, password: 'another long passphrase', firstName: 'G', lastName: 'H', acceptPolicy: true }),
  );
  assert.is(again.status, 409);
  assert.is((await jsonOf(again)).error.code, 'email_taken');
  assert.is(sessionCookieOf(again), null);
});

signup('answers 400 naming every failing field', async () => {
  const response = await server.fetch(
    '/api/auth/signup',
    json({ email: 'not-an-email', password: 'elevenchars', firstName: 'A\u0007da', lastName: ' ', acceptPolicy: false }),
  );
  assert.is(response.status, 400);
  const { error } = await jsonOf(response);
  assert.is(error.code, 'invalid_fields');
  assert.equal(error.fields, { email: 'invalid', password: 'too_short', firstName: 'control_characters', lastName: 'required', acceptPolicy: 'must_accept' });
  const overlong = await server.fetch(
    '/api/auth/signup',
    json({ email: uniqueEmail(), password: 'x'.repeat(1025), firstName: 'A'.repeat(81), lastName: 'B\u202Eevil', acceptPolicy: true }),
  );
  assert.equal((await jsonOf(overlong)).error.fields, { password: 'too_long', firstName: 'too_long', lastName: 'control_characters' });
  const noBody = await server.fetch('/api/auth/signup', json([]));
  assert.is(noBody.status, 400);
});

signup('accepts a 200-character passphrase, and one differing only after byte 72 does not log in', async () => {
  const long = `${'é'.repeat(40)}${'x'.repeat(160)}`; // 240 UTF-8 bytes before the difference
  const member = await signUp(server, { password: `${long}-A` });
  assert.is((await logIn(server, member.email, `${long}-A`)).status, 200);
  assert.is((await logIn(server, member.email, `${long}-B`)).status, 401);
  const exactly128 = await signUp(server, { password: 'p'.repeat(128) });
  assert.is((await logIn(server, exactly128.email, 'p'.repeat(128))).status, 200);
  assert.is((await logIn(server, exactly128.email, 'p'.repeat(127))).status, 401);
});

signup.run();

const login = suite('POST /api/auth/login and /api/auth/logout');
login.before(async () => {
  server = await startTestServer({ env: FAST_BCRYPT });
});
login.after(() => server.close());

login('logs in with 200 and a new session cookie; the cookie held before log-in is worth nothing after it', async () => {
  const member = await signUp(server);
  const response = await logIn(
    server,
    member.email
      .toUpperCase()
      .replace('EXAMPLE.ORG', 'Example.Org')
      .replace(/^MEMBER/, 'member'),
    member.password,
    { Cookie: member.cookie },
  );
  assert.is(response.status, 200);
  assert.is((await jsonOf(response)).id, member.id);
  const fresh = sessionCookieOf(response);
  assert.ok(fresh);
  assert.is.not(fresh, member.cookie);
  assert.is((await server.fetch('/api/me', withCookie(member.cookie))).status, 401, 'the pre-login session ended');
  assert.is((await server.fetch('/api/me', withCookie(fresh))).status, 200);
});

login('gives the same 401 body for an unknown e-mail and a wrong password, in similar time', async () => {
  const member = await signUp(server);
  const unknown = await logIn(server, uniqueEmail(), member.password);
  const wrong = await logIn(server, member.email, 'not the password at all');
  assert.is(unknown.status, 401);
  assert.is(wrong.status, 401);
  assert.equal(await jsonOf(unknown), await jsonOf(wrong));
  assert.equal((await jsonOf(await logIn(server, member.email, 'again not it!'))).error.code, 'invalid_credentials');
});

login('logs out with 204: the session row is gone and the old cookie gets 401', async () => {
  const member = await signUp(server);
  const out = await server.fetch('/api/auth/logout', withCookie(member.cookie, { method: 'POST' }));
  assert.is(out.status, 204);
  assert.match(out.headers.getSetCookie().join('\n'), /porthello_session=;.*expires=Thu, 01 Jan 1970/i);
  assert.is((await server.fetch('/api/me', withCookie(member.cookie))).status, 401);
  const count = server.db.prepare('SELECT count(*) AS n FROM sessions WHERE user_id = ?').get(member.id) as { n: number };
  assert.is(count.n, 0);
  assert.is((await server.fetch('/api/auth/logout', { method: 'POST' })).status, 204, 'logging out twice is harmless');
});

login('answers 401 on /api/me without a session or with a forged cookie', async () => {
  assert.is((await server.fetch('/api/me')).status, 401);
  assert.is((await server.fetch('/api/me', withCookie('porthello_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'))).status, 401);
  assert.is((await server.fetch('/api/me', withCookie('porthello_session=../../etc'))).status, 401);
});

login('refuses a log-in from another origin with 403', async () => {
  const member = await signUp(server);
  const response = await logIn(server, member.email, member.password, { Origin: 'https://evil.example' });
  assert.is(response.status, 403);
  assert.is(sessionCookieOf(response), null);
});

login.run();

const throttling = suite('log-in throttling');
let clock: ManualClock;
/** Behind a trusted proxy, so each test picks the client address with X-Forwarded-For. */
throttling.before.each(async () => {
  clock = manualClock();
  server = await startTestServer({ env: { ...FAST_BCRYPT, PORTHELLO_TRUST_PROXY: 'true' }, clock });
});
throttling.after.each(() => server.close());
const from = (address: string) => ({ 'X-Forwarded-For': address });

throttling('after five failures from one address answers it 429 with Retry-After, even to the right password, until the wait is over', async () => {
  const victim = await signUp(server);
  const other = await signUp(server);
  for (let attempt = 1; attempt <= 5; attempt += 1) assert.is((await logIn(server, victim.email, `wrong guess ${attempt}`, from('192.0.2.1'))).status, 401);
  const blocked = await logIn(server, victim.email, victim.password, from('192.0.2.1'));
  assert.is(blocked.status, 429);
  assert.is((await jsonOf(blocked)).error.code, 'too_many_attempts');
  const retryAfterS = Number(blocked.headers.get('retry-after'));
  assert.ok(retryAfterS >= 1);
  assert.is((await logIn(server, other.email, other.password, from('192.0.2.1'))).status, 200, 'another account from the same address');
  clock.advance(retryAfterS * 1000 - 1);
  assert.is((await logIn(server, victim.email, victim.password, from('192.0.2.1'))).status, 429, 'not a millisecond early');
  clock.advance(1);
  assert.is((await logIn(server, victim.email, victim.password, from('192.0.2.1'))).status, 200, 'usable again after the wait');
});

throttling('doubles the wait with each further failure from that address', async () => {
  const victim = await signUp(server);
  for (let attempt = 1; attempt <= 5; attempt += 1) await logIn(server, victim.email, `wrong ${attempt}`, from('192.0.2.1'));
  const first = Number((await logIn(server, victim.email, 'x'.repeat(12), from('192.0.2.1'))).headers.get('retry-after'));
  clock.advance(first * 1000);
  assert.is((await logIn(server, victim.email, 'wrong again 6', from('192.0.2.1'))).status, 401);
  const second = Number((await logIn(server, victim.email, 'x'.repeat(12), from('192.0.2.1'))).headers.get('retry-after'));
  assert.ok(second >= 2 * first, `${second} >= 2 × ${first}`);
});

throttling('lets the real member in with the right password from another address while guesses flood the account', async () => {
  const victim = await signUp(server);
  for (let attempt = 1; attempt <= 6; attempt += 1) await logIn(server, victim.email, `wrong guess ${attempt}`, from('192.0.2.1'));
  const elsewhere = await logIn(server, victim.email, victim.password, from('198.51.100.7'));
  assert.is(elsewhere.status, 200, 'six failures from one address do not lock the member out');
  // Many guessing addresses, five guesses each: each answer on the account then comes late.
  for (let address = 1; address <= 8; address += 1) {
    for (let attempt = 1; attempt <= 5; attempt += 1)
      assert.is((await logIn(server, victim.email, `guess ${address}.${attempt}`, from(`203.0.113.${address}`))).status, 401);
  }
  const sleptBefore = clock.sleeps.length;
  assert.is((await logIn(server, victim.email, victim.password, from('2001:db8:7::1'))).status, 200, 'the right password from a fresh address still passes');
  assert.is(clock.sleeps.length, sleptBefore + 1, 'after a delay');
  assert.ok((clock.sleeps.at(-1) ?? 0) > 0);
});

throttling('counts failures per client address across e-mails, ignoring an untrusted X-Forwarded-For', async () => {
  const own = await startTestServer({ env: FAST_BCRYPT });
  try {
    const member = await signUp(own);
    for (let attempt = 0; attempt < 30; attempt += 1) {
      const response = await logIn(own, uniqueEmail(), 'password spraying', { 'X-Forwarded-For': `203.0.113.${attempt}` });
      assert.is(response.status, 401, `attempt ${attempt}`);
    }
    const blocked = await logIn(own, member.email, member.password, { 'X-Forwarded-For': '198.51.100.7' });
    assert.is(blocked.status, 429);
  } finally {
    await own.close();
  }
});

throttling.run();

const https = suite('session cookie under an HTTPS public URL');

https('is named __Host-porthello_session and Secure even behind an untrusted proxy', async () => {
  const secure = await startTestServer({ env: { ...FAST_BCRYPT, PORTHELLO_PUBLIC_URL: 'https://call.example.org' } });
  try {
    const response = await fetch(`${secure.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: 'https://call.example.org' },
      body: JSON.stringify({ email: uniqueEmail(), password: 'a long enough passphrase', firstName: 'A', lastName: 'B', acceptPolicy: true }),
    });
    assert.is(response.status, 201);
    const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith('__Host-porthello_session='));
    assert.ok(line, response.headers.getSetCookie().join(' | '));
    assert.match(line, /; secure/i);
    assert.match(line, /; path=\//i);
    assert.not.match(line, /domain=/i);
    const me = await fetch(`${secure.url}/api/me`, { headers: { Cookie: line.split(';')[0] ?? '' } });
    assert.is(me.status, 200);
    const plainName = await fetch(`${secure.url}/api/me`, { headers: { Cookie: (line.split(';')[0] ?? '').replace('__Host-', '') } });
    assert.is(plainName.status, 401, 'the unprefixed name is not accepted under HTTPS');
  } finally {
    await secure.close();
  }
});

https.run();
