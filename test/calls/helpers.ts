// The calls part through a real server, for suites that start one server per test: members' and
// guests' signaling sockets (all closed by `closeAll`), guest tickets, and a member's link and
// call log as the API shows them.
import * as assert from 'uvu/assert';
import { json, withCookie, type TestMember } from '../accounts/helpers.js';
import { jsonOf, type TestServer } from '../helpers/server.js';
import { openSignalClient, type SignalTestClient } from '../helpers/ws.js';

export type GuestTicket = { response: Response; cookie: string | null };

/** `server` gives the running server: suites replace it before each test. */
export function liveCalls(server: () => TestServer) {
  const clients: SignalTestClient[] = [];
  const open = async (url: string, name: string, cookie: string): Promise<SignalTestClient> => {
    const client = await openSignalClient(url, { name, headers: { Origin: server().origin, Cookie: cookie } });
    clients.push(client);
    return client;
  };
  const ticketFor = async (code: string, displayName: string, headers: Record<string, string> = {}): Promise<GuestTicket> => {
    const response = await server().fetch(`/api/links/${code}/tickets`, {
      ...json({ displayName }),
      headers: { 'Content-Type': 'application/json', ...headers },
    });
    const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith('guest_ticket='));
    return { response, cookie: line?.split(';')[0] ?? null };
  };
  const linkOf = async (member: TestMember) => (await jsonOf(await server().fetch('/api/me', withCookie(member.cookie)))).callLink;
  return {
    connectMember: (member: TestMember, name = member.firstName): Promise<SignalTestClient> => open(server().wsUrl, name, member.cookie),
    ticketFor,
    /** A guest socket that shows this ticket cookie. */
    connectGuestWith: (cookie: string, name: string): Promise<SignalTestClient> => open(`${server().wsUrl}?as=guest`, name, cookie),
    /** A guest with a fresh ticket for this link, connected. */
    async connectGuest(code: string, displayName: string): Promise<{ client: SignalTestClient; calleeMemberId: string }> {
      const { response, cookie } = await ticketFor(code, displayName);
      assert.is(response.status, 201, `ticket: ${response.status}`);
      const { calleeMemberId } = await jsonOf(response);
      return { client: await open(`${server().wsUrl}?as=guest`, displayName, cookie ?? ''), calleeMemberId };
    },
    linkOf,
    codeOf: async (member: TestMember): Promise<string> => (await linkOf(member)).code,
    callsOf: async (member: TestMember, query = '') => jsonOf(await server().fetch(`/api/calls${query}`, withCookie(member.cookie))),
    closeAll(): void {
      for (const client of clients.splice(0)) client.ws.terminate();
    },
  };
}
