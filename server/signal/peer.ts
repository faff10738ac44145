// The seam between call logic and the network: the hub only ever sends a message to a peer or
// closes it. server.ts implements it over a WebSocket; tests implement it with a recorder, so
// the whole call state machine runs without sockets.
import type { CloseCode, ServerMessage } from './protocol.js';

export type Peer = {
  /** Queues one message; a peer that can no longer take it is dropped by the transport. */
  send(message: ServerMessage): void;
  /** Closes the connection with a close code and a short technical reason (no personal data). */
  close(code: CloseCode, reason: string): void;
};
