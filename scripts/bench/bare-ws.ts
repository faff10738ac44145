// Baseline of the signaling figures: a bare `ws` server that only forwards each text message to
// the other socket of its pair (named in the URL, ?pair=N), with ws's defaults otherwise.
//
//   node dist/scripts/bench/bare-ws.js      prints "listening PORT" on 127.0.0.1
//
// It runs until it is sent SIGTERM (or the bench's time bound kills it).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

const http = createServer();
const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
const pairs = new Map<string, WebSocket[]>();

wss.on('connection', (socket, request) => {
  const pair = new URL(request.url ?? '/', 'http://localhost').searchParams.get('pair') ?? '';
  const members = pairs.get(pair) ?? [];
  members.push(socket);
  pairs.set(pair, members);
  socket.on('message', (data, isBinary) => {
    for (const other of members) if (other !== socket && other.readyState === WebSocket.OPEN) other.send(data, { binary: isBinary });
  });
  socket.on('close', () => {
    members.splice(members.indexOf(socket), 1);
    if (members.length === 0) pairs.delete(pair);
  });
});

http.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${(http.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => process.exit(0));
