// Composition of the calls part: the call service (links, preferences, log), guest tickets,
// the signaling hub with its seams filled (who is connecting, who can be rung, where calls are
// logged, how TURN credentials are minted), the API groups, and the WebSocket signaler.
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Database } from 'better-sqlite3';
import type Router from '@koa/router';
import type { AccountsModule } from '../accounts/accounts-module.js';
import type { ProfileExtras } from '../accounts/profile-routes.js';
import type { Config } from '../config.js';
import { createCallStore } from './call-store.js';
import type { AppState } from '../http/context.js';
import type { PageRenderer } from '../http/pages.js';
import type { Logger } from '../log.js';
import { callPageRoutes } from './call-pages.js';
import type { ApiRouteGroup } from '../http/api-router.js';
import { callRoutes, guestRoutes, guestTicketCookieName, iceRoutes, presentLink } from './call-routes.js';
import { createCallService, type CallService } from './call-service.js';
import { createGuestTickets, type GuestTickets } from './guest-tickets.js';
import { createReachService, type ReachService } from './reach-service.js';
import { createReachStore } from './reach-store.js';
import { reachRoutes } from './reach-routes.js';
import { createSocketAuth } from './socket-auth.js';
import { createTicketLimits, type TicketLimitSettings } from './ticket-limits.js';
import { trackPresence } from './presence.js';
import { partyKeyOf, type Authenticate, type IceProvider } from '../signal/deps.js';
import { createHub } from '../signal/hub.js';
import type { Hub, HubTiming } from '../signal/hub-api.js';
import type { RingLimits } from '../signal/ring-guard.js';
import { attachSignaler, type Signaler, type SignalerLimits } from '../signal/server.js';
import type { TurnCredentials } from '../turn/credentials.js';
import type { Metrics } from '../metrics/metrics.js';

export type CallsModule = Readonly<{
  service: CallService;
  /** Do-not-disturb and blocks: who may ring each member. */
  reach: ReachService;
  tickets: GuestTickets;
  hub: Hub;
  authenticate: Authenticate;
  apiGroups(): ApiRouteGroup[];
  /** Routers outside /api: the member's calls page and the guest page of a call link. */
  routers(pages: PageRenderer): Router<AppState>[];
  /** Added to GET /api/me: the member's call link. */
  profileExtras: ProfileExtras;
  /** Starts the signaler on the HTTP server's upgrade event. */
  attach(server: HttpServer | HttpsServer, limits?: Partial<SignalerLimits>): Signaler;
}>;

export type CallsDeps = {
  config: Config;
  db: Database;
  log: Logger;
  accounts: AccountsModule;
  /** TURN credentials per call and party; null without any relay (then calls offer none). */
  turnCredentials: TurnCredentials | null;
  /** Tests shorten ringing and grace periods. */
  timing?: Partial<HubTiming>;
  /** Tests that ring one member many times from one address raise the invite limits… */
  ringLimits?: Partial<RingLimits>;
  /** …and the guest-ticket limits. */
  ticketLimits?: Partial<TicketLimitSettings>;
  /** Counts call outcomes for GET /metrics. */
  metrics?: Pick<Metrics, 'countCallOutcome'>;
  /** The clock do-not-disturb schedules are read with (tests set the day and time). */
  reachNowMs?: () => number;
};

const NO_RELAY: IceProvider = { iceServersFor: () => [], releaseCall: () => {} };

/** The hub's view of the credential service; the hub itself decides relay-only per call. */
function iceProviderOf(credentials: TurnCredentials | null): IceProvider {
  if (credentials === null) return NO_RELAY;
  return {
    iceServersFor: (callId, party) =>
      [...credentials.issue({ callId, participantId: partyKeyOf(party), owners: credentialOwnersOf(party), relayOnly: false }).iceServers].map((server) => ({
        ...server,
        urls: [...server.urls],
      })),
    releaseCall: (callId) => credentials.revokeCall(callId),
  };
}

/** What a TURN credential is minted for: it dies with the session or the member (log-out,
 * password change, deletion), or with the guest's ticket (revoked with the link). */
function credentialOwnersOf(party: { kind: 'member'; memberId: string; sessionId: string } | { kind: 'guest'; guestId: string }): string[] {
  return party.kind === 'member' ? [`member:${party.memberId}`, `session:${party.sessionId}`] : [`guest:${party.guestId}`];
}

