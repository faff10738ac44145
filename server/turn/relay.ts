// The embedded TURN relay: the only module that imports node-turn (patched at install time by
// patches/node-turn+0.0.6+NNN+*.patch, in sequence). It forces long-term authentication, denies
// reserved peer addresses, applies quotas and bounded lifetimes, listens on UDP and TCP on one port, awaits
// bind on start and closes every relay socket on stop, and can check itself by relaying one
// packet through itself.
import type { SecureContextOptions, Server as TlsServer } from 'node:tls';
import NodeTurnServer from 'node-turn';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { addressBlock } from '../client-address.js';
import type { Logger } from '../log.js';
import { isIPv6 } from 'node:net';
import { createPeerFilter, embeddedIPv4, type PeerFilter } from './peer-policy.js';
import { errorCode, ipv6Bytes, type TransportAddress } from './stun.js';
import { TurnClient } from './client.js';

export const TURN_REALM = 'porthello';
/** RFC 8656 default allocation lifetime; browsers refresh a minute before it ends. */
export const DEFAULT_ALLOCATION_LIFETIME_S = 600;
/** coturn's default maximum: a client cannot hold a port longer without refreshing. */
export const MAX_ALLOCATION_LIFETIME_S = 3600;
/** RFC 8656 section 9: a permission lasts 300 s unless refreshed. */
export const PERMISSION_LIFETIME_S = 300;
/** RFC 8656 section 12: a channel binding lasts 600 s unless refreshed. */
export const CHANNEL_LIFETIME_S = 600;
/** Per allocation: a browser needs one per remote candidate address; bounds memory per client. */
export const MAX_PERMISSIONS_PER_ALLOCATION = 32;
export const MAX_CHANNELS_PER_ALLOCATION = 32;
/** A nonce older than this gets 438 Stale Nonce and the client retries with a fresh one. */
export const NONCE_LIFETIME_S = 600;
/** TURN over TCP: connections at once, and seconds of silence before one is closed (browsers
 * send consent checks every few seconds on a live call). */
export const MAX_TCP_CONNECTIONS = 1000;
export const TCP_IDLE_TIMEOUT_S = 120;
/** TURN over TCP and TLS, per client address (IPv6: per /64): connections at once, so one client
 * cannot hold the listener's MAX_TCP_CONNECTIONS; a browser opens one or two per call. */
export const MAX_TCP_CONNECTIONS_PER_ADDRESS = 20;
/** Seconds a TCP or TLS connection has to send its first authenticated request (a browser does
 * within milliseconds of connecting): idle or unauthenticated connections are closed. */
export const TCP_AUTH_TIMEOUT_S = 10;
/** Kernel buffer for the listening UDP socket, which carries every client: absorbs bursts that
 * the default (~208 KiB) drops (measured: 27% loss at 100 clients x 1200 B, see the benchmark).
 * Linux caps it at net.core.rmem_max. */
export const UDP_SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;
/** The whole self-test (two allocations, permissions, one packet) must finish within this. */
export const SELF_TEST_TIMEOUT_MS = 3000;
/** A packet handler that throws is logged at most once per this interval, with how many were
 * contained meanwhile: a client repeating the packet cannot flood the journal. */
export const HANDLER_ERROR_LOG_INTERVAL_MS = 60_000;
/** UDP port numbers a datagram can be sent to; port 0 makes dgram throw ERR_SOCKET_BAD_PORT. */
const MIN_PEER_PORT = 1;
const MAX_PEER_PORT = 65535;

/** A credential of a call live in the hub, or one asked for outside a call (GET /api/ice-servers),
 * which only gets the capacity not reserved for calls. */
export type CredentialKind = 'call' | 'unbound';

