// The support inbox per role, through the real server: support and admin read, reply and close;
// a member and marketing get 403 from every staff call and a visitor 401, changing nothing; a
// member reads and answers only their own conversations; and the pages follow the same rules.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SupportConversationList, SupportConversationView, SupportInbox } from '../../server/contract/support.js';
import { SUPPORT_INBOX_PAGE_SIZE, SUPPORT_MESSAGES_PER_CONVERSATION_MAX } from '../../server/support/support-service.js';
import { FAST_BCRYPT, json, withCookie, type TestMember } from '../accounts/helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { errorCode, firstAdmin, memberWithRole } from '../staff/helpers.js';
import { contact, contactBody, staffReply } from './helpers.js';

type Context = { server: TestServer; admin: TestMember; support: TestMember; member: TestMember; marketing: TestMember };
const inbox = suite<Context>('the support inbox per role', {} as never);
inbox.before(async (context) => {
  context.server = await startTestServer({ env: FAST_BCRYPT, supportLimits: { perAddressPerHour: 1000, perEmailPerHour: 1000 } });
  context.admin = await firstAdmin(context.server);
  context.support = await memberWithRole(context.server, context.admin, 'support');
  context.member = await memberWithRole(context.server, context.admin, 'member');
  context.marketing = await memberWithRole(context.server, context.admin, 'marketing');
});
inbox.after(({ server }) => server.close());

/** Every staff call on one conversation, with a valid body where it needs one. */
function staffCalls(reference: string): [string, string, unknown?][] {
  return [
    ['GET', '/api/admin/support/conversations'],
    ['GET', `/api/admin/support/conversations/${reference}`],
    ['POST', `/api/admin/support/conversations/${reference}/replies`, { message: 'An answer' }],
    ['POST', `/api/admin/support/conversations/${reference}/close`],
  ];
}

async function statusOf(server: TestServer, cookie: string | undefined, [method, path, body]: [string, string, unknown?]): Promise<[number, string]> {
  const init: RequestInit = body === undefined ? { method } : json(body, cookie, method);
  const response = await server.fetch(path, cookie === undefined ? init : withCookie(cookie, init));
  return [response.status, response.status >= 400 ? await errorCode(response) : ''];
}

const stateOf = (server: TestServer, reference: string): unknown =>
  server.db.prepare('SELECT state FROM support_conversations WHERE id = ?').pluck().get(reference);

inbox('a visitor gets 401, a member and marketing 403 from every staff call, and nothing changes', async ({ server, member, marketing }) => {
  const reference = await contact(server);
  for (const call of staffCalls(reference)) {
    assert.equal(await statusOf(server, undefined, call), [401, 'unauthorized'], call.join(' '));
    assert.equal(await statusOf(server, member.cookie, call), [403, 'forbidden'], call.join(' '));
    assert.equal(await statusOf(server, marketing.cookie, call), [403, 'forbidden'], call.join(' '));
  }
  assert.is(stateOf(server, reference), 'open');
  assert.is(server.db.prepare('SELECT count(*) FROM support_messages WHERE conversation_id = ?').pluck().get(reference), 1);
});

for (const role of ['support', 'admin'] as const) {
  inbox(`${role} lists, reads, replies (answered) and closes a prospect’s conversation`, async (context) => {
    const { server } = context;
    const staff = context[role];
    const body = contactBody();
    const reference = await contact(server, body);
    const list = (await (await server.fetch('/api/admin/support/conversations?state=open', withCookie(staff.cookie))).json()) as SupportInbox;
    const entry = list.conversations.find((conversation) => conversation.reference === reference);
    assert.equal(entry && { ...entry, createdAt: '', updatedAt: '' }, {
      reference,
      subject: body['subject'],
      state: 'open',
      createdAt: '',
      updatedAt: '',
      messages: 1,
      name: body['name'],
      email: body['email'],
      member: false,
    });
    const view = (await (await server.fetch(`/api/admin/support/conversations/${reference}`, withCookie(staff.cookie))).json()) as SupportConversationView;
    assert.equal(
      view.messages.map((message) => [message.author, message.body]),
      [['requester', body['message']]],
    );

    const replied = await staffReply(server, staff.cookie, reference, 'Here is how.\nStep one.');
    assert.is(replied.conversation.state, 'answered');
    assert.equal(replied.messages[1] && [replied.messages[1].author, replied.messages[1].body, replied.messages[1].staffName], [
      'staff',
      'Here is how.\nStep one.',
      `${staff.firstName} ${staff.lastName}`,
    ]);
    const answered = (await (await server.fetch('/api/admin/support/conversations?state=answered', withCookie(staff.cookie))).json()) as SupportInbox;
    assert.ok(answered.conversations.some((conversation) => conversation.reference === reference));
    const open = (await (await server.fetch('/api/admin/support/conversations?state=open', withCookie(staff.cookie))).json()) as SupportInbox;
    assert.not.ok(open.conversations.some((conversation) => conversation.reference === reference));

    const closed = await server.fetch(`/api/admin/support/conversations/${reference}/close`, withCookie(staff.cookie, { method: 'POST' }));
    assert.is(closed.status, 200);
    assert.is(((await closed.json()) as SupportConversationView).conversation.state, 'closed');
    assert.is(stateOf(server, reference), 'closed');
    const log = server.logs.join('\n');
    assert.not.ok(log.includes('Here is how.'), 'no reply body in the log');
  });
}

