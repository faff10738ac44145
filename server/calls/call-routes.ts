// The call API: the member's call link and preferences, the directory, the call log, and the
// tickets that let a guest ring a member from their link.
import {
  CALL_LOG_FILTERS,
  DIRECTORY_SEARCH_MAX_CODE_POINTS,
  type CallLinkView,
  type CallLogFilter,
  type CallLogPage,
  type Directory,
  type GuestTicketIssued,
} from '../contract/api.js';
import { createRouter } from '../http/router.js';
import { badRequest, notFound, unauthorized } from '../errors.js';
import { requireMember } from '../http/session.js';
import type { ApiRouteGroup } from '../http/api-router.js';
import { CALL_PAGE_MAX_LIMIT, type CallLink, type CallService } from './call-service.js';
import { DISPLAY_NAME_MAX_CODE_POINTS } from '../contract/names.js';
import { relayPolicy } from '../signal/hub-api.js';
import type { GuestTickets } from './guest-tickets.js';
import { booleanField, nameField, optional, schema } from '../http/schema.js';
import type { TicketLimits } from './ticket-limits.js';
import type { IceConfiguration } from '../turn/credentials.js';

export const GUEST_TICKET_COOKIE = 'guest_ticket';
export const SECURE_GUEST_TICKET_COOKIE = '__Host-guest_ticket';

/** Under HTTPS the `__Host-` name: only this host, over HTTPS, on every path can set it. */
export function guestTicketCookieName(isHttps: boolean): string {
  return isHttps ? SECURE_GUEST_TICKET_COOKIE : GUEST_TICKET_COOKIE;
}

export type CallRouteDeps = Readonly<{
  calls: CallService;
  tickets: GuestTickets;
  ticketLimits: TicketLimits;
  publicOrigin: string;
  isHttps: boolean;
  avatarUrl: (avatarId: string) => string;
  /** Whether a member has the calls page open (a signaling socket) now and would take a ring from the viewer. */
  isReachable: (memberId: string, viewerId: string) => boolean;
}>;

/** Past this, a directory page is surely a script walking it, not a person. */
const DIRECTORY_MAX_OFFSET = 1_000_000;

/** /api/me/call-link, /api/members, /api/calls. */
export function callRoutes(deps: CallRouteDeps): ApiRouteGroup {
  const { calls } = deps;
  const router = createRouter();
  const present = (link: CallLink) => presentLink(link, deps.publicOrigin);

  router.get('/me/call-link', (ctx) => {
    ctx.body = present(calls.linkOf(requireMember(ctx).id));
  });
  router.post('/me/call-link', (ctx) => {
    const member = requireMember(ctx);
    ctx.body = present(calls.regenerateLink(member.id));
  });
  router.patch('/me/call-link', (ctx) => {
    const member = requireMember(ctx);
    ctx.body = present(calls.updateSettings(member.id, parseLinkSettings(ctx.state.body)));
  });

  router.get('/members', (ctx) => {
    const member = requireMember(ctx);
    const search = directorySearch(ctx.query['q']);
    const offset = optionalWholeNumber(ctx.query['offset'], 'offset', DIRECTORY_MAX_OFFSET, 0);
    const page = calls.directoryFor(member.id, { search, offset: offset ?? 0 });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      members: page.members.map((m) => ({
        id: m.id,
        firstName: m.firstName,
        lastName: m.lastName,
        avatarUrl: m.avatarId === null ? null : deps.avatarUrl(m.avatarId),
        // Presence is personal data: told only about members who chose to show it.
        reachable: m.showPresence ? deps.isReachable(m.id, member.id) : null,
      })),
      nextOffset: page.nextOffset,
    } satisfies Directory;
  });

  router.get('/calls', (ctx) => {
    const member = requireMember(ctx);
    const before = optionalWholeNumber(ctx.query['before'], 'before', Number.MAX_SAFE_INTEGER);
    const limit = optionalWholeNumber(ctx.query['limit'], 'limit', CALL_PAGE_MAX_LIMIT);
    const filter = logFilter(ctx.query['filter']);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = calls.callsOf(member.id, {
      filter,
      ...(before === undefined ? {} : { before }),
      ...(limit === undefined ? {} : { limit }),
    }) satisfies CallLogPage;
  });
  router.post('/calls/seen', (ctx) => {
    calls.markCallsSeen(requireMember(ctx).id);
    ctx.status = 204;
  });
  router.delete('/calls/:id', (ctx) => {
    const member = requireMember(ctx);
    const id = Number(ctx.params['id']);
    if (!Number.isSafeInteger(id) || id <= 0) throw notFound('No such call in your log.');
    calls.deleteCall(member.id, id);
    ctx.status = 204;
  });

  return router;
}

