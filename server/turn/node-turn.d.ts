// The slice of node-turn 0.0.6 that server/turn/ uses; the package ships no types.
declare module 'node-turn' {
  import type { EventEmitter } from 'node:events';
  import type { Socket } from 'node:dgram';

  export type NodeTurnOptions = {
    listeningIps?: string[];
    relayIps?: string[];
    externalIps?: string | Record<string, string> | null;
    listeningPort?: number;
    minPort?: number;
    maxPort?: number;
    maxAllocateLifetime?: number;
    defaultAllocatetLifetime?: number;
    authMech?: 'none' | 'short-term' | 'long-term';
    realm?: string;
    credentials?: Record<string, string>;
    debugLevel?: 'OFF' | 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE' | 'ALL';
    log?: (message: unknown) => void;
    debug?: (level: string, message: unknown) => void;
    // Options added by the patches in patches/ (node-turn+0.0.6+NNN+*.patch):
    /**
     * Called with every peer of CreatePermission (port undefined: permissions are per address),
     * ChannelBind and Send; false → 403, or the Send is dropped.
     */
    peerFilter?: (address: string, port: number | undefined) => boolean;
    /** Allocations per username; 0 = unlimited. Past it: 486. */
    userQuota?: number;
    /** Allocations in total; 0 = unlimited. Past it: 508. */
    totalQuota?: number;
    /**
     * The embedder's allocation policy, asked after the built-in quotas with the USERNAME and the
     * client's address: a refusal is answered as is; every admitted allocation is released once
     * (when it ends, or when it could not be made).
     */
    /** Whether a datagram from one allocation of this relay (its credential first) may reach another. */
    relayPairGate?: (from: string | undefined, to: string | undefined) => boolean;
    allocationGate?: {
      admit(username: string | undefined, clientAddress: string): { code: number; reason: string } | null;
      release(username: string | undefined, clientAddress: string): void;
    };
    /** Seconds (RFC 8656: 300). */
    permissionLifetime?: number;
    /** Seconds (RFC 8656: 600). */
    channelLifetime?: number;
    /** Per allocation, bounds memory. */
    maxPermissions?: number;
    maxChannels?: number;
    /** Seconds a nonce stays valid (stateless: nothing is stored per nonce). */
    nonceLifetime?: number;
    /** TURN over TCP on the listening port (RFC 8656 section 3.1). */
    tcp?: boolean;
    maxTcpConnections?: number;
    /** Seconds without data before a TCP connection is closed. */
    tcpIdleTimeout?: number;
    /** TCP and TLS connections at once per client (tcpClientKey of its address); 0 = no bound. */
    maxTcpConnectionsPerClient?: number;
    /** Seconds a TCP or TLS connection has for its first authenticated request; 0 = no deadline. */
    tcpAuthTimeout?: number;
    /** Groups client addresses for maxTcpConnectionsPerClient (default: the address itself). */
    tcpClientKey?: (address: string) => string;
    /** Per-allocation cap in bytes per second, each direction; 0 = unlimited. */
    maxBytesPerSecond?: number;
    /** TURN over TLS on its own port (0 picks one), PEM certificate and key; null for none. */
    tls?: { port: number; cert: Buffer | string; key: Buffer | string } | null;
    /** Kernel buffer bytes for the listening UDP socket (capped by net.core.rmem_max). */
    udpBufferSize?: number;
    /** SOFTWARE attribute value; null omits it. */
    software?: string | null;
    /**
     * Called with whatever a packet handler threw: the packet was dropped and the allocation it
     * came on ended; nothing escapes to the process.
     */
    onHandlerError?: (error: unknown) => void;
  };

  class NodeTurnServer extends EventEmitter {
    constructor(options?: NodeTurnOptions);
    network: { sockets: Socket[]; listeningPort: number; tcpServers: import('node:net').Server[] };
    allocations: Record<string, unknown>;
    /** Running totals: bytes and packets relayed each way, error responses by STUN code. */
    statistics: {
      relayed: Record<'toPeer' | 'toClient', { packets: number; bytes: number }>;
      errorResponses: Map<number, number>;
    };
    /** Resolves when every listening socket is bound; rejects (and closes them) on a bind error. */
    start(): Promise<void>;
    /** Closes the listening sockets and every allocation's relay sockets. */
    stop(): Promise<void>;
    addUser(username: string, password: string): void;
    /** Also closes that user's allocations (patched). */
    removeUser(username: string): void;
    /** Number of live allocations of `username` (patched). */
    allocationCount(username?: string): number;
  }
  export = NodeTurnServer;
}
