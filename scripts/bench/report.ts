// BENCHMARKS.md: the machine, the versions, the command and the table of one run. The run's
// part sits between two markers; everything around it (the analysis) is kept as written.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { projectPath } from '../../server/paths.js';
import { spread, type Spread } from './common.js';
import type { Row } from './figure.js';

export const BEGIN_MARKER = '<!-- bench:begin (written by npm run bench; edit outside the markers) -->';
export const END_MARKER = '<!-- bench:end -->';

export type RunInfo = { command: string; startedAt: Date; seconds: number; loadBefore: number; loadAfter: number };

/** The version a command prints, or "missing". */
function versionOf(command: string, args: readonly string[], pattern: RegExp): string {
  try {
    const output = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    return pattern.exec(output)?.[1] ?? output.trim().split('\n')[0] ?? 'unknown';
  } catch {
    // Not installed: the figures that need it say so.
    return 'missing';
  }
}

function packageVersion(name: string): string {
  const file = projectPath('node_modules', name, 'package.json');
  return existsSync(file) ? String((JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version) : 'missing';
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectPath(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // Not a checkout (an installed copy): nothing to name.
    return 'unknown';
  }
}

const number = (value: number): string =>
  !Number.isFinite(value) ? '–' : Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2);
const ratios = (row: Row): Spread => spread(row.ours.map((ours, index) => ours / (row.base[index] ?? NaN)));

/** Repeats whose pair of values meets the target. */
function repeatsMet(row: Row): number {
  return row.ours.filter((ours, index) => row.meets(ours, row.base[index] ?? NaN)).length;
}

/** Met when most repeats meet it: one noisy repeat neither passes nor fails a figure. */
export function isMet(row: Row): boolean {
  return row.ours.length > 0 && repeatsMet(row) * 2 > row.ours.length;
}

export function tableOf(rows: readonly Row[]): string {
  const lines = ['| figure | baseline | target | Porthello (median) | baseline (median) | ratio min / median / max | met |', '|---|---|---|---|---|---|---|'];
  for (const row of rows) {
    const r = ratios(row);
    lines.push(
      `| ${row.figure} | ${row.baseline} | ${row.target} | ${number(spread(row.ours).median)} ${row.unit} | ${number(spread(row.base).median)} ${row.unit} | ${number(r.min)} / **${number(r.median)}×** / ${number(r.max)} | ${isMet(row) ? 'yes' : '**no**'} (${repeatsMet(row)}/${row.ours.length}) |`,
    );
  }
  return lines.join('\n');
}

export function renderRun(rows: readonly Row[], info: RunInfo, profiles: readonly string[]): string {
  const cpu = cpus();
  const lines = [
    BEGIN_MARKER,
    '## Last run',
    '',
    `- command: \`${info.command}\`, started ${info.startedAt.toISOString()}, ${Math.round(info.seconds)} s`,
    `- machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}; load average ${info.loadBefore} before, ${info.loadAfter} after (other work on the box moves absolute numbers; the ratios are within one run)`,
    `- versions: Porthello ${gitCommit()}, Node ${process.version}, ws ${packageVersion('ws')}, koa ${packageVersion('koa')}, sharp ${packageVersion('sharp')}, bcrypt ${packageVersion('bcrypt')}, node-turn ${packageVersion('node-turn')}, autocannon ${packageVersion('autocannon')}, coturn ${versionOf('turnserver', ['--version'], /(\d+\.\d+\.\d+)/)}, Chromium ${versionOf('/usr/bin/chromium', ['--version'], /(\d+\.\d+\.\d+\.\d+)/)}`,
    '',
    tableOf(rows),
    '',
  ];
  const notes = rows.filter((row) => row.notes.length > 0);
  if (notes.length > 0) {
    lines.push('Measured on the side:', '');
    for (const row of notes) lines.push(`- ${row.figure}: ${row.notes.join('; ')}`);
    lines.push('');
  }
  if (profiles.length > 0) lines.push('Server profiles of this run (self time, top entries):', '', ...profiles, '');
  lines.push(END_MARKER);
  return lines.join('\n');
}

/** Replaces the run's part of the file, or appends it; the rest of the file is kept. */
export function writeReport(path: string, run: string): void {
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n\nRerun with `npm run bench` (or `npm run bench -- --quick`).\n\n';
  const begin = current.indexOf(BEGIN_MARKER);
  const end = current.indexOf(END_MARKER);
  const next = begin !== -1 && end > begin ? current.slice(0, begin) + run + current.slice(end + END_MARKER.length) : `${current.trimEnd()}\n\n${run}\n`;
  writeFileSync(path, next);
}
