// How busy the whole box was between two readings: every thread's time on a core and its time
// waiting in a run queue for one (/proc/PID/task/TID/schedstat, in nanoseconds), and which
// processes the time on a core went to (Chromium's by their --type, Node's by their script).
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';

/** Each thread by "PID/TID": nanoseconds run on a core and waited for one. */
export type BoxReading = Map<string, readonly [number, number]>;
export type BoxUse = { runMs: number; waitMs: number; byProcess: Array<{ name: string; runMs: number }> };

/** The processes listed by name; the others are summed as "the rest". */
const TOP_PROCESSES = 5;

export function readBox(): BoxReading {
  const threads: BoxReading = new Map();
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // the process ended meanwhile
    }
    for (const tid of tids) {
      try {
        const [run = 0, wait = 0] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
        threads.set(`${pid}/${tid}`, [run, wait]);
      } catch {
        // the thread ended meanwhile
      }
    }
  }
  return threads;
}

/** What the box's threads did between two readings (threads that ended meanwhile are not counted). */
export function boxUseBetween(before: BoxReading, after: BoxReading): BoxUse {
  let run = 0;
  let wait = 0;
  const byPid = new Map<string, number>();
  for (const [thread, [runAfter, waitAfter]] of after) {
    const [runBefore, waitBefore] = before.get(thread) ?? [0, 0];
    run += runAfter - runBefore;
    wait += waitAfter - waitBefore;
    const pid = thread.slice(0, thread.indexOf('/'));
    byPid.set(pid, (byPid.get(pid) ?? 0) + runAfter - runBefore);
  }
  const byName = new Map<string, number>();
  for (const [pid, ns] of byPid) if (ns > 0) byName.set(processName(pid), (byName.get(processName(pid)) ?? 0) + ns / 1e6);
  return { runMs: run / 1e6, waitMs: wait / 1e6, byProcess: [...byName].sort((a, b) => b[1] - a[1]).map(([name, runMs]) => ({ name, runMs })) };
}

function processName(pid: string): string {
  try {
    const [command = '', ...args] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    // Chromium's child processes rewrite their command line as one string, arguments joined by spaces.
    if (command.includes('chromium')) return `Chromium ${/ --type=(\S+)/.exec(` ${[command, ...args].join(' ')}`)?.[1] ?? 'browser'}`;
    const script = args.find((arg) => arg.endsWith('.js'));
    if (basename(command) === 'node' && script !== undefined) return `node ${basename(script)}`;
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return 'ended';
  }
}

/** One line: the share of the box's cores used over `elapsedMs`, the wait for a core, and the largest users. */
export function describeBoxUse(use: BoxUse, elapsedMs: number): string {
  const cores = availableParallelism();
  const share = (use.runMs / (cores * elapsedMs)) * 100;
  const listed = use.byProcess.slice(0, TOP_PROCESSES);
  const rest = use.runMs - listed.reduce((sum, entry) => sum + entry.runMs, 0);
  const users = [...listed.map((entry) => `${entry.name} ${entry.runMs.toFixed(0)}`), `the rest ${rest.toFixed(0)}`].join(', ');
  return (
    `the box's threads ran ${use.runMs.toFixed(0)} ms on its ${cores} cores in ${elapsedMs} ms (${share.toFixed(0)}%) ` +
    `and waited ${use.waitMs.toFixed(0)} ms for one (ms on a core: ${users})`
  );
}
