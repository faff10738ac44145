// The connection self-test: the page /test, open to anyone, and the relay credentials it uses.
// The signaling check needs nothing here: the page opens a probe socket on the signaler itself
// (PROBE_SOCKET_QUERY in signal/protocol.ts).
import type Router from '@koa/router';
import type { ApiRouteGroup } from '../http/api-router.js';
import type { AppState } from '../http/context.js';
import { showPage } from '../http/member-page.js';
import type { PageRenderer } from '../http/pages.js';
import { createRouter } from '../http/router.js';
import type { TurnCredentials } from '../turn/credentials.js';
import { createSelfTestService, type SelfTestService } from './selftest-service.js';

export type SelfTestModule = Readonly<{
  service: SelfTestService;
  routers(pages: PageRenderer): Router<AppState>[];
  apiGroups(): ApiRouteGroup[];
}>;

export function createSelfTestModule(deps: { credentials: TurnCredentials | null; now?: () => number; autoSweep?: boolean }): SelfTestModule {
  const service = createSelfTestService(deps);
  return {
    service,
    routers(pages) {
      const router = createRouter();
      router.get('/test', (ctx) => showPage(pages, ctx, { name: 'self-test', title: 'selftest.title', script: 'self-test' }));
      return [router];
    },
    apiGroups() {
      const router = createRouter();
      // POST, not GET: each call mints credentials, and the Origin check guards state changes.
      router.post('/self-test/ice-servers', (ctx) => {
        ctx.set('Cache-Control', 'no-store');
        ctx.body = service.start(ctx.ip);
      });
      return [router];
    },
  };
}
