// What the JSON API answers: the bodies the server builds and the pages read, as types only, so
// both sides compile against one definition. Errors are `{ error: { code, message, fields? } }`.

export type ApiErrorBody = Readonly<{ error: Readonly<{ code: string; message: string; fields?: Readonly<Record<string, string>> }> }>;

/** The two sizes of a profile picture. */
export type PictureUrls = Readonly<{ large: string; small: string }>;

/** Staff roles; `member` is everyone else (server/staff/roles.ts says what each may do). */
export const ROLES = ['member', 'support', 'marketing', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** GET /api/me, PATCH /api/me, POST /api/me/policy, and the sign-up and log-in answers. */
export type ProfileView = Readonly<{
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  avatar: PictureUrls | null;
  policy: Readonly<{ acceptedVersion: string | null; acceptedAt: string | null; currentVersion: string }>;
  createdAt: string;
  role: Role;
}>;

/** One logged-in browser, as GET /api/me/sessions lists it (`current`: the one asking). */
export type SessionView = Readonly<{ id: string; device: string; createdAt: string; lastUsedAt: string; current: boolean }>;
export type SessionList = Readonly<{ sessions: readonly SessionView[] }>;

/** POST /api/me/password: how many other sessions were ended. */
export type PasswordChanged = Readonly<{ endedSessions: number }>;

/** PUT /api/me/avatar. */
export type PictureReplaced = Readonly<{ avatar: PictureUrls }>;

/** The member's call link: GET, POST (a new code) and PATCH (settings) /api/me/call-link. */
export type CallLinkView = Readonly<{
  code: string;
  path: string;
  url: string;
  guestsAllowed: boolean;
  relayOnly: boolean;
  /** Whether other members see in the directory when this member can be rung (off by default). */
  showPresence: boolean;
}>;

/** Whether the member's address is verified; 'not_required' when the service sends no e-mail. */
export type EmailVerificationState = 'verified' | 'pending' | 'not_required';

/** What GET /api/me adds about e-mail. */
export type EmailSettings = Readonly<{ emailVerification: EmailVerificationState; newsEmails: boolean }>;

/** PUT /api/me/news-emails. */
export type NewsPreference = Readonly<{ newsEmails: boolean }>;

/** GET /api/me: the profile with what the calls part and the e-mail settings add. */
export type MeView = ProfileView & EmailSettings & Readonly<{ callLink: CallLinkView }>;

/** GET /api/members?q=&offset=: a page of the other members a member may ring, by last name.
 *  `reachable` is null unless that member shows their presence. */
export type DirectoryMember = Readonly<{ id: string; firstName: string; lastName: string; avatarUrl: string | null; reachable: boolean | null }>;
export type Directory = Readonly<{ members: readonly DirectoryMember[]; nextOffset: number | null }>;
/** The longest directory search accepted, in code points. */
export const DIRECTORY_SEARCH_MAX_CODE_POINTS = 100;

export type CallOutcome = 'answered' | 'missed' | 'declined' | 'busy';

/** The other party of a logged call: a member (with id, while they still have an account), a
 *  guest (who can only have called), or a former member. */
export type CallLogPeer =
  | Readonly<{ kind: 'member'; memberId: string; name: string }>
  | Readonly<{ kind: 'guest'; name: string }>
  | Readonly<{ kind: 'former-member' }>;

/** Which way a logged call went, seen from the log's owner. */
export type CallDirection = 'received' | 'made';

/** GET /api/calls?filter=: every call, or only the received calls nobody answered. */
export const CALL_LOG_FILTERS = ['all', 'missed'] as const;
/** 'missed': received calls nobody answered (missed, or rung while busy in another call). */
export type CallLogFilter = (typeof CALL_LOG_FILTERS)[number];

export type CallLogEntry = Readonly<{
  id: number;
  direction: CallDirection;
  startedAt: string;
  outcome: CallOutcome;
  durationS: number | null;
  seen: boolean;
  /** Rings this entry stands for: repeats within minutes share an entry. */
  attempts: number;
  peer: CallLogPeer;
}>;

/** GET /api/calls: calls made and received, newest first; `nextBefore` pages on, null at the end. */
export type CallLogPage = Readonly<{ calls: readonly CallLogEntry[]; nextBefore: number | null; unseenMissed: number }>;

/** POST /api/links/:code/tickets (the ticket itself is an HttpOnly cookie). */
export type GuestTicketIssued = Readonly<{ calleeMemberId: string; guestId: string; expiresAt: string }>;

/** An invitation to sign up, as the admin pages list it (never its code, which is only shown once). */
export type InvitationState = 'active' | 'expired' | 'used' | 'revoked';
export type InvitationView = Readonly<{
  id: string;
  /** The address it is for, until it is used; null for an invitation anyone with the link may use. */
  email: string | null;
  bound: boolean;
  maxUses: number;
  uses: number;
  expiresAt: string;
  revokedAt: string | null;
  createdAt: string;
  state: InvitationState;
}>;
/** POST /api/admin/invitations: the code and the link, shown this once. */
export type InvitationCreated = Readonly<{ invitation: InvitationView; code: string; url: string }>;
export type InvitationList = Readonly<{ invitations: readonly InvitationView[] }>;

/** An account as the staff pages list it: identity and technical state, never a call log. */
export type AccountSummary = Readonly<{
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  role: Role;
  disabledAt: string | null;
  createdAt: string;
  /** The latest use of any of its sessions; null without one. */
  lastSeenAt: string | null;
  sessions: number;
}>;
/** GET /api/admin/accounts?q=: `more` when the search matched more than were returned. */
export type AccountList = Readonly<{ accounts: readonly AccountSummary[]; more: boolean }>;
