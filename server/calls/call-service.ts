// The rules of call links, call preferences and the call log. Takes plain arguments and never
// sees HTTP; the signaler reaches the log through `recordCall`.
import { randomBytes } from 'node:crypto';
import type { CallLogEntry, CallLogPage } from '../contract/api.js';
import { foldName, type CallLinkRow, type CallLogFilter, type CallLogRow, type CallStore, type DirectoryRow } from './call-store.js';
import { notFound } from '../errors.js';
import type { ReceivedCall } from '../signal/deps.js';
import type { GuestTickets } from './guest-tickets.js';

/** 128 bits: a call link cannot be guessed, and 22 URL-safe characters still fit in a message. */
const CALL_LINK_CODE_BYTES = 16;
export const CALL_LINK_CODE = /^[A-Za-z0-9_-]{22}$/;
export const CALL_PAGE_DEFAULT_LIMIT = 50;
export const CALL_PAGE_MAX_LIMIT = 200;
/** One page of the directory: a few screens on a phone; "show more" fetches the next. */
export const DIRECTORY_PAGE_SIZE = 50;
/** Words of a directory search beyond these are ignored (a name has a few words). */
export const DIRECTORY_SEARCH_MAX_WORDS = 5;

export type CallLink = Readonly<{ code: string; path: string; guestsAllowed: boolean; relayOnly: boolean; showPresence: boolean }>;

export type DirectoryPage = Readonly<{ members: readonly DirectoryRow[]; nextOffset: number | null }>;

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
  const toCallLink = (row: CallLinkRow): CallLink => ({
    code: row.code,
    path: `/c/${row.code}`,
    guestsAllowed: row.guestsAllowed,
    relayOnly: row.relayOnly,
    showPresence: row.showPresence,
  });
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

    /** The member's call link from its row read elsewhere (GET /api/me's one read); made when there is none. */
    linkOfStored: (memberId: string, stored: CallLinkRow | null): CallLink => (stored === null ? linkOf(memberId) : toCallLink(stored)),

    /** A new code; the old link and every guest ticket it gave stop working at once. */
    regenerateLink(memberId: string): CallLink {
      linkOf(memberId);
      store.setCode(memberId, newCode(), now().toISOString());
      tickets.revokeFor(memberId);
      return present(memberId);
    },

    updateSettings(memberId: string, changes: { guestsAllowed?: boolean; relayOnly?: boolean; showPresence?: boolean }): CallLink {
      const current = linkOf(memberId);
      store.setSettings(
        memberId,
        {
          guestsAllowed: changes.guestsAllowed ?? current.guestsAllowed,
          relayOnly: changes.relayOnly ?? current.relayOnly,
          showPresence: changes.showPresence ?? current.showPresence,
        },
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

    /**
     * A page of the members someone may ring (everyone but themself), by last name, narrowed to
     * those whose names hold every word of `search` (case and accents ignored).
     */
    directoryFor(memberId: string, page: { search?: string; offset?: number } = {}): DirectoryPage {
      const words = foldName(page.search ?? '')
        .split(/\s+/)
        .filter((word) => word !== '')
        .slice(0, DIRECTORY_SEARCH_MAX_WORDS);
      const offset = page.offset ?? 0;
      const rows = store.directory(memberId, words, offset, DIRECTORY_PAGE_SIZE + 1);
      return { members: rows.slice(0, DIRECTORY_PAGE_SIZE), nextOffset: rows.length > DIRECTORY_PAGE_SIZE ? offset + DIRECTORY_PAGE_SIZE : null };
    },

    /** How a member appears when they ring or are rung: their full name to members, their first name only to guests. */
    namesOf(memberId: string): { displayName: string; guestFacingName: string } | null {
      const name = store.nameOf(memberId);
      return name === undefined ? null : { displayName: `${name.firstName} ${name.lastName}`.trim(), guestFacingName: name.firstName };
    },

    /**
     * One row per received call in the callee's log and, when a member rang, one per call made in
     * the caller's log (repeats within minutes share a row): when, how it ended, how long, who,
     * how many rings, and whether an answered call went through the relay. Nothing else. Both rows follow the same cap and the same deletion rules.
     */
    recordCall(call: ReceivedCall): void {
      const repeatSince = new Date(call.startedAt.getTime() - logRules.repeatWindowMs).toISOString();
      const rules = { repeatSince, keep: logRules.maxEntries };
      const common = {
        startedAt: call.startedAt.toISOString(),
        outcome: call.outcome,
        durationS: call.outcome === 'answered' ? Math.max(0, Math.round(call.durationS ?? 0)) : null,
        path: call.outcome === 'answered' ? (call.path ?? null) : null,
      };
      const caller = call.caller;
      if (call.isBlocked !== true)
        store.recordCall(
          {
            ...common,
            memberId: call.calleeMemberId,
            direction: 'received',
            peerKind: caller.kind,
            peerId: caller.kind === 'member' ? caller.memberId : null,
            peerGuestName: caller.kind === 'guest' ? caller.displayName : null,
          },
          rules,
        );
      if (caller.kind === 'member') {
        store.recordCall(
          { ...common, memberId: caller.memberId, direction: 'made', peerKind: 'member', peerId: call.calleeMemberId, peerGuestName: null },
          rules,
        );
      }
    },

    /** A page of the member's calls, made and received, newest first; `nextBefore` fetches the next one. */
    callsOf(memberId: string, page: { before?: number; limit?: number; filter?: CallLogFilter } = {}): CallLogPage {
      const limit = Math.min(Math.max(page.limit ?? CALL_PAGE_DEFAULT_LIMIT, 1), CALL_PAGE_MAX_LIMIT);
      const rows = store.callsOf(memberId, page.filter ?? 'all', page.before ?? Number.MAX_SAFE_INTEGER, limit + 1);
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
  const peer: CallLogEntry['peer'] =
    row.peerKind === 'guest'
      ? { kind: 'guest', name: row.peerGuestName ?? '' }
      : row.peerId === null
        ? { kind: 'former-member' }
        : { kind: 'member', memberId: row.peerId, name: `${row.peerFirstName ?? ''} ${row.peerLastName ?? ''}`.trim() };
  return {
    id: row.id,
    direction: row.direction,
    startedAt: row.startedAt,
    outcome: row.outcome,
    durationS: row.durationS,
    seen: row.seen,
    attempts: row.attempts,
    peer,
  };
}
