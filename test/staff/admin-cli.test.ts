// The first admin and the admin CLI against the real server process: the setup link start-up
// prints (once, valid until an admin exists), then `npm run admin -- ...` on the same database
// while the server runs, a disable closing the member's socket in the server.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { projectPath } from '../../server/paths.js';
import { DISABLED_ACCOUNTS_POLL_MS } from '../../server/staff/disabled-watch.js';
import { COMMAND_TIMEOUT_MS, ORIGIN, PASSWORD, serverEnv, START_TIMEOUT_MS, uniqueEmail } from '../helpers/live-server.js';
import { spawnServer, type ServerProcess } from '../helpers/process.js';
import { withTimeout } from '../helpers/wait.js';
import { openSignalClient } from '../helpers/ws.js';

type CommandResult = { status: number | string; stdout: string; stderr: string };

function admin(dataDir: string, args: readonly string[], input = ''): Promise<CommandResult> {
  const child = spawn(process.execPath, [projectPath('dist', 'scripts', 'admin.js'), ...args], {
    env: { PATH: process.env['PATH'] ?? '', ...serverEnv(dataDir), PORTHELLO_SIGNUP: 'invite' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(input);
  const finished = new Promise<CommandResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ status: code ?? signal ?? 'unknown', stdout, stderr })),
  );
  return withTimeout(finished, `admin ${args[0] ?? ''}`, COMMAND_TIMEOUT_MS).finally(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
}

type Live = { process: ServerProcess; url: string; request(path: string, init?: RequestInit & { cookie?: string }): Promise<Response> };

async function startServer(dataDir: string): Promise<Live> {
  const running = spawnServer({ ...serverEnv(dataDir), PORTHELLO_SIGNUP: 'invite' });
  const [, url = ''] = await running.waitForOutput(/listening on (http:\/\/\S+)/, START_TIMEOUT_MS).catch((error: unknown) => {
    running.kill();
    throw error;
  });
  return {
    process: running,
    url,
    request(path, init = {}) {
      const headers = new Headers(init.headers);
      headers.set('Origin', ORIGIN);
      if (init.body !== undefined) headers.set('Content-Type', 'application/json');
      if (init.cookie !== undefined) headers.set('Cookie', init.cookie);
      return fetch(url + path, { ...init, headers, redirect: 'manual' });
    },
  };
}

const newcomer = (email: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ email, password: PASSWORD, firstName: 'Ada', lastName: 'Lovelace', acceptPolicy: true, ...extra });

const cookieOf = (response: Response): string => response.headers.getSetCookie()[0]?.split(';')[0] ?? '';

const cli = suite<{ scratch: string; server: Live | null }>('the first admin and the admin CLI', { scratch: '', server: null });
cli.before.each((context) => {
  context.scratch = mkdtempSync(join(tmpdir(), 'porthello-admin-'));
});
cli.after.each(async (context) => {
  if (context.server !== null) {
    context.server.process.kill();
    await withTimeout(context.server.process.exited, 'the server to stop');
  }
  context.server = null;
  rmSync(context.scratch, { recursive: true, force: true });
});

cli('a fresh instance prints a one-time setup link; the account made with it is the first admin', async (context) => {
  const dataDir = join(context.scratch, 'data');
  const server = await startServer(dataDir);
  context.server = server;
  const [line = '', path = ''] = await server.process.waitForOutput(/^.*(\/setup\/[A-Za-z0-9_-]{43}).*$/m, START_TIMEOUT_MS);
  assert.match(line, /warn +setup /);
  // One line holds the token, and only that one.
  assert.is(
    server.process
      .output()
      .split('\n')
      .filter((entry) => entry.includes(path.slice('/setup/'.length))).length,
    1,
  );
  const home = await (await server.request('/?lang=en')).text();
  assert.match(home, 'journalctl -u porthello');
  assert.is((await server.request(`${path}?lang=en`)).status, 200);
  const email = uniqueEmail('first-admin');
  const made = await server.request('/api/auth/setup', { method: 'POST', body: newcomer(email, { token: path.slice('/setup/'.length) }) });
  assert.is(made.status, 201);
  assert.is(((await made.json()) as { role: string }).role, 'admin');
  const again = await server.request('/api/auth/setup', { method: 'POST', body: newcomer(uniqueEmail(), { token: path.slice('/setup/'.length) }) });
  assert.is(again.status, 403);
  assert.is(((await again.json()) as { error: { code: string } }).error.code, 'setup_link_invalid');
  assert.is((await server.request(path)).status, 404);
  assert.not.match(await (await server.request('/?lang=en')).text(), 'journalctl');
  // Signed in as admin right away: the admin API answers.
  assert.is((await server.request('/api/admin/invitations', { cookie: cookieOf(made) })).status, 200);
});

