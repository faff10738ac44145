// Log-in load, in its own process, printing one JSON line:
//
//   node dist/scripts/bench/login-load.js login URL ORIGIN PASSWORD DURATION_MS SOURCE EMAIL...
//        one worker per e-mail logs in again and again until the time is up, every connection
//        from the loopback address SOURCE (the server takes turns by the client's network)
//   node dist/scripts/bench/login-load.js bcrypt COST CONCURRENCY DURATION_MS
//        bcrypt alone: CONCURRENCY comparisons at a time at that cost, as log-ins do
import { Agent, request } from 'node:http';
import bcrypt from 'bcrypt';
import { percentile } from './common.js';

type Result = { count: number; perSecond: number; p50Ms: number; p99Ms: number; failures: number };

async function repeatUntil(durationMs: number, workers: number, once: (worker: number) => Promise<boolean>): Promise<Result> {
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const stopAt = started + durationMs;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (performance.now() < stopAt) {
        const at = performance.now();
        // A refused or failed request (the server busy, a connection reset under load) is counted, not fatal.
        const ok = await once(worker).catch(() => false);
        if (ok) latencies.push(performance.now() - at);
        else failures += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { count: latencies.length, perSecond: latencies.length / seconds, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), failures };
}

/** POSTs JSON through `agent` (kept-alive connections from its source address); resolves with the status once the body is read. */
function postJson(url: URL, origin: string, body: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Origin: origin };
    const outgoing = request(url, { method: 'POST', agent, headers }, (response) => {
      response.on('error', reject);
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.resume();
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  let result: Result;
  if (mode === 'login') {
    const [url = '', origin = '', password = '', durationMs = '0', source = '', ...emails] = rest;
    const agent = new Agent({ keepAlive: true, localAddress: source });
    const login = new URL('/api/auth/login', url);
    result = await repeatUntil(Number(durationMs), emails.length, async (worker) => {
      const status = await postJson(login, origin, JSON.stringify({ email: emails[worker], password }), agent);
      return status === 200;
    });
    agent.destroy();
  } else if (mode === 'bcrypt') {
    const [cost = '12', concurrency = '1', durationMs = '0'] = rest;
    const hash = await bcrypt.hash('bench password', Number(cost));
    result = await repeatUntil(Number(durationMs), Number(concurrency), () => bcrypt.compare('bench password', hash));
  } else throw new Error('mode: login or bcrypt');
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`login-load: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
