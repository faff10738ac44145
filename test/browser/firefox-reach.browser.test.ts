// Knocking and blocking across browsers: a guest in real Firefox knocks with a note at a member in
// real Chromium who lets guests in one by one; let in, the call connects through the relay; after
// the call the member blocks the guest from the notice, and the guest then hears the same
// "not connected" sentence an offline member gives.
import type { Browser as PlaywrightBrowser, Page } from 'playwright-core';
import type { Browser as PuppeteerBrowser, Page as FirefoxPage } from 'puppeteer-core';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, signUp } from '../accounts/helpers.js';
import { launchBrowser } from '../helpers/browser.js';
import { CALL_WAIT_MS, fill, logInOnCallsPage, RECORD_PEER_CONNECTIONS, waitForText, waitMediaGrowing } from '../helpers/call-pages.js';
import { firefoxSuite, launchFirefox } from '../helpers/firefox.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitUntil, withTimeout } from '../helpers/wait.js';
import { en } from '../../server/i18n/en.js';

/** A range of its own, apart from the other relay suites'. */
const RELAY_PORTS = { min: 52670, max: 52699 };
/** Both browsers start together; Firefox takes 4–10 s on two busy cores. */
const LAUNCH_WAIT_MS = 60_000;

const { suite: firefoxReach, test } = firefoxSuite('knocking and blocking with a Firefox guest', { withChromium: true });

let server: TestServer;
let firefox: PuppeteerBrowser;
let chromium: PlaywrightBrowser;

firefoxReach.before(async () => {
  server = await startTestServer({ env: { ...FAST_BCRYPT, PORTHELLO_RING_COOLDOWN_S: '0' }, signaling: true, turnRelayPorts: RELAY_PORTS });
  [firefox, chromium] = await withTimeout(Promise.all([launchFirefox(), launchBrowser()]), 'Firefox and Chromium to start', LAUNCH_WAIT_MS);
});

firefoxReach.after(async () => {
  await firefox?.close();
  await chromium?.close();
  await server?.close();
});

test('a Firefox guest knocks with a note, is let in, talks, and once blocked hears "not connected"', async () => {
  const member = await signUp(server, { firstName: 'Lise', lastName: 'Meitner' });
  server.calls.reach.updateReach(member.id, { knockFirst: true });
  const memberContext = await chromium.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 800 } });
  const guestContext = await firefox.createBrowserContext();
  try {
    await memberContext.addInitScript(RECORD_PEER_CONNECTIONS);
    const callee: Page = await memberContext.newPage();
    callee.setDefaultTimeout(CALL_WAIT_MS);
    await logInOnCallsPage(callee, server.url, member);
    await waitUntil(async () => (await callee.inputValue('#call-link')) !== '', 'the call link to show', CALL_WAIT_MS);
    const link = await callee.inputValue('#call-link');

    const guest: FirefoxPage = await guestContext.newPage();
    await guest.evaluateOnNewDocument(RECORD_PEER_CONNECTIONS);
    guest.setDefaultTimeout(CALL_WAIT_MS);
    guest.setDefaultNavigationTimeout(CALL_WAIT_MS);
    await guest.goto(link);
    await guest.waitForSelector('#knock-field:not([hidden])', { timeout: CALL_WAIT_MS });
    await fill(guest, '#display-name', 'Otto Frisch');
    await fill(guest, '#knock-note', 'About the fission letter');
    await guest.click('#guest-call');
    await waitForText(guest, '#guest-calling-status', en['client.guest.knocking'].replace('{name}', 'Lise'));

    await callee.locator('#incoming-dialog[open][data-knock="true"]').waitFor();
    assert.is(await callee.locator('#incoming-knock-note').textContent(), 'About the fission letter');
    await callee.getByRole('button', { name: en['client.calls.knock.letIn'] }).click();
    await callee.locator('.call-screen[data-phase="connected"]').waitFor();
    await guest.waitForSelector('.call-screen[data-phase="connected"]', { timeout: CALL_WAIT_MS });
    await waitMediaGrowing(guest, 'the Firefox guest');
    await waitMediaGrowing(callee, 'the Chromium member');

    await guest.click('.call-button-hang-up');
    const block = callee.getByRole('button', { name: en['client.reach.block'].replace('{name}', 'Otto Frisch') });
    await block.click();
    await callee.locator('#call-notice-text', { hasText: en['client.reach.blocked'].replace('{name}', 'Otto Frisch') }).waitFor();

    await guest.waitForSelector('#guest-ended:not([hidden])', { timeout: CALL_WAIT_MS });
    await guest.click('#guest-again');
    await waitForText(guest, '#guest-ended-text', en['client.calls.ended.unavailable'].replace('{name}', 'Lise'));
    assert.not.ok(await callee.locator('#incoming-dialog').evaluate((dialog: HTMLDialogElement) => dialog.open), 'nothing rang');
  } finally {
    await guestContext.close();
    await memberContext.close();
  }
});

firefoxReach.run();
