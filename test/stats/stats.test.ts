// GET /api/stats and /admin/stats through the real server: marketing and admins only (403 for
// the other roles, 401 for visitors), the figures of a seeded scenario, and never a person: no id,
// name or address in the answer, and every figure resting on fewer than STATS_MIN_PEOPLE people
// withheld (a one-person bucket is seeded), shown as withheld and never as 0.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { STATS_DAYS, STATS_MIN_PEOPLE, STATS_WEEKS, type StatRow, type StatsView } from '../../server/contract/stats.js';
import { cellOf } from '../../server/stats/stats-service.js';
import { FAST_BCRYPT, withCookie, type TestMember } from '../accounts/helpers.js';
import { manualClock } from '../helpers/clock.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { errorCode, firstAdmin, memberWithRole } from '../staff/helpers.js';
import { STATS_NOW_MS, seedMember, seedReceivedCall, seedStatsScenario, type SeededMember } from './seed.js';

type Context = { server: TestServer; admin: TestMember; seeded: { lonely: SeededMember; five: SeededMember[]; all: SeededMember[] } };
const stats = suite<Context>('aggregate statistics', {} as never);
stats.before(async (context) => {
  context.server = await startTestServer({ env: FAST_BCRYPT, clock: manualClock(STATS_NOW_MS) });
  context.admin = await firstAdmin(context.server);
  context.seeded = seedStatsScenario(context.server.db);
});
stats.after(({ server }) => server.close());

async function overview(server: TestServer, member: TestMember): Promise<{ body: StatsView; text: string }> {
  const response = await server.fetch('/api/stats', withCookie(member.cookie));
  assert.is(response.status, 200);
  const text = await response.text();
  return { body: JSON.parse(text) as StatsView, text };
}

const bucket = (rows: readonly StatRow[], period: string): StatRow => {
  const row = rows.find((candidate) => candidate.period === period);
  assert.ok(row, `a bucket for ${period}`);
  return row;
};
const WITHHELD = { value: null, suppressed: true };

stats('member and support get 403, a visitor 401; marketing and admin get the statistics', async ({ server, admin }) => {
  for (const role of ['member', 'support'] as const) {
    const someone = await memberWithRole(server, admin, role);
    const response = await server.fetch('/api/stats', withCookie(someone.cookie));
    assert.is(response.status, 403, role);
    assert.is(await errorCode(response), 'forbidden');
    assert.is((await server.fetch('/admin/stats', withCookie(someone.cookie))).status, 403, `${role} /admin/stats`);
  }
  assert.is((await server.fetch('/api/stats')).status, 401);
  assert.is((await server.fetch('/admin/stats')).headers.get('location'), '/login');
  const marketing = await memberWithRole(server, admin, 'marketing');
  const { body } = await overview(server, marketing);
  assert.is(body.minPeople, STATS_MIN_PEOPLE);
  await overview(server, admin);
});

stats('marketing sees only the statistics page in the admin navigation, and /admin leads there', async ({ server, admin }) => {
  const marketing = await memberWithRole(server, admin, 'marketing');
  const page = await server.fetch('/admin/stats?lang=en', withCookie(marketing.cookie));
  assert.is(page.status, 200);
  const html = await page.text();
  assert.match(html, '<a href="/admin/stats" aria-current="page">Statistics</a>');
  for (const other of ['/admin/accounts', '/admin/invitations', '/admin/news']) assert.not.match(html, `href="${other}"`);
  assert.match(html, `fewer than ${STATS_MIN_PEOPLE} people is withheld`);
  assert.match(html, 'Active member: a member who made a call, or answered one');
  for (const forbidden of ['/admin/accounts', '/admin/invitations', '/admin/news'])
    assert.is((await server.fetch(forbidden, withCookie(marketing.cookie))).status, 403, forbidden);
  assert.is((await server.fetch('/admin', withCookie(marketing.cookie))).headers.get('location'), '/admin/stats');
  const adminPage = await (await server.fetch('/admin/stats?lang=en', withCookie(admin.cookie))).text();
  for (const link of ['/admin/accounts', '/admin/invitations', '/admin/news', '/admin/stats']) assert.match(adminPage, `href="${link}"`);
});

