// State-changing API requests must come from our own pages: the Origin header has to equal one of
// the page origins exactly (no prefix match, no "null"). Browsers send Origin on every non-GET
// fetch, so a missing one means a non-browser client or an old browser; we refuse it too.
import { forbidden } from '../errors.js';
import type { Logger } from '../log.js';
import { isApiPath, type AppMiddleware } from './context.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Origins refused so far, each logged once; past this many the log stays quiet (a scan, not a mistake). */
const MAX_LOGGED_ORIGINS = 32;
/** An Origin is scheme, host and port; anything longer is not one a person typed. */
const MAX_LOGGED_ORIGIN_CHARS = 200;

export function requireSameOrigin(pageOrigins: readonly string[], log: Logger): AppMiddleware {
  const allowed = new Set(pageOrigins);
  const logOnce = refusalLogger('http', pageOrigins[0] ?? '', log);
  return (ctx, next) => {
    if (isApiPath(ctx.path) && !SAFE_METHODS.has(ctx.method)) {
      const origin = ctx.get('Origin');
      if (!allowed.has(origin)) {
        logOnce(origin);
        throw forbidden('bad_origin', `This request must come from the Porthello pages at ${pageOrigins[0] ?? ''}.`);
      }
    }
    return next();
  };
}

/**
 * Logs the first refusal of each origin with the expected one, so a sysadmin opening the service
 * under another name (a proxy without the right Host, a missing PORTHELLO_PUBLIC_URL) sees why.
 */
export function refusalLogger(category: string, expected: string, log: Logger): (origin: string) => void {
  const seen = new Set<string>();
  return (origin) => {
    if (seen.has(origin) || seen.size >= MAX_LOGGED_ORIGINS) return;
    seen.add(origin);
    const shown = origin === '' ? '(none)' : origin.slice(0, MAX_LOGGED_ORIGIN_CHARS);
    log.warn(category, 'request from another origin refused; set PORTHELLO_PUBLIC_URL to the address people use', { origin: shown, expected });
  };
}
