// The log holds no member id (pseudonymous personal data), nor any other identifier of a person:
// a scenario through every account route and the signaling, then a search of every line.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { jsonOf, startTestServer } from '../helpers/server.js';
import { openSignalClient } from '../helpers/ws.js';
import { pngOf, uploadForm } from '../media/images.js';
import { FAST_BCRYPT, json, logIn, sessionCookieOf, signUp, withCookie } from './helpers.js';

const privacy = suite('log privacy');

privacy(
  'after sign-up, log-in, profile, password, picture, sessions, calls sockets, log-out and deletion, no line names a member, session or guest',
  async () => {
    const server = await startTestServer({ env: FAST_BCRYPT, signaling: true });
    try {
      const ada = await signUp(server);
      const bob = await signUp(server);
      assert.is((await logIn(server, ada.email, 'not the password at all')).status, 401);
      const second = sessionCookieOf(await logIn(server, ada.email, ada.password)) ?? '';
      assert.is((await server.fetch('/api/me', json({ firstName: 'Adeline' }, ada.cookie, 'PATCH'))).status, 200);
      assert.is(
        (await server.fetch('/api/me/avatar', withCookie(ada.cookie, { method: 'PUT', body: uploadForm(await pngOf(64, 64), 'me.png', 'image/png') }))).status,
        200,
      );
      const sessionIds = ((await jsonOf(await server.fetch('/api/me/sessions', withCookie(ada.cookie)))).sessions as { id: string }[]).map(
        (session) => session.id,
      );
      const link = await jsonOf(await server.fetch('/api/me/call-link', withCookie(ada.cookie)));
      const ticket = await server.fetch(`/api/links/${link.code}/tickets`, json({ displayName: 'Guest Zoé' }));
      const { guestId } = await jsonOf(ticket);
      const guestCookie = (ticket.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
      const member = await openSignalClient(server.wsUrl, { name: 'ada', headers: { Origin: server.origin, Cookie: ada.cookie } });
      const guest = await openSignalClient(`${server.wsUrl}?as=guest`, { name: 'guest', headers: { Origin: server.origin, Cookie: guestCookie } });
      guest.ws.close();
      await guest.closed;
      const changed = await server.fetch('/api/me/password', json({ currentPassword: ada.password, newPassword: 'another long passphrase' }, second));
      assert.is(changed.status, 200);
      await member.closed;
      assert.is((await server.fetch('/api/auth/logout', withCookie(bob.cookie, { method: 'POST' }))).status, 204);
      assert.is((await server.fetch('/api/me', json({ password: 'another long passphrase' }, second, 'DELETE'))).status, 204);

      const lines = server.logs;
      for (const message of [
        'member signed up',
        'login succeeded',
        'login refused',
        'password changed',
        'logged out',
        'account deleted',
        'connection opened',
      ]) {
        assert.ok(
          lines.some((line) => line.includes(message)),
          `a "${message}" line was written`,
        );
      }
      assert.ok(
        lines.filter((line) => line.includes('member signed up')).every((line) => /request_id=[0-9a-f]{16}/.test(line)),
        'with the request id instead',
      );
      const secrets = {
        ada: ada.id,
        bob: bob.id,
        guestId,
        linkCode: link.code,
        adaEmail: ada.email,
        bobEmail: bob.email,
        ...Object.fromEntries(sessionIds.map((id, index) => [`session${index}`, id])),
      };
      for (const [what, value] of Object.entries(secrets)) {
        const leak = lines.find((line) => line.includes(value));
        assert.is(leak, undefined, `${what} appears in the log: ${leak}`);
      }
    } finally {
      await server.close();
    }
  },
);

privacy.run();
