// Composition of the support part: the contact form, the inbox, a member's own conversations,
// replies by e-mail, and the timer that erases prospects' conversations past their retention.
import type Router from '@koa/router';
import type { Database } from 'better-sqlite3';
import type { AccountsModule } from '../accounts/accounts-module.js';
import { type Clock, systemClock } from '../accounts/clock.js';
import type { Config } from '../config.js';
import type { ApiRouteGroup } from '../http/api-router.js';
import type { AppState } from '../http/context.js';
import type { PageRenderer } from '../http/pages.js';
import type { Logger } from '../log.js';
import { type PurgeTimer, startSupportPurge } from './purge-timer.js';
import { mailReplies } from './support-mail.js';
import { supportPageRoutes } from './support-pages.js';
import { supportRoutes } from './support-routes.js';
import { createSupportService, type SupportLimits, type SupportService } from './support-service.js';
import { createSupportStore } from './support-store.js';

export type SupportModule = Readonly<{
  service: SupportService;
  apiGroups(): ApiRouteGroup[];
  routers(pages: PageRenderer): Router<AppState>[];
  /** Starts erasing prospects' conversations past PORTHELLO_SUPPORT_RETENTION_DAYS (now, then on a timer). */
  startPurge(intervalMs?: number): PurgeTimer;
  /** Resolves when every reply mail started so far has been handed to the mail server or failed. */
  idle(): Promise<void>;
}>;

export function createSupportModule(deps: {
  config: Config;
  db: Database;
  log: Logger;
  accounts: AccountsModule;
  clock?: Clock;
  limits?: Partial<SupportLimits>;
}): SupportModule {
  const { config, log, accounts } = deps;
  const notifyReply = mailReplies({ mailer: accounts.mailer, publicOrigin: config.publicOrigin });
  const service = createSupportService({
    store: createSupportStore(deps.db),
    clock: deps.clock ?? systemClock,
    retentionDays: config.support.retentionDays,
    notifyReply,
    ...(deps.limits === undefined ? {} : { limits: deps.limits }),
  });
  return {
    service,
    apiGroups: () => [supportRoutes({ support: service, log })],
    routers: (pages) => [
      supportPageRoutes(pages, {
        retentionDays: config.support.retentionDays,
        profileOf: (memberId) => accounts.accounts.profile(memberId),
      }),
    ],
    startPurge: (intervalMs) =>
      startSupportPurge({
        purge: service.purge,
        onPurged: (count) => log.info('support', 'prospects’ conversations past their retention erased', { count }),
        onError: (error) => log.error('support', 'erasing old support conversations failed', { error: String(error) }),
        ...(intervalMs === undefined ? {} : { intervalMs }),
      }),
    idle: () => notifyReply.idle(),
  };
}
