// Server-side sessions: a random token in the cookie, its SHA-256 in the database, an idle and
// an absolute lifetime. Ending a session deletes its row, so an old cookie is worth nothing.
import type { Role, SessionView } from '../contract/api.js';
import * as crypto from 'node:crypto';
import type { SessionRow, SessionStore } from './session-store.js';
import type { MemberEvents } from './member-events.js';

/** 256 bits from the CSPRNG: far past ASVS's 64-bit floor. */
const TOKEN_BYTES = 32;
/** Public session ids (shown in the list) only need to be unguessable among one member's. */
const SESSION_ID_BYTES = 16;
/** last_used_at is written at most this often: one write per request would be wasted I/O. */
const TOUCH_INTERVAL_MS = 60_000;
/**
 * Sessions one member may have at once: every device they own, many times over. Each log-in
 * past it ends the oldest, so a script logging in in a loop cannot grow the table.
 */
export const MAX_SESSIONS_PER_MEMBER = 20;
/** A cookie value we could have issued: base64url of TOKEN_BYTES. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The logged-in member of a request, with their role as the database says it now. */
export type Member = Readonly<{ id: string; sessionId: string; role: Role }>;

export type { SessionView };

export type SessionService = ReturnType<typeof createSessionService>;

export function createSessionService(deps: { store: SessionStore; events: MemberEvents; idleMs: number; maxMs: number; now?: () => number }) {
  const { store, events, idleMs, maxMs } = deps;
  const now = deps.now ?? Date.now;
  const iso = (ms: number): string => new Date(ms).toISOString();

  const isExpired = (session: SessionRow, at: number): boolean => at - Date.parse(session.lastUsedAt) > idleMs || at - Date.parse(session.createdAt) > maxMs;

  return {
    /** Opens a session, ending the oldest beyond the cap; the token goes into the cookie and nowhere else. */
    create(userId: string, userAgent: string): { token: string; sessionId: string } {
      const token = crypto.randomBytes(TOKEN_BYTES).toString('base64url');
      const sessionId = crypto.randomBytes(SESSION_ID_BYTES).toString('base64url');
      store.insert({ id: sessionId, tokenHash: hashToken(token), userId, device: deviceLabel(userAgent), createdAt: iso(now()) });
      const ended = store.deleteOldestBeyond(userId, MAX_SESSIONS_PER_MEMBER);
      if (ended.length > 0) events.sessionsEnded(userId, ended);
      return { token, sessionId };
    },

    /** The member behind a cookie token, or null; an expired session is deleted on sight. */
    authenticate(token: string | undefined): Member | null {
      if (token === undefined || !TOKEN_PATTERN.test(token)) return null;
      const session = store.byTokenHash(hashToken(token));
      if (session === undefined) return null;
      const at = now();
      if (isExpired(session, at)) {
        store.deleteById(session.id);
        events.sessionsEnded(session.userId, [session.id]);
        return null;
      }
      // Disabling deletes the sessions; one opened in a race with it (a log-in checked just
      // before) ends here, at its first use.
      if (session.disabledAt !== null) {
        events.sessionsEnded(session.userId, store.deleteAll(session.userId));
        return null;
      }
      if (at - Date.parse(session.lastUsedAt) > TOUCH_INTERVAL_MS) store.touch(session.id, iso(at));
      return { id: session.userId, sessionId: session.id, role: session.role };
    },

    list(member: Member): SessionView[] {
      const at = now();
      return store
        .ofUser(member.id)
        .filter((session) => !isExpired(session, at))
        .map((session) => ({
          id: session.id,
          device: session.device,
          createdAt: session.createdAt,
          lastUsedAt: session.lastUsedAt,
          current: session.id === member.sessionId,
        }));
    },

    /** Ends one of the member's sessions; false when there is no such session of theirs. */
    end(memberId: string, sessionId: string): boolean {
      const ended = store.deleteOne(sessionId, memberId);
      if (ended) events.sessionsEnded(memberId, [sessionId]);
      return ended;
    },

    /** Ends every session of the member (account disabled, password set from a reset link); returns their ids. */
    endAll(memberId: string): string[] {
      const ended = store.deleteAll(memberId);
      events.sessionsEnded(memberId, ended);
      return ended;
    },

    endOthers(member: Member): string[] {
      const ended = store.deleteOthers(member.id, member.sessionId);
      events.sessionsEnded(member.id, ended);
      return ended;
    },

    /** Deletes expired sessions everywhere; run on each log-in, so the table never grows stale. */
    purgeExpired(): void {
      const at = now();
      const ended = store.deleteExpired(iso(at - idleMs), iso(at - maxMs));
      const byMember = new Map<string, string[]>();
      for (const { id, userId } of ended) byMember.set(userId, [...(byMember.get(userId) ?? []), id]);
      for (const [memberId, ids] of byMember) events.sessionsEnded(memberId, ids);
    },
  };
}

/**
 * SHA-256 of a token, on every authenticated request. `crypto.hash` (Node ≥ 20.12) digests in one
 * call without a Hash object per token; the engines field still allows 20.11, which lacks it.
 */
const sha256: (text: string) => Buffer =
  typeof crypto.hash === 'function' ? (text) => crypto.hash('sha256', text, 'buffer') : (text) => crypto.createHash('sha256').update(text).digest();

export function hashToken(token: string): Buffer {
  return sha256(token);
}

/** Max length of a device label: it is shown in a list, not a fingerprint. */
const DEVICE_LABEL_MAX = 60;

/** "Firefox · Android": enough for a member to recognise a device, nothing more kept. */
export function deviceLabel(userAgent: string): string {
  const ua = userAgent.slice(0, 512);
  const browser = /Edg(e|A|iOS)?\//.test(ua)
    ? 'Edge'
    : /OPR\/|Opera/.test(ua)
      ? 'Opera'
      : /Firefox\/|FxiOS\//.test(ua)
        ? 'Firefox'
        : /Chrome\/|CriOS\/|Chromium\//.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua)
            ? 'Safari'
            : null;
  const system = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad|iPod/.test(ua)
      ? 'iOS'
      : /CrOS/.test(ua)
        ? 'ChromeOS'
        : /Windows/.test(ua)
          ? 'Windows'
          : /Mac OS X|Macintosh/.test(ua)
            ? 'macOS'
            : /Linux/.test(ua)
              ? 'Linux'
              : null;
  const label = [browser, system].filter((part) => part !== null).join(' · ');
  return (label === '' ? 'unknown' : label).slice(0, DEVICE_LABEL_MAX);
}
