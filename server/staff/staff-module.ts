// Composition of the staff part: roles at work on accounts, invitations, service news
// (server/news/), statistics (server/stats/), the admin API and pages, and the watch that
// closes the sockets of accounts disabled from the CLI.
import type { Database } from 'better-sqlite3';
import type Router from '@koa/router';
import type { AccountsModule } from '../accounts/accounts-module.js';
import type { Config } from '../config.js';
import type { ApiRouteGroup } from '../http/api-router.js';
import type { AppState } from '../http/context.js';
import type { PageRenderer } from '../http/pages.js';
import type { Logger } from '../log.js';
import { createAccountAdminService, type AccountAdminService } from './account-admin-service.js';
import { createAccountAdminStore } from './account-admin-store.js';
import { adminRoutes } from './admin-routes.js';
import { watchDisabledAccounts, type DisabledWatch } from './disabled-watch.js';
import { SETUP_PATH_PREFIX } from './first-admin.js';
import { createInvitationService, type InvitationService } from './invitation-service.js';
import { createInvitationStore } from './invitation-store.js';
import { staffPageRoutes } from './staff-pages.js';
import { newsPageRoutes } from '../news/news-pages.js';
import { newsAdminRoutes, newsRoutes } from '../news/news-routes.js';
import { createNewsService, type NewsService } from '../news/news-service.js';
import { createNewsStore } from '../news/news-store.js';
import { statsRoutes } from '../stats/stats-routes.js';
import { createStatsService, type StatsService } from '../stats/stats-service.js';
import { createStatsStore } from '../stats/stats-store.js';

export type StaffModule = Readonly<{
  accountAdmin: AccountAdminService;
  invitations: InvitationService;
  news: NewsService;
  stats: StatsService;
  apiGroups(): ApiRouteGroup[];
  routers(pages: PageRenderer): Router<AppState>[];
  /** Starts re-reading which accounts are disabled (another process may disable them). */
  watchDisabled(intervalMs?: number): DisabledWatch;
  /** While no admin exists, writes a new one-time setup link to the log. */
  announceSetup(): void;
}>;

export function createStaffModule(deps: { config: Config; db: Database; log: Logger; accounts: AccountsModule; now?: () => number }): StaffModule {
  const { config, db, log, accounts } = deps;
  const now = deps.now ?? Date.now;
  const store = createAccountAdminStore(db);
  const accountAdmin = createAccountAdminService({ store, events: accounts.events, now });
  const invitations = createInvitationService({ store: createInvitationStore(db), publicOrigin: config.publicOrigin, now });
  const news = createNewsService({ store: createNewsStore(db), now });
  const stats = createStatsService({ store: createStatsStore(db), now });
  return {
    accountAdmin,
    invitations,
    news,
    stats,
    apiGroups: () => [adminRoutes({ accountAdmin, invitations, log }), newsAdminRoutes(news, log), newsRoutes(news), statsRoutes(stats)],
    routers: (pages) => [staffPageRoutes(pages), newsPageRoutes(pages)],
    watchDisabled: (intervalMs) =>
      watchDisabledAccounts({
        disabledIds: store.disabledIds,
        onDisabled(memberId) {
          // The CLI deleted the sessions already; one opened in between ends here.
          accounts.sessions.endAll(memberId);
          accounts.events.memberDisabled(memberId);
        },
        onError: (error) => log.error('staff', 'reading disabled accounts failed', { error: String(error) }),
        ...(intervalMs === undefined ? {} : { intervalMs }),
      }),
    announceSetup() {
      const token = accounts.firstAdmin.issue();
      if (token === null) return;
      // The one token this service ever writes to its log, on purpose: on a fresh instance the
      // operator reading the log (journalctl -u porthello) is the only one who may become the
      // first admin. It is one line, worth nothing once an admin exists, and replaced at each
      // start-up. Everything else stays under "no tokens in logs".
      log.warn('setup', `no admin account yet: create it with this one-time link ${config.publicOrigin}${SETUP_PATH_PREFIX}${token}`);
    },
  };
}
