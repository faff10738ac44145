// A member can always stop a caller, through the real server: closing their link closes the
// guests' sockets, ringing is bounded, and the call log cannot be flooded.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, json, signUp, withCookie, type TestMember } from '../accounts/helpers.js';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';
import { withTimeout } from '../helpers/wait.js';
import { openSignalClient, type SignalTestClient } from '../helpers/ws.js';

let server: TestServer;
const clients: SignalTestClient[] = [];

async function connectMember(member: TestMember, name = member.firstName): Promise<SignalTestClient> {
  const client = await openSignalClient(server.wsUrl, { name, headers: { Origin: server.origin, Cookie: member.cookie } });
  clients.push(client);
  return client;
}

async function ticketFor(code: string, displayName: string, headers: Record<string, string> = {}): Promise<{ response: Response; cookie: string }> {
  const response = await server.fetch(`/api/links/${code}/tickets`, { ...json({ displayName }), headers: { 'Content-Type': 'application/json', ...headers } });
  const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith('guest_ticket='));
  return { response, cookie: line?.split(';')[0] ?? '' };
}

async function connectGuest(code: string, displayName: string): Promise<SignalTestClient> {
  const { response, cookie } = await ticketFor(code, displayName);
  assert.is(response.status, 201, `ticket: ${response.status}`);
  const client = await openSignalClient(`${server.wsUrl}?as=guest`, { name: displayName, headers: { Origin: server.origin, Cookie: cookie } });
  clients.push(client);
  return client;
}

const codeOf = async (member: TestMember): Promise<string> => (await jsonOf(await server.fetch('/api/me', withCookie(member.cookie)))).callLink.code;

/** A guest rings the member; resolves once the member's device shows the call. */
async function guestRings(member: TestMember, device: SignalTestClient, guest: SignalTestClient): Promise<string> {
  guest.send({ type: 'invite', calleeMemberId: member.id });
  const { callId } = await device.next('incoming-call');
  return callId;
}

const closing = suite('closing a link');
closing.before.each(async () => {
  server = await startTestServer({ env: FAST_BCRYPT, signaling: true });
});
closing.after.each(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  await server.close();
});

const changes: [string, (member: TestMember) => Promise<Response>][] = [
  ['replacing the link', (member) => server.fetch('/api/me/call-link', withCookie(member.cookie, { method: 'POST' }))],
  ['switching guest calls off', (member) => server.fetch('/api/me/call-link', json({ guestsAllowed: false }, member.cookie, 'PATCH'))],
  ['deleting the account', (member) => server.fetch('/api/me', json({ password: member.password }, member.cookie, 'DELETE'))],
];

for (const [what, change] of changes) {
  closing(`${what} closes the guests' sockets at once and ends the call they ring`, async () => {
    const member = await signUp(server);
    const code = await codeOf(member);
    const device = await connectMember(member);
    const ringing = await connectGuest(code, 'Zoé');
    const waiting = await connectGuest(code, 'Yann');
    const callId = await guestRings(member, device, ringing);
    const response = await change(member);
    assert.ok(response.status < 300, `${what}: ${response.status}`);
    for (const guest of [ringing, waiting]) assert.is((await withTimeout(guest.closed, 'the guest socket to close')).code, 4001);
    if (what !== 'deleting the account') {
      assert.equal(await device.next('call-ended'), { type: 'call-ended', callId, reason: 'cancelled' });
      assert.is(server.calls.hub.liveCallCount(), 0);
    }
  });
}

closing.run();
