// Service news through the real server: only an admin writes (every other role gets 403 on each
// admin call), bodies are checked at the edge with stable codes and nothing half-written, members
// read current announcements in their language, reading marks them read (per member, exported
// and erased with the account), and an announcement whose end has passed is gone for members.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NEWS_END_MAX_DAYS, NEWS_TEXT_MAX_CODE_POINTS, NEWS_TITLE_MAX_CODE_POINTS } from '../../server/contract/news.js';
import { FAST_BCRYPT, json, signUp, withCookie, type TestMember } from '../accounts/helpers.js';
import { manualClock, type ManualClock } from '../helpers/clock.js';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';
import { errorCode, firstAdmin, memberWithRole } from '../staff/helpers.js';

const DAY_MS = 24 * 3600_000;
type Context = { server: TestServer; admin: TestMember; clock: ManualClock };
const news = suite<Context>('service news', {} as never);
news.before(async (context) => {
  context.clock = manualClock(Date.UTC(2026, 10, 30, 9));
  context.server = await startTestServer({ env: FAST_BCRYPT, clock: context.clock });
  context.admin = await firstAdmin(context.server);
});
news.after(({ server }) => server.close());

function announcement(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    titleFr: 'Maintenance samedi',
    textFr: 'Le service sera coupé samedi de 8 h à 9 h.\nMerci de votre patience.',
    titleEn: 'Maintenance on Saturday',
    textEn: 'The service will be down on Saturday from 8 to 9 am.\nThank you for your patience.',
    endsAt: null,
    ...overrides,
  };
}

async function publish(server: TestServer, admin: TestMember, body: Record<string, unknown> = announcement()): Promise<{ id: string }> {
  const response = await server.fetch('/api/admin/news', json(body, admin.cookie));
  assert.is(response.status, 201, await response.clone().text());
  return (await response.json()) as { id: string };
}

async function feed(
  server: TestServer,
  member: TestMember,
  lang = 'en',
): Promise<{ announcements: { id: string; title: string; text: string; read: boolean }[]; unread: number }> {
  const response = await server.fetch('/api/news', withCookie(member.cookie, { headers: { 'Accept-Language': lang } }));
  assert.is(response.status, 200);
  return jsonOf(response);
}

news('every role but admin gets 403 on each admin news call, and a visitor 401', async ({ server, admin }) => {
  const { id } = await publish(server, admin);
  const calls: [string, string, unknown?][] = [
    ['GET', '/api/admin/news'],
    ['POST', '/api/admin/news', announcement()],
    ['PUT', `/api/admin/news/${id}`, announcement({ titleEn: 'Changed' })],
    ['DELETE', `/api/admin/news/${id}`],
  ];
  for (const role of ['member', 'support', 'marketing'] as const) {
    const someone = await memberWithRole(server, admin, role);
    for (const [method, path, body] of calls) {
      const response = await server.fetch(path, body === undefined ? withCookie(someone.cookie, { method }) : json(body, someone.cookie, method));
      assert.is(response.status, 403, `${role} ${method} ${path}`);
      assert.is(await errorCode(response), 'forbidden');
    }
    assert.is((await server.fetch('/admin/news', withCookie(someone.cookie))).status, 403, `${role} /admin/news`);
  }
  for (const [method, path, body] of calls) {
    const response = await server.fetch(path, body === undefined ? { method } : json(body, undefined, method));
    assert.is(response.status, 401, `visitor ${method} ${path}`);
  }
  assert.is((await server.fetch('/api/news')).status, 401);
  const unchanged = server.db.prepare('SELECT title_en FROM news WHERE id = ?').pluck().get(id);
  assert.is(unchanged, 'Maintenance on Saturday', 'no refused call changed it');
  assert.is((await server.fetch('/admin/news', withCookie(admin.cookie))).status, 200);
  assert.is((await server.fetch('/admin/news')).headers.get('location'), '/login');
});

