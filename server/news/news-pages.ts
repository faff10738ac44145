// /news: every current announcement, in the member's language, filled by its page script (which
// marks them read once shown). Visitors are sent to log-in.
import type Router from '@koa/router';
import type { AppState } from '../http/context.js';
import type { PageRenderer } from '../http/pages.js';
import { createRouter } from '../http/router.js';
import { hasStaffPages } from '../staff/roles.js';

export function newsPageRoutes(pages: PageRenderer): Router<AppState> {
  const router = createRouter();
  router.get('/news', (ctx) => {
    const member = ctx.state.member;
    if (member === undefined) {
      ctx.redirect('/login');
      return;
    }
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = pages.render('news', ctx.state.locale, { title: 'news.title', script: 'news', signedIn: true, staff: hasStaffPages(member.role) });
  });
  return router;
}
