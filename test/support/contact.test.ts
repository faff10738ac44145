// The contact form's API through the real server: a prospect's and a member's message, the
// validation at the edge, the honeypot, the limits per client address and per e-mail address,
// and that neither a message nor an address reaches the log.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SUPPORT_MESSAGE_MAX_CODE_POINTS, SUPPORT_NAME_MAX_CODE_POINTS, SUPPORT_SUBJECT_MAX_CODE_POINTS } from '../../server/contract/support.js';
import { DEFAULT_SUPPORT_LIMITS } from '../../server/support/support-service.js';
import { FAST_BCRYPT, json, signUp, uniqueEmail } from '../accounts/helpers.js';
import { manualClock, type ManualClock } from '../helpers/clock.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { contact, contactBody, conversationCount, REFERENCE_PATTERN, sendContact } from './helpers.js';

const HOUR_MS = 3600_000;

type Context = { server: TestServer; clock: ManualClock };
const messages = suite<Context>('POST /api/support/messages', {} as never);
messages.before(async (context) => {
  context.clock = manualClock(Date.now());
  // Most tests send many messages from loopback: the limits' own tests use their own server.
  context.server = await startTestServer({ env: FAST_BCRYPT, clock: context.clock, supportLimits: { perAddressPerHour: 1000, perEmailPerHour: 1000 } });
});
messages.after(({ server }) => server.close());

messages('a prospect gets 201 with a short random reference, and the conversation waits for support', async ({ server }) => {
  const body = contactBody({ name: '  Ada   Prospect ', message: 'Line one\r\nLine two  ' });
  const reference = await contact(server, body);
  const row = server.db
    .prepare('SELECT member_id AS memberId, email, name, locale, subject, state FROM support_conversations WHERE id = ?')
    .get(reference) as Record<string, unknown>;
  assert.equal(row, { memberId: null, email: body['email'], name: 'Ada Prospect', locale: 'fr', subject: body['subject'], state: 'open' });
  const stored = server.db.prepare('SELECT author, body, staff_id AS staffId FROM support_messages WHERE conversation_id = ?').all(reference);
  assert.equal(stored, [{ author: 'requester', body: 'Line one\nLine two', staffId: null }]);
  const other = await contact(server);
  assert.is.not(other, reference);
});

messages('a logged-in member’s message belongs to their account, in the language of the page', async ({ server }) => {
  const member = await signUp(server);
  const response = await sendContact(server, contactBody({ email: member.email }), member.cookie, { 'Accept-Language': 'en' });
  assert.is(response.status, 201);
  const { reference } = (await response.json()) as { reference: string };
  const row = server.db.prepare('SELECT member_id AS memberId, locale FROM support_conversations WHERE id = ?').get(reference);
  assert.equal(row, { memberId: member.id, locale: 'en' });
  assert.is(server.db.prepare('SELECT member_id FROM support_messages WHERE conversation_id = ?').pluck().get(reference), member.id);
});

messages('refuses invalid fields at the edge with one 400 naming each, and stores nothing', async ({ server }) => {
  const before = conversationCount(server);
  const cases: [Record<string, unknown>, Record<string, string>][] = [
    [
      { email: 'not-an-address', name: '', subject: ' ', message: '' },
      { email: 'invalid', name: 'required', subject: 'required', message: 'required' },
    ],
    [
      {
        name: 'n'.repeat(SUPPORT_NAME_MAX_CODE_POINTS + 1),
        subject: 's'.repeat(SUPPORT_SUBJECT_MAX_CODE_POINTS + 1),
        message: 'm'.repeat(SUPPORT_MESSAGE_MAX_CODE_POINTS + 1),
      },
      { name: 'too_long', subject: 'too_long', message: 'too_long' },
    ],
    [
      { subject: 'Hello\u202eevil', message: 'bell\u0007' },
      { subject: 'control_characters', message: 'control_characters' },
    ],
    [
      { email: 42, extra: 'x' },
      { email: 'required', extra: 'not_allowed' },
    ],
  ];
  for (const [overrides, fields] of cases) {
    const response = await sendContact(server, contactBody(overrides));
    assert.is(response.status, 400, JSON.stringify(overrides).slice(0, 80));
    const { error } = (await response.json()) as { error: { code: string; fields: Record<string, string> } };
    assert.is(error.code, 'invalid_fields');
    assert.equal(error.fields, fields);
  }
  // Exactly at the limits is accepted (code points, not UTF-16 units: an emoji counts once).
  await contact(server, contactBody({ name: 'n'.repeat(SUPPORT_NAME_MAX_CODE_POINTS), message: '😀'.repeat(SUPPORT_MESSAGE_MAX_CODE_POINTS) }));
  assert.is(conversationCount(server), before + 1);
  assert.is((await server.fetch('/api/support/messages', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '[1]' })).status, 400);
});

