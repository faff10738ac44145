// One connected call, from `call-connected` to `call-ended`: it turns protocol messages into
// its connection's descriptions and candidates and back, and cleans up (connection closed,
// local tracks stopped) however the call ends. It draws nothing: a view follows it through
// `watch` (the remote stream, the connection's phase, chat) and sends chat on `connection`.
// The connection is opened by the injected `openConnection` (an RTCPeerConnection in the
// browser, a fake in the Node tests), so nothing here names a DOM or WebRTC type.
import type { CallPath, CandidateFields, ClientMessage, EndReason, ServerMessage } from '../../../../server/signal/protocol.js';
import type {
  CandidateInit,
  ChatMessage,
  ConnectionInit,
  ConnectionPhase,
  ConnectionPort,
  SessionInit,
  SessionMedia,
  SessionPort,
  SignalOut,
} from './ports.js';
import type { PeerMediaState } from './peer-state.js';
import { iceUfrag } from './sdp.js';

/** What a view of the call hears about; `watch` replays the current phase, remote stream and the other side's state. */
export type SessionWatcher<Stream> = {
  onRemoteStream?: (stream: Stream) => void;
  onPhase?: (phase: ConnectionPhase) => void;
  onChat?: (message: ChatMessage) => void;
  onPeerState?: (state: PeerMediaState) => void;
};

/** What a session is built on besides the call: its connection, and where refused descriptions are reported. */
export type SessionParts<Stream, Connection> = {
  openConnection: (init: ConnectionInit<Stream>) => Connection;
  /** A description from the other side the connection refused: the phase shows the consequence to the person. */
  onNegotiationError?: (error: unknown) => void;
};

export class CallSession<Stream, Connection extends ConnectionPort<Stream>, Media extends SessionMedia<Stream, Connection>> implements SessionPort {
  readonly callId: string;
  readonly role: 'caller' | 'callee';
  /**
   * The caller's side: the commitment the callee accepted with, from the first call-connected
   * (a resumed one cannot change it); null on the callee's side, or if the server sent none.
   */
  readonly calleeCommitment: string | null;
  readonly connection: Connection;
  /** Our camera and microphone; stopped when the call ends. */
  readonly media: Media;
  resumeToken: string;
  endedByMe = false;
  private readonly send: (message: ClientMessage) => boolean;
  private readonly onEnded: (reason: EndReason) => void;
  private readonly onNegotiationError: (error: unknown) => void;
  private readonly watchers = new Set<SessionWatcher<Stream>>();
  private latestRemoteStream: Stream | null = null;
  private latestPhase: ConnectionPhase = 'connecting';
  private latestPeerState: PeerMediaState | null = null;
  private lastUfrag: string | null = null;
  /** The path the server was last told about (notePath). */
  private reportedPath: CallPath | null = null;
  private ended = false;
  /** A callee sends its tracks from the first offer on (see CallConnection.handleDescription). */
  private calleeTracksPending = false;

  constructor(init: SessionInit<Media>, parts: SessionParts<Stream, Connection>) {
    const { connected } = init;
    this.callId = connected.callId;
    this.role = connected.role;
    this.calleeCommitment = connected.role === 'caller' ? (connected.calleeCommitment ?? null) : null;
    this.resumeToken = connected.resumeToken;
    this.media = init.media;
    this.send = init.send;
    this.onEnded = init.onEnded;
    this.onNegotiationError = parts.onNegotiationError ?? reportNegotiationError;
    this.connection = parts.openConnection({
      ice: connected.ice,
      // The callee yields when both sides offer at once; the caller makes the first offer.
      polite: connected.role === 'callee',
      awaitFirstOffer: connected.role === 'callee',
      send: (message) => this.sendSignal(message),
      onRemoteStream: (stream) => {
        this.latestRemoteStream = stream;
        for (const watcher of this.watchers) watcher.onRemoteStream?.(stream);
      },
      onPhase: (phase) => {
        this.latestPhase = phase;
        for (const watcher of this.watchers) watcher.onPhase?.(phase);
      },
      onChat: (message) => {
        for (const watcher of this.watchers) watcher.onChat?.(message);
      },
      onPeerState: (state) => {
        this.latestPeerState = state;
        for (const watcher of this.watchers) watcher.onPeerState?.(state);
      },
    });
    this.media.sendTo(this.connection);
    // Only the caller adds its tracks at once: that starts the first negotiation. The callee
    // adds its own when the offer arrives, so both never offer together at the start.
    if (connected.role === 'caller') this.connection.addLocalStream(this.media.stream);
    else this.calleeTracksPending = true;
  }

