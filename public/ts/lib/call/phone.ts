// The phone both call pages share: one signaling connection, and at most one call at a time
// going through its life cycle (invite → ringing → connected → ended, or incoming → accept /
// decline). It owns the protocol side and the tones; the pages draw what it reports, the call
// screen included (from the session of the in-call state).
//
// Nothing here touches the DOM or WebRTC: the signaling channel, tones, clock and what starts a
// connected call are given (see ports.ts), so the state machine runs under Node in the tests.
//
// Invariants: `state` says which call this page is dealing with; every path out of a call goes
// through `end()` or the session's end, which stop the tones and the local media exactly once
// and report one CallEnd.
import type { EndReason, IceConfig, PartyView, RefusalCode, ServerMessage } from '../../../../server/signal/protocol.js';
import type {
  CallKey,
  Clock,
  Connected,
  OwnedMedia,
  SessionInit,
  SessionPort,
  SignalChannel,
  SignalEvents,
  SignalState,
  TimerHandle,
  Tone,
  Tones,
  Welcome,
} from './ports.js';

/**
 * How long an invite made before the server's welcome waits for it (the socket still opening,
 * or reconnecting). Past this the call ends as unreachable rather than ringing much later.
 */
export const WELCOME_WAIT_MS = 15_000;
/**
 * How long after a hang-up a new socket still repeats it (see `hungUp`). The server keeps a call
 * whose socket went away for its resume grace (20 s); a little more covers a slow reconnect.
 */
export const HANG_UP_REPEAT_MS = 30_000;

export type PhoneState<Media = OwnedMedia, Session = SessionPort, Key extends CallKey = CallKey> =
  | { kind: 'idle' }
  /** Our invite waits for the welcome (`sent` false) or is on its way; the server answers with ringing, an end, a refusal, or (glare) a connected call. */
  | { kind: 'inviting'; calleeMemberId: string; media: Media; key: Key; sent: boolean; knockNote?: string }
  /** `ice`: the relay servers this side will have in the call, to prepare its offer with while it rings (when the server sent them). */
  | { kind: 'ringing-out'; callId: string; callee: PartyView; media: Media; key: Key; ice?: IceConfig }
  /** `knock`: a guest knocks (with a note, maybe empty); accepting lets them in. `ice`: the relay
   *  servers this device will have in the call, to gather with while it rings (when the server sent them). */
  | { kind: 'ringing-in'; callId: string; caller: PartyView; knock?: { note: string }; ice?: IceConfig }
  /** We accepted; the server confirms with call-connected (or another device was faster). */
  | { kind: 'accepting'; callId: string; caller: PartyView; media: Media; key: Key }
  | { kind: 'in-call'; callId: string; peer: PartyView; session: Session; connectedAtMs: number };

/** How a call ended, from this page's point of view. */
export type CallEnd = {
  direction: 'outgoing' | 'incoming';
  /**
   * The protocol's reason; 'refused' when the server turned the request down; 'network' when
   * our socket dropped; 'unreachable' when an invite never got to the server (no welcome in time,
   * or the socket closed for good first).
   */
  reason: EndReason | 'refused' | 'network' | 'unreachable';
  refusal?: RefusalCode;
  peer: PartyView | null;
  /** Seconds between connection and end; null when the call never connected. */
  durationS: number | null;
  /** Whether this page ended it (hang-up, cancel, decline). */
  byMe: boolean;
};

export type PhoneOptions<Media extends OwnedMedia, Session extends SessionPort, Key extends CallKey = CallKey> = {
  /** Opens the signaling channel that reports to the given events (SignalClient in the browser). */
  openSignal: (events: SignalEvents) => SignalChannel;
  /** Starts the connected call (CallSession in the browser). */
  startSession: (init: SessionInit<Media, Key>) => Session;
  tones: Tones;
  clock: Clock;
  onState?: (state: PhoneState<Media, Session, Key>) => void;
  onEnded?: (end: CallEnd) => void;
  onSignalState?: (state: SignalState, closeCode?: number) => void;
  /** A refusal that concerns no call of ours (rare: a stale message). */
  onRefusal?: (code: RefusalCode) => void;
};

export class Phone<Media extends OwnedMedia = OwnedMedia, Session extends SessionPort = SessionPort, Key extends CallKey = CallKey> {
  private readonly options: PhoneOptions<Media, Session, Key>;
  private readonly signal: SignalChannel;
  private current: PhoneState<Media, Session, Key> = { kind: 'idle' };
  private tone: Tone | null = null;
  /** Between a welcome and the socket dropping: what is sent now reaches the server. */
  private online = false;
  private welcomeTimer: TimerHandle | null = null;
  /**
   * The call this page last hung up. A socket can look open and lead nowhere (after a move to
   * another network): the hang-up then dies with it, and the server keeps the call for the other
   * side to wait out. So the next socket, if it comes within HANG_UP_REPEAT_MS, takes the call
   * back (resume) and hangs it up again; what the server answers about that call is ignored.
   */
  private hungUp: { callId: string; resumeToken: string; atMs: number } | null = null;

