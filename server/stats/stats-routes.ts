// GET /api/stats: the aggregate statistics, for marketing and admins (the service checks).
import type { StatsView } from '../contract/stats.js';
import type { ApiRouteGroup } from '../http/api-router.js';
import { createRouter } from '../http/router.js';
import { actorOf } from '../staff/admin-routes.js';
import type { StatsService } from './stats-service.js';

export function statsRoutes(stats: StatsService): ApiRouteGroup {
  const router = createRouter();
  router.get('/stats', (ctx) => {
    const view: StatsView = stats.overview(actorOf(ctx));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = view;
  });
  return router;
}
