// Durations as people read them, in the page's language: "7 jours", "1 hour".
const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
const MINUTE_MS = 60_000;

/** In whole days when it is one, else whole hours when it is one, else minutes. */
export function formatDuration(locale: string, ms: number): string {
  const [value, unit] =
    ms % DAY_MS === 0 ? [ms / DAY_MS, 'day'] : ms % HOUR_MS === 0 ? [ms / HOUR_MS, 'hour'] : [Math.max(1, Math.round(ms / MINUTE_MS)), 'minute'];
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(value);
}
