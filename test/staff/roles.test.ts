// Every role through the real server: what each may do on /api/admin/... and the staff pages,
// the refusals included, and what disabling an account ends at once (sessions, sockets).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { openSignalClient } from '../helpers/ws.js';
import { withTimeout } from '../helpers/wait.js';
import { FAST_BCRYPT, json, logIn, withCookie, type TestMember } from '../accounts/helpers.js';
import { errorCode, firstAdmin, memberWithRole } from './helpers.js';

type Context = { server: TestServer; admin: TestMember };
const roles = suite<Context>('staff roles', {} as never);
roles.before(async (context) => {
  context.server = await startTestServer({ env: FAST_BCRYPT, signaling: true });
  context.admin = await firstAdmin(context.server);
});
roles.after(({ server }) => server.close());

/** Every admin API call, with a body where it needs one. */
function adminCalls(targetId: string): [string, string, unknown?][] {
  return [
    ['GET', '/api/admin/accounts'],
    ['PUT', `/api/admin/accounts/${targetId}/role`, { role: 'admin' }],
    ['POST', `/api/admin/accounts/${targetId}/disable`],
    ['POST', `/api/admin/accounts/${targetId}/enable`],
    ['GET', '/api/admin/invitations'],
    ['POST', '/api/admin/invitations', {}],
    ['POST', '/api/admin/invitations/none/revoke'],
  ];
}

async function statusOf(server: TestServer, cookie: string | undefined, [method, path, body]: [string, string, unknown?]): Promise<[number, string]> {
  const init: RequestInit = body === undefined ? { method } : json(body, cookie, method);
  const response = await server.fetch(path, cookie === undefined ? init : withCookie(cookie, init));
  return [response.status, response.status >= 400 ? await errorCode(response) : ''];
}

roles('a visitor gets 401 and a plain member 403 forbidden from every admin API, changing nothing', async ({ server, admin }) => {
  const member = await memberWithRole(server, admin, 'member');
  for (const call of adminCalls(admin.id)) {
    assert.equal(await statusOf(server, undefined, call), [401, 'unauthorized'], call.join(' '));
    assert.equal(await statusOf(server, member.cookie, call), [403, 'forbidden'], call.join(' '));
  }
  assert.is(server.db.prepare('SELECT role FROM users WHERE id = ?').pluck().get(member.id), 'member');
  assert.is(server.db.prepare('SELECT disabled_at FROM users WHERE id = ?').pluck().get(admin.id), null);
});

roles('support sees the accounts but changes nothing; marketing sees none of it', async ({ server, admin }) => {
  const support = await memberWithRole(server, admin, 'support');
  const marketing = await memberWithRole(server, admin, 'marketing');
  const calls = adminCalls(admin.id);
  assert.equal(await statusOf(server, support.cookie, calls[0] as [string, string]), [200, '']);
  for (const call of calls.slice(1)) assert.equal(await statusOf(server, support.cookie, call), [403, 'forbidden'], call.join(' '));
  for (const call of calls) assert.equal(await statusOf(server, marketing.cookie, call), [403, 'forbidden'], call.join(' '));
  const list = (await (await server.fetch(`/api/admin/accounts?q=${encodeURIComponent(support.email)}`, withCookie(support.cookie))).json()) as {
    accounts: { id: string; role: string; sessions: number }[];
  };
  assert.is(list.accounts.length, 1);
  assert.is(list.accounts[0]?.role, 'support');
  assert.is(list.accounts[0]?.sessions, 1);
  assert.not.ok('callLog' in (list.accounts[0] ?? {}));
});

roles('the staff pages: log-in for visitors, 403 for members, the page for the roles that use it', async ({ server, admin }) => {
  const member = await memberWithRole(server, admin, 'member');
  const support = await memberWithRole(server, admin, 'support');
  const visitor = await server.fetch('/admin/accounts');
  assert.is(visitor.status, 302);
  assert.is(visitor.headers.get('location'), '/login');
  assert.is((await server.fetch('/admin/accounts', withCookie(member.cookie))).status, 403);
  const supportPage = await server.fetch('/admin/accounts', withCookie(support.cookie));
  assert.is(supportPage.status, 200);
  // Support's admin navigation links only to what support may open.
  const supportNav = await supportPage.text();
  assert.match(supportNav, '<a href="/admin/accounts" aria-current="page">');
  assert.not.match(supportNav, 'href="/admin/invitations"');
  assert.not.match(supportNav, 'href="/admin/news"');
  assert.not.match(supportNav, 'href="/admin/stats"');
  assert.is((await server.fetch('/admin/invitations', withCookie(support.cookie))).status, 403);
  const page = await server.fetch('/admin/invitations?lang=en', withCookie(admin.cookie));
  assert.is(page.status, 200);
  assert.match(await page.text(), '<a href="/admin">Administration</a>');
  assert.not.match(await (await server.fetch('/calls?lang=en', withCookie(member.cookie))).text(), 'href="/admin"');
});

