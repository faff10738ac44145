// How many guest tickets a call link and a client address may get. A ticket is what lets a
// stranger open a socket and ring: bounding tickets bounds how many fresh guests one person
// can become, on top of the hub's per-guest, per-link and per-address invite limits.
import { addressBlock } from '../client-address.js';
import { rateLimited } from '../errors.js';
import { createKeyedRateLimiter, takeAll, type KeyedLimit } from '../signal/rate-limit.js';

/** A link on a poster may see a queue of callers: 30 at once, then one every 20 s (180 an hour). */
export const TICKETS_PER_LINK: KeyedLimit = { burst: 30, refillEveryMs: 20_000 };
/** One person reloads the page a few times; past 10 at once, one every 30 s. */
export const TICKETS_PER_ADDRESS: KeyedLimit = { burst: 10, refillEveryMs: 30_000 };
/** Bounds the limiters' memory under a flood of distinct links or addresses. */
const MAX_TICKET_LIMIT_KEYS = 50_000;

export type TicketLimits = {
  /** Spends one ticket of the link's owner and of the client's address, or throws rate_limited. */
  admit(linkOwnerId: string, clientAddress: string): void;
};

export type TicketLimitSettings = { perLink: KeyedLimit; perAddress: KeyedLimit };

export function createTicketLimits(nowMs: () => number = Date.now, settings: Partial<TicketLimitSettings> = {}): TicketLimits {
  const options = { maxKeys: MAX_TICKET_LIMIT_KEYS, nowMs };
  const perLink = createKeyedRateLimiter(settings.perLink ?? TICKETS_PER_LINK, options);
  const perAddress = createKeyedRateLimiter(settings.perAddress ?? TICKETS_PER_ADDRESS, options);
  return {
    admit(linkOwnerId, clientAddress) {
      const waitMs = takeAll([
        [perLink, linkOwnerId],
        [perAddress, addressBlock(clientAddress)],
      ]);
      if (waitMs > 0)
        throw rateLimited('too_many_tickets', 'Too many calls through this link right now; try again later.', Math.max(1, Math.ceil(waitMs / 1000)));
    },
  };
}
