// The pages people see. Each handler picks a template; the layout adds the shared frame.
import type Router from '@koa/router';
import { createRouter } from './router.js';
import type { AppState } from './context.js';
import type { PageRenderer } from './pages.js';

export function pageRoutes(pages: PageRenderer): Router<AppState> {
  const router = createRouter();
  router.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.body = pages.render('home', ctx.state.locale, { title: 'home.title', signedIn: ctx.state.member !== undefined });
  });
  return router;
}
