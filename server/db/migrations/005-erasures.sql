-- Erasures: one token per deleted account, so a restore from a backup taken before the deletion
-- erases that account again (server/db/erasures.ts). A token is an HMAC of the member id under
-- this installation's random key: it names nobody, and without a copy of the old data it cannot
-- even be tied to an id. No time is kept, so the table tells nothing about when anyone left.
CREATE TABLE erasures (
  token TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

INSERT INTO instance (key, value) VALUES ('erasure_key', lower(hex(randomblob(32))));
