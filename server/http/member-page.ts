// Page handlers for the pages a session shapes: the header shows log-in or the member's links
// (and the staff pages to staff), the page is never cached (it says who is logged in), and a
// member-only page sends a visitor to log-in.
import type { Member } from '../accounts/session-service.js';
import { hasStaffPages } from '../staff/roles.js';
import type { AppContext } from './context.js';
import type { PageName, PageOptions, PageRenderer } from './pages.js';

/** A page to show: its template and its options, without the header's, which come from the session. */
export type PageView = Readonly<{ name: PageName } & Omit<PageOptions, 'signedIn' | 'staff'>>;

/** Shows `page` with the header the visitor or member should see; never cached. */
export function showPage(pages: PageRenderer, ctx: AppContext, page: PageView): void {
  const member = ctx.state.member;
  const { name, ...options } = page;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = pages.render(name, ctx.state.locale, { ...options, signedIn: member !== undefined, staff: member !== undefined && hasStaffPages(member.role) });
}

/**
 * The handler of a page only members see: a visitor is sent to /login. `view` is the page, or
 * gives it for this member; 'forbidden' answers 403 with the error page (a role that may not open it).
 */
export function memberPage(pages: PageRenderer, view: PageView | ((member: Member, ctx: AppContext) => PageView | 'forbidden')): (ctx: AppContext) => void {
  return (ctx) => {
    const member = ctx.state.member;
    if (member === undefined) {
      ctx.redirect('/login');
      return;
    }
    const page = typeof view === 'function' ? view(member, ctx) : view;
    if (page !== 'forbidden') return showPage(pages, ctx, page);
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.status = 403;
    ctx.body = pages.renderError(ctx.state.locale, 403, true);
  };
}
