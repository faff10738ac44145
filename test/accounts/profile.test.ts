import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AVATAR_URL_PREFIX } from '../../server/accounts/picture-service.js';
import { CURRENT_POLICY_VERSION } from '../../server/accounts/privacy-policy.js';
import { LARGE_SIZE_PX, SMALL_SIZE_PX } from '../../server/media/pictures.js';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';
import { FAST_BCRYPT, json, signUp, withCookie, type TestMember } from './helpers.js';

// GET /api/me is read from several owners' data (the member, their consents, their e-mail
// settings, their call link) on the hottest path of the API; these tests pin what it answers,
// byte for byte, and that each of those parts shows a change on the very next read.
const me = suite('GET /api/me');
let server: TestServer;
me.before(async () => {
  server = await startTestServer({ env: FAST_BCRYPT });
});
me.after(() => server.close());

type Row = Record<string, string | number | null>;

/** The body GET /api/me must answer, built from the database rows, in the order of its keys. */
function expectedBody(memberId: string): string {
  const user = server.db
    .prepare('SELECT id, email, first_name, last_name, avatar_id, created_at, role, email_status, news_emails FROM users WHERE id = ?')
    .get(memberId) as Row;
  const consent = server.db
    .prepare("SELECT version, accepted_at FROM consents WHERE user_id = ? AND document = 'privacy_policy' ORDER BY id DESC LIMIT 1")
    .get(memberId) as Row | undefined;
  const link = server.db.prepare('SELECT code, guests_allowed, relay_only, show_presence FROM call_links WHERE user_id = ?').get(memberId) as Row;
  const avatarId = user['avatar_id'];
  return JSON.stringify({
    id: user['id'],
    email: user['email'],
    firstName: user['first_name'],
    lastName: user['last_name'],
    avatar:
      typeof avatarId === 'string'
        ? { large: `${AVATAR_URL_PREFIX}${avatarId}-${LARGE_SIZE_PX}.webp`, small: `${AVATAR_URL_PREFIX}${avatarId}-${SMALL_SIZE_PX}.webp` }
        : null,
    policy: { acceptedVersion: consent?.['version'] ?? null, acceptedAt: consent?.['accepted_at'] ?? null, currentVersion: CURRENT_POLICY_VERSION },
    createdAt: user['created_at'],
    role: user['role'],
    // No mail server in this suite: nothing to verify.
    emailVerification: 'not_required',
    newsEmails: user['news_emails'] === 1,
    callLink: {
      code: link['code'],
      path: `/c/${link['code']}`,
      guestsAllowed: link['guests_allowed'] === 1,
      relayOnly: link['relay_only'] === 1,
      showPresence: link['show_presence'] === 1,
      url: `${server.origin}/c/${link['code']}`,
    },
  });
}

async function profileText(member: TestMember): Promise<string> {
  const response = await server.fetch('/api/me', withCookie(member.cookie));
  assert.is(response.status, 200);
  assert.is(response.headers.get('cache-control'), 'no-store');
  assert.is(response.headers.get('content-type'), 'application/json; charset=utf-8');
  return response.text();
}

me('answers the profile, e-mail settings and call link with exactly these fields, in this order', async () => {
  const member = await signUp(server);
  const text = await profileText(member);
  assert.is(text, expectedBody(member.id));
  const body = JSON.parse(text) as Record<string, unknown>;
  assert.equal(Object.keys(body), [
    'id',
    'email',
    'firstName',
    'lastName',
    'avatar',
    'policy',
    'createdAt',
    'role',
    'emailVerification',
    'newsEmails',
    'callLink',
  ]);
  assert.is(body['email'], member.email);
  assert.is(body['firstName'], member.firstName);
});

