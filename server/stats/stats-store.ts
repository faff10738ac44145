// The SQL of the aggregate statistics: every query groups and counts in the database, and
// returns with each figure the number of distinct people behind it, for the suppression rule.
// No query returns an id, a name or an address. Days and weeks are UTC; a week starts on Monday.
import type { Database } from 'better-sqlite3';

/** One bucket: its first day (YYYY-MM-DD), its figure, and how many distinct people make it. */
export type BucketRow = Readonly<{ period: string; value: number; people: number }>;
export type OutcomeRow = Readonly<{ outcome: string; calls: number; people: number }>;

// The Monday on or before a timestamp's day: back six days, then forward to a Monday.
const WEEK_OF = (column: string): string => `date(${column}, '-6 days', 'weekday 1')`;
const DAY_OF = (column: string): string => `substr(${column}, 1, 10)`;

/**
 * Who counts as active, here and on the page: a member who made a call, or answered one, that
 * day (or week). Logging in alone does not count: the service keeps no history of log-ins (a
 * session only remembers its latest use), so it could not be counted for past days.
 */
const ACTIVE_ROWS = "(direction = 'made' OR (direction = 'received' AND outcome = 'answered'))";

export type StatsStore = ReturnType<typeof createStatsStore>;

export function createStatsStore(db: Database) {
  // Each sign-up is one person: the count is the number of people. Accounts deleted since are gone.
  const signups = db.prepare(`SELECT ${WEEK_OF('created_at')} AS period, count(*) AS value, count(*) AS people
    FROM users WHERE created_at >= ? GROUP BY period`);
  const active = (bucket: (column: string) => string) =>
    db.prepare(`SELECT ${bucket('started_at')} AS period, count(DISTINCT member_id) AS value, count(DISTINCT member_id) AS people
      FROM call_log WHERE started_at >= ? AND ${ACTIVE_ROWS} GROUP BY period`);
  const activePerDay = active(DAY_OF);
  const activePerWeek = active(WEEK_OF);
  // A call is counted once, by its callee's row: a call between two members also leaves a "made"
  // row in the caller's log, and a guest has no log. The people behind it are the callees.
  const callsPerDay = db.prepare(`SELECT ${DAY_OF('started_at')} AS period, count(*) AS value, count(DISTINCT member_id) AS people
    FROM call_log WHERE direction = 'received' AND started_at >= ? GROUP BY period`);
  const outcomes = db.prepare(`SELECT outcome, count(*) AS calls, count(DISTINCT member_id) AS people
    FROM call_log WHERE direction = 'received' AND started_at >= ? GROUP BY outcome`);
  const callees = db.prepare("SELECT count(DISTINCT member_id) FROM call_log WHERE direction = 'received' AND started_at >= ?").pluck();
  const answered = "direction = 'received' AND outcome = 'answered' AND duration_s IS NOT NULL AND started_at >= @since";
  const answeredCount = db.prepare(`SELECT count(*) AS calls, count(DISTINCT member_id) AS people FROM call_log WHERE ${answered}`);
  const durationAt = db.prepare(`SELECT duration_s FROM call_log WHERE ${answered} ORDER BY duration_s LIMIT 1 OFFSET @offset`).pluck();
  // Answered calls whose browsers said which path their media took (see migration 012).
  const paths = db.prepare(`SELECT count(*) AS calls, count(*) FILTER (WHERE path = 'relayed') AS relayed, count(DISTINCT member_id) AS people
    FROM call_log WHERE ${answered} AND path IS NOT NULL`);

  return {
    signupsPerWeek: (since: string): BucketRow[] => signups.all(since) as BucketRow[],
    activePerDay: (since: string): BucketRow[] => activePerDay.all(since) as BucketRow[],
    activePerWeek: (since: string): BucketRow[] => activePerWeek.all(since) as BucketRow[],
    callsPerDay: (since: string): BucketRow[] => callsPerDay.all(since) as BucketRow[],
    outcomes: (since: string): OutcomeRow[] => outcomes.all(since) as OutcomeRow[],
    /** How many distinct members received calls since then. */
    calleesSince: (since: string): number => callees.get(since) as number,
    /** The median length of the answered calls since then, and how many people (callees) it rests on. */
    medianDuration(since: string): { medianS: number | null; people: number } {
      const { calls, people } = answeredCount.get({ since }) as { calls: number; people: number };
      if (calls === 0) return { medianS: null, people };
      const middle = (offset: number): number => durationAt.get({ since, offset }) as number;
      const medianS = calls % 2 === 1 ? middle((calls - 1) / 2) : (middle(calls / 2 - 1) + middle(calls / 2)) / 2;
      return { medianS, people };
    },
    /** Answered calls since then with a known path, how many of them went through the relay, and the people (callees) behind them. */
    relayedCalls: (since: string): { calls: number; relayed: number; people: number } =>
      paths.get({ since }) as { calls: number; relayed: number; people: number },
  };
}
