// The e-mail pages in a real browser (Chromium), with a real SMTP server on loopback: from the
// log-in page's link to a new password, then the used link refused; and an address change, which
// shows the verification banner at once on the profile and on a calls page already open.
import type { Browser } from 'playwright-core';
import * as assert from 'uvu/assert';
import { browserSuite, hasChromium, launchBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { linkOf, type ReceivedMail, startTestSmtp, type TestSmtp } from '../helpers/smtp.js';
import { FAST_BCRYPT, json, logIn, signUp } from './helpers.js';

const BROWSER_WAIT_MS = 10_000;
const NEW_PASSWORD = 'a new passphrase typed in the browser';
const { suite: pages, test: it } = browserSuite('the e-mail pages in Chromium');
let server: TestServer;
let smtp: TestSmtp;
let browser: Browser;

pages.before(async () => {
  if (!hasChromium) return;
  smtp = await startTestSmtp();
  server = await startTestServer({ env: { ...FAST_BCRYPT, PORTHELLO_SMTP_URL: smtp.url, PORTHELLO_MAIL_FROM: 'calls@example.org' }, signaling: true });
  browser = await launchBrowser();
});
pages.after(async () => {
  if (!hasChromium) return;
  await browser.close();
  await server.close();
  await smtp.close();
});

it('gets a member back in: log-in page, forgot password, the mail’s link, a new password; the link then refused', async () => {
  const member = await signUp(server);
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  const outside: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(server.url)) outside.push(request.url());
  });
  try {
    await page.goto(`${server.url}/login`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL(`${server.url}/forgot-password`);
    assert.is(await page.title(), 'Forgotten password · Porthello');
    await page.getByLabel('E-mail address').fill(member.email);
    await page.getByRole('button', { name: 'Send me the link' }).click();
    await page
      .locator('#forgot-form .form-status')
      .getByText('If an account uses this address, an e-mail is on its way with a link valid for 1 hour.')
      .waitFor();

    const isReset = (mail: ReceivedMail) => mail.text.includes('/password-reset#');
    const mail = await smtp.waitForMail(isReset, 'the reset mail');
    assert.is(mail.language, 'en', 'in the language the member used');
    const link = linkOf(mail);

    await page.goto(link.url);
    assert.is(new URL(page.url()).hash, '', 'the token leaves the address bar');
    await page.getByLabel('New password').fill('short');
    await page.getByRole('button', { name: 'Save the password' }).click();
    await page.locator('#password-error').getByText('Too short').waitFor();
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Save the password' }).click();
    await page.locator('#reset-done').getByText('Password saved. Log in with the new one.').waitFor();
    assert.is((await logIn(server, member.email, NEW_PASSWORD)).status, 200);

    // Opened again as from the mail (a fresh load: a same-page fragment change would not reload).
    await page.goto('about:blank');
    await page.goto(link.url);
    await page.getByLabel('New password').fill('yet another long passphrase');
    await page.getByRole('button', { name: 'Save the password' }).click();
    await page.locator('#reset-form .form-error').getByText('This link no longer works').waitFor();
    assert.ok(await page.getByRole('link', { name: 'Ask for a new link' }).isVisible());
    assert.equal(outside, [], 'no request leaves the box');
  } finally {
    await context.close();
  }
});

it('an address change shows the verification banner at once, on the profile and on the calls page open in another tab', async () => {
  const member = await signUp(server);
  const firstLink = linkOf(await smtp.waitForMail((mail) => mail.to === member.email, 'the first verification mail'));
  assert.is((await server.fetch('/api/auth/email-verification/confirm', json({ token: firstLink.token }))).status, 204);
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
  const [name = '', value = ''] = member.cookie.split('=');
  await context.addCookies([{ name, value, url: server.url }]);
  try {
    const calls = await context.newPage();
    const profile = await context.newPage();
    for (const page of [calls, profile]) page.setDefaultTimeout(BROWSER_WAIT_MS);
    await calls.goto(`${server.url}/calls`);
    await calls.locator('#signal-status[data-state="open"]').waitFor();
    await profile.goto(`${server.url}/profile`);
    assert.is(await profile.locator('.verify-banner').count(), 0);

    const newAddress = `changed-${member.email}`;
    await profile.locator('#email').fill(newAddress);
    await profile.locator('#email-currentPassword').fill(member.password);
    await profile.locator('#email-form button[type="submit"]').click();
    await profile.locator('.verify-banner').waitFor();
    // The calls page lost its socket (nobody may ring an unverified address) and says why, without a reload.
    await calls.locator('.verify-banner').waitFor();
    assert.ok(await calls.locator('#signal-status').isHidden(), 'no "you were logged out" message');
    assert.is(await calls.locator('.verify-banner').count(), 1);
    await smtp.waitForMail((mail) => mail.to === newAddress, 'the new address’s verification mail');
  } finally {
    await context.close();
  }
});

pages.run();
