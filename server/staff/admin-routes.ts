// /api/admin/...: accounts (search, role, disable, enable) and invitations (create, list,
// revoke). Every handler needs a logged-in member; the services decide what their role allows.
import { createRouter } from '../http/router.js';
import type { AppContext } from '../http/context.js';
import { requireMember } from '../http/session.js';
import type { ApiRouteGroup } from '../http/api-router.js';
import { badRequest } from '../errors.js';
import type { Logger } from '../log.js';
import type { AccountList, InvitationList } from '../contract/api.js';
import { ACCOUNT_QUERY_MAX_LENGTH, type AccountAdminService } from './account-admin-service.js';
import type { Actor } from './actor.js';
import { parseInvitation, parseRoleChange } from './admin-rules.js';
import type { InvitationService } from './invitation-service.js';

export type AdminRouteDeps = Readonly<{ accountAdmin: AccountAdminService; invitations: InvitationService; log: Logger }>;

/** The logged-in member asking, as the services take them. */
export const actorOf = (ctx: AppContext): Actor => {
  const member = requireMember(ctx);
  return { id: member.id, role: member.role };
};

export function adminRoutes({ accountAdmin, invitations, log }: AdminRouteDeps): ApiRouteGroup {
  const router = createRouter({ prefix: '/admin' });
  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });

  router.get('/accounts', (ctx) => {
    const query = ctx.query['q'] ?? '';
    if (typeof query !== 'string' || [...query].length > ACCOUNT_QUERY_MAX_LENGTH)
      throw badRequest('invalid_query', `q must be one text of at most ${ACCOUNT_QUERY_MAX_LENGTH} characters.`);
    const list: AccountList = accountAdmin.list(actorOf(ctx), query);
    ctx.body = list;
  });

  router.put('/accounts/:id/role', (ctx) => {
    const actor = actorOf(ctx);
    const { role } = parseRoleChange(ctx.state.body);
    ctx.body = accountAdmin.setRole(actor, ctx.params['id'] ?? '', role);
    log.info('admin', 'role changed', { request_id: ctx.state.requestId, role });
  });

  router.post('/accounts/:id/disable', (ctx) => {
    ctx.body = accountAdmin.disable(actorOf(ctx), ctx.params['id'] ?? '');
    log.info('admin', 'account disabled', { request_id: ctx.state.requestId });
  });

  router.post('/accounts/:id/enable', (ctx) => {
    ctx.body = accountAdmin.enable(actorOf(ctx), ctx.params['id'] ?? '');
    log.info('admin', 'account enabled', { request_id: ctx.state.requestId });
  });

  router.get('/invitations', (ctx) => {
    const list: InvitationList = { invitations: invitations.list(actorOf(ctx)) };
    ctx.body = list;
  });

  router.post('/invitations', (ctx) => {
    const actor = actorOf(ctx);
    ctx.status = 201;
    ctx.body = invitations.create(actor, parseInvitation(ctx.state.body));
    log.info('admin', 'invitation created', { request_id: ctx.state.requestId });
  });

  router.post('/invitations/:id/revoke', (ctx) => {
    invitations.revoke(actorOf(ctx), ctx.params['id'] ?? '');
    log.info('admin', 'invitation revoked', { request_id: ctx.state.requestId });
    ctx.status = 204;
  });

  return router;
}
