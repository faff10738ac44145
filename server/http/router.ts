// Every router of the service matches paths exactly: case-sensitive, and a trailing slash is a
// different path. The middlewares before the routers (Origin check, JSON body) decide by the
// path too, so a route must never answer a spelling of its path that they read differently
// (`/API/me` reaching DELETE /api/me without the Origin check).
import Router from '@koa/router';
import type { AppState } from './context.js';

export function createRouter(options: Readonly<{ prefix?: string }> = {}): Router<AppState> {
  return new Router<AppState>({ ...options, sensitive: true, strict: true });
}
