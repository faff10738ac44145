// SQL for server-side sessions. The cookie token never reaches this module: only its hash.
import type { Database } from 'better-sqlite3';
import type { Role } from '../contract/api.js';

export type SessionRow = Readonly<{
  id: string;
  userId: string;
  device: string;
  createdAt: string;
  lastUsedAt: string;
}>;

const SESSION_COLUMNS = 'id, user_id AS userId, device, created_at AS createdAt, last_used_at AS lastUsedAt';

/** A session with what each request needs of its account: the role, and whether it is disabled. */
export type AuthenticatedSessionRow = SessionRow & Readonly<{ role: Role; disabledAt: string | null }>;

export type SessionStore = ReturnType<typeof createSessionStore>;

export function createSessionStore(db: Database) {
  const insert = db.prepare(`INSERT INTO sessions (id, token_hash, user_id, device, created_at, last_used_at)
    VALUES (@id, @tokenHash, @userId, @device, @createdAt, @createdAt)`);
  const byTokenHash = db.prepare(`SELECT s.id, s.user_id AS userId, s.device, s.created_at AS createdAt, s.last_used_at AS lastUsedAt,
    u.role, u.disabled_at AS disabledAt FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`);
  const touch = db.prepare('UPDATE sessions SET last_used_at = ? WHERE id = ?');
  const ofUser = db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE user_id = ? ORDER BY last_used_at DESC`);
  const idsOfUser = db.prepare('SELECT id FROM sessions WHERE user_id = ?').pluck();
  const deleteOne = db.prepare('DELETE FROM sessions WHERE id = ? AND user_id = ?');
  const deleteById = db.prepare('DELETE FROM sessions WHERE id = ?');
  const deleteOthers = db.prepare('DELETE FROM sessions WHERE user_id = ? AND id != ? RETURNING id').pluck();
  const deleteAll = db.prepare('DELETE FROM sessions WHERE user_id = ? RETURNING id').pluck();
  // rowid breaks ties between sessions opened in the same millisecond: insertion order.
  const deleteOldestBeyond = db
    .prepare(`DELETE FROM sessions WHERE id IN
    (SELECT id FROM sessions WHERE user_id = ? ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?) RETURNING id`)
    .pluck();
  const deleteExpired = db.prepare('DELETE FROM sessions WHERE last_used_at < ? OR created_at < ? RETURNING id, user_id AS userId');

  return {
    insert(session: { id: string; tokenHash: Buffer; userId: string; device: string; createdAt: string }): void {
      insert.run(session);
    },
    byTokenHash: (tokenHash: Buffer): AuthenticatedSessionRow | undefined => byTokenHash.get(tokenHash) as AuthenticatedSessionRow | undefined,
    touch(id: string, now: string): void {
      touch.run(now, id);
    },
    ofUser: (userId: string): SessionRow[] => ofUser.all(userId) as SessionRow[],
    idsOfUser: (userId: string): string[] => idsOfUser.all(userId) as string[],
    /** Deletes one session of this member; false when it is not theirs or gone. */
    deleteOne: (id: string, userId: string): boolean => deleteOne.run(id, userId).changes > 0,
    deleteById(id: string): void {
      deleteById.run(id);
    },
    deleteOthers: (userId: string, keepId: string): string[] => deleteOthers.all(userId, keepId) as string[],
    deleteAll: (userId: string): string[] => deleteAll.all(userId) as string[],
    /** Deletes the member's oldest sessions beyond the `keep` newest; returns their ids. */
    deleteOldestBeyond: (userId: string, keep: number): string[] => deleteOldestBeyond.all(userId, keep) as string[],
    /** Deletes sessions idle since before `idleBefore` or created before `createdBefore`. */
    deleteExpired: (idleBefore: string, createdBefore: string): { id: string; userId: string }[] =>
      deleteExpired.all(idleBefore, createdBefore) as { id: string; userId: string }[],
  };
}
