import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig, type Env } from '../server/config.js';
import { makeDataDir } from './helpers/server.js';

const mail = suite('e-mail and organisation settings');
const base = (): Env => ({ PORTHELLO_DATA_DIR: makeDataDir() });

function problemsOf(env: Env): string[] {
  try {
    loadConfig({ ...base(), ...env });
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

mail('are off by default, and then nothing is sent', () => {
  const config = loadConfig(base());
  assert.is(config.mail.smtp, null);
  assert.equal(config.organisation, { name: '', contact: '', hostingLocation: '' });
});

mail('read an smtps URL with its credentials and default port, and a plain one that must use STARTTLS', () => {
  const secure = loadConfig({
    ...base(),
    PORTHELLO_SMTP_URL: 'smtps://ada%40example.org:p%40ss@mail.example.org',
    PORTHELLO_MAIL_FROM: 'Calls <calls@example.org>',
  });
  assert.equal(secure.mail.smtp, { host: 'mail.example.org', port: 465, secure: true, requireTls: false, auth: { user: 'ada@example.org', pass: 'p@ss' } });
  const submission = loadConfig({ ...base(), PORTHELLO_SMTP_URL: 'smtp://mail.example.org', PORTHELLO_MAIL_FROM: 'calls@example.org' });
  assert.equal(submission.mail.smtp, { host: 'mail.example.org', port: 587, secure: false, requireTls: true, auth: null });
  const local = loadConfig({ ...base(), PORTHELLO_SMTP_URL: 'smtp://127.0.0.1:25', PORTHELLO_MAIL_FROM: 'calls@example.org' });
  assert.is(local.mail.smtp?.requireTls, false, 'a relay on this box may be plain');
});

mail('refuses bad URLs and senders without ever showing the password', () => {
  const password = 'Hunter2-very-secret';
  for (const url of [
    `http://u:${password}@mail.example.org`,
    `smtps://u:${password}@mail.example.org/path`,
    `smtps://u:${password}@mail.example.org:99999`,
    `smtps://:${password}@mail.example.org`,
  ]) {
    const problems = problemsOf({ PORTHELLO_SMTP_URL: url, PORTHELLO_MAIL_FROM: 'calls@example.org' });
    assert.is(problems.length, 1, url);
    assert.match(problems[0] ?? '', /^PORTHELLO_SMTP_URL: /);
    assert.not.ok(problems.join('\n').includes(password), 'the password is never in a problem line');
  }
  assert.equal(problemsOf({ PORTHELLO_SMTP_URL: `smtps://u:${password}@mail.example.org` }), [
    'PORTHELLO_MAIL_FROM: is required with PORTHELLO_SMTP_URL (the address mail is sent from)',
  ]);
  assert.equal(problemsOf({ PORTHELLO_SMTP_URL: 'smtps://mail.example.org', PORTHELLO_MAIL_FROM: 'not an address' }), [
    'PORTHELLO_MAIL_FROM: must be an e-mail address, or "Name <address>" (got "not an address")',
  ]);
  assert.equal(problemsOf({ PORTHELLO_MAIL_FROM: 'calls@example.org' }), [
    'PORTHELLO_MAIL_FROM: is only used with PORTHELLO_SMTP_URL: set both or neither (got "calls@example.org")',
  ]);
});

mail('reads the organisation on one line', () => {
  const config = loadConfig({ ...base(), PORTHELLO_ORGANISATION_NAME: 'Association Exemple', PORTHELLO_ORGANISATION_CONTACT: 'dpo@example.org' });
  assert.equal(config.organisation, { name: 'Association Exemple', contact: 'dpo@example.org', hostingLocation: '' });
  assert.equal(problemsOf({ PORTHELLO_ORGANISATION_NAME: 'x'.repeat(301) }).length, 1);
  assert.is(loadConfig({ ...base(), PORTHELLO_HOSTING_LOCATION: 'OVH, Roubaix, France' }).organisation.hostingLocation, 'OVH, Roubaix, France');
  assert.equal(problemsOf({ PORTHELLO_HOSTING_LOCATION: 'x'.repeat(301) }), [
    `PORTHELLO_HOSTING_LOCATION: must be at most 300 characters on one line (got "${'x'.repeat(301)}")`,
  ]);
  assert.equal(problemsOf({ PORTHELLO_HOSTING_LOCATION: 'Roubaix\nFrance' }).length, 1);
});

mail.run();
