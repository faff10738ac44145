import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { en } from '../server/i18n/en.js';
import { fr } from '../server/i18n/fr.js';
import { GLOSSARY } from '../server/i18n/glossary.js';
import { pickLocale } from '../server/i18n/index.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const picking = suite('pickLocale');

picking('prefers the explicit choice, then the cookie, then Accept-Language, then French', () => {
  assert.is(pickLocale({ query: 'en', cookie: 'fr', acceptLanguage: 'fr' }), 'en');
  assert.is(pickLocale({ cookie: 'en', acceptLanguage: 'fr' }), 'en');
  assert.is(pickLocale({ acceptLanguage: 'de-DE, en-US;q=0.8, fr;q=0.5' }), 'en');
  assert.is(pickLocale({ acceptLanguage: 'en;q=0.2, fr-CA;q=0.9' }), 'fr');
  assert.is(pickLocale({ acceptLanguage: 'de, es' }), 'fr');
  assert.is(pickLocale({}), 'fr');
});

picking('ignores values it does not know and weights of zero', () => {
  assert.is(pickLocale({ query: 'xx', cookie: '../etc', acceptLanguage: 'en;q=0' }), 'fr');
  assert.is(pickLocale({ query: ['en', 'fr'] }), 'fr');
  assert.is(pickLocale({ acceptLanguage: 'en;q=abc, fr;q=0.1' }), 'fr');
});

picking('has an English string, not empty, for every French one', () => {
  assert.equal(Object.keys(en).sort(), Object.keys(fr).sort());
  for (const [key, text] of Object.entries(en)) assert.ok(text.trim().length > 0, key);
});

picking('uses the glossary’s word for each idea, never a variant it refuses', () => {
  // Whole words only: a hyphen joins ("e-mail" does not contain the word "mail").
  for (const [locale, catalogue] of [
    ['fr', fr],
    ['en', en],
  ] as const) {
    for (const term of GLOSSARY) {
      for (const variant of term.not[locale] ?? []) {
        const pattern = new RegExp(`(^|[^\\p{L}-])${variant.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}-])`, 'iu');
        const found = Object.entries(catalogue).filter(([, text]) => pattern.test(text));
        assert.equal(found, [], `${locale} says "${variant}" for ${term.idea}; the glossary says "${term[locale]}"`);
      }
    }
  }
});

picking.run();

const pages = suite('pages in two languages');
let server: TestServer;
pages.before(async () => {
  server = await startTestServer();
});
pages.after(() => server.close());

pages('serve the landing page in French by default', async () => {
  const html = await (await server.fetch('/')).text();
  assert.match(html, /<html lang="fr">/);
  assert.match(html, /<h1>Appeler sans intermédiaire<\/h1>/);
  assert.match(html, /<a href="\?lang=fr" hreflang="fr" lang="fr" aria-current="true">Français<\/a>/);
});

pages('follow Accept-Language', async () => {
  const response = await server.fetch('/', { headers: { 'Accept-Language': 'en-US,en;q=0.9' } });
  assert.match(await response.text(), /<html lang="en">/);
  assert.match(response.headers.get('vary') ?? '', /Accept-Language/);
});

pages('remember an explicit choice in a cookie that wins over Accept-Language', async () => {
  const chosen = await server.fetch('/?lang=en', { headers: { 'Accept-Language': 'fr' } });
  assert.match(await chosen.text(), /<h1>Calls with no one in between<\/h1>/);
  const cookie = chosen.headers.get('set-cookie') ?? '';
  assert.match(cookie, /^lang=en;/);
  assert.match(cookie, /httponly/i);
  assert.match(cookie, /samesite=lax/i);
  const later = await server.fetch('/', { headers: { Cookie: 'lang=en', 'Accept-Language': 'fr' } });
  assert.match(await later.text(), /<html lang="en">/);
});

pages('escape what they show and load no script or style from elsewhere', async () => {
  const html = await (await server.fetch('/')).text();
  assert.not.match(html, /<script(?![^>]*src="\/assets\/)/, 'no inline script');
  assert.not.match(html, /(src|href)="(https?:)?\/\//, 'no other host');
  assert.not.match(html, /\{\{|\}\}/, 'every placeholder filled');
});

pages.run();
