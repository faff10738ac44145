// Security headers on every response, errors and static files included.
import type { AppMiddleware } from './context.js';

/** Two years, the value browsers' preload lists expect. */
const HSTS_MAX_AGE_S = 63072000;

export function securityHeaders(options: { publicOrigin: string; isHttps: boolean }): AppMiddleware {
  const websocketOrigin = options.publicOrigin.replace(/^http/, 'ws');
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "font-src 'self'",
    `connect-src 'self' ${websocketOrigin}`,
    "manifest-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  const headers: Record<string, string> = {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(self), microphone=(self), display-capture=(self), geolocation=(), payment=(), usb=(), interest-cohort=()',
  };
  if (options.isHttps) headers['Strict-Transport-Security'] = `max-age=${HSTS_MAX_AGE_S}; includeSubDomains`;

  // Not async, like the middlewares after it that only act before passing on: each async one
  // cost a promise and a microtask per request (issue 15).
  return (ctx, next) => {
    ctx.set(headers);
    return next();
  };
}
