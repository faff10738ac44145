// Stand-ins for what the browser gives the Phone: a signaling channel the test opens, drops and
// feeds by hand, tones and media that count their starts and stops, and a session that records
// what the Phone hands it. The clock is the signaler tests' fake clock. And for what a
// CallSession drives: a peer connection and local media that record what they were asked.
import { PROTOCOL_VERSION, type ClientMessage, type ClientMessageType, type EndReason, type ServerMessage } from '../../server/signal/protocol.js';
import type {
  CandidateInit,
  Connected,
  ConnectionInit,
  ConnectionPort,
  DescriptionInit,
  SessionInit,
  SessionMedia,
  SessionPort,
  SignalChannel,
  SignalEvents,
  SignalState,
  Tone,
  Tones,
  Welcome,
} from '../../public/ts/lib/call/ports.js';

export type FakeSignal = SignalChannel & {
  sent: ClientMessage[];
  states: SignalState[];
  connectCalls: number;
  closeCalls: number;
  /** The socket opens and the server welcomes it (a reconnection after the first). */
  welcome(): void;
  /** The socket drops for a reason reconnecting may fix. */
  drop(code?: number): void;
  /** The socket closes for a reason reconnecting cannot fix (a refused ticket, an old page). */
  closeForGood(code: number): void;
  deliver(message: ServerMessage): void;
  all<T extends ClientMessageType>(type: T): Extract<ClientMessage, { type: T }>[];
  last<T extends ClientMessageType>(type: T): Extract<ClientMessage, { type: T }>;
};

/** The channel, and the events the Phone gave it (set once the Phone is constructed). */
export function createFakeSignal(): { open: (events: SignalEvents) => SignalChannel; signal: FakeSignal } {
  let events: SignalEvents | null = null;
  let isOpen = false;
  let welcomes = 0;
  const on = (): SignalEvents => {
    if (events === null) throw new Error('no Phone opened the channel');
    return events;
  };
  const signal: FakeSignal = {
    sent: [],
    states: [],
    connectCalls: 0,
    closeCalls: 0,
    connect() {
      signal.connectCalls += 1;
      signal.states.push('connecting');
      on().onState('connecting');
    },
    send(message) {
      if (!isOpen) return false;
      signal.sent.push(message);
      return true;
    },
    close() {
      signal.closeCalls += 1;
      isOpen = false;
    },
    welcome() {
      isOpen = true;
      signal.states.push('open');
      on().onState('open');
      const welcome: Welcome = {
        type: 'welcome',
        version: PROTOCOL_VERSION,
        connectionId: `c${welcomes}`,
        self: { kind: 'member', memberId: 'alice', displayName: 'Alice Martin' },
      };
      on().onWelcome(welcome, welcomes > 0);
      welcomes += 1;
      on().onMessage(welcome);
    },
    drop(code = 1006) {
      isOpen = false;
      signal.states.push('reconnecting');
      on().onState('reconnecting', code);
    },
    closeForGood(code) {
      isOpen = false;
      signal.states.push('closed');
      on().onState('closed', code);
    },
    deliver(message) {
      on().onMessage(message);
    },
    all(type) {
      return signal.sent.filter((message) => message.type === type) as never;
    },
    last(type) {
      const found = signal.all(type).at(-1);
      if (found === undefined) throw new Error(`no ${type} was sent; sent: ${signal.sent.map((message) => message.type).join(', ')}`);
      return found;
    },
  };
  return {
    signal,
    open(given) {
      events = given;
      return signal;
    },
  };
}

export type FakeTones = Tones & { started: string[]; playing(): string[] };

export function createFakeTones(): FakeTones {
  const live = new Set<{ name: string }>();
  const start = (name: string): Tone => {
    const tone = { name };
    live.add(tone);
    started.push(name);
    return {
      stop() {
        live.delete(tone);
      },
    };
  };
  const started: string[] = [];
  return {
    started,
    ringback: () => start('ringback'),
    ringtone: () => start('ringtone'),
    playing: () => [...live].map((tone) => tone.name),
  };
}

export type FakeMedia = { name: string; stops: number; stop(): void };

export function createFakeMedia(name = 'camera'): FakeMedia {
  const media: FakeMedia = {
    name,
    stops: 0,
    stop() {
      media.stops += 1;
    },
  };
  return media;
}

/** Does what CallSession does at the Phone's seam: ends on call-ended or hang-up, stopping the media once. */
export class FakeSession implements SessionPort {
  readonly role: 'caller' | 'callee';
  readonly connected: Connected;
  readonly media: FakeMedia;
  /** The certificate the Phone handed over for the call. */
  readonly key: SessionInit<FakeMedia>['key'];
  resumeToken: string;
  endedByMe = false;
  handled: ServerMessage[] = [];
  ended: EndReason | null = null;
  private readonly init: SessionInit<FakeMedia>;

  constructor(init: SessionInit<FakeMedia>) {
    this.init = init;
    this.connected = init.connected;
    this.media = init.media;
    this.key = init.key;
    this.role = init.connected.role;
    this.resumeToken = init.connected.resumeToken;
  }

  handle(message: ServerMessage): void {
    if (!('callId' in message) || message.callId !== this.connected.callId || this.ended !== null) return;
    this.handled.push(message);
    if (message.type === 'call-connected') this.resumeToken = message.resumeToken;
    if (message.type === 'call-ended') this.finish(message.reason);
  }

  hangUp(): void {
    if (this.ended !== null) return;
    this.endedByMe = true;
    this.init.send({ type: 'hang-up', callId: this.connected.callId });
    this.finish('hung-up');
  }

  private finish(reason: EndReason): void {
    this.ended = reason;
    this.media.stop();
    this.init.onEnded(reason);
  }
}

// --- under a CallSession --------------------------------------------------------------------

/** A remote or local stream: only its identity matters to the session. */
export type FakeStream = { name: string };

/** Records what the session asks of its peer connection, and plays the connection's side by hand. */
export class FakeConnection implements ConnectionPort<FakeStream> {
  readonly init: ConnectionInit<FakeStream>;
  readonly added: FakeStream[] = [];
  readonly descriptions: DescriptionInit[] = [];
  readonly candidates: (CandidateInit | null)[] = [];
  restarts = 0;
  resumes = 0;
  closes = 0;
  /** Set to make the next description fail, as a browser refusing a malformed SDP does. */
  refuseNext: Error | null = null;

  constructor(init: ConnectionInit<FakeStream>) {
    this.init = init;
  }

  addLocalStream(stream: FakeStream): void {
    this.added.push(stream);
  }

  async handleDescription(description: DescriptionInit, beforeAnswer?: () => void): Promise<void> {
    this.descriptions.push(description);
    const refused = this.refuseNext;
    this.refuseNext = null;
    if (refused !== null) throw refused;
    if (description.type === 'offer') beforeAnswer?.();
  }

  async handleCandidate(candidate: CandidateInit | null): Promise<void> {
    this.candidates.push(candidate);
  }

  restartIce(): void {
    this.restarts += 1;
  }

  resumeNegotiation(): void {
    this.resumes += 1;
  }

  close(): void {
    this.closes += 1;
    this.init.onPhase('closed');
  }
}

export type FakeSessionMedia = SessionMedia<FakeStream, FakeConnection> & { stops: number; sinks: FakeConnection[] };

export function createFakeSessionMedia(): FakeSessionMedia {
  const media: FakeSessionMedia = {
    stream: { name: 'local' },
    stops: 0,
    sinks: [],
    sendTo(connection) {
      media.sinks.push(connection);
    },
    stop() {
      media.stops += 1;
    },
  };
  return media;
}
