// The guest ticket cookie: `__Host-` under HTTPS, read under that one name by every reader (GET
// /api/ice-servers and the WebSocket upgrade), and with no fixed expiry that the sliding ticket
// could outlive.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { jsonOf, startTestServer } from '../helpers/server.js';
import { openSignalClient } from '../helpers/ws.js';
import { FAST_BCRYPT, uniqueEmail } from '../accounts/helpers.js';

const cookie = suite('guest ticket cookie');

for (const https of [true, false]) {
  cookie(
    `${https ? 'under HTTPS is __Host-guest_ticket, Secure' : 'in a plain-HTTP trial is guest_ticket'}, without Expires, and is the name the ticket readers take`,
    async () => {
      const publicUrl = https ? 'https://call.example.org' : null;
      const server = await startTestServer({ env: { ...FAST_BCRYPT, ...(publicUrl === null ? {} : { PORTHELLO_PUBLIC_URL: publicUrl }) }, signaling: true });
      const origin = publicUrl ?? server.origin;
      try {
        const post = (path: string, body: unknown, cookieHeader?: string) =>
          fetch(server.url + path, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Origin: origin, ...(cookieHeader === undefined ? {} : { Cookie: cookieHeader }) },
            body: JSON.stringify(body),
          });
        const signup = await post('/api/auth/signup', {
          email: uniqueEmail(),
          password: 'a long enough passphrase',
          firstName: 'Ada',
          lastName: 'L',
          acceptPolicy: true,
        });
        assert.is(signup.status, 201);
        const memberCookie = (signup.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
        const link = await jsonOf(await fetch(`${server.url}/api/me/call-link`, { headers: { Cookie: memberCookie } }));
        const issued = await post(`/api/links/${link.code}/tickets`, { displayName: 'Zoé' });
        assert.is(issued.status, 201);
        const name = https ? '__Host-guest_ticket' : 'guest_ticket';
        const line = issued.headers.getSetCookie().find((value) => value.startsWith(`${name}=`));
        assert.ok(line, issued.headers.getSetCookie().join(' | '));
        assert.match(line, /; path=\/(;|$)/i);
        assert.match(line, /; httponly/i);
        assert.match(line, /; samesite=strict/i);
        assert.not.match(line, /domain=/i);
        assert.not.match(line, /expires=|max-age=/i, 'no fixed expiry: the ticket slides while in use');
        if (https) assert.match(line, /; secure/i);
        const ticketCookie = line.split(';')[0] ?? '';
        assert.is((await fetch(`${server.url}/api/ice-servers`, { headers: { Cookie: ticketCookie } })).status, 200);
        const guest = await openSignalClient(`${server.wsUrl}?as=guest`, { name: 'guest', headers: { Origin: origin, Cookie: ticketCookie } });
        guest.ws.close();
        if (https) {
          const unprefixed = ticketCookie.replace('__Host-', '');
          assert.is(
            (await fetch(`${server.url}/api/ice-servers`, { headers: { Cookie: unprefixed } })).status,
            401,
            'the unprefixed name is not read under HTTPS',
          );
          const refused = await openSignalClient(`${server.wsUrl}?as=guest`, { name: 'unprefixed', headers: { Origin: origin, Cookie: unprefixed } }).then(
            () => 'open',
            (error: Error) => error.message,
          );
          assert.match(refused, /401/);
        }
      } finally {
        await server.close();
      }
    },
  );
}

cookie.run();
