// The e-mail routes: a forgotten password (ask for a link, use it), address verification (use
// the link, send it again) and the news e-mail preference.
//   POST /api/auth/password-reset {email}                  202, whatever the address
//   POST /api/auth/password-reset/confirm {token, password} 204
//   POST /api/auth/email-verification/confirm {token}     204
//   POST /api/me/email-verification                        202 (send the link again)
//   PUT  /api/me/news-emails {newsEmails}                  200 {newsEmails}
import type { NewsPreference } from '../contract/api.js';
import { requireMember } from '../http/session.js';
import { createRouter } from '../http/router.js';
import type { ApiRouteGroup } from '../http/api-router.js';
import type { Logger } from '../log.js';
import { parseLinkToken, parseNewsPreference, parsePasswordReset, parseResetRequest } from './email-rules.js';
import type { EmailStore } from './email-store.js';
import type { EmailVerification } from './email-verification.js';
import type { PasswordReset } from './password-reset.js';
import type { Clock } from './clock.js';

export type EmailRouteDeps = Readonly<{
  reset: PasswordReset;
  verification: EmailVerification;
  store: EmailStore;
  clock: Pick<Clock, 'now'>;
  log: Logger;
}>;

export function emailRoutes({ reset, verification, store, clock, log }: EmailRouteDeps): ApiRouteGroup {
  const router = createRouter();
  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });

  router.post('/auth/password-reset', (ctx) => {
    const { email } = parseResetRequest(ctx.state.body);
    reset.request(email, ctx.ip, ctx.state.locale);
    // The same answer for every address: nothing here says whether an account uses it.
    ctx.status = 202;
    ctx.body = { accepted: true };
  });

  router.post('/auth/password-reset/confirm', async (ctx) => {
    const { token, password } = parsePasswordReset(ctx.state.body);
    await reset.confirm(token, password, ctx.ip);
    log.info('auth', 'password set from a reset link', { request_id: ctx.state.requestId });
    ctx.status = 204;
  });

  router.post('/auth/email-verification/confirm', (ctx) => {
    const { token } = parseLinkToken(ctx.state.body);
    verification.confirm(token);
    ctx.status = 204;
  });

  router.post('/me/email-verification', (ctx) => {
    verification.resend(requireMember(ctx).id, ctx.state.locale);
    ctx.status = 202;
    ctx.body = { accepted: true };
  });

  router.put('/me/news-emails', (ctx) => {
    const member = requireMember(ctx);
    const { newsEmails } = parseNewsPreference(ctx.state.body);
    store.setNews(member.id, newsEmails, new Date(clock.now()).toISOString());
    ctx.body = { newsEmails: store.wantsNews(member.id) } satisfies NewsPreference;
  });

  return router;
}
