// Who may join, through the real server: invite (the default), domains and open, and every way
// an invitation stops working (used, expired, revoked, for another address).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig, type ConfigError } from '../../server/config.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { manualClock } from '../helpers/clock.js';
import { FAST_BCRYPT, json, sessionCookieOf, withCookie } from '../accounts/helpers.js';
import { errorCode, firstAdmin, invite, newcomer, signupWith } from './helpers.js';

const DAY_MS = 24 * 3600_000;

const inviteMode = suite<{ server: TestServer; clock: ReturnType<typeof manualClock> }>('PORTHELLO_SIGNUP=invite', {} as never);
inviteMode.before(async (context) => {
  context.clock = manualClock(Date.now());
  // invite is the default: the test asks for it by leaving the helper's `open` out.
  context.server = await startTestServer({ env: { ...FAST_BCRYPT, PORTHELLO_SIGNUP: 'invite' }, clock: context.clock });
});
inviteMode.after(({ server }) => server.close());

inviteMode('invitation ids never start with "-", which the admin command line would read as an option', async ({ server }) => {
  const admin = { id: (await firstAdmin(server)).id, role: 'admin' } as const;
  // One random id in 64 starts with "-": 300 draws would show one nearly always (99%).
  for (let count = 0; count < 300; count += 1) {
    const { invitation } = server.staff.invitations.create(admin, { maxUses: 1, expiresInDays: 1, email: null });
    assert.not.ok(invitation.id.startsWith('-'), invitation.id);
    server.staff.invitations.revoke(admin, invitation.id);
  }
});

inviteMode('refuses a sign-up without an invitation, or with a code that is not one', async ({ server }) => {
  assert.is(server.config.access.signup, 'invite');
  const without = await signupWith(server, newcomer());
  assert.is(without.status, 403);
  assert.is(await errorCode(without), 'invitation_required');
  const wrong = await signupWith(server, newcomer({ inviteCode: 'A'.repeat(24) }));
  assert.is(wrong.status, 403);
  assert.is(await errorCode(wrong), 'invitation_invalid');
});

inviteMode('a single-use invitation signs one newcomer up and logs them in, then refuses the next', async ({ server }) => {
  const admin = await adminOf(server);
  const { code, url } = await invite(server, admin);
  assert.ok(url.startsWith(`${server.origin}/signup?invite=`), url);
  assert.is(new URL(url).searchParams.get('invite'), code);
  const first = await signupWith(server, newcomer({ inviteCode: code }));
  assert.is(first.status, 201);
  const cookie = sessionCookieOf(first);
  assert.ok(cookie);
  const me = await server.fetch('/api/me', withCookie(cookie));
  assert.is(me.status, 200);
  assert.is(((await me.json()) as { role: string }).role, 'member');
  const second = await signupWith(server, newcomer({ inviteCode: code }));
  assert.is(second.status, 403);
  assert.is(await errorCode(second), 'invitation_used');
  // The code is stored hashed: nowhere in the database in clear.
  const rows = server.db.prepare('SELECT * FROM invitations').all();
  assert.not.ok(JSON.stringify(rows).includes(code));
});

inviteMode('a multi-use invitation takes as many sign-ups as it allows', async ({ server }) => {
  const { code } = await invite(server, await adminOf(server), { maxUses: 2 });
  assert.is((await signupWith(server, newcomer({ inviteCode: code }))).status, 201);
  assert.is((await signupWith(server, newcomer({ inviteCode: code }))).status, 201);
  const third = await signupWith(server, newcomer({ inviteCode: code }));
  assert.is(await errorCode(third), 'invitation_used');
});

inviteMode('an invitation expires, and a revoked one stops at once', async ({ server, clock }) => {
  const admin = await adminOf(server);
  const expiring = await invite(server, admin, { expiresInDays: 1, maxUses: 5 });
  const revoked = await invite(server, admin, { maxUses: 5 });
  clock.advance(DAY_MS + 1000);
  const late = await signupWith(server, newcomer({ inviteCode: expiring.code }));
  assert.is(late.status, 403);
  assert.is(await errorCode(late), 'invitation_expired');
  const revoke = await server.fetch(`/api/admin/invitations/${revoked.invitation.id}/revoke`, json({}, admin.cookie));
  assert.is(revoke.status, 204);
  const again = await server.fetch(`/api/admin/invitations/${revoked.invitation.id}/revoke`, json({}, admin.cookie));
  assert.is(again.status, 409);
  assert.is(await errorCode(again), 'already_revoked');
  const refused = await signupWith(server, newcomer({ inviteCode: revoked.code }));
  assert.is(refused.status, 403);
  assert.is(await errorCode(refused), 'invitation_revoked');
  const list = (await (await server.fetch('/api/admin/invitations', withCookie(admin.cookie))).json()) as { invitations: { id: string; state: string }[] };
  assert.is(list.invitations.find((item) => item.id === expiring.invitation.id)?.state, 'expired');
  assert.is(list.invitations.find((item) => item.id === revoked.invitation.id)?.state, 'revoked');
});

