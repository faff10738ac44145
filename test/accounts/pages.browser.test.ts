// The account pages in a real browser (Debian's Chromium, headless), in both languages.
import type { Browser } from 'playwright-core';
import * as assert from 'uvu/assert';
import { browserSuite, hasChromium, launchBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { FAST_BCRYPT, uniqueEmail } from './helpers.js';
import { jpegWithGps } from '../media/images.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BROWSER_WAIT_MS = 10_000;
const { suite: pages, test: it } = browserSuite('account pages in Chromium');
let server: TestServer;
let browser: Browser;
let scratch: string;

pages.before(async () => {
  if (!hasChromium) return;
  server = await startTestServer({ env: FAST_BCRYPT });
  scratch = mkdtempSync(join(tmpdir(), 'porthello-browser-'));
  browser = await launchBrowser();
});
pages.after(async () => {
  if (!hasChromium) return;
  await browser.close();
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
});

it('signs up in French with a picture, lands on the calls page, and logs out', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'fr-FR' });
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  const outside: string[] = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(server.url) && !url.startsWith(`blob:${server.url}`)) outside.push(url);
  });
  try {
    const photo = join(scratch, 'photo.jpg');
    writeFileSync(photo, await jpegWithGps());
    const email = uniqueEmail();
    await page.goto(`${server.url}/signup`);
    assert.is(await page.getAttribute('html', 'lang'), 'fr');
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByLabel('Prénom').fill('Ada');
    await page.getByLabel('Nom', { exact: true }).fill('Lovelace');
    await page.getByLabel('Mot de passe').fill('trop court');
    await page.getByLabel('Photo de profil (facultative)').setInputFiles(photo);
    await page.locator('#avatar-preview:not([hidden])').waitFor();
    await page.getByRole('button', { name: 'Créer mon compte' }).click();
    // Server-side reasons shown next to their fields, in French.
    await page.locator('#password-error').getByText('Trop court').waitFor();
    assert.is(await page.getAttribute('#password', 'aria-invalid'), 'true');
    assert.ok(await page.locator('#acceptPolicy-error').isVisible());

    await page.getByLabel('Mot de passe').fill('une phrase de passe assez longue');
    await page.getByLabel(/J’ai lu et j’accepte/).check();
    await page.keyboard.press('Enter');
    await page.waitForURL(`${server.url}/calls`);
    await page.goto(`${server.url}/profile`);
    await page.locator('#sessions li').first().waitFor();
    assert.is(await page.inputValue('#firstName'), 'Ada');
    assert.is(await page.inputValue('#email'), email);
    const src = await page.locator('#avatar-preview').getAttribute('src');
    assert.match(src ?? '', /^\/media\/avatars\/[A-Za-z0-9_-]{22}-512\.webp$/);
    assert.ok(await page.locator('#sessions').getByText('Cet appareil').isVisible());

    const cookies = await context.cookies();
    assert.equal(cookies.map((cookie) => cookie.name).sort(), ['porthello_session'], 'only the session cookie');
    assert.ok(cookies[0]?.httpOnly);

    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.waitForURL(`${server.url}/`);
    assert.ok(await page.getByRole('link', { name: 'Se connecter' }).isVisible());
    await page.goto(`${server.url}/profile`);
    await page.waitForURL(`${server.url}/login`);
    assert.equal(outside, [], 'no request left the box');
  } finally {
    await context.close();
  }
});

