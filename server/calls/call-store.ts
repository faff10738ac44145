// SQL for call links, call preferences and the call log. Statements are prepared once.
import type { Database, Statement } from 'better-sqlite3';

export type CallLinkRow = Readonly<{ userId: string; code: string; guestsAllowed: boolean; relayOnly: boolean; showPresence: boolean }>;
export type CallSettings = Readonly<{ guestsAllowed: boolean; relayOnly: boolean; showPresence: boolean }>;

import type { CallDirection, CallLogFilter, CallOutcome } from '../contract/api.js';
import type { CallPath } from '../signal/protocol.js';

export type { CallLogFilter, CallOutcome };

export type CallLogRow = Readonly<{
  id: number;
  direction: CallDirection;
  peerKind: 'member' | 'guest';
  /** The other member, or null for a guest or a member who has since left. */
  peerId: string | null;
  peerFirstName: string | null;
  peerLastName: string | null;
  peerGuestName: string | null;
  startedAt: string;
  outcome: CallOutcome;
  durationS: number | null;
  seen: boolean;
  /** How many rings this row stands for (repeats within minutes share a row). */
  attempts: number;
}>;

export type NewCallLogRow = Readonly<{
  memberId: string;
  direction: CallDirection;
  peerKind: 'member' | 'guest';
  peerId: string | null;
  peerGuestName: string | null;
  startedAt: string;
  outcome: CallOutcome;
  durationS: number | null;
  /** How an answered call went: straight between the browsers or through the relay; null when unknown. */
  path: CallPath | null;
}>;

export type DirectoryRow = Readonly<{ id: string; firstName: string; lastName: string; avatarId: string | null; showPresence: boolean }>;

export type CallStore = ReturnType<typeof createCallStore>;

type RawLink = { userId: string; code: string; guestsAllowed: number; relayOnly: number; showPresence: number };
type RawDirectoryRow = Omit<DirectoryRow, 'showPresence'> & { showPresence: number | null };
type RawLog = Omit<CallLogRow, 'seen'> & { seen: number };

const toLink = (raw: RawLink | undefined): CallLinkRow | undefined =>
  raw === undefined
    ? undefined
    : { userId: raw.userId, code: raw.code, guestsAllowed: raw.guestsAllowed === 1, relayOnly: raw.relayOnly === 1, showPresence: raw.showPresence === 1 };

/**
 * Names compared for search: lower case, without accents, so "eloise" finds "Éloïse" (SQLite's
 * LIKE only folds ASCII case).
 */
export function foldName(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase('und');
}

/** LIKE's wildcards typed by a member are matched as themselves. */
const likeEscaped = (word: string): string => word.replace(/[\\%_]/g, (char) => `\\${char}`);

