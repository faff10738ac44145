// The accounts part's sense of time: throttles, sign-up windows and session expiry read it, so a
// test moves time forward instead of sleeping.
export type Clock = Readonly<{
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds of this clock. */
  sleep(ms: number): Promise<void>;
}>;

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
