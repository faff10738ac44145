// SQL for call links, call preferences and the call log. Statements are prepared once.
import type { Database } from 'better-sqlite3';

export type CallLinkRow = Readonly<{ userId: string; code: string; guestsAllowed: boolean; relayOnly: boolean }>;

import type { CallOutcome } from '../contract/api.js';

export type { CallOutcome };

export type CallLogRow = Readonly<{
  id: number;
  callerKind: 'member' | 'guest';
  /** The calling member, or null for a guest or a member who has since left. */
  callerId: string | null;
  callerFirstName: string | null;
  callerLastName: string | null;
  callerGuestName: string | null;
  startedAt: string;
  outcome: CallOutcome;
  durationS: number | null;
  seen: boolean;
  /** How many rings this row stands for (repeats from one caller within minutes share a row). */
  attempts: number;
}>;

export type NewCallLogRow = Readonly<{
  calleeId: string;
  callerKind: 'member' | 'guest';
  callerId: string | null;
  callerGuestName: string | null;
  startedAt: string;
  outcome: CallOutcome;
  durationS: number | null;
}>;

export type DirectoryRow = Readonly<{ id: string; firstName: string; lastName: string; avatarId: string | null }>;

export type CallStore = ReturnType<typeof createCallStore>;

type RawLink = { userId: string; code: string; guestsAllowed: number; relayOnly: number };
type RawLog = Omit<CallLogRow, 'seen'> & { seen: number };

const toLink = (raw: RawLink | undefined): CallLinkRow | undefined =>
  raw === undefined ? undefined : { userId: raw.userId, code: raw.code, guestsAllowed: raw.guestsAllowed === 1, relayOnly: raw.relayOnly === 1 };

