-- Who may ring a member: do-not-disturb (now, or on a weekly schedule in the member's time
-- zone), whether guests knock first, and the members and guests they blocked. Both belong to the member who set them and go
-- with their account; a block also goes with the blocked member's account.

CREATE TABLE reach_settings (
  user_id            TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  -- Do-not-disturb switched on by hand, until switched off.
  dnd_now            INTEGER NOT NULL DEFAULT 0 CHECK (dnd_now IN (0, 1)),
  -- The weekly schedule: the days it starts on (bit 0 Monday … bit 6 Sunday; 0 = no schedule),
  -- from start to end in minutes after midnight, local time; an end before the start runs past
  -- midnight into the next day; equal start and end make the whole day.
  schedule_days      INTEGER NOT NULL DEFAULT 0 CHECK (schedule_days BETWEEN 0 AND 127),
  schedule_start_min INTEGER NOT NULL DEFAULT 1320 CHECK (schedule_start_min BETWEEN 0 AND 1439),
  schedule_end_min   INTEGER NOT NULL DEFAULT 420 CHECK (schedule_end_min BETWEEN 0 AND 1439),
  -- An IANA zone name (Europe/Paris), checked with Intl before it is stored.
  time_zone          TEXT NOT NULL DEFAULT 'Europe/Paris',
  -- Guests knock first: their call arrives with their name and a short note, to let in or refuse.
  knock_first        INTEGER NOT NULL DEFAULT 0 CHECK (knock_first IN (0, 1)),
  updated_at         TEXT NOT NULL
) STRICT;

-- A member (blocked_member_id) or a guest (guest_id, the opaque id of one guest's browser
-- session on the member's call link; guest_name as they typed it) the member blocked.
CREATE TABLE blocks (
  id                INTEGER PRIMARY KEY,
  user_id           TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind              TEXT NOT NULL CHECK (kind IN ('member', 'guest')),
  blocked_member_id TEXT REFERENCES users(id) ON DELETE CASCADE,
  guest_id          TEXT,
  guest_name        TEXT,
  link_code         TEXT,
  created_at        TEXT NOT NULL,
  CHECK ((kind = 'member') = (blocked_member_id IS NOT NULL)),
  CHECK ((kind = 'guest') = (guest_id IS NOT NULL AND guest_name IS NOT NULL AND link_code IS NOT NULL)),
  UNIQUE (user_id, blocked_member_id),
  UNIQUE (user_id, guest_id)
) STRICT;
CREATE INDEX blocks_blocked_member ON blocks(blocked_member_id);
