// The call API: the member's call link and preferences, the directory, the call log, and the
// tickets that let a guest ring a member from their link.
import Router from '@koa/router';
import { badRequest, notFound, unauthorized } from '../errors.js';
import type { AppState } from '../http/context.js';
import { requireMember } from '../http/session.js';
import type { ApiRouteGroup } from '../http/api-router.js';
import { CALL_PAGE_MAX_LIMIT, type CallLink, type CallService } from './call-service.js';
import { DISPLAY_NAME_MAX_CODE_POINTS } from '../contract/names.js';
import { relayPolicy } from '../signal/hub-api.js';
import { readDisplayName, type GuestTickets } from './guest-tickets.js';
import type { IceConfiguration } from '../turn/credentials.js';

export const GUEST_TICKET_COOKIE = 'guest_ticket';

export type CallRouteDeps = Readonly<{
  calls: CallService;
  tickets: GuestTickets;
  publicOrigin: string;
  isHttps: boolean;
  avatarUrl: (avatarId: string) => string;
}>;

/** /api/me/call-link, /api/members, /api/calls. */
export function callRoutes(deps: CallRouteDeps): ApiRouteGroup {
  const { calls } = deps;
  const router = new Router<AppState>();
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
    const body = ctx.state.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('invalid_settings', 'Send an object.');
    const { guestsAllowed, relayOnly, ...rest } = body as Record<string, unknown>;
    const fields: Record<string, string> = {};
    if (guestsAllowed !== undefined && typeof guestsAllowed !== 'boolean') fields['guestsAllowed'] = 'must be true or false';
    if (relayOnly !== undefined && typeof relayOnly !== 'boolean') fields['relayOnly'] = 'must be true or false';
    for (const key of Object.keys(rest)) fields[key] = 'is not a setting';
    if (Object.keys(fields).length > 0) throw badRequest('invalid_settings', 'Some settings are not valid.', fields);
    const link = calls.updateSettings(member.id, {
      ...(guestsAllowed === undefined ? {} : { guestsAllowed: guestsAllowed as boolean }),
      ...(relayOnly === undefined ? {} : { relayOnly: relayOnly as boolean }),
    });
    ctx.body = present(link);
  });

  router.get('/members', (ctx) => {
    const members = calls.directoryFor(requireMember(ctx).id);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { members: members.map((m) => ({ id: m.id, firstName: m.firstName, lastName: m.lastName, avatarUrl: m.avatarId === null ? null : deps.avatarUrl(m.avatarId) })) };
  });

  router.get('/calls', (ctx) => {
    const member = requireMember(ctx);
    const before = optionalPositiveInteger(ctx.query['before'], 'before', Number.MAX_SAFE_INTEGER);
    const limit = optionalPositiveInteger(ctx.query['limit'], 'limit', CALL_PAGE_MAX_LIMIT);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = calls.callsOf(member.id, { ...(before === undefined ? {} : { before }), ...(limit === undefined ? {} : { limit }) });
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
  const router = new Router<AppState>();
  router.post('/links/:code/tickets', (ctx) => {
    const callee = deps.calls.calleeOfLink(ctx.params['code'] ?? '');
    if (callee === null) throw notFound('This call link does not exist or no longer takes calls.');
    const body = ctx.state.body as { displayName?: unknown } | undefined;
    const displayName = readDisplayName(body?.displayName);
    if ('problem' in displayName) {
      throw badRequest('invalid_display_name', `Type a name of 1 to ${DISPLAY_NAME_MAX_CODE_POINTS} visible characters.`, { displayName: displayName.problem });
    }
    const issued = deps.tickets.issue(callee.memberId, displayName.name);
    // Never readable by scripts, never sent cross-site; read by the WebSocket upgrade (/ws?as=guest)
    // and GET /api/ice-servers.
    ctx.cookies.set(GUEST_TICKET_COOKIE, issued.ticket, { httpOnly: true, sameSite: 'strict', path: '/', secure: deps.isHttps, expires: issued.expiresAt, overwrite: true });
    ctx.status = 201;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { calleeMemberId: callee.memberId, guestId: issued.guestId, expiresAt: issued.expiresAt.toISOString() };
  });
  return router;
}

/** A call link as the API shows it, with the absolute URL to share. */
export function presentLink(link: CallLink, publicOrigin: string): CallLink & { url: string } {
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
  iceFor(party: { kind: 'member'; memberId: string; sessionId: string } | { kind: 'guest'; guestId: string }, clientAddress: string, relayOnly: boolean): IceConfiguration;
  guestOf(ticket: string | undefined): { guestId: string } | null;
  prefersRelayOnly(memberId: string): boolean;
}): ApiRouteGroup {
  const router = new Router<AppState>();
  router.get('/ice-servers', (ctx) => {
    const member = ctx.state.member;
    const guest = member === undefined ? deps.guestOf(ctx.cookies.get(GUEST_TICKET_COOKIE)) : null;
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

function optionalPositiveInteger(value: unknown, name: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < 1 || number > max) throw badRequest('invalid_query', `${name} must be a whole number from 1 to ${max}.`, { [name]: 'invalid' });
  return number;
}
