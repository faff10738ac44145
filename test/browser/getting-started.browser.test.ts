// Getting started and the calls page in real Chromium against the real server: sign-up lands on
// /calls with a first-visit explanation, a refused picture does not strand the new member, the
// link is first with Copy and Share, reachability is stated, and the call log shows calls made
// and received with filters and an undoable delete.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, signUp, uniqueEmail, withCookie, type TestMember } from '../accounts/helpers.js';
import { browserSuite, hasChromium, launchBrowser } from '../helpers/browser.js';
import { logInOnCallsPage } from '../helpers/call-pages.js';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';
import { DIRECTORY_PAGE_SIZE } from '../../server/calls/call-service.js';

// Code passed to the page runs there; this names its globals for the type checker.
// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const window: any;
// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const navigator: any;
// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const document: any;

const BROWSER_WAIT_MS = 15_000;
const { suite: pages, test } = browserSuite('getting started and the calls page in Chromium');
let server: TestServer;
let browser: Browser;
let scratch: string;

pages.before(async () => {
  if (!hasChromium) return;
  server = await startTestServer({ env: FAST_BCRYPT, signaling: true });
  browser = await launchBrowser();
  scratch = mkdtempSync(join(tmpdir(), 'porthello-start-'));
});
pages.after(async () => {
  if (!hasChromium) return;
  await browser.close();
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function open(locale: string, width = 390): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height: 844 }, locale });
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  return { context, page };
}

async function fillSignup(page: Page, email: string): Promise<void> {
  await page.goto(`${server.url}/signup?lang=en`);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('First name').fill('Ada');
  await page.getByLabel('Last name').fill('Lovelace');
  await page.getByLabel('Password').fill('a long enough passphrase');
  await page.getByLabel(/I have read and accept/).check();
}

test('sign-up lands on /calls with the link first and an explanation shown until dismissed', async () => {
  const { context, page } = await open('en-GB');
  try {
    await fillSignup(page, uniqueEmail());
    await page.getByRole('button', { name: 'Create my account' }).click();
    await page.waitForURL(`${server.url}/calls`);
    const welcome = page.getByRole('region', { name: 'Welcome: this is your calls page' });
    await welcome.waitFor();
    assert.ok(await welcome.getByText(/keep it open in a tab/).isVisible());
    await page.locator('#signal-status[data-state="open"]', { hasText: 'You can be called while this page is open.' }).waitFor();
    await waitUntil(async () => (await page.inputValue('#call-link')) !== '', 'the call link to show', BROWSER_WAIT_MS);
    // The link comes before the log and the directory, on a phone.
    const top = async (selector: string) => (await page.locator(selector).boundingBox())?.y ?? Number.NaN;
    assert.ok((await top('#link-card')) < (await top('#log-title')), 'the link above the log');
    assert.ok((await top('#link-card')) < (await top('#directory-title')), 'the link above the directory');

    await welcome.getByRole('button', { name: 'Got it' }).click();
    assert.ok(await welcome.isHidden());
    assert.is(await page.evaluate(() => document.activeElement?.id), 'call-link');
    await page.reload();
    await page.locator('#signal-status[data-state="open"]').waitFor();
    assert.ok(await page.locator('#welcome').isHidden(), 'not shown again');
  } finally {
    await context.close();
  }
});

test('a refused picture at sign-up says the account exists, why the picture was refused, and where to go', async () => {
  const { context, page } = await open('en-GB', 1280);
  try {
    const notAPicture = join(scratch, 'holiday.jpg');
    writeFileSync(notAPicture, 'this is text, not a picture');
    const email = uniqueEmail();
    await fillSignup(page, email);
    await page.getByLabel('Profile picture (optional)').setInputFiles(notAPicture);
    await page.getByRole('button', { name: 'Create my account' }).click();
    const refused = page.getByRole('region', { name: 'Your account is created' });
    await refused.waitFor();
    assert.ok(await refused.getByText('Unsupported format: choose a JPEG, PNG, WebP, GIF, AVIF or HEIC image.').isVisible());
    assert.ok(await page.locator('#signup-form').isHidden(), 'no form to submit a second time');
    assert.ok(await page.getByText('Already have an account?').isHidden(), 'no invitation to log in');
    assert.is(await page.evaluate(() => document.activeElement?.id), 'picture-refused');
    assert.is(page.url(), `${server.url}/signup?lang=en`, 'the page stays until the member chooses');
    await refused.getByRole('link', { name: 'Go to my calls page' }).click();
    await page.waitForURL(`${server.url}/calls`);
    const me = (await (await page.request.get(`${server.url}/api/me`)).json()) as { email: string; avatar: unknown };
    assert.equal([me.email, me.avatar], [email, null]);
  } finally {
    await context.close();
  }
});

