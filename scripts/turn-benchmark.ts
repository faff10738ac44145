// Relay benchmark, one command, both relays in the same run on loopback:
//
//   npm run bench:turn            (needs coturn: apt-get install -y coturn)
//   node dist/scripts/turn-benchmark.js [clients] [messages] [bytes]
//
// The same turnutils_uclient load (channels, through turnutils_peer) goes through the embedded
// relay (in this process, next to an HTTP server) and then through coturn. It prints messages
// per second, loss, round trip, relay CPU, and what the load did to this process's HTTP
// latency and event-loop delay, measured from a separate process. Loopback only.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { silentLogger } from '../server/log.js';
import { startRelay } from '../server/turn/relay.js';
import { loopbackCoturnArgs, loopbackUclientArgs } from './coturn-loopback.js';

const USER = { username: 'bench', password: 'bench-password-0123456789' };
// The two relays run one after the other, so they share one range (do not run the relay test
// suites at the same time: they use parts of it).
const RELAY_PORTS: [number, number] = [50000, 50999];
const COTURN_RELAY_PORTS = RELAY_PORTS;
/** Every child process is killed after this: the benchmark cannot hang. */
const RUN_TIMEOUT_MS = 120_000;
const HTTP_PROBE_INTERVAL_MS = 20;
const CLOCK_TICKS_PER_S = 100;
/** The prober's first requests include connection set-up and JIT warm-up: not counted. */
const HTTP_WARMUP_SAMPLES = 5;
/** Event-loop delay sampling period; the histogram's values include it, so it is subtracted. */
const LOOP_DELAY_RESOLUTION_MS = 5;

type Load = { clients: number; messages: number; bytes: number };
type RunResult = { sent: number; received: number; seconds: number; lossPercent: number; rttMs: number; cpuSeconds: number };

function freePort(): Promise<number> {
  const socket = createSocket('udp4');
  return new Promise((resolve) =>
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    }),
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(output);
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(2000).then(() => child.kill('SIGKILL'))]);
}

function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

