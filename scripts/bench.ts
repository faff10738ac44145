// One benchmark command for the whole table of issue 15, each figure a ratio against a baseline
// measured in the same run (min / median / max over repeats), written to BENCHMARKS.md:
//
//   npm run bench                   the issue's sizes (about half an hour on 2 cores)
//   npm run bench -- --quick        smaller sizes, fewer repeats: a few minutes
//   node dist/scripts/bench.js [--quick|--tiny] [--only=signaling,http,...] [--repeats=N]
//        [--profile] [--out=FILE] [--members=1000,5000] [--seconds=30]
//
// PORTHELLO_BENCH_SERVER=/other/tree/dist/server/main.js measures another build (say, main's)
// with this harness, for before/after figures of a change.
// --tiny is a smoke run of the plumbing (about a minute); its numbers mean nothing.
// --members and --seconds replace the signaling sizes and load time of the mode.
// --profile runs the server under test with --cpu-prof and adds its top entries to the report.
// Every load generator runs in its own process, on loopback only, bounded in count and time.
// Exit status: 0 when every target is met, 3 when a figure falls short, 1 on an error.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath } from '../server/paths.js';
import { loadAverage } from './bench/common.js';
import { newRow, type BenchMode, type Figure, type Row } from './bench/figure.js';
import { busyRelayFigure } from './bench/busy-relay.js';
import { httpFigure } from './bench/http.js';
import { loginFigure } from './bench/logins.js';
import { pictureFigure } from './bench/pictures.js';
import { summariseProfiles } from './bench/profile.js';
import { relayFigure } from './bench/relay.js';
import { isMet, renderRun, tableOf, writeReport } from './bench/report.js';
import { ringFigure } from './bench/ring.js';
import { signalingFigure } from './bench/signaling.js';

const FIGURES: readonly Figure[] = [signalingFigure, busyRelayFigure, httpFigure, pictureFigure, loginFigure, relayFigure, ringFigure];
const REPEATS: Record<BenchMode, number> = { full: 3, quick: 3, tiny: 1 };
const EXIT_SHORT = 3;

function flag(args: readonly string[], name: string): string | undefined {
  return args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const mode: BenchMode = args.includes('--tiny') ? 'tiny' : args.includes('--quick') ? 'quick' : 'full';
  const only = flag(args, 'only')?.split(',');
  const unknown = only?.filter((name) => !FIGURES.some((figure) => figure.name === name)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown figure ${unknown.join(', ')} (known: ${FIGURES.map((figure) => figure.name).join(', ')})`);
  const out = flag(args, 'out') ?? projectPath('BENCHMARKS.md');
  const profileDir = args.includes('--profile') ? mkdtempSync(join(tmpdir(), 'porthello-profiles-')) : null;
  const options = {
    mode,
    repeats: Number(flag(args, 'repeats') ?? REPEATS[mode]),
    profileDir,
    members: flag(args, 'members')?.split(',').map(Number) ?? null,
    seconds: flag(args, 'seconds') === undefined ? null : Number(flag(args, 'seconds')),
    log: (line: string) => void process.stdout.write(`${line}\n`),
  };
  const startedAt = new Date();
  const loadBefore = loadAverage();
  const rows: Row[] = [];
  for (const figure of FIGURES.filter((candidate) => only === undefined || only.includes(candidate.name))) {
    options.log(`${figure.name}…`);
    const figureStarted = performance.now();
    // A figure that fails is reported as such; the others still run and are written.
    const figureRows = await figure.run(options).catch((error: unknown): Row[] => {
      const row = newRow(`${figure.name}: the run failed`, '–', '–', '', () => false);
      row.notes.push(error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error));
      options.log(`${figure.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return [row];
    });
    options.log(`${tableOf(figureRows)}\n(${figure.name}: ${((performance.now() - figureStarted) / 1000).toFixed(0)} s)`);
    rows.push(...figureRows);
  }
  const profiles = profileDir === null ? [] : summariseProfiles(profileDir);
  if (profileDir !== null) rmSync(profileDir, { recursive: true, force: true });
  const command = `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
  writeReport(out, renderRun(rows, { command, startedAt, seconds: (Date.now() - startedAt.getTime()) / 1000, loadBefore, loadAfter: loadAverage() }, profiles));
  const short = rows.filter((row) => !isMet(row));
  options.log(`\n${tableOf(rows)}\n`);
  for (const row of short) options.log(`SHORT of target: ${row.figure} (target ${row.target} ${row.baseline})`);
  options.log(`${rows.length} figures, ${short.length} short of target; written to ${out}`);
  if (short.length > 0) process.exitCode = EXIT_SHORT;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
