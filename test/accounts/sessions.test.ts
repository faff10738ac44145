import type { IncomingMessage } from 'node:http';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { deviceLabel, MAX_SESSIONS_PER_MEMBER } from '../../server/accounts/session-service.js';
import { manualClock } from '../helpers/clock.js';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';
import { FAST_BCRYPT, json, logIn, sessionCookieOf, signUp, withCookie } from './helpers.js';

const FIREFOX_ANDROID = 'Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0';

const sessions = suite('sessions: list, end, expire');
let server: TestServer;
sessions.before(async () => {
  server = await startTestServer({ env: FAST_BCRYPT });
});
sessions.after(() => server.close());

async function secondDevice(member: { email: string; password: string }): Promise<string> {
  const response = await logIn(server, member.email, member.password, { 'User-Agent': FIREFOX_ANDROID });
  assert.is(response.status, 200);
  return sessionCookieOf(response) ?? '';
}

sessions('lists the member’s sessions with a device label, last use and which one is current', async () => {
  const member = await signUp(server);
  await secondDevice(member);
  const response = await server.fetch('/api/me/sessions', withCookie(member.cookie));
  assert.is(response.status, 200);
  const list = (await jsonOf(response)).sessions as { id: string; device: string; lastUsedAt: string; current: boolean }[];
  assert.is(list.length, 2);
  assert.is(list.filter((session) => session.current).length, 1);
  assert.ok(list.some((session) => session.device === 'Firefox · Android'));
  for (const session of list) assert.equal(Object.keys(session).sort(), ['createdAt', 'current', 'device', 'id', 'lastUsedAt']);
});

sessions('ends another session: its cookie gets 401 and the member’s own keeps working', async () => {
  const member = await signUp(server);
  const phone = await secondDevice(member);
  const list = (await jsonOf(await server.fetch('/api/me/sessions', withCookie(member.cookie)))).sessions as { id: string; current: boolean }[];
  const other = list.find((session) => !session.current);
  assert.ok(other);
  const ended: [string, readonly string[]][] = [];
  const stop = server.accounts.events.onSessionsEnded((memberId, ids) => ended.push([memberId, ids]));
  try {
    const response = await server.fetch(`/api/me/sessions/${other.id}`, withCookie(member.cookie, { method: 'DELETE' }));
    assert.is(response.status, 204);
    assert.is((await server.fetch('/api/me', withCookie(phone))).status, 401);
    assert.is((await server.fetch('/api/me', withCookie(member.cookie))).status, 200);
    assert.equal(ended, [[member.id, [other.id]]], 'the WebSocket side is told');
  } finally {
    stop();
  }
});

sessions('refuses to end another member’s session with 404', async () => {
  const alice = await signUp(server);
  const bob = await signUp(server);
  const bobs = (await jsonOf(await server.fetch('/api/me/sessions', withCookie(bob.cookie)))).sessions as { id: string }[];
  const response = await server.fetch(`/api/me/sessions/${bobs[0]?.id}`, withCookie(alice.cookie, { method: 'DELETE' }));
  assert.is(response.status, 404);
  assert.is((await server.fetch('/api/me', withCookie(bob.cookie))).status, 200);
});

sessions('ends a session unused for longer than the idle limit', async () => {
  const member = await signUp(server);
  const idleMs = server.config.accounts.sessionIdleMs;
  const longAgo = new Date(Date.now() - idleMs - 60_000).toISOString();
  server.db.prepare('UPDATE sessions SET last_used_at = ? WHERE user_id = ?').run(longAgo, member.id);
  assert.is((await server.fetch('/api/me', withCookie(member.cookie))).status, 401);
  const left = server.db.prepare('SELECT count(*) AS n FROM sessions WHERE user_id = ?').get(member.id) as { n: number };
  assert.is(left.n, 0, 'the expired row is deleted');
});

sessions('ends a session past its absolute lifetime even if used a moment ago', async () => {
  const member = await signUp(server);
  const created = new Date(Date.now() - server.config.accounts.sessionMaxMs - 60_000).toISOString();
  server.db.prepare('UPDATE sessions SET created_at = ?, last_used_at = ? WHERE user_id = ?').run(created, new Date().toISOString(), member.id);
  assert.is((await server.fetch('/api/me', withCookie(member.cookie))).status, 401);
});

