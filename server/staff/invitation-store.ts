// SQL for invitations. The code itself never reaches this module: only its SHA-256.
import type { Database } from 'better-sqlite3';

export type InvitationRow = Readonly<{
  id: string;
  email: string | null;
  bound: 0 | 1;
  maxUses: number;
  uses: number;
  expiresAt: string;
  revokedAt: string | null;
  createdAt: string;
}>;

const COLUMNS = 'id, email, bound, max_uses AS maxUses, uses, expires_at AS expiresAt, revoked_at AS revokedAt, created_at AS createdAt';

export type InvitationStore = ReturnType<typeof createInvitationStore>;

export function createInvitationStore(db: Database) {
  const insert = db.prepare(`INSERT INTO invitations (id, code_hash, email, bound, max_uses, expires_at, created_by, created_at)
    VALUES (@id, @codeHash, @email, @bound, @maxUses, @expiresAt, @createdBy, @createdAt)`);
  const byCodeHash = db.prepare(`SELECT ${COLUMNS} FROM invitations WHERE code_hash = ?`);
  const all = db.prepare(`SELECT ${COLUMNS} FROM invitations ORDER BY created_at DESC, rowid DESC LIMIT ?`);
  const revoke = db.prepare('UPDATE invitations SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
  const byId = db.prepare(`SELECT ${COLUMNS} FROM invitations WHERE id = ?`);
  // The one statement that uses an invitation: it only succeeds while the invitation is valid,
  // so two sign-ups racing for its last use cannot both win. A bound invitation forgets the
  // address it was for: from now on the address is the new member's, kept in their account.
  const use = db.prepare(`UPDATE invitations SET uses = uses + 1, email = CASE WHEN bound = 1 THEN NULL ELSE email END
    WHERE id = @id AND revoked_at IS NULL AND uses < max_uses AND expires_at > @now`);
  const purge = db.prepare('DELETE FROM invitations WHERE (revoked_at IS NOT NULL AND revoked_at < @before) OR expires_at < @before');

  return {
    insert(row: { id: string; codeHash: Buffer; email: string | null; maxUses: number; expiresAt: string; createdBy: string | null; createdAt: string }): void {
      insert.run({ ...row, bound: row.email === null ? 0 : 1 });
    },
    byCodeHash: (codeHash: Buffer): InvitationRow | undefined => byCodeHash.get(codeHash) as InvitationRow | undefined,
    list: (limit: number): InvitationRow[] => all.all(limit) as InvitationRow[],
    byId: (id: string): InvitationRow | undefined => byId.get(id) as InvitationRow | undefined,
    /** False when it was already revoked (or does not exist). */
    revoke: (id: string, now: string): boolean => revoke.run(now, id).changes > 0,
    /** False when it can no longer be used (used up, expired or revoked meanwhile). */
    use: (id: string, now: string): boolean => use.run({ id, now }).changes > 0,
    /** Deletes invitations that ended (expired or revoked) before `before`; returns how many. */
    purgeEndedBefore: (before: string): number => purge.run({ before }).changes,
  };
}
