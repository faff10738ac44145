-- Members, their consents and their logged-in sessions. Every table holding a member's data
-- references users(id) ON DELETE CASCADE and is listed in server/db/member-data.ts, the one list
-- that both the export and the deletion walk. Times are UTC ISO-8601 strings.

-- Only what the privacy policy names: e-mail, first name, last name, picture.
CREATE TABLE users (
  -- Opaque random identifier (22 base64url characters); never derived from the e-mail.
  id            TEXT PRIMARY KEY,
  -- Trimmed, domain lower-cased; unique without regard to ASCII case.
  email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
  first_name    TEXT NOT NULL,
  last_name     TEXT NOT NULL,
  -- bcrypt of the base64 SHA-256 of the password ("$2b$cost$…"), so no byte past 72 is ignored.
  password_hash TEXT NOT NULL,
  -- Random name of the current picture files (NAME-512.webp, NAME-128.webp); NULL without one.
  avatar_id     TEXT UNIQUE,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
) STRICT;

-- What the member agreed to and when: the privacy policy version accepted at sign-up (and later).
CREATE TABLE consents (
  id          INTEGER PRIMARY KEY,
  user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  document    TEXT NOT NULL CHECK (document IN ('privacy_policy')),
  version     TEXT NOT NULL,
  accepted_at TEXT NOT NULL
) STRICT;
CREATE INDEX consents_user ON consents(user_id);

-- Server-side sessions. The cookie carries a random token; only its SHA-256 is stored, so a
-- copy of the database cannot be replayed as a cookie.
CREATE TABLE sessions (
  -- Public identifier, shown to the member to end a session; not the cookie token.
  id           TEXT PRIMARY KEY,
  token_hash   BLOB NOT NULL UNIQUE,
  user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  -- A short label such as "Firefox · Android", never the full User-Agent or an address.
  device       TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  last_used_at TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);