export type RelayOptions = Readonly<{
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  relayPortMin: number;
  relayPortMax: number;
  externalIp: string | null;
  /** Allocations per credential; 0 = unlimited. */
  userQuota: number;
  /** Allocations in total; 0 = unlimited (the port range still bounds it). */
  totalQuota: number;
  /** Allocations per client address (IPv6: per /64), whatever the credential; 0 = unlimited. */
  addressQuota?: number;
  /** Of totalQuota, allocations only call credentials may take; 0 = none reserved. */
  callReserve?: number;
  /** Per-allocation cap, bytes per second in each direction; 0 = unlimited. */
  maxBytesPerSecond?: number;
  /** TURN over TLS on its own port (0 picks one) with this PEM certificate and key. */
  tls?: Readonly<{ port: number; cert: Buffer | string; key: Buffer | string }> | null;
  /** Peers allowed despite the deny-list (CIDRs). Only for tests on loopback. */
  allowedPeers?: readonly string[];
  /** Shorter lifetimes for tests. */
  tcpAuthTimeoutS?: number;
  defaultLifetimeS?: number;
  maxLifetimeS?: number;
  permissionLifetimeS?: number;
  channelLifetimeS?: number;
}>;

export type SelfTestResult = Readonly<{ ok: boolean; at: string; detail: string }>;

/** Running totals since the relay started, for monitoring (never an address or a credential). */
export type RelayStatistics = Readonly<{
  relayed: Readonly<Record<'toPeer' | 'toClient', Readonly<{ packets: number; bytes: number }>>>;
  /** Error responses sent, by STUN error code (401, 403, 437, 486…). */
  errorResponses: ReadonlyMap<number, number>;
  /** Packets whose handler threw (dropped, the sender's allocation ended). */
  handlerErrors: number;
}>;

export type Relay = {
  /** UDP and TCP. */
  readonly port: number;
  /** TURN over TLS, null when no certificate is configured. */
  readonly tlsPort: number | null;
  /** The host:port pair clients use, as advertised (external IP when behind 1:1 NAT). */
  readonly advertisedHost: string;
  isListening(): boolean;
  /** Registers a long-term credential ('call' unless said otherwise). Allocations of this relay
   *  reach each other only under one credential or two of the same `callId`. */
  addUser(username: string, password: string, kind?: CredentialKind, callId?: string | null): void;
  /** Revokes a credential and ends its allocations at once. */
  removeUser(username: string): void;
  /** Live allocations of one credential, or of everyone. */
  allocationCount(username?: string): number;
  statistics(): RelayStatistics;
  /** Allocates twice and relays one packet between the two allocations. */
  selfTest(): Promise<SelfTestResult>;
  /** The last self-test's result, null before the first. */
  lastSelfTest(): SelfTestResult | null;
  /** TURN over TLS: new handshakes use this certificate; open connections keep theirs. */
  replaceCertificate(context: SecureContextOptions): void;
  stop(): Promise<void>;
};

/**
 * The relay's own addresses (its listening host and external IP) are reachable only on relay
 * ports: two relay-only browsers on this relay talk relay port to relay port, and nothing else of
 * the box (HTTP, SSH, the TURN port itself) is ever a peer. That holds in every deployment: on
 * loopback, behind 1:1 NAT, and on a box whose public address sits on its interface, where the
 * deny-list of reserved ranges alone would let every port of that address through. Any spelling
 * of an own address counts (IPv4-mapped and other embedded forms, IPv6 zero compression).
 * Only the test allow-list (loopback setups) may open other ports of an own address.
 */
export function relayPeerFilter(options: RelayOptions): PeerFilter & ((address: string, port: number | undefined) => boolean) {
  const ownLiterals = new Set([options.host, ...(options.externalIp === null ? [] : [options.externalIp])]);
  const own = new Set([...ownLiterals].map(canonicalAddress));
  const base = createPeerFilter({ allow: options.allowedPeers ?? [] });
  const allowedByTests = createPeerFilter({ allow: options.allowedPeers ?? [], deny: ['0.0.0.0/0', '::/0'] });
  return (address: string, port?: number): boolean => {
    // CreatePermission has no port (permissions are per address); ChannelBind and Send do, and
    // a port nothing can be sent to is refused rather than failing at send time.
    if (port !== undefined && !(Number.isInteger(port) && port >= MIN_PEER_PORT && port <= MAX_PEER_PORT)) return false;
    if (own.has(canonicalAddress(address))) {
      if (port !== undefined && (port < options.relayPortMin || port > options.relayPortMax)) return allowedByTests(address);
      // Other spellings of an own address get no exception from the deny-list.
      return ownLiterals.has(address) || base(address);
    }
    return base(address);
  };
}

