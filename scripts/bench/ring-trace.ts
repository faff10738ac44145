// Where the pages' main threads spend a call's first moments, from a Chromium trace (the
// timeline categories DevTools' Performance panel records): each renderer's main thread between
// two stamps (Answer and both connected): the time it spent in tasks, how much of that it had a
// core for (wall against thread time), and where its tasks came from (rendering frames, network
// responses, messages from the browser process, …). A page marks its renderer with
// `console.timeStamp(label)` once tracing runs, so the summary can say which side is which, and
// the page's clock at that mark maps Date.now() onto the trace's clock (microseconds of a
// monotonic clock).
import type { Browser, Page } from 'playwright-core';

const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'toplevel'];
/** The task origins listed per side; the others are summed as "the rest". */
const TOP_ORIGINS = 6;
const TASK_EVENTS = new Set(['RunTask', 'ThreadControllerImpl::RunTask']);
/** Tasks of the main thread longer than this are listed one by one. */
const LONG_TASK_MS = 20;

/** `dur` is wall time, `tdur` the thread's own CPU time (both microseconds). */
type TraceEvent = {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { message?: string }; src_file?: string; src_func?: string };
};

/** One renderer's main thread over the window: time in tasks, the CPU time of those tasks, the largest origins, the long tasks. */
export type MainThreadSummary = {
  label: string;
  busyMs: number;
  cpuMs: number;
  windowMs: number;
  origins: Array<{ name: string; ms: number }>;
  longTasks: string[];
};

/** A trace under way: each marked page's Date.now() at its mark. */
export type Trace = { browser: Browser; markedAt: Map<string, number> };

/** Starts tracing the whole browser (one trace at a time per browser); each page is then marked with its label. */
export async function startTrace(browser: Browser, pages: ReadonlyArray<readonly [Page, string]>): Promise<Trace> {
  await browser.startTracing(undefined, { categories: CATEGORIES });
  const markedAt = new Map<string, number>();
  for (const [page, label] of pages)
    markedAt.set(
      label,
      await page.evaluate((mark) => {
        console.timeStamp(mark);
        return Date.now();
      }, label),
    );
  return { browser, markedAt };
}

/** Ends a trace whose result is not wanted (the call failed), so the browser can trace again. */
export async function abandonTrace(trace: Trace): Promise<void> {
  await trace.browser.stopTracing().catch(() => undefined);
}

/** Stops the trace and sums each marked renderer's main thread over [fromMs, toMs] (Date.now() times). */
export async function stopTrace(trace: Trace, fromMs: number, toMs: number): Promise<MainThreadSummary[]> {
  const { traceEvents } = JSON.parse((await trace.browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] };
  const mainThreads = new Map<number, number>();
  for (const event of traceEvents)
    if (event.ph === 'M' && event.name === 'thread_name' && event.args?.name === 'CrRendererMain') mainThreads.set(event.pid, event.tid);
  const summaries: MainThreadSummary[] = [];
  for (const event of traceEvents) {
    const label = event.name === 'TimeStamp' ? event.args?.data?.message : undefined;
    const markedAt = label === undefined ? undefined : trace.markedAt.get(label);
    if (label === undefined || markedAt === undefined) continue;
    // The mark's trace time against the page's clock at the mark maps the window onto the trace's clock.
    const toTrace = (ms: number): number => event.ts + (ms - markedAt) * 1000;
    const own = traceEvents.filter((other) => other.pid === event.pid && other.tid === mainThreads.get(event.pid));
    summaries.push(summarise(label, own, toTrace(fromMs), toTrace(toMs)));
  }
  return summaries;
}

/** Where a task was posted from ("file:function" of Chromium's source), the best name a trace gives a task. */
function originOf(task: TraceEvent, nested: readonly TraceEvent[]): string {
  const named = [task, ...nested].find((event) => event.args?.src_func !== undefined);
  if (named?.args?.src_func === undefined) return 'unnamed';
  return `${(named.args.src_file ?? '').replace(/^.*\//, '')}:${named.args.src_func}`;
}

function summarise(label: string, events: TraceEvent[], from: number, to: number): MainThreadSummary {
  const complete = events
    .filter((event) => event.ph === 'X' && event.dur !== undefined && event.ts < to && event.ts + (event.dur ?? 0) > from)
    .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const endOf = (event: TraceEvent): number => event.ts + (event.dur ?? 0);
  /** The share of an event inside the window. */
  const inWindow = (event: TraceEvent): number => (Math.min(to, endOf(event)) - Math.max(from, event.ts)) / Math.max(1, event.dur ?? 0);
  // The thread's tasks: the outermost task events (a task event inside another is the same task).
  const tasks: Array<{ task: TraceEvent; nested: TraceEvent[] }> = [];
  for (const event of complete) {
    if (!TASK_EVENTS.has(event.name)) continue;
    const last = tasks.at(-1);
    if (last !== undefined && event.ts < endOf(last.task)) last.nested.push(event);
    else tasks.push({ task: event, nested: [] });
  }
  const origins = new Map<string, number>();
  let busyMs = 0;
  let cpuMs = 0;
  const longTasks: string[] = [];
  for (const { task, nested } of tasks) {
    const ms = ((task.dur ?? 0) * inWindow(task)) / 1000;
    const origin = originOf(task, nested);
    busyMs += ms;
    cpuMs += ((task.tdur ?? task.dur ?? 0) * inWindow(task)) / 1000;
    origins.set(origin, (origins.get(origin) ?? 0) + ms);
    if ((task.dur ?? 0) / 1000 > LONG_TASK_MS) longTasks.push(`${((task.dur ?? 0) / 1000).toFixed(0)} ms ${origin}`);
  }
  const listed = [...origins].sort((a, b) => b[1] - a[1]).slice(0, TOP_ORIGINS);
  const listedMs = listed.reduce((sum, [, ms]) => sum + ms, 0);
  return {
    label,
    busyMs,
    cpuMs,
    windowMs: (to - from) / 1000,
    origins: [...listed.map(([name, ms]) => ({ name, ms })), { name: 'the rest', ms: Math.max(0, busyMs - listedMs) }],
    longTasks,
  };
}

export function describeMainThread(summary: MainThreadSummary): string {
  const origins = summary.origins.map((origin) => `${origin.name} ${origin.ms.toFixed(0)}`).join(', ');
  const long = summary.longTasks.length === 0 ? 'none' : summary.longTasks.join(', ');
  return (
    `${summary.label}'s main thread ran tasks ${summary.busyMs.toFixed(0)} of ${summary.windowMs.toFixed(0)} ms, ` +
    `${summary.cpuMs.toFixed(0)} ms of it on a core (by where they were posted from: ${origins}; tasks over ${LONG_TASK_MS} ms: ${long})`
  );
}
