// SQL for the staff's view of accounts: search, roles, disabling. Identity and technical state
// only; the call log is never read here.
import type { Database } from 'better-sqlite3';
import type { AccountSummary, Role } from '../contract/api.js';

export type AccountAdminStore = ReturnType<typeof createAccountAdminStore>;

export function createAccountAdminStore(db: Database) {
  const summaryColumns = `u.id, u.email, u.first_name AS firstName, u.last_name AS lastName, u.role, u.disabled_at AS disabledAt,
    u.created_at AS createdAt, (SELECT max(s.last_used_at) FROM sessions s WHERE s.user_id = u.id) AS lastSeenAt,
    (SELECT count(*) FROM sessions s WHERE s.user_id = u.id) AS sessions`;
  // instr() rather than LIKE: the search text is taken literally, % and _ included.
  const search = db.prepare(`SELECT ${summaryColumns} FROM users u
    WHERE @q = '' OR instr(lower(u.email), @q) > 0 OR instr(lower(u.first_name || ' ' || u.last_name), @q) > 0
      OR instr(lower(u.last_name || ' ' || u.first_name), @q) > 0
    ORDER BY u.last_name COLLATE NOCASE, u.first_name COLLATE NOCASE, u.id LIMIT @limit`);
  const byId = db.prepare(`SELECT ${summaryColumns} FROM users u WHERE u.id = ?`);
  const byEmail = db.prepare(`SELECT ${summaryColumns} FROM users u WHERE u.email = ?`);
  const setRole = db.prepare('UPDATE users SET role = ? WHERE id = ?');
  const setDisabled = db.prepare('UPDATE users SET disabled_at = ? WHERE id = ?');
  const activeAdmins = db.prepare("SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL").pluck();
  const disabledIds = db.prepare('SELECT id FROM users WHERE disabled_at IS NOT NULL').pluck();
  const deleteSessions = db.prepare('DELETE FROM sessions WHERE user_id = ? RETURNING id').pluck();

  return {
    /** Accounts whose e-mail or name contains `query` (lower case), at most `limit`. */
    search: (query: string, limit: number): AccountSummary[] => search.all({ q: query, limit }) as AccountSummary[],
    byId: (id: string): AccountSummary | undefined => byId.get(id) as AccountSummary | undefined,
    byEmail: (email: string): AccountSummary | undefined => byEmail.get(email) as AccountSummary | undefined,
    setRole(id: string, role: Role): void {
      setRole.run(role, id);
    },
    /** Disables the account and deletes its sessions in one transaction; returns their ids. */
    disable: db.transaction((id: string, at: string): string[] => {
      setDisabled.run(at, id);
      return deleteSessions.all(id) as string[];
    }),
    enable(id: string): void {
      setDisabled.run(null, id);
    },
    activeAdminCount: (): number => activeAdmins.get() as number,
    disabledIds: (): string[] => disabledIds.all() as string[],
  };
}
