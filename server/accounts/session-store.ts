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

/** byTokenHash's columns in SELECT order: it runs on every request, read as an array (see below). */
type RawAuthenticatedSession = [id: string, userId: string, device: string, createdAt: string, lastUsedAt: string, role: Role, disabledAt: string | null];

export type SessionStore = ReturnType<typeof createSessionStore>;

export function createSessionStore(db: Database) {
  const insert = db.prepare(`INSERT INTO sessions (id, token_hash, user_id, device, created_at, last_used_at)
    VALUES (@id, @tokenHash, @userId, @device, @createdAt, @createdAt)`);
  // Read as an array (`raw()`) and made into an object here: better-sqlite3 builds a row object
  // key by key, a cost every authenticated request paid on top of the read (issue 15).
  const byTokenHash = db
    .prepare(`SELECT s.id, s.user_id, s.device, s.created_at, s.last_used_at, u.role, u.disabled_at
    FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`)
    .raw();
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
    byTokenHash(tokenHash: Buffer): AuthenticatedSessionRow | undefined {
      const raw = byTokenHash.get(tokenHash) as RawAuthenticatedSession | undefined;
      if (raw === undefined) return undefined;
      const [id, userId, device, createdAt, lastUsedAt, role, disabledAt] = raw;
      return { id, userId, device, createdAt, lastUsedAt, role, disabledAt };
    },
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
