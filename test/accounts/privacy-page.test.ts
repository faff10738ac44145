// The privacy page states this instance's facts from its live configuration: change a setting
// and the page changes. And no page claims that nothing of a call is kept while the call log
// keeps the guest's name, the time, the outcome and the duration.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { storedLineKey } from '../../server/accounts/privacy-facts.js';
import { MEMBER_DATA_TABLES } from '../../server/db/member-data.js';
import { isMessageKey } from '../../server/i18n/index.js';
import type { Env } from '../../server/config.js';
import { startTestServer } from '../helpers/server.js';
import { FAST_BCRYPT, signUp } from './helpers.js';

const SMTP_PASSWORD = 'never-on-the-page-9f2';

/** The text of an element with this id, tags removed. */
function textOf(html: string, id: string): string {
  const match = new RegExp(`id="${id}">([\\s\\S]*?)</(p|ul)>`).exec(html);
  assert.ok(match !== null, `#${id} is on the page`);
  return (match[1] ?? '').replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'");
}

async function privacyPage(env: Env, locale = 'en'): Promise<string> {
  const server = await startTestServer({ env: { ...FAST_BCRYPT, ...env } });
  try {
    const response = await server.fetch(`/privacy?lang=${locale}`);
    assert.is(response.status, 200);
    return await response.text();
  } finally {
    await server.close();
  }
}

const page = suite('the privacy page');

page('has a line for every table of the member-data registry', () => {
  for (const entry of MEMBER_DATA_TABLES) assert.ok(isMessageKey(storedLineKey(entry.exportKey)), entry.exportKey);
});

page('says what a bare instance does: no controller named, no e-mail, no relay, the default retention', async () => {
  const html = await privacyPage({});
  assert.match(textOf(html, 'policy-controller'), /has not named itself/);
  assert.match(textOf(html, 'policy-email'), /sends no e-mail/);
  assert.match(textOf(html, 'policy-relay'), /has no relay/);
  const stored = textOf(html, 'policy-stored');
  assert.match(stored, /unused for 7 days ends, and every session after 30 days at most/);
  assert.match(stored, /The latest 1,000 are kept/);
  assert.match(stored, /new password: 1 hour; address confirmation: 2 days/);
  assert.match(stored, /the name the guest typed/);
  assert.match(textOf(html, 'policy-backups'), /latest 7\b.*erasure token/);
});

page('changes with the configuration', async () => {
  const html = await privacyPage({
    PORTHELLO_ORGANISATION_NAME: 'Association Exemple',
    PORTHELLO_ORGANISATION_CONTACT: 'dpo@example.org',
    PORTHELLO_SMTP_URL: `smtps://calls:${SMTP_PASSWORD}@mail.example.org`,
    PORTHELLO_MAIL_FROM: 'calls@example.org',
    PORTHELLO_TURN_URLS: 'turns:turn.example.org:5349?transport=tcp,turn:turn.example.org:3478',
    PORTHELLO_TURN_SECRET: 'x'.repeat(40),
    PORTHELLO_SESSION_IDLE_HOURS: '12',
    PORTHELLO_SESSION_MAX_DAYS: '2',
    PORTHELLO_CALL_LOG_MAX_ENTRIES: '50',
  });
  assert.is(textOf(html, 'policy-controller'), 'The data controller is Association Exemple. For any question about your data, write to: dpo@example.org.');
  assert.match(textOf(html, 'policy-email'), /through the organisation’s mail server \(mail\.example\.org\)/);
  assert.match(textOf(html, 'policy-relay'), /on another server \(turn\.example\.org\)/);
  const stored = textOf(html, 'policy-stored');
  assert.match(stored, /unused for 12 hours ends, and every session after 2 days at most/);
  assert.match(stored, /The latest 50 are kept/);
  assert.not.ok(html.includes(SMTP_PASSWORD), 'the SMTP password is never shown');
  assert.not.ok(html.includes('calls:'), 'nor the SMTP user');
});

page('names the embedded relay when it runs, in French too', async () => {
  // The configuration only: the test server itself starts no relay from it.
  const html = await privacyPage({ PORTHELLO_TURN_PORT: '3478', PORTHELLO_ORGANISATION_NAME: 'Mairie de Test' }, 'fr');
  assert.match(textOf(html, 'policy-controller'), /^Le responsable du traitement est Mairie de Test\.$/);
  assert.match(textOf(html, 'policy-relay'), /passe par le relais de ce serveur/);
});

page('states where the server is hosted when the operator says so, and that it is not stated otherwise', async () => {
  assert.match(textOf(await privacyPage({}), 'policy-hosting'), /has not stated where its server is hosted/);
  const stated = await privacyPage({ PORTHELLO_HOSTING_LOCATION: 'OVH, Roubaix, France' });
  assert.is(textOf(stated, 'policy-hosting'), 'The server that runs this service and keeps its data is located at: OVH, Roubaix, France.');
  const french = await privacyPage({ PORTHELLO_HOSTING_LOCATION: 'Scaleway, Paris <France>' }, 'fr');
  assert.match(french, 'se trouve : Scaleway, Paris &#60;France&#62;.', 'escaped like every configured text');
});

page.run();

const wording = suite('what the pages say is kept of a call');

wording('the home and guest pages say what the call log keeps, never that nothing is recorded', async () => {
  const server = await startTestServer({ env: FAST_BCRYPT });
  try {
    const member = await signUp(server);
    const code = (await (await server.fetch('/api/me', { headers: { Cookie: member.cookie } })).json()).callLink.code as string;
    for (const locale of ['fr', 'en']) {
      for (const path of ['/', `/c/${code}`]) {
        const html = await (await server.fetch(`${path}?lang=${locale}`)).text();
        assert.not.match(html, /Rien d’un appel n’est enregistré|Rien n’en est enregistré|Nothing of (a call|it) is recorded/i, `${locale} ${path}`);
        assert.match(html, locale === 'fr' ? /journal des appels/ : /call log/, `${locale} ${path} names the call log`);
        assert.match(html, locale === 'fr' ? /la durée/ : /the duration/, `${locale} ${path} says the duration is kept`);
      }
    }
  } finally {
    await server.close();
  }
});

wording.run();
