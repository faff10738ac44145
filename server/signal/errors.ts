// The two ways a signaling request fails, after Galène: a refusal is an answer (the request was
// understood and turned down; an error message goes back and the socket stays open), a
// protocol violation is a client bug (the socket is closed with a specific code). A service's
// AppError (a full relay, a rate limit) is an expected condition too and becomes a refusal.
// Anything else thrown while handling a message is ours and closes the socket with 1011.
import { AppError, type ErrorKind } from '../errors.js';
import { CLOSE_CODES, type CloseCode, type RefusalCode, type ServerMessage } from './protocol.js';

export class Refusal extends Error {
  readonly code: RefusalCode;
  readonly callId: string | undefined;
  /** Whole seconds before asking again can succeed (a rate limit, a cool-down, a full relay). */
  readonly retryAfterS: number | undefined;
  constructor(code: RefusalCode, message: string, callId?: string, retryAfterS?: number) {
    super(message);
    this.name = 'Refusal';
    this.code = code;
    this.callId = callId;
    this.retryAfterS = retryAfterS;
  }
}

export class ProtocolViolation extends Error {
  readonly closeCode: CloseCode;
  /** A refusal sent just before closing, when the client can act on it (e.g. a version mismatch). */
  readonly notice: Refusal | undefined;
  constructor(closeCode: CloseCode, message: string, notice?: Refusal) {
    super(message);
    this.name = 'ProtocolViolation';
    this.closeCode = closeCode;
    this.notice = notice;
  }
}

/** The one mapping from the service's error kinds to signaling refusals. */
const REFUSAL_FOR_KIND: Readonly<Record<Exclude<ErrorKind, 'internal'>, RefusalCode>> = {
  invalid: 'not_allowed',
  unauthorized: 'not_allowed',
  forbidden: 'not_allowed',
  not_found: 'unknown_member',
  conflict: 'not_allowed',
  too_large: 'not_allowed',
  unsupported: 'not_allowed',
  unprocessable: 'not_allowed',
  rate_limited: 'rate_limited',
  busy: 'unavailable',
};

/** What to do with a connection after a failure: a message to send, a close, or both. */
export type Disposition = {
  send: ServerMessage | null;
  close: { code: CloseCode; reason: string } | null;
  /** True when the failure is ours and deserves an error line in the log. */
  isInternal: boolean;
};

/** Maps anything thrown while handling a message (about `callId`, when it names a call) to what
 *  the connection gets. The close reason is the violation's technical message, never a value
 *  taken from the client. */
export function dispositionOf(error: unknown, callId?: string): Disposition {
  if (error instanceof Refusal) return { send: refusalMessage(error), close: null, isInternal: false };
  if (error instanceof AppError && error.kind !== 'internal') {
    return { send: refusalMessage(new Refusal(REFUSAL_FOR_KIND[error.kind], error.message, callId, error.retryAfterS)), close: null, isInternal: false };
  }
  if (error instanceof ProtocolViolation) {
    return {
      send: error.notice === undefined ? null : refusalMessage(error.notice),
      close: { code: error.closeCode, reason: error.message },
      isInternal: false,
    };
  }
  return { send: null, close: { code: CLOSE_CODES.internalError, reason: 'internal error' }, isInternal: true };
}

function refusalMessage(refusal: Refusal): ServerMessage {
  return {
    type: 'error',
    code: refusal.code,
    message: refusal.message,
    ...(refusal.callId === undefined ? {} : { callId: refusal.callId }),
    ...(refusal.retryAfterS === undefined ? {} : { retryAfterS: refusal.retryAfterS }),
  };
}
