// The top of the stack: gives each request an id, renders every error in one place and makes
// sure a client never sees a stack trace. API paths get { "error": { "code", "message" } };
// pages get the error page in the user's language.
import { storageError } from '../db/storage-errors.js';
import { AppError, type ErrorKind } from '../errors.js';
import type { Logger } from '../log.js';
import { isApiPath, type AppContext, type AppMiddleware } from './context.js';
import type { PageRenderer } from './pages.js';
import { createRequestIds } from './request-id.js';

/** The one mapping from the service's error kinds to HTTP. */
const STATUS_FOR_KIND: Readonly<Record<ErrorKind, number>> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  busy: 503,
};

/** Kinds and codes for the errors Koa or Node raise themselves (ctx.throw, the router, …). */
const FOR_STATUS: Readonly<Record<number, { kind: ErrorKind; code: string }>> = {
  400: { kind: 'invalid', code: 'bad_request' },
  401: { kind: 'unauthorized', code: 'unauthorized' },
  403: { kind: 'forbidden', code: 'forbidden' },
  404: { kind: 'not_found', code: 'not_found' },
  405: { kind: 'invalid', code: 'method_not_allowed' },
  413: { kind: 'too_large', code: 'payload_too_large' },
  415: { kind: 'unsupported', code: 'unsupported_media_type' },
  429: { kind: 'rate_limited', code: 'too_many_requests' },
  503: { kind: 'busy', code: 'unavailable' },
};

export function errorHandler(log: Logger, pages: PageRenderer): AppMiddleware {
  const nextRequestId = createRequestIds();
  return async (ctx, next) => {
    ctx.state.requestId = nextRequestId();
    const started = performance.now();
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new AppError('not_found', 'not_found', 'Not found.');
    } catch (thrown) {
      const { error, status } = toAppError(thrown);
      // A storage failure (lock, full disk) is the sysadmin's to fix: it is logged too.
      if (status >= 500 && (error.kind === 'internal' || storageError(thrown) !== null)) {
        log.error('http', 'request failed', {
          request_id: ctx.state.requestId,
          method: ctx.method,
          route: routeOf(ctx),
          status,
          error: thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown),
        });
      }
      render(ctx, error, status, pages);
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

/**
 * Turns anything thrown into an AppError and its status; what we do not recognise becomes a
 * generic 500. Koa's own client errors (status 4xx on the error) keep their status.
 */
export function toAppError(thrown: unknown): { error: AppError; status: number } {
  if (thrown instanceof AppError) return { error: thrown, status: STATUS_FOR_KIND[thrown.kind] };
  const storage = storageError(thrown);
  if (storage !== null) return { error: storage, status: STATUS_FOR_KIND[storage.kind] };
  const candidate = thrown as { status?: unknown; expose?: unknown; message?: unknown };
  if (typeof candidate?.status === 'number' && candidate.status >= 400 && candidate.status < 500) {
    const { kind, code } = FOR_STATUS[candidate.status] ?? { kind: 'invalid', code: 'bad_request' };
    const message = candidate.expose === true && typeof candidate.message === 'string' ? candidate.message : code.replace(/_/g, ' ');
    return { error: new AppError(kind, code, message), status: candidate.status };
  }
  return { error: new AppError('internal', 'internal_error', 'Internal error.', { cause: thrown }), status: 500 };
}

function render(ctx: AppContext, error: AppError, status: number, pages: PageRenderer): void {
  ctx.status = status;
  if (error.retryAfterS !== undefined) ctx.set('Retry-After', String(error.retryAfterS));
  // A body refused part-way may still be arriving: close rather than drain it.
  if (error.kind === 'too_large') ctx.set('Connection', 'close');
  const message = error.expose ? error.message : 'Internal error.';
  if (isApiPath(ctx.path)) {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { error: { code: error.code, message, ...(error.fields === undefined ? {} : { fields: error.fields }) } };
    return;
  }
  ctx.type = 'html';
  ctx.body = pages.renderError(ctx.state.locale, status, ctx.state.member !== undefined);
}

/** The matched route pattern, never the raw path: paths can carry call codes or tokens. */
function routeOf(ctx: AppContext): string {
  return (ctx as { _matchedRoute?: unknown })._matchedRoute?.toString() ?? '-';
}
