// A real ws client speaking the signaling protocol, for integration suites: every wait for a
// message has a timeout, and messages are taken in order, each once.
import WebSocket from 'ws';
import { PROTOCOL_VERSION, type ClientMessage, type ServerMessage, type ServerMessageType } from '../../server/signal/protocol.js';
import { withTimeout } from './wait.js';

export const WAIT_MS = 3000;

export type SignalTestClient = {
  ws: WebSocket;
  received: ServerMessage[];
  /** The next message of this type not yet taken, waiting for it if needed. */
  next<T extends ServerMessageType>(type: T, timeoutMs?: number): Promise<Extract<ServerMessage, { type: T }>>;
  send(message: ClientMessage): void;
  /** Resolves with the close code and reason once the socket closed. */
  closed: Promise<{ code: number; reason: string }>;
};

/** Opens a socket and, unless told not to, says hello and waits for welcome. */
export async function openSignalClient(
  url: string,
  options: { name: string; headers: Record<string, string>; hello?: boolean; autoPong?: boolean; selfSignedServer?: boolean },
): Promise<SignalTestClient> {
  const ws = new WebSocket(url, { headers: options.headers, autoPong: options.autoPong ?? true, rejectUnauthorized: options.selfSignedServer !== true });
  const received: ServerMessage[] = [];
  const taken = new Set<number>();
  const listeners = new Set<() => void>();
  ws.on('error', () => {});
  ws.on('message', (data) => {
    received.push(JSON.parse(String(data)) as ServerMessage);
    for (const listener of listeners) listener();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused with ${response.statusCode}`)));
    }),
    `${options.name} to connect`,
  );
  const client: SignalTestClient = {
    ws,
    received,
    closed,
    next(type, timeoutMs = WAIT_MS) {
      const found = new Promise<never>((resolve) => {
        const check = (): void => {
          const index = received.findIndex((message, at) => message.type === type && !taken.has(at));
          if (index === -1) return;
          taken.add(index);
          listeners.delete(check);
          resolve(received[index] as never);
        };
        listeners.add(check);
        check();
      });
      return withTimeout(found, `${options.name} to receive ${type}`, timeoutMs);
    },
    send(message) {
      ws.send(JSON.stringify(message));
    },
  };
  if (options.hello !== false) {
    client.send({ type: 'hello', version: PROTOCOL_VERSION });
    await client.next('welcome');
  }
  return client;
}

/** A commitment of the right form (protocol.ts), for the invites and accepts of suites that check no certificate. */
export const A_COMMITMENT = '5e'.repeat(32);
