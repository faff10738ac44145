// scripts/install.sh, run for real into a throw-away root (PORTHELLO_INSTALL_ROOT), where it never
// calls systemctl: files and modes, a second run that changes nothing, the installed copy serving,
// an upgrade rolled back when /healthz fails and kept when it answers, uninstall and purge.
// --no-build reuses this checkout's node_modules and dist/ instead of npm ci.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { projectPath } from '../server/paths.js';
import { spawnServer, type ServerProcess } from './helpers/process.js';
import { withTimeout } from './helpers/wait.js';

const SCRIPT = projectPath('scripts', 'install.sh');
/** Copying the application is disk-bound: generous on a loaded machine. */
const RUN_TIMEOUT_MS = 120_000;
/** Generous: start-up is slow on a loaded machine (the relay self-test included). */
const START_TIMEOUT_MS = 30_000;

const isRoot = process.getuid?.() === 0;
const hasBash = spawnSync('bash', ['--version']).status === 0;
const skipReason = !isRoot ? 'scripts/install.sh runs as root only: run this suite as root' : !hasBash ? 'bash is missing: apt-get install -y bash' : null;
if (skipReason !== null) console.log(`install suite skipped: ${skipReason}`);

type Run = { status: number | null; output: string };

function runInstall(root: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return withTimeout(
    new Promise<Run>((resolve) => {
      const child = spawn('bash', [SCRIPT, '--no-build', ...args], {
        env: { PATH: process.env['PATH'] ?? '', PORTHELLO_INSTALL_ROOT: root, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('close', (status) => resolve({ status, output }));
    }),
    `install.sh ${args.join(' ')}`,
    RUN_TIMEOUT_MS,
  );
}

function mode(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

/** A TCP port nothing listens on (taken, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let root = '';
let running: ServerProcess | null = null;
const paths = () => ({
  app: join(root, 'opt', 'porthello'),
  previous: join(root, 'opt', 'porthello.previous'),
  unit: join(root, 'etc', 'systemd', 'system', 'porthello.service'),
  confDir: join(root, 'etc', 'porthello'),
  env: join(root, 'etc', 'porthello', 'porthello.env'),
  state: join(root, 'var', 'lib', 'porthello'),
  privateState: join(root, 'var', 'lib', 'private', 'porthello'),
  backups: join(root, 'var', 'backups', 'porthello'),
});

async function stopServer(): Promise<void> {
  running?.kill();
  if (running !== null) await withTimeout(running.exited, 'the server to end');
  running = null;
}

const install = suite('scripts/install.sh');
const check = skipReason === null ? install : install.skip;
install.before(() => {
  root = mkdtempSync(join(tmpdir(), 'porthello-install-'));
});
install.after(async () => {
  await stopServer();
  rmSync(root, { recursive: true, force: true });
});

check('installs the application, the unit and the example settings (0600), without systemctl', async () => {
  const run = await runInstall(root, []);
  assert.is(run.status, 0, run.output);
  const p = paths();
  assert.ok(existsSync(join(p.app, 'dist', 'server', 'main.js')));
  assert.ok(existsSync(join(p.app, 'server', 'db', 'migrations')), 'migrations are read at start');
  assert.ok(existsSync(join(p.app, 'node_modules', 'better-sqlite3')), 'production dependencies are copied');
  assert.not.ok(existsSync(join(p.app, 'node_modules', 'typescript')), 'development dependencies are not');
  assert.not.ok(existsSync(join(p.app, 'dist', 'test')), 'tests are not installed');
  assert.is(readFileSync(p.unit, 'utf8'), readFileSync(projectPath('porthello.service'), 'utf8'));
  assert.is(mode(p.unit), '644');
  assert.is(readFileSync(p.env, 'utf8'), readFileSync(projectPath('config', 'porthello.env.example'), 'utf8'));
  assert.is(mode(p.env), '600');
  assert.match(run.output, /skipping systemctl daemon-reload, enable and start \(install root /);
  assert.ok(
    readdirSync(root).every((name) => name === 'opt' || name === 'etc'),
    `only /opt and /etc are written: ${readdirSync(root).join(' ')}`,
  );
});

check('a second run changes nothing and says so; the settings file is never overwritten', async () => {
  const p = paths();
  const before = statSync(join(p.app, 'dist', 'server', 'main.js')).mtimeMs;
  const again = await runInstall(root, []);
  assert.is(again.status, 0, again.output);
  assert.match(again.output, /nothing to change: Porthello is installed and up to date/);
  assert.is(statSync(join(p.app, 'dist', 'server', 'main.js')).mtimeMs, before);

  writeFileSync(p.env, 'PORTHELLO_LOG_LEVEL=warn\n');
  chmodSync(p.env, 0o644);
  const fixed = await runInstall(root, []);
  assert.is(fixed.status, 0, fixed.output);
  assert.is(readFileSync(p.env, 'utf8'), 'PORTHELLO_LOG_LEVEL=warn\n');
  assert.is(mode(p.env), '600');
  assert.match(fixed.output, /readable by root only/);
});

check('the installed copy serves from its own folder with the installed settings', async () => {
  const p = paths();
  // The layout systemd makes for a DynamicUser's StateDirectory: a symlink to a private folder.
  mkdirSync(p.privateState, { recursive: true, mode: 0o700 });
  symlinkSync(p.privateState, p.state);
  writeFileSync(p.env, 'PORTHELLO_PORT=0\nPORTHELLO_PUBLIC_URL=http://127.0.0.1:1\nPORTHELLO_TURN_PORT=0\n');
  running = spawnServer({ PORTHELLO_DATA_DIR: p.state }, [`--env-file=${p.env}`], [], join(p.app, 'dist', 'server', 'main.js'));
  const [, url] = await running.waitForOutput(/listening on (http:\/\/\S+)/, START_TIMEOUT_MS);
  const response = await fetch(`${url}/healthz`);
  assert.is(response.status, 200);
  const page = await fetch(`${url}/signup`);
  assert.is(page.status, 200, 'templates and assets are installed');
  await stopServer();
  assert.ok(existsSync(join(p.state, 'porthello.sqlite')));
});

check('--upgrade backs up, and rolls back to the previous build when /healthz does not answer 200', async () => {
  const p = paths();
  // The installed build differs from the checkout's: an upgrade has something to do.
  writeFileSync(join(p.app, 'old-build'), 'old\n');
  const port = await closedPort();
  const run = await runInstall(root, ['--upgrade'], { PORTHELLO_HEALTHZ_URL: `http://127.0.0.1:${port}/healthz`, PORTHELLO_HEALTHZ_DEADLINE_S: '1' });
  assert.is(run.status, 1, run.output);
  assert.match(run.output, /did not answer 200 within 1 s: rolling back/);
  assert.match(run.output, /upgrade failed and was rolled back/);
  assert.match(run.output, /backing up with npm run backup/, 'the running service is backed up online');
  assert.not.match(run.output, /restoring the data failed/, 'the data is restored with npm run restore');
  assert.ok(existsSync(join(p.app, 'old-build')), 'the previous build is back in place');
  assert.not.ok(existsSync(p.previous));
  assert.ok(readdirSync(p.backups).length > 0, 'a backup was taken first');
  assert.ok(existsSync(join(p.state, 'porthello.sqlite')), 'the data is still there');
});

check('--upgrade keeps the new build when /healthz answers 200, and the previous one aside', async () => {
  const p = paths();
  running = spawnServer({ PORTHELLO_DATA_DIR: join(root, 'other-data') }, [`--env-file=${p.env}`]);
  const [, url] = await running.waitForOutput(/listening on (http:\/\/\S+)/, START_TIMEOUT_MS);
  const run = await runInstall(root, ['--upgrade'], { PORTHELLO_HEALTHZ_URL: `${url}/healthz`, PORTHELLO_HEALTHZ_DEADLINE_S: '30' });
  await stopServer();
  assert.is(run.status, 0, run.output);
  assert.match(run.output, /upgraded: \/healthz answers 200/);
  assert.not.ok(existsSync(join(p.app, 'old-build')));
  assert.ok(existsSync(join(p.previous, 'old-build')));
  const again = await runInstall(root, ['--upgrade']);
  assert.is(again.status, 0, again.output);
  assert.match(again.output, /nothing to change/);
});

check('--uninstall keeps the data and settings; --purge deletes them; then nothing is left to do', async () => {
  const p = paths();
  const run = await runInstall(root, ['--uninstall']);
  assert.is(run.status, 0, run.output);
  assert.not.ok(existsSync(p.app));
  assert.not.ok(existsSync(p.previous));
  assert.not.ok(existsSync(p.unit));
  assert.ok(existsSync(p.env));
  assert.ok(existsSync(join(p.state, 'porthello.sqlite')));
  assert.match(run.output, /kept the data/);

  const purge = await runInstall(root, ['--uninstall', '--purge']);
  assert.is(purge.status, 0, purge.output);
  assert.not.ok(existsSync(p.confDir));
  assert.not.ok(existsSync(p.state));
  assert.not.ok(existsSync(p.privateState), 'the DynamicUser data itself is gone, not only the symlink');
  assert.not.ok(existsSync(p.backups));

  const again = await runInstall(root, ['--uninstall']);
  assert.is(again.status, 0, again.output);
  assert.match(again.output, /nothing to change: Porthello is not installed/);
});

check('refuses unknown options and --purge without --uninstall, changing nothing', async () => {
  const bad = await runInstall(root, ['--purge']);
  assert.is(bad.status, 1);
  assert.match(bad.output, /--purge only goes with --uninstall/);
  const unknown = await runInstall(root, ['--frobnicate']);
  assert.is(unknown.status, 1);
  assert.match(unknown.output, /unknown option --frobnicate/);
  assert.not.ok(existsSync(paths().app));
});

install.run();
