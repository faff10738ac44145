// Builds the Koa application without listening, so tests run it on port 0. Middleware order
// is the order of the checks a request goes through: error rendering outermost, then headers
// (so even errors carry them), language, static files, Origin check, body parsing, routes.
import Koa from 'koa';
import type { Database } from 'better-sqlite3';
import { createAccountsModule, type AccountsModule } from './accounts/accounts-module.js';
import { createCallsModule, type CallsModule } from './calls/calls-module.js';
import { createStaffModule, type StaffModule } from './staff/staff-module.js';
import { createSupportModule, type SupportModule } from './support/support-module.js';
import { createSelfTestModule, type SelfTestModule } from './selftest/selftest-module.js';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { jsonBody } from './http/body.js';
import { localeChoice } from './http/locale.js';
import type { AppState } from './http/context.js';
import { errorHandler } from './http/errors.js';
import { manifestRoutes } from './http/manifest.js';
import { requireSameOrigin } from './http/origin.js';
import { createPageRenderer } from './http/pages.js';
import { securityHeaders } from './http/security-headers.js';
import { loadAssets, serveAssets } from './http/static.js';
import { projectPath } from './paths.js';
import { apiRoutes } from './http/api-router.js';
import { routeByArea } from './http/dispatch.js';
import { healthRoutes } from './http/health-routes.js';
import { pageRoutes } from './http/home-routes.js';
import { helpRoutes } from './help/help-routes.js';
import { createMetrics, type Metrics, type MetricsSources } from './metrics/metrics.js';
import { countRequests, metricsRoutes } from './metrics/metrics-routes.js';

export type AppDeps = Readonly<{
  config: Config;
  db: Database;
  log: Logger;
  relay: { isListening(): boolean } | null;
  /** The relay's counters for GET /metrics; null when the embedded relay is off. */
  relayMeter?: MetricsSources['relay'];
  /** Shared with the calls part (call outcomes); built here when not given. */
  metrics?: Metrics;
  /** Accounts, sessions and their events; built here when the caller does not share one. */
  accounts?: AccountsModule;
  /** Calls: links, the call log, guest tickets and the signaling hub; built here when not given. */
  calls?: CallsModule;
  /** Roles, invitations and the admin pages; built here when not given. */
  staff?: StaffModule;
  /** The contact form and the support inbox; built here when not given. */
  support?: SupportModule;
  /** The connection self-test page and its short-lived relay credentials; built here (with no
   *  relay) when not given. */
  selfTest?: SelfTestModule;
}>;

export const TEMPLATES_DIR = projectPath('public', 'pages');
export const BUILT_ASSETS_DIR = projectPath('dist', 'public', 'assets');

export function buildApp(deps: AppDeps): Koa<AppState> {
  const { config, log } = deps;
  const app = new Koa<AppState>({ proxy: config.trustProxy });
  // Behind one reverse proxy, believe only the address it adds, never the client's own entries.
  app.maxIpsCount = 1;
  app.silent = true;
  const pages = createPageRenderer(TEMPLATES_DIR, { publicOrigin: config.publicOrigin });
  const accounts = deps.accounts ?? createAccountsModule({ config, db: deps.db, log });
  const metrics = deps.metrics ?? createMetrics();
  const calls = deps.calls ?? createCallsModule({ config, db: deps.db, log, accounts, turnCredentials: null, metrics });
  const staff = deps.staff ?? createStaffModule({ config, db: deps.db, log, accounts });
  const support = deps.support ?? createSupportModule({ config, db: deps.db, log, accounts });
  const selfTest = deps.selfTest ?? createSelfTestModule({ credentials: null });
  metrics.observe({ census: () => calls.hub.census(), relay: deps.relayMeter ?? null });

  app.use(countRequests(metrics));
  app.use(errorHandler(log, pages));
  app.use(securityHeaders(config));
  if (config.isHttps) {
    // Users reach us over HTTPS even when a proxy we do not trust forwards plain HTTP: the
    // configuration says so, so Secure cookies are set deliberately instead of Koa refusing them.
    app.use(async (ctx, next) => {
      ctx.cookies.secure = true;
      await next();
    });
  }
  app.use(localeChoice(config));
  app.use(serveAssets(loadAssets(BUILT_ASSETS_DIR)));
  app.use(requireSameOrigin(config.pageOrigins, log));
  app.use(jsonBody());
  app.use(accounts.auth.middleware);

  const pageRouters = [
    healthRoutes({ db: deps.db, relay: deps.relay }),
    metricsRoutes(metrics, config.metrics),
    pageRoutes(pages, { setupPending: accounts.firstAdmin.pending }),
    helpRoutes(pages),
    manifestRoutes(),
    ...accounts.routers(pages),
    ...calls.routers(pages),
    ...staff.routers(pages),
    ...support.routers(pages),
    ...selfTest.routers(pages),
  ];
  const api = apiRoutes([
    ...accounts.apiGroups(calls.profileExtras),
    ...calls.apiGroups(),
    ...staff.apiGroups(),
    ...support.apiGroups(),
    ...selfTest.apiGroups(),
  ]);
  app.use(routeByArea(api, pageRouters));
  return app;
}
