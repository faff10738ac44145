// Who may ring a member: do-not-disturb (now, or on a weekly schedule in their time zone) and
// the members and guests they blocked. The hub asks `screen` before it rings anyone; a caller
// who may not ring is told "unavailable", the very answer an offline member gives, so nobody
// learns which rule (or whether any) applies. Takes plain arguments and never sees HTTP.
import type { BlockList, BlockView, ReachView } from '../contract/reach.js';
import { AppError, badRequest, conflict, notFound } from '../errors.js';
import type { Party } from '../signal/deps.js';
import { clockTimeOf, isQuietAt, quietStartsWithin, type DndSchedule } from './dnd-schedule.js';
import type { BlockRow, ReachSettingsRow, ReachStore } from './reach-store.js';

/** Enough for anyone's nuisances; bounds the list and the page that shows it. */
export const MAX_BLOCKS_PER_MEMBER = 500;
/** A guest can be blocked for this long after they last rang: "the guest I just heard from". */
export const RECENT_GUEST_WINDOW_MS = 60 * 60_000;
/** Guests remembered per member for that window; the oldest go first. */
export const MAX_RECENT_GUESTS_PER_MEMBER = 50;
/** Members with remembered guests, whatever a flood does; the quietest go first. */
export const MAX_MEMBERS_WITH_RECENT_GUESTS = 10_000;

/** Until a member sets their own: no quiet time, a schedule ready to switch on (22:00–07:00, Paris). */
export const DEFAULT_REACH: ReachSettingsRow = {
  dndNow: false,
  schedule: { days: [], startMin: 22 * 60, endMin: 7 * 60, timeZone: 'Europe/Paris' },
  knockFirst: false,
};

/** What the hub does with a ring: ring, or end it at once as unavailable (quiet time, or blocked). */
export type Screening = 'ring' | 'quiet' | 'blocked';

export type ReachChanges = Readonly<{ dndNow?: boolean; schedule?: DndSchedule; knockFirst?: boolean }>;

type RecentGuest = { displayName: string; linkCode: string; atMs: number };

export type ReachService = ReturnType<typeof createReachService>;

/**
 * `memberName` says whether a member may be rung at all and their name (null for an unknown or
 * disabled member); `nowMs` is the clock the schedule is read with; `reachChanged` hears of every
 * saved change, so calls already ringing the member follow it (the hub's reachChanged).
 */