/** One spelling per address: IPv4 as is, an IPv6 address standing for an IPv4 one as that, any
 * other IPv6 address as its 16 bytes in hex. */
function canonicalAddress(address: string): string {
  if (!isIPv6(address)) return address;
  return embeddedIPv4(address) ?? ipv6Bytes(address).toString('hex');
}

type Refusal = { code: number; reason: string };
const CAPACITY: Refusal = { code: 508, reason: 'Insufficient Capacity' };
const QUOTA: Refusal = { code: 486, reason: 'Allocation Quota Reached' };

/**
 * Who may allocate: per credential, per client address block, in total, and unbound credentials
 * only outside the share reserved for calls. Counters and maps only: an Allocate costs the same
 * whatever the number of allocations.
 */
export function createAllocationGate(options: Pick<RelayOptions, 'userQuota' | 'totalQuota' | 'addressQuota' | 'callReserve'>) {
  const kinds = new Map<string, CredentialKind>();
  // Revoked while an allocation of theirs was still being made: the kind is kept until it is released.
  const forgotten = new Set<string>();
  const byUser = new Map<string, number>();
  const byBlock = new Map<string, number>();
  let total = 0;
  let unbound = 0;
  const bump = (map: Map<string, number>, key: string, by: number): void => {
    const count = (map.get(key) ?? 0) + by;
    if (count <= 0) map.delete(key);
    else map.set(key, count);
  };
  const unboundRoom = Math.max(0, options.totalQuota - (options.callReserve ?? 0));
  return {
    setKind(username: string, kind: CredentialKind): void {
      kinds.set(username, kind);
      forgotten.delete(username);
    },
    forget(username: string): void {
      if (byUser.has(username)) forgotten.add(username);
      else kinds.delete(username);
    },
    allocations: (username?: string): number => (username === undefined ? total : (byUser.get(username) ?? 0)),
    admit(username: string | undefined, clientAddress: string): Refusal | null {
      const user = username ?? '';
      const kind = kinds.get(user) ?? 'call';
      const block = addressBlock(clientAddress);
      if (options.totalQuota > 0 && total >= options.totalQuota) return CAPACITY;
      if (kind === 'unbound' && options.totalQuota > 0 && unbound >= unboundRoom) return CAPACITY;
      if (options.userQuota > 0 && (byUser.get(user) ?? 0) >= options.userQuota) return QUOTA;
      if ((options.addressQuota ?? 0) > 0 && (byBlock.get(block) ?? 0) >= (options.addressQuota ?? 0)) return QUOTA;
      total += 1;
      if (kind === 'unbound') unbound += 1;
      bump(byUser, user, 1);
      bump(byBlock, block, 1);
      return null;
    },
    release(username: string | undefined, clientAddress: string): void {
      const user = username ?? '';
      total -= 1;
      if (kinds.get(user) === 'unbound') unbound -= 1;
      bump(byUser, user, -1);
      bump(byBlock, addressBlock(clientAddress), -1);
      if (forgotten.has(user) && !byUser.has(user)) {
        forgotten.delete(user);
        kinds.delete(user);
      }
    },
  };
}

/** What the relay tells its embedder as it happens (the worker mirrors it to the main thread). */
export type RelayHooks = Readonly<{
  /** A credential's live allocations changed (one made, one ended); read the count with allocationCount. */
  onAllocations?: (username: string) => void;
  /** The listening UDP socket closed: isListening() is false from now on. */
  onClose?: () => void;
}>;

