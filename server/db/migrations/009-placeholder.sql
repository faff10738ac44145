-- Placeholder for the migration another branch numbers 009; it changes nothing. When the
-- branches are merged, the real 009 replaces this file.
SELECT 1;
