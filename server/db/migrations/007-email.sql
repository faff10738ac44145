-- E-mail: whether a member's address is verified, whether they want news e-mails, and the
-- single-use links sent by e-mail (password reset, address verification).

-- 'unchecked': set while no e-mail could be sent (no SMTP), counts as verified;
-- 'pending': a verification link was sent and not yet followed: the member cannot be rung and
-- is not listed in the directory (while SMTP is configured); 'verified': the link was followed.
ALTER TABLE users ADD COLUMN email_status TEXT NOT NULL DEFAULT 'unchecked'
  CHECK (email_status IN ('unchecked', 'pending', 'verified'));
-- The member's choice about news of the service by e-mail (1: yes); they may opt out at any time.
ALTER TABLE users ADD COLUMN news_emails INTEGER NOT NULL DEFAULT 1 CHECK (news_emails IN (0, 1));

-- A link sent by e-mail. The mail carries a random token; only its SHA-256 is stored, so a copy
-- of the database cannot be used to reset anyone's password. A link is deleted when used, when
-- a newer one of the same purpose replaces it, and once expired.
CREATE TABLE email_links (
  token_hash BLOB PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose    TEXT NOT NULL CHECK (purpose IN ('password_reset', 'email_verification')),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX email_links_user ON email_links(user_id, purpose);
CREATE INDEX email_links_expiry ON email_links(expires_at);