export function createReachService(
  store: ReachStore,
  memberName: (memberId: string) => string | null,
  nowMs: () => number = Date.now,
  reachChanged: (memberId: string) => void = () => {},
) {
  /** Member id → guest id → the latest ring; maps keep insertion order, so the oldest are first. */
  const recentGuests = new Map<string, Map<string, RecentGuest>>();
  const settingsOf = (memberId: string): ReachSettingsRow => store.settingsOf(memberId) ?? DEFAULT_REACH;
  const isQuiet = (settings: ReachSettingsRow): boolean => settings.dndNow || isQuietAt(settings.schedule, nowMs());

  const view = (settings: ReachSettingsRow): ReachView => ({
    dndNow: settings.dndNow,
    schedule: {
      days: settings.schedule.days,
      start: clockTimeOf(settings.schedule.startMin),
      end: clockTimeOf(settings.schedule.endMin),
      timeZone: settings.schedule.timeZone,
    },
    quietNow: isQuiet(settings),
    knockFirst: settings.knockFirst,
  });

  function rememberGuest(memberId: string, guest: Extract<Party, { kind: 'guest' }>): void {
    const guests = recentGuests.get(memberId) ?? new Map<string, RecentGuest>();
    recentGuests.delete(memberId);
    recentGuests.set(memberId, guests);
    guests.delete(guest.guestId);
    guests.set(guest.guestId, { displayName: guest.displayName, linkCode: guest.linkCode, atMs: nowMs() });
    for (const [guestId, entry] of guests) {
      if (guests.size <= MAX_RECENT_GUESTS_PER_MEMBER && entry.atMs > nowMs() - RECENT_GUEST_WINDOW_MS) break;
      guests.delete(guestId);
    }
    for (const key of recentGuests.keys()) {
      if (recentGuests.size <= MAX_MEMBERS_WITH_RECENT_GUESTS) break;
      recentGuests.delete(key);
    }
  }

  const toView = (row: BlockRow): BlockView => ({
    id: row.id,
    kind: row.kind,
    name: row.kind === 'guest' ? (row.guestName ?? '') : `${row.memberFirstName ?? ''} ${row.memberLastName ?? ''}`.trim(),
    createdAt: row.createdAt,
  });
  const blockList = (memberId: string): BlockList => ({ blocks: store.blocksOf(memberId).map(toView), max: MAX_BLOCKS_PER_MEMBER });
  const roomForOneMore = (memberId: string): void => {
    if (store.blockCount(memberId) >= MAX_BLOCKS_PER_MEMBER)
      throw conflict('too_many_blocks', `You can block up to ${MAX_BLOCKS_PER_MEMBER} callers; unblock some first.`);
  };

  return {
    reachOf: (memberId: string): ReachView => view(settingsOf(memberId)),

    updateReach(memberId: string, changes: ReachChanges): ReachView {
      const current = settingsOf(memberId);
      const next: ReachSettingsRow = {
        dndNow: changes.dndNow ?? current.dndNow,
        schedule: changes.schedule ?? current.schedule,
        knockFirst: changes.knockFirst ?? current.knockFirst,
      };
      store.saveSettings(memberId, next, new Date(nowMs()).toISOString());
      reachChanged(memberId);
      return view(next);
    },

    /** Whether this caller's ring reaches the member now. Every guest that rings is remembered
     *  for a while, so the member can block "the guest who just rang". */
    screen(calleeMemberId: string, caller: Party): Screening {
      if (caller.kind === 'guest') rememberGuest(calleeMemberId, caller);
      const blocked =
        caller.kind === 'member'
          ? store.isMemberBlocked(calleeMemberId, caller.memberId)
          : store.isGuestBlocked(calleeMemberId, caller.guestId, caller.linkCode);
      if (blocked) return 'blocked';
      return isQuiet(settingsOf(calleeMemberId)) ? 'quiet' : 'ring';
    },

    knocksFirst: (memberId: string): boolean => settingsOf(memberId).knockFirst,

    /** Whether the member is in quiet time now (do-not-disturb, or their schedule). */
    isQuiet: (memberId: string): boolean => isQuiet(settingsOf(memberId)),

    /** In how many ms the member's quiet time starts, if within `withinMs`; 0 if it is on. */
    quietStartsWithin(memberId: string, withinMs: number): number | null {
      const settings = settingsOf(memberId);
      return settings.dndNow ? 0 : quietStartsWithin(settings.schedule, nowMs(), withinMs);
    },

    /** Whether a ring from this member would reach the member now (for the directory's presence). */
    takesRingFrom: (calleeMemberId: string, callerMemberId: string): boolean =>
      !store.isMemberBlocked(calleeMemberId, callerMemberId) && !isQuiet(settingsOf(calleeMemberId)),

    blocksOf: blockList,

    blockMember(memberId: string, blockedId: string): BlockList {
      if (blockedId === memberId) throw badRequest('cannot_block_self', 'You cannot block yourself.');
      if (memberName(blockedId) === null) throw new AppError('not_found', 'unknown_member', 'There is no such member.');
      if (!store.isMemberBlocked(memberId, blockedId)) {
        roomForOneMore(memberId);
        store.addBlock(memberId, { kind: 'member', memberId: blockedId }, new Date(nowMs()).toISOString());
      }
      return blockList(memberId);
    },

    /** Blocks a guest who rang this member within RECENT_GUEST_WINDOW_MS: that guest's browser
     *  session on that call link. Any other guest id is unknown (nobody can fill the list with
     *  made-up ids, nor learn whether an id exists). */
    blockGuest(memberId: string, guestId: string): BlockList {
      const guest = recentGuests.get(memberId)?.get(guestId);
      if (guest === undefined || guest.atMs <= nowMs() - RECENT_GUEST_WINDOW_MS)
        throw new AppError('not_found', 'unknown_guest', 'No guest by this id rang you lately.');
      if (!store.isGuestBlocked(memberId, guestId, guest.linkCode)) {
        roomForOneMore(memberId);
        store.addBlock(memberId, { kind: 'guest', guestId, guestName: guest.displayName, linkCode: guest.linkCode }, new Date(nowMs()).toISOString());
      }
      return blockList(memberId);
    },

    unblock(memberId: string, id: number): BlockList {
      if (!store.removeBlock(memberId, id)) throw notFound('No such entry in your block list.');
      return blockList(memberId);
    },

    /** Their rows went with the account; what lives in memory goes now. */
    memberDeleted(memberId: string): void {
      recentGuests.delete(memberId);
    },
  };
}
