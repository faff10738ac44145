// The real process, as systemd runs it: start-up, refusals, shutdown on signals, crash exit.
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readMigrations } from '../server/db/migrate.js';
import { DATABASE_FILE_NAME, MIGRATIONS_DIR } from '../server/db/open.js';
import { SHUTDOWN_DEADLINE_MS } from '../server/lifecycle.js';
import { spawnServer, type ServerProcess } from './helpers/process.js';
import { START_TIMEOUT_MS } from './helpers/live-server.js';
import { withTimeout } from './helpers/wait.js';

let scratch = '';
let running: ServerProcess | null = null;

const baseEnv = (dataDir: string): Record<string, string> => ({
  PORTHELLO_DATA_DIR: dataDir,
  PORTHELLO_PORT: '0',
  PORTHELLO_PUBLIC_URL: 'http://127.0.0.1:1',
  PORTHELLO_TURN_PORT: '0',
});

async function startServer(env: Record<string, string>, args: string[] = [], nodeArgs: string[] = []): Promise<{ process: ServerProcess; url: string }> {
  running = spawnServer(env, args, nodeArgs);
  const [, url] = await running.waitForOutput(/listening on (http:\/\/\S+)/, START_TIMEOUT_MS);
  return { process: running, url: url ?? '' };
}

const lifecycle = suite('the server process');
lifecycle.before.each(() => {
  scratch = mkdtempSync(join(tmpdir(), 'porthello-main-'));
});
lifecycle.after.each(async () => {
  running?.kill();
  if (running !== null) await withTimeout(running.exited, 'the process to end');
  running = null;
  rmSync(scratch, { recursive: true, force: true });
});

lifecycle('prints one line per listening port and where the data lives, then serves', async () => {
  const { process, url } = await startServer(baseEnv(join(scratch, 'data')));
  await process.waitForOutput(/data in /);
  assert.match(process.output(), /info {2}main listening on http:\/\/127\.0\.0\.1:\d+/);
  assert.match(process.output(), new RegExp(`data in ${join(scratch, 'data')}`));
  const response = await fetch(`${url}/healthz`);
  assert.equal(await response.json(), { status: 'ok' });
});

lifecycle('starts the embedded relay and reports it', async () => {
  const port = await freeUdpPort();
  const { process, url } = await startServer({
    ...baseEnv(join(scratch, 'data')),
    PORTHELLO_TURN_PORT: String(port),
    PORTHELLO_TURN_RELAY_PORTS: '51000-51010',
  });
  await process.waitForOutput(new RegExp(`TURN relay on udp\\+tcp 127\\.0\\.0\\.1:${port}`));
  assert.equal(await (await fetch(`${url}/healthz`)).json(), { status: 'ok' });
});

lifecycle('exits 0 on SIGTERM within the deadline, leaving a complete, checkpointed database', async () => {
  const dataDir = join(scratch, 'data');
  const { process } = await startServer(baseEnv(dataDir));
  process.child.kill('SIGTERM');
  // Past its deadline the process exits 1 by itself: 0 means it finished in time.
  assert.is(await withTimeout(process.exited, 'exit after SIGTERM', 2 * SHUTDOWN_DEADLINE_MS), 0);
  assert.match(process.output(), /shutting down signal=SIGTERM/);
  const walPath = join(dataDir, `${DATABASE_FILE_NAME}-wal`);
  assert.ok(!existsNonEmpty(walPath), 'the WAL was folded into the database');
  const db = new BetterSqlite3(join(dataDir, DATABASE_FILE_NAME), { readonly: true });
  assert.is(db.pragma('integrity_check', { simple: true }), 'ok');
  assert.is(db.pragma('user_version', { simple: true }), readMigrations(MIGRATIONS_DIR).length);
  db.close();
});

lifecycle('exits 0 on SIGINT too', async () => {
  const { process } = await startServer(baseEnv(join(scratch, 'data')));
  process.child.kill('SIGINT');
  assert.is(await withTimeout(process.exited, 'exit after SIGINT', 2 * SHUTDOWN_DEADLINE_MS), 0);
});

