// Rows written straight into the database for the statistics suites: accounts created and calls
// received on chosen days, so each bucket holds a known number of people.
import { randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';

/** Monday 30 November 2026, noon UTC: the statistics suites' clock. */
export const STATS_NOW_MS = Date.UTC(2026, 10, 30, 12);

export type SeededMember = Readonly<{ id: string; email: string; firstName: string; lastName: string }>;

export function seedMember(db: Database, createdAt: string): SeededMember {
  const tag = randomBytes(4).toString('hex');
  const member = { id: `stats-${tag}`, email: `stats-${tag}@example.org`, firstName: `Seeded${tag}`, lastName: `Person${tag}` };
  db.prepare(`INSERT INTO users (id, email, first_name, last_name, password_hash, created_at, updated_at)
    VALUES (@id, @email, @firstName, @lastName, 'not a hash', @createdAt, @createdAt)`).run({ ...member, createdAt });
  return member;
}

/** A call the member received from a guest; `path` as its browsers reported it (null: not reported). */
export function seedReceivedCall(
  db: Database,
  memberId: string,
  startedAt: string,
  outcome: string,
  durationS: number | null = null,
  path: 'direct' | 'relayed' | null = null,
): void {
  db.prepare(`INSERT INTO call_log (member_id, direction, peer_kind, peer_id, peer_guest_name, started_at, outcome, duration_s, path, seen)
    VALUES (?, 'received', 'guest', NULL, 'A guest', ?, ?, ?, ?, 1)`).run(memberId, startedAt, outcome, durationS, path);
}

/**
 * The scenario both suites check:
 * - 20 November: one member answers three calls of 30 s, relayed (a one-person bucket: withheld);
 * - 25 November: five members answer one call each (60 to 300 s: two relayed, two direct, one
 *   whose path was not reported) and decline one each; one of them also misses a call (the
 *   missed share rests on one person). Relayed share: 5 of the 7 calls with a known path, which
 *   rest on exactly five people;
 * - sign-ups: one in the week of 5 October (withheld), five in the week of 9 November.
 */
export function seedStatsScenario(db: Database): { lonely: SeededMember; five: SeededMember[]; all: SeededMember[] } {
  const lonely = seedMember(db, '2026-10-06T10:00:00.000Z');
  const five = Array.from({ length: 5 }, (_, index) => seedMember(db, `2026-11-${10 + index}T08:00:00.000Z`));
  for (let index = 0; index < 3; index += 1) seedReceivedCall(db, lonely.id, `2026-11-20T1${index}:00:00.000Z`, 'answered', 30, 'relayed');
  const paths = ['relayed', 'relayed', 'direct', 'direct', null] as const;
  five.forEach((member, index) => {
    seedReceivedCall(db, member.id, '2026-11-25T09:00:00.000Z', 'answered', 60 * (index + 1), paths[index] ?? null);
    seedReceivedCall(db, member.id, '2026-11-25T15:00:00.000Z', 'declined');
  });
  seedReceivedCall(db, five[0]?.id ?? '', '2026-11-25T18:00:00.000Z', 'missed');
  return { lonely, five, all: [lonely, ...five] };
}
