// Gathering while a call rings: the rung device makes its peer connection as soon as it has the
// call's certificate and relay servers, with a candidate pool, so its host candidates and its
// relay allocation are ready when the person answers. Answer then waits for the camera, not for
// the relay. Nothing leaves for the other side before the answer: a pooled candidate is only
// signaled once the call's session sets a description on this connection.
import type { IceConfig } from '../../../../server/signal/protocol.js';

/** One pooled ICE session is all a bundled call uses. */
const CANDIDATE_POOL_SIZE = 1;

/** What a call's connection is configured with: its servers, its certificate, and the pool it was warmed with. */
export function rtcConfigOf(ice: IceConfig, certificate: RTCCertificate): RTCConfiguration {
  return {
    iceServers: ice.iceServers,
    iceTransportPolicy: ice.iceTransportPolicy,
    certificates: [certificate],
    bundlePolicy: 'max-bundle',
    iceCandidatePoolSize: CANDIDATE_POOL_SIZE,
  };
}

/** The connection warmed for the call ringing on this page; at most one rings at a time. */
export class RingingWarmUp {
  private held: { callId: string; pc: RTCPeerConnection } | null = null;

  /** Starts gathering for a ringing call; anything warmed for another call is closed. */
  start(callId: string, ice: IceConfig, certificate: RTCCertificate): void {
    if (this.held?.callId === callId) return;
    this.discard();
    try {
      this.held = { callId, pc: new RTCPeerConnection(rtcConfigOf(ice, certificate)) };
    } catch (problem) {
      // Without it the call still connects: the session makes its own after the answer.
      console.warn('call: no connection while ringing', problem);
    }
  }

  /** The connection warmed for this call, once: the call's session owns it from then on. */
  take(callId: string): RTCPeerConnection | null {
    const held = this.held;
    if (held === null || held.callId !== callId) return null;
    this.held = null;
    return held.pc;
  }

  /** The call stopped ringing here without being taken: its connection and relay allocation go. */
  discard(): void {
    this.held?.pc.close();
    this.held = null;
  }
}

/**
 * A warmed connection brought to the configuration the call was answered with (the same servers
 * unless the credential was replaced meanwhile; the pool stays when they are equal); null when the
 * browser refuses, and the session then makes a new one.
 */
export function adoptWarmed(pc: RTCPeerConnection, config: RTCConfiguration): RTCPeerConnection | null {
  try {
    pc.setConfiguration(config);
    return pc;
  } catch (problem) {
    console.warn('call: the connection made while ringing cannot be used', problem);
    pc.close();
    return null;
  }
}
