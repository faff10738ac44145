// A UDP socket on loopback that records what it receives: a stand-in TURN peer for tests.
import { createSocket, type Socket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import type { TransportAddress } from '../../../server/turn/stun.js';

export async function openUdpPeer(address = '127.0.0.1'): Promise<{
  socket: Socket;
  port: number;
  received: Array<{ data: Buffer; from: TransportAddress }>;
  next(timeoutMs: number): Promise<{ data: Buffer; from: TransportAddress } | null>;
  close(): Promise<void>;
}> {
  const socket = createSocket(isIPv4(address) ? 'udp4' : 'udp6');
  const received: Array<{ data: Buffer; from: TransportAddress }> = [];
  let wake: (() => void) | null = null;
  socket.on('message', (data, rinfo) => {
    received.push({ data, from: { address: rinfo.address, port: rinfo.port } });
    wake?.();
  });
  await new Promise<void>((resolve) => socket.bind(0, address, () => resolve()));
  return {
    socket,
    port: socket.address().port,
    received,
    async next(timeoutMs) {
      if (received.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
      return received.shift() ?? null;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
