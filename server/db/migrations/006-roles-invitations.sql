-- Reserved: roles and invitations arrive in this migration on another branch. This placeholder
-- only keeps the numbering without gaps; the real file replaces it when the two branches meet.
SELECT 1;
