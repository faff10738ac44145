// The security code of a call, in real Chromium against the real server: both sides of a call
// show the same six digits, worked out from the two DTLS certificates their connection really
// uses; the explanation and the help link (a new tab: the call goes on) are there in English
// and French. With a man in the middle (test/helpers/dtls-middle.ts: the signaling rewritten so
// that each side's real DTLS connection ends at the middle's own certificate), the call works
// but the two sides show different codes when the middle commits to a certificate of its own,
// and the caller shows a warning instead of a code when it forwards the callee's commitment.
// (Firefox calling Chromium: the firefox-guest-calls and firefox-member-calls suites.)
//
// Set PORTHELLO_SCREENSHOTS=<dir> to keep screenshots of the call screen and the help page,
// phone and desktop, in both languages.
import { webcrypto } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { type StatsReport, verificationCode } from '../../public/ts/lib/call/verification.js';
import { FAST_BCRYPT, signUp, type TestMember } from '../accounts/helpers.js';
import { seriousViolations } from '../helpers/axe.js';
import { browserSuite, launchBrowser } from '../helpers/browser.js';
import { logInOnCallsPage, RECORD_PEER_CONNECTIONS, waitMediaGrowing } from '../helpers/call-pages.js';
import { type CommitmentMode, startDtlsMiddle } from '../helpers/dtls-middle.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitUntil, withTimeout } from '../helpers/wait.js';

// Code passed to the page runs there; this names its globals for the type checker.
// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const window: any;

const BROWSER_WAIT_MS = 20_000;
/** A range of its own, apart from the other relay suites'. */
const RELAY_PORTS = { min: 52800, max: 52899 };
const SCREENSHOT_DIR = process.env['PORTHELLO_SCREENSHOTS'];
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
/** Six digits in two groups, as the call screen writes them. */
const CODE_FORMAT = /^\d{3} \d{3}$/;

const { suite: verification, test } = browserSuite('security code of a call in Chromium');

let server: TestServer;
let browser: Browser;

verification.before(async () => {
  server = await startTestServer({ env: FAST_BCRYPT, signaling: true, turnRelayPorts: RELAY_PORTS });
  browser = await withTimeout(launchBrowser(), 'Chromium to start', BROWSER_WAIT_MS);
  if (SCREENSHOT_DIR !== undefined) mkdirSync(SCREENSHOT_DIR, { recursive: true });
});

verification.after(async () => {
  await browser?.close();
  await server?.close();
});

type Side = { context: BrowserContext; page: Page };

async function openSide(locale: string, viewport = DESKTOP): Promise<Side> {
  const context = await browser.newContext({ locale, viewport });
  await context.addInitScript(RECORD_PEER_CONNECTIONS);
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  return { context, page };
}

/** Alice calls Bob from the directory and Bob answers; `beforeLogIn` may route a side's signaling first. */
async function call(alice: TestMember, bob: TestMember, locale: string, beforeLogIn?: (caller: Side, callee: Side) => Promise<void>): Promise<[Side, Side]> {
  const caller = await openSide(locale, DESKTOP);
  const callee = await openSide(locale, PHONE);
  try {
    await beforeLogIn?.(caller, callee);
    await logInOnCallsPage(callee.page, server.url, bob, BROWSER_WAIT_MS);
    await logInOnCallsPage(caller.page, server.url, alice, BROWSER_WAIT_MS);
    await caller.page.locator(`.directory-entry[data-member-id="${bob.id}"] .call-member:not([disabled])`).click();
    await callee.page.locator('#incoming-dialog[open]').waitFor();
    await callee.page.locator('#incoming-accept').click();
    for (const side of [caller, callee]) await side.page.locator('.call-screen[data-phase="connected"]').waitFor();
    return [caller, callee];
  } catch (error) {
    await caller.context.close();
    await callee.context.close();
    throw error;
  }
}

/** The code a side shows, once shown: the element's text and its data attribute agree. */
async function codeOf(side: Side): Promise<string> {
  const element = side.page.locator('[data-verification-code]');
  await element.waitFor();
  const [text, attribute] = [await element.textContent(), await element.getAttribute('data-verification-code')];
  assert.is(text, attribute);
  assert.match(text ?? '', CODE_FORMAT);
  return text ?? '';
}

/** The certificates of the side's live DTLS transport, read from its own getStats. */
function certificatesOf(side: Side): Promise<{ local: string; remote: string }> {
  return side.page.evaluate(async () => {
    const stats = await window.__pcs.at(-1).getStats();
    const found = { local: '', remote: '' };
    stats.forEach((report: StatsReport) => {
      if (report.type !== 'transport' || report.dtlsState !== 'connected') return;
      const print = (id = '') => `${stats.get(id).fingerprintAlgorithm} ${stats.get(id).fingerprint}`;
      found.local = print(report.localCertificateId);
      found.remote = print(report.remoteCertificateId);
    });
    return found;
  });
}

