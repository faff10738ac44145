// The phone both call pages share: one signaling connection, and at most one call at a time
// going through its life cycle (invite → ringing → connected → ended, or incoming → accept /
// decline). It owns the protocol side and the tones; the pages only draw what it reports.
//
// Invariants: `state` says which call this page is dealing with; every path out of a call goes
// through `end()`, which stops the tones and the local media exactly once and reports one CallEnd.
import type { EndReason, PartyView, RefusalCode, ServerMessage } from '../../../../server/signal/protocol.js';
import { SignalClient, type SignalState } from '../signal-client.js';
import { CallSession } from './session.js';
import { playRingback, playRingtone, type Tone } from './tones.js';

type Welcome = Extract<ServerMessage, { type: 'welcome' }>;

export type PhoneState =
  | { kind: 'idle' }
  /** Our invite is on its way; the server answers with ringing, an end, a refusal, or (glare) a connected call. */
  | { kind: 'inviting'; calleeMemberId: string; stream: MediaStream }
  | { kind: 'ringing-out'; callId: string; callee: PartyView; stream: MediaStream }
  | { kind: 'ringing-in'; callId: string; caller: PartyView }
  /** We accepted; the server confirms with call-connected (or another device was faster). */
  | { kind: 'accepting'; callId: string; caller: PartyView; stream: MediaStream }
  | { kind: 'in-call'; callId: string; peer: PartyView; session: CallSession; connectedAtMs: number };

/** How a call ended, from this page's point of view. */
export type CallEnd = {
  direction: 'outgoing' | 'incoming';
  /** The protocol's reason, 'refused' when the server turned the request down, 'network' when our socket dropped. */
  reason: EndReason | 'refused' | 'network';
  refusal?: RefusalCode;
  peer: PartyView | null;
  /** Seconds between connection and end; null when the call never connected. */
  durationS: number | null;
  /** Whether this page ended it (hang-up, cancel, decline). */
  byMe: boolean;
};

export type PhoneOptions = {
  /** A guest's phone: its socket is authenticated by the ticket from a call link. */
  asGuest?: boolean;
  /** The name the call screen shows for the other side instead of the server's. */
  peerName?: string;
  /** Where the call screen goes while a call is connected. */
  container: HTMLElement;
  onState?: (state: PhoneState) => void;
  onEnded?: (end: CallEnd) => void;
  onSignalState?: (state: SignalState, closeCode?: number) => void;
  onWelcome?: (welcome: Welcome, isReconnect: boolean) => void;
  /** A refusal that concerns no call of ours (rare: a stale message). */
  onRefusal?: (code: RefusalCode) => void;
};

export class Phone {
  private readonly options: PhoneOptions;
  private readonly signal: SignalClient;
  private current: PhoneState = { kind: 'idle' };
  private tone: Tone | null = null;

  constructor(options: PhoneOptions) {
    this.options = options;
    this.signal = new SignalClient({
      asGuest: options.asGuest === true,
      onMessage: (message) => this.receive(message),
      onState: (state, code) => this.signalStateChanged(state, code),
      onWelcome: (welcome, isReconnect) => this.welcomed(welcome, isReconnect),
    });
  }

  get state(): PhoneState {
    return this.current;
  }

  connect(): void {
    this.signal.connect();
  }

  /** Ends any call and closes the signaling connection for good. */
  close(): void {
    if (this.current.kind === 'in-call') this.current.session.hangUp();
    else if (this.current.kind !== 'idle') this.cancel();
    this.signal.close();
  }

  /** Rings a member; `stream` is the camera and microphone already opened (it is ours to stop from now on). */
  call(calleeMemberId: string, stream: MediaStream): boolean {
    if (this.current.kind !== 'idle') {
      stopStream(stream);
      return false;
    }
    if (!this.signal.send({ type: 'invite', calleeMemberId })) {
      stopStream(stream);
      this.report({ direction: 'outgoing', reason: 'network', peer: null, durationS: null, byMe: false });
      return false;
    }
    this.setState({ kind: 'inviting', calleeMemberId, stream });
    return true;
  }

  /** Gives up an outgoing call before it is answered. */
  cancel(): void {
    const state = this.current;
    if (state.kind === 'ringing-out') this.signal.send({ type: 'cancel', callId: state.callId });
    if (state.kind === 'ringing-out' || state.kind === 'inviting') {
      this.end('cancelled', { byMe: true });
    }
  }

  /** Takes the incoming call on this device with the camera and microphone already opened. */
  accept(stream: MediaStream): void {
    const state = this.current;
    if (state.kind !== 'ringing-in' || !this.signal.send({ type: 'accept', callId: state.callId })) {
      stopStream(stream);
      return;
    }
    this.stopTone();
    this.setState({ kind: 'accepting', callId: state.callId, caller: state.caller, stream });
  }

  decline(): void {
    const state = this.current;
    if (state.kind !== 'ringing-in') return;
    this.signal.send({ type: 'decline', callId: state.callId });
    this.end('declined', { byMe: true });
  }

  hangUp(): void {
    if (this.current.kind === 'in-call') this.current.session.hangUp();
  }

