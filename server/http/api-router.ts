// Everything under /api. Unknown API paths fall through to the error middleware as a JSON 404.
import Router from '@koa/router';
import type { AppState } from './context.js';

export type ApiRouteGroup = Router<AppState>;

export function apiRoutes(groups: readonly ApiRouteGroup[]): Router<AppState> {
  const api = new Router<AppState>({ prefix: '/api' });
  for (const group of groups) api.use(group.routes(), group.allowedMethods({ throw: true }));
  return api;
}
