// The call hub: every connected socket and every live call, in memory, behind the Peer
// interface. It runs the call life cycle (invite → ringing on every device of the callee →
// accept / decline / busy / cancel / no answer → connected → hang-up or the other side gone →
// ended), relays offers, answers and candidates between the two bound sockets of a live call,
// rebuilding each message and stamping its sender, and leaves one call-log record per received call.
//
// Invariants: a party (a member, or one guest) has at most one call of its own in `callByParty`:
// the one it placed (ringing or connected) or the one it answered. A call that only rings a
// member is under that member's key in `ringingFor`, never in `callByParty`, so being rung
// locks nothing: the member can still call out, decline from any device, and a second caller
// gets "busy" only once a call is answered. A connection is bound to at most one call.
import { randomBytes } from 'node:crypto';
import {
  callerRecordOf,
  calleeViewFor,
  connectedMessageOf,
  incomingCallOf,
  isSameParty,
  pathAfterReport,
  receivedCallOf,
  relayedMessage,
  ringingCall,
  sideOf,
  sideWithToken,
  type Call,
  type CallSide,
  type RelayedClientMessage,
  type Side,
} from './call-state.js';
import { guestKey, memberKey, partyKeyOf, systemClock, viewOf, type Party, type ReachScreen, type ReceivedCall } from './deps.js';
import { dispositionOf, ProtocolViolation, Refusal, type Disposition } from './errors.js';
import { censusOf, HELLO_TIMEOUT_MS, RESUME_GRACE_MS, RING_TIMEOUT_MS, relayPolicy, type Hub, type HubDeps, type HubTiming } from './hub-api.js';
import { createCallIce } from './call-ice.js';
import { createConnections, type Connection } from './connections.js';
import { createRingGuard, DEFAULT_RING_LIMITS } from './ring-guard.js';
import { createRingingIndex } from './ringing-index.js';
import { createRingTimer } from './ring-timer.js';
import { type CallActions, receiveText } from './dispatch.js';
import { type CallPath, CLOSE_CODES, PROTOCOL_VERSION, type EndReason, type ServerMessage } from './protocol.js';

/** Random bytes in call ids, connection ids and resume tokens (base64url: 24 bytes → 32 chars). */
const ID_BYTES = 16;
const TOKEN_BYTES = 24;

type LiveCall = Call<Connection>;