export function createCallStore(db: Database) {
  const LINK_COLUMNS = 'user_id AS userId, code, guests_allowed AS guestsAllowed, relay_only AS relayOnly';
  const linkOf = db.prepare(`SELECT ${LINK_COLUMNS} FROM call_links WHERE user_id = ?`);
  // A disabled member's link rings nobody: they are treated as absent until enabled again.
  const linkByCode = db.prepare(`SELECT ${LINK_COLUMNS} FROM call_links WHERE code = ?
    AND user_id IN (SELECT id FROM users WHERE disabled_at IS NULL)`);
  const insertLink = db.prepare('INSERT INTO call_links (user_id, code, updated_at) VALUES (?, ?, ?) ON CONFLICT (user_id) DO NOTHING');
  const setCode = db.prepare('UPDATE call_links SET code = ?, updated_at = ? WHERE user_id = ?');
  const setSettings = db.prepare('UPDATE call_links SET guests_allowed = ?, relay_only = ?, updated_at = ? WHERE user_id = ?');

  // A call can end after one of its members deleted their account (the caller leaving mid-call
  // is what ends it): the callee's row stays with the caller as a former member (NULL), and a
  // callee who left gets no row. Either way the insert never trips the foreign keys.
  const insertCall = db.prepare(`INSERT INTO call_log (callee_id, caller_kind, caller_id, caller_guest_name, started_at, outcome, duration_s)
    SELECT @calleeId, @callerKind, (SELECT id FROM users WHERE id = @callerId), @callerGuestName, @startedAt, @outcome, @durationS
    WHERE EXISTS (SELECT 1 FROM users WHERE id = @calleeId)`);
  // Keyset pagination: newest first, `before` is the id of the last row of the previous page.
  const page = db.prepare(`SELECT c.id, c.caller_kind AS callerKind, c.caller_id AS callerId, u.first_name AS callerFirstName,
      u.last_name AS callerLastName, c.caller_guest_name AS callerGuestName, c.started_at AS startedAt, c.outcome,
      c.duration_s AS durationS, c.seen, c.attempts
    FROM call_log c LEFT JOIN users u ON u.id = c.caller_id
    WHERE c.callee_id = @calleeId AND c.id < @before
    ORDER BY c.id DESC LIMIT @limit`);
  // The caller's latest unanswered row since a time: a new ring from them joins it.
  const latestFromCaller = db.prepare(`SELECT id FROM call_log
    WHERE callee_id = @calleeId AND caller_kind = @callerKind AND caller_id IS @callerId AND caller_guest_name IS @callerGuestName
      AND started_at >= @since AND outcome != 'answered'
    ORDER BY started_at DESC, id DESC LIMIT 1`);
  const addAttempt = db.prepare(`UPDATE call_log SET attempts = attempts + 1, outcome = @outcome,
    seen = CASE WHEN @outcome = 'missed' THEN 0 ELSE seen END WHERE id = @id`);
  // Past the cap, the member's oldest rows go.
  const trim = db.prepare(`DELETE FROM call_log WHERE callee_id = @calleeId
    AND id <= (SELECT id FROM call_log WHERE callee_id = @calleeId ORDER BY id DESC LIMIT 1 OFFSET @keep)`);
  const recordCall = db.transaction((row: NewCallLogRow, rules: { repeatSince: string; keep: number }): void => {
    if (row.outcome !== 'answered') {
      const latest = latestFromCaller.get({
        calleeId: row.calleeId,
        callerKind: row.callerKind,
        callerId: row.callerId,
        callerGuestName: row.callerGuestName,
        since: rules.repeatSince,
      }) as { id: number } | undefined;
      if (latest !== undefined) {
        addAttempt.run({ id: latest.id, outcome: row.outcome });
        return;
      }
    }
    insertCall.run(row);
    trim.run({ calleeId: row.calleeId, keep: rules.keep });
  });
  const unseenMissed = db.prepare("SELECT count(*) AS n FROM call_log WHERE callee_id = ? AND seen = 0 AND outcome = 'missed'");
  const markSeen = db.prepare('UPDATE call_log SET seen = 1 WHERE callee_id = ? AND seen = 0');
  const deleteCall = db.prepare('DELETE FROM call_log WHERE id = ? AND callee_id = ?');
  const directory = db.prepare(`SELECT id, first_name AS firstName, last_name AS lastName, avatar_id AS avatarId
    FROM users WHERE id != ? AND disabled_at IS NULL AND email_status != 'pending' ORDER BY last_name COLLATE NOCASE, first_name COLLATE NOCASE, id LIMIT ?`);
  // Only usable accounts: a disabled member can neither be rung nor open a socket.
  const nameOf = db.prepare('SELECT first_name AS firstName, last_name AS lastName FROM users WHERE id = ? AND disabled_at IS NULL');

  return {
    linkOf: (userId: string): CallLinkRow | undefined => toLink(linkOf.get(userId) as RawLink | undefined),
    linkByCode: (code: string): CallLinkRow | undefined => toLink(linkByCode.get(code) as RawLink | undefined),
    /** Creates the member's link with this code unless they have one already. */
    ensureLink(userId: string, code: string, now: string): void {
      insertLink.run(userId, code, now);
    },
    setCode(userId: string, code: string, now: string): void {
      setCode.run(code, now, userId);
    },
    setSettings(userId: string, settings: { guestsAllowed: boolean; relayOnly: boolean }, now: string): void {
      setSettings.run(Number(settings.guestsAllowed), Number(settings.relayOnly), now, userId);
    },
    /**
     * Records a received call: an unanswered one joins the caller's latest unanswered row started
     * since `repeatSince` (counting one more attempt); otherwise a new row, and the member keeps
     * at most `keep` rows, the oldest going first.
     */
    recordCall(row: NewCallLogRow, rules: { repeatSince: string; keep: number }): void {
      recordCall(row, rules);
    },
    callsOf(calleeId: string, before: number, limit: number): CallLogRow[] {
      return (page.all({ calleeId, before, limit }) as RawLog[]).map((raw) => ({ ...raw, seen: raw.seen === 1 }));
    },
    unseenMissedCount: (calleeId: string): number => (unseenMissed.get(calleeId) as { n: number }).n,
    markSeen(calleeId: string): void {
      markSeen.run(calleeId);
    },
    /** False when the entry does not exist or is someone else's. */
    deleteCall: (calleeId: string, id: number): boolean => deleteCall.run(id, calleeId).changes === 1,
    /** Every member but one, by name, at most `limit`; not those whose address awaits verification (migration 007). */
    directory: (exceptId: string, limit: number): DirectoryRow[] => directory.all(exceptId, limit) as DirectoryRow[],
    nameOf: (userId: string): { firstName: string; lastName: string } | undefined => nameOf.get(userId) as { firstName: string; lastName: string } | undefined,
  };
}