cli('the CLI invites, sets a role, disables (closing the socket in the running server) and enables', async (context) => {
  const dataDir = join(context.scratch, 'data');
  const adminEmail = uniqueEmail('cli-admin');
  const created = await admin(
    dataDir,
    ['create-admin', '--email', adminEmail, '--first-name', 'Root', '--last-name', 'Admin', '--accept-policy'],
    `${PASSWORD}\n`,
  );
  assert.is(created.status, 0, created.stderr);
  const server = await startServer(dataDir);
  context.server = server;
  // An admin exists already: no setup link.
  assert.not.match(server.process.output(), '/setup/');

  const invited = await admin(dataDir, ['invite', '--uses', '2', '--days', '3']);
  assert.is(invited.status, 0, invited.stderr);
  const url = invited.stdout.trim().split('\n').at(-1) ?? '';
  const code = new URL(url).searchParams.get('invite') ?? '';
  const invitationId = /^invitation (\S+):/.exec(invited.stdout)?.[1] ?? '';
  const email = uniqueEmail('cli-member');
  const signup = await server.request('/api/auth/signup', { method: 'POST', body: newcomer(email, { inviteCode: code }) });
  assert.is(signup.status, 201);
  const cookie = cookieOf(signup);

  const listed = await admin(dataDir, ['list-accounts', 'cli-member']);
  assert.is(listed.status, 0);
  assert.match(listed.stdout, `${email}\tmember\tactive`);

  assert.is((await admin(dataDir, ['set-role', email.toUpperCase(), 'support'])).status, 0);
  assert.is(((await (await server.request('/api/me', { cookie })).json()) as { role: string }).role, 'support');

  const socket = await openSignalClient(`${server.url.replace('http', 'ws')}/ws`, { name: 'member', headers: { Cookie: cookie, Origin: ORIGIN } });
  const disabled = await admin(dataDir, ['disable', email]);
  assert.is(disabled.status, 0, disabled.stderr);
  // The server reads the disabled accounts every DISABLED_ACCOUNTS_POLL_MS; a bound, not a measure.
  const { code: closeCode } = await withTimeout(socket.closed, 'the socket to close after a CLI disable', DISABLED_ACCOUNTS_POLL_MS * 5);
  assert.is(closeCode, 4001);
  assert.is((await server.request('/api/me', { cookie })).status, 401);
  const refused = await server.request('/api/auth/login', { method: 'POST', body: JSON.stringify({ email, password: PASSWORD }) });
  assert.is(refused.status, 403);

  assert.is((await admin(dataDir, ['enable', email])).status, 0);
  assert.is((await server.request('/api/auth/login', { method: 'POST', body: JSON.stringify({ email, password: PASSWORD }) })).status, 200);

  // A member who lost their password, with no e-mail configured: the admin prints a link.
  const linked = await admin(dataDir, ['password-link', email]);
  assert.is(linked.status, 0, linked.stderr);
  const token = /\/password-reset#([A-Za-z0-9_-]+)$/.exec(linked.stdout.trim())?.[1] ?? '';
  assert.ok(token !== '', linked.stdout);
  const newPassword = `${PASSWORD} renewed`;
  const confirmed = await server.request('/api/auth/password-reset/confirm', { method: 'POST', body: JSON.stringify({ token, password: newPassword }) });
  assert.is(confirmed.status, 204);
  assert.is((await server.request('/api/auth/login', { method: 'POST', body: JSON.stringify({ email, password: PASSWORD }) })).status, 401);
  assert.is((await server.request('/api/auth/login', { method: 'POST', body: JSON.stringify({ email, password: newPassword }) })).status, 200);

  assert.is((await admin(dataDir, ['revoke-invite', invitationId])).status, 0);
  const late = await server.request('/api/auth/signup', { method: 'POST', body: newcomer(uniqueEmail(), { inviteCode: code }) });
  assert.is(((await late.json()) as { error: { code: string } }).error.code, 'invitation_revoked');
});

cli('the CLI says what is wrong: usage (2), refusals and unknown accounts (1)', async (context) => {
  const dataDir = join(context.scratch, 'data');
  const unknown = await admin(dataDir, ['frobnicate']);
  assert.is(unknown.status, 2);
  assert.match(unknown.stderr, 'unknown command frobnicate');
  const nobody = await admin(dataDir, ['disable', 'nobody@example.org']);
  assert.is(nobody.status, 1);
  assert.match(nobody.stderr, 'not_found');
  const badInvite = await admin(dataDir, ['invite', '--uses', 'many', '--email', 'x@example.org']);
  assert.is(badInvite.status, 1);
  assert.match(badInvite.stderr, 'maxUses: must_be_integer');
  const weak = await admin(dataDir, ['create-admin', '--email', uniqueEmail(), '--first-name', 'A', '--last-name', 'B', '--accept-policy'], 'short\n');
  assert.is(weak.status, 1);
  assert.match(weak.stderr, 'password: too_short');
  const lastAdmin = await admin(
    dataDir,
    ['create-admin', '--email', 'only@example.org', '--first-name', 'A', '--last-name', 'B', '--accept-policy'],
    `${PASSWORD}\n`,
  );
  assert.is(lastAdmin.status, 0);
  const demote = await admin(dataDir, ['set-role', 'only@example.org', 'member']);
  assert.is(demote.status, 1);
  assert.match(demote.stderr, 'last_admin');
  const unknownLink = await admin(dataDir, ['password-link', 'nobody@example.org']);
  assert.is(unknownLink.status, 1);
});

cli.run();