me('shows a picture’s URLs, a role and a member without any consent as they are stored', async () => {
  const member = await signUp(server);
  server.db.prepare("UPDATE users SET avatar_id = 'pictureid', role = 'support' WHERE id = ?").run(member.id);
  server.db.prepare('DELETE FROM consents WHERE user_id = ?').run(member.id);
  const text = await profileText(member);
  assert.is(text, expectedBody(member.id));
  const body = JSON.parse(text) as { avatar: unknown; role: string; policy: unknown };
  assert.equal(body.avatar, { large: '/media/avatars/pictureid-512.webp', small: '/media/avatars/pictureid-128.webp' });
  assert.is(body.role, 'support');
  assert.equal(body.policy, { acceptedVersion: null, acceptedAt: null, currentVersion: CURRENT_POLICY_VERSION });
});

me('shows each change on the next read: names, news e-mails, consent, call link and its settings', async () => {
  const member = await signUp(server);
  await profileText(member);

  assert.is((await server.fetch('/api/me', json({ firstName: 'Renamed', lastName: 'Member' }, member.cookie, 'PATCH'))).status, 200);
  let body = JSON.parse(await profileText(member)) as { firstName: string; lastName: string; newsEmails: boolean };
  assert.equal([body.firstName, body.lastName], ['Renamed', 'Member']);

  assert.is((await server.fetch('/api/me/news-emails', json({ newsEmails: false }, member.cookie, 'PUT'))).status, 200);
  body = JSON.parse(await profileText(member));
  assert.is(body.newsEmails, false);

  server.db.prepare("UPDATE consents SET version = 'older' WHERE user_id = ?").run(member.id);
  assert.is((JSON.parse(await profileText(member)) as { policy: { acceptedVersion: string } }).policy.acceptedVersion, 'older');
  assert.is((await server.fetch('/api/me/policy', json({ acceptPolicy: true }, member.cookie))).status, 200);
  const accepted = JSON.parse(await profileText(member)) as { policy: { acceptedVersion: string; acceptedAt: string } };
  assert.is(accepted.policy.acceptedVersion, CURRENT_POLICY_VERSION, 'the latest consent, not the first');

  const before = (JSON.parse(await profileText(member)) as { callLink: { code: string } }).callLink.code;
  const renewed = await jsonOf(await server.fetch('/api/me/call-link', json({}, member.cookie)));
  const after = JSON.parse(await profileText(member)) as { callLink: { code: string; guestsAllowed: boolean; relayOnly: boolean; showPresence: boolean } };
  assert.is.not(after.callLink.code, before);
  assert.is(after.callLink.code, renewed.code);

  const settings = { guestsAllowed: false, relayOnly: true, showPresence: true };
  assert.is((await server.fetch('/api/me/call-link', json(settings, member.cookie, 'PATCH'))).status, 200);
  const changed = JSON.parse(await profileText(member)) as { callLink: Record<string, unknown> };
  assert.equal([changed.callLink['guestsAllowed'], changed.callLink['relayOnly'], changed.callLink['showPresence']], [false, true, true]);
  assert.is(await profileText(member), expectedBody(member.id));
});

me('gives a member without a call link (from before links were made at sign-up) one on first read', async () => {
  const member = await signUp(server);
  server.db.prepare('DELETE FROM call_links WHERE user_id = ?').run(member.id);
  const text = await profileText(member);
  const stored = server.db.prepare('SELECT code FROM call_links WHERE user_id = ?').get(member.id) as { code: string } | undefined;
  assert.ok(stored, 'the link is made by the read');
  assert.is((JSON.parse(text) as { callLink: { code: string } }).callLink.code, stored.code);
  assert.is(text, expectedBody(member.id));
  assert.is(await profileText(member), text, 'and kept');
});

me('refuses a disabled member’s session and a deleted member’s session with 401', async () => {
  const disabled = await signUp(server);
  // Disabled by another process (the admin CLI): the session row is still there.
  server.db.prepare('UPDATE users SET disabled_at = ? WHERE id = ?').run(new Date().toISOString(), disabled.id);
  assert.is((await server.fetch('/api/me', withCookie(disabled.cookie))).status, 401);
  const deleted = await signUp(server);
  assert.is((await server.fetch('/api/me', json({ password: deleted.password }, deleted.cookie, 'DELETE'))).status, 204);
  assert.is((await server.fetch('/api/me', withCookie(deleted.cookie))).status, 401);
});

me.run();
