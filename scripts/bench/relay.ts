// Relay figures against coturn (Debian's package) on the same machine with the same
// turnutils_uclient load: the load is swept upwards (more clients sending at once) and each
// relay's figure is the highest rate it delivered with under 0.1% loss; CPU per million
// packets relayed is read from /proc for both. Loopback only; each run is bounded.
import { spawnSync } from 'node:child_process';
import { benchScript, cpuSecondsOf, freeUdpPortOutside, sleep, spread, startChild, type Child } from './common.js';
import { atLeast, newRow, type Figure, type Row } from './figure.js';
import { makeDataDir, removeDataDir } from './porthello.js';
import { loopbackCoturnArgs, loopbackUclientArgs } from '../coturn-loopback.js';

const USER = 'bench';
const PASSWORD = 'bench-password-0123456789';
/**
 * Both relays run one after the other in this range (the relay suites use others): room for
 * every step's allocations at once, refined steps included. coturn takes about 2.4 ports a
 * client: 1,000 ports ran out at the quick sweep's 200-client step after 325 clients before it,
 * and 2,000 at the refined steps after a 675-client sweep; a full sweep with its refined steps
 * has ≈ 1,300 clients.
 */
const RELAY_PORTS: [number, number] = [57000, 60999];
const PACKET_BYTES = 1200;
/**
 * Clients at each step of the sweep; each sends MESSAGES, one a millisecond. uclient starts its
 * clients at random 1–6 s offsets, so a client must send for a second or more for enough of them
 * to overlap: with 200 messages each, 150 clients made ≈ 6,000 packets/s, which neither relay
 * lost a packet of, and the figure measured the load generator. With 1,000 each, coturn still
 * lost nothing at 200 clients (≈ 37k packets/s) and the ratio read 0.67× against a floor; with
 * 2,000 it loses at 300 (≈ 75k clean at 200), so the quick sweep goes as far as the full one.
 */
const SWEEP = { full: [25, 50, 100, 150, 200, 300], quick: [25, 50, 100, 200, 300], tiny: [2] } as const;
const MESSAGES = { full: 2000, quick: 2000, tiny: 20 } as const;
const MAX_LOSS = 0.001;
/** Steps added between the last clean step and the first that lost (each halves the gap). */
const REFINE_STEPS = 2;
/** After the last packet is sent, replies still in flight get this long. */
const DRAIN_MS = 2_000;
const RUN_TIMEOUT_MS = 60_000;

/** `void`: what uclient last said, for a step where nothing came back (it is kept in the notes). */
type Step = { clients: number; sent: number; received: number; perSecond: number; loss: number; cpuSecondsPerMillion: number; void?: string };
/** uclient's last lines kept for a void step. */
const VOID_STEP_LINES = 3;

/**
 * uclient prints cumulative counts every second ("N: : start_mclient: msz=…, tot_send_msgs=S,
 * tot_recv_msgs=R") and, once every reply came back, the final counts in the same words without
 * `msz`. A per-second line is a snapshot with packets still in flight: read as the end, it made
 * up a loss of 0.05–0.25% at any load, for both relays, around the 0.1% line the figure uses.
 */
function progress(output: string): Array<{ second: number; sent: number; received: number }> {
  return [...output.matchAll(/^(\d+): : start_mclient: (?:msz=\d+, )?tot_send_msgs=(\d+), tot_recv_msgs=(\d+)/gm)].map((match) => ({
    second: Number(match[1]),
    sent: Number(match[2]),
    received: Number(match[3]),
  }));
}

/** One uclient run; it is stopped once every packet was sent and the drain time passed (uclient itself waits 30 s for lost ones). */
async function uclientRun(relayPort: number, peerPort: number, clients: number, messages: number, relayPid: number): Promise<Step> {
  const total = clients * messages;
  const cpuBefore = cpuSecondsOf(relayPid);
  const args = loopbackUclientArgs({ user: USER, password: PASSWORD, relayPort, peerPort, clients, messages, bytes: PACKET_BYTES, intervalMs: 1 });
  const client = startChild('turnutils_uclient', args, {}, { timeoutMs: RUN_TIMEOUT_MS });
  await client.waitFor(new RegExp(`tot_send_msgs=${total}\\b`), RUN_TIMEOUT_MS).catch(() => undefined);
  await sleep(DRAIN_MS);
  await client.stop();
  const cpu = cpuSecondsOf(relayPid) - cpuBefore;
  const lines = progress(client.output());
  const last = lines.at(-1) ?? { second: 0, sent: 0, received: 0 };
  const received = Math.min(last.received, last.sent);
  return {
    clients,
    sent: last.sent,
    received,
    perSecond: sustainedRate(lines, total),
    loss: last.sent === 0 ? 1 : 1 - received / last.sent,
    // Each message crosses the relay twice: client → peer and back.
    cpuSecondsPerMillion: (cpu / Math.max(1, 2 * received)) * 1e6,
    ...(received > 0 ? {} : { void: lastLines(client.output(), VOID_STEP_LINES) }),
  };
}

/**
 * Packets/s each way while the load ran: the median of the whole seconds between uclient's first
 * packet and its last (each second's received packets, from consecutive per-second lines; the
 * partial seconds at either end are left out). The count over the seconds a run took, as measured
 * before, moved by ±20% with where the run's edges fell in uclient's whole-second ticks.
 */
