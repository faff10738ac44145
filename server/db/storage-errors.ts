// Storage failures that are conditions of the box, not bugs: the database locked by another
// process past the busy timeout (a long backup, an admin's sqlite3 shell), or a full disk. The
// request fails with 503 and a stable code, the transaction is rolled back by SQLite, and the
// service keeps running and recovers by itself once the lock or the space is back.
import { AppError } from '../errors.js';

/** Seconds a client should wait: a lock is usually gone well within this. */
const BUSY_RETRY_AFTER_S = 5;
/** Space comes back only when someone acts: ask for a longer wait. */
const FULL_RETRY_AFTER_S = 60;

const BUSY_CODES = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_TIMEOUT', 'SQLITE_LOCKED']);
const FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);

/** The AppError for a storage failure, or null when the error is something else. */
export function storageError(thrown: unknown): AppError | null {
  const code = (thrown as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (BUSY_CODES.has(code))
    return new AppError('busy', 'database_busy', 'The service is busy; try again in a moment.', { retryAfterS: BUSY_RETRY_AFTER_S, cause: thrown });
  if (FULL_CODES.has(code))
    return new AppError('busy', 'storage_full', 'The service cannot store anything at the moment; try again later.', {
      retryAfterS: FULL_RETRY_AFTER_S,
      cause: thrown,
    });
  return null;
}
