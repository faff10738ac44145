// The one error vocabulary of the service. Services, the limiter and the TURN credential service
// throw an AppError naming what went wrong in transport-free terms (a kind, a stable code, a
// message); each edge maps it once: server/http/errors.ts to an HTTP status and
// { "error": { "code", "message" } }, server/signal/errors.ts to a refusal on the socket.

export type FieldErrors = Readonly<Record<string, string>>;

/** What kind of failure, independent of the transport that reports it. */
export type ErrorKind =
  /** The request itself is malformed or a field is invalid. */
  | 'invalid'
  /** Nobody (or an expired somebody) is authenticated. */
  | 'unauthorized'
  /** Authenticated, but this is not theirs to do. */
  | 'forbidden'
  | 'not_found'
  /** The request clashes with the current state (an e-mail already taken). */
  | 'conflict'
  | 'too_large'
  /** A format or media type that is not handled. */
  | 'unsupported'
  /** Well formed, but its content cannot be processed (a damaged picture). */
  | 'unprocessable'
  /** This client asked too often; `retryAfterS` says when to try again. */
  | 'rate_limited'
  /** The service is at a capacity bound for everyone; `retryAfterS` says when to try again. */
  | 'busy'
  /** Our fault: never shown to the client beyond a generic message. */
  | 'internal';

export type AppErrorOptions = {
  fields?: FieldErrors;
  /** With rate_limited and busy: whole seconds before a retry can succeed. */
  retryAfterS?: number;
  cause?: unknown;
};

export class AppError extends Error {
  readonly kind: ErrorKind;
  /** Stable snake_case identifier that clients and tests rely on. */
  readonly code: string;
  /** Whether the message is meant for the client: never for our own failures. */
  readonly expose: boolean;
  /** Per-field reasons for a validation failure, shown to the user. */
  readonly fields: FieldErrors | undefined;
  readonly retryAfterS: number | undefined;

  constructor(kind: ErrorKind, code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.kind = kind;
    this.code = code;
    this.expose = kind !== 'internal';
    this.fields = options.fields;
    this.retryAfterS = options.retryAfterS;
  }
}

export const badRequest = (code: string, message: string, fields?: FieldErrors): AppError =>
  new AppError('invalid', code, message, fields === undefined ? {} : { fields });
export const unauthorized = (message = 'Authentication required.'): AppError => new AppError('unauthorized', 'unauthorized', message);
export const forbidden = (code: string, message: string): AppError => new AppError('forbidden', code, message);
export const notFound = (message = 'Not found.'): AppError => new AppError('not_found', 'not_found', message);
export const conflict = (code: string, message: string): AppError => new AppError('conflict', code, message);
export const tooLarge = (message: string): AppError => new AppError('too_large', 'payload_too_large', message);
export const rateLimited = (code: string, message: string, retryAfterS: number): AppError => new AppError('rate_limited', code, message, { retryAfterS });
export const busy = (code: string, message: string, retryAfterS: number): AppError => new AppError('busy', code, message, { retryAfterS });
