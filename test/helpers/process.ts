// Runs the built server as a real process (node dist/server/main.js), the way systemd does.
import { spawn, type ChildProcess } from 'node:child_process';
import { projectPath } from '../../server/paths.js';
import { watchOutput } from '../../scripts/child-output.js';
import { DEFAULT_WAIT_MS, withTimeout } from './wait.js';

export const MAIN_SCRIPT = projectPath('dist', 'server', 'main.js');

export type ServerProcess = {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  /** Waits until a line matching the pattern has been printed; returns the match. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  kill(): void;
};

/**
 * `script`: another copy of the server, e.g. one scripts/install.sh installed. `prefix` runs the
 * server through another command that execs it (e.g. `ip netns exec NS`), so the process is still the server's.
 */
export function spawnServer(
  env: Record<string, string>,
  args: string[] = [],
  nodeArgs: string[] = [],
  script = MAIN_SCRIPT,
  prefix: readonly string[] = [],
): ServerProcess {
  const command = [...prefix, process.execPath, ...nodeArgs, script, ...args];
  const child = spawn(command[0] as string, command.slice(1), {
    // Suites sign members up freely unless they set PORTHELLO_SIGNUP themselves (invite is the default).
    env: { PATH: process.env['PATH'] ?? '', PORTHELLO_SIGNUP: 'open', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const watched = watchOutput(child, 'the server');

  return {
    child,
    output: watched.output,
    exited: watched.exited,
    waitForOutput: (pattern, timeoutMs = DEFAULT_WAIT_MS) => watched.waitFor(pattern, timeoutMs),
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** How long a process gets to exit on SIGTERM before it is killed. */
const STOP_GRACE_MS = 2000;

/** SIGTERM, then SIGKILL if it has not exited within STOP_GRACE_MS; resolves once it has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await withTimeout(exited, 'the process to exit on SIGTERM', STOP_GRACE_MS).catch(() => {
    child.kill('SIGKILL');
    return withTimeout(exited, 'the process to exit on SIGKILL');
  });
}
