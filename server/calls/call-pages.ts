// The two call pages: /calls, a member's phone (call link, directory, call log, ringing), and
// /c/<code>, the page a guest opens from a member's link. Both are shells driven by their page
// script; the guest page is rendered with the member's first name and picture so it says who
// will be rung before any script runs.
import type Router from '@koa/router';
import { createRouter } from '../http/router.js';
import type { AppState } from '../http/context.js';
import { memberPage } from '../http/member-page.js';
import { escapeHtml, type PageRenderer } from '../http/pages.js';

/** What the guest page shows of the member behind a link: a first name and a picture, nothing else. */
export type LinkOwnerCard = Readonly<{ firstName: string; avatarUrl: string | null }>;

export type CallPageDeps = Readonly<{
  /** The member a live link belongs to; null for an unknown or dead code, or when guests are off. */
  calleeOfLink(code: string): { memberId: string } | null;
  /** The link owner's first name and picture; null when the member no longer exists. */
  linkOwnerCard(memberId: string): LinkOwnerCard | null;
  /** Whether the member lets guests in one by one (the page then asks for a short note). */
  knocksFirst(memberId: string): boolean;
}>;

export function callPageRoutes(pages: PageRenderer, deps: CallPageDeps): Router<AppState> {
  const router = createRouter();

  router.get('/calls', memberPage(pages, { name: 'calls', title: 'calls.title', script: 'calls' }));
  // Who may ring the member: do-not-disturb and blocked callers.
  router.get('/calls/reach', memberPage(pages, { name: 'reach', title: 'reach.title', script: 'reach' }));

  router.get('/c/:code', (ctx) => {
    const callee = deps.calleeOfLink(ctx.params['code'] ?? '');
    const card = callee === null ? null : deps.linkOwnerCard(callee.memberId);
    if (callee === null || card === null) {
      // Unknown, replaced and switched-off links all get this page: nothing tells them apart, so
      // it reveals neither whose link it was nor that it ever worked; it says what to do.
      ctx.status = 404;
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = pages.renderError(ctx.state.locale, 404, ctx.state.member !== undefined, { heading: 'guest.linkGone.title', text: 'guest.linkGone.text' });
      return;
    }
    ctx.type = 'html';
    // The page names a member: no cache keeps it, no referrer leaks the link (security-headers.ts).
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Robots-Tag', 'noindex');
    ctx.body = pages.render('guest-call', ctx.state.locale, {
      title: 'guest.title',
      script: 'guest-call',
      signedIn: ctx.state.member !== undefined,
      // `name` fills the {name} slots of the page's strings ("Call {name}").
      vars: { name: card.firstName, avatar: avatarMarkup(card), knock: String(deps.knocksFirst(callee.memberId)) },
    });
  });

  return router;
}

/** The picture, or the first letter of the name on a coloured disc when there is none. */
function avatarMarkup(card: LinkOwnerCard): string {
  if (card.avatarUrl !== null) return `<img class="avatar avatar-large" src="${escapeHtml(card.avatarUrl)}" alt="" width="128" height="128">`;
  const initial = [...card.firstName.trim()][0]?.toUpperCase() ?? '?';
  return `<span class="avatar avatar-large avatar-initials" aria-hidden="true">${escapeHtml(initial)}</span>`;
}
