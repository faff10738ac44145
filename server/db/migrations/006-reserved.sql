-- Reserved: migration 006 belongs to another branch (roles and invitations). This placeholder
-- only keeps the numbering without gaps on this branch; the merge replaces it with the real file.
SELECT 1;
