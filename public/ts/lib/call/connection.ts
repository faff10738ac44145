// One call's RTCPeerConnection, from the browser's side. It negotiates with the "perfect
// negotiation" pattern (either side may renegotiate; the polite side yields on collision), so
// screen sharing, camera switching and ICE restarts need no extra protocol. Chat goes over a
// data channel, browser to browser: it never passes through the server; so does each side's
// microphone and camera state (peer-state.ts), as a small message of its own kind.
//
// The signaling transport is not known here: descriptions and candidates leave through
// `send` and come back through handleDescription / handleCandidate.
import { parseState, STATE_MESSAGE_MAX_CHARS, stateMessage, type PeerMediaState } from './peer-state.js';
import type { QualityReading } from './quality.js';

import type { ChatMessage, ConnectionInit, ConnectionPhase, ConnectionPort, SignalOut } from './ports.js';
import { openChatChannel } from './chat-channel.js';
import { candidateCount, iceUfrag } from './sdp.js';
import { adoptWarmed, rtcConfigOf, type WarmConnection } from './warm-up.js';
import type { CallPath } from '../../../../server/signal/protocol.js';
import { fingerprintsOf, pathOf, qualityReadingOf } from './connection-readings.js';
import type { ConnectionFingerprints } from './verification.js';

export type { ChatMessage, ConnectionPhase, SignalOut } from './ports.js';

export type CallConnectionOptions = {
  rtcConfig: RTCConfiguration;
  /** A connection made with `rtcConfig` while the call rang (warm-up.ts); a new one otherwise. */
  warm?: WarmConnection;
  /** The polite side rolls back its own offer when both offer at once. Exactly one side is polite. */
  polite: boolean;
  send: (message: SignalOut) => void;
  /**
   * The callee's side: make no offer before the caller's first one has been answered. Its own
   * chat channel would otherwise start an offer of a lone data section that crosses the
   * caller's; after that glare Chromium leaves the data section rejected (port 0) and chat
   * never opens.
   */
  awaitFirstOffer?: boolean;
  onRemoteStream?: (stream: MediaStream) => void;
  onPhase?: (phase: ConnectionPhase) => void;
  onChat?: (message: ChatMessage) => void;
  onChatOpen?: () => void;
  /** The other side's microphone and camera, each time it says they changed. */
  onPeerState?: (state: PeerMediaState) => void;
  /** Tests shorten FIRST_CONNECT_DEADLINE_MS. */
  firstConnectDeadlineMs?: number;
};

/** Long enough for a paragraph; the receiving side drops anything longer. */
export const CHAT_MAX_CHARS = 2000;
/** How long a "disconnected" path may recover by itself before an ICE restart is asked. */
const DISCONNECTED_GRACE_MS = 4000;
/**
 * How long the polite side waits for the other side's ICE restart before making its own. Both
 * sides usually notice a broken path (or a resumed socket) at the same moment; if both offered,
 * the offers would collide and the polite side would roll its offer back, after which Chromium
 * may stop sending video. Several signaling round trips fit in this delay.
 */
const POLITE_RESTART_DELAY_MS = 5000;
/**
 * A call that has not connected by then will not by itself: the network blocks every path, most
 * often the relay's ports. The person is told (phase "failed") while the connection keeps trying,
 * in case the network changes. Across the NATs and firewalls of test/nat, calls connect in 0.5–1.2 s.
 */
export const FIRST_CONNECT_DEADLINE_MS = 30_000;

export class CallConnection implements ConnectionPort<MediaStream> {
  readonly pc: RTCPeerConnection;
  private readonly options: CallConnectionOptions;
  private readonly chat: RTCDataChannel;
  private readonly remoteStream = new MediaStream();
  private makingOffer = false;
  private ignoreOffer = false;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private politeRestartTimer: ReturnType<typeof setTimeout> | undefined;
  private phase: ConnectionPhase = 'connecting';
  private everConnected = false;
  private readonly firstConnectTimer: ReturnType<typeof setTimeout>;
  /** Candidates gathered in the current ICE generation. */
  private gathered = 0;
  private awaitingFirstOffer: boolean;
  /** Our latest state, sent again when the channel opens. */
  private ownState: PeerMediaState | null = null;

