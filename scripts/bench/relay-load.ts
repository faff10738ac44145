// Relay load generator, run in its own process by the bench: calls' worth of media packets
// through the server's embedded relay, while the signaling load measures the server.
//
//   node dist/scripts/bench/relay-load.js PLAN.json
//
// Gets relay credentials as a browser does, from the connection self-test (each self-test is
// two sides allowed to reach each other, as one call; one per loopback source address, under
// its per-address limit), allocates both sides, binds a channel to the other side's relayed
// address and sends ChannelData at a call's packet rate until SIGTERM or `maxSeconds`. Prints
// "relaying N" once every allocation sends, then one JSON line: packets sent, received, loss.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { TurnClient } from '../../server/turn/client.js';
import { errorCode, type TransportAddress } from '../../server/turn/stun.js';

export type RelayPlan = {
  /** The server's http:// URL and the Origin its pages have. */
  url: string;
  origin: string;
  turnPort: number;
  /** Allocations (two per call). */
  allocations: number;
  packetsPerSecond: number;
  packetBytes: number;
  maxSeconds: number;
};

export type RelayLoadResult = { allocations: number; sent: number; received: number; loss: number; seconds: number };

type SelfTestSide = Array<{ urls: string[]; username: string; credential: string }>;

/** Sends are grouped in ticks: 20 ms, the packet time of an audio frame. */
const TICK_MS = 20;
/** ChannelData channel numbers start here (RFC 8656). */
const FIRST_CHANNEL = 0x4000;
/** Packets in flight when the load stops get this long to arrive before they count as lost. */
const DRAIN_MS = 1_000;
const REQUEST_TIMEOUT_MS = 20_000;

// Not common.ts's: importing it would install its SIGTERM handler, which exits at once, while
// this process answers SIGTERM by draining and printing its counts.
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** POST /api/self-test/ice-servers from one loopback source address. */
function selfTest(plan: RelayPlan, index: number): Promise<{ first: SelfTestSide; second: SelfTestSide }> {
  return new Promise((resolve, reject) => {
    const target = new URL('/api/self-test/ice-servers', plan.url);
    const req = request(
      target,
      { method: 'POST', localAddress: `127.2.${Math.floor(index / 250)}.${(index % 250) + 1}`, headers: { Origin: plan.origin }, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(JSON.parse(body) as { first: SelfTestSide; second: SelfTestSide })
            : reject(new Error(`self-test answered ${res.statusCode}: ${body}`)),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('self-test request timed out')));
    req.on('error', reject);
    req.end();
  });
}

type Side = { client: TurnClient; relayed: TransportAddress; channel: number };

async function openSide(plan: RelayPlan, side: SelfTestSide, localAddress: string): Promise<{ client: TurnClient; relayed: TransportAddress }> {
  const [server] = side;
  if (server === undefined) throw new Error('the self-test gave no relay (is PORTHELLO_TURN_PORT set?)');
  const client = await TurnClient.open({ address: '127.0.0.1', port: plan.turnPort }, { username: server.username, password: server.credential }, localAddress);
  return { client, relayed: (await client.allocate()).relayed };
}

/** Both sides of one call, each bound to the other's relayed address. */
async function openCall(plan: RelayPlan, index: number): Promise<Side[]> {
  const ice = await selfTest(plan, index);
  // Their own source addresses: the relay's per-address quota is not what is measured.
  const a = await openSide(plan, ice.first, `127.3.${Math.floor((2 * index) / 250)}.${((2 * index) % 250) + 1}`);
  const b = await openSide(plan, ice.second, `127.3.${Math.floor((2 * index + 1) / 250)}.${((2 * index + 1) % 250) + 1}`);
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    const code = errorCode(await from.client.channelBind(FIRST_CHANNEL, to.relayed));
    if (code !== null) throw new Error(`ChannelBind refused with ${code}`);
  }
  return [
    { client: a.client, relayed: a.relayed, channel: FIRST_CHANNEL },
    { client: b.client, relayed: b.relayed, channel: FIRST_CHANNEL },
  ];
}

async function main(): Promise<void> {
  const plan = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as RelayPlan;
  const sides: Side[] = [];
  try {
    for (let call = 0; call < plan.allocations / 2; call++) sides.push(...(await openCall(plan, call)));
    let stopping = false;
    process.once('SIGTERM', () => (stopping = true));
    let received = 0;
    const drains = sides.map(async ({ client }) => {
      while (!stopping) if ((await client.nextData(TICK_MS * 5)) !== null) received += 1;
    });
    const payload = Buffer.alloc(plan.packetBytes, 0x5a);
    const perTick = (plan.packetsPerSecond * TICK_MS) / 1000;
    let sent = 0;
    let owed = 0;
    process.stdout.write(`relaying ${sides.length}\n`);
    const started = performance.now();
    const deadline = started + plan.maxSeconds * 1000;
    while (!stopping && performance.now() < deadline) {
      // Packets owed by the clock, not by the ticks: a late tick sends what it missed.
      const due = Math.floor(((performance.now() - started) / TICK_MS) * perTick) - owed;
      for (let packet = 0; packet < due; packet++) for (const side of sides) side.client.sendChannelData(side.channel, payload);
      owed += Math.max(0, due);
      sent += Math.max(0, due) * sides.length;
      await sleep(TICK_MS);
    }
    const seconds = (performance.now() - started) / 1000;
    await sleep(DRAIN_MS);
    stopping = true;
    await Promise.all(drains);
    const result: RelayLoadResult = { allocations: sides.length, sent, received, loss: sent === 0 ? 1 : Math.max(0, 1 - received / sent), seconds };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await Promise.all(sides.map(({ client }) => client.close()));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`relay-load: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
