-- Calls: each member's personal call link and call preferences, and the log of calls they
-- received. The log keeps when, how it ended, how long, and who rang: a member by id (their
-- name is read from users, so it disappears with them) or the display name a guest typed.
-- Never SDP, candidates, addresses or anything said in the call. Times are UTC ISO-8601.

CREATE TABLE call_links (
  user_id        TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  -- Random, URL-safe; regenerating it kills the old link.
  code           TEXT NOT NULL UNIQUE,
  guests_allowed INTEGER NOT NULL DEFAULT 1 CHECK (guests_allowed IN (0, 1)),
  -- Every call of this member goes through the relay, so no peer learns their address.
  relay_only     INTEGER NOT NULL DEFAULT 0 CHECK (relay_only IN (0, 1)),
  updated_at     TEXT NOT NULL
) STRICT;

CREATE TABLE call_log (
  id                INTEGER PRIMARY KEY,
  callee_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  caller_kind       TEXT NOT NULL CHECK (caller_kind IN ('member', 'guest')),
  -- NULL for a guest, and once the calling member deleted their account.
  caller_id         TEXT REFERENCES users(id) ON DELETE SET NULL,
  caller_guest_name TEXT CHECK ((caller_kind = 'guest') = (caller_guest_name IS NOT NULL)),
  started_at        TEXT NOT NULL,
  outcome           TEXT NOT NULL CHECK (outcome IN ('answered', 'missed', 'declined', 'busy')),
  duration_s        INTEGER CHECK (duration_s IS NULL OR duration_s >= 0),
  -- Missed calls stay highlighted until the member has seen their log.
  seen              INTEGER NOT NULL DEFAULT 0 CHECK (seen IN (0, 1))
) STRICT;
CREATE INDEX call_log_callee ON call_log(callee_id, started_at DESC, id DESC);
CREATE INDEX call_log_caller ON call_log(caller_id);
