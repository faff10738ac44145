// Opens the one SQLite file of the service with the settings every other module relies on.
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { migrate, readMigrations } from './migrate.js';
import { projectPath } from '../paths.js';

export type { Database } from 'better-sqlite3';

export const DATABASE_FILE_NAME = 'porthello.sqlite';
/** How long a write waits for a lock held by another connection (a backup, the admin CLI). */
export const BUSY_TIMEOUT_MS = 5000;
export const MIGRATIONS_DIR = projectPath('server', 'db', 'migrations');

export class DatabaseCorruptError extends Error {
  constructor(path: string, detail: string) {
    super(`the database ${path} failed its integrity check (${detail}); restore it from a backup`);
    this.name = 'DatabaseCorruptError';
  }
}

/**
 * Opens (creating if needed) and migrates the database: WAL, foreign keys enforced, deleted
 * content overwritten on disk (a deleted member leaves no trace in the file), quick_check first.
 */
export function openDatabase(path: string, options: { migrationsDir?: string } = {}): Database {
  let db: Database;
  try {
    db = new BetterSqlite3(path, { timeout: BUSY_TIMEOUT_MS });
    db.pragma('journal_mode = WAL');
  } catch (error) {
    throw corruptOr(error, path);
  }
  try {
    db.pragma('foreign_keys = ON');
    db.pragma('secure_delete = ON');
    // NORMAL is consistent in WAL mode and survives an application crash; a power cut may lose
    // the last transactions, which is acceptable for this data.
    db.pragma('synchronous = NORMAL');
    const check = db.pragma('quick_check', { simple: true }) as string;
    if (check !== 'ok') throw new DatabaseCorruptError(path, check);
    migrate(db, readMigrations(options.migrationsDir ?? MIGRATIONS_DIR));
    return db;
  } catch (error) {
    db.close();
    throw corruptOr(error, path);
  }
}

function corruptOr(error: unknown, path: string): Error {
  const code = (error as { code?: string }).code;
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') return new DatabaseCorruptError(path, code);
  return error as Error;
}

/** Folds the WAL into the main file and closes; the last step of a clean shutdown. */
export function closeDatabase(db: Database): void {
  if (!db.open) return;
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}
