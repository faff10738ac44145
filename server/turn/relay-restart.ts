// How often the relay's thread is started again after it ended unexpectedly (relay-in-worker.ts):
// a few times, each after a longer wait, then never until the service restarts. A relay that
// keeps crashing would otherwise spin a core restarting it and flood the journal.

/** Restarts (attempts, including those that could not bind the port again) allowed per window. */
export const RELAY_RESTARTS_PER_WINDOW = 5;
export const RELAY_RESTART_WINDOW_MS = 10 * 60_000;
/** The wait before the first attempt of a window; it doubles with each attempt already in the
 *  window (1, 2, 4, 8, 16 s): the ports of the ended thread are free again well within the first. */
export const RELAY_RESTART_BACKOFF_MIN_MS = 1000;
export const RELAY_RESTART_BACKOFF_MAX_MS = 30_000;

export type RestartPolicy = Readonly<{ perWindow: number; windowMs: number; backoffMinMs: number; backoffMaxMs: number }>;

export const RELAY_RESTART_POLICY: RestartPolicy = {
  perWindow: RELAY_RESTARTS_PER_WINDOW,
  windowMs: RELAY_RESTART_WINDOW_MS,
  backoffMinMs: RELAY_RESTART_BACKOFF_MIN_MS,
  backoffMaxMs: RELAY_RESTART_BACKOFF_MAX_MS,
};

export type RestartBudget = Readonly<{
  /** Takes one attempt: the wait before it, or null when the window's attempts are spent. */
  take(): number | null;
}>;

export function createRestartBudget(policy: RestartPolicy, now: () => number = Date.now): RestartBudget {
  /** When each attempt of the window happens (oldest first). */
  const attempts: number[] = [];
  return {
    take() {
      const at = now();
      while (attempts.length > 0 && (attempts[0] ?? at) <= at - policy.windowMs) attempts.shift();
      if (attempts.length >= policy.perWindow) return null;
      const delayMs = Math.min(policy.backoffMaxMs, policy.backoffMinMs * 2 ** attempts.length);
      attempts.push(at + delayMs);
      return delayMs;
    },
  };
}
