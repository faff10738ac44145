// A man in the middle of a call, as a compromised signaling server would place itself: the
// signaling sockets of two real Chromium pages are routed through the test (playwright's
// routeWebSocket), which keeps every offer, answer and candidate away from the server and hands
// it to a third page instead. That page holds two RTCPeerConnections with certificates of their
// own, one facing each side: it answers the caller's offer, makes its own offer to the callee,
// and forwards the media and the chat between the two legs. Both pages get real DTLS
// connections that work (media flows), each with the middle, and learn nothing from the
// signaling: the messages they receive have the server's shape, stamped with the other party.
import type { BrowserContext, Page, WebSocketRoute } from 'playwright-core';

// Code passed to the page runs there; this names its globals for the type checker.
declare const window: any;

export type Leg = 'caller' | 'callee';
const DESCRIPTION_TYPES = new Set(['offer', 'answer', 'candidate']);

type SideRoute = { page: WebSocketRoute | null; callId: string | null; peer: unknown };

export type DtlsMiddle = {
  /** Routes the signaling of the pages of `context` (one side) through the middle. */
  intercept(context: BrowserContext, leg: Leg): Promise<void>;
  /** The middle's own certificate fingerprint on a leg ("sha-256 AB:…"), once that leg is connected. */
  fingerprintOf(leg: Leg): Promise<string | null>;
  /** Whether both legs' connections are connected. */
  connected(): Promise<boolean>;
};

/** Installs the middle in `page` (a page of its own, on the server's origin). */
export async function startDtlsMiddle(page: Page): Promise<DtlsMiddle> {
  const sides: Record<Leg, SideRoute> = { caller: { page: null, callId: null, peer: null }, callee: { page: null, callId: null, peer: null } };
  // Each leg's messages go to the middle in the order they were sent.
  const queues: Record<Leg, Promise<unknown>> = { caller: Promise.resolve(), callee: Promise.resolve() };

  /** A message of the middle's leg to its page, shaped as the server relays it. */
  await page.exposeFunction('toSide', (leg: Leg, message: Record<string, unknown>) => {
    const side = sides[leg];
    if (side.page === null || side.callId === null) return;
    side.page.send(JSON.stringify({ ...message, callId: side.callId, from: side.peer }));
  });
  await page.evaluate(installMiddle);

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

/** Runs in the middle's page: the two legs, each answering what its side offers. */
function installMiddle(): void {
  const legs: Record<string, any> = {};
  const chats: Record<string, any> = {};
  const other = (leg: string): string => (leg === 'caller' ? 'callee' : 'caller');

  const open = (leg: string): any => {
    const pc = new window.RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    legs[leg] = pc;
    pc.onicecandidate = ({ candidate }: any) => {
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
    pc.ontrack = ({ track }: any) => {
      // Chromium pulls a received sound only while something plays it.
      if (track.kind === 'audio') {
        const player = new window.Audio();
        player.muted = true;
        player.srcObject = new window.MediaStream([track]);
        void player.play();
      }
      const onward = legs[other(leg)]?.getTransceivers().find((t: any) => t.receiver.track.kind === track.kind);
      onward?.sender.replaceTrack(track);
    };
    const chat = pc.createDataChannel('chat', { negotiated: true, id: 0, ordered: true });
    chat.onmessage = ({ data }: any) => {
      if (chats[other(leg)]?.readyState === 'open') chats[other(leg)].send(data);
    };
    chats[leg] = chat;
    return pc;
  };

  const answer = async (leg: string, pc: any, sdp: string): Promise<void> => {
    await pc.setRemoteDescription({ type: 'offer', sdp });
    for (const transceiver of pc.getTransceivers()) {
      transceiver.direction = 'sendrecv';
      const incoming = legs[other(leg)]?.getReceivers().find((r: any) => r.track.kind === transceiver.receiver.track.kind);
      if (incoming !== undefined) await transceiver.sender.replaceTrack(incoming.track);
    }
    await pc.setLocalDescription();
    window.toSide(leg, { type: 'answer', sdp: pc.localDescription.sdp });
  };

  /** The callee waits for an offer: the middle makes one, with audio, video and the chat. */
  const offerToCallee = async (): Promise<void> => {
    const pc = open('callee');
    const caller = legs['caller'];
    for (const kind of ['audio', 'video']) {
      const transceiver = pc.addTransceiver(kind, { direction: 'sendrecv' });
      const incoming = caller.getReceivers().find((r: any) => r.track.kind === kind);
      if (incoming !== undefined) await transceiver.sender.replaceTrack(incoming.track);
    }
    await pc.setLocalDescription();
    window.toSide('callee', { type: 'offer', sdp: pc.localDescription.sdp, iceRestart: false });
  };

  window.middleHandle = async (leg: string, message: any): Promise<void> => {
    if (message.type === 'candidate') {
      if (message.candidate === '' || legs[leg] === undefined) return;
      await legs[leg].addIceCandidate({
        candidate: message.candidate,
        sdpMid: message.sdpMid,
        sdpMLineIndex: message.sdpMLineIndex,
        usernameFragment: message.usernameFragment,
      });
      return;
    }
    if (message.type === 'answer') {
      await legs[leg].setRemoteDescription({ type: 'answer', sdp: message.sdp });
      return;
    }
    const first = legs[leg] === undefined;
    await answer(leg, legs[leg] ?? open(leg), message.sdp);
    if (leg === 'caller' && first) await offerToCallee();
  };

  window.middleFingerprint = async (leg: string): Promise<string | null> => {
    const pc = legs[leg];
    if (pc === undefined) return null;
    const stats = await pc.getStats();
    let found: string | null = null;
    stats.forEach((report: any) => {
      if (report.type !== 'transport' || report.localCertificateId === undefined) return;
      const certificate = stats.get(report.localCertificateId);
      if (certificate !== undefined) found = `${certificate.fingerprintAlgorithm} ${certificate.fingerprint}`;
    });
    return found;
  };

  window.middleConnected = (): boolean => ['caller', 'callee'].every((leg) => legs[leg]?.connectionState === 'connected');
}
