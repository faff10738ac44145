// Address verification through a real SMTP server: a new address cannot be rung nor listed until
// its link is followed (callers hear exactly what an offline member gives), the banner's resend
// is limited, a changed address is verified again, and without e-mail nothing is asked.
// News e-mails: the member's choice, stored and exported.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createAccountsModule } from '../../server/accounts/accounts-module.js';
import { VERIFICATION_MAILS_PER_ACCOUNT_PER_HOUR } from '../../server/accounts/email-verification.js';
import { silentLogger } from '../../server/log.js';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';
import { linkOf, MAIL_WAIT_MS, type ReceivedMail, startTestSmtp, type TestSmtp } from '../helpers/smtp.js';
import { waitUntil } from '../helpers/wait.js';
import { openSignalClient, type SignalTestClient, A_COMMITMENT } from '../helpers/ws.js';
import { FAST_BCRYPT, json, signUp, type TestMember, uniqueEmail, withCookie } from './helpers.js';

let smtp: TestSmtp;
let server: TestServer;
const sockets: SignalTestClient[] = [];

async function start(options: { mail: boolean }): Promise<void> {
  smtp = await startTestSmtp();
  const mailEnv = options.mail ? { PORTHELLO_SMTP_URL: smtp.url, PORTHELLO_MAIL_FROM: 'calls@example.org' } : {};
  server = await startTestServer({ env: { ...FAST_BCRYPT, ...mailEnv }, signaling: true });
}
async function stop(): Promise<void> {
  for (const socket of sockets.splice(0)) socket.ws.terminate();
  await server.close();
  await smtp.close();
}

const mailsTo = (address: string): ReceivedMail[] => smtp.mails.filter((mail) => mail.to === address);
async function verificationMail(address: string, count = 1): Promise<ReceivedMail> {
  await waitUntil(() => mailsTo(address).length >= count, `verification mail ${count} to arrive`, MAIL_WAIT_MS);
  return mailsTo(address)[count - 1] as ReceivedMail;
}
const me = async (member: TestMember) => jsonOf(await server.fetch('/api/me', withCookie(member.cookie)));
const directoryIds = async (member: TestMember): Promise<string[]> =>
  (await jsonOf(await server.fetch('/api/members', withCookie(member.cookie)))).members.map((entry: { id: string }) => entry.id);
const confirm = (token: string) => server.fetch('/api/auth/email-verification/confirm', json({ token }));
async function verified(member: TestMember): Promise<void> {
  assert.is((await confirm(linkOf(await verificationMail(member.email)).token)).status, 204);
}
async function socketOf(member: TestMember, name: string): Promise<SignalTestClient> {
  const socket = await openSignalClient(server.wsUrl, { name, headers: { Origin: server.origin, Cookie: member.cookie } });
  sockets.push(socket);
  return socket;
}
async function ringEnd(caller: SignalTestClient, callee: TestMember): Promise<string> {
  caller.send({ type: 'invite', calleeMemberId: callee.id, commitment: A_COMMITMENT });
  return (await caller.next('call-ended')).reason;
}

const verification = suite('address verification with e-mail');
verification.before.each(() => start({ mail: true }));
verification.after.each(() => stop());

verification('keeps a new member out of reach until the link is followed, then lets them in', async () => {
  const caller = await signUp(server);
  await verified(caller);
  const offline = await signUp(server);
  await verified(offline);
  const newcomer = await signUp(server);
  const mail = await verificationMail(newcomer.email);
  assert.is(mail.subject, 'Confirmer votre adresse e-mail');
  assert.is(mail.language, 'fr');
  assert.is(linkOf(mail).path, '/verify-email');

  assert.is((await me(newcomer)).emailVerification, 'pending');
  assert.not.ok((await directoryIds(caller)).includes(newcomer.id), 'not in the directory');
  assert.ok((await directoryIds(caller)).includes(offline.id));
  const refusal = await socketOf(newcomer, 'newcomer').then(
    () => 'connected',
    (error: Error) => error.message,
  );
  assert.match(refusal, /upgrade refused with 401/, 'no socket: nobody can ring them here');
  const callerSocket = await socketOf(caller, 'caller');
  assert.is(await ringEnd(callerSocket, offline), 'unavailable');
  assert.is(await ringEnd(callerSocket, newcomer), 'unavailable', 'exactly what an offline member gives');

  assert.is((await confirm(linkOf(mail).token)).status, 204);
  assert.is((await me(newcomer)).emailVerification, 'verified');
  assert.ok((await directoryIds(caller)).includes(newcomer.id));
  await socketOf(newcomer, 'newcomer verified');
  assert.is((await jsonOf(await confirm(linkOf(mail).token))).error.code, 'invalid_link', 'the link works once');
});