sessions('reading the profile writes nothing to the database while the session was used within the minute', async () => {
  const member = await signUp(server);
  const changes = (): number => server.db.prepare('SELECT total_changes() AS n').pluck().get() as number;
  assert.is((await server.fetch('/api/me', withCookie(member.cookie))).status, 200);
  const before = changes();
  for (let index = 0; index < 5; index++) assert.is((await server.fetch('/api/me', withCookie(member.cookie))).status, 200);
  assert.is(changes(), before);
});

sessions('stores only the hash of the cookie token', async () => {
  const member = await signUp(server);
  const token = member.cookie.split('=')[1] ?? '';
  const rows = server.db.prepare('SELECT * FROM sessions WHERE user_id = ?').all(member.id) as Record<string, unknown>[];
  assert.is(rows.length, 1);
  assert.not.ok(JSON.stringify(rows).includes(token));
  assert.not.ok(
    Buffer.from(rows[0]?.['token_hash'] as Uint8Array)
      .toString('latin1')
      .includes(token),
  );
});

sessions('authenticates a raw upgrade request by its cookie, for the WebSocket signaler', async () => {
  const member = await signUp(server);
  const request = (cookie: string): IncomingMessage => ({ headers: { cookie: `lang=fr; ${cookie}` } }) as unknown as IncomingMessage;
  const found = server.accounts.auth.memberFromRequest(request(member.cookie));
  assert.is(found?.id, member.id);
  assert.is(server.accounts.auth.memberFromRequest(request('porthello_session=nope')), null);
  assert.is(server.accounts.auth.memberFromRequest({ headers: {} } as IncomingMessage), null);
});

sessions('labels devices by browser and system only', () => {
  assert.is(deviceLabel(FIREFOX_ANDROID), 'Firefox · Android');
  assert.is(
    deviceLabel('Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1'),
    'Safari · iOS',
  );
  assert.is(deviceLabel('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36'), 'Chrome · Linux');
  assert.is(deviceLabel(''), 'unknown');
});

sessions('caps the sessions of a member: a log-in past the cap ends the oldest, and the signaling hears of it', async () => {
  const member = await signUp(server);
  const ended: string[] = [];
  const stop = server.accounts.events.onSessionsEnded((memberId, ids) => {
    if (memberId === member.id) ended.push(...ids);
  });
  try {
    const cookies = [member.cookie];
    for (let login = 0; login < MAX_SESSIONS_PER_MEMBER; login += 1) cookies.push(await secondDevice(member));
    const count = server.db.prepare('SELECT count(*) AS n FROM sessions WHERE user_id = ?').get(member.id) as { n: number };
    assert.is(count.n, MAX_SESSIONS_PER_MEMBER);
    assert.is((await server.fetch('/api/me', withCookie(member.cookie))).status, 401, 'the oldest (the sign-up) ended');
    assert.is(ended.length, 1);
    for (const cookie of cookies.slice(1)) assert.is((await server.fetch('/api/me', withCookie(cookie))).status, 200);
  } finally {
    stop();
  }
});

sessions.run();

const clocked = suite('session expiry on the accounts clock');

clocked('ends a session idle for longer than the idle limit, and any session past the absolute limit, without sleeping', async () => {
  const clock = manualClock();
  const own = await startTestServer({ env: { ...FAST_BCRYPT, PORTHELLO_SESSION_IDLE_HOURS: '2', PORTHELLO_SESSION_MAX_DAYS: '1' }, clock });
  try {
    const member = await signUp(own);
    clock.advance(2 * 3600_000);
    assert.is((await own.fetch('/api/me', withCookie(member.cookie))).status, 200, 'exactly at the idle limit');
    for (let hour = 0; hour < 23; hour += 1) {
      clock.advance(3600_000);
      assert.is((await own.fetch('/api/me', withCookie(member.cookie))).status, hour < 22 ? 200 : 401, `after ${hour + 3} h of use`);
    }
    const again = sessionCookieOf(await logIn(own, member.email, member.password)) ?? '';
    clock.advance(2 * 3600_000 + 1);
    assert.is((await own.fetch('/api/me', withCookie(again))).status, 401, 'idle past the limit');
  } finally {
    await own.close();
  }
});

clocked('writes a session’s last use at most once a minute, then again once it is older', async () => {
  const clock = manualClock();
  const own = await startTestServer({ env: FAST_BCRYPT, clock });
  try {
    const member = await signUp(own);
    const lastUsed = (): string => own.db.prepare('SELECT last_used_at FROM sessions WHERE user_id = ?').pluck().get(member.id) as string;
    const opened = lastUsed();
    clock.advance(59_000);
    assert.is((await own.fetch('/api/me', withCookie(member.cookie))).status, 200);
    assert.is(lastUsed(), opened, 'not written within the minute');
    clock.advance(2_000);
    assert.is((await own.fetch('/api/me', withCookie(member.cookie))).status, 200);
    assert.is(lastUsed(), new Date(clock.now()).toISOString());
  } finally {
    await own.close();
  }
});

