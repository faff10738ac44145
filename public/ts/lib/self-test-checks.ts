// The connection self-test's checks, one function per step, each resolving to what it found
// (never an address: candidate addresses are read to count them by type and then dropped).
import type { SelfTestIceServer } from '../../../server/contract/selftest.js';
import { LIVENESS_PING, LIVENESS_PONG, PROBE_SOCKET_QUERY, SIGNAL_PATH } from '../../../server/signal/protocol.js';

/** A signaler that answers takes milliseconds; past this it is unreachable. */
export const SIGNAL_PROBE_TIMEOUT_MS = 8_000;
/** Gathering ends within a few seconds even when a STUN server does not answer. */
export const GATHER_TIMEOUT_MS = 10_000;
/** A relay that answers allocates within a second; a blocked one never does. */
export const RELAY_ALLOCATE_TIMEOUT_MS = 10_000;
/** Connecting through the relay and receiving media. */
export const LOOP_TIMEOUT_MS = 20_000;
/** Media bytes the receiving side must count before the loop is proven (a second of video). */
export const LOOP_MIN_BYTES = 20_000;
const LOOP_POLL_MS = 250;

export type Transport = 'udp' | 'tcp' | 'tls';
export type SignalResult = { ok: true; ms: number } | { ok: false };
export type CandidateResult = { host: number; srflx: number };
export type RelayResult = { transport: Transport; ok: boolean; ms: number };
export type LoopResult = { ok: true; ms: number; bytes: number; via: Transport | null } | { ok: false };

const since = (start: number): number => performance.now() - start;

/** Opens the signaler's probe socket and waits for its answer to one ping. */
export function probeSignaler(): Promise<SignalResult> {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const start = performance.now();
  return new Promise((resolve) => {
    let socket: WebSocket;
    try {
      socket = new WebSocket(`${scheme}//${location.host}${SIGNAL_PATH}?${PROBE_SOCKET_QUERY}`);
    } catch {
      resolve({ ok: false });
      return;
    }
    const finish = (result: SignalResult): void => {
      clearTimeout(timer);
      socket.close();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false }), SIGNAL_PROBE_TIMEOUT_MS);
    socket.addEventListener('open', () => socket.send(LIVENESS_PING));
    socket.addEventListener('message', (event) => finish(event.data === LIVENESS_PONG ? { ok: true, ms: since(start) } : { ok: false }));
    socket.addEventListener('close', () => finish({ ok: false }));
  });
}

/** Each local candidate of a fresh connection with a data channel, until gathering ends or time is up. */
function gather(configuration: RTCConfiguration, timeoutMs: number, stop: (candidate: RTCIceCandidate) => boolean): Promise<RTCIceCandidate[]> {
  const pc = new RTCPeerConnection(configuration);
  const found: RTCIceCandidate[] = [];
  return new Promise<RTCIceCandidate[]>((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      pc.close();
      resolve(found);
    };
    const timer = setTimeout(finish, timeoutMs);
    pc.addEventListener('icecandidate', (event) => {
      if (event.candidate === null) return finish();
      if (event.candidate.candidate === '') return;
      found.push(event.candidate);
      if (stop(event.candidate)) finish();
    });
    pc.createDataChannel('self-test');
    pc.setLocalDescription().catch(finish);
  });
}

/** Host and server-reflexive candidates, with the relay's STUN service (no credential needed). */
export async function gatherCandidates(stunUrls: readonly string[]): Promise<CandidateResult> {
  const found = await gather({ iceServers: stunUrls.length === 0 ? [] : [{ urls: [...stunUrls] }] }, GATHER_TIMEOUT_MS, () => false);
  return { host: found.filter((c) => c.type === 'host').length, srflx: found.filter((c) => c.type === 'srflx').length };
}

/** The transport a TURN URL asks for: turns: is TLS, ?transport=tcp is TCP, anything else UDP. */
export function transportOf(url: string): Transport {
  if (url.startsWith('turns:')) return 'tls';
  return /[?&]transport=tcp\b/i.test(url) ? 'tcp' : 'udp';
}

/** The STUN URL of the relay's UDP port: the same host and port, turn: swapped for stun:. */
export function stunUrlsOf(servers: readonly SelfTestIceServer[]): string[] {
  const udp = servers.flatMap((server) => server.urls).filter((url) => url.startsWith('turn:') && transportOf(url) === 'udp');
  return udp.map((url) => url.replace(/^turn:/, 'stun:').replace(/\?.*$/, ''));
}