const asFingerprint = (text: string) => {
  const [algorithm = '', value = ''] = text.split(' ');
  return { algorithm, value };
};

async function shots(page: Page, name: string, fullPage = false): Promise<void> {
  if (SCREENSHOT_DIR === undefined) return;
  const viewport = page.viewportSize() ?? PHONE;
  for (const size of [PHONE, DESKTOP]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${size.width}.png`), fullPage });
  }
  await page.setViewportSize(viewport);
}

const LANGUAGES = [
  { locale: 'en-GB', lang: 'en', hint: 'Read it aloud: Alice Honest', help: 'Learn more', heading: 'The security code: check that nobody is listening in' },
  {
    locale: 'fr-FR',
    lang: 'fr',
    hint: 'Lisez-le à voix haute : Alice Honest',
    help: 'En savoir plus',
    heading: 'Le code de sécurité : vérifier que personne n’écoute',
  },
];

for (const { locale, lang, hint, help, heading } of LANGUAGES) {
  test(`${lang}: both sides show the same code, from the two certificates of their connection, explained, with the help a tab away`, async () => {
    const alice = await signUp(server, { firstName: 'Alice', lastName: 'Honest' });
    const bob = await signUp(server, { firstName: 'Bob', lastName: `Honest${lang}` });
    const [caller, callee] = await call(alice, bob, locale);
    try {
      const [callerCode, calleeCode] = [await codeOf(caller), await codeOf(callee)];
      assert.is(callerCode, calleeCode, 'the same code on both screens');
      // The callee's certificate is the one it committed to: no warning.
      for (const side of [caller, callee]) assert.is(await side.page.locator('[data-verification-warning]').count(), 0);

      // The code is the one the two certificates of the live connection give.
      const [mine, theirs] = [await certificatesOf(caller), await certificatesOf(callee)];
      assert.is(mine.local, theirs.remote);
      assert.is(mine.remote, theirs.local);
      assert.is(await verificationCode({ local: asFingerprint(mine.local), remote: asFingerprint(mine.remote) }, webcrypto.subtle), callerCode);

      // What to do with it, in the page's language; the help opens beside the call, which goes on.
      await callee.page.locator('.call-verify-hint', { hasText: hint }).waitFor();
      await shots(callee.page, `call-security-code-${lang}`);
      const [helpPage] = await Promise.all([callee.context.waitForEvent('page'), callee.page.getByRole('link', { name: help }).click()]);
      await helpPage.waitForLoadState();
      assert.is(new URL(helpPage.url()).hash, '#verification-code');
      await helpPage.getByRole('heading', { name: heading, level: 2 }).waitFor();
      assert.is(await callee.page.locator('.call-screen').getAttribute('data-phase'), 'connected', 'the call goes on');
      await shots(helpPage, `help-${lang}`, true);
      await helpPage.close();
    } finally {
      await caller.context.close();
      await callee.context.close();
    }
  });
}

/** Alice calls Bob through a middle (test/helpers/dtls-middle.ts) that treats the callee's commitment as `mode` says, once media flows both ways. */
async function callThroughMiddle(mode: CommitmentMode, lastName: string, body: (caller: Side, callee: Side) => Promise<void>): Promise<void> {
  const alice = await signUp(server, { firstName: 'Alice', lastName });
  const bob = await signUp(server, { firstName: 'Bob', lastName });
  const middleContext = await browser.newContext();
  const middlePage = await middleContext.newPage();
  await middlePage.goto(`${server.url}/help`);
  const middle = await startDtlsMiddle(middlePage, mode);
  let sides: Side[] = [];
  try {
    const [caller, callee] = await call(alice, bob, 'en-GB', async (caller, callee) => {
      await middle.intercept(caller.context, 'caller');
      await middle.intercept(callee.context, 'callee');
    });
    sides = [caller, callee];
    await waitUntil(() => middle.connected(), 'both legs of the middle to connect', BROWSER_WAIT_MS);
    // Each side's DTLS connection ends at the middle's certificate, not at the other side's.
    const [callerCertificates, calleeCertificates] = [await certificatesOf(caller), await certificatesOf(callee)];
    assert.is(callerCertificates.remote, await middle.fingerprintOf('caller'));
    assert.is(calleeCertificates.remote, await middle.fingerprintOf('callee'));
    assert.is.not(callerCertificates.remote, calleeCertificates.local);
    // The middle forwards the media: nothing but the security code gives it away.
    await waitMediaGrowing(caller.page, 'the caller, through the middle', BROWSER_WAIT_MS);
    await waitMediaGrowing(callee.page, 'the callee, through the middle', BROWSER_WAIT_MS);
    await body(caller, callee);
  } finally {
    for (const side of sides) await side.context.close();
    await middleContext.close();
  }
}

test('a middle that commits to a certificate of its own: the call works but the two sides show different codes', async () => {
  await callThroughMiddle('own', 'Overheard', async (caller, callee) => {
    const [callerCode, calleeCode] = [await codeOf(caller), await codeOf(callee)];
    assert.is.not(callerCode, calleeCode, 'the codes differ');
    const callerCertificates = await certificatesOf(caller);
    assert.is(
      await verificationCode({ local: asFingerprint(callerCertificates.local), remote: asFingerprint(callerCertificates.remote) }, webcrypto.subtle),
      callerCode,
    );
    // Its commitment matched the certificate it showed: no warning, only the codes tell.
    for (const side of [caller, callee]) assert.is(await side.page.locator('[data-verification-warning]').count(), 0);
    await shots(callee.page, 'call-security-code-middle');
  });
});

test('a middle that forwards the callee’s commitment: the caller shows a warning and no code', async () => {
  await callThroughMiddle('forward', 'Intercepted', async (caller, callee) => {
    const warning = caller.page.locator('.call-verify-warning[data-verification-warning="commitment"][role="alert"]');
    await warning.waitFor();
    assert.ok((await warning.textContent())?.includes('Warning: someone may be listening in on this call'));
    assert.ok((await warning.textContent())?.includes('Bob Intercepted'));
    assert.is(await caller.page.locator('[data-verification-code]').count(), 0, 'no code beside the warning');
    assert.ok(await caller.page.locator('.call-verify-line').isHidden());
    // The callee has no commitment to check: it shows a code, which the caller has none to match.
    assert.match(await codeOf(callee), CODE_FORMAT);
    // The warning stays for the rest of the call: the next stats refreshes do not clear it.
    await waitUntil(
      async () => (await caller.page.locator('.call-verify-warning').isVisible()) && (await caller.page.locator('[data-verification-code]').count()) === 0,
      'the warning to stay',
      BROWSER_WAIT_MS,
    );
    await shots(caller.page, 'call-security-warning');
    assert.equal(await seriousViolations(caller.page), [], 'the warning passes axe');
  });
});

/** Makes RTCPeerConnection.generateCertificate fail in every page of the context, as in a browser that cannot make one. */
const NO_CERTIFICATES = (): void => {
  RTCPeerConnection.generateCertificate = () => Promise.reject(new DOMException('not supported here', 'NotSupportedError'));
};

test('a browser that cannot make the call’s certificate says so: the member’s answer turns the call down, the guest does not ring', async () => {
  const alice = await signUp(server, { firstName: 'Alice', lastName: 'Keyless' });
  const bob = await signUp(server, { firstName: 'Bob', lastName: 'Keyless' });
  const caller = await openSide('en-GB');
  const callee = await openSide('en-GB', PHONE);
  const guest = await openSide('en-GB', PHONE);
  try {
    await callee.context.addInitScript(NO_CERTIFICATES);
    await guest.context.addInitScript(NO_CERTIFICATES);
    await logInOnCallsPage(callee.page, server.url, bob, BROWSER_WAIT_MS);
    await logInOnCallsPage(caller.page, server.url, alice, BROWSER_WAIT_MS);
    await caller.page.locator(`.directory-entry[data-member-id="${bob.id}"] .call-member:not([disabled])`).click();
    await callee.page.locator('#incoming-dialog[open]').waitFor();
    await callee.page.locator('#incoming-accept').click();
    await callee.page.locator('#call-notice-text', { hasText: 'This browser could not prepare the call’s encryption.' }).waitFor();
    await caller.page.getByText('Bob Keyless declined the call.').waitFor();
    assert.is(await callee.page.locator('.call-screen').count(), 0, 'no call screen');

    await guest.page.goto(await callee.page.inputValue('#call-link'));
    await guest.page.getByLabel('Your name').fill('Grace Guest');
    await guest.page.getByRole('button', { name: 'Call', exact: true }).click();
    await guest.page.locator('#media-problem-text', { hasText: 'This browser could not prepare the call’s encryption.' }).waitFor();
    assert.ok(await callee.page.locator('#incoming-dialog[open]').isHidden(), 'nothing rang');
  } finally {
    for (const side of [caller, callee, guest]) await side.context.close();
  }
});

verification.run();
