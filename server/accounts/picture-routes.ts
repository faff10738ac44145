// GET /media/avatars/NAME-512.webp: profile pictures. The random name is the only key, so a
// picture is never listed or guessable; it never changes under a name, so it is cached for a
// year. Served with a fixed type, nosniff and same-origin resource policy (security-headers.ts).
import type Router from '@koa/router';
import { createRouter } from '../http/router.js';
import type { AppState } from '../http/context.js';
import { AVATAR_URL_PREFIX, type AvatarService } from './picture-service.js';

const ONE_YEAR_S = 365 * 24 * 3600;

export function avatarRoutes(avatars: AvatarService): Router<AppState> {
  const router = createRouter();
  router.get(`${AVATAR_URL_PREFIX}:file`, async (ctx) => {
    const bytes = await avatars.serve(ctx.params['file'] ?? '');
    if (bytes === null) return; // falls through to the 404 page
    ctx.type = 'image/webp';
    ctx.set('Cache-Control', `private, max-age=${ONE_YEAR_S}, immutable`);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.body = bytes;
  });
  return router;
}
