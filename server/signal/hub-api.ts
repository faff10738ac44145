// What the call hub promises (Hub, HubConnection) and what it is built from (HubDeps, its
// timing): the contract the WebSocket adapter, the composition in server/calls/calls-module.ts and the tests
// rely on. The behaviour is in hub.ts.
import type { Logger } from '../log.js';
import type { CallLog, Clock, IceProvider, MemberDirectory, Party, ReachScreen } from './deps.js';
import type { Peer } from './peer.js';
import type { RingLimits } from './ring-guard.js';
import type { IceConfig } from './protocol.js';

/** The issue asks for 30–60 s; 45 s is about nine rings, and voicemail-less callers give up
 *  around there anyway. */
export const RING_TIMEOUT_MS = 45_000;
/** How long a connected call waits for a dropped socket to come back (a phone switching from
 *  Wi-Fi to mobile data, a laptop lid); past it the call ends as if hung up. */
export const RESUME_GRACE_MS = 20_000;
/** A client sends hello as soon as the socket opens; a socket that stays silent is dropped. */
export const HELLO_TIMEOUT_MS = 10_000;
/** Guests are strangers to the member: their calls go through the relay so neither learns the
 *  other's address (the privacy policy's promise). */
export const GUEST_CALLS_ARE_RELAY_ONLY = true;

/** One party of a call, as the relay rule sees it. */
export type RelayParty = Readonly<{ kind: 'member' | 'guest'; prefersRelayOnly: boolean }>;

/**
 * The one relay rule, for a call's parties or for one party asking for ICE servers before a
 * call: 'relay' (ICE may only use the TURN relay) when a guest takes part or any member asked
 * for relay-only calls, 'all' otherwise.
 */
export function relayPolicy(...parties: readonly RelayParty[]): IceConfig['iceTransportPolicy'] {
  const relayOnly = parties.some((party) => (party.kind === 'guest' && GUEST_CALLS_ARE_RELAY_ONLY) || party.prefersRelayOnly);
  return relayOnly ? 'relay' : 'all';
}
export type HubTiming = { ringTimeoutMs: number; resumeGraceMs: number; helloTimeoutMs: number };

export type HubDeps = {
  members: MemberDirectory;
  callLog: CallLog;
  ice: IceProvider;
  log: Logger;
  clock?: Clock;
  timing?: Partial<HubTiming>;
  /** Invite rates and the cool-down after a turned-down call (defaults in ring-guard.ts). */
  ringLimits?: Partial<RingLimits>;
  /** Do-not-disturb and blocks; without it every ring rings. */
  reach?: ReachScreen;
};

/** One socket as the transport sees it: it hands over each text frame and says when it closed. */
export type HubConnection = {
  readonly id: string;
  readonly party: Party;
  receive(text: string): void;
  /** The socket closed. `isResumable` is false when it closed for good (the session ended). */
  closed(isResumable: boolean): void;
};

export type Hub = {
  /** Registers a new authenticated socket; it must send hello before anything else.
   *  `address` is the client's address block (client-address.ts), for the per-address limits. */
  connect(peer: Peer, party: Party, address?: string | null): HubConnection;
  /** Closes every socket of a member (account deleted, password changed) with 4001; the calls
   *  ringing them end as unavailable. */
  disconnectMember(memberId: string): void;
  /** A member's do-not-disturb settings changed: if they are now in quiet time, the calls
   *  ringing them end at once as unavailable, as if they had come in during it; otherwise each
   *  call waits for the quiet time's (new) start or the ring timeout, whichever comes first. */
  reachChanged(memberId: string): void;
  /** Closes with 4001 every guest socket opened through a member's link (the link was replaced
   *  or switched off, or the member left); the calls they ring or hold end with them. */
  disconnectGuestsOf(memberId: string): void;
  /** Closes the sockets opened with one session (log-out) with 4001. */
  disconnectSession(sessionId: string): void;
  /** Ends every call (each leaves its log record) and closes every socket with 1001. */
  shutdown(): void;
  /** Whether a guest placed a call that rings or is connected. */
  isGuestInCall(guestId: string): boolean;
  connectionCount(): number;
  liveCallCount(): number;
  /** Open sockets by kind and live calls by state, for monitoring. */
  census(): HubCensus;
};

export type HubCensus = Readonly<{ memberSockets: number; guestSockets: number; ringing: number; connected: number }>;

/** The census of the hub's sockets and live calls. */
export function censusOf(sockets: readonly Readonly<{ party: Party }>[], calls: readonly Readonly<{ connectedAtMs: number | null }>[]): HubCensus {
  const members = sockets.filter((socket) => socket.party.kind === 'member').length;
  const connected = calls.filter((call) => call.connectedAtMs !== null).length;
  return { memberSockets: members, guestSockets: sockets.length - members, ringing: calls.length - connected, connected };
}
