// The top of the stack: gives each request an id, renders every error in one place and makes
// sure a client never sees a stack trace. API paths get { "error": { "code", "message" } };
// pages get the error page in the user's language.
import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import { isApiPath, type AppContext, type AppMiddleware } from './context.js';
import type { PageRenderer } from './pages.js';

const REQUEST_ID_BYTES = 8;

/** Codes for the errors Koa or Node raise themselves (ctx.throw, body parsing, …). */
const CODE_FOR_STATUS: Readonly<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
  503: 'unavailable',
};

export function errorHandler(log: Logger, pages: PageRenderer): AppMiddleware {
  return async (ctx, next) => {
    ctx.state.requestId = randomBytes(REQUEST_ID_BYTES).toString('hex');
    const started = performance.now();
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new AppError(404, 'not_found', 'Not found.');
    } catch (thrown) {
      const error = toAppError(thrown);
      if (error.status >= 500) {
        log.error('http', 'request failed', {
          request_id: ctx.state.requestId,
          method: ctx.method,
          route: routeOf(ctx),
          status: error.status,
          error: thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown),
        });
      }
      render(ctx, error, pages);
    } finally {
      log.debug('http', 'request', {
        request_id: ctx.state.requestId,
        method: ctx.method,
        route: routeOf(ctx),
        status: ctx.status,
        duration_ms: Math.round(performance.now() - started),
      });
    }
  };
}

/** Turns anything thrown into an AppError; what we do not recognise becomes a generic 500. */
export function toAppError(thrown: unknown): AppError {
  if (thrown instanceof AppError) return thrown;
  const candidate = thrown as { status?: unknown; expose?: unknown; message?: unknown };
  if (typeof candidate?.status === 'number' && candidate.status >= 400 && candidate.status < 500) {
    const code = CODE_FOR_STATUS[candidate.status] ?? 'bad_request';
    const message = candidate.expose === true && typeof candidate.message === 'string' ? candidate.message : code.replace(/_/g, ' ');
    return new AppError(candidate.status, code, message);
  }
  return new AppError(500, 'internal_error', 'Internal error.', { expose: false, cause: thrown });
}

function render(ctx: AppContext, error: AppError, pages: PageRenderer): void {
  ctx.status = error.status;
  for (const [name, value] of Object.entries(error.headers ?? {})) ctx.set(name, value);
  const message = error.expose ? error.message : 'Internal error.';
  if (isApiPath(ctx.path)) {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { error: { code: error.code, message, ...(error.fields === undefined ? {} : { fields: error.fields }) } };
    return;
  }
  ctx.type = 'html';
  ctx.body = pages.renderError(ctx.state.locale, error.status, ctx.state.member !== undefined);
}

/** The matched route pattern, never the raw path: paths can carry call codes or tokens. */
function routeOf(ctx: AppContext): string {
  return (ctx as { _matchedRoute?: unknown })._matchedRoute?.toString() ?? '-';
}