news('an admin creates, lists, edits and deletes an announcement', async ({ server, admin, clock }) => {
  const endsAt = new Date(clock.now() + 10 * DAY_MS).toISOString();
  const created = await publish(server, admin, announcement({ titleEn: '  Padded title  ', endsAt }));
  const list = await jsonOf(await server.fetch('/api/admin/news', withCookie(admin.cookie)));
  const listed = list.announcements.find((item: { id: string }) => item.id === created.id);
  assert.is(listed.titleEn, 'Padded title', 'trimmed');
  assert.is(listed.endsAt, endsAt);
  assert.is(listed.ended, false);
  assert.is(listed.createdAt, new Date(clock.now()).toISOString());

  clock.advance(60_000);
  const edited = await server.fetch(`/api/admin/news/${created.id}`, json(announcement({ titleFr: 'Nouveau titre' }), admin.cookie, 'PUT'));
  assert.is(edited.status, 200);
  const after = await jsonOf(edited);
  assert.is(after.titleFr, 'Nouveau titre');
  assert.is(after.endsAt, null);
  assert.is(after.updatedAt, new Date(clock.now()).toISOString());

  assert.is((await server.fetch(`/api/admin/news/${created.id}`, withCookie(admin.cookie, { method: 'DELETE' }))).status, 204);
  const again = await server.fetch(`/api/admin/news/${created.id}`, withCookie(admin.cookie, { method: 'DELETE' }));
  assert.is(again.status, 404);
  assert.is(await errorCode(again), 'announcement_not_found');
  const missing = await server.fetch('/api/admin/news/AAAAAAAAAAAAAAAA', json(announcement(), admin.cookie, 'PUT'));
  assert.is(await errorCode(missing), 'announcement_not_found');
});

news('refuses bad bodies field by field, with stable reasons, and stores nothing', async ({ server, admin, clock }) => {
  const before = server.db.prepare('SELECT count(*) FROM news').pluck().get();
  const cases: [Record<string, unknown>, Record<string, string>][] = [
    [announcement({ titleFr: '   ' }), { titleFr: 'required' }],
    [{ titleFr: 'Seul' }, { textFr: 'required', titleEn: 'required', textEn: 'required' }],
    [announcement({ titleEn: 'x'.repeat(NEWS_TITLE_MAX_CODE_POINTS + 1) }), { titleEn: 'too_long' }],
    [announcement({ textFr: 'é'.repeat(NEWS_TEXT_MAX_CODE_POINTS + 1) }), { textFr: 'too_long' }],
    [announcement({ titleFr: 'Titre\nsur deux lignes' }), { titleFr: 'control_characters' }],
    [announcement({ textEn: 'bell \u0007' }), { textEn: 'control_characters' }],
    [announcement({ endsAt: 'next Tuesday' }), { endsAt: 'invalid_date' }],
    [announcement({ endsAt: 1234 }), { endsAt: 'invalid_date' }],
    [announcement({ endsAt: new Date(clock.now() - 1000).toISOString() }), { endsAt: 'in_the_past' }],
    [announcement({ endsAt: new Date(clock.now() + (NEWS_END_MAX_DAYS + 1) * DAY_MS).toISOString() }), { endsAt: 'too_far' }],
    [announcement({ author: 'me' }), { author: 'not_allowed' }],
  ];
  for (const [body, fields] of cases) {
    const response = await server.fetch('/api/admin/news', json(body, admin.cookie));
    assert.is(response.status, 400, JSON.stringify(body).slice(0, 80));
    const error = (await jsonOf(response)).error;
    assert.is(error.code, 'invalid_fields');
    assert.equal(error.fields, fields);
  }
  const notObject = await server.fetch('/api/admin/news', json(['a'], admin.cookie));
  assert.is(await errorCode(notObject), 'invalid_body');
  // The longest accepted title and text pass.
  await publish(server, admin, announcement({ titleFr: 'é'.repeat(NEWS_TITLE_MAX_CODE_POINTS), textEn: 'x'.repeat(NEWS_TEXT_MAX_CODE_POINTS) }));
  assert.is(server.db.prepare('SELECT count(*) FROM news').pluck().get(), Number(before) + 1);
});