  constructor(options: CallConnectionOptions) {
    this.options = options;
    this.awaitingFirstOffer = options.awaitFirstOffer === true;
    const { warm } = options;
    this.pc = warm?.pc ?? new RTCPeerConnection({ bundlePolicy: 'max-bundle', ...options.rtcConfig });
    this.chat = warm?.chat ?? openChatChannel(this.pc);
    this.chat.onopen = () => {
      if (this.ownState !== null) this.chat.send(stateMessage(this.ownState));
      options.onChatOpen?.();
    };
    this.chat.onmessage = (event) => this.receiveChat(event.data);

    this.pc.onnegotiationneeded = () => void this.offer();
    this.pc.onicecandidate = ({ candidate }) => {
      if (candidate !== null) this.gathered += 1;
      options.send({ kind: 'candidate', candidate: candidate?.toJSON() ?? null });
    };
    this.pc.onicegatheringstatechange = () => this.followGathering();
    this.firstConnectTimer = setTimeout(() => {
      if (!this.everConnected) this.setPhase('failed');
    }, options.firstConnectDeadlineMs ?? FIRST_CONNECT_DEADLINE_MS);
    this.pc.ontrack = ({ track }) => {
      for (const old of this.remoteStream.getTracks().filter((t) => t.kind === track.kind)) this.remoteStream.removeTrack(old);
      this.remoteStream.addTrack(track);
      options.onRemoteStream?.(this.remoteStream);
    };
    this.pc.onconnectionstatechange = () => this.followConnectionState();
    if (warm?.offered !== undefined) this.sendPreparedOffer(warm.offered);
  }

  /**
   * Sends the local camera and microphone (either may be missing). A track the connection
   * already sends (added while the call rang) is left as it is; one that replaced it meanwhile
   * (another camera) takes its sender's place.
   */
  addLocalStream(stream: MediaStream): void {
    const senders = this.pc.getSenders();
    for (const track of stream.getTracks()) {
      if (senders.some((sender) => sender.track === track)) continue;
      const stale = senders.find((sender) => sender.track !== null && sender.track.kind === track.kind && !stream.getTracks().includes(sender.track));
      if (stale === undefined) this.pc.addTrack(track, stream);
      else void stale.replaceTrack(track);
    }
  }

  /**
   * Applies the other side's description. `beforeAnswer` runs between applying an offer and
   * answering it: a callee adds its tracks there, so they reuse the offer's transceivers
   * instead of asking for a second negotiation.
   */
  async handleDescription(description: RTCSessionDescriptionInit, beforeAnswer?: () => void): Promise<void> {
    const collision = description.type === 'offer' && (this.makingOffer || this.pc.signalingState !== 'stable');
    this.ignoreOffer = !this.options.polite && collision;
    if (this.ignoreOffer) return;
    const remoteUfrag = iceUfrag(this.pc.remoteDescription?.sdp);
    await this.pc.setRemoteDescription(description);
    if (description.type === 'offer') {
      // The other side restarted ICE: ours is no longer needed.
      if (remoteUfrag !== null && iceUfrag(description.sdp) !== remoteUfrag) this.cancelPoliteRestart();
      beforeAnswer?.();
      await this.pc.setLocalDescription();
      this.sendLocalDescription();
      this.awaitingFirstOffer = false;
    }
  }

  async handleCandidate(candidate: RTCIceCandidateInit | null): Promise<void> {
    try {
      await this.pc.addIceCandidate(candidate ?? undefined);
    } catch (error) {
      // Candidates of an offer we ignored in a collision, or of one rolled back or replaced by an
      // ICE restart, arrive late and are expected to fail (Firefox: "Unknown ufrag").
      if (this.ignoreOffer || this.isStale(candidate)) return;
      console.warn('call: a candidate from the other side was refused', error);
    }
  }

