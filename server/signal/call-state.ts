// One call's state and the rules that depend on nothing but the call: its life cycle states,
// which side a connection is on, what the callee's log records when it ends, and what the
// relay-only rule lets through. hub.ts moves calls between states; this file holds no I/O.
import { timingSafeEqual } from 'node:crypto';
import { viewOf, type CallOutcome, type MemberProfile, type Party, type ReceivedCall, type TimerHandle } from './deps.js';
import { type CallPath, candidateTypeOf, type ClientMessage, type EndReason, type IceConfig, type PartyView, type ServerMessage } from './protocol.js';

/** ringing → connected → ended, or ringing → ended. An ended call is gone from every index. */
export type CallState = 'ringing' | 'connected' | 'ended';

/** One end of a call. `conn` is the socket bound to it: for the caller, the device that
 *  invited; for the callee, the device that accepted. It is null while that socket is away
 *  within the resume grace period. */
export type CallSide<C> = {
  /** The party's index key (partyKeyOf). */
  key: string;
  /** Known for the caller from the start, for the callee once a device accepts. */
  party: Party | null;
  conn: C | null;
  /** Lets a new socket of the same party take this side back after a reconnect. */
  resumeToken: string;
  ice: IceConfig | null;
  graceTimer: TimerHandle | null;
};

export type Call<C> = {
  id: string;
  state: CallState;
  /** Only relay candidates cross: neither side learns the other's addresses. */
  isRelayOnly: boolean;
  startedAtMs: number;
  connectedAtMs: number | null;
  caller: CallSide<C> & { party: Party };
  callee: CallSide<C>;
  calleeProfile: MemberProfile;
  /** The callee's devices being rung; empty once the call is answered or ended. */
  ringing: Set<C>;
  ringTimer: TimerHandle | null;
  /** True once ICE servers were asked for, so that the end of the call releases them. */
  hasIce: boolean;
  /** Where a cool-down is kept if the callee turns this caller down (ring-guard.ts). */
  cooldownKeys: readonly string[];
  /** A guest's knock and its note (kept in memory while it rings, never stored); null for a ring. */
  knock: { note: string } | null;
  /** The commitment to its certificate the callee accepted with, for the caller (protocol.ts); null while it rings. */
  calleeCommitment: string | null;
  /** Where the media went once connected, as the sides reported it: 'relayed' once either said so. */
  path: CallPath | null;
};

export type Side = 'caller' | 'callee';

/** What a new call starts from; the rest of a ringing call's state starts empty. */
export type RingingCallInit<C> = Readonly<{
  id: string;
  isRelayOnly: boolean;
  startedAtMs: number;
  caller: { key: string; party: Party; conn: C };
  calleeKey: string;
  calleeProfile: MemberProfile;
  devices: readonly C[];
  cooldownKeys: readonly string[];
  knock: { note: string } | null;
  /** A fresh resume token per side. */
  newToken: () => string;
}>;

/** A call that starts ringing: the caller's side bound to its socket, the callee's waiting for a device to accept. */
export function ringingCall<C>(init: RingingCallInit<C>): Call<C> {
  const { caller } = init;
  return {
    id: init.id,
    state: 'ringing',
    isRelayOnly: init.isRelayOnly,
    startedAtMs: init.startedAtMs,
    connectedAtMs: null,
    caller: { key: caller.key, party: caller.party, conn: caller.conn, resumeToken: init.newToken(), ice: null, graceTimer: null },
    callee: { key: init.calleeKey, party: null, conn: null, resumeToken: init.newToken(), ice: null, graceTimer: null },
    calleeProfile: init.calleeProfile,
    ringing: new Set(init.devices),
    ringTimer: null,
    hasIce: false,
    cooldownKeys: init.cooldownKeys,
    knock: init.knock,
    calleeCommitment: null,
    path: null,
  };
}

/** How the callee appears to whoever rings them: the full name to a member, the first name to a guest. */
export function calleeViewFor(profile: MemberProfile, caller: Party): PartyView {
  return { kind: 'member', memberId: profile.memberId, displayName: caller.kind === 'guest' ? profile.guestFacingName : profile.displayName };
}

/** Which bound side a connection is on, or null if it is not bound to the call. */
export function sideOf<C>(call: Call<C>, conn: C): Side | null {
  if (call.caller.conn === conn) return 'caller';
  if (call.callee.conn === conn) return 'callee';
  return null;
}

/** What each rung device of the callee is sent: who calls, a guest's knock with its note, and the relay servers it may gather with while it rings. */
export function incomingCallOf(call: Call<unknown>, ice: IceConfig | null): ServerMessage {
  return {
    type: 'incoming-call',
    callId: call.id,
    caller: viewOf(call.caller.party),
    ...(call.knock === null ? {} : { knock: call.knock }),
    ...(ice === null ? {} : { ice }),
  };
}

/**
 * What one side is told once the call is answered, or resumed on a new socket: its role, the
 * other side, its ICE servers and resume token, and (the caller only) the commitment the callee
 * accepted with. Null while that side has no servers or the other side is not known yet.
 */
