// The account pages: sign-up, log-in, profile, "my data" and the privacy policy. They are
// shells filled by their page script from the JSON API; a member's pages send visitors to
// log-in, and log-in and sign-up send members to their profile.
import type Router from '@koa/router';
import { createRouter } from '../http/router.js';
import type { AppContext, AppState } from '../http/context.js';
import type { PageName, PageRenderer } from '../http/pages.js';
import { memberPage, showPage, type PageView } from '../http/member-page.js';
import { translate, type MessageKey } from '../i18n/index.js';
import { CURRENT_POLICY_VERSION, PRIVACY_POLICY_HISTORY } from './privacy-policy.js';
import { escapeHtml } from '../http/pages.js';
import type { Config } from '../config.js';
import type { Locale } from '../i18n/index.js';
import type { FirstAdminSetup } from '../staff/first-admin.js';
import { type PrivacyFacts, privacyPageVars } from './privacy-facts.js';

export function accountPageRoutes(
  pages: PageRenderer,
  config: Pick<Config, 'access'>,
  firstAdmin: Pick<FirstAdminSetup, 'isValid'>,
  privacy: PrivacyFacts,
): Router<AppState> {
  const router = createRouter();
  const show = (ctx: AppContext, name: PageName, options: Omit<PageView, 'name'>): void => showPage(pages, ctx, { name, ...options });
  /** The sign-up form, as itself or as the first admin's setup form (mode `setup`). */
  const signupVars = (locale: Locale, mode: string, heading: MessageKey, lead: MessageKey): Record<string, string> => ({
    policyVersion: CURRENT_POLICY_VERSION,
    heading: translate(locale, heading),
    lead: translate(locale, lead),
    signupMode: mode,
    domainsHint:
      mode === 'domains' ? translate(locale, 'admin.signup.inviteHintDomains').replace('{signupDomains}', config.access.signupDomains.join(', ')) : '',
  });
  const visitorsOnly = (ctx: AppContext): boolean => {
    if (ctx.state.member === undefined) return true;
    ctx.redirect('/calls');
    return false;
  };

  router.get('/signup', (ctx) => {
    if (visitorsOnly(ctx))
      show(ctx, 'signup', { title: 'signup.title', script: 'signup', vars: signupVars(ctx.state.locale, config.access.signup, 'signup.title', 'signup.lead') });
  });
  // The first admin's one-time setup link, printed in the service's log at start-up.
  router.get('/setup/:token', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    // The token is in the path: no page it leads to may send it on in a Referer.
    ctx.set('Referrer-Policy', 'no-referrer');
    if (!firstAdmin.isValid(ctx.params['token'] ?? '')) {
      ctx.status = 404;
      ctx.type = 'html';
      ctx.body = pages.renderError(ctx.state.locale, 404, ctx.state.member !== undefined, { heading: 'admin.setup.gone.title', text: 'admin.setup.gone.text' });
      return;
    }
    show(ctx, 'signup', { title: 'admin.setup.title', script: 'signup', vars: signupVars(ctx.state.locale, 'setup', 'admin.setup.title', 'admin.setup.lead') });
  });
  router.get('/login', (ctx) => {
    if (visitorsOnly(ctx)) show(ctx, 'login', { title: 'login.title', script: 'login' });
  });
  router.get('/profile', memberPage(pages, { name: 'profile', title: 'profile.title', script: 'profile' }));
  router.get('/my-data', memberPage(pages, { name: 'my-data', title: 'myData.title', script: 'my-data' }));
  router.get('/privacy', (ctx) => {
    const history = PRIVACY_POLICY_HISTORY.map(
      (entry) =>
        `<li><time datetime="${escapeHtml(entry.published)}">${escapeHtml(entry.version)}</time> — ${escapeHtml(translate(ctx.state.locale, entry.changes))}</li>`,
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
