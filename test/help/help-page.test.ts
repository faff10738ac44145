// The help page (/help) against a real server: every section of HELP_SECTIONS in French and
// English, with its anchor, title, paragraphs and steps, and a table of contents that leads to
// each; reached from the footer of every page, the calls page and the guest page.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HELP_SECTIONS } from '../../server/help/help-sections.js';
import { escapeHtml } from '../../server/http/pages.js';
import { LOCALES, translate } from '../../server/i18n/index.js';
import { FAST_BCRYPT, signUp } from '../accounts/helpers.js';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';

const help = suite('the help page');
let server: TestServer;

help.before(async () => {
  server = await startTestServer({ env: FAST_BCRYPT });
});
help.after(() => server.close());

async function pageAt(path: string, cookie?: string): Promise<string> {
  const response = await server.fetch(path, cookie === undefined ? {} : { headers: { Cookie: cookie } });
  assert.is(response.status, 200, path);
  return response.text();
}

help('has every section in both languages: anchor, title, paragraphs in order, numbered steps', async () => {
  assert.ok(
    HELP_SECTIONS.some((section) => section.id === 'verification-code'),
    'the call screen’s link has its section',
  );
  for (const locale of LOCALES) {
    const html = await pageAt(`/help?lang=${locale}`);
    assert.match(html, `<html lang="${locale}">`);
    assert.match(html, `<h1>${escapeHtml(translate(locale, 'help.title'))}</h1>`);
    for (const section of HELP_SECTIONS) {
      const start = html.indexOf(`<section class="help-section card" id="${section.id}" aria-labelledby="${section.id}-title">`);
      assert.ok(start >= 0, `${locale}: section ${section.id}`);
      const body = html.slice(start, html.indexOf('</section>', start));
      assert.match(body, `<h2 id="${section.id}-title">${escapeHtml(translate(locale, section.title))}</h2>`);
      const texts = [...section.intro, ...(section.steps ?? []), ...(section.outro ?? [])].map((key) => escapeHtml(translate(locale, key)));
      let at = 0;
      for (const text of texts) {
        const found = body.indexOf(text, at);
        assert.ok(found > at, `${locale}: "${text.slice(0, 40)}…" in ${section.id}, in order`);
        at = found;
      }
      if (section.steps !== undefined) assert.match(body, `<ol class="help-steps"><li>${escapeHtml(translate(locale, section.steps[0] ?? 'help.title'))}</li>`);
      // The table of contents leads to it.
      assert.match(html, `<li><a href="#${section.id}">${escapeHtml(translate(locale, section.title))}</a></li>`);
    }
  }
});

help('is linked from the footer of every page, the calls page and the guest page', async () => {
  const member = await signUp(server, { firstName: 'Marie', lastName: 'Curie' });
  const linkPath = (await jsonOf(await server.fetch('/api/me', { headers: { Cookie: member.cookie } }))).callLink.path as string;
  const footer = /<footer class="site-footer">[\s\S]*<a href="\/help">[^<]+<\/a>[\s\S]*<\/footer>/;
  for (const path of ['/?lang=fr', '/?lang=en', '/privacy', linkPath]) assert.match(await pageAt(path), footer, path);
  assert.match(await pageAt('/calls', member.cookie), '<p class="calls-help"><a href="/help">');
  assert.match(await pageAt(linkPath), '<p class="hint guest-help"><a href="/help">');
});

help.run();
