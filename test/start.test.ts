// `npm start` (scripts/start.mjs) builds only when dist/ is missing or older than the sources.
// Run on a scratch tree of its own: a copy of the script, a fake build (npm run build that
// records it ran) and a fake server, so the project's own dist/ is never touched.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { projectPath } from '../server/paths.js';

/** Bounds a hang of the fake build or server, not a measure. */
const RUN_TIMEOUT_MS = 60_000;

const start = suite('npm start builds only when needed');
let tree = '';

start.before.each(() => {
  tree = mkdtempSync(join(tmpdir(), 'porthello-start-'));
  mkdirSync(join(tree, 'scripts'));
  mkdirSync(join(tree, 'server'));
  cpSync(projectPath('scripts', 'start.mjs'), join(tree, 'scripts', 'start.mjs'));
  writeFileSync(join(tree, 'server', 'main.ts'), '// a source\n');
  // The fake build leaves a server that says it started, counts its runs, and stamps dist/ as the real one does.
  const fakeBuild = [
    "import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';",
    "mkdirSync('dist/server', { recursive: true });",
    "writeFileSync('dist/server/main.js', 'console.log(\"started\");');",
    "appendFileSync('builds', 'x');",
  ].join('\n');
  writeFileSync(join(tree, 'scripts', 'fake-build.mjs'), fakeBuild);
  const build = 'node scripts/fake-build.mjs && node scripts/start.mjs --stamp';
  writeFileSync(join(tree, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module', scripts: { build } }));
});

start.after.each(() => {
  rmSync(tree, { recursive: true, force: true });
});

function runStart(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [join(tree, 'scripts', 'start.mjs'), ...args], { cwd: tree, encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
  return { status: result.status, output: result.stdout + result.stderr };
}

const builds = (): number => (existsSync(join(tree, 'builds')) ? readFileSync(join(tree, 'builds'), 'utf8').length : 0);

start('builds a tree that was never built, then starts without building again', () => {
  assert.is(runStart('--check').status, 1);
  const first = runStart();
  assert.is(first.status, 0, first.output);
  assert.ok(first.output.includes('started'), first.output);
  assert.is(builds(), 1);
  assert.is(runStart('--check').status, 0);
  const second = runStart();
  assert.ok(second.output.includes('started'), second.output);
  assert.is(builds(), 1, 'the second start did not build');
});

start('builds again when a source is newer than the last build', () => {
  runStart();
  const later = new Date(Date.now() + 60_000);
  utimesSync(join(tree, 'server', 'main.ts'), later, later);
  assert.is(runStart('--check').status, 1);
  runStart();
  assert.is(builds(), 2);
});

start('--build-only builds when needed and starts nothing', () => {
  const result = runStart('--build-only');
  assert.is(builds(), 1);
  assert.not.ok(result.output.includes('started'));
});

start.run();
