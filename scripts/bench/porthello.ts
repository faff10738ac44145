// The server under test: the built Porthello (node dist/server/main.js) in its own process on a
// data directory of the bench's, and the members the figures need, signed up over HTTP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath } from '../../server/paths.js';
import { LOCAL_ORIGIN, localServerEnv } from '../local-server-env.js';
import { startChild, type Child } from './common.js';

export const ORIGIN = LOCAL_ORIGIN;
export const PASSWORD = 'bench password 0123456789';
/** The build under test: this tree's, or another's (PORTHELLO_BENCH_SERVER=/other/dist/server/main.js) to compare before and after a change with the same harness. */
export const MAIN_SCRIPT = process.env['PORTHELLO_BENCH_SERVER'] ?? projectPath('dist', 'server', 'main.js');
/** Sign-ups in flight at once: the server hashes one at a time and queues ten. */
const SIGNUP_CONCURRENCY = 8;

export type Member = { id: string; email: string; cookie: string };

export type Porthello = { child: Child; url: string; dataDir: string; stop(): Promise<void> };

export function makeDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'porthello-bench-'));
}

/** The benchmark's server: local settings (bcrypt's cost is low for members made in bulk; the log-in figure sets the default back). */
export function benchEnv(dataDir: string, overrides: Record<string, string> = {}): Record<string, string> {
  return { ...localServerEnv(dataDir), ...overrides };
}

export async function startPorthello(dataDir: string, overrides: Record<string, string> = {}, nodeArgs: readonly string[] = []): Promise<Porthello> {
  const child = startChild(process.execPath, [...nodeArgs, MAIN_SCRIPT], benchEnv(dataDir, overrides));
  const [, url = ''] = await child.waitFor(/listening on (http:\/\/\S+)/);
  return { child, url, dataDir, stop: () => child.stop() };
}

export function removeDataDir(dataDir: string): void {
  rmSync(dataDir, { recursive: true, force: true });
}

async function signUp(url: string, email: string, lastName: string, origin: string): Promise<Member> {
  const response = await fetch(`${url}/api/auth/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: origin },
    body: JSON.stringify({ email, password: PASSWORD, firstName: 'Bench', lastName, acceptPolicy: true }),
  });
  const body = (await response.json()) as { id?: string };
  if (response.status !== 201 || body.id === undefined) throw new Error(`sign-up failed with ${response.status}: ${JSON.stringify(body)}`);
  return { id: body.id, email, cookie: response.headers.getSetCookie()[0]?.split(';')[0] ?? '' };
}

/** Signs `count` members up, a few at a time (setup, not measured). */
/** `origin`: the server's public URL, when it is not the placeholder. */
export async function signUpMembers(url: string, count: number, prefix = 'bench', lastName = 'Member', origin = ORIGIN): Promise<Member[]> {
  const members: Member[] = new Array(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      members[index] = await signUp(url, `${prefix}-${index}@example.org`, lastName, origin);
    }
  };
  await Promise.all(Array.from({ length: SIGNUP_CONCURRENCY }, worker));
  return members;
}
