// The browser end of /ws: opens the socket, says hello, reconnects with backoff when the
// connection drops for a reason reconnecting can fix, and hands every server message on. An open
// socket is checked now and then (and when the browser says it is back online): one that stays
// silent past the deadline is dead though it looks open (a move to another network), so it is
// dropped and replaced, and a call on it resumes on the new one.
import {
  CLOSE_CODES,
  GUEST_SOCKET_QUERY,
  LIVENESS_PING,
  LIVENESS_PONG,
  PROTOCOL_VERSION,
  SIGNAL_PATH,
  type ClientMessage,
  type ServerMessage,
} from '../../../server/signal/protocol.js';
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

/** How often an open socket is checked, and how long its answer may take: a dead one is found
 *  within both, well inside the server's grace for resuming a call (RESUME_GRACE_MS, 20 s). */
const LIVENESS_INTERVAL_MS = 10_000;
const LIVENESS_DEADLINE_MS = 5_000;
/** A new socket must be open and welcomed within this, or it is given up and tried again: a
 *  connection attempt into a network that just went away can otherwise hang for minutes. */
const CONNECT_DEADLINE_MS = 10_000;
/** Reported with the 'reconnecting' state when a silent socket was dropped (RFC 6455's "abnormal closure"). */
const DEAD_SOCKET_CODE = 1006;

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
  private livenessTimer: ReturnType<typeof setInterval> | undefined;
  private deadline: ReturnType<typeof setTimeout> | undefined;
  /** The browser says the network is back: check the socket now, or retry now if waiting. */
  private readonly onOnline = (): void => {
    if (this.stopped) return;
    if (this.socket !== null) return this.checkAlive();
    clearTimeout(this.timer);
    this.connect();
  };

  constructor(options: SignalClientOptions) {
    this.options = options;
  }

  connect(): void {
    this.stopped = false;
    window.addEventListener('online', this.onOnline);
    const url = new URL(SIGNAL_PATH, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = this.options.asGuest === true ? `?${GUEST_SOCKET_QUERY}` : '';
    const socket = new WebSocket(url);
    this.socket = socket;
    this.options.onState?.(this.attempts === 0 ? 'connecting' : 'reconnecting');
    this.deadline = setTimeout(() => this.dropDead(socket, false), CONNECT_DEADLINE_MS);
    socket.onopen = () => socket.send(JSON.stringify({ type: 'hello', version: PROTOCOL_VERSION } satisfies ClientMessage));
    socket.onmessage = (event) => {
      // Anything heard proves the socket alive.
      clearTimeout(this.deadline);
      this.deadline = undefined;
      if (event.data === LIVENESS_PONG) return;
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
        this.watchLiveness();
        this.options.onWelcome?.(message, isReconnect);
      }
      this.options.onMessage(message);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.stopWatching();
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
    this.stopWatching();
    window.removeEventListener('online', this.onOnline);
    clearTimeout(this.timer);
    this.socket?.close(1000);
    this.socket = null;
  }

  private watchLiveness(): void {
    this.stopWatching();
    this.livenessTimer = setInterval(() => this.checkAlive(), LIVENESS_INTERVAL_MS);
  }

  private stopWatching(): void {
    clearInterval(this.livenessTimer);
    clearTimeout(this.deadline);
    this.livenessTimer = undefined;
    this.deadline = undefined;
  }

  /** Pings the open socket; silence until the deadline means it is dead. */
  private checkAlive(): void {
    const socket = this.socket;
    if (socket?.readyState !== WebSocket.OPEN || this.deadline !== undefined) return;
    socket.send(LIVENESS_PING);
    this.deadline = setTimeout(() => this.dropDead(socket, true), LIVENESS_DEADLINE_MS);
  }

  /**
   * Lets go of a socket that looks open but is silent, or that never opened: its close
   * handshake may never finish, so nothing more is awaited from it. A socket that worked is
   * replaced at once; a failed attempt is retried with the usual backoff.
   */
  private dropDead(socket: WebSocket, wasWorking: boolean): void {
    if (this.socket !== socket) return;
    this.socket = null;
    this.stopWatching();
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.close();
    if (wasWorking) this.attempts = 0;
    this.scheduleReconnect(DEAD_SOCKET_CODE);
  }

  private scheduleReconnect(code: number): void {
    this.options.onState?.('reconnecting', code);
    const base = Math.min(RECONNECT_FIRST_DELAY_MS * 2 ** this.attempts, RECONNECT_MAX_DELAY_MS);
    const delay = base * (1 - RECONNECT_JITTER + Math.random() * 2 * RECONNECT_JITTER);
    this.attempts += 1;
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
