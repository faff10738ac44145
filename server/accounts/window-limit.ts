// A count per key in fixed windows, in memory: "at most N per hour for this address / account".
// The oldest keys go first past a bound, so a flood of distinct keys cannot grow memory.
import type { Clock } from './clock.js';

export type WindowLimit = {
  /** Counts one use for `key`; returns 0 when admitted, else the milliseconds until the window ends. */
  take(key: string): number;
};

type Window = { startMs: number; count: number };

export function createWindowLimit(limit: Readonly<{ perWindow: number; windowMs: number; maxKeys: number }>, clock: Pick<Clock, 'now'>): WindowLimit {
  const windows = new Map<string, Window>();
  return {
    take(key) {
      const now = clock.now();
      const previous = windows.get(key);
      const window = previous === undefined || now - previous.startMs >= limit.windowMs ? { startMs: now, count: 0 } : previous;
      if (window.count >= limit.perWindow) return Math.max(1, window.startMs + limit.windowMs - now);
      window.count += 1;
      windows.delete(key); // re-inserted last: Map order is then oldest window first
      windows.set(key, window);
      if (windows.size > limit.maxKeys) windows.delete(windows.keys().next().value as string);
      return 0;
    },
  };
}
