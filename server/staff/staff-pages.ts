// The staff pages: accounts, invitations, news and statistics. Shells filled by their page scripts
// from the API; a visitor is sent to log-in, a member whose role has no use for a page gets 403
// (the API refuses them anyway: the page only spares them a form that cannot work).
import type Router from '@koa/router';
import { createRouter } from '../http/router.js';
import type { AppContext, AppState } from '../http/context.js';
import { escapeHtml, type PageName, type PageRenderer } from '../http/pages.js';
import { type Locale, type MessageKey, translate } from '../i18n/index.js';
import type { Role } from '../contract/api.js';
import { canAnswerSupport, canManageInvitations, canPublishNews, canSeeAccounts, canSeeStatistics } from './roles.js';
import { memberPage } from '../http/member-page.js';
import { SUPPORT_MESSAGE_MAX_CODE_POINTS } from '../contract/support.js';
import { ACCOUNT_QUERY_MAX_LENGTH } from './account-admin-service.js';
import { NEWS_END_MAX_DAYS, NEWS_TEXT_MAX_CODE_POINTS, NEWS_TITLE_MAX_CODE_POINTS } from '../contract/news.js';
import { STATS_DAYS, STATS_MIN_PEOPLE, STATS_WEEKS } from '../contract/stats.js';
import { DEFAULT_INVITATION_DAYS, MAX_INVITATION_DAYS, MAX_INVITATION_USES } from './invitation-service.js';

/** The limits the forms state and check before sending (the API checks them again). */
const FORM_VARS: Readonly<Record<string, string>> = {
  accountQueryMax: String(ACCOUNT_QUERY_MAX_LENGTH),
  invitationMaxUses: String(MAX_INVITATION_USES),
  invitationMaxDays: String(MAX_INVITATION_DAYS),
  invitationDefaultDays: String(DEFAULT_INVITATION_DAYS),
  newsTitleMax: String(NEWS_TITLE_MAX_CODE_POINTS),
  newsTextMax: String(NEWS_TEXT_MAX_CODE_POINTS),
  newsEndMaxDays: String(NEWS_END_MAX_DAYS),
  statsMinPeople: String(STATS_MIN_PEOPLE),
  statsDays: String(STATS_DAYS),
  statsWeeks: String(STATS_WEEKS),
  supportMessageMax: String(SUPPORT_MESSAGE_MAX_CODE_POINTS),
};

/** The staff pages in the order of the admin navigation, each with who may open it. */
export type StaffPage = Readonly<{ path: string; name: PageName; title: MessageKey; nav: MessageKey; allowed: (role: Role) => boolean }>;

export const STAFF_PAGES: readonly StaffPage[] = [
  { path: '/admin/accounts', name: 'admin-accounts', title: 'admin.accounts.title', nav: 'admin.nav.accounts', allowed: canSeeAccounts },
  { path: '/admin/invitations', name: 'admin-invitations', title: 'admin.invitations.title', nav: 'admin.nav.invitations', allowed: canManageInvitations },
  { path: '/admin/support', name: 'admin-support', title: 'admin.support.title', nav: 'admin.nav.support', allowed: canAnswerSupport },
  { path: '/admin/news', name: 'admin-news', title: 'news.admin.title', nav: 'news.admin.nav', allowed: canPublishNews },
  { path: '/admin/stats', name: 'admin-stats', title: 'stats.title', nav: 'stats.nav', allowed: canSeeStatistics },
];

/** The admin navigation: only the pages this role may open (a link to a 403 helps nobody). */
function adminNav(locale: Locale, role: Role, current: string): string {
  const links = STAFF_PAGES.filter((page) => page.allowed(role)).map((page) => {
    const mark = page.path === current ? ' aria-current="page"' : '';
    return `<a href="${page.path}"${mark}>${escapeHtml(translate(locale, page.nav))}</a>`;
  });
  return `<nav class="admin-nav" aria-label="${escapeHtml(translate(locale, 'admin.nav.section'))}">${links.join('')}</nav>`;
}

/** A staff page's handler: a visitor is sent to log-in, a member whose role may not use it gets 403. */
function staffPage(pages: PageRenderer, page: StaffPage): (ctx: AppContext) => void {
  return memberPage(pages, (member, ctx) => {
    if (!page.allowed(member.role)) return 'forbidden';
    return { name: page.name, title: page.title, script: page.name, vars: { ...FORM_VARS, adminNav: adminNav(ctx.state.locale, member.role, page.path) } };
  });
}

/** The staff pages, and /admin, which leads to the first page the role may open. */
export function staffPageRoutes(pages: PageRenderer): Router<AppState> {
  const router = createRouter();
  router.get('/admin', (ctx) => {
    const role = ctx.state.member?.role;
    ctx.redirect(STAFF_PAGES.find((page) => role !== undefined && page.allowed(role))?.path ?? '/admin/accounts');
  });
  for (const page of STAFF_PAGES) router.get(page.path, staffPage(pages, page));
  return router;
}
