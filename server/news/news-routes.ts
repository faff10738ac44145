// /api/admin/news (an admin writes) and /api/news (a member reads). Every handler needs a
// logged-in member; the service decides what their role allows.
import type { NewsAdminList, NewsFeed } from '../contract/news.js';
import type { ApiRouteGroup } from '../http/api-router.js';
import type { AppMiddleware } from '../http/context.js';
import { createRouter } from '../http/router.js';
import { requireMember } from '../http/session.js';
import type { Logger } from '../log.js';
import { actorOf } from '../staff/admin-routes.js';
import { parseNewsInput, parseNewsRead } from './news-rules.js';
import type { NewsService } from './news-service.js';

const noStore: AppMiddleware = async (ctx, next) => {
  ctx.set('Cache-Control', 'no-store');
  await next();
};

export function newsAdminRoutes(news: NewsService, log: Logger): ApiRouteGroup {
  const router = createRouter({ prefix: '/admin' });
  router.use(noStore);

  router.get('/news', (ctx) => {
    const list: NewsAdminList = { announcements: news.list(actorOf(ctx)) };
    ctx.body = list;
  });

  router.post('/news', (ctx) => {
    const actor = actorOf(ctx);
    ctx.status = 201;
    ctx.body = news.create(actor, parseNewsInput(ctx.state.body));
    log.info('news', 'announcement published', { request_id: ctx.state.requestId });
  });

  router.put('/news/:id', (ctx) => {
    const actor = actorOf(ctx);
    ctx.body = news.update(actor, ctx.params['id'] ?? '', parseNewsInput(ctx.state.body));
    log.info('news', 'announcement changed', { request_id: ctx.state.requestId });
  });

  router.delete('/news/:id', (ctx) => {
    news.remove(actorOf(ctx), ctx.params['id'] ?? '');
    log.info('news', 'announcement deleted', { request_id: ctx.state.requestId });
    ctx.status = 204;
  });

  return router;
}

export function newsRoutes(news: NewsService): ApiRouteGroup {
  const router = createRouter();
  router.use(noStore);

  router.get('/news', (ctx) => {
    const feed: NewsFeed = news.feed(requireMember(ctx).id, ctx.state.locale);
    ctx.body = feed;
  });

  router.post('/news/read', (ctx) => {
    const member = requireMember(ctx);
    news.markRead(member.id, parseNewsRead(ctx.state.body).ids);
    ctx.status = 204;
  });

  return router;
}
