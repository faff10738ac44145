// What the JSON API answers: the bodies the server builds and the pages read, as types only, so
// both sides compile against one definition. Errors are `{ error: { code, message, fields? } }`.

export type ApiErrorBody = Readonly<{ error: Readonly<{ code: string; message: string; fields?: Readonly<Record<string, string>> }> }>;

/** The two sizes of a profile picture. */
export type PictureUrls = Readonly<{ large: string; small: string }>;

/** GET /api/me, PATCH /api/me, POST /api/me/policy, and the sign-up and log-in answers. */
export type ProfileView = Readonly<{
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  avatar: PictureUrls | null;
  policy: Readonly<{ acceptedVersion: string | null; acceptedAt: string | null; currentVersion: string }>;
  createdAt: string;
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

/** GET /api/me: the profile with what the calls part adds. */
export type MeView = ProfileView & Readonly<{ callLink: CallLinkView }>;

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
