-- The support inbox: conversations opened from the contact form, by prospects (no account) or
-- members, and the messages in them. A member's conversations go with their account (CASCADE);
-- a prospect's are purged PORTHELLO_SUPPORT_RETENTION_DAYS after their last message
-- (server/support/purge-timer.ts).
CREATE TABLE support_conversations (
  -- The reference shown to the person who wrote: short, random, not a sequence.
  id          TEXT PRIMARY KEY,
  -- NULL for a prospect.
  member_id   TEXT REFERENCES users(id) ON DELETE CASCADE,
  -- The address replies are e-mailed to, and the name and language the person wrote in.
  email       TEXT NOT NULL,
  name        TEXT NOT NULL,
  locale      TEXT NOT NULL CHECK (locale IN ('fr', 'en')),
  subject     TEXT NOT NULL,
  -- open: waiting for support; answered: support wrote last; closed: support closed it.
  state       TEXT NOT NULL CHECK (state IN ('open', 'answered', 'closed')),
  created_at  TEXT NOT NULL,
  -- The last message's time: the inbox's order, and the start of a prospect's retention.
  updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX support_conversations_member ON support_conversations(member_id, updated_at DESC);
CREATE INDEX support_conversations_state ON support_conversations(state, updated_at DESC);
CREATE INDEX support_conversations_prospect ON support_conversations(updated_at) WHERE member_id IS NULL;

CREATE TABLE support_messages (
  id              INTEGER PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES support_conversations(id) ON DELETE CASCADE,
  -- The conversation's member, repeated so the member-data registry finds their messages.
  member_id       TEXT REFERENCES users(id) ON DELETE CASCADE,
  author          TEXT NOT NULL CHECK (author IN ('requester', 'staff')),
  -- The support or admin account that wrote a reply; NULL once that account is gone.
  staff_id        TEXT REFERENCES users(id) ON DELETE SET NULL,
  body            TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  CHECK (author = 'staff' OR staff_id IS NULL)
) STRICT;
CREATE INDEX support_messages_conversation ON support_messages(conversation_id, id);
CREATE INDEX support_messages_member ON support_messages(member_id);
CREATE INDEX support_messages_staff ON support_messages(staff_id);
