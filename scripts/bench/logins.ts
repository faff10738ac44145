// Log-ins under load: 50 members logging in again and again at the default bcrypt cost, all from
// one address, while members signal. Signaling p99, and the log-in latency of a member at
// another address (another /24: the server takes hashing turns by network), against the same
// with no log-ins; log-ins per second against bcrypt alone at the same concurrency.
import { benchScript, runJson, runJsonChild, sleep, startChild } from './common.js';
import { atMost, newRow, type Figure } from './figure.js';
import { makeDataDir, ORIGIN, PASSWORD, removeDataDir, signUpMembers, startPorthello } from './porthello.js';
import { DRAIN_MS, measureSignaling } from './signaling.js';

/** config.ts's default. */
const DEFAULT_BCRYPT_COST = '12';
const LOGINS = { full: 50, quick: 50, tiny: 2 } as const;
const SIGNALING_MEMBERS = { full: 1000, quick: 200, tiny: 10 } as const;
const CALLS = { full: 100, quick: 20, tiny: 2 } as const;
const DURATION_MS = { full: 15_000, quick: 8_000, tiny: 1_000 } as const;
const SETTLE_MS = 500;
const ROUND_MS = 1_000;
/** Loopback source addresses: the storm's, and the other member's in another /24. */
const STORM_SOURCE = '127.0.0.2';
const OTHER_SOURCE = '127.0.1.2';

type LoginResult = { count: number; perSecond: number; p50Ms: number; p99Ms: number; failures: number };

export const loginFigure: Figure = {
  name: 'logins',
  async run(options) {
    const { mode } = options;
    const logins = LOGINS[mode];
    const p99 = newRow(
      `signaling p99 during ${logins} concurrent log-ins (bcrypt cost ${DEFAULT_BCRYPT_COST})`,
      'signaling p99 with no log-ins',
      '≤ 1.5×',
      'ms',
      atMost(1.5),
    );
    const latency = newRow(
      `a log-in from another network (/24) during ${logins} concurrent log-ins from one network`,
      'the same log-in with no others',
      '≤ 1.5× (see notes)',
      'ms',
      atMost(1.5),
    );
    const rate = newRow(
      `log-ins/s with ${logins} at once`,
      `bcrypt alone, ${logins} at once, same cost`,
      // Report only: hashing on every core but one (the event loop keeps one) trades log-in
      // throughput for signaling latency: (cores − 1) / cores of bcrypt alone is the design.
      'report (≈ (cores − 1) / cores by design)',
      'log-ins/s',
      () => true,
    );
    const dataDir = makeDataDir();
    try {
      // Signaling members at a low cost (they never log in); the log-in members at the default.
      const setup = await startPorthello(dataDir);
      const members = await signUpMembers(setup.url, SIGNALING_MEMBERS[mode], 'signal').finally(() => setup.stop());
      const costly = await startPorthello(dataDir, { PORTHELLO_BCRYPT_COST: DEFAULT_BCRYPT_COST });
      const loggers = await signUpMembers(costly.url, logins + 1, 'login').finally(() => costly.stop());
      const [prober, ...storm] = loggers.map((member) => member.email);
      for (let repeat = 0; repeat < options.repeats; repeat++) {
        // --profile: the event loop's profile over the first repeat, quiet and storm phases both.
        const nodeArgs =
          options.profileDir === null || repeat > 0 ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, '--cpu-prof-name=logins.cpuprofile'];
        const server = await startPorthello(dataDir, { PORTHELLO_BCRYPT_COST: DEFAULT_BCRYPT_COST }, nodeArgs);
        const plan = {
          mode: 'porthello' as const,
          url: `${server.url.replace('http', 'ws')}/ws`,
          origin: ORIGIN,
          members,
          calls: CALLS[mode],
          settleMs: SETTLE_MS,
          durationMs: DURATION_MS[mode],
          roundMs: ROUND_MS,
          drainMs: DRAIN_MS[mode],
        };
        const loginArgs = (source: string, emails: readonly string[], ms: number) => ['login', server.url, ORIGIN, PASSWORD, String(ms), source, ...emails];
        try {
          const quiet = await measureSignaling(server.child, plan, dataDir);
          const quietLogin = await runJson<LoginResult>(benchScript('login-load'), loginArgs(OTHER_SOURCE, [prober ?? ''], DURATION_MS[mode] / 2));
          // The storm starts with the calls and outlasts them a little; the prober logs in meanwhile.
          const stormChild = startChild(process.execPath, [benchScript('login-load'), ...loginArgs(STORM_SOURCE, storm, DURATION_MS[mode] + SETTLE_MS * 3)]);
          const [busy, busyLogin] = await Promise.all([
            measureSignaling(server.child, plan, dataDir),
            sleep(SETTLE_MS).then(() => runJson<LoginResult>(benchScript('login-load'), loginArgs(OTHER_SOURCE, [prober ?? ''], DURATION_MS[mode] / 2))),
          ]);
          const stormResult = await runJsonChild<LoginResult>(stormChild);
          const alone = await runJson<LoginResult>(benchScript('login-load'), ['bcrypt', DEFAULT_BCRYPT_COST, String(logins), String(DURATION_MS[mode])]);
          p99.ours.push(busy.p99Ms);
          p99.base.push(quiet.p99Ms);
          latency.ours.push(busyLogin.p50Ms);
          latency.base.push(quietLogin.p50Ms);
          rate.ours.push(stormResult.perSecond);
          rate.base.push(alone.perSecond);
          if (stormResult.failures > 0) rate.notes.push(`repeat ${repeat + 1}: ${stormResult.failures} log-ins refused`);
          options.log(
            `  logins: signaling p99 ${busy.p99Ms.toFixed(1)} vs ${quiet.p99Ms.toFixed(1)} ms, ${stormResult.perSecond.toFixed(1)} vs ${alone.perSecond.toFixed(1)} log-ins/s`,
          );
        } finally {
          await server.stop();
        }
      }
    } finally {
      removeDataDir(dataDir);
    }
    return [p99, latency, rate];
  },
};
