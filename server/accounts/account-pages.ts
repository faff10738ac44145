// The account pages: sign-up, log-in, profile, "my data" and the privacy policy. They are
// shells filled by their page script from the JSON API; a member's pages send visitors to
// log-in, and log-in and sign-up send members to their profile.
import type Router from '@koa/router';
import { createRouter } from '../http/router.js';
import type { AppContext, AppState } from '../http/context.js';
import type { PageName, PageOptions, PageRenderer } from '../http/pages.js';
import { translate } from '../i18n/index.js';
import { CURRENT_POLICY_VERSION, PRIVACY_POLICY_HISTORY } from './privacy-policy.js';
import { escapeHtml } from '../http/pages.js';
import { type PrivacyFacts, privacyPageVars } from './privacy-facts.js';

export function accountPageRoutes(pages: PageRenderer, privacy: PrivacyFacts): Router<AppState> {
  const router = createRouter();
  const show = (ctx: AppContext, name: PageName, options: PageOptions): void => {
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = pages.render(name, ctx.state.locale, { ...options, signedIn: ctx.state.member !== undefined });
  };
  const visitorsOnly = (ctx: AppContext): boolean => {
    if (ctx.state.member === undefined) return true;
    ctx.redirect('/calls');
    return false;
  };
  const membersOnly = (ctx: AppContext): boolean => {
    if (ctx.state.member !== undefined) return true;
    ctx.redirect('/login');
    return false;
  };

  router.get('/signup', (ctx) => {
    if (visitorsOnly(ctx)) show(ctx, 'signup', { title: 'signup.title', script: 'signup', vars: { policyVersion: CURRENT_POLICY_VERSION } });
  });
  router.get('/login', (ctx) => {
    if (visitorsOnly(ctx)) show(ctx, 'login', { title: 'login.title', script: 'login' });
  });
  router.get('/profile', (ctx) => {
    if (membersOnly(ctx)) show(ctx, 'profile', { title: 'profile.title', script: 'profile' });
  });
  router.get('/my-data', (ctx) => {
    if (membersOnly(ctx)) show(ctx, 'my-data', { title: 'myData.title', script: 'my-data' });
  });
  router.get('/privacy', (ctx) => {
    const history = PRIVACY_POLICY_HISTORY.map(
      (entry) =>
        `<li><time datetime="${escapeHtml(entry.version)}">${escapeHtml(entry.version)}</time> — ${escapeHtml(translate(ctx.state.locale, entry.changes))}</li>`,
    ).join('');
    // What is kept, for how long, where calls and mail go: from the live configuration, so the
    // policy says what this instance does (privacy-facts.ts).
    show(ctx, 'privacy', {
      title: 'policy.title',
      vars: { policyVersion: CURRENT_POLICY_VERSION, policyHistory: history, ...privacyPageVars(ctx.state.locale, privacy) },
    });
  });
  return router;
}
