-- Service news (announcements an admin writes in both languages, and which member has read
-- which) and an index for the statistics. An announcement names no author. Times are UTC ISO-8601.

CREATE TABLE news (
  -- Public identifier (16 base64url characters), used by the admin page and the read marks.
  id         TEXT PRIMARY KEY,
  title_fr   TEXT NOT NULL,
  text_fr    TEXT NOT NULL,
  title_en   TEXT NOT NULL,
  text_en    TEXT NOT NULL,
  -- Members no longer see it from this instant on; NULL: until it is deleted.
  ends_at    TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX news_created ON news(created_at DESC);

-- One row per announcement a member has read (opened the news page, or dismissed the notice).
-- Personal data: listed in server/db/member-data.ts, so it is exported and goes with the account.
CREATE TABLE news_reads (
  member_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  news_id   TEXT NOT NULL REFERENCES news(id) ON DELETE CASCADE,
  read_at   TEXT NOT NULL,
  PRIMARY KEY (member_id, news_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX news_reads_news ON news_reads(news_id);

-- The statistics (server/stats/) read the call log by time across all members.
CREATE INDEX call_log_started ON call_log(started_at);
