// The one error class of the HTTP side. Services throw it; server/http/errors.ts renders it as
// { "error": { "code", "message" } } with its status. `expose` decides whether the message is
// meant for the user; when it is not, the client only ever sees a generic message.

export type FieldErrors = Readonly<Record<string, string>>;

export class AppError extends Error {
  readonly status: number;
  /** Stable snake_case identifier that clients and tests rely on. */
  readonly code: string;
  readonly expose: boolean;
  /** Per-field reasons for a validation failure, shown to the user. */
  readonly fields: FieldErrors | undefined;
  /** Extra response headers, e.g. Retry-After on 429. */
  readonly headers: Readonly<Record<string, string>> | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { expose?: boolean; fields?: FieldErrors; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.expose = options.expose ?? status < 500;
    this.fields = options.fields;
    this.headers = options.headers;
  }
}

export const badRequest = (code: string, message: string, fields?: FieldErrors): AppError =>
  new AppError(400, code, message, fields === undefined ? {} : { fields });
export const unauthorized = (message = 'Authentication required.'): AppError => new AppError(401, 'unauthorized', message);
export const forbidden = (code: string, message: string): AppError => new AppError(403, code, message);
export const notFound = (message = 'Not found.'): AppError => new AppError(404, 'not_found', message);
export const conflict = (code: string, message: string): AppError => new AppError(409, code, message);
