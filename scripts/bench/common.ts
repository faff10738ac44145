// What every benchmark figure shares: child processes with a time bound, their CPU and memory
// read from /proc, waits on conditions (bounded), and the statistics of repeated runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { projectPath } from '../../server/paths.js';
import { watchOutput } from '../child-output.js';

/** Linux reports process CPU in clock ticks of 1/100 s. */
const CLOCK_TICKS_PER_S = 100;
/** Every child is killed after this: a benchmark cannot hang. */
export const CHILD_TIMEOUT_MS = 180_000;
/** Polling period of the waits below. */
const POLL_MS = 20;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The built script of a benchmark helper: dist/scripts/bench/NAME.js. */
export function benchScript(name: string): string {
  return projectPath('dist', 'scripts', 'bench', `${name}.js`);
}

export type Child = {
  process: ChildProcess;
  pid: number;
  output(): string;
  /** Resolves with the first match of the pattern in the output. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited: Promise<number | string>;
  stop(): Promise<void>;
};

/** Children still running: stopped if the bench itself is interrupted. */
const running = new Set<() => void>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const kill of running) kill();
    process.exit(130);
  });
}

/**
 * Starts a command with a time bound after which it is killed; its output is kept. `group`: the
 * command starts others (npm → sh → node), so it leads its own process group and stopping it
 * signals the whole group.
 */
export function startChild(
  command: string,
  args: readonly string[],
  env: Record<string, string> = {},
  { group = false, timeoutMs = CHILD_TIMEOUT_MS }: { group?: boolean; timeoutMs?: number } = {},
): Child {
  const child = spawn(command, args, { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: group });
  const signal = (name: NodeJS.Signals): void => {
    if (group && child.pid !== undefined) process.kill(-child.pid, name);
    else child.kill(name);
  };
  const watched = watchOutput(child, command);
  const killer = setTimeout(() => signal('SIGKILL'), timeoutMs);
  const kill = (): void => signal('SIGKILL');
  running.add(kill);
  const exited = watched.exited.then((result) => {
    running.delete(kill);
    clearTimeout(killer);
    return result;
  });
  return {
    process: child,
    pid: child.pid ?? 0,
    output: watched.output,
    exited,
    waitFor: (pattern, waitMs = 60_000) => watched.waitFor(pattern, waitMs),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signal('SIGTERM');
      await Promise.race([exited, sleep(3000)]);
      if (child.exitCode === null && child.signalCode === null) signal('SIGKILL');
      await exited;
    },
  };
}

/** Waits for a child to end and parses the JSON line it printed last. */
export async function runJsonChild<T>(child: Child): Promise<T> {
  const status = await child.exited;
  const last = child.output().trim().split('\n').at(-1) ?? '';
  if (status !== 0 || !last.startsWith('{')) throw new Error(`a benchmark child exited with ${status}:\n${child.output().slice(-3000)}`);
  return JSON.parse(last) as T;
}

/** Runs a benchmark helper script to its end and parses the JSON it prints last. */
export function runJson<T>(script: string, args: readonly string[], env: Record<string, string> = {}, nodeArgs: readonly string[] = []): Promise<T> {
  return runJsonChild<T>(startChild(process.execPath, [...nodeArgs, script, ...args], env));
}

/** User + system CPU seconds a process has used so far. */
export function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

/** Resident memory now and at its peak, in MB, from /proc/PID/status. */
export function memoryOf(pid: number): { rssMb: number; peakRssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/** Polls `check` until it is true or the time is up; returns the elapsed milliseconds. */
export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000, pollMs = POLL_MS): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(pollMs);
  }
}

export async function isOk(url: string, init: RequestInit = {}): Promise<boolean> {
  try {
    const response = await fetch(url, init);
    await response.arrayBuffer();
    return response.ok;
  } catch {
    // Not listening yet: the caller polls again.
    return false;
  }
}

/** The load average over the last minute, for the record: other work on the box skews absolute numbers. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

export type Spread = { min: number; median: number; max: number };

export function spread(values: readonly number[]): Spread {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  return { min: sorted[0] ?? NaN, median: percentile(sorted, 0.5), max: sorted.at(-1) ?? NaN };
}

/** A UDP port free on 127.0.0.1 a moment ago. */
/** Attempts at a free port outside a relay range: the kernel's picks are spread over ~28k ports. */
const FREE_PORT_ATTEMPTS = 20;

/**
 * A UDP port free on 127.0.0.1 a moment ago and outside `range` (a relay's port range, which the
 * kernel's ephemeral range overlaps: a relay refuses to listen inside its own range).
 */
export async function freeUdpPortOutside(range: readonly [number, number]): Promise<number> {
  for (let attempt = 0; attempt < FREE_PORT_ATTEMPTS; attempt++) {
    const port = await freeUdpPort();
    if (port < range[0] || port > range[1]) return port;
  }
  throw new Error(`no free UDP port outside ${range[0]}-${range[1]} in ${FREE_PORT_ATTEMPTS} attempts`);
}

export function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  return new Promise((resolve) =>
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    }),
  );
}

/** A TCP port free on 127.0.0.1 a moment ago. */
export function freeTcpPort(): Promise<number> {
  const server = createServer();
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    }),
  );
}
