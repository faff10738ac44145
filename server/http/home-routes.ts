// The pages people see. Each handler picks a template; the layout adds the shared frame.
import type Router from '@koa/router';
import { createRouter } from './router.js';
import type { AppState } from './context.js';
import { showPage } from './member-page.js';
import { escapeHtml, type PageRenderer } from './pages.js';
import { translate, type Locale } from '../i18n/index.js';

/** While no admin exists, the home page says where the setup link is (the service's log). */
function setupNotice(locale: Locale): string {
  return `<aside class="card notice" aria-labelledby="setup-title"><h2 id="setup-title">${escapeHtml(translate(locale, 'admin.setup.notice.title'))}</h2><p>${escapeHtml(translate(locale, 'admin.setup.notice.text'))}</p></aside>`;
}

export function pageRoutes(pages: PageRenderer, deps: Readonly<{ setupPending(): boolean }>): Router<AppState> {
  const router = createRouter();
  // The header says who is logged in: shown as any session-shaped page is, never cached.
  router.get('/', (ctx) =>
    showPage(pages, ctx, { name: 'home', title: 'home.title', vars: { setupNotice: deps.setupPending() ? setupNotice(ctx.state.locale) : '' } }),
  );
  return router;
}
