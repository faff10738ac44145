// In-memory stand-ins for the signaler's seams: a clock the test moves by hand, peers that
// record what they were sent, and a member directory, call log and ICE provider in memory.
import { busy } from '../../server/errors.js';
import type { CallLog, Clock, IceProvider, MemberDirectory, MemberProfile, Party, ReceivedCall, TimerHandle } from '../../server/signal/deps.js';
import type { Peer } from '../../server/signal/peer.js';
import type { CloseCode, IceServer, ServerMessage, ServerMessageType } from '../../server/signal/protocol.js';

export type FakeClock = Clock & {
  /** Moves time forward, running every timer that falls due, in order. */
  advance(ms: number): void;
  pendingTimers(): number;
};

export function createFakeClock(startMs = Date.UTC(2026, 0, 15, 9, 30)): FakeClock {
  let now = startMs;
  let nextId = 0;
  const timers = new Map<number, { dueMs: number; callback: () => void }>();
  return {
    nowMs: () => now,
    setTimer(callback, delayMs) {
      const id = nextId++;
      timers.set(id, { dueMs: now + delayMs, callback });
      return { id };
    },
    clearTimer(timer: TimerHandle) {
      timers.delete(timer.id as number);
    },
    advance(ms) {
      const target = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, timer]) => timer.dueMs <= target).sort((a, b) => a[1].dueMs - b[1].dueMs)[0];
        if (due === undefined) break;
        timers.delete(due[0]);
        now = due[1].dueMs;
        due[1].callback();
      }
      now = target;
    },
    pendingTimers: () => timers.size,
  };
}

export type FakePeer = Peer & {
  sent: ServerMessage[];
  closedWith: { code: CloseCode; reason: string } | null;
  /** Every message of one type sent so far. */
  all<T extends ServerMessageType>(type: T): Extract<ServerMessage, { type: T }>[];
  /** The last message of a type; fails the test when there is none. */
  last<T extends ServerMessageType>(type: T): Extract<ServerMessage, { type: T }>;
};

export function createFakePeer(): FakePeer {
  const sent: ServerMessage[] = [];
  const peer: FakePeer = {
    sent,
    closedWith: null,
    send(message) {
      if (peer.closedWith !== null) throw new Error(`sent ${message.type} to a closed peer`);
      sent.push(message);
    },
    close(code, reason) {
      peer.closedWith = { code, reason };
    },
    all(type) {
      return sent.filter((message) => message.type === type) as never;
    },
    last(type) {
      const found = peer.all(type).at(-1);
      if (found === undefined) throw new Error(`no ${type} was sent; sent: ${sent.map((message) => message.type).join(', ')}`);
      return found;
    },
  };
  return peer;
}

export function createMemberDirectory(profiles: MemberProfile[] = []): MemberDirectory & { add(profile: MemberProfile): void } {
  const byId = new Map(profiles.map((profile) => [profile.memberId, profile]));
  return {
    findMember: (memberId) => byId.get(memberId) ?? null,
    add(profile) {
      byId.set(profile.memberId, profile);
    },
  };
}

export function createCallLog(): CallLog & { records: ReceivedCall[] } {
  const records: ReceivedCall[] = [];
  return { records, recordReceivedCall: (call) => void records.push(call) };
}

/** Hands out one TURN server per call and party, and remembers what was released. */
export function createIceProvider(): IceProvider & { minted: { callId: string; party: Party }[]; released: string[]; saturated: boolean } {
  const minted: { callId: string; party: Party }[] = [];
  const released: string[] = [];
  return {
    minted,
    released,
    /** Set by a test: the credential service then refuses as a full table does. */
    saturated: false,
    iceServersFor(callId, party): IceServer[] {
      if (this.saturated) throw busy('turn_saturated', 'The relay is busy; try again in a minute.', 60);
      minted.push({ callId, party });
      return [{ urls: ['turn:127.0.0.1:3478?transport=udp'], username: `u${minted.length}`, credential: 'secret' }];
    },
    releaseCall(callId) {
      released.push(callId);
    },
  };
}

export const member = (memberId: string, displayName: string, sessionId = `session-${memberId}`): Party => ({
  kind: 'member',
  memberId,
  displayName,
  guestFacingName: displayName.split(' ')[0] ?? displayName,
  sessionId,
});
/** A guest holding a ticket from the callee's link; `linkCodeOf` names the code a profile gives its live link. */
export const guest = (guestId: string, displayName: string, calleeMemberId: string, linkCode = linkCodeOf(calleeMemberId)): Party => ({
  kind: 'guest',
  guestId,
  displayName,
  calleeMemberId,
  linkCode,
});
export const linkCodeOf = (memberId: string): string => `link-of-${memberId}`;
