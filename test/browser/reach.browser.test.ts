// Who may ring a member, in real Chromium against the real server: the member's settings page
// (do-not-disturb now, the weekly schedule with a time zone, the block list), blocking a guest and
// a member from the incoming-call dialog, and what a blocked caller then sees: the very sentence
// an offline member gives.
//
// Set PORTHELLO_SCREENSHOTS=<dir> to keep a screenshot of each state reached.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, signUp, type TestMember } from '../accounts/helpers.js';
import { browserSuite, launchBrowser } from '../helpers/browser.js';
import { callLinkOf, logInOnCallsPage } from '../helpers/call-pages.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitUntil, withTimeout } from '../helpers/wait.js';
import { en } from '../../server/i18n/en.js';
import { fr } from '../../server/i18n/fr.js';

const BROWSER_WAIT_MS = 15_000;
/** A range of its own, apart from the other relay suites'. */
const RELAY_PORTS = { min: 52600, max: 52649 };
const SCREENSHOT_DIR = process.env['PORTHELLO_SCREENSHOTS'];

const { suite: reach, test } = browserSuite('who may ring me in Chromium');

const GENEROUS_GUEST_INVITES = {
  guestInvitesPerLink: { burst: 100, refillEveryMs: 1000 },
  guestInvitesPerAddress: { burst: 100, refillEveryMs: 1000 },
};

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

reach.before(async () => {
  // A blocked caller rings again right after being blocked: the ring cool-down (tested in
  // test/calls) is off here.
  server = await startTestServer({
    env: { ...FAST_BCRYPT, PORTHELLO_RING_COOLDOWN_S: '0' },
    signaling: true,
    turnRelayPorts: RELAY_PORTS,
    // Every guest of the suite rings from 127.0.0.1, seven times in a few seconds on a fast
    // machine: the per-address invite limit (tested in test/signal/ringing.test.ts) is raised.
    ringLimits: GENEROUS_GUEST_INVITES,
  });
  browser = await withTimeout(launchBrowser(), 'Chromium to start', BROWSER_WAIT_MS);
  if (SCREENSHOT_DIR !== undefined) mkdirSync(SCREENSHOT_DIR, { recursive: true });
});

reach.after.each(async () => {
  for (const context of contexts.splice(0)) await context.close();
});

reach.after(async () => {
  await browser?.close();
  await server?.close();
});

async function openContext(locale: string): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: { width: 390, height: 844 } });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  return page;
}

async function memberOnCallsPage(member: TestMember, locale = 'en-GB'): Promise<Page> {
  const page = await openContext(locale);
  await logInOnCallsPage(page, server.url, member, BROWSER_WAIT_MS);
  return page;
}

/** A guest (English page) opens the link the member's calls page shows, gives a name and rings. */
async function guestRings(callee: Page, name: string): Promise<Page> {
  const guest = await openContext('en-GB');
  await guest.goto(await callLinkOf(callee));
  await guest.getByLabel('Your name').fill(name);
  await guest.getByRole('button', { name: 'Call', exact: true }).click();
  return guest;
}

async function shot(page: Page, name: string): Promise<void> {
  if (SCREENSHOT_DIR === undefined) return;
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-390.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-1280.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
}

