// POST /api/auth/signup, /api/auth/login, /api/auth/logout. A new session replaces any session
// the browser had (rotation): a cookie planted before log-in is worth nothing after it.
import { createRouter } from '../http/router.js';
import type { AppContext } from '../http/context.js';
import type { SessionAuth } from '../http/session.js';
import type { Logger } from '../log.js';
import { parseLogin, parseSignup } from './account-rules.js';
import type { AccountService } from './account-service.js';
import type { Member, SessionService } from './session-service.js';
import type { ApiRouteGroup } from '../http/api-router.js';
import type { FirstAdminSetup } from '../staff/first-admin.js';
import { secretField, schema } from '../http/schema.js';
import type { EmailVerification } from './email-verification.js';

export type AuthRouteDeps = Readonly<{
  accounts: AccountService;
  sessions: SessionService;
  auth: SessionAuth;
  log: Logger;
  firstAdmin: Pick<FirstAdminSetup, 'gate'>;
  /** A new member's address is verified by e-mail when e-mail is configured. */
  verification: Pick<EmailVerification, 'addressSet'>;
}>;

/** The setup token (43 characters); the rest of the body is a sign-up's. */
const parseSetupToken = schema({ token: secretField(64) });

export function authRoutes({ accounts, sessions, auth, log, firstAdmin, verification }: AuthRouteDeps): ApiRouteGroup {
  const router = createRouter({ prefix: '/auth' });
  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });

  const endPreviousSession = (ctx: AppContext): void => {
    const previous = ctx.state.member;
    if (previous !== undefined) sessions.end(previous.id, previous.sessionId);
  };

  /** A new account's first session: its address goes to verification, the browser is logged in. */
  const welcome = (ctx: AppContext, { token, member }: { token: string; member: Member }, event: string): void => {
    verification.addressSet(member.id, ctx.state.locale);
    endPreviousSession(ctx);
    auth.setCookie(ctx, token);
    log.info('auth', event, { request_id: ctx.state.requestId });
    ctx.status = 201;
    ctx.body = accounts.profile(member.id);
  };

  router.post('/signup', async (ctx) => {
    const input = parseSignup(ctx.state.body);
    welcome(ctx, await accounts.signup(input, ctx.ip, ctx.get('User-Agent')), 'member signed up');
  });

  // The first admin, through the one-time link start-up printed (server/staff/first-admin.ts).
  router.post('/setup', async (ctx) => {
    const { token, ...rest } = (typeof ctx.state.body === 'object' && ctx.state.body !== null ? ctx.state.body : {}) as Record<string, unknown>;
    const setup = parseSetupToken({ token });
    const input = parseSignup(rest);
    const created = await accounts.signup(input, ctx.ip, ctx.get('User-Agent'), { gate: firstAdmin.gate(setup.token), role: 'admin' });
    welcome(ctx, created, 'first admin account created');
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
