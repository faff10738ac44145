// HTTP figures: GET /api/me requests per second (authenticated, keep-alive, autocannon in its
// own process) against a bare Koa app returning the same JSON; start-up to /healthz 200 and
// idle RSS against node starting an empty HTTP server; and `npm start` on a built tree.
import { spawnSync } from 'node:child_process';
import { projectPath } from '../../server/paths.js';
import { benchScript, isOk, memoryOf, runJson, sleep, startChild, waitUntil, type Child } from './common.js';
import { atLeast, newRow, type BenchOptions, type Figure } from './figure.js';
import { benchEnv, MAIN_SCRIPT, makeDataDir, removeDataDir, signUpMembers, startPorthello } from './porthello.js';

const AUTOCANNON = projectPath('node_modules', 'autocannon', 'autocannon.js');
/** Enough connections to keep one server process busy; the load shares the two cores with it. */
const HTTP_CONNECTIONS = 10;
const DURATION_S = { full: 10, quick: 5, tiny: 1 } as const;
/** How often start-up polls /healthz: its resolution. */
const HEALTH_POLL_MS = 5;
const IDLE_SETTLE_MS = 1_000;
/** A start that takes longer is broken, not slow. */
const START_TIMEOUT_MS = 60_000;

type AutocannonResult = { requests: { average: number }; non2xx: number; errors: number };

async function requestsPerSecond(url: string, cookie: string, seconds: number): Promise<AutocannonResult> {
  return runJson<AutocannonResult>(AUTOCANNON, ['-c', String(HTTP_CONNECTIONS), '-d', String(seconds), '-j', '-H', `Cookie=${cookie}`, url]);
}

async function portOf(child: Child, pattern: RegExp): Promise<string> {
  const [, port = ''] = await child.waitFor(pattern, START_TIMEOUT_MS);
  return port;
}

/** Milliseconds from spawn to a 200 on `path`, and the RSS once idle. */
async function timeStart(child: Child, started: number, pattern: RegExp, path: string): Promise<{ ms: number; rssMb: number }> {
  const port = await portOf(child, pattern);
  await waitUntil('the server to answer', () => isOk(`http://127.0.0.1:${port}${path}`), START_TIMEOUT_MS, HEALTH_POLL_MS);
  const ms = performance.now() - started;
  await sleep(IDLE_SETTLE_MS);
  return { ms, rssMb: memoryOf(child.pid).rssMb };
}

async function apiMe(options: BenchOptions) {
  const row = newRow('`GET /api/me` requests/s, authenticated, keep-alive', 'bare Koa app, same JSON', '≥ 0.6×', 'req/s', atLeast(0.6));
  const dataDir = makeDataDir();
  try {
    for (let repeat = 0; repeat < options.repeats; repeat++) {
      const nodeArgs =
        options.profileDir === null || repeat > 0 ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, '--cpu-prof-name=api-me.cpuprofile'];
      const server = await startPorthello(dataDir, {}, nodeArgs);
      let body = '';
      try {
        const [member] = await signUpMembers(server.url, 1, `me-${repeat}`);
        const response = await fetch(`${server.url}/api/me`, { headers: { Cookie: member?.cookie ?? '' } });
        body = await response.text();
        const ours = await requestsPerSecond(`${server.url}/api/me`, member?.cookie ?? '', DURATION_S[options.mode]);
        if (ours.non2xx > 0 || ours.errors > 0) row.notes.push(`repeat ${repeat + 1}: ${ours.non2xx} non-2xx, ${ours.errors} errors`);
        row.ours.push(ours.requests.average);
      } finally {
        await server.stop();
      }
      const bare = startChild(process.execPath, [benchScript('bare-http'), 'koa'], { PORTHELLO_BENCH_ME_JSON: body });
      try {
        const port = await portOf(bare, /listening (\d+)/);
        row.base.push((await requestsPerSecond(`http://127.0.0.1:${port}/api/me`, 'none', DURATION_S[options.mode])).requests.average);
      } finally {
        await bare.stop();
      }
    }
  } finally {
    removeDataDir(dataDir);
  }
  return row;
}

async function startUp(options: BenchOptions) {
  const start = newRow(
    'start-up to `/healthz` 200 (built, fresh data directory)',
    '`node` starting an empty HTTP server',
    '< 1 s',
    'ms',
    (ours) => ours < 1000,
  );
  const rss = newRow('idle RSS after start-up', '`node` with an empty HTTP server', 'report', 'MB', () => true);
  const npmStart = newRow('`npm start` to `/healthz` 200 on a built tree', '`node` starting an empty HTTP server', 'report (no rebuild)', 'ms', () => true);
  for (let repeat = 0; repeat < options.repeats; repeat++) {
    const dataDir = makeDataDir();
    try {
      // The first start makes the database; the one measured is what a restart costs.
      await (await startPorthello(dataDir)).stop();
      let started = performance.now();
      const child = startChild(process.execPath, [MAIN_SCRIPT], benchEnv(dataDir));
      const ours = await timeStart(child, started, /listening on http:\/\/[^:]+:(\d+)/, '/healthz').finally(() => child.stop());
      // A stale tree would rebuild dist/ under this very run: then that start is not measured.
      const isBuilt = spawnSync(process.execPath, [projectPath('scripts', 'start.mjs'), '--check']).status === 0;
      started = performance.now();
      const viaNpm = isBuilt ? startChild('npm', ['start', '--silent'], { ...benchEnv(dataDir), HOME: process.env['HOME'] ?? '/root' }, { group: true }) : null;
      const npm = viaNpm === null ? null : await timeStart(viaNpm, started, /listening on http:\/\/[^:]+:(\d+)/, '/healthz').finally(() => viaNpm.stop());
      started = performance.now();
      const bare = startChild(process.execPath, [benchScript('bare-http'), 'node']);
      const base = await timeStart(bare, started, /listening (\d+)/, '/').finally(() => bare.stop());
      start.ours.push(ours.ms);
      start.base.push(base.ms);
      rss.ours.push(ours.rssMb);
      rss.base.push(base.rssMb);
      if (npm === null) npmStart.notes.push('not measured: dist/ is older than the sources (run npm run build first)');
      else {
        npmStart.ours.push(npm.ms);
        npmStart.base.push(base.ms);
      }
    } finally {
      removeDataDir(dataDir);
    }
  }
  return [start, rss, npmStart];
}

export const httpFigure: Figure = {
  name: 'http',
  async run(options) {
    return [await apiMe(options), ...(await startUp(options))];
  },
};