test('Copy puts the link on the clipboard and Share hands it to the system where it exists', async () => {
  const member = await signUp(server);
  const { context, page } = await open('fr-FR');
  try {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    // Headless Chromium on Linux has no share sheet: this one records what it was given.
    await context.addInitScript(() => {
      window.__shared = [];
      navigator.share = (data: unknown) => {
        window.__shared.push(data);
        return Promise.resolve();
      };
    });
    await logInOnCallsPage(page, server.url, member, BROWSER_WAIT_MS);
    await waitUntil(async () => (await page.inputValue('#call-link')) !== '', 'the call link to show', BROWSER_WAIT_MS);
    const link = await page.inputValue('#call-link');
    await page.getByRole('button', { name: 'Copier' }).click();
    await page.locator('#link-status', { hasText: 'Lien copié.' }).waitFor();
    assert.is(await page.evaluate(() => navigator.clipboard.readText()), link);
    await page.getByRole('button', { name: 'Partager' }).click();
    await waitUntil(async () => (await page.evaluate(() => window.__shared.length)) === 1, 'the link to be shared', BROWSER_WAIT_MS);
    assert.equal(await page.evaluate(() => window.__shared[0].url), link);
  } finally {
    await context.close();
  }
});

test('the calls page says why the member cannot be called once logged out, and other pages point back to /calls', async () => {
  const member = await signUp(server);
  const { context, page } = await open('en-GB', 1280);
  try {
    await logInOnCallsPage(page, server.url, member, BROWSER_WAIT_MS);
    const cookie = (await context.cookies()).map((entry) => `${entry.name}=${entry.value}`).join('; ');
    assert.is((await server.fetch('/api/auth/logout', withCookie(cookie, { method: 'POST' }))).status, 204);
    await page.locator('#signal-status[data-state="closed"]', { hasText: 'You cannot be called: you were logged out. Log in again.' }).waitFor();

    await logInOnCallsPage(page, server.url, member, BROWSER_WAIT_MS);
    for (const path of ['/profile', '/my-data']) {
      await page.goto(`${server.url}${path}`);
      assert.ok(await page.getByText('You cannot be called on this page.').isVisible(), path);
      await page.getByRole('link', { name: 'Go back to your calls page to be reachable.' }).click();
      await page.waitForURL(`${server.url}/calls`);
    }
  } finally {
    await context.close();
  }
});

/** Bob's log: a call he made to Ada (no answer), one from Zoé he missed, one from Ada he answered. */
function fillLog(bob: TestMember, ada: TestMember): void {
  const at = (minutes: number) => new Date(Date.UTC(2026, 10, 1, 9, minutes));
  const { service } = server.calls;
  service.recordCall({ calleeMemberId: ada.id, caller: { kind: 'member', memberId: bob.id }, startedAt: at(0), outcome: 'missed', durationS: null });
  for (let ring = 0; ring < 3; ring += 1)
    service.recordCall({ calleeMemberId: bob.id, caller: { kind: 'guest', displayName: 'Zoé' }, startedAt: at(20 + ring), outcome: 'missed', durationS: null });
  service.recordCall({ calleeMemberId: bob.id, caller: { kind: 'member', memberId: ada.id }, startedAt: at(40), outcome: 'answered', durationS: 65 });
}

test('the log shows calls made and received with their attempts, filters the missed ones, and undoes a delete', async () => {
  const bob = await signUp(server, { firstName: 'Bob', lastName: 'Durand' });
  const ada = await signUp(server, { firstName: 'Ada', lastName: 'Lovelace' });
  fillLog(bob, ada);
  const { context, page } = await open('en-GB', 1280);
  try {
    await logInOnCallsPage(page, server.url, bob, BROWSER_WAIT_MS);
    const entries = page.locator('#call-log .call-entry:not([hidden])');
    await waitUntil(async () => (await entries.count()) === 3, 'three entries', BROWSER_WAIT_MS);
    assert.equal(await entries.evaluateAll((items: HTMLElement[]) => items.map((item) => item.dataset['direction'])), ['received', 'received', 'made']);
    assert.match((await entries.nth(0).textContent()) ?? '', /Incoming call · Answered · 1 min 05 s/);
    assert.match((await entries.nth(1).textContent()) ?? '', /Zoé \(guest\).*Incoming call · Missed · 3 attempts/);
    assert.match((await entries.nth(2).textContent()) ?? '', /Ada Lovelace.*Outgoing call · No answer/);

    await page.getByRole('radio', { name: 'Missed calls' }).check();
    await waitUntil(async () => (await entries.count()) === 1, 'only the missed call', BROWSER_WAIT_MS);
    assert.match((await entries.first().textContent()) ?? '', /Zoé/);
    await page.getByRole('radio', { name: 'All calls' }).check();
    await waitUntil(async () => (await entries.count()) === 3, 'every call again', BROWSER_WAIT_MS);

    // Delete asks nothing; focus goes to Undo, not onto the next Delete.
    await page.getByRole('button', { name: /^Delete the call from Zoé \(guest\)/ }).click();
    await waitUntil(async () => (await entries.count()) === 2, 'the entry to be hidden', BROWSER_WAIT_MS);
    const undo = page.getByRole('button', { name: 'Undo' });
    assert.ok(await undo.isVisible());
    assert.is(await page.evaluate(() => document.activeElement?.id), 'log-undo');
    assert.ok(await page.getByRole('status').getByText('Call deleted from the log.').isVisible());
    await undo.click();
    await waitUntil(async () => (await entries.count()) === 3, 'the entry to come back', BROWSER_WAIT_MS);
    assert.match((await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))) ?? '', /^Delete the call from Zoé/);
    const logOf = async () => (await jsonOf(await server.fetch('/api/calls', withCookie(bob.cookie)))).calls.length;
    assert.is(await logOf(), 3, 'nothing deleted on the server');

    // Without undo, the entry goes for good once the undo time is over.
    await page.getByRole('button', { name: /^Delete the call to Ada Lovelace/ }).click();
    await waitUntil(async () => (await logOf()) === 2, 'the server to delete the entry', BROWSER_WAIT_MS);
    await waitUntil(async () => (await page.locator('#call-log .call-entry').count()) === 2, 'the entry to leave the list', BROWSER_WAIT_MS);
    assert.ok(await undo.isHidden());
    assert.is(await page.evaluate(() => document.activeElement?.id), 'log-title', 'focus on the log, not on a Delete');
  } finally {
    await context.close();
  }
});

