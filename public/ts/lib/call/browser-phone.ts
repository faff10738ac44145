// The Phone as the pages use it: the real signaling socket, Web Audio tones, the system clock,
// and CallSession over RTCPeerConnection with the page's LocalMedia; and the call screen shown
// while a call is connected.
import { SignalClient } from '../signal-client.js';
import type { BrowserCallKey } from './certificate.js';
import { openCallConnection } from './connection.js';
import type { LocalMedia } from './local-media.js';
import { Phone, type PhoneOptions, type PhoneState } from './phone.js';
import type { Clock } from './ports.js';
import { type BrowserCallSession, CallScreen } from './screen.js';
import { CallSession } from './session.js';
import { playRingback, playRingtone } from './tones.js';
import { OutgoingPreparation, type RingingPreparation } from './warm-up.js';

export type BrowserPhone = Phone<LocalMedia, BrowserCallSession, BrowserCallKey>;
export type BrowserPhoneState = PhoneState<LocalMedia, BrowserCallSession, BrowserCallKey>;

type PageHooks = Pick<PhoneOptions<LocalMedia, BrowserCallSession, BrowserCallKey>, 'onState' | 'onEnded' | 'onSignalState' | 'onRefusal'>;

const systemClock: Clock = {
  nowMs: () => Date.now(),
  setTimer: (callback, delayMs) => ({ id: setTimeout(callback, delayMs) }),
  clearTimer: (timer) => clearTimeout(timer.id as ReturnType<typeof setTimeout>),
};

/** A phone on this page's signaling socket; a guest's socket is authenticated by its ticket. */
export function createPhone(options: PageHooks & { asGuest?: boolean; prepared?: Pick<RingingPreparation, 'take'> }): BrowserPhone {
  const { asGuest, prepared, onState, ...hooks } = options;
  // A call this page places prepares its connection and offer while it rings.
  const outgoing = new OutgoingPreparation();
  return new Phone<LocalMedia, BrowserCallSession, BrowserCallKey>({
    ...hooks,
    onState(state) {
      if (state.kind === 'ringing-out' && state.ice !== undefined) outgoing.start(state.callId, state.ice, state.key.certificate, state.media.stream);
      // Connected, the session took it over already; otherwise the call is over without connecting.
      else outgoing.discard();
      onState?.(state);
    },
    openSignal: (events) => new SignalClient({ asGuest: asGuest === true, ...events }),
    // Every peer connection of the call holds the certificate its commitment was made for,
    // on the connection warmed while the call rang here, if any.
    startSession: (init) => {
      const { callId } = init.connected;
      const warmed = outgoing.take(callId) ?? prepared?.take(callId) ?? null;
      return new CallSession(init, { openConnection: (connection) => openCallConnection(connection, init.key.certificate, warmed) });
    },
    tones: { ringback: playRingback, ringtone: playRingtone },
    clock: systemClock,
  });
}

/**
 * Shows the call screen in `container` while the phone is in a call and takes it away after;
 * call it with every state. `peerName` replaces the server's name for the other side.
 */
export function followCallScreen(container: HTMLElement, peerName?: string): (state: BrowserPhoneState) => void {
  let shown: { session: BrowserCallSession; screen: CallScreen } | null = null;
  return (state) => {
    const session = state.kind === 'in-call' ? state.session : null;
    if (shown !== null && shown.session === session) return;
    shown?.screen.close();
    shown = null;
    if (state.kind !== 'in-call' || session === null) return;
    const screen = new CallScreen({ container, session, peerName: peerName ?? state.peer.displayName, onHangUp: () => session.hangUp() });
    shown = { session, screen };
  };
}
