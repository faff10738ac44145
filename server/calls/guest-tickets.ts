// Guest tickets: what lets someone without an account open the signaling socket, for one
// member only. A ticket is issued from that member's call link with the name the guest typed,
// lives in memory only (a restart ends every call anyway), and slides while it is in use so a
// dropped socket can come back to a live call.
import { createHash, randomBytes } from 'node:crypto';
import { DISPLAY_NAME_MAX_CODE_POINTS, nameProblem, normaliseName, type NameProblem } from '../contract/names.js';

/** Long enough to allow camera permission prompts and a ringing period, short enough to be useless when leaked later. */
export const GUEST_TICKET_TTL_MS = 30 * 60_000;
const TICKET_BYTES = 24;
const GUEST_ID_BYTES = 12;
/** Bounds memory whatever a flood of requests does; the oldest tickets go first. */
export const MAX_LIVE_GUEST_TICKETS = 10_000;

export type GuestTicket = Readonly<{ guestId: string; displayName: string; calleeMemberId: string }>;

export type GuestTickets = ReturnType<typeof createGuestTickets>;

/** `onRevoked` hears of each ticket revoked with revokeFor (its relay credentials end with it). */
export function createGuestTickets(nowMs: () => number = Date.now, onRevoked: (guestId: string) => void = () => {}) {
  // Keyed by the SHA-256 of the ticket: the map never holds a usable secret.
  const live = new Map<string, GuestTicket & { expiresAtMs: number }>();
  const keyOf = (ticket: string): string => createHash('sha256').update(ticket).digest('base64url');

  const sweep = (): void => {
    const now = nowMs();
    for (const [key, entry] of live) if (entry.expiresAtMs <= now) live.delete(key);
    // Map iteration is insertion order: the first entries are the oldest.
    for (const key of live.keys()) {
      if (live.size < MAX_LIVE_GUEST_TICKETS) break;
      live.delete(key);
    }
  };

  return {
    issue(calleeMemberId: string, displayName: string): { ticket: string; guestId: string; expiresAt: Date } {
      sweep();
      const ticket = randomBytes(TICKET_BYTES).toString('base64url');
      const guestId = randomBytes(GUEST_ID_BYTES).toString('base64url');
      const expiresAtMs = nowMs() + GUEST_TICKET_TTL_MS;
      live.set(keyOf(ticket), { guestId, displayName, calleeMemberId, expiresAtMs });
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
      return { guestId: entry.guestId, displayName: entry.displayName, calleeMemberId: entry.calleeMemberId };
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

/** A display name as a guest may type it (the shared name rule), or what is wrong with it. */
export function readDisplayName(value: unknown): { name: string } | { problem: NameProblem } {
  const name = typeof value === 'string' ? normaliseName(value) : '';
  const problem = nameProblem(name, DISPLAY_NAME_MAX_CODE_POINTS);
  return problem === null ? { name } : { problem };
}
