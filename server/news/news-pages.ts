// /news: every current announcement, in the member's language, filled by its page script (which
// marks them read once shown). Visitors are sent to log-in.
import type Router from '@koa/router';
import type { AppState } from '../http/context.js';
import { memberPage } from '../http/member-page.js';
import type { PageRenderer } from '../http/pages.js';
import { createRouter } from '../http/router.js';

export function newsPageRoutes(pages: PageRenderer): Router<AppState> {
  const router = createRouter();
  router.get('/news', memberPage(pages, { name: 'news', title: 'news.title', script: 'news' }));
  return router;
}
