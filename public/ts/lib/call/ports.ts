// What the call engine (Phone, CallSession) is given instead of building it: the signaling
// channel, the tones, the clock, what starts a connected call, and the peer connection and
// local media that call drives. The browser passes the real ones (browser-phone.ts); the Node
// tests pass fakes. Nothing here names a DOM or WebRTC type, so phone.ts and session.ts
// compile, and are tested, without a browser.
import type { ClientMessage, EndReason, IceConfig, ServerMessage } from '../../../../server/signal/protocol.js';
import type { PeerMediaState } from './peer-state.js';

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

/**
 * This side's certificate for one call, fixed before it invites or accepts (certificate.ts in
 * the browser): the Phone sends its commitment and hands the whole to the session.
 */
export type CallKey = { readonly commitment: string };

/** What a connected call starts from. */
export type SessionInit<Media, Key extends CallKey = CallKey> = {
  connected: Connected;
  media: Media;
  /** The certificate every peer connection of this call uses. */
  key: Key;
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

// --- what a connected call drives ----------------------------------------------------------

/** A session description, with the fields of WebRTC's RTCSessionDescriptionInit. */
export type DescriptionInit = { type: 'offer' | 'answer' | 'pranswer' | 'rollback'; sdp?: string };
/** An ICE candidate, with the fields of WebRTC's RTCIceCandidateInit. */
export type CandidateInit = { candidate?: string; sdpMid?: string | null; sdpMLineIndex?: number | null; usernameFragment?: string | null };
/** What the connection asks the session to signal to the other side; a null candidate ends the gathering. */
export type SignalOut = { kind: 'description'; description: DescriptionInit } | { kind: 'candidate'; candidate: CandidateInit | null };

export type ConnectionPhase = 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';
export type ChatMessage = { text: string; sentAt: string };

/** What a session starts its connection with. */
export type ConnectionInit<Stream> = {
  ice: IceConfig;
  /** The polite side rolls back its own offer when both offer at once. Exactly one side is polite. */
  polite: boolean;
  /** Make no offer before the other side's first one has been answered (the callee). */
  awaitFirstOffer: boolean;
  send: (message: SignalOut) => void;
  onRemoteStream: (stream: Stream) => void;
  onPhase: (phase: ConnectionPhase) => void;
  onChat: (message: ChatMessage) => void;
  /** The other side's microphone and camera, each time it says they changed. */
  onPeerState: (state: PeerMediaState) => void;
};

/** One call's peer connection as the session drives it (CallConnection in the browser). */
export type ConnectionPort<Stream> = {
  addLocalStream(stream: Stream): void;
  /** Applies the other side's description; `beforeAnswer` runs between applying an offer and answering it. */
  handleDescription(description: DescriptionInit, beforeAnswer?: () => void): Promise<void>;
  handleCandidate(candidate: CandidateInit | null): Promise<void>;
  restartIce(): void;
  /** A signaling socket came back: re-send an offer lost with the old one, or restart ICE. */
  resumeNegotiation(): void;
  close(): void;
};

/** One call's camera and microphone as the session drives them (LocalMedia in the browser). */
export type SessionMedia<Stream, Connection> = OwnedMedia & {
  readonly stream: Stream;
  /** Replacement tracks (camera switch, screen share) go to this connection from now on. */
  sendTo(connection: Connection): void;
};
