// Getting back in: a forgotten password recovered through the real server and a real SMTP
// server on loopback, and every refusal on the way (unknown, used and expired links, a weak
// password, the limits per address and per account).
import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  PASSWORD_RESET_LINK_LIFETIME_MS,
  PASSWORD_RESET_MAILS_PER_ACCOUNT_PER_HOUR,
  PASSWORD_RESET_REQUESTS_PER_ADDRESS_PER_HOUR,
} from '../../server/accounts/password-reset.js';
import { TurnClient } from '../../server/turn/client.js';
import { manualClock, type ManualClock } from '../helpers/clock.js';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';
import { linkOf, MAIL_WAIT_MS, type ReceivedMail, SMTP_PASSWORD, startTestSmtp, type TestSmtp } from '../helpers/smtp.js';
import { waitUntil } from '../helpers/wait.js';
import { FAST_BCRYPT, json, logIn, sessionCookieOf, signUp, withCookie } from './helpers.js';

const NEW_PASSWORD = 'a fresh passphrase after forgetting';

let smtp: TestSmtp;
let server: TestServer;
let clock: ManualClock;

async function start(options: { mail?: boolean; turnRelayPorts?: { min: number; max: number } } = {}): Promise<void> {
  smtp = await startTestSmtp();
  clock = manualClock(Date.now());
  const mailEnv = options.mail === false ? {} : { PORTHELLO_SMTP_URL: smtp.url, PORTHELLO_MAIL_FROM: 'Porthello <calls@example.org>' };
  server = await startTestServer({
    env: { ...FAST_BCRYPT, ...mailEnv },
    clock,
    ...(options.turnRelayPorts === undefined ? {} : { turnRelayPorts: options.turnRelayPorts }),
  });
}

async function stop(): Promise<void> {
  await server.close();
  await smtp.close();
}

const askReset = (email: string, headers: Record<string, string> = {}) =>
  server.fetch('/api/auth/password-reset', { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify({ email }) });
const confirm = (token: string, password: string) => server.fetch('/api/auth/password-reset/confirm', json({ token, password }));

const resetMails = () => smtp.mails.filter((mail) => mail.text.includes('/password-reset#'));

/** Asks for a reset of `email` and returns the link of the reset mail that follows. */
async function resetLink(email: string): Promise<{ url: string; path: string; token: string }> {
  const before = resetMails().length;
  assert.is((await askReset(email)).status, 202);
  await waitUntil(() => resetMails().length > before, 'the reset mail', MAIL_WAIT_MS);
  return linkOf(resetMails().at(-1) as ReceivedMail);
}

const recovery = suite('a forgotten password, through a real SMTP server');
recovery.before.each(() => start());
recovery.after.each(() => stop());

