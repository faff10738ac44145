// The embedded TURN relay: the only module that imports node-turn. It forces long-term
// authentication (node-turn's default is an open relay) and turns node-turn's fire-and-forget
// start and stop into promises, so a port already in use stops start-up instead of being logged.
import NodeTurnServer from 'node-turn';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';

export const TURN_REALM = 'porthello';

export type RelayOptions = Readonly<{
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  relayPortMin: number;
  relayPortMax: number;
  externalIp: string | null;
}>;

export type Relay = {
  readonly port: number;
  isListening(): boolean;
  /** Accepts a long-term credential until it is revoked. */
  allow(username: string, password: string): void;
  revoke(username: string): void;
  stop(): Promise<void>;
};

export async function startRelay(options: RelayOptions, log: Logger): Promise<Relay> {
  const server = new NodeTurnServer({
    listeningIps: [options.host],
    listeningPort: options.port === 0 ? 1 : options.port,
    minPort: options.relayPortMin,
    maxPort: options.relayPortMax,
    externalIps: options.externalIp,
    authMech: 'long-term',
    realm: TURN_REALM,
    // node-turn logs packets with peer addresses at its verbose levels: keep it quiet.
    debugLevel: 'OFF',
    log: () => {},
  });
  // node-turn treats 0 as "use 3478"; set the real wish after construction.
  server.network.listeningPort = options.port;
  server.start();
  const [socket] = server.network.sockets;
  if (socket === undefined) throw new Error(`the relay cannot listen on ${options.host}`);

  await new Promise<void>((resolve, reject) => {
    socket.once('listening', resolve);
    socket.once('error', reject);
  });
  let listening = true;
  socket.on('close', () => {
    listening = false;
  });
  socket.on('error', (error) => {
    log.error('turn', 'relay socket error', { code: (error as NodeJS.ErrnoException).code });
  });
  const port = (socket.address() as AddressInfo).port;

  return {
    port,
    isListening: () => listening,
    allow: (username, password) => server.addUser(username, password),
    revoke: (username) => server.removeUser(username),
    stop: async () => {
      if (!listening) return;
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      server.stop();
      await closed;
    },
  };
}
