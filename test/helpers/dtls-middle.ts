// A man in the middle of a call, as a compromised signaling server would place itself: the
// signaling sockets of two real Chromium pages are routed through the test (playwright's
// routeWebSocket), which keeps every offer, answer and candidate away from the server and hands
// it to a third page instead. That page holds two RTCPeerConnections with certificates of their
// own, one facing each side: it answers the caller's offer, makes its own offer to the callee,
// and forwards the media and the chat between the two legs. Both pages get real DTLS
// connections that work (media flows), each with the middle, and learn nothing from the
// signaling: the messages they receive have the server's shape, stamped with the other party.
//
// The callee's commitment (protocol.ts) travels to the caller in call-connected. The middle
// either forwards it as the server got it (`commitment: 'forward'`: the caller then finds that
// the certificate it talks to is not the committed one), or puts in its place the commitment to
// the certificate its caller-facing leg will use, made before the call (`'own'`: what a
// purpose-built middle does; the codes then differ, as without commitments).
import { webcrypto } from 'node:crypto';
import type { BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { commitmentOf } from '../../public/ts/lib/call/verification.js';

// Code passed to the page runs there; this names its globals for the type checker.
// biome-ignore lint/suspicious/noExplicitAny: page code runs in the browser, and this Node program has no DOM types
declare const window: any;

// The parts of the page's WebRTC objects the middle uses (types only: erased from the page code).
type MiddleTrack = { kind: string };
type MiddleTransceiver = { direction: string; sender: { replaceTrack(track: MiddleTrack): Promise<void> }; receiver: { track: MiddleTrack } };
type CandidateFields = { candidate: string; sdpMid: string | null; sdpMLineIndex: number | null; usernameFragment: string | null };
type MiddleChannel = { readyState: string; send(data: unknown): void; onmessage: ((event: { data: unknown }) => void) | null };
type MiddleStats = { type: string; localCertificateId?: string; fingerprint?: string; fingerprintAlgorithm?: string };
type MiddlePeer = {
  connectionState: string;
  localDescription: { sdp: string };
  onicecandidate: ((event: { candidate: { toJSON(): Partial<CandidateFields> } | null }) => void) | null;
  ontrack: ((event: { track: MiddleTrack }) => void) | null;
  getTransceivers(): MiddleTransceiver[];
  getReceivers(): { track: MiddleTrack }[];
  addTransceiver(kind: string, init: { direction: string }): MiddleTransceiver;
  createDataChannel(label: string, init: { negotiated: boolean; id: number; ordered: boolean }): MiddleChannel;
  setRemoteDescription(description: { type: string; sdp: string }): Promise<void>;
  setLocalDescription(): Promise<void>;
  addIceCandidate(candidate: CandidateFields): Promise<void>;
  getStats(): Promise<Map<string, MiddleStats>>;
};
/** A description or candidate from a side, as its page sent it to the server. */
type SideMessage = { type: string; sdp: string } & CandidateFields;

export type Leg = 'caller' | 'callee';
const DESCRIPTION_TYPES = new Set(['offer', 'answer', 'candidate']);

type SideRoute = { page: WebSocketRoute | null; callId: string | null; peer: unknown };
export type CommitmentMode = 'forward' | 'own';

export type DtlsMiddle = {
  /** Routes the signaling of the pages of `context` (one side) through the middle. */
  intercept(context: BrowserContext, leg: Leg): Promise<void>;
  /** The middle's own certificate fingerprint on a leg ("sha-256 AB:…"), once that leg is connected. */
  fingerprintOf(leg: Leg): Promise<string | null>;
  /** Whether both legs' connections are connected. */
  connected(): Promise<boolean>;
};

/** Installs the middle in `page` (a page of its own, on the server's origin). */
export async function startDtlsMiddle(page: Page, mode: CommitmentMode): Promise<DtlsMiddle> {
  const sides: Record<Leg, SideRoute> = { caller: { page: null, callId: null, peer: null }, callee: { page: null, callId: null, peer: null } };
  // Each leg's messages go to the middle in the order they were sent.
  const queues: Record<Leg, Promise<unknown>> = { caller: Promise.resolve(), callee: Promise.resolve() };

  /** A message of the middle's leg to its page, shaped as the server relays it. */
  await page.exposeFunction('toSide', (leg: Leg, message: Record<string, unknown>) => {
    const side = sides[leg];
    if (side.page === null || side.callId === null) return;
    side.page.send(JSON.stringify({ ...message, callId: side.callId, from: side.peer }));
  });
  const ownFingerprint = await page.evaluate(installMiddle);
  const [algorithm = '', value = ''] = ownFingerprint.split(' ');
  const ownCommitment = await commitmentOf({ algorithm, value }, webcrypto.subtle);

  return {
    async intercept(context, leg) {
      await context.routeWebSocket(/\/ws/, (route) => {
        const side = sides[leg];
        side.page = route;
        const server = route.connectToServer();
        route.onMessage((text) => {
          const message = parse(text);
          if (message === null || !DESCRIPTION_TYPES.has(String(message['type']))) {
            server.send(text);
            return;
          }
          queues[leg] = queues[leg].then(() => page.evaluate(({ leg, message }) => window.middleHandle(leg, message), { leg, message }));
        });
        server.onMessage((text) => {
          const message = parse(text);
          if (message?.['type'] === 'call-connected') {
            side.callId = String(message['callId']);
            side.peer = message['peer'];
            if (mode === 'own' && leg === 'caller') {
              route.send(JSON.stringify({ ...message, calleeCommitment: ownCommitment }));
              return;
            }
          }
          route.send(text);
        });
      });
    },
    fingerprintOf: (leg) => page.evaluate((leg) => window.middleFingerprint(leg), leg),
    connected: () => page.evaluate(() => window.middleConnected()),
  };
}

function parse(text: string | Buffer): Record<string, unknown> | null {
  if (typeof text !== 'string') return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Runs in the middle's page: the two legs, each answering what its side offers. Returns the
 *  fingerprint ("sha-256 AB:…") of the certificate made beforehand for the caller-facing leg. */
async function installMiddle(): Promise<string> {
  const callerCertificate: { getFingerprints(): { algorithm: string; value: string }[] } = await window.RTCPeerConnection.generateCertificate({
    name: 'ECDSA',
    namedCurve: 'P-256',
  });
  const legs: Record<string, MiddlePeer> = {};
  const chats: Record<string, MiddleChannel> = {};
  const other = (leg: string): string => (leg === 'caller' ? 'callee' : 'caller');

  const open = (leg: string): MiddlePeer => {
    const pc: MiddlePeer = new window.RTCPeerConnection({ bundlePolicy: 'max-bundle', ...(leg === 'caller' ? { certificates: [callerCertificate] } : {}) });
    legs[leg] = pc;
    pc.onicecandidate = ({ candidate }) => {
      if (candidate === null) return;
      const { candidate: line, sdpMid, sdpMLineIndex, usernameFragment } = candidate.toJSON();
      window.toSide(leg, {
        type: 'candidate',
        candidate: line,
        sdpMid: sdpMid ?? null,
        sdpMLineIndex: sdpMLineIndex ?? null,
        usernameFragment: usernameFragment ?? null,
      });
    };
    // What one side sends, the other side receives: the people notice nothing.
    pc.ontrack = ({ track }) => {
      // Chromium pulls a received sound only while something plays it.
      if (track.kind === 'audio') {
        const player = new window.Audio();
        player.muted = true;
        player.srcObject = new window.MediaStream([track]);
        void player.play();
      }
      const onward = legs[other(leg)]?.getTransceivers().find((t) => t.receiver.track.kind === track.kind);
      void onward?.sender.replaceTrack(track);
    };
    const chat = pc.createDataChannel('chat', { negotiated: true, id: 0, ordered: true });
    chat.onmessage = ({ data }) => {
      const onward = chats[other(leg)];
      if (onward?.readyState === 'open') onward.send(data);
    };
    chats[leg] = chat;
    return pc;
  };

  const answer = async (leg: string, pc: MiddlePeer, sdp: string): Promise<void> => {
    await pc.setRemoteDescription({ type: 'offer', sdp });
    for (const transceiver of pc.getTransceivers()) {
      transceiver.direction = 'sendrecv';
      const incoming = legs[other(leg)]?.getReceivers().find((r) => r.track.kind === transceiver.receiver.track.kind);
      if (incoming !== undefined) await transceiver.sender.replaceTrack(incoming.track);
    }
    await pc.setLocalDescription();
    window.toSide(leg, { type: 'answer', sdp: pc.localDescription.sdp });
  };

  /** The callee waits for an offer: the middle makes one, with audio, video and the chat. */
  const offerToCallee = async (): Promise<void> => {
    const pc = open('callee');
    for (const kind of ['audio', 'video']) {
      const transceiver = pc.addTransceiver(kind, { direction: 'sendrecv' });
      const incoming = legs['caller']?.getReceivers().find((r) => r.track.kind === kind);
      if (incoming !== undefined) await transceiver.sender.replaceTrack(incoming.track);
    }
    await pc.setLocalDescription();
    window.toSide('callee', { type: 'offer', sdp: pc.localDescription.sdp, iceRestart: false });
  };

  window.middleHandle = async (leg: string, message: SideMessage): Promise<void> => {
    const pc = legs[leg];
    if (message.type === 'candidate') {
      if (message.candidate === '' || pc === undefined) return;
      await pc.addIceCandidate({
        candidate: message.candidate,
        sdpMid: message.sdpMid,
        sdpMLineIndex: message.sdpMLineIndex,
        usernameFragment: message.usernameFragment,
      });
      return;
    }
    if (message.type === 'answer') {
      await pc?.setRemoteDescription({ type: 'answer', sdp: message.sdp });
      return;
    }
    await answer(leg, pc ?? open(leg), message.sdp);
    if (leg === 'caller' && pc === undefined) await offerToCallee();
  };

  window.middleFingerprint = async (leg: string): Promise<string | null> => {
    const pc = legs[leg];
    if (pc === undefined) return null;
    const stats = await pc.getStats();
    let found: string | null = null;
    stats.forEach((report) => {
      if (report.type !== 'transport' || report.localCertificateId === undefined) return;
      const certificate = stats.get(report.localCertificateId);
      if (certificate !== undefined) found = `${certificate.fingerprintAlgorithm ?? ''} ${certificate.fingerprint ?? ''}`;
    });
    return found;
  };

  window.middleConnected = (): boolean => ['caller', 'callee'].every((leg) => legs[leg]?.connectionState === 'connected');
  const own = callerCertificate.getFingerprints().find((fingerprint) => fingerprint.algorithm === 'sha-256');
  return `${own?.algorithm ?? ''} ${(own?.value ?? '').toUpperCase()}`;
}