recovery('is recovered end to end: mail, link, new password, every session ended, the link then refused', async () => {
  const member = await signUp(server);
  const otherDevice = sessionCookieOf(await logIn(server, member.email, member.password)) ?? '';
  await smtp.waitForMails(1); // the address verification sent at sign-up
  const asked = await askReset(member.email, { 'Accept-Language': 'en' });
  assert.is(asked.status, 202);
  const mail = await smtp.waitForMails(2);
  assert.is(mail.to, member.email);
  assert.match(mail.from, /^"?Porthello"? <calls@example\.org>$/);
  assert.is(mail.subject, 'Choose a new password');
  assert.is(mail.language, 'en');
  assert.match(mail.text, /expires in 1 hour/);
  assert.not.match(mail.html, /<img|src=|url\(/i, 'no image, nothing loaded from anywhere');
  const link = linkOf(mail);
  assert.is(link.path, '/password-reset');
  assert.ok(link.url.startsWith(server.origin), 'the link opens this service');
  assert.match(mail.html, new RegExp(`href="${link.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));

  const page = await server.fetch(link.path);
  assert.is(page.status, 200);
  assert.match(await page.text(), /id="reset-form"/);

  assert.is((await confirm(link.token, NEW_PASSWORD)).status, 204);
  for (const cookie of [member.cookie, otherDevice]) assert.is((await server.fetch('/api/me', withCookie(cookie))).status, 401, 'every session ended');
  assert.is((await logIn(server, member.email, member.password)).status, 401, 'the old password no longer works');
  assert.is((await logIn(server, member.email, NEW_PASSWORD)).status, 200, 'the new one does');

  const again = await confirm(link.token, 'yet another long passphrase');
  assert.is(again.status, 400);
  assert.is((await jsonOf(again)).error.code, 'invalid_link', 'a used link is refused');
  assert.is((await logIn(server, member.email, NEW_PASSWORD)).status, 200, 'and changed nothing');

  const logs = server.logs.join('\n');
  for (const secret of [member.email, link.token, SMTP_PASSWORD]) assert.not.ok(logs.includes(secret), 'no address, token or SMTP password in the logs');
  assert.match(logs, /mail sent kind=password_reset/);
});

recovery('answers an unknown address exactly as a known one, and mails only the known one', async () => {
  const member = await signUp(server);
  await smtp.waitForMails(1);
  const known = await askReset(member.email);
  const unknown = await askReset(`nobody-${randomBytes(4).toString('hex')}@example.org`);
  const shape = async (response: Response) => ({
    status: response.status,
    body: await response.text(),
    headers: [...response.headers].filter(([name]) => name !== 'date'),
  });
  assert.equal(await shape(unknown), await shape(known));
  await server.accounts.passwordReset.idle();
  assert.is(smtp.mails.length, 2, 'one reset mail, for the known address only');
  assert.is(smtp.mails[1]?.to, member.email);
});

recovery('refuses unknown, malformed, expired and replaced links', async () => {
  const member = await signUp(server);
  for (const token of [randomBytes(32).toString('base64url'), 'not a token', '']) {
    const refused = await confirm(token, NEW_PASSWORD);
    assert.is(refused.status, 400, token);
    assert.ok(['invalid_link', 'invalid_fields'].includes((await jsonOf(refused)).error.code), token);
  }
  const unknown = await jsonOf(await confirm(randomBytes(32).toString('base64url'), NEW_PASSWORD));
  assert.is(unknown.error.code, 'invalid_link');

  const first = await resetLink(member.email);
  const second = await resetLink(member.email);
  assert.is((await jsonOf(await confirm(first.token, NEW_PASSWORD))).error.code, 'invalid_link', 'a newer link replaces the older');

  clock.advance(PASSWORD_RESET_LINK_LIFETIME_MS);
  assert.is((await jsonOf(await confirm(second.token, NEW_PASSWORD))).error.code, 'invalid_link', 'an hour later the link has expired');
  assert.is((await logIn(server, member.email, member.password)).status, 200, 'the password is unchanged');
});

recovery('refuses a weak password without using up the link', async () => {
  const member = await signUp(server);
  const link = await resetLink(member.email);
  const weak = await confirm(link.token, 'short');
  assert.is(weak.status, 400);
  assert.equal((await jsonOf(weak)).error.fields, { password: 'too_short' });
  assert.is((await confirm(link.token, NEW_PASSWORD)).status, 204, 'the link still works');
});

recovery('limits requests per client address and mails per account', async () => {
  const member = await signUp(server);
  await smtp.waitForMails(1);
  for (let i = 0; i < PASSWORD_RESET_MAILS_PER_ACCOUNT_PER_HOUR + 1; i += 1) assert.is((await askReset(member.email)).status, 202);
  await server.accounts.passwordReset.idle();
  assert.is(smtp.mails.length, 1 + PASSWORD_RESET_MAILS_PER_ACCOUNT_PER_HOUR, 'the account got no more mails than its limit');
  for (let i = PASSWORD_RESET_MAILS_PER_ACCOUNT_PER_HOUR + 1; i < PASSWORD_RESET_REQUESTS_PER_ADDRESS_PER_HOUR; i += 1)
    assert.is((await askReset(`someone-${i}@example.org`)).status, 202);
  const refused = await askReset(member.email);
  assert.is(refused.status, 429);
  assert.is((await jsonOf(refused)).error.code, 'too_many_requests');
  assert.ok(Number(refused.headers.get('Retry-After')) > 0);
  clock.advance(60 * 60_000);
  assert.is((await askReset(member.email)).status, 202, 'an hour later the address may ask again');
  await smtp.waitForMails(2 + PASSWORD_RESET_MAILS_PER_ACCOUNT_PER_HOUR);
});

recovery.run();

const relay = suite('a password set from a reset link, and the relay');
relay.after.each(async () => {
  for (const client of turnClients.splice(0)) await client.close();
  await stop();
});
const turnClients: TurnClient[] = [];

relay('revokes the relay credentials of every session, as a password change does', async () => {
  await start({ mail: false, turnRelayPorts: { min: 54100, max: 54119 } });
  const member = await signUp(server);
  const ice = await jsonOf(await server.fetch('/api/ice-servers', withCookie(member.cookie)));
  const credentials = { username: ice.iceServers[0].username as string, password: ice.iceServers[0].credential as string };
  const allocate = async (): Promise<number | null> => {
    const client = await TurnClient.open({ address: '127.0.0.1', port: server.turn?.port ?? 0 }, credentials);
    turnClients.push(client);
    return client.allocate().then(
      () => null,
      (error: { code?: number }) => error.code ?? -1,
    );
  };
  assert.is(await allocate(), null);
  assert.is(server.turn?.allocationCount(credentials.username), 1);
  const link = new URL(server.accounts.passwordReset.issueLinkFor(member.id));
  assert.is((await confirm(link.hash.slice(1), NEW_PASSWORD)).status, 204);
  assert.is(server.turn?.allocationCount(credentials.username), 0, 'the allocation ended');
  assert.is(await allocate(), 401, 'the credential is revoked');
});

relay.run();

const withoutMail = suite('a forgotten password without e-mail');
withoutMail.before.each(() => start({ mail: false }));
withoutMail.after.each(() => stop());

withoutMail('answers the same, sends nothing, and an admin’s link works', async () => {
  const member = await signUp(server);
  assert.is((await askReset(member.email)).status, 202);
  await server.accounts.passwordReset.idle();
  assert.is(smtp.mails.length, 0);
  const page = await (await server.fetch('/forgot-password?lang=en')).text();
  assert.match(page, /<p class="card" id="forgot-no-mail" >/, 'the page says to ask an administrator');
  assert.match(page, /id="forgot-form"[^>]* hidden>/);
  const link = new URL(server.accounts.passwordReset.issueLinkFor(member.id));
  assert.is(link.pathname, '/password-reset');
  assert.is((await confirm(link.hash.slice(1), NEW_PASSWORD)).status, 204);
  assert.is((await logIn(server, member.email, NEW_PASSWORD)).status, 200);
});

withoutMail.run();