inbox('refuses a bad state filter, an unknown reference and an empty reply', async ({ server, support }) => {
  assert.equal(await statusOf(server, support.cookie, ['GET', '/api/admin/support/conversations?state=spam']), [400, 'invalid_query']);
  assert.equal(await statusOf(server, support.cookie, ['GET', '/api/admin/support/conversations/AAAA-AAAA']), [404, 'not_found']);
  assert.equal(await statusOf(server, support.cookie, ['GET', '/api/admin/support/conversations/..%2F..']), [404, 'not_found']);
  const reference = await contact(server);
  assert.equal(await statusOf(server, support.cookie, ['POST', `/api/admin/support/conversations/${reference}/replies`, { message: '  ' }]), [
    400,
    'invalid_fields',
  ]);
  assert.is(stateOf(server, reference), 'open');
});

inbox('a member sees and answers only their own conversations; staff names stay out of their view', async (context) => {
  const { server, member, support, marketing } = context;
  const reference = await contact(server, contactBody({ email: member.email }), member.cookie);
  const othersReference = await contact(server, contactBody(), marketing.cookie);
  await staffReply(server, support.cookie, reference, 'We are on it.');

  const mine = (await (await server.fetch('/api/support/conversations', withCookie(member.cookie))).json()) as SupportConversationList;
  assert.equal(
    mine.conversations.map((conversation) => [conversation.reference, conversation.state, conversation.messages]),
    [[reference, 'answered', 2]],
  );
  const view = (await (await server.fetch(`/api/support/conversations/${reference}`, withCookie(member.cookie))).json()) as SupportConversationView;
  assert.equal(
    view.messages.map((message) => [message.author, message.body, message.staffName]),
    [
      ['requester', view.messages[0]?.body, null],
      ['staff', 'We are on it.', null],
    ],
  );

  const answer = await server.fetch(`/api/support/conversations/${reference}/messages`, json({ message: 'Thanks, and another thing.' }, member.cookie));
  assert.is(answer.status, 201);
  assert.is(((await answer.json()) as SupportConversationView).conversation.state, 'open', 'waiting for support again');

  // Another person's conversation is not found, whether read or answered.
  assert.equal(await statusOf(server, member.cookie, ['GET', `/api/support/conversations/${othersReference}`]), [404, 'not_found']);
  assert.equal(await statusOf(server, member.cookie, ['POST', `/api/support/conversations/${othersReference}/messages`, { message: 'x' }]), [404, 'not_found']);
  assert.equal(await statusOf(server, support.cookie, ['GET', `/api/support/conversations/${reference}`]), [404, 'not_found'], 'staff use the inbox');
  assert.equal(await statusOf(server, undefined, ['GET', '/api/support/conversations']), [401, 'unauthorized']);
  assert.is(server.db.prepare('SELECT count(*) FROM support_messages WHERE conversation_id = ?').pluck().get(othersReference), 1);
});

inbox('a member’s answer reopens a closed conversation', async ({ server, member, support }) => {
  const reference = await contact(server, contactBody({ email: member.email }), member.cookie);
  await server.fetch(`/api/admin/support/conversations/${reference}/close`, withCookie(support.cookie, { method: 'POST' }));
  assert.is(stateOf(server, reference), 'closed');
  const answer = await server.fetch(`/api/support/conversations/${reference}/messages`, json({ message: 'It broke again.' }, member.cookie));
  assert.is(answer.status, 201);
  assert.is(stateOf(server, reference), 'open');
});

