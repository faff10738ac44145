// SQL for members (users) and their consents. Statements are prepared once per database.
import type { Database } from 'better-sqlite3';
import type { Role } from '../contract/api.js';

export type UserRow = Readonly<{
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  passwordHash: string;
  avatarId: string | null;
  createdAt: string;
  updatedAt: string;
  role: Role;
  /** When an admin disabled the account; null while it is usable. */
  disabledAt: string | null;
}>;

export type ConsentRow = Readonly<{ document: 'privacy_policy'; version: string; acceptedAt: string }>;

export type NewUser = Omit<UserRow, 'avatarId' | 'updatedAt' | 'role' | 'disabledAt'> & { role?: Role };

const USER_COLUMNS = `id, email, first_name AS firstName, last_name AS lastName, password_hash AS passwordHash,
  avatar_id AS avatarId, created_at AS createdAt, updated_at AS updatedAt, role, disabled_at AS disabledAt`;

export type UserStore = ReturnType<typeof createUserStore>;

export function createUserStore(db: Database) {
  const insertUser = db.prepare(`INSERT INTO users (id, email, first_name, last_name, password_hash, created_at, updated_at, role)
    VALUES (@id, @email, @firstName, @lastName, @passwordHash, @createdAt, @createdAt, @role)`);
  const insertConsent = db.prepare('INSERT INTO consents (user_id, document, version, accepted_at) VALUES (?, ?, ?, ?)');
  const byId = db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`);
  const byEmail = db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE email = ?`);
  const emailTaken = db.prepare('SELECT 1 FROM users WHERE email = ? AND id != ?');
  const setNames = db.prepare('UPDATE users SET first_name = ?, last_name = ?, updated_at = ? WHERE id = ?');
  const setEmail = db.prepare('UPDATE users SET email = ?, updated_at = ? WHERE id = ?');
  const setEmailOnly = db.prepare('UPDATE users SET email = ? WHERE id = ?');
  const setPassword = db.prepare('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?');
  const setAvatar = db.prepare('UPDATE users SET avatar_id = ?, updated_at = ? WHERE id = ?');
  const consentsOf = db.prepare('SELECT document, version, accepted_at AS acceptedAt FROM consents WHERE user_id = ? ORDER BY id');
  const allEmails = db.prepare('SELECT id, email FROM users');

  return {
    /**
     * Inserts the member and their consent together; false when the e-mail is taken. `within`
     * runs in the same transaction (using up an invitation): when it throws, nothing is written.
     */
    insert(user: NewUser, consent: ConsentRow, within: () => void = () => {}): boolean {
      try {
        db.transaction(() => {
          within();
          insertUser.run({ ...user, role: user.role ?? 'member' });
          insertConsent.run(user.id, consent.document, consent.version, consent.acceptedAt);
        })();
        return true;
      } catch (error) {
        if (isUniqueViolation(error, 'users.email')) return false;
        throw error;
      }
    },
    byId: (id: string): UserRow | undefined => byId.get(id) as UserRow | undefined,
    byEmail: (email: string): UserRow | undefined => byEmail.get(email) as UserRow | undefined,
    setNames(id: string, firstName: string, lastName: string, now: string): void {
      setNames.run(firstName, lastName, now, id);
    },
    /** False when another member has this e-mail. */
    setEmail(id: string, email: string, now: string): boolean {
      if (emailTaken.get(email, id) !== undefined) return false;
      try {
        setEmail.run(email, now, id);
        return true;
      } catch (error) {
        if (isUniqueViolation(error, 'users.email')) return false;
        throw error;
      }
    },
    setPassword(id: string, passwordHash: string, now: string): void {
      setPassword.run(passwordHash, now, id);
    },
    setAvatar(id: string, avatarId: string | null, now: string): void {
      setAvatar.run(avatarId, now, id);
    },
    consentsOf: (id: string): ConsentRow[] => consentsOf.all(id) as ConsentRow[],
    /**
     * Rewrites every stored e-mail to its normalised spelling (addresses stored before NFKC and
     * full lower-casing), in one transaction. An address whose normalised spelling another
     * account already has is left as it is and counted: an operator merges those by hand.
     */
    normaliseStoredEmails(normalise: (email: string) => string): { changed: number; clashes: number } {
      const rows = allEmails.all() as { id: string; email: string }[];
      let changed = 0;
      let clashes = 0;
      db.transaction(() => {
        for (const { id, email } of rows) {
          const normalised = normalise(email);
          if (normalised === email) continue;
          if (emailTaken.get(normalised, id) !== undefined) clashes += 1;
          else {
            setEmailOnly.run(normalised, id);
            changed += 1;
          }
        }
      })();
      return { changed, clashes };
    },
    addConsent(id: string, consent: ConsentRow): void {
      insertConsent.run(id, consent.document, consent.version, consent.acceptedAt);
    },
  };
}

function isUniqueViolation(error: unknown, column: string): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === 'SQLITE_CONSTRAINT_UNIQUE' && typeof message === 'string' && message.includes(column);
}
