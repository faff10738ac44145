-- Reserved: migration 007 belongs to another branch (e-mail). This placeholder only keeps the
-- numbering without gaps on this branch; the merge replaces it with the real file.
SELECT 1;