export async function startRelay(options: RelayOptions, log: Logger, hooks: RelayHooks = {}): Promise<Relay> {
  const filter = relayPeerFilter(options);
  const gate = createAllocationGate(options);
  const { onAllocations, onClose } = hooks;
  // Counted at allocation rate (never per packet): an allocation admitted, or one released.
  const observedGate: Pick<typeof gate, 'admit' | 'release'> =
    onAllocations === undefined
      ? gate
      : {
          admit(username, clientAddress) {
            const refusal = gate.admit(username, clientAddress);
            if (refusal === null) onAllocations(username ?? '');
            return refusal;
          },
          release(username, clientAddress) {
            gate.release(username, clientAddress);
            onAllocations(username ?? '');
          },
        };
  const callOf = new Map<string, string>();
  let handlerErrors = 0;
  let handlerErrorsTotal = 0;
  let lastHandlerErrorLogAt = -Infinity;
  // node-turn contains every exception of its packet handlers (the packet is dropped and the
  // sender's allocation ended); this only makes them visible, without addresses or payloads.
  const onHandlerError = (error: unknown): void => {
    handlerErrors += 1;
    handlerErrorsTotal += 1;
    const now = Date.now();
    if (now - lastHandlerErrorLogAt < HANDLER_ERROR_LOG_INTERVAL_MS) return;
    lastHandlerErrorLogAt = now;
    const code = (error as NodeJS.ErrnoException | null)?.code ?? (error instanceof Error ? error.name : 'error');
    log.error('turn', 'relay packet handler failed; the packet was dropped and its allocation ended', { code, count: handlerErrors });
    handlerErrors = 0;
  };
  const server = new NodeTurnServer({
    listeningIps: [options.host],
    relayIps: [options.host],
    listeningPort: options.port === 0 ? 1 : options.port,
    minPort: options.relayPortMin,
    maxPort: options.relayPortMax,
    externalIps: options.externalIp,
    authMech: 'long-term',
    realm: TURN_REALM,
    credentials: {},
    peerFilter: filter,
    // Quotas are the gate's (per credential, per address, in total, the calls' reserve).
    allocationGate: observedGate,
    // Relay-to-relay traffic inside the box: only between the two parties of one call.
    relayPairGate: (from, to) => from !== undefined && (from === to || (callOf.get(from) !== undefined && callOf.get(from) === callOf.get(to ?? ''))),
    maxBytesPerSecond: options.maxBytesPerSecond ?? 0,
    defaultAllocatetLifetime: options.defaultLifetimeS ?? DEFAULT_ALLOCATION_LIFETIME_S,
    maxAllocateLifetime: options.maxLifetimeS ?? MAX_ALLOCATION_LIFETIME_S,
    permissionLifetime: options.permissionLifetimeS ?? PERMISSION_LIFETIME_S,
    channelLifetime: options.channelLifetimeS ?? CHANNEL_LIFETIME_S,
    maxPermissions: MAX_PERMISSIONS_PER_ALLOCATION,
    maxChannels: MAX_CHANNELS_PER_ALLOCATION,
    nonceLifetime: NONCE_LIFETIME_S,
    software: null,
    tcp: true,
    udpBufferSize: UDP_SOCKET_BUFFER_BYTES,
    tls: options.tls ?? null,
    maxTcpConnections: MAX_TCP_CONNECTIONS,
    tcpIdleTimeout: TCP_IDLE_TIMEOUT_S,
    maxTcpConnectionsPerClient: MAX_TCP_CONNECTIONS_PER_ADDRESS,
    tcpAuthTimeout: options.tcpAuthTimeoutS ?? TCP_AUTH_TIMEOUT_S,
    tcpClientKey: addressBlock,
    // The patched node-turn logs no addresses, but nothing of it is needed in production.
    debugLevel: 'OFF',
    log: () => {},
    onHandlerError,
  });
  // node-turn treats 0 as "use 3478"; set the real wish after construction.
  server.network.listeningPort = options.port;
  const started = server.start();
  const [socket] = server.network.sockets;
  if (socket === undefined) throw new Error(`the relay cannot listen on ${options.host}`);
  try {
    await started;
  } catch (error) {
    // One listener failed (its port taken): the others must not stay bound, or keep the process alive.
    await server.stop();
    throw error;
  }

  let listening = true;
  socket.on('close', () => {
    listening = false;
    onClose?.();
  });
  socket.on('error', (error) => {
    log.error('turn', 'relay socket error', { code: (error as NodeJS.ErrnoException).code });
  });
  const port = (socket.address() as AddressInfo).port;
  // node-turn opens the TCP listener first, then the TLS one.
  const tlsServer = options.tls ? server.network.tcpServers[server.network.tcpServers.length - 1] : undefined;
  const tlsPort = tlsServer === undefined ? null : (tlsServer.address() as AddressInfo).port;
  let lastSelfTest: SelfTestResult | null = null;

  const relay: Relay = {
    port,
    tlsPort,
    advertisedHost: options.externalIp ?? options.host,
    isListening: () => listening,
    addUser: (username, password, kind = 'call', callId = null) => {
      gate.setKind(username, kind);
      if (callId !== null) callOf.set(username, callId);
      server.addUser(username, password);
    },
    removeUser: (username) => {
      // Ends its allocations first, so the gate releases them under the credential's kind.
      server.removeUser(username);
      gate.forget(username);
      callOf.delete(username);
    },
    allocationCount: (username) => gate.allocations(username),
    statistics: () => ({ ...server.statistics, handlerErrors: handlerErrorsTotal }),
    lastSelfTest: () => lastSelfTest,
    replaceCertificate: (context) => (tlsServer as TlsServer | undefined)?.setSecureContext(context),
    async selfTest() {
      lastSelfTest = await runSelfTest(relay, { address: options.host === '0.0.0.0' ? '127.0.0.1' : options.host, port });
      if (!lastSelfTest.ok) log.warn('turn', `relay self-test failed: ${lastSelfTest.detail}; calls behind NAT will not connect`);
      else log.info('turn', 'relay self-test passed');
      return lastSelfTest;
    },
    stop: async () => {
      if (!listening) return;
      await server.stop();
      listening = false;
    },
  };
  return relay;
}

