// Sign-up throttling: at most so many new accounts per client address (IPv6 by /64) and in total
// per hour, counted in fixed one-hour windows in memory. It runs before any bcrypt work, so a
// refused sign-up costs nothing; the hashing of admitted ones has its own low-priority lane
// (passwords.ts) that never holds up log-ins.
import { rateLimited } from '../errors.js';
import type { Clock } from './clock.js';
import { addressBlock } from '../client-address.js';

export const SIGNUP_WINDOW_MS = 60 * 60_000;
/** Bounds memory under a flood of distinct addresses; the oldest windows go first. */
const MAX_ADDRESS_WINDOWS = 50_000;

export type SignupLimits = Readonly<{ perAddressPerHour: number; totalPerHour: number }>;

export type SignupThrottle = {
  /** Counts one sign-up from this address, or throws 429 with the wait when a limit is reached. */
  admit(address: string): void;
};

type Window = { startMs: number; count: number };

export function createSignupThrottle(limits: SignupLimits, clock: Pick<Clock, 'now'>): SignupThrottle {
  const byAddress = new Map<string, Window>();
  let total: Window = { startMs: 0, count: 0 };
  const fresh = (window: Window | undefined, now: number): Window =>
    window === undefined || now - window.startMs >= SIGNUP_WINDOW_MS ? { startMs: now, count: 0 } : window;
  const refuse = (window: Window, now: number, message: string): never => {
    throw rateLimited('too_many_signups', message, Math.max(1, Math.ceil((window.startMs + SIGNUP_WINDOW_MS - now) / 1000)));
  };

  return {
    admit(address) {
      const now = clock.now();
      const key = addressBlock(address);
      const own = fresh(byAddress.get(key), now);
      total = fresh(total, now);
      if (own.count >= limits.perAddressPerHour) refuse(own, now, 'Too many accounts were created from your network; try again later.');
      if (total.count >= limits.totalPerHour) refuse(total, now, 'Too many accounts were created recently; try again later.');
      own.count += 1;
      total.count += 1;
      byAddress.delete(key); // re-inserted last: Map order is then oldest window first
      byAddress.set(key, own);
      if (byAddress.size > MAX_ADDRESS_WINDOWS) byAddress.delete(byAddress.keys().next().value as string);
    },
  };
}
