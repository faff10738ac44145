// Starts node-turn itself (not the project's wrapper) on loopback, so the defect suites observe
// the package as installed: patched, or, to see each test fail first, as published.
import NodeTurnServer, { type NodeTurnOptions } from 'node-turn';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { CLASS, encodeMessage, METHOD, type TransportAddress } from '../../../server/turn/stun.js';
import { TurnClient, type Credentials, type TurnRequests } from '../../../server/turn/client.js';

export const USER: Credentials = { username: 'probe-user', password: 'probe-password' };
export const OTHER_USER: Credentials = { username: 'other-user', password: 'other-password' };
const START_TIMEOUT_MS = 2000;
/** A loaded relay still answers a Binding well within this; past it the test fails. */
const HANDLED_TIMEOUT_MS = 5000;
/** A Binding lost in a flood (a full socket buffer) is sent again after this. */
const HANDLED_RETRANSMIT_MS = 250;
const STOP_TIMEOUT_MS = 2000;

export type Fixture = {
  server: NodeTurnServer;
  address: TransportAddress;
  client(credentials?: Credentials | null): Promise<TurnClient>;
  close(): Promise<void>;
};

/** Relay ports are `range`; credentials USER and OTHER_USER; long-term auth unless overridden. */
export async function startNodeTurn(range: [number, number], options: NodeTurnOptions = {}): Promise<Fixture> {
  const server = new NodeTurnServer({
    listeningIps: ['127.0.0.1'],
    relayIps: ['127.0.0.1'],
    minPort: range[0],
    maxPort: range[1],
    authMech: 'long-term',
    credentials: { [USER.username]: USER.password, [OTHER_USER.username]: OTHER_USER.password },
    debugLevel: 'OFF',
    log: () => {},
    ...options,
  });
  server.network.listeningPort = 0;
  const started = server.start() as unknown;
  const socket = server.network.sockets[0];
  if (socket === undefined) throw new Error('node-turn opened no socket');
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      if (started instanceof Promise) started.then(() => resolve(), reject);
      socket.once('listening', () => resolve());
      socket.once('error', reject);
    }),
    START_TIMEOUT_MS,
    'node-turn start',
  );
  const address = { address: '127.0.0.1', port: (socket.address() as AddressInfo).port };
  const clients: TurnClient[] = [];
  return {
    server,
    address,
    async client(credentials: Credentials | null = USER) {
      const client = await TurnClient.open(address, credentials);
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((client) => client.close().catch(() => {})));
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      const stopped = server.stop() as unknown;
      if (stopped instanceof Promise) await withTimeout(stopped, STOP_TIMEOUT_MS, 'node-turn stop');
      await withTimeout(closed, STOP_TIMEOUT_MS, 'node-turn socket close').catch(() => {});
      // Unpatched node-turn leaves relay sockets and timers behind: close them here so a failing
      // suite still exits.
      for (const allocation of Object.values(server.allocations) as Array<{ sockets?: Array<{ close(): void }>; timer?: NodeJS.Timeout }>) {
        clearTimeout(allocation.timer);
        for (const relaySocket of allocation.sockets ?? []) {
          try {
            relaySocket.close();
          } catch {
            // already closed
          }
        }
      }
    },
  };
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Resolves once the relay has handled everything this client sent so far. A relay handles the
 * datagrams (or the stream) of one client in the order they arrive, so once a request sent after
 * them is answered, they all were: what they did or failed to do has happened.
 */
export async function handledSoFar(client: TurnRequests): Promise<void> {
  await client.transact(METHOD.BINDING, [], { authenticate: false, timeoutMs: HANDLED_TIMEOUT_MS });
}

/** The same for a bare UDP socket (a fuzzer's): a Binding request, retransmitted until answered. */
export async function handledSoFarFrom(socket: Socket, relay: TransportAddress): Promise<void> {
  const transactionId = randomBytes(12);
  const request = encodeMessage({ method: METHOD.BINDING, cls: CLASS.REQUEST, transactionId, attributes: [] });
  let onMessage: ((data: Buffer) => void) | undefined;
  let retransmit: NodeJS.Timeout | undefined;
  try {
    await withTimeout(
      new Promise<void>((resolve) => {
        onMessage = (data) => {
          if (data.length >= 20 && data.subarray(8, 20).equals(transactionId)) resolve();
        };
        socket.on('message', onMessage);
        const send = (): void => socket.send(request, relay.port, relay.address);
        retransmit = setInterval(send, HANDLED_RETRANSMIT_MS);
        send();
      }),
      HANDLED_TIMEOUT_MS,
      'the relay to handle what was sent before',
    );
  } finally {
    clearInterval(retransmit);
    if (onMessage !== undefined) socket.off('message', onMessage);
  }
}

/** True when a UDP port on 127.0.0.1 can be bound, i.e. nothing holds it. */
export async function isPortFree(port: number): Promise<boolean> {
  const { createSocket } = await import('node:dgram');
  const socket = createSocket('udp4');
  return new Promise((resolve) => {
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ port, address: '127.0.0.1', exclusive: true }, () => socket.close(() => resolve(true)));
  });
}

/** Waits until a STUN server on 127.0.0.1:port answers a Binding request, with a success or
 * an error (secure-stun asks for credentials): the daemon has started. */
export async function waitForStun(port: number, timeoutMs: number): Promise<void> {
  const { METHOD } = await import('../../../server/turn/stun.js');
  const client = await TurnClient.open({ address: '127.0.0.1', port }, null);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const answered = await client.transact(METHOD.BINDING, [], { timeoutMs: 300, authenticate: false }).then(
        () => true,
        () => false,
      );
      if (answered) return;
      if (Date.now() > deadline) throw new Error(`nothing answered STUN on port ${port} within ${timeoutMs} ms`);
    }
  } finally {
    await client.close();
  }
}

/** Waits until a UDP echo service on 127.0.0.1:port echoes a datagram. */
export async function waitForEcho(port: number, timeoutMs: number): Promise<void> {
  const { createSocket } = await import('node:dgram');
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const echoed = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 200);
        socket.once('message', () => {
          clearTimeout(timer);
          resolve(true);
        });
        socket.send(Buffer.from('ping'), port, '127.0.0.1');
      });
      if (echoed) return;
      if (Date.now() > deadline) throw new Error(`nothing echoed on port ${port} within ${timeoutMs} ms`);
    }
  } finally {
    socket.close();
  }
}
