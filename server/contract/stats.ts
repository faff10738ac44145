// Aggregate statistics over the wire (GET /api/stats). Never a person: only counts, shares and a
// median, each computed over a group of people and withheld when that group is smaller than
// STATS_MIN_PEOPLE. Types and constants only (the browser imports it).

/**
 * The smallest number of distinct people a published figure may rest on. Below it the figure is
 * suppressed (sent as `suppressed`, shown as such, never as 0): a count of 1 to 4 would let
 * whoever knows the organisation guess who it is about. A bucket with nobody in it shows 0.
 */
export const STATS_MIN_PEOPLE = 5;
/** Days covered by the per-day series (today included). */
export const STATS_DAYS = 30;
/** Weeks covered by the per-week series (this week included); weeks start on Monday, UTC. */
export const STATS_WEEKS = 12;

/** One figure: its value, or suppressed because fewer than STATS_MIN_PEOPLE people are behind it. */
export type StatCell = Readonly<{ value: number; suppressed: false } | { value: null; suppressed: true }>;
/** A bucket of a series: `period` is its first day (YYYY-MM-DD, UTC). */
export type StatRow = Readonly<{ period: string } & StatCell>;

export const CALL_OUTCOMES_COUNTED = ['answered', 'missed', 'declined', 'busy'] as const;
export type CountedOutcome = (typeof CALL_OUTCOMES_COUNTED)[number];

export type StatsView = Readonly<{
  generatedAt: string;
  /** STATS_MIN_PEOPLE, as applied. */
  minPeople: number;
  /** First day of the per-day series and of the window the shares and the median cover. */
  since: string;
  signupsPerWeek: readonly StatRow[];
  activePerDay: readonly StatRow[];
  activePerWeek: readonly StatRow[];
  callsPerDay: readonly StatRow[];
  /** Shares (0 to 1) of the calls received over the last STATS_DAYS days, by outcome. */
  outcomeShares: Readonly<Record<CountedOutcome, StatCell>>;
  /** Median length in seconds of the answered calls over the last STATS_DAYS days; null without any. */
  medianDurationS: StatCell | null;
  /**
   * Share (0 to 1) of the answered calls over the last STATS_DAYS days whose media went through
   * the relay rather than straight between the browsers (the rest went direct), over the calls
   * whose browsers reported their path; null without any such call.
   */
  relayedShare: StatCell | null;
}>;