/** /api/links/:code/tickets: a guest names themself and gets the right to ring this one member. */
export function guestRoutes(deps: CallRouteDeps): ApiRouteGroup {
  const router = createRouter();
  router.post('/links/:code/tickets', (ctx) => {
    const code = ctx.params['code'] ?? '';
    const callee = deps.calls.calleeOfLink(code);
    if (callee === null) throw notFound('This call link does not exist or no longer takes calls.');
    const { displayName } = parseTicketRequest(ctx.state.body);
    deps.ticketLimits.admit(callee.memberId, ctx.ip);
    const issued = deps.tickets.issue(callee.memberId, displayName, code, ctx.cookies.get(guestTicketCookieName(deps.isHttps)));
    // Never readable by scripts, never sent cross-site; read by the WebSocket upgrade (/ws?as=guest)
    // and GET /api/ice-servers. No Expires: the ticket slides while it is used, so a fixed date
    // would drop the cookie from the browser in the middle of a long call; the server's sliding
    // expiry is the only one, and the browser forgets the cookie when it closes.
    ctx.cookies.set(guestTicketCookieName(deps.isHttps), issued.ticket, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      secure: deps.isHttps,
      overwrite: true,
    });
    ctx.status = 201;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { calleeMemberId: callee.memberId, guestId: issued.guestId, expiresAt: issued.expiresAt.toISOString() } satisfies GuestTicketIssued;
  });
  return router;
}

/** A call link as the API shows it, with the absolute URL to share. */
export function presentLink(link: CallLink, publicOrigin: string): CallLinkView {
  return { ...link, url: publicOrigin + link.path };
}

/**
 * GET /api/ice-servers: TURN servers, in RTCConfiguration's shape, for a member (their session) or
 * a guest (their ticket). Not tied to a call: one credential per session or ticket (asked again,
 * the same one), bounded per client address, from the relay capacity not kept for calls; unused
 * it expires within minutes, and it ends with the session or ticket. A call's own credentials
 * come with call-connected and die with the call.
 */
export function iceRoutes(deps: {
  iceFor(
    party: { kind: 'member'; memberId: string; sessionId: string } | { kind: 'guest'; guestId: string },
    clientAddress: string,
    relayOnly: boolean,
  ): IceConfiguration;
  guestOf(ticket: string | undefined): { guestId: string } | null;
  prefersRelayOnly(memberId: string): boolean;
  isHttps: boolean;
}): ApiRouteGroup {
  const router = createRouter();
  router.get('/ice-servers', (ctx) => {
    const member = ctx.state.member;
    const guest = member === undefined ? deps.guestOf(ctx.cookies.get(guestTicketCookieName(deps.isHttps))) : null;
    ctx.set('Cache-Control', 'no-store');
    if (member !== undefined) {
      const relayOnly = relayPolicy({ kind: 'member', prefersRelayOnly: deps.prefersRelayOnly(member.id) }) === 'relay';
      ctx.body = deps.iceFor({ kind: 'member', memberId: member.id, sessionId: member.sessionId }, ctx.ip, relayOnly);
    } else if (guest !== null) {
      ctx.body = deps.iceFor({ kind: 'guest', guestId: guest.guestId }, ctx.ip, relayPolicy({ kind: 'guest', prefersRelayOnly: false }) === 'relay');
    } else {
      throw unauthorized();
    }
  });
  return router;
}

const parseLinkSettings = schema(
  { guestsAllowed: optional(booleanField), relayOnly: optional(booleanField), showPresence: optional(booleanField) },
  { code: 'invalid_settings', message: 'Some settings are not valid.', closed: true },
);

const parseTicketRequest = schema(
  { displayName: nameField(DISPLAY_NAME_MAX_CODE_POINTS) },
  { code: 'invalid_display_name', message: `Type a name of 1 to ${DISPLAY_NAME_MAX_CODE_POINTS} visible characters.` },
);

function directorySearch(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value !== 'string' || [...value].length > DIRECTORY_SEARCH_MAX_CODE_POINTS)
    throw badRequest('invalid_query', `q must be one text of at most ${DIRECTORY_SEARCH_MAX_CODE_POINTS} characters.`, { q: 'invalid' });
  return value;
}

function logFilter(value: unknown): CallLogFilter {
  if (value === undefined) return 'all';
  const known = CALL_LOG_FILTERS.find((filter) => filter === value);
  if (known === undefined) throw badRequest('invalid_query', `filter must be one of: ${CALL_LOG_FILTERS.join(', ')}.`, { filter: 'invalid' });
  return known;
}

function optionalWholeNumber(value: unknown, name: string, max: number, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const number = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max)
    throw badRequest('invalid_query', `${name} must be a whole number from ${min} to ${max}.`, { [name]: 'invalid' });
  return number;
}