test('the directory pages and searches on the server, and shows "can be called now" only for members who allow it', async () => {
  const me = await signUp(server, { firstName: 'Ada', lastName: 'Aaron' });
  const prefix = `Q${Date.now().toString(36)}`;
  for (let i = 0; i < DIRECTORY_PAGE_SIZE + 3; i += 1) await signUp(server, { firstName: prefix, lastName: `N${String(i).padStart(3, '0')}` });
  const grace = await signUp(server, { firstName: 'Grâce', lastName: `${prefix}Hopper` });
  const mine = await open('fr-FR');
  const hers = await open('fr-FR', 1280);
  try {
    // Grace turns presence on from her profile, then opens her calls page.
    await logInOnCallsPage(hers.page, server.url, grace, BROWSER_WAIT_MS);
    await hers.page.goto(`${server.url}/profile`);
    const presence = hers.page.getByLabel('Montrer aux autres membres quand je peux être appelé');
    await waitUntil(() => presence.isEnabled(), 'the presence switch to load', BROWSER_WAIT_MS);
    assert.not.ok(await presence.isChecked(), 'off by default');
    await presence.check();
    await hers.page.locator('#presence-status', { hasText: 'Enregistré' }).waitFor();
    await hers.page.goto(`${server.url}/calls`);
    await hers.page.locator('#signal-status[data-state="open"]').waitFor();

    await logInOnCallsPage(mine.page, server.url, me, BROWSER_WAIT_MS);
    const entries = mine.page.locator('#directory .directory-entry');
    const search = mine.page.getByLabel('Chercher un membre par son nom');
    await search.fill(prefix);
    const allFound = async (count: number) =>
      (await entries.count()) === count &&
      (await entries.evaluateAll((items: HTMLElement[], found: string) => items.every((item) => (item.textContent ?? '').includes(found)), prefix));
    await waitUntil(() => allFound(DIRECTORY_PAGE_SIZE), 'one page of the members found', BROWSER_WAIT_MS);
    await mine.page.getByRole('button', { name: 'Afficher plus de membres' }).click();
    await waitUntil(() => allFound(DIRECTORY_PAGE_SIZE + 4), 'every member found', BROWSER_WAIT_MS);
    assert.ok(await mine.page.locator('#directory-more').isHidden());
    assert.is(await mine.page.evaluate(() => document.activeElement?.closest('li')?.textContent?.includes('N050')), true, 'focus on the first new member');

    await search.fill(`grace ${prefix.toLowerCase()}`);
    await waitUntil(async () => (await entries.count()) === 1, 'Grace alone', BROWSER_WAIT_MS);
    await entries.first().getByText('Joignable maintenant').waitFor();
    await search.fill(`${prefix} N052`);
    await waitUntil(
      async () => (await entries.first().textContent())?.includes('N052') === true && (await entries.count()) === 1,
      'the last member by search',
      BROWSER_WAIT_MS,
    );
    assert.not.ok(await entries.first().getByText('Joignable maintenant').isVisible(), 'not shown for a member who keeps it private');
    await search.fill('personne de ce nom');
    await mine.page.locator('#directory-nomatch:not([hidden])').waitFor();
    assert.is(await entries.count(), 0);
  } finally {
    await mine.context.close();
    await hers.context.close();
  }
});

pages.run();