it('logs in in English, shows a wrong password as an alert, and reaches "my data"', async () => {
  const email = uniqueEmail();
  const signup = await server.fetch('/api/auth/signup', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: 'an english passphrase', firstName: 'Grace', lastName: 'Hopper', acceptPolicy: true }),
  });
  assert.is(signup.status, 201);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  try {
    await page.goto(`${server.url}/login?lang=en`);
    await page.getByLabel('E-mail address').fill(email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').getByText('Incorrect e-mail address or password.').waitFor();
    await page.getByLabel('Password').fill('an english passphrase');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${server.url}/calls`);
    await page.getByRole('link', { name: 'My data' }).click();
    await page.locator('#summary li').first().waitFor();
    assert.ok(await page.locator('#summary').getByText(email).isVisible());
    assert.ok(await page.locator('#summary').getByText('Profile picture: none').isVisible());
  } finally {
    await context.close();
  }
});

it('changes the picture, names, e-mail and password on the profile and ends another device', async () => {
  const email = uniqueEmail();
  const signup = await server.fetch('/api/auth/signup', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: 'first passphrase here', firstName: 'Mary', lastName: 'Jackson', acceptPolicy: true }),
  });
  assert.is(signup.status, 201);
  const phoneCookie = signup.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  try {
    await page.goto(`${server.url}/login?lang=en`);
    await page.getByLabel('E-mail address').fill(email);
    await page.getByLabel('Password').fill('first passphrase here');
    await page.getByLabel('Password').press('Enter');
    await page.waitForURL(`${server.url}/calls`);
    await page.goto(`${server.url}/profile`);
    await page.locator('#sessions li').nth(1).waitFor();

    const photo = join(scratch, 'profile.jpg');
    writeFileSync(photo, await jpegWithGps(0x123456));
    await page.getByLabel('Choose a new picture').setInputFiles(photo);
    await page.getByRole('button', { name: 'Save the picture' }).click();
    await page.locator('#avatar-preview[src^="/media/avatars/"]').waitFor();
    assert.ok(await page.getByRole('button', { name: 'Remove the picture' }).isVisible());

    await page.getByLabel('First name').fill('Mary W.');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('#names-form .form-status').getByText('Saved.').waitFor();

    const newEmail = uniqueEmail();
    await page.locator('#email').fill(newEmail);
    await page.locator('#email-currentPassword').fill('wrong password!!');
    await page.getByRole('button', { name: 'Change address' }).click();
    await page.locator('#email-form').getByRole('alert').getByText('The current password is not correct.').waitFor();
    await page.locator('#email-currentPassword').fill('first passphrase here');
    await page.getByRole('button', { name: 'Change address' }).click();
    await page.locator('#email-form .form-status').getByText('Saved.').waitFor();

    await page
      .locator('#sessions')
      .getByRole('button', { name: /Log out/ })
      .click();
    // A locator, not a string predicate: polling a string is an eval, which the page's CSP refuses.
    await page.locator('#sessions li').nth(1).waitFor({ state: 'detached' });
    assert.is((await server.fetch('/api/me', { headers: { Cookie: phoneCookie } })).status, 401, 'the other device is logged out');

    await page.locator('#currentPassword').fill('first passphrase here');
    await page.locator('#newPassword').fill('second passphrase here');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page
      .locator('#password-form .form-status')
      .getByText(/Password changed/)
      .waitFor();

    const me = (await (await page.request.get(`${server.url}/api/me`)).json()) as { firstName: string; email: string; avatar: { large: string } };
    assert.is(me.firstName, 'Mary W.');
    assert.is(me.email, newEmail);
    assert.match(me.avatar.large, /^\/media\/avatars\//);
  } finally {
    await context.close();
  }
});

it('deletes the account from "my data" only with the confirmation and the password', async () => {
  const email = uniqueEmail();
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  try {
    await page.goto(`${server.url}/signup?lang=en`);
    await page.getByLabel('E-mail address').fill(email);
    await page.getByLabel('First name').fill('Katherine');
    await page.getByLabel('Last name').fill('Johnson');
    await page.getByLabel('Password').fill('orbital mechanics rule');
    await page.getByLabel(/I have read and accept/).check();
    await page.getByRole('button', { name: 'Create my account' }).click();
    await page.waitForURL(`${server.url}/calls`);
    await page.goto(`${server.url}/my-data`);
    await page.getByLabel('Current password').fill('orbital mechanics rule');
    await page.getByRole('button', { name: 'Delete my account for good' }).click();
    await page.locator('#confirm-error:not([hidden])').waitFor();
    await page.getByLabel(/I understand/).check();
    await page.getByRole('button', { name: 'Delete my account for good' }).click();
    await page.waitForURL(`${server.url}/`);
    const left = server.db.prepare('SELECT count(*) AS n FROM users WHERE email = ?').get(email) as { n: number };
    assert.is(left.n, 0);
  } finally {
    await context.close();
  }
});

it('can be installed as an app: Chromium finds nothing missing in the manifest', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  try {
    await page.goto(`${server.url}/login`);
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
    // Playwright's contexts are incognito profiles, where nothing installs; that is the only excuse.
    assert.equal(
      installabilityErrors.map((error) => error.errorId).filter((id) => id !== 'in-incognito'),
      [],
    );
    const { url, errors } = (await cdp.send('Page.getAppManifest')) as { url: string; errors: { message: string }[] };
    assert.is(url, `${server.url}/manifest.webmanifest`);
    assert.equal(errors, []);
  } finally {
    await context.close();
  }
});

pages.run();
