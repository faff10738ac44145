// The support pages: /contact (anyone; pre-filled for a member), /support (a member's own
// conversations) and /admin/support (the inbox, for support and admin). Shells filled by their
// page scripts from /api/support/... and /api/admin/support/...; the API checks everything again.
import type Router from '@koa/router';
import { SUPPORT_MESSAGE_MAX_CODE_POINTS, SUPPORT_NAME_MAX_CODE_POINTS, SUPPORT_SUBJECT_MAX_CODE_POINTS } from '../contract/support.js';
import type { AppContext, AppState } from '../http/context.js';
import type { PageName, PageOptions, PageRenderer } from '../http/pages.js';
import { createRouter } from '../http/router.js';
import { formatDuration } from '../i18n/durations.js';
import { canAnswerSupport, canManageInvitations, hasStaffPages } from '../staff/roles.js';
import { CONTACT_PATH, MEMBER_SUPPORT_PATH } from './support-mail.js';

const DAY_MS = 24 * 3600_000;

/** The limits the forms state and check before sending. */
const FORM_VARS: Readonly<Record<string, string>> = {
  supportNameMax: String(SUPPORT_NAME_MAX_CODE_POINTS),
  supportSubjectMax: String(SUPPORT_SUBJECT_MAX_CODE_POINTS),
  supportMessageMax: String(SUPPORT_MESSAGE_MAX_CODE_POINTS),
};

export type ContactPrefill = Readonly<{ email: string; firstName: string; lastName: string }>;

export function supportPageRoutes(
  pages: PageRenderer,
  deps: Readonly<{ retentionDays: number; profileOf(memberId: string): ContactPrefill }>,
): Router<AppState> {
  const router = createRouter();
  const show = (ctx: AppContext, name: PageName, options: PageOptions): void => {
    const member = ctx.state.member;
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = pages.render(name, ctx.state.locale, {
      ...options,
      vars: { ...FORM_VARS, ...options.vars },
      signedIn: member !== undefined,
      staff: member !== undefined && hasStaffPages(member.role),
    });
  };

  router.get(CONTACT_PATH, (ctx) => {
    const member = ctx.state.member;
    const profile = member === undefined ? null : deps.profileOf(member.id);
    show(ctx, 'contact', {
      title: 'contact.title',
      script: 'contact',
      vars: {
        supportRetention: formatDuration(ctx.state.locale, deps.retentionDays * DAY_MS),
        prefillEmail: profile?.email ?? '',
        prefillName: profile === null ? '' : `${profile.firstName} ${profile.lastName}`,
        memberHidden: profile === null ? 'hidden' : '',
      },
    });
  });

  router.get(MEMBER_SUPPORT_PATH, (ctx) => {
    if (ctx.state.member === undefined) {
      ctx.redirect('/login');
      return;
    }
    show(ctx, 'support', { title: 'support.title', script: 'support' });
  });

  router.get('/admin/support', (ctx) => {
    const member = ctx.state.member;
    if (member === undefined) {
      ctx.redirect('/login');
      return;
    }
    if (!canAnswerSupport(member.role)) {
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      ctx.status = 403;
      ctx.body = pages.renderError(ctx.state.locale, 403, true);
      return;
    }
    show(ctx, 'admin-support', {
      title: 'admin.support.title',
      script: 'admin-support',
      vars: { invitationsHidden: canManageInvitations(member.role) ? '' : 'hidden' },
    });
  });
  return router;
}
