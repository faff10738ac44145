// The request's language (ctx.state.locale): the `lang` query parameter, remembered in a cookie,
// then that cookie, then Accept-Language. Most API requests never read it (it names the language
// of pages, e-mails and news), so it is worked out on first read rather than on every request.
import { LOCALE_COOKIE, isLocale, pickLocale, type Locale } from '../i18n/index.js';
import type { AppMiddleware } from './context.js';

/** A language choice is remembered for a year. */
const LOCALE_COOKIE_MAX_AGE_MS = 365 * 24 * 3600 * 1000;

export function localeChoice(options: { isHttps: boolean }): AppMiddleware {
  const cookie = { httpOnly: true, sameSite: 'lax', secure: options.isHttps, maxAge: LOCALE_COOKIE_MAX_AGE_MS, overwrite: true } as const;
  return (ctx, next) => {
    const query = ctx.querystring === '' ? undefined : ctx.query['lang'];
    if (isLocale(query)) ctx.cookies.set(LOCALE_COOKIE, query, cookie);
    let locale: Locale | undefined;
    Object.defineProperty(ctx.state, 'locale', {
      get: () => (locale ??= pickLocale({ query, cookie: ctx.cookies.get(LOCALE_COOKIE), acceptLanguage: ctx.get('Accept-Language') })),
      set: (value: Locale) => {
        locale = value;
      },
      enumerable: true,
      configurable: true,
    });
    // Every answer may depend on the language (pages, error pages): caches keep one per language.
    // Set rather than appended (ctx.vary parses the header): no middleware before this one sets Vary.
    ctx.set('Vary', 'Accept-Language');
    return next();
  };
}
