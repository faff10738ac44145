// Signaling figures against a bare ws forwarder, same connections and message sizes:
// relay latency A → server → B (p50, p99) with N members connected and 100 calls exchanging
// offers, answers and candidates; server CPU per relayed message; memory per idle connection.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchScript, cpuSecondsOf, memoryOf, runJsonChild, sleep, startChild, type Child } from './common.js';
import { atMost, newRow, type BenchOptions, type Figure, type Row } from './figure.js';
import { makeDataDir, ORIGIN, removeDataDir, signUpMembers, startPorthello, type Member } from './porthello.js';
import type { SignalPlan, SignalResult } from './signal-load.js';

const SIZES = { full: [1000, 5000, 10_000], quick: [1000], tiny: [20] } as const;
const CALLS = { full: 100, quick: 100, tiny: 4 } as const;
/** Full runs cover a whole heartbeat interval (25 s), whose pings are part of the tail. */
const DURATION_MS = { full: 30_000, quick: 8_000, tiny: 1_000 } as const;
/** Time for the server to settle after the last upgrade before its memory is read. */
const SETTLE_MS = { full: 3_000, quick: 3_000, tiny: 300 } as const;
/** Messages still in flight after the last round get this long before they count as lost. */
export const DRAIN_MS = { full: 2_000, quick: 2_000, tiny: 300 } as const;
const ROUND_MS = 1_000;
const MB = 1024 * 1024;

export type SignalRun = SignalResult & { cpuSecondsPerMillion: number; bytesPerConnection: number; rssMb: number };

/** One load run against a started server: memory read while idle, CPU over the calls. */
export async function measureSignaling(server: Child, plan: SignalPlan, dir: string): Promise<SignalRun> {
  await sleep(500);
  const idleRss = memoryOf(server.pid).rssMb;
  const planFile = join(dir, `plan-${plan.mode}.json`);
  writeFileSync(planFile, JSON.stringify(plan));
  const load = startChild(process.execPath, [benchScript('signal-load'), planFile]);
  await load.waitFor(/connected \d+/, 120_000);
  await sleep(plan.settleMs / 2);
  const connectedRss = memoryOf(server.pid).rssMb;
  await load.waitFor(/calls running/, 120_000);
  const cpuBefore = cpuSecondsOf(server.pid);
  const result = await runJsonChild<SignalResult>(load);
  const cpu = cpuSecondsOf(server.pid) - cpuBefore;
  return {
    ...result,
    cpuSecondsPerMillion: (cpu / Math.max(1, result.messages)) * 1e6,
    bytesPerConnection: ((connectedRss - idleRss) * MB) / Math.max(1, plan.members.length),
    rssMb: connectedRss,
  };
}

async function runSize(options: BenchOptions, members: Member[], dataDir: string): Promise<Row[]> {
  const size = members.length >= 1000 ? `${members.length / 1000}k` : String(members.length);
  const calls = CALLS[options.mode];
  const durationMs = options.seconds === null ? DURATION_MS[options.mode] : options.seconds * 1000;
  const p50 = newRow(`signaling relay latency p50, ${size} members + ${calls} calls`, 'bare ws forwarder', '(p99 is the target)', 'ms', () => true);
  const p99 = newRow(`signaling relay latency p99, ${size} members + ${calls} calls`, 'bare ws forwarder', '≤ 1.5×', 'ms', atMost(1.5));
  const max = newRow(`signaling relay latency max, ${size} members + ${calls} calls`, 'bare ws forwarder', 'report (the longest stall)', 'ms', () => true);
  const cpu = newRow(`server CPU per relayed message, ${size} members`, 'bare ws forwarder', 'report', 'CPU s per million', () => true);
  const memory = newRow(`memory per idle authenticated connection, ${size}`, 'bare ws, same sockets', '≤ 2×', 'KB', atMost(2));
  const rss = newRow(
    `server RSS with ${size} members connected`,
    'bare ws, same sockets',
    members.length >= 10_000 ? '< 400 MB' : 'report',
    'MB',
    (ours) => members.length < 10_000 || ours < 400,
  );
  /** The same load against both servers. */
  const load = { origin: ORIGIN, calls, settleMs: SETTLE_MS[options.mode], durationMs, roundMs: ROUND_MS, drainMs: DRAIN_MS[options.mode] };
  for (let repeat = 0; repeat < options.repeats; repeat++) {
    const nodeArgs =
      options.profileDir === null || repeat > 0 ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=signaling-${size}.cpuprofile`];
    const server = await startPorthello(dataDir, {}, nodeArgs);
    const ours = await measureSignaling(server.child, { ...load, mode: 'porthello', url: `${server.url.replace('http', 'ws')}/ws`, members }, dataDir).finally(
      () => server.stop(),
    );
    const bare = startChild(process.execPath, [benchScript('bare-ws')]);
    const [, port] = await bare.waitFor(/listening (\d+)/);
    const base = await measureSignaling(
      bare,
      { ...load, mode: 'bare', url: `ws://127.0.0.1:${port}`, members: members.map(() => ({ id: '', cookie: '' })) },
      dataDir,
    ).finally(() => bare.stop());
    options.log(
      `  ${size}: p99 ${ours.p99Ms.toFixed(1)} vs ${base.p99Ms.toFixed(1)} ms, ${(ours.bytesPerConnection / 1024).toFixed(1)} vs ${(base.bytesPerConnection / 1024).toFixed(1)} KB/conn, lost ${ours.lost}/${ours.messages}`,
    );
    p50.ours.push(ours.p50Ms);
    p50.base.push(base.p50Ms);
    p99.ours.push(ours.p99Ms);
    p99.base.push(base.p99Ms);
    max.ours.push(ours.maxMs);
    max.base.push(base.maxMs);
    cpu.ours.push(ours.cpuSecondsPerMillion);
    cpu.base.push(base.cpuSecondsPerMillion);
    memory.ours.push(ours.bytesPerConnection / 1024);
    memory.base.push(base.bytesPerConnection / 1024);
    rss.ours.push(ours.rssMb);
    rss.base.push(base.rssMb);
    if (ours.lost > 0 || base.lost > 0) p99.notes.push(`repeat ${repeat + 1}: ${ours.lost} of ${ours.messages} messages lost (bare: ${base.lost})`);
  }
  return [p50, p99, max, cpu, memory, rss];
}

export const signalingFigure: Figure = {
  name: 'signaling',
  async run(options) {
    const rows: Row[] = [];
    for (const size of options.members ?? SIZES[options.mode]) {
      const dataDir = makeDataDir();
      try {
        const setup = await startPorthello(dataDir);
        const members = await signUpMembers(setup.url, size).finally(() => setup.stop());
        rows.push(...(await runSize(options, members, dataDir)));
      } finally {
        removeDataDir(dataDir);
      }
    }
    return rows;
  },
};
