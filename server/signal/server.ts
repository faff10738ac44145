// The WebSocket edge, and the only module that imports ws. It takes over the HTTP server's
// 'upgrade' event for /ws and decides there, before any WebSocket exists, whether to upgrade:
// the Origin must equal the public origin exactly, the request must authenticate (session
// cookie or guest ticket, through the injected function), and the party and its address must
// be under their connection caps. ws's defaults are tightened here: 64 KiB frames (bigger
// closes with 1009), no permessage-deflate, a heartbeat that terminates dead peers, a bound
// on what may queue for a slow reader, and a message rate per connection.
import { refusalLogger } from '../http/origin.js';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { addressBlock } from '../client-address.js';
import type { Logger } from '../log.js';
import { partyKeyOf, type Authenticate } from './deps.js';
import { createHeartbeatSchedule, heartbeatSlices } from './heartbeat.js';
import type { Hub } from './hub-api.js';
import type { Peer } from './peer.js';
import { CLOSE_CODES, LIVENESS_PING, LIVENESS_PONG, MAX_MESSAGE_BYTES, PROBE_SOCKET_LIFETIME_MS, PROBE_SOCKET_QUERY, SIGNAL_PATH } from './protocol.js';
import { createTokenBucket, type RateLimiter } from './rate-limit.js';

/** ws's README suggests 30 s; 25 s also stays under the 30–60 s idle timeouts of common reverse
 *  proxies. A peer that misses one pong is terminated at the next tick (25–50 s after it died). */
export const HEARTBEAT_INTERVAL_MS = 25_000;
/** Past this much unsent data a reader is not keeping up (16 full-size messages; a call's
 *  signaling is a few KB): it is dropped rather than buffered forever. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
/** The start of a call sends an offer and a few dozen candidates at once; ICE restarts send as
 *  many again. 120 at once then 10 a second is ten times what a call needs and still bounds a flood. */
export const MESSAGE_BURST = 120;
export const MESSAGE_REFILL_PER_S = 10;
/** One person's tabs and devices. */
export const MAX_CONNECTIONS_PER_PARTY = 8;
/** A whole office can sit behind one NAT address. */
export const MAX_CONNECTIONS_PER_ADDRESS = 64;
/** RFC 6455: a probe whose time is up ends normally. */
const NORMAL_CLOSURE = 1000;
/** At shutdown, sockets get this long to finish the close handshake before they are cut. */
export const SHUTDOWN_CLOSE_WAIT_MS = 2_000;

export type SignalerLimits = {
  heartbeatIntervalMs: number;
  maxBufferedBytes: number;
  messageBurst: number;
  messageRefillPerS: number;
  maxConnectionsPerParty: number;
  maxConnectionsPerAddress: number;
};

export type SignalerOptions = {
  /** Compared with the Origin header by exact equality (config.pageOrigins). */
  pageOrigins: readonly string[];
  /** Believe the last X-Forwarded-For entry for the client's address, as the Koa app does. */
  trustProxy: boolean;
  authenticate: Authenticate;
  hub: Hub;
  log: Logger;
  /** Tests shorten the heartbeat and lower the caps. */
  limits?: Partial<SignalerLimits>;
};

export type Signaler = {
  /** Stops accepting upgrades, ends every call and closes every socket with 1001, waiting at
   *  most SHUTDOWN_CLOSE_WAIT_MS before cutting the ones that do not answer. */
  close(): Promise<void>;
  connectionCount(): number;
};

type Tracked = {
  socket: WebSocket;
  isAlive: boolean;
  /** Set once we decided to close: frames still in flight are dropped unread (and unlogged). */
  isShunned: boolean;
  partyKey: string;
  address: string;
  limiter: RateLimiter;
};

