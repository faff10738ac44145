// The API router's dispatch, kept per method and path for paths without parameters.
//
// @koa/router answers each request by testing the path against every layer of its table, then
// wrapping each matched layer in a new closure and composing them anew: on GET /api/me that was
// most of the router's share of the request's CPU and a steady stream of garbage (issue 15,
// BENCHMARKS.md). Paths are matched case-sensitively and strictly (router.ts), so for a path
// whose every matching layer has no parameter, which layers run depends only on the method and
// the exact path: their chain is composed once, on first use, and kept. What the router sets on
// the context on the way (matched layers, matched route, params, captures) is set the same way;
// anything else (a path with parameters, a method or a path no route takes) goes through the
// router itself, as before.
import compose from 'koa-compose';
import type Router from '@koa/router';
import type { Layer } from '@koa/router';
import type { AppContext, AppMiddleware, AppState } from './context.js';

type Next = () => Promise<unknown>;
type ApiLayer = Layer<AppState>;
type Dispatch = (ctx: AppContext, next: Next) => Promise<unknown>;
/** The fields @koa/router keeps on the context (its RouterContext), which Koa's type lacks. */
type RoutedContext = AppContext & {
  matched?: ApiLayer[];
  router?: Router<AppState>;
  routeMatched?: boolean;
  captures?: string[];
  params?: Record<string, string>;
  routerPath?: string | RegExp;
  routerName?: string | undefined;
  _matchedRoute?: string | RegExp;
  _matchedRouteName?: string;
};

type Cached = Readonly<{ matched: readonly ApiLayer[]; route: ApiLayer; chain: Dispatch }>;

/** The router's middleware, answering its static paths from the cache. */
export function cachedRoutes(router: Router<AppState>): AppMiddleware {
  const routed = router.routes() as unknown as Dispatch;
  // Options that make the answer depend on more than the method and the path: no caching.
  if (router.host !== undefined || router.opts.routerPath !== undefined || router.opts.exclusive) return routed as unknown as AppMiddleware;
  // Built on first use, when every group's routes are in the table: its routes without
  // parameters, each under each of its methods (GET's include HEAD, as the router has them).
  let table: Map<string, Cached> | null = null;
  const tableOf = (): Map<string, Cached> => {
    const built = new Map<string, Cached>();
    for (const layer of router.stack) {
      const { path } = layer;
      if (layer.methods.length === 0 || layer.paramNames.length > 0 || typeof path !== 'string') continue;
      for (const method of layer.methods) {
        const cached = build(path, method);
        if (cached !== null && !built.has(keyOf(method, path))) built.set(keyOf(method, path), cached);
      }
    }
    return built;
  };

  const build = (path: string, method: string): Cached | null => {
    const found = router.match(path, method);
    if (!found.route || found.path.some((layer) => layer.paramNames.length > 0)) return null;
    const layers = found.pathAndMethod;
    // The route named in logs and metrics: the last matched layer that is a route, as the router picks it.
    const route = layers.findLast((layer) => layer.methods.length > 0);
    if (route === undefined) return null;
    const steps = layers.flatMap((layer) => [enterLayer(layer, path), ...layer.stack]);
    return { matched: found.path, route, chain: compose(steps as unknown as compose.Middleware<RoutedContext>[]) as Dispatch };
  };

  return (ctx, next) => {
    const context = ctx as RoutedContext;
    // The router reads this path before its own (a rewrite by an earlier middleware).
    const path = (context as { newRouterPath?: string }).newRouterPath || ctx.path;
    table ??= tableOf();
    const cached = table.get(keyOf(ctx.method, path));
    if (cached === undefined || context.matched !== undefined) return routed(ctx, next);
    // A copy: the router appends to it when another router runs after this one.
    context.matched = [...cached.matched];
    context.router = router;
    context.routeMatched = true;
    context._matchedRoute = cached.route.path;
    if (cached.route.name) context._matchedRouteName = cached.route.name;
    return cached.chain(ctx, next);
  };
}

/** Methods are tokens without spaces: "GET /api/me" names one entry. */
function keyOf(method: string, path: string): string {
  return `${method} ${path}`;
}

/** What the router does before each matched layer's own middleware, for a path without parameters. */
function enterLayer(layer: ApiLayer, path: string): (ctx: RoutedContext, next: Next) => Promise<unknown> {
  const captures = layer.captures(path);
  return (ctx, next) => {
    ctx.captures = [...captures];
    const params = layer.params(path, ctx.captures, ctx.params);
    (ctx.request as { params?: Record<string, string> }).params = params;
    ctx.params = params;
    ctx.routerPath = layer.path;
    ctx.routerName = layer.name || undefined;
    ctx._matchedRoute = layer.path;
    if (layer.name) ctx._matchedRouteName = layer.name;
    return next();
  };
}