messages('a filled honeypot gets the same 201 and a reference, and nothing is stored', async ({ server }) => {
  const before = conversationCount(server);
  const body = contactBody({ website: 'http://spam.example' });
  const response = await sendContact(server, body);
  assert.is(response.status, 201);
  const { reference } = (await response.json()) as { reference: string };
  assert.match(reference, REFERENCE_PATTERN);
  assert.is(conversationCount(server), before);
  assert.is(server.db.prepare('SELECT count(*) FROM support_messages WHERE body = ?').pluck().get(body['message']), 0);
});

messages('never writes a message, a subject, a name or an e-mail address to the log', async ({ server }) => {
  const body = contactBody({ name: 'Zelda Lograine', subject: 'Secret-subject-7731', message: 'body-never-logged-5521' });
  await contact(server, body);
  const log = server.logs.join('\n');
  for (const value of [body['email'], body['name'], body['subject'], body['message']]) assert.not.ok(log.includes(String(value)), String(value));
});

messages.run();

const limits = suite<Context>('the contact form’s limits', {} as never);
limits.before(async (context) => {
  context.clock = manualClock(Date.now());
  context.server = await startTestServer({ env: FAST_BCRYPT, clock: context.clock });
});
limits.after(({ server }) => server.close());

limits('refuses the same e-mail address past its hourly limit, with Retry-After; another address still writes', async ({ server }) => {
  const email = uniqueEmail();
  for (let sent = 0; sent < DEFAULT_SUPPORT_LIMITS.perEmailPerHour; sent += 1) await contact(server, contactBody({ email }));
  const refused = await sendContact(server, contactBody({ email: email.toUpperCase() }));
  assert.is(refused.status, 429);
  assert.is(((await refused.json()) as { error: { code: string } }).error.code, 'too_many_messages');
  assert.ok(Number(refused.headers.get('Retry-After')) > 0);
  await contact(server);
});

limits('refuses a client address past its hourly limit, and takes it again an hour later (by the clock)', async ({ server, clock }) => {
  // The previous test's messages count: an hour later everything starts afresh.
  clock.advance(HOUR_MS);
  for (let sent = 0; sent < DEFAULT_SUPPORT_LIMITS.perAddressPerHour; sent += 1) await contact(server);
  const before = conversationCount(server);
  const refused = await sendContact(server, contactBody());
  assert.is(refused.status, 429);
  assert.ok(Number(refused.headers.get('Retry-After')) <= HOUR_MS / 1000);
  // A robot filling the honeypot is counted too: it cannot probe past the limit.
  assert.is((await sendContact(server, contactBody({ website: 'x' }))).status, 429);
  assert.is(conversationCount(server), before);
  clock.advance(HOUR_MS);
  await contact(server);
});

limits('a member’s answers are limited per hour across their conversations', async ({ server, clock }) => {
  clock.advance(HOUR_MS);
  const member = await signUp(server);
  const reference = await contact(server, contactBody({ email: member.email }), member.cookie);
  const answer = (message: string) => server.fetch(`/api/support/conversations/${reference}/messages`, json({ message }, member.cookie));
  for (let sent = 0; sent < DEFAULT_SUPPORT_LIMITS.repliesPerMemberPerHour; sent += 1) assert.is((await answer(`Answer ${sent}`)).status, 201);
  const refused = await answer('One more');
  assert.is(refused.status, 429);
  assert.is(((await refused.json()) as { error: { code: string } }).error.code, 'too_many_messages');
  clock.advance(HOUR_MS);
  assert.is((await answer('An hour later')).status, 201);
});

limits.run();
