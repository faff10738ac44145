// From a socket's text to one call-hub action: the message is parsed, the hello checked first,
// then each client message goes to the life-cycle step that handles it. The hub owns every
// step; this module only decides which one runs, so the hub file holds the rules and not the
// routing. Any refusal or violation thrown on the way reaches `onError` with the call it was about.
import type { RelayedClientMessage } from './call-state.js';
import type { Connection } from './connections.js';
import { ProtocolViolation, Refusal } from './errors.js';
import { type CallPath, CLOSE_CODES, parseClientMessage, PROTOCOL_VERSION, type ClientMessage } from './protocol.js';

/** The hub's steps, one per client message. */
export type CallActions = {
  hello(conn: Connection): void;
  /** `knockNote` is null for an invite, the note (maybe '') for a knock; `commitment` is an invite's (null for a knock). */
  invite(conn: Connection, calleeMemberId: string, knockNote: string | null, commitment: string | null): void;
  accept(conn: Connection, callId: string, commitment: string): void;
  decline(conn: Connection, callId: string): void;
  cancel(conn: Connection, callId: string): void;
  hangUp(conn: Connection, callId: string): void;
  resume(conn: Connection, callId: string, resumeToken: string): void;
  reportPath(conn: Connection, callId: string, path: CallPath): void;
  relay(conn: Connection, message: RelayedClientMessage): void;
};

/** Parses one text frame and runs its step; what goes wrong is handed to `onError` with the call it named. */
export function receiveText(conn: Connection, text: string, actions: CallActions, onError: (error: unknown, callId: string | undefined) => void): void {
  let callId: string | undefined;
  try {
    const parsed = parseClientMessage(text);
    if (!parsed.ok) throw new ProtocolViolation(CLOSE_CODES.policyViolation, `malformed message: ${parsed.reason}`);
    if ('callId' in parsed.message) callId = parsed.message.callId;
    dispatch(conn, parsed.message, actions);
  } catch (error) {
    onError(error, callId);
  }
}

/** Runs the step for one parsed message: a hello once, then anything else only after it. */
export function dispatch(conn: Connection, message: ClientMessage, actions: CallActions): void {
  if (message.type === 'hello') {
    if (conn.isGreeted) return;
    if (message.version !== PROTOCOL_VERSION) {
      throw new ProtocolViolation(
        CLOSE_CODES.unsupportedVersion,
        'unsupported protocol version',
        new Refusal('unsupported_version', `This server speaks protocol version ${PROTOCOL_VERSION}; reload the page.`),
      );
    }
    return actions.hello(conn);
  }
  if (!conn.isGreeted) throw new ProtocolViolation(CLOSE_CODES.policyViolation, 'hello expected first');
  switch (message.type) {
    case 'invite':
      return actions.invite(conn, message.calleeMemberId, null, message.commitment);
    case 'knock':
      return actions.invite(conn, message.calleeMemberId, message.note, null);
    case 'accept':
      return actions.accept(conn, message.callId, message.commitment);
    case 'decline':
      return actions.decline(conn, message.callId);
    case 'cancel':
      return actions.cancel(conn, message.callId);
    case 'hang-up':
      return actions.hangUp(conn, message.callId);
    case 'resume':
      return actions.resume(conn, message.callId, message.resumeToken);
    case 'connected-path':
      return actions.reportPath(conn, message.callId, message.path);
    case 'offer':
    case 'answer':
    case 'candidate':
      return actions.relay(conn, message);
    default: {
      const unhandled: never = message;
      throw new Error(`unhandled message ${String((unhandled as { type?: unknown }).type)}`);
    }
  }
}
