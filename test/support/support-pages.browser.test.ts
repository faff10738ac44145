// Support end to end in a real browser (Debian's Chromium): a prospect writes on /contact (phone,
// French) and gets a reference; a support account answers and closes it in /admin/support
// (desktop, English); a member writes from the pre-filled form, reads the answer on /support and
// answers back. axe-core checks each page on the way.
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, type TestMember } from '../accounts/helpers.js';
import { seriousViolations } from '../helpers/axe.js';
import { browserSuite, hasChromium, launchBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { REFERENCE_ALPHABET } from '../../server/support/support-rules.js';
import { SUPPORT_INBOX_PAGE_SIZE } from '../../server/support/support-service.js';
import { firstAdmin, memberWithRole } from '../staff/helpers.js';
import { REFERENCE_PATTERN, staffReply } from './helpers.js';

/** Where screenshots of the pages go when a person wants to look at them (PORTHELLO_SCREENSHOTS=dir). */
const SCREENSHOT_DIR = process.env['PORTHELLO_SCREENSHOTS'];
async function shot(page: Page, name: string): Promise<void> {
  if (SCREENSHOT_DIR !== undefined) await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

const BROWSER_WAIT_MS = 10_000;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const { suite: pages, test: it } = browserSuite('support pages in Chromium');
let server: TestServer;
let browser: Browser;
let support: TestMember;
let member: TestMember;

pages.before(async () => {
  if (!hasChromium) return;
  server = await startTestServer({ env: FAST_BCRYPT });
  const admin = await firstAdmin(server);
  support = await memberWithRole(server, admin, 'support');
  member = await memberWithRole(server, admin, 'member');
  browser = await launchBrowser();
});
pages.after(async () => {
  if (!hasChromium) return;
  await browser.close();
  await server.close();
});

async function contextOf(who: TestMember | null, options: Parameters<Browser['newContext']>[0]): Promise<BrowserContext> {
  const context = await browser.newContext({ reducedMotion: 'reduce', ...options });
  if (who !== null) {
    const [name = '', value = ''] = who.cookie.split('=');
    await context.addCookies([{ name, value, url: server.url }]);
  }
  return context;
}

async function pageOf(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  return page;
}

async function assertAccessible(page: Page, label: string): Promise<void> {
  const problems = await seriousViolations(page);
  assert.equal(
    problems.map((problem) => `${label}: ${problem.rule} ${problem.help} at ${problem.targets.join(', ')}`),
    [],
  );
}

it('a prospect writes from the contact page and gets a reference; support answers and closes it in the inbox', async () => {
  const prospectSide = await contextOf(null, { viewport: PHONE, locale: 'fr-FR' });
  const supportSide = await contextOf(support, { viewport: DESKTOP, locale: 'en-GB' });
  try {
    const prospect = await pageOf(prospectSide);
    await prospect.goto(`${server.url}/`);
    await prospect.getByRole('contentinfo').getByRole('link', { name: 'Écrire au support' }).click();
    await prospect.waitForURL(`${server.url}/contact`);
    assert.is(await prospect.getByLabel('Adresse e-mail').inputValue(), '', 'nothing pre-filled for a prospect');
    // The honeypot: off screen, out of the tab order, and absent from the accessibility tree.
    assert.ok(((await prospect.locator('#website').boundingBox())?.x ?? 0) < 0, 'the honeypot is out of sight');
    assert.is(await prospect.locator('#website').getAttribute('tabindex'), '-1');
    assert.is(await prospect.getByRole('textbox', { name: 'Laissez ce champ vide' }).count(), 0, 'screen readers do not announce it');
    await prospect.getByLabel('Adresse e-mail').fill('grace.prospect@example.org');
    await prospect.getByLabel('Votre nom').fill('Grace Prospect');
    await prospect.getByLabel('Sujet').fill('Installer Porthello');
    await prospect.getByLabel('Votre message', { exact: true }).fill('Bonjour,\nfaut-il un serveur dédié ?');
    await prospect.getByRole('button', { name: 'Envoyer le message' }).click();
    const referenceText = prospect.locator('#sent-reference');
    await referenceText.waitFor();
    const reference = (await referenceText.textContent()) ?? '';
    assert.match(reference, REFERENCE_PATTERN);
    await prospect.locator('#sent-text').getByText(`Votre référence : ${reference}`).waitFor();
    assert.is(await prospect.getByLabel('Votre message', { exact: true }).inputValue(), '', 'the form is ready for another message');
    await assertAccessible(prospect, 'contact fr');
    await shot(prospect, 'contact-sent-fr-phone');

    const staff = await pageOf(supportSide);
    await staff.goto(`${server.url}/admin/accounts`);
    await staff.getByRole('navigation', { name: 'Administration pages' }).getByRole('link', { name: 'Support' }).click();
    await staff.waitForURL(`${server.url}/admin/support`);
    const item = staff.locator('#conversations li', { hasText: reference });
    await item.getByText('Grace Prospect <grace.prospect@example.org>').waitFor();
    await item.getByText('No account').waitFor();
    await assertAccessible(staff, 'inbox en');
    await item.getByRole('link', { name: 'Read the conversation “Installer Porthello”' }).click();
    await staff.locator('#messages li', { hasText: 'faut-il un serveur dédié ?' }).waitFor();
    await staff.getByLabel('Your answer').fill('Hello Grace,\nany small Debian box will do.');
    await staff.getByRole('button', { name: 'Send the answer' }).click();
    await staff.locator('.form-status').getByText('Answer sent.').waitFor();
    await staff
      .locator('#messages li', { hasText: `${support.firstName} ${support.lastName}` })
      .getByText('any small Debian box will do.')
      .waitFor();
    assert.match((await staff.locator('#conversation-meta').textContent()) ?? '', 'Answered');
    await assertAccessible(staff, 'conversation en');
    await shot(staff, 'admin-support-en-desktop');
    await staff.getByRole('button', { name: 'Close the conversation' }).click();
    await staff.locator('.form-status').getByText('Conversation closed.').waitFor();
    assert.is(server.db.prepare('SELECT state FROM support_conversations WHERE id = ?').pluck().get(reference), 'closed');

    await staff.goBack();
    await staff.getByLabel('Show').selectOption('closed');
    await staff.locator('#conversations li', { hasText: reference }).getByText('Closed').waitFor();
  } finally {
    await prospectSide.close();
    await supportSide.close();
  }
});

it('a member writes from the pre-filled form, reads the answer on their support page and answers back', async () => {
  const context = await contextOf(member, { viewport: PHONE, locale: 'en-GB' });
  try {
    const page = await pageOf(context);
    await page.goto(`${server.url}/profile`);
    await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Support' }).click();
    await page.waitForURL(`${server.url}/support`);
    await page.locator('#conversations').getByText('No conversation.').waitFor();
    await page.getByRole('link', { name: 'Write a new message' }).click();
    await page.waitForURL(`${server.url}/contact`);
    assert.is(await page.getByLabel('E-mail address').inputValue(), member.email);
    assert.is(await page.getByLabel('Your name').inputValue(), `${member.firstName} ${member.lastName}`);
    await page.getByText('the conversation is linked to your account').waitFor();
    await page.getByLabel('Subject').fill('Camera not found');
    await page.getByLabel('Your message', { exact: true }).fill('My camera is not listed.');
    await page.getByRole('button', { name: 'Send the message' }).click();
    const reference = (await page.locator('#sent-reference').textContent()) ?? '';
    assert.match(reference, REFERENCE_PATTERN);
    await staffReply(server, support.cookie, reference, 'Allow the camera for this site.');

    await page.goto(`${server.url}/support`);
    await page.getByRole('link', { name: 'Read the conversation “Camera not found”' }).click();
    await page.locator('#messages li', { hasText: 'Support · ' }).getByText('Allow the camera for this site.').waitFor();
    assert.not.match((await page.locator('#messages').textContent()) ?? '', support.lastName, 'the staff member’s name stays out');
    await page.getByLabel('Your answer').fill('It works now, thank you.');
    await page.getByRole('button', { name: 'Send the answer' }).click();
    await page.locator('.form-status').getByText('Answer sent.').waitFor();
    await page.locator('#messages li', { hasText: 'You · ' }).getByText('It works now, thank you.').waitFor();
    assert.is(server.db.prepare('SELECT state FROM support_conversations WHERE id = ?').pluck().get(reference), 'open');
    await assertAccessible(page, 'support en');
    await shot(page, 'support-en-phone');
    await page.getByRole('link', { name: 'Back to the list' }).click();
    await page.locator('#conversations li', { hasText: reference }).getByText('Waiting').waitFor();

    // A reference that is not theirs (or no longer exists) leaves the list in view, with the reason.
    await page.goto(`${server.url}/support#AAAA-AAAA`);
    await page.locator('#list-status').getByText('Not found: this does not exist, or no longer does.').waitFor();
    assert.ok(await page.locator('#conversation-view').isHidden());
  } finally {
    await context.close();
  }
});

it('the inbox shows a page of conversations and the older ones on demand, with the keyboard where it left off', async () => {
  const present = server.db.prepare("SELECT count(*) FROM support_conversations WHERE state = 'open'").pluck().get() as number;
  const seeded = SUPPORT_INBOX_PAGE_SIZE + 3 - present;
  const insert = server.db.prepare(`INSERT INTO support_conversations (id, member_id, email, name, locale, subject, state, created_at, updated_at)
    VALUES (?, NULL, 'someone@example.org', 'Someone', 'en', ?, 'open', ?, ?)`);
  // Older than anything the other tests wrote: they fill the second page.
  for (let index = 0; index < seeded; index += 1) {
    const at = new Date(Date.UTC(2026, 0, 1, 0, index)).toISOString();
    const code = Array.from(
      { length: 4 },
      (_, digit) => REFERENCE_ALPHABET[Math.floor(index / REFERENCE_ALPHABET.length ** (3 - digit)) % REFERENCE_ALPHABET.length],
    );
    insert.run(`SEED-${code.join('')}`, `Seeded question ${index}`, at, at);
  }
  const context = await contextOf(support, { viewport: PHONE, locale: 'en-GB' });
  try {
    const staff = await pageOf(context);
    await staff.goto(`${server.url}/admin/support`);
    const items = staff.locator('#conversations > li');
    const more = staff.getByRole('button', { name: 'Show older conversations' });
    await more.waitFor();
    assert.is(await items.count(), SUPPORT_INBOX_PAGE_SIZE);
    await more.focus();
    await staff.keyboard.press('Enter');
    await staff
      .locator('#list-status')
      .getByText(`${SUPPORT_INBOX_PAGE_SIZE + 3} conversations shown.`)
      .waitFor();
    assert.is(await items.count(), SUPPORT_INBOX_PAGE_SIZE + 3);
    assert.ok(await more.isHidden(), 'nothing older');
    assert.is(
      await staff.evaluate(() => document.activeElement?.closest('li')?.querySelector('strong')?.textContent ?? null),
      await items.nth(SUPPORT_INBOX_PAGE_SIZE).locator('strong').textContent(),
      'the focus is on the first older conversation',
    );
    await assertAccessible(staff, 'inbox, second page');
    await shot(staff, 'admin-support-older-en-phone');
  } finally {
    await context.close();
    server.db.prepare("DELETE FROM support_conversations WHERE id LIKE 'SEED-%'").run();
  }
});

pages.run();
