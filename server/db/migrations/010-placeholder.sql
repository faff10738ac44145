-- Placeholder for the migration another branch numbers 010 (news and statistics); it changes nothing. When the
-- branches are merged, the real 010 replaces this file.
SELECT 1;
