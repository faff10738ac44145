// A clock a test moves by hand: throttle and expiry tests advance it instead of sleeping.
import type { Clock } from '../../server/accounts/clock.js';

export type ManualClock = Clock & {
  advance(ms: number): void;
  /** Every sleep asked of the clock, in milliseconds. */
  readonly sleeps: number[];
};

/** Starts at `startMs`; a sleep moves the clock forward by its length and resolves at once. */
export function manualClock(startMs = Date.UTC(2026, 0, 1)): ManualClock {
  let now = startMs;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep(ms) {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
    advance(ms) {
      now += ms;
    },
    sleeps,
  };
}
