// Runs every test suite, each file in its own process with a time bound, and ends with the one
// line CI reads: "N passed, N failed, N skipped". Suites named *.browser.test.js run in a
// private network namespace whose only interface is loopback, when the machine allows it
// (root with unshare), so a browser under test can reach nothing but this machine. Suites named
// *.isolated.test.js run there too, and must: they send what may reach any address (a fuzzer's
// peer addresses), so they check for themselves that they are isolated and fail otherwise.
// Where the machine allows it, every suite also runs in its own PID namespace: when the suite's
// process ends (or is killed at its time bound), the kernel ends whatever it started with it
// (servers, browsers, coturn), so nothing a failed suite leaves behind can slow or skew the next.
//
// The whole run also checks the code with Biome (`npm run lint`: formatting and lint rules),
// counted as one more suite, so a lint error fails the run like a failing test.
//
//   npm test                      every suite and the lint
//   npm test -- config db/        only files whose path contains one of the words
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectPath } from '../server/paths.js';

const TEST_DIR = projectPath('dist', 'test');
/** A suite still running after this is killed and counted as failed: no run can hang CI. */
const FILE_TIMEOUT_MS = 5 * 60_000;
/** Two cores: two suites at a time. */
const CONCURRENCY = 2;

type Outcome = { file: string; passed: number; failed: number; skipped: number; output: string };

function findSuites(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'helpers' ? [] : findSuites(path);
    return name.endsWith('.test.js') ? [path] : [];
  });
}

const isRoot = process.getuid?.() === 0;
const canIsolateNetwork = isRoot && spawnSync('unshare', ['-n', 'true']).status === 0;
/** The suite's process is PID 1 of a new namespace (with its own /proc, so PIDs it reads are its children's); --kill-child ends it if this runner kills unshare. */
const OWN_PID_NAMESPACE = ['--pid', '--fork', '--kill-child', '--mount-proc'];
const canIsolateProcesses = isRoot && spawnSync('unshare', [...OWN_PID_NAMESPACE, 'true']).status === 0;

/** Suites run inside a private network namespace with only loopback up. */
const ISOLATED_SUITE_SUFFIXES = ['.browser.test.js', '.isolated.test.js'];

function commandFor(file: string): [string, string[]] {
  const node = [process.execPath, '--enable-source-maps', file];
  const pid = canIsolateProcesses ? OWN_PID_NAMESPACE : [];
  if (ISOLATED_SUITE_SUFFIXES.some((suffix) => file.endsWith(suffix)) && canIsolateNetwork) {
    return ['unshare', ['-n', ...pid, 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', ...node]];
  }
  return canIsolateProcesses ? ['unshare', [...pid, ...node]] : [node[0] as string, node.slice(1)];
}

function runSuite(file: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const [command, args] = commandFor(file);
    const child = spawn(command, args, { env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      output += `\n[run-tests] killed after ${FILE_TIMEOUT_MS} ms\n`;
      child.kill('SIGKILL');
    }, FILE_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      const count = (label: string): number | null => {
        const match = new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'm').exec(output);
        return match === null ? null : Number(match[1]);
      };
      const total = count('Total') ?? 0;
      const passed = count('Passed') ?? 0;
      const skipped = count('Skipped') ?? 0;
      let failed = total - passed;
      // A suite that crashed, hung or exited non-zero without a failure counted still failed.
      if (code !== 0 && failed === 0) failed = 1;
      resolve({ file: relative(TEST_DIR, file), passed, failed, skipped, output });
    });
  });
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const files = findSuites(TEST_DIR)
    .filter((file) => filters.length === 0 || filters.some((word) => relative(TEST_DIR, file).includes(word)))
    .sort();
  const outcomes: Outcome[] = filters.length === 0 ? [lint()] : [];
  for (const outcome of outcomes) report(outcome);
  const queue = [...files];
  const worker = async (): Promise<void> => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const outcome = await runSuite(file);
      outcomes.push(outcome);
      report(outcome);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));

  const sum = (key: 'passed' | 'failed' | 'skipped'): number => outcomes.reduce((total, outcome) => total + outcome[key], 0);
  const failed = sum('failed') + (files.length === 0 ? 1 : 0);
  process.stdout.write(`\n${sum('passed')} passed, ${failed} failed, ${sum('skipped')} skipped\n`);
  process.exit(failed === 0 ? 0 : 1);
}

function report(outcome: Outcome): void {
  const mark = outcome.failed > 0 ? 'FAIL' : 'ok  ';
  process.stdout.write(`${mark} ${outcome.file}: ${outcome.passed} passed, ${outcome.failed} failed, ${outcome.skipped} skipped\n`);
  if (outcome.failed > 0 || outcome.skipped > 0) process.stdout.write(indent(outcome.output));
}

/** `biome check` over the sources (biome.json says which): one passed or one failed. */
function lint(): Outcome {
  const check = spawnSync(projectPath('node_modules', '.bin', 'biome'), ['check', '--colors=off'], { cwd: projectPath(), encoding: 'utf8' });
  const ok = check.status === 0;
  return {
    file: 'lint (biome check)',
    passed: ok ? 1 : 0,
    failed: ok ? 0 : 1,
    skipped: 0,
    output: `${check.stdout ?? ''}${check.stderr ?? ''}${check.error === undefined ? '' : String(check.error)}`,
  };
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n')
    .concat('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`run-tests: ${String(error)}\n`);
  process.stdout.write('\n0 passed, 1 failed, 0 skipped\n');
  process.exit(1);
});
