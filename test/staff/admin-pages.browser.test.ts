// Invitations end to end in a real browser (Debian's Chromium, at phone width): an admin creates
// an invitation on the admin page, the newcomer opens its link, signs up and lands logged in; the
// accounts page changes a role and disables the account; sign-up without invitation is refused.
import type { Browser, BrowserContext } from 'playwright-core';
import * as assert from 'uvu/assert';
import { browserSuite, hasChromium, launchBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { FAST_BCRYPT, uniqueEmail, withCookie, type TestMember } from '../accounts/helpers.js';
import { firstAdmin } from './helpers.js';

const BROWSER_WAIT_MS = 10_000;
const PHONE = { width: 390, height: 844 };
const { suite: pages, test: it } = browserSuite('admin pages and invitations in Chromium');
let server: TestServer;
let browser: Browser;
let admin: TestMember;

pages.before(async () => {
  if (!hasChromium) return;
  server = await startTestServer({ env: { ...FAST_BCRYPT, PORTHELLO_SIGNUP: 'invite' } });
  admin = await firstAdmin(server);
  browser = await launchBrowser();
});
pages.after(async () => {
  if (!hasChromium) return;
  await browser.close();
  await server.close();
});

async function adminContext(locale: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: PHONE, locale });
  const [name = '', value = ''] = admin.cookie.split('=');
  await context.addCookies([{ name, value, url: server.url }]);
  return context;
}

it('an invited newcomer opens the invitation link, signs up and lands logged in', async () => {
  const adminSide = await adminContext('en-GB');
  const newcomerSide = await browser.newContext({ viewport: PHONE, locale: 'fr-FR' });
  try {
    const page = await adminSide.newPage();
    page.setDefaultTimeout(BROWSER_WAIT_MS);
    await page.goto(`${server.url}/admin/invitations`);
    await page.getByLabel('Number of sign-ups allowed').fill('1');
    await page.getByLabel('Valid for (days)').fill('3');
    await page.getByRole('button', { name: 'Create the invitation' }).click();
    const link = page.getByLabel('Invitation link');
    await link.waitFor();
    const url = await link.inputValue();
    assert.ok(url.startsWith(`${server.url}/signup?invite=`), url);
    await page.getByRole('button', { name: 'Copy the link' }).click();
    await page
      .locator('#copy-status')
      .getByText(/Link copied|Could not copy/)
      .waitFor();
    await page.locator('#invitations li').getByText('Valid', { exact: true }).first().waitFor();

    const newcomer = await newcomerSide.newPage();
    newcomer.setDefaultTimeout(BROWSER_WAIT_MS);
    const email = uniqueEmail();
    await newcomer.goto(url);
    assert.is(await newcomer.getByLabel('Code d’invitation').inputValue(), new URL(url).searchParams.get('invite'));
    await newcomer.getByLabel('Adresse e-mail').fill(email);
    await newcomer.getByLabel('Prénom').fill('Grace');
    await newcomer.getByLabel('Nom', { exact: true }).fill('Hopper');
    await newcomer.getByLabel('Mot de passe').fill('une phrase de passe assez longue');
    await newcomer.getByLabel(/J’ai lu et j’accepte/).check();
    await newcomer.getByRole('button', { name: 'Créer mon compte' }).click();
    await newcomer.waitForURL(`${server.url}/calls`);
    await newcomer.goto(`${server.url}/profile`);
    await newcomer.locator('#sessions li').first().waitFor();
    assert.is(await newcomer.inputValue('#email'), email);

    await page.reload();
    await page.locator('#invitations li').first().getByText('Used', { exact: true }).waitFor();
    await page.screenshot({ path: '/tmp/porthello-admin-invitations.png', fullPage: true });
  } finally {
    await adminSide.close();
    await newcomerSide.close();
  }
});

it('the accounts page finds a member, changes their role and disables them', async () => {
  const member = await server.fetch('/api/admin/invitations', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: admin.cookie },
    body: JSON.stringify({}),
  });
  const { code } = (await member.json()) as { code: string };
  const email = uniqueEmail();
  const signup = await server.fetch('/api/auth/signup', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: 'correct horse battery staple', firstName: 'Alan', lastName: 'Turing', acceptPolicy: true, inviteCode: code }),
  });
  assert.is(signup.status, 201);
  const memberCookie = signup.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  const context = await adminContext('en-GB');
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(BROWSER_WAIT_MS);
    await page.goto(`${server.url}/admin`);
    await page.waitForURL(`${server.url}/admin/accounts`);
    await page.getByLabel('Search by name or e-mail address').fill('turing');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const item = page.locator('#accounts li', { hasText: email });
    await item.waitFor();
    assert.is(await page.locator('#accounts li').count(), 1);
    await item.getByLabel('Role of Alan Turing').selectOption('support');
    await item.getByRole('button', { name: 'Change the role' }).click();
    await page.locator('#accounts li', { hasText: email }).locator('.badge', { hasText: 'Support' }).waitFor();
    await page.locator('#accounts li', { hasText: email }).getByRole('button', { name: 'Disable the account of Alan Turing' }).click();
    await page
      .locator('#accounts li', { hasText: email })
      .getByText(/Disabled on/)
      .waitFor();
    await page.screenshot({ path: '/tmp/porthello-admin-accounts.png', fullPage: true });
    assert.is((await server.fetch('/api/me', withCookie(memberCookie))).status, 401);
    assert.is(server.db.prepare('SELECT role FROM users WHERE email = ?').pluck().get(email), 'support');
  } finally {
    await context.close();
  }
});

it('sign-up without an invitation is refused with the reason, in French', async () => {
  const context = await browser.newContext({ viewport: PHONE, locale: 'fr-FR' });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(BROWSER_WAIT_MS);
    await page.goto(`${server.url}/signup`);
    assert.ok(await page.getByLabel('Code d’invitation').isVisible());
    await page.getByLabel('Adresse e-mail').fill(uniqueEmail());
    await page.getByLabel('Prénom').fill('Ada');
    await page.getByLabel('Nom', { exact: true }).fill('Lovelace');
    await page.getByLabel('Mot de passe').fill('une phrase de passe assez longue');
    await page.getByLabel(/J’ai lu et j’accepte/).check();
    await page.getByRole('button', { name: 'Créer mon compte' }).click();
    await page.getByRole('alert').getByText('L’inscription se fait sur invitation').waitFor();
    await page.screenshot({ path: '/tmp/porthello-signup-invite.png', fullPage: true });
    assert.is(page.url(), `${server.url}/signup`);
  } finally {
    await context.close();
  }
});

pages.run();
