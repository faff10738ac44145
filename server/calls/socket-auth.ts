// Who is opening a signaling socket, decided once in the HTTP upgrade: a guest, by the ticket
// cookie a call link gave them (the socket's URL says `as=guest`), or a member, by their session
// cookie. Anything else is nobody, and the upgrade is refused with 401.
import type { IncomingMessage } from 'node:http';
import { readCookie } from '../http/session.js';
import type { Authenticate } from '../signal/deps.js';
import { GUEST_SOCKET_QUERY } from '../signal/protocol.js';
import type { GuestTickets } from './guest-tickets.js';

export type SocketAuthDeps = Readonly<{
  guestTicketCookie: string;
  tickets: Pick<GuestTickets, 'redeem'>;
  /** The member of the request's session cookie, or null (accounts' SessionAuth). */
  memberFromRequest(request: IncomingMessage): { id: string; sessionId: string } | null;
  /** A member's names; null once the account is gone. */
  namesOf(memberId: string): { displayName: string; guestFacingName: string } | null;
}>;

export function createSocketAuth(deps: SocketAuthDeps): Authenticate {
  return async (request) => {
    if (isGuestSocket(request.url)) {
      const ticket = readCookie(request.headers.cookie, deps.guestTicketCookie);
      const guest = ticket === undefined ? null : deps.tickets.redeem(ticket);
      return guest === null ? null : { kind: 'guest', ...guest };
    }
    const member = deps.memberFromRequest(request);
    if (member === null) return null;
    const names = deps.namesOf(member.id);
    return names === null ? null : { kind: 'member', memberId: member.id, ...names, sessionId: member.sessionId };
  };
}

function isGuestSocket(url: string | undefined): boolean {
  return (url ?? '').split('?')[1]?.split('&').includes(GUEST_SOCKET_QUERY) === true;
}