inviteMode('an invitation for one address refuses another, and forgets the address once used', async ({ server }) => {
  const admin = await adminOf(server);
  const email = `bound-${Date.now()}@example.org`;
  const { code, invitation } = await invite(server, admin, { email: email.toUpperCase() });
  const other = await signupWith(server, newcomer({ inviteCode: code }));
  assert.is(other.status, 403);
  assert.is(await errorCode(other), 'invitation_other_address');
  assert.is((await signupWith(server, newcomer({ email, inviteCode: code }))).status, 201);
  const row = server.db.prepare('SELECT email, bound, uses FROM invitations WHERE id = ?').get(invitation.id);
  assert.equal(row, { email: null, bound: 1, uses: 1 });
});

inviteMode('refuses invitation requests out of bounds, all fields at once', async ({ server }) => {
  const admin = await adminOf(server);
  const response = await server.fetch('/api/admin/invitations', json({ maxUses: 0, expiresInDays: 1000, email: 'nope' }, admin.cookie));
  assert.is(response.status, 400);
  const body = (await response.json()) as { error: { fields: Record<string, string> } };
  assert.equal(body.error.fields, { maxUses: 'out_of_range', expiresInDays: 'out_of_range', email: 'invalid' });
  const bound = await server.fetch('/api/admin/invitations', json({ maxUses: 3, email: 'one@example.org' }, admin.cookie));
  assert.equal(((await bound.json()) as { error: { fields: Record<string, string> } }).error.fields, { maxUses: 'one_with_email' });
  assert.is(server.db.prepare("SELECT count(*) FROM invitations WHERE email = 'one@example.org'").pluck().get(), 0);
});

/** The admin the suite's first test made (the setup link works once per instance). */
async function adminOf(server: TestServer) {
  const row = server.db.prepare("SELECT email FROM users WHERE role = 'admin' LIMIT 1").pluck().get() as string | undefined;
  if (row === undefined) return firstAdmin(server);
  const response = await server.fetch('/api/auth/login', json({ email: row, password: 'correct horse battery staple' }));
  assert.is(response.status, 200);
  const cookie = sessionCookieOf(response);
  assert.ok(cookie);
  return { email: row, password: '', firstName: '', lastName: '', cookie, id: '' };
}

inviteMode.run();

const domainsMode = suite<{ server: TestServer }>('PORTHELLO_SIGNUP=domains', {} as never);
domainsMode.before(async (context) => {
  context.server = await startTestServer({ env: { ...FAST_BCRYPT, PORTHELLO_SIGNUP: 'domains', PORTHELLO_SIGNUP_DOMAINS: 'Example.org, example.fr' } });
});
domainsMode.after(({ server }) => server.close());

domainsMode('listed domains sign up freely; others need an invitation', async ({ server }) => {
  assert.is((await signupWith(server, newcomer({ email: `ada-${Date.now()}@example.org` }))).status, 201);
  assert.is((await signupWith(server, newcomer({ email: `ada-${Date.now()}@EXAMPLE.FR` }))).status, 201);
  const other = await signupWith(server, newcomer({ email: `ada-${Date.now()}@elsewhere.org` }));
  assert.is(other.status, 403);
  assert.is(await errorCode(other), 'signup_domain_refused');
  const sub = await signupWith(server, newcomer({ email: `ada-${Date.now()}@mail.example.org` }));
  assert.is(await errorCode(sub), 'signup_domain_refused');
  const admin = await firstAdmin(server);
  const { code } = await invite(server, admin);
  assert.is((await signupWith(server, newcomer({ email: `ada-${Date.now()}@elsewhere.org`, inviteCode: code }))).status, 201);
});

domainsMode.run();

const settings = suite('sign-up settings');

settings('read PORTHELLO_SIGNUP and its domains, refusing what makes no sense', () => {
  const base = { PORTHELLO_DATA_DIR: '/tmp', PORTHELLO_TURN_PORT: '0' };
  assert.is(loadConfig(base, { isReadableFile: () => true, isReadableDir: () => true, prepareWritableDir: () => null }).access.signup, 'invite');
  const problems = (env: Record<string, string>): string[] => {
    try {
      loadConfig({ ...base, ...env }, { isReadableFile: () => true, isReadableDir: () => true, prepareWritableDir: () => null });
      return [];
    } catch (error) {
      return (error as ConfigError).problems.map((line) => line.split(':')[0] ?? '');
    }
  };
  assert.equal(problems({ PORTHELLO_SIGNUP: 'everyone' }), ['PORTHELLO_SIGNUP']);
  assert.equal(problems({ PORTHELLO_SIGNUP: 'domains' }), ['PORTHELLO_SIGNUP_DOMAINS']);
  assert.equal(problems({ PORTHELLO_SIGNUP: 'domains', PORTHELLO_SIGNUP_DOMAINS: 'example.org,not a domain' }), ['PORTHELLO_SIGNUP_DOMAINS']);
  assert.equal(problems({ PORTHELLO_SIGNUP: 'open', PORTHELLO_SIGNUP_DOMAINS: 'example.org' }), ['PORTHELLO_SIGNUP_DOMAINS']);
  assert.equal(problems({ PORTHELLO_SIGNUP: 'domains', PORTHELLO_SIGNUP_DOMAINS: 'example.org,example.fr' }), []);
});

settings.run();