roles('an admin changes roles, but never leaves the instance without an admin', async ({ server, admin }) => {
  const member = await memberWithRole(server, admin, 'member');
  const promote = await server.fetch(`/api/admin/accounts/${member.id}/role`, json({ role: 'marketing' }, admin.cookie, 'PUT'));
  assert.is(promote.status, 200);
  assert.is(((await promote.json()) as { role: string }).role, 'marketing');
  const me = await server.fetch('/api/me', withCookie(member.cookie));
  assert.is(((await me.json()) as { role: string }).role, 'marketing');
  const bad = await server.fetch(`/api/admin/accounts/${member.id}/role`, json({ role: 'root' }, admin.cookie, 'PUT'));
  assert.is(bad.status, 400);
  const demoteSelf = await server.fetch(`/api/admin/accounts/${admin.id}/role`, json({ role: 'member' }, admin.cookie, 'PUT'));
  assert.is(demoteSelf.status, 409);
  assert.is(await errorCode(demoteSelf), 'last_admin');
  const disableSelf = await server.fetch(`/api/admin/accounts/${admin.id}/disable`, json({}, admin.cookie));
  assert.is(await errorCode(disableSelf), 'cannot_disable_self');
  const unknown = await server.fetch('/api/admin/accounts/nobody/disable', json({}, admin.cookie));
  assert.is(unknown.status, 404);
});

roles('disabling an account ends its sessions and closes its signaling socket at once; enabling lets it log in again', async ({ server, admin }) => {
  const member = await memberWithRole(server, admin, 'member');
  const socket = await openSignalClient(server.wsUrl, { name: 'member', headers: { Cookie: member.cookie, Origin: server.origin } });
  const disable = await server.fetch(`/api/admin/accounts/${member.id}/disable`, json({}, admin.cookie));
  assert.is(disable.status, 200);
  assert.ok(((await disable.json()) as { disabledAt: string | null }).disabledAt);
  const { code } = await withTimeout(socket.closed, 'the disabled member’s socket to close');
  assert.is(code, 4001);
  assert.is((await server.fetch('/api/me', withCookie(member.cookie))).status, 401);
  const login = await logIn(server, member.email, member.password);
  assert.is(login.status, 403);
  assert.is(await errorCode(login), 'account_disabled');
  // Nobody can ring a disabled member: the directory leaves them out.
  const directory = (await (await server.fetch('/api/members', withCookie(admin.cookie))).json()) as { members: { id: string }[] };
  assert.not.ok(directory.members.some((entry) => entry.id === member.id));
  assert.is((await server.fetch(`/api/admin/accounts/${member.id}/enable`, json({}, admin.cookie))).status, 200);
  assert.is((await logIn(server, member.email, member.password)).status, 200);
});

roles('an account disabled in the database by another process loses its socket through the watch', async ({ server, admin }) => {
  const member = await memberWithRole(server, admin, 'member');
  const socket = await openSignalClient(server.wsUrl, { name: 'member', headers: { Cookie: member.cookie, Origin: server.origin } });
  // What the admin CLI does, written straight into the database: no event reaches this process.
  server.db.prepare('UPDATE users SET disabled_at = ? WHERE id = ?').run(new Date().toISOString(), member.id);
  server.disabledWatch?.check();
  const { code } = await withTimeout(socket.closed, 'the socket to close');
  assert.is(code, 4001);
});

roles('a session that outlived its account being disabled (a log-in racing the disable) ends at its first use', async ({ server, admin }) => {
  const member = await memberWithRole(server, admin, 'member');
  // Disabled without its sessions being deleted: what a log-in checked just before the disable leaves.
  server.db.prepare('UPDATE users SET disabled_at = ? WHERE id = ?').run(new Date().toISOString(), member.id);
  assert.is((await server.fetch('/api/me', withCookie(member.cookie))).status, 401);
  assert.is(server.db.prepare('SELECT count(*) FROM sessions WHERE user_id = ?').pluck().get(member.id), 0);
});

roles('the export holds the role and the invitations a member made; deletion keeps the invitations without them', async ({ server, admin }) => {
  const second = await memberWithRole(server, admin, 'admin');
  const made = await server.fetch('/api/admin/invitations', json({ email: 'friend@example.org' }, second.cookie));
  assert.is(made.status, 201);
  const exported = (await (await server.fetch('/api/me/export', withCookie(second.cookie))).json()) as {
    data: { profile: { role: string }[]; invitationsCreated: { email: string }[] };
  };
  assert.is(exported.data.profile[0]?.role, 'admin');
  assert.is(exported.data.invitationsCreated[0]?.email, 'friend@example.org');
  const deleted = await server.fetch('/api/me', json({ password: second.password }, second.cookie, 'DELETE'));
  assert.is(deleted.status, 204);
  assert.is(server.db.prepare("SELECT created_by FROM invitations WHERE email = 'friend@example.org'").pluck().get(), null);
});

roles.run();
