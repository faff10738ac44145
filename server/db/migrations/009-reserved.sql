-- Reserved: migration 009 belongs to another branch (support). This placeholder only keeps the
-- numbering without gaps on this branch; the merge replaces it with the real file.
SELECT 1;
