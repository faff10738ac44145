// Who a person is, as they type it: one account per e-mail address however it is spelled, and
// names (members' and guests') without characters nobody can see, through the real server.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { createAccountsModule } from '../../server/accounts/accounts-module.js';
import { silentLogger } from '../../server/log.js';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';
import { FAST_BCRYPT, json, logIn, signUp, withCookie } from './helpers.js';

let server: TestServer;
const emails = suite('e-mail addresses');
emails.before(async () => {
  server = await startTestServer({ env: FAST_BCRYPT });
});
emails.after(() => server.close());

const signUpWith = (email: string): Promise<Response> =>
  server.fetch('/api/auth/signup', json({ email, password: 'a long enough passphrase', firstName: 'José', lastName: 'Núñez', acceptPolicy: true }));

emails('makes letter case, composed and decomposed accents and full-width letters one account, at sign-up and log-in', async () => {
  const tag = randomBytes(3).toString('hex');
  const decomposed = `Jose\u0301.${tag}@Exa\u0308mple.org`;
  const created = await signUpWith(decomposed);
  assert.is(created.status, 201);
  const stored = server.db.prepare('SELECT email FROM users WHERE id = ?').get((await jsonOf(created)).id) as { email: string };
  assert.is(stored.email, `josé.${tag}@exämple.org`, 'stored composed and in lower case');
  const fullWidth = [...`JOSÉ.${tag}@EXÄMPLE.ORG`].map((c) => (/[A-Z.@0-9a-z]/.test(c) ? String.fromCodePoint((c.codePointAt(0) ?? 0) + 0xfee0) : c)).join('');
  for (const spelling of [`josé.${tag}@exämple.org`, `JOSÉ.${tag}@EXÄMPLE.ORG`, fullWidth, `  Jose\u0301.${tag}@exämple.ORG `]) {
    const again = await signUpWith(spelling);
    assert.is(again.status, 409, `sign-up as ${JSON.stringify(spelling)}`);
    assert.is((await jsonOf(again)).error.code, 'email_taken');
    assert.is((await logIn(server, spelling, 'a long enough passphrase')).status, 200, `log-in as ${JSON.stringify(spelling)}`);
  }
});

emails('refuses an address with an invisible character with 400', async () => {
  for (const email of ['ada\u200B@example.org', 'ada@exam\u00ADple.org', '\u202Eada@example.org', 'ada\u{E0041}@example.org', 'ada@exa\uFEFFmple.org']) {
    const response = await signUpWith(email);
    assert.is(response.status, 400, JSON.stringify(email));
    assert.equal((await jsonOf(response)).error.fields, { email: 'invalid' });
  }
});

emails('normalises the addresses already stored when the service starts, so their owners still log in', async () => {
  const member = await signUp(server);
  const tag = randomBytes(3).toString('hex');
  // As an earlier release stored it: only the domain lower-cased, accents as typed.
  server.db.prepare('UPDATE users SET email = ? WHERE id = ?').run(`Rene\u0301.${tag}@example.org`, member.id);
  assert.is((await logIn(server, `rené.${tag}@example.org`, member.password)).status, 401, 'not found before the pass');
  createAccountsModule({ config: server.config, db: server.db, log: silentLogger });
  const stored = server.db.prepare('SELECT email FROM users WHERE id = ?').get(member.id) as { email: string };
  assert.is(stored.email, `rené.${tag}@example.org`);
  assert.is((await logIn(server, `RENÉ.${tag}@example.org`, member.password)).status, 200);
});

emails.run();

const names = suite('names of members and guests');
names.before(async () => {
  server = await startTestServer({ env: FAST_BCRYPT });
});
names.after(() => server.close());

/** Invisible characters that are not format characters, and so slipped through a Cf-only rule. */
const HIDDEN = ['\u034F', '\uFE0F', '\u{E0100}', '\u180B', '\u17B4', '\uFFA0', '\u200B', '\u202E', '\u{E0041}'];

names('refuses hidden characters at sign-up, in the profile and in a guest ticket, and stores names in NFC', async () => {
  for (const hidden of HIDDEN) {
    const signup = await server.fetch(
      '/api/auth/signup',
      json({
        email: `n${randomBytes(4).toString('hex')}@example.org`,
        password: 'a long enough passphrase',
        firstName: `Ali${hidden}ce`,
        lastName: 'Liddell',
        acceptPolicy: true,
      }),
    );
    assert.is(signup.status, 400, `sign-up ${JSON.stringify(hidden)}`);
    assert.equal((await jsonOf(signup)).error.fields, { firstName: 'control_characters' });
  }
  const member = await signUp(server, { firstName: 'Zoe\u0301' });
  assert.is((await jsonOf(await server.fetch('/api/me', withCookie(member.cookie)))).firstName, 'Zoé', 'NFC');
  const link = await jsonOf(await server.fetch('/api/me/call-link', withCookie(member.cookie)));
  for (const hidden of HIDDEN) {
    const profile = await server.fetch('/api/me', json({ lastName: `Lid${hidden}dell` }, member.cookie, 'PATCH'));
    assert.is(profile.status, 400, `profile ${JSON.stringify(hidden)}`);
    const ticket = await server.fetch(`/api/links/${link.code}/tickets`, json({ displayName: `Bo${hidden}b` }));
    assert.is(ticket.status, 400, `guest ${JSON.stringify(hidden)}`);
    assert.equal((await jsonOf(ticket)).error.fields, { displayName: 'control_characters' });
  }
});

names.run();
