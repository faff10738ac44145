// The real server process on a data directory of the test's, and the real backup and restore
// commands, for the suites about data safety: backups, restores, crashes, locks, full disks.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { suite } from 'uvu';
import { projectPath } from '../../server/paths.js';
import { LOCAL_ORIGIN, localServerEnv } from '../../scripts/local-server-env.js';
import { spawnServer, type ServerProcess } from './process.js';
import { withTimeout } from './wait.js';

/** A bound for a hang, not a measure: the machine may be busy with other suites. */
export const START_TIMEOUT_MS = 30_000;
/** A backup or restore of a few hundred rows takes well under a second; this bounds a hang. */
export const COMMAND_TIMEOUT_MS = 60_000;
export const ORIGIN = LOCAL_ORIGIN;
export const PASSWORD = 'correct horse battery staple';

export type LiveServer = { process: ServerProcess; url: string; fetch(path: string, init?: RequestInit): Promise<Response> };

export function serverEnv(dataDir: string): Record<string, string> {
  // Calls declined one after the other each make their own call-log row.
  return { ...localServerEnv(dataDir), PORTHELLO_CALL_LOG_REPEAT_MINUTES: '0' };
}

export async function startLiveServer(dataDir: string): Promise<LiveServer> {
  const process = spawnServer(serverEnv(dataDir));
  let url: string;
  try {
    [, url = ''] = await process.waitForOutput(/listening on (http:\/\/\S+)/, START_TIMEOUT_MS);
  } catch (error) {
    // A process left running would keep the suite alive after it failed.
    process.kill();
    throw error;
  }
  return {
    process,
    url,
    fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      headers.set('Origin', ORIGIN);
      return fetch(url + path, { ...init, headers });
    },
  };
}

/** SIGTERM and wait: the clean stop, after which the database file is complete. */
export async function stopLiveServer(server: LiveServer): Promise<void> {
  server.process.child.kill('SIGTERM');
  const status = await withTimeout(server.process.exited, 'the server to stop', START_TIMEOUT_MS);
  if (status !== 0) throw new Error(`the server exited with ${status}:\n${server.process.output()}`);
}

export function uniqueEmail(prefix = 'member'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}@example.org`;
}

export function signUpRequest(server: LiveServer, email: string): Promise<Response> {
  return server.fetch('/api/auth/signup', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD, firstName: 'Ada', lastName: 'Lovelace', acceptPolicy: true }),
  });
}

/** Signs up a member and returns their id and session cookie; fails the test otherwise. */
export async function signUpMember(server: LiveServer, email = uniqueEmail()): Promise<{ email: string; id: string; cookie: string }> {
  const response = await signUpRequest(server, email);
  const body = (await response.json()) as { id?: string };
  if (response.status !== 201 || body.id === undefined) throw new Error(`sign-up failed with ${response.status}: ${JSON.stringify(body)}`);
  const cookie = response.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  return { email, id: body.id, cookie };
}

export function logInRequest(server: LiveServer, email: string): Promise<Response> {
  return server.fetch('/api/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
}

/**
 * Signs members up, `concurrency` requests at a time, until stopped; `acknowledged` holds each
 * e-mail whose 201 arrived, in order. Any other answer is kept in `failures`, except when the
 * server was killed on purpose (then requests in flight fail and are not acknowledged).
 */
export function signUpStream(server: LiveServer, concurrency: number, prefix: string) {
  const acknowledged: string[] = [];
  const failures: string[] = [];
  let stopped = false;
  const worker = async (): Promise<void> => {
    while (!stopped) {
      const email = uniqueEmail(prefix);
      try {
        const response = await signUpRequest(server, email);
        if (response.status === 201) acknowledged.push(email);
        else if (!stopped) failures.push(`${response.status} ${await response.text()}`);
      } catch (error) {
        if (!stopped) failures.push(String(error));
      }
    }
  };
  const done = Promise.all(Array.from({ length: concurrency }, worker));
  return {
    acknowledged,
    failures,
    /** Stops sending; resolves when the requests in flight are answered or failed. */
    async stop(): Promise<void> {
      stopped = true;
      await withTimeout(done, 'the sign-up stream to stop', COMMAND_TIMEOUT_MS);
    },
    /** Marks the stream stopped without waiting, before the server is killed. */
    halt(): void {
      stopped = true;
    },
    done,
  };
}

export type CommandResult = { status: number | string; output: string };

/** Runs `node dist/scripts/NAME.js ARGS` with the given environment, as npm run NAME would. */
export function runDataCommand(name: 'backup' | 'restore', args: readonly string[], env: Record<string, string>): Promise<CommandResult> {
  const child = spawn(process.execPath, [projectPath('dist', 'scripts', `${name}.js`), ...args], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const finished = new Promise<CommandResult>((resolve) => child.on('close', (code, signal) => resolve({ status: code ?? signal ?? 'unknown', output })));
  return withTimeout(finished, `npm run ${name}`, COMMAND_TIMEOUT_MS).finally(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
}

/** A suite whose tests each get a scratch folder, and whose servers are killed after each test. */
export function dataSuite(name: string) {
  const test = suite(name);
  const state = { scratch: '', servers: [] as LiveServer[] };
  test.before.each(() => {
    state.scratch = mkdtempSync(join(tmpdir(), 'porthello-data-'));
  });
  test.after.each(() => {
    for (const server of state.servers.splice(0)) server.process.kill();
    rmSync(state.scratch, { recursive: true, force: true });
  });
  return {
    test,
    scratch: (): string => state.scratch,
    async start(dataDir: string): Promise<LiveServer> {
      const server = await startLiveServer(dataDir);
      state.servers.push(server);
      return server;
    },
    /** The service on this test's scratch/data, with scratch/backups for its backups. */
    async startInScratch(): Promise<{ dataDir: string; backups: string; server: LiveServer }> {
      const dataDir = join(state.scratch, 'data');
      const server = await startLiveServer(dataDir);
      state.servers.push(server);
      return { dataDir, backups: join(state.scratch, 'backups'), server };
    },
  };
}

export type DataSuite = ReturnType<typeof dataSuite>;

/** The e-mail addresses in a database file, read without changing it. */
export function emailsIn(path: string): Set<string> {
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  try {
    return new Set(db.prepare('SELECT email FROM users').pluck().all() as string[]);
  } finally {
    db.close();
  }
}

export function integrityOf(path: string): unknown {
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('integrity_check', { simple: true });
  } finally {
    db.close();
  }
}