stats('withholds every one-person bucket, shows the five-person ones and empty ones as 0', async ({ server, admin }) => {
  const { body } = await overview(server, admin);
  assert.is(body.since, '2026-11-01');
  assert.is(body.callsPerDay.length, STATS_DAYS);
  assert.is(body.activePerWeek.length, STATS_WEEKS);
  assert.is(body.signupsPerWeek[0]?.period, '2026-09-14');
  assert.is(body.signupsPerWeek.at(-1)?.period, '2026-11-30');

  assert.equal(bucket(body.callsPerDay, '2026-11-20'), { period: '2026-11-20', ...WITHHELD }, 'three calls of one member');
  assert.equal(bucket(body.activePerDay, '2026-11-20'), { period: '2026-11-20', ...WITHHELD });
  assert.equal(bucket(body.activePerWeek, '2026-11-16'), { period: '2026-11-16', ...WITHHELD });
  assert.equal(bucket(body.signupsPerWeek, '2026-10-05'), { period: '2026-10-05', ...WITHHELD });

  assert.equal(bucket(body.callsPerDay, '2026-11-25'), { period: '2026-11-25', value: 11, suppressed: false });
  assert.equal(bucket(body.activePerDay, '2026-11-25'), { period: '2026-11-25', value: 5, suppressed: false });
  assert.equal(bucket(body.activePerWeek, '2026-11-23'), { period: '2026-11-23', value: 5, suppressed: false });
  assert.equal(bucket(body.signupsPerWeek, '2026-11-09'), { period: '2026-11-09', value: 5, suppressed: false });
  assert.equal(bucket(body.callsPerDay, '2026-11-24'), { period: '2026-11-24', value: 0, suppressed: false }, 'nobody: 0');
});

stats('withholds a share resting on one person, and one more so it cannot be worked out', async ({ server, admin }) => {
  const { body } = await overview(server, admin);
  // 14 calls: 8 answered (6 people), 5 declined (5 people), 1 missed (1 person), none busy.
  assert.equal(body.outcomeShares.missed, WITHHELD);
  assert.equal(body.outcomeShares.declined, WITHHELD, 'the smallest other share, else missed = 1 − the others');
  assert.equal(body.outcomeShares.answered, { value: 0.571, suppressed: false });
  assert.equal(body.outcomeShares.busy, { value: 0, suppressed: false });
  // Answered: 30, 30, 30, 60, 120, 180, 240, 300 s from six people.
  assert.equal(body.medianDurationS, { value: 90, suppressed: false });
  // 5 relayed of the 7 answered calls whose path is known (one answered call left out), from five people.
  assert.equal(body.relayedShare, { value: 0.714, suppressed: false });
});

stats('the relayed share is withheld when its calls rest on fewer people, and null without any', async () => {
  const server = await startTestServer({ env: FAST_BCRYPT, clock: manualClock(STATS_NOW_MS) });
  try {
    const admin = await firstAdmin(server);
    assert.is((await overview(server, admin)).body.relayedShare, null, 'no answered call with a known path');
    const four = Array.from({ length: STATS_MIN_PEOPLE - 1 }, () => seedMember(server.db, '2026-11-02T08:00:00.000Z'));
    for (const member of four) {
      for (const path of ['relayed', 'direct'] as const) seedReceivedCall(server.db, member.id, '2026-11-26T09:00:00.000Z', 'answered', 60, path);
    }
    seedReceivedCall(server.db, admin.id, '2026-11-26T10:00:00.000Z', 'missed', null, null);
    assert.equal((await overview(server, admin)).body.relayedShare, WITHHELD, 'eight calls of four people');
    seedReceivedCall(server.db, admin.id, '2026-11-27T10:00:00.000Z', 'answered', 30, 'relayed');
    assert.equal((await overview(server, admin)).body.relayedShare, { value: 0.556, suppressed: false }, 'five of nine, from five people');
  } finally {
    await server.close();
  }
});

stats('names no person: no id, address or name of anyone in the answer', async ({ server, admin, seeded }) => {
  const { text } = await overview(server, admin);
  for (const member of [...seeded.all, admin]) {
    for (const value of [member.id, member.email, member.firstName, member.lastName]) assert.not.ok(text.includes(value), `${value} is not in the answer`);
  }
  assert.not.ok(text.includes('A guest'));
});

stats('the suppression rule: nobody or at least the threshold is shown, one to threshold − 1 withheld', () => {
  assert.equal(cellOf(0, 0), { value: 0, suppressed: false });
  for (let people = 1; people < STATS_MIN_PEOPLE; people += 1) assert.equal(cellOf(people, people), WITHHELD);
  assert.equal(cellOf(STATS_MIN_PEOPLE, STATS_MIN_PEOPLE), { value: STATS_MIN_PEOPLE, suppressed: false });
  assert.equal(cellOf(40, 2), WITHHELD, 'forty calls of two people are withheld');
});

stats.run();
