// GET /healthz: 200 {"status":"ok"} when every part is up, 503 naming the parts that are down.
// Open to anyone (load balancers, systemd watchdogs); it reveals nothing but up or down.
import type Router from '@koa/router';
import { createRouter } from './router.js';
import type { Database } from 'better-sqlite3';
import type { AppState } from './context.js';

export type HealthChecks = Readonly<{
  db: Database;
  /** Null when the embedded relay is off by configuration: then it cannot be down. */
  relay: { isListening(): boolean } | null;
}>;

export function healthRoutes(checks: HealthChecks): Router<AppState> {
  const router = createRouter();
  router.get('/healthz', (ctx) => {
    const down: string[] = [];
    if (!isDatabaseUp(checks.db)) down.push('database');
    if (checks.relay !== null && !checks.relay.isListening()) down.push('relay');
    ctx.set('Cache-Control', 'no-store');
    ctx.status = down.length === 0 ? 200 : 503;
    ctx.body = down.length === 0 ? { status: 'ok' } : { status: 'unavailable', down };
  });
  return router;
}

function isDatabaseUp(db: Database): boolean {
  try {
    return db.open && db.prepare('SELECT 1 AS one').get() !== undefined;
  } catch {
    return false;
  }
}
