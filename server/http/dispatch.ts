// Routing by area: a request under /api (in any letter case, as isApiPath reads it) goes to the
// API router only, any other request to the page routers only. Each router matches its whole
// route table against the path it is given, so running the dozen page routers for every API
// call (and the API router for every page) was pure overhead on the hottest path (GET /api/me).
// No route outside the API router lives under /api, so skipping them changes no answer.
import type Router from '@koa/router';
import { isApiPath, type AppContext, type AppMiddleware, type AppState } from './context.js';
import { cachedRoutes } from './route-cache.js';

type Next = () => Promise<unknown>;

/** The routers' middleware in order, each router followed by its 405/OPTIONS answers. */
function chainOf(routers: readonly Router<AppState>[], routesOf: (router: Router<AppState>) => AppMiddleware): AppMiddleware[] {
  return routers.flatMap((router) => [routesOf(router), router.allowedMethods() as AppMiddleware]);
}

/** Runs middleware in order, as Koa would, ending with `next`. */
function sequence(middleware: readonly AppMiddleware[]): (ctx: AppContext, next: Next) => Promise<unknown> {
  return (ctx, next) => {
    const step = (index: number): Promise<unknown> => {
      const current = middleware[index];
      if (current === undefined) return next();
      return Promise.resolve(current(ctx, () => step(index + 1)));
    };
    return step(0);
  };
}

export function routeByArea(api: Router<AppState>, pages: readonly Router<AppState>[]): AppMiddleware {
  // The API's hot paths skip the router's per-request matching and composing (route-cache.ts).
  const toApi = sequence(chainOf([api], cachedRoutes));
  const toPages = sequence(chainOf(pages, (router) => router.routes() as AppMiddleware));
  return (ctx, next) => (isApiPath(ctx.path) ? toApi(ctx, next) : toPages(ctx, next));
}
