// Service news end to end in Chromium at phone width: an admin writes an announcement on the
// admin page (both languages, a last day), edits it; a member sees it unread in the notice of the
// calls page, opens the news page in French, and it is read from then on (no notice, no "New");
// dismissing the notice marks another read; deleting one on the admin page removes it.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, signUp, type TestMember } from '../accounts/helpers.js';
import { seriousViolations } from '../helpers/axe.js';
import { browserSuite, hasChromium, launchBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { firstAdmin } from '../staff/helpers.js';

const BROWSER_WAIT_MS = 10_000;
const PHONE = { width: 390, height: 844 };
const DAY_MS = 24 * 3600_000;
const { suite: news, test: it } = browserSuite('service news in Chromium');
let server: TestServer;
let browser: Browser;
let admin: TestMember;

news.before(async () => {
  if (!hasChromium) return;
  server = await startTestServer({ env: FAST_BCRYPT, signaling: true });
  admin = await firstAdmin(server);
  browser = await launchBrowser();
});
news.after(async () => {
  if (!hasChromium) return;
  await browser.close();
  await server.close();
});

async function contextOf(member: TestMember, locale: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: PHONE, locale });
  const [name = '', value = ''] = member.cookie.split('=');
  await context.addCookies([{ name, value, url: server.url }]);
  return context;
}

/** Opens /calls and waits until it has asked for the news, so what it shows is final. */
async function openCalls(page: Page): Promise<void> {
  const newsAnswer = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/news');
  await page.goto(`${server.url}/calls`);
  assert.is((await newsAnswer).status(), 200);
  await page.locator('#call-link').waitFor();
}

const readCount = (member: TestMember): number => Number(server.db.prepare('SELECT count(*) FROM news_reads WHERE member_id = ?').pluck().get(member.id));

it('an admin writes an announcement; a member sees it unread on /calls, reads it on /news, and it stays read', async () => {
  const member = await signUp(server);
  const adminSide = await contextOf(admin, 'en-GB');
  const memberSide = await contextOf(member, 'fr-FR');
  try {
    const page = await adminSide.newPage();
    page.setDefaultTimeout(BROWSER_WAIT_MS);
    await page.goto(`${server.url}/admin/news`);
    await page.getByLabel('Title in French').fill('Coupure samedi');
    await page.getByLabel('Text in French').fill('Le service sera coupé samedi matin.\nMerci !');
    await page.getByLabel('Title in English').fill('Outage on Saturday');
    await page.getByLabel('Text in English').fill('The service will be down on Saturday morning.');
    const lastDay = new Date(Date.now() + 7 * DAY_MS).toISOString().slice(0, 10);
    await page.getByLabel('Shown until (optional)').fill(lastDay);
    await page.getByRole('button', { name: 'Publish the announcement' }).click();
    await page.getByRole('status').getByText('Announcement published.').waitFor();
    const item = page.locator('#news-admin li', { hasText: 'Coupure samedi' });
    await item.getByText('Shown', { exact: true }).waitFor();
    await item.getByRole('button', { name: 'Edit the announcement “Coupure samedi”' }).click();
    assert.is(await page.getByLabel('Shown until (optional)').inputValue(), lastDay);
    await page.getByLabel('Title in French').fill('Coupure samedi matin');
    await page.getByRole('button', { name: 'Save the changes' }).click();
    await page.getByRole('status').getByText('Changes saved.').waitFor();
    await page.locator('#news-admin li', { hasText: 'Coupure samedi matin' }).waitFor();
    await page.screenshot({ path: '/tmp/porthello-admin-news.png', fullPage: true });
    assert.equal(await seriousViolations(page), [], 'the admin news page passes axe');

    const calls = await memberSide.newPage();
    calls.setDefaultTimeout(BROWSER_WAIT_MS);
    await openCalls(calls);
    const notice = calls.getByRole('region', { name: 'Actualités du service' });
    await notice.getByText('Coupure samedi matin').waitFor();
    await calls.screenshot({ path: '/tmp/porthello-calls-news-notice.png' });
    assert.equal(await seriousViolations(calls), [], 'the calls page with its notice passes axe');
    assert.is(readCount(member), 0, 'seeing the notice is not reading');
    const marked = calls.waitForResponse((response) => new URL(response.url()).pathname === '/api/news/read');
    await notice.getByRole('link', { name: 'Lire les actualités' }).click();
    await calls.waitForURL(`${server.url}/news`);
    const article = calls.getByRole('article', { name: /Coupure samedi matin/ });
    await article.getByText('Nouveau').waitFor();
    await article.getByText(/Le service sera coupé samedi matin\.\s+Merci !/).waitFor();
    await calls.screenshot({ path: '/tmp/porthello-news.png', fullPage: true });
    assert.equal(await seriousViolations(calls), [], 'the news page passes axe');

    // Read from now on: the page tells the server, then neither page calls it new.
    assert.is((await marked).status(), 204);
    assert.is(readCount(member), 1);
    await calls.reload();
    await calls.getByRole('article', { name: /Coupure samedi matin/ }).waitFor();
    assert.is(await calls.locator('.badge-new').count(), 0);
    await openCalls(calls);
    assert.is(await calls.locator('#news-notice').count(), 0);
  } finally {
    await adminSide.close();
    await memberSide.close();
  }
});

it('dismissing the notice marks the news read; a deleted announcement is gone for members', async () => {
  const member = await signUp(server);
  const adminSide = await contextOf(admin, 'en-GB');
  const memberSide = await contextOf(member, 'en-GB');
  try {
    const page = await adminSide.newPage();
    page.setDefaultTimeout(BROWSER_WAIT_MS);
    await page.goto(`${server.url}/admin/news`);
    await page.getByLabel('Title in French').fill('Nouvelle salle');
    await page.getByLabel('Text in French').fill('Une salle de plus.');
    await page.getByLabel('Title in English').fill('A new room');
    await page.getByLabel('Text in English').fill('One more room.');
    await page.getByRole('button', { name: 'Publish the announcement' }).click();
    await page.locator('#news-admin li', { hasText: 'Nouvelle salle' }).waitFor();

    const calls = await memberSide.newPage();
    calls.setDefaultTimeout(BROWSER_WAIT_MS);
    const before = readCount(member);
    await openCalls(calls);
    const notice = calls.getByRole('region', { name: 'Service news' });
    await notice.getByText('A new room').waitFor();
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    await notice.waitFor({ state: 'detached' });
    assert.ok(readCount(member) > before, 'dismissed means read');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete the announcement “Nouvelle salle”' }).click();
    await page.getByRole('status').getByText('Announcement deleted.').waitFor();
    await calls.goto(`${server.url}/news`);
    await calls.locator('#news:not([aria-busy])').waitFor();
    assert.is(await calls.getByText('A new room').count(), 0);
  } finally {
    await adminSide.close();
    await memberSide.close();
  }
});

news.run();
