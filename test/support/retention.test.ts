// How long support conversations are kept: a prospect's is erased by the purge timer
// PORTHELLO_SUPPORT_RETENTION_DAYS after its last message (the test moves the clock, not a year);
// a member's stays until the account goes, is in their export, and goes with the account; a
// support member's replies stay in the other person's conversation without them. The privacy and
// contact pages state the configured period.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig } from '../../server/config.js';
import type { SupportConversationView } from '../../server/contract/support.js';
import { FAST_BCRYPT, json, withCookie, type TestMember } from '../accounts/helpers.js';
import { manualClock, type ManualClock } from '../helpers/clock.js';
import { makeDataDir, startTestServer, type TestServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';
import { firstAdmin, memberWithRole } from '../staff/helpers.js';
import { contact, contactBody, staffReply } from './helpers.js';

const DAY_MS = 24 * 3600_000;
const RETENTION_DAYS = 30;
/** The timer's period in this test: short, so the purge runs soon after the clock moves. */
const PURGE_INTERVAL_MS = 20;

type Context = { server: TestServer; clock: ManualClock; admin: TestMember; support: TestMember };
const retention = suite<Context>('support retention', {} as never);
retention.before(async (context) => {
  context.clock = manualClock(Date.now());
  context.server = await startTestServer({
    // Sessions outlive the months the clock moves forward here.
    env: {
      ...FAST_BCRYPT,
      PORTHELLO_SUPPORT_RETENTION_DAYS: String(RETENTION_DAYS),
      PORTHELLO_SESSION_IDLE_HOURS: String(24 * 365),
      PORTHELLO_SESSION_MAX_DAYS: '365',
    },
    clock: context.clock,
    supportLimits: { perAddressPerHour: 1000, perEmailPerHour: 1000 },
  });
  context.admin = await firstAdmin(context.server);
  context.support = await memberWithRole(context.server, context.admin, 'support');
});
retention.after(({ server }) => server.close());

const exists = (server: TestServer, reference: string): boolean =>
  server.db.prepare('SELECT count(*) FROM support_conversations WHERE id = ?').pluck().get(reference) === 1;

retention('the timer erases a prospect’s conversation once its last message is older than the retention period', async (context) => {
  const { server, clock, support } = context;
  const member = await memberWithRole(server, context.admin, 'member');
  const old = await contact(server);
  const memberOld = await contact(server, contactBody({ email: member.email }), member.cookie);
  clock.advance(10 * DAY_MS);
  const answeredLater = await contact(server);
  clock.advance(5 * DAY_MS);
  await staffReply(server, support.cookie, answeredLater, 'Answered later: the period starts again.');
  clock.advance((RETENTION_DAYS - 15) * DAY_MS + 1);

  const timer = server.support.startPurge(PURGE_INTERVAL_MS);
  try {
    await waitUntil(() => !exists(server, old), 'the old prospect conversation to be purged');
    assert.ok(exists(server, answeredLater), 'the period runs from the last message');
    assert.ok(exists(server, memberOld), 'a member’s conversation stays with the account');
    assert.is(server.db.prepare('SELECT count(*) FROM support_messages WHERE conversation_id = ?').pluck().get(old), 0, 'its messages went with it');
    clock.advance(15 * DAY_MS);
    await waitUntil(() => !exists(server, answeredLater), 'the answered conversation to be purged in turn');
    assert.ok(exists(server, memberOld));
  } finally {
    timer.stop();
  }
  assert.match(server.logs.join('\n'), /past their retention erased/);
});

retention('a member’s conversations are in their export and go with their account', async (context) => {
  const { server, admin, support } = context;
  const member = await memberWithRole(server, admin, 'member');
  const body = contactBody({ email: member.email, message: 'My own question' });
  const reference = await contact(server, body, member.cookie);
  await staffReply(server, support.cookie, reference, 'The answer');

  const exported = (await (await server.fetch('/api/me/export', withCookie(member.cookie))).json()) as { data: Record<string, Record<string, unknown>[]> };
  assert.equal(
    exported.data['supportConversations']?.map((row) => [row['id'], row['subject'], row['state'], row['email']]),
    [[reference, body['subject'], 'answered', member.email]],
  );
  assert.equal(
    exported.data['supportMessages']?.map((row) => [row['conversation_id'], row['author'], row['body']]),
    [
      [reference, 'requester', 'My own question'],
      [reference, 'staff', 'The answer'],
    ],
  );
  assert.not.ok('staff_id' in (exported.data['supportMessages']?.[1] ?? {}), 'the staff member’s identifier is not handed out');

  const deleted = await server.fetch('/api/me', json({ password: member.password }, member.cookie, 'DELETE'));
  assert.is(deleted.status, 204);
  assert.not.ok(exists(server, reference));
  assert.is(server.db.prepare('SELECT count(*) FROM support_messages WHERE conversation_id = ? OR member_id = ?').pluck().get(reference, member.id), 0);
});

retention('a support member’s replies are in their export without the text, and stay in the conversation when they leave', async (context) => {
  const { server, admin } = context;
  const leaving = await memberWithRole(server, admin, 'support');
  const reference = await contact(server);
  await staffReply(server, leaving.cookie, reference, 'Written by someone who leaves');
  const exported = (await (await server.fetch('/api/me/export', withCookie(leaving.cookie))).json()) as { data: Record<string, Record<string, unknown>[]> };
  assert.equal(
    exported.data['supportRepliesWritten']?.map((row) => Object.keys(row).sort()),
    [['conversation_id', 'created_at']],
  );
  assert.is(exported.data['supportRepliesWritten']?.[0]?.['conversation_id'], reference);

  assert.is((await server.fetch('/api/me', json({ password: leaving.password }, leaving.cookie, 'DELETE'))).status, 204);
  const view = (await (await server.fetch(`/api/admin/support/conversations/${reference}`, withCookie(admin.cookie))).json()) as SupportConversationView;
  assert.equal(
    view.messages.map((message) => [message.author, message.body, message.staffName]),
    [
      ['requester', view.messages[0]?.body, null],
      ['staff', 'Written by someone who leaves', null],
    ],
  );
  assert.is(server.db.prepare('SELECT count(*) FROM support_messages WHERE staff_id = ?').pluck().get(leaving.id), 0);
});

retention('the privacy and contact pages state the configured retention, in both languages', async ({ server }) => {
  const privacyFr = await (await server.fetch('/privacy?lang=fr')).text();
  assert.match(privacyFr, `effacés ${RETENTION_DAYS}\u00a0jours après le dernier message`, 'a no-break space, as Intl writes it');
  const privacyEn = await (await server.fetch('/privacy?lang=en')).text();
  assert.match(privacyEn, `erased ${RETENTION_DAYS} days after the last message`);
  assert.match(privacyEn, 'Your conversations with support');
  assert.match(privacyEn, '<a href="/contact">Contact support</a>');
  assert.match(await (await server.fetch('/contact?lang=en')).text(), `erased ${RETENTION_DAYS} days after its last message`);
});

retention.run();

const setting = suite('PORTHELLO_SUPPORT_RETENTION_DAYS');

setting('defaults to 365 days and refuses what is not a whole number of days from 1 to 3650', () => {
  const dataDir = makeDataDir();
  assert.is(loadConfig({ PORTHELLO_DATA_DIR: dataDir }).support.retentionDays, 365);
  assert.is(loadConfig({ PORTHELLO_DATA_DIR: dataDir, PORTHELLO_SUPPORT_RETENTION_DAYS: '7' }).support.retentionDays, 7);
  for (const value of ['0', '3651', 'a year', '-5', '1.5']) {
    try {
      loadConfig({ PORTHELLO_DATA_DIR: dataDir, PORTHELLO_SUPPORT_RETENTION_DAYS: value });
      assert.unreachable(value);
    } catch (error) {
      assert.instance(error, ConfigError, value);
      assert.equal((error as ConfigError).problems, [`PORTHELLO_SUPPORT_RETENTION_DAYS: must be an integer from 1 to 3650 (got "${value}")`]);
    }
  }
});

setting.run();
