// The support pages: /contact (anyone; pre-filled for a member) and /support (a member's own
// conversations); the inbox, /admin/support, is a staff page (server/staff/staff-pages.ts). Shells filled by their
// page scripts from /api/support/... and /api/admin/support/...; the API checks everything again.
import type Router from '@koa/router';
import { SUPPORT_MESSAGE_MAX_CODE_POINTS, SUPPORT_NAME_MAX_CODE_POINTS, SUPPORT_SUBJECT_MAX_CODE_POINTS } from '../contract/support.js';
import type { AppState } from '../http/context.js';
import { memberPage, showPage } from '../http/member-page.js';
import type { PageRenderer } from '../http/pages.js';
import { createRouter } from '../http/router.js';
import { formatDuration } from '../i18n/durations.js';
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

  router.get(CONTACT_PATH, (ctx) => {
    const member = ctx.state.member;
    const profile = member === undefined ? null : deps.profileOf(member.id);
    showPage(pages, ctx, {
      name: 'contact',
      title: 'contact.title',
      script: 'contact',
      vars: {
        ...FORM_VARS,
        supportRetention: formatDuration(ctx.state.locale, deps.retentionDays * DAY_MS),
        prefillEmail: profile?.email ?? '',
        prefillName: profile === null ? '' : `${profile.firstName} ${profile.lastName}`,
        memberHidden: profile === null ? 'hidden' : '',
      },
    });
  });

  router.get(MEMBER_SUPPORT_PATH, memberPage(pages, { name: 'support', title: 'support.title', script: 'support', vars: FORM_VARS }));

  return router;
}
