// The page templates as the server reads them: partials expanded, keys checked at start.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TEMPLATES_DIR } from '../../server/app.js';
import { createPageRenderer, PAGE_NAMES } from '../../server/http/pages.js';

test('the sign-up and profile pages share the name and e-mail fields, filled in each language', () => {
  const pages = createPageRenderer(TEMPLATES_DIR);
  // The values the sign-up route passes; the profile page needs none.
  const vars = { heading: 'Heading', lead: 'Lead', domainsHint: '', policyVersion: '1', signupMode: 'open' };
  for (const name of ['signup', 'profile'] as const) {
    const french = pages.render(name, 'fr', { title: 'signup.title', vars });
    const english = pages.render(name, 'en', { title: 'signup.title', vars });
    for (const id of ['email', 'firstName', 'lastName']) {
      assert.match(english, `<input id="${id}" name="${id}"`, `${name}: ${id}`);
      assert.match(french, `<label for="${id}">`, `${name}: ${id} label`);
    }
    assert.match(french, '<label for="firstName">Prénom</label>');
    assert.match(english, '<label for="firstName">First name</label>');
    assert.match(english, /<input id="firstName"[^>]* maxlength="\d+"/);
    assert.not.match(english, '{{', `${name}: no placeholder left`);
  }
});

test('a template naming a partial that does not exist fails start-up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porthello-templates-'));
  try {
    mkdirSync(join(dir, 'partials'));
    for (const name of ['layout', ...PAGE_NAMES]) writeFileSync(join(dir, `${name}.html`), name === 'home' ? '{{>missing}}' : '');
    assert.throws(() => createPageRenderer(dir), /missing\.html/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
