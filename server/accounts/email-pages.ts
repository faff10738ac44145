// The pages of e-mail links: "forgot password" (the form, or where to get a link when the
// service sends no e-mail), the page a reset link opens, and the page a verification link opens.
// The links' tokens are in the URL's fragment, read by the page scripts: the server never sees them here.
import type Router from '@koa/router';
import { createRouter } from '../http/router.js';
import type { AppContext, AppState } from '../http/context.js';
import type { PageName, PageOptions, PageRenderer } from '../http/pages.js';
import { formatDuration } from '../i18n/durations.js';
import { PASSWORD_RESET_LINK_LIFETIME_MS } from './password-reset.js';

export function emailPageRoutes(pages: PageRenderer, mailIsConfigured: boolean): Router<AppState> {
  const router = createRouter();
  const show = (ctx: AppContext, name: PageName, options: PageOptions): void => {
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = pages.render(name, ctx.state.locale, { ...options, signedIn: ctx.state.member !== undefined });
  };
  router.get('/forgot-password', (ctx) => {
    show(ctx, 'forgot-password', {
      title: 'forgot.title',
      script: 'forgot-password',
      vars: {
        resetValidity: formatDuration(ctx.state.locale, PASSWORD_RESET_LINK_LIFETIME_MS),
        formHidden: mailIsConfigured ? '' : 'hidden',
        noMailHidden: mailIsConfigured ? 'hidden' : '',
      },
    });
  });
  router.get('/password-reset', (ctx) => show(ctx, 'password-reset', { title: 'reset.title', script: 'password-reset' }));
  router.get('/verify-email', (ctx) => show(ctx, 'verify-email', { title: 'verify.title', script: 'verify-email' }));
  return router;
}
