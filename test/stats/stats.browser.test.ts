// The statistics page in Chromium: a marketing member sees the seeded figures as tables (with
// their charts beside, hidden from assistive technology), and the one-person buckets as withheld,
// never as their number nor as 0; in French too.
import type { Browser, BrowserContext, Locator } from 'playwright-core';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, type TestMember } from '../accounts/helpers.js';
import { seriousViolations } from '../helpers/axe.js';
import { browserSuite, hasChromium, launchBrowser } from '../helpers/browser.js';
import { manualClock } from '../helpers/clock.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { firstAdmin, memberWithRole } from '../staff/helpers.js';
import { STATS_NOW_MS, seedStatsScenario } from './seed.js';

const BROWSER_WAIT_MS = 10_000;
const PHONE = { width: 390, height: 844 };
const { suite: page, test: it } = browserSuite('the statistics page in Chromium');
let server: TestServer;
let browser: Browser;
let marketing: TestMember;

page.before(async () => {
  if (!hasChromium) return;
  server = await startTestServer({ env: FAST_BCRYPT, clock: manualClock(STATS_NOW_MS) });
  marketing = await memberWithRole(server, await firstAdmin(server), 'marketing');
  seedStatsScenario(server.db);
  browser = await launchBrowser();
});
page.after(async () => {
  if (!hasChromium) return;
  await browser.close();
  await server.close();
});

async function marketingContext(locale: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: PHONE, locale });
  const [name = '', value = ''] = marketing.cookie.split('=');
  await context.addCookies([{ name, value, url: server.url }]);
  return context;
}

const textOf = async (locator: Locator): Promise<string> => (await locator.textContent()) ?? '';

/** The figure cell of the row whose heading matches. */
const figure = (table: Locator, row: RegExp): Locator => table.getByRole('row', { name: row }).getByRole('cell');

it('shows the tables, withholds the one-person buckets and shows the five-person ones', async () => {
  const context = await marketingContext('en-GB');
  try {
    const tab = await context.newPage();
    tab.setDefaultTimeout(BROWSER_WAIT_MS);
    await tab.goto(`${server.url}/admin/stats?lang=en`);
    const calls = tab.getByRole('table', { name: 'Calls per day' });
    await calls.waitFor();
    const lonelyDay = figure(calls, /20 Nov 2026|Nov 20, 2026/);
    assert.match(await textOf(lonelyDay), /^withheld/);
    assert.match(await textOf(lonelyDay), /fewer than 5 people/, 'the reason is read out');
    assert.is(await textOf(figure(calls, /25 Nov 2026|Nov 25, 2026/)), '11');
    assert.is(await textOf(figure(calls, /24 Nov 2026|Nov 24, 2026/)), '0');
    const activeDays = tab.getByRole('table', { name: 'Active members per day' });
    assert.match(await textOf(figure(activeDays, /20 Nov 2026|Nov 20, 2026/)), /^withheld/);
    assert.is(await textOf(figure(activeDays, /25 Nov 2026|Nov 25, 2026/)), '5');
    const signups = tab.getByRole('table', { name: 'Sign-ups per week' });
    assert.match(await textOf(figure(signups, /5 Oct 2026|Oct 5, 2026/)), /^withheld/);
    const outcomes = tab.getByRole('table', { name: /Outcome of the calls/ });
    assert.match(await textOf(figure(outcomes, /Missed/)), /^withheld/);
    assert.match(await textOf(figure(outcomes, /Answered/)), /57\.1\s?%/);
    assert.match(await textOf(tab.locator('#median')), /1 min 30 s/);
    // The charts repeat the tables for the eye only; a withheld bucket is an outline, not a bar.
    assert.is(await tab.locator('svg.stat-chart:not([aria-hidden="true"])').count(), 0);
    assert.ok((await tab.locator('#calls-day .stat-bar-withheld').count()) >= 1);
    const paths = tab.getByRole('table', { name: /Relayed or direct/ });
    assert.match(await textOf(figure(paths, /Through the relay/)), /71\.4\s?%/);
    assert.match(await textOf(figure(paths, /Direct/)), /28\.6\s?%/);
    await tab.screenshot({ path: '/tmp/porthello-admin-stats.png', fullPage: true });
    assert.equal(await seriousViolations(tab), [], 'the statistics page passes axe');
    await tab.emulateMedia({ colorScheme: 'dark' });
    assert.equal(await seriousViolations(tab, { colourOnly: true }), [], 'and its colours in the dark theme');
  } finally {
    await context.close();
  }
});

it('says the same in French', async () => {
  const context = await marketingContext('fr-FR');
  try {
    const tab = await context.newPage();
    tab.setDefaultTimeout(BROWSER_WAIT_MS);
    await tab.goto(`${server.url}/admin/stats?lang=fr`);
    const calls = tab.getByRole('table', { name: 'Appels par jour' });
    await calls.waitFor();
    assert.match(await textOf(figure(calls, /20 nov\. 2026/)), /^masqué/);
    assert.is(await textOf(figure(calls, /25 nov\. 2026/)), '11');
    await tab.getByText('Membre actif : un membre qui a passé un appel').first().waitFor();
  } finally {
    await context.close();
  }
});

page.run();
