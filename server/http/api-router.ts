// Everything under /api. Unknown API paths fall through to the error middleware as a JSON 404.
import type Router from '@koa/router';
import { createRouter } from './router.js';
import type { AppState } from './context.js';

export type ApiRouteGroup = Router<AppState>;

/**
 * The groups' routes in one router. The 405 and OPTIONS answers come from this router's own
 * allowedMethods (server/http/dispatch.ts), as they did: a group's allowedMethods nested here
 * was a middleware layer matching every /api path, run (and composed anew, with its layer) on
 * every API request while it could never answer, since the chain only runs once a route has
 * matched both the path and the method.
 */
export function apiRoutes(groups: readonly ApiRouteGroup[]): Router<AppState> {
  const api = createRouter({ prefix: '/api' });
  for (const group of groups) api.use(group.routes());
  return api;
}
