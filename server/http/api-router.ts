// Everything under /api. Unknown API paths fall through to the error middleware as a JSON 404.
import type Router from '@koa/router';
import { createRouter } from './router.js';
import type { AppState } from './context.js';

export type ApiRouteGroup = Router<AppState>;

export function apiRoutes(groups: readonly ApiRouteGroup[]): Router<AppState> {
  const api = createRouter({ prefix: '/api' });
  for (const group of groups) api.use(group.routes(), group.allowedMethods({ throw: true }));
  return api;
}
