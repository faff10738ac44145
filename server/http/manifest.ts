// The web app manifest: a member can install Porthello on a phone or a computer and open it on
// /calls, where they are rung. No service worker and no push: that would need a third-party push
// service, and the page must stay open (or installed and open) to ring anyway.
import type Router from '@koa/router';
import { createRouter } from './router.js';
import { translate, type Locale } from '../i18n/index.js';
import type { AppState } from './context.js';

/** The sizes rendered from public/img/icon.svg at build time: installable apps, and iOS's 180. */
export const APP_ICON_PNG_SIZES = [180, 192, 512] as const;
/** The brand colour of the icon, for the browser's title bar. */
export const THEME_COLOR = '#0b5f56';

export function manifestFor(locale: Locale) {
  return {
    id: '/calls',
    lang: locale,
    name: translate(locale, 'site.name'),
    short_name: translate(locale, 'site.name'),
    description: translate(locale, 'site.tagline'),
    start_url: '/calls',
    scope: '/',
    display: 'standalone',
    theme_color: THEME_COLOR,
    background_color: '#ffffff',
    icons: [
      { src: '/assets/img/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
      ...APP_ICON_PNG_SIZES.map((size) => ({ src: `/assets/img/icon-${size}.png`, sizes: `${size}x${size}`, type: 'image/png', purpose: 'any' })),
    ],
  };
}

export function manifestRoutes(): Router<AppState> {
  const router = createRouter();
  router.get('/manifest.webmanifest', (ctx) => {
    ctx.type = 'application/manifest+json';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = JSON.stringify(manifestFor(ctx.state.locale));
  });
  return router;
}
