// Preparing a call while it rings, with the relay servers the ring carried. The rung device makes
// its peer connection as soon as it has the call's certificate, with a candidate pool, so its
// host candidates and its relay allocation are ready when the person answers: Answer then waits
// for the camera, not for the relay. The caller makes its connection, chat channel, tracks and
// offer, so the offer leaves the moment the call connects. Nothing leaves for the other side
// before the answer: descriptions and candidates are only signaled once the call's session owns
// the connection.
import type { IceConfig } from '../../../../server/signal/protocol.js';
import { type BrowserCallKey, prepareCallKey } from './certificate.js';
import { openChatChannel } from './chat-channel.js';

/**
 * A connection made while the call rang, for the call's session to take over: the callee's only
 * gathers; the caller's also has its chat channel, its tracks and its offer (being set).
 */
export type WarmConnection = { pc: RTCPeerConnection; chat?: RTCDataChannel; offered?: Promise<void> };

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

/** One ringing call's certificate (being made) and connection (once made). */
type Prepared = { callId: string; key: Promise<BrowserCallKey | null>; pc: RTCPeerConnection | null };

/**
 * What the page prepares for the call ringing on it (one rings at a time): the call's certificate,
 * made as soon as it rings, and with it the call's connection gathering its candidates, so that
 * Answer only waits for the camera. Neither reveals anything: the commitment leaves with the
 * accept, the candidates after it.
 */
export class RingingPreparation {
  private prepared: Prepared | null = null;

  /**
   * A call rings here: its certificate is made now and, with the relay servers the ring carried,
   * its connection; `ringing` says whether it still rings once the certificate is ready.
   */
  start(callId: string, ice: IceConfig | undefined, ringing: () => boolean): void {
    if (this.prepared?.callId === callId) return;
    this.discard();
    const prepared: Prepared = { callId, key: prepareCallKey(), pc: null };
    this.prepared = prepared;
    if (ice === undefined) return;
    void prepared.key.then((key) => {
      if (key === null || this.prepared !== prepared || !ringing()) return;
      try {
        prepared.pc = new RTCPeerConnection(rtcConfigOf(ice, key.certificate));
      } catch (problem) {
        // Without it the call still connects: the session makes its own after the answer.
        console.warn('call: no connection while ringing', problem);
      }
    });
  }

  /** The certificate for this call: the one made while it rang, or a new one. */
  key(callId: string | null): Promise<BrowserCallKey | null> {
    return this.prepared !== null && this.prepared.callId === callId ? this.prepared.key : prepareCallKey();
  }

  /** The connection made for this call, once: the call's session owns it from then on. */
  take(callId: string): WarmConnection | null {
    const prepared = this.prepared;
    if (prepared === null || prepared.callId !== callId) return null;
    this.prepared = null;
    return prepared.pc === null ? null : { pc: prepared.pc };
  }

  /** The call stopped ringing here without being taken: its connection and relay allocation go. */
  discard(): void {
    this.prepared?.pc?.close();
    this.prepared = null;
  }
}

/**
 * What the caller prepares while its call rings (one at a time): the call's connection with the
 * servers call-ringing carried, its chat channel and tracks, and the offer set on it, so that
 * the offer leaves with nothing left to compute when the call connects.
 */
export class OutgoingPreparation {
  private prepared: { callId: string; warm: Required<WarmConnection> } | null = null;

  start(callId: string, ice: IceConfig, certificate: RTCCertificate, stream: MediaStream): void {
    if (this.prepared?.callId === callId) return;
    this.discard();
    let pc: RTCPeerConnection;
    try {
      pc = new RTCPeerConnection(rtcConfigOf(ice, certificate));
    } catch (problem) {
      // Without it the call still connects: the session makes its own once connected.
      console.warn('call: no connection while ringing', problem);
      return;
    }
    const chat = openChatChannel(pc);
    for (const track of stream.getTracks()) pc.addTrack(track, stream);
    const offered = pc.setLocalDescription();
    // A refused offer is made again by the session (CallConnection), which awaits this one.
    offered.catch((problem: unknown) => console.warn('call: no offer while ringing', problem));
    this.prepared = { callId, warm: { pc, chat, offered } };
  }

  /** The connection made for this call, once: the call's session owns it from then on. */
  take(callId: string): WarmConnection | null {
    const prepared = this.prepared;
    if (prepared === null || prepared.callId !== callId) return null;
    this.prepared = null;
    return prepared.warm;
  }

  /** The call stopped ringing without connecting: its connection and relay allocation go. */
  discard(): void {
    this.prepared?.warm.pc.close();
    this.prepared = null;
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