lifecycle('exits with status 2 naming every bad key, before listening', async () => {
  running = spawnServer({ PORTHELLO_PORT: 'eighty', PORTHELLO_PUBLIC_URL: 'nope', PORTHELLO_DATA_DIR: join(scratch, 'data') });
  assert.is(await withTimeout(running.exited, 'exit on bad config', START_TIMEOUT_MS), 2);
  const output = running.output();
  assert.match(output, /PORTHELLO_PORT:/);
  assert.match(output, /PORTHELLO_PUBLIC_URL:/);
  assert.not.match(output, /listening/);
});

lifecycle('reads an env file given with --env-file, the real environment winning', async () => {
  const file = join(scratch, 'porthello.env');
  writeFileSync(file, `PORTHELLO_DATA_DIR=${join(scratch, 'from-file')}\nPORTHELLO_LOG_LEVEL=warn\nPORTHELLO_TURN_PORT=0\n`);
  running = spawnServer({ PORTHELLO_PORT: '0', PORTHELLO_PUBLIC_URL: 'http://127.0.0.1:1', PORTHELLO_LOG_LEVEL: 'info' }, [`--env-file=${file}`]);
  await running.waitForOutput(/data in /, START_TIMEOUT_MS);
  assert.match(running.output(), new RegExp(`data in ${join(scratch, 'from-file')}`));
});

lifecycle('stops with a clear message and status 1 when the database is corrupt', async () => {
  const dataDir = join(scratch, 'data');
  const { process } = await startServer(baseEnv(dataDir));
  process.child.kill('SIGTERM');
  await withTimeout(process.exited, 'first run to end');
  const path = join(dataDir, DATABASE_FILE_NAME);
  writeFileSync(path, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(8192, 0x5a)]));
  running = spawnServer(baseEnv(dataDir));
  assert.is(await withTimeout(running.exited, 'exit on a corrupt database', START_TIMEOUT_MS), 1);
  assert.match(running.output(), /failed its integrity check|restore it from a backup/);
  assert.not.match(running.output(), /listening/);
});

lifecycle('stops with status 1 when the HTTP port is taken', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    running = spawnServer({ ...baseEnv(join(scratch, 'data')), PORTHELLO_PORT: String(port) });
    assert.is(await withTimeout(running.exited, 'exit on a taken port', START_TIMEOUT_MS), 1);
    assert.match(running.output(), /EADDRINUSE/);
  } finally {
    blocker.close();
  }
});

lifecycle('stops with status 1 when the relay port is taken', async () => {
  const blocker = createSocket('udp4');
  await new Promise<void>((resolve) => blocker.bind(0, '127.0.0.1', resolve));
  try {
    running = spawnServer({
      ...baseEnv(join(scratch, 'data')),
      PORTHELLO_TURN_PORT: String(blocker.address().port),
      PORTHELLO_TURN_RELAY_PORTS: '51020-51030',
    });
    assert.is(await withTimeout(running.exited, 'exit on a taken relay port', START_TIMEOUT_MS), 1);
    assert.match(running.output(), /TURN relay cannot listen.*EADDRINUSE/);
  } finally {
    blocker.close();
  }
});

lifecycle('exits non-zero after an uncaught exception instead of running on', async () => {
  const thrower = join(scratch, 'throw-on-signal.cjs');
  // Loaded into the server process: throws from a timer when the test sends SIGUSR2.
  writeFileSync(thrower, "process.on('SIGUSR2', () => setTimeout(() => { throw new Error('unexpected failure'); }, 0));\n");
  const { process } = await startServer(baseEnv(join(scratch, 'data')), [], ['--require', thrower]);
  process.child.kill('SIGUSR2');
  assert.is(await withTimeout(process.exited, 'exit after the exception', START_TIMEOUT_MS), 1);
  assert.match(process.output(), /error main uncaught exception; exiting/);
});

lifecycle.run();

function existsNonEmpty(path: string): boolean {
  try {
    return statSync(path).size > 0;
  } catch {
    return false;
  }
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}
