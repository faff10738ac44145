// The benchmark command's plumbing (scripts/bench.ts) with tiny counts: it starts the real
// server and the baselines, runs its load generators, and writes every figure of the table.
// Nothing here looks at a timing: the numbers of a tiny run mean nothing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { projectPath } from '../server/paths.js';

/** Bounds a hang; a tiny run of these figures takes well under a minute. */
const RUN_TIMEOUT_MS = 180_000;
/** The figures that need nothing beyond the project (the relay's needs coturn, the ring's Chromium, and they take longest). */
const FIGURES = ['signaling', 'http', 'pictures', 'logins'];
const EXIT_SHORT = 3;

const bench = suite('npm run bench plumbing');

bench('a tiny run writes a table row for every figure, each with a number for Porthello and its baseline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'porthello-bench-test-'));
  const out = join(dir, 'BENCHMARKS.md');
  try {
    const run = spawnSync(process.execPath, [projectPath('dist', 'scripts', 'bench.js'), '--tiny', `--only=${FIGURES.join(',')}`, `--out=${out}`], {
      encoding: 'utf8',
      timeout: RUN_TIMEOUT_MS,
    });
    assert.ok(run.status === 0 || run.status === EXIT_SHORT, `bench exited with ${run.status}:\n${run.stdout}\n${run.stderr}`);
    const report = readFileSync(out, 'utf8');
    const rows = report.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| figure'));
    const expected = [
      'signaling relay latency p50',
      'signaling relay latency p99',
      'server CPU per relayed message',
      'memory per idle authenticated connection',
      'server RSS with',
      '`GET /api/me` requests/s',
      'start-up to `/healthz` 200',
      'idle RSS after start-up',
      'profile picture, 12 MP JPEG',
      'signaling p99 during',
      "one more log-in's latency",
      'log-ins/s with',
    ];
    for (const figure of expected) {
      const row = rows.find((line) => line.includes(figure));
      assert.ok(row !== undefined, `no row for ${figure}:\n${report}`);
      const cells = row.split('|').map((cell) => cell.trim());
      // Columns: figure, baseline, target, Porthello, baseline value, ratios, met.
      assert.match(cells[4] ?? '', /^\d/, `${figure}: Porthello's value`);
      assert.match(cells[5] ?? '', /^\d/, `${figure}: the baseline's value`);
    }
    assert.match(report, /- machine: /);
    assert.match(report, /- versions: Porthello /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

bench.run();
