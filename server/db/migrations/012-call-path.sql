-- Whether an answered call went straight between the two browsers or through the relay, as the
-- browsers reported it once connected: 'relayed' if it went through the relay at any time
-- (a move to another network can switch the path), NULL when neither side said (unanswered
-- calls, older rows). A kind of path, never an address or a candidate. The organisation's
-- statistics count relayed calls with it (the relay's share of the traffic it must carry).
ALTER TABLE call_log ADD COLUMN path TEXT CHECK (path IS NULL OR path IN ('direct', 'relayed'));
