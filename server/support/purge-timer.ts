// Prospects' conversations are erased PORTHELLO_SUPPORT_RETENTION_DAYS after their last message.
// A timer runs the purge once at start and then every SUPPORT_PURGE_INTERVAL_MS; the cut-off
// comes from the service's clock, so a test moves that clock instead of waiting a year.

/** An hour: a conversation outlives its retention period by at most this much. */
export const SUPPORT_PURGE_INTERVAL_MS = 60 * 60_000;

export type PurgeTimer = Readonly<{
  /** Purges now. */
  run(): void;
  stop(): void;
}>;

export function startSupportPurge(deps: { purge(): number; onPurged(count: number): void; onError(error: unknown): void; intervalMs?: number }): PurgeTimer {
  const run = (): void => {
    try {
      const count = deps.purge();
      if (count > 0) deps.onPurged(count);
    } catch (error) {
      deps.onError(error);
    }
  };
  run();
  const timer = setInterval(run, deps.intervalMs ?? SUPPORT_PURGE_INTERVAL_MS);
  // Shutdown closes what keeps the process alive; this timer must not be one of those.
  timer.unref();
  return { run, stop: () => clearInterval(timer) };
}
