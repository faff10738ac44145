// GET /metrics for a Prometheus scraper, and the middleware that counts HTTP requests. The
// endpoint exists only for a caller with the bearer token (PORTHELLO_METRICS_TOKEN) or one
// connecting from an allowed address (PORTHELLO_METRICS_ALLOW, matched against the connection,
// never a forwarded header); to anyone else it is a 404 like any unknown path.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import type Router from '@koa/router';
import { buildAddressList, listHas } from '../address-list.js';
import type { MetricsConfig } from '../config-metrics.js';
import type { AppState } from '../http/context.js';
import { createRouter } from '../http/router.js';
import type { Metrics } from './metrics.js';

/** The label of requests no router matched: static assets, unknown paths, refusals before routing. */
const UNMATCHED_ROUTE = '(unmatched)';

export function metricsRoutes(metrics: Metrics, config: MetricsConfig): Router<AppState> {
  const router = createRouter();
  const allowed = buildAddressList(config.allow);
  // Compared as digests: equal length, so the comparison takes the same time whatever matches.
  const tokenDigest = config.token === null ? null : digest(config.token);
  const mayRead = (authorization: string, remoteAddress: string | undefined): boolean => {
    if (remoteAddress !== undefined && listHas(allowed, remoteAddress)) return true;
    const presented = /^Bearer (\S+)$/.exec(authorization)?.[1];
    return tokenDigest !== null && presented !== undefined && timingSafeEqual(digest(presented), tokenDigest);
  };
  router.get('/metrics', async (ctx) => {
    if (!mayRead(ctx.get('Authorization'), ctx.req.socket.remoteAddress)) return; // 404, as for any unknown path
    ctx.set('Cache-Control', 'no-store');
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  return router;
}

/** Counts every request once it is answered, errors included, under its route's pattern. */
export function countRequests(metrics: Metrics): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next();
    } finally {
      const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      metrics.countRequest(typeof route === 'string' ? route : UNMATCHED_ROUTE, ctx.method, ctx.status);
    }
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
