// The typed state every middleware and route shares, set up by the first middlewares.
import type Koa from 'koa';
import type { Locale } from '../i18n/index.js';
import type { Member } from '../accounts/session-service.js';

export type AppState = {
  requestId: string;
  locale: Locale;
  /** The parsed JSON body of an API request (server/http/body.ts), unknown until validated. */
  body?: unknown;
  /** The logged-in member, set by server/http/session.ts from a valid session cookie. */
  member?: Member;
};

export type AppContext = Koa.ParameterizedContext<AppState>;
export type AppMiddleware = Koa.Middleware<AppState>;

/**
 * Whether the Origin check, the JSON body parser and JSON errors apply. Any letter case counts:
 * the routers are case-sensitive (server/http/router.ts), so `/API/...` reaches no route, and
 * should one ever match it, it still passes the same checks.
 */
export function isApiPath(path: string): boolean {
  const lower = path.toLowerCase();
  return lower === '/api' || lower.startsWith('/api/');
}
