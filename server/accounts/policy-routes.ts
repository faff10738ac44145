// GET /api/policy: the current privacy policy version and its history, for the sign-up form and
// for members who accepted an older version.
import { createRouter } from '../http/router.js';
import { translate } from '../i18n/index.js';
import { CURRENT_POLICY_VERSION, PRIVACY_POLICY_HISTORY } from './privacy-policy.js';
import type { ApiRouteGroup } from '../http/api-router.js';

export function policyRoutes(): ApiRouteGroup {
  const router = createRouter();
  router.get('/policy', (ctx) => {
    ctx.body = {
      currentVersion: CURRENT_POLICY_VERSION,
      history: PRIVACY_POLICY_HISTORY.map((entry) => ({ version: entry.version, changes: translate(ctx.state.locale, entry.changes) })),
    };
  });
  return router;
}
