// State-changing API requests must come from our own pages: the Origin header has to equal the
// public origin exactly (no prefix match, no "null"). Browsers send Origin on every non-GET
// fetch, so a missing one means a non-browser client or an old browser; we refuse it too.
import { forbidden } from '../errors.js';
import { isApiPath, type AppMiddleware } from './context.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function requireSameOrigin(publicOrigin: string): AppMiddleware {
  return async (ctx, next) => {
    if (isApiPath(ctx.path) && !SAFE_METHODS.has(ctx.method)) {
      const origin = ctx.get('Origin');
      if (origin !== publicOrigin) throw forbidden('bad_origin', 'This request must come from the Porthello pages.');
    }
    await next();
  };
}