export function connectedMessageOf(call: Call<unknown>, side: Side, resumed: boolean): ServerMessage | null {
  const own = call[side];
  const other = call[side === 'caller' ? 'callee' : 'caller'];
  if (own.ice === null || other.party === null) return null;
  return {
    type: 'call-connected',
    callId: call.id,
    role: side,
    peer: viewOf(other.party, own.party),
    ice: own.ice,
    resumeToken: own.resumeToken,
    resumed,
    ...(side === 'caller' && call.calleeCommitment !== null ? { calleeCommitment: call.calleeCommitment } : {}),
  };
}

/** The outcome the callee's log shows for a call that ended with this reason. */
export function outcomeOf(reason: EndReason, wasAnswered: boolean): CallOutcome {
  if (wasAnswered) return 'answered';
  if (reason === 'declined') return 'declined';
  if (reason === 'busy') return 'busy';
  // No answer, cancelled, unavailable, the caller vanished, the server stopped: a missed call.
  return 'missed';
}

/** The one record a received call leaves in the callee's log. */
export function receivedCallOf(call: Call<unknown>, reason: EndReason, endedAtMs: number): ReceivedCall {
  const answeredAt = call.connectedAtMs;
  return {
    calleeMemberId: call.calleeProfile.memberId,
    caller: callerRecordOf(call.caller.party),
    startedAt: new Date(call.startedAtMs),
    outcome: outcomeOf(reason, answeredAt !== null),
    durationS: answeredAt === null ? null : Math.max(0, Math.round((endedAtMs - answeredAt) / 1000)),
    path: answeredAt === null ? null : call.path,
  };
}

/** A call's path after one side's report: once through the relay, it counts as relayed. */
export function pathAfterReport(current: CallPath | null, reported: CallPath): CallPath {
  return current === 'relayed' ? 'relayed' : reported;
}

export function callerRecordOf(party: Party): ReceivedCall['caller'] {
  return party.kind === 'member' ? { kind: 'member', memberId: party.memberId } : { kind: 'guest', displayName: party.displayName };
}

/** Whether a trickled candidate may cross. On a relay-only call only relay candidates do:
 *  host and server-reflexive ones carry the sender's private and public addresses. An empty
 *  candidate (end of candidates) carries nothing and always crosses. */
export function isCandidateForwardable(isRelayOnly: boolean, candidate: string): boolean {
  if (!isRelayOnly || candidate === '') return true;
  return candidateTypeOf(candidate) === 'relay';
}

/** The SDP as it may cross: on a relay-only call, its non-relay a=candidate lines are removed
 *  (a description gathered before it was sent embeds its candidates). */
export function sdpForCall(isRelayOnly: boolean, sdp: string): string {
  if (!isRelayOnly) return sdp;
  return sdp
    .split(/(?<=\n)/)
    .filter((line) => !line.startsWith('a=candidate:') || candidateTypeOf(line.trim()) === 'relay')
    .join('');
}

/** The side whose resume token this is, compared in constant time, or null. */
export function sideWithToken(call: Call<unknown>, token: string): Side | null {
  const given = Buffer.from(token);
  for (const side of ['caller', 'callee'] as const) {
    const expected = Buffer.from(call[side].resumeToken);
    if (expected.length === given.length && timingSafeEqual(expected, given)) return side;
  }
  return null;
}

/** Whether a socket's party is the one a call side belongs to: the same member, or the same guest. */
export function isSameParty(expected: Party | null, actual: Party): boolean {
  if (expected === null) return false;
  if (expected.kind === 'member') return actual.kind === 'member' && actual.memberId === expected.memberId;
  return actual.kind === 'guest' && actual.guestId === expected.guestId;
}

export type RelayedClientMessage = Extract<ClientMessage, { type: 'offer' | 'answer' | 'candidate' }>;

/** The message the other side gets: built field by field from the whitelisted fields, stamped
 *  with the sender the server authenticated, filtered by the relay-only rule; null when a
 *  relay-only call must not carry it. The client's object is never forwarded as is. */
export function relayedMessage(call: Call<unknown>, from: PartyView, message: RelayedClientMessage): ServerMessage | null {
  const callId = call.id;
  switch (message.type) {
    case 'offer':
      return { type: 'offer', callId, from, sdp: sdpForCall(call.isRelayOnly, message.sdp), iceRestart: message.iceRestart };
    case 'answer':
      return { type: 'answer', callId, from, sdp: sdpForCall(call.isRelayOnly, message.sdp) };
    case 'candidate':
      if (!isCandidateForwardable(call.isRelayOnly, message.candidate)) return null;
      return {
        type: 'candidate',
        callId,
        from,
        candidate: message.candidate,
        sdpMid: message.sdpMid,
        sdpMLineIndex: message.sdpMLineIndex,
        usernameFragment: message.usernameFragment,
      };
  }
}
