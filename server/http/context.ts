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

export function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}
