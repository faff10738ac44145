-- The call log holds calls made as well as received: each row belongs to one member (member_id),
-- says which way the call went, and names the other party (peer_*). A call between two members
-- leaves one row in each one's log, each erased by its owner's deletion (CASCADE) and kept in
-- the other's log without the deleted member (SET NULL, a "former member"). A guest has no log,
-- so a guest is only ever the peer of a received call. Same content as before: when, outcome,
-- how long, who, how many rings; never SDP, candidates, addresses or anything said.
CREATE TABLE call_log_v2 (
  id              INTEGER PRIMARY KEY,
  member_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  direction       TEXT NOT NULL CHECK (direction IN ('received', 'made')),
  peer_kind       TEXT NOT NULL CHECK (peer_kind IN ('member', 'guest')),
  -- NULL for a guest, and once the other member deleted their account.
  peer_id         TEXT REFERENCES users(id) ON DELETE SET NULL,
  peer_guest_name TEXT CHECK ((peer_kind = 'guest') = (peer_guest_name IS NOT NULL)),
  started_at      TEXT NOT NULL,
  outcome         TEXT NOT NULL CHECK (outcome IN ('answered', 'missed', 'declined', 'busy')),
  duration_s      INTEGER CHECK (duration_s IS NULL OR duration_s >= 0),
  -- Missed calls stay highlighted until the member has seen their log; calls made start seen.
  seen            INTEGER NOT NULL DEFAULT 0 CHECK (seen IN (0, 1)),
  attempts        INTEGER NOT NULL DEFAULT 1 CHECK (attempts >= 1),
  CHECK (direction = 'received' OR peer_kind = 'member')
) STRICT;

INSERT INTO call_log_v2 (id, member_id, direction, peer_kind, peer_id, peer_guest_name, started_at, outcome, duration_s, seen, attempts)
  SELECT id, callee_id, 'received', caller_kind, caller_id, caller_guest_name, started_at, outcome, duration_s, seen, attempts FROM call_log;

DROP TABLE call_log;
ALTER TABLE call_log_v2 RENAME TO call_log;
CREATE INDEX call_log_member ON call_log(member_id, id DESC);
CREATE INDEX call_log_peer ON call_log(peer_id);

-- Whether other members see in the directory that this member can be rung now. Presence is
-- personal data: off unless the member turns it on.
ALTER TABLE call_links ADD COLUMN show_presence INTEGER NOT NULL DEFAULT 0 CHECK (show_presence IN (0, 1));
