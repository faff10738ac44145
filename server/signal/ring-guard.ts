// What keeps one caller from ringing a member without end: invites are rate-limited per caller,
// and a guest's also per link and per client address (a new ticket is a new guest, so those
// two bound what fresh tickets can do); after a decline, no answer or an unavailable member,
// the same caller (and, for a guest, the same address) waits a cool-down before ringing that
// member again. Everything lives in memory and is bounded in size.
import { Refusal } from './errors.js';
import type { Party } from './deps.js';
import { createKeyedRateLimiter, takeAll, type KeyedLimit, type KeyedRateLimiter } from './rate-limit.js';

/** A member rings a few people in a row (a wrong number, a busy colleague): 5 at once, then one every 12 s. */
export const INVITES_PER_CALLER: KeyedLimit = { burst: 5, refillEveryMs: 12_000 };
/** Every guest of one link together: a popular link may take 10 rings at once, then one every 6 s. */
export const GUEST_INVITES_PER_LINK: KeyedLimit = { burst: 10, refillEveryMs: 6_000 };
/** Guests behind one address (or IPv6 /64): fewer than the link allows, so one address cannot
 *  spend a link's whole budget alone. */
export const GUEST_INVITES_PER_ADDRESS: KeyedLimit = { burst: 5, refillEveryMs: 12_000 };
/** After a decline, no answer or an unavailable member, the same caller waits this long before
 *  ringing that member again (PORTHELLO_RING_COOLDOWN_S). */
export const RING_COOLDOWN_MS = 30_000;
/** A member who refuses a guest's knock is not knocked at again by that guest (nor from that
 *  address) for this long (PORTHELLO_KNOCK_COOLDOWN_S). */
export const KNOCK_REFUSED_COOLDOWN_MS = 10 * 60_000;
/** Bounds the memory of the limiters and cool-downs whatever a flood does; the quietest keys go first. */
export const MAX_RING_GUARD_KEYS = 50_000;

export type RingLimits = {
  invitesPerCaller: KeyedLimit;
  guestInvitesPerLink: KeyedLimit;
  guestInvitesPerAddress: KeyedLimit;
  ringCooldownMs: number;
  knockRefusedCooldownMs: number;
};

export const DEFAULT_RING_LIMITS: RingLimits = {
  invitesPerCaller: INVITES_PER_CALLER,
  guestInvitesPerLink: GUEST_INVITES_PER_LINK,
  guestInvitesPerAddress: GUEST_INVITES_PER_ADDRESS,
  ringCooldownMs: RING_COOLDOWN_MS,
  knockRefusedCooldownMs: KNOCK_REFUSED_COOLDOWN_MS,
};

/** Who is ringing: their party key, the party, and the client address block when known. */
export type Ringer = Readonly<{ key: string; party: Party; address: string | null }>;

export type RingGuard = {
  /** Refuses (cooling_down or rate_limited, with a retry delay) or spends one invite of the caller. */
  admit(ringer: Ringer, calleeMemberId: string): void;
  /** The keys a cool-down of this caller towards this member is kept under. */
  cooldownKeysOf(ringer: Ringer, calleeMemberId: string): string[];
  /** Starts the cool-down after a decline, no answer or unavailable; a refused knock's lasts `durationMs`. */
  coolDown(keys: readonly string[], durationMs?: number): void;
};

export function createRingGuard(limits: RingLimits, nowMs: () => number): RingGuard {
  const options = { maxKeys: MAX_RING_GUARD_KEYS, nowMs };
  const perCaller: KeyedRateLimiter = createKeyedRateLimiter(limits.invitesPerCaller, options);
  const perLink: KeyedRateLimiter = createKeyedRateLimiter(limits.guestInvitesPerLink, options);
  const perAddress: KeyedRateLimiter = createKeyedRateLimiter(limits.guestInvitesPerAddress, options);
  /** Key → when ringing may start again. Entries but refused knocks' last as long, so insertion
   *  order is nearly expiry order; an expired entry behind a knock's waits for a later sweep. */
  const cooldowns = new Map<string, number>();
  const toSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

  const cooldownKeysOf = (ringer: Ringer, calleeMemberId: string): string[] =>
    ringer.party.kind === 'guest' && ringer.address !== null
      ? [`${ringer.key}>${calleeMemberId}`, `${ringer.address}>${calleeMemberId}`]
      : [`${ringer.key}>${calleeMemberId}`];

  return {
    admit(ringer, calleeMemberId) {
      const now = nowMs();
      const coolingUntil = Math.max(0, ...cooldownKeysOf(ringer, calleeMemberId).map((key) => cooldowns.get(key) ?? 0));
      if (coolingUntil > now)
        throw new Refusal(
          'cooling_down',
          'This member could not take your call just now; wait before ringing again.',
          undefined,
          toSeconds(coolingUntil - now),
        );
      const pairs: [KeyedRateLimiter, string][] = [[perCaller, ringer.key]];
      if (ringer.party.kind === 'guest') {
        pairs.push([perLink, ringer.party.calleeMemberId]);
        if (ringer.address !== null) pairs.push([perAddress, ringer.address]);
      }
      const waitMs = takeAll(pairs);
      if (waitMs > 0) throw new Refusal('rate_limited', 'Too many calls in a short time; wait before ringing again.', undefined, toSeconds(waitMs));
    },
    cooldownKeysOf,
    coolDown(keys, durationMs = limits.ringCooldownMs) {
      if (durationMs <= 0) return;
      const until = nowMs() + durationMs;
      for (const key of keys) {
        cooldowns.delete(key);
        cooldowns.set(key, until);
      }
      // Expired entries are at the front; past the bound the oldest goes even if still cooling.
      for (const [key, untilMs] of cooldowns) {
        if (untilMs > nowMs() && cooldowns.size <= MAX_RING_GUARD_KEYS) break;
        cooldowns.delete(key);
      }
    },
  };
}