export function createCallStore(db: Database) {
  const LINK_COLUMNS = 'user_id AS userId, code, guests_allowed AS guestsAllowed, relay_only AS relayOnly, show_presence AS showPresence';
  db.function('porthello_fold', { deterministic: true }, (text: unknown) => (typeof text === 'string' ? foldName(text) : null));
  const linkOf = db.prepare(`SELECT ${LINK_COLUMNS} FROM call_links WHERE user_id = ?`);
  // A disabled member's link rings nobody: they are treated as absent until enabled again.
  const linkByCode = db.prepare(`SELECT ${LINK_COLUMNS} FROM call_links WHERE code = ?
    AND user_id IN (SELECT id FROM users WHERE disabled_at IS NULL)`);
  const insertLink = db.prepare('INSERT INTO call_links (user_id, code, updated_at) VALUES (?, ?, ?) ON CONFLICT (user_id) DO NOTHING');
  const setCode = db.prepare('UPDATE call_links SET code = ?, updated_at = ? WHERE user_id = ?');
  const setSettings = db.prepare('UPDATE call_links SET guests_allowed = ?, relay_only = ?, show_presence = ?, updated_at = ? WHERE user_id = ?');

  // A call can end after one of its members deleted their account (the caller leaving mid-call
  // is what ends it): the other's row stays with the peer as a former member (NULL), and a
  // member who left gets no row. Either way the insert never trips the foreign keys.
  const insertCall = db.prepare(`INSERT INTO call_log (member_id, direction, peer_kind, peer_id, peer_guest_name, started_at, outcome, duration_s, path, seen)
    SELECT @memberId, @direction, @peerKind, (SELECT id FROM users WHERE id = @peerId), @peerGuestName, @startedAt, @outcome, @durationS, @path,
      CASE WHEN @direction = 'made' THEN 1 ELSE 0 END
    WHERE EXISTS (SELECT 1 FROM users WHERE id = @memberId)`);
  // Keyset pagination: newest first, `before` is the id of the last row of the previous page.
  const pageOf = (where: string) =>
    db.prepare(`SELECT c.id, c.direction, c.peer_kind AS peerKind, c.peer_id AS peerId, u.first_name AS peerFirstName,
      u.last_name AS peerLastName, c.peer_guest_name AS peerGuestName, c.started_at AS startedAt, c.outcome,
      c.duration_s AS durationS, c.seen, c.attempts
    FROM call_log c LEFT JOIN users u ON u.id = c.peer_id
    WHERE c.member_id = @memberId AND c.id < @before ${where}
    ORDER BY c.id DESC LIMIT @limit`);
  const pages: Readonly<Record<CallLogFilter, Statement>> = {
    all: pageOf(''),
    missed: pageOf("AND c.direction = 'received' AND c.outcome IN ('missed', 'busy')"),
  };
  // The latest unanswered row between the same two parties, the same way, since a time: a new
  // ring joins it.
  const latestRepeat = db.prepare(`SELECT id FROM call_log
    WHERE member_id = @memberId AND direction = @direction AND peer_kind = @peerKind AND peer_id IS @peerId
      AND peer_guest_name IS @peerGuestName AND started_at >= @since AND outcome != 'answered'
    ORDER BY started_at DESC, id DESC LIMIT 1`);
  const addAttempt = db.prepare(`UPDATE call_log SET attempts = attempts + 1, outcome = @outcome,
    seen = CASE WHEN @outcome = 'missed' AND direction = 'received' THEN 0 ELSE seen END WHERE id = @id`);
  // Past the cap, the member's oldest rows go (calls made and received count alike).
  const trim = db.prepare(`DELETE FROM call_log WHERE member_id = @memberId
    AND id <= (SELECT id FROM call_log WHERE member_id = @memberId ORDER BY id DESC LIMIT 1 OFFSET @keep)`);
  const recordCall = db.transaction((row: NewCallLogRow, rules: { repeatSince: string; keep: number }): void => {
    if (row.outcome !== 'answered') {
      const latest = latestRepeat.get({
        memberId: row.memberId,
        direction: row.direction,
        peerKind: row.peerKind,
        peerId: row.peerId,
        peerGuestName: row.peerGuestName,
        since: rules.repeatSince,
      }) as { id: number } | undefined;
      if (latest !== undefined) {
        addAttempt.run({ id: latest.id, outcome: row.outcome });
        return;
      }
    }
    insertCall.run(row);
    trim.run({ memberId: row.memberId, keep: rules.keep });
  });
  const unseenMissed = db.prepare("SELECT count(*) AS n FROM call_log WHERE member_id = ? AND seen = 0 AND outcome = 'missed'");
  const markSeen = db.prepare('UPDATE call_log SET seen = 1 WHERE member_id = ? AND seen = 0');
  const deleteCall = db.prepare('DELETE FROM call_log WHERE id = ? AND member_id = ?');
  // Every word must appear in the first or last name (folded). Up to DIRECTORY_SEARCH_MAX_WORDS
  // words: one statement per word count, prepared on first use.
  const directoryStatements = new Map<number, Statement>();
  const directoryStatement = (words: number): Statement => {
    let statement = directoryStatements.get(words);
    if (statement === undefined) {
      const conditions = Array.from(
        { length: words },
        (_, index) => `AND porthello_fold(u.first_name || ' ' || u.last_name) LIKE '%' || @w${index} || '%' ESCAPE '\\'`,
      ).join(' ');
      statement = db.prepare(`SELECT u.id, u.first_name AS firstName, u.last_name AS lastName, u.avatar_id AS avatarId, l.show_presence AS showPresence
        FROM users u LEFT JOIN call_links l ON l.user_id = u.id
        WHERE u.id != @exceptId AND u.disabled_at IS NULL AND u.email_status != 'pending' ${conditions}
        ORDER BY u.last_name COLLATE NOCASE, u.first_name COLLATE NOCASE, u.id LIMIT @limit OFFSET @offset`);
      directoryStatements.set(words, statement);
    }
    return statement;
  };
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
    setSettings(userId: string, settings: CallSettings, now: string): void {
      setSettings.run(Number(settings.guestsAllowed), Number(settings.relayOnly), Number(settings.showPresence), now, userId);
    },
    /**
     * Records a call in one member's log: an unanswered one joins the latest unanswered row with
     * the same peer and direction started since `repeatSince` (counting one more attempt);
     * otherwise a new row, and the member keeps at most `keep` rows, the oldest going first.
     */
    recordCall(row: NewCallLogRow, rules: { repeatSince: string; keep: number }): void {
      recordCall(row, rules);
    },
    callsOf(memberId: string, filter: CallLogFilter, before: number, limit: number): CallLogRow[] {
      return (pages[filter].all({ memberId, before, limit }) as RawLog[]).map((raw) => ({ ...raw, seen: raw.seen === 1 }));
    },
    unseenMissedCount: (memberId: string): number => (unseenMissed.get(memberId) as { n: number }).n,
    markSeen(memberId: string): void {
      markSeen.run(memberId);
    },
    /** False when the entry does not exist or is someone else's. */
    deleteCall: (memberId: string, id: number): boolean => deleteCall.run(id, memberId).changes === 1,
    /** Members but one whose names hold every word (already folded), by last name, one page. */
    directory(exceptId: string, words: readonly string[], offset: number, limit: number): DirectoryRow[] {
      const params: Record<string, string | number> = { exceptId, offset, limit };
      words.forEach((word, index) => {
        params[`w${index}`] = likeEscaped(word);
      });
      return (directoryStatement(words.length).all(params) as RawDirectoryRow[]).map((raw) => ({ ...raw, showPresence: raw.showPresence === 1 }));
    },
    nameOf: (userId: string): { firstName: string; lastName: string } | undefined => nameOf.get(userId) as { firstName: string; lastName: string } | undefined,
  };
}
