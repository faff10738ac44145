// Accounts disabled by another process (the admin CLI, `npm run admin -- disable`) must lose
// their sockets in the running server too. The CLI deletes their sessions in the database, so
// their next request fails; sockets are already open, so the server re-reads the set of disabled
// accounts every DISABLED_ACCOUNTS_POLL_MS and reports the newcomers. One indexed query on a
// handful of rows: cheap enough to run this often.

/** How soon a disable from the CLI closes the member's sockets in the running server. */
export const DISABLED_ACCOUNTS_POLL_MS = 2_000;

export type DisabledWatch = Readonly<{
  /** Reads the set now and reports accounts disabled since the last read. */
  check(): void;
  stop(): void;
}>;

export function watchDisabledAccounts(deps: {
  disabledIds(): readonly string[];
  onDisabled(memberId: string): void;
  onError(error: unknown): void;
  intervalMs?: number;
}): DisabledWatch {
  // Accounts disabled before start-up have no session and no socket: nothing to report.
  let known = new Set(deps.disabledIds());
  const check = (): void => {
    try {
      const current = new Set(deps.disabledIds());
      for (const id of current) if (!known.has(id)) deps.onDisabled(id);
      known = current;
    } catch (error) {
      deps.onError(error);
    }
  };
  const timer = setInterval(check, deps.intervalMs ?? DISABLED_ACCOUNTS_POLL_MS);
  // Shutdown closes what keeps the process alive; this timer must not be one of those.
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
