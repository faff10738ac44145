// SQL for GET /api/me: everything the page shows about the logged-in member, in one statement.
//
// That answer spans three owners' data: the member and their consents (user-store.ts), the two
// e-mail settings kept on the member's row (email-store.ts) and the call link (the calls part's
// call_links, call-store.ts). Read by each owner in turn it was five statements after the
// session's own, each an autocommit read transaction taking and releasing SQLite's WAL read lock
// (two fcntl calls), on the API's most requested path (issue 15, BENCHMARKS.md). So this one
// store reads all of it, and only reads: what the columns mean stays with their owners (the
// e-mail state is worked out by email-verification.ts, the link presented and, when missing,
// made by the calls part). A column added to what GET /api/me shows is added here.
import type { Database } from 'better-sqlite3';
import type { Role } from '../contract/api.js';
import type { EmailStatus } from './email-store.js';

/** The call link's stored settings, as call-store.ts reads them (the same names). */
export type StoredCallLink = Readonly<{ userId: string; code: string; guestsAllowed: boolean; relayOnly: boolean; showPresence: boolean }>;

export type ProfileRow = Readonly<{
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  avatarId: string | null;
  createdAt: string;
  role: Role;
  emailStatus: EmailStatus;
  newsEmails: boolean;
  /** The latest consent to the privacy policy; null when there is none. */
  policy: Readonly<{ version: string; acceptedAt: string }> | null;
  /** null for a member whose link was never made (from before links were made at sign-up). */
  callLink: StoredCallLink | null;
}>;

/**
 * The columns in SELECT order. The statement is read as an array (`raw()`): better-sqlite3 builds
 * an object per row key by key, which for these 15 columns cost more than the read itself.
 */
type RawProfile = [
  id: string,
  email: string,
  firstName: string,
  lastName: string,
  avatarId: string | null,
  createdAt: string,
  role: Role,
  emailStatus: EmailStatus,
  newsEmails: number,
  policyVersion: string | null,
  policyAcceptedAt: string | null,
  linkCode: string | null,
  linkGuestsAllowed: number | null,
  linkRelayOnly: number | null,
  linkShowPresence: number | null,
];

export type ProfileStore = ReturnType<typeof createProfileStore>;

export function createProfileStore(db: Database) {
  // The latest consent is the one with the highest id (user-store.ts adds them in order).
  const profileOf = db
    .prepare(`SELECT u.id, u.email, u.first_name, u.last_name, u.avatar_id, u.created_at, u.role, u.email_status, u.news_emails,
      c.version, c.accepted_at, l.code, l.guests_allowed, l.relay_only, l.show_presence
    FROM users u
    LEFT JOIN consents c ON c.id = (SELECT max(id) FROM consents WHERE user_id = u.id AND document = 'privacy_policy')
    LEFT JOIN call_links l ON l.user_id = u.id
    WHERE u.id = ?`)
    .raw();

  return {
    /** undefined when there is no such member. */
    profileOf(id: string): ProfileRow | undefined {
      const raw = profileOf.get(id) as RawProfile | undefined;
      if (raw === undefined) return undefined;
      const [
        memberId,
        email,
        firstName,
        lastName,
        avatarId,
        createdAt,
        role,
        emailStatus,
        newsEmails,
        policyVersion,
        policyAcceptedAt,
        linkCode,
        linkGuestsAllowed,
        linkRelayOnly,
        linkShowPresence,
      ] = raw;
      return {
        id: memberId,
        email,
        firstName,
        lastName,
        avatarId,
        createdAt,
        role,
        emailStatus,
        newsEmails: newsEmails === 1,
        policy: policyVersion === null || policyAcceptedAt === null ? null : { version: policyVersion, acceptedAt: policyAcceptedAt },
        callLink:
          linkCode === null
            ? null
            : {
                userId: memberId,
                code: linkCode,
                guestsAllowed: linkGuestsAllowed === 1,
                relayOnly: linkRelayOnly === 1,
                showPresence: linkShowPresence === 1,
              },
      };
    },
  };
}