  constructor(options: PhoneOptions<Media, Session, Key>) {
    this.options = options;
    this.signal = options.openSignal({
      onMessage: (message) => this.receive(message),
      onState: (state, code) => this.signalStateChanged(state, code),
      onWelcome: (welcome, isReconnect) => this.welcomed(welcome, isReconnect),
    });
  }

  get state(): PhoneState<Media, Session, Key> {
    return this.current;
  }

  connect(): void {
    this.signal.connect();
  }

  /** Ends any call and closes the signaling connection for good. */
  close(): void {
    // A call ringing here is left ringing on the member's other devices.
    if (this.current.kind === 'in-call') this.current.session.hangUp();
    else this.cancel();
    this.signal.close();
  }

  /**
   * Rings a member; `media` is the camera and microphone already opened (ours to stop from now
   * on), `key` this call's certificate. Before the server's welcome the invite waits for it, up
   * to WELCOME_WAIT_MS. With `knockNote` (a guest at a member who lets guests in one by one) it
   * knocks instead.
   */
  call(calleeMemberId: string, media: Media, key: Key, knockNote?: string): boolean {
    if (this.current.kind !== 'idle') {
      media.stop();
      return false;
    }
    this.setState({ kind: 'inviting', calleeMemberId, media, key, sent: false, ...(knockNote === undefined ? {} : { knockNote }) });
    if (this.online) return this.sendInvite();
    this.welcomeTimer = this.options.clock.setTimer(() => {
      this.welcomeTimer = null;
      if (this.current.kind === 'inviting' && !this.current.sent) this.end('unreachable');
    }, WELCOME_WAIT_MS);
    return true;
  }

  /** Gives up an outgoing call before it is answered. */
  cancel(): void {
    const state = this.current;
    if (state.kind === 'ringing-out') this.signal.send({ type: 'cancel', callId: state.callId });
    if (state.kind === 'ringing-out' || state.kind === 'inviting') this.end('cancelled', { byMe: true });
  }