  /** Replaces the outgoing track of one kind (camera switch, screen share); null sends nothing. */
  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null, stream: MediaStream): Promise<void> {
    const sender = this.pc.getSenders().find((s) => s.track?.kind === kind || (s.track === null && this.senderKind(s) === kind));
    if (sender !== undefined) {
      await sender.replaceTrack(track);
      return;
    }
    if (track !== null) this.pc.addTrack(track, stream);
  }

  sendChat(text: string): boolean {
    const trimmed = text.trim();
    if (this.chat.readyState !== 'open' || trimmed === '' || trimmed.length > CHAT_MAX_CHARS) return false;
    this.chat.send(JSON.stringify({ text: trimmed, sentAt: new Date().toISOString() }));
    return true;
  }

  /** Tells the other side our microphone and camera state; sent once the channel opens if it is not open yet. */
  sendState(state: PeerMediaState): void {
    this.ownState = state;
    if (this.chat.readyState === 'open') this.chat.send(stateMessage(state));
  }

  /**
   * Looks for a new path. The impolite side restarts at once; the polite side gives the other
   * side's restart time to arrive first, so that the two restarts never collide.
   */
  restartIce(): void {
    if (!this.options.polite) {
      this.pc.restartIce();
      return;
    }
    if (this.politeRestartTimer !== undefined) return;
    this.politeRestartTimer = setTimeout(() => {
      this.politeRestartTimer = undefined;
      if (this.pc.signalingState !== 'closed') this.pc.restartIce();
    }, POLITE_RESTART_DELAY_MS);
  }

  /**
   * A signaling socket came back (ours or the other side's). An offer this side made while it
   * was away went with the dead socket, and the browser makes no other until that one is
   * answered: the caller sends it again (the other side answers it, dropping any offer of its
   * own). Otherwise, or on the polite side, look for a new path as after any break.
   */
  resumeNegotiation(): void {
    if (!this.options.polite && this.pc.signalingState === 'have-local-offer') {
      this.sendLocalDescription();
      return;
    }
    this.restartIce();
  }

  /** Whether the live path goes through a TURN relay (connection-readings.ts). */
  path(): Promise<{ kind: CallPath; local: string; remote: string } | null> {
    return pathOf(this.pc);
  }

  /** The DTLS certificate fingerprints the handshake used, for the verification code; null until it is done. */
  fingerprints(): Promise<ConnectionFingerprints | null> {
    return fingerprintsOf(this.pc);
  }

  /** Packets received and lost and the round trip, for assessQuality. */
  qualityReading(): Promise<QualityReading> {
    return qualityReadingOf(this.pc);
  }

  close(): void {
    clearTimeout(this.restartTimer);
    clearTimeout(this.firstConnectTimer);
    this.cancelPoliteRestart();
    this.chat.close();
    this.pc.close();
    this.setPhase('closed');
  }

  private async offer(): Promise<void> {
    // Whatever needs negotiating then is carried by the answer, or asked again once stable.
    if (this.awaitingFirstOffer) return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      this.sendLocalDescription();
    } finally {
      this.makingOffer = false;
    }
  }

  /**
   * The offer the caller set while the call rang leaves now, with the candidates gathered since
   * (a local description holds them); later ones trickle as usual. One the browser refused is
   * made again here.
   */
  private sendPreparedOffer(offered: Promise<void>): void {
    this.makingOffer = true;
    offered.then(
      () => {
        this.makingOffer = false;
        if (this.pc.signalingState !== 'have-local-offer') return;
        this.gathered = candidateCount(this.pc.localDescription?.sdp);
        this.sendLocalDescription();
        // Gathering ended before the session took over: its end was never signaled.
        if (this.pc.iceGatheringState === 'complete') {
          this.options.send({ kind: 'candidate', candidate: null });
          this.followGathering();
        }
      },
      () => {
        this.makingOffer = false;
        void this.offer();
      },
    );
  }

  private sendLocalDescription(): void {
    const description = this.pc.localDescription;
    if (description !== null) this.options.send({ kind: 'description', description: description.toJSON() as RTCSessionDescriptionInit });
  }

  private receiveChat(data: unknown): void {
    if (typeof data !== 'string' || data.length > CHAT_MAX_CHARS * 4) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    if (data.length <= STATE_MESSAGE_MAX_CHARS) {
      const state = parseState(parsed);
      if (state !== null) {
        this.options.onPeerState?.(state);
        return;
      }
    }
    const { text, sentAt } = (parsed ?? {}) as { text?: unknown; sentAt?: unknown };
    if (typeof text !== 'string' || text.length === 0 || text.length > CHAT_MAX_CHARS || typeof sentAt !== 'string') return;
    this.options.onChat?.({ text, sentAt });
  }

  /**
   * Gathering over with no candidate at all: with the relay-only policy of guests' calls, the
   * relay could not be reached over any transport, so no path can exist. Said at once rather than
   * at the deadline. (Under the full policy a browser always has host candidates.)
   */
  private followGathering(): void {
    const state = this.pc.iceGatheringState;
    if (state === 'gathering') this.gathered = 0;
    else if (state === 'complete' && this.gathered === 0 && !this.everConnected) this.setPhase('failed');
  }

  private followConnectionState(): void {
    const state = this.pc.connectionState;
    clearTimeout(this.restartTimer);
    if (state === 'connected') {
      this.everConnected = true;
      clearTimeout(this.firstConnectTimer);
      this.setPhase('connected');
    } else if (state === 'failed') {
      // Never connected: still connecting (or already told it cannot), not "reconnecting".
      if (this.everConnected) this.setPhase('reconnecting');
      this.restartIce();
    } else if (state === 'disconnected') {
      if (!this.everConnected) return;
      this.setPhase('reconnecting');
      this.restartTimer = setTimeout(() => {
        if (this.pc.connectionState === 'disconnected') this.restartIce();
      }, DISCONNECTED_GRACE_MS);
    } else if (state === 'closed') this.setPhase('closed');
  }

  private setPhase(phase: ConnectionPhase): void {
    if (phase === this.phase) return;
    this.phase = phase;
    this.options.onPhase?.(phase);
  }

  private cancelPoliteRestart(): void {
    clearTimeout(this.politeRestartTimer);
    this.politeRestartTimer = undefined;
  }

  /** Whether a candidate belongs to an ICE generation that the current remote description replaced. */
  private isStale(candidate: RTCIceCandidateInit | null): boolean {
    const current = iceUfrag(this.pc.remoteDescription?.sdp);
    if (current === null) return true;
    const ufrag = candidate?.usernameFragment ?? null;
    return ufrag !== null && ufrag !== current;
  }

  private senderKind(sender: RTCRtpSender): string | undefined {
    return this.pc.getTransceivers().find((t) => t.sender === sender)?.receiver.track.kind;
  }
}

/**
 * The browser's connection for a session (CallSession's `openConnection`), with the call's
 * certificate (certificate.ts), on the connection warmed while it rang when there is one.
 */
export function openCallConnection(init: ConnectionInit<MediaStream>, certificate: RTCCertificate, warmed: WarmConnection | null = null): CallConnection {
  const { ice, ...rest } = init;
  const rtcConfig = rtcConfigOf(ice, certificate);
  const pc = warmed === null ? null : adoptWarmed(warmed.pc, rtcConfig);
  return new CallConnection({ rtcConfig, ...rest, ...(pc === null || warmed === null ? {} : { warm: { ...warmed, pc } }) });
}