news('a member reads current news in their language; reading marks it read for them only', async ({ server, admin }) => {
  server.db.exec('DELETE FROM news');
  const alice = await signUp(server);
  const bob = await signUp(server);
  const { id } = await publish(server, admin);
  const english = await feed(server, alice, 'en');
  assert.equal(
    english.announcements.map((item) => [item.title, item.read]),
    [['Maintenance on Saturday', false]],
  );
  assert.match(english.announcements[0]?.text ?? '', /Saturday from 8 to 9 am\.\nThank you/);
  assert.is(english.unread, 1);
  const french = await feed(server, alice, 'fr');
  assert.is(french.announcements[0]?.title, 'Maintenance samedi');

  assert.is((await server.fetch('/api/news/read', json({ ids: [id] }, alice.cookie))).status, 204);
  assert.is((await feed(server, alice)).unread, 0);
  assert.is((await feed(server, alice)).announcements[0]?.read, true);
  assert.is((await feed(server, bob)).unread, 1, 'Bob has not read it');

  const bad = await server.fetch('/api/news/read', json({ ids: ['not an id'] }, bob.cookie));
  assert.is(bad.status, 400);
  assert.equal((await jsonOf(bad)).error.fields, { ids: 'invalid' });
  const tooMany = await server.fetch('/api/news/read', json({ ids: Array.from({ length: 101 }, () => 'AAAAAAAAAAAAAAAA') }, bob.cookie));
  assert.equal((await jsonOf(tooMany)).error.fields, { ids: 'too_many' });
  // An unknown id is passed over: nothing to mark.
  assert.is((await server.fetch('/api/news/read', json({ ids: ['BBBBBBBBBBBBBBBB'] }, bob.cookie))).status, 204);
  assert.is(server.db.prepare('SELECT count(*) FROM news_reads WHERE member_id = ?').pluck().get(bob.id), 0);
});

news('an announcement whose end has passed is no longer shown to members; the admin sees it ended', async ({ server, admin, clock }) => {
  server.db.exec('DELETE FROM news');
  const member = await signUp(server);
  const { id } = await publish(server, admin, announcement({ endsAt: new Date(clock.now() + DAY_MS).toISOString() }));
  assert.is((await feed(server, member)).announcements.length, 1);
  clock.advance(DAY_MS - 1);
  assert.is((await feed(server, member)).announcements.length, 1, 'still shown the last millisecond');
  clock.advance(1);
  const after = await feed(server, member);
  assert.equal(after.announcements, []);
  assert.is(after.unread, 0);
  const read = await server.fetch('/api/news/read', json({ ids: [id] }, member.cookie));
  assert.is(read.status, 204);
  assert.is(server.db.prepare('SELECT count(*) FROM news_reads WHERE news_id = ?').pluck().get(id), 0, 'an ended one cannot be marked');
  const list = await jsonOf(await server.fetch('/api/admin/news', withCookie(admin.cookie)));
  assert.is(list.announcements[0].ended, true);
});

news('read marks are in the member’s export and go with the account and with the announcement', async ({ server, admin }) => {
  server.db.exec('DELETE FROM news');
  const member = await signUp(server);
  const first = await publish(server, admin);
  const second = await publish(server, admin, announcement({ titleEn: 'Second' }));
  await server.fetch('/api/news/read', json({ ids: [first.id, second.id] }, member.cookie));
  const exported = await jsonOf(await server.fetch('/api/me/export', withCookie(member.cookie)));
  assert.equal(exported.data.newsRead.map((row: { news_id: string }) => row.news_id).sort(), [first.id, second.id].sort());
  await server.fetch(`/api/admin/news/${first.id}`, withCookie(admin.cookie, { method: 'DELETE' }));
  assert.is(server.db.prepare('SELECT count(*) FROM news_reads WHERE member_id = ?').pluck().get(member.id), 1);
  const deleted = await server.fetch('/api/me', json({ password: member.password }, member.cookie, 'DELETE'));
  assert.ok(deleted.status === 200 || deleted.status === 204, String(deleted.status));
  assert.is(server.db.prepare('SELECT count(*) FROM news_reads WHERE member_id = ?').pluck().get(member.id), 0);
  assert.is(server.db.prepare('SELECT count(*) FROM news').pluck().get(), 1, 'the announcement stays');
});

news('the news page needs a log-in; the header links to it', async ({ server }) => {
  assert.is((await server.fetch('/news')).headers.get('location'), '/login');
  const member = await signUp(server);
  const page = await server.fetch('/news?lang=en', withCookie(member.cookie));
  assert.is(page.status, 200);
  const html = await page.text();
  assert.match(html, '<h1>Service news</h1>');
  assert.match(html, '<a href="/news">News</a>');
  assert.not.match(html, 'href="/admin"');
});

news.run();