/**
 * Two allocations under a throw-away credential; A sends one packet to B's relay port through
 * the relay. Proves bind, auth, allocation, permissions and relaying in one go.
 */
async function runSelfTest(relay: Relay, server: TransportAddress): Promise<SelfTestResult> {
  const at = new Date().toISOString();
  const credentials = { username: `selftest-${randomBytes(12).toString('base64url')}`, password: randomBytes(18).toString('base64url') };
  relay.addUser(credentials.username, credentials.password);
  const clients: TurnClient[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const work = (async (): Promise<string | null> => {
      const a = await TurnClient.open(server, credentials, server.address);
      clients.push(a);
      const b = await TurnClient.open(server, credentials, server.address);
      clients.push(b);
      // The advertised addresses, as browsers use them; behind 1:1 NAT the relay keeps this
      // traffic inside the box (patched node-turn: toLocalPeer/toPublicPeer).
      const peerA = (await a.allocate()).relayed;
      const peerB = (await b.allocate()).relayed;
      const permittedB = await b.createPermission([peerA]);
      const permittedA = await a.createPermission([peerB]);
      if (errorCode(permittedA) !== null || errorCode(permittedB) !== null)
        return `CreatePermission refused (${errorCode(permittedA) ?? errorCode(permittedB)})`;
      const probe = randomBytes(16);
      a.sendIndication(peerB, probe);
      const got = await b.nextData(SELF_TEST_TIMEOUT_MS);
      if (got === null || !got.data.equals(probe)) return 'the probe packet was not relayed';
      return null;
    })();
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`no result within ${SELF_TEST_TIMEOUT_MS} ms`), SELF_TEST_TIMEOUT_MS);
    });
    const problem = await Promise.race([work.catch((error: unknown) => (error instanceof Error ? error.message : String(error))), timeout]);
    return { ok: problem === null, at, detail: problem ?? 'allocated and relayed one packet' };
  } finally {
    clearTimeout(timer);
    relay.removeUser(credentials.username); // also ends both allocations
    await Promise.all(clients.map((client) => client.close().catch(() => {})));
  }
}