verification('sends the link again from the banner, within a limit', async () => {
  const member = await signUp(server);
  await verificationMail(member.email);
  const resend = () => server.fetch('/api/me/email-verification', withCookie(member.cookie, { method: 'POST' }));
  for (let sent = 2; sent <= VERIFICATION_MAILS_PER_ACCOUNT_PER_HOUR; sent += 1) {
    assert.is((await resend()).status, 202);
    await verificationMail(member.email, sent);
  }
  const refused = await resend();
  assert.is(refused.status, 429);
  assert.is((await jsonOf(refused)).error.code, 'too_many_mails');
  assert.is((await jsonOf(await confirm(linkOf(mailsTo(member.email)[0] as ReceivedMail).token))).error.code, 'invalid_link', 'a newer link replaced it');
  const latest = mailsTo(member.email).at(-1) as ReceivedMail;
  assert.is((await confirm(linkOf(latest).token)).status, 204);
  const done = await resend();
  assert.is(done.status, 409);
  assert.is((await jsonOf(done)).error.code, 'already_verified');
});

verification('verifies a changed address again, closing the member’s open sockets', async () => {
  const member = await signUp(server);
  await verified(member);
  const socket = await socketOf(member, 'member');
  const newEmail = uniqueEmail();
  const changed = await server.fetch('/api/me', json({ email: newEmail, currentPassword: member.password }, member.cookie, 'PATCH'));
  assert.is(changed.status, 200);
  assert.is((await socket.closed).code, 4001, 'cannot be rung any more');
  assert.is((await me(member)).emailVerification, 'pending');
  const mail = await verificationMail(newEmail);
  assert.is((await confirm(linkOf(mail).token)).status, 204);
  assert.is((await me(member)).emailVerification, 'verified');
});

verification.run();

const withoutMail = suite('address verification without e-mail');
withoutMail.before.each(() => start({ mail: false }));
withoutMail.after.each(() => stop());

withoutMail('counts every address as verified, even one left pending by an earlier configuration', async () => {
  const member = await signUp(server);
  const other = await signUp(server);
  assert.is((await me(member)).emailVerification, 'not_required');
  assert.ok((await directoryIds(other)).includes(member.id));
  await socketOf(member, 'member');
  server.db.prepare("UPDATE users SET email_status = 'pending' WHERE id = ?").run(member.id);
  assert.not.ok((await directoryIds(other)).includes(member.id));
  // A start without e-mail (the accounts part is built again on the same database).
  createAccountsModule({ config: server.config, db: server.db, log: silentLogger }).mailer.close();
  assert.ok((await directoryIds(other)).includes(member.id), 'listed again');
  assert.is(smtp.mails.length, 0, 'nothing was ever sent');
});

const news = suite('news e-mails');
news.before.each(() => start({ mail: false }));
news.after.each(() => stop());

news('are wanted until the member opts out, and the choice is stored and exported', async () => {
  const member = await signUp(server);
  assert.is((await me(member)).newsEmails, true);
  const put = (body: unknown) => server.fetch('/api/me/news-emails', json(body, member.cookie, 'PUT'));
  const off = await put({ newsEmails: false });
  assert.is(off.status, 200);
  assert.equal(await jsonOf(off), { newsEmails: false });
  assert.is((await me(member)).newsEmails, false);
  const exported = await jsonOf(await server.fetch('/api/me/export', withCookie(member.cookie)));
  assert.is(exported.data.profile[0].news_emails, 0);
  assert.is(exported.data.profile[0].email_status, 'unchecked');
  for (const bad of [{ newsEmails: 'no' }, {}, { newsEmails: true, extra: 1 }]) assert.is((await put(bad)).status, 400, JSON.stringify(bad));
  assert.is((await server.fetch('/api/me/news-emails', json({ newsEmails: true }, undefined, 'PUT'))).status, 401);
});

withoutMail.run();
news.run();
