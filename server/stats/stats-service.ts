// Aggregate statistics for marketing and admins, computed on the box from the database: series
// per day and week, outcome shares, the relayed share and a median. Never a person: the store returns counts only,
// and here every figure resting on fewer than STATS_MIN_PEOPLE distinct people is suppressed.
import {
  CALL_OUTCOMES_COUNTED,
  type CountedOutcome,
  STATS_DAYS,
  STATS_MIN_PEOPLE,
  STATS_WEEKS,
  type StatCell,
  type StatRow,
  type StatsView,
} from '../contract/stats.js';
import type { Actor } from '../staff/actor.js';
import { canSeeStatistics, requireCapability } from '../staff/roles.js';
import type { BucketRow, StatsStore } from './stats-store.js';

const DAY_MS = 24 * 3600_000;
/** Shares are sent to a tenth of a percent. */
const SHARE_DECIMALS = 3;

const SUPPRESSED: StatCell = { value: null, suppressed: true };

/** A figure with the people behind it: shown when nobody (0) or enough people are; else suppressed. */
export function cellOf(value: number, people: number): StatCell {
  return people === 0 || people >= STATS_MIN_PEOPLE ? { value, suppressed: false } : SUPPRESSED;
}

const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The Monday (UTC) of the week holding this instant, at midnight. */
function mondayOf(ms: number): number {
  const midnight = Date.parse(`${dayOf(ms)}T00:00:00Z`);
  const sinceMonday = (new Date(midnight).getUTCDay() + 6) % 7;
  return midnight - sinceMonday * DAY_MS;
}

/** Every bucket of the window in order, empty ones as 0, each figure checked for suppression. */
function series(rows: readonly BucketRow[], firstMs: number, count: number, stepMs: number): StatRow[] {
  const byPeriod = new Map(rows.map((row) => [row.period, row]));
  return Array.from({ length: count }, (_, index) => {
    const period = dayOf(firstMs + index * stepMs);
    const row = byPeriod.get(period);
    return { period, ...cellOf(row?.value ?? 0, row?.people ?? 0) };
  });
}

/**
 * Shares of the calls by outcome. Besides each share's own rule, when exactly one share is
 * suppressed the smallest other one is too: the shares add up to 1, so a single hidden one could
 * be worked out from the others.
 */
function outcomeShares(rows: readonly { outcome: string; calls: number; people: number }[], totalPeople: number): Record<CountedOutcome, StatCell> {
  const total = rows.reduce((sum, row) => sum + row.calls, 0);
  // Shares of the calls of one to four people say too much about them, even the zero ones.
  if (cellOf(0, totalPeople).suppressed)
    return Object.fromEntries(CALL_OUTCOMES_COUNTED.map((outcome) => [outcome, SUPPRESSED])) as Record<CountedOutcome, StatCell>;
  const entries = CALL_OUTCOMES_COUNTED.map((outcome) => {
    const row = rows.find((candidate) => candidate.outcome === outcome);
    const share = total === 0 ? 0 : Number(((row?.calls ?? 0) / total).toFixed(SHARE_DECIMALS));
    return { outcome, calls: row?.calls ?? 0, cell: cellOf(share, row?.people ?? 0) };
  });
  const hidden = entries.filter((entry) => entry.cell.suppressed);
  if (hidden.length === 1) {
    const smallest = entries.filter((entry) => !entry.cell.suppressed && entry.calls > 0).sort((a, b) => a.calls - b.calls)[0];
    if (smallest !== undefined) smallest.cell = SUPPRESSED;
  }
  return Object.fromEntries(entries.map((entry) => [entry.outcome, entry.cell])) as Record<CountedOutcome, StatCell>;
}

export type StatsService = ReturnType<typeof createStatsService>;

export function createStatsService(deps: { store: StatsStore; now?: () => number }) {
  const { store } = deps;
  const now = deps.now ?? Date.now;
  return {
    /** Throws 403 `forbidden` unless the role may see statistics (marketing, admin). */
    overview(actor: Actor): StatsView {
      requireCapability(canSeeStatistics, actor.role);
      const at = now();
      const firstDayMs = Date.parse(`${dayOf(at)}T00:00:00Z`) - (STATS_DAYS - 1) * DAY_MS;
      const firstWeekMs = mondayOf(at) - (STATS_WEEKS - 1) * 7 * DAY_MS;
      const sinceDay = new Date(firstDayMs).toISOString();
      const sinceWeek = new Date(firstWeekMs).toISOString();
      const median = store.medianDuration(sinceDay);
      const paths = store.relayedCalls(sinceDay);
      return {
        generatedAt: new Date(at).toISOString(),
        minPeople: STATS_MIN_PEOPLE,
        since: dayOf(firstDayMs),
        signupsPerWeek: series(store.signupsPerWeek(sinceWeek), firstWeekMs, STATS_WEEKS, 7 * DAY_MS),
        activePerDay: series(store.activePerDay(sinceDay), firstDayMs, STATS_DAYS, DAY_MS),
        activePerWeek: series(store.activePerWeek(sinceWeek), firstWeekMs, STATS_WEEKS, 7 * DAY_MS),
        callsPerDay: series(store.callsPerDay(sinceDay), firstDayMs, STATS_DAYS, DAY_MS),
        outcomeShares: outcomeShares(store.outcomes(sinceDay), store.calleesSince(sinceDay)),
        medianDurationS: median.medianS === null ? null : cellOf(Math.round(median.medianS), median.people),
        // The direct share is its complement, so one rule covers both.
        relayedShare: paths.calls === 0 ? null : cellOf(Number((paths.relayed / paths.calls).toFixed(SHARE_DECIMALS)), paths.people),
      };
    },
  };
}
