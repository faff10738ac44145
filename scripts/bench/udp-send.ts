// What one UDP send costs in Node, the relay's work per packet (BENCHMARKS.md, "Relay"):
//
//   node dist/scripts/bench/udp-send.js
//
// Sends SENDS packets of a ChannelData's size to a loopback socket in three ways, three rounds,
// and prints the CPU per send of each: with an address on every send (as node-turn relays),
// with a lookup that answers at once (dgram resolves even a literal address through dns.lookup
// and a nextTick), and on a connected socket (no address at all).
import { createSocket, type Socket, type SocketOptions } from 'node:dgram';

const SENDS = 200_000;
const ROUNDS = 3;
/** A 1,000-byte payload behind a 4-byte ChannelData header, sent as node-turn sends it: two buffers. */
const HEADER = Buffer.alloc(4);
const PAYLOAD = Buffer.alloc(1000);
/** Every this many sends the loop yields, so the socket's queue drains and received packets are read. */
const YIELD_EVERY = 1000;

type Way = { name: string; options: Partial<SocketOptions>; connected: boolean };

/** dgram calls its lookup with the address, the family (4 here) and a callback. */
const answerAtOnce = ((address: string, _family: number, callback: (error: null, address: string, family: number) => void) =>
  callback(null, address, 4)) as unknown as SocketOptions['lookup'];
const WAYS: readonly Way[] = [
  { name: 'address on every send', options: {}, connected: false },
  { name: 'lookup answering at once', options: { lookup: answerAtOnce }, connected: false },
  { name: 'connected socket', options: {}, connected: true },
];

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function bound(socket: Socket): Promise<void> {
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
}

async function microsecondsPerSend(way: Way, port: number): Promise<number> {
  const socket = createSocket({ type: 'udp4', ...way.options });
  await bound(socket);
  if (way.connected) await new Promise<void>((resolve) => socket.connect(port, '127.0.0.1', resolve));
  const before = process.cpuUsage();
  for (let sent = 0; sent < SENDS; sent++) {
    if (way.connected) socket.send([HEADER, PAYLOAD]);
    else socket.send([HEADER, PAYLOAD], port, '127.0.0.1');
    if (sent % YIELD_EVERY === 0) await yieldToLoop();
  }
  await yieldToLoop();
  const used = process.cpuUsage(before);
  socket.close();
  return (used.user + used.system) / SENDS;
}

async function main(): Promise<void> {
  const sink = createSocket('udp4');
  sink.on('message', () => {});
  await bound(sink);
  const { port } = sink.address();
  const results = new Map<string, number[]>(WAYS.map((way) => [way.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const way of WAYS) results.get(way.name)?.push(await microsecondsPerSend(way, port));
  }
  sink.close();
  for (const [name, values] of results) {
    process.stdout.write(`${name}: ${values.map((value) => value.toFixed(2)).join(' / ')} µs of CPU per send (sender and loopback delivery)\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`udp-send: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
