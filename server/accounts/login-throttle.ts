// Log-in throttling, counted per account and per client address. A few failures are free; then
// each further failure doubles the wait before the next attempt is even looked at (1 s, 2 s,
// 4 s… up to 15 min). A success clears the account's count. The counters live in memory only:
// they hold no e-mail (a keyed hash of it) and vanish with the process, which leaves nothing on
// disk about who tried what.
import { createHmac, randomBytes } from 'node:crypto';
import { addressBlock } from '../client-address.js';

/** Failures an account may have before waits begin: room for a few typos. */
const FREE_FAILURES_PER_ACCOUNT = 5;
/** One address may mistype on many accounts (a shared office NAT), but not endlessly. */
const FREE_FAILURES_PER_ADDRESS = 30;
const FIRST_WAIT_MS = 1000;
const MAX_WAIT_MS = 15 * 60_000;
/** A counter with no failure for this long starts over. */
const FORGET_AFTER_MS = 60 * 60_000;
/** Bounds memory under a flood of distinct keys; the oldest counters go first. */
const MAX_COUNTERS = 50_000;

type Counter = { failures: number; lastFailureMs: number };

export type Throttle = {
  /** Milliseconds to wait before this account or address may try again; 0 when free. */
  waitMs(email: string, address: string): number;
  failed(email: string, address: string): void;
  succeeded(email: string): void;
};

export function createThrottle(now: () => number = Date.now): Throttle {
  const counters = new Map<string, Counter>();
  const secret = randomBytes(32);
  const accountKey = (email: string): string => `a:${createHmac('sha256', secret).update(email.toLowerCase()).digest('base64url')}`;
  const addressKey = (address: string): string => `i:${addressBlock(address)}`;

  const current = (key: string): Counter | undefined => {
    const counter = counters.get(key);
    if (counter !== undefined && now() - counter.lastFailureMs > FORGET_AFTER_MS) {
      counters.delete(key);
      return undefined;
    }
    return counter;
  };
  const waitOf = (key: string, free: number): number => {
    const counter = current(key);
    if (counter === undefined || counter.failures < free) return 0;
    const wait = Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** (counter.failures - free));
    return Math.max(0, counter.lastFailureMs + wait - now());
  };
  const bump = (key: string): void => {
    const counter = current(key) ?? { failures: 0, lastFailureMs: 0 };
    counter.failures += 1;
    counter.lastFailureMs = now();
    counters.delete(key); // re-inserted last: Map order is then oldest failure first
    counters.set(key, counter);
    if (counters.size > MAX_COUNTERS) counters.delete(counters.keys().next().value as string);
  };

  return {
    waitMs: (email, address) => Math.max(waitOf(accountKey(email), FREE_FAILURES_PER_ACCOUNT), waitOf(addressKey(address), FREE_FAILURES_PER_ADDRESS)),
    failed(email, address) {
      bump(accountKey(email));
      bump(addressKey(address));
    },
    succeeded(email) {
      counters.delete(accountKey(email));
    },
  };
}

// The address rule is shared with the calls' limits.
export { addressBlock } from '../client-address.js';
