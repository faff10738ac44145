// The session cookie: read on every request (ctx.state.member), set at sign-up and log-in,
// cleared at log-out. Under HTTPS it is `__Host-porthello_session` with Secure (so no other
// host or path can set or shadow it); in a plain-HTTP trial it is `porthello_session`.
// HttpOnly and SameSite=Lax always; the Origin check (origin.ts) guards state changes.
import type { IncomingMessage } from 'node:http';
import type { Config } from '../config.js';
import { unauthorized } from '../errors.js';
import type { Member, SessionService } from '../accounts/session-service.js';
import type { AppContext, AppMiddleware } from './context.js';

export type { Member } from '../accounts/session-service.js';

export const SESSION_COOKIE = 'porthello_session';
export const SECURE_SESSION_COOKIE = '__Host-porthello_session';

export function sessionCookieName(isHttps: boolean): string {
  return isHttps ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

export type SessionAuth = Readonly<{
  /** Puts the member of a valid session cookie on ctx.state.member. */
  middleware: AppMiddleware;
  /**
   * The member behind a raw Node request's cookie, or null: for the WebSocket upgrade, which
   * runs outside Koa. Same rules as the middleware (expiry, idle time).
   */
  memberFromRequest(req: IncomingMessage): Member | null;
  setCookie(ctx: AppContext, token: string): void;
  clearCookie(ctx: AppContext): void;
}>;

export function createSessionAuth(config: Config, sessions: SessionService): SessionAuth {
  const name = sessionCookieName(config.isHttps);
  const options = { httpOnly: true, sameSite: 'lax', secure: config.isHttps, path: '/', overwrite: true } as const;
  return {
    middleware: (ctx, next) => {
      const member = sessions.authenticate(ctx.cookies.get(name));
      if (member !== null) ctx.state.member = member;
      return next();
    },
    memberFromRequest: (req) => sessions.authenticate(readCookie(req.headers.cookie, name)),
    setCookie(ctx, token) {
      // The cookie outlives no session: the server enforces idle and absolute expiry anyway.
      ctx.cookies.set(name, token, { ...options, maxAge: config.accounts.sessionMaxMs });
    },
    clearCookie(ctx) {
      ctx.cookies.set(name, '', { ...options, maxAge: 0, expires: new Date(0) });
    },
  };
}

/** The logged-in member, or a 401. */
export function requireMember(ctx: AppContext): Member {
  const member = ctx.state.member;
  if (member === undefined) throw unauthorized();
  return member;
}

/** The value of one cookie in a Cookie header; the first wins, as browsers send the most specific first. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
