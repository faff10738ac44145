// SQL for e-mail: the single-use links (only their token's hash) and the two e-mail settings of
// a member (address verification state, news e-mails). Statements are prepared once.
import type { Database } from 'better-sqlite3';

export type LinkPurpose = 'password_reset' | 'email_verification';
export type EmailStatus = 'unchecked' | 'pending' | 'verified';

export type TakenLink = Readonly<{ userId: string; expiresAt: string }>;

export type EmailStore = ReturnType<typeof createEmailStore>;

export function createEmailStore(db: Database) {
  const insert = db.prepare('INSERT INTO email_links (token_hash, user_id, purpose, created_at, expires_at) VALUES (?, ?, ?, ?, ?)');
  const deleteOf = db.prepare('DELETE FROM email_links WHERE user_id = ? AND purpose = ?');
  // Taking a link deletes it, whatever follows: a link works once, even if it turns out expired.
  const take = db.prepare('DELETE FROM email_links WHERE token_hash = ? AND purpose = ? RETURNING user_id AS userId, expires_at AS expiresAt');
  const peek = db.prepare('SELECT user_id AS userId, expires_at AS expiresAt FROM email_links WHERE token_hash = ? AND purpose = ?');
  const purge = db.prepare('DELETE FROM email_links WHERE expires_at <= ?');
  const statusOf = db.prepare('SELECT email_status FROM users WHERE id = ?').pluck();
  const setStatus = db.prepare('UPDATE users SET email_status = ? WHERE id = ?');
  const releasePending = db.prepare("UPDATE users SET email_status = 'unchecked' WHERE email_status = 'pending'");
  const deleteAllOf = db.prepare('DELETE FROM email_links WHERE purpose = ?');
  const newsOf = db.prepare('SELECT news_emails FROM users WHERE id = ?').pluck();
  const setNews = db.prepare('UPDATE users SET news_emails = ?, updated_at = ? WHERE id = ?');
  const replace = db.transaction((link: { tokenHash: Buffer; userId: string; purpose: LinkPurpose; createdAt: string; expiresAt: string }) => {
    deleteOf.run(link.userId, link.purpose);
    insert.run(link.tokenHash, link.userId, link.purpose, link.createdAt, link.expiresAt);
  });

  return {
    /** Stores a new link, replacing the member's earlier links of that purpose. */
    replaceLink(link: { tokenHash: Buffer; userId: string; purpose: LinkPurpose; createdAt: string; expiresAt: string }): void {
      replace(link);
    },
    /** The link with this hash and purpose, left in place; undefined when there is none. */
    peekLink: (tokenHash: Buffer, purpose: LinkPurpose): TakenLink | undefined => peek.get(tokenHash, purpose) as TakenLink | undefined,
    /** Removes and returns the link with this hash and purpose; undefined when there is none. */
    takeLink: (tokenHash: Buffer, purpose: LinkPurpose): TakenLink | undefined => take.get(tokenHash, purpose) as TakenLink | undefined,
    deleteLinks(userId: string, purpose: LinkPurpose): void {
      deleteOf.run(userId, purpose);
    },
    /** Deletes every link that expired by `now` (ISO time). */
    purgeExpired(now: string): void {
      purge.run(now);
    },
    /** undefined when there is no such member. */
    statusOf: (userId: string): EmailStatus | undefined => statusOf.get(userId) as EmailStatus | undefined,
    setStatus(userId: string, status: EmailStatus): void {
      setStatus.run(status, userId);
    },
    /** E-mail is off: addresses awaiting verification can never be verified, so they count as
     *  verified (unchecked), and their links go. Returns how many members that concerned. */
    releasePending(): number {
      return db.transaction(() => {
        deleteAllOf.run('email_verification');
        return releasePending.run().changes;
      })();
    },
    wantsNews: (userId: string): boolean => newsOf.get(userId) === 1,
    setNews(userId: string, wanted: boolean, now: string): void {
      setNews.run(Number(wanted), now, userId);
    },
  };
}
