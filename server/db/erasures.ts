// Erasure tokens: what a deleted account leaves behind so that no restore can bring it back.
// Deletion (member-data.ts) writes HMAC-SHA256(installation key, member id) into `erasures` in
// the same transaction as the rows it deletes; a restore collects the tokens of the data it
// replaces and of every other backup, and erases again each restored member whose token is there.
// A token is not personal data on its own: the key is random and member ids are random too.
import { createHmac } from 'node:crypto';
import type { Database } from 'better-sqlite3';

/** The instance row holding the key (migration 005). */
const ERASURE_KEY_NAME = 'erasure_key';

/** The tokens of one database, with the key they were made with. */
export type ErasureSet = Readonly<{ key: string; tokens: ReadonlySet<string> }>;

export function erasureToken(key: string, memberId: string): string {
  return createHmac('sha256', Buffer.from(key, 'hex')).update(memberId, 'utf8').digest('hex');
}

/** This database's key; every database migrated to 005 or later has one. */
export function erasureKey(db: Database): string {
  const key = db.prepare('SELECT value FROM instance WHERE key = ?').pluck().get(ERASURE_KEY_NAME);
  if (typeof key !== 'string') throw new Error('the database has no erasure key (schema older than migration 005)');
  return key;
}

/** Records the erasure of a member; run inside the deletion's transaction. */
export function erasureRecorder(db: Database): (memberId: string) => void {
  const key = erasureKey(db);
  const insert = db.prepare('INSERT OR IGNORE INTO erasures (token) VALUES (?)');
  return (memberId) => void insert.run(erasureToken(key, memberId));
}

/** Every erasure recorded in a database; null for one older than migration 005. */
export function readErasures(db: Database): ErasureSet | null {
  const hasTable = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'erasures'").get() !== undefined;
  if (!hasTable) return null;
  const tokens = new Set(db.prepare('SELECT token FROM erasures').pluck().all() as string[]);
  return { key: erasureKey(db), tokens };
}

/** The members of `db` that one of the sets says were erased. */
export function erasedMembers(db: Database, sets: readonly ErasureSet[]): string[] {
  const ids = db.prepare('SELECT id FROM users').pluck().all() as string[];
  return ids.filter((id) => sets.some((set) => set.tokens.has(erasureToken(set.key, id))));
}
