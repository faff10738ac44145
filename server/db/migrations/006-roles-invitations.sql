-- Staff roles, disabled accounts and invitations (who may join).

-- What a member may do beyond their own account (server/staff/roles.ts holds the capabilities).
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'support', 'marketing', 'admin'));
-- Set when an admin disables the account: no log-in, no session, no socket until enabled again.
ALTER TABLE users ADD COLUMN disabled_at TEXT;
CREATE INDEX users_role ON users(role) WHERE role != 'member';
-- The running server polls this set to close the sockets of accounts disabled from the CLI.
CREATE INDEX users_disabled ON users(disabled_at) WHERE disabled_at IS NOT NULL;

-- Invitations to sign up. The code is handed over in a link; only its SHA-256 is kept, as for
-- session tokens, so a copy of the database cannot be used to join.
CREATE TABLE invitations (
  -- Public identifier, to list and revoke; not the code.
  id          TEXT PRIMARY KEY,
  code_hash   BLOB NOT NULL UNIQUE,
  -- The one address that may use it; NULL for an open invitation. Cleared once it is used, so
  -- the newcomer's address is kept in their account only.
  email       TEXT COLLATE NOCASE,
  -- Whether the invitation was bound to an address (email above is cleared on use).
  bound       INTEGER NOT NULL DEFAULT 0 CHECK (bound IN (0, 1)),
  max_uses    INTEGER NOT NULL CHECK (max_uses >= 1),
  uses        INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
  expires_at  TEXT NOT NULL,
  revoked_at  TEXT,
  -- The admin who created it; NULL when made with the CLI or once that admin's account is gone.
  created_by  TEXT REFERENCES users(id) ON DELETE SET NULL,
  created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX invitations_created_by ON invitations(created_by);
