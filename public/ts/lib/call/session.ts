// One connected call, from `call-connected` to `call-ended`: it turns protocol messages into
// the CallConnection's descriptions and candidates and back, shows the CallScreen, and cleans
// up (tracks stopped, screen closed) however the call ends.
import type { CandidateFields, ServerMessage } from '../../../../server/signal/protocol.js';
import type { SignalClient } from '../signal-client.js';
import { CallConnection, iceUfrag, type SignalOut } from './connection.js';
import { CallScreen } from './screen.js';

type Connected = Extract<ServerMessage, { type: 'call-connected' }>;

export type CallSessionOptions = {
  signal: SignalClient;
  connected: Connected;
  localStream: MediaStream;
  container: HTMLElement;
  /** The name shown for the other side, when the page knows a better one than the server's. */
  peerName?: string;
  onEnded: (reason: string) => void;
};

export class CallSession {
  readonly callId: string;
  readonly role: 'caller' | 'callee';
  resumeToken: string;
  /** Whether this side hung up (rather than the other side or the network). */
  endedByMe = false;
  private readonly options: CallSessionOptions;
  private readonly connection: CallConnection;
  private readonly screen: CallScreen;
  private lastUfrag: string | null = null;
  private ended = false;
  /** A callee sends its tracks from the first offer on (see CallConnection.handleDescription). */
  private calleeTracksPending = false;

  constructor(options: CallSessionOptions) {
    this.options = options;
    const { connected } = options;
    this.callId = connected.callId;
    this.role = connected.role;
    this.resumeToken = connected.resumeToken;
    this.connection = new CallConnection({
      rtcConfig: { iceServers: connected.ice.iceServers, iceTransportPolicy: connected.ice.iceTransportPolicy },
      // The callee yields when both sides offer at once; the caller makes the first offer.
      polite: connected.role === 'callee',
      awaitFirstOffer: connected.role === 'callee',
      send: (message) => this.sendSignal(message),
      onRemoteStream: (stream) => this.screen.showRemoteStream(stream),
      onPhase: (phase) => this.screen.showPhase(phase),
      onChat: (message) => this.screen.showChat(message),
    });
    this.screen = new CallScreen({
      container: options.container,
      connection: this.connection,
      localStream: options.localStream,
      peerName: options.peerName ?? connected.peer.displayName,
      onHangUp: () => this.hangUp(),
    });
    // Only the caller adds its tracks at once: that starts the first negotiation. The callee
    // adds its own when the offer arrives, so both never offer together at the start.
    if (connected.role === 'caller') this.connection.addLocalStream(options.localStream);
    else this.calleeTracksPending = true;
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
            this.connection.addLocalStream(this.options.localStream);
          })
          .catch(reportNegotiationError);
        break;
      case 'answer':
        this.connection.handleDescription({ type: 'answer', sdp: message.sdp }).catch(reportNegotiationError);
        break;
      case 'candidate':
        void this.connection.handleCandidate(message.candidate === '' ? null : toCandidateInit(message));
        break;
      case 'peer-back':
        // The other side's network changed: find a new path. Both sides ask; the connection
        // lets only the caller offer the restart, so the two never collide.
        this.connection.restartIce();
        break;
      case 'call-connected':
        // Our own socket came back and the call resumed on it.
        this.resumeToken = message.resumeToken;
        this.connection.restartIce();
        break;
      case 'call-ended':
        this.finish(message.reason);
        break;
      default:
        break;
    }
  }

  hangUp(): void {
    if (this.ended) return;
    this.endedByMe = true;
    this.options.signal.send({ type: 'hang-up', callId: this.callId });
    this.finish('hung-up');
  }

  private finish(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.connection.close();
    this.screen.close();
    this.options.onEnded(reason);
  }

  private sendSignal(message: SignalOut): void {
    const { signal } = this.options;
    if (message.kind === 'candidate') {
      const candidate = message.candidate;
      signal.send({
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
      signal.send({ type: 'offer', callId: this.callId, sdp, iceRestart });
    } else if (type === 'answer') {
      this.lastUfrag = iceUfrag(sdp) ?? this.lastUfrag;
      signal.send({ type: 'answer', callId: this.callId, sdp });
    }
  }
}

/** A description the browser refused: the connection's phase shows the consequence to the person. */
function reportNegotiationError(error: unknown): void {
  console.warn('call: a description from the other side was refused', error);
}

function toCandidateInit(fields: CandidateFields): RTCIceCandidateInit {
  return { candidate: fields.candidate, sdpMid: fields.sdpMid, sdpMLineIndex: fields.sdpMLineIndex, usernameFragment: fields.usernameFragment };
}
