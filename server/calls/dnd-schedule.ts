// Do-not-disturb on a weekly schedule, in the member's own time zone: the wall-clock day and time
// come from Intl (the zone's rules, summer time included), so "22:00 to 07:00 on weekdays" means
// that where the member lives, whatever the server's zone. Pure: no clock, no storage.

/** Longest IANA zone name accepted ("America/Argentina/ComodRivadavia" is 32). */
export const MAX_TIME_ZONE_CHARS = 64;
export const MINUTES_PER_DAY = 24 * 60;
/** Days in the schedule's order: Monday first (bit 0) to Sunday (bit 6). */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export type DndSchedule = Readonly<{
  /** The days the quiet time starts on; empty: no schedule. */
  days: readonly Weekday[];
  /** Minutes after local midnight. An end before the start runs into the next day; equal means the whole day. */
  startMin: number;
  endMin: number;
  timeZone: string;
}>;

const ZONE_SHAPE = /^[A-Za-z0-9_+\-/]+$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's formatter, or null when Intl does not know the zone. */
function formatterOf(timeZone: string): Intl.DateTimeFormat | null {
  if (timeZone.length === 0 || timeZone.length > MAX_TIME_ZONE_CHARS || !ZONE_SHAPE.test(timeZone)) return null;
  const known = formatters.get(timeZone);
  if (known !== undefined) return known;
  try {
    const formatter = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    // Bounded: the zones Intl knows are a few hundred.
    formatters.set(timeZone, formatter);
    return formatter;
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

/** Whether Intl knows this IANA zone name. */
export function isTimeZone(value: unknown): value is string {
  return typeof value === 'string' && formatterOf(value) !== null;
}

/** The weekday and minute of the day at `atMs` in the zone. */
export function localTimeOf(atMs: number, timeZone: string): { day: Weekday; minute: number } {
  const formatter = formatterOf(timeZone);
  if (formatter === null) throw new RangeError(`unknown time zone ${timeZone}`);
  const parts = formatter.formatToParts(new Date(atMs));
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((entry) => entry.type === type)?.value ?? '';
  const day = part('weekday').toLowerCase().slice(0, 3) as Weekday;
  return { day, minute: Number(part('hour')) * 60 + Number(part('minute')) };
}

/** Whether the schedule's quiet time covers the instant `atMs`. */
export function isQuietAt(schedule: DndSchedule, atMs: number): boolean {
  if (schedule.days.length === 0) return false;
  const { day, minute } = localTimeOf(atMs, schedule.timeZone);
  const today = WEEKDAYS.indexOf(day);
  const yesterday = WEEKDAYS[(today + WEEKDAYS.length - 1) % WEEKDAYS.length] as Weekday;
  const startsToday = schedule.days.includes(day);
  const { startMin, endMin } = schedule;
  if (startMin === endMin) return startsToday;
  if (startMin < endMin) return startsToday && minute >= startMin && minute < endMin;
  // Overnight: the evening of a chosen day, and the morning after it.
  return (startsToday && minute >= startMin) || (schedule.days.includes(yesterday) && minute < endMin);
}

const MINUTE_MS = 60_000;
/** How far ahead `quietStartsWithin` looks: a ring lasts 45 s, so this is plenty, and it bounds
 *  the loop (one check per whole minute). */
export const MAX_QUIET_LOOKAHEAD_MS = 10 * MINUTE_MS;

/**
 * In how many ms from `atMs` the quiet time starts, if it does within `withinMs` (0 when it
 * already covers `atMs`), else null. Schedules change state only on a whole minute of local
 * time, which is a whole minute of UTC in every zone Intl knows today, so whole minutes are
 * the only instants to look at.
 */
export function quietStartsWithin(schedule: DndSchedule, atMs: number, withinMs: number): number | null {
  if (isQuietAt(schedule, atMs)) return 0;
  if (schedule.days.length === 0) return null;
  const untilMs = atMs + Math.min(withinMs, MAX_QUIET_LOOKAHEAD_MS);
  for (let minuteMs = Math.floor(atMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS; minuteMs <= untilMs; minuteMs += MINUTE_MS) {
    if (isQuietAt(schedule, minuteMs)) return minuteMs - atMs;
  }
  return null;
}

/** "HH:MM" for minutes after midnight. */
export function clockTimeOf(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Minutes after midnight for "HH:MM" (00:00–23:59), or null. */
export function minutesOf(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  return match === null ? null : Number(match[1]) * 60 + Number(match[2]);
}
