// Guest tickets: what lets someone without an account open the signaling socket, for one
// member only. A ticket is issued from that member's call link with the name the guest typed,
// lives in memory only (a restart ends every call anyway), and slides while it is in use so a
// dropped socket can come back to a live call.
import { createHash, randomBytes } from 'node:crypto';
import { busy } from '../errors.js';

/** Long enough to allow camera permission prompts and a ringing period, short enough to be useless when leaked later. */
export const GUEST_TICKET_TTL_MS = 30 * 60_000;
const TICKET_BYTES = 24;
const GUEST_ID_BYTES = 12;
/** Bounds memory whatever a flood of requests does; the oldest tickets of guests not in a call go first. */
export const MAX_LIVE_GUEST_TICKETS = 10_000;
/** When every ticket belongs to a guest in a call (the table cannot make room), a new guest
 *  waits this long: calls end and tickets expire within minutes. */
const TABLE_FULL_RETRY_AFTER_S = 60;

/** `linkCode` is the call link the ticket was issued through. */
export type GuestTicket = Readonly<{ guestId: string; displayName: string; calleeMemberId: string; linkCode: string }>;

export type GuestTickets = ReturnType<typeof createGuestTickets>;

/**
 * `isInCall` says whether a guest is in a live call (the hub knows): their ticket is what lets a
 * dropped socket come back, so a flood of new tickets never evicts it. `onRevoked` hears of each
 * ticket revoked with revokeFor (its relay credentials end with it).
 */
export function createGuestTickets(
  nowMs: () => number = Date.now,
  isInCall: (guestId: string) => boolean = () => false,
  onRevoked: (guestId: string) => void = () => {},
) {
  // Keyed by the SHA-256 of the ticket: the map never holds a usable secret.
  const live = new Map<string, GuestTicket & { expiresAtMs: number }>();
  const keyOf = (ticket: string): string => createHash('sha256').update(ticket).digest('base64url');

  const sweep = (): void => {
    // A redeemed ticket moves to the back (redeem), so the map runs from the soonest expiry to
    // the latest and expired tickets are found at the front without a scan of the whole table.
    const now = nowMs();
    for (const [key, entry] of live) {
      if (entry.expiresAtMs > now) break;
      live.delete(key);
    }
    // Map iteration is insertion order: the first entries are the oldest. A guest in a call
    // moves to the back instead of going; each entry is looked at once at most.
    let looked = 0;
    const total = live.size;
    for (const [key, entry] of live) {
      if (live.size < MAX_LIVE_GUEST_TICKETS || looked >= total) break;
      looked += 1;
      live.delete(key);
      if (isInCall(entry.guestId)) live.set(key, entry);
    }
    if (live.size >= MAX_LIVE_GUEST_TICKETS)
      throw busy('guest_tickets_full', 'Too many guests are calling right now; try again in a minute.', TABLE_FULL_RETRY_AFTER_S);
  };

  return {
    /**
     * A new ticket. `previousTicket` is the one this browser already holds, if any: while it is
     * live and for the same link, the new ticket keeps its guest id, so one guest's browser
     * session stays one guest (whom the member may block) across their calls.
     */
    issue(calleeMemberId: string, displayName: string, linkCode: string, previousTicket?: string): { ticket: string; guestId: string; expiresAt: Date } {
      sweep();
      const previous = previousTicket === undefined ? undefined : live.get(keyOf(previousTicket));
      const isSameSession =
        previous !== undefined && previous.expiresAtMs > nowMs() && previous.calleeMemberId === calleeMemberId && previous.linkCode === linkCode;
      const ticket = randomBytes(TICKET_BYTES).toString('base64url');
      const guestId = isSameSession ? previous.guestId : randomBytes(GUEST_ID_BYTES).toString('base64url');
      const expiresAtMs = nowMs() + GUEST_TICKET_TTL_MS;
      live.set(keyOf(ticket), { guestId, displayName, calleeMemberId, linkCode, expiresAtMs });
      return { ticket, guestId, expiresAt: new Date(expiresAtMs) };
    },

    /** The guest behind a ticket, extending its life; null when unknown or expired. */
    redeem(ticket: string): GuestTicket | null {
      const key = keyOf(ticket);
      const entry = live.get(key);
      if (entry === undefined) return null;
      if (entry.expiresAtMs <= nowMs()) {
        live.delete(key);
        return null;
      }
      entry.expiresAtMs = nowMs() + GUEST_TICKET_TTL_MS;
      live.delete(key);
      live.set(key, entry);
      return { guestId: entry.guestId, displayName: entry.displayName, calleeMemberId: entry.calleeMemberId, linkCode: entry.linkCode };
    },

    /** Every ticket for a member ends (the member regenerated their link or left). */
    revokeFor(calleeMemberId: string): void {
      for (const [key, entry] of live) {
        if (entry.calleeMemberId !== calleeMemberId) continue;
        live.delete(key);
        onRevoked(entry.guestId);
      }
    },

    size: (): number => live.size,
  };
}