clocked.run();

const profile = suite('GET/PATCH /api/me and POST /api/me/password');
profile.before(async () => {
  server = await startTestServer({ env: FAST_BCRYPT });
});
profile.after(() => server.close());

profile('changes names without a password and e-mail only with the current password', async () => {
  const member = await signUp(server);
  const names = await server.fetch('/api/me', json({ firstName: '  Augusta  Ada ', lastName: 'King' }, member.cookie, 'PATCH'));
  assert.is(names.status, 200);
  const changed = await jsonOf(names);
  assert.is(changed.firstName, 'Augusta Ada');
  assert.is(changed.lastName, 'King');
  const noPassword = await server.fetch('/api/me', json({ email: 'new-address@example.org' }, member.cookie, 'PATCH'));
  assert.is(noPassword.status, 400);
  assert.equal((await jsonOf(noPassword)).error.fields, { currentPassword: 'required' });
  const wrong = await server.fetch('/api/me', json({ email: `x${member.email}`, currentPassword: 'not my password' }, member.cookie, 'PATCH'));
  assert.is(wrong.status, 403);
  assert.is((await jsonOf(wrong)).error.code, 'wrong_password');
  const right = await server.fetch('/api/me', json({ email: `x${member.email}`, currentPassword: member.password }, member.cookie, 'PATCH'));
  assert.is(right.status, 200);
  assert.is((await jsonOf(right)).email, `x${member.email}`);
});

profile('refuses an e-mail another member has with 409, and invalid names with 400', async () => {
  const alice = await signUp(server);
  const bob = await signUp(server);
  const taken = await server.fetch('/api/me', json({ email: alice.email, currentPassword: bob.password }, bob.cookie, 'PATCH'));
  assert.is(taken.status, 409);
  assert.is((await jsonOf(taken)).error.code, 'email_taken');
  const bad = await server.fetch('/api/me', json({ firstName: '' }, bob.cookie, 'PATCH'));
  assert.equal((await jsonOf(bad)).error.fields, { firstName: 'required' });
  const nothing = await server.fetch('/api/me', json({}, bob.cookie, 'PATCH'));
  assert.is((await jsonOf(nothing)).error.code, 'nothing_to_change');
});

profile('changes the password with the current one and ends every other session', async () => {
  const member = await signUp(server);
  const laptop = sessionCookieOf(await logIn(server, member.email, member.password)) ?? '';
  const wrong = await server.fetch('/api/me/password', json({ currentPassword: 'not it at all', newPassword: 'a brand new passphrase' }, member.cookie));
  assert.is(wrong.status, 403);
  const short = await server.fetch('/api/me/password', json({ currentPassword: member.password, newPassword: 'short' }, member.cookie));
  assert.equal((await jsonOf(short)).error.fields, { newPassword: 'too_short' });
  const ended: string[] = [];
  const stop = server.accounts.events.onSessionsEnded((_member, ids) => ended.push(...ids));
  try {
    const response = await server.fetch('/api/me/password', json({ currentPassword: member.password, newPassword: 'a brand new passphrase' }, member.cookie));
    assert.is(response.status, 200);
    assert.equal(await jsonOf(response), { endedSessions: 1 });
    assert.is(ended.length, 1);
  } finally {
    stop();
  }
  assert.is((await server.fetch('/api/me', withCookie(laptop))).status, 401);
  assert.is((await server.fetch('/api/me', withCookie(member.cookie))).status, 200);
  assert.is((await logIn(server, member.email, member.password)).status, 401);
  assert.is((await logIn(server, member.email, 'a brand new passphrase')).status, 200);
});

profile('never writes e-mails, names, passwords or tokens to the log', async () => {
  const member = await signUp(server);
  await logIn(server, member.email, 'a wrong password here');
  await logIn(server, member.email, member.password);
  await server.fetch('/api/me/password', json({ currentPassword: member.password, newPassword: 'another new passphrase' }, member.cookie));
  const text = server.logs.join('\n');
  assert.ok(text.includes('login refused'), 'authentication events are logged');
  for (const secret of [member.email, member.firstName, member.lastName, member.password, 'another new passphrase', member.cookie.split('=')[1] ?? '']) {
    assert.not.ok(text.includes(secret), `log holds ${secret}`);
  }
});

profile.run();
