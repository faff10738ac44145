// What the signaler takes from the rest of the service, as small injected interfaces: who is
// connecting (accounts), who can be rung (the member directory), where received calls are
// written (the call log), how a call reaches the TURN relay (ICE credentials), and the clock.
// main.ts wires the real ones; tests pass in-memory ones.
import type { IncomingMessage } from 'node:http';
import type { CallPath, IceServer, PartyView } from './protocol.js';

/** An authenticated party on a socket. A member comes from a session cookie; a guest from a
 *  short-lived ticket issued by one member's call link, and may ring only that member. */
export type Party =
  | {
      kind: 'member';
      memberId: string;
      displayName: string;
      /** What a guest is shown of this member (see MemberProfile). */
      guestFacingName: string;
      /** The session the socket was opened with, so logging out closes exactly its sockets. */
      sessionId: string;
    }
  | {
      kind: 'guest';
      /** Opaque and random; stays the same across the tickets of one guest's browser session so a
       *  dropped socket can resume its call. */
      guestId: string;
      displayName: string;
      calleeMemberId: string;
      /** The call link the ticket came from: an invite rings only while it still takes guests. */
      linkCode: string;
    };

/** Resolves the party behind an upgrade request (session cookie or guest ticket), or null for
 *  401. Called in the HTTP upgrade handler, before any WebSocket exists. Must not throw for a
 *  bad credential; a throw is treated as a server error (500). */
export type Authenticate = (request: IncomingMessage) => Promise<Party | null>;

/** What the hub needs to know about a member it rings. */
export type MemberProfile = {
  memberId: string;
  displayName: string;
  /** What a guest is shown of this member: the first name only (a stranger learns no more). */
  guestFacingName: string;
  /** The member asked that every call of theirs goes through the relay (hides their address). */
  prefersRelayOnly: boolean;
  /** The member's call link while it takes guest calls, null when guest calls are off. */
  guestLinkCode: string | null;
};

export type MemberDirectory = {
  /** The member, or null when there is no such (or no longer any) member. Synchronous: a
   *  prepared SQLite statement. */
  findMember(memberId: string): MemberProfile | null;
};

export type CallOutcome = 'answered' | 'missed' | 'declined' | 'busy';

/** Who rang, as the callee's log keeps it: a member by id, a guest by the name they typed. */
export type CallerRecord = { kind: 'member'; memberId: string } | { kind: 'guest'; displayName: string };

export type ReceivedCall = {
  calleeMemberId: string;
  caller: CallerRecord;
  /** When the caller rang. */
  startedAt: Date;
  outcome: CallOutcome;
  /** Seconds from answer to end; null unless answered. */
  durationS: number | null;
  /** Whether the answered call went through the relay, as the browsers reported; null or absent when unknown. */
  path?: CallPath | null;
  /** The callee blocked this caller: only the caller's own log keeps the call (as it would
   *  for any member who did not answer), the callee's log stays free of them. */
  isBlocked?: boolean;
};

/** Where every received call leaves exactly one record: day and time, outcome, duration, who.
 *  Never SDP, candidates, addresses or anything of the call's content. */
export type CallLog = {
  recordReceivedCall(call: ReceivedCall): void;
};

/** ICE servers for one party of one call: TURN credentials are minted per call and party, and
 *  every credential of a call is revoked by releaseCall when it ends. */
export type IceProvider = {
  iceServersFor(callId: string, party: Party): IceServer[];
  /** Called once per call that asked for servers, when it ends. */
  releaseCall(callId: string): void;
};

/** Whether a member takes a caller's ring now: 'quiet' (do-not-disturb) and 'blocked' end the
 *  call at once as "unavailable", exactly as for a member with no device online. */
export type ReachScreen = {
  screen(calleeMemberId: string, caller: Party): 'ring' | 'quiet' | 'blocked';
  /** Whether the member lets guests in one by one: a guest's call arrives as a knock. */
  knocksFirst(calleeMemberId: string): boolean;
  /** Whether the member is in quiet time now: what rings them stops (Hub.reachChanged). */
  isQuiet(calleeMemberId: string): boolean;
  /** In how many ms the member's quiet time starts, if within `withinMs` (0: it is on); a call
   *  still ringing then ends as if it had come in during quiet time. */
  quietStartsWithin(calleeMemberId: string, withinMs: number): number | null;
};

export type TimerHandle = { readonly id: unknown };

/** Time as the hub sees it; tests drive a fake one, so no real timer outlives a test. */
export type Clock = {
  nowMs(): number;
  setTimer(callback: () => void, delayMs: number): TimerHandle;
  clearTimer(timer: TimerHandle): void;
};

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  setTimer: (callback, delayMs) => ({ id: setTimeout(callback, delayMs) }),
  clearTimer: (timer) => clearTimeout(timer.id as NodeJS.Timeout),
};

/** The key under which a party's sockets and calls are indexed. */
export function partyKeyOf(party: Party): string {
  return party.kind === 'member' ? memberKey(party.memberId) : guestKey(party.guestId);
}

export function guestKey(guestId: string): string {
  return `guest:${guestId}`;
}

export function memberKey(memberId: string): string {
  return `member:${memberId}`;
}

/** The party as the other side of a call sees it: no session, no ticket details; a guest
 *  sees a member by their guest-facing name (first name) only. */
export function viewOf(party: Party, viewer?: Party | null): PartyView {
  if (party.kind === 'guest') return { kind: 'guest', guestId: party.guestId, displayName: party.displayName };
  const displayName = viewer?.kind === 'guest' ? party.guestFacingName : party.displayName;
  return { kind: 'member', memberId: party.memberId, displayName };
}