export function createHub(deps: HubDeps): Hub {
  const { members, callLog, ice, log } = deps;
  const reach: ReachScreen = deps.reach ?? { screen: () => 'ring', knocksFirst: () => false, isQuiet: () => false, quietStartsWithin: () => null };
  const clock = deps.clock ?? systemClock;
  const timing: HubTiming = { ringTimeoutMs: RING_TIMEOUT_MS, resumeGraceMs: RESUME_GRACE_MS, helloTimeoutMs: HELLO_TIMEOUT_MS, ...deps.timing };
  const connections = createConnections();
  const callIce = createCallIce(ice);
  const calls = new Map<string, LiveCall>();
  const callByParty = new Map<string, LiveCall>();
  const ringingFor = createRingingIndex<LiveCall>();
  const ringLimits = { ...DEFAULT_RING_LIMITS, ...deps.ringLimits };
  const guard = createRingGuard(ringLimits, () => clock.nowMs());
  const ringTimer = createRingTimer<Connection>({ clock, timing, reach, ringingFor, end: endCall, coolDown: guard.coolDown });

  const randomId = (bytes: number): string => randomBytes(bytes).toString('base64url');

  function send(conn: Connection | null, message: ServerMessage): void {
    if (conn?.isOpen) conn.peer.send(message);
  }

  function record(call: ReceivedCall): void {
    try {
      callLog.recordReceivedCall(call);
    } catch (error) {
      log.error('signal', 'the call log refused a record', { error: error instanceof Error ? error.name : 'unknown', outcome: call.outcome });
    }
  }

  // --- the life cycle ----------------------------------------------------------------------

  function invite(conn: Connection, calleeMemberId: string, knockNote: string | null, commitment: string | null): void {
    // Being rung does not count: only a call this party placed or answered does.
    if (callByParty.has(conn.key)) throw new Refusal('already_in_call', 'You are already in a call.');
    // Glare: the member we ring is ringing us. We take their call (one call, not two), committed by this invite.
    const glare = ringingFor.of(conn.key).find((call) => call.caller.key === memberKey(calleeMemberId));
    if (glare !== undefined && commitment !== null) return accept(conn, glare.id, commitment);
    const { party } = conn;
    if (party.kind === 'guest' && party.calleeMemberId !== calleeMemberId) throw new Refusal('not_allowed', 'This link rings another member.');
    if (party.kind === 'member' && party.memberId === calleeMemberId) throw new Refusal('cannot_call_self', 'You cannot call yourself.');
    if (party.kind === 'member' && knockNote !== null) throw new Refusal('not_allowed', 'Members ring; only guests knock.');
    const profile = members.findMember(calleeMemberId);
    if (profile === null) throw new Refusal('unknown_member', 'There is no such member.');
    // The ticket outlives nothing the member closed: a replaced or switched-off link rings no one,
    // even from a socket opened before the change.
    if (party.kind === 'guest' && profile.guestLinkCode !== party.linkCode) throw new Refusal('not_allowed', 'This call link no longer takes calls.');
    // Every ring counts, those that end at once as busy or unavailable too: each leaves a log row.
    const ringer = { key: conn.key, party, address: conn.address };
    guard.admit(ringer, calleeMemberId);
    const cooldownKeys = guard.cooldownKeysOf(ringer, calleeMemberId);

    const callId = randomId(ID_BYTES);
    const calleeKey = memberKey(calleeMemberId);
    const startedAtMs = clock.nowMs();
    const endAtOnce = (reason: EndReason, outcome: ReceivedCall['outcome'], isBlocked = false): void => {
      if (reason === 'unavailable') guard.coolDown(cooldownKeys);
      send(conn, { type: 'call-ended', callId, reason });
      record({
        calleeMemberId,
        caller: callerRecordOf(party),
        startedAt: new Date(startedAtMs),
        outcome,
        durationS: null,
        ...(isBlocked ? { isBlocked } : {}),
      });
    };
    // Do-not-disturb and blocks, before anything that depends on the member's devices or calls:
    // the caller hears "unavailable" on the same path as for an offline member (same message,
    // same cool-down, at once), and no device of the member rings.
    const screening = reach.screen(calleeMemberId, party);
    if (screening !== 'ring') return endAtOnce('unavailable', 'missed', screening === 'blocked');
    // Busy means in a call that was answered; a member whose phone rings, or who is ringing
    // someone, is rung too (whichever call connects first ends the others).
    if (callByParty.get(calleeKey)?.state === 'connected') return endAtOnce('busy', 'busy');
    const devices = connections.greetedOf(calleeKey);
    if (devices.length === 0) return endAtOnce('unavailable', 'missed');

    const callerPrefersRelay = party.kind === 'member' && members.findMember(party.memberId)?.prefersRelayOnly === true;
    const callPolicy = relayPolicy({ kind: party.kind, prefersRelayOnly: callerPrefersRelay }, { kind: 'member', prefersRelayOnly: profile.prefersRelayOnly });
    const call: LiveCall = ringingCall({
      id: callId,
      isRelayOnly: callPolicy === 'relay',
      startedAtMs,
      caller: { key: conn.key, party, conn },
      calleeKey,
      calleeProfile: profile,
      devices,
      cooldownKeys,
      // A guest cannot skip the knock by sending a plain invite.
      knock: party.kind === 'guest' && reach.knocksFirst(calleeMemberId) ? { note: knockNote?.trim() ?? '' } : null,
      newToken: () => randomId(TOKEN_BYTES),
    });
    calls.set(callId, call);
    callByParty.set(conn.key, call);
    ringingFor.add(calleeKey, call);
    ringTimer.arm(call);
    const callerIce = callIce.forRinging(call, party);
    send(conn, { type: 'call-ringing', callId, callee: calleeViewFor(profile, party), ...(callerIce === null ? {} : { ice: callerIce }) });
    for (const device of devices) ringDevice(call, device);
  }

  /** Rings one device of the callee, with the relay servers it may gather with while it rings. */
  function ringDevice(call: LiveCall, device: Connection): void {
    send(device, incomingCallOf(call, callIce.forRinging(call, device.party)));
  }

  /** Rings a device of the callee that came online while calls ring its member. */
  function ringIfCalled(conn: Connection): void {
    for (const call of ringingFor.of(conn.key)) {
      call.ringing.add(conn);
      ringDevice(call, conn);
    }
  }

  /** Whether this socket belongs to the member a ringing call rings: any of their devices may turn it down. */
  const isRungBy = (call: LiveCall, conn: Connection): boolean => call.state === 'ringing' && conn.isGreeted && conn.key === call.callee.key;

  /** A call is answered: what else its two parties had going ends. The call they placed and
   *  that still rings is cancelled; the calls still ringing them end as busy. */
  function makeRoomFor(call: LiveCall): void {
    for (const key of [call.caller.key, call.callee.key]) {
      const own = callByParty.get(key);
      if (own !== undefined && own !== call && own.state === 'ringing') endCall(own, 'cancelled');
      for (const other of ringingFor.of(key)) if (other !== call) endCall(other, 'busy');
    }
  }

  function accept(conn: Connection, callId: string, commitment: string): void {
    const call = calls.get(callId);
    // A second accept, or an accept from a device that was not rung, is stale: ignored.
    if (call === undefined || call.state !== 'ringing' || !call.ringing.has(conn)) return;
    // The member is in a call they answered on another device: one call at a time.
    if (callByParty.get(conn.key)?.state === 'connected') throw new Refusal('already_in_call', 'You are already in a call.', callId);
    // Mint both sides' ICE servers before changing anything, so a failing relay leaves the call ringing.
    const callerIce = callIce.configFor(call, call.caller.party);
    const calleeIce = callIce.configFor(call, conn.party);
    if (call.ringTimer !== null) clock.clearTimer(call.ringTimer);
    call.ringTimer = null;
    makeRoomFor(call);
    ringingFor.remove(call.callee.key, call);
    callByParty.set(call.callee.key, call);
    call.state = 'connected';
    call.connectedAtMs = clock.nowMs();
    call.calleeCommitment = commitment;
    call.caller.ice = callerIce;
    call.callee = { ...call.callee, party: conn.party, conn, ice: calleeIce };
    for (const device of call.ringing) {
      if (device !== conn) send(device, { type: 'call-ended', callId, reason: 'answered-elsewhere' });
    }
    call.ringing.clear();
    sendConnected(call, 'caller', false);
    sendConnected(call, 'callee', false);
  }

  function sendConnected(call: LiveCall, side: Side, resumed: boolean): void {
    const message = connectedMessageOf(call, side, resumed);
    if (message !== null) send(call[side].conn, message);
  }

  function decline(conn: Connection, callId: string): void {
    const call = calls.get(callId);
    if (call !== undefined && isRungBy(call, conn)) endCall(call, 'declined');
  }

  function cancel(conn: Connection, callId: string): void {
    const call = calls.get(callId);
    if (call !== undefined && call.state === 'ringing' && call.caller.conn === conn) endCall(call, 'cancelled');
  }

  function hangUp(conn: Connection, callId: string): void {
    const call = calls.get(callId);
    if (call === undefined) return;
    if (call.state === 'ringing') {
      if (call.caller.conn === conn) endCall(call, 'cancelled');
      else if (isRungBy(call, conn)) endCall(call, 'declined');
      return;
    }
    if (sideOf(call, conn) !== null) endCall(call, 'hung-up');
  }

  function resume(conn: Connection, callId: string, resumeToken: string): void {
    const call = calls.get(callId);
    const side = call === undefined || call.state !== 'connected' ? null : sideWithToken(call, resumeToken);
    if (call === undefined || side === null || !isSameParty(call[side].party, conn.party)) {
      throw new Refusal('cannot_resume', 'This call cannot be resumed.', callId);
    }
    const boundElsewhere = callByParty.get(conn.key);
    if (boundElsewhere !== undefined && boundElsewhere !== call) throw new Refusal('already_in_call', 'You are already in a call.', callId);
    const own: CallSide<Connection> = call[side];
    // A socket the heartbeat has not yet found dead may still hold the side: the new one takes over.
    own.conn = conn;
    if (own.graceTimer !== null) clock.clearTimer(own.graceTimer);
    own.graceTimer = null;
    sendConnected(call, side, true);
    send(call[side === 'caller' ? 'callee' : 'caller'].conn, { type: 'peer-back', callId });
  }

  /** Forwards offers, answers and candidates, rebuilt field by field and stamped with the
   *  sender, only between the two bound sockets of a connected call. */
  function relay(conn: Connection, message: RelayedClientMessage): void {
    const { call, side } = connectedCallOf(conn, message.callId);
    const target = call[side === 'caller' ? 'callee' : 'caller'].conn;
    // The other side is away: what it missed is renegotiated by an ICE restart when it returns.
    if (target === null) return;
    const relayed = relayedMessage(call, viewOf(conn.party, target.party), message);
    if (relayed !== null) send(target, relayed);
  }

  /** The connected call this socket is bound to, and its side; a refusal otherwise. */
  function connectedCallOf(conn: Connection, callId: string): { call: LiveCall; side: Side } {
    const call = calls.get(callId);
    const side = call === undefined || call.state !== 'connected' ? null : sideOf(call, conn);
    if (call === undefined || side === null) throw new Refusal('not_in_call', 'That call is not live on this connection.', callId);
    return { call, side };
  }

  /** One side's media path now that it is connected; the log keeps "relayed" once either said so. */
  function reportPath(conn: Connection, callId: string, path: CallPath): void {
    const { call } = connectedCallOf(conn, callId);
    call.path = pathAfterReport(call.path, path);
  }

  /** Ends a live call once: both sides and every ringing device are told, the relay
   *  credentials are released and the callee's log gets its record. */
  function endCall(call: LiveCall, reason: EndReason): void {
    if (call.state === 'ended') return;
    call.state = 'ended';
    for (const timer of [call.ringTimer, call.caller.graceTimer, call.callee.graceTimer]) {
      if (timer !== null) clock.clearTimer(timer);
    }
    calls.delete(call.id);
    // Turned down or not picked up: the same caller waits before ringing this member again.
    // A refused knock keeps that guest from knocking again for longer.
    if (call.connectedAtMs === null && reason === 'declined' && call.knock !== null) guard.coolDown(call.cooldownKeys, ringLimits.knockRefusedCooldownMs);
    else if (call.connectedAtMs === null && (reason === 'declined' || reason === 'no-answer')) guard.coolDown(call.cooldownKeys);
    ringingFor.remove(call.callee.key, call);
    for (const key of [call.caller.key, call.callee.key]) {
      if (callByParty.get(key) === call) callByParty.delete(key);
    }
    const told = new Set([call.caller.conn, call.callee.conn, ...call.ringing]);
    for (const conn of told) send(conn, { type: 'call-ended', callId: call.id, reason });
    call.ringing.clear();
    if (call.hasIce) {
      try {
        ice.releaseCall(call.id);
      } catch (error) {
        log.error('signal', 'releasing the relay credentials failed', { error: error instanceof Error ? error.name : 'unknown' });
      }
    }
    const received = receivedCallOf(call, reason, clock.nowMs());
    log.info('signal', 'call ended', { reason, outcome: received.outcome, duration_s: received.durationS ?? undefined });
    record(received);
  }

  // --- connections (their messages are routed to the steps above by dispatch.ts) -----------

  /** The socket said hello in the protocol's version: it is one of the party's devices from now on. */
  function hello(conn: Connection): void {
    conn.isGreeted = true;
    if (conn.helloTimer !== null) clock.clearTimer(conn.helloTimer);
    conn.helloTimer = null;
    send(conn, { type: 'welcome', version: PROTOCOL_VERSION, connectionId: conn.id, self: viewOf(conn.party) });
    ringIfCalled(conn);
  }

  const actions: CallActions = { hello, invite, accept, decline, cancel, hangUp, resume, relay, reportPath };

  /** Forgets a socket. A connected call it was bound to waits for it when it may come back,
   *  and ends at once otherwise; a ringing call ends if it was the caller's. */
  function detach(conn: Connection, isResumable: boolean): void {
    if (!conn.isOpen) return;
    conn.isOpen = false;
    if (conn.helloTimer !== null) clock.clearTimer(conn.helloTimer);
    conn.helloTimer = null;
    connections.remove(conn);

    for (const ringing of ringingFor.of(conn.key)) ringing.ringing.delete(conn);
    const call = callByParty.get(conn.key);
    if (call === undefined) return;
    if (call.state === 'ringing') {
      if (call.caller.conn === conn) endCall(call, 'cancelled');
      return;
    }
    const side = sideOf(call, conn);
    if (side === null) return;
    if (!isResumable) return endCall(call, 'peer-gone');
    const own = call[side];
    own.conn = null;
    own.graceTimer = clock.setTimer(() => endCall(call, 'peer-gone'), timing.resumeGraceMs);
    send(call[side === 'caller' ? 'callee' : 'caller'].conn, { type: 'peer-away', callId: call.id });
  }

  function apply(conn: Connection, disposition: Disposition, error: unknown): void {
    if (disposition.isInternal) log.error('signal', 'handling a message failed', { error: error instanceof Error ? error.name : 'unknown' });
    if (disposition.send !== null) send(conn, disposition.send);
    if (disposition.close !== null) {
      if (!disposition.isInternal) log.info('signal', 'closing a connection', { code: disposition.close.code, reason: disposition.close.reason });
      // A client that broke the protocol does not get its call back; one we failed may resume.
      detach(conn, disposition.isInternal);
      conn.peer.close(disposition.close.code, disposition.close.reason);
    }
  }

  function closeWhere(matches: (party: Party) => boolean, code: typeof CLOSE_CODES.sessionEnded | typeof CLOSE_CODES.goingAway, reason: string): void {
    for (const conn of connections.all()) {
      if (!matches(conn.party)) continue;
      detach(conn, false);
      conn.peer.close(code, reason);
    }
  }

  return {
    connect(peer, party, address = null) {
      const conn: Connection = { id: randomId(ID_BYTES), party, key: partyKeyOf(party), peer, address, isGreeted: false, isOpen: true, helloTimer: null };
      connections.add(conn);
      conn.helloTimer = clock.setTimer(() => {
        conn.helloTimer = null;
        apply(conn, dispositionOf(new ProtocolViolation(CLOSE_CODES.helloTimeout, 'no hello in time')), null);
      }, timing.helloTimeoutMs);
      return {
        id: conn.id,
        party,
        receive(text) {
          if (conn.isOpen) receiveText(conn, text, actions, (error, callId) => apply(conn, dispositionOf(error, callId), error));
        },
        closed(isResumable) {
          detach(conn, isResumable);
        },
      };
    },
    disconnectMember(memberId) {
      closeWhere((party) => party.kind === 'member' && party.memberId === memberId, CLOSE_CODES.sessionEnded, 'session ended');
      // No device is left to ring: callers are told at once rather than at the ring timeout.
      for (const call of ringingFor.of(memberKey(memberId))) endCall(call, 'unavailable');
    },
    reachChanged: ringTimer.reachChanged,
    disconnectGuestsOf(memberId) {
      closeWhere((party) => party.kind === 'guest' && party.calleeMemberId === memberId, CLOSE_CODES.sessionEnded, 'call link closed');
    },
    disconnectSession(sessionId) {
      closeWhere((party) => party.kind === 'member' && party.sessionId === sessionId, CLOSE_CODES.sessionEnded, 'session ended');
    },
    shutdown() {
      for (const call of [...calls.values()]) endCall(call, 'server-shutdown');
      closeWhere(() => true, CLOSE_CODES.goingAway, 'server shutting down');
    },
    isGuestInCall: (guestId) => callByParty.has(guestKey(guestId)),
    connectionCount: () => connections.count(),
    liveCallCount: () => calls.size,
    census: () => censusOf(connections.all(), [...calls.values()]),
  };
}