  private receive(message: ServerMessage): void {
    const state = this.current;
    switch (message.type) {
      case 'incoming-call':
        // One call at a time; the server counts us busy anyway while we are in one.
        if (state.kind === 'idle') {
          this.setState({ kind: 'ringing-in', callId: message.callId, caller: message.caller });
          this.startTone(playRingtone);
        }
        return;
      case 'call-ringing':
        if (state.kind === 'inviting') {
          this.setState({ kind: 'ringing-out', callId: message.callId, callee: message.callee, stream: state.stream });
          this.startTone(playRingback);
        }
        return;
      case 'call-connected':
        this.connected(message);
        return;
      case 'call-ended':
        if (state.kind === 'in-call') {
          state.session.handle(message);
          return;
        }
        // An invite answered at once (busy, unavailable) ends a call we never heard the id of.
        if (state.kind === 'inviting' || ('callId' in state && state.callId === message.callId)) this.end(message.reason);
        return;
      case 'error':
        this.refused(message.code, message.callId);
        return;
      default:
        if (state.kind === 'in-call') state.session.handle(message);
    }
  }

  private connected(message: Extract<ServerMessage, { type: 'call-connected' }>): void {
    const state = this.current;
    if (state.kind === 'in-call') {
      if (message.callId === state.callId) state.session.handle(message);
      return;
    }
    // An invite crossing the other member's invite (glare) connects the call they started.
    const ours = state.kind === 'inviting' || ((state.kind === 'ringing-out' || state.kind === 'accepting') && state.callId === message.callId);
    if (!ours) return;
    this.stopTone();
    const session = new CallSession({
      signal: this.signal,
      connected: message,
      localStream: state.stream,
      container: this.options.container,
      ...(this.options.peerName === undefined ? {} : { peerName: this.options.peerName }),
      onEnded: (reason) => this.sessionEnded(reason as EndReason),
    });
    this.setState({ kind: 'in-call', callId: message.callId, peer: message.peer, session, connectedAtMs: Date.now() });
  }

  private sessionEnded(reason: EndReason): void {
    const state = this.current;
    if (state.kind !== 'in-call') return;
    const durationS = Math.max(0, Math.round((Date.now() - state.connectedAtMs) / 1000));
    this.current = { kind: 'idle' };
    this.options.onState?.(this.current);
    this.report({ direction: state.session.role === 'caller' ? 'outgoing' : 'incoming', reason, peer: state.peer, durationS, byMe: reason === 'hung-up' && state.session.endedByMe });
  }

  private refused(code: RefusalCode, callId: string | undefined): void {
    const state = this.current;
    if (state.kind === 'inviting') {
      this.end('refused', { refusal: code });
      return;
    }
    if (state.kind === 'in-call' && callId === state.callId && code === 'cannot_resume') {
      // The call ended while we were away.
      state.session.handle({ type: 'call-ended', callId, reason: 'peer-gone' });
      return;
    }
    if (state.kind === 'accepting' && callId === state.callId) {
      this.end('refused', { refusal: code });
      return;
    }
    this.options.onRefusal?.(code);
  }

  private welcomed(welcome: Welcome, isReconnect: boolean): void {
    const state = this.current;
    if (isReconnect && state.kind === 'in-call') {
      this.signal.send({ type: 'resume', callId: state.callId, resumeToken: state.session.resumeToken });
    }
    this.options.onWelcome?.(welcome, isReconnect);
  }

  private signalStateChanged(signalState: SignalState, code?: number): void {
    // A call that was not connected yet does not survive our socket dropping: the server ended
    // it or will ring this device again (incoming) once we are back.
    if (signalState === 'reconnecting' || signalState === 'closed') {
      const state = this.current;
      if (state.kind === 'inviting' || state.kind === 'ringing-out' || state.kind === 'ringing-in' || state.kind === 'accepting') this.end('network');
      else if (state.kind === 'in-call' && signalState === 'closed') state.session.handle({ type: 'call-ended', callId: state.callId, reason: 'peer-gone' });
    }
    this.options.onSignalState?.(signalState, code);
  }

  /** Leaves a call that never connected. */
  private end(reason: CallEnd['reason'], extra: { byMe?: boolean; refusal?: RefusalCode } = {}): void {
    const state = this.current;
    if (state.kind === 'idle' || state.kind === 'in-call') return;
    this.stopTone();
    if ('stream' in state) stopStream(state.stream);
    this.current = { kind: 'idle' };
    this.options.onState?.(this.current);
    const direction = state.kind === 'inviting' || state.kind === 'ringing-out' ? 'outgoing' : 'incoming';
    const peer = state.kind === 'ringing-out' ? state.callee : state.kind === 'ringing-in' || state.kind === 'accepting' ? state.caller : null;
    const end: CallEnd = { direction, reason, peer, durationS: null, byMe: extra.byMe === true };
    if (extra.refusal !== undefined) end.refusal = extra.refusal;
    this.report(end);
  }

  private report(end: CallEnd): void {
    this.options.onEnded?.(end);
  }

  private setState(state: PhoneState): void {
    this.current = state;
    this.options.onState?.(state);
  }

  private startTone(play: () => Tone): void {
    this.stopTone();
    this.tone = play();
  }

  private stopTone(): void {
    this.tone?.stop();
    this.tone = null;
  }
}

function stopStream(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}