  /** Takes the incoming call on this device with the camera and microphone already opened and this call's certificate. */
  accept(media: Media, key: Key): void {
    const state = this.current;
    if (state.kind !== 'ringing-in' || !this.signal.send({ type: 'accept', callId: state.callId, commitment: key.commitment })) {
      media.stop();
      return;
    }
    this.stopTone();
    this.setState({ kind: 'accepting', callId: state.callId, caller: state.caller, media, key });
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

  /** Sends the waiting invite; false (and the call ended) when the socket is gone after all. */
  private sendInvite(): boolean {
    const state = this.current;
    if (state.kind !== 'inviting' || state.sent) return false;
    this.clearWelcomeTimer();
    const { calleeMemberId, knockNote, key } = state;
    // The commitment serves if this invite crosses the other member's and accepts their call.
    const invite = { type: 'invite', calleeMemberId, commitment: key.commitment } as const;
    if (!this.signal.send(knockNote === undefined ? invite : { type: 'knock', calleeMemberId, note: knockNote })) {
      this.end('network');
      return false;
    }
    this.current = { ...state, sent: true };
    return true;
  }

  private receive(message: ServerMessage): void {
    // The server giving back, then ending, a call we hung up (see `hungUp`): over for us already.
    if ('callId' in message && message.callId === this.hungUp?.callId) return;
    const state = this.current;
    switch (message.type) {
      case 'incoming-call':
        // One call at a time; the server counts us busy anyway while we are in one.
        if (state.kind === 'idle') {
          this.setState({
            kind: 'ringing-in',
            callId: message.callId,
            caller: message.caller,
            ...(message.knock === undefined ? {} : { knock: message.knock }),
            ...(message.ice === undefined ? {} : { ice: message.ice }),
          });
          this.startTone(this.options.tones.ringtone);
        }
        return;
      case 'call-ringing':
        if (state.kind === 'inviting' && state.sent) {
          this.setState({
            kind: 'ringing-out',
            callId: message.callId,
            callee: message.callee,
            media: state.media,
            key: state.key,
            ...(message.ice === undefined ? {} : { ice: message.ice }),
          });
          this.startTone(this.options.tones.ringback);
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
        if ((state.kind === 'inviting' && state.sent) || ('callId' in state && state.callId === message.callId)) this.end(message.reason);
        return;
      case 'error':
        this.refused(message.code, message.callId);
        return;
      default:
        if (state.kind === 'in-call') state.session.handle(message);
    }
  }

  private connected(message: Connected): void {
    const state = this.current;
    if (state.kind === 'in-call') {
      if (message.callId === state.callId) state.session.handle(message);
      return;
    }
    // An invite crossing the other member's invite (glare) connects the call they started.
    const ours = (state.kind === 'inviting' && state.sent) || ((state.kind === 'ringing-out' || state.kind === 'accepting') && state.callId === message.callId);
    if (!ours) return;
    this.stopTone();
    const session = this.options.startSession({
      connected: message,
      media: state.media,
      key: state.key,
      send: (out) => this.signal.send(out),
      onEnded: (reason) => this.sessionEnded(reason),
    });
    this.setState({ kind: 'in-call', callId: message.callId, peer: message.peer, session, connectedAtMs: this.options.clock.nowMs() });
  }

  private sessionEnded(reason: EndReason): void {
    const state = this.current;
    if (state.kind !== 'in-call') return;
    const durationS = Math.max(0, Math.round((this.options.clock.nowMs() - state.connectedAtMs) / 1000));
    if (reason === 'hung-up' && state.session.endedByMe) {
      this.hungUp = { callId: state.callId, resumeToken: state.session.resumeToken, atMs: this.options.clock.nowMs() };
    }
    this.setState({ kind: 'idle' });
    const direction = state.session.role === 'caller' ? 'outgoing' : 'incoming';
    this.report({ direction, reason, peer: state.peer, durationS, byMe: reason === 'hung-up' && state.session.endedByMe });
  }

  private refused(code: RefusalCode, callId: string | undefined): void {
    const state = this.current;
    if (state.kind === 'inviting' && state.sent) {
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
    // About a call that is over here: a message of ours (a late candidate, a path report) crossed
    // its end on the way. The person was told when it ended; a second notice would replace that
    // one and its actions (call back, block).
    if (callId !== undefined && callId !== ('callId' in state ? state.callId : undefined)) return;
    this.options.onRefusal?.(code);
  }

  private welcomed(_welcome: Welcome, isReconnect: boolean): void {
    this.online = true;
    const hungUp = this.hungUp;
    if (isReconnect && hungUp !== null && this.options.clock.nowMs() - hungUp.atMs < HANG_UP_REPEAT_MS) {
      this.signal.send({ type: 'resume', callId: hungUp.callId, resumeToken: hungUp.resumeToken });
      this.signal.send({ type: 'hang-up', callId: hungUp.callId });
    }
    const state = this.current;
    if (state.kind === 'inviting') this.sendInvite();
    else if (isReconnect && state.kind === 'in-call') {
      this.signal.send({ type: 'resume', callId: state.callId, resumeToken: state.session.resumeToken });
    }
  }

  private signalStateChanged(signalState: SignalState, code?: number): void {
    if (signalState !== 'open') this.online = false;
    const state = this.current;
    if (signalState === 'closed') {
      // Nothing will reach the server any more.
      if (state.kind === 'inviting' && !state.sent) this.end('unreachable');
      else if (state.kind === 'in-call') state.session.handle({ type: 'call-ended', callId: state.callId, reason: 'peer-gone' });
      else if (state.kind !== 'idle') this.end('network');
    } else if (signalState === 'reconnecting') {
      // A call that was not connected yet does not survive our socket dropping: the server ended
      // it or will ring this device again (incoming) once we are back. An invite not sent yet
      // waits for the new socket's welcome; a connected call resumes on it.
      if (state.kind === 'ringing-out' || state.kind === 'ringing-in' || state.kind === 'accepting') this.end('network');
      else if (state.kind === 'inviting' && state.sent) this.end('network');
    }
    this.options.onSignalState?.(signalState, code);
  }

  /** Leaves a call that never connected. */
  private end(reason: CallEnd['reason'], extra: { byMe?: boolean; refusal?: RefusalCode } = {}): void {
    const state = this.current;
    if (state.kind === 'idle' || state.kind === 'in-call') return;
    this.stopTone();
    this.clearWelcomeTimer();
    if ('media' in state) state.media.stop();
    this.setState({ kind: 'idle' });
    const direction = state.kind === 'inviting' || state.kind === 'ringing-out' ? 'outgoing' : 'incoming';
    const peer = state.kind === 'ringing-out' ? state.callee : state.kind === 'ringing-in' || state.kind === 'accepting' ? state.caller : null;
    const end: CallEnd = { direction, reason, peer, durationS: null, byMe: extra.byMe === true };
    if (extra.refusal !== undefined) end.refusal = extra.refusal;
    this.report(end);
  }

  private report(end: CallEnd): void {
    this.options.onEnded?.(end);
  }

  private setState(state: PhoneState<Media, Session, Key>): void {
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

  private clearWelcomeTimer(): void {
    if (this.welcomeTimer !== null) this.options.clock.clearTimer(this.welcomeTimer);
    this.welcomeTimer = null;
  }
}
