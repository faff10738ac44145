// JSON bodies of API requests: read once, bounded, parsed, and put on ctx.state.body. Routes
// validate the shape; this only guarantees that what arrives is JSON of a sane size.
import { AppError, badRequest, tooLarge } from '../errors.js';
import { isApiPath, type AppMiddleware } from './context.js';

export const JSON_BODY_LIMIT_BYTES = 64 * 1024;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

/** Parses JSON bodies on /api; multipart uploads are left to the route that takes them. */
export function jsonBody(limitBytes = JSON_BODY_LIMIT_BYTES): AppMiddleware {
  // Only a request with a body waits for it: the others pass on without an async step of their own.
  const parse: AppMiddleware = async (ctx, next) => {
    const mediaType = (ctx.get('Content-Type').split(';')[0] ?? '').trim();
    if (mediaType.toLowerCase() === 'multipart/form-data') return next();
    if (!JSON_TYPE.test(mediaType)) {
      throw new AppError('unsupported', 'unsupported_media_type', 'Send the request body as application/json.');
    }
    const text = await readBounded(ctx.req, limitBytes);
    try {
      ctx.state.body = JSON.parse(text) as unknown;
    } catch {
      throw badRequest('invalid_json', 'The request body is not valid JSON.');
    }
    await next();
  };
  return (ctx, next) => (isApiPath(ctx.path) && hasBody(ctx.req.headers) ? parse(ctx, next) : next());
}

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}

export function bodyTooLarge(limitBytes: number): AppError {
  return tooLarge(`The request body is larger than ${limitBytes} bytes.`);
}

/** Reads a request stream as UTF-8, refusing (before reading, when the length is declared) past the limit. */
export async function readBounded(stream: NodeJS.ReadableStream & { headers?: Record<string, unknown> }, limitBytes: number): Promise<string> {
  const declared = Number(stream.headers?.['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw bodyTooLarge(limitBytes);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += buffer.length;
    if (total > limitBytes) throw bodyTooLarge(limitBytes);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
