// Relay figures against coturn (Debian's package) on the same machine with the same
// turnutils_uclient load: the load is swept upwards (more clients sending at once) and each
// relay's figure is the highest rate it delivered with under 0.1% loss; CPU per million
// packets relayed is read from /proc for both. Loopback only; each run is bounded.
import { spawnSync } from 'node:child_process';
import { benchScript, cpuSecondsOf, freeUdpPortOutside, sleep, startChild, type Child } from './common.js';
import { atLeast, newRow, type Figure, type Row } from './figure.js';
import { makeDataDir, removeDataDir } from './porthello.js';
import { loopbackCoturnArgs, loopbackUclientArgs } from '../coturn-loopback.js';

const USER = 'bench';
const PASSWORD = 'bench-password-0123456789';
/** Both relays run one after the other in this range (the relay suites use others). */
const RELAY_PORTS: [number, number] = [54000, 54999];
const PACKET_BYTES = 1200;
/** Clients at each step of the sweep; each sends MESSAGES as fast as uclient goes. */
const SWEEP = { full: [10, 25, 50, 100, 200], quick: [10, 50, 150], tiny: [2] } as const;
const MESSAGES = { full: 400, quick: 200, tiny: 20 } as const;
const MAX_LOSS = 0.001;
/** After the last packet is sent, replies still in flight get this long. */
const DRAIN_MS = 2_000;
const RUN_TIMEOUT_MS = 60_000;

/** `void`: what uclient last said, for a step where nothing came back (it is kept in the notes). */
type Step = { clients: number; sent: number; received: number; perSecond: number; loss: number; cpuSecondsPerMillion: number; void?: string };
/** uclient's last lines kept for a void step. */
const VOID_STEP_LINES = 3;

/** uclient prints cumulative counts every second: "N: : start_mclient: msz=…, tot_send_msgs=S, tot_recv_msgs=R". */
function progress(output: string): Array<{ second: number; sent: number; received: number }> {
  return [...output.matchAll(/^(\d+): : start_mclient: msz=\d+, tot_send_msgs=(\d+), tot_recv_msgs=(\d+)/gm)].map((match) => ({
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
  // The rate over the seconds that carried traffic (uclient starts its clients at random 1–6 s offsets).
  const first = lines.find((line) => line.sent > 0) ?? last;
  const endLine = lines.find((line) => line.sent >= total) ?? last;
  const seconds = Math.max(1, endLine.second - first.second + 1);
  const received = Math.min(last.received, last.sent);
  return {
    clients,
    sent: last.sent,
    received,
    perSecond: endLine.received / seconds,
    loss: last.sent === 0 ? 1 : 1 - received / last.sent,
    // Each message crosses the relay twice: client → peer and back.
    cpuSecondsPerMillion: (cpu / Math.max(1, 2 * received)) * 1e6,
    ...(received > 0 ? {} : { void: lastLines(client.output(), VOID_STEP_LINES) }),
  };
}

function coturnArgs(port: number, dir: string): string[] {
  return loopbackCoturnArgs({ port, relayPorts: RELAY_PORTS, user: USER, password: PASSWORD, dir });
}

async function sweep(relay: Child, relayPort: number, peerPort: number, steps: readonly number[], messages: number): Promise<Step[]> {
  const results: Step[] = [];
  for (const clients of steps) {
    const step = await uclientRun(relayPort, peerPort, clients, messages, relay.pid);
    results.push(step);
    if (step.loss > MAX_LOSS * 20) break; // well past saturation: higher steps only lose more
  }
  return results;
}

/**
 * A sweep against its own uclient peer: a peer that stalled under the previous load (seen: every
 * later run of the figure at 100% loss, for both relays) does not spoil the next sweep.
 */
async function sweepWithPeer(relay: Child, relayPort: number, steps: readonly number[], messages: number): Promise<Step[]> {
  const peerPort = await freeUdpPortOutside(RELAY_PORTS);
  const peer = startChild('turnutils_peer', ['-L', '127.0.0.1', '-p', String(peerPort)]);
  try {
    return await sweep(relay, relayPort, peerPort, steps, messages);
  } finally {
    await peer.stop();
  }
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
        const ours = startChild(process.execPath, [benchScript('relay-server'), USER, PASSWORD, String(RELAY_PORTS[0]), String(RELAY_PORTS[1])]);
        const [, port = '0'] = await ours.waitFor(/listening (\d+)/);
        const oursSteps = await sweepWithPeer(ours, Number(port), SWEEP[options.mode], MESSAGES[options.mode]).finally(() => ours.stop());
        const coturnPort = await freeUdpPortOutside(RELAY_PORTS);
        const coturn = startChild('turnserver', coturnArgs(coturnPort, dir));
        await coturn.waitFor(/Total General servers|listener opened|IPv4\. UDP listener opened/i, 10_000).catch(() => sleep(1000));
        const theirSteps = await sweepWithPeer(coturn, coturnPort, SWEEP[options.mode], MESSAGES[options.mode]).finally(() => coturn.stop());
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