const STATUS_TEXT: Readonly<Record<number, string>> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Attaches the signaler to an HTTP(S) server: upgrades on /ws are ours, every other upgrade gets a 404. */
export function attachSignaler(server: HttpServer | HttpsServer, options: SignalerOptions): Signaler {
  const { hub, log } = options;
  const pageOrigins = new Set(options.pageOrigins);
  const logRefusedOrigin = refusalLogger('signal', options.pageOrigins[0] ?? '', log);
  const limits: SignalerLimits = {
    heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
    maxBufferedBytes: MAX_BUFFERED_BYTES,
    messageBurst: MESSAGE_BURST,
    messageRefillPerS: MESSAGE_REFILL_PER_S,
    maxConnectionsPerParty: MAX_CONNECTIONS_PER_PARTY,
    maxConnectionsPerAddress: MAX_CONNECTIONS_PER_ADDRESS,
    ...options.limits,
  };
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
  });
  const sockets = new Set<Tracked>();
  const probes = new Set<WebSocket>();
  const heartbeats = createHeartbeatSchedule<Tracked>(heartbeatSlices(limits.heartbeatIntervalMs));
  const perParty = new Map<string, number>();
  /** Open sockets and upgrades still authenticating, per client address. */
  const perAddress = new Map<string, number>();
  let isClosing = false;

  const bump = (counts: Map<string, number>, key: string, delta: number): void => {
    const next = (counts.get(key) ?? 0) + delta;
    if (next <= 0) counts.delete(key);
    else counts.set(key, next);
  };

  const clientAddress = (request: IncomingMessage): string => {
    if (options.trustProxy) {
      const forwarded = request.headers['x-forwarded-for'];
      const last = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').pop()?.trim();
      if (last !== undefined && last !== '') return last;
    }
    return request.socket.remoteAddress ?? 'unknown';
  };

  async function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (isClosing) return refuse(socket, 503);
    if (pathOf(request.url) !== SIGNAL_PATH) return refuse(socket, 404);
    // Exact equality: a prefix match would let https://call.example.org.evil.example in.
    const origin = request.headers.origin ?? '';
    if (!pageOrigins.has(origin)) {
      logRefusedOrigin(origin);
      return refuse(socket, 403);
    }
    // An IPv6 host usually owns a whole /64: it is counted as one client.
    const address = addressBlock(clientAddress(request));
    if ((perAddress.get(address) ?? 0) >= limits.maxConnectionsPerAddress) return refuse(socket, 429);
    bump(perAddress, address, 1);
    let isAccepted = false;
    try {
      if (isProbe(request.url)) {
        // Anonymous on purpose, and harmless: a probe reaches no hub and no account, counts
        // against its address's cap like any socket, and dies within PROBE_SOCKET_LIFETIME_MS.
        wss.handleUpgrade(request, socket, head, (ws) => {
          isAccepted = true;
          onProbe(ws, address);
        });
        return;
      }
      const party = await options.authenticate(request);
      if (socket.destroyed || isClosing) return void socket.destroy();
      if (party === null) return refuse(socket, 401);
      const partyKey = partyKeyOf(party);
      if ((perParty.get(partyKey) ?? 0) >= limits.maxConnectionsPerParty) return refuse(socket, 429);
      // Everything from the check above to the counting in onConnection runs synchronously (ws
      // completes the handshake in handleUpgrade when there is no verifyClient), so concurrent
      // upgrades of one party cannot all slip under the cap.
      wss.handleUpgrade(request, socket, head, (ws) => {
        isAccepted = true;
        onConnection(ws, party, partyKey, address);
      });
    } finally {
      if (!isAccepted) bump(perAddress, address, -1);
    }
  }

  function onConnection(socket: WebSocket, party: Parameters<Hub['connect']>[1], partyKey: string, address: string): void {
    const tracked: Tracked = {
      socket,
      isAlive: true,
      isShunned: false,
      partyKey,
      address,
      limiter: createTokenBucket({ capacityMessages: limits.messageBurst, refillPerS: limits.messageRefillPerS }),
    };
    sockets.add(tracked);
    heartbeats.add(tracked);
    bump(perParty, partyKey, 1);

    const peer: Peer = {
      send(message) {
        if (socket.readyState !== WebSocket.OPEN) return;
        if (socket.bufferedAmount > limits.maxBufferedBytes) {
          log.warn('signal', 'dropping a reader that does not keep up', { connection: connection.id, buffered_bytes: socket.bufferedAmount });
          socket.terminate();
          return;
        }
        socket.send(JSON.stringify(message));
      },
      close(code, reason) {
        tracked.isShunned = true;
        if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close(code, reason);
      },
    };
    const connection = hub.connect(peer, party, address);
    log.info('signal', 'connection opened', { connection: connection.id, party: party.kind });

    socket.on('pong', () => {
      tracked.isAlive = true;
    });
    const shun = (code: number, reason: string): void => {
      tracked.isShunned = true;
      connection.closed(false);
      socket.close(code, reason);
    };
    socket.on('message', (data, isBinary) => {
      if (tracked.isShunned) return;
      if (isBinary) return shun(CLOSE_CODES.unsupportedData, 'text frames only');
      if (!tracked.limiter.take()) {
        log.warn('signal', 'message rate exceeded', { connection: connection.id });
        return shun(CLOSE_CODES.rateLimited, 'too many messages');
      }
      const text = rawText(data);
      if (text === LIVENESS_PING) {
        tracked.isAlive = true;
        if (socket.readyState === WebSocket.OPEN) socket.send(LIVENESS_PONG);
        return;
      }
      connection.receive(text);
    });
    socket.on('error', (error: Error & { code?: string }) => {
      // ws closes the socket after an error (1009 for an oversize frame); 'close' follows.
      log.info('signal', 'socket error', { connection: connection.id, code: error.code ?? 'unknown' });
    });
    socket.on('close', (code) => {
      sockets.delete(tracked);
      heartbeats.remove(tracked);
      bump(perParty, partyKey, -1);
      bump(perAddress, address, -1);
      // A socket that went away on its own may come back and resume its call; the hub has
      // already let go of the ones it closed itself.
      connection.closed(true);
      log.info('signal', 'connection closed', { connection: connection.id, code });
    });
  }

  /** The self-test's socket: one pong to one ping, then closed; closed too on anything else or
   *  when its time is up, so a probe can neither talk to the hub nor be kept as a ping echo. */
  function onProbe(socket: WebSocket, address: string): void {
    probes.add(socket);
    const timer = setTimeout(() => socket.close(NORMAL_CLOSURE, 'probe over'), PROBE_SOCKET_LIFETIME_MS);
    socket.on('message', (data, isBinary) => {
      if (!isBinary && rawText(data) === LIVENESS_PING) {
        socket.send(LIVENESS_PONG);
        socket.close(NORMAL_CLOSURE, 'probe answered');
      } else socket.close(CLOSE_CODES.policyViolation, 'probe sockets only answer one ping');
    });
    socket.on('error', () => socket.terminate());
    socket.on('close', () => {
      clearTimeout(timer);
      probes.delete(socket);
      bump(perAddress, address, -1);
    });
  }

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    handleUpgrade(request, socket, head).catch((error: unknown) => {
      log.error('signal', 'upgrade failed', { error: error instanceof Error ? error.name : 'unknown' });
      refuse(socket, 500);
    });
  };
  server.on('upgrade', onUpgrade);

  // Each socket is visited once per interval, a slice of them per tick (see heartbeat.ts).
  const heartbeat = setInterval(() => {
    for (const tracked of heartbeats.due()) {
      if (!tracked.isAlive) {
        log.info('signal', 'heartbeat lost; terminating', { party: tracked.partyKey.split(':')[0] });
        tracked.socket.terminate();
        continue;
      }
      tracked.isAlive = false;
      tracked.socket.ping();
    }
  }, heartbeats.tickMs(limits.heartbeatIntervalMs));
  heartbeat.unref();

  return {
    async close() {
      if (isClosing) return;
      isClosing = true;
      server.off('upgrade', onUpgrade);
      clearInterval(heartbeat);
      hub.shutdown();
      const allClosed = Promise.all(
        [...sockets].map((tracked) =>
          tracked.socket.readyState === WebSocket.CLOSED ? undefined : new Promise<void>((resolve) => tracked.socket.once('close', () => resolve())),
        ),
      );
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, SHUTDOWN_CLOSE_WAIT_MS);
      });
      await Promise.race([allClosed, waited]);
      clearTimeout(timer);
      for (const tracked of sockets) tracked.socket.terminate();
      for (const probe of probes) probe.terminate();
      wss.close();
    },
    connectionCount: () => sockets.size,
  };
}

/** Answers an upgrade we refuse with a plain HTTP status and closes the socket: no 101. */
function refuse(socket: Duplex, status: number): void {
  if (!socket.writable) return void socket.destroy();
  const text = STATUS_TEXT[status] ?? 'Error';
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
}

function pathOf(url: string | undefined): string {
  const path = (url ?? '').split('?')[0] ?? '';
  return path;
}

function isProbe(url: string | undefined): boolean {
  return (url ?? '').split('?')[1]?.split('&').includes(PROBE_SOCKET_QUERY) === true;
}

function rawText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