export function createCallsModule(deps: CallsDeps): CallsModule {
  const { config, log, accounts } = deps;
  // A guest in a call keeps their ticket whatever a flood of new ones does.
  const tickets = createGuestTickets(
    Date.now,
    (guestId) => hub.isGuestInCall(guestId),
    // A revoked ticket's relay credentials end with it.
    (guestId) => deps.turnCredentials?.revokeOwner(`guest:${guestId}`),
  );
  // A link that stops taking guests takes their tickets and their open sockets with it.
  const guestAccess = {
    revokeFor(memberId: string): void {
      tickets.revokeFor(memberId);
      hub.disconnectGuestsOf(memberId);
    },
  };
  const service = createCallService(createCallStore(deps.db), guestAccess, undefined, {
    repeatWindowMs: config.calls.callLogRepeatWindowMs,
    maxEntries: config.calls.callLogMaxEntries,
  });
  const reach = createReachService(
    createReachStore(deps.db),
    (memberId) => service.namesOf(memberId)?.displayName ?? null,
    deps.reachNowMs,
    // Do-not-disturb switched on, or a schedule changed, while calls ring the member.
    (memberId) => hub.reachChanged(memberId),
  );
  const hub = createHub({
    members: {
      findMember(memberId) {
        const names = service.namesOf(memberId);
        return names === null
          ? null
          : { memberId, ...names, prefersRelayOnly: service.prefersRelayOnly(memberId), guestLinkCode: service.guestLinkCodeOf(memberId) };
      },
    },
    callLog: {
      recordReceivedCall(call) {
        deps.metrics?.countCallOutcome(call.outcome);
        service.recordCall(call);
      },
    },
    ice: iceProviderOf(deps.turnCredentials),
    log,
    ...(deps.timing === undefined ? {} : { timing: deps.timing }),
    ringLimits: { ringCooldownMs: config.calls.ringCooldownMs, knockRefusedCooldownMs: config.calls.knockRefusedCooldownMs, ...deps.ringLimits },
    reach,
  });

  // The signaler's sockets counted per member, for the directory's "can be called now".
  const presence = trackPresence(hub);

  const authenticate = createSocketAuth({
    guestTicketCookie: guestTicketCookieName(config.isHttps),
    tickets,
    memberFromRequest: (request) => accounts.auth.memberFromRequest(request),
    // A member whose address awaits verification has no socket: rung, they are unavailable,
    // exactly like a member who is offline, so no caller learns anything.
    namesOf: (memberId) => (accounts.verification.isReachable(memberId) ? service.namesOf(memberId) : null),
  });

  // Every member has a call link from sign-up on: reading it (GET /api/me) then writes nothing.
  accounts.events.onMemberCreated((memberId) => service.linkOf(memberId));
  // Ended sessions and deleted members lose their sockets at once; a deleted member's link dies.
  // Their relay credentials end too, and with them every allocation made with them.
  accounts.events.onSessionsEnded((_memberId, sessionIds) => {
    for (const sessionId of sessionIds) {
      hub.disconnectSession(sessionId);
      deps.turnCredentials?.revokeOwner(`session:${sessionId}`);
    }
  });
  // A disabled member can neither be rung nor ring: their sockets, their guests' sockets and
  // their relay credentials end at once.
  accounts.events.onMemberDisabled((memberId) => {
    hub.disconnectMember(memberId);
    hub.disconnectGuestsOf(memberId);
    tickets.revokeFor(memberId);
    deps.turnCredentials?.revokeOwner(`member:${memberId}`);
  });
  accounts.events.onAddressUnverified((memberId) => hub.disconnectMember(memberId));
  accounts.events.onMemberDeleted((memberId) => {
    hub.disconnectMember(memberId);
    deps.turnCredentials?.revokeOwner(`member:${memberId}`);
    service.memberDeleted(memberId);
    reach.memberDeleted(memberId);
  });

  const routeDeps = {
    calls: service,
    tickets,
    ticketLimits: createTicketLimits(Date.now, deps.ticketLimits),
    publicOrigin: config.publicOrigin,
    isHttps: config.isHttps,
    avatarUrl: (avatarId: string) => accounts.avatars.files.urls(avatarId).small,
    // Someone the member would not take a ring from (quiet time, blocked) sees them as not
    // reachable, like an offline member: the directory tells no more than a ring would.
    isReachable: (memberId: string, viewerId: string) => presence.isReachable(memberId) && reach.takesRingFrom(memberId, viewerId),
  };
  return {
    service,
    reach,
    tickets,
    hub,
    authenticate,
    routers: (pages) => [
      callPageRoutes(pages, {
        calleeOfLink: (code) => service.calleeOfLink(code),
        knocksFirst: (memberId) => reach.knocksFirst(memberId),
        linkOwnerCard(memberId) {
          try {
            const profile = accounts.accounts.profile(memberId);
            return { firstName: profile.firstName, avatarUrl: profile.avatar?.large ?? null };
          } catch {
            // The member was deleted between the link lookup and now: the link is dead too.
            return null;
          }
        },
      }),
    ],
    apiGroups: () => [
      callRoutes(routeDeps),
      reachRoutes(reach),
      guestRoutes(routeDeps),
      iceRoutes({
        // Outside a call: one credential per session or guest ticket, counted per client address.
        iceFor: (party, clientAddress, relayOnly) =>
          deps.turnCredentials === null
            ? { iceServers: [], iceTransportPolicy: 'all' }
            : deps.turnCredentials.issue({
                callId: null,
                participantId: party.kind === 'member' ? `session:${party.sessionId}` : `guest:${party.guestId}`,
                owners: credentialOwnersOf(party),
                clientAddress,
                relayOnly,
              }),
        guestOf: (ticket) => (ticket === undefined ? null : tickets.redeem(ticket)),
        prefersRelayOnly: service.prefersRelayOnly,
        isHttps: config.isHttps,
      }),
    ],
    // The link's row comes with the rest of GET /api/me (accounts/profile-store.ts reads it for us).
    profileExtras: (memberId, stored) => ({ callLink: presentLink(service.linkOfStored(memberId, stored.callLink), config.publicOrigin) }),
    attach: (server, limits) =>
      attachSignaler(server, {
        pageOrigins: config.pageOrigins,
        trustProxy: config.trustProxy,
        authenticate,
        hub: presence.hub,
        log,
        ...(limits === undefined ? {} : { limits }),
      }),
  };
}
