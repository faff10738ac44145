// Log-in throttling. Failures are counted three ways, all in memory:
//   - per account and client address (IPv6 by /64): a few free, then each further failure
//     doubles the wait before that address may try that account again (1 s, 2 s… 15 min);
//   - per client address across accounts (password spraying): more free, then the same waits;
//   - per account from anywhere: never a refusal (that would let anyone lock the real member
//     out), but a delay before each answer that doubles up to a few seconds, so guessing from
//     many addresses at once is slowed while the right password from a fresh address still
//     passes.
// A success clears the account's counters. They hold no e-mail (a keyed hash of it) and vanish
// with the process, which leaves nothing on disk about who tried what.
import { createHmac, randomBytes } from 'node:crypto';
import { addressBlock } from '../client-address.js';
import type { Clock } from './clock.js';

/** Failures one address may have on one account before waits begin: room for a few typos. */
const FREE_FAILURES_PER_ACCOUNT_ADDRESS = 5;
/** One address may mistype on many accounts (a shared office NAT), but not endlessly. */
const FREE_FAILURES_PER_ADDRESS = 30;
/** Failures on one account, from anywhere, before its answers are delayed. */
const FREE_FAILURES_PER_ACCOUNT = 5;
const FIRST_WAIT_MS = 1000;
const MAX_WAIT_MS = 15 * 60_000;
const FIRST_ACCOUNT_DELAY_MS = 250;
/** Long enough to slow guessing, short enough that the real member still logs in. */
const MAX_ACCOUNT_DELAY_MS = 4000;
/** A counter with no failure for this long starts over. */
const FORGET_AFTER_MS = 60 * 60_000;
/** Bounds memory under a flood of distinct keys; the oldest counters go first. */
const MAX_COUNTERS = 50_000;

type Counter = { failures: number; lastFailureMs: number };

export type LoginVerdict = Readonly<{
  /** Milliseconds before this address may try this account again; 0 when it may now. */
  refuseForMs: number;
  /** Milliseconds to wait before checking the password (the account is being guessed at). */
  delayMs: number;
}>;

export type Throttle = {
  check(email: string, address: string): LoginVerdict;
  failed(email: string, address: string): void;
  succeeded(email: string, address: string): void;
};

export function createThrottle(clock: Pick<Clock, 'now'>): Throttle {
  const counters = new Map<string, Counter>();
  const secret = randomBytes(32);
  const accountOf = (email: string): string => createHmac('sha256', secret).update(email.toLowerCase()).digest('base64url');
  const keysOf = (email: string, address: string) => {
    const account = accountOf(email);
    const block = addressBlock(address);
    return { account: `a:${account}`, pair: `p:${account}:${block}`, address: `i:${block}` };
  };

  const current = (key: string): Counter | undefined => {
    const counter = counters.get(key);
    if (counter !== undefined && clock.now() - counter.lastFailureMs > FORGET_AFTER_MS) {
      counters.delete(key);
      return undefined;
    }
    return counter;
  };
  /** first × 2^(failures beyond the free ones), capped; 0 while within the free ones. */
  const backoff = (counter: Counter | undefined, free: number, first: number, max: number): number =>
    counter === undefined || counter.failures < free ? 0 : Math.min(max, first * 2 ** Math.min(30, counter.failures - free));
  const waitOf = (key: string, free: number): number => {
    const counter = current(key);
    const wait = backoff(counter, free, FIRST_WAIT_MS, MAX_WAIT_MS);
    return wait === 0 || counter === undefined ? 0 : Math.max(0, counter.lastFailureMs + wait - clock.now());
  };
  const bump = (key: string): void => {
    const counter = current(key) ?? { failures: 0, lastFailureMs: 0 };
    counter.failures += 1;
    counter.lastFailureMs = clock.now();
    counters.delete(key); // re-inserted last: Map order is then oldest failure first
    counters.set(key, counter);
    if (counters.size > MAX_COUNTERS) counters.delete(counters.keys().next().value as string);
  };

  return {
    check(email, address) {
      const keys = keysOf(email, address);
      return {
        refuseForMs: Math.max(waitOf(keys.pair, FREE_FAILURES_PER_ACCOUNT_ADDRESS), waitOf(keys.address, FREE_FAILURES_PER_ADDRESS)),
        delayMs: backoff(current(keys.account), FREE_FAILURES_PER_ACCOUNT, FIRST_ACCOUNT_DELAY_MS, MAX_ACCOUNT_DELAY_MS),
      };
    },
    failed(email, address) {
      const keys = keysOf(email, address);
      bump(keys.account);
      bump(keys.pair);
      bump(keys.address);
    },
    succeeded(email, address) {
      const keys = keysOf(email, address);
      counters.delete(keys.account);
      counters.delete(keys.pair);
    },
  };
}