inbox('the pages: /contact for everyone (pre-filled for a member), /support for members, /admin/support for support and admin', async (context) => {
  const { server, member, support, marketing, admin } = context;
  const visitorContact = await server.fetch('/contact?lang=en');
  assert.is(visitorContact.status, 200);
  const visitorHtml = await visitorContact.text();
  assert.match(visitorHtml, '<input id="email" name="email" type="email" autocomplete="email" inputmode="email" required value=""');
  assert.match(visitorHtml, 'aria-hidden="true"');
  assert.match(visitorHtml, 'erased 365 days after its last message');
  const memberHtml = await (await server.fetch('/contact', withCookie(member.cookie))).text();
  assert.match(memberHtml, `value="${member.email}"`);
  assert.match(memberHtml, `value="${member.firstName} ${member.lastName}"`);

  const visitorSupport = await server.fetch('/support');
  assert.is(visitorSupport.status, 302);
  assert.is(visitorSupport.headers.get('location'), '/login');
  assert.is((await server.fetch('/support', withCookie(member.cookie))).status, 200);
  assert.match(await (await server.fetch('/calls?lang=en', withCookie(member.cookie))).text(), '<a href="/support">Support</a>');
  assert.match(await (await server.fetch('/?lang=en')).text(), '<a href="/contact">Contact support</a>');

  assert.is((await server.fetch('/admin/support')).status, 302);
  assert.is((await server.fetch('/admin/support', withCookie(member.cookie))).status, 403);
  assert.is((await server.fetch('/admin/support', withCookie(marketing.cookie))).status, 403);
  const supportPage = await server.fetch('/admin/support?lang=en', withCookie(support.cookie));
  assert.is(supportPage.status, 200);
  assert.not.match(await supportPage.text(), 'href="/admin/invitations"', 'no link to a page support may not open');
  assert.is((await server.fetch('/admin/support', withCookie(admin.cookie))).status, 200);
  assert.match(await (await server.fetch('/admin/accounts', withCookie(support.cookie))).text(), '<a href="/admin/support">');
});

inbox('the inbox pages through every conversation, newest first, each once; a bad cursor is refused', async ({ server, support }) => {
  const present = server.db.prepare('SELECT count(*) FROM support_conversations').pluck().get() as number;
  for (let sent = present; sent <= SUPPORT_INBOX_PAGE_SIZE; sent += 1) await contact(server);
  const newest = await contact(server);
  const total = server.db.prepare('SELECT count(*) FROM support_conversations').pluck().get() as number;
  const pageOf = async (after: string | null): Promise<SupportInbox> => {
    const query = after === null ? '' : `&after=${encodeURIComponent(after)}`;
    const response = await server.fetch(`/api/admin/support/conversations?state=all${query}`, withCookie(support.cookie));
    assert.is(response.status, 200);
    return (await response.json()) as SupportInbox;
  };
  const first = await pageOf(null);
  assert.is(first.conversations.length, SUPPORT_INBOX_PAGE_SIZE);
  assert.is(first.conversations[0]?.reference, newest);
  assert.ok(first.next, 'more follow');
  const second = await pageOf(first.next);
  assert.is(second.next, null, 'the last page');
  const all = [...first.conversations, ...second.conversations];
  assert.is(all.length, total, 'every conversation');
  assert.is(new Set(all.map((conversation) => conversation.reference)).size, total, 'each once');
  // Newest activity first, then by reference: the order the cursor follows.
  const keys = all.map((conversation) => [conversation.updatedAt, conversation.reference] as const);
  const sorted = [...keys].sort(([at1, ref1], [at2, ref2]) => (at1 === at2 ? (ref1 < ref2 ? -1 : 1) : at1 < at2 ? 1 : -1));
  assert.equal(keys, sorted);

  for (const bad of ['x', `${first.next}x`, '2026-13-45T99:99:99.999Z~ABCD-EFGH', 'ABCD-EFGH', '2026-11-30T10:00:00.000Z~abcd-efgh']) {
    const response = await server.fetch(`/api/admin/support/conversations?after=${encodeURIComponent(bad)}`, withCookie(support.cookie));
    assert.is(response.status, 400, bad);
    assert.is(await errorCode(response), 'invalid_query');
  }
});

inbox('a conversation takes a bounded number of messages, then asks for a new one', async ({ server, support }) => {
  const reference = await contact(server);
  for (let count = 1; count < SUPPORT_MESSAGES_PER_CONVERSATION_MAX; count += 1) {
    const response = await server.fetch(`/api/admin/support/conversations/${reference}/replies`, json({ message: `Reply ${count}` }, support.cookie));
    assert.is(response.status, 201);
  }
  assert.equal(await statusOf(server, support.cookie, ['POST', `/api/admin/support/conversations/${reference}/replies`, { message: 'One too many' }]), [
    409,
    'conversation_full',
  ]);
  assert.is(server.db.prepare('SELECT count(*) FROM support_messages WHERE conversation_id = ?').pluck().get(reference), SUPPORT_MESSAGES_PER_CONVERSATION_MAX);
});

inbox.run();