function sustainedRate(lines: ReadonlyArray<{ second: number; sent: number; received: number }>, total: number): number {
  const first = lines.findIndex((line) => line.sent > 0);
  const end = lines.findIndex((line) => line.sent >= total);
  if (first < 0) return 0;
  const last = end < 0 ? lines.length - 1 : end;
  const perSecond: number[] = [];
  for (let index = first + 1; index <= last - 1; index++) {
    const [previous, line] = [lines[index - 1], lines[index]];
    if (previous !== undefined && line !== undefined && line.second === previous.second + 1) perSecond.push(line.received - previous.received);
  }
  // Too short a run for a whole second inside it: its count over its seconds.
  if (perSecond.length === 0) return (lines[last]?.received ?? 0) / Math.max(1, (lines[last]?.second ?? 0) - (lines[first]?.second ?? 0) + 1);
  return spread(perSecond).median;
}

/** A relay process listening, and the port it listens on. */
type StartedRelay = { child: Child; port: number };

/**
 * The steps one after another on one relay, warm from the steps before as a relay in service is
 * (a relay started for each step ran its first thousands of packets through cold JavaScript and
 * lost 5% at a load it carried cleanly warm). Each step's allocations outlive it in the relay
 * (uclient is stopped, not released): the relay range holds every step's.
 */
async function sweep(startRelay: () => Promise<StartedRelay>, steps: readonly number[], messages: number): Promise<Step[]> {
  const peerPort = await freeUdpPortOutside(RELAY_PORTS);
  // Its own uclient peer: a peer that stalled under the previous load (seen: every later run of
  // the figure at 100% loss, for both relays) does not spoil the next sweep.
  const peer = startChild('turnutils_peer', ['-L', '127.0.0.1', '-p', String(peerPort)]);
  let relay: StartedRelay | null = null;
  try {
    relay = await startRelay();
    const { port, child } = relay;
    const run = (clients: number): Promise<Step> => uclientRun(port, peerPort, clients, messages, child.pid);
    const results: Step[] = [];
    for (const clients of steps) {
      const step = await run(clients);
      results.push(step);
      if (step.loss > MAX_LOSS * 20) break; // well past saturation: higher steps only lose more
    }
    // Between the last clean step and the first that lost, halve the gap a few times: the
    // steps double, and a limit anywhere between two of them read as the lower one.
    for (let refined = 0; refined < REFINE_STEPS; refined++) {
      const clean = results.filter((step) => step.loss < MAX_LOSS).map((step) => step.clients);
      const below = clean.length === 0 ? 0 : Math.max(...clean);
      const above = Math.min(...results.filter((step) => step.loss >= MAX_LOSS && step.clients > below).map((step) => step.clients));
      const middle = Math.round((below + above) / 2);
      if (below === 0 || !Number.isFinite(above) || middle === below || middle === above) break;
      results.push(await run(middle));
    }
    return results.sort((a, b) => a.clients - b.clients);
  } finally {
    await Promise.all([relay?.child.stop(), peer.stop()]);
  }
}

async function startOurs(): Promise<StartedRelay> {
  const child = startChild(process.execPath, [benchScript('relay-server'), USER, PASSWORD, String(RELAY_PORTS[0]), String(RELAY_PORTS[1])]);
  const [, port = '0'] = await child.waitFor(/listening (\d+)/);
  return { child, port: Number(port) };
}

async function startCoturn(dir: string): Promise<StartedRelay> {
  const port = await freeUdpPortOutside(RELAY_PORTS);
  const child = startChild('turnserver', loopbackCoturnArgs({ port, relayPorts: RELAY_PORTS, user: USER, password: PASSWORD, dir }));
  await child.waitFor(/Total General servers|listener opened|IPv4\. UDP listener opened/i, 10_000).catch(() => sleep(1000));
  return { child, port };
}

const best = (steps: readonly Step[]): Step | undefined => steps.filter((step) => step.loss < MAX_LOSS).sort((a, b) => b.perSecond - a.perSecond)[0];
const describe = (steps: readonly Step[]): string =>
  steps
    .map(
      (step) =>
        `${step.clients} clients ${step.perSecond.toFixed(0)}/s loss ${(step.loss * 100).toFixed(2)}%${step.void === undefined ? '' : ` (uclient: ${step.void})`}`,
    )
    .join(', ');

function lastLines(output: string, count: number): string {
  return output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .slice(-count)
    .join(' / ');
}

export const relayFigure: Figure = {
  name: 'relay',
  async run(options) {
    const rate = newRow('relay: highest packets/s each way at < 0.1% loss', 'coturn, same uclient load', '≥ 0.5×', 'packets/s', atLeast(0.5));
    const cpu = newRow('relay CPU per million packets relayed', 'coturn', 'report', 'CPU s', () => true);
    if (spawnSync('turnserver', ['--version']).error !== undefined) {
      rate.notes.push('coturn is not installed (apt-get install -y coturn): not measured');
      return [rate, cpu];
    }
    const dir = makeDataDir();
    try {
      for (let repeat = 0; repeat < options.repeats; repeat++) {
        const oursSteps = await sweep(startOurs, SWEEP[options.mode], MESSAGES[options.mode]);
        const theirSteps = await sweep(() => startCoturn(dir), SWEEP[options.mode], MESSAGES[options.mode]);
        const oursBest = best(oursSteps);
        const theirBest = best(theirSteps);
        rate.ours.push(oursBest?.perSecond ?? 0);
        rate.base.push(theirBest?.perSecond ?? NaN);
        cpu.ours.push(oursBest?.cpuSecondsPerMillion ?? NaN);
        cpu.base.push(theirBest?.cpuSecondsPerMillion ?? NaN);
        rate.notes.push(`repeat ${repeat + 1}: Porthello ${describe(oursSteps)}; coturn ${describe(theirSteps)}`);
        options.log(`  relay: ${describe(oursSteps)} | coturn ${describe(theirSteps)}`);
      }
    } finally {
      removeDataDir(dir);
    }
    return [rate, cpu] satisfies Row[];
  },
};