async function uclient(relayPort: number, peerPort: number, load: Load, cpu: () => number): Promise<RunResult> {
  const before = cpu();
  const started = process.hrtime.bigint();
  const output = await run(
    'turnutils_uclient',
    loopbackUclientArgs({
      user: USER.username,
      password: USER.password,
      relayPort,
      peerPort,
      clients: load.clients,
      messages: load.messages,
      bytes: load.bytes,
      intervalMs: 1,
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const totals = /start_mclient: tot_send_msgs=(\d+), tot_recv_msgs=(\d+)/.exec(output);
  const loss = /Total lost packets \d+ \(([\d.]+)%\)/.exec(output);
  const rtt = /Average round trip delay ([\d.]+) ms/.exec(output);
  return {
    sent: Number(totals?.[1] ?? 0),
    received: Number(totals?.[2] ?? 0),
    seconds,
    lossPercent: Number(loss?.[1] ?? 100),
    rttMs: Number(rtt?.[1] ?? NaN),
    cpuSeconds: cpu() - before,
  };
}

/** HTTP round trips from a separate process while `work` runs; returns p50 and p99 in ms. */
async function httpLatencyDuring(url: string, work: () => Promise<unknown>): Promise<{ p50: number; p99: number; count: number }> {
  const script = `
    const samples = [];
    const tick = async () => {
      const start = performance.now();
      try { await (await fetch(${JSON.stringify(url)})).text(); samples.push(performance.now() - start); } catch {}
    };
    const timer = setInterval(tick, ${HTTP_PROBE_INTERVAL_MS});
    process.on('SIGTERM', () => { clearInterval(timer); process.stdout.write(JSON.stringify(samples)); process.exit(0); });
  `;
  const prober = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  prober.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const done = new Promise<void>((resolve) => prober.once('close', () => resolve()));
  await sleep(300);
  await work();
  prober.kill('SIGTERM');
  await Promise.race([done, sleep(2000)]);
  const samples = (JSON.parse(output || '[]') as number[]).slice(HTTP_WARMUP_SAMPLES).sort((a, b) => a - b);
  const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), count: samples.length };
}

function rate(result: RunResult): number {
  return result.received / result.seconds;
}

async function main(): Promise<void> {
  const [clients = 50, messages = 500, bytes = 1200] = process.argv.slice(2).map(Number);
  const load: Load = { clients, messages, bytes };
  process.stdout.write(`load: ${clients} clients x ${messages} messages x ${bytes} B through turnutils_peer, channels\n`);

  const peerPort = await freePort();
  const peer = spawn('turnutils_peer', ['-L', '127.0.0.1', '-p', String(peerPort)], { stdio: 'ignore' });
  const http = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  const relay = await startRelay(
    {
      host: '127.0.0.1',
      port: 0,
      relayPortMin: RELAY_PORTS[0],
      relayPortMax: RELAY_PORTS[1],
      externalIp: null,
      userQuota: 0,
      totalQuota: 0,
      allowedPeers: ['127.0.0.0/8'],
    },
    silentLogger,
  );
  relay.addUser(USER.username, USER.password);
  const dir = mkdtempSync(join(tmpdir(), 'porthello-bench-'));
  const coturnPort = await freePort();
  let coturn: ChildProcess | null = null;
  try {
    const idle = await httpLatencyDuring(url, () => sleep(2000));
    const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
    loopDelay.enable();
    let embedded: RunResult | null = null;
    const busy = await httpLatencyDuring(url, async () => {
      const cpuStart = process.cpuUsage();
      embedded = await uclient(relay.port, peerPort, load, () => {
        const used = process.cpuUsage(cpuStart);
        return (used.user + used.system) / 1e6;
      });
    });
    loopDelay.disable();
    await relay.stop();

    coturn = spawn('turnserver', loopbackCoturnArgs({ port: coturnPort, relayPorts: COTURN_RELAY_PORTS, user: USER.username, password: USER.password, dir }), {
      stdio: 'ignore',
    });
    await sleep(1000);
    const coturnPid = coturn.pid as number;
    const reference = await uclient(coturnPort, peerPort, load, () => processCpuSeconds(coturnPid));

    const ours = embedded as unknown as RunResult;
    const line = (name: string, r: RunResult): string =>
      `${name.padEnd(14)} ${rate(r).toFixed(0).padStart(8)} msg/s  ${String(r.received).padStart(7)}/${r.sent} received  loss ${r.lossPercent.toFixed(2)}%  rtt ${r.rttMs.toFixed(2)} ms  cpu ${r.cpuSeconds.toFixed(2)} s`;
    process.stdout.write(`${line('embedded relay', ours)}\n${line('coturn', reference)}\n`);
    process.stdout.write(
      `throughput ratio embedded/coturn: ${(rate(ours) / rate(reference)).toFixed(2)}  cpu ratio: ${(ours.cpuSeconds / Math.max(reference.cpuSeconds, 0.01)).toFixed(1)}x\n`,
    );
    process.stdout.write(
      `HTTP in the relay's process: idle p50 ${idle.p50.toFixed(2)} ms p99 ${idle.p99.toFixed(2)} ms (${idle.count} requests); under relay load p50 ${busy.p50.toFixed(2)} ms p99 ${busy.p99.toFixed(2)} ms (${busy.count} requests)\n`,
    );
    const lag = (nanoseconds: number): string => Math.max(0, nanoseconds / 1e6 - LOOP_DELAY_RESOLUTION_MS).toFixed(2);
    process.stdout.write(
      `event-loop delay under relay load: p50 ${lag(loopDelay.percentile(50))} ms p99 ${lag(loopDelay.percentile(99))} ms max ${lag(loopDelay.max)} ms\n`,
    );
  } finally {
    if (coturn !== null) await stop(coturn);
    await stop(peer);
    await relay.stop();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`turn-benchmark: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
