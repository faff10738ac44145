// The rules of call links, call preferences and the call log. Takes plain arguments and never
// sees HTTP; the signaler reaches the log through `recordReceivedCall`.
import { randomBytes } from 'node:crypto';
import type { CallLogEntry, CallLogPage } from '../contract/api.js';
import type { CallLinkRow, CallLogRow, CallStore } from './call-store.js';
import { notFound } from '../errors.js';
import type { ReceivedCall } from '../signal/deps.js';
import type { GuestTickets } from './guest-tickets.js';

/** 128 bits: a call link cannot be guessed, and 22 URL-safe characters still fit in a message. */
const CALL_LINK_CODE_BYTES = 16;
export const CALL_LINK_CODE = /^[A-Za-z0-9_-]{22}$/;
export const CALL_PAGE_DEFAULT_LIMIT = 50;
export const CALL_PAGE_MAX_LIMIT = 200;
/** The directory is one list: an organisation of this size fits on one page. */
export const DIRECTORY_MAX_MEMBERS = 1000;

export type CallLink = Readonly<{ code: string; path: string; guestsAllowed: boolean; relayOnly: boolean }>;

export type { CallLogEntry };

export type CallService = ReturnType<typeof createCallService>;

/**
 * `tickets` are the guests' rights to ring through a link: the service revokes them whenever a
 * link stops taking their calls (a new code, guest calls switched off, the member deleted).
 */
/** Rings from one caller within this long share one row of the callee's log (PORTHELLO_CALL_LOG_REPEAT_MINUTES). */
export const CALL_LOG_REPEAT_WINDOW_MS = 5 * 60_000;
/** The rows a member's log keeps; older ones go (PORTHELLO_CALL_LOG_MAX_ENTRIES). */
export const CALL_LOG_MAX_ENTRIES = 1000;

export type CallLogRules = Readonly<{ repeatWindowMs: number; maxEntries: number }>;

export function createCallService(
  store: CallStore,
  tickets: Pick<GuestTickets, 'revokeFor'>,
  now: () => Date = () => new Date(),
  logRules: CallLogRules = { repeatWindowMs: CALL_LOG_REPEAT_WINDOW_MS, maxEntries: CALL_LOG_MAX_ENTRIES },
) {
  const newCode = (): string => randomBytes(CALL_LINK_CODE_BYTES).toString('base64url');
  const toCallLink = (row: CallLinkRow): CallLink => ({ code: row.code, path: `/c/${row.code}`, guestsAllowed: row.guestsAllowed, relayOnly: row.relayOnly });
  const present = (userId: string): CallLink => {
    const row = store.linkOf(userId);
    if (row === undefined) throw notFound('This member has no call link.');
    return toCallLink(row);
  };

  /**
   * The member's call link. Made at sign-up (`memberCreated`), so a read is one SELECT; a member
   * from before that (or whose creation listener failed) gets one on first use.
   */
  const linkOf = (memberId: string): CallLink => {
    const row = store.linkOf(memberId);
    if (row !== undefined) return toCallLink(row);
    store.ensureLink(memberId, newCode(), now().toISOString());
    return present(memberId);
  };

  return {
    linkOf,

    /** A new code; the old link and every guest ticket it gave stop working at once. */
    regenerateLink(memberId: string): CallLink {
      linkOf(memberId);
      store.setCode(memberId, newCode(), now().toISOString());
      tickets.revokeFor(memberId);
      return present(memberId);
    },

    updateSettings(memberId: string, changes: { guestsAllowed?: boolean; relayOnly?: boolean }): CallLink {
      const current = linkOf(memberId);
      store.setSettings(
        memberId,
        { guestsAllowed: changes.guestsAllowed ?? current.guestsAllowed, relayOnly: changes.relayOnly ?? current.relayOnly },
        now().toISOString(),
      );
      const link = present(memberId);
      if (!link.guestsAllowed) tickets.revokeFor(memberId);
      return link;
    },

    /** The member a live link belongs to; null for an unknown or dead code, or when guests are off. */
    calleeOfLink(code: string): { memberId: string; relayOnly: boolean } | null {
      if (!CALL_LINK_CODE.test(code)) return null;
      const row = store.linkByCode(code);
      return row === undefined || !row.guestsAllowed ? null : { memberId: row.userId, relayOnly: row.relayOnly };
    },

    /** The member's rows went with their account; what lives only in memory goes now. */
    memberDeleted(memberId: string): void {
      tickets.revokeFor(memberId);
    },

    /** The code guests ring the member through, or null when guest calls are off. */
    guestLinkCodeOf(memberId: string): string | null {
      const row = store.linkOf(memberId);
      return row === undefined || !row.guestsAllowed ? null : row.code;
    },

    prefersRelayOnly: (memberId: string): boolean => store.linkOf(memberId)?.relayOnly ?? false,

    /** The members someone may ring: everyone but themself. */
    directoryFor: (memberId: string) => store.directory(memberId, DIRECTORY_MAX_MEMBERS),

    /** How a member appears when they ring or are rung: their full name to members, their first name only to guests. */
    namesOf(memberId: string): { displayName: string; guestFacingName: string } | null {
      const name = store.nameOf(memberId);
      return name === undefined ? null : { displayName: `${name.firstName} ${name.lastName}`.trim(), guestFacingName: name.firstName };
    },

    /** One row per received call (repeats from one caller within minutes share it): when, how
     *  it ended, how long, who, how many rings. Nothing else. */
    recordReceivedCall(call: ReceivedCall): void {
      const repeatSince = new Date(call.startedAt.getTime() - logRules.repeatWindowMs).toISOString();
      store.recordCall(
        {
          calleeId: call.calleeMemberId,
          callerKind: call.caller.kind,
          callerId: call.caller.kind === 'member' ? call.caller.memberId : null,
          callerGuestName: call.caller.kind === 'guest' ? call.caller.displayName : null,
          startedAt: call.startedAt.toISOString(),
          outcome: call.outcome,
          durationS: call.outcome === 'answered' ? Math.max(0, Math.round(call.durationS ?? 0)) : null,
        },
        { repeatSince, keep: logRules.maxEntries },
      );
    },

    /** A page of the member's received calls, newest first; `nextBefore` fetches the next one. */
    callsOf(memberId: string, page: { before?: number; limit?: number } = {}): CallLogPage {
      const limit = Math.min(Math.max(page.limit ?? CALL_PAGE_DEFAULT_LIMIT, 1), CALL_PAGE_MAX_LIMIT);
      const rows = store.callsOf(memberId, page.before ?? Number.MAX_SAFE_INTEGER, limit + 1);
      const calls = rows.slice(0, limit).map(toEntry);
      return { calls, nextBefore: rows.length > limit ? (calls.at(-1)?.id ?? null) : null, unseenMissed: store.unseenMissedCount(memberId) };
    },

    markCallsSeen(memberId: string): void {
      store.markSeen(memberId);
    },

    deleteCall(memberId: string, id: number): void {
      if (!store.deleteCall(memberId, id)) throw notFound('No such call in your log.');
    },
  };
}

function toEntry(row: CallLogRow): CallLogEntry {
  const caller: CallLogEntry['caller'] =
    row.callerKind === 'guest'
      ? { kind: 'guest', name: row.callerGuestName ?? '' }
      : row.callerId === null
        ? { kind: 'former-member' }
        : { kind: 'member', memberId: row.callerId, name: `${row.callerFirstName ?? ''} ${row.callerLastName ?? ''}`.trim() };
  return { id: row.id, startedAt: row.startedAt, outcome: row.outcome, durationS: row.durationS, seen: row.seen, attempts: row.attempts, caller };
}
