// POST /api/auth/signup, /api/auth/login, /api/auth/logout. A new session replaces any session
// the browser had (rotation): a cookie planted before log-in is worth nothing after it.
import { createRouter } from '../http/router.js';
import type { AppContext } from '../http/context.js';
import type { SessionAuth } from '../http/session.js';
import type { Logger } from '../log.js';
import { parseLogin, parseSignup } from './account-rules.js';
import type { AccountService } from './account-service.js';
import type { SessionService } from './session-service.js';
import type { ApiRouteGroup } from '../http/api-router.js';
import type { EmailVerification } from './email-verification.js';

export type AuthRouteDeps = Readonly<{
  accounts: AccountService;
  sessions: SessionService;
  auth: SessionAuth;
  log: Logger;
  /** A new member's address is verified by e-mail when e-mail is configured. */
  verification: Pick<EmailVerification, 'addressSet'>;
}>;

export function authRoutes({ accounts, sessions, auth, log, verification }: AuthRouteDeps): ApiRouteGroup {
  const router = createRouter({ prefix: '/auth' });
  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });

  const endPreviousSession = (ctx: AppContext): void => {
    const previous = ctx.state.member;
    if (previous !== undefined) sessions.end(previous.id, previous.sessionId);
  };

  router.post('/signup', async (ctx) => {
    const input = parseSignup(ctx.state.body);
    const { token, member } = await accounts.signup(input, ctx.ip, ctx.get('User-Agent'));
    verification.addressSet(member.id, ctx.state.locale);
    endPreviousSession(ctx);
    auth.setCookie(ctx, token);
    log.info('auth', 'member signed up', { request_id: ctx.state.requestId });
    ctx.status = 201;
    ctx.body = accounts.profile(member.id);
  });

  router.post('/login', async (ctx) => {
    const input = parseLogin(ctx.state.body);
    try {
      const { token, member } = await accounts.login(input, ctx.ip, ctx.get('User-Agent'));
      endPreviousSession(ctx);
      auth.setCookie(ctx, token);
      log.info('auth', 'login succeeded', { request_id: ctx.state.requestId });
      ctx.body = accounts.profile(member.id);
    } catch (error) {
      // Neither the e-mail nor the address: the code says what happened, that is enough.
      log.info('auth', 'login refused', { request_id: ctx.state.requestId, code: (error as { code?: string }).code ?? 'error' });
      throw error;
    }
  });

  router.post('/logout', (ctx) => {
    const member = ctx.state.member;
    if (member !== undefined) {
      sessions.end(member.id, member.sessionId);
      log.info('auth', 'logged out', { request_id: ctx.state.requestId });
    }
    auth.clearCookie(ctx);
    ctx.status = 204;
  });

  return router;
}
