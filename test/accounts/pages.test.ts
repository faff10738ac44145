import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CURRENT_POLICY_VERSION } from '../../server/accounts/privacy-policy.js';
import { MEMBER_NAME_MAX_CODE_POINTS } from '../../server/contract/names.js';
import { PASSWORD_MIN_CODE_POINTS } from '../../server/contract/passwords.js';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';
import { FAST_BCRYPT, json, signUp, withCookie } from './helpers.js';

const pages = suite('account pages (server side)');
let server: TestServer;
pages.before(async () => {
  server = await startTestServer({ env: FAST_BCRYPT });
});
pages.after(() => server.close());

const PAGES = ['/signup', '/login', '/privacy'];

pages('render in French and English, every placeholder filled, scripts only from /assets/js/', async () => {
  for (const path of PAGES) {
    for (const [lang, marker] of [
      ['fr', 'Confidentialité'],
      ['en', 'Privacy'],
    ] as const) {
      const response = await server.fetch(`${path}?lang=${lang}`);
      assert.is(response.status, 200, path);
      const html = await response.text();
      assert.match(html, new RegExp(`<html lang="${lang}">`));
      assert.ok(html.includes(`<a href="/privacy">${marker}</a>`), `${path} links to the policy in ${lang}`);
      assert.not.match(html, /\{\{|\}\}/, `${path} ${lang}: placeholders left`);
      assert.not.match(html, /<script(?![^>]*src="\/assets\/js\/)/, `${path}: inline script`);
      assert.not.match(html, /\sstyle=/, `${path}: inline style`);
      assert.not.match(html, /(src|href)="(https?:)?\/\//, `${path}: another host`);
      assert.ok(response.headers.get('content-security-policy')?.includes("script-src 'self'"));
    }
  }
});

pages('state the limits the server applies, in the fields and in the hints', async () => {
  const html = await (await server.fetch('/signup?lang=en')).text();
  assert.ok(html.includes(`maxlength="${MEMBER_NAME_MAX_CODE_POINTS}"`), 'name fields carry the name rule');
  assert.ok(html.includes(`minlength="${PASSWORD_MIN_CODE_POINTS}"`), 'the password field carries the minimum');
  assert.ok(html.includes(`At least ${PASSWORD_MIN_CODE_POINTS} characters.`), 'the hint states the minimum');
  assert.ok(html.includes(`<li data-key="client.too_short">Too short: at least ${PASSWORD_MIN_CODE_POINTS} characters.</li>`), 'so do the script messages');
  const visible = html.replace(/<ul id="client-messages" hidden>.*?<\/ul>/s, '');
  assert.not.match(visible, /\{[a-zA-Z]+\}/, 'no slot left unfilled (script messages keep theirs for the script)');
});

pages('show the policy version on the policy page and the sign-up form', async () => {
  assert.ok((await (await server.fetch('/privacy')).text()).includes(`<time datetime="${CURRENT_POLICY_VERSION}">`));
  assert.ok((await (await server.fetch('/signup')).text()).includes(`(${CURRENT_POLICY_VERSION})`));
  const api = await jsonOf(await server.fetch('/api/policy?lang=en'));
  assert.is(api.currentVersion, CURRENT_POLICY_VERSION);
  assert.is(api.history.at(-1).changes, 'First version of the policy.');
});

pages('state the session lifetimes of the configuration in the policy', async () => {
  // Intl puts a no-break space between number and unit: \s matches it.
  assert.match(await (await server.fetch('/privacy?lang=fr')).text(), /inutilisée pendant 7\sjours prend fin, et toute session au bout de 30\sjours/);
  const custom = await startTestServer({ env: { ...FAST_BCRYPT, PORTHELLO_SESSION_IDLE_HOURS: '12', PORTHELLO_SESSION_MAX_DAYS: '2' } });
  try {
    assert.match(await (await custom.fetch('/privacy?lang=en')).text(), /unused for 12\shours ends, and every session after 2\sdays at most/);
  } finally {
    await custom.close();
  }
});

pages('send visitors from the member pages to log-in, and members from log-in to their profile', async () => {
  for (const path of ['/profile', '/my-data']) {
    const response = await server.fetch(path);
    assert.is(response.status, 302, path);
    assert.is(response.headers.get('location'), '/login');
  }
  const member = await signUp(server);
  for (const path of ['/profile', '/my-data']) {
    const response = await server.fetch(path, withCookie(member.cookie));
    assert.is(response.status, 200, path);
    assert.is(response.headers.get('cache-control'), 'no-store');
    assert.match(await response.text(), /href="\/my-data"/, 'the header links to the member pages');
  }
  for (const path of ['/login', '/signup']) {
    const response = await server.fetch(path, withCookie(member.cookie));
    assert.is(response.headers.get('location'), '/calls');
  }
});

pages('record a new acceptance of the current policy', async () => {
  const member = await signUp(server);
  server.db.prepare("UPDATE consents SET version = 'older' WHERE user_id = ?").run(member.id);
  assert.is((await jsonOf(await server.fetch('/api/me', withCookie(member.cookie)))).policy.acceptedVersion, 'older');
  const refused = await server.fetch('/api/me/policy', json({}, member.cookie));
  assert.is(refused.status, 400);
  const accepted = await server.fetch('/api/me/policy', json({ acceptPolicy: true }, member.cookie));
  assert.is(accepted.status, 200);
  assert.is((await jsonOf(accepted)).policy.acceptedVersion, CURRENT_POLICY_VERSION);
  const rows = server.db.prepare('SELECT version FROM consents WHERE user_id = ? ORDER BY id').all(member.id);
  assert.equal(rows, [{ version: 'older' }, { version: CURRENT_POLICY_VERSION }], 'the history of consents is kept');
});

pages.run();
