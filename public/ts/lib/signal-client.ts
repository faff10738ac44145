// The browser end of /ws: opens the socket, says hello, reconnects with backoff when the
// connection drops for a reason reconnecting can fix, and hands every server message on.
import { CLOSE_CODES, GUEST_SOCKET_QUERY, PROTOCOL_VERSION, SIGNAL_PATH, type ClientMessage, type ServerMessage } from '../../../server/signal/protocol.js';
import type { SignalState } from './call/ports.js';

export type SignalClientOptions = {
  /** A guest's socket, authenticated by the ticket from a call link rather than a member's session. */
  asGuest?: boolean;
  onMessage: (message: ServerMessage) => void;
  onState?: (state: SignalState, closeCode?: number) => void;
  /** Called after each welcome, first connection and reconnections alike (to resume a call). */
  onWelcome?: (welcome: Extract<ServerMessage, { type: 'welcome' }>, isReconnect: boolean) => void;
};

/** Backoff between reconnection attempts: 1 s doubling to 15 s, with ±25 % jitter so a restart does not bring every client back at once. */
const RECONNECT_FIRST_DELAY_MS = 1000;
const RECONNECT_MAX_DELAY_MS = 15_000;
const RECONNECT_JITTER = 0.25;

/** Closes after which reconnecting cannot help: a new page (version) or a new log-in (session) is needed. */
const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CLOSE_CODES.unsupportedVersion,
  CLOSE_CODES.sessionEnded,
  CLOSE_CODES.policyViolation,
  CLOSE_CODES.messageTooBig,
  CLOSE_CODES.unsupportedData,
]);

export class SignalClient {
  private readonly options: SignalClientOptions;
  private socket: WebSocket | null = null;
  private attempts = 0;
  private welcomed = false;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: SignalClientOptions) {
    this.options = options;
  }

  connect(): void {
    this.stopped = false;
    const url = new URL(SIGNAL_PATH, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = this.options.asGuest === true ? `?${GUEST_SOCKET_QUERY}` : '';
    const socket = new WebSocket(url);
    this.socket = socket;
    this.options.onState?.(this.attempts === 0 ? 'connecting' : 'reconnecting');
    socket.onopen = () => socket.send(JSON.stringify({ type: 'hello', version: PROTOCOL_VERSION } satisfies ClientMessage));
    socket.onmessage = (event) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(String(event.data)) as ServerMessage;
      } catch {
        return;
      }
      if (message.type === 'welcome') {
        const isReconnect = this.welcomed;
        this.welcomed = true;
        this.attempts = 0;
        this.options.onState?.('open');
        this.options.onWelcome?.(message, isReconnect);
      }
      this.options.onMessage(message);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped || FINAL_CLOSE_CODES.has(event.code)) {
        this.options.onState?.('closed', event.code);
        return;
      }
      this.scheduleReconnect(event.code);
    };
  }

  /** False when the socket is not open: the caller decides whether that matters. */
  send(message: ClientMessage): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close(1000);
    this.socket = null;
  }

  private scheduleReconnect(code: number): void {
    this.options.onState?.('reconnecting', code);
    const base = Math.min(RECONNECT_FIRST_DELAY_MS * 2 ** this.attempts, RECONNECT_MAX_DELAY_MS);
    const delay = base * (1 - RECONNECT_JITTER + Math.random() * 2 * RECONNECT_JITTER);
    this.attempts += 1;
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
