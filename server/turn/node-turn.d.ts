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
  };

  class NodeTurnServer extends EventEmitter {
    constructor(options?: NodeTurnOptions);
    network: { sockets: Socket[]; listeningPort: number };
    allocations: Record<string, unknown>;
    start(): void;
    stop(): void;
    addUser(username: string, password: string): void;
    removeUser(username: string): void;
  }
  export = NodeTurnServer;
}
