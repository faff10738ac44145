// What the call engine (Phone) is given instead of building it: the signaling channel, the
// tones, the clock, and what starts a connected call. The browser passes the real ones
// (browser-phone.ts); the Node tests pass fakes. Nothing here names a DOM or WebRTC type, so
// phone.ts compiles, and is tested, without a browser.
import type { ClientMessage, EndReason, ServerMessage } from '../../../../server/signal/protocol.js';

export type SignalState = 'connecting' | 'open' | 'reconnecting' | 'closed';
export type Welcome = Extract<ServerMessage, { type: 'welcome' }>;
export type Connected = Extract<ServerMessage, { type: 'call-connected' }>;

/** What the signaling channel reports; `onWelcome` comes before the welcome's `onMessage`. */
export type SignalEvents = {
  onMessage: (message: ServerMessage) => void;
  onState: (state: SignalState, closeCode?: number) => void;
  onWelcome: (welcome: Welcome, isReconnect: boolean) => void;
};

export type SignalChannel = {
  connect(): void;
  /** False when the socket is not open: the message was not sent. */
  send(message: ClientMessage): boolean;
  close(): void;
};

export type TimerHandle = { readonly id: unknown };
export type Clock = {
  nowMs(): number;
  setTimer(callback: () => void, delayMs: number): TimerHandle;
  clearTimer(timer: TimerHandle): void;
};

export type Tone = { stop(): void };
export type Tones = { ringback(): Tone; ringtone(): Tone };

/** The camera and microphone of one call: from call() or accept() on, the Phone stops them. */
export type OwnedMedia = { stop(): void };

/** What a connected call starts from. */
export type SessionInit<Media> = {
  connected: Connected;
  media: Media;
  send: (message: ClientMessage) => boolean;
  /** Called once, however the call ends (hang-up on either side, peer gone, our socket closed). */
  onEnded: (reason: EndReason) => void;
};

/** A connected call as the Phone drives it (CallSession in the browser). */
export type SessionPort = {
  readonly role: 'caller' | 'callee';
  readonly resumeToken: string;
  /** Whether this side hung up (rather than the other side or the network). */
  readonly endedByMe: boolean;
  /** Messages of the live call; anything about another call is ignored. */
  handle(message: ServerMessage): void;
  hangUp(): void;
};