test('the member switches do-not-disturb on, sets a weekly schedule in a time zone, and finds both again', async () => {
  const member = await signUp(server, { firstName: 'Irène', lastName: 'Joliot' });
  const page = await memberOnCallsPage(member, 'fr-FR');
  await page.getByRole('link', { name: fr['reach.link'] }).click();
  await page.locator('h1', { hasText: fr['reach.title'] }).waitFor();
  await page.locator('#reach-now', { hasText: fr['client.reach.ringsNow'] }).waitFor();
  await shot(page, 'reach-fr');

  await page.getByLabel(fr['reach.dnd.now']).check();
  await page.locator('#dnd-status', { hasText: fr['client.saved'] }).waitFor();
  await page.locator('#reach-now', { hasText: fr['client.reach.quietNow'] }).waitFor();
  assert.is(server.calls.reach.reachOf(member.id).dndNow, true);

  for (const day of ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi']) await page.getByLabel(day, { exact: true }).check();
  await page.getByLabel(fr['reach.schedule.start'], { exact: true }).fill('21:30');
  await page.getByLabel(fr['reach.schedule.end'], { exact: true }).fill('06:45');
  await page.getByLabel(fr['reach.schedule.timeZone']).selectOption('Asia/Tokyo');
  await page.getByRole('button', { name: fr['reach.schedule.save'] }).click();
  await page.locator('#schedule-status', { hasText: fr['client.saved'] }).waitFor();
  assert.equal(server.calls.reach.reachOf(member.id).schedule, {
    days: ['mon', 'tue', 'wed', 'thu', 'fri'],
    start: '21:30',
    end: '06:45',
    timeZone: 'Asia/Tokyo',
  });

  await page.reload();
  await waitUntil(async () => (await page.inputValue('#schedule-start')) === '21:30', 'the saved schedule to show', BROWSER_WAIT_MS);
  assert.is(await page.inputValue('#schedule-end'), '06:45');
  assert.is(await page.inputValue('#schedule-zone'), 'Asia/Tokyo');
  assert.ok(await page.getByLabel('vendredi', { exact: true }).isChecked());
  assert.not.ok(await page.getByLabel('samedi', { exact: true }).isChecked());
  assert.ok(await page.getByLabel(fr['reach.dnd.now']).isChecked());
  await shot(page, 'reach-fr-set');

  // The calls page says why nothing rings.
  await page.goto(`${server.url}/calls`);
  await page.locator('#reach-quiet:not([hidden])', { hasText: fr['client.reach.quietNow'] }).waitFor();
  await shot(page, 'calls-quiet-fr');
});

test('do-not-disturb switched on while a guest rings: the ringing stops, the member reads a missed call, the guest hears "not connected"', async () => {
  const member = await signUp(server, { firstName: 'Rosalind', lastName: 'Franklin' });
  const callee = await memberOnCallsPage(member);
  const guest = await guestRings(callee, 'Maurice');
  await callee.locator('#incoming-dialog[open]').waitFor();

  // The settings page in another tab of the same browser, while the calls page rings.
  const settings = await callee.context().newPage();
  settings.setDefaultTimeout(BROWSER_WAIT_MS);
  await settings.goto(`${server.url}/calls/reach`);
  await settings.getByLabel(en['reach.dnd.now']).check();
  await settings.locator('#dnd-status', { hasText: en['client.saved'] }).waitFor();

  await callee.locator('#incoming-dialog:not([open])').waitFor({ state: 'attached' });
  await callee.locator('#call-notice-text', { hasText: en['client.calls.ended.missed'].replace('{name}', 'Maurice') }).waitFor();
  await guest.locator('#guest-ended-text', { hasText: en['client.calls.ended.unavailable'].replace('{name}', 'Rosalind') }).waitFor();
  await shot(callee, 'calls-quiet-while-ringing-en');
});

test('a member blocks a guest from the incoming call; the guest then hears "not connected", as from an offline member', async () => {
  const member = await signUp(server, { firstName: 'Marie', lastName: 'Curie' });
  const callee = await memberOnCallsPage(member);
  const guest = await guestRings(callee, 'Pierre Nuisance');

  await callee.locator('#incoming-dialog[open]').waitFor();
  assert.is(await callee.locator('#incoming-who').textContent(), 'Pierre Nuisance');
  await shot(callee, 'calls-incoming-block-en');
  await callee.getByRole('button', { name: en['calls.incoming.block'], exact: true }).click();
  await callee.locator('#call-notice-text', { hasText: en['client.reach.blocked'].replace('{name}', 'Pierre Nuisance') }).waitFor();
  await guest.locator('#guest-ended:not([hidden])').waitFor();

  const unavailable = en['client.calls.ended.unavailable'].replace('{name}', 'Marie');
  await guest.getByRole('button', { name: 'Call again' }).click();
  await guest.locator('#guest-ended-text', { hasText: unavailable }).waitFor();
  assert.not.ok(await callee.locator('#incoming-dialog').evaluate((dialog: HTMLDialogElement) => dialog.open), 'nothing rang');
  await shot(guest, 'guest-unavailable-en');

  // The same sentence as for a member who is simply not connected.
  await callee.close();
  await guest.getByRole('button', { name: 'Call again' }).click();
  await guest.locator('#guest-ended-text', { hasText: unavailable }).waitFor();

  // The member's list shows the guest; Unblock lets them ring again.
  const manager = await memberOnCallsPage(member);
  await manager.goto(`${server.url}/calls/reach`);
  const entry = manager.locator('.block-entry', { hasText: 'Pierre Nuisance' });
  await entry.waitFor();
  assert.match((await entry.textContent()) ?? '', /guest/);
  await shot(manager, 'reach-blocks-en');
  await entry.getByRole('button', { name: 'Unblock Pierre Nuisance' }).click();
  await manager.locator('#blocks-empty:not([hidden])').waitFor();
  await manager.goto(`${server.url}/calls`);
  await manager.locator('#signal-status[data-state="open"]').waitFor();
  await guest.getByRole('button', { name: 'Call again' }).click();
  await manager.locator('#incoming-dialog[open]').waitFor();
  await manager.getByRole('button', { name: 'Decline' }).click();
});

test('a member blocks another member who rings; that member then hears "not connected" on their calls page', async () => {
  const bob = await signUp(server, { firstName: 'Bob', lastName: 'Aaa-Blocking' });
  const ada = await signUp(server, { firstName: 'Ada', lastName: 'Pest' });
  const bobPage = await memberOnCallsPage(bob);
  const adaPage = await memberOnCallsPage(ada, 'fr-FR');
  const ring = async (): Promise<void> => {
    await adaPage.getByRole('button', { name: 'Appeler Bob Aaa-Blocking', exact: true }).click();
  };
  await ring();
  await bobPage.locator('#incoming-dialog[open]').waitFor();
  await bobPage.getByRole('button', { name: en['calls.incoming.block'], exact: true }).click();
  await bobPage.locator('#call-notice-text', { hasText: en['client.reach.blocked'].replace('{name}', 'Ada Pest') }).waitFor();
  await adaPage.locator('#call-notice:not([hidden])').waitFor();
  await adaPage.getByRole('button', { name: fr['calls.notice.close'] }).click();

  await ring();
  await adaPage.locator('#call-notice-text', { hasText: fr['client.calls.ended.unavailable'].replace('{name}', 'Bob Aaa-Blocking') }).waitFor();
  assert.not.ok(await bobPage.locator('#incoming-dialog').evaluate((dialog: HTMLDialogElement) => dialog.open), 'nothing rang');
  await shot(adaPage, 'calls-unavailable-fr');
  await bobPage.goto(`${server.url}/calls/reach`);
  await bobPage.locator('.block-entry', { hasText: 'Ada Pest' }).waitFor();
  await shot(bobPage, 'reach-blocks-member-en');
});

test('a guest knocks with a note; the member lets them in and the call connects', async () => {
  const member = await signUp(server, { firstName: 'Lise', lastName: 'Meitner' });
  const callee = await memberOnCallsPage(member);
  await callee.getByRole('link', { name: en['reach.link'] }).click();
  await callee.getByLabel(en['reach.knock.label']).check();
  await callee.locator('#knock-status', { hasText: en['client.saved'] }).waitFor();
  assert.is(server.calls.reach.knocksFirst(member.id), true);
  await callee.goto(`${server.url}/calls`);
  await callee.locator('#signal-status[data-state="open"]').waitFor();
  const link = await callLinkOf(callee);

  const guest = await openContext('fr-FR');
  await guest.goto(link);
  await guest.getByLabel('Votre nom').fill('Otto Frisch');
  await guest.getByLabel('Un mot pour Lise (facultatif)').fill('C’est pour la fission');
  await shot(guest, 'guest-knock-fr');
  await guest.getByRole('button', { name: 'Appeler', exact: true }).click();
  await guest.locator('#guest-calling-status', { hasText: fr['client.guest.knocking'].replace('{name}', 'Lise') }).waitFor();

  await callee.locator('#incoming-dialog[open][data-knock="true"]').waitFor();
  assert.is(await callee.locator('#incoming-who').textContent(), 'Otto Frisch');
  assert.is(await callee.locator('#incoming-knock-note').textContent(), 'C’est pour la fission');
  assert.is(await callee.locator('#incoming-title').textContent(), en['client.calls.knock.title']);
  await shot(callee, 'calls-knock-en');
  await callee.getByRole('button', { name: en['client.calls.knock.letIn'] }).click();
  for (const side of [callee, guest]) await side.locator('.call-screen[data-phase="connected"]').waitFor();
  await guest.getByRole('button', { name: 'Raccrocher' }).click();
  await callee.locator('.call-screen').waitFor({ state: 'detached' });
});

test('a refused knock tells the guest they were not let in', async () => {
  const member = await signUp(server, { firstName: 'Emmy', lastName: 'Noether' });
  server.calls.reach.updateReach(member.id, { knockFirst: true });
  const callee = await memberOnCallsPage(member);
  const guest = await guestRings(callee, 'Hermann');
  await callee.locator('#incoming-dialog[open][data-knock="true"]').waitFor();
  assert.is(await callee.locator('#incoming-knock-note').isHidden(), true, 'no note, no quote');
  await callee.getByRole('button', { name: en['client.calls.knock.refuse'] }).click();
  await guest.locator('#guest-ended-text', { hasText: en['client.guest.knockRefused'].replace('{name}', 'Emmy') }).waitFor();
  await shot(guest, 'guest-knock-refused-en');
  // Knocking again at once meets the refused knock's cool-down; the member's page stays quiet.
  await guest.getByRole('button', { name: 'Call again' }).click();
  await guest.locator('#guest-ended-text', { hasText: en['client.calls.refused.cooling_down'].replace('{name}', 'Emmy') }).waitFor();
  assert.not.ok(await callee.locator('#incoming-dialog').evaluate((dialog: HTMLDialogElement) => dialog.open));
});

reach.run();
