// The two ways a signaling request fails, after Galène: a refusal is an answer (the request was
// understood and turned down; an error message goes back and the socket stays open), a
// protocol violation is a client bug (the socket is closed with a specific code). Anything else
// thrown while handling a message is ours and closes the socket with 1011.
import { CLOSE_CODES, type CloseCode, type RefusalCode, type ServerMessage } from './protocol.js';

export class Refusal extends Error {
  readonly code: RefusalCode;
  readonly callId: string | undefined;
  constructor(code: RefusalCode, message: string, callId?: string) {
    super(message);
    this.name = 'Refusal';
    this.code = code;
    this.callId = callId;
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

/** What to do with a connection after a failure: a message to send, a close, or both. */
export type Disposition = {
  send: ServerMessage | null;
  close: { code: CloseCode; reason: string } | null;
  /** True when the failure is ours and deserves an error line in the log. */
  isInternal: boolean;
};

/** Maps anything thrown while handling a message to what the connection gets. The close
 *  reason is the violation's technical message, never a value taken from the client. */
export function dispositionOf(error: unknown): Disposition {
  if (error instanceof Refusal) return { send: refusalMessage(error), close: null, isInternal: false };
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
  return refusal.callId === undefined
    ? { type: 'error', code: refusal.code, message: refusal.message }
    : { type: 'error', code: refusal.code, message: refusal.message, callId: refusal.callId };
}