  /** What the other side sends, once its first track arrived. */
  get remoteStream(): Stream | null {
    return this.latestRemoteStream;
  }

  get phase(): ConnectionPhase {
    return this.latestPhase;
  }

  /** Follows the call from now on, starting with where it stands; returns the way to stop. */
  watch(watcher: SessionWatcher<Stream>): () => void {
    this.watchers.add(watcher);
    watcher.onPhase?.(this.latestPhase);
    if (this.latestPeerState !== null) watcher.onPeerState?.(this.latestPeerState);
    if (this.latestRemoteStream !== null) watcher.onRemoteStream?.(this.latestRemoteStream);
    return () => this.watchers.delete(watcher);
  }

  /** Messages about this call; anything about another call is not ours to handle. */
  handle(message: ServerMessage): void {
    if (!('callId' in message) || message.callId !== this.callId || this.ended) return;
    switch (message.type) {
      case 'offer':
        this.connection
          .handleDescription({ type: 'offer', sdp: message.sdp }, () => {
            if (!this.calleeTracksPending) return;
            this.calleeTracksPending = false;
            this.connection.addLocalStream(this.media.stream);
          })
          .catch(this.onNegotiationError);
        break;
      case 'answer':
        this.connection.handleDescription({ type: 'answer', sdp: message.sdp }).catch(this.onNegotiationError);
        break;
      case 'candidate':
        void this.connection.handleCandidate(message.candidate === '' ? null : toCandidateInit(message));
        break;
      case 'peer-back':
        // The other side's network changed: find a new path. Both sides ask; the connection
        // lets only the caller offer the restart, so the two never collide.
        this.connection.resumeNegotiation();
        break;
      case 'call-connected':
        // Our own socket came back and the call resumed on it.
        this.resumeToken = message.resumeToken;
        this.connection.resumeNegotiation();
        break;
      case 'call-ended':
        this.finish(message.reason);
        break;
      default:
        break;
    }
  }

  /**
   * The path the media takes now, as a view read it from the connection: the server hears of
   * each change once (the call log keeps whether the call went through the relay). A report
   * the socket could not carry is sent again at the next reading.
   */
  notePath(path: CallPath): void {
    if (this.ended || path === this.reportedPath) return;
    if (this.send({ type: 'connected-path', callId: this.callId, path })) this.reportedPath = path;
  }

  hangUp(): void {
    if (this.ended) return;
    this.endedByMe = true;
    this.send({ type: 'hang-up', callId: this.callId });
    this.finish('hung-up');
  }

  private finish(reason: EndReason): void {
    if (this.ended) return;
    this.ended = true;
    this.connection.close();
    this.media.stop();
    this.watchers.clear();
    this.onEnded(reason);
  }

  private sendSignal(message: SignalOut): void {
    if (message.kind === 'candidate') {
      const candidate = message.candidate;
      this.send({
        type: 'candidate',
        callId: this.callId,
        candidate: candidate?.candidate ?? '',
        sdpMid: candidate?.sdpMid ?? null,
        sdpMLineIndex: candidate?.sdpMLineIndex ?? null,
        usernameFragment: candidate?.usernameFragment ?? null,
      });
      return;
    }
    const { type, sdp = '' } = message.description;
    if (type === 'offer') {
      const ufrag = iceUfrag(sdp);
      const iceRestart = this.lastUfrag !== null && ufrag !== this.lastUfrag;
      this.lastUfrag = ufrag;
      this.send({ type: 'offer', callId: this.callId, sdp, iceRestart });
    } else if (type === 'answer') {
      this.lastUfrag = iceUfrag(sdp) ?? this.lastUfrag;
      this.send({ type: 'answer', callId: this.callId, sdp });
    }
  }
}

/** A description the browser refused: the connection's phase shows the consequence to the person. */
function reportNegotiationError(error: unknown): void {
  console.warn('call: a description from the other side was refused', error);
}

function toCandidateInit(fields: CandidateFields): CandidateInit {
  return { candidate: fields.candidate, sdpMid: fields.sdpMid, sdpMLineIndex: fields.sdpMLineIndex, usernameFragment: fields.usernameFragment };
}