/** Allocates on the relay through one URL only and waits for a relay candidate of that transport. */
export async function allocateOn(server: SelfTestIceServer, url: string): Promise<RelayResult> {
  const transport = transportOf(url);
  const start = performance.now();
  // Firefox has no relayProtocol on candidates: with one URL any relay candidate is that transport's.
  const matches = (candidate: RTCIceCandidate): boolean => {
    const protocol = (candidate as RTCIceCandidate & { relayProtocol?: string | null }).relayProtocol;
    return candidate.type === 'relay' && (protocol === undefined || protocol === null || protocol === transport);
  };
  const found = await gather(
    { iceServers: [{ urls: [url], username: server.username, credential: server.credential }], iceTransportPolicy: 'relay' },
    RELAY_ALLOCATE_TIMEOUT_MS,
    matches,
  );
  return { transport, ok: found.some(matches), ms: since(start) };
}

/** The receiving side's inbound media bytes, and the transport its selected pair goes to the relay with. */
async function receivedOf(pc: RTCPeerConnection): Promise<{ bytes: number; via: Transport | null }> {
  const stats = await pc.getStats();
  let bytes = 0;
  let pairId: string | undefined;
  stats.forEach((report: { type: string; bytesReceived?: number; selectedCandidatePairId?: string; selected?: boolean; nominated?: boolean; id: string }) => {
    if (report.type === 'inbound-rtp') bytes += report.bytesReceived ?? 0;
    if (report.type === 'transport' && report.selectedCandidatePairId !== undefined) pairId = report.selectedCandidatePairId;
    // Firefox marks the pair itself instead of naming it on a transport report.
    if (report.type === 'candidate-pair' && report.selected === true) pairId = report.id;
  });
  const pair = pairId === undefined ? undefined : (stats.get(pairId) as { localCandidateId?: string } | undefined);
  const local = pair?.localCandidateId === undefined ? undefined : (stats.get(pair.localCandidateId) as { relayProtocol?: string } | undefined);
  const protocol = local?.relayProtocol;
  return { bytes, via: protocol === 'udp' || protocol === 'tcp' || protocol === 'tls' ? protocol : null };
}

/** Two relay-only connections in this page, one sending `tracks` to the other through the relay. */
export async function loopThroughRelay(
  first: readonly SelfTestIceServer[],
  second: readonly SelfTestIceServer[],
  tracks: readonly MediaStreamTrack[],
): Promise<LoopResult> {
  const configuration = (servers: readonly SelfTestIceServer[]): RTCConfiguration => ({
    iceServers: servers.map((server) => ({ urls: [...server.urls], username: server.username, credential: server.credential })),
    iceTransportPolicy: 'relay',
    bundlePolicy: 'max-bundle',
  });
  const sender = new RTCPeerConnection(configuration(first));
  const receiver = new RTCPeerConnection(configuration(second));
  const start = performance.now();
  try {
    sender.addEventListener('icecandidate', (event) => {
      if (event.candidate !== null) receiver.addIceCandidate(event.candidate).catch(() => undefined);
    });
    receiver.addEventListener('icecandidate', (event) => {
      if (event.candidate !== null) sender.addIceCandidate(event.candidate).catch(() => undefined);
    });
    const stream = new MediaStream([...tracks]);
    for (const track of tracks) sender.addTrack(track, stream);
    await sender.setLocalDescription();
    await receiver.setRemoteDescription(sender.localDescription as RTCSessionDescriptionInit);
    await receiver.setLocalDescription();
    await sender.setRemoteDescription(receiver.localDescription as RTCSessionDescriptionInit);
    for (let waited = 0; waited < LOOP_TIMEOUT_MS; waited += LOOP_POLL_MS) {
      if (sender.connectionState === 'failed' || receiver.connectionState === 'failed') return { ok: false };
      if (receiver.connectionState === 'connected') {
        const received = await receivedOf(receiver);
        if (received.bytes >= LOOP_MIN_BYTES) return { ok: true, ms: since(start), bytes: received.bytes, via: received.via };
      }
      await new Promise((resolve) => setTimeout(resolve, LOOP_POLL_MS));
    }
    return { ok: false };
  } catch {
    return { ok: false };
  } finally {
    sender.close();
    receiver.close();
  }
}

/** A moving picture to send when there is no camera: a canvas whose colour changes every frame. */
export function syntheticVideoTrack(): { track: MediaStreamTrack; stop(): void } | null {
  const canvas = document.createElement('canvas');
  canvas.width = 320;
  canvas.height = 240;
  const context = canvas.getContext('2d');
  if (context === null || typeof canvas.captureStream !== 'function') return null;
  let frame = 0;
  const paint = (): void => {
    frame += 1;
    context.fillStyle = `hsl(${frame % 360} 70% 50%)`;
    context.fillRect(0, 0, canvas.width, canvas.height);
  };
  paint();
  const track = canvas.captureStream(15).getVideoTracks()[0];
  if (track === undefined) return null;
  const timer = setInterval(paint, 66);
  return {
    track,
    stop() {
      clearInterval(timer);
      track.stop();
    },
  };
}
