// Staff replies by e-mail, through nodemailer and a real SMTP server on loopback: a prospect gets
// the reply with their reference and the way to write again, in the language they wrote in; a
// member gets it with the link to their support page. Neither address nor text reaches the log.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, type TestMember } from '../accounts/helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.js';
import { waitUntil } from '../helpers/wait.js';
import { firstAdmin, memberWithRole } from '../staff/helpers.js';
import { contact, contactBody, sendContact, staffReply } from './helpers.js';

type Context = { server: TestServer; smtp: TestSmtp; support: TestMember; admin: TestMember };
const mail = suite<Context>('support replies by e-mail', {} as never);
mail.before(async (context) => {
  context.smtp = await startTestSmtp();
  context.server = await startTestServer({
    env: { ...FAST_BCRYPT, PORTHELLO_SMTP_URL: context.smtp.url, PORTHELLO_MAIL_FROM: 'Porthello <calls@example.org>' },
    supportLimits: { perAddressPerHour: 1000, perEmailPerHour: 1000 },
  });
  context.admin = await firstAdmin(context.server);
  context.support = await memberWithRole(context.server, context.admin, 'support');
});
mail.after(async ({ server, smtp }) => {
  await server.close();
  await smtp.close();
});

mail('a prospect receives the reply with the reference and the contact page, in English when they wrote in English', async ({ server, smtp, support }) => {
  const body = contactBody({ subject: 'Installing on Debian' });
  const sent = await sendContact(server, body, undefined, { 'Accept-Language': 'en-GB' });
  assert.is(sent.status, 201);
  const { reference } = (await sent.json()) as { reference: string };
  assert.is(smtp.mails.filter((received) => received.to === body['email']).length, 0, 'sending a message mails nobody');
  await staffReply(server, support.cookie, reference, 'Run the install script.\nThen open the link.');
  const received = await smtp.waitForMail((candidate) => candidate.to === body['email'], 'the reply to the prospect');
  assert.is(received.subject, `Re: Installing on Debian [${reference}]`);
  assert.is(received.language, 'en');
  assert.match(received.text, 'Run the install script.\nThen open the link.');
  assert.match(received.text, `quote the reference ${reference}`);
  assert.match(received.text, `${server.url}/contact`);
  assert.match(received.html, '<blockquote');
  // The sender logs once the server took the mail, which may be just after the server has it.
  await waitUntil(() => server.logs.some((line) => line.includes('support_reply')), 'the mail to be logged as sent');
  const log = server.logs.join('\n');
  assert.not.ok(log.includes(String(body['email'])), 'no address in the log');
  assert.not.ok(log.includes('Run the install script'), 'no reply text in the log');
});

mail('a member receives the reply in French with the link to their support page', async ({ server, smtp, support, admin }) => {
  const member = await memberWithRole(server, admin, 'member');
  const reference = await contact(server, contactBody({ email: member.email, subject: 'Caméra' }), member.cookie);
  await staffReply(server, support.cookie, reference, 'Autorisez la caméra dans le navigateur.');
  const received = await smtp.waitForMail((candidate) => candidate.to === member.email && candidate.subject.includes(reference), 'the reply to the member');
  assert.is(received.subject, `Re : Caméra [${reference}]`);
  assert.is(received.language, 'fr');
  assert.match(received.text, 'Autorisez la caméra dans le navigateur.');
  assert.match(received.text, `${server.url}/support`);
});

mail('HTML in a reply is sent as text, never as markup', async ({ server, smtp, support }) => {
  const body = contactBody();
  const reference = await contact(server, body);
  await staffReply(server, support.cookie, reference, '<img src="https://tracker.example/x.png"> & <b>bold</b>');
  const received = await smtp.waitForMail((candidate) => candidate.to === body['email'], 'the reply with markup');
  assert.not.match(received.html, '<img');
  assert.match(received.html, '&#60;img src=&#34;https://tracker.example/x.png&#34;&#62; &#38; &#60;b&#62;bold&#60;/b&#62;');
});

mail.run();
