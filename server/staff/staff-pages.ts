// The staff pages: accounts and invitations. Shells filled by their page scripts from
// /api/admin/...; a visitor is sent to log-in, a member whose role has no use for a page gets 403
// (the API refuses them anyway: the page only spares them a form that cannot work).
import type Router from '@koa/router';
import { createRouter } from '../http/router.js';
import type { AppContext, AppState } from '../http/context.js';
import type { PageName, PageRenderer } from '../http/pages.js';
import type { MessageKey } from '../i18n/index.js';
import type { Role } from '../contract/api.js';
import { canAnswerSupport, canManageInvitations, canSeeAccounts, hasStaffPages } from './roles.js';
import { ACCOUNT_QUERY_MAX_LENGTH } from './account-admin-service.js';
import { DEFAULT_INVITATION_DAYS, MAX_INVITATION_DAYS, MAX_INVITATION_USES } from './invitation-service.js';

/** The limits the forms state and check before sending (the API checks them again). */
const FORM_VARS: Readonly<Record<string, string>> = {
  accountQueryMax: String(ACCOUNT_QUERY_MAX_LENGTH),
  invitationMaxUses: String(MAX_INVITATION_USES),
  invitationMaxDays: String(MAX_INVITATION_DAYS),
  invitationDefaultDays: String(DEFAULT_INVITATION_DAYS),
};

export function staffPageRoutes(pages: PageRenderer): Router<AppState> {
  const router = createRouter();
  const page = (name: PageName, title: MessageKey, allowed: (role: Role) => boolean) => (ctx: AppContext) => {
    const member = ctx.state.member;
    if (member === undefined) {
      ctx.redirect('/login');
      return;
    }
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    if (!allowed(member.role)) {
      ctx.status = 403;
      ctx.body = pages.renderError(ctx.state.locale, 403, true);
      return;
    }
    ctx.body = pages.render(name, ctx.state.locale, {
      title,
      script: name,
      signedIn: true,
      staff: hasStaffPages(member.role),
      // Support sees the accounts only: no link to a page that would answer 403.
      vars: {
        ...FORM_VARS,
        invitationsHidden: canManageInvitations(member.role) ? '' : 'hidden',
        supportHidden: canAnswerSupport(member.role) ? '' : 'hidden',
      },
    });
  };
  router.get('/admin', (ctx) => {
    const member = ctx.state.member;
    ctx.redirect(member !== undefined && !canSeeAccounts(member.role) && canManageInvitations(member.role) ? '/admin/invitations' : '/admin/accounts');
  });
  router.get('/admin/accounts', page('admin-accounts', 'admin.accounts.title', canSeeAccounts));
  router.get('/admin/invitations', page('admin-invitations', 'admin.invitations.title', canManageInvitations));
  return router;
}
