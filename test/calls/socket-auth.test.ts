// Who opens a signaling socket: each branch of the upgrade's authentication, with in-memory
// tickets and sessions.
import type { IncomingMessage } from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSocketAuth } from '../../server/calls/socket-auth.js';

const COOKIE = 'porthello_guest';
const GUEST = { guestId: 'g-1', displayName: 'Zoé', calleeMemberId: 'bob', linkCode: 'link-code' };

function request(url: string, cookie?: string): IncomingMessage {
  return { url, headers: cookie === undefined ? {} : { cookie } } as IncomingMessage;
}

const authenticate = createSocketAuth({
  guestTicketCookie: COOKIE,
  tickets: { redeem: (ticket) => (ticket === 'good-ticket' ? GUEST : null) },
  memberFromRequest: (req) =>
    req.headers.cookie?.includes('session=alice') === true
      ? { id: 'alice', sessionId: 's-1' }
      : req.headers.cookie?.includes('session=gone') === true
        ? { id: 'gone', sessionId: 's-2' }
        : null,
  namesOf: (memberId) => (memberId === 'alice' ? { displayName: 'Alice Martin', guestFacingName: 'Alice' } : null),
});

test('a guest socket with a live ticket is that guest', async () => {
  assert.equal(await authenticate(request('/ws?as=guest', `${COOKIE}=good-ticket`)), { kind: 'guest', ...GUEST });
});

test('a guest socket with an unknown, revoked or missing ticket is nobody', async () => {
  assert.is(await authenticate(request('/ws?as=guest', `${COOKIE}=revoked`)), null);
  assert.is(await authenticate(request('/ws?as=guest')), null);
});

test('a guest socket is never taken for a member, even with a member session cookie', async () => {
  assert.is(await authenticate(request('/ws?as=guest', 'session=alice')), null);
});

test('a member socket with a live session is that member, with the session it was opened with', async () => {
  assert.equal(await authenticate(request('/ws', 'session=alice')), {
    kind: 'member',
    memberId: 'alice',
    displayName: 'Alice Martin',
    guestFacingName: 'Alice',
    sessionId: 's-1',
  });
});

test('a member socket without a session, or whose account is gone, is nobody', async () => {
  assert.is(await authenticate(request('/ws')), null);
  assert.is(await authenticate(request('/ws', 'session=gone')), null);
});

test('a ticket cookie does not make a member socket a guest one', async () => {
  assert.is(await authenticate(request('/ws', `${COOKIE}=good-ticket`)), null);
});

test.run();
